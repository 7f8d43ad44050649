//! Known-answer tests for RFC 6962 / RFC 9162 proof verification, run on every vector of
//! transparency-dev/merkle `testdata/` (Apache-2.0), copied unchanged into
//! `tests/vectors/transparency-dev-merkle/` (source and commit in its README.md).
//!
//! A vector with `wantErr: true` must be rejected, every other one must verify.
//!
//! Some vectors hold values that are not 32-byte hashes (an empty string, 9 bytes of garbage,
//! or `ZG9uJ3QgY2FyZSAy`, "don't care 2"). Our API only takes 32-byte [`Hash`]es (a
//! checkpoint root can be nothing else), so such a value is rejected when parsed, before
//! verification: [`parse`] returns `None`, which counts as a rejection.
//!
//! One rule mirrors the reference implementation: between trees of *equal* size, RFC 9162
//! consistency is a byte comparison of the two roots, and transparency-dev/merkle exercises
//! it with short placeholder roots (`sizes-are-equal-one-and-proof-is-empty` must verify,
//! `sizes-are-equal-one-but-roots-are-not` must not). For equal sizes with an empty proof only,
//! a placeholder root is mapped to a 32-byte stand-in, `SHA-256("placeholder:" || bytes)`,
//! which keeps equal placeholders equal and different ones different.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use actledger_core::merkle::{
    consistency_proof, inclusion_proof, leaf_hash, verify_consistency, verify_inclusion, Frontier,
    Hash,
};
use base64::Engine as _;
use serde::Deserialize;
use sha2::{Digest, Sha256};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InclusionCase {
    leaf_idx: u64,
    tree_size: u64,
    root: String,
    leaf_hash: String,
    proof: Option<Vec<String>>,
    desc: String,
    want_err: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConsistencyCase {
    size1: u64,
    size2: u64,
    root1: String,
    root2: String,
    proof: Option<Vec<String>>,
    desc: String,
    want_err: bool,
}

fn vectors(kind: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "json") {
                out.push(p);
            }
        }
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors/transparency-dev-merkle")
        .join(kind);
    let mut out = Vec::new();
    walk(&dir, &mut out);
    out.sort();
    out
}

/// A hash, or `None` if the value is not the base64 of 32 bytes.
fn parse(b64: &str) -> Option<Hash> {
    Hash::from_base64(b64).ok()
}

/// A proof, or `None` if any element is not a hash.
fn parse_all(v: &Option<Vec<String>>) -> Option<Vec<Hash>> {
    v.iter().flatten().map(|s| parse(s)).collect()
}

/// A root compared byte for byte at equal sizes: a hash as is, a placeholder as its stand-in.
fn root_or_stand_in(b64: &str) -> Hash {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    Hash::from_slice(&raw).unwrap_or_else(|_| {
        let mut h = Sha256::new();
        h.update(b"placeholder:");
        h.update(&raw);
        Hash(h.finalize().into())
    })
}

/// The eight leaves of RFC 6962's test tree, from which transparency-dev/merkle generated the
/// happy paths.
fn rfc6962_leaves() -> Vec<Vec<u8>> {
    [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
    .iter()
    .map(|h| hex::decode(h).unwrap())
    .collect()
}

/// Nodes of the tree over the first `n` RFC 6962 test leaves, and its root.
fn rfc6962_tree(n: usize) -> (HashMap<(u8, u64), Hash>, Hash) {
    let mut f = Frontier::new();
    let mut nodes = HashMap::new();
    for leaf in &rfc6962_leaves()[..n] {
        for node in f.append(leaf_hash(leaf)).unwrap() {
            nodes.insert((node.level, node.index), node.hash);
        }
    }
    (nodes, f.root())
}

#[test]
fn inclusion_vectors() {
    let files = vectors("inclusion");
    let (mut accepted, mut rejected, mut at_parse, mut regenerated) = (0, 0, 0, 0);
    for file in &files {
        let case: InclusionCase =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let name = format!("{} ({})", file.display(), case.desc);
        let parsed = (
            parse(&case.leaf_hash),
            parse(&case.root),
            parse_all(&case.proof),
        );
        let (Some(leaf), Some(root), Some(proof)) = parsed else {
            assert!(
                case.want_err,
                "rejected (not a 32-byte hash), must verify: {name}"
            );
            rejected += 1;
            at_parse += 1;
            continue;
        };
        let result = verify_inclusion(&leaf, case.leaf_idx, case.tree_size, &proof, &root);
        if case.want_err {
            assert!(result.is_err(), "accepted, must be rejected: {name}");
            rejected += 1;
        } else {
            result.unwrap_or_else(|e| panic!("rejected ({e}), must verify: {name}"));
            accepted += 1;
            // Our prover gives the same proof for the RFC 6962 test tree.
            if case.tree_size <= 8 && root == rfc6962_tree(case.tree_size as usize).1 {
                let (nodes, _) = rfc6962_tree(case.tree_size as usize);
                let read = |l: u8, i: u64| nodes.get(&(l, i)).copied().ok_or(());
                assert_eq!(
                    inclusion_proof(case.leaf_idx, case.tree_size, read).unwrap(),
                    proof,
                    "{name}"
                );
                regenerated += 1;
            }
        }
    }
    assert_eq!(files.len(), 98, "vector count changed");
    assert_eq!(accepted + rejected, files.len());
    assert!(
        accepted >= 6 && regenerated >= 5,
        "{accepted} accepted, {regenerated} regenerated"
    );
    eprintln!("inclusion: {accepted} verified, {rejected} rejected ({at_parse} at parsing), {regenerated} regenerated");
}

#[test]
fn consistency_vectors() {
    let files = vectors("consistency");
    let (mut accepted, mut rejected, mut at_parse, mut regenerated) = (0, 0, 0, 0);
    for file in &files {
        let case: ConsistencyCase =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let name = format!("{} ({})", file.display(), case.desc);
        let equal_sizes_empty_proof =
            case.size1 == case.size2 && case.proof.iter().flatten().next().is_none();
        let parsed = if equal_sizes_empty_proof {
            (
                Some(root_or_stand_in(&case.root1)),
                Some(root_or_stand_in(&case.root2)),
                Some(Vec::new()),
            )
        } else {
            (
                parse(&case.root1),
                parse(&case.root2),
                parse_all(&case.proof),
            )
        };
        let (Some(root1), Some(root2), Some(proof)) = parsed else {
            assert!(
                case.want_err,
                "rejected (not a 32-byte hash), must verify: {name}"
            );
            rejected += 1;
            at_parse += 1;
            continue;
        };
        let result = verify_consistency(case.size1, case.size2, &proof, &root1, &root2);
        if case.want_err {
            assert!(result.is_err(), "accepted, must be rejected: {name}");
            rejected += 1;
        } else {
            result.unwrap_or_else(|e| panic!("rejected ({e}), must verify: {name}"));
            accepted += 1;
            if case.size2 <= 8 && case.size1 > 0 && root2 == rfc6962_tree(case.size2 as usize).1 {
                let (nodes, _) = rfc6962_tree(case.size2 as usize);
                let read = |l: u8, i: u64| nodes.get(&(l, i)).copied().ok_or(());
                assert_eq!(
                    consistency_proof(case.size1, case.size2, read).unwrap(),
                    proof,
                    "{name}"
                );
                regenerated += 1;
            }
        }
    }
    assert_eq!(files.len(), 98, "vector count changed");
    assert_eq!(accepted + rejected, files.len());
    assert!(
        accepted >= 6 && regenerated >= 5,
        "{accepted} accepted, {regenerated} regenerated"
    );
    eprintln!("consistency: {accepted} verified, {rejected} rejected ({at_parse} at parsing), {regenerated} regenerated");
}
