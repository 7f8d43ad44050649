//! Witnesses never cosign a fork: the file-based `witness cosign` under concurrent runs, and
//! (below) the C2SP tlog-witness server over real HTTP.
#![allow(clippy::unwrap_used)]

mod net;
mod util;

use std::path::Path;
use std::process::Stdio;

use net::witness_serve;
use util::Env;

/// A ledger, a copy of it (the fork) that records something else at the same seq, and a
/// checkpoint of each at the same size: two signed, conflicting checkpoints of one log.
struct Fork {
    env: Env,
    vkey: String,
    witness: String,
    /// The common checkpoint both sides extend.
    base: String,
    /// Main's checkpoint one event later, and the proof from `base` to it.
    a: String,
    proof_a: String,
    /// The fork's checkpoint at the same size, and the proof from `base` to it.
    b: String,
    proof_b: String,
    base_size: u64,
}

fn write(env: &Env, name: &str, text: &str) -> String {
    let p = env.path(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

fn fork() -> Fork {
    let env = Env::new();
    env.standard();
    let log = env.key("log");
    env.grant("log", "log");
    env.adherence("GBR", "2015-10-01");
    let base = write(&env, "base", &env.ok(&["checkpoint", "--key", &log]));
    let base_size: u64 = std::fs::read_to_string(&base)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let vkey = env
        .ok(&["key", "show", &log, "--verifier"])
        .trim()
        .to_string();
    let fork_dir = env.path("fork");
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(env.ledger())
        .arg(&fork_dir)
        .status()
        .unwrap();
    assert!(status.success());
    env.adherence("DEU", "2015-10-23");
    let a = write(&env, "a", &env.ok(&["checkpoint", "--key", &log]));
    let s = base_size.to_string();
    let proof_a = write(&env, "proof_a", &env.ok(&["consistency", "--from", &s]));
    let in_fork = |args: &[&str]| env.ok_in(&fork_dir, args);
    env.adherence_in(&fork_dir, "ITA", "2015-10-23");
    let b = write(&env, "b", &in_fork(&["checkpoint", "--key", &log]));
    let proof_b = write(&env, "proof_b", &in_fork(&["consistency", "--from", &s]));
    assert_ne!(
        std::fs::read_to_string(&a).unwrap(),
        std::fs::read_to_string(&b).unwrap()
    );
    let witness = env.key("witness");
    Fork {
        env,
        vkey,
        witness,
        base,
        a,
        proof_a,
        b,
        proof_b,
        base_size,
    }
}

/// Two `witness cosign` runs started together on the two sides of a fork, 40 times, each time
/// with a fresh witness state that has cosigned `base`: at most one side is ever cosigned.
#[test]
fn concurrent_cosign_never_cosigns_both_sides_of_a_fork() {
    let f = fork();
    let cosign = |state: &Path, cp: &str, proof: &str| {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("actledger"));
        c.args([
            "witness", "cosign", "--key", &f.witness, "--vkey", &f.vkey, cp,
        ])
        .args(["--proof", proof, "--state", state.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
        c
    };
    let mut both = 0;
    let mut neither = 0;
    for round in 0..40 {
        let state = f.env.path(&format!("state-{round}"));
        // The witness first cosigns the common base.
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("actledger"))
            .args([
                "witness", "cosign", "--key", &f.witness, "--vkey", &f.vkey, &f.base,
            ])
            .args(["--state", state.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut pa = cosign(&state, &f.a, &f.proof_a).spawn().unwrap();
        let mut pb = cosign(&state, &f.b, &f.proof_b).spawn().unwrap();
        let (ra, rb) = (pa.wait().unwrap(), pb.wait().unwrap());
        for (r, p) in [(ra, &mut pa), (rb, &mut pb)] {
            if !r.success() {
                let mut err = String::new();
                std::io::Read::read_to_string(p.stderr.as_mut().unwrap(), &mut err).unwrap();
                assert_eq!(r.code(), Some(1), "{err}");
                assert!(err.contains("fork") || err.contains("conflict"), "{err}");
            }
        }
        match (ra.success(), rb.success()) {
            (true, true) => both += 1,
            (false, false) => neither += 1,
            _ => {}
        }
    }
    assert_eq!(
        both, 0,
        "cosigned both sides of a fork in {both} of 40 rounds"
    );
    assert_eq!(
        neither, 0,
        "cosigned neither side in {neither} of 40 rounds"
    );
    let _ = f.base_size;
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .build()
        .into()
}

/// POSTs `body` to `/add-checkpoint`: (status, content type, body).
fn add(url: &str, body: &str) -> (u16, String, String) {
    let mut r = agent()
        .post(format!("{url}/add-checkpoint"))
        .send(body)
        .unwrap();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        r.status().as_u16(),
        ct,
        r.body_mut().read_to_string().unwrap(),
    )
}

fn read(p: &str) -> String {
    std::fs::read_to_string(p).unwrap()
}

fn size_of(cp: &str) -> u64 {
    cp.lines().nth(1).unwrap().parse().unwrap()
}

fn body(old: u64, proof: &str, cp: &str) -> String {
    format!("old {old}\n{proof}\n{cp}")
}

/// A 200 answer is one cosignature/v1 line by the witness: appended to the checkpoint it
/// verifies with the witness's cosignature verifier key (checked by `verify-cosigned`
/// once it exists; here by its shape).
fn assert_cosigned(r: &(u16, String, String)) {
    assert_eq!(r.0, 200, "{r:?}");
    assert!(r.2.starts_with("\u{2014} actledger-witness "), "{r:?}");
    assert!(r.2.ends_with('\n') && r.2.lines().count() == 1, "{r:?}");
}

fn assert_conflict(r: &(u16, String, String), latest: u64) {
    assert_eq!(r.0, 409, "{r:?}");
    assert_eq!(r.1, "text/x.tlog.size");
    assert_eq!(r.2, format!("{latest}\n"));
}

#[test]
fn witness_server_answers_every_status_code_of_the_spec() {
    let f = fork();
    let env = &f.env;
    let (base, a, b) = (read(&f.base), read(&f.a), read(&f.b));
    let (pa, pb) = (read(&f.proof_a), read(&f.proof_b));
    let n = f.base_size;
    let w = witness_serve(&f.witness, &[&f.vkey], &env.path("w-state"));

    // 400: not a request; an old size above the checkpoint's.
    assert_eq!(add(&w.url, "hello\n").0, 400);
    assert_eq!(add(&w.url, &body(n + 5, "", &base)).0, 400);
    // 413: over the size limit.
    assert_eq!(add(&w.url, &"x".repeat(200_000)).0, 413);
    // 404 for another path or another log's checkpoint.
    assert_eq!(
        agent()
            .get(format!("{}/nothing", w.url))
            .call()
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    let other = a.replacen("test.example/ledger\n", "other.example/log\n", 1);
    assert_eq!(add(&w.url, &body(0, "", &other)).0, 404);
    // 403: the right origin, but a signature that does not verify (altered body).
    let altered = base.replacen(&format!("\n{n}\n"), &format!("\n{}\n", n + 1), 1);
    assert_eq!(add(&w.url, &body(0, "", &altered)).0, 403);

    // 200: first contact, from size 0 with no proof.
    assert_cosigned(&add(&w.url, &body(0, "", &base)));
    // The same checkpoint again is cosigned again (nothing changes).
    assert_cosigned(&add(&w.url, &body(n, "", &base)));
    // 409: the client thinks the witness is at 0; the body says where it is.
    assert_conflict(&add(&w.url, &body(0, "", &a)), n);
    // 422: a proof that does not lead from the cosigned head to this checkpoint.
    assert_eq!(add(&w.url, &body(n, &pb, &a)).0, 422);
    assert_eq!(add(&w.url, &body(n, "", &a)).0, 422);
    // 200: growth with the right proof.
    assert_cosigned(&add(&w.url, &body(n, &pa, &a)));
    // 409: the fork at the same size (with the old size right), and the fork from base.
    assert_conflict(&add(&w.url, &body(n + 1, "", &b)), n + 1);
    assert_conflict(&add(&w.url, &body(n, &pb, &b)), n + 1);
    // 400 before 409: a rollback to base with the witness's own old size.
    assert_eq!(add(&w.url, &body(n + 1, "", &base)).0, 400);
}

#[test]
fn a_fork_shown_to_two_witnesses_is_cosigned_by_each_only_once_and_restart_keeps_state() {
    let f = fork();
    let env = &f.env;
    let (base, a, b) = (read(&f.base), read(&f.a), read(&f.b));
    let (pa, pb) = (read(&f.proof_a), read(&f.proof_b));
    let n = f.base_size;
    let w2key = env.key("witness2");
    let (s1, s2) = (env.path("w1"), env.path("w2"));
    let w1 = witness_serve(&f.witness, &[&f.vkey], &s1);
    let w2 = witness_serve(&w2key, &[&f.vkey], &s2);
    for w in [&w1, &w2] {
        assert_cosigned(&add(&w.url, &body(0, "", &base)));
    }
    // Each witness cosigns the side it sees first and refuses the other.
    assert_cosigned(&add(&w1.url, &body(n, &pa, &a)));
    assert_conflict(&add(&w1.url, &body(n, &pb, &b)), n + 1);
    assert_conflict(&add(&w1.url, &body(n + 1, "", &b)), n + 1);
    assert_cosigned(&add(&w2.url, &body(n, &pb, &b)));
    assert_conflict(&add(&w2.url, &body(n, &pa, &a)), n + 1);
    assert_conflict(&add(&w2.url, &body(n + 1, "", &a)), n + 1);

    // Restart w1 on the same state: it still refuses b, and so does `witness cosign` on the
    // same state directory.
    drop(w1);
    let w1 = witness_serve(&f.witness, &[&f.vkey], &s1);
    assert_conflict(&add(&w1.url, &body(0, "", &b)), n + 1);
    assert_conflict(&add(&w1.url, &body(n + 1, "", &b)), n + 1);
    let err = env.fails(
        1,
        &[
            "witness",
            "cosign",
            "--key",
            &f.witness,
            "--vkey",
            &f.vkey,
            &f.b,
            "--state",
            s1.to_str().unwrap(),
        ],
    );
    assert!(err.contains("fork"), "{err}");
    assert_cosigned(&add(&w1.url, &body(n + 1, "", &a)));
}

/// A second log (another origin) beside the first: one witness follows both, and their
/// states are kept apart.
#[test]
fn one_witness_follows_two_logs() {
    let f = fork();
    let env = &f.env;
    let other = env.path("other");
    let admin = env.key("admin");
    let log2 = env.key("log2");
    let o = |args: &[&str]| {
        let mut v = vec!["--ledger", other.to_str().unwrap()];
        v.extend_from_slice(args);
        env.ok(&v)
    };
    o(&[
        "init",
        "--origin",
        "other.example/log",
        "--admin-key",
        &admin,
    ]);
    o(&[
        "key",
        "grant",
        "--key",
        &admin,
        "--public-from",
        &log2,
        "--role",
        "log",
        "--holder",
        "log2",
    ]);
    let c1 = o(&["checkpoint", "--key", &log2]);
    let vkey2 = o(&["key", "show", &log2, "--verifier"]).trim().to_string();
    let w = witness_serve(&f.witness, &[&f.vkey, &vkey2], &env.path("w"));
    assert_cosigned(&add(&w.url, &body(0, "", &c1)));
    assert_cosigned(&add(&w.url, &body(0, "", &read(&f.base))));
    assert_conflict(&add(&w.url, &body(0, "", &c1)), size_of(&c1));
    // A witness that follows only the second log answers 404 for the first.
    let w2 = witness_serve(&env.key("w2"), &[&vkey2], &env.path("w2"));
    assert_eq!(add(&w2.url, &body(0, "", &read(&f.base))).0, 404);
    // And one that trusts another key under the first log's name answers 403.
    let rogue = env.key("rogue");
    let rogue_vkey = env
        .ok(&[
            "key",
            "show",
            &rogue,
            "--verifier",
            "--origin",
            "test.example/ledger",
        ])
        .trim()
        .to_string();
    let w3 = witness_serve(&env.key("w3"), &[&rogue_vkey], &env.path("w3"));
    assert_eq!(add(&w3.url, &body(0, "", &read(&f.base))).0, 403);
}

/// Concurrent requests from one cosigned size to several larger ones: exactly one wins each
/// round, and the witness only ever moves forward (the race of tlog-witness).
#[test]
fn concurrent_requests_never_roll_the_witness_back() {
    let env = Env::new();
    env.standard();
    let log = env.key("log");
    env.grant("log", "log");
    let mut cps = vec![env.ok(&["checkpoint", "--key", &log])];
    for s in [
        "GBR", "FRA", "MEX", "DEU", "ITA", "JPN", "NLD", "BEL", "CHE",
    ] {
        env.adherence(s, "2015-10-23");
        cps.push(env.ok(&["checkpoint", "--key", &log]));
    }
    let vkey = env
        .ok(&["key", "show", &log, "--verifier"])
        .trim()
        .to_string();
    let w = witness_serve(&env.key("witness"), &[&vkey], &env.path("w"));
    let proof = |from: u64, to: u64| {
        env.ok(&[
            "consistency",
            "--from",
            &from.to_string(),
            "--to",
            &to.to_string(),
        ])
    };
    assert_cosigned(&add(&w.url, &body(0, "", &cps[0])));
    let mut at = 0usize;
    let mut rounds = 0;
    while at + 1 < cps.len() {
        let old = size_of(&cps[at]);
        // Every later checkpoint at once, each from the cosigned size.
        let bodies: Vec<(usize, String)> = (at + 1..cps.len())
            .map(|j| (j, body(old, &proof(old, size_of(&cps[j])), &cps[j])))
            .collect();
        let results: Vec<(usize, (u16, String, String))> = std::thread::scope(|s| {
            let handles: Vec<_> = bodies
                .iter()
                .map(|(j, b)| {
                    let url = w.url.clone();
                    s.spawn(move || (*j, add(&url, b)))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let winners: Vec<usize> = results
            .iter()
            .filter(|(_, r)| r.0 == 200)
            .map(|(j, _)| *j)
            .collect();
        assert_eq!(winners.len(), 1, "{results:?}");
        let won = winners[0];
        for (_, r) in results.iter().filter(|(j, _)| *j != won) {
            assert_conflict(r, size_of(&cps[won]));
        }
        // The witness is where the winner left it.
        assert_conflict(&add(&w.url, &body(0, "", &cps[won])), size_of(&cps[won]));
        assert!(won > at);
        at = won;
        rounds += 1;
    }
    assert!(rounds >= 1);
}

fn cosig_vkey(env: &Env, key: &str) -> String {
    env.ok(&[
        "key",
        "show",
        key,
        "--verifier",
        "--cosignature",
        "--origin",
        "actledger-witness",
    ])
    .trim()
    .to_string()
}

/// `checkpoint --witness URL=VKEY... --quorum K` publishes only with a quorum, resolving a
/// witness's 409 with a proof from the size it reports; readers check the same policy; a
/// witness that has seen a larger tree stops a forked copy from publishing (exit 1).
#[test]
fn cosigned_checkpoints_are_published_only_with_their_quorum() {
    let f = fork();
    let env = &f.env;
    let log = env.key("log");
    let w2key = env.key("witness2");
    let (v1, v2) = (cosig_vkey(env, &f.witness), cosig_vkey(env, &w2key));
    let v3 = cosig_vkey(env, &env.key("witness3"));
    let w1 = witness_serve(&f.witness, &[&f.vkey], &env.path("w1"));
    let w2 = witness_serve(&w2key, &[&f.vkey], &env.path("w2"));
    let (o1, o2) = (format!("{}={v1}", w1.url), format!("{}={v2}", w2.url));
    env.adherence("NLD", "2015-10-23");
    // The witnesses have never seen this log: the first guess (the last stored checkpoint)
    // gets a 409 with 0, and the second request succeeds.
    let cp = env.ok(&[
        "checkpoint",
        "--key",
        &log,
        "--witness",
        &o1,
        "--witness",
        &o2,
        "--quorum",
        "2",
    ]);
    assert_eq!(cp.matches('\u{2014}').count(), 3, "{cp}");
    assert_eq!(env.ok(&["checkpoint", "--latest"]), cp);
    let size = size_of(&cp);
    let proof = write(env, "p", &env.ok(&["prove", &(size - 1).to_string()]));
    let vp = |extra: &[&str]| {
        let mut v = vec!["verify-proof", "--vkey", &f.vkey, &proof];
        v.extend_from_slice(extra);
        v.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let args = vp(&["--witness", &v1, "--witness", &v2, "--quorum", "2"]);
    let out = env.ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.matches("cosigned by witness").count(), 2, "{out}");
    let args = vp(&["--witness", &v1, "--witness", &v3, "--quorum", "2"]);
    let err = env.fails(1, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(err.contains("quorum"), "{err}");
    let args = vp(&["--witness", &v1, "--witness", &v3, "--quorum", "1"]);
    env.ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    // The snapshot carries the cosigned checkpoint, and verify-snapshot takes the policy.
    let snap = env.path("snap");
    env.ok(&["export", "snapshot", "--out", snap.to_str().unwrap()]);
    let s = snap.to_str().unwrap();
    env.ok(&[
        "verify-snapshot",
        s,
        "--vkey",
        &f.vkey,
        "--witness",
        &v1,
        "--witness",
        &v2,
    ]);
    env.fails(
        1,
        &["verify-snapshot", s, "--vkey", &f.vkey, "--witness", &v3],
    );

    // One witness down: quorum 2 stops publication (nothing stored), quorum 1 goes on.
    drop(w2);
    env.adherence("BEL", "2015-10-23");
    let err = env.fails(
        2,
        &[
            "checkpoint",
            "--key",
            &log,
            "--witness",
            &o1,
            "--witness",
            &o2,
            "--quorum",
            "2",
        ],
    );
    assert!(err.contains("not published"), "{err}");
    assert_eq!(env.ok(&["checkpoint", "--latest"]), cp);
    let cp2 = env.ok(&[
        "checkpoint",
        "--key",
        &log,
        "--witness",
        &o1,
        "--witness",
        &o2,
        "--quorum",
        "1",
    ]);
    assert_eq!(size_of(&cp2), size + 1);
    assert_eq!(cp2.matches('\u{2014}').count(), 2, "{cp2}");

    // The fork (same keys, size n + 1, another root) asks w1, which has cosigned size n + 3
    // of the main log: refused as evidence against the log, nothing published.
    let fork_dir = env.path("fork");
    let err = env.fails(
        1,
        &[
            "--ledger",
            fork_dir.to_str().unwrap(),
            "checkpoint",
            "--key",
            &log,
            "--witness",
            &o1,
        ],
    );
    assert!(err.contains("larger than this checkpoint"), "{err}");
}

/// The state file of earlier versions (`KEYFILE.witness.json`) is taken over: a witness that
/// cosigned one side before the upgrade still refuses the other.
#[test]
fn witness_cosign_takes_over_the_old_state_file() {
    let f = fork();
    let a = read(&f.a);
    let mut lines = a.lines();
    let (origin, size, root) = (
        lines.next().unwrap(),
        lines.next().unwrap(),
        lines.next().unwrap(),
    );
    std::fs::write(
        format!("{}.witness.json", f.witness),
        format!(r#"{{"logs": {{"{origin}": {{"size": {size}, "root": "{root}"}}}}}}"#),
    )
    .unwrap();
    let err = f.env.fails(
        1,
        &[
            "witness", "cosign", "--key", &f.witness, "--vkey", &f.vkey, &f.b,
        ],
    );
    assert!(err.contains("fork"), "{err}");
    // Taken over into the state directory, which now refuses it too.
    let state = std::fs::read_to_string(format!("{}.witness/state.json", f.witness)).unwrap();
    assert!(state.contains(root), "{state}");
    f.env.ok(&[
        "witness", "cosign", "--key", &f.witness, "--vkey", &f.vkey, &f.a,
    ]);
}

/// `serve --witness`: the witnesses are asked without the ledger's lock, so a read that needs
/// the ledger is answered while a witness has not answered yet (it used to wait for the
/// witness, up to the client's 10 s timeout).
#[test]
fn serve_answers_reads_while_a_witness_has_not_answered() {
    let env = Env::new();
    env.standard();
    let log = env.key("log");
    env.grant("log", "log");
    let wvkey = cosig_vkey(&env, &env.key("w"));
    // The witness answers 404 at first (the server starts without a quorum), then never.
    let slow = net::Server::new(net::Mode::Files(env.path("nothing")));
    let served = net::actledger_serve(
        &env.ledger(),
        &[
            "--log-key",
            &log,
            "--witness",
            &format!("{}={wvkey}", slow.url),
            "--quorum",
            "1",
        ],
    );
    slow.set(net::Mode::Stall);
    let client = actledger_http::client::Client::new(std::time::Duration::from_secs(60), 1 << 20);
    let url = served.url.clone();
    let c = client.clone();
    let post = std::thread::spawn(move || {
        c.post(
            &actledger_http::client::join(&url, "checkpoint"),
            "text/plain",
            b"",
        )
        .unwrap()
        .status
    });
    while !slow.was_requested("add-checkpoint") {
        assert!(!post.is_finished(), "POST /checkpoint ended before asking");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let r = client
        .get(&actledger_http::client::join(&served.url, "entries?from=0"))
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        !post.is_finished(),
        "the read was answered only once the witness had been given up"
    );
    // No quorum: not published.
    assert_eq!(post.join().unwrap(), 503);
}
