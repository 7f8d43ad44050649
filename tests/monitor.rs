//! `monitor` against a misbehaving server: a tiny HTTP server in the test serves a folder of
//! `export tiles` (or tiles built here from altered entries), with the faults of issue 19.
//! Each is caught: exit 1 with an evidence file that `verify-evidence` confirms offline, or
//! exit 2 for a server that is unreachable, endless or stalled.
#![allow(clippy::unwrap_used)]

mod net;
mod synth;
mod util;

use std::net::TcpListener;
use std::path::{Path, PathBuf};

use actledger_core::checkpoint::Checkpoint;
use actledger_core::evidence::root_of;
use actledger_core::note::KeyName;
use actledger_core::tiles::{parse_entry_bundle, tiles_from_entries};
use actledger_core::SigningKey;
use net::{actledger_serve, witness_serve, Mode, Server};
use util::Env;

/// A ledger with a log key and a checkpoint, and its verifier key.
fn ledger(env: &Env) -> String {
    env.standard();
    let log = env.key("log");
    env.grant("log", "log");
    env.adherence("GBR", "2015-10-01");
    env.ok(&["checkpoint", "--key", &log]);
    env.ok(&["key", "show", &log, "--verifier"])
        .trim()
        .to_string()
}

/// `cp -r from to`.
fn cp_r(from: &Path, to: &Path) {
    assert!(std::process::Command::new("cp")
        .arg("-r")
        .arg(from)
        .arg(to)
        .status()
        .unwrap()
        .success());
}

fn export(env: &Env, name: &str) -> PathBuf {
    let out = env.path(name);
    env.ok(&["export", "tiles", "--out", out.to_str().unwrap()]);
    out
}

fn monitor(env: &Env, url: &str, vkey: &str, state: &str, extra: &[&str]) -> std::process::Output {
    let st = env.path(state);
    let mut args = vec![
        "monitor",
        url,
        "--vkey",
        vkey,
        "--state",
        st.to_str().unwrap(),
        "--once",
        "--timeout",
        "2",
    ];
    args.extend_from_slice(extra);
    env.run(&args)
}

/// Asserts exit 1 with an evidence file in `state` of `kind` that verify-evidence confirms.
fn caught(env: &Env, out: &std::process::Output, vkey: &str, state: &str, kind: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let evidence: Vec<_> = std::fs::read_dir(env.path(state))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .ends_with(&format!("-{kind}.json"))
        })
        .collect();
    assert_eq!(evidence.len(), 1, "{err}: no {kind} evidence");
    // Nothing was written: no checkpoint half-recorded, and the mirror is what was verified
    // before (a ledger `verify` accepts), or empty.
    let dir = env.path(state);
    assert!(!dir.join("checkpoint.next").exists());
    if dir.join("checkpoint").exists() {
        let cp = std::fs::read_to_string(dir.join("checkpoint")).unwrap();
        let size = cp.lines().nth(1).unwrap();
        let v = env.ok_in(&dir.join("mirror"), &["verify"]);
        assert!(v.contains(&format!("{size} events")), "{v}");
    }
    let e = evidence[0].to_str().unwrap();
    let confirmed = env.ok(&["verify-evidence", e, "--vkey", vkey]);
    assert!(confirmed.starts_with("confirmed: "), "{confirmed}");
    // Against another log's key, the evidence proves nothing.
    let other = env
        .ok(&[
            "key",
            "show",
            &env.key("other"),
            "--verifier",
            "--origin",
            "test.example/ledger",
        ])
        .trim()
        .to_string();
    if kind != "checkpoint-signature" {
        env.fails(1, &["verify-evidence", e, "--vkey", &other]);
    }
}

fn entries_of(dir: &Path) -> Vec<Vec<u8>> {
    // These logs are under 256 entries: one partial bundle.
    let f = std::fs::read_dir(dir.join("tile/entries/000.p"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .next()
        .unwrap();
    let b = std::fs::read(f).unwrap();
    parse_entry_bundle(&b)
        .unwrap()
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect()
}

/// Tiles and a checkpoint signed by `key` for `entries`, as a log would publish them.
fn publish(dir: &Path, entries: &[Vec<u8>], key: &SigningKey) {
    for (path, bytes) in tiles_from_entries(entries).unwrap() {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    let origin = "test.example/ledger";
    let cp = Checkpoint::new(origin, entries.len() as u64, root_of(entries))
        .unwrap()
        .sign(&KeyName::new(origin).unwrap(), key)
        .unwrap();
    std::fs::write(dir.join("checkpoint"), cp.to_string()).unwrap();
}

fn key(env: &Env, name: &str) -> SigningKey {
    SigningKey::from_key_file(&std::fs::read_to_string(env.key(name)).unwrap()).unwrap()
}

#[test]
fn monitor_follows_growth_downloading_only_new_bundles() {
    let env = Env::new();
    let vkey = ledger(&env);
    let tiles = export(&env, "tiles");
    let server = Server::new(Mode::Files(tiles.clone()));
    let out = monitor(&env, &server.url, &vkey, "m", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (n, _) = env.verify();
    let first = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(first.contains(&format!("at size {n}")), "{first}");
    // Grow the log, publish, poll again: only the new events are verified.
    let log = env.key("log");
    for s in ["FRA", "MEX", "DEU"] {
        env.adherence(s, "2015-10-23");
    }
    env.ok(&["checkpoint", "--key", &log]);
    env.ok(&["export", "tiles", "--out", tiles.to_str().unwrap()]);
    let v = polled(&env, &server.url, &vkey, "m");
    assert_eq!(v["new_events"], 3);
    assert_eq!(v["size"], n + 3);
    same_as_the_log(&env, &env.path("m/mirror"));
    // Nothing new: nothing to verify.
    let out = monitor(&env, &server.url, &vkey, "m", &["--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["new_events"], 0);
}

/// `monitor --once --json` that succeeds, and what it printed.
fn polled(env: &Env, url: &str, vkey: &str, state: &str) -> serde_json::Value {
    let out = monitor(env, url, vkey, state, &["--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The mirror is a ledger: the projection commands and `verify` run on it and print what
/// they print on the log itself.
fn same_as_the_log(env: &Env, mirror: &Path) {
    for args in [
        &["supporters", "--json"][..],
        &["compliance", "--json", "--all"],
        &["log", "--json"],
    ] {
        assert_eq!(
            env.ok_in(mirror, args),
            env.ok(args),
            "{args:?} differs on the mirror"
        );
    }
    let (n, head) = env.verify();
    let v = env.ok_in(mirror, &["verify"]);
    assert!(v.contains(&n.to_string()) && v.contains(&head), "{v}");
}

/// A monitor killed between writing its mirror and recording the checkpoint finishes the
/// step on the next start; a mirror behind its recorded checkpoint, or altered, is refused
/// (exit 2) and nothing is written.
#[test]
fn an_interrupted_poll_is_finished_on_start_and_a_mirror_behind_is_refused() {
    let env = Env::new();
    let vkey = ledger(&env);
    let tiles = export(&env, "tiles");
    let server = Server::new(Mode::Files(tiles.clone()));
    assert!(monitor(&env, &server.url, &vkey, "m", &[]).status.success());
    let (m, before) = (env.path("m"), env.path("before"));
    cp_r(&m, &before);
    for s in ["FRA", "MEX"] {
        env.adherence(s, "2015-10-23");
    }
    env.ok(&["checkpoint", "--key", &env.key("log")]);
    env.ok(&["export", "tiles", "--out", tiles.to_str().unwrap()]);
    assert!(monitor(&env, &server.url, &vkey, "m", &[]).status.success());
    // As if killed after the mirror's write: checkpoint.next is the new one, checkpoint the old.
    std::fs::rename(m.join("checkpoint"), m.join("checkpoint.next")).unwrap();
    std::fs::copy(before.join("checkpoint"), m.join("checkpoint")).unwrap();
    let v = polled(&env, &server.url, &vkey, "m");
    assert_eq!(v["new_events"], 0);
    assert!(!m.join("checkpoint.next").exists());
    same_as_the_log(&env, &m.join("mirror"));
    // The mirror of before with the checkpoint of after: behind it.
    let behind = env.path("behind");
    cp_r(&before, &behind);
    std::fs::copy(m.join("checkpoint"), behind.join("checkpoint")).unwrap();
    let out = monitor(&env, &server.url, &vkey, "behind", &[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("fewer than the recorded checkpoint"));
}

#[test]
fn monitor_catches_altered_bytes_forks_rollbacks_and_bad_bundles() {
    let env = Env::new();
    let vkey = ledger(&env);
    let base = export(&env, "base");
    let fork_dir = env.path("fork");
    cp_r(&env.ledger(), &fork_dir);
    let log = env.key("log");
    env.adherence("DEU", "2015-10-23");
    env.ok(&["checkpoint", "--key", &log]);
    let main_tiles = export(&env, "main");
    let f = |args: &[&str]| env.ok_in(&fork_dir, args);
    env.adherence_in(&fork_dir, "ITA", "2015-10-23");
    f(&["checkpoint", "--key", &log]);
    let fork_tiles = env.path("forktiles");
    f(&["export", "tiles", "--out", fork_tiles.to_str().unwrap()]);

    // One altered byte in an entry bundle: the entries no longer hash to the signed root.
    let altered = env.path("altered");
    cp_r(&main_tiles, &altered);
    let bundle = std::fs::read_dir(altered.join("tile/entries/000.p"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .next()
        .unwrap();
    let mut b = std::fs::read(&bundle).unwrap();
    b[10] ^= 1;
    std::fs::write(&bundle, b).unwrap();
    let server = Server::new(Mode::Files(altered));
    let out = monitor(&env, &server.url, &vkey, "m1", &[]);
    caught(&env, &out, &vkey, "m1", "root-mismatch");

    // A fork: the monitor has verified main; the server then serves the fork's checkpoint
    // (same size, valid signature, another root).
    server.set(Mode::Files(main_tiles.clone()));
    let out = monitor(&env, &server.url, &vkey, "m2", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    server.set(Mode::Files(fork_tiles.clone()));
    let out = monitor(&env, &server.url, &vkey, "m2", &[]);
    caught(&env, &out, &vkey, "m2", "fork");

    // A rollback: after main, the older checkpoint (valid signature, smaller).
    server.set(Mode::Files(base.clone()));
    let out = monitor(&env, &server.url, &vkey, "m3", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    server.set(Mode::Files(main_tiles.clone()));
    assert!(monitor(&env, &server.url, &vkey, "m3", &[])
        .status
        .success());
    server.set(Mode::Checkpoint(
        main_tiles.clone(),
        std::fs::read_to_string(base.join("checkpoint")).unwrap(),
    ));
    let out = monitor(&env, &server.url, &vkey, "m3", &[]);
    caught(&env, &out, &vkey, "m3", "rollback");

    // A truncated entry bundle.
    let partial = std::fs::read_dir(main_tiles.join("tile/entries/000.p"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .next()
        .unwrap();
    let rel = partial
        .strip_prefix(&main_tiles)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    server.set(Mode::Truncate(main_tiles.clone(), rel, 3));
    let out = monitor(&env, &server.url, &vkey, "m4", &[]);
    caught(&env, &out, &vkey, "m4", "bad-bundle");

    // A checkpoint signed by another key under the log's name.
    let rogue_dir = env.path("rogue");
    let entries = entries_of(&main_tiles);
    publish(&rogue_dir, &entries, &key(&env, "rogue"));
    server.set(Mode::Files(rogue_dir));
    let out = monitor(&env, &server.url, &vkey, "m5", &[]);
    caught(&env, &out, &vkey, "m5", "checkpoint-signature");
}

#[test]
fn monitor_catches_a_signed_event_whose_signature_fails() {
    let env = Env::new();
    let vkey = ledger(&env);
    let tiles = export(&env, "tiles");
    let mut entries = entries_of(&tiles);
    // The last event's signature (its last 64 bytes) altered, and the log signs the result.
    let last = entries.last_mut().unwrap();
    let n = last.len();
    last[n - 5] ^= 1;
    let bad = env.path("bad");
    publish(&bad, &entries, &key(&env, "log"));
    let server = Server::new(Mode::Files(bad));
    let out = monitor(&env, &server.url, &vkey, "m", &[]);
    caught(&env, &out, &vkey, "m", "bad-event");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("event {}", entries.len() - 1)),
        "{err}"
    );
}

/// A ledger of more than four entry bundles (the members of 76 Councils), checkpointed; its
/// verifier key and size.
fn larger_ledger(env: &Env) -> (String, u64) {
    let vkey = ledger(env);
    let mut rng = synth::Rng::new(7);
    let (members, _) = synth::members_csv(&mut rng, 1946..=2021);
    let csv = env.path("members.csv");
    std::fs::write(&csv, members).unwrap();
    env.ok(&[
        "import",
        "members",
        csv.to_str().unwrap(),
        "--key",
        &env.key("rec"),
    ]);
    env.ok(&["checkpoint", "--key", &env.key("log")]);
    let (n, _) = env.verify();
    assert!(n > 4 * 256 && n % 256 != 0, "{n} events");
    (vkey, n)
}

/// Every entry of a log of `n` entries, from its exported tiles.
fn all_entries_of(tiles: &Path, n: u64) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for idx in 0..n.div_ceil(256) {
        let w = u16::try_from((n - idx * 256).min(256)).unwrap();
        let id =
            actledger_core::tiles::TileId::new(actledger_core::tiles::TileKind::Entries, idx, w)
                .unwrap();
        let b = std::fs::read(tiles.join(id.path())).unwrap();
        out.extend(
            parse_entry_bundle(&b)
                .unwrap()
                .into_iter()
                .map(<[u8]>::to_vec),
        );
    }
    assert_eq!(out.len() as u64, n);
    out
}

/// The monitor in windows of one entry bundle (256 entries), so that a small log takes many.
const WINDOW_1: [&str; 2] = ["--window", "256"];

/// Exit 1 with one `kind` evidence file that `verify-evidence` confirms, after the windows
/// before the bad one were written: the mirror verifies at `written` events, and
/// `checkpoint.next` (written before the first window) stays for the next start.
fn caught_after_windows(
    env: &Env,
    out: &std::process::Output,
    vkey: &str,
    state: &str,
    kind: &str,
    written: u64,
) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let dir = env.path(state);
    let evidence: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_str().unwrap().ends_with(&format!("-{kind}.json")))
        .collect();
    assert_eq!(evidence.len(), 1, "{err}: no {kind} evidence");
    let confirmed = env.ok(&[
        "verify-evidence",
        evidence[0].to_str().unwrap(),
        "--vkey",
        vkey,
    ]);
    assert!(confirmed.starts_with("confirmed: "), "{confirmed}");
    assert!(dir.join("checkpoint.next").exists());
    let v = env.ok_in(&dir.join("mirror"), &["verify"]);
    assert!(v.contains(&format!("{written} events")), "{v}");
}

/// A catch-up is written a window at a time, each verified and proven part of the signed
/// tree before it is written: a server that fails at the third bundle leaves the first two
/// windows written (exit 2), and the next poll goes on from there; a monitor killed in the
/// middle of a catch-up starts again from what it wrote. Both end with the log's mirror.
#[test]
fn a_catch_up_stopped_or_killed_between_windows_resumes_and_ends_identical() {
    let env = Env::new();
    let (vkey, n) = larger_ledger(&env);
    let tiles = export(&env, "tiles");
    let holed = env.path("holed");
    cp_r(&tiles, &holed);
    std::fs::remove_file(holed.join("tile/entries/002")).unwrap();
    let server = Server::new(Mode::Files(holed));
    let out = monitor(&env, &server.url, &vkey, "m", &WINDOW_1);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m = env.path("m");
    assert!(m.join("checkpoint.next").exists() && !m.join("checkpoint").exists());
    let v = env.ok_in(&m.join("mirror"), &["verify"]);
    assert!(v.contains("512 events"), "{v}");
    server.set(Mode::Files(tiles.clone()));
    let out = monitor(
        &env,
        &server.url,
        &vkey,
        "m",
        &["--json", "--window", "256"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["size"].as_u64(), v["new_events"].as_u64()),
        (Some(n), Some(n - 512))
    );
    assert!(!m.join("checkpoint.next").exists());
    same_as_the_log(&env, &m.join("mirror"));

    // SIGKILL while the fourth window is being fetched (the third being verified or
    // written, or waiting): whatever it had written, the next start goes on from it.
    let stalled = "tile/entries/003";
    server.set(Mode::StallOn(tiles.clone(), stalled.into()));
    let st = env.path("k");
    let mut child = util::actledger_on(&env.ledger())
        .args([
            "monitor",
            &server.url,
            "--vkey",
            &vkey,
            "--once",
            "--timeout",
            "30",
        ])
        .arg("--state")
        .arg(&st)
        .args(WINDOW_1)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    while !server.was_requested(stalled) {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the monitor ended before {stalled}"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    server.set(Mode::Files(tiles));
    let v = polled(&env, &server.url, &vkey, "k");
    assert_eq!(v["size"].as_u64(), Some(n));
    same_as_the_log(&env, &st.join("mirror"));
}

/// Against a server that misbehaves after the first windows: a signed event whose signature
/// fails in the third window, or an altered byte in the fourth bundle, is caught with
/// evidence, the windows before it written; hash tiles that do not prove a window part of
/// the signed tree stop the poll (exit 2, no evidence: hash tiles are not signed) before
/// anything is written, and do not matter to a catch-up in one window (which reads none).
#[test]
fn a_catch_up_in_windows_still_catches_a_misbehaving_server() {
    let env = Env::new();
    let (vkey, n) = larger_ledger(&env);
    let tiles = export(&env, "tiles");
    let mut entries = all_entries_of(&tiles, n);
    let bad = &mut entries[600];
    let l = bad.len();
    bad[l - 5] ^= 1;
    let signed_bad = env.path("signed-bad");
    publish(&signed_bad, &entries, &key(&env, "log"));
    let server = Server::new(Mode::Files(signed_bad));
    let out = monitor(&env, &server.url, &vkey, "m1", &WINDOW_1);
    caught_after_windows(&env, &out, &vkey, "m1", "bad-event", 512);
    assert!(String::from_utf8_lossy(&out.stderr).contains("event 600"));

    let altered = env.path("altered");
    cp_r(&tiles, &altered);
    let bundle = altered.join("tile/entries/003");
    let mut b = std::fs::read(&bundle).unwrap();
    b[100] ^= 1;
    std::fs::write(&bundle, b).unwrap();
    server.set(Mode::Files(altered));
    let out = monitor(&env, &server.url, &vkey, "m2", &WINDOW_1);
    caught_after_windows(&env, &out, &vkey, "m2", "root-mismatch", 768);

    // Every hash tile altered (entry bundles as they are).
    let lying = env.path("lying");
    cp_r(&tiles, &lying);
    let mut stack = vec![lying.join("tile")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.ends_with("entries") {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                let mut b = std::fs::read(&p).unwrap();
                b[0] ^= 1;
                std::fs::write(&p, b).unwrap();
            }
        }
    }
    server.set(Mode::Files(lying));
    let out = monitor(&env, &server.url, &vkey, "m3", &WINDOW_1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("hash tiles served do not prove"), "{err}");
    let m3 = env.path("m3");
    assert!(!m3.join("checkpoint.next").exists());
    assert!(std::fs::read_dir(&m3).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_str()
        .unwrap()
        .starts_with("evidence")));
    let v = polled(&env, &server.url, &vkey, "m3");
    assert_eq!(v["size"].as_u64(), Some(n));
    same_as_the_log(&env, &m3.join("mirror"));
}

#[test]
fn monitor_gives_up_on_endless_stalled_and_absent_servers_with_exit_2() {
    let env = Env::new();
    let vkey = ledger(&env);
    let server = Server::new(Mode::Endless);
    let out = monitor(&env, &server.url, &vkey, "m", &[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    server.set(Mode::Stall);
    let out = monitor(&env, &server.url, &vkey, "m", &[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Nothing listening.
    let free = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", free.local_addr().unwrap());
    drop(free);
    let out = monitor(&env, &url, &vkey, "m", &[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // No evidence for any of these: they prove nothing about the log.
    assert!(std::fs::read_dir(env.path("m")).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_str()
        .unwrap()
        .starts_with("evidence")));
}

#[test]
fn monitor_requires_the_witness_quorum() {
    let env = Env::new();
    let vkey = ledger(&env);
    let tiles = export(&env, "tiles");
    let server = Server::new(Mode::Files(tiles));
    let w = env
        .ok(&[
            "key",
            "show",
            &env.key("w"),
            "--verifier",
            "--cosignature",
            "--origin",
            "w.example",
        ])
        .trim()
        .to_string();
    let out = monitor(&env, &server.url, &vkey, "m", &["--witness", &w]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("quorum"));
}

/// Two running `witness serve` for the log `vkey`: each with its cosignature verifier key and
/// its `URL=VKEY` for `--witness`.
fn two_witnesses(env: &Env, vkey: &str) -> [(net::Served, String, String); 2] {
    ["w1", "w2"].map(|name| {
        let k = env.key(name);
        let v = env
            .ok(&[
                "key",
                "show",
                &k,
                "--verifier",
                "--cosignature",
                "--origin",
                "actledger-witness",
            ])
            .trim()
            .to_string();
        let w = witness_serve(&k, &[vkey], &env.path(name));
        let o = format!("{}={v}", w.url);
        (w, v, o)
    })
}

/// End to end on loopback: a log published as static tiles, two `witness serve`, and a
/// monitor with quorum 2 following appends. Stopping one witness stops publication with
/// quorum 2 (the monitor sees nothing new) and not with quorum 1 (whose checkpoint the
/// quorum-2 monitor then refuses). 16 appends, each a CLI run, published by `checkpoint
/// --witness`; the 10,000 appends through `serve --witness` are the next test.
#[test]
fn end_to_end_two_witnesses_and_a_monitor_with_quorum_2() {
    let env = Env::new();
    let vkey = ledger(&env);
    let log = env.key("log");
    let [(_w1, v1, o1), (w2, v2, o2)] = two_witnesses(&env, &vkey);
    let tiles = env.path("tiles");
    let server = Server::new(Mode::Files(tiles.clone()));
    let publish = |quorum: &str| {
        let out = env.run(&[
            "checkpoint",
            "--key",
            &log,
            "--witness",
            &o1,
            "--witness",
            &o2,
            "--quorum",
            quorum,
        ]);
        if out.status.success() {
            env.ok(&["export", "tiles", "--out", tiles.to_str().unwrap()]);
        }
        out
    };
    let follow = || {
        let out = monitor(
            &env,
            &server.url,
            &vkey,
            "m",
            &[
                "--witness",
                &v1,
                "--witness",
                &v2,
                "--quorum",
                "2",
                "--json",
            ],
        );
        let v: Option<serde_json::Value> = serde_json::from_slice(&out.stdout).ok();
        (out, v)
    };
    let states = [
        "FRA", "MEX", "DEU", "ITA", "JPN", "NLD", "BEL", "CHE", "AUT", "DNK", "FIN", "NOR", "SWE",
        "ESP", "PRT",
    ];
    let mut seen = 0;
    // 15 adherence letters, published in 4 rounds, each cosigned by both witnesses and
    // followed by the monitor.
    for chunk in states.chunks(4) {
        for s in chunk {
            env.adherence(s, "2015-10-23");
        }
        assert!(publish("2").status.success());
        let (out, v) = follow();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v = v.unwrap();
        assert_eq!(
            v["new_events"].as_u64().unwrap(),
            if seen == 0 {
                v["size"].as_u64().unwrap()
            } else {
                chunk.len() as u64
            }
        );
        seen = v["size"].as_u64().unwrap();
    }
    assert_eq!(seen, env.verify().0);

    // One witness down.
    drop(w2);
    env.adherence("GRC", "2015-10-23");
    let out = publish("2");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (out, v) = follow();
    assert!(out.status.success());
    assert_eq!(v.unwrap()["new_events"], 0);
    let out = publish("1");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (out, _) = follow();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("quorum"));
}

/// `monitor` follows `actledger serve` (the tiles read path) as it follows a static copy.
#[test]
fn monitor_follows_actledger_serve() {
    let env = Env::new();
    let vkey = ledger(&env);
    let server = actledger_serve(&env.ledger(), &[]);
    let out = monitor(&env, &server.url, &vkey, "m", &["--json"]);
    drop(server);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["size"].as_u64().unwrap(), env.verify().0);
}

/// End to end on loopback, as the issue has it: `serve` publishing checkpoints cosigned by two
/// `witness serve`, and a monitor with quorum 2, follow `ACTLEDGER_E2E_EVENTS` appends
/// (default 10,000) submitted in four signed batches (`import votes --remote`). Then one
/// witness stops: with quorum 2 nothing new is published (`POST /checkpoint` is 503, the
/// monitor sees nothing new); the same server restarted with quorum 1 publishes, and the
/// quorum-2 monitor refuses that checkpoint while a quorum-1 monitor follows it.
#[test]
fn end_to_end_serve_two_witnesses_and_a_monitor_follow_10000_appends() {
    let total: u64 = std::env::var("ACTLEDGER_E2E_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let env = Env::new();
    let (admin, rec, dep, log) = (
        env.key("admin"),
        env.key("rec"),
        env.key("dep"),
        env.key("log"),
    );
    env.ok(&[
        "init",
        "--origin",
        "test.example/ledger",
        "--admin-key",
        &admin,
    ]);
    env.grant("rec", "recorder");
    env.grant("dep", "depositary");
    env.grant("log", "log");
    let mut rng = synth::Rng::new(19);
    // 80 Councils (1946-2025) and the votes of their years: `per_year` drafts each.
    let (members, councils) = synth::members_csv(&mut rng, 1946..=2025);
    let csv = env.path("members.csv");
    std::fs::write(&csv, members).unwrap();
    env.ok(&["import", "members", csv.to_str().unwrap(), "--key", &rec]);
    let vkey = env
        .ok(&["key", "show", &log, "--verifier"])
        .trim()
        .to_string();
    let [(_w1, v1, o1), (w2, v2, o2)] = two_witnesses(&env, &vkey);
    let serve = |quorum: &str| {
        actledger_serve(
            &env.ledger(),
            &[
                "--log-key",
                &log,
                "--witness",
                &o1,
                "--witness",
                &o2,
                "--quorum",
                quorum,
            ],
        )
    };
    let mut server = serve("2");
    let client = actledger_http::client::Client::new(std::time::Duration::from_secs(30), 1 << 20);
    let sign = |url: &str| {
        client
            .post(
                &actledger_http::client::join(url, "checkpoint"),
                "text/plain",
                b"",
            )
            .unwrap()
            .status
    };
    let follow = |url: &str, quorum: &str| {
        let mut extra = vec!["--json", "--quorum", quorum];
        extra.extend(["--witness", &v1, "--witness", &v2]);
        let out = monitor(&env, url, &vkey, "m", &extra);
        let v: Option<serde_json::Value> = serde_json::from_slice(&out.stdout).ok();
        (out, v)
    };
    let (out, v) = follow(&server.url, "2");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let base = v.unwrap()["size"].as_u64().unwrap();
    let years: Vec<u16> = councils.keys().copied().collect();
    let per_year = u32::try_from(total.div_ceil(years.len() as u64)).unwrap();
    let mut followed = 0;
    for (round, chunk) in years.chunks(years.len().div_ceil(4)).enumerate() {
        let part: synth::Councils = councils
            .iter()
            .filter(|(y, _)| chunk.contains(y))
            .map(|(y, c)| (*y, c.clone()))
            .collect();
        let votes = env.path(&format!("votes{round}.csv"));
        std::fs::write(&votes, synth::votes_csv(&mut rng, &part, per_year)).unwrap();
        let args = [
            "import",
            "votes",
            votes.to_str().unwrap(),
            "--key",
            &rec,
            "--remote",
            &server.url,
        ];
        env.ok(&args);
        assert_eq!(sign(&server.url), 200);
        let (out, v) = follow(&server.url, "2");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v = v.unwrap();
        assert_eq!(
            v["new_events"].as_u64().unwrap(),
            u64::from(per_year) * chunk.len() as u64
        );
        followed += v["new_events"].as_u64().unwrap();
    }
    assert!(followed >= total, "{followed} of {total}");
    same_as_the_log_served(&env, &server.url, &env.path("m/mirror"));

    // One witness down: with quorum 2, nothing new is published.
    drop(w2);
    let adherence = [
        "record",
        "--remote",
        &server.url,
        "--key",
        &dep,
        "adherence",
        "--state",
        "FRA",
        "--date",
        "2015-10-23",
        "--source",
        "s",
    ];
    env.ok(&adherence);
    assert_eq!(sign(&server.url), 503);
    let (out, v) = follow(&server.url, "2");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(v.unwrap()["new_events"], 0);
    // With quorum 1 it is; a quorum-2 reader refuses it, a quorum-1 reader follows.
    drop(server);
    server = serve("1");
    assert_eq!(sign(&server.url), 200);
    let (out, _) = follow(&server.url, "2");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("quorum"));
    let (out, v) = follow(&server.url, "1");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(v.unwrap()["new_events"], 1);
    assert_eq!(base + followed + 1, {
        drop(server);
        env.verify().0
    });
}

/// The mirror's reports are the served ledger's (`GET /api/...` runs the same commands).
fn same_as_the_log_served(env: &Env, url: &str, mirror: &Path) {
    let client = actledger_http::client::Client::new(std::time::Duration::from_secs(60), 1 << 30);
    for (api, args) in [
        ("supporters", &["supporters", "--json"][..]),
        ("compliance?all", &["compliance", "--json", "--all"]),
    ] {
        let served = client
            .get(&actledger_http::client::join(url, &format!("api/{api}")))
            .unwrap();
        assert_eq!(served.status, 200, "{api}");
        assert_eq!(
            env.ok_in(mirror, args),
            served.text(),
            "{api} differs on the mirror"
        );
    }
    env.ok_in(mirror, &["verify"]);
}
