//! The layout of a history branch: under a folder per configuration (the sticky comment's
//! key, `bench.yml/perf`), one folder of summary files per recorded commit, and an
//! `index.json` that lists the recorded runs, oldest first. Which runs serve as the baseline
//! of a comparison is decided here, from the index alone.

use serde::{Deserialize, Serialize};

/// The index file of a configuration's folder.
pub const INDEX: &str = "index.json";
/// The runs an index keeps; older ones are dropped with their files.
pub const MAX_RUNS: usize = 100;

/// One recorded run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The commit the run measured.
    pub sha: String,
    /// The branch or tag it ran on.
    #[serde(rename = "ref")]
    pub git_ref: String,
    pub run_id: Option<u64>,
    /// ISO 8601 time of the run.
    pub created_at: String,
    /// `git_ref` is a tag (a release).
    #[serde(default)]
    pub tag: bool,
}

/// The index of a configuration's folder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    /// Oldest first.
    pub runs: Vec<Entry>,
}

/// The folder of configuration `key` in the branch: its `/`-separated parts, each made of
/// safe characters only (no `..`, no hidden names).
pub fn folder(key: &str) -> String {
    key.split('/')
        .map(|part| {
            part.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || "._-".contains(c) {
                        c
                    } else {
                        '-'
                    }
                })
                .collect::<String>()
                .trim_start_matches('.')
                .to_string()
        })
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

impl Index {
    /// Adds `entry` (replacing an earlier record of the same commit) and keeps the newest
    /// [`MAX_RUNS`]; returns the commits whose folders are no longer listed.
    pub fn record(&mut self, entry: Entry) -> Vec<String> {
        let mut dropped: Vec<String> = Vec::new();
        self.runs.retain(|r| r.sha != entry.sha);
        self.runs.push(entry);
        if self.runs.len() > MAX_RUNS {
            let excess = self.runs.len() - MAX_RUNS;
            dropped.extend(self.runs.drain(..excess).map(|r| r.sha));
        }
        dropped
    }

    /// The runs to compare with, newest first: the run of `base_sha` when it was recorded,
    /// else the newest run on `base_ref`; then up to `runs - 1` earlier runs on the same ref.
    pub fn pick(&self, base_sha: Option<&str>, base_ref: &str, runs: usize) -> Vec<&Entry> {
        let on_ref: Vec<&Entry> = self
            .runs
            .iter()
            .rev()
            .filter(|r| r.git_ref == base_ref)
            .collect();
        let start = base_sha
            .and_then(|sha| on_ref.iter().position(|r| r.sha == sha))
            .unwrap_or(0);
        on_ref.into_iter().skip(start).take(runs.max(1)).collect()
    }

    /// The runs of the releases before `tag`, newest first: recorded tags other than `tag`
    /// itself, up to `runs`.
    pub fn pick_release(&self, tag: &str, runs: usize) -> Vec<&Entry> {
        self.runs
            .iter()
            .rev()
            .filter(|r| r.tag && r.git_ref != tag)
            .take(runs.max(1))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(sha: &str, git_ref: &str) -> Entry {
        Entry {
            sha: sha.into(),
            git_ref: git_ref.into(),
            run_id: Some(1),
            created_at: "2026-01-01T00:00:00Z".into(),
            tag: git_ref.starts_with('v'),
        }
    }

    #[test]
    fn folders_hold_only_safe_names() {
        assert_eq!(folder("bench.yml/perf"), "bench.yml/perf");
        assert_eq!(
            folder("bench.yml/perf/bench (linux)"),
            "bench.yml/perf/bench--linux-"
        );
        assert_eq!(folder("../../etc/x"), "etc/x");
        assert_eq!(folder("/a//.hidden/b"), "a/hidden/b");
    }

    #[test]
    fn the_base_commit_wins_then_the_newest_run_on_the_base_branch() {
        let mut index = Index::default();
        for (sha, r) in [
            ("a1", "main"),
            ("b2", "main"),
            ("f9", "feature"),
            ("c3", "main"),
        ] {
            index.record(entry(sha, r));
        }
        let shas = |picked: Vec<&Entry>| picked.iter().map(|e| e.sha.clone()).collect::<Vec<_>>();
        assert_eq!(shas(index.pick(Some("b2"), "main", 2)), ["b2", "a1"]);
        assert_eq!(shas(index.pick(Some("zz"), "main", 1)), ["c3"]);
        assert_eq!(shas(index.pick(None, "main", 5)), ["c3", "b2", "a1"]);
        assert!(index.pick(None, "release", 1).is_empty());
        index.record(entry("t1", "v1.0.0"));
        index.record(entry("d4", "main"));
        index.record(entry("t2", "v1.1.0"));
        assert_eq!(shas(index.pick_release("v1.1.0", 1)), ["t1"]);
        assert_eq!(shas(index.pick_release("v1.2.0", 2)), ["t2", "t1"]);
    }

    #[test]
    fn the_index_keeps_the_newest_runs_once_each() {
        let mut index = Index::default();
        index.record(entry("a", "main"));
        assert!(index.record(entry("a", "main")).is_empty());
        assert_eq!(index.runs.len(), 1);
        let mut dropped = Vec::new();
        for i in 0..MAX_RUNS + 2 {
            dropped.extend(index.record(entry(&format!("s{i}"), "main")));
        }
        assert_eq!(index.runs.len(), MAX_RUNS);
        assert_eq!(dropped, ["a", "s0", "s1"]);
    }
}
