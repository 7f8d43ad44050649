//! The persisted rule state: appends resume from its parts, loading only those their rules
//! read; verify checks it; the whole-state snapshot of layout 4 is stale and replaced.

use super::*;

/// S/2022/(i+1) tabled.
fn drafted(i: u64) -> EventBody {
    let mut t = tabled("filler");
    t.draft = format!("S/2022/{}", i + 1).parse().unwrap();
    EventBody::Fact(Fact::DraftTabled(t))
}

fn state_key(part: &[u8], n: &[u8]) -> Vec<u8> {
    [b"state/", part, n].concat()
}

/// Every stored rule-state part (`state/...` keys of `meta`) and its value.
fn stored_state(path: &std::path::Path) -> Vec<(Vec<u8>, Vec<u8>)> {
    let db = raw_db(path);
    let meta = db.open_tree("meta").unwrap();
    meta.scan_prefix("state")
        .map(|kv| {
            let (k, v) = kv.unwrap();
            (k.to_vec(), v.to_vec())
        })
        .collect()
}

#[test]
fn the_stored_rule_state_resumes_appends_in_part_and_is_checked_by_verify() {
    let (dir, mut l, rec) = ledger();
    l.append_all(&rec, (0..1100).map(drafted)).unwrap();
    let path = dir.path().join("l");
    drop(l);
    let record = {
        let db = raw_db(&path);
        let meta = db.open_tree("meta").unwrap();
        meta.get("state")
            .unwrap()
            .expect("a rule state after the append")
            .to_vec()
    };
    assert_eq!(&record[..8], &1102u64.to_be_bytes());
    assert_eq!((record.len(), record[72]), (73, 3));
    // Resumed from the stored parts: a duplicate is still refused, a new fact admitted.
    let mut l = reopen(&path);
    let dup = l.append(&rec, drafted(7)).unwrap_err();
    assert!(
        matches!(&dup, StoreError::Append(AppendError::Rule { .. })),
        "{dup}"
    );
    l.append(&rec, drafted(5000)).unwrap();
    drop(l);
    // The parts one append left are those of the whole state: the same as replaying the log
    // and writing them whole.
    let after_appends = stored_state(&path);
    let mut l = reopen(&path);
    let resumed = l.state().unwrap().to_snapshot().unwrap();
    drop(l);
    {
        let db = raw_db(&path);
        db.open_tree("meta").unwrap().remove("state").unwrap();
        db.flush().unwrap();
    }
    let mut l = reopen(&path);
    assert_eq!(l.state().unwrap().to_snapshot().unwrap(), resumed);
    l.verify(|_| {}).unwrap().unwrap();
    l.append(&rec, drafted(5001)).unwrap();
    drop(l);
    let rebuilt = stored_state(&path);
    // Same parts but for the one the last draft went to, the small part, table and header.
    let differ: Vec<_> = rebuilt
        .iter()
        .filter(|kv| !after_appends.contains(kv))
        .map(|(k, _)| k.clone())
        .collect();
    assert!(differ.len() <= 5, "{differ:?}");
    let record = stored_state(&path)
        .into_iter()
        .find(|(k, _)| k == b"state")
        .unwrap()
        .1;

    let set = |key: &[u8], value: Option<Vec<u8>>| {
        let db = raw_db(&path);
        let meta = db.open_tree("meta").unwrap();
        match value {
            Some(v) => meta.insert(key, v).unwrap(),
            None => meta.remove(key).unwrap(),
        };
        db.flush().unwrap();
    };
    // A header that is not the events' rule state is reported by verify.
    let mut lying = record.clone();
    lying[71] ^= 1; // the table digest's last byte
    let mut other_schema = record.clone();
    other_schema[72] ^= 1;
    let cases = [
        (
            lying,
            1103,
            "at size 1104 is not the rule state of the events",
        ),
        (
            record[..20].to_vec(),
            1103,
            "header is not 73 bytes ending in schema 3",
        ),
        (
            other_schema,
            1103,
            "header is not 73 bytes ending in schema 3",
        ),
        (
            [&5000u64.to_be_bytes()[..], &record[8..]].concat(),
            1103,
            "claims size 5000",
        ),
    ];
    for (value, seq, msg) in cases {
        set(b"state", Some(value));
        let l = reopen(&path);
        let err = l.verify(|_| {}).unwrap().unwrap_err();
        assert_eq!(err.seq.0, seq, "{msg}: {err}");
        assert!(err.to_string().contains(msg), "{msg}: {err}");
        drop(l);
    }
    set(b"state", Some(record.clone()));
    reopen(&path).verify(|_| {}).unwrap().unwrap();
    // The draft part of drafted(7) damaged, or removed: verify reports it; the append that
    // reads it refuses (never decides on it) and drops the stored state; the next append
    // rebuilds it from the log and the duplicate is refused again.
    let part7 = {
        let d = actledger_core::DraftSymbol::new(2022, 8).unwrap();
        state_key(b"d", &actledger_core::rules::draft_part(d).to_be_bytes())
    };
    let stored7 = stored_state(&path)
        .into_iter()
        .find(|(k, _)| *k == part7)
        .expect("the part of draft 7")
        .1;
    let mut flipped = stored7.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    for damaged in [Some(flipped), None] {
        set(&part7, damaged);
        let mut l = reopen(&path);
        let err = l.verify(|_| {}).unwrap().unwrap_err();
        assert!(err.to_string().contains("is not the rule state"), "{err}");
        let err = l.append(&rec, drafted(7)).unwrap_err();
        assert!(
            err.to_string().contains("stored rule state is damaged"),
            "{err}"
        );
        drop(l);
        let mut l = reopen(&path);
        let dup = l.append(&rec, drafted(7)).unwrap_err();
        assert!(
            matches!(&dup, StoreError::Append(AppendError::Rule { .. })),
            "{dup}"
        );
        l.append(&rec, drafted(6000)).ok();
        drop(l);
        reopen(&path).verify(|_| {}).unwrap().unwrap();
    }
    // (The refused append after the state was dropped wrote nothing: an accepted one writes it
    // whole again.)
    let mut l = reopen(&path);
    l.append(&rec, drafted(7000)).unwrap();
    drop(l);
    reopen(&path).verify(|_| {}).unwrap().unwrap();
    // A part stored that the table does not name: reported by verify.
    let unused = (0..4096u32)
        .map(|n| state_key(b"d", &n.to_be_bytes()))
        .find(|k| !stored_state(&path).iter().any(|(s, _)| s == k))
        .unwrap();
    set(&unused, Some(vec![1, 2, 3]));
    let l = reopen(&path);
    let err = l.verify(|_| {}).unwrap().unwrap_err();
    assert!(err.to_string().contains("is not the rule state"), "{err}");
    drop(l);
    // So is a key under `state/` that no version writes. An append that resumes from the
    // small part leaves both (it reads neither); a command that loads the whole state (an
    // import, a mirror) writes it whole at its next write, which removes them.
    set(b"state/zz", Some(vec![7]));
    let mut l = reopen(&path);
    let err = l.verify(|_| {}).unwrap().unwrap_err();
    assert!(err.to_string().contains("is not the rule state"), "{err}");
    l.append(&rec, drafted(7001)).unwrap();
    drop(l);
    let l = reopen(&path);
    assert!(l.verify(|_| {}).unwrap().is_err());
    drop(l);
    let mut l = reopen(&path);
    l.state().unwrap();
    l.append(&rec, drafted(7002)).unwrap();
    drop(l);
    let keys: Vec<_> = stored_state(&path).into_iter().map(|(k, _)| k).collect();
    assert!(
        !keys.contains(&unused) && !keys.contains(&b"state/zz".to_vec()),
        "{:?}",
        keys.iter().filter(|k| k.len() < 9).collect::<Vec<_>>()
    );
    reopen(&path).verify(|_| {}).unwrap().unwrap();
}

/// The whole-state snapshot of layout 4 and earlier (`meta/rules` and its parts) is stale:
/// verify passes over it, an append replays the log, writes the rule state in parts and
/// removes the old snapshot.
#[test]
fn what_an_append_needs_is_read_from_the_small_part_without_loading_the_rest() {
    let (dir, mut l, rec) = ledger();
    let dep = depositary(&mut l);
    l.append(
        &dep,
        EventBody::Fact(letter(
            "FRA",
            AdherenceDate::Exact("2015-11-01".parse().unwrap()),
        )),
    )
    .unwrap();
    l.append_all(&rec, (0..1100).map(drafted)).unwrap();
    let path = dir.path().join("l");
    let whole = l.state().unwrap().to_snapshot().unwrap();
    drop(l);
    let mut l = reopen(&path);
    let (origin, last, keys, supporters) = {
        let small = l.small_state().unwrap();
        assert!(small.is_partial(), "the small state loaded every part");
        (
            small.origin().cloned(),
            small.last_time(),
            small.keys().clone(),
            small.supporters().clone(),
        )
    };
    assert_eq!(l.origin().unwrap(), origin.clone().unwrap());
    assert_eq!(l.last_time().unwrap(), last);
    assert!(l.small_state().unwrap().is_partial());
    // The same as the whole state's, which `state` loads.
    let state = l.state().unwrap();
    assert!(!state.is_partial());
    assert_eq!(
        (
            state.origin().cloned(),
            state.last_time(),
            state.keys(),
            state.supporters()
        ),
        (origin, last, &keys, &supporters)
    );
    assert_eq!(state.to_snapshot().unwrap(), whole);
    assert!(supporters.contains_key(&"FRA".parse().unwrap()));
    assert_eq!(keys.len(), 3);
}

#[test]
fn a_whole_state_snapshot_of_layout_4_is_stale_and_replaced_by_parts() {
    let (dir, mut l, rec) = ledger();
    l.append_all(&rec, (0..1100).map(filler)).unwrap();
    let path = dir.path().join("l");
    let state = l.state().unwrap().to_snapshot().unwrap();
    drop(l);
    {
        // What layout 4 kept: no parts, a whole-state snapshot (whose bytes do not matter).
        let stored = stored_state(&path);
        let db = raw_db(&path);
        let meta = db.open_tree("meta").unwrap();
        for (k, _) in stored {
            meta.remove(k).unwrap();
        }
        let mut header = vec![0u8; 77];
        header[..8].copy_from_slice(&1102u64.to_be_bytes());
        header[76] = 2;
        meta.insert("rules", header).unwrap();
        meta.insert(
            [&b"rules/"[..], &0u32.to_be_bytes()].concat(),
            vec![7u8; 100],
        )
        .unwrap();
        db.flush().unwrap();
    }
    let mut l = reopen(&path);
    l.verify(|_| {}).unwrap().unwrap();
    assert_eq!(l.state().unwrap().to_snapshot().unwrap(), state);
    drop(l);
    let mut l = reopen(&path);
    let dup = l.append(&rec, filler(7)).unwrap_err();
    assert!(
        matches!(&dup, StoreError::Append(AppendError::Rule { .. })),
        "{dup}"
    );
    l.append(&rec, filler(5000)).unwrap();
    drop(l);
    let db = raw_db(&path);
    let meta = db.open_tree("meta").unwrap();
    assert!(meta.get("rules").unwrap().is_none());
    assert_eq!(meta.scan_prefix("rules/").count(), 0);
    let header = meta.get("state").unwrap().unwrap();
    assert_eq!((header.len(), header[72]), (73, 3));
    drop(meta);
    drop(db);
    reopen(&path).verify(|_| {}).unwrap().unwrap();
}

#[derive(Debug, Clone)]
enum Step {
    Draft(u32),
    Calendar(u8),
    /// A correction of the event at this seq into a draft of this number.
    Correct(u64, u32),
    Reopen,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (1u32..40).prop_map(Step::Draft),
        1 => (0u8..8).prop_map(Step::Calendar),
        3 => (0u64..60, 1u32..40).prop_map(|(t, d)| Step::Correct(t, d)),
        2 => Just(Step::Reopen),
    ]
}

fn body_of(s: &Step) -> Option<EventBody> {
    let draft = |n: u32| {
        let mut t = tabled("p");
        t.draft = format!("S/2022/{n}").parse().unwrap();
        Fact::DraftTabled(t)
    };
    match s {
        Step::Draft(n) => Some(EventBody::Fact(draft(*n))),
        Step::Calendar(n) => Some(filler(u64::from(*n))),
        Step::Correct(t, n) => Some(EventBody::Correction(actledger_core::event::Correction {
            target: actledger_core::Seq(*t),
            reason: Text::new("r").unwrap(),
            replacement: draft(*n),
        })),
        Step::Reopen => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Appends through the stored rule state (reopened at random, so each append after a
    /// reopen loads only the parts its rules read) decide exactly as appends to a ledger that
    /// keeps its whole state in memory, and the stored state is the replayed one (verify
    /// recomputes it from the events and compares).
    #[test]
    fn appends_through_stored_parts_decide_as_the_whole_state(steps in prop::collection::vec(step(), 1..60)) {
        let (dir, mut stored, rec) = ledger();
        let (_whole_dir, mut whole, _) = ledger();
        let path = dir.path().join("l");
        for s in &steps {
            let Some(body) = body_of(s) else {
                drop(stored);
                stored = reopen(&path);
                continue;
            };
            let a = stored.append(&rec, body.clone()).map(|a| a.seq);
            let b = whole.append(&rec, body).map(|a| a.seq);
            prop_assert_eq!(a.is_ok(), b.is_ok(), "{:?}: {:?} / {:?}", s, a, b);
            if let (Err(x), Err(y)) = (&a, &b) {
                prop_assert_eq!(x.to_string(), y.to_string());
            }
        }
        drop(stored);
        let mut stored = reopen(&path);
        stored.verify(|_| {}).unwrap().unwrap();
        let from_parts = stored.state().unwrap().to_snapshot().unwrap();
        drop(stored);
        {
            let db = raw_db(&path);
            db.open_tree("meta").unwrap().remove("state").unwrap();
            db.flush().unwrap();
        }
        let replayed = reopen(&path).state().unwrap().to_snapshot().unwrap();
        prop_assert_eq!(from_parts, replayed);
    }
}
