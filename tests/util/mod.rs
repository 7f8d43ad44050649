//! Shared helpers for the end-to-end tests: run the real `actledger` binary in a temp dir.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

pub mod chromium;

/// Members of the Council in 2022 (sc_members.csv).
pub const P5: [&str; 5] = ["CHN", "FRA", "GBR", "RUS", "USA"];
pub const E10_2022: [&str; 10] = [
    "ALB", "ARE", "BRA", "GAB", "GHA", "IND", "IRL", "KEN", "MEX", "NOR",
];

/// The `actledger` binary, with no ledger set and `RUST_LOG` cleared: the one runner every
/// end-to-end test uses (a `std` command, so a test can spawn, pipe and kill it; [`Env::cmd`]
/// wraps it for `assert_cmd`).
pub fn actledger() -> std::process::Command {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("actledger"));
    c.env_remove("ACTLEDGER_DIR").env_remove("RUST_LOG");
    c
}

/// [`actledger`] on the ledger at `ledger`.
pub fn actledger_on(ledger: &Path) -> std::process::Command {
    let mut c = actledger();
    c.env("ACTLEDGER_DIR", ledger);
    c
}

/// `key grant` arguments: `signer` grants `role` to the key of the key file `subject`.
pub fn grant_args<'a>(
    signer: &'a str,
    subject: &'a str,
    role: &'a str,
    holder: &'a str,
) -> [&'a str; 10] {
    [
        "key",
        "grant",
        "--key",
        signer,
        "--public-from",
        subject,
        "--role",
        role,
        "--holder",
        holder,
    ]
}

/// `record adherence` arguments: `key` records `state`'s letter of 2015-10-01 from `source`.
pub fn adherence_args<'a>(key: &'a str, state: &'a str, source: &'a str) -> [&'a str; 10] {
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
        source,
    ]
}

/// A temp directory with a ledger path and key files.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn ledger(&self) -> PathBuf {
        self.path("ledger")
    }

    /// `actledger ARGS` with `--ledger` set, in the temp dir.
    pub fn cmd(&self) -> Command {
        let mut c = actledger_on(&self.ledger());
        c.current_dir(self.dir.path());
        Command::from_std(c)
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Runs and asserts exit 0; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "actledger {args:?} failed ({:?}):\n{}{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and asserts exit `code`; returns stderr.
    pub fn fails(&self, code: i32, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "actledger {args:?}: expected exit {code}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    pub fn key(&self, name: &str) -> String {
        let p = self.path(&format!("{name}.key"));
        if !p.exists() {
            self.ok(&["key", "new", "--out", p.to_str().unwrap()]);
        }
        p.to_str().unwrap().to_string()
    }

    /// Records `state`'s adherence letter of `date` (source "s") with the `dep` key, which
    /// [`Env::standard`] grants the depositary role.
    pub fn adherence(&self, state: &str, date: &str) {
        self.adherence_in(&self.ledger(), state, date);
    }

    /// Runs `args` on the ledger at `ledger` (a fork copied from this one, say) and asserts
    /// exit 0; returns stdout.
    pub fn ok_in(&self, ledger: &Path, args: &[&str]) -> String {
        let mut v = vec!["--ledger", ledger.to_str().unwrap()];
        v.extend_from_slice(args);
        self.ok(&v)
    }

    /// Records an adherence letter (key `dep`) in the ledger at `ledger`.
    pub fn adherence_in(&self, ledger: &Path, state: &str, date: &str) {
        let dep = self.key("dep");
        self.ok_in(
            ledger,
            &[
                "record",
                "--key",
                &dep,
                "adherence",
                "--state",
                state,
                "--date",
                date,
                "--source",
                "s",
            ],
        );
    }

    /// Grants `role` to the key `name` (created if needed) with the `admin` key, recording
    /// `name` as its holder.
    pub fn grant(&self, name: &str, role: &str) {
        let admin = self.key("admin");
        let k = self.key(name);
        self.ok(&grant_args(&admin, &k, role, name));
    }

    /// Records a Council term of `state` (`seat` permanent or elected) with the `rec` key.
    pub fn term(&self, state: &str, seat: &str, from: &str, to: &str) {
        let rec = self.key("rec");
        self.ok(&[
            "record",
            "--key",
            &rec,
            "term",
            "--state",
            state,
            "--seat",
            seat,
            "--from",
            from,
            "--to",
            to,
            "--source",
            "sc_members.csv",
        ]);
    }

    /// [`Env::standard`], a `log` key, three adherence letters and a first checkpoint; returns
    /// the log's verifier key (also written to the file `vkey`).
    pub fn with_checkpoint(&self) -> String {
        self.standard();
        self.grant("log", "log");
        for (s, d) in [
            ("GBR", "2015-10-01"),
            ("FRA", "2015-10-23"),
            ("MEX", "2015-10-23"),
        ] {
            self.adherence(s, d);
        }
        let log = self.key("log");
        self.ok(&["checkpoint", "--key", &log]);
        let vkey = self
            .ok(&["key", "show", &log, "--verifier"])
            .trim()
            .to_string();
        assert!(vkey.starts_with("test.example/ledger+"), "{vkey}");
        std::fs::write(self.path("vkey"), &vkey).unwrap();
        vkey
    }

    /// `export html --as-of DATE` into the file `p.html`; returns the page.
    pub fn html_as_of(&self, date: &str) -> String {
        let page = self.path("p.html");
        self.ok(&[
            "export",
            "html",
            "--out",
            page.to_str().unwrap(),
            "--as-of",
            date,
        ]);
        std::fs::read_to_string(&page).unwrap()
    }

    /// `verify --json` → (events, head).
    pub fn verify(&self) -> (u64, String) {
        let out = self.ok(&["verify", "--json"]);
        let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(v["ok"], true);
        (
            v["events"].as_u64().unwrap(),
            v["head"].as_str().unwrap().to_string(),
        )
    }

    /// A ledger with administrator, depositary, recorder and assessor keys, and the 2022
    /// Council recorded.
    pub fn standard(&self) {
        let admin = self.key("admin");
        self.ok(&[
            "init",
            "--origin",
            "test.example/ledger",
            "--admin-key",
            &admin,
        ]);
        for (name, role) in [
            ("dep", "depositary"),
            ("rec", "recorder"),
            ("assessor", "assessor"),
        ] {
            self.grant(name, role);
        }
        for s in P5 {
            self.term(s, "permanent", "2022-01-01", "2022-12-31");
        }
        for s in E10_2022 {
            self.term(s, "elected", "2022-01-01", "2022-12-31");
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.ledger().join("db")
    }
}

pub fn exists(p: &Path) -> bool {
    p.exists()
}
