//! Signing keys and the key file format (docs/FORMAT.md §6).
//!
//! A key file is ASCII text: the line `actledger-ed25519-secret-key-v1`, then the standard
//! base64 (RFC 4648 §4, with padding) of the 32-byte Ed25519 seed (RFC 8032 §5.1.5), then a
//! newline. The secret is zeroized on drop and never shown by `Debug` or `Display`.

use base64::Engine as _;
use ed25519_dalek::Signer as _;
use zeroize::Zeroizing;

use crate::types::{PublicKey, Signature};

/// First line of a key file.
pub const KEY_FILE_HEADER: &str = "actledger-ed25519-secret-key-v1";

/// Why a key file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFileError {
    /// The first line is not the expected header.
    #[error("not an actledger key file (first line must be `{KEY_FILE_HEADER}`)")]
    Header,
    /// The secret line is not base64 of 32 bytes.
    #[error("malformed secret line (expected base64 of a 32-byte Ed25519 seed)")]
    Secret,
    /// Extra content after the secret.
    #[error("unexpected content after the secret line")]
    Trailing,
}

/// An Ed25519 signing key. Zeroized on drop (ed25519-dalek's `ZeroizeOnDrop`); `Debug` shows
/// only the public key.
pub struct SigningKey(ed25519_dalek::SigningKey);

impl SigningKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Self {
        Self(ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng))
    }

    /// From a 32-byte seed (tests and vectors).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self(ed25519_dalek::SigningKey::from_bytes(seed))
    }

    /// The public key.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key().to_bytes())
    }

    /// Signs `message` (RFC 8032 Ed25519).
    pub fn sign(&self, message: &[u8]) -> Signature {
        Signature(self.0.sign(message).to_bytes())
    }

    /// The key file contents. The returned buffer is zeroized on drop.
    pub fn to_key_file(&self) -> Zeroizing<String> {
        let seed = Zeroizing::new(self.0.to_bytes());
        let b64 = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(*seed));
        Zeroizing::new(format!("{KEY_FILE_HEADER}\n{}\n", b64.as_str()))
    }

    /// Parses key file contents.
    pub fn from_key_file(text: &str) -> Result<Self, KeyFileError> {
        let mut lines = text.lines();
        if lines.next().map(str::trim_end) != Some(KEY_FILE_HEADER) {
            return Err(KeyFileError::Header);
        }
        let secret = lines.next().map(str::trim).ok_or(KeyFileError::Secret)?;
        if lines.any(|l| !l.trim().is_empty()) {
            return Err(KeyFileError::Trailing);
        }
        let bytes = Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(secret)
                .map_err(|_| KeyFileError::Secret)?,
        );
        let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
            bytes
                .as_slice()
                .try_into()
                .map_err(|_| KeyFileError::Secret)?,
        );
        Ok(Self::from_seed(&seed))
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("public", &self.public())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_round_trip_and_debug_hides_secret() {
        let k = SigningKey::generate();
        let file = k.to_key_file();
        let k2 = SigningKey::from_key_file(&file).unwrap();
        assert_eq!(k.public(), k2.public());
        let secret_line = file.lines().nth(1).unwrap().to_string();
        assert!(!format!("{k:?}").contains(&secret_line));
        assert!(SigningKey::from_key_file("nope\n").is_err());
        assert!(SigningKey::from_key_file(&format!("{KEY_FILE_HEADER}\nAAAA\n")).is_err());
        assert!(SigningKey::from_key_file(&format!("{}extra\n", file.as_str())).is_err());
    }
}
