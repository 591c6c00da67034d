//! The scan pipeline: collect a tree, then read and parse its files in parallel into merged,
//! sorted metric series. A file that cannot be read is listed as skipped; a file that
//! cannot be parsed (or crashes a parser) becomes a warning; neither stops the scan.
//!
//! Files are read one per worker and dropped as soon as they are parsed, so memory holds
//! at most one file per thread, never the whole tree.

use crate::collect::{self, CollectError, CollectOptions, CollectedFile, InventorySummary, Walk};
use crate::model::{merge_series, Series, Warning};
use crate::parse::{self, Input, Parsed};
use rayon::prelude::*;
use serde::Serialize;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::{Duration, Instant};

/// Everything a scan found.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanResult {
    pub inventory: InventorySummary,
    /// Merged with [`merge_series`], sorted by key.
    pub series: Vec<Series>,
    /// Sorted by path, then message; without duplicates.
    pub warnings: Vec<Warning>,
    pub timings: Timings,
}

/// Wall-clock time of the two phases of a scan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Timings {
    /// Walking the tree (metadata only).
    #[serde(rename = "collect_ms", serialize_with = "as_millis")]
    pub collect: Duration,
    /// Reading, decoding and parsing every file, and merging the series.
    #[serde(rename = "parse_ms", serialize_with = "as_millis")]
    pub parse: Duration,
}

fn as_millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1e6).round() / 1e3)
}

/// Why a scan could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Collect(#[from] CollectError),
}

impl ScanError {
    /// True when the caller's input (path, pattern) is at fault.
    pub fn is_usage(&self) -> bool {
        match self {
            ScanError::Collect(e) => e.is_usage(),
        }
    }
}

/// A walked tree: the files to read (sorted by path) and what the walk left out.
#[derive(Debug, Clone)]
pub struct Tree {
    pub walk: Walk,
    /// Wall time of the walk.
    pub collect: Duration,
}

/// Walks `root` (metadata only) for the files a scan would read.
pub fn walk_tree(root: &Path, options: &CollectOptions) -> Result<Tree, ScanError> {
    let started = Instant::now();
    let walk = collect::walk(root, options)?;
    Ok(Tree {
        walk,
        collect: started.elapsed(),
    })
}

/// Scans `root` with the registered parsers.
pub fn scan(root: &Path, options: &CollectOptions) -> Result<ScanResult, ScanError> {
    scan_with(root, options, parse::parse_file)
}

/// Scans `root`, parsing each file with `parser`.
pub fn scan_with<P>(
    root: &Path,
    options: &CollectOptions,
    parser: P,
) -> Result<ScanResult, ScanError>
where
    P: Fn(&Input) -> Parsed + Sync,
{
    let Tree {
        walk,
        collect: collected,
    } = walk_tree(root, options)?;

    let started = Instant::now();
    // One task per file: files differ in cost by orders of magnitude and sort by path, so
    // larger chunks leave one worker parsing a run of big files while the other idles.
    let outcomes: Vec<Outcome> = walk
        .files
        .par_iter()
        .with_max_len(1)
        .map(|file| process(file, options.max_file_size, &parser))
        .collect();

    let mut skipped = walk.skipped;
    let mut read = Vec::with_capacity(walk.files.len());
    let found = outcomes.iter().map(Outcome::series_count).sum();
    let mut series = Vec::with_capacity(found);
    let mut warnings = Vec::new();
    for (file, outcome) in walk.files.iter().zip(outcomes) {
        match outcome {
            Outcome::Skipped(reason) => {
                skipped.push(collect::Skipped::new(&file.rel_path, reason));
            }
            Outcome::Read {
                series: s,
                warnings: w,
            } => {
                read.push(file);
                series.extend(s);
                warnings.extend(w);
            }
        }
    }
    let (series, merge_warnings) = merge_series(series);
    warnings.extend(merge_warnings);
    warnings.sort();
    warnings.dedup();
    let parsed = started.elapsed();

    Ok(ScanResult {
        inventory: InventorySummary::new(read, skipped, walk.unmatched),
        series,
        warnings,
        timings: Timings {
            collect: collected,
            parse: parsed,
        },
    })
}

/// What happened to one file.
pub(crate) enum Outcome {
    Skipped(String),
    Read {
        series: Vec<Series>,
        warnings: Vec<Warning>,
    },
}

impl Outcome {
    pub(crate) fn series_count(&self) -> usize {
        match self {
            Outcome::Skipped(_) => 0,
            Outcome::Read { series, .. } => series.len(),
        }
    }
}

/// Reads, decodes and parses one file; the text is dropped before returning.
pub(crate) fn process<P>(file: &CollectedFile, max_size: u64, parser: &P) -> Outcome
where
    P: Fn(&Input) -> Parsed + Sync,
{
    let text = match collect::read_text(file, max_size) {
        Ok(text) => text,
        Err(e) => return Outcome::Skipped(e.to_string()),
    };
    let mut warnings: Vec<Warning> = text
        .note
        .iter()
        .map(|note| Warning::new(&file.rel_path, note))
        .collect();
    let input = Input {
        path: &file.rel_path,
        text: &text.text,
    };
    let started = Instant::now();
    let parsed = catch_unwind(AssertUnwindSafe(|| parser(&input)));
    tracing::debug!(
        path = %file.rel_path,
        bytes = file.size,
        ms = %format_args!("{:.1}", started.elapsed().as_secs_f64() * 1e3),
        "parsed"
    );
    match parsed {
        Ok(parsed) => {
            warnings.extend(parsed.warnings);
            Outcome::Read {
                series: parsed.series,
                warnings,
            }
        }
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".to_string());
            warnings.push(Warning::new(
                &file.rel_path,
                format!(
                    "the parser crashed on this file ({detail}); its metrics were skipped. \
                     This is a bug in benchgate: please report it with this file attached"
                ),
            ));
            Outcome::Read {
                series: Vec::new(),
                warnings,
            }
        }
    }
}
