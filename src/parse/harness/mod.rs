//! Adapters for the classic benchmark harnesses: criterion (JSON files, `raw.csv`,
//! cargo-criterion messages, console text), libtest `cargo bench`, Google Benchmark (JSON
//! and console), pytest-benchmark, hyperfine, `go test -bench`, JMH, BenchmarkDotNet, Catch2,
//! benchmark.js, vitest bench, `deno bench`, Julia BenchmarkTools, gungraun/iai-callgrind, Ruby
//! benchmark-ips, Luau's benchmark runner and airspeed velocity (asv: result files and
//! console output); and
//! `benchstat` output, recognised so that it is reported as a comparison, not read as data.
//!
//! Where a tool defines what a number means (its unit, which way is better) the adapter says
//! so explicitly; only free-form units fall back to [`crate::direction::infer`]. Tools that
//! scale their units per benchmark are converted to one unit per tool, so that a base and a
//! head run always produce comparable series.

mod asv_console;
mod asv_results;
mod benchmark_ips;
mod benchmarkdotnet;
mod benchmarkjs;
mod benchmarktools;
mod benchstat;
mod builder;
mod callgrind;
mod cargo_criterion;
mod catch2_console;
mod catch2_xml;
mod criterion;
mod criterion_console;
mod criterion_csv;
mod deno_bench;
mod go_bench;
mod google_benchmark;
mod google_benchmark_console;
mod hyperfine;
mod jmh;
mod libtest;
mod luau;
mod pytest_benchmark;
mod vitest;

use super::{Adapter, Confidence, ParseError};
use crate::units;
use serde_json::Value;

/// The adapters of this family, in detection priority order. The criterion console adapter
/// precedes libtest because `cargo bench` output can hold both kinds of results, and it
/// reads both.
pub static ADAPTERS: &[&dyn Adapter] = &[
    &criterion::Criterion,
    &criterion_csv::CriterionCsv,
    &cargo_criterion::CargoCriterion,
    &criterion_console::CriterionConsole,
    &libtest::Libtest,
    &google_benchmark::GoogleBenchmark,
    &google_benchmark_console::GoogleBenchmarkConsole,
    &pytest_benchmark::PytestBenchmark,
    &hyperfine::Hyperfine,
    &go_bench::GoBench,
    &benchstat::Benchstat,
    &jmh::Jmh,
    &benchmarkdotnet::BenchmarkDotNet,
    &catch2_xml::Catch2Xml,
    &catch2_console::Catch2Console,
    &benchmarkjs::BenchmarkJs,
    &vitest::Vitest,
    &deno_bench::DenoBench,
    &benchmarktools::BenchmarkTools,
    &callgrind::Callgrind,
    &benchmark_ips::BenchmarkIps,
    &luau::Luau,
    &asv_results::AsvResults,
    &asv_console::AsvConsole,
];

/// Converts a time in `unit` to nanoseconds. Picoseconds (criterion prints them for very
/// fast functions) are handled here; everything else goes through [`units::convert`].
fn to_ns(value: f64, unit: &str) -> Option<f64> {
    match unit.trim() {
        "ps" => Some(value / 1000.0),
        u => units::convert(value, u, "ns"),
    }
}

/// True when the first non-blank character of `text` is `open` (`{` or `[`), a cheap test
/// run before a full JSON parse.
fn starts_with_json(text: &str, open: char) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with(open)
}

/// Parses a whole JSON document for adapter `format`.
fn parse_json(text: &str, format: &'static str) -> Result<Value, ParseError> {
    serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| builder::malformed(format, e))
}

/// Detection shared by the JSON-report adapters: the text opens with `open`, mentions the
/// tool's `marker` key (both cheap tests first), parses, and `is_report` accepts it.
fn detect_json_report(
    text: &str,
    open: char,
    marker: &str,
    is_report: fn(&Value) -> bool,
) -> Confidence {
    if !starts_with_json(text, open) || !text.contains(marker) {
        return Confidence::No;
    }
    match try_json(text) {
        Some(doc) if is_report(&doc) => Confidence::Certain,
        _ => Confidence::No,
    }
}

/// Parses `text` as JSON when it starts like a JSON object or array; `None` otherwise.
fn try_json(text: &str) -> Option<Value> {
    if starts_with_json(text, '{') || starts_with_json(text, '[') {
        serde_json::from_str(text.trim_start_matches('\u{feff}')).ok()
    } else {
        None
    }
}

/// A JSON value written as a label: strings as they are, other scalars as JSON text.
fn label_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The numbers of a JSON array (non-numbers skipped) and how many entries were skipped.
fn numbers(v: &Value) -> (Vec<f64>, usize) {
    let items = v.as_array().map(Vec::as_slice).unwrap_or_default();
    let values: Vec<f64> = items.iter().filter_map(Value::as_f64).collect();
    let skipped = items.len() - values.len();
    (values, skipped)
}

/// Parses a bare number as tools print it (`1,234.5`, `2.0688`, `3e+06`); `None` for
/// anything with a unit attached, NaN or infinities.
fn number(text: &str) -> Option<f64> {
    units::parse_quantity(text)
        .filter(|q| q.unit.is_empty())
        .map(|q| q.value)
}

/// The lines of `text` without line terminators (`\r\n` and `\n`), numbered from 1.
fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> + Clone {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
}

/// The whitespace-separated fields of `line`, exactly as [`str::split_whitespace`] gives
/// them; an ASCII line (most result lines) is split byte by byte.
fn fields(line: &str) -> Fields<'_> {
    if line.is_ascii() {
        Fields::Ascii(line)
    } else {
        Fields::Unicode(line.split_whitespace())
    }
}

/// The iterator of [`fields`]: over the rest of an ASCII line, or over any line.
#[derive(Debug, Clone)]
enum Fields<'a> {
    Ascii(&'a str),
    Unicode(std::str::SplitWhitespace<'a>),
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        match self {
            Fields::Unicode(split) => split.next(),
            Fields::Ascii(rest) => {
                let Some(start) = rest.bytes().position(|b| !is_ascii_space(b)) else {
                    *rest = "";
                    return None;
                };
                let field = &rest[start..];
                let end = field
                    .bytes()
                    .position(is_ascii_space)
                    .unwrap_or(field.len());
                let (field, after) = field.split_at(end);
                *rest = after;
                Some(field)
            }
        }
    }
}

/// The ASCII characters [`char::is_whitespace`] accepts: tab, line feed, vertical tab, form
/// feed, carriage return and space.
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn fields_split_like_split_whitespace(
            line in "[a1 \t\u{b}\u{c}\r\n\u{1c}\u{85}\u{a0}\u{3000}é-]{0,24}"
        ) {
            let split: Vec<&str> = line.split_whitespace().collect();
            prop_assert_eq!(fields(&line).collect::<Vec<_>>(), split);
        }

        #[test]
        fn ascii_fields_split_like_split_whitespace(line in "[ -~\t\u{b}\u{c}\r\n\u{1c}]{0,24}") {
            let split: Vec<&str> = line.split_whitespace().collect();
            prop_assert_eq!(fields(&line).collect::<Vec<_>>(), split);
        }
    }

    #[test]
    fn number_reads_separators_and_rejects_words() {
        assert_eq!(number("1,431,759"), Some(1431759.0));
        assert_eq!(number("148.70"), Some(148.7));
        assert_eq!(number("2e+06"), Some(2e6));
        assert_eq!(number("NaN"), None);
        assert_eq!(number("inf"), None);
        assert_eq!(number("-"), None);
    }

    #[test]
    fn picoseconds_are_converted_here() {
        assert_eq!(to_ns(320.62, "ps"), Some(0.32062));
        assert_eq!(to_ns(7.0, "ns"), Some(7.0));
    }
}
