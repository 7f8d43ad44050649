//! Signing and chaining events (docs/FORMAT.md §2-§3).
//!
//! - stored bytes `E` = canonical encoding of [`Event`] = `encode(unsigned) || signature`;
//! - signed message = [`EVENT_SIGNATURE_CONTEXT`] `|| encode(unsigned)`, i.e. the context
//!   string followed by all of `E` but its last 64 bytes;
//! - chain link: the next event's `prev` = `SHA-256(E)`.

use sha2::{Digest, Sha256};

use crate::encoding;
use crate::error::DecodeError;
use crate::event::{Event, EventBody, UnsignedEvent, FORMAT_VERSION};
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

/// The `prev` field of stored event bytes, read at its offset (docs/FORMAT.md §2: after the
/// version byte and the 8-byte seq), without decoding; `None` if the bytes are too short to
/// hold it. For checking a hash chain over events a reader does not decode.
pub fn stored_prev(stored: &[u8]) -> Option<EventHash> {
    stored
        .get(9..41)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .map(EventHash)
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
    let event = decode_split(bytes, decode_body)?;
    event.unsigned.body.check_shape()?;
    Ok(event)
}

/// The body's canonical decode: the value (read directly for the commonest kinds,
/// `event::direct`, else by the codec), which must encode to exactly these bytes.
fn decode_body(bytes: &[u8]) -> Result<EventBody, DecodeError> {
    let body = decode_body_trusted(bytes)?;
    if !encoding::encodes_to(&body, bytes) {
        return Err(DecodeError::NonCanonical);
    }
    Ok(body)
}

/// The body's value without the re-encoding check: a Council vote or a tabled draft read
/// directly (`event::direct`: the codec's layout, the same constructors, every other case
/// left to the codec), anything else by the codec.
fn decode_body_trusted(bytes: &[u8]) -> Result<EventBody, DecodeError> {
    match crate::event::direct::decode_body(bytes) {
        Some(body) => Ok(body),
        None => encoding::decode_trusted(bytes),
    }
}

/// Decodes an event as the codec lays it out (docs/FORMAT.md §2): the fixed-width header
/// (version, seq, prev, recorded_at, author: [`HEADER_LEN`] bytes) and the trailing signature
/// are read at their offsets, the body between them with `body` (which must use all of it).
/// The same bytes are accepted, with the same values, as decoding the whole [`Event`] with the
/// codec: its fields are those bytes in that order, and each fixed-width field has exactly one
/// encoding, so re-encoding the header and signature could only give the same bytes. Reading
/// the 136 bytes of hash, key and signature one serde element at a time was a third of the
/// decoding time.
fn decode_split(
    bytes: &[u8],
    body: impl FnOnce(&[u8]) -> Result<EventBody, DecodeError>,
) -> Result<Event, DecodeError> {
    if bytes.len() > encoding::MAX_EVENT_BYTES {
        return Err(DecodeError::TooLarge {
            len: bytes.len(),
            max: encoding::MAX_EVENT_BYTES,
        });
    }
    check_version(bytes)?;
    let short = || {
        DecodeError::Malformed(format!(
            "{} bytes, shorter than an event's {HEADER_LEN}-byte header and {SIGNATURE_LEN}-byte signature",
            bytes.len()
        ))
    };
    let body_end = bytes.len().checked_sub(SIGNATURE_LEN).ok_or_else(short)?;
    let (header, rest) = bytes.split_at_checked(HEADER_LEN).ok_or_else(short)?;
    let body_bytes = rest
        .get(..body_end.checked_sub(HEADER_LEN).ok_or_else(short)?)
        .ok_or_else(short)?;
    let array = |at: usize| -> Result<[u8; 32], DecodeError> {
        header
            .get(at..at + 32)
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(short)
    };
    let word = |at: usize| -> Result<[u8; 8], DecodeError> {
        header
            .get(at..at + 8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .ok_or_else(short)
    };
    let version = header.first().copied().ok_or_else(short)?;
    let seq = crate::types::Seq(u64::from_le_bytes(word(1)?));
    let prev = EventHash(array(9)?);
    let recorded_at = crate::types::Timestamp(i64::from_le_bytes(word(41)?));
    let author = crate::types::PublicKey::try_from_bytes(array(49)?)
        .map_err(|e| DecodeError::Malformed(e.to_string()))?;
    let body = body(body_bytes)?;
    Ok(Event {
        unsigned: UnsignedEvent {
            version,
            seq,
            prev,
            recorded_at,
            author,
            body,
        },
        signature: stored_signature(bytes),
    })
}

/// Reads the version byte first so a future format gets a clear message, not a parse error.
fn check_version(bytes: &[u8]) -> Result<(), DecodeError> {
    match bytes.first() {
        Some(&v) if v != FORMAT_VERSION => Err(DecodeError::Version(v)),
        _ => Ok(()),
    }
}

/// The decoder for *replaying* stored bytes that were verified before (written by this
/// program through the admission check, or checked by `verify`): it skips the canonical
/// re-encoding check (about twice as fast), for projections and for rebuilding the rule
/// state of a store. It is no way into a log: every append decodes with [`decode_event`]
/// inside [`crate::verify::Verifier::push`], and `verify` and anything reading untrusted
/// bytes use [`decode_event`] too.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ReplayOnly;

impl ReplayOnly {
    /// Decodes stored bytes already verified, without the canonical re-encoding check (a
    /// non-canonical encoding that `decode_event` refuses may decode here).
    pub fn decode_event(bytes: &[u8]) -> Result<Event, DecodeError> {
        decode_split(bytes, decode_body_trusted)
    }
}

/// The signature at the end of stored bytes (all zero if they are shorter than 64 bytes,
/// which no signature verifies).
pub fn stored_signature(bytes: &[u8]) -> Signature {
    let mut sig = [0u8; SIGNATURE_LEN];
    if let Some(tail) = bytes
        .len()
        .checked_sub(SIGNATURE_LEN)
        .and_then(|at| bytes.get(at..))
    {
        sig.copy_from_slice(tail);
    }
    Signature(sig)
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

/// Length of the fixed header of every event: version (1), seq (8), prev (32),
/// recorded_at (8), author (32). The body's encoding starts at this offset.
pub const HEADER_LEN: usize = 81;

/// The message an import's checking thread prepares for the signing thread: the signing
/// context, the header with `prev` left zero, the encoded body, and room for the signature,
/// in one buffer. [`seal_message`] fills in `seq` and `prev`, signs, and turns it into the
/// stored bytes in place, so the signing thread (the import's bottleneck: each event names
/// its predecessor's hash) allocates and copies nothing. The stored bytes are exactly those of
/// [`seal`] for the same fields: the header's fields are fixed-width and written as the codec
/// writes them (docs/FORMAT.md §2).
pub fn message_for(
    seq: crate::types::Seq,
    recorded_at: crate::types::Timestamp,
    author: &PublicKey,
    body: &EventBody,
) -> Result<Vec<u8>, DecodeError> {
    let mut m = Vec::with_capacity(EVENT_SIGNATURE_CONTEXT.len() + 512);
    m.extend_from_slice(EVENT_SIGNATURE_CONTEXT);
    m.push(FORMAT_VERSION);
    m.extend_from_slice(&seq.0.to_le_bytes());
    m.extend_from_slice(&EventHash::ZERO.0);
    m.extend_from_slice(&recorded_at.0.to_le_bytes());
    m.extend_from_slice(author.as_bytes());
    encoding::encode_append(body, &mut m)?;
    let len = m.len() - EVENT_SIGNATURE_CONTEXT.len() + SIGNATURE_LEN;
    if len > encoding::MAX_EVENT_BYTES {
        return Err(DecodeError::TooLarge {
            len,
            max: encoding::MAX_EVENT_BYTES,
        });
    }
    m.resize(m.len() + SIGNATURE_LEN, 0);
    Ok(m)
}

/// Seals a message from [`message_for`] as event `seq` after the event hashed `prev`, signed
/// with `key` (who must be the author it names): `message` becomes the stored bytes. Returns
/// their hash.
pub fn seal_message(
    message: &mut Vec<u8>,
    seq: crate::types::Seq,
    prev: EventHash,
    key: &SigningKey,
) -> Result<EventHash, DecodeError> {
    let c = EVENT_SIGNATURE_CONTEXT.len();
    let short = || DecodeError::Malformed("not a message from chain::message_for".into());
    if message.len() < c + HEADER_LEN + SIGNATURE_LEN {
        return Err(short());
    }
    message
        .get_mut(c + 1..c + 9)
        .ok_or_else(short)?
        .copy_from_slice(&seq.0.to_le_bytes());
    message
        .get_mut(c + 9..c + 41)
        .ok_or_else(short)?
        .copy_from_slice(&prev.0);
    let end = message.len() - SIGNATURE_LEN;
    let signature = key.sign(message.get(..end).ok_or_else(short)?);
    message
        .get_mut(end..)
        .ok_or_else(short)?
        .copy_from_slice(&signature.0);
    message.drain(..c);
    Ok(event_hash(message))
}

/// The variant indexes [`peek_kind`] reports (docs/FORMAT.md §2, declaration order): the
/// `EventBody` variants that carry a fact, and the `Fact` kinds. One definition for every
/// caller that skips events by kind without decoding them.
pub mod variant {
    /// `EventBody::Fact`.
    pub const FACT: u32 = 3;
    /// `EventBody::Correction`.
    pub const CORRECTION: u32 = 4;
    /// `Fact::AdherenceLetter`.
    pub const ADHERENCE_LETTER: u32 = 0;
    /// `Fact::CouncilTerm`.
    pub const COUNCIL_TERM: u32 = 1;
    /// `Fact::DraftTabled`.
    pub const DRAFT_TABLED: u32 = 2;
    /// `Fact::CouncilVote`.
    pub const COUNCIL_VOTE: u32 = 3;
    /// `Fact::CredibilityAssessment`.
    pub const CREDIBILITY_ASSESSMENT: u32 = 4;
    /// `Fact::AssemblyMeeting`.
    pub const ASSEMBLY_MEETING: u32 = 5;
    /// `Fact::HolidayCalendar`.
    pub const HOLIDAY_CALENDAR: u32 = 6;
    /// `Fact::DatedAssessment` (format revision 2): the same kind of fact as
    /// [`CREDIBILITY_ASSESSMENT`]; a scan for assessments asks for both.
    pub const DATED_ASSESSMENT: u32 = 7;
    /// `Fact::TallyVote` (format revision 2).
    pub const TALLY_VOTE: u32 = 8;
    /// `Fact::SupporterListAttested` (format revision 3).
    pub const SUPPORTER_LIST_ATTESTED: u32 = 9;
}

/// When stored event bytes say they were recorded (`recorded_at`, at its fixed offset,
/// docs/FORMAT.md §2), without decoding: for finding where a log stood at a time. Proves
/// nothing (decode does).
pub fn peek_recorded_at(stored: &[u8]) -> Option<crate::types::Timestamp> {
    stored
        .get(41..49)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map(|b| crate::types::Timestamp(i64::from_le_bytes(b)))
}

/// The body and fact variant indexes of stored event bytes, read at their fixed offsets
/// without decoding (docs/FORMAT.md §2): `(body, Some(fact))` for a fact or a correction (the
/// replacement's kind), `(body, None)` for key events. Lets a scan skip events of other kinds
/// cheaply; it proves nothing (decode does).
pub fn peek_kind(stored: &[u8]) -> Option<(u32, Option<u32>)> {
    let u32_at = |o: usize| -> Option<u32> {
        stored
            .get(o..o.checked_add(4)?)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_le_bytes)
    };
    let body = u32_at(HEADER_LEN)?;
    match body {
        variant::FACT => Some((body, Some(u32_at(HEADER_LEN + 4)?))),
        variant::CORRECTION => {
            // Correction: target (u64), reason (u64 length + bytes), then the Fact.
            let len_at = HEADER_LEN + 4 + 8;
            let len = stored
                .get(len_at..len_at + 8)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_le_bytes)?;
            let fact_at = len_at
                .checked_add(8)?
                .checked_add(usize::try_from(len).ok()?)?;
            Some((body, Some(u32_at(fact_at)?)))
        }
        _ => Some((body, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{AdherenceDate, AdherenceLetter, Correction, EventBody, Fact, Instrument};
    use crate::types::{Seq, Text, Timestamp};

    fn letter() -> Fact {
        Fact::AdherenceLetter(AdherenceLetter {
            state: "FRA".parse().unwrap(),
            date: AdherenceDate::Exact("2015-10-23".parse().unwrap()),
            received: None,
            instrument: Instrument::Letter,
            reference: Text::empty(),
            source: Text::new("s").unwrap(),
            note: Text::empty(),
        })
    }

    #[test]
    fn a_sealed_message_equals_seal_and_peek_reads_kinds() {
        let key = SigningKey::from_seed(&[9; 32]);
        for body in [
            EventBody::Fact(letter()),
            EventBody::Correction(Correction {
                target: Seq(3),
                reason: Text::new("a typo in the source").unwrap(),
                replacement: letter(),
            }),
        ] {
            let u = UnsignedEvent {
                version: FORMAT_VERSION,
                seq: Seq(7),
                prev: EventHash([5; 32]),
                recorded_at: Timestamp(1_700_000_000),
                author: key.public(),
                body: body.clone(),
            };
            let a = seal(u, &key).unwrap();
            // Prepared with another seq (the signer's is the one that counts).
            let mut bytes =
                message_for(Seq(99), Timestamp(1_700_000_000), &key.public(), &body).unwrap();
            let hash = seal_message(&mut bytes, Seq(7), EventHash([5; 32]), &key).unwrap();
            assert_eq!(bytes, a.bytes);
            assert_eq!(hash, a.hash);
            assert!(seal_message(&mut vec![0; 10], Seq(7), EventHash::ZERO, &key).is_err());
            let want = match body {
                EventBody::Fact(_) => (3, Some(0)),
                _ => (4, Some(0)),
            };
            assert_eq!(
                (
                    variant::FACT,
                    variant::CORRECTION,
                    variant::ADHERENCE_LETTER
                ),
                (3, 4, 0)
            );
            assert_eq!(peek_kind(&bytes), Some(want));
        }
        assert_eq!(peek_kind(&[1, 2, 3]), None);
    }
}
