//! The CSV importers (`actledger::import::parse`, what `actledger import` runs): the first
//! byte picks the kind (supporters, members, vetoes, votes, meetings, holidays), the rest is
//! the file. Never a panic; an error is one line naming the file; every fact encodes.
#![no_main]

use actledger::import::{parse, Kind, ParseOptions};
use libfuzzer_sys::fuzz_target;

const KINDS: [Kind; 6] = [
    Kind::Supporters,
    Kind::Members,
    Kind::Vetoes,
    Kind::Votes,
    Kind::Meetings,
    Kind::Holidays,
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, csv)) = data.split_first() else {
        return;
    };
    let kind = KINDS[usize::from(selector) % KINDS.len()];
    let opts = ParseOptions {
        complete_years: vec![2017, 2020, 2024],
        ..ParseOptions::default()
    };
    match parse(kind, "fuzz.csv", csv, &opts) {
        Ok(parsed) => {
            for item in &parsed.items {
                actledger_core::encoding::encode(&item.fact).expect("a parsed fact encodes");
            }
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.starts_with("fuzz.csv"), "{msg}");
            assert!(!msg.contains('\n'), "{msg:?}");
        }
    }
});
