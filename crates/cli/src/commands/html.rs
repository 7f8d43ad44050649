//! `export html --out FILE.html`: replay the ledger (with the report commands' cut-offs) and
//! derive the page, verify the ledger (noting the latest checkpoint's keys and root on the
//! way), check the checkpoint against the stored events, and write one self-contained page
//! (rendered by [`actledger::html`]) only if verify passed.

use actledger::html::{self, Check, CheckpointInfo, CutEvent, Head, Page, SignatureLine};
use actledger_core::checkpoint::Checkpoint;
use actledger_core::event::Event;
use actledger_core::log_checkpoint::{check_log_checkpoint_by, LogCheckpointError};
use actledger_core::note::{KeyKind, KeyName, Note, VerifierKey};
use actledger_core::projection::veto_initiative::VetoInitiative;
use actledger_core::projection::{self, Cutoff, View};
use actledger_core::{chain, Date, EventBody, PublicKey, Seq};
use actledger_store::{AtSize, Ledger, LogReader, SignatureMode};
use anyhow::{Context, Result};
use base64::Engine as _;

use super::{reports, Ctx};

#[path = "html_summary.rs"]
mod summary;
use crate::cli::ExportHtmlArgs;
use crate::{output, VerificationFailed};

/// What the page shows of the stored events beside the view, read from the few events it
/// names (the view itself is replayed on all cores, and the checkpoint's keys and root come
/// from `verify`'s own pass: a second pass rebuilding the rule state on one thread held
/// ~80 MB more at 1M events and took longer than the replay).
struct Stored {
    origin: String,
    description: String,
    cut: Option<CutEvent>,
    last_recorded: Option<String>,
}

fn stored_facts(ledger: &Ledger, cutoff: Cutoff, events: u64) -> Result<Stored> {
    let read = |seq: u64| -> Result<Option<(Vec<u8>, Event)>> {
        let Some(bytes) = ledger.get(seq)? else {
            return Ok(None);
        };
        let ev = chain::decode_event(&bytes)
            .with_context(|| format!("seq {seq}: run `actledger verify`"))?;
        Ok(Some((bytes, ev)))
    };
    let (mut origin, mut description) = (String::new(), String::new());
    if let Some((_, ev)) = read(0)? {
        if let EventBody::LedgerCreated(g) = &ev.unsigned.body {
            origin = g.origin.as_str().to_string();
            description = g.description.as_str().to_string();
        }
    }
    let cut = match cutoff.at_seq {
        Some(Seq(n)) if n < events => read(n)?.map(|(bytes, _)| CutEvent {
            seq: n,
            hash: chain::event_hash(&bytes).to_string(),
        }),
        _ => None,
    };
    let last_recorded = match events.checked_sub(1) {
        Some(last) => read(last)?.map(|(_, ev)| ev.unsigned.recorded_at.to_rfc3339()),
        None => None,
    };
    Ok(Stored {
        origin,
        description,
        cut,
        last_recorded,
    })
}

/// The latest checkpoint as the page shows it, checked against the ledger by the one rule
/// `verify` applies (`core::log_checkpoint`): origin, size, the root recomputed from the stored
/// events, and a signature by a key holding the `log` role, unrevoked, at that size.
/// `stored` is `(size, signed note)`; `at` what `verify` saw after the first `size` events
/// (their log keys and recomputed root; `None` when the log is shorter).
fn checkpoint_info(
    stored: Option<(u64, String)>,
    origin: &str,
    events: u64,
    at: Option<&AtSize>,
) -> Option<CheckpointInfo> {
    let (size, text) = stored?;
    let keys: &[PublicKey] = at.map_or(&[], |a| a.log_keys.as_slice());
    let root = at.map(|a| a.root);
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
    match check_log_checkpoint_by(&text, origin, size, &root, keys) {
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
///
/// The report is derived first and the ledger verified after, with the view dropped between:
/// verify's rule state and the view never share the memory (at 1M events the page held
/// ~340 MB when the view was replayed after verify's small allocations had been freed and
/// not reused). Nothing is put in place before verify passes: the full tables go into a
/// staged folder that the caller commits, and the page is rendered after it. A ledger that
/// does not replay is reported as verify reports it.
pub fn render_with(
    ledger: &Ledger,
    a: &ExportHtmlArgs,
    data: Data<'_>,
) -> Result<(String, Page, Option<actledger::fsutil::StagedDir>)> {
    let stored = ledger.latest_checkpoint()?.map(|c| (c.size, c.note));
    let size = stored.as_ref().map(|(n, _)| *n);
    let verify = || -> Result<(actledger_store::VerifySummary, Option<AtSize>)> {
        match ledger.verify_noting(SignatureMode::default(), size, |_| {})? {
            Ok(s) => Ok(s),
            Err(e) => Err(VerificationFailed(format!(
                "verification failed: {e}; no page written (a page must not vouch for a ledger that does not verify)"
            ))
            .into()),
        }
    };
    let cutoff = super::reports::cutoff(ledger, &a.cutoff)?;
    let view = match super::load_view(ledger, cutoff) {
        Ok(v) => v,
        Err(e) => {
            verify()?;
            return Err(e);
        }
    };
    let facts = stored_facts(ledger, cutoff, ledger.size()?)?;
    let derived = derive(&view, a, facts, data);
    drop(view);
    if derived.is_err() {
        // As before the page was derived first: a ledger that does not verify is reported
        // as such, before any other error.
        verify()?;
    }
    let (mut page, staged) = derived?;
    let (verified, at) = verify()?;
    page.head.events = verified.events;
    page.head.hash = verified.head.to_string();
    page.checkpoint = checkpoint_info(stored, &page.origin, verified.events, at.as_ref());
    let text = html::render(&page);
    Ok((text, page, staged))
}

/// The page of `view` (its head and checkpoint left for the caller, which verifies the
/// ledger), and the staged folder of a summarised page's full tables.
fn derive(
    view: &View,
    a: &ExportHtmlArgs,
    facts: Stored,
    data: Data<'_>,
) -> Result<(Page, Option<actledger::fsutil::StagedDir>)> {
    let Stored {
        origin,
        description,
        cut,
        last_recorded,
    } = facts;
    let policy = reports::policy(&a.trust, view)?;
    let vetoes = VetoInitiative::new(view, a.calendar.as_deref())?;
    let header = Page {
        origin,
        description,
        generator: format!("actledger {}", env!("CARGO_PKG_VERSION")),
        as_of: a.cutoff.as_of,
        at_seq: a.cutoff.at_seq,
        head: Head {
            events: 0,
            hash: String::new(),
            last_recorded,
        },
        cut,
        checkpoint: None,
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
        veto_initiative: vetoes.head(),
        totals: html::Totals::default(),
        summary: None,
    };
    if summary::needs_summary(view, &policy) {
        return summary::summarised(view, &policy, &vetoes, header, data);
    }
    let mut page = header;
    page.veto_initiative.vetoes = vetoes.vetoes().collect();
    page.votes = projection::vote_outcomes(view);
    page.compliance = projection::compliance(view, &policy, None);
    page.totals = html::Totals::of(&page.votes, &page.compliance, &page.veto_initiative);
    Ok((page, None))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use actledger_core::event::{KeyGranted, KeyRevoked, LedgerCreated, UnsignedEvent};
    use actledger_core::log_checkpoint::log_keys;
    use actledger_core::merkle::Hash;
    use actledger_core::rules::LedgerState;
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
                let at = AtSize {
                    size: 3,
                    log_keys: log_keys(&rules),
                    root,
                };
                let info = checkpoint_info(Some((3, note.clone())), origin, 3, Some(&at)).unwrap();
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
        let at = AtSize {
            size: 3,
            log_keys: log_keys(&rules),
            root,
        };
        let info = checkpoint_info(Some((3, note)), origin, 3, Some(&at)).unwrap();
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
