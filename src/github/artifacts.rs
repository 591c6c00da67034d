//! Workflow-run artifacts: listing a run's artifacts and downloading one archive (the API
//! redirects to blob storage; the token is never sent there).

use super::client::{Client, Download};
use super::error::{GithubError, Permission};
use crate::context::Repo;
use serde::Deserialize;
use std::path::Path;

/// An artifact of a run.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Artifact {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub size_in_bytes: u64,
    #[serde(default)]
    pub expired: bool,
}

/// The artifacts of run `run_id` (all pages).
pub async fn list(client: &Client, repo: &Repo, run_id: u64) -> Result<Vec<Artifact>, GithubError> {
    let route = format!(
        "/repos/{}/{}/actions/runs/{run_id}/artifacts",
        repo.owner, repo.name
    );
    let items = client
        .list(&route, &[], Some("artifacts"), 10, Permission::ActionsRead)
        .await?;
    Ok(items
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect())
}

/// Downloads the zip of `artifact` into `dest`, refusing archives above `max_bytes`.
pub async fn download(
    client: &Client,
    repo: &Repo,
    artifact: &Artifact,
    dest: &Path,
    max_bytes: u64,
) -> Result<Download, GithubError> {
    if artifact.expired {
        return Ok(Download::Expired);
    }
    if artifact.size_in_bytes > max_bytes {
        return Err(GithubError::Decode {
            path: format!("artifact `{}`", artifact.name),
            reason: format!(
                "{} bytes, above the {max_bytes}-byte limit",
                artifact.size_in_bytes
            ),
        });
    }
    let route = format!(
        "/repos/{}/{}/actions/artifacts/{}/zip",
        repo.owner, repo.name, artifact.id
    );
    client
        .download(&route, dest, max_bytes, Permission::ActionsRead)
        .await
}
