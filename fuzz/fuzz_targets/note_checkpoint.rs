//! Signed notes, checkpoints and verifier keys (C2SP signed-note, tlog-checkpoint): never a
//! panic; whatever parses prints back to text that parses to the same value (the same bytes,
//! for a checkpoint body).
#![no_main]

use actledger_core::checkpoint::Checkpoint;
use actledger_core::note::{Note, VerifierKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(note) = Note::parse_bytes(data) {
        assert_eq!(Note::parse(&note.to_string()).ok().as_ref(), Some(&note));
        if let Ok(cp) = Checkpoint::from_note(&note) {
            assert_eq!(cp.to_body(), note.text());
        }
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(cp) = Checkpoint::parse_body(text) {
        assert_eq!(cp.to_body(), text);
    }
    if let Ok(key) = VerifierKey::parse(text.trim_end()) {
        assert_eq!(VerifierKey::parse(&key.to_string()).ok(), Some(key));
    }
});
