//! hyperfine's `--export-json` report: `{"results": [{command, mean, stddev, median, min,
//! max, user, system, times[], exit_codes[], parameters}]}`, all times in seconds.
//!
//! The benchmark is the `command` (or its `--command-name`); `parameters` of a
//! `--parameter-scan`/`-L` run become labels. The wall-clock `times` are the samples of the
//! `time` metric (the `mean` alone when an old report has no `times`); `user` and `system`
//! are the mean CPU times. A run with a non-zero exit code (`--ignore-failure`) or a time
//! of exactly zero (written when the command could not run) is a failed run, not a sample.

use super::builder::{malformed, Labels, Metric, SeriesBuilder};
use super::{detect_json_report, label_text, parse_json};
use crate::model::Direction;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use serde_json::Value;

pub(super) struct Hyperfine;

const NAME: &str = "hyperfine";

fn results(doc: &Value) -> Option<&Vec<Value>> {
    doc.get("results")?.as_array()
}

fn is_report(doc: &Value) -> bool {
    results(doc).is_some_and(|r| {
        !r.is_empty()
            && r.iter().all(|e| {
                e.get("command").is_some_and(Value::is_string)
                    && e.get("mean").is_some_and(Value::is_number)
            })
    })
}

impl Adapter for Hyperfine {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        detect_json_report(input.text, '{', "\"command\"", is_report)
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let doc = parse_json(input.text, NAME)?;
        let list = results(&doc).ok_or_else(|| malformed(NAME, "no `results` array"))?;
        let mut out = SeriesBuilder::new(input, NAME);
        for (i, result) in list.iter().enumerate() {
            read_result(result, &format!("/results/{i}"), &mut out);
        }
        out.finish()
    }
}

fn read_result(result: &Value, at: &str, out: &mut SeriesBuilder) {
    let Some(command) = result.get("command").and_then(Value::as_str) else {
        out.warn(format!("{at}: a result without a `command` was ignored"));
        return;
    };
    let mut labels = Labels::new();
    if let Some(params) = result.get("parameters").and_then(Value::as_object) {
        for (k, v) in params {
            labels.insert(k.clone(), label_text(v));
        }
    }
    let seconds = |metric| Metric {
        benchmark: command,
        metric,
        labels: &labels,
        unit: "s",
        direction: Direction::LowerIsBetter,
    };
    let time = seconds("time");
    match result.get("times").and_then(Value::as_array) {
        Some(times) => {
            let codes = result.get("exit_codes").and_then(Value::as_array);
            let mut samples = Vec::with_capacity(times.len());
            let mut failed = 0u32;
            for (i, t) in times.iter().enumerate() {
                // A null exit code means the command was killed by a signal.
                let exited_ok = codes
                    .and_then(|c| c.get(i))
                    .is_none_or(|code| code.as_i64() == Some(0));
                match t.as_f64() {
                    Some(t) if t > 0.0 && exited_ok => samples.push(t),
                    _ => failed += 1,
                }
            }
            out.samples(&time, samples, format!("{at}/times"));
            if failed > 0 {
                out.failed(&time, failed, format!("{at}/times"));
            }
        }
        None => {
            if let Some(mean) = result.get("mean").and_then(Value::as_f64) {
                out.sample(&time, mean, format!("{at}/mean"));
            }
        }
    }
    for metric in ["user", "system"] {
        if let Some(v) = result.get(metric).and_then(Value::as_f64) {
            out.sample(&seconds(metric), v, format!("{at}/{metric}"));
        }
    }
}
