//! The small index entries the rules keep per fact (not the events themselves).

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::event::{CouncilVote, ReportedVote, Seat, Tally};
use crate::outcome::{self, Outcome, VoteResult};
use crate::state::{StateCode, PERMANENT_MEMBERS};
use crate::symbol::DraftSymbol;
use crate::types::{PublicKey, Seq};

/// Index entry kept for a fact so a later correction can find and replace it. 16 bytes: the
/// rare variants with large keys are boxed, because a ledger holds one entry per fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum FactIndex {
    Adherence(StateCode),
    Term(StateCode),
    Draft(DraftSymbol),
    Vote(DraftSymbol),
    Assessment(Box<(DraftSymbol, PublicKey)>),
    Meeting,
    Calendar(Box<(String, u16)>),
    /// A vote known by its tally (format revision 2): its day and its text's label.
    TallyVote(Box<(Date, String)>),
    /// A supporter list attestation (format revision 3): its list's day.
    Attestation(Date),
}

/// A set of permanent members (bit `i` = [`PERMANENT_MEMBERS`]`[i]`, in sorted order): who
/// vetoed a draft, as computed or as reported. Vetoers are permanent members by construction
/// (computed) and by the shape check (reported); any other state would set bit 7, which no
/// computed set has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(super) struct P5Set(u8);

impl P5Set {
    pub(super) fn of(states: &[StateCode]) -> Self {
        Self(states.iter().fold(0, |bits, s| {
            bits | PERMANENT_MEMBERS
                .iter()
                .position(|p| *p == s.as_str())
                .map_or(0x80, |i| 1 << i)
        }))
    }

    /// The members, sorted ("none" when empty), for messages.
    pub(super) fn show(self) -> String {
        let names: Vec<&str> = PERMANENT_MEMBERS
            .iter()
            .enumerate()
            .filter(|(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, p)| *p)
            .collect();
        if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        }
    }
}

/// What a recorded vote decided, as the rules need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum Decided {
    Adopted,
    Vetoed(P5Set),
    Failed,
}

impl Decided {
    pub(super) fn of(outcome: &Outcome) -> Self {
        match outcome {
            Outcome::Adopted => Self::Adopted,
            Outcome::Vetoed { by } => Self::Vetoed(P5Set::of(by)),
            Outcome::Failed => Self::Failed,
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Self::Adopted => "adopted",
            Self::Vetoed(_) => "vetoed",
            Self::Failed => "failed",
        }
    }

    pub(super) fn vetoers(self) -> P5Set {
        match self {
            Self::Vetoed(by) => by,
            _ => P5Set::default(),
        }
    }
}

/// A recorded vote, as the rules need it (24 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct VoteEntry {
    pub(super) seq: Seq,
    pub(super) date: Date,
    pub(super) tally: Tally,
    pub(super) decided: Decided,
}

impl VoteEntry {
    pub(super) fn of(seq: Seq, v: &CouncilVote) -> Self {
        let r: VoteResult = outcome::compute(&v.votes, v.procedural);
        Self {
            seq,
            date: v.date,
            tally: r.tally,
            decided: Decided::of(&r.outcome),
        }
    }
}

/// The vote a draft's source reports, as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Reported {
    pub(super) date: Date,
    pub(super) tally: Option<Tally>,
    pub(super) vetoed_by: P5Set,
}

impl Reported {
    pub(super) fn of(r: &ReportedVote) -> Self {
        Self {
            date: r.date,
            tally: r.tally,
            vetoed_by: P5Set::of(&r.vetoed_by),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct TermEntry {
    pub(super) seq: Seq,
    pub(super) seat: Seat,
    pub(super) from: Date,
    pub(super) to: Date,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(s: &[&str]) -> Vec<StateCode> {
        s.iter()
            .map(|c| c.parse().unwrap_or_else(|_| panic!("{c}")))
            .collect()
    }

    #[test]
    fn p5_sets_keep_who_vetoed() {
        assert_eq!(P5Set::of(&[]).show(), "none");
        assert_eq!(P5Set::of(&codes(&["RUS", "CHN"])).show(), "CHN, RUS");
        assert_eq!(P5Set::of(&codes(&["USA"])), P5Set::of(&codes(&["USA"])));
        assert_ne!(P5Set::of(&codes(&["USA"])), P5Set::of(&codes(&["GBR"])));
        // A state that is not a permanent member never matches a computed set.
        assert_ne!(P5Set::of(&codes(&["DEU"])), P5Set::of(&[]));
    }

    #[test]
    fn per_fact_entries_stay_small() {
        // One of each per fact in a ledger of millions of events.
        let sizes = [
            std::mem::size_of::<Option<FactIndex>>(),
            std::mem::size_of::<VoteEntry>(),
            std::mem::size_of::<(Seq, Option<Reported>)>(),
        ];
        assert!(
            sizes[0] <= 16 && sizes[1] <= 24 && sizes[2] <= 24,
            "{sizes:?}"
        );
    }
}
