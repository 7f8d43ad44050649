//! Proof figures: inclusion and consistency proofs as `prove` and `serve` make them
//! (`Ledger::inclusion_proof`, `Ledger::consistency_proof`: the tile seam, the ledger's cache
//! of parsed tiles), what each reads, and beside them the peer: Go's
//! `golang.org/x/mod/sumdb/tlog` with its whole tree in memory, on the same tree size, when Go
//! and the Debian copy of the library are installed (`tlogpeer/main.go`, run in GOPATH mode,
//! no network, as tests/serve/go.rs runs Go).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use actledger_core::merkle;
use actledger_core::tiles::{HashTile, TileId, TileKind};
use actledger_store::{Ledger, StoreError, TileCache, TileReader};
use anyhow::{Context, Result};

use crate::Rng;

/// What one size's proofs measured.
#[derive(Debug, Default, Clone, Copy)]
pub struct ProofRow {
    /// Mean time of an inclusion proof, µs.
    pub inclusion_us: f64,
    /// Mean time of a consistency proof, µs.
    pub consistency_us: f64,
    /// Merkle nodes an inclusion proof asks for (the tree math's, whatever the storage).
    pub nodes_per_proof: f64,
    /// Hash tiles an inclusion proof reads when nothing is cached (`prove`, one proof per
    /// process).
    pub tiles_per_proof: f64,
    /// Hash tiles an inclusion proof read from sled in the timed run (the rest came from the
    /// ledger's cache).
    pub sled_reads_per_proof: f64,
    /// Go's tlog in memory on the same tree size: inclusion and consistency, µs; `None`
    /// without Go.
    pub go: Option<(f64, f64)>,
    /// The same inclusion proofs made as before the tile cache, one tile read and hashed up
    /// per node (`Ledger::node`), µs: the before figure, measured in the same run.
    pub node_by_node_us: f64,
    /// What a cold level-0 tile costs: one sled read, and parsing it with its nodes hashed, µs.
    pub cold_tile_us: (f64, f64),
    /// A cold level-0 tile as a proof now uses it: parsed with its hashes only, and the eight
    /// nodes an inclusion proof of a random leaf asks of it hashed from them, µs.
    pub cold_tile_path_us: f64,
    /// The timed inclusion and consistency proofs' CPU time on this thread, µs a proof
    /// (`/proc/thread-self/schedstat`; `None` elsewhere): what a proof costs whatever else
    /// the machine runs, where the wall times above include waiting for a core. The kernel
    /// adds to that counter at scheduler ticks and switches, so it is good to a few ms: ±5%
    /// over 2,000 proofs of ~40 µs, nothing for a run of a few ms.
    pub cpu_us: Option<(f64, f64)>,
    /// One inclusion proof made again and again, every tile it needs in the cache with its
    /// nodes hashed: what a proof costs beside its cold tile (CPU µs when measurable, else
    /// wall).
    pub warm_us: f64,
    /// Random inclusion proofs again after `Ledger::warm_proofs` (what `serve` runs at start:
    /// every full level-0 tile's row of height-4 nodes kept), µs wall and CPU µs; and how long
    /// `warm_proofs` took, ms.
    pub serving: (f64, Option<f64>, f64),
}

/// The CPU time this thread has run, ns (Linux: the first field of
/// `/proc/thread-self/schedstat`).
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// The ledger's tiles with no cache, counting the tiles read.
struct Uncached<'a> {
    ledger: &'a Ledger,
    reads: std::cell::Cell<u64>,
}

impl TileReader for Uncached<'_> {
    fn read_checkpoint(&self) -> Result<Option<String>, StoreError> {
        self.ledger.read_checkpoint()
    }
    fn integrated_size(&self) -> Result<u64, StoreError> {
        self.ledger.integrated_size()
    }
    fn read_tile(&self, level: u8, index: u64, width: u16) -> Result<Vec<u8>, StoreError> {
        self.reads.set(self.reads.get() + 1);
        self.ledger.read_tile(level, index, width)
    }
    fn read_entry_bundle(&self, index: u64, width: u16) -> Result<Vec<u8>, StoreError> {
        self.ledger.read_entry_bundle(index, width)
    }
    fn tile_cache(&self) -> Option<&TileCache> {
        None
    }
}

/// `count` inclusion and `count` consistency proofs at random positions on the ledger's tree
/// of `size` entries (each checked), the reads they make, and Go's peer figure.
pub fn bench(l: &Ledger, size: u64, work: &Path, count: u64) -> Result<ProofRow> {
    anyhow::ensure!(size > 0, "no proofs in an empty tree");
    let mut row = ProofRow::default();
    let root = l.root_at(size)?;
    let leaf = |i: u64| -> Result<merkle::Hash> {
        let bytes = actledger_store::LogReader::get(l, i)?.context("no entry")?;
        Ok(merkle::leaf_hash(&bytes))
    };
    let mut rng = Rng(7);
    // A tenth as many proofs first, untimed: the process's first sled reads and page faults
    // are not a proof's cost (the ledger's cache then holds the upper tiles, as it does in a
    // server after its first proofs).
    for _ in 0..count / 10 {
        let i = rng.below(size);
        std::hint::black_box(l.inclusion_proof(i, size)?);
    }
    let (_, misses) = l.tile_cache().stats();
    let cpu = thread_cpu_ns();
    let t = Instant::now();
    for _ in 0..count {
        let i = rng.below(size);
        std::hint::black_box(l.inclusion_proof(i, size)?);
    }
    row.inclusion_us = t.elapsed().as_secs_f64() * 1e6 / count as f64;
    let cpu_mid = thread_cpu_ns();
    row.sled_reads_per_proof = (l.tile_cache().stats().1 - misses) as f64 / count as f64;
    let t = Instant::now();
    for _ in 0..count {
        let old = older_size(&mut rng, size);
        std::hint::black_box(l.consistency_proof(old, size)?);
    }
    row.consistency_us = t.elapsed().as_secs_f64() * 1e6 / count as f64;
    let per = |a: u64, b: u64| b.saturating_sub(a) as f64 / 1e3 / count as f64;
    row.cpu_us = match (cpu, cpu_mid, thread_cpu_ns()) {
        (Some(a), Some(b), Some(c)) => Some((per(a, b), per(b, c))),
        _ => None,
    };
    let t = Instant::now();
    l.warm_proofs()?;
    let warming_ms = t.elapsed().as_secs_f64() * 1e3;
    let (cpu, t) = (thread_cpu_ns(), Instant::now());
    for _ in 0..count {
        let i = rng.below(size);
        std::hint::black_box(l.inclusion_proof(i, size)?);
    }
    let wall = t.elapsed().as_secs_f64() * 1e6 / count as f64;
    let cpu = match (cpu, thread_cpu_ns()) {
        (Some(a), Some(b)) => Some(per(a, b)),
        _ => None,
    };
    row.serving = (wall, cpu, warming_ms);
    let warm = size / 2;
    for _ in 0..2 {
        l.inclusion_proof(warm, size)?;
    }
    let (cpu, t) = (thread_cpu_ns(), Instant::now());
    for _ in 0..count {
        std::hint::black_box(l.inclusion_proof(warm, size)?);
    }
    row.warm_us = match (cpu, thread_cpu_ns()) {
        (Some(a), Some(b)) => per(a, b),
        _ => t.elapsed().as_secs_f64() * 1e6 / count as f64,
    };
    let t = Instant::now();
    for _ in 0..count {
        let i = rng.below(size);
        let p = merkle::inclusion_proof(i, size, |lv, j| l.node(lv, j));
        std::hint::black_box(p.map_err(|e| anyhow::anyhow!("{e}"))?);
    }
    row.node_by_node_us = t.elapsed().as_secs_f64() * 1e6 / count as f64;
    let full = size / 256;
    if full > 0 {
        let ids: Vec<u64> = (0..count).map(|_| rng.below(full)).collect();
        let t = Instant::now();
        let tiles = ids
            .iter()
            .map(|&i| l.read_tile(0, i, 256))
            .collect::<Result<Vec<_>, _>>()?;
        let read = t.elapsed().as_secs_f64() * 1e6 / count as f64;
        let t = Instant::now();
        for (&i, bytes) in ids.iter().zip(&tiles) {
            let id = TileId::new(TileKind::Hashes { level: 0 }, i, 256)?;
            std::hint::black_box(HashTile::new(id, bytes)?);
        }
        row.cold_tile_us = (read, t.elapsed().as_secs_f64() * 1e6 / count as f64);
        let t = Instant::now();
        for (&i, bytes) in ids.iter().zip(&tiles) {
            let id = TileId::new(TileKind::Hashes { level: 0 }, i, 256)?;
            let tile = HashTile::leaves(id, bytes)?;
            let leaf = usize::try_from(rng.below(256))?;
            for height in 0..8u8 {
                std::hint::black_box(tile.node(height, (leaf >> height) ^ 1));
            }
        }
        row.cold_tile_path_us = t.elapsed().as_secs_f64() * 1e6 / count as f64;
    }
    // Reads, and a check of what was timed, on fewer proofs.
    let uncached = Uncached {
        ledger: l,
        reads: std::cell::Cell::new(0),
    };
    let (mut nodes, checked) = (0u64, count.min(200));
    for _ in 0..checked {
        let i = rng.below(size);
        let p = actledger_store::inclusion_proof(&uncached, i, size)?;
        anyhow::ensure!(p == l.inclusion_proof(i, size)?, "cached proof differs");
        merkle::verify_inclusion(&leaf(i)?, i, size, &p, &root)?;
        merkle::inclusion_proof(i, size, |lv, j| {
            nodes += 1;
            l.node(lv, j)
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let old = older_size(&mut rng, size);
        let c = l.consistency_proof(old, size)?;
        merkle::verify_consistency(old, size, &c, &l.root_at(old)?, &root)?;
    }
    row.nodes_per_proof = nodes as f64 / checked as f64;
    row.tiles_per_proof = uncached.reads.get() as f64 / checked as f64;
    row.go = go_peer(size, count, work);
    Ok(row)
}

/// A random tree size for a consistency proof to `size`: 1 to `size - 1`, or `size` itself
/// for a tree of one entry (a consistency proof from a tree to itself, empty). `Rng::below`
/// of 0 gives 0, so the `1 + below(size - 1)` this replaces named size 1 for a one-entry
/// tree only by accident, and underflowed on an empty one.
fn older_size(rng: &mut Rng, size: u64) -> u64 {
    match size {
        0 | 1 => size,
        _ => 1 + rng.below(size - 1),
    }
}

/// Go's tlog proofs on a tree of `size` records in memory, `(inclusion µs, consistency µs)`,
/// if Go and golang.org/x/mod (Debian: golang-go golang-golang-x-mod-dev) are installed.
fn go_peer(size: u64, count: u64, work: &Path) -> Option<(f64, f64)> {
    let lib = Path::new("/usr/share/gocode/src/golang.org/x/mod/sumdb/tlog");
    let go = Command::new("go").arg("version").output().ok()?;
    if size < 2 {
        eprintln!("[{size}] no Go peer figure: its consistency proofs need two entries");
        return None;
    }
    if !go.status.success() || !lib.is_dir() {
        eprintln!("[{size}] no Go peer figure: go or golang-golang-x-mod-dev is not installed");
        return None;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/bin/bench/tlogpeer");
    let out = Command::new("go")
        .current_dir(&dir)
        .args(["run", "main.go", &size.to_string(), &count.to_string()])
        .env("GO111MODULE", "off")
        .env("GOPATH", "/usr/share/gocode")
        .env("GOCACHE", work.join("gocache"))
        .env("GOFLAGS", "")
        .env("CGO_ENABLED", "0")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut figures = text.split_whitespace().map(str::parse::<f64>);
    match (out.status.success(), figures.next(), figures.next()) {
        (true, Some(Ok(i)), Some(Ok(c))) => Some((i, c)),
        _ => {
            eprintln!(
                "[{size}] the Go peer failed: {}{}",
                text,
                String::from_utf8_lossy(&out.stderr)
            );
            None
        }
    }
}
