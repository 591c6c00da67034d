//! Google Benchmark's JSON report (`--benchmark_format=json` / `--benchmark_out`):
//! `{"context": {...}, "benchmarks": [...]}`.
//!
//! Every row carries its own `time_unit`; `real_time` and `cpu_time` are converted to ns.
//! Rows of one benchmark (`run_name`, else `name`) are its repetitions, i.e. samples.
//! Aggregate rows (`mean`, `median`, `stddev`, `cv`, `BigO`, `RMS`) summarise those
//! repetitions and are skipped, unless a benchmark has no iteration rows at all
//! (`--benchmark_report_aggregates_only`): then its `mean` (else `median`) row is the
//! measurement, and a `BigO` row gives the fitted complexity coefficients. User counters
//! become metrics of their own; `items_per_second` and `bytes_per_second` are rates.
//! A row with `error_occurred` counts as a failed run; a `skipped` row is neither.

use super::builder::{malformed, Labels, Metric, SeriesBuilder};
use super::{detect_json_report, parse_json, to_ns};
use crate::direction;
use crate::model::Direction;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use serde_json::{Map, Value};
use std::collections::HashMap;

pub(super) struct GoogleBenchmark;

const NAME: &str = "google-benchmark";

/// Row fields that are not user counters.
const RESERVED: [&str; 23] = [
    "name",
    "family_index",
    "per_family_instance_index",
    "run_name",
    "run_type",
    "repetitions",
    "repetition_index",
    "threads",
    "iterations",
    "real_time",
    "cpu_time",
    "time_unit",
    "aggregate_name",
    "aggregate_unit",
    "label",
    "error_occurred",
    "error_message",
    "big_o",
    "cpu_coefficient",
    "real_coefficient",
    "rms",
    "skipped",
    "skip_message",
];

fn rows(doc: &Value) -> Option<&Vec<Value>> {
    doc.get("benchmarks")?.as_array()
}

fn is_report(doc: &Value) -> bool {
    let Some(rows) = rows(doc) else { return false };
    let row_like = |r: &Value| {
        r.get("name").is_some_and(Value::is_string)
            && (r.get("real_time").is_some() || r.get("run_type").is_some())
    };
    (doc.get("context").is_some_and(Value::is_object) || rows.iter().any(row_like))
        && rows
            .iter()
            .all(|r| r.get("name").is_some_and(Value::is_string))
}

fn is_iteration(row: &Value) -> bool {
    row.get("run_type")
        .and_then(Value::as_str)
        .is_none_or(|t| t == "iteration")
}

fn aggregate_name(row: &Value) -> Option<&str> {
    row.get("aggregate_name").and_then(Value::as_str)
}

fn run_name(row: &Value) -> &str {
    row.get("run_name")
        .or_else(|| row.get("name"))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

impl Adapter for GoogleBenchmark {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        detect_json_report(input.text, '{', "\"benchmarks\"", is_report)
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let doc = parse_json(input.text, NAME)?;
        let rows = rows(&doc).ok_or_else(|| malformed(NAME, "no `benchmarks` array"))?;
        let mut out = SeriesBuilder::new(input, NAME);
        // Per benchmark: whether it has iteration rows, and the aggregates it reports.
        let mut groups: HashMap<&str, (bool, Vec<&str>)> = HashMap::new();
        for row in rows {
            let group = groups.entry(run_name(row)).or_default();
            if is_iteration(row) {
                group.0 = true;
            } else {
                group.1.push(aggregate_name(row).unwrap_or_default());
            }
        }
        for (i, row) in rows.iter().enumerate() {
            let at = format!("/benchmarks/{i}");
            let name = run_name(row);
            let Some((has_iterations, aggregates)) = groups.get(name) else {
                continue;
            };
            if is_iteration(row) {
                read_row(row, name, &at, &mut out);
                continue;
            }
            if *has_iterations {
                continue;
            }
            let chosen = ["mean", "median", ""]
                .into_iter()
                .find(|a| aggregates.contains(a));
            match aggregate_name(row).unwrap_or_default() {
                "BigO" => read_big_o(row, name, &at, &mut out),
                a if Some(a) == chosen => read_row(row, name, &at, &mut out),
                _ => {}
            }
        }
        out.finish()
    }
}

fn time_metric<'a>(benchmark: &'a str, metric: &'a str, labels: &'a Labels) -> Metric<'a> {
    Metric {
        benchmark,
        metric,
        labels,
        unit: "ns",
        direction: Direction::LowerIsBetter,
    }
}

fn read_row(row: &Value, name: &str, at: &str, out: &mut SeriesBuilder) {
    // `SkipWithMessage`: the benchmark chose not to run; neither a result nor a failure.
    if row.get("skipped").and_then(Value::as_bool) == Some(true) {
        return;
    }
    let labels = Labels::new();
    if row.get("error_occurred").and_then(Value::as_bool) == Some(true) {
        for metric in ["real_time", "cpu_time"] {
            out.failed(&time_metric(name, metric, &labels), 1, at);
        }
        return;
    }
    let unit = row.get("time_unit").and_then(Value::as_str).unwrap_or("ns");
    for metric in ["real_time", "cpu_time"] {
        let Some(v) = row.get(metric).and_then(Value::as_f64) else {
            continue;
        };
        match to_ns(v, unit) {
            Some(ns) => out.sample(&time_metric(name, metric, &labels), ns, at),
            None => out.warn(format!(
                "{at}: unknown time_unit `{unit}`; {metric} ignored"
            )),
        }
    }
    if let Some(fields) = row.as_object() {
        read_counters(fields, name, at, out);
    }
}

fn read_counters(fields: &Map<String, Value>, name: &str, at: &str, out: &mut SeriesBuilder) {
    let labels = Labels::new();
    for (key, value) in fields {
        if RESERVED.contains(&key.as_str()) {
            continue;
        }
        let Some(v) = value.as_f64() else { continue };
        let (unit, direction) = match key.as_str() {
            "items_per_second" => ("items/s", Direction::HigherIsBetter),
            "bytes_per_second" => ("B/s", Direction::HigherIsBetter),
            other => ("", direction::infer(other, "")),
        };
        let metric = Metric {
            benchmark: name,
            metric: key,
            labels: &labels,
            unit,
            direction,
        };
        out.sample(&metric, v, at);
    }
}

/// The coefficients of a complexity fit (`BigO` row), in ns per unit of `big_o`.
fn read_big_o(row: &Value, name: &str, at: &str, out: &mut SeriesBuilder) {
    let mut labels = Labels::new();
    if let Some(big_o) = row.get("big_o").and_then(Value::as_str) {
        labels.insert("big_o".to_string(), big_o.to_string());
    }
    let unit = row.get("time_unit").and_then(Value::as_str).unwrap_or("ns");
    for metric in ["real_coefficient", "cpu_coefficient"] {
        if let Some(ns) = row
            .get(metric)
            .and_then(Value::as_f64)
            .and_then(|v| to_ns(v, unit))
        {
            out.sample(&time_metric(name, metric, &labels), ns, at);
        }
    }
}
