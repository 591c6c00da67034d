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
//!
//! Each record is read into the few fields its series are made of, without a JSON tree of
//! the rest; only a record without `avg_ts` (a wrapper's, whose every field counts) is read
//! as a whole JSON value.

use super::emit::{Emitter, Metric, Subject};
use super::json;
use crate::direction;
use crate::model::Direction::{HigherIsBetter, LowerIsBetter, Neutral};
use crate::model::Labels;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use crate::units;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

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
        let text = json::prepare(input.text);
        let mut out = Emitter::new(input, NAME);
        let errors = json::read(&text, |doc: json::Doc<json::Objects<Row>>| {
            let rows = doc.value.located(doc.line);
            if rows.iter().all(|(row, _)| row.avg_ts.is_some()) {
                for (row, at) in &rows {
                    read_row(&mut out, row, None, at);
                }
            } else if let Some(value) = json::value_at(&text, doc.offset) {
                // An object without `avg_ts` may be a wrapper's record, whose every field
                // counts: read as a JSON value.
                read_value(&mut out, &value, doc.line);
            }
        });
        if let Some(summary) = json::skipped_summary(&errors) {
            out.warn(summary);
        }
        out.finish()
    }
}

/// The fields of a llama-bench row that its series are made of, each as its JSON value; a
/// row's other fields are read past without being kept.
#[derive(Debug, Default)]
struct Row {
    avg_ts: Option<Value>,
    avg_ns: Option<Value>,
    samples_ts: Option<Value>,
    samples_ns: Option<Value>,
    n_prompt: Option<Value>,
    n_gen: Option<Value>,
    n_depth: Option<Value>,
    model_filename: Option<Value>,
    model_type: Option<Value>,
    /// The values of [`PARAMETERS`], in their order.
    parameters: [Option<Value>; PARAMETERS.len()],
}

impl Row {
    /// Where the value of `field` is kept; `None` for a field no series is made of.
    fn slot(&mut self, field: &str) -> Option<&mut Option<Value>> {
        Some(match field {
            "avg_ts" => &mut self.avg_ts,
            "avg_ns" => &mut self.avg_ns,
            "samples_ts" => &mut self.samples_ts,
            "samples_ns" => &mut self.samples_ns,
            "n_prompt" => &mut self.n_prompt,
            "n_gen" => &mut self.n_gen,
            "n_depth" => &mut self.n_depth,
            "model_filename" => &mut self.model_filename,
            "model_type" => &mut self.model_type,
            _ => {
                let i = PARAMETERS.iter().position(|(name, _)| *name == field)?;
                self.parameters.get_mut(i)?
            }
        })
    }

    /// The row of an object already read as a JSON value.
    fn from_map(map: &Map<String, Value>) -> Row {
        let mut row = Row::default();
        for (field, value) in map {
            if let Some(slot) = row.slot(field) {
                *slot = Some(value.clone());
            }
        }
        row
    }
}

impl<'de> Deserialize<'de> for Row {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(RowVisitor)
    }
}

struct RowVisitor;

impl<'de> Visitor<'de> for RowVisitor {
    type Value = Row;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a llama-bench row")
    }

    /// A field given twice keeps its last value, as in a JSON object read as a [`Value`].
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Row, A::Error> {
        let mut row = Row::default();
        while let Some(json::Key(field)) = map.next_key()? {
            match row.slot(&field) {
                Some(slot) => *slot = Some(map.next_value()?),
                None => {
                    map.next_value::<json::Skip>()?;
                }
            }
        }
        Ok(row)
    }
}

/// Reads the objects of a JSON value found at `line`: llama-bench rows, or wrapper records
/// with a row nested inside.
fn read_value(out: &mut Emitter, value: &Value, line: usize) {
    for (outer, at) in json::objects_of(value, line) {
        match nested_record(outer) {
            Some((key, row)) => read_row(out, &Row::from_map(row), Some((key, outer)), &at),
            None => read_row(out, &Row::from_map(outer), None, &at),
        }
    }
}

/// Emits the series of one row found at `at`, nested under `key` of a wrapper's record when
/// `wrapper` is `Some((key, record))`.
fn read_row(out: &mut Emitter, row: &Row, wrapper: Option<(&str, &Map<String, Value>)>, at: &str) {
    let Some(test) = test_of(row) else {
        out.warn(format!(
            "{at}: no test size (n_prompt/n_gen are missing or both 0); row skipped"
        ));
        return;
    };
    let mut subject = Subject {
        benchmark: format!("{} {test}", model_of(row)),
        labels: labels_of(row),
    };
    if let Some((key, wrapper)) = wrapper {
        wrapper_labels(wrapper, key, &mut subject.labels);
        wrapper_metrics(out, &subject, wrapper, key, at);
    }
    let (ts, ns) = (row.samples_ts.as_ref(), row.samples_ns.as_ref());
    emit_metric(out, &subject, AVG_TS, row.avg_ts.as_ref(), ts, at);
    emit_metric(out, &subject, AVG_NS, row.avg_ns.as_ref(), ns, at);
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

fn test_of(row: &Row) -> Option<String> {
    let int = |value: &Option<Value>| value.as_ref().and_then(Value::as_u64).unwrap_or(0);
    test_name(int(&row.n_prompt), int(&row.n_gen), int(&row.n_depth))
}

/// The model file name without directory and `.gguf`, else the model type.
fn model_of(row: &Row) -> String {
    let file = row
        .model_filename
        .as_ref()
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
        row.model_type
            .as_ref()
            .and_then(Value::as_str)
            .map(str::to_string)
    })
    .unwrap_or_else(|| "model".to_string())
}

fn labels_of(row: &Row) -> Labels {
    let mut labels = Labels::new();
    for ((field, default), value) in PARAMETERS.iter().zip(&row.parameters) {
        let Some(value) = value else {
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

/// Emits `metric` from the per-repetition `samples` when the row has them, else from the
/// `average`. Zero or missing values are failed runs.
fn emit_metric(
    out: &mut Emitter,
    subject: &Subject,
    metric: Metric,
    average: Option<&Value>,
    samples: Option<&Value>,
    at: &str,
) {
    let values = json::numbers(samples)
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| vec![json::number(average).unwrap_or(f64::NAN)]);
    let values: Vec<f64> = values
        .into_iter()
        .map(|v| if v > 0.0 { v } else { f64::NAN })
        .collect();
    out.values(subject, metric, &values, at);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The file read the general way: every record as a JSON value.
    fn parse_as_values(input: &Input) -> Result<Parsed, ParseError> {
        let stream = json::stream(input.text);
        let mut out = Emitter::new(input, NAME);
        for doc in &stream.docs {
            read_value(&mut out, &doc.value, doc.line);
        }
        if let Some(summary) = stream.skipped_summary() {
            out.warn(summary);
        }
        out.finish()
    }

    /// A field of a row, a wrapper's record or anything between: known fields with values of
    /// every JSON type, unknown ones, repeated and escaped keys.
    fn field() -> impl Strategy<Value = String> {
        let key = prop_oneof![
            Just("avg_ts"),
            Just("avg_ns"),
            Just("samples_ts"),
            Just("samples_ns"),
            Just("n_prompt"),
            Just("n_gen"),
            Just("n_depth"),
            Just("model_filename"),
            Just("model_type"),
            Just("n_threads"),
            Just("use_mmap"),
            Just("poll"),
            Just("defrag_thold"),
            Just("split_mode"),
            Just("build_commit"),
            Just("avg\\u005fts"),
            Just("mode"),
            Just("power_w"),
        ];
        let value = prop_oneof![
            Just("512".to_string()),
            Just("0".to_string()),
            Just("-1".to_string()),
            Just("-1.000000".to_string()),
            Just("49.25".to_string()),
            Just("NaN".to_string()),
            Just("null".to_string()),
            Just("true".to_string()),
            Just("\"layer\"".to_string()),
            Just("\"/m/q\\u00e9.GGUF\"".to_string()),
            Just("[5141.84, 0, \"x\", [1]]".to_string()),
            Just("[]".to_string()),
            Just("{\"avg_ts\": 3.5, \"n_gen\": 128, \"samples_ts\": [3.4, 3.6]}".to_string()),
            Just("{\"n_prompt\": 512}".to_string()),
        ];
        (key, value).prop_map(|(k, v)| format!("\"{k}\": {v}"))
    }

    /// An object, most often with a test size so that its other fields count.
    fn object() -> impl Strategy<Value = String> {
        let size = prop_oneof![3 => Just("\"n_gen\": 128, "), 1 => Just("")];
        (size, prop::collection::vec(field(), 0..10))
            .prop_map(|(size, fields)| format!("{{{size}{}}}", fields.join(", ")))
    }

    fn record() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => object(),
            1 => prop::collection::vec(prop_oneof![object(), Just("7".to_string())], 0..3)
                .prop_map(|items| format!("[{}]", items.join(", "))),
            1 => Just("[DEBUG] run 3".to_string()),
            1 => Just("{\"avg_ts\": [1, 2".to_string()),
            1 => Just("{\"n_gen\": 128, \"build_number\": 1e400}".to_string()),
            1 => Just("\"text\"".to_string()),
        ]
    }

    proptest! {
        #[test]
        fn rows_read_as_when_read_as_values(records in prop::collection::vec(record(), 0..6)) {
            let text = records.join("\n");
            let input = Input { path: "runs/q4.jsonl", text: &text };
            prop_assert_eq!(LlamaBench.parse(&input), parse_as_values(&input));
        }
    }

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
        let row: Row = serde_json::from_str(
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
