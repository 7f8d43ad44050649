//! The voting math before a Council vote (the desk officer's question, issue 20): the 15
//! members of a day, each one's standing under the Code, and the arithmetic of Charter
//! Art. 27(3) that follows from it. With a draft, who would breach the Code by voting against
//! it under a trust policy.
//!
//! A day may lie ahead of the record: terms are recorded from election results before they
//! start, so the Council of a future day is known; the standing of its members is then what
//! the ledger holds so far (a state may still adhere before that day), which the notes say.

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::event::Seat;
use crate::projection::credibility::{credibility, Credibility, Policy, PolicySummary, Verdict};
use crate::projection::{Basis, ListCoverage, Standing, View};
use crate::state::StateCode;
use crate::symbol::DraftSymbol;
use crate::types::Seq;

/// Votes in favour a non-procedural draft needs (Charter Art. 27(3)).
pub const VOTES_NEEDED: usize = 9;

/// The outlook for a Council vote on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outlook {
    /// The cut-offs and the part of the log this rests on.
    pub basis: Basis,
    /// The day of the vote.
    pub date: Date,
    /// Members recorded that day.
    pub count: usize,
    /// Whether the 15 seats are all recorded (5 permanent, 10 elected).
    pub complete: bool,
    /// Whether the ledger's supporter list is complete for the day.
    pub coverage: ListCoverage,
    /// Members: permanent first, then elected, each sorted by code.
    pub members: Vec<OutlookMember>,
    /// The arithmetic of Art. 27(3).
    pub math: VotingMath,
    /// With a draft: who would breach the Code by voting against it.
    pub draft: Option<DraftOutlook>,
    /// What the record does not cover for this day, in sentences.
    pub notes: Vec<String>,
}

/// A member and its standing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutlookMember {
    /// ISO 3166-1 alpha-3 code.
    pub state: StateCode,
    /// Name as the UN lists it.
    pub name: String,
    /// `permanent` or `elected`.
    pub seat: Seat,
    /// Sequence number of the `CouncilTerm` event.
    pub term_seq: Seq,
    /// Its standing under the Code on the day, with the adherence event and its precision.
    pub standing: Standing,
    /// [`Standing::label`]: the words every output shows.
    pub words: String,
}

/// Where a member stands, for the arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Binding {
    /// Bound not to vote against a credible draft.
    Bound,
    /// Only listed as a supporter by a later day: unknown.
    Unknown,
    /// No adherence recorded, and no attested list speaks for the day: the ledger's list may
    /// be partial, so the state may be a supporter the record does not hold.
    NoAdherenceRecorded,
    /// Known not to be bound: adhered after the day, or absent from the depositary's attested
    /// list.
    NotBound,
}

impl Binding {
    /// `bound`, `unknown` or `not-bound`.
    pub fn name(self) -> &'static str {
        match self {
            Binding::Bound => "bound",
            Binding::Unknown => "unknown",
            Binding::NoAdherenceRecorded => "no-adherence-recorded",
            Binding::NotBound => "not-bound",
        }
    }

    /// How a standing counts.
    pub fn of(s: &Standing) -> Self {
        match s {
            Standing::Supporter { .. } => Binding::Bound,
            Standing::ListedLater { .. } => Binding::Unknown,
            Standing::NoAdherenceRecorded => Binding::NoAdherenceRecorded,
            Standing::AdheredLater { .. } | Standing::NotASupporter { .. } => Binding::NotBound,
        }
    }
}

/// The arithmetic of Charter Art. 27(3) on the day, from the members' standings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VotingMath {
    /// Members bound not to vote against a credible draft.
    pub bound: Vec<StateCode>,
    /// Members whose standing is unknown (listed as supporters only by a later day).
    pub unknown: Vec<StateCode>,
    /// Members with no adherence recorded while no attested list speaks for the day (they
    /// may be supporters the ledger does not hold).
    pub no_adherence_recorded: Vec<StateCode>,
    /// Members known not to be bound (adhered later, or absent from an attested list).
    pub not_bound: Vec<StateCode>,
    /// Permanent members not bound by the Code: the possible vetoes of a credible draft
    /// (unknown standings included).
    pub possible_vetoes: Vec<StateCode>,
    /// Whether the nine votes in favour a draft needs can come from bound members alone.
    pub nine_from_bound: bool,
    /// Votes in favour still possible if every bound member abstains (abstaining is allowed
    /// by the Code): the members that are not bound.
    pub in_favour_if_bound_abstain: usize,
    /// Whether a draft could still reach nine in favour then.
    pub adoptable_if_bound_abstain: bool,
    /// The same, in sentences (what the CLI and the HTML report print).
    pub words: Vec<String>,
}

/// A draft under a trust policy: who would breach the Code by voting against it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftOutlook {
    /// The draft.
    pub draft: DraftSymbol,
    /// The trusted assessors' verdict, with the assessments it rests on.
    pub credibility: Credibility,
    /// The policy used.
    pub policy: PolicySummary,
    /// Members that would breach the Code by voting against it (bound, and the draft
    /// credible).
    pub would_breach: Vec<StateCode>,
    /// Members that would possibly breach (standing unknown, the draft credible).
    pub would_possibly_breach: Vec<StateCode>,
    /// In a sentence.
    pub words: String,
}

fn codes(v: &[StateCode]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
    }
}

/// The outlook for `date`; with `draft`, judged under `policy`.
pub fn outlook(view: &View, date: Date, draft: Option<DraftSymbol>, policy: &Policy) -> Outlook {
    let council = super::council_on(view, date);
    let members: Vec<OutlookMember> = council
        .members
        .iter()
        .map(|m| OutlookMember {
            state: m.state,
            name: m.name.clone(),
            seat: m.seat,
            term_seq: m.term_seq,
            words: m.standing.label(),
            standing: m.standing.clone(),
        })
        .collect();
    let pick = |b: Binding| -> Vec<StateCode> {
        let mut v: Vec<StateCode> = members
            .iter()
            .filter(|m| Binding::of(&m.standing) == b)
            .map(|m| m.state)
            .collect();
        v.sort();
        v
    };
    let (bound, unknown, no_adherence_recorded, not_bound) = (
        pick(Binding::Bound),
        pick(Binding::Unknown),
        pick(Binding::NoAdherenceRecorded),
        pick(Binding::NotBound),
    );
    let possible_vetoes: Vec<StateCode> = members
        .iter()
        .filter(|m| m.seat == Seat::Permanent && Binding::of(&m.standing) != Binding::Bound)
        .map(|m| m.state)
        .collect();
    let in_favour_if_bound_abstain = members.len() - bound.len();
    let math = VotingMath {
        nine_from_bound: bound.len() >= VOTES_NEEDED,
        adoptable_if_bound_abstain: in_favour_if_bound_abstain >= VOTES_NEEDED,
        words: vec![
            format!(
                "{} of {} members bound not to vote against a credible draft: {}",
                bound.len(),
                members.len(),
                codes(&bound)
            ),
            format!(
                "{} standing unknown (listed as supporters only by a later day): {}",
                unknown.len(),
                codes(&unknown)
            ),
            format!(
                "{} {}{}: {}",
                no_adherence_recorded.len(),
                super::NO_ADHERENCE_RECORDED,
                if no_adherence_recorded.is_empty() {
                    ""
                } else {
                    " (the supporter list is possibly partial for this day: some may be supporters the ledger does not hold)"
                },
                codes(&no_adherence_recorded)
            ),
            format!(
                "{} not bound (adhered later, or absent from the depositary's attested list): {}",
                not_bound.len(),
                codes(&not_bound)
            ),
            format!(
                "possible vetoes (permanent members not known to be bound): {}",
                codes(&possible_vetoes)
            ),
            format!(
                "nine votes in favour {} from bound members alone ({} bound)",
                if bound.len() >= VOTES_NEEDED {
                    "are reachable"
                } else {
                    "are not reachable"
                },
                bound.len()
            ),
            format!(
                "if every bound member abstains, at most {in_favour_if_bound_abstain} votes in favour remain: {}",
                if in_favour_if_bound_abstain >= VOTES_NEEDED {
                    "a draft could still be adopted"
                } else {
                    "no draft could reach nine"
                }
            ),
        ],
        bound,
        unknown,
        no_adherence_recorded,
        not_bound,
        possible_vetoes,
        in_favour_if_bound_abstain,
    };
    let draft = draft.map(|d| {
        let credibility = credibility(view, policy, d);
        let credible = credibility.verdict == Verdict::Credible;
        let would_breach = if credible { math.bound.clone() } else { Vec::new() };
        let would_possibly_breach = if credible {
            math.unknown.clone()
        } else {
            Vec::new()
        };
        let cited = credibility
            .seqs()
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let words = match credibility.verdict {
            Verdict::Credible => format!(
                "{d} is credible under the policy (assessments at seq {cited}): a vote against it by {} would breach the Code{}",
                codes(&would_breach),
                if would_possibly_breach.is_empty() {
                    String::new()
                } else {
                    format!(", by {} possibly (adherence date unknown)", codes(&would_possibly_breach))
                }
            ),
            Verdict::NotCredible => format!(
                "{d} is judged not credible under the policy (seq {cited}): a vote against it breaches nothing"
            ),
            Verdict::Conflict => format!(
                "trusted assessors disagree on {d} (seq {cited}): a vote against it by a bound member would be a conflict, not a breach"
            ),
            Verdict::Unassessed => format!(
                "no trusted assessment of {d}: a vote against it by a bound member would need assessment"
            ),
        };
        DraftOutlook {
            draft: d,
            credibility,
            policy: policy.summary(),
            would_breach,
            would_possibly_breach,
            words,
        }
    });
    let mut notes = Vec::new();
    if council.count == 0 {
        notes.push(format!(
            "no Council term recorded for {date}: the record does not cover this day (record the terms, e.g. from election results)"
        ));
    } else if !council.complete {
        notes.push(format!(
            "only {} of the 15 seats are recorded for {date}: the arithmetic counts those alone",
            council.count
        ));
    }
    if let Some(reference) = view.reference_date() {
        if date > reference {
            notes.push(format!(
                "{date} is after the last recorded day ({reference}): standings are those recorded so far, and a state may still adhere before {date}"
            ));
        }
    }
    Outlook {
        basis: view.basis().clone(),
        date,
        count: council.count,
        complete: council.complete,
        coverage: ListCoverage::of(view, date),
        members,
        math,
        draft,
        notes,
    }
}
