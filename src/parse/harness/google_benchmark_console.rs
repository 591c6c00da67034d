//! Google Benchmark's console table (the default `--benchmark_format=console`):
//!
//! ```text
//! Benchmark                          Time             CPU   Iterations
//! --------------------------------------------------------------------
//! BM_reduce/150x150/real_time      398 ms         9.38 ms            2
//! BM_reduce/150x150/real_time_mean 424 ms         11.5 ms           10
//! ```
//!
//! Each row gives `real_time` and `cpu_time`, converted to ns as the JSON adapter does, so a
//! project can switch between the two outputs. Repeated rows (`--benchmark_repetitions`) are
//! samples; the `_mean`, `_median`, `_stddev` and `_cv` rows summarise them and are read only
//! for a benchmark that has no plain rows (`--benchmark_report_aggregates_only`). Names may
//! hold spaces. User counters after the iteration count are not read. Output pasted into Markdown notes often
//! holds several runs under headings (`## RGB`, `## RGBX`): the heading above a table is its
//! `section` label, so that the runs stay apart.

use super::builder::{Labels, Metric, SeriesBuilder};
use super::{number, numbered_lines, to_ns};
use crate::model::Direction::LowerIsBetter;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use std::collections::HashSet;

pub(super) struct GoogleBenchmarkConsole;

const NAME: &str = "google-benchmark-console";

const AGGREGATES: [&str; 4] = ["_mean", "_median", "_stddev", "_cv"];

fn is_header(line: &str) -> bool {
    let mut words = line.split_whitespace();
    ["Benchmark", "Time", "CPU", "Iterations"]
        .iter()
        .all(|w| words.next() == Some(w))
}

/// The benchmark an aggregate row (`x_mean`, `x_cv`) summarises; `None` for a plain row.
fn aggregate(name: &str) -> Option<&str> {
    AGGREGATES.iter().find_map(|a| name.strip_suffix(a))
}

/// One table row: name, real time and CPU time in ns. `None` for anything else.
///
/// The name is everything before the first run of `time unit time unit iterations`, so that
/// names given with spaces (`->Name("fpcap (pcap)")`) are read whole.
fn row(line: &str) -> Option<(&str, f64, f64)> {
    let tokens: Vec<(usize, &str)> = line
        .split_whitespace()
        .map(|t| (t.as_ptr() as usize - line.as_ptr() as usize, t))
        .collect();
    let start = tokens.first()?.0;
    (1..tokens.len()).find_map(|i| {
        let [(at, real), (_, real_unit), (_, cpu), (_, cpu_unit), (_, iterations), ..] =
            tokens[i..]
        else {
            return None;
        };
        number(iterations)?;
        let real = to_ns(number(real)?, real_unit)?;
        let cpu = to_ns(number(cpu)?, cpu_unit)?;
        Some((line[start..at].trim_end(), real, cpu))
    })
}

impl Adapter for GoogleBenchmarkConsole {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        // The header holds `Benchmark` and `Iterations`; most files are ruled out by a
        // search for each.
        let text = input.text;
        if text.contains("Benchmark")
            && text.contains("Iterations")
            && numbered_lines(text).any(|(_, l)| is_header(l))
        {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        // Rows are read first, so that aggregates can be kept where nothing else is.
        let mut rows: Vec<(usize, String, &str, f64, f64)> = Vec::new();
        let mut section = String::new();
        let mut in_table = false;
        for (n, line) in numbered_lines(input.text) {
            if let Some(heading) = line.strip_prefix('#').filter(|_| !in_table) {
                section = heading.trim_start_matches('#').trim().replace('`', "");
                continue;
            }
            if is_header(line) {
                in_table = true;
                continue;
            }
            if !in_table || line.starts_with("---") {
                continue;
            }
            if line.trim().is_empty() || line.starts_with("```") {
                in_table = false;
                continue;
            }
            // Rows in other units (`_cv` in percent) and error lines are not times.
            if let Some((name, real, cpu)) = row(line) {
                rows.push((n, section.clone(), name, real, cpu));
            }
        }
        let plain: HashSet<(String, &str)> = rows
            .iter()
            .filter(|(_, _, name, _, _)| aggregate(name).is_none())
            .map(|(_, section, name, _, _)| (section.clone(), *name))
            .collect();
        let mut out = SeriesBuilder::new(input, NAME);
        for (n, section, name, real, cpu) in &rows {
            let benchmark = match aggregate(name) {
                None => *name,
                // The mean stands in for the repetitions only when they were not printed.
                Some(base)
                    if name.ends_with("_mean") && !plain.contains(&(section.clone(), base)) =>
                {
                    base
                }
                Some(_) => continue,
            };
            let mut labels = Labels::new();
            if !section.is_empty() {
                labels.insert("section".to_string(), section.clone());
            }
            let at = format!("line {n}");
            for (metric, value) in [("real_time", *real), ("cpu_time", *cpu)] {
                let m = Metric {
                    benchmark,
                    metric,
                    labels: &labels,
                    unit: "ns",
                    direction: LowerIsBetter,
                };
                out.sample(&m, value, &at);
            }
        }
        out.finish()
    }
}
