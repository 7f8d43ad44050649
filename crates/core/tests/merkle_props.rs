//! Property tests of the transparency-log math: every inclusion and consistency proof we
//! produce verifies, any flipped bit in a proof or root makes it fail, the frontier's root is
//! the naive RFC 9162 §2.1.1 root, and no decoder panics on arbitrary input.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::OnceLock;

use actledger_core::checkpoint::Checkpoint;
use actledger_core::merkle::{
    consistency_proof, empty_root, inclusion_proof, leaf_hash, node_hash, root, verify_consistency,
    verify_inclusion, Frontier, Hash,
};
use actledger_core::note::{Note, VerifierKey};
use actledger_core::proof::{parse_consistency_proof, TlogProof};
use actledger_core::tiles::{parse_entry_bundle, parse_hash_tile, TileId};
use proptest::prelude::*;

const MAX: u64 = 4_000;

/// Leaves and every node of a tree of `MAX` leaves; any prefix tree reads the same nodes.
struct Tree {
    leaves: Vec<Hash>,
    nodes: HashMap<(u8, u64), Hash>,
}

fn tree() -> &'static Tree {
    static TREE: OnceLock<Tree> = OnceLock::new();
    TREE.get_or_init(|| {
        let mut f = Frontier::new();
        let mut nodes = HashMap::new();
        let mut leaves = Vec::new();
        for i in 0..MAX {
            let leaf = leaf_hash(format!("leaf {i}").as_bytes());
            leaves.push(leaf);
            for node in f.append(leaf).unwrap() {
                nodes.insert((node.level, node.index), node.hash);
            }
        }
        Tree { leaves, nodes }
    })
}

fn reader(t: &Tree) -> impl FnMut(u8, u64) -> Result<Hash, ()> + '_ {
    |l, i| t.nodes.get(&(l, i)).copied().ok_or(())
}

fn naive_root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            // k: the largest power of two smaller than n.
            let mut k = 1;
            while k * 2 < n {
                k *= 2;
            }
            node_hash(&naive_root(&leaves[..k]), &naive_root(&leaves[k..]))
        }
    }
}

fn flip(h: &Hash, bit: usize) -> Hash {
    let mut b = h.0;
    b[bit / 8] ^= 1 << (bit % 8);
    Hash(b)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn inclusion_proofs_verify_and_bit_flips_fail(
        (size, index) in (1..=MAX).prop_flat_map(|n| (Just(n), 0..n)),
        target in any::<prop::sample::Index>(),
        bit in 0usize..256,
    ) {
        let t = tree();
        let r = root(size, reader(t)).unwrap();
        let leaf = t.leaves[index as usize];
        let proof = inclusion_proof(index, size, reader(t)).unwrap();
        prop_assert!(proof.len() <= 64);
        verify_inclusion(&leaf, index, size, &proof, &r).unwrap();

        // One flipped bit: in a proof hash, in the root or in the leaf.
        let slot = target.index(proof.len() + 2);
        let (mut p, mut rr, mut l) = (proof.clone(), r, leaf);
        match slot.checked_sub(2) {
            Some(i) => p[i] = flip(&p[i], bit),
            None if slot == 0 => rr = flip(&rr, bit),
            None => l = flip(&l, bit),
        }
        prop_assert!(verify_inclusion(&l, index, size, &p, &rr).is_err());
        // A dropped or an extra hash.
        if !proof.is_empty() {
            prop_assert!(verify_inclusion(&leaf, index, size, &proof[1..], &r).is_err());
        }
        let mut longer = proof.clone();
        longer.push(r);
        prop_assert!(verify_inclusion(&leaf, index, size, &longer, &r).is_err());
    }

    #[test]
    fn consistency_proofs_verify_and_bit_flips_fail(
        (size1, size2) in (1..=MAX).prop_flat_map(|n| (1..=n, Just(n))),
        target in any::<prop::sample::Index>(),
        bit in 0usize..256,
    ) {
        let t = tree();
        let r1 = root(size1, reader(t)).unwrap();
        let r2 = root(size2, reader(t)).unwrap();
        let proof = consistency_proof(size1, size2, reader(t)).unwrap();
        prop_assert!(proof.len() <= 128);
        verify_consistency(size1, size2, &proof, &r1, &r2).unwrap();

        let slot = target.index(proof.len() + 2);
        let (mut p, mut a, mut b) = (proof.clone(), r1, r2);
        match slot.checked_sub(2) {
            Some(i) => p[i] = flip(&p[i], bit),
            None if slot == 0 => a = flip(&a, bit),
            None => b = flip(&b, bit),
        }
        prop_assert!(verify_consistency(size1, size2, &p, &a, &b).is_err());
        if !proof.is_empty() {
            prop_assert!(verify_consistency(size1, size2, &proof[1..], &r1, &r2).is_err());
        }
        let mut longer = proof.clone();
        longer.push(r2);
        prop_assert!(verify_consistency(size1, size2, &longer, &r1, &r2).is_err());
    }

    #[test]
    fn frontier_root_is_the_naive_root(entries in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..8), 0..600)) {
        let leaves: Vec<Hash> = entries.iter().map(|e| leaf_hash(e)).collect();
        let mut f = Frontier::new();
        for l in &leaves {
            f.append(*l).unwrap();
        }
        prop_assert_eq!(f.root(), naive_root(&leaves));
        prop_assert_eq!(Frontier::from_bytes(&f.to_bytes()).unwrap(), f);
    }

    #[test]
    fn prefix_roots_match_naive(size in 0..=MAX) {
        let t = tree();
        prop_assert_eq!(root(size, reader(t)).unwrap(), naive_root(&t.leaves[..size as usize]));
    }

    #[test]
    fn decoders_never_panic(s in ".{0,300}", bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = Note::parse(&s);
        let _ = Note::parse_bytes(&bytes);
        let _ = Checkpoint::parse_body(&s);
        let _ = TlogProof::parse(&s);
        let _ = parse_consistency_proof(&s);
        let _ = VerifierKey::parse(&s);
        let _ = TileId::parse_path(&s);
        let _ = parse_entry_bundle(&bytes);
        let _ = parse_hash_tile(&bytes);
        let _ = Frontier::from_bytes(&bytes);
        let _ = Hash::from_base64(&s);
    }

    #[test]
    fn structured_decoders_never_panic(
        lines in prop::collection::vec(prop_oneof![
            Just("c2sp.org/tlog-proof@v1".to_string()),
            Just("index 3".to_string()),
            Just("extra AAAA".to_string()),
            Just(String::new()),
            Just("example.com/log/testdata".to_string()),
            Just("15".to_string()),
            Just("rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=".to_string()),
            Just("\u{2014} example.com/log/testdata M9e0luh4jTG+UMBqOUo9/q+yAEvx1ilBEniMvjf1zfcBOhg+CKubMt53MvIt/uEWP6zdkdIQzd/fmwlM/dlPWF74ewI=".to_string()),
            "[ -~\u{2014}]{0,20}",
        ], 0..12),
        final_newline in any::<bool>(),
    ) {
        let mut s = lines.join("\n");
        if final_newline {
            s.push('\n');
        }
        let key = VerifierKey::parse("example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx").unwrap();
        if let Ok(p) = TlogProof::parse(&s) {
            let _ = p.verify("example.com/log/testdata", &key);
            prop_assert_eq!(TlogProof::parse(&p.to_string()).unwrap(), p);
        }
        if let Ok(n) = Note::parse(&s) {
            let _ = n.verify(&key);
            prop_assert_eq!(Note::parse(&n.to_string()).unwrap(), n);
        }
        if let Ok(c) = Checkpoint::parse_body(&s) {
            prop_assert_eq!(c.to_body(), s);
        }
    }
}
