//! How the store keeps the Merkle tree: hash tiles (docs/FORMAT.md §7, the `tiles` tree; tile shape as in §9 T7).
//!
//! Tile `(L, N)` holds the hashes of the perfect-subtree nodes `(level 8·L, index 256·N + i)`
//! for `i` in `0 … W−1`, W ≤ 256: the C2SP tlog-tiles layout, kept in one sled value (the W
//! hashes, concatenated). A full tile is written once; the rightmost tile of each tile level
//! is rewritten, with its new width, by each write that extends it. Any node of the tree is
//! read from one tile: node `(8·L + r, i)` is the root of the `2^r` hashes of tile level `L`
//! from index `i·2^r`, all in one tile, hashed up `r` levels (at most 127 hashes).
//!
//! Compared with one key per node, this writes about 1/128 as many sled keys per event.

use actledger_core::merkle::{self, Hash, Node, HASH_LEN};

use crate::StoreError;

/// Hashes per full tile.
pub(crate) const WIDTH: usize = 256;

/// Tree levels per tile level.
const LEVELS: u8 = 8;

/// The sled key of tile `(level, index)`: tile level (u8) || index (u64 BE).
pub(crate) fn tile_key(level: u8, index: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = level;
    k[1..].copy_from_slice(&index.to_be_bytes());
    k
}

/// The tile level and index a sled key names.
pub(crate) fn parse_key(k: &[u8]) -> Option<(u8, u64)> {
    let (&level, rest) = k.split_first()?;
    Some((level, u64::from_be_bytes(rest.try_into().ok()?)))
}

/// A tile to store: its key and its hashes, concatenated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TileWrite {
    pub level: u8,
    pub index: u64,
    pub bytes: Vec<u8>,
}

impl TileWrite {
    pub(crate) fn key(&self) -> [u8; 9] {
        tile_key(self.level, self.index)
    }
}

/// The rightmost tile of each tile level, as the tree grows: fed the nodes each appended leaf
/// completes, it hands out each tile that fills up and, on request, the partial ones that
/// changed since.
#[derive(Debug, Clone, Default)]
pub(crate) struct Edge {
    /// Per tile level: the index of its rightmost tile and the hashes it holds so far.
    rows: Vec<(u64, Vec<u8>)>,
    /// Tile levels whose rightmost tile changed since it was last handed out.
    dirty: u64,
}

impl Edge {
    /// Takes the nodes one append completed (as [`merkle::Frontier::append`] returns them)
    /// and pushes every tile they fill to `out`.
    pub(crate) fn add(&mut self, nodes: &[Node], out: &mut Vec<TileWrite>) {
        for n in nodes.iter().filter(|n| n.level % LEVELS == 0) {
            let level = n.level / LEVELS;
            let l = usize::from(level);
            if self.rows.len() <= l {
                self.rows.resize_with(l + 1, Default::default);
            }
            let Some((index, row)) = self.rows.get_mut(l) else {
                continue;
            };
            if row.is_empty() {
                *index = n.index / WIDTH as u64;
            }
            row.extend_from_slice(&n.hash.0);
            self.dirty |= 1 << l;
            if row.len() == WIDTH * HASH_LEN {
                out.push(TileWrite {
                    level,
                    index: *index,
                    bytes: std::mem::take(row),
                });
                self.dirty &= !(1 << l);
            }
        }
    }

    /// The edge of a tree of `size` leaves, from its stored partial tiles (read by
    /// `read(tile level, tile index)`); fails if one is missing or of the wrong width.
    pub(crate) fn from_stored(
        size: u64,
        mut read: impl FnMut(u8, u64) -> Result<Option<sled::IVec>, StoreError>,
    ) -> Result<Self, StoreError> {
        let mut edge = Edge::default();
        for level in 0..TILE_LEVELS {
            let (full, width) = extent(size, level);
            if full == 0 && width == 0 {
                break;
            }
            let row = if width == 0 {
                Vec::new()
            } else {
                let bytes = read(level, full)?.ok_or_else(|| {
                    StoreError::Corrupted(format!(
                        "Merkle tile ({level}, {full}) is missing; run `actledger verify`"
                    ))
                })?;
                if bytes.len() != width * HASH_LEN {
                    return Err(StoreError::Corrupted(format!(
                        "Merkle tile ({level}, {full}) holds {} bytes, not {}; run `actledger verify`",
                        bytes.len(),
                        width * HASH_LEN
                    )));
                }
                bytes.to_vec()
            };
            edge.rows.push((full, row));
        }
        Ok(edge)
    }

    /// Pushes to `out` each partial rightmost tile that changed since it was last handed out.
    pub(crate) fn partial(&mut self, out: &mut Vec<TileWrite>) {
        for (l, (index, row)) in self.rows.iter().enumerate() {
            if self.dirty & (1 << l) != 0 && !row.is_empty() {
                if let Ok(level) = u8::try_from(l) {
                    out.push(TileWrite {
                        level,
                        index: *index,
                        bytes: row.clone(),
                    });
                }
            }
        }
        self.dirty = 0;
    }
}

/// What a tree of `size` leaves stores at tile level `level`: the number of full tiles and the
/// width of the partial tile after them (0 if none).
pub(crate) fn extent(size: u64, level: u8) -> (u64, usize) {
    let shift = u32::from(level) * u32::from(LEVELS);
    let nodes = size.checked_shr(shift).unwrap_or(0);
    (nodes / WIDTH as u64, (nodes % WIDTH as u64) as usize)
}

/// Number of tile levels a tree of any size can use (levels 0, 8, ... 56 of the tree).
pub(crate) const TILE_LEVELS: u8 = merkle::MAX_LEVEL / LEVELS + 1;

/// The hash of node `(level, index)`, from the tile read by `read(tile level, tile index)`
/// (which returns `None` when the tile is not stored).
pub(crate) fn node(
    level: u8,
    index: u64,
    read: impl FnOnce(u8, u64) -> Result<Option<sled::IVec>, StoreError>,
) -> Result<Hash, StoreError> {
    let missing = || StoreError::Corrupted(format!("Merkle node ({level}, {index}) is missing"));
    let (tile_level, r) = (level / LEVELS, level % LEVELS);
    let first = index.checked_shl(u32::from(r)).ok_or_else(missing)?;
    if first >> r != index {
        return Err(missing());
    }
    let (tile, at) = (first / WIDTH as u64, (first % WIDTH as u64) as usize);
    let bytes = read(tile_level, tile)?.ok_or_else(missing)?;
    if bytes.len() % HASH_LEN != 0 || bytes.len() > WIDTH * HASH_LEN {
        return Err(StoreError::Corrupted(format!(
            "Merkle tile ({tile_level}, {tile}) is {} bytes, not a multiple of {HASH_LEN} up to {}",
            bytes.len(),
            WIDTH * HASH_LEN
        )));
    }
    let span = bytes
        .get(at * HASH_LEN..(at + (1 << r)) * HASH_LEN)
        .ok_or_else(missing)?;
    let mut row: Vec<Hash> = span
        .chunks_exact(HASH_LEN)
        .map(Hash::from_slice)
        .collect::<Result<_, _>>()
        .map_err(|_| missing())?;
    while row.len() > 1 {
        row = row
            .chunks_exact(2)
            .map(|p| merkle::node_hash(&p[0], &p[1]))
            .collect();
    }
    row.pop().ok_or_else(missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(i: u64) -> Hash {
        merkle::leaf_hash(&i.to_be_bytes())
    }

    /// Builds the tiles of a tree of `n` leaves the way the store writes them (partial tiles
    /// handed out every `every` leaves) and returns them keyed as stored.
    fn build(n: u64, every: u64) -> std::collections::BTreeMap<[u8; 9], Vec<u8>> {
        let mut f = merkle::Frontier::new();
        let mut edge = Edge::default();
        let mut stored = std::collections::BTreeMap::new();
        let mut out = Vec::new();
        for i in 0..n {
            let nodes = f.append(leaf(i)).unwrap();
            edge.add(&nodes, &mut out);
            if (i + 1) % every == 0 || i + 1 == n {
                edge.partial(&mut out);
            }
            for t in out.drain(..) {
                stored.insert(t.key(), t.bytes);
            }
        }
        stored
    }

    #[test]
    fn every_node_reads_back_from_the_tiles() {
        for (n, every) in [(1u64, 1u64), (255, 7), (256, 300), (257, 1), (70_000, 1000)] {
            let stored = build(n, every);
            let mut f = merkle::Frontier::new();
            let mut all = Vec::new();
            for i in 0..n {
                all.extend(f.append(leaf(i)).unwrap());
            }
            for want in all.iter().filter(|x| x.level <= 16 || x.index % 7 == 0) {
                let got = node(want.level, want.index, |l, i| {
                    Ok(stored
                        .get(&tile_key(l, i))
                        .map(|v| sled::IVec::from(v.as_slice())))
                })
                .unwrap();
                assert_eq!(
                    got, want.hash,
                    "n {n} node ({}, {})",
                    want.level, want.index
                );
            }
            // Widths are what `extent` says.
            for level in 0..TILE_LEVELS {
                let (full, partial) = extent(n, level);
                for t in 0..full {
                    assert_eq!(stored[&tile_key(level, t)].len(), WIDTH * HASH_LEN);
                }
                let p = stored
                    .get(&tile_key(level, full))
                    .map_or(0, |v| v.len() / HASH_LEN);
                assert_eq!(p, partial, "n {n} level {level}");
                assert!(!stored.contains_key(&tile_key(level, full + 1)));
            }
            // A node not yet complete is missing, never made up.
            assert!(node(0, n, |l, i| Ok(stored
                .get(&tile_key(l, i))
                .map(|v| sled::IVec::from(v.as_slice()))))
            .is_err());
        }
    }

    #[test]
    fn the_edge_resumes_from_stored_tiles() {
        for n in [1u64, 255, 256, 257, 65_536, 65_537, 70_000] {
            let mut stored = build(n, 97);
            let mut edge = Edge::from_stored(n, |l, i| {
                Ok(stored
                    .get(&tile_key(l, i))
                    .map(|v| sled::IVec::from(v.as_slice())))
            })
            .unwrap();
            // Growing the resumed edge gives the same tiles as growing the original.
            let mut f = merkle::Frontier::new();
            for i in 0..n {
                f.append(leaf(i)).unwrap();
            }
            let mut out = Vec::new();
            for i in n..n + 600 {
                edge.add(&f.append(leaf(i)).unwrap(), &mut out);
            }
            edge.partial(&mut out);
            for t in out {
                stored.insert(t.key(), t.bytes);
            }
            assert_eq!(stored, build(n + 600, 97), "n {n}");
        }
    }

    #[test]
    fn keys_round_trip() {
        assert_eq!(parse_key(&tile_key(3, 0x0102_0304)), Some((3, 0x0102_0304)));
        assert_eq!(parse_key(b"short"), None);
    }
}
