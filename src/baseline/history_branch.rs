//! The baseline from a history branch, and recording a run in it. On the base branch (and on
//! release tags) the action writes the summary of its head series under the configuration's
//! folder and lists the run in the folder's index; a later run whose artifacts are gone reads
//! the base commit's summaries back (else the newest on the base branch) as its baseline.

use super::{short_sha, Baseline, BaselineError, Snapshot, WorkDir};
use crate::context::{Base, BaselineMode, Repo};
use crate::github::branch_files::BranchFiles;
use crate::github::Client;
use crate::history::branch::{self, Entry, Index, INDEX};
use crate::history::summary;
use crate::model::Series;
use std::collections::BTreeMap;

/// Where a configuration's history lives.
pub struct Place<'a> {
    pub client: &'a Client,
    pub repo: &'a Repo,
    pub branch: &'a str,
    /// The configuration's key (the sticky comment's), made into a folder by
    /// [`branch::folder`].
    pub key: &'a str,
}

impl Place<'_> {
    fn files(&self) -> BranchFiles<'_> {
        BranchFiles {
            client: self.client,
            repo: self.repo,
            branch: self.branch,
        }
    }

    /// Reads the runs to compare with into `work`: on a branch, the base commit's (else the
    /// newest on the base branch) and up to `runs - 1` earlier ones; for a release, the
    /// newest recorded releases before it.
    pub async fn fetch(
        &self,
        base: &Base,
        runs: usize,
        work: &WorkDir,
    ) -> Result<Baseline, BaselineError> {
        let (base_sha, base_ref) = match base {
            Base::Ref { name, sha } => (sha.as_deref(), name.as_str()),
            Base::PreviousRelease { tag, .. } => (None, tag.as_str()),
            Base::None => {
                return Ok(Baseline::none(
                    BaselineMode::Artifacts,
                    "this event names no base to compare with (set the `base-ref` input)",
                ))
            }
        };
        let folder = branch::folder(self.key);
        let files = self.files();
        let listing = files.list().await?;
        let index = self.index(&listing, &folder).await?;
        let picked = match base {
            Base::PreviousRelease { tag, .. } => index.pick_release(tag, runs),
            _ => index.pick(base_sha, base_ref, runs),
        };
        if picked.is_empty() {
            let what = match base {
                Base::PreviousRelease { .. } => format!("release before `{base_ref}`"),
                _ => format!("run on `{base_ref}`"),
            };
            return Ok(Baseline::none(
                BaselineMode::Artifacts,
                format!(
                    "the history branch `{}` has no {what} of `{folder}` either",
                    self.branch
                ),
            ));
        }
        let mut snapshots = Vec::new();
        for entry in picked {
            let prefix = format!("{folder}/{}/", entry.sha);
            let dir = work.subdir(&format!("history-{}", short_sha(&entry.sha)))?;
            for (path, id) in listing.iter().filter(|(p, _)| p.starts_with(&prefix)) {
                let rel = &path[prefix.len()..];
                if rel.split('/').any(|part| part == ".." || part.is_empty()) {
                    continue;
                }
                let target = dir.join(rel);
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| {
                        BaselineError::Io(format!("cannot create {}: {e}", parent.display()))
                    })?;
                }
                let bytes = files.read(id).await?;
                std::fs::write(&target, bytes).map_err(|e| {
                    BaselineError::Io(format!("cannot write {}: {e}", target.display()))
                })?;
            }
            snapshots.push(Snapshot {
                dir,
                sha: Some(entry.sha.clone()),
                run_id: entry.run_id,
                run_url: None,
                created_at: Some(entry.created_at.clone()),
                label: format!(
                    "history branch `{}` at {}",
                    self.branch,
                    short_sha(&entry.sha)
                ),
            });
        }
        let exact = base_sha.is_some_and(|s| snapshots[0].sha.as_deref() == Some(s));
        let which = match base {
            Base::PreviousRelease { .. } => {
                format!(", the newest release recorded before `{base_ref}`")
            }
            _ if exact => ", the base commit itself".to_string(),
            _ => format!(", the newest run recorded on `{base_ref}` (not the base commit)"),
        };
        let detail = format!("from the history branch `{}`{which}", self.branch);
        Ok(Baseline {
            source: BaselineMode::Artifacts,
            reference: Some(base_ref.to_string()),
            snapshots,
            requested_sha: base_sha.map(String::from),
            commits_behind: None,
            notes: vec![format!("The baseline comes {detail}.")],
            detail: Some(detail),
        })
    }

    /// The index of `folder` in the branch's `listing` (empty when there is none). An index
    /// that is not benchgate's is an error, never overwritten.
    async fn index(
        &self,
        listing: &BTreeMap<String, String>,
        folder: &str,
    ) -> Result<Index, BaselineError> {
        let Some(id) = listing.get(&format!("{folder}/{INDEX}")) else {
            return Ok(Index::default());
        };
        let bytes = self.files().read(id).await?;
        serde_json::from_slice(&bytes).map_err(|e| {
            BaselineError::Io(format!(
                "history branch `{}`: {folder}/{INDEX} is not a benchgate index ({e}); delete that file from the branch to start the history again",
                self.branch
            ))
        })
    }

    /// Records the run of `entry` with its head `series`: the summary files replace any
    /// earlier record of the same commit, and the runs the index drops lose their files.
    pub async fn store(&self, entry: Entry, series: &[Series]) -> Result<String, BaselineError> {
        let folder = branch::folder(self.key);
        let files = self.files();
        let listing = files.list().await?;
        let mut index = self.index(&listing, &folder).await?;
        let sha = entry.sha.clone();
        let mut gone = index.record(entry);
        gone.push(sha.clone());
        let mut changes: BTreeMap<String, Option<String>> = BTreeMap::new();
        for old in &gone {
            let prefix = format!("{folder}/{old}/");
            for path in listing.keys().filter(|p| p.starts_with(&prefix)) {
                changes.insert(path.clone(), None);
            }
        }
        for (rel, text) in summary::write(series) {
            changes.insert(format!("{folder}/{sha}/{rel}"), Some(text));
        }
        let index_text = serde_json::to_string_pretty(&index).unwrap_or_default();
        changes.insert(format!("{folder}/{INDEX}"), Some(index_text));
        let message = format!("benchgate: {} at {}", folder, short_sha(&sha));
        Ok(files.write(&changes, &message).await?)
    }
}
