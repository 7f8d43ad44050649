//! Unit tests of key names, verifier keys, notes and cosignatures.

use super::*;

fn name(s: &str) -> KeyName {
    KeyName::new(s).unwrap()
}

#[test]
fn spec_example_key_id() {
    // The verifier key of tessera's test log (tests/vectors/tessera-log/README.md).
    let vk = VerifierKey::parse(
        "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",
    )
    .unwrap();
    assert_eq!(vk.id().to_string(), "33d7b496");
    assert_eq!(vk.kind(), KeyKind::Ed25519);
    assert_eq!(
        vk.to_string(),
        "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx"
    );
}

#[test]
fn verifier_key_rejects_malformed() {
    let good = "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx";
    for bad in [
        "",
        "name",
        "name+33d7b496",
        "example.com/log/testdata+33d7b497+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",
        "example.com/log/testdata+33D7B496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",
        "example.com/log/testdata+33d7b4+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",
        "example.com/log/testdatb+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",
        "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkS",
        "example.com/log/testdata+33d7b496+AuHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",
        "exa mple+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",
        "+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx",
    ] {
        assert!(VerifierKey::parse(bad).is_err(), "{bad:?}");
    }
    assert!(VerifierKey::parse(good).is_ok());
    assert!(VerifierKey::parse(&format!("{good}\n")).is_err());
    // Weak key: the identity point, with a matching key ID.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut raw = vec![1u8];
    raw.extend_from_slice(&identity);
    let id = KeyId::compute(&name("w"), 1, &identity);
    let s = format!(
        "w+{id}+{}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    );
    assert_eq!(VerifierKey::parse(&s), Err(VerifierKeyError::PublicKey));
}

#[test]
fn sign_verify_round_trip() {
    let key = SigningKey::from_seed(&[7; 32]);
    let n = name("example.org/log");
    let vk = VerifierKey::from_signing_key(n.clone(), KeyKind::Ed25519, &key).unwrap();
    assert_eq!(VerifierKey::parse(&vk.to_string()).unwrap(), vk);
    let mut note = Note::new("hello\n\nworld\n").unwrap();
    note.sign(&n, &key).unwrap();
    let text = note.to_string();
    assert!(text.starts_with("hello\n\nworld\n\n\u{2014} example.org/log "));
    let parsed = Note::parse(&text).unwrap();
    assert_eq!(parsed, note);
    assert_eq!(parsed.text(), "hello\n\nworld\n");
    parsed.verify(&vk).unwrap();

    // A wrong key with the same name: its key ID differs, so the note has no signature
    // by it.
    let other = SigningKey::from_seed(&[8; 32]);
    let other_vk = VerifierKey::from_signing_key(n.clone(), KeyKind::Ed25519, &other).unwrap();
    assert!(matches!(
        parsed.verify(&other_vk),
        Err(NoteVerifyError::NoSignature { .. })
    ));

    // A tampered body.
    let tampered = Note::parse(&text.replacen("world", "w0rld", 1)).unwrap();
    assert!(matches!(
        tampered.verify(&vk),
        Err(NoteVerifyError::BadSignature { .. })
    ));

    // Unknown signatures are ignored; a bad one by the known key rejects the note.
    let mut with_unknown = parsed.clone();
    with_unknown.sign(&name("someone.else"), &other).unwrap();
    with_unknown.verify(&vk).unwrap();
    let mut with_bad = parsed.clone();
    let mut forged = parsed.signatures()[0].clone();
    forged.signature[0] ^= 1;
    with_bad.push_signature(forged).unwrap();
    assert!(matches!(
        with_bad.verify(&vk),
        Err(NoteVerifyError::BadSignature { .. })
    ));
}

#[test]
fn cosignature_round_trip() {
    let log = SigningKey::from_seed(&[1; 32]);
    let witness = SigningKey::from_seed(&[2; 32]);
    let wname = name("witness.example/w1");
    let wvk =
        VerifierKey::from_signing_key(wname.clone(), KeyKind::CosignatureV1, &witness).unwrap();
    let mut note =
        Note::new("example.org/log\n3\nrKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=\n").unwrap();
    note.sign(&name("example.org/log"), &log).unwrap();
    note.cosign(&wname, &witness, 1_679_315_147).unwrap();
    let parsed = Note::parse(&note.to_string()).unwrap();
    assert_eq!(parsed.verify_cosignature(&wvk).unwrap(), 1_679_315_147);
    parsed.verify(&wvk).unwrap();
    let raw = &parsed.signatures()[1];
    assert_eq!(raw.key_id, wvk.id());
    assert_eq!(raw.signature.len(), 8 + 64);
    assert_eq!(&raw.signature[..8], &1_679_315_147u64.to_be_bytes());
    // The same Ed25519 key as a plain note key has another key ID: no signature.
    let plain = VerifierKey::from_signing_key(wname.clone(), KeyKind::Ed25519, &witness).unwrap();
    assert!(matches!(
        parsed.verify(&plain),
        Err(NoteVerifyError::NoSignature { .. })
    ));
    assert!(matches!(
        parsed.verify_cosignature(&plain),
        Err(NoteVerifyError::WrongKind { .. })
    ));
    // A changed timestamp breaks the signature.
    let mut bumped = parsed.clone();
    bumped.signatures[1].signature[7] ^= 1;
    assert!(matches!(
        bumped.verify_cosignature(&wvk),
        Err(NoteVerifyError::BadSignature { .. })
    ));
    assert_eq!(
        note.cosign(&wname, &witness, u64::MAX),
        Err(NoteError::Timestamp(u64::MAX))
    );
    assert_eq!(
        cosignature_message(5, "a\n"),
        b"cosignature/v1\ntime 5\na\n".to_vec()
    );
}

#[test]
fn malformed_notes_are_errors() {
    let key = SigningKey::from_seed(&[3; 32]);
    let mut note = Note::new("body\n").unwrap();
    note.sign(&name("n"), &key).unwrap();
    let good = note.to_string();
    let sig_b64 = good.rsplit(' ').next().unwrap().trim_end().to_owned();
    let cases: Vec<String> = vec![
        String::new(),
        "body\n".into(),
        "body\n\n".into(),
        good.trim_end_matches('\n').into(),
        good.replace('\u{2014}', "-"),
        good.replace("\u{2014} n ", "\u{2014} n  "),
        good.replace("\u{2014} n ", "\u{2014}  n "),
        good.replace("\u{2014} n ", "\u{2014} n+x "),
        good.replace(&sig_b64, "AAAA"),
        good.replace(&sig_b64, "!!!!"),
        good.replace(&sig_b64, sig_b64.trim_end_matches('=')),
        good.replace("body", "bo\rdy"),
        good.replace("body", "bo\tdy"),
        format!("{good}\n"),
        format!("{good}garbage\n"),
        "x".repeat(MAX_NOTE_BYTES + 1),
    ];
    for c in &cases {
        assert!(Note::parse(c).is_err(), "{c:?}");
    }
    assert!(Note::parse_bytes(b"\xff\n\n\xe2\x80\x94 n AAAAAAA=\n").is_err());
    let many = format!(
        "body\n\n{}",
        format!("\u{2014} n {sig_b64}\n").repeat(MAX_SIGNATURES + 1)
    );
    assert_eq!(
        Note::parse(&many),
        Err(NoteError::TooManySignatures(MAX_SIGNATURES))
    );
    assert!(Note::new("no newline").is_err());
    assert!(Note::new("").is_err());
    assert!(Note::new("a\u{7}\n").is_err());
    assert!(KeyName::new("a\u{a0}b").is_err());
    assert!(KeyName::new("a b").is_err());
    assert!(KeyName::new("").is_err());
    assert!(KeyName::new("a+b").is_err());
    assert!(KeyName::new("é.example/x").is_ok());
}
