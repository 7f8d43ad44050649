//! ISO 3166-1 alpha-3 codes of the states that can adhere to the Code or sit on the Council:
//! the 193 UN member states and the 2 non-member observer states.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use crate::error::ValueError;
pub use crate::un_members::UnStatus;
use crate::un_members::UN_STATES;

/// A state code that is known to be a UN member or observer (it can hold nothing else).
/// Encoded as its 3 ASCII bytes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StateCode([u8; 3]);

/// The five permanent members of the Security Council (Charter Art. 23): China, France,
/// the Russian Federation, the United Kingdom and the United States.
pub const PERMANENT_MEMBERS: [&str; 5] = ["CHN", "FRA", "GBR", "RUS", "USA"];

impl StateCode {
    /// Position of `code` in the table: one load from a 26³-entry map of upper-case codes
    /// (state codes are checked for every member of every decoded vote).
    fn index(code: &[u8]) -> Option<usize> {
        static SLOTS: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        fn slot(code: &[u8]) -> Option<usize> {
            match code {
                [a @ b'A'..=b'Z', b @ b'A'..=b'Z', c @ b'A'..=b'Z'] => Some(
                    usize::from(a - b'A') * 676
                        + usize::from(b - b'A') * 26
                        + usize::from(c - b'A'),
                ),
                _ => None,
            }
        }
        let slots = SLOTS.get_or_init(|| {
            // Entry = table position + 1 (0 = not a state); the table has fewer than 255 rows.
            let mut t = vec![0u8; 26 * 26 * 26];
            for (i, (c, _, _)) in UN_STATES.iter().enumerate() {
                if let (Some(s), Ok(v)) = (slot(c.as_bytes()), u8::try_from(i + 1)) {
                    t[s] = v;
                }
            }
            t
        });
        let v = *slots.get(slot(code)?)?;
        (v != 0).then(|| usize::from(v) - 1)
    }

    pub(crate) fn from_bytes(b: [u8; 3]) -> Result<Self, ValueError> {
        match Self::index(&b) {
            Some(_) => Ok(Self(b)),
            None => Err(ValueError::StateCode {
                value: String::from_utf8_lossy(&b).into_owned(),
            }),
        }
    }

    /// Its position in the table of states (fewer than 255 rows), in one byte: how the
    /// replayed view packs a member's vote (`projection/compact.rs`). Every `StateCode` is
    /// in the table; `u8::MAX` would name none.
    pub(crate) fn position(&self) -> u8 {
        Self::index(&self.0)
            .and_then(|i| u8::try_from(i).ok())
            .unwrap_or(u8::MAX)
    }

    /// The state at `position` in the table ([`StateCode::position`]), if any.
    pub(crate) fn at_position(position: u8) -> Option<StateCode> {
        let (code, _, _) = UN_STATES.get(usize::from(position))?;
        Some(StateCode(code.as_bytes().try_into().ok()?))
    }

    /// The code, e.g. `FRA`.
    pub fn as_str(&self) -> &str {
        // Only codes from the table are constructed, and they are ASCII.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// The state's name as the UN lists it.
    pub fn name(&self) -> &'static str {
        Self::index(&self.0).map_or("?", |i| UN_STATES[i].1)
    }

    /// Member or observer.
    pub fn status(&self) -> UnStatus {
        Self::index(&self.0).map_or(UnStatus::Member, |i| UN_STATES[i].2)
    }

    /// Whether the state holds a permanent seat on the Security Council (Charter Art. 23).
    pub fn is_permanent_member(&self) -> bool {
        PERMANENT_MEMBERS.contains(&self.as_str())
    }

    /// Every known state, sorted by code.
    pub fn all() -> impl Iterator<Item = StateCode> {
        UN_STATES.iter().filter_map(|(c, _, _)| {
            let b: [u8; 3] = c.as_bytes().try_into().ok()?;
            Some(StateCode(b))
        })
    }

    /// Finds a state by its name as `data/un_members.csv` writes it: case-insensitive, with
    /// runs of white space (a line break pasted from a PDF included) as one space and a
    /// typographic apostrophe (U+2019) as `'`.
    pub fn from_name(name: &str) -> Option<StateCode> {
        static BY_NAME: std::sync::OnceLock<std::collections::HashMap<String, StateCode>> =
            std::sync::OnceLock::new();
        BY_NAME
            .get_or_init(|| Self::all().map(|s| (normalize_name(s.name()), s)).collect())
            .get(&normalize_name(name))
            .copied()
    }

    /// A state named by its ISO 3166-1 alpha-3 code (any case) or by its name
    /// ([`StateCode::from_name`]), as a published list may give it.
    pub fn from_code_or_name(value: &str) -> Option<StateCode> {
        let v = value.trim();
        v.to_ascii_uppercase()
            .parse()
            .ok()
            .filter(|_| v.len() == 3)
            .or_else(|| Self::from_name(v))
    }
}

/// A name for comparison: lower case, white space runs as one space, `’` as `'`.
fn normalize_name(name: &str) -> String {
    name.replace('\u{2019}', "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl FromStr for StateCode {
    type Err = ValueError;
    /// Parses an upper-case alpha-3 code.
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let b: [u8; 3] = s.as_bytes().try_into().map_err(|_| ValueError::StateCode {
            value: s.to_string(),
        })?;
        Self::from_bytes(b)
    }
}

impl fmt::Display for StateCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
impl fmt::Debug for StateCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StateCode({})", self.as_str())
    }
}

impl Serialize for StateCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.serialize_str(self.as_str())
        } else {
            self.0.serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for StateCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let s = String::deserialize(deserializer)?;
            s.parse().map_err(de::Error::custom)
        } else {
            let b = <[u8; 3]>::deserialize(deserializer)?;
            Self::from_bytes(b).map_err(de::Error::custom)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_lookup_agrees_with_the_table() {
        for a in 0u8..=255 {
            for code in [[a, b'U', b'S'], [b'F', a, b'A'], [b'G', b'B', a]] {
                let want = UN_STATES
                    .binary_search_by(|(c, _, _)| c.as_bytes().cmp(&code[..]))
                    .ok();
                assert_eq!(StateCode::index(&code), want, "{code:?}");
            }
        }
        for (i, (c, _, _)) in UN_STATES.iter().enumerate() {
            assert_eq!(StateCode::index(c.as_bytes()), Some(i));
        }
        assert_eq!(StateCode::index(b"ZZZ"), None);
        assert_eq!(StateCode::index(b"US"), None);
    }

    #[test]
    fn table_is_sorted_and_complete() {
        assert_eq!(UN_STATES.len(), 195);
        assert!(UN_STATES.windows(2).all(|w| w[0].0 < w[1].0));
        let observers: Vec<_> = StateCode::all()
            .filter(|s| s.status() == UnStatus::Observer)
            .map(|s| s.to_string())
            .collect();
        assert_eq!(observers, ["PSE", "VAT"]);
    }

    #[test]
    fn parse() {
        assert_eq!("FRA".parse::<StateCode>().unwrap().name(), "France");
        for bad in ["fra", "XXX", "FR", "FRAN", "TWN", ""] {
            assert!(bad.parse::<StateCode>().is_err(), "{bad}");
        }
        assert!("RUS".parse::<StateCode>().unwrap().is_permanent_member());
        assert!(!"DEU".parse::<StateCode>().unwrap().is_permanent_member());
    }
}
