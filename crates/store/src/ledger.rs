//! The sled ledger.
//!
//! Layout of `DIR/` (docs/FORMAT.md §6):
//! - `ledger.lock`: the process lock (holds the holder's pid);
//! - `db/`: the sled database with trees
//!   - `bundles`: bundle number (u64 big-endian) → 16 consecutive events, each as
//!     `length (u32 BE) || stored bytes` (see [`crate::bundle`]);
//!   - `by_state`: `state (3 ASCII bytes) || seq (u64 BE)` → empty;
//!   - `by_draft`: `year (u16 BE) || number (u32 BE) || seq (u64 BE)` → empty;
//!   - `tiles`: `tile level (u8) || index (u64 BE)` → the Merkle hash tile: the concatenated
//!     32-byte hashes of nodes `(level 8·L, index 256·N + i)` (see [`crate::tiles`]);
//!   - `checkpoints`: `size (u64 BE)` → the signed checkpoint note (C2SP signed-note text);
//!   - `meta`: `head` → `count (u64 BE) || SHA-256 of the last event (32 bytes)`;
//!     `frontier` → the Merkle frontier after the last event (`merkle::Frontier::to_bytes`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use actledger_core::chain::{self, SealedEvent};
use actledger_core::checkpoint::Checkpoint;
use actledger_core::event::{EventBody, Fact, UnsignedEvent, FORMAT_VERSION};
use actledger_core::merkle::{self, Frontier};
use actledger_core::note::{KeyKind, KeyName, Note, VerifierKey};
use actledger_core::rules::LedgerState;
use actledger_core::verify::{Signatures, Verifier};
use actledger_core::{
    DraftSymbol, Event, EventHash, Origin, Role, Seq, SigningKey, StateCode, Timestamp,
    VerifyError, VerifyErrorKind,
};

use crate::bundle;
use crate::lock::{self, LockFile};
use crate::tiles::{self as tile, Edge, TileWrite};
use crate::verify::VerifySummary;
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
            // sled's resident memory grows far beyond its nominal cache under a stream of
            // writes (a 64k-vote import: 147 MiB at 1 MiB, 461 MiB at 4 MiB, 501 MiB at 16 MiB),
            // while the OS page cache serves reads well: a small cache is faster overall
            // (docs/PERFORMANCE.md).
            cache_bytes: 1024 * 1024,
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
    bundles: sled::Tree,
    by_state: sled::Tree,
    by_draft: sled::Tree,
    meta: sled::Tree,
    tiles: sled::Tree,
    checkpoints: sled::Tree,
    /// Rule state and Merkle frontier after the stored events, rebuilt on first use.
    writer: Option<Writer>,
    poisoned: bool,
    recovered: u64,
    _lock: LockFile,
}

/// What appending needs: the rules' state and the Merkle tree's right edge (as a frontier
/// and as the rightmost hash tile of each tile level).
#[derive(Debug, Clone)]
struct Writer {
    verifier: Verifier,
    tree: Frontier,
    edge: Edge,
    /// Events covered by the stored rule-state snapshot (0: none).
    snapshot_at: u64,
}

/// A signed checkpoint as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    /// The tree size it commits to.
    pub size: u64,
    /// The C2SP signed-note text (checkpoint body, blank line, signature lines).
    pub note: String,
}

const HEAD_KEY: &[u8] = b"head";
/// The rule-state snapshot's header ([`SnapshotHeader`]); its parts are `rules/` || part
/// number (u32 BE). Derived data: lets an append skip replaying the log.
const RULES_KEY: &[u8] = b"rules";
/// Bytes per snapshot part: small values, so that neither sled (reading its log on open) nor
/// this program ever holds the tens of MB of a large ledger's rule state in one allocation
/// (one such buffer, freed, makes glibc keep every later allocation below its size on the
/// heap: ~100 MB more peak memory; docs/PERFORMANCE.md).
const RULES_PART_BYTES: usize = 32 * 1024;
/// A new snapshot is written once this many events were appended after the last one.
const SNAPSHOT_EVERY: u64 = 1024;

/// `meta/rules`: count (u64 BE) || hash of event count−1 (32) || number of parts (u32 BE) ||
/// SHA-256 of the state's encoding, the parts concatenated (32).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SnapshotHeader {
    count: u64,
    head: EventHash,
    parts: u32,
    digest: [u8; 32],
}

impl SnapshotHeader {
    const LEN: usize = 76;

    fn parse(b: &[u8]) -> Option<Self> {
        if b.len() != Self::LEN {
            return None;
        }
        Some(Self {
            count: u64::from_be_bytes(b.get(..8)?.try_into().ok()?),
            head: EventHash(b.get(8..40)?.try_into().ok()?),
            parts: u32::from_be_bytes(b.get(40..44)?.try_into().ok()?),
            digest: b.get(44..76)?.try_into().ok()?,
        })
    }

    fn to_bytes(self) -> Vec<u8> {
        let mut b = Vec::with_capacity(Self::LEN);
        b.extend_from_slice(&self.count.to_be_bytes());
        b.extend_from_slice(&self.head.0);
        b.extend_from_slice(&self.parts.to_be_bytes());
        b.extend_from_slice(&self.digest);
        b
    }
}

fn snapshot_part_key(i: u32) -> Vec<u8> {
    [RULES_KEY, b"/", &i.to_be_bytes()].concat()
}

/// A stored snapshot's parts in order, one sled value at a time, hashed as they are read.
struct SnapshotParts<'a> {
    meta: &'a sled::Tree,
    parts: u32,
    next: u32,
    hash: sha2::Sha256,
}

impl<'a> SnapshotParts<'a> {
    fn new(meta: &'a sled::Tree, parts: u32) -> Self {
        use sha2::Digest;
        Self {
            meta,
            parts,
            next: 0,
            hash: sha2::Sha256::new(),
        }
    }

    /// SHA-256 of all the parts (reading those not read yet), or why a part cannot be read.
    fn digest(mut self) -> Result<[u8; 32], String> {
        use sha2::Digest;
        for part in self.by_ref() {
            part?;
        }
        Ok(self.hash.finalize().into())
    }
}

impl Iterator for SnapshotParts<'_> {
    type Item = Result<sled::IVec, String>;

    fn next(&mut self) -> Option<Self::Item> {
        use sha2::Digest;
        if self.next == self.parts {
            return None;
        }
        let i = self.next;
        self.next += 1;
        Some(match self.meta.get(snapshot_part_key(i)) {
            Ok(Some(v)) if !v.is_empty() => {
                self.hash.update(&v);
                Ok(v)
            }
            Ok(_) => Err(format!("part {i} is missing")),
            Err(e) => Err(e.to_string()),
        })
    }
}

/// `meta/layout`: the version of the store's layout, one byte. 2: Merkle tiles, the rule-state
/// snapshot, no by_draft keys for tabled drafts and votes. 3: events in bundles of 16. Ledgers
/// of an earlier layout (or without the record) are upgraded on open; a newer one is refused.
const LAYOUT_KEY: &[u8] = b"layout";
const LAYOUT: u8 = 3;

/// The tree of one key per event that ledgers used before the bundles (layouts 1 and 2).
const OLD_EVENTS_TREE: &[u8] = b"events";

/// The tree of one key per Merkle node that ledgers used before the tiles.
const OLD_NODES_TREE: &[u8] = b"merkle";
const FRONTIER_KEY: &[u8] = b"frontier";
/// Present while a write is in progress: events beyond the head are then uncommitted and are
/// removed by the next open. Without it, events beyond the head are reported by verify, never
/// silently removed.
const PENDING_KEY: &[u8] = b"pending";

/// Events per sled transaction when appending a batch.
const CHUNK: usize = 2048;

/// The `meta/head` record: event count (u64 BE) || hash of the last event.
fn head_record(count: u64, last: &EventHash) -> Vec<u8> {
    let mut head = Vec::with_capacity(40);
    head.extend_from_slice(&count.to_be_bytes());
    head.extend_from_slice(&last.0);
    head
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

/// Order-independent digest of a set of index keys: (count, wrapping sum of a 128-bit keyed
/// hash of each key). Lets verify compare an index with the events in one pass and constant
/// memory. The hash is SipHash with keys drawn at random for each verification, so nobody who
/// edits the database can aim for a collision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SetDigest {
    count: u64,
    sum: u128,
}

/// The random keys of one verification's digests.
struct DigestKeys(
    std::collections::hash_map::RandomState,
    std::collections::hash_map::RandomState,
);

impl DigestKeys {
    fn new() -> Self {
        Self(Default::default(), Default::default())
    }

    fn empty(&self) -> SetDigest {
        SetDigest { count: 0, sum: 0 }
    }

    fn add(&self, d: &mut SetDigest, key: &[u8]) {
        use std::hash::BuildHasher;
        let h = (u128::from(self.0.hash_one(key)) << 64) | u128::from(self.1.hash_one(key));
        // Wrapping: verify sets `count` to u64::MAX to mark an index value that should be
        // empty, and the next key must not overflow (a panic on tampered data in debug builds).
        d.count = d.count.wrapping_add(1);
        d.sum = d.sum.wrapping_add(h);
    }
}

/// The drafts event `body` is indexed under in `by_draft`: those it concerns, except for a
/// tabled draft or a vote recorded as a fact, which the rules' state already maps by draft
/// (so the index does not write a key for most events; [`Ledger::seqs_by_draft`] asks both).
fn indexed_drafts(body: &EventBody) -> Vec<DraftSymbol> {
    match body {
        EventBody::Fact(Fact::DraftTabled(_) | Fact::CouncilVote(_)) => Vec::new(),
        other => other.drafts(),
    }
}

/// The keys event `seq` should have in index `name` (`by_state` or `by_draft`).
fn index_keys(name: &str, ev: &Event, seq: u64) -> Vec<Vec<u8>> {
    if name == "by_state" {
        ev.unsigned
            .body
            .states()
            .into_iter()
            .map(|s| state_key(s, seq))
            .collect()
    } else {
        indexed_drafts(&ev.unsigned.body)
            .into_iter()
            .map(|d| draft_key(d, seq))
            .collect()
    }
}

/// Removes the `snap.*.generating` files sled left in `db_path` (see `Ledger::open_db`);
/// returns whether there were any.
fn remove_partial_snapshots(db_path: &Path) -> std::io::Result<bool> {
    let mut removed = false;
    for entry in std::fs::read_dir(db_path)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            std::fs::remove_file(entry.path())?;
            removed = true;
        }
    }
    Ok(removed)
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
        // sled takes its own lock on the database file. Another program holding it, or a
        // process that is just exiting (its background threads release it a moment after our
        // lock file), is waited for briefly, then reported as "in use".
        let deadline = std::time::Instant::now() + opts.wait.max(Duration::from_secs(2));
        let mut cleaned = false;
        let db = loop {
            let opened = sled::Config::new()
                .path(&db_path)
                .cache_capacity(opts.cache_bytes)
                .mode(sled::Mode::HighThroughput)
                .open();
            match opened {
                Ok(db) => break db,
                Err(sled::Error::Io(e))
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.to_string().starts_with("could not acquire lock") =>
                {
                    if std::time::Instant::now() >= deadline {
                        return Err(StoreError::InUse {
                            dir: dir.display().to_string(),
                            pid: "unknown (the database file is locked by another program)".into(),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(25));
                }
                Err(sled::Error::Io(source)) => {
                    return Err(StoreError::Io {
                        dir: dir.display().to_string(),
                        source,
                    })
                }
                // sled 0.34 writes a snapshot to `snap.<lsn>.generating`, then renames it. A
                // write that failed (disk full) or a process killed meanwhile leaves that file,
                // which every later open takes for the newest snapshot and reports as
                // corruption. It is never the only copy of anything (the log is): remove it
                // (we hold both locks, so no one is writing it) and open again.
                Err(sled::Error::Corruption { .. })
                    if !cleaned && remove_partial_snapshots(&db_path).map_err(io)? =>
                {
                    cleaned = true;
                }
                Err(other) => return Err(StoreError::Db(other)),
            }
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            bundles: db.open_tree("bundles")?,
            by_state: db.open_tree("by_state")?,
            by_draft: db.open_tree("by_draft")?,
            meta: db.open_tree("meta")?,
            tiles: db.open_tree("tiles")?,
            checkpoints: db.open_tree("checkpoints")?,
            db,
            writer: None,
            poisoned: false,
            recovered: 0,
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
        // Flushed with the genesis event.
        ledger.meta.insert(LAYOUT_KEY, &[LAYOUT])?;
        ledger.writer = Some(Writer {
            verifier: Verifier::new(Signatures::Skip),
            tree: Frontier::new(),
            edge: Edge::default(),
            snapshot_at: 0,
        });
        let appended = ledger.append(admin, EventBody::LedgerCreated(genesis))?;
        Ok((ledger, appended))
    }

    /// Opens an existing ledger. Nothing is replayed until the first append. What an
    /// interrupted write left beyond the head (never acknowledged) is removed first.
    pub fn open(dir: &Path, opts: &OpenOptions) -> Result<Self, StoreError> {
        let mut ledger = Self::open_db(dir, opts, false)?;
        let layout = ledger.check_layout()?;
        if ledger.has_tree(OLD_EVENTS_TREE) {
            ledger.migrate_events_to_bundles()?;
        }
        ledger.recovered = ledger.recover()?;
        ledger.upgrade(layout)?;
        Ok(ledger)
    }

    fn has_tree(&self, name: &[u8]) -> bool {
        self.db.tree_names().iter().any(|n| n.as_ref() == name)
    }

    /// The stored layout version (1 for a ledger without the record); refuses a newer one than
    /// this program's.
    fn check_layout(&self) -> Result<u8, StoreError> {
        let layout = self
            .meta
            .get(LAYOUT_KEY)?
            .and_then(|v| v.first().copied())
            .unwrap_or(1);
        if layout > LAYOUT {
            return Err(StoreError::Corrupted(format!(
                "the ledger's storage layout ({layout}) is newer than this actledger's ({LAYOUT}): use a newer actledger"
            )));
        }
        Ok(layout)
    }

    /// Ledgers before layout 3 kept one sled key per event in an `events` tree. The events are
    /// copied, byte for byte, into bundles; the old tree is dropped only once the copy is
    /// durable (an interrupted copy is redone from the start on the next open). The old log
    /// must have no gaps (a bundle cannot hold one): a ledger whose log has one is refused.
    fn migrate_events_to_bundles(&self) -> Result<(), StoreError> {
        let old = self.db.open_tree(OLD_EVENTS_TREE)?;
        self.bundles.clear()?;
        let mut batch = sled::Batch::default();
        let mut in_batch = 0usize;
        let mut current: Option<(u64, Vec<u8>)> = None;
        for (expected, item) in (0u64..).zip(old.iter()) {
            let (k, v) = item?;
            let seq = event_seq(&k)?;
            if seq != expected {
                return Err(StoreError::Corrupted(format!(
                    "the stored log has event key {seq} where seq {expected} was expected, so it \
                     cannot be moved to this version's layout; check it with `actledger verify` \
                     of the version that wrote it"
                )));
            }
            let (b, _) = bundle::locate(seq);
            if current.as_ref().is_some_and(|(cb, _)| *cb != b) {
                if let Some((cb, buf)) = current.take() {
                    batch.insert(&bundle::key(cb), buf);
                    in_batch += 1;
                }
                if in_batch == 256 {
                    self.bundles.apply_batch(std::mem::take(&mut batch))?;
                    in_batch = 0;
                }
            }
            bundle::push(&mut current.get_or_insert_with(|| (b, Vec::new())).1, &v);
        }
        if let Some((cb, buf)) = current {
            batch.insert(&bundle::key(cb), buf);
        }
        self.bundles.apply_batch(batch)?;
        self.db.flush()?;
        drop(old);
        self.db.drop_tree(OLD_EVENTS_TREE)?;
        self.db.flush()?;
        Ok(())
    }

    /// Brings a ledger written by an earlier version (of `layout`, as [`Ledger::check_layout`]
    /// read it) to the current layout ([`LAYOUT`]), once its events are in bundles. Only
    /// derived data changes, so this is safe to redo.
    fn upgrade(&self, layout: u8) -> Result<(), StoreError> {
        if self.has_tree(OLD_NODES_TREE) {
            self.migrate_nodes_to_tiles()?;
        }
        if layout == LAYOUT {
            return Ok(());
        }
        if layout < 2 {
            self.remove_stale_draft_keys()?;
        }
        // Before layout 3 the snapshot was one record; it is written again in parts by the
        // next import or 1,024th append.
        self.meta.remove(RULES_KEY)?;
        self.meta.insert(LAYOUT_KEY, &[LAYOUT])?;
        self.db.flush()?;
        Ok(())
    }

    /// Before layout 2, tabled drafts and votes had by_draft keys (the rules' state now finds
    /// them by draft): removed.
    fn remove_stale_draft_keys(&self) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        let mut pending = 0usize;
        for item in self.by_draft.iter() {
            let (k, _) = item?;
            let Some(seq) = k
                .get(k.len().saturating_sub(8)..)
                .and_then(|t| <[u8; 8]>::try_from(t).ok())
                .map(u64::from_be_bytes)
            else {
                continue;
            };
            let stale = self.get(seq)?.is_some_and(|bytes| {
                matches!(
                    chain::peek_kind(&bytes),
                    Some((
                        chain::variant::FACT,
                        Some(chain::variant::DRAFT_TABLED | chain::variant::COUNCIL_VOTE)
                    ))
                )
            });
            if stale {
                batch.remove(k);
                pending += 1;
                if pending == 4096 {
                    self.by_draft.apply_batch(std::mem::take(&mut batch))?;
                    pending = 0;
                }
            }
        }
        self.by_draft.apply_batch(batch)?;
        Ok(())
    }

    /// Ledgers written before the Merkle tiles kept one sled key per tree node in a `merkle`
    /// tree. That tree is derived data: the tiles are computed from the events (up to the
    /// head), written, and the old tree is dropped, once, on the first open.
    fn migrate_nodes_to_tiles(&self) -> Result<(), StoreError> {
        let (count, _) = self.stored_head()?;
        let mut batch = sled::Batch::default();
        self.recompute_tiles(count, |_, t| {
            batch.insert(&t.key(), t.bytes);
            Ok(std::ops::ControlFlow::<()>::Continue(()))
        })?;
        self.tiles.apply_batch(batch)?;
        self.db.flush()?;
        self.db.drop_tree(OLD_NODES_TREE)?;
        self.db.flush()?;
        Ok(())
    }

    /// Events of an interrupted write removed when this ledger was opened.
    pub fn recovered(&self) -> u64 {
        self.recovered
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
        Ok(self.writer()?.verifier.state())
    }

    /// The ledger's origin (named by its genesis event).
    pub fn origin(&mut self) -> Result<Origin, StoreError> {
        self.state()?
            .origin()
            .cloned()
            .ok_or_else(|| StoreError::Corrupted("the ledger has no genesis event".into()))
    }

    fn writer(&mut self) -> Result<&mut Writer, StoreError> {
        if self.poisoned {
            return Err(StoreError::Poisoned);
        }
        if self.writer.is_none() {
            let w = match self.load_snapshot()? {
                Some(snapshot) => self.resume_from(snapshot)?,
                None => self.rebuild()?,
            };
            self.writer = Some(w);
        }
        self.writer.as_mut().ok_or(StoreError::Poisoned)
    }

    /// Replays the whole log (trusted decode, no signatures) into a writer. Decoding and
    /// hashing run on all cores; the rules and the tree, in order, here.
    fn rebuild(&self) -> Result<Writer, StoreError> {
        let mut v = Verifier::trusting();
        let mut tree = Frontier::new();
        let mut edge = Edge::default();
        let mut full_tiles = Vec::new();
        self.replay_into(&mut v, |leaf| {
            let nodes = tree.append(leaf).map_err(|e| e.to_string())?;
            edge.add(&nodes, &mut full_tiles);
            full_tiles.clear();
            Ok(())
        })?;
        self.check_head(&v)?;
        if self.stored_frontier()? != tree {
            return Err(StoreError::Corrupted(
                "stored Merkle frontier disagrees with the events; run `actledger verify`".into(),
            ));
        }
        Ok(Writer {
            verifier: v,
            tree,
            edge,
            snapshot_at: 0,
        })
    }

    /// A writer from a rule-state snapshot: the events after it are replayed; the Merkle
    /// frontier and edge are read from the store at the head.
    fn resume_from(
        &self,
        (count, head, state): (u64, EventHash, LedgerState),
    ) -> Result<Writer, StoreError> {
        let mut v = Verifier::resume(state, count, head, Signatures::Skip);
        self.replay_into(&mut v, |_| Ok(()))?;
        self.check_head(&v)?;
        let tree = self.stored_frontier()?;
        if tree.size() != v.len() {
            return Err(StoreError::Corrupted(format!(
                "stored Merkle frontier has {} leaves, the log {} events; run `actledger verify`",
                tree.size(),
                v.len()
            )));
        }
        let edge = Edge::from_stored(tree.size(), |l, i| {
            Ok(self.tiles.get(tile::tile_key(l, i))?)
        })?;
        Ok(Writer {
            verifier: v,
            tree,
            edge,
            snapshot_at: count,
        })
    }

    /// Admits the stored events from `v.len()` on into `v` (trusted decode, in parallel),
    /// calling `also` with each one's Merkle leaf hash.
    fn replay_into(
        &self,
        v: &mut Verifier,
        mut also: impl FnMut(merkle::Hash) -> Result<(), String>,
    ) -> Result<(), StoreError> {
        let mut failure = None;
        let work = crate::pipeline::Work {
            keep: None,
            canonical: false,
            hashes: true,
            signatures: None,
            chunk: crate::CHUNK,
        };
        crate::pipeline::for_each_chunk(self, v.len(), work, |chunk| {
            for p in chunk.items.drain(..) {
                let bytes = chunk.run.get(p.index).map_or(&[][..], |(_, b)| b);
                let step = if p.key != v.len() {
                    Err(format!(
                        "event key {} where seq {} was expected",
                        p.key,
                        v.len()
                    ))
                } else {
                    match p.event {
                        Err(e) => Err(format!("seq {}: {e}", p.key)),
                        Ok(ev) => v
                            .push_decoded(ev, bytes, p.hash)
                            .map_err(|e| format!("stored log fails at {e}"))
                            .and_then(|_| also(p.leaf)),
                    }
                };
                if let Err(msg) = step {
                    failure = Some(StoreError::Corrupted(format!(
                        "{msg}; run `actledger verify`"
                    )));
                    return std::ops::ControlFlow::Break(());
                }
            }
            std::ops::ControlFlow::Continue(())
        })?;
        failure.map_or(Ok(()), Err)
    }

    fn check_head(&self, v: &Verifier) -> Result<(), StoreError> {
        let (count, head) = self.stored_head()?;
        if count != v.len() || head != v.head() {
            return Err(StoreError::Corrupted(format!(
                "stored head ({count} events, {head}) disagrees with the events ({} events, {}); run `actledger verify`",
                v.len(),
                v.head()
            )));
        }
        Ok(())
    }

    /// The stored rule-state snapshot, if there is one that names an event of this log by
    /// position and hash and decodes; anything else is ignored (the log is replayed instead).
    fn load_snapshot(&self) -> Result<Option<(u64, EventHash, LedgerState)>, StoreError> {
        let Some(h) = self.snapshot_header()?.flatten() else {
            return Ok(None);
        };
        let (stored, _) = self.stored_head()?;
        if h.count == 0 || h.count > stored {
            return Ok(None);
        }
        match self.get(h.count - 1)? {
            Some(last) if chain::event_hash(&last) == h.head => {}
            _ => return Ok(None),
        }
        // Decoding reads every part (a byte after the state is an error), so the hash covers
        // all of them.
        let mut parts = SnapshotParts::new(&self.meta, h.parts);
        let Ok(state) = LedgerState::from_snapshot_parts(parts.by_ref()) else {
            return Ok(None);
        };
        let digest = parts.digest().ok();
        Ok((digest == Some(h.digest)).then_some((h.count, h.head, state)))
    }

    /// The stored snapshot header: `None` if there is none, `Some(None)` if it does not parse.
    fn snapshot_header(&self) -> Result<Option<Option<SnapshotHeader>>, StoreError> {
        Ok(self
            .meta
            .get(RULES_KEY)?
            .map(|record| SnapshotHeader::parse(&record)))
    }

    /// Adds a snapshot of the writer's rule state to `batch` (for the `meta` tree): its parts,
    /// the removal of parts a longer previous one left, and its header.
    fn add_snapshot(&self, w: &Writer, batch: &mut sled::Batch) -> Result<(), StoreError> {
        let (parts, digest) = w.verifier.state().to_snapshot_parts(RULES_PART_BYTES)?;
        let count = u32::try_from(parts.len())
            .map_err(|_| StoreError::Corrupted("the rule state is too large to store".into()))?;
        for (i, part) in (0u32..).zip(parts) {
            batch.insert(snapshot_part_key(i), part);
        }
        // The parts a longer snapshot left, as stored (not as its header claims: a header is
        // only a claim, and one claiming billions of parts must not make this loop that long).
        let mut stale = count;
        while stale < u32::MAX && self.meta.contains_key(snapshot_part_key(stale))? {
            batch.remove(snapshot_part_key(stale));
            stale += 1;
        }
        let header = SnapshotHeader {
            count: w.verifier.len(),
            head: w.verifier.head(),
            parts: count,
            digest,
        };
        batch.insert(RULES_KEY, header.to_bytes());
        Ok(())
    }

    /// Whether enough events were appended since the writer's snapshot to write a new one.
    fn snapshot_due(w: &Writer) -> bool {
        w.verifier.len() >= w.snapshot_at + SNAPSHOT_EVERY
    }

    fn stored_frontier(&self) -> Result<Frontier, StoreError> {
        match self.meta.get(FRONTIER_KEY)? {
            None => Ok(Frontier::new()),
            Some(b) => Frontier::from_bytes(&b)
                .map_err(|e| StoreError::Corrupted(format!("stored Merkle frontier: {e}"))),
        }
    }

    /// Signs `bodies` with `key` and checks each against the rules after the ones before it,
    /// without writing anything. Returns the sealed events, or the index of the first refused
    /// body and why.
    pub fn prepare(
        &mut self,
        key: &SigningKey,
        bodies: impl IntoIterator<Item = EventBody>,
    ) -> Result<Vec<SealedEvent>, (usize, StoreError)> {
        let mut v = self.writer().map_err(|e| (0, e))?.verifier.clone();
        Self::seal_all(&mut v, key, bodies)
    }

    /// Signs each body as the next event after `v` and admits it to `v`.
    fn seal_all(
        v: &mut Verifier,
        key: &SigningKey,
        bodies: impl IntoIterator<Item = EventBody>,
    ) -> Result<Vec<SealedEvent>, (usize, StoreError)> {
        let author = key.public();
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
        self.writer()?;
        // The bodies are admitted to the live rule state (no copy of it: at a million events
        // it is tens of MB). If one is refused, the writer is dropped and rebuilt from the
        // store (its snapshot) on next use: nothing was written.
        let mut writer = self.writer.take().ok_or(StoreError::Poisoned)?;
        let sealed = Self::seal_all(&mut writer.verifier, key, bodies).map_err(|(_, e)| e)?;
        self.write_sealed(writer, &sealed, false)
    }

    /// Writes events produced by [`Ledger::prepare`] on this ledger (and nothing appended
    /// since), then flushes.
    pub fn commit(&mut self, sealed: &[SealedEvent]) -> Result<Vec<Appended>, StoreError> {
        let writer = self.writer()?.clone();
        self.write_sealed(writer, sealed, true)
    }

    /// Writes `sealed` after `writer`'s events (admitting each to its rules first with
    /// `admit`, or already admitted), flushes, and keeps the advanced writer. Writes a new
    /// rule-state snapshot when one is due.
    fn write_sealed(
        &mut self,
        mut writer: Writer,
        sealed: &[SealedEvent],
        admit: bool,
    ) -> Result<Vec<Appended>, StoreError> {
        let mut out = Vec::with_capacity(sealed.len());
        self.meta.insert(PENDING_KEY, &[] as &[u8])?;
        for chunk in sealed.chunks(CHUNK) {
            let mut tiles = Vec::new();
            for s in chunk {
                if admit {
                    // Re-admit on the live state: refuses a batch prepared against an older
                    // head.
                    writer
                        .verifier
                        .push(&s.bytes)
                        .map_err(|e| StoreError::Rejected(e.kind))?;
                }
                let nodes = writer
                    .tree
                    .append(merkle::leaf_hash(&s.bytes))
                    .map_err(|e| StoreError::Corrupted(e.to_string()))?;
                writer.edge.add(&nodes, &mut tiles);
            }
            writer.edge.partial(&mut tiles);
            if let Err(e) = self.write_chunk(chunk, &tiles, &writer.tree, true) {
                self.poisoned = true;
                return Err(e);
            }
            out.extend(chunk.iter().map(|s| Appended {
                seq: s.event.unsigned.seq,
                hash: s.hash,
            }));
        }
        if let Err(e) = self.meta.remove(PENDING_KEY).and_then(|_| self.db.flush()) {
            self.poisoned = true;
            return Err(e.into());
        }
        // The events are durable. A snapshot is derived data: if writing it fails, the next
        // open replays from the previous one.
        if Self::snapshot_due(&writer) {
            let mut batch = sled::Batch::default();
            if self.add_snapshot(&writer, &mut batch).is_ok() {
                let written = self.meta.apply_batch(batch).and_then(|_| self.db.flush());
                if written.is_ok() {
                    writer.snapshot_at = writer.verifier.len();
                }
            }
        }
        self.writer = Some(writer);
        Ok(out)
    }

    /// Writes whole events, their index entries, the Merkle tiles they fill or extend, and
    /// (with `commit`) the new frontier and head.
    fn write_chunk(
        &self,
        chunk: &[SealedEvent],
        tiles: &[TileWrite],
        tree: &Frontier,
        commit: bool,
    ) -> Result<(), StoreError> {
        let Some(last) = chunk.last() else {
            return Ok(());
        };
        let head = head_record(last.event.unsigned.seq.0 + 1, &last.hash);
        // The events, their index entries and the Merkle tiles first (one atomic batch per
        // tree), the head last: the head is the commit point. A crash in between leaves
        // events beyond the head, which `recover` removes on the next open; no reader ever
        // sees them, and a crash never leaves part of an event.
        let (mut bundles, mut by_state, mut by_draft, mut merkle_b, mut meta) = (
            sled::Batch::default(),
            sled::Batch::default(),
            sled::Batch::default(),
            sled::Batch::default(),
            sled::Batch::default(),
        );
        // The bundle being filled: the first one continues the stored last bundle (rewritten
        // whole: a sled insert replaces a value atomically).
        let mut filling: Option<(u64, Vec<u8>)> = None;
        for s in chunk {
            let seq = s.event.unsigned.seq.0;
            let (b, i) = bundle::locate(seq);
            if filling.as_ref().is_none_or(|(fb, _)| *fb != b) {
                if let Some((fb, buf)) = filling.take() {
                    bundles.insert(&bundle::key(fb), buf);
                }
                let mut buf = Vec::with_capacity(16 * (s.bytes.len() + bundle::LEN_BYTES));
                if i > 0 {
                    let stored = self.bundles.get(bundle::key(b))?.unwrap_or_default();
                    let held = bundle::count(&stored);
                    if held != i {
                        return Err(StoreError::Corrupted(format!(
                            "bundle {b} holds {held} events where {i} were expected; run `actledger verify`"
                        )));
                    }
                    buf.extend_from_slice(&stored);
                }
                filling = Some((b, buf));
            }
            if let Some((_, buf)) = filling.as_mut() {
                bundle::push(buf, &s.bytes);
            }
            for st in s.event.unsigned.body.states() {
                by_state.insert(state_key(st, seq), &[] as &[u8]);
            }
            for d in indexed_drafts(&s.event.unsigned.body) {
                by_draft.insert(draft_key(d, seq), &[] as &[u8]);
            }
        }
        if let Some((fb, buf)) = filling {
            bundles.insert(&bundle::key(fb), buf);
        }
        for t in tiles {
            merkle_b.insert(&t.key(), t.bytes.as_slice());
        }
        meta.insert(FRONTIER_KEY, tree.to_bytes());
        meta.insert(HEAD_KEY, head);
        self.bundles.apply_batch(bundles)?;
        self.by_state.apply_batch(by_state)?;
        self.by_draft.apply_batch(by_draft)?;
        self.tiles.apply_batch(merkle_b)?;
        if commit {
            self.meta.apply_batch(meta)?;
        }
        Ok(())
    }

    /// Cuts the stored Merkle tiles back to what a tree of `size` leaves holds: tiles beyond
    /// it removed, the rightmost tile of each level cut to its width then. Returns whether
    /// anything changed.
    fn trim_tiles(&self, size: u64) -> Result<bool, StoreError> {
        let mut changed = false;
        for level in 0..tile::TILE_LEVELS {
            let (full, width) = tile::extent(size, level);
            let first_gone = if width == 0 { full } else { full + 1 };
            let stale: Vec<sled::IVec> = self
                .tiles
                .range(tile::tile_key(level, first_gone)..=tile::tile_key(level, u64::MAX))
                .keys()
                .collect::<Result<_, _>>()?;
            for k in stale {
                self.tiles.remove(k)?;
                changed = true;
            }
            if width > 0 {
                let key = tile::tile_key(level, full);
                if let Some(v) = self.tiles.get(key)? {
                    if let Some(kept) = v
                        .get(..width * merkle::HASH_LEN)
                        .filter(|k| k.len() < v.len())
                    {
                        self.tiles.insert(key, kept)?;
                        changed = true;
                    }
                }
            }
        }
        Ok(changed)
    }

    /// Removes what an interrupted write left beyond the head (events, their index entries,
    /// the Merkle tiles they filled or extended). Returns how many events were removed.
    fn recover(&self) -> Result<u64, StoreError> {
        if !self.meta.contains_key(PENDING_KEY)? {
            return Ok(0);
        }
        let (count, _) = self.stored_head()?;
        let last = self.len()?;
        let stray_tiles = self.trim_tiles(count)?;
        if last <= count && !stray_tiles {
            self.meta.remove(PENDING_KEY)?;
            self.db.flush()?;
            return Ok(0);
        }
        let mut removed = 0;
        for item in self.scan(count) {
            let (seq, bytes) = item?;
            removed += 1;
            if let Ok(ev) = chain::decode_event(&bytes) {
                for st in ev.unsigned.body.states() {
                    self.by_state.remove(state_key(st, seq))?;
                }
                for d in indexed_drafts(&ev.unsigned.body) {
                    self.by_draft.remove(draft_key(d, seq))?;
                }
            }
        }
        // The bundle of the head keeps the events before it; the bundles after it go (found
        // one lookup at a time: no iterator over what may be a whole import).
        let (b, i) = bundle::locate(count);
        let mut first_gone = b;
        if i > 0 {
            first_gone += 1;
            if let Some(v) = self.bundles.get(bundle::key(b))? {
                let kept = bundle::join(bundle::split(&v).take(i));
                if kept.as_slice() != v.as_ref() {
                    self.bundles.insert(bundle::key(b), kept)?;
                }
            }
        }
        while let Some(item) = self.bundles.range(bundle::key(first_gone)..).next() {
            let (k, _) = item?;
            self.bundles.remove(k)?;
        }
        self.meta.remove(PENDING_KEY)?;
        self.db.flush()?;
        Ok(removed)
    }

    /// Appends a large batch (an import) as a pipeline, all or nothing. `produce` runs on its
    /// own thread and calls `emit` with each body in order; `emit` checks the body against the
    /// rules (shape, size, author's role, domain rules, after the bodies before it) and fails
    /// if it is refused. Meanwhile this thread signs the admitted events in order (each names
    /// its predecessor's hash, so signing is sequential) and another hashes the Merkle tree and
    /// writes them *beyond the head*. Only when `produce` has finished without error does the
    /// head move (one atomic write), then the database is flushed. If `produce` fails, or the
    /// process dies, the events beyond the head are removed (now, or by [`Ledger::open`]): the
    /// ledger is exactly as it was. All events of a batch share one `recorded_at`.
    ///
    /// With `check_only`, bodies are checked and nothing is signed or written.
    ///
    /// Returns the first and last events written, or `produce`'s error.
    pub fn import_pipeline<E, P>(
        &mut self,
        key: &SigningKey,
        check_only: bool,
        produce: P,
        mut progress: impl FnMut(u64),
    ) -> Result<Result<Option<(Appended, Appended)>, E>, StoreError>
    where
        E: Send,
        P: FnOnce(&mut dyn FnMut(EventBody) -> Result<(), StoreError>) -> Result<(), E> + Send,
    {
        let w = self.writer()?;
        let author = key.public();
        let now = Timestamp::now();
        let recorded_at = w.verifier.state().last_time().map_or(now, |t| t.max(now));
        let first = w.verifier.len();
        let head = w.verifier.head();
        // The pipeline takes the rule state and tree (a 1M-event ledger's state is hundreds of
        // MB: not copied). On success they come back advanced; on failure the writer is
        // rebuilt from the store on next use.
        let taken = self.writer.take().ok_or(StoreError::Poisoned)?;
        let mut tree = taken.tree;
        let mut edge = taken.edge;
        let snapshot_at = taken.snapshot_at;
        let mut state = taken.verifier.into_state();
        if !check_only {
            self.meta.insert(PENDING_KEY, &[] as &[u8])?;
        }
        let this = &*self;
        type Batch = Vec<(EventBody, Vec<u8>)>;
        const SEND: usize = 256;
        let result = std::thread::scope(|scope| {
            let (tx_body, rx_body) = std::sync::mpsc::sync_channel::<Batch>(16);
            let (tx_sealed, rx_sealed) = std::sync::mpsc::sync_channel::<Vec<SealedEvent>>(16);
            let producer = std::thread::Builder::new()
                .name("import-check".into())
                .spawn_scoped(scope, move || {
                    let mut batch: Batch = Vec::with_capacity(SEND);
                    let mut next = first;
                    let produced = {
                        let mut emit = |body: EventBody| -> Result<(), StoreError> {
                            body.check_shape().map_err(|e| {
                                StoreError::Rejected(VerifyErrorKind::Decode(e.into()))
                            })?;
                            // The whole message the signer needs (and the size check).
                            let message =
                                chain::message_for(Seq(next), recorded_at, &author, &body)?;
                            let unsigned = UnsignedEvent {
                                version: FORMAT_VERSION,
                                seq: Seq(next),
                                prev: EventHash::ZERO,
                                recorded_at,
                                author,
                                body,
                            };
                            state
                                .admit(&unsigned)
                                .map_err(|e| StoreError::Rejected(VerifyErrorKind::Rule(e)))?;
                            next += 1;
                            if check_only {
                                return Ok(());
                            }
                            batch.push((unsigned.body, message));
                            if batch.len() == SEND {
                                tx_body
                                    .send(std::mem::replace(&mut batch, Vec::with_capacity(SEND)))
                                    .map_err(|_| {
                                        StoreError::Corrupted("the signer stopped".into())
                                    })?;
                            }
                            Ok(())
                        };
                        produce(&mut emit)
                    };
                    if produced.is_ok() && !batch.is_empty() {
                        let _ = tx_body.send(batch);
                    }
                    (produced, state)
                });
            let writer = std::thread::Builder::new()
                .name("import-write".into())
                .spawn_scoped(scope, move || -> Result<(Frontier, Edge), StoreError> {
                    let mut chunk: Vec<SealedEvent> = Vec::with_capacity(CHUNK);
                    let mut tiles = Vec::new();
                    let mut chunks = 0u64;
                    for sealed in rx_sealed {
                        for s in sealed {
                            let nodes = tree
                                .append(merkle::leaf_hash(&s.bytes))
                                .map_err(|e| StoreError::Corrupted(e.to_string()))?;
                            edge.add(&nodes, &mut tiles);
                            chunk.push(s);
                            if chunk.len() == CHUNK {
                                // Full tiles only: the partial ones are written once, at the end.
                                this.write_chunk(&chunk, &tiles, &tree, false)?;
                                chunk.clear();
                                tiles.clear();
                                chunks += 1;
                                // Bound what sled buffers in memory before it reaches disk.
                                if chunks.is_multiple_of(8) {
                                    this.db.flush()?;
                                }
                            }
                        }
                    }
                    edge.partial(&mut tiles);
                    this.write_chunk(&chunk, &tiles, &tree, false)?;
                    Ok((tree, edge))
                });
            // This thread signs, in order.
            let mut prev = head;
            let mut seq = first;
            let mut ends: Option<(Appended, Appended)> = None;
            let mut failure = None;
            'batches: for batch in rx_body {
                let mut out = Vec::with_capacity(batch.len());
                for (body, mut stored) in batch {
                    let hash = match chain::seal_message(&mut stored, Seq(seq), prev, key) {
                        Ok(h) => h,
                        Err(e) => {
                            failure = Some(StoreError::Encode(e));
                            break 'batches;
                        }
                    };
                    let sig = chain::stored_signature(&stored);
                    let event = Event {
                        unsigned: UnsignedEvent {
                            version: FORMAT_VERSION,
                            seq: Seq(seq),
                            prev,
                            recorded_at,
                            author,
                            body,
                        },
                        signature: sig,
                    };
                    let a = Appended {
                        seq: Seq(seq),
                        hash,
                    };
                    ends = Some((ends.map_or(a, |(f, _)| f), a));
                    out.push(SealedEvent {
                        event,
                        bytes: stored,
                        hash,
                    });
                    prev = hash;
                    seq += 1;
                }
                if tx_sealed.send(out).is_err() {
                    break;
                }
                progress(seq - first);
            }
            drop(tx_sealed);
            let written = writer
                .map_err(|_| ())
                .and_then(|h| h.join().map_err(|_| ()));
            let produced = producer
                .map_err(|_| ())
                .and_then(|h| h.join().map_err(|_| ()));
            (ends, failure, written, produced)
        });
        let (ends, failure, written, produced) = result;
        let (produced, state) =
            produced.map_err(|_| StoreError::Corrupted("the import-check thread failed".into()))?;
        let written =
            written.map_err(|_| StoreError::Corrupted("the import-write thread failed".into()))?;
        let fail = |this: &mut Self| -> Result<(), StoreError> {
            // Nothing beyond the head becomes part of the ledger.
            this.recover()?;
            Ok(())
        };
        let (tree, edge) = match (produced, failure, written) {
            (Err(e), _, _) => {
                fail(self)?;
                return Ok(Err(e));
            }
            (Ok(()), Some(e), _) | (Ok(()), None, Err(e)) => {
                fail(self)?;
                return Err(e);
            }
            (Ok(()), None, Ok(written)) => written,
        };
        let Some((f, l)) = ends else {
            if !check_only {
                self.meta.remove(PENDING_KEY)?;
            }
            return Ok(Ok(None));
        };
        // Commit: move the head (with the frontier) in one atomic write, then flush.
        let size = l.seq.0 + 1;
        let mut writer = Writer {
            verifier: Verifier::resume(state, size, l.hash, Signatures::Skip),
            tree,
            edge,
            snapshot_at,
        };
        let mut meta = sled::Batch::default();
        meta.insert(FRONTIER_KEY, writer.tree.to_bytes());
        meta.insert(HEAD_KEY, head_record(size, &l.hash));
        meta.remove(PENDING_KEY);
        // The rule-state snapshot moves with the head, in the same atomic batch.
        if Self::snapshot_due(&writer) {
            self.add_snapshot(&writer, &mut meta)?;
            writer.snapshot_at = size;
        }
        let committed = self
            .meta
            .apply_batch(meta)
            .and_then(|()| self.db.flush().map(|_| ()));
        if let Err(e) = committed {
            self.poisoned = true;
            return Err(e.into());
        }
        self.writer = Some(writer);
        Ok(Ok(Some((f, l))))
    }

    /// The stored hash of the perfect subtree `(level, index)`.
    /// One tile read; a node above a tile's level is hashed up from it (at most 127 hashes).
    pub fn node(&self, level: u8, index: u64) -> Result<merkle::Hash, StoreError> {
        tile::node(level, index, |l, i| {
            Ok(self.tiles.get(tile::tile_key(l, i))?)
        })
    }

    fn prove_err(e: merkle::ProveError<StoreError>) -> StoreError {
        match e {
            merkle::ProveError::Read { source, .. } => source,
            other => StoreError::Proof(other.to_string()),
        }
    }

    /// Number of events, as the stored head says.
    pub fn size(&self) -> Result<u64, StoreError> {
        Ok(self.stored_head()?.0)
    }

    /// The Merkle root of the first `size` events (reads O(log n) nodes).
    pub fn root_at(&self, size: u64) -> Result<merkle::Hash, StoreError> {
        self.check_size(size)?;
        merkle::root(size, |l, i| self.node(l, i)).map_err(Self::prove_err)
    }

    fn check_size(&self, size: u64) -> Result<(), StoreError> {
        let n = self.size()?;
        if size > n {
            return Err(StoreError::Proof(format!(
                "the log has {n} events, not {size}"
            )));
        }
        Ok(())
    }

    /// RFC 9162 inclusion proof of event `index` in the tree of `size` events.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<merkle::Hash>, StoreError> {
        self.check_size(size)?;
        merkle::inclusion_proof(index, size, |l, i| self.node(l, i)).map_err(Self::prove_err)
    }

    /// RFC 9162 consistency proof from the tree of `old` events to the tree of `new` events.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<merkle::Hash>, StoreError> {
        self.check_size(new)?;
        merkle::consistency_proof(old, new, |l, i| self.node(l, i)).map_err(Self::prove_err)
    }

    /// Signs the current tree head with `key` (which must hold the `log` role) as a C2SP
    /// checkpoint, stores it in the checkpoint history (durably) and returns it. A checkpoint
    /// already stored for the current size is returned as it is.
    pub fn sign_checkpoint(&mut self, key: &SigningKey) -> Result<StoredCheckpoint, StoreError> {
        match self
            .sign_checkpoint_with(key, |cp| Ok::<_, std::convert::Infallible>(cp.note.clone()))?
        {
            Ok(cp) => Ok(cp),
            Err(never) => match never {},
        }
    }

    /// Like [`Ledger::sign_checkpoint`], but the checkpoint is stored only once `publish`
    /// returns the note to keep: the signed note (or the one already stored at this size)
    /// with more signature lines, such as a quorum of witness cosignatures. An error from
    /// `publish` stores nothing. The returned note must keep the same text and every
    /// signature line of the one given.
    pub fn sign_checkpoint_with<E>(
        &mut self,
        key: &SigningKey,
        publish: impl FnOnce(&StoredCheckpoint) -> Result<String, E>,
    ) -> Result<Result<StoredCheckpoint, E>, StoreError> {
        let origin = self.origin()?;
        let w = self.writer()?;
        let public = key.public();
        if !w.verifier.state().key_has_role(&public, Role::Log) {
            return Err(StoreError::Rejected(VerifyErrorKind::Rule(
                actledger_core::RuleError::MissingRole {
                    key: public.to_hex(),
                    needed: "log",
                    kind: "checkpoint",
                    held: w
                        .verifier
                        .state()
                        .keys()
                        .get(&public)
                        .map(|k| {
                            k.roles
                                .keys()
                                .map(|r| r.name())
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .filter(|s| !s.is_empty())
                        .unwrap_or_else(|| "none".into()),
                },
            )));
        }
        let size = w.tree.size();
        let root = w.tree.root();
        let signed = match self.checkpoint_at(size)? {
            Some(existing) => existing,
            None => {
                let cp = Checkpoint::new(origin.as_str(), size, root)
                    .map_err(|e| StoreError::Proof(e.to_string()))?;
                let note = cp
                    .sign(&KeyName::from(&origin), key)
                    .map_err(|e| StoreError::Proof(e.to_string()))?
                    .to_string();
                StoredCheckpoint { size, note }
            }
        };
        let note = match publish(&signed) {
            Ok(n) => n,
            Err(e) => return Ok(Err(e)),
        };
        if note != signed.note {
            let parse = |t: &str| {
                actledger_core::note::Note::parse(t).map_err(|e| StoreError::Proof(e.to_string()))
            };
            let (was, now) = (parse(&signed.note)?, parse(&note)?);
            let kept = was
                .signatures()
                .iter()
                .all(|s| now.signatures().contains(s));
            if was.text() != now.text() || !kept {
                return Err(StoreError::Proof(
                    "a published checkpoint must keep the signed text and signatures".into(),
                ));
            }
        } else if self.checkpoint_at(size)?.is_some() {
            return Ok(Ok(signed));
        }
        self.checkpoints
            .insert(size.to_be_bytes(), note.as_bytes())?;
        self.db.flush()?;
        Ok(Ok(StoredCheckpoint { size, note }))
    }

    fn decode_checkpoint(k: &[u8], v: &[u8]) -> Result<StoredCheckpoint, StoreError> {
        let size = <[u8; 8]>::try_from(k)
            .map(u64::from_be_bytes)
            .map_err(|_| StoreError::Corrupted("checkpoint key is not 8 bytes".into()))?;
        let note = String::from_utf8(v.to_vec()).map_err(|_| {
            StoreError::Corrupted(format!("checkpoint at size {size} is not UTF-8"))
        })?;
        Ok(StoredCheckpoint { size, note })
    }

    /// The stored checkpoint for `size`, if any.
    pub fn checkpoint_at(&self, size: u64) -> Result<Option<StoredCheckpoint>, StoreError> {
        self.checkpoints
            .get(size.to_be_bytes())?
            .map(|v| Self::decode_checkpoint(&size.to_be_bytes(), &v))
            .transpose()
    }

    /// The checkpoint with the largest size.
    pub fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        self.checkpoints
            .last()?
            .map(|(k, v)| Self::decode_checkpoint(&k, &v))
            .transpose()
    }

    /// Every stored checkpoint, by size.
    pub fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
        self.checkpoints
            .iter()
            .map(|item| {
                let (k, v) = item?;
                Self::decode_checkpoint(&k, &v)
            })
            .collect()
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

    /// Sequence numbers of the events concerning `draft`, in order: its tabling and its vote
    /// as the rules' state holds them (a corrected fact keeps its seq), and from the
    /// `by_draft` index the assessments, meetings and corrections concerning it. Lookups, no
    /// scan.
    pub fn seqs_by_draft(&mut self, draft: DraftSymbol) -> Result<Vec<Seq>, StoreError> {
        let mut p = Vec::with_capacity(6);
        p.extend_from_slice(&draft.year().to_be_bytes());
        p.extend_from_slice(&draft.number().to_be_bytes());
        let mut seqs = Self::index_seqs(&self.by_draft, &p)?;
        let (tabled, voted) = self.state()?.draft_seqs(draft);
        seqs.extend(tabled.into_iter().chain(voted));
        seqs.sort();
        seqs.dedup();
        Ok(seqs)
    }

    /// Verifies the whole ledger from its event bytes, then checks that the stored head and
    /// both indexes say exactly what the events say.
    pub fn verify(
        &self,
        progress: impl FnMut(u64),
    ) -> Result<Result<VerifySummary, VerifyError>, StoreError> {
        self.verify_with(crate::SignatureMode::default(), progress)
    }

    /// [`Ledger::verify`] with a chosen way of checking signatures.
    pub fn verify_with(
        &self,
        mode: crate::SignatureMode,
        progress: impl FnMut(u64),
    ) -> Result<Result<VerifySummary, VerifyError>, StoreError> {
        let keys = DigestKeys::new();
        let checkpoints = self.checkpoints()?;
        // The rule-state snapshot must be the state the events give at its size.
        // The stored parts are hashed here (their header's digest is only a claim); a header
        // whose digest is not its parts' names no state at all.
        let parsed = match self.snapshot_header()? {
            None => None,
            Some(None) => Some(None),
            Some(Some(h)) => {
                let stored = SnapshotParts::new(&self.meta, h.parts).digest().ok();
                let digest = stored.filter(|d| *d == h.digest).unwrap_or([0; 32]);
                Some(Some((h.count, h.head, digest)))
            }
        };
        let snapshot_err = |seq: u64, msg: String| VerifyError {
            seq: Seq(seq),
            kind: VerifyErrorKind::Metadata(format!("stored rule-state snapshot {msg}")),
        };
        let mut pending = checkpoints.iter().peekable();
        let (mut want_state, mut want_draft, mut want_tiles) =
            (keys.empty(), keys.empty(), keys.empty());
        let mut edge = Edge::default();
        let mut tiles = Vec::new();
        let digest_tile = |d: &mut SetDigest, t: &TileWrite| {
            let mut entry = t.key().to_vec();
            entry.extend_from_slice(&t.bytes);
            keys.add(d, &entry);
        };
        // What the tile and index trees hold is digested first, then the events are verified
        // (a thread digesting them alongside gained no time on two cores and raised the peak
        // memory: sled held both trees' pages at once).
        let stored = self.stored_digests(&keys);
        let result = crate::verify_log_with(self, mode, progress, |ev, v, tree, nodes| {
            let seq = ev.unsigned.seq.0;
            for s in ev.unsigned.body.states() {
                keys.add(&mut want_state, &state_key(s, seq));
            }
            for d in indexed_drafts(&ev.unsigned.body) {
                keys.add(&mut want_draft, &draft_key(d, seq));
            }
            edge.add(nodes, &mut tiles);
            for t in tiles.drain(..) {
                digest_tile(&mut want_tiles, &t);
            }
            if let Some(Some((count, head, digest))) = parsed {
                if count == v.len() {
                    let same = head == v.head()
                        && v.state().snapshot_digest().is_ok_and(|mine| mine == digest);
                    if !same {
                        return Err(snapshot_err(
                            seq,
                            format!("at size {count} is not the rule state of the events"),
                        ));
                    }
                }
            }
            while let Some(cp) = pending.next_if(|cp| cp.size <= v.len()) {
                check_checkpoint(cp, v, tree).map_err(|msg| VerifyError {
                    seq: Seq(cp.size.saturating_sub(1)),
                    kind: VerifyErrorKind::Metadata(format!(
                        "checkpoint at size {}: {msg}",
                        cp.size
                    )),
                })?;
            }
            Ok(())
        });
        let (summary, _) = match result? {
            Ok(x) => x,
            Err(e) => return Ok(Err(e)),
        };
        let [have_tiles, have_state, have_draft] = stored?;
        edge.partial(&mut tiles);
        for t in &tiles {
            digest_tile(&mut want_tiles, t);
        }
        let meta_err = |msg: String| VerifyError {
            seq: Seq(summary.events.saturating_sub(1)),
            kind: VerifyErrorKind::Metadata(msg),
        };
        if let Some(cp) = pending.next() {
            return Ok(Err(meta_err(format!(
                "a checkpoint claims size {}, but the log has {} events",
                cp.size, summary.events
            ))));
        }
        match parsed {
            Some(None) => {
                return Ok(Err(snapshot_err(
                    summary.events.saturating_sub(1),
                    format!("header is not {} bytes", SnapshotHeader::LEN),
                )))
            }
            Some(Some((count, _, _))) if count == 0 || count > summary.events => {
                return Ok(Err(snapshot_err(
                    summary.events.saturating_sub(1),
                    format!(
                        "claims size {count}, but the log has {} events",
                        summary.events
                    ),
                )))
            }
            _ => {}
        }
        let (count, head) = self.stored_head()?;
        if count != summary.events || head != summary.head {
            return Ok(Err(meta_err(format!(
                "stored head says {count} events ending in {head}, the events say {} ending in {}",
                summary.events, summary.head
            ))));
        }
        match self.stored_frontier() {
            Ok(f) if f.size() == summary.events && f.root() == summary.root => {}
            Ok(_) | Err(_) => {
                return Ok(Err(meta_err(
                    "stored Merkle frontier disagrees with the events".into(),
                )))
            }
        }
        if have_tiles != want_tiles {
            return Ok(Err(self.locate_tile_lie(summary.events)?));
        }
        // Indexes: compare digests; on a mismatch, find the offending entry.
        for (name, tree, have, want) in [
            ("by_state", &self.by_state, have_state, want_state),
            ("by_draft", &self.by_draft, have_draft, want_draft),
        ] {
            if have != want {
                return Ok(Err(self.locate_index_lie(name, tree)?));
            }
        }
        Ok(Ok(summary))
    }

    /// Digests of what the tile, by-state and by-draft trees hold (an index entry with a
    /// value, which none should have, makes its digest unmatchable).
    fn stored_digests(&self, keys: &DigestKeys) -> Result<[SetDigest; 3], StoreError> {
        let mut nodes = keys.empty();
        for item in self.tiles.iter() {
            let (k, v) = item?;
            let mut entry = k.to_vec();
            entry.extend_from_slice(&v);
            keys.add(&mut nodes, &entry);
        }
        let index = |tree: &sled::Tree| -> Result<SetDigest, StoreError> {
            let mut have = keys.empty();
            for item in tree.iter() {
                let (k, v) = item?;
                if !v.is_empty() {
                    have.count = u64::MAX;
                }
                keys.add(&mut have, &k);
            }
            Ok(have)
        };
        Ok([nodes, index(&self.by_state)?, index(&self.by_draft)?])
    }

    /// Recomputes the Merkle tiles of the stored events before `upto` (sequentially, from the
    /// event bytes) and calls `f` with each: a full tile with the seq of the event that filled
    /// it, then the partial rightmost tiles with `None`. Stops at the first `Break`.
    fn recompute_tiles<T>(
        &self,
        upto: u64,
        mut f: impl FnMut(Option<u64>, TileWrite) -> Result<std::ops::ControlFlow<T>, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        let mut tree = Frontier::new();
        let mut edge = Edge::default();
        let mut tiles = Vec::new();
        for item in self.scan(0) {
            let (seq, bytes) = item?;
            if seq >= upto {
                break;
            }
            let nodes = tree
                .append(merkle::leaf_hash(&bytes))
                .map_err(|e| StoreError::Corrupted(e.to_string()))?;
            edge.add(&nodes, &mut tiles);
            for t in tiles.drain(..) {
                if let std::ops::ControlFlow::Break(b) = f(Some(seq), t)? {
                    return Ok(Some(b));
                }
            }
        }
        edge.partial(&mut tiles);
        for t in tiles {
            if let std::ops::ControlFlow::Break(b) = f(None, t)? {
                return Ok(Some(b));
            }
        }
        Ok(None)
    }

    /// Finds the first stored Merkle tile that differs from the recomputed tree: the event
    /// that filled a wrong or missing full tile, the last event for a wrong rightmost tile, or
    /// a tile that no event fills.
    fn locate_tile_lie(&self, events: u64) -> Result<VerifyError, StoreError> {
        let err = |seq: u64, msg: String| VerifyError {
            seq: Seq(seq),
            kind: VerifyErrorKind::Metadata(msg),
        };
        let check = |t: &TileWrite| -> Result<Option<String>, StoreError> {
            let stored = self.tiles.get(t.key())?;
            Ok(match stored {
                Some(v) if v.as_ref() == t.bytes.as_slice() => None,
                Some(_) => Some(format!(
                    "stored Merkle tile ({}, {}) has the wrong hashes",
                    t.level, t.index
                )),
                None => Some(format!(
                    "stored Merkle tile ({}, {}) is missing",
                    t.level, t.index
                )),
            })
        };
        let last = events.saturating_sub(1);
        let mut want = std::collections::BTreeSet::new();
        let lie = self.recompute_tiles(u64::MAX, |filled_by, t| {
            Ok(match check(&t)? {
                Some(msg) => std::ops::ControlFlow::Break(match filled_by {
                    Some(seq) => err(seq, format!("{msg} (filled by this event)")),
                    None => err(last, format!("{msg} (the rightmost tile of its level)")),
                }),
                None => {
                    want.insert(t.key());
                    std::ops::ControlFlow::Continue(())
                }
            })
        })?;
        if let Some(e) = lie {
            return Ok(e);
        }
        for item in self.tiles.iter() {
            let (k, _) = item?;
            if !want.contains(k.as_ref()) {
                let (level, index) = tile::parse_key(&k).unwrap_or((u8::MAX, u64::MAX));
                return Ok(err(
                    last,
                    format!("stored Merkle tile ({level}, {index}) is not part of the tree"),
                ));
            }
        }
        Ok(err(
            last,
            "the stored Merkle tiles disagree with the events".into(),
        ))
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
            let expected = index_keys(name, &ev, seq);
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
            let expected = index_keys(name, &ev, seq);
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

/// The seq of an event key of the old `events` tree (8 bytes, big-endian).
fn event_seq(k: &[u8]) -> Result<u64, StoreError> {
    let b: [u8; 8] = k.try_into().map_err(|_| {
        StoreError::Corrupted(format!("event key of {} bytes, expected 8", k.len()))
    })?;
    Ok(u64::from_be_bytes(b))
}

/// The number of a stored bundle key.
fn bundle_number(k: &[u8]) -> Result<u64, StoreError> {
    bundle::number(k).ok_or_else(|| {
        StoreError::Corrupted(format!("bundle key of {} bytes, expected 8", k.len()))
    })
}

/// The events of bundle `b` (stored value `v`) with seqs in `from..to`.
fn bundle_events(b: u64, v: &[u8], from: u64, to: u64) -> impl Iterator<Item = (u64, &[u8])> {
    let first = bundle::first_seq(b);
    bundle::split(v)
        .enumerate()
        .map(move |(i, e)| (first.saturating_add(i as u64), e))
        .filter(move |(seq, _)| (from..to).contains(seq))
}

impl Ledger {
    /// The first stored bundle numbered `b` or higher, by one lookup (and, if `b` is not
    /// stored, one step of an iterator: a gap is skipped without reading what is in it).
    fn bundle_from(&self, b: u64) -> Result<Option<(u64, sled::IVec)>, StoreError> {
        if let Some(v) = self.bundles.get(bundle::key(b))? {
            return Ok(Some((b, v)));
        }
        match self.bundles.range(bundle::key(b)..).next() {
            None => Ok(None),
            Some(item) => {
                let (k, v) = item?;
                Ok(Some((bundle_number(&k)?, v)))
            }
        }
    }

    /// Stored events with seqs in `from..to`, in order, read bundle by bundle with lookups
    /// (sled's iterators keep every leaf they pass resident, which for bundles is the whole
    /// log: lookups keep a full read under 100 MB).
    fn read_events(&self, from: u64, to: u64) -> crate::Scan<'_> {
        Box::new(self.bundles_between(from, to).flat_map(move |bundle| {
            match bundle {
                Ok((b, v)) => bundle_events(b, &v, from, to)
                    .map(|(seq, e)| Ok((seq, e.to_vec())))
                    .collect::<Vec<_>>(),
                Err(e) => vec![Err(e)],
            }
        }))
    }

    /// The stored bundles that may hold events with seqs in `from..to`, in order, as
    /// `(number, value)`, each found by a lookup; after an error, nothing.
    fn bundles_between(
        &self,
        from: u64,
        to: u64,
    ) -> impl Iterator<Item = Result<(u64, sled::IVec), StoreError>> + '_ {
        let mut next = Some(bundle::locate(from).0);
        std::iter::from_fn(move || {
            let b = next.take()?;
            if bundle::first_seq(b) >= to {
                return None;
            }
            match self.bundle_from(b) {
                Err(e) => Some(Err(e)),
                Ok(None) => None,
                Ok(Some((found, v))) => {
                    next = found.checked_add(1);
                    Some(Ok((found, v)))
                }
            }
        })
    }
}

impl LogReader for Ledger {
    fn len(&self) -> Result<u64, StoreError> {
        Ok(match self.bundles.last()? {
            None => 0,
            Some((k, v)) => {
                bundle::first_seq(bundle_number(&k)?).saturating_add(bundle::count(&v) as u64)
            }
        })
    }

    fn get(&self, seq: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let (b, i) = bundle::locate(seq);
        Ok(self
            .bundles
            .get(bundle::key(b))?
            .and_then(|v| bundle::split(&v).nth(i).map(<[u8]>::to_vec)))
    }

    fn scan_range(&self, from: u64, to: u64) -> crate::Scan<'_> {
        if from >= to {
            return Box::new(std::iter::empty());
        }
        self.read_events(from, to)
    }

    fn scan(&self, from: u64) -> crate::Scan<'_> {
        self.read_events(from, u64::MAX)
    }

    fn read_range(&self, from: u64, to: u64, out: &mut crate::EventRun) -> Result<(), StoreError> {
        for bundle in self.bundles_between(from, to) {
            let (b, v) = bundle?;
            for (seq, e) in bundle_events(b, &v, from, to) {
                out.push(seq, e);
            }
        }
        Ok(())
    }
}

/// Checks a stored checkpoint against the recomputed tree at its size and the keys holding
/// the `log` role at that point of the log.
fn check_checkpoint(cp: &StoredCheckpoint, v: &Verifier, tree: &Frontier) -> Result<(), String> {
    let origin = v.state().origin().ok_or("no genesis event")?;
    let note = Note::parse(&cp.note).map_err(|e| e.to_string())?;
    let body = Checkpoint::from_note(&note).map_err(|e| e.to_string())?;
    if body.origin() != origin.as_str() {
        return Err(format!(
            "origin {:?} is not the ledger's {:?}",
            body.origin(),
            origin.as_str()
        ));
    }
    if body.size() != cp.size || tree.size() != cp.size {
        return Err(format!(
            "stored under size {} but says {}",
            cp.size,
            body.size()
        ));
    }
    if *body.root() != tree.root() {
        return Err(format!(
            "root {} is not the recomputed root {}",
            body.root().to_base64(),
            tree.root().to_base64()
        ));
    }
    let name = KeyName::from(origin);
    let signed = v.state().keys().iter().any(|(pk, info)| {
        info.revoked.is_none()
            && info.roles.contains_key(&Role::Log)
            && VerifierKey::new(name.clone(), KeyKind::Ed25519, *pk)
                .is_ok_and(|vk| note.verify(&vk).is_ok())
    });
    if !signed {
        return Err("not signed by a key holding the log role at that point of the log".into());
    }
    Ok(())
}
