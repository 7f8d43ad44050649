//! The log's side of C2SP tlog-witness: ask a witness to cosign a checkpoint. Starts from a
//! guess of the size the witness cosigned last; on 409 resends once (or twice, if another
//! client moved the witness meanwhile) from the size it reports, with a consistency proof the
//! caller makes. Bounded: one timeout per call, a size limit on the answer, at most
//! [`MAX_ATTEMPTS`] requests, no redirects.
//!
//! (Kept here rather than in `crate::client`, which the log server's engineer owns, so the
//! witness work did not wait on it; both use ureq with the same kind of limits.)

use std::time::Duration;

use actledger_core::merkle::Hash;
use actledger_core::note::{Note, NoteSignature, VerifierKey};
use actledger_core::witness::AddCheckpoint;

use super::server::TLOG_SIZE_CONTENT_TYPE;

/// The largest answer read from a witness.
pub const MAX_RESPONSE_BYTES: u64 = 64 * 1024;
/// Requests made for one checkpoint at most.
pub const MAX_ATTEMPTS: usize = 3;
/// Time allowed for one request.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Why a witness gave no cosignature.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CosignError {
    /// Unreachable, timed out, or the answer was too large.
    #[error("{url}: {msg}")]
    Transport {
        /// The witness.
        url: String,
        /// What failed.
        msg: String,
    },
    /// The witness refused (a status other than 200 and a 409 it could resolve).
    #[error("{url}: refused with {status}: {body}")]
    Refused {
        /// The witness.
        url: String,
        /// The status code.
        status: u16,
        /// The start of its answer.
        body: String,
    },
    /// The witness has cosigned a larger tree than this checkpoint: the log lost entries,
    /// or someone showed the witness another view.
    #[error("{url}: the witness has cosigned size {latest}, larger than this checkpoint ({size})")]
    Ahead {
        /// The witness.
        url: String,
        /// What it cosigned.
        latest: u64,
        /// This checkpoint's size.
        size: u64,
    },
    /// The answer is not a valid cosignature by the witness's key.
    #[error("{url}: the answer holds no valid cosignature by {vkey}: {why}")]
    BadAnswer {
        /// The witness.
        url: String,
        /// Its key.
        vkey: String,
        /// Why.
        why: String,
    },
    /// The proof from the witness's size could not be made.
    #[error("{url}: cannot prove consistency from size {old}: {msg}")]
    Proof {
        /// The witness.
        url: String,
        /// The size.
        old: u64,
        /// Why.
        msg: String,
    },
    /// Still conflicting after [`MAX_ATTEMPTS`] requests.
    #[error("{url}: still in conflict after {MAX_ATTEMPTS} requests")]
    Conflicts {
        /// The witness.
        url: String,
    },
}

impl CosignError {
    /// Whether the witness's answer is evidence against the log (it refused a proof, or has
    /// seen a larger tree), as opposed to a witness that is down or misconfigured.
    pub fn is_misbehaviour(&self) -> bool {
        matches!(
            self,
            CosignError::Ahead { .. } | CosignError::Refused { status: 422, .. }
        )
    }
}

/// A blocking client for witnesses.
#[derive(Debug, Clone)]
pub struct WitnessClient {
    agent: ureq::Agent,
}

impl Default for WitnessClient {
    fn default() -> Self {
        Self::new()
    }
}

fn snippet(s: &str) -> String {
    s.trim().chars().take(200).collect()
}

impl WitnessClient {
    /// A client with [`TIMEOUT`] per request and no redirects.
    pub fn new() -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(TIMEOUT))
            .max_redirects(0)
            .build()
            .into();
        Self { agent }
    }

    /// Asks the witness at `url` (the submission prefix) to cosign `note`, starting with old
    /// size `guess`; `proof(old)` gives the consistency proof from `old` to the checkpoint
    /// (empty from 0). Returns the witness's `cosignature/v1` lines by `vkey`, checked.
    pub fn cosign(
        &self,
        url: &str,
        vkey: &VerifierKey,
        note: &Note,
        guess: u64,
        proof: &mut dyn FnMut(u64) -> Result<Vec<Hash>, String>,
    ) -> Result<Vec<NoteSignature>, CosignError> {
        let url = url.trim_end_matches('/').to_string();
        let transport = |msg: String| CosignError::Transport {
            url: url.clone(),
            msg,
        };
        let size = actledger_core::checkpoint::Checkpoint::from_note(note)
            .map_err(|e| transport(e.to_string()))?
            .size();
        let mut old = guess.min(size);
        for _ in 0..MAX_ATTEMPTS {
            let hashes = proof(old).map_err(|msg| CosignError::Proof {
                url: url.clone(),
                old,
                msg,
            })?;
            let req = AddCheckpoint::new(old, hashes, note.clone())
                .map_err(|e| transport(e.to_string()))?;
            let mut resp = self
                .agent
                .post(format!("{url}/add-checkpoint"))
                .send(req.to_body())
                .map_err(|e| transport(e.to_string()))?;
            let status = resp.status().as_u16();
            let content_type = resp
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let body = resp
                .body_mut()
                .with_config()
                .limit(MAX_RESPONSE_BYTES)
                .read_to_string()
                .map_err(|e| transport(format!("reading the answer: {e}")))?;
            match status {
                200 => return check_answer(&url, vkey, note, &body),
                409 if content_type == TLOG_SIZE_CONTENT_TYPE => {
                    let latest = body
                        .strip_suffix('\n')
                        .and_then(|s| s.parse::<u64>().ok())
                        .filter(|n| n.to_string() == body.trim_end())
                        .ok_or_else(|| CosignError::Refused {
                            url: url.clone(),
                            status,
                            body: snippet(&body),
                        })?;
                    if latest > size {
                        return Err(CosignError::Ahead { url, latest, size });
                    }
                    if latest == old {
                        // Same size, another root: the witness cosigned another tree.
                        return Err(CosignError::Refused {
                            url,
                            status,
                            body: format!("it cosigned another root at size {latest}"),
                        });
                    }
                    old = latest;
                }
                _ => {
                    return Err(CosignError::Refused {
                        url,
                        status,
                        body: snippet(&body),
                    })
                }
            }
        }
        Err(CosignError::Conflicts { url })
    }
}

/// The signature lines of a 200 answer that are valid cosignatures of `note` by `vkey`
/// (lines by other keys are ignored, as tlog-witness requires).
fn check_answer(
    url: &str,
    vkey: &VerifierKey,
    note: &Note,
    body: &str,
) -> Result<Vec<NoteSignature>, CosignError> {
    let bad = |why: String| CosignError::BadAnswer {
        url: url.to_string(),
        vkey: vkey.to_string(),
        why,
    };
    let bare = Note::new(note.text()).map_err(|e| bad(e.to_string()))?;
    let joined = Note::parse(&format!("{bare}{body}")).map_err(|e| bad(e.to_string()))?;
    joined
        .verify_cosignature(vkey)
        .map_err(|e| bad(e.to_string()))?;
    Ok(joined
        .signatures()
        .iter()
        .filter(|s| s.name == *vkey.name() && s.key_id == vkey.id())
        .cloned()
        .collect())
}
