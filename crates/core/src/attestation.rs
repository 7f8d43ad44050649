//! The depositary's certified supporter list (format revision 3, docs/FORMAT.md §2 and
//! "Supporter list digest").
//!
//! The ledger holds the adherence letters it was given, so on its own it can say who is a
//! supporter but never who is not: its list may be partial. A [`SupporterListAttested`] fact,
//! signed by a depositary key, states that the depositary's published list of a day is
//! complete and names its states. It is admitted only when the ledger's own supporter list as
//! of that day is exactly that list ([`compare`]), and every later adherence or correction
//! must keep it so (`rules.rs`). After it, a state absent from the list on or before that day
//! is "not a supporter (per the depositary's list of DATE)" (`projection::Standing`).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::date::Date;
use crate::error::{RuleError, ValueError};
use crate::event::{required, strictly_sorted};
use crate::state::StateCode;
use crate::symbol::UnSymbol;
use crate::types::{Seq, Text};

/// The depositary's statement that its list of supporters of `list_date` is complete
/// (`Fact` variant 9, format revision 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupporterListAttested {
    /// The day the published list speaks for.
    pub list_date: Date,
    /// Number of supporters on it (equals `states.len()`).
    pub count: u16,
    /// [`list_digest`] of `states`: what a reader compares with the published list using
    /// standard tools alone (docs/FORMAT.md).
    pub digest: [u8; 32],
    /// The states on the list, strictly increasing by code.
    pub states: Vec<StateCode>,
    /// Where the list is published (URL).
    pub url: Text,
    /// The UN document that carries it, if any (e.g. `A/70/621`).
    pub document: Option<UnSymbol>,
    /// Free note.
    pub note: Text,
}

impl SupporterListAttested {
    /// An attestation of `states` (sorted and deduplicated here), with its count and digest.
    pub fn new(
        list_date: Date,
        states: impl IntoIterator<Item = StateCode>,
        url: Text,
        document: Option<UnSymbol>,
        note: Text,
    ) -> Result<Self, ValueError> {
        let states: Vec<StateCode> = states
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let count = u16::try_from(states.len())
            .map_err(|_| ValueError::Shape("a supporter list of more than 65,535 states".into()))?;
        let a = Self {
            list_date,
            count,
            digest: list_digest(&states),
            states,
            url,
            document,
            note,
        };
        a.check_shape()?;
        Ok(a)
    }

    /// Context-free checks (at decode): states strictly increasing, `count` their number,
    /// `digest` theirs, a URL given.
    pub fn check_shape(&self) -> Result<(), ValueError> {
        required(&self.url, "url")?;
        strictly_sorted(&self.states, "states")?;
        if usize::from(self.count) != self.states.len() {
            return Err(ValueError::Shape(format!(
                "the attested list counts {} supporters but names {}",
                self.count,
                self.states.len()
            )));
        }
        if self.digest != list_digest(&self.states) {
            return Err(ValueError::Shape(format!(
                "the attested digest {} is not the digest of the {} states named ({})",
                hex::encode(self.digest),
                self.states.len(),
                hex::encode(list_digest(&self.states))
            )));
        }
        Ok(())
    }

    /// The digest as 64 lower-case hex digits.
    pub fn digest_hex(&self) -> String {
        hex::encode(self.digest)
    }
}

/// The digest of a supporter list (docs/FORMAT.md "Supporter list digest"): SHA-256 over each
/// code's three ASCII bytes followed by a line feed (`0x0A`), in ascending byte order, no
/// duplicates — the bytes `LC_ALL=C sort -u` prints for a file of codes, so
/// `LC_ALL=C sort -u codes.txt | sha256sum` recomputes it. The empty list is SHA-256 of no bytes.
/// `codes` must be strictly increasing (as [`SupporterListAttested::states`] is).
pub fn list_digest(codes: &[StateCode]) -> [u8; 32] {
    let mut h = Sha256::new();
    for c in codes {
        h.update(c.as_str().as_bytes());
        h.update(b"\n");
    }
    h.finalize().into()
}

/// How an attested list differs from the ledger's: `listed_not_recorded` are on the
/// depositary's list with no adherence recorded by its day; `recorded_not_listed` have an
/// adherence recorded by that day but are not on the list. Both sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListDifference {
    /// On the attested list, not in the ledger's list of the day ("one too many").
    pub listed_not_recorded: Vec<StateCode>,
    /// In the ledger's list of the day, not on the attested list (missing from it).
    pub recorded_not_listed: Vec<StateCode>,
}

impl ListDifference {
    /// Whether the lists are the same.
    pub fn is_empty(&self) -> bool {
        self.listed_not_recorded.is_empty() && self.recorded_not_listed.is_empty()
    }
}

/// The difference between an attested list and the ledger's supporters of its day.
pub fn compare(
    attested: &[StateCode],
    ledger: impl IntoIterator<Item = StateCode>,
) -> ListDifference {
    let ours: BTreeSet<StateCode> = ledger.into_iter().collect();
    let theirs: BTreeSet<StateCode> = attested.iter().copied().collect();
    ListDifference {
        listed_not_recorded: theirs.difference(&ours).copied().collect(),
        recorded_not_listed: ours.difference(&theirs).copied().collect(),
    }
}

/// `"ALB (Albania), GHA (Ghana)"`, or `"none"`, for messages.
pub fn name_states(states: &[StateCode]) -> String {
    if states.is_empty() {
        return "none".into();
    }
    states
        .iter()
        .map(|s| format!("{s} ({})", s.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rule of admission (`rules.rs`): the ledger's supporters as of the list's day (`dates`:
/// each recorded supporter's adherence date, exact or listed-by) are exactly the attested
/// states.
pub(crate) fn check_list(
    a: &SupporterListAttested,
    dates: &BTreeMap<StateCode, Date>,
) -> Result<(), RuleError> {
    let ledger = dates
        .iter()
        .filter(|(_, d)| **d <= a.list_date)
        .map(|(s, _)| *s);
    let difference = compare(&a.states, ledger);
    if difference.is_empty() {
        Ok(())
    } else {
        Err(RuleError::AttestedListDiffers {
            date: a.list_date,
            difference,
        })
    }
}

/// The rule for an adherence after attestations (`rules.rs`): recording `new` (state, date),
/// in place of `old` for a correction, must leave every attested list (`attestations`: day
/// and seq) as it was.
pub(crate) fn check_adherence_change(
    attestations: &[(Date, Seq)],
    dates: &BTreeMap<StateCode, Date>,
    old: Option<StateCode>,
    new: (StateCode, Date),
) -> Result<(), RuleError> {
    for state in old.into_iter().chain([new.0]) {
        let before = dates.get(&state).copied();
        let after = (state == new.0).then_some(new.1);
        for (day, seq) in attestations {
            let was = before.is_some_and(|d| d <= *day);
            let is = after.is_some_and(|d| d <= *day);
            if was != is {
                return Err(RuleError::ContradictsAttestation {
                    state,
                    name: state.name(),
                    change: if is { "join" } else { "leave" },
                    list_date: *day,
                    attestation: *seq,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(c: &str) -> StateCode {
        c.parse().unwrap()
    }

    #[test]
    fn digest_is_sorted_codes_one_per_line() {
        // printf 'FRA\nGBR\n' | sha256sum
        assert_eq!(
            hex::encode(list_digest(&[s("FRA"), s("GBR")])),
            "1fec4f249e254f272c87c54faf343f01a8c34b768d929b3aa5a8519ca8fdcec9"
        );
        assert_eq!(
            hex::encode(list_digest(&[])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn shape_and_compare() {
        let url = Text::new("https://example.org/list").unwrap();
        let d = Date::from_ymd(2016, 9, 1).unwrap();
        let mut a = SupporterListAttested::new(
            d,
            [s("GBR"), s("FRA"), s("GBR")],
            url,
            None,
            Text::new("").unwrap(),
        )
        .unwrap();
        assert_eq!(a.count, 2);
        assert_eq!(a.states, vec![s("FRA"), s("GBR")]);
        a.count = 3;
        assert!(a.check_shape().is_err());
        a.count = 2;
        a.digest[0] ^= 1;
        assert!(a.check_shape().is_err());
        let diff = compare(&[s("FRA"), s("GBR")], [s("FRA"), s("MEX")]);
        assert_eq!(diff.listed_not_recorded, vec![s("GBR")]);
        assert_eq!(diff.recorded_not_listed, vec![s("MEX")]);
        assert!(compare(&[s("FRA")], [s("FRA")]).is_empty());
    }

    #[test]
    fn admission_and_later_adherences() {
        let d = |x: &str| x.parse::<Date>().unwrap();
        let dates = BTreeMap::from([(s("FRA"), d("2015-10-23")), (s("GBR"), d("2015-10-01"))]);
        let url = Text::new("https://example.org/list").unwrap();
        let list = |codes: &[&str], day: &str| {
            SupporterListAttested::new(
                d(day),
                codes.iter().map(|c| s(c)),
                url.clone(),
                None,
                Text::empty(),
            )
            .unwrap()
        };
        assert!(check_list(&list(&["FRA", "GBR"], "2016-01-01"), &dates).is_ok());
        // On 2015-10-01 FRA (dated 2015-10-23) was not yet on the ledger's list.
        assert!(check_list(&list(&["GBR"], "2015-10-01"), &dates).is_ok());
        match check_list(&list(&["BRA", "FRA", "GBR"], "2016-01-01"), &dates) {
            Err(RuleError::AttestedListDiffers { difference, .. }) => {
                assert_eq!(difference.listed_not_recorded, vec![s("BRA")]);
                assert!(difference.recorded_not_listed.is_empty());
            }
            other => panic!("{other:?}"),
        }
        let attested = [(d("2016-01-01"), Seq(9))];
        // A new letter dated before the list's day joins it: refused; after it: fine.
        let join = check_adherence_change(&attested, &dates, None, (s("ITA"), d("2015-12-01")));
        assert!(
            matches!(
                join,
                Err(RuleError::ContradictsAttestation { change: "join", .. })
            ),
            "{join:?}"
        );
        assert!(
            check_adherence_change(&attested, &dates, None, (s("ITA"), d("2016-01-02"))).is_ok()
        );
        // A correction moving FRA after the list's day makes it leave: refused; within: fine.
        let leave = check_adherence_change(
            &attested,
            &dates,
            Some(s("FRA")),
            (s("FRA"), d("2016-02-01")),
        );
        assert!(
            matches!(
                leave,
                Err(RuleError::ContradictsAttestation {
                    change: "leave",
                    ..
                })
            ),
            "{leave:?}"
        );
        assert!(check_adherence_change(
            &attested,
            &dates,
            Some(s("FRA")),
            (s("FRA"), d("2015-10-22"))
        )
        .is_ok());
        // A correction giving the letter to another state: the first leaves.
        assert!(check_adherence_change(
            &attested,
            &dates,
            Some(s("FRA")),
            (s("DEU"), d("2015-10-23"))
        )
        .is_err());
    }
}
