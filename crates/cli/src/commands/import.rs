//! `import KIND FILE`: CSV rows to facts, all or nothing (see `actledger::import::ingest`).

use std::io::Write;
use std::path::Path;

use actledger::import::ingest::{import_into, Input};
use anyhow::{Context, Result};

use super::Ctx;
use crate::cli::ImportArgs;
use crate::progress::Progress;
use crate::{keyfile, output};

pub fn run(ctx: &Ctx, a: ImportArgs) -> Result<()> {
    let key = keyfile::read(&a.key)?;
    // Standard input is read twice (check, then write): spool it to a private temp file.
    let spool;
    let input = if a.file == Path::new("-") {
        let mut f = tempfile::NamedTempFile::new()
            .context("cannot create a temporary file for standard input")?;
        std::io::copy(&mut std::io::stdin().lock(), &mut f)
            .context("cannot read standard input")?;
        f.flush()?;
        spool = f.into_temp_path();
        Input::File(spool.to_path_buf())
    } else {
        Input::File(a.file.clone())
    };
    let mut summary = if let Some(url) = &a.remote {
        let log = actledger_http::serve::remote::RemoteLog::new(url);
        actledger::import::remote::import_remote(
            &log,
            &key,
            a.kind,
            &input,
            &a.complete_years,
            a.dry_run,
        )?
    } else {
        let mut ledger = ctx.open()?;
        let progress = Progress::lazy("import");
        let summary = import_into(
            &mut ledger,
            &key,
            a.kind,
            &input,
            &a.complete_years,
            a.dry_run,
            |n| progress.set_of(n, 0),
        )?;
        progress.finish();
        summary
    };
    if a.file == Path::new("-") {
        summary.file = "<stdin>".into();
    }
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
