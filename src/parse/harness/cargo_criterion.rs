//! cargo-criterion's machine-readable messages (`--message-format=json`): a stream of JSON
//! objects, one per line or pretty-printed. Each `"reason": "benchmark-complete"` message
//! carries the raw samples (`measured_values` over `iteration_count`), which become the
//! per-iteration times of the benchmark `id`. Other messages (`group-complete`) are skipped.

use super::builder::{malformed, SeriesBuilder};
use super::criterion::record_per_iteration;
use super::{numbers, starts_with_json};
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use serde_json::{Deserializer, Value};

pub(super) struct CargoCriterion;

const NAME: &str = "cargo-criterion";
const COMPLETE: &str = "benchmark-complete";

/// The JSON values of the stream up to the first one that does not parse.
fn messages(text: &str) -> (Vec<Value>, Option<serde_json::Error>) {
    let mut out = Vec::new();
    for item in Deserializer::from_str(text).into_iter::<Value>() {
        match item {
            Ok(v) => out.push(v),
            Err(e) => return (out, Some(e)),
        }
    }
    (out, None)
}

fn is_complete(v: &Value) -> bool {
    v.get("reason").and_then(Value::as_str) == Some(COMPLETE)
}

impl Adapter for CargoCriterion {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        if !starts_with_json(input.text, '{') || !input.text.contains(COMPLETE) {
            return Confidence::No;
        }
        let (values, _) = messages(input.text);
        if values.iter().any(is_complete) {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let (values, error) = messages(input.text);
        let mut out = SeriesBuilder::new(input, NAME);
        let mut seen = 0usize;
        for (i, msg) in values.iter().enumerate() {
            if is_complete(msg) {
                seen += 1;
                read_benchmark(msg, i + 1, &mut out);
            }
        }
        if let Some(e) = error {
            if seen == 0 {
                return Err(malformed(NAME, e));
            }
            out.warn(format!(
                "the message stream stops being JSON after {} message(s) ({e}); the rest was ignored",
                values.len()
            ));
        }
        out.finish()
    }
}

fn read_benchmark(msg: &Value, index: usize, out: &mut SeriesBuilder) {
    let at = format!("message {index}");
    let Some(id) = msg.get("id").and_then(Value::as_str) else {
        out.warn(format!("{at} has no benchmark `id`; skipped"));
        return;
    };
    let (iters, _) = numbers(&msg["iteration_count"]);
    let (values, _) = numbers(&msg["measured_values"]);
    if iters.is_empty() || iters.len() != values.len() {
        out.warn(format!(
            "{at} ({id}): `measured_values` and `iteration_count` are not equally long lists of numbers; skipped"
        ));
        return;
    }
    let unit = msg.get("unit").and_then(Value::as_str).unwrap_or("ns");
    record_per_iteration(out, id, unit, &values, &iters, &at);
}
