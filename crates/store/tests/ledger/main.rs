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

// One binary, one file per concept; the helpers above are shared (`use super::*`).
mod append;
mod checkpoints;
mod layout;
mod proofs;
mod reads;
mod rule_state;

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
