//! Property tests: every event round-trips through the canonical codec byte for byte,
//! signatures verify and break on any flipped bit, and random bytes never panic the decoder.
#![allow(clippy::unwrap_used)]

use actledger_core::chain;
use actledger_core::event::*;
use actledger_core::{
    Date, DraftSymbol, EventHash, Origin, Seq, SigningKey, StateCode, Text, Timestamp, UnSymbol,
};
use proptest::prelude::*;

fn state() -> impl Strategy<Value = StateCode> {
    let all: Vec<StateCode> = StateCode::all().collect();
    proptest::sample::select(all)
}
fn date() -> impl Strategy<Value = Date> {
    (1945i32..2100, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| Date::from_ymd(y, m, d).unwrap())
}
fn text() -> impl Strategy<Value = Text> {
    "[a-zA-Z0-9 éü<>&'\"/.-]{0,40}".prop_map(|s| Text::new(s).unwrap())
}
fn draft() -> impl Strategy<Value = DraftSymbol> {
    (1946u16..2100, 1u32..99_999).prop_map(|(y, n)| DraftSymbol::new(y, n).unwrap())
}
fn symbol() -> impl Strategy<Value = UnSymbol> {
    "[AS]/[0-9A-Z]{1,4}/PV\\.[0-9]{1,5}".prop_map(|s| UnSymbol::new(s).unwrap())
}
fn key() -> impl Strategy<Value = actledger_core::PublicKey> {
    any::<[u8; 32]>().prop_map(|s| SigningKey::from_seed(&s).public())
}
fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v.dedup();
    v
}

fn fact() -> impl Strategy<Value = Fact> {
    prop_oneof![
        (
            state(),
            date(),
            any::<bool>(),
            proptest::option::of(date()),
            text(),
            text(),
            text()
        )
            .prop_map(|(state, d, exact, received, reference, source, note)| {
                Fact::AdherenceLetter(AdherenceLetter {
                    state,
                    date: if exact {
                        AdherenceDate::Exact(d)
                    } else {
                        AdherenceDate::ListedBy(d)
                    },
                    received,
                    instrument: Instrument::NoteVerbale,
                    reference,
                    source,
                    note,
                })
            }),
        (state(), date(), date(), text()).prop_map(|(state, a, b, source)| {
            Fact::CouncilTerm(CouncilTerm {
                state,
                seat: if state.is_permanent_member() {
                    Seat::Permanent
                } else {
                    Seat::Elected
                },
                from: a.min(b),
                to: a.max(b),
                source,
                note: Text::empty(),
            })
        }),
        (
            draft(),
            text(),
            proptest::collection::vec(state(), 0..4),
            proptest::option::of(date()),
            proptest::option::of(symbol())
        )
            .prop_map(|(draft, subject, pens, tabled_on, meeting)| {
                Fact::DraftTabled(DraftTabled {
                    draft,
                    subject: subject.clone(),
                    agenda_item: subject,
                    penholders: sorted(pens),
                    tabled_on,
                    reported_vote: tabled_on.map(|date| ReportedVote {
                        date,
                        meeting,
                        tally: Some(Tally {
                            yes: 9,
                            no: 1,
                            abstain: 5,
                        }),
                        vetoed_by: vec!["RUS".parse().unwrap()],
                    }),
                    source: Text::new("s").unwrap(),
                    note: Text::empty(),
                })
            }),
        (
            draft(),
            date(),
            proptest::collection::vec(0u8..4, 15),
            any::<bool>(),
            proptest::option::of(symbol())
        )
            .prop_map(|(draft, date, votes, procedural, meeting)| {
                let states: Vec<StateCode> = StateCode::all().take(15).collect();
                Fact::CouncilVote(CouncilVote {
                    draft,
                    meeting,
                    date,
                    procedural,
                    votes: states
                        .into_iter()
                        .zip(votes)
                        .map(|(state, v)| MemberVote {
                            state,
                            vote: [Vote::Yes, Vote::No, Vote::Abstain, Vote::Absent]
                                [usize::from(v)],
                        })
                        .collect(),
                    source: Text::new("s").unwrap(),
                    note: Text::empty(),
                })
            }),
        (draft(), proptest::collection::vec(symbol(), 0..3)).prop_map(|(draft, basis)| {
            Fact::CredibilityAssessment(CredibilityAssessment {
                draft,
                credible: true,
                crimes: vec![AtrocityCrime::Genocide, AtrocityCrime::WarCrimes],
                basis: sorted(basis),
                rationale: Text::new("findings of the commission of inquiry").unwrap(),
            })
        }),
        (
            date(),
            proptest::option::of(draft()),
            proptest::collection::vec(state(), 0..5)
        )
            .prop_map(|(d, draft, speakers)| {
                Fact::AssemblyMeeting(AssemblyMeeting {
                    date: Some(d),
                    session: Text::new("76").unwrap(),
                    format: MeetingFormat::VetoInitiative,
                    records: vec![UnSymbol::new("A/76/PV.77").unwrap()],
                    follows: vec![VetoRef { date: d, draft }],
                    speakers: {
                        let mut seen = std::collections::BTreeSet::new();
                        speakers.into_iter().filter(|s| seen.insert(*s)).collect()
                    },
                    press_release: None,
                    source: Text::new("s").unwrap(),
                    note: Text::empty(),
                })
            }),
        (
            2000u16..2030,
            proptest::collection::btree_set(1u8..=28, 0..5)
        )
            .prop_map(|(year, days)| {
                Fact::HolidayCalendar(HolidayCalendar {
                    calendar: Text::new("UN Headquarters (New York)").unwrap(),
                    year,
                    complete: days.len() > 2,
                    holidays: days
                        .into_iter()
                        .map(|d| Holiday {
                            date: Date::from_ymd(i32::from(year), 1, d).unwrap(),
                            name: Text::new("holiday").unwrap(),
                        })
                        .collect(),
                    source: Text::new("s").unwrap(),
                })
            }),
    ]
}

fn body() -> impl Strategy<Value = EventBody> {
    prop_oneof![
        (key(), text()).prop_map(|(admin, t)| EventBody::LedgerCreated(LedgerCreated {
            origin: Origin::new("act.example.org/ledger").unwrap(),
            admin,
            admin_holder: t.clone(),
            description: t,
        })),
        (key(), 0usize..5, text()).prop_map(|(key, r, holder)| EventBody::KeyGranted(KeyGranted {
            key,
            role: Role::ALL[r],
            holder,
            note: Text::empty(),
        })),
        (key(), text()).prop_map(|(key, reason)| EventBody::KeyRevoked(KeyRevoked { key, reason })),
        fact().prop_map(EventBody::Fact),
        (any::<u64>(), fact()).prop_map(|(t, replacement)| EventBody::Correction(Correction {
            target: Seq(t),
            reason: Text::new("typo in the source").unwrap(),
            replacement,
        })),
    ]
}

fn unsigned() -> impl Strategy<Value = UnsignedEvent> {
    (any::<u64>(), any::<[u8; 32]>(), any::<i64>(), key(), body()).prop_map(
        |(seq, prev, t, author, body)| UnsignedEvent {
            version: FORMAT_VERSION,
            seq: Seq(seq),
            prev: EventHash(prev),
            recorded_at: Timestamp(t),
            author,
            body,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn encode_decode_round_trip(u in unsigned(), seed in any::<[u8; 32]>()) {
        prop_assume!(u.body.check_shape().is_ok());
        let key = SigningKey::from_seed(&seed);
        let sealed = chain::seal(u, &key).unwrap();
        let back = chain::decode_event(&sealed.bytes).unwrap();
        prop_assert_eq!(&back, &sealed.event);
        prop_assert_eq!(actledger_core::encoding::encode(&back).unwrap(), sealed.bytes.clone());
        // Trailing bytes are rejected.
        let mut longer = sealed.bytes.clone();
        longer.push(0);
        prop_assert!(chain::decode_event(&longer).is_err());
        // JSON (human-readable) round trip too.
        let json = serde_json::to_string(&back).unwrap();
        let from_json: Event = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(from_json, back);
    }

    #[test]
    fn sign_verify_round_trip(u in unsigned(), seed in any::<[u8; 32]>(), bit in any::<proptest::sample::Index>()) {
        let key = SigningKey::from_seed(&seed);
        let mut u = u;
        u.author = key.public();
        let sealed = chain::seal(u, &key).unwrap();
        prop_assert!(chain::check_event_signature(&sealed.event, &sealed.bytes));
        // Flip one bit anywhere: the event no longer verifies (or no longer decodes).
        let mut bad = sealed.bytes.clone();
        let i = bit.index(bad.len() * 8);
        bad[i / 8] ^= 1 << (i % 8);
        let still_ok = match chain::decode_event(&bad) {
            Ok(ev) => chain::check_event_signature(&ev, &bad),
            Err(_) => false,
        };
        prop_assert!(!still_ok);
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = chain::decode_event(&bytes);
    }

    #[test]
    fn truncated_or_extended_events_never_panic(u in unsigned(), tail in proptest::collection::vec(any::<u8>(), 0..64), cut in any::<proptest::sample::Index>()) {
        let key = SigningKey::from_seed(&[7; 32]);
        if let Ok(sealed) = chain::seal(u, &key) {
            let mut b = sealed.bytes.clone();
            b.truncate(cut.index(b.len() + 1));
            b.extend(tail);
            let _ = chain::decode_event(&b);
        }
    }
}

fn sample_event(key: &SigningKey) -> UnsignedEvent {
    UnsignedEvent {
        version: FORMAT_VERSION,
        seq: Seq(0),
        prev: EventHash::ZERO,
        recorded_at: Timestamp(1_700_000_000),
        author: key.public(),
        body: EventBody::Fact(Fact::AdherenceLetter(AdherenceLetter {
            state: "FRA".parse().unwrap(),
            date: AdherenceDate::Exact("2015-10-23".parse().unwrap()),
            received: None,
            instrument: Instrument::Letter,
            reference: Text::empty(),
            source: Text::new("s").unwrap(),
            note: Text::empty(),
        })),
    }
}

#[test]
fn signature_covers_all_but_the_last_64_bytes() {
    let key = SigningKey::from_seed(&[1; 32]);
    let u = sample_event(&key);
    let unsigned_bytes = actledger_core::encoding::encode(&u).unwrap();
    let sealed = chain::seal(u, &key).unwrap();
    assert_eq!(
        chain::unsigned_part(&sealed.bytes),
        unsigned_bytes.as_slice()
    );
    assert_eq!(
        &sealed.bytes[sealed.bytes.len() - 64..],
        sealed.event.signature.0.as_slice()
    );
}

#[test]
fn non_canonical_inputs_are_rejected() {
    let key = SigningKey::from_seed(&[1; 32]);
    let sealed = chain::seal(sample_event(&key), &key).unwrap();
    // Version byte.
    let mut b = sealed.bytes.clone();
    b[0] = 2;
    assert!(matches!(
        chain::decode_event(&b),
        Err(actledger_core::DecodeError::Version(2))
    ));
    // The state code sits after version(1) seq(8) prev(32) time(8) author(32) body
    // variant(4) fact variant(4) = offset 89.
    let mut b = sealed.bytes.clone();
    assert_eq!(&b[89..92], b"FRA");
    b[89..92].copy_from_slice(b"XXX");
    assert!(chain::decode_event(&b).is_err());
    // AdherenceDate variant (u32) at 92, then year u16 LE at 96, month at 98, day at 99.
    let mut b = sealed.bytes.clone();
    assert_eq!(&b[96..100], &[0xdf, 0x07, 10, 23]);
    b[98] = 2;
    b[99] = 30;
    assert!(chain::decode_event(&b).is_err());
    // An Option tag other than 0/1.
    let mut b = sealed.bytes.clone();
    assert_eq!(b[100], 0, "received: None");
    b[100] = 2;
    assert!(chain::decode_event(&b).is_err());
}
