//! SGLang `python -m sglang.bench_serving --output-file` results: one JSON object per line,
//! appended run after run. Each holds request/input/output/total throughput, `duration`,
//! `completed` and `{mean,median,std,pNN}_{ttft,tpot,itl,e2e_latency}_ms` (older versions
//! write only some of them, forks add `benchmark_duration_s` and `successful_requests`).
//! The benchmark is the `backend`; the load and dataset settings are labels, so the runs of a
//! request-rate sweep stay apart. Python writes an unlimited request rate as a bare
//! `Infinity`, which is read as no value (the label is left out).

use super::emit::{Emitter, Metric, Subject};
use super::json;
use crate::model::Direction::{HigherIsBetter, LowerIsBetter};
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use regex::Regex;
use serde_json::{Map, Value};
use std::sync::LazyLock;

const NAME: &str = "sglang-serving";

/// The field only SGLang writes: output tokens counted again by the client's tokenizer.
const SIGNATURE: &str = "total_output_tokens_retokenized";

const LABELS: [&str; 7] = [
    "dataset_name",
    "request_rate",
    "max_concurrency",
    "random_input_len",
    "random_output_len",
    "random_range_ratio",
    "sharegpt_output_len",
];

pub struct SglangServing;

impl Adapter for SglangServing {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        let text = input.text;
        if json::looks_like_json(text)
            && text.contains(&format!("\"{SIGNATURE}\""))
            && text.contains("\"backend\"")
        {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let stream = json::stream(input.text);
        let mut out = Emitter::new(input, NAME);
        for (obj, at) in stream.objects() {
            if obj.contains_key(SIGNATURE) {
                run(&mut out, obj, &at);
            }
        }
        if let Some(summary) = stream.skipped_summary() {
            out.warn(summary);
        }
        out.finish()
    }
}

/// The unit and direction of a result field, `None` for settings and token totals.
fn metric(field: &str) -> Option<Metric<'_>> {
    static STAT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(mean|median|std|p\d+(\.\d+)?)_(ttft|tpot|itl|e2e_latency)_ms$")
            .expect("valid regex")
    });
    let (unit, direction) = match field {
        "request_throughput" => ("req/s", HigherIsBetter),
        "input_throughput" | "output_throughput" | "total_throughput" => {
            ("tokens/s", HigherIsBetter)
        }
        "duration" | "benchmark_duration_s" => ("s", LowerIsBetter),
        "completed" | "successful_requests" => ("", HigherIsBetter),
        f if STAT.is_match(f) => ("ms", LowerIsBetter),
        _ => return None,
    };
    Some(Metric::new(field, unit, direction))
}

fn run(out: &mut Emitter, obj: &Map<String, Value>, at: &str) {
    let backend = obj
        .get("backend")
        .and_then(Value::as_str)
        .map_or_else(|| out.file_stem(), str::to_string);
    let mut subject = Subject::new(backend);
    for label in LABELS {
        if let Some(text) = obj.get(label).and_then(json::scalar_text) {
            subject.labels.insert(label.to_string(), text);
        }
    }
    let nothing_completed = obj.get("completed").and_then(Value::as_u64) == Some(0);
    for (field, value) in obj {
        let Some(metric) = metric(field) else {
            continue;
        };
        if nothing_completed && field != "completed" {
            out.failures(&subject, metric, 1, at);
        } else if !value.is_null() {
            out.value(
                &subject,
                metric,
                json::number(Some(value)).unwrap_or(f64::NAN),
                at,
            );
        }
    }
}
