//! `monitor` (follow a published log, verifying every event) and `verify-evidence` (re-check
//! what it found, offline). The logic is in `actledger_http::monitor` and
//! `actledger_core::evidence`; this maps it to output and exit codes.

use std::time::Duration;

use actledger_core::evidence::Evidence;
use actledger_http::monitor::{Monitor, MonitorConfig, MonitorError};
use anyhow::{Context, Result};

use super::transparency::read_vkey;
use crate::cli::{MonitorArgs, VerifyEvidenceArgs};
use crate::{output, VerificationFailed};

fn map(e: MonitorError) -> anyhow::Error {
    match e {
        MonitorError::NoQuorum(_) | MonitorError::Misbehaviour { .. } => {
            VerificationFailed(e.to_string()).into()
        }
        other => anyhow::Error::from(other),
    }
}

pub fn run(a: MonitorArgs) -> Result<()> {
    let vkey = read_vkey(&a.vkey)?;
    let quorum = super::witness::policy(&a.witnesses)?;
    if !(a.url.starts_with("http://") || a.url.starts_with("https://")) {
        anyhow::bail!(
            "monitor URL {:?} must start with http:// or https://",
            a.url.chars().take(120).collect::<String>()
        );
    }
    let mut m = Monitor::open(MonitorConfig {
        url: a.url.clone(),
        vkey,
        quorum,
        dir: a.state.clone(),
        timeout: Duration::from_secs(a.timeout.max(1)),
        window: a.window,
    })
    .map_err(map)?;
    loop {
        let p = m.poll().map_err(map)?;
        if a.json {
            output::json(&serde_json::json!({
                "type": "monitor", "ok": true, "size": p.size, "root": p.root,
                "new_events": p.new_events,
            }));
        } else {
            output::line(&format!(
                "ok: {} at size {} (root {}), {} new events verified",
                a.url, p.size, p.root, p.new_events
            ));
        }
        output::flush();
        match a.interval {
            Some(secs) if !a.once => {
                // At least 50 ms between polls, so --interval 0 is no request storm.
                std::thread::sleep(Duration::from_secs(secs).max(Duration::from_millis(50)));
            }
            _ => return Ok(()),
        }
    }
}

pub fn verify_evidence(a: VerifyEvidenceArgs) -> Result<()> {
    let vkey = read_vkey(&a.vkey)?;
    let bytes = actledger_http::monitor::read_evidence(&a.file)
        .with_context(|| format!("cannot read evidence file {}", a.file.display()))?;
    let ev = Evidence::from_json(&bytes).with_context(|| a.file.display().to_string())?;
    let confirmed = ev
        .check(&vkey, |entries| {
            actledger_http::monitor::verify_entries(entries)
        })
        .map_err(|e| VerificationFailed(format!("{}: {e}", a.file.display())))?;
    if a.json {
        output::json(&serde_json::json!({
            "type": "evidence", "ok": true, "kind": ev.kind, "origin": ev.origin,
            "url": ev.url, "confirmed": confirmed,
        }));
    } else {
        output::line(&format!("confirmed: {confirmed}"));
    }
    Ok(())
}
