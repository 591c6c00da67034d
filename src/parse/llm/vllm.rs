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
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
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
        match Run::read(input.text) {
            Some((run, at)) => parse_run(input, run, &at),
            None => parse_stream(input),
        }
    }
}

/// A file with a single result, read by [`Run::read`].
fn parse_run(input: &Input, run: Run, at: &str) -> Result<Parsed, ParseError> {
    let mut out = Emitter::new(input, SERVING);
    if run.fields.contains_key("request_throughput") {
        let means = run
            .itls
            .map(|all| all.iter().map(|g| mean_gap(g)).collect());
        serving_run(&mut out, &run.fields, means, at);
    }
    out.finish()
}

/// Any file: a stream of results (`--append-result`), arrays of them, damaged fragments.
fn parse_stream(input: &Input) -> Result<Parsed, ParseError> {
    let stream = json::stream(input.text);
    let mut out = Emitter::new(input, SERVING);
    for (obj, at) in stream.objects() {
        if !obj.contains_key("request_throughput") {
            continue;
        }
        let means = obj.get("itls").and_then(Value::as_array).map(|all| {
            all.iter()
                .map(|v| json::numbers(Some(v)).and_then(|g| mean_gap(&g)))
                .collect()
        });
        serving_run(&mut out, obj, means, &at);
    }
    if let Some(summary) = stream.skipped_summary() {
        out.warn(summary);
    }
    out.finish()
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

/// One serving result: `obj` without its `itls`, whose per-request means (of the requests
/// that have gaps) are `itl_means`.
fn serving_run(
    out: &mut Emitter,
    obj: &Map<String, Value>,
    itl_means: Option<Vec<Option<f64>>>,
    at: &str,
) {
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
    per_request(out, &subject, obj, itl_means.as_deref(), at);
}

/// Per-request samples from `ttfts`, `errors` and the mean gaps of `itls`.
fn per_request(
    out: &mut Emitter,
    subject: &Subject,
    obj: &Map<String, Value>,
    itls: Option<&[Option<f64>]>,
    at: &str,
) {
    let array = |field: &str| obj.get(field).and_then(Value::as_array);
    let Some(ttfts) = array("ttfts") else {
        return;
    };
    let errors = array("errors");
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
        if let Some(mean) = itls.and_then(|all| all.get(i)).copied().flatten() {
            itl_ms.push(mean * 1e3);
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

/// The mean of one request's inter-token gaps, if it has any.
fn mean_gap(gaps: &[f64]) -> Option<f64> {
    (!gaps.is_empty()).then(|| gaps.iter().sum::<f64>() / gaps.len() as f64)
}

/// A file holding exactly one serving result object, read in one pass: `itls` as plain
/// numbers and `generated_texts` skipped, instead of a tree of JSON values for the
/// per-token arrays that make up most of a result's bytes. Anything else (a stream of
/// results, non-finite numbers, an `itls` that is not a list of number lists, malformed
/// JSON) is left to the general reader, which handles every case.
struct Run {
    fields: Map<String, Value>,
    itls: Option<Vec<Vec<f64>>>,
}

impl Run {
    /// The result and its locator (`line N`), or `None` when the fast path does not apply.
    fn read(text: &str) -> Option<(Run, String)> {
        let body = text.trim_start_matches('\u{feff}');
        let lead = &body[..body.len() - body.trim_start().len()];
        let run: Run = serde_json::from_str(body).ok()?;
        Some((run, format!("line {}", lead.matches('\n').count() + 1)))
    }
}

impl<'de> Deserialize<'de> for Run {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Run, D::Error> {
        deserializer.deserialize_map(RunVisitor)
    }
}

struct RunVisitor;

impl<'de> Visitor<'de> for RunVisitor {
    type Value = Run;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a vLLM serving result object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Run, A::Error> {
        let mut run = Run {
            fields: Map::new(),
            itls: None,
        };
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "itls" => run.itls = Some(map.next_value()?),
                "generated_texts" => {
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    let value: Value = map.next_value()?;
                    run.fields.insert(key, value);
                }
            }
        }
        Ok(run)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass reader gives exactly what the general reader gives, on real results.
    #[test]
    fn single_results_read_in_one_pass_match_the_general_reader() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/formats/vllm-benchmark-serving-json/surajssd__llm-k8s"
        );
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let input = Input {
                path: "results/serving.json",
                text: &text,
            };
            let (run, at) = Run::read(&text).expect("a single result object");
            let fast = parse_run(&input, run, &at).unwrap();
            let general = parse_stream(&input).unwrap();
            assert!(fast.series.iter().any(|s| s.key.metric == "itl_ms"));
            assert_eq!(fast, general, "{}", path.display());
            checked += 1;
        }
        assert_eq!(checked, 2);
    }

    #[test]
    fn streams_non_finite_numbers_and_odd_gaps_take_the_general_reader() {
        for text in [
            "{\"request_throughput\": 1}\n{\"request_throughput\": 2}",
            "{\"request_throughput\": NaN}",
            "{\"request_throughput\": 1, \"itls\": [[0.1, null]]}",
            "[{\"request_throughput\": 1}]",
        ] {
            assert!(Run::read(text).is_none(), "{text}");
        }
        let (_, at) = Run::read("\u{feff}\n\n {\"request_throughput\": 1}").unwrap();
        assert_eq!(at, "line 3");
    }
}
