//! Publishing a cosigned checkpoint: sign the tree head, ask each witness for its
//! cosignature ([`super::client::WitnessClient`]; a 409 is resolved with a consistency proof
//! from the size the witness reports), and store the checkpoint with the cosignatures only if
//! the reader's policy ([`Quorum`]) is met. `checkpoint --witness` and `serve --witness` both
//! publish through this one function.

use actledger_core::checkpoint::Checkpoint;
use actledger_core::note::{KeyName, Note, VerifierKey};
use actledger_core::quorum::Quorum;
use actledger_core::SigningKey;
use actledger_store::{Ledger, StoreError, StoredCheckpoint};

use super::client::{CosignError, WitnessClient};

/// Why no checkpoint was published.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PublishError {
    /// The store refused (e.g. the key lacks the `log` role) or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The checkpoint could not be made.
    #[error("checkpoint: {0}")]
    Checkpoint(String),
    /// The quorum was not met; `misbehaviour` when a witness's refusal is evidence against
    /// the log (a failed proof, a larger tree cosigned), not a witness that is down.
    #[error("{msg}")]
    NoQuorum {
        /// What happened.
        msg: String,
        /// Whether a witness's answer is evidence against the log.
        misbehaviour: bool,
    },
}

/// Signs the head with `key` (which must hold the `log` role), asks `witnesses` (URL and
/// cosignature verifier key) and stores the checkpoint with their cosignatures only if
/// `policy` is met; nothing is stored otherwise. `warn` sees each witness that gave none.
pub fn sign_cosigned(
    ledger: &mut Ledger,
    key: &SigningKey,
    witnesses: &[(String, VerifierKey)],
    policy: &Quorum,
    warn: &mut dyn FnMut(&CosignError),
) -> Result<StoredCheckpoint, PublishError> {
    let cp_err = |e: &dyn std::fmt::Display| PublishError::Checkpoint(e.to_string());
    // The role check of the store, before any witness is asked.
    if let Ok(never) = ledger.sign_checkpoint_with(key, |_| Err::<String, ()>(()))? {
        return Ok(never);
    }
    let origin = ledger.origin()?;
    let size = ledger.size()?;
    let signed = match ledger.checkpoint_at(size)? {
        Some(c) => Note::parse(&c.note).map_err(|e| cp_err(&e))?,
        None => Checkpoint::new(origin.as_str(), size, ledger.root_at(size)?)
            .map_err(|e| cp_err(&e))?
            .sign(&KeyName::from(&origin), key)
            .map_err(|e| cp_err(&e))?,
    };
    // The witnesses most likely cosigned the last checkpoint published before this one.
    let guess = ledger
        .checkpoints()?
        .iter()
        .map(|c| c.size)
        .filter(|s| *s < size)
        .max()
        .unwrap_or(0);
    let client = WitnessClient::new();
    let mut cosigned = signed.clone();
    let mut misbehaviour = false;
    for (url, vkey) in witnesses {
        let mut proof = |old: u64| {
            if old == 0 || old == size {
                Ok(Vec::new())
            } else {
                ledger
                    .consistency_proof(old, size)
                    .map_err(|e| e.to_string())
            }
        };
        match client.cosign(url, vkey, &signed, guess, &mut proof) {
            Ok(sigs) => {
                for s in sigs {
                    if !cosigned.signatures().contains(&s) {
                        cosigned.push_signature(s).map_err(|e| cp_err(&e))?;
                    }
                }
            }
            Err(e) => {
                misbehaviour |= e.is_misbehaviour();
                warn(&e);
            }
        }
    }
    if let Err(e) = policy.check(&cosigned) {
        return Err(PublishError::NoQuorum {
            msg: format!("checkpoint at size {size} not published: {e}"),
            misbehaviour,
        });
    }
    let text = cosigned.to_string();
    match ledger.sign_checkpoint_with(key, |_| Ok::<_, std::convert::Infallible>(text))? {
        Ok(stored) => Ok(stored),
        Err(never) => match never {},
    }
}
