//! Inclusion proofs: produced from stored nodes, verified from the proof alone
//! (RFC 9162 §2.1.3).

use super::tree::{range_hash, split_point, ProveError};
use super::{node_hash, Hash};

/// The inclusion proof (audit path) of leaf `index` in the tree of `size` leaves,
/// `PATH(index, D[size])` of RFC 9162 §2.1.3.1: the leaf's sibling first, the root's
/// child last. Reads `O(log size)` nodes.
pub fn inclusion_proof<E, R>(index: u64, size: u64, mut read: R) -> Result<Vec<Hash>, ProveError<E>>
where
    R: FnMut(u8, u64) -> Result<Hash, E>,
{
    if index >= size {
        return Err(ProveError::IndexOutOfRange { index, size });
    }
    // Walk down from the root; siblings are found top-down and returned bottom-up.
    let mut path = Vec::new();
    let (mut start, mut n) = (0u64, size);
    while n > 1 {
        let k = split_point(n);
        if index - start < k {
            path.push(range_hash(&mut read, start + k, n - k)?);
            n = k;
        } else {
            path.push(range_hash(&mut read, start, k)?);
            start += k;
            n -= k;
        }
    }
    path.reverse();
    Ok(path)
}

/// Why an inclusion proof was rejected (RFC 9162 §2.1.3.2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InclusionError {
    /// The index is not below the tree size.
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange {
        /// The claimed leaf index.
        index: u64,
        /// The claimed tree size.
        size: u64,
    },
    /// The proof has more hashes than the index and size call for.
    #[error("inclusion proof has too many hashes")]
    ProofTooLong,
    /// The proof has fewer hashes than the index and size call for.
    #[error("inclusion proof has too few hashes")]
    ProofTooShort,
    /// The proof leads to a different root.
    #[error("inclusion proof does not lead to the expected root hash")]
    RootMismatch,
}

/// Checks that `leaf` is the leaf hash at `index` in the tree of `size` leaves whose root is
/// `root`, by the algorithm of RFC 9162 §2.1.3.2.
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), InclusionError> {
    if index >= size {
        return Err(InclusionError::IndexOutOfRange { index, size });
    }
    let (mut f_n, mut s_n) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s_n == 0 {
            return Err(InclusionError::ProofTooLong);
        }
        if f_n & 1 == 1 || f_n == s_n {
            r = node_hash(p, &r);
            while f_n & 1 == 0 && f_n != 0 {
                f_n >>= 1;
                s_n >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    if s_n != 0 {
        return Err(InclusionError::ProofTooShort);
    }
    if r != *root {
        return Err(InclusionError::RootMismatch);
    }
    Ok(())
}
