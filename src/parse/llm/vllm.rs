//! vLLM benchmark results.
//!
//! `benchmark_serving.py` / `vllm bench serve --save-result` JSON (one object, or one per line
//! with `--append-result`): request/output/total-token throughput, `{mean,median,std,pNN}_
//! {ttft,tpot,itl,e2el}_ms`, and per-request arrays. `ttfts` (seconds) become per-request
//! `ttft_ms` samples and `itls` (seconds per token) per-request mean `itl_ms` samples; requests
//! with an `errors` entry count as failed, and `failed_requests` is `num_prompts - completed`.
//! The benchmark is `model_id`; `request_rate`, `max_concurrency`, `burstiness` and
//! `num_prompts` are labels.
//!
//! `vllm bench throughput --output-json`: `requests_per_second`, `tokens_per_second` and
//! `elapsed_time`; the file does not name the model, so the benchmark is the file name.

use super::emit::{Emitter, Metric, Subject};
use super::json;
use crate::model::Direction::{HigherIsBetter, LowerIsBetter};
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use regex::Regex;
use serde_json::{Map, Value};
use std::sync::LazyLock;

const SERVING: &str = "vllm-serving";
const THROUGHPUT: &str = "vllm-throughput";

const TTFT: Metric<'static> = Metric::new("ttft_ms", "ms", LowerIsBetter);
const ITL: Metric<'static> = Metric::new("itl_ms", "ms", LowerIsBetter);
const FAILED_REQUESTS: Metric<'static> = Metric::new("failed_requests", "", LowerIsBetter);
const LABELS: [&str; 4] = [
    "request_rate",
    "max_concurrency",
    "burstiness",
    "num_prompts",
];

pub struct VllmServing;

impl Adapter for VllmServing {
    fn name(&self) -> &'static str {
        SERVING
    }

    fn detect(&self, input: &Input) -> Confidence {
        let text = input.text;
        if json::looks_like_json(text)
            && text.contains("\"request_throughput\"")
            && (text.contains("_ttft_ms\"") || text.contains("\"output_throughput\""))
        {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let stream = json::stream(input.text);
        let mut out = Emitter::new(input, SERVING);
        for (obj, at) in stream.objects() {
            if !obj.contains_key("request_throughput") {
                continue;
            }
            serving_run(&mut out, obj, &at);
        }
        if let Some(summary) = stream.skipped_summary() {
            out.warn(summary);
        }
        out.finish()
    }
}

/// The unit and direction of a summary field of a serving result.
fn summary_metric(field: &str) -> Option<Metric<'_>> {
    static STAT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(mean|median|std|min|max|p\d+(\.\d+)?)_(ttft|tpot|itl|e2el)_ms$")
            .expect("valid regex")
    });
    let (unit, direction) = match field {
        "request_throughput" | "request_goodput" => ("req/s", HigherIsBetter),
        "output_throughput" | "total_token_throughput" | "max_output_tokens_per_s" => {
            ("tokens/s", HigherIsBetter)
        }
        "duration" => ("s", LowerIsBetter),
        f if STAT.is_match(f) => ("ms", LowerIsBetter),
        _ => return None,
    };
    Some(Metric::new(field, unit, direction))
}

fn serving_run(out: &mut Emitter, obj: &Map<String, Value>, at: &str) {
    let benchmark = ["model_id", "model"]
        .iter()
        .find_map(|k| obj.get(*k).and_then(Value::as_str))
        .map_or_else(|| out.file_stem(), str::to_string);
    let mut subject = Subject::new(benchmark);
    for label in LABELS {
        if let Some(text) = obj.get(label).and_then(json::scalar_text) {
            subject.labels.insert(label.to_string(), text);
        }
    }
    let count = |field: &str| obj.get(field).and_then(Value::as_u64);
    let completed = count("completed");
    let failed = count("failed").or_else(|| Some(count("num_prompts")?.saturating_sub(completed?)));
    if let Some(failed) = failed {
        out.value(&subject, FAILED_REQUESTS, failed as f64, at);
    }
    let nothing_completed = completed == Some(0);
    for (field, value) in obj {
        // Some vLLM versions write the goodput key as `request_goodput:`.
        let Some(metric) = summary_metric(field.trim_end_matches(':')) else {
            continue;
        };
        if nothing_completed {
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
    per_request(out, &subject, obj, at);
}

/// Per-request samples from `ttfts`, `itls` and `errors`.
fn per_request(out: &mut Emitter, subject: &Subject, obj: &Map<String, Value>, at: &str) {
    let array = |field: &str| obj.get(field).and_then(Value::as_array);
    let Some(ttfts) = array("ttfts") else {
        return;
    };
    let errors = array("errors");
    let itls = array("itls");
    let mut ttft_ms = Vec::with_capacity(ttfts.len());
    let mut itl_ms = Vec::with_capacity(ttfts.len());
    let mut failed = 0;
    for (i, ttft) in ttfts.iter().enumerate() {
        let error = errors
            .and_then(|e| e.get(i))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let ttft = ttft.as_f64().filter(|t| t.is_finite() && *t > 0.0);
        let Some(ttft) = ttft.filter(|_| error.is_empty()) else {
            failed += 1;
            continue;
        };
        ttft_ms.push(ttft * 1e3);
        let gaps = itls
            .and_then(|all| all.get(i))
            .and_then(|v| json::numbers(Some(v)))
            .unwrap_or_default();
        if !gaps.is_empty() {
            itl_ms.push(gaps.iter().sum::<f64>() / gaps.len() as f64 * 1e3);
        }
    }
    let at = format!("{at}, /ttfts");
    let mut emit = |metric: Metric, samples: &[f64]| {
        if !samples.is_empty() {
            out.values(subject, metric, samples, &at);
        }
        if failed > 0 {
            out.failures(subject, metric, failed, &at);
        }
    };
    emit(TTFT, &ttft_ms);
    if itls.is_some() {
        emit(ITL, &itl_ms);
    }
}

pub struct VllmThroughput;

const THROUGHPUT_METRICS: [Metric<'static>; 3] = [
    Metric::new("requests_per_second", "req/s", HigherIsBetter),
    Metric::new("tokens_per_second", "tokens/s", HigherIsBetter),
    Metric::new("elapsed_time", "s", LowerIsBetter),
];

impl Adapter for VllmThroughput {
    fn name(&self) -> &'static str {
        THROUGHPUT
    }

    fn detect(&self, input: &Input) -> Confidence {
        let text = input.text;
        if json::looks_like_json(text)
            && text.contains("\"requests_per_second\"")
            && text.contains("\"tokens_per_second\"")
        {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let stream = json::stream(input.text);
        let mut out = Emitter::new(input, THROUGHPUT);
        for (obj, at) in stream.objects() {
            if !obj.contains_key("requests_per_second") {
                continue;
            }
            let mut subject = Subject::new(out.file_stem());
            if let Some(n) = obj.get("num_requests").and_then(json::scalar_text) {
                subject.labels.insert("num_requests".to_string(), n);
            }
            for metric in THROUGHPUT_METRICS {
                if let Some(value) = obj.get(metric.name) {
                    let v = json::number(Some(value)).filter(|v| *v > 0.0);
                    out.value(&subject, metric, v.unwrap_or(f64::NAN), &at);
                }
            }
        }
        if let Some(summary) = stream.skipped_summary() {
            out.warn(summary);
        }
        out.finish()
    }
}
