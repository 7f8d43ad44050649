//! A witness's state on disk: `DIR/state.json` (docs/FORMAT.md, "Witness state"), read,
//! checked and replaced under an exclusive lock on `DIR/lock`, so that check-and-persist is
//! one atomic step across threads and processes (the race of tlog-witness §add-checkpoint:
//! two concurrent requests must never roll the witness back or cosign both sides of a fork).
//!
//! The new state is written to a temporary file created exclusively in `DIR` (never through
//! a link), synced, renamed over `state.json`, and the directory is synced: a crash leaves the
//! old state or the new one. Symbolic links are refused for the directory and its files.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actledger_core::witness::{WitnessState, MAX_STATE_BYTES};

const STATE_NAME: &str = "state.json";
const LOCK_NAME: &str = "lock";
const TMP_NAME: &str = ".state.json.tmp";

/// How long to wait for another process holding the lock.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// Why the state could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateDirError {
    /// An I/O error on a path.
    #[error("witness state {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// A symbolic link where the state directory or one of its files should be.
    #[error("witness state {0} is a symbolic link: refusing to follow it")]
    Symlink(String),
    /// Not a directory, or not a regular file.
    #[error("witness state {0}: {1}")]
    Kind(String, &'static str),
    /// The state file does not parse.
    #[error("witness state {path} is corrupt: {source}")]
    Corrupt {
        /// The path.
        path: String,
        /// Why.
        #[source]
        source: actledger_core::witness::StateError,
    },
    /// Another process held the lock for too long.
    #[error("witness state {0} is locked by another process")]
    Busy(String),
}

/// The state directory of one witness.
#[derive(Debug)]
pub struct StateDir {
    dir: PathBuf,
    /// Serializes this process's threads before they take the file lock.
    local: Mutex<()>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StateDirError + '_ {
    move |source| StateDirError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Fails on a symbolic link; `Ok(None)` if nothing is there.
fn no_link(path: &Path) -> Result<Option<std::fs::Metadata>, StateDirError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            Err(StateDirError::Symlink(path.display().to_string()))
        }
        Ok(m) => Ok(Some(m)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(path)(e)),
    }
}

/// Opens a regular file without following a final symbolic link.
fn open_file(path: &Path, opts: &mut OpenOptions) -> Result<File, StateDirError> {
    // O_NOFOLLOW: a link planted between the check and the open makes the open fail.
    let file = opts
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| match no_link(path) {
            Err(link) => link,
            Ok(_) => io(path)(e),
        })?;
    let meta = file.metadata().map_err(io(path))?;
    if !meta.is_file() {
        return Err(StateDirError::Kind(
            path.display().to_string(),
            "not a regular file",
        ));
    }
    Ok(file)
}

impl StateDir {
    /// Opens (creating it, mode 0700, if missing) the state directory `dir`.
    pub fn open(dir: &Path) -> Result<Self, StateDirError> {
        match no_link(dir)? {
            Some(m) if !m.is_dir() => {
                return Err(StateDirError::Kind(
                    dir.display().to_string(),
                    "not a directory (the witness state is a directory holding state.json)",
                ))
            }
            Some(_) => {}
            None => {
                std::fs::create_dir_all(dir).map_err(io(dir))?;
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                    .map_err(io(dir))?;
            }
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            local: Mutex::new(()),
        })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The state as stored now (empty if never written), read under the lock.
    pub fn read(&self) -> Result<WitnessState, StateDirError> {
        self.transact(|s| (None, s.clone()))
    }

    /// Runs `f` on the stored state with the lock held; if `f` returns a new state, it is
    /// durably in place before this returns. Nothing else reads or writes the state meanwhile,
    /// in this process or another using the same directory.
    pub fn transact<T>(
        &self,
        f: impl FnOnce(&WitnessState) -> (Option<WitnessState>, T),
    ) -> Result<T, StateDirError> {
        let _local = self
            .local
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let _lock = self.lock()?;
        let state = self.load()?;
        let (new, out) = f(&state);
        if let Some(new) = new {
            if new != state {
                self.store(&new)?;
            }
        }
        Ok(out)
    }

    fn lock(&self) -> Result<File, StateDirError> {
        let path = self.dir.join(LOCK_NAME);
        let file = open_file(
            &path,
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600),
        )?;
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(file),
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(2));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(StateDirError::Busy(self.dir.display().to_string()))
                }
                Err(TryLockError::Error(e)) => return Err(io(&path)(e)),
            }
        }
    }

    fn load(&self) -> Result<WitnessState, StateDirError> {
        let path = self.dir.join(STATE_NAME);
        if no_link(&path)?.is_none() {
            return Ok(WitnessState::default());
        }
        let file = open_file(&path, OpenOptions::new().read(true))?;
        let mut bytes = Vec::new();
        file.take(MAX_STATE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(io(&path))?;
        WitnessState::from_json(&bytes).map_err(|source| StateDirError::Corrupt {
            path: path.display().to_string(),
            source,
        })
    }

    fn store(&self, state: &WitnessState) -> Result<(), StateDirError> {
        let tmp = self.dir.join(TMP_NAME);
        // With the lock held, a temporary left here is from a crashed writer (or planted):
        // remove it (never following a link) and create ours exclusively.
        match std::fs::symlink_metadata(&tmp) {
            Ok(_) => std::fs::remove_file(&tmp).map_err(io(&tmp))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(&tmp)(e)),
        }
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(io(&tmp))?;
        file.write_all(state.to_json().as_bytes())
            .map_err(io(&tmp))?;
        file.sync_all().map_err(io(&tmp))?;
        drop(file);
        let path = self.dir.join(STATE_NAME);
        std::fs::rename(&tmp, &path).map_err(io(&path))?;
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(io(&self.dir))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use actledger_core::merkle::leaf_hash;
    use actledger_core::witness::WitnessedHead;

    fn head(size: u64) -> WitnessedHead {
        WitnessedHead {
            size,
            root: leaf_hash(&size.to_be_bytes()),
        }
    }

    #[test]
    fn transact_persists_and_threads_never_roll_back() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("w");
        let sd = std::sync::Arc::new(StateDir::open(&dir).unwrap());
        assert_eq!(sd.read().unwrap(), WitnessState::default());
        // 8 threads each advance the size by one, 25 times, read-modify-write.
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let sd = sd.clone();
                std::thread::spawn(move || {
                    for _ in 0..25 {
                        sd.transact(|s| {
                            let mut n = s.clone();
                            let size = s.head("o").map_or(0, |h| h.size);
                            n.set("o", head(size + 1));
                            (Some(n), ())
                        })
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        // Reopened: every increment is there.
        let again = StateDir::open(&dir).unwrap();
        assert_eq!(again.read().unwrap().head("o"), Some(&head(200)));
        let mode = std::fs::metadata(dir.join(STATE_NAME))
            .unwrap()
            .permissions();
        assert_eq!(mode.mode() & 0o777, 0o600);
    }

    #[test]
    fn refuses_links_and_corruption() {
        let t = tempfile::tempdir().unwrap();
        let real = t.path().join("real");
        StateDir::open(&real).unwrap();
        let link = t.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert!(matches!(
            StateDir::open(&link),
            Err(StateDirError::Symlink(_))
        ));
        let file = t.path().join("file");
        std::fs::write(&file, "{}").unwrap();
        assert!(matches!(
            StateDir::open(&file),
            Err(StateDirError::Kind(..))
        ));

        // state.json as a link to another file: refused, the target untouched.
        let sd = StateDir::open(&real).unwrap();
        let victim = t.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        std::os::unix::fs::symlink(&victim, real.join(STATE_NAME)).unwrap();
        assert!(matches!(sd.read(), Err(StateDirError::Symlink(_))));
        std::fs::remove_file(real.join(STATE_NAME)).unwrap();

        // A planted temporary link is removed, not written through.
        std::os::unix::fs::symlink(&victim, real.join(TMP_NAME)).unwrap();
        sd.transact(|s| {
            let mut n = s.clone();
            n.set("o", head(1));
            (Some(n), ())
        })
        .unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(sd.read().unwrap().head("o"), Some(&head(1)));

        // Corrupt state: an error, and nothing is written.
        std::fs::write(real.join(STATE_NAME), "{not json").unwrap();
        let r = sd.transact(|_| (Some(WitnessState::default()), ()));
        assert!(matches!(r, Err(StateDirError::Corrupt { .. })));
        assert_eq!(
            std::fs::read_to_string(real.join(STATE_NAME)).unwrap(),
            "{not json"
        );
    }
}
