//! The incremental right edge of the tree (a compact range `[0, size)`).

use super::tree::{read_node, ProveError};
use super::{empty_root, node_hash, Hash, HASH_LEN, MAX_LEVEL};

/// A perfect-subtree node: the root of the leaves `[index * 2^level, (index + 1) * 2^level)`.
/// Level 0 nodes are leaf hashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Node {
    /// Height of the subtree (0 = a leaf).
    pub level: u8,
    /// Position of the subtree among the nodes of its level, from the left.
    pub index: u64,
    /// Its Merkle tree hash.
    pub hash: Hash,
}

/// Why a [`Frontier`] could not be decoded or extended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrontierError {
    /// The byte length does not match `8 + 32 * popcount(size)`.
    #[error("frontier of size {size} must be {expected} bytes, got {got}")]
    Length {
        /// The tree size read from the first 8 bytes (0 if there were fewer).
        size: u64,
        /// The length the size implies.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// The tree already has `u64::MAX` leaves.
    #[error("the tree is full (2^64 - 1 leaves)")]
    Full,
}

/// The right edge of a tree of `size` leaves (a compact range `[0, size)`): one perfect-subtree
/// hash per set bit of `size`, largest (leftmost) first. Appending a leaf costs `O(1)`
/// amortized hashes and `O(log n)` at worst; the root is computed from it in `O(log n)`.
///
/// Byte form ([`Frontier::to_bytes`]): the size as a big-endian `u64` (8 bytes), then the
/// `popcount(size)` hashes of 32 bytes, largest subtree first. Nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    /// Invariant: `hashes.len() == size.count_ones()`.
    hashes: Vec<Hash>,
}

impl Frontier {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The frontier nodes, largest (leftmost) first.
    pub fn nodes(&self) -> impl Iterator<Item = Node> + '_ {
        let mut start = 0u64;
        let bits = (0..=MAX_LEVEL).rev().filter(|l| self.size >> l & 1 == 1);
        bits.zip(self.hashes.iter()).map(move |(level, hash)| {
            let node = Node {
                level,
                index: start >> level,
                hash: *hash,
            };
            start += 1 << level;
            node
        })
    }

    /// Appends a leaf hash and returns every node this completes, in order of increasing
    /// level: first the leaf itself `(0, old size)`, then each parent that the leaf
    /// finishes. A store that writes every returned node once holds all the nodes
    /// [`inclusion_proof`], [`consistency_proof`] and [`root`] read.
    pub fn append(&mut self, leaf: Hash) -> Result<Vec<Node>, FrontierError> {
        let index = self.size;
        let new_size = index.checked_add(1).ok_or(FrontierError::Full)?;
        let mut completed = Vec::with_capacity(1 + index.trailing_ones() as usize);
        let mut node = Node {
            level: 0,
            index,
            hash: leaf,
        };
        completed.push(node);
        // Each trailing one bit of the old size is a left sibling waiting for this subtree.
        while self.size >> node.level & 1 == 1 {
            let Some(left) = self.hashes.pop() else { break };
            node = Node {
                level: node.level + 1,
                index: node.index >> 1,
                hash: node_hash(&left, &node.hash),
            };
            completed.push(node);
        }
        self.hashes.push(node.hash);
        self.size = new_size;
        Ok(completed)
    }

    /// The root hash of the current tree (RFC 9162 §2.1.1); [`empty_root`] when empty.
    pub fn root(&self) -> Hash {
        let mut from_right = self.hashes.iter().rev();
        match from_right.next() {
            None => empty_root(),
            Some(last) => from_right.fold(*last, |acc, left| node_hash(left, &acc)),
        }
    }

    /// The byte form: `size` (u64 big-endian) `||` the frontier hashes, largest first.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + HASH_LEN * self.hashes.len());
        out.extend_from_slice(&self.size.to_be_bytes());
        for h in &self.hashes {
            out.extend_from_slice(&h.0);
        }
        out
    }

    /// Decodes [`Frontier::to_bytes`]; rejects any other length.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, FrontierError> {
        let (size_bytes, rest) = bytes
            .split_first_chunk::<8>()
            .ok_or(FrontierError::Length {
                size: 0,
                expected: 8,
                got: bytes.len(),
            })?;
        let size = u64::from_be_bytes(*size_bytes);
        let expected = 8 + HASH_LEN * size.count_ones() as usize;
        if bytes.len() != expected {
            return Err(FrontierError::Length {
                size,
                expected,
                got: bytes.len(),
            });
        }
        let hashes = rest
            .chunks_exact(HASH_LEN)
            .map(Hash::from_slice)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| FrontierError::Length {
                size,
                expected,
                got: bytes.len(),
            })?;
        Ok(Self { size, hashes })
    }

    /// Rebuilds the frontier of a tree of `size` leaves from stored nodes (reads
    /// `popcount(size)` nodes).
    pub fn from_reader<E, R>(size: u64, mut read: R) -> Result<Self, ProveError<E>>
    where
        R: FnMut(u8, u64) -> Result<Hash, E>,
    {
        let mut hashes = Vec::with_capacity(size.count_ones() as usize);
        let mut start = 0u64;
        for level in (0..=MAX_LEVEL).rev() {
            if size >> level & 1 == 1 {
                hashes.push(read_node(&mut read, level, start >> level)?);
                start += 1 << level;
            }
        }
        Ok(Self { size, hashes })
    }
}
