//! A ledger of format revision 1 (docs/FORMAT.md) still verifies and replays: its events are
//! kept here as bytes (`data/revision1_log.hex`, one event per line, hex), written with the
//! revision-1 kinds of fact only (whose encoding revision 2 leaves unchanged): a depositary's letter, a Council of 15, a vetoed vote, an
//! assessment without a stated day and its correction.
#![allow(clippy::unwrap_used)]

use actledger_core::chain::{decode_event, seal};
use actledger_core::event::{
    AdherenceDate, AdherenceLetter, Correction, CouncilTerm, CouncilVote, CredibilityAssessment,
    EventBody, Fact, Instrument, KeyGranted, LedgerCreated, MemberVote, Role, Seat, Vote,
};
use actledger_core::projection::{compliance, replay, Cutoff, TrustPolicy};
use actledger_core::verify::{Signatures, Verifier};
use actledger_core::{Date, Origin, Seq, SigningKey, StateCode, Text, Timestamp};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/revision1_log.hex");

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn at(day: &str) -> Timestamp {
    Timestamp(d(day).as_time().midnight().assume_utc().unix_timestamp())
}

fn text(s: &str) -> Text {
    Text::new(s).unwrap()
}

const MEMBERS: [&str; 15] = [
    "ALB", "ARE", "BRA", "CHN", "FRA", "GAB", "GBR", "GHA", "IND", "IRL", "KEN", "MEX", "NOR",
    "RUS", "USA",
];

/// Signatures are deterministic (RFC 8032), so the same facts give the same bytes: this both
/// checks that today's encoder still writes revision-1 facts exactly as the fixture holds them
/// and, with `ACTLEDGER_WRITE_FIXTURE=1`, rebuilds the fixture.
#[test]
fn the_encoder_still_writes_revision1_facts_as_the_fixture() {
    let key = |n: u8| SigningKey::from_seed(&[n; 32]);
    let (admin, dep, rec, asr) = (key(1), key(2), key(3), key(4));
    let mut v = Verifier::new(Signatures::Check);
    let mut lines = Vec::new();
    let mut push = |who: &SigningKey, day: &str, body: EventBody| {
        let u = v.next_event(who.public(), at(day), body);
        let sealed = seal(u, who).unwrap();
        v.push(&sealed.bytes).unwrap();
        lines.push(hex::encode(&sealed.bytes));
    };
    push(
        &admin,
        "2022-01-01",
        EventBody::LedgerCreated(LedgerCreated {
            origin: Origin::new("test.example/revision1").unwrap(),
            admin: admin.public(),
            admin_holder: text("admin"),
            description: text("a revision-1 ledger"),
        }),
    );
    for (k, role) in [
        (&dep, Role::Depositary),
        (&rec, Role::Recorder),
        (&asr, Role::Assessor),
    ] {
        push(
            &admin,
            "2022-01-01",
            EventBody::KeyGranted(KeyGranted {
                key: k.public(),
                role,
                holder: text(role.name()),
                note: text(""),
            }),
        );
    }
    push(
        &dep,
        "2022-01-01",
        EventBody::Fact(Fact::AdherenceLetter(AdherenceLetter {
            state: "GAB".parse().unwrap(),
            date: AdherenceDate::Exact(d("2015-10-23")),
            received: None,
            instrument: Instrument::Letter,
            reference: text(""),
            source: text("s"),
            note: text(""),
        })),
    );
    for s in MEMBERS {
        let state: StateCode = s.parse().unwrap();
        let seat = if state.is_permanent_member() {
            Seat::Permanent
        } else {
            Seat::Elected
        };
        push(
            &rec,
            "2022-01-01",
            EventBody::Fact(Fact::CouncilTerm(CouncilTerm {
                state,
                seat,
                from: d("2022-01-01"),
                to: d("2022-12-31"),
                source: text("s"),
                note: text(""),
            })),
        );
    }
    let votes = MEMBERS
        .iter()
        .map(|s| MemberVote {
            state: s.parse().unwrap(),
            vote: if *s == "RUS" || *s == "GAB" {
                Vote::No
            } else {
                Vote::Yes
            },
        })
        .collect();
    push(
        &rec,
        "2022-05-02",
        EventBody::Fact(Fact::CouncilVote(CouncilVote {
            draft: "S/2022/10".parse().unwrap(),
            meeting: None,
            date: d("2022-05-02"),
            procedural: false,
            votes,
            source: text("s"),
            note: text(""),
        })),
    );
    let assessment = |credible: bool| CredibilityAssessment {
        draft: "S/2022/10".parse().unwrap(),
        credible,
        crimes: if credible {
            vec![actledger_core::event::AtrocityCrime::WarCrimes]
        } else {
            Vec::new()
        },
        basis: Vec::new(),
        rationale: text("r"),
    };
    push(
        &asr,
        "2022-06-01",
        EventBody::Fact(Fact::CredibilityAssessment(assessment(false))),
    );
    push(
        &asr,
        "2023-03-01",
        EventBody::Correction(Correction {
            target: Seq(21),
            reason: text("reconsidered"),
            replacement: Fact::CredibilityAssessment(assessment(true)),
        }),
    );
    let written = lines.join("\n") + "\n";
    if std::env::var_os("ACTLEDGER_WRITE_FIXTURE").is_some() {
        std::fs::write(FIXTURE, &written).unwrap();
    }
    assert_eq!(std::fs::read_to_string(FIXTURE).unwrap(), written);
}

#[test]
fn a_revision1_log_verifies_and_replays_its_assessments_dated_by_their_recording() {
    let text = std::fs::read_to_string(FIXTURE).unwrap();
    let mut v = Verifier::new(Signatures::Check);
    let mut events = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let bytes = hex::decode(line).unwrap();
        // Every byte as written by revision 1: one canonical decoding, the same bytes again.
        let e = decode_event(&bytes).unwrap();
        assert_eq!(actledger_core::encoding::encode(&e).unwrap(), bytes);
        events.push((
            Seq(i as u64),
            v.push(&bytes).unwrap_or_else(|e| panic!("{e}")),
        ));
    }
    assert_eq!(events.len(), 23);
    assert!(matches!(
        events[21].1.unsigned.body,
        EventBody::Fact(Fact::CredibilityAssessment(_))
    ));
    let policy = |view: &actledger_core::projection::View| TrustPolicy::AllAssessors.resolve(view);
    // Today: the correction of 2023 (credible) applies: Gabon's no is a breach.
    let now = replay(events.clone(), Cutoff::default());
    let r = compliance(&now, &policy(&now), None);
    assert_eq!(r.counts.breach, 1);
    let a = &now.assessments()[&"S/2022/10".parse().unwrap()][0];
    assert_eq!(
        a.assessed_on,
        Some(d("2023-03-01")),
        "the correction's recording day"
    );
    // As of 2022: the assessment of 2022-06-01 (its recording day), before its correction.
    let then = replay(
        events.clone(),
        Cutoff {
            as_of: Some(d("2022-12-31")),
            ..Cutoff::default()
        },
    );
    let r = compliance(&then, &policy(&then), None);
    assert_eq!((r.counts.breach, r.counts.voted_no_not_credible), (0, 1));
    // Before it was recorded: not assessed.
    let before = replay(
        events,
        Cutoff {
            as_of: Some(d("2022-05-31")),
            ..Cutoff::default()
        },
    );
    assert!(before.assessments().is_empty());
}
