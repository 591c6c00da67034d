//! The `scan` subcommand: lists the benchmark files under a directory, what each gave and
//! the totals (with `--series`, every metric series), as tables that fit the terminal, or
//! as the documented JSON contract (`--json`).

use super::exit;
use super::failure::describe;
use super::terminal::{clean, progress::Bar, write_table, Style};
use crate::collect::{CollectOptions, InventorySummary, DEFAULT_MAX_FILES, DEFAULT_MAX_FILE_SIZE};
use crate::model::{Direction, Series, Warning};
use crate::parse;
use crate::render::filters::format_number;
use crate::scan::{scan_observed, ScanError, ScanResult, Timings};
use anyhow::Context;
use comfy_table::{ColumnConstraint, Width};
use indicatif::HumanBytes;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Directory holding the benchmark files.
    pub dir: PathBuf,
    /// Only read files matching this glob (relative to DIR; repeatable). Default:
    /// `**/{*.csv,*.tsv,*.json,*.jsonl,*.ndjson,*.md,*.txt,*.log,*.xml,*.out,*.stdout,*.bench,bench}`.
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Leave out files (or whole directories) matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Skip files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
    /// Read at most this many files.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_FILES)]
    pub max_files: usize,
    /// List every metric series found, not only the files.
    #[arg(long)]
    pub series: bool,
    /// Print the inventory, series and warnings as JSON.
    #[arg(long, conflicts_with = "series")]
    pub json: bool,
}

pub fn run(args: ScanArgs) -> u8 {
    match execute(&args) {
        Ok(()) => exit::PASS,
        Err(e) => {
            eprintln!("benchgate scan: error: {}", describe(&e));
            match e.downcast_ref::<ScanError>() {
                Some(scan_error) if scan_error.is_usage() => exit::USAGE,
                _ => exit::INTERNAL,
            }
        }
    }
}

fn execute(args: &ScanArgs) -> anyhow::Result<()> {
    let options = CollectOptions {
        include: args.include.clone(),
        exclude: args.exclude.clone(),
        max_file_size: args.max_file_size,
        max_files: args.max_files,
    };
    let result = scan_observed(&args.dir, &options, parse::parse_file, &Bar::stderr())?;
    let output = if args.json {
        let mut json = serde_json::to_string_pretty(&ScanJson::from(&result))
            .context("serialising the scan result")?;
        json.push('\n');
        json
    } else {
        let style = Style::stdout().unwrap_or(Style::PLAIN);
        render_text(
            &args.dir.display().to_string(),
            &result,
            args.series,
            &style,
        )
    };
    super::print(output.as_bytes()).context("writing the scan result to standard output")
}

/// The `scan --json` contract (documented in the README).
#[derive(Serialize)]
struct ScanJson<'a> {
    inventory: &'a InventorySummary,
    series: &'a [Series],
    warnings: &'a [Warning],
    timings: Timings,
}

impl<'a> From<&'a ScanResult> for ScanJson<'a> {
    fn from(r: &'a ScanResult) -> Self {
        ScanJson {
            inventory: &r.inventory,
            series: &r.series,
            warnings: &r.warnings,
            timings: r.timings,
        }
    }
}

/// Longest text shown in one table cell; longer names are cut with `…`.
const MAX_CELL: usize = 60;

/// The files, skipped files, warnings and totals (and with `series`, every series).
fn render_text(root: &str, r: &ScanResult, series: bool, style: &Style) -> String {
    let mut out = String::new();
    files(&mut out, r, style);
    if series {
        series_table(&mut out, &r.series, style);
    }
    skipped(&mut out, &r.inventory, style);
    warnings(&mut out, &r.warnings);
    totals(&mut out, root, r);
    if !series && !r.series.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            style.dim("Pass --series to list every series, --json for everything as JSON.")
        );
    }
    out
}

/// One row per file read: its formats, how many series and warnings it gave.
fn files(out: &mut String, r: &ScanResult, style: &Style) {
    let _ = writeln!(out, "Files ({})", r.files.len());
    if r.files.is_empty() {
        let _ = writeln!(out, "  (none)");
        return;
    }
    let mut warned: HashMap<&str, usize> = HashMap::new();
    for w in &r.warnings {
        *warned.entry(w.path.as_str()).or_default() += 1;
    }
    let mut table = style.table(&["FILE", "FORMAT", "SERIES", "WARNINGS"], &[2, 3]);
    // The path is what identifies a row: it gets the room, the format name wraps first.
    if let Some(file) = table.column_mut(0) {
        file.set_constraint(ColumnConstraint::LowerBoundary(Width::Percentage(55)));
    }
    for f in &r.files {
        let formats = if f.formats.is_empty() {
            "-".to_string()
        } else {
            clean(&f.formats.join(", "), MAX_CELL)
        };
        let warnings = warned.get(f.path.as_str()).copied().unwrap_or(0);
        table.add_row(vec![
            clean(&f.path, usize::MAX),
            formats,
            f.series.to_string(),
            warnings.to_string(),
        ]);
    }
    write_table(out, "  ", &table);
}

fn series_table(out: &mut String, series: &[Series], style: &Style) {
    let _ = writeln!(out, "\nSeries ({})", series.len());
    if series.is_empty() {
        let _ = writeln!(out, "  (none)");
        return;
    }
    let mut table = style.table(
        &[
            "SOURCE",
            "BENCHMARK",
            "LABELS",
            "METRIC",
            "UNIT",
            "DIRECTION",
            "N",
            "MEAN",
            "FAILED",
        ],
        &[6, 7, 8],
    );
    for s in series {
        table.add_row(series_row(s));
    }
    write_table(out, "  ", &table);
}

fn series_row(s: &Series) -> Vec<String> {
    let labels: Vec<String> = s
        .key
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mean = if s.samples.is_empty() {
        "-".to_string()
    } else {
        format_number(s.samples.iter().sum::<f64>() / s.samples.len() as f64, 4)
    };
    vec![
        clean(&s.key.source, usize::MAX),
        clean(&s.key.benchmark, usize::MAX),
        clean(&labels.join(", "), usize::MAX),
        clean(&s.key.metric, usize::MAX),
        clean(&s.unit, MAX_CELL),
        match s.direction {
            Direction::HigherIsBetter => "higher",
            Direction::LowerIsBetter => "lower",
            Direction::Neutral => "neutral",
        }
        .to_string(),
        s.samples.len().to_string(),
        mean,
        s.failed.to_string(),
    ]
}

/// Files that matched the include patterns but were not read, each with the reason.
fn skipped(out: &mut String, inv: &InventorySummary, style: &Style) {
    if inv.skipped.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nSkipped ({})", inv.skipped.len());
    let mut table = style.table(&["FILE", "REASON"], &[]);
    for s in &inv.skipped {
        table.add_row(vec![
            clean(&s.path, usize::MAX),
            clean(&s.reason, usize::MAX),
        ]);
    }
    write_table(out, "  ", &table);
}

fn warnings(out: &mut String, warnings: &[Warning]) {
    if warnings.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nWarnings ({})", warnings.len());
    for w in warnings {
        let _ = writeln!(
            out,
            "  {}: {}",
            clean(&w.path, usize::MAX),
            clean(&w.message, usize::MAX)
        );
    }
}

fn totals(out: &mut String, root: &str, r: &ScanResult) {
    let inv = &r.inventory;
    let _ = writeln!(out, "\nScanned {}", clean(root, usize::MAX));
    let _ = writeln!(
        out,
        "  files      {} read, {} bytes ({})",
        inv.files,
        inv.bytes,
        HumanBytes(inv.bytes)
    );
    if let Some(latest) = &inv.latest_modified {
        let _ = writeln!(out, "  newest     {latest}");
    }
    let _ = writeln!(out, "  by kind    {}", counts(&inv.by_kind));
    let _ = writeln!(out, "  by dir     {}", counts(&inv.by_dir));
    let _ = writeln!(
        out,
        "  unmatched  {} file(s) matched no include pattern",
        inv.unmatched
    );
    let _ = writeln!(out, "  skipped    {}", inv.skipped.len());
    let _ = writeln!(out, "  series     {}", r.series.len());
    let _ = writeln!(out, "  warnings   {}", r.warnings.len());
    let _ = writeln!(
        out,
        "  time       collect {:.1} ms, read+parse {:.1} ms",
        r.timings.collect.as_secs_f64() * 1e3,
        r.timings.parse.as_secs_f64() * 1e3
    );
}

fn counts(map: &BTreeMap<String, usize>) -> String {
    if map.is_empty() {
        return "-".to_string();
    }
    let parts: Vec<String> = map
        .iter()
        .map(|(k, n)| format!("{} {n}", clean(k, MAX_CELL)))
        .collect();
    parts.join(", ")
}
