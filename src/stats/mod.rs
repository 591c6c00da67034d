//! Statistics on benchmark samples: descriptive summaries (mean, median, sample standard
//! deviation, min, max), robust spread (median absolute deviation), skewness, and the two
//! significance tests the compare stage runs: Welch's t-test and the Mann-Whitney U test.
//!
//! Every function takes a slice of finite values and returns `None` when the statistic is
//! undefined for that input (too few values, zero spread) instead of NaN or infinity.

mod mann_whitney;
mod welch;

pub use mann_whitney::{mann_whitney_u, MannWhitney};
pub use welch::{welch_t_test, Welch};

/// Arithmetic mean; `None` for an empty slice.
pub fn mean(x: &[f64]) -> Option<f64> {
    (!x.is_empty()).then(|| x.iter().sum::<f64>() / x.len() as f64)
}

/// Median (mean of the two middle values for an even count); `None` for an empty slice.
pub fn median(x: &[f64]) -> Option<f64> {
    if x.is_empty() {
        return None;
    }
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    })
}

/// Sample variance with Bessel's correction (divides by n - 1); `None` below two values.
pub fn variance(x: &[f64]) -> Option<f64> {
    if x.len() < 2 {
        return None;
    }
    let m = mean(x)?;
    Some(x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64)
}

/// Sample standard deviation (n - 1); `None` below two values.
pub fn stddev(x: &[f64]) -> Option<f64> {
    variance(x).map(f64::sqrt)
}

/// Smallest value; `None` for an empty slice.
pub fn min(x: &[f64]) -> Option<f64> {
    x.iter().copied().min_by(f64::total_cmp)
}

/// Largest value; `None` for an empty slice.
pub fn max(x: &[f64]) -> Option<f64> {
    x.iter().copied().max_by(f64::total_cmp)
}

/// Median absolute deviation from the median, unscaled (no 1.4826 factor).
pub fn mad(x: &[f64]) -> Option<f64> {
    let m = median(x)?;
    let deviations: Vec<f64> = x.iter().map(|v| (v - m).abs()).collect();
    median(&deviations)
}

/// Adjusted Fisher-Pearson sample skewness (G1, what spreadsheets call SKEW); `None` below
/// three values or when all values are equal.
pub fn skewness(x: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    if x.len() < 3 {
        return None;
    }
    let m = mean(x)?;
    let m2 = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n;
    let m3 = x.iter().map(|v| (v - m).powi(3)).sum::<f64>() / n;
    if m2 <= 0.0 {
        return None;
    }
    let g1 = m3 / m2.powf(1.5);
    Some(g1 * (n * (n - 1.0)).sqrt() / (n - 2.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptive_statistics_of_a_small_sample() {
        let x = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert_eq!(mean(&x), Some(5.0));
        assert_eq!(median(&x), Some(4.5));
        // Sum of squared deviations is 32, so the n-1 variance is 32 / 7.
        assert!((variance(&x).unwrap() - 32.0 / 7.0).abs() < 1e-12);
        assert!((stddev(&x).unwrap() - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        assert_eq!(min(&x), Some(2.0));
        assert_eq!(max(&x), Some(9.0));
        // |x - 4.5| = 2.5 0.5 0.5 0.5 0.5 0.5 2.5 4.5 -> median 0.5.
        assert_eq!(mad(&x), Some(0.5));
    }

    #[test]
    fn undefined_statistics_are_none() {
        assert_eq!(mean(&[]), None);
        assert_eq!(median(&[]), None);
        assert_eq!(stddev(&[3.0]), None);
        assert_eq!(skewness(&[1.0, 2.0]), None);
        assert_eq!(skewness(&[4.0, 4.0, 4.0]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
    }

    #[test]
    fn skewness_matches_scipy_bias_false() {
        // scipy.stats.skew([35.98, 102.76, 101.52, 102.76, 101.5], bias=False)
        let x = [35.98, 102.76, 101.52, 102.76, 101.5];
        assert!((skewness(&x).unwrap() - -2.233574401465435).abs() < 1e-12);
        // A symmetric sample has no skew.
        assert!(skewness(&[1.0, 2.0, 3.0]).unwrap().abs() < 1e-12);
    }
}
