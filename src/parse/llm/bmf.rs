//! The Bencher Metric Format: `{benchmark: {measure: {value, lower_value?, upper_value?}}}`.
//! Each measure is a metric; `value` is the sample (the bounds are not measurements).
//! Bencher's built-in measures have fixed units and directions; other measure names go
//! through [`crate::direction::infer`].

use super::emit::{Emitter, Metric, Subject};
use super::json;
use crate::direction;
use crate::model::Direction::{self, HigherIsBetter, LowerIsBetter};
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use serde_json::{Map, Value};

const NAME: &str = "bencher-bmf";

/// Keys a measure object may have.
const MEASURE_KEYS: [&str; 3] = ["value", "lower_value", "upper_value"];

/// Bencher's built-in measures (by slug) with their unit and direction.
const BUILT_IN: &[(&str, &str, Direction)] = &[
    ("latency", "ns", LowerIsBetter),
    ("throughput", "ops/s", HigherIsBetter),
    ("file-size", "B", LowerIsBetter),
    ("build-time", "s", LowerIsBetter),
    ("instructions", "", LowerIsBetter),
    ("cycles", "", LowerIsBetter),
    ("estimated-cycles", "", LowerIsBetter),
    ("l1-accesses", "", LowerIsBetter),
    ("l2-accesses", "", LowerIsBetter),
    ("ram-accesses", "", LowerIsBetter),
    ("total-accesses", "", LowerIsBetter),
    ("total-read-write", "", LowerIsBetter),
];

pub struct Bmf;

impl Adapter for Bmf {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        let text = input.text;
        if !text.trim_start().starts_with('{') || !text.contains("\"value\"") {
            return Confidence::No;
        }
        let stream = json::stream(text);
        match stream.docs.as_slice() {
            [doc] if is_report(&doc.value) => Confidence::Certain,
            _ => Confidence::No,
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let stream = json::stream(input.text);
        let mut out = Emitter::new(input, NAME);
        for (report, at) in stream.objects() {
            for (benchmark, measures) in report {
                let Some(measures) = measures.as_object() else {
                    out.warn(format!("{at}: `{benchmark}` is not an object of measures"));
                    continue;
                };
                let subject = Subject::new(benchmark);
                for (measure, result) in measures {
                    let value = json::number(result.get("value")).unwrap_or(f64::NAN);
                    let (unit, direction) = measure_kind(measure);
                    let at = format!("{at}, /{benchmark}/{measure}");
                    out.value(&subject, Metric::new(measure, unit, direction), value, &at);
                }
            }
        }
        if let Some(summary) = stream.skipped_summary() {
            out.warn(summary);
        }
        out.finish()
    }
}

/// The unit and direction of a measure: built-in slugs, dhat's byte and block counts, else
/// inferred from the name.
fn measure_kind(measure: &str) -> (&'static str, Direction) {
    if let Some((_, unit, direction)) = BUILT_IN.iter().find(|(slug, _, _)| *slug == measure) {
        return (unit, *direction);
    }
    let lower = measure.to_ascii_lowercase();
    if lower.ends_with("bytes") {
        ("B", LowerIsBetter)
    } else if lower.ends_with("blocks") {
        ("blocks", LowerIsBetter)
    } else {
        ("", direction::infer(measure, ""))
    }
}

/// True when `value` has the BMF shape all the way down.
fn is_report(value: &Value) -> bool {
    let Some(report) = value.as_object() else {
        return false;
    };
    !report.is_empty()
        && report.values().all(|measures| {
            measures
                .as_object()
                .is_some_and(|m| !m.is_empty() && m.values().all(is_measure))
        })
}

fn is_measure(value: &Value) -> bool {
    value.as_object().is_some_and(|m: &Map<String, Value>| {
        m.get("value").is_some_and(Value::is_number)
            && m.keys().all(|k| MEASURE_KEYS.contains(&k.as_str()))
    })
}
