//! Signing and chaining events (docs/FORMAT.md §2-§3).
//!
//! - stored bytes `E` = canonical encoding of [`Event`] = `encode(unsigned) || signature`;
//! - signed message = [`EVENT_SIGNATURE_CONTEXT`] `|| encode(unsigned)`, i.e. the context
//!   string followed by all of `E` but its last 64 bytes;
//! - chain link: the next event's `prev` = `SHA-256(E)`.

use sha2::{Digest, Sha256};

use crate::encoding;
use crate::error::DecodeError;
use crate::event::{Event, UnsignedEvent, FORMAT_VERSION};
use crate::keys::SigningKey;
use crate::types::{EventHash, PublicKey, Signature};

/// Domain-separation prefix of every event signature: the 19 ASCII bytes
/// `actledger/event/v1` followed by one `0x00` byte, so an event signature can never be
/// mistaken for a signature over a checkpoint, a note or another protocol's message.
pub const EVENT_SIGNATURE_CONTEXT: &[u8] = b"actledger/event/v1\x00";

/// Length of the signature at the end of an event's stored bytes.
pub const SIGNATURE_LEN: usize = 64;

/// `SHA-256(stored bytes)`: the hash the next event names as `prev`.
pub fn event_hash(stored: &[u8]) -> EventHash {
    EventHash(Sha256::digest(stored).into())
}

/// The message an event's author signs: `EVENT_SIGNATURE_CONTEXT || unsigned_bytes`.
pub fn signing_message(unsigned_bytes: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(EVENT_SIGNATURE_CONTEXT.len() + unsigned_bytes.len());
    m.extend_from_slice(EVENT_SIGNATURE_CONTEXT);
    m.extend_from_slice(unsigned_bytes);
    m
}

/// An event with its stored bytes and their hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedEvent {
    /// The decoded event.
    pub event: Event,
    /// Its canonical stored bytes.
    pub bytes: Vec<u8>,
    /// `SHA-256(bytes)`.
    pub hash: EventHash,
}

/// Signs an unsigned event with `key` and encodes it.
pub fn seal(unsigned: UnsignedEvent, key: &SigningKey) -> Result<SealedEvent, DecodeError> {
    let unsigned_bytes = encoding::encode(&unsigned)?;
    let signature = key.sign(&signing_message(&unsigned_bytes));
    let event = Event {
        unsigned,
        signature,
    };
    let bytes = encoding::encode(&event)?;
    let hash = event_hash(&bytes);
    Ok(SealedEvent { event, bytes, hash })
}

/// Decodes stored bytes into an event: canonical decode, format version, field shapes.
pub fn decode_event(bytes: &[u8]) -> Result<Event, DecodeError> {
    // Read the version byte first so a future format gets a clear message, not a parse error.
    if let Some(&v) = bytes.first() {
        if v != FORMAT_VERSION {
            return Err(DecodeError::Version(v));
        }
    }
    let event: Event = encoding::decode(bytes)?;
    event.unsigned.body.check_shape()?;
    Ok(event)
}

/// The bytes an event's signature covers (without the context prefix): all but the last 64.
pub fn unsigned_part(bytes: &[u8]) -> &[u8] {
    &bytes[..bytes.len().saturating_sub(SIGNATURE_LEN)]
}

/// Checks `signature` by `author` over the stored bytes with `verify_strict` (rejects
/// non-canonical `S`, small-order `R` and weak keys).
pub fn check_signature(
    author: &ed25519_dalek::VerifyingKey,
    signature: &Signature,
    stored: &[u8],
) -> bool {
    let sig = ed25519_dalek::Signature::from_bytes(&signature.0);
    author
        .verify_strict(&signing_message(unsigned_part(stored)), &sig)
        .is_ok()
}

/// Convenience: checks an event's signature under its own author key.
pub fn check_event_signature(event: &Event, stored: &[u8]) -> bool {
    match event.unsigned.author.verifying_key() {
        Ok(vk) => check_signature(&vk, &event.signature, stored),
        Err(_) => false,
    }
}

/// The author key of an event.
pub fn author(event: &Event) -> PublicKey {
    event.unsigned.author
}
