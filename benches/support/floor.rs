//! The floor a scan is measured against: the least work any scanner must do on a tree.
//! Every file the default include patterns select is read and tokenised by its family,
//! without converting a single number:
//!
//! - JSON (`.json`) is parsed with serde_json into [`serde::de::IgnoredAny`], JSON Lines
//!   (`.jsonl`, `.ndjson`) line by line;
//! - CSV and TSV (`.csv`, `.tsv`, `.psv`) are split into records and fields by the `csv`
//!   crate's `ByteRecord` reader, one record reused;
//! - Markdown and every other text are split into lines, and lines into cells at `|` and
//!   whitespace.
//!
//! Files are read in parallel on the global rayon pool, as the scan's are
//! (`RAYON_NUM_THREADS` sets its size).

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
    /// CSV records and text lines.
    pub records: u64,
    /// CSV fields and text cells.
    pub cells: u64,
}

impl std::ops::Add for Floor {
    type Output = Floor;
    fn add(self, o: Floor) -> Floor {
        Floor {
            files: self.files + o.files,
            bytes: self.bytes + o.bytes,
            json_ok: self.json_ok + o.json_ok,
            json_bad: self.json_bad + o.json_bad,
            records: self.records + o.records,
            cells: self.cells + o.cells,
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
        "csv" | "tsv" | "psv" => {
            let delimiter = match ext.as_str() {
                "tsv" => b'\t',
                "psv" => b'|',
                _ => b',',
            };
            (floor.records, floor.cells) = csv_tokens(&bytes, delimiter);
        }
        _ => (floor.records, floor.cells) = text_tokens(&bytes),
    }
    Ok(floor)
}

/// Records and fields of a CSV file, through one reused [`csv::ByteRecord`].
fn csv_tokens(bytes: &[u8], delimiter: u8) -> (u64, u64) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    let (mut records, mut fields) = (0, 0);
    // A malformed record ends the file, as it would end any reader's interest in it.
    while let Ok(true) = reader.read_byte_record(&mut record) {
        records += 1;
        fields += record.len() as u64;
    }
    (records, fields)
}

/// Lines and cells (split at `|` and ASCII whitespace) of a text file.
fn text_tokens(bytes: &[u8]) -> (u64, u64) {
    let (mut lines, mut cells) = (0, 0);
    for line in bytes.split(|&b| b == b'\n') {
        lines += 1;
        cells += line
            .split(|&b| b == b'|' || b.is_ascii_whitespace())
            .filter(|cell| !cell.is_empty())
            .count() as u64;
    }
    (lines, cells)
}
