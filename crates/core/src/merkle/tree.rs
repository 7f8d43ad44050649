//! Tree math over a node reader: the split point, subtree hashes and roots of any size
//! (RFC 9162 §2.1.1).

use super::{empty_root, node_hash, Hash, MAX_LEVEL};

/// Why a proof could not be produced.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProveError<E> {
    /// The leaf is not in the tree.
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange {
        /// The requested leaf.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// The old size is larger than the new one.
    #[error("cannot prove consistency from size {size1} to the smaller size {size2}")]
    SizeOrder {
        /// The old size.
        size1: u64,
        /// The new size.
        size2: u64,
    },
    /// RFC 9162 §2.1.4 defines consistency proofs only from a non-empty tree.
    #[error("a consistency proof from the empty tree is not defined (RFC 9162 §2.1.4)")]
    EmptyOldTree,
    /// The node reader failed.
    #[error("cannot read Merkle node (level {level}, index {index})")]
    Read {
        /// Level of the node.
        level: u8,
        /// Index of the node.
        index: u64,
        /// The reader's error.
        #[source]
        source: E,
    },
}

pub(super) fn read_node<E, R>(read: &mut R, level: u8, index: u64) -> Result<Hash, ProveError<E>>
where
    R: FnMut(u8, u64) -> Result<Hash, E>,
{
    read(level, index).map_err(|source| ProveError::Read {
        level,
        index,
        source,
    })
}

/// The largest power of two strictly smaller than `n` (`n >= 2`), the split point `k` of
/// RFC 9162 §2.1.1.
pub(super) fn split_point(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// `MTH(D[start : start + len])` for `len >= 1`, where `start` is a multiple of the smallest
/// power of two `>= len` (true of every subtree RFC 9162 recursion visits). Reads one node
/// per set bit of `len`.
pub(super) fn range_hash<E, R>(read: &mut R, start: u64, len: u64) -> Result<Hash, ProveError<E>>
where
    R: FnMut(u8, u64) -> Result<Hash, E>,
{
    let mut acc: Option<Hash> = None;
    let mut end = start + len;
    for level in 0..=MAX_LEVEL {
        if len >> level & 1 == 1 {
            let node_start = end - (1 << level);
            let h = read_node(read, level, node_start >> level)?;
            acc = Some(match acc {
                None => h,
                Some(right) => node_hash(&h, &right),
            });
            end = node_start;
        }
    }
    Ok(acc.unwrap_or_else(empty_root))
}

/// The root hash of the tree of `size` leaves (RFC 9162 §2.1.1), from `popcount(size)`
/// stored nodes; [`empty_root`] for size 0.
pub fn root<E, R>(size: u64, mut read: R) -> Result<Hash, ProveError<E>>
where
    R: FnMut(u8, u64) -> Result<Hash, E>,
{
    range_hash(&mut read, 0, size)
}
