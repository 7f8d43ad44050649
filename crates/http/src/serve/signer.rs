//! Checkpoints. With `--log-key`, a new checkpoint is signed after writes, at most one per
//! `checkpoint_interval` (a second by default), so readers see new events within about that;
//! `POST /checkpoint` signs one at once and answers with it (`200`, the note). Without a log
//! key the server publishes the latest recorded checkpoint and `POST /checkpoint` is `404`.
//! Signing stores the checkpoint in the ledger's history (durably) before it is published.
//! With `--witness URL=VKEY... --quorum K`, each checkpoint is first cosigned by the witnesses
//! (`crate::witness::sign_cosigned`, as `checkpoint --witness` does) and stored and published
//! only with the quorum; while it cannot be met, nothing new is published and `POST
//! /checkpoint` answers `503`.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::State as Extract;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use super::tiles::CHECKPOINT_TYPE;
use super::{error, State};

pub(super) fn routes() -> axum::Router<Arc<State>> {
    axum::Router::new().route("/checkpoint", post(sign_now))
}

/// Signs the current head (under the writer's lock) and publishes it.
fn sign(state: &State) -> Result<Arc<actledger_store::StoredCheckpoint>, String> {
    let key = state
        .log_key
        .as_ref()
        .ok_or("this server has no log key (start it with --log-key FILE)")?;
    let cp = match &state.cosign {
        None => state
            .ledger
            .write()
            .sign_checkpoint(key)
            .map_err(|e| e.to_string())?,
        // Published only with the quorum: a witness down stops publication (the read path
        // keeps serving the last checkpoint) until the quorum is met again. The ledger is
        // locked to sign and to store, not while the witnesses answer (up to their timeout):
        // reads and appends go on meanwhile. One signer at a time, so that no other
        // checkpoint is stored between the two.
        Some((witnesses, quorum)) => {
            let _one = state.signing.lock().unwrap_or_else(|e| e.into_inner());
            crate::witness::sign_cosigned_with(&*state.ledger, key, witnesses, quorum, &mut |e| {
                eprintln!("warning: witness {e}")
            })
            .map_err(|e| e.to_string())?
        }
    };
    state.publish(cp);
    state
        .published()
        .ok_or_else(|| "no checkpoint was published".to_string())
}

async fn sign_now(Extract(state): Extract<Arc<State>>) -> Response {
    if state.log_key.is_none() {
        return error(
            StatusCode::NOT_FOUND,
            "this server has no log key (start it with --log-key FILE)",
        );
    }
    let s = state.clone();
    match tokio::task::spawn_blocking(move || sign(&s)).await {
        Ok(Ok(cp)) => (
            [
                (header::CONTENT_TYPE, CHECKPOINT_TYPE),
                (header::CACHE_CONTROL, "no-store"),
            ],
            cp.note.clone(),
        )
            .into_response(),
        Ok(Err(e)) if state.cosign.is_some() => error(StatusCode::SERVICE_UNAVAILABLE, e),
        Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

/// Signs after writes, at most once per interval.
pub(super) async fn run(state: Arc<State>) {
    let mut last = Instant::now();
    loop {
        state.wrote.notified().await;
        let next = last + state.checkpoint_interval;
        tokio::time::sleep_until(next.into()).await;
        let s = state.clone();
        // A failure (a full disk) is retried on the next write; the read path keeps serving
        // the last checkpoint.
        let _ = tokio::task::spawn_blocking(move || sign(&s)).await;
        last = Instant::now();
    }
}
