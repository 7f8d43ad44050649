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

/// Verifies every stored event from its bytes, in key order: keys must be 0, 1, 2, ... with no
/// gap; each event must decode canonically, carry its position, link to its predecessor, bear
/// a valid signature and pass the rules. The Merkle tree is recomputed alongside; `on_event`
/// sees each accepted event (with the verifier and tree after it) and may reject it.
/// `progress` is called with the count so far.
///
/// Returns `Ok(Err(_))` for a log that fails verification, `Err(_)` when it cannot be read.
pub fn verify_log(
    log: &dyn LogReader,
    mut progress: impl FnMut(u64),
    mut on_event: impl FnMut(
        &Event,
        &[u8],
        &Verifier,
        &Frontier,
        &[merkle::Node],
    ) -> Result<(), VerifyError>,
) -> Result<Result<(VerifySummary, Verifier), VerifyError>, StoreError> {
    let mut v = Verifier::new(Signatures::Check);
    let mut tree = Frontier::new();
    for item in log.scan(0) {
        let (key, bytes) = item?;
        let expected = v.len();
        if key != expected {
            return Ok(Err(VerifyError {
                seq: Seq(expected),
                kind: if key > expected {
                    VerifyErrorKind::Gap {
                        previous: Seq(expected.saturating_sub(1)),
                        next: Seq(key),
                    }
                } else {
                    VerifyErrorKind::Metadata(format!("stored key {key} out of order"))
                },
            }));
        }
        let event = match v.push(&bytes) {
            Ok(e) => e,
            Err(e) => return Ok(Err(e)),
        };
        let nodes = match tree.append(merkle::leaf_hash(&bytes)) {
            Ok(n) => n,
            Err(e) => {
                return Ok(Err(VerifyError {
                    seq: Seq(expected),
                    kind: VerifyErrorKind::Metadata(e.to_string()),
                }))
            }
        };
        if let Err(e) = on_event(&event, &bytes, &v, &tree, &nodes) {
            return Ok(Err(e));
        }
        if v.len().is_multiple_of(4096) {
            progress(v.len());
        }
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
