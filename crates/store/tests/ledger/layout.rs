//! Store layouts: older layouts are upgraded on open, newer or unrecognised ones refused untouched.

use super::*;

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
