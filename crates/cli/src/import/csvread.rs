//! Reading CSV with a header, strict UTF-8, bounded line length and precise positions.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read};

use super::{ImportError, Kind};

/// Longest accepted line of a CSV file.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// A reader that fails once any line exceeds `MAX_LINE_BYTES`, so a file of garbage with no
/// newlines cannot make the CSV parser buffer it whole. It also turns CRLF line ends into LF,
/// so the CSV parser's line numbers match the file's.
pub struct LineLimit<R> {
    inner: BufReader<R>,
    current: usize,
    /// A `\r` held back until we know whether `\n` follows.
    pending_cr: bool,
    /// Set when the limit was hit.
    pub tripped: bool,
}

impl<R: Read> LineLimit<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Self {
        Self {
            inner: BufReader::with_capacity(64 * 1024, inner),
            current: 0,
            pending_cr: false,
            tripped: false,
        }
    }

    fn push(&mut self, out: &mut [u8], n: &mut usize, b: u8) -> io::Result<()> {
        if b == b'\n' {
            self.current = 0;
        } else {
            self.current += 1;
            if self.current > MAX_LINE_BYTES {
                self.tripped = true;
                return Err(io::Error::new(io::ErrorKind::InvalidData, "line too long"));
            }
        }
        out[*n] = b;
        *n += 1;
        Ok(())
    }
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        // Returning 0 means end of file, so keep going while only a `\r` was consumed.
        loop {
            let n = self.read_some(buf)?;
            if n > 0 || (self.inner.fill_buf()?.is_empty() && !self.pending_cr) {
                return Ok(n);
            }
        }
    }
}

impl<R: Read> LineLimit<R> {
    fn read_some(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let avail = self.inner.fill_buf()?.to_vec();
        let mut n = 0;
        if avail.is_empty() {
            if self.pending_cr {
                self.pending_cr = false;
                self.push(buf, &mut n, b'\r')?;
            }
            return Ok(n);
        }
        let mut i = 0;
        while i < avail.len() && n < buf.len() {
            let b = avail[i];
            if self.pending_cr {
                self.pending_cr = false;
                if b != b'\n' {
                    // A lone `\r`: emit it, and look at `b` again.
                    self.push(buf, &mut n, b'\r')?;
                    continue;
                }
            }
            i += 1;
            if b == b'\r' {
                self.pending_cr = true;
            } else {
                self.push(buf, &mut n, b)?;
            }
        }
        self.inner.consume(i);
        Ok(n)
    }
}

/// One data row: its line and fields by column name.
pub struct Row {
    pub line: u64,
    fields: HashMap<String, String>,
}

impl Row {
    /// A column's trimmed value ("" if the row is short).
    pub fn get(&self, column: &str) -> &str {
        self.fields.get(column).map_or("", |s| s.trim())
    }
}

/// Reads all rows of a CSV file, checking the header has `kind`'s columns.
pub fn rows<R: Read>(file: &str, reader: R, kind: Kind) -> Result<Vec<Row>, ImportError> {
    let mut limited = LineLimit::new(reader);
    let mut out = Vec::new();
    let result = read_rows(file, &mut limited, kind, &mut out);
    match result {
        Err(_) if limited.tripped => Err(ImportError {
            file: file.to_string(),
            line: Some(out.len() as u64 + 2),
            column: None,
            value: None,
            message: format!(
                "line longer than {} KiB: not a CSV file of {}",
                MAX_LINE_BYTES / 1024,
                kind.name()
            ),
        }),
        Err(e) => Err(e),
        Ok(()) => Ok(out),
    }
}

fn read_rows<R: Read>(
    file: &str,
    reader: R,
    kind: Kind,
    out: &mut Vec<Row>,
) -> Result<(), ImportError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(reader);
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(csv_error(file, &e)),
    };
    if headers.is_empty()
        || (headers.len() == 1 && headers.get(0).is_some_and(|h| h.trim().is_empty()))
    {
        return Err(ImportError::file(
            file,
            format!(
                "file is empty: expected a header row with the columns {}",
                kind.columns().join(", ")
            ),
        ));
    }
    let names: Vec<String> = headers
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    for col in kind.columns() {
        if !names.iter().any(|n| n == col) {
            return Err(ImportError::file(
                file,
                format!(
                    "missing column `{col}` (the header has: {})",
                    names.join(", ")
                ),
            ));
        }
    }
    let mut seen_cols = std::collections::HashSet::new();
    if let Some(dup) = names.iter().find(|n| !seen_cols.insert(n.as_str())) {
        return Err(ImportError::file(
            file,
            format!("column `{dup}` appears twice in the header"),
        ));
    }
    for rec in rdr.records() {
        let rec = rec.map_err(|e| csv_error(file, &e))?;
        let line = rec.position().map_or(0, |p| p.line());
        let fields = names
            .iter()
            .cloned()
            .zip(rec.iter().map(str::to_string))
            .collect();
        out.push(Row { line, fields });
    }
    if out.is_empty() {
        return Err(ImportError::file(file, "no data rows after the header"));
    }
    Ok(())
}

fn csv_error(file: &str, e: &csv::Error) -> ImportError {
    let line = e.position().map(|p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => format!("not valid UTF-8 (field {})", err.field() + 1),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("row has {len} fields, the header has {expected_len}")
        }
        csv::ErrorKind::Io(io)
            if io.kind() == io::ErrorKind::InvalidData
                && io
                    .to_string()
                    .contains("stream did not contain valid UTF-8") =>
        {
            "not valid UTF-8".to_string()
        }
        _ => e.to_string(),
    };
    ImportError {
        file: file.to_string(),
        line,
        column: None,
        value: None,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(input: &[u8], chunk: usize) -> Vec<u8> {
        struct Chunked<'a>(&'a [u8], usize);
        impl Read for Chunked<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = Vec::new();
        LineLimit::new(Chunked(input, chunk))
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn crlf_becomes_lf_across_chunk_boundaries() {
        for chunk in [1, 2, 3, 7, 1000] {
            assert_eq!(through(b"a,b\r\nc,d\r\n", chunk), b"a,b\nc,d\n");
            assert_eq!(through(b"a\rb\r", chunk), b"a\rb\r");
            assert_eq!(through(b"\r\r\n", chunk), b"\r\n");
        }
    }

    #[test]
    fn long_lines_are_refused() {
        let long = vec![b'x'; MAX_LINE_BYTES + 1];
        let mut out = Vec::new();
        let mut r = LineLimit::new(long.as_slice());
        assert!(r.read_to_end(&mut out).is_err());
        assert!(r.tripped);
        let mut ok = vec![b'x'; MAX_LINE_BYTES];
        ok.push(b'\n');
        ok.extend(vec![b'y'; MAX_LINE_BYTES]);
        assert_eq!(through(&ok, 4096).len(), ok.len());
    }
}
