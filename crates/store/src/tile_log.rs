//! The tile-shaped read seam, beside the event-shaped [`crate::LogReader`]: a log as a
//! C2SP tiled log presents it (<https://c2sp.org/tlog-tiles>), in the manner of Tessera's
//! `LogReader`: the latest checkpoint, the integrated size, a hash tile, an entry bundle.
//! Inclusion and consistency proofs, tile export and tile verification are written once, here,
//! against it; nothing above the seam knows which log it has. Behind it: the sled [`Ledger`]
//! (its stored tiles); [`HashedTiles`] over an event-shaped log that keeps no tiles (a
//! snapshot's entries file, a log being exported), its tiles computed in one pass; and
//! [`ComputedTiles`] over any event-shaped log (an in-memory [`crate::MemoryLog`] in tests),
//! which hashes each node up from the entries it covers. A log read over HTTP is the fourth (`crates/http`): the trait is object-safe and
//! its errors carry an I/O or network failure ([`StoreError::Read`]).

use std::sync::Arc;

use actledger_core::merkle::{self, Frontier, Hash, HASH_LEN};
use actledger_core::tiles::{
    encode_entry_bundle, subtree_root, tile_of_node, tiles_between, HashTile, TileError, TileId,
    TileKind, TILE_HEIGHT, TILE_WIDTH,
};

use crate::tile_cache::{TileCache, ROW_HEIGHT};
use crate::{Ledger, LogReader, ProofError, StoreError};

/// What proofs, tile export and tile verification need from a log.
pub trait TileReader {
    /// The latest signed checkpoint (C2SP signed-note text), if the log has one.
    fn read_checkpoint(&self) -> Result<Option<String>, StoreError>;
    /// How many entries the log's tiles cover.
    fn integrated_size(&self) -> Result<u64, StoreError>;
    /// Hash tile `index` of tile level `level` as a tree holding it at `width` hashes has it
    /// (256: full; fewer: the partial rightmost tile of a smaller tree): the `width` hashes,
    /// concatenated.
    fn read_tile(&self, level: u8, index: u64, width: u16) -> Result<Vec<u8>, StoreError>;
    /// Entry bundle `index` with its first `width` entries, in the C2SP encoding (each entry
    /// as a u16 BE length and its bytes).
    fn read_entry_bundle(&self, index: u64, width: u16) -> Result<Vec<u8>, StoreError>;
    /// The parsed hash tiles this log keeps across proofs, if it keeps any: only a log that
    /// holds its own tiles (the sled ledger), never a reader of someone else's.
    fn tile_cache(&self) -> Option<&TileCache> {
        None
    }
}

fn tile_err(e: TileError) -> StoreError {
    StoreError::Corrupted(format!("Merkle tile: {e}"))
}

/// Reads the nodes of one tree size from a log's hash tiles, for one proof or root: each tile
/// is read and parsed once, then each node is a lookup or hashed from the tile's hashes. A
/// proof at 1M entries asks for ~30 nodes from ~4 tiles; it read and hashed a tile for each
/// node. Tiles come from the log's [`TileCache`] when it keeps one.
///
/// A tile read from the log is kept with its hashes only ([`HashTile::leaves`]): the nodes
/// a proof asks of it are hashed when asked, which for the cold level-0 tile of a random
/// leaf is 247 node hashes instead of all 255 above its hashes. A tile found in the cache a
/// second time has its nodes hashed once and kept ([`HashTile::with_inner`]): the upper
/// tiles, which every proof reads, and the newest ones, are then lookups.
pub(crate) struct TileNodes<'a> {
    log: &'a dyn TileReader,
    size: u64,
    /// The tiles this reader has used (a handful).
    seen: Vec<Arc<HashTile>>,
    /// Tiles read from the log (not found in `seen` or the cache).
    pub(crate) reads: u64,
}

impl<'a> TileNodes<'a> {
    pub(crate) fn new(log: &'a dyn TileReader, size: u64) -> Self {
        Self {
            log,
            size,
            seen: Vec::new(),
            reads: 0,
        }
    }

    /// Node `(level, index)`, which must be complete in the tree of this reader's size.
    pub(crate) fn node(&mut self, level: u8, index: u64) -> Result<Hash, StoreError> {
        let (id, height, at) = tile_of_node(level, index, self.size).map_err(tile_err)?;
        let tile = match self.seen.iter().find(|t| t.id() == id) {
            Some(t) => Arc::clone(t),
            None => {
                let cache = self.log.tile_cache();
                let tile = match (cache, cache.and_then(|c| c.get(&id))) {
                    (Some(c), Some(t)) if !t.has_inner() => {
                        // Asked for by a second proof: worth hashing whole, once.
                        let whole = Arc::new(Arc::unwrap_or_clone(t).with_inner());
                        c.insert(Arc::clone(&whole));
                        if let Some(row) = row_of(&whole) {
                            c.insert_row(id.index(), row);
                        }
                        whole
                    }
                    (_, Some(t)) => t,
                    (_, None) => {
                        let TileKind::Hashes { level } = id.kind() else {
                            return Err(tile_err(TileError::Shape));
                        };
                        self.reads += 1;
                        let bytes = self.log.read_tile(level, id.index(), id.width())?;
                        let t = Arc::new(HashTile::leaves(id, &bytes).map_err(tile_err)?);
                        if let Some(c) = cache {
                            c.insert(Arc::clone(&t));
                        }
                        t
                    }
                };
                self.seen.push(Arc::clone(&tile));
                tile
            }
        };
        if height >= ROW_HEIGHT && !tile.has_inner() && is_full_leaf_tile(&id) {
            // A node of the upper half of a full level-0 tile, from its kept row if there is
            // one: 2^(height - 4) - 1 node hashes instead of 2^height - 1.
            let span = 1usize << (height - ROW_HEIGHT);
            let from_row = self
                .log
                .tile_cache()
                .and_then(|c| c.row(id.index()))
                .and_then(|row| {
                    let first = at.checked_mul(span)?;
                    subtree_root(row.get(first..first.checked_add(span)?)?)
                });
            if let Some(h) = from_row {
                return Ok(h);
            }
        }
        tile.node(height, at).ok_or_else(|| {
            tile_err(TileError::NotInTree {
                level,
                index,
                size: self.size,
            })
        })
    }
}

/// Whether `id` is a full tile of level 0 (whose row of height [`ROW_HEIGHT`] a
/// [`TileCache`] may keep).
fn is_full_leaf_tile(id: &TileId) -> bool {
    id.kind() == (TileKind::Hashes { level: 0 }) && !id.is_partial()
}

/// The 16 nodes of height [`ROW_HEIGHT`] of a full level-0 tile (hashed from its hashes if
/// it does not keep its inner nodes); `None` for any other tile.
pub(crate) fn row_of(tile: &HashTile) -> Option<Vec<Hash>> {
    if !is_full_leaf_tile(&tile.id()) {
        return None;
    }
    (0..usize::from(TILE_WIDTH) >> ROW_HEIGHT)
        .map(|at| tile.node(ROW_HEIGHT, at))
        .collect()
}

fn prove_err(e: merkle::ProveError<StoreError>) -> StoreError {
    match e {
        merkle::ProveError::Read { source, .. } => source,
        other => ProofError::Range(other.to_string()).into(),
    }
}

fn check_size(log: &dyn TileReader, size: u64) -> Result<(), StoreError> {
    let have = log.integrated_size()?;
    if size > have {
        return Err(ProofError::BeyondLog { size, have }.into());
    }
    Ok(())
}

/// The Merkle root of the first `size` entries (RFC 9162 §2.1.1).
pub fn root(log: &dyn TileReader, size: u64) -> Result<Hash, StoreError> {
    check_size(log, size)?;
    let mut nodes = TileNodes::new(log, size);
    merkle::root(size, |l, i| nodes.node(l, i)).map_err(prove_err)
}

/// RFC 9162 inclusion proof of entry `index` in the tree of `size` entries.
pub fn inclusion_proof(
    log: &dyn TileReader,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, StoreError> {
    check_size(log, size)?;
    let mut nodes = TileNodes::new(log, size);
    merkle::inclusion_proof(index, size, |l, i| nodes.node(l, i)).map_err(prove_err)
}

/// RFC 9162 consistency proof from the tree of `old` entries to the tree of `new` entries.
pub fn consistency_proof(
    log: &dyn TileReader,
    old: u64,
    new: u64,
) -> Result<Vec<Hash>, StoreError> {
    check_size(log, new)?;
    let mut nodes = TileNodes::new(log, new);
    merkle::consistency_proof(old, new, |l, i| nodes.node(l, i)).map_err(prove_err)
}

/// The tile files `(path, bytes)` a static copy of the log needs when it grows from `old` to
/// `new` entries (`core::tiles::tiles_between`): hash tiles and entry bundles, read as they
/// are.
pub fn tile_files(
    log: &dyn TileReader,
    old: u64,
    new: u64,
) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
    let mut files = Vec::new();
    for_each_tile_file(log, old, new, |path, bytes| {
        files.push((path.to_string(), bytes));
        Ok(())
    })?;
    Ok(files)
}

/// [`tile_files`] one file at a time, in order, without holding them: `write(path, bytes)`
/// for each (an export writes each as it comes).
pub fn for_each_tile_file(
    log: &dyn TileReader,
    old: u64,
    new: u64,
    mut write: impl FnMut(&str, Vec<u8>) -> Result<(), StoreError>,
) -> Result<usize, StoreError> {
    check_size(log, new)?;
    let tiles = tiles_between(old, new);
    for t in &tiles {
        let bytes = match t.kind() {
            TileKind::Hashes { level } => log.read_tile(level, t.index(), t.width())?,
            TileKind::Entries => log.read_entry_bundle(t.index(), t.width())?,
        };
        write(&t.path(), bytes)?;
    }
    Ok(tiles.len())
}

/// Verifies the tiles of the first `size` entries against the entries and `root`: every hash
/// tile, full and partial, is recomputed from the entry bundles and compared, and the tree's
/// root must be `root` (e.g. a checkpoint's). Reads each bundle and tile once, holding one
/// tile per level. Returns the first tile that differs as [`StoreError::Corrupted`].
pub fn verify_tiles(log: &dyn TileReader, size: u64, root: &Hash) -> Result<(), StoreError> {
    check_size(log, size)?;
    let width = u64::from(TILE_WIDTH);
    let mut tree = Frontier::new();
    // Per tile level: the hashes of its tile being filled.
    let mut rows: Vec<Vec<u8>> = Vec::new();
    let compare = |level: u8, index: u64, row: &[u8]| -> Result<(), StoreError> {
        let w = u16::try_from(row.len() / HASH_LEN).unwrap_or(u16::MAX);
        if log.read_tile(level, index, w)? != row {
            return Err(StoreError::Corrupted(format!(
                "hash tile ({level}, {index}) of width {w} is not what the entries give"
            )));
        }
        Ok(())
    };
    for b in 0..size.div_ceil(width) {
        let w = u16::try_from((size - b * width).min(width)).unwrap_or(TILE_WIDTH);
        let bundle = log.read_entry_bundle(b, w)?;
        let entries = actledger_core::tiles::parse_entry_bundle(&bundle)
            .map_err(|e| StoreError::Corrupted(format!("entry bundle {b}: {e}")))?;
        if entries.len() != usize::from(w) {
            return Err(StoreError::Corrupted(format!(
                "entry bundle {b} holds {} entries, not {w}",
                entries.len()
            )));
        }
        for e in entries {
            let nodes = tree
                .append(merkle::leaf_hash(e))
                .map_err(|e| StoreError::Corrupted(e.to_string()))?;
            for n in nodes.iter().filter(|n| n.level % TILE_HEIGHT == 0) {
                let l = usize::from(n.level / TILE_HEIGHT);
                if rows.len() <= l {
                    rows.resize_with(l + 1, Vec::new);
                }
                let Some(row) = rows.get_mut(l) else { continue };
                row.extend_from_slice(n.hash.as_bytes());
                if row.len() == usize::from(TILE_WIDTH) * HASH_LEN {
                    let index = n.index / width;
                    compare(n.level / TILE_HEIGHT, index, row)?;
                    row.clear();
                }
            }
        }
    }
    for (l, row) in rows.iter().enumerate() {
        if !row.is_empty() {
            let level = u8::try_from(l).unwrap_or(u8::MAX);
            let shift = u32::from(level) * u32::from(TILE_HEIGHT);
            let index = (size >> shift) / width;
            compare(level, index, row)?;
        }
    }
    if tree.root() != *root {
        return Err(StoreError::Corrupted(format!(
            "the entries' root {} is not the expected {}",
            tree.root().to_base64(),
            root.to_base64()
        )));
    }
    Ok(())
}

/// An entry bundle of `log`'s entries `index * 256 ..` (the first `width`).
fn bundle_of(log: &dyn LogReader, index: u64, width: u16) -> Result<Vec<u8>, StoreError> {
    let first = index.saturating_mul(u64::from(TILE_WIDTH));
    // One ranged read (a sled ledger's bundles hold 16 events each), not one read per entry.
    let mut run = crate::EventRun::with_capacity(usize::from(width), 512);
    log.read_range(first, first.saturating_add(u64::from(width)), &mut run)?;
    let mut entries = Vec::with_capacity(usize::from(width));
    for i in 0..usize::from(width) {
        let seq = first.saturating_add(i as u64);
        match run.get(i) {
            Some((key, bytes)) if key == seq => entries.push(bytes),
            _ => {
                return Err(StoreError::Corrupted(format!(
                    "entry {seq} of bundle {index} is not stored"
                )))
            }
        }
    }
    encode_entry_bundle(first, &entries).map_err(|e| StoreError::Corrupted(e.to_string()))
}

/// The sled ledger's tiles, as stored (docs/FORMAT.md §9 T10): a partial tile of a smaller
/// tree is a prefix of the stored rightmost one.
impl TileReader for Ledger {
    fn read_checkpoint(&self) -> Result<Option<String>, StoreError> {
        Ok(self.latest_checkpoint()?.map(|c| c.note))
    }

    fn integrated_size(&self) -> Result<u64, StoreError> {
        self.size()
    }

    fn read_tile(&self, level: u8, index: u64, width: u16) -> Result<Vec<u8>, StoreError> {
        let stored = self.stored_tile(level, index)?.ok_or_else(|| {
            StoreError::Corrupted(format!("Merkle tile ({level}, {index}) is missing"))
        })?;
        stored
            .get(..usize::from(width) * HASH_LEN)
            .map(<[u8]>::to_vec)
            .ok_or_else(|| {
                StoreError::Corrupted(format!(
                    "Merkle tile ({level}, {index}) holds {} bytes, fewer than {width} hashes",
                    stored.len()
                ))
            })
    }

    fn read_entry_bundle(&self, index: u64, width: u16) -> Result<Vec<u8>, StoreError> {
        bundle_of(self, index, width)
    }

    fn tile_cache(&self) -> Option<&TileCache> {
        Some(Ledger::tile_cache(self))
    }
}

/// The tiles of an event-shaped log computed from its entries (each node hashed up from the
/// leaves it covers, nothing kept): for small logs (an in-memory log in tests); a large one
/// wants [`HashedTiles`]. A hash tile of level `L` hashes `256 · 256^L` entries, so this is for logs
/// of test or snapshot size, not for serving.
pub struct ComputedTiles<'a> {
    log: &'a dyn LogReader,
    checkpoint: Option<String>,
}

impl<'a> ComputedTiles<'a> {
    /// The tiles of `log`, with `checkpoint` as its latest checkpoint (if it has one).
    pub fn new(log: &'a dyn LogReader, checkpoint: Option<String>) -> Self {
        Self { log, checkpoint }
    }

    fn subtree(&self, level: u8, index: u64) -> Result<Hash, StoreError> {
        if level == 0 {
            let bytes = self
                .log
                .get(index)?
                .ok_or_else(|| StoreError::Corrupted(format!("entry {index} is not stored")))?;
            return Ok(merkle::leaf_hash(&bytes));
        }
        let left = self.subtree(level - 1, index.saturating_mul(2))?;
        let right = self.subtree(level - 1, index.saturating_mul(2).saturating_add(1))?;
        Ok(merkle::node_hash(&left, &right))
    }
}

impl TileReader for ComputedTiles<'_> {
    fn read_checkpoint(&self) -> Result<Option<String>, StoreError> {
        Ok(self.checkpoint.clone())
    }

    fn integrated_size(&self) -> Result<u64, StoreError> {
        self.log.len()
    }

    fn read_tile(&self, level: u8, index: u64, width: u16) -> Result<Vec<u8>, StoreError> {
        let tree_level = level.saturating_mul(TILE_HEIGHT);
        let first = index.saturating_mul(u64::from(TILE_WIDTH));
        let mut out = Vec::with_capacity(usize::from(width) * HASH_LEN);
        for i in 0..u64::from(width) {
            out.extend_from_slice(
                self.subtree(tree_level, first.saturating_add(i))?
                    .as_bytes(),
            );
        }
        Ok(out)
    }

    fn read_entry_bundle(&self, index: u64, width: u16) -> Result<Vec<u8>, StoreError> {
        bundle_of(self.log, index, width)
    }
}

/// The hash tiles of an event-shaped log that keeps none (a snapshot's entries file, a log
/// being exported), computed in one pass over its entries as the ledger's writer computes
/// its own ([`TileBuilder`]) and kept in memory: 32 bytes per entry (a level-0 hash) and
/// 1/256 of that per level above. Proofs and roots then read `O(log n)` tiles, as from the
/// sled ledger.
pub struct HashedTiles<'a> {
    log: &'a dyn LogReader,
    checkpoint: Option<String>,
    size: u64,
    tiles: std::collections::HashMap<(u8, u64), Vec<u8>>,
}

/// Builds [`HashedTiles`] from entries pushed in order.
#[derive(Debug, Default)]
pub struct TileBuilder {
    tree: Frontier,
    edge: crate::tiles::Edge,
    done: Vec<crate::tiles::TileWrite>,
    /// With [`TileBuilder::for_proofs_of`]: the full level-0 tiles to keep (by tile index);
    /// the others are dropped as they fill.
    level0: Option<std::collections::BTreeSet<u64>>,
}

impl TileBuilder {
    /// No entries yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// No entries yet; of the full level-0 tiles (32 bytes an entry, nearly all of the
    /// tiles' memory) only those holding one of `leaves` are kept. The tiles then answer
    /// the root and the inclusion proofs of those leaves at the final size: such a proof
    /// reads the level-0 tile of its leaf, tiles of the levels above and the rightmost
    /// partial tiles (C2SP tlog-tiles; all kept), never another full level-0 tile. Other
    /// reads of a dropped tile fail (`StoreError::Corrupted`), never answer wrongly.
    pub fn for_proofs_of(leaves: impl IntoIterator<Item = u64>) -> Self {
        Self {
            level0: Some(
                leaves
                    .into_iter()
                    .map(|l| l / u64::from(TILE_WIDTH))
                    .collect(),
            ),
            ..Self::default()
        }
    }

    /// Keeps the level-0 tile of `leaf` too (a builder of [`TileBuilder::for_proofs_of`]),
    /// asked before that tile fills (at the latest when `leaf` itself is pushed).
    pub fn keep_leaf(&mut self, leaf: u64) {
        if let Some(keep) = &mut self.level0 {
            keep.insert(leaf / u64::from(TILE_WIDTH));
        }
    }

    /// Appends the next entry's bytes.
    pub fn push(&mut self, entry: &[u8]) -> Result<(), StoreError> {
        let nodes = self
            .tree
            .append(merkle::leaf_hash(entry))
            .map_err(|e| StoreError::Corrupted(e.to_string()))?;
        let before = self.done.len();
        self.edge.add(&nodes, &mut self.done);
        if let Some(keep) = &self.level0 {
            if self.done.len() > before {
                let new = self.done.split_off(before);
                self.done.extend(
                    new.into_iter()
                        .filter(|t| t.level != 0 || keep.contains(&t.index)),
                );
            }
        }
        Ok(())
    }

    /// The entries pushed so far.
    pub fn size(&self) -> u64 {
        self.tree.size()
    }

    /// The Merkle root of the entries pushed so far.
    pub fn root(&self) -> Hash {
        self.tree.root()
    }

    /// The tiles of the entries pushed, read through `log` (which must hold them) for entry
    /// bundles, with `checkpoint` as the log's latest.
    pub fn finish(mut self, log: &dyn LogReader, checkpoint: Option<String>) -> HashedTiles<'_> {
        self.edge.partial(&mut self.done);
        let tiles = self
            .done
            .into_iter()
            .map(|t| ((t.level, t.index), t.bytes))
            .collect();
        HashedTiles {
            log,
            checkpoint,
            size: self.tree.size(),
            tiles,
        }
    }
}

impl TileReader for HashedTiles<'_> {
    fn read_checkpoint(&self) -> Result<Option<String>, StoreError> {
        Ok(self.checkpoint.clone())
    }

    fn integrated_size(&self) -> Result<u64, StoreError> {
        Ok(self.size)
    }

    fn read_tile(&self, level: u8, index: u64, width: u16) -> Result<Vec<u8>, StoreError> {
        let tile = self.tiles.get(&(level, index)).ok_or_else(|| {
            StoreError::Corrupted(format!("Merkle tile ({level}, {index}) is not computed"))
        })?;
        tile.get(..usize::from(width) * HASH_LEN)
            .map(<[u8]>::to_vec)
            .ok_or_else(|| {
                StoreError::Corrupted(format!(
                    "Merkle tile ({level}, {index}) holds {} bytes, fewer than {width} hashes",
                    tile.len()
                ))
            })
    }

    fn read_entry_bundle(&self, index: u64, width: u16) -> Result<Vec<u8>, StoreError> {
        bundle_of(self.log, index, width)
    }
}
