//! C2SP checkpoints (<https://c2sp.org/tlog-checkpoint>): the signed tree head of the log, as
//! the text of a [signed note](crate::note). See docs/FORMAT.md, "Checkpoints".
//!
//! The note text is, each line ending in a newline (U+000A):
//!
//! ```text
//! <origin>
//! <tree size, ASCII decimal, no leading zeros>
//! <root hash, standard base64 with padding>
//! [<extension line>...]
//! ```

use std::fmt;

use crate::keys::SigningKey;
use crate::merkle::{Hash, HashParseError};
use crate::note::{KeyName, Note, NoteError, NoteVerifyError, VerifierKey};

/// Why a checkpoint was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The note around it is malformed.
    #[error("malformed checkpoint note: {0}")]
    Note(#[from] NoteError),
    /// The note's signature by the log key is missing or invalid.
    #[error("checkpoint signature: {0}")]
    Signature(#[from] NoteVerifyError),
    /// The body lacks a mandatory line.
    #[error("checkpoint body must have an origin, a size and a root hash line")]
    MissingLine,
    /// The body does not end in a newline.
    #[error("checkpoint body must end with a newline")]
    NoFinalNewline,
    /// The origin line is empty.
    #[error("checkpoint origin must not be empty")]
    EmptyOrigin,
    /// A line holds a control character.
    #[error("checkpoint lines must not contain control characters")]
    ControlCharacter,
    /// The size line is not a canonical decimal `u64`.
    #[error("checkpoint size {} is not a decimal number without leading zeros", crate::error::quoted(.0))]
    Size(String),
    /// The root line is not the base64 of a 32-byte hash.
    #[error("checkpoint root hash: {0}")]
    Root(#[from] HashParseError),
    /// An extension line is empty.
    #[error("checkpoint extension lines must not be empty")]
    EmptyExtension,
    /// The origin differs from the one expected.
    #[error("checkpoint origin is {}, expected {}", crate::error::quoted(.found), crate::error::quoted(.expected))]
    OriginMismatch {
        /// The origin expected by the verifier.
        expected: String,
        /// The origin in the checkpoint.
        found: String,
    },
}

/// A checkpoint body (tlog-checkpoint §Note text): origin, tree size, root hash and
/// optional extension lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    origin: String,
    size: u64,
    root: Hash,
    extensions: Vec<String>,
}

fn check_line(line: &str) -> Result<(), CheckpointError> {
    if line.chars().any(char::is_control) {
        return Err(CheckpointError::ControlCharacter);
    }
    Ok(())
}

/// Parses a canonical ASCII decimal `u64`: digits only, no sign, no leading zeros but `0`.
pub(crate) fn parse_decimal(s: &str) -> Option<u64> {
    let canonical =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    if canonical {
        s.parse().ok()
    } else {
        None
    }
}

impl Checkpoint {
    /// A checkpoint without extension lines. The origin must be non-empty and hold no
    /// control characters (including newlines).
    pub fn new(origin: impl Into<String>, size: u64, root: Hash) -> Result<Self, CheckpointError> {
        Self::with_extensions(origin, size, root, Vec::new())
    }

    /// A checkpoint with extension lines (each non-empty, no control characters). The spec
    /// advises against extension lines; this crate never writes any.
    pub fn with_extensions(
        origin: impl Into<String>,
        size: u64,
        root: Hash,
        extensions: Vec<String>,
    ) -> Result<Self, CheckpointError> {
        let origin = origin.into();
        if origin.is_empty() {
            return Err(CheckpointError::EmptyOrigin);
        }
        check_line(&origin)?;
        for e in &extensions {
            if e.is_empty() {
                return Err(CheckpointError::EmptyExtension);
            }
            check_line(e)?;
        }
        Ok(Self {
            origin,
            size,
            root,
            extensions,
        })
    }

    /// The origin line.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The tree size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root hash at that size.
    pub fn root(&self) -> &Hash {
        &self.root
    }

    /// The extension lines (usually none).
    pub fn extensions(&self) -> &[String] {
        &self.extensions
    }

    /// The note text: `origin\nsize\nbase64(root)\n` then each extension line and `\n`.
    pub fn to_body(&self) -> String {
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            self.root.to_base64()
        );
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    /// Parses a note text strictly: at least three lines each ending in `\n`, a non-empty
    /// origin, a decimal size without leading zeros (`0` for the empty tree) that fits in a
    /// `u64`, the standard base64 (with padding) of a 32-byte root, then non-empty extension
    /// lines.
    pub fn parse_body(text: &str) -> Result<Self, CheckpointError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::NoFinalNewline)?;
        let mut lines = body.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(CheckpointError::MissingLine);
        };
        let size = parse_decimal(size)
            .ok_or_else(|| CheckpointError::Size(size.chars().take(40).collect()))?;
        let root = Hash::from_base64(root)?;
        Self::with_extensions(origin, size, root, lines.map(str::to_owned).collect())
    }

    /// A note holding this checkpoint, signed by the log key under `name` (signed-note Ed25519,
    /// key type `0x01`). The log's key name should be its origin.
    pub fn sign(&self, name: &KeyName, key: &SigningKey) -> Result<Note, CheckpointError> {
        let mut note = Note::new(self.to_body())?;
        note.sign(name, key)?;
        Ok(note)
    }

    /// Parses the body of a note, without checking any signature.
    pub fn from_note(note: &Note) -> Result<Self, CheckpointError> {
        Self::parse_body(note.text())
    }

    /// Parses a signed checkpoint, checks it is signed by `log_key` (other signatures, such
    /// as witness cosignatures, are ignored) and that its origin is `origin`.
    pub fn open(
        text: &str,
        origin: &str,
        log_key: &VerifierKey,
    ) -> Result<SignedCheckpoint, CheckpointError> {
        SignedCheckpoint::verify(Note::parse(text)?, origin, log_key)
    }
}

impl fmt::Display for Checkpoint {
    /// The note text ([`Checkpoint::to_body`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_body())
    }
}

/// A checkpoint whose note was verified against a log key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    checkpoint: Checkpoint,
    note: Note,
}

impl SignedCheckpoint {
    /// Verifies `note` with `log_key`, parses its body and checks the origin.
    pub fn verify(
        note: Note,
        origin: &str,
        log_key: &VerifierKey,
    ) -> Result<Self, CheckpointError> {
        note.verify(log_key)?;
        let checkpoint = Checkpoint::from_note(&note)?;
        if checkpoint.origin != origin {
            return Err(CheckpointError::OriginMismatch {
                expected: origin.to_owned(),
                found: checkpoint.origin,
            });
        }
        Ok(Self { checkpoint, note })
    }

    /// The checkpoint.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// The signed note, with all its signatures.
    pub fn note(&self) -> &Note {
        &self.note
    }

    /// Both parts.
    pub fn into_parts(self) -> (Checkpoint, Note) {
        (self.checkpoint, self.note)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{empty_root, leaf_hash};
    use crate::note::KeyKind;

    #[test]
    fn body_round_trip() {
        let c = Checkpoint::new("example.org/log", 15, leaf_hash(b"x")).unwrap();
        let body = c.to_body();
        assert_eq!(
            body,
            format!("example.org/log\n15\n{}\n", leaf_hash(b"x").to_base64())
        );
        assert_eq!(Checkpoint::parse_body(&body).unwrap(), c);
        let e = Checkpoint::with_extensions("o", 0, empty_root(), vec!["ext one".into()]).unwrap();
        assert_eq!(Checkpoint::parse_body(&e.to_body()).unwrap(), e);
    }

    #[test]
    fn strict_body() {
        let r = empty_root().to_base64();
        for bad in [
            String::new(),
            "o\n0\n".to_string(),
            format!("o\n0\n{r}"),
            format!("\n0\n{r}\n"),
            format!("o\n00\n{r}\n"),
            format!("o\n01\n{r}\n"),
            format!("o\n+1\n{r}\n"),
            format!("o\n-1\n{r}\n"),
            format!("o\n 1\n{r}\n"),
            format!("o\n18446744073709551616\n{r}\n"),
            format!("o\n1\n{}\n", r.trim_end_matches('=')),
            format!("o\n1\n{}\n", &r[..40]),
            format!("o\n1\n{r} \n"),
            format!("o\n1\n{r}\n\n"),
            format!("o\n1\n{r}\next\n\n"),
            format!("o\r\n1\n{r}\n"),
        ] {
            assert!(Checkpoint::parse_body(&bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            Checkpoint::parse_body(&format!("o\n18446744073709551615\n{r}\n"))
                .unwrap()
                .size(),
            u64::MAX
        );
        assert!(Checkpoint::new("", 0, empty_root()).is_err());
        assert!(Checkpoint::new("a\nb", 0, empty_root()).is_err());
    }

    #[test]
    fn sign_open_wrong_key_tampered() {
        let key = SigningKey::from_seed(&[9; 32]);
        let name = KeyName::new("example.org/log").unwrap();
        let vk = VerifierKey::from_signing_key(name.clone(), KeyKind::Ed25519, &key).unwrap();
        let c = Checkpoint::new("example.org/log", 3, leaf_hash(b"r")).unwrap();
        let text = c.sign(&name, &key).unwrap().to_string();
        let opened = Checkpoint::open(&text, "example.org/log", &vk).unwrap();
        assert_eq!(opened.checkpoint(), &c);
        assert!(matches!(
            Checkpoint::open(&text, "example.org/other", &vk),
            Err(CheckpointError::OriginMismatch { .. })
        ));
        let other = SigningKey::from_seed(&[10; 32]);
        let other_vk = VerifierKey::from_signing_key(name, KeyKind::Ed25519, &other).unwrap();
        assert!(matches!(
            Checkpoint::open(&text, "example.org/log", &other_vk),
            Err(CheckpointError::Signature(
                NoteVerifyError::NoSignature { .. }
            ))
        ));
        let tampered = text.replacen("\n3\n", "\n4\n", 1);
        assert!(matches!(
            Checkpoint::open(&tampered, "example.org/log", &vk),
            Err(CheckpointError::Signature(
                NoteVerifyError::BadSignature { .. }
            ))
        ));
        assert!(Checkpoint::open("garbage", "example.org/log", &vk).is_err());
    }
}
