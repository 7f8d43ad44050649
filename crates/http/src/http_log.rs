//! A log read over HTTP, behind the store's tile-shaped seam ([`actledger_store::TileReader`]):
//! the fourth implementation beside the sled ledger, the in-memory log and a snapshot's
//! entries file. It fetches the C2SP tlog-tiles paths (`checkpoint`, `tile/<L>/<N>[.p/<W>]`,
//! `tile/entries/<N>[.p/<W>]`) of `actledger serve` or any static copy of the tiles, and
//! trusts none of it: callers verify what it returns (the monitor checks the checkpoint's
//! signature and recomputes every hash from the entries).
//!
//! Bounds against a hostile server: every request has the client's timeout; each answer is
//! limited to what its path can hold (a checkpoint [`MAX_NOTE_BYTES`], a hash tile of width
//! `W` exactly `32·W` bytes, an entry bundle `W` entries of at most 65,535 bytes); redirects
//! are not followed and nothing is retried.

use std::time::Duration;

use actledger_core::merkle::HASH_LEN;
use actledger_core::note::MAX_NOTE_BYTES;
use actledger_core::tiles::{TileId, TileKind, MAX_ENTRY_BYTES};
use actledger_store::{StoreError, TileReader};

use crate::client::{join, Client};

/// A tiled log at a base URL, read up to a size the caller has verified (a checkpoint's).
#[derive(Debug, Clone)]
pub struct HttpLog {
    client: Client,
    base: String,
    size: u64,
}

/// Why a path could not be read: the server's answer or the transport.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Answer(String);

impl HttpLog {
    /// The log at `base` (where `checkpoint` and `tile/` are), each request taking at most
    /// `timeout`; its tiles are read as of `size` entries (see [`HttpLog::set_size`]).
    pub fn new(base: &str, timeout: Duration, size: u64) -> Self {
        Self {
            // Each request sets its own limit (below); this one is the checkpoint's.
            client: Client::new(timeout, MAX_NOTE_BYTES as u64),
            base: base.trim_end_matches('/').to_string(),
            size,
        }
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Reads the tiles as of a tree of `size` entries (e.g. a checkpoint just verified).
    pub fn set_size(&mut self, size: u64) {
        self.size = size;
    }

    /// `GET path` with at most `limit` bytes: the body of a `200`; `404` is `None`.
    fn fetch(&self, path: &str, limit: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let mut body = Vec::new();
        Ok(self.fetch_into(path, limit, &mut body)?.then_some(body))
    }

    /// [`HttpLog::fetch`] into `body` (cleared first): whether the answer was a `200`.
    fn fetch_into(&self, path: &str, limit: u64, body: &mut Vec<u8>) -> Result<bool, StoreError> {
        let url = join(&self.base, path);
        let read = |source: Box<dyn std::error::Error + Send + Sync>| StoreError::Read {
            what: url.clone(),
            source,
        };
        let r = self
            .client
            .get_into(&url, limit, body)
            .map_err(|e| read(Box::new(e)))?;
        match r.status {
            200 => Ok(true),
            404 => Ok(false),
            s => Err(read(Box::new(Answer(format!("answered {s}"))))),
        }
    }

    /// Entry bundle `index` of `width` entries, read into `body` (cleared first): what
    /// [`TileReader::read_entry_bundle`] returns, in a buffer the caller uses again.
    pub fn read_entry_bundle_into(
        &self,
        index: u64,
        width: u16,
        body: &mut Vec<u8>,
    ) -> Result<(), StoreError> {
        self.tile_into(TileKind::Entries, index, width, body)
    }

    fn tile(&self, kind: TileKind, index: u64, width: u16) -> Result<Vec<u8>, StoreError> {
        let mut body = Vec::new();
        self.tile_into(kind, index, width, &mut body)?;
        Ok(body)
    }

    fn tile_into(
        &self,
        kind: TileKind,
        index: u64,
        width: u16,
        bytes: &mut Vec<u8>,
    ) -> Result<(), StoreError> {
        let id = TileId::new(kind, index, width).map_err(|e| StoreError::Read {
            what: format!("{} tile {index} of width {width}", self.base),
            source: Box::new(e),
        })?;
        let path = id.path();
        let limit = match kind {
            TileKind::Hashes { .. } => u64::from(width) * HASH_LEN as u64,
            TileKind::Entries => u64::from(width) * (2 + MAX_ENTRY_BYTES as u64),
        };
        if !self.fetch_into(&path, limit, bytes)? {
            return Err(StoreError::Read {
                what: join(&self.base, &path),
                source: Box::new(Answer("answered 404".into())),
            });
        }
        if matches!(kind, TileKind::Hashes { .. }) && bytes.len() as u64 != limit {
            return Err(StoreError::Read {
                what: join(&self.base, &path),
                source: Box::new(Answer(format!(
                    "a hash tile of width {width} is {limit} bytes, not {}",
                    bytes.len()
                ))),
            });
        }
        Ok(())
    }
}

impl TileReader for HttpLog {
    /// The checkpoint as served (not verified: the caller verifies it), `None` if `404`.
    fn read_checkpoint(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .fetch("checkpoint", MAX_NOTE_BYTES as u64)?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    }

    fn integrated_size(&self) -> Result<u64, StoreError> {
        Ok(self.size)
    }

    fn read_tile(&self, level: u8, index: u64, width: u16) -> Result<Vec<u8>, StoreError> {
        self.tile(TileKind::Hashes { level }, index, width)
    }

    fn read_entry_bundle(&self, index: u64, width: u16) -> Result<Vec<u8>, StoreError> {
        self.tile(TileKind::Entries, index, width)
    }
}
