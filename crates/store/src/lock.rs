//! One process per ledger: an exclusive advisory lock on `DIR/ledger.lock`, which also holds
//! the holder's process id so a second process can say who has it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::{OpenError, StoreError};

/// Holds the lock until dropped (the OS releases it when the file closes, even on a crash).
#[derive(Debug)]
pub(crate) struct LockFile {
    _file: File,
}

const LOCK_NAME: &str = "ledger.lock";

pub(crate) fn acquire(dir: &Path, wait: Duration) -> Result<LockFile, StoreError> {
    let io = |source| StoreError::Io {
        dir: dir.display().to_string(),
        source,
    };
    let path = dir.join(LOCK_NAME);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    let deadline = Instant::now() + wait;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => {
                if Instant::now() >= deadline {
                    let mut pid = String::new();
                    let _ = file.read_to_string(&mut pid);
                    let pid = pid.trim();
                    return Err(StoreError::Open(OpenError::InUse {
                        dir: dir.display().to_string(),
                        pid: if pid.is_empty() {
                            "unknown".into()
                        } else {
                            pid.to_string()
                        },
                    }));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
    }
    file.set_len(0).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    write!(file, "{}", std::process::id()).map_err(io)?;
    file.flush().map_err(io)?;
    Ok(LockFile { _file: file })
}
