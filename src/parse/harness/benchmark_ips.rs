//! Ruby benchmark-ips console output (`Benchmark.ips`): under `Calculating ----`, one line
//! per report,
//!
//! ```text
//!             addition     36.209M (± 2.8%) i/s   (27.62 ns/i) -    182.253M in   5.037433s
//! addition-test-long-label
//!                          36.164M (± 5.8%) i/s   (27.65 ns/i) -    181.312M in   5.038364s
//! ```
//!
//! A label too long for the column is printed on a line of its own. The iterations per
//! second (scaled with `k`, `M`, `B`, `T`, `Q`) are the `ips` metric, higher is better; the
//! `±` error percentage is `error`, lower is better. The warm-up section and the
//! `Comparison:` summary restate these numbers and are not read.

use super::builder::{Labels, Metric, SeriesBuilder};
use super::numbered_lines;
use crate::model::Direction;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use regex::Regex;
use std::sync::LazyLock;

pub(super) struct BenchmarkIps;

const NAME: &str = "benchmark-ips";

/// The measurement of a report line, after its label (if any).
static MEASURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:(?P<label>.*?)\s+)?(?P<ips>[0-9]+(?:\.[0-9]+)?)(?P<scale>[kMBTQ]?) \(±\s*(?P<err>[0-9]+(?:\.[0-9]+)?)%\) i/s\b")
        .expect("valid regex")
});

fn scale(suffix: &str) -> f64 {
    match suffix {
        "k" => 1e3,
        "M" => 1e6,
        "B" => 1e9,
        "T" => 1e12,
        "Q" => 1e15,
        _ => 1.0,
    }
}

fn is_section(line: &str, title: &str) -> bool {
    line.trim_start().starts_with(title) && line.contains("----")
}

impl Adapter for BenchmarkIps {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        let text = input.text;
        if text.contains("Calculating -----")
            && text.contains(" i/s")
            && numbered_lines(text).any(|(_, l)| MEASURE.is_match(l))
        {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let mut out = SeriesBuilder::new(input, NAME);
        let labels = Labels::new();
        let mut calculating = false;
        // A label printed alone, waiting for its measurement on the next line.
        let mut pending: Option<String> = None;
        for (n, line) in numbered_lines(input.text) {
            if is_section(line, "Calculating") {
                calculating = true;
                pending = None;
                continue;
            }
            if !calculating {
                continue;
            }
            let t = line.trim();
            if t.starts_with("Comparison:") || is_section(line, "Warming up") {
                calculating = false;
                pending = None;
                continue;
            }
            if t.is_empty() {
                continue;
            }
            let Some(caps) = MEASURE.captures(line) else {
                pending = Some(t.to_string());
                continue;
            };
            let label = caps
                .name("label")
                .map(|m| m.as_str().trim())
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .or_else(|| pending.take());
            pending = None;
            let Some(benchmark) = label else {
                out.warn(format!("line {n}: a report without a label was ignored"));
                continue;
            };
            let number = |key: &str| {
                caps.name(key)
                    .and_then(|m| m.as_str().parse::<f64>().ok())
                    .unwrap_or(f64::NAN)
            };
            let ips = number("ips") * scale(caps.name("scale").map_or("", |m| m.as_str()));
            let at = format!("line {n}");
            let metric = |metric, unit, direction| Metric {
                benchmark: &benchmark,
                metric,
                labels: &labels,
                unit,
                direction,
            };
            out.sample(&metric("ips", "i/s", Direction::HigherIsBetter), ips, &at);
            out.sample(
                &metric("error", "%", Direction::LowerIsBetter),
                number("err"),
                &at,
            );
        }
        out.finish()
    }
}
