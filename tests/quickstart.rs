//! The README quick start, run as a new user would.
#![allow(clippy::unwrap_used)]

mod util;

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
    env.standard();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{} log | head -1",
            assert_cmd::cargo::cargo_bin("actledger").display()
        ))
        .env("ACTLEDGER_DIR", env.ledger())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}
