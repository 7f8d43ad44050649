//! Replay: the effective facts of a log, after corrections, cut at a sequence number and/or a
//! date.
//!
//! # Corrections
//!
//! A [`Correction`](crate::event::Correction) `{ target, replacement }` supersedes the fact
//! recorded at `target`; when several correct the same fact, the latest in the log wins. The
//! view keeps, for each fact, the sequence number of the event that first recorded it
//! ([`Record::seq`]) and the sequence numbers of the corrections applied
//! ([`Record::corrections`]), so every result can cite both.
//!
//! # Cut-offs
//!
//! - `at_seq: Some(n)`: the log **as it stood at `n`**: events after `n` are ignored,
//!   including later corrections. Applied first.
//! - `as_of: Some(d)`: the facts **dated on or before `d`**, as the log (up to `at_seq`) now
//!   knows them. Corrections recorded after `d` still apply to facts of other kinds (they fix
//!   the record of what happened, and a corrected date decides whether the fact is in), except
//!   for assessments, which are judgements dated by when they were made. Per kind, the date
//!   that counts:
//!   - `AdherenceLetter`: its date, exact or listed-by (`date <= d`);
//!   - `CouncilTerm`: its start: a term is kept when `from <= d`; its `to` is kept as recorded
//!     (terms are known in advance) and results that ask whether it had ended use
//!     `min(to, d)` through their reference date ([`View::reference_date`]);
//!   - `DraftTabled`: the day put in blue when known (`tabled_on <= d`); drafts with no known
//!     date are kept (they only describe a draft);
//!   - `CouncilVote`: the vote's date;
//!   - `CredibilityAssessment`: the day the assessor made it (`assessed_on`, format revision
//!     2; for an assessment of revision 1, which has no such day, the UTC day its event was
//!     recorded); a correction whose replacement is dated after `d` is not applied, so the view
//!     holds each assessor's judgement as it stood on `d`, whenever the ledger learnt of it;
//!   - `AssemblyMeeting`: its date; an undated meeting is kept when the latest veto it follows
//!     is dated on or before `d`;
//!   - `HolidayCalendar`: always kept (a calendar is reference data, not an event in time);
//!   - `SupporterListAttested` (format revision 3): its list's day (`list_date <= d`).
//!
//! # Cost
//!
//! Replay is one pass: O(1) per event, plus a binary search per correction, and a final
//! grouping of the kept facts. It keeps the facts (and the assessor keys), never the raw
//! events, signatures or other key events.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::chain::variant;
use crate::date::Date;
use crate::event::{CredibilityAssessment, Event, EventBody, Fact, Role};
use crate::types::{PublicKey, Seq, Timestamp};

use super::compact::{DraftRecord, Pools, VoteRecord};
pub use super::view::View;

/// The sequence number given to facts that do not come from the log (a holiday calendar read
/// from a file): `u64::MAX`, which no event can have.
pub const EXTERNAL_SEQ: Seq = Seq(u64::MAX);

/// Where to cut the log before projecting. `Cutoff::default()` takes everything.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cutoff {
    /// Ignore events after this sequence number (inclusive bound).
    pub at_seq: Option<Seq>,
    /// Keep only facts dated on or before this day (see the module documentation for which
    /// date counts for each kind of fact).
    pub as_of: Option<Date>,
}

/// What a result rests on: the cut-offs and the part of the log replayed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basis {
    /// The sequence cut-off asked for.
    pub at_seq: Option<Seq>,
    /// The date cut-off asked for.
    pub as_of: Option<Date>,
    /// Number of events replayed (those at or before `at_seq`).
    pub events: u64,
    /// Sequence number of the last event replayed.
    pub last_seq: Option<Seq>,
    /// When the last event replayed was recorded.
    pub last_recorded: Option<Timestamp>,
}

/// A fact as the view holds it: the effective content and the events it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record<T> {
    /// Sequence number of the event that recorded the fact.
    pub seq: Seq,
    /// Sequence numbers of the corrections applied, in log order (the last one's replacement
    /// is `fact`).
    pub corrections: Vec<Seq>,
    /// The effective fact.
    pub fact: T,
}

/// A credibility assessment as the view holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentRecord {
    /// Sequence number of the event that recorded the assessment.
    pub seq: Seq,
    /// Sequence numbers of the corrections applied, in log order.
    pub corrections: Vec<Seq>,
    /// The assessor key that signed it (a correction of an assessment is signed by the same
    /// key, a rule of the ledger).
    pub assessor: PublicKey,
    /// When the version in effect was recorded (the original, or the last correction applied).
    pub recorded_at: Timestamp,
    /// The day the version in effect was made, as its assessor states it (format revision 2),
    /// or for an assessment of revision 1 the UTC day it was recorded. `--as-of` filters by it.
    pub assessed_on: Option<Date>,
    /// The effective assessment.
    pub fact: CredibilityAssessment,
}

/// A key that held the assessor role in the replayed part of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessorKey {
    /// Who holds it, as named in the grant.
    pub holder: String,
    /// Sequence number of the `KeyGranted` event giving it the assessor role.
    pub granted: Seq,
    /// Sequence number of its revocation, if revoked (its earlier assessments stand).
    pub revoked: Option<Seq>,
}

/// Kinds of fact: the `Fact` variants of revision 1, then the tally votes of revision 2 (the
/// dated assessments share the assessments' slot), then the attestations of revision 3.
const KINDS: usize = 9;

/// The slot of [`Fact::TallyVote`].
const TALLY_SLOT: usize = 7;

/// The slot of [`Fact::SupporterListAttested`].
const ATTESTATION_SLOT: usize = 8;

/// The position of a fact's kind in [`Replay::slots`]: its variant index, the two forms of
/// an assessment sharing one (a correction of one may be the other).
fn kind(f: &Fact) -> usize {
    match f {
        Fact::DatedAssessment(_) => variant::CREDIBILITY_ASSESSMENT as usize,
        Fact::TallyVote(_) => TALLY_SLOT,
        Fact::SupporterListAttested(_) => ATTESTATION_SLOT,
        _ => f.variant() as usize,
    }
}

/// The day an assessment (of either form) was made: its stated day, or for revision 1 the UTC
/// day it was recorded.
fn assessment_day(fact: &Fact, recorded_at: Timestamp) -> Option<Date> {
    match fact.assessment() {
        Some((_, Some(day))) => Some(day),
        _ => recorded_at.date(),
    }
}

/// A fact kept during replay.
#[derive(Debug)]
struct Slot {
    seq: Seq,
    author: PublicKey,
    recorded_at: Timestamp,
    corrections: Vec<Seq>,
    fact: Fact,
}

/// Streaming replay: push events in log order, then [`finish`](Replay::finish).
#[derive(Debug, Default)]
pub struct Replay {
    cutoff: Cutoff,
    events: u64,
    last_seq: Option<Seq>,
    last_recorded: Option<Timestamp>,
    assessors: BTreeMap<PublicKey, AssessorKey>,
    /// Facts by kind ([`kind`]), each list in log order (sorted by `seq`): a correction, which
    /// keeps its target's kind, finds it by binary search in its kind's list, and `finish`
    /// builds each kind's part of the view on its own.
    slots: [Vec<Slot>; KINDS],
    /// Council votes and tabled drafts, most of a large log, kept compactly as they come (in
    /// log order) instead of in `slots` (`projection/compact.rs`).
    votes: Vec<VoteRecord>,
    drafts: Vec<DraftRecord>,
    pools: Pools,
    /// Corrections applied to a vote or draft, by the seq that recorded it.
    corrected: BTreeMap<Seq, Vec<Seq>>,
    unmatched: Vec<Seq>,
}

impl Replay {
    /// An empty replay with the given cut-offs.
    pub fn new(cutoff: Cutoff) -> Self {
        Self {
            cutoff,
            ..Self::default()
        }
    }

    /// An empty replay with room for `facts` facts (e.g. the log's length), so a large
    /// replay does not reallocate as it grows (the room is kept for votes, most of a large
    /// log).
    pub fn with_capacity(cutoff: Cutoff, facts: usize) -> Self {
        let mut r = Self::new(cutoff);
        r.votes.reserve(facts);
        r.pools.reserve_members(facts);
        r
    }

    /// Whether every event after this point will be ignored (the `at_seq` cut-off has been
    /// reached), so a caller streaming from a store may stop reading.
    pub fn is_done(&self) -> bool {
        matches!((self.cutoff.at_seq, self.last_seq), (Some(n), Some(l)) if l >= n)
    }

    /// Accounts for the events up to `last` (recorded at `recorded_at`) that the caller did
    /// not push because the view it needs has no facts of their kinds (it skipped them by
    /// their variant bytes, without decoding): the view's basis then covers the log up to
    /// `last` as a full replay would. `last` must be the log's last event within the
    /// `at_seq` cut-off.
    pub fn cover(&mut self, last: Seq, recorded_at: Timestamp) {
        if self.last_seq.is_none_or(|l| l <= last) {
            self.events = last.0.saturating_add(1);
            self.last_seq = Some(last);
            self.last_recorded = Some(recorded_at);
        }
    }

    /// Whether an assessment (made on `day`) lies after the `as_of` cut-off.
    fn after_as_of(&self, day: Option<Date>) -> bool {
        self.cutoff
            .as_of
            .is_some_and(|d| day.is_none_or(|day| day > d))
    }

    /// Applies the event recorded at `seq` (events must come in log order; the caller has
    /// verified them).
    pub fn push(&mut self, seq: Seq, event: Event) {
        if self.cutoff.at_seq.is_some_and(|n| seq > n) {
            return;
        }
        let u = event.unsigned;
        self.events += 1;
        self.last_seq = Some(seq);
        self.last_recorded = Some(u.recorded_at);
        match u.body {
            EventBody::LedgerCreated(_) => {}
            EventBody::KeyGranted(g) => {
                if g.role == Role::Assessor {
                    self.assessors.entry(g.key).or_insert(AssessorKey {
                        holder: g.holder.to_string(),
                        granted: seq,
                        revoked: None,
                    });
                }
            }
            EventBody::KeyRevoked(r) => {
                if let Some(a) = self.assessors.get_mut(&r.key) {
                    a.revoked.get_or_insert(seq);
                }
            }
            EventBody::Fact(Fact::CouncilVote(v)) => {
                let r = self.pools.vote(seq, &v);
                self.votes.push(r);
            }
            EventBody::Fact(Fact::DraftTabled(d)) => {
                let r = self.pools.draft(seq, &d);
                self.drafts.push(r);
            }
            EventBody::Fact(fact) => {
                if fact.assessment().is_some()
                    && self.after_as_of(assessment_day(&fact, u.recorded_at))
                {
                    return;
                }
                self.slots[kind(&fact)].push(Slot {
                    seq,
                    author: u.author,
                    recorded_at: u.recorded_at,
                    corrections: Vec::new(),
                    fact,
                });
            }
            EventBody::Correction(c) => {
                let is_assessment = c.replacement.assessment().is_some();
                if is_assessment && self.after_as_of(assessment_day(&c.replacement, u.recorded_at))
                {
                    // The judgement as it stood on `as_of`: later revisions are not applied
                    // (and the target may itself have been recorded after `as_of`).
                    return;
                }
                // A target of another kind is not in this list: unmatched, like a missing one.
                match c.replacement {
                    Fact::CouncilVote(v) => {
                        match self.votes.binary_search_by_key(&c.target, |r| r.seq()) {
                            Ok(i) => {
                                let r = self.pools.vote(c.target, &v);
                                if let Some(slot) = self.votes.get_mut(i) {
                                    *slot = r;
                                }
                                self.corrected.entry(c.target).or_default().push(seq);
                            }
                            Err(_) => self.unmatched.push(seq),
                        }
                        return;
                    }
                    Fact::DraftTabled(d) => {
                        match self.drafts.binary_search_by_key(&c.target, |r| r.seq()) {
                            Ok(i) => {
                                let r = self.pools.draft(c.target, &d);
                                if let Some(slot) = self.drafts.get_mut(i) {
                                    *slot = r;
                                }
                                self.corrected.entry(c.target).or_default().push(seq);
                            }
                            Err(_) => self.unmatched.push(seq),
                        }
                        return;
                    }
                    _ => {}
                }
                let slots = &mut self.slots[kind(&c.replacement)];
                match slots.binary_search_by_key(&c.target, |s| s.seq) {
                    Ok(i) => {
                        let Some(slot) = slots.get_mut(i) else {
                            self.unmatched.push(seq);
                            return;
                        };
                        slot.fact = c.replacement;
                        slot.corrections.push(seq);
                        if is_assessment {
                            slot.recorded_at = u.recorded_at;
                        }
                    }
                    Err(_) => self.unmatched.push(seq),
                }
            }
        }
    }

    /// Like [`push`](Replay::push) for a borrowed event (clones it unless it is cut off).
    pub fn push_ref(&mut self, seq: Seq, event: &Event) {
        if self.cutoff.at_seq.is_some_and(|n| seq > n) {
            return;
        }
        self.push(seq, event.clone());
    }

    /// Applies the date cut-off and groups the facts into a [`View`].
    pub fn finish(self) -> View {
        let large = self.drafts.len() + self.votes.len() > 50_000;
        self.finish_with(large)
    }

    /// [`Replay::finish`], building the drafts and votes on threads of their own when
    /// `parallel` (the same view either way).
    fn finish_with(self, parallel: bool) -> View {
        let as_of = self.cutoff.as_of;
        let keep = move |d: Date| as_of.is_none_or(|a| d <= a);
        // In variant order (`chain::variant`).
        // The drafts' and votes' slots are empty: they were kept in `drafts` and `votes`.
        let [adherences, terms, drafts, votes, assessments, meetings, calendars, tally_votes, attestations] =
            self.slots;
        // Drafts and votes are most of a large log: they are sorted on threads of their own
        // (for a large replay) while this one builds the rest. A stable sort by symbol of the
        // records in log order, then the first of each symbol: the earliest kept.
        let build_drafts = move |mut d: Vec<DraftRecord>| {
            d.retain(|r| r.tabled_on.is_none_or(keep));
            // In place (no scratch buffer the size of the list); (symbol, seq) is unique, so
            // this is the stable sort by symbol of records in log order.
            d.sort_unstable_by_key(|r| (r.draft(), r.seq()));
            d.dedup_by_key(|r| r.draft());
            d.shrink_to_fit();
            d
        };
        let build_votes = move |mut v: Vec<VoteRecord>| {
            v.retain(|r| keep(r.date));
            v.sort_unstable_by_key(|r| (r.draft(), r.seq()));
            v.dedup_by_key(|r| r.draft());
            v.shrink_to_fit();
            v
        };
        let mut pools = self.pools;
        pools.seal();
        let (compact_drafts, compact_votes) = (self.drafts, self.votes);
        let rest = adherences
            .into_iter()
            .chain(terms)
            .chain(drafts)
            .chain(votes)
            .chain(assessments)
            .chain(meetings)
            .chain(calendars)
            .chain(tally_votes)
            .chain(attestations);
        let mut view = View {
            basis: Basis {
                at_seq: self.cutoff.at_seq,
                as_of,
                events: self.events,
                last_seq: self.last_seq,
                last_recorded: self.last_recorded,
            },
            assessor_keys: self.assessors,
            adherences: BTreeMap::new(),
            terms: BTreeMap::new(),
            drafts: Vec::new(),
            votes: Vec::new(),
            pools,
            corrected: self.corrected,
            assessments: BTreeMap::new(),
            meetings: Vec::new(),
            calendars: BTreeMap::new(),
            tally_votes: Vec::new(),
            attestations: Vec::new(),
            unmatched_corrections: self.unmatched,
        };
        let fill = |view: &mut View| {
            // Slots are in seq order, so `or_insert` keeps the earliest of any duplicates (which
            // the ledger's rules do not admit) and per-key lists come out in seq order.
            for slot in rest {
                let Slot {
                    seq,
                    author,
                    recorded_at,
                    corrections,
                    fact,
                } = slot;
                match fact {
                    Fact::AdherenceLetter(a) => {
                        if keep(a.date.date()) {
                            view.adherences.entry(a.state).or_insert(Record {
                                seq,
                                corrections,
                                fact: a,
                            });
                        }
                    }
                    Fact::CouncilTerm(t) => {
                        if keep(t.from) {
                            view.terms.entry(t.state).or_default().push(Record {
                                seq,
                                corrections,
                                fact: t,
                            });
                        }
                    }
                    // Kept compactly, never in the slots.
                    Fact::DraftTabled(_) | Fact::CouncilVote(_) => {}
                    Fact::CredibilityAssessment(_) | Fact::DatedAssessment(_) => {
                        let assessed_on = assessment_day(&fact, recorded_at);
                        let a = match fact {
                            Fact::DatedAssessment(d) => d.assessment,
                            Fact::CredibilityAssessment(a) => a,
                            _ => continue,
                        };
                        view.assessments
                            .entry(a.draft)
                            .or_default()
                            .push(AssessmentRecord {
                                seq,
                                corrections,
                                assessor: author,
                                recorded_at,
                                assessed_on,
                                fact: a,
                            });
                    }
                    Fact::AssemblyMeeting(m) => {
                        let in_view = match m.date {
                            Some(d) => keep(d),
                            None => m.follows.iter().map(|v| v.date).max().is_none_or(keep),
                        };
                        if in_view {
                            view.meetings.push(Record {
                                seq,
                                corrections,
                                fact: m,
                            });
                        }
                    }
                    Fact::TallyVote(v) => {
                        if keep(v.date) {
                            view.tally_votes.push(Record {
                                seq,
                                corrections,
                                fact: v,
                            });
                        }
                    }
                    Fact::SupporterListAttested(a) => {
                        if keep(a.list_date) {
                            view.attestations.push(Record {
                                seq,
                                corrections,
                                fact: a,
                            });
                        }
                    }
                    Fact::HolidayCalendar(c) => {
                        view.calendars
                            .entry(c.calendar.to_string())
                            .or_default()
                            .entry(c.year)
                            .or_insert(Record {
                                seq,
                                corrections,
                                fact: c,
                            });
                    }
                }
            }
            for terms in view.terms.values_mut() {
                terms.sort_by_key(|t| (t.fact.from, t.seq));
            }
            view.tally_votes.sort_by_key(|v| (v.fact.date, v.seq));
        };
        if parallel {
            let (d, v) = std::thread::scope(|scope| {
                let d = scope.spawn(move || build_drafts(compact_drafts));
                let v = scope.spawn(move || build_votes(compact_votes));
                fill(&mut view);
                (d.join(), v.join())
            });
            view.drafts = d.unwrap_or_else(|p| std::panic::resume_unwind(p));
            view.votes = v.unwrap_or_else(|p| std::panic::resume_unwind(p));
        } else {
            fill(&mut view);
            view.drafts = build_drafts(compact_drafts);
            view.votes = build_votes(compact_votes);
        }
        view
    }
}

/// Replays owned events, in log order.
pub fn replay<I>(events: I, cutoff: Cutoff) -> View
where
    I: IntoIterator<Item = (Seq, Event)>,
{
    let events = events.into_iter();
    let mut r = Replay::with_capacity(cutoff, events.size_hint().0);
    for (seq, event) in events {
        if r.is_done() {
            break;
        }
        r.push(seq, event);
    }
    r.finish()
}

/// Replays borrowed events, in log order (clones the facts it keeps).
pub fn replay_slice(events: &[(Seq, Event)], cutoff: Cutoff) -> View {
    let mut r = Replay::with_capacity(cutoff, events.len());
    for (seq, event) in events {
        if r.is_done() {
            break;
        }
        r.push_ref(*seq, event);
    }
    r.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{AdherenceDate, Vote};
    use crate::projection::testkit::*;
    use crate::projection::Standing;

    #[test]
    fn drafts_and_votes_built_on_their_own_threads_give_the_same_view() {
        let mut l = Log::new();
        l.fact(adherence("FRA", AdherenceDate::Exact(d("2015-10-23"))));
        l.fact(term("FRA", "2015-01-01", "2099-12-31"));
        for i in 0..40u32 {
            let draft = format!("S/2016/{}", i + 1);
            let day = format!("2016-02-{:02}", i % 28 + 1);
            let v = l.fact(vote_all_yes(&draft, &day, &[("FRA", Vote::Abstain)]));
            if i % 3 == 0 {
                l.correct(v, vote_all_yes(&draft, &day, &[]));
            }
            if i % 7 == 0 {
                // A second vote on the same draft (the first is kept), and a correction
                // of a vote by another kind (unmatched).
                l.fact(vote_all_yes(&draft, "2016-03-01", &[]));
                l.correct(v, assessment(&draft, true));
            }
            l.fact(assessment(&draft, i % 2 == 0));
            let tabled = |subject: &str| {
                Fact::DraftTabled(crate::event::DraftTabled {
                    draft: sym(&draft),
                    subject: text(subject),
                    agenda_item: text("The situation"),
                    penholders: vec![s("FRA")],
                    tabled_on: Some(d(&day)),
                    reported_vote: None,
                    source: text("s"),
                    note: crate::types::Text::empty(),
                })
            };
            let t = l.fact(tabled("first"));
            if i % 4 == 0 {
                l.correct(t, tabled("corrected"));
            }
        }
        assert!(!l.view(Cutoff::default()).drafts().is_empty());
        for cutoff in [
            Cutoff::default(),
            Cutoff {
                as_of: Some(d("2016-02-10")),
                ..Cutoff::default()
            },
        ] {
            let run = |parallel: bool| {
                let mut r = Replay::new(cutoff);
                for (seq, e) in &l.events {
                    r.push(*seq, e.clone());
                }
                r.finish_with(parallel)
            };
            let (one, many) = (run(false), run(true));
            assert!(!one.votes().is_empty());
            assert_eq!(one, many);
        }
    }

    #[test]
    fn corrections_latest_wins_and_are_cited() {
        let mut l = Log::new();
        let a = l.fact(adherence("FRA", AdherenceDate::Exact(d("2015-10-23"))));
        l.correct(a, adherence("FRA", AdherenceDate::Exact(d("2015-10-24"))));
        let c2 = l.correct(
            a,
            adherence("FRA", AdherenceDate::ListedBy(d("2015-11-01"))),
        );
        let v = l.view(Cutoff::default());
        let r = &v.adherences()[&s("FRA")];
        assert_eq!(r.seq, a);
        assert_eq!(r.corrections.len(), 2);
        assert_eq!(r.corrections[1], c2);
        assert_eq!(r.fact.date, AdherenceDate::ListedBy(d("2015-11-01")));
        assert!(v.unmatched_corrections().is_empty());
    }

    #[test]
    fn at_seq_ignores_later_events_and_corrections() {
        let mut l = Log::new();
        let a = l.fact(adherence("FRA", AdherenceDate::Exact(d("2015-10-23"))));
        let c = l.correct(a, adherence("FRA", AdherenceDate::Exact(d("2016-01-01"))));
        l.fact(adherence("GBR", AdherenceDate::Exact(d("2015-10-23"))));
        let v = l.view(Cutoff {
            at_seq: Some(a),
            as_of: None,
        });
        assert_eq!(v.adherences().len(), 1);
        assert!(v.adherences()[&s("FRA")].corrections.is_empty());
        assert_eq!(v.basis().last_seq, Some(a));
        let v = l.view(Cutoff {
            at_seq: Some(c),
            as_of: None,
        });
        assert_eq!(v.adherences()[&s("FRA")].corrections, vec![c]);
        assert_eq!(v.basis().events, c.0 + 1);
    }

    #[test]
    fn as_of_uses_corrected_dates_and_assessment_recording_day() {
        let mut l = Log::new();
        let a = l.fact(adherence("FRA", AdherenceDate::Exact(d("2015-10-23"))));
        // The correction moves the adherence after the cut-off: it leaves the view.
        l.correct(a, adherence("FRA", AdherenceDate::Exact(d("2016-03-01"))));
        let as_of = Some(d("2016-01-01"));
        let v = l.view(Cutoff {
            at_seq: None,
            as_of,
        });
        assert!(v.adherences().is_empty());

        let mut l = Log::new();
        l.at("2022-06-01");
        l.fact(term("RUS", "1946-01-01", "9999-12-31"));
        l.fact(term("ALB", "2022-01-01", "2023-12-31"));
        l.fact(term("BRA", "2024-01-01", "2025-12-31"));
        let vote = l.fact(vote_all_yes("S/2022/1", "2022-05-01", &[("RUS", Vote::No)]));
        let x = l.fact(assessment("S/2022/1", true));
        l.at("2022-07-01");
        let c = l.correct(x, assessment("S/2022/1", false));
        let v = l.view(Cutoff {
            at_seq: None,
            as_of: Some(d("2022-06-15")),
        });
        assert!(v.votes().contains_key(&sym("S/2022/1")));
        assert_eq!(v.votes().get(&sym("S/2022/1")).unwrap().seq, vote);
        let asm = &v.assessments()[&sym("S/2022/1")];
        assert!(
            asm[0].fact.credible,
            "the correction of 2022-07-01 is after as_of"
        );
        assert!(asm[0].corrections.is_empty());
        assert_eq!(v.terms().len(), 2, "BRA's term starts after as_of");
        let v = l.view(Cutoff::default());
        assert!(!v.assessments()[&sym("S/2022/1")][0].fact.credible);
        assert_eq!(v.assessments()[&sym("S/2022/1")][0].corrections, vec![c]);
        let v = l.view(Cutoff {
            at_seq: None,
            as_of: Some(d("2022-05-31")),
        });
        assert!(v.assessments().is_empty(), "recorded on 2022-06-01");
        assert_eq!(v.reference_date(), Some(d("2022-05-31")));
    }

    #[test]
    fn standing_distinguishes_exact_and_listed_by() {
        let mut l = Log::new();
        l.fact(adherence("FRA", AdherenceDate::Exact(d("2015-10-23"))));
        l.fact(adherence("GBR", AdherenceDate::ListedBy(d("2016-01-01"))));
        let v = l.view(Cutoff::default());
        let day = d("2015-12-01");
        assert!(v.standing(s("FRA"), day).is_bound());
        assert!(matches!(
            v.standing(s("FRA"), d("2015-10-22")),
            Standing::AdheredLater { .. }
        ));
        assert!(matches!(
            v.standing(s("GBR"), day),
            Standing::ListedLater { .. }
        ));
        assert!(v.standing(s("GBR"), d("2016-01-01")).is_bound());
        assert_eq!(v.standing(s("USA"), day), Standing::NoAdherenceRecorded);
        assert!(v
            .standing(s("GBR"), day)
            .explain(day)
            .contains("adherence date unknown"));
    }
}
