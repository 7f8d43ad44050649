//! `verify`: recompute everything from the stored bytes.

use anyhow::Result;

use super::Ctx;
use crate::{output, VerificationFailed};

pub fn run(ctx: &Ctx, json: bool, strict: bool) -> Result<()> {
    let ledger = ctx.open_read_only()?;
    let mode = if strict {
        actledger_store::SignatureMode::Strict
    } else {
        actledger_store::SignatureMode::Batch
    };
    let progress = crate::progress::Progress::new(ledger.size()?, "verify");
    let result = ledger.verify_with(mode, |n| progress.set(n))?;
    progress.finish();
    match result {
        Ok(s) => {
            if json {
                output::json(
                    &serde_json::json!({"type": "verify", "ok": true, "events": s.events, "head": s.head}),
                );
            } else {
                output::line(&format!(
                    "ok: {} events verified, head {}",
                    s.events, s.head
                ));
            }
            Ok(())
        }
        Err(e) => {
            if json {
                output::json(
                    &serde_json::json!({"type": "verify", "ok": false, "seq": e.seq, "error": e.kind.to_string()}),
                );
            }
            Err(VerificationFailed(format!("verification failed: {e}")).into())
        }
    }
}
