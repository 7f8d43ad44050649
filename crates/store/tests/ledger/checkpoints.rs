//! The checkpoint history: signed by the log role, append-only, covered by verify.

use super::*;

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
