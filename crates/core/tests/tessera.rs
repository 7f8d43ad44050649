//! Interoperability with a real C2SP tiled log: the 15-entry test log written by
//! transparency-dev/tessera's POSIX storage (Apache-2.0), copied unchanged into
//! `tests/vectors/tessera-log/` (source, commit, verifier key and entries in its README.md).
//!
//! Checks signed-note and checkpoint verification with Tessera's key, RFC 6962 roots at every
//! size, consistency between every pair of checkpoints, inclusion proofs in tlog-proof form
//! under Tessera's own signed checkpoint, reading its tiles, and writing byte-identical tiles.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::PathBuf;

use actledger_core::checkpoint::{Checkpoint, SignedCheckpoint};
use actledger_core::merkle::{
    consistency_proof, empty_root, inclusion_proof, leaf_hash, verify_consistency, Frontier, Hash,
};
use actledger_core::note::{KeyKind, Note, VerifierKey};
use actledger_core::proof::{
    format_consistency_proof, parse_consistency_proof, verify_checkpoint_consistency, TlogProof,
};
use actledger_core::tiles::{
    node_from_tiles, parse_entry_bundle, parse_hash_tile, tile_files, tiles_from_entries, TileId,
    TileKind,
};

const ORIGIN: &str = "example.com/log/testdata";
const VKEY: &str = "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx";
const ENTRIES: [&str; 15] = [
    "one", "two", "three", "four", "five", "six", "seven", "eit", "nain", "ten", "ileven", "twelf",
    "threeten", "fourten", "fivten",
];

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/tessera-log")
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(dir().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn key() -> VerifierKey {
    VerifierKey::parse(VKEY).unwrap()
}

/// The verified checkpoints `checkpoint.0` to `checkpoint.15`.
fn checkpoints() -> Vec<SignedCheckpoint> {
    (0..=15)
        .map(|n| {
            let text = String::from_utf8(read(&format!("checkpoint.{n}"))).unwrap();
            Checkpoint::open(&text, ORIGIN, &key())
                .unwrap_or_else(|e| panic!("checkpoint.{n}: {e}"))
        })
        .collect()
}

/// Every node of the tree over the 15 entries, as a store would keep them.
fn nodes() -> HashMap<(u8, u64), Hash> {
    let mut f = Frontier::new();
    let mut nodes = HashMap::new();
    for e in ENTRIES {
        for node in f.append(leaf_hash(e.as_bytes())).unwrap() {
            nodes.insert((node.level, node.index), node.hash);
        }
    }
    nodes
}

#[test]
fn checkpoints_verify_with_tesseras_key() {
    let key = key();
    assert_eq!(key.kind(), KeyKind::Ed25519);
    assert_eq!(key.to_string(), VKEY);
    for (n, c) in checkpoints().iter().enumerate() {
        assert_eq!(c.checkpoint().size(), n as u64);
        assert_eq!(c.checkpoint().origin(), ORIGIN);
        // The text round-trips byte for byte.
        assert_eq!(
            c.note().to_string().into_bytes(),
            read(&format!("checkpoint.{n}"))
        );
    }
    let latest = String::from_utf8(read("checkpoint")).unwrap();
    let latest = Checkpoint::open(&latest, ORIGIN, &key).unwrap();
    assert_eq!(latest.checkpoint(), checkpoints()[15].checkpoint());
    assert_eq!(*checkpoints()[0].checkpoint().root(), empty_root());

    // Tampering with the size or root of a real checkpoint breaks its signature.
    let text = String::from_utf8(read("checkpoint.7")).unwrap();
    assert!(Checkpoint::open(&text.replacen("\n7\n", "\n8\n", 1), ORIGIN, &key).is_err());
    let root = checkpoints()[7].checkpoint().root().to_base64();
    let other_root = checkpoints()[8].checkpoint().root().to_base64();
    assert!(Checkpoint::open(&text.replacen(&root, &other_root, 1), ORIGIN, &key).is_err());
    // Another name, or another key under the same name, finds no signature.
    let renamed = VKEY.replacen("testdata", "testdatb", 1);
    assert!(
        VerifierKey::parse(&renamed).is_err(),
        "the key ID binds the name"
    );
    let note = Note::parse(&text).unwrap();
    let stranger = actledger_core::SigningKey::from_seed(&[1; 32]);
    let stranger =
        VerifierKey::from_signing_key(key.name().clone(), KeyKind::Ed25519, &stranger).unwrap();
    assert!(note.verify(&stranger).is_err());
}

#[test]
fn roots_at_every_size() {
    let cps = checkpoints();
    let mut f = Frontier::new();
    assert_eq!(f.root(), *cps[0].checkpoint().root());
    let nodes = nodes();
    for (i, e) in ENTRIES.iter().enumerate() {
        f.append(leaf_hash(e.as_bytes())).unwrap();
        let n = i as u64 + 1;
        assert_eq!(f.root(), *cps[i + 1].checkpoint().root(), "size {n}");
        let reader = |l: u8, i: u64| nodes.get(&(l, i)).copied().ok_or(());
        assert_eq!(
            actledger_core::merkle::root(n, reader).unwrap(),
            f.root(),
            "size {n}"
        );
    }
}

#[test]
fn consistency_between_every_pair() {
    let cps = checkpoints();
    let nodes = nodes();
    let reader = |l: u8, i: u64| nodes.get(&(l, i)).copied().ok_or(());
    let mut pairs = 0;
    for m in 0..=15usize {
        for n in m..=15usize {
            let (old, new) = (cps[m].checkpoint(), cps[n].checkpoint());
            let proof = if m == 0 {
                Vec::new()
            } else {
                consistency_proof(m as u64, n as u64, reader).unwrap()
            };
            // Through the text form.
            let proof = parse_consistency_proof(&format_consistency_proof(&proof)).unwrap();
            verify_checkpoint_consistency(old, new, &proof)
                .unwrap_or_else(|e| panic!("{m} -> {n}: {e}"));
            if m > 0 {
                verify_consistency(m as u64, n as u64, &proof, old.root(), new.root()).unwrap();
            }
            if m > 0 && m < n {
                // Backwards, or against a wrong root, it fails.
                assert!(verify_checkpoint_consistency(new, old, &proof).is_err());
                assert!(
                    verify_consistency(m as u64, n as u64, &proof, new.root(), new.root()).is_err()
                );
            }
            pairs += 1;
        }
    }
    assert_eq!(pairs, 136);
}

#[test]
fn inclusion_proofs_under_tesseras_checkpoint() {
    let key = key();
    let nodes = nodes();
    let reader = |l: u8, i: u64| nodes.get(&(l, i)).copied().ok_or(());
    for (n, cp) in checkpoints().iter().enumerate().skip(1) {
        for (i, e) in ENTRIES.iter().enumerate().take(n) {
            let path = inclusion_proof(i as u64, n as u64, reader).unwrap();
            let proof = TlogProof::new(
                i as u64,
                path,
                cp.note().clone(),
                Some(e.as_bytes().to_vec()),
            )
            .unwrap();
            let parsed = TlogProof::parse(&proof.to_string()).unwrap();
            let verified = parsed
                .verify(ORIGIN, &key)
                .unwrap_or_else(|err| panic!("{i} in {n}: {err}"));
            assert_eq!(verified.entry, e.as_bytes());
            assert_eq!(verified.index, i as u64);
            // Another entry at that index does not verify.
            let other = ENTRIES[(i + 1) % 15].as_bytes().to_vec();
            let forged = TlogProof::new(
                i as u64,
                parsed.path().to_vec(),
                cp.note().clone(),
                Some(other),
            )
            .unwrap();
            assert!(forged.verify(ORIGIN, &key).is_err());
        }
    }
}

#[test]
fn reads_tesseras_tiles() {
    let cps = checkpoints();
    for n in 1..=15u64 {
        let hashes = parse_hash_tile(&read(&format!("tile/0/000.p/{n}"))).unwrap();
        let expected: Vec<Hash> = ENTRIES[..n as usize]
            .iter()
            .map(|e| leaf_hash(e.as_bytes()))
            .collect();
        assert_eq!(hashes, expected, "tile/0/000.p/{n}");
        let bundle = read(&format!("tile/entries/000.p/{n}"));
        let entries = parse_entry_bundle(&bundle).unwrap();
        let want: Vec<&[u8]> = ENTRIES[..n as usize].iter().map(|e| e.as_bytes()).collect();
        assert_eq!(entries, want, "tile/entries/000.p/{n}");

        // The root of size n from the tiles alone, fetched by path.
        let fetch = |t: &TileId| std::fs::read(dir().join(t.path()));
        let reader = |l: u8, i: u64| node_from_tiles(l, i, n, fetch);
        let root = actledger_core::merkle::root(n, reader).unwrap();
        assert_eq!(root, *cps[n as usize].checkpoint().root(), "size {n}");
    }
}

#[test]
fn writes_byte_identical_tiles() {
    let nodes = nodes();
    let read_node = |l: u8, i: u64| nodes.get(&(l, i)).copied().ok_or(());
    let read_entry = |i: u64| {
        ENTRIES
            .get(i as usize)
            .map(|e| e.as_bytes().to_vec())
            .ok_or(())
    };
    for n in 1..=15u64 {
        let expected = vec![
            (
                format!("tile/entries/000.p/{n}"),
                read(&format!("tile/entries/000.p/{n}")),
            ),
            (
                format!("tile/0/000.p/{n}"),
                read(&format!("tile/0/000.p/{n}")),
            ),
        ];
        // Growing from n - 1 to n writes exactly these two files.
        assert_eq!(
            tile_files(n - 1, n, read_node, read_entry).unwrap(),
            expected,
            "size {n}"
        );
        // As does writing the whole tree of size n from its entries.
        assert_eq!(
            tiles_from_entries(&ENTRIES[..n as usize]).unwrap(),
            expected,
            "size {n}"
        );
        for (path, _) in &expected {
            let t = TileId::parse_path(path).unwrap();
            assert_eq!(t.width() as u64, n);
            assert!(matches!(
                t.kind(),
                TileKind::Entries | TileKind::Hashes { level: 0 }
            ));
        }
    }
}
