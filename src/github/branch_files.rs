//! The files of one branch, read and written through the Git Data API: a recursive tree
//! listing, blobs, and one commit per write made of a new tree on top of the branch's head
//! (`POST git/trees`, `POST git/commits`, then `PATCH git/refs`, which refuses anything but a
//! fast-forward, so two writers never lose each other's commits: the loser starts again from
//! the new head). A branch that does not exist yet is created without history.

use super::client::Client;
use super::error::{GithubError, Permission};
use crate::context::Repo;
use base64::Engine as _;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// How many times a write starts again after losing a race for the branch.
const WRITE_ATTEMPTS: usize = 3;

/// One branch of one repository.
pub struct BranchFiles<'a> {
    pub client: &'a Client,
    pub repo: &'a Repo,
    pub branch: &'a str,
}

impl BranchFiles<'_> {
    fn route(&self, rest: &str) -> String {
        format!("/repos/{}/{}/git/{rest}", self.repo.owner, self.repo.name)
    }

    /// The commit the branch points at; `None` when the branch does not exist.
    pub async fn head(&self) -> Result<Option<String>, GithubError> {
        let route = self.route(&format!("ref/heads/{}", self.branch));
        match self
            .client
            .get::<Value>(&route, &[], Permission::ContentsRead)
            .await
        {
            Ok(v) => Ok(v["object"]["sha"].as_str().map(String::from)),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every file of the branch: path → blob id. Empty when the branch does not exist.
    pub async fn list(&self) -> Result<BTreeMap<String, String>, GithubError> {
        let Some(head) = self.head().await? else {
            return Ok(BTreeMap::new());
        };
        let tree: Value = self
            .client
            .get(
                &self.route(&format!("trees/{head}")),
                &[("recursive", "1".to_string())],
                Permission::ContentsRead,
            )
            .await?;
        if tree["truncated"].as_bool() == Some(true) {
            tracing::warn!(
                "the tree of branch `{}` is too large to list whole; older entries may be missing",
                self.branch
            );
        }
        Ok(tree["tree"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["type"] == "blob")
            .filter_map(|e| {
                Some((
                    e["path"].as_str()?.to_string(),
                    e["sha"].as_str()?.to_string(),
                ))
            })
            .collect())
    }

    /// The bytes of blob `id`.
    pub async fn read(&self, id: &str) -> Result<Vec<u8>, GithubError> {
        let route = self.route(&format!("blobs/{id}"));
        let blob: Value = self
            .client
            .get(&route, &[], Permission::ContentsRead)
            .await?;
        let text: String = blob["content"]
            .as_str()
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| GithubError::Decode {
                path: route,
                reason: format!("blob content is not base64: {e}"),
            })
    }

    /// Commits `changes` (path → new text, or `None` to delete the file) on top of the
    /// branch, creating the branch when it does not exist. Returns the new commit.
    pub async fn write(
        &self,
        changes: &BTreeMap<String, Option<String>>,
        message: &str,
    ) -> Result<String, GithubError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let head = self.head().await?;
            let commit = self.commit(head.as_deref(), changes, message).await?;
            let moved = match &head {
                Some(_) => {
                    self.client
                        .patch::<Value>(
                            &self.route(&format!("refs/heads/{}", self.branch)),
                            &json!({ "sha": commit, "force": false }),
                            Permission::ContentsWrite,
                        )
                        .await
                }
                None => {
                    self.client
                        .post::<Value>(
                            &self.route("refs"),
                            &json!({ "ref": format!("refs/heads/{}", self.branch), "sha": commit }),
                            Permission::ContentsWrite,
                        )
                        .await
                }
            };
            match moved {
                Ok(_) => return Ok(commit),
                // Another writer moved the branch first (not a fast-forward, or it was just
                // created): build on its commit instead.
                Err(e) if e.status() == Some(422) && attempt < WRITE_ATTEMPTS => {
                    tracing::warn!("branch `{}` moved while writing; trying again", self.branch);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// A new commit with `changes` on top of `parent` (none: a commit without history).
    async fn commit(
        &self,
        parent: Option<&str>,
        changes: &BTreeMap<String, Option<String>>,
        message: &str,
    ) -> Result<String, GithubError> {
        let entries: Vec<Value> = changes
            .iter()
            .map(|(path, text)| match text {
                Some(text) => {
                    json!({ "path": path, "mode": "100644", "type": "blob", "content": text })
                }
                None => json!({ "path": path, "mode": "100644", "type": "blob", "sha": null }),
            })
            .collect();
        let mut tree_body = json!({ "tree": entries });
        if let Some(parent) = parent {
            let commit: Value = self
                .client
                .get(
                    &self.route(&format!("commits/{parent}")),
                    &[],
                    Permission::ContentsRead,
                )
                .await?;
            tree_body["base_tree"] = commit["tree"]["sha"].clone();
        }
        let tree: Value = self
            .client
            .post(&self.route("trees"), &tree_body, Permission::ContentsWrite)
            .await?;
        let commit: Value = self
            .client
            .post(
                &self.route("commits"),
                &json!({
                    "message": message,
                    "tree": tree["sha"],
                    "parents": parent.into_iter().collect::<Vec<_>>(),
                }),
                Permission::ContentsWrite,
            )
            .await?;
        commit["sha"]
            .as_str()
            .map(String::from)
            .ok_or_else(|| GithubError::Decode {
                path: self.route("commits"),
                reason: "the new commit has no `sha`".into(),
            })
    }
}
