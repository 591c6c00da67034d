//! GuideLLM benchmark reports (`guidellm benchmark --output-path benchmarks.json`).
//!
//! The report is `{metadata, args, benchmarks: [...]}`; each benchmark (`type_:
//! generative_benchmark`) ran one scheduling strategy and holds `metrics`: for every metric
//! (`requests_per_second`, `request_latency`, `time_to_first_token_ms`, ...) a distribution
//! per request status (`successful`, `errored`, `incomplete`, `total`), each with `mean`,
//! `median`, `std_dev`, `min`, `max` and `percentiles`. The successful requests' mean,
//! median, p90, p95 and p99 become metrics named `<stat>_<metric>` in the units GuideLLM
//! uses (`request_latency` in seconds, the `_ms` metrics in milliseconds, rates per second);
//! `request_totals.errored` becomes `errored_requests`.
//!
//! The benchmark is the model (`config.backend.model`, else `args.model`, else the file
//! name). The strategy is a label with its concurrency (`streams`) or request rate; in a
//! sweep the rates are measured, not chosen, so there the benchmark's position is the label.

use super::emit::{Emitter, Metric, Subject};
use super::json;
use crate::model::Direction::{self, HigherIsBetter, LowerIsBetter, Neutral};
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use serde_json::Value;

const NAME: &str = "guidellm";

/// The metrics read, with their unit and direction.
const METRICS: [(&str, &str, Direction); 15] = [
    ("requests_per_second", "req/s", HigherIsBetter),
    ("request_concurrency", "", Neutral),
    ("request_latency", "s", LowerIsBetter),
    ("time_to_first_token_ms", "ms", LowerIsBetter),
    ("time_per_output_token_ms", "ms", LowerIsBetter),
    ("inter_token_latency_ms", "ms", LowerIsBetter),
    ("prompt_tokens_per_second", "tokens/s", HigherIsBetter),
    ("output_tokens_per_second", "tokens/s", HigherIsBetter),
    ("tokens_per_second", "tokens/s", HigherIsBetter),
    ("prompt_token_count", "tokens", Neutral),
    ("output_token_count", "tokens", Neutral),
    ("total_token_count", "tokens", Neutral),
    ("request_streaming_iterations_count", "", Neutral),
    ("output_tokens_per_iteration", "tokens", Neutral),
    ("iter_tokens_per_iteration", "tokens", Neutral),
];

/// The statistics read from a distribution: (name, JSON pointer below the distribution).
const STATS: [(&str, &str); 5] = [
    ("mean", "/mean"),
    ("median", "/median"),
    ("p90", "/percentiles/p90"),
    ("p95", "/percentiles/p95"),
    ("p99", "/percentiles/p99"),
];

const ERRORED: Metric<'static> = Metric::new("errored_requests", "", LowerIsBetter);

pub struct GuideLlm;

impl Adapter for GuideLlm {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        let text = input.text;
        if !json::looks_like_json(text)
            || !text.contains("\"benchmarks\"")
            || !text.contains("generative_benchmark")
        {
            return Confidence::No;
        }
        match serde_json::from_str::<Value>(text.trim_start_matches('\u{feff}')) {
            Ok(doc) if benchmarks(&doc).is_some_and(|b| b.iter().any(is_benchmark)) => {
                Confidence::Certain
            }
            _ => Confidence::No,
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let doc: Value =
            serde_json::from_str(input.text.trim_start_matches('\u{feff}')).map_err(|e| {
                ParseError::Malformed {
                    format: NAME,
                    reason: e.to_string(),
                }
            })?;
        let list = benchmarks(&doc).ok_or_else(|| ParseError::Malformed {
            format: NAME,
            reason: "no `benchmarks` array".into(),
        })?;
        let mut out = Emitter::new(input, NAME);
        let sweep = doc.pointer("/args/profile").and_then(Value::as_str) == Some("sweep");
        let default_model = doc
            .pointer("/args/model")
            .and_then(Value::as_str)
            .map(str::to_string);
        for (i, bench) in list.iter().enumerate() {
            let at = format!("/benchmarks/{i}");
            if !is_benchmark(bench) {
                out.warn(format!("{at}: not a generative benchmark, ignored"));
                continue;
            }
            let model = bench
                .pointer("/config/backend/model")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| default_model.clone())
                .unwrap_or_else(|| out.file_stem());
            let mut subject = Subject::new(model);
            strategy_labels(bench, sweep.then_some(i), &mut subject);
            read_metrics(bench, &subject, &at, &mut out);
        }
        out.finish()
    }
}

fn benchmarks(doc: &Value) -> Option<&Vec<Value>> {
    doc.get("benchmarks")?.as_array()
}

fn is_benchmark(bench: &Value) -> bool {
    bench.get("metrics").is_some_and(Value::is_object)
        && bench.get("type_").and_then(Value::as_str) == Some("generative_benchmark")
}

/// The strategy as labels: its type, and its concurrency or rate (a sweep's position
/// instead of its measured rates).
fn strategy_labels(bench: &Value, sweep_index: Option<usize>, subject: &mut Subject) {
    let strategy = bench
        .pointer("/config/strategy")
        .or_else(|| bench.pointer("/args/strategy"));
    let Some(strategy) = strategy else {
        return;
    };
    if let Some(kind) = strategy.get("type_").and_then(Value::as_str) {
        subject.labels.insert("strategy".into(), kind.to_string());
    }
    if let Some(i) = sweep_index {
        subject.labels.insert("sweep_index".into(), i.to_string());
        return;
    }
    for key in ["streams", "rate"] {
        if let Some(v) = strategy.get(key).and_then(json::scalar_text) {
            subject.labels.insert(key.to_string(), v);
        }
    }
}

fn read_metrics(bench: &Value, subject: &Subject, at: &str, out: &mut Emitter) {
    let Some(metrics) = bench.get("metrics") else {
        return;
    };
    for (key, unit, direction) in METRICS {
        let Some(dist) = metrics.get(key).and_then(|m| m.get("successful")) else {
            continue;
        };
        if dist.get("count").and_then(Value::as_f64) == Some(0.0) {
            // No successful request measured this: its zeros are not measurements.
            continue;
        }
        for (stat, pointer) in STATS {
            if let Some(v) = json::number(dist.pointer(pointer)) {
                let name = format!("{stat}_{key}");
                let metric = Metric::new(&name, unit, direction);
                out.value(
                    subject,
                    metric,
                    v,
                    &format!("{at}/metrics/{key}/successful{pointer}"),
                );
            }
        }
    }
    if let Some(errored) = json::number(metrics.pointer("/request_totals/errored")) {
        out.value(
            subject,
            ERRORED,
            errored,
            &format!("{at}/metrics/request_totals/errored"),
        );
    }
}
