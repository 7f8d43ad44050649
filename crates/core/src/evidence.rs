//! Evidence of a log's (or its server's) misbehaviour, as the monitor found it: the signed
//! checkpoints, the offending bytes, and a check anyone can run offline with only the log's
//! verifier key. JSON, specified in docs/FORMAT.md, "Evidence".

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::checkpoint::{Checkpoint, SignedCheckpoint};
use crate::merkle::{leaf_hash, Frontier, Hash};
use crate::note::VerifierKey;
use crate::tiles::{parse_entry_bundle, TileId, TileKind, TILE_WIDTH};

/// The `type` field of every evidence file.
pub const EVIDENCE_TYPE: &str = "actledger-evidence";
/// The format version written.
pub const EVIDENCE_VERSION: u32 = 1;
/// The largest evidence file read, in bytes.
pub const MAX_EVIDENCE_BYTES: usize = 1 << 30;

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    /// `checkpoints[0]`, served as the log's checkpoint, is not signed by the log key.
    CheckpointSignature,
    /// `checkpoints[1]` (served later) is smaller than `checkpoints[0]` (verified before).
    Rollback,
    /// `checkpoints[0]` and `checkpoints[1]`, both signed, have one size and two roots.
    Fork,
    /// The `entries` served do not hash to the root `checkpoints[1]` signs (while the first
    /// `checkpoints[0].size` of them hash to the root it signs, if there is a `checkpoints[0]`).
    RootMismatch,
    /// `bundle` (at `bundle_path`) is not the entry bundle of that width the signed
    /// `checkpoints[0]` implies.
    BadBundle,
    /// The `entries` hash to the root `checkpoints[0]` signs (the log committed to them), yet
    /// event `seq` fails verification (chain, signature, role or rule).
    BadEvent,
}

/// An evidence file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// Always [`EVIDENCE_TYPE`].
    #[serde(rename = "type")]
    pub kind_tag: String,
    /// [`EVIDENCE_VERSION`].
    pub version: u32,
    /// What went wrong.
    pub kind: EvidenceKind,
    /// The log's origin.
    pub origin: String,
    /// Where the bytes came from.
    pub url: String,
    /// When it was found (Unix seconds).
    pub found_at: i64,
    /// A human description.
    pub detail: String,
    /// Checkpoint notes, in the order the kind says.
    pub checkpoints: Vec<String>,
    /// Entries 0, 1, … (standard base64), for the kinds that need them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<String>,
    /// The bundle's path, for [`EvidenceKind::BadBundle`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle_path: Option<String>,
    /// The bundle's bytes (standard base64), for [`EvidenceKind::BadBundle`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
    /// The failing event, for [`EvidenceKind::BadEvent`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
}

/// Why an evidence file does not prove what it says (or cannot be read).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EvidenceError {
    /// Not the JSON of docs/FORMAT.md.
    #[error("not an evidence file: {0}")]
    Format(String),
    /// It holds, but does not prove misbehaviour.
    #[error("the evidence does not hold: {0}")]
    DoesNotHold(String),
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unb64(s: &str, what: &str) -> Result<Vec<u8>, EvidenceError> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|_| EvidenceError::Format(format!("{what} is not base64")))
}

/// The RFC 6962 root over `entries`.
pub fn root_of<T: AsRef<[u8]>>(entries: &[T]) -> Hash {
    let mut f = Frontier::new();
    for e in entries {
        // A frontier holds 2^64 - 1 leaves; a slice cannot hold more.
        let _ = f.append(leaf_hash(e.as_ref()));
    }
    f.root()
}

impl Evidence {
    /// New evidence of `kind` with `checkpoints` (note texts).
    pub fn new(
        kind: EvidenceKind,
        origin: &str,
        url: &str,
        found_at: i64,
        detail: String,
        checkpoints: Vec<String>,
    ) -> Self {
        Self {
            kind_tag: EVIDENCE_TYPE.into(),
            version: EVIDENCE_VERSION,
            kind,
            origin: origin.into(),
            url: url.into(),
            found_at,
            detail,
            checkpoints,
            entries: Vec::new(),
            bundle_path: None,
            bundle: None,
            seq: None,
        }
    }

    /// Attaches entries 0, 1, ….
    pub fn with_entries<T: AsRef<[u8]>>(mut self, entries: &[T]) -> Self {
        self.entries = entries.iter().map(|e| b64(e.as_ref())).collect();
        self
    }

    /// Attaches a bundle as served.
    pub fn with_bundle(mut self, path: &str, bytes: &[u8]) -> Self {
        self.bundle_path = Some(path.into());
        self.bundle = Some(b64(bytes));
        self
    }

    /// The JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Parses an evidence file.
    pub fn from_json(bytes: &[u8]) -> Result<Self, EvidenceError> {
        if bytes.len() > MAX_EVIDENCE_BYTES {
            return Err(EvidenceError::Format("over 1 GiB".into()));
        }
        let e: Self = serde_json::from_slice(bytes).map_err(|e| {
            EvidenceError::Format(crate::error::clipped(&e.to_string(), 200).to_string())
        })?;
        if e.kind_tag != EVIDENCE_TYPE || e.version != EVIDENCE_VERSION {
            return Err(EvidenceError::Format(format!(
                "expected type {EVIDENCE_TYPE} version {EVIDENCE_VERSION}"
            )));
        }
        Ok(e)
    }

    /// The entries, decoded.
    pub fn decoded_entries(&self) -> Result<Vec<Vec<u8>>, EvidenceError> {
        self.entries
            .iter()
            .enumerate()
            .map(|(i, e)| unb64(e, &format!("entry {i}")))
            .collect()
    }

    fn checkpoint(&self, i: usize, key: &VerifierKey) -> Result<SignedCheckpoint, EvidenceError> {
        let text = self
            .checkpoints
            .get(i)
            .ok_or_else(|| EvidenceError::Format(format!("checkpoint {i} is missing")))?;
        Checkpoint::open(text, key.name().as_str(), key).map_err(|e| {
            EvidenceError::DoesNotHold(format!("checkpoint {i} is not signed by the log: {e}"))
        })
    }

    /// Re-checks the evidence offline against the log's key. `verify_entries` runs the full
    /// verification of a log from its entries (as `verify` does) and returns the first failing
    /// event's seq and why; it is used only for [`EvidenceKind::BadEvent`]. Returns what was
    /// confirmed, in one line.
    pub fn check(
        &self,
        key: &VerifierKey,
        verify_entries: impl FnOnce(&[Vec<u8>]) -> Result<(), (u64, String)>,
    ) -> Result<String, EvidenceError> {
        let no = |m: String| Err(EvidenceError::DoesNotHold(m));
        match self.kind {
            EvidenceKind::CheckpointSignature => {
                let text = self
                    .checkpoints
                    .first()
                    .ok_or_else(|| EvidenceError::Format("no checkpoint".into()))?;
                match Checkpoint::open(text, key.name().as_str(), key) {
                    Ok(_) => no("the checkpoint is signed by the log key".into()),
                    Err(e) => Ok(format!(
                        "the checkpoint served as {}'s is not valid under its key: {e}",
                        key.name()
                    )),
                }
            }
            EvidenceKind::Rollback => {
                let (a, b) = (self.checkpoint(0, key)?, self.checkpoint(1, key)?);
                let (a, b) = (a.checkpoint(), b.checkpoint());
                if b.size() < a.size() {
                    Ok(format!(
                        "a signed checkpoint of size {} was served after one of size {} (a rollback)",
                        b.size(),
                        a.size()
                    ))
                } else {
                    no("the second checkpoint is not smaller".into())
                }
            }
            EvidenceKind::Fork => {
                let (a, b) = (self.checkpoint(0, key)?, self.checkpoint(1, key)?);
                let (a, b) = (a.checkpoint(), b.checkpoint());
                if a.size() == b.size() && a.root() != b.root() {
                    Ok(format!(
                        "two signed checkpoints of size {} with roots {} and {} (a fork)",
                        a.size(),
                        a.root().to_base64(),
                        b.root().to_base64()
                    ))
                } else {
                    no("the checkpoints do not have one size and two roots".into())
                }
            }
            EvidenceKind::RootMismatch => {
                let entries = self.decoded_entries()?;
                let (old, new) = if self.checkpoints.len() >= 2 {
                    (Some(self.checkpoint(0, key)?), self.checkpoint(1, key)?)
                } else {
                    (None, self.checkpoint(0, key)?)
                };
                let new = new.checkpoint();
                if entries.len() as u64 != new.size() {
                    return no(format!(
                        "{} entries for a checkpoint of size {}",
                        entries.len(),
                        new.size()
                    ));
                }
                if let Some(old) = &old {
                    let old = old.checkpoint();
                    let n = usize::try_from(old.size()).unwrap_or(usize::MAX);
                    let prefix = entries.get(..n).ok_or_else(|| {
                        EvidenceError::DoesNotHold("fewer entries than the old size".into())
                    })?;
                    if root_of(prefix) != *old.root() {
                        return no("the first entries do not hash to the old checkpoint".into());
                    }
                }
                let root = root_of(&entries);
                if root == *new.root() {
                    return no("the entries hash to the signed root".into());
                }
                Ok(format!(
                    "the {} entries served hash to {}, the signed checkpoint says {}{}",
                    entries.len(),
                    root.to_base64(),
                    new.root().to_base64(),
                    old.map_or(String::new(), |o| format!(
                        " (the first {} hash to the earlier signed checkpoint: a fork, or altered entries)",
                        o.checkpoint().size()
                    ))
                ))
            }
            EvidenceKind::BadBundle => {
                let cp = self.checkpoint(0, key)?;
                let size = cp.checkpoint().size();
                let path = self
                    .bundle_path
                    .as_deref()
                    .ok_or_else(|| EvidenceError::Format("no bundle_path".into()))?;
                let bytes = unb64(
                    self.bundle
                        .as_deref()
                        .ok_or_else(|| EvidenceError::Format("no bundle".into()))?,
                    "bundle",
                )?;
                let id =
                    TileId::parse_path(path).map_err(|e| EvidenceError::Format(e.to_string()))?;
                if id.kind() != TileKind::Entries {
                    return Err(EvidenceError::Format("not an entry bundle path".into()));
                }
                let width = u64::from(TILE_WIDTH);
                let expected = if (id.index() + 1).saturating_mul(width) <= size {
                    width
                } else {
                    size.saturating_sub(id.index().saturating_mul(width))
                };
                if expected != u64::from(id.width()) {
                    return no(format!(
                        "a tree of size {size} has no bundle {path} (width {expected})"
                    ));
                }
                match parse_entry_bundle(&bytes) {
                    Ok(e) if e.len() as u64 == expected => {
                        no(format!("the bundle holds the {expected} entries it should"))
                    }
                    Ok(e) => Ok(format!(
                        "bundle {path} holds {} entries, the signed size {size} implies {expected}",
                        e.len()
                    )),
                    Err(e) => Ok(format!("bundle {path} is malformed: {e}")),
                }
            }
            EvidenceKind::BadEvent => {
                let cp = self.checkpoint(0, key)?;
                let cp = cp.checkpoint();
                let entries = self.decoded_entries()?;
                if entries.len() as u64 != cp.size() || root_of(&entries) != *cp.root() {
                    return no("the entries are not those the checkpoint signs".into());
                }
                match verify_entries(&entries) {
                    Ok(()) => no("every event verifies".into()),
                    Err((seq, why)) => Ok(format!(
                        "the log signed (size {}, root {}) event {seq}, which fails verification: {why}",
                        cp.size(),
                        cp.root().to_base64()
                    )),
                }
            }
        }
    }
}
