//! Counting working days (for General Assembly resolution 76/262's ten-working-day rule).
//!
//! A working day is a Monday to Friday that is not a holiday of the chosen calendar
//! (`HolidayCalendar` facts sharing one `calendar` name, one fact per year). Calendar
//! arithmetic is the `time` crate's; nothing here knows month lengths or leap years.
//!
//! A count is only as good as the calendar: each count lists the years it spans, which of them
//! the calendar does not cover and which it covers only partially (`complete: false` in the
//! fact), and sets `complete` accordingly. A missing holiday can only make a count too high,
//! never too low.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::event::HolidayCalendar;
use crate::projection::{Record, View};
use crate::types::Seq;

/// The identity of the UN Headquarters (New York) holiday calendar: the exact `calendar`
/// value of its `HolidayCalendar` facts (the importer of `data/un_holidays.csv` writes it).
/// Resolution 76/262 concerns the General Assembly in New York, so this is the calendar a
/// veto-initiative count uses unless another one is named; it is found by this exact value,
/// never by sort order or by a name that merely looks like it.
pub const UN_HEADQUARTERS: &str = "UN Headquarters (New York)";

/// Why no calendar could be chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// `--calendar` names a calendar the ledger does not record.
    #[error("no holiday calendar {name:?} is recorded (recorded: {})", list(.recorded))]
    Unknown {
        /// The name asked for.
        name: String,
        /// The calendars recorded, sorted.
        recorded: Vec<String>,
    },
    /// Calendars are recorded, none of them the UN Headquarters one, and none was named.
    #[error(
        "the UN Headquarters calendar ({UN_HEADQUARTERS:?}) is not recorded and no other is \
         taken by default: name one with --calendar (recorded: {})",
        list(.recorded)
    )]
    NoDefault {
        /// The calendars recorded, sorted.
        recorded: Vec<String>,
    },
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names
            .iter()
            .map(|n| format!("{n:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One year of the chosen calendar, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarYear {
    /// The year.
    pub year: u16,
    /// Whether the fact lists the whole year's holidays.
    pub complete: bool,
    /// Number of holidays listed.
    pub holidays: usize,
    /// Sequence number of the `HolidayCalendar` event.
    pub seq: Seq,
    /// Corrections applied to it.
    pub corrections: Vec<Seq>,
}

/// Which calendar a report used, and what it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarInfo {
    /// The calendar's name; `None` when the ledger records no calendar (weekends only).
    pub name: Option<String>,
    /// The years recorded for it, sorted.
    pub years: Vec<CalendarYear>,
    /// Every calendar name recorded in the ledger, sorted.
    pub available: Vec<String>,
}

/// A count of working days over a span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingDayCount {
    /// Working days after the first day up to and including the last.
    pub working_days: u32,
    /// Saturdays and Sundays in the span.
    pub weekend_days: u32,
    /// Holidays of the calendar that fell on weekdays in the span (not counted), sorted.
    pub holidays: Vec<Date>,
    /// Calendar years the span touches, sorted.
    pub years: Vec<i32>,
    /// Years in `years` the calendar does not cover at all.
    pub uncovered_years: Vec<i32>,
    /// Years in `years` the calendar covers only partially.
    pub partial_years: Vec<i32>,
    /// Whether every year in `years` is completely covered (so the count is exact).
    pub complete: bool,
}

/// A holiday calendar ready for counting.
#[derive(Debug, Clone)]
pub struct WorkCalendar<'a> {
    name: Option<String>,
    available: Vec<String>,
    years: Option<&'a BTreeMap<u16, Record<HolidayCalendar>>>,
    holidays: BTreeSet<time::Date>,
}

impl<'a> WorkCalendar<'a> {
    /// The calendar named `name` (an error if the ledger does not record it), or by default
    /// the UN Headquarters calendar ([`UN_HEADQUARTERS`]); with no calendar recorded at all,
    /// weekends only. Calendars recorded but none of them UN Headquarters and none named: an
    /// error, rather than a guess. The report states which one it used.
    pub fn choose(view: &'a View, name: Option<&str>) -> Result<Self, CalendarError> {
        let available: Vec<String> = view.calendars().keys().cloned().collect();
        let name = match name {
            Some(n) if view.calendars().contains_key(n) => Some(n.to_string()),
            Some(n) => {
                return Err(CalendarError::Unknown {
                    name: n.to_string(),
                    recorded: available,
                })
            }
            None if view.calendars().contains_key(UN_HEADQUARTERS) => {
                Some(UN_HEADQUARTERS.to_string())
            }
            None if available.is_empty() => None,
            None => {
                return Err(CalendarError::NoDefault {
                    recorded: available,
                })
            }
        };
        let years = name.as_deref().and_then(|n| view.calendars().get(n));
        let holidays = years
            .into_iter()
            .flat_map(|y| y.values())
            .flat_map(|r| r.fact.holidays.iter().map(|h| h.date.as_time()))
            .collect();
        Ok(Self {
            name,
            available,
            years,
            holidays,
        })
    }

    /// What the calendar is and covers.
    pub fn info(&self) -> CalendarInfo {
        CalendarInfo {
            name: self.name.clone(),
            years: self
                .years
                .into_iter()
                .flat_map(|y| y.iter())
                .map(|(year, r)| CalendarYear {
                    year: *year,
                    complete: r.fact.complete,
                    holidays: r.fact.holidays.len(),
                    seq: r.seq,
                    corrections: r.corrections.clone(),
                })
                .collect(),
            available: self.available.clone(),
        }
    }

    fn coverage(&self, year: i32) -> Option<bool> {
        let y = u16::try_from(year).ok()?;
        self.years?.get(&y).map(|r| r.fact.complete)
    }

    /// Working days after `after` up to and including `through` (0 when `through <= after`).
    pub fn count(&self, after: Date, through: Date) -> WorkingDayCount {
        let mut working = 0u32;
        let mut weekend = 0u32;
        let mut holidays = Vec::new();
        let mut years = BTreeSet::new();
        let end = through.as_time();
        let mut day = after.as_time();
        while day < end {
            let Some(next) = day.next_day() else { break };
            day = next;
            years.insert(day.year());
            if matches!(
                day.weekday(),
                time::Weekday::Saturday | time::Weekday::Sunday
            ) {
                weekend += 1;
            } else if self.holidays.contains(&day) {
                holidays.extend(Date::from_time(day).ok());
            } else {
                working += 1;
            }
        }
        let years: Vec<i32> = years.into_iter().collect();
        let uncovered_years: Vec<i32> = years
            .iter()
            .copied()
            .filter(|y| self.coverage(*y).is_none())
            .collect();
        let partial_years: Vec<i32> = years
            .iter()
            .copied()
            .filter(|y| self.coverage(*y) == Some(false))
            .collect();
        WorkingDayCount {
            working_days: working,
            weekend_days: weekend,
            holidays,
            complete: uncovered_years.is_empty() && partial_years.is_empty(),
            years,
            uncovered_years,
            partial_years,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projection::testkit::*;
    use crate::projection::Cutoff;

    #[test]
    fn the_default_is_un_headquarters_by_identity_and_an_unknown_name_is_an_error() {
        let mut l = Log::new();
        // "Aaa" sorts first; the default must still be UN Headquarters.
        l.fact(calendar("Aaa", 2022, true, &["2022-09-06"]));
        l.fact(calendar(UN_HEADQUARTERS, 2022, true, &["2022-09-05"]));
        let v = l.view(Cutoff::default());
        let hq = WorkCalendar::choose(&v, None).unwrap();
        assert_eq!(hq.info().name.as_deref(), Some(UN_HEADQUARTERS));
        let err = WorkCalendar::choose(&v, Some("UN Headquarter")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no holiday calendar \"UN Headquarter\" is recorded (recorded: \"Aaa\", \"UN Headquarters (New York)\")"
        );
    }

    #[test]
    fn counts_weekdays_minus_holidays() {
        let mut l = Log::new();
        l.fact(calendar("UN HQ", 2022, true, &["2022-09-05"]));
        l.fact(calendar("Geneva", 2022, false, &[]));
        let v = l.view(Cutoff::default());
        let hq = WorkCalendar::choose(&v, Some("UN HQ")).unwrap();
        // Friday 2022-09-02; Monday 09-05 is Labour Day.
        let c = hq.count(d("2022-09-02"), d("2022-09-19"));
        assert_eq!(c.working_days, 10);
        assert_eq!(c.weekend_days, 6);
        assert_eq!(c.holidays, vec![d("2022-09-05")]);
        assert!(c.complete);
        assert_eq!(c.years, vec![2022]);
        // Same day: nothing after it.
        assert_eq!(hq.count(d("2022-09-02"), d("2022-09-02")).working_days, 0);
        assert_eq!(hq.count(d("2022-09-02"), d("2022-09-01")).working_days, 0);
        // No default among calendars none of which is UN Headquarters; Geneva by name.
        assert!(matches!(
            WorkCalendar::choose(&v, None),
            Err(CalendarError::NoDefault { .. })
        ));
        let geneva = WorkCalendar::choose(&v, Some("Geneva")).unwrap();
        assert_eq!(geneva.info().name.as_deref(), Some("Geneva"));
        assert_eq!(geneva.info().available, vec!["Geneva", "UN HQ"]);
        let c = geneva.count(d("2022-09-02"), d("2022-09-19"));
        assert_eq!(c.working_days, 11);
        assert_eq!(c.partial_years, vec![2022]);
        assert!(!c.complete);
        // Across a year end into an uncovered year; leap day handled by `time`.
        let c = hq.count(d("2022-12-30"), d("2023-01-02"));
        assert_eq!((c.working_days, c.weekend_days), (1, 2));
        assert_eq!(c.uncovered_years, vec![2023]);
        let c = hq.count(d("2024-02-28"), d("2024-03-01"));
        assert_eq!(c.working_days, 2);
        // No calendar at all.
        let empty = Log::new().view(Cutoff::default());
        let none = WorkCalendar::choose(&empty, None).unwrap();
        assert_eq!(none.info().name, None);
        assert_eq!(
            none.count(d("2022-09-02"), d("2022-09-19")).uncovered_years,
            vec![2022]
        );
    }
}
