//! Headless Chromium for the browser tests (the HTML report, the served page).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub use actledger::browser::chromium;

/// Runs headless Chromium with `args` on `url`, killing it after two minutes; returns
/// (success, stdout, stderr).
pub fn headless(bin: &Path, args: &[&str], url: &str, scratch: &Path) -> (bool, String, String) {
    let profile = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (scratch.join("chromium.out"), scratch.join("chromium.err"));
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{} did not finish within 120 s", bin.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    (
        status.success(),
        std::fs::read_to_string(out_path).unwrap_or_default(),
        std::fs::read_to_string(err_path).unwrap_or_default(),
    )
}

/// Lines of Chromium's log that report something the page said or did in the console
/// (errors, CSP violations, uncaught exceptions).
pub fn console_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect()
}

/// Where CI keeps artefacts: `<target>/artifacts`.
pub fn artifacts_dir() -> PathBuf {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let target = tmp.parent().map_or(tmp.clone(), Path::to_path_buf);
    let dir = target.join("artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Chromium for the browser test `test`: `None` (the test is skipped, and says so) if it is not
/// installed, unless `ACTLEDGER_REQUIRE_CHROMIUM` is set (CI), where that is a failure.
pub fn for_test(test: &str) -> Option<PathBuf> {
    let bin = chromium();
    if bin.is_none() {
        if std::env::var_os("ACTLEDGER_REQUIRE_CHROMIUM").is_some() {
            panic!("ACTLEDGER_REQUIRE_CHROMIUM is set but no chromium is installed");
        }
        eprintln!(
            "SKIPPED {test}: chromium is not installed \
             (apt-get install chromium, or set ACTLEDGER_CHROMIUM); .ci/run installs it"
        );
    }
    bin
}

/// Takes a screenshot of `url` (`width`×`height`) into `artifacts/NAME` and checks it is a PNG
/// that is not blank; returns its path.
pub fn screenshot(bin: &Path, url: &str, name: &str, size: (u32, u32), scratch: &Path) -> PathBuf {
    let png = artifacts_dir().join(name);
    let _ = std::fs::remove_file(&png);
    let shot = format!("--screenshot={}", png.display());
    let window = format!("--window-size={},{}", size.0, size.1);
    let (ok, _, err) = headless(bin, &[&shot, &window], url, scratch);
    assert!(ok, "chromium --screenshot failed:\n{err}");
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(
        bytes.len() > 20_000,
        "a blank screenshot? {} bytes",
        bytes.len()
    );
    png
}
