//! The rule state's large indexes (one entry per fact, per draft, per vote), behind accessors
//! that know which of their parts are present.
//!
//! A state replayed from the log (verify, import, a rebuild) holds them whole. A state a store
//! resumes for one append holds only the parts it loaded ([`StatePart`]): every accessor
//! records the part it would need when that part is absent, and [`super::LedgerState::admit`]
//! then refuses with [`crate::error::RuleError::NotLoaded`] instead of deciding on missing
//! data. The rules read these indexes only through the accessors, so no rule can read a part
//! that was not loaded without that being noticed.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::symbol::DraftSymbol;
use crate::types::{PublicKey, Seq};

use super::entries::{FactIndex, Reported, VoteEntry};

/// Drafts (and their votes, assessments and the meetings citing them) are kept in this many
/// parts, by [`draft_part`].
pub const DRAFT_PARTS: u32 = 4096;

/// The fact index is kept in parts of this many consecutive sequence numbers.
pub const FACT_PART: u64 = 4096;

/// A part of the rule state, as a store keeps it (docs/FORMAT.md, "Rule state").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatePart {
    /// Everything but the large indexes: keys, supporters, terms, calendars, attestations.
    Small,
    /// The drafts whose [`draft_part`] is this number: their tabling, vote, assessments and
    /// the meetings that cite them.
    Drafts(u32),
    /// The fact index of sequence numbers `FACT_PART·n .. FACT_PART·(n+1)`.
    Facts(u64),
    /// All parts (a rule that scans a whole index).
    All,
}

/// The part that holds `draft`: `(number + 397·year) mod DRAFT_PARTS` (consecutive numbers
/// of a year fall in consecutive parts).
pub fn draft_part(draft: DraftSymbol) -> u32 {
    (draft
        .number()
        .wrapping_add(397u32.wrapping_mul(u32::from(draft.year()))))
        % DRAFT_PARTS
}

fn fact_part(seq: Seq) -> u64 {
    seq.0 / FACT_PART
}

/// The entries of one draft part, in key order (its encoding).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct DraftsPart {
    pub(super) drafts: Vec<(DraftSymbol, (Seq, Option<Reported>))>,
    pub(super) votes: Vec<(DraftSymbol, VoteEntry)>,
    pub(super) assessments: Vec<((DraftSymbol, PublicKey), Seq)>,
    pub(super) meetings: Vec<(DraftSymbol, Vec<(Seq, Date)>)>,
}

#[cfg(test)]
impl DraftsPart {
    fn is_empty(&self) -> bool {
        self.drafts.is_empty()
            && self.votes.is_empty()
            && self.assessments.is_empty()
            && self.meetings.is_empty()
    }
}

/// One draft part's entries borrowed from the indexes, in key order: encodes to exactly the
/// bytes of the [`DraftsPart`] holding the same entries (serde serializes `&T` as `T`, and
/// the fields are the same, in the same order), without copying them
/// (`tests::borrowed_parts_encode_as_owned_parts`).
#[derive(Debug, Default, Serialize)]
pub(super) struct DraftsPartRef<'a> {
    drafts: Vec<(DraftSymbol, &'a (Seq, Option<Reported>))>,
    votes: Vec<(DraftSymbol, &'a VoteEntry)>,
    assessments: Vec<((DraftSymbol, PublicKey), Seq)>,
    meetings: Vec<(DraftSymbol, &'a Vec<(Seq, Date)>)>,
}

impl DraftsPartRef<'_> {
    fn is_empty(&self) -> bool {
        self.drafts.is_empty()
            && self.votes.is_empty()
            && self.assessments.is_empty()
            && self.meetings.is_empty()
    }
}

/// Which parts a partial state holds, and the parts its rules asked for that it lacks.
#[derive(Debug, Default)]
struct Loaded {
    drafts: BTreeSet<u32>,
    facts: BTreeSet<u64>,
    missed: Mutex<BTreeSet<StatePart>>,
}

impl Clone for Loaded {
    fn clone(&self) -> Self {
        Self {
            drafts: self.drafts.clone(),
            facts: self.facts.clone(),
            missed: Mutex::new(self.lock().clone()),
        }
    }
}

impl Loaded {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeSet<StatePart>> {
        self.missed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The large indexes.
#[derive(Debug, Clone, Default)]
pub(super) struct Large {
    /// By fact part, then by seq within it (trailing `None`s trimmed).
    facts: BTreeMap<u64, Vec<Option<FactIndex>>>,
    drafts: BTreeMap<DraftSymbol, (Seq, Option<Reported>)>,
    votes: BTreeMap<DraftSymbol, VoteEntry>,
    assessments: BTreeMap<(DraftSymbol, PublicKey), Seq>,
    /// The Assembly meetings that cite each draft's veto: the meeting's seq and the day of the
    /// veto it names (so a correction of the vote re-checks only the meetings that cite it).
    meetings: BTreeMap<DraftSymbol, Vec<(Seq, Date)>>,
    /// `None`: whole.
    loaded: Option<Box<Loaded>>,
    /// The parts changed since tracking began (`None`: not tracked).
    dirty: Option<BTreeSet<StatePart>>,
}

impl Large {
    /// An empty partial state: no part loaded.
    pub(super) fn partial() -> Self {
        Self {
            loaded: Some(Box::default()),
            dirty: Some(BTreeSet::new()),
            ..Self::default()
        }
    }

    /// Starts recording the parts changed from now on (a partial state always does).
    pub(super) fn track_changes(&mut self) {
        self.dirty.get_or_insert_with(BTreeSet::new);
    }

    pub(super) fn untrack_changes(&mut self) {
        self.dirty = None;
    }

    /// The parts changed since tracking began, or `None` if it was not tracked; tracking
    /// starts again.
    pub(super) fn take_changed(&mut self) -> Option<BTreeSet<StatePart>> {
        self.dirty.as_mut().map(std::mem::take)
    }

    fn changed(&mut self, part: StatePart) {
        if let Some(d) = &mut self.dirty {
            d.insert(part);
        }
    }

    fn write_draft(&mut self, draft: DraftSymbol) {
        self.need_draft(draft);
        self.changed(StatePart::Drafts(draft_part(draft)));
    }

    fn write_fact(&mut self, seq: Seq) {
        self.need(StatePart::Facts(fact_part(seq)));
        self.changed(StatePart::Facts(fact_part(seq)));
    }

    pub(super) fn is_partial(&self) -> bool {
        self.loaded.is_some()
    }

    /// The parts asked for and absent since the last call (emptied).
    pub(super) fn take_missed(&self) -> Vec<StatePart> {
        self.loaded
            .as_ref()
            .map(|l| std::mem::take(&mut *l.lock()).into_iter().collect())
            .unwrap_or_default()
    }

    fn need(&self, part: StatePart) {
        let Some(l) = &self.loaded else { return };
        if !self.has_part(part) {
            l.lock().insert(part);
        }
    }

    pub(super) fn has_part(&self, part: StatePart) -> bool {
        match (&self.loaded, part) {
            (None, _) | (Some(_), StatePart::Small) => true,
            (Some(l), StatePart::Drafts(b)) => l.drafts.contains(&b),
            (Some(l), StatePart::Facts(c)) => l.facts.contains(&c),
            (Some(_), StatePart::All) => false,
        }
    }

    fn need_draft(&self, draft: DraftSymbol) {
        self.need(StatePart::Drafts(draft_part(draft)));
    }

    // Reads.

    pub(super) fn fact(&self, seq: Seq) -> Option<&FactIndex> {
        self.need(StatePart::Facts(fact_part(seq)));
        let slot = usize::try_from(seq.0 % FACT_PART).ok()?;
        self.facts
            .get(&fact_part(seq))
            .and_then(|c| c.get(slot))
            .and_then(Option::as_ref)
    }

    pub(super) fn draft(&self, d: DraftSymbol) -> Option<&(Seq, Option<Reported>)> {
        self.need_draft(d);
        self.drafts.get(&d)
    }

    pub(super) fn vote(&self, d: DraftSymbol) -> Option<&VoteEntry> {
        self.need_draft(d);
        self.votes.get(&d)
    }

    pub(super) fn assessment(&self, d: DraftSymbol, assessor: &PublicKey) -> Option<Seq> {
        self.need_draft(d);
        self.assessments.get(&(d, *assessor)).copied()
    }

    /// The first (lowest) seq of an assessment of `d`.
    pub(super) fn first_assessment_of(&self, d: DraftSymbol) -> Option<Seq> {
        self.need_draft(d);
        self.assessments
            .range((d, PublicKey([0; 32]))..)
            .take_while(|((x, _), _)| *x == d)
            .map(|(_, s)| *s)
            .min()
    }

    pub(super) fn meetings_of(&self, d: DraftSymbol) -> Option<&Vec<(Seq, Date)>> {
        self.need_draft(d);
        self.meetings.get(&d)
    }

    /// Every recorded vote (a scan: the whole state).
    pub(super) fn all_votes(&self) -> impl Iterator<Item = &VoteEntry> {
        self.need(StatePart::All);
        self.votes.values()
    }

    // Writes (the part written must be present: it is stored again whole).

    pub(super) fn take_fact(&mut self, seq: Seq) -> Option<FactIndex> {
        self.write_fact(seq);
        let slot = usize::try_from(seq.0 % FACT_PART).ok()?;
        self.facts
            .get_mut(&fact_part(seq))
            .and_then(|c| c.get_mut(slot))
            .and_then(Option::take)
    }

    pub(super) fn set_fact(&mut self, seq: Seq, index: FactIndex) {
        self.write_fact(seq);
        let Ok(slot) = usize::try_from(seq.0 % FACT_PART) else {
            return;
        };
        let chunk = self.facts.entry(fact_part(seq)).or_default();
        if chunk.len() <= slot {
            chunk.resize(slot + 1, None);
        }
        if let Some(s) = chunk.get_mut(slot) {
            *s = Some(index);
        }
    }

    pub(super) fn insert_draft(&mut self, d: DraftSymbol, entry: (Seq, Option<Reported>)) {
        self.write_draft(d);
        self.drafts.insert(d, entry);
    }

    pub(super) fn remove_draft(&mut self, d: DraftSymbol) {
        self.write_draft(d);
        self.drafts.remove(&d);
    }

    pub(super) fn insert_vote(&mut self, d: DraftSymbol, entry: VoteEntry) {
        self.write_draft(d);
        self.votes.insert(d, entry);
    }

    pub(super) fn remove_vote(&mut self, d: DraftSymbol) {
        self.write_draft(d);
        self.votes.remove(&d);
    }

    pub(super) fn insert_assessment(&mut self, d: DraftSymbol, assessor: PublicKey, seq: Seq) {
        self.write_draft(d);
        self.assessments.insert((d, assessor), seq);
    }

    pub(super) fn remove_assessment(&mut self, key: &(DraftSymbol, PublicKey)) {
        self.write_draft(key.0);
        self.assessments.remove(key);
    }

    pub(super) fn add_meeting(&mut self, d: DraftSymbol, meeting: Seq, named: Date) {
        self.write_draft(d);
        self.meetings.entry(d).or_default().push((meeting, named));
    }

    /// Removes the meeting recorded at `seq` wherever it is cited (a scan: the whole state).
    pub(super) fn remove_meeting(&mut self, seq: Seq) {
        self.need(StatePart::All);
        let mut touched = Vec::new();
        self.meetings.retain(|d, cited| {
            let before = cited.len();
            cited.retain(|(m, _)| *m != seq);
            if cited.len() != before {
                touched.push(*d);
            }
            !cited.is_empty()
        });
        for d in touched {
            self.changed(StatePart::Drafts(draft_part(d)));
        }
    }

    // Parts.

    /// The draft parts and fact parts present (all non-empty ones for a whole state).
    pub(super) fn present_parts(&self) -> Vec<StatePart> {
        match &self.loaded {
            Some(l) => l
                .drafts
                .iter()
                .map(|b| StatePart::Drafts(*b))
                .chain(l.facts.iter().map(|c| StatePart::Facts(*c)))
                .collect(),
            None => {
                let mut drafts = BTreeSet::new();
                let keys = self
                    .drafts
                    .keys()
                    .chain(self.votes.keys())
                    .chain(self.meetings.keys())
                    .chain(self.assessments.keys().map(|(d, _)| d));
                for d in keys {
                    drafts.insert(draft_part(*d));
                }
                drafts
                    .into_iter()
                    .map(StatePart::Drafts)
                    .chain(
                        self.facts
                            .iter()
                            .filter(|(_, c)| c.iter().any(Option::is_some))
                            .map(|(c, _)| StatePart::Facts(*c)),
                    )
                    .collect()
            }
        }
    }

    /// The entries of draft part `b`, in key order.
    pub(super) fn drafts_part(&self, b: u32) -> DraftsPart {
        let of = |d: &DraftSymbol| draft_part(*d) == b;
        DraftsPart {
            drafts: self
                .drafts
                .iter()
                .filter(|(d, _)| of(d))
                .map(|(d, e)| (*d, e.clone()))
                .collect(),
            votes: self
                .votes
                .iter()
                .filter(|(d, _)| of(d))
                .map(|(d, e)| (*d, e.clone()))
                .collect(),
            assessments: self
                .assessments
                .iter()
                .filter(|((d, _), _)| of(d))
                .map(|(k, s)| (*k, *s))
                .collect(),
            meetings: self
                .meetings
                .iter()
                .filter(|(d, _)| of(d))
                .map(|(d, m)| (*d, m.clone()))
                .collect(),
        }
    }

    /// The slots of fact part `c`, trailing `None`s trimmed (empty: the part holds no fact).
    pub(super) fn facts_part(&self, c: u64) -> &[Option<FactIndex>] {
        let slots = self.facts.get(&c).map_or(&[][..], Vec::as_slice);
        let end = slots.iter().rposition(Option::is_some).map_or(0, |i| i + 1);
        slots.get(..end).unwrap_or_default()
    }

    /// The non-empty draft parts among `parts`, in part order, each borrowing its entries:
    /// one pass over each index, each entry's part computed once and its reference pushed
    /// into its part (a whole state's encoding: `verify` compares it with the stored table).
    /// It cut the part's copies of every entry out with eight passes over each index, one
    /// per eighth of the parts, and grouped them in a `BTreeMap`: 45% of the serial tail
    /// of a 1M `verify` (docs/PERFORMANCE.md, "Floor lane").
    pub(super) fn drafts_parts_in(
        &self,
        parts: std::ops::Range<u32>,
    ) -> Vec<(u32, DraftsPartRef<'_>)> {
        let mut out: Vec<DraftsPartRef<'_>> =
            parts.clone().map(|_| DraftsPartRef::default()).collect();
        let start = parts.start;
        let slot = |d: &DraftSymbol| {
            let b = draft_part(*d);
            if parts.contains(&b) {
                usize::try_from(b - start).ok()
            } else {
                None
            }
        };
        for (d, e) in &self.drafts {
            if let Some(p) = slot(d).and_then(|i| out.get_mut(i)) {
                p.drafts.push((*d, e));
            }
        }
        for (d, e) in &self.votes {
            if let Some(p) = slot(d).and_then(|i| out.get_mut(i)) {
                p.votes.push((*d, e));
            }
        }
        for (k, s) in &self.assessments {
            if let Some(p) = slot(&k.0).and_then(|i| out.get_mut(i)) {
                p.assessments.push((*k, *s));
            }
        }
        for (d, m) in &self.meetings {
            if let Some(p) = slot(d).and_then(|i| out.get_mut(i)) {
                p.meetings.push((*d, m));
            }
        }
        (start..).zip(out).filter(|(_, p)| !p.is_empty()).collect()
    }

    /// The fact parts of a whole state that hold a fact, in order (what [`Large::present_parts`]
    /// lists after the draft parts, without collecting those).
    pub(super) fn fact_parts(&self) -> Vec<u64> {
        self.facts
            .iter()
            .filter(|(_, c)| c.iter().any(Option::is_some))
            .map(|(c, _)| *c)
            .collect()
    }

    /// Adds a stored draft part (the part is then present).
    pub(super) fn load_drafts(&mut self, b: u32, p: DraftsPart) -> Result<(), String> {
        let wrong = p
            .drafts
            .iter()
            .map(|(d, _)| d)
            .chain(p.votes.iter().map(|(d, _)| d))
            .chain(p.assessments.iter().map(|((d, _), _)| d))
            .chain(p.meetings.iter().map(|(d, _)| d))
            .find(|d| draft_part(**d) != b);
        if let Some(d) = wrong {
            return Err(format!(
                "draft part {b} holds {d}, of part {}",
                draft_part(*d)
            ));
        }
        self.drafts.extend(p.drafts);
        self.votes.extend(p.votes);
        self.assessments.extend(p.assessments);
        self.meetings.extend(p.meetings);
        if let Some(l) = &mut self.loaded {
            l.drafts.insert(b);
        }
        Ok(())
    }

    /// Adds a stored fact part (the part is then present).
    pub(super) fn load_facts(
        &mut self,
        c: u64,
        slots: Vec<Option<FactIndex>>,
    ) -> Result<(), String> {
        if slots.len() as u64 > FACT_PART {
            return Err(format!("fact part {c} holds {} slots", slots.len()));
        }
        if !slots.is_empty() {
            self.facts.insert(c, slots);
        }
        if let Some(l) = &mut self.loaded {
            l.facts.insert(c);
        }
        Ok(())
    }

    /// Marks the parts of a partial state as complete (all were loaded).
    pub(super) fn make_whole(&mut self) {
        self.loaded = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::encode_snapshot;
    use crate::verify::{Signatures, Verifier};

    /// The whole state of a real log (tests/data/revision1_log.hex: terms, a vote, an
    /// assessment) with 300 tabled drafts added by its recorder (seed 3), spread over parts.
    fn state() -> super::super::LedgerState {
        use crate::chain::seal;
        use crate::event::{DraftTabled, EventBody, Fact};
        use crate::{SigningKey, Text, Timestamp};
        let log = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/revision1_log.hex");
        let mut v = Verifier::new(Signatures::Skip);
        for line in std::fs::read_to_string(log).unwrap().lines() {
            v.push(&hex::decode(line).unwrap()).unwrap();
        }
        let recorder = SigningKey::from_seed(&[3; 32]);
        for n in 0..300u32 {
            let draft = DraftSymbol::new(2000 + (n % 20) as u16, 1 + n * 7).unwrap();
            let body = EventBody::Fact(Fact::DraftTabled(DraftTabled {
                draft,
                subject: Text::new(format!("draft {n}")).unwrap(),
                agenda_item: Text::new("item").unwrap(),
                penholders: Vec::new(),
                tabled_on: None,
                reported_vote: None,
                source: Text::new("s").unwrap(),
                note: Text::empty(),
            }));
            let u = v.next_event(recorder.public(), Timestamp(1_700_000_000), body);
            v.push(&seal(u, &recorder).unwrap().bytes).unwrap();
        }
        v.into_state()
    }

    #[test]
    fn borrowed_parts_encode_as_owned_parts() {
        let large = state().large;
        for (name, n) in [
            ("drafts", large.drafts.len()),
            ("votes", large.votes.len()),
            ("assessments", large.assessments.len()),
        ] {
            assert!(n > 0, "the state has no {name}");
        }
        for slice in [0..DRAFT_PARTS, 0..DRAFT_PARTS / 2, 1000..1200] {
            let borrowed = large.drafts_parts_in(slice.clone());
            let owned: Vec<(u32, DraftsPart)> = slice
                .clone()
                .map(|b| (b, large.drafts_part(b)))
                .filter(|(_, p)| !p.is_empty())
                .collect();
            assert_eq!(
                borrowed.iter().map(|(b, _)| *b).collect::<Vec<_>>(),
                owned.iter().map(|(b, _)| *b).collect::<Vec<_>>(),
                "{slice:?}"
            );
            for ((b, r), (_, o)) in borrowed.iter().zip(&owned) {
                assert_eq!(
                    encode_snapshot(r).unwrap(),
                    encode_snapshot(o).unwrap(),
                    "part {b}"
                );
            }
        }
        let facts: Vec<u64> = large
            .present_parts()
            .into_iter()
            .filter_map(|p| match p {
                StatePart::Facts(c) => Some(c),
                _ => None,
            })
            .collect();
        assert!(!facts.is_empty());
        assert_eq!(large.fact_parts(), facts);
    }
}
