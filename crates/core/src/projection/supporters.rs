//! The supporter list: every state whose adherence is in the view, with the event
//! it rests on.

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::event::Instrument;
use crate::projection::{Basis, ListCoverage, ListRef, Precision, View};
use crate::state::StateCode;
use crate::types::{Seq, Text};

/// The supporters in a view, sorted by state code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupporterList {
    /// The cut-offs and the part of the log this rests on.
    pub basis: Basis,
    /// Number of supporters.
    pub count: usize,
    /// Supporters, sorted by state code.
    pub supporters: Vec<Supporter>,
    /// The depositary's attested lists in the view (format revision 3), in log order; each
    /// was admitted only when this list as of its day was exactly the attested one.
    #[serde(default)]
    pub attestations: Vec<ListRef>,
    /// Whether this list is complete for its day (the `as_of` cut-off, else the day of the
    /// last event): attested, or possibly partial. `None` for an empty view.
    #[serde(default)]
    pub coverage: Option<ListCoverage>,
}

/// One supporter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supporter {
    /// ISO 3166-1 alpha-3 code.
    pub state: StateCode,
    /// Name as the UN lists it.
    pub name: String,
    /// Date of adherence: the letter's date, or the day a source listed the state by.
    pub date: Date,
    /// `exact` or `listed-by` (an upper bound).
    pub precision: Precision,
    /// When the depositary received the letter, if known.
    pub received: Option<Date>,
    /// `letter`, `note-verbale` or `unspecified`.
    #[serde(with = "super::instrument_name")]
    pub instrument: Instrument,
    /// The letter's reference (may be empty).
    pub reference: Text,
    /// Where the fact comes from.
    pub source: Text,
    /// Sequence number of the `AdherenceLetter` event.
    pub seq: Seq,
    /// Sequence numbers of the corrections applied to it.
    pub corrections: Vec<Seq>,
}

/// The supporters in the view (its `as_of` keeps those whose date, exact or listed-by, is on or
/// before that day).
pub fn supporters(view: &View) -> SupporterList {
    let supporters: Vec<Supporter> = view
        .adherences()
        .iter()
        .map(|(state, r)| {
            let a = &r.fact;
            Supporter {
                state: *state,
                name: state.name().to_string(),
                date: a.date.date(),
                precision: Precision::of(a.date),
                received: a.received,
                instrument: a.instrument,
                reference: a.reference.clone(),
                source: a.source.clone(),
                seq: r.seq,
                corrections: r.corrections.clone(),
            }
        })
        .collect();
    SupporterList {
        basis: view.basis().clone(),
        count: supporters.len(),
        supporters,
        attestations: view.attestations().iter().map(ListRef::of).collect(),
        coverage: view.reference_date().map(|d| ListCoverage::of(view, d)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::AdherenceDate;
    use crate::projection::testkit::*;
    use crate::projection::Cutoff;

    #[test]
    fn lists_with_precision_and_seqs() {
        let mut l = Log::new();
        let g = l.fact(adherence("GBR", AdherenceDate::ListedBy(d("2015-09-01"))));
        let f = l.fact(adherence("FRA", AdherenceDate::Exact(d("2015-10-23"))));
        let c = l.correct(f, adherence("FRA", AdherenceDate::Exact(d("2015-10-22"))));
        let list = supporters(&l.view(Cutoff::default()));
        assert_eq!(list.count, 2);
        assert_eq!(list.supporters[0].state, s("FRA"));
        assert_eq!(list.supporters[0].date, d("2015-10-22"));
        assert_eq!(list.supporters[0].precision, Precision::Exact);
        assert_eq!(
            (
                list.supporters[0].seq,
                list.supporters[0].corrections.clone()
            ),
            (f, vec![c])
        );
        assert_eq!(list.supporters[1].precision, Precision::ListedBy);
        assert_eq!(list.supporters[1].seq, g);
        let json = serde_json::to_value(&list).unwrap();
        assert_eq!(json["supporters"][0]["instrument"], "note-verbale");
        assert_eq!(json["supporters"][1]["precision"], "listed-by");
        let back: SupporterList = serde_json::from_value(json).unwrap();
        assert_eq!(back, list);

        let early = supporters(&l.view(Cutoff {
            at_seq: None,
            as_of: Some(d("2015-10-01")),
        }));
        assert_eq!(early.count, 1);
        assert_eq!(early.supporters[0].state, s("GBR"));
    }
}
