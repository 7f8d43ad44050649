//! Writing to stdout: a closed pipe (`actledger log | head`) ends the program quietly.

use std::io::Write;

/// Writes one line to stdout; exits 0 if the reader has gone away.
pub fn line(s: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{s}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

/// Writes one JSON value as a line, serialized straight to stdout (a large report is never
/// held as a JSON tree or string: `compliance --json` on a million events built a 14 GB one).
pub fn json<T: serde::Serialize>(value: &T) {
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let written = serde_json::to_writer(&mut out, value)
        .map_err(|e| match e.io_error_kind() {
            Some(kind) => std::io::Error::from(kind),
            None => std::io::Error::other(e.to_string()),
        })
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => eprintln!("error: cannot write output: {e}"),
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
