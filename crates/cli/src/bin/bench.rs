//! `actledger-bench`: builds synthetic ledgers of 10k, 100k and 1M events through the real
//! `actledger` commands and measures each cost beside the raw cryptographic floor measured in
//! the same run (docs/PERFORMANCE.md). Run it in release mode:
//!
//! ```sh
//! cargo run --release -p actledger --bin actledger-bench -- --sizes 10000,100000,1000000
//! ```

#![forbid(unsafe_code)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use actledger_core::batch::SignatureBatch;
use actledger_core::projection::{self, Cutoff, TrustPolicy};
use actledger_core::{chain, StateCode};
use actledger_store::{Ledger, LogReader, OpenOptions, SIGNATURE_BATCH as BATCH};
use anyhow::{bail, Context, Result};
use ed25519_dalek::Signer as _;
use rayon::prelude::*;

const P5: [&str; 5] = ["CHN", "FRA", "GBR", "RUS", "USA"];
const FIRST_YEAR: i32 = 1946;
const LAST_YEAR: i32 = 2025;

/// A small deterministic generator (xorshift), so every run builds the same ledgers.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

struct Files {
    members: PathBuf,
    supporters: PathBuf,
    vetoes: PathBuf,
    votes: PathBuf,
    meetings: PathBuf,
    holidays: PathBuf,
}

/// The Council of `year`: the P5 and ten elected members (rotating through the UN list).
fn council(year: i32, elected_pool: &[StateCode]) -> Vec<StateCode> {
    let mut v: Vec<StateCode> = P5.iter().filter_map(|s| s.parse().ok()).collect();
    let start = usize::try_from(year - FIRST_YEAR).unwrap_or(0) * 5;
    for i in 0..10 {
        v.push(elected_pool[(start + i) % elected_pool.len()]);
    }
    v
}

/// Writes CSV files whose import gives about `n` events: Council terms for 80 years, 100
/// supporters, a holiday calendar per year, and drafts with their per-member votes (half of
/// them vetoed and listed with their reported tally), and an Assembly meeting after one veto
/// in ten.
fn generate(dir: &Path, n: u64) -> Result<(Files, u64)> {
    let pool: Vec<StateCode> = StateCode::all()
        .filter(|s| !s.is_permanent_member() && s.as_str() != "PSE" && s.as_str() != "VAT")
        .collect();
    let years = (LAST_YEAR - FIRST_YEAR + 1) as u64;
    let fixed = years * 15 + 100 + years;
    // Per draft: 1 vote, 1/2 draft record, 1/20 meeting.
    let drafts = (n.saturating_sub(fixed) * 20 / 31).max(years);
    let f = Files {
        members: dir.join("members.csv"),
        supporters: dir.join("supporters.csv"),
        vetoes: dir.join("vetoes.csv"),
        votes: dir.join("votes.csv"),
        meetings: dir.join("meetings.csv"),
        holidays: dir.join("holidays.csv"),
    };
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut members = String::from("year,member_state,iso3,seat,note,source\n");
    let mut holidays = String::from("date,name,year,circular,source\n");
    for y in FIRST_YEAR..=LAST_YEAR {
        for (i, s) in council(y, &pool).iter().enumerate() {
            let seat = if i < 5 { "permanent" } else { "elected" };
            writeln!(
                members,
                "{y},{},{s},{seat},,synthetic membership",
                s.name().replace(',', " ")
            )?;
        }
        writeln!(
            holidays,
            "{y}-12-25,Christmas Day,{y},synthetic,synthetic calendar"
        )?;
    }
    std::fs::write(&f.members, members)?;
    std::fs::write(&f.holidays, holidays)?;
    let mut supporters =
        String::from("state,iso3,date_of_adherence,listed_as_supporter_by,note,source\n");
    for s in pool.iter().take(100) {
        writeln!(
            supporters,
            "{},{s},2015-10-23,,,synthetic adherence letter",
            s.name().replace(',', " ")
        )?;
    }
    std::fs::write(&f.supporters, supporters)?;
    let mut vetoes = std::io::BufWriter::new(std::fs::File::create(&f.vetoes)?);
    let mut votes = std::io::BufWriter::new(std::fs::File::create(&f.votes)?);
    let mut meetings = std::io::BufWriter::new(std::fs::File::create(&f.meetings)?);
    writeln!(vetoes, "date,draft_symbol,draft_symbol_confidence,meeting_record,vetoing_members,veto_on,agenda_item,subject,tally_yes_no_abstain,tally_source,source,notes")?;
    writeln!(
        votes,
        "draft_symbol,vote_date,member_state,iso3,vote,seat,method,source"
    )?;
    writeln!(meetings, "meeting_date,veto_date,veto_draft_symbol,vetoing_members,ga_session,meeting_symbols,meeting_format,press_release,notes,source")?;
    let per_year = drafts.div_ceil(years);
    let mut events = fixed;
    let mut meeting_no = 0u64;
    for d in 0..drafts {
        let year = FIRST_YEAR + i32::try_from(d / per_year).unwrap_or(0);
        let number = d % per_year + 1;
        let month = 1 + rng.below(10);
        let day = 1 + rng.below(28);
        let date = format!("{year}-{month:02}-{day:02}");
        let sym = format!("S/{year}/{number}");
        let members = council(year, &pool);
        let vetoed = d % 2 == 0;
        let vetoer = P5[usize::try_from(rng.below(5)).unwrap_or(0)];
        let mut tally = (0, 0, 0);
        for (i, s) in members.iter().enumerate() {
            let v = if vetoed && s.as_str() == vetoer {
                "N"
            } else if i >= 12 {
                "A"
            } else {
                "Y"
            };
            match v {
                "Y" => tally.0 += 1,
                "N" => tally.1 += 1,
                _ => tally.2 += 1,
            }
            writeln!(
                votes,
                "{sym},{date},{},{s},{v},{},synthetic,https://press.un.org/synthetic/{sym}",
                s.name().replace(',', " "),
                if i < 5 { "permanent" } else { "elected" }
            )?;
        }
        events += 1;
        if vetoed {
            let name =
                StateCode::from_name(vetoer).map_or(vetoer.to_string(), |s| s.name().to_string());
            let name = vetoer
                .parse::<StateCode>()
                .map(|s| s.name().to_string())
                .unwrap_or(name);
            writeln!(
                vetoes,
                "{date},{sym},high,S/PV.{},{name},draft resolution,The situation in a synthetic region,Protection of civilians in a synthetic conflict (draft {d}),{}-{}-{},synthetic,https://press.un.org/synthetic/{sym},",
                10_000 + d,
                tally.0, tally.1, tally.2
            )?;
            events += 1;
            if d % 20 == 0 && month <= 9 {
                meeting_no += 1;
                writeln!(
                    meetings,
                    "{year}-{:02}-{day:02},{date},{sym},{name},{},A/{}/PV.{},plenary under A/RES/76/262,,,synthetic meeting",
                    month + 1,
                    year - 1945,
                    year - 1945,
                    meeting_no
                )?;
                events += 1;
            }
        }
    }
    vetoes.flush()?;
    votes.flush()?;
    meetings.flush()?;
    Ok((f, events))
}

struct Run {
    seconds: f64,
    peak_rss_kib: u64,
    stdout: String,
}

fn actledger() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let p = exe.with_file_name("actledger");
    if !p.exists() {
        bail!(
            "{} not found: build it with `cargo build --release -p actledger`",
            p.display()
        );
    }
    Ok(p)
}

fn run(ledger: &Path, args: &[&str]) -> Result<Run> {
    run_with(ledger, args, Stdio::piped())
}

/// Runs `actledger args` on `ledger` with `stdout` (piped: kept in [`Run::stdout`]; null:
/// discarded) and returns its time and peak RSS (`ACTLEDGER_REPORT_RSS`).
fn run_with(ledger: &Path, args: &[&str], stdout: Stdio) -> Result<Run> {
    let t = Instant::now();
    let out = Command::new(actledger()?)
        .args(args)
        .env("ACTLEDGER_DIR", ledger)
        .env("ACTLEDGER_REPORT_RSS", "1")
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()?;
    let seconds = t.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        bail!("actledger {args:?} failed: {stderr}");
    }
    let peak_rss_kib = stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak-rss "))
        .and_then(|v| v.trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0);
    Ok(Run {
        seconds,
        peak_rss_kib,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    })
}

fn dir_bytes(p: &Path) -> u64 {
    let mut total = 0;
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => total += dir_bytes(&e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

/// The raw cryptographic floors, measured on real event bytes in this run.
#[derive(Clone, Copy, Default)]
struct Floors {
    /// Single-thread Ed25519 signing, events/s.
    sign: f64,
    /// `ed25519_dalek::verify_batch` in batches of verify's size on all cores, events/s.
    verify_batch: f64,
    /// The batch check `verify` runs (`actledger_core::batch`: one term per distinct key,
    /// ZIP 215), in the same batches on all cores, events/s.
    coalesced: f64,
}

/// The crypto floors, best of `runs`: a floor is the fastest the cryptography ran in this run,
/// so a moment of contention on a shared machine cannot make the ratios look better.
fn floors(samples: &[Vec<u8>], runs: usize) -> Floors {
    (0..runs.max(1))
        .map(|_| floors_once(samples))
        .fold(Floors::default(), |best, f| Floors {
            sign: best.sign.max(f.sign),
            verify_batch: best.verify_batch.max(f.verify_batch),
            coalesced: best.coalesced.max(f.coalesced),
        })
}

fn floors_once(samples: &[Vec<u8>]) -> Floors {
    let key = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
    // Eight full batches per core (the samples repeated as needed): with only a few batches,
    // one core would idle while the other finished its last, and the floor would be low.
    let n = 8 * BATCH * rayon::current_num_threads().max(1);
    let messages: Vec<Vec<u8>> = samples
        .iter()
        .cycle()
        .take(if samples.is_empty() { 0 } else { n })
        .map(|b| chain::signing_message(chain::unsigned_part(b)))
        .collect();
    let t = Instant::now();
    let sigs: Vec<ed25519_dalek::Signature> = messages.iter().map(|m| key.sign(m)).collect();
    let sign = messages.len() as f64 / t.elapsed().as_secs_f64();
    let vk = key.verifying_key();
    let t = Instant::now();
    let ok = messages
        .par_chunks(BATCH)
        .zip(sigs.par_chunks(BATCH))
        .all(|(m, s)| {
            let refs: Vec<&[u8]> = m.iter().map(Vec::as_slice).collect();
            let keys = vec![vk; m.len()];
            ed25519_dalek::verify_batch(&refs, s, &keys).is_ok()
        });
    let verify_batch = messages.len() as f64 / t.elapsed().as_secs_f64();
    assert!(ok);
    let t = Instant::now();
    let ok = messages
        .par_chunks(BATCH)
        .zip(sigs.par_chunks(BATCH))
        .all(|(m, s)| {
            let mut batch = SignatureBatch::new();
            for (m, s) in m.iter().zip(s) {
                batch.push_message(vk.as_bytes(), &s.to_bytes(), m);
            }
            batch.verify()
        });
    let coalesced = messages.len() as f64 / t.elapsed().as_secs_f64();
    assert!(ok);
    Floors {
        sign,
        verify_batch,
        coalesced,
    }
}

#[derive(Default)]
struct Row {
    size: u64,
    floors: Floors,
    import_rate: f64,
    import_rss: u64,
    verify_rate: f64,
    verify_rss: u64,
    replay_rate: f64,
    cold_replay_rate: f64,
    projections_ms: f64,
    proofs: proofs::ProofRow,
    append_ms: f64,
    disk_ratio: f64,
    event_bytes: f64,
    /// The view lane's figures (`bench/view.rs`).
    view: view::ViewRow,
}

/// Creates a ledger in `ledger`, imports the six files into it (each import durable at its
/// end) and verifies it, through the real command. Returns the import and verify rates and
/// raises `row`'s peak memory figures to this run's.
fn import_and_verify(
    ledger: &Path,
    size: u64,
    expected: u64,
    files: &Files,
    [admin, dep, rec]: [&String; 3],
    row: &mut Row,
) -> Result<(f64, f64)> {
    run(
        ledger,
        &[
            "init",
            "--origin",
            "bench.example/ledger",
            "--admin-key",
            admin,
        ],
    )?;
    for (key, role, holder) in [(dep, "depositary", "dep"), (rec, "recorder", "rec")] {
        run(
            ledger,
            &[
                "key",
                "grant",
                "--key",
                admin,
                "--public-from",
                key,
                "--role",
                role,
                "--holder",
                holder,
            ],
        )?;
    }
    eprintln!("[{size}] importing about {expected} events");
    let mut seconds = 0.0;
    for (kind, file, k) in [
        ("members", &files.members, rec),
        ("supporters", &files.supporters, dep),
        ("holidays", &files.holidays, rec),
        ("vetoes", &files.vetoes, rec),
        ("votes", &files.votes, rec),
        ("meetings", &files.meetings, rec),
    ] {
        let r = run(
            ledger,
            &[
                "import",
                kind,
                file.to_str().context("path")?,
                "--key",
                k,
                "--json",
            ],
        )?;
        seconds += r.seconds;
        row.import_rss = row.import_rss.max(r.peak_rss_kib);
    }
    eprintln!("[{size}] verifying");
    let v = run(ledger, &["verify", "--json"])?;
    let summary: serde_json::Value = serde_json::from_str(v.stdout.trim())?;
    let events = summary["events"].as_u64().context("verify output")?;
    row.verify_rss = row.verify_rss.max(v.peak_rss_kib);
    Ok((events as f64 / seconds, events as f64 / v.seconds))
}

fn bench(size: u64, work: &Path, runs: usize) -> Result<Row> {
    let dir = work.join(format!("n{size}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    eprintln!("[{size}] generating data");
    let (files, expected) = generate(&dir, size)?;
    let ledger = dir.join("ledger");
    let key = |name: &str| -> Result<String> {
        let p = dir.join(format!("{name}.key"));
        run(
            &ledger,
            &["key", "new", "--out", p.to_str().context("path")?],
        )?;
        Ok(p.to_string_lossy().into_owned())
    };
    let (admin, dep, rec) = (key("admin")?, key("dep")?, key("rec")?);
    let mut row = Row {
        size,
        ..Row::default()
    };
    // 1 and 2. Bulk import and verify through the real command, `runs` times, each into a
    // fresh ledger (the first is kept for what follows): the best rates, like the floors,
    // and the highest peak memory.
    for r in 0..runs {
        let this = if r == 0 {
            ledger.clone()
        } else {
            dir.join(format!("ledger-run{r}"))
        };
        let (import_rate, verify_rate) = import_and_verify(
            &this,
            size,
            expected,
            &files,
            [&admin, &dep, &rec],
            &mut row,
        )?;
        row.import_rate = row.import_rate.max(import_rate);
        row.verify_rate = row.verify_rate.max(verify_rate);
        if r > 0 {
            std::fs::remove_dir_all(&this)?;
        }
    }
    // 5. A single durable append via the CLI on the full ledger (median of 3).
    let mut times = Vec::new();
    for i in 0..3 {
        let cal = format!("bench calendar {i}");
        let r = run(
            &ledger,
            &[
                "record",
                "--key",
                &rec,
                "holidays",
                "--calendar",
                &cal,
                "--year",
                "2024",
                "--holiday",
                "2024-12-25=Christmas Day",
                "--source",
                "bench",
            ],
        )?;
        times.push(r.seconds);
    }
    times.sort_by(f64::total_cmp);
    row.append_ms = times[1] * 1000.0;
    // In-process measurements on the same ledger.
    let l = Ledger::open(&ledger, &OpenOptions::default())?;
    let size_now = l.size()?;
    // 3. Replay without signature checks: decode + projections' fold.
    eprintln!("[{size}] replaying");
    let mut raw_bytes = 0u64;
    let mut samples = Vec::new();
    let mut view = None;
    for _ in 0..runs {
        drop(view.take());
        let t = Instant::now();
        view = Some(actledger_store::replay_view(
            &l,
            Cutoff::default(),
            None,
            |_| {},
        )?);
        row.replay_rate = row
            .replay_rate
            .max(size_now as f64 / t.elapsed().as_secs_f64());
    }
    let view = view.context("no replay ran")?;
    for item in l.scan(0) {
        let (seq, bytes) = item?;
        raw_bytes += bytes.len() as u64;
        if seq % (size_now / 20_000).max(1) == 0 && samples.len() < 20_000 {
            samples.push(bytes);
        }
    }
    let t = Instant::now();
    let list = projection::supporters(&view);
    let policy = TrustPolicy::AllAssessors.resolve(&view);
    let report = projection::compliance(&view, &policy, None);
    row.projections_ms = t.elapsed().as_secs_f64() * 1000.0;
    std::hint::black_box((list.count, report.counts));
    // 4. Proofs on the full tree: latency, reads per proof, Go's tlog beside them.
    eprintln!("[{size}] proving");
    row.proofs = proofs::bench(&l, size_now, &dir, 2000)?;
    drop(l);
    // 3b. Replay in a fresh process, as a projection command pays it (the heap not yet grown):
    // this binary's `--replay` mode, once per child, best of `runs`.
    eprintln!("[{size}] replaying in fresh processes");
    for _ in 0..runs {
        let out = Command::new(std::env::current_exe()?)
            .args(["--runs", "1", "--replay"])
            .arg(&ledger)
            .output()?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        anyhow::ensure!(
            out.status.success(),
            "replay child failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rate: f64 = stdout
            .split(", ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|r| r.parse().ok())
            .with_context(|| format!("replay child printed {stdout:?}"))?;
        row.cold_replay_rate = row.cold_replay_rate.max(rate);
    }
    // 6. Disk.
    row.event_bytes = raw_bytes as f64 / size_now as f64;
    row.disk_ratio = dir_bytes(&ledger.join("db")) as f64 / raw_bytes as f64;
    // Floors, measured now, on this ledger's own event bytes.
    eprintln!("[{size}] measuring the crypto floor");
    row.floors = floors(&samples, runs);
    // 7. The commands that hold the replayed view, and the HTML page (a log key and a
    // checkpoint are added to the ledger first, after every figure above).
    eprintln!("[{size}] snapshot, compliance and html");
    row.view = view::bench(&ledger, &dir, &admin, runs)?;
    if !keep_work() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(row)
}

#[path = "bench/monitor.rs"]
mod monitor;
#[path = "bench/proofs.rs"]
mod proofs;

#[path = "bench/view.rs"]
mod view;

/// `--monitor`: a ledger of `size` events (the same data), a log key, and the monitor's and
/// witness's figures on it (see `bench/monitor.rs`).
fn monitor_bench(
    size: u64,
    work: &Path,
    runs: usize,
    samples: usize,
) -> Result<monitor::MonitorRow> {
    let dir = work.join(format!("monitor-n{size}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    eprintln!("[{size}] generating data");
    let (files, expected) = generate(&dir, size)?;
    let ledger = dir.join("ledger");
    let key = |name: &str| -> Result<String> {
        let p = dir.join(format!("{name}.key"));
        run(
            &ledger,
            &["key", "new", "--out", p.to_str().context("path")?],
        )?;
        Ok(p.to_string_lossy().into_owned())
    };
    let (admin, dep, rec, log) = (key("admin")?, key("dep")?, key("rec")?, key("log")?);
    import_and_verify(
        &ledger,
        size,
        expected,
        &files,
        [&admin, &dep, &rec],
        &mut Row::default(),
    )?;
    run(
        &ledger,
        &[
            "key",
            "grant",
            "--key",
            &admin,
            "--public-from",
            &log,
            "--role",
            "log",
            "--holder",
            "log",
        ],
    )?;
    let row = monitor::bench(&ledger, &dir, &log, &rec, runs, samples)?;
    if !keep_work() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(row)
}

fn main() -> Result<()> {
    // Measured as the `actledger` binary runs (its children inherit the tunables).
    actledger::allocator::tune();
    let mut sizes = vec![10_000u64, 100_000, 1_000_000];
    let mut work = std::env::temp_dir().join("actledger-bench");
    let mut runs = 3usize;
    let mut monitor_samples = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--sizes" => {
                sizes = args
                    .next()
                    .context("--sizes N,N,...")?
                    .split(',')
                    .map(|s| s.trim().replace('_', "").parse::<u64>())
                    .collect::<Result<_, _>>()?
            }
            "--work" => work = PathBuf::from(args.next().context("--work DIR")?),
            "--runs" => {
                runs = args.next().context("--runs N")?.parse()?;
                anyhow::ensure!(runs > 0, "--runs must be at least 1");
            }
            "--replay" => {
                // Only the replay of an existing ledger, `--runs` times (for profiling; give
                // `--runs` first).
                let dir = PathBuf::from(args.next().context("--replay LEDGER")?);
                let l = Ledger::open(&dir, &OpenOptions::default())?;
                let n = l.size()?;
                for _ in 0..runs {
                    let t = Instant::now();
                    let view = actledger_store::replay_view(&l, Cutoff::default(), None, |_| {})?;
                    let s = t.elapsed().as_secs_f64();
                    drop(view);
                    println!(
                        "replay of {n} events: {s:.3} s, {:.0} events/s",
                        n as f64 / s
                    );
                }
                return Ok(());
            }
            "--projections" => {
                // Only supporters + compliance in-process on an existing ledger, `--runs`
                // times (for profiling; give `--runs` first).
                let dir = PathBuf::from(args.next().context("--projections LEDGER")?);
                return view::projections(&dir, runs);
            }
            "--proofs" => {
                // Only the proof figures of an existing ledger (for profiling).
                let dir = PathBuf::from(args.next().context("--proofs LEDGER")?);
                let l = Ledger::open(&dir, &OpenOptions::default())?;
                let scratch = tempfile::tempdir()?;
                let r = proofs::bench(&l, l.size()?, scratch.path(), 2000)?;
                println!("{r:?}");
                return Ok(());
            }
            "--monitor" => monitor_samples = Some(100),
            "--samples" => monitor_samples = Some(args.next().context("--samples N")?.parse()?),
            "-h" | "--help" => {
                println!(
                    "actledger-bench [--sizes 10000,100000,1000000] [--work DIR] [--runs N] [--monitor [--samples N]] | --replay LEDGER | --projections LEDGER | --proofs LEDGER"
                );
                return Ok(());
            }
            other => bail!("unknown argument {other}"),
        }
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if let Some(samples) = monitor_samples {
        let mut out = String::new();
        writeln!(out, "machine: {cores} cores; catch-up and verify: best of {runs} runs, alternating; latencies: {samples} appends")?;
        writeln!(out)?;
        writeln!(out, "| events | verify (local) | monitor catch-up (loopback) | monitor / verify | new event noticed and verified, p50 / p99 | its publication (`POST /checkpoint`), p50 / p99 | witness `add-checkpoint`, p50 / p99 |")?;
        writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|")?;
        for s in &sizes {
            let r = monitor_bench(*s, &work, runs, samples)?;
            writeln!(
                out,
                "| {} | {:.0}/s | {:.0}/s | {:.0}% | {:.1} / {:.1} ms | {:.1} / {:.1} ms | {:.1} / {:.1} ms |",
                r.events,
                r.verify_rate,
                r.monitor_rate,
                100.0 * r.monitor_rate / r.verify_rate,
                r.notice_ms.0,
                r.notice_ms.1,
                r.publish_ms.0,
                r.publish_ms.1,
                r.witness_ms.0,
                r.witness_ms.1,
            )?;
            let _ = r.samples;
        }
        print!("{out}");
        return Ok(());
    }
    let mut rows = Vec::new();
    for s in &sizes {
        rows.push(bench(*s, &work, runs)?);
    }
    let mut out = String::new();
    writeln!(
        out,
        "machine: {cores} cores; rayon threads {}; floors, import, verify and replay: best of {runs} runs; peak RSS: highest of the runs",
        rayon::current_num_threads()
    )?;
    writeln!(out)?;
    writeln!(out, "| events | sign floor (1 thread) | import | import / floor | verify_batch floor (all cores) | coalesced floor (all cores) | verify | verify / verify_batch | verify / coalesced | replay | replay, fresh process | projections | inclusion proof | inclusion proof, serving | consistency proof | Go tlog inclusion / consistency (in memory) | node reads / proof | tile reads / proof (uncached / sled) | CLI append | bytes / event | disk / raw | peak RSS import | peak RSS verify |")?;
    writeln!(
        out,
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )?;
    for r in &rows {
        writeln!(
            out,
            "| {} | {:.0}/s | {:.0}/s | {:.0}% | {:.0}/s | {:.0}/s | {:.0}/s | {:.0}% | {:.0}% | {:.0}/s | {:.0}/s | {:.0} ms | {:.1} µs | {:.1} µs | {:.1} µs | {} | {:.1} | {:.1} / {:.2} | {:.0} ms | {:.0} | {:.2}× | {} MiB | {} MiB |",
            r.size,
            r.floors.sign,
            r.import_rate,
            100.0 * r.import_rate / r.floors.sign,
            r.floors.verify_batch,
            r.floors.coalesced,
            r.verify_rate,
            100.0 * r.verify_rate / r.floors.verify_batch,
            100.0 * r.verify_rate / r.floors.coalesced,
            r.replay_rate,
            r.cold_replay_rate,
            r.projections_ms,
            r.proofs.inclusion_us,
            r.proofs.serving.0,
            r.proofs.consistency_us,
            r.proofs.go.map_or("no Go".to_string(), |(i, c)| format!("{i:.1} / {c:.1} µs")),
            r.proofs.nodes_per_proof,
            r.proofs.tiles_per_proof,
            r.proofs.sled_reads_per_proof,
            r.append_ms,
            r.event_bytes,
            r.disk_ratio,
            r.import_rss / 1024,
            r.verify_rss / 1024,
        )?;
    }
    writeln!(out)?;
    let view_rows: Vec<(u64, view::ViewRow)> = rows.into_iter().map(|r| (r.size, r.view)).collect();
    out.push_str(&view::table(&view_rows));
    print!("{out}");
    Ok(())
}

/// Whether `ACTLEDGER_BENCH_KEEP` asks to keep the generated data: set to anything but empty
/// or `0` (an empty value, as `ACTLEDGER_BENCH_KEEP= cmd` leaves it, used to keep 2 GB).
fn keep_work() -> bool {
    std::env::var_os("ACTLEDGER_BENCH_KEEP").is_some_and(|v| !v.is_empty() && v != "0")
}
