//! The rule-state snapshot in `meta`: lets an append resume without replaying the log.

use actledger_core::chain;
use actledger_core::rules::LedgerState;
use actledger_core::EventHash;

use crate::{LogReader, StoreError};

use super::writer::Writer;
use super::Ledger;

/// The rule-state snapshot's header ([`SnapshotHeader`]); its parts are `rules/` || part
/// number (u32 BE). Derived data: lets an append skip replaying the log.
pub(super) const RULES_KEY: &[u8] = b"rules";

/// Bytes per snapshot part: small values, so that neither sled (reading its log on open) nor
/// this program ever holds the tens of MB of a large ledger's rule state in one allocation
/// (one such buffer, freed, makes glibc keep every later allocation below its size on the
/// heap: ~100 MB more peak memory; docs/PERFORMANCE.md).
pub(super) const RULES_PART_BYTES: usize = 32 * 1024;

/// A new snapshot is written once this many events were appended after the last one.
pub(super) const SNAPSHOT_EVERY: u64 = 1024;

/// The schema of the rule state's encoding (`core::rules::LedgerState`), stored in the
/// snapshot header. Bumped whenever that encoding changes, so a snapshot an older binary wrote
/// is never decoded as the new state: it is stale, ignored, and rebuilt from the log at the
/// next append. 1: the 76-byte header without a schema byte; 2: the state indexes the
/// Assembly meetings by the vote they cite, and holds each supporter's adherence date and the
/// attested supporter lists (format revision 3).
pub(super) const SNAPSHOT_SCHEMA: u8 = 2;

/// `meta/rules`: count (u64 BE) || hash of event count−1 (32) || number of parts (u32 BE) ||
/// SHA-256 of the state's encoding, the parts concatenated (32) || schema
/// ([`SNAPSHOT_SCHEMA`], 1 byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SnapshotHeader {
    pub(super) count: u64,
    pub(super) head: EventHash,
    pub(super) parts: u32,
    pub(super) digest: [u8; 32],
}

impl SnapshotHeader {
    pub(super) const LEN: usize = 77;

    /// The length of a schema-1 header (no schema byte), which names a state of the old
    /// encoding: stale, as if there were no snapshot.
    pub(super) const SCHEMA_1_LEN: usize = 76;

    /// A header of this schema, or `None`. A header of the right length with another schema
    /// byte is not one this program wrote (a newer schema, or damage): `None` too, which
    /// `verify` reports.
    pub(super) fn parse(b: &[u8]) -> Option<Self> {
        if b.len() != Self::LEN || b.get(76) != Some(&SNAPSHOT_SCHEMA) {
            return None;
        }
        Some(Self {
            count: u64::from_be_bytes(b.get(..8)?.try_into().ok()?),
            head: EventHash(b.get(8..40)?.try_into().ok()?),
            parts: u32::from_be_bytes(b.get(40..44)?.try_into().ok()?),
            digest: b.get(44..76)?.try_into().ok()?,
        })
    }

    pub(super) fn to_bytes(self) -> Vec<u8> {
        let mut b = Vec::with_capacity(Self::LEN);
        b.extend_from_slice(&self.count.to_be_bytes());
        b.extend_from_slice(&self.head.0);
        b.extend_from_slice(&self.parts.to_be_bytes());
        b.extend_from_slice(&self.digest);
        b.push(SNAPSHOT_SCHEMA);
        b
    }
}

pub(super) fn snapshot_part_key(i: u32) -> Vec<u8> {
    [RULES_KEY, b"/", &i.to_be_bytes()].concat()
}

/// A stored snapshot's parts in order, one sled value at a time, hashed as they are read.
pub(super) struct SnapshotParts<'a> {
    meta: &'a sled::Tree,
    parts: u32,
    next: u32,
    hash: sha2::Sha256,
}

impl<'a> SnapshotParts<'a> {
    pub(super) fn new(meta: &'a sled::Tree, parts: u32) -> Self {
        use sha2::Digest;
        Self {
            meta,
            parts,
            next: 0,
            hash: sha2::Sha256::new(),
        }
    }

    /// SHA-256 of all the parts (reading those not read yet), or why a part cannot be read.
    pub(super) fn digest(mut self) -> Result<[u8; 32], String> {
        use sha2::Digest;
        for part in self.by_ref() {
            part?;
        }
        Ok(self.hash.finalize().into())
    }
}

impl Iterator for SnapshotParts<'_> {
    type Item = Result<sled::IVec, String>;

    fn next(&mut self) -> Option<Self::Item> {
        use sha2::Digest;
        if self.next == self.parts {
            return None;
        }
        let i = self.next;
        self.next += 1;
        Some(match self.meta.get(snapshot_part_key(i)) {
            Ok(Some(v)) if !v.is_empty() => {
                self.hash.update(&v);
                Ok(v)
            }
            Ok(_) => Err(format!("part {i} is missing")),
            Err(e) => Err(e.to_string()),
        })
    }
}

impl Ledger {
    /// The stored rule-state snapshot, if there is one that names an event of this log by
    /// position and hash and decodes; anything else is ignored (the log is replayed instead).
    pub(super) fn load_snapshot(
        &self,
    ) -> Result<Option<(u64, EventHash, LedgerState)>, StoreError> {
        let Some(h) = self.snapshot_header()?.flatten() else {
            return Ok(None);
        };
        let (stored, _) = self.stored_head()?;
        if h.count == 0 || h.count > stored {
            return Ok(None);
        }
        match self.get(h.count - 1)? {
            Some(last) if chain::event_hash(&last) == h.head => {}
            _ => return Ok(None),
        }
        // Decoding reads every part (a byte after the state is an error), so the hash covers
        // all of them.
        let mut parts = SnapshotParts::new(&self.meta, h.parts);
        let Ok(state) = LedgerState::from_snapshot_parts(parts.by_ref()) else {
            return Ok(None);
        };
        let digest = parts.digest().ok();
        Ok((digest == Some(h.digest)).then_some((h.count, h.head, state)))
    }

    /// The stored snapshot header: `None` if there is none or it is of schema 1 (stale: the
    /// next snapshot replaces it), `Some(None)` if it does not parse.
    pub(super) fn snapshot_header(&self) -> Result<Option<Option<SnapshotHeader>>, StoreError> {
        Ok(self
            .meta
            .get(RULES_KEY)?
            .filter(|record| record.len() != SnapshotHeader::SCHEMA_1_LEN)
            .map(|record| SnapshotHeader::parse(&record)))
    }

    /// Adds a snapshot of the writer's rule state to `batch` (for the `meta` tree): its parts,
    /// the removal of parts a longer previous one left, and its header.
    pub(super) fn add_snapshot(
        &self,
        w: &Writer,
        batch: &mut sled::Batch,
    ) -> Result<(), StoreError> {
        let (parts, digest) = w.verifier.state().to_snapshot_parts(RULES_PART_BYTES)?;
        let count =
            u32::try_from(parts.len()).map_err(|_| actledger_core::DecodeError::TooLarge {
                len: parts.len(),
                max: u32::MAX as usize,
            })?;
        for (i, part) in (0u32..).zip(parts) {
            batch.insert(snapshot_part_key(i), part);
        }
        // The parts a longer snapshot left, as stored (not as its header claims: a header is
        // only a claim, and one claiming billions of parts must not make this loop that long).
        let mut stale = count;
        while stale < u32::MAX && self.meta.contains_key(snapshot_part_key(stale))? {
            batch.remove(snapshot_part_key(stale));
            stale += 1;
        }
        let header = SnapshotHeader {
            count: w.verifier.len(),
            head: w.verifier.head(),
            parts: count,
            digest,
        };
        batch.insert(RULES_KEY, header.to_bytes());
        Ok(())
    }

    /// Whether enough events were appended since the writer's snapshot to write a new one.
    pub(super) fn snapshot_due(w: &Writer) -> bool {
        w.verifier.len() >= w.snapshot_at + SNAPSHOT_EVERY
    }
}
