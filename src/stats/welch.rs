//! Welch's unequal-variance t-test for two independent samples (two-sided), with the
//! Welch-Satterthwaite degrees of freedom and the Student t distribution from statrs.

use super::{mean, variance};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// The outcome of [`welch_t_test`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Welch {
    /// t statistic of `a` against `b` (positive when `a` has the larger mean); infinite when
    /// both samples have zero variance and different means.
    pub t: f64,
    /// Welch-Satterthwaite degrees of freedom.
    pub df: f64,
    /// Two-sided p-value.
    pub p_value: f64,
}

/// Welch's t-test of `a` against `b`, the same as
/// `scipy.stats.ttest_ind(a, b, equal_var=False)`. Needs at least two values per sample.
///
/// When both samples have zero variance the test is degenerate: equal means give p = 1,
/// different means give p = 0 (the samples are certainly different), where scipy returns NaN.
pub fn welch_t_test(a: &[f64], b: &[f64]) -> Option<Welch> {
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let (ma, mb) = (mean(a)?, mean(b)?);
    let (va, vb) = (variance(a)? / na, variance(b)? / nb);
    let se2 = va + vb;
    if se2 <= 0.0 {
        let differ = ma != mb;
        return Some(Welch {
            t: if differ {
                (ma - mb).signum() * f64::INFINITY
            } else {
                0.0
            },
            df: na + nb - 2.0,
            p_value: if differ { 0.0 } else { 1.0 },
        });
    }
    let t = (ma - mb) / se2.sqrt();
    let df = se2.powi(2) / (va.powi(2) / (na - 1.0) + vb.powi(2) / (nb - 1.0));
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    let p_value = (2.0 * dist.sf(t.abs())).min(1.0);
    Some(Welch { t, df, p_value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_two_values_per_side() {
        assert!(welch_t_test(&[1.0], &[1.0, 2.0]).is_none());
        assert!(welch_t_test(&[1.0, 2.0], &[]).is_none());
    }

    #[test]
    fn zero_variance_is_degenerate_not_nan() {
        let same = welch_t_test(&[3.0, 3.0], &[3.0, 3.0, 3.0]).unwrap();
        assert_eq!(same.p_value, 1.0);
        let differ = welch_t_test(&[3.0, 3.0], &[4.0, 4.0]).unwrap();
        assert_eq!(differ.p_value, 0.0);
        assert_eq!(differ.t, f64::NEG_INFINITY);
    }
}
