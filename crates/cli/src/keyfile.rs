//! Private key files on disk: created 0600 and never overwritten; refused when group- or
//! world-readable. The secret never appears in output or errors.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use actledger_core::SigningKey;
use anyhow::{bail, Context, Result};

/// Writes a new key file with mode 0600; fails if `path` exists.
pub fn write_new(path: &Path, key: &SigningKey) -> Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                anyhow::anyhow!(
                    "{} already exists; refusing to overwrite a key file",
                    path.display()
                )
            }
            _ => anyhow::anyhow!("cannot create key file {}: {e}", path.display()),
        })?;
    let text = key.to_key_file();
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .with_context(|| format!("cannot write key file {}", path.display()))?;
    Ok(())
}

/// Reads a key file, refusing one that others can read.
pub fn read(path: &Path) -> Result<SigningKey> {
    use std::io::Read as _;
    let file = actledger::fsutil::open_input(path, "key file", None)?;
    let meta = file
        .metadata()
        .with_context(|| format!("cannot read key file {}", path.display()))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        bail!(
            "key file {} is readable by group or others (mode {mode:04o}); run `chmod 600 {}`",
            path.display(),
            path.display()
        );
    }
    if meta.len() > 4096 {
        bail!(
            "key file {} is not an actledger key file (too large)",
            path.display()
        );
    }
    let mut text = zeroize::Zeroizing::new(String::new());
    file.take(4097)
        .read_to_string(&mut text)
        .with_context(|| format!("cannot read key file {}", path.display()))?;
    SigningKey::from_key_file(&text).with_context(|| format!("key file {}", path.display()))
}
