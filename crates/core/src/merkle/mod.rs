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
//!
//! The files follow ct-merkle's split: hashing here, the incremental [`Frontier`], tree math
//! over a node reader (`tree.rs`), and inclusion and consistency proofs, each produced and
//! verified in its own file.

mod consistency;
mod frontier;
mod inclusion;
mod tree;

pub use consistency::{consistency_proof, verify_consistency, ConsistencyError};
pub use frontier::{Frontier, FrontierError, Node};
pub use inclusion::{inclusion_proof, verify_inclusion, InclusionError};
pub use tree::{root, ProveError};

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

/// SHA-256's initial hash value (FIPS 180-4 §5.3.3).
const SHA256_IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// Computes the parent of two subtrees: `SHA-256(0x01 || left || right)` (RFC 9162 §2.1.1).
///
/// The 65-byte message is always the same shape, so its two padded blocks (FIPS 180-4 §5.1.1:
/// the message, `0x80`, zeros, the bit length 520 as a big-endian `u64`) are laid out here
/// and handed to SHA-256's compression function, without the streaming `Digest` buffer: a
/// cold hash tile of a proof is ~250 of these (`tests::node_hash_is_sha256_of_its_message`
/// checks it against the `Digest` form).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    use sha2::digest::generic_array::GenericArray;
    let mut blocks = [GenericArray::default(), GenericArray::default()];
    let [first, second] = &mut blocks;
    first[0] = NODE_PREFIX;
    first[1..=HASH_LEN].copy_from_slice(&left.0);
    first[HASH_LEN + 1..].copy_from_slice(&right.0[..HASH_LEN - 1]);
    second[0] = right.0[HASH_LEN - 1];
    second[1] = 0x80;
    second[56..].copy_from_slice(&((1 + 2 * HASH_LEN as u64) * 8).to_be_bytes());
    let mut state = SHA256_IV;
    sha2::compress256(&mut state, &blocks);
    let mut out = [0u8; HASH_LEN];
    for (bytes, word) in out.chunks_exact_mut(4).zip(state) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
    Hash(out)
}

/// The root of the empty tree: `SHA-256()` of no bytes (RFC 9162 §2.1.1),
/// `e3b0c442…b855`.
pub fn empty_root() -> Hash {
    Hash(Sha256::digest([]).into())
}

#[cfg(test)]
mod tests;
