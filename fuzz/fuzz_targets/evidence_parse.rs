//! Evidence files, as `verify-evidence` reads them from anyone (docs/FORMAT.md, "Evidence").
//! Input: a verifier key line, then the evidence JSON (so each seed carries the key of the log
//! it accuses, and the check runs its deep paths). Never a panic; a file that parses prints back
//! to JSON that parses to the same evidence; checking it against the key (with the same full
//! verification of entries `verify-evidence` runs) never panics, and a confirmation is one line.
#![no_main]

use actledger_core::evidence::Evidence;
use actledger_core::note::VerifierKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (key_line, json) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&data[..0], data),
    };
    let Ok(e) = Evidence::from_json(json) else {
        return;
    };
    let again = Evidence::from_json(e.to_json().as_bytes());
    assert_eq!(again.ok().as_ref(), Some(&e));
    let key = std::str::from_utf8(key_line)
        .ok()
        .and_then(|k| VerifierKey::parse(k).ok());
    if let Some(key) = key {
        if let Ok(confirmed) = e.check(&key, actledger_http::monitor::verify_entries) {
            assert!(!confirmed.contains('\n'), "{confirmed}");
        }
    }
});
