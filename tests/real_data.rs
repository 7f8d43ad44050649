//! End to end over the embedded real data: `demo` builds the ledger, and the projection
//! commands answer with facts a reader can confirm in the sources.
#![allow(clippy::unwrap_used)]

mod util;

use serde_json::Value;
use util::Env;

fn demo() -> Env {
    let env = Env::new();
    let out = env.ok(&["demo"]);
    assert!(out.contains("Verified   "), "{out}");
    env
}

fn json(env: &Env, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    let out = env.ok(&a);
    assert_eq!(out.lines().count(), 1, "one JSON object: {out}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn demo_report_names_what_it_built() {
    let env = Env::new();
    let out = env.ok(&["demo"]);
    for needle in [
        "Supporters recorded: 38",
        "Security Council on",
        "Veto initiative (GA res. 76/262)",
        "What the data does not cover",
        "The supporter list is partial",
        &format!("export ACTLEDGER_DIR={}", env.ledger().display()),
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    assert!(
        out.lines()
            .any(|l| l.contains("S/2022/720 ") && l.contains(" RUS ") && l.contains("10-1-4")),
        "{out}"
    );
    // The keys are there, private, and usable.
    use std::os::unix::fs::PermissionsExt;
    for role in ["administrator", "depositary", "recorder", "assessor", "log"] {
        let k = env.ledger().join("keys").join(format!("{role}.key"));
        assert_eq!(
            std::fs::metadata(&k).unwrap().permissions().mode() & 0o777,
            0o600,
            "{role}"
        );
    }
    let (n, _) = env.verify();
    assert_eq!(n, 1 + 4 + 180 + 38 + 40 + 38 + 17 + 4);
    // A second demo into the same directory is refused.
    let err = env.fails(2, &["demo"]);
    assert!(err.contains("already holds a ledger"), "{err}");
    // demo --json is one object with the same facts.
    let other = Env::new();
    let v = json(&other, &["demo"]);
    assert_eq!(v["type"], "demo");
    assert_eq!(v["supporters"]["count"], 38);
}

#[test]
fn supporters_and_non_supporters() {
    let env = demo();
    let list = json(&env, &["supporters"]);
    let codes: Vec<&str> = list["supporters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].as_str().unwrap())
        .collect();
    for s in ["FRA", "GBR"] {
        assert!(codes.contains(&s), "{s} should be a supporter");
    }
    for s in ["CHN", "RUS", "USA"] {
        assert!(!codes.contains(&s), "{s} is not a supporter");
    }
    let gbr = list["supporters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["state"] == "GBR")
        .unwrap();
    assert_eq!(gbr["date"], "2015-10-01");
    assert_eq!(gbr["precision"], "exact");
    assert!(gbr["seq"].as_u64().is_some());
    // Before the launch, only those listed by 2015-09-01.
    let early = json(&env, &["supporters", "--as-of", "2015-09-30"]);
    assert_eq!(early["count"], 29);
}

#[test]
fn s_2022_720_was_vetoed_by_russia_with_ten_in_favour() {
    let env = demo();
    let votes = json(&env, &["votes", "--vetoed"]);
    let v = votes["votes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["draft"] == "S/2022/720")
        .unwrap();
    assert_eq!(v["result"]["tally"]["yes"], 10);
    assert_eq!(v["result"]["tally"]["no"], 1);
    assert_eq!(v["result"]["tally"]["abstain"], 4);
    assert_eq!(v["result"]["outcome"]["result"], "vetoed");
    assert_eq!(v["result"]["outcome"]["by"], serde_json::json!(["RUS"]));
    assert_eq!(v["date"], "2022-09-30");
    assert_eq!(votes["votes"].as_array().unwrap().len(), 38);
}

#[test]
fn council_and_veto_initiative_on_real_data() {
    let env = demo();
    let c = json(&env, &["council", "--on", "2022-09-30"]);
    assert_eq!(c["count"], 15);
    assert_eq!(c["complete"], true);
    let vi = json(&env, &["veto-initiative"]);
    assert_eq!(vi["rule_in_force_from"], "2022-04-26");
    assert_eq!(vi["calendar"]["name"], "UN Headquarters (New York)");
    let rec = vi["vetoes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["draft"] == "S/2022/720")
        .unwrap();
    assert_eq!(rec["status"], "held");
    assert_eq!(rec["meetings"][0]["date"], "2022-10-10");
    let early = vi["vetoes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["draft"] == "S/2015/508")
        .unwrap();
    assert_eq!(early["status"], "rule-not-in-force");
}

#[test]
fn projections_are_deterministic() {
    let env = demo();
    for args in [
        vec!["supporters"],
        vec!["council", "--on", "2024-04-18"],
        vec!["compliance"],
        vec!["veto-initiative"],
        vec!["scorecard", "--states", "FRA,GBR,CHN"],
    ] {
        let mut a = args.clone();
        a.push("--json");
        assert_eq!(env.ok(&a), env.ok(&a), "{args:?}");
    }
}

#[test]
fn veto_initiative_with_a_holiday_file() {
    let env = demo();
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/un_holidays.csv");
    let vi = json(
        &env,
        &[
            "veto-initiative",
            "--holidays",
            file,
            "--complete-years",
            "2024",
        ],
    );
    assert!(
        vi["calendar"]["name"]
            .as_str()
            .unwrap()
            .starts_with("file "),
        "{}",
        vi["calendar"]
    );
    let years = vi["calendar"]["years"].as_array().unwrap();
    let y2024 = years.iter().find(|y| y["year"] == 2024).unwrap();
    assert_eq!(y2024["complete"], true);
    assert_eq!(y2024["seq"], u64::MAX, "a file's calendar cites no event");
    let y2017 = years.iter().find(|y| y["year"] == 2017).unwrap();
    assert_eq!(y2017["complete"], false);
    // S/2024/239: vetoed 22 March 2024, meeting 8 April 2024; Good Friday (29 March) is a UN
    // holiday in the file, so the meeting came on working day 10: held.
    let rec = vi["vetoes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["draft"] == "S/2024/239")
        .unwrap();
    assert_eq!(rec["meetings"][0]["count"]["working_days"], 10);
    assert_eq!(
        rec["meetings"][0]["count"]["holidays"],
        serde_json::json!(["2024-03-29"])
    );
    assert_eq!(rec["status"], "held");
}

#[test]
fn supporters_diff_against_a_published_list() {
    let env = demo();
    let list = json(&env, &["supporters"]);
    let codes: Vec<String> = list["supporters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].as_str().unwrap().to_string())
        .collect();
    // The same list: exit 0.
    let same = env.path("same.csv");
    std::fs::write(&same, format!("iso3\n{}\n", codes.join("\n"))).unwrap();
    env.ok(&["supporters", "diff", same.to_str().unwrap()]);
    // One missing on each side: exit 1, both named.
    let other = env.path("other.csv");
    let mut published: Vec<String> = codes
        .iter()
        .filter(|c| c.as_str() != "FRA")
        .cloned()
        .collect();
    published.push("BRA".into());
    std::fs::write(&other, format!("state_code\n{}\n", published.join("\n"))).unwrap();
    let out = env.run(&[
        "supporters",
        "diff",
        other.to_str().unwrap(),
        "--column",
        "state_code",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["missing_from_published"], serde_json::json!(["FRA"]));
    assert_eq!(v["missing_from_ledger"], serde_json::json!(["BRA"]));
    // Garbage: exit 2, one line.
    let garbage = env.path("garbage.csv");
    std::fs::write(&garbage, vec![b'x'; 100_000]).unwrap();
    let err = env.fails(2, &["supporters", "diff", garbage.to_str().unwrap()]);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

/// `compliance --json` computes its votes one at a time as it writes them; its bytes are those
/// of the whole report serialized at once (with its `type` first), filtered or not.
#[test]
fn compliance_json_is_the_report_written_whole() {
    use actledger_core::projection::{self, ComplianceReport, Cutoff, TrustPolicy};
    use actledger_core::StateCode;
    #[derive(serde::Serialize)]
    struct Typed<'a> {
        #[serde(rename = "type")]
        kind: &'a str,
        #[serde(flatten)]
        value: &'a ComplianceReport,
    }
    let env = demo();
    let view = {
        let ledger =
            actledger_store::Ledger::open(&env.ledger(), &actledger_store::OpenOptions::default())
                .unwrap();
        actledger_store::replay_view(&ledger, Cutoff::default(), None, |_| {}).unwrap()
    };
    let policy = TrustPolicy::AllAssessors.resolve(&view);
    for states in [vec![], vec!["FRA"], vec!["GBR", "NOR", "NZL"]] {
        let mut args = vec!["compliance", "--json"];
        let joined = states.join(",");
        if !states.is_empty() {
            args.extend(["--state", joined.as_str()]);
        }
        let out = env.ok(&args);
        let set: Option<std::collections::BTreeSet<StateCode>> =
            (!states.is_empty()).then(|| states.iter().map(|s| s.parse().unwrap()).collect());
        let report = projection::compliance(&view, &policy, set.as_ref());
        assert!(!report.votes.is_empty(), "{states:?}");
        let want = serde_json::to_string(&Typed {
            kind: "compliance",
            value: &report,
        })
        .unwrap();
        assert_eq!(out.trim_end(), want, "{states:?}");
    }
}

/// Output is buffered when stdout is not a terminal; a reader that goes away early
/// (`actledger log --json | head -1`) still ends the command quietly with exit 0, and a reader
/// that stays gets every line.
#[test]
fn a_closed_pipe_ends_a_listing_quietly() {
    use std::io::Read;
    let env = demo();
    let full = env.ok(&["log", "--json"]);
    assert!(
        full.len() > 200_000,
        "more than a pipe's buffer: {}",
        full.len()
    );
    assert!(full.ends_with('\n'));
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("actledger"))
        .env("ACTLEDGER_DIR", env.ledger())
        .args(["log", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The pipe's read end is closed here, long before the command has written everything.
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert!(full.as_bytes().starts_with(&first));
}

#[test]
fn a_second_calendar_never_replaces_un_headquarters_and_a_misspelled_one_is_refused() {
    let env = demo();
    let rec = env.ledger().join("keys/recorder.key");
    let rec = rec.to_str().unwrap();
    // A calendar whose name sorts before "UN Headquarters (New York)": before, the default
    // was the first by name, so recording it silently changed every count.
    let mut args = vec![
        "record",
        "--key",
        rec,
        "holidays",
        "--calendar",
        "Aaa",
        "--year",
        "2022",
        "--complete",
        "--source",
        "test",
    ];
    let days: Vec<String> = (3..=7).map(|d| format!("2022-10-{d:02}=made up")).collect();
    for d in &days {
        args.extend(["--holiday", d]);
    }
    env.ok(&args);
    let vi = json(&env, &["veto-initiative"]);
    assert_eq!(vi["calendar"]["name"], "UN Headquarters (New York)");
    let s720 = vi["vetoes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["draft"] == "S/2022/720")
        .unwrap();
    assert_eq!(s720["status"], "held", "{s720}");
    let before = env.verify();
    for cmd in [
        vec!["veto-initiative", "--calendar", "UN Headquarters"],
        vec![
            "export",
            "html",
            "--out",
            "/dev/null",
            "--calendar",
            "UN Headquarters",
        ],
    ] {
        let err = env.fails(2, &cmd);
        assert!(
            err.contains("no holiday calendar \"UN Headquarters\" is recorded")
                && err.contains("\"Aaa\", \"UN Headquarters (New York)\""),
            "{err}"
        );
    }
    assert_eq!(env.verify(), before);
}

#[test]
fn every_veto_of_the_data_is_counted_amendments_known_by_their_tally_included() {
    let env = Env::new();
    let out = env.ok(&["demo"]);
    assert!(
        out.contains("3. Vetoes since 2015 (Charter Art. 27): 40 — 38 computed from every member's recorded vote, 2 on texts known only by their tally"),
        "{out}"
    );
    assert!(
        out.contains("not computed"),
        "the 2025 amendments have no tally: {out}"
    );
    let card = json(&env, &["scorecard", "--states", "RUS,USA"]);
    let vetoes = |code: &str| {
        card["states"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["state"] == code)
            .unwrap()["vetoes_cast"]
            .as_array()
            .unwrap()
            .clone()
    };
    assert_eq!((vetoes("RUS").len(), vetoes("USA").len()), (29, 11));
    assert!(vetoes("USA").iter().any(|v| v["known_by"] == "tally"));
    let votes = json(&env, &["votes"]);
    let tv = votes["tally_votes"].as_array().unwrap();
    assert_eq!(tv.len(), 2);
    assert_eq!(tv[0]["outcome"]["result"], "vetoed", "{tv:?}");
    assert_eq!(tv[1]["outcome"], Value::Null, "{tv:?}");
    // The veto-initiative record holds all 40, the amendments' meetings attached to them.
    let vi = json(&env, &["veto-initiative"]);
    assert_eq!(vi["counts"]["vetoes"], 40, "{vi}");
    let amend = vi["vetoes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["date"] == "2025-02-24")
        .unwrap();
    assert_eq!(amend["known_by"], "tally");
    assert_eq!(amend["status"], "held", "{amend}");
    assert!(vi["other_meetings"].as_array().unwrap().is_empty(), "{vi}");
    // Importing the vetoes again records nothing new.
    let rec = env.ledger().join("keys/recorder.key");
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/vetoes.csv");
    let s = env.ok(&[
        "import",
        "vetoes",
        data,
        "--key",
        rec.to_str().unwrap(),
        "--json",
    ]);
    let s: Value = serde_json::from_str(s.trim()).unwrap();
    assert_eq!(
        (s["new"].as_u64(), s["unchanged"].as_u64()),
        (Some(0), Some(40))
    );
}
