//! `serve`: the ledger over HTTP (see `actledger_http::serve` and docs/SERVING.md).

use std::sync::Arc;
use std::time::Duration;

use actledger_http::serve::{self, Config};
use anyhow::{bail, Result};

use super::Ctx;
use crate::cli::ServeArgs;
use crate::{keyfile, output};

pub fn run(ctx: &Ctx, a: ServeArgs) -> Result<()> {
    if a.header_timeout == 0 || a.request_timeout == 0 || a.max_connections == 0 {
        bail!("--header-timeout, --request-timeout and --max-connections must be at least 1");
    }
    let mut config = Config::new(a.listen);
    config.log_key = a.log_key.as_deref().map(keyfile::read).transpose()?;
    config.header_timeout = Duration::from_secs(a.header_timeout);
    config.request_timeout = Duration::from_secs(a.request_timeout);
    config.max_connections = a.max_connections;
    let ledger = ctx.open()?;
    let dir = ledger.dir().display().to_string();
    serve::run(ledger, config, Arc::new(serve::NoPages), |addr| {
        output::line(&format!("serving {dir} on http://{addr}"));
        output::flush();
    })?;
    Ok(())
}
