//! Catch2's console report of benchmarks:
//!
//! ```text
//! -------------------------------------------------------------------------------
//! More Fibonacci
//! -------------------------------------------------------------------------------
//! /path/catch2_bench.cpp:13
//! ...............................................................................
//! benchmark name                            samples       iterations    estimated
//!                                           mean          low mean      high mean
//!                                           std dev       low std dev   high std dev
//! -------------------------------------------------------------------------------
//! Fibonacci 10 with                                   100           208     7.1968 ms
//! a long name                                      344 ns        341 ns        349 ns
//!                                                   19 ns         11 ns         29 ns
//! ```
//!
//! Each benchmark takes three rows; long names wrap into the second. Catch2 scales every
//! value to a readable unit, so `mean` and `std dev` are converted to ns. The benchmark is
//! the test case (and section) path plus the benchmark name, as in the XML adapter.

use super::builder::{Labels, Metric, SeriesBuilder};
use super::{number, numbered_lines, to_ns};
use crate::model::Direction;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use regex::Regex;
use std::sync::LazyLock;

pub(super) struct Catch2Console;

const NAME: &str = "catch2-console";

static HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^benchmark name\s+samples\s+iterations\s+est").expect("valid regex")
});

/// First row: name, samples, iterations, estimated total time.
static FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<name>.*?)\s+[0-9]+\s+[0-9]+\s+[0-9.]+\s+[a-zµμ]+\s*$").expect("valid regex")
});

/// Second and third rows: an optional name continuation and three values with units.
static VALUES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<prefix>.*?)\s*(?P<v>[0-9.]+) (?P<u>[a-zµμ]+)\s+[0-9.]+ [a-zµμ]+\s+[0-9.]+ [a-zµμ]+\s*$",
    )
    .expect("valid regex")
});

fn is_rule(line: &str, c: char) -> bool {
    let t = line.trim_end();
    t.len() >= 20 && t.chars().all(|x| x == c)
}

/// Where the reader is inside a report.
enum State {
    /// Outside a benchmark table.
    Outside,
    /// In a table, waiting for a benchmark's first row.
    Table,
    /// Read the first row of `name`; the mean row comes next.
    First { name: String, at: String },
    /// Read the mean; the standard deviation row comes next.
    Mean {
        name: String,
        at: String,
        mean_ns: f64,
    },
}

/// A values row: name continuation and the first value converted to ns.
fn values_row(line: &str) -> Option<(&str, f64)> {
    let c = VALUES.captures(line)?;
    let ns = to_ns(number(&c["v"])?, &c["u"])?;
    Some((c.name("prefix")?.as_str().trim(), ns))
}

impl Adapter for Catch2Console {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        // The header starts with `benchmark name`: one search rules out most files.
        let text = input.text;
        if text.contains("benchmark name")
            && numbered_lines(text)
                .any(|(_, l)| l.starts_with("benchmark name") && HEADER.is_match(l))
        {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let mut out = SeriesBuilder::new(input, NAME);
        let mut state = State::Outside;
        // Lines since the last `----` rule, and the block between the last two rules.
        let mut block: Vec<&str> = Vec::new();
        let mut last_block: Vec<&str> = Vec::new();
        let mut test_case = String::new();
        for (n, line) in numbered_lines(input.text) {
            if is_rule(line, '-') {
                last_block = std::mem::take(&mut block);
                continue;
            }
            block.push(line);
            if is_rule(line, '.') {
                // The dotted rule follows `file:line`, which follows the test case header.
                test_case = last_block
                    .iter()
                    .map(|l| l.trim())
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join("/");
                state = State::Outside;
                continue;
            }
            if HEADER.is_match(line) {
                state = State::Table;
                continue;
            }
            state = match state {
                State::Outside => State::Outside,
                State::Table => match FIRST.captures(line) {
                    Some(c) if !c["name"].trim().is_empty() => State::First {
                        name: c["name"].trim().to_string(),
                        at: format!("line {n}"),
                    },
                    _ => State::Table,
                },
                State::First { name, at } => match values_row(line) {
                    Some((more, mean_ns)) => {
                        let name = if more.is_empty() {
                            name
                        } else {
                            format!("{name} {more}")
                        };
                        State::Mean { name, at, mean_ns }
                    }
                    None => {
                        out.warn(format!("{at}: benchmark `{name}` has no mean row; ignored"));
                        State::Table
                    }
                },
                State::Mean { name, at, mean_ns } => {
                    let sd = values_row(line).map(|(_, sd)| sd);
                    record(&mut out, &test_case, &name, &at, mean_ns, sd);
                    State::Table
                }
            };
        }
        if let State::Mean { name, at, mean_ns } = state {
            // The report ended right after a mean row.
            record(&mut out, &test_case, &name, &at, mean_ns, None);
        }
        out.finish()
    }
}

/// Records the mean and standard deviation (ns) of benchmark `name` in `test_case`.
fn record(
    out: &mut SeriesBuilder,
    test_case: &str,
    name: &str,
    at: &str,
    mean: f64,
    sd: Option<f64>,
) {
    let benchmark = if test_case.is_empty() {
        name.to_string()
    } else {
        format!("{test_case}/{name}")
    };
    let labels = Labels::new();
    let metric = |metric| Metric {
        benchmark: &benchmark,
        metric,
        labels: &labels,
        unit: "ns",
        direction: Direction::LowerIsBetter,
    };
    out.sample(&metric("mean"), mean, at);
    if let Some(sd) = sd {
        out.sample(&metric("std_dev"), sd, at);
    }
}
