//! Network helpers for the end-to-end tests: a running `actledger witness serve`, and a tiny
//! loopback HTTP server that serves a folder (a static copy of `export tiles`) with faults.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};

/// A running `actledger witness serve` on a free loopback port, killed when dropped.
pub struct Served {
    pub child: std::process::Child,
    pub url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn witness_serve(key: &str, logs: &[&str], state: &Path) -> Served {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("actledger"));
    c.args(["witness", "serve", "--key", key, "--listen", "127.0.0.1:0"])
        .args(["--state", state.to_str().unwrap()]);
    for l in logs {
        c.args(["--log", l]);
    }
    spawn(c)
}

/// `actledger --ledger LEDGER serve --listen 127.0.0.1:0 ARGS...`, running.
pub fn actledger_serve(ledger: &Path, args: &[&str]) -> Served {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("actledger"));
    c.arg("--ledger")
        .arg(ledger)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args);
    spawn(c)
}

/// Starts a server and reads the URL from the first line it prints.
fn spawn(mut c: std::process::Command) -> Served {
    c.stdout(Stdio::piped()).stderr(Stdio::inherit());
    let mut child = c.spawn().unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    Served { child, url }
}

#[derive(Clone)]
pub enum Mode {
    /// Serve the folder.
    Files(PathBuf),
    /// Serve the folder, but this body for `checkpoint`.
    Checkpoint(PathBuf, String),
    /// Serve the folder, with `path` cut short by `n` bytes.
    Truncate(PathBuf, String, usize),
    /// Headers, then bytes forever.
    Endless,
    /// Accept, read the request, never answer.
    Stall,
    /// Serve the folder, but never answer for `path`.
    StallOn(PathBuf, String),
}

/// A loopback HTTP/1.1 server whose behaviour the test switches.
pub struct Server {
    pub url: String,
    mode: Arc<Mutex<Mode>>,
    /// The paths requested so far, in order.
    requested: Arc<Mutex<Vec<String>>>,
}

impl Server {
    pub fn new(mode: Mode) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let mode = Arc::new(Mutex::new(mode));
        let requested = Arc::new(Mutex::new(Vec::new()));
        let (m, seen) = (mode.clone(), requested.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let (m, seen) = (m.clone(), seen.clone());
                std::thread::spawn(move || {
                    let mut r = BufReader::new(stream.try_clone().unwrap());
                    let mut line = String::new();
                    if r.read_line(&mut line).is_err() {
                        return;
                    }
                    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                    loop {
                        let mut h = String::new();
                        if r.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                            break;
                        }
                    }
                    let mode = m.lock().unwrap().clone();
                    let rel = path.trim_start_matches('/').to_string();
                    seen.lock().unwrap().push(rel.clone());
                    let file = |dir: &Path| std::fs::read(dir.join(&rel)).ok();
                    let body = match &mode {
                        Mode::Files(d) => file(d),
                        Mode::Checkpoint(d, text) => {
                            if rel == "checkpoint" {
                                Some(text.clone().into_bytes())
                            } else {
                                file(d)
                            }
                        }
                        Mode::Truncate(d, p, n) => file(d).map(|mut b| {
                            if *p == rel {
                                b.truncate(b.len().saturating_sub(*n));
                            }
                            b
                        }),
                        Mode::Endless => {
                            let _ =
                                stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
                            let chunk = vec![b'x'; 64 * 1024];
                            while stream.write_all(&chunk).is_ok() {}
                            return;
                        }
                        Mode::Stall => {
                            std::thread::sleep(std::time::Duration::from_secs(30));
                            return;
                        }
                        Mode::StallOn(d, p) => {
                            if *p == rel {
                                std::thread::sleep(std::time::Duration::from_secs(30));
                                return;
                            }
                            file(d)
                        }
                    };
                    let _ = match body {
                        Some(b) => stream
                            .write_all(
                                format!(
                                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                                    b.len()
                                )
                                .as_bytes(),
                            )
                            .and_then(|_| stream.write_all(&b)),
                        None => stream.write_all(
                            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        ),
                    };
                });
            }
        });
        Self {
            url,
            mode,
            requested,
        }
    }

    pub fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    /// Whether `path` was requested.
    pub fn was_requested(&self, path: &str) -> bool {
        self.requested.lock().unwrap().iter().any(|p| p == path)
    }
}
