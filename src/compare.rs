//! The compare stage: joins base and head series by key and decides, per metric and
//! overall, whether the change is a regression under the run's policy.

use crate::model::{Direction, SeriesKey};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Summary statistics of one side of a delta (successful samples only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SideStats {
    pub n: usize,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub stddev: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub failed: u32,
}

/// The status of one metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Regression,
    Broken,
    Missing,
    Noisy,
    Improvement,
    Fixed,
    New,
    Unchanged,
}

/// How a metric's status affects the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Gate {
    #[default]
    Hard,
    Advisory,
    Ignore,
}

/// How much the statistics can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// A significance test ran on n >= 2 samples per side.
    High,
    /// Too few samples for a test: the threshold alone decided.
    Low,
    /// Nothing to compare (new, missing, broken, fixed).
    None,
}

/// The overall verdict of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
    NoBaseline,
}

/// One metric compared across base and head.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delta {
    #[serde(flatten)]
    pub key: SeriesKey,
    pub unit: String,
    pub direction: Direction,
    pub status: Status,
    pub gate: Gate,
    pub base: Option<SideStats>,
    pub head: Option<SideStats>,
    /// head mean minus base mean, in `unit`.
    pub change_abs: Option<f64>,
    /// Relative change of the mean in percent (positive = value went up, whatever the direction).
    pub change_pct: Option<f64>,
    pub p_value: Option<f64>,
    /// Which test produced `p_value` (`welch_t`, `mann_whitney_u`), if any.
    pub test: Option<String>,
    pub confidence: Confidence,
    /// Thresholds (percent) that applied to this metric.
    pub warn_pct: f64,
    pub fail_pct: f64,
    /// Human-readable reason for the status (`+12.4 % > fail threshold 10 %, p = 0.003`).
    pub reason: String,
    /// Files the base and head numbers came from.
    pub base_origin: Vec<String>,
    pub head_origin: Vec<String>,
}

/// The result of the compare stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub verdict: Verdict,
    pub counts: BTreeMap<String, usize>,
    pub deltas: Vec<Delta>,
}
