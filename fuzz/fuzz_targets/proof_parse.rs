//! C2SP tlog-proof and RFC 9162 consistency proofs (text): never a panic; whatever parses
//! prints back to the same proof; verifying against a fixed key never panics either.
#![no_main]

use actledger_core::note::VerifierKey;
use actledger_core::proof::{format_consistency_proof, parse_consistency_proof, TlogProof};
use libfuzzer_sys::fuzz_target;

/// The demo log's verifier key (fuzz/corpus/note_checkpoint/demo-vkey).
const VKEY: &str =
    "actledger.example/act-code-demo+9ce6888e+AQFo3Pz6fPaQV9ed0i7sv5RzHEluztl6Tlc7LGuMf1hY";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(p) = TlogProof::parse(text) {
        assert_eq!(TlogProof::parse(&p.to_string()).ok().as_ref(), Some(&p));
        if let Ok(key) = VerifierKey::parse(VKEY) {
            let _ = p.verify("actledger.example/act-code-demo", &key);
        }
    }
    if let Ok(hashes) = parse_consistency_proof(text) {
        assert_eq!(format_consistency_proof(&hashes), text);
    }
});
