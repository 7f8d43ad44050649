//! Calendar dates (proleptic Gregorian, no time zone), as written in UN documents.
//!
//! Encoded as `(year: u16, month: u8, day: u8)`; shown and parsed as ISO 8601 `YYYY-MM-DD`.
//! Date arithmetic is delegated to the `time` crate.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// Earliest date the ledger accepts (the UN Charter entered into force on 1945-10-24).
pub const MIN_YEAR: i32 = 1945;
/// Latest year the ledger accepts.
pub const MAX_YEAR: i32 = 9999;

/// A calendar day.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(time::Date);

impl Date {
    /// From year, month (1-12) and day (1-31), checked.
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Result<Self, ValueError> {
        // The message's text is only built on failure (every decoded date passes here).
        let value = || format!("{year:04}-{month:02}-{day:02}");
        let m = time::Month::try_from(month).map_err(|_| ValueError::Date {
            value: value(),
            reason: "month must be 01 to 12",
        })?;
        let d = time::Date::from_calendar_date(year, m, day).map_err(|_| ValueError::Date {
            value: value(),
            reason: "no such day in that month",
        })?;
        Self::from_time(d)
    }

    /// From a `time::Date`, checking the supported range.
    pub fn from_time(d: time::Date) -> Result<Self, ValueError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&d.year()) {
            return Err(ValueError::Date {
                value: d.to_string(),
                reason: "year must be between 1945 and 9999",
            });
        }
        Ok(Self(d))
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.0.year()
    }
    /// The month, 1-12.
    pub fn month(self) -> u8 {
        u8::from(self.0.month())
    }
    /// The day of the month, 1-31.
    pub fn day(self) -> u8 {
        self.0.day()
    }
    /// The underlying `time::Date`.
    pub fn as_time(self) -> time::Date {
        self.0
    }
    /// The next calendar day, if within range.
    pub fn next_day(self) -> Option<Self> {
        self.0.next_day().and_then(|d| Self::from_time(d).ok())
    }
    /// Saturday or Sunday.
    pub fn is_weekend(self) -> bool {
        matches!(
            self.0.weekday(),
            time::Weekday::Saturday | time::Weekday::Sunday
        )
    }
    /// English weekday name.
    pub fn weekday_name(self) -> String {
        self.0.weekday().to_string()
    }
}

impl FromStr for Date {
    type Err = ValueError;

    /// Parses exactly `YYYY-MM-DD`.
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let err = |reason| ValueError::Date {
            value: s.to_string(),
            reason,
        };
        let b = s.as_bytes();
        let shape_ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape_ok {
            return Err(err("expected YYYY-MM-DD"));
        }
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        let d = time::Date::parse(s, &fmt).map_err(|_| err("no such calendar day"))?;
        Self::from_time(d)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.year(),
            self.month(),
            self.day()
        )
    }
}
impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(self)
        } else {
            // Range-checked at construction: 1945..=9999 fits in u16.
            let year = u16::try_from(self.year()).map_err(serde::ser::Error::custom)?;
            (year, self.month(), self.day()).serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let s = String::deserialize(deserializer)?;
            s.parse().map_err(de::Error::custom)
        } else {
            let (y, m, d) = <(u16, u8, u8)>::deserialize(deserializer)?;
            Date::from_ymd(i32::from(y), m, d).map_err(de::Error::custom)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_strict_iso() {
        assert_eq!(
            "2015-10-23".parse::<Date>().unwrap().to_string(),
            "2015-10-23"
        );
        for bad in [
            "2015-02-30",
            "2015-2-3",
            "15-10-23",
            "2015/10/23",
            "2015-13-01",
            " 2015-10-23",
            "1900-01-01",
            "２０15-10-23",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
        let e = "2015-02-30".parse::<Date>().unwrap_err().to_string();
        assert!(e.contains("2015-02-30"), "{e}");
    }

    #[test]
    fn weekend() {
        assert!("2022-10-01".parse::<Date>().unwrap().is_weekend()); // Saturday
        assert!(!"2022-09-30".parse::<Date>().unwrap().is_weekend()); // Friday
    }
}
