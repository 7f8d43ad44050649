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
    // The pause between polls: none after a poll that verified new events (a log that grew
    // may go on growing, and a server cannot fake growth: each such poll verified a larger
    // signed checkpoint); after one that found nothing, 5 ms, doubling up to the interval
    // (at least 50 ms, so --interval 0 is no request storm: 20 polls a second at most while
    // nothing changes).
    let longest = a
        .interval
        .map(|secs| Duration::from_secs(secs).max(MIN_INTERVAL));
    let mut pause = Duration::ZERO;
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
        match longest {
            Some(longest) if !a.once => {
                pause = next_pause(pause, p.new_events > 0, longest);
                std::thread::sleep(pause);
            }
            _ => return Ok(()),
        }
    }
}

/// The shortest longest pause between polls (`--interval 0`).
const MIN_INTERVAL: Duration = Duration::from_millis(50);

/// The first pause after a poll that found nothing new.
const FIRST_PAUSE: Duration = Duration::from_millis(5);

/// The pause after a poll: none if it found new events, else double the last (from
/// [`FIRST_PAUSE`]), at most `longest`.
fn next_pause(last: Duration, grew: bool, longest: Duration) -> Duration {
    if grew {
        Duration::ZERO
    } else {
        last.saturating_mul(2).max(FIRST_PAUSE).min(longest)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_while_nothing_changes_and_vanish_after_growth() {
        let longest = Duration::from_millis(50);
        let mut p = Duration::ZERO;
        let mut seen = Vec::new();
        for _ in 0..6 {
            p = next_pause(p, false, longest);
            seen.push(p.as_millis());
        }
        assert_eq!(seen, [5, 10, 20, 40, 50, 50]);
        assert_eq!(next_pause(p, true, longest), Duration::ZERO);
        assert_eq!(next_pause(Duration::ZERO, false, longest), FIRST_PAUSE);
        // An interval shorter than the first pause is the longest.
        let short = Duration::from_millis(2);
        assert_eq!(next_pause(Duration::ZERO, false, short), short);
    }
}
