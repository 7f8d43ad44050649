//! The tlog-tiles read path against `export tiles`.

use std::path::Path;

use crate::server::{demo, Server};
use crate::util::Env;

fn files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(root, &p, out);
        } else {
            out.push(p.strip_prefix(root).unwrap().to_str().unwrap().to_string());
        }
    }
}

#[test]
fn every_served_path_is_the_exported_file() {
    let env = Env::new();
    let log = demo(&env);
    env.ok(&["checkpoint", "--key", &log]);
    let out = env.path("tiles");
    env.ok(&["export", "tiles", "--out", out.to_str().unwrap()]);
    let mut paths = Vec::new();
    files(&out, &out, &mut paths);
    paths.sort();
    assert!(paths.iter().any(|p| p == "tile/0/000"), "{paths:?}");
    assert!(
        paths.iter().any(|p| p.starts_with("tile/entries/001.p/")),
        "{paths:?}"
    );
    let server = Server::start(&env.ledger(), &[]);
    for p in &paths {
        let want = std::fs::read(out.join(p)).unwrap();
        let r = server.get(p);
        assert_eq!(r.status, 200, "{p}: {}", r.text());
        assert_eq!(r.body, want, "{p} differs from the exported file");
        let partial = p.contains(".p/");
        let (ctype, cache) = if p == "checkpoint" {
            ("text/plain; charset=utf-8", "public, max-age=1")
        } else if partial {
            ("application/octet-stream", "public, max-age=1")
        } else {
            (
                "application/octet-stream",
                "public, max-age=31536000, immutable",
            )
        };
        assert_eq!(r.content_type.as_deref(), Some(ctype), "{p}");
        let head = server.client.head(&server.url(p)).unwrap();
        assert_eq!(head.status, 200, "HEAD {p}");
        assert!(head.body.is_empty(), "HEAD {p} has a body");
        assert_eq!(head.header("cache-control"), Some(cache), "HEAD {p}");
        assert_eq!(r.header("cache-control"), Some(cache), "{p}");
    }
    // Beyond the tree: 404. Malformed: 400. Both say why.
    let size: u64 = std::fs::read_to_string(out.join("checkpoint"))
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let beyond = [
        format!("tile/entries/{:03}", size / 256 + 1),
        format!("tile/0/{:03}", size / 256),
        format!("tile/0/{:03}.p/{}", size / 256, size % 256 + 1),
        "tile/2/000.p/1".to_string(),
    ];
    for p in &beyond {
        let r = server.get(p);
        assert_eq!(r.status, 404, "{p}: {}", r.text());
        assert!(r.text().contains("beyond the tree"), "{p}: {}", r.text());
    }
    for p in [
        "tile/0/0000",
        "tile/00/000",
        "tile/0/000.p/256",
        "tile/0/000.p/0",
        "tile/x/000",
        "tile/0/x000/001",
    ] {
        let r = server.get(p);
        assert_eq!(r.status, 400, "{p}: {}", r.text());
        assert!(
            r.text().contains("not a tlog-tiles path"),
            "{p}: {}",
            r.text()
        );
    }
    assert_eq!(server.get("nothing/here").status, 404);
    server.stop();
}

#[test]
fn a_local_writer_is_sent_to_the_server() {
    let env = Env::new();
    demo(&env);
    let server = Server::start(&env.ledger(), &[]);
    let dep = env.ledger().join("keys/depositary.key");
    let err = env.fails(
        2,
        &[
            "record",
            "--key",
            dep.to_str().unwrap(),
            "adherence",
            "--state",
            "DEU",
            "--date",
            "2016-01-01",
            "--source",
            "s",
        ],
    );
    let want = format!(
        "is served by process {}: use --remote {}",
        server.child.id(),
        server.url
    );
    assert!(err.contains(&want), "{err}");
    // No checkpoint was recorded: the read path says so.
    let r = server.get("checkpoint");
    assert_eq!(r.status, 404, "{}", r.text());
    server.stop();
    // After a clean stop, the ledger is the CLI's again.
    env.ok(&["verify"]);
}

/// The log read over HTTP behind the store's tile seam (`actledger_http::http_log::HttpLog`)
/// gives what the sled ledger gives through the same seam: the root, proofs and tile files,
/// written once in `actledger_store::tile_log`; and a tile beyond the served tree is an error.
#[test]
fn a_log_read_over_http_proves_what_the_ledger_proves() {
    use actledger_store::{Ledger, OpenOptions, TileReader};
    let env = Env::new();
    let log = demo(&env);
    let (m, n) = {
        env.ok(&["checkpoint", "--key", &log]);
        let (m, _) = env.verify();
        let dep = env.ledger().join("keys/depositary.key");
        env.ok(&[
            "record",
            "--key",
            dep.to_str().unwrap(),
            "adherence",
            "--state",
            "BRA",
            "--date",
            "2024-01-15",
            "--source",
            "s",
        ]);
        env.ok(&["checkpoint", "--key", &log]);
        (m, env.verify().0)
    };
    let local = {
        let opts = OpenOptions {
            read_only: true,
            ..OpenOptions::default()
        };
        let l = Ledger::open(&env.ledger(), &opts).unwrap();
        (
            actledger_store::root(&l, n).unwrap(),
            actledger_store::consistency_proof(&l, m, n).unwrap(),
            actledger_store::inclusion_proof(&l, 3, n).unwrap(),
            actledger_store::tile_files(&l, m, n).unwrap(),
            l.read_checkpoint().unwrap(),
        )
    };
    let server = Server::start(&env.ledger(), &[]);
    let http = actledger_http::http_log::HttpLog::new(
        &server.url(""),
        std::time::Duration::from_secs(5),
        n,
    );
    assert_eq!(actledger_store::root(&http, n).unwrap(), local.0);
    assert_eq!(
        actledger_store::consistency_proof(&http, m, n).unwrap(),
        local.1
    );
    assert_eq!(
        actledger_store::inclusion_proof(&http, 3, n).unwrap(),
        local.2
    );
    assert_eq!(actledger_store::tile_files(&http, m, n).unwrap(), local.3);
    assert_eq!(http.read_checkpoint().unwrap(), local.4);
    actledger_store::verify_tiles(&http, n, &local.0).unwrap();
    // Beyond the published tree: the server answers 404, an error naming the URL.
    let beyond = http
        .read_entry_bundle(n / 256 + 1, 1)
        .unwrap_err()
        .to_string();
    assert!(
        beyond.contains("tile/entries/") && beyond.contains("404"),
        "{beyond}"
    );
}
