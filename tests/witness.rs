//! Witnesses never cosign a fork: the file-based `witness cosign` under concurrent runs, and
//! (below) the C2SP tlog-witness server over real HTTP.
#![allow(clippy::unwrap_used)]

mod util;

use std::path::Path;
use std::process::Stdio;

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
    let admin = env.key("admin");
    let log = env.key("log");
    env.ok(&[
        "key",
        "grant",
        "--key",
        &admin,
        "--public-from",
        &log,
        "--role",
        "log",
        "--holder",
        "log",
    ]);
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
    let dep = env.key("dep");
    let in_fork = |args: &[&str]| {
        let mut v = vec!["--ledger", fork_dir.to_str().unwrap()];
        v.extend_from_slice(args);
        env.ok(&v)
    };
    in_fork(&[
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
    ]);
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
