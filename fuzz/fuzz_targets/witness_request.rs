//! The witness's inputs from the network and its disk (C2SP tlog-witness `add-checkpoint`
//! request bodies; the witness state file): never a panic; a request that parses prints back
//! to a body that parses to the same request; a state that parses prints back to the same state.
#![no_main]

use actledger_core::witness::{AddCheckpoint, WitnessState};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = AddCheckpoint::parse(data) {
        let again = AddCheckpoint::parse(r.to_body().as_bytes());
        assert_eq!(again.ok().as_ref(), Some(&r));
    }
    if let Ok(s) = WitnessState::from_json(data) {
        let again = WitnessState::from_json(s.to_json().as_bytes()).ok();
        assert_eq!(again.map(|a| a.to_json()), Some(s.to_json()));
    }
});
