//! Supporters, the Council on a day, and vote outcomes computed from the members' votes.

use super::*;

#[test]
fn supporters_with_precision_cutoffs_and_seqs() {
    let w = world();
    let all = supporters(&w.ledger.view(Cutoff::default()));
    assert_eq!(all.count, 10);
    let ken = all
        .supporters
        .iter()
        .find(|s| s.state == st("KEN"))
        .unwrap();
    assert_eq!(
        (ken.precision, ken.seq),
        (Precision::ListedBy, w.kenya_adherence)
    );
    assert_eq!(ken.date, d("2022-12-31"));

    // as_of: only those dated (exact or listed-by) on or before the day.
    let mid = supporters(&w.ledger.view(as_of("2022-06-30")));
    assert_eq!(mid.count, 9);
    assert!(mid.supporters.iter().any(|s| s.seq == w.gha_adherence));
    assert_eq!(supporters(&w.ledger.view(as_of("2022-06-14"))).count, 8);
    assert_eq!(
        supporters(&w.ledger.view(as_of("2015-09-30"))).count,
        1,
        "NOR, listed by 2015-09-01"
    );

    // at_seq: the log as it stood before Ghana's letter was recorded.
    let early = supporters(&w.ledger.view(before(w.gha_adherence)));
    assert_eq!(early.count, 8);
    assert_eq!(early.basis.last_seq, Some(Seq(w.gha_adherence.0 - 1)));
}

#[test]
fn supporter_correction_is_applied_and_cited() {
    let mut w = world();
    let fix = w.ledger.correct(
        Who::Depositary,
        w.kenya_adherence,
        adherence("KEN", AdherenceDate::Exact(d("2022-03-01"))),
    );
    let list = supporters(&w.ledger.view(Cutoff::default()));
    let ken = list
        .supporters
        .iter()
        .find(|s| s.state == st("KEN"))
        .unwrap();
    assert_eq!(
        (ken.seq, ken.corrections.clone()),
        (w.kenya_adherence, vec![fix])
    );
    assert_eq!(
        (ken.precision, ken.date),
        (Precision::Exact, d("2022-03-01"))
    );
    // Now bound by the May vote: its no becomes... a no on a credible draft.
    let r = report(
        &w.ledger.view(Cutoff::default()),
        &TrustPolicy::AllAssessors,
        Some(&["KEN"]),
    );
    assert_eq!(
        kinds(&r, "S/2022/100"),
        [("KEN".into(), FindingKind::Breach)]
    );
}

#[test]
fn council_on_a_date() {
    let w = world();
    let view = w.ledger.view(Cutoff::default());
    let c = council_on(&view, d("2022-05-10"));
    assert_eq!(c.count, 15);
    assert!(c.complete);
    let codes: Vec<&str> = c.members.iter().map(|m| m.state.as_str()).collect();
    assert_eq!(&codes[..5], P5);
    assert_eq!(
        c.members
            .iter()
            .filter(|m| m.seat == Seat::Permanent)
            .count(),
        5
    );
    // Bound that day: ALB, FRA, GAB, GBR, IRL, MEX, NOR (listed by 2015).
    assert_eq!(c.supporters, 7);
    let standing = |code: &str| {
        c.members
            .iter()
            .find(|m| m.state == st(code))
            .unwrap()
            .standing
            .clone()
    };
    assert!(matches!(standing("GHA"), Standing::AdheredLater { .. }));
    assert!(matches!(standing("KEN"), Standing::ListedLater { .. }));
    assert!(matches!(standing("NOR"), Standing::Supporter { .. }));
    assert_eq!(standing("RUS"), Standing::NoAdherenceRecorded);
    assert_eq!(
        council_on(&view, d("2022-10-03")).supporters,
        8,
        "Ghana adhered in June"
    );
    let c2017 = council_on(&view, d("2017-04-12"));
    assert_eq!(c2017.count, 15);
    assert!(c2017
        .members
        .iter()
        .any(|m| m.state == st("UKR") && m.standing.is_bound()));
    let gap = council_on(&view, d("2020-01-01"));
    assert_eq!((gap.count, gap.complete), (5, false));
}

#[test]
fn vote_outcomes_are_computed_not_trusted() {
    let w = world();
    let list = vote_outcomes(&w.ledger.view(Cutoff::default()));
    assert_eq!(list.votes.len(), 10);
    let get = |draft: &str| {
        list.votes
            .iter()
            .find(|v| v.draft.to_string() == draft)
            .unwrap()
    };
    assert_eq!(
        get("S/2022/100").result.outcome,
        Outcome::Vetoed {
            by: vec![st("RUS")]
        }
    );
    assert_eq!(get("S/2022/100").seq, w.v_day10);
    let eight = get("S/2022/500");
    assert_eq!(eight.result.tally.yes, 8);
    assert_eq!(
        eight.result.outcome,
        Outcome::Failed,
        "a P5 no with 8 in favour is not a veto"
    );
    assert_eq!(get("S/2022/600").result.outcome, Outcome::Adopted);
    assert_eq!(get("S/2022/800").corrections, vec![w.breach_correction]);
    assert_eq!(
        list.votes[0].draft.to_string(),
        "S/2017/400",
        "sorted by date"
    );
}
