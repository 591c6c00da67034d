//! BenchmarkDotNet's JSON exporters (full, full-compressed, brief, brief-compressed):
//! `{"Title", "HostEnvironmentInfo", "Benchmarks": [{FullName, Parameters, Statistics,
//! Memory, Metrics}]}`.
//!
//! `Statistics` are in ns: the samples of `time` are the measured iterations in
//! `OriginalValues` when exported, else the `Mean`. A benchmark whose `Statistics` is null
//! did not run successfully and counts as failed. `Memory.BytesAllocatedPerOperation` is the
//! `allocated` metric (B, lower is better); other diagnoser `Metrics` carry their own unit
//! and direction (`TheGreaterTheBetter`). `Parameters` (`N=10&Size=100`) become labels; the
//! job becomes a `job` label only when one file runs the same benchmark under several jobs.

use super::builder::{malformed, Labels, Metric, SeriesBuilder};
use super::{detect_json_report, numbers, parse_json};
use crate::model::Direction;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use serde_json::Value;
use std::collections::HashMap;

pub(super) struct BenchmarkDotNet;

const NAME: &str = "benchmarkdotnet";

/// The diagnoser metric already reported as `allocated`.
const ALLOCATED_ID: &str = "Allocated Memory";

fn benchmarks(doc: &Value) -> Option<&Vec<Value>> {
    doc.get("Benchmarks")?.as_array()
}

fn is_report(doc: &Value) -> bool {
    benchmarks(doc).is_some_and(|b| {
        b.iter().all(|e| {
            e.get("FullName").is_some_and(Value::is_string) && e.get("Statistics").is_some()
        })
    }) && (doc.get("HostEnvironmentInfo").is_some()
        || benchmarks(doc).is_some_and(|b| !b.is_empty()))
}

fn parameters(bench: &Value) -> Labels {
    let text = bench
        .get("Parameters")
        .and_then(Value::as_str)
        .unwrap_or_default();
    text.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The job of a benchmark from its `DisplayInfo` (`Type.Method: ShortRun(IterationCount=3)`).
fn job(bench: &Value) -> Option<String> {
    let info = bench.get("DisplayInfo").and_then(Value::as_str)?;
    let (_, job) = info.split_once(": ")?;
    let end = job.find(['(', '[']).unwrap_or(job.len());
    Some(job[..end].trim().to_string()).filter(|j| !j.is_empty())
}

impl Adapter for BenchmarkDotNet {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        detect_json_report(input.text, '{', "\"Benchmarks\"", is_report)
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let doc = parse_json(input.text, NAME)?;
        let list = benchmarks(&doc).ok_or_else(|| malformed(NAME, "no `Benchmarks` array"))?;
        let identity = |b: &Value| {
            let name = b
                .get("FullName")
                .and_then(Value::as_str)
                .unwrap_or_default();
            (name.to_string(), parameters(b))
        };
        // How often each benchmark occurs: more than once means several jobs ran it.
        let mut runs: HashMap<(String, Labels), usize> = HashMap::new();
        for b in list {
            *runs.entry(identity(b)).or_default() += 1;
        }
        let mut out = SeriesBuilder::new(input, NAME);
        for (i, bench) in list.iter().enumerate() {
            let (name, mut labels) = identity(bench);
            let at = format!("/Benchmarks/{i}");
            if name.is_empty() {
                out.warn(format!("{at}: a benchmark without `FullName` was ignored"));
                continue;
            }
            if runs
                .get(&(name.clone(), labels.clone()))
                .is_some_and(|n| *n > 1)
            {
                if let Some(job) = job(bench) {
                    labels.insert("job".to_string(), job);
                }
            }
            read_benchmark(bench, &name, &labels, &at, &mut out);
        }
        out.finish()
    }
}

fn read_benchmark(bench: &Value, name: &str, labels: &Labels, at: &str, out: &mut SeriesBuilder) {
    let time = Metric {
        benchmark: name,
        metric: "time",
        labels,
        unit: "ns",
        direction: Direction::LowerIsBetter,
    };
    let stats = &bench["Statistics"];
    if stats.is_null() {
        out.failed(&time, 1, format!("{at}/Statistics"));
        return;
    }
    let (original, _) = numbers(&stats["OriginalValues"]);
    if !original.is_empty() {
        out.samples(&time, original, format!("{at}/Statistics/OriginalValues"));
    } else if let Some(mean) = stats.get("Mean").and_then(Value::as_f64) {
        out.sample(&time, mean, format!("{at}/Statistics/Mean"));
    } else {
        out.failed(&time, 1, format!("{at}/Statistics"));
    }
    if let Some(bytes) = bench
        .get("Memory")
        .and_then(|m| m.get("BytesAllocatedPerOperation"))
        .and_then(Value::as_f64)
    {
        let allocated = Metric {
            benchmark: name,
            metric: "allocated",
            labels,
            unit: "B",
            direction: Direction::LowerIsBetter,
        };
        out.sample(
            &allocated,
            bytes,
            format!("{at}/Memory/BytesAllocatedPerOperation"),
        );
    }
    let metrics = bench
        .get("Metrics")
        .and_then(Value::as_array)
        .map(Vec::as_slice);
    for (j, m) in metrics.unwrap_or_default().iter().enumerate() {
        let descriptor = &m["Descriptor"];
        let Some(id) = descriptor.get("Id").and_then(Value::as_str) else {
            continue;
        };
        let Some(value) = m.get("Value").and_then(Value::as_f64) else {
            continue;
        };
        if id == ALLOCATED_ID {
            continue;
        }
        let direction = match descriptor
            .get("TheGreaterTheBetter")
            .and_then(Value::as_bool)
        {
            Some(true) => Direction::HigherIsBetter,
            Some(false) => Direction::LowerIsBetter,
            None => Direction::Neutral,
        };
        let unit = descriptor
            .get("Unit")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let metric = Metric {
            benchmark: name,
            metric: id,
            labels,
            unit,
            direction,
        };
        out.sample(&metric, value, format!("{at}/Metrics/{j}"));
    }
}
