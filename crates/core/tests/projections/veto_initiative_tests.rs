//! The veto initiative: ten working days, calendar coverage, corrected meetings, open windows.

use super::*;

#[test]
fn veto_initiative_ten_working_days() {
    let w = world();
    let view = w.ledger.view(Cutoff::default());
    let r = veto_initiative(&view, None).unwrap();
    assert_eq!(r.calendar.name.as_deref(), Some(UN_HEADQUARTERS));
    assert_eq!(r.calendar.years.len(), 1);
    assert_eq!(r.rule_in_force_from, d("2022-04-26"));
    let get = |draft: &str| r.vetoes.iter().find(|v| v.draft == draft).unwrap();

    // Meeting on working day 10: held; on day 11: missed (the calendar covers 2022 in full).
    let v = get("S/2022/100");
    assert_eq!(v.status, VetoStatus::Held);
    assert_eq!(v.vote_seq, w.v_day10);
    assert_eq!(v.meetings[0].seq, w.m_day10);
    assert_eq!(v.meetings[0].count.as_ref().unwrap().working_days, 10);
    let v = get("S/2022/200");
    assert_eq!(v.status, VetoStatus::Missed);
    assert_eq!(v.meetings[0].seq, w.m_day11);
    assert_eq!(v.meetings[0].count.as_ref().unwrap().working_days, 11);
    assert_eq!(v.meetings[0].check, MeetingCheck::Missed);

    // Veto on a Friday before Labour Day: the holiday is not counted.
    let v = get("S/2022/300");
    let c = v.meetings[0].count.as_ref().unwrap();
    assert_eq!(
        (c.working_days, c.holidays.clone()),
        (10, vec![d("2022-09-05")])
    );
    assert!(c.complete);
    assert_eq!(v.status, VetoStatus::Held);
    assert!(v.basis.contains("UN Headquarters"), "{}", v.basis);

    // Before 76/262: listed, not judged.
    assert_eq!(get("S/2017/400").status, VetoStatus::RuleNotInForce);
    // An undated meeting, and no meeting at all.
    assert_eq!(get("S/2022/900").status, VetoStatus::MeetingUndated);
    assert_eq!(get("S/2022/900").meetings[0].check, MeetingCheck::Undated);
    assert_eq!(get("S/2022/950").status, VetoStatus::NoMeetingRecorded);
    // A failed draft is no veto.
    assert!(r.vetoes.iter().all(|v| v.draft != "S/2022/500"));
    assert_eq!(r.counts.vetoes, 6);

    // A meeting following a veto not recorded as a vote.
    assert_eq!(r.other_meetings.len(), 1);
    let o = &r.other_meetings[0];
    assert_eq!(
        (o.reason, o.meeting.seq),
        (UnmatchedReason::UnrecordedVeto, w.m_unrecorded)
    );
    assert_eq!(o.follows.draft, None);
    assert_eq!(o.meeting.count.as_ref().unwrap().working_days, 7);
}

#[test]
fn veto_initiative_calendar_coverage_is_reported() {
    let mut w = world();
    // A second calendar that does not know Labour Day and covers 2022 only in part.
    w.ledger.calendar("Partial", 2022, false, &[]);
    let view = w.ledger.view(Cutoff::default());
    let r = veto_initiative(&view, Some("Partial")).unwrap();
    assert_eq!(r.calendar.name.as_deref(), Some("Partial"));
    assert_eq!(r.calendar.available, ["Partial", UN_HEADQUARTERS]);
    let v = r.vetoes.iter().find(|v| v.draft == "S/2022/300").unwrap();
    let c = v.meetings[0].count.as_ref().unwrap();
    assert_eq!(c.working_days, 11);
    assert_eq!(c.partial_years, vec![2022]);
    assert!(!c.complete);
    assert_eq!(v.status, VetoStatus::MissedUnlessUnrecordedHolidays);
    assert!(v.basis.contains("2022 partial"), "{}", v.basis);
    // Day 10 stays held whatever the calendar.
    let v = r.vetoes.iter().find(|v| v.draft == "S/2022/100").unwrap();
    assert_eq!(v.status, VetoStatus::Held);
    // A calendar the ledger does not have: refused, naming the recorded ones (it used to
    // count with no holidays at all).
    let err = veto_initiative(&view, Some("Geneva")).unwrap_err();
    assert_eq!(
        err,
        actledger_core::projection::CalendarError::Unknown {
            name: "Geneva".into(),
            recorded: vec!["Partial".into(), UN_HEADQUARTERS.into()],
        }
    );
}

#[test]
fn veto_initiative_correction_of_a_meeting_date() {
    let mut w = world();
    let day11 = meeting(Some("2022-05-25"), &[("2022-05-10", Some("S/2022/100"))]);
    let fix = w.ledger.correct(Who::Recorder, w.m_day10, day11);
    let r = veto_initiative(&w.ledger.view(Cutoff::default()), None).unwrap();
    let v = r.vetoes.iter().find(|v| v.draft == "S/2022/100").unwrap();
    assert_eq!(v.status, VetoStatus::Missed);
    assert_eq!(v.meetings[0].corrections, vec![fix]);
    let r = veto_initiative(&w.ledger.view(before(fix)), None).unwrap();
    let v = r.vetoes.iter().find(|v| v.draft == "S/2022/100").unwrap();
    assert_eq!(v.status, VetoStatus::Held);
}

#[test]
fn veto_window_open_at_the_cutoff() {
    let w = world();
    // On 2022-11-20 the veto of 2022-11-15 is three working days old.
    let r = veto_initiative(&w.ledger.view(as_of("2022-11-20")), None).unwrap();
    let v = r.vetoes.iter().find(|v| v.draft == "S/2022/950").unwrap();
    assert_eq!(v.status, VetoStatus::WindowOpen);
    assert_eq!(r.reference_date, Some(d("2022-11-20")));
    // Undated meeting of S/2022/900 (veto 2022-11-01) is in; S/2022/300's meeting too.
    let v = r.vetoes.iter().find(|v| v.draft == "S/2022/900").unwrap();
    assert_eq!(v.status, VetoStatus::MeetingUndated);
    // The unrecorded veto's meeting (2022-12-21) is after the cut-off.
    assert!(r.other_meetings.is_empty());
    // as_of before the undated meeting's veto: the meeting is out.
    let r = veto_initiative(&w.ledger.view(as_of("2022-10-31")), None).unwrap();
    assert!(r.vetoes.iter().all(|v| v.draft != "S/2022/900"));
}
