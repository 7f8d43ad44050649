//! The domain's answers end to end (issue 17): hand-made facts through the real binary, each
//! case one the ledger used to answer wrongly or over-confidently.
#![allow(clippy::unwrap_used)]

mod synth;
mod util;

use serde_json::Value;
use util::{Env, E10_2022, P5};

fn json(env: &Env, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    let out = env.ok(&a);
    serde_json::from_str(out.trim()).unwrap()
}

/// Records a vote of the 2022 Council on `draft`: `no` and `abstain` as given, everyone else
/// in favour.
fn vote(env: &Env, draft: &str, date: &str, no: &[&str], abstain: &[&str]) {
    let rec = env.key("rec");
    let yes: Vec<&str> = P5
        .iter()
        .chain(E10_2022.iter())
        .copied()
        .filter(|s| !no.contains(s) && !abstain.contains(s))
        .collect();
    let (yes, no, abstain) = (yes.join(","), no.join(","), abstain.join(","));
    let mut args = vec![
        "record", "--key", &rec, "vote", "--draft", draft, "--date", date, "--yes", &yes,
        "--source", "test",
    ];
    if !no.is_empty() {
        args.extend(["--no", &no]);
    }
    if !abstain.is_empty() {
        args.extend(["--abstain", &abstain]);
    }
    env.ok(&args);
}

fn assess(env: &Env, draft: &str, credible: bool) {
    assess_on(env, draft, credible, None);
}

fn assess_on(env: &Env, draft: &str, credible: bool, on: Option<&str>) {
    let k = env.key("assessor");
    let mut args = vec![
        "record",
        "--key",
        &k,
        "assessment",
        "--draft",
        draft,
        "--credible",
        if credible { "yes" } else { "no" },
        "--rationale",
        "test",
    ];
    if credible {
        args.extend(["--crimes", "war-crimes"]);
    }
    if let Some(on) = on {
        args.extend(["--on", on]);
    }
    env.ok(&args);
}

fn listed_by(env: &Env, state: &str, date: &str) {
    let dep = env.key("dep");
    env.ok(&[
        "record",
        "--key",
        &dep,
        "adherence",
        "--state",
        state,
        "--listed-by",
        date,
        "--source",
        "s",
    ]);
}

fn findings(report: &Value) -> Vec<(String, String, String)> {
    report["votes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|v| v["findings"].as_array().unwrap().clone())
        .map(|f| {
            (
                f["draft"].as_str().unwrap().to_string(),
                f["state"].as_str().unwrap().to_string(),
                f["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_state_listed_only_after_the_vote_gets_a_possible_breach_and_unassessed_abstentions_stand_apart(
) {
    let env = Env::new();
    env.standard();
    // Ireland: only "listed by" 2023, after the 2022 votes. Gabon: an exact 2015 letter.
    listed_by(&env, "IRL", "2023-01-01");
    env.adherence("GAB", "2015-10-23");
    vote(&env, "S/2022/10", "2022-05-02", &["RUS", "IRL"], &["GAB"]);
    assess(&env, "S/2022/10", true);
    vote(&env, "S/2022/11", "2022-06-02", &["RUS"], &["GAB"]);
    let report = json(&env, &["compliance"]);
    let f = findings(&report);
    assert!(
        f.contains(&("S/2022/10".into(), "IRL".into(), "possible-breach".into())),
        "a no by a state listed only later is a possible breach, never 'not bound': {f:?}"
    );
    assert!(f.contains(&("S/2022/10".into(), "GAB".into(), "abstained".into())));
    assert!(
        f.contains(&(
            "S/2022/11".into(),
            "GAB".into(),
            "abstained-unassessed".into()
        )),
        "{f:?}"
    );
    assert_eq!(report["counts"]["possible_breach"], 1);
    assert_eq!(report["counts"]["abstained"], 1);
    assert_eq!(report["counts"]["abstained_unassessed"], 1);
    assert_eq!(report["counts"]["not_bound"], 0);
    let text = env.ok(&["compliance"]);
    assert!(
        text.contains("possible breach: adherence date unknown"),
        "{text}"
    );
    let card = env.ok(&["scorecard", "--states", "IRL"]);
    assert!(card.contains("S/2022/10"), "{card}");
}

#[test]
fn silence_is_no_adherence_recorded_never_not_a_supporter() {
    let env = Env::new();
    env.standard();
    env.adherence("GAB", "2015-10-23");
    vote(&env, "S/2022/10", "2022-05-02", &["RUS"], &[]);
    let page = env.path("page.html");
    env.ok(&["export", "html", "--out", page.to_str().unwrap()]);
    let outputs = [
        env.ok(&["council", "--on", "2022-06-01"]),
        env.ok(&["council", "--on", "2022-06-01", "--json"]),
        env.ok(&["scorecard", "--states", "GAB,USA"]),
        env.ok(&["scorecard", "--states", "GAB,USA", "--json"]),
        std::fs::read_to_string(&page).unwrap(),
    ];
    for out in &outputs {
        assert!(!out.contains("not a supporter"), "{out}");
        assert!(!out.contains("not-supporter"), "{out}");
        assert!(
            out.contains("no adherence recorded") || out.contains("no-adherence-recorded"),
            "{out}"
        );
    }
    // Asked about a state with no adherence, compliance says so.
    let out = env.ok(&["compliance", "--state", "USA"]);
    assert!(
        out.contains("USA (United States): no adherence recorded"),
        "{out}"
    );
    let report = json(&env, &["compliance", "--state", "USA"]);
    assert_eq!(report["no_adherence"], serde_json::json!(["USA"]));
}

#[test]
fn the_code_has_a_start_adherence_before_it_is_refused_and_earlier_votes_are_not_judged() {
    let env = Env::new();
    env.standard();
    let rec = env.key("rec");
    // The Council of July 2015 (the 2015 members), for a vote before the Code existed.
    let e10_2015 = [
        "AGO", "CHL", "ESP", "JOR", "LTU", "MYS", "NGA", "NZL", "TCD", "VEN",
    ];
    for (states, seat) in [(&P5[..], "permanent"), (&e10_2015[..], "elected")] {
        for s in states {
            env.ok(&[
                "record",
                "--key",
                &rec,
                "term",
                "--state",
                s,
                "--seat",
                seat,
                "--from",
                "2015-01-01",
                "--to",
                "2015-12-31",
                "--source",
                "sc_members.csv",
            ]);
        }
    }
    let before = env.verify();
    let dep = env.key("dep");
    let err = env.fails(
        2,
        &[
            "record",
            "--key",
            &dep,
            "adherence",
            "--state",
            "NZL",
            "--date",
            "2001-05-01",
            "--source",
            "s",
        ],
    );
    assert!(err.contains("before the Code existed (2015-09-01"), "{err}");
    assert_eq!(env.verify(), before, "nothing written");
    // New Zealand listed by the day the final text was released; it votes no in July.
    listed_by(&env, "NZL", "2015-09-01");
    let yes: Vec<&str> = P5
        .iter()
        .chain(e10_2015.iter())
        .copied()
        .filter(|s| *s != "NZL")
        .collect();
    env.ok(&[
        "record",
        "--key",
        &rec,
        "vote",
        "--draft",
        "S/2015/9",
        "--date",
        "2015-07-20",
        "--yes",
        &yes.join(","),
        "--no",
        "NZL",
        "--source",
        "test",
    ]);
    assess(&env, "S/2015/9", true);
    let report = json(&env, &["compliance"]);
    let v = &report["votes"][0];
    assert_eq!(v["draft"], "S/2015/9");
    assert_eq!(v["status"], "before-the-code");
    assert_eq!(v["findings"], serde_json::json!([]), "{v}");
    let text = env.ok(&["compliance", "--all"]);
    assert!(text.contains("not judged: before the Code"), "{text}");
}

#[test]
fn as_of_keeps_an_assessment_by_the_day_it_was_made_and_recorded_by_gives_the_log_as_it_stood() {
    let env = Env::new();
    env.standard();
    env.adherence("GAB", "2015-10-23");
    vote(&env, "S/2022/10", "2022-05-02", &["RUS", "GAB"], &[]);
    let before_assessment = env.verify().0 - 1;
    let log = env.ok(&["log", "--json"]);
    let last: Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    let vote_recorded = last["recorded_at"].as_str().unwrap().to_string();
    // Assessed in June 2022, recorded today: a 2022 view holds it.
    assess_on(&env, "S/2022/10", true, Some("2022-06-01"));
    let r = json(&env, &["compliance", "--as-of", "2022-12-31"]);
    assert_eq!(r["counts"]["breach"], 1, "{r}");
    // Before the day it was made, it is not in the view.
    let r = json(&env, &["compliance", "--as-of", "2022-05-31"]);
    assert_eq!(r["counts"]["breach"], 0, "{r}");
    assert_eq!(r["counts"]["needs_assessment"], 1, "{r}");
    // The log as it stood before the assessment was recorded: by seq, and by time.
    let seq = before_assessment.to_string();
    let r = json(&env, &["compliance", "--at-seq", &seq]);
    assert_eq!(r["counts"]["breach"], 0, "{r}");
    // By time: every event recorded at or before the vote's own time, none after it.
    let r = json(&env, &["compliance", "--recorded-by", &vote_recorded]);
    assert!(
        r["basis"]["at_seq"].as_u64().unwrap() >= before_assessment,
        "{r}"
    );
    assert!(
        r["basis"]["last_recorded"].as_str().unwrap() <= vote_recorded.as_str(),
        "{r}"
    );
}

#[test]
fn impossible_cutoffs_trusts_and_assessment_days_are_refused() {
    let env = Env::new();
    env.standard();
    vote(&env, "S/2022/10", "2022-05-02", &["RUS"], &[]);
    let before = env.verify();
    let err = env.fails(2, &["compliance", "--as-of", "2999-01-01"]);
    assert!(err.contains("--as-of 2999-01-01 is in the future"), "{err}");
    let err = env.fails(2, &["compliance", "--recorded-by", "2000-01-01"]);
    assert!(err.contains("no event recorded by then"), "{err}");
    // A key that is the recorder's, not an assessor's.
    let rec = env.ok(&["key", "show", &env.key("rec")]);
    let rec = rec
        .split_whitespace()
        .find(|w| w.len() == 64)
        .unwrap()
        .to_string();
    let err = env.fails(2, &["compliance", "--trust", &rec]);
    assert!(err.contains("never held the assessor role"), "{err}");
    let k = env.key("assessor");
    let err = env.fails(
        2,
        &[
            "record",
            "--key",
            &k,
            "assessment",
            "--draft",
            "S/2022/10",
            "--credible",
            "no",
            "--rationale",
            "r",
            "--on",
            "2999-01-01",
        ],
    );
    assert!(err.contains("2999-01-01 is in the future"), "{err}");
    assert_eq!(env.verify(), before, "nothing written");
}

fn term(env: &Env, state: &str, from: &str, to: &str) -> std::process::Output {
    let rec = env.key("rec");
    env.run(&[
        "record", "--key", &rec, "term", "--state", state, "--seat", "elected", "--from", from,
        "--to", to, "--source", "s",
    ])
}

fn refused(out: std::process::Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
}

#[test]
fn charter_rules_on_seats_and_symbols_are_enforced() {
    let env = Env::new();
    env.standard();
    let before = env.verify();
    // Art. 23: observer states cannot sit.
    refused(
        term(&env, "PSE", "2023-01-01", "2023-12-31"),
        "PSE (Palestine, State of) is a non-member observer state",
    );
    // Art. 23(2): no immediate re-election, however the years are split across rows.
    refused(
        term(&env, "ALB", "2023-01-01", "2024-12-31"),
        "more than two consecutive years",
    );
    assert_eq!(env.verify(), before, "nothing written");
    assert!(term(&env, "ALB", "2023-01-01", "2023-12-31")
        .status
        .success());
    let before = env.verify();
    refused(
        term(&env, "ALB", "2024-01-01", "2024-12-31"),
        "ALB would hold an elected seat from 2022-01-01 to 2024-12-31",
    );
    // A draft symbol of 2023 cannot have been voted on in 2022.
    let rec = env.key("rec");
    let all: Vec<&str> = P5.iter().chain(E10_2022.iter()).copied().collect();
    refused(
        env.run(&[
            "record",
            "--key",
            &rec,
            "vote",
            "--draft",
            "S/2023/5",
            "--date",
            "2022-05-02",
            "--yes",
            &all.join(","),
            "--source",
            "s",
        ]),
        "draft symbol S/2023/5 is of 2023, after the day it is dated 2022-05-02",
    );
    assert_eq!(env.verify(), before, "nothing written");
}

#[test]
fn a_correction_that_breaks_a_dependent_fact_is_refused_naming_it() {
    let env = Env::new();
    env.standard();
    vote(&env, "S/2022/10", "2022-05-02", &["RUS"], &[]);
    let log = env.ok(&["log", "--json"]);
    let events: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let seq_of = |pred: &dyn Fn(&Value) -> bool| {
        events.iter().find(|e| pred(e)).unwrap()["seq"]
            .as_u64()
            .unwrap()
            .to_string()
    };
    let alb = seq_of(&|e| e["body"]["Fact"]["CouncilTerm"]["state"] == "ALB");
    let vote_seq = seq_of(&|e| e["body"]["Fact"]["CouncilVote"].is_object());
    let before = env.verify();
    let rec = env.key("rec");
    // Albania leaves the Council before the vote it took part in.
    let out = env.run(&[
        "record",
        "--key",
        &rec,
        "correction",
        "--target",
        &alb,
        "--reason",
        "r",
        "term",
        "--state",
        "ALB",
        "--seat",
        "elected",
        "--from",
        "2022-01-01",
        "--to",
        "2022-03-31",
        "--source",
        "s",
    ]);
    refused(
        out,
        &format!("correction of seq {alb} would break the rules for seq {vote_seq}: vote by ALB"),
    );
    assert_eq!(env.verify(), before, "nothing written");
    // A correction that keeps every vote's members is accepted.
    env.ok(&[
        "record",
        "--key",
        &rec,
        "correction",
        "--target",
        &alb,
        "--reason",
        "r",
        "term",
        "--state",
        "ALB",
        "--seat",
        "elected",
        "--from",
        "2022-01-01",
        "--to",
        "2022-12-31",
        "--source",
        "a better source",
    ]);
}

#[test]
fn votes_and_log_show_absent_members_and_procedural_votes() {
    let env = Env::new();
    env.standard();
    let rec = env.key("rec");
    let yes: Vec<&str> = P5
        .iter()
        .chain(E10_2022.iter())
        .copied()
        .filter(|s| *s != "GAB")
        .collect();
    env.ok(&[
        "record",
        "--key",
        &rec,
        "vote",
        "--draft",
        "S/2022/10",
        "--date",
        "2022-05-02",
        "--yes",
        &yes.join(","),
        "--absent",
        "GAB",
        "--procedural",
        "--source",
        "s",
    ]);
    let votes = env.ok(&["votes"]);
    let row = votes.lines().find(|l| l.contains("S/2022/10")).unwrap();
    assert!(row.contains(" GAB "), "{votes}");
    assert!(row.contains("adopted (procedural)"), "{votes}");
    let log = env.ok(&["log"]);
    assert!(log.contains("(procedural), absent: GAB"), "{log}");
}

/// The seq of the first event of `env`'s log that `pred` picks.
fn seq_where(env: &Env, pred: &dyn Fn(&Value) -> bool) -> u64 {
    env.ok(&["log", "--json"])
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|e| pred(e))
        .unwrap()["seq"]
        .as_u64()
        .unwrap()
}

/// `record correction` of the vote at `target` into a vote on `date` with `no` against.
fn correct_vote(env: &Env, target: u64, date: &str, no: &[&str]) -> std::process::Output {
    let rec = env.key("rec");
    let yes: Vec<&str> = P5
        .iter()
        .chain(E10_2022.iter())
        .copied()
        .filter(|s| !no.contains(s))
        .collect();
    let (target, yes, no) = (target.to_string(), yes.join(","), no.join(","));
    let mut args = vec![
        "record",
        "--key",
        &rec,
        "correction",
        "--target",
        &target,
        "--reason",
        "r",
        "vote",
        "--draft",
        "S/2022/10",
        "--date",
        date,
        "--yes",
        &yes,
        "--source",
        "a better source",
    ];
    if !no.is_empty() {
        args.extend(["--no", &no]);
    }
    env.run(&args)
}

/// A vetoed draft and the Assembly meeting under 76/262 that cites its veto; the seqs of the
/// vote and of the meeting.
fn vetoed_and_debated(env: &Env) -> (u64, u64) {
    env.standard();
    vote(env, "S/2022/10", "2022-05-02", &["RUS"], &[]);
    let rec = env.key("rec");
    env.ok(&[
        "record",
        "--key",
        &rec,
        "meeting",
        "--date",
        "2022-05-10",
        "--session",
        "76",
        "--follows",
        "2022-05-02:S/2022/10",
        "--source",
        "s",
    ]);
    (
        seq_where(env, &|e| e["body"]["Fact"]["CouncilVote"].is_object()),
        seq_where(env, &|e| e["body"]["Fact"]["AssemblyMeeting"].is_object()),
    )
}

#[test]
fn a_corrected_vote_may_not_undo_the_veto_an_assembly_meeting_cited() {
    let env = Env::new();
    let (vote_seq, meeting) = vetoed_and_debated(&env);
    let before = env.verify();
    let breaks = format!("correction of seq {vote_seq} would break the rules for seq {meeting}");
    // The vote stops being a veto.
    refused(
        correct_vote(&env, vote_seq, "2022-05-02", &[]),
        &format!("{breaks}: meeting follows S/2022/10, but its recorded vote was not vetoed"),
    );
    // The veto moves to another day than the meeting names (later than the meeting, or
    // earlier: the meeting rule holds the vote to the day it names).
    for date in ["2022-05-11", "2022-04-01"] {
        refused(
            correct_vote(&env, vote_seq, date, &["RUS"]),
            &format!("{breaks}: meeting follows a veto of S/2022/10 on 2022-05-02"),
        );
    }
    assert_eq!(env.verify(), before, "nothing written");
    // A correction that keeps the veto and its day is admitted.
    let out = correct_vote(&env, vote_seq, "2022-05-02", &["RUS", "CHN"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn verify_names_the_meeting_a_signed_vote_correction_broke() {
    use actledger_core::event::{Correction, EventBody, Fact, UnsignedEvent, Vote};
    use actledger_core::{chain, Seq, SigningKey, Text, Timestamp};

    let env = Env::new();
    let (vote_seq, meeting) = vetoed_and_debated(&env);
    let (n, _) = env.verify();
    let rec = SigningKey::from_key_file(&std::fs::read_to_string(env.key("rec")).unwrap()).unwrap();
    // A correction the binary refuses, signed by the recorder and appended behind its back
    // (head and indexes made to agree, so only the rules can catch it).
    let db = synth::open_db(&env.ledger());
    let original = chain::decode_event(&synth::stored_event(&db, vote_seq).unwrap()).unwrap();
    let EventBody::Fact(Fact::CouncilVote(mut v)) = original.unsigned.body else {
        panic!("not a vote");
    };
    for m in &mut v.votes {
        m.vote = Vote::Yes;
    }
    let prev = synth::stored_event(&db, n - 1).unwrap();
    let unsigned = UnsignedEvent {
        seq: Seq(n),
        prev: chain::event_hash(&prev),
        recorded_at: Timestamp::now(),
        author: rec.public(),
        body: EventBody::Correction(Correction {
            target: Seq(vote_seq),
            reason: Text::new("forged").unwrap(),
            replacement: Fact::CouncilVote(v),
        }),
        ..original.unsigned
    };
    let sealed = chain::seal(unsigned, &rec).unwrap();
    synth::edit_events(&db, &[synth::EventEdit::Set(n, sealed.bytes)]);
    let mut head = (n + 1).to_be_bytes().to_vec();
    head.extend_from_slice(&sealed.hash.0);
    db.open_tree("meta").unwrap().insert("head", head).unwrap();
    db.flush().unwrap();
    drop(db);
    let err = env.fails(1, &["verify"]);
    assert!(err.contains(&format!("seq {n}: rule violated: ")), "{err}");
    assert!(
        err.contains(&format!(
            "correction of seq {vote_seq} would break the rules for seq {meeting}: meeting \
             follows S/2022/10, but its recorded vote was not vetoed"
        )),
        "{err}"
    );
    let out = env.run(&["verify", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["seq"], n);
}
