//! A mirror of another log: a ledger that holds no key of its own and takes events already
//! signed by the log it follows (`actledger monitor`). Its one door, [`Ledger::admit_signed`],
//! runs the admission `verify` runs over the bytes (canonical decode and shapes, position,
//! chain link, every signature in batches on all cores, author's role, every rule, the Merkle
//! tree) from the mirror's persisted rule state and frontier, so only the new events are
//! verified; the keys are the log's own key grant events. Nothing is written unless every new
//! event passes and the tree they make has the roots the caller expects (a signed checkpoint's).

use std::path::Path;

use actledger_core::chain::SealedEvent;
use actledger_core::merkle::{Frontier, Hash};
use actledger_core::verify::{Signatures, Verifier};
use actledger_core::{VerifyError, VerifyErrorKind};

use crate::tiles::Edge;
use crate::verify::{verify_continue, SignatureMode};
use crate::{EventRun, LogReader, Scan, StoreError};

use super::migrate::{LAYOUT, LAYOUT_KEY};
use super::writer::Writer;
use super::{Ledger, OpenOptions};

/// Why [`Ledger::admit_signed`] wrote nothing.
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

/// What [`Ledger::admit_signed`] wrote.
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
    /// events after the stored ones, in one pass: each event is verified as `verify` verifies
    /// it (canonical decode, position, chain link, signatures in batches on all cores, author's
    /// role, every rule) into the writer's own rule state and a copy of its Merkle frontier
    /// (only the new events are read), and the tree must have root `r` at each size `s` of
    /// `expect` within the events (a signed checkpoint's). Then `before_write` runs with the
    /// new size and root (a caller checks them against what it expects, records what it is
    /// about to write, and may refuse), and the verified events are written and flushed,
    /// without being decoded or admitted a second time. Nothing is written unless every event
    /// and every root passes: a refusal, or an error from `before_write`, writes nothing, and
    /// the rule state the events were admitted to is dropped, rebuilt from the store on next
    /// use (a refusal costs that replay; an admission copies no state). The keys of `events`
    /// are ignored: they are the positions after the stored events, in order.
    ///
    /// A caller that catches up a large log calls this once per window of events (memory is
    /// the window's), each window written durably on its own. The rule state's parts are not
    /// written here: [`Ledger::add_mirrored_checkpoint`] writes them, once per poll.
    pub fn admit_signed(
        &mut self,
        events: &EventRun,
        expect: &[(u64, Hash)],
        before_write: impl FnOnce(u64, &Hash) -> Result<Result<(), MirrorRefusal>, StoreError>,
    ) -> Result<Result<Admitted, MirrorRefusal>, StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnly);
        }
        self.writer()?;
        // Taken: from here until the write, a return leaves no writer, and the next use
        // rebuilds it from the store (the events admitted to its rule state were not written).
        let mut writer = self.writer.take().ok_or(StoreError::Poisoned)?;
        let first = writer.verifier.len();
        let end = first + events.len() as u64;
        if let Some((s, _)) = expect.iter().find(|(s, _)| *s > end || *s < first) {
            self.writer = Some(writer);
            return Err(StoreError::Corrupted(format!(
                "expected a root at size {s}, outside the sizes {first}..={end} admitted"
            )));
        }
        let pending = Pending { first, run: events };
        let mut tree = writer.tree.clone();
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
        if let Some(m) = check(&tree) {
            self.writer = Some(writer);
            return Ok(Err(m));
        }
        let mut mismatch: Option<MirrorRefusal> = None;
        let mut sealed: Vec<SealedEvent> = Vec::with_capacity(events.len());
        let verified = verify_continue(
            &pending,
            SignatureMode::Batch,
            &mut writer.verifier,
            &mut tree,
            &mut |_| {},
            &mut |ev, v, tree, _| {
                let seq = ev.unsigned.seq;
                if let Some(m) = check(tree) {
                    mismatch = Some(m);
                    return Err(VerifyError {
                        seq,
                        kind: VerifyErrorKind::Metadata("root".into()),
                    });
                }
                let bytes = pending.at(seq.0).ok_or_else(|| VerifyError {
                    seq,
                    kind: VerifyErrorKind::Metadata("not among the events admitted".into()),
                })?;
                // What the write needs (bytes, index keys from the body, the chain hash),
                // kept from this pass: the events are not decoded again.
                sealed.push(SealedEvent {
                    event: ev.clone(),
                    hash: v.head(),
                    bytes: bytes.to_vec(),
                });
                Ok(())
            },
        )?;
        if let Some(m) = mismatch {
            return Ok(Err(m));
        }
        if let Err(e) = verified {
            return Ok(Err(MirrorRefusal::Invalid(e)));
        }
        if writer.verifier.len() != end {
            return Err(StoreError::Corrupted(format!(
                "{} of {} events admitted",
                writer.verifier.len() - first,
                end - first
            )));
        }
        let root = tree.root();
        if let Err(refusal) = before_write(end, &root)? {
            return Ok(Err(refusal));
        }
        // The rule state already holds the events; the write extends the frontier and tiles.
        // Its snapshot waits for `add_mirrored_checkpoint` (one per poll, not per window).
        writer.defer_state = true;
        self.write_sealed(writer, &sealed)?;
        if let Some(w) = self.writer.as_mut() {
            w.defer_state = false;
        }
        Ok(Ok(Admitted {
            first,
            count: end - first,
            root,
        }))
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

    fn run_of(l: &Ledger, from: u64, to: u64) -> EventRun {
        let mut run = EventRun::default();
        l.read_range(from, to, &mut run).unwrap();
        run
    }

    #[test]
    fn a_mirror_admits_a_log_in_steps_and_refuses_what_does_not_verify() {
        let (dir, src) = source();
        let admin = SigningKey::from_seed(&[1; 32]);
        let mut src = src;
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
        for i in 0..40u64 {
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
}
