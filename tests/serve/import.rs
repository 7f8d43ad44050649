//! `import --remote`: the same import as a local one, all or nothing, idempotent.

use std::path::Path;

use crate::server::Server;
use crate::util::Env;

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn a_remote_import_is_the_local_one_all_or_nothing() {
    let env = Env::new();
    env.standard();
    let dep = env.key("dep");
    // The same ledger, for a local import to compare with.
    let twin = env.path("twin");
    copy_dir(&env.ledger(), &twin);
    let local = env.ok(&[
        "--ledger",
        twin.to_str().unwrap(),
        "import",
        "supporters",
        &data("supporters.csv"),
        "--key",
        &dep,
        "--json",
    ]);

    let server = Server::start(&env.ledger(), &[]);
    let remote = |file: &str, code: i32| {
        let out = env
            .cmd()
            .env_remove("ACTLEDGER_DIR")
            .args(["import", "supporters", file, "--key", &dep, "--json"])
            .args(["--remote", &server.url])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let size = |s: &Server| -> u64 {
        let v: serde_json::Value = serde_json::from_slice(&s.get("head").body).unwrap();
        v["size"].as_u64().unwrap()
    };
    let before = size(&server);
    let (first, _) = remote(&data("supporters.csv"), 0);
    assert_eq!(
        first, local,
        "the remote import's summary differs from the local one"
    );
    let v: serde_json::Value = serde_json::from_str(&first).unwrap();
    let new = v["new"].as_u64().unwrap();
    assert!(new > 30, "{first}");
    assert_eq!(size(&server), before + new);

    // Again: nothing new (idempotent).
    let (again, _) = remote(&data("supporters.csv"), 0);
    let v: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(v["new"], 0, "{again}");
    assert_eq!(v["unchanged"], new, "{again}");
    assert_eq!(size(&server), before + new);

    // A file with a good row and then a bad one: refused, naming the line; nothing written.
    let bad = env.path("bad.csv");
    let text = std::fs::read_to_string(data("supporters.csv")).unwrap();
    let header = text.lines().next().unwrap();
    std::fs::write(
        &bad,
        format!(
            "{header}\nBrazil,BRA,2024-01-15,,,https://example.org/bra\nNowhere,ZZZ,2099-01-15,,,https://example.org/zzz\n"
        ),
    )
    .unwrap();
    let (_, err) = remote(bad.to_str().unwrap(), 2);
    assert!(err.contains("line 3"), "{err}");
    assert_eq!(
        size(&server),
        before + new,
        "a refused import wrote something"
    );
    server.stop();
    env.verify();
}
