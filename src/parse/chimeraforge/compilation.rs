//! Chimeraforge compilation reports: `backends.{eager,jit,torch_compile,onnx,tensorrt}` with
//! `compilation.{success, compile_time_s, error}` and `benchmark.{mean,std,min,max}_time_ms`.
//! Each backend is a benchmark. A failed compilation fails every metric of its backend
//! (the timings then measure a fallback, not the backend).

use super::{failed, json_object, record_numbers, settings_labels};
use crate::parse::generic::sink::{Reading, SeriesSink};
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use serde_json::Value;

/// `reports/compilation/*.json`.
pub struct Compilation;

const NEEDLES: &[&str] = &["\"backends\"", "\"mean_time_ms\""];
const TIMINGS: &[&str] = &["mean_time_ms", "std_time_ms", "min_time_ms", "max_time_ms"];

impl Adapter for Compilation {
    fn name(&self) -> &'static str {
        "chimeraforge-compilation"
    }

    fn detect(&self, input: &Input) -> Confidence {
        let Some(root) = json_object(input, NEEDLES) else {
            return Confidence::No;
        };
        let backends_with_timings =
            root.get("backends")
                .and_then(Value::as_object)
                .is_some_and(|b| {
                    b.values()
                        .any(|v| v.pointer("/benchmark/mean_time_ms").is_some())
                });
        if backends_with_timings {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let root = json_object(input, NEEDLES).ok_or(ParseError::Malformed {
            format: "chimeraforge-compilation",
            reason: "not a compilation report object".into(),
        })?;
        let labels = settings_labels(root.get("model"));
        let mut sink = SeriesSink::new(input);
        let Some(backends) = root.get("backends").and_then(Value::as_object) else {
            return sink.finish();
        };
        for (backend, entry) in backends {
            let pointer = format!("/backends/{backend}");
            let compilation = entry.get("compilation").and_then(Value::as_object);
            let broken = compilation.is_some_and(failed);
            if let Some(c) = compilation {
                let at = format!("{pointer}/compilation/compile_time_s");
                let reading = match c.get("compile_time_s").and_then(Value::as_f64) {
                    Some(_) if broken => Reading::Failed,
                    Some(v) => Reading::Value(v),
                    None if broken => Reading::Failed,
                    None => continue,
                };
                let dir = crate::direction::infer("compile_time_s", "s");
                sink.record(backend, "compile_time_s", &labels, "s", dir, reading, &at);
            }
            let Some(bench) = entry.get("benchmark").and_then(Value::as_object) else {
                continue;
            };
            let timings: serde_json::Map<String, Value> = bench
                .iter()
                .filter(|(k, _)| TIMINGS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let at = format!("{pointer}/benchmark");
            record_numbers(&mut sink, &timings, backend, &labels, "", &at, broken);
        }
        sink.finish()
    }
}
