//! Consistency proofs: produced from stored nodes, verified from the proof alone
//! (RFC 9162 §2.1.4).

use super::tree::{range_hash, split_point, ProveError};
use super::{node_hash, Hash};

/// The consistency proof from the tree of `size1` leaves to the tree of `size2` leaves,
/// `PROOF(size1, D[size2])` of RFC 9162 §2.1.4.1 (empty when the sizes are equal). Reads
/// `O(log size2)` nodes. `size1` must be at least 1.
pub fn consistency_proof<E, R>(
    size1: u64,
    size2: u64,
    mut read: R,
) -> Result<Vec<Hash>, ProveError<E>>
where
    R: FnMut(u8, u64) -> Result<Hash, E>,
{
    if size1 > size2 {
        return Err(ProveError::SizeOrder { size1, size2 });
    }
    if size1 == 0 {
        return Err(ProveError::EmptyOldTree);
    }
    // SUBPROOF(m, D[start : start + n], b), unrolled.
    let mut proof = Vec::new();
    let (mut start, mut n, mut m, mut whole_old_tree) = (0u64, size2, size1, true);
    while m != n {
        let k = split_point(n);
        if m <= k {
            proof.push(range_hash(&mut read, start + k, n - k)?);
            n = k;
        } else {
            proof.push(range_hash(&mut read, start, k)?);
            start += k;
            m -= k;
            n -= k;
            whole_old_tree = false;
        }
    }
    if !whole_old_tree {
        proof.push(range_hash(&mut read, start, n)?);
    }
    proof.reverse();
    Ok(proof)
}

/// Why a consistency proof was rejected (RFC 9162 §2.1.4.2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConsistencyError {
    /// The old size is larger than the new one.
    #[error("old tree size {size1} is larger than new tree size {size2}")]
    SizeOrder {
        /// The old size.
        size1: u64,
        /// The new size.
        size2: u64,
    },
    /// A consistency proof from the empty tree is not defined (RFC 9162 §2.1.4).
    #[error("a consistency proof from the empty tree is not defined (RFC 9162 §2.1.4)")]
    EmptyOldTree,
    /// Equal sizes take an empty proof.
    #[error("trees of equal size take an empty consistency proof")]
    UnexpectedProof,
    /// Different sizes take a non-empty proof.
    #[error("consistency proof is empty")]
    EmptyProof,
    /// The proof has more hashes than the sizes call for.
    #[error("consistency proof has too many hashes")]
    ProofTooLong,
    /// The proof has fewer hashes than the sizes call for.
    #[error("consistency proof has too few hashes")]
    ProofTooShort,
    /// The proof does not lead to the old root.
    #[error("consistency proof does not lead to the old root hash")]
    OldRootMismatch,
    /// The proof does not lead to the new root (or equal sizes with different roots).
    #[error("consistency proof does not lead to the new root hash")]
    NewRootMismatch,
}

/// Checks that the tree of `size2` leaves with root `root2` extends the tree of `size1`
/// leaves with root `root1`, by the algorithm of RFC 9162 §2.1.4.2. Equal sizes need an
/// empty proof and equal roots; `size1 = 0` is rejected (nothing to prove).
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    proof: &[Hash],
    root1: &Hash,
    root2: &Hash,
) -> Result<(), ConsistencyError> {
    if size1 > size2 {
        return Err(ConsistencyError::SizeOrder { size1, size2 });
    }
    if size1 == 0 {
        return Err(ConsistencyError::EmptyOldTree);
    }
    if size1 == size2 {
        if !proof.is_empty() {
            return Err(ConsistencyError::UnexpectedProof);
        }
        if root1 != root2 {
            return Err(ConsistencyError::NewRootMismatch);
        }
        return Ok(());
    }
    if proof.is_empty() {
        return Err(ConsistencyError::EmptyProof);
    }
    // Step 2: when the old tree is perfect, its root is the first node of the path.
    let (first, rest) = if size1.is_power_of_two() {
        (root1, proof)
    } else {
        proof.split_first().ok_or(ConsistencyError::EmptyProof)?
    };
    let (mut f_n, mut s_n) = (size1 - 1, size2 - 1);
    while f_n & 1 == 1 {
        f_n >>= 1;
        s_n >>= 1;
    }
    let (mut f_r, mut s_r) = (*first, *first);
    for c in rest {
        if s_n == 0 {
            return Err(ConsistencyError::ProofTooLong);
        }
        if f_n & 1 == 1 || f_n == s_n {
            f_r = node_hash(c, &f_r);
            s_r = node_hash(c, &s_r);
            while f_n & 1 == 0 && f_n != 0 {
                f_n >>= 1;
                s_n >>= 1;
            }
        } else {
            s_r = node_hash(&s_r, c);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    if s_n != 0 {
        return Err(ConsistencyError::ProofTooShort);
    }
    if f_r != *root1 {
        return Err(ConsistencyError::OldRootMismatch);
    }
    if s_r != *root2 {
        return Err(ConsistencyError::NewRootMismatch);
    }
    Ok(())
}
