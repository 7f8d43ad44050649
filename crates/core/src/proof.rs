//! Offline-verifiable proofs: the C2SP `tlog-proof@v1` text format
//! (<https://c2sp.org/tlog-proof>) for inclusion, and a plain text form for consistency
//! proofs between two checkpoints (RFC 9162 §2.1.4). See docs/FORMAT.md, "Proofs".
//!
//! A `tlog-proof@v1` is a sequence of newline-terminated lines:
//!
//! ```text
//! c2sp.org/tlog-proof@v1
//! extra <standard base64 of the entry bytes>        (optional)
//! index <zero-based leaf index, decimal, no leading zeros>
//! <base64 hash>                                       (zero or more: the audit path,
//! ...                                                  leaf's sibling first)
//!                                                     (an empty line)
//! <the signed checkpoint note, verbatim>
//! ```
//!
//! In this project the `extra` line always carries the entry: the stored event bytes whose
//! leaf hash the proof shows. The spec calls it unauthenticated; [`TlogProof::verify`]
//! authenticates it by hashing it into the leaf that the proof and checkpoint commit to.

use std::fmt;

use base64::Engine as _;

use crate::checkpoint::{parse_decimal, Checkpoint, CheckpointError, SignedCheckpoint};
use crate::merkle::{
    empty_root, leaf_hash, verify_consistency, verify_inclusion, ConsistencyError, Hash,
    HashParseError, InclusionError,
};
use crate::note::{Note, VerifierKey, MAX_NOTE_BYTES};

/// First line of a proof.
pub const TLOG_PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";

/// The largest `extra` payload accepted, in bytes: one log entry (entry bundles of C2SP
/// tlog-tiles prefix entries with a `u16` length).
pub const MAX_EXTRA_BYTES: usize = 65_535;

/// The most hashes in an inclusion proof: one per level of a tree of fewer than 2^64 leaves.
pub const MAX_INCLUSION_HASHES: usize = 64;

/// The most hashes accepted in a consistency proof (at most two per level).
pub const MAX_CONSISTENCY_HASHES: usize = 128;

/// Length of the base64 of [`MAX_EXTRA_BYTES`] bytes.
const MAX_EXTRA_BASE64: usize = MAX_EXTRA_BYTES.div_ceil(3) * 4;

/// The largest proof text accepted, in bytes: the header line, the `extra` line, the `index`
/// line (at most 20 digits), [`MAX_INCLUSION_HASHES`] hash lines, the empty line and a note.
pub const MAX_PROOF_BYTES: usize = TLOG_PROOF_HEADER.len()
    + 1
    + "extra ".len()
    + MAX_EXTRA_BASE64
    + 1
    + "index ".len()
    + 20
    + 1
    + MAX_INCLUSION_HASHES * 45
    + 1
    + MAX_NOTE_BYTES;

/// Why proof text is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofFormatError {
    /// Over [`MAX_PROOF_BYTES`].
    #[error("proof is {len} bytes, over the {max}-byte limit")]
    TooLarge {
        /// Length of the input.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The first line is not [`TLOG_PROOF_HEADER`].
    #[error("not a tlog proof: the first line must be `{TLOG_PROOF_HEADER}`")]
    Header,
    /// The `extra` line is not standard base64, or too long.
    #[error("the extra line must be `extra <standard base64>` of at most {MAX_EXTRA_BYTES} bytes")]
    Extra,
    /// The `index` line is missing or not canonical decimal.
    #[error("expected a line `index <decimal without leading zeros>`")]
    Index,
    /// A hash line is not the base64 of 32 bytes.
    #[error("proof hash on line {line}: {source}")]
    Hash {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        #[source]
        source: HashParseError,
    },
    /// Too many hashes.
    #[error("a proof holds at most {0} hashes")]
    TooManyHashes(usize),
    /// A line does not end with a newline.
    #[error("line {0} does not end with a newline")]
    Unterminated(usize),
    /// The checkpoint note is malformed.
    #[error("checkpoint in proof: {0}")]
    Checkpoint(#[from] CheckpointError),
}

/// Why a proof does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofVerifyError {
    /// The checkpoint is not signed by the log key, or has another origin.
    #[error("checkpoint: {0}")]
    Checkpoint(#[from] CheckpointError),
    /// The proof carries no entry (`extra` line).
    #[error("the proof carries no entry (no extra line)")]
    NoEntry,
    /// The inclusion proof does not lead to the checkpoint's root.
    #[error("inclusion proof: {0}")]
    Inclusion(#[from] InclusionError),
    /// The two checkpoints are of different logs.
    #[error("checkpoints of different logs: {} and {}", crate::error::quoted(.old), crate::error::quoted(.new))]
    OriginMismatch {
        /// Origin of the old checkpoint.
        old: String,
        /// Origin of the new checkpoint.
        new: String,
    },
    /// The consistency proof does not hold.
    #[error("consistency proof: {0}")]
    Consistency(#[from] ConsistencyError),
}

/// A `c2sp.org/tlog-proof@v1` inclusion proof with its checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogProof {
    extra: Option<Vec<u8>>,
    index: u64,
    path: Vec<Hash>,
    note: Note,
    checkpoint: Checkpoint,
}

/// An entry proven to be in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedEntry {
    /// Its zero-based index (the event's sequence number).
    pub index: u64,
    /// Its bytes, from the proof's `extra` line.
    pub entry: Vec<u8>,
    /// The verified checkpoint that includes it.
    pub checkpoint: SignedCheckpoint,
}

/// Splits the next newline-terminated line off `rest`.
fn next_line<'a>(rest: &mut &'a str, line_no: &mut usize) -> Result<&'a str, ProofFormatError> {
    *line_no += 1;
    let (line, tail) = rest
        .split_once('\n')
        .ok_or(ProofFormatError::Unterminated(*line_no))?;
    *rest = tail;
    Ok(line)
}

impl TlogProof {
    /// Assembles a proof of leaf `index` with audit `path` under the signed checkpoint `note`,
    /// optionally carrying the entry bytes as `extra`.
    pub fn new(
        index: u64,
        path: Vec<Hash>,
        note: Note,
        extra: Option<Vec<u8>>,
    ) -> Result<Self, ProofFormatError> {
        if path.len() > MAX_INCLUSION_HASHES {
            return Err(ProofFormatError::TooManyHashes(MAX_INCLUSION_HASHES));
        }
        if extra.as_ref().is_some_and(|e| e.len() > MAX_EXTRA_BYTES) {
            return Err(ProofFormatError::Extra);
        }
        let checkpoint = Checkpoint::from_note(&note)?;
        Ok(Self {
            extra,
            index,
            path,
            note,
            checkpoint,
        })
    }

    /// Parses the text form strictly (see the module documentation): every line ends with a
    /// newline, base64 is standard with padding, the index has no leading zeros, at most
    /// [`MAX_INCLUSION_HASHES`] hashes, and the rest is a signed note with a checkpoint body.
    pub fn parse(text: &str) -> Result<Self, ProofFormatError> {
        if text.len() > MAX_PROOF_BYTES {
            return Err(ProofFormatError::TooLarge {
                len: text.len(),
                max: MAX_PROOF_BYTES,
            });
        }
        let mut rest = text;
        let mut n = 0;
        if next_line(&mut rest, &mut n)? != TLOG_PROOF_HEADER {
            return Err(ProofFormatError::Header);
        }
        let mut line = next_line(&mut rest, &mut n)?;
        let extra = match line.strip_prefix("extra ") {
            Some(b64) => {
                if b64.len() > MAX_EXTRA_BASE64 {
                    return Err(ProofFormatError::Extra);
                }
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .map_err(|_| ProofFormatError::Extra)?;
                line = next_line(&mut rest, &mut n)?;
                Some(bytes)
            }
            None => None,
        };
        let index = line
            .strip_prefix("index ")
            .and_then(parse_decimal)
            .ok_or(ProofFormatError::Index)?;
        let mut path = Vec::new();
        loop {
            let line = next_line(&mut rest, &mut n)?;
            if line.is_empty() {
                break;
            }
            if path.len() == MAX_INCLUSION_HASHES {
                return Err(ProofFormatError::TooManyHashes(MAX_INCLUSION_HASHES));
            }
            path.push(
                Hash::from_base64(line)
                    .map_err(|source| ProofFormatError::Hash { line: n, source })?,
            );
        }
        let note = Note::parse(rest).map_err(CheckpointError::from)?;
        Self::new(index, path, note, extra)
    }

    /// The entry bytes of the `extra` line, if any (not authenticated until verified).
    pub fn extra(&self) -> Option<&[u8]> {
        self.extra.as_deref()
    }

    /// The leaf index.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The audit path, leaf's sibling first.
    pub fn path(&self) -> &[Hash] {
        &self.path
    }

    /// The signed checkpoint note.
    pub fn note(&self) -> &Note {
        &self.note
    }

    /// The checkpoint body (not verified until [`TlogProof::verify`]).
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// Verifies the proof and returns the entry: the checkpoint must be signed by `log_key`
    /// with origin `origin`, and the leaf hash of the `extra` bytes must be at `index` in the
    /// tree of the checkpoint (RFC 9162 §2.1.3.2).
    pub fn verify(
        &self,
        origin: &str,
        log_key: &VerifierKey,
    ) -> Result<VerifiedEntry, ProofVerifyError> {
        let entry = self.extra.clone().ok_or(ProofVerifyError::NoEntry)?;
        let checkpoint = self.verify_leaf(&leaf_hash(&entry), origin, log_key)?;
        Ok(VerifiedEntry {
            index: self.index,
            entry,
            checkpoint,
        })
    }

    /// Verifies that `leaf` (a leaf hash) is at `index` under the checkpoint signed by
    /// `log_key` with origin `origin`, ignoring any `extra` line.
    pub fn verify_leaf(
        &self,
        leaf: &Hash,
        origin: &str,
        log_key: &VerifierKey,
    ) -> Result<SignedCheckpoint, ProofVerifyError> {
        let signed = SignedCheckpoint::verify(self.note.clone(), origin, log_key)?;
        let c = signed.checkpoint();
        verify_inclusion(leaf, self.index, c.size(), &self.path, c.root())?;
        Ok(signed)
    }
}

impl fmt::Display for TlogProof {
    /// The text form (see the module documentation).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{TLOG_PROOF_HEADER}")?;
        if let Some(extra) = &self.extra {
            writeln!(
                f,
                "extra {}",
                base64::engine::general_purpose::STANDARD.encode(extra)
            )?;
        }
        writeln!(f, "index {}", self.index)?;
        for h in &self.path {
            writeln!(f, "{}", h.to_base64())?;
        }
        writeln!(f)?;
        write!(f, "{}", self.note)
    }
}

/// The text form of a consistency proof: one standard-base64 hash per line, each line ending
/// in a newline, in RFC 9162 §2.1.4.1 order; the empty proof is the empty string.
pub fn format_consistency_proof(proof: &[Hash]) -> String {
    proof.iter().map(|h| h.to_base64() + "\n").collect()
}

/// Parses [`format_consistency_proof`] strictly: no blank lines, every line ends in a
/// newline, at most [`MAX_CONSISTENCY_HASHES`] hashes.
pub fn parse_consistency_proof(text: &str) -> Result<Vec<Hash>, ProofFormatError> {
    let mut rest = text;
    let mut n = 0;
    let mut proof = Vec::new();
    while !rest.is_empty() {
        if proof.len() == MAX_CONSISTENCY_HASHES {
            return Err(ProofFormatError::TooManyHashes(MAX_CONSISTENCY_HASHES));
        }
        let line = next_line(&mut rest, &mut n)?;
        proof.push(
            Hash::from_base64(line).map_err(|source| ProofFormatError::Hash { line: n, source })?,
        );
    }
    Ok(proof)
}

/// Checks that checkpoint `new` extends checkpoint `old` of the same log (RFC 9162 §2.1.4.2).
/// Both should already be verified ([`Checkpoint::open`]). Every tree extends the empty
/// tree: from size 0 the proof must be empty and the old root must be `SHA-256()`.
pub fn verify_checkpoint_consistency(
    old: &Checkpoint,
    new: &Checkpoint,
    proof: &[Hash],
) -> Result<(), ProofVerifyError> {
    if old.origin() != new.origin() {
        return Err(ProofVerifyError::OriginMismatch {
            old: old.origin().to_owned(),
            new: new.origin().to_owned(),
        });
    }
    if old.size() == 0 {
        if !proof.is_empty() {
            return Err(ConsistencyError::UnexpectedProof.into());
        }
        if *old.root() != empty_root() {
            return Err(ConsistencyError::OldRootMismatch.into());
        }
        return Ok(());
    }
    verify_consistency(old.size(), new.size(), proof, old.root(), new.root())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::keys::SigningKey;
    use crate::merkle::{consistency_proof, inclusion_proof, Frontier};
    use crate::note::{KeyKind, KeyName};

    struct Log {
        frontier: Frontier,
        nodes: HashMap<(u8, u64), Hash>,
        entries: Vec<Vec<u8>>,
    }

    fn log(n: usize) -> Log {
        let mut l = Log {
            frontier: Frontier::new(),
            nodes: HashMap::new(),
            entries: Vec::new(),
        };
        for i in 0..n {
            let e = format!("entry {i}").into_bytes();
            for node in l.frontier.append(leaf_hash(&e)).unwrap() {
                l.nodes.insert((node.level, node.index), node.hash);
            }
            l.entries.push(e);
        }
        l
    }

    fn setup() -> (SigningKey, KeyName, VerifierKey) {
        let key = SigningKey::from_seed(&[4; 32]);
        let name = KeyName::new("example.org/log").unwrap();
        let vk = VerifierKey::from_signing_key(name.clone(), KeyKind::Ed25519, &key).unwrap();
        (key, name, vk)
    }

    fn proof_for(l: &Log, index: u64, key: &SigningKey, name: &KeyName) -> TlogProof {
        let size = l.frontier.size();
        let note = Checkpoint::new("example.org/log", size, l.frontier.root())
            .unwrap()
            .sign(name, key)
            .unwrap();
        let read = |lv: u8, i: u64| l.nodes.get(&(lv, i)).copied().ok_or(());
        let path = inclusion_proof(index, size, read).unwrap();
        TlogProof::new(index, path, note, Some(l.entries[index as usize].clone())).unwrap()
    }

    #[test]
    fn round_trip_and_verify() {
        let (key, name, vk) = setup();
        let l = log(11);
        for i in 0..11 {
            let p = proof_for(&l, i, &key, &name);
            let text = p.to_string();
            assert!(text.starts_with("c2sp.org/tlog-proof@v1\nextra "));
            let parsed = TlogProof::parse(&text).unwrap();
            assert_eq!(parsed, p);
            let v = parsed.verify("example.org/log", &vk).unwrap();
            assert_eq!(v.entry, format!("entry {i}").into_bytes());
            assert_eq!(v.index, i);
            assert_eq!(v.checkpoint.checkpoint().size(), 11);
        }
    }

    #[test]
    fn tampering_is_detected() {
        let (key, name, vk) = setup();
        let l = log(7);
        let p = proof_for(&l, 3, &key, &name);
        let text = p.to_string();
        // Another entry in the extra line.
        let other = TlogProof::new(
            3,
            p.path().to_vec(),
            p.note().clone(),
            Some(b"entry 4".to_vec()),
        )
        .unwrap();
        assert!(matches!(
            other.verify("example.org/log", &vk),
            Err(ProofVerifyError::Inclusion(InclusionError::RootMismatch))
        ));
        // Another index.
        let moved = text.replace("index 3\n", "index 2\n");
        assert!(TlogProof::parse(&moved)
            .unwrap()
            .verify("example.org/log", &vk)
            .is_err());
        // A wrong key or origin.
        let wrong = VerifierKey::from_signing_key(
            name.clone(),
            KeyKind::Ed25519,
            &SigningKey::from_seed(&[5; 32]),
        )
        .unwrap();
        assert!(matches!(
            p.verify("example.org/log", &wrong),
            Err(ProofVerifyError::Checkpoint(_))
        ));
        assert!(matches!(
            p.verify("example.org/other", &vk),
            Err(ProofVerifyError::Checkpoint(_))
        ));
        // No extra.
        let bare = TlogProof::new(3, p.path().to_vec(), p.note().clone(), None).unwrap();
        assert_eq!(
            bare.verify("example.org/log", &vk),
            Err(ProofVerifyError::NoEntry)
        );
        bare.verify_leaf(&leaf_hash(b"entry 3"), "example.org/log", &vk)
            .unwrap();
        let bare_text = bare.to_string();
        assert!(bare_text.starts_with("c2sp.org/tlog-proof@v1\nindex 3\n"));
        assert_eq!(TlogProof::parse(&bare_text).unwrap(), bare);
    }

    #[test]
    fn malformed_proofs_are_errors() {
        let (key, name, _) = setup();
        let l = log(5);
        let good = proof_for(&l, 4, &key, &name).to_string();
        let first_hash = good.lines().nth(3).unwrap().to_owned();
        for bad in [
            String::new(),
            "c2sp.org/tlog-proof@v1".to_string(),
            good.replacen("c2sp.org/tlog-proof@v1", "c2sp.org/tlog-proof@v2", 1),
            good.replacen("index 4", "index 04", 1),
            good.replacen("index 4", "index -4", 1),
            good.replacen("index 4", "index  4", 1),
            good.replacen("index 4", "Index 4", 1),
            good.replacen("extra ", "extra  ", 1),
            good.replacen("extra ", "extra !", 1),
            good.replacen(&first_hash, &first_hash[1..], 1),
            good.replacen(&format!("{first_hash}\n"), &format!("{first_hash}\n\n"), 1),
            good.replacen("\n\nexample.org/log\n", "\nexample.org/log\n", 1),
            good.replacen("\n5\n", "\n05\n", 1),
            good.trim_end_matches('\n').to_string(),
            format!("{good}trailing\n"),
            "x".repeat(MAX_PROOF_BYTES + 1),
        ] {
            assert!(TlogProof::parse(&bad).is_err(), "{bad:?}");
        }
        let long = format!(
            "{TLOG_PROOF_HEADER}\nindex 0\n{}\n",
            format!("{first_hash}\n").repeat(MAX_INCLUSION_HASHES + 1)
        );
        assert_eq!(
            TlogProof::parse(&long),
            Err(ProofFormatError::TooManyHashes(MAX_INCLUSION_HASHES))
        );
    }

    #[test]
    fn consistency_text_and_checkpoints() {
        let big = log(13);
        let read = |lv: u8, i: u64| big.nodes.get(&(lv, i)).copied().ok_or(());
        let p = consistency_proof(6, 13, read).unwrap();
        let text = format_consistency_proof(&p);
        assert_eq!(text.lines().count(), p.len());
        assert_eq!(parse_consistency_proof(&text).unwrap(), p);
        assert!(parse_consistency_proof(&text.replacen('\n', "\n\n", 1)).is_err());
        assert!(parse_consistency_proof(text.trim_end()).is_err());
        assert!(parse_consistency_proof("").unwrap().is_empty());
        assert!(parse_consistency_proof(
            &"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n".repeat(129)
        )
        .is_err());

        let old = Checkpoint::new("o", 6, log(6).frontier.root()).unwrap();
        let new = Checkpoint::new("o", 13, big.frontier.root()).unwrap();
        verify_checkpoint_consistency(&old, &new, &p).unwrap();
        assert!(verify_checkpoint_consistency(&new, &old, &p).is_err());
        let elsewhere = Checkpoint::new("x", 13, big.frontier.root()).unwrap();
        assert!(matches!(
            verify_checkpoint_consistency(&old, &elsewhere, &p),
            Err(ProofVerifyError::OriginMismatch { .. })
        ));
        let empty = Checkpoint::new("o", 0, empty_root()).unwrap();
        verify_checkpoint_consistency(&empty, &new, &[]).unwrap();
        assert!(verify_checkpoint_consistency(&empty, &new, &p).is_err());
        let bad_empty = Checkpoint::new("o", 0, big.frontier.root()).unwrap();
        assert!(verify_checkpoint_consistency(&bad_empty, &new, &[]).is_err());
    }
}
