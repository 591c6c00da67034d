//! Accumulates the readings of one file into [`Series`]: one series per key, samples and
//! failures in file order, units reconciled, origins kept, and the number of series per file
//! bounded. Every adapter of this family (and the Chimeraforge ones) writes through it.

use crate::keys;
use crate::model::{At, Direction, Labels, Origin, Series, SeriesKey, Warning};
use crate::parse::series_index::{KeyParts, SeriesIndex};
use crate::parse::{Input, ParseError, Parsed};
use crate::units;
use std::borrow::Cow;
use std::sync::Arc;

/// Most series one file may produce; the rest are dropped with a warning.
pub const MAX_SERIES_PER_FILE: usize = 10_000;
/// Most origins kept per series (the first ones in file order).
const MAX_ORIGINS_PER_SERIES: usize = 64;
/// Longest label value or benchmark part kept (longer ones are cut).
const MAX_NAME_LEN: usize = 120;

/// One value read from a file, or the record of a failed measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reading {
    Value(f64),
    Failed,
}

/// Collects series for one input file.
#[derive(Debug)]
pub struct SeriesSink {
    /// The file's path, shared by the origins of its series.
    path: Arc<str>,
    /// The key's source, shared by the file's series.
    source: Arc<str>,
    series: Vec<Series>,
    /// Positions of the series by their key parts, found without building a key.
    index: SeriesIndex,
    warnings: Vec<Warning>,
    dropped: usize,
    /// Units as written and their normal spelling: the few of one file, each normalised
    /// once rather than once per series.
    units: Vec<(Box<str>, String)>,
}

/// Units a sink remembers the normal spelling of.
const KNOWN_UNITS: usize = 16;

impl SeriesSink {
    pub fn new(input: &Input) -> Self {
        SeriesSink {
            path: input.path.into(),
            source: keys::normalize_path(input.path).into(),
            series: Vec::new(),
            index: SeriesIndex::default(),
            warnings: Vec::new(),
            dropped: 0,
            units: Vec::new(),
        }
    }

    /// `unit` normalised ([`units::normalize_unit`]).
    fn normal_unit(&mut self, unit: &str) -> String {
        if let Some((_, normal)) = self.units.iter().find(|(written, _)| **written == *unit) {
            return normal.clone();
        }
        let normal = units::normalize_unit(unit);
        if self.units.len() < KNOWN_UNITS {
            self.units.push((unit.into(), normal.clone()));
        }
        normal
    }

    /// Records one reading of `metric` of `benchmark`. A value in a unit other than the
    /// series' unit is converted when the units are compatible and skipped with a warning
    /// otherwise. Non-finite values are ignored.
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &mut self,
        benchmark: &str,
        metric: &str,
        labels: &Labels,
        unit: &str,
        direction: Direction,
        reading: Reading,
        at: impl Into<At>,
    ) {
        if matches!(reading, Reading::Value(v) if !v.is_finite()) {
            return;
        }
        if let Some(idx) = self.series_index(benchmark, metric, labels, unit, direction, 0) {
            self.push(idx, reading, unit, || at.into());
        }
    }

    /// Makes room for `additional` more series (no more than the file may have), so that a
    /// caller that knows how many it will create grows the vector once.
    pub fn reserve(&mut self, additional: usize) {
        let additional = additional.min(MAX_SERIES_PER_FILE.saturating_sub(self.series.len()));
        self.series.reserve(additional);
        self.index.reserve(additional);
    }

    /// The position of the series of `metric` of `benchmark` with `labels`, created (with
    /// `unit` and `direction`) when it is new; `None` once the file has too many series.
    /// A new series has room for `readings` samples and origins (the number the caller
    /// expects; 0 when it does not know). A caller that reads many values of one series
    /// finds it once and [`Self::push`]es.
    pub fn series_index(
        &mut self,
        benchmark: &str,
        metric: &str,
        labels: &Labels,
        unit: &str,
        direction: Direction,
        readings: usize,
    ) -> Option<usize> {
        let (name, quantity) = (bounded_str(benchmark), bounded_str(metric));
        let parts = KeyParts {
            source: &self.source,
            benchmark: &name,
            metric: &quantity,
            labels,
        };
        let vacant = match self.index.find(&self.series, parts) {
            Ok(i) => return Some(i),
            Err(vacant) => vacant,
        };
        if self.series.len() >= MAX_SERIES_PER_FILE {
            self.dropped += 1;
            return None;
        }
        let position = self.index.push(vacant);
        let key = SeriesKey {
            source: self.source.clone(),
            benchmark: name.into_owned(),
            metric: quantity.into_owned(),
            labels: labels.clone(),
        };
        let unit = self.normal_unit(unit);
        let mut series = Series::new(key, unit, direction);
        series.samples.reserve_exact(readings);
        series
            .origin
            .reserve_exact(readings.min(MAX_ORIGINS_PER_SERIES));
        self.series.push(series);
        Some(position)
    }

    /// Adds one reading, in `unit`, to the series at `idx` (from [`Self::series_index`]).
    /// The place it was read is made only when the series still keeps origins.
    pub fn push(&mut self, idx: usize, reading: Reading, unit: &str, at: impl FnOnce() -> At) {
        let Some(series) = self.series.get_mut(idx) else {
            return;
        };
        match reading {
            Reading::Failed => series.failed += 1,
            Reading::Value(v) if !v.is_finite() => return,
            Reading::Value(v) => {
                let converted = if series.unit.is_empty() && !unit.is_empty() {
                    series.unit = units::normalize_unit(unit);
                    Some(v)
                } else if unit.is_empty() || unit == series.unit {
                    Some(v)
                } else {
                    units::convert(v, unit, &series.unit)
                };
                match converted {
                    Some(v) => series.samples.push(v),
                    None => {
                        let message = format!(
                            "{}: {} is in `{unit}` here but in `{}` before; value skipped",
                            at(),
                            series.key.metric,
                            series.unit
                        );
                        self.warnings.push(Warning::new(&*self.path, message));
                        return;
                    }
                }
            }
        }
        if series.origin.len() < MAX_ORIGINS_PER_SERIES {
            series.origin.push(Origin {
                path: self.path.clone(),
                at: at(),
            });
        }
    }

    pub fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(Warning::new(&*self.path, message));
    }

    /// Adds series produced elsewhere (an embedded document parsed by another adapter),
    /// merging those whose key is already present.
    pub fn extend(&mut self, series: Vec<Series>, warnings: Vec<Warning>) {
        self.warnings.extend(warnings);
        for s in series {
            let k = &s.key;
            let parts = KeyParts {
                source: &k.source,
                benchmark: &k.benchmark,
                metric: &k.metric,
                labels: &k.labels,
            };
            let idx = match self.index.find(&self.series, parts) {
                Ok(idx) => idx,
                Err(_) if self.series.len() >= MAX_SERIES_PER_FILE => {
                    self.dropped += 1;
                    continue;
                }
                Err(vacant) => {
                    self.index.push(vacant);
                    self.series.push(s);
                    continue;
                }
            };
            let target = &mut self.series[idx];
            let converted: Option<Vec<f64>> = s
                .samples
                .iter()
                .map(|&v| units::convert(v, &s.unit, &target.unit))
                .collect();
            let Some(samples) = converted else {
                let message = format!(
                    "{} is in `{}` in one place and `{}` in another; the second was skipped",
                    s.key, s.unit, target.unit
                );
                self.warnings.push(Warning::new(&*self.path, message));
                continue;
            };
            target.samples.extend(samples);
            target.failed += s.failed;
            let room = MAX_ORIGINS_PER_SERIES.saturating_sub(target.origin.len());
            target.origin.extend(s.origin.into_iter().take(room));
        }
    }

    /// The series in file order and the warnings. A file that produced neither series nor
    /// warnings is an error (`NoMetrics`).
    pub fn finish(mut self) -> Result<Parsed, ParseError> {
        if self.dropped > 0 {
            let message = format!(
                "more than {MAX_SERIES_PER_FILE} series in one file; {} were dropped",
                self.dropped
            );
            self.warnings.push(Warning::new(&*self.path, message));
        }
        if self.series.is_empty() && self.warnings.is_empty() {
            return Err(ParseError::NoMetrics);
        }
        if self.series.is_empty() {
            self.warn("no benchmark metrics found");
        }
        Ok(Parsed {
            series: self.series,
            warnings: self.warnings,
            format: "",
        })
    }
}

/// Cuts a name to [`MAX_NAME_LEN`] characters and trims it.
pub fn bounded(name: &str) -> String {
    bounded_str(name).into_owned()
}

/// [`bounded`], borrowing the name when it needs no cut.
pub fn bounded_str(name: &str) -> Cow<'_, str> {
    let t = name.trim();
    // No more bytes than the limit: no more characters either.
    if t.len() <= MAX_NAME_LEN {
        return Cow::Borrowed(t);
    }
    match t.char_indices().nth(MAX_NAME_LEN) {
        Some((i, _)) => Cow::Owned(format!("{}…", t[..i].trim_end())),
        None => Cow::Borrowed(t),
    }
}

/// A number as a label value: integers without a fraction, float32 artefacts
/// (`0.800000011920929`) as the short value they stand for (`0.8`).
pub fn number_label(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    let f = v as f32;
    if f.is_finite() && ((f as f64) - v).abs() <= v.abs() * 1e-9 {
        let short = format!("{f}");
        if short.len() < format!("{v}").len() {
            return short;
        }
    }
    format!("{v}")
}

/// The default benchmark name of a file: its normalised file name without the extension.
pub fn file_benchmark(path: &str) -> String {
    let normalized = keys::normalize_path(path);
    let name = normalized.rsplit('/').next().unwrap_or(&normalized);
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_string(),
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_hide_float32_artefacts() {
        assert_eq!(number_label(0.800000011920929), "0.8");
        assert_eq!(number_label(0.30000001192092896), "0.3");
        assert_eq!(number_label(80.0), "80");
        assert_eq!(number_label(0.123456789012), "0.123456789012");
        assert_eq!(number_label(-2.0), "-2");
    }

    #[test]
    fn file_benchmark_strips_stamps_and_extension() {
        assert_eq!(
            file_benchmark("reports/compilation/conv_bench_20251002-170837.json"),
            "conv_bench"
        );
        assert_eq!(file_benchmark("results.csv"), "results");
        assert_eq!(file_benchmark("noext"), "noext");
    }

    /// [`bounded_str`] by characters alone, without the shortcut for short names.
    fn bounded_by_chars(name: &str) -> String {
        let t = name.trim();
        match t.char_indices().nth(MAX_NAME_LEN) {
            Some((i, _)) => format!("{}…", t[..i].trim_end()),
            None => t.to_string(),
        }
    }

    proptest::proptest! {
        #[test]
        fn short_names_are_bounded_as_by_characters(
            name in "[ aé€😀]{0,40}",
            repeat in 1usize..8,
        ) {
            let name = name.repeat(repeat);
            proptest::prop_assert_eq!(bounded_str(&name).into_owned(), bounded_by_chars(&name));
        }
    }

    #[test]
    fn units_are_reconciled_within_a_series() {
        let input = Input {
            path: "a/b_20251002-170837.csv",
            text: "",
        };
        let mut sink = SeriesSink::new(&input);
        let labels = Labels::new();
        let d = Direction::LowerIsBetter;
        sink.record("b", "m", &labels, "GB", d, Reading::Value(2.2), "line 2");
        sink.record("b", "m", &labels, "MB", d, Reading::Value(820.0), "line 3");
        sink.record("b", "m", &labels, "ms", d, Reading::Value(1.0), "line 4");
        sink.record("b", "m", &labels, "", d, Reading::Failed, "line 5");
        let parsed = sink.finish().unwrap();
        assert_eq!(parsed.series.len(), 1);
        let s = &parsed.series[0];
        assert_eq!(&*s.key.source, "a/b.csv");
        assert_eq!(s.unit, "GB");
        assert_eq!(s.samples, vec![2.2, 0.82]);
        assert_eq!(s.failed, 1);
        assert_eq!(parsed.warnings.len(), 1);
        assert_eq!(
            s.origin[0],
            Origin::new("a/b_20251002-170837.csv", "line 2")
        );
    }
}
