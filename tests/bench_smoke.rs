//! The benchmark is run by hand (docs/PERFORMANCE.md), so nothing else would notice it break:
//! a small run must complete and print a full row of positive figures. No timing is asserted.
#![allow(clippy::unwrap_used)]

use assert_cmd::cargo::CommandCargoExt;
use std::process::Command;

#[test]
fn a_small_bench_run_prints_a_full_row() {
    let work = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("actledger-bench")
        .unwrap()
        .args(["--sizes", "2000", "--runs", "1", "--work"])
        .arg(work.path())
        .env_remove("ACTLEDGER_BENCH_KEEP")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The cells of the table line that starts with `start`.
    let cells = |start: &str| -> Vec<&str> {
        stdout
            .lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no line starting {start:?} in {stdout}"))
            .split('|')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect()
    };
    let (header, row) = (cells("| events |"), cells("| 2000 |"));
    assert_eq!(row.len(), header.len(), "{stdout}");
    for (name, cell) in header.iter().zip(&row) {
        // The Go peer figure is printed only where Go and its tlog library are installed
        // (CI installs them and sets ACTLEDGER_REQUIRE_GO).
        if name.starts_with("Go tlog")
            && *cell == "no Go"
            && std::env::var_os("ACTLEDGER_REQUIRE_GO").is_none()
        {
            continue;
        }
        let number: String = cell
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let value: f64 = number
            .parse()
            .unwrap_or_else(|_| panic!("{name}: {cell:?}"));
        assert!(value > 0.0, "{name}: {cell:?}");
    }
    // The generated data is removed unless asked to keep it.
    assert_eq!(std::fs::read_dir(work.path()).unwrap().count(), 0);
}
