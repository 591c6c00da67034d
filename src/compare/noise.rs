//! The noise band of a metric: how much its mean moves between base runs on its own. From
//! the means of the current base run and of earlier base runs, the median and the median
//! absolute deviation (MAD) give a band of `k * MAD / |median|` percent; a change inside it
//! is indistinguishable from run-to-run noise.

use crate::model::{Series, SeriesKey};
use crate::{stats, units};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Fewer run means than this give no band (the MAD of two values says little).
pub const MIN_RUNS: usize = 3;

/// Run-to-run noise of one metric on the base side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoiseBand {
    /// Number of base runs with successful samples that the band was computed from.
    pub runs: usize,
    /// Median of the run means, in the base unit.
    pub median: f64,
    /// Median absolute deviation of the run means (unscaled).
    pub mad: f64,
    /// Multiplier applied to the MAD.
    pub k: f64,
    /// `k * mad / |median|` in percent: thresholds below this are raised to it.
    pub width_pct: f64,
}

/// The band for `base`'s key from `base` itself and the earlier runs in `history`
/// (units converted to the base unit; runs whose unit does not convert are skipped).
/// `None` with fewer than [`MIN_RUNS`] runs or a zero median.
pub(super) fn band(
    base: &Series,
    history: &[BTreeMap<SeriesKey, Series>],
    k: f64,
) -> Option<NoiseBand> {
    if history.is_empty() {
        return None;
    }
    let run_mean = |s: &Series| -> Option<f64> {
        let values: Option<Vec<f64>> = super::judge::finite(&s.samples)
            .iter()
            .map(|&v| units::convert(v, &s.unit, &base.unit))
            .collect();
        stats::mean(&values?)
    };
    let means: Vec<f64> = std::iter::once(base)
        .chain(history.iter().filter_map(|run| run.get(&base.key)))
        .filter_map(run_mean)
        .collect();
    if means.len() < MIN_RUNS {
        return None;
    }
    let median = stats::median(&means)?;
    let mad = stats::mad(&means)?;
    if median == 0.0 {
        return None;
    }
    Some(NoiseBand {
        runs: means.len(),
        median,
        mad,
        k,
        width_pct: k * mad / median.abs() * 100.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Direction;

    fn run(mean: f64) -> Series {
        let mut s = Series::new(
            SeriesKey::new("f.csv", "b", "tokens_s"),
            "tokens/s",
            Direction::HigherIsBetter,
        );
        s.samples = vec![mean - 1.0, mean + 1.0];
        s
    }

    fn history(means: &[f64]) -> Vec<BTreeMap<SeriesKey, Series>> {
        means
            .iter()
            .map(|&m| {
                let s = run(m);
                BTreeMap::from([(s.key.clone(), s)])
            })
            .collect()
    }

    #[test]
    fn band_from_run_means() {
        // Means 100, 96, 104, 102, 90: median 100, |dev| 0 4 4 2 10 -> MAD 4.
        let band = band(&run(100.0), &history(&[96.0, 104.0, 102.0, 90.0]), 3.0).unwrap();
        assert_eq!(band.runs, 5);
        assert_eq!(band.median, 100.0);
        assert_eq!(band.mad, 4.0);
        assert!((band.width_pct - 12.0).abs() < 1e-12);
    }

    #[test]
    fn too_few_runs_give_no_band() {
        assert!(band(&run(100.0), &history(&[96.0]), 3.0).is_none());
        assert!(band(&run(100.0), &[], 3.0).is_none());
    }
}
