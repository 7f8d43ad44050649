//! Transparency commands: checkpoints, inclusion and consistency proofs, offline
//! verification, witness cosigning (C2SP signed-note, tlog-checkpoint, tlog-proof,
//! tlog-cosignature; RFC 9162 proofs).

use std::path::Path;

use actledger_core::checkpoint::Checkpoint;
use actledger_core::note::{KeyKind, KeyName, Note, VerifierKey};
use actledger_core::proof::{self, TlogProof};
use actledger_core::{chain, StateCode};
use actledger_store::{Ledger, LogReader, StoredCheckpoint};
use anyhow::{bail, Context, Result};

use super::Ctx;
use crate::cli::{
    CheckpointArgs, ConsistencyArgs, ProveArgs, VerifyConsistencyArgs, VerifyProofArgs,
};
use actledger::fsutil;
use actledger_core::error::quoted;

use crate::{keyfile, output, VerificationFailed};

/// Reads a verifier key given inline (`name+hex+base64`) or as a file holding one. A file's
/// content is never shown in an error (it may be a private key given by mistake: that is
/// recognised and said); an inline value is quoted bounded.
pub fn read_vkey(arg: &str) -> Result<VerifierKey> {
    let path = Path::new(arg);
    if !path.exists() {
        return VerifierKey::parse(arg.trim())
            .with_context(|| format!("verifier key {}", quoted(arg)));
    }
    let text = zeroize::Zeroizing::new(fsutil::read_text(path, "verifier key file", 4096)?);
    if text.lines().next().map(str::trim_end) == Some(actledger_core::keys::KEY_FILE_HEADER) {
        bail!(
            "verifier key file {}: this is a private key; pass the verifier key from `actledger key show --verifier KEYFILE`",
            path.display()
        );
    }
    VerifierKey::parse(text.trim()).map_err(|e| {
        anyhow::anyhow!(
            "verifier key file {} does not hold a verifier key ({e})",
            path.display()
        )
    })
}

pub(super) fn read_text(path: &Path, what: &str) -> Result<String> {
    fsutil::read_text(path, what, fsutil::SMALL_FILE)
}

pub fn checkpoint(ctx: &Ctx, a: CheckpointArgs) -> Result<()> {
    let mut ledger = if a.key.is_some() {
        ctx.open()?
    } else {
        ctx.open_read_only()?
    };
    let cp = match (&a.key, a.latest) {
        (Some(k), false) if !a.witnesses.is_empty() => {
            let key = keyfile::read(k)?;
            super::witness::sign_cosigned(&mut ledger, &key, &a.witnesses, a.quorum)?
        }
        (Some(k), false) => {
            let key = keyfile::read(k)?;
            ledger.sign_checkpoint(&key)?
        }
        (None, true) => latest(&ledger)?,
        _ => bail!("give --key LOGKEY to sign a checkpoint, or --latest to print the last one"),
    };
    if a.json {
        output::json(&serde_json::json!({"type": "checkpoint", "size": cp.size, "note": cp.note}));
    } else {
        output::text(&cp.note);
    }
    Ok(())
}

/// The latest stored checkpoint, or advice on how to sign one.
pub(super) fn latest(ledger: &Ledger) -> Result<StoredCheckpoint> {
    ledger
        .latest_checkpoint()?
        .context("no checkpoint yet: sign one with `actledger checkpoint --key LOGKEY`")
}

/// The tlog-proof of event `seq` against `cp`, carrying the event bytes.
pub fn proof_text(ledger: &Ledger, cp: &StoredCheckpoint, seq: u64) -> Result<String> {
    if seq >= cp.size {
        bail!(
            "seq {seq} is not covered by the latest checkpoint (size {}): sign a newer one with `actledger checkpoint --key LOGKEY`",
            cp.size
        );
    }
    let bytes = ledger
        .get(seq)?
        .with_context(|| format!("no event at seq {seq}"))?;
    let path = ledger.inclusion_proof(seq, cp.size)?;
    let note = Note::parse(&cp.note).context("stored checkpoint")?;
    Ok(TlogProof::new(seq, path, note, Some(bytes))?.to_string())
}

pub fn prove(ctx: &Ctx, a: ProveArgs) -> Result<()> {
    let mut ledger = ctx.open_read_only()?;
    let cp = latest(&ledger)?;
    let seq = match (a.seq, a.state) {
        (Some(s), None) => s,
        (None, Some(state)) => adherence_seq(&mut ledger, state)?,
        _ => bail!("give a sequence number or --state ISO3"),
    };
    let text = proof_text(&ledger, &cp, seq)?;
    match &a.out {
        Some(p) => fsutil::write_atomic(p, text.as_bytes())?,
        None => output::text(&text),
    }
    Ok(())
}

/// The seq of `state`'s adherence letter now (a corrected letter keeps its seq), as the
/// rules hold it (`LedgerState::supporters`). The `by_state` index cannot answer this alone:
/// a correction is indexed under its replacement's state, so one that moved a letter away
/// from `state` is not under `state`. The supporters are in the rule state's small part,
/// read from the store without replaying the log or loading the rest.
fn adherence_seq(ledger: &mut Ledger, state: StateCode) -> Result<u64> {
    let seq = ledger.small_state()?.supporters().get(&state).copied();
    let seq = seq.with_context(|| {
        format!(
            "no adherence letter of {state} ({}) is recorded",
            state.name()
        )
    })?;
    Ok(seq.0)
}

pub fn consistency(ctx: &Ctx, a: ConsistencyArgs) -> Result<()> {
    let ledger = ctx.open_read_only()?;
    let to = match a.to {
        Some(n) => n,
        None => ledger
            .latest_checkpoint()?
            .map_or(ledger.size()?, |c| c.size),
    };
    if a.from > to {
        bail!("--from {} is larger than --to {to}", a.from);
    }
    if a.from == 0 {
        // RFC 9162 defines no proof from the empty tree: any tree extends it.
        return Ok(());
    }
    let p = ledger.consistency_proof(a.from, to)?;
    output::text(&proof::format_consistency_proof(&p));
    Ok(())
}

pub fn verify_proof(a: VerifyProofArgs) -> Result<()> {
    let vkey = read_vkey(&a.vkey)?;
    let quorum = super::witness::policy(&a.witnesses)?;
    let text = read_text(&a.proof, "proof")?;
    let p = TlogProof::parse(&text)
        .map_err(|e| VerificationFailed(format!("{}: not a tlog-proof: {e}", a.proof.display())))?;
    let origin = vkey.name().as_str().to_string();
    let verified = p
        .verify(&origin, &vkey)
        .map_err(|e| VerificationFailed(format!("{}: invalid proof: {e}", a.proof.display())))?;
    let cosigned = super::witness::check_quorum(
        &quorum,
        verified.checkpoint.note(),
        &a.proof.display().to_string(),
    )?;
    let event = chain::decode_event(&verified.entry).map_err(|e| {
        VerificationFailed(format!(
            "{}: the entry is not an actledger event: {e}",
            a.proof.display()
        ))
    })?;
    if event.unsigned.seq.0 != verified.index {
        return Err(VerificationFailed(format!(
            "{}: the entry says seq {}, the proof index is {}",
            a.proof.display(),
            event.unsigned.seq,
            verified.index
        ))
        .into());
    }
    if !chain::check_event_signature(&event, &verified.entry) {
        return Err(VerificationFailed(format!(
            "{}: the entry's signature does not verify",
            a.proof.display()
        ))
        .into());
    }
    let cp = verified.checkpoint.checkpoint();
    if a.json {
        output::json(&serde_json::json!({
            "type": "proof", "ok": true, "origin": cp.origin(), "size": cp.size(),
            "root": cp.root().to_base64(), "seq": verified.index, "event": event.unsigned,
            "hash": chain::event_hash(&verified.entry),
            "cosigned_by": cosigned.iter().map(|c| serde_json::json!({
                "witness": c.witness.to_string(), "timestamp": c.timestamp,
            })).collect::<Vec<_>>(),
        }));
    } else {
        output::line(&format!(
            "ok: seq {} is in {} at size {} (root {}), signed by {}",
            verified.index,
            cp.origin(),
            cp.size(),
            cp.root().to_base64(),
            vkey
        ));
        output::line(&format!(
            "    {} {}",
            event.unsigned.body.kind(),
            super::log::summary(&event.unsigned.body)
        ));
        output::line(&format!(
            "    signed by author key {}",
            event.unsigned.author
        ));
        for c in &cosigned {
            output::line(&format!("    cosigned by witness {}", c.witness));
        }
    }
    Ok(())
}

pub(super) fn open_checkpoint(path: &Path, vkey: &VerifierKey) -> Result<Checkpoint> {
    let text = read_text(path, "checkpoint")?;
    let signed = Checkpoint::open(&text, vkey.name().as_str(), vkey)
        .map_err(|e| VerificationFailed(format!("{}: {e}", path.display())))?;
    Ok(signed.into_parts().0)
}

pub fn verify_consistency(a: VerifyConsistencyArgs) -> Result<()> {
    let vkey = read_vkey(&a.vkey)?;
    let old = open_checkpoint(&a.old, &vkey)?;
    let new = open_checkpoint(&a.new, &vkey)?;
    let text = read_text(&a.proof, "proof")?;
    let p = proof::parse_consistency_proof(&text)
        .map_err(|e| VerificationFailed(format!("{}: {e}", a.proof.display())))?;
    proof::verify_checkpoint_consistency(&old, &new, &p)
        .map_err(|e| VerificationFailed(format!("{}: {e}", a.proof.display())))?;
    output::line(&format!(
        "ok: {} at size {} extends size {} (roots {} -> {})",
        new.origin(),
        new.size(),
        old.size(),
        old.root().to_base64(),
        new.root().to_base64()
    ));
    Ok(())
}

/// `key show --verifier`: the note verifier key of a key file.
pub fn verifier_key(
    ctx: &Ctx,
    file: &Path,
    origin: Option<&str>,
    cosignature: bool,
) -> Result<String> {
    let key = keyfile::read(file)?;
    let name = match origin {
        Some(o) => o.to_string(),
        None => {
            let mut ledger = ctx.open().context(
                "the key name is the ledger's origin: give --ledger DIR or --origin NAME",
            )?;
            ledger.origin()?.to_string()
        }
    };
    let name = KeyName::new(name.clone()).with_context(|| format!("key name {}", quoted(&name)))?;
    let kind = if cosignature {
        KeyKind::CosignatureV1
    } else {
        KeyKind::Ed25519
    };
    Ok(VerifierKey::new(name, kind, key.public())?.to_string())
}
