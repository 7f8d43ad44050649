//! The persisted rule state: appends resume from it, verify checks it, stale schemas are rebuilt.

use super::*;

#[test]
fn the_rule_state_snapshot_resumes_appends_and_is_checked_by_verify() {
    let (dir, mut l, rec) = ledger();
    l.append_all(&rec, (0..1100).map(filler)).unwrap();
    let path = dir.path().join("l");
    drop(l);
    let record = {
        let db = raw_db(&path);
        let meta = db.open_tree("meta").unwrap();
        meta.get("rules")
            .unwrap()
            .expect("a snapshot after 1,100 events")
            .to_vec()
    };
    assert_eq!(&record[..8], &1102u64.to_be_bytes());
    // Resumed from the snapshot: a duplicate is still refused, a new fact admitted.
    let mut l = reopen(&path);
    let dup = l.append(&rec, filler(7)).unwrap_err();
    assert!(
        matches!(&dup, StoreError::Append(AppendError::Rule { .. })),
        "{dup}"
    );
    l.append(&rec, filler(5000)).unwrap();
    // The same state as replaying the whole log.
    let resumed = l.state().unwrap().to_snapshot().unwrap();
    drop(l);
    {
        let db = raw_db(&path);
        db.open_tree("meta").unwrap().remove("rules").unwrap();
        db.flush().unwrap();
    }
    let mut l = reopen(&path);
    assert_eq!(l.state().unwrap().to_snapshot().unwrap(), resumed);
    l.verify(|_| {}).unwrap().unwrap();
    drop(l);

    // A snapshot that is not the events' rule state is reported by verify; an append falls
    // back to replaying the log when the snapshot does not name an event of it.
    let set = |value: Vec<u8>| {
        let db = raw_db(&path);
        db.open_tree("meta")
            .unwrap()
            .insert("rules", value)
            .unwrap();
        db.flush().unwrap();
    };
    assert_eq!(record.len(), 77, "header with its schema byte");
    let mut lying = record.clone();
    lying[75] ^= 1; // the digest's last byte
    let mut other_schema = record.clone();
    other_schema[76] ^= 1;
    let cases = [
        (
            lying,
            1101,
            "at size 1102 is not the rule state of the events",
        ),
        (
            record[..20].to_vec(),
            1102,
            "header is not 77 bytes ending in schema 2",
        ),
        (
            other_schema,
            1102,
            "header is not 77 bytes ending in schema 2",
        ),
        (
            [&5000u64.to_be_bytes()[..], &record[8..]].concat(),
            1102,
            "claims size 5000",
        ),
    ];
    for (value, seq, msg) in cases {
        set(value);
        let l = reopen(&path);
        let err = l.verify(|_| {}).unwrap().unwrap_err();
        assert_eq!(err.seq.0, seq, "{msg}: {err}");
        assert!(err.to_string().contains(msg), "{msg}: {err}");
        drop(l);
    }
    // A part that is not what the header's digest says: reported by verify, and not used.
    set(record.clone());
    {
        let db = raw_db(&path);
        let meta = db.open_tree("meta").unwrap();
        let key = [&b"rules/"[..], &0u32.to_be_bytes()].concat();
        let mut part = meta.get(&key).unwrap().unwrap().to_vec();
        part[10] ^= 1;
        meta.insert(&key, part).unwrap();
        db.flush().unwrap();
    }
    let mut l = reopen(&path);
    let err = l.verify(|_| {}).unwrap().unwrap_err();
    assert_eq!(err.seq.0, 1101, "{err}");
    assert!(err.to_string().contains("is not the rule state"), "{err}");
    assert_eq!(l.state().unwrap().to_snapshot().unwrap(), resumed);
    drop(l);
    // With the wrong size, the snapshot is not used: the append replays and succeeds.
    let mut l = reopen(&path);
    l.append(&rec, filler(5001)).unwrap();
    assert!(l.append(&rec, filler(5001)).is_err());
    drop(l);
    // A header claiming four billion parts: reported, ignored, and the next snapshot (due at
    // once, since this one is not used) replaces it without trusting the claim.
    let mut huge = record.clone();
    huge[40..44].copy_from_slice(&u32::MAX.to_be_bytes());
    set(huge);
    let mut l = reopen(&path);
    let err = l.verify(|_| {}).unwrap().unwrap_err();
    assert!(err.to_string().contains("is not the rule state"), "{err}");
    l.append(&rec, filler(5002)).unwrap();
    drop(l);
    let db = raw_db(&path);
    let header = db.open_tree("meta").unwrap().get("rules").unwrap().unwrap();
    let parts = u32::from_be_bytes(header[40..44].try_into().unwrap());
    assert!(parts > 0 && parts < 100, "{parts} parts");
    drop(db);
    reopen(&path).verify(|_| {}).unwrap().unwrap();
}

/// A snapshot of the rule state's older encoding (schema 1: the 76-byte header without a
/// schema byte) is never decoded as today's state: verify passes over it, an append replays
/// the log and writes a snapshot of the current schema in its place.
#[test]
fn a_rule_state_snapshot_of_an_older_schema_is_stale_and_rebuilt() {
    let (dir, mut l, rec) = ledger();
    l.append_all(&rec, (0..1100).map(filler)).unwrap();
    let path = dir.path().join("l");
    let state = l.state().unwrap().to_snapshot().unwrap();
    drop(l);
    {
        let db = raw_db(&path);
        let meta = db.open_tree("meta").unwrap();
        let record = meta.get("rules").unwrap().unwrap().to_vec();
        // The old header names the same parts; their digest is then wrong for the claimed
        // state too (a part changed), which must not matter: the header is not read.
        meta.insert("rules", &record[..76]).unwrap();
        let key = [&b"rules/"[..], &0u32.to_be_bytes()].concat();
        let mut part = meta.get(&key).unwrap().unwrap().to_vec();
        part[10] ^= 1;
        meta.insert(&key, part).unwrap();
        db.flush().unwrap();
    }
    let mut l = reopen(&path);
    l.verify(|_| {}).unwrap().unwrap();
    assert_eq!(l.state().unwrap().to_snapshot().unwrap(), state);
    l.append(&rec, filler(5000)).unwrap();
    drop(l);
    let db = raw_db(&path);
    let header = db.open_tree("meta").unwrap().get("rules").unwrap().unwrap();
    assert_eq!((header.len(), header[76]), (77, 2));
    drop(db);
    reopen(&path).verify(|_| {}).unwrap().unwrap();
}
