//! vitest's `vitest bench --outputJson` report: `{files: [{filepath, groups: [{fullName,
//! benchmarks: [{name, hz, mean, min, max, median, p75, p99, p995, p999, sd, rme, samples,
//! sampleCount, ...}]}]}]}`, the tinybench statistics of each benchmark.
//!
//! `hz` is operations per second (higher is better); the times are milliseconds per
//! operation (lower is better), and so is `rme`, the relative margin of error in percent.
//! When the report keeps the raw per-iteration times (`samples`), they are the samples of a
//! `time` metric. The benchmark is the group's full name and the benchmark's name.

use super::builder::{malformed, Labels, Metric, SeriesBuilder};
use super::{detect_json_report, numbers, parse_json};
use crate::model::Direction::{HigherIsBetter, LowerIsBetter};
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use serde_json::Value;

pub(super) struct Vitest;

const NAME: &str = "vitest-bench";

/// Statistics in milliseconds per operation, lower is better.
const TIMES: [&str; 10] = [
    "mean", "median", "min", "max", "p75", "p99", "p995", "p999", "sd", "moe",
];

fn files(doc: &Value) -> Option<&Vec<Value>> {
    doc.get("files")?.as_array()
}

fn groups(file: &Value) -> &[Value] {
    file.get("groups")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn is_report(doc: &Value) -> bool {
    files(doc).is_some_and(|files| {
        files.iter().flat_map(groups).any(|g| {
            g.get("benchmarks")
                .and_then(Value::as_array)
                .is_some_and(|b| b.iter().any(|b| b.get("hz").is_some()))
        })
    })
}

impl Adapter for Vitest {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        detect_json_report(input.text, '{', "\"hz\"", is_report)
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let doc = parse_json(input.text, NAME)?;
        let list = files(&doc).ok_or_else(|| malformed(NAME, "no `files` array"))?;
        let mut out = SeriesBuilder::new(input, NAME);
        for (f, file) in list.iter().enumerate() {
            for (g, group) in groups(file).iter().enumerate() {
                let group_name = group.get("fullName").and_then(Value::as_str);
                let benches = group.get("benchmarks").and_then(Value::as_array);
                for (b, bench) in benches.into_iter().flatten().enumerate() {
                    let at = format!("/files/{f}/groups/{g}/benchmarks/{b}");
                    read_benchmark(bench, group_name, &at, &mut out);
                }
            }
        }
        out.finish()
    }
}

fn read_benchmark(bench: &Value, group: Option<&str>, at: &str, out: &mut SeriesBuilder) {
    let Some(name) = bench.get("name").and_then(Value::as_str) else {
        out.warn(format!("{at}: a benchmark without a name was ignored"));
        return;
    };
    let benchmark = match group {
        Some(group) => format!("{group} > {name}"),
        None => name.to_string(),
    };
    let labels = Labels::new();
    let metric = |metric, unit, direction| Metric {
        benchmark: &benchmark,
        metric,
        labels: &labels,
        unit,
        direction,
    };
    let stat = |key: &str| bench.get(key).and_then(Value::as_f64);
    if let Some(hz) = stat("hz") {
        out.sample(&metric("hz", "ops/s", HigherIsBetter), hz, at);
    }
    for key in TIMES {
        if let Some(v) = stat(key) {
            out.sample(&metric(key, "ms", LowerIsBetter), v, at);
        }
    }
    if let Some(rme) = stat("rme") {
        out.sample(&metric("rme", "%", LowerIsBetter), rme, at);
    }
    let (samples, skipped) = bench.get("samples").map(numbers).unwrap_or_default();
    if !samples.is_empty() {
        out.samples(
            &metric("time", "ms", LowerIsBetter),
            samples,
            format!("{at}/samples"),
        );
    }
    if skipped > 0 {
        out.warn(format!(
            "{at}/samples: {skipped} entries are not numbers and were ignored"
        ));
    }
}
