//! The writer: the rule state and Merkle edge after the stored events, appends through one
//! admission check, and recovery of what an interrupted write left beyond the head.

use actledger_core::chain::{self, SealedEvent};
use actledger_core::error::RuleError;
use actledger_core::event::EventBody;
use actledger_core::merkle::{self, Frontier};
use actledger_core::rules::{LedgerState, StatePart};
use actledger_core::verify::{Signatures, Verifier};
use actledger_core::{Event, EventHash, SigningKey, Timestamp, VerifyError, VerifyErrorKind};

use crate::bundle;
use crate::tiles::{self as tile, Edge, TileWrite};
use crate::{AppendError, LogReader, StoreError};

use super::index::Index;
use super::snapshot::{Table, STATE_KEY};
use super::{Appended, Ledger, FRONTIER_KEY, HEAD_KEY, PENDING_KEY};

/// What appending needs: the rules' state and the Merkle tree's right edge (as a frontier
/// and as the rightmost hash tile of each tile level).
#[derive(Debug, Clone)]
pub(super) struct Writer {
    pub(super) verifier: Verifier,
    pub(super) tree: Frontier,
    pub(super) edge: Edge,
    /// The stored rule state's table, which the verifier's state differs from only by the
    /// parts it tracked as changed (`None`: the state is written whole at the next write).
    pub(super) table: Option<Table>,
    /// Leave the rule state out of the next write (a mirror writes it once per poll,
    /// [`Ledger::add_mirrored_checkpoint`]): the stored state then names an earlier event,
    /// from which the next open replays.
    pub(super) defer_state: bool,
}

/// An event as the store writes it: its seq, chain hash, stored bytes and index keys.
pub(super) trait ToStore {
    /// Its seq.
    fn seq(&self) -> u64;
    /// `SHA-256(bytes)`.
    fn hash(&self) -> &EventHash;
    /// Its stored bytes.
    fn bytes(&self) -> &[u8];
    /// Calls `each` with each of its keys in `index`.
    fn index_keys(&self, index: Index, each: &mut dyn FnMut(&[u8]));
}

impl ToStore for SealedEvent {
    fn seq(&self) -> u64 {
        self.event.unsigned.seq.0
    }
    fn hash(&self) -> &EventHash {
        &self.hash
    }
    fn bytes(&self) -> &[u8] {
        &self.bytes
    }
    fn index_keys(&self, index: Index, each: &mut dyn FnMut(&[u8])) {
        for k in index.keys(&self.event.unsigned.body, self.seq()) {
            each(&k);
        }
    }
}

/// Events per sled transaction when appending a batch.
pub(super) const CHUNK: usize = 2048;

/// The `meta/head` record: event count (u64 BE) || hash of the last event.
pub(super) fn head_record(count: u64, last: &EventHash) -> Vec<u8> {
    let mut head = Vec::with_capacity(40);
    head.extend_from_slice(&count.to_be_bytes());
    head.extend_from_slice(&last.0);
    head
}

impl Ledger {
    /// The writer, its rule state whole (loading the parts a partial one lacks).
    pub(super) fn writer(&mut self) -> Result<&mut Writer, StoreError> {
        if self.poisoned {
            return Err(StoreError::Poisoned);
        }
        if let Some(mut w) = self.writer.take() {
            if w.verifier.state().is_partial() {
                let loaded = match &w.table {
                    Some(t) => self.load_parts(w.verifier.state_mut(), t, &[StatePart::All])?,
                    None => false,
                };
                if loaded {
                    self.writer = Some(w);
                }
            } else {
                self.writer = Some(w);
            }
        }
        if self.writer.is_none() {
            let w = match self.load_whole()? {
                Some((count, head, state, table)) => {
                    let mut w = self.resume_from((count, head, state))?;
                    w.table = Some(table);
                    w
                }
                None => self.rebuild()?,
            };
            self.writer = Some(w);
        }
        self.writer.as_mut().ok_or(StoreError::Poisoned)
    }

    /// The writer for appending: when none is open and the stored rule state is that of the
    /// head, one whose state holds only the small part (the rules' other parts are loaded as
    /// they ask for them, [`Ledger::admit_bytes`]); otherwise [`Ledger::writer`].
    pub(super) fn append_writer(&mut self) -> Result<&mut Writer, StoreError> {
        if self.poisoned {
            return Err(StoreError::Poisoned);
        }
        if self.writer.is_none() {
            if let Some((state, table)) = self.load_partial()? {
                let (count, head) = self.stored_head()?;
                let tree = self.stored_frontier()?;
                if tree.size() == count {
                    let edge = Edge::from_stored(tree.size(), |l, i| {
                        Ok(self.tiles.get(tile::tile_key(l, i))?)
                    })?;
                    self.writer = Some(Writer {
                        verifier: Verifier::resume(state, count, head, Signatures::Skip),
                        tree,
                        edge,
                        table: Some(table),
                        defer_state: false,
                    });
                }
            }
        }
        if self.writer.is_none() {
            return self.writer();
        }
        self.writer.as_mut().ok_or(StoreError::Poisoned)
    }

    /// [`Verifier::push`], loading the parts of a partial rule state its rules ask for. A
    /// stored part that is damaged is never decided on: the stored rule state is dropped (the
    /// next append rebuilds it from the log) and the append refused.
    pub(super) fn admit_bytes(
        &self,
        v: &mut Verifier,
        table: Option<&Table>,
        bytes: &[u8],
    ) -> Result<Event, StoreError> {
        loop {
            match v.push(bytes) {
                Err(VerifyError {
                    kind: VerifyErrorKind::Rule(RuleError::NotLoaded(parts)),
                    ..
                }) => {
                    let loaded = match table {
                        Some(t) => self.load_parts(v.state_mut(), t, &parts)?,
                        None => false,
                    };
                    if !loaded {
                        self.meta.remove(STATE_KEY)?;
                        self.db.flush()?;
                        return Err(StoreError::Corrupted(
                            "the stored rule state is damaged: it was dropped and is rebuilt \
                             from the log at the next append; nothing was written"
                                .into(),
                        ));
                    }
                }
                other => return other.map_err(|e| AppendError::from(e).into()),
            }
        }
    }

    /// Replays the whole log (trusted decode of bytes this program wrote, no signatures) into
    /// a writer. Decoding and hashing run on all cores; the rules and the tree, in order,
    /// here. The writer's verifier is an ordinary one: what is appended after the replay goes
    /// through the full admission check ([`Verifier::push`]).
    pub(super) fn rebuild(&self) -> Result<Writer, StoreError> {
        let mut v = Verifier::new(Signatures::Skip);
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
            table: None,
            defer_state: false,
        })
    }

    /// A writer from a rule-state snapshot: the events after it are replayed; the Merkle
    /// frontier and edge are read from the store at the head.
    pub(super) fn resume_from(
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
            table: None,
            defer_state: false,
        })
    }

    /// Admits the stored events from `v.len()` on into `v` (trusted decode, in parallel),
    /// calling `also` with each one's Merkle leaf hash.
    pub(super) fn replay_into(
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
            chain: false,
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

    pub(super) fn check_head(&self, v: &Verifier) -> Result<(), StoreError> {
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

    /// Signs `bodies` with `key` and checks each against the rules after the ones before it,
    /// without writing anything. Returns the sealed events, or the index of the first refused
    /// body and why.
    pub fn prepare(
        &mut self,
        key: &SigningKey,
        bodies: impl IntoIterator<Item = EventBody>,
    ) -> Result<Vec<SealedEvent>, (usize, StoreError)> {
        let w = self.append_writer().map_err(|e| (0, e))?;
        let (mut v, table) = (w.verifier.clone(), w.table.clone());
        self.seal_all(&mut v, table.as_ref(), key, bodies)
    }

    /// Signs each body as the next event after `v` and admits it to `v` (`table`: that of
    /// the stored rule state `v`'s may lack parts of).
    pub(super) fn seal_all(
        &self,
        v: &mut Verifier,
        table: Option<&Table>,
        key: &SigningKey,
        bodies: impl IntoIterator<Item = EventBody>,
    ) -> Result<Vec<SealedEvent>, (usize, StoreError)> {
        let author = key.public();
        let mut out = Vec::new();
        for (i, body) in bodies.into_iter().enumerate() {
            let now = Timestamp::now();
            let recorded_at = v.state().last_time().map_or(now, |t| t.max(now));
            let unsigned = v.next_event(author, recorded_at, body);
            let sealed =
                chain::seal(unsigned, key).map_err(|e| (i, AppendError::Encode(e).into()))?;
            self.admit_bytes(v, table, &sealed.bytes)
                .map_err(|e| (i, e))?;
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
        self.append_writer()?;
        // The bodies are admitted to the live rule state (no copy of it: at a million events
        // it is tens of MB). If one is refused, the writer is dropped and rebuilt from the
        // store (its stored rule state) on next use: nothing was written.
        let mut writer = self.writer.take().ok_or(StoreError::Poisoned)?;
        let table = writer.table.clone();
        let sealed = self
            .seal_all(&mut writer.verifier, table.as_ref(), key, bodies)
            .map_err(|(_, e)| e)?;
        self.write_sealed(writer, &sealed)
    }

    /// Writes events produced by [`Ledger::prepare`] on this ledger (and nothing appended
    /// since), then flushes. Each is admitted again from its bytes alone, all before the
    /// first is written (the full admission check, its signature included: a caller may hand
    /// in any bytes); what is written and indexed is what the bytes say, not the decoded
    /// copy beside them.
    pub fn commit(&mut self, sealed: &[SealedEvent]) -> Result<Vec<Appended>, StoreError> {
        let mut writer = self.append_writer()?.clone();
        let table = writer.table.clone();
        let mut admitted = Vec::with_capacity(sealed.len());
        for s in sealed {
            let event = self.admit_bytes(&mut writer.verifier, table.as_ref(), &s.bytes)?;
            if !chain::check_event_signature(&event, &s.bytes) {
                return Err(AppendError::Invalid {
                    seq: event.unsigned.seq,
                    source: VerifyErrorKind::BadSignature {
                        key: event.unsigned.author.to_hex(),
                    },
                }
                .into());
            }
            admitted.push(SealedEvent {
                event,
                hash: chain::event_hash(&s.bytes),
                bytes: s.bytes.clone(),
            });
        }
        self.write_sealed(writer, &admitted)
    }

    /// Writes `sealed`, already admitted to `writer`'s rules, after the stored events,
    /// flushes, and keeps the advanced writer. The rule state's changed parts go in the same
    /// atomic batch as the last chunk's head.
    pub(super) fn write_sealed(
        &mut self,
        mut writer: Writer,
        sealed: &[SealedEvent],
    ) -> Result<Vec<Appended>, StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnly);
        }
        let mut out = Vec::with_capacity(sealed.len());
        self.meta.insert(PENDING_KEY, &[] as &[u8])?;
        let chunks = sealed.chunks(CHUNK).count();
        for (n, chunk) in sealed.chunks(CHUNK).enumerate() {
            let mut tiles = Vec::new();
            for s in chunk {
                let nodes = writer
                    .tree
                    .append(merkle::leaf_hash(&s.bytes))
                    .map_err(|e| StoreError::Corrupted(e.to_string()))?;
                writer.edge.add(&nodes, &mut tiles);
            }
            writer.edge.partial(&mut tiles);
            let mut meta = sled::Batch::default();
            if n + 1 == chunks && !writer.defer_state {
                if let Err(e) = self.add_state(&mut writer, &mut meta) {
                    self.poisoned = true;
                    return Err(e);
                }
            }
            if let Err(e) = self.write_chunk_with(chunk, &tiles, &writer.tree, true, meta) {
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
        self.writer = Some(writer);
        Ok(out)
    }

    /// Writes whole events, their index entries, the Merkle tiles they fill or extend, and
    /// (with `commit`) the new frontier and head.
    pub(super) fn write_chunk(
        &self,
        chunk: &[SealedEvent],
        tiles: &[TileWrite],
        tree: &Frontier,
        commit: bool,
    ) -> Result<(), StoreError> {
        self.write_chunk_with(chunk, tiles, tree, commit, sled::Batch::default())
    }

    /// [`Ledger::write_chunk`], with `meta` (entries of the `meta` tree) written in the same
    /// atomic batch as the head.
    pub(super) fn write_chunk_with<T: ToStore>(
        &self,
        chunk: &[T],
        tiles: &[TileWrite],
        tree: &Frontier,
        commit: bool,
        mut meta: sled::Batch,
    ) -> Result<(), StoreError> {
        let Some(last) = chunk.last() else {
            return Ok(());
        };
        let head = head_record(last.seq() + 1, last.hash());
        // The events, their index entries and the Merkle tiles first (one atomic batch per
        // tree), the head last: the head is the commit point. A crash in between leaves
        // events beyond the head, which `recover` removes on the next open; no reader ever
        // sees them, and a crash never leaves part of an event.
        let (mut bundles, mut merkle_b) = (sled::Batch::default(), sled::Batch::default());
        let mut indexes = Index::ALL.map(|i| (i, sled::Batch::default()));
        // The bundle being filled: the first one continues the stored last bundle (rewritten
        // whole: a sled insert replaces a value atomically).
        let mut filling: Option<(u64, Vec<u8>)> = None;
        for s in chunk {
            let seq = s.seq();
            let (b, i) = bundle::locate(seq);
            if filling.as_ref().is_none_or(|(fb, _)| *fb != b) {
                if let Some((fb, buf)) = filling.take() {
                    bundles.insert(&bundle::key(fb), buf);
                }
                let mut buf = Vec::with_capacity(16 * (s.bytes().len() + bundle::LEN_BYTES));
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
                bundle::push(buf, s.bytes());
            }
            for (index, batch) in &mut indexes {
                s.index_keys(*index, &mut |k| batch.insert(k, &[] as &[u8]));
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
        for (index, batch) in indexes {
            self.index_tree(index).apply_batch(batch)?;
        }
        self.tiles.apply_batch(merkle_b)?;
        if commit {
            self.meta.apply_batch(meta)?;
        }
        Ok(())
    }

    /// Cuts the stored Merkle tiles back to what a tree of `size` leaves holds: tiles beyond
    /// it removed, the rightmost tile of each level cut to its width then. Returns whether
    /// anything changed.
    pub(super) fn trim_tiles(&self, size: u64) -> Result<bool, StoreError> {
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
    pub(super) fn recover(&self) -> Result<u64, StoreError> {
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
                for index in Index::ALL {
                    for k in index.keys(&ev.unsigned.body, seq) {
                        self.index_tree(index).remove(k)?;
                    }
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
}
