//! Verification of a log from its stored bytes (issue: foundation). Nothing is trusted: each
//! event is decoded canonically, its position, chain link and signature are recomputed, and
//! the ledger's rules are replayed.

use std::collections::HashMap;

use crate::chain;
use crate::error::{VerifyError, VerifyErrorKind};
use crate::event::Event;
use crate::rules::LedgerState;
use crate::types::{EventHash, PublicKey, Seq};

/// Whether to check signatures while replaying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signatures {
    /// Check every signature with `verify_strict` (verification, append).
    Check,
    /// Skip signatures (rebuilding rule state from a store that was verified before).
    Skip,
}

/// Streams events through every check; call [`Verifier::push`] for each stored event in order.
#[derive(Debug, Clone)]
pub struct Verifier {
    state: LedgerState,
    next: u64,
    head: EventHash,
    signatures: Signatures,
    key_cache: HashMap<PublicKey, ed25519_dalek::VerifyingKey>,
}

impl Default for Verifier {
    fn default() -> Self {
        Self::new(Signatures::Check)
    }
}

impl Verifier {
    /// A verifier for a log that starts empty.
    pub fn new(signatures: Signatures) -> Self {
        Self {
            state: LedgerState::new(),
            next: 0,
            head: EventHash::ZERO,
            signatures,
            key_cache: HashMap::new(),
        }
    }

    /// A verifier positioned after `len` events ending in `head`, whose rule state is `state`
    /// (built by admitting those events' unsigned parts in order, e.g. by a batch validated
    /// before it was signed).
    pub fn resume(state: LedgerState, len: u64, head: EventHash, signatures: Signatures) -> Self {
        Self {
            state,
            next: len,
            head,
            signatures,
            key_cache: HashMap::new(),
        }
    }

    /// Events accepted so far.
    pub fn len(&self) -> u64 {
        self.next
    }

    /// Whether no event was accepted.
    pub fn is_empty(&self) -> bool {
        self.next == 0
    }

    /// Hash of the last accepted event (zero when empty).
    pub fn head(&self) -> EventHash {
        self.head
    }

    /// The unsigned event that would come next: `body` by `author` at `recorded_at`, at this
    /// verifier's position and chained to its head, in the current format.
    pub fn next_event(
        &self,
        author: PublicKey,
        recorded_at: crate::types::Timestamp,
        body: crate::event::EventBody,
    ) -> crate::event::UnsignedEvent {
        crate::event::UnsignedEvent {
            version: crate::event::FORMAT_VERSION,
            seq: Seq(self.next),
            prev: self.head,
            recorded_at,
            author,
            body,
        }
    }

    /// The rule state after the accepted events, by value (no copy).
    pub fn into_state(self) -> LedgerState {
        self.state
    }

    /// The rule state after the accepted events.
    pub fn state(&self) -> &LedgerState {
        &self.state
    }

    /// The rule state, to load parts of a partial one into ([`LedgerState::load_part`]).
    pub fn state_mut(&mut self) -> &mut LedgerState {
        &mut self.state
    }

    /// Checks the event stored at position `self.len()` and accepts it: the full admission
    /// check (canonical decode, field shapes, position, chain link, signature unless
    /// [`Signatures::Skip`], author's role, the ledger's rules). Every append runs this; there
    /// is no trusting variant. On error the verifier is unchanged, so a caller may report it
    /// and stop, or try another candidate (append).
    pub fn push(&mut self, bytes: &[u8]) -> Result<Event, VerifyError> {
        let seq = Seq(self.next);
        let event = chain::decode_event(bytes).map_err(|e| VerifyError {
            seq,
            kind: e.into(),
        })?;
        self.push_decoded(event, bytes, chain::event_hash(bytes))
    }

    /// [`Verifier::push`] for an event already decoded from `bytes` with
    /// [`chain::decode_event`] and hashed with [`chain::event_hash`], e.g. on another thread
    /// (verification decodes and hashes in parallel, and only the position, chain link and
    /// rules, which depend on the events before, run in order here).
    pub fn push_decoded(
        &mut self,
        event: Event,
        bytes: &[u8],
        hash: EventHash,
    ) -> Result<Event, VerifyError> {
        let seq = Seq(self.next);
        let err = |kind: VerifyErrorKind| VerifyError { seq, kind };
        let u = &event.unsigned;
        if u.seq != seq {
            return Err(err(VerifyErrorKind::SeqMismatch {
                expected: seq,
                found: u.seq,
            }));
        }
        if u.prev != self.head {
            return Err(err(VerifyErrorKind::ChainMismatch {
                expected: self.head.to_hex(),
                found: u.prev.to_hex(),
            }));
        }
        if self.signatures == Signatures::Check {
            let vk = match self.key_cache.get(&u.author) {
                Some(vk) => *vk,
                None => {
                    let vk = u
                        .author
                        .verifying_key()
                        .map_err(|e| err(VerifyErrorKind::Decode(e.into())))?;
                    self.key_cache.insert(u.author, vk);
                    vk
                }
            };
            if !chain::check_signature(&vk, &event.signature, bytes) {
                return Err(err(VerifyErrorKind::BadSignature {
                    key: u.author.to_hex(),
                }));
            }
        }
        self.state.admit(u).map_err(|e| err(e.into()))?;
        self.next += 1;
        self.head = hash;
        Ok(event)
    }
}
