//! NVIDIA GenAI-Perf and AIPerf summary exports (`profile_export_genai_perf.json`,
//! `profile_export_aiperf.json`, or `<name>_genai_perf.json` for a custom export name).
//!
//! The file is one object whose metric entries are `{"unit": "ms", "avg": …, "p50": …,
//! "p99": …, "min": …, "max": …, "std": …}` (throughputs carry only `avg`); the run's
//! settings sit under `input_config`. Every statistic the CSV export prints becomes a metric
//! named `<stat>_<metric>` (`avg_time_to_first_token`, `p99_request_latency`) in the unit
//! the file states; `count` and `sum` are bookkeeping and are left out. Rates (`…/sec`) are
//! higher-is-better, times lower-is-better, and counts neutral unless they count errors.
//!
//! The benchmark is the model named in `input_config`, else the file name; the concurrency
//! or request rate of the run is a label, so the points of a sweep stay apart.

use super::emit::{Emitter, Metric, Subject};
use super::json;
use crate::model::Direction::{self, HigherIsBetter, LowerIsBetter, Neutral};
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use serde_json::{Map, Value};

const NAME: &str = "genai-perf";

/// The statistics read from each metric entry, in the order of the CSV export.
const STATS: [&str; 13] = [
    "avg", "min", "max", "p99", "p95", "p90", "p75", "p50", "p25", "p10", "p5", "p1", "std",
];

pub struct GenaiPerf;

impl Adapter for GenaiPerf {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        let text = input.text;
        if !json::looks_like_json(text)
            || !text.contains("\"request_throughput\"")
            || !text.contains("\"unit\"")
        {
            return Confidence::No;
        }
        match parse_object(text) {
            Some(doc) if is_export(&doc) => Confidence::Certain,
            _ => Confidence::No,
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let doc = parse_object(input.text).ok_or_else(|| ParseError::Malformed {
            format: NAME,
            reason: "not a JSON object".into(),
        })?;
        let mut out = Emitter::new(input, NAME);
        let subject = subject(&doc, &out);
        for (key, entry) in &doc {
            let Some(entry) = entry.as_object() else {
                continue;
            };
            let Some(unit) = entry.get("unit").and_then(Value::as_str) else {
                continue;
            };
            let (unit, direction) = unit_and_direction(key, unit);
            for stat in STATS {
                let Some(v) = entry.get(stat) else {
                    continue;
                };
                let at = format!("/{key}/{stat}");
                let name = format!("{stat}_{key}");
                let metric = Metric::new(&name, &unit, direction);
                match json::number(Some(v)) {
                    Some(v) => out.value(&subject, metric, v, &at),
                    // A statistic the tool could not compute (`null`) is no measurement.
                    None if v.is_null() => {}
                    None => out.warn(format!("{at}: not a number, ignored")),
                }
            }
        }
        out.finish()
    }
}

fn parse_object(text: &str) -> Option<Map<String, Value>> {
    match serde_json::from_str(text.trim_start_matches('\u{feff}')) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// A summary export: `request_throughput` is a `{unit, avg}` entry.
fn is_export(doc: &Map<String, Value>) -> bool {
    doc.get("request_throughput")
        .and_then(Value::as_object)
        .is_some_and(|e| e.get("unit").is_some_and(Value::is_string) && e.contains_key("avg"))
}

/// The model and the load setting of the run.
fn subject(doc: &Map<String, Value>, out: &Emitter) -> Subject {
    let config = doc.get("input_config");
    let pointer = |p: &str| config.and_then(|c| c.pointer(p));
    let model = [
        "/model_names/0",
        "/models/items/0/name",
        "/model/0",
        "/model",
    ]
    .iter()
    .find_map(|p| pointer(p).and_then(Value::as_str))
    .filter(|m| !m.is_empty());
    let mut subject = Subject::new(model.map_or_else(|| out.file_stem(), str::to_string));
    for (label, value) in load_settings(config) {
        subject.labels.insert(label.to_string(), value);
    }
    subject
}

/// `concurrency` or `request_rate` as GenAI-Perf (`perf_analyzer.stimulus`, or top-level
/// keys in older versions) and AIPerf (the profiling phase) record them.
fn load_settings(config: Option<&Value>) -> Vec<(&'static str, String)> {
    let Some(config) = config else {
        return Vec::new();
    };
    let profiling = config
        .get("phases")
        .and_then(Value::as_array)
        .and_then(|phases| {
            phases
                .iter()
                .find(|p| p.get("name").and_then(Value::as_str) == Some("profiling"))
        });
    let places = [
        config.pointer("/perf_analyzer/stimulus"),
        profiling,
        Some(config),
        config.get("loadgen"),
    ];
    for place in places.into_iter().flatten() {
        let found: Vec<(&'static str, String)> = ["concurrency", "request_rate"]
            .into_iter()
            .filter_map(|k| {
                place
                    .get(k)
                    .filter(|v| v.is_number())
                    .and_then(json::scalar_text)
                    .map(|v| (k, v))
            })
            .collect();
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
}

/// The canonical unit of an entry and which way is better, from the unit the file states
/// and, for counts, the metric's name.
fn unit_and_direction(key: &str, unit: &str) -> (String, Direction) {
    let counts_errors = key.contains("error");
    let (unit, direction) = match unit {
        "requests/sec" => ("req/s", HigherIsBetter),
        "tokens/sec" => ("tokens/s", HigherIsBetter),
        "tokens/sec/user" => ("tokens/s/user", HigherIsBetter),
        "ms" | "ns" | "s" => (unit, LowerIsBetter),
        "sec" => ("s", LowerIsBetter),
        _ if unit.contains("/sec") => return (unit.replace("/sec", "/s"), HigherIsBetter),
        "requests" | "count" | "ratio" => (
            "",
            if counts_errors {
                LowerIsBetter
            } else {
                Neutral
            },
        ),
        _ if counts_errors => (unit, LowerIsBetter),
        _ => (unit, Neutral),
    };
    (unit.to_string(), direction)
}
