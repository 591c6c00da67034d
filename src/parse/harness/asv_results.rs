//! airspeed velocity (asv) result files, `results/<machine>/<commit>-<environment>.json`:
//! `{"commit_hash", "env_name", "params": {"machine", ...}, "results": {name: result}}`.
//! Version 1 files hold a number per benchmark, `null` (failed), `NaN` (skipped) or
//! `{"params": [[...]], "result": [...]}` for parameterised benchmarks; version 2 files hold
//! a row per benchmark whose columns `result_columns` names (`result`, `params`, ...).
//!
//! The unit follows asv's naming rules: `time_*` and `timeraw_*` benchmarks are seconds,
//! `mem_*` and `peakmem_*` bytes (all lower is better); `track_*` values carry no unit and
//! their direction comes from the name. Each parameter combination is a series with a
//! `params` label (`1, 'a'`). The machine and the environment are labels. The commit
//! hash that starts the file name is dropped from the source, so that the results of two
//! commits compare.

use super::builder::{Labels, Metric, SeriesBuilder};
use super::{label_text, parse_json, starts_with_json, try_json};
use crate::direction;
use crate::model::Direction;
use crate::parse::llm::json::replace_bare_tokens;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use serde_json::Value;

pub(super) struct AsvResults;

const NAME: &str = "asv";

fn is_report(doc: &Value) -> bool {
    doc.get("results").is_some_and(Value::is_object)
        && doc.get("commit_hash").is_some_and(Value::is_string)
        && (doc.get("env_name").is_some() || doc.get("python").is_some())
}

/// Unit and direction of a benchmark from its asv type prefix.
fn kind(name: &str) -> (&'static str, Option<Direction>) {
    let last = name.rsplit('.').next().unwrap_or(name);
    if last.starts_with("time_") || last.starts_with("timeraw_") {
        ("s", Some(Direction::LowerIsBetter))
    } else if last.starts_with("mem_") || last.starts_with("peakmem_") {
        ("B", Some(Direction::LowerIsBetter))
    } else {
        ("", None)
    }
}

/// Every combination of the parameter lists, in asv's order (the last varies fastest).
fn combinations(params: &[Value]) -> Vec<String> {
    let mut out = vec![Vec::<String>::new()];
    for list in params {
        let values: Vec<String> = list
            .as_array()
            .map(|l| l.iter().map(label_text).collect())
            .unwrap_or_default();
        out = out
            .iter()
            .flat_map(|prefix| {
                values.iter().map(move |v| {
                    let mut next = prefix.clone();
                    next.push(v.clone());
                    next
                })
            })
            .collect();
    }
    out.into_iter().map(|c| c.join(", ")).collect()
}

impl Adapter for AsvResults {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        let text = input.text;
        if !starts_with_json(text, '{') || !text.contains("\"commit_hash\"") {
            return Confidence::No;
        }
        match try_json(&python_numbers(text)) {
            Some(doc) if is_report(&doc) => Confidence::Certain,
            _ => Confidence::No,
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let doc = parse_json(&python_numbers(input.text), NAME)?;
        let results = doc
            .get("results")
            .and_then(Value::as_object)
            .ok_or_else(|| super::builder::malformed(NAME, "no `results` object"))?;
        let columns: Vec<&str> = doc
            .get("result_columns")
            .and_then(Value::as_array)
            .map(|c| c.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut labels = Labels::new();
        let machine = doc.get("params").and_then(|p| p.get("machine"));
        if let Some(machine) = machine.and_then(Value::as_str) {
            labels.insert("machine".to_string(), machine.to_string());
        }
        if let Some(env) = doc.get("env_name").and_then(Value::as_str) {
            labels.insert("env".to_string(), env.to_string());
        }
        let mut out = SeriesBuilder::new(input, NAME);
        for (name, value) in results {
            let at = format!("/results/{name}");
            let (result, params) = if columns.is_empty() {
                version1(value)
            } else {
                version2(value, &columns)
            };
            record(&mut out, name, &labels, result, params, &at);
        }
        let mut parsed = out.finish()?;
        for series in &mut parsed.series {
            series.key.source = without_commit(&series.key.source).into();
        }
        Ok(parsed)
    }
}

/// The result and parameter lists of a version 1 entry.
fn version1(value: &Value) -> (&Value, &[Value]) {
    match value {
        Value::Object(obj) => (
            obj.get("result").unwrap_or(&Value::Null),
            params_of(obj.get("params")),
        ),
        other => (other, &[]),
    }
}

/// The result and parameter lists of a version 2 row.
fn version2<'a>(value: &'a Value, columns: &[&str]) -> (&'a Value, &'a [Value]) {
    let row = value.as_array().map(Vec::as_slice).unwrap_or_default();
    let column = |name: &str| {
        columns
            .iter()
            .position(|c| *c == name)
            .and_then(|i| row.get(i))
    };
    (
        column("result").unwrap_or(&Value::Null),
        params_of(column("params")),
    )
}

fn params_of(value: Option<&Value>) -> &[Value] {
    value
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn record(
    out: &mut SeriesBuilder,
    name: &str,
    labels: &Labels,
    result: &Value,
    params: &[Value],
    at: &str,
) {
    let (unit, direction) = kind(name);
    // Judged by the benchmark's own name: its module (`time_units.track_x`) says nothing.
    let last = name.rsplit('.').next().unwrap_or(name);
    let direction = direction.unwrap_or_else(|| direction::infer(last, unit));
    let values: Vec<&Value> = match result {
        Value::Array(items) => items.iter().collect(),
        one => vec![one],
    };
    let combos = if params.is_empty() {
        Vec::new()
    } else {
        combinations(params)
    };
    for (i, value) in values.iter().enumerate() {
        let mut labels = labels.clone();
        if let Some(combo) = combos.get(i) {
            labels.insert("params".to_string(), combo.clone());
        }
        let m = Metric {
            benchmark: name,
            metric: "value",
            labels: &labels,
            unit,
            direction,
        };
        match value {
            // `null` is a failed run; a skipped one (NaN, read as the string below) is neither.
            Value::Null => out.failed(&m, 1, at),
            Value::String(s) if s == SKIPPED => {}
            v => match v.as_f64() {
                Some(x) => out.sample(&m, x, at),
                None => out.failed(&m, 1, at),
            },
        }
    }
}

/// What a bare `NaN` (asv's "skipped") is read as.
const SKIPPED: &str = "asv:skipped";

/// The text with Python's bare `NaN` replaced by a marker string, so that it parses as
/// JSON and skipped benchmarks stay apart from failed ones (`null`).
fn python_numbers(text: &str) -> std::borrow::Cow<'_, str> {
    replace_bare_tokens(text, &[("NaN", SKIPPED_JSON)])
}

/// [`SKIPPED`] as a JSON string.
const SKIPPED_JSON: &str = "\"asv:skipped\"";

/// The source without the commit hash that starts asv's result file names
/// (`cheetah/fcf8c079-py2.7.json` -> `cheetah/py2.7.json`).
fn without_commit(source: &str) -> String {
    let (dir, file) = match source.rsplit_once('/') {
        Some((dir, file)) => (Some(dir), file),
        None => (None, source),
    };
    let file = match file.split_once('-') {
        Some((hash, rest))
            if hash.len() == 8
                && hash.bytes().all(|b| b.is_ascii_hexdigit())
                && !rest.is_empty() =>
        {
            rest
        }
        _ => file,
    };
    match dir {
        Some(dir) => format!("{dir}/{file}"),
        None => file.to_string(),
    }
}
