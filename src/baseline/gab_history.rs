//! github-action-benchmark's history, the `data.js` it keeps on its `gh-pages` branch
//! (`window.BENCHMARK_DATA = {"entries": {suite: [entry, ...]}}`, oldest entry first; each
//! entry is one run: `commit`, `date`, `tool` and `benches: [{name, value, unit, range?}]`).
//!
//! A project switching from that action keeps its history: the newest entry of a suite is the
//! baseline and the entries before it are earlier runs (the noise band). The file knows only
//! a benchmark's name and unit, so each bench is matched with the head's series of the same
//! benchmark (for Go's `name - unit` spelling, the benchmark `name` and metric `unit`) whose
//! unit is the bench's unit or converts from it (`ns/iter` is `ns`); the base series then
//! takes that series' key, unit and direction. Benches with no single counterpart are left
//! out and counted.

use crate::model::{Origin, Series};
use crate::units;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The assignment that opens every `data.js`.
const PREFIX: &str = "window.BENCHMARK_DATA";

/// Why a `data.js` cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HistoryError {
    #[error("{path}: not a github-action-benchmark data.js (it must start with `window.BENCHMARK_DATA = {{`)")]
    NotDataJs { path: String },
    #[error("{path}: malformed data.js: {reason}")]
    Malformed { path: String, reason: String },
    #[error("{path}: no benchmark suite in `entries`; give a data.js that holds at least one run")]
    Empty { path: String },
    #[error("{path}: holds several suites ({available}); choose one with --base-suite")]
    Ambiguous { path: String, available: String },
    #[error("{path}: no suite named {name:?}; it holds {available}")]
    UnknownSuite {
        path: String,
        name: String,
        available: String,
    },
}

/// One run of a suite.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Entry {
    #[serde(default)]
    pub commit: Value,
    /// Milliseconds since the epoch.
    #[serde(default)]
    pub date: Option<f64>,
    #[serde(default)]
    pub tool: String,
    #[serde(default)]
    pub benches: Vec<Bench>,
}

impl Entry {
    /// The commit the run measured.
    pub fn sha(&self) -> Option<&str> {
        self.commit.get("id").and_then(Value::as_str)
    }
}

/// One benchmark result of a run.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Bench {
    pub name: String,
    pub value: Value,
    #[serde(default)]
    pub unit: String,
}

#[derive(Deserialize)]
struct Data {
    #[serde(default)]
    entries: BTreeMap<String, Vec<Entry>>,
}

/// The runs of one suite of a `data.js`.
#[derive(Debug, Clone, PartialEq)]
pub struct Suite {
    pub name: String,
    /// Oldest first, as the file keeps them.
    pub entries: Vec<Entry>,
}

/// The series of the newest runs of a suite, matched with the head's.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Runs {
    /// Newest first: the baseline, then earlier runs.
    pub runs: Vec<Vec<Series>>,
    /// Benchmark names of the newest run that match no head series, sorted.
    pub unmatched: Vec<String>,
}

/// True when `text` is a `data.js` (possibly after a byte-order mark and blank lines).
pub fn is_data_js(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with(PREFIX)
}

/// Reads suite `name` of the `data.js` text at `path`; without a name, the file must hold
/// exactly one suite.
pub fn read_suite(path: &str, text: &str, name: Option<&str>) -> Result<Suite, HistoryError> {
    let body = text.trim_start_matches('\u{feff}').trim_start();
    let Some(rest) = body.strip_prefix(PREFIX) else {
        return Err(HistoryError::NotDataJs { path: path.into() });
    };
    let Some(json) = rest.trim_start().strip_prefix('=') else {
        return Err(HistoryError::NotDataJs { path: path.into() });
    };
    let json = json.trim().trim_end_matches(';');
    let data: Data = serde_json::from_str(json).map_err(|e| HistoryError::Malformed {
        path: path.into(),
        reason: e.to_string(),
    })?;
    let available = || {
        data.entries
            .keys()
            .map(|k| format!("{k:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (suite, entries) = match name {
        Some(name) => {
            data.entries
                .get_key_value(name)
                .ok_or_else(|| HistoryError::UnknownSuite {
                    path: path.into(),
                    name: name.into(),
                    available: available(),
                })?
        }
        None => {
            let mut all = data.entries.iter();
            match (all.next(), all.next()) {
                (None, _) => return Err(HistoryError::Empty { path: path.into() }),
                (Some(only), None) => only,
                (Some(_), Some(_)) => {
                    return Err(HistoryError::Ambiguous {
                        path: path.into(),
                        available: available(),
                    })
                }
            }
        }
    };
    Ok(Suite {
        name: suite.clone(),
        entries: entries.clone(),
    })
}

impl Suite {
    /// The newest entry, the baseline.
    pub fn newest(&self) -> Option<&Entry> {
        self.entries.last()
    }

    /// The series of the newest `n` runs (at least one), newest first, each bench keyed
    /// like the head series it matches; `path` is the file named in their origins.
    pub fn runs(&self, n: usize, head: &[Series], path: &str) -> Runs {
        let path: Arc<str> = path.into();
        let total = self.entries.len();
        let mut out = Runs::default();
        for (i, entry) in self.entries.iter().enumerate().rev().take(n.max(1)) {
            let mut run = Vec::new();
            for (b, bench) in entry.benches.iter().enumerate() {
                let Some(series) = counterpart(bench, head) else {
                    if i + 1 == total {
                        out.unmatched.push(bench.name.clone());
                    }
                    continue;
                };
                let unit = unit_of(bench);
                let value = bench
                    .value
                    .as_f64()
                    .filter(|v| v.is_finite())
                    .and_then(|v| {
                        if series.unit == unit {
                            Some(v)
                        } else {
                            units::convert(v, &unit, &series.unit)
                        }
                    });
                let mut base = Series::new(series.key.clone(), &series.unit, series.direction);
                base.format = "github-action-benchmark".into();
                match value {
                    Some(v) => base.samples.push(v),
                    // A `null` or non-numeric value is a run that produced no number.
                    None => base.failed = 1,
                }
                let at = format!("entries/{}/{i}/benches/{b}", self.name);
                base.origin.push(Origin::new(path.clone(), at));
                run.push(base);
            }
            out.runs.push(run);
        }
        out.unmatched.sort();
        out.unmatched.dedup();
        out
    }
}

/// The canonical unit of a bench: `ns/iter` (libtest, Google Benchmark) is a time per
/// iteration, which the harness adapters report as a time.
fn unit_of(bench: &Bench) -> String {
    let unit = units::normalize_unit(&bench.unit);
    match unit.strip_suffix("/iter") {
        Some(time) if units::convert(1.0, time, "ns").is_some() => time.to_string(),
        _ => unit,
    }
}

/// The one head series a bench stands for, or `None` when there is none or several.
fn counterpart<'a>(bench: &Bench, head: &'a [Series]) -> Option<&'a Series> {
    let unit = unit_of(bench);
    let fits = |s: &Series| s.unit == unit || units::convert(1.0, &unit, &s.unit).is_some();
    let by_name = head
        .iter()
        .filter(|s| s.key.benchmark == bench.name && fits(s));
    if let Some(found) = single(by_name) {
        return Some(found);
    }
    // Go benchmarks with several units: `BenchmarkX - B/op`.
    let (name, metric) = bench.name.rsplit_once(" - ")?;
    single(
        head.iter()
            .filter(|s| s.key.benchmark == name && s.key.metric == metric),
    )
}

/// The only item of `items`, or `None` when there are none or several.
fn single<T>(mut items: impl Iterator<Item = T>) -> Option<T> {
    match (items.next(), items.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Direction, SeriesKey};

    fn head(benchmark: &str, metric: &str, unit: &str) -> Series {
        let mut s = Series::new(
            SeriesKey::new("bench.txt", benchmark, metric),
            unit,
            Direction::LowerIsBetter,
        );
        s.samples.push(1.0);
        s
    }

    const TWO_SUITES: &str = r#"window.BENCHMARK_DATA = {"entries": {
        "Go": [{"commit": {"id": "abc"}, "tool": "go", "benches": [
            {"name": "BenchmarkFib10 - ns/op", "value": 250, "unit": "ns/op"},
            {"name": "BenchmarkFib10 - B/op", "value": 16, "unit": "B/op"},
            {"name": "Catch2 style", "value": 1.5, "unit": "us"},
            {"name": "Twice", "value": 3, "unit": "ns"},
            {"name": "Broken", "value": null, "unit": "ns"}]}],
        "Other": []}};"#;

    #[test]
    fn go_names_units_and_ambiguity() {
        let err = read_suite("d.js", TWO_SUITES, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "d.js: holds several suites (\"Go\", \"Other\"); choose one with --base-suite"
        );
        let suite = read_suite("d.js", TWO_SUITES, Some("Go")).unwrap();
        let head = [
            head("BenchmarkFib10", "ns/op", "ns/op"),
            head("BenchmarkFib10", "B/op", "B/op"),
            head("Catch2 style", "mean", "ns"),
            head("Twice", "a", "ns"),
            head("Twice", "b", "ns"),
            head("Broken", "time", "ns"),
        ];
        let runs = suite.runs(5, &head, "d.js");
        assert_eq!(runs.runs.len(), 1);
        let run = &runs.runs[0];
        let got: Vec<(&str, &str, Vec<f64>, u32)> = run
            .iter()
            .map(|s| {
                (
                    s.key.benchmark.as_str(),
                    s.key.metric.as_str(),
                    s.samples.clone(),
                    s.failed,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("BenchmarkFib10", "ns/op", vec![250.0], 0),
                ("BenchmarkFib10", "B/op", vec![16.0], 0),
                ("Catch2 style", "mean", vec![1500.0], 0),
                ("Broken", "time", vec![], 1),
            ]
        );
        assert_eq!(runs.unmatched, ["Twice"]);
        let err = read_suite("d.js", "window.BENCHMARK_DATA = {\"entries\": {}}", None);
        assert!(matches!(err, Err(HistoryError::Empty { .. })));
        let err = read_suite("d.js", "window.BENCHMARK_DATA = {\"entries\": [", None);
        assert!(matches!(err, Err(HistoryError::Malformed { .. })));
    }
}
