//! Judging one metric: the status of a key present on base, head or both, with the change,
//! the significance test that applies, the confidence and a reason a reader can check.
//!
//! Rules: a change is a regression (or improvement) only when it is beyond the warn
//! threshold in the bad (good) direction AND significant (p < alpha). With one sample on
//! either side no test is possible: the threshold alone decides and confidence is low.
//! Below the metric's `min_samples` a change beyond the threshold is only `noisy`. Neutral
//! metrics are never judged.

use super::{Confidence, Delta, NoiseBand, SideStats, Status};
use crate::config::{MetricPolicy, Policy, TestChoice};
use crate::model::{Direction, Series, SeriesKey, Warning};
use crate::{stats, units};
use std::sync::Arc;

/// Mann-Whitney U needs this many samples per side to be used at all.
const MWU_MIN_SAMPLES: usize = 5;
/// |skewness| above this counts as skewed for `test: auto`.
const SKEWED: f64 = 1.0;

/// The finite values of `samples` (parsers should never produce others; this keeps the
/// statistics defined if one does).
pub(super) fn finite(samples: &[f64]) -> Vec<f64> {
    samples.iter().copied().filter(|v| v.is_finite()).collect()
}

/// Builds the delta of one key.
pub(super) fn judge(
    key: SeriesKey,
    base: Option<&Series>,
    head: Option<&Series>,
    rule: &MetricPolicy,
    policy: &Policy,
    noise: Option<NoiseBand>,
    warnings: &mut Vec<Warning>,
) -> Delta {
    let width = noise.as_ref().map_or(0.0, |b| b.width_pct);
    let shown = head.or(base);
    let mut d = Delta {
        key,
        unit: shown.map(|s| s.unit.clone()).unwrap_or_default(),
        direction: shown.map_or(Direction::Neutral, |s| s.direction),
        status: Status::Unchanged,
        gate: rule.gate,
        base: base.map(|s| SideStats::of(&finite(&s.samples), s.failed)),
        head: head.map(|s| SideStats::of(&finite(&s.samples), s.failed)),
        change_abs: None,
        change_pct: None,
        p_value: None,
        test: None,
        confidence: Confidence::None,
        warn_pct: rule.warn_pct.max(width),
        fail_pct: rule.fail_pct.max(width),
        reason: String::new(),
        base_origin: base.map(origins).unwrap_or_default(),
        head_origin: head.map(origins).unwrap_or_default(),
        noise,
        blocking: false,
    };
    let (b, h) = match (base, head) {
        (None, _) => {
            d.status = Status::New;
            d.reason = "only on head".into();
            return d;
        }
        (Some(_), None) => {
            d.status = Status::Missing;
            d.reason = "on base, not on head".into();
            return d;
        }
        (Some(b), Some(h)) => (b, h),
    };
    let head_values = finite(&h.samples);
    let base_values = match convert_all(&finite(&b.samples), &b.unit, &h.unit) {
        Some(values) => values,
        None => {
            let message = format!(
                "units `{}` (base) and `{}` (head) cannot be converted; not compared",
                b.unit, h.unit
            );
            warnings.push(Warning::new(
                h.origin
                    .first()
                    .map(|o| o.path.to_string())
                    .unwrap_or_default(),
                format!("{}: {message}", d.key),
            ));
            d.reason = message;
            return d;
        }
    };
    d.base = Some(SideStats::of(&base_values, b.failed));
    match (base_values.is_empty(), head_values.is_empty()) {
        (false, true) if h.failed > 0 => {
            d.status = Status::Broken;
            d.reason = format!(
                "base had {}, head has only failures ({} failed)",
                plural(base_values.len()),
                h.failed
            );
        }
        (false, true) => {
            d.status = Status::Missing;
            d.reason = "head has no samples".into();
        }
        (true, false) if b.failed > 0 => {
            d.status = Status::Fixed;
            d.reason = format!(
                "base had only failures ({} failed), head has {}",
                b.failed,
                plural(head_values.len())
            );
        }
        (true, false) => {
            d.status = Status::New;
            d.reason = "base has no samples".into();
        }
        (true, true) => {
            d.reason = format!(
                "no successful samples on either side ({} failed on base, {} on head)",
                b.failed, h.failed
            );
        }
        (false, false) => {
            judge_change(&mut d, &base_values, &head_values, rule, policy);
            if h.failed > b.failed {
                d.reason.push_str(&format!(
                    "; {} failed runs on head ({} on base)",
                    h.failed, b.failed
                ));
            }
        }
    }
    d
}

/// Decides the status of a metric with successful samples on both sides.
fn judge_change(d: &mut Delta, base: &[f64], head: &[f64], rule: &MetricPolicy, policy: &Policy) {
    let (Some(bm), Some(hm)) = (stats::mean(base), stats::mean(head)) else {
        return;
    };
    let change = hm - bm;
    d.change_abs = Some(change);
    d.change_pct = (bm != 0.0).then(|| change / bm.abs() * 100.0);
    let test = significance(base, head, policy.test);
    if let Some(t) = &test {
        d.p_value = Some(t.p_value);
        d.test = Some(t.name.to_string());
    }
    let (nb, nh) = (base.len(), head.len());
    d.confidence = if test.is_some() {
        Confidence::High
    } else {
        Confidence::Low
    };
    let change_text = describe_change(d.change_pct, change, &d.unit);
    let worse = match d.direction {
        Direction::HigherIsBetter => change < 0.0,
        Direction::LowerIsBetter => change > 0.0,
        Direction::Neutral => {
            d.reason = format!("{change_text}: neutral metric (a parameter), not judged");
            return;
        }
    };
    let magnitude = severity(d.change_pct, change);
    let band_note = d
        .noise
        .as_ref()
        .filter(|b| b.width_pct > rule.warn_pct)
        .map(|b| {
            format!(
                " (widened by the noise band ±{:.2} % of {} base runs)",
                b.width_pct, b.runs
            )
        })
        .unwrap_or_default();
    if magnitude <= d.warn_pct {
        d.reason = format!(
            "{change_text} within the warn threshold {} %{band_note}",
            fmt_num(d.warn_pct)
        );
        return;
    }
    let beyond = if worse && magnitude > d.fail_pct {
        format!("beyond the fail threshold {} %", fmt_num(d.fail_pct))
    } else {
        format!("beyond the warn threshold {} %", fmt_num(d.warn_pct))
    };
    let judged = if worse {
        Status::Regression
    } else {
        Status::Improvement
    };
    let min = rule.min_samples;
    if nb < min || nh < min {
        d.status = Status::Noisy;
        d.confidence = Confidence::Low;
        d.reason = format!(
            "{change_text} {beyond}{band_note}, but only {} on base and {} on head (min_samples {min})",
            plural(nb),
            plural(nh)
        );
        return;
    }
    let Some(t) = test else {
        d.status = judged;
        let side = match (nb, nh) {
            (1, 1) => "1 sample per side",
            (1, _) => "1 sample on base",
            _ => "1 sample on head",
        };
        d.reason =
            format!("{change_text} {beyond}{band_note}; {side}: threshold only, low confidence");
        return;
    };
    let p_text = format!("{} ({}{})", fmt_p(t.p_value), t.label, t.note);
    if t.p_value < policy.alpha {
        d.status = judged;
        d.reason = format!("{change_text} {beyond}{band_note}, {p_text}");
    } else {
        d.status = Status::Noisy;
        d.reason = format!(
            "{change_text} {beyond}{band_note} but not significant: {p_text} >= alpha {}",
            fmt_num(policy.alpha)
        );
    }
}

/// The size of a change used against thresholds and for ordering: |change %|, or infinite
/// when the base mean is 0 and the value moved (any change from zero is unbounded).
pub(super) fn severity(change_pct: Option<f64>, change_abs: f64) -> f64 {
    match change_pct {
        Some(p) => p.abs(),
        None if change_abs == 0.0 => 0.0,
        None => f64::INFINITY,
    }
}

/// A significance test that ran.
struct TestRun {
    name: &'static str,
    label: &'static str,
    note: &'static str,
    p_value: f64,
}

/// Picks and runs the test: none below 2 samples per side; Mann-Whitney U when both sides
/// have >= 5 samples and the config asks for it (or, with `auto`, either side is skewed);
/// Welch's t-test otherwise.
fn significance(base: &[f64], head: &[f64], choice: TestChoice) -> Option<TestRun> {
    if base.len() < 2 || head.len() < 2 {
        return None;
    }
    let enough_for_mwu = base.len() >= MWU_MIN_SAMPLES && head.len() >= MWU_MIN_SAMPLES;
    let skewed = |x: &[f64]| stats::skewness(x).is_some_and(|s| s.abs() > SKEWED);
    let use_mwu = enough_for_mwu
        && match choice {
            TestChoice::MannWhitney => true,
            TestChoice::Welch => false,
            TestChoice::Auto => skewed(base) || skewed(head),
        };
    if use_mwu {
        let r = stats::mann_whitney_u(base, head)?;
        return Some(TestRun {
            name: "mann_whitney_u",
            label: "Mann-Whitney U",
            note: if choice == TestChoice::Auto {
                ", skewed samples"
            } else {
                ""
            },
            p_value: r.p_value,
        });
    }
    let r = stats::welch_t_test(base, head)?;
    Some(TestRun {
        name: "welch_t",
        label: "Welch's t-test",
        note: if choice == TestChoice::MannWhitney {
            ", Mann-Whitney U needs 5 samples per side"
        } else {
            ""
        },
        p_value: r.p_value,
    })
}

fn convert_all(values: &[f64], from: &str, to: &str) -> Option<Vec<f64>> {
    if from == to {
        return Some(values.to_vec());
    }
    values
        .iter()
        .map(|&v| units::convert(v, from, to))
        .collect()
}

fn origins(s: &Series) -> Vec<Arc<str>> {
    let mut paths: Vec<Arc<str>> = Vec::new();
    for o in &s.origin {
        if !paths.contains(&o.path) {
            paths.push(o.path.clone());
        }
    }
    paths
}

fn describe_change(change_pct: Option<f64>, change_abs: f64, unit: &str) -> String {
    match change_pct {
        Some(p) => format!("{p:+.2} %"),
        None => {
            let unit = if unit.is_empty() {
                String::new()
            } else {
                format!(" {unit}")
            };
            format!(
                "{}{unit} from a base mean of 0 (relative change undefined)",
                fmt_signed(change_abs)
            )
        }
    }
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 successful sample".into()
    } else {
        format!("{n} successful samples")
    }
}

/// A number without trailing zeros (`5`, `2.5`, `0.05`).
fn fmt_num(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn fmt_signed(v: f64) -> String {
    if v >= 0.0 {
        format!("+{}", fmt_num(v))
    } else {
        format!("-{}", fmt_num(-v))
    }
}

fn fmt_p(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {p:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_of_changes_from_zero_is_unbounded() {
        assert_eq!(severity(Some(-12.5), -1.0), 12.5);
        assert_eq!(severity(None, 0.0), 0.0);
        assert_eq!(severity(None, 3.0), f64::INFINITY);
    }

    #[test]
    fn numbers_in_reasons() {
        assert_eq!(fmt_num(5.0), "5");
        assert_eq!(fmt_num(0.05), "0.05");
        assert_eq!(fmt_signed(-2.5), "-2.5");
        assert_eq!(fmt_p(0.0004), "p < 0.001");
        assert_eq!(fmt_p(0.0312), "p = 0.031");
        assert_eq!(
            describe_change(None, 3.0, "errors"),
            "+3 errors from a base mean of 0 (relative change undefined)"
        );
    }

    #[test]
    fn test_choice() {
        let symmetric = [10.0, 11.0, 12.0, 13.0, 14.0];
        let skewed = [35.98, 102.76, 101.52, 102.76, 101.5];
        assert_eq!(
            significance(&symmetric, &symmetric, TestChoice::Auto)
                .unwrap()
                .name,
            "welch_t"
        );
        assert_eq!(
            significance(&symmetric, &skewed, TestChoice::Auto)
                .unwrap()
                .name,
            "mann_whitney_u"
        );
        assert_eq!(
            significance(&symmetric, &skewed, TestChoice::Welch)
                .unwrap()
                .name,
            "welch_t"
        );
        assert_eq!(
            significance(&symmetric[..3], &skewed[..3], TestChoice::MannWhitney)
                .unwrap()
                .name,
            "welch_t"
        );
        assert!(significance(&[1.0], &symmetric, TestChoice::Auto).is_none());
    }
}
