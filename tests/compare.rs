//! The compare stage, its statistics and the policy file, end to end through the public API.

use benchgate::compare::{
    compare, compare_with_history, ChangeKind, Comparison, Confidence, Delta, Gate, MergeKind,
    Status, Verdict,
};
use benchgate::config::{CliOverrides, Config, ConfigError, FailOn, Policy, TestChoice};
use benchgate::model::{Direction, Origin, Series, SeriesKey};
use benchgate::stats::{mann_whitney_u, welch_t_test};
use proptest::prelude::*;
use rand::{rngs::StdRng, Rng, SeedableRng};
use std::path::Path;

fn series(
    benchmark: &str,
    metric: &str,
    unit: &str,
    direction: Direction,
    samples: &[f64],
) -> Series {
    let mut s = Series::new(
        SeriesKey::new("bench.csv", benchmark, metric),
        unit,
        direction,
    );
    s.samples = samples.to_vec();
    s
}

fn tokens(benchmark: &str, samples: &[f64]) -> Series {
    series(
        benchmark,
        "tokens_s",
        "tokens/s",
        Direction::HigherIsBetter,
        samples,
    )
}

fn latency(benchmark: &str, samples: &[f64]) -> Series {
    series(
        benchmark,
        "ttft_ms",
        "ms",
        Direction::LowerIsBetter,
        samples,
    )
}

fn delta<'a>(c: &'a Comparison, benchmark: &str, metric: &str) -> &'a Delta {
    c.deltas
        .iter()
        .find(|d| d.key.benchmark == benchmark && d.key.metric == metric)
        .unwrap_or_else(|| panic!("no delta for {benchmark}/{metric}"))
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1e-300)
}

// ---------------------------------------------------------------------------------------
// Statistics against scipy 1.17.1 reference values:
//   scipy.stats.ttest_ind(a, b, equal_var=False)
//   scipy.stats.mannwhitneyu(x, y, method=...)

/// (a, b, t, p, df) for Welch; (x, y, U of x, p, exact) for Mann-Whitney.
type WelchCase<'a> = (&'a [f64], &'a [f64], f64, f64, f64);
type MwuCase<'a> = (&'a [f64], &'a [f64], f64, f64, bool);

#[test]
fn welch_matches_scipy() {
    let cases: [WelchCase; 4] = [
        (
            &[
                27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7,
                21.4,
            ],
            &[
                27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5,
                24.4,
            ],
            -2.455356398286006,
            0.021378001462866992,
            24.988529290231416,
        ),
        (
            &[1.0, 2.0, 3.0, 4.0],
            &[2.0, 4.0, 6.0, 8.0, 10.0, 12.0],
            -2.713602101199873,
            0.03182444378084147,
            6.59467097295115,
        ),
        (
            &[102.76, 101.52, 102.76, 101.5, 100.9],
            &[35.98, 102.76, 101.52, 102.76, 101.5],
            0.9807232859279571,
            0.38217493765873506,
            4.006355870803205,
        ),
        (
            &[100.0, 101.5, 99.2],
            &[91.0, 90.4],
            12.920163011545121,
            0.001778668581539606,
            2.6618182624457383,
        ),
    ];
    for (a, b, t, p, df) in cases {
        let r = welch_t_test(a, b).unwrap();
        assert!(close(r.t, t, 1e-10), "t {} vs {t}", r.t);
        assert!(close(r.df, df, 1e-10), "df {} vs {df}", r.df);
        assert!(close(r.p_value, p, 1e-8), "p {} vs {p}", r.p_value);
    }
}

#[test]
fn mann_whitney_matches_scipy() {
    let y8: Vec<f64> = (0..20).map(|i| 0.1 + i as f64 * 0.77).collect();
    let x8: Vec<f64> = (0..8).map(|i| 0.5 + i as f64 * 1.3).collect();
    let cases: [MwuCase; 7] = [
        // The scipy documentation example.
        (
            &[19.0, 22.0, 16.0, 29.0, 24.0],
            &[20.0, 11.0, 17.0, 12.0],
            17.0,
            0.1111111111111111,
            true,
        ),
        // Lower tail with len(x) < len(y): the case statrs 0.19.1 gets wrong.
        (
            &[1.0, 2.0, 3.0],
            &[4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
            0.0,
            0.023809523809523808,
            true,
        ),
        (
            &[3.1, 1.2, 5.7, 4.4, 2.9],
            &[6.3, 7.7, 5.9, 8.8, 6.1, 9.4, 7.2],
            0.0,
            0.0025252525252525255,
            true,
        ),
        (
            &[1.5, 3.5, 4.2, 6.1, 7.3, 8.8],
            &[2.2, 5.0, 6.6, 9.1],
            10.0,
            0.7619047619047619,
            true,
        ),
        // One sample of 8, the other of 20: still exact.
        (&x8, &y8, 55.0, 0.21769727856684382, true),
        // Ties: normal approximation with tie and continuity correction.
        (
            &[1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0],
            &[3.0, 4.0, 4.0, 5.0, 5.0, 6.0, 7.0],
            3.5,
            0.007659988586736321,
            false,
        ),
        // Both samples larger than 8.
        (
            &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
            &[
                4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5, 11.5, 12.5, 13.5, 14.5, 15.5,
            ],
            21.0,
            0.011129227614007952,
            false,
        ),
    ];
    for (x, y, u, p, exact) in cases {
        let r = mann_whitney_u(x, y).unwrap();
        assert_eq!(r.u, u, "U for {x:?} vs {y:?}");
        assert_eq!(r.exact, exact, "method for {x:?} vs {y:?}");
        assert!(
            close(r.p_value, p, 1e-9),
            "p {} vs {p} for {x:?} vs {y:?}",
            r.p_value
        );
        // Two-sided p does not depend on argument order.
        let swapped = mann_whitney_u(y, x).unwrap();
        assert!(close(swapped.p_value, p, 1e-9));
        assert_eq!(swapped.u, (x.len() * y.len()) as f64 - u);
    }
}

// ---------------------------------------------------------------------------------------
// Real fixture pairs. The parsers for these formats are built separately, so the series are
// built here from the files' own columns with the csv/serde_json crates.

const PAIRS: &str = "tests/fixtures/chimeraforge/pairs";

/// Reads one numeric column of an Ollama runs CSV: rows with an `error` are failed runs.
fn runs_csv_series(side: &str, column: &str, unit: &str, direction: Direction) -> Series {
    let path = format!(
        "{PAIRS}/ollama_gemma3_failed_then_fixed/{side}/reports/ollama/gemma3_benchmark_runs.csv"
    );
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = headers.iter().position(|h| h == column).unwrap();
    let err = headers.iter().position(|h| h == "error").unwrap();
    let mut s = Series::new(
        SeriesKey::new(
            "reports/ollama/gemma3_benchmark_runs.csv",
            "gemma3:latest",
            column,
        ),
        unit,
        direction,
    );
    for (i, row) in reader.records().enumerate() {
        let row = row.unwrap();
        if row[err].is_empty() {
            s.samples.push(row[col].parse().unwrap());
        } else {
            s.failed += 1;
        }
        s.origin
            .push(Origin::new(path.clone(), format!("row {}", i + 1)));
    }
    s
}

fn gemma3(side: &str) -> Vec<Series> {
    vec![
        runs_csv_series(side, "tokens_s", "tokens/s", Direction::HigherIsBetter),
        runs_csv_series(side, "ttft_s", "s", Direction::LowerIsBetter),
    ]
}

#[test]
fn failed_then_fixed_is_fixed_not_infinite() {
    let base = gemma3("base");
    let head = gemma3("head");
    assert_eq!((base[0].samples.len(), base[0].failed), (0, 5));
    assert_eq!((head[0].samples.len(), head[0].failed), (5, 0));
    let c = compare(&base, &head, &Policy::default());
    let d = delta(&c, "gemma3:latest", "tokens_s");
    assert_eq!(d.status, Status::Fixed);
    assert_eq!(d.change_pct, None);
    assert_eq!(d.change_abs, None);
    assert_eq!(d.confidence, Confidence::None);
    let head_stats = d.head.as_ref().unwrap();
    assert_eq!(head_stats.n, 5);
    // Mean of 35.98, 102.76, 101.52, 102.76, 101.50 (the summary file says 88.905...).
    assert!(close(head_stats.mean.unwrap(), 88.904, 1e-12));
    assert_eq!(d.base.as_ref().unwrap().failed, 5);
    assert!(d.head_origin[0].ends_with("head/reports/ollama/gemma3_benchmark_runs.csv"));
    assert_eq!(c.verdict, Verdict::Pass);
    assert_eq!(c.counts["fixed"], 2);
    // The JSON never carries an infinity (serde_json would write null for one anyway).
    let json = serde_json::to_string(&c).unwrap();
    assert!(json.contains("\"change_pct\":null"));
}

#[test]
fn swapped_pair_is_broken_and_fails() {
    let unfolded = Policy {
        merge: false,
        ..Policy::default()
    };
    let c = compare(&gemma3("head"), &gemma3("base"), &unfolded);
    for metric in ["tokens_s", "ttft_s"] {
        let d = delta(&c, "gemma3:latest", metric);
        assert_eq!(d.status, Status::Broken);
        assert!(d.blocking);
        assert!(
            d.reason.contains("only failures (5 failed)"),
            "{}",
            d.reason
        );
    }
    assert_eq!(c.verdict, Verdict::Fail);
    assert_eq!(c.counts["broken"], 2);
    // By default the metrics of the file that broke together are one finding.
    let c = compare(&gemma3("head"), &gemma3("base"), &Policy::default());
    assert_eq!(c.verdict, Verdict::Fail);
    assert_eq!(c.counts["broken"], 1);
    let row = &c.deltas[0];
    assert_eq!(row.merged_as, Some(MergeKind::File));
    assert!(row.blocking);
    let mut metrics: Vec<&str> = std::iter::once(row.key.metric.as_str())
        .chain(row.merged.iter().map(|m| m.key.metric.as_str()))
        .collect();
    metrics.sort();
    assert_eq!(metrics, ["tokens_s", "ttft_s"]);
    assert!(row.merged.iter().all(|m| m.status == Status::Broken));
}

/// The two agents' aggregate metrics of the single-run Rust agent pair.
fn rust_agent(side: &str) -> Vec<Series> {
    let path =
        format!("{PAIRS}/rust_agent_rerun_noise/{side}/Demo_rust_agent_out/data/metrics.json");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut out = Vec::new();
    for agent in ["baseline", "chimera"] {
        for (metric, unit, direction) in [
            (
                "average_tokens_per_second",
                "tokens/s",
                Direction::HigherIsBetter,
            ),
            ("average_ttft_ms", "ms", Direction::LowerIsBetter),
        ] {
            let value = json[agent]["aggregate_metrics"][metric].as_f64().unwrap();
            let mut s = Series::new(
                SeriesKey::new("Demo_rust_agent_out/data/metrics.json", agent, metric),
                unit,
                direction,
            );
            s.samples.push(value);
            s.origin.push(Origin::new(
                path.clone(),
                format!("/{agent}/aggregate_metrics/{metric}"),
            ));
            out.push(s);
        }
    }
    out
}

#[test]
fn single_run_pair_is_threshold_only_with_low_confidence() {
    let c = compare(&rust_agent("base"), &rust_agent("head"), &Policy::default());
    // baseline agent: 34.70075669003896 -> 30.32717854870106 tokens/s.
    let d = delta(&c, "baseline", "average_tokens_per_second");
    let expected = (30.32717854870106 - 34.70075669003896) / 34.70075669003896 * 100.0;
    assert!(close(d.change_pct.unwrap(), expected, 1e-12));
    // -12.6 % between single runs is inside their noise (±15 % by default).
    assert_eq!(d.status, Status::Noisy);
    assert_eq!(d.confidence, Confidence::Low);
    assert_eq!(d.p_value, None);
    assert_eq!(d.test, None);
    assert!(
        d.reason.contains("within the noise of single runs (±15 %)"),
        "{}",
        d.reason
    );
    // A team that wants every single-run change judged by the plain thresholds can say so.
    let strict = Policy {
        single_run_noise_pct: 0.0,
        single_run_fail_factor: 1.0,
        ..Policy::default()
    };
    let c = compare(&rust_agent("base"), &rust_agent("head"), &strict);
    let d = delta(&c, "baseline", "average_tokens_per_second");
    assert_eq!(d.status, Status::Regression);
    assert!(d.blocking);
    assert!(
        d.reason.contains("threshold only, low confidence"),
        "{}",
        d.reason
    );
    // chimera agent: 31.099557523858458 -> 35.5838457227401 tokens/s (+14.4 %).
    let d = delta(&c, "chimera", "average_tokens_per_second");
    assert_eq!(d.status, Status::Improvement);
    assert_eq!(d.confidence, Confidence::Low);
    // TTFT: baseline 6368.7 -> 6594.7 ms (+3.5 %, inside the 5 % warn threshold); chimera
    // 7652.8 -> 6491.7 ms (-15.2 %, lower is better).
    assert_eq!(
        delta(&c, "baseline", "average_ttft_ms").status,
        Status::Unchanged
    );
    assert_eq!(
        delta(&c, "chimera", "average_ttft_ms").status,
        Status::Improvement
    );
    assert!(c.deltas.iter().all(|d| d.confidence == Confidence::Low));
    // -12.6 % is beyond the default fail threshold: one noisy run can fail the gate...
    assert_eq!(c.verdict, Verdict::Fail);

    // ...unless the policy asks for more samples before judging.
    let cautious = Policy {
        min_samples: 2,
        ..Policy::default()
    };
    let c = compare(&rust_agent("base"), &rust_agent("head"), &cautious);
    let d = delta(&c, "baseline", "average_tokens_per_second");
    assert_eq!(d.status, Status::Noisy);
    assert!(d.reason.contains("min_samples 2"), "{}", d.reason);
    assert_eq!(c.verdict, Verdict::Pass);
}

// ---------------------------------------------------------------------------------------
// Hand-built series.

#[test]
fn same_series_on_both_sides_has_no_regression() {
    let side = vec![
        tokens("a", &[101.2, 99.8, 100.5, 98.9, 100.1]),
        latency("a", &[12.0, 12.5, 11.8, 12.2, 12.1]),
        tokens("single", &[55.0]),
    ];
    let c = compare(&side, &side, &Policy::default());
    assert_eq!(c.verdict, Verdict::Pass);
    for d in &c.deltas {
        assert_eq!(d.status, Status::Unchanged, "{}", d.reason);
        assert_eq!(d.change_pct, Some(0.0));
    }
    let d = delta(&c, "a", "tokens_s");
    assert_eq!(d.p_value, Some(1.0));
    assert_eq!(d.test.as_deref(), Some("welch_t"));
    assert_eq!(d.confidence, Confidence::High);
}

/// `n` samples around `mean` with relative Gaussian noise `noise` (Box-Muller).
fn noisy_samples(rng: &mut StdRng, mean: f64, noise: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|_| {
            let (u1, u2): (f64, f64) = (rng.random::<f64>().max(1e-12), rng.random());
            let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            mean * (1.0 + noise * z)
        })
        .collect()
}

#[test]
fn detects_a_ten_percent_drop_in_three_percent_noise_but_not_one_percent() {
    for seed in 0..20u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let base = vec![
            tokens("drop10", &noisy_samples(&mut rng, 100.0, 0.03, 5)),
            tokens("drop1", &noisy_samples(&mut rng, 100.0, 0.03, 5)),
        ];
        let head = vec![
            tokens("drop10", &noisy_samples(&mut rng, 90.0, 0.03, 5)),
            tokens("drop1", &noisy_samples(&mut rng, 99.0, 0.03, 5)),
        ];
        let c = compare(&base, &head, &Policy::default());
        let d10 = delta(&c, "drop10", "tokens_s");
        assert_eq!(
            d10.status,
            Status::Regression,
            "seed {seed}: {}",
            d10.reason
        );
        assert!(d10.p_value.unwrap() < 0.05);
        assert_eq!(d10.confidence, Confidence::High);
        let d1 = delta(&c, "drop1", "tokens_s");
        assert!(
            matches!(d1.status, Status::Unchanged),
            "seed {seed}: {}",
            d1.reason
        );
        assert_ne!(c.verdict, Verdict::Pass, "seed {seed}");
    }
}

#[test]
fn direction_decides_between_regression_and_improvement() {
    let base = vec![
        latency("gen", &[100.0, 102.0, 98.0]),
        tokens("gen", &[50.0, 51.0, 49.0]),
    ];
    let head = vec![
        latency("gen", &[120.0, 122.0, 118.0]),
        tokens("gen", &[60.0, 61.0, 59.0]),
    ];
    let c = compare(&base, &head, &Policy::default());
    let lat = delta(&c, "gen", "ttft_ms");
    assert_eq!(lat.status, Status::Regression);
    assert!(close(lat.change_pct.unwrap(), 20.0, 1e-12));
    assert!(
        lat.reason.contains("beyond the fail threshold 10 %"),
        "{}",
        lat.reason
    );
    let tps = delta(&c, "gen", "tokens_s");
    assert_eq!(tps.status, Status::Improvement);
    assert!(close(tps.change_pct.unwrap(), 20.0, 1e-12));
    assert_eq!(c.verdict, Verdict::Fail);
    // Regressions come first.
    assert_eq!(c.deltas[0].status, Status::Regression);
}

#[test]
fn neutral_metrics_report_change_but_are_never_judged() {
    let base = vec![series(
        "gen",
        "num_ctx",
        "",
        Direction::Neutral,
        &[2048.0, 2048.0],
    )];
    let head = vec![series(
        "gen",
        "num_ctx",
        "",
        Direction::Neutral,
        &[4096.0, 4096.0],
    )];
    let c = compare(&base, &head, &Policy::default());
    let d = &c.deltas[0];
    // Beyond the warn threshold: shown as changed context, never judged.
    assert_eq!(d.status, Status::Changed);
    assert!(!d.blocking);
    assert_eq!(d.change_pct, Some(100.0));
    assert!(d.reason.contains("neutral"), "{}", d.reason);
    assert_eq!(c.verdict, Verdict::Pass);
}

#[test]
fn missing_and_new_metrics() {
    let base = vec![tokens("old", &[10.0, 11.0]), tokens("kept", &[10.0, 11.0])];
    let head = vec![tokens("kept", &[10.0, 11.0]), tokens("added", &[12.0])];
    let c = compare(&base, &head, &Policy::default());
    assert_eq!(delta(&c, "old", "tokens_s").status, Status::Missing);
    assert!(delta(&c, "old", "tokens_s").head.is_none());
    assert_eq!(delta(&c, "added", "tokens_s").status, Status::New);
    assert!(delta(&c, "added", "tokens_s").base.is_none());
    // Missing warns by default; `fail_on: [missing]` makes it fail.
    assert_eq!(c.verdict, Verdict::Warn);
    let strict = Policy {
        fail_on: [FailOn::Missing].into_iter().collect(),
        ..Policy::default()
    };
    assert_eq!(compare(&base, &head, &strict).verdict, Verdict::Fail);
    let statuses: Vec<Status> = c.deltas.iter().map(|d| d.status).collect();
    assert_eq!(statuses, [Status::Missing, Status::New, Status::Unchanged]);
    assert_eq!(c.counts["missing"], 1);
    assert_eq!(c.counts["new"], 1);
    assert_eq!(c.counts["unchanged"], 1);
    assert_eq!(c.counts["regression"], 0);
    assert_eq!(c.counts["total"], 3);
    assert_eq!(c.counts.len(), Status::ALL.len() + 1);
}

#[test]
fn empty_base_is_no_baseline_not_failure() {
    let head = vec![tokens("a", &[10.0])];
    let c = compare(&[], &head, &Policy::default());
    assert_eq!(c.verdict, Verdict::NoBaseline);
    assert_eq!(c.deltas[0].status, Status::New);
    let strict = Policy {
        fail_on: [FailOn::NoBaseline].into_iter().collect(),
        ..Policy::default()
    };
    assert_eq!(compare(&[], &head, &strict).verdict, Verdict::Fail);
}

#[test]
fn compatible_units_are_converted_and_incompatible_ones_not_compared() {
    let base = vec![series(
        "load",
        "time",
        "s",
        Direction::LowerIsBetter,
        &[1.2, 1.25, 1.15],
    )];
    let head = vec![series(
        "load",
        "time",
        "ms",
        Direction::LowerIsBetter,
        &[1200.0, 1250.0, 1150.0],
    )];
    let c = compare(&base, &head, &Policy::default());
    let d = &c.deltas[0];
    assert_eq!(d.unit, "ms");
    assert!(close(d.base.as_ref().unwrap().mean.unwrap(), 1200.0, 1e-12));
    assert!(d.change_pct.unwrap().abs() < 1e-9);
    assert_eq!(d.status, Status::Unchanged);
    assert!(c.warnings.is_empty());

    let head = vec![series(
        "load",
        "time",
        "tokens/s",
        Direction::LowerIsBetter,
        &[5.0],
    )];
    let c = compare(&base, &head, &Policy::default());
    let d = &c.deltas[0];
    assert_eq!(d.status, Status::Unchanged);
    assert_eq!(d.change_pct, None);
    assert_eq!(d.confidence, Confidence::None);
    assert!(d.reason.contains("cannot be converted"), "{}", d.reason);
    assert_eq!(c.warnings.len(), 1);
}

#[test]
fn partial_failures_on_head_are_mentioned() {
    let base = vec![tokens("a", &[100.0, 101.0, 99.0])];
    let mut head = vec![tokens("a", &[100.5, 99.5])];
    head[0].failed = 2;
    let c = compare(&base, &head, &Policy::default());
    let d = &c.deltas[0];
    assert_eq!(d.status, Status::Unchanged);
    assert_eq!(d.head.as_ref().unwrap().failed, 2);
    assert!(
        d.reason.ends_with("; 2 failed runs on head (0 on base)"),
        "{}",
        d.reason
    );
}

#[test]
fn changes_from_a_zero_base_are_never_infinite() {
    let base = vec![series(
        "run",
        "errors",
        "",
        Direction::LowerIsBetter,
        &[0.0, 0.0, 0.0],
    )];
    let head = vec![series(
        "run",
        "errors",
        "",
        Direction::LowerIsBetter,
        &[2.0, 3.0, 4.0],
    )];
    let c = compare(&base, &head, &Policy::default());
    let d = &c.deltas[0];
    assert_eq!(d.change_pct, None);
    assert_eq!(d.change_abs, Some(3.0));
    assert_eq!(d.status, Status::Regression);
    assert_eq!(d.change_kind, ChangeKind::Absolute);
    assert!(
        d.reason.starts_with("+3 beyond the fail threshold"),
        "{}",
        d.reason
    );
}

#[test]
fn order_is_regressions_by_severity_then_the_rest() {
    let mut broken = tokens("broken", &[]);
    broken.failed = 3;
    let base = vec![
        tokens("r12", &[100.0, 101.0, 99.0]),
        tokens("r30", &[100.0, 101.0, 99.0]),
        tokens("broken", &[10.0, 10.5]),
        tokens("gone", &[1.0]),
        tokens("up", &[100.0, 101.0, 99.0]),
        tokens("same", &[5.0, 5.1]),
    ];
    let head = vec![
        tokens("r12", &[88.0, 89.0, 87.0]),
        tokens("r30", &[70.0, 71.0, 69.0]),
        broken,
        tokens("up", &[150.0, 151.0, 149.0]),
        tokens("same", &[5.0, 5.1]),
        tokens("fresh", &[1.0]),
    ];
    let c = compare(&base, &head, &Policy::default());
    let order: Vec<&str> = c.deltas.iter().map(|d| d.key.benchmark.as_str()).collect();
    assert_eq!(
        order,
        ["broken", "r30", "r12", "gone", "up", "fresh", "same"]
    );
}

#[test]
fn advisory_and_ignored_gates() {
    let yaml = "metrics:\n  - match: '*/advisory/*'\n    gate: advisory\n  - match: '*/ignored/*'\n    gate: ignore\n";
    let config = Config::from_yaml(yaml, ".benchgate.yml").unwrap();
    let policy = Policy::resolve(&config, None, &CliOverrides::default()).unwrap();
    let base = vec![
        tokens("advisory", &[100.0, 101.0]),
        tokens("ignored", &[100.0, 101.0]),
    ];
    let head = vec![
        tokens("advisory", &[50.0, 51.0]),
        tokens("ignored", &[50.0, 51.0]),
    ];
    let c = compare(&base, &head, &policy);
    assert_eq!(delta(&c, "advisory", "tokens_s").gate, Gate::Advisory);
    assert_eq!(delta(&c, "advisory", "tokens_s").status, Status::Regression);
    assert!(!delta(&c, "advisory", "tokens_s").blocking);
    assert_eq!(c.verdict, Verdict::Warn);
    let c = compare(&base[1..], &head[1..], &policy);
    assert_eq!(c.deltas[0].gate, Gate::Ignore);
    assert_eq!(c.verdict, Verdict::Pass);
}

#[test]
fn regression_between_warn_and_fail_only_warns() {
    let base = vec![tokens("a", &[100.0, 100.5, 99.5])];
    let head = vec![tokens("a", &[93.0, 93.5, 92.5])];
    let c = compare(&base, &head, &Policy::default());
    assert_eq!(c.deltas[0].status, Status::Regression);
    assert!(
        c.deltas[0].reason.contains("beyond the warn threshold 5 %"),
        "{}",
        c.deltas[0].reason
    );
    assert!(!c.deltas[0].blocking);
    assert_eq!(c.verdict, Verdict::Warn);
}

#[test]
fn large_change_that_is_not_significant_is_noisy() {
    let base = vec![tokens("a", &[100.0, 60.0, 140.0])];
    let head = vec![tokens("a", &[80.0, 40.0, 125.0])];
    let c = compare(&base, &head, &Policy::default());
    let d = &c.deltas[0];
    assert_eq!(d.status, Status::Noisy);
    assert!(d.p_value.unwrap() >= 0.05);
    assert!(d.reason.contains("not significant"), "{}", d.reason);
    assert_eq!(c.verdict, Verdict::Pass);
}

#[test]
fn skewed_samples_use_mann_whitney_under_auto() {
    // The real gemma3 head run: a cold first prompt (35.98) and four warm ones.
    let base = vec![tokens("g", &[35.98, 102.76, 101.52, 102.76, 101.5])];
    let head = vec![tokens("g", &[30.1, 80.2, 81.0, 80.6, 79.9])];
    let c = compare(&base, &head, &Policy::default());
    let d = &c.deltas[0];
    assert_eq!(d.test.as_deref(), Some("mann_whitney_u"));
    // scipy.stats.mannwhitneyu(base, head): U = 21, p = 0.0936926194932482 (tie-corrected
    // normal approximation: 102.76 appears twice). -20 % is beyond the threshold but the
    // cold-start values overlap, so the change is not significant.
    assert!(
        close(d.p_value.unwrap(), 0.0936926194932482, 1e-9),
        "{:?}",
        d.p_value
    );
    assert_eq!(d.status, Status::Noisy);
    assert!(
        d.reason.contains("Mann-Whitney U, skewed samples"),
        "{}",
        d.reason
    );
    let welch = Policy {
        test: TestChoice::Welch,
        ..Policy::default()
    };
    let c = compare(&base, &head, &welch);
    assert_eq!(c.deltas[0].test.as_deref(), Some("welch_t"));
}

#[test]
fn history_widens_the_threshold_to_the_noise_band() {
    let base = vec![tokens("a", &[100.0, 100.2, 99.8])];
    let head = vec![tokens("a", &[92.0, 92.2, 91.8])];
    // Earlier runs' means: 92, 108, 100, 94 -> with base 100: median 100, MAD 6,
    // band 3 * 6 / 100 = 18 %.
    let history: Vec<Vec<Series>> = [92.0, 108.0, 100.0, 94.0]
        .iter()
        .map(|m| vec![tokens("a", &[m - 0.2, *m, m + 0.2])])
        .collect();
    let without = compare(&base, &head, &Policy::default());
    assert_eq!(without.deltas[0].status, Status::Regression);
    let with = compare_with_history(&base, &head, &history, &Policy::default());
    let d = &with.deltas[0];
    assert_eq!(d.status, Status::Unchanged, "{}", d.reason);
    let band = d.noise.as_ref().unwrap();
    assert_eq!((band.runs, band.median, band.mad), (5, 100.0, 6.0));
    assert!(close(band.width_pct, 18.0, 1e-12));
    assert!(close(d.warn_pct, 18.0, 1e-12) && close(d.fail_pct, 18.0, 1e-12));
    assert!(d.reason.contains("noise band"), "{}", d.reason);
    assert_eq!(with.verdict, Verdict::Pass);
}

// ---------------------------------------------------------------------------------------
// The policy file.

#[test]
fn unknown_key_error_names_file_line_key_and_valid_keys() {
    let yaml =
        "thresholds:\n  warn: 5\n  fail: 10\nmetrics:\n  - match: '*tokens_s'\n    fial: 3\n";
    let err = Config::from_yaml(yaml, "repo/.benchgate.yml").unwrap_err();
    let ConfigError::Parse { line, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*line, Some(6));
    let message = err.to_string();
    assert!(
        message.starts_with("repo/.benchgate.yml, line 6"),
        "{message}"
    );
    assert!(
        message.contains("unknown key `fial` under `metrics[0]`"),
        "{message}"
    );
    assert!(
        message.contains("valid keys: match, direction, unit, warn, fail, gate, min_samples"),
        "{message}"
    );

    let err = Config::from_yaml("alpha: 0.05\nthreshold:\n  warn: 1\n", "p.yml")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("p.yml, line 2"), "{err}");
    assert!(
        err.contains("unknown key `threshold` at the top level"),
        "{err}"
    );
    assert!(err.contains("thresholds"), "{err}");

    let err = Config::from_yaml("events:\n  relase:\n    alpha: 0.01\n", "p.yml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown event `relase`"), "{err}");
    assert!(err.contains("release"), "{err}");

    let err = Config::from_yaml("metrics:\n  - match: '*'\n    gate: hardd\n", "p.yml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("line 3") && err.contains("unknown value `hardd`"),
        "{err}"
    );
}

#[test]
fn bad_values_are_reported_with_their_place() {
    let err = Config::from_yaml("alpha: 1.5\n", "p.yml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("line 1") && err.contains("alpha must be between 0 and 1"),
        "{err}"
    );
    let err = Config::from_yaml("thresholds: {warn: 12, fail: 10}\n", "p.yml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("warn (12 %) is above fail (10 %)"), "{err}");
    let err = Config::from_yaml("metrics:\n  - match: 'a[b'\n", "p.yml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("line 2") && err.contains("invalid glob"),
        "{err}"
    );
    let err = Config::from_yaml(
        "rewrite:\n  - {field: source, pattern: '(', replace: ''}\n",
        "p.yml",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("line 2") && err.contains("invalid regex"),
        "{err}"
    );
    assert!(Config::from_yaml("# nothing yet\n\n", "p.yml").is_ok());
    let missing = Config::load(Path::new("no/such/.benchgate.yml"))
        .unwrap_err()
        .to_string();
    assert!(missing.contains("no/such/.benchgate.yml"), "{missing}");
}

#[test]
fn the_example_policy_file_parses() {
    let config = Config::load(Path::new(".benchgate.example.yml")).unwrap();
    let none = CliOverrides::default();
    for event in [
        "pull_request",
        "push",
        "release",
        "tag",
        "workflow_dispatch",
        "schedule",
    ] {
        Policy::resolve(&config, Some(event), &none).unwrap();
    }
    let pr = Policy::resolve(&config, Some("pull_request"), &none).unwrap();
    let release = Policy::resolve(&config, Some("release"), &none).unwrap();
    assert_eq!((pr.warn_pct, pr.fail_pct), (5.0, 10.0));
    assert_eq!((release.warn_pct, release.fail_pct), (2.0, 5.0));
    // Single runs: the documented defaults, and a release gate that judges them plainly.
    assert_eq!(
        (pr.single_run_noise_pct, pr.single_run_fail_factor),
        (15.0, 3.0)
    );
    assert_eq!(
        (release.single_run_noise_pct, release.single_run_fail_factor),
        (5.0, 1.0)
    );
    assert!(pr.merge);
    assert!(pr.ignore_labels.is_empty());
    let experiment = SeriesKey::new("experiments/tr115/summary.json", "agent_a", "ttft_ms");
    assert_eq!(pr.for_key(&experiment).gate, Gate::Advisory);
    assert_eq!(release.for_key(&experiment).gate, Gate::Hard);
    let tps = pr.for_key(&SeriesKey::new("reports/runs.csv", "gemma3", "tokens_s"));
    assert_eq!((tps.warn_pct, tps.fail_pct, tps.min_samples), (3.0, 8.0, 3));
    let scheduled = Policy::resolve(&config, Some("schedule"), &none).unwrap();
    assert!(scheduled.fail_on.is_empty());
}

const RELEASE_POLICY: &str = "\
thresholds: {warn: 5, fail: 10}
fail_on: [regression, broken]
metrics:
  - match: '*tokens_s'
    direction: higher_is_better
events:
  release:
    thresholds: {warn: 1, fail: 3}
    alpha: 0.1
    fail_on: [regression, broken, missing]
    metrics:
      - match: '*/experimental/*'
        gate: advisory
";

#[test]
fn release_event_is_stricter() {
    let config = Config::from_yaml(RELEASE_POLICY, ".benchgate.yml").unwrap();
    let none = CliOverrides::default();
    let pr = Policy::resolve(&config, Some("pull_request"), &none).unwrap();
    let release = Policy::resolve(&config, Some("release"), &none).unwrap();
    assert_eq!((pr.warn_pct, pr.fail_pct, pr.alpha), (5.0, 10.0, 0.05));
    assert_eq!(
        (release.warn_pct, release.fail_pct, release.alpha),
        (1.0, 3.0, 0.1)
    );
    assert!(release.fail_on.contains(&FailOn::Missing) && !pr.fail_on.contains(&FailOn::Missing));

    // A 4 % throughput drop passes a pull request's warn threshold but fails a release.
    let base = vec![
        tokens("gen", &[100.0, 100.3, 99.7]),
        tokens("experimental", &[10.0, 10.1]),
    ];
    let head = vec![
        tokens("gen", &[96.0, 96.3, 95.7]),
        tokens("experimental", &[5.0, 5.1]),
    ];
    let on_pr = compare(&base, &head, &pr);
    assert_eq!(delta(&on_pr, "gen", "tokens_s").status, Status::Unchanged);
    let on_release = compare(&base, &head, &release);
    assert_eq!(
        delta(&on_release, "gen", "tokens_s").status,
        Status::Regression
    );
    assert!(delta(&on_release, "gen", "tokens_s").blocking);
    assert_eq!(on_release.verdict, Verdict::Fail);
    // Event rules come after the file's: the release section made this one advisory.
    assert_eq!(
        delta(&on_release, "experimental", "tokens_s").gate,
        Gate::Advisory
    );
    assert_eq!(delta(&on_pr, "experimental", "tokens_s").gate, Gate::Hard);
    // pull_request_target shares the pull_request section; unknown events use the file.
    assert_eq!(
        Policy::resolve(&config, Some("pull_request_target"), &none)
            .unwrap()
            .warn_pct,
        5.0
    );
    assert_eq!(
        Policy::resolve(&config, Some("merge_group"), &none)
            .unwrap()
            .fail_pct,
        10.0
    );
}

#[test]
fn command_line_overrides_win_over_the_file() {
    let config = Config::from_yaml(RELEASE_POLICY, ".benchgate.yml").unwrap();
    let overrides = CliOverrides {
        fail_pct: Some(20.0),
        alpha: Some(0.01),
        test: Some(TestChoice::MannWhitney),
        fail_on: Some(vec![FailOn::Regression]),
        ..CliOverrides::default()
    };
    let p = Policy::resolve(&config, Some("release"), &overrides).unwrap();
    assert_eq!(
        (p.warn_pct, p.fail_pct, p.alpha, p.test),
        (1.0, 20.0, 0.01, TestChoice::MannWhitney)
    );
    assert_eq!(
        p.fail_on.iter().copied().collect::<Vec<_>>(),
        [FailOn::Regression]
    );
    let bad = CliOverrides {
        warn_pct: Some(30.0),
        fail_pct: Some(20.0),
        ..CliOverrides::default()
    };
    let err = Policy::resolve(&config, None, &bad)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("command-line") && err.contains("warn (30 %) is above fail (20 %)"),
        "{err}"
    );
    let bad = CliOverrides {
        alpha: Some(0.0),
        ..CliOverrides::default()
    };
    assert!(Policy::resolve(&config, None, &bad).is_err());
    // A lone fail override below the file's warn threshold pulls warn down with it.
    let lower = CliOverrides {
        fail_pct: Some(2.0),
        ..CliOverrides::default()
    };
    let p = Policy::resolve(&config, None, &lower).unwrap();
    assert_eq!((p.warn_pct, p.fail_pct), (2.0, 2.0));
    assert_eq!(
        FailOn::parse_list("regression, broken").unwrap(),
        [FailOn::Regression, FailOn::Broken]
    );
    assert!(FailOn::parse_list("regresion")
        .unwrap_err()
        .contains("valid values"));
}

#[test]
fn rules_match_by_glob_and_the_last_match_wins() {
    let yaml = "\
metrics:
  - match: '*'
    warn: 2
    fail: 4
  - match: 'reports/*/ttft*'
    direction: lower_is_better
    unit: s
    fail: 30
    min_samples: 3
";
    let config = Config::from_yaml(yaml, ".benchgate.yml").unwrap();
    let p = Policy::resolve(&config, None, &CliOverrides::default()).unwrap();
    let ttft = p.for_key(&SeriesKey::new("reports/runs.csv", "gemma3", "ttft_s"));
    assert_eq!(ttft.direction, Some(Direction::LowerIsBetter));
    assert_eq!(ttft.unit.as_deref(), Some("s"));
    assert_eq!(
        (ttft.warn_pct, ttft.fail_pct, ttft.min_samples),
        (2.0, 30.0, 3)
    );
    let other = p.for_key(&SeriesKey::new("reports/runs.csv", "gemma3", "tokens_s"));
    assert_eq!(
        (other.warn_pct, other.fail_pct, other.direction),
        (2.0, 4.0, None)
    );

    // Overrides apply to series before comparing: a series the parser called neutral is
    // judged as lower-is-better.
    let base = vec![{
        let mut s = series("gemma3", "ttft_s", "", Direction::Neutral, &[1.0, 1.1, 0.9]);
        s.key.source = "reports/runs.csv".into();
        s
    }];
    let mut head = base.clone();
    head[0].samples = vec![2.0, 2.1, 1.9];
    let c = compare(&base, &head, &p);
    assert_eq!(c.deltas[0].direction, Direction::LowerIsBetter);
    assert_eq!(c.deltas[0].unit, "s");
    assert_eq!(c.deltas[0].status, Status::Regression);
}

#[test]
fn rewrite_rules_merge_keys() {
    let yaml = "\
rewrite:
  - field: source
    pattern: 'run_\\d+/'
    replace: ''
  - field: benchmark
    pattern: '^(collector|insight)_agent$'
    replace: '$1'
";
    let config = Config::from_yaml(yaml, ".benchgate.yml").unwrap();
    let p = Policy::resolve(&config, None, &CliOverrides::default()).unwrap();
    let run = |n: u32, agent: &str, v: f64| {
        let mut s = tokens(agent, &[v]);
        s.key.source = format!("chimera_homo/run_{n}/summary.json").into();
        s.origin.push(Origin::new(
            format!("chimera_homo/run_{n}/summary.json"),
            "/runs/0",
        ));
        s
    };
    let (merged, warnings) = p.prepare(vec![
        run(1, "collector_agent", 41.0),
        run(2, "collector", 43.0),
        run(3, "collector_agent", 42.0),
        run(1, "insight_agent", 49.6),
    ]);
    assert!(warnings.is_empty());
    assert_eq!(merged.len(), 2);
    assert_eq!(
        merged[0].key,
        SeriesKey::new("chimera_homo/summary.json", "collector", "tokens_s")
    );
    assert_eq!(merged[0].samples, [41.0, 43.0, 42.0]);
    assert_eq!(merged[0].origin.len(), 3);
    assert_eq!(merged[1].key.benchmark, "insight");

    // compare applies the same rules, so differently numbered runs join.
    let c = compare(
        &[run(1, "collector_agent", 41.0)],
        &[run(7, "collector_agent", 41.0)],
        &p,
    );
    assert_eq!(c.deltas.len(), 1);
    assert_eq!(c.deltas[0].status, Status::Unchanged);
}

#[test]
fn comparison_serialises_with_stable_names() {
    let c = compare(
        &[tokens("a", &[1.0, 2.0])],
        &[tokens("a", &[1.0, 2.0])],
        &Policy::default(),
    );
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["verdict"], "pass");
    assert_eq!(json["deltas"][0]["status"], "unchanged");
    assert_eq!(json["deltas"][0]["direction"], "higher_is_better");
    assert_eq!(json["deltas"][0]["metric"], "tokens_s");
    assert_eq!(json["counts"]["total"], 1);
    let back: Comparison = serde_json::from_value(json).unwrap();
    assert_eq!(back, c);
    let no_base =
        serde_json::to_value(compare(&[], &[tokens("a", &[1.0])], &Policy::default())).unwrap();
    assert_eq!(no_base["verdict"], "no-baseline");
}

// ---------------------------------------------------------------------------------------
// Properties.

fn mirror(status: Status) -> Status {
    match status {
        Status::Regression => Status::Improvement,
        Status::Improvement => Status::Regression,
        Status::Broken => Status::Fixed,
        Status::Fixed => Status::Broken,
        Status::Missing => Status::New,
        Status::New => Status::Missing,
        other => other,
    }
}

/// A head factor either clearly inside the 5 % warn threshold or clearly beyond it in both
/// directions (a relative change is not symmetric: -20 % one way is +25 % the other).
fn factor() -> impl Strategy<Value = f64> {
    prop_oneof![0.995..1.005f64, 0.5..0.8f64, 1.25..2.0f64]
}

fn side_pair() -> impl Strategy<Value = (Vec<Series>, Vec<Series>)> {
    let one = (
        prop::collection::vec(1.0..1000.0f64, 1..8),
        factor(),
        any::<bool>(),
        0..6u8,
    );
    prop::collection::vec(one, 1..6).prop_map(|specs| {
        let mut base = Vec::new();
        let mut head = Vec::new();
        for (i, (samples, f, higher, kind)) in specs.into_iter().enumerate() {
            let direction = if higher {
                Direction::HigherIsBetter
            } else {
                Direction::LowerIsBetter
            };
            let b = series(&format!("b{i}"), "m", "ms", direction, &samples);
            let scaled: Vec<f64> = samples.iter().map(|v| v * f).collect();
            let h = series(&format!("b{i}"), "m", "ms", direction, &scaled);
            let failed = |s: &Series| {
                let mut s = s.clone();
                s.failed = s.samples.len() as u32;
                s.samples.clear();
                s
            };
            match kind {
                0 => base.push(b), // missing
                1 => head.push(h), // new
                2 => {
                    head.push(failed(&h)); // broken
                    base.push(b);
                }
                _ => {
                    base.push(b);
                    head.push(h);
                }
            }
        }
        (base, head)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn swapping_sides_mirrors_every_status((base, head) in side_pair()) {
        let policy = Policy { merge: false, ..Policy::default() };
        let forward = compare(&base, &head, &policy);
        let backward = compare(&head, &base, &policy);
        prop_assert_eq!(forward.deltas.len(), backward.deltas.len());
        for d in &forward.deltas {
            let back = backward.deltas.iter().find(|b| b.key == d.key).unwrap();
            prop_assert_eq!(back.status, mirror(d.status), "{} / {}", d.reason, back.reason);
        }
        prop_assert_eq!(forward.counts["regression"], backward.counts["improvement"]);
        prop_assert_eq!(forward.counts["improvement"], backward.counts["regression"]);
    }

    #[test]
    fn scaling_every_value_keeps_change_and_status((base, head) in side_pair(), scale in 0.001..1000.0f64) {
        let scaled = |side: &[Series]| -> Vec<Series> {
            side.iter().map(|s| {
                let mut s = s.clone();
                s.samples.iter_mut().for_each(|v| *v *= scale);
                s
            }).collect()
        };
        let policy = Policy { merge: false, ..Policy::default() };
        let plain = compare(&base, &head, &policy);
        let big = compare(&scaled(&base), &scaled(&head), &policy);
        prop_assert_eq!(plain.deltas.len(), big.deltas.len());
        for a in &plain.deltas {
            let b = big.deltas.iter().find(|b| b.key == a.key).unwrap();
            prop_assert_eq!(a.status, b.status);
            match (a.change_pct, b.change_pct) {
                (Some(x), Some(y)) => prop_assert!((x - y).abs() <= 1e-9 * x.abs().max(1.0), "{} vs {}", x, y),
                (x, y) => prop_assert_eq!(x, y),
            }
        }
        prop_assert_eq!(plain.verdict, big.verdict);
    }
}
