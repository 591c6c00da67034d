//! criterion's `raw.csv`, the one output criterion documents as stable: one row per sample,
//!
//! ```text
//! group,function,value,throughput_num,throughput_type,sample_measured_value,unit,iteration_count
//! simple_iter,legion,,,,1007600.0,ns,91
//! ```
//!
//! The benchmark id is `group/function/value` (empty parts left out), so files concatenated
//! from several benchmarks are read correctly. Each row's measured value divided by its
//! iteration count is a per-iteration sample, as in `sample.json`.

use super::builder::{malformed, SeriesBuilder};
use super::criterion::record_per_iteration;
use super::number;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use std::collections::HashMap;

pub(super) struct CriterionCsv;

const NAME: &str = "criterion-csv";

const HEADER: [&str; 8] = [
    "group",
    "function",
    "value",
    "throughput_num",
    "throughput_type",
    "sample_measured_value",
    "unit",
    "iteration_count",
];

/// The samples of one benchmark, in file order.
struct Benchmark {
    id: String,
    unit: String,
    first_line: u64,
    totals: Vec<f64>,
    iters: Vec<f64>,
}

fn has_header(text: &str) -> bool {
    let first = text
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap_or_default();
    first.trim_end().split(',').eq(HEADER)
}

impl Adapter for CriterionCsv {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        if has_header(input.text) {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        if !has_header(input.text) {
            return Err(malformed(
                NAME,
                format!("the header is not `{}`", HEADER.join(",")),
            ));
        }
        let mut out = SeriesBuilder::new(input, NAME);
        let mut benchmarks: Vec<Benchmark> = Vec::new();
        let mut index: HashMap<(String, String), usize> = HashMap::new();
        let mut bad_rows = 0usize;
        let mut reader =
            csv::Reader::from_reader(input.text.trim_start_matches('\u{feff}').as_bytes());
        for record in reader.records() {
            let Ok(row) = record else {
                bad_rows += 1;
                continue;
            };
            let field = |i: usize| row.get(i).unwrap_or_default().trim();
            let (Some(total), Some(iters)) = (number(field(5)), number(field(7))) else {
                bad_rows += 1;
                continue;
            };
            let id = [field(0), field(1), field(2)]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("/");
            let unit = field(6);
            let line = row.position().map_or(0, |p| p.line());
            let i = *index
                .entry((id.clone(), unit.to_string()))
                .or_insert_with(|| {
                    benchmarks.push(Benchmark {
                        id,
                        unit: unit.to_string(),
                        first_line: line,
                        totals: Vec::new(),
                        iters: Vec::new(),
                    });
                    benchmarks.len() - 1
                });
            benchmarks[i].totals.push(total);
            benchmarks[i].iters.push(iters);
        }
        if bad_rows > 0 {
            out.warn(format!(
                "{bad_rows} row(s) without a numeric sample_measured_value and iteration_count were ignored"
            ));
        }
        for b in &benchmarks {
            let at = format!("line {}", b.first_line);
            record_per_iteration(&mut out, &b.id, &b.unit, &b.totals, &b.iters, &at);
        }
        out.finish()
    }
}
