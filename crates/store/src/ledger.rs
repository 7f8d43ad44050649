//! The sled ledger.
//!
//! Layout of `DIR/` (docs/FORMAT.md §6):
//! - `ledger.lock`: the process lock (holds the holder's pid);
//! - `db/`: the sled database with trees
//!   - `events`: `seq` (u64 big-endian) → the event's stored bytes;
//!   - `by_state`: `state (3 ASCII bytes) || seq (u64 BE)` → empty;
//!   - `by_draft`: `year (u16 BE) || number (u32 BE) || seq (u64 BE)` → empty;
//!   - `meta`: `head` → `count (u64 BE) || SHA-256 of the last event (32 bytes)`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use actledger_core::chain::{self, SealedEvent};
use actledger_core::event::{EventBody, UnsignedEvent, FORMAT_VERSION};
use actledger_core::rules::LedgerState;
use actledger_core::verify::{Signatures, Verifier};
use actledger_core::{
    DraftSymbol, Event, EventHash, Seq, SigningKey, StateCode, Timestamp, VerifyError,
    VerifyErrorKind,
};
use sha2::{Digest, Sha256};
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::Transactional;

use crate::lock::{self, LockFile};
use crate::verify::{verify_log, VerifySummary};
use crate::{LogReader, StoreError};

/// How to open a ledger.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// How long to wait for another process to release the ledger.
    pub wait: Duration,
    /// sled page cache size in bytes.
    pub cache_bytes: u64,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            wait: Duration::ZERO,
            cache_bytes: 64 * 1024 * 1024,
        }
    }
}

/// A durably appended event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// Its sequence number.
    pub seq: Seq,
    /// SHA-256 of its stored bytes.
    pub hash: EventHash,
}

/// An open ledger, held exclusively by this process.
#[derive(Debug)]
pub struct Ledger {
    dir: PathBuf,
    db: sled::Db,
    events: sled::Tree,
    by_state: sled::Tree,
    by_draft: sled::Tree,
    meta: sled::Tree,
    /// Rule state after the stored events, rebuilt on the first append.
    writer: Option<Verifier>,
    poisoned: bool,
    _lock: LockFile,
}

const HEAD_KEY: &[u8] = b"head";
/// Events per sled transaction when appending a batch.
const CHUNK: usize = 2048;

fn seq_key(seq: u64) -> [u8; 8] {
    seq.to_be_bytes()
}

fn state_key(state: StateCode, seq: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(11);
    k.extend_from_slice(state.as_str().as_bytes());
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

fn draft_key(d: DraftSymbol, seq: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(14);
    k.extend_from_slice(&d.year().to_be_bytes());
    k.extend_from_slice(&d.number().to_be_bytes());
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// Order-independent digest of a set of index keys: (count, wrapping sum of the first 16
/// bytes of SHA-256 of each key). Lets verify compare an index with the events in one pass
/// and constant memory.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct SetDigest {
    count: u64,
    sum: u128,
}

impl SetDigest {
    fn add(&mut self, key: &[u8]) {
        let h = Sha256::digest(key);
        let mut first = [0u8; 16];
        first.copy_from_slice(&h[..16]);
        self.count += 1;
        self.sum = self.sum.wrapping_add(u128::from_be_bytes(first));
    }
}

impl Ledger {
    fn open_db(dir: &Path, opts: &OpenOptions, create: bool) -> Result<Self, StoreError> {
        let io = |source| StoreError::Io {
            dir: dir.display().to_string(),
            source,
        };
        let db_path = dir.join("db");
        if create {
            std::fs::create_dir_all(dir).map_err(io)?;
        } else if !db_path.join("conf").exists() {
            return Err(StoreError::NotFound(dir.display().to_string()));
        }
        let lock = lock::acquire(dir, opts.wait)?;
        if create && db_path.exists() {
            return Err(StoreError::AlreadyExists(dir.display().to_string()));
        }
        let db = sled::Config::new()
            .path(&db_path)
            .cache_capacity(opts.cache_bytes)
            .mode(sled::Mode::HighThroughput)
            .open()
            .map_err(|e| match e {
                sled::Error::Io(source) => StoreError::Io {
                    dir: dir.display().to_string(),
                    source,
                },
                other => StoreError::Db(other),
            })?;
        Ok(Self {
            dir: dir.to_path_buf(),
            events: db.open_tree("events")?,
            by_state: db.open_tree("by_state")?,
            by_draft: db.open_tree("by_draft")?,
            meta: db.open_tree("meta")?,
            db,
            writer: None,
            poisoned: false,
            _lock: lock,
        })
    }

    /// Creates a ledger in `dir` (which must not hold one) with its genesis event, signed by
    /// the administrator key it names.
    pub fn create(
        dir: &Path,
        admin: &SigningKey,
        genesis: actledger_core::event::LedgerCreated,
    ) -> Result<(Self, Appended), StoreError> {
        let mut ledger = Self::open_db(dir, &OpenOptions::default(), true)?;
        ledger.writer = Some(Verifier::new(Signatures::Skip));
        let appended = ledger.append(admin, EventBody::LedgerCreated(genesis))?;
        Ok((ledger, appended))
    }

    /// Opens an existing ledger. Nothing is replayed until the first append.
    pub fn open(dir: &Path, opts: &OpenOptions) -> Result<Self, StoreError> {
        Self::open_db(dir, opts, false)
    }

    /// The ledger directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The stored head: `(count, hash of the last event)`, as the metadata says.
    pub fn stored_head(&self) -> Result<(u64, EventHash), StoreError> {
        match self.meta.get(HEAD_KEY)? {
            None => Ok((0, EventHash::ZERO)),
            Some(v) if v.len() == 40 => {
                let mut n = [0u8; 8];
                n.copy_from_slice(&v[..8]);
                let mut h = [0u8; 32];
                h.copy_from_slice(&v[8..]);
                Ok((u64::from_be_bytes(n), EventHash(h)))
            }
            Some(v) => Err(StoreError::Corrupted(format!(
                "head record is {} bytes, expected 40",
                v.len()
            ))),
        }
    }

    /// Rule state after the stored events (replays the log without signature checks on first
    /// use; `verify` is what checks signatures).
    pub fn state(&mut self) -> Result<&LedgerState, StoreError> {
        Ok(self.writer()?.state())
    }

    fn writer(&mut self) -> Result<&mut Verifier, StoreError> {
        if self.poisoned {
            return Err(StoreError::Poisoned);
        }
        if self.writer.is_none() {
            let mut v = Verifier::new(Signatures::Skip);
            for item in self.scan(0) {
                let (key, bytes) = item?;
                if key != v.len() {
                    return Err(StoreError::Corrupted(format!(
                        "event key {key} where seq {} was expected; run `actledger verify`",
                        v.len()
                    )));
                }
                v.push(&bytes).map_err(|e| {
                    StoreError::Corrupted(format!(
                        "stored log fails at {e}; run `actledger verify`"
                    ))
                })?;
            }
            let (count, head) = self.stored_head()?;
            if count != v.len() || head != v.head() {
                return Err(StoreError::Corrupted(format!(
                    "stored head ({count} events, {head}) disagrees with the events ({} events, {}); run `actledger verify`",
                    v.len(),
                    v.head()
                )));
            }
            self.writer = Some(v);
        }
        self.writer.as_mut().ok_or(StoreError::Poisoned)
    }

    /// Signs `bodies` with `key` and checks each against the rules after the ones before it,
    /// without writing anything. Returns the sealed events, or the index of the first refused
    /// body and why.
    pub fn prepare(
        &mut self,
        key: &SigningKey,
        bodies: impl IntoIterator<Item = EventBody>,
    ) -> Result<Vec<SealedEvent>, (usize, StoreError)> {
        let author = key.public();
        let mut v = self.writer().map_err(|e| (0, e))?.clone();
        let mut out = Vec::new();
        for (i, body) in bodies.into_iter().enumerate() {
            let now = Timestamp::now();
            let recorded_at = v.state().last_time().map_or(now, |t| t.max(now));
            let unsigned = UnsignedEvent {
                version: FORMAT_VERSION,
                seq: Seq(v.len()),
                prev: v.head(),
                recorded_at,
                author,
                body,
            };
            let sealed = chain::seal(unsigned, key).map_err(|e| (i, StoreError::Encode(e)))?;
            v.push(&sealed.bytes)
                .map_err(|e| (i, StoreError::Rejected(e.kind)))?;
            out.push(sealed);
        }
        Ok(out)
    }

    /// Appends one event, durably.
    pub fn append(&mut self, key: &SigningKey, body: EventBody) -> Result<Appended, StoreError> {
        let mut v = self.append_all(key, [body])?;
        v.pop().ok_or(StoreError::Poisoned)
    }

    /// Appends events as one unit: all are checked before any is written, then written in
    /// chunks of whole events (a crash leaves a prefix of them, never a partial event), and the
    /// database is flushed before returning.
    pub fn append_all(
        &mut self,
        key: &SigningKey,
        bodies: impl IntoIterator<Item = EventBody>,
    ) -> Result<Vec<Appended>, StoreError> {
        let sealed = self.prepare(key, bodies).map_err(|(_, e)| e)?;
        self.commit(&sealed)
    }

    /// Writes events produced by [`Ledger::prepare`] on this ledger (and nothing appended
    /// since), then flushes.
    pub fn commit(&mut self, sealed: &[SealedEvent]) -> Result<Vec<Appended>, StoreError> {
        let mut writer = self.writer()?.clone();
        // Re-admit on the live state: refuses a batch prepared against an older head.
        for s in sealed {
            writer
                .push(&s.bytes)
                .map_err(|e| StoreError::Rejected(e.kind))?;
        }
        let mut out = Vec::with_capacity(sealed.len());
        for chunk in sealed.chunks(CHUNK) {
            if let Err(e) = self.write_chunk(chunk) {
                self.poisoned = true;
                return Err(e);
            }
            out.extend(chunk.iter().map(|s| Appended {
                seq: s.event.unsigned.seq,
                hash: s.hash,
            }));
        }
        if let Err(e) = self.db.flush() {
            self.poisoned = true;
            return Err(e.into());
        }
        self.writer = Some(writer);
        Ok(out)
    }

    fn write_chunk(&self, chunk: &[SealedEvent]) -> Result<(), StoreError> {
        let Some(last) = chunk.last() else {
            return Ok(());
        };
        let count = last.event.unsigned.seq.0 + 1;
        let mut head = Vec::with_capacity(40);
        head.extend_from_slice(&count.to_be_bytes());
        head.extend_from_slice(&last.hash.0);
        let result = (&self.events, &self.by_state, &self.by_draft, &self.meta).transaction(
            |(events, by_state, by_draft, meta)| {
                for s in chunk {
                    let seq = s.event.unsigned.seq.0;
                    if events.insert(&seq_key(seq), s.bytes.as_slice())?.is_some() {
                        return Err(ConflictableTransactionError::Abort(format!(
                            "an event is already stored at seq {seq}"
                        )));
                    }
                    for st in s.event.unsigned.body.states() {
                        by_state.insert(state_key(st, seq), &[] as &[u8])?;
                    }
                    for d in s.event.unsigned.body.drafts() {
                        by_draft.insert(draft_key(d, seq), &[] as &[u8])?;
                    }
                }
                meta.insert(HEAD_KEY, head.as_slice())?;
                Ok(())
            },
        );
        match result {
            Ok(()) => Ok(()),
            Err(TransactionError::Abort(msg)) => Err(StoreError::Corrupted(msg)),
            Err(TransactionError::Storage(e)) => Err(e.into()),
        }
    }

    /// Decodes the event at `seq` (canonical decode; no signature check).
    pub fn event(&self, seq: Seq) -> Result<Option<Event>, StoreError> {
        match self.get(seq.0)? {
            None => Ok(None),
            Some(bytes) => chain::decode_event(&bytes)
                .map(Some)
                .map_err(|e| StoreError::Corrupted(format!("seq {seq}: {e}"))),
        }
    }

    fn index_seqs(tree: &sled::Tree, prefix: &[u8]) -> Result<Vec<Seq>, StoreError> {
        let mut out = Vec::new();
        for item in tree.scan_prefix(prefix) {
            let (k, _) = item?;
            let tail: [u8; 8] = k[k.len().saturating_sub(8)..]
                .try_into()
                .map_err(|_| StoreError::Corrupted("short index key".into()))?;
            out.push(Seq(u64::from_be_bytes(tail)));
        }
        Ok(out)
    }

    /// Sequence numbers of the events concerning `state` (index lookup, no scan).
    pub fn seqs_by_state(&self, state: StateCode) -> Result<Vec<Seq>, StoreError> {
        Self::index_seqs(&self.by_state, state.as_str().as_bytes())
    }

    /// Sequence numbers of the events concerning `draft` (index lookup, no scan).
    pub fn seqs_by_draft(&self, draft: DraftSymbol) -> Result<Vec<Seq>, StoreError> {
        let mut p = Vec::with_capacity(6);
        p.extend_from_slice(&draft.year().to_be_bytes());
        p.extend_from_slice(&draft.number().to_be_bytes());
        Self::index_seqs(&self.by_draft, &p)
    }

    /// Verifies the whole ledger from its event bytes, then checks that the stored head and
    /// both indexes say exactly what the events say.
    pub fn verify(
        &self,
        progress: impl FnMut(u64),
    ) -> Result<Result<VerifySummary, VerifyError>, StoreError> {
        let (summary, _) = match verify_log(self, progress)? {
            Ok(x) => x,
            Err(e) => return Ok(Err(e)),
        };
        let meta_err = |msg: String| VerifyError {
            seq: Seq(summary.events.saturating_sub(1)),
            kind: VerifyErrorKind::Metadata(msg),
        };
        let (count, head) = self.stored_head()?;
        if count != summary.events || head != summary.head {
            return Ok(Err(meta_err(format!(
                "stored head says {count} events ending in {head}, the events say {} ending in {}",
                summary.events, summary.head
            ))));
        }
        // Indexes: compare digests in one pass; on a mismatch, find the offending entry.
        let (mut want_state, mut want_draft) = (SetDigest::default(), SetDigest::default());
        for item in self.scan(0) {
            let (seq, bytes) = item?;
            let ev =
                chain::decode_event(&bytes).map_err(|e| StoreError::Corrupted(e.to_string()))?;
            for s in ev.unsigned.body.states() {
                want_state.add(&state_key(s, seq));
            }
            for d in ev.unsigned.body.drafts() {
                want_draft.add(&draft_key(d, seq));
            }
        }
        for (name, tree, want) in [
            ("by_state", &self.by_state, want_state),
            ("by_draft", &self.by_draft, want_draft),
        ] {
            let mut have = SetDigest::default();
            for item in tree.iter() {
                let (k, v) = item?;
                if !v.is_empty() {
                    have.count = u64::MAX;
                }
                have.add(&k);
            }
            if have != want {
                return Ok(Err(self.locate_index_lie(name, tree)?));
            }
        }
        Ok(Ok(summary))
    }

    /// Finds the first index entry that the events do not justify, or the first event whose
    /// entry is missing.
    fn locate_index_lie(&self, name: &str, tree: &sled::Tree) -> Result<VerifyError, StoreError> {
        let err = |seq: u64, msg: String| VerifyError {
            seq: Seq(seq),
            kind: VerifyErrorKind::Metadata(msg),
        };
        for item in tree.iter() {
            let (k, v) = item?;
            let seq = k
                .get(k.len().saturating_sub(8)..)
                .and_then(|t| <[u8; 8]>::try_from(t).ok())
                .map(u64::from_be_bytes)
                .unwrap_or(0);
            let Some(bytes) = self.get(seq)? else {
                return Ok(err(
                    seq,
                    format!("index {name} has an entry for an event that does not exist"),
                ));
            };
            let ev =
                chain::decode_event(&bytes).map_err(|e| StoreError::Corrupted(e.to_string()))?;
            let expected: Vec<Vec<u8>> = if name == "by_state" {
                ev.unsigned
                    .body
                    .states()
                    .into_iter()
                    .map(|s| state_key(s, seq))
                    .collect()
            } else {
                ev.unsigned
                    .body
                    .drafts()
                    .into_iter()
                    .map(|d| draft_key(d, seq))
                    .collect()
            };
            if !v.is_empty() || !expected.iter().any(|e| e.as_slice() == k.as_ref()) {
                return Ok(err(
                    seq,
                    format!("index {name} has an entry the event does not justify"),
                ));
            }
        }
        for item in self.scan(0) {
            let (seq, bytes) = item?;
            let ev =
                chain::decode_event(&bytes).map_err(|e| StoreError::Corrupted(e.to_string()))?;
            let expected: Vec<Vec<u8>> = if name == "by_state" {
                ev.unsigned
                    .body
                    .states()
                    .into_iter()
                    .map(|s| state_key(s, seq))
                    .collect()
            } else {
                ev.unsigned
                    .body
                    .drafts()
                    .into_iter()
                    .map(|d| draft_key(d, seq))
                    .collect()
            };
            for e in expected {
                if !tree.contains_key(&e)? {
                    return Ok(err(
                        seq,
                        format!("index {name} lacks an entry for this event"),
                    ));
                }
            }
        }
        Ok(err(0, format!("index {name} disagrees with the events")))
    }
}

impl LogReader for Ledger {
    fn len(&self) -> Result<u64, StoreError> {
        Ok(match self.events.last()? {
            None => 0,
            Some((k, _)) => {
                let b: [u8; 8] = k
                    .as_ref()
                    .try_into()
                    .map_err(|_| StoreError::Corrupted("event key is not 8 bytes".into()))?;
                u64::from_be_bytes(b) + 1
            }
        })
    }

    fn get(&self, seq: u64) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.events.get(seq_key(seq))?.map(|v| v.to_vec()))
    }

    fn scan(&self, from: u64) -> crate::Scan<'_> {
        Box::new(self.events.range(seq_key(from)..).map(|item| {
            let (k, v) = item?;
            let b: [u8; 8] = k.as_ref().try_into().map_err(|_| {
                StoreError::Corrupted(format!("event key of {} bytes, expected 8", k.len()))
            })?;
            Ok((u64::from_be_bytes(b), v.to_vec()))
        }))
    }
}
