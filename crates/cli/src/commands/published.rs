//! A published supporter list read from a CSV file (as pasted from the depositary's PDF into
//! a spreadsheet): one state a row, by ISO 3166-1 alpha-3 code or by its name as
//! `data/un_members.csv` writes it. Read by `supporters diff` and `record attestation`.

use std::collections::BTreeSet;
use std::path::Path;

use actledger_core::StateCode;
use anyhow::{Context, Result};

/// Columns tried, in order, when no `--column` is given.
const COLUMNS: [&str; 5] = ["iso3", "name", "state", "country", "member_state"];

/// The states of the list in `file`, from `column` (or the first of [`COLUMNS`] the header
/// has, or its only column). A value that is neither a code nor a known name is an error
/// naming the file, line, column and value.
pub fn read(file: &Path, column: Option<&str>) -> Result<BTreeSet<StateCode>> {
    // The same guard as the importers: no line over 64 KiB is buffered, CRLF is accepted.
    let f = actledger::fsutil::open_input(file, "file", None)?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(actledger::import::LineLimit::new(f));
    let headers = rdr
        .headers()
        .with_context(|| format!("{}: cannot read the header", file.display()))?
        .clone();
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let idx = match column {
        Some(c) => find(c),
        None => COLUMNS
            .iter()
            .find_map(|c| find(c))
            .or((headers.len() == 1).then_some(0)),
    };
    let idx = idx.with_context(|| {
        format!(
            "{}: no column {} (the header has: {})",
            file.display(),
            column.map_or_else(
                || format!("named one of {}", COLUMNS.join(", ")),
                |c| format!("`{c}`")
            ),
            headers
                .iter()
                .take(20)
                .map(|h| h
                    .chars()
                    .take(40)
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect::<String>())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    let column = headers.get(idx).unwrap_or("").trim().to_string();
    let mut states = BTreeSet::new();
    for rec in rdr.records() {
        let rec = rec.with_context(|| format!("{}: unreadable row", file.display()))?;
        let line = rec.position().map_or(0, |p| p.line());
        let value = rec.get(idx).unwrap_or("").trim();
        if value.is_empty() {
            continue;
        }
        let state = StateCode::from_code_or_name(value).with_context(|| {
            format!(
                "{} line {line}, column {column}: {} is neither an ISO 3166-1 alpha-3 code nor the name of a UN member or observer state as data/un_members.csv writes it",
                file.display(),
                actledger_core::error::quoted(value)
            )
        })?;
        states.insert(state);
    }
    Ok(states)
}
