//! llama.cpp `llama-bench -o json` (an array of rows) and `-o jsonl` (one row per line).
//! Rows carry no name: the benchmark is the model (its file stem, else `model_type`) plus the
//! test built from `n_prompt`/`n_gen`/`n_depth` (`pp512`, `tg128`, `pp512+tg128`,
//! `pp512@d4096`). Run parameters become labels; build and timing fields never do, so the same
//! configuration run by two llama.cpp builds gives equal keys. Metrics: `avg_ts` (tokens/s,
//! samples from `samples_ts`) and `avg_ns` (ns, samples from `samples_ns`).
//!
//! Scripts that wrap llama-bench write its row nested under a key of their own record, beside
//! their mode, size, throughput and readings (memory, power, temperature). The nested row is
//! read as above; the wrapper's text settings (which build ran) become labels and its own
//! readings extra metrics.

use super::emit::{Emitter, Metric, Subject};
use super::json;
use crate::direction;
use crate::model::Direction::{HigherIsBetter, LowerIsBetter, Neutral};
use crate::model::Labels;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use crate::units;
use serde_json::{Map, Value};

const NAME: &str = "llama-bench";

/// Generation or prompt-processing throughput of one test.
pub const AVG_TS: Metric<'static> = Metric::new("avg_ts", "tokens/s", HigherIsBetter);
/// Wall time of one test repetition.
const AVG_NS: Metric<'static> = Metric::new("avg_ns", "ns", LowerIsBetter);

/// Run parameters kept as labels, with llama-bench's default value. A parameter without a
/// default is always kept; one with a default only when it differs from it, so that fields
/// newer llama-bench versions add (at their default) do not change the key.
const PARAMETERS: &[(&str, Option<&str>)] = &[
    ("backends", None),
    ("n_threads", None),
    ("n_gpu_layers", None),
    ("n_batch", None),
    ("n_ubatch", None),
    ("type_k", None),
    ("type_v", None),
    ("flash_attn", None),
    ("split_mode", Some("layer")),
    ("main_gpu", Some("0")),
    ("no_kv_offload", Some("false")),
    ("use_mmap", Some("true")),
    ("embeddings", Some("false")),
    ("n_cpu_moe", Some("0")),
    ("devices", Some("auto")),
    ("tensor_split", Some("0.00")),
    ("tensor_buft_overrides", Some("none")),
    ("cpu_mask", Some("0x0")),
    ("cpu_strict", Some("false")),
    ("poll", Some("50")),
    ("no_op_offload", Some("0")),
    ("no_host", Some("false")),
    ("defrag_thold", Some("-1")),
];

pub struct LlamaBench;

impl Adapter for LlamaBench {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        let text = input.text;
        let signature = ["\"avg_ts\"", "\"n_prompt\"", "\"n_gen\""];
        if json::looks_like_json(text) && signature.iter().all(|s| text.contains(s)) {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let stream = json::stream(input.text);
        let mut out = Emitter::new(input, NAME);
        for (outer, at) in stream.objects() {
            let (row, wrapper) = match nested_record(outer) {
                Some((key, row)) => (row, Some((key, outer))),
                None => (outer, None),
            };
            let Some(test) = test_of(row) else {
                out.warn(format!(
                    "{at}: no test size (n_prompt/n_gen are missing or both 0); row skipped"
                ));
                continue;
            };
            let mut subject = Subject {
                benchmark: format!("{} {test}", model_of(row)),
                labels: labels_of(row),
            };
            if let Some((key, wrapper)) = wrapper {
                wrapper_labels(wrapper, key, &mut subject.labels);
                wrapper_metrics(&mut out, &subject, wrapper, key, &at);
            }
            emit_metric(&mut out, &subject, row, AVG_TS, "avg_ts", "samples_ts", &at);
            emit_metric(&mut out, &subject, row, AVG_NS, "avg_ns", "samples_ns", &at);
        }
        if let Some(summary) = stream.skipped_summary() {
            out.warn(summary);
        }
        out.finish()
    }
}

/// The llama-bench record a wrapper script nested under a key of its own record (`{"mode":
/// "pp", "value": 512, "tokens_per_sec": 49.2, "bench_raw": {llama-bench row}}`), with that
/// key; `None` for a plain llama-bench row.
fn nested_record(row: &Map<String, Value>) -> Option<(&str, &Map<String, Value>)> {
    if row.contains_key("avg_ts") {
        return None;
    }
    row.iter().find_map(|(key, value)| {
        let inner = value.as_object()?;
        (inner.contains_key("avg_ts")
            && (inner.contains_key("n_prompt") || inner.contains_key("n_gen")))
        .then_some((key.as_str(), inner))
    })
}

/// The wrapper's text fields (the build, extra flags) are settings: labels, so that runs of
/// two builds stay apart. Empty ones, timestamps and the `mode` the test name already
/// holds are not.
fn wrapper_labels(wrapper: &Map<String, Value>, nested: &str, labels: &mut Labels) {
    for (field, value) in wrapper {
        let Value::String(text) = value else {
            continue;
        };
        if field == nested || field == "mode" || text.is_empty() || direction::is_bookkeeping(field)
        {
            continue;
        }
        labels.insert(field.clone(), text.clone());
    }
}

/// The wrapper's own measurements beside the record (peak memory, power, temperature, wall
/// time), with the unit and direction their names give. Its copy of the throughput
/// (`tokens_per_sec`), the test size (`value`) and readings taken before the run
/// (`*_start_*`) are not measurements of the run.
fn wrapper_metrics(
    out: &mut Emitter,
    subject: &Subject,
    wrapper: &Map<String, Value>,
    nested: &str,
    at: &str,
) {
    for (field, value) in wrapper {
        let Some(number) = value.as_f64() else {
            continue;
        };
        let redundant = ["value", "tokens_per_sec", "tokens_per_second"].contains(&field.as_str());
        if field == nested
            || redundant
            || field.contains("start")
            || direction::is_bookkeeping(field)
            || direction::is_parameter(field)
        {
            continue;
        }
        let unit = units::unit_from_name(field);
        let direction = direction::infer(field, unit);
        if direction == Neutral {
            continue;
        }
        out.value(subject, Metric::new(field, unit, direction), number, at);
    }
}

/// The test name llama-bench prints, without spaces: `pp512`, `tg128`, `pp512+tg128`,
/// `pp512@d4096`. `None` when the row runs no test.
pub fn test_name(n_prompt: u64, n_gen: u64, n_depth: u64) -> Option<String> {
    let base = match (n_prompt, n_gen) {
        (0, 0) => return None,
        (p, 0) => format!("pp{p}"),
        (0, g) => format!("tg{g}"),
        (p, g) => format!("pp{p}+tg{g}"),
    };
    Some(if n_depth > 0 {
        format!("{base}@d{n_depth}")
    } else {
        base
    })
}

fn test_of(row: &Map<String, Value>) -> Option<String> {
    let int = |field: &str| row.get(field).and_then(Value::as_u64);
    test_name(
        int("n_prompt").unwrap_or(0),
        int("n_gen").unwrap_or(0),
        int("n_depth").unwrap_or(0),
    )
}

/// The model file name without directory and `.gguf`, else the model type.
fn model_of(row: &Map<String, Value>) -> String {
    let file = row
        .get("model_filename")
        .and_then(Value::as_str)
        .and_then(|path| path.rsplit(['/', '\\']).next())
        .map(|name| {
            let lower = name.to_ascii_lowercase();
            match lower.strip_suffix(".gguf") {
                Some(stem) => name[..stem.len()].to_string(),
                None => name.to_string(),
            }
        })
        .filter(|name| !name.is_empty());
    file.or_else(|| {
        row.get("model_type")
            .and_then(Value::as_str)
            .map(str::to_string)
    })
    .unwrap_or_else(|| "model".to_string())
}

fn labels_of(row: &Map<String, Value>) -> Labels {
    let mut labels = Labels::new();
    for (field, default) in PARAMETERS {
        let Some(value) = row.get(*field) else {
            continue;
        };
        if default.is_some_and(|d| is_default(value, d)) {
            continue;
        }
        if let Some(text) = json::scalar_text(value) {
            labels.insert((*field).to_string(), text);
        }
    }
    labels
}

fn is_default(value: &Value, default: &str) -> bool {
    match value {
        Value::Null => true,
        Value::Number(n) => n.as_f64() == default.parse::<f64>().ok(),
        Value::Bool(b) => b.to_string() == default,
        Value::String(s) => s == default,
        _ => false,
    }
}

/// Emits `metric` from the per-repetition samples when the row has them, else from the
/// average. Zero or missing values are failed runs.
fn emit_metric(
    out: &mut Emitter,
    subject: &Subject,
    row: &Map<String, Value>,
    metric: Metric,
    average: &str,
    samples: &str,
    at: &str,
) {
    let values = json::numbers(row.get(samples))
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| vec![json::number(row.get(average)).unwrap_or(f64::NAN)]);
    let values: Vec<f64> = values
        .into_iter()
        .map(|v| if v > 0.0 { v } else { f64::NAN })
        .collect();
    out.values(subject, metric, &values, at);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_names_follow_llama_bench() {
        assert_eq!(test_name(512, 0, 0).as_deref(), Some("pp512"));
        assert_eq!(test_name(0, 128, 0).as_deref(), Some("tg128"));
        assert_eq!(test_name(512, 128, 0).as_deref(), Some("pp512+tg128"));
        assert_eq!(test_name(512, 0, 4096).as_deref(), Some("pp512@d4096"));
        assert_eq!(test_name(0, 0, 4096), None);
    }

    #[test]
    fn default_parameters_are_not_labels() {
        let row: Map<String, Value> = serde_json::from_str(
            r#"{"n_threads": 8, "use_mmap": true, "defrag_thold": -1.000000, "poll": 0,
                "build_commit": "abc", "test_time": "2025-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        let labels = labels_of(&row);
        assert_eq!(labels.get("n_threads"), Some("8"));
        assert_eq!(labels.get("poll"), Some("0"));
        assert!(!labels.contains_key("use_mmap"));
        assert!(!labels.contains_key("defrag_thold"));
        assert!(!labels.contains_key("build_commit"));
    }
}
