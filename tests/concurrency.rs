//! Concurrency: one process at a time holds a ledger. A second process, writer or reader, is
//! told "ledger is in use by process N" (N the holder's real pid) and exits 2, or waits with
//! `--wait SECS`; two writers racing with `--wait` never lose, duplicate or corrupt an event,
//! and a reader racing with them only ever sees a verifiable, committed prefix.
#![allow(clippy::unwrap_used)]

mod synth;
mod util;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use actledger_core::chain;
use actledger_store::{Ledger, LogReader, OpenOptions, StoreError};

/// Events in a fresh [`setup`] ledger.
const BASE: usize = 2;

struct Setup {
    dir: tempfile::TempDir,
    ledger: PathBuf,
    dep: String,
}

fn actledger(ledger: &Path) -> Command {
    util::actledger_on(ledger)
}

fn ok(ledger: &Path, args: &[&str]) -> String {
    let out = actledger(ledger).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "actledger {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A ledger with an administrator and a depositary key (`BASE` events: genesis and a grant).
fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger");
    let key = |n: &str| {
        dir.path()
            .join(format!("{n}.key"))
            .to_str()
            .unwrap()
            .to_string()
    };
    let (admin, dep) = (key("admin"), key("dep"));
    ok(&ledger, &["key", "new", "--out", &admin]);
    ok(&ledger, &["key", "new", "--out", &dep]);
    ok(
        &ledger,
        &["init", "--origin", "lock.example/l", "--admin-key", &admin],
    );
    ok(
        &ledger,
        &util::grant_args(&admin, &dep, "depositary", "dep"),
    );
    Setup { dir, ledger, dep }
}

fn adherence<'a>(dep: &'a str, state: &'a str) -> [&'a str; 10] {
    util::adherence_args(dep, state, "concurrency test")
}

/// Grants a recorder and imports Council terms for 1946-2026 (1,215 events), so that
/// `log --json` prints far more than a pipe holds. Returns the event count.
fn fill(s: &Setup) -> usize {
    let admin = s.dir.path().join("admin.key");
    let rec = s.dir.path().join("rec.key");
    let csv = s.dir.path().join("members.csv");
    ok(&s.ledger, &["key", "new", "--out", rec.to_str().unwrap()]);
    ok(
        &s.ledger,
        &util::grant_args(
            admin.to_str().unwrap(),
            rec.to_str().unwrap(),
            "recorder",
            "rec",
        ),
    );
    let (members, _) = synth::members_csv(&mut synth::Rng::new(7), 1946..=2026);
    std::fs::write(&csv, members).unwrap();
    ok(
        &s.ledger,
        &[
            "import",
            "members",
            csv.to_str().unwrap(),
            "--key",
            rec.to_str().unwrap(),
        ],
    );
    BASE + 1 + 1215
}

/// A real actledger process holding the ledger for as long as the test wants: `log --json`
/// on a ledger whose listing is far larger than a pipe, with nobody reading the pipe, blocks
/// in `write` with the ledger open.
fn hold(s: &Setup) -> Child {
    let child = actledger(&s.ledger)
        .args(["log", "--json"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The lock file names its holder once the lock is taken.
    let lock = s.ledger.join("ledger.lock");
    let pid = child.id().to_string();
    let t0 = std::time::Instant::now();
    while std::fs::read_to_string(&lock).unwrap_or_default().trim() != pid {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "holder never took the lock"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child
}

/// Lets the holder finish by reading its output; returns it.
fn release(holder: Child) -> Output {
    holder.wait_with_output().unwrap()
}

fn in_use_by(out: &Output, pid: u32, what: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{what}: {err}");
    assert!(
        err.contains(&format!("is in use by process {pid} ")),
        "{what}: expected the holder's pid {pid}: {err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{what}: one line: {err}");
    assert!(out.stdout.is_empty(), "{what}: printed {:?}", out.stdout);
}

fn events(ledger: &Path) -> Vec<(u64, String, Vec<String>)> {
    let l = synth::open_ledger(ledger).unwrap();
    assert!(l.verify(|_| {}).unwrap().is_ok());
    l.scan(0)
        .map(|r| {
            let (seq, bytes) = r.unwrap();
            let ev = chain::decode_event(&bytes).unwrap();
            (
                seq,
                chain::event_hash(&bytes).to_string(),
                ev.unsigned
                    .body
                    .states()
                    .iter()
                    .map(|s| s.as_str().to_string())
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn second_process_is_told_the_holders_pid_or_waits() {
    let s = setup();
    let count = fill(&s);
    let holder = hold(&s);
    let pid = holder.id();
    // Writers and readers alike: exit 2 naming the holder, nothing written or printed.
    let record = actledger(&s.ledger)
        .args(adherence(&s.dep, "FRA"))
        .output()
        .unwrap();
    in_use_by(&record, pid, "record");
    for args in [
        &["verify"][..],
        &["verify", "--json"],
        &["log"],
        &["supporters"],
        &["key", "list"],
        &["import", "supporters", "-", "--key", &s.dep],
    ] {
        let out = actledger(&s.ledger)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        in_use_by(&out, pid, &format!("{args:?}"));
    }
    // `--wait 1` gives up after a second with the same error.
    let out = actledger(&s.ledger)
        .args(["--wait", "1"])
        .args(adherence(&s.dep, "FRA"))
        .output()
        .unwrap();
    in_use_by(&out, pid, "--wait 1");

    // `--wait 120` waits for the holder, then records.
    let mut waiter = actledger(&s.ledger)
        .args(["--wait", "120"])
        .args(adherence(&s.dep, "FRA"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        waiter.try_wait().unwrap().is_none(),
        "the waiter finished while the ledger was held"
    );
    let held = release(holder);
    assert!(
        held.status.success(),
        "{}",
        String::from_utf8_lossy(&held.stderr)
    );
    // The holder saw the whole, consistent log.
    assert_eq!(String::from_utf8_lossy(&held.stdout).lines().count(), count);
    let waited = waiter.wait_with_output().unwrap();
    assert!(
        waited.status.success(),
        "--wait: {}",
        String::from_utf8_lossy(&waited.stderr)
    );
    assert!(String::from_utf8_lossy(&waited.stdout).contains(&format!("recorded seq {count} ")));
    let ev = events(&s.ledger);
    assert_eq!(ev.len(), count + 1);
    assert_eq!(ev[count].2, ["FRA"]);
    drop(s.dir);
}

#[test]
fn same_process_cannot_open_a_ledger_twice() {
    let s = setup();
    synth::wait_sled_released(&s.ledger);
    let first = Ledger::open(&s.ledger, &OpenOptions::default()).unwrap();
    match Ledger::open(&s.ledger, &OpenOptions::default()) {
        Err(StoreError::Open(actledger_store::OpenError::InUse { pid, .. })) => {
            assert_eq!(pid, std::process::id().to_string())
        }
        other => panic!("second open in one process: {other:?}"),
    }
    drop(first);
}

/// Parses "recorded seq N (...), hash H".
fn recorded(stdout: &str) -> (u64, String) {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("recorded seq "))
        .unwrap();
    let seq = line["recorded seq ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let hash = line.rsplit(' ').next().unwrap().to_string();
    (seq, hash)
}

const PER_WRITER: usize = 50;

#[test]
fn two_writers_racing_lose_and_duplicate_nothing() {
    let s = setup();
    let states: Vec<String> = synth::members()
        .iter()
        .take(2 * PER_WRITER)
        .map(|s| s.as_str().to_string())
        .collect();
    let done = std::sync::atomic::AtomicBool::new(false);
    let (reports, reads) = std::thread::scope(|scope| {
        let writers: Vec<_> = states
            .chunks(PER_WRITER)
            .map(|mine| {
                let s = &s;
                scope.spawn(move || {
                    let mut reports = Vec::new();
                    for state in mine {
                        let out = actledger(&s.ledger)
                            .args(["--wait", "120"])
                            .args(adherence(&s.dep, state))
                            .output()
                            .unwrap();
                        assert!(
                            out.status.success(),
                            "record {state}: {}",
                            String::from_utf8_lossy(&out.stderr)
                        );
                        let (seq, hash) = recorded(&String::from_utf8_lossy(&out.stdout));
                        reports.push((seq, hash, state.clone()));
                    }
                    reports
                })
            })
            .collect();
        // A reader racing with them: every view verifies and the log only grows.
        let reader = scope.spawn(|| {
            let mut seen = Vec::new();
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                let out = ok(&s.ledger, &["--wait", "120", "verify", "--json"]);
                let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
                assert_eq!(v["ok"], true, "{out}");
                let n = v["events"].as_u64().unwrap();
                assert!(
                    seen.last().is_none_or(|&m| n >= m),
                    "the log shrank: {seen:?} {n}"
                );
                seen.push(n);
            }
            seen
        });
        let reports: Vec<_> = writers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect();
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        (reports, reader.join().unwrap())
    });
    let ev = events(&s.ledger);
    assert_eq!(ev.len(), BASE + 2 * PER_WRITER);
    for (seq, hash, state) in &reports {
        let (_, h, st) = &ev[*seq as usize];
        assert_eq!(h, hash, "seq {seq}: not the event reported");
        assert_eq!(st, std::slice::from_ref(state), "seq {seq}");
    }
    for state in &states {
        let n = ev
            .iter()
            .filter(|(_, _, st)| st == std::slice::from_ref(state))
            .count();
        assert_eq!(n, 1, "{state} is recorded {n} times");
    }
    let mut seqs: Vec<u64> = reports.iter().map(|r| r.0).collect();
    seqs.sort();
    seqs.dedup();
    assert_eq!(seqs.len(), 2 * PER_WRITER, "two reports name the same seq");
    eprintln!(
        "concurrency: {} records by 2 racing writers, all present once; {} concurrent verifies \
         passed",
        reports.len(),
        reads.len()
    );
}
