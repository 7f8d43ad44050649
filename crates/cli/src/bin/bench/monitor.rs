//! `actledger-bench --monitor`: the distrustful side's figures (issue 19, docs/PERFORMANCE.md
//! "Monitor and witness"), each beside its peer measured in the same run:
//! - `monitor --once` catching up the whole log from `actledger serve` over loopback, events/s,
//!   beside `verify` of the same ledger locally (alternating, best of `runs` each);
//! - a new event noticed and verified by `monitor --interval 0`: from the moment `POST
//!   /checkpoint` has published it to the monitor's line naming the new size (p50/p99), beside
//!   that publication's own latency (`POST /checkpoint`: sign and store durably); each event
//!   after 100-150 ms of quiet, when the monitor's pause between polls is its longest;
//! - a witness's `add-checkpoint` (`witness serve`, one request, its state synced) p50/p99,
//!   beside the same `POST /checkpoint`.

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use actledger_core::event::{DraftTabled, EventBody, Fact};
use actledger_core::note::{Note, VerifierKey};
use actledger_core::{DraftSymbol, SigningKey, Text};
use actledger_http::client::{join, Client};
use actledger_http::http_log::HttpLog;
use actledger_http::serve::remote::RemoteLog;
use actledger_http::witness::WitnessClient;
use anyhow::{bail, Context, Result};

use super::{actledger, run};

/// What `--monitor` measured for one ledger.
pub struct MonitorRow {
    pub events: u64,
    pub verify_rate: f64,
    pub monitor_rate: f64,
    pub notice_ms: (f64, f64),
    pub publish_ms: (f64, f64),
    pub witness_ms: (f64, f64),
    pub samples: usize,
}

/// A child killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `actledger ARGS` and reads the first `http://` word it prints.
fn start(args: &[&str]) -> Result<(Running, String)> {
    let mut child = Command::new(actledger()?)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().context("stdout")?).read_line(&mut line)?;
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .with_context(|| format!("no address in {line:?}"))?
        .to_string();
    Ok((Running(child), url))
}

fn serve(ledger: &Path, log_key: &str) -> Result<(Running, String)> {
    let l = ledger.to_str().context("path")?;
    start(&[
        "--ledger",
        l,
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--log-key",
        log_key,
    ])
}

fn percentiles(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize];
    (at(0.5), at(0.99))
}

fn draft(i: u32) -> Result<EventBody> {
    Ok(EventBody::Fact(Fact::DraftTabled(DraftTabled {
        draft: DraftSymbol::new(2041, i + 1)?,
        subject: Text::new("monitor bench")?,
        agenda_item: Text::empty(),
        penholders: vec![],
        tabled_on: None,
        reported_vote: None,
        source: Text::new("actledger-bench --monitor")?,
        note: Text::empty(),
    })))
}

/// Measures `ledger` (which `log_key` may sign for and `rec` append to): see the module docs.
pub fn bench(
    ledger: &Path,
    work: &Path,
    log_key: &str,
    rec: &str,
    runs: usize,
    samples: usize,
) -> Result<MonitorRow> {
    let vkey = run(ledger, &["key", "show", log_key, "--verifier"])?
        .stdout
        .trim()
        .to_string();
    let state = work.join("monitor-state");
    let mut row = MonitorRow {
        events: 0,
        verify_rate: 0.0,
        monitor_rate: 0.0,
        notice_ms: (0.0, 0.0),
        publish_ms: (0.0, 0.0),
        witness_ms: (0.0, 0.0),
        samples,
    };
    // 1. Catch-up against verify, alternating.
    for r in 0..runs {
        eprintln!(
            "[monitor] run {}: verify, then monitor --once over loopback",
            r + 1
        );
        let v = run(ledger, &["verify", "--json"])?;
        let summary: serde_json::Value = serde_json::from_str(v.stdout.trim())?;
        row.events = summary["events"].as_u64().context("verify output")?;
        row.verify_rate = row.verify_rate.max(row.events as f64 / v.seconds);
        let (_server, url) = serve(ledger, log_key)?;
        let _ = std::fs::remove_dir_all(&state);
        let st = state.to_str().context("path")?;
        let m = run(
            ledger,
            &[
                "monitor",
                &url,
                "--vkey",
                &vkey,
                "--state",
                st,
                "--once",
                "--json",
                "--timeout",
                "60",
            ],
        )?;
        let p: serde_json::Value = serde_json::from_str(m.stdout.trim())?;
        let n = p["new_events"].as_u64().context("monitor output")?;
        if n + 1 < row.events {
            bail!("the monitor verified {n} events of {}", row.events);
        }
        row.monitor_rate = row.monitor_rate.max(n as f64 / m.seconds);
    }
    // 2. One new event at a time, followed at --interval 0; 3. a witness cosigning each.
    eprintln!("[monitor] latency: {samples} appends, each published and cosigned");
    let (_server, url) = serve(ledger, log_key)?;
    let wkey = work.join("witness.key");
    let _ = std::fs::remove_file(&wkey);
    let wk = wkey.to_str().context("path")?;
    run(ledger, &["key", "new", "--out", wk])?;
    let wvkey = run(
        ledger,
        &[
            "key",
            "show",
            wk,
            "--verifier",
            "--cosignature",
            "--origin",
            "bench-witness",
        ],
    )?
    .stdout
    .trim()
    .to_string();
    let wstate = work.join("witness-state");
    let _ = std::fs::remove_dir_all(&wstate);
    let (_witness, wurl) = start(&[
        "witness",
        "serve",
        "--key",
        wk,
        "--log",
        &vkey,
        "--state",
        wstate.to_str().context("path")?,
        "--listen",
        "127.0.0.1:0",
        "--name",
        "bench-witness",
    ])?;
    let st = state.to_str().context("path")?;
    let mut mon = Command::new(actledger()?)
        .args([
            "monitor",
            &url,
            "--vkey",
            &vkey,
            "--state",
            st,
            "--interval",
            "0",
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let out = mon.stdout.take().context("stdout")?;
    let _mon = Running(mon);
    let (tx, rx) = mpsc::channel::<(Instant, u64)>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            let size = serde_json::from_str::<serde_json::Value>(&line)
                .ok()
                .and_then(|v| v["size"].as_u64())
                .unwrap_or(0);
            if tx.send((Instant::now(), size)).is_err() {
                break;
            }
        }
    });
    let key = SigningKey::from_key_file(&std::fs::read_to_string(rec)?)
        .map_err(|e| anyhow::anyhow!("{rec}: {e}"))?;
    let wvk = VerifierKey::parse(&wvkey).map_err(|e| anyhow::anyhow!("{e}"))?;
    let remote = RemoteLog::new(&url);
    let http = Client::new(Duration::from_secs(60), 1 << 20);
    let witness = WitnessClient::new();
    let (mut notice, mut publish, mut cosign) = (Vec::new(), Vec::new(), Vec::new());
    let mut cosigned = 0u64;
    for i in 0..samples {
        // The log stays quiet for 100-150 ms first, so the monitor's pause has grown to its
        // longest (50 ms at --interval 0) when the event comes, as on a log that grows now
        // and then; the added 0-50 ms (deterministic) spread the publications over it.
        std::thread::sleep(Duration::from_millis(100 + (i as u64 * 37) % 50));
        let landed = remote.append(&key, &draft(u32::try_from(i)?)?)?;
        let size = landed.seq.0 + 1;
        let t0 = Instant::now();
        let r = http.post(&join(&url, "checkpoint"), "text/plain", b"")?;
        if r.status != 200 {
            bail!("POST /checkpoint answered {}: {}", r.status, r.text());
        }
        let published = Instant::now();
        publish.push((published - t0).as_secs_f64() * 1000.0);
        // The monitor's line for the new size (earlier lines are polls before it).
        let seen = loop {
            let (at, s) = rx
                .recv_timeout(Duration::from_secs(30))
                .context("the monitor printed nothing for 30 s")?;
            if s >= size {
                break at;
            }
        };
        notice.push(seen.saturating_duration_since(published).as_secs_f64() * 1000.0);
        // The witness: one add-checkpoint from the size it cosigned last.
        let note = Note::parse(&r.text()).map_err(|e| anyhow::anyhow!("{e}"))?;
        let tiles = HttpLog::new(&url, Duration::from_secs(60), size);
        let old = cosigned;
        let prove = |from: u64| {
            if from == 0 {
                Ok(Vec::new())
            } else {
                actledger_store::consistency_proof(&tiles, from, size).map_err(|e| e.to_string())
            }
        };
        // The proof from the size cosigned last is made before the clock starts: the figure
        // is the witness's.
        let ready = prove(old);
        let mut proof = |from: u64| {
            if from == old {
                ready.clone()
            } else {
                prove(from)
            }
        };
        let t = Instant::now();
        witness
            .cosign(&wurl, &wvk, &note, old, &mut proof)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        cosign.push(t.elapsed().as_secs_f64() * 1000.0);
        cosigned = size;
    }
    row.notice_ms = percentiles(notice);
    row.publish_ms = percentiles(publish);
    row.witness_ms = percentiles(cosign);
    Ok(row)
}
