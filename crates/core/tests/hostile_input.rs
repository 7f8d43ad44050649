//! Hostile input for every decoder and parser of untrusted bytes: never a panic, and never an
//! allocation the input does not pay for. Complements `roundtrip.rs` (random bytes, truncated
//! and extended events) and `merkle_props.rs` (random strings and line soups) with:
//!
//! - structured mutations of valid events of every kind (flipped, boundary and inserted or
//!   deleted bytes, length prefixes overwritten with huge claims): the decoder refuses them or
//!   accepts exactly one canonical form, and `chain::peek_kind` agrees with it;
//! - every 8-byte window of every fixture event overwritten with a length claiming 64 KiB to
//!   16 EiB, and 16 MiB inputs for every parser, run in a child process under `ulimit -v`
//!   (1 GB of address space): an allocation sized by a claim instead of the input aborts it;
//! - mutated verifier keys, entry bundles and hash tiles (parse, and round trip when accepted).
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use actledger_core::checkpoint::Checkpoint;
use actledger_core::event::*;
use actledger_core::merkle::{Frontier, Hash};
use actledger_core::note::{Note, VerifierKey};
use actledger_core::proof::{parse_consistency_proof, TlogProof};
use actledger_core::tiles::{encode_entry_bundle, parse_entry_bundle, parse_hash_tile, TileId};
use actledger_core::{
    chain, encoding, Date, DraftSymbol, EventHash, Origin, Seq, SigningKey, StateCode, Text,
    Timestamp, UnSymbol,
};
use proptest::prelude::*;

fn st(s: &str) -> StateCode {
    s.parse().unwrap()
}
fn day(s: &str) -> Date {
    s.parse().unwrap()
}
fn t(s: &str) -> Text {
    Text::new(s).unwrap()
}
fn sym(s: &str) -> UnSymbol {
    UnSymbol::new(s).unwrap()
}

/// One valid body of every kind (every fact variant, key events, a correction).
fn bodies() -> Vec<EventBody> {
    let key = SigningKey::from_seed(&[3; 32]).public();
    let draft = DraftSymbol::new(2022, 720).unwrap();
    let council = [
        "ALB", "ARE", "BRA", "CHN", "FRA", "GAB", "GBR", "GHA", "IND", "IRL", "KEN", "MEX", "NOR",
        "RUS", "USA",
    ];
    let vote = Fact::CouncilVote(CouncilVote {
        draft,
        meeting: Some(sym("S/PV.9143")),
        date: day("2022-09-30"),
        procedural: false,
        votes: council
            .iter()
            .map(|s| MemberVote {
                state: st(s),
                vote: match *s {
                    "RUS" => Vote::No,
                    "CHN" | "BRA" | "GAB" | "IND" => Vote::Abstain,
                    _ => Vote::Yes,
                },
            })
            .collect(),
        source: t("https://press.un.org/en/2022/sc15046.doc.htm"),
        note: t("a note"),
    });
    let letter = Fact::AdherenceLetter(AdherenceLetter {
        state: st("GBR"),
        date: AdherenceDate::Exact(day("2015-10-01")),
        received: Some(day("2015-10-02")),
        instrument: Instrument::Letter,
        reference: t("ref 1"),
        source: t("https://example.org/uk"),
        note: t(""),
    });
    vec![
        EventBody::LedgerCreated(LedgerCreated {
            origin: Origin::new("act.example.org/ledger").unwrap(),
            admin: key,
            admin_holder: t("ACT Group secretariat"),
            description: t("test"),
        }),
        EventBody::KeyGranted(KeyGranted {
            key,
            role: Role::Recorder,
            holder: t("Secretariat"),
            note: t("n"),
        }),
        EventBody::KeyRevoked(KeyRevoked {
            key,
            reason: t("lost"),
        }),
        EventBody::Fact(letter.clone()),
        EventBody::Fact(Fact::CouncilTerm(CouncilTerm {
            state: st("ALB"),
            seat: Seat::Elected,
            from: day("2022-01-01"),
            to: day("2022-12-31"),
            source: t("sc_members.csv"),
            note: t(""),
        })),
        EventBody::Fact(Fact::DraftTabled(DraftTabled {
            draft,
            subject: t("Ukraine"),
            agenda_item: t("Maintenance of peace and security of Ukraine"),
            penholders: vec![st("ALB"), st("USA")],
            tabled_on: Some(day("2022-09-30")),
            reported_vote: Some(ReportedVote {
                date: day("2022-09-30"),
                meeting: Some(sym("S/PV.9143")),
                tally: Some(Tally {
                    yes: 10,
                    no: 1,
                    abstain: 4,
                }),
                vetoed_by: vec![st("RUS")],
            }),
            source: t("s"),
            note: t(""),
        })),
        EventBody::Fact(vote),
        EventBody::Fact(Fact::CredibilityAssessment(CredibilityAssessment {
            draft,
            credible: true,
            crimes: vec![AtrocityCrime::Genocide, AtrocityCrime::WarCrimes],
            basis: vec![sym("A/HRC/52/62"), sym("S/PV.9143")],
            rationale: t("findings of the commission of inquiry"),
        })),
        EventBody::Fact(Fact::AssemblyMeeting(AssemblyMeeting {
            date: Some(day("2022-10-10")),
            session: t("ES-11"),
            format: MeetingFormat::EmergencySpecialSession,
            records: vec![sym("A/ES-11/PV.12")],
            follows: vec![VetoRef {
                date: day("2022-09-30"),
                draft: Some(draft),
            }],
            speakers: vec![st("UKR"), st("RUS"), st("FRA")],
            press_release: Some(sym("GA/12458")),
            source: t("s"),
            note: t(""),
        })),
        EventBody::Fact(Fact::HolidayCalendar(HolidayCalendar {
            calendar: t("UN Headquarters (New York)"),
            year: 2024,
            complete: true,
            holidays: vec![
                Holiday {
                    date: day("2024-01-01"),
                    name: t("New Year's Day"),
                },
                Holiday {
                    date: day("2024-12-25"),
                    name: t("Christmas Day"),
                },
            ],
            source: t("s"),
        })),
        EventBody::Correction(Correction {
            target: Seq(3),
            reason: t("typo in the source"),
            replacement: letter,
        }),
    ]
}

/// The stored bytes of one valid event per body.
fn fixtures() -> Vec<Vec<u8>> {
    let key = SigningKey::from_seed(&[9; 32]);
    bodies()
        .into_iter()
        .enumerate()
        .map(|(i, body)| {
            let u = UnsignedEvent {
                version: FORMAT_VERSION,
                seq: Seq(i as u64),
                prev: EventHash([i as u8; 32]),
                recorded_at: Timestamp(1_700_000_000 + i as i64),
                author: key.public(),
                body,
            };
            let sealed = chain::seal(u, &key).unwrap();
            assert!(chain::decode_event(&sealed.bytes).is_ok());
            sealed.bytes
        })
        .collect()
}

/// Length claims: 4 GiB and up (a `u64` LE length prefix of the codec), and just past the
/// 65,535-byte event limit.
const HUGE: [u64; 7] = [
    u64::MAX,
    u64::MAX - 7,
    1 << 63,
    1 << 40,
    1 << 32,
    65_536,
    u32::MAX as u64,
];

/// Decodes and cross-checks: an accepted event re-encodes to the same bytes (the decoder's
/// own canonical check) and `peek_kind` reads the kind the decoder found.
fn decode_checked(bytes: &[u8]) -> bool {
    let peek = chain::peek_kind(bytes);
    // The event decoders read the header and signature at their offsets: they must accept
    // exactly what decoding the whole Event with the codec accepts, with the same values.
    let version_ok = bytes.first() == Some(&FORMAT_VERSION);
    let whole = encoding::decode::<Event>(bytes)
        .ok()
        .filter(|e| version_ok && e.unsigned.body.check_shape().is_ok());
    assert_eq!(
        chain::decode_event(bytes).ok(),
        whole,
        "canonical decode differs"
    );
    // The replay-only decoder accepts a superset (it skips the re-encoding check) and agrees
    // wherever the canonical decoder accepts.
    let replayed = chain::ReplayOnly::decode_event(bytes).ok();
    if let Ok(canonical) = chain::decode_event(bytes) {
        assert_eq!(replayed, Some(canonical), "replay-only decode differs");
    }
    if replayed.is_none() {
        assert!(
            chain::decode_event(bytes).is_err(),
            "replay-only decode refuses more"
        );
    }
    match chain::decode_event(bytes) {
        Ok(ev) => {
            let (body, fact) = match &ev.unsigned.body {
                EventBody::LedgerCreated(_) => (0, None),
                EventBody::KeyGranted(_) => (1, None),
                EventBody::KeyRevoked(_) => (2, None),
                EventBody::Fact(f) => (3, Some(fact_index(f))),
                EventBody::Correction(c) => (4, Some(fact_index(&c.replacement))),
            };
            assert_eq!(peek, Some((body, fact)), "peek_kind disagrees with decode");
            if let EventBody::Fact(f) | EventBody::Correction(Correction { replacement: f, .. }) =
                &ev.unsigned.body
            {
                assert_eq!(
                    Some(f.variant()),
                    fact,
                    "Fact::variant disagrees with the format"
                );
            }
            true
        }
        Err(_) => false,
    }
}

fn fact_index(f: &Fact) -> u32 {
    match f {
        Fact::AdherenceLetter(_) => 0,
        Fact::CouncilTerm(_) => 1,
        Fact::DraftTabled(_) => 2,
        Fact::CouncilVote(_) => 3,
        Fact::CredibilityAssessment(_) => 4,
        Fact::AssemblyMeeting(_) => 5,
        Fact::HolidayCalendar(_) => 6,
        Fact::DatedAssessment(_) => 7,
        Fact::TallyVote(_) => 8,
        Fact::SupporterListAttested(_) => 9,
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Xor(usize, u8),
    Set(usize, u8),
    Claim(usize, u64),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Repeat(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let pos = any::<proptest::sample::Index>();
    prop_oneof![
        (pos.clone(), 1u8..=255).prop_map(|(i, x)| Mutation::Xor(i.index(usize::MAX), x)),
        (
            pos.clone(),
            prop::sample::select(vec![0u8, 1, 2, 0x7f, 0x80, 0xfe, 0xff])
        )
            .prop_map(|(i, b)| Mutation::Set(i.index(usize::MAX), b)),
        (pos.clone(), prop::sample::select(HUGE.to_vec()))
            .prop_map(|(i, v)| Mutation::Claim(i.index(usize::MAX), v)),
        (pos.clone(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(i, b)| Mutation::Insert(i.index(usize::MAX), b)),
        (pos.clone(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i.index(usize::MAX), n)),
        (pos, 1usize..64).prop_map(|(i, n)| Mutation::Repeat(i.index(usize::MAX), n)),
    ]
}

fn apply(b: &mut Vec<u8>, m: &Mutation) {
    if b.is_empty() {
        return;
    }
    let at = |i: usize| i % b.len();
    match m {
        Mutation::Xor(i, x) => {
            let i = at(*i);
            b[i] ^= x;
        }
        Mutation::Set(i, v) => {
            let i = at(*i);
            b[i] = *v;
        }
        Mutation::Claim(i, v) => {
            let i = at(*i).min(b.len().saturating_sub(8));
            let end = (i + 8).min(b.len());
            b[i..end].copy_from_slice(&v.to_le_bytes()[..end - i]);
        }
        Mutation::Insert(i, bytes) => {
            let i = at(*i);
            b.splice(i..i, bytes.iter().copied());
        }
        Mutation::Delete(i, n) => {
            let i = at(*i);
            let end = (i + n).min(b.len());
            b.drain(i..end);
        }
        Mutation::Repeat(i, n) => {
            let i = at(*i);
            let end = (i + n).min(b.len());
            let copy = b[i..end].to_vec();
            b.splice(end..end, copy);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn mutated_events_never_panic(which in 0usize..11, muts in prop::collection::vec(mutation(), 1..5)) {
        let fx = fixtures();
        let mut b = fx[which % fx.len()].clone();
        for m in &muts {
            apply(&mut b, m);
        }
        decode_checked(&b);
    }

    #[test]
    fn peek_kind_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200), body in 0u32..6, claim in any::<u64>()) {
        let _ = chain::peek_kind(&bytes);
        // The correction path reads a length from the bytes: any claim, at any size.
        let mut b = vec![0u8; 81];
        b.extend_from_slice(&body.to_le_bytes());
        b.extend_from_slice(&[0; 8]);
        b.extend_from_slice(&claim.to_le_bytes());
        b.extend_from_slice(&bytes);
        let _ = chain::peek_kind(&b);
        for h in HUGE {
            let mut c = b.clone();
            c[93..101].copy_from_slice(&h.to_le_bytes());
            let _ = chain::peek_kind(&c);
            c[93..101].copy_from_slice(&(u64::MAX - 101 - h % 16).to_le_bytes());
            let _ = chain::peek_kind(&c);
        }
    }

    #[test]
    fn mutated_verifier_keys_never_panic(muts in prop::collection::vec((any::<proptest::sample::Index>(), any::<char>()), 1..4), cut in any::<proptest::sample::Index>()) {
        let good = "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx";
        let mut chars: Vec<char> = good.chars().collect();
        for (i, c) in &muts {
            let i = i.index(chars.len());
            chars[i] = *c;
        }
        chars.truncate(cut.index(chars.len() + 1).max(1));
        let s: String = chars.into_iter().collect();
        if let Ok(k) = VerifierKey::parse(&s) {
            prop_assert_eq!(VerifierKey::parse(&k.to_string()).unwrap(), k);
        }
    }

    #[test]
    fn mutated_entry_bundles_never_panic(
        entries in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 0..20),
        muts in prop::collection::vec(mutation(), 0..4),
    ) {
        let mut b = encode_entry_bundle(0, &entries).unwrap();
        prop_assert_eq!(parse_entry_bundle(&b).unwrap(), entries.iter().map(Vec::as_slice).collect::<Vec<_>>());
        for m in &muts {
            apply(&mut b, m);
        }
        if let Ok(parsed) = parse_entry_bundle(&b) {
            // Accepted means it re-encodes to exactly these bytes.
            prop_assert_eq!(encode_entry_bundle(0, &parsed).unwrap(), b);
        }
    }

    #[test]
    fn hash_tiles_of_any_length(len in 0usize..9000, fill in any::<u8>()) {
        let b = vec![fill; len];
        match parse_hash_tile(&b) {
            Ok(h) => prop_assert!(len == 32 * h.len() && (1..=256).contains(&h.len())),
            Err(_) => prop_assert!(len % 32 != 0 || len == 0 || len > 32 * 256),
        }
    }
}

/// Every 8-byte window of every fixture overwritten with every huge length claim: about
/// 20,000 decodes. Nothing panics, nothing accepted is non-canonical. (Allocation is bounded
/// by the child-process test below, which runs the same sweep under `ulimit -v`.)
#[test]
fn every_window_claiming_gigabytes_is_refused_or_canonical() {
    let t0 = Instant::now();
    let n = huge_claim_sweep();
    eprintln!(
        "hostile_input: {n} decodes with 64 KiB-16 EiB length claims in {:?}",
        t0.elapsed()
    );
    assert!(n > 10_000);
}

fn huge_claim_sweep() -> usize {
    let mut n = 0;
    for f in fixtures() {
        for i in 0..f.len().saturating_sub(8) {
            for h in HUGE {
                let mut b = f.clone();
                b[i..i + 8].copy_from_slice(&h.to_le_bytes());
                decode_checked(&b);
                n += 1;
            }
        }
    }
    n
}

/// 16 MiB inputs for every parser, and the length-claim sweep. Run by
/// `bounded_memory_under_ulimit` in a child process limited to 1 GB of address space; on its
/// own it only proves there is no panic.
#[test]
#[ignore = "run by bounded_memory_under_ulimit in a memory-limited child process"]
fn hostile_workload() {
    let t0 = Instant::now();
    let big = 16 << 20;
    let n = huge_claim_sweep();
    // Binary decoders.
    let _ = chain::decode_event(&vec![0xff; big]);
    let _ = chain::peek_kind(&vec![0xff; big]);
    let _ = actledger_core::encoding::decode::<Vec<u8>>(&[0xff; 8]);
    let _ = actledger_core::encoding::decode::<Vec<Vec<u64>>>(&[0xff; 64]);
    let _ = actledger_core::encoding::decode::<String>(&[0xfe; 16]);
    let _ = parse_entry_bundle(&vec![0xff; big]);
    let _ = parse_hash_tile(&vec![0xab; big]);
    let _ = parse_hash_tile(&vec![0xab; 32 * 100_000]);
    for size in [u64::MAX, 1 << 40, (1 << 32) - 1] {
        let mut f = size.to_be_bytes().to_vec();
        f.extend(vec![7u8; big]);
        let _ = Frontier::from_bytes(&f);
        let _ = Frontier::from_bytes(&size.to_be_bytes());
    }
    // Text parsers: 16 MiB of plausible lines.
    let hash_line = format!("{}\n", Hash::from_slice(&[1; 32]).unwrap().to_base64());
    let texts = [
        "a".repeat(big),
        "\n".repeat(big),
        hash_line.repeat(big / hash_line.len()),
        format!(
            "c2sp.org/tlog-proof@v1\nindex 1\n{}",
            hash_line.repeat(big / hash_line.len())
        ),
        format!("origin\n1\n{}x\n", hash_line).repeat(big / 60),
        format!("example.com/log\n{}\n{}", "9".repeat(big), hash_line),
        format!("\u{2014} name {}\n", "A".repeat(big)),
    ];
    for s in &texts {
        let _ = Note::parse(s);
        let _ = Note::parse_bytes(s.as_bytes());
        let _ = Checkpoint::parse_body(s);
        let _ = TlogProof::parse(s);
        let _ = parse_consistency_proof(s);
        let _ = VerifierKey::parse(s);
        let _ = TileId::parse_path(s);
        let _ = Hash::from_base64(s);
    }
    eprintln!(
        "hostile_workload: {n} length claims and {} 16 MiB inputs in {:?}",
        texts.len() * 8 + 10,
        t0.elapsed()
    );
}

#[test]
fn bounded_memory_under_ulimit() {
    let exe = std::env::current_exe().unwrap();
    // 1 GB of address space: room for the test harness and 16 MiB inputs, not for an
    // allocation sized by a claimed length.
    let script = format!(
        "ulimit -v 1000000 && exec '{}' --exact hostile_workload --ignored --nocapture --test-threads 1",
        exe.display()
    );
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "under ulimit -v:\n{text}");
    assert!(text.contains("1 passed"), "{text}");
    if let Some(line) = text.lines().find(|l| l.starts_with("hostile_workload:")) {
        eprintln!("{line} (under ulimit -v 1000000)");
    }
}

/// The witness state file and an evidence file are read from disk and from anyone: a JSON
/// error that quotes multi-byte text is cut at a character boundary, never mid-character (the
/// `witness_request` fuzz target found a panic here: `String::truncate` at byte 200).
#[test]
fn json_errors_quoting_multibyte_text_are_cut_on_a_character_boundary() {
    use actledger_core::evidence::Evidence;
    use actledger_core::witness::WitnessState;
    for n in 60..140 {
        for prefix in ["", "a", "ab"] {
            let json = format!("\"{prefix}{}\"", "é".repeat(n));
            let e = WitnessState::from_json(json.as_bytes())
                .unwrap_err()
                .to_string();
            assert!(e.len() <= 300, "{e}");
            let e = Evidence::from_json(json.as_bytes())
                .unwrap_err()
                .to_string();
            assert!(e.len() <= 300, "{e}");
        }
    }
    let found = include_bytes!("../../../fuzz/corpus/witness_request/crash-4f5898e7-state-json");
    assert!(WitnessState::from_json(found).is_err());
}
