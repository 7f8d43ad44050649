//! Private keys: created 0600 whatever the umask, refused when any group or other permission
//! bit is set (or when the path is not a regular file), and never printed: every command that
//! reads a key, on success and on error, is run and its whole output searched for the secret.
//! (tests/bad_input.rs checks one world-readable refusal; this is the full sweep.)
#![allow(clippy::unwrap_used)]

mod util;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

use actledger_core::SigningKey;
use base64::Engine as _;
use util::Env;

/// The forms in which a key file's secret could leak: the base64 line, and the 32-byte seed as
/// lower- and upper-case hex.
fn secret_forms(key_file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(key_file).unwrap();
    let line = text.lines().nth(1).unwrap().trim().to_string();
    let seed = base64::engine::general_purpose::STANDARD
        .decode(&line)
        .unwrap();
    assert_eq!(seed.len(), 32);
    vec![line, hex::encode(&seed), hex::encode_upper(&seed)]
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn key_files_are_created_0600_whatever_the_umask() {
    let env = Env::new();
    for umask in ["000", "022", "077"] {
        let out = env.path(&format!("umask{umask}.key"));
        let script = format!(
            "umask {umask}; exec {} key new --out {}",
            assert_cmd::cargo::cargo_bin("actledger").display(),
            out.display()
        );
        let r = std::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .output()
            .unwrap();
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        assert_eq!(mode(&out), 0o600, "umask {umask}");
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.starts_with("actledger-ed25519-secret-key-v1\n"));
        // The public key is printed, the secret is not.
        let stdout = String::from_utf8(r.stdout).unwrap();
        assert_eq!(stdout.trim().len(), 64);
        for s in secret_forms(&out) {
            assert!(!stdout.contains(&s));
        }
    }
}

#[test]
fn key_files_others_may_access_or_that_are_not_files_are_refused() {
    let env = Env::new();
    let k = std::path::PathBuf::from(env.key("k"));
    let secrets = secret_forms(&k);
    // Every group and other permission bit on its own, and the usual mistakes.
    for m in [
        0o640,
        0o620,
        0o610,
        0o604,
        0o602,
        0o601,
        0o644,
        0o660,
        0o666,
        0o777,
        0o700 | 0o040,
    ] {
        std::fs::set_permissions(&k, std::fs::Permissions::from_mode(m)).unwrap();
        let err = env.fails(2, &["key", "show", k.to_str().unwrap()]);
        assert!(err.contains("readable by group or others"), "{m:o}: {err}");
        assert!(err.contains(&format!("chmod 600 {}", k.display())), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        for s in &secrets {
            assert!(!err.contains(s), "mode {m:o}: the error shows the secret");
        }
    }
    // 0400 (read-only for the owner) is fine.
    std::fs::set_permissions(&k, std::fs::Permissions::from_mode(0o400)).unwrap();
    env.ok(&["key", "show", k.to_str().unwrap()]);
    // A symlink is judged by its target.
    std::fs::set_permissions(&k, std::fs::Permissions::from_mode(0o644)).unwrap();
    let link = env.path("link.key");
    std::os::unix::fs::symlink(&k, &link).unwrap();
    let err = env.fails(2, &["key", "show", link.to_str().unwrap()]);
    assert!(err.contains("readable by group or others"), "{err}");
    std::fs::set_permissions(&k, std::fs::Permissions::from_mode(0o600)).unwrap();
    // A directory, a FIFO (must not block) and a huge file are not key files.
    let d = env.path("dir.key");
    std::fs::create_dir(&d).unwrap();
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).unwrap();
    let err = env.fails(2, &["key", "show", d.to_str().unwrap()]);
    assert!(err.contains("not a regular file"), "{err}");
    let fifo = env.path("fifo.key");
    let r = std::process::Command::new("mkfifo")
        .arg("-m")
        .arg("600")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(r.success());
    let err = env.fails(2, &["key", "show", fifo.to_str().unwrap()]);
    assert!(err.contains("not a regular file"), "{err}");
    let big = env.path("big.key");
    std::fs::write(&big, vec![b'A'; 1 << 20]).unwrap();
    std::fs::set_permissions(&big, std::fs::Permissions::from_mode(0o600)).unwrap();
    let err = env.fails(2, &["key", "show", big.to_str().unwrap()]);
    assert!(err.contains("not an actledger key file"), "{err}");
}

fn all_output(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn no_command_ever_prints_a_secret() {
    let env = Env::new();
    let (admin, dep, rec, other) = (
        env.key("admin"),
        env.key("dep"),
        env.key("rec"),
        env.key("x"),
    );
    let mut secrets = Vec::new();
    for k in [&admin, &dep, &rec, &other] {
        secrets.extend(secret_forms(Path::new(k)));
    }
    let members = format!("{}/../../data/sc_members.csv", env!("CARGO_MANIFEST_DIR"));
    let supporters = format!("{}/../../data/supporters.csv", env!("CARGO_MANIFEST_DIR"));
    let bad_csv = env.path("bad.csv");
    std::fs::write(
        &bad_csv,
        "iso3,date_of_adherence,listed_as_supporter_by,source\nXXX,,2015-01-01,s\n",
    )
    .unwrap();
    let bad_csv = bad_csv.to_str().unwrap().to_string();
    let adherence = |key: &str, state: &str| -> Vec<String> {
        [
            "record",
            "--key",
            key,
            "adherence",
            "--state",
            state,
            "--date",
            "2015-10-01",
            "--source",
            "s",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let grant = |key: &str, from: &str, role: &str| -> Vec<String> {
        util::grant_args(key, from, role, "h")
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // (arguments, expected exit code): successes and failures of every key-reading command.
    let runs: Vec<(Vec<String>, i32)> = vec![
        (v(&["key", "show", &admin]), 0),
        (v(&["key", "show", &admin, "--json"]), 0),
        (
            v(&[
                "record",
                "--key",
                &admin,
                "adherence",
                "--state",
                "FRA",
                "--date",
                "2015-10-01",
                "--source",
                "s",
            ]),
            2,
        ), // no ledger yet
        (
            v(&["init", "--origin", "keys.example/l", "--admin-key", &admin]),
            0,
        ),
        (
            v(&["init", "--origin", "keys.example/l", "--admin-key", &admin]),
            2,
        ), // exists
        (grant(&admin, &dep, "depositary"), 0),
        (grant(&admin, &rec, "recorder"), 0),
        (grant(&dep, &other, "recorder"), 2), // not an administrator
        (grant(&admin, &other, "assessor"), 0),
        (
            v(&[
                "key",
                "revoke",
                "--key",
                &admin,
                "--public-from",
                &other,
                "--reason",
                "test",
            ]),
            0,
        ),
        (
            v(&[
                "key",
                "revoke",
                "--key",
                &admin,
                "--public-from",
                &other,
                "--reason",
                "again",
            ]),
            2,
        ),
        (v(&["key", "list"]), 0),
        (v(&["key", "list", "--json"]), 0),
        (adherence(&dep, "FRA"), 0),
        (adherence(&dep, "FRA"), 2),   // second adherence
        (adherence(&rec, "GBR"), 2),   // no depositary role
        (adherence(&other, "GBR"), 2), // revoked
        (v(&["import", "members", &members, "--key", &rec]), 0),
        (
            v(&["import", "members", &members, "--key", &rec, "--json"]),
            0,
        ),
        (v(&["import", "supporters", &supporters, "--key", &rec]), 2), // wrong role
        (
            v(&[
                "import",
                "supporters",
                &supporters,
                "--key",
                &dep,
                "--dry-run",
            ]),
            0,
        ),
        (v(&["import", "supporters", &bad_csv, "--key", &dep]), 2),
        (v(&["log"]), 0),
        (v(&["log", "--json"]), 0),
        (v(&["verify", "--json"]), 0),
    ];
    let mut checked = 0;
    for (args, code) in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = env.run(&args);
        assert_eq!(
            out.status.code(),
            Some(*code),
            "{args:?}: {}",
            all_output(&out)
        );
        let text = all_output(&out);
        for s in &secrets {
            assert!(!text.contains(s), "{args:?} printed a secret:\n{text}");
        }
        checked += 1;
    }
    // A key whose permissions are wrong, for every command that reads one.
    std::fs::set_permissions(&dep, std::fs::Permissions::from_mode(0o644)).unwrap();
    for args in [
        adherence(&dep, "DEU"),
        grant(&admin, &dep, "recorder"),
        v(&["import", "supporters", &supporters, "--key", &dep]),
        v(&["key", "show", &dep]),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let text = all_output(&out);
        for s in &secrets {
            assert!(!text.contains(s), "{args:?} printed a secret:\n{text}");
        }
        checked += 1;
    }
    // demo writes its own keys: its text and JSON output show none of them.
    for json in [false, true] {
        let dir = env.path(if json { "demo-json" } else { "demo" });
        let mut args = vec!["demo", "--ledger", dir.to_str().unwrap()];
        if json {
            args.push("--json");
        }
        let out = env.run(&args);
        assert!(out.status.success(), "{}", all_output(&out));
        let text = all_output(&out);
        let mut n = 0;
        for entry in std::fs::read_dir(dir.join("keys")).unwrap() {
            let p = entry.unwrap().path();
            assert_eq!(mode(&p), 0o600, "{}", p.display());
            for s in secret_forms(&p) {
                assert!(
                    !text.contains(&s),
                    "demo printed the secret of {}",
                    p.display()
                );
            }
            n += 1;
        }
        assert!(n >= 4, "demo keys: {n}");
        checked += 1;
    }
    eprintln!("keys: {checked} command runs, no secret in any output");
}

#[test]
fn debug_of_a_signing_key_shows_only_the_public_key() {
    let k = SigningKey::from_seed(&[0x5a; 32]);
    let file = k.to_key_file();
    let debug = format!("{k:?} {:#?}", k);
    let seed_hex = hex::encode([0x5a; 32]);
    assert!(!debug.contains(file.lines().nth(1).unwrap()), "{debug}");
    assert!(!debug.contains(&seed_hex), "{debug}");
    assert!(!debug.contains("90, 90, 90"), "{debug}"); // the seed as a byte list
    assert!(debug.contains(&k.public().to_hex()), "{debug}");
}
