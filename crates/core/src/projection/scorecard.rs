//! State scorecards, for the civil-society author before Council elections:
//! supporter or not and since when, Council terms, votes on assessed drafts, breaches, and the
//! vetoes a permanent member cast.
//!
//! "Current" is relative to the view's reference date ([`View::reference_date`]: the `as_of`
//! cut-off, else the day the last event was recorded), so the same log gives the same card.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::event::{Seat, Vote};
use crate::outcome::Outcome;
use crate::projection::compliance::{compliance, Finding, FindingKind};
use crate::projection::credibility::{credibility, Policy, Verdict};
use crate::projection::{AdherenceRef, Basis, Standing, View};
use crate::state::StateCode;
use crate::symbol::DraftSymbol;
use crate::types::Seq;

/// Where a term stands on the reference date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TermStatus {
    /// Ended before it (`"past"`).
    Past,
    /// Under way (`"current"`).
    Current,
    /// Not yet begun (`"future"`: terms are recorded when members are elected).
    Future,
}

/// A Council term on a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermEntry {
    /// `permanent` or `elected`.
    pub seat: Seat,
    /// First day.
    pub from: Date,
    /// Last day, as recorded.
    pub to: Date,
    /// Past, current or future on the reference date.
    pub status: TermStatus,
    /// Last day served by the reference date: `min(to, reference date)`; `None` for a future
    /// term.
    pub served_until: Option<Date>,
    /// Sequence number of the `CouncilTerm` event.
    pub seq: Seq,
    /// Corrections applied to it.
    pub corrections: Vec<Seq>,
}

/// The state's vote on a draft that trusted assessors assessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessedVote {
    /// The draft.
    pub draft: DraftSymbol,
    /// Day of the vote.
    pub date: Date,
    /// How the state voted.
    pub vote: Vote,
    /// The verdict of the trusted assessors (`credible`, `not-credible` or `conflict`).
    pub verdict: Verdict,
    /// The trusted assessments.
    pub assessments: Vec<Seq>,
    /// Whether the state was bound by the Code on that day.
    pub bound: bool,
    /// The compliance finding for this vote, if any.
    pub finding: Option<FindingKind>,
    /// Sequence number of the `CouncilVote` event.
    pub vote_seq: Seq,
}

/// A veto cast by a permanent member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VetoCast {
    /// The draft, or the label of the amendment (`amendment (no symbol)`) for a vote known
    /// only by its tally.
    pub draft: String,
    /// `"votes"` (every member's vote recorded) or `"tally"` (known by its tally and the
    /// members against; see [`crate::projection::votes::TallyVoteOutcome`]).
    pub known_by: String,
    /// Day of the vote.
    pub date: Date,
    /// Every permanent member that voted no (this one included).
    pub vetoed_by: Vec<StateCode>,
    /// The verdict of the trusted assessors on the draft.
    pub verdict: Verdict,
    /// Sequence number of the `CouncilVote` event.
    pub vote_seq: Seq,
}

/// One state's card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateCard {
    /// The state.
    pub state: StateCode,
    /// Its name.
    pub name: String,
    /// Whether it holds a permanent seat (Charter Art. 23).
    pub permanent_member: bool,
    /// Its adherence (since when, how precisely), if a supporter in the view.
    pub supporter: Option<AdherenceRef>,
    /// Its standing on the reference date; [`Standing::label`] gives the words every output
    /// shows ("no adherence recorded" for a state the ledger holds no adherence for).
    pub standing: Standing,
    /// Whether it sits on the Council on the reference date.
    pub on_council: bool,
    /// Its Council terms, by start.
    pub terms: Vec<TermEntry>,
    /// Its votes on drafts the trusted assessors assessed, by date.
    pub assessed_votes: Vec<AssessedVote>,
    /// Its breaches (negative votes, while bound, on drafts judged credible).
    pub breaches: Vec<Finding>,
    /// Its possible breaches (negative votes on drafts judged credible, listed as a supporter
    /// only by a later date: adherence date unknown).
    pub possible_breaches: Vec<Finding>,
    /// For a permanent member, the vetoes it cast, by date; `None` for others.
    pub vetoes_cast: Option<Vec<VetoCast>>,
}

/// Scorecards for a set of states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scorecard {
    /// The cut-offs and the part of the log this rests on.
    pub basis: Basis,
    /// The reference date ("current").
    pub reference_date: Option<Date>,
    /// The trust policy used.
    pub policy: Policy,
    /// Cards, sorted by state code.
    pub states: Vec<StateCard>,
}

/// Scorecards for `states`, or when `None` for every supporter in the view and every member
/// of the Council on the reference date.
pub fn scorecard(view: &View, policy: &Policy, states: Option<&BTreeSet<StateCode>>) -> Scorecard {
    let reference = view.reference_date();
    let chosen: BTreeSet<StateCode> = match states {
        Some(s) => s.clone(),
        None => view
            .adherences()
            .keys()
            .copied()
            .chain(
                reference
                    .into_iter()
                    .flat_map(|day| view.council_terms_on(day).into_iter().map(|(s, _)| s)),
            )
            .collect(),
    };
    let report = compliance(view, policy, Some(&chosen));

    let cards = chosen
        .iter()
        .map(|&state| {
            let terms: Vec<TermEntry> = view
                .terms()
                .get(&state)
                .into_iter()
                .flatten()
                .map(|t| {
                    let (from, to) = (t.fact.from, t.fact.to);
                    let status = match reference {
                        Some(day) if to < day => TermStatus::Past,
                        Some(day) if from > day => TermStatus::Future,
                        _ => TermStatus::Current,
                    };
                    TermEntry {
                        seat: t.fact.seat,
                        from,
                        to,
                        status,
                        served_until: match (status, reference) {
                            (TermStatus::Future, _) => None,
                            (_, Some(day)) => Some(to.min(day)),
                            (_, None) => Some(to),
                        },
                        seq: t.seq,
                        corrections: t.corrections.clone(),
                    }
                })
                .collect();
            let on_council = terms.iter().any(|t| t.status == TermStatus::Current);

            let mut assessed_votes = Vec::new();
            let mut vetoes_cast = Vec::new();
            for vc in &report.votes {
                let Some(sv) = vc.supporters.iter().find(|s| s.state == state) else {
                    continue;
                };
                if vc.credibility.verdict == Verdict::Unassessed {
                    continue;
                }
                assessed_votes.push(AssessedVote {
                    draft: vc.draft,
                    date: vc.date,
                    vote: sv.vote,
                    verdict: vc.credibility.verdict,
                    assessments: vc.credibility.seqs(),
                    bound: sv.standing.is_bound(),
                    finding: vc
                        .findings
                        .iter()
                        .find(|f| f.state == state)
                        .map(|f| f.kind),
                    vote_seq: vc.seq,
                });
            }
            // Votes by non-supporters are not in the compliance report; read them from the view.
            if !view.adherences().contains_key(&state) {
                for r in view.votes().values() {
                    let Some(m) = r.fact.votes.iter().find(|m| m.state == state) else {
                        continue;
                    };
                    let cred = credibility(view, policy, r.fact.draft);
                    if cred.verdict == Verdict::Unassessed {
                        continue;
                    }
                    assessed_votes.push(AssessedVote {
                        draft: r.fact.draft,
                        date: r.fact.date,
                        vote: m.vote,
                        verdict: cred.verdict,
                        assessments: cred.seqs(),
                        bound: false,
                        finding: None,
                        vote_seq: r.seq,
                    });
                }
            }
            assessed_votes.sort_by_key(|v| (v.date, v.draft));

            if state.is_permanent_member() {
                for r in view.votes().values() {
                    if let Outcome::Vetoed { by } = View::vote_result(&r.fact).outcome {
                        if by.contains(&state) {
                            let cred = credibility(view, policy, r.fact.draft);
                            vetoes_cast.push(VetoCast {
                                draft: r.fact.draft.to_string(),
                                known_by: "votes".to_string(),
                                date: r.fact.date,
                                vetoed_by: by,
                                verdict: cred.verdict,
                                vote_seq: r.seq,
                            });
                        }
                    }
                }
                for r in view.tally_votes() {
                    let o = crate::projection::votes::tally_vote_outcome(
                        r.seq,
                        &r.corrections,
                        &r.fact,
                    );
                    if o.vetoed_by.contains(&state) {
                        vetoes_cast.push(VetoCast {
                            draft: o.label,
                            known_by: "tally".to_string(),
                            date: r.fact.date,
                            vetoed_by: o.vetoed_by,
                            verdict: match &r.fact.text {
                                crate::event::VotedText::Draft(d) => {
                                    credibility(view, policy, *d).verdict
                                }
                                crate::event::VotedText::Amendment { .. } => Verdict::Unassessed,
                            },
                            vote_seq: r.seq,
                        });
                    }
                }
                vetoes_cast.sort_by(|a, b| (a.date, &a.draft).cmp(&(b.date, &b.draft)));
            }

            StateCard {
                state,
                name: state.name().to_string(),
                permanent_member: state.is_permanent_member(),
                supporter: view
                    .adherences()
                    .get(&state)
                    .map(|r| AdherenceRef::new(r.fact.date, r.seq, &r.corrections)),
                standing: reference.map_or(Standing::NoAdherenceRecorded, |day| {
                    view.standing(state, day)
                }),
                on_council,
                terms,
                assessed_votes,
                breaches: report
                    .findings()
                    .filter(|f| f.state == state && f.kind == FindingKind::Breach)
                    .cloned()
                    .collect(),
                possible_breaches: report
                    .findings()
                    .filter(|f| f.state == state && f.kind == FindingKind::PossibleBreach)
                    .cloned()
                    .collect(),
                vetoes_cast: state.is_permanent_member().then_some(vetoes_cast),
            }
        })
        .collect();

    Scorecard {
        basis: view.basis().clone(),
        reference_date: reference,
        policy: policy.clone(),
        states: cards,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{AdherenceDate, Role};
    use crate::projection::testkit::*;
    use crate::projection::{Cutoff, TrustPolicy};

    #[test]
    fn card_contents() {
        let mut l = Log::new();
        l.at("2022-06-01");
        let k = key(10);
        l.grant(k, Role::Assessor);
        l.fact(term("RUS", "1946-01-01", "9999-12-31"));
        l.fact(term("ALB", "2022-01-01", "2023-12-31"));
        l.fact(term("ALB", "2026-01-01", "2027-12-31"));
        l.fact(term("ARE", "2022-01-01", "2023-12-31"));
        l.fact(adherence("ALB", AdherenceDate::Exact(d("2015-10-23"))));
        l.fact(vote_all_yes(
            "S/2022/1",
            "2022-05-02",
            &[("RUS", Vote::No), ("ALB", Vote::No)],
        ));
        l.fact(vote_all_yes("S/2022/2", "2022-05-03", &[("ALB", Vote::No)]));
        l.fact_by(k, assessment("S/2022/1", true));
        let v = l.view(Cutoff {
            at_seq: None,
            as_of: Some(d("2024-06-01")),
        });
        let policy = TrustPolicy::AllAssessors.resolve(&v);
        let card = scorecard(&v, &policy, None);
        let names: Vec<&str> = card.states.iter().map(|c| c.state.as_str()).collect();
        assert_eq!(names, ["ALB", "RUS"], "supporters and current members");
        let alb = &card.states[0];
        assert_eq!(alb.terms.len(), 1, "the 2026 term starts after as_of");
        assert_eq!(alb.terms[0].status, TermStatus::Past);
        assert!(!alb.on_council);
        assert_eq!(alb.assessed_votes.len(), 1, "S/2022/2 was not assessed");
        assert_eq!(alb.assessed_votes[0].finding, Some(FindingKind::Breach));
        assert_eq!(alb.breaches.len(), 1);
        assert_eq!(alb.vetoes_cast, None);
        let rus = &card.states[1];
        assert!(rus.on_council);
        assert_eq!(rus.supporter, None);
        assert_eq!(rus.assessed_votes[0].vote, Vote::No);
        assert!(!rus.assessed_votes[0].bound);
        let vetoes = rus.vetoes_cast.as_ref().unwrap();
        assert_eq!(vetoes.len(), 1);
        assert_eq!(vetoes[0].verdict, Verdict::Credible);

        // Without as_of, the reference date is the day the last event was recorded.
        l.at("2025-01-01");
        l.fact(adherence("FRA", AdherenceDate::Exact(d("2015-10-23"))));
        let v = l.view(Cutoff::default());
        assert_eq!(v.reference_date(), Some(d("2025-01-01")));
        let card = scorecard(&v, &policy, Some(&BTreeSet::from([s("ALB")])));
        let statuses: Vec<TermStatus> = card.states[0].terms.iter().map(|t| t.status).collect();
        assert_eq!(statuses, [TermStatus::Past, TermStatus::Future]);
        assert_eq!(card.states[0].terms[1].served_until, None);
    }
}
