//! Every bad input: exit 2, a one-line message naming the field and value, nothing written.
#![allow(clippy::unwrap_used)]

mod util;

use std::os::unix::fs::PermissionsExt;

use util::Env;

/// Runs `args`, expects exit 2 with `needle` in the message, and the ledger unchanged.
fn rejected(env: &Env, args: &[&str], needle: &str) {
    let before = env.verify();
    let err = env.fails(2, args);
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
    assert_eq!(
        err.trim_end()
            .lines()
            .filter(|l| l.starts_with("error"))
            .count(),
        1,
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(env.verify(), before, "ledger changed after {args:?}");
}

fn setup() -> (Env, String, String, String) {
    let env = Env::new();
    env.standard();
    let dep = env.key("dep");
    let rec = env.key("rec");
    let admin = env.key("admin");
    env.adherence("GBR", "2015-10-01");
    (env, dep, rec, admin)
}

#[test]
fn unknown_state_code() {
    let (env, dep, _, _) = setup();
    rejected(
        &env,
        &[
            "record",
            "--key",
            &dep,
            "adherence",
            "--state",
            "XYZ",
            "--date",
            "2015-10-01",
            "--source",
            "s",
        ],
        "unknown state code \"XYZ\"",
    );
    rejected(
        &env,
        &[
            "record",
            "--key",
            &dep,
            "adherence",
            "--state",
            "fra",
            "--date",
            "2015-10-01",
            "--source",
            "s",
        ],
        "\"fra\"",
    );
}

#[test]
fn malformed_date_and_symbol() {
    let (env, dep, rec, _) = setup();
    rejected(
        &env,
        &[
            "record",
            "--key",
            &dep,
            "adherence",
            "--state",
            "FRA",
            "--date",
            "2015-02-30",
            "--source",
            "s",
        ],
        "2015-02-30",
    );
    rejected(
        &env,
        &[
            "record",
            "--key",
            &dep,
            "adherence",
            "--state",
            "FRA",
            "--date",
            "23/10/2015",
            "--source",
            "s",
        ],
        "23/10/2015",
    );
    rejected(
        &env,
        &[
            "record",
            "--key",
            &rec,
            "vote",
            "--draft",
            "S/22/720",
            "--date",
            "2022-09-30",
            "--yes",
            "FRA",
            "--source",
            "s",
        ],
        "invalid draft symbol \"S/22/720\"",
    );
    rejected(
        &env,
        &[
            "record",
            "--key",
            &rec,
            "vote",
            "--draft",
            "S/2022/720",
            "--meeting",
            "PV 9143",
            "--date",
            "2022-09-30",
            "--yes",
            "FRA",
            "--source",
            "s",
        ],
        "\"PV 9143\"",
    );
}

#[test]
fn date_in_the_future() {
    let (env, dep, _, _) = setup();
    rejected(
        &env,
        &[
            "record",
            "--key",
            &dep,
            "adherence",
            "--state",
            "FRA",
            "--date",
            "2099-01-01",
            "--source",
            "s",
        ],
        "2099-01-01 is in the future",
    );
}

#[test]
fn second_adherence() {
    let (env, dep, _, _) = setup();
    rejected(
        &env,
        &[
            "record",
            "--key",
            &dep,
            "adherence",
            "--state",
            "GBR",
            "--date",
            "2016-01-01",
            "--source",
            "s",
        ],
        "GBR (United Kingdom) already adhered at seq",
    );
}

#[test]
fn vote_by_a_state_not_on_the_council() {
    let (env, _, rec, _) = setup();
    rejected(
        &env,
        &[
            "record",
            "--key",
            &rec,
            "vote",
            "--draft",
            "S/2022/720",
            "--date",
            "2022-09-30",
            "--yes",
            "FRA,GBR,USA,ALB,GHA,IRL,KEN,MEX,NOR,DEU",
            "--no",
            "RUS",
            "--abstain",
            "CHN,BRA,GAB,IND",
            "--source",
            "s",
        ],
        "DEU (Germany) on 2022-09-30: it was not on the Council",
    );
    // Fewer than 15 members.
    rejected(
        &env,
        &[
            "record",
            "--key",
            &rec,
            "vote",
            "--draft",
            "S/2022/720",
            "--date",
            "2022-09-30",
            "--yes",
            "FRA,GBR",
            "--source",
            "s",
        ],
        "all 15 members",
    );
    // A state given two votes (the rule lives in core; the CLI only collects the flags).
    rejected(
        &env,
        &[
            "record",
            "--key",
            &rec,
            "vote",
            "--draft",
            "S/2022/720",
            "--date",
            "2022-09-30",
            "--yes",
            "FRA,GBR",
            "--no",
            "FRA",
            "--source",
            "s",
        ],
        "FRA (France) is given more than one vote",
    );
    // No membership recorded that year.
    rejected(
        &env,
        &[
            "record",
            "--key",
            &rec,
            "vote",
            "--draft",
            "S/2019/1",
            "--date",
            "2019-09-30",
            "--yes",
            "FRA,GBR,USA,ALB,GHA,IRL,KEN,MEX,NOR,ARE",
            "--no",
            "RUS",
            "--abstain",
            "CHN,BRA,GAB,IND",
            "--source",
            "s",
        ],
        "no Council membership is recorded for 2019-09-30",
    );
}

#[test]
fn key_without_the_role() {
    let (env, _, rec, admin) = setup();
    rejected(
        &env,
        &[
            "record",
            "--key",
            &rec,
            "adherence",
            "--state",
            "FRA",
            "--date",
            "2015-10-01",
            "--source",
            "s",
        ],
        "lacks the depositary role",
    );
    let stranger = env.key("stranger");
    rejected(
        &env,
        &[
            "record",
            "--key",
            &stranger,
            "adherence",
            "--state",
            "FRA",
            "--date",
            "2015-10-01",
            "--source",
            "s",
        ],
        "is not a key of this ledger",
    );
    rejected(
        &env,
        &util::grant_args(&rec, &stranger, "depositary", "x"),
        "lacks the administrator role",
    );
    // A revoked key signs nothing after its revocation.
    let dep = env.key("dep");
    env.ok(&[
        "key",
        "revoke",
        "--key",
        &admin,
        "--public-from",
        &dep,
        "--reason",
        "rotated",
    ]);
    rejected(
        &env,
        &[
            "record",
            "--key",
            &dep,
            "adherence",
            "--state",
            "FRA",
            "--date",
            "2015-10-01",
            "--source",
            "s",
        ],
        "was revoked at seq",
    );
    rejected(
        &env,
        &util::grant_args(&admin, &dep, "depositary", "x"),
        "cannot be granted a role again",
    );
    // The last administrator cannot be revoked.
    rejected(
        &env,
        &[
            "key",
            "revoke",
            "--key",
            &admin,
            "--public-from",
            &admin,
            "--reason",
            "x",
        ],
        "last administrator key",
    );
}

#[test]
fn wrong_or_unreadable_key_file() {
    let (env, _, _, _) = setup();
    let bogus = env.path("bogus.key");
    std::fs::write(&bogus, "hello\n").unwrap();
    std::fs::set_permissions(&bogus, std::fs::Permissions::from_mode(0o600)).unwrap();
    let b = bogus.to_str().unwrap();
    rejected(
        &env,
        &[
            "record",
            "--key",
            b,
            "adherence",
            "--state",
            "FRA",
            "--date",
            "2015-10-01",
            "--source",
            "s",
        ],
        "not an actledger key file",
    );
    let missing = env.path("missing.key");
    rejected(
        &env,
        &[
            "record",
            "--key",
            missing.to_str().unwrap(),
            "adherence",
            "--state",
            "FRA",
            "--date",
            "2015-10-01",
            "--source",
            "s",
        ],
        "missing.key",
    );
    // World-readable key files are refused (and the secret never printed).
    let dep = env.key("dep");
    std::fs::set_permissions(&dep, std::fs::Permissions::from_mode(0o644)).unwrap();
    let secret = std::fs::read_to_string(&dep)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_string();
    let before = env.verify();
    let err = env.fails(
        2,
        &[
            "record",
            "--key",
            &dep,
            "adherence",
            "--state",
            "FRA",
            "--date",
            "2015-10-01",
            "--source",
            "s",
        ],
    );
    assert!(err.contains("readable by group or others"), "{err}");
    assert!(!err.contains(&secret));
    assert_eq!(env.verify(), before);
}

#[test]
fn key_new_refuses_to_overwrite() {
    let env = Env::new();
    let k = env.key("a");
    let before = std::fs::read(&k).unwrap();
    let err = env.fails(2, &["key", "new", "--out", &k]);
    assert!(err.contains("refusing to overwrite"), "{err}");
    assert_eq!(std::fs::read(&k).unwrap(), before);
}

#[test]
fn init_twice_and_missing_ledger() {
    let (env, _, _, admin) = setup();
    rejected(
        &env,
        &["init", "--origin", "x.example/l", "--admin-key", &admin],
        "already exists",
    );
    let other = Env::new();
    let err = other.fails(2, &["verify"]);
    assert!(err.contains("no ledger at"), "{err}");
    assert!(!other.ledger().exists(), "verify created a directory");
}

#[test]
fn second_process_gets_ledger_in_use() {
    let (env, dep, _, _) = setup();
    // Hold the lock from another process.
    let lock = env.ledger().join("ledger.lock");
    let mut holder = std::process::Command::new("flock")
        .arg(&lock)
        .arg("sleep")
        .arg("5")
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let err = env.fails(
        2,
        &[
            "record",
            "--key",
            &dep,
            "adherence",
            "--state",
            "FRA",
            "--date",
            "2015-10-01",
            "--source",
            "s",
        ],
    );
    assert!(err.contains("is in use by process"), "{err}");
    holder.kill().unwrap();
    holder.wait().unwrap();
}
