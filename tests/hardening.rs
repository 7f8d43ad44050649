//! What an attacker with a shell on the same machine would try (issue 16): secrets and file
//! contents never echoed, every quoted value bounded, output never written through a planted
//! link, inputs that are not regular files refused at once, snapshots atomic, absurd flag
//! values refused cleanly, and usage errors that fit on a line.
#![allow(clippy::unwrap_used)]

mod synth;
mod util;

use std::path::Path;
use std::process::Output;

use util::Env;

/// The bytes of stdout and stderr together.
fn all(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The base64 seed line of a key file.
fn seed_of(key_file: &str) -> String {
    let text = std::fs::read_to_string(key_file).unwrap();
    text.lines().nth(1).unwrap().trim().to_string()
}

fn mkfifo(p: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(p)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo {}", p.display());
}

/// The four commands that take `--vkey`, each given `vkey`, with the other arguments real.
fn vkey_commands(env: &Env, vkey: &str) -> Vec<Vec<String>> {
    let s = |x: &str| x.to_string();
    let p = |n: &str| env.path(n).to_str().unwrap().to_string();
    vec![
        vec![s("verify-proof"), s("--vkey"), s(vkey), p("proof")],
        vec![
            s("verify-consistency"),
            s("--vkey"),
            s(vkey),
            p("cp"),
            p("cp"),
            p("proof"),
        ],
        vec![s("verify-snapshot"), p("snap"), s("--vkey"), s(vkey)],
        vec![
            s("witness"),
            s("cosign"),
            s("--key"),
            env.key("witness"),
            s("--vkey"),
            s(vkey),
            p("cp"),
        ],
    ]
}

fn setup_offline(env: &Env) {
    env.with_checkpoint();
    env.ok(&["prove", "--state", "FRA", "--out", "proof"]);
    std::fs::write(env.path("cp"), env.ok(&["checkpoint", "--latest"])).unwrap();
    env.ok(&["export", "snapshot", "--out", "snap"]);
}

#[test]
fn a_vkey_file_is_never_echoed_and_a_private_key_is_recognised() {
    let env = Env::new();
    setup_offline(&env);
    // A private key given by mistake: named as such, and its seed never shown.
    let log = env.key("log");
    let seed = seed_of(&log);
    for args in vkey_commands(&env, &log) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", all(&out));
        let text = all(&out);
        assert!(!text.contains(&seed), "{args:?} printed the seed: {text}");
        assert!(
            text.contains(
                "this is a private key; pass the verifier key from `actledger key show --verifier"
            ),
            "{args:?}: {text}"
        );
        assert_eq!(text.lines().count(), 1, "{args:?}: {text}");
    }
    // Any other file, here 5 MB: refused in a bounded line that shows none of it.
    let big = env.path("big");
    std::fs::write(&big, "Z".repeat(5 << 20)).unwrap();
    let small = env.path("small");
    std::fs::write(&small, "not a key ZZZZ\n").unwrap();
    for file in [&big, &small] {
        for args in vkey_commands(&env, file.to_str().unwrap()) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = env.run(&args);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", all(&out));
            let text = all(&out);
            assert!(text.len() < 400, "{args:?}: {} bytes of error", text.len());
            assert!(!text.contains("ZZZZ"), "{args:?} echoed the file: {text}");
        }
    }
    // An inline value is quoted, bounded.
    let long = "x".repeat(5000);
    let err = env.fails(2, &["verify-proof", "--vkey", &long, "proof"]);
    assert!(err.len() < 400, "{} bytes: {err}", err.len());
}

#[test]
fn a_five_kilobyte_csv_field_is_quoted_bounded() {
    let env = Env::new();
    env.standard();
    let dep = env.key("dep");
    let rec = env.key("rec");
    let big = "X".repeat(5000);
    for (kind, key, text) in [
        (
            "supporters",
            &dep,
            format!("state,iso3,date_of_adherence,listed_as_supporter_by,note,source\nFrance,{big},2015-10-23,,,s\n"),
        ),
        (
            "supporters",
            &dep,
            format!("state,iso3,date_of_adherence,listed_as_supporter_by,note,source\nFrance,FRA,{big},,,s\n"),
        ),
        (
            "members",
            &rec,
            format!("year,member_state,iso3,seat,note,source\n2022,France,FRA,{big},,s\n"),
        ),
        // A text column checked after its rows are grouped: the value is the one refused
        // (it used to print `value ""`).
        (
            "holidays",
            &rec,
            format!("date,name,year,source\n2022-01-17,{big},2022,s\n"),
        ),
    ] {
        std::fs::write(env.path("in.csv"), text).unwrap();
        let err = env.fails(2, &["import", kind, "in.csv", "--key", key, "--dry-run"]);
        assert!(err.len() < 400, "{kind}: {} bytes: {err}", err.len());
        assert!(err.contains("(5000 bytes)"), "{kind}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

/// `key list` only reads: it opens the ledger read-only, so it never upgrades (writes) a
/// ledger of an earlier layout.
#[test]
fn key_list_opens_the_ledger_read_only() {
    let env = Env::new();
    env.standard();
    let set_layout = |v: u8| {
        let db = synth::open_db(&env.ledger());
        db.open_tree("meta")
            .unwrap()
            .insert("layout", &[v])
            .unwrap();
        db.flush().unwrap();
    };
    // Layout 3 (no checkpoints): readable as it is, upgraded to 4 by any writing open.
    set_layout(3);
    let out = env.ok(&["key", "list"]);
    assert!(out.contains("administrator"), "{out}");
    let db = synth::open_db(&env.ledger());
    let layout = db
        .open_tree("meta")
        .unwrap()
        .get("layout")
        .unwrap()
        .unwrap();
    assert_eq!(layout.as_ref(), [3], "key list wrote to the ledger");
}

#[test]
fn a_fifo_or_a_directory_as_an_input_is_refused_at_once() {
    let env = Env::new();
    setup_offline(&env);
    let vkey = env.path("vkey");
    let vkey = vkey.to_str().unwrap();
    let fifo = env.path("fifo");
    mkfifo(&fifo);
    let f = fifo.to_str().unwrap();
    // No writer ever opens the FIFO: a command that opened it to read would block forever
    // (the test would hang rather than fail).
    let cases: Vec<Vec<&str>> = vec![
        vec!["verify-proof", "--vkey", vkey, f],
        vec!["verify-proof", "--vkey", f, "proof"],
        vec!["verify-consistency", "--vkey", vkey, f, "cp", "proof"],
        vec!["verify-consistency", "--vkey", vkey, "cp", "cp", f],
        vec!["import", "supporters", f, "--key", "dep.key", "--dry-run"],
        vec!["supporters", "diff", f],
        vec!["checkpoint", "--key", f],
    ];
    for args in &cases {
        let err = env.fails(2, args);
        assert!(err.contains("not a regular file"), "{args:?}: {err}");
    }
    let err = env.fails(2, &["verify-proof", "--vkey", vkey, "snap"]);
    assert!(err.contains("not a regular file (a directory)"), "{err}");
    // A snapshot whose files are FIFOs.
    for name in ["checkpoint", "entries", "README.md"] {
        let s = env.path(&format!("snap-{name}"));
        env.ok(&["export", "snapshot", "--out", s.to_str().unwrap()]);
        std::fs::remove_file(s.join(name)).unwrap();
        mkfifo(&s.join(name));
        let err = env.fails(1, &["verify-snapshot", s.to_str().unwrap(), "--vkey", vkey]);
        assert!(err.contains(name) && err.contains("regular file"), "{err}");
    }
    // A proof over the size limit.
    std::fs::write(env.path("huge"), vec![b'a'; (1 << 20) + 1]).unwrap();
    let err = env.fails(2, &["verify-proof", "--vkey", vkey, "huge"]);
    assert!(err.contains("limit"), "{err}");
}

#[test]
fn outputs_are_never_written_through_a_link() {
    let env = Env::new();
    env.with_checkpoint();
    let victim = env.path("victim");
    std::fs::write(&victim, "precious").unwrap();
    let link = |name: &str| {
        let p = env.path(name);
        std::os::unix::fs::symlink(&victim, &p).unwrap();
        p.to_str().unwrap().to_string()
    };
    // The output path itself is a link: refused.
    for (args, name) in [
        (vec!["export", "html", "--out"], "page.html"),
        (vec!["prove", "1", "--out"], "p.proof"),
        (vec!["export", "snapshot", "--out"], "snapdir"),
        (vec!["export", "tiles", "--out"], "tilesdir"),
    ] {
        let p = link(name);
        let mut args = args.clone();
        args.push(&p);
        let err = env.fails(2, &args);
        assert!(err.contains("symbolic link"), "{args:?}: {err}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    }
    // Links planted under the temporary names an earlier version used (`.NAME.tmp-PID`, for
    // the next few process ids) and inside a tiles folder: never written through.
    let pid = std::process::id();
    for name in ["out.html", "checkpoint", "entries", "supporters.json"] {
        for p in pid..pid + 200 {
            let _ = std::os::unix::fs::symlink(&victim, env.path(&format!(".{name}.tmp-{p}")));
        }
    }
    env.ok(&["export", "html", "--out", "out.html"]);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    std::fs::create_dir_all(env.path("tiles")).unwrap();
    std::os::unix::fs::symlink(env.path("elsewhere"), env.path("tiles/tile")).unwrap();
    std::fs::create_dir(env.path("elsewhere")).unwrap();
    let err = env.fails(2, &["export", "tiles", "--out", "tiles"]);
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_dir(env.path("elsewhere")).unwrap().count(), 0);
}

#[test]
fn a_huge_wait_is_capped_not_a_panic() {
    let env = Env::new();
    env.standard();
    let out = env.run(&["--wait", "9223372036854775807", "verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    let out = env.run(&["--wait", "18446744073709551615", "log"]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    assert!(!all(&out).contains("panicked"));
}

#[test]
fn a_usage_error_is_one_line_and_a_hint() {
    let env = Env::new();
    for args in [
        vec!["--no-such-flag"],
        vec!["verify", "--bogus"],
        vec!["nonsense"],
        vec!["prove"],
        vec!["--wait", "soon", "verify"],
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 2, "{args:?}: {err}");
        assert!(lines[0].starts_with("error: "), "{args:?}: {err}");
        assert!(lines[1].contains("--help"), "{args:?}: {err}");
    }
}

#[test]
fn a_snapshot_checkpoint_signed_by_a_key_without_the_log_role_is_refused() {
    use actledger_core::checkpoint::Checkpoint;
    use actledger_core::note::{KeyName, Note};
    let env = Env::new();
    env.with_checkpoint();
    env.ok(&["export", "snapshot", "--out", "snap"]);
    let note = Note::parse(&std::fs::read_to_string(env.path("snap/checkpoint")).unwrap()).unwrap();
    let cp = Checkpoint::from_note(&note).unwrap();
    // The same checkpoint, signed by a key the log never granted anything, and by one with
    // another role (recorder): each signature matches the --vkey given.
    for name in ["rogue", "rec"] {
        let file = env.key(name);
        let key =
            actledger_core::SigningKey::from_key_file(&std::fs::read_to_string(&file).unwrap())
                .unwrap();
        let forged = cp
            .sign(&KeyName::new(cp.origin()).unwrap(), &key)
            .unwrap()
            .to_string();
        std::fs::write(env.path("snap/checkpoint"), forged).unwrap();
        let vkey = env.ok(&["key", "show", &file, "--verifier"]);
        let err = env.fails(1, &["verify-snapshot", "snap", "--vkey", vkey.trim()]);
        assert!(err.contains("does not hold the log role"), "{name}: {err}");
    }
}
