//! A mirror of another log: a ledger that holds no key of its own and takes events already
//! signed by the log it follows (`actledger monitor`). Its one door, [`Ledger::admit_windows`]
//! ([`Ledger::admit_signed`] for one window), runs the admission `verify` runs over the bytes (canonical decode and shapes, position,
//! chain link, every signature in batches on all cores, author's role, every rule, the Merkle
//! tree) from the mirror's persisted rule state and frontier, so only the new events are
//! verified; the keys are the log's own key grant events. Nothing is written unless every new
//! event passes and the tree they make has the roots the caller expects (a signed checkpoint's).

use std::path::Path;

use actledger_core::merkle::{Frontier, Hash, Node, HASH_LEN};
use actledger_core::verify::{Signatures, Verifier};
use actledger_core::{EventHash, VerifyError, VerifyErrorKind};

use crate::tiles::{Edge, TileWrite};
use crate::verify::{verify_continue, SignatureMode};
use crate::{EventRun, LogReader, Scan, StoreError};

use super::index::Index;
use super::migrate::{LAYOUT, LAYOUT_KEY};
use super::writer::{ToStore, Writer, CHUNK};
use super::{Ledger, OpenOptions, PENDING_KEY};

/// Why [`Ledger::admit_windows`] wrote nothing of a window.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MirrorRefusal {
    /// An event fails verification (the first, in log order).
    #[error("{0}")]
    Invalid(VerifyError),
    /// The events verify, but the tree they make does not have the expected root.
    #[error("the tree of {size} entries has root {computed}, not the expected {expected}")]
    RootMismatch {
        /// The tree size.
        size: u64,
        /// The root the events give (base64).
        computed: String,
        /// The root expected (base64).
        expected: String,
    },
    /// The events verify, but the caller could not prove the tree they make is part of the
    /// tree it follows (e.g. a consistency proof to a signed checkpoint failed).
    #[error("the tree of {size} entries is not proven part of the log: {reason}")]
    NotProven {
        /// The tree size.
        size: u64,
        /// Why.
        reason: String,
    },
}

/// What [`Ledger::admit_windows`] wrote of a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admitted {
    /// The seq of the first new event.
    pub first: u64,
    /// How many were written.
    pub count: u64,
    /// The tree's root after them.
    pub root: Hash,
}

/// New events held in a run, read as the log positions `first..`.
struct Pending<'a> {
    first: u64,
    run: &'a EventRun,
}

impl Pending<'_> {
    fn at(&self, seq: u64) -> Option<&[u8]> {
        let i = usize::try_from(seq.checked_sub(self.first)?).ok()?;
        self.run.get(i).map(|(_, b)| b)
    }
}

impl LogReader for Pending<'_> {
    fn len(&self) -> Result<u64, StoreError> {
        Ok(self.first + self.run.len() as u64)
    }
    fn get(&self, seq: u64) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.at(seq).map(<[u8]>::to_vec))
    }
    fn scan(&self, from: u64) -> Scan<'_> {
        let end = self.first + self.run.len() as u64;
        Box::new(
            (from.max(self.first)..end)
                .filter_map(move |s| self.at(s).map(|b| Ok((s, b.to_vec())))),
        )
    }
    fn read_range(&self, from: u64, to: u64, out: &mut EventRun) -> Result<(), StoreError> {
        for seq in from.max(self.first)..to {
            match self.at(seq) {
                Some(b) => out.push(seq, b),
                None => break,
            }
        }
        Ok(())
    }
}

/// A window of events signed elsewhere, for [`Ledger::admit_windows`].
#[derive(Debug, Default)]
pub struct Window {
    /// The events (their keys are ignored: they are the positions after the events before).
    pub events: EventRun,
    /// Sizes within the window and the root the tree must have at each.
    pub expect: Vec<(u64, Hash)>,
}

/// How [`Ledger::admit_windows`] ended.
#[derive(Debug)]
pub enum WindowsEnd<E> {
    /// Every window was written.
    Done,
    /// The windows' source failed; every window before was written.
    Source(E),
    /// A window was refused: nothing of it was written, every window before it was.
    Refused {
        /// Why.
        refusal: MirrorRefusal,
        /// The seq of its first event.
        from: u64,
        /// Its events.
        events: EventRun,
    },
}

/// An index key, held without an allocation of its own (the keys are 11 and 14 bytes,
/// index.rs).
#[derive(Debug, Clone, Copy)]
struct IndexKey {
    index: Index,
    len: u8,
    bytes: [u8; 16],
}

/// What the write of a verified window needs, kept from its verification: nothing is
/// decoded, admitted or hashed again. Its buffers are used again for later windows.
#[derive(Debug)]
struct Verified {
    /// The seq of its first event.
    first: u64,
    /// Its events.
    run: EventRun,
    /// The tree's root after it.
    root: Hash,
    /// Each event's chain hash.
    hashes: Vec<EventHash>,
    /// The events' index keys, and where each event's end.
    keys: Vec<IndexKey>,
    key_ends: Vec<usize>,
    /// The Merkle nodes each event completed (as `Frontier::append` returned them), and
    /// where each event's end.
    nodes: Vec<Node>,
    node_ends: Vec<usize>,
    /// The frontier after each transaction's events (every [`CHUNK`] events, and the last).
    frontiers: Vec<Frontier>,
}

impl Default for Verified {
    fn default() -> Self {
        Self {
            first: 0,
            run: EventRun::default(),
            root: Hash([0; HASH_LEN]),
            hashes: Vec::new(),
            keys: Vec::new(),
            key_ends: Vec::new(),
            nodes: Vec::new(),
            node_ends: Vec::new(),
            frontiers: Vec::new(),
        }
    }
}

impl Verified {
    fn clear(&mut self, first: u64) {
        self.first = first;
        self.run.clear();
        self.hashes.clear();
        self.keys.clear();
        self.key_ends.clear();
        self.nodes.clear();
        self.node_ends.clear();
        self.frontiers.clear();
    }
}

/// A verified event as the store writes it.
struct Entry<'a> {
    seq: u64,
    hash: EventHash,
    bytes: &'a [u8],
    keys: &'a [IndexKey],
}

impl ToStore for Entry<'_> {
    fn seq(&self) -> u64 {
        self.seq
    }
    fn hash(&self) -> &EventHash {
        &self.hash
    }
    fn bytes(&self) -> &[u8] {
        self.bytes
    }
    fn index_keys(&self, index: Index, each: &mut dyn FnMut(&[u8])) {
        for k in self.keys.iter().filter(|k| k.index == index) {
            each(k.bytes.get(..usize::from(k.len)).unwrap_or(&[]));
        }
    }
}

/// Verifies `window` as the events after `verifier`'s, into `verifier` and `tree`, keeping
/// in `out` what writing them needs. A refusal leaves `verifier` holding some of the
/// window's events (the caller drops it).
fn verify_window(
    verifier: &mut Verifier,
    tree: &mut Frontier,
    window: &Window,
    out: &mut Verified,
) -> Result<Result<(), MirrorRefusal>, StoreError> {
    let (events, expect) = (&window.events, &window.expect[..]);
    let first = verifier.len();
    let end = first + events.len() as u64;
    out.clear(first);
    if let Some((s, _)) = expect.iter().find(|(s, _)| *s > end || *s < first) {
        return Err(StoreError::Corrupted(format!(
            "expected a root at size {s}, outside the sizes {first}..={end} admitted"
        )));
    }
    let pending = Pending { first, run: events };
    let check = |tree: &Frontier| -> Option<MirrorRefusal> {
        let size = tree.size();
        expect
            .iter()
            .find(|(s, r)| *s == size && tree.root() != *r)
            .map(|(_, r)| MirrorRefusal::RootMismatch {
                size,
                computed: tree.root().to_base64(),
                expected: r.to_base64(),
            })
    };
    if let Some(m) = check(tree) {
        return Ok(Err(m));
    }
    let mut mismatch: Option<MirrorRefusal> = None;
    let verified = verify_continue(
        &pending,
        SignatureMode::Batch,
        verifier,
        tree,
        &mut |_| {},
        &mut |ev, v, tree, nodes| {
            let seq = ev.unsigned.seq;
            if let Some(m) = check(tree) {
                mismatch = Some(m);
                return Err(VerifyError {
                    seq,
                    kind: VerifyErrorKind::Metadata("root".into()),
                });
            }
            // What the write needs (index keys from the body, the chain hash, the tree's
            // nodes), kept from this pass: the event is not decoded, nor hashed, again.
            for index in Index::ALL {
                for k in index.keys(&ev.unsigned.body, seq.0) {
                    let mut bytes = [0u8; 16];
                    debug_assert!(k.len() <= bytes.len());
                    let len = k.len().min(bytes.len());
                    bytes[..len].copy_from_slice(&k[..len]);
                    out.keys.push(IndexKey {
                        index,
                        len: len as u8,
                        bytes,
                    });
                }
            }
            out.key_ends.push(out.keys.len());
            out.hashes.push(v.head());
            out.nodes.extend_from_slice(nodes);
            out.node_ends.push(out.nodes.len());
            let done = tree.size() - first;
            if done.is_multiple_of(CHUNK as u64) || tree.size() == end {
                out.frontiers.push(tree.clone());
            }
            Ok(())
        },
    )?;
    if let Some(m) = mismatch {
        return Ok(Err(m));
    }
    if let Err(e) = verified {
        return Ok(Err(MirrorRefusal::Invalid(e)));
    }
    if verifier.len() != end {
        return Err(StoreError::Corrupted(format!(
            "{} of {} events admitted",
            verifier.len() - first,
            end - first
        )));
    }
    Ok(Ok(()))
}

impl Ledger {
    /// Creates an empty ledger in `dir` (which must not hold one) to mirror another log: no
    /// genesis of its own; the first event it admits is the log's genesis.
    pub fn create_mirror(dir: &Path) -> Result<Self, StoreError> {
        let mut ledger = Self::open_db(dir, &OpenOptions::default(), true)?;
        ledger.meta.insert(LAYOUT_KEY, &[LAYOUT])?;
        ledger.db.flush()?;
        ledger.writer = Some(Writer {
            verifier: Verifier::new(Signatures::Skip),
            tree: Frontier::new(),
            edge: Edge::default(),
            table: None,
            defer_state: false,
        });
        Ok(ledger)
    }

    /// Admits `events`, already signed (by the keys the log itself granted), as the next
    /// events after the stored ones: [`Ledger::admit_windows`] with one window. `before_write`
    /// runs with the new size and root once they are verified, before anything is written (a
    /// caller checks them against what it expects, records what it is about to write, and
    /// may refuse). The keys of `events` are ignored: they are the positions after the
    /// stored events, in order.
    pub fn admit_signed(
        &mut self,
        events: &EventRun,
        expect: &[(u64, Hash)],
        before_write: impl FnMut(u64, &Hash) -> Result<Result<(), MirrorRefusal>, StoreError>,
    ) -> Result<Result<Admitted, MirrorRefusal>, StoreError> {
        let mut run = EventRun::with_capacity(events.len(), 0);
        for (k, b) in events.iter() {
            run.push(k, b);
        }
        let window = Window {
            events: run,
            expect: expect.to_vec(),
        };
        let mut admitted = None;
        let end = self.admit_windows(
            std::iter::once(Ok::<_, std::convert::Infallible>(window)),
            before_write,
            |a, _| admitted = Some(a),
        )?;
        match end {
            WindowsEnd::Refused { refusal, .. } => Ok(Err(refusal)),
            WindowsEnd::Source(never) => match never {},
            WindowsEnd::Done => admitted.map(Ok).ok_or(StoreError::Poisoned),
        }
    }

    /// Admits windows of events, already signed (by the keys the log itself granted), as the
    /// next events after the stored ones, each in one pass: its events are verified as
    /// `verify` verifies them (canonical decode, position, chain link, signatures in batches
    /// on all cores, author's role, every rule) into the writer's own rule state and Merkle
    /// frontier (only the new events are read), and the tree must have root `r` at each size
    /// `s` of the window's `expect` (a signed checkpoint's). Then `before_write` runs with the
    /// new size and root (a caller checks them against what it expects, records what it is
    /// about to write, and may refuse), and the window is written and flushed, without being
    /// decoded, admitted or hashed a second time, on a thread of its own while the next
    /// window is verified here (the last window, when no such thread was needed before it, is
    /// written on this one: a poll of a few new events starts no thread); `written` sees each
    /// window written, and gets its events back. Windows are written in order, one at a time.
    ///
    /// Nothing of a window is written unless every event and every root passes: a refusal
    /// (or an error from `before_write`) ends the call once the windows before it are
    /// written, writes nothing of that window, and drops the rule state its events were
    /// admitted to, rebuilt from the store on next use. An error of `windows` ends the call
    /// the same way, with every window before it written. Memory: the window verified, the
    /// one written and what the caller holds. The rule state's parts are not written here:
    /// [`Ledger::add_mirrored_checkpoint`] writes them, once per poll.
    pub fn admit_windows<E>(
        &mut self,
        windows: impl IntoIterator<Item = Result<Window, E>>,
        mut before_write: impl FnMut(u64, &Hash) -> Result<Result<(), MirrorRefusal>, StoreError>,
        written: impl FnMut(Admitted, EventRun) + Send,
    ) -> Result<WindowsEnd<E>, StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnly);
        }
        self.writer()?;
        // Taken: until it is put back, a return leaves no writer, and the next use rebuilds
        // it from the store (events admitted to its rule state may not have been written).
        let mut writer = self.writer.take().ok_or(StoreError::Poisoned)?;
        // Held here until a writing thread takes them (a poll of one window starts none).
        let mut edge = Some(std::mem::take(&mut writer.edge));
        let mut written = Some(written);
        let mut tree = writer.tree.clone();
        let mut windows = windows.into_iter().peekable();
        let this: &Ledger = self;
        let (spare, spare_rx) = std::sync::mpsc::channel::<Verified>();
        type Writing<'s> = (
            std::sync::mpsc::SyncSender<Verified>,
            std::thread::ScopedJoinHandle<'s, Result<Edge, StoreError>>,
        );
        let (end, wrote) = std::thread::scope(|scope| {
            let mut writing: Option<Writing<'_>> = None;
            // What writing a window on this thread gave, if one was.
            let mut here: Result<(), StoreError> = Ok(());
            let mut end: Result<WindowsEnd<E>, StoreError> = Ok(WindowsEnd::Done);
            while let Some(window) = windows.next() {
                let window = match window {
                    Ok(w) => w,
                    Err(e) => {
                        end = Ok(WindowsEnd::Source(e));
                        break;
                    }
                };
                let mut v = spare_rx.try_recv().unwrap_or_default();
                let first = writer.verifier.len();
                let checked = verify_window(&mut writer.verifier, &mut tree, &window, &mut v)
                    .and_then(|verified| match verified {
                        Ok(()) => before_write(tree.size(), &tree.root()),
                        Err(refusal) => Ok(Err(refusal)),
                    });
                match checked {
                    Err(e) => {
                        end = Err(e);
                        break;
                    }
                    Ok(Err(refusal)) => {
                        end = Ok(WindowsEnd::Refused {
                            refusal,
                            from: first,
                            events: window.events,
                        });
                        break;
                    }
                    Ok(Ok(())) => {}
                }
                v.root = tree.root();
                v.run = window.events;
                if writing.is_none() && windows.peek().is_none() {
                    // The last window and no writing thread: nothing to overlap, written here.
                    here = match (edge.as_mut(), written.as_mut()) {
                        (Some(edge), Some(written)) => this
                            .write_verified(&v, edge, &mut Vec::new())
                            .map(|admitted| {
                                written(admitted, std::mem::take(&mut v.run));
                            }),
                        _ => Err(StoreError::Poisoned),
                    };
                    break;
                }
                if writing.is_none() {
                    let (Some(mut edge), Some(mut written)) = (edge.take(), written.take()) else {
                        here = Err(StoreError::Poisoned);
                        break;
                    };
                    let (to_write, to_write_rx) = std::sync::mpsc::sync_channel::<Verified>(0);
                    let spare = spare.clone();
                    let spawned = std::thread::Builder::new()
                        .name("mirror-write".into())
                        .spawn_scoped(scope, move || -> Result<Edge, StoreError> {
                            let mut tiles = Vec::new();
                            for mut v in to_write_rx {
                                let admitted = this.write_verified(&v, &mut edge, &mut tiles)?;
                                written(admitted, std::mem::take(&mut v.run));
                                let _ = spare.send(v);
                            }
                            Ok(edge)
                        });
                    match spawned {
                        Ok(h) => writing = Some((to_write, h)),
                        Err(_) => {
                            here = Err(StoreError::Worker {
                                thread: "mirror-write",
                            });
                            break;
                        }
                    }
                }
                if let Some((to_write, _)) = &writing {
                    if to_write.send(v).is_err() {
                        // The write failed: its error is the answer.
                        break;
                    }
                }
            }
            let wrote = match writing {
                Some((to_write, h)) => {
                    drop(to_write);
                    h.join().ok()
                }
                None => Some(here.and_then(|()| edge.take().ok_or(StoreError::Poisoned))),
            };
            (end, wrote)
        });
        match wrote {
            Some(Ok(edge)) => {
                if matches!(end, Ok(WindowsEnd::Done | WindowsEnd::Source(_))) {
                    // Every window admitted was written: the writer is the store's.
                    writer.tree = tree;
                    writer.edge = edge;
                    self.writer = Some(writer);
                }
                end
            }
            Some(Err(e)) => {
                self.poisoned = true;
                Err(e)
            }
            None => {
                self.poisoned = true;
                Err(StoreError::Worker {
                    thread: "mirror-write",
                })
            }
        }
    }

    /// Writes a verified window after the stored events, in transactions of
    /// [`super::writer::CHUNK`] events (each moving the head), and flushes.
    fn write_verified(
        &self,
        v: &Verified,
        edge: &mut Edge,
        tiles: &mut Vec<TileWrite>,
    ) -> Result<Admitted, StoreError> {
        let count = v.hashes.len();
        if v.run.len() != count || v.frontiers.len() != count.div_ceil(CHUNK) {
            return Err(StoreError::Corrupted(
                "a verified window is not whole".into(),
            ));
        }
        self.meta.insert(PENDING_KEY, &[] as &[u8])?;
        let mut entries = Vec::with_capacity(CHUNK.min(count));
        for (c, frontier) in v.frontiers.iter().enumerate() {
            let (from, to) = (c * CHUNK, ((c + 1) * CHUNK).min(count));
            entries.clear();
            tiles.clear();
            for i in from..to {
                let nodes = v.node_ends.get(i).copied().unwrap_or(0);
                let nodes_from = i.checked_sub(1).and_then(|b| v.node_ends.get(b)).copied();
                edge.add(
                    v.nodes.get(nodes_from.unwrap_or(0)..nodes).unwrap_or(&[]),
                    tiles,
                );
                let keys_from = i.checked_sub(1).and_then(|b| v.key_ends.get(b)).copied();
                let keys = v.key_ends.get(i).copied().unwrap_or(0);
                entries.push(Entry {
                    seq: v.first + i as u64,
                    hash: v.hashes.get(i).copied().unwrap_or(EventHash::ZERO),
                    bytes: v.run.get(i).map_or(&[][..], |(_, b)| b),
                    keys: v.keys.get(keys_from.unwrap_or(0)..keys).unwrap_or(&[]),
                });
            }
            edge.partial(tiles);
            self.write_chunk_with(&entries, tiles, frontier, true, sled::Batch::default())?;
        }
        self.meta.remove(PENDING_KEY)?;
        self.db.flush()?;
        Ok(Admitted {
            first: v.first,
            count: count as u64,
            root: v.root,
        })
    }

    /// Stores `note`, a checkpoint of the current size signed by the mirrored log, in the
    /// checkpoint history (`verify` re-checks it against the log's own key grants).
    /// Writes the rule state's changed parts first (derived data: if that fails, the next
    /// open replays from the state stored before).
    pub fn add_mirrored_checkpoint(&mut self, note: &str) -> Result<(), StoreError> {
        let size = self.size()?;
        self.snapshot_if_due()?;
        if self.checkpoint_at(size)?.is_some() {
            return Ok(());
        }
        self.store_new_checkpoint(size, note)
    }

    /// Writes the rule state's changed parts if the stored state is not at the head.
    fn snapshot_if_due(&mut self) -> Result<(), StoreError> {
        self.writer()?;
        let mut w = self.writer.take().ok_or(StoreError::Poisoned)?;
        let at_head = matches!(self.state_header()?, Some(Some(h)) if h.count == w.verifier.len());
        if !at_head {
            let mut batch = sled::Batch::default();
            let written = self.add_state(&mut w, &mut batch).is_ok()
                && self
                    .meta
                    .apply_batch(batch)
                    .and_then(|_| self.db.flush())
                    .is_ok();
            if !written {
                // Derived data: written whole at the next write instead.
                w.table = None;
            }
        }
        self.writer = Some(w);
        Ok(())
    }

    /// The Merkle root of the stored events (from the writer's frontier).
    pub fn mirror_root(&mut self) -> Result<Hash, StoreError> {
        Ok(self.writer()?.tree.root())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use actledger_core::event::{EventBody, Fact, HolidayCalendar, LedgerCreated};
    use actledger_core::{Origin, SigningKey, Text};

    use super::*;

    fn source() -> (tempfile::TempDir, Ledger) {
        let dir = tempfile::tempdir().unwrap();
        let admin = SigningKey::from_seed(&[1; 32]);
        let genesis = LedgerCreated {
            origin: Origin::new("mirror.test/ledger").unwrap(),
            admin: admin.public(),
            admin_holder: Text::new("admin").unwrap(),
            description: Text::empty(),
        };
        let (l, _) = Ledger::create(&dir.path().join("src"), &admin, genesis).unwrap();
        (dir, l)
    }

    /// [`source`] with a recorder key granted and `n` holiday calendars recorded by it.
    fn source_with_calendars(n: u64) -> (tempfile::TempDir, Ledger) {
        let (dir, mut src) = source();
        let admin = SigningKey::from_seed(&[1; 32]);
        let rec = SigningKey::from_seed(&[2; 32]);
        src.append(
            &admin,
            EventBody::KeyGranted(actledger_core::event::KeyGranted {
                key: rec.public(),
                role: actledger_core::Role::Recorder,
                holder: Text::new("rec").unwrap(),
                note: Text::empty(),
            }),
        )
        .unwrap();
        for i in 0..n {
            src.append(
                &rec,
                EventBody::Fact(Fact::HolidayCalendar(HolidayCalendar {
                    calendar: Text::new(format!("calendar {i}")).unwrap(),
                    year: 2024,
                    complete: false,
                    holidays: vec![],
                    source: Text::new("test").unwrap(),
                })),
            )
            .unwrap();
        }
        (dir, src)
    }

    fn run_of(l: &Ledger, from: u64, to: u64) -> EventRun {
        let mut run = EventRun::default();
        l.read_range(from, to, &mut run).unwrap();
        run
    }

    #[test]
    fn a_mirror_admits_a_log_in_steps_and_refuses_what_does_not_verify() {
        let (dir, src) = source_with_calendars(40);
        let n = src.size().unwrap();
        let mut m = Ledger::create_mirror(&dir.path().join("mirror")).unwrap();
        // Half, then the rest: each step verifies only its events.
        let half = n / 2;
        let a = m
            .admit_signed(
                &run_of(&src, 0, half),
                &[(half, src.root_at(half).unwrap())],
                |_, _| Ok(Ok(())),
            )
            .unwrap()
            .unwrap();
        assert_eq!((a.first, a.count), (0, half));
        // A wrong expected root writes nothing.
        let wrong = src.root_at(half).unwrap();
        let r = m
            .admit_signed(&run_of(&src, half, n), &[(n, wrong)], |_, _| Ok(Ok(())))
            .unwrap();
        assert!(
            matches!(r, Err(MirrorRefusal::RootMismatch { .. })),
            "{r:?}"
        );
        assert_eq!(m.size().unwrap(), half);
        // A flipped byte in one event's signature writes nothing.
        let mut bad = EventRun::default();
        for (k, b) in run_of(&src, half, n).iter() {
            let mut b = b.to_vec();
            if k == n - 1 {
                let l = b.len();
                b[l - 3] ^= 1;
            }
            bad.push(k, &b);
        }
        let r = m.admit_signed(&bad, &[], |_, _| Ok(Ok(()))).unwrap();
        match r {
            Err(MirrorRefusal::Invalid(e)) => assert_eq!(e.seq.0, n - 1, "{e}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(m.size().unwrap(), half);
        // A refusal before the write (the caller could not prove the tree) writes nothing,
        // and the rule state the events were admitted to is rebuilt from the store.
        let r = m
            .admit_signed(&run_of(&src, half, n), &[], |size, _| {
                Ok(Err(MirrorRefusal::NotProven {
                    size,
                    reason: "test".into(),
                }))
            })
            .unwrap();
        assert!(
            matches!(r, Err(MirrorRefusal::NotProven { size, .. }) if size == n),
            "{r:?}"
        );
        assert_eq!(m.size().unwrap(), half);
        // An error before the write writes nothing either.
        let r = m.admit_signed(&run_of(&src, half, n), &[], |_, _| {
            Err(StoreError::Poisoned)
        });
        assert!(matches!(r, Err(StoreError::Poisoned)));
        assert_eq!(m.size().unwrap(), half);
        let b = m
            .admit_signed(
                &run_of(&src, half, n),
                &[(n, src.root_at(n).unwrap())],
                |_, _| Ok(Ok(())),
            )
            .unwrap()
            .unwrap();
        assert_eq!(
            (b.first, b.count, b.root),
            (half, n - half, src.root_at(n).unwrap())
        );
        // The mirror is the same log, and verifies as one.
        for s in 0..n {
            assert_eq!(m.get(s).unwrap(), src.get(s).unwrap());
        }
        let dir_m = m.dir().to_path_buf();
        drop(m);
        let m = Ledger::open(&dir_m, &OpenOptions::default()).unwrap();
        let (summary, _) = crate::verify_log(&m, |_| {}, |_, _, _, _| Ok(()))
            .unwrap()
            .unwrap();
        assert_eq!(summary.root, src.root_at(n).unwrap());
    }

    fn window(l: &Ledger, from: u64, to: u64, expect: &[(u64, Hash)]) -> Window {
        Window {
            events: run_of(l, from, to),
            expect: expect.to_vec(),
        }
    }

    #[test]
    fn windows_are_written_in_order_and_a_refused_one_leaves_those_before_it() {
        let (dir, src) = source_with_calendars(30);
        let n = src.size().unwrap();
        let (a, b) = (n / 3, 2 * n / 3);
        let mut m = Ledger::create_mirror(&dir.path().join("mirror")).unwrap();
        // The third window has a flipped signature byte: the two before it are written.
        let mut third = run_of(&src, b, n);
        let mut bad = EventRun::default();
        for (k, bytes) in third.iter() {
            let mut bytes = bytes.to_vec();
            if k == b + 1 {
                let l = bytes.len();
                bytes[l - 1] ^= 1;
            }
            bad.push(k, &bytes);
        }
        third.clear();
        let windows = vec![
            Ok::<_, ()>(window(&src, 0, a, &[(a, src.root_at(a).unwrap())])),
            Ok(window(&src, a, b, &[])),
            Ok(Window {
                events: bad,
                expect: vec![],
            }),
        ];
        let mut seen = Vec::new();
        let mut sizes = Vec::new();
        let end = m
            .admit_windows(
                windows,
                |size, _| {
                    sizes.push(size);
                    Ok(Ok(()))
                },
                |w, _| seen.push((w.first, w.count)),
            )
            .unwrap();
        match end {
            WindowsEnd::Refused {
                refusal: MirrorRefusal::Invalid(e),
                from,
                events,
            } => {
                assert_eq!((e.seq.0, from, events.len() as u64), (b + 1, b, n - b));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(sizes, vec![a, b]);
        assert_eq!(seen, vec![(0, a), (a, b - a)]);
        assert_eq!(m.size().unwrap(), b);
        // A source failing after a window: that window is written, and the writer goes on.
        let windows = vec![Ok(window(&src, b, n - 1, &[])), Err("gone")];
        let end = m
            .admit_windows(windows, |_, _| Ok(Ok(())), |_, _| {})
            .unwrap();
        assert!(matches!(end, WindowsEnd::Source("gone")), "{end:?}");
        assert_eq!(m.size().unwrap(), n - 1);
        let end = m
            .admit_windows(
                [Ok::<_, ()>(window(
                    &src,
                    n - 1,
                    n,
                    &[(n, src.root_at(n).unwrap())],
                ))],
                |_, _| Ok(Ok(())),
                |_, _| {},
            )
            .unwrap();
        assert!(matches!(end, WindowsEnd::Done), "{end:?}");
        for s in 0..n {
            assert_eq!(m.get(s).unwrap(), src.get(s).unwrap());
        }
        let dir_m = m.dir().to_path_buf();
        drop(m);
        let m = Ledger::open(&dir_m, &OpenOptions::default()).unwrap();
        let (summary, _) = crate::verify_log(&m, |_| {}, |_, _, _, _| Ok(()))
            .unwrap()
            .unwrap();
        assert_eq!(summary.root, src.root_at(n).unwrap());
    }
}
