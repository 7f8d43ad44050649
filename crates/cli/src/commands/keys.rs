use actledger_core::event::{EventBody, KeyGranted, KeyRevoked};
use actledger_core::PublicKey;
use anyhow::{Context, Result};

use super::{report_appended, text, Ctx};
use crate::cli::{KeyCmd, PublicKeyArg};
use crate::{keyfile, output};

pub fn run(ctx: &Ctx, cmd: KeyCmd) -> Result<()> {
    match cmd {
        KeyCmd::New { out } => {
            let key = actledger_core::SigningKey::generate();
            keyfile::write_new(&out, &key)?;
            output::line(&key.public().to_hex());
            Ok(())
        }
        KeyCmd::Show {
            file,
            verifier: true,
            origin,
            cosignature,
            json,
        } => {
            let vkey =
                super::transparency::verifier_key(ctx, &file, origin.as_deref(), cosignature)?;
            if json {
                output::json(&serde_json::json!({"type": "verifier-key", "vkey": vkey}));
            } else {
                output::line(&vkey);
            }
            Ok(())
        }
        KeyCmd::Show { file, json, .. } => {
            let key = keyfile::read(&file)?;
            if json {
                output::json(&serde_json::json!({"type": "key", "public": key.public()}));
            } else {
                output::line(&key.public().to_hex());
            }
            Ok(())
        }
        KeyCmd::Grant(a) => {
            let admin = keyfile::read(&a.key)?;
            let target = public_key(&a.target)?;
            let body = EventBody::KeyGranted(KeyGranted {
                key: target,
                role: a.role,
                holder: text("holder", &a.holder)?,
                note: text("note", &a.note)?,
            });
            let mut ledger = ctx.open()?;
            let r = ledger.append(&admin, body)?;
            report_appended(&format!("KeyGranted {} to {target}", a.role.name()), &r);
            Ok(())
        }
        KeyCmd::Revoke(a) => {
            let admin = keyfile::read(&a.key)?;
            let target = public_key(&a.target)?;
            let body = EventBody::KeyRevoked(KeyRevoked {
                key: target,
                reason: text("reason", &a.reason)?,
            });
            let mut ledger = ctx.open()?;
            let r = ledger.append(&admin, body)?;
            report_appended(&format!("KeyRevoked {target}"), &r);
            Ok(())
        }
        KeyCmd::List(j) => ctx.inspecting(|ledger| {
            let state = ledger.small_state()?;
            let mut rows = Vec::new();
            for (k, info) in state.keys() {
                let roles: Vec<&str> = info.roles.keys().map(|r| r.name()).collect();
                if j.json {
                    output::json(&serde_json::json!({
                        "type": "key",
                        "public": k,
                        "holder": info.holder,
                        "roles": info.roles.iter().map(|(r, s)| serde_json::json!({"role": r, "granted_at": s})).collect::<Vec<_>>(),
                        "revoked_at": info.revoked,
                    }));
                } else {
                    rows.push(vec![
                        k.to_hex(),
                        roles.join(","),
                        info.holder.clone(),
                        info.revoked
                            .map_or(String::new(), |s| format!("revoked at seq {s}")),
                    ]);
                }
            }
            if !j.json {
                output::table(&["PUBLIC KEY", "ROLES", "HOLDER", "STATUS"], &rows);
            }
            Ok(())
        }),
    }
}

fn public_key(arg: &PublicKeyArg) -> Result<PublicKey> {
    match (&arg.public, &arg.public_from) {
        (Some(hex), _) => PublicKey::from_hex(hex).context("--public"),
        (None, Some(file)) => Ok(keyfile::read(file)?.public()),
        (None, None) => anyhow::bail!("give --public HEX or --public-from FILE"),
    }
}
