//! Generic JSON and NDJSON adapter: every numeric leaf is a reading of the metric named by
//! its path.
//!
//! - The root object and each element of an array of objects are rows. A row's identifying
//!   string fields (`name`, `model`, `test`, `id`, `agent`, `backend`, ...) name its
//!   benchmark and restart the metric path; rows without one are samples of the same series
//!   (`run_results.p50_ms` from every run).
//! - Run parameters (`num_gpu`, `temperature`, also one level down as in
//!   `options.temperature`) are labels of the row's series.
//! - `success: false`, `ok: false`, a `status` other than ok, a non-empty `error` string or
//!   `completed: 0` fail the object: its readings (and a `null` in it) count as failures,
//!   and a failed row also fails every metric its sibling rows report.
//! - Arrays of plain numbers are samples of one series; `null` elsewhere means missing.
//! - Nesting is bounded; timestamps and ids are skipped.

use super::sink::{bounded, file_benchmark, number_label, Reading, SeriesSink};
use crate::direction;
use crate::model::Labels;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use crate::units::{self, parse_quantity};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// JSON documents and NDJSON streams of any layout.
pub struct Json;

const NAME: &str = "json";
/// Deepest nesting that is walked; deeper parts are skipped with a warning.
const MAX_DEPTH: usize = 64;

impl Adapter for Json {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        match input.extension().as_str() {
            "json" | "ndjson" | "jsonl" | "geojson" => Confidence::Generic,
            "" | "txt" | "log" | "out" => {
                // A text file is JSON only when it parses as such (`[INFO] ...` is a log).
                let t = input.text.trim_start_matches('\u{feff}').trim();
                let whole = (t.starts_with('{') || t.starts_with('['))
                    && serde_json::from_str::<serde::de::IgnoredAny>(t).is_ok();
                if whole || looks_like_ndjson(t) {
                    Confidence::Generic
                } else {
                    Confidence::No
                }
            }
            _ => Confidence::No,
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let text = input.text.trim_start_matches('\u{feff}');
        let mut sink = SeriesSink::new(input);
        let default = file_benchmark(input.path);
        let mut walker = Walker::new(&default);
        let line_mode = matches!(input.extension().as_str(), "ndjson" | "jsonl");
        let whole = if line_mode {
            None
        } else {
            Some(serde_json::from_str::<Value>(text))
        };
        match whole {
            Some(Ok(value)) => walker.root(&value, ""),
            Some(Err(e)) if !looks_like_ndjson(text) => return Err(malformed(&e)),
            _ => {
                let lines = text
                    .lines()
                    .enumerate()
                    .map(|(i, l)| (i + 1, l.trim()))
                    .filter(|(_, l)| !l.is_empty());
                for (line, text) in lines {
                    match serde_json::from_str::<Value>(text) {
                        Ok(value) => walker.root(&value, &format!("line {line} ")),
                        Err(e) => sink.warn(format!("line {line}: {e}; line skipped")),
                    }
                }
            }
        }
        walker.flush(&mut sink);
        sink.finish()
    }
}

/// Several lines, the first of which is a JSON document on its own.
fn looks_like_ndjson(text: &str) -> bool {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first_parses = lines
        .next()
        .is_some_and(|l| serde_json::from_str::<Value>(l).is_ok());
    first_parses && lines.next().is_some()
}

fn malformed(e: &serde_json::Error) -> ParseError {
    ParseError::Malformed {
        format: NAME,
        reason: e.to_string(),
    }
}

/// One reading found in the document.
#[derive(Debug, Clone)]
struct Entry {
    benchmark: String,
    metric: String,
    labels: Labels,
    unit: String,
    reading: Reading,
    at: String,
}

/// The context a value is read in.
#[derive(Debug, Clone)]
struct Ctx {
    benchmark: Vec<String>,
    /// The metric path from the current row down to this value.
    path: Vec<String>,
    labels: Labels,
    failed: bool,
}

struct Walker<'a> {
    default_benchmark: &'a str,
    entries: Vec<Entry>,
    too_deep: bool,
}

impl<'a> Walker<'a> {
    fn new(default_benchmark: &'a str) -> Self {
        Walker {
            default_benchmark,
            entries: Vec::new(),
            too_deep: false,
        }
    }

    /// Walks one document (or one NDJSON line, whose locator starts with `line N `).
    fn root(&mut self, value: &Value, locator: &str) {
        let ctx = Ctx {
            benchmark: Vec::new(),
            path: Vec::new(),
            labels: Labels::new(),
            failed: false,
        };
        match value {
            Value::Object(obj) => {
                let ctx = self.enter_row(obj, &ctx);
                self.object(obj, &ctx, locator, 0);
            }
            Value::Array(items) => self.array(items, &ctx, locator, 0),
            _ => {}
        }
    }

    fn flush(self, sink: &mut SeriesSink) {
        if self.too_deep {
            sink.warn(format!(
                "nesting deeper than {MAX_DEPTH} levels; the deeper parts were skipped"
            ));
        }
        for e in self.entries {
            let direction = direction::infer(&e.metric, &e.unit);
            sink.record(
                &e.benchmark,
                &e.metric,
                &e.labels,
                &e.unit,
                direction,
                e.reading,
                &e.at,
            );
        }
    }

    /// The context of a row object: its identity restarts the metric path, its parameters
    /// become labels, its failure markers fail it.
    fn enter_row(&self, obj: &Map<String, Value>, parent: &Ctx) -> Ctx {
        let mut ctx = parent.clone();
        let identity: Vec<String> = obj
            .iter()
            .filter(|(k, v)| is_identity_key(k) && v.is_string())
            .filter_map(|(_, v)| v.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.chars().count() <= 120)
            .map(bounded)
            .take(3)
            .collect();
        if !identity.is_empty() {
            ctx.benchmark.extend(identity);
            ctx.path.clear();
        }
        collect_labels(obj, &mut ctx.labels, 0);
        ctx.failed |= object_failed(obj);
        ctx
    }

    fn push(&mut self, ctx: &Ctx, leaf: &str, unit: &str, reading: Reading, at: &str) {
        let mut metric = ctx.path.clone();
        if !leaf.is_empty() {
            metric.push(leaf.to_string());
        }
        if metric.is_empty() {
            return;
        }
        let benchmark = if ctx.benchmark.is_empty() {
            self.default_benchmark.to_string()
        } else {
            ctx.benchmark.join("/")
        };
        let metric = metric.join(".");
        let unit = if unit.is_empty() {
            units::unit_from_name(&metric)
        } else {
            unit
        };
        self.entries.push(Entry {
            benchmark,
            metric,
            labels: ctx.labels.clone(),
            unit: unit.to_string(),
            reading,
            at: at.to_string(),
        });
    }

    fn object(&mut self, obj: &Map<String, Value>, ctx: &Ctx, pointer: &str, depth: usize) {
        if depth >= MAX_DEPTH {
            self.too_deep = true;
            return;
        }
        for (key, value) in obj {
            let at = format!("{pointer}/{}", escape_pointer(key));
            let scalar = !matches!(value, Value::Object(_) | Value::Array(_));
            if scalar
                && (is_marker_key(key)
                    || direction::is_parameter(key)
                    || direction::is_bookkeeping(key)
                    || is_identity_key(key) && value.is_string())
            {
                continue;
            }
            match value {
                Value::Number(n) => {
                    let reading = match n.as_f64() {
                        Some(_) if ctx.failed => Reading::Failed,
                        Some(v) => Reading::Value(v),
                        None => continue,
                    };
                    self.push(ctx, key, "", reading, &at);
                }
                Value::Null if ctx.failed => self.push(ctx, key, "", Reading::Failed, &at),
                Value::String(s) => {
                    // A quantity written as text with its unit (`"12.5 ms"`).
                    if let Some(q) = parse_quantity(s).filter(|q| !q.unit.is_empty()) {
                        let reading = if ctx.failed {
                            Reading::Failed
                        } else {
                            Reading::Value(q.value)
                        };
                        self.push(ctx, key, &q.unit, reading, &at);
                    }
                }
                Value::Object(child) => {
                    let mut inner = ctx.clone();
                    inner.path.push(key.clone());
                    inner.failed |= object_failed(child);
                    self.object(child, &inner, &at, depth + 1);
                }
                Value::Array(items) => {
                    if is_bounds_key(key) {
                        continue;
                    }
                    let mut inner = ctx.clone();
                    inner.path.push(key.clone());
                    self.array(items, &inner, &at, depth + 1);
                }
                Value::Null | Value::Bool(_) => {}
            }
        }
    }

    fn array(&mut self, items: &[Value], ctx: &Ctx, pointer: &str, depth: usize) {
        if depth >= MAX_DEPTH {
            self.too_deep = true;
            return;
        }
        if !items.is_empty() && items.iter().all(Value::is_number) {
            for (i, v) in items.iter().enumerate() {
                if let Some(x) = v.as_f64() {
                    let reading = if ctx.failed {
                        Reading::Failed
                    } else {
                        Reading::Value(x)
                    };
                    self.push(ctx, "", "", reading, &format!("{pointer}/{i}"));
                }
            }
            return;
        }
        // Rows: walk each, then fail the metrics of failed rows that only siblings report.
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut failed_rows: Vec<(Ctx, String, BTreeSet<String>)> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let at = format!("{pointer}/{i}");
            match item {
                Value::Object(obj) => {
                    let row = self.enter_row(obj, ctx);
                    let start = self.entries.len();
                    self.object(obj, &row, &at, depth + 1);
                    let own: BTreeSet<String> = self.entries[start..]
                        .iter()
                        .map(|e| e.metric.clone())
                        .collect();
                    if row.failed {
                        failed_rows.push((row, at, own));
                    } else {
                        seen.extend(own);
                    }
                }
                Value::Array(inner) => self.array(inner, ctx, &at, depth + 1),
                _ => {}
            }
        }
        for (row, at, own) in failed_rows {
            for metric in seen.difference(&own) {
                let benchmark = if row.benchmark.is_empty() {
                    self.default_benchmark.to_string()
                } else {
                    row.benchmark.join("/")
                };
                self.entries.push(Entry {
                    benchmark,
                    metric: metric.clone(),
                    labels: row.labels.clone(),
                    unit: units::unit_from_name(metric).to_string(),
                    reading: Reading::Failed,
                    at: at.clone(),
                });
            }
        }
    }
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn key_words(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut prev_lower = false;
    for c in key.chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower {
                out.push('_');
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
            out.extend(c.to_lowercase());
        } else {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    out.trim_end_matches('_').to_string()
}

fn is_identity_key(key: &str) -> bool {
    matches!(
        key_words(key).as_str(),
        "name"
            | "model"
            | "model_name"
            | "test"
            | "test_name"
            | "benchmark"
            | "benchmark_name"
            | "bench"
            | "id"
            | "agent"
            | "agent_name"
            | "backend"
            | "scenario"
            | "config_name"
            | "case"
            | "variant"
            | "label"
            | "task"
            | "method"
            | "engine"
            | "suite"
            | "fullname"
            | "full_name"
            | "function"
            | "kernel"
            | "workload"
            | "dataset"
    )
}

fn is_marker_key(key: &str) -> bool {
    matches!(
        key_words(key).as_str(),
        "success" | "succeeded" | "ok" | "passed" | "status" | "state" | "error" | "errors"
    )
}

/// Arrays that are bounds or shapes, not samples (`confidence_interval_95: [lo, hi]`).
fn is_bounds_key(key: &str) -> bool {
    let k = key_words(key);
    k.split('_').any(|w| {
        matches!(
            w,
            "interval" | "ci" | "range" | "bounds" | "shape" | "dims" | "quantiles"
        )
    })
}

/// Parameters of a row: its own scalar settings and those one object further down
/// (`options.temperature`), formatted as label values.
fn collect_labels(obj: &Map<String, Value>, labels: &mut Labels, depth: usize) {
    for (key, value) in obj {
        match value {
            Value::Object(child) if depth == 0 => collect_labels(child, labels, 1),
            Value::Number(n) if direction::is_parameter(key) => {
                if let Some(v) = n.as_f64() {
                    labels.insert(key.clone(), number_label(v));
                }
            }
            Value::String(s) if direction::is_parameter(key) && !s.trim().is_empty() => {
                labels.insert(key.clone(), bounded(s));
            }
            Value::Bool(b) if direction::is_parameter(key) => {
                labels.insert(key.clone(), b.to_string());
            }
            _ => {}
        }
    }
}

/// True when the object records a failed run.
fn object_failed(obj: &Map<String, Value>) -> bool {
    obj.iter()
        .any(|(key, value)| match (key_words(key).as_str(), value) {
            ("success" | "succeeded" | "ok" | "passed", Value::Bool(b)) => !b,
            ("status" | "state", Value::String(s)) => !matches!(
                s.trim().to_ascii_lowercase().as_str(),
                "" | "ok"
                    | "success"
                    | "succeeded"
                    | "successful"
                    | "pass"
                    | "passed"
                    | "completed"
                    | "complete"
                    | "done"
                    | "finished"
            ),
            ("error" | "error_message" | "errors", Value::String(s)) => !s.trim().is_empty(),
            ("completed", Value::Number(n)) => n.as_f64() == Some(0.0),
            _ => false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Series;

    fn parse(text: &str) -> Vec<Series> {
        Json.parse(&Input {
            path: "r/x_20251002-170837.json",
            text,
        })
        .map(|p| p.series)
        .unwrap_or_default()
    }

    fn find<'a>(series: &'a [Series], benchmark: &str, metric: &str) -> &'a Series {
        series
            .iter()
            .find(|s| s.key.benchmark == benchmark && s.key.metric == metric)
            .unwrap_or_else(|| panic!("no {benchmark}/{metric} in {series:#?}"))
    }

    #[test]
    fn rows_identity_labels_and_paths() {
        let series = parse(
            r#"{"generated_at": "2025-10-08", "prompt_count": 5,
                "models": [
                  {"model": "a", "completed": 5, "options": {"temperature": 0.3},
                   "mean_tokens_s": 88.9, "mean_ttft_s": 6.1},
                  {"model": "b", "completed": 0, "options": {"temperature": 0.3},
                   "mean_tokens_s": null, "mean_ttft_s": null}
                ],
                "timing": {"p50_ms": 1.5, "runs": [{"p95_ms": 2}, {"p95_ms": 3}]}}"#,
        );
        let a = find(&series, "a", "mean_tokens_s");
        assert_eq!(a.samples, vec![88.9]);
        assert_eq!(a.key.labels.get("temperature"), Some("0.3"));
        assert_eq!(&*a.key.source, "r/x.json");
        assert_eq!(a.origin[0].at, "/models/0/mean_tokens_s");
        let b = find(&series, "b", "mean_tokens_s");
        assert!(b.samples.is_empty());
        assert_eq!(b.failed, 1);
        assert_eq!(find(&series, "x", "prompt_count").samples, vec![5.0]);
        assert_eq!(find(&series, "x", "timing.p50_ms").samples, vec![1.5]);
        assert_eq!(
            find(&series, "x", "timing.runs.p95_ms").samples,
            vec![2.0, 3.0]
        );
        assert!(!series.iter().any(|s| s.key.metric.contains("generated")));
    }

    #[test]
    fn failed_rows_fail_the_metrics_their_siblings_report() {
        let series = parse(
            r#"{"results": [
                {"test_name": "t1", "success": true, "tokens_per_second": 14.2},
                {"test_name": "t2", "success": false, "error": "boom"}]}"#,
        );
        assert_eq!(find(&series, "t1", "tokens_per_second").samples, vec![14.2]);
        let t2 = find(&series, "t2", "tokens_per_second");
        assert_eq!((t2.samples.len(), t2.failed), (0, 1));
    }

    #[test]
    fn number_arrays_are_samples_and_bounds_are_not() {
        let series = parse(r#"{"name": "b", "times": [1, 2, 3], "ci_95": [0.5, 1.5]}"#);
        assert_eq!(series.len(), 1);
        assert_eq!(find(&series, "b", "times").samples, vec![1.0, 2.0, 3.0]);
    }

    #[test]
    fn ndjson_lines_are_rows() {
        let series =
            parse("{\"name\": \"a\", \"v_ms\": 1}\n{\"name\": \"a\", \"v_ms\": 2}\nnot json\n");
        assert_eq!(find(&series, "a", "v_ms").samples, vec![1.0, 2.0]);
        let parsed = Json
            .parse(&Input {
                path: "x.ndjson",
                text: "{\"a\": 1}\n{oops\n",
            })
            .unwrap();
        assert_eq!(parsed.warnings.len(), 1);
    }

    #[test]
    fn text_files_are_json_only_when_they_parse() {
        let detect = |text| {
            Json.detect(&Input {
                path: "a.log",
                text,
            })
        };
        assert_eq!(detect("[INFO] started\nkey: 1"), Confidence::No);
        assert_eq!(detect("{\"a\": 1}"), Confidence::Generic);
        assert_eq!(detect("{\"a\": 1}\n{\"a\": 2}"), Confidence::Generic);
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let text = format!("{}1{}", "[".repeat(100), "]".repeat(100));
        let parsed = Json.parse(&Input {
            path: "x.json",
            text: &text,
        });
        assert!(parsed.is_ok());
        let deep = format!("{}{}", "{\"a\":".repeat(70), "1") + &"}".repeat(70);
        let parsed = Json
            .parse(&Input {
                path: "x.json",
                text: &deep,
            })
            .unwrap();
        assert!(parsed
            .warnings
            .iter()
            .any(|w| w.message.contains("nesting")));
    }
}
