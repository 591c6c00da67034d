//! Workflow runs, commit comparisons, releases, tags and pull requests: what the baseline
//! search and the report-mode verification read from the REST API.

use super::client::{Client, Cursor};
use super::error::{GithubError, Permission};
use crate::context::Repo;
use serde::Deserialize;
use serde_json::Value;

/// A workflow run, with the fields the baseline search uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Run {
    pub id: u64,
    pub head_sha: String,
    /// ISO 8601 creation time.
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub run_number: Option<u64>,
    #[serde(default)]
    pub html_url: Option<String>,
    /// The event that started the run (`push`, `release`, `pull_request`, ...).
    #[serde(default)]
    pub event: Option<String>,
    /// The repository the run's commit came from: a fork for a fork's pull request.
    #[serde(default)]
    pub head_repository: Option<RunRepository>,
}

/// The repository a run's commit came from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RunRepository {
    pub full_name: String,
}

/// Which runs to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunFilter {
    /// Branch or tag the runs ran on.
    pub branch: Option<String>,
    /// Triggering event (`push`); `None` for any.
    pub event: Option<String>,
    /// Exact head commit.
    pub head_sha: Option<String>,
}

/// GitHub returns at most 1,000 runs for a filtered query: ten pages of 100.
const MAX_RUN_PAGES: usize = 10;

/// The successful runs of `workflow` (a file name or id) matching `filter`, newest first.
pub fn successful_runs<'c>(
    client: &'c Client,
    repo: &Repo,
    workflow: &str,
    filter: &RunFilter,
) -> RunCursor<'c> {
    let mut query = vec![("status", "success".to_string())];
    if let Some(b) = &filter.branch {
        query.push(("branch", b.clone()));
    }
    if let Some(e) = &filter.event {
        query.push(("event", e.clone()));
    }
    if let Some(s) = &filter.head_sha {
        query.push(("head_sha", s.clone()));
    }
    let route = format!(
        "/repos/{}/{}/actions/workflows/{}/runs",
        repo.owner,
        repo.name,
        url_segment(workflow)
    );
    RunCursor(client.cursor(
        &route,
        &query,
        Some("workflow_runs"),
        MAX_RUN_PAGES,
        Permission::ActionsRead,
    ))
}

/// Runs of a list, one at a time.
pub struct RunCursor<'c>(Cursor<'c>);

impl RunCursor<'_> {
    /// The next run; entries that do not look like runs are skipped.
    pub async fn next(&mut self) -> Result<Option<Run>, GithubError> {
        while let Some(v) = self.0.next().await? {
            match serde_json::from_value::<Run>(v) {
                Ok(run) => return Ok(Some(run)),
                Err(e) => tracing::warn!("skipping a workflow run entry: {e}"),
            }
        }
        Ok(None)
    }
}

/// How two commits relate (`GET /repos/{o}/{r}/compare/{base}...{head}`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Comparison {
    /// `ahead`, `behind`, `identical` or `diverged` (head relative to base).
    pub status: String,
    /// Commits in head that are not in base.
    pub ahead_by: u64,
}

/// Compares `base...head`.
pub async fn compare_commits(
    client: &Client,
    repo: &Repo,
    base: &str,
    head: &str,
) -> Result<Comparison, GithubError> {
    let route = format!(
        "/repos/{}/{}/compare/{}...{}",
        repo.owner,
        repo.name,
        url_segment(base),
        url_segment(head)
    );
    client
        .get(
            &route,
            &[("per_page", "1".into())],
            Permission::ContentsRead,
        )
        .await
}

/// A release, with the fields release gating uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Release {
    pub tag_name: String,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub prerelease: bool,
    #[serde(default)]
    pub published_at: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
}

/// The releases of `repo`, as GitHub lists them (newest first), at most 300.
pub async fn releases(client: &Client, repo: &Repo) -> Result<Vec<Release>, GithubError> {
    let route = format!("/repos/{}/{}/releases", repo.owner, repo.name);
    let items = client
        .list(&route, &[], None, 3, Permission::ContentsRead)
        .await?;
    Ok(items
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect())
}

/// The commit the tag `tag` points to (an annotated tag is followed to its commit), or
/// `None` when the repository has no such tag.
pub async fn tag_commit(
    client: &Client,
    repo: &Repo,
    tag: &str,
) -> Result<Option<String>, GithubError> {
    #[derive(Deserialize)]
    struct Target {
        object: Object,
    }
    #[derive(Deserialize)]
    struct Object {
        #[serde(rename = "type")]
        kind: String,
        sha: String,
    }
    let path: Vec<String> = tag.split('/').map(url_segment).collect();
    let route = format!(
        "/repos/{}/{}/git/ref/tags/{}",
        repo.owner,
        repo.name,
        path.join("/")
    );
    let mut target: Target = match client.get(&route, &[], Permission::ContentsRead).await {
        Ok(t) => t,
        Err(e) if e.status() == Some(404) => return Ok(None),
        Err(e) => return Err(e),
    };
    // A tag object may point to another tag; a few levels are plenty.
    for _ in 0..4 {
        match target.object.kind.as_str() {
            "commit" => return Ok(Some(target.object.sha)),
            "tag" => {
                let route = format!(
                    "/repos/{}/{}/git/tags/{}",
                    repo.owner,
                    repo.name,
                    url_segment(&target.object.sha)
                );
                target = client.get(&route, &[], Permission::ContentsRead).await?;
            }
            _ => break,
        }
    }
    Err(GithubError::Decode {
        path: route,
        reason: format!("tag `{tag}` does not lead to a commit"),
    })
}

/// A pull request as the API reports it now (trusted, unlike an artifact's claims).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullInfo {
    pub number: u64,
    pub head_sha: String,
    pub head_ref: String,
    pub base_ref: String,
    pub base_sha: String,
}

/// `GET /repos/{o}/{r}/pulls/{n}`.
pub async fn pull_request(
    client: &Client,
    repo: &Repo,
    number: u64,
) -> Result<PullInfo, GithubError> {
    let route = format!("/repos/{}/{}/pulls/{number}", repo.owner, repo.name);
    let v: Value = client
        .get(&route, &[], Permission::PullRequestsRead)
        .await?;
    let field = |pointer: &str| {
        v.pointer(pointer)
            .and_then(Value::as_str)
            .map(String::from)
            .ok_or_else(|| GithubError::Decode {
                path: route.clone(),
                reason: format!(
                    "no `{}` in the pull request",
                    &pointer[1..].replace('/', ".")
                ),
            })
    };
    Ok(PullInfo {
        number,
        head_sha: field("/head/sha")?,
        head_ref: field("/head/ref")?,
        base_ref: field("/base/ref")?,
        base_sha: field("/base/sha")?,
    })
}

/// Percent-encodes one path segment (a branch name may contain `/`).
pub fn url_segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
