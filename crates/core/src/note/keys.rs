//! Signed-note key names, key IDs and verifier keys (C2SP signed-note, "Verifier keys").

use super::*;

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
    pub(super) name: KeyName,
    pub(super) kind: KeyKind,
    pub(super) public: PublicKey,
    pub(super) id: KeyId,
    pub(super) verifying: ed25519_dalek::VerifyingKey,
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
