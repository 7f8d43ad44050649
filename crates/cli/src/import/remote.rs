//! `import --remote URL`: the same import, through an `actledger serve`, the key on this
//! machine. The log is read from the server (`GET /entries`) and verified here in full
//! (signatures, chain, rules; its last hash must be the server's head), so the file's rows are
//! reconciled with the recorded facts and checked against the rules exactly as a local import
//! does, and signed here. The events are then submitted as one batch (`POST /events/batch`),
//! which the server admits whole or not at all. If another writer appended meanwhile (`409`),
//! the whole import is planned again over the new head, a bounded number of times.

use actledger_core::chain;
use actledger_core::event::{UnsignedEvent, FORMAT_VERSION};
use actledger_core::verify::{Signatures, Verifier};
use actledger_core::{Seq, SigningKey, Timestamp};
use actledger_http::serve::remote::{RemoteError, RemoteLog};
use actledger_store::MemoryLog;

use super::ingest::{decide, existing, Decision, ImportSummary, IngestError, Input, SkippedRow};
use super::{parse_each, ImportError, Kind, ParseOptions, Skipped};

/// How many times an import is planned again after a `409`.
pub const MAX_TRIES: u32 = 8;

/// Imports `input` as `kind` through the server `log`, signed by `key`.
pub fn import_remote(
    log: &RemoteLog,
    key: &SigningKey,
    kind: Kind,
    input: &Input,
    complete_years: &[u16],
    dry_run: bool,
) -> Result<ImportSummary, IngestError> {
    let name = input.name();
    for _ in 0..MAX_TRIES {
        let head = log.head()?;
        let events = log.events(&head)?;
        let untrusted = |msg: String| {
            IngestError::Remote(RemoteError::Protocol(format!(
                "the log at {} does not verify: {msg}",
                log.url()
            )))
        };
        let mut v = Verifier::new(Signatures::Check);
        for bytes in &events {
            v.push(bytes).map_err(|e| untrusted(e.to_string()))?;
        }
        if v.head() != head.head {
            return Err(untrusted(format!(
                "its events end in {}, its head says {}",
                v.head(),
                head.head
            )));
        }
        let memory = MemoryLog::from_events(events);
        let mut opts = ParseOptions {
            complete_years: complete_years.to_vec(),
            ..ParseOptions::default()
        };
        let known = existing(&memory, kind, &mut opts)?;
        let now = Timestamp::now();
        let recorded_at = v.state().last_time().map_or(now, |t| t.max(now));
        let (mut new, mut corrected, mut unchanged) = (0usize, 0usize, 0usize);
        let mut skipped = Vec::new();
        let mut sealed = Vec::new();
        parse_each(
            kind,
            &name,
            input.open()?,
            &opts,
            |item| {
                let body = match decide(&known, &name, item.line, item.fact) {
                    Decision::Unchanged => {
                        unchanged += 1;
                        return Ok(());
                    }
                    Decision::Correct(b) => {
                        corrected += 1;
                        b
                    }
                    Decision::New(b) => {
                        new += 1;
                        b
                    }
                };
                let refused = |message: String| ImportError {
                    file: name.clone(),
                    line: Some(item.line),
                    column: Some(kind.rule_column().to_string()),
                    value: Some(item.rule_value.clone()),
                    message,
                };
                let unsigned = UnsignedEvent {
                    version: FORMAT_VERSION,
                    seq: Seq(v.len()),
                    prev: v.head(),
                    recorded_at,
                    author: key.public(),
                    body,
                };
                let s = chain::seal(unsigned, key)
                    .map_err(|e| refused(format!("cannot encode event: {e}")))?;
                v.push(&s.bytes)
                    .map_err(|e| refused(format!("rejected: {}", e.kind)))?;
                sealed.push(s);
                Ok(())
            },
            |Skipped { line, reason }| skipped.push(SkippedRow { line, reason }),
        )?;
        let summary = |seqs| ImportSummary {
            kind_tag: "import",
            file: name.clone(),
            kind: kind.name(),
            dry_run,
            new,
            unchanged,
            corrected,
            skipped: skipped.clone(),
            seqs,
        };
        let span = match (sealed.first(), sealed.last()) {
            (Some(a), Some(b)) => Some((a.event.unsigned.seq, b.event.unsigned.seq)),
            _ => None,
        };
        if dry_run || sealed.is_empty() {
            return Ok(summary(span));
        }
        if log.submit_sealed(&sealed)?.is_some() {
            return Ok(summary(span));
        }
    }
    Err(RemoteError::Busy(log.url().to_string()).into())
}
