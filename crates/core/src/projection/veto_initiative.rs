//! The veto-initiative record: General Assembly resolution 76/262 (26 April
//! 2022) has the President of the Assembly convene a formal meeting within **ten working
//! days** of a veto; an emergency special session on the same situation meeting in that window
//! takes its place.
//!
//! For each veto (a `CouncilVote` whose computed outcome is vetoed) this lists the
//! `AssemblyMeeting` facts that name it in `follows` (by draft), and for each dated meeting
//! the working days from the veto to the meeting: the working days **after** the veto day **up
//! to and including** the meeting day (a meeting the next working day is 1; on the veto day
//! itself, 0), weekends excluded, holidays taken from the chosen [`WorkCalendar`]. The rule
//! held when that count is at most [`WORKING_DAY_LIMIT`].
//!
//! Choices:
//! - Vetoes before [`rule_in_force_from`] are listed with status `rule-not-in-force`, never
//!   judged.
//! - A count above ten over a calendar that does not completely cover the years involved is
//!   `missed-unless-unrecorded-holidays`, not `missed`: a missing holiday can only lower the
//!   count. A count of ten or less is `held` whatever the coverage.
//! - With several meetings, any one held makes the veto `held`; otherwise an undated meeting
//!   makes it `meeting-undated` (it may have met in time); otherwise the earliest dated
//!   meeting decides.
//! - A veto with no meeting is `window-open` while the ten working days have not run out by
//!   the view's reference date ([`View::reference_date`]), then `no-meeting-recorded`.
//! - Meetings following a veto the ledger does not record as a vote (an amendment without a
//!   symbol: `VetoRef.draft` is `None`), or naming a draft whose recorded vote is missing or
//!   was not vetoed, are listed under `other_meetings` with the reason, and timed from the
//!   `VetoRef`'s date.

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::event::{AssemblyMeeting, MeetingFormat, VetoRef};
use crate::outcome::Outcome;
use crate::projection::workdays::{CalendarError, CalendarInfo, WorkCalendar, WorkingDayCount};
use crate::projection::{Basis, Record, View};
use crate::state::StateCode;
use crate::symbol::{DraftSymbol, UnSymbol};
use crate::types::{Seq, Text};

/// Working days within which the Assembly meets after a veto (A/RES/76/262, para. 1).
pub const WORKING_DAY_LIMIT: u32 = 10;

/// The day resolution 76/262 was adopted: 26 April 2022. Vetoes from that day on are judged.
pub fn rule_in_force_from() -> Date {
    // A constant within the supported range (1945-9999); the error branch cannot be taken.
    Date::from_time(time::macros::date!(2022 - 04 - 26))
        .unwrap_or_else(|_| unreachable!("2022-04-26 is in range"))
}

/// How a meeting measures against the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MeetingCheck {
    /// Within ten working days (`"held"`).
    Held,
    /// After ten working days, by a calendar complete for the years involved (`"missed"`).
    Missed,
    /// After ten working days by the recorded calendar, which does not completely cover the
    /// years involved (`"missed-unless-unrecorded-holidays"`).
    MissedUnlessUnrecordedHolidays,
    /// The meeting's date is not recorded (`"undated"`).
    Undated,
    /// The veto predates resolution 76/262 (`"not-judged"`).
    NotJudged,
}

/// The record of one veto.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VetoStatus {
    /// Before 26 April 2022 (`"rule-not-in-force"`).
    RuleNotInForce,
    /// A meeting within ten working days (`"held"`).
    Held,
    /// The first meeting came later than ten working days (`"missed"`).
    Missed,
    /// Later than ten working days by an incomplete calendar
    /// (`"missed-unless-unrecorded-holidays"`).
    MissedUnlessUnrecordedHolidays,
    /// No dated meeting was within ten working days, and a meeting is recorded without a date
    /// (it may have been in time) (`"meeting-undated"`).
    MeetingUndated,
    /// No meeting recorded yet, and ten working days have not passed by the reference date
    /// (`"window-open"`).
    WindowOpen,
    /// No meeting recorded (`"no-meeting-recorded"`).
    NoMeetingRecorded,
}

/// An Assembly meeting measured against one veto.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingTiming {
    /// Sequence number of the `AssemblyMeeting` event.
    pub seq: Seq,
    /// Corrections applied to it.
    pub corrections: Vec<Seq>,
    /// Day of the meeting, when known.
    pub date: Option<Date>,
    /// Session, e.g. `77` or `ES-11`.
    pub session: Text,
    /// `veto-initiative` or `emergency-special-session`.
    pub format: MeetingFormat,
    /// Meeting records.
    pub records: Vec<UnSymbol>,
    /// Working days from the veto (none when undated).
    pub count: Option<WorkingDayCount>,
    /// The measure against the rule.
    pub check: MeetingCheck,
}

/// One veto and the meetings that followed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VetoRecord {
    /// The vetoed draft's symbol, or for an amendment known only by its tally its label
    /// (`amendment (no symbol)`).
    pub draft: String,
    /// `"votes"` (every member's vote recorded) or `"tally"` (a vote known by its tally and
    /// the members against: see [`crate::projection::votes::TallyVoteOutcome`]).
    pub known_by: String,
    /// Day of the vote.
    pub date: Date,
    /// Permanent members that voted no, sorted.
    pub vetoed_by: Vec<StateCode>,
    /// The Council meeting record.
    pub meeting_record: Option<UnSymbol>,
    /// Sequence number of the `CouncilVote` event.
    pub vote_seq: Seq,
    /// Corrections applied to it.
    pub vote_corrections: Vec<Seq>,
    /// The verdict.
    pub status: VetoStatus,
    /// Meetings following it: dated ones by date, then undated ones, each by seq.
    pub meetings: Vec<MeetingTiming>,
    /// Why, in one sentence.
    pub basis: String,
}

/// Why a meeting is not attached to a recorded veto.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnmatchedReason {
    /// It follows a veto without a draft symbol (e.g. of an amendment) that the ledger does
    /// not record as a vote (`"unrecorded-veto"`).
    UnrecordedVeto,
    /// It names a draft with no recorded vote in the view (`"no-vote-recorded"`).
    NoVoteRecorded,
    /// It names a draft whose recorded vote was not vetoed (`"not-vetoed"`).
    NotVetoed,
}

/// A meeting following a veto the ledger does not record as one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtherMeeting {
    /// The veto it names.
    pub follows: VetoRef,
    /// Why it is listed here.
    pub reason: UnmatchedReason,
    /// The meeting, timed from `follows.date`.
    pub meeting: MeetingTiming,
}

/// Totals over the vetoes listed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VetoCounts {
    /// Vetoes listed.
    pub vetoes: usize,
    /// `rule-not-in-force`.
    pub rule_not_in_force: usize,
    /// `held`.
    pub held: usize,
    /// `missed`.
    pub missed: usize,
    /// `missed-unless-unrecorded-holidays`.
    pub missed_unless_unrecorded_holidays: usize,
    /// `meeting-undated`.
    pub meeting_undated: usize,
    /// `window-open`.
    pub window_open: usize,
    /// `no-meeting-recorded`.
    pub no_meeting_recorded: usize,
}

/// The veto-initiative record of a view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VetoInitiativeReport {
    /// The cut-offs and the part of the log this rests on.
    pub basis: Basis,
    /// 2022-04-26.
    pub rule_in_force_from: Date,
    /// 10.
    pub working_day_limit: u32,
    /// The day "not yet" is measured against (see [`View::reference_date`]).
    pub reference_date: Option<Date>,
    /// The holiday calendar used and the years it covers.
    pub calendar: CalendarInfo,
    /// Totals by status.
    pub counts: VetoCounts,
    /// Vetoes by date, then draft.
    pub vetoes: Vec<VetoRecord>,
    /// Meetings not attached to a recorded veto, by the veto's date, then seq.
    pub other_meetings: Vec<OtherMeeting>,
}

fn timing(
    cal: &WorkCalendar<'_>,
    veto_day: Date,
    judged: bool,
    r: &Record<AssemblyMeeting>,
) -> MeetingTiming {
    let m = &r.fact;
    let count = m.date.map(|day| cal.count(veto_day, day));
    let check = match (&count, judged) {
        (_, false) => MeetingCheck::NotJudged,
        (None, true) => MeetingCheck::Undated,
        (Some(c), true) if c.working_days <= WORKING_DAY_LIMIT => MeetingCheck::Held,
        (Some(c), true) if c.complete => MeetingCheck::Missed,
        (Some(_), true) => MeetingCheck::MissedUnlessUnrecordedHolidays,
    };
    MeetingTiming {
        seq: r.seq,
        corrections: r.corrections.clone(),
        date: m.date,
        session: m.session.clone(),
        format: m.format,
        records: m.records.clone(),
        count,
        check,
    }
}

fn status_of(meetings: &[MeetingTiming]) -> Option<VetoStatus> {
    if meetings.iter().any(|m| m.check == MeetingCheck::Held) {
        return Some(VetoStatus::Held);
    }
    if meetings.iter().any(|m| m.check == MeetingCheck::Undated) {
        return Some(VetoStatus::MeetingUndated);
    }
    // Dated meetings come first, sorted by date.
    meetings.first().map(|m| match m.check {
        MeetingCheck::Missed => VetoStatus::Missed,
        _ => VetoStatus::MissedUnlessUnrecordedHolidays,
    })
}

fn calendar_phrase(cal: &CalendarInfo) -> String {
    match &cal.name {
        Some(n) => format!("calendar {n:?}"),
        None => "weekends only (no holiday calendar recorded)".to_string(),
    }
}

fn describe(v: &VetoRecord, cal: &CalendarInfo) -> String {
    let by: Vec<&str> = v.vetoed_by.iter().map(|s| s.as_str()).collect();
    let head = format!(
        "{} vetoed by {} on {} (seq {})",
        v.draft,
        by.join(", "),
        v.date,
        v.vote_seq
    );
    let first_dated = v.meetings.iter().find(|m| m.date.is_some());
    let timing = |m: &MeetingTiming| match (&m.count, m.date) {
        (Some(c), Some(day)) => {
            let gaps: Vec<String> = c
                .uncovered_years
                .iter()
                .map(|y| format!("{y} not covered"))
                .chain(c.partial_years.iter().map(|y| format!("{y} partial")))
                .collect();
            let gaps = if gaps.is_empty() {
                String::new()
            } else {
                format!(" [calendar: {}]", gaps.join(", "))
            };
            format!(
                "the Assembly met on {day} (seq {}), {} working day(s) later by {}{gaps}",
                m.seq,
                c.working_days,
                calendar_phrase(cal)
            )
        }
        _ => format!("a meeting is recorded without a date (seq {})", m.seq),
    };
    let tail = match v.status {
        VetoStatus::RuleNotInForce => format!(
            "before resolution 76/262 ({}): rule not in force, not judged",
            rule_in_force_from()
        ),
        VetoStatus::Held => {
            let m = v.meetings.iter().find(|m| m.check == MeetingCheck::Held);
            format!(
                "{}: within {WORKING_DAY_LIMIT} working days, the rule held",
                m.map_or_else(String::new, timing)
            )
        }
        VetoStatus::Missed => format!(
            "{}: more than {WORKING_DAY_LIMIT} working days, the rule was not met",
            first_dated.map_or_else(String::new, timing)
        ),
        VetoStatus::MissedUnlessUnrecordedHolidays => format!(
            "{}: more than {WORKING_DAY_LIMIT} working days by the recorded calendar, which does \
             not fully cover the period; unrecorded holidays could bring it within the rule",
            first_dated.map_or_else(String::new, timing)
        ),
        VetoStatus::MeetingUndated => format!(
            "{}: whether the rule held cannot be determined",
            v.meetings
                .iter()
                .find(|m| m.date.is_none())
                .map_or_else(String::new, timing)
        ),
        VetoStatus::WindowOpen => format!(
            "no Assembly meeting recorded yet; the {WORKING_DAY_LIMIT} working days have not run \
             out by the reference date"
        ),
        VetoStatus::NoMeetingRecorded => "no Assembly meeting recorded".to_string(),
    };
    format!("{head}: {tail}")
}

/// The veto-initiative record, counting working days with the calendar named `calendar` (see
/// [`WorkCalendar::choose`] for the default).
pub fn veto_initiative(
    view: &View,
    calendar: Option<&str>,
) -> Result<VetoInitiativeReport, CalendarError> {
    let vetoes = VetoInitiative::new(view, calendar)?;
    let mut report = vetoes.head();
    report.vetoes = vetoes.vetoes().collect();
    Ok(report)
}

/// Where a veto of the report comes from: a vote with every member's vote (by draft), or a
/// vote known by its tally (its index in [`View::tally_votes`]).
#[derive(Debug, Clone, Copy)]
enum Source {
    Vote(DraftSymbol),
    Tally(usize),
}

/// A veto of the report before its record is built: a few bytes, where a [`VetoRecord`]
/// (its texts, meetings and sentence) is a few hundred (321k vetoes at 1M events).
#[derive(Debug, Clone, Copy)]
struct Veto {
    date: Date,
    source: Source,
}

/// The veto-initiative record of a view, its vetoes built one at a time as they are asked
/// for, in the report's order: what a large export writes without holding the report.
/// [`veto_initiative`] is [`VetoInitiative::head`] with [`VetoInitiative::vetoes`] collected.
pub struct VetoInitiative<'v> {
    view: &'v View,
    cal: WorkCalendar<'v>,
    cal_info: CalendarInfo,
    in_force: Date,
    reference: Option<Date>,
    /// The meetings that follow each vetoed draft.
    attached: std::collections::BTreeMap<DraftSymbol, Vec<&'v Record<AssemblyMeeting>>>,
    other_meetings: Vec<OtherMeeting>,
    /// By date, then label (the report's order).
    vetoes: Vec<Veto>,
    counts: VetoCounts,
}

impl<'v> VetoInitiative<'v> {
    /// The vetoes of `view` and their counts, counting working days with the calendar named
    /// `calendar` (see [`WorkCalendar::choose`] for the default).
    pub fn new(view: &'v View, calendar: Option<&str>) -> Result<Self, CalendarError> {
        let cal = WorkCalendar::choose(view, calendar)?;
        let cal_info = cal.info();
        let in_force = rule_in_force_from();
        // Attach each meeting to the vetoes it follows.
        let mut attached: std::collections::BTreeMap<DraftSymbol, Vec<&Record<AssemblyMeeting>>> =
            std::collections::BTreeMap::new();
        let mut other_meetings = Vec::new();
        for r in view.meetings() {
            for f in &r.fact.follows {
                let reason = match f.draft {
                    None => UnmatchedReason::UnrecordedVeto,
                    Some(d) => match view.votes().get(&d) {
                        None => UnmatchedReason::NoVoteRecorded,
                        Some(v) => match View::vote_result(&v.fact).outcome {
                            Outcome::Vetoed { .. } => {
                                attached.entry(d).or_default().push(r);
                                continue;
                            }
                            _ => UnmatchedReason::NotVetoed,
                        },
                    },
                };
                other_meetings.push(OtherMeeting {
                    follows: *f,
                    reason,
                    meeting: timing(&cal, f.date, f.date >= in_force, r),
                });
            }
        }
        other_meetings.sort_by_key(|o| (o.follows.date, o.meeting.seq));

        // Every veto: those computed from every member's vote, and those of votes known by
        // their tally (an amendment's meetings follow it by date, `VetoRef.draft` being none).
        let mut vetoes = Vec::new();
        for record in view.votes().values() {
            let v = &record.fact;
            if matches!(View::vote_result(v).outcome, Outcome::Vetoed { .. }) {
                vetoes.push(Veto {
                    date: v.date,
                    source: Source::Vote(v.draft),
                });
            }
        }
        for (i, record) in view.tally_votes().iter().enumerate() {
            if !tally_vetoed(record) {
                continue;
            }
            if matches!(record.fact.text, crate::event::VotedText::Amendment { .. }) {
                other_meetings
                    .retain(|m| !(m.follows.draft.is_none() && m.follows.date == record.fact.date));
            }
            vetoes.push(Veto {
                date: record.fact.date,
                source: Source::Tally(i),
            });
        }
        let mut this = Self {
            view,
            cal,
            cal_info,
            in_force,
            reference: view.reference_date(),
            attached,
            other_meetings,
            vetoes,
            counts: VetoCounts::default(),
        };
        // By date, then label, as strings compare (a stable sort: equal ones keep the order
        // above).
        let mut vetoes = std::mem::take(&mut this.vetoes);
        vetoes.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| this.label_cmp(a, b)));
        let mut counts = VetoCounts::default();
        for veto in &vetoes {
            let n = match this.status(veto) {
                VetoStatus::RuleNotInForce => &mut counts.rule_not_in_force,
                VetoStatus::Held => &mut counts.held,
                VetoStatus::Missed => &mut counts.missed,
                VetoStatus::MissedUnlessUnrecordedHolidays => {
                    &mut counts.missed_unless_unrecorded_holidays
                }
                VetoStatus::MeetingUndated => &mut counts.meeting_undated,
                VetoStatus::WindowOpen => &mut counts.window_open,
                VetoStatus::NoMeetingRecorded => &mut counts.no_meeting_recorded,
            };
            *n += 1;
            counts.vetoes += 1;
        }
        this.vetoes = vetoes;
        this.counts = counts;
        Ok(this)
    }

    /// Number of vetoes.
    pub fn len(&self) -> usize {
        self.vetoes.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.vetoes.is_empty()
    }

    /// The report without its vetoes (`vetoes` empty; `counts` counts them all).
    pub fn head(&self) -> VetoInitiativeReport {
        VetoInitiativeReport {
            basis: self.view.basis().clone(),
            rule_in_force_from: self.in_force,
            working_day_limit: WORKING_DAY_LIMIT,
            reference_date: self.reference,
            calendar: self.cal_info.clone(),
            counts: self.counts,
            vetoes: Vec::new(),
            other_meetings: self.other_meetings.clone(),
        }
    }

    /// The vetoes, by date then draft, each built as it is asked for.
    pub fn vetoes(&self) -> impl ExactSizeIterator<Item = VetoRecord> + '_ {
        self.vetoes.iter().map(|v| self.record(v))
    }

    /// The label of a veto: its draft's symbol, or a tally vote's label.
    fn label(&self, v: &Veto) -> String {
        match v.source {
            Source::Vote(d) => d.to_string(),
            Source::Tally(i) => self
                .view
                .tally_votes()
                .get(i)
                .map(|r| {
                    crate::projection::votes::tally_vote_outcome(r.seq, &r.corrections, &r.fact)
                        .label
                })
                .unwrap_or_default(),
        }
    }

    /// The order of two labels as strings, without writing them out for two draft symbols
    /// (`S/YYYY/N`: the year has four digits, so the years compare as numbers, then the
    /// numbers as strings of digits).
    fn label_cmp(&self, a: &Veto, b: &Veto) -> std::cmp::Ordering {
        match (a.source, b.source) {
            (Source::Vote(x), Source::Vote(y)) => x
                .year()
                .cmp(&y.year())
                .then_with(|| digits(x.number()).cmp(&digits(y.number()))),
            _ => self.label(a).cmp(&self.label(b)),
        }
    }

    /// The meetings following a veto, as recorded.
    fn meetings_of(&self, v: &Veto) -> Vec<&'v Record<AssemblyMeeting>> {
        match v.source {
            Source::Vote(d) => self.attached.get(&d).cloned().unwrap_or_default(),
            Source::Tally(i) => match self.view.tally_votes().get(i) {
                Some(r) if matches!(r.fact.text, crate::event::VotedText::Amendment { .. }) => self
                    .view
                    .meetings()
                    .iter()
                    .filter(|m| {
                        m.fact
                            .follows
                            .iter()
                            .any(|f| f.draft.is_none() && f.date == r.fact.date)
                    })
                    .collect(),
                _ => Vec::new(),
            },
        }
    }

    /// The meetings of a veto of `date`, timed and sorted (dated ones by date, then undated
    /// ones, each by seq).
    fn timings(&self, date: Date, meetings: Vec<&Record<AssemblyMeeting>>) -> Vec<MeetingTiming> {
        let judged = date >= self.in_force;
        let mut meetings: Vec<MeetingTiming> = meetings
            .into_iter()
            .map(|r| timing(&self.cal, date, judged, r))
            .collect();
        meetings.sort_by_key(|m| (m.date.is_none(), m.date, m.seq));
        meetings
    }

    /// The verdict on a veto of `date` followed by `meetings` (timed).
    fn status_from(&self, date: Date, meetings: &[MeetingTiming]) -> VetoStatus {
        if date < self.in_force {
            VetoStatus::RuleNotInForce
        } else if let Some(s) = status_of(meetings) {
            s
        } else if self
            .reference
            .is_some_and(|day| self.cal.count(date, day).working_days <= WORKING_DAY_LIMIT)
        {
            VetoStatus::WindowOpen
        } else {
            VetoStatus::NoMeetingRecorded
        }
    }

    fn status(&self, v: &Veto) -> VetoStatus {
        if v.date < self.in_force {
            return VetoStatus::RuleNotInForce;
        }
        self.status_from(v.date, &self.timings(v.date, self.meetings_of(v)))
    }

    /// The record of a veto.
    fn record(&self, v: &Veto) -> VetoRecord {
        let meetings = self.timings(v.date, self.meetings_of(v));
        let status = self.status_from(v.date, &meetings);
        let (draft, known_by, by, meeting_record, seq, corrections) = match v.source {
            Source::Vote(d) => match self.view.votes().get(&d) {
                Some(r) => {
                    let by = match View::vote_result(&r.fact).outcome {
                        Outcome::Vetoed { by } => by,
                        _ => Vec::new(),
                    };
                    (
                        d.to_string(),
                        "votes",
                        by,
                        r.fact.meeting(),
                        r.seq,
                        r.corrections.to_vec(),
                    )
                }
                None => (d.to_string(), "votes", Vec::new(), None, Seq(0), Vec::new()),
            },
            Source::Tally(i) => match self.view.tally_votes().get(i) {
                Some(r) => {
                    let o = crate::projection::votes::tally_vote_outcome(
                        r.seq,
                        &r.corrections,
                        &r.fact,
                    );
                    (
                        o.label,
                        "tally",
                        o.vetoed_by,
                        r.fact.meeting.clone(),
                        r.seq,
                        r.corrections.clone(),
                    )
                }
                None => (String::new(), "tally", Vec::new(), None, Seq(0), Vec::new()),
            },
        };
        let mut rec = VetoRecord {
            draft,
            known_by: known_by.to_string(),
            date: v.date,
            vetoed_by: by,
            meeting_record,
            vote_seq: seq,
            vote_corrections: corrections,
            status,
            meetings,
            basis: String::new(),
        };
        rec.basis = describe(&rec, &self.cal_info);
        rec
    }
}

/// Whether a vote known by its tally was vetoed (a permanent member among those against).
fn tally_vetoed(r: &Record<crate::event::TallyVote>) -> bool {
    !crate::projection::votes::tally_vote_outcome(r.seq, &r.corrections, &r.fact)
        .vetoed_by
        .is_empty()
}

/// The decimal digits of `n`, for comparing numbers as strings (a shorter string that is a
/// prefix of a longer one comes first, as the zero padding does).
fn digits(n: u32) -> [u8; 10] {
    let mut buf = [0u8; 10];
    let mut rev = [0u8; 10];
    let mut len = 0;
    let mut n = n;
    loop {
        if let Some(d) = rev.get_mut(len) {
            *d = b'0' + (n % 10) as u8;
        }
        len += 1;
        n /= 10;
        if n == 0 || len == rev.len() {
            break;
        }
    }
    for (b, d) in buf.iter_mut().zip(rev.iter().take(len).rev()) {
        *b = *d;
    }
    buf
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Vote;
    use crate::projection::testkit::*;
    use crate::projection::Cutoff;

    fn veto(l: &mut Log, draft: &str, day: &str) -> Seq {
        l.fact(vote_all_yes(draft, day, &[("RUS", Vote::No)]))
    }

    /// The vetoes of a day are listed by their labels as strings (`S/2023/10` before
    /// `S/2023/9`, a tally vote's `amendment …` after the symbols), whether built together or
    /// one at a time; the streamed report counts them all before building any.
    #[test]
    fn vetoes_of_a_day_are_in_label_order_streamed_or_not() {
        let mut l = Log::new();
        for draft in [
            "S/2023/9",
            "S/2023/100",
            "S/2023/10",
            "S/2022/99",
            "S/2023/1",
        ] {
            veto(&mut l, draft, "2023-03-01");
        }
        veto(&mut l, "S/2022/5", "2022-12-01");
        let against: Vec<StateCode> = vec![s("RUS")];
        l.fact(crate::event::Fact::TallyVote(crate::event::TallyVote {
            text: crate::event::VotedText::Amendment {
                symbol: None,
                amends: Some(sym("S/2023/9")),
                described: text("an amendment"),
            },
            meeting: None,
            date: d("2023-03-01"),
            procedural: false,
            tally: Some(crate::event::Tally {
                yes: 10,
                no: 1,
                abstain: 4,
            }),
            against,
            source: text("s"),
            note: crate::types::Text::empty(),
        }));
        let v = l.view(Cutoff::default());
        let r = veto_initiative(&v, None).unwrap();
        let order: Vec<&str> = r.vetoes.iter().map(|v| v.draft.as_str()).collect();
        assert_eq!(
            order,
            [
                "S/2022/5",
                "S/2022/99",
                "S/2023/1",
                "S/2023/10",
                "S/2023/100",
                "S/2023/9",
                "amendment to S/2023/9",
            ]
        );
        let streamed = VetoInitiative::new(&v, None).unwrap();
        assert_eq!(streamed.len(), 7);
        assert_eq!(streamed.head().counts, r.counts);
        assert_eq!(streamed.head().counts.vetoes, 7);
        assert!(streamed.head().vetoes.is_empty());
        assert_eq!(streamed.vetoes().collect::<Vec<_>>(), r.vetoes);
    }

    #[test]
    fn in_force_date() {
        assert_eq!(rule_in_force_from(), d("2022-04-26"));
    }

    #[test]
    fn statuses() {
        let mut l = Log::new();
        l.fact(calendar("UN HQ", 2022, true, &["2022-09-05"]));
        veto(&mut l, "S/2022/1", "2022-05-10"); // Tuesday
        veto(&mut l, "S/2022/2", "2022-05-10");
        veto(&mut l, "S/2022/3", "2022-09-02"); // Friday before Labour Day
        veto(&mut l, "S/2022/4", "2022-04-25"); // the day before 76/262
        veto(&mut l, "S/2022/5", "2022-06-01"); // no meeting
        veto(&mut l, "S/2022/6", "2022-06-02"); // undated meeting
        veto(&mut l, "S/2022/7", "2022-12-20"); // window still open on the reference date
        l.fact(vote_all_yes("S/2022/8", "2022-06-03", &[])); // adopted
        let day10 = l.fact(meeting(
            Some("2022-05-24"),
            &[("2022-05-10", Some("S/2022/1"))],
        ));
        l.fact(meeting(
            Some("2022-05-25"),
            &[("2022-05-10", Some("S/2022/2"))],
        ));
        l.fact(meeting(
            Some("2022-09-19"),
            &[("2022-09-02", Some("S/2022/3"))],
        ));
        l.fact(meeting(
            Some("2022-05-20"),
            &[("2022-04-25", Some("S/2022/4"))],
        ));
        l.fact(meeting(None, &[("2022-06-02", Some("S/2022/6"))]));
        l.fact(meeting(
            Some("2022-06-10"),
            &[("2022-06-03", Some("S/2022/8"))],
        ));
        l.fact(meeting(
            Some("2022-06-10"),
            &[("2022-06-03", Some("S/2022/9"))],
        ));
        l.fact(meeting(Some("2022-06-10"), &[("2022-06-03", None)]));
        let v = l.view(Cutoff {
            at_seq: None,
            as_of: Some(d("2022-12-30")),
        });
        let r = veto_initiative(&v, Some("UN HQ")).unwrap();
        let st: Vec<(String, VetoStatus)> = r
            .vetoes
            .iter()
            .map(|v| (v.draft.to_string(), v.status))
            .collect();
        assert_eq!(
            st,
            [
                ("S/2022/4".into(), VetoStatus::RuleNotInForce),
                ("S/2022/1".into(), VetoStatus::Held),
                ("S/2022/2".into(), VetoStatus::Missed),
                ("S/2022/5".into(), VetoStatus::NoMeetingRecorded),
                ("S/2022/6".into(), VetoStatus::MeetingUndated),
                ("S/2022/3".into(), VetoStatus::Held),
                ("S/2022/7".into(), VetoStatus::WindowOpen),
            ]
        );
        let first = &r.vetoes[1];
        assert_eq!(first.meetings[0].seq, day10);
        assert_eq!(
            first.meetings[0].count.as_ref().map(|c| c.working_days),
            Some(10)
        );
        assert_eq!(
            r.vetoes[2].meetings[0]
                .count
                .as_ref()
                .map(|c| c.working_days),
            Some(11)
        );
        assert_eq!(r.vetoes[0].meetings[0].check, MeetingCheck::NotJudged);
        assert!(
            r.vetoes[5].basis.contains("10 working day(s)"),
            "{}",
            r.vetoes[5].basis
        );
        let reasons: Vec<UnmatchedReason> = r.other_meetings.iter().map(|o| o.reason).collect();
        assert_eq!(
            reasons,
            [
                UnmatchedReason::NotVetoed,
                UnmatchedReason::NoVoteRecorded,
                UnmatchedReason::UnrecordedVeto
            ]
        );
        assert_eq!(r.other_meetings[2].meeting.check, MeetingCheck::Held);
        assert_eq!(r.counts.vetoes, 7);
        assert_eq!(r.calendar.name.as_deref(), Some("UN HQ"));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["vetoes"][2]["status"], "missed");
        let back: VetoInitiativeReport = serde_json::from_value(json).unwrap();
        assert_eq!(back, r);
    }
}
