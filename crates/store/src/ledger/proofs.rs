//! Merkle proofs from the stored tiles, and the signed checkpoint history.

use actledger_core::checkpoint::Checkpoint;
use actledger_core::log_checkpoint::check_log_checkpoint;
use actledger_core::merkle::{self, Frontier};
use actledger_core::note::KeyName;
use actledger_core::verify::Verifier;
use actledger_core::{Role, SigningKey};

use crate::tiles as tile;
use sled::Transactional;

use crate::{ProofError, StoreError};

use super::{Ledger, StoredCheckpoint};

/// Checks a stored checkpoint against the recomputed tree at its size and the keys holding
/// the `log` role at that point of the log.
pub(super) fn check_checkpoint(
    cp: &StoredCheckpoint,
    v: &Verifier,
    tree: &Frontier,
) -> Result<(), String> {
    let origin = v.state().origin().ok_or("no genesis event")?;
    if tree.size() != cp.size {
        return Err(format!(
            "stored under size {} but checked at size {}",
            cp.size,
            tree.size()
        ));
    }
    check_log_checkpoint(&cp.note, origin.as_str(), cp.size, &tree.root(), v.state())
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// `meta` keys of the numbered checkpoint history: this prefix || number (u64 BE).
const HISTORY_PREFIX: &[u8] = b"checkpoint/";

fn history_key(n: u64) -> Vec<u8> {
    [HISTORY_PREFIX, &n.to_be_bytes()].concat()
}

impl Ledger {
    /// The stored hash of the perfect subtree `(level, index)`.
    /// One tile read; a node above a tile's level is hashed up from it (at most 127 hashes).
    pub fn node(&self, level: u8, index: u64) -> Result<merkle::Hash, StoreError> {
        tile::node(level, index, |l, i| {
            Ok(self.tiles.get(tile::tile_key(l, i))?)
        })
    }

    /// The parsed hash tiles this ledger's proofs keep (for their figures: `stats`).
    pub fn tile_cache(&self) -> &crate::TileCache {
        &self.tile_cache
    }

    /// Readies this ledger to serve proofs: keeps, for every full level-0 tile of the tree
    /// that has no row kept yet, its 16 nodes of height [`crate::ROW_HEIGHT`]
    /// ([`crate::TileCache::row`]; 512 bytes a tile). Reads each such tile once and hashes
    /// 240 nodes of it (~30 µs a tile: ~0.13 s for 1M entries). A proof over a tile read cold
    /// then hashes ~22 nodes instead of 247. For a long-lived process (`serve`); a command
    /// that makes one proof gains nothing from it. Returns the number of rows made.
    pub fn warm_proofs(&self) -> Result<u64, StoreError> {
        use actledger_core::tiles::{HashTile, TileId, TileKind, TILE_WIDTH};
        let full = self.size()? / u64::from(TILE_WIDTH);
        let mut made = 0;
        for index in 0..full {
            if self.tile_cache.has_row(index) {
                continue;
            }
            let bytes = crate::TileReader::read_tile(self, 0, index, TILE_WIDTH)?;
            let id = TileId::new(TileKind::Hashes { level: 0 }, index, TILE_WIDTH)
                .map_err(|e| StoreError::Corrupted(format!("Merkle tile: {e}")))?;
            let tile = HashTile::leaves(id, &bytes)
                .map_err(|e| StoreError::Corrupted(format!("Merkle tile (0, {index}): {e}")))?;
            if let Some(row) = crate::tile_log::row_of(&tile) {
                self.tile_cache.insert_row(index, row);
                made += 1;
            }
        }
        Ok(made)
    }

    /// The stored hash tile `(level, index)` as it is now (the rightmost of its level holds
    /// the hashes so far).
    pub(crate) fn stored_tile(
        &self,
        level: u8,
        index: u64,
    ) -> Result<Option<sled::IVec>, StoreError> {
        Ok(self.tiles.get(tile::tile_key(level, index))?)
    }

    /// The Merkle root of the first `size` events (reads O(log n) tiles through the
    /// tile-shaped seam, [`crate::TileReader`]).
    pub fn root_at(&self, size: u64) -> Result<merkle::Hash, StoreError> {
        crate::tile_log::root(self, size)
    }

    /// RFC 9162 inclusion proof of event `index` in the tree of `size` events
    /// ([`crate::inclusion_proof`] over this ledger's tiles).
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<merkle::Hash>, StoreError> {
        crate::tile_log::inclusion_proof(self, index, size)
    }

    /// RFC 9162 consistency proof from the tree of `old` events to the tree of `new` events
    /// ([`crate::consistency_proof`] over this ledger's tiles).
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<merkle::Hash>, StoreError> {
        crate::tile_log::consistency_proof(self, old, new)
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
        if self.read_only {
            return Err(StoreError::ReadOnly);
        }
        let origin = self.origin()?;
        let w = self.writer()?;
        let public = key.public();
        if !w.verifier.state().key_has_role(&public, Role::Log) {
            return Err(ProofError::Refused(actledger_core::RuleError::MissingRole {
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
            })
            .into());
        }
        let size = w.tree.size();
        let root = w.tree.root();
        let stored = self.checkpoint_at(size)?;
        let is_new = stored.is_none();
        let signed = match stored {
            Some(existing) => existing,
            None => {
                let cp = Checkpoint::new(origin.as_str(), size, root)
                    .map_err(|e| ProofError::Checkpoint(e.to_string()))?;
                let note = cp
                    .sign(&KeyName::from(&origin), key)
                    .map_err(|e| ProofError::Checkpoint(e.to_string()))?
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
                actledger_core::note::Note::parse(t)
                    .map_err(|e| ProofError::Checkpoint(e.to_string()))
            };
            let (was, now) = (parse(&signed.note)?, parse(&note)?);
            let kept = was
                .signatures()
                .iter()
                .all(|s| now.signatures().contains(s));
            if was.text() != now.text() || !kept {
                return Err(ProofError::Checkpoint(
                    "a published checkpoint must keep the signed text and signatures".into(),
                )
                .into());
            }
        } else if self.checkpoint_at(size)?.is_some() {
            return Ok(Ok(signed));
        }
        if is_new {
            self.store_new_checkpoint(size, &note)?;
        } else {
            // More signature lines on a checkpoint already in the history (its number stays).
            self.checkpoints
                .insert(size.to_be_bytes(), note.as_bytes())?;
            self.db.flush()?;
        }
        Ok(Ok(StoredCheckpoint { size, note }))
    }

    /// Stores a checkpoint of a size the history does not hold yet, with its number, in one
    /// transaction: the history is append-only, numbered 0, 1, 2, ... in order of size, and
    /// verify finds a gap.
    pub(super) fn store_new_checkpoint(&self, size: u64, note: &str) -> Result<(), StoreError> {
        let numbered = self.checkpoint_history()?;
        let mut unnumbered: Vec<u64> = Vec::new();
        if numbered.len() < self.checkpoints.len() {
            // Checkpoints stored before the history was numbered: numbered first, by size.
            let known: std::collections::BTreeSet<u64> = numbered.iter().map(|x| x.1).collect();
            for cp in self.checkpoints()? {
                if !known.contains(&cp.size) {
                    unnumbered.push(cp.size);
                }
            }
        }
        let first = numbered.last().map_or(0, |(n, _)| n + 1);
        let sizes: Vec<u64> = unnumbered.into_iter().chain([size]).collect();
        let written: Result<(), sled::transaction::TransactionError<()>> =
            (&self.checkpoints, &self.meta).transaction(|(cps, meta)| {
                cps.insert(&size.to_be_bytes(), note.as_bytes())?;
                for (n, s) in (first..).zip(&sizes) {
                    meta.insert(history_key(n), &s.to_be_bytes())?;
                }
                Ok(())
            });
        written.map_err(|e| match e {
            sled::transaction::TransactionError::Storage(e) => StoreError::from(e),
            sled::transaction::TransactionError::Abort(()) => StoreError::Poisoned,
        })?;
        self.db.flush()?;
        Ok(())
    }

    /// Numbers the checkpoints of a ledger from before the numbered history (layout 3 and
    /// earlier), `0, 1, 2, ...` by size, when it has none numbered. A history that numbers some
    /// but not all is left as it is, for `verify` to report: no released version wrote one.
    pub(super) fn number_checkpoints(&self) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        if self.checkpoint_history()?.is_empty() {
            for (n, cp) in (0u64..).zip(self.checkpoints()?) {
                batch.insert(history_key(n), &cp.size.to_be_bytes());
            }
        }
        // One batch: a numbered history never sits beside an older layout record
        // (`check_layout` refuses that state as no version's).
        batch.insert(super::migrate::LAYOUT_KEY, &[super::migrate::LAYOUT]);
        self.meta.apply_batch(batch)?;
        Ok(())
    }

    /// The numbered checkpoint history, `(number, size)` in number order, as stored in `meta`
    /// (`checkpoint/` || number (u64 BE) → size (u64 BE)).
    pub(super) fn checkpoint_history(&self) -> Result<Vec<(u64, u64)>, StoreError> {
        let mut out = Vec::new();
        for item in self.meta.scan_prefix(HISTORY_PREFIX) {
            let (k, v) = item?;
            let n = k
                .get(HISTORY_PREFIX.len()..)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_be_bytes);
            let s = <[u8; 8]>::try_from(v.as_ref()).ok().map(u64::from_be_bytes);
            match (n, s) {
                (Some(n), Some(s)) => out.push((n, s)),
                _ => {
                    return Err(StoreError::Corrupted(
                        "a checkpoint history record is not 8 bytes to 8 bytes".into(),
                    ))
                }
            }
        }
        Ok(out)
    }

    pub(super) fn decode_checkpoint(k: &[u8], v: &[u8]) -> Result<StoredCheckpoint, StoreError> {
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
}
