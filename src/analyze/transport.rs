//! HTTP plumbing shared by both APIs: the client (connect timeout, no redirects, bearer
//! token and extra headers marked sensitive), retries with backoff on connection errors and
//! 5xx only, mapping of error statuses to clear messages, and a line reader over a streamed
//! body that buffers across chunks and enforces the idle timeout.

use super::error::LlmError;
use super::settings::LlmSettings;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION};
use reqwest::{Client, RequestBuilder, Response, StatusCode};
use std::sync::Once;
use std::time::{Duration, Instant};
use url::Url;

/// Retries after the first attempt, for connection errors and 5xx answers.
const MAX_RETRIES: u32 = 2;
/// Wait before the first retry; doubled for the next.
const BACKOFF: Duration = Duration::from_millis(250);
/// Upper bound on a streamed answer; a server sending more is cut off.
const MAX_STREAM_BYTES: usize = 4 << 20;
/// Upper bound on an error body that is read for its message.
const MAX_ERROR_CHARS: usize = 300;

/// A client bound to one server.
pub(crate) struct Transport {
    client: Client,
    base: Url,
    basic: Option<(String, Option<String>)>,
    /// The base URL without credentials, query or fragment: safe to print.
    pub display: String,
    pub model: String,
    idle: Duration,
    idle_secs: f64,
    /// Bound on one pre-flight request.
    short: Duration,
}

impl Transport {
    pub fn new(settings: &LlmSettings) -> Result<Self, LlmError> {
        install_crypto_provider();
        let mut base = Url::parse(settings.url.trim()).map_err(|e| LlmError::InvalidUrl {
            url: settings.url.clone(),
            reason: e.to_string(),
        })?;
        if !matches!(base.scheme(), "http" | "https") || base.host().is_none() {
            return Err(LlmError::InvalidUrl {
                url: display_url(&base),
                reason: "it must be an http:// or https:// URL with a host".into(),
            });
        }
        let basic = (!base.username().is_empty()).then(|| {
            (
                base.username().to_string(),
                base.password().map(str::to_string),
            )
        });
        let _ = base.set_username("");
        let _ = base.set_password(None);
        let display = display_url(&base);

        let mut headers = HeaderMap::new();
        if let Some(token) = &settings.token {
            headers.insert(
                AUTHORIZATION,
                sensitive(&format!("Bearer {}", token.expose()), "the llm token")?,
            );
        }
        for (name, value) in &settings.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                LlmError::Setting(format!(
                    "`{name}` in llm headers is not a valid header name"
                ))
            })?;
            headers.insert(
                name.clone(),
                sensitive(value.expose(), &format!("llm header {name}"))?,
            );
        }
        let connect = secs(settings.connect_timeout);
        let client = Client::builder()
            .connect_timeout(connect)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .map_err(|e| {
                LlmError::Setting(format!(
                    "cannot set up the HTTP client: {}",
                    error_chain(&e)
                ))
            })?;
        Ok(Transport {
            client,
            base,
            basic,
            display,
            model: settings.model.clone(),
            idle: secs(settings.idle_timeout),
            idle_secs: settings.idle_timeout,
            short: connect + secs(settings.idle_timeout),
        })
    }

    /// `path` under the base URL, keeping a reverse proxy's path prefix.
    pub fn url(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        let prefix = url.path().trim_end_matches('/').to_string();
        url.set_path(&format!("{prefix}/{}", path.trim_start_matches('/')));
        url
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.auth(self.client.get(self.url(path)))
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.auth(self.client.post(self.url(path)))
    }

    fn auth(&self, rb: RequestBuilder) -> RequestBuilder {
        match &self.basic {
            Some((user, pass)) => rb.basic_auth(user, pass.as_deref()),
            None => rb,
        }
    }

    /// A pre-flight request: bounded by connect + idle timeout, retried like any other,
    /// answered with its status and body text.
    pub async fn probe(
        &self,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<(StatusCode, String), LlmError> {
        let short = self.short;
        let (resp, _) = self
            .send_raw(|| build().timeout(short), "a pre-flight request")
            .await?;
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        Ok((status, body))
    }

    /// Sends the request built by `build` (retried like [`Self::send_raw`]). Returns a
    /// successful response and the instant its request was sent; other statuses become errors.
    pub async fn send(
        &self,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<(Response, Instant), LlmError> {
        let (resp, sent) = self.send_raw(build, "the request").await?;
        if resp.status().is_success() {
            return Ok((resp, sent));
        }
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        Err(self.status_error(status, &body))
    }

    /// Sends a request, retrying connection errors and 5xx answers with backoff (at most
    /// [`MAX_RETRIES`] times). Returns the last answer, whatever its status, and the instant
    /// its request was sent.
    async fn send_raw(
        &self,
        build: impl Fn() -> RequestBuilder,
        what: &'static str,
    ) -> Result<(Response, Instant), LlmError> {
        let mut attempt = 0;
        loop {
            let sent = Instant::now();
            match build().send().await {
                Ok(resp) if resp.status().is_server_error() && attempt < MAX_RETRIES => {
                    tracing::warn!("{} answered {}; retrying", self.display, resp.status());
                }
                Ok(resp) => return Ok((resp, sent)),
                Err(e) if e.is_timeout() && !e.is_connect() => {
                    return Err(LlmError::Timeout {
                        url: self.display.clone(),
                        what,
                        secs: self.short.as_secs_f64(),
                        setting: "connect-timeout or idle-timeout",
                    })
                }
                Err(e) if attempt < MAX_RETRIES => {
                    tracing::warn!(
                        "cannot reach {}: {}; retrying",
                        self.display,
                        error_chain(&e)
                    );
                }
                Err(e) => {
                    return Err(LlmError::Unreachable {
                        url: self.display.clone(),
                        detail: error_chain(&e),
                    })
                }
            }
            tokio::time::sleep(BACKOFF * 2u32.pow(attempt)).await;
            attempt += 1;
        }
    }

    /// The error for a non-success answer.
    pub fn status_error(&self, status: StatusCode, body: &str) -> LlmError {
        let url = self.display.clone();
        let message = error_message(body);
        match status.as_u16() {
            403 if body.trim().is_empty() => LlmError::HostRejected { url },
            401 | 403 | 407 => LlmError::Unauthorized {
                url,
                status: status.as_u16(),
            },
            404 if is_model_missing(&message, &self.model) => LlmError::ModelNotFound {
                model: self.model.clone(),
                url,
            },
            code => LlmError::Http {
                url,
                status: code,
                message: if message.is_empty() {
                    status.canonical_reason().unwrap_or("no message").into()
                } else {
                    message
                },
            },
        }
    }

    /// Reads the body of `resp` line by line.
    pub fn lines(&self, resp: Response) -> Lines {
        Lines {
            resp,
            buf: Vec::new(),
            eof: false,
            started: false,
            idle: self.idle,
            idle_secs: self.idle_secs,
            url: self.display.clone(),
            total: 0,
        }
    }
}

/// Lines of a streamed body (NDJSON or SSE), buffered across chunks.
pub(crate) struct Lines {
    resp: Response,
    buf: Vec<u8>,
    eof: bool,
    started: bool,
    idle: Duration,
    idle_secs: f64,
    url: String,
    total: usize,
}

impl Lines {
    /// The next line without its line ending; `None` at the end of the body. The first chunk
    /// may take as long as the model needs (the total timeout bounds it); after that, a
    /// silence longer than the idle timeout is an error.
    pub async fn next(&mut self) -> Result<Option<String>, LlmError> {
        loop {
            if let Some(i) = self.buf.iter().position(|b| *b == b'\n') {
                let mut line: Vec<u8> = self.buf.drain(..=i).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Some(String::from_utf8_lossy(&line).into_owned()));
            }
            if self.eof {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                let rest = std::mem::take(&mut self.buf);
                return Ok(Some(String::from_utf8_lossy(&rest).into_owned()));
            }
            let chunk = if self.started {
                tokio::time::timeout(self.idle, self.resp.chunk())
                    .await
                    .map_err(|_| LlmError::Timeout {
                        url: self.url.clone(),
                        what: "the answer (the stream went silent)",
                        secs: self.idle_secs,
                        setting: "idle-timeout",
                    })?
            } else {
                self.resp.chunk().await
            };
            match chunk {
                Ok(Some(bytes)) => {
                    self.started = true;
                    self.total += bytes.len();
                    if self.total > MAX_STREAM_BYTES {
                        return Err(LlmError::Stream {
                            url: self.url.clone(),
                            detail: format!("the answer exceeded {} MiB", MAX_STREAM_BYTES >> 20),
                        });
                    }
                    self.buf.extend_from_slice(&bytes);
                }
                Ok(None) => self.eof = true,
                Err(e) => {
                    return Err(LlmError::Stream {
                        url: self.url.clone(),
                        detail: error_chain(&e),
                    })
                }
            }
        }
    }
}

fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Another part of the program may have installed one already; either is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

fn sensitive(value: &str, what: &str) -> Result<HeaderValue, LlmError> {
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        LlmError::Setting(format!(
            "{what} contains characters that cannot be sent in a header"
        ))
    })?;
    v.set_sensitive(true);
    Ok(v)
}

fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s.max(0.001)).unwrap_or(Duration::from_secs(3600))
}

/// The URL without credentials, query or fragment, and without a trailing slash.
pub(crate) fn display_url(url: &Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_query(None);
    u.set_fragment(None);
    u.as_str().trim_end_matches('/').to_string()
}

/// The innermost causes of an error, without the URL reqwest puts at the top.
fn error_chain(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut cur: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(err) = cur {
        let s = err.to_string();
        if !parts.iter().any(|p: &String| p.contains(&s)) {
            parts.push(s);
        }
        cur = err.source();
    }
    if parts.is_empty() {
        parts.push(if e.is_connect() {
            "connection failed".into()
        } else {
            "the request failed".into()
        });
    }
    one_line(&parts.join(": "))
}

/// The message of an error body: `{"error": "..."}` (Ollama), `{"error": {"message": ...}}`
/// (OpenAI), `{"detail": ...}`, or the text itself; one line, bounded.
pub(crate) fn error_message(body: &str) -> String {
    let text = match serde_json::from_str::<serde_json::Value>(body) {
        Ok(v) => {
            let e = v.get("error").or_else(|| v.get("detail")).unwrap_or(&v);
            match e {
                serde_json::Value::String(s) => s.clone(),
                other => other
                    .get("message")
                    .and_then(|m| m.as_str())
                    .map(str::to_string)
                    .unwrap_or_else(|| other.to_string()),
            }
        }
        Err(_) => body.to_string(),
    };
    one_line(&text)
}

/// Collapses whitespace and bounds the length of text quoted from a server.
pub(crate) fn one_line(text: &str) -> String {
    let s: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= MAX_ERROR_CHARS {
        s
    } else {
        let cut: String = s.chars().take(MAX_ERROR_CHARS).collect();
        format!("{cut}…")
    }
}

/// The start of a line quoted in an error message.
pub(crate) fn excerpt(line: &str) -> String {
    let head: String = line.chars().take(80).collect();
    let mut s = one_line(&head);
    if line.chars().count() > 80 {
        s.push('…');
    }
    s
}

fn is_model_missing(message: &str, model: &str) -> bool {
    let m = message.to_lowercase();
    m.contains("not found") && (m.contains(&model.to_lowercase()) || m.contains("pull"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_of_both_apis() {
        assert_eq!(
            error_message(r#"{"error":"model \"x\" not found, try pulling it first"}"#),
            "model \"x\" not found, try pulling it first"
        );
        assert_eq!(
            error_message(r#"{"error":{"message":"bad\nthing","type":"invalid_request_error"}}"#),
            "bad thing"
        );
        assert_eq!(error_message("404 page not found\n"), "404 page not found");
    }

    #[test]
    fn url_keeps_proxy_prefix_and_drops_credentials() {
        let s = LlmSettings {
            url: "https://user:pw@ollama.example.com/llm/?x=1".into(),
            ..LlmSettings::default()
        };
        let t = Transport::new(&s).unwrap();
        assert_eq!(t.display, "https://ollama.example.com/llm");
        assert_eq!(
            t.url("/api/chat").as_str(),
            "https://ollama.example.com/llm/api/chat?x=1"
        );
        assert!(matches!(
            Transport::new(&LlmSettings {
                url: "ftp://x".into(),
                ..LlmSettings::default()
            }),
            Err(LlmError::InvalidUrl { .. })
        ));
    }

    #[test]
    fn bad_headers_are_named_without_their_value() {
        let mut s = LlmSettings::default();
        s.headers
            .insert("X-Key".into(), crate::analyze::Secret::new("a\nb"));
        let err = Transport::new(&s).err().unwrap().to_string();
        assert_eq!(
            err,
            "invalid llm setting: llm header x-key contains characters that cannot be sent in a header"
        );
        let mut s = LlmSettings::default();
        s.headers
            .insert("bad header".into(), crate::analyze::Secret::new("v"));
        let err = Transport::new(&s).err().unwrap().to_string();
        assert!(err.contains("`bad header` in llm headers"), "{err}");
    }
}
