//! `import KIND FILE`: CSV rows to facts, all or nothing.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use actledger::import::{self, FactKey, ImportError, Item, Kind, ParseOptions, Skipped};
use actledger_core::chain;
use actledger_core::event::{Correction, EventBody, Fact};
use actledger_core::{Seq, SigningKey, Text};
use actledger_store::{Ledger, LogReader};
use anyhow::{Context, Result};
use serde::Serialize;

use super::Ctx;
use crate::cli::ImportArgs;
use crate::{keyfile, output};

/// What an import did (or would do, with `--dry-run`).
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    #[serde(rename = "type")]
    pub kind_tag: &'static str,
    pub file: String,
    pub kind: &'static str,
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

#[derive(Debug, Clone, Serialize)]
pub struct SkippedRow {
    pub line: u64,
    pub reason: String,
}

impl ImportSummary {
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

pub fn run(ctx: &Ctx, a: ImportArgs) -> Result<()> {
    let key = keyfile::read(&a.key)?;
    let (name, reader): (String, Box<dyn Read>) = if a.file == Path::new("-") {
        ("<stdin>".into(), Box::new(std::io::stdin().lock()))
    } else {
        let f = std::fs::File::open(&a.file)
            .with_context(|| format!("cannot open {}", a.file.display()))?;
        (a.file.display().to_string(), Box::new(f))
    };
    let mut ledger = ctx.open()?;
    let summary = import_into(
        &mut ledger,
        &key,
        a.kind,
        &name,
        reader,
        &a.complete_years,
        a.dry_run,
    )?;
    if a.json {
        output::json(&summary);
    } else {
        output::line(&summary.describe());
        for s in &summary.skipped {
            output::line(&format!("  line {}: not imported: {}", s.line, s.reason));
        }
    }
    Ok(())
}

/// The ledger's current facts by import key, with corrections applied.
pub fn effective_facts(ledger: &Ledger) -> Result<BTreeMap<FactKey, (Seq, Fact)>> {
    let mut by_seq: BTreeMap<Seq, Fact> = BTreeMap::new();
    for item in ledger.scan(0) {
        let (seq, bytes) = item?;
        let ev = chain::decode_event(&bytes)
            .with_context(|| format!("seq {seq}: run `actledger verify`"))?;
        match ev.unsigned.body {
            EventBody::Fact(f) => {
                by_seq.insert(Seq(seq), f);
            }
            EventBody::Correction(c) => {
                by_seq.insert(c.target, c.replacement);
            }
            _ => {}
        }
    }
    Ok(by_seq
        .into_iter()
        .filter_map(|(seq, f)| FactKey::of(&f).map(|k| (k, (seq, f))))
        .collect())
}

/// Parses, reconciles with the ledger, checks every resulting event against the rules, and
/// (unless `dry_run`) writes them all; on any error nothing is written.
pub fn import_into(
    ledger: &mut Ledger,
    key: &SigningKey,
    kind: Kind,
    name: &str,
    reader: impl Read,
    complete_years: &[u16],
    dry_run: bool,
) -> Result<ImportSummary> {
    let existing = effective_facts(ledger)?;
    let mut opts = ParseOptions {
        complete_years: complete_years.to_vec(),
        ..ParseOptions::default()
    };
    for (_, f) in existing.values() {
        if let Fact::DraftTabled(d) = f {
            if let Some(m) = d.reported_vote.as_ref().and_then(|r| r.meeting.clone()) {
                opts.meetings.insert(d.draft, m);
            }
        }
    }
    let parsed = import::parse(kind, name, reader, &opts)?;
    let mut bodies: Vec<(EventBody, &Item)> = Vec::new();
    let (mut unchanged, mut corrected) = (0, 0);
    for item in &parsed.items {
        let key = FactKey::of(&item.fact);
        match key.and_then(|k| existing.get(&k)) {
            Some((_, f)) if *f == item.fact => unchanged += 1,
            Some((seq, _)) => {
                corrected += 1;
                let reason = Text::new(format!(
                    "re-import of {name} line {}: the row differs from the recorded fact",
                    item.line
                ))
                .unwrap_or_else(|_| Text::empty());
                bodies.push((
                    EventBody::Correction(Correction {
                        target: *seq,
                        reason,
                        replacement: item.fact.clone(),
                    }),
                    item,
                ));
            }
            None => bodies.push((EventBody::Fact(item.fact.clone()), item)),
        }
    }
    let new = bodies.len() - corrected;
    let sealed = ledger
        .prepare(key, bodies.iter().map(|(b, _)| b.clone()))
        .map_err(|(i, e)| match bodies.get(i) {
            Some((_, item)) => anyhow::Error::new(ImportError {
                file: name.to_string(),
                line: Some(item.line),
                column: Some(kind.rule_column().to_string()),
                value: Some(item.rule_value.clone()),
                message: e.to_string(),
            }),
            None => anyhow::Error::new(e),
        })?;
    let seqs = match (sealed.first(), sealed.last()) {
        (Some(a), Some(b)) => Some((a.event.unsigned.seq, b.event.unsigned.seq)),
        _ => None,
    };
    if !dry_run && !sealed.is_empty() {
        ledger.commit(&sealed)?;
    }
    Ok(ImportSummary {
        kind_tag: "import",
        file: name.to_string(),
        kind: kind.name(),
        dry_run,
        new,
        unchanged,
        corrected,
        skipped: parsed
            .skipped
            .into_iter()
            .map(|Skipped { line, reason }| SkippedRow { line, reason })
            .collect(),
        seqs,
    })
}
