//! pytest-benchmark's JSON (`--benchmark-json`, `--benchmark-autosave` storage):
//! `{"machine_info", "commit_info", "benchmarks": [{name, fullname, group, params, stats}]}`.
//!
//! All times are seconds. `stats.{mean, median, min, max, stddev}` are reported as metrics
//! (lower is better) and `stats.ops` as operations per second (higher). The raw per-round
//! times in `stats.data` (present with `--benchmark-save-data`) are the samples of the
//! `time` metric. The benchmark is `fullname` (module path and test id), else `name`; `group`
//! and `params` become labels. Numeric `extra_info` entries are reported as extra metrics.

use super::builder::{malformed, Labels, Metric, SeriesBuilder};
use super::{detect_json_report, label_text, numbers, parse_json};
use crate::direction;
use crate::model::Direction;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use serde_json::Value;

pub(super) struct PytestBenchmark;

const NAME: &str = "pytest-benchmark";

/// Statistics in seconds, lower is better.
const TIME_STATS: [&str; 5] = ["mean", "median", "min", "max", "stddev"];

fn benchmarks(doc: &Value) -> Option<&Vec<Value>> {
    doc.get("benchmarks")?.as_array()
}

fn is_report(doc: &Value) -> bool {
    benchmarks(doc).is_some_and(|b| {
        !b.is_empty()
            && b.iter().all(|e| {
                e.get("name").is_some_and(Value::is_string)
                    && e.get("stats").is_some_and(|s| s.get("mean").is_some())
            })
    })
}

impl Adapter for PytestBenchmark {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        detect_json_report(input.text, '{', "\"stats\"", is_report)
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let doc = parse_json(input.text, NAME)?;
        let list = benchmarks(&doc).ok_or_else(|| malformed(NAME, "no `benchmarks` array"))?;
        let mut out = SeriesBuilder::new(input, NAME);
        for (i, bench) in list.iter().enumerate() {
            read_benchmark(bench, &format!("/benchmarks/{i}"), &mut out);
        }
        out.finish()
    }
}

fn labels_of(bench: &Value) -> Labels {
    let mut labels = Labels::new();
    if let Some(group) = bench.get("group").filter(|g| !g.is_null()) {
        labels.insert("group".to_string(), label_text(group));
    }
    if let Some(params) = bench.get("params").and_then(Value::as_object) {
        for (k, v) in params {
            labels.insert(k.clone(), label_text(v));
        }
    }
    labels
}

fn read_benchmark(bench: &Value, at: &str, out: &mut SeriesBuilder) {
    let Some(name) = bench
        .get("fullname")
        .or_else(|| bench.get("name"))
        .and_then(Value::as_str)
    else {
        out.warn(format!("{at}: a benchmark without a name was ignored"));
        return;
    };
    let labels = labels_of(bench);
    let stats = &bench["stats"];
    let seconds = |metric| Metric {
        benchmark: name,
        metric,
        labels: &labels,
        unit: "s",
        direction: Direction::LowerIsBetter,
    };
    for stat in TIME_STATS {
        if let Some(v) = stats.get(stat).and_then(Value::as_f64) {
            out.sample(&seconds(stat), v, format!("{at}/stats/{stat}"));
        }
    }
    if let Some(v) = stats.get("ops").and_then(Value::as_f64) {
        let ops = Metric {
            benchmark: name,
            metric: "ops",
            labels: &labels,
            unit: "ops/s",
            direction: Direction::HigherIsBetter,
        };
        out.sample(&ops, v, format!("{at}/stats/ops"));
    }
    let (data, skipped) = numbers(&stats["data"]);
    if skipped > 0 {
        out.warn(format!(
            "{at}/stats/data: {skipped} entr(y/ies) of {name} are not numbers and were ignored"
        ));
    }
    if !data.is_empty() {
        out.samples(&seconds("time"), data, format!("{at}/stats/data"));
    }
    if let Some(extra) = bench.get("extra_info").and_then(Value::as_object) {
        for (key, value) in extra {
            let Some(v) = value.as_f64() else { continue };
            // Parameters are not results; names of the tool's own metrics stay the tool's.
            let taken = TIME_STATS.contains(&key.as_str()) || key == "ops" || key == "time";
            if taken || direction::is_parameter(key) {
                continue;
            }
            let metric = Metric {
                benchmark: name,
                metric: key,
                labels: &labels,
                unit: "",
                direction: direction::infer(key, ""),
            };
            out.sample(&metric, v, format!("{at}/extra_info/{key}"));
        }
    }
}
