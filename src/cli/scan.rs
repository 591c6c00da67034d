//! The `scan` subcommand: lists the benchmark files under a directory and the metric series
//! found in them, as aligned plain text or as the documented JSON contract (`--json`).

use super::exit;
use super::failure::describe;
use crate::collect::{CollectOptions, InventorySummary, DEFAULT_MAX_FILES, DEFAULT_MAX_FILE_SIZE};
use crate::model::{Direction, Series, Warning};
use crate::scan::{scan, ScanError, ScanResult, Timings};
use anyhow::Context;
use serde::Serialize;
use std::fmt::Write as _;
use std::io::Write as _;
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
    /// Print the inventory, series and warnings as JSON.
    #[arg(long)]
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
    let result = scan(&args.dir, &options)?;
    let output = if args.json {
        let mut json = serde_json::to_string_pretty(&ScanJson::from(&result))
            .context("serialising the scan result")?;
        json.push('\n');
        json
    } else {
        render_text(&args.dir.display().to_string(), &result)
    };
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(output.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("writing the scan result to standard output")
        }
        _ => Ok(()),
    }
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

fn render_text(root: &str, r: &ScanResult) -> String {
    let inv = &r.inventory;
    let mut out = String::new();
    let _ = writeln!(out, "Scanned {}", cell(root, usize::MAX));
    let _ = writeln!(
        out,
        "  files      {} read, {} bytes ({})",
        inv.files,
        inv.bytes,
        human_bytes(inv.bytes)
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
    let rows: Vec<Vec<String>> = inv
        .skipped
        .iter()
        .map(|s| vec![cell(&s.path, MAX_CELL), cell(&s.reason, usize::MAX)])
        .collect();
    table(&mut out, "    ", &[], &rows, &[]);
    let _ = writeln!(
        out,
        "  time       collect {:.1} ms, read+parse {:.1} ms",
        r.timings.collect.as_secs_f64() * 1e3,
        r.timings.parse.as_secs_f64() * 1e3
    );

    let _ = writeln!(out, "\nSeries ({})", r.series.len());
    let header = [
        "SOURCE",
        "BENCHMARK",
        "LABELS",
        "METRIC",
        "UNIT",
        "DIRECTION",
        "N",
        "MEAN",
        "FAILED",
    ];
    if r.series.is_empty() {
        let _ = writeln!(out, "  (none)");
    } else {
        let rows: Vec<Vec<String>> = r.series.iter().map(series_row).collect();
        table(&mut out, "  ", &header, &rows, &[6, 7, 8]);
    }

    let _ = writeln!(out, "\nWarnings ({})", r.warnings.len());
    for w in &r.warnings {
        let _ = writeln!(
            out,
            "  {}: {}",
            cell(&w.path, usize::MAX),
            cell(&w.message, usize::MAX)
        );
    }
    out
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
        number(s.samples.iter().sum::<f64>() / s.samples.len() as f64)
    };
    vec![
        cell(&s.key.source, MAX_CELL),
        cell(&s.key.benchmark, MAX_CELL),
        cell(&labels.join(","), MAX_CELL),
        cell(&s.key.metric, MAX_CELL),
        cell(&s.unit, MAX_CELL),
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

/// Writes `rows` as aligned columns (two spaces apart); `right` lists right-aligned columns.
fn table(out: &mut String, indent: &str, header: &[&str], rows: &[Vec<String>], right: &[usize]) {
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    let all = (!header.is_empty())
        .then_some(&header)
        .into_iter()
        .chain(rows);
    let mut widths: Vec<usize> = Vec::new();
    for row in all.clone() {
        for (i, c) in row.iter().enumerate() {
            let w = c.chars().count();
            match widths.get_mut(i) {
                Some(width) => *width = (*width).max(w),
                None => widths.push(w),
            }
        }
    }
    for row in all {
        let mut line = indent.to_string();
        for (i, c) in row.iter().enumerate() {
            let pad = widths[i].saturating_sub(c.chars().count());
            if i > 0 {
                line.push_str("  ");
            }
            if right.contains(&i) {
                line.push_str(&" ".repeat(pad));
                line.push_str(c);
            } else {
                line.push_str(c);
                if i + 1 < row.len() {
                    line.push_str(&" ".repeat(pad));
                }
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

/// Text from the files, made safe for a terminal: control characters (ANSI escapes, line
/// breaks) are shown escaped, and overly long text is cut.
fn cell(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A number with about four significant digits.
fn number(x: f64) -> String {
    let a = x.abs();
    if a == 0.0 {
        "0".to_string()
    } else if !(1e-3..1e9).contains(&a) {
        format!("{x:.3e}")
    } else {
        let decimals = (3 - a.log10().floor() as i32).clamp(0, 6) as usize;
        format!("{x:.decimals$}")
    }
}

fn counts(map: &std::collections::BTreeMap<String, usize>) -> String {
    if map.is_empty() {
        return "-".to_string();
    }
    let parts: Vec<String> = map
        .iter()
        .map(|(k, n)| format!("{} {n}", cell(k, MAX_CELL)))
        .collect();
    parts.join(", ")
}

fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = "B";
    for u in UNITS {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = u;
    }
    format!("{value:.1} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_four_significant_digits() {
        assert_eq!(number(88.912), "88.91");
        assert_eq!(number(6.1), "6.100");
        assert_eq!(number(12345.6), "12346");
        assert_eq!(number(0.000_012), "1.200e-5");
        assert_eq!(number(0.0), "0");
    }

    #[test]
    fn cells_escape_control_characters_and_are_bounded() {
        assert_eq!(cell("a\u{1b}[31mb\nc", 100), "a\\u{1b}[31mb\\nc");
        assert_eq!(cell("abcdef", 3), "abc…");
    }

    #[test]
    fn byte_sizes_are_human_readable() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(811_008), "792.0 KiB");
        assert_eq!(human_bytes(3 * 1024 * 1024 * 1024), "3.0 GiB");
    }
}
