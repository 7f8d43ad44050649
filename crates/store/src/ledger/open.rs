//! Opening a ledger: the directory, the process lock and sled's own lock, the trees.

use std::path::Path;
use std::time::Duration;

use actledger_core::event::EventBody;
use actledger_core::merkle::Frontier;
use actledger_core::verify::{Signatures, Verifier};
use actledger_core::SigningKey;

use crate::lock;
use crate::tiles::Edge;
use crate::{OpenError, StoreError};

use super::migrate::{LAYOUT, LAYOUT_KEY};
use super::writer::Writer;
use super::{Appended, Ledger, OpenOptions};

/// What `path` holds, if it exists (said for `init` on a folder that has a `db/` without a
/// ledger).
fn occupant(path: &Path) -> Option<String> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_dir() {
        return Some("it is not a folder".into());
    }
    let entries = std::fs::read_dir(path).map_or(0, |d| d.count());
    Some(match entries {
        0 => "an empty folder".into(),
        n => format!("a folder of {n} entries without a sled database"),
    })
}

/// Removes the `snap.*.generating` files sled left in `db_path` (see `Ledger::open_db`);
/// returns whether there were any.
pub(super) fn remove_partial_snapshots(db_path: &Path) -> std::io::Result<bool> {
    let mut removed = false;
    for entry in std::fs::read_dir(db_path)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            std::fs::remove_file(entry.path())?;
            removed = true;
        }
    }
    Ok(removed)
}

impl Ledger {
    pub(super) fn open_db(
        dir: &Path,
        opts: &OpenOptions,
        create: bool,
    ) -> Result<Self, StoreError> {
        let io = |source| StoreError::Io {
            dir: dir.display().to_string(),
            source,
        };
        let db_path = dir.join("db");
        if create {
            // Before the lock file is made: `init` on a folder it will not use leaves nothing.
            if db_path.join("conf").exists() {
                return Err(OpenError::AlreadyExists(dir.display().to_string()).into());
            }
            if let Some(found) = occupant(&db_path) {
                return Err(OpenError::NotEmpty {
                    dir: dir.display().to_string(),
                    found,
                }
                .into());
            }
            std::fs::create_dir_all(dir).map_err(io)?;
        } else if !db_path.join("conf").exists() {
            return Err(OpenError::NotFound(dir.display().to_string()).into());
        }
        let lock = lock::acquire(dir, opts.wait)?;
        if create && db_path.exists() {
            return Err(OpenError::AlreadyExists(dir.display().to_string()).into());
        }
        // sled takes its own lock on the database file. Another program holding it, or a
        // process that is just exiting (its background threads release it a moment after our
        // lock file), is waited for briefly, then reported as "in use".
        let deadline = std::time::Instant::now() + opts.wait.max(Duration::from_secs(2));
        let mut cleaned = false;
        let db = loop {
            let opened = sled::Config::new()
                .path(&db_path)
                .cache_capacity(opts.cache_bytes)
                .mode(sled::Mode::HighThroughput)
                .open();
            match opened {
                Ok(db) => break db,
                Err(sled::Error::Io(e))
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.to_string().starts_with("could not acquire lock") =>
                {
                    if std::time::Instant::now() >= deadline {
                        return Err(StoreError::Open(OpenError::InUse {
                            dir: dir.display().to_string(),
                            pid: "unknown (the database file is locked by another program)".into(),
                        }));
                    }
                    std::thread::sleep(Duration::from_millis(25));
                }
                Err(sled::Error::Io(source)) => {
                    return Err(StoreError::Io {
                        dir: dir.display().to_string(),
                        source,
                    })
                }
                // sled 0.34 writes a snapshot to `snap.<lsn>.generating`, then renames it. A
                // write that failed (disk full) or a process killed meanwhile leaves that file,
                // which every later open takes for the newest snapshot and reports as
                // corruption. It is never the only copy of anything (the log is): remove it
                // (we hold both locks, so no one is writing it) and open again.
                Err(sled::Error::Corruption { .. })
                    if !cleaned && remove_partial_snapshots(&db_path).map_err(io)? =>
                {
                    cleaned = true;
                }
                // What sled says of a `conf` file it cannot read (damaged, or another
                // program's): stored data that is not what was written.
                Err(sled::Error::Unsupported(msg)) => {
                    return Err(StoreError::Corrupted(format!(
                        "the database's own file {}/conf is damaged or not sled's ({msg})",
                        db_path.display()
                    )))
                }
                Err(other) => return Err(other.into()),
            }
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            bundles: db.open_tree("bundles")?,
            by_state: db.open_tree("by_state")?,
            by_draft: db.open_tree("by_draft")?,
            meta: db.open_tree("meta")?,
            tiles: db.open_tree("tiles")?,
            checkpoints: db.open_tree("checkpoints")?,
            tile_cache: Default::default(),
            db,
            writer: None,
            poisoned: false,
            read_only: opts.read_only,
            layout: LAYOUT,
            recovered: 0,
            _lock: lock,
        })
    }

    /// Creates a ledger in `dir` (which must not hold one) with its genesis event, signed by
    /// the administrator key it names.
    pub fn create(
        dir: &Path,
        admin: &SigningKey,
        genesis: actledger_core::event::LedgerCreated,
    ) -> Result<(Self, Appended), StoreError> {
        let mut ledger = Self::open_db(dir, &OpenOptions::default(), true)?;
        // Flushed with the genesis event.
        ledger.meta.insert(LAYOUT_KEY, &[LAYOUT])?;
        ledger.writer = Some(Writer {
            verifier: Verifier::new(Signatures::Skip),
            tree: Frontier::new(),
            edge: Edge::default(),
            table: None,
            defer_state: false,
        });
        let appended = ledger.append(admin, EventBody::LedgerCreated(genesis))?;
        Ok((ledger, appended))
    }

    /// Opens an existing ledger. Nothing is replayed until the first append. What an
    /// interrupted write left beyond the head (never acknowledged) is removed first. A ledger
    /// of an earlier layout is migrated (not with [`OpenOptions::read_only`]); a database in a
    /// state no version wrote is refused, with nothing changed.
    pub fn open(dir: &Path, opts: &OpenOptions) -> Result<Self, StoreError> {
        let mut ledger = Self::open_db(dir, opts, false)?;
        let layout = ledger.check_layout()?;
        let plan = ledger.migration_plan(layout)?;
        if opts.read_only && plan.needed() {
            return Err(OpenError::NeedsMigration {
                dir: dir.display().to_string(),
                layout,
            }
            .into());
        }
        if plan.events {
            ledger.migrate_events_to_bundles()?;
        }
        ledger.recovered = ledger.recover()?;
        ledger.layout = layout;
        if !opts.read_only {
            ledger.upgrade(layout)?;
            ledger.layout = LAYOUT;
        }
        Ok(ledger)
    }

    pub(super) fn has_tree(&self, name: &[u8]) -> bool {
        self.db.tree_names().iter().any(|n| n.as_ref() == name)
    }
}
