//! `actledger monitor`: follow a published log over C2SP tlog-tiles, trusting nothing the
//! server says. Each poll fetches `checkpoint`, checks the log's signature and the witness
//! quorum, compares it with the largest checkpoint verified (same size and another root: a
//! fork; smaller: a rollback), downloads only the entries it has not verified (the entry
//! bundles from its size on: a partial bundle that grew is fetched at its new width and only
//! its new entries are taken), and admits them to its mirror ledger (`DIR/mirror`) through the
//! store's one door for events signed elsewhere, [`actledger_store::Ledger::admit_windows`]:
//! `verify`'s pipeline (canonical decode, chain, signatures in batches, roles, rules) from the
//! mirror's persisted rule state, and the Merkle tree extended from the mirror's own frontier
//! must reach the signed root. That frontier was computed here from verified bytes and hashes
//! to the last verified root, so reaching the new root proves the new tree extends the old one
//! (the consistency proof, computed locally; no proof from the server is needed or trusted).
//!
//! A large catch-up goes in windows of [`WINDOW`] entries (memory is a few windows, whatever
//! the log's size): a thread downloads the next window while this one is verified and
//! written. A window before the last is written only once it is proven part of the signed
//! tree: a consistency proof from its end to the checkpoint's size, read from the server's
//! hash tiles and checked here against the root its verified entries give and the signed root
//! (a server cannot make a wrong one pass; hash tiles that do not prove it stop the poll,
//! exit 2, as withholding does). A catch-up in one window reads no hash tile.
//! Misbehaviour writes an evidence file (`actledger_core::evidence`) and is an error; nothing
//! of the window that showed it is written (the windows before it, verified and proven, are).
//!
//! Tiles are read through [`crate::http_log::HttpLog`], the store's tile-shaped seam over
//! HTTP: one timeout per request, a size limit per response (checkpoint:
//! [`actledger_core::note::MAX_NOTE_BYTES`]; a bundle of width `W`: `W` entries of at most
//! 65,535 bytes), no redirects, no retries, at most four requests at once.
//!
//! Local state in `DIR` (docs/FORMAT.md T14): `mirror/` (a ledger: every projection command
//! runs on it with `--ledger DIR/mirror`), `checkpoint` (the last checkpoint recorded, also in
//! the mirror's checkpoint history) and, while a poll writes, `checkpoint.next`. A poll writes
//! `checkpoint.next` (synced) before its first window, then each window into the mirror
//! (flushed), then the checkpoint into the mirror's history, then renames `checkpoint.next`
//! over `checkpoint`. On start, a mirror at `checkpoint.next`'s size with its root finishes
//! that last step; a mirror between the two sizes (a kill between or inside windows, which
//! the store leaves at a whole number of its transactions) keeps `checkpoint.next` as the
//! largest checkpoint seen and the next poll goes on from the mirror's size. Anything else (a
//! mirror behind `checkpoint`, or whose root is not its root) is refused.

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use actledger_core::checkpoint::{Checkpoint, SignedCheckpoint};
use actledger_core::evidence::{root_of, Evidence, EvidenceKind};
use actledger_core::merkle::Hash;
use actledger_core::note::VerifierKey;
use actledger_core::quorum::Quorum;
use actledger_core::tiles::{parse_entry_bundle, TileId, TileKind, TILE_WIDTH};
use actledger_store::{
    EventRun, Ledger, LogReader, MirrorRefusal, Scan, StoreError, TileReader, Window, WindowsEnd,
};

use crate::http_log::HttpLog;

/// Why a poll failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MonitorError {
    /// The server is unreachable, too slow, answers too much, or lacks a file (exit 2).
    #[error("{0}")]
    Server(String),
    /// The local state cannot be read or written (exit 2).
    #[error("monitor state: {0}")]
    Local(String),
    /// The checkpoint lacks its witness quorum (exit 1).
    #[error("{0}")]
    NoQuorum(String),
    /// Misbehaviour, with the evidence file written (exit 1).
    #[error("{msg} (evidence: {})", evidence.display())]
    Misbehaviour {
        /// What was found.
        msg: String,
        /// The evidence file.
        evidence: PathBuf,
    },
}

/// What a poll found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Polled {
    /// The verified size.
    pub size: u64,
    /// The verified root (base64).
    pub root: String,
    /// Events verified in this poll.
    pub new_events: u64,
}

/// What the monitor follows and how.
#[derive(Debug, Clone)]
pub struct MonitorConfig {
    /// The log's base URL (where `checkpoint` and `tile/` are).
    pub url: String,
    /// The log's verifier key (its name is the origin).
    pub vkey: VerifierKey,
    /// The witness policy.
    pub quorum: Quorum,
    /// The state directory.
    pub dir: PathBuf,
    /// Time allowed per request.
    pub timeout: Duration,
    /// Entries verified and written per window of a catch-up (rounded up to whole entry
    /// bundles, [`WINDOW`] by default): memory is a few windows' events, whatever the log's
    /// size, and a kill loses at most the window being written.
    pub window: u64,
}

/// Entries per window of a catch-up (128 entry bundles, ~12 MB of a log like the bench's: two
/// windows are in memory at once, one verified while the one before is written; 32k windows
/// catch up as fast as 64k ones did and hold ~50 MB less, docs/PERFORMANCE.md).
pub const WINDOW: u64 = 32 * 1024;

/// A log of verified entries held in memory, for `verify_log`.
struct SliceLog<'a>(&'a [Vec<u8>]);

impl LogReader for SliceLog<'_> {
    fn len(&self) -> Result<u64, StoreError> {
        Ok(self.0.len() as u64)
    }
    fn get(&self, seq: u64) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(usize::try_from(seq)
            .ok()
            .and_then(|i| self.0.get(i))
            .cloned())
    }
    fn scan(&self, from: u64) -> Scan<'_> {
        let start = usize::try_from(from)
            .unwrap_or(usize::MAX)
            .min(self.0.len());
        Box::new(
            self.0[start..]
                .iter()
                .enumerate()
                .map(move |(i, b)| Ok((start as u64 + i as u64, b.clone()))),
        )
    }
}

/// A monitor and its verified state.
pub struct Monitor {
    cfg: MonitorConfig,
    log: HttpLog,
    mirror: Ledger,
    /// The checkpoint recorded (`DIR/checkpoint`), which the mirror's first events hash to.
    recorded: Option<SignedCheckpoint>,
    /// A checkpoint verified but not yet wholly written (`DIR/checkpoint.next`).
    next: Option<SignedCheckpoint>,
}

/// Connections fetching a window's entry bundles at once (the server reads while this side
/// parses); the next window is fetched while this one is verified and written.
const FETCH_THREADS: u64 = 4;

/// Why a window of entries could not be had.
enum Fetch {
    /// The server did not answer as a log must (exit 2).
    Server(StoreError),
    /// A bundle that is not one (evidence).
    BadBundle {
        msg: String,
        path: String,
        bytes: Vec<u8>,
    },
}

/// How a poll's windows ended, when not with every entry written.
enum Stop {
    Fetch(Fetch),
    Local(MonitorError),
    /// The mirror refused the window of entries `from..`, held in `run`.
    Refused(Box<Refused>),
}

/// What [`Stop::Refused`] holds.
struct Refused {
    refusal: MirrorRefusal,
    from: u64,
    run: EventRun,
}

const CHECKPOINT: &str = "checkpoint";
const NEXT: &str = "checkpoint.next";
const MIRROR: &str = "mirror";

fn local(path: &Path, e: impl std::fmt::Display) -> MonitorError {
    MonitorError::Local(format!("{}: {e}", path.display()))
}

fn server(e: StoreError) -> MonitorError {
    MonitorError::Server(e.to_string())
}

/// Writes `text` to `dir/name` by an exclusively created, synced temporary renamed over it,
/// then syncs `dir`.
fn write_synced(dir: &Path, name: &str, text: &str) -> Result<(), MonitorError> {
    let tmp = dir.join(format!(".{name}.tmp"));
    let _ = std::fs::remove_file(&tmp);
    let mut t = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .open(&tmp)
        .map_err(|e| local(&tmp, e))?;
    t.write_all(text.as_bytes()).map_err(|e| local(&tmp, e))?;
    t.sync_all().map_err(|e| local(&tmp, e))?;
    let path = dir.join(name);
    std::fs::rename(&tmp, &path).map_err(|e| local(&path, e))?;
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> Result<(), MonitorError> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| local(dir, e))
}

impl Monitor {
    /// Opens (creating it if needed) the state in `cfg.dir` and checks it against the mirror
    /// (see the module documentation).
    pub fn open(cfg: MonitorConfig) -> Result<Self, MonitorError> {
        let dir = cfg.dir.clone();
        if std::fs::symlink_metadata(&dir).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(local(&dir, "is a symbolic link"));
        }
        std::fs::create_dir_all(&dir).map_err(|e| local(&dir, e))?;
        if dir.join("entries").exists() && !dir.join(MIRROR).exists() {
            return Err(local(
                &dir,
                "holds the flat `entries` file of an earlier monitor, not a mirror ledger; \
                 give a new --state DIR (the mirror is downloaded and verified again)",
            ));
        }
        let read_cp = |name: &str| -> Result<Option<SignedCheckpoint>, MonitorError> {
            let path = dir.join(name);
            match std::fs::read_to_string(&path) {
                Ok(t) => Checkpoint::open(&t, cfg.vkey.name().as_str(), &cfg.vkey)
                    .map(Some)
                    .map_err(|e| local(&path, e)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(local(&path, e)),
            }
        };
        let mut recorded = read_cp(CHECKPOINT)?;
        let mut next = read_cp(NEXT)?;
        let m_dir = dir.join(MIRROR);
        let mut mirror = if m_dir.join("db").exists() {
            Ledger::open(&m_dir, &actledger_store::OpenOptions::default())
        } else {
            Ledger::create_mirror(&m_dir)
        }
        .map_err(|e| local(&m_dir, e))?;
        let bad = |e: StoreError| local(&m_dir, e);
        let k = mirror.size().map_err(bad)?;
        let m = recorded.as_ref().map_or(0, |c| c.checkpoint().size());
        if k < m {
            return Err(local(
                &m_dir,
                format!("holds {k} events, fewer than the recorded checkpoint's {m}"),
            ));
        }
        if let Some(cp) = &recorded {
            if mirror.root_at(m).map_err(bad)? != *cp.checkpoint().root() {
                return Err(local(
                    &m_dir,
                    "its events do not hash to the recorded checkpoint (altered locally?)",
                ));
            }
        }
        match &next {
            Some(nx) if nx.checkpoint().size() == k => {
                if mirror.mirror_root().map_err(bad)? != *nx.checkpoint().root() {
                    return Err(local(
                        &m_dir,
                        "its events do not hash to checkpoint.next (altered locally?)",
                    ));
                }
                // A poll wrote the events and stopped before recording its checkpoint.
                mirror
                    .add_mirrored_checkpoint(&nx.note().to_string())
                    .map_err(bad)?;
                std::fs::rename(dir.join(NEXT), dir.join(CHECKPOINT))
                    .map_err(|e| local(&dir.join(CHECKPOINT), e))?;
                sync_dir(&dir)?;
                recorded = next.take();
            }
            Some(nx) if nx.checkpoint().size() > k => {}
            Some(_) => {
                return Err(local(
                    &m_dir,
                    format!("holds {k} events, more than checkpoint.next"),
                ))
            }
            None if k > m => {
                return Err(local(
                    &m_dir,
                    format!("holds {k} events, beyond the recorded checkpoint's {m}"),
                ))
            }
            None => {}
        }
        let log = HttpLog::new(&cfg.url, cfg.timeout, k);
        Ok(Self {
            cfg,
            log,
            mirror,
            recorded,
            next,
        })
    }

    /// The verified size (events in the mirror).
    pub fn size(&self) -> Result<u64, MonitorError> {
        self.mirror.size().map_err(|e| local(self.mirror.dir(), e))
    }

    /// The largest checkpoint verified.
    fn seen(&self) -> Option<&SignedCheckpoint> {
        self.next.as_ref().or(self.recorded.as_ref())
    }

    fn evidence(&self, ev: Evidence, msg: String) -> MonitorError {
        let path = self.cfg.dir.join(format!(
            "evidence-{}-{}.json",
            ev.found_at,
            serde_json::to_value(ev.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        ));
        let written = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .open(&path)
            .and_then(|mut f| {
                f.write_all(ev.to_json().as_bytes())?;
                f.sync_all()
            });
        match written {
            Ok(()) => MonitorError::Misbehaviour {
                msg,
                evidence: path,
            },
            Err(e) => MonitorError::Local(format!(
                "{msg}; and the evidence could not be written to {}: {e}",
                path.display()
            )),
        }
    }

    fn new_evidence(&self, kind: EvidenceKind, detail: &str, checkpoints: Vec<String>) -> Evidence {
        Evidence::new(
            kind,
            self.cfg.vkey.name().as_str(),
            &self.cfg.url,
            actledger_core::Timestamp::now().0,
            detail.to_string(),
            checkpoints,
        )
    }

    /// One poll: see the module documentation.
    pub fn poll(&mut self) -> Result<Polled, MonitorError> {
        let text = self.log.read_checkpoint().map_err(server)?.ok_or_else(|| {
            MonitorError::Server(format!("{}/checkpoint: answered 404", self.log.base()))
        })?;
        let origin = self.cfg.vkey.name().as_str().to_string();
        let signed = match Checkpoint::open(&text, &origin, &self.cfg.vkey) {
            Ok(s) => s,
            Err(e) => {
                let msg = format!("the checkpoint served is not the log's: {e}");
                let ev = self.new_evidence(EvidenceKind::CheckpointSignature, &msg, vec![text]);
                return Err(self.evidence(ev, msg));
            }
        };
        self.cfg.quorum.check(signed.note()).map_err(|e| {
            MonitorError::NoQuorum(format!("the checkpoint lacks its witness quorum: {e}"))
        })?;
        let cp = signed.checkpoint().clone();
        let n = cp.size();
        if let Some(last) = self.seen() {
            let (l, last_text) = (last.checkpoint().size(), last.note().to_string());
            if n < l {
                let msg = format!("rollback: the server now serves size {n}, after size {l}");
                let ev = self.new_evidence(EvidenceKind::Rollback, &msg, vec![last_text, text]);
                return Err(self.evidence(ev, msg));
            }
            if n == l && cp.root() != last.checkpoint().root() {
                let msg = format!("fork: two signed checkpoints of size {n} with different roots");
                let ev = self.new_evidence(EvidenceKind::Fork, &msg, vec![last_text, text]);
                return Err(self.evidence(ev, msg));
            }
        }
        let k = self.size()?;
        if n == k {
            return Ok(Polled {
                size: n,
                root: cp.root().to_base64(),
                new_events: 0,
            });
        }
        self.log.set_size(n);
        match self.catch_up(&text, k, n, cp.root()) {
            Ok(()) => {}
            Err(Stop::Local(e)) => return Err(e),
            Err(Stop::Fetch(Fetch::Server(e))) => return Err(server(e)),
            Err(Stop::Fetch(Fetch::BadBundle { msg, path, bytes })) => {
                return Err(self.bad_bundle(&msg, &text, &path, &bytes))
            }
            Err(Stop::Refused(r)) => {
                let Refused { refusal, from, run } = *r;
                return Err(self.refused(refusal, &text, &run, from, k, n, cp.root()));
            }
        }
        let dir = self.cfg.dir.clone();
        self.mirror
            .add_mirrored_checkpoint(&text)
            .map_err(|e| local(&dir.join(MIRROR), e))?;
        // Not synced: if the rename is lost, the next start finds the mirror at
        // checkpoint.next's size and does it again (docs/FORMAT.md T14); the next poll's
        // synced write of checkpoint.next makes it durable.
        std::fs::rename(dir.join(NEXT), dir.join(CHECKPOINT))
            .map_err(|e| local(&dir.join(CHECKPOINT), e))?;
        self.recorded = Some(signed);
        self.next = None;
        Ok(Polled {
            size: n,
            root: cp.root().to_base64(),
            new_events: n - k,
        })
    }

    /// The window ends of a catch-up from `k` to `n`: multiples of the window, then `n`.
    fn window_ends(&self, k: u64, n: u64) -> impl Iterator<Item = u64> {
        let width = u64::from(TILE_WIDTH);
        let w = self.cfg.window.max(1).div_ceil(width).saturating_mul(width);
        let first = (k / w).saturating_add(1).saturating_mul(w).min(n);
        std::iter::successors(Some(first), move |&e| {
            (e < n).then(|| e.saturating_add(w).min(n))
        })
    }

    /// Entries `k..n`, window by window: a thread downloads the next window while this one
    /// is verified through [`Ledger::admit_windows`] and the one before is written (on the
    /// store's writing thread). Each window before the last
    /// must be proven part of the signed tree of size `n` (root `root`) before it is
    /// written: a consistency proof from its end to `n`, made from the server's hash tiles
    /// and checked against the root the verified entries give and the signed root (the
    /// server cannot forge one; a wrong one stops the poll). The last window must reach
    /// `root` itself. `checkpoint.next` is written (synced) before the first window.
    fn catch_up(&mut self, text: &str, k: u64, n: u64, root: &Hash) -> Result<(), Stop> {
        let ends: Vec<u64> = self.window_ends(k, n).collect();
        let next_cp = self
            .next
            .as_ref()
            .map(|nx| (nx.checkpoint().size(), *nx.checkpoint().root()));
        let dir = self.cfg.dir.clone();
        let (log, mirror) = (&self.log, &mut self.mirror);
        std::thread::scope(|scope| {
            // One window waits while one is verified and the next is fetched. The receiver
            // is dropped when this returns, so the downloader stops at its next window.
            let (tx, rx) = std::sync::mpsc::sync_channel::<Result<EventRun, Fetch>>(1);
            // Windows written go back to the downloader, whose next windows reuse their
            // buffers (tens of MB, mapped and zeroed afresh otherwise).
            let (spare_tx, spare_rx) = std::sync::mpsc::sync_channel::<EventRun>(3);
            let ends_dl = ends.clone();
            scope.spawn(move || {
                let mut from = k;
                let mut parts = new_parts();
                for end in ends_dl {
                    let run = spare_rx.try_recv().unwrap_or_default();
                    let got = fetch_window(log, from, end, n, run, &mut parts);
                    let failed = got.is_err();
                    if tx.send(got).is_err() || failed {
                        break;
                    }
                    from = end;
                }
            });
            let mut from = k;
            let mut ends = ends.into_iter();
            let windows = std::iter::from_fn(|| {
                let end = ends.next()?;
                let run = match rx.recv() {
                    Ok(Ok(run)) => run,
                    Ok(Err(f)) => return Some(Err(Stop::Fetch(f))),
                    Err(_) => {
                        return Some(Err(Stop::Local(MonitorError::Local(
                            "the download thread stopped".into(),
                        ))))
                    }
                };
                if run.len() as u64 != end - from {
                    return Some(Err(Stop::Local(MonitorError::Local(format!(
                        "{} entries downloaded for {from}..{end}",
                        run.len()
                    )))));
                }
                let mut expect = Vec::with_capacity(2);
                if end == n {
                    expect.push((n, *root));
                }
                if let Some((l, r)) = next_cp {
                    if l > from && l <= end && l < n {
                        expect.push((l, r));
                    }
                }
                from = end;
                Some(Ok(Window {
                    events: run,
                    expect,
                }))
            });
            let mut recorded_next = false;
            let before_write = |size: u64, got: &Hash| {
                if size < n {
                    if let Err(reason) = proven(log, size, got, n, root) {
                        return Ok(Err(MirrorRefusal::NotProven { size, reason }));
                    }
                }
                if !recorded_next {
                    write_synced(&dir, NEXT, text).map_err(|e| StoreError::Read {
                        what: dir.join(NEXT).display().to_string(),
                        source: Box::new(e),
                    })?;
                    recorded_next = true;
                }
                Ok(Ok(()))
            };
            // Each window written goes back to the downloader (from the mirror's writing
            // thread, while the next one is verified here).
            let written = move |_, run| {
                let _ = spare_tx.try_send(run);
            };
            match mirror.admit_windows(windows, before_write, written) {
                Ok(WindowsEnd::Done) => Ok(()),
                Ok(WindowsEnd::Source(stop)) => Err(stop),
                Ok(WindowsEnd::Refused {
                    refusal,
                    from,
                    events,
                }) => Err(Stop::Refused(Box::new(Refused {
                    refusal,
                    from,
                    run: events,
                }))),
                Err(e) => Err(Stop::Local(local(&dir.join(MIRROR), e))),
            }
        })
    }

    /// Every entry `0..n` (for evidence): the mirror's (`0..from`), the window refused
    /// (`run`), and the rest downloaded again (`run`'s end to `n`).
    fn all_entries(&self, run: &EventRun, from: u64, n: u64) -> Result<Vec<Vec<u8>>, MonitorError> {
        let mut all = Vec::new();
        for item in self.mirror.scan(0) {
            let (_, b) = item.map_err(|e| local(self.mirror.dir(), e))?;
            all.push(b);
        }
        if all.len() as u64 != from {
            return Err(MonitorError::Local(format!(
                "the mirror holds {} entries where {from} were written",
                all.len()
            )));
        }
        all.extend(run.iter().map(|(_, b)| b.to_vec()));
        let rest = from + run.len() as u64;
        if rest < n {
            let more = fetch_window(&self.log, rest, n, n, EventRun::default(), &mut new_parts())
                .map_err(|f| match f {
                Fetch::Server(e) => server(e),
                Fetch::BadBundle { msg, .. } => MonitorError::Server(msg),
            })?;
            all.extend(more.iter().map(|(_, b)| b.to_vec()));
        }
        Ok(all)
    }

    /// Evidence for what the mirror refused of the window `from..` (`run`) of a poll from
    /// `k` to `n`.
    #[allow(clippy::too_many_arguments)]
    fn refused(
        &self,
        refusal: MirrorRefusal,
        text: &str,
        run: &EventRun,
        from: u64,
        k: u64,
        n: u64,
        root: &Hash,
    ) -> MonitorError {
        let mut all = match self.all_entries(run, from, n) {
            Ok(a) => a,
            Err(e) => return e,
        };
        let computed = root_of(&all);
        let bad_event = match &refusal {
            // A bad event is evidence only if the log committed to it.
            MirrorRefusal::Invalid(e) if computed == *root => Some(e),
            _ => None,
        };
        if let MirrorRefusal::NotProven { size, reason } = &refusal {
            if computed == *root {
                // The entries are the signed tree's: the hash tiles the proof was made from
                // are not. Not evidence against the log (hash tiles are not signed).
                return MonitorError::Server(format!(
                    "the hash tiles served do not prove the first {size} entries part of the signed tree of size {n}: {reason}"
                ));
            }
        }
        if let Some(e) = bad_event {
            let msg = format!("event {}: {}", e.seq, e.kind);
            let mut ev = self
                .new_evidence(EvidenceKind::BadEvent, &msg, vec![text.to_string()])
                .with_entries(&all);
            ev.seq = Some(e.seq.0);
            return self.evidence(ev, msg);
        }
        // Not the signed root: at the new size, or at that of the checkpoint verified before
        // (an interrupted write, then a view that does not extend it).
        let (cps, msg) = match (&refusal, &self.next) {
            (MirrorRefusal::RootMismatch { size, .. }, Some(nx)) if *size < n => {
                all.truncate(usize::try_from(*size).unwrap_or(usize::MAX));
                (
                    vec![nx.note().to_string()],
                    format!("the entries served do not extend the checkpoint of size {size} verified before"),
                )
            }
            _ => {
                let mut cps = Vec::new();
                if let Some(r) = &self.recorded {
                    cps.push(r.note().to_string());
                }
                cps.push(text.to_string());
                (
                    cps,
                    format!(
                        "the entries served hash to {}, not the signed root {} of size {n} (from size {k})",
                        computed.to_base64(),
                        root.to_base64()
                    ),
                )
            }
        };
        let ev = self
            .new_evidence(EvidenceKind::RootMismatch, &msg, cps)
            .with_entries(&all);
        self.evidence(ev, msg)
    }

    fn bad_bundle(&self, msg: &str, text: &str, path: &str, bytes: &[u8]) -> MonitorError {
        let ev = self
            .new_evidence(EvidenceKind::BadBundle, msg, vec![text.to_string()])
            .with_bundle(path, bytes);
        self.evidence(ev, msg.to_string())
    }
}

/// Whether the tree of `size` entries with root `got` (computed here from verified entries)
/// is proven part of the signed tree of `n` entries with root `root`: a consistency proof
/// read from the server's hash tiles (as of `n`), checked here. A server cannot make a wrong
/// one pass; a wrong or missing one is why not.
fn proven(log: &HttpLog, size: u64, got: &Hash, n: u64, root: &Hash) -> Result<(), String> {
    if size == 0 {
        return Ok(());
    }
    let proof = actledger_store::consistency_proof(log, size, n).map_err(|e| e.to_string())?;
    actledger_core::merkle::verify_consistency(size, n, &proof, got, root)
        .map_err(|e| format!("consistency proof from the hash tiles: {e}"))
}

/// What one download thread holds: the buffer its answers are read into, the entries it
/// took from them, and for each bundle it fetched, its index and how many entries it took
/// (or why none). Kept from window to window, so no buffer is allocated afresh.
#[derive(Default)]
struct Part {
    body: Vec<u8>,
    run: EventRun,
    bundles: Vec<(u64, Result<usize, Fetch>)>,
}

/// [`FETCH_THREADS`] download threads' parts.
fn new_parts() -> Vec<Part> {
    (0..FETCH_THREADS).map(|_| Part::default()).collect()
}

/// Entries `from..end` of the log of `n` entries, from the entry bundles that hold them
/// (each of the width it has in the tree of `n`), fetched and parsed by one thread per
/// part (each reading its answers into its own buffer), into `run` (cleared first), in
/// order.
fn fetch_window(
    log: &HttpLog,
    from: u64,
    end: u64,
    n: u64,
    mut run: EventRun,
    parts: &mut [Part],
) -> Result<EventRun, Fetch> {
    let width = u64::from(TILE_WIDTH);
    let width_of = |idx: u64| u16::try_from((n - idx * width).min(width)).unwrap_or(TILE_WIDTH);
    let (first, last) = (from / width, end.div_ceil(width));
    let threads = parts.len().max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .iter_mut()
            .enumerate()
            .map(|(t, part)| {
                scope.spawn(move || {
                    part.run.clear();
                    part.bundles.clear();
                    for idx in (first + t as u64..last).step_by(threads) {
                        let w = width_of(idx);
                        let got = log
                            .read_entry_bundle_into(idx, w, &mut part.body)
                            .map_err(Fetch::Server)
                            .and_then(|()| {
                                take_bundle(idx, w, &part.body, from, end, &mut part.run)
                            });
                        let failed = got.is_err();
                        part.bundles.push((idx, got));
                        if failed {
                            break;
                        }
                    }
                })
            })
            .collect();
        for h in handles {
            // A thread that panicked holds fewer bundles: found missing below.
            let _ = h.join();
        }
    });
    run.clear();
    run.reserve(usize::try_from(end - from).unwrap_or(0), 512);
    // Per part: the next bundle of it to take, and its next entry.
    let mut cursors = vec![(0usize, 0usize); parts.len()];
    for idx in first..last {
        let t = usize::try_from((idx - first) % threads as u64).unwrap_or(0);
        let (Some(part), Some((b, e))) = (parts.get_mut(t), cursors.get_mut(t)) else {
            break;
        };
        match part.bundles.get_mut(*b) {
            Some((i, Ok(count))) if *i == idx => {
                for k in *e..*e + *count {
                    if let Some((seq, bytes)) = part.run.get(k) {
                        run.push(seq, bytes);
                    }
                }
                *e += *count;
                *b += 1;
            }
            Some((i, got)) if *i == idx => {
                return Err(match std::mem::replace(got, Ok(0)) {
                    Err(f) => f,
                    Ok(_) => Fetch::Server(StoreError::Poisoned),
                });
            }
            _ => {
                return Err(Fetch::Server(StoreError::Read {
                    what: format!("{} entry bundle {idx}", log.base()),
                    source: "a download thread stopped".into(),
                }))
            }
        }
    }
    Ok(run)
}

/// Parses bundle `idx` of width `w16` and adds its entries in `from..end` to `run`: how
/// many.
fn take_bundle(
    idx: u64,
    w16: u16,
    bytes: &[u8],
    from: u64,
    end: u64,
    run: &mut EventRun,
) -> Result<usize, Fetch> {
    let width = u64::from(TILE_WIDTH);
    let w = u64::from(w16);
    let path = TileId::new(TileKind::Entries, idx, w16)
        .map(|t| t.path())
        .unwrap_or_default();
    let bad = |msg: String| Fetch::BadBundle {
        msg,
        path: path.clone(),
        bytes: bytes.to_vec(),
    };
    let parsed = match parse_entry_bundle(bytes) {
        Ok(p) if p.len() as u64 == w => p,
        Ok(p) => return Err(bad(format!("{path} holds {} entries, not {w}", p.len()))),
        Err(e) => return Err(bad(format!("{path}: {e}"))),
    };
    let mut taken = 0;
    for (seq, e) in (idx * width..).zip(parsed) {
        if seq >= from && seq < end {
            run.push(seq, e);
            taken += 1;
        }
    }
    Ok(taken)
}

/// Reads an evidence file, bounded.
pub fn read_evidence(path: &Path) -> std::io::Result<Vec<u8>> {
    let f = std::fs::File::open(path)?;
    if !f.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut b = Vec::new();
    f.take(actledger_core::evidence::MAX_EVIDENCE_BYTES as u64 + 1)
        .read_to_end(&mut b)?;
    Ok(b)
}

/// Verifies a whole log from its entries with the pipeline `verify` uses: the first failing
/// event's seq and why, for [`Evidence::check`].
pub fn verify_entries(entries: &[Vec<u8>]) -> Result<(), (u64, String)> {
    match actledger_store::verify_log(&SliceLog(entries), |_| {}, |_, _, _, _| Ok(())) {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err((e.seq.0, e.kind.to_string())),
        Err(e) => Err((0, e.to_string())),
    }
}
