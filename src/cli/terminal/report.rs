//! The report as a person reads it at a terminal: the verdict and its notices, a few
//! one-line findings (what changed, most important first), a table of the metrics that
//! changed, the analysis and the warnings. Built from the report itself, not from the
//! Markdown comment.

use super::{clean, write_table, Style};
use crate::compare::{Delta, SideStats, Status, Verdict};
use crate::render::filters::{format_number, format_percent};
use crate::report::Report;
use comfy_table::{Cell, Color};
use std::fmt::Write as _;

/// One-line findings shown before the table.
const FINDINGS: usize = 5;
/// Changed metrics shown in the table; the rest are counted.
const TABLE_ROWS: usize = 40;
/// Longest name shown in a cell.
const MAX_NAME: usize = 80;

/// The report as text for a terminal (or, in [`Style::PLAIN`], for a log).
pub fn render(report: &Report, style: &Style) -> String {
    let mut out = String::new();
    verdict(&mut out, report, style);
    findings(&mut out, report, style);
    changes(&mut out, report, style);
    analysis(&mut out, report);
    warnings(&mut out, report, style);
    out
}

fn verdict(out: &mut String, report: &Report, style: &Style) {
    let (mark, name, colour) = match report.verdict {
        Verdict::Pass => ("✔", "pass", console::Color::Green),
        Verdict::Warn => ("!", "warn", console::Color::Yellow),
        Verdict::Fail => ("✘", "fail", console::Color::Red),
        Verdict::NoBaseline => ("i", "no baseline", console::Color::Cyan),
        Verdict::NoData => ("✘", "no data", console::Color::Red),
    };
    let _ = writeln!(
        out,
        "{} {}",
        style.headline(&format!("{mark} Benchmarks: {name}"), colour),
        counts(report)
    );
    for notice in &report.notices {
        let _ = writeln!(out, "{}", clean(notice, 500));
    }
    let baseline = report.baseline.as_ref();
    let text = |key: &str| baseline.and_then(|b| b.get(key)).and_then(|v| v.as_str());
    if let Some(note) = text("note") {
        let _ = writeln!(out, "{}", style.dim(&clean(note, 300)));
    } else if let Some(mode) = text("mode") {
        let path = text("path").or(text("ref")).unwrap_or_default();
        let line = format!("baseline: {mode} {}", clean(path, 200));
        let _ = writeln!(out, "{}", style.dim(line.trim_end()));
    }
}

/// "2 regressions · 40 unchanged", most important first.
fn counts(report: &Report) -> String {
    let parts: Vec<String> = Status::ALL
        .iter()
        .filter_map(|s| {
            let n = *report.counts.get(s.as_str())?;
            (n > 0).then(|| format!("{n} {}", s.as_str()))
        })
        .collect();
    if parts.is_empty() {
        "— no metrics found".to_string()
    } else {
        format!("— {}", parts.join(" · "))
    }
}

/// The statuses worth a one-line finding, in the report's order.
fn is_finding(status: Status) -> bool {
    matches!(
        status,
        Status::Regression | Status::Broken | Status::Missing | Status::Improvement | Status::Fixed
    )
}

fn findings(out: &mut String, report: &Report, style: &Style) {
    let lines: Vec<String> = report
        .deltas
        .iter()
        .filter(|d| is_finding(d.status))
        .take(FINDINGS)
        .map(|d| {
            let change = d
                .change_pct
                .map(|p| format!(" ({})", format_percent(p, 1)))
                .unwrap_or_default();
            format!(
                "  {:<11} {} · {}: {} → {}{change}",
                d.status.as_str(),
                name(d),
                clean(&d.key.metric, MAX_NAME),
                side(d.base.as_ref(), &d.unit),
                side(d.head.as_ref(), &d.unit),
            )
        })
        .collect();
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{}", style.bold("What changed"));
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
}

fn changes(out: &mut String, report: &Report, style: &Style) {
    let changed: Vec<&Delta> = report
        .deltas
        .iter()
        .filter(|d| d.status != Status::Unchanged)
        .collect();
    let total = report.counts.get("total").copied().unwrap_or(0);
    if changed.is_empty() {
        let _ = writeln!(
            out,
            "\nNo metric changed beyond its thresholds ({total} compared)."
        );
        return;
    }
    let mut table = style.table(
        &[
            "STATUS",
            "BENCHMARK",
            "METRIC",
            "BASE → HEAD",
            "CHANGE",
            "CONFIDENCE",
        ],
        &[4],
    );
    for d in changed.iter().take(TABLE_ROWS) {
        let confidence = match (&d.base, &d.head) {
            (Some(b), Some(h)) => format!("{} n={}/{}", confidence(d), b.n, h.n),
            _ => confidence(d).to_string(),
        };
        table.add_row(vec![
            style.paint(Cell::new(d.status.as_str()), colour(d.status)),
            Cell::new(name(d)),
            Cell::new(clean(&d.key.metric, MAX_NAME)),
            Cell::new(format!(
                "{} → {}",
                side(d.base.as_ref(), &d.unit),
                side(d.head.as_ref(), &d.unit)
            )),
            Cell::new(
                d.change_pct
                    .map_or("—".to_string(), |p| format_percent(p, 1)),
            ),
            Cell::new(confidence),
        ]);
    }
    out.push('\n');
    write_table(out, "", &table);
    let hidden = total.saturating_sub(changed.len().min(TABLE_ROWS));
    if hidden > 0 {
        let _ = writeln!(
            out,
            "{}",
            style.dim(&format!(
                "{hidden} more metrics not shown (unchanged or beyond the first {TABLE_ROWS}); every metric is in the report (--json FILE), the PR comment in --markdown FILE"
            ))
        );
    }
}

fn analysis(out: &mut String, report: &Report) {
    let Some(a) = &report.analysis else { return };
    let text = |key: &str| {
        a.get(key)
            .and_then(|v| v.as_str())
            .filter(|t| !t.is_empty())
    };
    let _ = writeln!(out, "\nAnalysis");
    if let Some(summary) = text("summary") {
        let _ = writeln!(out, "  {}", clean(summary, 1_000));
    }
    for finding in a
        .get("findings")
        .and_then(|f| f.as_array())
        .into_iter()
        .flatten()
        .filter_map(|f| f.get("text").and_then(|t| t.as_str()))
    {
        let _ = writeln!(out, "  - {}", clean(finding, 500));
    }
    if let Some(reason) = text("reason") {
        let _ = writeln!(out, "  note: {}", clean(reason, 300));
    }
}

fn warnings(out: &mut String, report: &Report, style: &Style) {
    const SHOWN: usize = 5;
    if report.warnings.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nWarnings ({})", report.warnings.len());
    for w in report.warnings.iter().take(SHOWN) {
        let _ = writeln!(out, "  {}: {}", clean(&w.path, 200), clean(&w.message, 300));
    }
    if report.warnings.len() > SHOWN {
        let _ = writeln!(
            out,
            "{}",
            style.dim(&format!(
                "  … and {} more in the report (--json FILE)",
                report.warnings.len() - SHOWN
            ))
        );
    }
}

/// The benchmark and its labels.
fn name(d: &Delta) -> String {
    let benchmark = clean(&d.key.benchmark, MAX_NAME);
    if d.key.labels.is_empty() {
        return benchmark;
    }
    let labels: Vec<String> = d
        .key
        .labels
        .iter()
        .map(|(k, v)| format!("{}={}", clean(k, 40), clean(v, 60)))
        .collect();
    format!("{benchmark} [{}]", labels.join(", "))
}

/// One side of a delta: mean and unit, or why there is no number.
fn side(stats: Option<&SideStats>, unit: &str) -> String {
    let Some(s) = stats else {
        return "—".to_string();
    };
    let Some(mean) = s.mean.filter(|_| s.n > 0) else {
        return if s.failed > 0 {
            format!("{} failed", s.failed)
        } else {
            "no data".to_string()
        };
    };
    let mut text = format_number(mean, 3);
    if !unit.is_empty() {
        text.push(' ');
        text.push_str(&clean(unit, 32));
    }
    if s.failed > 0 {
        text.push_str(&format!(" ({} failed)", s.failed));
    }
    text
}

fn confidence(d: &Delta) -> &'static str {
    match d.confidence {
        crate::compare::Confidence::High => "high",
        crate::compare::Confidence::Low => "low",
        crate::compare::Confidence::None => "—",
    }
}

fn colour(status: Status) -> Color {
    match status {
        Status::Regression | Status::Broken => Color::Red,
        Status::Missing | Status::Noisy | Status::Absent => Color::Yellow,
        Status::Changed => Color::Cyan,
        Status::Improvement | Status::Fixed => Color::Green,
        Status::New | Status::Unchanged => Color::Reset,
    }
}
