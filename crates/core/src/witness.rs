//! The witness of C2SP tlog-witness (<https://c2sp.org/tlog-witness>, `add-checkpoint`), as
//! pure logic: given what the witness remembers of each log and a request (old size,
//! consistency proof, checkpoint), decide to cosign — with the new state to persist and a
//! C2SP `cosignature/v1` line (<https://c2sp.org/tlog-cosignature>) — or refuse with the exact
//! reason the spec names. No I/O: the caller reads the state, calls
//! [`Witness::add_checkpoint`] and persists the result in one atomic, locked step (the race
//! of tlog-witness §add-checkpoint). See docs/FORMAT.md, "Witness".

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::keys::SigningKey;
use crate::merkle::{empty_root, Hash};
use crate::note::{KeyKind, KeyName, Note, NoteError, NoteSignature, VerifierKey};
use crate::proof::{self, ProofVerifyError};

/// The most consistency proof lines a request may carry (tlog-witness: "The client MUST NOT
/// send more than 63 consistency proof lines").
pub const MAX_PROOF_LINES: usize = 63;

/// The largest `add-checkpoint` body accepted: the old-size line, 63 proof lines and a
/// checkpoint note of at most [`crate::note::MAX_NOTE_BYTES`].
pub const MAX_REQUEST_BYTES: usize = 32 + MAX_PROOF_LINES * 45 + crate::note::MAX_NOTE_BYTES;

/// The largest witness state file accepted, in bytes.
pub const MAX_STATE_BYTES: usize = 16 << 20;

/// What a witness remembers of one log: the size and root of the latest checkpoint it
/// cosigned (tlog-witness: "the latest checkpoint it observed and verified").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WitnessedHead {
    /// Tree size.
    pub size: u64,
    /// Root hash at that size.
    pub root: Hash,
}

/// What a witness remembers of every log, by origin. A log it never cosigned is at size 0.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WitnessState {
    logs: BTreeMap<String, WitnessedHead>,
}

/// The JSON form of [`WitnessState`] (docs/FORMAT.md, "Witness state").
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StateJson {
    logs: BTreeMap<String, HeadJson>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HeadJson {
    size: u64,
    root: String,
}

/// A witness state file that cannot be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// Over [`MAX_STATE_BYTES`].
    #[error("witness state is {0} bytes, over the {MAX_STATE_BYTES}-byte limit")]
    TooLarge(usize),
    /// Not the JSON of docs/FORMAT.md.
    #[error("witness state is not valid: {0}")]
    Json(String),
    /// A root that is not the base64 of 32 bytes.
    #[error("witness state: the root of {origin:?} is not a base64 hash")]
    Root {
        /// The log.
        origin: String,
    },
}

impl WitnessState {
    /// The latest head cosigned for `origin`, if any.
    pub fn head(&self, origin: &str) -> Option<&WitnessedHead> {
        self.logs.get(origin)
    }

    /// Every log and its head, by origin.
    pub fn logs(&self) -> impl Iterator<Item = (&str, &WitnessedHead)> {
        self.logs.iter().map(|(o, h)| (o.as_str(), h))
    }

    /// Records `head` as the latest cosigned for `origin`.
    pub fn set(&mut self, origin: &str, head: WitnessedHead) {
        self.logs.insert(origin.to_owned(), head);
    }

    /// The JSON text: `{"logs": {"<origin>": {"size": N, "root": "<base64>"}}}`, pretty.
    pub fn to_json(&self) -> String {
        let json = StateJson {
            logs: self
                .logs
                .iter()
                .map(|(o, h)| {
                    (
                        o.clone(),
                        HeadJson {
                            size: h.size,
                            root: h.root.to_base64(),
                        },
                    )
                })
                .collect(),
        };
        // Serializing maps of strings and integers cannot fail.
        serde_json::to_string_pretty(&json).unwrap_or_default() + "\n"
    }

    /// Parses [`WitnessState::to_json`] strictly (no unknown fields, 32-byte roots).
    pub fn from_json(bytes: &[u8]) -> Result<Self, StateError> {
        if bytes.len() > MAX_STATE_BYTES {
            return Err(StateError::TooLarge(bytes.len()));
        }
        let json: StateJson = serde_json::from_slice(bytes).map_err(|e| {
            StateError::Json(crate::error::clipped(&e.to_string(), 200).to_string())
        })?;
        let mut logs = BTreeMap::new();
        for (origin, h) in json.logs {
            let root = Hash::from_base64(&h.root).map_err(|_| StateError::Root {
                origin: origin.chars().take(100).collect(),
            })?;
            logs.insert(origin, WitnessedHead { size: h.size, root });
        }
        Ok(Self { logs })
    }
}

/// Why an `add-checkpoint` body is malformed (tlog-witness: "400 Bad Request").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// Over [`MAX_REQUEST_BYTES`].
    #[error("request is {0} bytes, over the {MAX_REQUEST_BYTES}-byte limit")]
    TooLarge(usize),
    /// Not UTF-8.
    #[error("request is not UTF-8")]
    Utf8,
    /// The first line is not `old <decimal>`.
    #[error("the first line must be `old <size>` (decimal, no leading zeros)")]
    OldSize,
    /// A proof line is not one base64 hash, or lines do not end in newlines.
    #[error("proof line {0} is not a base64 hash ending in a newline")]
    ProofLine(usize),
    /// More than [`MAX_PROOF_LINES`] proof lines.
    #[error("more than {MAX_PROOF_LINES} consistency proof lines")]
    TooManyProofLines,
    /// No empty line before the checkpoint.
    #[error("no empty line between the proof and the checkpoint")]
    NoSeparator,
    /// The checkpoint is not a signed note.
    #[error("checkpoint: {0}")]
    Note(#[from] NoteError),
    /// The note is not a checkpoint.
    #[error("{0}")]
    Checkpoint(#[from] CheckpointError),
}

/// An `add-checkpoint` request (tlog-witness §add-checkpoint): the size of the checkpoint the
/// client believes the witness cosigned last, a consistency proof from it, and the signed
/// checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpoint {
    /// The old size.
    pub old_size: u64,
    /// RFC 6962 §2.1.2 consistency proof from `old_size` to the checkpoint's size.
    pub proof: Vec<Hash>,
    /// The checkpoint, with all its signatures.
    pub note: Note,
    /// The checkpoint body of `note`.
    pub checkpoint: Checkpoint,
}

impl AddCheckpoint {
    /// A request for `note` (a checkpoint) from `old_size` with `proof`.
    pub fn new(old_size: u64, proof: Vec<Hash>, note: Note) -> Result<Self, RequestError> {
        if proof.len() > MAX_PROOF_LINES {
            return Err(RequestError::TooManyProofLines);
        }
        let checkpoint = Checkpoint::from_note(&note)?;
        Ok(Self {
            old_size,
            proof,
            note,
            checkpoint,
        })
    }

    /// Parses a request body: `old <size>\n`, up to 63 lines of one base64 hash each, an empty
    /// line, then a signed checkpoint note.
    pub fn parse(body: &[u8]) -> Result<Self, RequestError> {
        if body.len() > MAX_REQUEST_BYTES {
            return Err(RequestError::TooLarge(body.len()));
        }
        let text = std::str::from_utf8(body).map_err(|_| RequestError::Utf8)?;
        let (first, mut rest) = text.split_once('\n').ok_or(RequestError::OldSize)?;
        let old_size = first
            .strip_prefix("old ")
            .and_then(crate::checkpoint::parse_decimal)
            .ok_or(RequestError::OldSize)?;
        let mut proof = Vec::new();
        loop {
            let (line, tail) = rest.split_once('\n').ok_or(RequestError::NoSeparator)?;
            rest = tail;
            if line.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_LINES {
                return Err(RequestError::TooManyProofLines);
            }
            proof.push(
                Hash::from_base64(line).map_err(|_| RequestError::ProofLine(proof.len() + 1))?,
            );
        }
        Self::new(old_size, proof, Note::parse(rest)?)
    }

    /// The request body ([`AddCheckpoint::parse`] reads it back).
    pub fn to_body(&self) -> String {
        let mut s = format!("old {}\n", self.old_size);
        s.push_str(&proof::format_consistency_proof(&self.proof));
        s.push('\n');
        s.push_str(&self.note.to_string());
        s
    }
}

/// Why a witness refused to cosign, one variant per status code of tlog-witness.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The checkpoint's origin is not a log this witness follows (404 Not Found).
    #[error("unknown log origin {0:?}")]
    UnknownOrigin(String),
    /// No signature verifies against a key trusted for the origin (403 Forbidden).
    #[error("the checkpoint carries no valid signature by a trusted key of {0}")]
    Untrusted(String),
    /// The old size is above the checkpoint's size (400 Bad Request).
    #[error("old size {old} is larger than the checkpoint size {size}")]
    OldSizeAboveCheckpoint {
        /// The old size of the request.
        old: u64,
        /// The checkpoint's size.
        size: u64,
    },
    /// The old size is not the size the witness cosigned last, or the sizes are equal and the
    /// roots differ (409 Conflict, the body names `latest.size`).
    #[error("{}", conflict_message(*.old, .latest, *.same_size_other_root))]
    Conflict {
        /// The old size of the request.
        old: u64,
        /// What the witness cosigned last for this log.
        latest: WitnessedHead,
        /// True when the old size matched but the checkpoint, at that same size, has another
        /// root: a fork.
        same_size_other_root: bool,
    },
    /// The consistency proof from the cosigned head does not verify (422 Unprocessable
    /// Entity): a fork, or a bad proof.
    #[error("consistency proof from size {old} to {size} does not verify: {error}")]
    BadProof {
        /// The old size.
        old: u64,
        /// The checkpoint's size.
        size: u64,
        /// Why.
        error: ProofVerifyError,
    },
}

fn conflict_message(old: u64, latest: &WitnessedHead, fork: bool) -> String {
    if fork {
        format!(
            "size {} was cosigned with root {}, this checkpoint has another root (a fork)",
            latest.size,
            latest.root.to_base64()
        )
    } else {
        format!(
            "old size {old} is not the size this witness cosigned last ({})",
            latest.size
        )
    }
}

/// A cosigned checkpoint: the state to persist and the cosignature to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The log.
    pub origin: String,
    /// The head now cosigned.
    pub head: WitnessedHead,
    /// False when the witness had already cosigned this head (nothing new to persist).
    pub changed: bool,
    /// The `cosignature/v1` line.
    pub cosignature: NoteSignature,
}

impl Accepted {
    /// The 200 response body: the cosignature line and a newline.
    pub fn response_body(&self) -> String {
        self.cosignature.to_line() + "\n"
    }
}

/// Why a witness cannot be configured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A log key that is a cosignature key.
    #[error("log key {0} is a cosignature key, not an Ed25519 log key")]
    NotALogKey(String),
    /// The timestamp is over 2^63 - 1.
    #[error("{0}")]
    Note(#[from] NoteError),
}

/// A witness: its name and key, and the logs it follows with the keys trusted for each (the
/// key name is the log's origin, as `actledger key show --verifier` prints it).
pub struct Witness {
    name: KeyName,
    key: SigningKey,
    logs: BTreeMap<String, Vec<VerifierKey>>,
}

impl std::fmt::Debug for Witness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Witness")
            .field("name", &self.name)
            .field("logs", &self.logs.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Witness {
    /// A witness named `name` signing with `key`, following the logs of `log_keys` (several
    /// keys may share an origin).
    pub fn new(
        name: KeyName,
        key: SigningKey,
        log_keys: impl IntoIterator<Item = VerifierKey>,
    ) -> Result<Self, ConfigError> {
        let mut logs: BTreeMap<String, Vec<VerifierKey>> = BTreeMap::new();
        for k in log_keys {
            if k.kind() != KeyKind::Ed25519 {
                return Err(ConfigError::NotALogKey(k.to_string()));
            }
            logs.entry(k.name().as_str().to_owned())
                .or_default()
                .push(k);
        }
        Ok(Self { name, key, logs })
    }

    /// The witness's `cosignature/v1` verifier key.
    pub fn verifier_key(&self) -> VerifierKey {
        // A public key from a signing key is always a valid point.
        VerifierKey::from_signing_key(self.name.clone(), KeyKind::CosignatureV1, &self.key)
            .unwrap_or_else(|_| unreachable!("the public key of a signing key is valid"))
    }

    /// The origins followed.
    pub fn origins(&self) -> impl Iterator<Item = &str> {
        self.logs.keys().map(String::as_str)
    }

    /// Decides a request against `state` (tlog-witness §add-checkpoint), checks in the spec's
    /// order: origin known (else 404), a trusted signature (403), old size at most the
    /// checkpoint size (400), old size equal to the size cosigned last, 0 if none (409), the
    /// consistency proof from the cosigned head (422), and at equal sizes equal roots (409).
    /// On success, cosigns at `timestamp` (Unix seconds, at most 2^63 - 1).
    pub fn add_checkpoint(
        &self,
        state: &WitnessState,
        req: &AddCheckpoint,
        timestamp: u64,
    ) -> Result<Accepted, Refusal> {
        let cp = &req.checkpoint;
        let origin = cp.origin();
        let keys = self
            .logs
            .get(origin)
            .ok_or_else(|| Refusal::UnknownOrigin(origin.chars().take(200).collect()))?;
        if !keys.iter().any(|k| req.note.verify(k).is_ok()) {
            return Err(Refusal::Untrusted(origin.to_owned()));
        }
        if req.old_size > cp.size() {
            return Err(Refusal::OldSizeAboveCheckpoint {
                old: req.old_size,
                size: cp.size(),
            });
        }
        let latest = state.head(origin).copied().unwrap_or(WitnessedHead {
            size: 0,
            root: empty_root(),
        });
        if req.old_size != latest.size {
            return Err(Refusal::Conflict {
                old: req.old_size,
                latest,
                same_size_other_root: false,
            });
        }
        let bad_proof = |error| Refusal::BadProof {
            old: req.old_size,
            size: cp.size(),
            error,
        };
        if cp.size() == latest.size {
            if !req.proof.is_empty() {
                return Err(bad_proof(ProofVerifyError::Consistency(
                    crate::merkle::ConsistencyError::UnexpectedProof,
                )));
            }
            if *cp.root() != latest.root {
                return Err(Refusal::Conflict {
                    old: req.old_size,
                    latest,
                    same_size_other_root: true,
                });
            }
        } else {
            let old = Checkpoint::new(origin, latest.size, latest.root)
                .map_err(|_| Refusal::UnknownOrigin(origin.to_owned()))?;
            proof::verify_checkpoint_consistency(&old, cp, &req.proof).map_err(bad_proof)?;
        }
        let cosignature = self
            .cosign(&req.note, timestamp)
            .map_err(|_| Refusal::Untrusted(origin.to_owned()))?;
        Ok(Accepted {
            origin: origin.to_owned(),
            head: WitnessedHead {
                size: cp.size(),
                root: *cp.root(),
            },
            changed: cp.size() != latest.size,
            cosignature,
        })
    }

    /// The `cosignature/v1` line of this witness over the text of `note` at `timestamp`.
    fn cosign(&self, note: &Note, timestamp: u64) -> Result<NoteSignature, NoteError> {
        let mut bare = Note::new(note.text())?;
        bare.cosign(&self.name, &self.key, timestamp)?;
        bare.signatures()
            .first()
            .cloned()
            .ok_or(NoteError::NoSignatures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{consistency_proof, leaf_hash, Frontier};
    use std::collections::HashMap;

    const ORIGIN: &str = "example.org/log";

    /// A log of `n` entries `prefix || i`: its nodes, for proofs.
    struct Tree {
        nodes: HashMap<(u8, u64), Hash>,
        frontier: Frontier,
    }

    fn tree(prefix: &str, n: u64) -> Tree {
        let mut t = Tree {
            nodes: HashMap::new(),
            frontier: Frontier::new(),
        };
        for i in 0..n {
            let leaf = leaf_hash(format!("{prefix}{i}").as_bytes());
            t.nodes.insert((0, i), leaf);
            for node in t.frontier.append(leaf).unwrap() {
                t.nodes.insert((node.level, node.index), node.hash);
            }
        }
        t
    }

    impl Tree {
        fn proof(&self, from: u64, to: u64) -> Vec<Hash> {
            if from == 0 || from > to {
                return Vec::new();
            }
            consistency_proof(from, to, |l, i| self.nodes.get(&(l, i)).copied().ok_or(())).unwrap()
        }
        fn root(&self) -> Hash {
            self.frontier.root()
        }
    }

    fn log_key() -> SigningKey {
        SigningKey::from_seed(&[1; 32])
    }

    fn note(size: u64, root: Hash, key: &SigningKey) -> Note {
        Checkpoint::new(ORIGIN, size, root)
            .unwrap()
            .sign(&KeyName::new(ORIGIN).unwrap(), key)
            .unwrap()
    }

    fn witness() -> Witness {
        let vk = VerifierKey::from_signing_key(
            KeyName::new(ORIGIN).unwrap(),
            KeyKind::Ed25519,
            &log_key(),
        )
        .unwrap();
        Witness::new(
            KeyName::new("witness.example/w1").unwrap(),
            SigningKey::from_seed(&[2; 32]),
            [vk],
        )
        .unwrap()
    }

    fn req(old: u64, t: &Tree, size: u64) -> AddCheckpoint {
        let sub = tree_prefix_root(t, size);
        AddCheckpoint::new(old, t.proof(old, size), note(size, sub, &log_key())).unwrap()
    }

    fn tree_prefix_root(t: &Tree, size: u64) -> Hash {
        crate::merkle::root(size, |l, i| t.nodes.get(&(l, i)).copied().ok_or(())).unwrap()
    }

    #[test]
    fn cosigns_growth_and_refuses_each_case_in_order() {
        let w = witness();
        let t = tree("a", 20);
        let mut state = WitnessState::default();
        // First contact: old 0, no proof.
        let a = w.add_checkpoint(&state, &req(0, &t, 5), 7).unwrap();
        assert!(a.changed);
        assert_eq!(a.head.size, 5);
        state.set(&a.origin, a.head);
        // The cosignature verifies as cosignature/v1 with its timestamp.
        let mut n = req(0, &t, 5).note;
        n.push_signature(a.cosignature.clone()).unwrap();
        assert_eq!(n.verify_cosignature(&w.verifier_key()).unwrap(), 7);
        assert!(a
            .response_body()
            .starts_with("\u{2014} witness.example/w1 "));
        // Growth with a proof.
        let b = w.add_checkpoint(&state, &req(5, &t, 13), 8).unwrap();
        state.set(&b.origin, b.head);
        // The same checkpoint again: cosigned, nothing changes.
        let again = w.add_checkpoint(&state, &req(13, &t, 13), 9).unwrap();
        assert!(!again.changed);

        // 404: another origin.
        let other = Checkpoint::new("other.example/log", 3, t.root())
            .unwrap()
            .sign(&KeyName::new("other.example/log").unwrap(), &log_key())
            .unwrap();
        let r = AddCheckpoint::new(13, vec![], other).unwrap();
        assert!(matches!(
            w.add_checkpoint(&state, &r, 1),
            Err(Refusal::UnknownOrigin(_))
        ));
        // 403: signed by another key under the same name.
        let rogue = SigningKey::from_seed(&[3; 32]);
        let r = AddCheckpoint::new(13, t.proof(13, 20), note(20, t.root(), &rogue)).unwrap();
        assert_eq!(
            w.add_checkpoint(&state, &r, 1),
            Err(Refusal::Untrusted(ORIGIN.into()))
        );
        // 400: old size above the checkpoint size (checked before the 409).
        assert!(matches!(
            w.add_checkpoint(&state, &req(14, &t, 12), 1),
            Err(Refusal::OldSizeAboveCheckpoint { old: 14, size: 12 })
        ));
        // 409: an old size the witness did not cosign, smaller or larger.
        for old in [0, 5, 14] {
            match w.add_checkpoint(&state, &req(old, &t, 20), 1) {
                Err(Refusal::Conflict {
                    latest,
                    same_size_other_root: false,
                    ..
                }) => assert_eq!(latest.size, 13),
                other => panic!("{old}: {other:?}"),
            }
        }
        // A rollback (checkpoint smaller than the cosigned size) is a 409 or a 400.
        assert!(w.add_checkpoint(&state, &req(13, &t, 5), 1).is_err());
        // 422: a proof that does not lead to the new root.
        let mut bad = req(13, &t, 20);
        bad.proof[0].0[0] ^= 1;
        assert!(matches!(
            w.add_checkpoint(&state, &bad, 1),
            Err(Refusal::BadProof { .. })
        ));
        // 422: a fork that is larger, with a proof valid within the fork.
        let f = tree("f", 20);
        let fork = AddCheckpoint::new(13, f.proof(13, 20), note(20, f.root(), &log_key())).unwrap();
        assert!(matches!(
            w.add_checkpoint(&state, &fork, 1),
            Err(Refusal::BadProof { .. })
        ));
        // 409: the same size, another root.
        let same =
            AddCheckpoint::new(13, vec![], note(13, tree_prefix_root(&f, 13), &log_key())).unwrap();
        assert!(matches!(
            w.add_checkpoint(&state, &same, 1),
            Err(Refusal::Conflict {
                same_size_other_root: true,
                ..
            })
        ));
        // 422: same size with a (needless) proof.
        let mut extra = req(13, &t, 13);
        extra.proof.push(t.root());
        assert!(matches!(
            w.add_checkpoint(&state, &extra, 1),
            Err(Refusal::BadProof { .. })
        ));
        // 422: a proof from size 0.
        let fresh = WitnessState::default();
        let mut p0 = req(0, &t, 5);
        p0.proof.push(t.root());
        assert!(matches!(
            w.add_checkpoint(&fresh, &p0, 1),
            Err(Refusal::BadProof { .. })
        ));
    }

    #[test]
    fn request_round_trip_and_malformed_bodies() {
        let t = tree("a", 9);
        let r = req(4, &t, 9);
        let body = r.to_body();
        assert!(body.starts_with("old 4\n"));
        assert_eq!(AddCheckpoint::parse(body.as_bytes()).unwrap(), r);
        let r0 = req(0, &t, 9);
        assert!(r0.to_body().starts_with("old 0\n\n"));
        assert_eq!(AddCheckpoint::parse(r0.to_body().as_bytes()).unwrap(), r0);
        let hash_line = format!("{}\n", t.root().to_base64());
        let cp = r.note.to_string();
        for bad in [
            String::new(),
            "old 4".into(),
            format!("old 04\n\n{cp}"),
            format!("old -1\n\n{cp}"),
            format!("old  4\n\n{cp}"),
            format!("new 4\n\n{cp}"),
            format!("old 4\n{hash_line}"),
            format!("old 4\nAAAA\n\n{cp}"),
            format!("old 4\n{}\n{cp}", hash_line.repeat(MAX_PROOF_LINES + 1)),
            format!("old 4\n\n{}", cp.replace('\u{2014}', "-")),
            format!("old 4\n\n{}", cp.replacen("\n9\n", "\n09\n", 1)),
            "x".repeat(MAX_REQUEST_BYTES + 1),
        ] {
            assert!(AddCheckpoint::parse(bad.as_bytes()).is_err(), "{bad:?}");
        }
        assert!(AddCheckpoint::parse(b"old 4\n\n\xff").is_err());
        let max = format!("old 4\n{}\n{cp}", hash_line.repeat(MAX_PROOF_LINES));
        assert_eq!(
            AddCheckpoint::parse(max.as_bytes()).unwrap().proof.len(),
            MAX_PROOF_LINES
        );
    }

    #[test]
    fn state_json_round_trip_is_strict() {
        let mut s = WitnessState::default();
        s.set(
            ORIGIN,
            WitnessedHead {
                size: 3,
                root: leaf_hash(b"x"),
            },
        );
        let j = s.to_json();
        assert_eq!(WitnessState::from_json(j.as_bytes()).unwrap(), s);
        assert_eq!(
            WitnessState::from_json(br#"{"logs":{}}"#).unwrap(),
            WitnessState::default()
        );
        for bad in [
            &b""[..],
            b"{}",
            br#"{"logs":{},"x":1}"#,
            br#"{"logs":{"o":{"size":1,"root":"AAAA"}}}"#,
            br#"{"logs":{"o":{"size":-1,"root":"AAAA"}}}"#,
            br#"{"logs":{"o":{"size":1}}}"#,
        ] {
            assert!(WitnessState::from_json(bad).is_err());
        }
    }
}
