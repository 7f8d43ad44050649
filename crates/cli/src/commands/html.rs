//! `export html --out FILE.html`: verify the ledger, replay it (with the report commands'
//! cut-offs), check the latest checkpoint against the stored events, and write one
//! self-contained page (rendered by [`actledger::html`]).

use actledger::html::{self, Check, CheckpointInfo, CutEvent, Head, Page, SignatureLine};
use actledger_core::checkpoint::Checkpoint;
use actledger_core::merkle::{leaf_hash, Frontier, Hash};
use actledger_core::note::{KeyKind, KeyName, Note, VerifierKey};
use actledger_core::projection::{self, Cutoff, Replay, View};
use actledger_core::{chain, Date, EventBody, PublicKey, Role, Seq};
use actledger_store::{Ledger, LogReader};
use anyhow::{Context, Result};
use base64::Engine as _;

use super::{reports, Ctx};
use crate::cli::ExportHtmlArgs;
use crate::{output, VerificationFailed};

/// A key that held the `log` role: it signs checkpoints.
struct LogKey {
    key: PublicKey,
    granted: Seq,
}

/// What one pass over the stored events gives.
struct Scanned {
    view: View,
    origin: String,
    description: String,
    log_keys: Vec<LogKey>,
    cut: Option<CutEvent>,
    last_recorded: Option<String>,
    /// Root of the first `n` events, for the checkpoint's `n`.
    root: Option<Hash>,
}

/// Decodes every stored event once: replays the cut view, and collects the genesis, the log
/// keys, the hash at `--at-seq`, and the Merkle root of the first `root_size` events.
fn scan(ledger: &Ledger, cutoff: Cutoff, root_size: Option<u64>) -> Result<Scanned> {
    let mut replay = Replay::new(cutoff);
    let mut origin = String::new();
    let mut description = String::new();
    let mut log_keys = Vec::new();
    let mut cut = None;
    let mut last_recorded = None;
    let mut frontier = Frontier::new();
    for item in ledger.scan(0) {
        let (seq, bytes) = item?;
        let ev = chain::decode_event(&bytes)
            .with_context(|| format!("seq {seq}: run `actledger verify`"))?;
        if root_size.is_some_and(|n| seq < n) {
            frontier
                .append(leaf_hash(&bytes))
                .map_err(|e| anyhow::anyhow!("seq {seq}: Merkle tree: {e}"))?;
        }
        if cutoff.at_seq == Some(Seq(seq)) {
            cut = Some(CutEvent {
                seq,
                hash: chain::event_hash(&bytes).to_string(),
            });
        }
        last_recorded = Some(ev.unsigned.recorded_at.to_rfc3339());
        match &ev.unsigned.body {
            EventBody::LedgerCreated(g) => {
                origin = g.origin.as_str().to_string();
                description = g.description.as_str().to_string();
            }
            EventBody::KeyGranted(k) if k.role == Role::Log => log_keys.push(LogKey {
                key: k.key,
                granted: Seq(seq),
            }),
            _ => {}
        }
        if !replay.is_done() {
            replay.push(Seq(seq), ev);
        }
    }
    let root = root_size.and_then(|n| (frontier.size() == n).then(|| frontier.root()));
    Ok(Scanned {
        view: replay.finish(),
        origin,
        description,
        log_keys,
        cut,
        last_recorded,
        root,
    })
}

/// The latest checkpoint as the page shows it, checked against the ledger: origin, size,
/// the root recomputed from the stored events, and the signature under the ledger's log keys.
/// `stored` is `(size, signed note)`; `root` is the recomputed root of the first `size` events
/// (`None` when the log is shorter).
fn checkpoint_info(
    stored: Option<(u64, String)>,
    origin: &str,
    events: u64,
    log_keys: &[LogKey],
    root: Option<Hash>,
) -> Option<CheckpointInfo> {
    let (size, text) = stored?;
    let vkeys: Vec<(VerifierKey, Seq)> = KeyName::new(origin)
        .ok()
        .map(|name| {
            log_keys
                .iter()
                .filter_map(|k| {
                    VerifierKey::new(name.clone(), KeyKind::Ed25519, k.key)
                        .ok()
                        .map(|v| (v, k.granted))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut info = CheckpointInfo {
        note: text.clone(),
        origin: String::new(),
        size,
        root: String::new(),
        signatures: Vec::new(),
        verifier_keys: vkeys.iter().map(|(v, _)| v.to_string()).collect(),
        checks: Vec::new(),
    };
    let check = |ok: bool, what: String| Check { ok, what };
    let note = match Note::parse(&text) {
        Ok(n) => n,
        Err(e) => {
            info.checks
                .push(check(false, format!("the stored note does not parse: {e}")));
            return Some(info);
        }
    };
    info.signatures = note
        .signatures()
        .iter()
        .map(|s| SignatureLine {
            name: s.name.as_str().to_string(),
            key_id: s.key_id.to_string(),
            signature: base64::engine::general_purpose::STANDARD.encode(&s.signature),
        })
        .collect();
    let body = match Checkpoint::from_note(&note) {
        Ok(b) => b,
        Err(e) => {
            info.checks
                .push(check(false, format!("the note is not a checkpoint: {e}")));
            return Some(info);
        }
    };
    info.origin = body.origin().to_string();
    info.size = body.size();
    info.root = body.root().to_base64();
    info.checks.push(check(
        body.origin() == origin,
        format!(
            "its origin is the ledger's origin ({origin}){}",
            if body.origin() == origin {
                String::new()
            } else {
                format!(": it says {}", body.origin())
            }
        ),
    ));
    info.checks.push(match root {
        Some(r) if body.size() == size && r == *body.root() => check(
            true,
            format!(
                "its root hash was recomputed from the first {size} stored events (RFC 9162 Merkle tree) and matches; the ledger has {events} events"
            ),
        ),
        Some(r) => check(
            false,
            format!(
                "the root recomputed from the first {size} stored events is {} and does not match",
                r.to_base64()
            ),
        ),
        None => check(
            false,
            format!("it covers {size} events but the ledger holds {events}"),
        ),
    });
    let verified = vkeys.iter().find(|(v, _)| note.verify(v).is_ok());
    info.checks.push(match verified {
        Some((_, granted)) => check(
            true,
            format!("its signature verifies with the log key granted at event {granted}"),
        ),
        None if vkeys.is_empty() => check(
            false,
            "the ledger grants no log key, so the signature cannot be checked".to_string(),
        ),
        None => check(
            false,
            "no log key of the ledger verifies its signature".to_string(),
        ),
    });
    if let Some((v, _)) = verified {
        // The key that verified first, so the page's commands use it.
        let s = v.to_string();
        info.verifier_keys.retain(|k| *k != s);
        info.verifier_keys.insert(0, s);
    }
    Some(info)
}

/// The day the Council table shows: the view's reference day, brought back within the
/// recorded terms when it falls after them.
fn council_day(view: &View) -> Option<Date> {
    let last = view.terms().values().flatten().map(|t| t.fact.to).max()?;
    Some(view.reference_date().map_or(last, |d| d.min(last)))
}

pub fn run(ctx: &Ctx, a: ExportHtmlArgs) -> Result<()> {
    let (text, page) = render(&ctx.open()?, &a)?;
    actledger::fsutil::write_atomic(&a.out, text.as_bytes())?;
    output::line(&format!(
        "wrote {} ({} bytes): {} supporters, {} votes, {} findings, {}; ledger head {}",
        a.out.display(),
        text.len(),
        page.supporters.count,
        page.votes.votes.len(),
        page.compliance.findings().count(),
        if page.checkpoint.is_some() {
            "with the latest checkpoint"
        } else {
            "no checkpoint yet (`actledger checkpoint --key LOGKEY`)"
        },
        page.head.hash
    ));
    Ok(())
}

/// The page of `ledger` (verified first) with `a`'s cut-offs, trust and calendar: what
/// `export html` writes and `serve` answers `GET /` with.
pub fn render(ledger: &Ledger, a: &ExportHtmlArgs) -> Result<(String, Page)> {
    let summary = match ledger.verify(|_| {})? {
        Ok(s) => s,
        Err(e) => {
            return Err(VerificationFailed(format!(
                "verification failed: {e}; no page written (a page must not vouch for a ledger that does not verify)"
            ))
            .into())
        }
    };
    let cutoff = super::reports::cutoff(ledger, &a.cutoff)?;
    let stored = ledger.latest_checkpoint()?.map(|c| (c.size, c.note));
    let s = scan(ledger, cutoff, stored.as_ref().map(|(n, _)| *n))?;

    let view = &s.view;
    let policy = reports::policy(&a.trust, view)?;
    let page = Page {
        origin: s.origin.clone(),
        description: s.description.clone(),
        generator: format!("actledger {}", env!("CARGO_PKG_VERSION")),
        as_of: a.cutoff.as_of,
        at_seq: a.cutoff.at_seq,
        head: Head {
            events: summary.events,
            hash: summary.head.to_string(),
            last_recorded: s.last_recorded.clone(),
        },
        cut: s.cut.clone(),
        checkpoint: checkpoint_info(stored, &s.origin, summary.events, &s.log_keys, s.root),
        supporters: projection::supporters(view),
        council: council_day(view).map(|d| projection::council_on(view, d)),
        votes: projection::vote_outcomes(view),
        compliance: projection::compliance(view, &policy, None),
        veto_initiative: projection::veto_initiative(view, a.calendar.as_deref())?,
    };
    let text = html::render(&page);
    Ok((text, page))
}
