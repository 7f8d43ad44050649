//! Vote outcomes (derived from the `DraftTabled` and `VoteRecorded` facts): for every Council vote, the tally and the outcome computed from
//! the members' votes by [`crate::outcome::compute`] (adopted, vetoed and by whom, or failed).
//! Outcomes are never taken from input.

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::event::MemberVote;
use crate::outcome::VoteResult;
use crate::projection::{Basis, View};
use crate::symbol::{DraftSymbol, UnSymbol};
use crate::types::{Seq, Text};

/// Every vote in a view, sorted by date, then draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteList {
    /// The cut-offs and the part of the log this rests on.
    pub basis: Basis,
    /// The votes.
    pub votes: Vec<VoteOutcome>,
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

/// Every vote in the view with its computed outcome.
pub fn vote_outcomes(view: &View) -> VoteList {
    let mut votes: Vec<VoteOutcome> = view
        .votes()
        .values()
        .map(|r| {
            let v = &r.fact;
            VoteOutcome {
                draft: v.draft,
                subject: view.drafts().get(&v.draft).map(|d| d.fact.subject.clone()),
                date: v.date,
                meeting: v.meeting.clone(),
                procedural: v.procedural,
                result: View::vote_result(v),
                votes: v.votes.clone(),
                seq: r.seq,
                corrections: r.corrections.clone(),
            }
        })
        .collect();
    votes.sort_by_key(|v| (v.date, v.draft));
    VoteList {
        basis: view.basis().clone(),
        votes,
    }
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
