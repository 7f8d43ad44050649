//! `export snapshot` / `verify-snapshot` / `export tiles`: the log handed to third parties.
//!
//! A snapshot folder (docs/FORMAT.md §T, "Snapshot") holds exactly:
//! - `checkpoint`: the latest signed checkpoint (C2SP signed note);
//! - `entries`: the first `size` events, C2SP entry-bundle encoding (u16 big-endian length,
//!   then the event's stored bytes, for each event in order);
//! - `supporters.json`: the supporter list derived from those entries, each supporter with a
//!   C2SP tlog-proof of its adherence event;
//! - `compliance.json`: the compliance history under the default policy (every assessor key);
//! - `README.md`: how to verify it.
//!
//! Every file is a deterministic function of the checkpoint and the entries, so
//! `verify-snapshot` recomputes each one and compares bytes: any altered byte in any file
//! is found and named.

use std::collections::HashMap;
use std::path::Path;

use actledger_core::checkpoint::Checkpoint;
use actledger_core::merkle::{self, Frontier, Hash};
use actledger_core::note::{Note, VerifierKey};
use actledger_core::projection::{self, Cutoff, Replay, TrustPolicy};
use actledger_core::proof::TlogProof;
use actledger_core::tiles::{self, TileId};
use actledger_core::{chain, Seq};
use actledger_store::{LogReader, MemoryLog};
use anyhow::{bail, Context, Result};

use super::transparency::read_vkey;
use super::Ctx;
use crate::cli::{ExportSnapshotArgs, ExportTilesArgs, VerifySnapshotArgs};
use crate::{output, VerificationFailed};

const FILES: [&str; 5] = [
    "checkpoint",
    "entries",
    "supporters.json",
    "compliance.json",
    "README.md",
];

/// Everything derived from the entries, as the files hold it.
struct Derived {
    supporters: String,
    compliance: String,
    readme: String,
}

/// Computes the derived files from the entries and the signed checkpoint note.
fn derive(entries: &[Vec<u8>], note_text: &str, cp: &Checkpoint) -> Result<Derived, String> {
    // Every Merkle node, in memory, for the proofs.
    let mut nodes: HashMap<(u8, u64), Hash> = HashMap::new();
    let mut tree = Frontier::new();
    let mut replay = Replay::new(Cutoff::default());
    for (i, bytes) in entries.iter().enumerate() {
        for n in tree
            .append(merkle::leaf_hash(bytes))
            .map_err(|e| e.to_string())?
        {
            nodes.insert((n.level, n.index), n.hash);
        }
        let ev = chain::decode_event(bytes).map_err(|e| format!("entry {i}: {e}"))?;
        replay.push(Seq(i as u64), ev);
    }
    let view = replay.finish();
    let note = Note::parse(note_text).map_err(|e| e.to_string())?;
    let list = projection::supporters(&view);
    let mut supporters = serde_json::to_value(&list).map_err(|e| e.to_string())?;
    if let Some(arr) = supporters
        .get_mut("supporters")
        .and_then(|v| v.as_array_mut())
    {
        for s in arr {
            let seq = s
                .get("seq")
                .and_then(|v| v.as_u64())
                .ok_or("supporter without seq")?;
            let idx = usize::try_from(seq).map_err(|e| e.to_string())?;
            let bytes = entries
                .get(idx)
                .ok_or("adherence event beyond the entries")?;
            let path = merkle::inclusion_proof(seq, cp.size(), |l, i| {
                nodes
                    .get(&(l, i))
                    .copied()
                    .ok_or(format!("node ({l}, {i}) missing"))
            })
            .map_err(|e| e.to_string())?;
            let proof = TlogProof::new(seq, path, note.clone(), Some(bytes.clone()))
                .map_err(|e| e.to_string())?;
            if let Some(obj) = s.as_object_mut() {
                obj.insert("proof".into(), serde_json::Value::String(proof.to_string()));
            }
        }
    }
    let policy = TrustPolicy::AllAssessors.resolve(&view);
    let compliance = projection::compliance(&view, &policy, None);
    let pretty = |v: &serde_json::Value| {
        serde_json::to_string_pretty(v)
            .map(|s| s + "\n")
            .map_err(|e| e.to_string())
    };
    let wrap = |kind: &str, v: serde_json::Value| {
        let mut obj = serde_json::Map::new();
        obj.insert("type".into(), kind.into());
        obj.insert("origin".into(), cp.origin().into());
        obj.insert("size".into(), cp.size().into());
        obj.insert("root".into(), cp.root().to_base64().into());
        if let serde_json::Value::Object(m) = v {
            obj.extend(m);
        }
        serde_json::Value::Object(obj)
    };
    // The votes are most of the report (173 MB of JSON at 100k events): written one at a time
    // rather than as one JSON tree (ten times the output's size in memory).
    let mut compliance = compliance;
    let votes = std::mem::take(&mut compliance.votes);
    let serde_json::Value::Object(mut rest) = wrap(
        "compliance",
        serde_json::to_value(&compliance).map_err(|e| e.to_string())?,
    ) else {
        return Err("the compliance report is not a JSON object".into());
    };
    rest.remove("votes");
    Ok(Derived {
        supporters: pretty(&wrap("supporters", supporters))?,
        compliance: pretty_with_array(&rest, "votes", &votes)?,
        readme: readme(cp, list.count),
    })
}

/// `serde_json::to_string_pretty` (and a newline) of the object `members` with `key: items`
/// added, byte for byte as if it were one `serde_json::Value` (members sorted by key at every
/// level), but holding the JSON tree of only one item at a time.
fn pretty_with_array<T: serde::Serialize>(
    members: &serde_json::Map<String, serde_json::Value>,
    key: &str,
    items: &[T],
) -> Result<String, String> {
    use serde::ser::{Error as _, SerializeMap, SerializeSeq};
    struct Items<'a, T>(&'a [T]);
    impl<T: serde::Serialize> serde::Serialize for Items<'_, T> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(self.0.len()))?;
            for item in self.0 {
                // One item's tree, so its members come out sorted as in a Value.
                let v = serde_json::to_value(item).map_err(S::Error::custom)?;
                seq.serialize_element(&v)?;
            }
            seq.end()
        }
    }
    struct Object<'a, T> {
        members: &'a serde_json::Map<String, serde_json::Value>,
        key: &'a str,
        items: Items<'a, T>,
    }
    impl<T: serde::Serialize> serde::Serialize for Object<'_, T> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut keys: Vec<&str> = self
                .members
                .keys()
                .map(String::as_str)
                .filter(|k| *k != self.key)
                .chain(std::iter::once(self.key))
                .collect();
            keys.sort_unstable();
            let mut map = s.serialize_map(Some(keys.len()))?;
            for k in keys {
                match self.members.get(k) {
                    Some(v) if k != self.key => map.serialize_entry(k, v)?,
                    _ => map.serialize_entry(k, &self.items)?,
                }
            }
            map.end()
        }
    }
    let object = Object {
        members,
        key,
        items: Items(items),
    };
    serde_json::to_string_pretty(&object)
        .map(|s| s + "\n")
        .map_err(|e| e.to_string())
}

fn readme(cp: &Checkpoint, supporters: usize) -> String {
    format!(
        "# actledger snapshot of {origin}\n\
         \n\
         This folder is a self-contained, verifiable copy of the ledger `{origin}` at size {size}\n\
         (Merkle root `{root}`): {size} signed, hash-chained events and what they imply\n\
         ({supporters} supporters of the ACT Code of Conduct).\n\
         \n\
         | file | content |\n\
         |---|---|\n\
         | `checkpoint` | the log's signed checkpoint (C2SP tlog-checkpoint in a C2SP signed note) |\n\
         | `entries` | the {size} events, C2SP entry-bundle encoding (u16 big-endian length, then the bytes) |\n\
         | `supporters.json` | the supporter list replayed from the entries; each supporter carries a C2SP tlog-proof of its adherence event |\n\
         | `compliance.json` | the compliance history replayed from the entries (trusting every assessor key) |\n\
         | `README.md` | this file |\n\
         \n\
         ## Verify it\n\
         \n\
         You need the log's verifier key, published by its operator in the C2SP note form\n\
         `{origin}+<key id>+<base64 key>` (obtain it from them, not from this folder). Then:\n\
         \n\
         ```sh\n\
         actledger verify-snapshot . --vkey '{origin}+...'\n\
         ```\n\
         \n\
         It needs no database and no network. It checks the checkpoint's signature; recomputes\n\
         the Merkle root (RFC 6962) from `entries` and compares it with the checkpoint; decodes\n\
         every event canonically and checks its sequence number, hash-chain link, Ed25519\n\
         signature and the ledger's rules; replays the events and requires `supporters.json`,\n\
         `compliance.json` and this README to be exactly what it derives; and verifies every\n\
         proof. Any altered byte in any file makes it exit 1, naming the file.\n\
         \n\
         Without actledger: `checkpoint` verifies with any C2SP signed-note implementation, each\n\
         proof in `supporters.json` with any C2SP tlog-proof verifier, and the events'\n\
         byte format, chain and signatures are specified in actledger's docs/FORMAT.md.\n",
        origin = cp.origin(),
        size = cp.size(),
        root = cp.root().to_base64(),
    )
}

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    super::write_atomic(&dir.join(name), bytes)
}

pub fn export_snapshot(ctx: &Ctx, a: ExportSnapshotArgs) -> Result<()> {
    let ledger = ctx.open()?;
    let cp_stored = super::transparency::latest(&ledger)?;
    let note = Note::parse(&cp_stored.note).context("stored checkpoint")?;
    let cp = Checkpoint::from_note(&note).context("stored checkpoint")?;
    if a.out.exists()
        && std::fs::read_dir(&a.out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        bail!(
            "{} exists and is not empty; give a new directory",
            a.out.display()
        );
    }
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    let mut entries = Vec::new();
    let mut bundle = Vec::new();
    let progress = crate::progress::Progress::new(cp.size(), "export");
    for item in ledger
        .scan(0)
        .take(usize::try_from(cp.size()).unwrap_or(usize::MAX))
    {
        let (seq, bytes) = item?;
        if seq.is_multiple_of(4096) {
            progress.set(seq);
        }
        let len = u16::try_from(bytes.len()).context("an event is over 65,535 bytes")?;
        bundle.extend_from_slice(&len.to_be_bytes());
        bundle.extend_from_slice(&bytes);
        entries.push(bytes);
    }
    progress.finish();
    let derived = derive(&entries, &cp_stored.note, &cp).map_err(|e| anyhow::anyhow!(e))?;
    write_file(&a.out, "entries", &bundle)?;
    write_file(&a.out, "supporters.json", derived.supporters.as_bytes())?;
    write_file(&a.out, "compliance.json", derived.compliance.as_bytes())?;
    write_file(&a.out, "README.md", derived.readme.as_bytes())?;
    write_file(&a.out, "checkpoint", cp_stored.note.as_bytes())?;
    output::line(&format!(
        "snapshot of {} at size {} written to {}",
        cp.origin(),
        cp.size(),
        a.out.display()
    ));
    Ok(())
}

fn fail(file: &str, msg: impl std::fmt::Display) -> anyhow::Error {
    VerificationFailed(format!("snapshot {file}: {msg}")).into()
}

/// Reads the entry bundle of a snapshot.
fn parse_entries(bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let (len, tail) = rest
            .split_first_chunk::<2>()
            .ok_or("truncated length prefix")?;
        let len = usize::from(u16::from_be_bytes(*len));
        if tail.len() < len {
            return Err(format!("entry {} is truncated", out.len()));
        }
        out.push(tail[..len].to_vec());
        rest = &tail[len..];
    }
    Ok(out)
}

pub fn verify_snapshot(a: VerifySnapshotArgs) -> Result<()> {
    let vkey: VerifierKey = read_vkey(&a.vkey)?;
    let dir = &a.dir;
    if !dir.is_dir() {
        bail!("{} is not a directory", dir.display());
    }
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if !FILES.contains(&name.as_str()) {
            return Err(fail(&name, "unexpected file in a snapshot"));
        }
    }
    let read = |name: &str| -> Result<Vec<u8>> {
        std::fs::read(dir.join(name)).map_err(|e| fail(name, format!("cannot read: {e}")))
    };
    let note_bytes = read("checkpoint")?;
    let note_text = String::from_utf8(note_bytes).map_err(|_| fail("checkpoint", "not UTF-8"))?;
    let signed = Checkpoint::open(&note_text, vkey.name().as_str(), &vkey)
        .map_err(|e| fail("checkpoint", e))?;
    let cp = signed.checkpoint().clone();
    let entries = parse_entries(&read("entries")?).map_err(|e| fail("entries", e))?;
    if entries.len() as u64 != cp.size() {
        return Err(fail(
            "entries",
            format!(
                "holds {} events, the checkpoint says {}",
                entries.len(),
                cp.size()
            ),
        ));
    }
    let mut tree = Frontier::new();
    for e in &entries {
        tree.append(merkle::leaf_hash(e))
            .map_err(|e| fail("entries", e))?;
    }
    if tree.root() != *cp.root() {
        return Err(fail(
            "entries",
            format!(
                "Merkle root {} is not the checkpoint's {}",
                tree.root().to_base64(),
                cp.root().to_base64()
            ),
        ));
    }
    let log = MemoryLog::from_events(entries.iter().cloned());
    match actledger_store::verify_log(&log, |_| {}, |_, _, _, _| Ok(()))? {
        Ok(_) => {}
        Err(e) => return Err(fail("entries", e)),
    }
    let derived = derive(&entries, &note_text, &cp).map_err(|e| fail("entries", e))?;
    for (name, want) in [
        ("supporters.json", &derived.supporters),
        ("compliance.json", &derived.compliance),
        ("README.md", &derived.readme),
    ] {
        let have = read(name)?;
        if have != want.as_bytes() {
            let at = have
                .iter()
                .zip(want.as_bytes())
                .position(|(a, b)| a != b)
                .unwrap_or(have.len().min(want.len()));
            return Err(fail(
                name,
                format!("differs from what the entries imply (first difference at byte {at})"),
            ));
        }
    }
    // Every proof, checked as a third party would, against the checkpoint.
    let sup: serde_json::Value =
        serde_json::from_str(&derived.supporters).map_err(|e| fail("supporters.json", e))?;
    let mut proofs = 0;
    for s in sup["supporters"].as_array().into_iter().flatten() {
        let text = s["proof"]
            .as_str()
            .ok_or_else(|| fail("supporters.json", "a supporter lacks its proof"))?;
        let p = TlogProof::parse(text).map_err(|e| fail("supporters.json", e))?;
        let v = p
            .verify(vkey.name().as_str(), &vkey)
            .map_err(|e| fail("supporters.json", e))?;
        if Some(v.index) != s["seq"].as_u64() {
            return Err(fail("supporters.json", "a proof is for another event"));
        }
        proofs += 1;
    }
    output::line(&format!(
        "ok: snapshot of {} at size {} (root {}): checkpoint signature, {} events (chain, signatures, rules), Merkle root, {} proofs, supporters.json, compliance.json and README.md all verified",
        cp.origin(),
        cp.size(),
        cp.root().to_base64(),
        entries.len(),
        proofs
    ));
    Ok(())
}

pub fn export_tiles(ctx: &Ctx, a: ExportTilesArgs) -> Result<()> {
    let ledger = ctx.open()?;
    let cp_stored = super::transparency::latest(&ledger)?;
    let new_size = cp_stored.size;
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    let old_size = match std::fs::read_to_string(a.out.join("checkpoint")) {
        Ok(text) => {
            let note =
                Note::parse(&text).with_context(|| format!("{}/checkpoint", a.out.display()))?;
            Checkpoint::from_note(&note)?.size()
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read {}/checkpoint", a.out.display()))
        }
    };
    if old_size > new_size {
        bail!(
            "{} holds a larger log (size {old_size}) than this ledger's checkpoint ({new_size})",
            a.out.display()
        );
    }
    let tiles: Vec<TileId> = tiles::tiles_between(old_size, new_size);
    for t in &tiles {
        let bytes = tiles::tile_bytes(
            t,
            |l, i| ledger.node(l, i),
            |i| {
                ledger.get(i)?.ok_or_else(|| {
                    actledger_store::StoreError::Corrupted(format!("no event at seq {i}"))
                })
            },
        )
        .map_err(|e| anyhow::anyhow!("tile {}: {e}", t.path()))?;
        let path = a.out.join(t.path());
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        super::write_atomic(&path, &bytes)?;
    }
    // The checkpoint last: readers never see a checkpoint whose tiles are missing.
    write_file(&a.out, "checkpoint", cp_stored.note.as_bytes())?;
    output::line(&format!(
        "tiles of {} up to size {new_size} in {}: {} tile files written (from size {old_size})",
        ledger_origin(&cp_stored.note),
        a.out.display(),
        tiles.len()
    ));
    Ok(())
}

fn ledger_origin(note: &str) -> String {
    note.lines().next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Item {
        zeta: u32,
        alpha: Vec<&'static str>,
        nested: std::collections::HashMap<&'static str, Option<u8>>,
    }

    #[test]
    fn an_array_written_item_by_item_gives_the_bytes_of_one_json_tree() {
        for n in [0usize, 1, 3] {
            let items: Vec<Item> = (0..n)
                .map(|i| Item {
                    zeta: i as u32,
                    alpha: vec!["b", "a"],
                    nested: [("y", Some(1)), ("x", None)].into_iter().collect(),
                })
                .collect();
            let mut members = serde_json::Map::new();
            members.insert("type".into(), "compliance".into());
            members.insert("basis".into(), serde_json::json!({"z": 1, "a": [1, 2]}));
            members.insert("wotes".into(), serde_json::json!(null));
            let mut whole = members.clone();
            whole.insert("votes".into(), serde_json::to_value(&items).unwrap());
            let want =
                serde_json::to_string_pretty(&serde_json::Value::Object(whole)).unwrap() + "\n";
            assert_eq!(
                pretty_with_array(&members, "votes", &items).unwrap(),
                want,
                "{n} items"
            );
        }
    }
}
