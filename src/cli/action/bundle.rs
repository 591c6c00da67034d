//! The collect bundle of the fork-safe two-phase pattern. `mode: collect` writes the head
//! files and what the untrusted run claims about itself (PR number, head SHA) into
//! `benchgate-collect/` in the workspace, for actions/upload-artifact; `mode: report` reads
//! it back from the downloaded artifact and checks every claim before using it.
//!
//! Layout: `benchgate-collect/benchgate-collect.json` (the [`Metadata`]) and
//! `benchgate-collect/data/<files, relative to the head folder>`. A baseline artifact with
//! the same layout (collect mode on the base branch) is read from its `data/` folder too.

use crate::collect::{self, CollectOptions};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The bundle folder, relative to the workspace (the `collect-dir` output).
pub const DIR: &str = "benchgate-collect";
/// The metadata file at the top of the bundle.
pub const METADATA: &str = "benchgate-collect.json";
/// The folder holding the head files.
pub const DATA: &str = "data";
/// The metadata is a few hundred bytes; anything larger is not ours.
const MAX_METADATA_BYTES: u64 = 64 * 1024;

/// What the collecting run says about itself. Untrusted in `mode: report`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    pub schema_version: u32,
    pub repository: String,
    pub event: String,
    pub pr_number: Option<u64>,
    pub head_sha: String,
    pub head_ref: Option<String>,
    pub base_ref: Option<String>,
    pub base_sha: Option<String>,
    pub run_id: Option<u64>,
    pub files: usize,
}

/// Why a bundle could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("{0} exists in the workspace but was not written by benchgate; remove it or move your files")]
    Occupied(String),
    #[error("{path}: {reason}")]
    Io { path: String, reason: String },
    #[error("{path} is not a benchgate collect bundle: {reason}")]
    Invalid { path: String, reason: String },
    #[error(transparent)]
    Collect(#[from] collect::CollectError),
}

/// Copies the files the head scan would read (`root` with `options`) into the bundle in
/// `workspace` and writes `meta` next to them. Returns the bundle path and the file count.
pub fn write(
    workspace: &Path,
    root: &Path,
    options: &CollectOptions,
    mut meta: Metadata,
) -> Result<(PathBuf, usize), BundleError> {
    let io = |path: &Path, e: std::io::Error| BundleError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let dir = workspace.join(DIR);
    if dir.exists() {
        let ours = dir.join(METADATA).is_file();
        let empty = std::fs::read_dir(&dir)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !ours && !empty {
            return Err(BundleError::Occupied(DIR.to_string()));
        }
        std::fs::remove_dir_all(&dir).map_err(|e| io(&dir, e))?;
    }
    let walk = collect::walk(root, options)?;
    let data = dir.join(DATA);
    std::fs::create_dir_all(&data).map_err(|e| io(&data, e))?;
    for file in &walk.files {
        let target = data.join(&file.rel_path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        std::fs::copy(&file.abs_path, &target).map_err(|e| io(&file.abs_path, e))?;
    }
    meta.files = walk.files.len();
    let text = serde_json::to_string_pretty(&meta).map_err(|e| BundleError::Io {
        path: METADATA.to_string(),
        reason: e.to_string(),
    })?;
    let meta_path = dir.join(METADATA);
    std::fs::write(&meta_path, text + "\n").map_err(|e| io(&meta_path, e))?;
    Ok((dir, walk.files.len()))
}

/// The metadata of the bundle extracted at `dir`, if `dir` is one.
pub fn read(dir: &Path) -> Result<Option<Metadata>, BundleError> {
    let path = dir.join(METADATA);
    let invalid = |reason: String| BundleError::Invalid {
        path: path.display().to_string(),
        reason,
    };
    let Ok(meta) = std::fs::symlink_metadata(&path) else {
        return Ok(None);
    };
    if !meta.is_file() || meta.len() > MAX_METADATA_BYTES {
        return Err(invalid(format!(
            "expected a regular file of at most {MAX_METADATA_BYTES} bytes"
        )));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| invalid(e.to_string()))?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| invalid(e.to_string()))
}

/// The folder to scan in an extracted artifact: its `data/` folder when it is a bundle.
pub fn data_root(dir: &Path) -> PathBuf {
    if dir.join(METADATA).is_file() {
        dir.join(DATA)
    } else {
        dir.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> Metadata {
        Metadata {
            schema_version: 1,
            repository: "acme/widgets".into(),
            event: "pull_request".into(),
            pr_number: Some(57),
            head_sha: "abc".into(),
            head_ref: Some("patch-1".into()),
            base_ref: Some("main".into()),
            base_sha: Some("def".into()),
            run_id: Some(1),
            files: 0,
        }
    }

    #[test]
    fn writes_and_reads_back() {
        let ws = tempfile::tempdir().unwrap();
        let head = ws.path().join("benchmarks");
        std::fs::create_dir_all(head.join("llm")).unwrap();
        std::fs::write(head.join("llm/run.csv"), "a,b\n1,2\n").unwrap();
        std::fs::write(head.join("notes.bin"), [0u8, 1, 2]).unwrap();
        let (dir, n) = write(ws.path(), &head, &CollectOptions::default(), meta()).unwrap();
        assert_eq!(n, 1);
        assert_eq!(
            std::fs::read_to_string(dir.join("data/llm/run.csv")).unwrap(),
            "a,b\n1,2\n"
        );
        let back = read(&dir).unwrap().unwrap();
        assert_eq!(back.files, 1);
        assert_eq!(back.pr_number, Some(57));
        assert_eq!(data_root(&dir), dir.join("data"));
        // Collecting again replaces our own bundle.
        write(ws.path(), &head, &CollectOptions::default(), meta()).unwrap();
        assert_eq!(read(ws.path()).unwrap(), None);
        assert_eq!(data_root(ws.path()), ws.path());
    }

    #[test]
    fn never_clobbers_foreign_files_or_trusts_odd_metadata() {
        let ws = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(ws.path().join(DIR)).unwrap();
        std::fs::write(ws.path().join(DIR).join("mine.txt"), "x").unwrap();
        let e = write(ws.path(), ws.path(), &CollectOptions::default(), meta()).unwrap_err();
        assert!(matches!(e, BundleError::Occupied(_)), "{e}");
        std::fs::write(
            ws.path().join(DIR).join(METADATA),
            "{\"pr_number\": \"1; rm\"}",
        )
        .unwrap();
        let e = read(&ws.path().join(DIR)).unwrap_err();
        assert!(matches!(e, BundleError::Invalid { .. }), "{e}");
    }
}
