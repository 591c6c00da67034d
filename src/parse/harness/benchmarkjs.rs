//! benchmark.js's console lines (`String(bench)`):
//! `fib(10) x 1,431,759 ops/sec ±0.74% (93 runs sampled)`. The rate is the `throughput`
//! metric in operations per second (higher is better).

use super::builder::{Labels, Metric, SeriesBuilder};
use super::{number, numbered_lines};
use crate::model::Direction;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use regex::Regex;
use std::sync::LazyLock;

pub(super) struct BenchmarkJs;

const NAME: &str = "benchmark.js";

static LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<name>.+) x (?P<ops>[0-9][0-9,]*(?:\.[0-9]+)?) ops/sec (?:±|\+/-|\+-)\s*[0-9.]+% \([0-9]+ runs? sampled\)\s*$",
    )
    .expect("valid regex")
});

/// The name and rate of a result line.
fn result(line: &str) -> Option<(&str, f64)> {
    if !line.contains(" ops/sec ") {
        return None;
    }
    let c = LINE.captures(line)?;
    Some((
        c.name("name")?.as_str().trim(),
        number(c.name("ops")?.as_str())?,
    ))
}

impl Adapter for BenchmarkJs {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        // Every result line holds ` ops/sec `: one search rules out most files.
        let text = input.text;
        if text.contains(" ops/sec ") && numbered_lines(text).any(|(_, l)| result(l).is_some()) {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let mut out = SeriesBuilder::new(input, NAME);
        let labels = Labels::new();
        for (n, line) in numbered_lines(input.text) {
            let Some((name, ops)) = result(line) else {
                continue;
            };
            let metric = Metric {
                benchmark: name,
                metric: "throughput",
                labels: &labels,
                unit: "ops/s",
                direction: Direction::HigherIsBetter,
            };
            out.sample(&metric, ops, format!("line {n}"));
        }
        out.finish()
    }
}
