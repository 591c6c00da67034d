//! A small GitHub REST client over reqwest: the token goes only to the API origin, lists are
//! followed through their `Link` headers, idempotent calls are retried with backoff on
//! 5xx and transport errors, every call waits out rate limits (`retry-after`,
//! `x-ratelimit-reset`, capped), and a `POST` is never retried blindly.

use super::error::{status_error, GithubError, Permission};
use super::headers::{next_link, rate_limit_wait};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::VecDeque;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime};
use url::Url;

/// Retry and timeout settings.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    /// First backoff after a 5xx or transport error; doubled on each further attempt.
    pub base_delay: Duration,
    /// The longest single wait for a rate limit; a longer one fails the call.
    pub max_wait: Duration,
    /// Time limit of one API call.
    pub timeout: Duration,
    /// Time limit of one artifact download, body included.
    pub download_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_wait: Duration::from_secs(120),
            timeout: Duration::from_secs(60),
            download_timeout: Duration::from_secs(600),
        }
    }
}

/// Whether a call may be repeated after an ambiguous failure (5xx, lost connection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repeat {
    /// GET, PATCH with the same body: repeating gives the same result.
    Safe,
    /// POST: a second attempt could create a duplicate, so only a rate-limit refusal
    /// (which GitHub answers before doing anything) is retried.
    OnlyAfterRateLimit,
}

/// One page of a list.
struct Page {
    items: Vec<Value>,
    /// The absolute URL of the next page, from the `Link` header.
    next: Option<Url>,
}

/// Walks a paginated list item by item (see [`Client::cursor`]).
pub struct Cursor<'c> {
    client: &'c Client,
    key: Option<&'static str>,
    permission: Permission,
    items: VecDeque<Value>,
    next: Option<Url>,
    pages: usize,
    max_pages: usize,
}

impl Cursor<'_> {
    /// The next item, fetching the next page when the current one is used up.
    pub async fn next(&mut self) -> Result<Option<Value>, GithubError> {
        loop {
            if let Some(item) = self.items.pop_front() {
                return Ok(Some(item));
            }
            let Some(url) = self.next.take() else {
                return Ok(None);
            };
            if self.pages >= self.max_pages {
                tracing::warn!("{}: stopped after {} pages", url.path(), self.max_pages);
                return Ok(None);
            }
            let page = self.client.page(url, self.key, self.permission).await?;
            self.pages += 1;
            self.items.extend(page.items);
            self.next = page.next;
        }
    }
}

/// What an artifact download produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Download {
    /// The archive was written; its size in bytes.
    Saved(u64),
    /// GitHub answered 410: the artifact has expired.
    Expired,
}

/// A GitHub REST client bound to one API root and token.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    api: Url,
    token: Option<String>,
    policy: RetryPolicy,
}

impl Client {
    /// A client for the API root `api_url` (`https://api.github.com`, or
    /// `https://HOST/api/v3` on GHES).
    pub fn new(
        api_url: &str,
        token: Option<String>,
        policy: RetryPolicy,
    ) -> Result<Client, GithubError> {
        let bad = |reason: String| GithubError::BadUrl {
            url: api_url.to_string(),
            reason,
        };
        let api = Url::parse(api_url.trim_end_matches('/')).map_err(|e| bad(e.to_string()))?;
        if !matches!(api.scheme(), "http" | "https") || api.host_str().is_none() {
            return Err(bad("expected an http(s) URL with a host".into()));
        }
        install_crypto_provider();
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/vnd.github+json"),
        );
        headers.insert(
            "X-GitHub-Api-Version",
            HeaderValue::from_static("2022-11-28"),
        );
        let http = reqwest::Client::builder()
            .user_agent(concat!("benchgate/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .connect_timeout(Duration::from_secs(15))
            .read_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| bad(format!("cannot build an HTTP client: {e}")))?;
        Ok(Client {
            http,
            api,
            token,
            policy,
        })
    }

    /// Whether a token is configured.
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// The absolute URL of `route` (`/repos/o/r/...`), keeping the API root's path.
    pub fn url(&self, route: &str, query: &[(&str, String)]) -> Url {
        let mut url = self.api.clone();
        let base = self.api.path().trim_end_matches('/');
        url.set_path(&format!("{base}{route}"));
        if !query.is_empty() {
            let mut q = url.query_pairs_mut();
            for (k, v) in query {
                q.append_pair(k, v);
            }
        }
        url
    }

    /// GET `route` and decode the JSON answer.
    pub async fn get<T: DeserializeOwned>(
        &self,
        route: &str,
        query: &[(&str, String)],
        permission: Permission,
    ) -> Result<T, GithubError> {
        self.call(Method::GET, route, query, None, Repeat::Safe, permission)
            .await
    }

    /// A cursor over the list at `route` (`per_page=100`); `key` names the array in a
    /// wrapped list (`workflow_runs`, `artifacts`), `None` for a bare JSON array. Pages are
    /// fetched as the cursor advances, through the `Link` headers, at most `max_pages`.
    pub fn cursor(
        &self,
        route: &str,
        query: &[(&str, String)],
        key: Option<&'static str>,
        max_pages: usize,
        permission: Permission,
    ) -> Cursor<'_> {
        let mut query = query.to_vec();
        query.push(("per_page", "100".to_string()));
        Cursor {
            client: self,
            key,
            permission,
            items: VecDeque::new(),
            next: Some(self.url(route, &query)),
            pages: 0,
            max_pages,
        }
    }

    /// Every item of the list at `route` (see [`Client::cursor`]).
    pub async fn list(
        &self,
        route: &str,
        query: &[(&str, String)],
        key: Option<&'static str>,
        max_pages: usize,
        permission: Permission,
    ) -> Result<Vec<Value>, GithubError> {
        let mut cursor = self.cursor(route, query, key, max_pages, permission);
        let mut items = Vec::new();
        while let Some(item) = cursor.next().await? {
            items.push(item);
        }
        Ok(items)
    }

    /// The page at `url` (an absolute `Link` URL, which must point at the API origin).
    async fn page(
        &self,
        url: Url,
        key: Option<&str>,
        permission: Permission,
    ) -> Result<Page, GithubError> {
        if !same_origin(&url, &self.api) {
            return Err(GithubError::ForeignLink {
                path: self.api.path().to_string(),
                url: url.to_string(),
            });
        }
        let path = url.path().to_string();
        let (body, headers): (Value, _) = self
            .fetch_json(Method::GET, url, None, Repeat::Safe, permission, &path)
            .await?;
        let next = headers
            .get("link")
            .and_then(|v| v.to_str().ok())
            .and_then(next_link);
        let items = match key {
            None => body.as_array().cloned(),
            Some(k) => body.get(k).and_then(Value::as_array).cloned(),
        }
        .ok_or_else(|| GithubError::Decode {
            path: path.clone(),
            reason: match key {
                None => "expected a JSON array".into(),
                Some(k) => format!("expected an object with an array `{k}`"),
            },
        })?;
        Ok(Page { items, next })
    }

    /// POST a JSON body. Retried only when GitHub refused it for a rate limit; any other
    /// failure is returned, and the caller decides how to check whether it took effect.
    pub async fn post<T: DeserializeOwned>(
        &self,
        route: &str,
        body: &Value,
        permission: Permission,
    ) -> Result<T, GithubError> {
        let repeat = Repeat::OnlyAfterRateLimit;
        self.call(Method::POST, route, &[], Some(body), repeat, permission)
            .await
    }

    /// PATCH a JSON body (idempotent: the same body gives the same result).
    pub async fn patch<T: DeserializeOwned>(
        &self,
        route: &str,
        body: &Value,
        permission: Permission,
    ) -> Result<T, GithubError> {
        self.call(
            Method::PATCH,
            route,
            &[],
            Some(body),
            Repeat::Safe,
            permission,
        )
        .await
    }

    /// DELETE `route` (idempotent; GitHub answers 204 with no body).
    pub async fn delete(&self, route: &str, permission: Permission) -> Result<(), GithubError> {
        let url = self.url(route, &[]);
        self.execute(
            Method::DELETE,
            url,
            None,
            Repeat::Safe,
            permission,
            self.policy.timeout,
        )
        .await
        .map(drop)
    }

    /// The login of the identity behind the token, from GraphQL's `viewer` (the one query
    /// that answers personal tokens, `GITHUB_TOKEN` and GitHub App installation tokens
    /// alike: `octocat`, `github-actions[bot]`, `my-app[bot]`).
    pub async fn viewer_login(&self) -> Result<String, GithubError> {
        let url = self.graphql_url();
        let shown = url.path().to_string();
        let (answer, _): (Value, _) = self
            .fetch_json(
                Method::POST,
                url,
                Some(&serde_json::json!({ "query": "query { viewer { login } }" })),
                Repeat::Safe,
                Permission::PullRequestsRead,
                &shown,
            )
            .await?;
        answer["data"]["viewer"]["login"]
            .as_str()
            .filter(|l| !l.is_empty())
            .map(String::from)
            .ok_or_else(|| GithubError::Decode {
                path: shown,
                reason: format!("no `data.viewer.login` in the answer: {}", answer["errors"]),
            })
    }

    /// The GraphQL endpoint beside the REST root: `https://api.github.com/graphql`, or
    /// `https://HOST/api/graphql` for a GitHub Enterprise Server whose REST root is
    /// `https://HOST/api/v3`.
    fn graphql_url(&self) -> Url {
        let mut url = self.api.clone();
        let base = self.api.path().trim_end_matches('/');
        let path = match base.strip_suffix("/v3") {
            Some(api) => format!("{api}/graphql"),
            None => format!("{base}/graphql"),
        };
        url.set_path(&path);
        url
    }

    /// One API call whose JSON answer is decoded into `T`.
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        route: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        repeat: Repeat,
        permission: Permission,
    ) -> Result<T, GithubError> {
        let url = self.url(route, query);
        let (value, _) = self
            .fetch_json(method, url, body, repeat, permission, route)
            .await?;
        Ok(value)
    }

    /// Sends a call and decodes its JSON answer, returning the headers too. A safe call
    /// whose successful answer is cut short or is not the expected JSON (a proxy's HTML
    /// page) is sent again, like one answered with a 5xx.
    async fn fetch_json<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        repeat: Repeat,
        permission: Permission,
        shown: &str,
    ) -> Result<(T, HeaderMap), GithubError> {
        let mut attempt = 1;
        loop {
            let resp = self
                .execute(
                    method.clone(),
                    url.clone(),
                    body,
                    repeat,
                    permission,
                    self.policy.timeout,
                )
                .await?;
            let headers = resp.headers().clone();
            match decode(shown, resp).await {
                Err(e) if repeat == Repeat::Safe && attempt < self.policy.max_attempts => {
                    tracing::warn!("{method} {shown}: {e}; retrying");
                    tokio::time::sleep(self.backoff(attempt)).await;
                    attempt += 1;
                }
                other => return other.map(|value| (value, headers)),
            }
        }
    }

    /// Downloads `route` (which answers a redirect to blob storage) into `dest`, writing at
    /// most `max_bytes`. The redirect is followed without the `Authorization` header
    /// whenever it leaves the API origin. 410 means the artifact has expired.
    pub async fn download(
        &self,
        route: &str,
        dest: &Path,
        max_bytes: u64,
        permission: Permission,
    ) -> Result<Download, GithubError> {
        let url = self.url(route, &[]);
        let resp = match self
            .execute(
                Method::GET,
                url,
                None,
                Repeat::Safe,
                permission,
                self.policy.download_timeout,
            )
            .await
        {
            Err(e) if e.status() == Some(410) => return Ok(Download::Expired),
            other => other?,
        };
        let io = |e: std::io::Error| GithubError::Io {
            path: dest.display().to_string(),
            reason: e.to_string(),
        };
        let mut file = std::fs::File::create(dest).map_err(io)?;
        let mut written: u64 = 0;
        let mut resp = resp;
        loop {
            let chunk = resp.chunk().await.map_err(|e| GithubError::Transport {
                method: Method::GET,
                path: route.to_string(),
                reason: error_chain(&e),
            })?;
            let Some(chunk) = chunk else { break };
            written += chunk.len() as u64;
            if written > max_bytes {
                return Err(GithubError::Decode {
                    path: route.to_string(),
                    reason: format!("the archive is larger than the {max_bytes}-byte limit"),
                });
            }
            file.write_all(&chunk).map_err(io)?;
        }
        file.flush().map_err(io)?;
        Ok(Download::Saved(written))
    }

    /// Sends one call with retries and returns the successful response; any other status
    /// becomes a [`GithubError::Status`] that names `permission` on 403.
    async fn execute(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        repeat: Repeat,
        permission: Permission,
        timeout: Duration,
    ) -> Result<reqwest::Response, GithubError> {
        let path = url.path().to_string();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= self.policy.max_attempts;
            let mut req = self
                .http
                .request(method.clone(), url.clone())
                .timeout(timeout);
            if let Some(token) = &self.token {
                if same_origin(&url, &self.api) {
                    let mut value =
                        HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
                            GithubError::BadUrl {
                                url: self.api.to_string(),
                                reason: "the token contains characters not allowed in a header"
                                    .into(),
                            }
                        })?;
                    value.set_sensitive(true);
                    req = req.header(AUTHORIZATION, value);
                }
            }
            if let Some(body) = body {
                req = req.json(body);
            }
            let resp = match req.send().await {
                Ok(resp) => resp,
                Err(e) => {
                    if repeat == Repeat::Safe && !last {
                        tracing::warn!("{method} {path}: {}; retrying", error_chain(&e));
                        tokio::time::sleep(self.backoff(attempt)).await;
                        continue;
                    }
                    return Err(GithubError::Transport {
                        method,
                        path,
                        reason: error_chain(&e),
                    });
                }
            };
            let status = resp.status();
            if status.is_success() {
                return Ok(resp);
            }
            let headers = resp.headers().clone();
            let text = resp.text().await.unwrap_or_default();
            if let Some(wait) = rate_limit_wait(status, &headers, &text, SystemTime::now()) {
                if wait > self.policy.max_wait || last {
                    return Err(GithubError::RateLimited {
                        method,
                        path,
                        wait_secs: wait.as_secs(),
                        max_secs: self.policy.max_wait.as_secs(),
                    });
                }
                tracing::warn!(
                    "{method} {path}: rate limited; waiting {} s",
                    wait.as_secs_f64()
                );
                tokio::time::sleep(wait).await;
                continue;
            } else if status.is_server_error() && repeat == Repeat::Safe && !last {
                tracing::warn!("{method} {path}: HTTP {status}; retrying");
                tokio::time::sleep(self.backoff(attempt)).await;
                continue;
            }
            return Err(status_error(method, path, status, &text, permission));
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32 << (attempt.saturating_sub(1)).min(6);
        let jitter = Duration::from_millis(rand::random_range(0..100));
        (self.policy.base_delay * factor + jitter).min(Duration::from_secs(30))
    }
}

/// Installs the ring crypto provider for rustls once per process (reqwest is built without
/// a default provider).
fn install_crypto_provider() {
    // An error only means a provider is already installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

async fn decode<T: DeserializeOwned>(
    path: &str,
    resp: reqwest::Response,
) -> Result<T, GithubError> {
    let bytes = resp.bytes().await.map_err(|e| GithubError::Transport {
        method: Method::GET,
        path: path.to_string(),
        reason: error_chain(&e),
    })?;
    serde_json::from_slice(&bytes).map_err(|e| GithubError::Decode {
        path: path.to_string(),
        reason: e.to_string(),
    })
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_keep_the_ghes_path_and_query() {
        let c = Client::new(
            "https://ghe.example.com/api/v3/",
            None,
            RetryPolicy::default(),
        )
        .unwrap();
        let u = c.url(
            "/repos/acme/w/actions/runs",
            &[("branch", "release/1.3".into())],
        );
        assert_eq!(
            u.as_str(),
            "https://ghe.example.com/api/v3/repos/acme/w/actions/runs?branch=release%2F1.3"
        );
        assert!(Client::new("ftp://x", None, RetryPolicy::default()).is_err());
    }
}
