//! Tiles and proofs: every proof verifies and fails on any flipped bit; lying tiles are caught.

use super::*;

fn flip(h: &merkle::Hash, bit: usize) -> merkle::Hash {
    let mut b = h.0;
    b[bit / 8 % 32] ^= 1 << (bit % 8);
    merkle::Hash(b)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn every_proof_the_ledger_produces_verifies(n in 1u64..2500, picks in proptest::collection::vec(any::<u64>(), 6), bit in 0usize..256) {
        let (_dir, mut l, rec) = ledger();
        l.append_all(&rec, (0..n).map(filler)).unwrap();
        let size = l.size().unwrap();
        let leaves: Vec<merkle::Hash> = l.scan(0).map(|r| merkle::leaf_hash(&r.unwrap().1)).collect();
        for p in &picks {
            let new = 1 + p % size;
            let index = p.rotate_left(17) % new;
            let root = l.root_at(new).unwrap();
            let path = l.inclusion_proof(index, new).unwrap();
            prop_assert!(merkle::verify_inclusion(&leaves[index as usize], index, new, &path, &root).is_ok());
            // A flipped bit in the leaf, the root or any proof hash fails.
            prop_assert!(merkle::verify_inclusion(&flip(&leaves[index as usize], bit), index, new, &path, &root).is_err());
            prop_assert!(merkle::verify_inclusion(&leaves[index as usize], index, new, &path, &flip(&root, bit)).is_err());
            for k in 0..path.len() {
                let mut bad = path.clone();
                bad[k] = flip(&bad[k], bit);
                prop_assert!(merkle::verify_inclusion(&leaves[index as usize], index, new, &bad, &root).is_err());
            }
            let old = 1 + p.rotate_left(29) % new;
            let c = l.consistency_proof(old, new).unwrap();
            let old_root = l.root_at(old).unwrap();
            prop_assert!(merkle::verify_consistency(old, new, &c, &old_root, &root).is_ok());
            for k in 0..c.len() {
                let mut bad = c.clone();
                bad[k] = flip(&bad[k], bit);
                prop_assert!(merkle::verify_consistency(old, new, &bad, &old_root, &root).is_err());
            }
            if old < new {
                prop_assert!(merkle::verify_consistency(old, new, &c, &flip(&old_root, bit), &root).is_err());
            }
        }
    }
}

#[test]
fn a_failed_import_leaves_the_tiles_as_they_were() {
    let (dir, mut l, rec) = ledger();
    l.append_all(&rec, (0..300).map(filler)).unwrap();
    let path = dir.path().join("l");
    drop(l);
    let before = tiles_of(&path);
    // 302 leaves: tile (0, 0) full, tile (0, 1) with 46 hashes, tile (1, 0) with 1.
    assert_eq!(before.len(), 3);
    assert_eq!(before[1].1.len(), 46 * 32);
    let mut l = reopen(&path);
    let out = l
        .import_pipeline(
            &rec,
            false,
            |emit: &mut dyn FnMut(EventBody) -> Result<(), StoreError>| -> Result<(), String> {
                for i in 300..5000 {
                    emit(filler(i)).map_err(|e| e.to_string())?;
                }
                Err("the source failed at its end".into())
            },
            |_| {},
        )
        .unwrap();
    assert!(out.is_err());
    drop(l);
    assert_eq!(
        tiles_of(&path),
        before,
        "the failed import left tiles behind"
    );
    let mut l = reopen(&path);
    assert_eq!(l.size().unwrap(), 302);
    l.verify(|_| {}).unwrap().unwrap();
    // And the next append extends the partial tile.
    l.append_all(&rec, (5000..5300).map(filler)).unwrap();
    l.verify(|_| {}).unwrap().unwrap();
    let root = l.root_at(602).unwrap();
    let leaves: Vec<merkle::Hash> = l
        .scan(0)
        .map(|r| merkle::leaf_hash(&r.unwrap().1))
        .collect();
    let path_602 = l.inclusion_proof(601, 602).unwrap();
    assert!(merkle::verify_inclusion(&leaves[601], 601, 602, &path_602, &root).is_ok());
}

#[test]
fn lying_tiles_are_caught() {
    let (dir, mut l, rec) = ledger();
    l.append_all(&rec, (0..598).map(filler)).unwrap();
    let path = dir.path().join("l");
    drop(l);
    // 600 leaves: tiles (0, 0) and (0, 1) full, (0, 2) with 88 hashes, (1, 0) with 2.
    type Tamper = Box<dyn Fn(&sled::Tree)>;
    let cases: Vec<(&str, Tamper, u64, &str)> = vec![
        (
            "flipped hash in a full tile",
            Box::new(|t: &sled::Tree| {
                let k = [0u8, 0, 0, 0, 0, 0, 0, 0, 1];
                let mut v = t.get(k).unwrap().unwrap().to_vec();
                v[100] ^= 1;
                t.insert(k, v).unwrap();
            }),
            511,
            "stored Merkle tile (0, 1) has the wrong hashes (filled by this event)",
        ),
        (
            "missing rightmost tile",
            Box::new(|t: &sled::Tree| {
                t.remove([0u8, 0, 0, 0, 0, 0, 0, 0, 2]).unwrap();
            }),
            599,
            "stored Merkle tile (0, 2) is missing (the rightmost tile of its level)",
        ),
        (
            "short rightmost tile",
            Box::new(|t: &sled::Tree| {
                let k = [1u8, 0, 0, 0, 0, 0, 0, 0, 0];
                let v = t.get(k).unwrap().unwrap().to_vec();
                t.insert(k, &v[..32]).unwrap();
            }),
            599,
            "stored Merkle tile (1, 0) has the wrong hashes (the rightmost tile of its level)",
        ),
        (
            "a tile no event fills",
            Box::new(|t: &sled::Tree| {
                t.insert([0u8, 0, 0, 0, 0, 0, 0, 0, 9], vec![7u8; 64])
                    .unwrap();
            }),
            599,
            "stored Merkle tile (0, 9) is not part of the tree",
        ),
    ];
    for (what, tamper, seq, msg) in cases {
        let before = tiles_of(&path);
        {
            let db = raw_db(&path);
            tamper(&db.open_tree("tiles").unwrap());
            db.flush().unwrap();
        }
        let l = reopen(&path);
        let err = l.verify(|_| {}).unwrap().unwrap_err();
        assert_eq!(err.seq.0, seq, "{what}: {err}");
        assert!(err.to_string().contains(msg), "{what}: {err}");
        drop(l);
        // Undo, and the ledger verifies again.
        {
            let db = raw_db(&path);
            let t = db.open_tree("tiles").unwrap();
            t.clear().unwrap();
            for (k, v) in before {
                t.insert(k, v).unwrap();
            }
            db.flush().unwrap();
        }
        reopen(&path).verify(|_| {}).unwrap().unwrap();
    }
}

/// The tile-shaped seam: proofs, tile files and tile verification are written once against
/// `TileReader`, and the sled ledger and an in-memory log (tiles computed from its entries)
/// give the same answers; a lying stored tile fails `verify_tiles`.
#[test]
fn the_tile_seam_gives_the_same_proofs_over_every_log() {
    use actledger_store::{
        consistency_proof, inclusion_proof, tile_files, verify_tiles, ComputedTiles, MemoryLog,
        TileBuilder, TileReader,
    };
    let (dir, mut l, rec) = ledger();
    l.append_all(&rec, (0..600).map(filler)).unwrap();
    let n = l.size().unwrap();
    let memory = MemoryLog::from_events((0..n).map(|i| l.get(i).unwrap().unwrap()));
    let computed = ComputedTiles::new(&memory, None);
    // A log that keeps no tiles, its tiles hashed in one pass (a snapshot's entries file).
    let mut builder = TileBuilder::new();
    for i in 0..n {
        builder.push(&memory.get(i).unwrap().unwrap()).unwrap();
    }
    assert_eq!(builder.root(), actledger_store::root(&l, n).unwrap());
    let hashed = builder.finish(&memory, None);
    let logs: [&dyn TileReader; 3] = [&l, &computed, &hashed];
    for size in [1, 255, 256, 257, 513, n] {
        let root = actledger_store::root(&l, size).unwrap();
        for log in logs {
            assert_eq!(actledger_store::root(log, size).unwrap(), root);
            verify_tiles(log, size, &root).unwrap();
            for index in [0, size / 2, size - 1] {
                let p = inclusion_proof(log, index, size).unwrap();
                assert_eq!(p, inclusion_proof(&l, index, size).unwrap());
                let leaf = merkle::leaf_hash(&l.get(index).unwrap().unwrap());
                merkle::verify_inclusion(&leaf, index, size, &p, &root).unwrap();
            }
            let old = (size / 2).max(1);
            assert_eq!(
                consistency_proof(log, old, n).unwrap(),
                l.consistency_proof(old, n).unwrap()
            );
        }
        assert_eq!(
            tile_files(&l, 0, size).unwrap(),
            tile_files(&computed, 0, size).unwrap()
        );
        assert_eq!(
            tile_files(&l, 0, size).unwrap(),
            tile_files(&hashed, 0, size).unwrap()
        );
    }
    // Keeping only the level-0 tiles of some leaves (a snapshot's supporters): the same
    // root and proofs of those leaves at the final size; a dropped tile is refused.
    // (Leaves 3 and n - 1: level-0 tiles 0 and 2, the partial one; tile 1 is dropped.)
    let leaves = [3, n - 1];
    let mut builder = TileBuilder::for_proofs_of(leaves);
    for i in 0..n {
        builder.push(&memory.get(i).unwrap().unwrap()).unwrap();
    }
    let kept = builder.finish(&memory, None);
    assert_eq!(
        actledger_store::root(&kept, n).unwrap(),
        actledger_store::root(&l, n).unwrap()
    );
    for index in leaves {
        assert_eq!(
            inclusion_proof(&kept, index, n).unwrap(),
            inclusion_proof(&l, index, n).unwrap()
        );
    }
    assert!(
        n > 512 && n < 768,
        "leaf 260 lies in a full tile of its own, the only one dropped"
    );
    let r = inclusion_proof(&kept, 260, n);
    assert!(matches!(r, Err(StoreError::Corrupted(_))), "{r:?}");
    assert!(inclusion_proof(&hashed, 260, n).is_ok());
    // Beyond the log: a typed refusal.
    assert!(matches!(
        inclusion_proof(&computed, 0, n + 1),
        Err(StoreError::Proof(ProofError::BeyondLog { .. }))
    ));
    // A lying stored tile.
    let root = l.root_at(n).unwrap();
    drop(l);
    let path = dir.path().join("l");
    {
        let db = raw_db(&path);
        let tiles = db.open_tree("tiles").unwrap();
        let key = [0u8, 0, 0, 0, 0, 0, 0, 0, 1];
        let mut t = tiles.get(key).unwrap().unwrap().to_vec();
        t[40] ^= 1;
        tiles.insert(key, t).unwrap();
        db.flush().unwrap();
    }
    let l = reopen(&path);
    let e = verify_tiles(&l, n, &root).unwrap_err();
    assert!(e.to_string().contains("hash tile (0, 1)"), "{e}");
}

/// Proofs from the ledger's cache of parsed tiles are those of a log read afresh, at every
/// size the ledger has had, while it grows (a partial tile is kept under its width, so a
/// grown tile is read again), and the cache is what serves the repeated tiles.
#[test]
fn proofs_from_cached_tiles_are_those_of_fresh_reads_as_the_ledger_grows() {
    use actledger_store::{consistency_proof, inclusion_proof, ComputedTiles, MemoryLog};
    let (_dir, mut l, rec) = ledger();
    let mut sizes = Vec::new();
    for round in 0..4u64 {
        l.append_all(&rec, (round * 1000..round * 1000 + 170).map(filler))
            .unwrap();
        let n = l.size().unwrap();
        sizes.push(n);
        let memory = MemoryLog::from_events((0..n).map(|i| l.get(i).unwrap().unwrap()));
        let fresh = ComputedTiles::new(&memory, None);
        for &size in &sizes {
            assert_eq!(
                l.root_at(size).unwrap(),
                actledger_store::root(&fresh, size).unwrap()
            );
            for index in [0, size / 3, size - 1] {
                assert_eq!(
                    l.inclusion_proof(index, size).unwrap(),
                    inclusion_proof(&fresh, index, size).unwrap(),
                    "index {index} size {size} after {n}"
                );
            }
            for &old in &sizes {
                if old <= size {
                    assert_eq!(
                        l.consistency_proof(old, size).unwrap(),
                        consistency_proof(&fresh, old, size).unwrap()
                    );
                }
            }
        }
    }
    let (hits, misses) = l.tile_cache().stats();
    assert!(
        hits > 0 && misses > 0 && !l.tile_cache().is_empty(),
        "{hits} / {misses}"
    );
    // The same proof again reads no tile: every one it needs is kept.
    let size = l.size().unwrap();
    l.inclusion_proof(size / 2, size).unwrap();
    let (_, before) = l.tile_cache().stats();
    l.inclusion_proof(size / 2, size).unwrap();
    assert_eq!(l.tile_cache().stats().1, before);
}

/// A ledger of `fillers` events after the fixture's, reopened (nothing cached), and its
/// events in memory, from which a log's tiles are computed afresh.
fn reopened_with_fillers(fillers: u64) -> (tempfile::TempDir, Ledger, actledger_store::MemoryLog) {
    let (dir, mut l, rec) = ledger();
    l.append_all(&rec, (0..fillers).map(filler)).unwrap();
    let n = l.size().unwrap();
    drop(l);
    let l = reopen(&dir.path().join("l"));
    let memory =
        actledger_store::MemoryLog::from_events((0..n).map(|i| l.get(i).unwrap().unwrap()));
    (dir, l, memory)
}

/// A tile read by one proof is kept with its hashes only (its nodes hashed when asked), and
/// hashed whole once a second proof asks for it; every proof from either form, and from the
/// whole tile after, is that of a log read afresh.
#[test]
fn a_tile_kept_with_its_hashes_only_gives_the_proofs_of_the_whole_tile() {
    use actledger_core::tiles::{TileId, TileKind};
    use actledger_store::{consistency_proof, inclusion_proof, ComputedTiles};
    let (dir, l, memory) = reopened_with_fillers(700);
    let n = l.size().unwrap();
    assert!(l.tile_cache().is_empty());
    let fresh = ComputedTiles::new(&memory, None);
    let tile1 = TileId::new(TileKind::Hashes { level: 0 }, 1, 256).unwrap();
    let kept = |l: &Ledger| l.tile_cache().get(&tile1).map(|t| t.has_inner());
    // Every leaf of tile 1, and consistency proofs from every size inside it: the first
    // proof reads the tile, the second hashes it whole, the rest look its nodes up.
    for (k, index) in (256..512u64).enumerate() {
        assert_eq!(
            l.inclusion_proof(index, n).unwrap(),
            inclusion_proof(&fresh, index, n).unwrap(),
            "leaf {index}"
        );
        assert_eq!(kept(&l), Some(k > 0), "after {} proofs", k + 1);
    }
    drop(l);
    let l = reopen(&dir.path().join("l"));
    for old in 257..=512u64 {
        assert_eq!(
            l.consistency_proof(old, n).unwrap(),
            consistency_proof(&fresh, old, n).unwrap(),
            "from {old}"
        );
        assert_eq!(kept(&l), Some(old > 257), "after the proof from {old}");
    }
}

/// A serving ledger keeps, for each full level-0 tile, its row of nodes of height 4
/// (`warm_proofs`, or a tile hashed whole); proofs over tiles read cold then hash from the
/// row, and every proof is still that of a log read afresh, full tiles and the partial one.
#[test]
fn proofs_from_kept_rows_are_those_of_fresh_reads() {
    use actledger_store::{consistency_proof, inclusion_proof, ComputedTiles};
    let (dir, l, memory) = reopened_with_fillers(900);
    let n = l.size().unwrap();
    let fresh = ComputedTiles::new(&memory, None);
    assert_eq!(l.warm_proofs().unwrap(), n / 256);
    assert_eq!(
        l.warm_proofs().unwrap(),
        0,
        "rows already kept are not made again"
    );
    assert_eq!(
        l.tile_cache().row_stats(),
        (usize::try_from(n / 256).unwrap(), 0)
    );
    for index in 0..n {
        assert_eq!(
            l.inclusion_proof(index, n).unwrap(),
            inclusion_proof(&fresh, index, n).unwrap(),
            "leaf {index}"
        );
    }
    for old in 1..=n {
        assert_eq!(
            l.consistency_proof(old, n).unwrap(),
            consistency_proof(&fresh, old, n).unwrap(),
            "from {old}"
        );
    }
    assert!(l.tile_cache().row_stats().1 > 0, "the rows were used");
    // A fresh ledger's cache makes a tile's row when a second proof hashes it whole.
    drop(l);
    let l = reopen(&dir.path().join("l"));
    for _ in 0..2 {
        l.inclusion_proof(300, n).unwrap();
    }
    assert_eq!(l.tile_cache().row_stats().0, 1);
}
