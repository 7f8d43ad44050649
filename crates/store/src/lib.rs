//! # actledger-store
//!
//! sled storage for the actledger log. One narrow seam, [`LogReader`] (what replay and
//! verification need), with the sled [`Ledger`] and an in-memory [`MemoryLog`] behind it.
//!
//! Promises (docs/ARCHITECTURE.md):
//! - an append returns a durably assigned sequence number or an error, never "queued": the
//!   event, its index entries and the new head are written in one sled transaction, and the
//!   database is flushed before `append` returns;
//! - a batch of events is checked in full before the first one is written;
//! - one process at a time holds a ledger (a lock file naming the holder's process id);
//! - verification reads only event bytes; indexes and head are checked against them.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bundle;
mod error;
mod ledger;
mod lock;
mod memory;
mod pipeline;
mod tiles;
mod verify;

pub use error::StoreError;
pub use ledger::{Appended, Ledger, OpenOptions, StoredCheckpoint};
pub use memory::MemoryLog;
pub use pipeline::{for_each_event, for_each_event_where, replay_view, Keep, CHUNK};
pub use verify::{verify_log, verify_log_with, SignatureMode, VerifySummary};

/// A scan of stored `(key, bytes)` pairs.
pub type Scan<'a> = Box<dyn Iterator<Item = Result<(u64, Vec<u8>), StoreError>> + 'a>;

/// What replay and verification need from a log: its length, one event, and a scan.
pub trait LogReader {
    /// Number of stored events (the position after the last one, as the store believes).
    fn len(&self) -> Result<u64, StoreError>;
    /// Whether the log is empty.
    fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.len()? == 0)
    }
    /// The stored bytes at `seq`.
    fn get(&self, seq: u64) -> Result<Option<Vec<u8>>, StoreError>;
    /// Stored `(key, bytes)` pairs from `from` on, in key order, as they are on disk.
    fn scan(&self, from: u64) -> Scan<'_>;
    /// Stored pairs with keys in `from..to`, in key order (several threads read a log this
    /// way at once, each its own range).
    fn scan_range(&self, from: u64, to: u64) -> Scan<'_> {
        Box::new(
            self.scan(from)
                .take_while(move |item| item.as_ref().map_or(true, |(k, _)| *k < to)),
        )
    }
}
