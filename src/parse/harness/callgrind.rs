//! The console output of gungraun (formerly iai-callgrind) and of iai: a benchmark's name on
//! a line of its own, then its metrics indented below it,
//!
//! ```text
//! lib::bench_group::bench_fibonacci short:10
//!   ======= CALLGRIND =====================================
//!   Instructions:                1734|1650            (+5.09090%) [+1.04844x]
//!   Estimated Cycles:            2464|2380            (+3.52941%) [+1.03409x]
//! ```
//!
//! Each metric line holds the new value, then (gungraun) `|` and the previous run's value,
//! which is not read: the baseline comes from the base run. A `|N/A` or empty new value is
//! no measurement. Every count (instructions, cache hits and misses, cycles, bytes, blocks,
//! events) is better lower, and so are miss rates; the L1 and LL hit rates are better higher.
//! The `======= TOOL ===` rule names the Valgrind tool, a `tool` label (`callgrind` until a
//! rule says otherwise). A name printed over several lines is joined; a binary benchmark's
//! program output, which gungraun prints between the name and `- end of stdout/stderr`, is
//! not part of the name. ANSI colours are removed.

use super::builder::{Labels, Metric, SeriesBuilder};
use super::{number, numbered_lines};
use crate::model::Direction;
use crate::parse::generic::text::strip_ansi;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};

pub(super) struct Callgrind;

const NAME: &str = "gungraun";

/// Lines that are neither a benchmark name nor a metric.
const NOISE: [&str; 9] = [
    "Running ",
    "running ",
    "test result:",
    "Iai-Callgrind result",
    "Gungraun result",
    "Regressions:",
    "warning:",
    "error:",
    "Compiling ",
];

/// A metric line: its name and new value (`None` for `N/A` or nothing), or `None` when the
/// line is not one.
fn metric_line(line: &str) -> Option<(&str, Option<f64>)> {
    if !line.starts_with("  ") {
        return None;
    }
    let (name, rest) = line.trim().split_once(':')?;
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let rest = rest.trim_start();
    let new = rest.split(['|', ' ']).next().unwrap_or_default();
    if !rest.contains('|') && number(new).is_none() {
        return None;
    }
    Some((name, number(new)))
}

fn direction(metric: &str) -> Direction {
    let hit_rate = metric.ends_with("Hit Rate") && !metric.starts_with("RAM");
    if hit_rate {
        Direction::HigherIsBetter
    } else {
        Direction::LowerIsBetter
    }
}

fn is_tool_rule(line: &str) -> Option<String> {
    let t = line.trim();
    let tool = t
        .strip_prefix("=======")?
        .trim()
        .trim_end_matches('=')
        .trim();
    (!tool.is_empty()).then(|| tool.to_ascii_lowercase())
}

/// Whether a line of `text` may be a metric line once escapes are removed: metric lines are
/// indented by two spaces, so without escapes a text with no such line holds none, and the
/// lines need not be read.
fn may_hold_metric_lines(text: &str) -> bool {
    text.starts_with("  ") || text.contains("\n  ") || text.contains('\x1b')
}

/// Whether a line of `text` is a gungraun metric line (`new|old`), or an iai one when
/// `iai`.
fn has_metric_line(text: &str, iai: bool) -> bool {
    text.lines().map(strip_ansi).any(|l| match metric_line(&l) {
        Some(("Instructions", _)) => iai || l.contains('|'),
        Some(_) => l.contains('|'),
        None => false,
    })
}

impl Adapter for Callgrind {
    fn name(&self) -> &'static str {
        NAME
    }

    /// gungraun's `new|old` metric lines, or iai's instructions with estimated cycles.
    fn detect(&self, input: &Input) -> Confidence {
        let text = input.text;
        let iai = text.contains("Instructions:") && text.contains("Estimated Cycles:");
        if !iai && !text.contains('|') {
            return Confidence::No;
        }
        if may_hold_metric_lines(text) && has_metric_line(text, iai) {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let mut out = SeriesBuilder::new(input, NAME);
        // Unindented lines since the last metric line: the next benchmark's name.
        let mut header: Vec<String> = Vec::new();
        let mut benchmark = String::new();
        let mut tool = String::from("callgrind");
        let mut in_metrics = false;
        for (n, raw) in numbered_lines(input.text) {
            let line = strip_ansi(raw);
            if let Some(name) = is_tool_rule(&line) {
                tool = name;
                continue;
            }
            if let Some((metric, value)) = metric_line(&line) {
                if !in_metrics {
                    benchmark = name_from(&header).unwrap_or_default();
                    header.clear();
                    in_metrics = true;
                }
                if benchmark.is_empty() {
                    continue;
                }
                let Some(value) = value else {
                    continue;
                };
                let mut labels = Labels::new();
                labels.insert("tool".to_string(), tool.clone());
                let unit = if metric.ends_with(" Rate") { "%" } else { "" };
                let m = Metric {
                    benchmark: &benchmark,
                    metric,
                    labels: &labels,
                    unit,
                    direction: direction(metric),
                };
                out.sample(&m, value, format!("line {n}"));
                continue;
            }
            let t = line.trim_end();
            if t.is_empty() || t.starts_with(char::is_whitespace) {
                continue;
            }
            if in_metrics {
                in_metrics = false;
                tool = String::from("callgrind");
            }
            if t.starts_with("- end of stdout") {
                // What came after the name was the benchmarked program's output.
                if let Some(i) = header.iter().position(|l| l.contains("::")) {
                    header.truncate(i + 1);
                }
            } else if !NOISE.iter().any(|p| t.starts_with(p)) {
                header.push(t.to_string());
            }
        }
        out.finish()
    }
}

/// The benchmark name from the unindented lines before a metric block: from the first line
/// that names a module path (`a::b`) to the last, joined; else the last line.
fn name_from(header: &[String]) -> Option<String> {
    match header.iter().position(|l| l.contains("::")) {
        Some(i) => Some(header[i..].join(" ")),
        None => header.last().cloned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Lines as gungraun, iai and Markdown write them, with and without escapes.
    fn line() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "  Instructions:     1734|1734   (No change)",
            "  L1 Hits:  2360|N/A",
            "  Instructions: 1735",
            " Instructions: 1|2",
            "\u{1b}[1m  Instructions:\u{1b}[0m  1|2",
            "\u{1b}[32m  RAM Hits: 3|4",
            "lib::bench short:10",
            "| model | tokens/s |",
            "|---|---:|",
            "| a | 1 |",
            "Estimated Cycles: 2",
            "\tInstructions: 1|2",
            "",
        ])
    }

    proptest! {
        /// The text search rules out only texts whose lines, read one by one, hold no
        /// metric line.
        #[test]
        fn the_search_rules_out_only_texts_without_metric_lines(
            lines in prop::collection::vec(line(), 0..6),
            crlf in any::<bool>(),
        ) {
            let text = lines.join(if crlf { "\r\n" } else { "\n" });
            if !may_hold_metric_lines(&text) {
                prop_assert!(!has_metric_line(&text, false));
                prop_assert!(!has_metric_line(&text, true));
            }
        }
    }

    #[test]
    fn markdown_tables_are_ruled_out_and_metric_blocks_are_not() {
        assert!(!may_hold_metric_lines("| a | b |\n|---|---|\n| 1 | 2 |\n"));
        let block = "lib::bench short:10\n  Instructions:  1734|1734 (No change)\n";
        assert!(may_hold_metric_lines(block) && has_metric_line(block, false));
        let coloured = "lib::bench\n\u{1b}[1m  L1 Hits:\u{1b}[0m 2360|N/A\n";
        assert!(may_hold_metric_lines(coloured) && has_metric_line(coloured, false));
    }
}
