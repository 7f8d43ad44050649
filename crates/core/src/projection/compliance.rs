//! Compliance history (the Code's pledge applied to each recorded vote): for each Council vote, the supporters that sat, how they
//! voted, and what that means under the Code and a [`TrustPolicy`](super::TrustPolicy).
//!
//! A supporter is **bound** by a vote when its adherence is established on the vote's day
//! (see [`Standing`]): an exact date on or before it, or a `listed-by` date on or before it. A
//! `listed-by` date after the vote is only an upper bound: the state may or may not have
//! adhered by then, so a negative vote on a credible draft is a `possible-breach` (adherence
//! date unknown), never "not bound"; the finding's `basis` says so.
//!
//! Findings, for bound supporters (and for those whose adherence date is unknown):
//!
//! | vote | trusted assessors say | finding |
//! |---|---|---|
//! | no | credible | `breach` (`possible-breach` when the adherence date is unknown) |
//! | no | not credible | `voted-no-not-credible` (not a breach) |
//! | no | disagree | `conflict` (reported, not resolved) |
//! | no | nothing | `needs-assessment` (not a breach) |
//! | abstain | credible, not credible or disagree | `abstained` (permitted by the Code) |
//! | abstain | nothing | `abstained-unassessed` (permitted whatever the draft; reported apart, since nobody judged it) |
//!
//! and `not-bound` for a supporter that voted no before its exact adherence date. Yes votes
//! and absences give no finding (the supporter is still listed with its vote).
//!
//! A vote before the Code existed ([`crate::code::code_exists_from`]) is not judged: it is
//! listed with status `before-the-code` and no findings.
//! Procedural votes are judged like others: whether a text was a credible draft is for the
//! assessors to say, and the `procedural` flag is shown.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::code::code_exists_from;
use crate::date::Date;
use crate::event::Vote;
use crate::outcome::VoteResult;
use crate::projection::credibility::{credibility, Credibility, Policy, PolicySummary, Verdict};
use crate::projection::VoteRef;
use crate::projection::{AdherenceRef, Basis, Standing, View};
use crate::state::StateCode;
use crate::symbol::{DraftSymbol, UnSymbol};
use crate::types::Seq;

/// What a supporter's vote means under the Code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// Voted no on a draft the trusted assessors judged credible (`"breach"`).
    Breach,
    /// Abstained: permitted (`"abstained"`).
    Abstained,
    /// Voted no on a draft no trusted assessor assessed (`"needs-assessment"`).
    NeedsAssessment,
    /// Voted no on a draft the trusted assessors disagree about (`"conflict"`).
    Conflict,
    /// Voted no on a draft judged not credible: not a breach (`"voted-no-not-credible"`).
    VotedNoNotCredible,
    /// Voted no before its exact adherence date: not bound by that vote (`"not-bound"`).
    NotBound,
    /// Voted no on a draft judged credible, listed as a supporter only by a later date: a
    /// breach if it had adhered by then, which the record does not say (`"possible-breach"`).
    PossibleBreach,
    /// Abstained on a draft no trusted assessor assessed: permitted whatever the draft, and
    /// reported apart from abstentions on assessed drafts (`"abstained-unassessed"`).
    AbstainedUnassessed,
}

impl FindingKind {
    /// The kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::Breach => "breach",
            FindingKind::Abstained => "abstained",
            FindingKind::NeedsAssessment => "needs-assessment",
            FindingKind::Conflict => "conflict",
            FindingKind::VotedNoNotCredible => "voted-no-not-credible",
            FindingKind::NotBound => "not-bound",
            FindingKind::PossibleBreach => "possible-breach",
            FindingKind::AbstainedUnassessed => "abstained-unassessed",
        }
    }
}

/// One finding, with everything it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// What the vote means.
    pub kind: FindingKind,
    /// The supporter.
    pub state: StateCode,
    /// Its name.
    pub name: String,
    /// The draft voted on.
    pub draft: DraftSymbol,
    /// Day of the vote.
    pub date: Date,
    /// How the supporter voted.
    pub vote: Vote,
    /// Sequence number of the `CouncilVote` event.
    pub vote_seq: Seq,
    /// Corrections applied to the vote.
    pub vote_corrections: Vec<Seq>,
    /// The supporter's adherence (event and date precision).
    pub adherence: AdherenceRef,
    /// Whether the supporter was bound by this vote.
    pub bound: bool,
    /// The verdict of the trusted assessors on the draft.
    pub verdict: Verdict,
    /// Sequence numbers of the trusted assessments the verdict rests on.
    pub assessments: Vec<Seq>,
    /// The trust policy used.
    pub policy: PolicySummary,
    /// Why, in one sentence.
    pub basis: String,
}

/// A supporter that sat on a vote, and how it voted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupporterVote {
    /// The supporter.
    pub state: StateCode,
    /// Its name.
    pub name: String,
    /// How it voted.
    pub vote: Vote,
    /// Its standing on the vote's day.
    pub standing: Standing,
}

/// Whether a vote is judged under the Code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JudgedStatus {
    /// On or after the day the Code exists from (`"judged"`).
    Judged,
    /// Before the Code existed ([`crate::code::code_exists_from`]): not judged, no findings
    /// (`"before-the-code"`).
    BeforeTheCode,
}

impl JudgedStatus {
    /// Words for reports: `""` when judged, else `"not judged: before the Code"`.
    pub fn words(self) -> &'static str {
        match self {
            JudgedStatus::Judged => "",
            JudgedStatus::BeforeTheCode => "not judged: before the Code",
        }
    }
}

/// One vote, with the supporters that sat and the findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteCompliance {
    /// Whether the vote is judged under the Code (votes before it existed are not).
    pub status: JudgedStatus,
    /// The draft voted on.
    pub draft: DraftSymbol,
    /// Day of the vote.
    pub date: Date,
    /// Meeting record.
    pub meeting: Option<UnSymbol>,
    /// Whether the vote was procedural.
    pub procedural: bool,
    /// Sequence number of the `CouncilVote` event.
    pub seq: Seq,
    /// Corrections applied to it.
    pub corrections: Vec<Seq>,
    /// Tally and computed outcome.
    pub result: VoteResult,
    /// What the trusted assessors say of the draft.
    pub credibility: Credibility,
    /// Members with an adherence in the view (bound or not), sorted by state code.
    pub supporters: Vec<SupporterVote>,
    /// The findings, sorted by state code.
    pub findings: Vec<Finding>,
}

/// Number of findings of each kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// `breach`.
    pub breach: usize,
    /// `abstained`.
    pub abstained: usize,
    /// `needs-assessment`.
    pub needs_assessment: usize,
    /// `conflict`.
    pub conflict: usize,
    /// `voted-no-not-credible`.
    pub voted_no_not_credible: usize,
    /// `not-bound`.
    pub not_bound: usize,
    /// `possible-breach`.
    pub possible_breach: usize,
    /// `abstained-unassessed`.
    pub abstained_unassessed: usize,
}

impl Counts {
    /// Counts a vote's findings.
    fn add_findings(&mut self, vote: &VoteCompliance) {
        for f in &vote.findings {
            self.add(f.kind);
        }
    }

    fn add(&mut self, kind: FindingKind) {
        let n = match kind {
            FindingKind::Breach => &mut self.breach,
            FindingKind::Abstained => &mut self.abstained,
            FindingKind::NeedsAssessment => &mut self.needs_assessment,
            FindingKind::Conflict => &mut self.conflict,
            FindingKind::VotedNoNotCredible => &mut self.voted_no_not_credible,
            FindingKind::NotBound => &mut self.not_bound,
            FindingKind::PossibleBreach => &mut self.possible_breach,
            FindingKind::AbstainedUnassessed => &mut self.abstained_unassessed,
        };
        *n += 1;
    }
}

/// The compliance history of a view under a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplianceReport {
    /// The cut-offs and the part of the log this rests on.
    pub basis: Basis,
    /// The trust policy used, with each key's grant.
    pub policy: Policy,
    /// The states asked about (`None`: all).
    pub states: Option<Vec<StateCode>>,
    /// Of the states asked about, those the view holds no adherence for: none of their votes
    /// is judged, and reports say so rather than show an empty history.
    #[serde(default)]
    pub no_adherence: Vec<StateCode>,
    /// Findings by kind.
    pub counts: Counts,
    /// Votes sorted by date, then draft. With a state filter, only the votes on which one of
    /// those states sat as a supporter (bound or not).
    pub votes: Vec<VoteCompliance>,
}

impl ComplianceReport {
    /// Every finding, in report order.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.votes.iter().flat_map(|v| v.findings.iter())
    }
}

fn seq_list(seqs: impl IntoIterator<Item = Seq>) -> String {
    let v: Vec<String> = seqs.into_iter().map(|s| s.to_string()).collect();
    if v.is_empty() {
        "none".to_string()
    } else {
        v.join(", ")
    }
}

/// Whether a supporter was bound on a vote's day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// Adherence established on or before the day.
    Yes,
    /// Listed only by a later date: adherence by the day unknown.
    Unknown,
    /// Adhered (exact date) after the day.
    No,
}

impl Bound {
    fn of(standing: &Standing) -> Self {
        match standing {
            Standing::Supporter { .. } => Bound::Yes,
            Standing::ListedLater { .. } => Bound::Unknown,
            Standing::AdheredLater { .. }
            | Standing::NoAdherenceRecorded
            | Standing::NotASupporter { .. } => Bound::No,
        }
    }
}

fn classify(vote: Vote, bound: Bound, verdict: Verdict) -> Option<FindingKind> {
    match (vote, bound) {
        (Vote::No, Bound::No) => Some(FindingKind::NotBound),
        (Vote::No, _) => Some(match verdict {
            Verdict::Credible if bound == Bound::Yes => FindingKind::Breach,
            Verdict::Credible => FindingKind::PossibleBreach,
            Verdict::NotCredible => FindingKind::VotedNoNotCredible,
            Verdict::Conflict => FindingKind::Conflict,
            Verdict::Unassessed => FindingKind::NeedsAssessment,
        }),
        (Vote::Abstain, Bound::No) | (Vote::Yes | Vote::Absent, _) => None,
        (Vote::Abstain, _) if verdict == Verdict::Unassessed => {
            Some(FindingKind::AbstainedUnassessed)
        }
        (Vote::Abstain, _) => Some(FindingKind::Abstained),
    }
}

fn explain(kind: FindingKind, state: StateCode, draft: DraftSymbol, cred: &Credibility) -> String {
    let by = |credible: bool| {
        seq_list(
            cred.trusted
                .iter()
                .filter(|a| a.credible == credible)
                .map(|a| a.seq),
        )
    };
    match kind {
        FindingKind::Breach => format!(
            "{state} voted no on {draft}, which the trusted assessors judged credible (seq {}): a \
             negative vote on a credible draft breaks the pledge",
            by(true)
        ),
        FindingKind::Abstained => {
            format!("{state} abstained on {draft}: abstention is permitted by the Code")
        }
        FindingKind::NeedsAssessment => format!(
            "{state} voted no on {draft}, which no trusted assessor has assessed: needs \
             assessment, not a breach"
        ),
        FindingKind::Conflict => format!(
            "{state} voted no on {draft}, on which the trusted assessors disagree (credible: seq \
             {}; not credible: seq {}): a conflict, reported and not resolved",
            by(true),
            by(false)
        ),
        FindingKind::VotedNoNotCredible => format!(
            "{state} voted no on {draft}, which the trusted assessors judged not credible (seq \
             {}): not a breach",
            by(false)
        ),
        FindingKind::NotBound => {
            format!("{state} voted no on {draft} before its adherence: not bound by this vote")
        }
        FindingKind::PossibleBreach => format!(
            "{state} voted no on {draft}, which the trusted assessors judged credible (seq {}): \
             possible breach: adherence date unknown (a breach if it had adhered by the vote)",
            by(true)
        ),
        FindingKind::AbstainedUnassessed => format!(
            "{state} abstained on {draft}, which no trusted assessor has assessed: abstention \
             is permitted by the Code whatever the draft"
        ),
    }
}

/// The compliance history: every vote in the view, the supporters that sat, and the
/// findings under `policy`; restricted to `states` when given.
pub fn compliance(
    view: &View,
    policy: &Policy,
    states: Option<&BTreeSet<StateCode>>,
) -> ComplianceReport {
    let votes: Vec<VoteCompliance> = compliance_votes(view, policy, states).collect();
    let mut report = compliance_header(view, policy, states);
    for v in &votes {
        report.counts.add_findings(v);
    }
    report.votes = votes;
    report
}

/// [`compliance`] without its votes but with their counts, and how many votes it has: for
/// writing a large report out vote by vote ([`compliance_votes`]) without holding it (one
/// pass over the votes, each computed and dropped). `progress` gets the number of the view's
/// votes done so far (out of `view.votes().len()`).
pub fn compliance_summary(
    view: &View,
    policy: &Policy,
    states: Option<&BTreeSet<StateCode>>,
    mut progress: impl FnMut(usize),
) -> (ComplianceReport, usize) {
    let mut report = compliance_header(view, policy, states);
    let mut n = 0;
    for v in compliance_votes(view, policy, states) {
        report.counts.add_findings(&v);
        n += 1;
        if n % 4096 == 0 {
            progress(n);
        }
    }
    (report, n)
}

/// The votes of [`compliance`], in report order (by date, then draft), each computed when it
/// is asked for.
pub fn compliance_votes<'a>(
    view: &'a View,
    policy: &'a Policy,
    states: Option<&'a BTreeSet<StateCode>>,
) -> impl Iterator<Item = VoteCompliance> + 'a {
    let mut order: Vec<VoteRef<'a>> = view.votes().values().collect();
    // Stable, as the report's order has always been: equal keys keep the view's order.
    order.sort_by_key(|r| (r.fact.date, r.fact.draft));
    let summary = policy.summary();
    order
        .into_iter()
        .filter_map(move |record| vote_compliance(view, policy, states, &summary, record))
}

fn compliance_header(
    view: &View,
    policy: &Policy,
    states: Option<&BTreeSet<StateCode>>,
) -> ComplianceReport {
    ComplianceReport {
        basis: view.basis().clone(),
        policy: policy.clone(),
        states: states.map(|s| s.iter().copied().collect()),
        no_adherence: states
            .into_iter()
            .flatten()
            .filter(|s| !view.adherences().contains_key(s))
            .copied()
            .collect(),
        counts: Counts::default(),
        votes: Vec::new(),
    }
}

/// One vote of the report (`None` when a state filter leaves no supporter in it).
fn vote_compliance(
    view: &View,
    policy: &Policy,
    states: Option<&BTreeSet<StateCode>>,
    summary: &PolicySummary,
    record: VoteRef<'_>,
) -> Option<VoteCompliance> {
    let wanted = |s: &StateCode| states.is_none_or(|set| set.contains(s));
    let v = &record.fact;
    let cred = credibility(view, policy, v.draft);
    let judged = v.date >= code_exists_from();
    let mut supporters = Vec::new();
    let mut findings = Vec::new();
    for m in v.votes {
        if !wanted(&m.state) {
            continue;
        }
        let standing = view.standing(m.state, v.date);
        let Some(adherence) = standing.adherence().cloned() else {
            continue;
        };
        let bound = standing.is_bound();
        let kind = if judged {
            classify(m.vote, Bound::of(&standing), cred.verdict)
        } else {
            None
        };
        if let Some(kind) = kind {
            findings.push(Finding {
                kind,
                state: m.state,
                name: m.state.name().to_string(),
                draft: v.draft,
                date: v.date,
                vote: m.vote,
                vote_seq: record.seq,
                vote_corrections: record.corrections.to_vec(),
                adherence,
                bound,
                verdict: cred.verdict,
                assessments: cred.seqs(),
                policy: summary.clone(),
                basis: format!(
                    "{}; {}",
                    explain(kind, m.state, v.draft, &cred),
                    standing.explain(v.date)
                ),
            });
        }
        supporters.push(SupporterVote {
            state: m.state,
            name: m.state.name().to_string(),
            vote: m.vote,
            standing,
        });
    }
    if states.is_some() && supporters.is_empty() {
        return None;
    }
    Some(VoteCompliance {
        status: if judged {
            JudgedStatus::Judged
        } else {
            JudgedStatus::BeforeTheCode
        },
        draft: v.draft,
        date: v.date,
        meeting: v.meeting(),
        procedural: v.procedural,
        seq: record.seq,
        corrections: record.corrections.to_vec(),
        result: View::vote_result(v),
        credibility: cred,
        supporters,
        findings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{AdherenceDate, Role};
    use crate::projection::testkit::*;
    use crate::projection::{Cutoff, TrustPolicy};

    #[test]
    fn classification_table() {
        use Bound as B;
        use FindingKind as F;
        use Verdict as V;
        assert_eq!(classify(Vote::No, B::Yes, V::Credible), Some(F::Breach));
        assert_eq!(
            classify(Vote::No, B::Unknown, V::Credible),
            Some(F::PossibleBreach)
        );
        for b in [B::Yes, B::Unknown] {
            assert_eq!(
                classify(Vote::No, b, V::NotCredible),
                Some(F::VotedNoNotCredible)
            );
            assert_eq!(classify(Vote::No, b, V::Conflict), Some(F::Conflict));
            assert_eq!(
                classify(Vote::No, b, V::Unassessed),
                Some(F::NeedsAssessment)
            );
            assert_eq!(
                classify(Vote::Abstain, b, V::Unassessed),
                Some(F::AbstainedUnassessed)
            );
        }
        assert_eq!(classify(Vote::No, B::No, V::Credible), Some(F::NotBound));
        for v in [V::Credible, V::NotCredible, V::Conflict] {
            assert_eq!(classify(Vote::Abstain, B::Yes, v), Some(F::Abstained));
            assert_eq!(classify(Vote::Abstain, B::Unknown, v), Some(F::Abstained));
        }
        for v in [V::Credible, V::NotCredible, V::Conflict, V::Unassessed] {
            assert_eq!(classify(Vote::Abstain, B::No, v), None);
            assert_eq!(classify(Vote::Yes, B::Yes, v), None);
            assert_eq!(classify(Vote::Absent, B::Yes, v), None);
        }
    }

    #[test]
    fn findings_cite_their_events() {
        let mut l = Log::new();
        let k = key(10);
        l.grant(k, Role::Assessor);
        let adh = l.fact(adherence("ALB", AdherenceDate::Exact(d("2015-10-23"))));
        l.fact(adherence("IRL", AdherenceDate::ListedBy(d("2023-01-01"))));
        l.fact(adherence("GAB", AdherenceDate::Exact(d("2015-10-23"))));
        let vote = l.fact(vote_all_yes(
            "S/2022/1",
            "2022-05-02",
            &[("ALB", Vote::No), ("IRL", Vote::No), ("GAB", Vote::Abstain)],
        ));
        let asm = l.fact_by(k, assessment("S/2022/1", true));
        let v = l.view(Cutoff::default());
        let policy = TrustPolicy::AllAssessors.resolve(&v);
        let r = compliance(&v, &policy, None);
        assert_eq!(r.counts.breach, 1);
        assert_eq!(r.counts.abstained, 1);
        // Ireland is listed only by 2023: a possible breach, never "not bound".
        assert_eq!((r.counts.not_bound, r.counts.possible_breach), (0, 1));
        let f: Vec<_> = r.findings().collect();
        assert_eq!(f[0].kind, FindingKind::Breach);
        assert_eq!((f[0].vote_seq, f[0].adherence.seq), (vote, adh));
        assert_eq!(f[0].assessments, vec![asm]);
        assert_eq!(f[0].policy.keys, vec![k]);
        assert_eq!(f[2].kind, FindingKind::PossibleBreach);
        assert!(
            f[2].basis
                .contains("possible breach: adherence date unknown"),
            "{}",
            f[2].basis
        );

        let only = BTreeSet::from([s("GAB")]);
        let r = compliance(&v, &policy, Some(&only));
        assert_eq!(r.findings().count(), 1);
        assert_eq!(r.votes[0].supporters.len(), 1);
        let none = BTreeSet::from([s("USA")]);
        assert!(compliance(&v, &policy, Some(&none)).votes.is_empty());
    }
}
