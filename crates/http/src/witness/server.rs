//! The HTTP side of a witness: `POST /add-checkpoint` (tlog-witness §add-checkpoint), every
//! other path 404. Status codes map [`Refusal`] one to one: 404 unknown origin, 403 no trusted
//! signature, 400 malformed body or old size above the checkpoint, 409 (`text/x.tlog.size`,
//! the latest cosigned size) conflict, 422 bad consistency proof, 200 the cosignature line.
//!
//! Bounds: bodies over [`MAX_REQUEST_BYTES`] get 413; request headers must arrive within
//! [`HEADER_TIMEOUT`] and a whole request within [`REQUEST_TIMEOUT`] (408); at most
//! [`MAX_CONNECTIONS`] connections are served at once (others wait in the accept queue).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use actledger_core::witness::{AddCheckpoint, Refusal, Witness, MAX_REQUEST_BYTES};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use super::state::{StateDir, StateDirError};

/// Time allowed for a request's headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Time allowed for a whole request, body and state update included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 256;

/// The media type of a 409 body (tlog-witness).
pub const TLOG_SIZE_CONTENT_TYPE: &str = "text/x.tlog.size";

/// A witness and its state directory.
#[derive(Debug)]
pub struct WitnessService {
    witness: Witness,
    state: StateDir,
}

impl WitnessService {
    /// A service for `witness` keeping its state in `state`.
    pub fn new(witness: Witness, state: StateDir) -> Self {
        Self { witness, state }
    }

    /// The witness.
    pub fn witness(&self) -> &Witness {
        &self.witness
    }

    /// Decides and persists one request in one locked step (blocking: file lock and fsync).
    pub fn add_checkpoint(
        &self,
        req: &AddCheckpoint,
        timestamp: u64,
    ) -> Result<Result<actledger_core::witness::Accepted, Refusal>, StateDirError> {
        self.state
            .transact(|s| match self.witness.add_checkpoint(s, req, timestamp) {
                Ok(a) => {
                    let mut next = s.clone();
                    next.set(&a.origin, a.head);
                    (Some(next), Ok(a))
                }
                Err(r) => (None, Err(r)),
            })
    }
}

fn text(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

/// The response for a refusal.
pub fn refusal_response(r: &Refusal) -> Response {
    let status = match r {
        Refusal::UnknownOrigin(_) => StatusCode::NOT_FOUND,
        Refusal::Untrusted(_) => StatusCode::FORBIDDEN,
        Refusal::OldSizeAboveCheckpoint { .. } => StatusCode::BAD_REQUEST,
        Refusal::Conflict { latest, .. } => {
            return (
                StatusCode::CONFLICT,
                [(header::CONTENT_TYPE, TLOG_SIZE_CONTENT_TYPE)],
                format!("{}\n", latest.size),
            )
                .into_response()
        }
        Refusal::BadProof { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::BAD_REQUEST,
    };
    text(status, format!("{r}\n"))
}

async fn add_checkpoint(State(svc): State<Arc<WitnessService>>, body: Bytes) -> Response {
    let req = match AddCheckpoint::parse(&body) {
        Ok(r) => r,
        Err(e) => return text(StatusCode::BAD_REQUEST, format!("{e}\n")),
    };
    let now = u64::try_from(actledger_core::Timestamp::now().0).unwrap_or(0);
    let svc2 = svc.clone();
    let done = tokio::task::spawn_blocking(move || svc2.add_checkpoint(&req, now)).await;
    match done {
        Ok(Ok(Ok(accepted))) => text(StatusCode::OK, accepted.response_body()),
        Ok(Ok(Err(refusal))) => refusal_response(&refusal),
        Ok(Err(StateDirError::Busy(_))) => text(
            StatusCode::SERVICE_UNAVAILABLE,
            "the witness state is busy; retry later\n".into(),
        ),
        Ok(Err(e)) => {
            eprintln!("witness: {e}");
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the witness cannot update its state\n".into(),
            )
        }
        Err(_) => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the witness failed\n".into(),
        ),
    }
}

/// The router: `POST /add-checkpoint`, with the body limit and request timeout.
pub fn router(svc: Arc<WitnessService>) -> Router {
    Router::new()
        .route("/add-checkpoint", post(add_checkpoint))
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .with_state(svc)
}

/// Serves the witness on `listener` until the process ends: HTTP/1.1 with keep-alive, a
/// header timeout, at most [`MAX_CONNECTIONS`] at once.
pub async fn serve(listener: TcpListener, svc: Arc<WitnessService>) -> std::io::Result<()> {
    let app = router(svc);
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(permit) = slots.clone().acquire_owned().await else {
            return Ok(());
        };
        let (stream, _peer): (_, SocketAddr) = match listener.accept().await {
            Ok(s) => s,
            // Out of file descriptors and the like: wait a little rather than spin.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT);
            let _ = builder
                .serve_connection(TokioIo::new(stream), service)
                .await;
            drop(permit);
        });
    }
}
