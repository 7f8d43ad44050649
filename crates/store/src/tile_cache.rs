//! The hash tiles a log producing proofs has parsed lately ([`HashTile`]s: a tile one proof
//! has read keeps its hashes only, one a second proof asked for has every node inside it
//! hashed, `tile_log::TileNodes`), so that proofs after the first read only the tiles they
//! have not met: at 1M entries an inclusion proof asks for ~30 nodes from ~4 tiles, and the
//! upper tiles (16 of level 1, one of level 2) are the same for every proof.
//!
//! A producer's cache, for a log whose tiles it holds (the sled [`crate::Ledger`]): what it
//! returns is what the log's tiles said when they were read, exactly as an uncached read
//! would give it. Readers of someone else's log keep no cache across proofs; they check every
//! proof against a signed root anyway.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actledger_core::merkle::Hash;
use actledger_core::tiles::{HashTile, TileId};

/// The height, inside a full level-0 tile, of the nodes [`TileCache`] keeps a row of: 16
/// nodes (512 bytes) a tile. An inclusion proof asks a level-0 tile for the siblings of its
/// leaf's path at heights 0 to 7; those of heights 4 to 7 span 240 of its hashes (236 node
/// hashes), and from the row they are 0 + 1 + 3 + 7 node hashes.
pub const ROW_HEIGHT: u8 = 4;

/// Parsed hash tiles by their id (level, index and width: a partial tile of another width is
/// another entry, so a grown log never gets a narrower tile than it asked for), the least
/// recently used dropped first.
///
/// Beside them, for full level-0 tiles, the row of their nodes of height [`ROW_HEIGHT`]
/// (`TileCache::row`): a full tile never changes, so a row stays true, and at 512 bytes a
/// tile (2 bytes an entry: 2 MB at 1M entries) every tile of a log can keep one. A proof
/// over a tile read cold then hashes ~22 nodes instead of 247 (`tile_log::TileNodes`). Rows
/// come from tiles hashed whole (a tile asked for by a second proof) and from
/// [`crate::Ledger::warm_proofs`] (a serving ledger at start).
#[derive(Debug)]
pub struct TileCache {
    capacity: usize,
    inner: Mutex<Lru>,
    rows: Mutex<Rows>,
}

#[derive(Debug, Default)]
struct Rows {
    by_tile: HashMap<u64, Arc<[Hash]>>,
    used: u64,
}

#[derive(Debug, Default)]
struct Lru {
    tick: u64,
    tiles: HashMap<TileId, (u64, Arc<HashTile>)>,
    hits: u64,
    misses: u64,
}

/// Tiles kept by default: 256 parsed tiles of 511 nodes are 4 MiB, and hold every tile above
/// level 0 of a log of up to 16M entries beside the level-0 tiles of the latest proofs.
pub const DEFAULT_TILES: usize = 256;

impl Default for TileCache {
    fn default() -> Self {
        Self::new(DEFAULT_TILES)
    }
}

impl TileCache {
    /// A cache of at most `capacity` tiles (0: none kept).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            inner: Mutex::new(Lru::default()),
            rows: Mutex::new(Rows::default()),
        }
    }

    /// The row of nodes of height [`ROW_HEIGHT`] of full level-0 tile `index`, if kept.
    pub fn row(&self, index: u64) -> Option<Arc<[Hash]>> {
        let mut rows = self.rows.lock().ok()?;
        let row = rows.by_tile.get(&index).cloned()?;
        rows.used += 1;
        Some(row)
    }

    /// Whether the row of full level-0 tile `index` is kept (not counted as a use).
    pub fn has_row(&self, index: u64) -> bool {
        self.rows
            .lock()
            .is_ok_and(|r| r.by_tile.contains_key(&index))
    }

    /// Keeps the row of nodes of height [`ROW_HEIGHT`] of full level-0 tile `index` (16
    /// hashes, from the tile as the log stores it).
    pub fn insert_row(&self, index: u64, row: Vec<Hash>) {
        if let Ok(mut rows) = self.rows.lock() {
            rows.by_tile.insert(index, row.into());
        }
    }

    /// How many tiles have a row kept, and how many times a row was read.
    pub fn row_stats(&self) -> (usize, u64) {
        self.rows
            .lock()
            .map_or((0, 0), |r| (r.by_tile.len(), r.used))
    }

    /// The tile `id`, if kept.
    pub fn get(&self, id: &TileId) -> Option<Arc<HashTile>> {
        let mut lru = self.inner.lock().ok()?;
        lru.tick += 1;
        let tick = lru.tick;
        match lru.tiles.get_mut(id) {
            Some((used, tile)) => {
                *used = tick;
                let tile = Arc::clone(tile);
                lru.hits += 1;
                Some(tile)
            }
            None => {
                lru.misses += 1;
                None
            }
        }
    }

    /// Keeps `tile`, dropping the least recently used one if the cache is full.
    pub fn insert(&self, tile: Arc<HashTile>) {
        if self.capacity == 0 {
            return;
        }
        let Ok(mut lru) = self.inner.lock() else {
            return;
        };
        lru.tick += 1;
        let tick = lru.tick;
        if lru.tiles.len() >= self.capacity && !lru.tiles.contains_key(&tile.id()) {
            let oldest = lru
                .tiles
                .iter()
                .min_by_key(|(_, (used, _))| *used)
                .map(|(id, _)| *id);
            if let Some(id) = oldest {
                lru.tiles.remove(&id);
            }
        }
        lru.tiles.insert(tile.id(), (tick, tile));
    }

    /// How many lookups found their tile, and how many did not, since the cache was made.
    pub fn stats(&self) -> (u64, u64) {
        self.inner.lock().map_or((0, 0), |l| (l.hits, l.misses))
    }

    /// How many tiles are kept.
    pub fn len(&self) -> usize {
        self.inner.lock().map_or(0, |l| l.tiles.len())
    }

    /// Whether no tile is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actledger_core::merkle::HASH_LEN;
    use actledger_core::tiles::TileKind;

    fn tile(index: u64, width: u16) -> Arc<HashTile> {
        let id = TileId::new(TileKind::Hashes { level: 0 }, index, width).unwrap();
        Arc::new(HashTile::new(id, &vec![7; usize::from(width) * HASH_LEN]).unwrap())
    }

    #[test]
    fn keeps_the_most_recently_used_and_tells_widths_apart() {
        let cache = TileCache::new(2);
        let (a, b, c) = (tile(0, 256), tile(1, 256), tile(2, 256));
        cache.insert(Arc::clone(&a));
        cache.insert(Arc::clone(&b));
        assert!(cache.get(&a.id()).is_some()); // a is now newer than b
        cache.insert(Arc::clone(&c));
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&b.id()).is_none(), "the least recently used goes");
        assert_eq!(cache.get(&a.id()).as_deref(), Some(&*a));
        assert!(cache.get(&c.id()).is_some());
        // The same tile at another width is another entry.
        let narrow = tile(2, 17);
        assert!(cache.get(&narrow.id()).is_none());
        assert_eq!(cache.stats(), (3, 2));
        let none = TileCache::new(0);
        none.insert(a);
        assert!(none.is_empty());
    }
}
