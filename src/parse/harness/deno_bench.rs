//! Deno's `deno bench --json` report: `{version?, runtime: "Deno/…", cpu, benches: [{origin,
//! group, name, baseline, results: [{ok: {n, min, max, avg, p75, p99, p995, p999, …}}]}]}`.
//! Deno before 1.32 wrote one `result` instead of the `results` list, and no `version`.
//!
//! Times are nanoseconds per iteration, lower is better. A `failed` result counts as a
//! failure of the benchmark's `avg`. The benchmark is the bench's name, after its group
//! (`group > name`) when it has one; the file of the bench (the last segment of `origin`,
//! whose directories are those of the machine that ran it) is a label.

use super::builder::{malformed, Labels, Metric, SeriesBuilder};
use super::{detect_json_report, parse_json};
use crate::model::Direction::LowerIsBetter;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use serde_json::Value;

pub(super) struct DenoBench;

const NAME: &str = "deno-bench";

/// The statistics of an `ok` result, in nanoseconds per iteration.
const TIMES: [&str; 7] = ["avg", "min", "max", "p75", "p99", "p995", "p999"];

fn benches(doc: &Value) -> Option<&Vec<Value>> {
    doc.get("benches")?.as_array()
}

/// The results of one bench, in either layout.
fn results(bench: &Value) -> Vec<&Value> {
    match (bench.get("results"), bench.get("result")) {
        (Some(Value::Array(list)), _) => list.iter().collect(),
        (_, Some(one)) => vec![one],
        _ => Vec::new(),
    }
}

fn is_report(doc: &Value) -> bool {
    let deno = doc
        .get("runtime")
        .and_then(Value::as_str)
        .is_some_and(|r| r.starts_with("Deno/"));
    deno && benches(doc).is_some_and(|b| {
        b.iter().any(|bench| {
            results(bench)
                .iter()
                .any(|r| r.get("ok").is_some() || r.get("failed").is_some())
        })
    })
}

impl Adapter for DenoBench {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        detect_json_report(input.text, '{', "\"benches\"", is_report)
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let doc = parse_json(input.text, NAME)?;
        let list = benches(&doc).ok_or_else(|| malformed(NAME, "no `benches` array"))?;
        let mut out = SeriesBuilder::new(input, NAME);
        for (i, bench) in list.iter().enumerate() {
            read_bench(bench, &format!("/benches/{i}"), &mut out);
        }
        out.finish()
    }
}

fn read_bench(bench: &Value, at: &str, out: &mut SeriesBuilder) {
    let Some(name) = bench.get("name").and_then(Value::as_str) else {
        out.warn(format!("{at}: a bench without a name was ignored"));
        return;
    };
    let benchmark = match bench.get("group").and_then(Value::as_str) {
        Some(group) => format!("{group} > {name}"),
        None => name.to_string(),
    };
    let mut labels = Labels::new();
    if let Some(origin) = bench.get("origin").and_then(Value::as_str) {
        let file = origin.rsplit('/').next().unwrap_or(origin);
        if !file.is_empty() {
            labels.insert("file".into(), file.to_string());
        }
    }
    let metric = |metric| Metric {
        benchmark: &benchmark,
        metric,
        labels: &labels,
        unit: "ns",
        direction: LowerIsBetter,
    };
    let list = results(bench);
    if list.is_empty() {
        out.warn(format!("{at}: a bench without results was ignored"));
    }
    for (r, result) in list.into_iter().enumerate() {
        let at = format!("{at}/results/{r}");
        if let Some(ok) = result.get("ok") {
            for key in TIMES {
                if let Some(v) = ok.get(key).and_then(Value::as_f64) {
                    out.sample(&metric(key), v, &at);
                }
            }
        } else if result.get("failed").is_some() {
            out.failed(&metric("avg"), 1, &at);
        } else {
            out.warn(format!("{at}: neither `ok` nor `failed`, ignored"));
        }
    }
}
