//! `actledger monitor`: follow a published log over C2SP tlog-tiles, trusting nothing the
//! server says. Each poll fetches `checkpoint`, checks the log's signature and the witness
//! quorum, compares it with the last checkpoint verified (same size and another root: a fork;
//! smaller: a rollback), downloads only the entry bundles with new entries, recomputes the
//! Merkle root over every entry (so the new tree provably extends the verified one — no proof
//! from the server is needed), and verifies every event with the pipeline `verify` uses
//! (`actledger_store::verify_log`: chain, signatures, roles, rules, Merkle). Misbehaviour
//! writes an evidence file (`actledger_core::evidence`) and is an error.
//!
//! Local state in `DIR`: `checkpoint` (the last verified note) and `entries` (every verified
//! entry, each as a big-endian `u16` length and its bytes, as in an entry bundle), written
//! entries first, then the checkpoint by rename, so a crash between leaves extra entries that
//! the next start drops.
//!
//! Bounds against a hostile server: one timeout per request, a size limit per response
//! (checkpoint: [`actledger_core::note::MAX_NOTE_BYTES`]; a bundle of width `W`: `W` entries
//! of at most 65,535 bytes), no redirects, no retries.

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use actledger_core::checkpoint::{Checkpoint, SignedCheckpoint};
use actledger_core::evidence::{root_of, Evidence, EvidenceKind};
use actledger_core::note::{VerifierKey, MAX_NOTE_BYTES};
use actledger_core::quorum::Quorum;
use actledger_core::tiles::{parse_entry_bundle, TileId, TileKind, MAX_ENTRY_BYTES, TILE_WIDTH};
use actledger_store::{LogReader, Scan, StoreError};

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
}

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
    agent: ureq::Agent,
    entries: Vec<Vec<u8>>,
    last: Option<SignedCheckpoint>,
}

const CHECKPOINT: &str = "checkpoint";
const ENTRIES: &str = "entries";

fn local(path: &Path, e: impl std::fmt::Display) -> MonitorError {
    MonitorError::Local(format!("{}: {e}", path.display()))
}

/// Parses the `entries` file: `u16` BE length and bytes, repeated.
fn parse_entries(mut bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (len, rest) = bytes.split_first_chunk::<2>()?;
        let len = usize::from(u16::from_be_bytes(*len));
        if rest.len() < len {
            return None;
        }
        let (e, rest) = rest.split_at(len);
        out.push(e.to_vec());
        bytes = rest;
    }
    Some(out)
}

impl Monitor {
    /// Opens (creating it if needed) the state in `cfg.dir` and checks it: the stored
    /// entries must hash to the stored checkpoint's root.
    pub fn open(cfg: MonitorConfig) -> Result<Self, MonitorError> {
        let dir = &cfg.dir;
        if std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(local(dir, "is a symbolic link"));
        }
        std::fs::create_dir_all(dir).map_err(|e| local(dir, e))?;
        let cp_path = dir.join(CHECKPOINT);
        let last = match std::fs::read_to_string(&cp_path) {
            Ok(t) => Some(
                Checkpoint::open(&t, cfg.vkey.name().as_str(), &cfg.vkey)
                    .map_err(|e| local(&cp_path, e))?,
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(local(&cp_path, e)),
        };
        let e_path = dir.join(ENTRIES);
        let bytes = match std::fs::read(&e_path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(local(&e_path, e)),
        };
        let mut entries =
            parse_entries(&bytes).ok_or_else(|| local(&e_path, "truncated inside an entry"))?;
        let size = last.as_ref().map_or(0, |c| c.checkpoint().size());
        let size = usize::try_from(size).map_err(|e| local(&cp_path, e))?;
        if entries.len() < size {
            return Err(local(&e_path, "holds fewer entries than the checkpoint"));
        }
        if entries.len() > size {
            // Entries written by a poll that stopped before its checkpoint: drop them.
            entries.truncate(size);
            let keep: usize = entries.iter().map(|e| 2 + e.len()).sum();
            let f = OpenOptions::new()
                .write(true)
                .open(&e_path)
                .map_err(|e| local(&e_path, e))?;
            f.set_len(keep as u64).map_err(|e| local(&e_path, e))?;
            f.sync_all().map_err(|e| local(&e_path, e))?;
        }
        if let Some(cp) = &last {
            if root_of(&entries) != *cp.checkpoint().root() {
                return Err(local(
                    &e_path,
                    "the entries do not hash to the stored checkpoint (altered locally?)",
                ));
            }
        }
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(cfg.timeout))
            .max_redirects(0)
            .build()
            .into();
        Ok(Self {
            cfg,
            agent,
            entries,
            last,
        })
    }

    /// The verified size.
    pub fn size(&self) -> u64 {
        self.entries.len() as u64
    }

    /// The verified entries.
    pub fn entries(&self) -> &[Vec<u8>] {
        &self.entries
    }

    fn fetch(&self, path: &str, limit: u64) -> Result<Vec<u8>, MonitorError> {
        let url = format!("{}/{path}", self.cfg.url.trim_end_matches('/'));
        let err = |e: String| MonitorError::Server(format!("{url}: {e}"));
        let mut resp = self
            .agent
            .get(&url)
            .call()
            .map_err(|e| err(e.to_string()))?;
        let status = resp.status().as_u16();
        if status != 200 {
            return Err(err(format!("answered {status}")));
        }
        resp.body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| err(e.to_string()))
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
        let raw = self.fetch(CHECKPOINT, MAX_NOTE_BYTES as u64)?;
        let text = String::from_utf8_lossy(&raw).into_owned();
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
        let (m, n) = (self.size(), cp.size());
        if let Some(last) = &self.last {
            let last_text = last.note().to_string();
            if n < m {
                let msg = format!("rollback: the server now serves size {n}, after size {m}");
                let ev = self.new_evidence(EvidenceKind::Rollback, &msg, vec![last_text, text]);
                return Err(self.evidence(ev, msg));
            }
            if n == m && cp.root() != last.checkpoint().root() {
                let msg = format!("fork: two signed checkpoints of size {n} with different roots");
                let ev = self.new_evidence(EvidenceKind::Fork, &msg, vec![last_text, text]);
                return Err(self.evidence(ev, msg));
            }
        }
        if n == m {
            return Ok(Polled {
                size: n,
                root: cp.root().to_base64(),
                new_events: 0,
            });
        }
        let mut all = std::mem::take(&mut self.entries);
        if let Err(e) = self.extend(&mut all, &signed, &text, m, n) {
            all.truncate(usize::try_from(m).unwrap_or(usize::MAX));
            self.entries = all;
            return Err(e);
        }
        if let Err(e) = self.persist(&all, m, &text) {
            all.truncate(usize::try_from(m).unwrap_or(usize::MAX));
            self.entries = all;
            return Err(e);
        }
        self.entries = all;
        self.last = Some(signed);
        Ok(Polled {
            size: n,
            root: cp.root().to_base64(),
            new_events: n - m,
        })
    }

    /// Downloads entries `m..n` into `all` and verifies everything against `signed`.
    fn extend(
        &self,
        all: &mut Vec<Vec<u8>>,
        signed: &SignedCheckpoint,
        text: &str,
        m: u64,
        n: u64,
    ) -> Result<(), MonitorError> {
        let width = u64::from(TILE_WIDTH);
        for idx in m / width..n.div_ceil(width) {
            let w = if (idx + 1) * width <= n {
                width
            } else {
                n - idx * width
            };
            let id = TileId::new(TileKind::Entries, idx, w as u16)
                .map_err(|e| MonitorError::Server(e.to_string()))?;
            let path = id.path();
            let bytes = self.fetch(&path, w * (2 + MAX_ENTRY_BYTES as u64))?;
            let parsed = match parse_entry_bundle(&bytes) {
                Ok(p) if p.len() as u64 == w => p,
                Ok(p) => {
                    let msg = format!("{path} holds {} entries, not {w}", p.len());
                    return Err(self.bad_bundle(&msg, text, &path, &bytes));
                }
                Err(e) => {
                    let msg = format!("{path}: {e}");
                    return Err(self.bad_bundle(&msg, text, &path, &bytes));
                }
            };
            let skip = usize::try_from(m.saturating_sub(idx * width)).unwrap_or(usize::MAX);
            all.extend(parsed.into_iter().skip(skip).map(<[u8]>::to_vec));
        }
        let cp = signed.checkpoint();
        let root = root_of(all);
        if root != *cp.root() {
            let msg = format!(
                "the entries served hash to {}, not the signed root {} of size {n}",
                root.to_base64(),
                cp.root().to_base64()
            );
            let mut cps = Vec::new();
            if let Some(last) = &self.last {
                cps.push(last.note().to_string());
            }
            cps.push(text.to_string());
            let ev = self
                .new_evidence(EvidenceKind::RootMismatch, &msg, cps)
                .with_entries(all);
            return Err(self.evidence(ev, msg));
        }
        let verified = actledger_store::verify_log(&SliceLog(all), |_| {}, |_, _, _, _| Ok(()))
            .map_err(|e| MonitorError::Local(e.to_string()))?;
        if let Err(e) = verified {
            let msg = format!("event {}: {}", e.seq, e.kind);
            let mut ev = self
                .new_evidence(EvidenceKind::BadEvent, &msg, vec![text.to_string()])
                .with_entries(all);
            ev.seq = Some(e.seq.0);
            return Err(self.evidence(ev, msg));
        }
        Ok(())
    }

    fn bad_bundle(&self, msg: &str, text: &str, path: &str, bytes: &[u8]) -> MonitorError {
        let ev = self
            .new_evidence(EvidenceKind::BadBundle, msg, vec![text.to_string()])
            .with_bundle(path, bytes);
        self.evidence(ev, msg.to_string())
    }

    fn persist(&self, all: &[Vec<u8>], m: u64, text: &str) -> Result<(), MonitorError> {
        let dir = &self.cfg.dir;
        let e_path = dir.join(ENTRIES);
        let mut buf = Vec::new();
        for e in &all[usize::try_from(m).unwrap_or(usize::MAX).min(all.len())..] {
            // Entries came from bundles: each fits a u16.
            buf.extend_from_slice(&(e.len() as u16).to_be_bytes());
            buf.extend_from_slice(e);
        }
        let mut f = OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o644)
            .open(&e_path)
            .map_err(|e| local(&e_path, e))?;
        f.write_all(&buf).map_err(|e| local(&e_path, e))?;
        f.sync_all().map_err(|e| local(&e_path, e))?;
        let tmp = dir.join(".checkpoint.tmp");
        let _ = std::fs::remove_file(&tmp);
        let mut t = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .open(&tmp)
            .map_err(|e| local(&tmp, e))?;
        t.write_all(text.as_bytes()).map_err(|e| local(&tmp, e))?;
        t.sync_all().map_err(|e| local(&tmp, e))?;
        let cp_path = dir.join(CHECKPOINT);
        std::fs::rename(&tmp, &cp_path).map_err(|e| local(&cp_path, e))?;
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| local(dir, e))?;
        Ok(())
    }
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
