//! Tamper sweep (issue 16's figure): seeded random edits of every sled tree of a real-data
//! ledger (a flipped byte in a value, a flipped byte in a key, a removed entry) and flipped
//! bytes anywhere in sled's own files (`db/db`, `conf`, snapshots, blobs), each followed by
//! `Ledger::open` and `verify` in-process (the code `actledger verify` runs). Every case ends in
//! one of: refused (open or verify fails, never a panic), or accepted. An accepted case must be
//! harmless by design: the ledger read back is the one written (same events, same head) and
//! the edit was in a tree or a place listed in [`HARMLESS`] with the reason. Anything else
//! fails the test, naming the case.
//!
//! `ACTLEDGER_TAMPER_CASES` sets the number of cases (default 400, as CI runs it; the figure in
//! docs/RELIABILITY.md is a run of 10,400).
#![allow(clippy::unwrap_used)]

mod synth;
mod util;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use synth::Rng;

/// Where an accepted edit is harmless, and why. Matched against the case's target (a tree
/// name, or `file:NAME`).
const HARMLESS: &[(&str, &str)] = &[
    (
        "file:",
        "a byte of sled's files that sled no longer reads (a stale log segment, padding) or a \
         copy sled repairs from: the ledger read back is byte for byte the one written",
    ),
    (
        "__sled__default",
        "sled's default tree is not used by actledger",
    ),
];

/// Accepted edits that are not harmless by design, or not shown to be: reported (issue 16's
/// report to the lead), printed by the sweep, and not failed on, so that the sweep still fails
/// on anything new. Matched against the case's description.
const REPORTED: &[(&str, &str)] = &[(
    "checkpoints: key",
    "a stored checkpoint removed goes unnoticed by verify: issue 16's limit \"a deleted stored \
     checkpoint goes unnoticed\" (the store's checkpoint history; a checkpoint held outside the \
     ledger, by a witness or a monitor, is what catches it)",
)];

/// Single edits accepted with the same ledger by design, by the case's description: the
/// `meta/layout` record (`6c61796f7574`) has one byte; of its altered values the binary opens
/// only 3 (1 needs the `events` tree of layout 1, 2 is refused beside a numbered checkpoint
/// history, anything above 4 is a newer layout). A layout-3 ledger with a numbered history is
/// what the last layout-3 versions wrote: it opens, is upgraded to 4 (numbering nothing
/// twice) and reads the same.
const HARMLESS_EDITS: &[(&str, &str)] = &[(
    "meta: key 6c61796f7574: value byte 0 flipped",
    "the layout record rewritten to 3, a released layout that reads the same",
)];

/// Each tree's entries: name → (key, value) pairs.
type Trees = BTreeMap<String, Vec<(Vec<u8>, Vec<u8>)>>;

/// What happened to one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Refused,
    /// Accepted, and the ledger read back is the one written.
    AcceptedSame,
    /// Accepted, but the ledger read back differs (events or head).
    AcceptedDifferent,
}

fn cases() -> u64 {
    std::env::var("ACTLEDGER_TAMPER_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400)
}

/// Opens and verifies `ledger`: `None` if refused, else (events, head).
fn check(ledger: &Path) -> Option<(u64, String)> {
    synth::wait_sled_released(ledger);
    let opts = actledger_store::OpenOptions {
        wait: std::time::Duration::from_secs(30),
        ..actledger_store::OpenOptions::default()
    };
    let ledger = ledger.to_path_buf();
    let result = std::panic::catch_unwind(move || {
        let l = actledger_store::Ledger::open(&ledger, &opts).ok()?;
        match l.verify(|_| {}) {
            Ok(Ok(s)) => Some((s.events, s.head.to_string())),
            _ => None,
        }
    });
    match result {
        Ok(r) => r,
        Err(_) => panic!("open or verify panicked"),
    }
}

fn sled_files(db: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![db.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            } else if std::fs::metadata(&p).unwrap().len() > 0 {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_tree_and_sleds_own_files_tampered_at_random() {
    let seed = synth::seed("tamper_sweep", 0x5_eeb5);
    let dir = tempfile::tempdir().unwrap();
    let pristine = dir.path().join("pristine");
    let out = util::actledger()
        .args(["demo", "--ledger", pristine.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A checkpoint too (the demo grants its log key), so the checkpoint tree has an entry.
    let log_key = pristine.join("keys").join("log.key");
    let o = util::actledger_on(&pristine)
        .args(["checkpoint", "--key", log_key.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let want = check(&pristine).expect("the pristine ledger verifies");

    // The trees and their entries, as a tamperer sees them.
    let entries: Trees = {
        let db = synth::open_db(&pristine);
        let mut m = BTreeMap::new();
        for name in db.tree_names() {
            let t = db.open_tree(&name).unwrap();
            let kv: Vec<(Vec<u8>, Vec<u8>)> = t
                .iter()
                .map(|r| {
                    let (k, v) = r.unwrap();
                    (k.to_vec(), v.to_vec())
                })
                .collect();
            if !kv.is_empty() {
                m.insert(String::from_utf8_lossy(&name).into_owned(), kv);
            }
        }
        m
    };
    let trees: Vec<&String> = entries.keys().collect();
    let work = dir.path().join("work");
    let mut tally: BTreeMap<(String, Outcome), u64> = BTreeMap::new();
    let mut bad = Vec::new();
    let mut reported: BTreeMap<&str, u64> = BTreeMap::new();
    let n = cases();
    for case in 0..n {
        let mut rng = Rng::for_case(seed, case);
        if work.exists() {
            std::fs::remove_dir_all(&work).unwrap();
        }
        synth::copy_dir(&pristine, &work);
        let (target, what) = if case % 2 == 0 {
            // A tree edit.
            let tree = trees[rng.index(trees.len())];
            let kv = &entries[tree.as_str()];
            let (k, v) = &kv[rng.index(kv.len())];
            let db = synth::open_db(&work);
            let t = db.open_tree(tree.as_bytes()).unwrap();
            let what = match rng.below(4) {
                0 if !k.is_empty() => {
                    let mut k2 = k.clone();
                    let i = rng.index(k2.len());
                    k2[i] ^= 1 + rng.byte() % 255;
                    t.remove(k.as_slice()).unwrap();
                    t.insert(k2, v.as_slice()).unwrap();
                    format!("key byte {i} flipped")
                }
                1 => {
                    t.remove(k.as_slice()).unwrap();
                    "entry removed".to_string()
                }
                _ if !v.is_empty() => {
                    let mut v2 = v.clone();
                    let i = rng.index(v2.len());
                    v2[i] ^= 1 + rng.byte() % 255;
                    t.insert(k.as_slice(), v2).unwrap();
                    format!("value byte {i} flipped")
                }
                _ => {
                    t.insert(k.as_slice(), &b"x"[..]).unwrap();
                    "empty value replaced".to_string()
                }
            };
            db.flush().unwrap();
            drop(t);
            drop(db);
            (
                tree.clone(),
                format!("{tree}: key {}: {what}", hex::encode(k)),
            )
        } else {
            // A byte of one of sled's files.
            let files = sled_files(&work.join("db"));
            let f = &files[rng.index(files.len())];
            let mut bytes = std::fs::read(f).unwrap();
            let i = rng.index(bytes.len());
            bytes[i] ^= 1 + rng.byte() % 255;
            std::fs::write(f, &bytes).unwrap();
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            let name = if name.starts_with("snap.") {
                "snap.*".to_string()
            } else {
                name
            };
            (
                format!("file:{name}"),
                format!("file {} byte {i} flipped", f.display()),
            )
        };
        let outcome = match check(&work) {
            None => Outcome::Refused,
            Some(got) if got == want => Outcome::AcceptedSame,
            Some(_) => Outcome::AcceptedDifferent,
        };
        *tally.entry((target.clone(), outcome)).or_default() += 1;
        let harmless = HARMLESS.iter().any(|(t, _)| target.starts_with(t))
            || HARMLESS_EDITS.iter().any(|(w, _)| what.starts_with(w));
        match outcome {
            Outcome::Refused => {}
            Outcome::AcceptedSame if harmless => {}
            _ => match REPORTED.iter().find(|(m, _)| what.starts_with(m)) {
                Some((_, why)) => *reported.entry(why).or_default() += 1,
                None => bad.push(format!("case {case}: {what}: {outcome:?}")),
            },
        }
    }
    let mut lines = Vec::new();
    for ((target, outcome), count) in &tally {
        lines.push(format!("  {target}: {outcome:?} {count}"));
    }
    eprintln!(
        "tamper_sweep: {n} cases over {} trees and sled's files:\n{}",
        trees.len(),
        lines.join("\n")
    );
    for (why, count) in &reported {
        eprintln!("tamper_sweep: reported, {count} cases: {why}");
    }
    assert!(
        bad.is_empty(),
        "{} accepted cases not harmless by design:\n{}",
        bad.len(),
        bad.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
}
