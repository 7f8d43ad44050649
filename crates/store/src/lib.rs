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

use actledger_core::EventHash;

pub mod bundle;
mod error;
mod ledger;
mod lock;
mod memory;
mod pipeline;
mod tile_cache;
mod tile_log;
mod tiles;
mod verify;

pub use error::{AppendError, OpenError, ProofError, StoreError};
pub use ledger::{
    Admitted, Appended, AtSize, Ledger, MirrorRefusal, OpenOptions, StoredCheckpoint, Window,
    WindowsEnd,
};
pub use memory::MemoryLog;
pub use pipeline::{
    for_each_event, for_each_event_where, replay_view, replay_view_with, ChainCheck, Keep, CHUNK,
    SIGNATURE_BATCH,
};
pub use tile_cache::{TileCache, ROW_HEIGHT};
pub use tile_log::{
    consistency_proof, for_each_tile_file, inclusion_proof, root, tile_files, verify_tiles,
    ComputedTiles, HashedTiles, TileBuilder, TileReader,
};
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
    /// The head the log claims beside its events, `(count, hash of the last event)`, if it
    /// keeps one (the sled ledger's `meta/head`); a replay checks the events' hash chain
    /// against it. `None`: nothing to check against.
    fn head(&self) -> Result<Option<(u64, EventHash)>, StoreError> {
        Ok(None)
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
    /// Appends the stored events with keys in `from..to`, in key order, to `out`: what
    /// [`LogReader::scan_range`] yields, without an allocation per event (the pipeline reads
    /// a log this way). A read error is returned after the events before it were appended.
    fn read_range(&self, from: u64, to: u64, out: &mut EventRun) -> Result<(), StoreError> {
        for item in self.scan_range(from, to) {
            let (key, bytes) = item?;
            out.push(key, &bytes);
        }
        Ok(())
    }
}

/// Stored events read in one go: their bytes back to back in one buffer, and each one's key
/// and where its bytes end.
#[derive(Debug, Clone, Default)]
pub struct EventRun {
    bytes: Vec<u8>,
    /// `(key, end of its bytes in `bytes`)`, in the order pushed.
    events: Vec<(u64, usize)>,
}

impl EventRun {
    /// An empty run with room for `events` events of about `bytes_each` bytes.
    pub fn with_capacity(events: usize, bytes_each: usize) -> Self {
        Self {
            bytes: Vec::with_capacity(events.saturating_mul(bytes_each)),
            events: Vec::with_capacity(events),
        }
    }

    /// Appends an event.
    pub fn push(&mut self, key: u64, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
        self.events.push((key, self.bytes.len()));
    }

    /// How many events the run holds.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether the run holds no event.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The key and bytes of the `i`th event.
    pub fn get(&self, i: usize) -> Option<(u64, &[u8])> {
        let (key, end) = *self.events.get(i)?;
        let start = match i.checked_sub(1) {
            None => 0,
            Some(before) => self.events.get(before).map_or(0, |e| e.1),
        };
        Some((key, self.bytes.get(start..end)?))
    }

    /// The events in order, as `(key, bytes)`.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &[u8])> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// Empties the run, keeping its buffers' capacity.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.events.clear();
    }

    /// Makes room for `events` more events of about `bytes_each` bytes.
    pub fn reserve(&mut self, events: usize, bytes_each: usize) {
        self.bytes.reserve(events.saturating_mul(bytes_each));
        self.events.reserve(events);
    }
}
