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

/// The means of one metric on each run, oldest baseline run first and head last (`None`
/// where a run has no successful sample of it), and the unit of the first run that has one.
#[derive(Debug, Clone, PartialEq)]
pub struct Means {
    pub values: Vec<Option<f64>>,
    pub unit: String,
}

/// The means of `key` in `runs` (each run's series as the compare stage prepared them,
/// oldest baseline run first, head last).
pub fn means(key: &SeriesKey, runs: &[&[Series]]) -> Means {
    let mut unit = None;
    let values = runs
        .iter()
        .map(|set| {
            let s = set.iter().find(|s| &s.key == key)?;
            let mean = stats::mean(&s.samples)?;
            unit.get_or_insert_with(|| s.unit.clone());
            Some(mean)
        })
        .collect();
    Means {
        values,
        unit: unit.unwrap_or_default(),
    }
}

/// Charts for the first [`MAX_CHARTS`] of `metrics` that have data, in the order given
/// (the most severe regression first). `labels` name the runs of every [`Means`] (short
/// SHAs or run numbers, then `head`). A chart needs two points: a broken metric (no
/// successful head sample) shows its baseline runs only.
pub fn charts<'a>(
    metrics: impl IntoIterator<Item = (&'a SeriesKey, &'a Means)>,
    labels: &[String],
) -> Vec<Trend> {
    let mut out = Vec::new();
    for (key, means) in metrics {
        if out.len() >= MAX_CHARTS {
            break;
        }
        let points: Vec<(String, f64)> = labels
            .iter()
            .zip(&means.values)
            .filter_map(|(label, value)| value.map(|v| (label.clone(), v)))
            .collect();
        if points.len() < 2 {
            continue;
        }
        out.push(Trend {
            key: key.to_string(),
            chart: chart(&key.metric, &means.unit, &points),
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
        let labels = ["a1b2c3d".to_string(), "e4f5a6b".into(), "head".into()];
        let m = means(&key, &[&old, &newer, &head]);
        assert_eq!(m.values, vec![Some(41.0), Some(41.5), Some(30.25)]);
        let charts = charts([(&key, &m)], &labels);
        assert_eq!(charts[0].key, "llm/run.csv/gemma3/tokens_s");
        assert_eq!(
            charts[0].chart,
            "```mermaid\nxychart-beta\n    title \"tokens_s\"\n    x-axis [\"a1b2c3d\", \"e4f5a6b\", \"head\"]\n    y-axis \"tokens/s\"\n    line [41, 41.5, 30.25]\n```"
        );
        // One point is no trend.
        let alone = means(&key, &[&head]);
        assert!(super::charts([(&key, &alone)], &labels[2..]).is_empty());
        // A broken metric (no successful head sample) shows its baseline runs.
        let failed = vec![series("tokens_s", &[])];
        let broken = means(&key, &[&old, &newer, &failed]);
        let broken = super::charts([(&key, &broken)], &labels);
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
