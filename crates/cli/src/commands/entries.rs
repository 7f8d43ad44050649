//! A snapshot's `entries` file read as a log, without loading it: the events' offsets are
//! indexed in one pass (10 bytes per event), and each range the verification pipeline asks
//! for is read with one positioned read. `verify-snapshot` runs the same parallel
//! verification as `verify` on it, in memory proportional to the number of events, not to
//! their bytes.

use std::fs::File;
use std::io::{BufReader, Read};
use std::os::unix::fs::FileExt;
use std::path::Path;

use actledger_store::{EventRun, LogReader, Scan, StoreError};

/// An entry-bundle file (u16 big-endian length, then the event's bytes, for each event).
pub struct EntriesFile {
    file: File,
    /// Where each event's bytes start (after its length prefix).
    starts: Vec<u64>,
    /// Each event's length.
    lens: Vec<u16>,
    /// The file's name, for errors.
    name: String,
}

impl EntriesFile {
    /// Opens `path` and indexes its events. An error says what is wrong and at which entry.
    pub fn open(path: &Path) -> Result<Self, String> {
        let file = actledger::fsutil::open_input(path, "file", None).map_err(|e| {
            if path.is_dir() || path.exists() && !path.is_file() {
                "not a regular file".to_string()
            } else {
                format!("cannot read: {:#}", e.root_cause())
            }
        })?;
        let meta = file.metadata().map_err(|e| format!("cannot read: {e}"))?;
        let size = meta.len();
        let mut reader = BufReader::with_capacity(1 << 16, &file);
        let (mut starts, mut lens) = (Vec::new(), Vec::new());
        let mut at = 0u64;
        while at < size {
            let mut prefix = [0u8; 2];
            reader.read_exact(&mut prefix).map_err(|e| {
                if e.kind() == std::io::ErrorKind::UnexpectedEof {
                    format!("entry {}: truncated length prefix", starts.len())
                } else {
                    format!("cannot read: {e}")
                }
            })?;
            let len = u16::from_be_bytes(prefix);
            let start = at + 2;
            if start + u64::from(len) > size {
                return Err(format!("entry {} is truncated", starts.len()));
            }
            // Skip the bytes (the pipeline reads them later, in parallel).
            std::io::copy(
                &mut (&mut reader).take(u64::from(len)),
                &mut std::io::sink(),
            )
            .map_err(|e| format!("cannot read: {e}"))?;
            starts.push(start);
            lens.push(len);
            at = start + u64::from(len);
        }
        Ok(Self {
            file,
            starts,
            lens,
            name: path.display().to_string(),
        })
    }

    /// The number of events.
    pub fn count(&self) -> u64 {
        self.starts.len() as u64
    }

    fn io(&self, e: std::io::Error) -> StoreError {
        StoreError::Io {
            dir: self.name.clone(),
            source: e,
        }
    }

    /// Where event `i`'s bytes start and end in the file.
    fn span(&self, i: u64) -> Option<(u64, u64)> {
        let i = usize::try_from(i).ok()?;
        let start = *self.starts.get(i)?;
        Some((start, start + u64::from(*self.lens.get(i)?)))
    }

    fn read_at(&self, start: u64, end: u64) -> Result<Vec<u8>, StoreError> {
        let len = usize::try_from(end - start).map_err(|e| StoreError::Corrupted(e.to_string()))?;
        let mut buf = vec![0u8; len];
        self.file
            .read_exact_at(&mut buf, start)
            .map_err(|e| self.io(e))?;
        Ok(buf)
    }
}

impl LogReader for EntriesFile {
    fn len(&self) -> Result<u64, StoreError> {
        Ok(self.count())
    }

    fn get(&self, seq: u64) -> Result<Option<Vec<u8>>, StoreError> {
        match self.span(seq) {
            None => Ok(None),
            Some((start, end)) => self.read_at(start, end).map(Some),
        }
    }

    fn scan(&self, from: u64) -> Scan<'_> {
        Box::new((from..self.count()).map(move |seq| {
            let bytes = self.get(seq)?.unwrap_or_default();
            Ok((seq, bytes))
        }))
    }

    fn read_range(&self, from: u64, to: u64, out: &mut EventRun) -> Result<(), StoreError> {
        let to = to.min(self.count());
        if from >= to {
            return Ok(());
        }
        let (Some((first, _)), Some((_, last))) = (self.span(from), self.span(to - 1)) else {
            return Ok(());
        };
        // The range is contiguous in the file: one read, prefixes and all.
        let buf = self.read_at(first, last)?;
        for seq in from..to {
            let Some((start, end)) = self.span(seq) else {
                break;
            };
            let bytes = usize::try_from(start - first)
                .ok()
                .zip(usize::try_from(end - first).ok())
                .and_then(|(s, e)| buf.get(s..e))
                .ok_or_else(|| StoreError::Corrupted(format!("entry {seq} out of range")))?;
            out.push(seq, bytes);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_of(events: &[Vec<u8>]) -> (tempfile::NamedTempFile, Vec<u8>) {
        let mut bytes = Vec::new();
        for e in events {
            bytes.extend_from_slice(&(e.len() as u16).to_be_bytes());
            bytes.extend_from_slice(e);
        }
        let f = tempfile::NamedTempFile::new().expect("temp file");
        std::fs::write(f.path(), &bytes).expect("write");
        (f, bytes)
    }

    #[test]
    fn reads_what_was_written_by_range_and_one_by_one() {
        let events: Vec<Vec<u8>> = (0..300u32)
            .map(|i| vec![(i % 251) as u8; (i as usize * 7) % 40])
            .collect();
        let (f, _) = file_of(&events);
        let log = EntriesFile::open(f.path()).expect("open");
        assert_eq!(log.count(), 300);
        for (from, to) in [
            (0, 300),
            (0, 1),
            (17, 18),
            (5, 250),
            (299, 300),
            (300, 400),
            (250, 1000),
        ] {
            let mut run = EventRun::default();
            log.read_range(from, to, &mut run).expect("read");
            let got: Vec<(u64, Vec<u8>)> = run.iter().map(|(k, b)| (k, b.to_vec())).collect();
            let want: Vec<(u64, Vec<u8>)> = (from..to.min(300))
                .map(|i| (i, events[i as usize].clone()))
                .collect();
            assert_eq!(got, want, "{from}..{to}");
        }
        assert_eq!(log.get(42).expect("get"), Some(events[42].clone()));
        assert_eq!(log.get(300).expect("get"), None);
        let scanned: Vec<Vec<u8>> = log.scan(0).map(|r| r.expect("scan").1).collect();
        assert_eq!(scanned, events);
    }

    #[test]
    fn a_cut_file_is_refused_naming_the_entry() {
        let events = vec![vec![1u8; 10], vec![2u8; 10], vec![3u8; 10]];
        let (f, bytes) = file_of(&events);
        std::fs::write(f.path(), &bytes[..bytes.len() - 1]).expect("write");
        let err = EntriesFile::open(f.path()).err().expect("refused");
        assert_eq!(err, "entry 2 is truncated");
        std::fs::write(f.path(), &bytes[..25]).expect("write");
        let err = EntriesFile::open(f.path()).err().expect("refused");
        assert_eq!(err, "entry 2: truncated length prefix");
        std::fs::write(f.path(), b"").expect("write");
        assert_eq!(EntriesFile::open(f.path()).expect("empty").count(), 0);
        let dir = tempfile::tempdir().expect("dir");
        let err = EntriesFile::open(dir.path()).err().expect("refused");
        assert_eq!(err, "not a regular file");
        let err = EntriesFile::open(&dir.path().join("none"))
            .err()
            .expect("refused");
        assert!(err.starts_with("cannot read: "), "{err}");
    }
}
