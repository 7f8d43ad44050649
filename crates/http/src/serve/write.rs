//! The write path: events signed by their authors elsewhere (the key never reaches the server).
//!
//! - `GET /head`: `{"type":"head","size":N,"head":HEX,"recorded_at":T}`, what the next event
//!   signs over (its `seq` is `size`, its `prev` is `head`, its `recorded_at` not before `T`);
//! - `POST /events`: one event, its stored bytes as the body (`application/octet-stream`, at
//!   most 65,535 bytes);
//! - `POST /events/batch`: several, in order, each as a `u16` big-endian length then its
//!   stored bytes (the entry-bundle framing), admitted all or none.
//!
//! Each event is checked as the ledger checks its own events, by `actledger_core`'s verifier
//! with signatures on (canonical decode, shape, position, chain link, signature, key and role,
//! rules) against the ledger's rule state, then written by the store's `commit`, which admits
//! it again to the live state and flushes before the answer. Answers: `201` once durable;
//! `200` if every event is already in the log (a retry after a lost answer); `409` with the
//! current `size` and `head` when signed over another head; `400` (not an event), `403`
//! (signature, unknown or revoked key, missing role), `422` (a rule), `413` (too large),
//! each with the one-line error the CLI prints for the same event.

use std::sync::Arc;

use actledger_core::chain::{self, SealedEvent};
use actledger_core::encoding::MAX_EVENT_BYTES;
use actledger_core::tiles::{encode_entry_bundle, parse_entries};
use actledger_core::{RuleError, Timestamp, VerifyErrorKind};
use actledger_store::{AppendError, LogReader, StoreError};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State as Extract};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use super::{error, json, Head, State};

/// `Content-Type` of `POST /events`.
pub const EVENT_CONTENT_TYPE: &str = "application/octet-stream";
/// `Content-Type` of `POST /events/batch`.
pub const BATCH_CONTENT_TYPE: &str = "application/vnd.actledger.events";

/// How far ahead of the server's clock an event's `recorded_at` may be.
const MAX_CLOCK_AHEAD: i64 = 300;

pub(super) fn routes(max_batch_bytes: usize) -> axum::Router<Arc<State>> {
    axum::Router::new()
        .route("/head", get(head))
        .route("/entries", get(entries))
        .route(
            "/events",
            post(one).layer(DefaultBodyLimit::max(MAX_EVENT_BYTES)),
        )
        .route(
            "/events/batch",
            post(batch).layer(DefaultBodyLimit::max(max_batch_bytes)),
        )
}

async fn head(Extract(state): Extract<Arc<State>>) -> Response {
    let h = state.head();
    json(
        StatusCode::OK,
        &json!({
            "type": "head",
            "size": h.size,
            "head": h.hash.to_hex(),
            "recorded_at": h.last_time.map(|t| t.0),
        }),
    )
}

/// Events per `GET /entries` answer.
pub const ENTRIES_PAGE: u64 = 4096;

/// Bytes per `GET /entries` answer at most (framing included), and so the body limit of a
/// client reading them: a page ends before the event that would pass it (but holds at least
/// one event, which is at most 65,537 framed bytes). 4,096 vote events are ~1.6 MB.
pub const ENTRIES_PAGE_BYTES: usize = 1 << 20;

/// `GET /entries?from=N`: the stored events from seq `N` (up to [`ENTRIES_PAGE`] of them and
/// [`ENTRIES_PAGE_BYTES`], and only up to the head), in the batch framing: what a remote signer replays and verifies to
/// check its facts against the log's (an import). Unlike the tiles, not limited to the
/// published checkpoint.
async fn entries(
    Extract(state): Extract<Arc<State>>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Response {
    let from = match raw.as_deref().and_then(|q| q.strip_prefix("from=")) {
        Some(n) => match n.parse::<u64>() {
            Ok(n) => n,
            Err(_) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    format!("from={n:?} is not a number"),
                )
            }
        },
        None if raw.as_deref().is_none_or(str::is_empty) => 0,
        None => return error(StatusCode::BAD_REQUEST, "the only parameter is from=SEQ"),
    };
    let s = state.clone();
    let read = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, String> {
        let ledger = s.ledger.read();
        let size = s.head().size;
        let to = from.saturating_add(ENTRIES_PAGE).min(size);
        let mut events: Vec<Vec<u8>> = Vec::new();
        let mut bytes = 0;
        for item in ledger.scan_range(from, to) {
            let (_, e) = item.map_err(|e| e.to_string())?;
            bytes += 2 + e.len();
            if bytes > ENTRIES_PAGE_BYTES && !events.is_empty() {
                break;
            }
            events.push(e);
        }
        encode_entry_bundle(from, &events).map_err(|e| e.to_string())
    })
    .await;
    match read {
        Ok(Ok(body)) => (
            [
                (axum::http::header::CONTENT_TYPE, BATCH_CONTENT_TYPE),
                (axum::http::header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response(),
        Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

async fn one(Extract(state): Extract<Arc<State>>, body: Bytes) -> Response {
    submit(state, vec![body.to_vec()], false).await
}

async fn batch(Extract(state): Extract<Arc<State>>, body: Bytes) -> Response {
    let events = match parse_entries(&body, usize::MAX) {
        Ok(e) if e.is_empty() => {
            return error(StatusCode::BAD_REQUEST, "the batch holds no event");
        }
        Ok(e) => e.into_iter().map(<[u8]>::to_vec).collect(),
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("the batch is not length-prefixed events: {e}"),
            )
        }
    };
    submit(state, events, true).await
}

async fn submit(state: Arc<State>, events: Vec<Vec<u8>>, batch: bool) -> Response {
    let s = state.clone();
    match tokio::task::spawn_blocking(move || admit(&s, events, batch)).await {
        Ok(Ok(landed)) => {
            if landed.new > 0 {
                state.wrote.notify_one();
            }
            let status = if landed.new > 0 {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            let body = if batch {
                json!({
                    "type": "appended",
                    "first": landed.first,
                    "count": landed.count,
                    "new": landed.new,
                    "last_hash": landed.last_hash,
                })
            } else {
                json!({
                    "type": "appended",
                    "seq": landed.first,
                    "hash": landed.last_hash,
                    "duplicate": landed.new == 0,
                })
            };
            let mut r = json(status, &body);
            // Where the time went (W3C Server-Timing): for the bench and for operators.
            let [lock, check, write] = landed.timing;
            if let Ok(v) = axum::http::HeaderValue::from_str(&format!(
                "lock;dur={lock:.3}, check;dur={check:.3}, write;dur={write:.3}"
            )) {
                r.headers_mut().insert("server-timing", v);
            }
            r
        }
        Ok(Err(r)) => r.into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

/// Events that are in the log after a submission.
#[derive(Debug)]
struct Landed {
    first: u64,
    count: usize,
    /// How many were written now (the others were in the log already).
    new: usize,
    last_hash: String,
    /// Time waiting for the ledger, checking, and writing (flush included), in ms.
    timing: [f64; 3],
}

/// A refusal: status, message, and for `409` the current head.
#[derive(Debug)]
struct Refused {
    status: StatusCode,
    message: String,
    head: Option<(u64, String, Option<i64>)>,
}

impl Refused {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            head: None,
        }
    }

    fn into_response(self) -> Response {
        let mut v = json!({
            "type": "error",
            "status": self.status.as_u16(),
            "error": self.message,
        });
        if let Some((size, head, recorded_at)) = self.head {
            v["size"] = json!(size);
            v["head"] = json!(head);
            v["recorded_at"] = json!(recorded_at);
        }
        json(self.status, &v)
    }
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Self {
        refusal(e, None)
    }
}

/// The answer for a store error; `first` is the seq of a batch's first event, to name the one
/// refused.
fn refusal(e: StoreError, first: Option<u64>) -> Refused {
    let StoreError::Append(a) = e else {
        return Refused::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
    };
    let (status, seq) = match &a {
        AppendError::Rule { seq, source } => (
            match source {
                RuleError::UnknownKey { .. }
                | RuleError::RevokedKey { .. }
                | RuleError::MissingRole { .. } => StatusCode::FORBIDDEN,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            },
            Some(*seq),
        ),
        AppendError::Invalid { seq, source } => (
            match source {
                VerifyErrorKind::BadSignature { .. } => StatusCode::FORBIDDEN,
                VerifyErrorKind::SeqMismatch { .. } | VerifyErrorKind::ChainMismatch { .. } => {
                    StatusCode::BAD_REQUEST
                }
                VerifyErrorKind::Decode(_) => StatusCode::BAD_REQUEST,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
            Some(*seq),
        ),
        AppendError::Shape { seq, .. } => (StatusCode::UNPROCESSABLE_ENTITY, Some(*seq)),
        _ => (StatusCode::BAD_REQUEST, None),
    };
    let which = match (first, seq) {
        (Some(f), Some(s)) => format!("event {} of the batch: ", s.0.saturating_sub(f)),
        _ => String::new(),
    };
    Refused::new(status, format!("{which}{a}"))
}

/// Checks and writes `events` (the ledger's one writer holds it meanwhile): decoded here to
/// answer a retry (`200`) or a stale head (`409`); then admitted by the store's `commit`, the
/// one door every append goes through (canonical decode and shape, position, chain link,
/// signature, key and role, every rule), all of them before the first is written.
fn admit(state: &State, events: Vec<Vec<u8>>, batch: bool) -> Result<Landed, Refused> {
    let which = |i: usize| {
        if batch {
            format!("event {i} of the batch: ")
        } else {
            String::new()
        }
    };
    let started = std::time::Instant::now();
    let mut ledger = state.ledger.write();
    let locked = std::time::Instant::now();
    let (size, head) = ledger.stored_head()?;
    let last_time = state.head().last_time.map(|t| t.0);
    let stale = |seq: u64| {
        Refused {
        status: StatusCode::CONFLICT,
        message: format!(
            "stale head: the event is signed as seq {seq} over another head; the log is at size {size}, head {head}: sign again over it"
        ),
        head: Some((size, head.to_hex(), last_time)),
    }
    };
    let mut decoded: Vec<actledger_core::Event> = Vec::with_capacity(events.len());
    for (i, bytes) in events.iter().enumerate() {
        let ev = chain::decode_event(bytes).map_err(|e| {
            Refused::new(
                StatusCode::BAD_REQUEST,
                format!("{}rejected: cannot decode stored bytes: {e}", which(i)),
            )
        })?;
        decoded.push(ev);
    }
    // Events already in the log (a retry whose first answer was lost) are a prefix.
    let mut already = 0;
    for (ev, bytes) in decoded.iter().zip(&events) {
        let seq = ev.unsigned.seq.0;
        if seq >= size {
            break;
        }
        if ledger.get(seq)?.as_deref() != Some(bytes.as_slice()) {
            return Err(stale(seq));
        }
        already += 1;
    }
    let first_seq = decoded.first().map_or(size, |e| e.unsigned.seq.0);
    let last_hash = events.last().map(|b| chain::event_hash(b).to_hex());
    if already == events.len() {
        return Ok(Landed {
            first: first_seq,
            count: events.len(),
            new: 0,
            last_hash: last_hash.unwrap_or_default(),
            timing: [
                ms(started, locked),
                ms(locked, std::time::Instant::now()),
                0.0,
            ],
        });
    }
    if let Some(ev) = decoded.get(already) {
        if ev.unsigned.seq.0 != size || ev.unsigned.prev != head {
            return Err(stale(ev.unsigned.seq.0));
        }
    }
    let latest = Timestamp::now().0.saturating_add(MAX_CLOCK_AHEAD);
    let mut sealed = Vec::with_capacity(events.len() - already);
    for (i, (event, bytes)) in decoded.into_iter().zip(events).enumerate().skip(already) {
        if event.unsigned.recorded_at.0 > latest {
            return Err(Refused::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "{}rejected: recorded_at {} is more than {MAX_CLOCK_AHEAD} seconds ahead of the server's clock",
                    which(i),
                    event.unsigned.recorded_at.0
                ),
            ));
        }
        let hash = chain::event_hash(&bytes);
        sealed.push(SealedEvent { event, bytes, hash });
    }
    let new = sealed.len();
    let checked = std::time::Instant::now();
    ledger
        .commit(&sealed)
        .map_err(|e| refusal(e, batch.then_some(first_seq)))?;
    let written = std::time::Instant::now();
    if let Some(last) = sealed.last() {
        state.set_head(Head {
            size: last.event.unsigned.seq.0 + 1,
            hash: last.hash,
            last_time: Some(last.event.unsigned.recorded_at),
        });
    }
    Ok(Landed {
        first: first_seq,
        count: already + new,
        new,
        last_hash: last_hash.unwrap_or_default(),
        timing: [
            ms(started, locked),
            ms(locked, checked),
            ms(checked, written),
        ],
    })
}

fn ms(a: std::time::Instant, b: std::time::Instant) -> f64 {
    b.saturating_duration_since(a).as_secs_f64() * 1000.0
}
