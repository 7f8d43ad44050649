//! The store's promises, in-process: appends are durable and atomic, a batch with one bad
//! event writes nothing, one process per ledger, and every proof the ledger produces verifies
//! (and fails when any bit is flipped).
#![allow(clippy::unwrap_used)]

use actledger_core::event::{
    AdherenceDate, AdherenceLetter, DraftTabled, EventBody, Fact, Holiday, HolidayCalendar,
    Instrument, KeyGranted, LedgerCreated,
};
use actledger_core::merkle;
use actledger_core::RuleError;
use actledger_core::{Origin, Role, SigningKey, Text};
use actledger_store::{
    bundle, AppendError, Ledger, LogReader, OpenError, OpenOptions, ProofError, StoreError,
};
use proptest::prelude::*;

fn genesis(admin: &SigningKey) -> LedgerCreated {
    LedgerCreated {
        origin: Origin::new("store.test/ledger").unwrap(),
        admin: admin.public(),
        admin_holder: Text::new("admin").unwrap(),
        description: Text::empty(),
    }
}

/// A cheap, always-admissible fact: a holiday calendar with a unique name.
fn filler(i: u64) -> EventBody {
    EventBody::Fact(Fact::HolidayCalendar(HolidayCalendar {
        calendar: Text::new(format!("calendar {i}")).unwrap(),
        year: 2024,
        complete: false,
        holidays: vec![Holiday {
            date: "2024-12-25".parse().unwrap(),
            name: Text::new("Christmas Day").unwrap(),
        }],
        source: Text::new("test").unwrap(),
    }))
}

/// A ledger whose recorder key can append fillers; returns (dir, ledger, recorder).
fn ledger() -> (tempfile::TempDir, Ledger, SigningKey) {
    let dir = tempfile::tempdir().unwrap();
    let admin = SigningKey::from_seed(&[1; 32]);
    let rec = SigningKey::from_seed(&[2; 32]);
    let (mut l, _) = Ledger::create(&dir.path().join("l"), &admin, genesis(&admin)).unwrap();
    l.append(
        &admin,
        EventBody::KeyGranted(KeyGranted {
            key: rec.public(),
            role: Role::Recorder,
            holder: Text::new("rec").unwrap(),
            note: Text::empty(),
        }),
    )
    .unwrap();
    (dir, l, rec)
}

/// Grants the log role to a fixed key (seed 9) with `admin`, for checkpoint tests.
fn grant_log_key(l: &mut Ledger, admin: &SigningKey) -> SigningKey {
    let log = SigningKey::from_seed(&[9; 32]);
    l.append(
        admin,
        EventBody::KeyGranted(KeyGranted {
            key: log.public(),
            role: Role::Log,
            holder: Text::new("log").unwrap(),
            note: Text::empty(),
        }),
    )
    .unwrap();
    log
}

/// Grants the depositary role to a fixed key and returns it.
fn depositary(l: &mut Ledger) -> SigningKey {
    let admin = SigningKey::from_seed(&[1; 32]);
    let dep = SigningKey::from_seed(&[3; 32]);
    l.append(
        &admin,
        EventBody::KeyGranted(KeyGranted {
            key: dep.public(),
            role: Role::Depositary,
            holder: Text::new("dep").unwrap(),
            note: Text::empty(),
        }),
    )
    .unwrap();
    dep
}

fn letter(state: &str, date: AdherenceDate) -> Fact {
    Fact::AdherenceLetter(AdherenceLetter {
        state: state.parse().unwrap(),
        date,
        received: None,
        instrument: Instrument::Unspecified,
        reference: Text::empty(),
        source: Text::new("s").unwrap(),
        note: Text::empty(),
    })
}

/// S/2022/720 tabled with `subject`.
fn tabled(subject: &str) -> DraftTabled {
    DraftTabled {
        draft: "S/2022/720".parse().unwrap(),
        subject: Text::new(subject).unwrap(),
        agenda_item: Text::empty(),
        penholders: vec!["ALB".parse().unwrap(), "USA".parse().unwrap()],
        tabled_on: None,
        reported_vote: None,
        source: Text::new("s").unwrap(),
        note: Text::empty(),
    }
}

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

#[test]
fn checkpoint_needs_the_log_role() {
    let (_dir, mut l, rec) = ledger();
    assert!(matches!(
        l.sign_checkpoint(&rec),
        Err(StoreError::Proof(ProofError::Refused(
            RuleError::MissingRole { .. }
        )))
    ));
    assert!(l.latest_checkpoint().unwrap().is_none());
}

fn flip(h: &merkle::Hash, bit: usize) -> merkle::Hash {
    let mut b = h.0;
    b[bit / 8 % 32] ^= 1 << (bit % 8);
    merkle::Hash(b)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn every_proof_the_ledger_produces_verifies(n in 1u64..2500, picks in proptest::collection::vec(any::<u64>(), 6), bit in 0usize..256) {
        let (_dir, mut l, rec) = ledger();
        l.append_all(&rec, (0..n).map(filler)).unwrap();
        let size = l.size().unwrap();
        let leaves: Vec<merkle::Hash> = l.scan(0).map(|r| merkle::leaf_hash(&r.unwrap().1)).collect();
        for p in &picks {
            let new = 1 + p % size;
            let index = p.rotate_left(17) % new;
            let root = l.root_at(new).unwrap();
            let path = l.inclusion_proof(index, new).unwrap();
            prop_assert!(merkle::verify_inclusion(&leaves[index as usize], index, new, &path, &root).is_ok());
            // A flipped bit in the leaf, the root or any proof hash fails.
            prop_assert!(merkle::verify_inclusion(&flip(&leaves[index as usize], bit), index, new, &path, &root).is_err());
            prop_assert!(merkle::verify_inclusion(&leaves[index as usize], index, new, &path, &flip(&root, bit)).is_err());
            for k in 0..path.len() {
                let mut bad = path.clone();
                bad[k] = flip(&bad[k], bit);
                prop_assert!(merkle::verify_inclusion(&leaves[index as usize], index, new, &bad, &root).is_err());
            }
            let old = 1 + p.rotate_left(29) % new;
            let c = l.consistency_proof(old, new).unwrap();
            let old_root = l.root_at(old).unwrap();
            prop_assert!(merkle::verify_consistency(old, new, &c, &old_root, &root).is_ok());
            for k in 0..c.len() {
                let mut bad = c.clone();
                bad[k] = flip(&bad[k], bit);
                prop_assert!(merkle::verify_consistency(old, new, &bad, &old_root, &root).is_err());
            }
            if old < new {
                prop_assert!(merkle::verify_consistency(old, new, &c, &flip(&old_root, bit), &root).is_err());
            }
        }
    }
}

/// Opens the ledger's sled database directly (as someone editing it would), waiting for the
/// previous handle's background threads to let go of it.
fn raw_db(dir: &std::path::Path) -> sled::Db {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match sled::open(dir.join("db")) {
            Ok(db) => return db,
            Err(e) if std::time::Instant::now() < deadline => {
                let _ = e;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => panic!("{e}"),
        }
    }
}

/// Every key and value of one tree of a closed ledger's database.
fn tree_of(dir: &std::path::Path, tree: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    let db = raw_db(dir);
    let t = db.open_tree(tree).unwrap();
    t.iter()
        .map(|r| {
            let (k, v) = r.unwrap();
            (k.to_vec(), v.to_vec())
        })
        .collect()
}

fn tiles_of(dir: &std::path::Path) -> Vec<(Vec<u8>, Vec<u8>)> {
    tree_of(dir, "tiles")
}

/// Rewrites a closed ledger's events as layouts 1 and 2 stored them (one `events` key per
/// event, no bundles) and returns the bundles it had.
fn unbundle(db: &sled::Db) -> Vec<(Vec<u8>, Vec<u8>)> {
    let bundles = db.open_tree("bundles").unwrap();
    let events = db.open_tree("events").unwrap();
    let mut kept = Vec::new();
    for item in bundles.iter() {
        let (k, v) = item.unwrap();
        let b = bundle::number(&k).unwrap();
        for (i, e) in bundle::split(&v).enumerate() {
            events
                .insert((bundle::first_seq(b) + i as u64).to_be_bytes(), e)
                .unwrap();
        }
        kept.push((k.to_vec(), v.to_vec()));
    }
    drop(bundles);
    db.drop_tree("bundles").unwrap();
    db.open_tree("meta")
        .unwrap()
        .insert("layout", &[2])
        .unwrap();
    db.flush().unwrap();
    kept
}

fn bundles_of(dir: &std::path::Path) -> Vec<(Vec<u8>, Vec<u8>)> {
    tree_of(dir, "bundles")
}

fn reopen_result(dir: &std::path::Path) -> Result<Ledger, StoreError> {
    let opts = OpenOptions {
        wait: std::time::Duration::from_secs(10),
        ..OpenOptions::default()
    };
    Ledger::open(dir, &opts)
}

fn reopen(dir: &std::path::Path) -> Ledger {
    reopen_result(dir).unwrap()
}

/// Why opening the ledger fails.
fn reopen_err(dir: &std::path::Path) -> String {
    reopen_result(dir).unwrap_err().to_string()
}

#[test]
fn a_failed_import_leaves_the_tiles_as_they_were() {
    let (dir, mut l, rec) = ledger();
    l.append_all(&rec, (0..300).map(filler)).unwrap();
    let path = dir.path().join("l");
    drop(l);
    let before = tiles_of(&path);
    // 302 leaves: tile (0, 0) full, tile (0, 1) with 46 hashes, tile (1, 0) with 1.
    assert_eq!(before.len(), 3);
    assert_eq!(before[1].1.len(), 46 * 32);
    let mut l = reopen(&path);
    let out = l
        .import_pipeline(
            &rec,
            false,
            |emit: &mut dyn FnMut(EventBody) -> Result<(), StoreError>| -> Result<(), String> {
                for i in 300..5000 {
                    emit(filler(i)).map_err(|e| e.to_string())?;
                }
                Err("the source failed at its end".into())
            },
            |_| {},
        )
        .unwrap();
    assert!(out.is_err());
    drop(l);
    assert_eq!(
        tiles_of(&path),
        before,
        "the failed import left tiles behind"
    );
    let mut l = reopen(&path);
    assert_eq!(l.size().unwrap(), 302);
    l.verify(|_| {}).unwrap().unwrap();
    // And the next append extends the partial tile.
    l.append_all(&rec, (5000..5300).map(filler)).unwrap();
    l.verify(|_| {}).unwrap().unwrap();
    let root = l.root_at(602).unwrap();
    let leaves: Vec<merkle::Hash> = l
        .scan(0)
        .map(|r| merkle::leaf_hash(&r.unwrap().1))
        .collect();
    let path_602 = l.inclusion_proof(601, 602).unwrap();
    assert!(merkle::verify_inclusion(&leaves[601], 601, 602, &path_602, &root).is_ok());
}

#[test]
fn lying_tiles_are_caught() {
    let (dir, mut l, rec) = ledger();
    l.append_all(&rec, (0..598).map(filler)).unwrap();
    let path = dir.path().join("l");
    drop(l);
    // 600 leaves: tiles (0, 0) and (0, 1) full, (0, 2) with 88 hashes, (1, 0) with 2.
    type Tamper = Box<dyn Fn(&sled::Tree)>;
    let cases: Vec<(&str, Tamper, u64, &str)> = vec![
        (
            "flipped hash in a full tile",
            Box::new(|t: &sled::Tree| {
                let k = [0u8, 0, 0, 0, 0, 0, 0, 0, 1];
                let mut v = t.get(k).unwrap().unwrap().to_vec();
                v[100] ^= 1;
                t.insert(k, v).unwrap();
            }),
            511,
            "stored Merkle tile (0, 1) has the wrong hashes (filled by this event)",
        ),
        (
            "missing rightmost tile",
            Box::new(|t: &sled::Tree| {
                t.remove([0u8, 0, 0, 0, 0, 0, 0, 0, 2]).unwrap();
            }),
            599,
            "stored Merkle tile (0, 2) is missing (the rightmost tile of its level)",
        ),
        (
            "short rightmost tile",
            Box::new(|t: &sled::Tree| {
                let k = [1u8, 0, 0, 0, 0, 0, 0, 0, 0];
                let v = t.get(k).unwrap().unwrap().to_vec();
                t.insert(k, &v[..32]).unwrap();
            }),
            599,
            "stored Merkle tile (1, 0) has the wrong hashes (the rightmost tile of its level)",
        ),
        (
            "a tile no event fills",
            Box::new(|t: &sled::Tree| {
                t.insert([0u8, 0, 0, 0, 0, 0, 0, 0, 9], vec![7u8; 64])
                    .unwrap();
            }),
            599,
            "stored Merkle tile (0, 9) is not part of the tree",
        ),
    ];
    for (what, tamper, seq, msg) in cases {
        let before = tiles_of(&path);
        {
            let db = raw_db(&path);
            tamper(&db.open_tree("tiles").unwrap());
            db.flush().unwrap();
        }
        let l = reopen(&path);
        let err = l.verify(|_| {}).unwrap().unwrap_err();
        assert_eq!(err.seq.0, seq, "{what}: {err}");
        assert!(err.to_string().contains(msg), "{what}: {err}");
        drop(l);
        // Undo, and the ledger verifies again.
        {
            let db = raw_db(&path);
            let t = db.open_tree("tiles").unwrap();
            t.clear().unwrap();
            for (k, v) in before {
                t.insert(k, v).unwrap();
            }
            db.flush().unwrap();
        }
        reopen(&path).verify(|_| {}).unwrap().unwrap();
    }
}

#[test]
fn a_ledger_with_one_key_per_merkle_node_is_moved_to_tiles_on_open() {
    let (dir, mut l, rec) = ledger();
    l.append_all(&rec, (0..700).map(filler)).unwrap();
    let path = dir.path().join("l");
    drop(l);
    let tiles = tiles_of(&path);
    {
        // The layout before tiles: a `merkle` tree of nodes and no `tiles` tree (and one
        // key per event).
        let db = raw_db(&path);
        unbundle(&db);
        db.open_tree("meta").unwrap().remove("layout").unwrap();
        db.drop_tree("tiles").unwrap();
        let old = db.open_tree("merkle").unwrap();
        old.insert([0u8, 0, 0, 0, 0, 0, 0, 0, 0], vec![0u8; 32])
            .unwrap();
        db.flush().unwrap();
    }
    let l = reopen(&path);
    l.verify(|_| {}).unwrap().unwrap();
    drop(l);
    assert_eq!(tiles_of(&path), tiles);
    let db = raw_db(&path);
    assert!(!db.tree_names().iter().any(|n| n.as_ref() == b"merkle"));
}

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
}

/// The whole-state snapshot of layout 4 and earlier (`meta/rules` and its parts) is stale:
/// verify passes over it, an append replays the log, writes the rule state in parts and
/// removes the old snapshot.
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

#[test]
fn a_ledger_of_an_earlier_layout_is_upgraded_and_a_newer_one_refused() {
    let (dir, mut l, rec) = ledger();
    let draft = l
        .append(
            &rec,
            EventBody::Fact(Fact::DraftTabled(tabled("referenda"))),
        )
        .unwrap();
    let path = dir.path().join("l");
    drop(l);
    // Layout 1 indexed a tabled draft under by_draft and had no layout record.
    let mut key = Vec::new();
    key.extend_from_slice(&2022u16.to_be_bytes());
    key.extend_from_slice(&720u32.to_be_bytes());
    key.extend_from_slice(&draft.seq.0.to_be_bytes());
    {
        let db = raw_db(&path);
        unbundle(&db);
        db.open_tree("by_draft").unwrap().insert(&key, &[]).unwrap();
        db.open_tree("meta").unwrap().remove("layout").unwrap();
        db.flush().unwrap();
    }
    let mut l = reopen(&path);
    l.verify(|_| {}).unwrap().unwrap();
    assert_eq!(
        l.seqs_by_draft("S/2022/720".parse().unwrap()).unwrap(),
        vec![draft.seq]
    );
    drop(l);
    {
        let db = raw_db(&path);
        assert!(!db
            .open_tree("by_draft")
            .unwrap()
            .contains_key(&key)
            .unwrap());
        assert_eq!(
            db.open_tree("meta")
                .unwrap()
                .get("layout")
                .unwrap()
                .unwrap()
                .as_ref(),
            [4]
        );
        db.open_tree("meta")
            .unwrap()
            .insert("layout", &[9])
            .unwrap();
        db.flush().unwrap();
    }
    match reopen_result(&path) {
        Err(StoreError::Open(OpenError::NewerLayout {
            found: 9,
            supported: 4,
        })) => {}
        other => panic!("expected NewerLayout, got {other:?}"),
    }
    assert_eq!(
        reopen_err(&path),
        "this ledger was written by a newer actledger (layout 9); this binary reads up to 4"
    );
}

/// A database without `meta/layout` is layout 1 only if it holds layout 1's `events` tree:
/// a ledger of today's layout whose record was removed is refused as unrecognised (exit 1
/// at the command line), read-only or not, with nothing changed.
#[test]
fn a_missing_layout_record_is_refused_unless_the_ledger_is_layout_1() {
    let (dir, mut l, rec) = ledger();
    l.append_all(&rec, (0..20).map(filler)).unwrap();
    let path = dir.path().join("l");
    drop(l);
    {
        let db = raw_db(&path);
        db.open_tree("meta").unwrap().remove("layout").unwrap();
        db.flush().unwrap();
    }
    let before: Vec<_> = ["bundles", "meta", "tiles", "by_state", "by_draft"]
        .iter()
        .map(|t| tree_of(&path, t))
        .collect();
    for read_only in [true, false] {
        let opts = OpenOptions {
            read_only,
            wait: std::time::Duration::from_secs(10),
            ..OpenOptions::default()
        };
        match Ledger::open(&path, &opts) {
            Err(e @ StoreError::Open(OpenError::Unrecognised { .. })) => {
                assert!(e.is_corruption());
                assert!(e.to_string().contains("no `meta/layout` record"), "{e}");
            }
            other => panic!("read_only {read_only}: expected Unrecognised, got {other:?}"),
        }
    }
    let after: Vec<_> = ["bundles", "meta", "tiles", "by_state", "by_draft"]
        .iter()
        .map(|t| tree_of(&path, t))
        .collect();
    assert_eq!(before, after, "nothing changed");
}

#[test]
fn a_ledger_with_one_key_per_event_is_moved_to_bundles_on_open() {
    let (dir, mut l, rec) = ledger();
    l.append_all(&rec, (0..100).map(filler)).unwrap();
    let path = dir.path().join("l");
    drop(l);
    let bundles = {
        let db = raw_db(&path);
        let bundles = unbundle(&db);
        // 102 events: 6 full bundles and one of 6.
        assert_eq!(bundles.len(), 7);
        // An earlier attempt that was interrupted left a bundle behind (and the record that
        // it was migrating): the copy starts over.
        db.open_tree("bundles")
            .unwrap()
            .insert(bundle::key(40), &b"left over"[..])
            .unwrap();
        db.open_tree("meta")
            .unwrap()
            .insert("migrating", &[] as &[u8])
            .unwrap();
        db.flush().unwrap();
        bundles
    };
    let mut l = reopen(&path);
    l.verify(|_| {}).unwrap().unwrap();
    l.append(&rec, filler(100)).unwrap();
    drop(l);
    let mut after = bundles_of(&path);
    assert_eq!(after.len(), 7);
    // The bundles are what this version wrote, byte for byte, plus the new event.
    let (k, v) = after.pop().unwrap();
    let (k0, v0) = bundles.last().unwrap();
    assert_eq!((&k, &v[..v0.len()]), (k0, &v0[..]));
    assert_eq!(bundle::count(&v), 7);
    assert_eq!(after[..], bundles[..6]);
    let db = raw_db(&path);
    assert!(!db.tree_names().iter().any(|n| n.as_ref() == b"events"));
    drop(db);
    // A log with a gap cannot be bundled: refused, and left as it was.
    {
        let db = raw_db(&path);
        unbundle(&db);
        db.open_tree("events")
            .unwrap()
            .remove(50u64.to_be_bytes())
            .unwrap();
        db.flush().unwrap();
    }
    let err = reopen_err(&path);
    assert!(
        err.contains("event key 51 where seq 50 was expected"),
        "{err}"
    );
    let db = raw_db(&path);
    assert_eq!(db.open_tree("events").unwrap().len(), 102);
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

/// A database no version wrote (a stray `events` tree beside real bundles) is refused by
/// every open, read-only or not, and nothing is changed; a read-only open never migrates.
#[test]
fn an_unrecognised_database_is_refused_and_left_as_it_was() {
    let (dir, mut l, rec) = ledger();
    l.append_all(&rec, (0..40).map(filler)).unwrap();
    let path = dir.path().join("l");
    drop(l);
    let bundles = bundles_of(&path);
    {
        let db = raw_db(&path);
        db.open_tree("events")
            .unwrap()
            .insert(0u64.to_be_bytes(), &b"stray"[..])
            .unwrap();
        db.flush().unwrap();
    }
    for read_only in [true, false] {
        let opts = OpenOptions {
            read_only,
            ..OpenOptions::default()
        };
        match Ledger::open(&path, &opts) {
            Err(StoreError::Open(OpenError::Unrecognised { found, .. })) => {
                assert!(found.contains("`events` tree"), "{found}")
            }
            other => panic!("read_only {read_only}: expected Unrecognised, got {other:?}"),
        }
        assert_eq!(bundles_of(&path), bundles);
        assert_eq!(tree_of(&path, "events").len(), 1);
    }
    // An old layout is migrated by a writing open only.
    {
        let db = raw_db(&path);
        db.drop_tree("events").unwrap();
        unbundle(&db);
        db.open_tree("meta")
            .unwrap()
            .insert("layout", &[2])
            .unwrap();
        db.flush().unwrap();
    }
    let opts = OpenOptions {
        read_only: true,
        ..OpenOptions::default()
    };
    match Ledger::open(&path, &opts) {
        Err(StoreError::Open(OpenError::NeedsMigration { layout: 2, .. })) => {}
        other => panic!("expected NeedsMigration, got {other:?}"),
    }
    assert_eq!(tree_of(&path, "events").len(), 42);
    let l = reopen(&path);
    l.verify(|_| {}).unwrap().unwrap();
    drop(l);
    assert_eq!(bundles_of(&path), bundles);
    // And a read-only ledger refuses writes.
    let mut l = Ledger::open(&path, &opts).unwrap();
    assert!(matches!(
        l.append(&rec, filler(99)),
        Err(StoreError::ReadOnly)
    ));
    assert_eq!(l.size().unwrap(), 42);
}

/// The checkpoint history is numbered 0, 1, 2, ... in order of size: verify reports a
/// stored checkpoint deleted between the first and the latest, or its number deleted with
/// it. Deleting the latest one together with its number leaves a consistent earlier
/// history, which nothing inside the store can tell apart (docs/RELIABILITY.md: only a
/// checkpoint held outside the ledger catches that).
#[test]
fn a_checkpoint_deleted_from_the_history_is_caught() {
    let (dir, mut l, rec) = ledger();
    let admin = SigningKey::from_seed(&[1; 32]);
    let log = grant_log_key(&mut l, &admin);
    let mut sizes = Vec::new();
    for i in 0..3 {
        l.append(&rec, filler(i)).unwrap();
        sizes.push(l.sign_checkpoint(&log).unwrap().size);
    }
    l.verify(|_| {}).unwrap().unwrap();
    let path = dir.path().join("l");
    drop(l);
    let history_key = |n: u64| [&b"checkpoint/"[..], &n.to_be_bytes()].concat();
    let edit = |f: &dyn Fn(&sled::Db)| {
        let db = raw_db(&path);
        f(&db);
        db.flush().unwrap();
    };
    let saved = tree_of(&path, "checkpoints");
    let verify_err = || {
        let l = reopen(&path);
        let e = l.verify(|_| {}).unwrap().unwrap_err();
        e.to_string()
    };
    // The middle checkpoint deleted.
    edit(&|db| {
        db.open_tree("checkpoints")
            .unwrap()
            .remove(sizes[1].to_be_bytes())
            .unwrap();
    });
    let e = verify_err();
    assert!(
        e.contains(&format!("the checkpoint at size {} (number 1", sizes[1])),
        "{e}"
    );
    // And its number with it.
    edit(&|db| {
        db.open_tree("meta")
            .unwrap()
            .remove(history_key(1))
            .unwrap();
    });
    let e = verify_err();
    assert!(
        e.contains("checkpoint number 1 of the history is missing"),
        "{e}"
    );
    // Put back: verifies.
    edit(&|db| {
        let cps = db.open_tree("checkpoints").unwrap();
        for (k, v) in &saved {
            cps.insert(k, v.as_slice()).unwrap();
        }
        db.open_tree("meta")
            .unwrap()
            .insert(history_key(1), &sizes[1].to_be_bytes())
            .unwrap();
    });
    reopen(&path).verify(|_| {}).unwrap().unwrap();
    // A checkpoint the history does not list.
    edit(&|db| {
        db.open_tree("meta")
            .unwrap()
            .remove(history_key(2))
            .unwrap();
    });
    let e = verify_err();
    assert!(e.contains("is not in the checkpoint history"), "{e}");
    // The whole numbered history deleted: since layout 4 every checkpoint is numbered, so
    // this is not a ledger from before the numbering (issue 16's tamper-sweep gap).
    edit(&|db| {
        let meta = db.open_tree("meta").unwrap();
        for n in 0..3 {
            meta.remove(history_key(n)).unwrap();
        }
    });
    let e = verify_err();
    assert!(
        e.contains(&format!(
            "the checkpoint at size {} is not in the checkpoint history",
            sizes[0]
        )),
        "{e}"
    );
    // A ledger of layout 3 whose checkpoints predate the numbering: a read-only open reads
    // it as layout 3 and verifies; a writing open numbers them (layout 4), and the next
    // checkpoint follows.
    edit(&|db| {
        db.open_tree("meta")
            .unwrap()
            .insert("layout", &[3])
            .unwrap();
    });
    let read_only = OpenOptions {
        read_only: true,
        wait: std::time::Duration::from_secs(10),
        ..OpenOptions::default()
    };
    Ledger::open(&path, &read_only)
        .unwrap()
        .verify(|_| {})
        .unwrap()
        .unwrap();
    assert_eq!(
        tree_of(&path, "meta")
            .iter()
            .filter(|(k, _)| k.starts_with(b"checkpoint/"))
            .count(),
        0
    );
    let mut l = reopen(&path);
    l.verify(|_| {}).unwrap().unwrap();
    l.append(&rec, filler(10)).unwrap();
    let last = l.sign_checkpoint(&log).unwrap().size;
    l.verify(|_| {}).unwrap().unwrap();
    drop(l);
    let numbered: Vec<u64> = tree_of(&path, "meta")
        .into_iter()
        .filter(|(k, _)| k.starts_with(b"checkpoint/"))
        .map(|(_, v)| u64::from_be_bytes(v.try_into().unwrap()))
        .collect();
    assert_eq!(numbered, [sizes[0], sizes[1], sizes[2], last]);
}

/// verify re-checks every stored checkpoint with the one rule in core
/// (`core::log_checkpoint`): one signed by a log key revoked before its size is refused.
#[test]
fn a_checkpoint_by_a_revoked_log_key_is_refused_by_verify() {
    use actledger_core::checkpoint::Checkpoint;
    use actledger_core::event::KeyRevoked;
    use actledger_core::note::KeyName;
    let (dir, mut l, rec) = ledger();
    let admin = SigningKey::from_seed(&[1; 32]);
    let log = grant_log_key(&mut l, &admin);
    l.append(&rec, filler(1)).unwrap();
    l.sign_checkpoint(&log).unwrap();
    l.append(
        &admin,
        EventBody::KeyRevoked(KeyRevoked {
            key: log.public(),
            reason: Text::new("lost").unwrap(),
        }),
    )
    .unwrap();
    l.verify(|_| {}).unwrap().unwrap();
    assert!(matches!(
        l.sign_checkpoint(&log),
        Err(StoreError::Proof(ProofError::Refused(_)))
    ));
    // Forged: signed by the revoked key at the current size, stored behind the store's back.
    let size = l.size().unwrap();
    let note = Checkpoint::new("store.test/ledger", size, l.root_at(size).unwrap())
        .unwrap()
        .sign(&KeyName::new("store.test/ledger").unwrap(), &log)
        .unwrap()
        .to_string();
    drop(l);
    let path = dir.path().join("l");
    {
        let db = raw_db(&path);
        db.open_tree("checkpoints")
            .unwrap()
            .insert(size.to_be_bytes(), note.as_bytes())
            .unwrap();
        db.open_tree("meta")
            .unwrap()
            .insert(
                [&b"checkpoint/"[..], &1u64.to_be_bytes()].concat(),
                &size.to_be_bytes(),
            )
            .unwrap();
        db.flush().unwrap();
    }
    let e = reopen(&path).verify(|_| {}).unwrap().unwrap_err();
    assert!(
        e.to_string().contains(&format!(
            "checkpoint at size {size}: not signed by a key holding the log role"
        )),
        "{e}"
    );
}

/// The tile-shaped seam: proofs, tile files and tile verification are written once against
/// `TileReader`, and the sled ledger and an in-memory log (tiles computed from its entries)
/// give the same answers; a lying stored tile fails `verify_tiles`.
#[test]
fn the_tile_seam_gives_the_same_proofs_over_every_log() {
    use actledger_store::{
        consistency_proof, inclusion_proof, tile_files, verify_tiles, ComputedTiles, MemoryLog,
        TileBuilder, TileReader,
    };
    let (dir, mut l, rec) = ledger();
    l.append_all(&rec, (0..600).map(filler)).unwrap();
    let n = l.size().unwrap();
    let memory = MemoryLog::from_events((0..n).map(|i| l.get(i).unwrap().unwrap()));
    let computed = ComputedTiles::new(&memory, None);
    // A log that keeps no tiles, its tiles hashed in one pass (a snapshot's entries file).
    let mut builder = TileBuilder::new();
    for i in 0..n {
        builder.push(&memory.get(i).unwrap().unwrap()).unwrap();
    }
    assert_eq!(builder.root(), actledger_store::root(&l, n).unwrap());
    let hashed = builder.finish(&memory, None);
    let logs: [&dyn TileReader; 3] = [&l, &computed, &hashed];
    for size in [1, 255, 256, 257, 513, n] {
        let root = actledger_store::root(&l, size).unwrap();
        for log in logs {
            assert_eq!(actledger_store::root(log, size).unwrap(), root);
            verify_tiles(log, size, &root).unwrap();
            for index in [0, size / 2, size - 1] {
                let p = inclusion_proof(log, index, size).unwrap();
                assert_eq!(p, inclusion_proof(&l, index, size).unwrap());
                let leaf = merkle::leaf_hash(&l.get(index).unwrap().unwrap());
                merkle::verify_inclusion(&leaf, index, size, &p, &root).unwrap();
            }
            let old = (size / 2).max(1);
            assert_eq!(
                consistency_proof(log, old, n).unwrap(),
                l.consistency_proof(old, n).unwrap()
            );
        }
        assert_eq!(
            tile_files(&l, 0, size).unwrap(),
            tile_files(&computed, 0, size).unwrap()
        );
        assert_eq!(
            tile_files(&l, 0, size).unwrap(),
            tile_files(&hashed, 0, size).unwrap()
        );
    }
    // Beyond the log: a typed refusal.
    assert!(matches!(
        inclusion_proof(&computed, 0, n + 1),
        Err(StoreError::Proof(ProofError::BeyondLog { .. }))
    ));
    // A lying stored tile.
    let root = l.root_at(n).unwrap();
    drop(l);
    let path = dir.path().join("l");
    {
        let db = raw_db(&path);
        let tiles = db.open_tree("tiles").unwrap();
        let key = [0u8, 0, 0, 0, 0, 0, 0, 0, 1];
        let mut t = tiles.get(key).unwrap().unwrap().to_vec();
        t[40] ^= 1;
        tiles.insert(key, t).unwrap();
        db.flush().unwrap();
    }
    let l = reopen(&path);
    let e = verify_tiles(&l, n, &root).unwrap_err();
    assert!(e.to_string().contains("hash tile (0, 1)"), "{e}");
}

/// The layout record rewritten to an older layout beside a numbered checkpoint history: to 2
/// (no version before 3 numbered checkpoints) it is refused as unrecognised with nothing
/// changed; to 3 (what the last layout-3 versions wrote) it opens, is upgraded to today's
/// layout in one batch with the history, and reads the same.
#[test]
fn an_older_layout_record_beside_a_numbered_history_is_refused_or_read_the_same() {
    let (dir, mut l, rec) = ledger();
    let admin = SigningKey::from_seed(&[1; 32]);
    let log = grant_log_key(&mut l, &admin);
    l.append(&rec, filler(0)).unwrap();
    l.sign_checkpoint(&log).unwrap();
    let head = l.head().unwrap();
    let path = dir.path().join("l");
    drop(l);
    let set_layout = |v: u8| {
        let db = raw_db(&path);
        db.open_tree("meta")
            .unwrap()
            .insert("layout", &[v])
            .unwrap();
        db.flush().unwrap();
    };
    set_layout(2);
    let before = tree_of(&path, "meta");
    match Ledger::open(&path, &OpenOptions::default()) {
        Err(e @ StoreError::Open(OpenError::Unrecognised { .. })) => {
            assert!(e.is_corruption());
            assert!(e.to_string().contains("layout 2 beside a numbered"), "{e}");
        }
        other => panic!("expected Unrecognised, got {other:?}"),
    }
    assert_eq!(tree_of(&path, "meta"), before, "nothing changed");
    set_layout(3);
    let l = reopen(&path);
    assert_eq!(l.head().unwrap(), head);
    l.verify(|_| {}).unwrap().unwrap();
    drop(l);
    let meta = tree_of(&path, "meta");
    let layout = meta
        .iter()
        .find(|(k, _)| k.as_slice() == b"layout")
        .map(|(_, v)| v.clone());
    assert_eq!(layout, Some(vec![4]));
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
