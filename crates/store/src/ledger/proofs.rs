//! Merkle proofs from the stored tiles, and the signed checkpoint history.

use actledger_core::checkpoint::Checkpoint;
use actledger_core::merkle::{self, Frontier};
use actledger_core::note::{KeyKind, KeyName, Note, VerifierKey};
use actledger_core::verify::Verifier;
use actledger_core::{Role, SigningKey};

use crate::tiles as tile;
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

impl Ledger {
    /// The stored hash of the perfect subtree `(level, index)`.
    /// One tile read; a node above a tile's level is hashed up from it (at most 127 hashes).
    pub fn node(&self, level: u8, index: u64) -> Result<merkle::Hash, StoreError> {
        tile::node(level, index, |l, i| {
            Ok(self.tiles.get(tile::tile_key(l, i))?)
        })
    }

    pub(super) fn prove_err(e: merkle::ProveError<StoreError>) -> StoreError {
        match e {
            merkle::ProveError::Read { source, .. } => source,
            other => ProofError::Range(other.to_string()).into(),
        }
    }

    /// The Merkle root of the first `size` events (reads O(log n) nodes).
    pub fn root_at(&self, size: u64) -> Result<merkle::Hash, StoreError> {
        self.check_size(size)?;
        merkle::root(size, |l, i| self.node(l, i)).map_err(Self::prove_err)
    }

    pub(super) fn check_size(&self, size: u64) -> Result<(), StoreError> {
        let n = self.size()?;
        if size > n {
            return Err(ProofError::BeyondLog { size, have: n }.into());
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
        let signed = match self.checkpoint_at(size)? {
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
        self.checkpoints
            .insert(size.to_be_bytes(), note.as_bytes())?;
        self.db.flush()?;
        Ok(Ok(StoredCheckpoint { size, note }))
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
