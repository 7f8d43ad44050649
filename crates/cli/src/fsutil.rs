//! Every file the command reads or writes goes through here.
//!
//! Reading: only regular files are opened (a FIFO, a device or a directory is refused at
//! once, without blocking: a FIFO is opened non-blocking, then checked), and a whole-file read
//! has a size limit. Standard input is read with `-` where a command takes it.
//!
//! Writing: an output path that is a symbolic link is refused; a file is written under a
//! temporary name created exclusively in the target directory (`O_CREAT | O_EXCL`, which never
//! follows a link, with a random name, so a planted `.name.tmp` link or file cannot redirect
//! it), then renamed over the destination, so a reader never sees half a file and a kill
//! leaves the destination as it was. A folder (a snapshot) is built the same way: in a fresh
//! sibling directory renamed into place once complete.

use std::fs::File;
use std::io::Read as _;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// The size limit of a small input file: a verifier key, a checkpoint, a proof.
pub const SMALL_FILE: u64 = 1 << 20;

/// Opens `path` for reading if it is a regular file (`what` names it in errors: "proof",
/// "checkpoint"), of at most `limit` bytes when given.
pub fn open_input(path: &Path, what: &str, limit: Option<u64>) -> Result<File> {
    // Non-blocking, so that opening a FIFO with no writer returns at once (it is then
    // refused below); reads of a regular file never block, with or without the flag.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .with_context(|| format!("cannot read {what} {}", path.display()))?;
    let meta = file
        .metadata()
        .with_context(|| format!("cannot read {what} {}", path.display()))?;
    if !meta.is_file() {
        let kind = if meta.is_dir() {
            "a directory"
        } else {
            "a FIFO, socket or device"
        };
        bail!("{what} {} is not a regular file ({kind})", path.display());
    }
    if let Some(limit) = limit {
        if meta.len() > limit {
            bail!(
                "{what} {} is {} bytes, over the {limit}-byte limit",
                path.display(),
                meta.len()
            );
        }
    }
    Ok(file)
}

/// Reads the whole regular file `path`, of at most `limit` bytes (it may not grow past it
/// while read either).
pub fn read_input(path: &Path, what: &str, limit: u64) -> Result<Vec<u8>> {
    let file = open_input(path, what, Some(limit))?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {what} {}", path.display()))?;
    if bytes.len() as u64 > limit {
        bail!("{what} {} is over the {limit}-byte limit", path.display());
    }
    Ok(bytes)
}

/// [`read_input`] as UTF-8 text; the error never shows the content.
pub fn read_text(path: &Path, what: &str, limit: u64) -> Result<String> {
    String::from_utf8(read_input(path, what, limit)?)
        .map_err(|_| anyhow::anyhow!("{what} {} is not UTF-8 text", path.display()))
}

/// Refuses an output path that is a symbolic link (a link planted where the output goes
/// would make the command replace the link, or, without this, write through it).
pub fn refuse_link(path: &Path) -> Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => bail!(
            "refusing to write {}: it is a symbolic link (give the real path)",
            path.display()
        ),
        _ => Ok(()),
    }
}

/// The directory a new entry `path` goes in, and its file name.
fn parent_and_name(path: &Path) -> Result<(PathBuf, std::ffi::OsString)> {
    let name = path
        .file_name()
        .with_context(|| format!("cannot write {}: not a file name", path.display()))?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((parent, name.to_os_string()))
}

/// Writes `bytes` to `path` through a [`Staged`] file: a reader (a web server serving tiles,
/// a browser, the next command) never sees half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    let mut staged = Staged::create(path)?;
    staged
        .write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    staged.commit()
}

/// A file written beside its destination under a fresh temporary name (through a buffer),
/// put in place by [`Staged::commit`] (one rename) and removed if dropped uncommitted: a
/// command that fails half-way through writing several files leaves none of them.
pub struct Staged {
    path: PathBuf,
    writer: Option<std::io::BufWriter<tempfile::NamedTempFile>>,
}

impl Staged {
    /// Creates the temporary file `.NAME.XXXXXX.tmp` beside `path` (refusing a `path` that is
    /// a symbolic link). It gets the mode `File::create` would give (0666 less the umask).
    pub fn create(path: &Path) -> Result<Self> {
        refuse_link(path)?;
        // Renaming over a device (`--out /dev/full`) or a FIFO would replace it.
        if let Ok(m) = std::fs::metadata(path) {
            if !m.is_file() {
                bail!("cannot write {}: not a regular file", path.display());
            }
        }
        let (parent, name) = parent_and_name(path)?;
        let mut prefix = std::ffi::OsString::from(".");
        prefix.push(&name);
        prefix.push(".");
        let file = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".tmp")
            .permissions(std::fs::Permissions::from_mode(0o666))
            .tempfile_in(&parent)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(Self {
            path: path.to_path_buf(),
            writer: Some(std::io::BufWriter::with_capacity(1 << 16, file)),
        })
    }

    /// Flushes the file and renames it into place.
    pub fn commit(mut self) -> Result<()> {
        let Some(w) = self.writer.take() else {
            bail!("{}: already committed", self.path.display());
        };
        let file = w
            .into_inner()
            .map_err(|e| anyhow::anyhow!("cannot write {}: {}", self.path.display(), e.error()))?;
        file.persist(&self.path)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {}", self.path.display(), e.error))?;
        Ok(())
    }
}

impl std::io::Write for Staged {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.writer {
            Some(w) => w.write(buf),
            None => Err(std::io::Error::other("file already committed")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.writer {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }
}

/// The marker in the name of a folder being built: `.NAME.partial-PID-XXXXXX`.
const PARTIAL: &str = ".partial-";

/// A folder built in a fresh sibling directory `.NAME.partial-PID-XXXXXX` and renamed onto
/// its destination (which must not exist, or be an empty directory) by
/// [`StagedDir::commit`]: the destination holds either nothing or the complete folder, even
/// if the process is killed. Removed (with what it holds) if dropped uncommitted.
pub struct StagedDir {
    path: PathBuf,
    tmp: Option<tempfile::TempDir>,
}

impl StagedDir {
    /// Creates the temporary sibling of `path`. Leftovers of an interrupted build of the same
    /// destination (by a process that no longer runs) are removed first, each named on
    /// standard error.
    pub fn create(path: &Path) -> Result<Self> {
        refuse_link(path)?;
        let (parent, name) = parent_and_name(path)?;
        remove_leftovers(&parent, &name);
        let mut prefix = std::ffi::OsString::from(".");
        prefix.push(&name);
        prefix.push(format!("{PARTIAL}{}-", std::process::id()));
        let tmp = tempfile::Builder::new()
            .prefix(&prefix)
            .permissions(std::fs::Permissions::from_mode(0o777))
            .tempdir_in(&parent)
            .with_context(|| format!("cannot create a folder beside {}", path.display()))?;
        Ok(Self {
            path: path.to_path_buf(),
            tmp: Some(tmp),
        })
    }

    /// Where the folder's files are written until the commit.
    pub fn dir(&self) -> &Path {
        self.tmp.as_ref().map_or(self.path.as_path(), |t| t.path())
    }

    /// Renames the folder onto its destination.
    pub fn commit(mut self) -> Result<()> {
        let Some(tmp) = self.tmp.take() else {
            bail!("{}: already committed", self.path.display());
        };
        refuse_link(&self.path)?;
        std::fs::rename(tmp.path(), &self.path).map_err(|e| {
            anyhow::anyhow!(
                "cannot put the folder in place at {}: {e}",
                self.path.display()
            )
        })?;
        // Renamed: nothing left for the guard to remove.
        let _ = tmp.keep();
        Ok(())
    }
}

/// Removes `.NAME.partial-PID-*` folders in `parent` whose process is gone.
fn remove_leftovers(parent: &Path, name: &std::ffi::OsStr) {
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(PARTIAL);
    let prefix = prefix.to_string_lossy().into_owned();
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&prefix) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let alive = pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists();
        let is_dir = entry
            .file_type()
            .is_ok_and(|t| t.is_dir() && !t.is_symlink());
        if alive || !is_dir {
            continue;
        }
        let p = entry.path();
        match std::fs::remove_dir_all(&p) {
            Ok(()) => eprintln!(
                "note: removed {}, left by an interrupted export (process {pid})",
                p.display()
            ),
            Err(e) => eprintln!(
                "note: cannot remove {}, left by an interrupted export: {e}",
                p.display()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_staged_file_appears_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Staged::create(&dir.path().join("a")).unwrap();
        a.write_all(b"first").unwrap();
        let mut b = Staged::create(&dir.path().join("b")).unwrap();
        b.write_all(b"second").unwrap();
        let staged = names(dir.path());
        assert_eq!(staged.len(), 2);
        assert!(staged.iter().all(|n| n.starts_with('.')), "{staged:?}");
        // A failure before the commit: dropped, and nothing is left.
        drop(b);
        a.commit().unwrap();
        assert_eq!(names(dir.path()), vec!["a".to_string()]);
        assert_eq!(std::fs::read(dir.path().join("a")).unwrap(), b"first");
        write_atomic(&dir.path().join("a"), b"again").unwrap();
        assert_eq!(std::fs::read(dir.path().join("a")).unwrap(), b"again");
        assert_eq!(names(dir.path()), vec!["a".to_string()]);
    }

    #[test]
    fn a_link_as_output_or_planted_as_a_temporary_is_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        let out = dir.path().join("out");
        std::os::unix::fs::symlink(&victim, &out).unwrap();
        let err = write_atomic(&out, b"evil").unwrap_err().to_string();
        assert!(err.contains("symbolic link"), "{err}");
        assert!(StagedDir::create(&out).is_err());
        // Links planted under every name a temporary might take are of no use: the temporary
        // is created exclusively under a random name.
        for i in 0..50 {
            let _ = std::os::unix::fs::symlink(&victim, dir.path().join(format!(".real.tmp-{i}")));
        }
        write_atomic(&dir.path().join("real"), b"data").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert_eq!(std::fs::read(dir.path().join("real")).unwrap(), b"data");
    }

    #[test]
    fn a_folder_appears_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("snap");
        let staged = StagedDir::create(&out).unwrap();
        std::fs::write(staged.dir().join("f"), b"x").unwrap();
        assert!(!out.exists());
        drop(staged);
        assert_eq!(names(dir.path()), Vec::<String>::new());
        // An empty destination folder is replaced.
        std::fs::create_dir(&out).unwrap();
        let staged = StagedDir::create(&out).unwrap();
        std::fs::write(staged.dir().join("f"), b"x").unwrap();
        staged.commit().unwrap();
        assert_eq!(names(&out), vec!["f".to_string()]);
        // A leftover of a process that is gone is removed; another process's is kept.
        let gone = dir.path().join(".snap2.partial-4000000000-abc");
        let running = dir
            .path()
            .join(format!(".snap2.partial-{}-abc", std::process::id()));
        std::fs::create_dir(&gone).unwrap();
        std::fs::create_dir(&running).unwrap();
        let staged = StagedDir::create(&dir.path().join("snap2")).unwrap();
        assert!(!gone.exists());
        assert!(running.exists());
        drop(staged);
    }

    #[test]
    fn only_regular_files_are_read_and_within_their_limit() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, b"0123456789").unwrap();
        assert_eq!(read_input(&f, "proof", 10).unwrap(), b"0123456789");
        let err = read_input(&f, "proof", 9).unwrap_err().to_string();
        assert!(err.contains("over the 9-byte limit"), "{err}");
        let err = read_input(dir.path(), "proof", 9).unwrap_err().to_string();
        assert!(err.contains("not a regular file (a directory)"), "{err}");
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let err = read_input(&fifo, "proof", 9).unwrap_err().to_string();
        assert!(err.contains("not a regular file"), "{err}");
    }
}
