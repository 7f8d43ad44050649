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
}

/// Verifies every stored event from its bytes, in key order: keys must be 0, 1, 2, ... with no
/// gap; each event must decode canonically, carry its position, link to its predecessor, bear
/// a valid signature and pass the rules. `progress` is called with the count so far.
///
/// Returns `Ok(Err(_))` for a log that fails verification, `Err(_)` when it cannot be read.
pub fn verify_log(
    log: &dyn LogReader,
    mut progress: impl FnMut(u64),
) -> Result<Result<(VerifySummary, Verifier), VerifyError>, StoreError> {
    let mut v = Verifier::new(Signatures::Check);
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
        if let Err(e) = v.push(&bytes) {
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
        },
        v,
    )))
}
