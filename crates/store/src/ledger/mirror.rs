//! A mirror of another log: a ledger that holds no key of its own and takes events already
//! signed by the log it follows (`actledger monitor`). Its one door, [`Ledger::admit_signed`],
//! runs the admission `verify` runs over the bytes (canonical decode and shapes, position,
//! chain link, every signature in batches on all cores, author's role, every rule, the Merkle
//! tree) from the mirror's persisted rule state and frontier, so only the new events are
//! verified; the keys are the log's own key grant events. Nothing is written unless every new
//! event passes and the tree they make has the roots the caller expects (a signed checkpoint's).

use std::path::Path;

use actledger_core::chain::{self, SealedEvent};
use actledger_core::merkle::{Frontier, Hash};
use actledger_core::verify::{Signatures, Verifier};
use actledger_core::{VerifyError, VerifyErrorKind};

use crate::tiles::Edge;
use crate::verify::{verify_continue, SignatureMode};
use crate::{EventRun, LogReader, Scan, StoreError};

use super::migrate::{LAYOUT, LAYOUT_KEY};
use super::writer::Writer;
use super::{Ledger, OpenOptions};

/// Events decoded and written per store write (each write flushes once): bounds what a large
/// catch-up holds decoded at once.
const WRITE_GROUP: usize = 16 * 1024;

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
        });
        Ok(ledger)
    }

    /// Admits `events`, already signed (by the keys the log itself granted), as the next
    /// events after the stored ones. First every event is verified as `verify` verifies it,
    /// from the persisted rule state and Merkle frontier (only the new events are read), and
    /// the tree must have root `r` at each size `s` of `expect` (sizes from the stored size to
    /// the new one; a signed checkpoint's). Then `before_write` runs (a caller records what it
    /// is about to write), and the events are written through the writer, the rules run once
    /// more on each (the one door every append goes through) and flushed. A refusal, or an
    /// error from `before_write`, writes nothing. The keys of `events` are ignored: they are
    /// the positions after the stored events, in order.
    pub fn admit_signed(
        &mut self,
        events: &EventRun,
        expect: &[(u64, Hash)],
        before_write: impl FnOnce() -> Result<(), StoreError>,
    ) -> Result<Result<Admitted, MirrorRefusal>, StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnly);
        }
        let w = self.writer()?;
        let first = w.verifier.len();
        let pending = Pending { first, run: events };
        let mut v = w.verifier.clone();
        let mut tree = w.tree.clone();
        let mut mismatch: Option<MirrorRefusal> = None;
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
            return Ok(Err(m));
        }
        let verified = verify_continue(
            &pending,
            SignatureMode::Batch,
            &mut v,
            &mut tree,
            &mut |_| {},
            &mut |ev, _, tree, _| match check(tree) {
                None => Ok(()),
                Some(m) => {
                    mismatch = Some(m);
                    Err(VerifyError {
                        seq: ev.unsigned.seq,
                        kind: VerifyErrorKind::Metadata("root".into()),
                    })
                }
            },
        )?;
        if let Some(m) = mismatch {
            return Ok(Err(m));
        }
        if let Err(e) = verified {
            return Ok(Err(MirrorRefusal::Invalid(e)));
        }
        let end = first + events.len() as u64;
        if let Some((s, _)) = expect.iter().find(|(s, _)| *s > end || *s < first) {
            return Err(StoreError::Corrupted(format!(
                "expected a root at size {s}, outside the sizes {first}..={end} admitted"
            )));
        }
        before_write()?;
        self.write_verified(&pending, end)?;
        Ok(Ok(Admitted {
            first,
            count: end - first,
            root: tree.root(),
        }))
    }

    /// Writes the verified `pending` events through the writer, a group at a time.
    fn write_verified(&mut self, pending: &Pending<'_>, end: u64) -> Result<(), StoreError> {
        let mut group: Vec<SealedEvent> = Vec::with_capacity(WRITE_GROUP);
        let mut next = pending.first;
        while next < end {
            let stop = (next + WRITE_GROUP as u64).min(end);
            // Taken: if anything fails, the writer is rebuilt from the store on next use.
            let mut writer = self.writer.take().ok_or(StoreError::Poisoned)?;
            for seq in next..stop {
                let bytes = pending
                    .at(seq)
                    .ok_or_else(|| StoreError::Corrupted(format!("pending event {seq} missing")))?;
                // Checked canonically above; the rules run again in the writer's state.
                let event = chain::ReplayOnly::decode_event(bytes)
                    .map_err(|e| StoreError::Corrupted(format!("seq {seq}: {e}")))?;
                let hash = chain::event_hash(bytes);
                let event = writer
                    .verifier
                    .push_decoded(event, bytes, hash)
                    .map_err(StoreError::Verify)?;
                group.push(SealedEvent {
                    event,
                    hash,
                    bytes: bytes.to_vec(),
                });
            }
            self.write_sealed(writer, &group)?;
            group.clear();
            next = stop;
        }
        Ok(())
    }

    /// Stores `note`, a checkpoint of the current size signed by the mirrored log, in the
    /// checkpoint history (`verify` re-checks it against the log's own key grants).
    pub fn add_mirrored_checkpoint(&mut self, note: &str) -> Result<(), StoreError> {
        let size = self.size()?;
        if self.checkpoint_at(size)?.is_some() {
            return Ok(());
        }
        self.store_new_checkpoint(size, note)
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
                || Ok(()),
            )
            .unwrap()
            .unwrap();
        assert_eq!((a.first, a.count), (0, half));
        // A wrong expected root writes nothing.
        let wrong = src.root_at(half).unwrap();
        let r = m
            .admit_signed(&run_of(&src, half, n), &[(n, wrong)], || Ok(()))
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
        let r = m.admit_signed(&bad, &[], || Ok(())).unwrap();
        match r {
            Err(MirrorRefusal::Invalid(e)) => assert_eq!(e.seq.0, n - 1, "{e}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(m.size().unwrap(), half);
        // An error before the write writes nothing either.
        let r = m.admit_signed(&run_of(&src, half, n), &[], || Err(StoreError::Poisoned));
        assert!(matches!(r, Err(StoreError::Poisoned)));
        assert_eq!(m.size().unwrap(), half);
        let b = m
            .admit_signed(
                &run_of(&src, half, n),
                &[(n, src.root_at(n).unwrap())],
                || Ok(()),
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
