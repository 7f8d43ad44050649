//! `verify` replays the rules event by event ([`Verifier::push`]), so a correction that
//! breaks a rule for a fact depending on the corrected one is reported at the correction,
//! naming the dependent (issue 17 item 2). The log is `data/revision1_log.hex` (see
//! `old_format.rs`): seq 5 is Albania's 2022 term, seq 20 the vote of 2022-05-02.
#![allow(clippy::unwrap_used)]

use actledger_core::chain::seal;
use actledger_core::event::{Correction, CouncilTerm, EventBody, Fact, Seat};
use actledger_core::verify::{Signatures, Verifier};
use actledger_core::{RuleError, Seq, SigningKey, Text, Timestamp, VerifyErrorKind};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/revision1_log.hex");

#[test]
fn verify_names_the_first_fact_a_correction_breaks() {
    let mut v = Verifier::new(Signatures::Check);
    for line in std::fs::read_to_string(FIXTURE).unwrap().lines() {
        v.push(&hex::decode(line).unwrap()).unwrap();
    }
    let recorder = SigningKey::from_seed(&[3; 32]);
    let correction = |v: &Verifier, to: &str| {
        let body = EventBody::Correction(Correction {
            target: Seq(5),
            reason: Text::new("r").unwrap(),
            replacement: Fact::CouncilTerm(CouncilTerm {
                state: "ALB".parse().unwrap(),
                seat: Seat::Elected,
                from: "2022-01-01".parse().unwrap(),
                to: to.parse().unwrap(),
                source: Text::new("s").unwrap(),
                note: Text::new("").unwrap(),
            }),
        });
        let u = v.next_event(recorder.public(), Timestamp(1_700_000_000), body);
        seal(u, &recorder).unwrap().bytes
    };
    let bad = correction(&v, "2022-03-31");
    let err = v.push(&bad).unwrap_err();
    assert_eq!(err.seq, Seq(23));
    match err.kind {
        VerifyErrorKind::Rule(RuleError::BreaksDependent {
            target,
            dependent,
            reason,
        }) => {
            assert_eq!((target, dependent), (Seq(5), Seq(20)));
            assert!(
                matches!(*reason, RuleError::NotOnCouncil { .. }),
                "{reason}"
            );
        }
        other => panic!("{other}"),
    }
    // The same correction keeping Albania's seat on the vote's day is admitted.
    let good = correction(&v, "2022-06-30");
    assert!(v.push(&good).is_ok());
}
