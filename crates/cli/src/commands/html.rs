//! `export html --out FILE.html`: verify the ledger, replay it (with the report commands'
//! cut-offs), check the latest checkpoint against the stored events, and write one
//! self-contained page (rendered by [`actledger::html`]).

use actledger::html::{self, Check, CheckpointInfo, CutEvent, Head, Page, SignatureLine};
use actledger_core::checkpoint::Checkpoint;
use actledger_core::log_checkpoint::{check_log_checkpoint, log_keys, LogCheckpointError};
use actledger_core::merkle::{leaf_hash, Frontier, Hash};
use actledger_core::note::{KeyKind, KeyName, Note, VerifierKey};
use actledger_core::projection::{self, Cutoff, Replay, View};
use actledger_core::rules::LedgerState;
use actledger_core::{chain, Date, EventBody, PublicKey, Seq};
use actledger_store::{Ledger, LogReader};
use anyhow::{Context, Result};
use base64::Engine as _;

use super::{reports, Ctx};

#[path = "html_summary.rs"]
mod summary;
use crate::cli::ExportHtmlArgs;
use crate::{output, VerificationFailed};

/// What one pass over the stored events gives.
struct Scanned {
    view: View,
    origin: String,
    description: String,
    /// The rule state after the first `n` events (the keys that may sign its checkpoint).
    rules: LedgerState,
    cut: Option<CutEvent>,
    last_recorded: Option<String>,
    /// Root of the first `n` events, for the checkpoint's `n`.
    root: Option<Hash>,
}

/// Decodes every stored event once: replays the cut view, and collects the genesis, the log
/// state after the first `root_size` events (its log keys), the hash at `--at-seq`, and the
/// Merkle root of the first `root_size` events.
fn scan(ledger: &Ledger, cutoff: Cutoff, root_size: Option<u64>) -> Result<Scanned> {
    let mut replay = Replay::new(cutoff);
    let mut origin = String::new();
    let mut description = String::new();
    let mut rules = LedgerState::new();
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
            rules
                .admit(&ev.unsigned)
                .map_err(|e| anyhow::anyhow!("seq {seq}: {e}; run `actledger verify`"))?;
        }
        if cutoff.at_seq == Some(Seq(seq)) {
            cut = Some(CutEvent {
                seq,
                hash: chain::event_hash(&bytes).to_string(),
            });
        }
        last_recorded = Some(ev.unsigned.recorded_at.to_rfc3339());
        if let EventBody::LedgerCreated(g) = &ev.unsigned.body {
            origin = g.origin.as_str().to_string();
            description = g.description.as_str().to_string();
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
        rules,
        cut,
        last_recorded,
        root,
    })
}

/// The latest checkpoint as the page shows it, checked against the ledger by the one rule
/// `verify` applies (`core::log_checkpoint`): origin, size, the root recomputed from the stored
/// events, and a signature by a key holding the `log` role, unrevoked, at that size.
/// `stored` is `(size, signed note)`; `root` is the recomputed root of the first `size` events
/// (`None` when the log is shorter); `rules` the rule state after them.
fn checkpoint_info(
    stored: Option<(u64, String)>,
    origin: &str,
    events: u64,
    rules: &LedgerState,
    root: Option<Hash>,
) -> Option<CheckpointInfo> {
    let (size, text) = stored?;
    let keys = log_keys(rules);
    let vkey = |pk: &PublicKey| {
        KeyName::new(origin)
            .ok()
            .and_then(|name| VerifierKey::new(name, KeyKind::Ed25519, *pk).ok())
            .map(|v| v.to_string())
    };
    let mut info = CheckpointInfo {
        note: text.clone(),
        origin: String::new(),
        size,
        root: String::new(),
        signatures: Vec::new(),
        verifier_keys: keys.iter().filter_map(vkey).collect(),
        checks: Vec::new(),
    };
    let check = |ok: bool, what: String| Check { ok, what };
    if let Ok(note) = Note::parse(&text) {
        info.signatures = note
            .signatures()
            .iter()
            .map(|s| SignatureLine {
                name: s.name.as_str().to_string(),
                key_id: s.key_id.to_string(),
                signature: base64::engine::general_purpose::STANDARD.encode(&s.signature),
            })
            .collect();
        if let Ok(body) = Checkpoint::from_note(&note) {
            info.origin = body.origin().to_string();
            info.size = body.size();
            info.root = body.root().to_base64();
        }
    }
    let Some(root) = root else {
        info.checks.push(check(
            false,
            format!("it covers {size} events but the ledger holds {events}"),
        ));
        return Some(info);
    };
    let origin_ok = check(
        true,
        format!("its origin is the ledger's origin ({origin})"),
    );
    let root_ok = check(
        true,
        format!(
            "its root hash was recomputed from the first {size} stored events (RFC 9162 Merkle tree) and matches; the ledger has {events} events"
        ),
    );
    match check_log_checkpoint(&text, origin, size, &root, rules) {
        Ok(c) => {
            info.checks.push(origin_ok);
            info.checks.push(root_ok);
            info.checks.push(check(
                true,
                format!(
                    "its signature verifies with log key {}, which held the log role, unrevoked, at size {size}",
                    c.signer
                ),
            ));
            // The key that verified first, so the page's commands use it.
            if let Some(s) = vkey(&c.signer) {
                info.verifier_keys.retain(|k| *k != s);
                info.verifier_keys.insert(0, s);
            }
        }
        Err(e) => {
            match e {
                LogCheckpointError::Origin { .. } => {}
                LogCheckpointError::Size { .. } | LogCheckpointError::Root { .. } => {
                    info.checks.push(origin_ok)
                }
                LogCheckpointError::NotSigned => {
                    info.checks.push(origin_ok);
                    info.checks.push(root_ok);
                }
                _ => {}
            }
            info.checks.push(check(false, e.to_string()));
        }
    }
    Some(info)
}

/// The day the Council table shows: the view's reference day, brought back within the
/// recorded terms when it falls after them.
fn council_day(view: &View) -> Option<Date> {
    let last = view.terms().values().flatten().map(|t| t.fact.to).max()?;
    Some(view.reference_date().map_or(last, |d| d.min(last)))
}

/// The folder beside `FILE.html` that holds a summarised page's full tables: `FILE.data`.
pub fn data_dir(out: &std::path::Path) -> std::path::PathBuf {
    out.with_extension("data")
}

pub fn run(ctx: &Ctx, a: ExportHtmlArgs) -> Result<()> {
    let dest = data_dir(&a.out);
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .context("--out: a file name is needed")?;
    let (text, page, staged) = render_with(
        &ctx.open_read_only()?,
        &a,
        Data::Beside {
            dest: &dest,
            href: &name,
        },
    )?;
    if let Some(staged) = staged {
        remove_previous(&dest)?;
        staged.commit()?;
    }
    actledger::fsutil::write_atomic(&a.out, text.as_bytes())?;
    output::line(&format!(
        "wrote {} ({} bytes{}): {} supporters, {} votes, {} findings, {}; ledger head {}",
        a.out.display(),
        text.len(),
        if page.summary.is_some() {
            format!("; summarised, the full tables in {}", dest.display())
        } else {
            String::new()
        },
        page.supporters.count,
        page.totals.votes,
        page.totals.findings,
        if page.checkpoint.is_some() {
            "with the latest checkpoint"
        } else {
            "no checkpoint yet (`actledger checkpoint --key LOGKEY`)"
        },
        page.head.hash
    ));
    Ok(())
}

/// The page of `ledger` (verified first) with `a`'s cut-offs, trust and calendar, as `serve`
/// answers `GET /` with: a summarised page links to the server's read API for its full
/// tables.
pub fn render(ledger: &Ledger, a: &ExportHtmlArgs) -> Result<(String, Page)> {
    let (text, page, _) = render_with(ledger, a, Data::Api)?;
    Ok((text, page))
}

/// Where a summarised page's full tables go.
pub enum Data<'a> {
    /// Files in a folder `dest` beside the page, linked as `href/NAME` (`export html`).
    Beside {
        dest: &'a std::path::Path,
        href: &'a str,
    },
    /// Nowhere: the page links to the server's read API (`serve`), which prints the same.
    Api,
}

/// Remove what an earlier export left in `dest` (only the files it writes), so the new folder
/// can take its place.
fn remove_previous(dest: &std::path::Path) -> Result<()> {
    match std::fs::symlink_metadata(dest) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("{}", dest.display())),
        Ok(m) if !m.is_dir() => {
            anyhow::bail!("{} exists and is not a folder", dest.display())
        }
        Ok(_) => {}
    }
    for f in summary::FILES {
        match std::fs::remove_file(dest.join(f)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("cannot remove {}", dest.join(f).display()))
            }
            _ => {}
        }
    }
    std::fs::remove_dir(dest).with_context(|| {
        format!(
            "cannot replace {}: it holds files an export did not write",
            dest.display()
        )
    })
}

/// [`render`], with the full tables of a summarised page written as `data` says; returns the
/// folder to commit beside the page, if one was written.
pub fn render_with(
    ledger: &Ledger,
    a: &ExportHtmlArgs,
    data: Data<'_>,
) -> Result<(String, Page, Option<actledger::fsutil::StagedDir>)> {
    let verified = match ledger.verify(|_| {})? {
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

    let checkpoint = checkpoint_info(stored, &s.origin, verified.events, &s.rules, s.root);
    // The rule state was needed only for the checkpoint's keys: not held while projecting.
    let Scanned {
        view,
        origin,
        description,
        rules,
        cut,
        last_recorded,
        ..
    } = s;
    drop(rules);
    let view = &view;
    let policy = reports::policy(&a.trust, view)?;
    let header = Page {
        origin,
        description,
        generator: format!("actledger {}", env!("CARGO_PKG_VERSION")),
        as_of: a.cutoff.as_of,
        at_seq: a.cutoff.at_seq,
        head: Head {
            events: verified.events,
            hash: verified.head.to_string(),
            last_recorded,
        },
        cut,
        checkpoint,
        supporters: projection::supporters(view),
        council: council_day(view).map(|d| projection::council_on(view, d)),
        outlook: council_day(view).map(|d| projection::outlook(view, d, None, &policy)),
        votes: projection::VoteList {
            basis: view.basis().clone(),
            votes: Vec::new(),
            tally_votes: Vec::new(),
        },
        compliance: projection::ComplianceReport {
            basis: view.basis().clone(),
            policy: policy.clone(),
            states: None,
            no_adherence: Vec::new(),
            counts: Default::default(),
            votes: Vec::new(),
        },
        veto_initiative: projection::veto_initiative(view, a.calendar.as_deref())?,
        totals: html::Totals::default(),
        summary: None,
    };
    if summary::needs_summary(view, &policy) {
        let (page, staged) = summary::summarised(view, &policy, header, data)?;
        let text = html::render(&page);
        return Ok((text, page, staged));
    }
    let mut page = header;
    page.votes = projection::vote_outcomes(view);
    page.compliance = projection::compliance(view, &policy, None);
    page.totals = html::Totals::of(&page.votes, &page.compliance, &page.veto_initiative);
    let text = html::render(&page);
    Ok((text, page, None))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use actledger_core::event::{KeyGranted, KeyRevoked, LedgerCreated, UnsignedEvent};
    use actledger_core::{EventHash, Origin, SigningKey, Text, Timestamp};

    /// The page re-checks its checkpoint with verify's rule: a checkpoint signed by a log key
    /// revoked before its size is refused (the page once accepted any key ever granted `log`).
    #[test]
    fn a_checkpoint_by_a_revoked_log_key_is_refused() {
        let admin = SigningKey::from_seed(&[1; 32]);
        let log = SigningKey::from_seed(&[2; 32]);
        let origin = "html.test/log";
        let bodies = [
            EventBody::LedgerCreated(LedgerCreated {
                origin: Origin::new(origin).unwrap(),
                admin: admin.public(),
                admin_holder: Text::new("admin").unwrap(),
                description: Text::empty(),
            }),
            EventBody::KeyGranted(KeyGranted {
                key: log.public(),
                role: actledger_core::Role::Log,
                holder: Text::new("log").unwrap(),
                note: Text::empty(),
            }),
            EventBody::KeyRevoked(KeyRevoked {
                key: log.public(),
                reason: Text::new("lost").unwrap(),
            }),
        ];
        let root = Hash([7; 32]);
        let note = Checkpoint::new(origin, 3, root)
            .unwrap()
            .sign(&KeyName::new(origin).unwrap(), &log)
            .unwrap()
            .to_string();
        let mut rules = LedgerState::new();
        let mut ok_before_revocation = None;
        for (i, body) in bodies.into_iter().enumerate() {
            if i == 2 {
                // Before the revocation the same signature is accepted: the test can fail.
                let info = checkpoint_info(Some((3, note.clone())), origin, 3, &rules, Some(root))
                    .unwrap();
                ok_before_revocation = Some(info.checks.iter().all(|c| c.ok));
            }
            rules
                .admit(&UnsignedEvent {
                    version: actledger_core::event::FORMAT_VERSION,
                    seq: Seq(i as u64),
                    prev: EventHash::ZERO,
                    recorded_at: Timestamp(1_700_000_000 + i as i64),
                    author: admin.public(),
                    body,
                })
                .unwrap();
        }
        assert_eq!(ok_before_revocation, Some(true));
        let info = checkpoint_info(Some((3, note)), origin, 3, &rules, Some(root)).unwrap();
        let last = info.checks.last().unwrap();
        assert!(!last.ok);
        assert!(
            last.what
                .contains("not signed by a key holding the log role"),
            "{}",
            last.what
        );
    }
}
