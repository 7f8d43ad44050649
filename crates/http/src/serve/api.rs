//! The read API and the live page: `GET /api/<report>?…` answers what `actledger <report>
//! --json …` prints (JSON lines), `GET /` the HTML report of the ledger as it is now. Both are
//! rendered by the CLI's functions, handed in as [`super::Pages`].

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State as Extract};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::{error, PageError, State};

/// `Content-Type` of the read API: JSON lines, one object per line.
pub const API_TYPE: &str = "application/x-ndjson";

pub(super) fn routes() -> axum::Router<Arc<State>> {
    axum::Router::new()
        .route("/", get(page))
        .route("/api/{report}", get(report))
}

/// `a=1&b=x%20y` as pairs, percent-decoded (`+` is a space).
fn pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for part in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        out.push((decode(k)?, decode(v)?));
    }
    Ok(out)
}

fn decode(s: &str) -> Result<String, String> {
    let bad = || {
        format!(
            "bad percent-encoding in the query: {:?}",
            s.chars().take(100).collect::<String>()
        )
    };
    let mut bytes = Vec::with_capacity(s.len());
    let mut it = s.bytes();
    while let Some(b) = it.next() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hi = it.next().ok_or_else(bad)?;
                let lo = it.next().ok_or_else(bad)?;
                let hex = [hi, lo];
                let hex = std::str::from_utf8(&hex).map_err(|_| bad())?;
                bytes.push(u8::from_str_radix(hex, 16).map_err(|_| bad())?);
            }
            b => bytes.push(b),
        }
    }
    String::from_utf8(bytes).map_err(|_| bad())
}

fn page_error(e: PageError) -> Response {
    match e {
        PageError::BadQuery(m) => error(StatusCode::BAD_REQUEST, m),
        PageError::Failed(m) => error(StatusCode::INTERNAL_SERVER_ERROR, m),
    }
}

async fn report(
    Extract(state): Extract<Arc<State>>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let query = match pairs(raw.as_deref()) {
        Ok(q) => q,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let s = state.clone();
    let n = name.clone();
    let rendered = tokio::task::spawn_blocking(move || s.pages.report(&s.ledger, &n, &query)).await;
    match rendered {
        Ok(Ok(Some(body))) => (
            [
                (header::CONTENT_TYPE, API_TYPE),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            body,
        )
            .into_response(),
        Ok(Ok(None)) => error(
            StatusCode::NOT_FOUND,
            format!("no report {:?}", name.chars().take(60).collect::<String>()),
        ),
        Ok(Err(e)) => page_error(e),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

async fn page(Extract(state): Extract<Arc<State>>) -> Response {
    let s = state.clone();
    match tokio::task::spawn_blocking(move || s.pages.html(&s.ledger)).await {
        Ok(Ok(html)) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            html,
        )
            .into_response(),
        Ok(Err(e)) => page_error(e),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_decoded() {
        assert_eq!(
            pairs(Some("as_of=2024-01-02&x=a%20b+c&flag")).unwrap(),
            vec![
                ("as_of".to_string(), "2024-01-02".to_string()),
                ("x".to_string(), "a b c".to_string()),
                ("flag".to_string(), String::new()),
            ]
        );
        assert!(pairs(Some("a=%zz")).is_err());
        assert!(pairs(Some("a=%4")).is_err());
        assert!(pairs(None).unwrap().is_empty());
    }
}
