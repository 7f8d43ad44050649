//! UN document symbols: Security Council draft resolutions (`S/YYYY/N`) and other documents
//! such as meeting records (`S/PV.9143`, `A/ES-11/PV.12`) and press releases (`GA/12423`).

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// A Security Council document symbol of the form `S/YYYY/N`, as drafts are numbered
/// (e.g. `S/2022/720`). Encoded as `(year: u16, number: u32)`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DraftSymbol {
    year: u16,
    number: u32,
}

impl DraftSymbol {
    /// From year and number, checked (year 1946-9999, number 1-99999).
    pub fn new(year: u16, number: u32) -> Result<Self, ValueError> {
        if !(1946..=9999).contains(&year) || !(1..=99_999).contains(&number) {
            return Err(ValueError::DraftSymbol {
                value: format!("S/{year}/{number}"),
            });
        }
        Ok(Self { year, number })
    }
    /// The year in the symbol.
    pub fn year(&self) -> u16 {
        self.year
    }
    /// The serial number in the symbol.
    pub fn number(&self) -> u32 {
        self.number
    }

    /// The symbol of `year` and `number` taken from a valid symbol (the replayed view keeps
    /// them apart, `projection/compact.rs`), not validated again.
    pub(crate) fn from_valid_parts(year: u16, number: u32) -> Self {
        Self { year, number }
    }
}

impl FromStr for DraftSymbol {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let err = || ValueError::DraftSymbol {
            value: s.to_string(),
        };
        let rest = s.strip_prefix("S/").ok_or_else(err)?;
        let (y, n) = rest.split_once('/').ok_or_else(err)?;
        let digits =
            |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) && !t.starts_with('0');
        if y.len() != 4 || !digits(y) || !digits(n) || n.len() > 5 {
            return Err(err());
        }
        let year: u16 = y.parse().map_err(|_| err())?;
        let number: u32 = n.parse().map_err(|_| err())?;
        Self::new(year, number).map_err(|_| err())
    }
}

impl fmt::Display for DraftSymbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "S/{}/{}", self.year, self.number)
    }
}
impl fmt::Debug for DraftSymbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DraftSymbol({self})")
    }
}

impl Serialize for DraftSymbol {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(self)
        } else {
            (self.year, self.number).serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for DraftSymbol {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            String::deserialize(deserializer)?
                .parse()
                .map_err(de::Error::custom)
        } else {
            let (y, n) = <(u16, u32)>::deserialize(deserializer)?;
            Self::new(y, n).map_err(de::Error::custom)
        }
    }
}

/// Any UN document symbol: 3 to 64 ASCII characters from `A-Z a-z 0-9 / . - ( )`, starting
/// with an upper-case letter and containing a `/` (e.g. `S/PV.9143`, `A/76/PV.77`,
/// `A/ES-11/PV.12`, `GA/12423`, `A/RES/76/262`).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UnSymbol(String);

impl UnSymbol {
    /// A symbol that was an `UnSymbol` already (kept by the replayed view as plain bytes),
    /// not validated again.
    pub(crate) fn from_valid(s: &str) -> Self {
        Self(s.to_string())
    }

    /// Validates `s`.
    pub fn new(s: impl Into<String>) -> Result<Self, ValueError> {
        let s: String = s.into();
        let ok = (3..=64).contains(&s.len())
            && s.as_bytes()[0].is_ascii_uppercase()
            && s.contains('/')
            && !s.ends_with('/')
            && s.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'-' | b'(' | b')')
            });
        if ok {
            Ok(Self(s))
        } else {
            Err(ValueError::UnSymbol { value: s })
        }
    }
    /// The symbol.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for UnSymbol {
    type Error = ValueError;
    fn try_from(s: String) -> Result<Self, ValueError> {
        Self::new(s)
    }
}
impl From<UnSymbol> for String {
    fn from(u: UnSymbol) -> String {
        u.0
    }
}
impl FromStr for UnSymbol {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        Self::new(s)
    }
}
impl fmt::Display for UnSymbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl fmt::Debug for UnSymbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UnSymbol({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draft_symbols() {
        for ok in ["S/2015/508", "S/2016/1026", "S/2022/720"] {
            assert_eq!(ok.parse::<DraftSymbol>().unwrap().to_string(), ok);
        }
        for bad in [
            "S/2015/0508",
            "S/15/508",
            "s/2015/508",
            "S/2015/",
            "A/2015/508",
            "S/2015/508 ",
            "S/2015/5x8",
            "S/1900/1",
        ] {
            assert!(bad.parse::<DraftSymbol>().is_err(), "{bad}");
        }
    }

    #[test]
    fn un_symbols() {
        for ok in [
            "S/PV.9143",
            "A/76/PV.77",
            "A/ES-11/PV.12",
            "GA/12423",
            "A/RES/76/262",
        ] {
            assert!(UnSymbol::new(ok).is_ok(), "{ok}");
        }
        for bad in ["", "PV", "S/PV 9143", "s/pv.1", "S/PV.1<script>", "S/"] {
            assert!(UnSymbol::new(bad).is_err(), "{bad}");
        }
    }
}
