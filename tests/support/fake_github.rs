//! A fake GitHub over real HTTP on 127.0.0.1: a stateful REST API under a GHES-style
//! `/api/v3` root (comments with ids and authors, workflow runs, artifacts, pulls,
//! compare, releases, tags, check runs), paginated with absolute `Link` headers, that answers
//! artifact downloads with a 302 to a second server standing in for blob storage, which
//! rejects any request that carries `Authorization`. Faults (5xx, rate limits, an answer
//! lost after the write was applied, a slow answer, a body cut short, an HTML page instead
//! of JSON) can be queued per route, blob downloads (`/blob/`) included.

use axum::body::Bytes;
use axum::extract::State as AxState;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// A token with write access (a same-repository run).
pub const WRITE_TOKEN: &str = "ghs_fakeWriteToken0123456789abcdef";
/// A read-only token (a pull request from a fork).
pub const READ_TOKEN: &str = "ghs_fakeReadOnlyForkToken987654321";
/// A personal access token: writes as the user [`PAT_LOGIN`], and may read `/user`.
pub const PAT_TOKEN: &str = "ghp_fakePersonalAccessToken0000000000";
pub const PAT_LOGIN: &str = "perf-robot";
pub const OWNER: &str = "acme";
pub const REPO: &str = "widgets";

#[derive(Debug, Clone)]
pub struct Comment {
    pub id: u64,
    pub issue: u64,
    pub body: String,
    pub login: String,
    pub kind: String,
}

#[derive(Debug, Clone)]
pub struct Run {
    pub id: u64,
    pub workflow: String,
    pub head_sha: String,
    pub head_branch: String,
    pub event: String,
    pub conclusion: String,
    pub created_at: String,
    /// `owner/name` the run's commit came from: a fork for a fork's pull request.
    pub head_repo: String,
}

/// A git tag: lightweight (the ref names the commit) or annotated (a tag object between).
#[derive(Debug, Clone)]
pub struct Tag {
    pub name: String,
    pub commit: String,
    pub annotated: bool,
}

#[derive(Debug, Clone)]
pub struct Artifact {
    pub id: u64,
    pub run_id: u64,
    pub name: String,
    pub expired: bool,
    pub zip: Vec<u8>,
}

/// A canned misbehaviour for the next matching request(s). Each test binary uses the
/// faults it needs.
#[allow(dead_code)]
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status instead of handling the request.
    Status(u16),
    /// Handle the request (the write takes effect), then answer 502 as if the response
    /// was lost on the way back.
    AppliedThen502,
    /// A secondary rate limit: 403 with `retry-after`.
    RetryAfter(u64),
    /// A primary rate limit: 429 with `x-ratelimit-remaining: 0` and a reset time.
    RateLimitReset(u64),
    /// Wait this long before handling the request (past the client's timeout).
    Delay(std::time::Duration),
    /// Handle the request, then send half of the body and drop the connection.
    Truncated,
    /// A 200 carrying a proxy's HTML error page instead of JSON.
    Html,
}

#[derive(Debug, Clone)]
struct FaultRule {
    method: Method,
    path_contains: String,
    fault: Fault,
    times: usize,
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub query: String,
    pub authorization: Option<String>,
}

#[derive(Debug, Default)]
pub struct State {
    pub comments: Vec<Comment>,
    pub runs: Vec<Run>,
    pub artifacts: Vec<Artifact>,
    pub pulls: BTreeMap<u64, Value>,
    /// `base...head` -> compare answer.
    pub compares: BTreeMap<String, Value>,
    pub releases: Vec<Value>,
    pub tags: Vec<Tag>,
    /// Git data of branches written through the Git Data API: branch → commit.
    pub branches: BTreeMap<String, String>,
    /// commit → (tree, parents).
    pub commits: BTreeMap<String, (String, Vec<String>)>,
    /// tree → path → blob.
    pub trees: BTreeMap<String, BTreeMap<String, String>>,
    pub blobs: BTreeMap<String, Vec<u8>>,
    pub check_runs: Vec<Value>,
    pub requests: Vec<Logged>,
    pub blob_requests: Vec<Logged>,
    /// Items per page at most (GitHub's cap is 100; smaller here to exercise paging).
    pub page_size: usize,
    next_id: u64,
    faults: Vec<FaultRule>,
    api_origin: String,
    blob_origin: String,
}

impl State {
    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Queue `fault` for the next `times` requests of `method` whose path contains `path`.
    pub fn fail(&mut self, method: Method, path: &str, fault: Fault, times: usize) {
        self.faults.push(FaultRule {
            method,
            path_contains: path.to_string(),
            fault,
            times,
        });
    }

    /// Uses up a queued [`Fault::Delay`] if it is the next fault for this request.
    fn take_delay(&mut self, method: &Method, path: &str) -> Option<std::time::Duration> {
        let rule = self
            .faults
            .iter_mut()
            .find(|f| f.method == method && path.contains(&f.path_contains) && f.times > 0)?;
        let Fault::Delay(d) = rule.fault else {
            return None;
        };
        rule.times -= 1;
        Some(d)
    }

    /// The next queued fault for a request of `method` to `path`, used up.
    fn take_fault(&mut self, method: &Method, path: &str) -> Option<Fault> {
        let rule = self
            .faults
            .iter_mut()
            .find(|f| f.method == method && path.contains(&f.path_contains) && f.times > 0)?;
        rule.times -= 1;
        Some(rule.fault.clone())
    }

    /// A new 40-hex object id.
    fn object_id(&mut self) -> String {
        format!("{:040x}", 0xfeed_0000_u64 + self.next_id())
    }

    /// The files of `branch` (path → text), empty when it does not exist.
    pub fn branch_files(&self, branch: &str) -> BTreeMap<String, String> {
        let Some(commit) = self.branches.get(branch) else {
            return BTreeMap::new();
        };
        let tree = &self.commits[commit].0;
        self.trees[tree]
            .iter()
            .map(|(path, blob)| {
                (
                    path.clone(),
                    String::from_utf8_lossy(&self.blobs[blob]).into_owned(),
                )
            })
            .collect()
    }

    pub fn add_comment(&mut self, issue: u64, body: &str, login: &str, kind: &str) -> u64 {
        let id = self.next_id();
        self.comments.push(Comment {
            id,
            issue,
            body: body.to_string(),
            login: login.to_string(),
            kind: kind.to_string(),
        });
        id
    }

    pub fn add_run(
        &mut self,
        workflow: &str,
        branch: &str,
        event: &str,
        sha: &str,
        created_at: &str,
    ) -> u64 {
        let id = self.next_id();
        self.runs.push(Run {
            id,
            workflow: workflow.to_string(),
            head_sha: sha.to_string(),
            head_branch: branch.to_string(),
            event: event.to_string(),
            conclusion: "success".to_string(),
            created_at: created_at.to_string(),
            head_repo: format!("{OWNER}/{REPO}"),
        });
        id
    }

    pub fn add_tag(&mut self, name: &str, commit: &str, annotated: bool) {
        self.tags.push(Tag {
            name: name.to_string(),
            commit: commit.to_string(),
            annotated,
        });
    }

    pub fn add_artifact(&mut self, run_id: u64, name: &str, zip: Vec<u8>, expired: bool) -> u64 {
        let id = self.next_id();
        self.artifacts.push(Artifact {
            id,
            run_id,
            name: name.to_string(),
            expired,
            zip,
        });
        id
    }

    pub fn comments_on(&self, issue: u64) -> Vec<Comment> {
        self.comments
            .iter()
            .filter(|c| c.issue == issue)
            .cloned()
            .collect()
    }

    /// Requests of `method` whose path contains `path`.
    pub fn count(&self, method: &str, path: &str) -> usize {
        self.requests
            .iter()
            .filter(|r| r.method == method && r.path.contains(path))
            .count()
    }
}

type Shared = Arc<Mutex<State>>;

/// The running fake: the API root (`http://127.0.0.1:PORT/api/v3`) and its state.
pub struct FakeGithub {
    pub api_url: String,
    pub state: Shared,
}

impl FakeGithub {
    /// Starts both servers on a background thread with its own runtime.
    pub fn start() -> FakeGithub {
        let api = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let blob = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        api.set_nonblocking(true).unwrap();
        blob.set_nonblocking(true).unwrap();
        let api_origin = format!("http://{}", api.local_addr().unwrap());
        let blob_origin = format!("http://{}", blob.local_addr().unwrap());
        let state: Shared = Arc::new(Mutex::new(State {
            page_size: 100,
            next_id: 1000,
            api_origin: api_origin.clone(),
            blob_origin,
            ..State::default()
        }));
        let api_state = state.clone();
        let blob_state = state.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let api = tokio::net::TcpListener::from_std(api).unwrap();
                let blob = tokio::net::TcpListener::from_std(blob).unwrap();
                let api_app = Router::new().fallback(api_handler).with_state(api_state);
                let blob_app = Router::new().fallback(blob_handler).with_state(blob_state);
                let a = tokio::spawn(async move { axum::serve(api, api_app).await });
                let b = tokio::spawn(async move { axum::serve(blob, blob_app).await });
                let _ = tokio::join!(a, b);
            });
        });
        FakeGithub {
            api_url: format!("{api_origin}/api/v3"),
            state,
        }
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }
}

/// A zip archive of `files` (path, contents), deflated like upload-artifact's.
pub fn zip_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        w.start_file(name.as_str(), opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Every file under `dir`, relative, for [`zip_of`].
pub fn files_under(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap();
            out.push((
                rel.to_string_lossy().replace('\\', "/"),
                std::fs::read(entry.path()).unwrap(),
            ));
        }
    }
    out
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn message(status: StatusCode, text: &str) -> Response {
    json_response(
        status,
        json!({"message": text, "documentation_url": "https://docs.github.com/rest"}),
    )
}

fn query_map(uri: &Uri) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

#[derive(PartialEq)]
enum Access {
    Read,
    Write,
    Personal,
}

async fn api_handler(
    AxState(state): AxState<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let delay = state.lock().unwrap().take_delay(&method, uri.path());
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    match handle_api(&state, method, uri, headers, body) {
        (response, true) => truncated(response).await,
        (response, false) => response,
    }
}

/// Handles one API request; `true` asks for the body to be cut short.
fn handle_api(
    state: &Shared,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (Response, bool) {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let mut st = state.lock().unwrap();
    st.requests.push(Logged {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: uri.query().unwrap_or("").to_string(),
        authorization: authorization.clone(),
    });
    let access = match authorization.as_deref() {
        Some(a) if a == format!("Bearer {WRITE_TOKEN}") => Access::Write,
        Some(a) if a == format!("Bearer {READ_TOKEN}") => Access::Read,
        Some(a) if a == format!("Bearer {PAT_TOKEN}") => Access::Personal,
        _ => return (message(StatusCode::UNAUTHORIZED, "Bad credentials"), false),
    };
    if uri.path() == "/api/graphql" {
        return (graphql(&method, &body, &access), false);
    }
    let Some(path) = uri.path().strip_prefix("/api/v3") else {
        return (message(StatusCode::NOT_FOUND, "Not Found"), false);
    };
    let path = path.to_string();

    let mut after = None;
    let mut truncate = false;
    if let Some(fault) = st.take_fault(&method, &path) {
        match fault {
            Fault::Status(code) => {
                let status = StatusCode::from_u16(code).unwrap();
                return (
                    (status, "<html><body><h1>Server Error</h1></body></html>").into_response(),
                    false,
                );
            }
            Fault::Html => return (html_page(), false),
            Fault::Delay(_) => {}
            Fault::Truncated => truncate = true,
            Fault::RetryAfter(secs) => {
                let mut r = message(
                    StatusCode::FORBIDDEN,
                    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
                );
                r.headers_mut().insert(
                    "retry-after",
                    HeaderValue::from_str(&secs.to_string()).unwrap(),
                );
                return (r, false);
            }
            Fault::RateLimitReset(secs) => {
                let reset = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs()
                    + secs;
                let mut r = message(StatusCode::TOO_MANY_REQUESTS, "API rate limit exceeded");
                let h = r.headers_mut();
                h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
                h.insert(
                    "x-ratelimit-reset",
                    HeaderValue::from_str(&reset.to_string()).unwrap(),
                );
                return (r, false);
            }
            Fault::AppliedThen502 => after = Some(StatusCode::BAD_GATEWAY),
        }
    }
    let response = route(&mut st, &method, &path, &uri, &body, access);
    match after {
        Some(status) => ((status, "upstream timed out").into_response(), false),
        None => (response, truncate),
    }
}

/// GitHub Enterprise Server's GraphQL endpoint (`/api/graphql`), for the one query the
/// client sends: `viewer { login }`, answered as GitHub does for each kind of token (a
/// personal token's user, the Actions bot for `GITHUB_TOKEN`).
fn graphql(method: &Method, body: &[u8], access: &Access) -> Response {
    let query = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v["query"].as_str().map(String::from));
    match (method.as_str(), query) {
        ("POST", Some(q)) if q.contains("viewer") && q.contains("login") => {
            let login = match access {
                Access::Personal => PAT_LOGIN,
                _ => "github-actions[bot]",
            };
            json_response(
                StatusCode::OK,
                json!({"data": {"viewer": {"login": login}}}),
            )
        }
        ("POST", _) => json_response(
            StatusCode::OK,
            json!({"errors": [{"message": "Field does not exist"}]}),
        ),
        _ => message(StatusCode::NOT_FOUND, "Not Found"),
    }
}

/// What a proxy in front of the API answers when the upstream is down: HTML, status 200.
fn html_page() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!DOCTYPE html><html><head><title>Unicorn!</title></head><body><h1>No server is currently available to service your request.</h1></body></html>",
    )
        .into_response()
}

/// `response` with only the first half of its body, then a reset connection.
async fn truncated(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    let pieces: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(bytes.slice(..bytes.len() / 2)),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "connection reset",
        )),
    ];
    Response::from_parts(
        parts,
        axum::body::Body::from_stream(futures_util::stream::iter(pieces)),
    )
}

fn route(
    st: &mut State,
    method: &Method,
    path: &str,
    uri: &Uri,
    body: &[u8],
    access: Access,
) -> Response {
    let seg: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let q = query_map(uri);
    let forbidden = || {
        message(
            StatusCode::FORBIDDEN,
            "Resource not accessible by integration",
        )
    };
    match (method.as_str(), seg.as_slice()) {
        // Installation tokens cannot read the authenticated user; personal tokens can.
        ("GET", ["user"]) if access == Access::Personal => {
            json_response(StatusCode::OK, json!({"login": PAT_LOGIN, "type": "User"}))
        }
        ("GET", ["user"]) => forbidden(),
        ("GET", ["repos", o, r, "issues", n, "comments"]) if *o == OWNER && *r == REPO => {
            let issue: u64 = n.parse().unwrap_or(0);
            let items: Vec<Value> = st
                .comments
                .iter()
                .filter(|c| c.issue == issue)
                .map(comment_json)
                .collect();
            paginate(st, items, uri, &q, None)
        }
        ("POST", ["repos", o, r, "issues", n, "comments"]) if *o == OWNER && *r == REPO => {
            if access == Access::Read {
                return forbidden();
            }
            let issue: u64 = n.parse().unwrap_or(0);
            let Some(text) = body_text(body) else {
                return message(StatusCode::UNPROCESSABLE_ENTITY, "Invalid request.");
            };
            if text.chars().count() > 65_536 {
                return message(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Validation Failed: Body is too long (maximum is 65536 characters)",
                );
            }
            let (login, kind) = match access {
                Access::Personal => (PAT_LOGIN, "User"),
                _ => ("github-actions[bot]", "Bot"),
            };
            let id = st.add_comment(issue, &text, login, kind);
            let c = st.comments.iter().find(|c| c.id == id).unwrap();
            json_response(StatusCode::CREATED, comment_json(c))
        }
        ("PATCH", ["repos", o, r, "issues", "comments", id]) if *o == OWNER && *r == REPO => {
            if access == Access::Read {
                return forbidden();
            }
            let id: u64 = id.parse().unwrap_or(0);
            let Some(text) = body_text(body) else {
                return message(StatusCode::UNPROCESSABLE_ENTITY, "Invalid request.");
            };
            match st.comments.iter_mut().find(|c| c.id == id) {
                Some(c) => {
                    c.body = text;
                    let c = c.clone();
                    json_response(StatusCode::OK, comment_json(&c))
                }
                None => message(StatusCode::NOT_FOUND, "Not Found"),
            }
        }
        ("DELETE", ["repos", o, r, "issues", "comments", id]) if *o == OWNER && *r == REPO => {
            if access == Access::Read {
                return forbidden();
            }
            let id: u64 = id.parse().unwrap_or(0);
            let before = st.comments.len();
            st.comments.retain(|c| c.id != id);
            if st.comments.len() == before {
                return message(StatusCode::NOT_FOUND, "Not Found");
            }
            StatusCode::NO_CONTENT.into_response()
        }
        ("GET", ["repos", o, r, "actions", "workflows", wf, "runs"])
            if *o == OWNER && *r == REPO =>
        {
            let mut runs: Vec<&Run> = st
                .runs
                .iter()
                .filter(|run| run.workflow == *wf)
                .filter(|run| q.get("branch").is_none_or(|b| *b == run.head_branch))
                .filter(|run| q.get("event").is_none_or(|e| *e == run.event))
                .filter(|run| {
                    q.get("status")
                        .is_none_or(|s| *s == run.conclusion || s == "completed")
                })
                .filter(|run| q.get("head_sha").is_none_or(|s| *s == run.head_sha))
                .collect();
            runs.sort_by_key(|run| std::cmp::Reverse(run.id));
            let items: Vec<Value> = runs.iter().map(|run| run_json(run)).collect();
            paginate(st, items, uri, &q, Some("workflow_runs"))
        }
        ("GET", ["repos", o, r, "actions", "runs", id, "artifacts"])
            if *o == OWNER && *r == REPO =>
        {
            let run_id: u64 = id.parse().unwrap_or(0);
            let items: Vec<Value> = st
                .artifacts
                .iter()
                .filter(|a| a.run_id == run_id)
                .map(|a| {
                    json!({
                        "id": a.id, "node_id": "MDg6QXJ0aWZhY3Qx", "name": a.name,
                        "size_in_bytes": a.zip.len(),
                        "url": format!("{}/api/v3/repos/{OWNER}/{REPO}/actions/artifacts/{}", st.api_origin, a.id),
                        "archive_download_url": format!("{}/api/v3/repos/{OWNER}/{REPO}/actions/artifacts/{}/zip", st.api_origin, a.id),
                        "expired": a.expired,
                        "created_at": "2025-10-06T10:00:00Z",
                        "expires_at": "2026-01-04T10:00:00Z",
                        "workflow_run": {"id": a.run_id},
                    })
                })
                .collect();
            paginate(st, items, uri, &q, Some("artifacts"))
        }
        ("GET", ["repos", o, r, "actions", "artifacts", id, "zip"])
            if *o == OWNER && *r == REPO =>
        {
            let id: u64 = id.parse().unwrap_or(0);
            match st.artifacts.iter().find(|a| a.id == id) {
                None => message(StatusCode::NOT_FOUND, "Not Found"),
                Some(a) if a.expired => message(StatusCode::GONE, "Artifact has expired"),
                Some(a) => {
                    let location = format!(
                        "{}/blob/{}?sv=2021-08-06&se=2025-10-07T14%3A10%3A00Z&sig=abc",
                        st.blob_origin, a.id
                    );
                    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
                }
            }
        }
        ("GET", ["repos", o, r, "compare", spec]) if *o == OWNER && *r == REPO => {
            match st.compares.get(*spec) {
                Some(v) => json_response(StatusCode::OK, v.clone()),
                None => message(StatusCode::NOT_FOUND, "Not Found"),
            }
        }
        ("GET", ["repos", o, r, "releases"]) if *o == OWNER && *r == REPO => {
            let items = st.releases.clone();
            paginate(st, items, uri, &q, None)
        }
        ("GET", ["repos", o, r, "git", "ref", "heads", name @ ..]) if *o == OWNER && *r == REPO => {
            let name = percent_decoded(&name.join("/"));
            match st.branches.get(&name) {
                Some(sha) => json_response(
                    StatusCode::OK,
                    json!({"ref": format!("refs/heads/{name}"), "object": {"type": "commit", "sha": sha}}),
                ),
                None => message(StatusCode::NOT_FOUND, "Not Found"),
            }
        }
        ("GET", ["repos", o, r, "git", "commits", sha]) if *o == OWNER && *r == REPO => {
            match st.commits.get(*sha) {
                Some((tree, parents)) => json_response(
                    StatusCode::OK,
                    json!({"sha": sha, "tree": {"sha": tree}, "parents": parents.iter().map(|p| json!({"sha": p})).collect::<Vec<_>>()}),
                ),
                None => message(StatusCode::NOT_FOUND, "Not Found"),
            }
        }
        ("GET", ["repos", o, r, "git", "trees", sha]) if *o == OWNER && *r == REPO => {
            // A commit id names its tree, as on GitHub.
            let tree = st
                .commits
                .get(*sha)
                .map(|c| c.0.clone())
                .unwrap_or(sha.to_string());
            match st.trees.get(&tree) {
                Some(files) => {
                    let entries: Vec<Value> = files
                        .iter()
                        .map(|(path, blob)| json!({"path": path, "mode": "100644", "type": "blob", "sha": blob}))
                        .collect();
                    json_response(
                        StatusCode::OK,
                        json!({"sha": tree, "tree": entries, "truncated": false}),
                    )
                }
                None => message(StatusCode::NOT_FOUND, "Not Found"),
            }
        }
        ("GET", ["repos", o, r, "git", "blobs", sha]) if *o == OWNER && *r == REPO => {
            use base64::Engine as _;
            match st.blobs.get(*sha) {
                Some(bytes) => {
                    // GitHub wraps the base64 text in lines of 60 characters.
                    let text = base64::engine::general_purpose::STANDARD.encode(bytes);
                    let wrapped: Vec<String> = text
                        .as_bytes()
                        .chunks(60)
                        .map(|c| String::from_utf8_lossy(c).into_owned())
                        .collect();
                    json_response(
                        StatusCode::OK,
                        json!({"sha": sha, "encoding": "base64", "content": wrapped.join("\n"), "size": bytes.len()}),
                    )
                }
                None => message(StatusCode::NOT_FOUND, "Not Found"),
            }
        }
        ("POST", ["repos", o, r, "git", "trees"]) if *o == OWNER && *r == REPO => {
            if access == Access::Read {
                return forbidden();
            }
            let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let mut files = match v["base_tree"].as_str() {
                Some(base) => match st.trees.get(base) {
                    Some(files) => files.clone(),
                    None => return message(StatusCode::UNPROCESSABLE_ENTITY, "Invalid base_tree"),
                },
                None => BTreeMap::new(),
            };
            for entry in v["tree"].as_array().into_iter().flatten() {
                let Some(path) = entry["path"].as_str() else {
                    return message(StatusCode::UNPROCESSABLE_ENTITY, "tree entry without path");
                };
                if let Some(text) = entry["content"].as_str() {
                    let id = st.object_id();
                    st.blobs.insert(id.clone(), text.as_bytes().to_vec());
                    files.insert(path.to_string(), id);
                } else if entry["sha"].is_null() {
                    files.remove(path);
                }
            }
            let id = st.object_id();
            st.trees.insert(id.clone(), files);
            json_response(StatusCode::CREATED, json!({"sha": id}))
        }
        ("POST", ["repos", o, r, "git", "commits"]) if *o == OWNER && *r == REPO => {
            if access == Access::Read {
                return forbidden();
            }
            let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let tree = v["tree"].as_str().unwrap_or_default().to_string();
            if !st.trees.contains_key(&tree) {
                return message(StatusCode::UNPROCESSABLE_ENTITY, "Tree SHA does not exist");
            }
            let parents: Vec<String> = v["parents"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p.as_str().map(String::from))
                .collect();
            let id = st.object_id();
            st.commits.insert(id.clone(), (tree, parents));
            json_response(StatusCode::CREATED, json!({"sha": id}))
        }
        ("POST", ["repos", o, r, "git", "refs"]) if *o == OWNER && *r == REPO => {
            if access == Access::Read {
                return forbidden();
            }
            let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let name = v["ref"].as_str().unwrap_or_default();
            let sha = v["sha"].as_str().unwrap_or_default().to_string();
            let Some(branch) = name.strip_prefix("refs/heads/") else {
                return message(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Reference name is invalid",
                );
            };
            if st.branches.contains_key(branch) {
                return message(StatusCode::UNPROCESSABLE_ENTITY, "Reference already exists");
            }
            st.branches.insert(branch.to_string(), sha.clone());
            json_response(
                StatusCode::CREATED,
                json!({"ref": name, "object": {"sha": sha}}),
            )
        }
        ("PATCH", ["repos", o, r, "git", "refs", "heads", name @ ..])
            if *o == OWNER && *r == REPO =>
        {
            if access == Access::Read {
                return forbidden();
            }
            let name = percent_decoded(&name.join("/"));
            let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let sha = v["sha"].as_str().unwrap_or_default().to_string();
            let Some(current) = st.branches.get(&name).cloned() else {
                return message(StatusCode::UNPROCESSABLE_ENTITY, "Reference does not exist");
            };
            // Only a fast-forward unless forced: the new commit must descend from the head.
            let mut at = Some(sha.clone());
            let mut descends = false;
            while let Some(c) = at {
                if c == current {
                    descends = true;
                    break;
                }
                at = st.commits.get(&c).and_then(|(_, p)| p.first().cloned());
            }
            if !descends && v["force"].as_bool() != Some(true) {
                return message(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Update is not a fast forward",
                );
            }
            st.branches.insert(name.clone(), sha.clone());
            json_response(
                StatusCode::OK,
                json!({"ref": format!("refs/heads/{name}"), "object": {"sha": sha}}),
            )
        }
        ("GET", ["repos", o, r, "git", "ref", "tags", name @ ..]) if *o == OWNER && *r == REPO => {
            let name = percent_decoded(&name.join("/"));
            match st.tags.iter().find(|t| t.name == name) {
                Some(t) => {
                    let object = if t.annotated {
                        json!({"type": "tag", "sha": tag_object_sha(t)})
                    } else {
                        json!({"type": "commit", "sha": t.commit})
                    };
                    json_response(
                        StatusCode::OK,
                        json!({"ref": format!("refs/tags/{}", t.name), "object": object}),
                    )
                }
                None => message(StatusCode::NOT_FOUND, "Not Found"),
            }
        }
        ("GET", ["repos", o, r, "git", "tags", sha]) if *o == OWNER && *r == REPO => {
            match st
                .tags
                .iter()
                .find(|t| t.annotated && tag_object_sha(t) == *sha)
            {
                Some(t) => json_response(
                    StatusCode::OK,
                    json!({"sha": sha, "tag": t.name, "object": {"type": "commit", "sha": t.commit}}),
                ),
                None => message(StatusCode::NOT_FOUND, "Not Found"),
            }
        }
        ("GET", ["repos", o, r, "pulls", n]) if *o == OWNER && *r == REPO => {
            match n.parse::<u64>().ok().and_then(|n| st.pulls.get(&n)) {
                Some(v) => json_response(StatusCode::OK, v.clone()),
                None => message(StatusCode::NOT_FOUND, "Not Found"),
            }
        }
        ("POST", ["repos", o, r, "check-runs"]) if *o == OWNER && *r == REPO => {
            if access == Access::Read {
                return forbidden();
            }
            let mut v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let id = st.next_id();
            v["id"] = json!(id);
            v["html_url"] = json!(format!("https://github.com/{OWNER}/{REPO}/runs/{id}"));
            st.check_runs.push(v.clone());
            json_response(StatusCode::CREATED, v)
        }
        _ => message(StatusCode::NOT_FOUND, "Not Found"),
    }
}

fn body_text(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    v.get("body")?.as_str().map(String::from)
}

fn comment_json(c: &Comment) -> Value {
    json!({
        "id": c.id,
        "node_id": "IC_kwDOH",
        "html_url": format!("https://github.com/{OWNER}/{REPO}/pull/{}#issuecomment-{}", c.issue, c.id),
        "issue_url": format!("https://api.github.com/repos/{OWNER}/{REPO}/issues/{}", c.issue),
        "body": c.body,
        "user": {"login": c.login, "id": 41898282, "type": c.kind},
        "created_at": "2025-10-07T14:05:00Z",
        "updated_at": "2025-10-07T14:05:00Z",
        "author_association": if c.kind == "Bot" { "NONE" } else { "MEMBER" },
    })
}

/// The made-up sha of an annotated tag's tag object.
fn tag_object_sha(t: &Tag) -> String {
    format!("7a9{}", &t.commit[3..])
}

fn percent_decoded(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={text}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn run_json(run: &Run) -> Value {
    json!({
        "id": run.id,
        "name": "bench",
        "head_branch": run.head_branch,
        "head_sha": run.head_sha,
        "path": format!(".github/workflows/{}", run.workflow),
        "run_number": run.id - 1000,
        "event": run.event,
        "status": "completed",
        "conclusion": run.conclusion,
        "created_at": run.created_at,
        "updated_at": run.created_at,
        "html_url": format!("https://github.com/{OWNER}/{REPO}/actions/runs/{}", run.id),
        "pull_requests": [],
        "head_commit": null,
        "repository": {"full_name": format!("{OWNER}/{REPO}")},
        "head_repository": {"full_name": run.head_repo},
    })
}

/// One page of `items` (`page`, `per_page` capped at the state's page size) with absolute
/// `Link` headers, as a bare array or wrapped under `key` with `total_count`.
fn paginate(
    st: &State,
    items: Vec<Value>,
    uri: &Uri,
    q: &BTreeMap<String, String>,
    key: Option<&str>,
) -> Response {
    let per_page = q
        .get("per_page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(30)
        .clamp(1, 100)
        .min(st.page_size);
    let page = q
        .get("page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let total = items.len();
    let last = total.div_ceil(per_page).max(1);
    let slice: Vec<Value> = items
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    let link_to = |p: usize, rel: &str| {
        let mut q2 = q.clone();
        q2.insert("page".into(), p.to_string());
        let qs = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(q2.iter())
            .finish();
        format!("<{}{}?{qs}>; rel=\"{rel}\"", st.api_origin, uri.path())
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(link_to(page - 1, "prev"));
    }
    if page < last {
        links.push(link_to(page + 1, "next"));
        links.push(link_to(last, "last"));
    }
    if page > 1 {
        links.push(link_to(1, "first"));
    }
    let body = match key {
        Some(k) => json!({"total_count": total, k: slice}),
        None => Value::Array(slice),
    };
    let mut r = json_response(StatusCode::OK, body);
    if !links.is_empty() {
        r.headers_mut()
            .insert("link", HeaderValue::from_str(&links.join(", ")).unwrap());
    }
    r
}

async fn blob_handler(AxState(state): AxState<Shared>, uri: Uri, headers: HeaderMap) -> Response {
    match handle_blob(&state, &uri, &headers) {
        (response, true) => truncated(response).await,
        (response, false) => response,
    }
}

/// Answers one blob download; `true` asks for the body to be cut short.
fn handle_blob(state: &Shared, uri: &Uri, headers: &HeaderMap) -> (Response, bool) {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let mut st = state.lock().unwrap();
    st.blob_requests.push(Logged {
        method: "GET".into(),
        path: uri.path().to_string(),
        query: uri.query().unwrap_or("").to_string(),
        authorization: authorization.clone(),
    });
    if authorization.is_some() {
        // What Azure blob storage answers when a bearer token rides along a SAS URL.
        let response = (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "application/xml")],
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>InvalidAuthenticationInfo</Code><Message>Authentication information is not given in the correct format.</Message></Error>",
        )
            .into_response();
        return (response, false);
    }
    match st.take_fault(&Method::GET, uri.path()) {
        Some(Fault::Status(code)) => (
            (StatusCode::from_u16(code).unwrap(), "ServerBusy").into_response(),
            false,
        ),
        Some(Fault::Html) => (html_page(), false),
        Some(Fault::Truncated) => (blob(&st, uri), true),
        _ => (blob(&st, uri), false),
    }
}

fn blob(st: &State, uri: &Uri) -> Response {
    let id: u64 = uri
        .path()
        .strip_prefix("/blob/")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    match st.artifacts.iter().find(|a| a.id == id) {
        Some(a) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/zip")],
            a.zip.clone(),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "BlobNotFound").into_response(),
    }
}
