//! The README's quick start, pasted into a shell exactly as written, must work.
#![allow(clippy::unwrap_used)]

use std::process::Command;

fn quick_start_block() -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let section = readme.split("## Quick start").nth(1).unwrap();
    let block = section.split("```sh").nth(1).unwrap();
    block.split("```").next().unwrap().to_string()
}

#[test]
fn readme_quick_start_runs_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("actledger");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let script = format!("set -euo pipefail\n{}", quick_start_block());
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .env("PATH", path)
        .env_remove("ACTLEDGER_DIR")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "quick start failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("ok: 21 events verified"), "{stdout}");
    assert!(
        stdout.contains("S/2022/720 on 2022-09-30: 10-1-4 vetoed by RUS"),
        "{stdout}"
    );
    assert!(stdout.contains("2 supporters"), "{stdout}");
}

/// The README's first command must name a runnable binary: with a second binary in the
/// package (the bench), `cargo run -p actledger` needs `default-run`.
#[test]
fn readme_first_command_runs_the_tool() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    assert!(readme.contains("cargo run --release -p actledger -- demo"));
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
    assert!(
        manifest.contains("default-run = \"actledger\""),
        "crates/cli/Cargo.toml needs default-run"
    );
}
