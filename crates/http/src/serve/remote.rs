//! The client half of the write protocol (`record --remote`, `import --remote`): the key stays
//! on this machine. Fetch the head (`GET /head`), build the event over it and sign it here
//! (`actledger_core::chain::seal`, as a local append does), submit its stored bytes; on `409`
//! (someone appended first) fetch the head again and sign again, a bounded number of times
//! with a growing, jittered pause; on a lost answer (timeout, reset) submit the same bytes
//! again, which the server answers with the seq it already gave them (idempotent).

use std::time::Duration;

use actledger_core::chain::{self, SealedEvent};
use actledger_core::event::{EventBody, UnsignedEvent, FORMAT_VERSION};
use actledger_core::tiles::{encode_entry_bundle, parse_entries};
use actledger_core::{EventHash, Seq, SigningKey, Timestamp};

use super::write::{BATCH_CONTENT_TYPE, EVENT_CONTENT_TYPE};
use crate::client::{join, Client, ClientError, Response};

/// How many times an event is signed again after a `409`.
pub const MAX_CONFLICTS: u32 = 64;
/// How many times the same bytes are sent again after a transport failure.
pub const MAX_RESENDS: u32 = 8;

/// Why a remote append failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RemoteError {
    /// No answer.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The server refused the event: its one-line error and status.
    #[error("{message} (the server at {url} answered {status})")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The server's error line.
        message: String,
        /// The server.
        url: String,
    },
    /// Still signed over a stale head after [`MAX_CONFLICTS`] tries.
    #[error("the log at {0} kept moving: gave up after {MAX_CONFLICTS} tries (other writers are busy; retry)")]
    Busy(String),
    /// The event could not be built or the answer was not understood.
    #[error("{0}")]
    Protocol(String),
}

/// The head a new event signs over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteHead {
    /// Events in the log (the next seq).
    pub size: u64,
    /// Hash of the last event.
    pub head: EventHash,
    /// `recorded_at` of the last event.
    pub recorded_at: Option<Timestamp>,
}

/// An event the server holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Landed {
    /// Its seq.
    pub seq: Seq,
    /// Its hash.
    pub hash: EventHash,
}

/// A log server, seen by a key holder.
#[derive(Debug, Clone)]
pub struct RemoteLog {
    base: String,
    client: Client,
}

fn parse_hash(s: &str) -> Option<EventHash> {
    let mut h = [0u8; 32];
    hex::decode_to_slice(s, &mut h).ok()?;
    Some(EventHash(h))
}

fn json_of(r: &Response) -> Option<serde_json::Value> {
    serde_json::from_slice(&r.body).ok()
}

impl RemoteLog {
    /// The server at `base` (`http://host:port`), with a 60-second timeout per call.
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_string(),
            client: Client::new(
                Duration::from_secs(60),
                super::write::ENTRIES_PAGE_BYTES as u64,
            ),
        }
    }

    /// Its URL.
    pub fn url(&self) -> &str {
        &self.base
    }

    fn refused(&self, r: &Response) -> RemoteError {
        let message = json_of(r)
            .and_then(|v| v["error"].as_str().map(str::to_string))
            .unwrap_or_else(|| r.text().trim().chars().take(300).collect());
        RemoteError::Refused {
            status: r.status,
            message,
            url: self.base.clone(),
        }
    }

    /// `GET /head`.
    pub fn head(&self) -> Result<RemoteHead, RemoteError> {
        let url = join(&self.base, "head");
        let r = self.retrying(|| self.client.get(&url))?;
        if r.status != 200 {
            return Err(self.refused(&r));
        }
        let bad = || RemoteError::Protocol(format!("{}/head: not a head: {}", self.base, r.text()));
        let v = json_of(&r).ok_or_else(bad)?;
        Ok(RemoteHead {
            size: v["size"].as_u64().ok_or_else(bad)?,
            head: v["head"].as_str().and_then(parse_hash).ok_or_else(bad)?,
            recorded_at: v["recorded_at"].as_i64().map(Timestamp),
        })
    }

    /// Signs `bodies` as the events after `head`, in order, all with one `recorded_at` (now,
    /// or the last event's if the clock is behind it).
    pub fn seal(
        key: &SigningKey,
        head: &RemoteHead,
        bodies: &[EventBody],
    ) -> Result<Vec<SealedEvent>, RemoteError> {
        let now = Timestamp::now();
        let recorded_at = head.recorded_at.map_or(now, |t| t.max(now));
        let mut prev = head.head;
        let mut out = Vec::with_capacity(bodies.len());
        for (i, body) in bodies.iter().enumerate() {
            let unsigned = UnsignedEvent {
                version: FORMAT_VERSION,
                seq: Seq(head.size + i as u64),
                prev,
                recorded_at,
                author: key.public(),
                body: body.clone(),
            };
            let sealed = chain::seal(unsigned, key)
                .map_err(|e| RemoteError::Protocol(format!("cannot encode event: {e}")))?;
            prev = sealed.hash;
            out.push(sealed);
        }
        Ok(out)
    }

    /// Calls `f` again after a transport failure (the server restarting, a lost answer), up
    /// to [`MAX_RESENDS`] times: every request of the protocol is safe to repeat.
    fn retrying(
        &self,
        f: impl Fn() -> Result<Response, ClientError>,
    ) -> Result<Response, RemoteError> {
        let mut tries = 0;
        loop {
            match f() {
                Ok(r) => return Ok(r),
                Err(ClientError::Transport { .. }) if tries < MAX_RESENDS => {
                    tries += 1;
                    std::thread::sleep(pause(tries));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// POSTs `body` to `path` (the same bytes again after a transport failure).
    fn submit(&self, path: &str, content_type: &str, body: &[u8]) -> Result<Response, RemoteError> {
        let url = join(&self.base, path);
        self.retrying(|| self.client.post(&url, content_type, body))
    }

    /// The stored events `0..head.size` (`GET /entries`, page by page). The caller verifies
    /// them (signatures, chain, rules) and checks they end in `head.head`: nothing read from
    /// the server is trusted.
    pub fn events(&self, head: &RemoteHead) -> Result<Vec<Vec<u8>>, RemoteError> {
        let mut out: Vec<Vec<u8>> = Vec::new();
        while (out.len() as u64) < head.size {
            let url = join(&self.base, &format!("entries?from={}", out.len()));
            let r = self.retrying(|| self.client.get(&url))?;
            if r.status != 200 {
                return Err(self.refused(&r));
            }
            let page = parse_entries(&r.body, usize::MAX)
                .map_err(|e| RemoteError::Protocol(format!("{url}: {e}")))?;
            if page.is_empty() {
                return Err(RemoteError::Protocol(format!(
                    "{url}: no events, but the head says {}",
                    head.size
                )));
            }
            out.extend(page.into_iter().map(<[u8]>::to_vec));
        }
        out.truncate(usize::try_from(head.size).unwrap_or(usize::MAX));
        Ok(out)
    }

    /// Submits events already signed (in the batch framing): `Ok(None)` when they were signed
    /// over a head that is no longer the log's (`409`), so the caller can sign them again.
    pub fn submit_sealed(
        &self,
        sealed: &[SealedEvent],
    ) -> Result<Option<Vec<Landed>>, RemoteError> {
        let bytes: Vec<&[u8]> = sealed.iter().map(|s| s.bytes.as_slice()).collect();
        let first = sealed.first().map_or(0, |s| s.event.unsigned.seq.0);
        let framed =
            encode_entry_bundle(first, &bytes).map_err(|e| RemoteError::Protocol(e.to_string()))?;
        let r = self.submit("events/batch", BATCH_CONTENT_TYPE, &framed)?;
        match r.status {
            200 | 201 => Ok(Some(
                sealed
                    .iter()
                    .map(|s| Landed {
                        seq: s.event.unsigned.seq,
                        hash: s.hash,
                    })
                    .collect(),
            )),
            409 => Ok(None),
            _ => Err(self.refused(&r)),
        }
    }

    /// Appends one event signed here by `key`: see the module documentation.
    pub fn append(&self, key: &SigningKey, body: &EventBody) -> Result<Landed, RemoteError> {
        let mut landed = self.append_all(key, std::slice::from_ref(body), false)?;
        landed
            .pop()
            .ok_or_else(|| RemoteError::Protocol("the server admitted nothing".into()))
    }

    /// Appends `bodies` as one batch (`POST /events/batch`): all are admitted, or none.
    pub fn append_batch(
        &self,
        key: &SigningKey,
        bodies: &[EventBody],
    ) -> Result<Vec<Landed>, RemoteError> {
        self.append_all(key, bodies, true)
    }

    fn append_all(
        &self,
        key: &SigningKey,
        bodies: &[EventBody],
        batch: bool,
    ) -> Result<Vec<Landed>, RemoteError> {
        if bodies.is_empty() {
            return Ok(Vec::new());
        }
        // After a 409 the answer names the new head: sign over it at once (twice), then pause
        // and ask again, pausing longer each time.
        let mut next: Option<RemoteHead> = None;
        for conflict in 0..MAX_CONFLICTS {
            let head = match next.take() {
                Some(h) => h,
                None => self.head()?,
            };
            let sealed = Self::seal(key, &head, bodies)?;
            let r = if batch {
                let bytes: Vec<&[u8]> = sealed.iter().map(|s| s.bytes.as_slice()).collect();
                let framed = encode_entry_bundle(head.size, &bytes)
                    .map_err(|e| RemoteError::Protocol(e.to_string()))?;
                self.submit("events/batch", BATCH_CONTENT_TYPE, &framed)?
            } else {
                let one = sealed
                    .first()
                    .ok_or_else(|| RemoteError::Protocol("nothing to send".into()))?;
                self.submit("events", EVENT_CONTENT_TYPE, &one.bytes)?
            };
            match r.status {
                200 | 201 => {
                    return Ok(sealed
                        .iter()
                        .map(|s| Landed {
                            seq: s.event.unsigned.seq,
                            hash: s.hash,
                        })
                        .collect())
                }
                409 if conflict < 2 => next = head_of(&r),
                409 => std::thread::sleep(pause(conflict - 1)),
                _ => return Err(self.refused(&r)),
            }
        }
        Err(RemoteError::Busy(self.base.clone()))
    }
}

/// The head a `409` names.
fn head_of(r: &Response) -> Option<RemoteHead> {
    let v = json_of(r)?;
    Some(RemoteHead {
        size: v["size"].as_u64()?,
        head: v["head"].as_str().and_then(parse_hash)?,
        recorded_at: v["recorded_at"].as_i64().map(Timestamp),
    })
}

/// The pause before try `n` (1, 2, …): 20 ms doubling up to about 1.3 s, plus up to as much
/// again at random (from the clock's nanoseconds), so racing writers spread out.
fn pause(n: u32) -> Duration {
    let base = 20u64 << n.min(6);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_nanos()));
    Duration::from_millis(base + nanos % (base + 1))
}
