//! The rule state in `meta`, in parts (docs/FORMAT.md, "Rule state"): lets an append resume
//! without replaying the log, reading only the parts its rules need, and write back only the
//! parts it changed, in the same atomic batch as the head it follows.

use actledger_core::chain;
use actledger_core::rules::{LedgerState, StatePart, DRAFT_PARTS};
use actledger_core::EventHash;
use sha2::Digest;

use crate::{LogReader, StoreError};

use super::writer::Writer;
use super::Ledger;

/// The rule-state snapshot of earlier versions (a header, its parts under `rules/`): stale,
/// removed when the rule state is first written in parts.
pub(super) const RULES_KEY: &[u8] = b"rules";

/// The rule state's header ([`StateHeader`]).
pub(super) const STATE_KEY: &[u8] = b"state";

/// The table of the parts' digests ([`Table`]).
const TABLE_KEY: &[u8] = b"state/t";

/// The schema of the parts' encoding (`core::rules::LedgerState::part_bytes`), the header's
/// last byte. Bumped whenever that encoding changes, so that parts an older binary wrote are
/// never decoded as the new state: stale, ignored, and rebuilt from the log at the next
/// append. (1 and 2 were the whole-state snapshot under `rules`.)
pub(super) const STATE_SCHEMA: u8 = 3;

/// `meta/state`: count (u64 BE) || hash of event count−1 (32) || SHA-256 of the table (32)
/// || schema ([`STATE_SCHEMA`], 1 byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct StateHeader {
    pub(super) count: u64,
    pub(super) head: EventHash,
    pub(super) table: [u8; 32],
}

impl StateHeader {
    pub(super) const LEN: usize = 73;

    /// A header of this schema, or `None` (another length or schema: not one this program
    /// wrote; `verify` reports it).
    pub(super) fn parse(b: &[u8]) -> Option<Self> {
        if b.len() != Self::LEN || b.get(72) != Some(&STATE_SCHEMA) {
            return None;
        }
        Some(Self {
            count: u64::from_be_bytes(b.get(..8)?.try_into().ok()?),
            head: EventHash(b.get(8..40)?.try_into().ok()?),
            table: b.get(40..72)?.try_into().ok()?,
        })
    }

    pub(super) fn to_bytes(self) -> Vec<u8> {
        let mut b = Vec::with_capacity(Self::LEN);
        b.extend_from_slice(&self.count.to_be_bytes());
        b.extend_from_slice(&self.head.0);
        b.extend_from_slice(&self.table);
        b.push(STATE_SCHEMA);
        b
    }
}

/// The key of a part: `state/s` (small), `state/d` || part (u32 BE), `state/f` || part
/// (u64 BE).
pub(super) fn part_key(p: StatePart) -> Vec<u8> {
    match p {
        StatePart::Small | StatePart::All => b"state/s".to_vec(),
        StatePart::Drafts(b) => [&b"state/d"[..], &b.to_be_bytes()].concat(),
        StatePart::Facts(c) => [&b"state/f"[..], &c.to_be_bytes()].concat(),
    }
}

/// The part a `state/d` or `state/f` key names.
fn part_of_key(k: &[u8]) -> Option<StatePart> {
    match (k.get(..7)?, k.get(7..)?) {
        (b"state/d", n) => Some(StatePart::Drafts(u32::from_be_bytes(n.try_into().ok()?))),
        (b"state/f", n) => Some(StatePart::Facts(u64::from_be_bytes(n.try_into().ok()?))),
        _ => None,
    }
}

/// `meta/state/t`: 16 bytes per part, the first 16 bytes of SHA-256(key || bytes) of its
/// stored value, or zeros where no value is stored (an empty part): slot 0 the small part,
/// 1 + n draft part n, 1 + 4096 + n fact part n; slots past the end are zeros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Table(pub(super) Vec<u8>);

const SLOT: usize = 16;

fn slot(p: StatePart) -> Option<usize> {
    match p {
        StatePart::Small => Some(0),
        StatePart::Drafts(b) => usize::try_from(b).ok().map(|b| 1 + b),
        StatePart::Facts(c) => usize::try_from(c)
            .ok()
            .and_then(|c| c.checked_add(1 + DRAFT_PARTS as usize)),
        StatePart::All => None,
    }
}

fn slot_part(i: usize) -> StatePart {
    let drafts = DRAFT_PARTS as usize;
    match i {
        0 => StatePart::Small,
        i if i <= drafts => StatePart::Drafts((i - 1) as u32),
        i => StatePart::Facts((i - 1 - drafts) as u64),
    }
}

fn part_digest(key: &[u8], bytes: &[u8]) -> [u8; SLOT] {
    if bytes.is_empty() {
        return [0; SLOT];
    }
    let mut h = sha2::Sha256::new();
    h.update(key);
    h.update(bytes);
    let full: [u8; 32] = h.finalize().into();
    let mut out = [0; SLOT];
    out.copy_from_slice(&full[..SLOT]);
    out
}

impl Table {
    fn get(&self, p: StatePart) -> [u8; SLOT] {
        let mut out = [0; SLOT];
        if let Some(s) = slot(p).and_then(|i| self.0.get(i * SLOT..(i + 1) * SLOT)) {
            out.copy_from_slice(s);
        }
        out
    }

    fn set(&mut self, p: StatePart, d: [u8; SLOT]) {
        let Some(i) = slot(p) else { return };
        if self.0.len() < (i + 1) * SLOT {
            if d == [0; SLOT] {
                return;
            }
            self.0.resize((i + 1) * SLOT, 0);
        }
        if let Some(s) = self.0.get_mut(i * SLOT..(i + 1) * SLOT) {
            s.copy_from_slice(&d);
        }
        // Trailing empty slots are not kept: equal states give equal tables.
        while self.0.len() >= SLOT && self.0[self.0.len() - SLOT..].iter().all(|b| *b == 0) {
            self.0.truncate(self.0.len() - SLOT);
        }
    }

    /// The parts with a stored value, in slot order (the small part first).
    fn stored(&self) -> impl Iterator<Item = StatePart> + '_ {
        self.0
            .chunks(SLOT)
            .enumerate()
            .filter(|(_, s)| s.iter().any(|b| *b != 0))
            .map(|(i, _)| slot_part(i))
    }

    fn digest(&self) -> [u8; 32] {
        sha2::Sha256::digest(&self.0).into()
    }

    /// The table of a whole state's parts (what `verify` expects).
    pub(super) fn of(state: &LedgerState) -> Result<Self, StoreError> {
        let mut t = Table(Vec::new());
        for (p, bytes) in state.parts()? {
            t.set(p, part_digest(&part_key(p), &bytes));
        }
        Ok(t)
    }

    pub(super) fn digest_of(state: &LedgerState) -> Result<[u8; 32], StoreError> {
        Ok(Self::of(state)?.digest())
    }
}

/// Why a stored rule state cannot be used (the log is replayed instead; `verify` reports it).
pub(super) type Unusable = String;

impl Ledger {
    /// The stored header: `None` if there is none, `Some(None)` if it does not parse.
    pub(super) fn state_header(&self) -> Result<Option<Option<StateHeader>>, StoreError> {
        Ok(self.meta.get(STATE_KEY)?.map(|b| StateHeader::parse(&b)))
    }

    /// The stored table, if its digest is the header's.
    fn stored_table(&self, h: &StateHeader) -> Result<Result<Table, Unusable>, StoreError> {
        let t = Table(
            self.meta
                .get(TABLE_KEY)?
                .map(|v| v.to_vec())
                .unwrap_or_default(),
        );
        Ok(if t.digest() == h.table {
            Ok(t)
        } else {
            Err("its table is not the one its header names".into())
        })
    }

    /// A stored part's bytes, if they are the ones the table names (empty: no entries).
    fn stored_part(
        &self,
        t: &Table,
        p: StatePart,
    ) -> Result<Result<Vec<u8>, Unusable>, StoreError> {
        let key = part_key(p);
        let bytes = self.meta.get(&key)?.map(|v| v.to_vec()).unwrap_or_default();
        Ok(if part_digest(&key, &bytes) == t.get(p) {
            Ok(bytes)
        } else {
            Err(format!("part {p:?} is not the one its table names"))
        })
    }

    /// The stored state's header and table, if they name the stored head (`exact`) or an
    /// event of this log at or before it.
    fn usable_header(&self, exact: bool) -> Result<Option<(StateHeader, Table)>, StoreError> {
        let Some(Some(h)) = self.state_header()? else {
            return Ok(None);
        };
        let (count, head) = self.stored_head()?;
        let names_event = if exact {
            h.count == count && h.head == head
        } else {
            h.count > 0
                && h.count <= count
                && matches!(self.get(h.count - 1)?, Some(last) if chain::event_hash(&last) == h.head)
        };
        if !names_event {
            return Ok(None);
        }
        Ok(self.stored_table(&h)?.ok().map(|t| (h, t)))
    }

    /// A partial rule state at the stored head (its small part only), with the stored table:
    /// `None` if the stored state is not that of the head or is damaged.
    pub(super) fn load_partial(&self) -> Result<Option<(LedgerState, Table)>, StoreError> {
        let Some((_, table)) = self.usable_header(true)? else {
            return Ok(None);
        };
        let Ok(small) = self.stored_part(&table, StatePart::Small)? else {
            return Ok(None);
        };
        Ok(LedgerState::partial(&small).ok().map(|s| (s, table)))
    }

    /// Loads `parts` of a partial state from the store ([`StatePart::All`]: every part, and
    /// the state is then whole). `Ok(false)` if a part is damaged or does not decode.
    pub(super) fn load_parts(
        &self,
        state: &mut LedgerState,
        table: &Table,
        parts: &[StatePart],
    ) -> Result<bool, StoreError> {
        if parts.contains(&StatePart::All) {
            let stored: Vec<StatePart> = table.stored().collect();
            for p in stored {
                if p == StatePart::Small {
                    continue;
                }
                // A part already loaded may have changed in memory: it is not read again.
                if state.has_part(p) {
                    continue;
                }
                let Ok(bytes) = self.stored_part(table, p)? else {
                    return Ok(false);
                };
                if state.load_part(p, &bytes).is_err() {
                    return Ok(false);
                }
            }
            state.make_whole();
            return Ok(true);
        }
        for p in parts {
            let Ok(bytes) = self.stored_part(table, *p)? else {
                return Ok(false);
            };
            if state.load_part(*p, &bytes).is_err() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// A whole rule state from the stored parts (at the stored head or an earlier event of
    /// this log), its changes tracked from there: `(count, head, state, table)`.
    pub(super) fn load_whole(
        &self,
    ) -> Result<Option<(u64, EventHash, LedgerState, Table)>, StoreError> {
        let Some((h, table)) = self.usable_header(false)? else {
            return Ok(None);
        };
        let Ok(small) = self.stored_part(&table, StatePart::Small)? else {
            return Ok(None);
        };
        let Ok(mut state) = LedgerState::partial(&small) else {
            return Ok(None);
        };
        if !self.load_parts(&mut state, &table, &[StatePart::All])? {
            return Ok(None);
        }
        // A key under `state/` that the table does not name (a stray part, or a key no version
        // writes) is reported by `verify`; it is removed by writing the state whole, which an
        // untracked state makes the next write do.
        if self.stray_state_key(&table)?.is_some() {
            state.untrack_changes();
        } else {
            state.track_changes();
        }
        Ok(Some((h.count, h.head, state, table)))
    }

    /// Adds the writer's rule state to `batch` (for the `meta` tree): the parts its events
    /// changed since the stored table (all of them, and the removal of stale ones, when it has
    /// none), the new table and header.
    pub(super) fn add_state(
        &self,
        w: &mut Writer,
        batch: &mut sled::Batch,
    ) -> Result<(), StoreError> {
        let state = w.verifier.state_mut();
        let changed = state.take_changed();
        let table = match (changed, w.table.take()) {
            (Some(changed), Some(mut table)) => {
                let encoded = state.parts_bytes(&changed)?;
                for (p, bytes) in changed.into_iter().zip(encoded) {
                    let key = part_key(p);
                    let d = part_digest(&key, &bytes);
                    if d != table.get(p) {
                        if bytes.is_empty() {
                            batch.remove(key);
                        } else {
                            batch.insert(key, bytes);
                        }
                        table.set(p, d);
                    }
                }
                table
            }
            _ => {
                let mut table = Table(Vec::new());
                let mut written = std::collections::BTreeSet::new();
                for (p, bytes) in state.parts()? {
                    let key = part_key(p);
                    table.set(p, part_digest(&key, &bytes));
                    if !bytes.is_empty() {
                        written.insert(key.clone());
                        batch.insert(key, bytes);
                    }
                }
                // Every other key under `state/`: stale parts, and keys no version writes.
                for k in self.meta.scan_prefix(b"state/").keys() {
                    let k = k?;
                    if !written.contains(k.as_ref()) && k != TABLE_KEY {
                        batch.remove(k);
                    }
                }
                // The whole-state snapshot of earlier versions.
                batch.remove(RULES_KEY);
                for k in self.meta.scan_prefix(b"rules/").keys() {
                    batch.remove(k?);
                }
                state.track_changes();
                table
            }
        };
        batch.insert(TABLE_KEY, table.0.clone());
        let header = StateHeader {
            count: w.verifier.len(),
            head: w.verifier.head(),
            table: table.digest(),
        };
        batch.insert(STATE_KEY, header.to_bytes());
        w.table = Some(table);
        Ok(())
    }

    /// Checks the stored parts against their table (for `verify`): the table's digest is the
    /// header's, every part is the one the table names, and no part is stored that it does
    /// not name.
    pub(super) fn check_stored_state(
        &self,
        h: &StateHeader,
    ) -> Result<Result<(), Unusable>, StoreError> {
        let table = match self.stored_table(h)? {
            Ok(t) => t,
            Err(e) => return Ok(Err(e)),
        };
        for p in table.stored() {
            if let Err(e) = self.stored_part(&table, p)? {
                return Ok(Err(e));
            }
        }
        if let Some(k) = self.stray_state_key(&table)? {
            return Ok(Err(format!(
                "key {} is stored but not named by its table",
                String::from_utf8_lossy(&k).escape_debug()
            )));
        }
        Ok(Ok(()))
    }

    /// The first key under `state/` that is neither the table, the small part nor a part the
    /// table names: a part stored that the table does not name, or a key no version writes.
    fn stray_state_key(&self, table: &Table) -> Result<Option<sled::IVec>, StoreError> {
        let small = part_key(StatePart::Small);
        for k in self.meta.scan_prefix(b"state/").keys() {
            let k = k?;
            let named = match part_of_key(&k) {
                Some(p) => table.get(p) != [0; SLOT],
                None => k == TABLE_KEY || k == small.as_slice(),
            };
            if !named {
                return Ok(Some(k));
            }
        }
        Ok(None)
    }
}
