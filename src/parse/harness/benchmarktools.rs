//! Julia BenchmarkTools' JSON (`BenchmarkTools.save("results.json", results)`):
//! `[{"Julia": version, "BenchmarkTools": version}, [value, ...]]`, where every value is a
//! `[type, fields]` pair. A `BenchmarkGroup` holds named children under `data`; the leaves
//! are a `TrialEstimate` (`time`, `gctime` in nanoseconds, `memory` in bytes, `allocs`) or a
//! whole `Trial` (`times` and `gctimes` per sample).
//!
//! The benchmark is the path of group keys (`fib/20`); an estimate saved on its own, outside
//! any group, is named by the file. Times, memory and allocations are
//! lower-is-better; a `Trial`'s `times` are the samples of `time`. Ratios and judgements
//! (`TrialRatio`, `TrialJudgement`) compare two runs and are not measurements: they are
//! skipped with a warning.

use super::builder::{malformed, Labels, Metric, SeriesBuilder};
use super::{detect_json_report, numbers, parse_json};
use crate::model::Direction::LowerIsBetter;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use serde_json::{Map, Value};

pub(super) struct BenchmarkTools;

const NAME: &str = "julia-benchmarktools";

/// Deepest group nesting followed; deeper values are reported, not read.
const MAX_DEPTH: usize = 64;

/// The saved values, after the version header.
fn values(doc: &Value) -> Option<&Vec<Value>> {
    let items = doc.as_array()?;
    let header = items.first()?.as_object()?;
    if !header.contains_key("BenchmarkTools") || items.len() != 2 {
        return None;
    }
    items.get(1)?.as_array()
}

fn is_report(doc: &Value) -> bool {
    values(doc).is_some_and(|v| v.iter().any(|v| typed(v).is_some()))
}

/// A `[type, fields]` pair.
fn typed(value: &Value) -> Option<(&str, &Map<String, Value>)> {
    match value.as_array()?.as_slice() {
        [Value::String(kind), Value::Object(fields)] => Some((kind, fields)),
        _ => None,
    }
}

impl Adapter for BenchmarkTools {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        detect_json_report(input.text, '[', "\"BenchmarkTools\"", is_report)
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let doc = parse_json(input.text, NAME)?;
        let list = values(&doc).ok_or_else(|| {
            malformed(
                NAME,
                "not a BenchmarkTools file (`[{\"BenchmarkTools\": …}, [values]]`)",
            )
        })?;
        let mut out = SeriesBuilder::new(input, NAME);
        for (i, value) in list.iter().enumerate() {
            read(value, &mut Vec::new(), &format!("/1/{i}"), &mut out);
        }
        out.finish()
    }
}

fn read<'a>(value: &'a Value, path: &mut Vec<&'a str>, at: &str, out: &mut SeriesBuilder) {
    let Some((kind, fields)) = typed(value) else {
        out.warn(format!("{at}: not a `[type, fields]` pair; skipped"));
        return;
    };
    match kind {
        "BenchmarkGroup" => {
            if path.len() >= MAX_DEPTH {
                out.warn(format!(
                    "{at}: groups nested deeper than {MAX_DEPTH} levels were not read"
                ));
                return;
            }
            let children = fields.get("data").and_then(Value::as_object);
            for (key, child) in children.into_iter().flatten() {
                path.push(key);
                read(child, path, &format!("{at}/1/data/{key}"), out);
                path.pop();
            }
        }
        "TrialEstimate" | "Trial" => {
            // `BenchmarkTools.save(file, median(trial))` saves one estimate outside any
            // group: the file names it.
            let name = if path.is_empty() {
                out.file_stem()
            } else {
                path.join("/")
            };
            leaf(kind, fields, &name, at, out);
        }
        other => out.warn(format!(
            "{at}: a `{other}` compares runs rather than measuring one; skipped"
        )),
    }
}

fn leaf(
    kind: &str,
    fields: &Map<String, Value>,
    benchmark: &str,
    at: &str,
    out: &mut SeriesBuilder,
) {
    let labels = Labels::new();
    let metric = |metric, unit| Metric {
        benchmark,
        metric,
        labels: &labels,
        unit,
        direction: LowerIsBetter,
    };
    let times = [("time", "times"), ("gctime", "gctimes")];
    for (one, many) in times {
        let key = if kind == "Trial" { many } else { one };
        match fields.get(key) {
            Some(v @ Value::Array(_)) => {
                let (samples, skipped) = numbers(v);
                out.samples(&metric(one, "ns"), samples, format!("{at}/1/{key}"));
                if skipped > 0 {
                    out.warn(format!(
                        "{at}/1/{key}: {skipped} entries are not numbers and were ignored"
                    ));
                }
            }
            Some(v) => {
                if let Some(v) = v.as_f64() {
                    out.sample(&metric(one, "ns"), v, format!("{at}/1/{key}"));
                }
            }
            None => {}
        }
    }
    for (key, unit) in [("memory", "B"), ("allocs", "")] {
        if let Some(v) = fields.get(key).and_then(Value::as_f64) {
            out.sample(&metric(key, unit), v, format!("{at}/1/{key}"));
        }
    }
}
