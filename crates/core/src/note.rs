//! C2SP signed notes (<https://c2sp.org/signed-note>) with Ed25519 signatures, verifier keys,
//! and C2SP Ed25519 witness cosignatures (<https://c2sp.org/tlog-cosignature>,
//! `cosignature/v1`). See docs/FORMAT.md, "Signed notes".
//!
//! A note is UTF-8 text ending in a newline, a blank line, then one or more signature lines
//! `— <key name> <base64(key ID || signature)>` (em dash U+2014, space, name, space, base64,
//! newline). The text has no ASCII control characters but newline, and it is separated from
//! the signatures by the last blank line.

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

/// A name that is not a valid signed-note key name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyNameError {
    /// The name is empty.
    #[error("a key name must not be empty")]
    Empty,
    /// The name holds a Unicode space or a control character.
    #[error("a key name must not contain spaces or control characters")]
    Space,
    /// The name holds a `+`.
    #[error("a key name must not contain '+'")]
    Plus,
}

/// A signed-note key name: non-empty, no Unicode spaces, no `+` (signed-note §Format), and no
/// control characters (a note may not contain them).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyName(String);

impl KeyName {
    /// Validates `name`.
    pub fn new(name: impl Into<String>) -> Result<Self, KeyNameError> {
        let name = name.into();
        if name.is_empty() {
            return Err(KeyNameError::Empty);
        }
        if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(KeyNameError::Space);
        }
        if name.contains('+') {
            return Err(KeyNameError::Plus);
        }
        Ok(Self(name))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&Origin> for KeyName {
    /// A log origin is always a valid key name: [`Origin`] only admits printable ASCII
    /// without spaces or `+`.
    fn from(origin: &Origin) -> Self {
        Self(origin.as_str().to_owned())
    }
}

impl fmt::Display for KeyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A 4-byte signed-note key ID, shown as 8 lower-case hex digits:
/// `SHA-256(key name || 0x0A || signature type || public key)[:4]` (signed-note §Signatures).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId(pub [u8; 4]);

impl KeyId {
    /// Computes the key ID of a key: `SHA-256(name || 0x0A || sig_type || public_key)[:4]`.
    pub fn compute(name: &KeyName, sig_type: u8, public_key: &[u8]) -> Self {
        let mut h = Sha256::new();
        h.update(name.as_str().as_bytes());
        h.update([b'\n', sig_type]);
        h.update(public_key);
        let digest: [u8; 32] = h.finalize().into();
        Self([digest[0], digest[1], digest[2], digest[3]])
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}
impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// Which kind of signature a verifier key checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyKind {
    /// Ed25519 over the note text, type `0x01` (signed-note §Ed25519 signatures): logs.
    Ed25519,
    /// Timestamped Ed25519 `cosignature/v1`, type `0x04` (tlog-cosignature): witnesses.
    CosignatureV1,
}

impl KeyKind {
    /// The signature type byte.
    pub fn type_byte(self) -> u8 {
        match self {
            KeyKind::Ed25519 => ED25519_SIGNATURE_TYPE,
            KeyKind::CosignatureV1 => COSIGNATURE_V1_SIGNATURE_TYPE,
        }
    }
}

/// Why a verifier key string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifierKeyError {
    /// Not `name+keyid+key`.
    #[error("a verifier key has the form <name>+<8 hex digits>+<base64 key>")]
    Format,
    /// The name part is not a valid key name.
    #[error("invalid key name in verifier key: {0}")]
    Name(#[from] KeyNameError),
    /// The key ID is not 8 lower-case hex digits.
    #[error("the key ID of a verifier key must be 8 lower-case hex digits")]
    KeyIdHex,
    /// The key part is not standard base64.
    #[error("the key of a verifier key must be standard base64 with padding")]
    Base64,
    /// A signature type other than Ed25519 (0x01) or cosignature/v1 (0x04).
    #[error("unsupported signature type 0x{0:02x} (supported: 0x01 Ed25519, 0x04 cosignature/v1)")]
    UnsupportedType(u8),
    /// The key is not a 32-byte, non-weak Ed25519 public key.
    #[error("not a valid Ed25519 public key")]
    PublicKey,
    /// The key ID does not match the name and key.
    #[error("key ID {given} does not match the name and key (expected {expected})")]
    KeyIdMismatch {
        /// The key ID in the string.
        given: KeyId,
        /// The key ID computed from the name and key.
        expected: KeyId,
    },
}

/// A note verifier key (signed-note verifier key form): a key name, a kind and an Ed25519
/// public key. Its text form is `name+hex(key ID)+base64(type byte || 32-byte public key)`,
/// e.g. `example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx`.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifierKey {
    name: KeyName,
    kind: KeyKind,
    public: PublicKey,
    id: KeyId,
    verifying: ed25519_dalek::VerifyingKey,
}

impl VerifierKey {
    /// A verifier key for `public` under `name`.
    pub fn new(name: KeyName, kind: KeyKind, public: PublicKey) -> Result<Self, VerifierKeyError> {
        let verifying = public
            .verifying_key()
            .map_err(|_| VerifierKeyError::PublicKey)?;
        let id = KeyId::compute(&name, kind.type_byte(), public.as_bytes());
        Ok(Self {
            name,
            kind,
            public,
            id,
            verifying,
        })
    }

    /// The verifier key of a signing key.
    pub fn from_signing_key(
        name: KeyName,
        kind: KeyKind,
        key: &SigningKey,
    ) -> Result<Self, VerifierKeyError> {
        Self::new(name, kind, key.public())
    }

    /// Parses `name+hex(key ID)+base64(type || key)`. The key ID must be the one computed from
    /// the name and key; the key must be a valid, non-weak Ed25519 point.
    pub fn parse(s: &str) -> Result<Self, VerifierKeyError> {
        // The base64 part may itself contain '+', so split into at most three parts.
        let mut parts = s.splitn(3, '+');
        let (Some(name), Some(id_hex), Some(key_b64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(VerifierKeyError::Format);
        };
        let name = KeyName::new(name)?;
        if id_hex.len() != 8
            || !id_hex
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(VerifierKeyError::KeyIdHex);
        }
        let mut given = [0u8; 4];
        hex::decode_to_slice(id_hex, &mut given).map_err(|_| VerifierKeyError::KeyIdHex)?;
        if key_b64.len() > 64 {
            return Err(VerifierKeyError::PublicKey);
        }
        let raw = base64::engine::general_purpose::STANDARD
            .decode(key_b64)
            .map_err(|_| VerifierKeyError::Base64)?;
        let (&type_byte, key) = raw.split_first().ok_or(VerifierKeyError::PublicKey)?;
        let kind = match type_byte {
            ED25519_SIGNATURE_TYPE => KeyKind::Ed25519,
            COSIGNATURE_V1_SIGNATURE_TYPE => KeyKind::CosignatureV1,
            other => return Err(VerifierKeyError::UnsupportedType(other)),
        };
        let key: [u8; 32] = key.try_into().map_err(|_| VerifierKeyError::PublicKey)?;
        let public = PublicKey::try_from_bytes(key).map_err(|_| VerifierKeyError::PublicKey)?;
        let vk = Self::new(name, kind, public)?;
        if vk.id.0 != given {
            return Err(VerifierKeyError::KeyIdMismatch {
                given: KeyId(given),
                expected: vk.id,
            });
        }
        Ok(vk)
    }

    /// The key name.
    pub fn name(&self) -> &KeyName {
        &self.name
    }

    /// The kind of signature it checks.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The Ed25519 public key.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// The key ID.
    pub fn id(&self) -> KeyId {
        self.id
    }
}

impl fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut raw = Vec::with_capacity(33);
        raw.push(self.kind.type_byte());
        raw.extend_from_slice(self.public.as_bytes());
        let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
        write!(f, "{}+{}+{}", self.name, self.id, b64)
    }
}

impl fmt::Debug for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifierKey({self})")
    }
}

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
mod tests {
    use super::*;

    fn name(s: &str) -> KeyName {
        KeyName::new(s).unwrap()
    }

    #[test]
    fn spec_example_key_id() {
        // The verifier key of tessera's test log (tests/vectors/tessera-log/README.md).
        let vk = VerifierKey::parse(
            "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",
        )
        .unwrap();
        assert_eq!(vk.id().to_string(), "33d7b496");
        assert_eq!(vk.kind(), KeyKind::Ed25519);
        assert_eq!(
            vk.to_string(),
            "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx"
        );
    }

    #[test]
    fn verifier_key_rejects_malformed() {
        let good = "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx";
        for bad in [
            "",
            "name",
            "name+33d7b496",
            "example.com/log/testdata+33d7b497+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",
            "example.com/log/testdata+33D7B496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",
            "example.com/log/testdata+33d7b4+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",
            "example.com/log/testdatb+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",
            "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkS",
            "example.com/log/testdata+33d7b496+AuHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",
            "exa mple+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",
            "+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",
        ] {
            assert!(VerifierKey::parse(bad).is_err(), "{bad:?}");
        }
        assert!(VerifierKey::parse(good).is_ok());
        assert!(VerifierKey::parse(&format!("{good}\n")).is_err());
        // Weak key: the identity point, with a matching key ID.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let mut raw = vec![1u8];
        raw.extend_from_slice(&identity);
        let id = KeyId::compute(&name("w"), 1, &identity);
        let s = format!(
            "w+{id}+{}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        );
        assert_eq!(VerifierKey::parse(&s), Err(VerifierKeyError::PublicKey));
    }

    #[test]
    fn sign_verify_round_trip() {
        let key = SigningKey::from_seed(&[7; 32]);
        let n = name("example.org/log");
        let vk = VerifierKey::from_signing_key(n.clone(), KeyKind::Ed25519, &key).unwrap();
        assert_eq!(VerifierKey::parse(&vk.to_string()).unwrap(), vk);
        let mut note = Note::new("hello\n\nworld\n").unwrap();
        note.sign(&n, &key).unwrap();
        let text = note.to_string();
        assert!(text.starts_with("hello\n\nworld\n\n\u{2014} example.org/log "));
        let parsed = Note::parse(&text).unwrap();
        assert_eq!(parsed, note);
        assert_eq!(parsed.text(), "hello\n\nworld\n");
        parsed.verify(&vk).unwrap();

        // A wrong key with the same name: its key ID differs, so the note has no signature
        // by it.
        let other = SigningKey::from_seed(&[8; 32]);
        let other_vk = VerifierKey::from_signing_key(n.clone(), KeyKind::Ed25519, &other).unwrap();
        assert!(matches!(
            parsed.verify(&other_vk),
            Err(NoteVerifyError::NoSignature { .. })
        ));

        // A tampered body.
        let tampered = Note::parse(&text.replacen("world", "w0rld", 1)).unwrap();
        assert!(matches!(
            tampered.verify(&vk),
            Err(NoteVerifyError::BadSignature { .. })
        ));

        // Unknown signatures are ignored; a bad one by the known key rejects the note.
        let mut with_unknown = parsed.clone();
        with_unknown.sign(&name("someone.else"), &other).unwrap();
        with_unknown.verify(&vk).unwrap();
        let mut with_bad = parsed.clone();
        let mut forged = parsed.signatures()[0].clone();
        forged.signature[0] ^= 1;
        with_bad.push_signature(forged).unwrap();
        assert!(matches!(
            with_bad.verify(&vk),
            Err(NoteVerifyError::BadSignature { .. })
        ));
    }

    #[test]
    fn cosignature_round_trip() {
        let log = SigningKey::from_seed(&[1; 32]);
        let witness = SigningKey::from_seed(&[2; 32]);
        let wname = name("witness.example/w1");
        let wvk =
            VerifierKey::from_signing_key(wname.clone(), KeyKind::CosignatureV1, &witness).unwrap();
        let mut note =
            Note::new("example.org/log\n3\nrKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=\n")
                .unwrap();
        note.sign(&name("example.org/log"), &log).unwrap();
        note.cosign(&wname, &witness, 1_679_315_147).unwrap();
        let parsed = Note::parse(&note.to_string()).unwrap();
        assert_eq!(parsed.verify_cosignature(&wvk).unwrap(), 1_679_315_147);
        parsed.verify(&wvk).unwrap();
        let raw = &parsed.signatures()[1];
        assert_eq!(raw.key_id, wvk.id());
        assert_eq!(raw.signature.len(), 8 + 64);
        assert_eq!(&raw.signature[..8], &1_679_315_147u64.to_be_bytes());
        // The same Ed25519 key as a plain note key has another key ID: no signature.
        let plain =
            VerifierKey::from_signing_key(wname.clone(), KeyKind::Ed25519, &witness).unwrap();
        assert!(matches!(
            parsed.verify(&plain),
            Err(NoteVerifyError::NoSignature { .. })
        ));
        assert!(matches!(
            parsed.verify_cosignature(&plain),
            Err(NoteVerifyError::WrongKind { .. })
        ));
        // A changed timestamp breaks the signature.
        let mut bumped = parsed.clone();
        bumped.signatures[1].signature[7] ^= 1;
        assert!(matches!(
            bumped.verify_cosignature(&wvk),
            Err(NoteVerifyError::BadSignature { .. })
        ));
        assert_eq!(
            note.cosign(&wname, &witness, u64::MAX),
            Err(NoteError::Timestamp(u64::MAX))
        );
        assert_eq!(
            cosignature_message(5, "a\n"),
            b"cosignature/v1\ntime 5\na\n".to_vec()
        );
    }

    #[test]
    fn malformed_notes_are_errors() {
        let key = SigningKey::from_seed(&[3; 32]);
        let mut note = Note::new("body\n").unwrap();
        note.sign(&name("n"), &key).unwrap();
        let good = note.to_string();
        let sig_b64 = good.rsplit(' ').next().unwrap().trim_end().to_owned();
        let cases: Vec<String> = vec![
            String::new(),
            "body\n".into(),
            "body\n\n".into(),
            good.trim_end_matches('\n').into(),
            good.replace('\u{2014}', "-"),
            good.replace("\u{2014} n ", "\u{2014} n  "),
            good.replace("\u{2014} n ", "\u{2014}  n "),
            good.replace("\u{2014} n ", "\u{2014} n+x "),
            good.replace(&sig_b64, "AAAA"),
            good.replace(&sig_b64, "!!!!"),
            good.replace(&sig_b64, sig_b64.trim_end_matches('=')),
            good.replace("body", "bo\rdy"),
            good.replace("body", "bo\tdy"),
            format!("{good}\n"),
            format!("{good}garbage\n"),
            "x".repeat(MAX_NOTE_BYTES + 1),
        ];
        for c in &cases {
            assert!(Note::parse(c).is_err(), "{c:?}");
        }
        assert!(Note::parse_bytes(b"\xff\n\n\xe2\x80\x94 n AAAAAAA=\n").is_err());
        let many = format!(
            "body\n\n{}",
            format!("\u{2014} n {sig_b64}\n").repeat(MAX_SIGNATURES + 1)
        );
        assert_eq!(
            Note::parse(&many),
            Err(NoteError::TooManySignatures(MAX_SIGNATURES))
        );
        assert!(Note::new("no newline").is_err());
        assert!(Note::new("").is_err());
        assert!(Note::new("a\u{7}\n").is_err());
        assert!(KeyName::new("a\u{a0}b").is_err());
        assert!(KeyName::new("a b").is_err());
        assert!(KeyName::new("").is_err());
        assert!(KeyName::new("a+b").is_err());
        assert!(KeyName::new("é.example/x").is_ok());
    }
}
