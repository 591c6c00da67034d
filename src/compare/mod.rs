//! The compare stage: joins base and head series by key and decides, per metric and
//! overall, whether the change is a regression under the run's policy.
//!
//! Entry points: [`compare`] and [`compare_with_history`] judge every key at once;
//! [`judge_group`] and [`Assembly`] judge one group of keys at a time (the keys of one
//! source, as [`crate::trees`] does), consuming owned series: each key moves into its delta
//! and each series is freed once judged. All apply the policy's rewrite rules and
//! direction/unit overrides to every side first ([`Policy::prepare`]), then judge each key
//! ([`Delta`]), order the deltas (regressions and broken first, by severity) and reach a
//! [`Verdict`].

mod change;
mod hints;
mod judge;
mod merge;
mod noise;
mod verdict;

pub use hints::KeyHint;
pub use noise::NoiseBand;

use crate::config::Policy;
use crate::model::{is_merged, Direction, Labels, Series, SeriesKey, Warning};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Summary statistics of one side of a delta (successful samples only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SideStats {
    pub n: usize,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    /// Sample standard deviation (n - 1); `None` below two samples.
    pub stddev: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub failed: u32,
}

impl SideStats {
    /// Statistics of `samples` (assumed finite) plus the count of failed runs.
    pub fn of(samples: &[f64], failed: u32) -> SideStats {
        use crate::stats;
        SideStats {
            n: samples.len(),
            mean: stats::mean(samples),
            median: stats::median(samples),
            stddev: stats::stddev(samples),
            min: stats::min(samples),
            max: stats::max(samples),
            failed,
        }
    }
}

/// The status of one metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Worse beyond the warn threshold, and significant (or threshold-only with n = 1).
    Regression,
    /// Base had successful samples, head only failures.
    Broken,
    /// A duration, rate or count that is exactly 0 on one side and positive on the other,
    /// or an impossible value (a negative duration): a run that recorded no telemetry, not
    /// a change. Gates only when `fail_on` lists `absent`.
    Absent,
    /// On base, not on head.
    Missing,
    /// A metric that is not judged (a neutral parameter, a signed difference) moved beyond
    /// the warn threshold: context for the judged changes beside it, never gating.
    Changed,
    /// Beyond the warn threshold but not significant (or too few samples to judge, or
    /// within the noise of single runs).
    Noisy,
    /// Better beyond the warn threshold, and significant.
    Improvement,
    /// Base had only failures, head has successful samples.
    Fixed,
    /// On head, not on base.
    New,
    /// Within the threshold, or a neutral metric, or nothing comparable.
    Unchanged,
}

impl Status {
    /// Every status, in report order.
    pub const ALL: [Status; 10] = [
        Status::Regression,
        Status::Broken,
        Status::Absent,
        Status::Missing,
        Status::Changed,
        Status::Noisy,
        Status::Improvement,
        Status::Fixed,
        Status::New,
        Status::Unchanged,
    ];

    /// The name used in JSON and in [`Comparison::counts`].
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Regression => "regression",
            Status::Broken => "broken",
            Status::Absent => "absent",
            Status::Missing => "missing",
            Status::Changed => "changed",
            Status::Noisy => "noisy",
            Status::Improvement => "improvement",
            Status::Fixed => "fixed",
            Status::New => "new",
            Status::Unchanged => "unchanged",
        }
    }
}

/// How a metric's status affects the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Gate {
    /// Can fail the run.
    #[default]
    Hard,
    /// Can only warn.
    Advisory,
    /// Reported, never affects the verdict.
    Ignore,
}

impl Gate {
    /// The name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Gate::Hard => "hard",
            Gate::Advisory => "advisory",
            Gate::Ignore => "ignore",
        }
    }
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

impl Confidence {
    /// The name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Low => "low",
            Confidence::None => "none",
        }
    }
}

/// How a metric's change is measured and shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Relative to the base mean, in percent (`change_pct`).
    #[default]
    Relative,
    /// A percentage that changed by `change_abs` percentage points.
    Points,
    /// In the metric's unit (`change_abs`): a signed difference, or a value that reaches
    /// or crosses zero, where a relative change means nothing.
    Absolute,
}

impl ChangeKind {
    /// The name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Relative => "relative",
            ChangeKind::Points => "points",
            ChangeKind::Absolute => "absolute",
        }
    }
}

/// Why rows were folded into one ([`Delta::merged`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeKind {
    /// The same measurement (equal base and head values) written in several places.
    Measurement,
    /// Every broken (or missing) metric of one file: the run failed or the file vanished.
    File,
}

impl MergeKind {
    /// The name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            MergeKind::Measurement => "measurement",
            MergeKind::File => "file",
        }
    }
}

/// A series folded into another row: its key, unit, status and files, as judged on its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergedSeries {
    #[serde(flatten)]
    pub key: SeriesKey,
    pub unit: String,
    pub status: Status,
    pub base_origin: Vec<Arc<str>>,
    pub head_origin: Vec<Arc<str>>,
}

/// The overall verdict of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
    NoBaseline,
    /// The head side had no benchmark data at all (the benchmark step failed or wrote
    /// elsewhere); a failure when the policy's `fail_on` lists `no_data`, as it does by
    /// default.
    NoData,
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
    /// Relative change of the mean in percent (positive = value went up, whatever the
    /// direction); `None` when the base mean is 0 or the change is not relative
    /// (`change_kind`).
    pub change_pct: Option<f64>,
    /// How the change is measured: relative (`change_pct`), in percentage points or in the
    /// unit (`change_abs`).
    #[serde(default)]
    pub change_kind: ChangeKind,
    pub p_value: Option<f64>,
    /// Which test produced `p_value` (`welch_t`, `mann_whitney_u`), if any.
    pub test: Option<String>,
    pub confidence: Confidence,
    /// Thresholds (percent) that applied to this metric, after widening by the noise band.
    pub warn_pct: f64,
    pub fail_pct: f64,
    /// Human-readable reason for the status (`-12.40 % beyond the fail threshold 10 %, p = 0.003 (Welch's t-test)`).
    pub reason: String,
    /// Files the base and head numbers came from.
    pub base_origin: Vec<Arc<str>>,
    pub head_origin: Vec<Arc<str>>,
    /// Run-to-run noise of the base, when earlier base runs were given.
    #[serde(default)]
    pub noise: Option<NoiseBand>,
    /// Whether this delta alone makes the verdict `fail` under the policy.
    #[serde(default)]
    pub blocking: bool,
    /// Labels that record where a number came from rather than what it measures (a build
    /// commit, a run id, a timestamp, or a label the policy ignores): kept out of the key,
    /// `base → head` when the sides differ.
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    pub provenance: Labels,
    /// Why other series were folded into this row, when some were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_as: Option<MergeKind>,
    /// The series folded into this row (see [`MergeKind`]); this row's own key is not
    /// repeated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged: Vec<MergedSeries>,
}

/// The result of the compare stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub verdict: Verdict,
    /// Number of deltas per status (every status present, zeros included) plus `total`.
    pub counts: BTreeMap<String, usize>,
    /// Regressions and broken first (most severe first), then missing, noisy, improvements,
    /// fixed, new, unchanged.
    pub deltas: Vec<Delta>,
    /// Problems met while preparing the series (merged series that disagree on unit or
    /// direction, units that cannot be converted).
    #[serde(default)]
    pub warnings: Vec<Warning>,
    /// Missing and new metrics that would pair up under a policy fix (also a warning).
    #[serde(default)]
    pub key_hints: Vec<KeyHint>,
}

/// Compares head against base under `policy`. An empty head gives the verdict `no-data`
/// (a failure when the policy's `fail_on` lists `no_data`, as by default); an empty base
/// gives `no-baseline` (a failure only when `fail_on` lists `no_baseline`).
pub fn compare(base: &[Series], head: &[Series], policy: &Policy) -> Comparison {
    compare_with_history(base, head, &[], policy)
}

/// Like [`compare`], with earlier base runs (`history`, one `Vec<Series>` per run). For each
/// metric the means of the base run and of every earlier run give a noise band (median and
/// MAD of the run means); the metric's thresholds are widened to the band's width
/// `k * MAD / median` when that is larger. See [`NoiseBand`].
pub fn compare_with_history(
    base: &[Series],
    head: &[Series],
    history: &[Vec<Series>],
    policy: &Policy,
) -> Comparison {
    let judged = judge_group(Cow::Borrowed(base), Cow::Borrowed(head), history, policy);
    let mut assembly = Assembly::new(policy);
    let unchanged = assembly.add(judged);
    assembly.finish(unchanged, 0)
}

/// The judged keys of one group of series (a whole comparison, or the keys of one source).
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    /// One delta per key, in key order.
    pub deltas: Vec<Delta>,
    /// Problems met while preparing the series (see [`Comparison::warnings`]).
    pub warnings: Vec<Warning>,
    /// Base series after preparing: a comparison whose groups have none has no baseline.
    pub base_series: usize,
    /// Head series after preparing: a comparison whose groups have none has no head data.
    pub head_series: usize,
}

/// Judges every key of `base` and `head` (and the noise band of each from `history`) under
/// `policy`, without the report order or the verdict ([`Assembly`] adds those). Keys that
/// share no group never meet, so a caller may judge the keys of each source separately.
pub fn judge_group(
    base: Cow<'_, [Series]>,
    head: Cow<'_, [Series]>,
    history: &[Vec<Series>],
    policy: &Policy,
) -> Judged {
    let (base, mut warnings) = prepared(policy, base);
    let (head, head_warnings) = prepared(policy, head);
    warnings.extend(head_warnings);
    let base_series = base.len();
    let head_series = head.len();
    let history: Vec<BTreeMap<SeriesKey, Series>> = history
        .iter()
        .map(|run| {
            let (run, _) = policy.prepare(run.clone());
            run.into_iter().map(|s| (s.key.clone(), s)).collect()
        })
        .collect();

    // Keys are judged independently, in parallel; warnings keep the key order. An owned
    // series is dropped as soon as its key is judged.
    let (deltas, found): (Vec<Delta>, Vec<Vec<Warning>>) = join(base, head)
        .into_par_iter()
        .map(|(mut b, mut h)| {
            let band = b
                .as_deref()
                .and_then(|b| noise::band(b, &history, policy.noise_k));
            let key = take_key(&mut b, &mut h);
            let rule = policy.for_key(&key);
            let mut found = Vec::new();
            let delta = judge::judge(
                key,
                b.as_deref(),
                h.as_deref(),
                &rule,
                policy,
                band,
                &mut found,
            );
            (delta, found)
        })
        .unzip();
    warnings.extend(found.into_iter().flatten());
    Judged {
        deltas,
        warnings,
        base_series,
        head_series,
    }
}

/// Builds a [`Comparison`] from groups judged one at a time ([`judge_group`]). The
/// unchanged deltas, most rows of a large comparison, are handed back to the caller, which
/// keeps them or stores them elsewhere; the assembly only counts them. When the other
/// deltas grow many, [`Assembly::spill`] hands them out too, settled (folded, marked
/// blocking, in report order), and the assembly keeps only their counts.
#[derive(Debug)]
pub struct Assembly<'p> {
    policy: &'p Policy,
    deltas: Vec<Delta>,
    warnings: Vec<Warning>,
    base_series: usize,
    head_series: usize,
    /// Key hints found among the deltas handed out.
    key_hints: Vec<KeyHint>,
    given: verdict::GivenOut,
}

impl<'p> Assembly<'p> {
    pub fn new(policy: &'p Policy) -> Self {
        Assembly {
            policy,
            deltas: Vec::new(),
            warnings: Vec::new(),
            base_series: 0,
            head_series: 0,
            key_hints: Vec::new(),
            given: verdict::GivenOut::default(),
        }
    }

    /// Adds a judged group; returns its unchanged deltas, in key order.
    pub fn add(&mut self, judged: Judged) -> Vec<Delta> {
        self.base_series += judged.base_series;
        self.head_series += judged.head_series;
        self.warnings.extend(judged.warnings);
        // The others are taken out; the unchanged deltas stay where they are.
        let mut unchanged = judged.deltas;
        self.deltas
            .extend(unchanged.extract_if(.., |d| d.status != Status::Unchanged));
        unchanged
    }

    /// When more than `limit` deltas that are not unchanged are held: all of them, settled
    /// as [`Assembly::finish`] settles its own (key hints found, rows folded, blocking
    /// marked) and in report order. They count in the comparison; a delta that comes
    /// later ranks after those of equal place in the report order (keys come in order).
    /// Rows are folded, and key hints found, only among the deltas settled together.
    pub fn spill(&mut self, limit: usize) -> Option<Vec<Delta>> {
        if self.deltas.len() <= limit {
            return None;
        }
        let deltas = std::mem::take(&mut self.deltas);
        self.note_hint(&deltas);
        let deltas = self.fold(deltas);
        let settled = verdict::settle(deltas, self.policy);
        self.given.add(&settled);
        Some(settled)
    }

    fn note_hint(&mut self, deltas: &[Delta]) {
        if let Some(hint) = hints::find(deltas) {
            if !self.key_hints.contains(&hint) {
                self.key_hints.push(hint);
            }
        }
    }

    fn fold(&self, deltas: Vec<Delta>) -> Vec<Delta> {
        if self.policy.merge {
            merge::fold(deltas)
        } else {
            deltas
        }
    }

    /// The comparison: the kept deltas plus the `unchanged` ones the caller kept, in report
    /// order, with the counts of every delta added (`stored` unchanged ones and those
    /// [spilled](Assembly::spill) live elsewhere).
    pub fn finish(mut self, unchanged: Vec<Delta>, stored: usize) -> Comparison {
        let mut deltas = std::mem::take(&mut self.deltas);
        deltas.reserve_exact(unchanged.len());
        deltas.extend(unchanged);
        self.note_hint(&deltas);
        let mut warnings = std::mem::take(&mut self.warnings);
        for hint in &self.key_hints {
            warnings.push(Warning::new(".benchgate.yml", hint.message()));
        }
        let deltas = self.fold(deltas);
        let mut comparison = verdict::finish(
            deltas,
            verdict::Tally {
                no_base: self.base_series == 0,
                no_head: self.head_series == 0,
                stored,
                given: self.given,
            },
            self.policy,
            warnings,
        );
        comparison.key_hints = self.key_hints;
        comparison
    }
}

/// Where a delta goes in the report order: its status group first, then this severity,
/// highest first, then its key. Unchanged deltas all share the last group.
pub fn report_place(delta: &Delta) -> (u8, f64) {
    (verdict::group(delta.status), verdict::sort_severity(delta))
}

/// One side as the comparison sees it ([`Policy::prepare`]). Borrowed series that are
/// already merged and sorted (as a scan returns them) under a policy that rewrites no key
/// and overrides no direction or unit are used as they are, without a copy.
fn prepared<'a>(policy: &Policy, series: Cow<'a, [Series]>) -> (Cow<'a, [Series]>, Vec<Warning>) {
    let series = match series {
        Cow::Borrowed(s) if !policy.alters(s) && is_merged(s) => {
            return (Cow::Borrowed(s), Vec::new());
        }
        Cow::Borrowed(s) => s.to_vec(),
        Cow::Owned(s) => s,
    };
    let (series, warnings) = policy.prepare(series);
    (Cow::Owned(series), warnings)
}

/// A key's series on base and on head, borrowed or owned as the side was given.
type Pair<'a> = (Option<Cow<'a, Series>>, Option<Cow<'a, Series>>);

/// The series of a side one by one, in order.
fn series_of<'a>(side: Cow<'a, [Series]>) -> Box<dyn Iterator<Item = Cow<'a, Series>> + 'a> {
    match side {
        Cow::Borrowed(s) => Box::new(s.iter().map(Cow::Borrowed)),
        Cow::Owned(v) => Box::new(v.into_iter().map(Cow::Owned)),
    }
}

/// Pairs the series of both sides by key, in key order. Both sides are sorted by key and
/// hold each key once (as [`prepared`] returns them).
fn join<'a>(base: Cow<'a, [Series]>, head: Cow<'a, [Series]>) -> Vec<Pair<'a>> {
    let mut pairs = Vec::with_capacity(base.len().max(head.len()));
    let (mut b, mut h) = (series_of(base).peekable(), series_of(head).peekable());
    loop {
        let pair = match (b.peek(), h.peek()) {
            (Some(x), Some(y)) => match x.key.cmp(&y.key) {
                Ordering::Less => (b.next(), None),
                Ordering::Greater => (None, h.next()),
                Ordering::Equal => (b.next(), h.next()),
            },
            (Some(_), None) => (b.next(), None),
            (None, Some(_)) => (None, h.next()),
            (None, None) => return pairs,
        };
        pairs.push(pair);
    }
}

/// The key of a pair for its delta: moved out of an owned series, else cloned.
fn take_key<'a>(
    base: &mut Option<Cow<'a, Series>>,
    head: &mut Option<Cow<'a, Series>>,
) -> SeriesKey {
    for side in [&mut *base, &mut *head] {
        if let Some(Cow::Owned(s)) = side {
            return std::mem::take(&mut s.key);
        }
    }
    base.as_deref()
        .or(head.as_deref())
        .map(|s| s.key.clone())
        .unwrap_or_default()
}
