//! Collects what an adapter reads from one file into [`Series`]: every measurement is added
//! under its key, failed measurements are counted, and equal keys are merged at the end.

use crate::keys;
use crate::model::{merge_series, Direction, Labels, Origin, Series, SeriesKey, Warning};
use crate::parse::{Input, ParseError, Parsed};
use std::sync::Arc;

/// A metric as a tool defines it: its name, canonical unit and which way is better.
#[derive(Debug, Clone, Copy)]
pub struct Metric<'a> {
    pub name: &'a str,
    pub unit: &'a str,
    pub direction: Direction,
}

impl<'a> Metric<'a> {
    pub const fn new(name: &'a str, unit: &'a str, direction: Direction) -> Self {
        Metric {
            name,
            unit,
            direction,
        }
    }
}

/// The benchmark and labels that, with a metric, make up a series key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subject {
    pub benchmark: String,
    pub labels: Labels,
}

impl Subject {
    pub fn new(benchmark: impl Into<String>) -> Self {
        Subject {
            benchmark: benchmark.into(),
            labels: Labels::new(),
        }
    }
}

/// Accumulates the series and warnings of one file.
pub struct Emitter<'a> {
    input: &'a Input<'a>,
    /// The file's path, shared by the origins of its series.
    path: Arc<str>,
    format: &'static str,
    /// The key's source, shared by the file's series.
    source: Arc<str>,
    series: Vec<Series>,
    warnings: Vec<Warning>,
}

impl<'a> Emitter<'a> {
    pub fn new(input: &'a Input<'a>, format: &'static str) -> Self {
        Emitter {
            input,
            path: input.path.into(),
            format,
            source: keys::normalize_path(input.path).into(),
            series: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// The file name of the normalised source without its extension: the benchmark name
    /// for files that do not name what they measured.
    pub fn file_stem(&self) -> String {
        let name = self.source.rsplit('/').next().unwrap_or(&self.source);
        match name.rsplit_once('.') {
            Some((stem, _)) if !stem.is_empty() => stem.to_string(),
            _ => name.to_string(),
        }
    }

    /// Records measured values. Values that are not finite numbers are counted as failures.
    pub fn values(&mut self, subject: &Subject, metric: Metric, values: &[f64], at: &str) {
        let mut series = self.new_series(subject, metric, at);
        series.samples = values.iter().copied().filter(|v| v.is_finite()).collect();
        series.failed = count(values.len() - series.samples.len());
        self.series.push(series);
    }

    /// Records one measured value.
    pub fn value(&mut self, subject: &Subject, metric: Metric, value: f64, at: &str) {
        self.values(subject, metric, &[value], at);
    }

    /// Records `n` failed measurements.
    pub fn failures(&mut self, subject: &Subject, metric: Metric, n: usize, at: &str) {
        let mut series = self.new_series(subject, metric, at);
        series.failed = count(n);
        self.series.push(series);
    }

    pub fn warn(&mut self, message: impl Into<String>) {
        self.warnings
            .push(Warning::new(self.input.path, message.into()));
    }

    /// The merged series, or an error when the file yielded none.
    pub fn finish(self) -> Result<Parsed, ParseError> {
        if self.series.is_empty() {
            if self.warnings.is_empty() {
                return Err(ParseError::NoMetrics);
            }
            let reasons: Vec<String> = self.warnings.into_iter().map(|w| w.message).collect();
            return Err(ParseError::Malformed {
                format: self.format,
                reason: reasons.join("; "),
            });
        }
        let (series, merge_warnings) = merge_series(self.series);
        let mut warnings = self.warnings;
        warnings.extend(merge_warnings);
        Ok(Parsed {
            series,
            warnings,
            format: self.format,
        })
    }

    fn new_series(&self, subject: &Subject, metric: Metric, at: &str) -> Series {
        let mut key = SeriesKey::new(self.source.clone(), &subject.benchmark, metric.name);
        key.labels = subject.labels.clone();
        let mut series = Series::new(key, metric.unit, metric.direction);
        series.format = self.format.into();
        series.origin.push(Origin::new(self.path.clone(), at));
        series
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
