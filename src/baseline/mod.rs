//! The baseline stage: finds the files the head is compared against — the artifacts of the
//! base branch's latest successful run ([`artifacts`]), a directory ([`path`]), or the files
//! committed at a git ref ([`git`]) — and says which commit they belong to and how stale
//! they are. With `history: N` it also fetches older runs for a noise band and a trend
//! chart ([`trend`]).

pub mod artifacts;
pub mod gab_history;
pub mod git;
pub mod history_branch;
pub mod layout;
pub mod path;
pub mod trend;
pub mod unzip;

use crate::context::BaselineMode;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Why no baseline could be obtained (as opposed to "there is none", which is a
/// [`Baseline`] without snapshots).
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error(transparent)]
    Github(#[from] crate::github::GithubError),
    #[error("baseline: {0}")]
    Usage(String),
    #[error("baseline: {0}")]
    Io(String),
}

impl BaselineError {
    /// A mistake the user can fix in the workflow (missing permission, bad path or ref).
    pub fn is_usage(&self) -> bool {
        match self {
            BaselineError::Github(e) => matches!(e.status(), Some(401 | 403)),
            BaselineError::Usage(_) => true,
            BaselineError::Io(_) => false,
        }
    }
}

/// One set of baseline files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The directory holding the files (scan it like the head directory).
    pub dir: PathBuf,
    /// The commit the files were produced on, when known.
    pub sha: Option<String>,
    pub run_id: Option<u64>,
    pub run_url: Option<String>,
    /// ISO 8601 time of the run.
    pub created_at: Option<String>,
    /// How to name this snapshot to a reader (`run 123 on main`, `v1.3.0`).
    pub label: String,
}

/// The baseline of a run: zero snapshots (no baseline) or several, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    pub source: BaselineMode,
    /// The branch, tag or folder the baseline was looked for in.
    pub reference: Option<String>,
    /// Newest first: the first is the baseline, the others are history.
    pub snapshots: Vec<Snapshot>,
    /// The base commit that was asked for.
    pub requested_sha: Option<String>,
    /// How many commits the baseline commit is behind `requested_sha`, when known.
    pub commits_behind: Option<u64>,
    /// What was found, skipped or assumed, for the log and the report.
    pub notes: Vec<String>,
    /// The one thing a reader of the comment should know beyond the source, ref and commit
    /// (why there is no baseline, how far behind the base commit it is).
    pub detail: Option<String>,
}

impl Baseline {
    /// No baseline, with the reason.
    pub fn none(source: BaselineMode, note: impl Into<String>) -> Baseline {
        let note = note.into();
        Baseline {
            source,
            reference: None,
            snapshots: Vec::new(),
            requested_sha: None,
            commits_behind: None,
            notes: vec![note.clone()],
            detail: Some(note),
        }
    }

    /// When there is no baseline although one was looked for: the notice that says so up
    /// front, since nothing in such a run can fail on a regression, with the settings that
    /// keep a baseline available or make its absence fail.
    pub fn open_gate_notice(&self, explicit_none: bool) -> Option<String> {
        if !self.snapshots.is_empty() || explicit_none {
            return None;
        }
        let why = self
            .detail
            .as_deref()
            .unwrap_or("none was found")
            .trim_end_matches('.');
        let expired = self.notes.iter().any(|n| n.contains("expired"));
        let mut text = format!(
            "No baseline ({why}), so no change can be judged and this run cannot fail on a regression: the gate is open."
        );
        if expired {
            text.push_str(
                " The base branch's artifacts have expired: upload them with a longer `retention-days` (90 days unless the repository allows more), or keep a durable history with the `history-branch` input.",
            );
        }
        text.push_str(
            " Where an open gate is not acceptable (release gates), add `no_baseline` to `fail_on`.",
        );
        Some(text)
    }

    /// The snapshot the head is compared against.
    pub fn primary(&self) -> Option<&Snapshot> {
        self.snapshots.first()
    }

    /// The baseline commit, when known.
    pub fn sha(&self) -> Option<&str> {
        self.primary().and_then(|s| s.sha.as_deref())
    }

    /// Whether the baseline was measured on exactly the requested base commit.
    pub fn exact(&self) -> bool {
        match (self.requested_sha.as_deref(), self.sha()) {
            (Some(want), Some(got)) => want == got,
            _ => false,
        }
    }

    /// The report's `baseline` object: `mode` (`artifact`, `dir`, `git-ref`, `none`), `path`,
    /// `ref`, `sha`, `run_url`, `age`, `stale` (not the base commit itself) and `note` for the
    /// templates, plus the details (`source` as the input spells it, `requested_sha`,
    /// `commits_behind`, `history`, every note).
    pub fn describe(&self, now: chrono::DateTime<chrono::Utc>) -> Value {
        let primary = self.primary();
        let age = primary
            .and_then(|s| s.created_at.as_deref())
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| now - t.with_timezone(&chrono::Utc));
        let stale =
            primary.is_some() && self.requested_sha.is_some() && self.commits_behind != Some(0);
        let mode = match (self.source, primary.is_some()) {
            (_, false) | (BaselineMode::None, _) => "none",
            (BaselineMode::Artifacts, true) => "artifact",
            (BaselineMode::Path, true) => "dir",
            (BaselineMode::Git, true) => "git-ref",
        };
        let (path, reference) = match self.source {
            BaselineMode::Path => (self.reference.clone(), None),
            _ => (None, self.reference.clone()),
        };
        json!({
            "mode": mode,
            "source": mode_name(self.source),
            "found": primary.is_some(),
            "path": path,
            "ref": reference,
            "sha": self.sha(),
            "run_id": primary.and_then(|s| s.run_id),
            "run_url": primary.and_then(|s| s.run_url.clone()),
            "created_at": primary.and_then(|s| s.created_at.clone()),
            "age": age.map(human_age),
            "age_hours": age.map(|a| (a.num_minutes() as f64 / 6.0).round() / 10.0),
            "requested_sha": self.requested_sha,
            "exact": self.exact(),
            "commits_behind": self.commits_behind,
            "stale": stale,
            "label": primary.map(|s| s.label.clone()),
            "note": self.detail,
            "notes": self.notes,
            "history": self.snapshots.iter().map(|s| json!({
                "label": s.label,
                "sha": s.sha,
                "run_id": s.run_id,
                "created_at": s.created_at,
            })).collect::<Vec<_>>(),
        })
    }
}

/// `3 days`, `5 hours`, `12 minutes`, `less than a minute`.
pub fn human_age(age: chrono::TimeDelta) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if age.num_days() >= 1 {
        plural(age.num_days(), "day")
    } else if age.num_hours() >= 1 {
        plural(age.num_hours(), "hour")
    } else if age.num_minutes() >= 1 {
        plural(age.num_minutes(), "minute")
    } else {
        "less than a minute".to_string()
    }
}

/// The input spelling of a baseline mode.
pub fn mode_name(mode: BaselineMode) -> &'static str {
    match mode {
        BaselineMode::Artifacts => "artifacts",
        BaselineMode::Path => "path",
        BaselineMode::Git => "git",
        BaselineMode::None => "none",
    }
}

/// A private scratch directory (under `RUNNER_TEMP` when set), removed when dropped.
#[derive(Debug)]
pub struct WorkDir {
    path: PathBuf,
}

impl WorkDir {
    /// Creates `benchgate-<random>` under `parent`, or under the system temp directory.
    pub fn create(parent: Option<&Path>) -> Result<WorkDir, BaselineError> {
        let parent = parent
            .map(Path::to_path_buf)
            .unwrap_or_else(std::env::temp_dir);
        let path = parent.join(format!("benchgate-{:016x}", rand::random::<u64>()));
        std::fs::create_dir_all(&path)
            .map_err(|e| BaselineError::Io(format!("cannot create {}: {e}", path.display())))?;
        Ok(WorkDir { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A new empty subdirectory.
    pub fn subdir(&self, name: &str) -> Result<PathBuf, BaselineError> {
        let p = self.path.join(name);
        std::fs::create_dir_all(&p)
            .map_err(|e| BaselineError::Io(format!("cannot create {}: {e}", p.display())))?;
        Ok(p)
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The first 7 characters of a SHA, for messages.
pub fn short_sha(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_reports_staleness() {
        let b = Baseline {
            source: BaselineMode::Artifacts,
            reference: Some("main".into()),
            snapshots: vec![Snapshot {
                dir: PathBuf::from("/tmp/x"),
                sha: Some("aaaaaaaaaa".into()),
                run_id: Some(5),
                run_url: None,
                created_at: Some("2025-10-05T12:00:00Z".into()),
                label: "run 5 on main".into(),
            }],
            requested_sha: Some("bbbbbbbbbb".into()),
            commits_behind: Some(3),
            notes: vec!["n".into()],
            detail: Some("d".into()),
        };
        let now = chrono::DateTime::parse_from_rfc3339("2025-10-07T00:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let d = b.describe(now);
        assert_eq!(d["exact"], false);
        assert_eq!(d["stale"], true);
        assert_eq!(d["commits_behind"], 3);
        assert_eq!(d["age_hours"], 36.0);
        assert_eq!(d["age"], "1 day");
        assert_eq!(d["ref"], "main");
        assert_eq!(d["mode"], "artifact");
        assert_eq!(d["note"], "d");
        assert_eq!(d["sha"], "aaaaaaaaaa");
        assert_eq!(
            Baseline::none(BaselineMode::None, "x").describe(now)["found"],
            false
        );
    }

    #[test]
    fn workdir_is_removed_on_drop() {
        let parent = tempfile::tempdir().unwrap();
        let w = WorkDir::create(Some(parent.path())).unwrap();
        let p = w.subdir("a/b").unwrap();
        assert!(p.is_dir());
        let root = w.path().to_path_buf();
        drop(w);
        assert!(!root.exists());
    }
}
