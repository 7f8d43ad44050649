//! One module per command group; `run` dispatches.

mod demo;
mod entries;
mod export;
mod facts;
mod html;
pub mod import;
mod keys;
pub mod log;
mod monitor;
mod outlook;
mod published;
mod remote;
mod reports;
mod serve;
mod transparency;
mod verify;
mod witness;

use std::path::{Path, PathBuf};
use std::time::Duration;

use actledger_core::event::LedgerCreated;
use actledger_core::{Origin, Text};
use actledger_store::{Appended, Ledger, OpenError, OpenOptions, StoreError};
use anyhow::{Context, Result};

use crate::cli::{Cli, Command};
use crate::{keyfile, output};

/// Global options every command may need.
pub struct Ctx {
    pub ledger: Option<PathBuf>,
    pub wait: Duration,
    /// The ledger as `serve` holds it: report commands read it there instead of opening it
    /// (the server renders its read API with the commands themselves).
    pub served: Option<std::sync::Arc<actledger_http::serve::LedgerLock>>,
}

impl Ctx {
    pub fn dir(&self) -> Result<&Path> {
        self.ledger
            .as_deref()
            .context("no ledger directory: pass --ledger DIR or set ACTLEDGER_DIR")
    }

    /// Runs `f` on the ledger: the served one (shared), or the one in `--ledger`, opened.
    pub fn reading<R>(&self, f: impl FnOnce(&Ledger) -> Result<R>) -> Result<R> {
        match &self.served {
            Some(l) => f(&l.read()),
            None => f(&self.open_read_only()?),
        }
    }

    /// Runs `f` on the ledger opened read-only (nothing migrated, every write refused), with
    /// the exclusive access that building its rule state needs; a served ledger under its
    /// write lock.
    pub fn inspecting<R>(&self, f: impl FnOnce(&mut Ledger) -> Result<R>) -> Result<R> {
        match &self.served {
            Some(l) => f(&mut l.write()),
            None => f(&mut self.open_read_only()?),
        }
    }

    /// Opens the ledger to write to it (and to migrate it from an earlier layout).
    pub fn open(&self) -> Result<Ledger> {
        self.open_with(false)
    }

    /// Opens the ledger for a command that only reads it: nothing is migrated, and every
    /// write is refused.
    pub fn open_read_only(&self) -> Result<Ledger> {
        self.open_with(true)
    }

    fn open_with(&self, read_only: bool) -> Result<Ledger> {
        let dir = self.dir()?;
        let opts = OpenOptions {
            wait: self.wait,
            read_only,
            ..OpenOptions::default()
        };
        Ledger::open(dir, &opts).map_err(|e| match &e {
            // A server holds it: its writes go through the server.
            StoreError::Open(OpenError::InUse { pid, .. }) => {
                match actledger_http::serve::served_by(dir, pid) {
                    Some(s) => anyhow::anyhow!(
                        "ledger {} is served by process {}: use --remote {}",
                        dir.display(),
                        s.pid,
                        s.url
                    ),
                    None => e.into(),
                }
            }
            _ => e.into(),
        })
    }
}

pub fn run(cli: Cli) -> Result<()> {
    let ctx = Ctx {
        ledger: cli.ledger,
        wait: Duration::from_secs(cli.wait.min(crate::cli::MAX_WAIT_SECS)),
        served: None,
    };
    dispatch(&ctx, cli.command)
}

/// Runs one command with `ctx`.
pub fn dispatch(ctx: &Ctx, command: Command) -> Result<()> {
    match command {
        Command::Key(k) => keys::run(ctx, k),
        Command::Init(a) => init(ctx, a),
        Command::Record(a) => facts::record(ctx, a),
        Command::Log(a) => log::run(ctx, a),
        Command::Verify(a) => verify::run(ctx, a.json, a.strict),
        Command::Supporters(a) => reports::supporters(ctx, a),
        Command::Council(a) => reports::council(ctx, a),
        Command::Outlook(a) => outlook::outlook(ctx, a),
        Command::Votes(a) => reports::votes(ctx, a),
        Command::Compliance(a) => reports::compliance(ctx, a),
        Command::VetoInitiative(a) => reports::veto_initiative(ctx, a),
        Command::Scorecard(a) => reports::scorecard(ctx, a),
        Command::Checkpoint(a) => transparency::checkpoint(ctx, a),
        Command::Prove(a) => transparency::prove(ctx, a),
        Command::Consistency(a) => transparency::consistency(ctx, a),
        Command::VerifyProof(a) => transparency::verify_proof(a),
        Command::VerifyConsistency(a) => transparency::verify_consistency(a),
        Command::Witness(w) => witness::run(w),
        Command::Monitor(a) => monitor::run(a),
        Command::VerifyEvidence(a) => monitor::verify_evidence(a),
        Command::Export(crate::cli::ExportCmd::Snapshot(a)) => export::export_snapshot(ctx, a),
        Command::Export(crate::cli::ExportCmd::Tiles(a)) => export::export_tiles(ctx, a),
        Command::Export(crate::cli::ExportCmd::Html(a)) => html::run(ctx, a),
        Command::VerifySnapshot(a) => export::verify_snapshot(a),
        Command::Import(a) => import::run(ctx, a),
        Command::Demo(a) => demo::run(ctx, a),
        Command::Serve(a) => serve::run(ctx, a),
    }
}

/// Converts free text from a flag, naming the flag in the error.
pub fn text(flag: &str, value: &str) -> Result<Text> {
    Text::new(value).with_context(|| format!("--{flag}"))
}

pub fn report_appended(what: &str, a: &Appended) {
    output::line(&format!("recorded seq {} ({what}), hash {}", a.seq, a.hash));
}

fn init(ctx: &Ctx, a: crate::cli::InitArgs) -> Result<()> {
    let dir = ctx.dir()?;
    let origin = Origin::new(a.origin.as_str()).context("--origin")?;
    let admin = keyfile::read(&a.admin_key)?;
    let genesis = LedgerCreated {
        origin,
        admin: admin.public(),
        admin_holder: text("holder", &a.holder)?,
        description: text("description", &a.description)?,
    };
    let (_ledger, appended) = Ledger::create(dir, &admin, genesis)?;
    output::line(&format!(
        "created ledger {} (origin {}), genesis hash {}",
        dir.display(),
        a.origin,
        appended.hash
    ));
    Ok(())
}

/// Decodes the stored events in order and replays them into a projection view.
pub fn load_view(
    ledger: &Ledger,
    cutoff: actledger_core::projection::Cutoff,
) -> Result<actledger_core::projection::View> {
    view_of(ledger, cutoff, None)
}

/// A view with only the facts of `kinds` (and their corrections): the other events are
/// skipped without being decoded, so a command that needs, say, only adherence letters does
/// not pay for a million votes.
pub fn load_view_of(
    ledger: &Ledger,
    cutoff: actledger_core::projection::Cutoff,
    kinds: &[u32],
) -> Result<actledger_core::projection::View> {
    view_of(ledger, cutoff, Some(kinds))
}

fn view_of(
    ledger: &Ledger,
    cutoff: actledger_core::projection::Cutoff,
    kinds: Option<&[u32]>,
) -> Result<actledger_core::projection::View> {
    let progress = crate::progress::Progress::new(ledger.size()?, "replay");
    let view = actledger_store::replay_view(ledger, cutoff, kinds, |seq| progress.set(seq))?;
    progress.finish();
    Ok(view)
}

/// The kebab-case name serde gives a unit enum value.
pub fn kebab<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}
