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
        let (mut current, mut pending) = (self.current, self.pending_cr);
        let mut n = 0;
        let mut too_long = false;
        let cap = buf.len();
        let avail = self.inner.fill_buf()?;
        let emit = |buf: &mut [u8], b: u8, n: &mut usize, current: &mut usize| -> bool {
            if b == b'\n' {
                *current = 0;
            } else {
                *current += 1;
                if *current > MAX_LINE_BYTES {
                    return false;
                }
            }
            buf[*n] = b;
            *n += 1;
            true
        };
        if avail.is_empty() {
            if pending {
                pending = false;
                too_long = !emit(buf, b'\r', &mut n, &mut current);
            }
        } else {
            let mut i = 0;
            while i < avail.len() && n < cap {
                // A run of bytes that are neither `\r` nor `\n` is copied at once.
                if !pending {
                    let window = &avail[i..avail.len().min(i + (cap - n))];
                    let run = window
                        .iter()
                        .position(|&b| b == b'\n' || b == b'\r')
                        .unwrap_or(window.len());
                    if run > 0 {
                        if current + run > MAX_LINE_BYTES {
                            too_long = true;
                            break;
                        }
                        buf[n..n + run].copy_from_slice(&window[..run]);
                        n += run;
                        current += run;
                        i += run;
                        continue;
                    }
                }
                let b = avail[i];
                if pending {
                    pending = false;
                    if b != b'\n' {
                        // A lone `\r`: emit it, and look at `b` again.
                        if !emit(buf, b'\r', &mut n, &mut current) {
                            too_long = true;
                            break;
                        }
                        continue;
                    }
                }
                i += 1;
                if b == b'\r' {
                    pending = true;
                } else if !emit(buf, b, &mut n, &mut current) {
                    too_long = true;
                    break;
                }
            }
            self.inner.consume(i);
        }
        self.current = current;
        self.pending_cr = pending;
        if too_long {
            self.tripped = true;
            return Err(io::Error::new(io::ErrorKind::InvalidData, "line too long"));
        }
        Ok(n)
    }
}

/// Column positions by name. The first [`Columns::NEAR`] names are searched in order (a
/// few string compares: the importers look up several columns in every row, a million rows
/// per large import); names after them, in a header that long, through a hash map.
struct Columns {
    near: Vec<(String, usize)>,
    far: HashMap<String, usize>,
}

impl Columns {
    const NEAR: usize = 32;

    fn get(&self, column: &str) -> Option<usize> {
        self.near
            .iter()
            .find(|(n, _)| n == column)
            .map(|(_, i)| *i)
            .or_else(|| self.far.get(column).copied())
    }
}

/// One data row: its line and its fields, looked up by column name.
pub struct Row<'a> {
    pub line: u64,
    record: &'a csv::StringRecord,
    columns: &'a Columns,
}

impl Row<'_> {
    /// A column's trimmed value ("" if the column is absent).
    pub fn get(&self, column: &str) -> &str {
        self.columns
            .get(column)
            .and_then(|i| self.record.get(i))
            .map_or("", str::trim)
    }
}

/// Reads the rows of a CSV file one at a time (bounded memory), checking the header has
/// `kind`'s columns; calls `f` on each.
pub fn for_each_row<R: Read>(
    file: &str,
    reader: R,
    kind: Kind,
    mut f: impl FnMut(&Row<'_>) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let mut limited = LineLimit::new(reader);
    let mut rows = 0u64;
    let result = read_rows(file, &mut limited, kind, &mut rows, &mut f);
    match result {
        Err(_) if limited.tripped => Err(ImportError {
            file: file.to_string(),
            line: Some(rows + 2),
            column: None,
            value: None,
            message: format!(
                "line longer than {} KiB: not a CSV file of {}",
                MAX_LINE_BYTES / 1024,
                kind.name()
            ),
        }),
        other => other,
    }
}

fn read_rows<R: Read>(
    file: &str,
    reader: R,
    kind: Kind,
    rows: &mut u64,
    f: &mut impl FnMut(&Row<'_>) -> Result<(), ImportError>,
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
            // One line, and short, whatever the header holds (a quoted name may contain a
            // newline or be 64 KiB long).
            let shown: Vec<String> = names
                .iter()
                .take(20)
                .map(|n| {
                    n.chars()
                        .take(40)
                        .map(|c| if c.is_control() { ' ' } else { c })
                        .collect()
                })
                .collect();
            return Err(ImportError::file(
                file,
                format!(
                    "missing column `{col}` (the header has: {})",
                    shown.join(", ")
                ),
            ));
        }
    }
    let mut all = HashMap::new();
    for (i, n) in names.iter().enumerate() {
        if all.insert(n.clone(), i).is_some() {
            return Err(ImportError::file(
                file,
                format!("column `{n}` appears twice in the header"),
            ));
        }
    }
    let near: Vec<(String, usize)> = names
        .iter()
        .take(Columns::NEAR)
        .cloned()
        .enumerate()
        .map(|(i, n)| (n, i))
        .collect();
    let far = all
        .into_iter()
        .filter(|(_, i)| *i >= Columns::NEAR)
        .collect();
    let columns = Columns { near, far };
    let mut record = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(file, &e)),
        }
        let line = record.position().map_or(0, |p| p.line());
        *rows += 1;
        f(&Row {
            line,
            record: &record,
            columns: &columns,
        })?;
    }
    if *rows == 0 {
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
    fn runs_copy_the_same_bytes_into_small_buffers() {
        // Every mix of plain bytes, CR and LF, read into output buffers of every small size:
        // the result is the input with each CRLF made LF.
        let mut input = Vec::new();
        let mut x = 7u32;
        for _ in 0..2000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            input.push(match (x >> 16) % 6 {
                0 => b'\r',
                1 => b'\n',
                _ => b'a' + ((x >> 20) % 26) as u8,
            });
        }
        let expected: Vec<u8> = {
            let mut out = Vec::new();
            let mut i = 0;
            while i < input.len() {
                if input[i] == b'\r' && input.get(i + 1) == Some(&b'\n') {
                    i += 1;
                    continue;
                }
                out.push(input[i]);
                i += 1;
            }
            out
        };
        for out_buf in [1, 2, 3, 5, 64] {
            let mut r = LineLimit::new(input.as_slice());
            let mut out = Vec::new();
            let mut buf = vec![0u8; out_buf];
            loop {
                let n = r.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..n]);
            }
            assert_eq!(out, expected, "output buffer {out_buf}");
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
