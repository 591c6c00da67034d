//! The collect stage: walks an artifact directory, selects the files worth parsing (include
//! and exclude globs, size and count limits, no symbolic links), reads and decodes them one
//! at a time, and summarises what was found and what was left out, and why.
//!
//! The walk ([`walk()`]) only looks at metadata; contents are read later, file by file, with
//! [`read_text`], so that a tree is never held in memory at once. [`InventorySummary`] is
//! built from the files that were actually read.

mod decode;
mod walk;

pub use decode::{decode, read_text, Encoding, ReadError, Text};
pub use walk::{walk, Walk};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::SystemTime;

/// Files picked by default: every text format a parser understands.
pub const DEFAULT_INCLUDE: &str =
    "**/{*.csv,*.tsv,*.json,*.jsonl,*.ndjson,*.md,*.txt,*.log,*.xml,*.out,*.stdout,*.bench,bench}";
/// Files larger than this are skipped without being read (64 MiB).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;
/// At most this many files are read from one tree.
pub const DEFAULT_MAX_FILES: usize = 100_000;

/// Options for walking a directory.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectOptions {
    /// Globs (relative to the root, `/`-separated) a file must match; empty means
    /// [`DEFAULT_INCLUDE`], which matches extensions case-insensitively.
    pub include: Vec<String>,
    /// Globs that exclude a file even when it matches `include`. A pattern that matches a
    /// directory (`target`) or everything below it (`target/**`) prunes that directory.
    pub exclude: Vec<String>,
    /// Files larger than this many bytes are skipped (checked before reading).
    pub max_file_size: u64,
    /// At most this many files are read; the walk stops when the limit is reached.
    pub max_files: usize,
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions {
            include: Vec::new(),
            exclude: Vec::new(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            max_files: DEFAULT_MAX_FILES,
        }
    }
}

/// Why the collect stage could not walk a tree at all.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("directory `{0}` does not exist; pass the folder that holds your benchmark files")]
    RootNotFound(PathBuf),
    #[error("`{0}` is not a directory; pass the folder that holds your benchmark files")]
    NotADirectory(PathBuf),
    #[error("cannot read directory `{path}`: {error}; check the path and its permissions")]
    RootUnreadable {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("invalid glob pattern `{pattern}`: {}", .error.kind())]
    BadPattern {
        pattern: String,
        error: globset::Error,
    },
}

impl CollectError {
    /// True when the error is the caller's input (a wrong path, a directory without read
    /// permission, a bad pattern) rather than a failure of the machine.
    pub fn is_usage(&self) -> bool {
        match self {
            CollectError::RootUnreadable { error, .. } => {
                error.kind() == std::io::ErrorKind::PermissionDenied
            }
            _ => true,
        }
    }
}

/// A file that was left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Skipped {
    /// Path relative to the root, `/`-separated (a pruned directory ends with `/`).
    pub path: String,
    pub reason: String,
}

impl Skipped {
    pub fn new(path: impl Into<String>, reason: impl Into<String>) -> Self {
        Skipped {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

/// A file selected for parsing.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectedFile {
    /// Path relative to the root, `/`-separated.
    pub rel_path: String,
    pub abs_path: PathBuf,
    /// `csv`, `json`, `md`, ... (from the extension, lower-case; empty when there is none).
    pub kind: String,
    pub size: u64,
    pub modified: Option<SystemTime>,
}

impl CollectedFile {
    /// The top-level directory of the file below the root, or `.` for a file in the root.
    pub fn top_dir(&self) -> &str {
        match self.rel_path.split_once('/') {
            Some((dir, _)) => dir,
            None => ".",
        }
    }
}

/// The documented summary of a collected tree (part of `scan --json` and `report.json`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InventorySummary {
    /// Files that were read as text.
    pub files: usize,
    /// Total size of those files.
    pub bytes: u64,
    /// Files per kind (extension; `(none)` for a file without one).
    pub by_kind: BTreeMap<String, usize>,
    /// Files per top-level directory (`.` for files in the root itself).
    pub by_dir: BTreeMap<String, usize>,
    /// ISO 8601 UTC time of the newest file, if any.
    pub latest_modified: Option<String>,
    /// Files (and pruned directories) that matched the include patterns but were not read.
    pub skipped: Vec<Skipped>,
    /// Files that no include pattern matched (counted, not listed).
    #[serde(default)]
    pub unmatched: usize,
}

impl InventorySummary {
    /// Says where a scan of `root` that found no benchmark data looked, and what it saw
    /// there: for the report of a head side without data.
    pub fn nothing_found(&self, root: &str, include: &[String]) -> String {
        let patterns = if include.is_empty() {
            DEFAULT_INCLUDE.to_string()
        } else {
            include.join(", ")
        };
        let mut text = format!(
            "benchgate looked under `{root}` (include patterns: {patterns}) and read {} {}, none with a metric; {} skipped, {} matched no pattern.",
            self.files,
            if self.files == 1 { "file" } else { "files" },
            self.skipped.len(),
            self.unmatched,
        );
        text.push_str(
            " Did the benchmark step fail, or write its output somewhere else? Point `path` (action) or `--head` at the folder it writes, or widen the include patterns.",
        );
        text
    }

    /// Summarises the files that were read; `skipped` is sorted by path.
    pub fn new<'a>(
        read: impl IntoIterator<Item = &'a CollectedFile>,
        mut skipped: Vec<Skipped>,
        unmatched: usize,
    ) -> Self {
        let mut summary = InventorySummary {
            unmatched,
            ..InventorySummary::default()
        };
        let mut latest: Option<SystemTime> = None;
        for file in read {
            summary.files += 1;
            summary.bytes += file.size;
            let kind = if file.kind.is_empty() {
                "(none)"
            } else {
                &file.kind
            };
            *summary.by_kind.entry(kind.to_string()).or_default() += 1;
            *summary
                .by_dir
                .entry(file.top_dir().to_string())
                .or_default() += 1;
            if let Some(m) = file.modified {
                latest = Some(latest.map_or(m, |l| l.max(m)));
            }
        }
        summary.latest_modified = latest.map(iso8601_utc);
        skipped.sort();
        summary.skipped = skipped;
        summary
    }
}

/// Formats a time as ISO 8601 in UTC with second precision (`2025-10-08T12:27:01Z`).
pub fn iso8601_utc(t: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(t)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}
