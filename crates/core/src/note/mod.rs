//! C2SP signed notes (<https://c2sp.org/signed-note>) with Ed25519 signatures, verifier keys,
//! and C2SP Ed25519 witness cosignatures (<https://c2sp.org/tlog-cosignature>,
//! `cosignature/v1`). See docs/FORMAT.md, "Signed notes".
//!
//! A note is UTF-8 text ending in a newline, a blank line, then one or more signature lines
//! `— <key name> <base64(key ID || signature)>` (em dash U+2014, space, name, space, base64,
//! newline). The text has no ASCII control characters but newline, and it is separated from
//! the signatures by the last blank line.//!
//! Key names, key IDs and verifier keys are in `keys.rs`; notes, their signatures and
//! cosignatures here.

mod keys;

pub use keys::{KeyId, KeyKind, KeyName, KeyNameError, VerifierKey, VerifierKeyError};

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::keys::SigningKey;
use crate::types::{Origin, PublicKey};

/// Starts every signature line: em dash (U+2014, bytes `E2 80 94`) and a space.
pub const SIGNATURE_LINE_PREFIX: &str = "\u{2014} ";

/// The largest note accepted, in bytes (signed-note §Format lets verifiers bound the size;
/// this leaves room for more than 16 post-quantum signatures).
pub const MAX_NOTE_BYTES: usize = 128 * 1024;

/// The most signature lines accepted in one note (the spec requires accepting at least 16).
pub const MAX_SIGNATURES: usize = 64;

/// Signature type byte of Ed25519 note signatures (signed-note §Ed25519 signatures).
pub const ED25519_SIGNATURE_TYPE: u8 = 0x01;

/// Signature type byte of timestamped Ed25519 witness cosignatures (tlog-cosignature §Format).
pub const COSIGNATURE_V1_SIGNATURE_TYPE: u8 = 0x04;

/// First line of the message a `cosignature/v1` signs (tlog-cosignature §Ed25519 signed
/// message): `cosignature/v1\ntime <unix seconds>\n` followed by the note text.
pub const COSIGNATURE_V1_HEADER: &str = "cosignature/v1";

/// Length of an Ed25519 signature (RFC 8032).
const ED25519_SIG_LEN: usize = 64;

/// Why text is not a valid signed note.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteError {
    /// Over [`MAX_NOTE_BYTES`].
    #[error("note is {len} bytes, over the {max}-byte limit")]
    TooLarge {
        /// Length of the input.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Not UTF-8.
    #[error("a note must be valid UTF-8")]
    Utf8,
    /// An ASCII control character other than newline.
    #[error("a note must not contain control characters other than newline (found 0x{0:02x})")]
    ControlCharacter(u8),
    /// The text is empty or does not end in a newline.
    #[error("the note text must be non-empty and end with a newline")]
    Text,
    /// No blank line separates the text from signatures.
    #[error("no blank line separates the note text from its signatures")]
    NoSeparator,
    /// No signature lines.
    #[error("a signed note must carry at least one signature")]
    NoSignatures,
    /// Over [`MAX_SIGNATURES`] signature lines.
    #[error("a note may carry at most {0} signatures")]
    TooManySignatures(usize),
    /// A signature line is malformed.
    #[error("malformed signature line {line}: {reason}")]
    SignatureLine {
        /// 1-based position among the signature lines.
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A cosignature timestamp over 2^63 - 1 (tlog-cosignature §Format).
    #[error("cosignature timestamp {0} exceeds 2^63 - 1")]
    Timestamp(u64),
}

/// One signature line: the key name, the key ID and the signature bytes after the ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// Name of the signing key.
    pub name: KeyName,
    /// Key ID of the signing key.
    pub key_id: KeyId,
    /// The signature bytes that follow the key ID (for Ed25519, 64 bytes; for a
    /// cosignature, an 8-byte big-endian timestamp and 64 bytes).
    pub signature: Vec<u8>,
}

impl NoteSignature {
    /// The line without its newline: `— name base64(key ID || signature)`.
    pub fn to_line(&self) -> String {
        let mut raw = Vec::with_capacity(4 + self.signature.len());
        raw.extend_from_slice(&self.key_id.0);
        raw.extend_from_slice(&self.signature);
        let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
        format!("{SIGNATURE_LINE_PREFIX}{} {b64}", self.name)
    }

    /// Parses one line (without its newline); `n` is its 1-based position, for errors.
    fn parse_line(line: &str, n: usize) -> Result<Self, NoteError> {
        let err = |reason| NoteError::SignatureLine { line: n, reason };
        let rest = line
            .strip_prefix(SIGNATURE_LINE_PREFIX)
            .ok_or_else(|| err("must start with an em dash (U+2014) and a space"))?;
        let (name, b64) = rest
            .split_once(' ')
            .ok_or_else(|| err("expected a key name, a space and a base64 signature"))?;
        let name = KeyName::new(name).map_err(|_| err("invalid key name"))?;
        let raw = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| err("signature is not standard base64 with padding"))?;
        let (id, signature) = raw
            .split_first_chunk::<4>()
            .filter(|(_, sig)| !sig.is_empty())
            .ok_or_else(|| err("signature must hold a 4-byte key ID and at least one byte"))?;
        Ok(Self {
            name,
            key_id: KeyId(*id),
            signature: signature.to_vec(),
        })
    }
}

/// Why a note did not verify against a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteVerifyError {
    /// No signature line carries the key's name and key ID.
    #[error("the note carries no signature by {name}+{key_id}")]
    NoSignature {
        /// The key's name.
        name: KeyName,
        /// The key's ID.
        key_id: KeyId,
    },
    /// A signature line with the key's name and ID does not verify.
    #[error("the signature by {name}+{key_id} does not verify")]
    BadSignature {
        /// The key's name.
        name: KeyName,
        /// The key's ID.
        key_id: KeyId,
    },
    /// A cosignature was asked of a plain Ed25519 key, or the other way round.
    #[error("verifier key {name} is not a {expected} key")]
    WrongKind {
        /// The key's name.
        name: KeyName,
        /// The kind asked for.
        expected: &'static str,
    },
}

/// A signed note (<https://c2sp.org/signed-note>): its text and its signature lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

/// Rejects ASCII control characters other than newline (signed-note §Format).
fn check_controls(s: &str) -> Result<(), NoteError> {
    match s.bytes().find(|&b| b < 0x20 && b != b'\n') {
        Some(b) => Err(NoteError::ControlCharacter(b)),
        None => Ok(()),
    }
}

/// The message a `cosignature/v1` signs: `cosignature/v1\ntime <timestamp>\n` then the note
/// text (tlog-cosignature §Ed25519 signed message).
pub fn cosignature_message(timestamp: u64, text: &str) -> Vec<u8> {
    format!("{COSIGNATURE_V1_HEADER}\ntime {timestamp}\n{text}").into_bytes()
}

impl Note {
    /// An unsigned note with `text`, which must be non-empty, end in a newline, hold no
    /// control characters but newlines, and fit in [`MAX_NOTE_BYTES`].
    pub fn new(text: impl Into<String>) -> Result<Self, NoteError> {
        let text = text.into();
        if text.len() > MAX_NOTE_BYTES {
            return Err(NoteError::TooLarge {
                len: text.len(),
                max: MAX_NOTE_BYTES,
            });
        }
        check_controls(&text)?;
        if !text.ends_with('\n') {
            return Err(NoteError::Text);
        }
        Ok(Self {
            text,
            signatures: Vec::new(),
        })
    }

    /// Parses a signed note from bytes (must be UTF-8).
    pub fn parse_bytes(bytes: &[u8]) -> Result<Self, NoteError> {
        if bytes.len() > MAX_NOTE_BYTES {
            return Err(NoteError::TooLarge {
                len: bytes.len(),
                max: MAX_NOTE_BYTES,
            });
        }
        Self::parse(std::str::from_utf8(bytes).map_err(|_| NoteError::Utf8)?)
    }

    /// Parses a signed note: size limit, no control characters but newline, text up to the
    /// last blank line, then 1 to [`MAX_SIGNATURES`] well-formed signature lines each ending
    /// in a newline.
    pub fn parse(s: &str) -> Result<Self, NoteError> {
        if s.len() > MAX_NOTE_BYTES {
            return Err(NoteError::TooLarge {
                len: s.len(),
                max: MAX_NOTE_BYTES,
            });
        }
        check_controls(s)?;
        let split = s.rfind("\n\n").ok_or(NoteError::NoSeparator)?;
        let (text, sigs) = (&s[..split + 1], &s[split + 2..]);
        if sigs.is_empty() {
            return Err(NoteError::NoSignatures);
        }
        let Some(sigs) = sigs.strip_suffix('\n') else {
            return Err(NoteError::SignatureLine {
                line: sigs.split('\n').count(),
                reason: "must end with a newline",
            });
        };
        let mut signatures = Vec::new();
        for (i, line) in sigs.split('\n').enumerate() {
            if i >= MAX_SIGNATURES {
                return Err(NoteError::TooManySignatures(MAX_SIGNATURES));
            }
            signatures.push(NoteSignature::parse_line(line, i + 1)?);
        }
        Ok(Self {
            text: text.to_owned(),
            signatures,
        })
    }

    /// The note text, with its final newline.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signature lines, in order.
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Appends a signature line (no check; see [`Note::verify`]).
    pub fn push_signature(&mut self, sig: NoteSignature) -> Result<(), NoteError> {
        if self.signatures.len() >= MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures(MAX_SIGNATURES));
        }
        self.signatures.push(sig);
        Ok(())
    }

    /// Signs the text with Ed25519 as `name` (signed-note §Ed25519 signatures): appends
    /// `— name base64(key ID || Ed25519(text))` with the type `0x01` key ID.
    pub fn sign(&mut self, name: &KeyName, key: &SigningKey) -> Result<(), NoteError> {
        let sig = key.sign(self.text.as_bytes());
        self.push_signature(NoteSignature {
            name: name.clone(),
            key_id: KeyId::compute(name, ED25519_SIGNATURE_TYPE, key.public().as_bytes()),
            signature: sig.0.to_vec(),
        })
    }

    /// Cosigns the text as witness `name` at `timestamp` (Unix seconds, at most 2^63 - 1)
    /// per tlog-cosignature `cosignature/v1`: appends
    /// `— name base64(key ID || timestamp (u64 big-endian) || Ed25519(message))`, with the type
    /// `0x04` key ID and the message of [`cosignature_message`].
    pub fn cosign(
        &mut self,
        name: &KeyName,
        key: &SigningKey,
        timestamp: u64,
    ) -> Result<(), NoteError> {
        if timestamp > i64::MAX as u64 {
            return Err(NoteError::Timestamp(timestamp));
        }
        let sig = key.sign(&cosignature_message(timestamp, &self.text));
        let mut signature = Vec::with_capacity(8 + ED25519_SIG_LEN);
        signature.extend_from_slice(&timestamp.to_be_bytes());
        signature.extend_from_slice(&sig.0);
        self.push_signature(NoteSignature {
            name: name.clone(),
            key_id: KeyId::compute(name, COSIGNATURE_V1_SIGNATURE_TYPE, key.public().as_bytes()),
            signature,
        })
    }

    /// Checks the note against a verifier key (signed-note §Signatures): signature lines with
    /// another name or key ID are ignored; at least one line must carry the key's name and
    /// ID, and every such line must verify (`verify_strict`). A cosignature key checks
    /// cosignatures; see [`Note::verify_cosignature`] for their timestamp.
    pub fn verify(&self, key: &VerifierKey) -> Result<(), NoteVerifyError> {
        self.check(key).map(|_| ())
    }

    /// Checks a `cosignature/v1` by a witness key and returns its timestamp (the first one
    /// if the witness signed more than once).
    pub fn verify_cosignature(&self, key: &VerifierKey) -> Result<u64, NoteVerifyError> {
        if key.kind != KeyKind::CosignatureV1 {
            return Err(NoteVerifyError::WrongKind {
                name: key.name.clone(),
                expected: "cosignature/v1",
            });
        }
        match self.check(key)? {
            Some(t) => Ok(t),
            None => Err(NoteVerifyError::NoSignature {
                name: key.name.clone(),
                key_id: key.id,
            }),
        }
    }

    /// Verifies every line by `key`; returns the first cosignature timestamp, if any.
    fn check(&self, key: &VerifierKey) -> Result<Option<u64>, NoteVerifyError> {
        let bad = || NoteVerifyError::BadSignature {
            name: key.name.clone(),
            key_id: key.id,
        };
        let mut found = false;
        let mut first_timestamp = None;
        for sig in &self.signatures {
            if sig.name != key.name || sig.key_id != key.id {
                continue;
            }
            found = true;
            let (message, sig_bytes, timestamp) = match key.kind {
                KeyKind::Ed25519 => (
                    Cow::Borrowed(self.text.as_bytes()),
                    sig.signature.as_slice(),
                    None,
                ),
                KeyKind::CosignatureV1 => {
                    let (ts, rest) = sig.signature.split_first_chunk::<8>().ok_or_else(bad)?;
                    let ts = u64::from_be_bytes(*ts);
                    if ts > i64::MAX as u64 {
                        return Err(bad());
                    }
                    (
                        Cow::Owned(cosignature_message(ts, &self.text)),
                        rest,
                        Some(ts),
                    )
                }
            };
            let sig_bytes: [u8; ED25519_SIG_LEN] = sig_bytes.try_into().map_err(|_| bad())?;
            let signature = ed25519_dalek::Signature::from_bytes(&sig_bytes);
            key.verifying
                .verify_strict(&message, &signature)
                .map_err(|_| bad())?;
            if first_timestamp.is_none() {
                first_timestamp = timestamp;
            }
        }
        if !found {
            return Err(NoteVerifyError::NoSignature {
                name: key.name.clone(),
                key_id: key.id,
            });
        }
        Ok(first_timestamp)
    }
}

impl fmt::Display for Note {
    /// The note: text, a blank line, one line per signature (each ending in a newline).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        f.write_str("\n")?;
        for sig in &self.signatures {
            f.write_str(&sig.to_line())?;
            f.write_str("\n")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
