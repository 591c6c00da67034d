//! The console output of libtest's `cargo bench` (`test name ... bench: 1,234 ns/iter (+/- 56)`),
//! which is also what criterion prints with `--output-format bencher`. Times per iteration
//! are converted to ns; other units (`cycles/iter`, `MB/s`) are kept as written. A
//! `test name ... FAILED` line counts as a failed run of that benchmark.

use super::builder::{Labels, Metric, SeriesBuilder};
use super::{number, numbered_lines, to_ns};
use crate::direction;
use crate::model::Direction;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use regex::Regex;
use std::sync::LazyLock;

pub(super) struct Libtest;

const NAME: &str = "libtest-bench";

static BENCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^test (?P<name>.+?)\s+\.\.\. bench:\s+(?P<value>[0-9][0-9,]*(?:\.[0-9]+)?)\s+(?P<unit>\S+)(?:\s+\(\+/-\s*[0-9][0-9,.]*\))?\s*$",
    )
    .expect("valid regex")
});

static FAILED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^test (?P<name>.+?)\s+\.\.\. FAILED\s*$").expect("valid regex"));

/// The parts of a `bench:` result line.
fn bench_line(line: &str) -> Option<regex::Captures<'_>> {
    line.starts_with("test ")
        .then(|| BENCH.captures(line))
        .flatten()
}

/// Reads one line if it is a libtest bench result or failure; returns whether it was.
pub(super) fn read_line(line: &str, at: &str, out: &mut SeriesBuilder) -> bool {
    if !line.starts_with("test ") {
        return false;
    }
    let labels = Labels::new();
    if let Some(c) = bench_line(line) {
        let Some(value) = number(&c["value"]) else {
            return false;
        };
        let unit = &c["unit"];
        let per_iter = unit.strip_suffix("/iter");
        match per_iter.and_then(|u| to_ns(value, u)) {
            Some(ns) => out.sample(&time_metric(&c["name"], &labels), ns, at),
            None => {
                let direction = if per_iter.is_some() {
                    // A cost per iteration (`cycles/iter`).
                    Direction::LowerIsBetter
                } else {
                    direction::infer(unit, unit)
                };
                let metric = Metric {
                    benchmark: &c["name"],
                    metric: unit,
                    labels: &labels,
                    unit,
                    direction,
                };
                out.sample(&metric, value, at);
            }
        }
        return true;
    }
    if let Some(c) = FAILED.captures(line) {
        out.failed(&time_metric(&c["name"], &labels), 1, at);
        return true;
    }
    false
}

fn time_metric<'a>(name: &'a str, labels: &'a Labels) -> Metric<'a> {
    Metric {
        benchmark: name,
        metric: "time",
        labels,
        unit: "ns",
        direction: Direction::LowerIsBetter,
    }
}

impl Adapter for Libtest {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        // Bench lines start with `test `: one search rules out most files.
        let text = input.text;
        let test_line = text.starts_with("test ") || text.contains("\ntest ");
        if test_line && numbered_lines(text).any(|(_, l)| bench_line(l).is_some()) {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let mut out = SeriesBuilder::new(input, NAME);
        for (n, line) in numbered_lines(input.text) {
            read_line(line, &format!("line {n}"), &mut out);
        }
        out.finish()
    }
}
