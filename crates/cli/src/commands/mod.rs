//! One module per command group; `run` dispatches.

mod facts;
pub mod import;
mod keys;
mod log;
mod supporters;
mod verify;

use std::path::{Path, PathBuf};
use std::time::Duration;

use actledger_core::event::LedgerCreated;
use actledger_core::{Origin, Text};
use actledger_store::{Appended, Ledger, OpenOptions};
use anyhow::{Context, Result};

use crate::cli::{Cli, Command};
use crate::{keyfile, output};

/// Global options every command may need.
pub struct Ctx {
    pub ledger: Option<PathBuf>,
    pub wait: Duration,
}

impl Ctx {
    pub fn dir(&self) -> Result<&Path> {
        self.ledger
            .as_deref()
            .context("no ledger directory: pass --ledger DIR or set ACTLEDGER_DIR")
    }

    pub fn open(&self) -> Result<Ledger> {
        let dir = self.dir()?;
        let opts = OpenOptions {
            wait: self.wait,
            ..OpenOptions::default()
        };
        Ledger::open(dir, &opts).map_err(anyhow::Error::from)
    }
}

pub fn run(cli: Cli) -> Result<()> {
    let ctx = Ctx {
        ledger: cli.ledger,
        wait: Duration::from_secs(cli.wait),
    };
    match cli.command {
        Command::Key(k) => keys::run(&ctx, k),
        Command::Init(a) => init(&ctx, a),
        Command::Record(a) => facts::record(&ctx, a),
        Command::Log(a) => log::run(&ctx, a),
        Command::Verify(a) => verify::run(&ctx, a.json),
        Command::Supporters(a) => supporters::run(&ctx, a),
        Command::Import(a) => import::run(&ctx, a),
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
