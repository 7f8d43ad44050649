//! `witness cosign` (a checkpoint file) and `witness serve` (C2SP tlog-witness over HTTP):
//! both decide with `actledger_core::witness` and keep their state in the same locked state
//! directory (`actledger_http::witness::StateDir`), so a check and its persistence are one
//! atomic step even when runs race.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use actledger_core::note::{KeyName, Note, VerifierKey};
use actledger_core::proof;
use actledger_core::quorum::Quorum;
use actledger_core::witness::{AddCheckpoint, Refusal, Witness, WitnessState};
use actledger_core::SigningKey;
use actledger_http::witness::{PublishError, StateDir, WitnessService};
use actledger_store::{Ledger, StoredCheckpoint};
use anyhow::{bail, Context, Result};

use super::transparency::{open_checkpoint, read_text, read_vkey};
use crate::cli::{WitnessCmd, WitnessCosignArgs, WitnessServeArgs};
use crate::{keyfile, output, VerificationFailed};

pub fn run(cmd: WitnessCmd) -> Result<()> {
    match cmd {
        WitnessCmd::Cosign(a) => cosign(a),
        WitnessCmd::Serve(a) => serve(a),
    }
}

fn now() -> u64 {
    u64::try_from(actledger_core::Timestamp::now().0).unwrap_or(0)
}

fn key_name(name: &str) -> Result<KeyName> {
    KeyName::new(name).with_context(|| format!("--name {}", actledger_core::error::quoted(name)))
}

/// Opens the state directory, with a clear word for a state file of earlier versions.
fn open_state(dir: &Path) -> Result<StateDir> {
    if dir.is_file() {
        bail!(
            "witness state {} is a file: the state is now a directory holding state.json (move the file to DIR/state.json and pass --state DIR)",
            dir.display()
        );
    }
    Ok(StateDir::open(dir)?)
}

fn fail(msg: String) -> anyhow::Error {
    VerificationFailed(msg).into()
}

fn cosign(a: WitnessCosignArgs) -> Result<()> {
    let key = keyfile::read(&a.key)?;
    let log_vkey = read_vkey(&a.vkey)?;
    let origin = log_vkey.name().as_str().to_string();
    let witness = Witness::new(key_name(&a.name)?, key, [log_vkey.clone()])?;
    let text = read_text(&a.checkpoint, "checkpoint")?;
    let path = a.checkpoint.display().to_string();
    let note = Note::parse(&text).map_err(|e| fail(format!("{path}: {e}")))?;
    let previous = match &a.previous {
        Some(p) => Some(open_checkpoint(p, &log_vkey)?),
        None => None,
    };
    let given_proof = match &a.proof {
        Some(p) => {
            let t = read_text(p, "proof")?;
            Some(
                proof::parse_consistency_proof(&t)
                    .map_err(|e| fail(format!("{}: {e}", p.display())))?,
            )
        }
        None => None,
    };
    // Versions before the state directory kept KEYFILE.witness.json: its heads are taken
    // over the first time (a witness that forgot them could cosign a fork).
    let (state_dir, legacy) = match &a.state {
        Some(d) => (d.clone(), None),
        None => {
            let mut d = a.key.clone().into_os_string();
            d.push(".witness");
            let mut old = d.clone();
            old.push(".json");
            (PathBuf::from(d), Some(PathBuf::from(old)))
        }
    };
    let legacy = match legacy.filter(|p| p.is_file()) {
        Some(p) => {
            let t = read_text(&p, "witness state")?;
            Some(
                WitnessState::from_json(t.as_bytes())
                    .with_context(|| format!("witness state {}", p.display()))?,
            )
        }
        None => None,
    };
    let state = open_state(&state_dir)?;
    let outcome = state.transact(|stored| {
        let imported = match &legacy {
            Some(l) if *stored == WitnessState::default() => Some(l.clone()),
            _ => None,
        };
        let base = imported.as_ref().unwrap_or(stored);
        let stored_size = base.head(&origin).map_or(0, |h| h.size);
        let old = previous.as_ref().map_or(stored_size, |p| p.size());
        let req =
            match AddCheckpoint::new(old, given_proof.clone().unwrap_or_default(), note.clone()) {
                Ok(r) => r,
                Err(e) => return (imported, Err(fail(format!("{path}: {e}")))),
            };
        match witness.add_checkpoint(base, &req, now()) {
            Ok(acc) => {
                let mut next = base.clone();
                next.set(&acc.origin, acc.head);
                (Some(next), Ok(Ok((acc, req))))
            }
            Err(r) => (imported, Ok(Err((r, req)))),
        }
    })?;
    let (accepted, req) = match outcome? {
        Ok(x) => x,
        Err((r, req)) => return Err(refusal(r, &req, &a, &path, &log_vkey.to_string())),
    };
    let mut out = req.note;
    out.push_signature(accepted.cosignature)?;
    output::text(&out.to_string());
    Ok(())
}

/// The one-line error for a refusal of `witness cosign`: exit 1 for what the log did wrong
/// (a fork, a rollback, a bad signature or proof), exit 2 for a usage error.
fn refusal(
    r: Refusal,
    req: &AddCheckpoint,
    a: &WitnessCosignArgs,
    path: &str,
    vkey: &str,
) -> anyhow::Error {
    let size = req.checkpoint.size();
    match r {
        Refusal::UnknownOrigin(o) => fail(format!(
            "{path}: the checkpoint's origin {o:?} is not the log of --vkey {vkey}"
        )),
        Refusal::Untrusted(_) => fail(format!("{path}: the checkpoint is not signed by --vkey {vkey}")),
        Refusal::OldSizeAboveCheckpoint { old, .. } if a.previous.is_some() => anyhow::anyhow!(
            "--previous (size {old}) is larger than the checkpoint to cosign (size {size})"
        ),
        Refusal::OldSizeAboveCheckpoint { old, .. } => fail(format!(
            "refusing to cosign: size {size} is smaller than size {old} already cosigned (a rollback)"
        )),
        Refusal::Conflict {
            latest,
            same_size_other_root: true,
            ..
        } => fail(format!(
            "refusing to cosign a fork: size {} was cosigned with root {}, this checkpoint has {}",
            latest.size,
            latest.root.to_base64(),
            req.checkpoint.root().to_base64()
        )),
        Refusal::Conflict { old, latest, .. } => anyhow::anyhow!(
            "--previous is size {old} but this witness last cosigned size {} of {}",
            latest.size,
            req.checkpoint.origin()
        ),
        Refusal::BadProof { old, .. } if a.proof.is_none() => anyhow::anyhow!(
            "this witness has cosigned size {old} of this log: give --proof with the consistency proof from it (`actledger consistency --from {old}`)"
        ),
        Refusal::BadProof { old, error, .. } => fail(format!(
            "refusing to cosign: not consistent with size {old} this witness cosigned (a fork?): {error}"
        )),
        other => fail(format!("refusing to cosign: {other}")),
    }
}

fn serve(a: WitnessServeArgs) -> Result<()> {
    let key = keyfile::read(&a.key)?;
    let logs = a
        .logs
        .iter()
        .map(|l| read_vkey(l))
        .collect::<Result<Vec<_>>>()?;
    let witness = Witness::new(key_name(&a.name)?, key, logs)?;
    let state = open_state(&a.state)?;
    // Read once now: a corrupt state stops the server before it listens.
    state.read()?;
    let addr: std::net::SocketAddr = a.listen.parse().with_context(|| {
        format!(
            "--listen {:?} is not an address like 127.0.0.1:7380",
            a.listen
        )
    })?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let svc = Arc::new(WitnessService::new(witness, state));
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let local = listener.local_addr()?;
        output::line(&format!(
            "witness {} listening on http://{local} for {}",
            svc.witness().verifier_key(),
            svc.witness().origins().collect::<Vec<_>>().join(", ")
        ));
        output::flush();
        actledger_http::witness::serve(listener, svc)
            .await
            .context("witness server")
    })
}

/// Parses `--witness URL=VKEY` (the key inline or a file holding it).
fn parse_witness(arg: &str) -> Result<(String, VerifierKey)> {
    let (url, vkey) = arg.split_once('=').with_context(|| {
        format!(
            "--witness {:?}: expected URL=VKEY",
            arg.chars().take(120).collect::<String>()
        )
    })?;
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        bail!(
            "--witness {:?}: the URL must start with http:// or https://",
            url.chars().take(120).collect::<String>()
        );
    }
    Ok((url.to_string(), read_vkey(vkey)?))
}

/// `checkpoint --key LOGKEY --witness URL=VKEY... [--quorum K]`: signs the tree head, asks
/// each witness for its cosignature (tlog-witness; a 409 is resolved with a consistency
/// proof from the size the witness reports), and stores the checkpoint with the cosignatures
/// only if the quorum is met. Exit 1 when a witness's refusal is evidence against the log
/// (a failed proof, a larger tree cosigned), 2 otherwise; nothing is stored either way.
pub fn sign_cosigned(
    ledger: &mut Ledger,
    key: &SigningKey,
    witnesses: &[String],
    quorum: Option<usize>,
) -> Result<StoredCheckpoint> {
    let endpoints = endpoints(witnesses)?;
    let policy = Quorum::new(endpoints.iter().map(|e| e.1.clone()).collect(), quorum)?;
    let mut warn = |e: &actledger_http::witness::CosignError| eprintln!("warning: witness {e}");
    match actledger_http::witness::sign_cosigned(ledger, key, &endpoints, &policy, &mut warn) {
        Ok(stored) => Ok(stored),
        Err(PublishError::NoQuorum { msg, misbehaviour }) => Err(if misbehaviour {
            fail(msg)
        } else {
            anyhow::anyhow!(msg)
        }),
        Err(PublishError::Store(e)) => Err(e.into()),
        Err(e) => Err(e.into()),
    }
}

/// Parses every `--witness URL=VKEY` of `serve` and `checkpoint`.
pub fn endpoints(witnesses: &[String]) -> Result<Vec<(String, VerifierKey)>> {
    witnesses.iter().map(|w| parse_witness(w)).collect()
}

/// The reader's policy of `--witness VKEY... [--quorum K]`.
pub fn policy(a: &crate::cli::WitnessPolicyArgs) -> Result<Quorum> {
    let keys = a
        .witnesses
        .iter()
        .map(|k| read_vkey(k))
        .collect::<Result<Vec<_>>>()?;
    Ok(Quorum::new(keys, a.quorum)?)
}

/// Checks `note` against the policy: exit 1 (verification failed) naming `what` if the quorum
/// is not met; the valid cosignatures otherwise.
pub fn check_quorum(
    q: &Quorum,
    note: &Note,
    what: &str,
) -> Result<Vec<actledger_core::quorum::Cosigned>> {
    q.check(note).map_err(|e| {
        fail(format!(
            "{what}: the checkpoint lacks its witness quorum: {e}"
        ))
    })
}
