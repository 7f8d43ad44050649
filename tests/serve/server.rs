//! A served ledger for the tests: `actledger serve --listen 127.0.0.1:0` as a child process.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use actledger_http::client::{join, Client, Response};

use crate::util::Env;

/// The running server; killed when dropped.
pub struct Server {
    pub child: Child,
    pub url: String,
    pub ledger: PathBuf,
    pub client: Client,
}

impl Server {
    /// Starts `actledger --ledger LEDGER serve --listen 127.0.0.1:0 ARGS` and waits for the
    /// line that names its address.
    pub fn start(ledger: &Path, args: &[&str]) -> Server {
        Self::start_at(ledger, "127.0.0.1:0", args)
    }

    /// [`Server::start`] on a given address.
    pub fn start_at(ledger: &Path, listen: &str, args: &[&str]) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("actledger"))
            .arg("--ledger")
            .arg(ledger)
            .args(["serve", "--listen", listen])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        if line.is_empty() {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!("serve did not start: {err}");
        }
        let url = line
            .trim()
            .rsplit_once(" on ")
            .map(|(_, u)| u.to_string())
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Server {
            child,
            url,
            ledger: ledger.to_path_buf(),
            client: Client::new(Duration::from_secs(30), 64 << 20),
        }
    }

    pub fn url(&self, path: &str) -> String {
        join(&self.url, path)
    }

    pub fn get(&self, path: &str) -> Response {
        self.client.get(&self.url(path)).unwrap()
    }

    pub fn post(&self, path: &str, body: &[u8]) -> Response {
        self.client
            .post(&self.url(path), "application/octet-stream", body)
            .unwrap()
    }

    /// SIGTERM, then waits: the server must exit 0 and remove its marker.
    pub fn stop(mut self) {
        let st = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(st.success());
        let status = self.child.wait().unwrap();
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            e.read_to_string(&mut err).unwrap();
        }
        assert!(status.success(), "serve exited {status:?}: {err}");
        assert!(
            !self.ledger.join("served-by").exists(),
            "the served-by marker is left behind"
        );
    }

    /// SIGKILL (no cleanup at all), then waits.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The demo ledger (real data, over 256 events) at `env`'s ledger path; returns the log key.
pub fn demo(env: &Env) -> String {
    env.ok(&["demo", "--ledger", env.ledger().to_str().unwrap()]);
    env.ledger()
        .join("keys/log.key")
        .to_str()
        .unwrap()
        .to_string()
}
