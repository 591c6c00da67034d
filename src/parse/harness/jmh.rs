//! JMH's JSON result (`-rf json`): an array of `{benchmark, mode, params, primaryMetric:
//! {score, scoreError, scoreUnit, rawData}, secondaryMetrics}`.
//!
//! `mode` decides the direction of the primary metric (`score`): throughput (`thrpt`) is
//! better higher, average/sample/single-shot time (`avgt`, `sample`, `ss`) lower. The
//! samples are the iteration results in `rawData`, flattened over forks (the `score` alone
//! when there are none, as in `sample` mode). Units are brought to one per kind, since
//! `@OutputTimeUnit` may differ between runs: `<time>/op` becomes `ns/op` and
//! `ops/<time>` becomes `ops/s`. `params` and the `mode` are labels. Secondary metrics
//! (profilers such as `gc.alloc.rate`) are extra metrics; GC figures and per-operation costs
//! are better lower, rates per time unit higher, other units are inferred.

use super::builder::{malformed, Labels, Metric, SeriesBuilder};
use super::{detect_json_report, label_text, parse_json, to_ns};
use crate::direction;
use crate::model::Direction;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use crate::units;
use serde_json::Value;

pub(super) struct Jmh;

const NAME: &str = "jmh";

fn is_report(doc: &Value) -> bool {
    doc.as_array().is_some_and(|a| {
        !a.is_empty()
            && a.iter().all(|r| {
                r.get("benchmark").is_some_and(Value::is_string)
                    && r.get("primaryMetric").is_some_and(Value::is_object)
            })
    })
}

/// A value in `unit` brought to the canonical unit of its kind, with that unit.
fn canonical(value: f64, unit: &str) -> (f64, String) {
    if let Some(time) = unit.strip_suffix("/op") {
        if let Some(ns) = to_ns(value, time) {
            return (ns, "ns/op".to_string());
        }
    }
    if let Some(time) = unit.strip_prefix("ops/") {
        if let Some(secs) = units::convert(1.0, time, "s").filter(|s| *s > 0.0) {
            return (value / secs, "ops/s".to_string());
        }
    }
    (value, unit.to_string())
}

fn mode_direction(mode: &str) -> Option<Direction> {
    match mode {
        "thrpt" => Some(Direction::HigherIsBetter),
        "avgt" | "sample" | "ss" => Some(Direction::LowerIsBetter),
        _ => None,
    }
}

fn secondary_direction(name: &str, unit: &str) -> Direction {
    if name.starts_with("gc.") || unit.ends_with("/op") {
        Direction::LowerIsBetter
    } else if unit.starts_with("ops/") || unit.ends_with("/sec") || unit.ends_with("/s") {
        Direction::HigherIsBetter
    } else {
        direction::infer(name, unit)
    }
}

impl Adapter for Jmh {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        detect_json_report(input.text, '[', "\"primaryMetric\"", is_report)
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let doc = parse_json(input.text, NAME)?;
        let list = doc
            .as_array()
            .ok_or_else(|| malformed(NAME, "expected an array of benchmark results"))?;
        let mut out = SeriesBuilder::new(input, NAME);
        for (i, result) in list.iter().enumerate() {
            read_result(result, &format!("/{i}"), &mut out);
        }
        out.finish()
    }
}

fn read_result(result: &Value, at: &str, out: &mut SeriesBuilder) {
    let Some(benchmark) = result.get("benchmark").and_then(Value::as_str) else {
        out.warn(format!("{at}: a result without `benchmark` was ignored"));
        return;
    };
    let mode = result
        .get("mode")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut labels = Labels::new();
    if let Some(params) = result.get("params").and_then(Value::as_object) {
        for (k, v) in params {
            labels.insert(k.clone(), label_text(v));
        }
    }
    if !mode.is_empty() {
        labels.insert("mode".to_string(), mode.to_string());
    }
    let primary = &result["primaryMetric"];
    let unit = primary
        .get("scoreUnit")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let direction = mode_direction(mode).unwrap_or_else(|| direction::infer("score", unit));
    read_metric(
        primary,
        benchmark,
        "score",
        &labels,
        direction,
        &format!("{at}/primaryMetric"),
        out,
    );
    if let Some(secondary) = result.get("secondaryMetrics").and_then(Value::as_object) {
        for (name, metric) in secondary {
            // Profiler metrics are named with a leading middle dot (`·gc.alloc.rate`).
            let clean = name.trim_start_matches('\u{b7}');
            let unit = metric
                .get("scoreUnit")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let direction = secondary_direction(clean, unit);
            let at = format!("{at}/secondaryMetrics/{name}");
            read_metric(metric, benchmark, clean, &labels, direction, &at, out);
        }
    }
}

fn read_metric(
    metric: &Value,
    benchmark: &str,
    name: &str,
    labels: &Labels,
    direction: Direction,
    at: &str,
    out: &mut SeriesBuilder,
) {
    let unit = metric
        .get("scoreUnit")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let raw: Vec<f64> = metric
        .get("rawData")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(Value::as_f64)
        .collect();
    let values = if raw.is_empty() {
        match metric.get("score").and_then(Value::as_f64) {
            Some(score) => vec![score],
            None => {
                out.warn(format!(
                    "{at}: no `score` or `rawData`; {benchmark} {name} ignored"
                ));
                return;
            }
        }
    } else {
        raw
    };
    let (_, canonical_unit) = canonical(1.0, unit);
    let m = Metric {
        benchmark,
        metric: name,
        labels,
        unit: &canonical_unit,
        direction,
    };
    let converted = values.into_iter().map(|v| canonical(v, unit).0);
    out.samples(&m, converted, at);
}
