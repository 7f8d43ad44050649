//! Vote outcomes (derived from the `DraftTabled` and `VoteRecorded` facts): for every Council vote, the tally and the outcome computed from
//! the members' votes by [`crate::outcome::compute`] (adopted, vetoed and by whom, or failed).
//! Outcomes are never taken from input.

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::event::{MemberVote, Tally, TallyVote, VotedText};
use crate::outcome::{Outcome, VoteResult};
use crate::projection::{Basis, View};
use crate::state::StateCode;
use crate::symbol::{DraftSymbol, UnSymbol};
use crate::types::{Seq, Text};

/// Every vote in a view, sorted by date, then draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteList {
    /// The cut-offs and the part of the log this rests on.
    pub basis: Basis,
    /// The votes.
    pub votes: Vec<VoteOutcome>,
    /// Votes known only by their tally and the members against (drafts or amendments), by
    /// date; marked as such (`known_by: "tally"`).
    #[serde(default)]
    pub tally_votes: Vec<TallyVoteOutcome>,
}

/// One vote and its computed outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteOutcome {
    /// The draft voted on.
    pub draft: DraftSymbol,
    /// Its subject, when a `DraftTabled` fact records it.
    pub subject: Option<Text>,
    /// Day of the vote.
    pub date: Date,
    /// Meeting record, e.g. `S/PV.9143`.
    pub meeting: Option<UnSymbol>,
    /// Whether the vote was procedural (no veto applies).
    pub procedural: bool,
    /// Tally, members absent, and the outcome: `{"result": "adopted"}`,
    /// `{"result": "vetoed", "by": ["RUS"]}` or `{"result": "failed"}`.
    pub result: VoteResult,
    /// Each member's vote, sorted by state code.
    pub votes: Vec<MemberVote>,
    /// Sequence number of the `CouncilVote` event.
    pub seq: Seq,
    /// Corrections applied to it.
    pub corrections: Vec<Seq>,
}

/// A vote known only by its tally and the members against (format revision 2), with the
/// outcome computed from the tally when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TallyVoteOutcome {
    /// What was voted on (a draft, or an amendment naming the draft it amends).
    pub text: VotedText,
    /// `S/2022/720`, `amendment to S/…` or `amendment (no symbol)`.
    pub label: String,
    /// Day of the vote.
    pub date: Date,
    /// Meeting record.
    pub meeting: Option<UnSymbol>,
    /// Whether the vote was procedural.
    pub procedural: bool,
    /// The tally, when known.
    pub tally: Option<Tally>,
    /// The members voting against.
    pub against: Vec<StateCode>,
    /// The outcome computed from the tally (`None` when the tally is unknown).
    pub outcome: Option<Outcome>,
    /// The permanent members whose negative vote defeated the text: as computed, or, with no
    /// tally, the permanent members the source names against (reported, not computed).
    pub vetoed_by: Vec<StateCode>,
    /// Always `"tally"`: the members' votes are not all known. With `outcome` none and
    /// `vetoed_by` not empty, the veto is as reported, not computed.
    pub known_by: String,
    /// One sentence saying how the outcome is known.
    pub basis: String,
    /// Sequence number of the `TallyVote` event.
    pub seq: Seq,
    /// Corrections applied to it.
    pub corrections: Vec<Seq>,
}

/// The outcome of a tally vote, and who vetoed it (see [`TallyVoteOutcome`]).
pub fn tally_vote_outcome(seq: Seq, corrections: &[Seq], v: &TallyVote) -> TallyVoteOutcome {
    let outcome = v
        .tally
        .map(|t| crate::outcome::from_tally(t, &v.against, v.procedural));
    let reported: Vec<StateCode> = v
        .against
        .iter()
        .filter(|s| s.is_permanent_member())
        .copied()
        .collect();
    let (vetoed_by, basis) = match (&outcome, v.tally) {
        (Some(Outcome::Vetoed { by }), Some(t)) => (
            by.clone(),
            format!(
                "known by its tally {t} and the members against: {} in favour and a permanent \
                 member against: vetoed (computed, Charter Art. 27(3))",
                t.yes
            ),
        ),
        (Some(o), Some(t)) => (
            Vec::new(),
            format!("known by its tally {t}: {} (computed)", o.name()),
        ),
        _ if !reported.is_empty() && !v.procedural => (
            reported,
            "known only by the members against: vetoed as reported; the tally is unknown, so \
             the outcome is not computed"
                .to_string(),
        ),
        _ => (
            Vec::new(),
            "known only by the members against: the tally is unknown, so the outcome is not \
             computed"
                .to_string(),
        ),
    };
    TallyVoteOutcome {
        label: v.text.label(),
        text: v.text.clone(),
        date: v.date,
        meeting: v.meeting.clone(),
        procedural: v.procedural,
        tally: v.tally,
        against: v.against.clone(),
        outcome,
        vetoed_by,
        known_by: "tally".to_string(),
        basis,
        seq,
        corrections: corrections.to_vec(),
    }
}

/// Every vote in the view with its computed outcome.
pub fn vote_outcomes(view: &View) -> VoteList {
    VoteList {
        basis: view.basis().clone(),
        votes: vote_outcomes_iter(view).collect(),
        tally_votes: tally_vote_outcomes(view),
    }
}

/// The votes of [`vote_outcomes`], in its order (by date, then draft), computed one at a
/// time as they are asked for: what a large report writes without holding it.
pub fn vote_outcomes_iter(view: &View) -> impl Iterator<Item = VoteOutcome> + '_ {
    let mut order: Vec<crate::projection::VoteRef<'_>> = view.votes().values().collect();
    // Stable: equal keys keep the view's (draft) order, as the sort of the outcomes did.
    order.sort_by_key(|r| (r.fact.date, r.fact.draft));
    order.into_iter().map(move |r| {
        let v = &r.fact;
        VoteOutcome {
            draft: v.draft,
            subject: view
                .drafts()
                .get(&v.draft)
                .map(|d| Text::from_valid(d.fact.subject())),
            date: v.date,
            meeting: v.meeting(),
            procedural: v.procedural,
            result: View::vote_result(v),
            votes: v.votes.to_vec(),
            seq: r.seq,
            corrections: r.corrections.to_vec(),
        }
    })
}

/// The votes known only by their tally, as [`vote_outcomes`] lists them.
pub fn tally_vote_outcomes(view: &View) -> Vec<TallyVoteOutcome> {
    view.tally_votes()
        .iter()
        .map(|r| tally_vote_outcome(r.seq, &r.corrections, &r.fact))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Vote;
    use crate::outcome::Outcome;
    use crate::projection::testkit::*;
    use crate::projection::Cutoff;

    #[test]
    fn outcomes_are_computed() {
        let mut l = Log::new();
        let no8 = [
            ("RUS", Vote::No),
            ("ALB", Vote::Abstain),
            ("ARE", Vote::Abstain),
            ("BRA", Vote::Abstain),
            ("GAB", Vote::Abstain),
            ("GHA", Vote::Abstain),
            ("IND", Vote::Abstain),
        ];
        l.fact(vote_all_yes("S/2022/2", "2022-05-02", &no8));
        let v = l.fact(vote_all_yes("S/2022/1", "2022-05-02", &[("RUS", Vote::No)]));
        l.fact(vote_all_yes("S/2022/3", "2022-05-01", &[]));
        let list = vote_outcomes(&l.view(Cutoff::default()));
        let drafts: Vec<_> = list.votes.iter().map(|v| v.draft.to_string()).collect();
        assert_eq!(drafts, ["S/2022/3", "S/2022/1", "S/2022/2"]);
        assert_eq!(list.votes[0].result.outcome, Outcome::Adopted);
        assert_eq!(
            list.votes[1].result.outcome,
            Outcome::Vetoed { by: vec![s("RUS")] }
        );
        assert_eq!(list.votes[1].seq, v);
        // A permanent member's no with only 8 in favour is not a veto.
        assert_eq!(list.votes[2].result.tally.yes, 8);
        assert_eq!(list.votes[2].result.outcome, Outcome::Failed);
        let json = serde_json::to_value(&list).unwrap();
        assert_eq!(json["votes"][1]["result"]["outcome"]["result"], "vetoed");
        assert_eq!(json["votes"][1]["result"]["outcome"]["by"][0], "RUS");
    }
}
