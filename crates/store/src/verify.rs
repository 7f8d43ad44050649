use std::collections::HashMap;

use actledger_core::chain;
use actledger_core::event::Event;
use actledger_core::merkle::{self, Frontier};
use actledger_core::verify::{Signatures, Verifier};
use actledger_core::{EventHash, Seq, VerifyError, VerifyErrorKind};

use crate::{LogReader, StoreError};

/// The result of a clean verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifySummary {
    /// Number of events.
    pub events: u64,
    /// SHA-256 of the last event (zero if empty).
    pub head: EventHash,
    /// RFC 6962 Merkle root over the events' stored bytes.
    pub root: merkle::Hash,
}

/// How `verify` checks signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureMode {
    /// Ed25519 batch verification (`ed25519_dalek::verify_batch`) of 1,024 signatures at a
    /// time on all cores; a failing batch is re-checked one signature at a time with
    /// `verify_strict` to name the first bad event. Batch verification is cofactorless and
    /// deterministic, but unlike `verify_strict` it does not reject a signature whose nonce
    /// point the *key holder* deliberately built with a small-order component (it accepts it
    /// with probability 1/2). Such a signature still proves that key holder signed exactly
    /// these bytes; use [`SignatureMode::Strict`] when strict non-malleability matters.
    #[default]
    Batch,
    /// `verify_strict` for every signature, on all cores.
    Strict,
}

const BATCH: usize = 1024;

struct SigJob {
    seq: u64,
    key: ed25519_dalek::VerifyingKey,
    bytes: Vec<u8>,
}

/// The first event in `jobs` whose signature fails, if any.
fn check_jobs(jobs: &[SigJob], mode: SignatureMode) -> Option<u64> {
    if mode == SignatureMode::Batch {
        let messages: Vec<Vec<u8>> = jobs
            .iter()
            .map(|j| chain::signing_message(chain::unsigned_part(&j.bytes)))
            .collect();
        let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
        let sigs: Vec<ed25519_dalek::Signature> = jobs
            .iter()
            .map(|j| ed25519_dalek::Signature::from_bytes(&chain::stored_signature(&j.bytes).0))
            .collect();
        let keys: Vec<ed25519_dalek::VerifyingKey> = jobs.iter().map(|j| j.key).collect();
        if ed25519_dalek::verify_batch(&refs, &sigs, &keys).is_ok() {
            return None;
        }
    }
    jobs.iter()
        .find(|j| !chain::check_signature(&j.key, &chain::stored_signature(&j.bytes), &j.bytes))
        .map(|j| j.seq)
}

/// Verifies every stored event from its bytes, in key order: keys must be 0, 1, 2, ... with no
/// gap; each event must decode canonically, carry its position, link to its predecessor, bear
/// a valid signature and pass the rules. Decoding, the chain, the rules and the Merkle tree run
/// on this thread while signatures are verified in batches on all cores (rayon), with a bounded
/// number of batches in flight so memory stays flat. `on_event` sees each accepted event (with
/// the verifier and tree after it) and may reject it. `progress` is called with the count so far.
///
/// The error reported is the first bad event in log order, whichever check found it.
/// Returns `Ok(Err(_))` for a log that fails verification, `Err(_)` when it cannot be read.
pub fn verify_log(
    log: &dyn LogReader,
    progress: impl FnMut(u64),
    on_event: impl FnMut(
        &Event,
        &[u8],
        &Verifier,
        &Frontier,
        &[merkle::Node],
    ) -> Result<(), VerifyError>,
) -> Result<Result<(VerifySummary, Verifier), VerifyError>, StoreError> {
    verify_log_with(log, SignatureMode::default(), progress, on_event)
}

/// [`verify_log`] with a chosen [`SignatureMode`].
pub fn verify_log_with(
    log: &dyn LogReader,
    mode: SignatureMode,
    mut progress: impl FnMut(u64),
    mut on_event: impl FnMut(
        &Event,
        &[u8],
        &Verifier,
        &Frontier,
        &[merkle::Node],
    ) -> Result<(), VerifyError>,
) -> Result<Result<(VerifySummary, Verifier), VerifyError>, StoreError> {
    let mut v = Verifier::new(Signatures::Skip);
    let mut tree = Frontier::new();
    let mut keys: HashMap<actledger_core::PublicKey, ed25519_dalek::VerifyingKey> = HashMap::new();
    let (tx, rx) = std::sync::mpsc::channel::<Option<u64>>();
    let max_in_flight = 2 * rayon::current_num_threads().max(1);
    let mut in_flight = 0usize;
    let mut first_bad_sig: Option<u64> = None;
    let mut failure: Option<VerifyError> = None;
    let mut read_error: Option<StoreError> = None;
    let note = |r: Option<u64>, first: &mut Option<u64>| {
        if let Some(s) = r {
            *first = Some(first.map_or(s, |f| f.min(s)));
        }
    };
    rayon::in_place_scope(|scope| {
        let mut batch: Vec<SigJob> = Vec::with_capacity(BATCH);
        let dispatch = |batch: Vec<SigJob>, in_flight: &mut usize, first: &mut Option<u64>| {
            if batch.is_empty() {
                return;
            }
            while *in_flight >= max_in_flight {
                match rx.recv() {
                    Ok(r) => {
                        *in_flight -= 1;
                        note(r, first);
                    }
                    Err(_) => break,
                }
            }
            let tx = tx.clone();
            *in_flight += 1;
            scope.spawn(move |_| {
                let _ = tx.send(check_jobs(&batch, mode));
            });
        };
        for item in log.scan(0) {
            let (key, bytes) = match item {
                Ok(x) => x,
                Err(e) => {
                    read_error = Some(e);
                    break;
                }
            };
            let expected = v.len();
            if key != expected {
                failure = Some(VerifyError {
                    seq: Seq(expected),
                    kind: if key > expected {
                        VerifyErrorKind::Gap {
                            previous: Seq(expected.saturating_sub(1)),
                            next: Seq(key),
                        }
                    } else {
                        VerifyErrorKind::Metadata(format!("stored key {key} out of order"))
                    },
                });
                break;
            }
            let event = match v.push(&bytes) {
                Ok(e) => e,
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            };
            let nodes = match tree.append(merkle::leaf_hash(&bytes)) {
                Ok(n) => n,
                Err(e) => {
                    failure = Some(VerifyError {
                        seq: Seq(expected),
                        kind: VerifyErrorKind::Metadata(e.to_string()),
                    });
                    break;
                }
            };
            if let Err(e) = on_event(&event, &bytes, &v, &tree, &nodes) {
                failure = Some(e);
                break;
            }
            let author = event.unsigned.author;
            let vk = match keys.get(&author) {
                Some(k) => *k,
                None => match author.verifying_key() {
                    Ok(k) => {
                        keys.insert(author, k);
                        k
                    }
                    Err(e) => {
                        failure = Some(VerifyError {
                            seq: Seq(expected),
                            kind: VerifyErrorKind::Decode(e.into()),
                        });
                        break;
                    }
                },
            };
            batch.push(SigJob {
                seq: expected,
                key: vk,
                bytes,
            });
            if batch.len() == BATCH {
                dispatch(
                    std::mem::take(&mut batch),
                    &mut in_flight,
                    &mut first_bad_sig,
                );
                batch.reserve(BATCH);
            }
            if v.len().is_multiple_of(4096) {
                progress(v.len());
            }
        }
        dispatch(batch, &mut in_flight, &mut first_bad_sig);
    });
    drop(tx);
    for r in rx.iter() {
        note(r, &mut first_bad_sig);
    }
    if let Some(e) = read_error {
        return Err(e);
    }
    // The first bad event in log order: a bad signature before the first other failure wins.
    if let Some(s) = first_bad_sig {
        if failure.as_ref().is_none_or(|f| s <= f.seq.0) {
            let key = log
                .get(s)?
                .and_then(|b| chain::decode_event(&b).ok())
                .map(|e| e.unsigned.author.to_hex())
                .unwrap_or_default();
            return Ok(Err(VerifyError {
                seq: Seq(s),
                kind: VerifyErrorKind::BadSignature { key },
            }));
        }
    }
    if let Some(e) = failure {
        return Ok(Err(e));
    }
    progress(v.len());
    Ok(Ok((
        VerifySummary {
            events: v.len(),
            head: v.head(),
            root: tree.root(),
        },
        v,
    )))
}
