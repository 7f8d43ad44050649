//! Go's sumdb/tlog (an independent implementation) reads the served tiles over HTTP and
//! proves every entry against the served checkpoint (tests/go/tlogcheck).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::server::{demo, Server};
use crate::util::Env;

fn go() -> Option<PathBuf> {
    let found = Command::new("go").arg("version").output().ok()?;
    let lib = Path::new("/usr/share/gocode/src/golang.org/x/mod/sumdb/tlog");
    (found.status.success() && lib.is_dir()).then(|| PathBuf::from("go"))
}

/// Runs tlogcheck in GOPATH mode against the Debian copy of golang.org/x/mod (no network).
pub fn tlogcheck(env: &Env, url: &str, vkey: &str, old: &[u64]) -> std::process::Output {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/go/tlogcheck");
    Command::new("go")
        .current_dir(&dir)
        .args(["run", "main.go", url, vkey])
        .args(old.iter().map(u64::to_string))
        .env("GO111MODULE", "off")
        .env("GOPATH", "/usr/share/gocode")
        .env("GOCACHE", env.path("gocache"))
        .env("GOFLAGS", "")
        .env("CGO_ENABLED", "0")
        .output()
        .unwrap()
}

/// Whether Go can run here; panics if it must (CI sets ACTLEDGER_REQUIRE_GO).
pub fn have_go(test: &str) -> bool {
    if go().is_some() {
        return true;
    }
    if std::env::var_os("ACTLEDGER_REQUIRE_GO").is_some() {
        panic!("ACTLEDGER_REQUIRE_GO is set but go or golang-golang-x-mod-dev is not installed");
    }
    eprintln!(
        "SKIPPED {test}: go is not installed (apt-get install golang-go golang-golang-x-mod-dev); .ci/run installs it"
    );
    false
}

#[test]
fn go_tlog_proves_every_served_entry() {
    if !have_go("go_tlog_proves_every_served_entry") {
        return;
    }
    let env = Env::new();
    let log = demo(&env);
    let vkey = env
        .ok(&["key", "show", &log, "--verifier"])
        .trim()
        .to_string();
    let server = Server::start(&env.ledger(), &["--log-key", &log]);
    let out = tlogcheck(&env, &server.url, &vkey, &[1, 255, 256, 257]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "tlogcheck failed:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let size = server.get("head").text();
    let size: serde_json::Value = serde_json::from_str(&size).unwrap();
    let want = format!("size {n} root", n = size["size"].as_u64().unwrap());
    assert!(
        stdout.starts_with("ok: actledger.example/act-code-demo "),
        "{stdout}"
    );
    assert!(stdout.contains(&want), "{stdout}");
    assert!(
        stdout.contains(&format!("{} entries proven", size["size"])),
        "{stdout}"
    );

    // The log grows through the server (a remote recorder); the new checkpoint is signed on
    // request, and Go proves every entry against it and its consistency with the old size.
    let old = size["size"].as_u64().unwrap();
    let rec = env.ledger().join("keys/recorder.key");
    for n in 1..=3 {
        env.ok(&[
            "record",
            "--remote",
            &server.url,
            "--key",
            rec.to_str().unwrap(),
            "draft",
            "--draft",
            &format!("S/2036/{n}"),
            "--subject",
            "x",
            "--source",
            "s",
        ]);
    }
    let cp = server
        .client
        .post(&server.url("checkpoint"), "text/plain", b"")
        .unwrap();
    assert_eq!(cp.status, 200, "{}", cp.text());
    let out = tlogcheck(&env, &server.url, &vkey, &[old, 1]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "tlogcheck after growth failed:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("size {} root", old + 3)),
        "{stdout}"
    );

    // The check can fail: another key does not open the checkpoint.
    let other = env.key("other");
    let wrong = env
        .ok(&[
            "key",
            "show",
            &other,
            "--verifier",
            "--origin",
            "actledger.example/act-code-demo",
        ])
        .trim()
        .to_string();
    let out = tlogcheck(&env, &server.url, &wrong, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("checkpoint does not verify"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    server.stop();
}
