//! The write path: remote signers, bad requests, racing writers, a killed server.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actledger_core::chain;
use actledger_core::event::{DraftTabled, EventBody, Fact};
use actledger_core::tiles::encode_entry_bundle;
use actledger_core::{DraftSymbol, SigningKey, Text};
use actledger_http::serve::remote::{Landed, RemoteHead, RemoteLog};
use actledger_store::{Ledger, LogReader, OpenOptions};

use crate::server::{demo, Server};
use crate::util::Env;

fn draft(year: u16, n: u32) -> EventBody {
    EventBody::Fact(Fact::DraftTabled(DraftTabled {
        draft: DraftSymbol::new(year, n).unwrap(),
        subject: Text::new("remote test").unwrap(),
        agenda_item: Text::empty(),
        penholders: vec![],
        tabled_on: None,
        reported_vote: None,
        source: Text::new("tests/serve/write.rs").unwrap(),
        note: Text::empty(),
    }))
}

fn key(env: &Env, name: &str) -> SigningKey {
    let p = env.ledger().join("keys").join(format!("{name}.key"));
    SigningKey::from_key_file(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn json(r: &actledger_http::client::Response) -> serde_json::Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|_| panic!("not JSON: {}", r.text()))
}

fn head(server: &Server) -> RemoteHead {
    RemoteLog::new(&server.url).head().unwrap()
}

#[test]
fn record_remote_signs_here_and_lands_once() {
    let env = Env::new();
    let log = demo(&env);
    let server = Server::start(&env.ledger(), &["--log-key", &log]);
    let before = head(&server);
    let rec = env.ledger().join("keys/recorder.key");
    // From another directory, with no ledger: only the URL and the key.
    let record = || {
        env.cmd()
            .env_remove("ACTLEDGER_DIR")
            .args(["record", "--remote", &server.url, "--key"])
            .arg(&rec)
            .args([
                "draft",
                "--draft",
                "S/2030/1",
                "--subject",
                "x",
                "--source",
                "s",
            ])
            .output()
            .unwrap()
    };
    let out = record();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with(&format!(
            "recorded seq {} (DraftTabled), hash ",
            before.size
        )),
        "{stdout}"
    );
    let after = head(&server);
    assert_eq!(after.size, before.size + 1);
    assert!(stdout.trim().ends_with(&after.head.to_hex()), "{stdout}");

    // Resubmitting the same bytes (a client whose answer was lost) gives the same seq.
    // The entry is published with a checkpoint covering it: ask for one now.
    let cp = server
        .client
        .post(&server.url("checkpoint"), "text/plain", b"")
        .unwrap();
    assert_eq!(cp.status, 200, "{}", cp.text());
    assert_eq!(
        cp.text().lines().nth(1),
        Some(after.size.to_string().as_str())
    );
    let b = server.get(&format!(
        "tile/entries/{:03}.p/{}",
        after.size / 256,
        after.size % 256
    ));
    assert_eq!(b.status, 200, "{}", b.text());
    let bytes = actledger_core::tiles::parse_entry_bundle(&b.body)
        .unwrap()
        .last()
        .unwrap()
        .to_vec();
    let r = server.post("events", &bytes);
    assert_eq!(r.status, 200, "{}", r.text());
    let v = json(&r);
    assert_eq!(v["seq"], before.size);
    assert_eq!(v["duplicate"], true);
    assert_eq!(head(&server), after);

    // The same fact again is refused by the rules, with the CLI's message.
    let out = record();
    assert_eq!(out.status.code(), Some(2));
    let remote_err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(remote_err.contains("already tabled"), "{remote_err}");
    assert!(remote_err.contains("answered 422"), "{remote_err}");
    assert_eq!(head(&server), after);
    server.stop();
    let (n, h) = env.verify();
    assert_eq!((n, h), (after.size, after.head.to_hex()));
    // The same command on the ledger itself prints the same line (the server adds who
    // answered).
    let local = env.fails(
        2,
        &[
            "record",
            "--key",
            rec.to_str().unwrap(),
            "draft",
            "--draft",
            "S/2030/1",
            "--subject",
            "x",
            "--source",
            "s",
        ],
    );
    assert!(
        remote_err.starts_with(local.trim_end()),
        "remote: {remote_err}\nlocal: {local}"
    );
}

/// Every refusal: the status, the CLI's one-line error, nothing written, and the server
/// still answers.
#[test]
fn bad_requests_are_refused_and_write_nothing() {
    let env = Env::new();
    demo(&env);
    let server = Server::start(
        &env.ledger(),
        &["--header-timeout", "1", "--request-timeout", "2"],
    );
    let before = head(&server);
    let rec = key(&env, "recorder");
    let good = |body: EventBody, k: &SigningKey| {
        RemoteLog::seal(k, &before, &[body])
            .unwrap()
            .remove(0)
            .bytes
    };
    let mut bad_sig = good(draft(2031, 1), &rec);
    let last = bad_sig.len() - 1;
    bad_sig[last] ^= 1;
    let stale = RemoteHead {
        size: before.size - 1,
        head: chain::event_hash(&server.get("tile/entries/000.p/1").body),
        recorded_at: before.recorded_at,
    };
    let stale = RemoteLog::seal(&rec, &stale, &[draft(2031, 2)])
        .unwrap()
        .remove(0)
        .bytes;
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "garbage",
            b"garbage".to_vec(),
            400,
            "rejected: cannot decode stored bytes",
        ),
        (
            "empty",
            Vec::new(),
            400,
            "rejected: cannot decode stored bytes",
        ),
        (
            "unknown key",
            good(draft(2031, 3), &SigningKey::generate()),
            403,
            "is not a key of this ledger",
        ),
        ("bad signature", bad_sig, 403, "rejected: bad signature"),
        (
            "missing role",
            good(draft(2031, 4), &key(&env, "depositary")),
            403,
            "lacks the recorder role",
        ),
        ("stale head", stale, 409, "stale head"),
        ("oversized", vec![1u8; 70_000], 413, ""),
    ];
    for (what, body, status, msg) in cases {
        let r = server.post("events", &body);
        assert_eq!(r.status, status, "{what}: {}", r.text());
        if !msg.is_empty() {
            let v = json(&r);
            assert!(
                v["error"].as_str().unwrap().contains(msg),
                "{what}: {}",
                r.text()
            );
        }
        if status == 409 {
            let v = json(&r);
            assert_eq!(v["size"], before.size, "{what}");
            assert_eq!(v["head"], before.head.to_hex(), "{what}");
        }
        assert_eq!(head(&server), before, "{what} wrote something");
    }
    // A batch is all or nothing: a good event then one the rules refuse (the same draft
    // tabled twice) writes neither.
    let sealed = RemoteLog::seal(&rec, &before, &[draft(2032, 1), draft(2032, 1)]).unwrap();
    let bytes: Vec<&[u8]> = sealed.iter().map(|s| s.bytes.as_slice()).collect();
    let r = server.post("events/batch", &encode_entry_bundle(0, &bytes).unwrap());
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(
        json(&r)["error"]
            .as_str()
            .unwrap()
            .starts_with("event 1 of the batch: rejected: draft S/2032/1 was already tabled"),
        "{}",
        r.text()
    );
    assert_eq!(head(&server), before);
    for (what, body) in [
        ("empty batch", Vec::new()),
        ("truncated batch", vec![0, 9, 1]),
    ] {
        let r = server.post("events/batch", &body);
        assert_eq!(r.status, 400, "{what}: {}", r.text());
    }

    // A client sending its headers a byte at a time is cut off (header timeout 1 s).
    let addr = server.url.trim_start_matches("http://").to_string();
    let mut slow = TcpStream::connect(&addr).unwrap();
    let request = b"GET /head HTTP/1.1\r\nHost: x\r\nX-Padding: aaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    let mut cut = false;
    for b in request.iter() {
        if slow.write_all(&[*b]).is_err() {
            cut = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    if !cut {
        // Every byte was accepted by the socket: the server must have closed it anyway
        // (nothing to read but the end, or an error response), never answered 200.
        slow.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut answer = Vec::new();
        let _ = slow.read_to_end(&mut answer);
        assert!(
            !String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"),
            "a slow client was served"
        );
    }

    // A clock far ahead: refused by the server (a later event could not be earlier).
    let ahead = RemoteHead {
        recorded_at: Some(actledger_core::Timestamp(
            actledger_core::Timestamp::now().0 + 3600,
        )),
        ..before
    };
    let future = RemoteLog::seal(&rec, &ahead, &[draft(2031, 7)]).unwrap();
    let r = server.post("events", &future[0].bytes);
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(
        r.text().contains("ahead of the server's clock"),
        "{}",
        r.text()
    );
    assert_eq!(head(&server), before);

    // A body that never finishes: 408 once the request timeout (2 s) passes.
    let mut stuck = TcpStream::connect(&addr).unwrap();
    stuck
        .write_all(b"POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\nabc")
        .unwrap();
    stuck
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut answer = [0u8; 12];
    stuck.read_exact(&mut answer).unwrap();
    assert_eq!(&answer, b"HTTP/1.1 408");
    assert_eq!(head(&server), before);

    // A thousand idle connections do not stop it serving.
    let idle: Vec<TcpStream> = (0..1000)
        .map(|_| TcpStream::connect(&addr).unwrap())
        .collect();
    let r = server.get("head");
    assert_eq!(r.status, 200);
    assert_eq!(json(&r)["size"], before.size);
    drop(idle);
    assert_eq!(server.get("checkpoint").status, 404);
    server.stop();
    let (n, _) = env.verify();
    assert_eq!(n, before.size);
}

/// Four writers append 250 events each through `RemoteLog` (as `record --remote` does).
fn race(
    server_url: &str,
    rec: &SigningKey,
    year: u16,
    landed: &Arc<Mutex<Vec<Landed>>>,
    count: &Arc<AtomicUsize>,
) {
    std::thread::scope(|s| {
        for w in 0..4u32 {
            let landed = landed.clone();
            let count = count.clone();
            s.spawn(move || {
                let log = RemoteLog::new(server_url);
                for i in 0..250u32 {
                    let l = log
                        .append(rec, &draft(year, w * 250 + i + 1))
                        .unwrap_or_else(|e| panic!("writer {w} event {i}: {e}"));
                    landed.lock().unwrap().push(l);
                    count.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
    });
}

/// What the ledger holds after a race: every acknowledged event, at its seq, once.
fn check_landed(env: &Env, before: u64, landed: &[Landed], year: u16) {
    let (n, _) = env.verify();
    assert_eq!(n, before + 1000, "events in the ledger");
    assert_eq!(landed.len(), 1000);
    let ledger = Ledger::open(&env.ledger(), &OpenOptions::default()).unwrap();
    let mut seqs: Vec<u64> = landed.iter().map(|l| l.seq.0).collect();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), 1000, "two acknowledgements name one seq");
    for l in landed {
        let bytes = ledger
            .get(l.seq.0)
            .unwrap()
            .expect("an acknowledged event is missing");
        assert_eq!(chain::event_hash(&bytes), l.hash, "seq {}", l.seq);
    }
    let mut drafts = Vec::new();
    for seq in before..before + 1000 {
        let ev = chain::decode_event(&ledger.get(seq).unwrap().unwrap()).unwrap();
        match ev.unsigned.body {
            EventBody::Fact(Fact::DraftTabled(d)) => drafts.push(d.draft),
            other => panic!("seq {seq}: {other:?}"),
        }
    }
    drafts.sort();
    drafts.dedup();
    assert_eq!(drafts.len(), 1000, "an event landed twice");
    assert!(drafts.iter().all(|d| d.year() == year));
}

#[test]
fn four_remote_writers_racing_land_every_event_once() {
    let env = Env::new();
    demo(&env);
    let server = Server::start(&env.ledger(), &[]);
    let before = head(&server).size;
    let rec = key(&env, "recorder");
    let landed = Arc::new(Mutex::new(Vec::new()));
    race(
        &server.url,
        &rec,
        2033,
        &landed,
        &Arc::new(AtomicUsize::new(0)),
    );
    server.stop();
    check_landed(&env, before, &landed.lock().unwrap(), 2033);
}

#[test]
fn a_server_killed_mid_race_loses_no_acknowledged_event() {
    let env = Env::new();
    demo(&env);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let server = Server::start_at(&env.ledger(), &listen, &[]);
    let before = head(&server).size;
    let url = server.url.clone();
    let rec = key(&env, "recorder");
    let landed = Arc::new(Mutex::new(Vec::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let killer = {
        let count = count.clone();
        let ledger = env.ledger();
        std::thread::spawn(move || {
            while count.load(Ordering::SeqCst) < 300 {
                std::thread::sleep(Duration::from_millis(5));
            }
            let at = count.load(Ordering::SeqCst);
            server.kill();
            let again = Server::start_at(&ledger, &listen, &[]);
            (at, again)
        })
    };
    race(&url, &rec, 2034, &landed, &count);
    let (killed_at, server) = killer.join().unwrap();
    assert!(killed_at < 1000, "the kill came after the race");
    server.stop();
    check_landed(&env, before, &landed.lock().unwrap(), 2034);
}

#[test]
fn the_log_key_signs_a_checkpoint_after_writes() {
    let env = Env::new();
    let log = demo(&env);
    // A key without the log role cannot serve as the log key.
    let rec_path = env.ledger().join("keys/recorder.key");
    let err = env.fails(
        2,
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--log-key",
            rec_path.to_str().unwrap(),
        ],
    );
    assert!(err.contains("lacks the log role"), "{err}");
    // Without a log key, the recorded checkpoint (none here) is what is served.
    let server = Server::start(&env.ledger(), &[]);
    assert_eq!(server.get("checkpoint").status, 404);
    let r = server
        .client
        .post(&server.url("checkpoint"), "text/plain", b"")
        .unwrap();
    assert_eq!(r.status, 404, "{}", r.text());
    server.stop();

    let server = Server::start(&env.ledger(), &["--log-key", &log]);
    let first = server.get("checkpoint");
    assert_eq!(first.status, 200);
    let size_of = |r: &actledger_http::client::Response| -> u64 {
        r.text().lines().nth(1).unwrap().parse().unwrap()
    };
    let before = head(&server);
    assert_eq!(size_of(&first), before.size);
    let rec = key(&env, "recorder");
    let log_client = RemoteLog::new(&server.url);
    for n in 1..=3 {
        log_client.append(&rec, &draft(2035, n)).unwrap();
    }
    // The signer follows the writes by itself (at most one checkpoint a second): wait for it,
    // with a deadline far beyond that.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let cp = server.get("checkpoint");
        if size_of(&cp) == before.size + 3 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no checkpoint after the writes"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    server.stop();
    let latest = env.ok(&["checkpoint", "--latest"]);
    assert_eq!(
        latest.lines().nth(1),
        Some((before.size + 3).to_string().as_str())
    );
}

#[test]
fn connections_beyond_the_limit_are_closed_and_the_server_recovers() {
    let env = Env::new();
    demo(&env);
    let server = Server::start(
        &env.ledger(),
        &["--max-connections", "3", "--header-timeout", "60"],
    );
    let addr = server.url.trim_start_matches("http://").to_string();
    let idle: Vec<TcpStream> = (0..3).map(|_| TcpStream::connect(&addr).unwrap()).collect();
    // The fourth is accepted and closed at once: its read ends (no answer), it does not hang.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let mut extra = TcpStream::connect(&addr).unwrap();
        extra
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let _ = extra.write_all(b"GET /head HTTP/1.1\r\nHost: x\r\n\r\n");
        let mut buf = Vec::new();
        match extra.read_to_end(&mut buf) {
            Ok(_) if buf.is_empty() => break,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            // The server had not yet taken the idle ones when this one came: try again.
            _ => assert!(
                std::time::Instant::now() < deadline,
                "a connection over the limit was served"
            ),
        }
    }
    drop(idle);
    // Once they are gone, it serves again.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        if server
            .client
            .get(&server.url("head"))
            .is_ok_and(|r| r.status == 200)
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not serving after the idle connections closed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    server.stop();
}
