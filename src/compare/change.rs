//! The arithmetic of a change, by what the metric is: percentages change in percentage
//! points, signed differences and values that reach or cross zero change in their unit,
//! everything else relative to the base mean. Also which values are absent telemetry (a
//! zero duration, rate or count beside a positive one, a negative duration) rather than a
//! measurement.

use super::judge::Signed;
use super::{ChangeKind, Delta};
use crate::direction::has_any_word;
use crate::model::SeriesKey;
use crate::units;
use std::fmt;

/// How a metric's change is measured, from whether it is a signed difference
/// ([`is_signed_difference`]), its name, unit and the two means.
pub(super) fn kind(signed: bool, metric: &str, unit: &str, base: f64, head: f64) -> ChangeKind {
    if is_percent(metric, unit) {
        ChangeKind::Points
    } else if signed || base == 0.0 || head == 0.0 || base * head < 0.0 {
        ChangeKind::Absolute
    } else {
        ChangeKind::Relative
    }
}

/// The size of a change that thresholds are compared with: |relative change| in percent;
/// |points| for percentages; for a signed difference the change as a percent of the larger
/// magnitude of the two sides; for a value that reaches or crosses zero the change as a
/// percent of the base magnitude (unbounded from a base of 0). `signed`: whether the metric
/// is a signed difference ([`is_signed_difference`]).
pub(super) fn magnitude(kind: ChangeKind, signed: bool, base: f64, head: f64) -> f64 {
    let change = head - base;
    if change == 0.0 {
        return 0.0;
    }
    match kind {
        ChangeKind::Points => change.abs(),
        ChangeKind::Absolute if signed => change.abs() / base.abs().max(head.abs()) * 100.0,
        ChangeKind::Absolute | ChangeKind::Relative if base == 0.0 => f64::INFINITY,
        ChangeKind::Absolute | ChangeKind::Relative => change.abs() / base.abs() * 100.0,
    }
}

/// The magnitude of a judged delta (0 without a change).
pub(super) fn of_delta(d: &Delta) -> f64 {
    if let (ChangeKind::Relative, Some(p)) = (d.change_kind, d.change_pct) {
        return p.abs();
    }
    let means = d
        .base
        .as_ref()
        .and_then(|b| b.mean)
        .zip(d.head.as_ref().and_then(|h| h.mean));
    match (means, d.change_abs) {
        (Some((b, h)), Some(_)) => magnitude(d.change_kind, is_signed_difference(&d.key), b, h),
        _ => 0.0,
    }
}

/// A change as a reader sees it: `+27.7 pp`, `-11.9 tokens/s`, `+12.40 %`.
pub(super) fn describe(
    kind: ChangeKind,
    change_pct: Option<f64>,
    change: f64,
    unit: &str,
) -> Described<'_> {
    Described {
        kind,
        change_pct,
        change,
        unit,
    }
}

/// A change written out by [`describe`], written into the text that holds it.
pub(super) struct Described<'a> {
    kind: ChangeKind,
    change_pct: Option<f64>,
    change: f64,
    unit: &'a str,
}

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let change = Signed(self.change);
        match (self.kind, self.change_pct) {
            (ChangeKind::Relative, Some(p)) => write!(f, "{p:+.2} %"),
            (ChangeKind::Points, _) => write!(f, "{change} pp"),
            _ if self.unit.is_empty() => write!(f, "{change}"),
            _ => write!(f, "{change} {}", self.unit),
        }
    }
}

/// What the thresholds are in for a kind of change.
pub(super) fn threshold_unit(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Points => "pp",
        _ => "%",
    }
}

/// A metric written as a difference of two others (`Δ TTFT`, `throughput_delta`,
/// `ttft_diff_ms`, a penalty or a gain, or any row of a `Δ` table section): its sign depends
/// on who wrote it.
/// A benchmark named `delta` is not enough: such sections also hold the values compared.
pub(super) fn is_signed_difference(key: &SeriesKey) -> bool {
    // Most names are ASCII, which holds no `Δ`; that is quicker to tell than a search.
    let delta = |name: &str| !name.is_ascii() && name.contains('Δ');
    delta(&key.benchmark)
        || delta(&key.metric)
        || has_any_word(
            &key.metric,
            &[
                "delta",
                "diff",
                "difference",
                "penalty",
                "overhead",
                "gain",
                "savings",
            ],
        )
}

/// A percentage: unit `%`, or a unitless metric named like one.
pub(super) fn is_percent(metric: &str, unit: &str) -> bool {
    unit == "%"
        || (unit.is_empty()
            && has_any_word(
                metric,
                &[
                    "percent",
                    "pct",
                    "percentage",
                    "efficiency",
                    "utilization",
                    "utilisation",
                    "util",
                ],
            ))
}

/// Why a pair of means is absent telemetry rather than a change, if it is: a duration,
/// rate or count (not an error count) exactly 0 on one side and positive on the other, or
/// a negative duration, rate or count.
pub(super) fn absent(key: &SeriesKey, unit: &str, base: f64, head: f64) -> Option<String> {
    let side = |v: f64, other: f64| -> Option<&'static str> {
        if v < 0.0 {
            Some("negative, which is impossible")
        } else if v == 0.0 && other > 0.0 {
            Some("exactly 0 beside a positive value: no telemetry recorded")
        } else {
            None
        }
    };
    // The values decide most pairs; the names are read only for a zero or a negative.
    let why = match (side(base, head), side(head, base)) {
        (Some(why), _) => format!("base is {why}"),
        (None, Some(why)) => format!("head is {why}"),
        (None, None) => return None,
    };
    let telemetry = base != head
        && is_telemetry(key, unit)
        && !is_signed_difference(key)
        && !is_percent(&key.metric, unit);
    telemetry.then_some(why)
}

/// A duration, a rate or a token count, whose 0 means "not recorded".
fn is_telemetry(key: &SeriesKey, unit: &str) -> bool {
    let name = key.metric.as_str();
    if has_any_word(
        name,
        &[
            "error", "errors", "fail", "failed", "failures", "failure", "oom", "timeout",
            "timeouts", "retries", "dropped", "rejected",
        ],
    ) {
        return false;
    }
    let timed = units::convert(1.0, unit, "s").is_some();
    let rate = unit.ends_with("/s");
    timed
        || rate
        || has_any_word(
            name,
            &[
                "duration",
                "ttft",
                "latency",
                "throughput",
                "tps",
                "tokens",
                "count",
                "time",
                "eval",
            ],
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(benchmark: &str, metric: &str) -> SeriesKey {
        SeriesKey::new("m.json", benchmark, metric)
    }

    fn kind_of(key: &SeriesKey, unit: &str, base: f64, head: f64) -> ChangeKind {
        kind(is_signed_difference(key), &key.metric, unit, base, head)
    }

    #[test]
    fn percentages_change_in_points() {
        let k = key("delta", "throughput_improvement_percent");
        assert_eq!(kind_of(&k, "%", -10.4, 17.3), ChangeKind::Points);
        assert!(
            (magnitude(ChangeKind::Points, is_signed_difference(&k), -10.4, 17.3) - 27.7).abs()
                < 1e-9
        );
        assert_eq!(
            describe(ChangeKind::Points, None, 27.7, "%").to_string(),
            "+27.7 pp"
        );
        assert!(is_percent("efficiency", ""));
        assert!(!is_percent("tokens_s", ""));
    }

    #[test]
    fn signed_differences_and_zero_crossings_change_absolutely() {
        let d = key("Aggregate Performance/Δ", "Average TTFT");
        assert_eq!(kind_of(&d, "ms", -20.2, 1.6), ChangeKind::Absolute);
        assert_eq!(
            kind_of(&key("x", "ttft_delta_ms"), "ms", 151.0, -83.5),
            ChangeKind::Absolute
        );
        // |Δ| as a percent of the larger side: 21.8 / 20.2.
        let m = magnitude(ChangeKind::Absolute, is_signed_difference(&d), -20.2, 1.6);
        assert!((m - 21.8 / 20.2 * 100.0).abs() < 1e-9);
        let score = key("x", "score");
        assert_eq!(kind_of(&score, "", -5.0, 3.0), ChangeKind::Absolute);
        assert_eq!(
            magnitude(
                ChangeKind::Absolute,
                is_signed_difference(&score),
                -5.0,
                3.0
            ),
            160.0
        );
        assert_eq!(kind_of(&score, "", 0.0, 3.0), ChangeKind::Absolute);
        assert_eq!(
            magnitude(ChangeKind::Absolute, is_signed_difference(&score), 0.0, 3.0),
            f64::INFINITY
        );
        assert_eq!(
            kind_of(&key("x", "tokens_s"), "tokens/s", 40.0, 44.0),
            ChangeKind::Relative
        );
        assert_eq!(
            describe(ChangeKind::Absolute, None, -11.9, "tokens/s").to_string(),
            "-11.9 tokens/s"
        );
    }

    #[test]
    fn zero_durations_rates_and_counts_are_absent_telemetry() {
        assert!(absent(&key("a", "ttft_ms"), "ms", 0.0, 615.0).is_some());
        assert!(absent(&key("a", "tokens_s"), "tokens/s", 41.0, 0.0).is_some());
        assert!(absent(&key("a", "eval_count"), "", 0.0, 557.0).is_some());
        assert!(absent(&key("a", "load_s"), "s", -0.2, 0.3).is_some());
        assert!(absent(&key("a", "ttft_ms"), "ms", 600.0, 615.0).is_none());
        // An error count going from 0 is a real change, and so is a unitless score.
        assert!(absent(&key("a", "error_count"), "", 0.0, 3.0).is_none());
        assert!(absent(&key("a", "score"), "", 0.0, 3.0).is_none());
        // Nothing changed, or a signed difference or a percentage, which may be negative.
        assert!(absent(&key("a", "ttft_ms"), "ms", -58.0, -58.0).is_none());
        assert!(absent(&key("a", "Avg TTFT Penalty"), "ms", -58.0, 12.0).is_none());
        assert!(absent(
            &key("d", "throughput_improvement_percent"),
            "%",
            -10.4,
            17.3
        )
        .is_none());
        assert!(absent(&key("a", "ttft_delta_ms"), "ms", -5.0, 3.0).is_none());
    }
}
