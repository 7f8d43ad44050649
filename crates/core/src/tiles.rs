//! C2SP tiled transparency logs (<https://c2sp.org/tlog-tiles>): tile paths, entry bundles,
//! hash tiles, which tiles a tree of a given size has, producing their bytes, and reading
//! Merkle nodes back from tiles. Pure: the caller does the I/O. See docs/FORMAT.md, "Tiles".
//!
//! - A *hash tile* at tile level `L`, index `N` holds up to 256 consecutive 32-byte Merkle
//!   nodes of tree level `8 L`: node `N * 256 + i` for `i` in `0..W`, concatenated. Full tiles
//!   have `W = 256` (8,192 bytes); the rightmost tile of a level may be partial (`1 <= W <= 255`).
//! - An *entry bundle* with index `N` holds the entries `N * 256 .. N * 256 + W`, each as a
//!   big-endian `u16` length followed by the entry bytes.
//! - Paths: `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`, where `<N>` is written in
//!   groups of three digits, all but the last prefixed with `x` (1234067 is `x001/x234/067`).

use std::fmt;

use crate::merkle::{leaf_hash, node_hash, Frontier, Hash, HASH_LEN, MAX_LEVEL};

/// Tree levels per tile level: a tile is a subtree of height 8.
pub const TILE_HEIGHT: u8 = 8;

/// Hashes (or entries) in a full tile (or bundle): `2^TILE_HEIGHT`.
pub const TILE_WIDTH: u16 = 256;

/// The largest tile level a path may name (tlog-tiles §Merkle Tree: 0 to 63).
pub const MAX_TILE_LEVEL: u8 = 63;

/// The largest entry an entry bundle can hold: its length is a `u16`.
pub const MAX_ENTRY_BYTES: usize = u16::MAX as usize;

/// Why a tile path, tile or bundle is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TileError {
    /// Not a canonical tile or entry-bundle path.
    #[error("not a tlog-tiles path: {}", crate::error::quoted(.0))]
    Path(String),
    /// A width outside 1..=256, or a level above 63.
    #[error("tile width must be 1 to 256 and level 0 to 63")]
    Shape,
    /// A hash tile whose length is not a multiple of 32, or empty, or over 256 hashes.
    #[error("hash tile of {0} bytes is not 1 to 256 hashes of 32 bytes")]
    HashTileLength(usize),
    /// An entry bundle that ends inside an entry.
    #[error("entry bundle is truncated inside entry {0}")]
    BundleTruncated(usize),
    /// An entry bundle with more than 256 entries.
    #[error("entry bundle holds more than 256 entries")]
    BundleTooLong,
    /// A tile or bundle with another width than its path says.
    #[error("tile holds {got} items, its path says {expected}")]
    Width {
        /// Width from the path.
        expected: u16,
        /// Items found.
        got: usize,
    },
    /// An entry too large for a bundle.
    #[error("entry {index} is {len} bytes, over the {MAX_ENTRY_BYTES}-byte entry-bundle limit")]
    EntryTooLarge {
        /// Its index in the log.
        index: u64,
        /// Its length.
        len: usize,
    },
    /// A node that is not a complete node of the tree.
    #[error("node (level {level}, index {index}) is not complete in a tree of size {size}")]
    NotInTree {
        /// Its level.
        level: u8,
        /// Its index.
        index: u64,
        /// The tree size.
        size: u64,
    },
}

/// What a tile holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TileKind {
    /// Merkle nodes of tree level `8 * level`.
    Hashes {
        /// The tile level (0 = leaf hashes).
        level: u8,
    },
    /// Log entries (an entry bundle), parallel to level-0 hash tiles.
    Entries,
}

/// A tile or entry bundle: kind, index within its level, and width (256 = full).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TileId {
    kind: TileKind,
    index: u64,
    width: u16,
}

/// `<N>` of a tile path: three-digit groups, all but the last prefixed with `x`.
pub fn index_path(mut n: u64) -> String {
    let mut s = format!("{:03}", n % 1000);
    while n >= 1000 {
        n /= 1000;
        s = format!("x{:03}/{s}", n % 1000);
    }
    s
}

impl TileId {
    /// A tile; `width` must be 1 to 256 and a hash tile's level at most 63.
    pub fn new(kind: TileKind, index: u64, width: u16) -> Result<Self, TileError> {
        let level_ok = match kind {
            TileKind::Hashes { level } => level <= MAX_TILE_LEVEL,
            TileKind::Entries => true,
        };
        if !level_ok || width == 0 || width > TILE_WIDTH {
            return Err(TileError::Shape);
        }
        Ok(Self { kind, index, width })
    }

    /// What it holds.
    pub fn kind(&self) -> TileKind {
        self.kind
    }

    /// Its index within its level.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// Number of hashes or entries (256 for a full tile).
    pub fn width(&self) -> u16 {
        self.width
    }

    /// Whether it is partial (fewer than 256 items).
    pub fn is_partial(&self) -> bool {
        self.width < TILE_WIDTH
    }

    /// Its path: `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`.
    pub fn path(&self) -> String {
        let kind = match self.kind {
            TileKind::Hashes { level } => level.to_string(),
            TileKind::Entries => "entries".to_owned(),
        };
        let mut s = format!("tile/{kind}/{}", index_path(self.index));
        if self.is_partial() {
            s.push_str(&format!(".p/{}", self.width));
        }
        s
    }

    /// Parses a canonical path (the inverse of [`TileId::path`]); anything else, such as
    /// leading zeros in `<L>` or `<W>`, a missing `x` or a `.p/256`, is rejected.
    pub fn parse_path(path: &str) -> Result<Self, TileError> {
        let bad = || TileError::Path(path.chars().take(100).collect());
        if path.len() > 100 {
            return Err(bad());
        }
        let rest = path.strip_prefix("tile/").ok_or_else(bad)?;
        let (kind, rest) = rest.split_once('/').ok_or_else(bad)?;
        let kind = if kind == "entries" {
            TileKind::Entries
        } else {
            let level = crate::checkpoint::parse_decimal(kind)
                .and_then(|l| u8::try_from(l).ok())
                .ok_or_else(bad)?;
            TileKind::Hashes { level }
        };
        let (index_part, width) = match rest.split_once(".p/") {
            Some((n, w)) => {
                let w = crate::checkpoint::parse_decimal(w)
                    .and_then(|w| u16::try_from(w).ok())
                    .ok_or_else(bad)?;
                (n, w)
            }
            None => (rest, TILE_WIDTH),
        };
        let mut index = 0u64;
        for group in index_part.split('/') {
            let digits = group.strip_prefix('x').unwrap_or(group);
            if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let d: u64 = digits.parse().map_err(|_| bad())?;
            index = index
                .checked_mul(1000)
                .and_then(|i| i.checked_add(d))
                .ok_or_else(bad)?;
        }
        let tile = Self::new(kind, index, width).map_err(|_| bad())?;
        // Canonical form only: the `x` prefixes, no leading zero groups, no `.p/256`.
        if tile.path() != path {
            return Err(bad());
        }
        Ok(tile)
    }
}

impl fmt::Display for TileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// The tiles and entry bundles a tree of `new_size` leaves has that a tree of `old_size`
/// leaves did not: new full tiles, and the partial tile of each level whose width changed.
/// `tiles_between(0, n)` lists every tile of a tree of size `n`. Order: entry bundles, then
/// hash tiles by level, each by index. Empty if `old_size >= new_size`.
pub fn tiles_between(old_size: u64, new_size: u64) -> Vec<TileId> {
    let mut out = Vec::new();
    if old_size >= new_size {
        return out;
    }
    let mut push_level = |kind: TileKind, n_old: u64, n_new: u64| {
        let width = u64::from(TILE_WIDTH);
        for t in n_old / width..n_new / width {
            out.push(TileId {
                kind,
                index: t,
                width: TILE_WIDTH,
            });
        }
        let partial = (n_new % width) as u16;
        if partial > 0 && n_new != n_old {
            out.push(TileId {
                kind,
                index: n_new / width,
                width: partial,
            });
        }
    };
    push_level(TileKind::Entries, old_size, new_size);
    for level in 0..=MAX_LEVEL / TILE_HEIGHT {
        let shift = u32::from(level * TILE_HEIGHT);
        let (n_old, n_new) = (old_size >> shift, new_size >> shift);
        if n_new == 0 {
            break;
        }
        push_level(TileKind::Hashes { level }, n_old, n_new);
    }
    out
}

/// Appends one bundle item: the entry's length (`u16`, big-endian) then its bytes. Fails with
/// the length if it does not fit in a `u16`.
fn push_entry(out: &mut Vec<u8>, entry: &[u8]) -> Result<(), usize> {
    let len = u16::try_from(entry.len()).map_err(|_| entry.len())?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(entry);
    Ok(())
}

/// Encodes an entry bundle: each entry as its length (`u16`, big-endian) then its bytes.
/// `first_index` is the log index of the first entry, for errors.
pub fn encode_entry_bundle<T: AsRef<[u8]>>(
    first_index: u64,
    entries: &[T],
) -> Result<Vec<u8>, TileError> {
    let mut out = Vec::with_capacity(entries.iter().map(|e| 2 + e.as_ref().len()).sum());
    for (i, e) in entries.iter().enumerate() {
        push_entry(&mut out, e.as_ref()).map_err(|len| TileError::EntryTooLarge {
            index: first_index + i as u64,
            len,
        })?;
    }
    Ok(out)
}

/// Parses an entry bundle into its entries (at most 256; no trailing bytes).
pub fn parse_entry_bundle(bytes: &[u8]) -> Result<Vec<&[u8]>, TileError> {
    parse_entries(bytes, usize::from(TILE_WIDTH))
}

/// Parses entries in the entry-bundle framing (each a `u16` big-endian length then its bytes,
/// no trailing bytes), at most `max` of them: an entry bundle (`max` 256), a snapshot's
/// `entries` file, a batch of events sent to a log server.
pub fn parse_entries(bytes: &[u8], max: usize) -> Result<Vec<&[u8]>, TileError> {
    let mut entries = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        if entries.len() == max {
            return Err(TileError::BundleTooLong);
        }
        let (len, tail) = rest
            .split_first_chunk::<2>()
            .ok_or(TileError::BundleTruncated(entries.len()))?;
        let len = usize::from(u16::from_be_bytes(*len));
        if tail.len() < len {
            return Err(TileError::BundleTruncated(entries.len()));
        }
        let (entry, tail) = tail.split_at(len);
        entries.push(entry);
        rest = tail;
    }
    Ok(entries)
}

/// Parses a hash tile into its 1 to 256 hashes.
pub fn parse_hash_tile(bytes: &[u8]) -> Result<Vec<Hash>, TileError> {
    let n = bytes.len() / HASH_LEN;
    if !bytes.len().is_multiple_of(HASH_LEN) || n == 0 || n > usize::from(TILE_WIDTH) {
        return Err(TileError::HashTileLength(bytes.len()));
    }
    bytes
        .chunks_exact(HASH_LEN)
        .map(|c| Hash::from_slice(c).map_err(|_| TileError::HashTileLength(bytes.len())))
        .collect()
}

/// The hashes of hash tile `id` from its bytes, which must hold exactly `id`'s width of them.
fn hashes_of(id: &TileId, bytes: &[u8]) -> Result<Vec<Hash>, TileError> {
    let hashes = parse_hash_tile(bytes)?;
    if hashes.len() != usize::from(id.width()) {
        return Err(TileError::Width {
            expected: id.width(),
            got: hashes.len(),
        });
    }
    Ok(hashes)
}

/// Why tiles could not be produced.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TileBuildError<E> {
    /// The node reader failed.
    #[error("cannot read Merkle node (level {level}, index {index})")]
    Node {
        /// Level of the node.
        level: u8,
        /// Index of the node.
        index: u64,
        /// The reader's error.
        #[source]
        source: E,
    },
    /// The entry reader failed.
    #[error("cannot read entry {index}")]
    Entry {
        /// Index of the entry.
        index: u64,
        /// The reader's error.
        #[source]
        source: E,
    },
    /// An entry does not fit in a bundle.
    #[error("entry {index} is {len} bytes, over the {MAX_ENTRY_BYTES}-byte entry-bundle limit")]
    EntryTooLarge {
        /// Its index.
        index: u64,
        /// Its length.
        len: usize,
    },
}

/// The bytes of one tile: for a hash tile, the nodes `(8 L, N * 256 + i)` for `i < W` from
/// `read_node` (the node reader of [`crate::merkle`]); for a bundle, entries
/// `N * 256 + i` from `read_entry`.
pub fn tile_bytes<E, R, G>(
    tile: &TileId,
    mut read_node: R,
    mut read_entry: G,
) -> Result<Vec<u8>, TileBuildError<E>>
where
    R: FnMut(u8, u64) -> Result<Hash, E>,
    G: FnMut(u64) -> Result<Vec<u8>, E>,
{
    let first = tile.index.saturating_mul(u64::from(TILE_WIDTH));
    let items = (0..u64::from(tile.width)).map(|i| first.saturating_add(i));
    match tile.kind {
        TileKind::Hashes { level } => {
            let tree_level = level.saturating_mul(TILE_HEIGHT);
            let mut out = Vec::with_capacity(HASH_LEN * usize::from(tile.width));
            for index in items {
                let h = read_node(tree_level, index).map_err(|source| TileBuildError::Node {
                    level: tree_level,
                    index,
                    source,
                })?;
                out.extend_from_slice(h.as_bytes());
            }
            Ok(out)
        }
        TileKind::Entries => {
            let mut out = Vec::new();
            for index in items {
                let e =
                    read_entry(index).map_err(|source| TileBuildError::Entry { index, source })?;
                push_entry(&mut out, &e)
                    .map_err(|len| TileBuildError::EntryTooLarge { index, len })?;
            }
            Ok(out)
        }
    }
}

/// The files (path, bytes) of the tiles [`tiles_between`]`(old_size, new_size)`: what to
/// write when a log grows from `old_size` to `new_size` leaves. Reads each node and entry
/// of those tiles once.
pub fn tile_files<E, R, G>(
    old_size: u64,
    new_size: u64,
    mut read_node: R,
    mut read_entry: G,
) -> Result<Vec<(String, Vec<u8>)>, TileBuildError<E>>
where
    R: FnMut(u8, u64) -> Result<Hash, E>,
    G: FnMut(u64) -> Result<Vec<u8>, E>,
{
    tiles_between(old_size, new_size)
        .into_iter()
        .map(|t| Ok((t.path(), tile_bytes(&t, &mut read_node, &mut read_entry)?)))
        .collect()
}

/// Every tile file of the tree over `entries` (held in memory): entry bundles and hash tiles,
/// full and partial, as [`tile_files`]`(0, n, …)` would give.
pub fn tiles_from_entries<T: AsRef<[u8]>>(
    entries: &[T],
) -> Result<Vec<(String, Vec<u8>)>, TileError> {
    // Keep only the nodes tiles hold: tree levels 0, 8, 16, …, each in index order.
    let mut levels: Vec<Vec<Hash>> = Vec::new();
    let mut frontier = Frontier::new();
    for e in entries {
        let completed = frontier
            .append(leaf_hash(e.as_ref()))
            .map_err(|_| TileError::Shape)?;
        for node in completed {
            if node.level % TILE_HEIGHT == 0 {
                let l = usize::from(node.level / TILE_HEIGHT);
                if levels.len() <= l {
                    levels.resize_with(l + 1, Vec::new);
                }
                if let Some(v) = levels.get_mut(l) {
                    v.push(node.hash);
                }
            }
        }
    }
    let size = frontier.size();
    let missing = |level: u8, index: u64| TileError::NotInTree { level, index, size };
    let read_node = |level: u8, index: u64| {
        levels
            .get(usize::from(level / TILE_HEIGHT))
            .and_then(|v| v.get(usize::try_from(index).ok()?))
            .copied()
            .ok_or_else(|| missing(level, index))
    };
    let read_entry = |index: u64| {
        usize::try_from(index)
            .ok()
            .and_then(|i| entries.get(i))
            .map(|e| e.as_ref().to_vec())
            .ok_or_else(|| missing(0, index))
    };
    tile_files(0, size, read_node, read_entry).map_err(|e| match e {
        TileBuildError::Node { source, .. } | TileBuildError::Entry { source, .. } => source,
        TileBuildError::EntryTooLarge { index, len } => TileError::EntryTooLarge { index, len },
    })
}

/// Why a node could not be read from tiles.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TileReadError<E> {
    /// The fetcher failed.
    #[error("cannot fetch {tile}")]
    Fetch {
        /// The tile asked for.
        tile: TileId,
        /// The fetcher's error.
        #[source]
        source: E,
    },
    /// The tile is malformed, has another width, or the node is not in the tree.
    #[error("{0}")]
    Tile(#[from] TileError),
}

/// Where node `(level, index)` of the tree of `size` leaves is kept in hash tiles: the tile of
/// level `level / 8` that covers it (full, or the partial of the width `size` gives), its
/// height in that tile (`level % 8`) and its position among the tile's nodes of that height.
/// The node must be complete in the tree.
pub fn tile_of_node(level: u8, index: u64, size: u64) -> Result<(TileId, u8, usize), TileError> {
    let not_in_tree = TileError::NotInTree { level, index, size };
    if level > MAX_LEVEL || (u128::from(index) + 1) << level > u128::from(size) {
        return Err(not_in_tree);
    }
    let tile_level = level / TILE_HEIGHT;
    let height = level % TILE_HEIGHT;
    // The node spans 2^height hashes of tree level 8 * tile_level, starting at `first`.
    let first = index << height;
    let width = u64::from(TILE_WIDTH);
    let tile_index = first / width;
    let nodes_at_level = size >> (u32::from(tile_level) * u32::from(TILE_HEIGHT));
    let tile_width = if tile_index < nodes_at_level / width {
        TILE_WIDTH
    } else {
        (nodes_at_level % width) as u16
    };
    let tile = TileId::new(
        TileKind::Hashes { level: tile_level },
        tile_index,
        tile_width,
    )?;
    Ok((tile, height, ((first % width) >> height) as usize))
}

/// A hash tile with the nodes inside it: its `W` hashes (tree level `8 L`) and each parent
/// both of whose children it holds, up to the tile's root when it is full (at most 511
/// nodes). Made by [`HashTile::new`], every node above the hashes is hashed once and any
/// node a proof asks of the tile is then a lookup: for a tile that serves many proofs (the
/// upper tiles, the newest ones). Made by [`HashTile::leaves`], it keeps the `W` hashes
/// only and hashes a node when asked, from the `2^h` hashes it spans (`2^h − 1` node hashes):
/// for a tile a proof reads once, since the nodes an inclusion proof asks of a level-0 tile
/// are the siblings of its leaf's path (247 of the 255 nodes above a full tile's hashes, none
/// asked twice), and the tile's other nodes need not be hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashTile {
    id: TileId,
    /// The nodes, height by height: `W` of height 0, then `W / 2` of height 1, ...; only
    /// the `W` of height 0 when `inner` is false.
    nodes: Vec<Hash>,
    /// Where the nodes of each height start in `nodes`; the last entry is its length.
    rows: [usize; TILE_HEIGHT as usize + 2],
    /// Whether the nodes above the hashes are kept (else hashed when asked).
    inner: bool,
}

/// The root of the perfect subtree whose level-`h` nodes are `span`, in order (RFC 9162
/// §2.1.1: each parent `node_hash` of its two halves): `len − 1` node hashes, depth first, no
/// allocation. `None` unless `span` holds a power of two of hashes (a perfect subtree).
pub fn subtree_root(span: &[Hash]) -> Option<Hash> {
    if span.len().is_power_of_two() {
        perfect_root(span)
    } else {
        None
    }
}

/// [`subtree_root`] of a span known to be a power of two long.
fn perfect_root(span: &[Hash]) -> Option<Hash> {
    match span {
        [] => None,
        [one] => Some(*one),
        _ => {
            let (left, right) = span.split_at(span.len() / 2);
            Some(node_hash(&perfect_root(left)?, &perfect_root(right)?))
        }
    }
}

impl HashTile {
    /// Parses the bytes of hash tile `id` (which must be a hash tile of exactly `id`'s width)
    /// and hashes the nodes above its hashes.
    pub fn new(id: TileId, bytes: &[u8]) -> Result<Self, TileError> {
        Ok(Self::leaves(id, bytes)?.with_inner())
    }

    /// Parses the bytes of hash tile `id` (which must be a hash tile of exactly `id`'s width)
    /// and keeps its hashes only: [`HashTile::node`] hashes a node above them when asked.
    pub fn leaves(id: TileId, bytes: &[u8]) -> Result<Self, TileError> {
        if !matches!(id.kind(), TileKind::Hashes { .. }) {
            return Err(TileError::Shape);
        }
        let nodes = hashes_of(&id, bytes)?;
        let mut rows = [nodes.len(); TILE_HEIGHT as usize + 2];
        rows[0] = 0;
        Ok(Self {
            id,
            nodes,
            rows,
            inner: false,
        })
    }

    /// This tile with every node above its hashes hashed once and kept (as
    /// [`HashTile::new`] makes it).
    pub fn with_inner(mut self) -> Self {
        if self.inner {
            return self;
        }
        let width = self.rows[1];
        self.nodes.truncate(width);
        self.nodes.reserve(width);
        let mut start = 0;
        for h in 1..self.rows.len() {
            let end = self.nodes.len();
            self.rows[h] = end;
            if h == self.rows.len() - 1 {
                break;
            }
            for at in (start..end.saturating_sub(1)).step_by(2) {
                let parent = node_hash(&self.nodes[at], &self.nodes[at + 1]);
                self.nodes.push(parent);
            }
            start = end;
        }
        self.inner = true;
        self
    }

    /// Whether the nodes above the hashes are kept ([`HashTile::new`], [`HashTile::with_inner`]),
    /// rather than hashed when asked ([`HashTile::leaves`]).
    pub fn has_inner(&self) -> bool {
        self.inner
    }

    /// Which tile it is.
    pub fn id(&self) -> TileId {
        self.id
    }

    /// The node of height `height` (0 to 8) at position `at` among the tile's nodes of that
    /// height, if the tile holds it (both its children are in the tile).
    pub fn node(&self, height: u8, at: usize) -> Option<Hash> {
        let h = usize::from(height);
        if self.inner || h == 0 {
            let (start, end) = (*self.rows.get(h)?, *self.rows.get(h + 1)?);
            let i = start.checked_add(at).filter(|i| *i < end)?;
            return self.nodes.get(i).copied();
        }
        if h > usize::from(TILE_HEIGHT) {
            return None;
        }
        let first = at.checked_mul(1 << h)?;
        perfect_root(self.nodes.get(first..first.checked_add(1 << h)?)?)
    }
}

/// Reads Merkle node `(level, index)` of the tree of `size` leaves from hash tiles, for use as
/// the node reader of [`crate::merkle`]: fetches the one tile of level `level / 8` that
/// covers it (full, or the partial of width given by `size`, [`tile_of_node`]), checks its
/// width and hashes `2^(level % 8)` of its hashes together. The node must be complete in the
/// tree. Fetches and hashes a tile for each node: a reader of several nodes keeps the
/// [`HashTile`]s it has made instead.
pub fn node_from_tiles<E, F>(
    level: u8,
    index: u64,
    size: u64,
    mut fetch: F,
) -> Result<Hash, TileReadError<E>>
where
    F: FnMut(&TileId) -> Result<Vec<u8>, E>,
{
    let (tile, height, at) = tile_of_node(level, index, size)?;
    let bytes = fetch(&tile).map_err(|source| TileReadError::Fetch { tile, source })?;
    let hashes = hashes_of(&tile, &bytes)?;
    let start = at << height;
    hashes
        .get(start..start + (1usize << height))
        .and_then(perfect_root)
        .ok_or_else(|| TileError::NotInTree { level, index, size }.into())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::merkle::{inclusion_proof, root, verify_inclusion};

    #[test]
    fn index_paths() {
        assert_eq!(index_path(0), "000");
        assert_eq!(index_path(7), "007");
        assert_eq!(index_path(999), "999");
        assert_eq!(index_path(1000), "x001/000");
        assert_eq!(index_path(1_234_067), "x001/x234/067");
        assert_eq!(index_path(u64::MAX), "x018/x446/x744/x073/x709/x551/615");
    }

    #[test]
    fn paths_round_trip_and_are_strict() {
        for (t, p) in [
            (
                TileId::new(TileKind::Hashes { level: 0 }, 0, 256).unwrap(),
                "tile/0/000",
            ),
            (
                TileId::new(TileKind::Hashes { level: 1 }, 1_234_067, 17).unwrap(),
                "tile/1/x001/x234/067.p/17",
            ),
            (
                TileId::new(TileKind::Entries, 5, 3).unwrap(),
                "tile/entries/005.p/3",
            ),
            (
                TileId::new(TileKind::Entries, u64::MAX, 256).unwrap(),
                "tile/entries/x018/x446/x744/x073/x709/x551/615",
            ),
        ] {
            assert_eq!(t.path(), p);
            assert_eq!(TileId::parse_path(p).unwrap(), t);
        }
        for bad in [
            "",
            "tile/",
            "tile/0/",
            "tile/0/0",
            "tile/0/0000",
            "tile/00/000",
            "tile/64/000",
            "tile/0/001/000",
            "tile/0/x000/001",
            "tile/0/x001",
            "tile/0/000.p/0",
            "tile/0/000.p/256",
            "tile/0/000.p/017",
            "tile/0/000.p/",
            "/tile/0/000",
            "tile/0/000/",
            "tile/entry/000",
            "tile/0/x018/x446/x744/x073/x709/x551/616",
            "tile/0/x999/x999/x999/x999/x999/x999/x999/999",
        ] {
            assert!(TileId::parse_path(bad).is_err(), "{bad:?}");
        }
        assert!(TileId::new(TileKind::Entries, 0, 0).is_err());
        assert!(TileId::new(TileKind::Entries, 0, 257).is_err());
    }

    #[test]
    fn tiles_between_counts() {
        // The spec's example: a tree of 70,000 leaves.
        let all = tiles_between(0, 70_000);
        let hashes = |l: u8| {
            all.iter()
                .filter(move |t| t.kind() == TileKind::Hashes { level: l })
        };
        assert_eq!(hashes(0).filter(|t| !t.is_partial()).count(), 273);
        assert_eq!(
            hashes(0)
                .filter(|t| t.is_partial())
                .map(|t| t.width())
                .collect::<Vec<_>>(),
            [112]
        );
        assert_eq!(hashes(1).filter(|t| !t.is_partial()).count(), 1);
        assert_eq!(
            hashes(1)
                .filter(|t| t.is_partial())
                .map(|t| t.width())
                .collect::<Vec<_>>(),
            [17]
        );
        assert_eq!(hashes(2).map(|t| t.width()).collect::<Vec<_>>(), [1]);
        assert_eq!(hashes(3).count(), 0);
        // Size 256: one full level-0 tile and a level-1 partial of width 1.
        let t256: Vec<String> = tiles_between(0, 256).iter().map(TileId::path).collect();
        assert_eq!(t256, ["tile/entries/000", "tile/0/000", "tile/1/000.p/1"]);
        // Growth.
        let grow: Vec<String> = tiles_between(250, 260).iter().map(TileId::path).collect();
        assert_eq!(
            grow,
            [
                "tile/entries/000",
                "tile/entries/001.p/4",
                "tile/0/000",
                "tile/0/001.p/4",
                "tile/1/000.p/1"
            ]
        );
        assert!(tiles_between(5, 5).is_empty());
        assert!(tiles_between(6, 5).is_empty());
        let grow: Vec<String> = tiles_between(256, 257).iter().map(TileId::path).collect();
        assert_eq!(grow, ["tile/entries/001.p/1", "tile/0/001.p/1"]);
    }

    #[test]
    fn bundles_round_trip_and_are_strict() {
        let entries: Vec<Vec<u8>> = vec![b"one".to_vec(), vec![], vec![7; 300]];
        let b = encode_entry_bundle(0, &entries).unwrap();
        assert_eq!(&b[..5], &[0, 3, b'o', b'n', b'e']);
        assert_eq!(
            parse_entry_bundle(&b).unwrap(),
            entries.iter().map(Vec::as_slice).collect::<Vec<_>>()
        );
        assert_eq!(
            parse_entry_bundle(&b[..b.len() - 1]),
            Err(TileError::BundleTruncated(2))
        );
        assert_eq!(parse_entry_bundle(&[0]), Err(TileError::BundleTruncated(0)));
        assert_eq!(
            parse_entry_bundle(&[0, 0].repeat(257)),
            Err(TileError::BundleTooLong)
        );
        assert_eq!(parse_entry_bundle(&[0, 0].repeat(256)).unwrap().len(), 256);
        assert!(matches!(
            encode_entry_bundle(9, &[vec![0u8; 65_536]]),
            Err(TileError::EntryTooLarge {
                index: 9,
                len: 65_536
            })
        ));
        assert!(parse_hash_tile(&[]).is_err());
        assert!(parse_hash_tile(&[0; 33]).is_err());
        assert!(parse_hash_tile(&[0; 32 * 257]).is_err());
        assert_eq!(parse_hash_tile(&[0; 64]).unwrap().len(), 2);
    }

    #[test]
    fn tiles_give_back_nodes_roots_and_proofs() {
        for size in [1u64, 2, 255, 256, 257, 511, 600, 65_536 + 300] {
            let entries: Vec<Vec<u8>> = (0..size).map(|i| i.to_le_bytes().to_vec()).collect();
            let files: HashMap<String, Vec<u8>> =
                tiles_from_entries(&entries).unwrap().into_iter().collect();
            let mut frontier = Frontier::new();
            for e in &entries {
                frontier.append(leaf_hash(e)).unwrap();
            }
            let fetch = |t: &TileId| files.get(&t.path()).cloned().ok_or(());
            let read = |l: u8, i: u64| node_from_tiles(l, i, size, fetch);
            assert_eq!(root(size, read).unwrap(), frontier.root(), "size {size}");
            for index in [0, size / 2, size - 1] {
                let p = inclusion_proof(index, size, read).unwrap();
                verify_inclusion(
                    &leaf_hash(&entries[index as usize]),
                    index,
                    size,
                    &p,
                    &frontier.root(),
                )
                .unwrap();
            }
            // Entry bundles give the entries back.
            let bundles: Vec<_> = tiles_between(0, size)
                .into_iter()
                .filter(|t| t.kind() == TileKind::Entries)
                .collect();
            let mut back = Vec::new();
            for b in bundles {
                back.extend(
                    parse_entry_bundle(&files[&b.path()])
                        .unwrap()
                        .into_iter()
                        .map(<[u8]>::to_vec),
                );
            }
            assert_eq!(back, entries);
        }
    }

    #[test]
    fn a_hash_tile_holds_every_node_node_from_tiles_reads() {
        // Tiles of two levels, full and partial, from a tree built leaf by leaf.
        for size in [1u64, 2, 255, 256, 257, 300, 65_536 + 513] {
            let entries: Vec<Vec<u8>> = (0..size).map(|i| i.to_le_bytes().to_vec()).collect();
            let files: HashMap<String, Vec<u8>> =
                tiles_from_entries(&entries).unwrap().into_iter().collect();
            let fetch =
                |t: &TileId| -> Result<Vec<u8>, ()> { files.get(&t.path()).cloned().ok_or(()) };
            let mut parsed: HashMap<TileId, HashTile> = HashMap::new();
            for level in 0..=17u8 {
                for index in 0..size >> level {
                    if size > 1000 && index % 97 != 0 && index + 1 != size >> level {
                        continue;
                    }
                    let want = node_from_tiles(level, index, size, fetch).unwrap();
                    let (id, height, at) = tile_of_node(level, index, size).unwrap();
                    let tile = parsed
                        .entry(id)
                        .or_insert_with(|| HashTile::new(id, &fetch(&id).unwrap()).unwrap());
                    assert_eq!(
                        tile.node(height, at),
                        Some(want),
                        "size {size} ({level}, {index})"
                    );
                    // The same tile keeping its hashes only hashes the node when asked.
                    let leaves = HashTile::leaves(id, &fetch(&id).unwrap()).unwrap();
                    assert!(!leaves.has_inner() && tile.has_inner());
                    assert_eq!(leaves.node(height, at), Some(want));
                }
            }
            for tile in parsed.values() {
                let w = usize::from(tile.id().width());
                // Nothing beyond what the tile holds.
                assert_eq!(tile.node(0, w), None);
                assert_eq!(tile.node(8, usize::from(w == 256)), None);
                assert_eq!(tile.node(9, 0), None);
                assert_eq!(tile.node(8, 0).is_some(), w == 256);
                // A tile of hashes only answers exactly as the whole tile, node for node,
                // and becomes it.
                let leaves = HashTile::leaves(tile.id(), &fetch(&tile.id()).unwrap()).unwrap();
                for height in 0..=9u8 {
                    for at in 0..=(w >> height) + 1 {
                        assert_eq!(leaves.node(height, at), tile.node(height, at));
                    }
                }
                assert_eq!(leaves.node(1, usize::MAX), None);
                assert_eq!(&leaves.clone().with_inner(), tile);
                assert_eq!(tile.clone().with_inner(), *tile);
            }
        }
        // A tile of another width than its id, or bytes that are no tile, are refused.
        let id = TileId::new(TileKind::Hashes { level: 0 }, 0, 3).unwrap();
        assert!(matches!(
            HashTile::new(id, &[0; 64]),
            Err(TileError::Width {
                expected: 3,
                got: 2
            })
        ));
        assert!(HashTile::new(id, &[0; 95]).is_err());
        assert!(HashTile::leaves(id, &[0; 64]).is_err());
        assert!(HashTile::leaves(id, &[0; 95]).is_err());
        let bundle = TileId::new(TileKind::Entries, 0, 3).unwrap();
        assert!(HashTile::new(bundle, &[0; 96]).is_err());
        assert!(HashTile::leaves(bundle, &[0; 96]).is_err());
        assert!(tile_of_node(0, 5, 5).is_err());
    }

    #[test]
    fn subtree_roots_are_rfc_roots_of_perfect_spans_only() {
        let hashes: Vec<Hash> = (0..16u8).map(|i| leaf_hash(&[i])).collect();
        for n in [1usize, 2, 4, 8, 16] {
            // The tree over these hashes as leaf hashes, built by the frontier.
            let mut f = Frontier::new();
            for h in &hashes[..n] {
                f.append(*h).unwrap();
            }
            assert_eq!(subtree_root(&hashes[..n]), Some(f.root()), "{n}");
        }
        for n in [0usize, 3, 5, 6, 7, 9, 15] {
            assert_eq!(subtree_root(&hashes[..n]), None, "{n}");
        }
    }

    #[test]
    fn node_from_tiles_rejects_bad_input() {
        let fetch_none = |_: &TileId| -> Result<Vec<u8>, ()> { Err(()) };
        assert!(matches!(
            node_from_tiles(0, 5, 5, fetch_none),
            Err(TileReadError::Tile(TileError::NotInTree { .. }))
        ));
        assert!(matches!(
            node_from_tiles(1, 2, 5, fetch_none),
            Err(TileReadError::Tile(TileError::NotInTree { .. }))
        ));
        assert!(matches!(
            node_from_tiles(64, 0, u64::MAX, fetch_none),
            Err(TileReadError::Tile(_))
        ));
        assert!(matches!(
            node_from_tiles(0, 0, 5, fetch_none),
            Err(TileReadError::Fetch { .. })
        ));
        // A tile of the wrong width.
        let short = |_: &TileId| -> Result<Vec<u8>, ()> { Ok(vec![0; 64]) };
        assert!(matches!(
            node_from_tiles(0, 0, 5, short),
            Err(TileReadError::Tile(TileError::Width { .. }))
        ));
        let garbage = |_: &TileId| -> Result<Vec<u8>, ()> { Ok(vec![0; 7]) };
        assert!(node_from_tiles(0, 0, 5, garbage).is_err());
        // Near the top of the range.
        let zeros =
            |t: &TileId| -> Result<Vec<u8>, ()> { Ok(vec![0; 32 * usize::from(t.width())]) };
        assert!(node_from_tiles(63, 0, u64::MAX, zeros).is_ok());
        assert!(node_from_tiles(0, u64::MAX - 1, u64::MAX, zeros).is_ok());
    }
}
