//! Verification of a stored ledger, and locating the lie when a derived tree disagrees.

use actledger_core::chain;
use actledger_core::log_checkpoint::log_keys;
use actledger_core::merkle::{self, Frontier};
use actledger_core::{Seq, VerifyError, VerifyErrorKind};

use crate::tiles::{self as tile, Edge, TileWrite};
use crate::verify::VerifySummary;
use crate::{LogReader, StoreError};

use super::index::Index;
use super::proofs::check_checkpoint;
use super::snapshot::{StateHeader, Table};
use super::{Ledger, StoredCheckpoint};

/// Order-independent digest of a set of index keys: (count, wrapping sum of a 128-bit keyed
/// hash of each key). Lets verify compare an index with the events in one pass and constant
/// memory. The hash is SipHash with keys drawn at random for each verification, so nobody who
/// edits the database can aim for a collision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SetDigest {
    count: u64,
    sum: u128,
}

/// The random keys of one verification's digests.
pub(super) struct DigestKeys(
    std::collections::hash_map::RandomState,
    std::collections::hash_map::RandomState,
);

impl DigestKeys {
    pub(super) fn new() -> Self {
        Self(Default::default(), Default::default())
    }

    pub(super) fn empty(&self) -> SetDigest {
        SetDigest { count: 0, sum: 0 }
    }

    pub(super) fn add(&self, d: &mut SetDigest, key: &[u8]) {
        use std::hash::BuildHasher;
        let h = (u128::from(self.0.hash_one(key)) << 64) | u128::from(self.1.hash_one(key));
        // Wrapping: verify sets `count` to u64::MAX to mark an index value that should be
        // empty, and the next key must not overflow (a panic on tampered data in debug builds).
        d.count = d.count.wrapping_add(1);
        d.sum = d.sum.wrapping_add(h);
    }
}

/// What the events said after the first `size` of them, as [`Ledger::verify_noting`] saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtSize {
    /// The number of events.
    pub size: u64,
    /// The keys that could sign a checkpoint of that size: holding the `log` role, unrevoked
    /// (`core::log_checkpoint::log_keys`).
    pub log_keys: Vec<actledger_core::PublicKey>,
    /// The RFC 9162 Merkle root of those events.
    pub root: merkle::Hash,
}

impl Ledger {
    /// Verifies the whole ledger from its event bytes, then checks that the stored head and
    /// both indexes say exactly what the events say.
    pub fn verify(
        &self,
        progress: impl FnMut(u64),
    ) -> Result<Result<VerifySummary, VerifyError>, StoreError> {
        self.verify_with(crate::SignatureMode::default(), progress)
    }

    /// [`Ledger::verify`] with a chosen way of checking signatures.
    pub fn verify_with(
        &self,
        mode: crate::SignatureMode,
        progress: impl FnMut(u64),
    ) -> Result<Result<VerifySummary, VerifyError>, StoreError> {
        Ok(self
            .verify_noting(mode, None, progress)?
            .map(|(summary, _)| summary))
    }

    /// [`Ledger::verify_with`], noting what the events said after the first `size` of them
    /// (`None` if the log is shorter): the keys that could then sign a checkpoint and their
    /// Merkle root, so that a caller showing a checkpoint of that size (`export html`)
    /// checks it without rebuilding the rule state in a second pass.
    pub fn verify_noting(
        &self,
        mode: crate::SignatureMode,
        size: Option<u64>,
        progress: impl FnMut(u64),
    ) -> Result<Result<(VerifySummary, Option<AtSize>), VerifyError>, StoreError> {
        let mut at_size: Option<AtSize> = None;
        let keys = DigestKeys::new();
        let checkpoints = self.checkpoints()?;
        // The stored rule state must be the state the events give at its size. Its parts are
        // hashed here against its table, and the table against its header (a header is only
        // a claim); a state whose parts are not its table's names no state at all.
        let parsed = match self.state_header()? {
            None => None,
            Some(None) => Some(None),
            Some(Some(h)) => {
                let table = match self.check_stored_state(&h)? {
                    Ok(()) => h.table,
                    Err(_) => [0; 32],
                };
                Some(Some((h.count, h.head, table)))
            }
        };
        let snapshot_err = |seq: u64, msg: String| VerifyError {
            seq: Seq(seq),
            kind: VerifyErrorKind::Metadata(format!("stored rule state {msg}")),
        };
        let mut pending = checkpoints.iter().peekable();
        let mut want_index = Index::ALL.map(|_| keys.empty());
        let mut want_tiles = keys.empty();
        let mut edge = Edge::default();
        let mut tiles = Vec::new();
        let digest_tile = |d: &mut SetDigest, t: &TileWrite| {
            let mut entry = t.key().to_vec();
            entry.extend_from_slice(&t.bytes);
            keys.add(d, &entry);
        };
        // What the tile and index trees hold is digested first, then the events are verified
        // (a thread digesting them alongside gained no time on two cores and raised the peak
        // memory: sled held both trees' pages at once).
        let stored = self.stored_digests(&keys);
        let result = crate::verify_log_with(self, mode, progress, |ev, v, tree, nodes| {
            let seq = ev.unsigned.seq.0;
            if size.is_some_and(|n| n == tree.size()) && at_size.is_none() {
                at_size = Some(AtSize {
                    size: tree.size(),
                    log_keys: log_keys(v.state()),
                    root: tree.root(),
                });
            }
            for (index, want) in Index::ALL.iter().zip(&mut want_index) {
                for k in index.keys(&ev.unsigned.body, seq) {
                    keys.add(want, &k);
                }
            }
            edge.add(nodes, &mut tiles);
            for t in tiles.drain(..) {
                digest_tile(&mut want_tiles, &t);
            }
            if let Some(Some((count, head, digest))) = parsed {
                if count == v.len() {
                    let same = head == v.head()
                        && Table::digest_of(v.state()).is_ok_and(|mine| mine == digest);
                    if !same {
                        return Err(snapshot_err(
                            seq,
                            format!("at size {count} is not the rule state of the events"),
                        ));
                    }
                }
            }
            while let Some(cp) = pending.next_if(|cp| cp.size <= v.len()) {
                check_checkpoint(cp, v, tree).map_err(|msg| VerifyError {
                    seq: Seq(cp.size.saturating_sub(1)),
                    kind: VerifyErrorKind::Metadata(format!(
                        "checkpoint at size {}: {msg}",
                        cp.size
                    )),
                })?;
            }
            Ok(())
        });
        let (summary, _) = match result? {
            Ok(x) => x,
            Err(e) => return Ok(Err(e)),
        };
        let (have_tiles, have_index) = stored?;
        if summary.events == 0 {
            // `init` writes the genesis event with the database: a ledger without one was
            // emptied, or sled's log file is damaged at its start (sled then reads it as
            // ending there).
            return Ok(Err(VerifyError {
                seq: Seq(0),
                kind: VerifyErrorKind::Metadata(
                    "the ledger holds no events, not even its genesis event: its database was \
                     emptied or its log file is damaged"
                        .into(),
                ),
            }));
        }
        edge.partial(&mut tiles);
        for t in &tiles {
            digest_tile(&mut want_tiles, t);
        }
        let meta_err = |msg: String| VerifyError {
            seq: Seq(summary.events.saturating_sub(1)),
            kind: VerifyErrorKind::Metadata(msg),
        };
        if let Some(cp) = pending.next() {
            return Ok(Err(meta_err(format!(
                "a checkpoint claims size {}, but the log has {} events",
                cp.size, summary.events
            ))));
        }
        if let Some(msg) = self.history_lie(&checkpoints)? {
            return Ok(Err(meta_err(msg)));
        }
        let (count, head) = self.stored_head()?;
        if count != summary.events || head != summary.head {
            return Ok(Err(meta_err(format!(
                "stored head says {count} events ending in {head}, the events say {} ending in {}",
                summary.events, summary.head
            ))));
        }
        // The rule state follows the head: a head that is wrong is reported first.
        match parsed {
            Some(None) => {
                return Ok(Err(snapshot_err(
                    summary.events.saturating_sub(1),
                    format!(
                        "header is not {} bytes ending in schema {}",
                        StateHeader::LEN,
                        super::snapshot::STATE_SCHEMA
                    ),
                )))
            }
            Some(Some((count, _, _))) if count == 0 || count > summary.events => {
                return Ok(Err(snapshot_err(
                    summary.events.saturating_sub(1),
                    format!(
                        "claims size {count}, but the log has {} events",
                        summary.events
                    ),
                )))
            }
            _ => {}
        }
        match self.stored_frontier() {
            Ok(f) if f.size() == summary.events && f.root() == summary.root => {}
            Ok(_) | Err(_) => {
                return Ok(Err(meta_err(
                    "stored Merkle frontier disagrees with the events".into(),
                )))
            }
        }
        if have_tiles != want_tiles {
            return Ok(Err(self.locate_tile_lie(summary.events)?));
        }
        // Indexes: compare digests; on a mismatch, find the offending entry.
        for ((index, have), want) in Index::ALL.into_iter().zip(have_index).zip(want_index) {
            if have != want {
                return Ok(Err(self.locate_index_lie(index)?));
            }
        }
        Ok(Ok((summary, at_size)))
    }

    /// What is wrong with the numbered checkpoint history, if anything: numbers 0, 1, 2, ...
    /// with none missing, sizes increasing with them, each numbered size a stored checkpoint
    /// and each stored checkpoint numbered. A ledger whose checkpoints all predate the
    /// numbering (no history record at all) has nothing to check here; its next checkpoint
    /// numbers them.
    fn history_lie(&self, stored: &[StoredCheckpoint]) -> Result<Option<String>, StoreError> {
        let history = self.checkpoint_history()?;
        // Before layout 4, checkpoints could predate the numbering; since, every stored one
        // is numbered, so an empty history beside stored checkpoints was deleted.
        if history.is_empty() && self.layout < super::migrate::NUMBERED_HISTORY_LAYOUT {
            return Ok(None);
        }
        let mut before: Option<u64> = None;
        for (i, (n, size)) in (0u64..).zip(&history) {
            if *n != i {
                return Ok(Some(format!(
                    "checkpoint number {i} of the history is missing (after size {}, before size {size})",
                    before.map_or("none".into(), |b| b.to_string())
                )));
            }
            if before.is_some_and(|b| b >= *size) {
                return Ok(Some(format!(
                    "checkpoint number {n} (size {size}) is not larger than the one before"
                )));
            }
            if !stored.iter().any(|cp| cp.size == *size) {
                return Ok(Some(format!(
                    "the checkpoint at size {size} (number {n} of the history) is missing"
                )));
            }
            before = Some(*size);
        }
        if let Some(cp) = stored
            .iter()
            .find(|cp| !history.iter().any(|(_, s)| *s == cp.size))
        {
            return Ok(Some(format!(
                "the checkpoint at size {} is not in the checkpoint history",
                cp.size
            )));
        }
        Ok(None)
    }

    /// Digests of what the tile, by-state and by-draft trees hold (an index entry with a
    /// value, which none should have, makes its digest unmatchable).
    pub(super) fn stored_digests(
        &self,
        keys: &DigestKeys,
    ) -> Result<(SetDigest, [SetDigest; 2]), StoreError> {
        let mut nodes = keys.empty();
        for item in self.tiles.iter() {
            let (k, v) = item?;
            let mut entry = k.to_vec();
            entry.extend_from_slice(&v);
            keys.add(&mut nodes, &entry);
        }
        let index = |index: Index| -> Result<SetDigest, StoreError> {
            let mut have = keys.empty();
            for item in self.index_tree(index).iter() {
                let (k, v) = item?;
                if !v.is_empty() {
                    have.count = u64::MAX;
                }
                keys.add(&mut have, &k);
            }
            Ok(have)
        };
        let [a, b] = Index::ALL;
        Ok((nodes, [index(a)?, index(b)?]))
    }

    /// Recomputes the Merkle tiles of the stored events before `upto` (sequentially, from the
    /// event bytes) and calls `f` with each: a full tile with the seq of the event that filled
    /// it, then the partial rightmost tiles with `None`. Stops at the first `Break`.
    pub(super) fn recompute_tiles<T>(
        &self,
        upto: u64,
        mut f: impl FnMut(Option<u64>, TileWrite) -> Result<std::ops::ControlFlow<T>, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        let mut tree = Frontier::new();
        let mut edge = Edge::default();
        let mut tiles = Vec::new();
        for item in self.scan(0) {
            let (seq, bytes) = item?;
            if seq >= upto {
                break;
            }
            let nodes = tree
                .append(merkle::leaf_hash(&bytes))
                .map_err(|e| StoreError::Corrupted(e.to_string()))?;
            edge.add(&nodes, &mut tiles);
            for t in tiles.drain(..) {
                if let std::ops::ControlFlow::Break(b) = f(Some(seq), t)? {
                    return Ok(Some(b));
                }
            }
        }
        edge.partial(&mut tiles);
        for t in tiles {
            if let std::ops::ControlFlow::Break(b) = f(None, t)? {
                return Ok(Some(b));
            }
        }
        Ok(None)
    }

    /// Finds the first stored Merkle tile that differs from the recomputed tree: the event
    /// that filled a wrong or missing full tile, the last event for a wrong rightmost tile, or
    /// a tile that no event fills.
    pub(super) fn locate_tile_lie(&self, events: u64) -> Result<VerifyError, StoreError> {
        let err = |seq: u64, msg: String| VerifyError {
            seq: Seq(seq),
            kind: VerifyErrorKind::Metadata(msg),
        };
        let check = |t: &TileWrite| -> Result<Option<String>, StoreError> {
            let stored = self.tiles.get(t.key())?;
            Ok(match stored {
                Some(v) if v.as_ref() == t.bytes.as_slice() => None,
                Some(_) => Some(format!(
                    "stored Merkle tile ({}, {}) has the wrong hashes",
                    t.level, t.index
                )),
                None => Some(format!(
                    "stored Merkle tile ({}, {}) is missing",
                    t.level, t.index
                )),
            })
        };
        let last = events.saturating_sub(1);
        let mut want = std::collections::BTreeSet::new();
        let lie = self.recompute_tiles(u64::MAX, |filled_by, t| {
            Ok(match check(&t)? {
                Some(msg) => std::ops::ControlFlow::Break(match filled_by {
                    Some(seq) => err(seq, format!("{msg} (filled by this event)")),
                    None => err(last, format!("{msg} (the rightmost tile of its level)")),
                }),
                None => {
                    want.insert(t.key());
                    std::ops::ControlFlow::Continue(())
                }
            })
        })?;
        if let Some(e) = lie {
            return Ok(e);
        }
        for item in self.tiles.iter() {
            let (k, _) = item?;
            if !want.contains(k.as_ref()) {
                let (level, index) = tile::parse_key(&k).unwrap_or((u8::MAX, u64::MAX));
                return Ok(err(
                    last,
                    format!("stored Merkle tile ({level}, {index}) is not part of the tree"),
                ));
            }
        }
        Ok(err(
            last,
            "the stored Merkle tiles disagree with the events".into(),
        ))
    }

    /// Finds the first index entry that the events do not justify, or the first event whose
    /// entry is missing.
    pub(super) fn locate_index_lie(&self, index: Index) -> Result<VerifyError, StoreError> {
        let err = |seq: u64, msg: String| VerifyError {
            seq: Seq(seq),
            kind: VerifyErrorKind::Metadata(msg),
        };
        let (name, tree) = (index.name(), self.index_tree(index));
        for item in tree.iter() {
            let (k, v) = item?;
            let seq = Index::seq_of(&k).unwrap_or(0);
            let Some(bytes) = self.get(seq)? else {
                return Ok(err(
                    seq,
                    format!("index {name} has an entry for an event that does not exist"),
                ));
            };
            let ev =
                chain::decode_event(&bytes).map_err(|e| StoreError::Corrupted(e.to_string()))?;
            let expected = index.keys(&ev.unsigned.body, seq);
            if !v.is_empty() || !expected.iter().any(|e| e.as_slice() == k.as_ref()) {
                return Ok(err(
                    seq,
                    format!("index {name} has an entry the event does not justify"),
                ));
            }
        }
        for item in self.scan(0) {
            let (seq, bytes) = item?;
            let ev =
                chain::decode_event(&bytes).map_err(|e| StoreError::Corrupted(e.to_string()))?;
            let expected = index.keys(&ev.unsigned.body, seq);
            for e in expected {
                if !tree.contains_key(&e)? {
                    return Ok(err(
                        seq,
                        format!("index {name} lacks an entry for this event"),
                    ));
                }
            }
        }
        Ok(err(0, format!("index {name} disagrees with the events")))
    }
}
