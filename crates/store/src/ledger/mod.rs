//! The sled ledger.
//!
//! Layout of `DIR/` (docs/FORMAT.md §7):
//! - `ledger.lock`: the process lock (holds the holder's pid);
//! - `db/`: the sled database with trees
//!   - `bundles`: bundle number (u64 big-endian) → 16 consecutive events, each as
//!     `length (u32 BE) || stored bytes` (see [`crate::bundle`]);
//!   - `by_state`: `state (3 ASCII bytes) || seq (u64 BE)` → empty;
//!   - `by_draft`: `year (u16 BE) || number (u32 BE) || seq (u64 BE)` → empty;
//!   - `tiles`: `tile level (u8) || index (u64 BE)` → the Merkle hash tile: the concatenated
//!     32-byte hashes of nodes `(level 8·L, index 256·N + i)` (see [`crate::tiles`]);
//!   - `checkpoints`: `size (u64 BE)` → the signed checkpoint note (C2SP signed-note text);
//!   - `meta`: `head` → `count (u64 BE) || SHA-256 of the last event (32 bytes)`;
//!     `frontier` → the Merkle frontier after the last event (`merkle::Frontier::to_bytes`).
//!
//! One file per concept: `open` (directory and locks), `migrate` (earlier layouts),
//! `snapshot` (the rule state in parts), `writer` (appends and recovery), `import` (the
//! import pipeline), `proofs` (proofs and checkpoints), `index` (the indexes), `verify`
//! (verification and locating the lie), `bundles` (reading events), `mirror` (a mirror of another log: events signed elsewhere).

mod bundles;
mod import;
mod index;
mod migrate;
mod mirror;
mod open;
mod proofs;
mod snapshot;
mod verify;
mod writer;

use std::path::{Path, PathBuf};
use std::time::Duration;

use actledger_core::chain;
use actledger_core::merkle::Frontier;
use actledger_core::rules::LedgerState;
use actledger_core::{Event, EventHash, Origin, Seq, Timestamp};

use crate::lock::LockFile;
use crate::{LogReader, StoreError};

pub use self::mirror::{Admitted, MirrorRefusal, Window, WindowsEnd};
pub use self::verify::AtSize;
use self::writer::Writer;

/// How to open a ledger.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// How long to wait for another process to release the ledger.
    pub wait: Duration,
    /// sled page cache size in bytes.
    pub cache_bytes: u64,
    /// Open for reading only (verify, reports, proofs, exports): the ledger refuses every
    /// write, and a ledger of an earlier layout is refused rather than migrated
    /// ([`crate::OpenError::NeedsMigration`]). What an interrupted write left beyond the head
    /// (never acknowledged) is still removed, as by any open: it is not part of the ledger.
    pub read_only: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            wait: Duration::ZERO,
            // sled's resident memory grows far beyond its nominal cache under a stream of
            // writes (a 64k-vote import: 147 MiB at 1 MiB, 461 MiB at 4 MiB, 501 MiB at 16 MiB),
            // while the OS page cache serves reads well: a small cache is faster overall
            // (docs/PERFORMANCE.md).
            cache_bytes: 1024 * 1024,
            read_only: false,
        }
    }
}

/// A durably appended event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// Its sequence number.
    pub seq: Seq,
    /// SHA-256 of its stored bytes.
    pub hash: EventHash,
}

/// An open ledger, held exclusively by this process.
#[derive(Debug)]
pub struct Ledger {
    dir: PathBuf,
    db: sled::Db,
    bundles: sled::Tree,
    by_state: sled::Tree,
    by_draft: sled::Tree,
    meta: sled::Tree,
    tiles: sled::Tree,
    checkpoints: sled::Tree,
    /// The hash tiles proofs parsed lately (`crate::tile_cache`): a tile is never rewritten
    /// below the head, and each is kept under its width.
    tile_cache: crate::tile_cache::TileCache,
    /// Rule state and Merkle frontier after the stored events, rebuilt on first use.
    writer: Option<Writer>,
    poisoned: bool,
    read_only: bool,
    /// The layout the open found (a read-only open of layout 3 leaves it as it is), or
    /// [`migrate::LAYOUT`] once upgraded.
    layout: u8,
    recovered: u64,
    _lock: LockFile,
}

/// A signed checkpoint as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    /// The tree size it commits to.
    pub size: u64,
    /// The C2SP signed-note text (checkpoint body, blank line, signature lines).
    pub note: String,
}

pub(super) const HEAD_KEY: &[u8] = b"head";

pub(super) const FRONTIER_KEY: &[u8] = b"frontier";

/// Present while a write is in progress: events beyond the head are then uncommitted and are
/// removed by the next open. Without it, events beyond the head are reported by verify, never
/// silently removed.
pub(super) const PENDING_KEY: &[u8] = b"pending";

impl Ledger {
    /// Events of an interrupted write removed when this ledger was opened.
    pub fn recovered(&self) -> u64 {
        self.recovered
    }

    /// The ledger directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The stored head: `(count, hash of the last event)`, as the metadata says.
    pub fn stored_head(&self) -> Result<(u64, EventHash), StoreError> {
        match self.meta.get(HEAD_KEY)? {
            None => Ok((0, EventHash::ZERO)),
            Some(v) if v.len() == 40 => {
                let mut n = [0u8; 8];
                n.copy_from_slice(&v[..8]);
                let mut h = [0u8; 32];
                h.copy_from_slice(&v[8..]);
                Ok((u64::from_be_bytes(n), EventHash(h)))
            }
            Some(v) => Err(StoreError::Corrupted(format!(
                "head record is {} bytes, expected 40",
                v.len()
            ))),
        }
    }

    /// Number of events, as the stored head says.
    pub fn size(&self) -> Result<u64, StoreError> {
        Ok(self.stored_head()?.0)
    }

    /// Rule state after the stored events (replays the log without signature checks on first
    /// use; `verify` is what checks signatures).
    pub fn state(&mut self) -> Result<&LedgerState, StoreError> {
        Ok(self.writer()?.verifier.state())
    }

    /// The rule state after the stored events, as far as an append needs it: its origin,
    /// length, last time, keys, supporters, Council terms and calendars are those of the
    /// head, read from the stored small part when the stored state is the head's (no replay,
    /// nothing else loaded); its large part (drafts, votes, the fact index) may hold only
    /// the parts earlier appends asked for, so what reads it (`LedgerState::draft_seqs`)
    /// must come from [`Ledger::state`].
    pub fn small_state(&mut self) -> Result<&LedgerState, StoreError> {
        Ok(self.append_writer()?.verifier.state())
    }

    /// Time of the last event (from the rule state's small part).
    pub fn last_time(&mut self) -> Result<Option<Timestamp>, StoreError> {
        Ok(self.small_state()?.last_time())
    }

    /// The ledger's origin (named by its genesis event).
    pub fn origin(&mut self) -> Result<Origin, StoreError> {
        self.small_state()?
            .origin()
            .cloned()
            .ok_or_else(|| StoreError::Corrupted("the ledger has no genesis event".into()))
    }

    pub(super) fn stored_frontier(&self) -> Result<Frontier, StoreError> {
        match self.meta.get(FRONTIER_KEY)? {
            None => Ok(Frontier::new()),
            Some(b) => Frontier::from_bytes(&b)
                .map_err(|e| StoreError::Corrupted(format!("stored Merkle frontier: {e}"))),
        }
    }

    /// Decodes the event at `seq` (canonical decode; no signature check).
    pub fn event(&self, seq: Seq) -> Result<Option<Event>, StoreError> {
        match self.get(seq.0)? {
            None => Ok(None),
            Some(bytes) => chain::decode_event(&bytes)
                .map(Some)
                .map_err(|e| StoreError::Corrupted(format!("seq {seq}: {e}"))),
        }
    }
}
