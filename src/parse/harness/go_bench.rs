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
use super::{fields, number, numbered_lines, Fields};
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
    /// The first value/unit pair.
    first: (f64, &'a str),
    /// The fields after the first pair, read by [`ResultLine::values`].
    rest: Fields<'a>,
}

impl<'a> ResultLine<'a> {
    /// The value/unit pairs, up to the first pair that is not one (or a value without a unit).
    fn values(&self) -> impl Iterator<Item = (f64, &'a str)> {
        let mut rest = self.rest.clone();
        std::iter::once(self.first).chain(std::iter::from_fn(move || value_pair(&mut rest)))
    }

    /// The metric of this line's values in `unit`, which is also its name.
    fn metric<'m>(
        &self,
        unit: &'m str,
        labels: &'m Labels,
        declared: &HashMap<String, Direction>,
    ) -> Metric<'m>
    where
        'a: 'm,
    {
        Metric {
            benchmark: self.name,
            metric: unit,
            labels,
            unit,
            direction: direction_of(unit, declared),
        }
    }
}

/// The next value/unit pair of `fields`; `None` when the next field is not a number or has
/// no unit after it.
fn value_pair<'a>(fields: &mut Fields<'a>) -> Option<(f64, &'a str)> {
    let value = fields.next()?;
    let unit = fields.next()?;
    Some((number(value)?, unit))
}

/// The series of the last result line, by the position of their value on the line: the
/// next line of the same benchmark (every `-count` repetition) names the same series.
struct LastLine<'a> {
    name: &'a str,
    procs: Option<&'a str>,
    labels: Labels,
    series: Vec<(&'a str, usize)>,
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
    let mut fields = fields(line);
    let full = fields.next()?;
    if !is_benchmark_name(full) {
        return None;
    }
    fields.next()?.parse::<u64>().ok()?;
    let first = value_pair(&mut fields)?;
    let (name, procs) = split_procs(full);
    Some(ResultLine {
        name,
        procs,
        first,
        rest: fields,
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
        let mut fields = fields(line);
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
        // The last result line: its labels are reused while the configuration and the
        // `-procs` suffix stay the same, its series while the benchmark does too (as they
        // do for every `-count` repetition).
        let mut last: Option<LastLine> = None;
        let mut lines = numbered_lines(input.text);
        while let Some((n, line)) = lines.next() {
            let at = At::line(n as u64);
            if let Some(r) = result_line(line) {
                let (labels, mut series) = match last.take() {
                    Some(l) if l.procs == r.procs && l.name == r.name => (l.labels, l.series),
                    Some(l) if l.procs == r.procs => (l.labels, Vec::new()),
                    _ => (labels_for(&config, r.procs), Vec::new()),
                };
                // A new run of lines of one benchmark: its series get room for them all.
                let run = if series.is_empty() {
                    1 + same_benchmark_ahead(line, lines.clone())
                } else {
                    0
                };
                for (i, (value, unit)) in r.values().enumerate() {
                    let id = match series.get(i) {
                        Some(&(known, id)) if known == unit => id,
                        _ => {
                            let id = out.series_of(&r.metric(unit, &labels, &declared));
                            out.reserve(id, run);
                            series.truncate(i);
                            series.push((unit, id));
                            id
                        }
                    };
                    out.sample_in(id, value, at.clone());
                }
                last = Some(LastLine {
                    name: r.name,
                    procs: r.procs,
                    labels,
                    series,
                });
            } else if other_line(line, at, &mut config, &mut out) {
                last = None;
            }
        }
        out.finish()
    }
}

/// Reads a line that is not a result line: a `--- FAIL:` of a benchmark (a failed run of
/// it) or a configuration line (`goos: linux`); whether the configuration changed.
fn other_line(line: &str, at: At, config: &mut Labels, out: &mut SeriesBuilder) -> bool {
    if let Some(failed) = line.trim().strip_prefix("--- FAIL: ") {
        let full = failed.split_whitespace().next().unwrap_or_default();
        if is_benchmark_name(full) {
            let (name, procs) = split_procs(full);
            let labels = labels_for(config, procs);
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
            return true;
        }
    }
    false
}

/// How many of the `lines` that follow result line `line` start with its benchmark name
/// (with its `-procs` suffix), one after another.
fn same_benchmark_ahead<'t>(line: &str, lines: impl Iterator<Item = (usize, &'t str)>) -> usize {
    let full = line.split_whitespace().next().unwrap_or_default();
    lines
        .take_while(|(_, next)| {
            next.strip_prefix(full)
                .is_some_and(|rest| rest.starts_with(char::is_whitespace))
        })
        .count()
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
    use proptest::prelude::*;

    /// The file read without reusing the last line's labels and series: every value looked
    /// up by its key.
    fn parse_by_key(input: &Input) -> Result<Parsed, ParseError> {
        let declared = unit_directions(input.text);
        let mut out = SeriesBuilder::new(input, NAME);
        let mut config = Labels::new();
        for (n, line) in numbered_lines(input.text) {
            let at = At::line(n as u64);
            if let Some(r) = result_line(line) {
                let labels = labels_for(&config, r.procs);
                for (value, unit) in r.values() {
                    out.sample(&r.metric(unit, &labels, &declared), value, at.clone());
                }
            } else {
                other_line(line, at, &mut config, &mut out);
            }
        }
        out.finish()
    }

    #[test]
    fn counts_the_lines_of_one_benchmark_ahead() {
        let text = "BenchmarkA-8 10 5 ns/op\nBenchmarkA-8\t10 6 ns/op\nBenchmarkA-80 1 1 ns/op\nBenchmarkA-8 1 1 ns/op";
        let mut lines = numbered_lines(text);
        let (_, first) = lines.next().unwrap();
        assert_eq!(same_benchmark_ahead(first, lines), 1);
        assert_eq!(
            same_benchmark_ahead("BenchmarkB 1 1 ns/op", numbered_lines("")),
            0
        );
    }

    proptest! {
        #[test]
        fn repeated_lines_read_as_when_looked_up_by_key(
            lines in prop::collection::vec(prop_oneof![
                6 => Just("BenchmarkA-8 10 5 ns/op 3 B/op"),
                4 => Just("BenchmarkA-8 20 6.5 ns/op 4 B/op 1 allocs/op"),
                2 => Just("BenchmarkA-8 10 7 B/op 8 ns/op"),
                2 => Just("BenchmarkA-8 10 5 ns/op 5 ns/op 2 MB/s"),
                2 => Just("BenchmarkA-4 10 7 ns/op"),
                2 => Just("BenchmarkA 10 7 ns/op 9"),
                2 => Just("BenchmarkA-8\u{a0}10 5 ns/op 3 B/op"),
                3 => Just("BenchmarkB-8 10 1 ns/op 3 B/op"),
                1 => Just("--- FAIL: BenchmarkA-8"),
                1 => Just("pkg: example.com/a"),
                1 => Just("pkg: example.com/b"),
                1 => Just("cpu: Xeon"),
                1 => Just("Unit B/op better=higher"),
            ], 0..24)
        ) {
            let text = lines.join("\n");
            let input = Input { path: "go/bench.txt", text: &text };
            prop_assert_eq!(GoBench.parse(&input), parse_by_key(&input));
        }
    }

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
        assert_eq!(
            generated.values().collect::<Vec<_>>(),
            [(10149055.0, "total-bytes")]
        );
        assert!(!is_benchmark_name("BenchFoo"));
    }
}
