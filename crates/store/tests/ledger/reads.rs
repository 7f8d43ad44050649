//! Reads: ranges, gaps and partial views answer as the full log does.

use super::*;

#[test]
fn a_gap_wider_than_a_read_chunk_is_reported_where_it_starts() {
    use actledger_core::VerifyErrorKind;
    use actledger_store::MemoryLog;
    let (_dir, mut l, rec) = ledger();
    l.append_all(&rec, (0..10).map(filler)).unwrap();
    let events: Vec<(u64, Vec<u8>)> = l.scan(0).map(|r| r.unwrap()).collect();
    // Keys 0..=5, then the rest stored from five read ranges on (verify cuts the log into
    // ranges of `SIGNATURE_BATCH` keys: several ranges are empty).
    let far = 5 * actledger_store::SIGNATURE_BATCH as u64;
    let moved = MemoryLog {
        entries: events
            .iter()
            .map(|(k, b)| (if *k <= 5 { *k } else { far - 6 + k }, b.clone()))
            .collect(),
    };
    let err = actledger_store::verify_log(&moved, |_| {}, |_, _, _, _| Ok(()))
        .unwrap()
        .unwrap_err();
    assert_eq!(err.seq.0, 6, "{err}");
    assert!(
        matches!(err.kind, VerifyErrorKind::Gap { next, .. } if next.0 == far),
        "{err}"
    );
    // A log whose first key is far from 0.
    let late = MemoryLog {
        entries: events
            .iter()
            .map(|(k, b)| (far / 2 + k, b.clone()))
            .collect(),
    };
    let err = actledger_store::verify_log(&late, |_| {}, |_, _, _, _| Ok(()))
        .unwrap()
        .unwrap_err();
    assert_eq!(err.seq.0, 0, "{err}");
    // And the intact log verifies.
    let intact = MemoryLog { entries: events };
    actledger_store::verify_log(&intact, |_| {}, |_, _, _, _| Ok(()))
        .unwrap()
        .unwrap();
}

#[test]
fn a_view_of_some_kinds_answers_as_the_full_view() {
    use actledger_core::event::{Correction, CouncilTerm, Seat};
    use actledger_core::projection::{self, Cutoff};
    use actledger_core::Seq;
    let (_dir, mut l, rec) = ledger();
    let dep = depositary(&mut l);
    let letter =
        |state: &str, date: &str| letter(state, AdherenceDate::Exact(date.parse().unwrap()));
    // Adherences among other facts, one corrected later.
    l.append_all(&rec, (0..3000).map(filler)).unwrap();
    let fra = l
        .append(&dep, EventBody::Fact(letter("FRA", "2015-10-23")))
        .unwrap();
    l.append_all(&rec, (3000..3100).map(filler)).unwrap();
    let deu = l
        .append(&dep, EventBody::Fact(letter("DEU", "2016-05-01")))
        .unwrap();
    l.append_all(&rec, (3100..3200).map(filler)).unwrap();
    l.append(
        &dep,
        EventBody::Correction(Correction {
            target: deu.seq,
            reason: Text::new("date").unwrap(),
            replacement: letter("DEU", "2016-04-01"),
        }),
    )
    .unwrap();
    l.append_all(&rec, (3200..3300).map(filler)).unwrap();
    for (state, seat) in [("FRA", Seat::Permanent), ("DEU", Seat::Elected)] {
        l.append(
            &rec,
            EventBody::Fact(Fact::CouncilTerm(CouncilTerm {
                state: state.parse().unwrap(),
                seat,
                from: "2015-01-01".parse().unwrap(),
                to: "2016-12-31".parse().unwrap(),
                source: Text::new("s").unwrap(),
                note: Text::empty(),
            })),
        )
        .unwrap();
    }
    l.append_all(&rec, (3300..3310).map(filler)).unwrap();
    let as_of = |d: &str| Cutoff {
        as_of: Some(d.parse().unwrap()),
        at_seq: None,
    };
    let at_seq = |n: u64| Cutoff {
        as_of: None,
        at_seq: Some(Seq(n)),
    };
    for cutoff in [
        Cutoff::default(),
        at_seq(fra.seq.0 - 1),
        at_seq(fra.seq.0),
        at_seq(deu.seq.0 + 50),
        at_seq(1_000_000),
        as_of("2016-04-15"),
    ] {
        let full = actledger_store::replay_view(&l, cutoff, None, |_| {}).unwrap();
        let some = actledger_store::replay_view(&l, cutoff, Some(&[0]), |_| {}).unwrap();
        assert_eq!(
            format!("{:?}", projection::supporters(&some)),
            format!("{:?}", projection::supporters(&full)),
            "{cutoff:?}"
        );
        let terms = actledger_store::replay_view(&l, cutoff, Some(&[0, 1]), |_| {}).unwrap();
        for day in ["2015-06-01", "2016-04-20", "2016-06-01"] {
            assert_eq!(
                format!("{:?}", projection::council_on(&terms, day.parse().unwrap())),
                format!("{:?}", projection::council_on(&full, day.parse().unwrap())),
                "{cutoff:?} {day}"
            );
        }
    }
}

/// The pipeline reads ranges with `read_range` (bytes back to back, one buffer per range);
/// it must give exactly what `scan_range` gives, for any range, across partial bundles and
/// across a missing bundle (a gap), and the trait's default (a `MemoryLog`) the same.
#[test]
fn read_range_gives_what_scan_range_gives() {
    use actledger_store::{EventRun, MemoryLog};
    let (dir, mut l, rec) = ledger();
    l.append_all(&rec, (0..70).map(filler)).unwrap();
    let path = dir.path().join("l");
    let check = |log: &dyn LogReader, what: &str| {
        let n = log.len().unwrap();
        for from in [0, 1, 15, 16, 17, 31, 33, 47, 48, 60, n - 1, n, n + 5] {
            for to in [0, 1, 16, 17, 32, 40, 48, 64, n - 1, n, u64::MAX] {
                let scanned: Vec<(u64, Vec<u8>)> =
                    log.scan_range(from, to).map(|r| r.unwrap()).collect();
                let mut run = EventRun::default();
                log.read_range(from, to, &mut run).unwrap();
                let read: Vec<(u64, Vec<u8>)> = run.iter().map(|(k, b)| (k, b.to_vec())).collect();
                assert_eq!(read, scanned, "{what}: {from}..{to}");
                assert_eq!(run.len(), scanned.len());
            }
        }
    };
    check(&l, "ledger");
    let memory = MemoryLog {
        entries: l.scan(0).map(|r| r.unwrap()).collect(),
    };
    check(&memory, "memory log");
    drop(l);
    // Remove the bundle of events 32..48 (a gap the readers skip without reading into it).
    {
        let db = raw_db(&path);
        let removed = db
            .open_tree("bundles")
            .unwrap()
            .remove(bundle::key(2))
            .unwrap();
        assert!(removed.is_some());
        db.flush().unwrap();
    }
    let l = reopen(&path);
    let keys: Vec<u64> = l.scan(0).map(|r| r.unwrap().0).collect();
    assert!(keys.contains(&31) && !keys.contains(&32) && keys.contains(&48));
    check(&l, "ledger with a gap");
    // A run emptied and filled again holds only what was read last.
    let mut run = EventRun::with_capacity(4, 10);
    l.read_range(0, 20, &mut run).unwrap();
    assert_eq!(run.len(), 20);
    run.clear();
    assert!(run.is_empty() && run.get(0).is_none());
    l.read_range(5, 9, &mut run).unwrap();
    let keys: Vec<u64> = run.iter().map(|(k, _)| k).collect();
    assert_eq!(keys, vec![5, 6, 7, 8]);
    assert_eq!(run.get(0).map(|(_, b)| b.to_vec()), l.get(5).unwrap());
}
