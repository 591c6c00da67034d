//! github-action-benchmark's custom format: a JSON array of `{name, unit, value, range?,
//! extra?}` (or one such object per line). The benchmark is `name` and the metric `value`.
//! The file says nothing about direction (the action's `tool:` input does), so it comes from
//! a `biggerIsBetter` field when present, else from the name and unit
//! ([`crate::direction::infer`]); users override it in config.

use super::emit::{Emitter, Metric, Subject};
use super::json;
use crate::direction;
use crate::model::Direction;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use crate::units;
use serde_json::{Map, Value};

const NAME: &str = "gab-custom";

/// Every key an entry may have.
const KEYS: [&str; 6] = ["name", "unit", "value", "range", "extra", "biggerIsBetter"];

pub struct GabCustom;

impl Adapter for GabCustom {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        let text = input.text;
        let signature = ["\"name\"", "\"unit\"", "\"value\""];
        if !json::looks_like_json(text) || !signature.iter().all(|s| text.contains(s)) {
            return Confidence::No;
        }
        let stream = json::stream(text);
        let objects = stream.objects();
        let all_entries = stream.docs.iter().all(|d| match &d.value {
            Value::Object(_) => true,
            Value::Array(items) => items.iter().all(Value::is_object),
            _ => false,
        });
        if all_entries && !objects.is_empty() && objects.iter().all(|(o, _)| is_entry(o)) {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let stream = json::stream(input.text);
        let mut out = Emitter::new(input, NAME);
        for (entry, at) in stream.objects() {
            let (Some(name), Some(unit)) = (
                entry.get("name").and_then(Value::as_str),
                entry.get("unit").and_then(Value::as_str),
            ) else {
                out.warn(format!("{at}: entry without a `name` and `unit`; skipped"));
                continue;
            };
            let unit = units::normalize_unit(unit);
            let direction = match entry.get("biggerIsBetter").and_then(Value::as_bool) {
                Some(true) => Direction::HigherIsBetter,
                Some(false) => Direction::LowerIsBetter,
                None => direction::infer(name, &unit),
            };
            let value = json::number(entry.get("value")).unwrap_or(f64::NAN);
            let metric = Metric::new("value", &unit, direction);
            out.value(&Subject::new(name), metric, value, &at);
        }
        if let Some(summary) = stream.skipped_summary() {
            out.warn(summary);
        }
        out.finish()
    }
}

fn is_entry(obj: &Map<String, Value>) -> bool {
    obj.get("name").is_some_and(Value::is_string)
        && obj.get("unit").is_some_and(Value::is_string)
        && obj.contains_key("value")
        && obj.keys().all(|k| KEYS.contains(&k.as_str()))
}
