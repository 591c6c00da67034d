//! The collect stage: walks an artifact directory and lists the files worth parsing.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Options for walking a directory.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectOptions {
    /// Globs (relative to the root) a file must match; empty means the defaults.
    pub include: Vec<String>,
    /// Globs that exclude a file even when it matches `include`.
    pub exclude: Vec<String>,
    pub max_file_size: u64,
    pub max_files: usize,
}

/// A file that was left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// A file selected for parsing.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectedFile {
    /// Path relative to the root, `/`-separated.
    pub rel_path: String,
    pub abs_path: PathBuf,
    /// `csv`, `json`, `md`, ... (from the extension, lower-case).
    pub kind: String,
    pub size: u64,
}

/// The documented summary of a collected tree (part of `scan --json` and `report.json`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InventorySummary {
    pub files: usize,
    pub bytes: u64,
    pub by_kind: BTreeMap<String, usize>,
    pub by_dir: BTreeMap<String, usize>,
    /// ISO 8601 UTC time of the newest file, if any.
    pub latest_modified: Option<String>,
    pub skipped: Vec<Skipped>,
}
