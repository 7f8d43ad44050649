//! The outcome of a Security Council vote, computed from the members' votes (Charter Art. 27).
//!
//! Non-procedural decisions need nine affirmative votes and no negative vote of a permanent
//! member (Art. 27(3)); procedural ones need nine affirmative votes (Art. 27(2)) and no veto
//! applies. A draft with fewer than nine votes in favour fails, whatever the permanent members
//! did: that is not a veto.

use serde::{Deserialize, Serialize};

use crate::event::{MemberVote, Tally, Vote};
use crate::state::StateCode;

/// Affirmative votes needed to adopt (Art. 27(2)-(3)).
pub const VOTES_NEEDED: u8 = 9;

/// What a vote decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "result")]
pub enum Outcome {
    /// At least nine in favour, and no veto.
    Adopted,
    /// At least nine in favour, but one or more permanent members voted no.
    Vetoed {
        /// The permanent members that voted no, sorted.
        by: Vec<StateCode>,
    },
    /// Fewer than nine in favour.
    Failed,
}

impl Outcome {
    /// `adopted`, `vetoed` or `failed`.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Adopted => "adopted",
            Outcome::Vetoed { .. } => "vetoed",
            Outcome::Failed => "failed",
        }
    }
}

/// The count and outcome of a vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteResult {
    /// Yes, no, abstain.
    pub tally: Tally,
    /// Members that did not participate.
    pub absent: u8,
    /// The decision.
    pub outcome: Outcome,
}

/// The outcome of a vote known only by its tally and the members against (Charter Art. 27):
/// at least nine in favour and, on a non-procedural text, no permanent member against:
/// adopted; with permanent members against: vetoed by them; fewer than nine: failed.
pub fn from_tally(tally: Tally, against: &[StateCode], procedural: bool) -> Outcome {
    if tally.yes < VOTES_NEEDED {
        return Outcome::Failed;
    }
    let by: Vec<StateCode> = against
        .iter()
        .filter(|s| s.is_permanent_member())
        .copied()
        .collect();
    if procedural || by.is_empty() {
        Outcome::Adopted
    } else {
        Outcome::Vetoed { by }
    }
}

/// Computes the tally and outcome of a vote.
pub fn compute(votes: &[MemberVote], procedural: bool) -> VoteResult {
    compute_from(votes.iter().copied(), procedural)
}

/// [`compute`] of the members' votes given one by one (the replayed view keeps them packed).
pub fn compute_from(votes: impl IntoIterator<Item = MemberVote>, procedural: bool) -> VoteResult {
    let mut counts = [0usize; 4];
    let mut vetoers: Vec<StateCode> = Vec::new();
    for m in votes {
        let i = match m.vote {
            Vote::Yes => 0,
            Vote::No => 1,
            Vote::Abstain => 2,
            Vote::Absent => 3,
        };
        if let Some(c) = counts.get_mut(i) {
            *c += 1;
        }
        if m.vote == Vote::No && m.state.is_permanent_member() {
            vetoers.push(m.state);
        }
    }
    let count = |i: usize| u8::try_from(counts.get(i).copied().unwrap_or(0)).unwrap_or(u8::MAX);
    let tally = Tally {
        yes: count(0),
        no: count(1),
        abstain: count(2),
    };
    let absent = count(3);
    vetoers.sort();
    let outcome = if tally.yes < VOTES_NEEDED {
        Outcome::Failed
    } else if procedural || vetoers.is_empty() {
        Outcome::Adopted
    } else {
        Outcome::Vetoed { by: vetoers }
    };
    VoteResult {
        tally,
        absent,
        outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn votes(spec: &[(&str, Vote)]) -> Vec<MemberVote> {
        spec.iter()
            .map(|(s, v)| MemberVote {
                state: s.parse().unwrap(),
                vote: *v,
            })
            .collect()
    }

    const E10: [&str; 10] = [
        "ALB", "BRA", "GAB", "GHA", "IND", "IRL", "KEN", "MEX", "NOR", "ARE",
    ];

    fn council(p5: [Vote; 5], e10_yes: usize) -> Vec<MemberVote> {
        let mut spec: Vec<(&str, Vote)> = ["CHN", "FRA", "GBR", "RUS", "USA"]
            .into_iter()
            .zip(p5)
            .collect();
        for (i, s) in E10.iter().enumerate() {
            spec.push((
                s,
                if i < e10_yes {
                    Vote::Yes
                } else {
                    Vote::Abstain
                },
            ));
        }
        votes(&spec)
    }

    #[test]
    fn veto_needs_nine_in_favour() {
        use Vote::*;
        // S/2022/720: 10 in favour, Russia against, 4 abstain -> vetoed by RUS.
        let r = compute(&council([Abstain, Yes, Yes, No, Yes], 7), false);
        assert_eq!(
            r.tally,
            Tally {
                yes: 10,
                no: 1,
                abstain: 4
            }
        );
        assert_eq!(
            r.outcome,
            Outcome::Vetoed {
                by: vec!["RUS".parse().unwrap()]
            }
        );
        // A permanent member's no with only 8 in favour is not a veto.
        let r = compute(&council([Abstain, Yes, Yes, No, Yes], 5), false);
        assert_eq!(r.tally.yes, 8);
        assert_eq!(r.outcome, Outcome::Failed);
        // Procedural: no veto.
        let r = compute(&council([No, Yes, Yes, No, Yes], 7), true);
        assert_eq!(r.outcome, Outcome::Adopted);
        // Permanent abstention is not a veto.
        let r = compute(&council([Abstain, Yes, Yes, Abstain, Yes], 7), false);
        assert_eq!(r.outcome, Outcome::Adopted);
        // Two vetoes are named, sorted.
        let r = compute(&council([No, Yes, Yes, No, Yes], 10), false);
        assert_eq!(
            r.outcome,
            Outcome::Vetoed {
                by: vec!["CHN".parse().unwrap(), "RUS".parse().unwrap()]
            }
        );
    }
}
