//! The import pipeline: a large batch checked, signed and written on three threads, all or
//! nothing.

use actledger_core::chain::{self, SealedEvent};
use actledger_core::event::{EventBody, UnsignedEvent, FORMAT_VERSION};
use actledger_core::merkle::{self, Frontier};
use actledger_core::verify::{Signatures, Verifier};
use actledger_core::{Event, EventHash, Seq, SigningKey, Timestamp};

use crate::tiles::Edge;
use crate::{AppendError, StoreError};

use super::writer::{head_record, Writer, CHUNK};
use super::{Appended, Ledger, FRONTIER_KEY, HEAD_KEY, PENDING_KEY};

impl Ledger {
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
        if self.read_only && !check_only {
            return Err(StoreError::ReadOnly);
        }
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
        let table = taken.table;
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
                                StoreError::from(AppendError::Shape {
                                    seq: Seq(next),
                                    source: e,
                                })
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
                            state.admit(&unsigned).map_err(|source| AppendError::Rule {
                                seq: Seq(next),
                                source,
                            })?;
                            next += 1;
                            if check_only {
                                return Ok(());
                            }
                            batch.push((unsigned.body, message));
                            if batch.len() == SEND {
                                tx_body
                                    .send(std::mem::replace(&mut batch, Vec::with_capacity(SEND)))
                                    .map_err(|_| StoreError::Worker {
                                        thread: "import-sign",
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
                            failure = Some(AppendError::Encode(e).into());
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
        let (produced, state) = produced.map_err(|_| StoreError::Worker {
            thread: "import-check",
        })?;
        let written = written.map_err(|_| StoreError::Worker {
            thread: "import-write",
        })?;
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
            table,
            defer_state: false,
        };
        let mut meta = sled::Batch::default();
        meta.insert(FRONTIER_KEY, writer.tree.to_bytes());
        meta.insert(HEAD_KEY, head_record(size, &l.hash));
        meta.remove(PENDING_KEY);
        // The rule state moves with the head, in the same atomic batch.
        self.add_state(&mut writer, &mut meta)?;
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
}
