//! Trend charts for `history: N`: for a metric, the mean of each baseline run (oldest
//! first) followed by the head value, as a Mermaid `xychart-beta` line chart that GitHub
//! renders in comments and summaries.

use crate::model::{Series, SeriesKey};
use crate::stats;

/// At most this many charts per report (each is a few hundred bytes of the comment).
pub const MAX_CHARTS: usize = 10;

/// The chart of one metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trend {
    /// The series key's display form (`source/benchmark/metric [labels]`).
    pub key: String,
    /// A fenced `mermaid` code block.
    pub chart: String,
}

/// One baseline run's series, labelled for the x axis (a short SHA or run number).
pub struct Point<'a> {
    pub label: String,
    pub series: &'a [Series],
}

/// Charts for the first [`MAX_CHARTS`] of `keys` that have data, in the order given (the
/// most severe regression first). A chart needs two points: baseline means, then the head
/// mean when head has successful samples (a broken metric shows its baseline only).
pub fn charts(
    keys: &[&SeriesKey],
    history_oldest_first: &[Point<'_>],
    head: &[Series],
) -> Vec<Trend> {
    fn mean_of<'s>(set: &'s [Series], key: &SeriesKey) -> Option<(f64, &'s str)> {
        let s = set.iter().find(|s| &s.key == key)?;
        stats::mean(&s.samples).map(|m| (m, s.unit.as_str()))
    }
    let mut out = Vec::new();
    for key in keys {
        if out.len() >= MAX_CHARTS {
            break;
        }
        let mut unit = None;
        let mut points: Vec<(String, f64)> = Vec::new();
        let named = history_oldest_first
            .iter()
            .map(|p| (p.label.as_str(), p.series));
        for (label, set) in named.chain(std::iter::once(("head", head))) {
            if let Some((value, u)) = mean_of(set, key) {
                unit.get_or_insert(u);
                points.push((label.to_string(), value));
            }
        }
        if points.len() < 2 {
            continue;
        }
        out.push(Trend {
            key: key.to_string(),
            chart: chart(&key.metric, unit.unwrap_or_default(), &points),
        });
    }
    out
}

/// A Mermaid line chart of `points` (x label, value), in a fenced code block.
pub fn chart(title: &str, unit: &str, points: &[(String, f64)]) -> String {
    let labels: Vec<String> = points
        .iter()
        .map(|(l, _)| format!("\"{}\"", clean(l, 16)))
        .collect();
    let values: Vec<String> = points.iter().map(|(_, v)| number(*v)).collect();
    let y_axis = if unit.is_empty() {
        clean(title, 40)
    } else {
        clean(unit, 40)
    };
    format!(
        "```mermaid\nxychart-beta\n    title \"{}\"\n    x-axis [{}]\n    y-axis \"{}\"\n    line [{}]\n```",
        clean(title, 60),
        labels.join(", "),
        y_axis,
        values.join(", ")
    )
}

/// Text safe inside a quoted Mermaid string: no quotes, backticks, brackets or line
/// breaks; runs of blanks collapsed.
fn clean(text: &str, max: usize) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || "\"`<>[]{}#;".contains(c) {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(max)
        .collect()
}

/// A value with at most 6 significant digits, without exponent noise.
fn number(v: f64) -> String {
    if !v.is_finite() {
        return "0".into();
    }
    let magnitude = if v == 0.0 {
        0
    } else {
        v.abs().log10().floor() as i32
    };
    let decimals = (5 - magnitude).clamp(0, 9) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Direction;

    fn series(metric: &str, samples: &[f64]) -> Series {
        let mut s = Series::new(
            SeriesKey::new("llm/run.csv", "gemma3", metric),
            "tokens/s",
            Direction::HigherIsBetter,
        );
        s.samples = samples.to_vec();
        s
    }

    #[test]
    fn chart_lists_base_runs_then_head() {
        let old = vec![series("tokens_s", &[40.0, 42.0])];
        let newer = vec![series("tokens_s", &[41.5])];
        let head = vec![series("tokens_s", &[30.25])];
        let key = head[0].key.clone();
        let history = [
            Point {
                label: "a1b2c3d".into(),
                series: &old,
            },
            Point {
                label: "e4f5a6b".into(),
                series: &newer,
            },
        ];
        let charts = charts(&[&key], &history, &head);
        assert_eq!(charts[0].key, "llm/run.csv/gemma3/tokens_s");
        assert_eq!(
            charts[0].chart,
            "```mermaid\nxychart-beta\n    title \"tokens_s\"\n    x-axis [\"a1b2c3d\", \"e4f5a6b\", \"head\"]\n    y-axis \"tokens/s\"\n    line [41, 41.5, 30.25]\n```"
        );
        // One point is no trend.
        assert!(super::charts(&[&key], &[], &head).is_empty());
        // A broken metric (no successful head sample) shows its baseline runs.
        let failed = vec![series("tokens_s", &[])];
        let broken = super::charts(&[&key], &history, &failed);
        assert!(
            broken[0]
                .chart
                .contains("x-axis [\"a1b2c3d\", \"e4f5a6b\"]"),
            "{}",
            broken[0].chart
        );
    }

    #[test]
    fn untrusted_names_cannot_break_the_chart() {
        let c = chart(
            "x\"]\n```\n<img>",
            "",
            &[("a\"b".into(), 1.0), ("head".into(), 2.0)],
        );
        assert!(c.contains("title \"x img\""), "{c}");
        assert_eq!(c.matches("```").count(), 2);
    }

    #[test]
    fn numbers_are_compact() {
        assert_eq!(number(0.30000001192092896), "0.3");
        assert_eq!(number(123456.789), "123457");
        assert_eq!(number(0.000123456789), "0.000123457");
        assert_eq!(number(0.0), "0");
    }
}
