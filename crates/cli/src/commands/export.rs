//! `export snapshot` / `verify-snapshot` / `export tiles`: the log handed to third parties.
//!
//! A snapshot folder (its files' encodings: docs/FORMAT.md §9, T4 and T7) holds exactly:
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

use std::io::{Read as _, Write as _};
use std::path::Path;

use actledger_core::chain::{self, variant};
use actledger_core::checkpoint::Checkpoint;
use actledger_core::note::{Note, VerifierKey};
use actledger_core::projection::credibility::Policy;
use actledger_core::projection::{self, Cutoff, TrustPolicy, View};
use actledger_core::proof::TlogProof;
use actledger_store::{EventRun, LogReader, StoreError, TileBuilder};
use anyhow::{bail, Context, Result};

use super::entries::EntriesFile;
use super::transparency::read_vkey;
use actledger::fsutil::{self, StagedDir};

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

/// Everything derived from the entries, as the files hold it (the compliance history still
/// to be written out: it is most of a snapshot's bytes).
struct Derived {
    supporters: String,
    compliance: Compliance,
    readme: String,
}

/// `compliance.json` before it is written: its members but the votes, and what the votes
/// are computed from (one at a time, as they are written: the whole report of a 1M-event log
/// is about 0.9 GB in memory and 1.7 GB of JSON).
struct Compliance {
    members: serde_json::Map<String, serde_json::Value>,
    votes: usize,
    view: View,
    policy: Policy,
}

impl Compliance {
    /// Writes the file's bytes to `w`.
    fn write(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        let progress = crate::progress::Progress::of(self.votes as u64, "compliance.json", "votes");
        let votes = projection::compliance_votes(&self.view, &self.policy, None)
            .enumerate()
            .map(|(i, v)| {
                if i % 4096 == 0 {
                    progress.set(i as u64);
                }
                v
            });
        let written = write_pretty_with_array(w, &self.members, "votes", self.votes, votes);
        progress.finish();
        written
    }
}

/// The first `len` events of a log (a ledger may have grown past its latest checkpoint).
struct Prefix<'a> {
    log: &'a (dyn LogReader + Sync),
    len: u64,
}

impl LogReader for Prefix<'_> {
    fn len(&self) -> Result<u64, StoreError> {
        Ok(self.log.len()?.min(self.len))
    }
    fn get(&self, seq: u64) -> Result<Option<Vec<u8>>, StoreError> {
        if seq >= self.len {
            return Ok(None);
        }
        self.log.get(seq)
    }
    fn scan(&self, from: u64) -> actledger_store::Scan<'_> {
        self.log.scan_range(from, self.len)
    }
    fn scan_range(&self, from: u64, to: u64) -> actledger_store::Scan<'_> {
        self.log.scan_range(from, to.min(self.len))
    }
    fn read_range(&self, from: u64, to: u64, out: &mut EventRun) -> Result<(), StoreError> {
        self.log.read_range(from, to.min(self.len), out)
    }
}

/// Computes the derived files from the first `cp.size()` events of `log` and the signed
/// checkpoint note, calling `each_entry` with each event's bytes in order. One pass over the
/// log, which it does not hold: a replay (on all cores) that hands each event's bytes, in
/// order, to `each_entry` and the Merkle tree, keeping only the tiles the supporters' proofs
/// need (the root is checked against the checkpoint). A second pass, reading every event
/// again through sled, cost ~40 MB more at 1M events: sled's pages read by this thread
/// while those read by the replay's threads were still being freed (docs/PERFORMANCE.md).
fn derive(
    log: &(dyn LogReader + Sync),
    note_text: &str,
    cp: &Checkpoint,
    mut each_entry: impl FnMut(&[u8]) -> Result<(), String>,
) -> Result<Derived, String> {
    let size = cp.size();
    let log = Prefix { log, len: size };
    let have = log.len().map_err(|e| e.to_string())?;
    if have != size {
        return Err(format!("holds {have} events, the checkpoint says {size}"));
    }
    // One pass over the log: the replay (on all cores), and on this thread every event's
    // bytes, in order, into `each_entry` and the Merkle tree. Of the tree's level-0 tiles (32
    // bytes an event) only those of adherence and attestation events are kept: their proofs
    // are all supporters.json needs.
    let progress = crate::progress::Progress::new(size, "replay");
    let mut tree = TileBuilder::for_proofs_of([]);
    let mut in_order = |seq: u64, bytes: &[u8]| -> Result<(), String> {
        if seq != tree.size() {
            return Err(format!("event {} is missing", tree.size()));
        }
        if matches!(chain::peek_kind(bytes), Some((_, Some(k)))
            if k == variant::ADHERENCE_LETTER || k == variant::SUPPORTER_LIST_ATTESTED)
        {
            tree.keep_leaf(seq);
        }
        each_entry(bytes)?;
        tree.push(bytes).map_err(|e| e.to_string())
    };
    let view = actledger_store::replay_view_with(
        &log,
        Cutoff::default(),
        None,
        |seq| progress.set(seq),
        &mut in_order,
    )
    .map_err(|e| e.to_string())??;
    progress.finish();
    if tree.size() != size {
        return Err(format!("event {} is missing", tree.size()));
    }
    let note = Note::parse(note_text).map_err(|e| e.to_string())?;
    let list = projection::supporters(&view);
    let policy = TrustPolicy::AllAssessors.resolve(&view);
    let progress = crate::progress::Progress::of(view.votes().len() as u64, "compliance", "votes");
    let (summary, votes) =
        projection::compliance_summary(&view, &policy, None, |n| progress.set(n as u64));
    progress.finish();

    if tree.root() != *cp.root() {
        return Err(format!(
            "Merkle root {} is not the checkpoint's {}",
            tree.root().to_base64(),
            cp.root().to_base64()
        ));
    }
    // The proofs are read from the entries' tiles, through the tile seam, as from a ledger.
    let tiles = tree.finish(&log, Some(note_text.to_string()));

    let mut supporters = serde_json::to_value(&list).map_err(|e| e.to_string())?;
    // Each supporter carries the proof of its adherence event, each attested list (format
    // revision 3) the proof of its attestation event.
    for key in ["supporters", "attestations"] {
        let Some(arr) = supporters.get_mut(key).and_then(|v| v.as_array_mut()) else {
            continue;
        };
        for s in arr {
            let seq = s
                .get("seq")
                .and_then(|v| v.as_u64())
                .ok_or("supporter without seq")?;
            let bytes = log
                .get(seq)
                .map_err(|e| e.to_string())?
                .ok_or("a cited event lies beyond the entries")?;
            let path =
                actledger_store::inclusion_proof(&tiles, seq, size).map_err(|e| e.to_string())?;
            let proof =
                TlogProof::new(seq, path, note.clone(), Some(bytes)).map_err(|e| e.to_string())?;
            if let Some(obj) = s.as_object_mut() {
                obj.insert("proof".into(), serde_json::Value::String(proof.to_string()));
            }
        }
    }
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
    let serde_json::Value::Object(mut members) = wrap(
        "compliance",
        serde_json::to_value(&summary).map_err(|e| e.to_string())?,
    ) else {
        return Err("the compliance report is not a JSON object".into());
    };
    members.remove("votes");
    Ok(Derived {
        supporters: pretty(&wrap("supporters", supporters))?,
        compliance: Compliance {
            members,
            votes,
            view,
            policy,
        },
        readme: readme(cp, list.count),
    })
}

/// Writes `serde_json::to_string_pretty` (and a newline) of the object `members` with
/// `key: items` added to `w` (`len` items), byte for byte as if it were one
/// `serde_json::Value` (members sorted by key at every level), but holding the JSON tree of
/// only one item at a time.
fn write_pretty_with_array<T: serde::Serialize>(
    w: &mut dyn std::io::Write,
    members: &serde_json::Map<String, serde_json::Value>,
    key: &str,
    len: usize,
    items: impl Iterator<Item = T>,
) -> std::io::Result<()> {
    use serde::ser::{Error as _, SerializeMap};
    /// One item, written through its JSON tree so its members come out sorted as in a Value.
    struct Sorted<T>(T);
    impl<T: serde::Serialize> serde::Serialize for Sorted<T> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            serde_json::to_value(&self.0)
                .map_err(S::Error::custom)?
                .serialize(s)
        }
    }
    struct Object<'a, I> {
        members: &'a serde_json::Map<String, serde_json::Value>,
        key: &'a str,
        items: crate::output::SeqOnce<I>,
    }
    impl<I: Iterator> serde::Serialize for Object<'_, I>
    where
        I::Item: serde::Serialize,
    {
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
        items: crate::output::SeqOnce::new(items.map(Sorted), len),
    };
    // The formatter writes many pieces of a few bytes: buffered here, in a writer of a known
    // type, rather than each through `dyn Write` (which was 15% of an export's time).
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, w);
    let mut ser = serde_json::Serializer::with_formatter(
        &mut buffered,
        serde_json::ser::PrettyFormatter::with_indent(b"  "),
    );
    serde::Serialize::serialize(&object, &mut ser).map_err(std::io::Error::from)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
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

pub fn export_snapshot(ctx: &Ctx, a: ExportSnapshotArgs) -> Result<()> {
    let ledger = ctx.open_read_only()?;
    let cp_stored = super::transparency::latest(&ledger)?;
    let note = Note::parse(&cp_stored.note).context("stored checkpoint")?;
    let cp = Checkpoint::from_note(&note).context("stored checkpoint")?;
    refuse_nonempty(&a.out)?;
    // The folder is built beside its destination and renamed into place once every file is
    // complete: whatever happens (an error, a kill), `--out` holds nothing or all of it.
    let folder = StagedDir::create(&a.out)?;
    let dir = folder.dir().to_path_buf();
    let create = |name: &str| -> Result<std::io::BufWriter<std::fs::File>> {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(dir.join(name))
            .with_context(|| format!("cannot write {}/{name}", a.out.display()))?;
        Ok(std::io::BufWriter::with_capacity(1 << 16, f))
    };
    let finish = |name: &str, w: std::io::BufWriter<std::fs::File>| -> Result<()> {
        w.into_inner()
            .map_err(|e| e.into_error())
            .and_then(|f| f.sync_all())
            .with_context(|| format!("cannot write {}/{name}", a.out.display()))
    };
    let mut entries = create("entries")?;
    let derived = derive(&ledger, &cp_stored.note, &cp, |bytes| {
        let len =
            u16::try_from(bytes.len()).map_err(|_| "an event is over 65,535 bytes".to_string())?;
        entries
            .write_all(&len.to_be_bytes())
            .and_then(|()| entries.write_all(bytes))
            .map_err(|e| format!("cannot write {}/entries: {e}", a.out.display()))
    })
    .map_err(|e| anyhow::anyhow!("cannot export the ledger: {e}"))?;
    finish("entries", entries)?;
    for (name, text) in [
        ("supporters.json", &derived.supporters),
        ("README.md", &derived.readme),
        ("checkpoint", &cp_stored.note),
    ] {
        let mut f = create(name)?;
        f.write_all(text.as_bytes())
            .with_context(|| format!("cannot write {}/{name}", a.out.display()))?;
        finish(name, f)?;
    }
    let mut compliance = create("compliance.json")?;
    derived
        .compliance
        .write(&mut compliance)
        .with_context(|| format!("cannot write {}/compliance.json", a.out.display()))?;
    finish("compliance.json", compliance)?;
    folder.commit()?;
    output::line(&format!(
        "snapshot of {} at size {} written to {}",
        cp.origin(),
        cp.size(),
        a.out.display()
    ));
    Ok(())
}

/// Refuses a snapshot destination that exists and is not an empty directory. The hidden
/// temporaries an interrupted export of an earlier version left inside it
/// (`.entries.tmp-PID`, ...) do not count: they are removed, and said.
fn refuse_nonempty(out: &Path) -> Result<()> {
    fsutil::refuse_link(out)?;
    let entries = match std::fs::read_dir(out) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(_) if !out.is_dir() => bail!("{} exists and is not a directory", out.display()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", out.display())),
    };
    let mut old_temporaries = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read {}", out.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let temporary = FILES.iter().any(|f| {
            name.strip_prefix(&format!(".{f}.tmp-"))
                .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        });
        if !temporary || !entry.file_type().is_ok_and(|t| t.is_file()) {
            bail!(
                "{} exists and is not empty; give a new directory",
                out.display()
            );
        }
        old_temporaries.push(entry.path());
    }
    for p in old_temporaries {
        std::fs::remove_file(&p).with_context(|| format!("cannot remove {}", p.display()))?;
        eprintln!(
            "note: removed {}, left by an interrupted export",
            p.display()
        );
    }
    Ok(())
}

fn fail(file: &str, msg: impl std::fmt::Display) -> anyhow::Error {
    VerificationFailed(format!("snapshot {file}: {msg}")).into()
}

/// A writer that compares what it is given with a file, from its start, and fails at the
/// first byte that differs (remembering where).
struct SameAs {
    file: std::io::BufReader<std::fs::File>,
    at: u64,
    buf: Vec<u8>,
    differs: bool,
}

impl SameAs {
    fn open(path: &Path) -> std::io::Result<Self> {
        Ok(Self {
            file: std::io::BufReader::with_capacity(
                1 << 16,
                fsutil::open_input(path, "file", None).map_err(std::io::Error::other)?,
            ),
            at: 0,
            buf: Vec::new(),
            differs: false,
        })
    }

    /// After everything was written: `None` if the file held exactly that, else the offset
    /// of the first difference.
    fn finish(mut self) -> std::io::Result<Option<u64>> {
        if self.differs {
            return Ok(Some(self.at));
        }
        let mut one = [0u8; 1];
        Ok(match self.file.read(&mut one)? {
            0 => None,
            _ => Some(self.at),
        })
    }
}

impl std::io::Write for SameAs {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.resize(data.len(), 0);
        let mut got = 0;
        while got < data.len() {
            match self.file.read(&mut self.buf[got..])? {
                0 => break,
                n => got += n,
            }
        }
        let same = data
            .iter()
            .zip(&self.buf[..got])
            .position(|(a, b)| a != b)
            .unwrap_or(got);
        self.at += same as u64;
        if same < data.len() {
            self.differs = true;
            return Err(std::io::Error::other("differs"));
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Checks that the file `name` in `dir` holds exactly what `write` writes.
fn check_file(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut SameAs) -> std::io::Result<()>,
) -> Result<()> {
    let mut same =
        SameAs::open(&dir.join(name)).map_err(|e| fail(name, format!("cannot read: {e}")))?;
    let written = write(&mut same);
    let differs = same.differs;
    if let Err(e) = written {
        if !differs {
            return Err(fail(name, format!("cannot read: {e}")));
        }
    }
    match same
        .finish()
        .map_err(|e| fail(name, format!("cannot read: {e}")))?
    {
        None => Ok(()),
        Some(at) => Err(fail(
            name,
            format!("differs from what the entries imply (first difference at byte {at})"),
        )),
    }
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
    let note_bytes = fsutil::read_input(&dir.join("checkpoint"), "file", fsutil::SMALL_FILE)
        .map_err(|e| fail("checkpoint", format!("{e:#}")))?;
    let note_text = String::from_utf8(note_bytes).map_err(|_| fail("checkpoint", "not UTF-8"))?;
    let signed = Checkpoint::open(&note_text, vkey.name().as_str(), &vkey)
        .map_err(|e| fail("checkpoint", e))?;
    let quorum = super::witness::policy(&a.witnesses)?;
    super::witness::check_quorum(
        &quorum,
        signed.note(),
        &dir.join("checkpoint").display().to_string(),
    )?;
    let cp = signed.checkpoint().clone();
    let entries = EntriesFile::open(&dir.join("entries")).map_err(|e| fail("entries", e))?;
    if entries.count() != cp.size() {
        return Err(fail(
            "entries",
            format!(
                "holds {} events, the checkpoint says {}",
                entries.count(),
                cp.size()
            ),
        ));
    }
    // The events themselves, as `verify` checks a ledger: canonical decoding, positions,
    // chain, signatures and rules, on all cores; and the Merkle root.
    let progress = crate::progress::Progress::new(cp.size(), "verify");
    let (summary, verifier) =
        match actledger_store::verify_log(&entries, |n| progress.set(n), |_, _, _, _| Ok(()))? {
            Ok(done) => done,
            Err(e) => return Err(fail("entries", e)),
        };
    progress.finish();
    // The signature matched the key given; the entries say whether that key may sign this
    // log's checkpoints: it must hold the `log` role, unrevoked, at the checkpoint's size.
    let may_sign = verifier
        .state()
        .key_has_role(vkey.public(), actledger_core::Role::Log);
    // The rule state (~80 MB at 1M events) is not needed by the derivation below.
    drop(verifier);
    if !may_sign {
        return Err(fail(
            "checkpoint",
            format!(
                "signed by {}, a key that does not hold the log role at size {} (the entries grant it no such role, or revoked it)",
                vkey.public(),
                cp.size()
            ),
        ));
    }
    if summary.root != *cp.root() {
        return Err(fail(
            "entries",
            format!(
                "Merkle root {} is not the checkpoint's {}",
                summary.root.to_base64(),
                cp.root().to_base64()
            ),
        ));
    }
    let derived = derive(&entries, &note_text, &cp, |_| Ok(())).map_err(|e| fail("entries", e))?;
    for (name, want) in [
        ("supporters.json", &derived.supporters),
        ("README.md", &derived.readme),
    ] {
        check_file(dir, name, |w| w.write_all(want.as_bytes()))?;
    }
    check_file(dir, "compliance.json", |w| derived.compliance.write(w))?;
    // Every proof, checked as a third party would, against the checkpoint.
    let sup: serde_json::Value =
        serde_json::from_str(&derived.supporters).map_err(|e| fail("supporters.json", e))?;
    let mut proofs = 0;
    let proved = sup["supporters"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(sup["attestations"].as_array().into_iter().flatten());
    for s in proved {
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
        entries.count(),
        proofs
    ));
    Ok(())
}

pub fn export_tiles(ctx: &Ctx, a: ExportTilesArgs) -> Result<()> {
    let ledger = ctx.open_read_only()?;
    let cp_stored = super::transparency::latest(&ledger)?;
    let new_size = cp_stored.size;
    fsutil::refuse_link(&a.out)?;
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    let current = a.out.join("checkpoint");
    let old_size = if std::fs::symlink_metadata(&current).is_ok() {
        let text = fsutil::read_text(&current, "checkpoint", fsutil::SMALL_FILE)?;
        let note = Note::parse(&text).with_context(|| format!("{}", current.display()))?;
        Checkpoint::from_note(&note)?.size()
    } else {
        0
    };
    if old_size > new_size {
        bail!(
            "{} holds a larger log (size {old_size}) than this ledger's checkpoint ({new_size})",
            a.out.display()
        );
    }
    // Read through the tile seam (the ledger's stored tiles), one file at a time.
    let mut failed: Option<anyhow::Error> = None;
    let written =
        actledger_store::for_each_tile_file(&ledger, old_size, new_size, |name, bytes| {
            let path = a.out.join(name);
            let done = create_dirs_within(&a.out, &path)
                .and_then(|()| fsutil::write_atomic(&path, &bytes));
            done.map_err(|e| {
                let msg = format!("{e:#}");
                failed = Some(e);
                StoreError::Corrupted(msg)
            })
        });
    if let Some(e) = failed {
        return Err(e);
    }
    let count = written?;
    // The checkpoint last: readers never see a checkpoint whose tiles are missing.
    fsutil::write_atomic(&a.out.join("checkpoint"), cp_stored.note.as_bytes())?;
    output::line(&format!(
        "tiles of {} up to size {new_size} in {}: {} tile files written (from size {old_size})",
        ledger_origin(&cp_stored.note),
        a.out.display(),
        count
    ));
    Ok(())
}

/// Creates the folders between `root` and the file `path` under it, refusing any that is a
/// symbolic link (a `tile/0` link planted in the output would send tiles elsewhere).
fn create_dirs_within(root: &Path, path: &Path) -> Result<()> {
    let Some(rel) = path.parent().and_then(|p| p.strip_prefix(root).ok()) else {
        return Ok(());
    };
    let mut at = root.to_path_buf();
    for part in rel.components() {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                bail!(
                    "refusing to write under {}: it is a symbolic link",
                    at.display()
                )
            }
            Ok(m) if m.is_dir() => {}
            Ok(_) => bail!("{} is not a directory", at.display()),
            Err(_) => match std::fs::create_dir(&at) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && at.is_dir() => {}
                Err(e) => return Err(e).with_context(|| format!("cannot create {}", at.display())),
            },
        }
    }
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
    fn a_file_is_compared_byte_for_byte_and_the_first_difference_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f"), b"hello, world").unwrap();
        let check = |parts: &[&[u8]]| {
            check_file(dir.path(), "f", |w| {
                parts
                    .iter()
                    .try_for_each(|p| std::io::Write::write_all(w, p))
            })
            .map_err(|e| e.to_string())
        };
        assert_eq!(check(&[b"hello", b", ", b"world"]), Ok(()));
        let at = |n: u64| {
            Err(format!(
                "snapshot f: differs from what the entries imply (first difference at byte {n})"
            ))
        };
        assert_eq!(check(&[b"hello", b", W"]), at(7));
        assert_eq!(check(&[b"Hello"]), at(0));
        assert_eq!(check(&[b"hello, world!"]), at(12), "longer than the file");
        assert_eq!(check(&[b"hello"]), at(5), "shorter than the file");
        assert_eq!(check(&[]), at(0));
        let missing = check_file(dir.path(), "none", |_| Ok(())).unwrap_err();
        assert!(missing
            .to_string()
            .starts_with("snapshot none: cannot read"));
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
            let mut written = Vec::new();
            write_pretty_with_array(&mut written, &members, "votes", items.len(), items.iter())
                .unwrap();
            assert_eq!(String::from_utf8(written).unwrap(), want, "{n} items");
        }
    }
}
