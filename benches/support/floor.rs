//! The floor a scan is measured against: the least work any scanner must do on a tree.
//! Every file the default include patterns select is read, and the JSON ones (`.json`,
//! and `.jsonl`/`.ndjson` line by line) are parsed with serde_json into
//! [`serde::de::IgnoredAny`], in parallel on the same rayon pool the scan uses.

use benchgate::collect::DEFAULT_INCLUDE;
use globset::GlobBuilder;
use rayon::prelude::*;
use serde::de::IgnoredAny;
use std::io;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// What the floor read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Floor {
    pub files: usize,
    pub bytes: u64,
    /// JSON documents (files or lines) that parsed.
    pub json_ok: usize,
    /// JSON documents that did not.
    pub json_bad: usize,
}

impl std::ops::Add for Floor {
    type Output = Floor;
    fn add(self, o: Floor) -> Floor {
        Floor {
            files: self.files + o.files,
            bytes: self.bytes + o.bytes,
            json_ok: self.json_ok + o.json_ok,
            json_bad: self.json_bad + o.json_bad,
        }
    }
}

/// Reads every selected file below `root` and parses the JSON ones.
pub fn floor(root: &Path) -> io::Result<Floor> {
    let include = GlobBuilder::new(DEFAULT_INCLUDE)
        .literal_separator(true)
        .case_insensitive(true)
        .build()
        .map_err(io::Error::other)?
        .compile_matcher();
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in WalkDir::new(root).sort_by_file_name() {
        let entry = entry?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        if include.is_match(rel) {
            paths.push(entry.into_path());
        }
    }
    paths
        .par_iter()
        .map(|path| read_one(path))
        .try_reduce(Floor::default, |a, b| Ok(a + b))
}

fn read_one(path: &Path) -> io::Result<Floor> {
    let bytes = std::fs::read(path)?;
    let mut floor = Floor {
        files: 1,
        bytes: bytes.len() as u64,
        ..Floor::default()
    };
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mut count = |doc: &[u8]| match serde_json::from_slice::<IgnoredAny>(doc) {
        Ok(_) => floor.json_ok += 1,
        Err(_) => floor.json_bad += 1,
    };
    match ext.as_str() {
        "json" => count(&bytes),
        "jsonl" | "ndjson" => bytes
            .split(|&b| b == b'\n')
            .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
            .for_each(count),
        _ => {}
    }
    Ok(floor)
}
