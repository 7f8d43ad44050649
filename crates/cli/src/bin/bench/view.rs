//! The view lane's figures (issue 21): peak RSS and time of the commands that hold the
//! replayed view (`export snapshot`, `verify-snapshot`, `compliance --json`, `export html`),
//! the page's size and, when Chromium is installed, its load time in headless Chromium; and
//! `--projections LEDGER`, which times only the in-process supporters + compliance on an
//! existing ledger (the bench's "supporters + compliance" column), for profiling.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use actledger_core::projection::{self, Cutoff, TrustPolicy};
use actledger_store::{Ledger, OpenOptions};
use anyhow::{bail, Context, Result};

use super::actledger;

/// One command's cost.
#[derive(Debug, Default, Clone, Copy)]
pub struct Cost {
    pub seconds: f64,
    pub peak_rss_kib: u64,
}

/// The figures of one size.
#[derive(Debug, Default)]
pub struct ViewRow {
    pub snapshot: Cost,
    pub verify_snapshot: Cost,
    pub compliance: Cost,
    pub html: Cost,
    pub page_bytes: u64,
    /// Files written beside the page, and their bytes.
    pub beside_bytes: u64,
    /// Load time of the page in headless Chromium, minus that of an empty page, in ms;
    /// `None` when Chromium is not installed.
    pub chromium_ms: Option<f64>,
}

/// Runs `actledger args` on `ledger`, its stdout discarded (a 1M-event `compliance --json`
/// is ~0.9 GB), and returns its time and peak RSS (`ACTLEDGER_REPORT_RSS`).
fn run_quiet(ledger: &Path, args: &[&str]) -> Result<Cost> {
    let r = super::run_with(ledger, args, Stdio::null())?;
    Ok(Cost {
        seconds: r.seconds,
        peak_rss_kib: r.peak_rss_kib,
    })
}

/// Seconds headless Chromium takes to load `file` and print its DOM (best of `runs`).
fn chromium_load(bin: &Path, file: &Path, scratch: &Path, runs: usize) -> Result<f64> {
    let mut best = f64::INFINITY;
    for i in 0..runs.max(1) {
        let profile = scratch.join(format!("chromium-profile-{i}"));
        let t = Instant::now();
        let status = Command::new(bin)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-extensions",
                "--disable-background-networking",
                "--dump-dom",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("file://{}", file.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        let s = t.elapsed().as_secs_f64();
        let _ = std::fs::remove_dir_all(&profile);
        if !status.success() {
            bail!("chromium --dump-dom {} failed", file.display());
        }
        best = best.min(s);
    }
    Ok(best)
}

fn dir_bytes(p: &Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Grants a log key on `ledger` (admin key `admin`), signs a checkpoint, then measures the
/// four commands, writing into `dir`.
pub fn bench(ledger: &Path, dir: &Path, admin: &str, runs: usize) -> Result<ViewRow> {
    let log_key = dir.join("log.key");
    let log = log_key.to_str().context("path")?;
    run_quiet(ledger, &["key", "new", "--out", log])?;
    run_quiet(
        ledger,
        &[
            "key",
            "grant",
            "--key",
            admin,
            "--public-from",
            log,
            "--role",
            "log",
            "--holder",
            "log",
        ],
    )?;
    run_quiet(ledger, &["checkpoint", "--key", log])?;
    let vkey_out = Command::new(actledger()?)
        .args([
            "key",
            "show",
            log,
            "--verifier",
            "--origin",
            "bench.example/ledger",
        ])
        .output()?;
    let vkey = dir.join("vkey");
    std::fs::write(&vkey, &vkey_out.stdout)?;
    let mut row = ViewRow::default();
    let snap = dir.join("snap");
    let page = dir.join("page.html");
    let best = |a: Cost, b: Cost| Cost {
        seconds: if a.seconds == 0.0 {
            b.seconds
        } else {
            a.seconds.min(b.seconds)
        },
        peak_rss_kib: a.peak_rss_kib.max(b.peak_rss_kib),
    };
    for _ in 0..runs.max(1) {
        let _ = std::fs::remove_dir_all(&snap);
        let s = snap.to_str().context("path")?;
        row.snapshot = best(
            row.snapshot,
            run_quiet(ledger, &["export", "snapshot", "--out", s])?,
        );
        row.verify_snapshot = best(
            row.verify_snapshot,
            run_quiet(
                ledger,
                &[
                    "verify-snapshot",
                    s,
                    "--vkey",
                    vkey.to_str().context("path")?,
                ],
            )?,
        );
        row.compliance = best(
            row.compliance,
            run_quiet(ledger, &["compliance", "--json"])?,
        );
        let _ = std::fs::remove_file(&page);
        row.html = best(
            row.html,
            run_quiet(
                ledger,
                &["export", "html", "--out", page.to_str().context("path")?],
            )?,
        );
    }
    row.page_bytes = std::fs::metadata(&page)?.len();
    let beside = dir.join("page.data");
    row.beside_bytes = dir_bytes(&beside);
    if let Some(bin) = actledger::browser::chromium() {
        let blank = dir.join("blank.html");
        std::fs::write(
            &blank,
            "<!DOCTYPE html><html><head><title>blank</title></head><body></body></html>\n",
        )?;
        let base = chromium_load(&bin, &blank, dir, runs)?;
        let full = chromium_load(&bin, &page, dir, runs)?;
        row.chromium_ms = Some(((full - base) * 1000.0).max(0.0));
    }
    Ok(row)
}

/// The table of the view lane's figures, one row per size.
pub fn table(rows: &[(u64, ViewRow)]) -> String {
    let mib = |c: &Cost| c.peak_rss_kib / 1024;
    let mut out = String::new();
    out.push_str("| view: events | export snapshot | verify-snapshot | compliance --json | export html | page | files beside it | page load in headless Chromium (minus a blank page) |\n");
    out.push_str("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size, r) in rows {
        out.push_str(&format!(
            "| {size} | {:.1} s, {} MiB | {:.1} s, {} MiB | {:.1} s, {} MiB | {:.1} s, {} MiB | {:.2} MB | {:.1} MB | {} |\n",
            r.snapshot.seconds,
            mib(&r.snapshot),
            r.verify_snapshot.seconds,
            mib(&r.verify_snapshot),
            r.compliance.seconds,
            mib(&r.compliance),
            r.html.seconds,
            mib(&r.html),
            r.page_bytes as f64 / 1e6,
            r.beside_bytes as f64 / 1e6,
            r.chromium_ms.map_or_else(
                || "Chromium not installed".to_string(),
                |ms| format!("{ms:.0} ms")
            ),
        ));
    }
    out
}

/// `--projections LEDGER`: replays the ledger once, then times supporters + compliance (as
/// the bench's "supporters + compliance" column does) `runs` times.
pub fn projections(ledger: &Path, runs: usize) -> Result<()> {
    let l = Ledger::open(ledger, &OpenOptions::default())?;
    let view = actledger_store::replay_view(&l, Cutoff::default(), None, |_| {})?;
    eprintln!(
        "sizes: Standing {} SupporterVote {} Finding {} VoteCompliance {}; compact view {} MB",
        std::mem::size_of::<projection::Standing>(),
        std::mem::size_of::<projection::compliance::SupporterVote>(),
        std::mem::size_of::<projection::compliance::Finding>(),
        std::mem::size_of::<projection::compliance::VoteCompliance>(),
        view.compact_bytes() / 1_000_000
    );
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let policy = TrustPolicy::AllAssessors.resolve(&view);
        let (r, n) = projection::compliance_summary(&view, &policy, None, |_| {});
        std::hint::black_box((r.counts, n));
        println!(
            "compliance counted, not held: {:.0} ms",
            t.elapsed().as_secs_f64() * 1000.0
        );
        let t = Instant::now();
        let list = projection::supporters(&view);
        let policy = TrustPolicy::AllAssessors.resolve(&view);
        let report = projection::compliance(&view, &policy, None);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        std::hint::black_box((list.count, report.counts));
        println!(
            "supporters + compliance of {} votes: {ms:.0} ms",
            view.votes().len()
        );
    }
    Ok(())
}
