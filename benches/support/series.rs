//! Synthetic series for measuring the compare and render stages alone: `n` metrics on base
//! and head with repeated samples, where about 8 % regress by 10 %, 4 % improve, 2 % are
//! missing and 2 % are new. Deterministic for a given seed.

use benchgate::model::{Direction, Origin, Series, SeriesKey};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const METRICS: [(&str, &str, Direction); 4] = [
    ("tokens_s", "tokens/s", Direction::HigherIsBetter),
    ("ttft_ms", "ms", Direction::LowerIsBetter),
    ("time", "ns", Direction::LowerIsBetter),
    ("eval_count", "", Direction::Neutral),
];

/// `n` base series and about `n` head series, sorted by key as the scan returns them.
pub fn pair(n: usize, seed: u64) -> (Vec<Series>, Vec<Series>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut base = Vec::with_capacity(n);
    let mut head = Vec::with_capacity(n);
    for i in 0..n {
        let (metric, unit, direction) = METRICS[i % METRICS.len()];
        let mut key = SeriesKey::new(
            format!("suite-{:04}/results.json", i / 200),
            format!("bench-{:06}", i / METRICS.len()),
            metric,
        );
        key.labels.insert("model".into(), format!("m{}", i % 3));
        let truth = rng.random_range(1.0..10_000.0);
        let roll: f64 = rng.random();
        let factor = match roll {
            r if r < 0.08 => 0.9,
            r if r < 0.12 => 1.15,
            _ => 1.0,
        };
        let shift = if direction == Direction::HigherIsBetter {
            factor
        } else {
            1.0 / factor
        };
        let make = |rng: &mut StdRng, scale: f64, side: &str| {
            let mut s = Series::new(key.clone(), unit, direction);
            s.samples = (0..rng.random_range(3..10))
                .map(|_| truth * scale * rng.random_range(0.98..1.02))
                .collect();
            s.format = "synthetic".into();
            s.origin = vec![Origin::new(format!("{side}/{}", key.source), "")];
            s
        };
        if !(0.12..0.14).contains(&roll) {
            base.push(make(&mut rng, 1.0, "base"));
        }
        if !(0.14..0.16).contains(&roll) {
            head.push(make(&mut rng, shift, "head"));
        }
    }
    base.sort_by(|a, b| a.key.cmp(&b.key));
    head.sort_by(|a, b| a.key.cmp(&b.key));
    (base, head)
}
