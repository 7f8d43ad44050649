//! The `by_state` and `by_draft` indexes: which events concern a state or a draft, found by a
//! prefix lookup. Both are derived data (verify recomputes them from the events); each key
//! ends in the event's seq (u64 BE) and every value is empty.

use actledger_core::event::{EventBody, Fact};
use actledger_core::{DraftSymbol, Seq, StateCode};

use crate::StoreError;

use super::Ledger;

/// One of the ledger's indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Index {
    /// `state (3 ASCII bytes) || seq (u64 BE)`: every event naming the state.
    ByState,
    /// `year (u16 BE) || number (u32 BE) || seq (u64 BE)`: the events concerning the draft,
    /// except a tabled draft or a vote (see [`indexed_drafts`]).
    ByDraft,
}

impl Index {
    /// Both indexes.
    pub(super) const ALL: [Index; 2] = [Index::ByState, Index::ByDraft];

    /// The sled tree's name.
    pub(super) fn name(self) -> &'static str {
        match self {
            Index::ByState => "by_state",
            Index::ByDraft => "by_draft",
        }
    }

    /// The keys event `seq` with `body` has in this index.
    pub(super) fn keys(self, body: &EventBody, seq: u64) -> Vec<Vec<u8>> {
        match self {
            Index::ByState => body
                .states()
                .into_iter()
                .map(|s| state_key(s, seq))
                .collect(),
            Index::ByDraft => indexed_drafts(body)
                .into_iter()
                .map(|d| draft_key(d, seq))
                .collect(),
        }
    }

    /// The seq an index key ends with.
    pub(super) fn seq_of(key: &[u8]) -> Option<u64> {
        key.get(key.len().checked_sub(8)?..)
            .and_then(|t| <[u8; 8]>::try_from(t).ok())
            .map(u64::from_be_bytes)
    }
}

fn state_key(state: StateCode, seq: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(11);
    k.extend_from_slice(state.as_str().as_bytes());
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

fn draft_prefix(d: DraftSymbol) -> Vec<u8> {
    let mut k = Vec::with_capacity(14);
    k.extend_from_slice(&d.year().to_be_bytes());
    k.extend_from_slice(&d.number().to_be_bytes());
    k
}

fn draft_key(d: DraftSymbol, seq: u64) -> Vec<u8> {
    let mut k = draft_prefix(d);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// The drafts event `body` is indexed under in `by_draft`: those it concerns, except for a
/// tabled draft or a vote recorded as a fact, which the rules' state already maps by draft
/// (so the index does not write a key for most events; [`Ledger::seqs_by_draft`] asks both).
fn indexed_drafts(body: &EventBody) -> Vec<DraftSymbol> {
    match body {
        EventBody::Fact(Fact::DraftTabled(_) | Fact::CouncilVote(_)) => Vec::new(),
        other => other.drafts(),
    }
}

impl Ledger {
    /// The sled tree of `index`.
    pub(super) fn index_tree(&self, index: Index) -> &sled::Tree {
        match index {
            Index::ByState => &self.by_state,
            Index::ByDraft => &self.by_draft,
        }
    }

    fn index_seqs(&self, index: Index, prefix: &[u8]) -> Result<Vec<Seq>, StoreError> {
        let mut out = Vec::new();
        for item in self.index_tree(index).scan_prefix(prefix) {
            let (k, _) = item?;
            let seq = Index::seq_of(&k).ok_or_else(|| {
                StoreError::Corrupted(format!("{} key of {} bytes", index.name(), k.len()))
            })?;
            out.push(Seq(seq));
        }
        Ok(out)
    }

    /// Sequence numbers of the events concerning `state` (index lookup, no scan).
    pub fn seqs_by_state(&self, state: StateCode) -> Result<Vec<Seq>, StoreError> {
        self.index_seqs(Index::ByState, state.as_str().as_bytes())
    }

    /// Sequence numbers of the events concerning `draft`, in order: its tabling and its vote
    /// as the rules' state holds them (a corrected fact keeps its seq), and from the
    /// `by_draft` index the assessments, meetings and corrections concerning it. Lookups, no
    /// scan.
    pub fn seqs_by_draft(&mut self, draft: DraftSymbol) -> Result<Vec<Seq>, StoreError> {
        let mut seqs = self.index_seqs(Index::ByDraft, &draft_prefix(draft))?;
        let (tabled, voted) = self.state()?.draft_seqs(draft);
        seqs.extend(tabled.into_iter().chain(voted));
        seqs.sort();
        seqs.dedup();
        Ok(seqs)
    }
}
