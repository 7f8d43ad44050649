//! Appends: durable, atomic, one process per ledger, every append through the full admission check.

use super::*;

#[test]
fn appends_survive_reopen_and_verify() {
    let (dir, mut l, rec) = ledger();
    let a = l.append_all(&rec, (0..10).map(filler)).unwrap();
    assert_eq!(a.len(), 10);
    assert_eq!(a[9].seq.0, 11);
    drop(l);
    let mut l = Ledger::open(&dir.path().join("l"), &OpenOptions::default()).unwrap();
    assert_eq!(l.size().unwrap(), 12);
    let s = l.verify(|_| {}).unwrap().unwrap();
    assert_eq!(s.events, 12);
    assert_eq!(s.head, a[9].hash);
    assert_eq!(s.root, l.root_at(12).unwrap());
    // And appending continues the chain.
    let next = l.append(&rec, filler(99)).unwrap();
    assert_eq!(next.seq.0, 12);
}

#[test]
fn a_batch_with_one_bad_event_writes_nothing() {
    let (_dir, mut l, rec) = ledger();
    let before = l.stored_head().unwrap();
    // The 5th body repeats the 2nd calendar: refused by the rules.
    let bodies: Vec<EventBody> = [0, 1, 2, 3, 1, 5].into_iter().map(filler).collect();
    match l.append_all(&rec, bodies) {
        Err(StoreError::Append(AppendError::Rule { seq, .. })) => assert_eq!(seq.0, 6),
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(l.stored_head().unwrap(), before);
    assert_eq!(l.len().unwrap(), 2);
    // `prepare` names the index of the refused body.
    let bodies: Vec<EventBody> = [7, 8, 7].into_iter().map(filler).collect();
    let (i, _) = l.prepare(&rec, bodies).unwrap_err();
    assert_eq!(i, 2);
}

#[test]
fn one_process_per_ledger() {
    let (dir, _l, _) = ledger();
    match Ledger::open(&dir.path().join("l"), &OpenOptions::default()) {
        Err(StoreError::Open(OpenError::InUse { pid, .. })) => {
            assert_eq!(pid, std::process::id().to_string())
        }
        other => panic!("expected InUse, got {other:?}"),
    }
}

#[test]
fn indexes_find_a_state_and_a_draft() {
    let (_dir, mut l, rec) = ledger();
    let dep = depositary(&mut l);
    l.append_all(&rec, (0..5).map(filler)).unwrap();
    let listed = AdherenceDate::ListedBy("2015-10-23".parse().unwrap());
    let fra = l
        .append(&dep, EventBody::Fact(letter("FRA", listed)))
        .unwrap();
    let draft = l
        .append(
            &rec,
            EventBody::Fact(Fact::DraftTabled(tabled("referenda"))),
        )
        .unwrap();
    assert_eq!(
        l.seqs_by_state("FRA".parse().unwrap()).unwrap(),
        vec![fra.seq]
    );
    assert_eq!(
        l.seqs_by_state("USA".parse().unwrap()).unwrap(),
        vec![draft.seq]
    );
    assert!(l.seqs_by_state("DEU".parse().unwrap()).unwrap().is_empty());
    assert_eq!(
        l.seqs_by_draft("S/2022/720".parse().unwrap()).unwrap(),
        vec![draft.seq]
    );
    // A correction of the tabling is found too (through the index), and the tabling still
    // (through the rules' state, which keeps a corrected fact at its seq), also after reopening.
    let fixed = l
        .append(
            &rec,
            EventBody::Correction(actledger_core::event::Correction {
                target: draft.seq,
                reason: Text::new("subject").unwrap(),
                replacement: Fact::DraftTabled(tabled("referenda in occupied regions")),
            }),
        )
        .unwrap();
    assert_eq!(
        l.seqs_by_draft("S/2022/720".parse().unwrap()).unwrap(),
        vec![draft.seq, fixed.seq]
    );
    let path = l.dir().to_path_buf();
    drop(l);
    let mut l = reopen(&path);
    assert_eq!(
        l.seqs_by_draft("S/2022/720".parse().unwrap()).unwrap(),
        vec![draft.seq, fixed.seq]
    );
    l.verify(|_| {}).unwrap().unwrap();
    assert!(l
        .seqs_by_draft("S/2022/72".parse().unwrap())
        .unwrap()
        .is_empty());
}

/// A permanent seat for a state outside the P5, and a vote with 14 members: shape-invalid
/// bodies that every append path must refuse, before and after the ledger is reopened (a
/// reopened ledger's writer is rebuilt from the log, which once skipped the shape checks).
#[test]
fn every_append_runs_the_full_admission_check() {
    use actledger_core::event::{CouncilTerm, CouncilVote, MemberVote, Seat, Vote};
    use actledger_core::ValueError;
    let bad_term = || {
        EventBody::Fact(Fact::CouncilTerm(CouncilTerm {
            state: "DEU".parse().unwrap(),
            seat: Seat::Permanent,
            from: "2019-01-01".parse().unwrap(),
            to: "2020-12-31".parse().unwrap(),
            source: Text::new("s").unwrap(),
            note: Text::empty(),
        }))
    };
    let bad_vote = || {
        let states = [
            "ALB", "BRA", "CHN", "FRA", "GAB", "GBR", "GHA", "IND", "IRL", "KEN", "MEX", "NOR",
            "RUS", "USA",
        ];
        EventBody::Fact(Fact::CouncilVote(CouncilVote {
            draft: "S/2022/720".parse().unwrap(),
            meeting: None,
            date: "2022-09-30".parse().unwrap(),
            procedural: false,
            votes: states
                .iter()
                .map(|s| MemberVote {
                    state: s.parse().unwrap(),
                    vote: Vote::Yes,
                })
                .collect(),
            source: Text::new("s").unwrap(),
            note: Text::empty(),
        }))
    };
    fn shape_refused<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str) {
        match r {
            Err(StoreError::Append(AppendError::Shape {
                source: ValueError::Shape(_),
                ..
            })) => {}
            other => panic!("{what}: expected a shape rejection, got {other:?}"),
        }
    }
    let (dir, mut l, rec) = ledger();
    l.append(&rec, EventBody::Fact(Fact::DraftTabled(tabled("Ukraine"))))
        .unwrap();
    // A fresh ledger, a reopened one (writer rebuilt from the log), and one resumed from its
    // rule-state snapshot: the same door.
    for round in 0..3 {
        if round == 2 {
            l.append_all(&rec, (0..1100).map(filler)).unwrap();
        }
        if round > 0 {
            drop(l);
            l = reopen(&dir.path().join("l"));
        }
        let size = l.size().unwrap();
        shape_refused(
            l.append(&rec, bad_term()),
            &format!("round {round}: append, term"),
        );
        shape_refused(
            l.append(&rec, bad_vote()),
            &format!("round {round}: append, vote"),
        );
        shape_refused(
            l.append_all(&rec, [filler(5000), bad_vote()]).map(|_| ()),
            "append_all",
        );
        shape_refused(
            l.prepare(&rec, [bad_term()])
                .map(|_| ())
                .map_err(|(_, e)| e),
            "prepare",
        );
        assert_eq!(l.size().unwrap(), size, "round {round}: nothing written");
    }
    // The import pipeline checks each body as it is produced.
    let r = l
        .import_pipeline(&rec, false, |emit| emit(bad_term()), |_| {})
        .unwrap();
    shape_refused(r, "import_pipeline");
    assert!(l.verify(|_| {}).unwrap().is_ok());
}

/// `commit` admits what it is handed from the bytes alone: a signature that does not verify
/// is refused, and nothing is written.
#[test]
fn commit_refuses_bytes_whose_signature_fails() {
    use actledger_core::VerifyErrorKind;
    let (_dir, mut l, rec) = ledger();
    let size = l.size().unwrap();
    let mut sealed = l.prepare(&rec, [filler(1)]).map_err(|(_, e)| e).unwrap();
    let last = sealed[0].bytes.len() - 1;
    sealed[0].bytes[last] ^= 1;
    match l.commit(&sealed) {
        Err(StoreError::Append(AppendError::Invalid {
            source: VerifyErrorKind::BadSignature { .. },
            ..
        })) => {}
        other => panic!("expected a bad signature, got {other:?}"),
    }
    assert_eq!(l.size().unwrap(), size);
    sealed[0].bytes[last] ^= 1;
    assert_eq!(l.commit(&sealed).unwrap()[0].seq.0, size);
}
