//! Baseline from workflow artifacts: the latest successful `push` run of the workflow on
//! the base branch whose head is the base commit, else the nearest run on an ancestor of it
//! (the compare API tells how many commits behind); for releases, the `push` or `release`
//! run of the previous release's tag at the tag's commit. Only runs of the repository itself
//! count (a fork's pull request from a branch named like the base is passed over). Runs
//! whose artifacts have expired are passed over with a note.

use super::layout::{self, Part};
use super::unzip::{self, ZipLimits};
use super::{short_sha, Baseline, BaselineError, Snapshot, WorkDir};
use crate::context::{Base, BaselineMode, Repo};
use crate::github::artifacts::{self, Artifact};
use crate::github::runs::{self, Release, Run, RunFilter};
use crate::github::{Client, Download};
use globset::GlobMatcher;
use std::collections::BTreeSet;
use std::path::Path;

/// At most this many runs are inspected before giving up.
const MAX_RUNS_VISITED: usize = 50;
/// At most this many ancestry checks (compare calls) are made.
const MAX_ANCESTRY_CHECKS: usize = 15;

/// What to look for.
pub struct Search<'a> {
    pub client: &'a Client,
    pub repo: &'a Repo,
    /// Workflow file name (`bench.yml`) or id whose runs hold the artifacts.
    pub workflow: &'a str,
    pub base: &'a Base,
    /// This run, which must never be its own baseline.
    pub exclude_run: Option<u64>,
    /// Glob over artifact names.
    pub artifact_name: &'a str,
    /// How many runs to fetch (1 = the baseline only).
    pub history: u32,
    pub limits: Limits,
    /// The top-level folders of the head data: artifacts that hold the same files keep a
    /// folder each only when the head has those folders too ([`layout::arrange`]).
    pub head_folders: &'a BTreeSet<String>,
}

/// Size caps of downloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Caps on the extraction of one archive.
    pub zip: ZipLimits,
    /// Caps on all the archives of one run together (a run may upload many artifacts).
    pub total: ZipLimits,
    /// Largest archive downloaded.
    pub max_download_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            zip: ZipLimits::default(),
            total: ZipLimits {
                max_files: 50_000,
                max_bytes: 2 * 1024 * 1024 * 1024,
            },
            max_download_bytes: 2 * 1024 * 1024 * 1024,
        }
    }
}

/// The matcher of the `artifact-name` input.
pub fn name_matcher(pattern: &str) -> Result<GlobMatcher, BaselineError> {
    globset::Glob::new(pattern)
        .map(|g| g.compile_matcher())
        .map_err(|e| {
            BaselineError::Usage(format!(
                "input `artifact-name`: `{pattern}` is not a valid glob: {e}"
            ))
        })
}

/// Finds and downloads the baseline artifacts into `work`.
pub async fn fetch(search: &Search<'_>, work: &WorkDir) -> Result<Baseline, BaselineError> {
    let matcher = name_matcher(search.artifact_name)?;
    let mut finder = Finder {
        search,
        work,
        matcher,
        notes: Vec::new(),
        passed_over: Vec::new(),
    };
    match search.base {
        Base::Ref { name, sha } => finder.on_branch(name, sha.as_deref()).await,
        Base::PreviousRelease { tag, prerelease } => finder.for_release(tag, *prerelease).await,
        Base::None => Ok(Baseline::none(
            BaselineMode::Artifacts,
            "this event names no base to compare with (set the `base-ref` input)",
        )),
    }
}

struct Finder<'a, 'b> {
    search: &'a Search<'b>,
    work: &'a WorkDir,
    matcher: GlobMatcher,
    notes: Vec<String>,
    /// Runs listed but refused since the last [`Finder::note_passed_over`], with why.
    passed_over: Vec<(u64, String)>,
}

impl Finder<'_, '_> {
    /// Whether `run` may serve as a baseline (see [`untrusted_because`]); a refused run is
    /// remembered for [`Finder::note_passed_over`].
    fn trusted(&mut self, run: &Run, events: &[&str], commit: Option<&str>) -> bool {
        match untrusted_because(run, self.search.repo, events, commit) {
            None => true,
            Some(why) => {
                self.passed_over.push((run.id, why));
                false
            }
        }
    }

    /// One note for the runs refused while searching `on`.
    fn note_passed_over(&mut self, on: &str) {
        let refused = std::mem::take(&mut self.passed_over);
        if let Some((id, why)) = refused.first() {
            self.notes.push(format!(
                "Passed over {} run(s) on `{on}` that cannot serve as a baseline (run {id}: {why}).",
                refused.len()
            ));
        }
    }

    async fn on_branch(
        &mut self,
        branch: &str,
        base_sha: Option<&str>,
    ) -> Result<Baseline, BaselineError> {
        let s = self.search;
        let want = s.history as usize;
        let mut snapshots: Vec<Snapshot> = Vec::new();
        let mut commits_behind = None;
        let filter = |head_sha: Option<&str>| RunFilter {
            branch: Some(branch.to_string()),
            event: Some("push".to_string()),
            head_sha: head_sha.map(String::from),
        };

        if let Some(sha) = base_sha {
            let mut exact = runs::successful_runs(s.client, s.repo, s.workflow, &filter(Some(sha)));
            let mut visited = 0;
            while let Some(run) = exact.next().await? {
                visited += 1;
                if Some(run.id) == s.exclude_run || !self.trusted(&run, &["push"], Some(sha)) {
                    continue;
                }
                if let Some(snap) = self.take(&run, branch).await? {
                    snapshots.push(snap);
                    commits_behind = Some(0);
                    break;
                }
                if visited >= 5 {
                    break;
                }
            }
            if snapshots.is_empty() {
                self.notes.push(format!(
                    "No successful `push` run of `{}` on `{branch}` with usable artifacts for the base commit {}; looking for the nearest earlier run.",
                    s.workflow,
                    short_sha(sha)
                ));
            }
        }

        let mut cursor = runs::successful_runs(s.client, s.repo, s.workflow, &filter(None));
        let mut visited = 0;
        let mut checks = 0;
        let mut ancestry_unknown = false;
        while snapshots.len() < want {
            let Some(run) = cursor.next().await? else {
                break;
            };
            visited += 1;
            if visited > MAX_RUNS_VISITED {
                self.notes.push(format!(
                    "Stopped after inspecting {MAX_RUNS_VISITED} runs on `{branch}`."
                ));
                break;
            }
            if Some(run.id) == s.exclude_run || !self.trusted(&run, &["push"], None) {
                continue;
            }
            if let Some(primary) = snapshots.first() {
                // History: strictly older runs than the baseline.
                if primary.run_id.is_some_and(|id| run.id >= id) {
                    continue;
                }
            } else if let (Some(sha), false) = (base_sha, ancestry_unknown) {
                if checks >= MAX_ANCESTRY_CHECKS {
                    self.notes.push(format!(
                        "None of the {MAX_ANCESTRY_CHECKS} newest runs on `{branch}` is on an ancestor of {}.",
                        short_sha(sha)
                    ));
                    break;
                }
                checks += 1;
                match runs::compare_commits(s.client, s.repo, &run.head_sha, sha).await {
                    Ok(c) if c.status == "ahead" || c.status == "identical" => {
                        commits_behind = Some(c.ahead_by);
                    }
                    // Newer than the base commit, or on another line of history.
                    Ok(_) => continue,
                    Err(e) if matches!(e.status(), Some(403 | 404 | 422)) => {
                        ancestry_unknown = true;
                        self.notes.push(format!(
                            "Could not check which runs are on ancestors of {} ({e}); using the newest run.",
                            short_sha(sha)
                        ));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            if let Some(snap) = self.take(&run, branch).await? {
                snapshots.push(snap);
            } else if snapshots.is_empty() {
                commits_behind = None;
            }
        }
        self.note_passed_over(branch);
        Ok(self.finish(snapshots, base_sha, commits_behind, branch))
    }

    async fn for_release(
        &mut self,
        tag: &str,
        prerelease: bool,
    ) -> Result<Baseline, BaselineError> {
        let s = self.search;
        let releases = runs::releases(s.client, s.repo).await?;
        let previous = previous_releases(&releases, tag, prerelease);
        if previous.is_empty() {
            return Ok(Baseline::none(
                BaselineMode::Artifacts,
                format!("No release was published before `{tag}`; nothing to compare with (set `base-ref` to compare with a branch or tag)."),
            ));
        }
        let mut snapshots = Vec::new();
        let mut compared_with = None;
        for prev in previous {
            if snapshots.len() >= s.history as usize {
                break;
            }
            let Some(commit) = runs::tag_commit(s.client, s.repo, prev).await? else {
                self.notes.push(format!(
                    "Release `{prev}` has no tag in {} any more; it was skipped.",
                    s.repo.full_name()
                ));
                continue;
            };
            let filter = RunFilter {
                branch: Some(prev.to_string()),
                event: None,
                head_sha: Some(commit.clone()),
            };
            let mut cursor = runs::successful_runs(s.client, s.repo, s.workflow, &filter);
            let (mut found, mut listed, mut tried) = (false, 0, 0);
            while let Some(run) = cursor.next().await? {
                listed += 1;
                if listed > MAX_RUNS_VISITED {
                    break;
                }
                if Some(run.id) == s.exclude_run
                    || !self.trusted(&run, &["push", "release"], Some(&commit))
                {
                    continue;
                }
                tried += 1;
                if let Some(snap) = self.take(&run, prev).await? {
                    snapshots.push(snap);
                    compared_with.get_or_insert(prev);
                    found = true;
                    break;
                }
                if tried >= 5 {
                    break;
                }
            }
            self.note_passed_over(prev);
            if !found {
                self.notes.push(format!(
                    "No successful run of `{}` with usable artifacts for release `{prev}`.",
                    s.workflow
                ));
            }
        }
        let mut b = self.finish(snapshots, None, None, tag);
        if let Some(prev) = compared_with {
            b.reference = Some(prev.to_string());
        }
        if let Some(p) = b.primary() {
            let gating = format!("release gating: `{tag}` is compared with {}", p.label);
            b.notes.insert(
                0,
                format!("Release gating: `{tag}` is compared with {}.", p.label),
            );
            b.detail = Some(gating);
        }
        Ok(b)
    }

    fn finish(
        &mut self,
        snapshots: Vec<Snapshot>,
        base_sha: Option<&str>,
        commits_behind: Option<u64>,
        target: &str,
    ) -> Baseline {
        let mut notes = std::mem::take(&mut self.notes);
        let detail = match snapshots.first() {
            None => {
                let why = format!(
                    "No baseline: no successful run of `{}` for `{target}` has unexpired artifacts matching `{}`.",
                    self.search.workflow, self.search.artifact_name
                );
                notes.push(why.clone());
                why
            }
            Some(p) => {
                let at = p
                    .sha
                    .as_deref()
                    .map(short_sha)
                    .unwrap_or("an unknown commit");
                let when = p
                    .created_at
                    .as_deref()
                    .map(|t| format!(", run created {t}"))
                    .unwrap_or_default();
                let how = match (base_sha, commits_behind) {
                    (Some(_), Some(0)) => "the base commit itself".to_string(),
                    (Some(b), Some(n)) => format!(
                        "{n} commit{} behind the base commit {}",
                        if n == 1 { "" } else { "s" },
                        short_sha(b)
                    ),
                    (Some(b), None) => format!(
                        "not known to be an ancestor of the base commit {}",
                        short_sha(b)
                    ),
                    (None, _) => "the newest usable run".to_string(),
                };
                notes.push(format!("Baseline: {} at {at} ({how}{when}).", p.label));
                let mut detail = format!("{}, {how}", p.label);
                if snapshots.len() > 1 {
                    notes.push(format!("History: {} runs.", snapshots.len()));
                    detail.push_str(&format!("; {} runs of history", snapshots.len()));
                }
                detail
            }
        };
        Baseline {
            source: BaselineMode::Artifacts,
            reference: Some(target.to_string()),
            snapshots,
            requested_sha: base_sha.map(String::from),
            commits_behind,
            notes,
            detail: Some(detail),
        }
    }

    /// Downloads the matching artifacts of `run`; `None` (with a note) when none is usable.
    async fn take(&mut self, run: &Run, on: &str) -> Result<Option<Snapshot>, BaselineError> {
        let s = self.search;
        let dir = self.work.subdir(&format!("run-{}", run.id))?;
        let downloader = Downloader {
            client: s.client,
            repo: s.repo,
            work: self.work,
            limits: s.limits,
            head_folders: s.head_folders,
        };
        let extracted = downloader
            .fetch_run(run.id, &run.head_sha, &self.matcher, &dir, &mut self.notes)
            .await?;
        if extracted == 0 {
            return Ok(None);
        }
        let number = run
            .run_number
            .map(|n| format!(" (#{n})"))
            .unwrap_or_default();
        Ok(Some(Snapshot {
            dir,
            sha: Some(run.head_sha.clone()),
            run_id: Some(run.id),
            run_url: run.html_url.clone(),
            created_at: run.created_at.clone(),
            label: format!("run {}{number} on {on}", run.id),
        }))
    }
}

/// Downloads artifacts into a scratch directory and extracts them.
pub struct Downloader<'a> {
    pub client: &'a Client,
    pub repo: &'a Repo,
    pub work: &'a WorkDir,
    pub limits: Limits,
    /// The top-level folders of the head data ([`Search::head_folders`]).
    pub head_folders: &'a BTreeSet<String>,
}

impl Downloader<'_> {
    /// Downloads the artifacts of run `run_id` (built from `head_sha`) whose names `matcher`
    /// accepts and lays them out in `dir` ([`layout::arrange`]); returns how many files were
    /// written (0, with a note, when none is usable).
    pub async fn fetch_run(
        &self,
        run_id: u64,
        head_sha: &str,
        matcher: &GlobMatcher,
        dir: &Path,
        notes: &mut Vec<String>,
    ) -> Result<usize, BaselineError> {
        let all = artifacts::list(self.client, self.repo, run_id).await?;
        let matching: Vec<&Artifact> = all.iter().filter(|a| matcher.is_match(&a.name)).collect();
        let owner = format!("run {run_id} ({})", short_sha(head_sha));
        if matching.is_empty() {
            let names: Vec<&str> = all.iter().map(|a| a.name.as_str()).collect();
            notes.push(format!(
                "{owner}: no artifact matches `{}` (it has: {}).",
                matcher.glob(),
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            ));
            return Ok(0);
        }
        let stage = self.work.subdir(&format!("stage-{run_id}"))?;
        let (parts, files) = self.fetch_into(&matching, &stage, &owner, notes).await?;
        if files == 0 {
            notes.push(format!("{owner}: no usable artifact files."));
        } else if layout::arrange(&parts, dir, self.head_folders, &owner)?
            == layout::Arranged::PerArtifact
        {
            notes.push(format!(
                "{owner}: the artifacts hold the same files, so each is compared in its own folder, as the head data is laid out."
            ));
        }
        let _ = std::fs::remove_dir_all(&stage);
        Ok(files)
    }

    /// Downloads `artifacts` and extracts each into a folder of its own under `stage`,
    /// within the per-archive and the total caps; returns those folders and how many files
    /// were written. Expired, undownloadable, unsafe or oversized archives are skipped with
    /// a note (naming `owner`, e.g. `run 123 (abc1234)`); a permission error stops
    /// everything.
    async fn fetch_into(
        &self,
        artifacts: &[&Artifact],
        stage: &Path,
        owner: &str,
        notes: &mut Vec<String>,
    ) -> Result<(Vec<Part>, usize), BaselineError> {
        let (client, repo, work, limits) = (self.client, self.repo, self.work, &self.limits);
        let mut extracted = 0;
        let mut parts = Vec::new();
        let mut bytes = 0;
        for a in artifacts {
            // What is left of the total, and the per-archive caps within it.
            let cap = ZipLimits {
                max_files: limits.zip.max_files.min(limits.total.max_files - extracted),
                max_bytes: limits.zip.max_bytes.min(limits.total.max_bytes - bytes),
            };
            if a.expired {
                notes.push(format!("{owner}: artifact `{}` has expired.", a.name));
                continue;
            }
            let zip_path = work.path().join(format!("artifact-{}.zip", a.id));
            let outcome =
                artifacts::download(client, repo, a, &zip_path, limits.max_download_bytes).await;
            let result = match outcome {
                Ok(Download::Expired) => {
                    notes.push(format!(
                        "{owner}: artifact `{}` has expired (HTTP 410).",
                        a.name
                    ));
                    continue;
                }
                Ok(Download::Saved(_)) => {
                    let dir = stage.join(a.id.to_string());
                    let result = unzip::extract(&zip_path, &dir, &cap);
                    match &result {
                        Ok(_) => parts.push(Part {
                            name: a.name.clone(),
                            dir,
                        }),
                        Err(_) => {
                            let _ = std::fs::remove_dir_all(&dir);
                        }
                    }
                    result
                }
                Err(e) if e.is_forbidden() || e.status() == Some(401) => return Err(e.into()),
                Err(e) => {
                    notes.push(format!(
                        "{owner}: artifact `{}` could not be downloaded: {e}",
                        a.name
                    ));
                    continue;
                }
            };
            let _ = std::fs::remove_file(&zip_path);
            match result {
                Ok(x) => {
                    extracted += x.files;
                    bytes += x.bytes;
                    if !x.duplicates.is_empty() {
                        notes.push(format!(
                            "{owner}: artifact `{}` holds {} file(s) twice; the first copy was kept.",
                            a.name,
                            x.duplicates.len()
                        ));
                    }
                }
                Err(e) => {
                    let total = if cap == limits.zip {
                        String::new()
                    } else {
                        format!(
                            " (the artifacts of one run may hold {} files and {} bytes together; {extracted} files and {bytes} bytes were already extracted)",
                            limits.total.max_files, limits.total.max_bytes
                        )
                    };
                    notes.push(format!(
                        "{owner}: artifact `{}` was not used: {e}{total}",
                        a.name
                    ));
                }
            }
        }
        Ok((parts, extracted))
    }
}

/// Why `run` cannot serve as a baseline of `repo`: `None` when it is a run of `repo` itself
/// (not a fork's), started by one of `events`, and built from `commit` when one is given.
/// The runs list's `branch` filter also matches a fork's pull request from a branch of the
/// same name (a tag's name included), so being listed proves none of this.
pub fn untrusted_because(
    run: &Run,
    repo: &Repo,
    events: &[&str],
    commit: Option<&str>,
) -> Option<String> {
    let event = run.event.as_deref().unwrap_or("an unknown event");
    if !events.contains(&event) {
        return Some(format!(
            "started by `{event}`, not `{}`",
            events.join("` or `")
        ));
    }
    let full_name = repo.full_name();
    let from = run.head_repository.as_ref().map(|r| r.full_name.as_str());
    if !from.is_some_and(|f| f.eq_ignore_ascii_case(&full_name)) {
        return Some(format!(
            "built from {}, not {full_name}",
            from.unwrap_or("an unknown repository")
        ));
    }
    match commit {
        Some(c) if run.head_sha != c => Some(format!(
            "built from commit {}, not {}",
            short_sha(&run.head_sha),
            short_sha(c)
        )),
        _ => None,
    }
}

/// The tags of the releases published before `tag`, newest first: drafts are skipped, and
/// pre-releases too unless `tag` is one.
pub fn previous_releases<'r>(releases: &'r [Release], tag: &str, prerelease: bool) -> Vec<&'r str> {
    let mut sorted: Vec<&Release> = releases.iter().filter(|r| !r.draft).collect();
    let when = |r: &Release| r.published_at.clone().or_else(|| r.created_at.clone());
    sorted.sort_by_key(|r| std::cmp::Reverse(when(r)));
    let current_time = sorted
        .iter()
        .find(|r| r.tag_name == tag)
        .and_then(|r| when(r));
    sorted
        .into_iter()
        .filter(|r| r.tag_name != tag)
        .filter(|r| prerelease || !r.prerelease)
        .filter(|r| match (&current_time, when(r)) {
            (Some(cur), Some(t)) => t < *cur,
            _ => true,
        })
        .map(|r| r.tag_name.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(tag: &str, published: &str, prerelease: bool, draft: bool) -> Release {
        Release {
            tag_name: tag.into(),
            draft,
            prerelease,
            published_at: Some(published.into()),
            created_at: None,
        }
    }

    #[test]
    fn previous_release_skips_drafts_prereleases_and_later_ones() {
        let list = vec![
            rel("v1.5.0-rc1", "2025-10-09T00:00:00Z", true, false),
            rel("v1.4.1", "2025-10-08T00:00:00Z", false, false),
            rel("v1.4.0", "2025-10-07T00:00:00Z", false, false),
            rel("v1.4.0-rc1", "2025-10-06T00:00:00Z", true, false),
            rel("v1.3.9", "2025-10-05T00:00:00Z", false, true),
            rel("v1.3.0", "2025-09-01T00:00:00Z", false, false),
        ];
        assert_eq!(previous_releases(&list, "v1.4.0", false), vec!["v1.3.0"]);
        assert_eq!(
            previous_releases(&list, "v1.4.0", true),
            vec!["v1.4.0-rc1", "v1.3.0"]
        );
        // A tag pushed without a release: every earlier non-draft release qualifies.
        assert_eq!(
            previous_releases(&list, "v9.0.0", false),
            vec!["v1.4.1", "v1.4.0", "v1.3.0"]
        );
    }
}
