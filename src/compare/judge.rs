//! Judging one metric: the status of a key present on base, head or both, with the change,
//! the significance test that applies, the confidence and a reason a reader can check.
//!
//! Rules: a change is a regression (or improvement) only when it is beyond the warn
//! threshold in the bad (good) direction AND significant (p < alpha). With one sample on
//! either side no test is possible: the threshold alone decides and confidence is low.
//! Below the metric's `min_samples` a change beyond the threshold is only `noisy`. Neutral
//! metrics are never judged.

use super::{change, ChangeKind, Confidence, Delta, NoiseBand, SideStats, Status};
use crate::config::{MetricPolicy, Policy, TestChoice};
use crate::model::{Direction, Labels, Series, SeriesKey, Warning};
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
        change_kind: ChangeKind::Relative,
        provenance: provenance(base, head),
        merged_as: None,
        merged: Vec::new(),
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
    d.change_kind = change::kind(&d.key, &d.unit, bm, hm);
    d.change_pct =
        (d.change_kind == ChangeKind::Relative && bm != 0.0).then(|| change / bm.abs() * 100.0);
    let change_text = change::describe(d.change_kind, d.change_pct, change, &d.unit);
    if let Some(why) = change::absent(&d.key, &d.unit, bm, hm) {
        d.status = Status::Absent;
        d.confidence = Confidence::None;
        d.reason = format!("{change_text}: {why}; not judged as a change");
        return;
    }
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
    let magnitude = change::magnitude(d.change_kind, &d.key, bm, hm);
    let per = change::threshold_unit(d.change_kind);
    // A signed difference has no direction of its own unless a rule gives it one.
    let direction = if change::is_signed_difference(&d.key) && rule.direction.is_none() {
        Direction::Neutral
    } else {
        d.direction
    };
    let worse = match direction {
        Direction::HigherIsBetter => change < 0.0,
        Direction::LowerIsBetter => change > 0.0,
        Direction::Neutral => {
            let what = if d.direction == Direction::Neutral {
                "neutral metric (a parameter)"
            } else {
                "signed difference (its sign depends on who wrote it)"
            };
            if magnitude > d.warn_pct {
                d.status = Status::Changed;
                d.reason = format!(
                    "{change_text} beyond the warn threshold {} {per}: {what}, shown as context, not judged",
                    fmt_num(d.warn_pct)
                );
            } else {
                d.reason = format!("{change_text}: {what}, not judged");
            }
            return;
        }
    };
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
    // Single runs without history: no test, no noise band. Their run-to-run spread is the
    // noise floor, and only a change several times the fail threshold fails.
    let single = test.is_none() && d.noise.is_none();
    if single {
        d.fail_pct = d.fail_pct.max(d.fail_pct * policy.single_run_fail_factor);
    }
    if magnitude <= d.warn_pct {
        d.reason = format!(
            "{change_text} within the warn threshold {} {per}{band_note}",
            fmt_num(d.warn_pct)
        );
        return;
    }
    let beyond = if worse && magnitude > d.fail_pct {
        format!("beyond the fail threshold {} {per}", fmt_num(d.fail_pct))
    } else {
        format!("beyond the warn threshold {} {per}", fmt_num(d.warn_pct))
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
        let side = match (nb, nh) {
            (1, 1) => "1 sample per side",
            (1, _) => "1 sample on base",
            _ => "1 sample on head",
        };
        if single && magnitude <= policy.single_run_noise_pct {
            d.status = Status::Noisy;
            d.reason = format!(
                "{change_text} within the noise of single runs (±{} {per}); {side}: low confidence",
                fmt_num(policy.single_run_noise_pct)
            );
            return;
        }
        d.status = judged;
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

/// The provenance labels of both sides: `value`, or `base → head` when they differ.
fn provenance(base: Option<&Series>, head: Option<&Series>) -> Labels {
    let mut out = Labels::new();
    let (b, h) = (base.map(|s| &s.provenance), head.map(|s| &s.provenance));
    for (name, value) in b.into_iter().chain(h).flat_map(|l| l.iter()) {
        if out.contains_key(name) {
            continue;
        }
        let before = b.and_then(|l| l.get(name));
        let after = h.and_then(|l| l.get(name));
        let text = match (before, after) {
            (Some(x), Some(y)) if x != y => format!("{x} → {y}"),
            (Some(x), None) => format!("{x} → —"),
            (None, Some(y)) if b.is_some() => format!("— → {y}"),
            _ => value.to_string(),
        };
        out.insert(name.to_string(), text);
    }
    out
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

pub(super) fn fmt_signed(v: f64) -> String {
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
    fn numbers_in_reasons() {
        assert_eq!(fmt_num(5.0), "5");
        assert_eq!(fmt_num(0.05), "0.05");
        assert_eq!(fmt_signed(-2.5), "-2.5");
        assert_eq!(fmt_p(0.0004), "p < 0.001");
        assert_eq!(fmt_p(0.0312), "p = 0.031");
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
