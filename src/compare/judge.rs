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
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// Mann-Whitney U needs this many samples per side to be used at all.
const MWU_MIN_SAMPLES: usize = 5;
/// |skewness| above this counts as skewed for `test: auto`.
const SKEWED: f64 = 1.0;

/// The finite values of `samples` (parsers should never produce others; this keeps the
/// statistics defined if one does): `samples` itself when all are.
pub(super) fn finite(samples: &[f64]) -> Cow<'_, [f64]> {
    if samples.iter().all(|v| v.is_finite()) {
        Cow::Borrowed(samples)
    } else {
        Cow::Owned(samples.iter().copied().filter(|v| v.is_finite()).collect())
    }
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
    let base_values = base.map(|s| finite(&s.samples));
    let head_values = head.map(|s| finite(&s.samples));
    // With both sides: the base values in the head's unit, `None` when they do not convert.
    let converted = match (base, head, &base_values) {
        (Some(b), Some(h), Some(values)) => Some(convert_all(values, &b.unit, &h.unit)),
        _ => None,
    };
    // The base is summarised in the head's unit when it converts, else as it was written.
    let base_summarised = match &converted {
        Some(Some(values)) => Some(values.as_ref()),
        _ => base_values.as_deref(),
    };
    let mut d = Delta {
        key,
        unit: shown.map(|s| s.unit.clone()).unwrap_or_default(),
        direction: shown.map_or(Direction::Neutral, |s| s.direction),
        status: Status::Unchanged,
        gate: rule.gate,
        base: base
            .zip(base_summarised)
            .map(|(s, values)| SideStats::of(values, s.failed)),
        head: head
            .zip(head_values.as_deref())
            .map(|(s, values)| SideStats::of(values, s.failed)),
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
    let (b, h, base_values, head_values) = match (base, head, converted, &head_values) {
        (None, ..) => {
            d.status = Status::New;
            d.reason = "only on head".into();
            return d;
        }
        (Some(_), None, ..) => {
            d.status = Status::Missing;
            d.reason = "on base, not on head".into();
            return d;
        }
        (Some(b), Some(h), Some(Some(base_values)), Some(head_values)) => {
            (b, h, base_values, head_values.as_ref())
        }
        (Some(b), Some(h), ..) => {
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
    match (base_values.is_empty(), head_values.is_empty()) {
        (false, true) if h.failed > 0 => {
            d.status = Status::Broken;
            d.reason = format!(
                "base had {}, head has only failures ({} failed)",
                Samples(base_values.len()),
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
                Samples(head_values.len())
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
            judge_change(&mut d, &base_values, head_values, rule, policy);
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

/// Decides the status of a metric with successful samples on both sides (summarised in
/// `d.base` and `d.head`).
fn judge_change(d: &mut Delta, base: &[f64], head: &[f64], rule: &MetricPolicy, policy: &Policy) {
    let means = d.base.as_ref().and_then(|s| s.mean);
    let (Some(bm), Some(hm)) = (means, d.head.as_ref().and_then(|s| s.mean)) else {
        return;
    };
    let change = hm - bm;
    let signed = change::is_signed_difference(&d.key);
    d.change_abs = Some(change);
    d.change_kind = change::kind(signed, &d.key.metric, &d.unit, bm, hm);
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
    let magnitude = change::magnitude(d.change_kind, signed, bm, hm);
    let per = change::threshold_unit(d.change_kind);
    // A signed difference has no direction of its own unless a rule gives it one.
    let direction = if signed && rule.direction.is_none() {
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
                    Num(d.warn_pct)
                );
            } else {
                d.reason = format!("{change_text}: {what}, not judged");
            }
            return;
        }
    };
    let band_note = BandNote(d.noise.as_ref().filter(|b| b.width_pct > rule.warn_pct));
    // Single runs without history: no test, no noise band. Their run-to-run spread is the
    // noise floor, and only a change several times the fail threshold fails.
    let single = test.is_none() && d.noise.is_none();
    if single {
        d.fail_pct = d.fail_pct.max(d.fail_pct * policy.single_run_fail_factor);
    }
    if magnitude <= d.warn_pct {
        d.reason = format!(
            "{change_text} within the warn threshold {} {per}{band_note}",
            Num(d.warn_pct)
        );
        return;
    }
    let beyond = if worse && magnitude > d.fail_pct {
        Beyond("fail", d.fail_pct, per)
    } else {
        Beyond("warn", d.warn_pct, per)
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
            Samples(nb),
            Samples(nh)
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
                Num(policy.single_run_noise_pct)
            );
            return;
        }
        d.status = judged;
        d.reason =
            format!("{change_text} {beyond}{band_note}; {side}: threshold only, low confidence");
        return;
    };
    let p = P(t.p_value);
    let (label, note) = (t.label, t.note);
    if t.p_value < policy.alpha {
        d.status = judged;
        d.reason = format!("{change_text} {beyond}{band_note}, {p} ({label}{note})");
    } else {
        d.status = Status::Noisy;
        d.reason = format!(
            "{change_text} {beyond}{band_note} but not significant: {p} ({label}{note}) >= alpha {}",
            Num(policy.alpha)
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

/// `values` from unit `from` in unit `to`: borrowed when the units are the same, `None`
/// when one does not convert.
fn convert_all<'a>(values: &'a [f64], from: &str, to: &str) -> Option<Cow<'a, [f64]>> {
    if from == to {
        return Some(Cow::Borrowed(values));
    }
    values
        .iter()
        .map(|&v| units::convert(v, from, to))
        .collect::<Option<Vec<f64>>>()
        .map(Cow::Owned)
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

/// The files of a series' origins, each once, in order. The origins read from one file
/// share its path, so most are the same path as one already listed.
fn origins(s: &Series) -> Vec<Arc<str>> {
    let mut paths: Vec<Arc<str>> = Vec::new();
    for o in &s.origin {
        if !paths
            .iter()
            .any(|p| Arc::ptr_eq(p, &o.path) || *p == o.path)
        {
            paths.push(o.path.clone());
        }
    }
    paths
}

/// `1 successful sample`, `3 successful samples`.
struct Samples(usize);

impl fmt::Display for Samples {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            1 => f.write_str("1 successful sample"),
            n => write!(f, "{n} successful samples"),
        }
    }
}

/// A number without trailing zeros, to four decimals (`5`, `2.5`, `0.05`).
pub(super) struct Num(pub f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        // A whole number (as thresholds mostly are) is its integer; -0 keeps its sign below.
        if v.fract() == 0.0 && v.abs() < 1e15 && !(v == 0.0 && v.is_sign_negative()) {
            return write!(f, "{}", v as i64);
        }
        let text = format!("{v:.4}");
        f.write_str(text.trim_end_matches('0').trim_end_matches('.'))
    }
}

/// A number with its sign, without trailing zeros (`+5`, `-2.5`).
pub(super) struct Signed(pub f64);

impl fmt::Display for Signed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 >= 0.0 {
            write!(f, "+{}", Num(self.0))
        } else {
            write!(f, "-{}", Num(-self.0))
        }
    }
}

/// `p < 0.001`, `p = 0.031`.
struct P(f64);

impl fmt::Display for P {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 < 0.001 {
            f.write_str("p < 0.001")
        } else {
            write!(f, "p = {:.3}", self.0)
        }
    }
}

/// `beyond the fail threshold 10 %`: the threshold's name, percent and unit.
struct Beyond(&'static str, f64, &'static str);

impl fmt::Display for Beyond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "beyond the {} threshold {} {}",
            self.0,
            Num(self.1),
            self.2
        )
    }
}

/// ` (widened by the noise band ±4.00 % of 5 base runs)`, when a band widened the
/// thresholds; nothing otherwise.
struct BandNote<'a>(Option<&'a NoiseBand>);

impl fmt::Display for BandNote<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(b) => write!(
                f,
                " (widened by the noise band ±{:.2} % of {} base runs)",
                b.width_pct, b.runs
            ),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_in_reasons() {
        assert_eq!(Num(5.0).to_string(), "5");
        assert_eq!(Num(0.05).to_string(), "0.05");
        assert_eq!(Num(-0.0).to_string(), "-0");
        assert_eq!(Num(0.00001).to_string(), "0");
        assert_eq!(Signed(-2.5).to_string(), "-2.5");
        assert_eq!(Signed(10.0).to_string(), "+10");
        assert_eq!(P(0.0004).to_string(), "p < 0.001");
        assert_eq!(P(0.0312).to_string(), "p = 0.031");
        assert_eq!(Samples(1).to_string(), "1 successful sample");
        assert_eq!(Samples(3).to_string(), "3 successful samples");
    }

    proptest! {
        /// A whole number is written as its integer, the same text as four decimals with
        /// the trailing zeros cut.
        #[test]
        fn whole_numbers_as_written_to_four_decimals(
            v in prop_oneof![
                any::<f64>(),
                (-2e15f64..2e15).prop_map(f64::trunc),
                Just(0.0),
                Just(-0.0),
                Just(1e15),
                Just(-1e15),
            ]
        ) {
            let four = format!("{v:.4}");
            let cut = four.trim_end_matches('0').trim_end_matches('.');
            prop_assert_eq!(Num(v).to_string(), cut);
        }
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
