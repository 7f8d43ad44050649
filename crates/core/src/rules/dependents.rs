//! Corrections and the facts that depend on the corrected one: the log with a correction
//! applied must satisfy every rule for every fact that depends on the corrected fact.

use crate::date::Date;
use crate::error::RuleError;
use crate::state::StateCode;
use crate::symbol::DraftSymbol;
use crate::types::Seq;

use crate::event::CouncilVote;

use super::entries::{FactIndex, VoteEntry};
use super::facts::follows_veto;
use super::LedgerState;

impl LedgerState {
    /// A correction of the term recorded at `r` into `t`: every recorded vote keeps exactly
    /// the members of its day, so no vote may fall on a day whose membership the correction
    /// changes (the member would have voted without a seat, or the vote would lack it).
    pub(super) fn check_term_dependents(
        &self,
        t: &crate::event::CouncilTerm,
        r: Seq,
    ) -> Result<(), RuleError> {
        let Some((old_state, old)) = self
            .terms
            .iter()
            .find_map(|(s, ts)| ts.iter().find(|o| o.seq == r).map(|o| (*s, o)))
        else {
            return Ok(());
        };
        let others = |state: StateCode, day: Date| {
            self.terms
                .get(&state)
                .into_iter()
                .flatten()
                .any(|o| o.seq != r && o.from <= day && day <= o.to)
        };
        let mut votes: Vec<&VoteEntry> = self
            .large
            .all_votes()
            .filter(|v| {
                (old.from <= v.date && v.date <= old.to) || (t.from <= v.date && v.date <= t.to)
            })
            .collect();
        votes.sort_by_key(|v| v.seq);
        for v in votes {
            for state in [old_state, t.state] {
                let before = others(state, v.date)
                    || (state == old_state && old.from <= v.date && v.date <= old.to);
                let after = others(state, v.date)
                    || (state == t.state && t.from <= v.date && v.date <= t.to);
                if before != after {
                    let reason = if before {
                        RuleError::NotOnCouncil {
                            state,
                            name: state.name(),
                            date: v.date,
                        }
                    } else {
                        RuleError::MemberMissing {
                            date: v.date,
                            state,
                            name: state.name(),
                        }
                    };
                    return Err(RuleError::BreaksDependent {
                        target: r,
                        dependent: v.seq,
                        reason: Box::new(reason),
                    });
                }
            }
        }
        Ok(())
    }

    /// A correction of the draft or vote recorded at `r` that gives it another symbol than
    /// `draft`: the assessments of the old symbol must still concern a recorded draft.
    pub(super) fn check_draft_dependents(
        &self,
        draft: DraftSymbol,
        r: Seq,
    ) -> Result<(), RuleError> {
        let (old, still) = match self.fact(r) {
            Some(FactIndex::Draft(old)) => (*old, self.large.vote(*old).is_some()),
            Some(FactIndex::Vote(old)) => (*old, self.large.draft(*old).is_some()),
            _ => return Ok(()),
        };
        if old == draft || still {
            return Ok(());
        }
        let first = self.large.first_assessment_of(old);
        match first {
            Some(dependent) => Err(RuleError::BreaksDependent {
                target: r,
                dependent,
                reason: Box::new(RuleError::AssessedDraftUnknown { draft: old }),
            }),
            None => Ok(()),
        }
    }

    /// A correction of the vote recorded at `r` into `v`: every Assembly meeting that cites
    /// the old vote's veto must still follow it under the meeting rule ([`follows_veto`]:
    /// still a veto, on the day the meeting names, of a draft that still has this vote). The
    /// first meeting by seq that would not is named.
    pub(super) fn check_meeting_dependents(
        &self,
        v: &CouncilVote,
        r: Seq,
    ) -> Result<(), RuleError> {
        let Some(FactIndex::Vote(old)) = self.fact(r) else {
            return Ok(());
        };
        let corrected = VoteEntry::of(r, v);
        let vote = (*old == v.draft).then_some(&corrected);
        let mut cited: Vec<(Seq, Date)> = self.large.meetings_of(*old).cloned().unwrap_or_default();
        cited.sort();
        for (meeting, named) in cited {
            if let Err(reason) = follows_veto(*old, named, vote) {
                return Err(RuleError::BreaksDependent {
                    target: r,
                    dependent: meeting,
                    reason: Box::new(reason),
                });
            }
        }
        Ok(())
    }
}
