//! `serve`: the ledger over HTTP (see `actledger_http::serve` and docs/SERVING.md). The read
//! API and the page are rendered by the commands themselves ([`CliPages`]): `GET
//! /api/supporters?as_of=2020-01-01` runs `supporters --json --as-of 2020-01-01` on the served
//! ledger and answers with what it prints; `GET /` is `export html`'s page.

use std::sync::Arc;
use std::time::Duration;

use actledger_http::serve::{self, Config, LedgerLock, PageError, Pages, Query};
use anyhow::{bail, Result};
use clap::Parser;

use super::Ctx;
use crate::cli::{Cli, CutoffArgs, ExportHtmlArgs, ServeArgs};
use crate::{keyfile, output};

pub fn run(ctx: &Ctx, a: ServeArgs) -> Result<()> {
    if a.header_timeout == 0 || a.request_timeout == 0 || a.max_connections == 0 {
        bail!("--header-timeout, --request-timeout and --max-connections must be at least 1");
    }
    let mut config = Config::new(a.listen);
    config.log_key = a.log_key.as_deref().map(keyfile::read).transpose()?;
    if !a.witnesses.is_empty() {
        config.witnesses = super::witness::endpoints(&a.witnesses)?;
        config.quorum = Some(actledger_core::quorum::Quorum::new(
            config.witnesses.iter().map(|w| w.1.clone()).collect(),
            a.quorum,
        )?);
    }
    config.header_timeout = Duration::from_secs(a.header_timeout);
    config.request_timeout = Duration::from_secs(a.request_timeout);
    config.max_connections = a.max_connections;
    let ledger = ctx.open()?;
    let dir = ledger.dir().display().to_string();
    serve::run(ledger, config, Arc::new(CliPages), |addr| {
        output::line(&format!("serving {dir} on http://{addr}"));
        output::flush();
    })?;
    Ok(())
}

/// The reports of the read API: name, the command line it runs, and the query parameters it
/// takes (each becomes the flag of the same name, `_` as `-`). Nothing that names a file on
/// the server is reachable.
const REPORTS: &[(&str, &[&str], &[&str])] = &[
    (
        "supporters",
        &["supporters"],
        &["as_of", "at_seq", "recorded_by"],
    ),
    (
        "council",
        &["council"],
        &["on", "as_of", "at_seq", "recorded_by"],
    ),
    (
        "outlook",
        &["outlook"],
        &["on", "draft", "trust", "as_of", "at_seq", "recorded_by"],
    ),
    (
        "votes",
        &["votes"],
        &["vetoed", "as_of", "at_seq", "recorded_by"],
    ),
    (
        "compliance",
        &["compliance"],
        &["state", "trust", "all", "as_of", "at_seq", "recorded_by"],
    ),
    (
        "veto-initiative",
        &["veto-initiative"],
        &["calendar", "as_of", "at_seq", "recorded_by"],
    ),
    (
        "scorecard",
        &["scorecard"],
        &["states", "trust", "as_of", "at_seq", "recorded_by"],
    ),
    ("events", &["log"], &["from", "limit"]),
    ("keys", &["key", "list"], &[]),
];

/// The CLI's renderers for the server.
pub struct CliPages;

impl CliPages {
    /// The command line `GET /api/<name>?<query>` runs, or `None` for an unknown report.
    pub fn argv(name: &str, query: &Query) -> Result<Option<Vec<String>>, PageError> {
        let Some((_, command, allowed)) = REPORTS.iter().find(|(n, _, _)| *n == name) else {
            return Ok(None);
        };
        let mut argv: Vec<String> = std::iter::once("actledger")
            .chain(command.iter().copied())
            .chain(["--json"])
            .map(str::to_string)
            .collect();
        for (k, v) in query {
            if !allowed.contains(&k.as_str()) {
                return Err(PageError::BadQuery(format!(
                    "{name} takes no parameter {:?} (it takes: {})",
                    k.chars().take(60).collect::<String>(),
                    if allowed.is_empty() {
                        "none".to_string()
                    } else {
                        allowed.join(", ")
                    }
                )));
            }
            match v.as_str() {
                // A switch: `?all` or `?all=true`; `?all=false` leaves it off.
                "false" => {}
                "" | "true" => argv.push(format!("--{}", k.replace('_', "-"))),
                // One argument, so a value can never be read as another flag.
                _ => argv.push(format!("--{}={v}", k.replace('_', "-"))),
            }
        }
        Ok(Some(argv))
    }
}

fn served_ctx(ledger: &Arc<LedgerLock>) -> Ctx {
    Ctx {
        ledger: None,
        wait: Duration::ZERO,
        served: Some(ledger.clone()),
    }
}

impl Pages for CliPages {
    fn report(
        &self,
        ledger: &Arc<LedgerLock>,
        name: &str,
        query: &Query,
    ) -> Result<Option<Vec<u8>>, PageError> {
        let Some(argv) = Self::argv(name, query)? else {
            return Ok(None);
        };
        let cli = Cli::try_parse_from(&argv).map_err(|e| {
            // clap's message up to its usage line, on one line.
            let text = e.to_string();
            let msg: Vec<&str> = text
                .lines()
                .take_while(|l| !l.starts_with("Usage:"))
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            PageError::BadQuery(msg.join(" ").trim_start_matches("error: ").to_string())
        })?;
        let ctx = served_ctx(ledger);
        let (result, out) = output::capture(|| super::dispatch(&ctx, cli.command));
        match result {
            Ok(()) => Ok(Some(out)),
            Err(e) if e.downcast_ref::<crate::VerificationFailed>().is_some() => {
                Err(PageError::Failed(format!("{e:#}")))
            }
            Err(e) => Err(PageError::BadQuery(format!("{e:#}"))),
        }
    }

    fn html(&self, ledger: &Arc<LedgerLock>) -> Result<String, PageError> {
        let a = ExportHtmlArgs {
            out: std::path::PathBuf::new(),
            calendar: None,
            trust: Vec::new(),
            cutoff: CutoffArgs {
                as_of: None,
                at_seq: None,
                recorded_by: None,
            },
        };
        super::html::render(&ledger.read(), &a)
            .map(|(text, _)| text)
            .map_err(|e| PageError::Failed(format!("{e:#}")))
    }
}
