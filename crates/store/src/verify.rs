use std::ops::ControlFlow;

use actledger_core::event::Event;
use actledger_core::merkle::{self, Frontier};
use actledger_core::verify::{Signatures, Verifier};
use actledger_core::{EventHash, Seq, VerifyError, VerifyErrorKind};

use crate::pipeline::{for_each_chunk, Work};
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
    /// Batch verification of [`crate::SIGNATURE_BATCH`] signatures at a time on all cores, with one
    /// term per distinct key in the batch equation (`actledger_core::batch`): a failing batch is
    /// re-checked one signature at a time to name the first bad event. Batches apply the ZIP 215
    /// rules, under which batch and single checks agree. They accept every signature
    /// `verify_strict` accepts, and also signatures that the *key holder* deliberately built with a
    /// small-order component or a non-canonical `R` encoding. Such a signature still proves that
    /// key holder signed exactly these bytes; use [`SignatureMode::Strict`] when strict
    /// non-malleability matters.
    #[default]
    Batch,
    /// `verify_strict` for every signature, on all cores.
    Strict,
}

/// Verifies every stored event from its bytes, in key order: keys must be 0, 1, 2, ... with no gap;
/// each event must decode canonically, carry its position, link to its predecessor, bear a valid
/// signature and pass the rules. Two stages: chunks of [`crate::SIGNATURE_BATCH`] events are
/// decoded, hashed (chain hash and Merkle leaf) and their signatures batch-verified on all cores
/// (rayon), a bounded number of chunks in flight so memory stays flat; this thread reads the store
/// and, in log order, checks positions, chain links and rules and extends the Merkle tree (the only
/// work that depends on the events before). `on_event` sees each accepted event (with the verifier
/// and tree after it) and may reject it. `progress` is called with the count so far.
///
/// The error reported is the first bad event in log order, whichever check found it.
/// Returns `Ok(Err(_))` for a log that fails verification, `Err(_)` when it cannot be read.
pub fn verify_log(
    log: &(dyn LogReader + Sync),
    progress: impl FnMut(u64),
    on_event: impl FnMut(&Event, &Verifier, &Frontier, &[merkle::Node]) -> Result<(), VerifyError>,
) -> Result<Result<(VerifySummary, Verifier), VerifyError>, StoreError> {
    verify_log_with(log, SignatureMode::default(), progress, on_event)
}

/// [`verify_log`] with a chosen [`SignatureMode`].
pub fn verify_log_with(
    log: &(dyn LogReader + Sync),
    mode: SignatureMode,
    mut progress: impl FnMut(u64),
    mut on_event: impl FnMut(&Event, &Verifier, &Frontier, &[merkle::Node]) -> Result<(), VerifyError>,
) -> Result<Result<(VerifySummary, Verifier), VerifyError>, StoreError> {
    let mut v = Verifier::new(Signatures::Skip);
    let mut tree = Frontier::new();
    if let Err(e) = verify_continue(log, mode, &mut v, &mut tree, &mut progress, &mut on_event)? {
        return Ok(Err(e));
    }
    Ok(Ok((
        VerifySummary {
            events: v.len(),
            head: v.head(),
            root: tree.root(),
        },
        v,
    )))
}

/// What sees each event a verification accepts (and may reject it).
pub(crate) type OnEvent<'a> =
    dyn FnMut(&Event, &Verifier, &Frontier, &[merkle::Node]) -> Result<(), VerifyError> + 'a;

/// The events of `log` from `v.len()` on, verified as [`verify_log`] verifies them, into `v`
/// and `tree` (which hold the state after the events before): what a mirror of another log
/// runs on the events it has not seen (`Ledger::admit_windows`). `v` skips signatures: the
/// workers check them, in batches.
pub(crate) fn verify_continue(
    log: &(dyn LogReader + Sync),
    mode: SignatureMode,
    v: &mut Verifier,
    tree: &mut Frontier,
    progress: &mut dyn FnMut(u64),
    on_event: &mut OnEvent<'_>,
) -> Result<Result<(), VerifyError>, StoreError> {
    let mut failure: Option<VerifyError> = None;
    let work = Work {
        keep: None,
        canonical: true,
        hashes: true,
        signatures: Some(mode),
        chain: false,
        chunk: crate::SIGNATURE_BATCH,
    };
    let read = for_each_chunk(log, v.len(), work, |chunk| {
        for p in chunk.items.drain(..) {
            let expected = v.len();
            let at = |kind| VerifyError {
                seq: Seq(expected),
                kind,
            };
            if p.key != expected {
                failure = Some(at(if p.key > expected {
                    VerifyErrorKind::Gap {
                        previous: Seq(expected.saturating_sub(1)),
                        next: Seq(p.key),
                    }
                } else {
                    VerifyErrorKind::Metadata(format!("stored key {} out of order", p.key))
                }));
                return ControlFlow::Break(());
            }
            let event = match p.event {
                Ok(e) => e,
                Err(e) => {
                    failure = Some(at(e.into()));
                    return ControlFlow::Break(());
                }
            };
            // The first bad event in log order: a bad signature is reported at its event,
            // before the checks that depend on the events before it.
            if chunk.bad_sig == Some(p.key) {
                failure = Some(at(VerifyErrorKind::BadSignature {
                    key: event.unsigned.author.to_hex(),
                }));
                return ControlFlow::Break(());
            }
            // (`v` skips signatures: the workers checked them.)
            let event = match v.push_decoded(event, &[], p.hash) {
                Ok(e) => e,
                Err(e) => {
                    failure = Some(e);
                    return ControlFlow::Break(());
                }
            };
            let nodes = match tree.append(p.leaf) {
                Ok(n) => n,
                Err(e) => {
                    failure = Some(at(VerifyErrorKind::Metadata(e.to_string())));
                    return ControlFlow::Break(());
                }
            };
            if let Err(e) = on_event(&event, v, tree, &nodes) {
                failure = Some(e);
                return ControlFlow::Break(());
            }
        }
        progress(v.len());
        ControlFlow::Continue(())
    });
    if let Some(e) = failure {
        return Ok(Err(e));
    }
    read?;
    progress(v.len());
    Ok(Ok(()))
}
