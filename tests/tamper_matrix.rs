//! Tamper matrix: for every event of a real-data ledger (`actledger demo`, 319 events of every
//! kind), corrupt one byte of its stored record at sampled positions, drop it, duplicate it and
//! move it; each edit must make verify fail naming the sequence number where the stored log
//! stops being what was written. Lying index entries and a lying stored head are caught too
//! (verify trusts only event bytes). tests/tamper.rs has the hand-picked cases with their
//! messages; this file is the exhaustive sweep.
//!
//! Each case edits the sled database in place with the `sled` crate, runs
//! `Ledger::open(..).verify(..)` in-process (the code `actledger verify` runs), then undoes the
//! edit; a seeded sample of cases also runs the real binary (`verify --json`: exit 1 and the
//! `seq` field).
#![allow(clippy::unwrap_used)]

mod synth;

use std::path::{Path, PathBuf};
use std::process::Command;

use actledger_core::chain;
use actledger_core::event::{EventBody, Fact};
use synth::{bin, EventEdit, Rng};

/// Byte corruptions per event (at least 1,000 in all).
const BYTE_CASES_PER_EVENT: usize = 4;
/// One case in this many also runs the binary.
const BINARY_EVERY: u64 = 40;

type Key = Vec<u8>;

/// One edit of one sled tree: `(tree, key, new value or removal)`.
type Edit = (&'static str, Key, Option<Vec<u8>>);

struct Fixture {
    _dir: tempfile::TempDir,
    ledger: PathBuf,
    /// Stored event bytes, by seq.
    events: Vec<Vec<u8>>,
    head: String,
    binary_runs: std::cell::Cell<u64>,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger");
    let out = Command::new(bin())
        .args(["demo", "--ledger", ledger.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (events, head) = {
        let l = synth::open_ledger(&ledger).unwrap();
        let s = l.verify(|_| {}).unwrap().unwrap();
        let events: Vec<Vec<u8>> = actledger_store::LogReader::scan(&l, 0)
            .map(|r| r.unwrap().1)
            .collect();
        assert_eq!(events.len() as u64, s.events);
        (events, s.head.to_string())
    };
    assert!(
        events.len() >= 200,
        "a few hundred events: {}",
        events.len()
    );
    Fixture {
        _dir: dir,
        ledger,
        events,
        head,
        binary_runs: std::cell::Cell::new(0),
    }
}

impl Fixture {
    fn n(&self) -> u64 {
        self.events.len() as u64
    }

    /// The raw edits of the `bundles` tree that make these changes to the intact log.
    fn ev(&self, changes: &[EventEdit]) -> Vec<Edit> {
        let stored = |b: u64| -> Vec<Vec<u8>> {
            let first = actledger_store::bundle::first_seq(b) as usize;
            self.events.iter().skip(first).take(16).cloned().collect()
        };
        synth::bundle_edits(stored, changes)
            .into_iter()
            .map(|(k, v)| ("bundles", k, v))
            .collect()
    }

    /// The raw edit that XORs byte `which` (0..4) of the length stored before event `seq` in
    /// its bundle with `mask`.
    fn length_flip(&self, seq: u64, which: usize, mask: u8) -> Vec<Edit> {
        let (b, i) = actledger_store::bundle::locate(seq);
        let first = actledger_store::bundle::first_seq(b) as usize;
        let events: Vec<&[u8]> = self
            .events
            .iter()
            .skip(first)
            .take(16)
            .map(Vec::as_slice)
            .collect();
        let mut value = actledger_store::bundle::join(events.iter().copied());
        let offset: usize = events[..i]
            .iter()
            .map(|e| actledger_store::bundle::LEN_BYTES + e.len())
            .sum();
        value[offset + which] ^= mask;
        vec![(
            "bundles",
            actledger_store::bundle::key(b).to_vec(),
            Some(value),
        )]
    }

    /// Applies `edits` to the raw database and returns the edits that undo them.
    fn apply(&self, edits: &[Edit]) -> Vec<Edit> {
        let db = synth::open_db(&self.ledger);
        let mut undo = Vec::new();
        for (tree, k, v) in edits {
            let t = db.open_tree(tree).unwrap();
            let old = match v {
                Some(v) => t.insert(k.as_slice(), v.as_slice()).unwrap(),
                None => t.remove(k.as_slice()).unwrap(),
            };
            undo.push((*tree, k.clone(), old.map(|o| o.to_vec())));
        }
        undo.reverse();
        db.flush().unwrap();
        undo
    }

    /// Applies `edits`, checks that verify fails at `seq` (in-process, and with the binary when
    /// `binary`), undoes them. Returns the error message.
    fn expect(&self, what: &str, edits: &[Edit], seq: u64, binary: bool) -> String {
        let undo = self.apply(edits);
        synth::wait_sled_released(&self.ledger);
        let msg = {
            let l = synth::open_ledger(&self.ledger)
                .unwrap_or_else(|e| panic!("{what}: the tampered ledger does not open: {e}"));
            match l.verify(|_| {}) {
                Ok(Ok(s)) => panic!("{what}: verify passed ({} events)", s.events),
                Ok(Err(e)) => {
                    assert_eq!(e.seq.0, seq, "{what}: wrong seq in: {e}");
                    e.to_string()
                }
                Err(e) => panic!("{what}: verify could not read the ledger: {e}"),
            }
        };
        if binary {
            synth::wait_sled_released(&self.ledger);
            binary_expect(&self.ledger, what, seq);
            self.binary_runs.set(self.binary_runs.get() + 1);
        }
        self.apply(&undo);
        msg
    }

    /// The untouched ledger still verifies with the same head.
    fn intact(&self) {
        synth::wait_sled_released(&self.ledger);
        let l = synth::open_ledger(&self.ledger).unwrap();
        let s = l.verify(|_| {}).unwrap().unwrap();
        assert_eq!(
            s.head.to_string(),
            self.head,
            "an undo did not restore the ledger"
        );
    }
}

fn binary_expect(ledger: &Path, what: &str, seq: u64) {
    let out = Command::new(bin())
        .args([
            "verify",
            "--json",
            "--wait",
            "30",
            "--ledger",
            ledger.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{what}: binary verify exit code"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false, "{what}");
    assert_eq!(
        v["seq"].as_u64(),
        Some(seq),
        "{what}: binary verify seq: {v}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("seq {seq}: ")), "{what}: {err}");
    assert_eq!(err.trim().lines().count(), 1, "{what}: one line: {err}");
}

#[test]
fn one_corrupted_byte_in_any_event_is_caught_at_its_seq() {
    let seed = synth::seed("tamper_matrix/bytes", 0x07a3_9e12);
    let f = fixture();
    let mut cases = 0u64;
    for seq in 0..f.n() {
        let bytes = &f.events[seq as usize];
        let len = bytes.len();
        let mut rng = Rng::for_case(seed, seq);
        // One position in the header (version, seq, prev, time, author), one in the body,
        // one in the signature, one anywhere.
        let positions = [
            rng.index(81),
            81 + rng.index(len - 81 - 64),
            len - 64 + rng.index(64),
            rng.index(len),
        ];
        assert_eq!(positions.len(), BYTE_CASES_PER_EVENT);
        for pos in positions {
            let mut b = bytes.clone();
            b[pos] ^= 1 + rng.below(255) as u8;
            cases += 1;
            f.expect(
                &format!("seq {seq} byte {pos} of {len}"),
                &f.ev(&[EventEdit::Set(seq, b)]),
                seq,
                rng.below(BINARY_EVERY) == 0,
            );
        }
    }
    // The length stored before each event in its bundle: one byte of it changed.
    for seq in 0..f.n() {
        let mut rng = Rng::for_case(seed ^ 0x1e4, seq);
        let which = rng.index(actledger_store::bundle::LEN_BYTES);
        cases += 1;
        f.expect(
            &format!("seq {seq} length byte {which}"),
            &f.length_flip(seq, which, 1 + rng.below(255) as u8),
            seq,
            rng.below(BINARY_EVERY) == 0,
        );
    }
    f.intact();
    eprintln!(
        "tamper_matrix/bytes: {cases} single-byte corruptions over {} events (and the lengths \
         before them in their bundles), all caught at their seq ({} also through the binary)",
        f.n(),
        f.binary_runs.get()
    );
    assert!(cases >= 1000);
}

#[test]
fn dropped_duplicated_and_moved_events_are_caught_at_their_seq() {
    let seed = synth::seed("tamper_matrix/order", 0xd_30bd);
    let f = fixture();
    let n = f.n();
    let ev = |s: u64| f.events[s as usize].clone();
    let mut cases = 0u64;
    for seq in 0..n {
        let mut rng = Rng::for_case(seed, seq);
        let mut sample = || rng.below(BINARY_EVERY) == 0;
        let last = seq == n - 1;
        // Dropped: a gap at its seq. The last event leaves no gap; the stored head (count n)
        // names it: verify reports the metadata error at the last remaining event, seq n-2.
        let m = f.expect(
            &format!("drop {seq}"),
            &f.ev(&[EventEdit::Remove(seq)]),
            if last { n - 2 } else { seq },
            sample(),
        );
        if last {
            assert!(m.contains(&format!("says {n} events")), "{m}");
        }
        // Duplicated over the next event (or, for the last, appended after the end): the copy
        // claims the wrong seq where it sits.
        let at = if last { n } else { seq + 1 };
        f.expect(
            &format!("copy {seq} to {at}"),
            &f.ev(&[EventEdit::Set(at, ev(seq))]),
            at,
            sample(),
        );
        // Duplicated after the end of the log (a full verify each: one event in eight).
        if !last && seq % 8 == 0 {
            f.expect(
                &format!("copy {seq} to the end"),
                &f.ev(&[EventEdit::Set(n, ev(seq))]),
                n,
                sample(),
            );
            cases += 1;
        }
        // Moved: swapped with its neighbour, and moved past the end (a gap where it was).
        let (a, b) = if last { (seq - 1, seq) } else { (seq, seq + 1) };
        f.expect(
            &format!("swap {a} and {b}"),
            &f.ev(&[EventEdit::Set(a, ev(b)), EventEdit::Set(b, ev(a))]),
            a,
            sample(),
        );
        cases += 3;
        // Moved past the end of the log (to the start of a bundle beyond the last): a gap
        // where it was (one event in eight).
        if seq % 8 == 0 || last {
            let beyond = actledger_store::bundle::first_seq(n / 16 + 2);
            f.expect(
                &format!("move {seq} past the end"),
                &f.ev(&[EventEdit::Remove(seq), EventEdit::Set(beyond, ev(seq))]),
                seq,
                sample(),
            );
            cases += 1;
        }
    }
    f.intact();
    eprintln!(
        "tamper_matrix/order: {cases} drops, duplicates and moves over {n} events, all caught \
         at their seq ({} also through the binary)",
        f.binary_runs.get()
    );
}

fn state_key(state: &str, seq: u64) -> Key {
    [state.as_bytes(), &seq.to_be_bytes()].concat()
}

fn draft_key(year: u16, number: u32, seq: u64) -> Key {
    [
        &year.to_be_bytes()[..],
        &number.to_be_bytes(),
        &seq.to_be_bytes(),
    ]
    .concat()
}

#[test]
fn lying_indexes_and_head_are_caught() {
    let seed = synth::seed("tamper_matrix/metadata", 0x1ead);
    let f = fixture();
    let n = f.n();
    let mut cases = 0u64;
    let mut dropped_draft_entries = 0u64;
    let mut rng = Rng::new(seed);
    for seq in 0..n {
        let body = chain::decode_event(&f.events[seq as usize])
            .unwrap()
            .unsigned
            .body;
        let states = body.states();
        // Tabled drafts and votes are found by draft through the rules' state, not the index.
        let drafts = match &body {
            EventBody::Fact(Fact::DraftTabled(_) | Fact::CouncilVote(_)) => Vec::new(),
            other => other.drafts(),
        };
        // An event's index entries: one removed, one with a value, or one added that it does
        // not justify. Each case is a full verify, so one event in eight (every kind appears).
        if seq % 8 != 0 {
            continue;
        }
        let binary = rng.below(10) == 0;
        if let Some(s) = states.first() {
            let k = state_key(s.as_str(), seq);
            let m = f.expect(
                &format!("drop by_state {s} of {seq}"),
                &[("by_state", k.clone(), None)],
                seq,
                binary,
            );
            assert!(m.contains("lacks"), "{m}");
            f.expect(
                &format!("by_state value of {s} {seq}"),
                &[("by_state", k, Some(b"x".to_vec()))],
                seq,
                false,
            );
            cases += 2;
        }
        if let Some(d) = drafts.first() {
            let k = draft_key(d.year(), d.number(), seq);
            f.expect(
                &format!("drop by_draft {d} of {seq}"),
                &[("by_draft", k, None)],
                seq,
                binary,
            );
            cases += 1;
            dropped_draft_entries += 1;
        }
        let liar = if states.iter().any(|s| s.as_str() == "ITA") {
            "DEU"
        } else {
            "ITA"
        };
        let m = f.expect(
            &format!("by_state claims {seq} concerns {liar}"),
            &[("by_state", state_key(liar, seq), Some(Vec::new()))],
            seq,
            binary,
        );
        assert!(m.contains("does not justify"), "{m}");
        f.expect(
            &format!("by_draft claims {seq} concerns S/2099/1"),
            &[("by_draft", draft_key(2099, 1, seq), Some(Vec::new()))],
            seq,
            false,
        );
        cases += 2;
    }
    assert!(
        dropped_draft_entries > 0,
        "the fixture has no event with a by_draft entry among those tried"
    );
    // An index entry for an event that does not exist.
    f.expect(
        "by_state entry past the end",
        &[("by_state", state_key("FRA", n + 3), Some(Vec::new()))],
        n + 3,
        true,
    );
    // The stored head: wrong count, wrong hash, missing.
    synth::wait_sled_released(&f.ledger);
    let head = {
        let db = synth::open_db(&f.ledger);
        let h = db.open_tree("meta").unwrap().get("head").unwrap().unwrap();
        h.to_vec()
    };
    assert_eq!(head.len(), 40);
    let with_count = |c: u64| [&c.to_be_bytes()[..], &head[8..]].concat();
    let mut flipped = head.clone();
    flipped[8 + rng.index(32)] ^= 0x40;
    for (what, value) in [
        ("head count + 1", Some(with_count(n + 1))),
        ("head count - 1", Some(with_count(n - 1))),
        ("head count 0", Some(with_count(0))),
        ("head hash flipped", Some(flipped)),
        ("head removed", None),
    ] {
        let m = f.expect(what, &[("meta", b"head".to_vec(), value)], n - 1, true);
        assert!(m.contains("stored head"), "{what}: {m}");
        cases += 1;
    }
    f.intact();
    eprintln!(
        "tamper_matrix/metadata: {cases} lying index entries and heads, all caught ({} also \
         through the binary)",
        f.binary_runs.get()
    );
}
