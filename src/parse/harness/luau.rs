//! The output of Luau's benchmark runner (`bench/bench.py`): one line per benchmark,
//! `SUCCESS: base64   :   15.041ms +/-  0.636% on luau`, then a `RESULTS` table of
//! `Test | Min | Average | StdDev% | Driver`.
//!
//! Table rows give `min` and `mean` (milliseconds, lower is better) and `stddev` (percent,
//! lower is better) per test, with the driver (the VM that ran it) as a label; the `Total`
//! row adds the others up and is not read. Without a table (a run cut short), the
//! `SUCCESS:` lines give the mean and the spread; `FAILED:` lines count failed runs.

use super::builder::{Labels, Metric, SeriesBuilder};
use super::numbered_lines;
use crate::model::Direction::LowerIsBetter;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use crate::units;
use regex::Regex;
use std::sync::LazyLock;

pub(super) struct Luau;

const NAME: &str = "luau-bench";

static SUCCESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^SUCCESS:\s*(?P<name>.+?)\s*:\s*(?P<mean>[0-9.]+)\s*(?P<unit>[a-zµ]+)\s*\+/-\s*(?P<sd>[0-9.]+)%\s*on\s+(?P<driver>\S+)")
        .expect("valid regex")
});

/// The cells of a `RESULTS` table row: test, min, average, stddev%, driver.
fn table_row(line: &str) -> Option<[&str; 5]> {
    let cells: Vec<&str> = line.split('|').map(str::trim).collect();
    match cells.as_slice() {
        [test, min, avg, sd, driver] if !test.is_empty() && *test != "Test" => {
            Some([test, min, avg, sd, driver])
        }
        _ => None,
    }
}

impl Adapter for Luau {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        let text = input.text;
        // The search for the line's prefix rules out most files without reading lines.
        if text.contains("SUCCESS:") && numbered_lines(text).any(|(_, l)| SUCCESS.is_match(l))
            || text.contains("RESULTS=====") && text.contains("| StdDev% |")
        {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let mut out = SeriesBuilder::new(input, NAME);
        let table = input.text.contains("RESULTS=====");
        let mut in_table = false;
        for (n, line) in numbered_lines(input.text) {
            let at = format!("line {n}");
            if line.contains("RESULTS=====") {
                in_table = true;
                continue;
            }
            if let Some(name) = line.strip_prefix("FAILED:") {
                let labels = Labels::new();
                let name = name.split(':').next().unwrap_or_default().trim();
                let m = metric(name, "mean", "ms", &labels);
                out.failed(&m, 1, &at);
                continue;
            }
            if in_table {
                let Some([test, min, avg, sd, driver]) = table_row(line) else {
                    continue;
                };
                if test == "Total" {
                    continue;
                }
                let mut labels = Labels::new();
                labels.insert("driver".to_string(), driver.to_string());
                record_time(&mut out, &metric(test, "min", "ms", &labels), min, &at);
                record_time(&mut out, &metric(test, "mean", "ms", &labels), avg, &at);
                if let Some(sd) = units::parse_quantity(sd).filter(|q| q.unit == "%") {
                    out.sample(&metric(test, "stddev", "%", &labels), sd.value, &at);
                }
            } else if !table {
                let Some(caps) = SUCCESS.captures(line) else {
                    continue;
                };
                let mut labels = Labels::new();
                labels.insert("driver".to_string(), caps["driver"].to_string());
                let cell = format!("{}{}", &caps["mean"], &caps["unit"]);
                record_time(
                    &mut out,
                    &metric(&caps["name"], "mean", "ms", &labels),
                    &cell,
                    &at,
                );
                if let Ok(sd) = caps["sd"].parse::<f64>() {
                    out.sample(&metric(&caps["name"], "stddev", "%", &labels), sd, &at);
                }
            }
        }
        out.finish()
    }
}

fn metric<'a>(benchmark: &'a str, name: &'a str, unit: &'a str, labels: &'a Labels) -> Metric<'a> {
    Metric {
        benchmark,
        metric: name,
        labels,
        unit,
        direction: LowerIsBetter,
    }
}

/// Records a time cell (`14.831ms`) in the metric's unit; a cell that is not a time is a
/// failed measurement.
fn record_time(out: &mut SeriesBuilder, m: &Metric, cell: &str, at: &str) {
    let value = units::parse_quantity(cell).and_then(|q| units::convert(q.value, &q.unit, m.unit));
    match value {
        Some(v) => out.sample(m, v, at),
        None => out.failed(m, 1, at),
    }
}
