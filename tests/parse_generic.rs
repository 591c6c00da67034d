//! The generic (CSV, JSON, Markdown, text) and Chimeraforge adapters on real fixture files,
//! and on broken, hostile and random input.

use benchgate::model::{Direction, Series};
use benchgate::parse::generic::csv::Csv;
use benchgate::parse::{parse_file, Adapter, Input, Parsed};
use proptest::prelude::*;
use std::path::Path;

const ARTIFACTS: &str = "tests/fixtures/chimeraforge/artifacts";

/// A fixture as the collector hands it over: UTF-8 text; UTF-16 (with a BOM, or with the
/// BOM mangled into UTF-8 as in `ncu_summary.csv`) decoded.
fn decode(bytes: &[u8]) -> String {
    let utf16 = |b: &[u8]| {
        let units: Vec<u16> = b
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    };
    match bytes {
        [0xFF, 0xFE, rest @ ..] => utf16(rest),
        [0xC3, 0xBF, 0xC3, 0xBE, rest @ ..] => utf16(rest),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Parses `rel`, a path relative to the scanned `root`, with the registry as the pipeline
/// does.
fn parse_at(root: &str, rel: &str) -> Parsed {
    let bytes = std::fs::read(Path::new(root).join(rel)).unwrap();
    let text = decode(&bytes);
    parse_file(&Input {
        path: rel,
        text: &text,
    })
}

/// A file of the Chimeraforge artifact tree.
fn artifact(rel: &str) -> Parsed {
    parse_at(ARTIFACTS, rel)
}

/// A file of one side (`base`/`head`) of a Chimeraforge pair.
fn pair(name: &str, side: &str, rel: &str) -> Parsed {
    parse_at(
        &format!("tests/fixtures/chimeraforge/pairs/{name}/{side}"),
        rel,
    )
}

/// A file of the other projects' formats.
fn format(rel: &str) -> Parsed {
    parse_at("tests/fixtures/formats", rel)
}

fn series<'a>(parsed: &'a Parsed, benchmark: &str, metric: &str) -> &'a Series {
    let found: Vec<&Series> = parsed
        .series
        .iter()
        .filter(|s| s.key.benchmark == benchmark && s.key.metric == metric)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one {benchmark} / {metric}, got {:#?}",
        parsed
            .series
            .iter()
            .map(|s| s.key.to_string())
            .collect::<Vec<_>>()
    );
    found[0]
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn every_chimeraforge_artifact_parses_without_panicking() {
    let mut files = 0;
    let mut with_series = 0;
    for entry in walkdir::WalkDir::new(ARTIFACTS) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        files += 1;
        let rel = entry
            .path()
            .strip_prefix(ARTIFACTS)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let parsed = artifact(&rel);
        if !parsed.series.is_empty() {
            with_series += 1;
        }
        for s in &parsed.series {
            assert_eq!(&*s.key.source, benchgate::keys::normalize_path(&rel));
            assert!(s.samples.iter().all(|v| v.is_finite()), "{}", s.key);
            assert!(!s.origin.is_empty(), "{} has no origin", s.key);
            assert!(s.origin.iter().all(|o| *o.path == *rel), "{}", s.key);
        }
        let mut keys: Vec<_> = parsed.series.iter().map(|s| &s.key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), parsed.series.len(), "duplicate keys in {rel}");
    }
    assert_eq!(files, 104);
    assert!(
        with_series >= 90,
        "only {with_series} files produced series"
    );
}

#[test]
fn utf16_error_message_is_a_warning_not_data() {
    let rel = "reports/ncu_summary.csv";
    let parsed = artifact(rel);
    assert!(parsed.series.is_empty());
    assert_eq!(parsed.warnings.len(), 1);
    assert_eq!(parsed.warnings[0].path, rel);
    // The same bytes read naively (NUL bytes in the text) are rejected with a reason.
    let bytes = std::fs::read(Path::new(ARTIFACTS).join(rel)).unwrap();
    let lossy = String::from_utf8_lossy(&bytes);
    let parsed = parse_file(&Input {
        path: rel,
        text: &lossy,
    });
    assert!(parsed.series.is_empty());
    assert!(parsed.warnings[0].message.contains("UTF-16"));
}

#[test]
fn failed_ollama_runs_are_failures_and_the_fix_has_samples() {
    let name = "ollama_gemma3_failed_then_fixed";
    let base = pair(name, "base", "reports/ollama/gemma3_benchmark_runs.csv");
    let tokens = series(&base, "gemma3:latest", "tokens_s");
    assert!(tokens.samples.is_empty());
    assert_eq!(tokens.failed, 5);
    assert_eq!(tokens.direction, Direction::HigherIsBetter);
    assert_eq!(
        &*tokens.key.source,
        "reports/ollama/gemma3_benchmark_runs.csv"
    );

    let head = pair(name, "head", "reports/ollama/gemma3_benchmark_runs.csv");
    let tokens = series(&head, "gemma3:latest", "tokens_s");
    assert_eq!(tokens.failed, 0);
    assert_eq!(tokens.samples.len(), 5);
    assert_eq!(tokens.samples[..3], [35.98, 102.76, 101.52]);
    assert_eq!(tokens.unit, "tokens/s");
    let ttft = series(&head, "gemma3:latest", "ttft_s");
    assert_eq!(ttft.samples[0], 29.98707);
    assert_eq!(ttft.direction, Direction::LowerIsBetter);
    assert_eq!(ttft.origin[0].at, "line 2, column ttft_s");

    let summary = pair(name, "base", "reports/ollama/gemma3_benchmark_summary.json");
    let mean_tokens = series(&summary, "gemma3:latest", "mean_tokens_s");
    assert!(mean_tokens.samples.is_empty());
    assert_eq!(mean_tokens.failed, 1);
    assert_eq!(mean_tokens.key.labels.get("temperature"), Some("0.3"));
    let summary = pair(name, "head", "reports/ollama/gemma3_benchmark_summary.json");
    let mean_tokens = series(&summary, "gemma3:latest", "mean_tokens_s");
    assert_eq!(mean_tokens.samples, [88.90506335484507]);
}

#[test]
fn parameter_sweeps_label_rows_and_drop_bookkeeping() {
    let parsed = artifact("reports/gemma3/gemma3_param_tuning.csv");
    let first = parsed
        .series
        .iter()
        .find(|s| s.key.metric == "tokens_s")
        .unwrap();
    assert_eq!(first.key.benchmark, "g999_c1024_t0.2");
    let labels: Vec<(&str, &str)> = first.key.labels.iter().collect();
    assert_eq!(
        labels,
        [
            ("num_ctx", "1024"),
            ("num_gpu", "999"),
            ("temperature", "0.2")
        ]
    );
    assert_eq!(first.samples, [101.4449506143006]);

    let quant = artifact("csv_data/ollama_quant_bench.csv");
    let q4 = series(&quant, "llama3.1:8b-instruct-q4_0/q4_0", "tokens_s");
    assert_eq!(q4.samples.len(), 5);
    assert_eq!(q4.samples, [74.11, 76.96, 76.72, 78.26, 76.88]);
    assert!((mean(&q4.samples) - 76.586).abs() < 1e-9);
    assert!(!quant
        .series
        .iter()
        .any(|s| s.key.metric.contains("prompt_index") || s.key.metric.contains("timestamp")));

    // Float32 artefacts in a parameter become the value they stand for.
    let agents = artifact("artifacts/rust_multiagent_summary.csv");
    assert!(agents.series.iter().any(|s| {
        s.key.benchmark == "baseline_vs_chimera"
            && s.key.labels.get("agent_b_temperature") == Some("0.8")
    }));
}

#[test]
fn nsight_csv_with_units_row_and_indian_grouping() {
    let parsed = artifact("reports/ncu_ollama_raw.csv");
    let by_metric = |m: &str| {
        parsed
            .series
            .iter()
            .find(|s| s.key.metric == m)
            .unwrap_or_else(|| panic!("no {m}"))
    };
    assert_eq!(
        by_metric("device__attribute_clock_rate").samples,
        [2_280_000.0]
    );
    assert_eq!(
        by_metric("device__attribute_l2_cache_size").samples,
        [50_331_648.0]
    );
    let duration = by_metric("gpu__time_duration.sum");
    assert_eq!(duration.samples, [9.408]);
    assert_eq!(duration.unit, "us");
    assert_eq!(duration.direction, Direction::LowerIsBetter);
    assert_eq!(
        by_metric("launch__shared_mem_per_block").unit,
        "Kbyte/block"
    );
}

#[test]
fn compilation_reports_have_one_benchmark_per_backend() {
    let parsed = artifact("reports/compilation/conv_bench_20251002-170837.json");
    assert_eq!(parsed.format, "chimeraforge-compilation");
    let jit = series(&parsed, "jit", "compile_time_s");
    assert_eq!(jit.samples, [0.09877340000093682]);
    assert_eq!(jit.unit, "s");
    assert_eq!(jit.direction, Direction::LowerIsBetter);
    assert_eq!(&*jit.key.source, "reports/compilation/conv_bench.json");
    assert_eq!(
        &*jit.origin[0].path,
        "reports/compilation/conv_bench_20251002-170837.json"
    );
    assert_eq!(jit.origin[0].at, "/backends/jit/compilation/compile_time_s");
    assert_eq!(
        series(&parsed, "eager", "mean_time_ms").samples,
        [3.812139999899955]
    );
    assert!(!parsed
        .series
        .iter()
        .any(|s| s.key.benchmark == "eager" && s.key.metric == "compile_time_s"));

    // A failed compilation fails every metric of its backend.
    let parsed = artifact("reports/compilation/transformer_cuda_pytorch2508.json");
    let trt = series(&parsed, "tensorrt", "mean_time_ms");
    assert!(trt.samples.is_empty());
    assert_eq!(trt.failed, 1);
    assert_eq!(series(&parsed, "tensorrt", "compile_time_s").failed, 1);

    // The Markdown twin: the header glued to a bullet line, units in the header.
    let md = artifact("reports/compilation/conv_bench_20251002-170837.md");
    let mean_ms = md
        .series
        .iter()
        .find(|s| s.key.benchmark.ends_with("/torch_compile") && s.key.metric == "Mean")
        .unwrap();
    assert_eq!(mean_ms.samples, [4.103]);
    assert_eq!(mean_ms.unit, "ms");
    let compile = md
        .series
        .iter()
        .find(|s| s.key.benchmark.ends_with("/torch_compile") && s.key.metric == "Compile Time")
        .unwrap();
    assert_eq!((compile.samples[0], compile.unit.as_str()), (12.9431, "s"));
}

#[test]
fn timing_baselines_use_runs_as_samples() {
    let parsed = artifact("csv_data/baselines/comprehensive_baseline_1759186313.json");
    let p50 = series(&parsed, "comprehensive_baseline", "p50_ms");
    assert_eq!(
        p50.samples,
        [15.464599999177153, 15.466300001207856, 15.61789999868779]
    );
    assert_eq!(p50.unit, "ms");
    assert!(!parsed
        .series
        .iter()
        .any(|s| s.key.metric.contains("confidence")));
    assert!(!parsed
        .series
        .iter()
        .any(|s| s.key.metric.contains("gpu_count")));
}

#[test]
fn generic_json_rows_failures_and_sibling_metrics() {
    let parsed = artifact("csv_data/baseline_test_results_1759098967.json");
    let ok = series(&parsed, "Rare Item Drop (Excited)", "tokens_per_second");
    assert_eq!(ok.samples, [14.106339902901299]);
    let failed = series(&parsed, "Player Died (Encouraging)", "tokens_per_second");
    assert!(failed.samples.is_empty());
    assert_eq!(failed.failed, 1);
    let overall = series(
        &parsed,
        "baseline_test_results",
        "overall_tokens_per_second",
    );
    assert_eq!(overall.samples, [14.590837494496075]);
    assert!(!parsed
        .series
        .iter()
        .any(|s| s.key.metric.contains("timestamp")));

    let kernels = artifact("reports/kernel_optimization/kernel_benchmarks.json");
    let fused = series(
        &kernels,
        "kernel_benchmarks",
        "fusion.fused_linear_gelu.mean_time_ms",
    );
    assert_eq!(fused.samples, [0.04947000006723101]);
    assert_eq!(fused.direction, Direction::LowerIsBetter);

    let system = artifact("reports/llama3/baseline_system_metrics.json");
    let cpu = series(
        &system,
        "baseline_system_metrics",
        "metrics.system.cpu_percent",
    );
    assert_eq!(cpu.samples.len(), 6);
    assert_eq!(cpu.samples[0], 12.3);
}

#[test]
fn multi_agent_metrics_use_calls_not_llm_text() {
    let name = "tr115_chimera_homo_v1_vs_v2";
    let run = "chimera_homo_gpu80_ctx1024/run_1";
    let base = pair(name, "base", &format!("{run}/run_1/metrics.json"));
    assert_eq!(base.format, "chimeraforge-agents");
    let collector = series(&base, "collector", "throughput_tokens_per_sec");
    assert_eq!(collector.samples, [41.01712614953296]);
    assert_eq!(collector.unit, "tokens/s");
    assert_eq!(collector.key.labels.get("num_gpu"), Some("80"));
    let speedup = series(&base, "chimera_homo", "concurrency_speedup");
    assert_eq!(speedup.samples, [1.886449531186177]);
    assert_eq!(speedup.direction, Direction::HigherIsBetter);
    assert_eq!(
        series(&base, "chimera_homo", "ttft_delta_ms").direction,
        Direction::Neutral
    );

    let head = pair(name, "head", &format!("{run}/run_1/metrics.json"));
    let ttft = series(&head, "collector", "ttft_ms");
    assert_eq!(ttft.samples, [669.5358, 793.1257]);
    assert!(!head
        .series
        .iter()
        .any(|s| s.key.metric.contains("csv_") || s.key.metric.contains("performance_metrics")));

    let summary = pair(name, "head", &format!("{run}/summary.json"));
    assert_eq!(
        series(&summary, "chimera_homo", "efficiency_percent").samples,
        [97.91429912130774]
    );

    let early = pair(
        "rust_agent_rerun_noise",
        "base",
        "Demo_rust_agent_out/data/metrics.json",
    );
    let improvement = series(&early, "delta", "throughput_improvement_percent");
    assert_eq!(improvement.samples, [-10.377869273422052]);
    assert_eq!(improvement.direction, Direction::HigherIsBetter);
    assert_eq!(
        series(&early, "chimera", "average_tokens_per_second")
            .key
            .labels
            .get("temperature"),
        Some("0.3")
    );
}

#[test]
fn markdown_reports_tables_and_bullets() {
    let name = "tr115_chimera_homo_v1_vs_v2";
    let report = pair(
        name,
        "base",
        "chimera_homo_gpu80_ctx1024/run_1/run_1/collector_report.md",
    );
    let throughput = series(&report, "Metrics", "Throughput");
    assert_eq!(
        (throughput.samples[0], throughput.unit.as_str()),
        (41.02, "tokens/s")
    );
    let summary = pair(name, "base", "chimera_homo_gpu80_ctx1024/run_1/summary.md");
    let speedup = series(
        &summary,
        "Multi-Agent Summary (chimera_homo)",
        "Average Speedup",
    );
    assert_eq!((speedup.samples[0], speedup.unit.as_str()), (1.89, "x"));

    let quick = artifact("reports/gemma3/SUMMARY.md");
    let tput = series(&quick, "Quick Stats", "Mean Throughput");
    assert_eq!((tput.samples[0], tput.unit.as_str()), (102.85, "tokens/s"));

    let lessons = artifact("reports/compilation/compilation_benchmark_lessons_20251002.md");
    assert!(lessons
        .series
        .iter()
        .any(|s| s.key.benchmark == "CPU Performance Snapshot/mlp/jit" && s.samples == [0.635]));

    let multi = artifact("artifacts/rust_multiagent_summary.md");
    let avg = series(&multi, "chimera_homo", "Avg speedup");
    assert_eq!(avg.samples, [1.64]);
    assert_eq!(
        series(&multi, "chimera_homo", "Avg efficiency").samples,
        [81.9]
    );
}

#[test]
fn markdown_summaries_from_other_projects() {
    let node = format("markdown-summary/RafaelGSS__nodejs-bench-operations/base__v20__v20_0_0__function-return.md");
    let ops = series(&node, "Function return/Function returning null", "ops/sec");
    assert_eq!((ops.samples[0], ops.unit.as_str()), (1_381_418.0, "ops/s"));
    assert_eq!(ops.direction, Direction::HigherIsBetter);
    // The JSON hidden in an HTML comment, with its origin in the Markdown file.
    let raw = series(&node, "Function returning null", "opsSec");
    assert_eq!(raw.samples, [1381418.7619949207]);
    assert_eq!(
        &*raw.origin[0].path,
        "markdown-summary/RafaelGSS__nodejs-bench-operations/base__v20__v20_0_0__function-return.md"
    );
    assert!(
        raw.origin[0].at == "line 24, /benchmarks/0/opsSec",
        "{}",
        raw.origin[0].at
    );

    let averages = format("markdown-summary/nelstevens__llm-benchmark/macmini__averages.md");
    let rate = series(&averages, "gemma3:1b", "Average Eval Rate");
    assert_eq!((rate.samples[0], rate.unit.as_str()), (143.38, "tokens/s"));
    assert_eq!(
        series(&averages, "gemma3:1b", "# of Eval Rates").direction,
        Direction::Neutral
    );

    // A sub-heading row gives units and names; memory cells in MB join a GB column.
    let p40 = format("markdown-summary/dambergn__ollama-benchmarks/results__P40_24gb.md");
    let qwen = series(&p40, "Model Benchmarks/Qwen2.5:0.5b", "Memory");
    assert_eq!((qwen.samples[0], qwen.unit.as_str()), (0.82, "GB"));
    let tps = series(&p40, "Model Benchmarks/Qwen2.5:0.5b", "P40_24gb");
    assert_eq!((tps.samples[0], tps.unit.as_str()), (127.44, "tokens/s"));

    // Bold cells, flag columns as labels.
    let lhl = format(
        "markdown-summary/lhl__strix-halo-testing/base__llm-bench__llama-2-7b.Q4_0__README.md",
    );
    let tg = lhl
        .series
        .iter()
        .find(|s| {
            s.key.benchmark == "Benchmark Results/llama.cpp-hip"
                && s.key.metric == "tg128"
                && s.key.labels.get("hipblaslt") == Some("1")
        })
        .unwrap();
    assert_eq!(tg.samples, [49.433559]);

    let vllm = format("markdown-summary/surajssd__llm-k8s/deepseek-v2.5__cumulative_results.md");
    let ttft = vllm
        .series
        .iter()
        .find(|s| s.key.benchmark.contains("ib_tp8_pp2_qps_16") && s.key.metric == "Mean TTFT")
        .unwrap();
    assert_eq!((ttft.samples[0], ttft.unit.as_str()), (239.256, "ms"));
}

#[test]
fn llm_tps_csv_through_the_generic_csv_adapter() {
    let rel = "llm-tps-csv/isotopp__llama-benchmark/benchmark_results_kris__20260714-202039-qwen3.6-27b-bf16-turbo3-symmetric-on__results.csv";
    let text = std::fs::read_to_string(Path::new("tests/fixtures/formats").join(rel)).unwrap();
    let parsed = Csv
        .parse(&Input {
            path: rel,
            text: &text,
        })
        .unwrap();
    let predicted = series(&parsed, "short-generation/measured", "predicted_tps");
    // Five measured runs; the warm-up row is not a sample.
    assert_eq!(
        predicted.samples,
        [
            9.67504801714993,
            9.265611940825748,
            9.223761389363649,
            8.648255386765182,
            8.064148283558637
        ]
    );
    assert_eq!(predicted.direction, Direction::HigherIsBetter);
    assert_eq!(
        &*predicted.key.source,
        "llm-tps-csv/isotopp__llama-benchmark/benchmark_results_kris_qwen3.6-27b-bf16-turbo3-symmetric-on__results.csv"
    );
    let prompt_ms = series(&parsed, "short-generation/measured", "prompt_ms");
    assert_eq!(
        (prompt_ms.unit.as_str(), prompt_ms.direction),
        ("ms", Direction::LowerIsBetter)
    );
    assert!(!parsed
        .series
        .iter()
        .any(|s| s.key.metric == "run" || s.key.metric == "http_code"));
}

fn parse_text(path: &str, text: &str) -> Parsed {
    parse_file(&Input { path, text })
}

#[test]
fn bad_input_yields_warnings_never_panics() {
    let nested = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let nested_obj = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    let wide_header: Vec<String> = (0..10_000).map(|i| format!("m{i}_ms")).collect();
    let wide_row: Vec<String> = (0..10_000).map(|i| i.to_string()).collect();
    let wide = format!("{}\n{}\n", wide_header.join(","), wide_row.join(","));
    let real = std::fs::read_to_string(
        "tests/fixtures/chimeraforge/artifacts/reports/compilation/conv_bench_20251002-170837.json",
    )
    .unwrap();
    let truncated = &real[..real.len() / 2];
    let cases: Vec<(&str, String)> = vec![
        ("a.json", "{\"a\": 1,".into()),
        ("a.json", "{\"a\": NaN, \"b\": Infinity}".into()),
        ("a.json", "{\"a\": 1e309}".into()),
        ("a.json", "{\"x_ms\": 1, \"x_ms\": 2}".into()),
        ("a.json", nested.clone()),
        ("a.json", nested_obj),
        ("a.json", String::new()),
        ("a.json", "null".into()),
        ("a.json", "\"just a string\"".into()),
        ("reports/compilation/x.json", truncated.to_string()),
        ("a.ndjson", "{\"a\": 1}\n{broken\n\n".into()),
        ("a.csv", String::new()),
        ("a.csv", "a,b\n\"unterminated,1\n2,3\n".into()),
        ("a.csv", "name,v_ms\nx,NaN\ny,inf\nz,1e309\n".into()),
        ("a.csv", "\u{feff}\r\n\r\n".into()),
        ("a.csv", wide),
        ("a.tsv", "a\tb\n1\t2\n".into()),
        ("a.md", String::new()),
        (
            "a.md",
            "| a | b |\n|---|---|\n| x |\n<!-- {\"unterminated\": -->\n```json\n{oops\n".into(),
        ),
        ("a.md", "```\nnever closed\n".into()),
        ("a.txt", "key: NaN\nother: 1e309 ms\n".into()),
        ("a.log", "\u{1b}[31m\u{1b}[0m".into()),
    ];
    for (path, text) in &cases {
        let parsed = parse_text(path, text);
        for s in &parsed.series {
            assert!(s.samples.iter().all(|v| v.is_finite()), "{path}: {}", s.key);
        }
        if parsed.series.is_empty() {
            assert!(
                !parsed.warnings.is_empty(),
                "{path}: no series and no warning"
            );
        }
    }
    // Duplicate keys: the last value wins, one series.
    let dup = parse_text("a.json", "{\"x_ms\": 1, \"x_ms\": 2}");
    assert_eq!(dup.series.len(), 1);
    // 10 000 columns stay within the per-file cap.
    let wide = parse_text("a.csv", &cases[15].1);
    assert!(wide.series.len() <= 10_000);
    // Non-finite numbers are never samples.
    let nan = parse_text("a.csv", "name,v_ms\nx,NaN\nx,inf\nx,1e309\nx,4\n");
    assert_eq!(nan.series[0].samples, [4.0]);
}

const EXTENSIONS: &[&str] = &["csv", "tsv", "json", "ndjson", "md", "txt"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_text_never_panics(text in "\\PC{0,400}", ext in 0..EXTENSIONS.len()) {
        let path = format!("dir/file_20251002-170837.{}", EXTENSIONS[ext]);
        let parsed = parse_text(&path, &text);
        for s in &parsed.series {
            prop_assert!(s.samples.iter().all(|v| v.is_finite()));
        }
    }

    #[test]
    fn random_structured_text_never_panics(
        text in "[a-z0-9 ,;|:#.\\-\"{}\\[\\]\n\t*`<>!]{0,600}",
        ext in 0..EXTENSIONS.len(),
    ) {
        let path = format!("file.{}", EXTENSIONS[ext]);
        let parsed = parse_text(&path, &text);
        if parsed.series.is_empty() {
            prop_assert!(!parsed.warnings.is_empty());
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400),
                                ext in 0..EXTENSIONS.len()) {
        let text = String::from_utf8_lossy(&bytes);
        let path = format!("file.{}", EXTENSIONS[ext]);
        let _ = parse_text(&path, &text);
    }
}

/// The README's table of supported formats names every parser, each once, and no other.
#[test]
fn readme_format_table_lists_every_parser() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let section = readme
        .split("## Supported formats")
        .nth(1)
        .expect("README has a `Supported formats` section");
    let header = "| family | format | parser | what is read |";
    let table = section
        .split(header)
        .nth(1)
        .expect("the format table has a `parser` column");
    let mut listed = Vec::new();
    for row in table.lines().skip(2).take_while(|l| l.starts_with('|')) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        for name in cells[3].split(',') {
            listed.push(name.trim().trim_matches('`').to_string());
        }
    }
    let mut sorted = listed.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        listed.len(),
        "a parser is listed twice: {listed:?}"
    );
    let mut parsers: Vec<String> = benchgate::parse::adapters()
        .iter()
        .map(|a| a.name().to_string())
        .collect();
    parsers.sort();
    assert_eq!(sorted, parsers);
}
