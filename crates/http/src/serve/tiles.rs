//! The C2SP tlog-tiles read path: `GET /checkpoint`, `GET /tile/<L>/<N>[.p/<W>]`,
//! `GET /tile/entries/<N>[.p/<W>]` (and `HEAD` of each), for the tree of the published
//! checkpoint. Tiles are made by `actledger_core::tiles::tile_bytes` from the ledger's Merkle
//! nodes and events, as `export tiles` makes them, so the bytes are the same.
//!
//! Full tiles never change: `Cache-Control: public, max-age=31536000, immutable`, and they are
//! kept in a bounded cache. The checkpoint and partial tiles change as the log grows: a short
//! max-age.

use std::collections::HashMap;
use std::sync::Arc;

use actledger_core::tiles::{self, TileId, TileKind, TILE_HEIGHT, TILE_WIDTH};
use actledger_store::{LogReader, StoreError};
use axum::body::Bytes;
use axum::extract::{Path, State as Extract};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::{error, State};

/// `Cache-Control` of full tiles.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of the checkpoint and partial tiles: about the signer's pace.
pub const SHORT: &str = "public, max-age=1";
/// `Content-Type` of tiles and entry bundles.
pub const TILE_TYPE: &str = "application/octet-stream";
/// `Content-Type` of the checkpoint (a signed note).
pub const CHECKPOINT_TYPE: &str = "text/plain; charset=utf-8";

/// Bytes of full tiles kept in memory.
const CACHE_BYTES: usize = 64 << 20;

/// Full tiles already made (they never change). Emptied when it would pass [`CACHE_BYTES`].
#[derive(Debug, Default)]
pub(crate) struct Cache {
    tiles: HashMap<TileId, Bytes>,
    bytes: usize,
}

impl Cache {
    fn get(&self, t: &TileId) -> Option<Bytes> {
        self.tiles.get(t).cloned()
    }

    fn put(&mut self, t: TileId, b: Bytes) {
        if self.bytes + b.len() > CACHE_BYTES {
            self.tiles.clear();
            self.bytes = 0;
        }
        self.bytes += b.len();
        self.tiles.insert(t, b);
    }
}

pub(super) fn routes() -> axum::Router<Arc<State>> {
    axum::Router::new()
        .route("/checkpoint", get(checkpoint))
        .route("/tile/{*path}", get(tile))
}

async fn checkpoint(Extract(state): Extract<Arc<State>>) -> Response {
    match state.published() {
        Some(cp) => (
            [
                (header::CONTENT_TYPE, CHECKPOINT_TYPE),
                (header::CACHE_CONTROL, SHORT),
            ],
            cp.note.clone(),
        )
            .into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "no checkpoint yet: sign one with `actledger checkpoint --key LOGKEY`, or serve with --log-key",
        ),
    }
}

/// Whether every hash or entry of `t` is in the tree of `size` leaves.
fn in_tree(t: &TileId, size: u64) -> bool {
    let end = u128::from(t.index()) * u128::from(TILE_WIDTH) + u128::from(t.width());
    let leaves_per_item = match t.kind() {
        TileKind::Entries => 1u128,
        TileKind::Hashes { level } => {
            let shift = u32::from(level) * u32::from(TILE_HEIGHT);
            match 1u128.checked_shl(shift) {
                Some(n) if shift < 128 => n,
                _ => return false,
            }
        }
    };
    end.checked_mul(leaves_per_item)
        .is_some_and(|leaves| leaves <= u128::from(size))
}

async fn tile(Extract(state): Extract<Arc<State>>, Path(rest): Path<String>) -> Response {
    let path = format!("tile/{rest}");
    let t = match TileId::parse_path(&path) {
        Ok(t) => t,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let size = state.published().map_or(0, |cp| cp.size);
    if !in_tree(&t, size) {
        return error(
            StatusCode::NOT_FOUND,
            format!("{path} is beyond the tree of the published checkpoint (size {size})"),
        );
    }
    let cached = if t.is_partial() {
        None
    } else {
        state
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&t)
    };
    let bytes = match cached {
        Some(b) => b,
        None => {
            let s = state.clone();
            let made = tokio::task::spawn_blocking(move || make(&s, &t)).await;
            match made {
                Ok(Ok(b)) => {
                    let b = Bytes::from(b);
                    if !t.is_partial() {
                        state
                            .cache
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .put(t, b.clone());
                    }
                    b
                }
                Ok(Err(e)) => return error(StatusCode::INTERNAL_SERVER_ERROR, e),
                Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, e),
            }
        }
    };
    let cache = if t.is_partial() { SHORT } else { IMMUTABLE };
    (
        [
            (header::CONTENT_TYPE, TILE_TYPE),
            (header::CACHE_CONTROL, cache),
        ],
        bytes,
    )
        .into_response()
}

/// The bytes of `t`, by the one tile encoder.
fn make(state: &State, t: &TileId) -> Result<Vec<u8>, String> {
    let ledger = state.ledger.read();
    tiles::tile_bytes(
        t,
        |l, i| ledger.node(l, i),
        |i| {
            ledger
                .get(i)?
                .ok_or_else(|| StoreError::Corrupted(format!("no event at seq {i}")))
        },
    )
    .map_err(|e| format!("tile {}: {e}", t.path()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_in_the_tree() {
        let t = |p: &str| TileId::parse_path(p).unwrap();
        assert!(in_tree(&t("tile/0/000.p/5"), 5));
        assert!(!in_tree(&t("tile/0/000.p/6"), 5));
        assert!(!in_tree(&t("tile/0/000"), 255));
        assert!(in_tree(&t("tile/0/000"), 256));
        assert!(in_tree(&t("tile/entries/000"), 256));
        assert!(!in_tree(&t("tile/entries/001.p/1"), 256));
        assert!(in_tree(&t("tile/1/000.p/1"), 256));
        assert!(!in_tree(&t("tile/1/000.p/2"), 511));
        assert!(in_tree(&t("tile/1/000.p/2"), 512));
        assert!(!in_tree(&t("tile/63/000.p/1"), u64::MAX));
        assert!(!in_tree(
            &t("tile/0/x018/x446/x744/x073/x709/x551/615"),
            u64::MAX
        ));
    }
}
