//! Unit tests of the tree, the frontier and both kinds of proof.

use std::collections::HashMap;
use std::convert::Infallible;

use super::tree::split_point;
use super::*;

/// RFC 9162 §2.1.1, literally: the reference the fast paths are checked against.
fn naive_root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split_point(n as u64) as usize;
            node_hash(&naive_root(&leaves[..k]), &naive_root(&leaves[k..]))
        }
    }
}

fn build(n: u64) -> (Frontier, HashMap<(u8, u64), Hash>) {
    let mut f = Frontier::new();
    let mut nodes = HashMap::new();
    for i in 0..n {
        for node in f.append(leaf_hash(&i.to_be_bytes())).unwrap() {
            assert!(nodes.insert((node.level, node.index), node.hash).is_none());
        }
    }
    (f, nodes)
}

#[test]
fn known_hashes() {
    assert_eq!(
        empty_root().to_hex(),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    // RFC 6962 leaf of the empty entry: SHA-256(0x00).
    assert_eq!(
        leaf_hash(b"").to_hex(),
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    );
}

#[test]
fn node_hash_is_sha256_of_its_message() {
    // node_hash lays out SHA-256's padded blocks itself: it must equal the digest of
    // 0x01 || left || right, for bytes at every position of both blocks.
    use sha2::{Digest, Sha256};
    let mut hashes = vec![Hash([0; HASH_LEN]), Hash([0xff; HASH_LEN])];
    for i in 0..HASH_LEN {
        let mut b = [0u8; HASH_LEN];
        b[i] = 0x80 | i as u8;
        hashes.push(Hash(b));
    }
    hashes.push(leaf_hash(b"left"));
    hashes.push(leaf_hash(b"right"));
    for l in &hashes {
        for r in &hashes {
            let mut message = vec![NODE_PREFIX];
            message.extend_from_slice(&l.0);
            message.extend_from_slice(&r.0);
            let want = Hash(Sha256::digest(&message).into());
            assert_eq!(node_hash(l, r), want, "{l:?} {r:?}");
        }
    }
    // A known answer: the root of the two-leaf tree over the entries "" and "a".
    assert_eq!(
        node_hash(&leaf_hash(b""), &leaf_hash(b"a")).to_hex(),
        hex::encode(Sha256::digest(
            [
                &[NODE_PREFIX][..],
                &Sha256::digest([0u8])[..],
                &Sha256::digest([0u8, b'a'])[..]
            ]
            .concat()
        ))
    );
}

#[test]
fn frontier_matches_naive_and_stores_every_node() {
    for n in 0..70u64 {
        let (f, nodes) = build(n);
        let leaves: Vec<Hash> = (0..n).map(|i| nodes[&(0, i)]).collect();
        assert_eq!(f.root(), naive_root(&leaves), "size {n}");
        // Every perfect node inside the tree was reported exactly once.
        let perfect: usize = (0..=MAX_LEVEL).map(|l| (n >> l) as usize).sum();
        assert_eq!(nodes.len(), perfect);
        let read = |l: u8, i: u64| nodes.get(&(l, i)).copied().ok_or(());
        assert_eq!(root(n, read).unwrap(), f.root());
        let rebuilt = Frontier::from_reader(n, read).unwrap();
        assert_eq!(rebuilt, f);
        assert_eq!(Frontier::from_bytes(&f.to_bytes()).unwrap(), f);
        assert_eq!(f.nodes().count(), n.count_ones() as usize);
    }
}

#[test]
fn frontier_bytes_are_strict() {
    let (f, _) = build(5);
    let bytes = f.to_bytes();
    assert_eq!(bytes.len(), 8 + 2 * 32);
    assert_eq!(&bytes[..8], &5u64.to_be_bytes());
    assert!(Frontier::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(Frontier::from_bytes(&longer).is_err());
    assert!(Frontier::from_bytes(&[]).is_err());
    assert_eq!(
        Frontier::from_bytes(&0u64.to_be_bytes()).unwrap(),
        Frontier::new()
    );
    let full = u64::MAX.to_be_bytes();
    assert!(Frontier::from_bytes(&full).is_err());
}

#[test]
fn frontier_full_is_an_error() {
    let mut bytes = u64::MAX.to_be_bytes().to_vec();
    bytes.extend(std::iter::repeat_n(0u8, 64 * 32));
    let mut f = Frontier::from_bytes(&bytes).unwrap();
    assert_eq!(f.append(empty_root()), Err(FrontierError::Full));
}

#[test]
fn proofs_round_trip_small_trees() {
    for n in 1..40u64 {
        let (f, nodes) = build(n);
        let read = |l: u8, i: u64| nodes.get(&(l, i)).copied().ok_or(());
        let r = f.root();
        for i in 0..n {
            let p = inclusion_proof(i, n, read).unwrap();
            verify_inclusion(&nodes[&(0, i)], i, n, &p, &r).unwrap();
            let other = leaf_hash(b"not in the tree");
            assert_eq!(
                verify_inclusion(&other, i, n, &p, &r),
                Err(InclusionError::RootMismatch)
            );
        }
        for m in 1..=n {
            let (fm, _) = build(m);
            let p = consistency_proof(m, n, read).unwrap();
            verify_consistency(m, n, &p, &fm.root(), &r).unwrap();
        }
    }
}

#[test]
fn proof_reads_are_logarithmic() {
    let n = 1_000_003u64;
    // A synthetic reader: every node is a hash of its coordinates.
    let mut reads = 0usize;
    let read = |l: u8, i: u64| -> Result<Hash, Infallible> {
        reads += 1;
        Ok(leaf_hash(&[&[l][..], &i.to_be_bytes()].concat()))
    };
    let p = inclusion_proof(n - 1, n, read).unwrap();
    assert!(p.len() <= 64);
    assert!(reads <= 2 * 64, "{reads} reads");
    let mut reads = 0usize;
    let read = |l: u8, i: u64| -> Result<Hash, Infallible> {
        reads += 1;
        Ok(leaf_hash(&[&[l][..], &i.to_be_bytes()].concat()))
    };
    consistency_proof(12_345, n, read).unwrap();
    assert!(reads <= 3 * 64, "{reads} reads");
}

#[test]
fn prove_errors() {
    let read = |_: u8, _: u64| -> Result<Hash, &'static str> { Err("gone") };
    assert!(matches!(
        inclusion_proof(3, 3, read),
        Err(ProveError::IndexOutOfRange { index: 3, size: 3 })
    ));
    assert!(matches!(
        consistency_proof(4, 3, read),
        Err(ProveError::SizeOrder { .. })
    ));
    assert!(matches!(
        consistency_proof(0, 3, read),
        Err(ProveError::EmptyOldTree)
    ));
    assert!(matches!(
        inclusion_proof(0, 2, read),
        Err(ProveError::Read {
            level: 0,
            index: 1,
            source: "gone"
        })
    ));
    assert!(consistency_proof(3, 3, read).unwrap().is_empty());
    assert!(inclusion_proof(0, 1, read).unwrap().is_empty());
}

#[test]
fn verify_edge_cases() {
    let (f, _) = build(4);
    let r = f.root();
    assert_eq!(
        verify_inclusion(&r, 0, 0, &[], &r),
        Err(InclusionError::IndexOutOfRange { index: 0, size: 0 })
    );
    assert_eq!(
        verify_inclusion(&r, 0, 1, &[r], &r),
        Err(InclusionError::ProofTooLong)
    );
    assert_eq!(
        verify_inclusion(&r, 0, 2, &[], &r),
        Err(InclusionError::ProofTooShort)
    );
    assert_eq!(
        verify_consistency(0, 4, &[], &r, &r),
        Err(ConsistencyError::EmptyOldTree)
    );
    assert_eq!(
        verify_consistency(4, 4, &[r], &r, &r),
        Err(ConsistencyError::UnexpectedProof)
    );
    assert_eq!(verify_consistency(4, 4, &[], &r, &r), Ok(()));
    assert_eq!(
        verify_consistency(3, 4, &[], &r, &r),
        Err(ConsistencyError::EmptyProof)
    );
    assert_eq!(
        verify_consistency(4, 5, &[], &r, &r),
        Err(ConsistencyError::EmptyProof)
    );
    assert!(matches!(
        verify_consistency(5, 4, &[], &r, &r),
        Err(ConsistencyError::SizeOrder { .. })
    ));
    // Sizes near the top of the range must not overflow.
    assert!(verify_inclusion(&r, u64::MAX - 1, u64::MAX, &[r; 70], &r).is_err());
    assert!(verify_consistency(u64::MAX - 1, u64::MAX, &[r; 70], &r, &r).is_err());
}

#[test]
fn hash_base64_is_strict() {
    let h = leaf_hash(b"x");
    assert_eq!(Hash::from_base64(&h.to_base64()).unwrap(), h);
    let s = h.to_base64();
    assert!(Hash::from_base64(s.trim_end_matches('=')).is_err());
    assert!(Hash::from_base64(&format!(" {s}")).is_err());
    assert!(Hash::from_base64("AAAA").is_err());
    assert!(Hash::from_base64(&"A".repeat(10_000)).is_err());
    // The 43rd character of a 32-byte value carries 2 spare bits, which must be zero.
    assert_eq!(
        Hash::from_base64(&format!("{}A=", "A".repeat(42))).unwrap(),
        Hash([0; 32])
    );
    assert!(Hash::from_base64(&format!("{}B=", "A".repeat(42))).is_err());
}
