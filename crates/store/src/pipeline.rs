//! Reading a log in order while the work that does not depend on the events before
//! (decoding, hashing, signature checks) runs on all cores.
//!
//! The log is cut into key ranges of [`CHUNK`]; each range is read and prepared by a task on
//! the rayon pool (sled serves concurrent readers), a bounded number in flight (so memory
//! stays flat whatever the log's size), and the prepared chunks come back to the calling
//! thread in log order. Verification, rebuilding a store's rule state, replaying projections
//! and the importers' scan for facts already recorded all read the log this way.

use std::collections::{HashMap, VecDeque};
use std::ops::ControlFlow;

use actledger_core::batch::SignatureBatch;
use actledger_core::chain;
use actledger_core::event::Event;
use actledger_core::merkle;
use actledger_core::projection::{Cutoff, Replay, View};
use actledger_core::{DecodeError, EventHash, PublicKey, Seq, VerifyError, VerifyErrorKind};

use crate::verify::SignatureMode;
use crate::{EventRun, LogReader, StoreError};

/// Events per chunk when reading a log (replay, rebuilding the rule state, scans).
pub const CHUNK: usize = 1024;

/// Events per chunk when verifying a log, which is also the size of its signature batches:
/// the coalesced batch check does ~8% more signatures per second in batches of 4,096 than of
/// 1,024, and verify gained 3-4% (a replay, which holds what it decodes, lost 10-20% with
/// chunks this large; docs/PERFORMANCE.md). Four chunks in flight hold ~10 MB.
pub const SIGNATURE_BATCH: usize = 4096;

/// A test on an event's stored bytes, run on the pool before anything is decoded.
pub type Keep = dyn Fn(&[u8]) -> bool + Sync;

/// What to do with each event off the reading thread.
#[derive(Clone, Copy)]
pub(crate) struct Work<'a> {
    /// Which stored events to prepare (the others are read and dropped): a cheap test on the
    /// bytes, e.g. [`chain::peek_kind`]. `None`: all of them.
    pub keep: Option<&'a Keep>,
    /// Canonical decode (with the re-encoding check) rather than the trusted one.
    pub canonical: bool,
    /// Compute the chain hash and the Merkle leaf hash.
    pub hashes: bool,
    /// Check signatures, and how.
    pub signatures: Option<SignatureMode>,
    /// Hash every stored event read (kept or not) and read its `prev` field, for a hash-chain
    /// check ([`Chunk::links`]).
    pub chain: bool,
    /// Events per chunk: [`CHUNK`] or [`SIGNATURE_BATCH`].
    pub chunk: usize,
}

/// One stored event after the work that does not depend on the events before it.
pub(crate) struct Prepared {
    /// Its key in the store.
    pub key: u64,
    /// Where its stored bytes are in the chunk's [`Chunk::run`].
    pub index: usize,
    /// The decoded event, or why it does not decode.
    pub event: Result<Event, DecodeError>,
    /// `SHA-256(bytes)` (zero unless [`Work::hashes`]).
    pub hash: EventHash,
    /// The Merkle leaf hash (zero unless [`Work::hashes`]).
    pub leaf: merkle::Hash,
}

/// The stored events of one key range, prepared.
pub(crate) struct Chunk {
    /// The end of the key range (exclusive).
    stop: u64,
    /// How many stored events the range held (kept or not).
    read: usize,
    /// A read error met after `items`.
    error: Option<StoreError>,
    /// The stored events read.
    pub run: EventRun,
    /// The kept events, in key order.
    pub items: Vec<Prepared>,
    /// With [`Work::chain`], every event read, in key order: its key, the `prev` its bytes
    /// name (zero if too short to name one), and the SHA-256 of its bytes.
    pub links: Vec<(u64, EventHash, EventHash)>,
    /// The key of the first event whose signature fails under the author key it names
    /// (events that do not decode are not checked). Always `None` without
    /// [`Work::signatures`].
    pub bad_sig: Option<u64>,
}

/// A chunk's two large buffers, used again for later chunks: they are a few hundred KB each,
/// which glibc maps and unmaps for every chunk otherwise, faulting fresh zeroed pages in
/// (measured: a fifth of a replay's time in a fresh process).
#[derive(Default)]
struct Buffers {
    run: EventRun,
    items: Vec<Prepared>,
    links: Vec<(u64, EventHash, EventHash)>,
}

/// Buffers handed back by the calling thread, taken by the workers.
type Pool = std::sync::Mutex<Vec<Buffers>>;

/// Reads the events with keys in `start..stop` and prepares them.
fn read_and_prepare(
    log: &(dyn LogReader + Sync),
    start: u64,
    stop: u64,
    work: Work<'_>,
    pool: &Pool,
) -> Chunk {
    let mut buffers = pool
        .lock()
        .ok()
        .and_then(|mut p| p.pop())
        .unwrap_or_default();
    let expected = usize::try_from(stop - start).unwrap_or(0).min(work.chunk);
    buffers.run.clear();
    // Room for events of up to 512 bytes (a 1M bench log averages 378) before it grows.
    buffers.run.reserve(expected, 512);
    let error = log.read_range(start, stop, &mut buffers.run).err();
    let read = buffers.run.len();
    let mut chunk = prepare(buffers, work);
    chunk.stop = stop;
    chunk.read = read;
    chunk.error = error;
    chunk
}

fn prepare(buffers: Buffers, work: Work<'_>) -> Chunk {
    let Buffers {
        run,
        mut items,
        mut links,
    } = buffers;
    items.clear();
    items.reserve(run.len());
    links.clear();
    if work.chain {
        links.extend(run.iter().map(|(key, bytes)| {
            (
                key,
                chain::stored_prev(bytes).unwrap_or(EventHash::ZERO),
                chain::event_hash(bytes),
            )
        }));
    }
    // Which events' signatures to check, with their author keys.
    let mut jobs: Vec<(usize, PublicKey)> = Vec::new();
    for (index, (key, bytes)) in run.iter().enumerate() {
        if work.keep.is_some_and(|keep| !keep(bytes)) {
            continue;
        }
        let event = if work.canonical {
            chain::decode_event(bytes)
        } else {
            chain::ReplayOnly::decode_event(bytes)
        };
        if let (Some(_), Ok(ev)) = (work.signatures, &event) {
            jobs.push((index, ev.unsigned.author));
        }
        let (hash, leaf) = if work.hashes {
            (chain::event_hash(bytes), merkle::leaf_hash(bytes))
        } else {
            (EventHash::ZERO, merkle::Hash([0; merkle::HASH_LEN]))
        };
        items.push(Prepared {
            key,
            index,
            event,
            hash,
            leaf,
        });
    }
    let bad_sig = work
        .signatures
        .and_then(|mode| first_bad_signature(&run, &jobs, mode));
    Chunk {
        stop: 0,
        read: 0,
        error: None,
        run,
        items,
        links,
        bad_sig,
    }
}

/// The key of the first event in `jobs` whose signature fails, if any. [`SignatureMode::Batch`]:
/// one batch check (ZIP 215 rules, one term per distinct key: `actledger_core::batch`), and
/// only when it fails, each signature on its own under the same rules.
/// [`SignatureMode::Strict`]: each signature with `verify_strict` (one key decompression per
/// distinct author).
fn first_bad_signature(
    run: &EventRun,
    jobs: &[(usize, PublicKey)],
    mode: SignatureMode,
) -> Option<u64> {
    let bytes = |i: usize| run.get(i).map_or(&[][..], |(_, b)| b);
    let bad = match mode {
        SignatureMode::Batch => {
            let mut batch = SignatureBatch::new();
            for (i, author) in jobs {
                batch.push_event(author, bytes(*i));
            }
            if batch.verify() {
                return None;
            }
            jobs.iter()
                .find(|(i, author)| !actledger_core::batch::check_zip215(author, bytes(*i)))
        }
        SignatureMode::Strict => {
            let mut keys: HashMap<PublicKey, Option<ed25519_dalek::VerifyingKey>> = HashMap::new();
            jobs.iter().find(|(i, author)| {
                // A decoded author key is a valid point, so this cannot fail; if it did, the
                // event would fail here (and the rules would refuse its unknown key anyway).
                let key = *keys
                    .entry(*author)
                    .or_insert_with(|| author.verifying_key().ok());
                !key.is_some_and(|k| {
                    chain::check_signature(&k, &chain::stored_signature(bytes(*i)), bytes(*i))
                })
            })
        }
    };
    bad.and_then(|(i, _)| run.get(*i).map(|(key, _)| key))
}

/// Reads `log` from key `from` and calls `each` with its prepared chunks, in order, until the
/// log ends or `each` breaks. `each` takes the items it wants out of the chunk (e.g. with
/// `drain`); the chunk's buffers are then used again. A read error is returned after `each`
/// has seen every event read before it (so a bad event before it is still reported first). A
/// key range with no events (a gap) is skipped to the next stored key, which `each` then sees
/// out of sequence.
pub(crate) fn for_each_chunk(
    log: &(dyn LogReader + Sync),
    from: u64,
    work: Work<'_>,
    mut each: impl FnMut(&mut Chunk) -> ControlFlow<()>,
) -> Result<(), StoreError> {
    let end = log.len()?;
    let max_in_flight = 2 * rayon::current_num_threads().max(1);
    let mut queue: VecDeque<std::sync::mpsc::Receiver<Chunk>> = VecDeque::new();
    let mut next = from;
    let mut failure: Option<StoreError> = None;
    // At most one set of buffers per chunk in flight, plus the one being consumed.
    let pool: Pool = std::sync::Mutex::new(Vec::new());
    let pool = &pool;
    rayon::in_place_scope(|scope| loop {
        while queue.len() < max_in_flight && next < end {
            let (start, stop) = (next, next.saturating_add(work.chunk as u64).min(end));
            next = stop;
            let (tx, rx) = std::sync::mpsc::sync_channel(1);
            scope.spawn(move |_| {
                let _ = tx.send(read_and_prepare(log, start, stop, work, pool));
            });
            queue.push_back(rx);
        }
        let Some(rx) = queue.pop_front() else { break };
        let Ok(mut chunk) = rx.recv() else {
            failure = Some(StoreError::Worker {
                thread: "log-reading",
            });
            break;
        };
        let error = chunk.error.take();
        let (empty, stop) = (chunk.read == 0, chunk.stop);
        if (!chunk.items.is_empty() || !chunk.links.is_empty()) && each(&mut chunk).is_break() {
            // What is still in flight finishes on the pool; its results are dropped.
            break;
        }
        if let Ok(mut p) = pool.lock() {
            p.push(Buffers {
                run: chunk.run,
                items: chunk.items,
                links: chunk.links,
            });
        }
        if let Some(e) = error {
            failure = Some(e);
            break;
        }
        if empty {
            // No events in this range: start again at the next stored key, if any (the
            // ranges in flight lie beyond this one and are read again from there).
            queue.clear();
            match log.scan(stop).next() {
                None => break,
                Some(Ok((k, _))) => next = k,
                Some(Err(e)) => {
                    failure = Some(e);
                    break;
                }
            }
        }
    });
    failure.map_or(Ok(()), Err)
}

/// Decodes the events of `log` from key `from` in order (decoding on all cores, without the
/// canonical re-encoding check: for bytes this program wrote, not for verification) and
/// calls `each` with each key and event until it returns `Ok(false)` or an error. An event
/// that does not decode stops the scan with [`StoreError::Corrupted`] naming its key.
pub fn for_each_event<E: From<StoreError>>(
    log: &(dyn LogReader + Sync),
    from: u64,
    each: impl FnMut(u64, Event) -> Result<bool, E>,
) -> Result<(), E> {
    for_each_event_where(log, from, None, each)
}

/// [`for_each_event`] for the stored events `keep` accepts (a cheap test on the bytes, e.g.
/// on the kind [`chain::peek_kind`] reads); the others are not decoded.
pub fn for_each_event_where<E: From<StoreError>>(
    log: &(dyn LogReader + Sync),
    from: u64,
    keep: Option<&Keep>,
    mut each: impl FnMut(u64, Event) -> Result<bool, E>,
) -> Result<(), E> {
    let work = Work {
        keep,
        canonical: false,
        hashes: false,
        signatures: None,
        chain: false,
        chunk: CHUNK,
    };
    let mut failure: Option<E> = None;
    let read = for_each_chunk(log, from, work, |chunk| {
        for p in chunk.items.drain(..) {
            let step = match p.event {
                Ok(ev) => each(p.key, ev),
                Err(e) => Err(StoreError::Corrupted(format!(
                    "seq {}: {e}; run `actledger verify`",
                    p.key
                ))
                .into()),
            };
            match step {
                Ok(true) => {}
                Ok(false) => return ControlFlow::Break(()),
                Err(e) => {
                    failure = Some(e);
                    return ControlFlow::Break(());
                }
            }
        }
        ControlFlow::Continue(())
    });
    if let Some(e) = failure {
        return Err(e);
    }
    read.map_err(E::from)
}

/// The hash chain of a log, checked link by link as its events are read: keys 0, 1, 2, ...
/// with no gap, each event naming the hash of the one before, the last one's hash and the
/// count what the log's stored head says. Hashes only: signatures and rules are `verify`'s.
/// [`replay_view`] runs it; a command that reads the log another way feeds it each event.
#[derive(Debug)]
pub struct ChainCheck {
    next: u64,
    prev: EventHash,
}

impl Default for ChainCheck {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainCheck {
    /// A check at the start of a log.
    pub fn new() -> Self {
        Self {
            next: 0,
            prev: EventHash::ZERO,
        }
    }

    fn broken(seq: u64, kind: VerifyErrorKind) -> StoreError {
        StoreError::Verify(VerifyError {
            seq: Seq(seq),
            kind,
        })
    }

    /// Checks the next stored event, `(key, bytes)`.
    pub fn push(&mut self, key: u64, bytes: &[u8]) -> Result<(), StoreError> {
        self.links(&[(
            key,
            chain::stored_prev(bytes).unwrap_or(EventHash::ZERO),
            chain::event_hash(bytes),
        )])
    }

    fn links(&mut self, links: &[(u64, EventHash, EventHash)]) -> Result<(), StoreError> {
        for &(key, prev, hash) in links {
            if key != self.next {
                return Err(Self::broken(
                    self.next,
                    VerifyErrorKind::Gap {
                        previous: Seq(self.next.saturating_sub(1)),
                        next: Seq(key),
                    },
                ));
            }
            if prev != self.prev {
                return Err(Self::broken(
                    key,
                    VerifyErrorKind::ChainMismatch {
                        expected: self.prev.to_hex(),
                        found: prev.to_hex(),
                    },
                ));
            }
            self.prev = hash;
            self.next += 1;
        }
        Ok(())
    }

    /// Checks the end of the chain against the stored head, if the log keeps one
    /// ([`LogReader::head`]).
    pub fn finish(&self, head: Option<(u64, EventHash)>) -> Result<(), StoreError> {
        let Some((count, head)) = head else {
            return Ok(());
        };
        let last = self.next.saturating_sub(1);
        if self.next == 0 {
            return Err(Self::broken(
                0,
                VerifyErrorKind::Metadata(
                    "the ledger holds no events, not even its genesis event".into(),
                ),
            ));
        }
        if count != self.next || head != self.prev {
            return Err(Self::broken(
                last,
                VerifyErrorKind::Metadata(format!(
                    "stored head says {count} events ending in {head}, the events say {} ending in {}",
                    self.next, self.prev
                )),
            ));
        }
        Ok(())
    }
}

/// Replays `log` into a projection view (trusted decode on all cores, folded in order). With
/// `kinds` (`Fact` variant indexes, docs/FORMAT.md §2), only facts of those kinds and their
/// corrections are decoded and replayed; the other events are skipped by their variant bytes
/// and only counted, for a command whose projection reads nothing else (the view's other
/// parts are then empty). `progress` gets the seq reached.
///
/// Every event read is hashed (on the pool, decoded or not) and the hash chain is checked
/// against the log's stored head ([`LogReader::head`]), to the end of the log even when the
/// cutoff ends the replay before: a flipped byte anywhere is [`StoreError::Verify`], never a
/// report of altered data. Signatures and rules are `verify`'s job.
pub fn replay_view(
    log: &(dyn LogReader + Sync),
    cutoff: Cutoff,
    kinds: Option<&[u32]>,
    progress: impl FnMut(u64),
) -> Result<View, StoreError> {
    match replay_view_with(log, cutoff, kinds, progress, |_, _| {
        Ok::<(), std::convert::Infallible>(())
    })? {
        Ok(view) => Ok(view),
        Err(never) => match never {},
    }
}

/// [`replay_view`], calling `each` on the calling thread with every stored event read,
/// `(seq, bytes)` in log order, as the replay takes it: a command that also writes or hashes
/// every event (`export snapshot`'s entries) reads the log once. The first error of `each`
/// ends the replay and is returned inside the `Ok`.
pub fn replay_view_with<E>(
    log: &(dyn LogReader + Sync),
    cutoff: Cutoff,
    kinds: Option<&[u32]>,
    mut progress: impl FnMut(u64),
    mut each: impl FnMut(u64, &[u8]) -> Result<(), E>,
) -> Result<Result<View, E>, StoreError> {
    // Room for the whole log's votes, most of a large one (reserved, not touched: the
    // records' vectors do not grow by copying).
    let mut replay = match kinds {
        None => Replay::with_capacity(cutoff, usize::try_from(log.len()?).unwrap_or(0)),
        Some(_) => Replay::new(cutoff),
    };
    let mut each_failed: Option<E> = None;
    let keep = kinds.map(|kinds| {
        let kinds = kinds.to_vec();
        move |bytes: &[u8]| {
            matches!(chain::peek_kind(bytes), Some((_, Some(v))) if kinds.contains(&v))
        }
    });
    let work = Work {
        keep: keep.as_ref().map(|k| k as &Keep),
        canonical: false,
        hashes: false,
        signatures: None,
        chain: true,
        chunk: CHUNK,
    };
    let mut links = ChainCheck::new();
    let mut failure: Option<StoreError> = None;
    let read = for_each_chunk(log, 0, work, |chunk| {
        if let Err(e) = links.links(&chunk.links) {
            failure = Some(e);
            return ControlFlow::Break(());
        }
        for (key, bytes) in chunk.run.iter() {
            if let Err(e) = each(key, bytes) {
                each_failed = Some(e);
                return ControlFlow::Break(());
            }
        }
        for p in chunk.items.drain(..) {
            match p.event {
                Ok(ev) => {
                    if !replay.is_done() {
                        replay.push(Seq(p.key), ev);
                    }
                }
                Err(e) => {
                    failure = Some(StoreError::Verify(VerifyError {
                        seq: Seq(p.key),
                        kind: e.into(),
                    }));
                    return ControlFlow::Break(());
                }
            }
            if p.key.is_multiple_of(4096) {
                progress(p.key);
            }
        }
        ControlFlow::Continue(())
    });
    if let Some(e) = failure {
        return Err(e);
    }
    read?;
    if let Some(e) = each_failed {
        return Ok(Err(e));
    }
    links.finish(log.head()?)?;
    if kinds.is_some() {
        let len = log.len()?;
        if let Some(end) = len.checked_sub(1) {
            let last = cutoff.at_seq.map_or(end, |n| n.0.min(end));
            let bytes = log.get(last)?.ok_or_else(|| {
                StoreError::Corrupted(format!("no event at seq {last}; run `actledger verify`"))
            })?;
            let ev = chain::ReplayOnly::decode_event(&bytes).map_err(|e| {
                StoreError::Corrupted(format!("seq {last}: {e}; run `actledger verify`"))
            })?;
            replay.cover(Seq(last), ev.unsigned.recorded_at);
        }
    }
    Ok(Ok(replay.finish()))
}
