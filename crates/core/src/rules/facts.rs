//! The domain rules of each kind of fact, checked at append and at verify alike.

use crate::date::Date;
use crate::error::RuleError;
use crate::event::{AdherenceDate, Fact, Seat};
use crate::symbol::DraftSymbol;
use crate::types::{PublicKey, Seq};

use super::entries::{Decided, FactIndex, Reported, TermEntry, VoteEntry};
use super::LedgerState;

impl LedgerState {
    /// Domain checks of a fact; `replacing` is the seq of the fact a correction supersedes,
    /// whose own index entries are ignored.
    pub(super) fn check_fact(
        &self,
        fact: &Fact,
        author: &PublicKey,
        replacing: Option<Seq>,
    ) -> Result<(), RuleError> {
        let other = |s: &Seq| Some(*s) != replacing;
        match fact {
            Fact::AdherenceLetter(a) => {
                if let Some(s) = self.supporters.get(&a.state).filter(|s| other(s)) {
                    return Err(RuleError::AlreadyAdhered {
                        state: a.state,
                        name: a.state.name(),
                        at: *s,
                    });
                }
                let start = crate::code::code_exists_from();
                if a.date.date() < start {
                    return Err(RuleError::BeforeTheCode {
                        state: a.state,
                        date: a.date.date(),
                        precision: a.date.precision(),
                        start,
                        source_of_start: crate::code::CODE_EXISTS_FROM_SOURCE,
                    });
                }
                if let (AdherenceDate::Exact(letter), Some(received)) = (a.date, a.received) {
                    if received < letter {
                        return Err(RuleError::ReceivedBeforeLetter { received, letter });
                    }
                }
                let old = match replacing.and_then(|r| self.fact(r)) {
                    Some(FactIndex::Adherence(s)) => Some(*s),
                    _ => None,
                };
                crate::attestation::check_adherence_change(
                    &self.attestations,
                    &self.adherence_dates,
                    old,
                    (a.state, a.date.date()),
                )
            }
            Fact::CouncilTerm(t) => {
                if t.state.status() == crate::state::UnStatus::Observer {
                    return Err(RuleError::NotAUnMember {
                        state: t.state,
                        name: t.state.name(),
                    });
                }
                if t.seat == Seat::Elected {
                    self.check_consecutive(t, replacing)?;
                }
                if let Some(r) = replacing {
                    self.check_term_dependents(t, r)?;
                }
                if let Some(ts) = self.terms.get(&t.state) {
                    if let Some(o) = ts
                        .iter()
                        .find(|o| other(&o.seq) && o.from <= t.to && t.from <= o.to)
                    {
                        return Err(RuleError::TermOverlap {
                            state: t.state,
                            from: t.from,
                            to: t.to,
                            other_from: o.from,
                            other_to: o.to,
                            other: o.seq,
                        });
                    }
                }
                // At most 5 permanent and 10 elected seats on any day.
                let cap = if t.seat == Seat::Permanent { 5 } else { 10 };
                let mut bounds: Vec<Date> = vec![t.from];
                let overlapping: Vec<&TermEntry> = self
                    .terms
                    .values()
                    .flatten()
                    .filter(|o| {
                        other(&o.seq) && o.seat == t.seat && o.from <= t.to && t.from <= o.to
                    })
                    .collect();
                bounds.extend(overlapping.iter().map(|o| o.from).filter(|d| *d >= t.from));
                for day in bounds {
                    let n = 1 + overlapping
                        .iter()
                        .filter(|o| o.from <= day && day <= o.to)
                        .count();
                    if n > cap {
                        return Err(RuleError::SeatCap {
                            day,
                            count: n,
                            seat: t.seat.name(),
                            cap,
                        });
                    }
                }
                Ok(())
            }
            Fact::DraftTabled(d) => {
                let dates = d
                    .tabled_on
                    .into_iter()
                    .chain(d.reported_vote.as_ref().map(|r| r.date));
                for date in dates {
                    symbol_not_after(d.draft, date)?;
                }
                if let Some(r) = replacing {
                    self.check_draft_dependents(d.draft, r)?;
                }
                if let Some((s, _)) = self.large.draft(d.draft).filter(|(s, _)| other(s)) {
                    return Err(RuleError::DraftTabledTwice {
                        draft: d.draft,
                        at: *s,
                    });
                }
                if let (Some(r), Some(v)) = (&d.reported_vote, self.large.vote(d.draft)) {
                    check_reported(d.draft, &Reported::of(r), v)?;
                }
                Ok(())
            }
            Fact::CouncilVote(v) => {
                symbol_not_after(v.draft, v.date)?;
                if let Some(r) = replacing {
                    let first = [
                        self.check_draft_dependents(v.draft, r),
                        self.check_meeting_dependents(v, r),
                    ]
                    .into_iter()
                    .filter_map(Result::err)
                    .min_by_key(|e| match e {
                        RuleError::BreaksDependent { dependent, .. } => *dependent,
                        _ => Seq(0),
                    });
                    if let Some(e) = first {
                        return Err(e);
                    }
                }
                if let Some(e) = self.large.vote(v.draft).filter(|e| other(&e.seq)) {
                    return Err(RuleError::VotedTwice {
                        draft: v.draft,
                        date: e.date,
                        at: e.seq,
                    });
                }
                self.check_members(v)?;
                let entry = VoteEntry::of(Seq(0), v);
                if let Some((_, Some(r))) = self.large.draft(v.draft) {
                    check_reported(v.draft, r, &entry)?;
                }
                Ok(())
            }
            Fact::CredibilityAssessment(_) | Fact::DatedAssessment(_) => {
                let Some((a, _)) = fact.assessment() else {
                    return Ok(());
                };
                if self.large.draft(a.draft).is_none() && self.large.vote(a.draft).is_none() {
                    return Err(RuleError::AssessedDraftUnknown { draft: a.draft });
                }
                if let Some(s) = self.large.assessment(a.draft, author).filter(|s| other(s)) {
                    return Err(RuleError::AssessedTwice {
                        draft: a.draft,
                        at: s,
                    });
                }
                Ok(())
            }
            Fact::AssemblyMeeting(m) => {
                for f in &m.follows {
                    let Some(draft) = f.draft else { continue };
                    follows_veto(draft, f.date, self.large.vote(draft))?;
                }
                Ok(())
            }
            Fact::TallyVote(v) => {
                if let crate::event::VotedText::Draft(d) = &v.text {
                    symbol_not_after(*d, v.date)?;
                    if let Some(e) = self.large.vote(*d) {
                        return Err(RuleError::VotedTwice {
                            draft: *d,
                            date: e.date,
                            at: e.seq,
                        });
                    }
                }
                let label = v.text.label();
                // At most one fact holds a day and label (this rule), so the index of them
                // names it.
                let twice = self
                    .tallies
                    .get(&(v.date, label.clone()))
                    .copied()
                    .filter(|s| other(s));
                if let Some(at) = twice {
                    return Err(RuleError::TextVotedTwice {
                        text: label,
                        date: v.date,
                        at,
                    });
                }
                let council = self.council_cached(v.date);
                if council.is_empty() {
                    return Err(RuleError::NoCouncil { date: v.date });
                }
                if let Some(m) = v.against.iter().find(|s| !council.contains_key(s)) {
                    return Err(RuleError::NotOnCouncil {
                        state: *m,
                        name: m.name(),
                        date: v.date,
                    });
                }
                if let Some(t) = v.tally {
                    let counted = usize::from(t.yes) + usize::from(t.no) + usize::from(t.abstain);
                    if counted > council.len() {
                        return Err(RuleError::TallyTooLarge {
                            tally: t,
                            date: v.date,
                            members: council.len(),
                        });
                    }
                }
                Ok(())
            }
            Fact::SupporterListAttested(a) => {
                crate::attestation::check_list(a, &self.adherence_dates)
            }
            Fact::HolidayCalendar(c) => {
                let key = (c.calendar.as_str().to_string(), c.year);
                if let Some(s) = self.calendars.get(&key).filter(|s| other(s)) {
                    return Err(RuleError::CalendarTwice {
                        calendar: c.calendar.to_string(),
                        year: c.year,
                        at: *s,
                    });
                }
                Ok(())
            }
        }
    }

    /// Art. 23(2): an elected member serves two years and is not eligible for immediate
    /// re-election, so no unbroken run of elected terms (however split across records) lasts
    /// more than two years. `replacing`: the term a correction supersedes, left out.
    fn check_consecutive(
        &self,
        t: &crate::event::CouncilTerm,
        replacing: Option<Seq>,
    ) -> Result<(), RuleError> {
        let mut spans: Vec<(Date, Date)> = self
            .terms
            .get(&t.state)
            .into_iter()
            .flatten()
            .filter(|o| Some(o.seq) != replacing && o.seat == Seat::Elected)
            .map(|o| (o.from, o.to))
            .collect();
        spans.push((t.from, t.to));
        spans.sort();
        // The unbroken run containing the new term: spans that overlap or touch it, grown
        // outwards.
        let (mut from, mut to) = (t.from, t.to);
        loop {
            let before = (from, to);
            for (a, b) in &spans {
                let touches =
                    *a <= to.next_day().unwrap_or(to) && from <= b.next_day().unwrap_or(*b);
                if touches {
                    from = from.min(*a);
                    to = to.max(*b);
                }
            }
            if (from, to) == before {
                break;
            }
        }
        // More than two years: the run reaches the day two years after its first day.
        let limit = Date::from_ymd(from.year() + 2, from.month(), from.day())
            .or_else(|_| Date::from_ymd(from.year() + 2, 3, 1));
        match limit {
            Ok(limit) if to >= limit => Err(RuleError::ImmediateReelection {
                state: t.state,
                from,
                to,
            }),
            _ => Ok(()),
        }
    }
}

/// A draft's symbol names the year it was issued: it cannot be later than a day the draft was
/// tabled or voted on.
fn symbol_not_after(draft: DraftSymbol, date: Date) -> Result<(), RuleError> {
    if i32::from(draft.year()) > date.year() {
        return Err(RuleError::SymbolAfterDate {
            draft,
            year: draft.year(),
            date,
        });
    }
    Ok(())
}

fn check_reported(draft: DraftSymbol, r: &Reported, v: &VoteEntry) -> Result<(), RuleError> {
    if r.date != v.date {
        return Err(RuleError::ReportedDate {
            draft,
            reported: r.date,
            recorded: v.date,
        });
    }
    if let Some(t) = r.tally {
        if t != v.tally {
            return Err(RuleError::ReportedTally {
                draft,
                reported: t,
                recorded: v.tally,
            });
        }
    }
    let computed = v.decided.vetoers();
    if r.vetoed_by != computed {
        return Err(RuleError::ReportedVeto {
            draft,
            reported: r.vetoed_by.show(),
            decided: v.decided.name(),
            computed: computed.show(),
        });
    }
    Ok(())
}

/// Resolution 76/262: a meeting follows the veto of `draft` on `named` — the draft's recorded
/// vote (`vote`) is on that day and was vetoed. Checked when a meeting is recorded and, for
/// the meetings that cite it, when the vote is corrected.
pub(super) fn follows_veto(
    draft: DraftSymbol,
    named: Date,
    vote: Option<&VoteEntry>,
) -> Result<(), RuleError> {
    let v = vote.ok_or(RuleError::MeetingWithoutVote { draft })?;
    if v.date != named {
        return Err(RuleError::MeetingVetoDate {
            draft,
            named,
            recorded: v.date,
        });
    }
    if !matches!(v.decided, Decided::Vetoed(_)) {
        return Err(RuleError::MeetingNotVetoed {
            draft,
            decided: v.decided.name(),
        });
    }
    Ok(())
}
