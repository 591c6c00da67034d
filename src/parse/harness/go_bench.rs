//! `go test -bench` text in the Go benchmark data format:
//!
//! ```text
//! goos: linux
//! pkg: golang.org/x/perf/cmd/benchstat/testdata
//! BenchmarkEncode/format=json-48   690848   1726 ns/op   45 B/op   2 allocs/op
//! ```
//!
//! Each result line holds the iteration count and value/unit pairs; every unit is a metric
//! of its own. Lines repeated by `-count` are samples of one series. The `-48` suffix
//! (GOMAXPROCS) becomes the `procs` label; the `pkg`, `goos` and `goarch` configuration
//! lines become labels too, other configuration (`cpu`, `note`, ...) is machine- or
//! run-specific and is not part of the key. `Unit <unit> better=higher|lower` metadata
//! lines (benchstat) set the direction of custom units. `--- FAIL: BenchmarkX` counts a
//! failed run.

use super::builder::{Labels, Metric, SeriesBuilder};
use super::{number, numbered_lines};
use crate::direction;
use crate::model::{At, Direction};
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use std::collections::HashMap;

pub(super) struct GoBench;

const NAME: &str = "go-bench";

/// Configuration keys that identify what was benchmarked (and stay equal across runs).
const LABEL_KEYS: [&str; 3] = ["pkg", "goos", "goarch"];

/// One result line: the name without the procs suffix, the procs, and value/unit pairs.
struct ResultLine<'a> {
    name: &'a str,
    procs: Option<&'a str>,
    values: Vec<(f64, &'a str)>,
}

/// True when `name` is a benchmark name. Like the reference reader (golang.org/x/perf
/// benchfmt), any name that starts with `Benchmark` is one: generated suites write names
/// such as `Benchmarkuber_zap_total`. A line is a result only when the iteration count and
/// value/unit pairs follow, so prose (`Benchmarking 5 runs`) is not.
fn is_benchmark_name(name: &str) -> bool {
    name.starts_with("Benchmark")
}

/// Splits a trailing `-<digits>` GOMAXPROCS suffix off a benchmark name.
fn split_procs(name: &str) -> (&str, Option<&str>) {
    match name.rsplit_once('-') {
        Some((base, procs))
            if !base.is_empty()
                && !procs.is_empty()
                && procs.bytes().all(|b| b.is_ascii_digit()) =>
        {
            (base, Some(procs))
        }
        _ => (name, None),
    }
}

fn result_line(line: &str) -> Option<ResultLine<'_>> {
    let mut fields = line.split_whitespace();
    let full = fields.next()?;
    if !is_benchmark_name(full) {
        return None;
    }
    fields.next()?.parse::<u64>().ok()?;
    let rest: Vec<&str> = fields.collect();
    let values: Vec<(f64, &str)> = rest
        .chunks_exact(2)
        .map_while(|pair| number(pair[0]).map(|v| (v, pair[1])))
        .collect();
    if values.is_empty() {
        return None;
    }
    let (name, procs) = split_procs(full);
    Some(ResultLine {
        name,
        procs,
        values,
    })
}

/// `key: value` configuration lines: the key starts with a lower-case letter and has no
/// spaces or upper-case letters.
fn config_line(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    let valid = key.starts_with(|c: char| c.is_lowercase())
        && !key.chars().any(|c| c.is_whitespace() || c.is_uppercase());
    (valid && (value.is_empty() || value.starts_with([' ', '\t']))).then(|| (key, value.trim()))
}

/// `Unit <unit> better=higher` metadata: the directions they declare.
fn unit_directions(text: &str) -> HashMap<String, Direction> {
    let mut out = HashMap::new();
    for (_, line) in numbered_lines(text) {
        let mut fields = line.split_whitespace();
        if fields.next() != Some("Unit") {
            continue;
        }
        let Some(unit) = fields.next() else { continue };
        for kv in fields {
            match kv {
                "better=higher" => out.insert(unit.to_string(), Direction::HigherIsBetter),
                "better=lower" => out.insert(unit.to_string(), Direction::LowerIsBetter),
                _ => None,
            };
        }
    }
    out
}

/// Which way `unit` is better: declared by a `Unit` line, defined by `go test`, or inferred.
fn direction_of(unit: &str, declared: &HashMap<String, Direction>) -> Direction {
    if let Some(d) = declared.get(unit) {
        return *d;
    }
    match unit {
        "ns/op" | "B/op" | "allocs/op" => Direction::LowerIsBetter,
        "MB/s" => Direction::HigherIsBetter,
        _ => direction::infer(unit, unit),
    }
}

impl Adapter for GoBench {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        // Every result line names a `Benchmark...`: one search rules out most files.
        let text = input.text;
        if text.contains("Benchmark") && numbered_lines(text).any(|(_, l)| result_line(l).is_some())
        {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let declared = unit_directions(input.text);
        let mut out = SeriesBuilder::new(input, NAME);
        let mut config = Labels::new();
        // The labels of the last result line, reused while the configuration and the
        // `-procs` suffix stay the same (as they do for every `-count` repetition).
        let mut last: Option<(Option<&str>, Labels)> = None;
        for (n, line) in numbered_lines(input.text) {
            let at = At::line(n as u64);
            if let Some(r) = result_line(line) {
                let labels = match last.take() {
                    Some((procs, labels)) if procs == r.procs => labels,
                    _ => labels_for(&config, r.procs),
                };
                for (value, unit) in r.values {
                    let metric = Metric {
                        benchmark: r.name,
                        metric: unit,
                        labels: &labels,
                        unit,
                        direction: direction_of(unit, &declared),
                    };
                    out.sample(&metric, value, at.clone());
                }
                last = Some((r.procs, labels));
            } else if let Some(failed) = line.trim().strip_prefix("--- FAIL: ") {
                let full = failed.split_whitespace().next().unwrap_or_default();
                if is_benchmark_name(full) {
                    let (name, procs) = split_procs(full);
                    let labels = labels_for(&config, procs);
                    let metric = Metric {
                        benchmark: name,
                        metric: "ns/op",
                        labels: &labels,
                        unit: "ns/op",
                        direction: Direction::LowerIsBetter,
                    };
                    out.failed(&metric, 1, at);
                }
            } else if let Some((key, value)) = config_line(line) {
                if LABEL_KEYS.contains(&key) {
                    config.insert(key.to_string(), value.to_string());
                    last = None;
                }
            }
        }
        out.finish()
    }
}

fn labels_for(config: &Labels, procs: Option<&str>) -> Labels {
    let mut labels = config.clone();
    if let Some(p) = procs {
        labels.insert("procs".to_string(), p.to_string());
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn procs_suffix_is_only_a_trailing_number() {
        assert_eq!(
            split_procs("BenchmarkFib10-8"),
            ("BenchmarkFib10", Some("8"))
        );
        assert_eq!(
            split_procs("BenchmarkFib/my_tabled_benchmark_-_20"),
            ("BenchmarkFib/my_tabled_benchmark_-_20", None)
        );
        assert_eq!(split_procs("BenchmarkFib20"), ("BenchmarkFib20", None));
    }

    #[test]
    fn result_lines_need_iterations_and_values() {
        assert!(result_line("Benchmarking 5 runs").is_none());
        assert!(result_line("Benchmarking the parser: done").is_none());
        assert!(result_line("BenchmarkX-8 10 5 ns/op").is_some());
        let generated = result_line("Benchmarkuber_zap_total 1 10149055 total-bytes").unwrap();
        assert_eq!(generated.name, "Benchmarkuber_zap_total");
        assert_eq!(generated.values, [(10149055.0, "total-bytes")]);
        assert!(!is_benchmark_name("BenchFoo"));
    }
}
