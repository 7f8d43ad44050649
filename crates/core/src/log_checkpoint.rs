//! Checking a checkpoint the ledger published against the ledger itself: the one rule, used by
//! `verify` (every stored checkpoint) and by the HTML page (the checkpoint it shows).
//!
//! A checkpoint (C2SP tlog-checkpoint, docs/FORMAT.md §9 T4) of size `n` is the ledger's if its
//! origin is the ledger's, its size is `n`, its root is the RFC 9162 root of the first `n`
//! events, and it carries a signature by a key that held the `log` role, unrevoked, after
//! those `n` events (a key revoked before the checkpoint's size signs nothing at that size).

use crate::checkpoint::Checkpoint;
use crate::event::Role;
use crate::merkle::Hash;
use crate::note::{KeyKind, KeyName, Note, VerifierKey};
use crate::rules::LedgerState;
use crate::types::PublicKey;

/// Why a checkpoint is not the ledger's, in the order the checks run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LogCheckpointError {
    /// The text is not a signed note.
    #[error("the note does not parse: {0}")]
    Note(String),
    /// The note's body is not a checkpoint.
    #[error("the note is not a checkpoint: {0}")]
    Body(String),
    /// Another log's origin.
    #[error("origin {found:?} is not the ledger's {expected:?}")]
    Origin {
        /// The checkpoint's origin.
        found: String,
        /// The ledger's.
        expected: String,
    },
    /// Not the size it is stored or shown under.
    #[error("stored under size {expected} but says {found}")]
    Size {
        /// The size it says.
        found: u64,
        /// The size expected.
        expected: u64,
    },
    /// Not the root of the events.
    #[error("root {found} is not the recomputed root {computed}")]
    Root {
        /// The checkpoint's root (base64).
        found: String,
        /// The root of the events (base64).
        computed: String,
    },
    /// No key holding the `log` role at that size signed it.
    #[error("not signed by a key holding the log role at that point of the log")]
    NotSigned,
}

/// A checkpoint found to be the ledger's.
#[derive(Debug, Clone)]
pub struct LogCheckpoint {
    /// The parsed note.
    pub note: Note,
    /// Its body.
    pub checkpoint: Checkpoint,
    /// The log key whose signature verified.
    pub signer: PublicKey,
}

/// The keys that may sign a checkpoint after the events `state` was built from: holding the
/// `log` role, not revoked.
pub fn log_keys(state: &LedgerState) -> Vec<PublicKey> {
    state
        .keys()
        .iter()
        .filter(|(_, info)| info.revoked.is_none() && info.roles.contains_key(&Role::Log))
        .map(|(pk, _)| *pk)
        .collect()
}

/// Checks `text` as the checkpoint of the first `size` events of the ledger named `origin`,
/// whose Merkle root is `root` and whose rule state after them is `state` (for the log keys).
pub fn check_log_checkpoint(
    text: &str,
    origin: &str,
    size: u64,
    root: &Hash,
    state: &LedgerState,
) -> Result<LogCheckpoint, LogCheckpointError> {
    check_log_checkpoint_by(text, origin, size, root, &log_keys(state))
}

/// [`check_log_checkpoint`] given the log keys of the rule state after the first `size`
/// events ([`log_keys`]) rather than the state itself.
pub fn check_log_checkpoint_by(
    text: &str,
    origin: &str,
    size: u64,
    root: &Hash,
    log_keys: &[PublicKey],
) -> Result<LogCheckpoint, LogCheckpointError> {
    let note = Note::parse(text).map_err(|e| LogCheckpointError::Note(e.to_string()))?;
    let checkpoint =
        Checkpoint::from_note(&note).map_err(|e| LogCheckpointError::Body(e.to_string()))?;
    if checkpoint.origin() != origin {
        return Err(LogCheckpointError::Origin {
            found: checkpoint.origin().to_string(),
            expected: origin.to_string(),
        });
    }
    if checkpoint.size() != size {
        return Err(LogCheckpointError::Size {
            found: checkpoint.size(),
            expected: size,
        });
    }
    if checkpoint.root() != root {
        return Err(LogCheckpointError::Root {
            found: checkpoint.root().to_base64(),
            computed: root.to_base64(),
        });
    }
    let name = KeyName::new(origin).map_err(|e| LogCheckpointError::Body(e.to_string()))?;
    let signer = log_keys
        .iter()
        .copied()
        .find(|pk| {
            VerifierKey::new(name.clone(), KeyKind::Ed25519, *pk)
                .is_ok_and(|vk| note.verify(&vk).is_ok())
        })
        .ok_or(LogCheckpointError::NotSigned)?;
    Ok(LogCheckpoint {
        note,
        checkpoint,
        signer,
    })
}
