//! Importers: the real files import; every bad input exits 2 with file, line, column and value,
//! and leaves the ledger as it was; re-imports are idempotent; corrected files become
//! corrections once.
#![allow(clippy::unwrap_used)]

mod util;

use std::io::Write;

use util::Env;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data");

fn data(name: &str) -> String {
    format!("{DATA}/{name}")
}

/// A ledger with keys and roles, and nothing else.
fn empty() -> Env {
    let env = Env::new();
    let admin = env.key("admin");
    env.ok(&[
        "init",
        "--origin",
        "test.example/ledger",
        "--admin-key",
        &admin,
    ]);
    for (name, role) in [("dep", "depositary"), ("rec", "recorder")] {
        let k = env.key(name);
        env.ok(&[
            "key",
            "grant",
            "--key",
            &admin,
            "--public-from",
            &k,
            "--role",
            role,
            "--holder",
            name,
        ]);
    }
    env
}

fn import(env: &Env, kind: &str, file: &str) -> serde_json::Value {
    let key = env.key(if kind == "supporters" { "dep" } else { "rec" });
    let out = env.ok(&[
        "import",
        kind,
        file,
        "--key",
        &key,
        "--json",
        "--complete-years",
        "2017,2020,2024",
    ]);
    serde_json::from_str(out.trim()).unwrap()
}

fn import_all(env: &Env) {
    for (kind, file) in [
        ("members", "sc_members.csv"),
        ("supporters", "supporters.csv"),
        ("vetoes", "vetoes.csv"),
        ("votes", "sc_votes.csv"),
        ("meetings", "veto_initiative_meetings.csv"),
        ("holidays", "un_holidays.csv"),
    ] {
        import(env, kind, &data(file));
    }
}

fn rejected(env: &Env, kind: &str, file: &str, needles: &[&str]) {
    let before = env.verify();
    let key = env.key(if kind == "supporters" { "dep" } else { "rec" });
    let err = env.fails(2, &["import", kind, file, "--key", &key]);
    for n in needles {
        assert!(err.contains(n), "expected {n:?} in: {err}");
    }
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(env.verify(), before, "ledger changed");
}

fn write(env: &Env, name: &str, contents: &[u8]) -> String {
    let p = env.path(name);
    std::fs::write(&p, contents).unwrap();
    p.to_str().unwrap().to_string()
}

fn lines(file: &str) -> Vec<String> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn real_data_imports_and_reimport_is_idempotent() {
    let env = empty();
    import_all(&env);
    let (n, head) = env.verify();
    assert_eq!(n, 3 + 180 + 38 + 40 + 38 + 17 + 4);
    // Again: everything is already recorded, nothing is written.
    for (kind, file, rows) in [
        ("members", "sc_members.csv", 180),
        ("supporters", "supporters.csv", 38),
        ("votes", "sc_votes.csv", 38),
    ] {
        let s = import(&env, kind, &data(file));
        assert_eq!(s["new"], 0);
        assert_eq!(s["corrected"], 0);
        assert_eq!(s["unchanged"], rows);
    }
    assert_eq!(env.verify(), (n, head));
}

#[test]
fn corrected_csv_is_recorded_once_as_corrections() {
    let env = empty();
    import(&env, "members", &data("sc_members.csv"));
    import(&env, "supporters", &data("supporters.csv"));
    let mut rows = lines(&data("supporters.csv"));
    // France's row gains an exact date of adherence.
    let fra = rows
        .iter()
        .position(|l| l.starts_with("France,FRA,"))
        .unwrap();
    rows[fra] = rows[fra].replacen("France,FRA,,", "France,FRA,2015-10-20,", 1);
    let corrected = write(
        &env,
        "supporters-corrected.csv",
        (rows.join("\n") + "\n").as_bytes(),
    );
    let s = import(&env, "supporters", &corrected);
    assert_eq!(
        (
            s["new"].as_u64(),
            s["corrected"].as_u64(),
            s["unchanged"].as_u64()
        ),
        (Some(0), Some(1), Some(37))
    );
    let after = env.verify();
    let s = import(&env, "supporters", &corrected);
    assert_eq!(
        (
            s["new"].as_u64(),
            s["corrected"].as_u64(),
            s["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(38))
    );
    assert_eq!(
        env.verify(),
        after,
        "a second import of the corrected file changed the ledger"
    );
    // The list shows the corrected date; the log keeps both and links them.
    let list = env.ok(&["supporters", "--json"]);
    let fra_row = list.lines().find(|l| l.contains("\"FRA\"")).unwrap();
    assert!(fra_row.contains("2015-10-20"), "{fra_row}");
    let log = env.ok(&["log"]);
    assert!(log.contains("[corrected by seq"), "{log}");
}

#[test]
fn dry_run_writes_nothing_and_stdin_works() {
    let env = empty();
    import(&env, "members", &data("sc_members.csv"));
    let before = env.verify();
    let key = env.key("dep");
    let out = env.ok(&[
        "import",
        "supporters",
        &data("supporters.csv"),
        "--key",
        &key,
        "--dry-run",
    ]);
    assert!(out.contains("would record 38 new"), "{out}");
    assert_eq!(env.verify(), before);
    let out = env
        .cmd()
        .args(["import", "supporters", "-", "--key", &key])
        .write_stdin(std::fs::read(data("supporters.csv")).unwrap())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("<stdin>: recorded 38 new"));
}

#[test]
fn missing_column() {
    let env = empty();
    let f = write(
        &env,
        "s.csv",
        b"state,date_of_adherence,listed_as_supporter_by,source\nFrance,,2015-10-23,x\n",
    );
    rejected(&env, "supporters", &f, &["s.csv", "missing column `iso3`"]);
}

#[test]
fn unknown_state_code_on_line_17() {
    let env = empty();
    let mut rows = lines(&data("supporters.csv"));
    // Line 17 is the 16th data row (the header is line 1): swap its iso3 field.
    let mut fields: Vec<String> = rows[16].split(',').map(str::to_string).collect();
    fields[1] = "XYZ".into();
    rows[16] = fields.join(",");
    let f = write(&env, "s.csv", rows.join("\n").as_bytes());
    rejected(
        &env,
        "supporters",
        &f,
        &[
            "s.csv line 17, column iso3, value \"XYZ\"",
            "unknown state code",
        ],
    );
}

#[test]
fn impossible_date() {
    let env = empty();
    let mut rows = lines(&data("supporters.csv"));
    rows[3] = rows[3].replacen(",2015-09-01,", ",2015-02-30,", 1);
    let f = write(&env, "s.csv", rows.join("\n").as_bytes());
    rejected(
        &env,
        "supporters",
        &f,
        &[
            "line 4, column listed_as_supporter_by, value \"2015-02-30\"",
            "no such calendar day",
        ],
    );
}

#[test]
fn tally_that_does_not_match_the_votes() {
    let env = empty();
    import(&env, "members", &data("sc_members.csv"));
    import(&env, "vetoes", &data("vetoes.csv"));
    // Turn Ireland's yes on S/2022/720 into an abstention: 9-1-5 against the reported 10-1-4.
    let mut rows = lines(&data("sc_votes.csv"));
    let i = rows
        .iter()
        .position(|l| l.starts_with("S/2022/720,") && l.contains(",IRL,Y,"))
        .unwrap();
    rows[i] = rows[i].replacen(",IRL,Y,", ",IRL,A,", 1);
    let f = write(&env, "votes.csv", rows.join("\n").as_bytes());
    rejected(
        &env,
        "votes",
        &f,
        &[
            "votes.csv line",
            "column vote",
            "S/2022/720",
            "reported tally 10-1-4",
            "9-1-5",
        ],
    );
}

#[test]
fn duplicate_row() {
    let env = empty();
    let mut rows = lines(&data("supporters.csv"));
    let dup = rows[5].clone();
    rows.push(dup);
    let f = write(&env, "s.csv", rows.join("\n").as_bytes());
    rejected(
        &env,
        "supporters",
        &f,
        &[&format!("line {}", rows.len()), "duplicate row", "line 6"],
    );
    // Two votes of one member on one draft.
    import(&env, "members", &data("sc_members.csv"));
    let mut v = lines(&data("sc_votes.csv"));
    let d = v[1].clone();
    v.insert(2, d);
    let f = write(&env, "v.csv", v.join("\n").as_bytes());
    rejected(&env, "votes", &f, &["v.csv line 3", "duplicate row"]);
}

#[test]
fn not_utf8() {
    let env = empty();
    let mut bytes = std::fs::read(data("supporters.csv")).unwrap();
    let pos = bytes.iter().position(|&b| b == b'\n').unwrap() + 3;
    bytes[pos] = 0xff;
    let f = write(&env, "latin1.csv", &bytes);
    rejected(
        &env,
        "supporters",
        &f,
        &["latin1.csv line 2", "not valid UTF-8"],
    );
}

#[test]
fn empty_file() {
    let env = empty();
    let f = write(&env, "empty.csv", b"");
    rejected(&env, "supporters", &f, &["empty.csv", "empty"]);
    let f = write(
        &env,
        "header.csv",
        b"state,iso3,date_of_adherence,listed_as_supporter_by,note,source\n",
    );
    rejected(&env, "supporters", &f, &["header.csv", "no data rows"]);
}

#[test]
fn fifty_megabytes_of_garbage_is_refused_in_bounded_memory() {
    let env = empty();
    let key = env.key("dep");
    // Garbage without line breaks, and random bytes with some.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut random = Vec::with_capacity(50 << 20);
    while random.len() < 50 << 20 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        random.extend_from_slice(&state.to_le_bytes());
    }
    let no_newlines = vec![b'x'; 50 << 20];
    for (name, bytes) in [("garbage.csv", &random), ("oneline.csv", &no_newlines)] {
        let f = env.path(name);
        std::fs::File::create(&f).unwrap().write_all(bytes).unwrap();
        let before = env.verify();
        // Cap the address space: buffering the file whole would need far more than it allows.
        let script = format!(
            "ulimit -v 1000000; exec {} import supporters {} --key {}",
            assert_cmd::cargo::cargo_bin("actledger").display(),
            f.display(),
            key
        );
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(script)
            .env("ACTLEDGER_DIR", env.ledger())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(name) && !err.contains("panicked"), "{err}");
        assert_eq!(env.verify(), before);
    }
}

/// The fixtures of `tests/fixtures/*.before-2026-12-02.csv` are data/ as it was before the
/// update of 2026-12-02 (four meeting dates found, six drafts' votes named per member).
fn fixture(name: &str) -> String {
    format!("{DATA}/../tests/fixtures/{name}")
}

#[test]
fn an_improved_file_corrects_the_facts_it_improves_and_adds_none() {
    let env = empty();
    for (kind, file) in [
        ("members", data("sc_members.csv")),
        ("vetoes", data("vetoes.csv")),
        ("votes", fixture("sc_votes.before-2026-12-02.csv")),
        (
            "meetings",
            fixture("veto_initiative_meetings.before-2026-12-02.csv"),
        ),
    ] {
        import(&env, kind, &file);
    }
    let before = env.verify().0;
    // Four meetings gain a date (and some a record or a press release), one a corroborating
    // source: five corrections, nothing new.
    let s = import(&env, "meetings", &data("veto_initiative_meetings.csv"));
    assert_eq!(
        (
            s["new"].as_u64(),
            s["corrected"].as_u64(),
            s["unchanged"].as_u64()
        ),
        (Some(0), Some(5), Some(12)),
        "{s}"
    );
    // Six drafts' votes now named member by member: the same votes, a better source.
    let s = import(&env, "votes", &data("sc_votes.csv"));
    assert_eq!(s["new"].as_u64(), Some(0), "{s}");
    assert_eq!(s["corrected"].as_u64(), Some(6), "{s}");
    assert_eq!(env.verify().0, before + 11);
    let vi: serde_json::Value =
        serde_json::from_str(env.ok(&["veto-initiative", "--json"]).trim()).unwrap();
    let text = vi.to_string();
    assert!(!text.contains("meeting-undated"), "{text}");
    let meetings: Vec<_> = vi["vetoes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|v| v["meetings"].as_array().unwrap().clone())
        .collect();
    assert!(
        meetings.iter().any(|m| m["date"] == "2023-07-19"),
        "{meetings:?}"
    );
}

/// Issue 17 item 2 through `import`: an improved votes file that turns a veto an Assembly
/// meeting cited into no veto is refused (exit 2), naming the meeting's seq; nothing written.
#[test]
fn an_improved_vote_may_not_undo_a_veto_a_meeting_cited() {
    let env = empty();
    for (kind, file) in [
        ("members", "sc_members.csv"),
        ("vetoes", "vetoes.csv"),
        ("votes", "sc_votes.csv"),
        ("meetings", "veto_initiative_meetings.csv"),
    ] {
        import(&env, kind, &data(file));
    }
    let meeting = env
        .ok(&["log", "--json"])
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|e| {
            let m = &e["body"]["Fact"]["AssemblyMeeting"];
            m["follows"]
                .as_array()
                .is_some_and(|f| f.iter().any(|v| v["draft"] == "S/2022/720"))
        })
        .map(|e| e["seq"].as_u64().unwrap())
        .expect("a meeting cites S/2022/720");
    let before = env.verify();
    // Russia abstains instead of voting against: S/2022/720 would be adopted.
    let votes = std::fs::read_to_string(data("sc_votes.csv")).unwrap();
    let changed = votes.replace(
        "S/2022/720,2022-09-30,Russian Federation,RUS,N,",
        "S/2022/720,2022-09-30,Russian Federation,RUS,A,",
    );
    assert_ne!(changed, votes);
    let f = write(&env, "votes.csv", changed.as_bytes());
    let rec = env.key("rec");
    let err = env.fails(2, &["import", "votes", &f, "--key", &rec]);
    assert!(
        err.contains(&format!("would break the rules for seq {meeting}")),
        "{err}"
    );
    assert!(err.contains("was not vetoed"), "{err}");
    assert_eq!(env.verify(), before, "nothing written");
}
