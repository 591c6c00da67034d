//! Accumulates the series of one file: the harness adapters report every measurement or
//! failure they read, and repeated keys (repetitions, `-count` lines) become samples of one
//! series in the order they were read.

use crate::keys;
use crate::model::{At, Direction, Origin, Series, SeriesKey, Warning};
use crate::parse::generic::sink::file_benchmark;
use crate::parse::series_index::{KeyParts, SeriesIndex};
use crate::parse::{Input, ParseError, Parsed};
use std::sync::Arc;

/// Labels of a series (parameters that tell otherwise equal benchmarks apart).
pub(super) use crate::model::Labels;

/// Identity, unit and direction of one metric of one benchmark.
#[derive(Debug, Clone, Copy)]
pub(super) struct Metric<'a> {
    pub benchmark: &'a str,
    pub metric: &'a str,
    pub labels: &'a Labels,
    pub unit: &'a str,
    pub direction: Direction,
}

/// The series read from one file so far, in first-seen order.
pub(super) struct SeriesBuilder {
    /// The file's path, shared by the origins of its series.
    path: Arc<str>,
    /// The key's source, shared by the file's series.
    source: Arc<str>,
    format: &'static str,
    series: Vec<Series>,
    /// Positions of the series by their key parts, found without building a key.
    index: SeriesIndex,
    warnings: Vec<Warning>,
}

impl SeriesBuilder {
    pub fn new(input: &Input, format: &'static str) -> Self {
        SeriesBuilder {
            path: input.path.into(),
            source: keys::normalize_path(input.path).into(),
            format,
            series: Vec::new(),
            index: SeriesIndex::default(),
            warnings: Vec::new(),
        }
    }

    /// The file name without stamps and extension: the benchmark name for a file that does
    /// not name what it measured.
    pub fn file_stem(&self) -> String {
        file_benchmark(&self.path)
    }

    /// The series of `m`, created when new. Looked up by a hash of the key's parts and
    /// compared in place, so that a repeated reading builds no key.
    fn entry(&mut self, m: &Metric) -> &mut Series {
        let i = self.series_of(m);
        &mut self.series[i]
    }

    /// The position of the series of `m`, created when new: an adapter that reads `m` again
    /// can record into it with [`SeriesBuilder::sample_in`] without looking it up.
    pub fn series_of(&mut self, m: &Metric) -> usize {
        let parts = KeyParts {
            source: &self.source,
            benchmark: m.benchmark,
            metric: m.metric,
            labels: m.labels,
        };
        let vacant = match self.index.find(&self.series, parts) {
            Ok(i) => return i,
            Err(vacant) => vacant,
        };
        self.index.push(vacant);
        let key = SeriesKey {
            source: self.source.clone(),
            benchmark: m.benchmark.to_string(),
            metric: m.metric.to_string(),
            labels: m.labels.clone(),
        };
        let mut s = Series::new(key, m.unit, m.direction);
        s.format = self.format.into();
        self.series.push(s);
        self.series.len() - 1
    }

    /// Makes room in the series at position `series` for `readings` more readings, each
    /// one sample from one place.
    pub fn reserve(&mut self, series: usize, readings: usize) {
        if let Some(s) = self.series.get_mut(series) {
            s.samples.reserve(readings);
            s.origin.reserve(readings);
        }
    }

    fn note_origin(series: &mut Series, origin: Origin) {
        if !series.origin.contains(&origin) {
            series.origin.push(origin);
        }
    }

    /// Records measurements of `m` read at `at` (`line 12`, `/benchmarks/3`). Values that are
    /// not finite numbers are dropped with a warning.
    pub fn samples(
        &mut self,
        m: &Metric,
        values: impl IntoIterator<Item = f64>,
        at: impl Into<At>,
    ) {
        let i = self.series_of(m);
        self.samples_in(i, values, at);
    }

    /// Records measurements of the series at position `series` (from
    /// [`SeriesBuilder::series_of`]), as [`SeriesBuilder::samples`] does.
    fn samples_in(
        &mut self,
        series: usize,
        values: impl IntoIterator<Item = f64>,
        at: impl Into<At>,
    ) {
        let origin = Origin::new(self.path.clone(), at);
        let Some(s) = self.series.get_mut(series) else {
            return;
        };
        let mut dropped = 0usize;
        for v in values {
            if v.is_finite() {
                s.samples.push(v);
            } else {
                dropped += 1;
            }
        }
        let warning = (dropped > 0).then(|| {
            format!(
                "{dropped} value(s) of {} / {} at {} are not finite numbers and were ignored",
                s.key.benchmark, s.key.metric, origin.at
            )
        });
        Self::note_origin(s, origin);
        if let Some(message) = warning {
            self.warn(message);
        }
    }

    /// Records one measurement of the series at position `series`.
    pub fn sample_in(&mut self, series: usize, value: f64, at: impl Into<At>) {
        self.samples_in(series, [value], at);
    }

    /// Records one measurement of `m`.
    pub fn sample(&mut self, m: &Metric, value: f64, at: impl Into<At>) {
        self.samples(m, [value], at);
    }

    /// Records `count` failed runs of `m`.
    pub fn failed(&mut self, m: &Metric, count: u32, at: impl Into<At>) {
        let origin = Origin::new(self.path.clone(), at);
        let series = self.entry(m);
        series.failed = series.failed.saturating_add(count);
        Self::note_origin(series, origin);
    }

    /// Adds a warning about this file.
    pub fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(Warning::new(&*self.path, message));
    }

    /// The series read; [`ParseError::NoMetrics`] when there are none.
    pub fn finish(self) -> Result<Parsed, ParseError> {
        if self.series.is_empty() {
            return Err(ParseError::NoMetrics);
        }
        Ok(Parsed {
            series: self.series,
            warnings: self.warnings,
            format: self.format,
        })
    }
}

/// A malformed-file error of adapter `format`.
pub(super) fn malformed(format: &'static str, reason: impl ToString) -> ParseError {
    ParseError::Malformed {
        format,
        reason: reason.to_string(),
    }
}
