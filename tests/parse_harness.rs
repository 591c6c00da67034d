//! The classic-harness adapters on real tool output (tests/fixtures/formats): names,
//! values, units, directions, sample and failure counts, base/head pairs, and robustness
//! against truncated and garbage input.

use benchgate::direction;
use benchgate::keys;
use benchgate::model::{Direction, Labels, Series};
use benchgate::parse::{harness, parse_file, Input, Parsed};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::LazyLock;

const ROOT: &str = "tests/fixtures/formats";

/// The formats these adapters read, with the adapter each fixture must go to (`None`: the
/// fixture directory mixes tools and each file is checked by its own test).
const FORMATS: [(&str, Option<&str>); 26] = [
    ("benchmarkdotnet-json", Some("benchmarkdotnet")),
    ("benchmarkjs-text", Some("benchmark.js")),
    ("cargo-bench-libtest-text", None),
    ("cargo-criterion-ndjson", Some("cargo-criterion")),
    ("catch2-console", Some("catch2-console")),
    ("catch2-xml", Some("catch2-xml")),
    ("criterion-bencher-text", Some("libtest-bench")),
    ("criterion-benchmark-json", Some("criterion")),
    ("criterion-console-text", Some("criterion-console")),
    ("criterion-raw-csv", Some("criterion-csv")),
    ("criterion-estimates-json", Some("criterion")),
    ("criterion-sample-json", Some("criterion")),
    ("go-test-bench-text", Some("go-bench")),
    ("google-benchmark-json", Some("google-benchmark")),
    ("hyperfine-json", Some("hyperfine")),
    ("jmh-json", Some("jmh")),
    ("pytest-benchmark-json", Some("pytest-benchmark")),
    ("vitest-bench-json", Some("vitest-bench")),
    ("deno-bench-json", Some("deno-bench")),
    ("julia-benchmarktools-json", Some("julia-benchmarktools")),
    ("gungraun-console-text", Some("gungraun")),
    ("benchmark-ips-text", Some("benchmark-ips")),
    ("luau-bench-text", Some("luau-bench")),
    ("asv-results-json", Some("asv")),
    ("google-benchmark-console", Some("google-benchmark-console")),
    ("asv-console-text", Some("asv-console")),
];

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Parses fixture `rel` as found under the formats root.
fn parse(rel: &str) -> Parsed {
    parse_text(rel, &read(rel))
}

fn parse_text(path: &str, text: &str) -> Parsed {
    parse_file(&Input { path, text })
}

fn fixture_files(dir: &str) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(Path::new(ROOT).join(dir))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(ROOT)
                .expect("under root")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    files.sort();
    files
}

fn find<'a>(p: &'a Parsed, benchmark: &str, metric: &str) -> &'a Series {
    let found: Vec<&Series> = p
        .series
        .iter()
        .filter(|s| s.key.benchmark == benchmark && s.key.metric == metric)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one series {benchmark} / {metric}, found {}; have: {:?}",
        found.len(),
        p.series
            .iter()
            .map(|s| s.key.to_string())
            .collect::<Vec<_>>()
    );
    found[0]
}

fn find_labeled<'a>(
    p: &'a Parsed,
    benchmark: &str,
    metric: &str,
    labels: &[(&str, &str)],
) -> &'a Series {
    let want: Labels = labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    p.series
        .iter()
        .find(|s| s.key.benchmark == benchmark && s.key.metric == metric && s.key.labels == want)
        .unwrap_or_else(|| panic!("no series {benchmark} / {metric} {want:?}"))
}

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= 1e-9 * expected.abs().max(1e-12)
}

#[track_caller]
fn assert_close(actual: f64, expected: f64) {
    assert!(close(actual, expected), "{actual} != {expected}");
}

#[track_caller]
fn assert_samples(s: &Series, expected: &[f64]) {
    assert_eq!(
        s.samples.len(),
        expected.len(),
        "{}: {:?}",
        s.key,
        s.samples
    );
    for (a, e) in s.samples.iter().zip(expected) {
        assert_close(*a, *e);
    }
}

#[track_caller]
fn assert_unit(s: &Series, unit: &str, direction: Direction) {
    assert_eq!(s.unit, unit, "{}", s.key);
    assert_eq!(s.direction, direction, "{}", s.key);
}

/// Series identities without the source (pairs come from differently named files).
fn identities(p: &Parsed) -> BTreeSet<(String, String, Labels)> {
    p.series
        .iter()
        .map(|s| {
            (
                s.key.benchmark.clone(),
                s.key.metric.clone(),
                s.key.labels.clone(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Every fixture

#[test]
fn every_fixture_goes_to_its_adapter_and_yields_clean_series() {
    let metadata_only = [
        "criterion-benchmark-json/cart__ecs_bench_suite/target__criterion__simple_iter__legion__new__benchmark.json",
        "criterion-estimates-json/cart__ecs_bench_suite/target__criterion__simple_iter__legion__change__estimates.json",
    ];
    let mut seen = 0;
    for (dir, adapter) in FORMATS {
        for rel in fixture_files(dir) {
            seen += 1;
            let p = parse(&rel);
            if let Some(adapter) = adapter {
                assert_eq!(p.format, adapter, "{rel}");
            }
            if metadata_only.contains(&rel.as_str()) {
                assert!(p.series.is_empty() && p.warnings.is_empty(), "{rel}: {p:?}");
                continue;
            }
            assert!(
                !p.series.is_empty(),
                "{rel}: no series, warnings {:?}",
                p.warnings
            );
            for s in &p.series {
                // asv drops the commit hash from its file names (tested below).
                if p.format != "asv" {
                    assert_eq!(&*s.key.source, keys::normalize_path(&rel), "{rel}");
                }
                assert_eq!(s.format, p.format, "{rel}");
                assert!(
                    !s.key.benchmark.is_empty() && !s.key.metric.is_empty(),
                    "{rel}"
                );
                assert!(
                    !s.samples.is_empty() || s.failed > 0,
                    "{rel}: empty {}",
                    s.key
                );
                assert!(s.samples.iter().all(|v| v.is_finite()), "{rel}: {}", s.key);
                assert!(s.origin.iter().all(|o| *o.path == *rel), "{rel}");
            }
        }
    }
    assert_eq!(seen, 88, "fixture count changed");
}

// ---------------------------------------------------------------------------------------
// criterion

#[test]
fn criterion_estimates_report_point_estimates_in_ns_named_from_the_path() {
    let p = parse("criterion-estimates-json/cart__ecs_bench_suite/c94db2a4__target__criterion__simple_iter__legion__new__estimates.json");
    assert_eq!(p.series.len(), 3);
    let mean = find(&p, "simple_iter/legion", "mean");
    assert_unit(mean, "ns", Direction::LowerIsBetter);
    assert_samples(mean, &[13466.997416220629]);
    assert_samples(
        find(&p, "simple_iter/legion", "median"),
        &[13421.78817472935],
    );
    assert_samples(
        find(&p, "simple_iter/legion", "std_dev"),
        &[171.27961274579934],
    );
    assert_eq!(mean.origin[0].at, "/mean/point_estimate");
}

#[test]
fn criterion_estimates_read_the_id_from_a_real_criterion_tree() {
    let text = read("criterion-estimates-json/cart__ecs_bench_suite/c8dba0e8__target__criterion__simple_iter__legion__new__estimates.json");
    let p = parse_text(
        "target/criterion/simple_iter/legion/new/estimates.json",
        &text,
    );
    assert_samples(
        find(&p, "simple_iter/legion", "mean"),
        &[13419.264829719546],
    );
}

#[test]
fn criterion_change_estimates_are_not_measurements() {
    let rel = "criterion-estimates-json/cart__ecs_bench_suite/target__criterion__simple_iter__legion__change__estimates.json";
    let p = parse(rel);
    assert_eq!(p.format, "criterion");
    assert!(p.series.is_empty() && p.warnings.is_empty());
    // Also when the file sits in a `change/` directory of a real tree.
    let p = parse_text("target/criterion/g/b/change/estimates.json", &read(rel));
    assert!(p.series.is_empty() && p.warnings.is_empty());
}

#[test]
fn damaged_criterion_file_is_reported_as_criterion() {
    let text = read("criterion-estimates-json/cart__ecs_bench_suite/c94db2a4__target__criterion__simple_iter__legion__new__estimates.json");
    let path = "target/criterion/simple_iter/legion/new/estimates.json";
    let p = parse_text(path, &text[..text.len() / 2]);
    assert_eq!(p.format, "criterion");
    assert!(p.series.is_empty());
    assert_eq!(p.warnings.len(), 1);
    assert_eq!(p.warnings[0].path, path);
    assert!(
        p.warnings[0].message.starts_with("malformed criterion"),
        "{:?}",
        p.warnings
    );
}

#[test]
fn criterion_benchmark_json_is_recognised_metadata() {
    let p = parse("criterion-benchmark-json/cart__ecs_bench_suite/target__criterion__simple_iter__legion__new__benchmark.json");
    assert_eq!(p.format, "criterion");
    assert!(p.series.is_empty() && p.warnings.is_empty());
}

#[test]
fn criterion_sample_json_gives_per_iteration_times() {
    let p = parse("criterion-sample-json/cart__ecs_bench_suite/target__criterion__simple_iter__legion__new__sample.json");
    let s = find(&p, "simple_iter/legion", "time");
    assert_unit(s, "ns", Direction::LowerIsBetter);
    assert_eq!(s.samples.len(), 100);
    assert_close(s.samples[0], 1049900.0 / 74.0);
    assert_close(s.samples[99], 99345400.0 / 7400.0);
}

#[test]
fn criterion_raw_csv_rows_are_per_iteration_samples() {
    let rel = "criterion-raw-csv/rust-gamedev__ecs_bench_suite/c79df61c__target__criterion__simple_iter__legion__new__raw.csv";
    let p = parse(rel);
    assert_eq!(p.series.len(), 1);
    let s = find(&p, "simple_iter/legion", "time");
    assert_unit(s, "ns", Direction::LowerIsBetter);
    assert_eq!(s.samples.len(), 100);
    assert_close(s.samples[0], 1007600.0 / 91.0);
    assert_close(s.samples[99], 99546600.0 / 9100.0);
    assert_eq!(s.origin[0].at, "line 2");

    // Rows of another benchmark appended to the same file (a concatenated export).
    let text = read(rel);
    let extra: String = text
        .lines()
        .skip(1)
        .take(3)
        .map(|l| {
            format!(
                "{}\n",
                l.replace("simple_iter,legion,", "simple_iter,legion,64")
            )
        })
        .collect();
    let p = parse_text("raw.csv", &format!("{text}{extra}"));
    assert_eq!(find(&p, "simple_iter/legion", "time").samples.len(), 100);
    assert_samples(
        find(&p, "simple_iter/legion/64", "time"),
        &[1007600.0 / 91.0, 2009200.0 / 182.0, 2972000.0 / 273.0],
    );
}

#[test]
fn cargo_criterion_messages_give_per_iteration_samples() {
    let p = parse("cargo-criterion-ndjson/benchmark-action__github-action-benchmark/test__data__extract__criterion_output.json");
    let s = find(&p, "Queries/[LIGHT] Bam query all", "time");
    assert_unit(s, "ns", Direction::LowerIsBetter);
    assert_eq!(s.samples.len(), 50);
    assert_close(s.samples[0], 23353750.0 / 1906.0);

    let p = parse("cargo-criterion-ndjson/benchmark-action__github-action-benchmark/test__data__extract__criterion_output_multi.json");
    assert_eq!(
        p.series.len(),
        2,
        "the group-complete message is not a benchmark"
    );
    assert_samples(
        find(&p, "Queries/[LIGHT] Bam query all", "time"),
        &[6666.0 / 448.0, 8888.0 / 896.0, 9999.0 / 1344.0],
    );
    assert_samples(
        find(&p, "Queries/[LIGHT] Bam query specific", "time"),
        &[1111.0 / 60.0, 2222.0 / 120.0, 3333.0 / 180.0],
    );
}

#[test]
fn criterion_console_converts_every_unit_to_ns_and_skips_change_lines() {
    let p = parse("criterion-console-text/bencherdev__bencher/lib__bencher_adapter__tool_output__rust__criterion__many.txt");
    assert_eq!(p.series.len(), 5);
    let file = find(&p, "file", "time");
    assert_unit(file, "ns", Direction::LowerIsBetter);
    assert_samples(file, &[0.3239]);
    assert_samples(find(&p, "rolling_file", "time"), &[0.42966]);
    assert_samples(find(&p, "tracing_file", "time"), &[18019.0]);
    assert_samples(find(&p, "benchmark: name with spaces", "time"), &[20.93]);

    let p = parse("criterion-console-text/bencherdev__bencher/lib__bencher_adapter__tool_output__rust__criterion__dogfood.txt");
    assert_eq!(p.series.len(), 4, "libtest `ignored` lines are not results");
    assert_samples(find(&p, "Adapter::Magic (JSON)", "time"), &[3463.2]);
    assert_samples(find(&p, "Adapter::Rust", "time"), &[14884.0]);
}

#[test]
fn criterion_console_takes_the_name_from_the_line_before() {
    let p = parse("criterion-console-text/benchmark-action__github-action-benchmark/test__data__extract__limbo-cargo-output.txt");
    assert_eq!(p.series.len(), 11);
    assert_samples(
        find(&p, "limbo/Prepare statement: 'SELECT 1'", "time"),
        &[2068.8],
    );
    assert_samples(
        find(
            &p,
            "rusqlite/Execute prepared statement: 'SELECT 1'",
            "time",
        ),
        &[60.788],
    );
    find(
        &p,
        "limbo/Prepare statement: 'SELECT first_name, count(1) FROM users GROUP BY first_name HAVING count(1)...",
        "time",
    );
}

#[test]
fn criterion_console_inside_cargo_bench_reads_libtest_lines_too() {
    let text = format!(
        "{}\n{}",
        read("cargo-bench-libtest-text/bencherdev__bencher/lib__bencher_adapter__tool_output__rust__bench__failed.txt"),
        read("criterion-console-text/bencherdev__bencher/lib__bencher_adapter__tool_output__rust__criterion__dogfood.txt")
    );
    let p = parse_text("bench.txt", &text);
    assert_eq!(p.format, "criterion-console");
    assert_samples(find(&p, "tests::benchmark_a", "time"), &[3296.0]);
    assert_eq!(find(&p, "tests::benchmark_b", "time").failed, 1);
    assert_samples(find(&p, "Adapter::Json", "time"), &[3479.6]);
}

// ---------------------------------------------------------------------------------------
// libtest (and criterion's bencher output)

#[test]
fn libtest_reads_ns_per_iter_with_separators_and_decimals() {
    let p = parse("cargo-bench-libtest-text/benchmark-action__github-action-benchmark/test__data__extract__cargo_output2.txt");
    assert_eq!(p.series.len(), 4);
    let s = find(&p, "bench_engine_new", "time");
    assert_unit(s, "ns", Direction::LowerIsBetter);
    assert_samples(s, &[211834.0]);

    let p = parse("cargo-bench-libtest-text/benchmark-action__github-action-benchmark/test__data__extract__cargo_output3.txt");
    assert_samples(find(&p, "bench_fib_20", "time"), &[18794.12]);

    let p = parse("cargo-bench-libtest-text/benchmark-action__github-action-benchmark/test__data__extract__cargo_output.txt");
    assert_samples(find(&p, "bench_fib_10", "time"), &[135.0]);
    assert_samples(find(&p, "bench_fib_20", "time"), &[18149.0]);
}

#[test]
fn libtest_failed_bench_is_a_failure_not_a_sample() {
    let p = parse("cargo-bench-libtest-text/bencherdev__bencher/lib__bencher_adapter__tool_output__rust__bench__failed.txt");
    assert_eq!(p.series.len(), 3, "ignored tests are skipped");
    let failed = find(&p, "tests::benchmark_b", "time");
    assert_eq!(failed.failed, 1);
    assert!(failed.samples.is_empty());
    assert_samples(find(&p, "tests::benchmark_a", "time"), &[3296.0]);
    assert_samples(find(&p, "tests::benchmark_c", "time"), &[3215.0]);
}

#[test]
fn libtest_scales_other_time_units_to_ns_and_keeps_custom_units() {
    let p = parse("cargo-bench-libtest-text/bencherdev__bencher/lib__bencher_adapter__tool_output__rust__bench__many.txt");
    assert_samples(find(&p, "tests::one_digit", "time"), &[1000.0]);
    assert_samples(find(&p, "tests::two_digit", "time"), &[22e6]);
    assert_samples(find(&p, "tests::three_digit", "time"), &[333e9]);

    let p = parse("cargo-bench-libtest-text/benchmark-action__github-action-benchmark/test__data__extract__cargo_output_units.txt");
    let cycles = find(&p, "cmov", "cycles/iter");
    assert_unit(cycles, "cycles/iter", Direction::LowerIsBetter);
    assert_samples(cycles, &[2835.0]);
    let upload = find(&p, "upload", "MS/s");
    assert_unit(upload, "MS/s", direction::infer("MS/s", "MS/s"));
    assert_samples(upload, &[1911.0]);
    assert_samples(find(&p, "download", "MS/s"), &[9001.0]);
}

#[test]
fn criterion_bencher_output_reads_like_libtest() {
    let p = parse("criterion-bencher-text/benchmark-action__github-action-benchmark/test__data__extract__criterion_output.txt");
    assert_eq!(p.series.len(), 4);
    assert_samples(find(&p, "Create Realm", "time"), &[329.0]);
    assert_samples(find(&p, "Fibonacci (Execution)", "time"), &[1672496.0]);
}

// ---------------------------------------------------------------------------------------
// Google Benchmark

#[test]
fn google_benchmark_reads_real_and_cpu_time_in_ns() {
    let p = parse("google-benchmark-json/benchmark-action__github-action-benchmark/test__data__extract__googlecpp_output.json");
    assert_eq!(p.series.len(), 4);
    let real = find(&p, "fib_10", "real_time");
    assert_unit(real, "ns", Direction::LowerIsBetter);
    assert_samples(real, &[214.98980114547953]);
    assert_samples(find(&p, "fib_20", "cpu_time"), &[27364.90320427236]);
}

#[test]
fn google_benchmark_converts_per_row_time_units() {
    let p = parse("google-benchmark-json/google__benchmark/tools__gbench__Inputs__test1_run1.json");
    assert_samples(find(&p, "BM_NotBadTimeUnit", "real_time"), &[0.4e9]);
    assert_samples(find(&p, "BM_NotBadTimeUnit", "cpu_time"), &[0.5e9]);
    assert_samples(find(&p, "BM_DifferentTimeUnit", "real_time"), &[1e9]);
    // The BigO row reports the fitted coefficients; the RMS row nothing.
    let big_o = find(&p, "MyComplexityTest", "real_coefficient");
    assert_eq!(big_o.key.labels.get("big_o"), Some("N"));
    assert_samples(big_o, &[6.478927528978978]);
    assert!(!p.series.iter().any(|s| s.key.metric == "rms"));
}

#[test]
fn google_benchmark_repetitions_are_samples_and_aggregates_only_stand_in() {
    let p = parse("google-benchmark-json/google__benchmark/tools__gbench__Inputs__test3_run0.json");
    assert_samples(find(&p, "BM_Two", "real_time"), &[9.0, 8.0]);
    assert_samples(find(&p, "medium", "cpu_time"), &[80.0, 82.0]);
    // No iteration rows: the aggregate rows are all there is.
    assert_samples(find(&p, "BM_One", "cpu_time"), &[100.0]);
    assert_samples(find(&p, "short", "cpu_time"), &[80.0, 77.0]);

    let p = parse("google-benchmark-json/google__benchmark/tools__gbench__Inputs__test3_run1.json");
    // Iteration rows exist: the aggregate rows are skipped.
    assert_samples(find(&p, "BM_Two", "real_time"), &[7.0]);
    assert_samples(find(&p, "short", "real_time"), &[800.0]);
}

#[test]
fn google_benchmark_counters_and_errors() {
    let text = read("google-benchmark-json/benchmark-action__github-action-benchmark/test__data__extract__googlecpp_output.json")
        .replacen(
            "\"time_unit\": \"ns\"",
            "\"time_unit\": \"ns\", \"items_per_second\": 4.6e6, \"bytes_per_second\": 1.5e9",
            1,
        )
        .replacen(
            "\"name\": \"fib_20\",",
            "\"name\": \"fib_20\", \"error_occurred\": true, \"error_message\": \"boom\",",
            1,
        );
    let p = parse_text("gbench.json", &text);
    let items = find(&p, "fib_10", "items_per_second");
    assert_unit(items, "items/s", Direction::HigherIsBetter);
    assert_samples(items, &[4.6e6]);
    assert_unit(
        find(&p, "fib_10", "bytes_per_second"),
        "B/s",
        Direction::HigherIsBetter,
    );
    let failed = find(&p, "fib_20", "real_time");
    assert_eq!((failed.samples.len(), failed.failed), (0, 1));

    let text = read("google-benchmark-json/benchmark-action__github-action-benchmark/test__data__extract__googlecpp_output.json")
        .replacen(
            "\"name\": \"fib_20\",",
            "\"name\": \"fib_20\", \"skipped\": true, \"skip_message\": \"no GPU\",",
            1,
        );
    let p = parse_text("gbench.json", &text);
    assert!(p.series.iter().all(|s| s.key.benchmark == "fib_10"));
}

// ---------------------------------------------------------------------------------------
// pytest-benchmark

#[test]
fn pytest_benchmark_reports_stats_in_seconds_and_raw_data_as_samples() {
    let rel = "pytest-benchmark-json/benchmark-action__github-action-benchmark/test__data__extract__pytest_output.json";
    let p = parse(rel);
    let mean = find(&p, "bench.py::test_fib_10", "mean");
    assert_unit(mean, "s", Direction::LowerIsBetter);
    assert_samples(mean, &[2.408868133322941e-05]);
    assert_samples(
        find(&p, "bench.py::test_fib_10", "median"),
        &[2.2300000000363696e-05],
    );
    assert_samples(
        find(&p, "bench.py::test_fib_10", "min"),
        &[2.2067000000181025e-05],
    );
    assert_samples(
        find(&p, "bench.py::test_fib_10", "max"),
        &[0.0003125999999999962],
    );
    assert_samples(
        find(&p, "bench.py::test_fib_10", "stddev"),
        &[6.175090189861328e-06],
    );
    let ops = find(&p, "bench.py::test_fib_10", "ops");
    assert_unit(ops, "ops/s", Direction::HigherIsBetter);
    assert_samples(ops, &[41513.272817492856]);
    // `data` holds four numbers and a note that the rest was cut out.
    let time = find(&p, "bench.py::test_fib_20", "time");
    assert_samples(
        time,
        &[
            0.0032874509999998303,
            0.00317211499999992,
            0.0029934199999996913,
            0.00316091800000029,
        ],
    );
    assert_eq!(p.warnings.len(), 2, "{:?}", p.warnings);
    assert!(p.warnings[0].message.contains("not numbers"));

    let p = parse("pytest-benchmark-json/benchmark-action__github-action-benchmark/test__data__extract__pytest_several_units.json");
    assert_samples(
        find(&p, "bench.py::test_sleep_2", "time"),
        &[
            2.005173128,
            2.0051284989999996,
            2.005124842999999,
            2.0027438879999995,
            2.001044877,
        ],
    );
}

#[test]
fn pytest_benchmark_group_and_params_become_labels() {
    let text = read("pytest-benchmark-json/benchmark-action__github-action-benchmark/test__data__extract__pytest_output.json")
        .replacen("\"group\": null", "\"group\": \"fib\"", 1)
        .replacen("\"params\": null", "\"params\": {\"n\": 10, \"impl\": \"rec\"}", 1);
    let p = parse_text("pytest.json", &text);
    let s = find_labeled(
        &p,
        "bench.py::test_fib_10",
        "mean",
        &[("group", "fib"), ("impl", "rec"), ("n", "10")],
    );
    assert_samples(s, &[2.408868133322941e-05]);
}

// ---------------------------------------------------------------------------------------
// hyperfine

#[test]
fn hyperfine_times_are_samples_in_seconds() {
    let p = parse("hyperfine-json/bencherdev__bencher/lib__bencher_adapter__tool_output__shell__hyperfine__one.json");
    let time = find(&p, "sleep 0.01", "time");
    assert_unit(time, "s", Direction::LowerIsBetter);
    assert_eq!(time.samples.len(), 214);
    assert_close(time.samples[0], 0.01074585146);
    assert_samples(find(&p, "sleep 0.01", "user"), &[0.0003436104672897197]);
    assert_samples(find(&p, "sleep 0.01", "system"), &[0.0006016885981308419]);

    let p = parse("hyperfine-json/bencherdev__bencher/lib__bencher_adapter__tool_output__shell__hyperfine__two.json");
    assert_eq!(find(&p, "sleep 0.1", "time").samples.len(), 27);
    assert_eq!(find(&p, "sleep 0.2", "time").samples.len(), 13);

    let p = parse("hyperfine-json/zeroows__1brc/hyperfine.json");
    assert_samples(
        find(
            &p,
            "cargo run --release --bin 1brc measurements_1000000000.txt",
            "time",
        ),
        &[13.148435542520001, 11.81813333352, 9.877873458520002],
    );
}

#[test]
fn hyperfine_zero_times_and_failed_exit_codes_are_failures() {
    let p = parse("hyperfine-json/dandavison__misc/hyperfine.json");
    let time = p
        .series
        .iter()
        .find(|s| s.key.metric == "time")
        .expect("time");
    assert!(time.key.benchmark.ends_with("[ERROR]"));
    assert_samples(time, &[9.066039999998821e-6]);
    assert_eq!(time.failed, 2);

    // The same real report with one run that exited with status 1.
    let mut doc: serde_json::Value =
        serde_json::from_str(&read("hyperfine-json/zeroows__1brc/hyperfine.json")).unwrap();
    doc["results"][1]["exit_codes"][2] = 1.into();
    doc["results"][0]["exit_codes"][0] = serde_json::Value::Null;
    doc["results"][1]["parameters"] = serde_json::json!({"threads": "8"});
    let p = parse_text("hyperfine.json", &doc.to_string());
    let s = find_labeled(
        &p,
        "cargo run --release --bin lucretiel_1brc measurements_1000000000.txt",
        "time",
        &[("threads", "8")],
    );
    assert_samples(s, &[12.04923320852, 12.36225804252]);
    assert_eq!(s.failed, 1);
    // A null exit code: killed by a signal.
    let killed = find(
        &p,
        "cargo run --release --bin 1brc measurements_1000000000.txt",
        "time",
    );
    assert_samples(killed, &[11.81813333352, 9.877873458520002]);
    assert_eq!(killed.failed, 1);
}

// ---------------------------------------------------------------------------------------
// go test -bench

#[test]
fn go_bench_units_are_metrics_and_procs_and_config_are_labels() {
    let p = parse("go-test-bench-text/bencherdev__bencher/lib__bencher_adapter__tool_output__go__bench__five.txt");
    assert_eq!(p.series.len(), 5);
    let fib10 = find(&p, "BenchmarkFib10", "ns/op");
    assert_unit(fib10, "ns/op", Direction::LowerIsBetter);
    assert_samples(fib10, &[325.0]);
    let labels: Vec<(&str, &str)> = fib10.key.labels.iter().collect();
    assert_eq!(
        labels,
        [("goarch", "amd64"), ("goos", "darwin"), ("procs", "8")]
    );
    assert!(!find(&p, "BenchmarkFib20", "ns/op")
        .key
        .labels
        .contains_key("procs"));
    assert_samples(
        find(&p, "BenchmarkFib/my/tabled/benchmark_-_20", "ns/op"),
        &[40537.456],
    );

    let p = parse("go-test-bench-text/benchmark-action__github-action-benchmark/test__data__extract__go_output.txt");
    let aux = find(&p, "BenchmarkFib11", "auxMetricUnits");
    assert_unit(
        aux,
        "auxMetricUnits",
        direction::infer("auxMetricUnits", "auxMetricUnits"),
    );
    assert_samples(aux, &[3.0]);
    assert_samples(
        find(
            &p,
            "BenchmarkFib/my/tabled/benchmark_-_20,var1=13,var2=14",
            "ns/op",
        ),
        &[40537.456],
    );

    let p = parse("go-test-bench-text/benchmark-action__github-action-benchmark/test__data__extract__go_single_package_output.txt");
    assert_eq!(
        p.series.len(),
        2,
        "bare `BenchmarkFib10` progress lines are not results"
    );
    let s = find(&p, "BenchmarkFib20", "ns/op");
    assert_eq!(s.key.labels["pkg"], "github.com/example/mypackage");
    assert_samples(s, &[40537.0]);

    let p = parse("go-test-bench-text/benchmark-action__github-action-benchmark/test__data__extract__go_fiber_output.txt");
    let offer = find(&p, "Benchmark_Utils_GetOffer/mime_extension#01", "B/op");
    assert_unit(offer, "B/op", Direction::LowerIsBetter);
    assert_samples(offer, &[48.0]);
    assert_samples(
        find(
            &p,
            "Benchmark_Utils_GetOffer/mime_extension#01",
            "allocs/op",
        ),
        &[2.0],
    );
}

#[test]
fn go_bench_same_names_in_different_packages_stay_apart() {
    let p = parse("go-test-bench-text/benchmark-action__github-action-benchmark/test__data__extract__go_fiber_duplicate_names_output.txt");
    assert_eq!(p.series.len(), 16);
    let base = [("goarch", "amd64"), ("goos", "linux"), ("procs", "4")];
    let with_pkg = |pkg| {
        let mut l = base.to_vec();
        l.push(("pkg", pkg));
        l
    };
    let cache = with_pkg("github.com/gofiber/fiber/v3/middleware/cache");
    let csrf = with_pkg("github.com/gofiber/fiber/v3/middleware/csrf");
    assert_samples(
        find_labeled(&p, "BenchmarkAppendMsgitem", "ns/op", &cache),
        &[55.76],
    );
    assert_samples(
        find_labeled(&p, "BenchmarkAppendMsgitem", "ns/op", &csrf),
        &[0.3733],
    );
    let mbs = find_labeled(&p, "BenchmarkUnmarshalitem", "MB/s", &csrf);
    assert_unit(mbs, "MB/s", Direction::HigherIsBetter);
    assert_samples(mbs, &[229.35]);
    // `cpu:` names the machine and is not part of the key.
    assert!(p.series.iter().all(|s| !s.key.labels.contains_key("cpu")));
}

#[test]
fn go_bench_count_repeats_are_samples_and_unit_lines_are_metadata() {
    let p = parse("go-test-bench-text/golang__perf/cmd__benchstat__testdata__old.txt");
    assert_eq!(p.series.len(), 2);
    let json = find(&p, "BenchmarkEncode/format=json", "ns/op");
    assert_samples(
        json,
        &[
            1726.0, 1723.0, 1707.0, 1707.0, 1713.0, 1729.0, 1736.0, 1707.0, 1705.0, 1774.0,
        ],
    );
    assert_eq!(json.key.labels["procs"], "48");
    assert_eq!(json.origin.len(), 10);

    let p = parse("go-test-bench-text/golang__perf/cmd__benchstat__testdata__units.txt");
    assert_eq!(p.series.len(), 2);
    let size = find(&p, "BenchmarkSize", "text-bytes");
    assert_unit(
        size,
        "text-bytes",
        direction::infer("text-bytes", "text-bytes"),
    );
    assert_samples(size, &[100.0, 105.0]);
    assert_samples(
        find(&p, "BenchmarkNonExact", "text-bytes"),
        &[100.0, 101.0, 101.0, 101.0, 101.0, 101.0],
    );
}

#[test]
fn go_bench_better_declarations_and_failures() {
    let text = format!(
        "Unit text-bytes better=higher\n{}--- FAIL: BenchmarkSize\n",
        read("go-test-bench-text/golang__perf/cmd__benchstat__testdata__units.txt")
    );
    let p = parse_text("units.txt", &text);
    assert_unit(
        find(&p, "BenchmarkSize", "text-bytes"),
        "text-bytes",
        Direction::HigherIsBetter,
    );
    let failed = find(&p, "BenchmarkSize", "ns/op");
    assert_eq!((failed.samples.len(), failed.failed), (0, 1));

    let text = format!(
        "{}--- FAIL: BenchmarkEncode/format=gob-48\n",
        read("go-test-bench-text/golang__perf/cmd__benchstat__testdata__new.txt")
    );
    let p = parse_text("new.txt", &text);
    let gob = find(&p, "BenchmarkEncode/format=gob", "ns/op");
    assert_eq!((gob.samples.len(), gob.failed), (10, 1));
}

// ---------------------------------------------------------------------------------------
// JMH

#[test]
fn jmh_mode_sets_direction_and_raw_data_are_samples() {
    let p = parse(
        "jmh-json/bencherdev__bencher/lib__bencher_adapter__tool_output__java__jmh__six.json",
    );
    assert_eq!(p.series.len(), 6);
    let s = find_labeled(
        &p,
        "com.github.caffeine.caffeine.cache.ComputeBenchmark.compute_sameKey",
        "score",
        &[("computeType", "Caffeine"), ("mode", "thrpt")],
    );
    assert_unit(s, "ops/s", Direction::HigherIsBetter);
    assert_samples(
        s,
        &[152495705.9947031, 152724143.15072593, 152340547.88663682],
    );

    let p = parse(
        "jmh-json/benchmark-action__github-action-benchmark/test__data__extract__jmh_output_2.json",
    );
    let s = find_labeled(
        &p,
        "org.openjdk.jmh.samples.JMHSample_01_HelloWorld.wellHelloThere",
        "score",
        &[("mode", "thrpt"), ("paramA", "17"), ("paramB", "33")],
    );
    assert_eq!(s.samples.len(), 3);

    // A throughput run whose unit says s/op: the mode decides the direction, the unit
    // is brought to ns/op.
    let p = parse(
        "jmh-json/bencherdev__bencher/lib__bencher_adapter__tool_output__java__jmh__latency.json",
    );
    let s = find(
        &p,
        "org.openjdk.jmh.samples.JMHSample_01_HelloWorld.wellHelloThere",
        "score",
    );
    assert_unit(s, "ns/op", Direction::HigherIsBetter);
    assert_close(s.samples[0], 3.376842765688582e18);
}

#[test]
fn jmh_average_time_units_and_secondary_metrics() {
    let mut doc: serde_json::Value = serde_json::from_str(&read(
        "jmh-json/benchmark-action__github-action-benchmark/test__data__extract__jmh_output.json",
    ))
    .unwrap();
    doc[0]["mode"] = "avgt".into();
    doc[0]["primaryMetric"]["scoreUnit"] = "us/op".into();
    doc[0]["secondaryMetrics"] = serde_json::json!({
        "\u{b7}gc.alloc.rate": {"score": 1.5, "scoreUnit": "MB/sec", "rawData": [[1.0, 2.0]]}
    });
    let p = parse_text("jmh.json", &doc.to_string());
    let bench = "org.openjdk.jmh.samples.JMHSample_01_HelloWorld.wellHelloThere";
    let score = find(&p, bench, "score");
    assert_unit(score, "ns/op", Direction::LowerIsBetter);
    assert_close(score.samples[0], 3.376842765688582e12);
    let gc = find(&p, bench, "gc.alloc.rate");
    assert_unit(gc, "MB/sec", Direction::LowerIsBetter);
    assert_samples(gc, &[1.0, 2.0]);
}

// ---------------------------------------------------------------------------------------
// BenchmarkDotNet

#[test]
fn benchmarkdotnet_original_values_are_samples_and_memory_is_reported() {
    let p = parse("benchmarkdotnet-json/bencherdev__bencher/lib__bencher_adapter__tool_output__c_sharp__dot_net__memory.json");
    let time = find(&p, "BenchmarkDotNet.Samples.Memory.AllocEmptyList", "time");
    assert_unit(time, "ns", Direction::LowerIsBetter);
    assert_samples(
        time,
        &[76.35858058929443, 77.41812467575073, 78.70677709579468],
    );
    let allocated = find(
        &p,
        "BenchmarkDotNet.Samples.Memory.AllocExactList",
        "allocated",
    );
    assert_unit(allocated, "B", Direction::LowerIsBetter);
    assert_samples(allocated, &[184.0]);
    let gen0 = find(
        &p,
        "BenchmarkDotNet.Samples.Memory.AllocEmptyList",
        "Gen0Collects",
    );
    assert_unit(gen0, "Count", Direction::LowerIsBetter);
    assert_samples(gen0, &[0.02193450927734375]);
    assert!(!p.series.iter().any(|s| s.key.metric == "Allocated Memory"));

    let p = parse("benchmarkdotnet-json/benchmark-action__github-action-benchmark/test__data__extract__benchmarkdotnet.json");
    assert_eq!(p.series.len(), 2, "no Memory section, no allocation series");
    let fib10 = find(&p, "Sample.Benchmarks.Fib10", "time");
    assert_eq!(fib10.samples.len(), 14);
    assert_close(fib10.samples[0], 24.805462032556534);
}

#[test]
fn benchmarkdotnet_exporter_variants_agree() {
    let dir = "benchmarkdotnet-json/TechNobre__PowerUtils.BenchmarkDotnet.Reporter/tests__test-data__report-20__Demo.Benchmarks.StringProcessorBenchmarks-report-";
    let full = parse(&format!("{dir}full.json"));
    let compressed = parse(&format!("{dir}full-compressed.json"));
    let brief = parse(&format!("{dir}brief-compressed.json"));
    let name = "Demo.Benchmarks.StringProcessorBenchmarks.GenerateString";
    for p in [&full, &compressed, &brief] {
        let time = find(p, name, "time");
        assert_eq!(time.samples.len(), 82);
        assert_close(time.samples[0], 1403553.80859375);
        assert_samples(find(p, name, "allocated"), &[37093627.0]);
    }
    assert_eq!(identities(&full), identities(&compressed));
}

#[test]
fn benchmarkdotnet_parameters_jobs_and_failed_benchmarks() {
    let mut doc: serde_json::Value = serde_json::from_str(&read(
        "benchmarkdotnet-json/benchmark-action__github-action-benchmark/test__data__extract__benchmarkdotnet.json",
    ))
    .unwrap();
    let mut second_job = doc["Benchmarks"][0].clone();
    second_job["DisplayInfo"] = "Benchmarks.Fib10: ShortRun(IterationCount=3)".into();
    doc["Benchmarks"].as_array_mut().unwrap().push(second_job);
    doc["Benchmarks"][1]["Statistics"] = serde_json::Value::Null;
    doc["Benchmarks"][1]["Parameters"] = "N=20&Depth=2".into();
    let p = parse_text("bdn.json", &doc.to_string());
    let default_job = find_labeled(
        &p,
        "Sample.Benchmarks.Fib10",
        "time",
        &[("job", "DefaultJob")],
    );
    let short_run = find_labeled(
        &p,
        "Sample.Benchmarks.Fib10",
        "time",
        &[("job", "ShortRun")],
    );
    assert_eq!(default_job.samples, short_run.samples);
    let failed = find_labeled(
        &p,
        "Sample.Benchmarks.Fib20",
        "time",
        &[("Depth", "2"), ("N", "20")],
    );
    assert_eq!((failed.samples.len(), failed.failed), (0, 1));
}

// ---------------------------------------------------------------------------------------
// Catch2

#[test]
fn catch2_xml_reads_mean_and_std_dev_under_the_test_case() {
    let p = parse("catch2-xml/Dv-Senna__voxlet/benchmark.xml");
    assert_eq!(p.series.len(), 24);
    let name = "string - benchmark/[construct from char8_t*] vx::String - size=4";
    let mean = find(&p, name, "mean");
    assert_unit(mean, "ns", Direction::LowerIsBetter);
    assert_samples(mean, &[183.353]);
    assert_samples(find(&p, name, "std_dev"), &[425.366]);
    assert_eq!(mean.origin[0].at, "line 58");

    let p = parse("catch2-xml/lesomnus__catch2-compare/sample__source__bench1.xml");
    assert_samples(find(&p, "test case A/benchmark f", "mean"), &[2.52e13]);
    assert_samples(find(&p, "test case C/benchmark a", "mean"), &[13.0]);
}

#[test]
fn catch2_xml_failed_benchmark_and_truncation() {
    let text = read("catch2-xml/lesomnus__catch2-compare/sample__target__bench1.xml")
        .replace("<mean value=\"3e+06\" />", "<failed message=\"threw\" />");
    let p = parse_text("bench1.xml", &text);
    let failed = find(&p, "test case A/benchmark b", "mean");
    assert_eq!((failed.samples.len(), failed.failed), (0, 1));

    let full = read("catch2-xml/Dv-Senna__voxlet/benchmark.xml");
    let cut = full.find("size=3\" samples").unwrap();
    let p = parse_text("benchmark.xml", &format!("{}<mean value=", &full[..cut]));
    assert_eq!(p.format, "catch2-xml");
    assert_eq!(p.series.len(), 12, "the six complete benchmarks");
    assert!(
        p.warnings[0].message.contains("breaks off"),
        "{:?}",
        p.warnings
    );
}

#[test]
fn catch2_console_converts_units_and_joins_wrapped_names() {
    let p = parse("catch2-console/benchmark-action__github-action-benchmark/test__data__extract__catch2_output.txt");
    assert_eq!(p.series.len(), 12);
    let fib20 = find(&p, "Unit_assignment/Construction/Fibonacci 20", "mean");
    assert_unit(fib20, "ns", Direction::LowerIsBetter);
    assert_samples(fib20, &[41731.0]);
    assert_samples(
        find(&p, "Unit_assignment/Construction/Fibonacci 20", "std_dev"),
        &[3256.0],
    );
    assert_samples(
        find(
            &p,
            "Even More Fibonacci/With a long name/Fibonacci 10 with a long name",
            "mean",
        ),
        &[344.0],
    );
    assert_samples(
        find(&p, "More Fibonacci/Fibonacci-15_bench", "std_dev"),
        &[362.0],
    );

    for rel in [
        "catch2-console/benchmark-action__github-action-benchmark/test__data__extract__catch2_output_v2.txt",
        "catch2-console/benchmark-action__github-action-benchmark/test__data__extract__catch2_output_v3.txt",
    ] {
        let p = parse(rel);
        assert_eq!(p.series.len(), 8, "{rel}");
        assert_samples(find(&p, "Fibonacci/Fibonacci 20", "mean"), &[41731.0]);
        assert_samples(find(&p, "More Fibonacci/Fibonacci~ 5!", "mean"), &[36.0]);
    }
}

#[test]
fn catch2_console_with_crlf_line_ends() {
    let rel = "cargo-bench-libtest-text/benchmark-action__github-action-benchmark/test__data__extract__issue16_output.txt";
    let p = parse(rel);
    assert_eq!(p.format, "catch2-console");
    assert_eq!(p.series.len(), 4);
    assert_samples(find(&p, "Fibonacci/Fibonacci 10", "mean"), &[0.0]);
    assert_samples(find(&p, "Fibonacci/Fibonacci 20", "mean"), &[1.0]);
}

// ---------------------------------------------------------------------------------------
// benchmark.js

#[test]
fn benchmarkjs_ops_per_second() {
    let p = parse("benchmarkjs-text/benchmark-action__github-action-benchmark/test__data__extract__benchmarkjs_output.txt");
    assert_eq!(p.series.len(), 3, "the `this x line` is not a result");
    let fib = find(&p, "fib(10)", "throughput");
    assert_unit(fib, "ops/s", Direction::HigherIsBetter);
    assert_samples(fib, &[1431759.0]);
    assert_samples(find(&p, "fib(20)", "throughput"), &[12146.0]);
    assert_samples(
        find(&p, "createObjectBuffer with 200 comments", "throughput"),
        &[81.61],
    );
}

// ---------------------------------------------------------------------------------------
// Base/head pairs (PROVENANCE.md)

/// Parses a pair and checks that both sides name the same series.
fn pair(base: &str, head: &str) -> (Parsed, Parsed) {
    let (b, h) = (parse(base), parse(head));
    assert!(!b.series.is_empty());
    assert_eq!(identities(&b), identities(&h), "{base} vs {head}");
    (b, h)
}

#[test]
fn pair_p01_limbo_criterion_console_with_one_edited_value() {
    let (b, h) = pair(
        "criterion-console-text/benchmark-action__github-action-benchmark/test__data__extract__limbo-cargo-output.txt",
        "criterion-console-text/benchmark-action__github-action-benchmark/test__data__extract__limbo-cargo-output2.txt",
    );
    assert_eq!(b.series.len(), 11);
    let edited = "limbo/Prepare statement: 'SELECT 1'";
    assert_samples(find(&b, edited, "time"), &[2068.8]);
    assert_samples(find(&h, edited, "time"), &[55068.8]);
    let unchanged: Vec<_> = b
        .series
        .iter()
        .zip(&h.series)
        .filter(|(x, y)| x.samples == y.samples)
        .collect();
    assert_eq!(unchanged.len(), 10);
}

#[test]
fn pair_p27_criterion_estimates_across_commits() {
    let (b, h) = pair(
        "criterion-estimates-json/cart__ecs_bench_suite/c94db2a4__target__criterion__simple_iter__legion__new__estimates.json",
        "criterion-estimates-json/cart__ecs_bench_suite/c8dba0e8__target__criterion__simple_iter__legion__new__estimates.json",
    );
    assert_samples(
        find(&b, "simple_iter/legion", "mean"),
        &[13466.997416220629],
    );
    assert_samples(
        find(&h, "simple_iter/legion", "mean"),
        &[13419.264829719546],
    );
}

#[test]
fn pair_p60_criterion_raw_csv_across_commits() {
    let (b, h) = pair(
        "criterion-raw-csv/rust-gamedev__ecs_bench_suite/c79df61c__target__criterion__simple_iter__legion__new__raw.csv",
        "criterion-raw-csv/rust-gamedev__ecs_bench_suite/cd9c108a__target__criterion__simple_iter__legion__new__raw.csv",
    );
    assert_close(
        find(&b, "simple_iter/legion", "time").samples[1],
        2009200.0 / 182.0,
    );
    let head = find(&h, "simple_iter/legion", "time");
    assert_eq!(head.samples.len(), 100);
    assert_close(head.samples[0], 988593.0 / 97.0);
    assert_close(head.samples[99], 100125574.0 / 9700.0);
}

#[test]
fn pair_p28_google_benchmark_with_changed_time_unit() {
    let (b, h) = pair(
        "google-benchmark-json/google__benchmark/tools__gbench__Inputs__test1_run1.json",
        "google-benchmark-json/google__benchmark/tools__gbench__Inputs__test1_run2.json",
    );
    assert_eq!(b.series.len(), 30);
    assert_samples(find(&b, "BM_2xSlower", "real_time"), &[50.0]);
    assert_samples(find(&h, "BM_2xSlower", "real_time"), &[100.0]);
    // Seconds in the base, nanoseconds in the head: both compared in ns.
    assert_samples(find(&b, "BM_DifferentTimeUnit", "cpu_time"), &[1e9]);
    assert_samples(find(&h, "BM_DifferentTimeUnit", "cpu_time"), &[1.0]);
}

#[test]
fn pair_p29_google_benchmark_repetitions() {
    let (b, h) = pair(
        "google-benchmark-json/google__benchmark/tools__gbench__Inputs__test3_run0.json",
        "google-benchmark-json/google__benchmark/tools__gbench__Inputs__test3_run1.json",
    );
    assert_eq!(b.series.len(), 8);
    assert_samples(find(&b, "BM_One", "real_time"), &[10.0]);
    assert_samples(find(&h, "BM_One", "real_time"), &[9.0]);
    assert_samples(find(&h, "medium", "real_time"), &[5.0]);
}

#[test]
fn pair_p30_pytest_benchmark_autosaves() {
    let (b, h) = pair(
        "pytest-benchmark-json/ionelmc__pytest-benchmark/tests__test_storage__0001_b87b9aae14ff14a7887a6bbaa9731b9a8760555d_20150814_190343_uncommitted-changes.json",
        "pytest-benchmark-json/ionelmc__pytest-benchmark/tests__test_storage__0002_b87b9aae14ff14a7887a6bbaa9731b9a8760555d_20150814_190348_uncommitted-changes.json",
    );
    let name = "tests/test_normal.py::test_xfast_parametrized[0]";
    assert_eq!(
        b.series.len(),
        5,
        "no ops and no raw data in this old format"
    );
    assert_samples(find(&b, name, "mean"), &[2.622408132654948e-07]);
    assert_samples(find(&h, name, "mean"), &[2.540585175827918e-07]);
    assert_samples(find(&h, name, "stddev"), &[0.0]);
}

#[test]
fn pair_p31_benchstat_old_new() {
    let (b, h) = pair(
        "go-test-bench-text/golang__perf/cmd__benchstat__testdata__old.txt",
        "go-test-bench-text/golang__perf/cmd__benchstat__testdata__new.txt",
    );
    let json = "BenchmarkEncode/format=json";
    assert_eq!(find(&b, json, "ns/op").samples.len(), 10);
    assert_eq!(find(&h, json, "ns/op").samples[0], 1423.0);
    assert_eq!(
        find(&h, "BenchmarkEncode/format=gob", "ns/op").samples,
        [3075.0, 3065.0, 3059.0, 3065.0, 3060.0, 3081.0, 3186.0, 3135.0, 3087.0, 3062.0]
    );
}

#[test]
fn pair_p32_crc_with_different_notes() {
    let (b, h) = pair(
        "go-test-bench-text/golang__perf/cmd__benchstat__testdata__crc-old.txt",
        "go-test-bench-text/golang__perf/cmd__benchstat__testdata__crc-new.txt",
    );
    assert_eq!(b.series.len(), 72);
    let name = "BenchmarkCRC32/poly=IEEE/size=512/align=0";
    assert_eq!(find(&b, name, "MB/s").samples[0], 2051.08);
    assert_eq!(find(&h, name, "MB/s").samples[0], 9128.24);
    assert_eq!(find(&h, name, "ns/op").samples.len(), 10);
    assert!(b.series.iter().all(|s| !s.key.labels.contains_key("note")));
}

#[test]
fn pair_p36_p37_benchmarkdotnet_reruns() {
    let dir =
        "benchmarkdotnet-json/TechNobre__PowerUtils.BenchmarkDotnet.Reporter/tests__test-data__";
    let name = "Demo.Benchmarks.StringProcessorBenchmarks.GenerateString";
    for variant in ["full", "brief-compressed"] {
        let (b, h) = pair(
            &format!(
                "{dir}report-20__Demo.Benchmarks.StringProcessorBenchmarks-report-{variant}.json"
            ),
            &format!(
                "{dir}report-21__Demo.Benchmarks.StringProcessorBenchmarks-report-{variant}.json"
            ),
        );
        assert_eq!(find(&b, name, "time").samples.len(), 82);
        let head = find(&h, name, "time");
        assert_eq!(head.samples.len(), 78);
        assert_close(head.samples[0], 1466252.734375);
        assert_samples(find(&h, name, "allocated"), &[38275080.0]);
    }
}

#[test]
fn pair_p40_catch2_benchmarks_added_and_removed() {
    let b = parse("catch2-xml/lesomnus__catch2-compare/sample__source__bench1.xml");
    let h = parse("catch2-xml/lesomnus__catch2-compare/sample__target__bench1.xml");
    let names = |p: &Parsed| -> BTreeSet<String> {
        p.series.iter().map(|s| s.key.benchmark.clone()).collect()
    };
    let (bn, hn) = (names(&b), names(&h));
    let removed: Vec<&String> = bn.difference(&hn).collect();
    let added: Vec<&String> = hn.difference(&bn).collect();
    assert_eq!(
        removed,
        [
            "test case A/benchmark d",
            "test case A/benchmark f",
            "test case C/benchmark a"
        ]
    );
    assert_eq!(
        added,
        ["test case A/benchmark c", "test case B/benchmark a"]
    );
    assert_samples(find(&b, "test case A/benchmark e", "mean"), &[2000.0]);
    assert_samples(find(&h, "test case A/benchmark e", "mean"), &[10000.0]);
}

// ---------------------------------------------------------------------------------------
// go test -bench under the names people save it as; benchstat output

const BENTSIZE: &str =
    "go-test-bench-text/golang__perf/benchfmt__testdata__bent__20200101T213604.Base.benchsize";

#[test]
fn go_bench_custom_size_units_from_a_generated_suite() {
    let p = parse(BENTSIZE);
    assert_eq!(p.format, "go-bench");
    let labels = [("goos", "linux"), ("goarch", "amd64")];
    let total = find_labeled(&p, "Benchmarkuber_zap_total", "total-bytes", &labels);
    assert_unit(total, "total-bytes", Direction::LowerIsBetter);
    assert_samples(total, &[10197763.0]);
    let text = find_labeled(&p, "Benchmarkuber_zap_text", "text-bytes", &labels);
    assert_unit(text, "text-bytes", Direction::LowerIsBetter);
    assert_samples(text, &[3651836.0]);
    let tip = parse(&BENTSIZE.replace(".Base.", ".Tip."));
    assert_samples(
        find_labeled(&tip, "Benchmarkuber_zap_total", "total-bytes", &labels),
        &[10252060.0],
    );
    // Base and Tip measure the same benchmarks.
    assert_eq!(identities(&p), identities(&tip));
}

/// The same bytes saved as `old.txt`, `new.out`, `bench.stdout`, `x86.bench` or `bench` are
/// collected by the default patterns and read as Go benchmark output.
#[test]
fn go_bench_output_under_common_names_is_collected_and_read() {
    let dir = tempfile::tempdir().unwrap();
    let old = read("go-test-bench-text/golang__perf/cmd__benchstat__testdata__old.txt");
    let names = ["old.txt", "new.out", "bench.stdout", "x86.bench", "bench"];
    for name in names {
        std::fs::write(dir.path().join(name), &old).unwrap();
    }
    let scan = benchgate::scan::scan(dir.path(), &Default::default()).unwrap();
    assert_eq!(scan.inventory.files, names.len());
    for name in names {
        let of_file: Vec<&Series> = scan
            .series
            .iter()
            .filter(|s| &*s.key.source == name)
            .collect();
        assert!(!of_file.is_empty(), "{name}: {:?}", scan.warnings);
        assert!(of_file.iter().all(|s| s.format == "go-bench"), "{name}");
        let encode = of_file
            .iter()
            .find(|s| s.key.benchmark == "BenchmarkEncode/format=json" && s.key.metric == "ns/op")
            .unwrap_or_else(|| panic!("{name}"));
        assert_eq!(encode.samples[..2], [1726.0, 1723.0], "{name}");
        assert_eq!(
            encode.samples.len(),
            10,
            "{name}: -count=10 repeats are samples"
        );
    }
}

const BENCHSTAT: &str = "benchstat-text/golang__perf/cmd__benchstat__testdata__";

#[test]
fn benchstat_output_is_a_comparison_and_names_the_files_to_give() {
    let cases = [
        ("crcOldNew.stdout", "(`crc-old.txt`, `crc-new.txt`)"),
        ("csvOldNew.stdout", "(`old.txt`, `new.txt`)"),
        ("units.stdout", "(`before`, `after`)"),
    ];
    for (file, files) in cases {
        let rel = format!("{BENCHSTAT}{file}");
        let p = parse(&rel);
        assert_eq!(p.format, "benchstat", "{rel}");
        assert!(p.series.is_empty(), "{rel}");
        assert_eq!(p.warnings.len(), 1, "{rel}");
        let message = &p.warnings[0].message;
        assert!(
            message.starts_with("benchstat output compares runs and holds no measurements"),
            "{message}"
        );
        assert!(message.contains(files), "{rel}: {message}");
        assert!(
            message.contains("--base") && message.contains("--head"),
            "{message}"
        );
    }
    // The older layout names no files.
    let old_layout = "name    old time/op    new time/op    delta\n\
                      Stat-8    1.47ms ± 7%    0.74ms ± 0%    -49.39%  (p=0.000 n=18+12)\n";
    let p = parse_text("compare.txt", old_layout);
    assert_eq!(p.format, "benchstat");
    assert!(p.warnings[0]
        .message
        .contains("the files passed to benchstat"));
    // The raw files it was made from are data.
    let raw = parse("go-test-bench-text/golang__perf/cmd__benchstat__testdata__crc-old.txt");
    assert_eq!(raw.format, "go-bench");
}

// ---------------------------------------------------------------------------------------
// vitest bench and Julia BenchmarkTools: rates higher, times lower

#[test]
fn vitest_hz_is_a_rate_and_times_are_ms_per_operation() {
    let p = parse("vitest-bench-json/bencherdev__bencher/lib__bencher_adapter__tool_output__js__vitest__two.json");
    assert_eq!(p.format, "vitest-bench");
    let add = "math.bench.ts > math > add";
    let hz = find(&p, add, "hz");
    assert_unit(hz, "ops/s", Direction::HigherIsBetter);
    assert_samples(hz, &[1000.0]);
    let mean = find(&p, add, "mean");
    assert_unit(mean, "ms", Direction::LowerIsBetter);
    assert_samples(mean, &[1.0]);
    assert_samples(find(&p, add, "min"), &[0.8]);
    assert_samples(find(&p, add, "max"), &[1.5]);
    assert_samples(find(&p, add, "p99"), &[1.4]);
    let rme = find(&p, add, "rme");
    assert_unit(rme, "%", Direction::LowerIsBetter);
    assert_samples(rme, &[25.0]);
    assert_samples(find(&p, "math.bench.ts > math > subtract", "hz"), &[500.0]);
    // Empty `samples` arrays give no per-iteration series; counts are not metrics.
    assert!(p
        .series
        .iter()
        .all(|s| !["time", "sampleCount", "df", "critical"].contains(&s.key.metric.as_str())));

    let p = parse("vitest-bench-json/bencherdev__bencher/lib__bencher_adapter__tool_output__js__vitest__four.json");
    let benchmarks: BTreeSet<&str> = p.series.iter().map(|s| s.key.benchmark.as_str()).collect();
    assert_eq!(benchmarks.len(), 4, "{benchmarks:?}");
    assert_samples(
        find(&p, "fib.bench.ts > fibonacci > fib(20)", "hz"),
        &[500.0],
    );

    // Raw per-iteration times, when kept, are the samples of `time`.
    let text = r#"{"files": [{"filepath": "a.bench.ts", "groups": [{"fullName": "a.bench.ts",
        "benchmarks": [{"name": "sort", "hz": 2.5, "mean": 400, "samples": [390, 410, "x"]}]}]}]}"#;
    let p = parse_text("bench.json", text);
    assert_eq!(p.format, "vitest-bench");
    let time = find(&p, "a.bench.ts > sort", "time");
    assert_unit(time, "ms", Direction::LowerIsBetter);
    assert_samples(time, &[390.0, 410.0]);
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
}

#[test]
fn vitest_report_of_another_project_without_median_or_samples() {
    let p = parse("vitest-bench-json/Direct-Dev-Ru__elowdb/bench.json");
    assert_eq!(p.format, "vitest-bench");
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let bench = "src/adapters/node/JSONLFile.bench.ts > JSONLFile Benchmarks > read by id";
    let hz = find(&p, bench, "hz");
    assert_unit(hz, "ops/s", Direction::HigherIsBetter);
    assert_samples(hz, &[1768.6981804981037]);
    let mean = find(&p, bench, "mean");
    assert_unit(mean, "ms", Direction::LowerIsBetter);
    assert_samples(mean, &[0.5653875890336351]);
    assert_samples(find(&p, bench, "p999"), &[6.335012000025017]);
    assert_samples(find(&p, bench, "sd"), &[0.5579473334015153]);
    assert_samples(find(&p, bench, "rme"), &[4.598742475571404]);
    // This vitest version writes no `median` and no raw samples; `period`, `variance` and
    // `rank` are not metrics.
    let metrics: BTreeSet<&str> = p.series.iter().map(|s| s.key.metric.as_str()).collect();
    assert_eq!(
        metrics,
        BTreeSet::from([
            "hz", "max", "mean", "min", "moe", "p75", "p99", "p995", "p999", "rme", "sd"
        ])
    );
}

// deno bench: nanoseconds per iteration

#[test]
fn deno_bench_json_of_deno_2_with_groups() {
    let p = parse("deno-bench-json/iuioiua__bxnch/bench.json");
    assert_eq!(p.format, "deno-bench");
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let now = find(&p, "timing > Date.now()", "avg");
    assert_unit(now, "ns", Direction::LowerIsBetter);
    assert_samples(now, &[31.925151870640498]);
    assert_eq!(now.key.labels.get("file"), Some("bench.ts"));
    assert_samples(find(&p, "timing > Date.now()", "min"), &[30.7709]);
    assert_samples(find(&p, "timing > Date.now()", "p999"), &[43.5708]);
    assert_samples(find(&p, "timing > performance.now()", "p75"), &[87.2333]);
    assert_samples(find(&p, "timing > performance.now()", "max"), &[100.1167]);
    // Seven statistics per bench; `n` is the iteration count, not a result.
    assert_eq!(p.series.len(), 14);
    assert!(p.series.iter().all(|s| s.key.metric != "n"));
}

#[test]
fn deno_bench_json_of_deno_1_without_version_or_group() {
    let p = parse("deno-bench-json/iuioiua__r2d2/bench.json");
    assert_eq!(p.format, "deno-bench");
    let r2d2 = find(&p, "r2d2", "avg");
    assert_unit(r2d2, "ns", Direction::LowerIsBetter);
    assert_samples(r2d2, &[708192.0]);
    assert_samples(find(&p, "npm:redis", "p99"), &[1556584.0]);
    assert_samples(find(&p, "deno-redis", "p995"), &[1070208.0]);
    assert_samples(find(&p, "npm:ioredis", "min"), &[633875.0]);
    assert_eq!(p.series.len(), 28);

    // Deno before 1.32 wrote one `result`; a failed bench is a failure, not a time.
    let text = r#"{"runtime": "Deno/1.31.0 x86_64-apple-darwin", "cpu": "x", "benches": [
        {"origin": "file:///dev/bench_me.js", "group": null, "name": "getUint32",
         "baseline": false, "result": {"ok": {"n": 49, "min": 1251.9348, "max": 1441.2696,
         "avg": 1308.7555, "p75": 1324.1055, "p99": 1441.2696, "p995": 1441.2696,
         "p999": 1441.2696}}},
        {"origin": "file:///dev/bench_me.js", "group": null, "name": "throws",
         "baseline": false, "results": [{"failed": "Error: boom"}]}]}"#;
    let p = parse_text("bench.json", text);
    assert_eq!(p.format, "deno-bench");
    assert_samples(find(&p, "getUint32", "avg"), &[1308.7555]);
    let failed = find(&p, "throws", "avg");
    assert!(failed.samples.is_empty());
    assert_eq!(failed.failed, 1);
}

#[test]
fn julia_benchmarktools_estimates_by_group_path() {
    let p = parse("julia-benchmarktools-json/benchmark-action__github-action-benchmark/test__data__extract__julia_output.json");
    assert_eq!(p.format, "julia-benchmarktools");
    let time = find(&p, "fib/20", "time");
    assert_unit(time, "ns", Direction::LowerIsBetter);
    assert_samples(time, &[31028.0]);
    assert_samples(find(&p, "fib/10", "time"), &[246.03846153846155]);
    let memory = find(&p, "fib/10", "memory");
    assert_unit(memory, "B", Direction::LowerIsBetter);
    assert_samples(memory, &[0.0]);
    assert_samples(find(&p, "fib/10", "allocs"), &[0.0]);
    assert_samples(find(&p, "fib/10", "gctime"), &[0.0]);
    assert_eq!(p.series.len(), 8);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);

    // A whole trial gives its samples; a judgement is no measurement.
    let text = r#"[{"Julia": "1.10.0", "BenchmarkTools": "1.4.0"}, [["BenchmarkGroup", {"data": {
        "sum": ["Trial", {"times": [120.0, 118.0, 125.0], "gctimes": [0, 0, 3.0],
                 "memory": 16, "allocs": 1, "params": ["Parameters", {}]}],
        "cmp": ["TrialJudgement", {"ratio": ["TrialRatio", {"time": 1.1}]}]}, "tags": []}]]]"#;
    let p = parse_text("results.json", text);
    assert_eq!(p.format, "julia-benchmarktools");
    assert_samples(find(&p, "sum", "time"), &[120.0, 118.0, 125.0]);
    assert_samples(find(&p, "sum", "gctime"), &[0.0, 0.0, 3.0]);
    assert_samples(find(&p, "sum", "memory"), &[16.0]);
    assert!(
        p.warnings[0].message.contains("TrialJudgement"),
        "{:?}",
        p.warnings
    );
}

#[test]
fn julia_benchmarktools_estimate_saved_outside_a_group() {
    // `BenchmarkTools.save(file, median(trial))` of BenchmarkTools 1.6: the version header
    // holds a VersionNumber object and the one value is a bare `TrialEstimate`.
    let p = parse(
        "julia-benchmarktools-json/ChrNikEsc__Mlogit.jl/benchmark__results_2025-03-24-10-40-40_93521.json",
    );
    assert_eq!(p.format, "julia-benchmarktools");
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    assert_eq!(p.series.len(), 4);
    // No group path: the file names the benchmark (its timestamp left out).
    let name = "benchmark__results_93521";
    let time = find(&p, name, "time");
    assert_unit(time, "ns", Direction::LowerIsBetter);
    assert_samples(time, &[1.2477431e7]);
    assert_samples(find(&p, name, "gctime"), &[0.0]);
    let memory = find(&p, name, "memory");
    assert_unit(memory, "B", Direction::LowerIsBetter);
    assert_samples(memory, &[16922104.0]);
    let allocs = find(&p, name, "allocs");
    assert_unit(allocs, "", Direction::LowerIsBetter);
    assert_samples(allocs, &[93521.0]);
}

// ---------------------------------------------------------------------------------------
// gungraun / iai-callgrind and iai console output: counts, lower is better

fn callgrind(file: &str) -> Parsed {
    let p = parse(&format!(
        "gungraun-console-text/bencherdev__bencher/lib__bencher_adapter__tool_output__rust__{file}"
    ));
    assert_eq!(p.format, "gungraun", "{file}");
    p
}

fn tool(name: &str) -> [(&str, &str); 1] {
    [("tool", name)]
}

#[test]
fn gungraun_reads_the_new_value_of_each_metric_as_lower_is_better() {
    let short = "rust_iai_callgrind::bench_fibonacci_group::bench_fibonacci short:10";
    let long = "rust_iai_callgrind::bench_fibonacci_group::bench_fibonacci long:30";
    // `new|old (change)`: the new value is the measurement; the regressions summary below
    // the blocks is not read.
    let p = callgrind("gungraun__with-summary-and-regressions.txt");
    let instructions = find_labeled(&p, short, "Instructions", &tool("callgrind"));
    assert_unit(instructions, "", Direction::LowerIsBetter);
    assert_samples(instructions, &[1734.0]);
    assert_samples(find(&p, long, "Instructions"), &[26214734.0]);
    assert_samples(find(&p, short, "Estimated Cycles"), &[2464.0]);
    assert_samples(find(&p, short, "Total read+write"), &[2362.0]);
    assert_samples(find(&p, long, "L1 Hits"), &[35638619.0]);
    assert_eq!(p.series.len(), 12);
    assert!(p
        .series
        .iter()
        .all(|s| s.direction == Direction::LowerIsBetter));

    // The same numbers in colour.
    let colour = callgrind("gungraun__ansi-escapes.txt");
    assert_samples(find(&colour, short, "Instructions"), &[1734.0]);
    assert_eq!(identities(&colour), identities(&p));

    // The `======= DHAT ===` rule switches the tool label.
    let p = callgrind("gungraun__with-dhat.txt");
    assert_samples(
        find_labeled(&p, short, "Total bytes", &tool("dhat")),
        &[29499.0],
    );
    assert_samples(
        find_labeled(&p, long, "Instructions", &tool("callgrind")),
        &[26214734.0],
    );

    // A name printed over several lines is one name.
    let p = callgrind("gungraun__name_on_multiple_lines.txt");
    assert_samples(
        find(
            &p,
            "rust_iai_callgrind::bench::multiple_lines id:string with two lines",
            "Instructions",
        ),
        &[1.0],
    );
    assert_samples(
        find(
            &p,
            "rust_iai_callgrind::bench::multiple_lines id:string with multiple lines and one more",
            "RAM Hits",
        ),
        &[10.0],
    );

    // iai, the predecessor: plain values, the name on the line before.
    let p = callgrind("iai__two.txt");
    assert_samples(find(&p, "bench_fibonacci_short", "Instructions"), &[1735.0]);
    assert_samples(
        find(&p, "bench_fibonacci_long", "Estimated Cycles"),
        &[35638668.0],
    );
    assert_samples(find(&p, "bench_fibonacci_short", "RAM Accesses"), &[1.0]);
    assert_eq!(p.series.len(), 10);
}

#[test]
fn gungraun_hit_rates_are_higher_is_better_and_missing_values_are_skipped() {
    let text = "lib::group::bench a:1\n  Instructions:   |N/A   (*********)\n  \
                L1 Hit Rate:   97.5000|N/A   (*********)\n  RAM Hit Rate:   0.2000|N/A   (*********)\n";
    let p = parse_text("bench.out", text);
    assert_eq!(p.format, "gungraun");
    let l1 = find(&p, "lib::group::bench a:1", "L1 Hit Rate");
    assert_unit(l1, "%", Direction::HigherIsBetter);
    assert_samples(l1, &[97.5]);
    assert_unit(
        find(&p, "lib::group::bench a:1", "RAM Hit Rate"),
        "%",
        Direction::LowerIsBetter,
    );
    assert!(p.series.iter().all(|s| s.key.metric != "Instructions"));
}

// ---------------------------------------------------------------------------------------
// Ruby benchmark-ips and Luau

#[test]
fn benchmark_ips_iterations_per_second_are_higher_is_better() {
    let p = parse("benchmark-ips-text/evanphx__benchmark-ips/README.md");
    assert_eq!(p.format, "benchmark-ips");
    let ips = find(&p, "addition", "ips");
    assert_unit(ips, "i/s", Direction::HigherIsBetter);
    assert_samples(ips, &[36.209e6]);
    let error = find(&p, "addition", "error");
    assert_unit(error, "%", Direction::LowerIsBetter);
    assert_samples(error, &[2.8]);
    assert_samples(find(&p, "addition2", "ips"), &[36.552e6]);
    // A label too long for its column is printed on the line before.
    assert_samples(find(&p, "addition-test-long-label", "ips"), &[36.164e6]);
    assert_samples(find(&p, "addition-test-long-label", "error"), &[5.8]);
    // Warm-up rates and the comparison summary are not measurements.
    assert_eq!(p.series.len(), 8);

    let plain = "Calculating -------------------------------------\n\
                 \x20                cast  2283762.5 (±6.8%) i/s -   11383200 in   5.012934s\n\
                 \x20           cast fail    63108.8 (±6.7%) i/s -     316449 in   5.03s\n";
    let p = parse_text("ips.txt", plain);
    assert_eq!(p.format, "benchmark-ips");
    assert_samples(find(&p, "cast", "ips"), &[2283762.5]);
    assert_samples(find(&p, "cast fail", "error"), &[6.7]);
}

#[test]
fn luau_results_table_by_test_and_driver() {
    let p = parse("luau-bench-text/benchmark-action__github-action-benchmark/test__data__extract__benchmarkluau_output.txt");
    assert_eq!(p.format, "luau-bench");
    let driver = [("driver", "luau")];
    let mean = find_labeled(&p, "base64", "mean", &driver);
    assert_unit(mean, "ms", Direction::LowerIsBetter);
    assert_samples(mean, &[15.041]);
    assert_samples(find_labeled(&p, "base64", "min", &driver), &[14.831]);
    let sd = find_labeled(&p, "chess", "stddev", &driver);
    assert_unit(sd, "%", Direction::LowerIsBetter);
    assert_samples(sd, &[0.212]);
    assert_samples(find_labeled(&p, "life", "mean", &driver), &[85.089]);
    // The `Total` row adds the others up.
    assert!(p.series.iter().all(|s| s.key.benchmark != "Total"));
    assert_eq!(p.series.len(), 9);

    // Without the table, the SUCCESS lines; a FAILED line is a failed run.
    let text = "SUCCESS: base64      :   1.5s +/-  0.6% on luau\nFAILED: chess\n";
    let p = parse_text("bench.log", text);
    assert_eq!(p.format, "luau-bench");
    assert_samples(find_labeled(&p, "base64", "mean", &driver), &[1500.0]);
    assert_eq!(find(&p, "chess", "mean").failed, 1);
}

// ---------------------------------------------------------------------------------------
// airspeed velocity

const ASV: &str = "asv-results-json/airspeed-velocity__asv/test__example_results__cheetah/";

#[test]
fn asv_results_units_from_benchmark_types_and_failures() {
    let p = parse(&format!("{ASV}fcf8c079-py2.7-Cython-numpy1.8.json"));
    assert_eq!(p.format, "asv");
    let machine = [("machine", "cheetah")];
    let time = find_labeled(
        &p,
        "time_quantity.time_quantity_array_conversion",
        "value",
        &machine,
    );
    assert_unit(time, "s", Direction::LowerIsBetter);
    assert_samples(time, &[0.15283851623535155]);
    let mem = find(&p, "time_units.mem_unit", "value");
    assert_unit(mem, "B", Direction::LowerIsBetter);
    assert_samples(mem, &[344.0]);
    // `null` is a failed run, `NaN` a skipped one (no series).
    assert_eq!(find(&p, "time_AAA_failure", "value").failed, 1);
    assert!(p.series.iter().all(|s| s.key.benchmark != "time_AAA_skip"));
    // A parameterised benchmark: one series per parameter value.
    let timed = |v: &'static str| {
        let labels = [("machine", "cheetah"), ("params", v)];
        find_labeled(&p, "time_other.time_parameterized", "value", &labels).clone()
    };
    assert_samples(&timed("1"), &[1.0]);
    assert_samples(&timed("2"), &[4.0]);
    assert_eq!(timed("3").failed, 1);
    // `{"result": 3, "stats": ...}` without parameters.
    assert_samples(find(&p, "time_ci_small", "value"), &[3.0]);
    // A `track_*` value has no unit; its name tells no direction.
    let track = find(&p, "time_secondary.track_value", "value");
    assert_eq!(
        (track.unit.as_str(), track.direction),
        ("", Direction::Neutral)
    );
    assert_samples(track, &[42.0]);

    // The commit hash leaves the key, so two commits' results compare.
    let older = parse(&format!("{ASV}05d283b9-py2.7-Cython-numpy1.8.json"));
    let key = |p: &Parsed| find(p, "time_units.time_unit_parse", "value").key.clone();
    assert_eq!(key(&p), key(&older));
    assert!(
        key(&p)
            .source
            .ends_with("cheetah/py2.7-Cython-numpy1.8.json"),
        "{}",
        key(&p).source
    );
    assert_samples(
        find(&older, "time_units.time_unit_parse", "value"),
        &[0.0004013819694519043],
    );
}

#[test]
fn asv_version_2_rows_follow_result_columns() {
    let text = r#"{"commit_hash": "0123456789abcdef", "env_name": "virtualenv-py3.12",
        "params": {"machine": "ci"}, "python": "3.12", "version": 2,
        "result_columns": ["result", "params", "version", "started_at", "duration"],
        "results": {
            "bench.TimeSuite.time_sort": [[0.5, null], [["10", "100"], ["'a'"]], "v1", 1, 2.0],
            "bench.MemSuite.peakmem_load": [[1048576], [], "v1", 1, 2.0]}}"#;
    let p = parse_text("results/ci/01234567-virtualenv-py3.12.json", text);
    assert_eq!(p.format, "asv");
    let labels = |v: &'static str| {
        [
            ("env", "virtualenv-py3.12"),
            ("machine", "ci"),
            ("params", v),
        ]
    };
    let sort = find_labeled(&p, "bench.TimeSuite.time_sort", "value", &labels("10, 'a'"));
    assert_unit(sort, "s", Direction::LowerIsBetter);
    assert_samples(sort, &[0.5]);
    let failed = find_labeled(
        &p,
        "bench.TimeSuite.time_sort",
        "value",
        &labels("100, 'a'"),
    );
    assert_eq!((failed.samples.len(), failed.failed), (0, 1));
    let peak = find(&p, "bench.MemSuite.peakmem_load", "value");
    assert_unit(peak, "B", Direction::LowerIsBetter);
    assert_samples(peak, &[1048576.0]);
    assert_eq!(&*peak.key.source, "results/ci/virtualenv-py3.12.json");
}

#[test]
fn asv_console_results_by_environment() {
    let p = parse("asv-console-text/bencherdev__bencher/lib__bencher_adapter__tool_output__python__asv__six.txt");
    assert_eq!(p.format, "asv-console");
    let py27 = [("env", "virtualenv-py2.7")];
    let time = find_labeled(&p, "benchmarks.TimeSuite.time_iterkeys", "value", &py27);
    assert_unit(time, "s", Direction::LowerIsBetter);
    assert_samples(time, &[11.1e-6]);
    let mem = find_labeled(&p, "benchmarks.MemSuite.mem_list", "value", &py27);
    assert_unit(mem, "B", Direction::LowerIsBetter);
    assert_samples(mem, &[2420.0]);
    let py36 = [("env", "virtualenv-py3.6")];
    assert_samples(
        find_labeled(&p, "benchmarks.TimeSuite.time_keys3", "value", &py36),
        &[9.07e-6],
    );
    let failed = find_labeled(&p, "benchmarks.TimeSuite.time_iterkeys3", "value", &py36);
    assert_eq!((failed.samples.len(), failed.failed), (0, 1));
    // `Running (...)` progress lines are not results.
    assert_eq!(p.series.len(), 10);
}

// ---------------------------------------------------------------------------------------
// Google Benchmark console output

#[test]
fn google_benchmark_console_repetitions_by_section() {
    let p = parse("google-benchmark-console/kleisauke__vips-microbench/results__rgbx.md");
    assert_eq!(p.format, "google-benchmark-console");
    let bench = "BM_jpeg_reduce_lanczos3_150x150/strip/real_time";
    let rgb = find_labeled(&p, bench, "real_time", &[("section", "RGB")]);
    assert_unit(rgb, "ns", Direction::LowerIsBetter);
    assert_eq!(rgb.samples.len(), 10, "the repetitions, not the aggregates");
    assert_close(rgb.samples[0], 398e6);
    assert_close(rgb.samples[1], 448e6);
    let cpu = find_labeled(&p, bench, "cpu_time", &[("section", "RGB")]);
    assert_close(cpu.samples[0], 9.38e6);
    let vectorized = [("section", "RGB with vectorized reduceh")];
    assert_close(
        find_labeled(&p, bench, "real_time", &vectorized).samples[0],
        404e6,
    );
    // Four runs under four headings, two metrics each.
    assert_eq!(p.series.len(), 8);

    // With `--benchmark_report_aggregates_only` the mean is the measurement.
    let text = "Benchmark          Time             CPU   Iterations\n\
                ----------------------------------------------------\n\
                BM_x_mean       2.50 us         2.40 us           10\n\
                BM_x_median     2.45 us         2.38 us           10\n\
                BM_x_stddev     0.10 us         0.09 us           10\n\
                BM_x_cv            4.00 %          3.75 %         10\n";
    let p = parse_text("bench.txt", text);
    assert_eq!(p.format, "google-benchmark-console");
    assert_samples(find(&p, "BM_x", "real_time"), &[2500.0]);
    assert_samples(find(&p, "BM_x", "cpu_time"), &[2400.0]);
    assert_eq!(p.series.len(), 2);
}

// ---------------------------------------------------------------------------------------
// Robustness

/// Every fixture of these formats with its text, read once.
static FIXTURES: LazyLock<Vec<(String, String)>> = LazyLock::new(|| {
    FORMATS
        .iter()
        .flat_map(|(dir, _)| fixture_files(dir))
        .map(|rel| {
            let text = read(&rel);
            (rel, text)
        })
        .collect()
});

/// Runs every adapter of the family on `text`; none may panic.
fn run_all(path: &str, text: &str) {
    let input = Input { path, text };
    for adapter in harness::ADAPTERS {
        let _ = adapter.detect(&input);
        if let Ok(parsed) = adapter.parse(&input) {
            assert!(parsed
                .series
                .iter()
                .all(|s| s.samples.iter().all(|v| v.is_finite())));
        }
    }
}

#[test]
fn truncated_fixtures_never_panic() {
    for (rel, text) in FIXTURES.iter() {
        let step = (text.len() / 7).max(1);
        for cut in (0..text.len()).step_by(step) {
            let cut = (0..=cut)
                .rev()
                .find(|i| text.is_char_boundary(*i))
                .unwrap_or(0);
            run_all(rel, &text[..cut]);
            let _ = parse_text(rel, &text[..cut]);
        }
    }
}

#[test]
fn every_adapter_is_in_the_registry_with_a_distinct_name() {
    let names: BTreeSet<&str> = harness::ADAPTERS.iter().map(|a| a.name()).collect();
    assert_eq!(names.len(), harness::ADAPTERS.len());
    let registered: BTreeSet<&str> = benchgate::parse::adapters()
        .iter()
        .map(|a| a.name())
        .collect();
    assert!(names.is_subset(&registered));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn garbage_never_panics(text in any::<String>(), path in "[a-z_/.]{0,30}") {
        run_all(&path, &text);
    }

    #[test]
    fn fixture_prefix_plus_garbage_never_panics(
        index in 0usize..62,
        fraction in 0.0f64..1.0,
        tail in "[ -~\n\t\u{b5}\u{3bc}\u{b1}]{0,200}",
    ) {
        let (rel, text) = &FIXTURES[index % FIXTURES.len()];
        let mut cut = (text.len() as f64 * fraction) as usize;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        run_all(rel, &format!("{}{}", &text[..cut], tail));
    }
}

// Second projects of formats first read from one project's files

#[test]
fn iai_console_log_of_another_project_reads_accesses_and_cycles() {
    let p = parse("gungraun-console-text/ysl2__typst/benches__logs__cplx-m-canvas.log");
    assert_eq!(p.format, "gungraun");
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    // Nine benches, five metrics each; `(+0.071640%)` and `(No change)` are not values.
    assert_eq!(p.series.len(), 45);
    let s = find(&p, "bench_setup", "Instructions");
    assert_unit(s, "", Direction::LowerIsBetter);
    assert_samples(s, &[5347837.0]);
    assert_samples(find(&p, "bench_setup", "Estimated Cycles"), &[7327938.0]);
    assert_samples(find(&p, "bench_eval", "L1 Accesses"), &[2932216181.0]);
    assert_samples(find(&p, "bench_eval", "RAM Accesses"), &[1503846.0]);
    assert_samples(find(&p, "bench_layout", "L2 Accesses"), &[2161482.0]);
    assert!(p
        .series
        .iter()
        .all(|s| s.key.labels.get("tool") == Some("callgrind")));
}

#[test]
fn benchmark_ips_report_in_another_gems_readme() {
    let p = parse("benchmark-ips-text/tinychameleon__crockford32/README.md");
    assert_eq!(p.format, "benchmark-ips");
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let s = find(&p, "encode", "ips");
    assert_unit(s, "i/s", Direction::HigherIsBetter);
    assert_samples(s, &[117614.0]);
    let s = find(&p, "encode", "error");
    assert_unit(s, "%", Direction::LowerIsBetter);
    assert_samples(s, &[3.5]);
    assert_samples(find(&p, "decode", "ips"), &[108253.0]);
    assert_samples(find(&p, "encode string", "ips"), &[78690.0]);
    assert_samples(find(&p, "decode string", "ips"), &[69707.0]);
    assert_samples(find(&p, "decode string", "error"), &[3.5]);
    // The `i/100ms` warm-up lines are not results.
    assert_eq!(p.series.len(), 8);
}

#[test]
fn benchstat_tables_in_a_readme_are_a_comparison() {
    let rel = "benchstat-text/romshark__jpegbench/README.md";
    let p = parse(rel);
    assert_eq!(p.format, "benchstat");
    assert!(p.series.is_empty());
    assert_eq!(p.warnings.len(), 1);
    let message = &p.warnings[0].message;
    assert!(
        message.starts_with("benchstat output compares runs and holds no measurements"),
        "{message}"
    );
    assert!(message.contains("(`std.txt`, `opt.txt`)"), "{message}");
}

#[test]
fn google_benchmark_console_names_with_spaces() {
    let p = parse("google-benchmark-console/fpcap__fpcap-benchmark/README.md");
    assert_eq!(p.format, "google-benchmark-console");
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let at = |p: &Parsed, name: &str, metric: &str, section: &str| -> Series {
        let hits: Vec<&Series> = p
            .series
            .iter()
            .filter(|s| s.key.benchmark == name && s.key.metric == metric)
            .filter(|s| s.key.labels.get("section") == Some(section))
            .collect();
        assert_eq!(hits.len(), 1, "{name} {metric} {section}");
        hits[0].clone()
    };
    let s = at(&p, "fpcap (pcap)", "real_time", "07.02.2026");
    assert_unit(&s, "ns", Direction::LowerIsBetter);
    assert_samples(&s, &[3021247.0]);
    assert_samples(
        &at(&p, "PcapPlusPlus (pcapng.zstd)", "cpu_time", "07.02.2026"),
        &[5022321.0],
    );
    assert_samples(
        &at(&p, "fpcap-fread (pcapng)", "real_time", "24.11.2022"),
        &[8137800.0],
    );
    // Two runs under the same heading are two samples of one series.
    assert_samples(
        &at(&p, "libpcap (pcapng)", "real_time", "18.11.2022"),
        &[57018837.0, 52536349.0],
    );
    let sections: BTreeSet<&str> = p
        .series
        .iter()
        .filter_map(|s| s.key.labels.get("section"))
        .collect();
    assert_eq!(
        sections,
        BTreeSet::from(["07.02.2026", "13.10.2024", "18.11.2022", "24.11.2022"])
    );
    // Ten benchmarks, two metrics, four sections.
    assert_eq!(p.series.len(), 80);
}

#[test]
fn asv_results_of_another_project_keep_keys_across_commits() {
    let dir = "asv-results-json/MCLF__mclf-asv/CircleCI/";
    let base = parse(&format!(
        "{dir}af3adf1d-sage-py_home_sage_sage_local_bin_python.json"
    ));
    let head = parse(&format!(
        "{dir}4669b342-sage-py_home_sage_sage_local_bin_python.json"
    ));
    assert_eq!((base.format, head.format), ("asv", "asv"));
    let s = find(&base, "benchmarks.TimeSuite.time_keys", "value");
    assert_unit(s, "s", Direction::LowerIsBetter);
    assert_samples(s, &[8.995533459999998e-06]);
    let s = find(&base, "benchmarks.MemSuite.mem_list", "value");
    assert_unit(s, "B", Direction::LowerIsBetter);
    assert_samples(s, &[2424.0]);
    assert_eq!(base.series.len(), 6);
    let picard = "semistable.PicardCurve.time_is_semistable";
    let (b, h) = (find(&base, picard, "value"), find(&head, picard, "value"));
    assert_samples(b, &[12.114423707999999]);
    assert_samples(h, &[8.329423272]);
    // The commit hash is dropped from the key, so the two files' series meet.
    assert_eq!(b.key, h.key);
    assert!(b
        .key
        .source
        .ends_with("CircleCI/sage-py_home_sage_sage_local_bin_python.json"));
    assert_eq!(b.key.labels.get("machine"), Some("CircleCI"));
    assert_samples(
        find(&head, "semistable.JSMCurve.time_is_semistable", "value"),
        &[23.214499547],
    );
}

#[test]
fn asv_console_example_in_asvs_own_documentation() {
    let p = parse("asv-console-text/airspeed-velocity__asv/docs__source__using.rst");
    assert_eq!(p.format, "asv-console");
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let env = |p: &Parsed, name: &str, env: &str| -> Series {
        let hits: Vec<&Series> = p
            .series
            .iter()
            .filter(|s| s.key.benchmark == name && s.key.labels.get("env") == Some(env))
            .collect();
        assert_eq!(hits.len(), 1, "{name} {env}");
        hits[0].clone()
    };
    let s = env(&p, "benchmarks.TimeSuite.time_keys", "virtualenv-py3.12");
    assert_unit(&s, "s", Direction::LowerIsBetter);
    assert_samples(&s, &[9.07e-6]);
    assert_samples(
        &env(&p, "benchmarks.TimeSuite.time_range", "virtualenv-py3.7"),
        &[32.9e-6],
    );
    let s = env(&p, "benchmarks.MemSuite.mem_list", "virtualenv-py3.12");
    assert_unit(&s, "B", Direction::LowerIsBetter);
    assert_samples(&s, &[2110.0]);
    // `failed` is a failure, not a time.
    let s = env(&p, "benchmarks.TimeSuite.time_xrange", "virtualenv-py3.12");
    assert!(s.samples.is_empty());
    assert_eq!(s.failed, 1);
    // Two environments, five benchmarks; the prose and other commands around the example
    // are not read.
    assert_eq!(p.series.len(), 10);
}
