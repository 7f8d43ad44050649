//! The effective facts of a log after corrections and cut-offs ([`View`]), as [`Replay`](super::Replay)
//! builds them, and the questions the projections ask of them.

use std::collections::BTreeMap;

use crate::date::Date;
use crate::event::{AdherenceLetter, AssemblyMeeting, CouncilTerm, HolidayCalendar, TallyVote};
use crate::outcome::{self, VoteResult};
use crate::projection::{AdherenceRef, Precision, Standing};
use crate::state::StateCode;
use crate::symbol::DraftSymbol;
use crate::types::{PublicKey, Seq, Timestamp};

use crate::attestation::SupporterListAttested;

use super::compact::{DraftFacts, DraftRecord, DraftRef, Pools, VoteFacts, VoteRecord, VoteRef};
use super::replay::{AssessmentRecord, AssessorKey, Basis, Record, EXTERNAL_SEQ};

/// The effective facts of a log after corrections and cut-offs. Built by [`replay`](super::replay()) or
/// [`Replay`](super::Replay); read by the projections.
///
/// Votes and drafts, most of a large log, are held compactly (`projection/compact.rs`: fixed-size
/// records, texts kept once) and read through [`Votes`] and [`Drafts`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub(super) basis: Basis,
    pub(super) assessor_keys: BTreeMap<PublicKey, AssessorKey>,
    pub(super) adherences: BTreeMap<StateCode, Record<AdherenceLetter>>,
    pub(super) terms: BTreeMap<StateCode, Vec<Record<CouncilTerm>>>,
    /// Sorted by draft, one per draft.
    pub(super) drafts: Vec<DraftRecord>,
    /// Sorted by draft, one per draft.
    pub(super) votes: Vec<VoteRecord>,
    /// What the vote and draft records point into.
    pub(super) pools: Pools,
    /// The corrections applied to a vote or a draft, by the seq of the event that recorded it
    /// (absent when none were: most facts are never corrected).
    pub(super) corrected: BTreeMap<Seq, Vec<Seq>>,
    pub(super) assessments: BTreeMap<DraftSymbol, Vec<AssessmentRecord>>,
    pub(super) meetings: Vec<Record<AssemblyMeeting>>,
    pub(super) calendars: BTreeMap<String, BTreeMap<u16, Record<HolidayCalendar>>>,
    pub(super) tally_votes: Vec<Record<TallyVote>>,
    pub(super) attestations: Vec<Record<SupporterListAttested>>,
    pub(super) unmatched_corrections: Vec<Seq>,
}

impl View {
    /// The cut-offs and the part of the log this view rests on.
    pub fn basis(&self) -> &Basis {
        &self.basis
    }

    /// The day results are relative to when they need a "today" (whether a term is current,
    /// whether a veto's ten working days have run out): the `as_of` cut-off if given, else the
    /// UTC day the last replayed event was recorded. Never the wall clock, so the same log
    /// gives the same results. `None` only for an empty view.
    pub fn reference_date(&self) -> Option<Date> {
        self.basis
            .as_of
            .or_else(|| self.basis.last_recorded.and_then(Timestamp::date))
    }

    /// Keys that held the assessor role (granted at or before `at_seq`), revoked or not.
    pub fn assessor_keys(&self) -> &BTreeMap<PublicKey, AssessorKey> {
        &self.assessor_keys
    }

    /// Adherences in the view, by state.
    pub fn adherences(&self) -> &BTreeMap<StateCode, Record<AdherenceLetter>> {
        &self.adherences
    }

    /// Council terms in the view, by state, each list sorted by start.
    pub fn terms(&self) -> &BTreeMap<StateCode, Vec<Record<CouncilTerm>>> {
        &self.terms
    }

    /// Drafts tabled, by symbol.
    pub fn drafts(&self) -> Drafts<'_> {
        Drafts { view: self }
    }

    /// Council votes, by draft.
    pub fn votes(&self) -> Votes<'_> {
        Votes { view: self }
    }

    /// The tally and outcome of a vote, computed from its members' votes
    /// ([`crate::outcome::compute`]).
    pub fn vote_result(vote: &VoteFacts<'_>) -> VoteResult {
        outcome::compute_from(vote.votes, vote.procedural)
    }

    fn corrections_of(&self, seq: Seq) -> &[Seq] {
        self.corrected.get(&seq).map_or(&[], Vec::as_slice)
    }

    fn vote_ref<'a>(&'a self, r: &VoteRecord) -> VoteRef<'a> {
        VoteRef {
            seq: r.seq(),
            corrections: self.corrections_of(r.seq()),
            fact: VoteFacts::of(&self.pools, r),
        }
    }

    fn draft_ref<'a>(&'a self, r: &DraftRecord) -> DraftRef<'a> {
        DraftRef {
            seq: r.seq(),
            corrections: self.corrections_of(r.seq()),
            fact: DraftFacts::of(&self.pools, r),
        }
    }

    /// Bytes the compact part of the view holds (votes, drafts, their texts and members'
    /// votes), for measurements.
    pub fn compact_bytes(&self) -> usize {
        self.votes.capacity() * std::mem::size_of::<VoteRecord>()
            + self.drafts.capacity() * std::mem::size_of::<DraftRecord>()
            + self.pools.heap_bytes()
    }

    /// Credibility assessments, by draft, each list in log order.
    pub fn assessments(&self) -> &BTreeMap<DraftSymbol, Vec<AssessmentRecord>> {
        &self.assessments
    }

    /// Assembly meetings, in log order.
    pub fn meetings(&self) -> &[Record<AssemblyMeeting>] {
        &self.meetings
    }

    /// Votes known only by their tally (format revision 2), by date then seq.
    pub fn tally_votes(&self) -> &[Record<TallyVote>] {
        &self.tally_votes
    }

    /// Holiday calendars, by calendar name, then year.
    pub fn calendars(&self) -> &BTreeMap<String, BTreeMap<u16, Record<HolidayCalendar>>> {
        &self.calendars
    }

    /// Adds a holiday calendar that is not in the log (given as a file by the user), under
    /// `name`. Its records carry [`EXTERNAL_SEQ`] instead of a sequence number, so a report
    /// that cites them shows they do not come from the ledger. A year already recorded under
    /// that name is replaced.
    pub fn add_external_calendar(&mut self, name: &str, years: Vec<HolidayCalendar>) {
        let entry = self.calendars.entry(name.to_string()).or_default();
        for c in years {
            entry.insert(
                c.year,
                Record {
                    seq: EXTERNAL_SEQ,
                    corrections: Vec::new(),
                    fact: c,
                },
            );
        }
    }

    /// Corrections that named no fact of the same kind in the replayed part of the log. Always
    /// empty for a verified log (the rules refuse them); reported rather than hidden.
    pub fn unmatched_corrections(&self) -> &[Seq] {
        &self.unmatched_corrections
    }

    /// The depositary's attested supporter lists in the view (format revision 3), in log
    /// order.
    pub fn attestations(&self) -> &[Record<SupporterListAttested>] {
        &self.attestations
    }

    /// The attested list that speaks for `day`: of those dated on or after it (a state not on
    /// a complete list of a later day was not a supporter on `day` either, as adherence has no
    /// withdrawal), the earliest; `None` when no attestation in the view is dated `day` or
    /// later (the ledger's list may then be partial for that day).
    pub fn attestation_for(&self, day: Date) -> Option<&Record<SupporterListAttested>> {
        self.attestations
            .iter()
            .filter(|a| a.fact.list_date >= day)
            .min_by_key(|a| (a.fact.list_date, a.seq))
    }

    /// Whether `state` was bound by the Code on `day` (see [`Standing`]).
    pub fn standing(&self, state: StateCode, day: Date) -> Standing {
        let Some(r) = self.adherences.get(&state) else {
            return match self.attestation_for(day) {
                Some(a) => Standing::NotASupporter {
                    list: Box::new(super::ListRef::of(a)),
                },
                None => Standing::NoAdherenceRecorded,
            };
        };
        let adherence = AdherenceRef::new(r.fact.date, r.seq, &r.corrections);
        if adherence.date <= day {
            Standing::Supporter { adherence }
        } else if adherence.precision == Precision::Exact {
            Standing::AdheredLater { adherence }
        } else {
            Standing::ListedLater { adherence }
        }
    }

    /// The term on which `state` sat on `day`, if any.
    pub fn term_on(&self, state: StateCode, day: Date) -> Option<&Record<CouncilTerm>> {
        self.terms
            .get(&state)?
            .iter()
            .find(|t| t.fact.from <= day && day <= t.fact.to)
    }

    /// The members on `day` with their terms, sorted by state code.
    pub fn council_terms_on(&self, day: Date) -> Vec<(StateCode, &Record<CouncilTerm>)> {
        self.terms
            .keys()
            .filter_map(|s| self.term_on(*s, day).map(|t| (*s, t)))
            .collect()
    }
}

/// The Council votes of a [`View`], one per draft, in draft order.
#[derive(Debug, Clone, Copy)]
pub struct Votes<'a> {
    view: &'a View,
}

impl<'a> Votes<'a> {
    /// Number of votes.
    pub fn len(&self) -> usize {
        self.view.votes.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.view.votes.is_empty()
    }

    /// The vote on `draft`.
    pub fn get(&self, draft: &DraftSymbol) -> Option<VoteRef<'a>> {
        let v = self.view;
        let i = v.votes.binary_search_by_key(draft, |r| r.draft()).ok()?;
        v.votes.get(i).map(|r| v.vote_ref(r))
    }

    /// Whether a vote on `draft` is in the view.
    pub fn contains_key(&self, draft: &DraftSymbol) -> bool {
        self.get(draft).is_some()
    }

    /// The votes, in draft order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = VoteRef<'a>> + ExactSizeIterator + 'a {
        let v = self.view;
        v.votes.iter().map(move |r| v.vote_ref(r))
    }

    /// The votes by date, then draft (the order of the reports), sorted by index: a few
    /// bytes a vote, not a copy of each.
    pub fn by_date(&self) -> impl Iterator<Item = VoteRef<'a>> + 'a {
        let v = self.view;
        let mut order: Vec<u32> = (0..u32::try_from(v.votes.len()).unwrap_or(u32::MAX)).collect();
        // (date, draft) is unique (one vote per draft): unstable is stable here.
        order.sort_unstable_by_key(|&i| v.votes.get(i as usize).map(|r| (r.date, r.draft())));
        order
            .into_iter()
            .filter_map(move |i| v.votes.get(i as usize).map(|r| v.vote_ref(r)))
    }

    /// The drafts voted on, in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = DraftSymbol> + ExactSizeIterator + 'a {
        self.view.votes.iter().map(|r| r.draft())
    }
}

/// The tabled drafts of a [`View`], one per symbol, in symbol order.
#[derive(Debug, Clone, Copy)]
pub struct Drafts<'a> {
    view: &'a View,
}

impl<'a> Drafts<'a> {
    /// Number of drafts.
    pub fn len(&self) -> usize {
        self.view.drafts.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.view.drafts.is_empty()
    }

    /// The draft `draft`.
    pub fn get(&self, draft: &DraftSymbol) -> Option<DraftRef<'a>> {
        let v = self.view;
        let i = v.drafts.binary_search_by_key(draft, |r| r.draft()).ok()?;
        v.drafts.get(i).map(|r| v.draft_ref(r))
    }

    /// Whether `draft` is in the view.
    pub fn contains_key(&self, draft: &DraftSymbol) -> bool {
        self.get(draft).is_some()
    }

    /// The drafts, in symbol order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = DraftRef<'a>> + ExactSizeIterator + 'a {
        let v = self.view;
        v.drafts.iter().map(move |r| v.draft_ref(r))
    }

    /// Their symbols, in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = DraftSymbol> + ExactSizeIterator + 'a {
        self.view.drafts.iter().map(|r| r.draft())
    }
}
