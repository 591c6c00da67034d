//! criterion.rs's files under `target/criterion/<benchmark id>/<baseline>/`:
//! `estimates.json` (point estimates with confidence intervals, ns), `sample.json` (iteration
//! counts and total times per sample), and the metadata files `benchmark.json` and
//! `tukey.json`, which are recognised and produce nothing. `change/estimates.json` holds
//! relative changes against a saved baseline, not measurements, and produces nothing either.
//!
//! The benchmark id comes from the path: the directories between `criterion/` and the
//! baseline directory (`new`, `base` or a saved baseline name). Paths flattened with `__`
//! (`target__criterion__group__bench__new__estimates.json`) are read the same way.

use super::builder::{malformed, Labels, Metric, SeriesBuilder};
use super::{numbers, parse_json, starts_with_json, to_ns, try_json};
use crate::direction;
use crate::model::Direction;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use serde_json::Value;

pub(super) struct Criterion;

const NAME: &str = "criterion";

/// The file kinds criterion writes per benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Estimates,
    Sample,
    Benchmark,
    Tukey,
}

const FILE_NAMES: [(&str, Kind); 4] = [
    ("estimates.json", Kind::Estimates),
    ("sample.json", Kind::Sample),
    ("benchmark.json", Kind::Benchmark),
    ("tukey.json", Kind::Tukey),
];

/// The statistics of `estimates.json` reported as metrics.
const ESTIMATES: [&str; 3] = ["mean", "median", "std_dev"];

fn kind_of(v: &Value) -> Option<Kind> {
    match v {
        Value::Object(o) => {
            let has_point = |k: &str| o.get(k).is_some_and(|e| e.get("point_estimate").is_some());
            if has_point("mean") {
                Some(Kind::Estimates)
            } else if o.get("iters").is_some_and(Value::is_array)
                && o.get("times").is_some_and(Value::is_array)
            {
                Some(Kind::Sample)
            } else if o.contains_key("group_id")
                && (o.contains_key("full_id") || o.contains_key("directory_name"))
            {
                Some(Kind::Benchmark)
            } else {
                None
            }
        }
        Value::Array(a) if a.len() == 4 && a.iter().all(Value::is_number) => Some(Kind::Tukey),
        _ => None,
    }
}

/// The criterion file kind suggested by the file name, and the directories leading to it
/// (with a `__`-flattened file name split back into directories).
fn path_parts(path: &str) -> (Option<Kind>, Vec<&str>) {
    let mut dirs: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let file = dirs.pop().unwrap_or_default();
    for (name, kind) in FILE_NAMES {
        if file == name {
            return (Some(kind), dirs);
        }
        if let Some(stem) = file.strip_suffix(name).and_then(|s| s.strip_suffix("__")) {
            dirs.extend(stem.split("__").filter(|p| !p.is_empty()));
            return (Some(kind), dirs);
        }
    }
    (None, dirs)
}

/// The benchmark id and the baseline directory (`new`, `base`, `change`, ...) of a file.
fn benchmark_id(path: &str) -> (String, String) {
    let (_, dirs) = path_parts(path);
    let Some((baseline, rest)) = dirs.split_last() else {
        return (String::new(), String::new());
    };
    let start = rest
        .iter()
        .rposition(|d| *d == "criterion")
        .map_or(0, |i| i + 1);
    (rest[start..].join("/"), baseline.to_string())
}

impl Adapter for Criterion {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        if !(starts_with_json(input.text, '{') || starts_with_json(input.text, '[')) {
            return Confidence::No;
        }
        let (by_name, dirs) = path_parts(input.path);
        let hinted = ["\"point_estimate\"", "\"iters\"", "\"group_id\""]
            .iter()
            .any(|h| input.text.contains(h));
        if !hinted && by_name != Some(Kind::Tukey) {
            return Confidence::No;
        }
        match try_json(input.text) {
            Some(doc) => match kind_of(&doc) {
                // A bare four-number array is only criterion's when the file is called so.
                Some(Kind::Tukey) if by_name != Some(Kind::Tukey) => Confidence::No,
                Some(_) => Confidence::Certain,
                None => Confidence::No,
            },
            // A damaged file in a criterion tree: say so rather than read it as generic JSON.
            None if by_name.is_some() && dirs.contains(&"criterion") => Confidence::Likely,
            None => Confidence::No,
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let doc = parse_json(input.text, NAME)?;
        let kind = kind_of(&doc).ok_or_else(|| {
            malformed(
                NAME,
                "neither estimates (`mean.point_estimate`), samples (`iters`, `times`) nor benchmark ids (`group_id`)",
            )
        })?;
        let (id, baseline) = benchmark_id(input.path);
        let benchmark = if id.is_empty() { "benchmark" } else { &id };
        let mut out = SeriesBuilder::new(input, NAME);
        match kind {
            Kind::Benchmark | Kind::Tukey => return Ok(metadata_only()),
            Kind::Estimates => {
                // Relative changes against a saved baseline: written to `change/` and, unlike
                // measured estimates, without `std_dev`.
                if baseline == "change" || doc.get("std_dev").is_none() {
                    return Ok(metadata_only());
                }
                read_estimates(&doc, benchmark, &mut out);
            }
            Kind::Sample => read_samples(&doc, benchmark, &mut out)?,
        }
        out.finish()
    }
}

/// What a recognised file without measurements yields: nothing, and no warning.
fn metadata_only() -> Parsed {
    Parsed {
        series: Vec::new(),
        warnings: Vec::new(),
        format: NAME,
    }
}

fn read_estimates(doc: &Value, benchmark: &str, out: &mut SeriesBuilder) {
    let labels = Labels::new();
    for stat in ESTIMATES {
        let Some(v) = doc
            .get(stat)
            .and_then(|e| e.get("point_estimate"))
            .and_then(Value::as_f64)
        else {
            continue;
        };
        let metric = Metric {
            benchmark,
            metric: stat,
            labels: &labels,
            unit: "ns",
            direction: Direction::LowerIsBetter,
        };
        out.sample(&metric, v, format!("/{stat}/point_estimate"));
    }
}

/// Per-iteration times: each sample's total time divided by its iteration count.
fn read_samples(doc: &Value, benchmark: &str, out: &mut SeriesBuilder) -> Result<(), ParseError> {
    let (iters, skipped_iters) = numbers(&doc["iters"]);
    let (times, skipped_times) = numbers(&doc["times"]);
    if skipped_iters + skipped_times > 0 || iters.len() != times.len() {
        return Err(malformed(
            NAME,
            format!(
                "`iters` ({} entries) and `times` ({} entries) must be equally long lists of numbers",
                iters.len() + skipped_iters,
                times.len() + skipped_times
            ),
        ));
    }
    record_per_iteration(out, benchmark, "ns", &times, &iters, "/times");
    Ok(())
}

/// Records the per-iteration values of criterion benchmark `benchmark`: each sample's total
/// (`totals`, measured in `unit`) divided by its iteration count. Times become `time` in ns;
/// values of a custom measurement keep its unit as their metric.
pub(super) fn record_per_iteration(
    out: &mut SeriesBuilder,
    benchmark: &str,
    unit: &str,
    totals: &[f64],
    iters: &[f64],
    at: &str,
) {
    let labels = Labels::new();
    let is_time = to_ns(1.0, unit).is_some();
    let metric = if is_time {
        Metric {
            benchmark,
            metric: "time",
            labels: &labels,
            unit: "ns",
            direction: Direction::LowerIsBetter,
        }
    } else {
        Metric {
            benchmark,
            metric: unit,
            labels: &labels,
            unit,
            direction: direction::infer(unit, unit),
        }
    };
    let values: Vec<f64> = iters
        .iter()
        .zip(totals)
        .filter(|(n, _)| **n > 0.0)
        .map(|(n, total)| {
            let v = total / n;
            if is_time {
                to_ns(v, unit).unwrap_or(v)
            } else {
                v
            }
        })
        .collect();
    let skipped = iters.len().min(totals.len()) - values.len();
    if skipped > 0 {
        out.warn(format!(
            "{at}: {skipped} sample(s) of {benchmark} without a positive iteration count were ignored"
        ));
    }
    out.samples(&metric, values, at);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn benchmark_id_from_nested_and_flattened_paths() {
        assert_eq!(
            benchmark_id("target/criterion/simple_iter/legion/new/estimates.json"),
            ("simple_iter/legion".to_string(), "new".to_string())
        );
        assert_eq!(
            benchmark_id("x/c94db2a4__target__criterion__grp__fn__base__sample.json"),
            ("grp/fn".to_string(), "base".to_string())
        );
        assert_eq!(
            benchmark_id("grp/fn/10/new/estimates.json"),
            ("grp/fn/10".to_string(), "new".to_string())
        );
    }
}
