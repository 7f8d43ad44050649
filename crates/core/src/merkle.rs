//! RFC 6962 / RFC 9162 Merkle tree hashing, an incremental frontier, proof generation from
//! stored perfect-subtree nodes, and proof verification (docs/FORMAT.md, "Merkle tree").
//!
//! The tree is the Merkle Tree Hash (MTH) of RFC 9162 §2.1.1 over the stored event bytes:
//!
//! - `MTH({})       = SHA-256()` (the empty string);
//! - `MTH({d(0)})   = SHA-256(0x00 || d(0))` ([`leaf_hash`]);
//! - `MTH(D[n])     = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))` where `k` is the largest
//!   power of two smaller than `n` ([`node_hash`]).
//!
//! A *node* `(level, index)` is the root of the perfect subtree over the leaves
//! `[index * 2^level, (index + 1) * 2^level)`; level 0 nodes are leaf hashes. A store keeps
//! every node once it is complete ([`Frontier::append`] reports them), and proofs and roots
//! of any size are then computed from `O(log n)` of those nodes through a *node reader*: a
//! closure `FnMut(level: u8, index: u64) -> Result<Hash, E>`.

use std::fmt;

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Length of a SHA-256 hash in bytes.
pub const HASH_LEN: usize = 32;

/// Domain-separation prefix of a leaf hash: `leaf_hash(d) = SHA-256(0x00 || d)`
/// (RFC 6962 §2.1, RFC 9162 §2.1.1).
pub const LEAF_PREFIX: u8 = 0x00;

/// Domain-separation prefix of an interior node: `node_hash(l, r) = SHA-256(0x01 || l || r)`
/// (RFC 6962 §2.1, RFC 9162 §2.1.1).
pub const NODE_PREFIX: u8 = 0x01;

/// The largest level a node can have: a tree holds fewer than 2^64 leaves.
pub const MAX_LEVEL: u8 = 63;

/// A SHA-256 Merkle tree hash (a leaf hash, an interior node or a root; RFC 9162 §2.1.1).
///
/// `Debug` and `Display` show lower-case hex; checkpoints and proofs carry it in standard
/// base64 ([`Hash::to_base64`]).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hash(pub [u8; HASH_LEN]);

/// A value that is not a SHA-256 hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HashParseError {
    /// Not standard base64 (RFC 4648 §4) with canonical padding.
    #[error("not standard base64 with padding")]
    Base64,
    /// Not exactly 32 bytes.
    #[error("a SHA-256 hash is 32 bytes, not {0}")]
    Length(usize),
}

impl Hash {
    /// The 32 raw bytes.
    pub fn as_bytes(&self) -> &[u8; HASH_LEN] {
        &self.0
    }

    /// Exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, HashParseError> {
        <[u8; HASH_LEN]>::try_from(bytes)
            .map(Self)
            .map_err(|_| HashParseError::Length(bytes.len()))
    }

    /// Standard base64 (RFC 4648 §4) with padding, as in checkpoints and proofs.
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.0)
    }

    /// Parses standard base64 with canonical padding of exactly 32 bytes; anything else,
    /// including whitespace or non-zero trailing bits, is rejected.
    pub fn from_base64(s: &str) -> Result<Self, HashParseError> {
        // 32 bytes are 44 base64 characters; refuse longer input before decoding it.
        if s.len() > 44 {
            return Err(HashParseError::Length(s.len() / 4 * 3));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(|_| HashParseError::Base64)?;
        Self::from_slice(&bytes)
    }

    /// Lower-case hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl From<[u8; HASH_LEN]> for Hash {
    fn from(b: [u8; HASH_LEN]) -> Self {
        Self(b)
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

/// Computes the leaf hash of an entry: `SHA-256(0x00 || entry)` (RFC 9162 §2.1.1).
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([LEAF_PREFIX]);
    h.update(entry);
    Hash(h.finalize().into())
}

/// Computes the parent of two subtrees: `SHA-256(0x01 || left || right)` (RFC 9162 §2.1.1).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([NODE_PREFIX]);
    h.update(left.0);
    h.update(right.0);
    Hash(h.finalize().into())
}

/// The root of the empty tree: `SHA-256()` of no bytes (RFC 9162 §2.1.1),
/// `e3b0c442…b855`.
pub fn empty_root() -> Hash {
    Hash(Sha256::digest([]).into())
}

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

fn read_node<E, R>(read: &mut R, level: u8, index: u64) -> Result<Hash, ProveError<E>>
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
fn split_point(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// `MTH(D[start : start + len])` for `len >= 1`, where `start` is a multiple of the smallest
/// power of two `>= len` (true of every subtree RFC 9162 recursion visits). Reads one node
/// per set bit of `len`.
fn range_hash<E, R>(read: &mut R, start: u64, len: u64) -> Result<Hash, ProveError<E>>
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

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::convert::Infallible;

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
}
