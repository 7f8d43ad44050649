//! The Security Council on a given day: its members from the `CouncilTerm` facts,
//! with each one's seat and standing under the Code that day.

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::event::Seat;
use crate::projection::{Basis, Standing, View};
use crate::state::StateCode;
use crate::types::Seq;

/// The Council on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Council {
    /// The cut-offs and the part of the log this rests on.
    pub basis: Basis,
    /// The day.
    pub date: Date,
    /// Number of members recorded that day.
    pub count: usize,
    /// Whether the 15 seats are all recorded (5 permanent, 10 elected).
    pub complete: bool,
    /// How many members were bound by the Code that day.
    pub supporters: usize,
    /// Members: permanent first, then elected, each sorted by state code.
    pub members: Vec<Member>,
}

/// A member of the Council on the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// ISO 3166-1 alpha-3 code.
    pub state: StateCode,
    /// Name as the UN lists it.
    pub name: String,
    /// `permanent` or `elected`.
    pub seat: Seat,
    /// First day of the term.
    pub from: Date,
    /// Last day of the term, as recorded.
    pub to: Date,
    /// Sequence number of the `CouncilTerm` event.
    pub term_seq: Seq,
    /// Corrections applied to the term.
    pub term_corrections: Vec<Seq>,
    /// Its standing under the Code on the day (`status`: `supporter`, `adhered-later`,
    /// `listed-later`, `no-adherence-recorded` or `not-a-supporter`, with the adherence event
    /// or the attested list).
    pub standing: Standing,
}

/// The members on `date`, from the terms in the view.
pub fn council_on(view: &View, date: Date) -> Council {
    let mut members: Vec<Member> = view
        .council_terms_on(date)
        .into_iter()
        .map(|(state, t)| Member {
            state,
            name: state.name().to_string(),
            seat: t.fact.seat,
            from: t.fact.from,
            to: t.fact.to,
            term_seq: t.seq,
            term_corrections: t.corrections.clone(),
            standing: view.standing(state, date),
        })
        .collect();
    members.sort_by_key(|m| (m.seat == Seat::Elected, m.state));
    let permanent = members.iter().filter(|m| m.seat == Seat::Permanent).count();
    Council {
        basis: view.basis().clone(),
        date,
        count: members.len(),
        complete: members.len() == 15 && permanent == 5,
        supporters: members.iter().filter(|m| m.standing.is_bound()).count(),
        members,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::AdherenceDate;
    use crate::projection::testkit::*;
    use crate::projection::Cutoff;

    #[test]
    fn members_seats_and_standing() {
        let mut l = Log::new();
        l.fact(term("USA", "1946-01-01", "9999-12-31"));
        let alb = l.fact(term("ALB", "2022-01-01", "2023-12-31"));
        l.fact(term("BRA", "2024-01-01", "2025-12-31"));
        l.fact(adherence("ALB", AdherenceDate::Exact(d("2015-10-23"))));
        l.fact(adherence("USA", AdherenceDate::ListedBy(d("2030-01-01"))));
        let c = council_on(&l.view(Cutoff::default()), d("2023-06-01"));
        assert_eq!(c.count, 2);
        assert!(!c.complete);
        assert_eq!(c.members[0].state, s("USA"));
        assert_eq!(c.members[0].seat, Seat::Permanent);
        assert!(matches!(
            c.members[0].standing,
            Standing::ListedLater { .. }
        ));
        assert_eq!(c.members[1].state, s("ALB"));
        assert_eq!(c.members[1].term_seq, alb);
        assert!(c.members[1].standing.is_bound());
        assert_eq!(c.supporters, 1);
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["members"][1]["standing"]["status"], "supporter");
        assert_eq!(json["members"][0]["standing"]["status"], "listed-later");
        // Term boundaries are inclusive.
        let c = council_on(&l.view(Cutoff::default()), d("2023-12-31"));
        assert_eq!(c.count, 2);
        let c = council_on(&l.view(Cutoff::default()), d("2024-01-01"));
        assert_eq!(
            c.members
                .iter()
                .map(|m| m.state.as_str())
                .collect::<Vec<_>>(),
            ["USA", "BRA"]
        );
    }
}
