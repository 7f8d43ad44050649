//! Transparency end to end: checkpoints, inclusion and consistency proofs checked offline,
//! witness cosigning that never signs a fork, snapshots where any flipped byte fails, tiles.
#![allow(clippy::unwrap_used)]

mod util;

use std::path::Path;

use util::Env;

fn write(env: &Env, name: &str, text: &str) -> String {
    let p = env.path(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn checkpoint_is_a_signed_c2sp_note() {
    let env = Env::new();
    env.with_checkpoint();
    let cp = env.ok(&["checkpoint", "--latest"]);
    let mut lines = cp.lines();
    assert_eq!(lines.next(), Some("test.example/ledger"));
    let (n, _) = env.verify();
    assert_eq!(lines.next(), Some(n.to_string().as_str()));
    assert_eq!(lines.next().unwrap().len(), 44);
    assert_eq!(lines.next(), Some(""));
    assert!(lines
        .next()
        .unwrap()
        .starts_with("\u{2014} test.example/ledger "));
    // A key without the log role cannot sign one.
    let rec = env.key("rec");
    let err = env.fails(2, &["checkpoint", "--key", &rec]);
    assert!(err.contains("lacks the log role"), "{err}");
}

#[test]
fn inclusion_proof_verifies_offline_and_tampering_fails() {
    let env = Env::new();
    let vkey = env.with_checkpoint();
    let proof = env.ok(&["prove", "--state", "FRA"]);
    assert!(
        proof.starts_with("c2sp.org/tlog-proof@v1\nextra "),
        "{proof}"
    );
    let file = write(&env, "fra.proof", &proof);
    // Offline: no ledger directory at all.
    let out = env
        .cmd()
        .env_remove("ACTLEDGER_DIR")
        .args(["verify-proof", "--vkey", &vkey, &file])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("AdherenceLetter FRA France"));
    // Any changed line breaks it: the entry, the index, a hash, the checkpoint.
    let lines: Vec<&str> = proof.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.is_empty() {
            continue;
        }
        let mut bad: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        let mut chars: Vec<char> = line.chars().collect();
        let pos = chars.len() / 2;
        chars[pos] = if chars[pos] == 'A' { 'B' } else { 'A' };
        bad[i] = chars.into_iter().collect();
        let f = write(&env, "bad.proof", &(bad.join("\n") + "\n"));
        let err = env.fails(1, &["verify-proof", "--vkey", &vkey, &f]);
        assert!(err.contains("bad.proof"), "line {i}: {err}");
    }
    // The wrong key.
    let other = env.key("other");
    let wrong = env.ok(&[
        "key",
        "show",
        &other,
        "--verifier",
        "--origin",
        "test.example/ledger",
    ]);
    env.fails(1, &["verify-proof", "--vkey", wrong.trim(), &file]);
    // A seq beyond the checkpoint is refused with advice.
    let (n, _) = env.verify();
    let err = env.fails(2, &["prove", &n.to_string()]);
    assert!(
        err.contains("not covered by the latest checkpoint"),
        "{err}"
    );
}

#[test]
fn consistency_between_checkpoints() {
    let env = Env::new();
    let vkey = env.with_checkpoint();
    let old = write(&env, "old.cp", &env.ok(&["checkpoint", "--latest"]));
    let old_size = std::fs::read_to_string(&old)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_string();
    env.adherence("DEU", "2015-10-23");
    env.adherence("ITA", "2015-10-23");
    let new = write(
        &env,
        "new.cp",
        &env.ok(&["checkpoint", "--key", &env.key("log")]),
    );
    let proof = env.ok(&["consistency", "--from", &old_size]);
    assert!(proof.lines().all(|l| l.len() == 44), "{proof}");
    let p = write(&env, "c.proof", &proof);
    let out = env
        .cmd()
        .env_remove("ACTLEDGER_DIR")
        .args(["verify-consistency", "--vkey", &vkey, &old, &new, &p])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Swapped checkpoints, or a damaged proof, fail.
    env.fails(1, &["verify-consistency", "--vkey", &vkey, &new, &old, &p]);
    let mut bad = proof.clone();
    bad.replace_range(0..1, if bad.starts_with('A') { "B" } else { "A" });
    let b = write(&env, "bad.proof", &bad);
    env.fails(1, &["verify-consistency", "--vkey", &vkey, &old, &new, &b]);
}

#[test]
fn witness_cosigns_growth_but_never_a_fork() {
    let env = Env::new();
    let vkey = env.with_checkpoint();
    let witness = env.key("witness");
    let cp1 = write(&env, "cp1", &env.ok(&["checkpoint", "--latest"]));
    let size1 = std::fs::read_to_string(&cp1)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_string();
    let cosigned = env.ok(&[
        "witness", "cosign", "--key", &witness, "--vkey", &vkey, &cp1,
    ]);
    assert!(
        cosigned
            .lines()
            .any(|l| l.starts_with("\u{2014} actledger-witness ")),
        "{cosigned}"
    );
    // Fork the ledger here: a copy that will grow differently under the same keys.
    let fork = env.path("fork");
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(env.ledger())
        .arg(&fork)
        .status()
        .unwrap();
    assert!(status.success());
    let dep = env.key("dep");
    let log = env.key("log");
    env.adherence("DEU", "2015-10-23");
    let cp2 = write(&env, "cp2", &env.ok(&["checkpoint", "--key", &log]));
    let p12 = write(&env, "p12", &env.ok(&["consistency", "--from", &size1]));
    env.ok(&[
        "witness", "cosign", "--key", &witness, "--vkey", &vkey, &cp2, "--proof", &p12,
    ]);
    // The fork records something else at the same position, then grows further.
    let f = |args: &[&str]| env.ok_in(&fork, args);
    env.adherence_in(&fork, "ITA", "2015-10-23");
    let fork2 = write(&env, "fork2", &f(&["checkpoint", "--key", &log]));
    // Same size as cp2, different root: refused.
    let err = env.fails(
        1,
        &[
            "witness", "cosign", "--key", &witness, "--vkey", &vkey, &fork2,
        ],
    );
    assert!(err.contains("fork"), "{err}");
    // Larger, with a proof that is valid within the fork: still refused.
    f(&[
        "record",
        "--key",
        &dep,
        "adherence",
        "--state",
        "JPN",
        "--date",
        "2015-10-23",
        "--source",
        "s",
    ]);
    let fork3 = write(&env, "fork3", &f(&["checkpoint", "--key", &log]));
    let size2 = std::fs::read_to_string(&cp2)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_string();
    let pf = write(&env, "pf", &f(&["consistency", "--from", &size2]));
    let err = env.fails(
        1,
        &[
            "witness", "cosign", "--key", &witness, "--vkey", &vkey, &fork3, "--proof", &pf,
        ],
    );
    assert!(err.contains("not consistent"), "{err}");
    // And an older checkpoint (rollback) is refused too.
    let err = env.fails(
        1,
        &[
            "witness", "cosign", "--key", &witness, "--vkey", &vkey, &cp1,
        ],
    );
    assert!(err.contains("rollback"), "{err}");
}

fn flip(path: &Path, pos: usize) {
    let mut b = std::fs::read(path).unwrap();
    b[pos] ^= 0x01;
    std::fs::write(path, b).unwrap();
}

#[test]
fn snapshot_verifies_and_any_flipped_byte_fails() {
    let env = Env::new();
    let vkey = env.with_checkpoint();
    let snap = env.path("snap");
    env.ok(&["export", "snapshot", "--out", snap.to_str().unwrap()]);
    let s = snap.to_str().unwrap();
    let out = env
        .cmd()
        .env_remove("ACTLEDGER_DIR")
        .args(["verify-snapshot", s, "--vkey", &vkey])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 proofs"));
    let mut cases = 0;
    for name in [
        "checkpoint",
        "entries",
        "supporters.json",
        "compliance.json",
        "README.md",
    ] {
        let path = snap.join(name);
        let len = std::fs::metadata(&path).unwrap().len() as usize;
        // Every byte of the small files, an even sample of the large ones.
        let step = (len / 60).max(1);
        let mut positions: Vec<usize> = (0..len).step_by(step).collect();
        positions.push(len - 1);
        for pos in positions {
            flip(&path, pos);
            let err = env.fails(1, &["verify-snapshot", s, "--vkey", &vkey]);
            assert!(
                err.contains(&format!("snapshot {name}"))
                    || (name == "checkpoint" && err.contains("snapshot checkpoint")),
                "{name} byte {pos}: {err}"
            );
            flip(&path, pos);
            cases += 1;
        }
    }
    assert!(cases > 200, "{cases}");
    env.ok(&["verify-snapshot", s, "--vkey", &vkey]);
    // An extra file is refused too.
    std::fs::write(snap.join("extra.txt"), "x").unwrap();
    env.fails(1, &["verify-snapshot", s, "--vkey", &vkey]);
}

/// A ledger that grew after its latest checkpoint exports the events the checkpoint covers.
#[test]
fn snapshot_of_a_ledger_grown_past_its_checkpoint_covers_the_checkpoint() {
    let env = Env::new();
    let vkey = env.with_checkpoint();
    env.adherence("DEU", "2015-11-02");
    let snap = env.path("snap");
    let s = snap.to_str().unwrap();
    env.ok(&["export", "snapshot", "--out", s]);
    let ok = env.ok(&["verify-snapshot", s, "--vkey", &vkey]);
    assert!(ok.contains("3 proofs"), "{ok}");
    let supporters = std::fs::read_to_string(snap.join("supporters.json")).unwrap();
    assert!(!supporters.contains("DEU"), "{supporters}");
    let names: Vec<String> = std::fs::read_dir(&snap)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 5, "{names:?}");
}

#[test]
fn tiles_are_written_incrementally_and_read_back() {
    let env = Env::new();
    env.with_checkpoint();
    let out = env.path("tiles");
    let o = out.to_str().unwrap();
    let first = env.ok(&["export", "tiles", "--out", o]);
    assert!(first.contains("from size 0"), "{first}");
    env.adherence("DEU", "2015-10-23");
    env.ok(&["checkpoint", "--key", &env.key("log")]);
    let second = env.ok(&["export", "tiles", "--out", o]);
    assert!(second.contains("2 tile files written"), "{second}");
    // A reader with only the tiles recomputes the checkpoint's root.
    use actledger_core::{checkpoint::Checkpoint, merkle, note::Note, tiles};
    let note = Note::parse(&std::fs::read_to_string(out.join("checkpoint")).unwrap()).unwrap();
    let cp = Checkpoint::from_note(&note).unwrap();
    let size = cp.size();
    let root = merkle::root(size, |l, i| {
        tiles::node_from_tiles(l, i, size, |t: &tiles::TileId| {
            std::fs::read(out.join(t.path())).map_err(|e| e.to_string())
        })
    })
    .unwrap();
    assert_eq!(&root, cp.root());
    // And the entries bundle holds the events.
    let w = size % 256;
    let bundle = std::fs::read(out.join(format!("tile/entries/000.p/{w}"))).unwrap();
    assert_eq!(
        tiles::parse_entry_bundle(&bundle).unwrap().len() as u64,
        size
    );
}

#[test]
fn oversized_event_is_refused() {
    let env = Env::new();
    env.standard();
    let rec = env.key("rec");
    let name = "x".repeat(4000);
    let holidays: Vec<String> = (1..=20).map(|d| format!("2024-01-{d:02}={name}")).collect();
    let mut args = vec![
        "record", "--key", &rec, "holidays", "--year", "2024", "--source", "s",
    ];
    for h in &holidays {
        args.push("--holiday");
        args.push(h);
    }
    let before = env.verify();
    let err = env.fails(2, &args);
    assert!(err.contains("over the 65535-byte limit"), "{err}");
    assert_eq!(env.verify(), before);
}

/// `prove --state` proves the letter the rules hold for the state now: the same proof as
/// `prove SEQ`, also after a correction of the letter (which keeps its seq), and after
/// corrections that move a letter to another state and back (a correction is indexed under
/// its replacement's state only, so the index alone missed the move away); a state with no
/// letter is refused.
#[test]
fn prove_by_state_follows_corrections() {
    let env = Env::new();
    env.with_checkpoint();
    let seq_of = |state: &str| -> u64 {
        env.ok(&["log", "--json"])
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .find(|v| {
                v["kind"] == "AdherenceLetter"
                    && v["body"]["Fact"]["AdherenceLetter"]["state"] == state
            })
            .and_then(|v| v["seq"].as_u64())
            .unwrap()
    };
    let fra = seq_of("FRA");
    assert_eq!(
        env.ok(&["prove", "--state", "FRA"]),
        env.ok(&["prove", &fra.to_string()])
    );
    let dep = env.key("dep");
    env.ok(&[
        "record",
        "--key",
        &dep,
        "correction",
        "--target",
        &fra.to_string(),
        "--reason",
        "the letter is dated the 22nd",
        "adherence",
        "--state",
        "FRA",
        "--date",
        "2015-10-22",
        "--source",
        "s",
    ]);
    let log = env.key("log");
    env.ok(&["checkpoint", "--key", &log]);
    assert_eq!(
        env.ok(&["prove", "--state", "FRA"]),
        env.ok(&["prove", &fra.to_string()])
    );
    let err = env.fails(2, &["prove", "--state", "ITA"]);
    assert!(err.contains("no adherence letter of ITA"), "{err}");
    // FRA's letter moved to ITA, then back: each time the proof names it under the state it
    // is recorded for, and the other has none.
    let mv = |to: &str| {
        env.ok(&[
            "record",
            "--key",
            &dep,
            "correction",
            "--target",
            &fra.to_string(),
            "--reason",
            "the letter is another state's",
            "adherence",
            "--state",
            to,
            "--date",
            "2015-10-22",
            "--source",
            "s",
        ]);
        env.ok(&["checkpoint", "--key", &log]);
    };
    mv("ITA");
    assert_eq!(
        env.ok(&["prove", "--state", "ITA"]),
        env.ok(&["prove", &fra.to_string()])
    );
    let err = env.fails(2, &["prove", "--state", "FRA"]);
    assert!(err.contains("no adherence letter of FRA"), "{err}");
    mv("FRA");
    assert_eq!(
        env.ok(&["prove", "--state", "FRA"]),
        env.ok(&["prove", &fra.to_string()])
    );
    let err = env.fails(2, &["prove", "--state", "ITA"]);
    assert!(err.contains("no adherence letter of ITA"), "{err}");
}
