//! Tamper suite: edit the sled database behind actledger's back; `verify` must exit 1 and name
//! the right sequence number. Verify trusts only event bytes: lying indexes and heads are
//! caught too.
#![allow(clippy::unwrap_used)]

mod synth;
mod util;

use actledger_core::event::{
    AdherenceDate, AdherenceLetter, EventBody, Fact, Instrument, UnsignedEvent, FORMAT_VERSION,
};
use actledger_core::{chain, SigningKey, Text, Timestamp};
use synth::{edit_events, stored_event, EventEdit};
use util::Env;

/// A ledger with a few adherence letters; returns the env and the event count.
fn ledger() -> (Env, u64) {
    let env = Env::new();
    env.standard();
    for (s, d) in [
        ("GBR", "2015-10-01"),
        ("FRA", "2015-10-23"),
        ("DEU", "2015-10-23"),
        ("MEX", "2015-10-23"),
    ] {
        env.adherence(s, d);
    }
    let (n, _) = env.verify();
    (env, n)
}

fn with_db<R>(env: &Env, f: impl FnOnce(&sled::Db) -> R) -> R {
    // sled releases its file lock from a background thread shortly after a Db is dropped:
    // retry while the previous handle winds down.
    let mut tries = 0;
    let db = loop {
        match sled::open(env.db_path()) {
            Ok(db) => break db,
            Err(e) if tries < 200 => {
                tries += 1;
                let _ = e;
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            Err(e) => panic!("cannot open the database: {e}"),
        }
    };
    let r = f(&db);
    db.flush().unwrap();
    r
}

fn expect_failure_at(env: &Env, seq: u64, needle: &str) {
    let err = env.fails(1, &["verify"]);
    assert!(
        err.contains(&format!("seq {seq}: ")),
        "expected seq {seq} in: {err}"
    );
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
    let out = env.run(&["verify", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["seq"], seq);
}

#[test]
fn flipped_byte_in_any_event_is_caught() {
    let (env, n) = ledger();
    // Flip one byte at several positions of several events: each is reported at that seq.
    for seq in [0, 5, n / 2, n - 1] {
        let len = with_db(&env, |db| stored_event(db, seq).unwrap().len());
        for pos in [0, 9, 17, 50, len / 2, len - 1] {
            with_db(&env, |db| {
                let mut b = stored_event(db, seq).unwrap();
                b[pos] ^= 0x01;
                edit_events(db, &[EventEdit::Set(seq, b)]);
            });
            expect_failure_at(&env, seq, "");
            with_db(&env, |db| {
                let mut b = stored_event(db, seq).unwrap();
                b[pos] ^= 0x01;
                edit_events(db, &[EventEdit::Set(seq, b)]);
            });
            env.verify();
        }
    }
}

#[test]
fn deleted_event_is_caught() {
    let (env, n) = ledger();
    let victim = n - 3;
    with_db(&env, |db| edit_events(db, &[EventEdit::Remove(victim)]));
    expect_failure_at(&env, victim, "the event before it is missing");
}

#[test]
fn deleted_last_event_is_caught_by_head() {
    let (env, n) = ledger();
    with_db(&env, |db| edit_events(db, &[EventEdit::Remove(n - 1)]));
    expect_failure_at(&env, n - 2, "stored head");
}

#[test]
fn swapped_events_are_caught() {
    let (env, n) = ledger();
    let (a, b) = (n - 4, n - 2);
    with_db(&env, |db| {
        let ea = stored_event(db, a).unwrap();
        let eb = stored_event(db, b).unwrap();
        edit_events(db, &[EventEdit::Set(a, eb), EventEdit::Set(b, ea)]);
    });
    expect_failure_at(&env, a, "sequence number");
}

#[test]
fn signature_by_another_key_is_caught() {
    let (env, n) = ledger();
    let victim = n - 2;
    with_db(&env, |db| {
        let bytes = stored_event(db, victim).unwrap();
        let ev = chain::decode_event(&bytes).unwrap();
        // A perfectly valid signature over the same event, by a different key.
        let other = SigningKey::generate();
        let resealed = chain::seal(ev.unsigned, &other).unwrap();
        edit_events(db, &[EventEdit::Set(victim, resealed.bytes)]);
    });
    expect_failure_at(&env, victim, "bad signature");
}

fn append_forged(env: &Env, signer: &SigningKey, n: u64) {
    with_db(env, |db| {
        let prev_bytes = stored_event(db, n - 1).unwrap();
        let unsigned = UnsignedEvent {
            version: FORMAT_VERSION,
            seq: actledger_core::Seq(n),
            prev: chain::event_hash(&prev_bytes),
            recorded_at: Timestamp::now(),
            author: signer.public(),
            body: EventBody::Fact(Fact::AdherenceLetter(AdherenceLetter {
                state: "ITA".parse().unwrap(),
                date: AdherenceDate::Exact("2015-10-23".parse().unwrap()),
                received: None,
                instrument: Instrument::Letter,
                reference: Text::empty(),
                source: Text::new("forged").unwrap(),
                note: Text::empty(),
            })),
        };
        let sealed = chain::seal(unsigned, signer).unwrap();
        edit_events(db, &[EventEdit::Set(n, sealed.bytes)]);
        // Make the head agree, so only the rules can catch it.
        let mut head = (n + 1).to_be_bytes().to_vec();
        head.extend_from_slice(&sealed.hash.0);
        db.open_tree("meta").unwrap().insert("head", head).unwrap();
        db.open_tree("by_state")
            .unwrap()
            .insert([b"ITA".as_slice(), &n.to_be_bytes()].concat(), &[] as &[u8])
            .unwrap();
    });
}

#[test]
fn event_by_a_key_without_the_role_is_caught() {
    let (env, n) = ledger();
    // The recorder key is in the ledger but is not a depositary.
    let rec = SigningKey::from_key_file(&std::fs::read_to_string(env.key("rec")).unwrap()).unwrap();
    append_forged(&env, &rec, n);
    expect_failure_at(&env, n, "lacks the depositary role");
}

#[test]
fn event_by_a_stranger_key_is_caught() {
    let (env, n) = ledger();
    append_forged(&env, &SigningKey::generate(), n);
    expect_failure_at(&env, n, "is not a key of this ledger");
}

#[test]
fn lying_index_is_caught() {
    let (env, n) = ledger();
    // Claim that the genesis event concerns Italy.
    with_db(&env, |db| {
        db.open_tree("by_state")
            .unwrap()
            .insert(
                [b"ITA".as_slice(), &0u64.to_be_bytes()].concat(),
                &[] as &[u8],
            )
            .unwrap();
    });
    expect_failure_at(&env, 0, "index by_state");
    with_db(&env, |db| {
        db.open_tree("by_state")
            .unwrap()
            .remove([b"ITA".as_slice(), &0u64.to_be_bytes()].concat())
            .unwrap();
        // Drop the entry of the last adherence (MEX).
        db.open_tree("by_state")
            .unwrap()
            .remove([b"MEX".as_slice(), &(n - 1).to_be_bytes()].concat())
            .unwrap();
    });
    expect_failure_at(&env, n - 1, "index by_state lacks");
}

#[test]
fn lying_head_is_caught() {
    let (env, n) = ledger();
    with_db(&env, |db| {
        let mut head = n.to_be_bytes().to_vec();
        head.extend_from_slice(&[7u8; 32]);
        db.open_tree("meta").unwrap().insert("head", head).unwrap();
    });
    expect_failure_at(&env, n - 1, "stored head");
    // And an append on a ledger whose head lies is refused, writing nothing: exit 1, as for
    // any damaged or tampered stored data.
    let dep = env.key("dep");
    let err = env.fails(
        1,
        &[
            "record",
            "--key",
            &dep,
            "adherence",
            "--state",
            "ITA",
            "--date",
            "2015-10-23",
            "--source",
            "s",
        ],
    );
    assert!(err.contains("corrupted"), "{err}");
}

/// Damage to sled's own files is corruption: exit 1 with one clear line, for `verify` and for
/// a report (issue 16 #9): a damaged snapshot or `conf` file is refused when the database
/// opens.
#[test]
fn damage_to_sleds_own_files_is_corruption() {
    let (env, _) = ledger();
    let flip = |file: &str, at: usize| {
        let p = env.db_path().join(file);
        let mut b = std::fs::read(&p).unwrap();
        b[at] ^= 0xff;
        std::fs::write(&p, b).unwrap();
    };
    // sled's snapshot of its page table (`snap.*`), which it reads before its log.
    let snap = std::fs::read_dir(env.db_path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|n| n.starts_with("snap."))
        .expect("sled wrote a snapshot");
    let saved = std::fs::read(env.db_path().join(&snap)).unwrap();
    flip(&snap, saved.len() / 2);
    for cmd in [&["verify"][..], &["supporters"]] {
        let err = env.fails(1, cmd);
        assert!(err.contains("ledger data is corrupted"), "{cmd:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{cmd:?}: {err}");
    }
    std::fs::write(env.db_path().join(&snap), saved).unwrap();
    env.verify();
    flip("conf", 8);
    for cmd in [&["verify"][..], &["supporters"], &["log"]] {
        let err = env.fails(1, cmd);
        assert!(err.contains("conf is damaged"), "{cmd:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{cmd:?}: {err}");
    }
    flip("conf", 8);
    let err = env.verify();
    assert!(err.0 > 0);
}

/// A stray `events` tree beside the real bundles is a state no version wrote: `verify` (and
/// a report) refuse it, exit 1, and the bundles are left as they were (issue 16 #3: it used
/// to clear them).
#[test]
fn a_stray_events_tree_is_refused_and_the_bundles_kept() {
    let (env, n) = ledger();
    let bundles = |db: &sled::Db| -> Vec<(Vec<u8>, Vec<u8>)> {
        let t = db.open_tree("bundles").unwrap();
        t.iter()
            .map(|r| r.unwrap())
            .map(|(k, v)| (k.to_vec(), v.to_vec()))
            .collect()
    };
    let before = with_db(&env, |db| {
        db.open_tree("events")
            .unwrap()
            .insert(0u64.to_be_bytes(), &b"stray"[..])
            .unwrap();
        bundles(db)
    });
    assert!(!before.is_empty());
    for cmd in [&["verify"][..], &["supporters"]] {
        let err = env.fails(1, cmd);
        assert!(
            err.contains("a state no version of actledger writes"),
            "{err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
    with_db(&env, |db| {
        assert_eq!(bundles(db), before);
        db.drop_tree("events").unwrap();
    });
    assert_eq!(env.verify().0, n);
}

/// `init` on a folder whose `db/` exists but holds no ledger says what it found and leaves
/// no lock file.
#[test]
fn init_on_an_empty_db_folder_says_so_and_leaves_nothing() {
    let env = util::Env::new();
    let dir = env.ledger();
    std::fs::create_dir_all(dir.join("db")).unwrap();
    let admin = env.key("admin");
    let err = env.fails(
        2,
        &["init", "--origin", "t.example/log", "--admin-key", &admin],
    );
    assert!(
        err.contains("db exists but holds no ledger (an empty folder)"),
        "{err}"
    );
    assert!(!dir.join("ledger.lock").exists());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
}

/// Report commands check the hash chain of what they replay against the stored head (issue
/// 16): after one flipped byte in France's adherence letter in the demo ledger, `supporters`
/// exits 1 instead of printing the altered record.
#[test]
fn a_report_refuses_a_log_whose_hash_chain_is_broken() {
    let env = Env::new();
    env.ok(&["demo", "--ledger", env.ledger().to_str().unwrap()]);
    let (france, len) = with_db(&env, |db| {
        (0u64..)
            .map_while(|seq| stored_event(db, seq).map(|b| (seq, b)))
            .find(|(_, b)| {
                matches!(
                    chain::decode_event(b).map(|e| e.unsigned.body),
                    Ok(EventBody::Fact(Fact::AdherenceLetter(a))) if a.state.as_str() == "FRA"
                )
            })
            .map(|(seq, b)| (seq, b.len()))
            .expect("the demo ledger holds France's letter")
    });
    assert!(env.ok(&["supporters"]).contains("FRA"));
    // A byte of the signature (the event still decodes) and one of the body.
    for pos in [len - 1, len / 2] {
        with_db(&env, |db| {
            let mut b = stored_event(db, france).unwrap();
            b[pos] ^= 0x01;
            edit_events(db, &[EventEdit::Set(france, b)]);
        });
        for cmd in [&["supporters"][..], &["supporters", "--json"], &["log"]] {
            let err = env.fails(1, cmd);
            assert!(err.contains("fails its check at seq"), "{cmd:?}: {err}");
            assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        }
        with_db(&env, |db| {
            let mut b = stored_event(db, france).unwrap();
            b[pos] ^= 0x01;
            edit_events(db, &[EventEdit::Set(france, b)]);
        });
        assert!(env.ok(&["supporters"]).contains("FRA"));
    }
}
