//! The Council of a day, cached across the votes that fall inside one span of terms, and the
//! rule that a vote's members are exactly that day's 15.

use std::collections::{BTreeMap, BTreeSet};

use crate::date::Date;
use crate::error::RuleError;
use crate::event::{CouncilVote, Seat};
use crate::state::StateCode;

use super::entries::TermEntry;
use super::LedgerState;

/// The Council as last computed, with the span of dates it holds for (no term starts or ends
/// inside it), valid while the terms are unchanged (`terms_version`). Votes arrive in date
/// order and each checks its 15 members, so the Council is rebuilt from every term only when
/// a vote falls outside the span (about once a year of votes). Not part of the state: a clone
/// starts empty.
#[derive(Default)]
pub(super) struct CouncilCache(std::sync::Mutex<Option<CachedCouncil>>);

struct CachedCouncil {
    span: Span,
    terms_version: u64,
    council: std::sync::Arc<BTreeMap<StateCode, Seat>>,
}

/// Dates on which every term is in force exactly when it is on the day a span was built for:
/// `date >= from_incl`, `date > after`, `date < before`, `date <= to_incl` (each bound absent
/// when no term gives one).
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    from_incl: Option<Date>,
    after: Option<Date>,
    before: Option<Date>,
    to_incl: Option<Date>,
}

impl Span {
    /// The span around `day` that no term boundary of `terms` cuts.
    fn around(day: Date, terms: &BTreeMap<StateCode, Vec<TermEntry>>) -> Self {
        let mut s = Span::default();
        for t in terms.values().flatten() {
            if t.from <= day {
                s.from_incl = s.from_incl.max(Some(t.from));
            } else {
                s.before = Some(s.before.map_or(t.from, |b| b.min(t.from)));
            }
            if t.to < day {
                s.after = s.after.max(Some(t.to));
            } else {
                s.to_incl = Some(s.to_incl.map_or(t.to, |b| b.min(t.to)));
            }
        }
        s
    }

    fn contains(&self, date: Date) -> bool {
        self.from_incl.is_none_or(|d| date >= d)
            && self.after.is_none_or(|d| date > d)
            && self.before.is_none_or(|d| date < d)
            && self.to_incl.is_none_or(|d| date <= d)
    }
}

impl Clone for CouncilCache {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl std::fmt::Debug for CouncilCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CouncilCache")
    }
}

impl LedgerState {
    /// [`LedgerState::council_on`], from the cache when the day and the terms are the same.
    pub(super) fn council_cached(&self, date: Date) -> std::sync::Arc<BTreeMap<StateCode, Seat>> {
        let mut cache = self
            .council_cache
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(c) = cache.as_ref() {
            if c.terms_version == self.terms_version && c.span.contains(date) {
                return c.council.clone();
            }
        }
        let council = std::sync::Arc::new(self.council_on(date));
        *cache = Some(CachedCouncil {
            span: Span::around(date, &self.terms),
            terms_version: self.terms_version,
            council: council.clone(),
        });
        council
    }

    pub(super) fn check_members(&self, v: &CouncilVote) -> Result<(), RuleError> {
        let council = self.council_cached(v.date);
        if council.is_empty() {
            return Err(RuleError::NoCouncil { date: v.date });
        }
        // The common case, without building a set: the votes name exactly the Council's 15
        // members in its order (a vote's members are sorted by state, `Fact::check_shape`).
        // Anything else takes the checks below, which name the first difference.
        if council.len() == 15
            && v.votes.len() == council.len()
            && v.votes.iter().map(|m| &m.state).eq(council.keys())
        {
            return Ok(());
        }
        for m in &v.votes {
            if !council.contains_key(&m.state) {
                return Err(RuleError::NotOnCouncil {
                    state: m.state,
                    name: m.state.name(),
                    date: v.date,
                });
            }
        }
        let voters: BTreeSet<StateCode> = v.votes.iter().map(|m| m.state).collect();
        if let Some(missing) = council.keys().find(|s| !voters.contains(s)) {
            return Err(RuleError::MemberMissing {
                date: v.date,
                state: *missing,
                name: missing.name(),
            });
        }
        if council.len() != 15 {
            return Err(RuleError::CouncilSize {
                date: v.date,
                count: council.len(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Seq;

    #[test]
    fn a_council_span_holds_only_dates_where_every_term_is_as_on_its_day() {
        // Terms with boundaries on days 1..60 of 2020 (some sharing a day); every pair of
        // days: inside the span of the first, each term is in force on the second exactly
        // when it is on the first; and the span reaches every such day next to its own.
        let day = |n: u16| {
            let d = Date::from_ymd(2020, 1, 1).unwrap().as_time() + time::Duration::days(n.into());
            Date::from_time(d).unwrap()
        };
        let mut terms: BTreeMap<StateCode, Vec<TermEntry>> = BTreeMap::new();
        for (i, (from, to)) in [
            (3, 10),
            (5, 5),
            (10, 20),
            (21, 40),
            (0, 59),
            (30, 30),
            (41, 50),
        ]
        .into_iter()
        .enumerate()
        {
            let state: StateCode = ["FRA", "GBR", "USA", "CHN", "RUS", "DEU", "ITA"][i]
                .parse()
                .unwrap();
            terms.entry(state).or_default().push(TermEntry {
                seq: Seq(i as u64),
                seat: Seat::Elected,
                from: day(from),
                to: day(to),
            });
        }
        let in_force = |d: Date| -> Vec<bool> {
            terms
                .values()
                .flatten()
                .map(|t| t.from <= d && d <= t.to)
                .collect()
        };
        for a in 0..62 {
            let span = Span::around(day(a), &terms);
            assert!(span.contains(day(a)));
            for b in 0..62 {
                if span.contains(day(b)) {
                    assert_eq!(in_force(day(a)), in_force(day(b)), "{a} {b}");
                }
            }
            // Maximal: the next day is outside only if some term changes there.
            if !span.contains(day(a + 1)) {
                assert_ne!(in_force(day(a)), in_force(day(a + 1)), "{a}");
            }
        }
    }
}
