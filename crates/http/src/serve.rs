//! `actledger serve`: the ledger on HTTP, as its one writer while it runs (docs/SERVING.md).
//!
//! - the C2SP tlog-tiles read path ([`tiles`]): `/checkpoint`, `/tile/<L>/<N>[.p/<W>]`,
//!   `/tile/entries/<N>[.p/<W>]`, the bytes `export tiles` writes, made by the same encoder
//!   (`actledger_core::tiles::tile_bytes`);
//! - the write path ([`write`]): `POST /events` (one event signed by its author, in its stored
//!   bytes) and `POST /events/batch` (several, all or none), admitted by the same checks as a
//!   local append; `GET /head` tells a remote signer what to sign over;
//! - checkpoints ([`signer`]): with a log key, a new one is signed after writes (at most one a
//!   second) and at once on `POST /checkpoint`;
//! - the read API and the live HTML page ([`api`]), rendered by the CLI's own functions
//!   through [`Pages`].
//!
//! Connections ([`conn`]) are HTTP/1.1 over hyper with a header-read timeout and a connection
//! limit; every request has a timeout and a body limit.

mod api;
mod conn;
pub mod remote;
mod signer;
mod tiles;
mod write;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use actledger_core::{EventHash, SigningKey, Timestamp};
use actledger_store::{Ledger, StoreError, StoredCheckpoint};

pub use write::{BATCH_CONTENT_TYPE, EVENT_CONTENT_TYPE};

/// The name of the file, in the ledger directory, that says a server holds the ledger: its
/// process id and URL, one line (`PID URL`). Written once the server listens, removed when it
/// stops; a stale one (after a crash) is ignored, since it only explains a held lock.
pub const SERVED_MARKER: &str = "served-by";

/// How the server runs.
#[derive(Debug)]
pub struct Config {
    /// Address to listen on (loopback by default in the CLI).
    pub listen: SocketAddr,
    /// A key with the `log` role: sign checkpoints after writes and on request.
    pub log_key: Option<SigningKey>,
    /// Witnesses (URL, cosignature verifier key) to ask before a checkpoint is published, and
    /// the quorum it needs ([`crate::witness::sign_cosigned`]); empty: publish it signed only.
    pub witnesses: Vec<(String, actledger_core::note::VerifierKey)>,
    /// The policy the witnesses' cosignatures must meet (with `witnesses`).
    pub quorum: Option<actledger_core::quorum::Quorum>,
    /// How long a client may take to send a request's headers (the connection is cut after).
    pub header_timeout: Duration,
    /// How long a request may take, body included (`408` after).
    pub request_timeout: Duration,
    /// Connections held at once; more are closed as soon as accepted.
    pub max_connections: usize,
    /// Largest `POST /events/batch` body.
    pub max_batch_bytes: usize,
    /// Shortest time between two checkpoints signed after writes.
    pub checkpoint_interval: Duration,
}

impl Config {
    /// The defaults for `listen`.
    pub fn new(listen: SocketAddr) -> Self {
        Self {
            listen,
            log_key: None,
            witnesses: Vec::new(),
            quorum: None,
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_connections: 4096,
            max_batch_bytes: 64 << 20,
            checkpoint_interval: Duration::from_secs(1),
        }
    }
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The listening socket.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The async runtime or the marker file.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The ledger.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a page or report could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageError {
    /// A query parameter is bad (`400`), with the one-line message the CLI would print.
    BadQuery(String),
    /// Rendering failed (`500`).
    Failed(String),
}

/// Query parameters, in order, as given.
pub type Query = [(String, String)];

/// The CLI's renderers, so the API returns exactly what `--json` prints and `GET /` is the
/// page `export html` writes (one renderer each, not two).
pub trait Pages: Send + Sync + 'static {
    /// The JSON lines of report `name` (`supporters`, `council`, `votes`, `compliance`,
    /// `veto-initiative`, `scorecard`, `events`, `keys`) for `query`, as `actledger NAME
    /// --json` prints them; `Ok(None)` if there is no such report.
    fn report(
        &self,
        ledger: &Arc<LedgerLock>,
        name: &str,
        query: &Query,
    ) -> Result<Option<Vec<u8>>, PageError>;
    /// The HTML report of the ledger as it is now.
    fn html(&self, ledger: &Arc<LedgerLock>) -> Result<String, PageError>;
}

/// Renders nothing: a server without a read API (tests of the log alone).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPages;

impl Pages for NoPages {
    fn report(
        &self,
        _: &Arc<LedgerLock>,
        _: &str,
        _: &Query,
    ) -> Result<Option<Vec<u8>>, PageError> {
        Ok(None)
    }
    fn html(&self, _: &Arc<LedgerLock>) -> Result<String, PageError> {
        Err(PageError::Failed("this server renders no HTML".into()))
    }
}

/// The served ledger: readers share it, the one writer (an append, a checkpoint) has it alone.
#[derive(Debug)]
pub struct LedgerLock(RwLock<Ledger>);

impl LedgerLock {
    /// Shared access (tiles, reports). A panic in another holder does not make it unusable:
    /// the store poisons its own handle on a failed write.
    pub fn read(&self) -> RwLockReadGuard<'_, Ledger> {
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Exclusive access (appends, checkpoints, the rule state).
    pub fn write(&self) -> RwLockWriteGuard<'_, Ledger> {
        self.0.write().unwrap_or_else(|e| e.into_inner())
    }
}

impl crate::witness::LedgerAccess for LedgerLock {
    fn exclusive<T>(&self, f: impl FnOnce(&mut Ledger) -> T) -> T {
        f(&mut self.write())
    }
    fn shared<T>(&self, f: impl FnOnce(&Ledger) -> T) -> T {
        f(&self.read())
    }
}

/// The head a remote signer signs over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Head {
    pub size: u64,
    pub hash: EventHash,
    /// `recorded_at` of the last event (a new one may not be earlier).
    pub last_time: Option<Timestamp>,
}

/// What every handler shares.
pub(crate) struct State {
    pub ledger: Arc<LedgerLock>,
    /// The checkpoint the read path serves (the tree is its size).
    pub published: RwLock<Option<Arc<StoredCheckpoint>>>,
    pub head: RwLock<Head>,
    pub log_key: Option<SigningKey>,
    /// The witnesses and their quorum, if checkpoints are published cosigned.
    pub cosign: Option<(
        Vec<(String, actledger_core::note::VerifierKey)>,
        actledger_core::quorum::Quorum,
    )>,
    /// Held while a cosigned checkpoint is made (one at a time: the witnesses are asked
    /// without the ledger's lock).
    pub signing: Mutex<()>,
    /// Woken after each write (the signer waits on it).
    pub wrote: tokio::sync::Notify,
    pub pages: Arc<dyn Pages>,
    pub cache: Mutex<tiles::Cache>,
    pub max_batch_bytes: usize,
    pub checkpoint_interval: Duration,
}

impl State {
    pub fn published(&self) -> Option<Arc<StoredCheckpoint>> {
        self.published
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn head(&self) -> Head {
        *self.head.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set_head(&self, h: Head) {
        *self.head.write().unwrap_or_else(|e| e.into_inner()) = h;
    }

    pub fn publish(&self, cp: StoredCheckpoint) {
        let mut p = self.published.write().unwrap_or_else(|e| e.into_inner());
        if p.as_ref().is_none_or(|old| old.size < cp.size) {
            *p = Some(Arc::new(cp));
        }
    }
}

/// A server holding a ledger (see [`SERVED_MARKER`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    /// Its process id.
    pub pid: String,
    /// Its URL.
    pub url: String,
}

/// Who serves the ledger in `dir`, as its marker says, if the marker names `pid` (the holder
/// of the ledger's lock).
pub fn served_by(dir: &Path, pid: &str) -> Option<Served> {
    let text = std::fs::read_to_string(dir.join(SERVED_MARKER)).ok()?;
    let (p, url) = text.trim().split_once(' ')?;
    (p == pid).then(|| Served {
        pid: p.to_string(),
        url: url.to_string(),
    })
}

/// Serves `ledger` until SIGINT or SIGTERM; calls `ready` with the bound address once it
/// listens (for `--listen 127.0.0.1:0`). With a log key, checks it can sign (it must hold the
/// `log` role) and signs the current head first.
pub fn run(
    mut ledger: Ledger,
    config: Config,
    pages: Arc<dyn Pages>,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let dir = ledger.dir().to_path_buf();
    let cosign = match config.quorum {
        Some(q) if !config.witnesses.is_empty() => Some((config.witnesses, q)),
        _ => None,
    };
    if let Some(key) = &config.log_key {
        match &cosign {
            None => {
                ledger.sign_checkpoint(key)?;
            }
            // Witnesses down at start: the latest recorded checkpoint is served until a
            // write or `POST /checkpoint` reaches the quorum.
            Some((w, q)) => {
                if let Err(e) = crate::witness::sign_cosigned(&mut ledger, key, w, q, &mut |e| {
                    eprintln!("warning: witness {e}")
                }) {
                    if let crate::witness::PublishError::Store(e) = e {
                        return Err(e.into());
                    }
                    eprintln!("warning: {e}");
                }
            }
        }
    }
    // A proof over a level-0 tile read cold then hashes ~22 nodes instead of 247
    // (`Ledger::warm_proofs`: 512 bytes a tile of 256 entries, ~0.13 s at 1M entries).
    ledger.warm_proofs()?;
    let published = ledger.latest_checkpoint()?.map(Arc::new);
    let (size, hash) = ledger.stored_head()?;
    let last_time = ledger.last_time()?;
    let state = Arc::new(State {
        ledger: Arc::new(LedgerLock(RwLock::new(ledger))),

        published: RwLock::new(published),
        head: RwLock::new(Head {
            size,
            hash,
            last_time,
        }),
        log_key: config.log_key,
        cosign,
        signing: Mutex::new(()),
        wrote: tokio::sync::Notify::new(),
        pages,
        cache: Mutex::new(tiles::Cache::default()),
        max_batch_bytes: config.max_batch_bytes,
        checkpoint_interval: config.checkpoint_interval,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("actledger-serve")
        .build()?;
    let limits = conn::Limits {
        header_timeout: config.header_timeout,
        request_timeout: config.request_timeout,
        max_connections: config.max_connections,
    };
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| ServeError::Listen {
                addr: config.listen,
                source,
            })?;
        let addr = listener.local_addr()?;
        let marker = dir.join(SERVED_MARKER);
        std::fs::write(&marker, format!("{} http://{addr}\n", std::process::id()))?;
        if state.log_key.is_some() {
            tokio::spawn(signer::run(state.clone()));
        }
        ready(addr);
        let router = router(state.clone(), &limits);
        let served = conn::serve(listener, router, &limits, shutdown_signal()).await;
        let _ = std::fs::remove_file(&marker);
        served.map_err(ServeError::from)
    })
}

fn router(state: Arc<State>, limits: &conn::Limits) -> axum::Router {
    tiles::routes()
        .merge(write::routes(state.max_batch_bytes))
        .merge(signer::routes())
        .merge(api::routes())
        .with_state(state)
        .layer(conn::request_layers(limits))
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}

/// A JSON answer with a status.
pub(crate) fn json(
    status: axum::http::StatusCode,
    value: &serde_json::Value,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut body = value.to_string();
    body.push('\n');
    (
        status,
        [
            (axum::http::header::CONTENT_TYPE, "application/json"),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// An error answer: `{"type":"error","status":N,"error":"the one-line message"}`.
pub(crate) fn error(
    status: axum::http::StatusCode,
    msg: impl std::fmt::Display,
) -> axum::response::Response {
    json(
        status,
        &serde_json::json!({"type": "error", "status": status.as_u16(), "error": msg.to_string()}),
    )
}
