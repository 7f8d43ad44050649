//! `--remote URL`: `record` through an `actledger serve`, the event signed on this machine
//! (see `actledger_http::serve::remote`).

use actledger_core::event::EventBody;
use actledger_core::SigningKey;
use actledger_http::serve::remote::RemoteLog;
use actledger_store::Appended;
use anyhow::Result;

use super::report_appended;

pub fn record(url: &str, key: &SigningKey, what: &str, body: &EventBody) -> Result<()> {
    let log = RemoteLog::new(url);
    let landed = log.append(key, body)?;
    report_appended(
        what,
        &Appended {
            seq: landed.seq,
            hash: landed.hash,
        },
    );
    Ok(())
}
