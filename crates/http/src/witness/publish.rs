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

/// How [`sign_cosigned_with`] reaches the ledger: alone, to sign and to store, and shared,
/// to read the consistency proofs a witness asks for, so that a server's readers never wait
/// on a witness.
pub trait LedgerAccess {
    /// Runs `f` with the ledger to itself.
    fn exclusive<T>(&self, f: impl FnOnce(&mut Ledger) -> T) -> T;
    /// Runs `f` with the ledger shared with other readers.
    fn shared<T>(&self, f: impl FnOnce(&Ledger) -> T) -> T;
}

/// A ledger held by one caller (`checkpoint --witness`).
struct Alone<'a>(std::cell::RefCell<&'a mut Ledger>);

impl LedgerAccess for Alone<'_> {
    fn exclusive<T>(&self, f: impl FnOnce(&mut Ledger) -> T) -> T {
        f(&mut self.0.borrow_mut())
    }
    fn shared<T>(&self, f: impl FnOnce(&Ledger) -> T) -> T {
        f(&self.0.borrow())
    }
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
    sign_cosigned_with(
        &Alone(std::cell::RefCell::new(ledger)),
        key,
        witnesses,
        policy,
        warn,
    )
}

/// Times [`sign_cosigned_with`] starts again when the log grew while the witnesses were
/// asked (what they cosigned is then no longer the head).
const ATTEMPTS: usize = 4;

/// [`sign_cosigned`] through `access`: the head is signed with the ledger alone, the
/// witnesses are asked with no lock held (proofs are read shared), and the checkpoint is
/// stored with the ledger alone again, if the head is still the one signed; if the log grew
/// meanwhile, all of it starts again over the new head (at most [`ATTEMPTS`] times).
pub fn sign_cosigned_with(
    access: &impl LedgerAccess,
    key: &SigningKey,
    witnesses: &[(String, VerifierKey)],
    policy: &Quorum,
    warn: &mut dyn FnMut(&CosignError),
) -> Result<StoredCheckpoint, PublishError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match attempt_cosigned(access, key, witnesses, policy, warn)? {
            Some(stored) => return Ok(stored),
            None if attempt < ATTEMPTS => continue,
            None => {
                return Err(PublishError::NoQuorum {
                    msg: format!(
                    "the log grew while the witnesses were asked, {ATTEMPTS} times; not published"
                ),
                    misbehaviour: false,
                })
            }
        }
    }
}

/// One attempt of [`sign_cosigned_with`]: `None` if the head moved before the store.
fn attempt_cosigned(
    access: &impl LedgerAccess,
    key: &SigningKey,
    witnesses: &[(String, VerifierKey)],
    policy: &Quorum,
    warn: &mut dyn FnMut(&CosignError),
) -> Result<Option<StoredCheckpoint>, PublishError> {
    let cp_err = |e: &dyn std::fmt::Display| PublishError::Checkpoint(e.to_string());
    let signed = access.exclusive(|ledger| -> Result<_, PublishError> {
        // The role check of the store, before any witness is asked.
        if let Ok(never) = ledger.sign_checkpoint_with(key, |_| Err::<String, ()>(()))? {
            return Ok(Err(never));
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
        Ok(Ok((size, signed, guess)))
    })?;
    let (size, signed, guess) = match signed {
        Ok(s) => s,
        Err(never) => return Ok(Some(never)),
    };
    let client = WitnessClient::new();
    let mut cosigned = signed.clone();
    let mut misbehaviour = false;
    for (url, vkey) in witnesses {
        let mut proof = |old: u64| {
            if old == 0 || old == size {
                Ok(Vec::new())
            } else {
                access.shared(|ledger| {
                    ledger
                        .consistency_proof(old, size)
                        .map_err(|e| e.to_string())
                })
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
    access.exclusive(|ledger| {
        // Stored only over the head the witnesses saw (the store signs its current head).
        if ledger.size()? != size {
            return Ok(None);
        }
        match ledger.sign_checkpoint_with(key, |_| Ok::<_, std::convert::Infallible>(text))? {
            Ok(stored) => Ok(Some(stored)),
            Err(never) => match never {},
        }
    })
}
