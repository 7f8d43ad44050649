//! Importing a file into a ledger, at any size: all or nothing, idempotent, streaming.
//!
//! One pass over the input through [`actledger_store::Ledger::import_pipeline`], so memory
//! stays flat however large the file: each row is parsed, reconciled with the facts already
//! in the ledger (already recorded → skipped; recorded differently → a correction; otherwise
//! new) and checked against the rules on one thread, while the command's thread signs the
//! events in order and another writes them beyond the ledger's head. The head moves only when
//! the whole file has been accepted; the first bad row stops the import, and what was written
//! beyond the head is removed (now, or by the next open after a crash).

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;

use actledger_core::chain;
use actledger_core::event::{Correction, EventBody, Fact};
use actledger_core::{Seq, SigningKey, Text};
use actledger_store::{Ledger, StoreError};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{parse_each, FactKey, ImportError, Kind, ParseOptions, Skipped};

/// Where an import reads from (opened once: the import is one pass).
#[derive(Debug, Clone)]
pub enum Input {
    /// A file on disk.
    File(PathBuf),
    /// Bytes in memory (the embedded dataset), with the name to report.
    Bytes {
        /// Name used in messages.
        name: String,
        /// The contents.
        bytes: &'static [u8],
    },
}

impl Input {
    /// The name errors and summaries use.
    pub fn name(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Bytes { name, .. } => name.clone(),
        }
    }

    pub(super) fn open(&self) -> Result<Box<dyn Read + Send>, IngestError> {
        match self {
            Input::File(p) => crate::fsutil::open_input(p, "file", None)
                .map(|f| Box::new(f) as Box<dyn Read + Send>)
                .map_err(|e| IngestError::Open(p.display().to_string(), e)),
            Input::Bytes { bytes, .. } => Ok(Box::new(*bytes)),
        }
    }
}

/// Why an import failed. Nothing was written unless the error says otherwise.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// A row is bad (file, line, column, value).
    #[error("{0}")]
    Row(#[from] ImportError),
    /// The input cannot be opened (or is not a regular file). The error names it.
    #[error("{1:#}")]
    Open(String, anyhow::Error),
    /// The ledger failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The log server failed or refused the events (`import --remote`).
    #[error(transparent)]
    Remote(#[from] actledger_http::serve::remote::RemoteError),
}

/// What an import did (or would do, with `--dry-run`).
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    /// Always `"import"`.
    #[serde(rename = "type")]
    pub kind_tag: &'static str,
    /// The file.
    pub file: String,
    /// The kind of file.
    pub kind: &'static str,
    /// Whether nothing was written on purpose.
    pub dry_run: bool,
    /// Facts newly recorded.
    pub new: usize,
    /// Rows whose fact is already recorded as is (skipped, never duplicated).
    pub unchanged: usize,
    /// Rows whose recorded fact differs: recorded as corrections of it.
    pub corrected: usize,
    /// Rows that are not facts the ledger holds, with the reason.
    pub skipped: Vec<SkippedRow>,
    /// Sequence numbers written (first, last).
    pub seqs: Option<(Seq, Seq)>,
}

/// A row not imported.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedRow {
    /// Its line.
    pub line: u64,
    /// Why.
    pub reason: String,
}

impl ImportSummary {
    /// One line for people.
    pub fn describe(&self) -> String {
        let verb = if self.dry_run {
            "would record"
        } else {
            "recorded"
        };
        let mut s = format!(
            "{}: {verb} {} new, {} corrected, {} already recorded (unchanged)",
            self.file, self.new, self.corrected, self.unchanged
        );
        if let Some((a, b)) = self.seqs {
            s.push_str(&format!(", seq {a}..{b}"));
        }
        if !self.skipped.is_empty() {
            s.push_str(&format!(", {} rows not imported", self.skipped.len()));
        }
        s
    }
}

/// The `Fact` variant index of a kind's facts (docs/FORMAT.md §2).
fn fact_variant(kind: Kind) -> u32 {
    use chain::variant;
    match kind {
        Kind::Supporters => variant::ADHERENCE_LETTER,
        Kind::Members => variant::COUNCIL_TERM,
        Kind::Vetoes => variant::DRAFT_TABLED,
        Kind::Votes => variant::COUNCIL_VOTE,
        Kind::Meetings => variant::ASSEMBLY_MEETING,
        Kind::Holidays => variant::HOLIDAY_CALENDAR,
    }
}

fn digest(f: &Fact) -> [u8; 16] {
    let bytes = actledger_core::encoding::encode(f).unwrap_or_default();
    let h = Sha256::digest(&bytes);
    let mut d = [0u8; 16];
    d.copy_from_slice(&h[..16]);
    d
}

/// The ledger's facts of one kind, with corrections applied, by import key: the seq of the
/// fact and a digest of its effective content. Only events of that kind are decoded.
pub(super) fn existing(
    ledger: &(dyn actledger_store::LogReader + Sync),
    kind: Kind,
    opts: &mut ParseOptions,
) -> Result<HashMap<FactKey, (Seq, [u8; 16])>, IngestError> {
    let want = fact_variant(kind);
    let vetoes = fact_variant(Kind::Vetoes);
    // Events of other kinds are skipped by their variant bytes, without decoding; the
    // matching ones are decoded on all cores.
    let keep = move |bytes: &[u8]| match chain::peek_kind(bytes) {
        Some((_, Some(variant))) => {
            variant == want
                || (kind == Kind::Votes && variant == vetoes)
                || (kind == Kind::Vetoes && variant == chain::variant::TALLY_VOTE)
        }
        _ => false,
    };
    let mut by_seq: HashMap<Seq, (FactKey, [u8; 16])> = HashMap::new();
    actledger_store::for_each_event_where(
        ledger,
        0,
        Some(&keep),
        |seq, ev| -> Result<bool, IngestError> {
            let (target, fact) = match ev.unsigned.body {
                EventBody::Fact(f) => (Seq(seq), f),
                EventBody::Correction(c) => (c.target, c.replacement),
                _ => return Ok(true),
            };
            if let Fact::DraftTabled(d) = &fact {
                if let Some(m) = d.reported_vote.as_ref().and_then(|r| r.meeting.as_ref()) {
                    opts.meetings.insert(d.draft, m);
                }
                if kind == Kind::Votes {
                    // Read for their meeting records only.
                    return Ok(true);
                }
            }
            if let Some(key) = FactKey::of(&fact) {
                by_seq.insert(target, (key, digest(&fact)));
            }
            Ok(true)
        },
    )?;
    Ok(by_seq
        .into_iter()
        .map(|(seq, (k, d))| (k, (seq, d)))
        .collect())
}

/// What to record for a parsed fact: nothing (already recorded), a correction, or the fact.
pub(super) enum Decision {
    Unchanged,
    Correct(EventBody),
    New(EventBody),
}

pub(super) fn decide(
    existing: &HashMap<FactKey, (Seq, [u8; 16])>,
    name: &str,
    line: u64,
    fact: Fact,
) -> Decision {
    match FactKey::of(&fact).and_then(|k| existing.get(&k)) {
        Some((_, d)) if *d == digest(&fact) => Decision::Unchanged,
        Some((seq, _)) => Decision::Correct(EventBody::Correction(Correction {
            target: *seq,
            reason: Text::new(format!(
                "re-import of {name} line {line}: the row differs from the recorded fact"
            ))
            .unwrap_or_else(|_| Text::empty()),
            replacement: fact,
        })),
        None => Decision::New(EventBody::Fact(fact)),
    }
}

/// Imports `input` as `kind`, signed by `key`: see the module documentation. `progress` is
/// called with the number of events signed so far.
pub fn import_into(
    ledger: &mut Ledger,
    key: &SigningKey,
    kind: Kind,
    input: &Input,
    complete_years: &[u16],
    dry_run: bool,
    progress: impl FnMut(u64),
) -> Result<ImportSummary, IngestError> {
    let name = input.name();
    let mut opts = ParseOptions {
        complete_years: complete_years.to_vec(),
        ..ParseOptions::default()
    };
    let existing = existing(ledger, kind, &mut opts)?;
    let reader = input.open()?;
    let (mut new, mut corrected, mut unchanged) = (0usize, 0usize, 0usize);
    let mut skipped = Vec::new();
    let counts = (&mut new, &mut corrected, &mut unchanged, &mut skipped);
    let (existing, opts, name2) = (&existing, &opts, name.clone());
    let outcome = ledger.import_pipeline(
        key,
        dry_run,
        move |emit| -> Result<(), ImportError> {
            let (new, corrected, unchanged, skipped) = counts;
            parse_each(
                kind,
                &name2,
                reader,
                opts,
                |item| {
                    let body = match decide(existing, &name2, item.line, item.fact) {
                        Decision::Unchanged => {
                            *unchanged += 1;
                            return Ok(());
                        }
                        Decision::Correct(b) => {
                            *corrected += 1;
                            b
                        }
                        Decision::New(b) => {
                            *new += 1;
                            b
                        }
                    };
                    emit(body).map_err(|e| ImportError {
                        file: name2.clone(),
                        line: Some(item.line),
                        column: Some(kind.rule_column().to_string()),
                        value: Some(item.rule_value.clone()),
                        message: e.to_string(),
                    })
                },
                |Skipped { line, reason }| skipped.push(SkippedRow { line, reason }),
            )
        },
        progress,
    )?;
    let written = outcome?;
    let first = ledger.size()?;
    let seqs = match written {
        Some((a, b)) => Some((a.seq, b.seq)),
        None if dry_run && new + corrected > 0 => {
            Some((Seq(first), Seq(first + (new + corrected) as u64 - 1)))
        }
        None => None,
    };
    Ok(ImportSummary {
        kind_tag: "import",
        file: name,
        kind: kind.name(),
        dry_run,
        new,
        unchanged,
        corrected,
        skipped,
        seqs,
    })
}
