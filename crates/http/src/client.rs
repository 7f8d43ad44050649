//! A small blocking HTTP client (ureq) with a size limit on every response body and timeouts
//! on every call: what `record --remote`, `import --remote`, the monitor and `checkpoint
//! --witness` use to talk to a log or a witness. It returns status and body for every status
//! (a `409` is an answer, not an error); only transport failures, timeouts and oversized
//! bodies are errors.

use std::time::Duration;

/// Why a request got no answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// Not an `http://` or `https://` URL.
    #[error("{0:?} is not an http:// or https:// URL")]
    Url(String),
    /// The connection failed, timed out, or the answer was malformed.
    #[error("{method} {url}: {source}")]
    Transport {
        /// The request method.
        method: &'static str,
        /// The URL.
        url: String,
        /// The cause.
        #[source]
        source: Box<ureq::Error>,
    },
    /// The body was larger than the limit.
    #[error("{method} {url}: the response body is larger than {limit} bytes")]
    TooLarge {
        /// The request method.
        method: &'static str,
        /// The URL.
        url: String,
        /// The limit.
        limit: u64,
    },
}

/// A response: status, content type and the whole body (at most the client's limit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// Every header (names in lower case), in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The body as text (lossy: a log's answers are ASCII or UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The first header named `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// A blocking client with a per-response body limit and a timeout per call.
#[derive(Debug, Clone)]
pub struct Client {
    agent: ureq::Agent,
    limit: u64,
}

impl Client {
    /// A client whose calls each take at most `timeout` (connecting, sending, receiving) and
    /// whose response bodies are at most `limit` bytes.
    pub fn new(timeout: Duration, limit: u64) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // A log or witness answers itself: a redirect is not followed (a 3xx is returned).
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .timeout_connect(Some(timeout.min(Duration::from_secs(10))))
            .max_response_header_size(64 * 1024)
            .user_agent(concat!("actledger/", env!("CARGO_PKG_VERSION")))
            .build();
        Self {
            agent: config.into(),
            limit,
        }
    }

    /// The body limit.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// `GET url`.
    pub fn get(&self, url: &str) -> Result<Response, ClientError> {
        self.get_limited(url, self.limit)
    }

    /// `GET url` with a body limit of its own (e.g. the size a tile of a known width has).
    pub fn get_limited(&self, url: &str, limit: u64) -> Result<Response, ClientError> {
        check_url(url)?;
        let r = self.agent.get(url).call();
        self.finish("GET", url, r, limit)
    }

    /// `GET url` with a body limit of its own, the body read into `body` (cleared first; a
    /// caller fetching many answers reuses one buffer, its capacity kept). The answer's
    /// `body` field is empty.
    pub fn get_into(
        &self,
        url: &str,
        limit: u64,
        body: &mut Vec<u8>,
    ) -> Result<Response, ClientError> {
        check_url(url)?;
        let r = self.agent.get(url).call();
        self.finish_into("GET", url, r, limit, body)
    }

    /// `HEAD url` (the body is empty).
    pub fn head(&self, url: &str) -> Result<Response, ClientError> {
        check_url(url)?;
        let r = self.agent.head(url).call();
        self.finish("HEAD", url, r, self.limit)
    }

    /// `POST url` with `body` of type `content_type`.
    pub fn post(
        &self,
        url: &str,
        content_type: &str,
        body: &[u8],
    ) -> Result<Response, ClientError> {
        check_url(url)?;
        let r = self
            .agent
            .post(url)
            .header("content-type", content_type)
            .send(body);
        self.finish("POST", url, r, self.limit)
    }

    fn finish(
        &self,
        method: &'static str,
        url: &str,
        r: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
        limit: u64,
    ) -> Result<Response, ClientError> {
        let mut body = Vec::new();
        let mut response = self.finish_into(method, url, r, limit, &mut body)?;
        response.body = body;
        Ok(response)
    }

    fn finish_into(
        &self,
        method: &'static str,
        url: &str,
        r: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
        limit: u64,
        body: &mut Vec<u8>,
    ) -> Result<Response, ClientError> {
        let transport = |source| ClientError::Transport {
            method,
            url: url.to_string(),
            source: Box::new(source),
        };
        let mut r = r.map_err(transport)?;
        let status = r.status().as_u16();
        let content_type = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let headers = r
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        body.clear();
        let mut reader = r.body_mut().with_config().limit(limit).reader();
        std::io::Read::read_to_end(&mut reader, body)
            .map_err(ureq::Error::from)
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => ClientError::TooLarge {
                    method,
                    url: url.to_string(),
                    limit,
                },
                other => transport(other),
            })?;
        Ok(Response {
            status,
            content_type,
            headers,
            body: Vec::new(),
        })
    }
}

fn check_url(url: &str) -> Result<(), ClientError> {
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(())
    } else {
        Err(ClientError::Url(url.chars().take(200).collect()))
    }
}

/// `base` and `path` joined with exactly one `/` between them.
pub fn join(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_joined() {
        let c = Client::new(Duration::from_secs(1), 10);
        assert!(matches!(c.get("ftp://x"), Err(ClientError::Url(_))));
        assert_eq!(join("http://a/", "/checkpoint"), "http://a/checkpoint");
        assert_eq!(join("http://a", "tile/0/000"), "http://a/tile/0/000");
    }
}
