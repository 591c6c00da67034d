//! The Mann-Whitney U test (Wilcoxon rank-sum) for two independent samples, two-sided.
//!
//! Small samples without ties use the exact null distribution of U, enumerated here as the
//! coefficients of the Gaussian binomial polynomial; everything else uses the normal
//! approximation with tie and continuity correction. Both match
//! `scipy.stats.mannwhitneyu(x, y, method=...)`.

use statrs::function::erf::erfc;

/// Exact enumeration is used when the smaller sample has at most this many values
/// (the same rule as scipy's `method="auto"`)...
const EXACT_MAX_SMALLER: usize = 8;
/// ...and the distribution has at most this many points (`n1 * n2`); beyond that the normal
/// approximation is accurate and the enumeration would be wasteful.
const EXACT_MAX_CELLS: usize = 10_000;

/// The outcome of [`mann_whitney_u`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitney {
    /// U statistic of `x`: the number of pairs (x_i, y_j) with x_i > y_j, ties counting 1/2.
    pub u: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Whether the exact distribution (true) or the normal approximation (false) was used.
    pub exact: bool,
}

/// Mann-Whitney U test of `x` against `y`. Uses the exact distribution when there are no
/// ties and the smaller sample has at most 8 values (and n1 * n2 <= 10 000); otherwise the
/// normal approximation with tie and continuity correction. `None` when a sample is empty.
pub fn mann_whitney_u(x: &[f64], y: &[f64]) -> Option<MannWhitney> {
    let (n1, n2) = (x.len(), y.len());
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let ranked = Ranked::new(x, y);
    let u1 = ranked.rank_sum_x - (n1 * (n1 + 1)) as f64 / 2.0;
    let u2 = (n1 * n2) as f64 - u1;
    let u_big = u1.max(u2);
    let small_enough = n1.min(n2) <= EXACT_MAX_SMALLER && n1 * n2 <= EXACT_MAX_CELLS;
    let exact_p = if ranked.tie_term == 0.0 && small_enough {
        exact_upper_tail(n1, n2, u_big)
    } else {
        None
    };
    let (p_one_sided, exact) = match exact_p {
        Some(p) => (p, true),
        None => (normal_upper_tail(n1, n2, u_big, ranked.tie_term), false),
    };
    Some(MannWhitney {
        u: u1,
        p_value: (2.0 * p_one_sided).clamp(0.0, 1.0),
        exact,
    })
}

/// Ranks of the pooled samples (ties get their average rank).
struct Ranked {
    rank_sum_x: f64,
    /// Sum of t^3 - t over groups of t tied values.
    tie_term: f64,
}

impl Ranked {
    fn new(x: &[f64], y: &[f64]) -> Self {
        let mut pooled: Vec<(f64, bool)> = x
            .iter()
            .map(|&v| (v, true))
            .chain(y.iter().map(|&v| (v, false)))
            .collect();
        pooled.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut rank_sum_x = 0.0;
        let mut tie_term = 0.0;
        let mut i = 0;
        while i < pooled.len() {
            let mut j = i;
            while j + 1 < pooled.len() && pooled[j + 1].0 == pooled[i].0 {
                j += 1;
            }
            // Positions i..=j (0-based) share the average of ranks i+1..=j+1.
            let avg_rank = (i + j + 2) as f64 / 2.0;
            let t = (j - i + 1) as f64;
            tie_term += t * t * t - t;
            rank_sum_x += avg_rank * pooled[i..=j].iter().filter(|p| p.1).count() as f64;
            i = j + 1;
        }
        Ranked {
            rank_sum_x,
            tie_term,
        }
    }
}

/// P(U >= u) under the null hypothesis, from the exact distribution of U for sample sizes
/// n1, n2. The number of arrangements with U = k is the coefficient of q^k in the Gaussian
/// binomial [n1+n2 choose m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i), with m the smaller
/// and n the larger size. Integer arithmetic keeps it exact; `None` on overflow.
fn exact_upper_tail(n1: usize, n2: usize, u: f64) -> Option<f64> {
    let (m, n) = (n1.min(n2), n1.max(n2));
    let degree = m * n;
    let mut coef = vec![0i128; degree + 1];
    coef[0] = 1;
    for i in 1..=m {
        // Multiply by (1 - q^(n+i)), from the top down so each term is read before it is changed.
        for k in (n + i..=degree).rev() {
            coef[k] = coef[k].checked_sub(coef[k - n - i])?;
        }
        // Divide by (1 - q^i): c'[k] = c[k] + c'[k - i].
        for k in i..=degree {
            coef[k] = coef[k].checked_add(coef[k - i])?;
        }
    }
    let total: i128 = coef.iter().try_fold(0i128, |acc, &c| acc.checked_add(c))?;
    // U takes integer values when there are no ties; round up to be safe with float input.
    let from = (u.ceil().max(0.0) as usize).min(degree + 1);
    let upper: i128 = coef[from..].iter().sum();
    Some(upper as f64 / total as f64)
}

/// P(U >= u) from the normal approximation with tie correction and a continuity correction
/// of 1/2 (towards the mean), as scipy computes it.
fn normal_upper_tail(n1: usize, n2: usize, u: f64, tie_term: f64) -> f64 {
    let (n1, n2) = (n1 as f64, n2 as f64);
    let n = n1 + n2;
    let mu = n1 * n2 / 2.0;
    let sigma = (n1 * n2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)))).sqrt();
    if sigma.is_nan() || sigma <= 0.0 {
        // Every value tied: no evidence of a difference at all.
        return 1.0;
    }
    let z = (u - mu - 0.5) / sigma;
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_distribution_counts_for_small_sizes() {
        // For n1 = n2 = 2 the six arrangements give U = 0,1,2,2,3,4.
        assert_eq!(exact_upper_tail(2, 2, 0.0), Some(1.0));
        assert_eq!(exact_upper_tail(2, 2, 2.0), Some(4.0 / 6.0));
        assert_eq!(exact_upper_tail(2, 2, 4.0), Some(1.0 / 6.0));
        assert_eq!(exact_upper_tail(2, 2, 5.0), Some(0.0));
    }

    #[test]
    fn exact_is_symmetric_in_argument_order() {
        // The defect in statrs 0.19.1 was an order-dependent exact p-value.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [6.0, 7.0, 8.0, 9.0, 10.0];
        let xy = mann_whitney_u(&x, &y).unwrap();
        let yx = mann_whitney_u(&y, &x).unwrap();
        assert!(xy.exact && yx.exact);
        assert_eq!(xy.u, 0.0);
        assert_eq!(yx.u, 25.0);
        assert_eq!(xy.p_value, yx.p_value);
        // 2 / C(10, 5) = 2 / 252.
        assert!((xy.p_value - 2.0 / 252.0).abs() < 1e-15);
    }

    #[test]
    fn all_tied_gives_p_one() {
        let r = mann_whitney_u(&[1.0, 1.0, 1.0], &[1.0, 1.0]).unwrap();
        assert!(!r.exact);
        assert_eq!(r.p_value, 1.0);
        assert!(mann_whitney_u(&[], &[1.0]).is_none());
    }
}
