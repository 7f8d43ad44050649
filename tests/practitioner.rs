//! The practitioner's questions (issue 20): the voting math before a Council vote
//! (`outlook`), the depositary's certified supporter list (`record attestation`, format
//! revision 3) and what silence means before and after it, and `supporters diff` by name.
#![allow(clippy::unwrap_used)]

mod synth;
mod util;

use actledger_core::attestation::SupporterListAttested;
use actledger_core::event::{EventBody, Fact, UnsignedEvent};
use actledger_core::{chain, SigningKey, Text};
use base64::Engine as _;
use serde_json::Value;
use synth::{edit_events, stored_event, EventEdit};
use util::Env;

fn json(out: &str) -> Value {
    serde_json::from_str(out.trim()).unwrap()
}

fn codes(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// The demo ledger (the embedded real data of data/).
fn demo() -> Env {
    let env = Env::new();
    let l = env.ledger();
    env.ok(&["demo", "--ledger", l.to_str().unwrap()]);
    env
}

/// Hand-checked from data/sc_members.csv (the 15 rows of the year) and data/supporters.csv
/// (38 rows, every one dated 2015-10-23 or earlier except Malta, listed by 2023-01-12): a
/// member is bound when its iso3 is in supporters.csv with a date on or before the day;
/// every other member has no adherence recorded (no attestation is recorded: the list is
/// partial); the possible vetoes are the permanent members not in supporters.csv (FRA and
/// GBR are); "in favour if the bound abstain" is 15 minus the bound.
///
/// - 2022: ALB ARE BRA CHN FRA GAB GBR GHA IND IRL KEN MEX NOR RUS USA; supporters among
///   them: FRA GAB GBR GHA IRL MEX NOR = 7; 15 - 7 = 8 < 9.
/// - 2024: CHE CHN DZA ECU FRA GBR GUY JPN KOR MLT MOZ RUS SLE SVN USA; supporters: CHE FRA
///   GBR JPN MLT SVN = 6 (MLT by 2023-01-12); 15 - 6 = 9.
/// - 2026: BHR CHN COD COL DNK FRA GBR GRC LBR LVA PAK PAN RUS SOM USA; supporters: DNK FRA
///   GBR = 3; 15 - 3 = 12.
#[test]
fn voting_math_on_the_real_2022_2024_2026_councils() {
    let env = demo();
    /// Day, bound, no adherence recorded, in favour if the bound abstain, adoptable then.
    type Case<'a> = (&'a str, &'a [&'a str], &'a [&'a str], usize, bool);
    let cases: [Case; 3] = [
        (
            "2022-09-30",
            &["FRA", "GAB", "GBR", "GHA", "IRL", "MEX", "NOR"],
            &["ALB", "ARE", "BRA", "CHN", "IND", "KEN", "RUS", "USA"],
            8,
            false,
        ),
        (
            "2024-06-01",
            &["CHE", "FRA", "GBR", "JPN", "MLT", "SVN"],
            &[
                "CHN", "DZA", "ECU", "GUY", "KOR", "MOZ", "RUS", "SLE", "USA",
            ],
            9,
            true,
        ),
        (
            "2026-06-01",
            &["DNK", "FRA", "GBR"],
            &[
                "BHR", "CHN", "COD", "COL", "GRC", "LBR", "LVA", "PAK", "PAN", "RUS", "SOM", "USA",
            ],
            12,
            true,
        ),
    ];
    for (day, bound, none, in_favour, adoptable) in cases {
        let o = json(&env.ok(&["outlook", "--on", day, "--json"]));
        assert_eq!(o["type"], "outlook");
        assert_eq!(o["count"], 15, "{day}");
        assert_eq!(o["complete"], true, "{day}");
        let m = &o["math"];
        assert_eq!(codes(&m["bound"]), bound, "{day}");
        assert_eq!(codes(&m["no_adherence_recorded"]), none, "{day}");
        assert_eq!(codes(&m["unknown"]), Vec::<String>::new(), "{day}");
        assert_eq!(codes(&m["not_bound"]), Vec::<String>::new(), "{day}");
        assert_eq!(codes(&m["possible_vetoes"]), ["CHN", "RUS", "USA"], "{day}");
        assert_eq!(m["nine_from_bound"], false, "{day}");
        assert_eq!(m["in_favour_if_bound_abstain"], in_favour, "{day}");
        assert_eq!(m["adoptable_if_bound_abstain"], adoptable, "{day}");
        // No attestation: the list is said to be partial.
        assert!(o["coverage"]["attested"].is_null());
        assert!(o["coverage"]["words"]
            .as_str()
            .unwrap()
            .contains("possibly partial"));
        // Each bound member cites its adherence event and the date's precision.
        let gbr = o["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["state"] == "GBR")
            .unwrap();
        assert_eq!(gbr["standing"]["status"], "supporter");
        assert!(gbr["standing"]["adherence"]["seq"].is_u64());
        assert!(gbr["standing"]["adherence"]["precision"].is_string());
    }
    // Malta was only listed by 2023-01-12: on the first day of its 2023 term its standing is
    // unknown, and it is neither bound nor counted as not bound.
    let o = json(&env.ok(&["outlook", "--on", "2023-01-02", "--json"]));
    assert_eq!(codes(&o["math"]["unknown"]), ["MLT"]);
    // The table says the same, and that the list is partial.
    let table = env.ok(&["outlook", "--on", "2022-09-30"]);
    assert!(table.contains("7 of 15 members bound"), "{table}");
    assert!(
        table.contains("possible vetoes (permanent members not known to be bound): CHN, RUS, USA"),
        "{table}"
    );
    assert!(table.contains("possibly partial"), "{table}");
    // data/ has no 2027 rows: the tool says what the record does not cover.
    let o = json(&env.ok(&["outlook", "--on", "2027-01-02", "--json"]));
    assert_eq!(o["count"], 0);
    let notes = o["notes"].to_string();
    assert!(notes.contains("does not cover"), "{notes}");
    // The HTML report has the voting-math section, with the same words.
    let html = env.html_as_of("2022-09-30");
    assert!(html.contains("id=\"voting-math\""));
    assert!(html.contains(
        "7 of 15 members bound not to vote against a credible draft: FRA, GAB, GBR, GHA, IRL, MEX, NOR"
    ));
    assert!(html.contains("supporter list possibly partial for 2022-09-30"));
}

/// A ledger with two supporters (GBR exact, FRA listed by) and the 2022 Council.
fn small() -> Env {
    let env = Env::new();
    env.standard();
    env.adherence("GBR", "2015-10-01");
    env.adherence("FRA", "2015-10-23");
    env
}

#[test]
fn terms_may_be_recorded_ahead_but_not_votes() {
    let env = small();
    // Hand-made terms for a future year (not data: data/ holds no 2027 rows).
    for s in ["CHN", "FRA", "GBR", "RUS", "USA"] {
        env.term(s, "permanent", "2027-01-01", "2027-12-31");
    }
    for s in [
        "ARG", "AUT", "BEL", "CAN", "DEU", "EST", "GHA", "JPN", "MEX", "NZL",
    ] {
        env.term(s, "elected", "2027-01-01", "2027-12-31");
    }
    let o = json(&env.ok(&["outlook", "--on", "2027-01-02", "--json"]));
    assert_eq!(o["count"], 15);
    assert_eq!(codes(&o["math"]["bound"]), ["FRA", "GBR"]);
    assert!(o["notes"]
        .to_string()
        .contains("after the last recorded day"));
    // A vote on a future day is refused, naming the date.
    let rec = env.key("rec");
    let err = env.fails(
        2,
        &[
            "record",
            "--key",
            &rec,
            "vote",
            "--draft",
            "S/2027/1",
            "--date",
            "2027-01-02",
            "--yes",
            "ARG,AUT,BEL,CAN,CHN,DEU,EST,FRA,GBR,GHA,JPN,MEX,NZL,RUS,USA",
            "--source",
            "x",
        ],
    );
    assert!(err.contains("2027-01-02"), "{err}");
}

#[test]
fn outlook_with_a_draft_names_who_would_breach_under_the_policy() {
    let env = small();
    env.adherence("MEX", "2015-10-23");
    let rec = env.key("rec");
    env.ok(&[
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
    let day = [
        "outlook",
        "--on",
        "2022-10-03",
        "--draft",
        "S/2022/720",
        "--json",
    ];
    let o = json(&env.ok(&day));
    assert_eq!(o["draft"]["credibility"]["verdict"], "unassessed");
    assert_eq!(codes(&o["draft"]["would_breach"]), Vec::<String>::new());
    let assessor = env.key("assessor");
    env.ok(&[
        "record",
        "--key",
        &assessor,
        "assessment",
        "--draft",
        "S/2022/720",
        "--credible",
        "yes",
        "--crimes",
        "war-crimes",
        "--basis",
        "A/HRC/52/62",
        "--rationale",
        "annexation during an armed conflict with documented war crimes",
        "--on",
        "2022-10-01",
    ]);
    let o = json(&env.ok(&day));
    assert_eq!(o["draft"]["credibility"]["verdict"], "credible");
    assert_eq!(codes(&o["draft"]["would_breach"]), ["FRA", "GBR", "MEX"]);
    assert!(o["draft"]["words"]
        .as_str()
        .unwrap()
        .contains("would breach the Code"));
    // Under a policy that trusts another key, nobody's assessment counts; a key that never
    // assessed is refused (as `compliance --trust`).
    let stranger = SigningKey::generate().public().to_hex();
    let mut args = day.to_vec();
    args.extend(["--trust", &stranger]);
    let err = env.fails(2, &args);
    assert!(err.contains("never held the assessor role"), "{err}");
}

/// Writes a published list (header `name`, one state a row) and returns its path.
fn list_file(env: &Env, name: &str, rows: &[&str]) -> String {
    let p = env.path(name);
    let mut text = String::from("name\n");
    for r in rows {
        text.push_str(&format!("\"{r}\"\n"));
    }
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

fn attest(env: &Env, date: &str, count: &str, list: &str) -> std::process::Output {
    let dep = env.key("dep");
    env.run(&[
        "record",
        "--key",
        &dep,
        "attestation",
        "--date",
        date,
        "--count",
        count,
        "--list",
        list,
        "--url",
        "https://example.org/act-supporters",
        "--document",
        "A/70/621",
    ])
}

fn standing_of(env: &Env, args: &[&str], state: &str) -> (String, String) {
    let o = json(&env.ok(args));
    let m = o["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["state"] == state)
        .unwrap()
        .clone();
    (
        m["standing"]["status"].as_str().unwrap().to_string(),
        m["words"].as_str().unwrap().to_string(),
    )
}

#[test]
fn attestation_accepted_and_the_words_before_and_after_it() {
    let env = small();
    let list = list_file(&env, "list.csv", &["France", "United Kingdom"]);
    let on = |d: &'static str| ["outlook", "--on", d, "--json"];
    // Before: silence is "no adherence recorded".
    let (status, words) = standing_of(&env, &on("2022-06-01"), "CHN");
    assert_eq!(
        (status.as_str(), words.as_str()),
        ("no-adherence-recorded", "no adherence recorded")
    );
    let (before, _) = env.verify();
    let out = attest(&env, "2022-06-01", "2", &list);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (after, _) = env.verify();
    assert_eq!(after, before + 1);
    let seq = (after - 1).to_string();
    // After, on the list's day and any day before it: "not a supporter (per ...)".
    for day in ["2022-06-01", "2022-01-03"] {
        let (status, words) = standing_of(&env, &on(day), "CHN");
        assert_eq!(status, "not-a-supporter", "{day}");
        assert_eq!(
            words,
            "not a supporter (per the depositary's list of 2022-06-01)"
        );
    }
    // A later day: the list says nothing of it.
    let (status, words) = standing_of(&env, &on("2022-06-02"), "CHN");
    assert_eq!(
        (status.as_str(), words.as_str()),
        ("no-adherence-recorded", "no adherence recorded")
    );
    // The log as it stood before the attestation: "no adherence recorded".
    let at = (after - 2).to_string();
    let (status, _) = standing_of(
        &env,
        &["outlook", "--on", "2022-06-01", "--at-seq", &at, "--json"],
        "CHN",
    );
    assert_eq!(status, "no-adherence-recorded");
    // Supporters bound are unchanged; the coverage is attested, citing the event.
    let o = json(&env.ok(&on("2022-06-01")));
    assert_eq!(o["coverage"]["attested"]["seq"].to_string(), seq);
    assert_eq!(codes(&o["math"]["bound"]), ["FRA", "GBR"]);
    assert_eq!(
        o["math"]["no_adherence_recorded"].as_array().unwrap().len(),
        0
    );
    assert_eq!(o["math"]["not_bound"].as_array().unwrap().len(), 13);
    // The table and the HTML page use the same words.
    let table = env.ok(&["council", "--on", "2022-06-01"]);
    assert!(
        table.contains("not a supporter (per the depositary's list of 2022-06-01)"),
        "{table}"
    );
    let html = env.html_as_of("2022-06-01");
    assert!(html.contains("not a supporter (per the depositary&#39;s list of 2022-06-01)"));
    assert!(html.contains("supporter list complete for 2022-06-01"));
    // supporters --json carries the attestation with its digest: SHA-256 of "FRA\nGBR\n".
    let s = json(&env.ok(&["supporters", "--json"]));
    assert_eq!(
        s["attestations"][0]["digest"],
        "1fec4f249e254f272c87c54faf343f01a8c34b768d929b3aa5a8519ca8fdcec9"
    );
    assert_eq!(s["attestations"][0]["document"], "A/70/621");
    // An attested list is complete: a letter dated on or before its day is refused now.
    let err = env.fails(
        2,
        &[
            "record",
            "--key",
            &env.key("dep"),
            "adherence",
            "--state",
            "ITA",
            "--date",
            "2016-01-01",
            "--source",
            "s",
        ],
    );
    assert!(
        err.contains("ITA (Italy) would join the depositary's list of 2022-06-01"),
        "{err}"
    );
    // After its day, a letter is fine.
    env.adherence("ITA", "2022-07-01");
}

#[test]
fn attestation_with_one_state_too_many_is_refused_naming_it() {
    let env = small();
    let (before, head) = env.verify();
    let list = list_file(&env, "list.csv", &["France", "United Kingdom", "Brazil"]);
    let out = attest(&env, "2022-06-01", "3", &list);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("listed but no adherence recorded by then: BRA (Brazil); recorded by then but not listed: none"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    // One missing is named too.
    let short = list_file(&env, "short.csv", &["France"]);
    let out = attest(&env, "2022-06-01", "1", &short);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("recorded by then but not listed: GBR (United Kingdom)"),
        "{err}"
    );
    // A count that disagrees with the list, and a future day, are refused.
    let ok_list = list_file(&env, "ok.csv", &["France", "United Kingdom"]);
    let out = attest(&env, "2022-06-01", "3", &ok_list);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--count 3"));
    let out = attest(&env, "2099-01-01", "2", &ok_list);
    assert_eq!(out.status.code(), Some(2));
    // Only the depositary attests.
    let rec = env.key("rec");
    let err = env.fails(
        2,
        &[
            "record",
            "--key",
            &rec,
            "attestation",
            "--date",
            "2022-06-01",
            "--count",
            "2",
            "--from-ledger",
            "--url",
            "https://example.org/x",
        ],
    );
    assert!(err.contains("depositary"), "{err}");
    // Nothing was written.
    assert_eq!(env.verify(), (before, head));
}

fn signing_key(path: &str) -> SigningKey {
    let text = std::fs::read_to_string(path).unwrap();
    let b64 = text.lines().nth(1).unwrap();
    let seed: [u8; 32] = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
        .try_into()
        .unwrap();
    SigningKey::from_seed(&seed)
}

fn with_db<R>(env: &Env, f: impl FnOnce(&sled::Db) -> R) -> R {
    let mut tries = 0;
    let db = loop {
        match sled::open(env.db_path()) {
            Ok(db) => break db,
            Err(_) if tries < 200 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            Err(e) => panic!("cannot open the database: {e}"),
        }
    };
    let r = f(&db);
    db.flush().unwrap();
    r
}

/// A ledger whose last event is an attestation of FRA and GBR on 2022-06-01; returns its seq.
fn attested() -> (Env, u64) {
    let env = small();
    let out = env.ok(&[
        "record",
        "--key",
        &env.key("dep"),
        "attestation",
        "--date",
        "2022-06-01",
        "--count",
        "2",
        "--from-ledger",
        "--url",
        "https://example.org/act-supporters",
    ]);
    assert!(out.contains("SupporterListAttested"), "{out}");
    let (n, _) = env.verify();
    (env, n - 1)
}

#[test]
fn a_tampered_attestation_is_caught_by_verify() {
    let (env, seq) = attested();
    // The depositary's own key re-signs the attestation with one state more: signature and
    // chain hold, so only the rule can catch it.
    let dep = signing_key(&env.key("dep"));
    with_db(&env, |db| {
        let ev = chain::decode_event(&stored_event(db, seq).unwrap()).unwrap();
        let EventBody::Fact(Fact::SupporterListAttested(a)) = &ev.unsigned.body else {
            panic!("not an attestation");
        };
        let mut states = a.states.clone();
        states.push("BRA".parse().unwrap());
        let forged =
            SupporterListAttested::new(a.list_date, states, a.url.clone(), None, Text::empty())
                .unwrap();
        let unsigned = UnsignedEvent {
            body: EventBody::Fact(Fact::SupporterListAttested(forged)),
            ..ev.unsigned.clone()
        };
        let sealed = chain::seal(unsigned, &dep).unwrap();
        edit_events(db, &[EventEdit::Set(seq, sealed.bytes)]);
        let mut head = (seq + 1).to_be_bytes().to_vec();
        head.extend_from_slice(&sealed.hash.0);
        db.open_tree("meta").unwrap().insert("head", head).unwrap();
    });
    let err = env.fails(1, &["verify"]);
    assert!(err.contains(&format!("seq {seq}: ")), "{err}");
    assert!(err.contains("BRA (Brazil)"), "{err}");
}

#[test]
fn a_tampered_attestation_is_caught_by_verify_snapshot() {
    let (env, seq) = attested();
    env.grant("log", "log");
    let log = env.key("log");
    env.ok(&["checkpoint", "--key", &log]);
    let vkey = env
        .ok(&["key", "show", &log, "--verifier"])
        .trim()
        .to_string();
    let snap = env.path("snap");
    let s = snap.to_str().unwrap();
    env.ok(&["export", "snapshot", "--out", s]);
    let out = env.ok(&["verify-snapshot", s, "--vkey", &vkey]);
    // Two adherence proofs and the attestation's.
    assert!(out.contains(" 3 proofs"), "{out}");
    let file = snap.join("supporters.json");
    let text = std::fs::read_to_string(&file).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["attestations"][0]["seq"], seq);
    assert!(v["attestations"][0]["proof"]
        .as_str()
        .unwrap()
        .starts_with("c2sp.org/tlog-proof@v1"));
    // The attested count changed in the snapshot's file.
    let tampered = text.replacen(
        "\"count\": 2,\n      \"date\"",
        "\"count\": 3,\n      \"date\"",
        1,
    );
    assert_ne!(tampered, text, "the attestation's count was not found");
    std::fs::write(&file, tampered).unwrap();
    let err = env.fails(1, &["verify-snapshot", s, "--vkey", &vkey]);
    assert!(err.contains("supporters.json"), "{err}");
}

#[test]
fn supporters_diff_matches_by_name_as_well_as_code() {
    let env = small();
    env.adherence("CIV", "2015-10-23");
    // As pasted from a PDF: names as the UN writes them, any case, a typographic apostrophe,
    // stray spaces, and a code.
    let same = list_file(
        &env,
        "same.csv",
        &["france", "  United   Kingdom ", "Côte d\u{2019}Ivoire"],
    );
    let out = env.ok(&["supporters", "diff", &same, "--json"]);
    assert_eq!(json(&out)["same"], true);
    let p = env.path("codes.csv");
    std::fs::write(&p, "iso3,name\nFRA,x\nGBR,y\nCIV,z\nMEX,w\n").unwrap();
    let out = env.run(&["supporters", "diff", p.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(codes(&v["missing_from_ledger"]), ["MEX"]);
    assert_eq!(codes(&v["missing_from_published"]), Vec::<String>::new());
    // An unknown name is a clear error naming the line.
    let bad = list_file(&env, "bad.csv", &["France", "Narnia"]);
    let err = env.fails(2, &["supporters", "diff", &bad]);
    assert!(err.contains("line 3, column name: \"Narnia\""), "{err}");
}

/// The attestation end to end on the demo ledger (a hand-made one, in this test only: the
/// demo records none, since data/ holds a partial list, not the depositary's).
#[test]
fn an_attestation_works_on_the_demo_ledger() {
    let env = demo();
    let dep = env.ledger().join("keys/depositary.key");
    let dep = dep.to_str().unwrap();
    // data/supporters.csv compared with the ledger built from it, by code: the same.
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/supporters.csv");
    env.ok(&["supporters", "diff", data, "--column", "iso3"]);
    // The ledger's own list as of the Explanatory Note (2015-09-01): 29 states are dated on or
    // before that day in data/supporters.csv (its 38 rows less the 9 dated later: GBR
    // 2015-10-01; FRA, GNB, MDA, DEU, ITA, MEX, JPN 2015-10-23; MLT 2023-01-12).
    let asof = json(&env.ok(&["supporters", "--as-of", "2015-09-01", "--json"]));
    assert_eq!(asof["count"], 29);
    let n = "29";
    env.ok(&[
        "record",
        "--key",
        dep,
        "attestation",
        "--date",
        "2015-09-01",
        "--count",
        n,
        "--from-ledger",
        "--url",
        "https://test.invalid/hand-made-for-this-test",
    ]);
    env.verify();
    // Its day is long past: the 2022 Council's silence is still "no adherence recorded".
    let o = json(&env.ok(&["outlook", "--on", "2022-09-30", "--json"]));
    assert!(o["coverage"]["attested"].is_null());
    assert_eq!(
        o["math"]["no_adherence_recorded"].as_array().unwrap().len(),
        8
    );
    // On its day, China is not a supporter per that list.
    let s = json(&env.ok(&[
        "scorecard",
        "--states",
        "CHN",
        "--as-of",
        "2015-09-01",
        "--json",
    ]));
    assert_eq!(
        s["states"][0]["standing"]["status"], "not-a-supporter",
        "{s}"
    );
}
