//! The scan pipeline: collect a tree, then read and parse its files in parallel into merged,
//! sorted metric series. A file that cannot be read is listed as skipped; a file that
//! cannot be parsed (or crashes a parser) becomes a warning; neither stops the scan.
//!
//! Files are read one per worker and dropped as soon as they are parsed, so memory holds
//! at most one file per thread, never the whole tree.

use crate::collect::{self, CollectError, CollectOptions, CollectedFile, InventorySummary, Walk};
use crate::model::{merge_series, Series, Warning};
use crate::parse::{self, Input, Parsed};
use crate::progress::{Progress, Silent};
use rayon::prelude::*;
use serde::Serialize;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::{Duration, Instant};

/// Everything a scan found.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanResult {
    pub inventory: InventorySummary,
    /// The files that were read, sorted by path.
    pub files: Vec<FileScan>,
    /// Merged with [`merge_series`], sorted by key.
    pub series: Vec<Series>,
    /// Sorted by path, then message; without duplicates.
    pub warnings: Vec<Warning>,
    pub timings: Timings,
}

/// What one file that was read gave.
#[derive(Debug, Clone, PartialEq)]
pub struct FileScan {
    /// Path relative to the scanned root, as found on disk.
    pub path: String,
    pub bytes: u64,
    /// Series read from the file (before series with equal keys were merged).
    pub series: usize,
    /// The parsers that produced them (`csv`, `criterion`, ...), sorted, without duplicates.
    pub formats: Vec<String>,
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
    scan_observed(root, options, parser, &Silent)
}

/// Scans `root` as [`scan_with`] does, reporting each file read to `progress`.
pub fn scan_observed<P>(
    root: &Path,
    options: &CollectOptions,
    parser: P,
    progress: &dyn Progress,
) -> Result<ScanResult, ScanError>
where
    P: Fn(&Input) -> Parsed + Sync,
{
    let Tree {
        walk,
        collect: collected,
    } = walk_tree(root, options)?;

    let started = Instant::now();
    progress.start(walk.files.len(), walk.files.iter().map(|f| f.size).sum(), 0);
    // One task per file: files differ in cost by orders of magnitude and sort by path, so
    // larger chunks leave one worker parsing a run of big files while the other idles.
    let outcomes: Vec<Outcome> = walk
        .files
        .par_iter()
        .with_max_len(1)
        .map(|file| {
            let outcome = process(file, options.max_file_size, &parser);
            progress.file_read(file.size);
            outcome
        })
        .collect();

    let mut tally = Tally::new(&walk);
    let found = outcomes.iter().map(Outcome::series_count).sum();
    let mut series = Vec::with_capacity(found);
    let mut files = Vec::with_capacity(walk.files.len());
    for (index, outcome) in outcomes.into_iter().enumerate() {
        let (found, note) = outcome.split();
        if let (FileNote::Read(_), Some(file)) = (&note, walk.files.get(index)) {
            files.push(FileScan::new(file, &found));
        }
        tally.note(&walk, index, note, found.len());
        series.extend(found);
    }
    let (series, merge_warnings) = merge_series(series);
    tally.warnings.extend(merge_warnings);
    let side = tally.finish(&walk);
    let parsed = started.elapsed();

    Ok(ScanResult {
        inventory: side.inventory,
        files,
        series,
        warnings: side.warnings,
        timings: Timings {
            collect: collected,
            parse: parsed,
        },
    })
}

impl FileScan {
    fn new(file: &CollectedFile, series: &[Series]) -> FileScan {
        let mut formats: Vec<&str> = series
            .iter()
            .map(|s| s.format.as_ref())
            .filter(|f| !f.is_empty())
            .collect();
        formats.sort_unstable();
        formats.dedup();
        FileScan {
            path: file.rel_path.clone(),
            bytes: file.size,
            series: series.len(),
            formats: formats.into_iter().map(String::from).collect(),
        }
    }
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
    fn series_count(&self) -> usize {
        match self {
            Outcome::Skipped(_) => 0,
            Outcome::Read { series, .. } => series.len(),
        }
    }

    /// The file's series, and what is left of the outcome for its tree's [`Tally`].
    pub(crate) fn split(self) -> (Vec<Series>, FileNote) {
        match self {
            Outcome::Skipped(reason) => (Vec::new(), FileNote::Skipped(reason)),
            Outcome::Read { series, warnings } => (series, FileNote::Read(warnings)),
        }
    }
}

/// What a file gave besides its series: why it was not read, or its warnings.
pub(crate) enum FileNote {
    Skipped(String),
    Read(Vec<Warning>),
}

/// What a tree's files gave, without their series (for logs and the report).
#[derive(Debug, Clone, PartialEq)]
pub struct SideScan {
    pub inventory: InventorySummary,
    /// Problems with single files, sorted by path, then message; without duplicates.
    pub warnings: Vec<Warning>,
    /// Series read from the files (before series with equal keys were merged).
    pub series: usize,
}

/// Collects the notes of a walked tree's files, taken one by one in any order.
pub(crate) struct Tally {
    read: Vec<bool>,
    skipped: Vec<collect::Skipped>,
    warnings: Vec<Warning>,
    series: usize,
}

impl Tally {
    pub(crate) fn new(walk: &Walk) -> Self {
        Tally {
            read: vec![false; walk.files.len()],
            skipped: walk.skipped.clone(),
            warnings: Vec::new(),
            series: 0,
        }
    }

    /// Takes the note of file `index` of `walk`, which held `series` series.
    pub(crate) fn note(&mut self, walk: &Walk, index: usize, note: FileNote, series: usize) {
        self.series += series;
        match note {
            FileNote::Skipped(reason) => {
                let path = walk.files.get(index).map(|f| f.rel_path.as_str());
                self.skipped
                    .push(collect::Skipped::new(path.unwrap_or_default(), reason));
            }
            FileNote::Read(warnings) => {
                if let Some(read) = self.read.get_mut(index) {
                    *read = true;
                }
                self.warnings.extend(warnings);
            }
        }
    }

    pub(crate) fn finish(self, walk: &Walk) -> SideScan {
        let Tally {
            read,
            skipped,
            mut warnings,
            series,
        } = self;
        let read = walk
            .files
            .iter()
            .zip(read)
            .filter(|(_, r)| *r)
            .map(|(f, _)| f);
        warnings.extend(walk.hints.iter().cloned());
        warnings.sort();
        warnings.dedup();
        SideScan {
            inventory: InventorySummary::new(read, skipped, walk.unmatched),
            warnings,
            series,
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
