//! The README quick start, run as a new user would.
#![allow(clippy::unwrap_used)]

mod util;

use std::os::unix::fs::FileTypeExt as _;

use util::Env;

#[test]
fn readme_quick_start() {
    let env = Env::new();
    // Keys: the output of `key new` is the public key, and the file is private.
    let admin = env.key("admin");
    let mode = std::fs::metadata(&admin).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(mode.permissions().mode() & 0o777, 0o600);
    let shown = env.ok(&["key", "show", &admin]);
    assert_eq!(shown.trim().len(), 64);
    let secret_line = std::fs::read_to_string(&admin)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_string();
    assert!(!shown.contains(&secret_line));

    env.standard();
    let dep = env.key("dep");
    let rec = env.key("rec");
    env.ok(&[
        "record",
        "--key",
        &dep,
        "adherence",
        "--state",
        "GBR",
        "--date",
        "2015-10-01",
        "--source",
        "https://example.org/uk",
    ]);
    env.ok(&[
        "record",
        "--key",
        &dep,
        "adherence",
        "--state",
        "FRA",
        "--listed-by",
        "2015-10-23",
        "--instrument",
        "unspecified",
        "--source",
        "https://example.org/fr",
    ]);
    let out = env.ok(&[
        "record",
        "--key",
        &rec,
        "vote",
        "--draft",
        "S/2022/720",
        "--date",
        "2022-09-30",
        "--meeting",
        "S/PV.9143",
        "--yes",
        "FRA,GBR,USA,ALB,GHA,IRL,KEN,MEX,NOR,ARE",
        "--no",
        "RUS",
        "--abstain",
        "CHN,BRA,GAB,IND",
        "--source",
        "https://press.un.org/en/2022/sc15046.doc.htm",
    ]);
    assert!(out.contains("recorded seq"), "{out}");

    let (events, head) = env.verify();
    assert_eq!(events, 4 + 15 + 2 + 1);
    assert_eq!(head.len(), 64);
    let text = env.ok(&["verify"]);
    assert!(
        text.starts_with(&format!("ok: {events} events verified, head {head}")),
        "{text}"
    );

    let list: serde_json::Value = serde_json::from_str(&env.ok(&["supporters", "--json"])).unwrap();
    assert_eq!(list["type"], "supporters");
    let states: Vec<&str> = list["supporters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["FRA", "GBR"]);
    let as_of: serde_json::Value =
        serde_json::from_str(&env.ok(&["supporters", "--as-of", "2015-10-15", "--json"])).unwrap();
    assert_eq!(as_of["count"], 1);

    let log = env.ok(&["log", "--json"]);
    assert_eq!(log.lines().count() as u64, events);
    let last: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!(last["kind"], "CouncilVote");
    assert_eq!(last["hash"], head.as_str());
    let human = env.ok(&["log", "--from", "21"]);
    assert!(
        human.contains("S/2022/720 on 2022-09-30: 10-1-4 vetoed by RUS"),
        "{human}"
    );
}

#[test]
fn closed_pipe_is_not_an_error() {
    let env = Env::new();
    env.ok(&["demo", "--ledger", "ledger"]);
    let bin = assert_cmd::cargo::cargo_bin("actledger");
    // `log --json` of the real data is far larger than a pipe buffer (64 KiB): the writer is
    // still writing when `head` exits. With pipefail the shell reports actledger's status.
    let size = env.ok(&["log", "--json"]).len();
    assert!(size > 4 << 16, "{size} bytes");
    for args in ["log --json", "log", "compliance --all --json"] {
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "set -o pipefail; {} {args} | head -c 10 >/dev/null",
                bin.display()
            ))
            .env("ACTLEDGER_DIR", env.ledger())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args}: {err}");
        assert!(err.is_empty(), "{args}: {err}");
    }
}

#[test]
fn a_failed_write_is_exit_2() {
    let env = Env::new();
    env.ok(&["demo", "--ledger", "ledger"]);
    let key = env.key("k");
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    for args in [
        vec!["key", "show", key.as_str()],
        vec!["log"],
        vec!["log", "--json"],
        vec!["verify"],
        vec!["supporters", "--json"],
        vec!["compliance", "--all"],
    ] {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("actledger"))
            .args(&args)
            .env("ACTLEDGER_DIR", env.ledger())
            .current_dir(env.path(""))
            .stdout(full())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("cannot write the output"), "{args:?}: {err}");
    }
    // An output file that cannot be written: a device is refused, not replaced.
    let err = env.fails(2, &["export", "html", "--out", "/dev/full"]);
    assert!(err.contains("not a regular file"), "{err}");
    assert!(std::fs::metadata("/dev/full")
        .unwrap()
        .file_type()
        .is_char_device());
}
