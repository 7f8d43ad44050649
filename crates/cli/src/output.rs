//! Writing to stdout: a closed pipe (`actledger log | head`) ends the program quietly (exit
//! 0, as ripgrep does); any other write error (a full disk, `> /dev/full`) is remembered,
//! the rest of the output skipped, and `main` reports it and exits 2 ([`failed`]).
//!
//! Output goes through one buffer when stdout is not a terminal (a million-line listing made
//! a million `write` calls: `compliance --all` on the 1M bench ledger, 4.25M lines), and line
//! by line when it is. `main` calls [`flush`] before it reports an error or exits.

use std::io::{IsTerminal, Write};
use std::sync::{Mutex, OnceLock};

/// The first write error on stdout, if any (the output after it is not written).
static FAILED: OnceLock<String> = OnceLock::new();

/// The write error that made the output incomplete, for `main` to report (exit 2).
pub fn failed() -> Option<&'static str> {
    FAILED.get().map(String::as_str)
}

/// The buffered stdout, created on first use when stdout is not a terminal.
static OUT: Mutex<Option<std::io::BufWriter<std::io::Stdout>>> = Mutex::new(None);

fn is_terminal() -> bool {
    static TERMINAL: OnceLock<bool> = OnceLock::new();
    *TERMINAL.get_or_init(|| std::io::stdout().is_terminal())
}

thread_local! {
    /// Where this thread's output goes instead of stdout, while [`capture`] runs.
    static CAPTURE: std::cell::RefCell<Option<Vec<u8>>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` with this thread's output collected instead of written to stdout, and returns
/// it: the server answers with exactly what the command prints.
pub fn capture<R>(f: impl FnOnce() -> R) -> (R, Vec<u8>) {
    let outer = CAPTURE.with(|c| c.replace(Some(Vec::new())));
    let r = f();
    let out = CAPTURE.with(|c| c.replace(outer)).unwrap_or_default();
    (r, out)
}

/// Runs `write` on stdout (buffered unless it is a terminal); exits 0 if the reader has gone
/// away.
fn with_stdout(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) {
    let mut write = Some(write);
    let mut run = |w: &mut dyn Write| write.take().map_or(Ok(()), |f| f(w));
    // Captured (the server rendering a report): into this thread's buffer, never stdout.
    let captured = CAPTURE.with(|c| {
        let mut c = c.borrow_mut();
        c.as_mut().map(|buf| run(buf))
    });
    if captured.is_some() || FAILED.get().is_some() {
        return;
    }
    let written = if is_terminal() {
        let mut out = std::io::stdout().lock();
        run(&mut out).and_then(|()| out.flush())
    } else {
        match OUT.lock() {
            Ok(mut guard) => {
                let out = guard.get_or_insert_with(|| {
                    std::io::BufWriter::with_capacity(1 << 16, std::io::stdout())
                });
                run(out)
            }
            // A thread panicked while writing; write unbuffered.
            Err(_) => run(&mut std::io::stdout().lock()),
        }
    };
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            let _ = FAILED.set(format!("cannot write the output: {e}"));
        }
    }
}

/// Writes what is still buffered (at the end of a command, before an error is printed).
pub fn flush() {
    with_stdout(|w| w.flush());
}

/// Writes one line to stdout.
pub fn line(s: &str) {
    with_stdout(|w| writeln!(w, "{s}"));
}

/// Writes `s` to stdout as it is (a signed note, a proof: text that ends with its own newline).
pub fn text(s: &str) {
    with_stdout(|w| w.write_all(s.as_bytes()));
}

/// Writes one JSON value as a line, serialized straight to stdout (a large report is never
/// held as a JSON tree or string: `compliance --json` on a million events built a 14 GB one).
pub fn json<T: serde::Serialize>(value: &T) {
    with_stdout(|w| {
        // Many small writes: buffered here in a writer of known type, not each through `dyn`.
        let mut out = std::io::BufWriter::with_capacity(1 << 16, w);
        serde_json::to_writer(&mut out, value)
            .map_err(|e| match e.io_error_kind() {
                Some(kind) => std::io::Error::from(kind),
                None => std::io::Error::other(e.to_string()),
            })
            .and_then(|()| out.write_all(b"\n"))
            // Into the writer underneath without flushing it: `log --json` prints a value per
            // event, and the stdout buffer must not be flushed for each.
            .and_then(|()| out.into_inner().map(|_| ()).map_err(|e| e.into_error()))
    });
}

/// A list written as a JSON array straight from an iterator of `len` items, so a large list
/// (a report's votes) is never held. It can be serialized once: a second time is an error.
pub struct SeqOnce<I> {
    items: std::cell::RefCell<Option<I>>,
    len: usize,
}

impl<I> SeqOnce<I> {
    /// The array of the `len` items `items` yields.
    pub fn new(items: I, len: usize) -> Self {
        Self {
            items: std::cell::RefCell::new(Some(items)),
            len,
        }
    }
}

impl<I: Iterator> serde::Serialize for SeqOnce<I>
where
    I::Item: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeSeq};
        let items = self
            .items
            .borrow_mut()
            .take()
            .ok_or_else(|| S::Error::custom("the items were already written"))?;
        let mut seq = s.serialize_seq(Some(self.len))?;
        for item in items {
            seq.serialize_element(&item)?;
        }
        seq.end()
    }
}

/// A value with a `"type"` member first, then the value's own members (which must serialize
/// as a map or struct).
#[derive(serde::Serialize)]
pub struct Typed<'a, T: serde::Serialize> {
    #[serde(rename = "type")]
    pub kind: &'a str,
    #[serde(flatten)]
    pub value: &'a T,
}

/// Prints a plain-text table with aligned columns.
pub fn table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let fmt_row = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            let last = i + 1 == cells.len();
            if last {
                s.push_str(c);
            } else {
                let pad = widths[i].saturating_sub(c.chars().count());
                s.push_str(c);
                s.push_str(&" ".repeat(pad + 2));
            }
        }
        s.trim_end().to_string()
    };
    line(&fmt_row(header.to_vec()));
    for r in rows {
        line(&fmt_row(r.iter().map(String::as_str).collect()));
    }
}
