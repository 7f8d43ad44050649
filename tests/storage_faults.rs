//! A full file system and a read-only ledger directory: appending fails cleanly (exit 2, one
//! line, no panic), and once space or write access is back the ledger verifies with the same
//! head and takes appends again.
//!
//! These need a small file system or a read-only mount. As root they mount a tmpfs (`mount -t
//! tmpfs -o size=..`, then `mount -o remount,ro`); without root they use `chmod -R a-w` (root
//! bypasses permission bits, so as root that case runs the binary as `nobody` with `setpriv`).
//! Where the machine allows none of it, each test prints why it skipped and passes.
#![allow(clippy::unwrap_used)]

mod synth;
mod util;

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use synth::{bin, Rng};

fn sh(program: &str, args: &[&str]) -> Result<(), String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{program} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

/// A tmpfs mounted for the duration of a test (lazily unmounted on drop).
struct Tmpfs {
    path: PathBuf,
}

impl Tmpfs {
    fn mount(path: &Path, size: &str) -> Result<Self, String> {
        if !is_root() {
            return Err("not root: cannot mount a tmpfs".into());
        }
        std::fs::create_dir_all(path).unwrap();
        sh(
            "mount",
            &[
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size}"),
                "tmpfs",
                path.to_str().unwrap(),
            ],
        )?;
        Ok(Self {
            path: path.to_path_buf(),
        })
    }

    fn remount(&self, mode: &str) {
        sh(
            "mount",
            &[
                "-o",
                &format!("remount,{mode}"),
                self.path.to_str().unwrap(),
            ],
        )
        .unwrap();
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = sh("umount", &["-l", self.path.to_str().unwrap()]);
    }
}

/// Skips a test that needs root (mount, setpriv) and cannot run here; with
/// `ACTLEDGER_REQUIRE_ROOT_FAULTS=1` (set by `.ci/run`, which runs as root) a skip is a failure.
fn skip(test: &str, why: &str) {
    if std::env::var_os("ACTLEDGER_REQUIRE_ROOT_FAULTS").is_some_and(|v| v == "1") {
        panic!("{test}: cannot run ({why}) but ACTLEDGER_REQUIRE_ROOT_FAULTS=1 requires it");
    }
    eprintln!("{test}: SKIPPED: {why}");
}

struct Keys {
    admin: String,
    dep: String,
    rec: String,
}

fn actledger(ledger: &Path, args: &[&str]) -> Output {
    synth::wait_sled_released(ledger);
    util::actledger_on(ledger).args(args).output().unwrap()
}

fn ok(ledger: &Path, args: &[&str]) -> String {
    let out = actledger(ledger, args);
    assert!(
        out.status.success(),
        "actledger {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Exit 2, exactly one line on stderr, nothing on stdout, no panic. Returns the line.
fn fails_cleanly(out: &Output, what: &str) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{what}: {err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{what}: not one line: {err}"
    );
    assert!(err.starts_with("error: "), "{what}: {err}");
    // No cause is said twice (an error that prints its source is not followed by it again).
    let causes: Vec<&str> = err.trim_end().split(": ").collect();
    for w in causes.windows(2) {
        assert_ne!(w[0], w[1], "{what}: repeated cause: {err}");
    }
    assert!(err.matches("(os error").count() <= 1, "{what}: {err}");
    assert!(out.stdout.is_empty(), "{what}: printed {:?}", out.stdout);
    err.trim_end().to_string()
}

/// `verify --json` → (events, head).
fn head(ledger: &Path) -> (u64, String) {
    let out = ok(ledger, &["verify", "--json"]);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["ok"], true);
    (
        v["events"].as_u64().unwrap(),
        v["head"].as_str().unwrap().to_string(),
    )
}

/// Keys in `keys_dir` and a ledger at `ledger` with some events.
fn ledger_with_events(keys_dir: &Path, ledger: &Path) -> Keys {
    let key = |n: &str| {
        keys_dir
            .join(format!("{n}.key"))
            .to_str()
            .unwrap()
            .to_string()
    };
    let keys = Keys {
        admin: key("admin"),
        dep: key("dep"),
        rec: key("rec"),
    };
    for k in [&keys.admin, &keys.dep, &keys.rec] {
        ok(ledger, &["key", "new", "--out", k]);
    }
    ok(
        ledger,
        &[
            "init",
            "--origin",
            "faults.example/l",
            "--admin-key",
            &keys.admin,
        ],
    );
    for (k, role) in [(&keys.dep, "depositary"), (&keys.rec, "recorder")] {
        ok(ledger, &util::grant_args(&keys.admin, k, role, role));
    }
    for s in ["FRA", "GBR", "DEU"] {
        ok(ledger, &adherence(&keys.dep, s));
    }
    keys
}

fn adherence<'a>(dep: &'a str, state: &'a str) -> [&'a str; 10] {
    util::adherence_args(dep, state, "storage faults")
}

/// Fills the file system holding `dir` until a write fails with "no space".
fn fill(dir: &Path) -> PathBuf {
    let p = dir.join("filler");
    let mut f = std::fs::File::create(&p).unwrap();
    let block = vec![0x55u8; 16 * 1024];
    loop {
        if let Err(e) = f.write_all(&block).and_then(|()| f.sync_all()) {
            assert_eq!(e.raw_os_error(), Some(28), "expected ENOSPC: {e}");
            break;
        }
    }
    // And the last few bytes.
    while f.write_all(&[0x55]).is_ok() {}
    p
}

#[test]
fn full_file_system_fails_cleanly_and_keeps_the_ledger() {
    const T: &str = "storage_faults/full";
    let tmp = tempfile::tempdir().unwrap();
    let fs = match Tmpfs::mount(&tmp.path().join("mnt"), "4m") {
        Ok(fs) => fs,
        Err(why) => return skip(T, &why),
    };
    let ledger = fs.path.join("ledger");
    let keys = ledger_with_events(tmp.path(), &ledger);
    let before = head(&ledger);
    let mut rng = Rng::new(0xd15c_f011);
    let (members, _) = synth::members_csv(&mut rng, 1946..=2026);
    let csv = tmp.path().join("members.csv");
    std::fs::write(&csv, members).unwrap();

    let filler = fill(&fs.path);
    // A large import (1,215 events, one commit chunk): refused cleanly.
    let out = actledger(
        &ledger,
        &[
            "import",
            "members",
            csv.to_str().unwrap(),
            "--key",
            &keys.rec,
        ],
    );
    let err = fails_cleanly(&out, "import on a full file system");
    eprintln!("{T}: import: {err}");
    // A single record: it may fit in space sled already holds; if not, it fails cleanly.
    let out = actledger(&ledger, &adherence(&keys.dep, "ITA"));
    let recorded = if out.status.success() {
        eprintln!("{T}: record: succeeded (fitted in allocated space)");
        true
    } else {
        eprintln!(
            "{T}: record: {}",
            fails_cleanly(&out, "record on a full file system")
        );
        false
    };
    // Readers on the full file system: they work, or fail cleanly. (sled writes a snapshot
    // when it opens; a failed one used to leave a file that made every later open report
    // corruption, even after space was freed.)
    for args in [&["verify"][..], &["log"], &["supporters"]] {
        let out = actledger(&ledger, args);
        if out.status.success() {
            eprintln!("{T}: {args:?}: succeeded");
        } else {
            eprintln!(
                "{T}: {args:?}: {}",
                fails_cleanly(&out, &format!("{args:?}"))
            );
        }
    }

    std::fs::remove_file(filler).unwrap();
    let after = head(&ledger);
    if recorded {
        assert_eq!(after.0, before.0 + 1, "the recorded event is there");
    } else {
        assert_eq!(after, before, "a failed append changed the ledger");
    }
    // Space is back: appends work again and the import completes.
    ok(
        &ledger,
        &[
            "import",
            "members",
            csv.to_str().unwrap(),
            "--key",
            &keys.rec,
        ],
    );
    assert_eq!(head(&ledger).0, after.0 + 1215);
    eprintln!("{T}: after freeing space: verified, same head, then appends succeeded");
}

#[test]
fn read_only_mount_fails_cleanly_and_keeps_the_ledger() {
    const T: &str = "storage_faults/read-only mount";
    let tmp = tempfile::tempdir().unwrap();
    let fs = match Tmpfs::mount(&tmp.path().join("mnt"), "64m") {
        Ok(fs) => fs,
        Err(why) => return skip(T, &why),
    };
    let ledger = fs.path.join("ledger");
    let keys = ledger_with_events(tmp.path(), &ledger);
    let before = head(&ledger);
    synth::wait_sled_released(&ledger);
    fs.remount("ro");
    let err = fails_cleanly(&actledger(&ledger, &adherence(&keys.dep, "ITA")), "record");
    assert!(err.contains("Read-only file system"), "{err}");
    eprintln!("{T}: record: {err}");
    // Readers need write access too (the lock file, and sled opens its files read-write).
    let err = fails_cleanly(&actledger(&ledger, &["verify"]), "verify");
    eprintln!("{T}: verify: {err}");
    fs.remount("rw");
    assert_eq!(head(&ledger), before);
    ok(&ledger, &adherence(&keys.dep, "ITA"));
    assert_eq!(head(&ledger).0, before.0 + 1);
}

fn chmod_tree(p: &Path, writable: bool) {
    let meta = std::fs::symlink_metadata(p).unwrap();
    let mut mode = meta.permissions().mode();
    if writable {
        mode |= 0o200;
    } else {
        mode &= !0o222;
    }
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    if meta.is_dir() {
        for e in std::fs::read_dir(p).unwrap() {
            chmod_tree(&e.unwrap().path(), writable);
        }
    }
}

#[test]
fn read_only_directory_fails_cleanly_and_keeps_the_ledger() {
    const T: &str = "storage_faults/chmod -R a-w";
    let tmp = tempfile::tempdir().unwrap();
    // As root, permission bits do not bind: run the binary as nobody.
    let as_nobody = is_root();
    if as_nobody {
        if let Err(why) = sh(
            "setpriv",
            &["--reuid=65534", "--regid=65534", "--clear-groups", "true"],
        ) {
            return skip(T, &format!("root, and cannot drop to nobody: {why}"));
        }
        if !path_traversable_by_others(&bin()) {
            return skip(T, "the binary is not reachable by nobody");
        }
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let run = |ledger: &Path, args: &[&str]| -> Output {
        synth::wait_sled_released(ledger);
        let mut c = if as_nobody {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(bin());
            c
        } else {
            Command::new(bin())
        };
        c.env("ACTLEDGER_DIR", ledger).args(args).output().unwrap()
    };
    let ok_as = |ledger: &Path, args: &[&str]| -> String {
        let out = run(ledger, args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let home = tmp.path().join("home");
    std::fs::create_dir(&home).unwrap();
    if as_nobody {
        sh("chown", &["65534:65534", home.to_str().unwrap()]).unwrap();
    }
    let ledger = home.join("ledger");
    let key = |n: &str| home.join(format!("{n}.key")).to_str().unwrap().to_string();
    let (admin, dep) = (key("admin"), key("dep"));
    ok_as(&ledger, &["key", "new", "--out", &admin]);
    ok_as(&ledger, &["key", "new", "--out", &dep]);
    ok_as(
        &ledger,
        &[
            "init",
            "--origin",
            "faults.example/ro",
            "--admin-key",
            &admin,
        ],
    );
    ok_as(&ledger, &util::grant_args(&admin, &dep, "depositary", "d"));
    ok_as(&ledger, &adherence(&dep, "FRA"));
    let verify = |ledger: &Path| -> (u64, String) {
        let out = ok_as(ledger, &["verify", "--json"]);
        let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(v["ok"], true);
        (
            v["events"].as_u64().unwrap(),
            v["head"].as_str().unwrap().to_string(),
        )
    };
    let before = verify(&ledger);
    chmod_tree(&ledger, false);
    let err = fails_cleanly(&run(&ledger, &adherence(&dep, "GBR")), "record");
    assert!(err.contains("Permission denied"), "{err}");
    eprintln!(
        "{T}: record{}: {err}",
        if as_nobody { " (as nobody)" } else { "" }
    );
    chmod_tree(&ledger, true);
    assert_eq!(verify(&ledger), before);
    ok_as(&ledger, &adherence(&dep, "GBR"));
    assert_eq!(verify(&ledger).0, before.0 + 1);
}

/// Whether every directory above `p` lets others search it, and `p` lets others run it.
fn path_traversable_by_others(p: &Path) -> bool {
    let mut ok = std::fs::metadata(p).is_ok_and(|m| m.permissions().mode() & 0o001 != 0);
    let mut cur = p.parent();
    while let Some(d) = cur {
        ok &= std::fs::metadata(d).is_ok_and(|m| m.permissions().mode() & 0o001 != 0);
        cur = d.parent();
    }
    ok
}
