//! Adapters for the Chimeraforge benchmark schemas whose generic JSON reading would be wrong:
//! compilation reports (one benchmark per backend, failed compilations), timing baselines
//! (per-run percentiles as samples) and multi-agent metrics and summaries (per-agent calls
//! as samples, per-run concurrency figures, no LLM-written numbers).

pub mod compilation;
pub mod multi_agent;
pub mod timing_baseline;

use super::generic::sink::{number_label, Reading, SeriesSink};
use super::{Adapter, Input};
use crate::direction;
use crate::model::Labels;
use crate::units;
use serde_json::{Map, Value};

/// The adapters of this family, in detection priority order.
pub static ADAPTERS: &[&dyn Adapter] = &[
    &compilation::Compilation,
    &timing_baseline::TimingBaseline,
    &multi_agent::AgentMetrics,
    &multi_agent::AgentSummary,
];

/// The JSON object at the root of a `.json` input whose text mentions every one of
/// `needles` (a cheap check before parsing).
fn json_object(input: &Input, needles: &[&str]) -> Option<Map<String, Value>> {
    if input.extension() != "json" || !needles.iter().all(|n| input.text.contains(n)) {
        return None;
    }
    match serde_json::from_str::<Value>(input.text) {
        Ok(Value::Object(obj)) => Some(obj),
        _ => None,
    }
}

/// Records every numeric field of `obj` (bookkeeping fields and settings excluded) as a
/// reading of `benchmark`, the metric named `prefix` + field, its unit read from the name.
fn record_numbers(
    sink: &mut SeriesSink,
    obj: &Map<String, Value>,
    benchmark: &str,
    labels: &Labels,
    prefix: &str,
    pointer: &str,
    failed: bool,
) {
    for (key, value) in obj {
        if direction::is_bookkeeping(key) || direction::is_parameter(key) {
            continue;
        }
        let reading = match value {
            Value::Number(n) => match n.as_f64() {
                Some(_) if failed => Reading::Failed,
                Some(v) => Reading::Value(v),
                None => continue,
            },
            Value::Null if failed => Reading::Failed,
            _ => continue,
        };
        let metric = format!("{prefix}{key}");
        let unit = units::unit_from_name(&metric);
        let dir = direction::infer(&metric, unit);
        let at = format!("{pointer}/{key}");
        sink.record(benchmark, &metric, labels, unit, dir, reading, &at);
    }
}

/// Run settings (`num_gpu`, `temperature`, ...) of an options object as labels.
fn settings_labels(options: Option<&Value>) -> Labels {
    let mut labels = Labels::new();
    if let Some(Value::Object(obj)) = options {
        for (key, value) in obj {
            if !direction::is_parameter(key) {
                continue;
            }
            let text = match value {
                Value::Number(n) => n.as_f64().map(number_label),
                Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
                Value::Bool(b) => Some(b.to_string()),
                _ => None,
            };
            if let Some(text) = text {
                labels.insert(key.clone(), text);
            }
        }
    }
    labels
}

/// True when a JSON object records a failure (`success: false`, non-empty `error`).
fn failed(obj: &Map<String, Value>) -> bool {
    matches!(obj.get("success"), Some(Value::Bool(false)))
        || matches!(obj.get("ok"), Some(Value::Bool(false)))
        || matches!(obj.get("error"), Some(Value::String(s)) if !s.trim().is_empty())
}
