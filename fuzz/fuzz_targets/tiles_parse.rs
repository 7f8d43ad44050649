//! C2SP tlog-tiles: entry bundles, hash tiles, tile paths, and the stored Merkle frontier.
//! Never a panic; an accepted bundle re-encodes to the same bytes.
#![no_main]

use actledger_core::merkle::Frontier;
use actledger_core::tiles::{encode_entry_bundle, parse_entry_bundle, parse_hash_tile, TileId};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(entries) = parse_entry_bundle(data) {
        assert_eq!(encode_entry_bundle(0, &entries).ok().as_deref(), Some(data));
    }
    if let Ok(hashes) = parse_hash_tile(data) {
        assert_eq!(hashes.len() * 32, data.len());
    }
    if let Ok(f) = Frontier::from_bytes(data) {
        assert_eq!(f.to_bytes(), data);
    }
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(id) = TileId::parse_path(s) {
            assert_eq!(TileId::parse_path(&id.path()).ok(), Some(id));
        }
    }
});
