//! airspeed velocity's console output (`asv run`, `asv continuous`):
//!
//! ```text
//! [  0.00%] ·· Benchmarking virtualenv-py3.6
//! [ 80.00%] ··· benchmarks.MemSuite.mem_list3                                2.11k
//! [ 90.00%] ··· benchmarks.TimeSuite.time_keys3                         9.07±0.5μs
//! [100.00%] ··· benchmarks.TimeSuite.time_xrange3                           failed
//! ```
//!
//! Each `···` line with a value is one benchmark's result: times (`9.07±0.5μs`, the spread
//! dropped) in seconds and `mem_*`/`peakmem_*` sizes (`2.11k`, asv's decimal prefixes) in
//! bytes, both lower is better, as in asv's result files; `track_*` values keep no unit.
//! `failed` counts a failed run. The environment from the `·· Benchmarking <env>` line
//! before is the `env` label. Tables of parameterised benchmarks are not read.

use super::builder::{Labels, Metric, SeriesBuilder};
use super::numbered_lines;
use crate::direction;
use crate::model::Direction;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use crate::units;

pub(super) struct AsvConsole;

const NAME: &str = "asv-console";

/// asv's three-dot marker of a benchmark line.
const RESULT: &str = "··· ";
const BENCHMARKING: &str = "·· Benchmarking ";

/// The benchmark name and its value text of a result line.
fn result_line(line: &str) -> Option<(&str, &str)> {
    let rest = line.split_once("] ")?.1;
    let rest = rest.strip_prefix(RESULT)?;
    let mut fields = rest.split_whitespace();
    let name = fields.next()?;
    let value = fields.next()?;
    let dotted = name.contains('.') && !name.starts_with('(') && fields.next().is_none();
    dotted.then_some((name, value))
}

/// The kind prefix of the benchmark's own name: `time_`, `mem_`, `track_`, ...
fn kind(name: &str) -> &str {
    let last = name.rsplit('.').next().unwrap_or(name);
    last.split('_').next().unwrap_or_default()
}

/// A memory size as asv prints it (`2.11k`, `1.5M`, `512`), in bytes.
fn bytes(text: &str) -> Option<f64> {
    let (digits, factor) = match text.char_indices().last()? {
        (i, 'k') => (&text[..i], 1e3),
        (i, 'M') => (&text[..i], 1e6),
        (i, 'G') => (&text[..i], 1e9),
        (i, 'T') => (&text[..i], 1e12),
        _ => (text, 1.0),
    };
    digits.parse::<f64>().ok().map(|v| v * factor)
}

impl Adapter for AsvConsole {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        let text = input.text;
        if text.contains(RESULT) && numbered_lines(text).any(|(_, l)| result_line(l).is_some()) {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let mut out = SeriesBuilder::new(input, NAME);
        let mut env: Option<String> = None;
        for (n, line) in numbered_lines(input.text) {
            if let Some(name) = line.split_once(BENCHMARKING).map(|(_, e)| e.trim()) {
                env = Some(name.to_string());
                continue;
            }
            let Some((name, value)) = result_line(line) else {
                continue;
            };
            let mut labels = Labels::new();
            if let Some(env) = &env {
                labels.insert("env".to_string(), env.clone());
            }
            let (unit, measured) = match kind(name) {
                "time" | "timeraw" => ("s", time(value)),
                "mem" | "peakmem" => ("B", bytes(value)),
                _ => ("", units::parse_quantity(value).map(|q| q.value)),
            };
            let direction = match unit {
                "" => direction::infer(name.rsplit('.').next().unwrap_or(name), unit),
                _ => Direction::LowerIsBetter,
            };
            let m = Metric {
                benchmark: name,
                metric: "value",
                labels: &labels,
                unit,
                direction,
            };
            let at = format!("line {n}");
            match measured {
                Some(v) => out.sample(&m, v, &at),
                // `failed`, or a value that is not a number (`n/a` for a skipped one is not
                // printed as a result).
                None => out.failed(&m, 1, &at),
            }
        }
        out.finish()
    }
}

/// A time as asv prints it (`9.07±0.5μs`), in seconds.
fn time(text: &str) -> Option<f64> {
    let q = units::parse_quantity(text)?;
    units::convert(q.value, &q.unit, "s")
}
