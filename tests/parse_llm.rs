//! The LLM-tool adapters on the real fixture files: values, units, directions, labels and key
//! stability across base/head pairs; failures counted, never measured; no panics on any input.

use benchgate::baseline::gab_history;
use benchgate::model::{Direction, Series, SeriesKey};
use benchgate::parse::{self, llm::ADAPTERS, Adapter, Confidence, Input, Parsed};
use benchgate::{direction, units};
use proptest::prelude::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

const ROOT: &str = "tests/fixtures/formats";

fn adapter(name: &str) -> &'static dyn Adapter {
    *ADAPTERS
        .iter()
        .find(|a| a.name() == name)
        .unwrap_or_else(|| panic!("no adapter {name}"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every file under `dir`, sorted.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Every fixture file of one format directory, as paths relative to the fixture root.
fn fixtures(format: &str) -> Vec<String> {
    let rel: Vec<String> = files_under(&Path::new(ROOT).join(format))
        .iter()
        .map(|p| p.strip_prefix(ROOT).unwrap().to_str().unwrap().to_string())
        .collect();
    assert!(!rel.is_empty(), "no fixtures for {format}");
    rel
}

/// Parses `text` as if it were the file at `path`, asserting the adapter claims it.
fn parse_as(name: &str, path: &str, text: &str) -> Parsed {
    let input = Input { path, text };
    let a = adapter(name);
    assert_eq!(a.detect(&input), Confidence::Certain, "{name} on {path}");
    a.parse(&input)
        .unwrap_or_else(|e| panic!("{name} on {path}: {e}"))
}

fn parse_fixture(name: &str, rel: &str) -> Parsed {
    parse_as(name, rel, &read(rel))
}

/// The one series with this benchmark and metric (and these labels, when given).
fn find<'a>(p: &'a Parsed, benchmark: &str, metric: &str, labels: &[(&str, &str)]) -> &'a Series {
    let hits: Vec<&Series> = p
        .series
        .iter()
        .filter(|s| s.key.benchmark == benchmark && s.key.metric == metric)
        .filter(|s| labels.iter().all(|(k, v)| s.key.labels.get(k) == Some(*v)))
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "{benchmark}/{metric} {labels:?} among {:#?}",
        p.series
            .iter()
            .map(|s| s.key.to_string())
            .collect::<Vec<_>>()
    );
    hits[0]
}

/// Keys without the source, which differs between the two files of a pair only by name.
fn keys(p: &Parsed) -> BTreeSet<SeriesKey> {
    p.series
        .iter()
        .map(|s| SeriesKey {
            source: "".into(),
            ..s.key.clone()
        })
        .collect()
}

fn assert_close(actual: f64, expected: f64) {
    let tolerance = 1e-9 * expected.abs().max(1.0);
    assert!(
        (actual - expected).abs() <= tolerance,
        "{actual} != {expected}"
    );
}

/// The fenced ```json blocks of a Markdown file, the way a Markdown parser hands them on.
fn json_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match current.as_mut() {
            None if line.trim_start().starts_with("```json") => current = Some(String::new()),
            None => {}
            Some(_) if line.trim_start().starts_with("```") => {
                blocks.extend(current.take());
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
        }
    }
    blocks
}

// ---------------------------------------------------------------- llama-bench JSON / JSONL

#[test]
fn llama_bench_json_reads_per_repetition_samples() {
    let rel = "llama-bench-json/brayniac__llm-performance/llama-bench.json";
    let rows: Vec<Value> = serde_json::from_str(&read(rel)).unwrap();
    let p = parse_fixture("llama-bench", rel);
    assert_eq!(p.series.len(), 4);

    let tg = find(&p, "Snowpiercer-15B-v1.Q3_K_L tg1280", "avg_ts", &[]);
    let expected: Vec<f64> = rows[1]["samples_ts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(tg.samples, expected);
    assert_eq!(tg.samples[0], 85.5525);
    assert_eq!(tg.unit, "tokens/s");
    assert_eq!(tg.direction, Direction::HigherIsBetter);
    assert_eq!(tg.failed, 0);
    assert_eq!(tg.format, "llama-bench");

    let pp = find(&p, "Snowpiercer-15B-v1.Q3_K_L pp8192", "avg_ns", &[]);
    assert_eq!(pp.samples[0], 2_705_811_935.0);
    assert_eq!(pp.unit, "ns");
    assert_eq!(pp.direction, Direction::LowerIsBetter);

    let labels = &tg.key.labels;
    assert_eq!(labels["n_gpu_layers"], "99");
    assert_eq!(labels["backends"], "CUDA,RPC");
    assert_eq!(labels["flash_attn"], "false");
    assert_eq!(labels["n_batch"], "2048");
    assert_eq!(labels["type_k"], "f16");
    for volatile in [
        "build_commit",
        "build_number",
        "test_time",
        "gpu_info",
        "cpu_info",
    ] {
        assert!(
            !labels.contains_key(volatile),
            "{volatile} must not be a label"
        );
    }
}

#[test]
fn llama_bench_jsonl_every_row_is_in_its_series() {
    for rel in fixtures("llama-bench-jsonl") {
        let text = read(&rel);
        let p = parse_fixture("llama-bench", &rel);
        assert!(p.warnings.is_empty(), "{rel}: {:?}", p.warnings);
        for s in &p.series {
            assert!(!s.key.labels.contains_key("build_commit"), "{}", s.key);
            assert!(!s.key.labels.contains_key("test_time"), "{}", s.key);
            let expected = if s.key.metric == "avg_ts" {
                Direction::HigherIsBetter
            } else {
                Direction::LowerIsBetter
            };
            assert_eq!(s.direction, expected, "{}", s.key);
        }
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let row: Value = serde_json::from_str(line).unwrap();
            let (np, ng, nd) = (
                row["n_prompt"].as_u64().unwrap(),
                row["n_gen"].as_u64().unwrap(),
                row["n_depth"].as_u64().unwrap(),
            );
            let test = match (np, ng) {
                (p, 0) => format!("pp{p}"),
                (0, g) => format!("tg{g}"),
                (p, g) => format!("pp{p}+tg{g}"),
            };
            let test = if nd > 0 {
                format!("{test}@d{nd}")
            } else {
                test
            };
            let model = row["model_filename"].as_str().unwrap();
            let model = model.rsplit('/').next().unwrap().trim_end_matches(".gguf");
            let flash = row["flash_attn"].to_string();
            let s = find(
                &p,
                &format!("{model} {test}"),
                "avg_ts",
                &[
                    ("backends", row["backends"].as_str().unwrap()),
                    ("flash_attn", flash.as_str()),
                ],
            );
            for v in row["samples_ts"].as_array().unwrap() {
                assert!(s.samples.contains(&v.as_f64().unwrap()), "{}", s.key);
            }
        }
    }
}

#[test]
fn llama_bench_jsonl_depth_tests_and_single_row() {
    let p = parse_fixture(
        "llama-bench",
        "llama-bench-jsonl/lhl__strix-halo-testing/llama-cpp-fix-wmma__llama32-1b.default-rocwmma.jsonl",
    );
    let deep = find(
        &p,
        "Llama-3.2-1B-Instruct-Q4_K_M pp512@d1024",
        "avg_ts",
        &[],
    );
    assert_eq!(deep.samples, vec![4204.81]);
    assert_eq!(deep.key.labels["flash_attn"], "true");
    assert!(
        !deep.key.labels.contains_key("devices"),
        "default values are not labels"
    );

    let single = parse_fixture(
        "llama-bench",
        "llama-bench-jsonl/lhl__strix-halo-testing/llama-cpp-fix-wmma__llama32-1b.lhl-tune-decode.jsonl",
    );
    assert_eq!(single.series.len(), 2);
    let tg = find(&single, "Llama-3.2-1B-Instruct-Q4_K_M tg128", "avg_ts", &[]);
    assert_eq!(tg.samples, vec![192.744]);
}

#[test]
fn llama_bench_base_and_head_have_equal_keys() {
    let dir = "llama-bench-jsonl/lhl__strix-halo-testing/";
    for (base, head) in [
        (
            "base__llm-bench__llama-2-7b.Q4_0__raw_runs.jsonl",
            "head__llm-bench__llama-2-7b.Q4_0__raw_runs.jsonl",
        ),
        (
            "llama-cpp-fix-wmma__llama32-1b.default-rocwmma.jsonl",
            "llama-cpp-fix-wmma__llama32-1b.lhl-tune-tile.jsonl",
        ),
    ] {
        let path = format!("{dir}{base}");
        let b = parse_fixture("llama-bench", &path);
        let h = parse_as("llama-bench", &path, &read(&format!("{dir}{head}")));
        let b_keys: BTreeSet<_> = b.series.iter().map(|s| s.key.clone()).collect();
        let h_keys: BTreeSet<_> = h.series.iter().map(|s| s.key.clone()).collect();
        assert_eq!(b_keys, h_keys, "{base} vs {head}");
        assert!(!b_keys.is_empty());
    }
}

// ---------------------------------------------------------------- llama-bench Markdown

/// A script's records with the llama-bench row nested under `bench_raw`, beside the script's
/// mode, size, throughput and readings, for two Vulkan drivers with and without `-fa 1`.
#[test]
fn llama_bench_rows_nested_in_wrapper_records() {
    let rel = "llama-bench-wrapped-jsonl/lhl__strix-halo-testing/llm-bench__GLM-4.5-Air-UD-Q4_K_XL__results.jsonl";
    let p = parse_fixture("llama-bench", rel);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let bench = "GLM-4.5-Air-UD-Q4_K_XL-00001-of-00002 pp512";
    let radv = [("build", "llama.cpp-vulkan_radv"), ("flash_attn", "false")];
    let ts = find(&p, bench, "avg_ts", &radv);
    assert_eq!(ts.samples, [121.124, 121.461, 121.145, 120.7, 121.128]);
    assert_eq!(
        (ts.unit.as_str(), ts.direction),
        ("tokens/s", Direction::HigherIsBetter)
    );
    // The wrapper's settings keep the builds apart; empty ones are not labels.
    assert!(!ts.key.labels.contains_key("fa") && !ts.key.labels.contains_key("mode"));
    let amdvlk_fa = [("build", "llama.cpp-vulkan_amdvlk"), ("fa", "-fa 1")];
    assert_eq!(
        find(&p, bench, "avg_ts", &amdvlk_fa).samples,
        [178.263, 178.952, 178.886, 177.712, 178.654]
    );
    // The wrapper's readings of the run.
    let power = find(&p, bench, "max_power_w", &radv);
    assert_eq!(
        (power.samples.clone(), power.direction),
        (vec![120.02], Direction::LowerIsBetter)
    );
    let ram = find(&p, bench, "system_ram_peak_mib", &radv);
    assert_eq!(
        (ram.samples.clone(), ram.unit.as_str(), ram.direction),
        (vec![74605.0], "MiB", Direction::LowerIsBetter)
    );
    assert_eq!(find(&p, bench, "duration_s", &radv).samples, [71.073895]);
    // Its copy of the throughput, the size, start readings and deltas are not metrics.
    let metrics: BTreeSet<&str> = p.series.iter().map(|s| s.key.metric.as_str()).collect();
    for absent in [
        "tokens_per_sec",
        "value",
        "gtt_start_mib",
        "gtt_delta_mib",
        "start_time",
    ] {
        assert!(!metrics.contains(absent), "{absent}");
    }
}

#[test]
fn llama_bench_markdown_reads_mean_of_mean_sd_cells() {
    let dir = "llama-bench-md/kyuz0__amd-strix-halo-toolboxes/";
    let model = "glm4moe 106B.A12B Q4_K - Medium";
    let base = parse_fixture(
        "llama-bench-md",
        &format!(
            "{dir}base__benchmark__results__GLM-4.5-Air-UD-Q4_K_XL-00001-of-00002__rocm6_4_2.log"
        ),
    );
    let head = parse_fixture(
        "llama-bench-md",
        &format!(
            "{dir}head__benchmark__results__GLM-4.5-Air-UD-Q4_K_XL-00001-of-00002__rocm6_4_2.log"
        ),
    );
    let pp = find(&base, &format!("{model} pp512"), "avg_ts", &[]);
    assert_eq!(pp.samples, vec![130.07]);
    assert_eq!(pp.unit, "tokens/s");
    assert_eq!(pp.direction, Direction::HigherIsBetter);
    assert_eq!(pp.key.labels["backends"], "ROCm");
    assert_eq!(pp.key.labels["n_gpu_layers"], "999");
    assert!(!pp.key.labels.contains_key("size"));
    let tg = find(&head, &format!("{model} tg128"), "avg_ts", &[]);
    assert_eq!(tg.samples, vec![20.15]);
    assert_eq!(tg.key.labels["n_gpu_layers"], "99");

    // The pair differs in `-ngl` (999 -> 99), a run parameter: that is the only key change.
    let without_ngl = |p: &Parsed| -> BTreeSet<SeriesKey> {
        keys(p)
            .into_iter()
            .map(|mut k| {
                k.labels.remove("n_gpu_layers");
                k
            })
            .collect()
    };
    assert_ne!(keys(&base), keys(&head));
    assert_eq!(without_ngl(&base), without_ngl(&head));
}

#[test]
fn llama_bench_markdown_depth_and_bad_cells() {
    let text = "| model | size | backend | ngl | fa | test | t/s |\n\
                | --- | ---: | --- | --: | -: | ---: | ---: |\n\
                | llama 1B Q4_K - Medium | 762.81 MiB | Vulkan | 99 | 1 | pp512 @ d4096 | 2461.08 ± 13.50 |\n\
                | llama 1B Q4_K - Medium | 762.81 MiB | Vulkan | 99 | 1 | tg128 @ d4096 | nan ± nan |\n";
    let p = parse_as("llama-bench-md", "bench.md", text);
    let deep = find(&p, "llama 1B Q4_K - Medium pp512@d4096", "avg_ts", &[]);
    assert_eq!(deep.samples, vec![2461.08]);
    assert_eq!(deep.key.labels["flash_attn"], "1");
    let failed = find(&p, "llama 1B Q4_K - Medium tg128@d4096", "avg_ts", &[]);
    assert!(failed.samples.is_empty());
    assert_eq!(failed.failed, 1);
    assert_eq!(p.warnings.len(), 1);
}

// ---------------------------------------------------------------- vLLM

#[test]
fn vllm_serving_summary_and_per_request_metrics() {
    for rel in fixtures("vllm-benchmark-serving-json") {
        let raw: Value = serde_json::from_str(&read(&rel)).unwrap();
        let p = parse_fixture("vllm-serving", &rel);
        let model = raw["model_id"].as_str().unwrap();
        assert_eq!(model, "deepseek-ai/DeepSeek-V2.5");

        let ttft = find(&p, model, "mean_ttft_ms", &[]);
        assert_eq!(ttft.samples, vec![raw["mean_ttft_ms"].as_f64().unwrap()]);
        assert_eq!(ttft.unit, "ms");
        assert_eq!(ttft.direction, Direction::LowerIsBetter);
        for metric in ["p99_itl_ms", "median_tpot_ms", "std_ttft_ms"] {
            let s = find(&p, model, metric, &[]);
            assert_eq!(s.samples, vec![raw[metric].as_f64().unwrap()]);
            assert_eq!(s.direction, Direction::LowerIsBetter);
        }
        let rps = find(&p, model, "request_throughput", &[]);
        assert_eq!(
            rps.samples,
            vec![raw["request_throughput"].as_f64().unwrap()]
        );
        assert_eq!(
            (rps.unit.as_str(), rps.direction),
            ("req/s", Direction::HigherIsBetter)
        );
        let out = find(&p, model, "output_throughput", &[]);
        assert_eq!(
            (out.unit.as_str(), out.direction),
            ("tokens/s", Direction::HigherIsBetter)
        );
        assert!(p.series.iter().all(|s| !s.key.metric.contains("goodput")));

        let labels = &ttft.key.labels;
        assert_eq!(labels["request_rate"], "16.0");
        assert_eq!(labels["num_prompts"], "200");
        assert_eq!(labels["burstiness"], "1.0");
        assert!(
            !labels.contains_key("max_concurrency"),
            "null is not a label"
        );

        // Per-request arrays are in seconds; the samples are milliseconds.
        let ttfts = raw["ttfts"].as_array().unwrap();
        let per_request = find(&p, model, "ttft_ms", &[]);
        assert_eq!(per_request.samples.len(), ttfts.len());
        assert_close(per_request.samples[0], ttfts[0].as_f64().unwrap() * 1e3);
        let mean: f64 = per_request.samples.iter().sum::<f64>() / ttfts.len() as f64;
        assert_close(mean, raw["mean_ttft_ms"].as_f64().unwrap());

        let itls = raw["itls"].as_array().unwrap();
        let with_tokens: Vec<&Vec<Value>> = itls
            .iter()
            .map(|v| v.as_array().unwrap())
            .filter(|v| !v.is_empty())
            .collect();
        let itl = find(&p, model, "itl_ms", &[]);
        assert_eq!(itl.samples.len(), with_tokens.len());
        let first: Vec<f64> = with_tokens[0].iter().map(|v| v.as_f64().unwrap()).collect();
        assert_close(
            itl.samples[0],
            first.iter().sum::<f64>() / first.len() as f64 * 1e3,
        );

        let failed = find(&p, model, "failed_requests", &[]);
        assert_eq!(failed.samples, vec![0.0]);
        assert!(p.series.iter().all(|s| s.failed == 0));
    }
}

#[test]
fn vllm_serving_counts_failed_requests() {
    let text = r#"{"model_id": "m", "num_prompts": 4, "completed": 2, "request_rate": "inf",
        "request_throughput": 1.5, "mean_ttft_ms": 120.0, "median_ttft_ms": NaN,
        "ttfts": [0.1, 0.0, 0.14, 0.0], "itls": [[0.01, 0.03], [], [0.02], []],
        "errors": ["", "Bad Gateway", "", "timeout"]}"#;
    let p = parse_as("vllm-serving", "serve.json", text);
    let ttft = find(&p, "m", "ttft_ms", &[("request_rate", "inf")]);
    assert_eq!(ttft.samples.len(), 2);
    assert_close(ttft.samples[1], 140.0);
    assert_eq!(ttft.failed, 2);
    let itl = find(&p, "m", "itl_ms", &[]);
    assert_close(itl.samples[0], 20.0);
    assert_eq!(itl.failed, 2);
    assert_eq!(find(&p, "m", "failed_requests", &[]).samples, vec![2.0]);
    // Python's bare NaN is read as a missing value, not as a measurement.
    assert!(p.series.iter().all(|s| s.key.metric != "median_ttft_ms"));

    let none = r#"{"model_id": "m", "num_prompts": 4, "completed": 0,
        "request_throughput": 0.0, "output_throughput": 0.0, "mean_ttft_ms": 0.0}"#;
    let p = parse_as("vllm-serving", "serve.json", none);
    let rps = find(&p, "m", "request_throughput", &[]);
    assert!(rps.samples.is_empty());
    assert_eq!(rps.failed, 1);
    assert_eq!(find(&p, "m", "mean_ttft_ms", &[]).failed, 1);
}

#[test]
fn vllm_throughput_reads_rates() {
    let files = fixtures("vllm-bench-throughput-json");
    for rel in &files {
        let raw: Value = serde_json::from_str(&read(rel)).unwrap();
        let p = parse_fixture("vllm-throughput", rel);
        assert_eq!(p.series.len(), 3);
        let tps = p
            .series
            .iter()
            .find(|s| s.key.metric == "tokens_per_second")
            .unwrap();
        assert_eq!(
            tps.samples,
            vec![raw["tokens_per_second"].as_f64().unwrap()]
        );
        assert_eq!(
            (tps.unit.as_str(), tps.direction),
            ("tokens/s", Direction::HigherIsBetter)
        );
        assert_eq!(tps.key.labels["num_requests"], "200");
        let rps = p
            .series
            .iter()
            .find(|s| s.key.metric == "requests_per_second")
            .unwrap();
        assert_eq!(
            rps.samples,
            vec![raw["requests_per_second"].as_f64().unwrap()]
        );
        assert_eq!(rps.direction, Direction::HigherIsBetter);
        let elapsed = p
            .series
            .iter()
            .find(|s| s.key.metric == "elapsed_time")
            .unwrap();
        assert_eq!(
            (elapsed.unit.as_str(), elapsed.direction),
            ("s", Direction::LowerIsBetter)
        );
    }
    let rocm = parse_fixture("vllm-throughput", &files[0]);
    assert_eq!(
        find(
            &rocm,
            &rocm.series[0].key.benchmark,
            "tokens_per_second",
            &[]
        )
        .samples,
        vec![85.28594554049253]
    );
}

#[test]
fn vllm_base_and_head_have_equal_keys() {
    for format in ["vllm-benchmark-serving-json", "vllm-bench-throughput-json"] {
        let files = fixtures(format);
        let name = if format.contains("serving") {
            "vllm-serving"
        } else {
            "vllm-throughput"
        };
        let base = parse_fixture(name, &files[0]);
        let head = parse_as(name, &files[0], &read(&files[1]));
        let b: BTreeSet<_> = base.series.iter().map(|s| s.key.clone()).collect();
        let h: BTreeSet<_> = head.series.iter().map(|s| s.key.clone()).collect();
        assert_eq!(b, h, "{format}");
    }
}

// ---------------------------------------------------------------- Ollama API responses

#[test]
fn ollama_api_responses_embedded_in_markdown() {
    let dir = "ollama-api-json-in-md/attogram__ollama-bash-lib/";
    let rel = format!("{dir}base__demos__ollama_generate_json.md");
    let blocks = json_blocks(&read(&rel));
    assert_eq!(blocks.len(), 2);
    for block in &blocks {
        let raw: Value =
            serde_json::from_str(&block[block.find("\n{").map_or(0, |i| i + 1)..]).unwrap();
        let p = parse_as("ollama-api", &rel, block);
        let rate = find(&p, "granite3.3:2b", "eval_rate", &[]);
        let expected =
            raw["eval_count"].as_f64().unwrap() / raw["eval_duration"].as_f64().unwrap() * 1e9;
        assert_eq!(rate.samples.len(), 1);
        assert_close(rate.samples[0], expected);
        assert_eq!(
            (rate.unit.as_str(), rate.direction),
            ("tokens/s", Direction::HigherIsBetter)
        );
        let prompt = find(&p, "granite3.3:2b", "prompt_eval_rate", &[]);
        assert_close(
            prompt.samples[0],
            raw["prompt_eval_count"].as_f64().unwrap()
                / raw["prompt_eval_duration"].as_f64().unwrap()
                * 1e9,
        );
        let total = find(&p, "granite3.3:2b", "total_duration_ms", &[]);
        assert_close(
            total.samples[0],
            raw["total_duration"].as_f64().unwrap() / 1e6,
        );
        assert_eq!(
            (total.unit.as_str(), total.direction),
            ("ms", Direction::LowerIsBetter)
        );
        let count = find(&p, "granite3.3:2b", "eval_count", &[]);
        assert_eq!(count.direction, Direction::Neutral);
        assert_eq!(p.series.len(), 8);
    }
    // The first block is the plain demo: 12 tokens in 123105400 ns.
    let first = parse_as("ollama-api", &rel, &blocks[0]);
    assert_close(
        find(&first, "granite3.3:2b", "eval_rate", &[]).samples[0],
        12.0 / 123_105_400.0 * 1e9,
    );
}

#[test]
fn ollama_api_stream_uses_the_final_chunk() {
    let rel =
        "ollama-api-json-in-md/attogram__ollama-bash-lib/demos__ollama_generate_stream_json.md";
    let blocks = json_blocks(&read(rel));
    let p = parse_as("ollama-api", rel, &blocks[0]);
    let rate = find(&p, "dolphin3:8b", "eval_rate", &[]);
    assert_eq!(rate.samples.len(), 1);
    assert_close(rate.samples[0], 6.0 / 133_173_800.0 * 1e9);
    assert_close(
        find(&p, "dolphin3:8b", "load_duration_ms", &[]).samples[0],
        1667.2411,
    );
    // The debug block mixes log lines with a second stream: the stream is still read.
    let debug = parse_as("ollama-api", rel, &blocks[1]);
    assert_close(
        find(&debug, "dolphin3:8b", "eval_rate", &[]).samples[0],
        9.0 / 217_847_900.0 * 1e9,
    );
    assert!(!debug.warnings.is_empty(), "skipped log lines are reported");

    // Both blocks in one stream are two samples of one series.
    let both = parse_as("ollama-api", rel, &format!("{}{}", blocks[0], blocks[1]));
    assert_eq!(
        find(&both, "dolphin3:8b", "eval_rate", &[]).samples.len(),
        2
    );
}

#[test]
fn ollama_api_pair_has_equal_keys_and_failures_are_counted() {
    let dir = "ollama-api-json-in-md/attogram__ollama-bash-lib/";
    let base_path = format!("{dir}base__demos__ollama_generate_json.md");
    let base = parse_as("ollama-api", &base_path, &json_blocks(&read(&base_path))[0]);
    let head_text = &json_blocks(&read(&format!("{dir}head__demos__ollama_generate_json.md")))[0];
    let head = parse_as("ollama-api", &base_path, head_text);
    assert_eq!(keys(&base), keys(&head));
    assert_close(
        find(&head, "granite3.3:2b", "eval_rate", &[]).samples[0],
        11.0 / 97_787_200.0 * 1e9,
    );

    // A stream cut off before its final object, then an error for another model.
    let text = "{\"model\":\"a\",\"created_at\":\"t\",\"response\":\"x\",\"done\":false}\n\
                {\"model\":\"b\",\"created_at\":\"t\",\"response\":\"\",\"done\":true,\"eval_count\":10,\"eval_duration\":1000000000}\n\
                {\"error\":\"model \\\"c\\\" not found, try pulling it first\"}\n";
    let p = parse_as("ollama-api", "ollama/run.ndjson", text);
    let a = find(&p, "a", "eval_rate", &[]);
    assert!(a.samples.is_empty());
    assert_eq!(a.failed, 1);
    assert_eq!(find(&p, "b", "eval_rate", &[]).samples, vec![10.0]);
    assert_eq!(find(&p, "c", "eval_rate", &[]).failed, 1);
    assert_eq!(find(&p, "c", "eval_duration_ms", &[]).failed, 1);
    assert!(p
        .series
        .iter()
        .all(|s| s.key.metric != "eval_count" || s.failed == 0));
    assert_eq!(p.warnings.len(), 2);

    let error_only = Input {
        path: "ollama/out.json",
        text: "{\"error\":\"model \\\"c\\\" not found\"}",
    };
    assert_eq!(
        adapter("ollama-api").detect(&error_only),
        Confidence::Likely
    );
}

// ---------------------------------------------------------------- Ollama --verbose text

#[test]
fn ollama_verbose_reads_every_field() {
    let dir = "ollama-verbose-text/dambergn__ollama-benchmarks/";
    let rel = format!("{dir}data__Llama3.2_3b_4060Ti_16gb.md");
    let p = parse_fixture("ollama-verbose", &rel);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let model = "llama3.2:3b";
    let rate = find(&p, model, "eval_rate", &[]);
    assert_eq!(rate.samples, vec![92.21]);
    assert_eq!(
        (rate.unit.as_str(), rate.direction),
        ("tokens/s", Direction::HigherIsBetter)
    );
    assert_eq!(
        find(&p, model, "prompt_eval_rate", &[]).samples,
        vec![79.14]
    );
    let count = find(&p, model, "eval_count", &[]);
    assert_eq!(
        (count.samples.as_slice(), count.direction),
        (&[392.0][..], Direction::Neutral)
    );
    assert_eq!(
        find(&p, model, "prompt_eval_count", &[]).samples,
        vec![33.0]
    );
    let total = find(&p, model, "total_duration_ms", &[]);
    assert_close(total.samples[0], 4689.7855);
    assert_eq!(
        (total.unit.as_str(), total.direction),
        ("ms", Direction::LowerIsBetter)
    );
    assert_close(find(&p, model, "load_duration_ms", &[]).samples[0], 19.6094);
    assert_close(
        find(&p, model, "prompt_eval_duration_ms", &[]).samples[0],
        417.0,
    );
    assert_close(find(&p, model, "eval_duration_ms", &[]).samples[0], 4251.0);

    // No model is named in this file: the benchmark is the file name.
    let p40 = parse_fixture(
        "ollama-verbose",
        &format!("{dir}data__llama3.2_3b_P40_24gb.md"),
    );
    let stem = "data__llama3.2_3b_P40_24gb";
    assert_eq!(find(&p40, stem, "eval_rate", &[]).samples, vec![68.60]);
    assert_close(
        find(&p40, stem, "total_duration_ms", &[]).samples[0],
        8536.808635,
    );
}

#[test]
fn ollama_verbose_strips_ansi_and_reads_several_runs() {
    let rel = "ollama-verbose-text/dambergn__ollama-benchmarks/data__llama3.2_3b_P40_24gb.md";
    let text = read(rel);
    let metrics = &text[text.find("total duration").unwrap()..text.rfind("```").unwrap()];
    let second = metrics
        .replace("68.60 tokens/s", "70.25 tokens/s")
        .replace("8.536808635s", "1m13.9s");
    let terminal = format!(
        "\x1b[?25l\u{280b} \x1b[?25h\x1b[?25l\x1b[2K\x1b[1G\x1b[?25h>>> Tell me about light.\n\
         Light is fast.\n\n\x1b[1m{metrics}\x1b[0m\n>>> again\n\r\u{2819} \r{second}"
    );
    let p = parse_as(
        "ollama-verbose",
        "runs/ollama.txt",
        &format!("$ ollama run llama3.2:3b --verbose\n{terminal}"),
    );
    let rate = find(&p, "llama3.2:3b", "eval_rate", &[]);
    assert_eq!(rate.samples, vec![68.60, 70.25]);
    let total = find(&p, "llama3.2:3b", "total_duration_ms", &[]);
    assert_close(total.samples[0], 8536.808635);
    assert_close(total.samples[1], 73_900.0);
    assert_eq!(
        find(&p, "llama3.2:3b", "eval_count", &[]).samples,
        vec![570.0, 570.0]
    );

    let failed = parse_as(
        "ollama-verbose",
        "runs/ollama.txt",
        &format!("$ ollama run llama3.2:3b --verbose\n{metrics}\nError: model runner has unexpectedly stopped\n"),
    );
    let rate = find(&failed, "llama3.2:3b", "eval_rate", &[]);
    assert_eq!((rate.samples.len(), rate.failed), (1, 1));
}

// ---------------------------------------------------------------- llama-server timings CSV

#[test]
fn llama_server_csv_skips_warmup_rows() {
    for rel in fixtures("llm-tps-csv") {
        let text = read(&rel);
        let p = parse_fixture("llama-server-csv", &rel);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let measured: Vec<csv::StringRecord> = reader
            .records()
            .map(Result::unwrap)
            .filter(|r| &r[1] == "measured" && &r[0] == "short-generation")
            .collect();
        assert_eq!(measured.len(), 5);
        let tps = find(&p, "short-generation", "predicted_tps", &[]);
        let expected: Vec<f64> = measured.iter().map(|r| r[8].parse().unwrap()).collect();
        assert_eq!(tps.samples, expected);
        assert_eq!(
            (tps.unit.as_str(), tps.direction),
            ("tokens/s", Direction::HigherIsBetter)
        );
        let total = find(&p, "short-generation", "total_ms", &[]);
        assert_eq!(total.samples.len(), 5);
        assert_eq!(
            (total.unit.as_str(), total.direction),
            ("ms", Direction::LowerIsBetter)
        );
        assert!(p.series.iter().all(|s| s.key.labels.is_empty()));
        assert_eq!(p.series.len(), 4 * 7);
    }
    let files = fixtures("llm-tps-csv");
    let base = parse_fixture("llama-server-csv", &files[0]);
    assert_eq!(
        find(&base, "short-generation", "predicted_tps", &[]).samples[0],
        9.67504801714993
    );
    let head = parse_fixture("llama-server-csv", &files[1]);
    assert_eq!(keys(&base), keys(&head));

    let failed = "test,phase,run,prompt_tps,predicted_tps,total_ms,http_code\n\
                  a,measured,1,100.5,9.5,1000,200\n\
                  a,measured,2,0,0,5,500\n\
                  a,measured,3,101.5,0,900,200\n";
    let p = parse_as("llama-server-csv", "results.csv", failed);
    let tps = find(&p, "a", "predicted_tps", &[]);
    assert_eq!((tps.samples.clone(), tps.failed), (vec![9.5], 2));
    assert_eq!(find(&p, "a", "total_ms", &[]).samples, vec![1000.0, 900.0]);
}

// ---------------------------------------------------------------- SGLang and serving text

#[test]
fn sglang_bench_serving_jsonl_runs_keep_their_settings_apart() {
    let dir = "sglang-bench-serving-jsonl/";
    let p = parse_fixture(
        "sglang-serving",
        &format!("{dir}datacrunch-research__h200-benchmarks/sglang__outputs__llama_3_3_70b_online_output.jsonl"),
    );
    let rate = |r: &'static str| {
        [
            ("dataset_name", "random"),
            ("request_rate", r),
            ("random_input_len", "1024"),
            ("random_output_len", "1024"),
        ]
    };
    let tput = find(&p, "sglang", "output_throughput", &rate("1.0"));
    assert_eq!(tput.samples, vec![537.4142851849319]);
    assert_eq!(
        (tput.unit.as_str(), tput.direction),
        ("tokens/s", Direction::HigherIsBetter)
    );
    assert_eq!(
        find(&p, "sglang", "output_throughput", &rate("2.0")).samples,
        vec![987.3125216200807]
    );
    let ttft = find(&p, "sglang", "median_ttft_ms", &rate("1.0"));
    assert_eq!(ttft.samples, vec![85.74514742940664]);
    assert_eq!(
        (ttft.unit.as_str(), ttft.direction),
        ("ms", Direction::LowerIsBetter)
    );
    let e2e = find(&p, "sglang", "mean_e2e_latency_ms", &rate("2.0"));
    assert_eq!(e2e.samples, vec![8540.55180882259]);
    let completed = find(&p, "sglang", "completed", &rate("1.0"));
    assert_eq!(
        (completed.samples.clone(), completed.direction),
        (vec![300.0], Direction::HigherIsBetter)
    );
    assert_eq!(
        find(&p, "sglang", "duration", &rate("1.0")).samples,
        vec![298.3675805060193]
    );
    // Settings and token totals are not results; a null setting is no label.
    assert!(p.series.iter().all(|s| !s.key.metric.contains("tokens")
        && s.key.metric != "request_rate"
        && !s.key.labels.contains_key("max_concurrency")));

    // An unlimited request rate is Python's bare `Infinity`: read, and left out of the labels.
    let p = parse_fixture(
        "sglang-serving",
        &format!("{dir}datacrunch-research__h200-benchmarks/sglang__outputs__deepseek_dp_mla_output.jsonl"),
    );
    let tput = find(
        &p,
        "sglang",
        "output_throughput",
        &[("random_output_len", "512")],
    );
    assert_eq!(tput.samples, vec![12412.394674113431]);
    assert!(!tput.key.labels.contains_key("request_rate"));
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);

    // A fork's variant with request throughput and its own duration field.
    let p = parse_fixture(
        "sglang-serving",
        &format!("{dir}WILLIAM-qmul__SGLang-dLoRA/DynaRank__lora__unified_server__migration_ilp__sglang__sglang_rate2_stride10.jsonl"),
    );
    let labels = [("request_rate", "100.0"), ("random_output_len", "128")];
    let req = find(&p, "sglang", "request_throughput", &labels);
    assert_eq!(
        (req.samples.clone(), req.unit.as_str(), req.direction),
        (vec![0.7301325995637705], "req/s", Direction::HigherIsBetter)
    );
    let duration = find(&p, "sglang", "benchmark_duration_s", &labels);
    assert_eq!(
        (duration.samples.clone(), duration.direction),
        (vec![58.89341199898627], Direction::LowerIsBetter)
    );
    assert_eq!(
        find(&p, "sglang", "total_throughput", &labels).samples,
        vec![456.5875721458091]
    );
}

#[test]
fn serving_benchmark_console_blocks() {
    // SGLang's console summary, six runs of a request-rate sweep saved in a Markdown note.
    let p = parse_fixture(
        "serving-benchmark-text",
        "serving-benchmark-text/WILLIAM-qmul__SGLang-dLoRA/DynaRank__lora__unified_server__migration_ilp__sglang_results.md",
    );
    let rate4 = [("request_rate", "4.0")];
    let req = find(&p, "sglang", "request_throughput", &rate4);
    assert_eq!(
        (req.samples.clone(), req.unit.as_str(), req.direction),
        (vec![3.73], "req/s", Direction::HigherIsBetter)
    );
    let out = find(&p, "sglang", "output_token_throughput", &rate4);
    assert_eq!(
        (out.samples.clone(), out.unit.as_str(), out.direction),
        (vec![817.47], "tokens/s", Direction::HigherIsBetter)
    );
    let e2e = find(&p, "sglang", "mean_e2e_latency", &rate4);
    assert_eq!(
        (e2e.samples.clone(), e2e.unit.as_str(), e2e.direction),
        (vec![2071.52], "ms", Direction::LowerIsBetter)
    );
    let duration = find(
        &p,
        "sglang",
        "benchmark_duration",
        &[("request_rate", "8.0")],
    );
    assert_eq!(
        (
            duration.samples.clone(),
            duration.unit.as_str(),
            duration.direction
        ),
        (vec![261.53], "s", Direction::LowerIsBetter)
    );
    assert_eq!(
        find(&p, "sglang", "successful_requests", &rate4).samples,
        vec![996.0]
    );
    // `-0.00` is a value; token totals (with or without a note in parentheses) are not.
    assert_eq!(
        find(&p, "sglang", "median_tpot", &[("request_rate", "2.0")]).samples,
        vec![-0.0]
    );
    assert!(p.series.iter().all(|s| !s.key.metric.contains("tokens")));
    let rates: BTreeSet<_> = p
        .series
        .iter()
        .filter_map(|s| s.key.labels.get("request_rate"))
        .collect();
    assert_eq!(rates.len(), 6, "{rates:?}");

    // vLLM's, 81 runs pasted into a README between prose and server log lines: the blocks name
    // no settings, so they are samples of one series per metric, named after the file.
    let p = parse_fixture(
        "serving-benchmark-text",
        "serving-benchmark-text/dennislee22__vLLM-benchmarking/README.md",
    );
    let ttft = find(&p, "README", "mean_ttft", &[]);
    assert_eq!(ttft.samples.len(), 81);
    assert_eq!(ttft.samples[0], 2111.51);
    assert_eq!(ttft.direction, Direction::LowerIsBetter);
    let tput = find(&p, "README", "output_token_throughput", &[]);
    assert_eq!(&tput.samples[..2], &[218.04, 207.81]);
    assert_eq!(
        (tput.unit.as_str(), tput.direction),
        ("tokens/s", Direction::HigherIsBetter)
    );
    assert_eq!(find(&p, "README", "p99_itl", &[]).samples[1], 53.34);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);

    // A block cut short is read up to the cut and reported.
    let p = parse_as(
        "serving-benchmark-text",
        "bench.log",
        "============ Serving Benchmark Result ============\nRequest throughput (req/s): 7.90\nMean TTFT (ms): 12",
    );
    assert_eq!(
        find(&p, "bench", "request_throughput", &[]).samples,
        vec![7.9]
    );
    assert_eq!(find(&p, "bench", "mean_ttft", &[]).samples, vec![12.0]);
    assert!(
        p.warnings[0].message.contains("closing"),
        "{:?}",
        p.warnings
    );
}

// ---------------------------------------------------------------- github-action-benchmark

#[test]
fn gab_custom_json_and_ndjson() {
    let dir = "gab-custom-json/benchmark-action__github-action-benchmark/";
    let p = parse_fixture(
        "gab-custom",
        &format!("{dir}test__data__extract__customBiggerIsBetter_output.json"),
    );
    let name = "My Custom Bigger Is Better Benchmark - Throughput";
    let s = find(&p, name, "value", &[]);
    assert_eq!(s.samples, vec![70.0]);
    assert_eq!(s.unit, units::normalize_unit("req/s"));
    assert_eq!(s.direction, direction::infer(name, &s.unit));
    let memory = find(
        &p,
        "My Custom Bigger Is Better Benchmark - Free Memory",
        "value",
        &[],
    );
    assert_eq!(memory.samples, vec![150.0]);
    assert_eq!(memory.unit, units::normalize_unit("Megabytes"));

    let p = parse_fixture(
        "gab-custom",
        &format!("{dir}test__data__extract__customSmallerIsBetter_output2.json"),
    );
    assert_eq!(p.series.len(), 4);
    let probe = find(&p, "Deactivated probe", "value", &[]);
    assert_eq!(probe.samples, vec![445.661]);
    assert_eq!(probe.unit, units::normalize_unit("ns"));
    assert_eq!(
        probe.direction,
        direction::infer("Deactivated probe", &probe.unit)
    );

    let p = parse_fixture(
        "gab-custom",
        &format!("{dir}test__data__extract__customSmallerIsBetter_output.json"),
    );
    assert_eq!(
        find(
            &p,
            "My Custom Smaller Is Better Benchmark - CPU Load",
            "value",
            &[]
        )
        .samples,
        vec![50.0]
    );

    // The NDJSON variant states the direction itself.
    let rel = "gab-custom-ndjson/benchmark-action__github-action-benchmark/test__data__extract__ndjson_output.ndjson";
    let p = parse_fixture("gab-custom", rel);
    let fib = find(&p, "Fibonacci 20", "value", &[]);
    assert_eq!(fib.samples, vec![1.0]);
    assert_eq!(fib.direction, Direction::HigherIsBetter);
    assert_eq!(find(&p, "Fibonacci 10", "value", &[]).samples, vec![0.0]);
}

/// A custom metric in frames per second that drops from 60 to 40 is a regression, not a
/// neutral change: `benchgate compare` run as a process on two one-file trees.
#[test]
fn gab_custom_rate_drop_is_a_regression() {
    let dir = tempfile::tempdir().unwrap();
    for (side, fps) in [("base", 60), ("head", 40)] {
        let root = dir.path().join(side);
        std::fs::create_dir(&root).unwrap();
        let entry = format!(r#"[{{"name": "Render loop", "unit": "fps", "value": {fps}}}]"#);
        std::fs::write(root.join("bench.json"), entry).unwrap();
    }
    let report = dir.path().join("report.json");
    let out = assert_cmd::cargo::cargo_bin_cmd!("benchgate")
        .current_dir(dir.path())
        .args(["compare", "--base", "base", "--head", "head", "--json"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let delta = &report["deltas"][0];
    assert_eq!(delta["benchmark"], "Render loop");
    assert_eq!(delta["unit"], "fps");
    assert_eq!(delta["direction"], "higher_is_better");
    assert_eq!(delta["status"], "regression");
    assert_eq!(report["verdict"], "fail");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("| Render loop | value |"), "{stdout}");
    assert!(stdout.contains("-33.3%"), "{stdout}");
}

const SHOGI_DATA_JS: &str = "gab-data-js/rust-shogi-crates__shogi_core/dev__bench__data.js";
const SHOGI_SUITE: &str = "Benchmark result (shogi_legality_lite)";

/// `cargo bench` output of the benchmarks the shogi data.js tracks, as a head run would
/// write it: `shift_down_bench` 50 % slower than the newest recorded run, `shift_up_bench`
/// missing.
const SHOGI_HEAD: &str = "running 4 tests
test bitboard::tests::pop_bench         ... bench:          95 ns/iter (+/- 0)
test bitboard::tests::shift_down_bench  ... bench:      30,229 ns/iter (+/- 67)
test bitboard::tests::shift_left_bench  ... bench:      19,021 ns/iter (+/- 85)
test bitboard::tests::shift_right_bench ... bench:      20,546 ns/iter (+/- 86)

test result: ok. 0 passed; 0 failed; 0 ignored; 4 measured; 0 filtered out
";

#[test]
fn gab_data_js_runs_match_the_head_series_newest_first() {
    let text = read(SHOGI_DATA_JS);
    assert!(gab_history::is_data_js(&text));
    let suite = gab_history::read_suite(SHOGI_DATA_JS, &text, None).unwrap();
    assert_eq!(suite.name, SHOGI_SUITE);
    assert_eq!(suite.entries.len(), 11);
    assert_eq!(
        suite.newest().and_then(|e| e.sha()),
        Some("5f1e36452a9505cb819adadfe1347f7dce52b624")
    );
    let head = parse::parse_file(&Input {
        path: "bench.txt",
        text: SHOGI_HEAD,
    });
    assert_eq!(head.format, "libtest-bench");
    let runs = suite.runs(3, &head.series, SHOGI_DATA_JS);
    assert_eq!(runs.runs.len(), 3);
    assert_eq!(runs.unmatched, ["bitboard::tests::shift_up_bench"]);
    let values = |run: &[Series], bench: &str| -> Vec<f64> {
        let s = run
            .iter()
            .find(|s| s.key.benchmark == bench)
            .unwrap_or_else(|| panic!("{bench}"));
        // Keyed, unit and direction like the head series: `ns/iter` reads as `ns`.
        let h = head.series.iter().find(|h| h.key == s.key).unwrap();
        assert_eq!(
            (s.unit.as_str(), s.direction),
            (h.unit.as_str(), h.direction)
        );
        s.samples.clone()
    };
    let pop = "bitboard::tests::pop_bench";
    assert_eq!(values(&runs.runs[0], pop), [95.0]);
    assert_eq!(values(&runs.runs[1], pop), [90.0]);
    assert_eq!(values(&runs.runs[2], pop), [96.0]);
    let down = "bitboard::tests::shift_down_bench";
    assert_eq!(values(&runs.runs[0], down), [20229.0]);
    assert_eq!(values(&runs.runs[1], down), [19834.0]);
    assert_eq!(
        runs.runs[0][0].origin[0].at,
        format!("entries/{SHOGI_SUITE}/10/benches/0")
    );

    // The action's own test data: one suite, one run.
    let rel = "gab-data-js/benchmark-action__github-action-benchmark/test__data__write__data-dir__original_data.js";
    let suite = gab_history::read_suite(rel, &read(rel), Some("Test benchmark")).unwrap();
    assert_eq!(suite.entries.len(), 1);
    assert_eq!(suite.entries[0].benches[0].name, "bench_fib_10");
    assert_eq!(suite.newest().and_then(|e| e.sha()), Some("prev commit id"));

    let err = gab_history::read_suite(rel, &read(rel), Some("Nope")).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{rel}: no suite named \"Nope\"; it holds \"Test benchmark\"")
    );
    let err = gab_history::read_suite("x.js", "var x = 1;", None).unwrap_err();
    assert!(err
        .to_string()
        .starts_with("x.js: not a github-action-benchmark data.js"));
}

/// `benchgate compare --base data.js`: the newest run is the baseline, earlier runs the noise
/// band; a bad suite name is a usage error naming the file and the suites it holds.
#[test]
fn compare_takes_a_gab_data_js_as_baseline_and_history() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("head")).unwrap();
    std::fs::write(dir.path().join("head/bench.txt"), SHOGI_HEAD).unwrap();
    let data_js = std::env::current_dir()
        .unwrap()
        .join(ROOT)
        .join(SHOGI_DATA_JS);
    let run = |extra: &[&str]| {
        let report = dir.path().join("report.json");
        let _ = std::fs::remove_file(&report);
        let out = assert_cmd::cargo::cargo_bin_cmd!("benchgate")
            .current_dir(dir.path())
            .args([
                "compare",
                "--head",
                "head",
                "--json",
                "report.json",
                "--base",
            ])
            .arg(&data_js)
            .args(extra)
            .output()
            .unwrap();
        let report = std::fs::read_to_string(&report)
            .map(|t| serde_json::from_str(&t).unwrap())
            .unwrap_or(Value::Null);
        (out, report)
    };
    let (out, report) = run(&[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(report["baseline"]["mode"], "github-action-benchmark");
    assert_eq!(report["baseline"]["ref"], SHOGI_SUITE);
    assert_eq!(
        report["baseline"]["sha"],
        "5f1e36452a9505cb819adadfe1347f7dce52b624"
    );
    assert_eq!(report["baseline"]["history"], 9);
    let deltas = report["deltas"].as_array().unwrap();
    assert_eq!(deltas.len(), 4, "{deltas:?}");
    let down = &deltas[0];
    assert_eq!(down["benchmark"], "bitboard::tests::shift_down_bench");
    assert_eq!(down["status"], "regression");
    assert_eq!(down["base"]["mean"], 20229.0);
    assert_eq!(down["noise"]["runs"], 10);
    assert!(report["warnings"].to_string().contains("shift_up_bench"));

    let (out, report) = run(&["--base-history", "1", "--base-suite", SHOGI_SUITE]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(report["baseline"]["history"], 0);

    let (out, _) = run(&["--base-suite", "Go Benchmark"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("no suite named \"Go Benchmark\"") && stderr.contains(SHOGI_SUITE),
        "{stderr}"
    );
}

// ---------------------------------------------------------------- Bencher Metric Format

#[test]
fn bencher_bmf_measures_become_metrics() {
    let dir = "bencher-bmf-json/bencherdev__bencher/";
    let p = parse_fixture(
        "bencher-bmf",
        &format!("{dir}lib__bencher_adapter__tool_output__json__report_latency.json"),
    );
    let b = find(&p, "tests::benchmark_b", "latency", &[]);
    assert_eq!(b.samples, vec![3443.0]);
    assert_eq!(
        (b.unit.as_str(), b.direction),
        ("ns", Direction::LowerIsBetter)
    );

    let mixed = parse_fixture(
        "bencher-bmf",
        &format!("{dir}lib__bencher_adapter__tool_output__json__report_bmf_mixed.json"),
    );
    assert_eq!(
        find(
            &mixed,
            "31aba8a9-977a-47d1-9fb6-e6b94b428471",
            "latency",
            &[]
        )
        .samples,
        vec![3247.0]
    );
    assert_eq!(
        find(&mixed, "benchmark-b", "latency", &[]).samples,
        vec![3443.0]
    );
    assert_eq!(keys(&p).len(), keys(&mixed).len());

    let dhat = parse_fixture(
        "bencher-bmf",
        &format!("{dir}lib__bencher_adapter__tool_output__json__report_dhat.json"),
    );
    assert_eq!(dhat.series.len(), 6);
    let bytes = find(&dhat, "bench_play_game", "Total Bytes", &[]);
    assert_eq!(bytes.samples, vec![662.0]);
    assert_eq!(bytes.unit, units::normalize_unit("bytes"));
    assert_eq!(bytes.direction, Direction::LowerIsBetter);
    assert_eq!(
        find(&dhat, "bench_play_game", "Max Blocks", &[]).samples,
        vec![1.0]
    );

    let throughput = parse_as(
        "bencher-bmf",
        "bmf.json",
        r#"{"b": {"throughput": {"value": 5.0}}}"#,
    );
    assert_eq!(
        find(&throughput, "b", "throughput", &[]).direction,
        Direction::HigherIsBetter
    );
}

// ---------------------------------------------------------------- dispatch and robustness

#[test]
fn parse_file_picks_the_tool_adapter() {
    let expected = [
        ("llama-bench-json", "llama-bench"),
        ("llama-bench-jsonl", "llama-bench"),
        ("llama-bench-wrapped-jsonl", "llama-bench"),
        ("llama-bench-md", "llama-bench-md"),
        ("vllm-benchmark-serving-json", "vllm-serving"),
        ("vllm-bench-throughput-json", "vllm-throughput"),
        ("sglang-bench-serving-jsonl", "sglang-serving"),
        ("serving-benchmark-text", "serving-benchmark-text"),
        ("ollama-verbose-text", "ollama-verbose"),
        ("gab-custom-json", "gab-custom"),
        ("gab-custom-ndjson", "gab-custom"),
        ("bencher-bmf-json", "bencher-bmf"),
        ("llm-tps-csv", "llama-server-csv"),
        ("guidellm-json", "guidellm"),
    ];
    for (format, name) in expected {
        for rel in fixtures(format) {
            let text = read(&rel);
            let parsed = parse::parse_file(&Input {
                path: &rel,
                text: &text,
            });
            assert_eq!(parsed.format, name, "{rel}");
            assert!(!parsed.series.is_empty(), "{rel}");
            assert!(parsed.series.iter().all(|s| s.format == name));
            assert!(parsed.series.iter().all(|s| *s.origin[0].path == *rel));
        }
    }
}

/// Every other fixture (classic harnesses, generic summaries, the Chimeraforge tree) is left
/// to the other adapters.
#[test]
fn other_formats_are_left_alone() {
    let mine = [
        "llama-bench-json",
        "llama-bench-jsonl",
        "llama-bench-wrapped-jsonl",
        "llama-bench-md",
        "vllm-benchmark-serving-json",
        "vllm-bench-throughput-json",
        "sglang-bench-serving-jsonl",
        "serving-benchmark-text",
        "ollama-verbose-text",
        "ollama-api-json-in-md",
        "gab-custom-json",
        "gab-custom-ndjson",
        "bencher-bmf-json",
        "llm-tps-csv",
        "guidellm-json",
        "genai-perf-json",
    ];
    let theirs = files_under(Path::new(ROOT))
        .into_iter()
        .filter(|p| {
            let format = p.strip_prefix(ROOT).unwrap().iter().next().unwrap();
            !mine.iter().any(|m| format == *m)
        })
        .chain(files_under(Path::new("tests/fixtures/chimeraforge")));
    let mut checked = 0;
    for path in theirs {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue; // not UTF-8 text
        };
        let rel = path.to_str().unwrap();
        let input = Input {
            path: rel,
            text: &text,
        };
        for a in ADAPTERS {
            assert_eq!(
                a.detect(&input),
                Confidence::No,
                "{} claims {rel}",
                a.name()
            );
        }
        checked += 1;
    }
    assert!(checked > 150, "{checked}");
}

/// How a test cuts a file short: anywhere near the end (JSON), or inside the last line
/// that holds a measurement, before its last separator (line formats).
enum Cut {
    NearEnd,
    LastLine(fn(&str) -> bool, char),
}

/// Every fixture of these formats, cut short: the adapter reports it instead of panicking.
#[test]
fn truncated_files_give_errors_or_warnings() {
    let formats = [
        ("llama-bench-json", "llama-bench", Cut::NearEnd),
        ("llama-bench-jsonl", "llama-bench", Cut::NearEnd),
        ("vllm-benchmark-serving-json", "vllm-serving", Cut::NearEnd),
        (
            "vllm-bench-throughput-json",
            "vllm-throughput",
            Cut::NearEnd,
        ),
        ("gab-custom-json", "gab-custom", Cut::NearEnd),
        ("gab-custom-ndjson", "gab-custom", Cut::NearEnd),
        ("bencher-bmf-json", "bencher-bmf", Cut::NearEnd),
        ("guidellm-json", "guidellm", Cut::NearEnd),
        ("genai-perf-json", "genai-perf", Cut::NearEnd),
        ("sglang-bench-serving-jsonl", "sglang-serving", Cut::NearEnd),
        (
            "serving-benchmark-text",
            "serving-benchmark-text",
            Cut::LastLine(|l| l.contains("(ms):"), ':'),
        ),
        (
            "llama-bench-md",
            "llama-bench-md",
            Cut::LastLine(|l| l.contains('±'), '|'),
        ),
        (
            "llm-tps-csv",
            "llama-server-csv",
            Cut::LastLine(|l| !l.is_empty(), ','),
        ),
        (
            "ollama-verbose-text",
            "ollama-verbose",
            Cut::LastLine(|l| l.contains("eval rate"), 's'),
        ),
    ];
    for (format, name, cut) in formats {
        for rel in fixtures(format) {
            let text = read(&rel);
            let cuts = match cut {
                Cut::NearEnd => near_end(&text),
                Cut::LastLine(is_data, separator) => in_last_line(&text, is_data, separator),
            };
            assert!(cuts.len() > 2, "{rel}");
            for at in cuts {
                assert_reports(name, &rel, &text[..at]);
            }
        }
    }
    let rel =
        "ollama-api-json-in-md/attogram__ollama-bash-lib/demos__ollama_generate_stream_json.md";
    let block = &json_blocks(&read(rel))[0];
    for at in near_end(block) {
        assert_reports("ollama-api", rel, &block[..at]);
    }
}

fn assert_reports(name: &str, path: &str, text: &str) {
    match adapter(name).parse(&Input { path, text }) {
        Ok(p) => assert!(
            !p.warnings.is_empty(),
            "{name} on {path} cut to {} bytes: no warning",
            text.len()
        ),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

/// Positions in the last quarter of a text that cut off more than trailing blanks and do not
/// fall right after a blank.
fn near_end(text: &str) -> Vec<usize> {
    let start = text.len() * 3 / 4;
    (start..text.len())
        .step_by(((text.len() - start) / 5).max(1))
        .filter(|&i| text.is_char_boundary(i) && text[..i].trim_end().len() == i)
        .filter(|&i| !text[i..].trim().is_empty())
        .collect()
}

/// Positions inside the last line satisfying `is_data`, before its last `separator`.
fn in_last_line(text: &str, is_data: fn(&str) -> bool, separator: char) -> Vec<usize> {
    let line = text.lines().rfind(|l| is_data(l.trim())).unwrap();
    let start = line.as_ptr() as usize - text.as_ptr() as usize;
    let end = start + line.trim_end().rfind(separator).unwrap();
    (start + 1..end)
        .filter(|&i| text.is_char_boundary(i) && text[..i].trim_end().len() == i)
        .collect()
}

fn check_no_panic(text: &str) -> Result<(), TestCaseError> {
    for a in ADAPTERS {
        let input = Input {
            path: "any/ollama-results.json",
            text,
        };
        a.detect(&input);
        if let Ok(p) = a.parse(&input) {
            prop_assert!(
                !p.series.is_empty(),
                "{} returned Ok without series",
                a.name()
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn adapters_never_panic_on_arbitrary_text(text in any::<String>()) {
        check_no_panic(&text)?;
    }

    #[test]
    fn adapters_never_panic_on_json_like_text(
        text in r#"[\[\]{}",:0-9a-z_. \n|±-]{0,300}"#,
        key in prop::sample::select(vec![
            "avg_ts", "n_prompt", "n_gen", "samples_ts", "model", "done", "created_at",
            "eval_count", "eval_duration", "error", "request_throughput", "ttfts", "itls",
            "errors", "completed", "num_prompts", "requests_per_second", "tokens_per_second",
            "name", "unit", "value", "biggerIsBetter", "t/s", "test", "model_filename",
        ]),
    ) {
        let text = text.replace("a_", &format!("\"{key}\""));
        check_no_panic(&text)?;
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn adapters_never_panic_on_damaged_fixtures(
        format in prop::sample::select(vec![
            "llama-bench-json", "llama-bench-jsonl", "llama-bench-md",
            "vllm-bench-throughput-json", "gab-custom-json", "gab-custom-ndjson",
            "bencher-bmf-json", "llm-tps-csv", "ollama-verbose-text", "ollama-api-json-in-md",
        ]),
        file in 0usize..8,
        cut in 0.0f64..1.0,
        len in 0usize..64,
        junk in "[{}\\[\\]\",:0-9a-z\n ]{0,8}",
    ) {
        let files = fixtures(format);
        let text = read(&files[file % files.len()]);
        let mut at = (text.len() as f64 * cut) as usize;
        while !text.is_char_boundary(at) { at -= 1; }
        let mut end = (at + len).min(text.len());
        while !text.is_char_boundary(end) { end -= 1; }
        let damaged = format!("{}{junk}{}", &text[..at], &text[end..]);
        check_no_panic(&damaged)?;
    }
}

// ---------------------------------------------------------------------------------------
// GuideLLM

const GUIDELLM_SANITY: &str = "guidellm-json/danielkorat__guidellm-bench/guidellm_sanity_results__20260302_1856__Qwen_Qwen3-4B-Thinking-2507_tp4_quant-fp8_benchmarks.json";
const GUIDELLM_SYNC: &str = "guidellm-json/danielkorat__guidellm-bench/guidellm_results__20260302_1917__Qwen_Qwen3-30B-A3B_tp4_quant-fp8_benchmarks.json";

#[test]
fn guidellm_reads_successful_request_statistics() {
    let p = parse_fixture("guidellm", GUIDELLM_SANITY);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let model = "Qwen/Qwen3-4B-Thinking-2507";
    let labels = [("strategy", "concurrent"), ("streams", "4")];
    let s = find(&p, model, "mean_time_to_first_token_ms", &labels);
    assert_eq!(
        (s.unit.as_str(), s.direction),
        ("ms", Direction::LowerIsBetter)
    );
    assert_close(s.samples[0], 171.7655062675476);
    let s = find(&p, model, "p99_time_to_first_token_ms", &labels);
    assert_close(s.samples[0], 172.63293266296387);
    let s = find(&p, model, "median_inter_token_latency_ms", &labels);
    assert_close(s.samples[0], 24.178653868062757);
    // Request latency is in seconds in GuideLLM's reports.
    let s = find(&p, model, "mean_request_latency", &labels);
    assert_eq!(
        (s.unit.as_str(), s.direction),
        ("s", Direction::LowerIsBetter)
    );
    assert_close(s.samples[0], 24.90865981578827);
    let s = find(&p, model, "mean_requests_per_second", &labels);
    assert_eq!(
        (s.unit.as_str(), s.direction),
        ("req/s", Direction::HigherIsBetter)
    );
    assert_close(s.samples[0], 0.12043527909470322);
    let s = find(&p, model, "mean_output_tokens_per_second", &labels);
    assert_eq!(
        (s.unit.as_str(), s.direction),
        ("tokens/s", Direction::HigherIsBetter)
    );
    assert_close(s.samples[0], 165.59511945248636);
    let s = find(&p, model, "mean_output_token_count", &labels);
    assert_eq!(s.direction, Direction::Neutral);
    assert_close(s.samples[0], 1024.0);
    let s = find(&p, model, "errored_requests", &labels);
    assert_eq!(s.direction, Direction::LowerIsBetter);
    assert_eq!(s.samples, vec![0.0]);
    assert!(p
        .series
        .iter()
        .all(|s| s.samples.len() == 1 && s.failed == 0));
}

#[test]
fn guidellm_synchronous_run_of_another_model() {
    let p = parse_fixture("guidellm", GUIDELLM_SYNC);
    let model = "Qwen/Qwen3-30B-A3B";
    let labels = [("strategy", "synchronous")];
    let s = find(&p, model, "median_time_to_first_token_ms", &labels);
    assert_close(s.samples[0], 58.10093879699707);
    let s = find(&p, model, "mean_time_per_output_token_ms", &labels);
    assert_close(s.samples[0], 38.6720892213481);
    let s = find(&p, model, "mean_request_latency", &labels);
    assert_close(s.samples[0], 39.60116597225791);
    assert!(p
        .series
        .iter()
        .all(|s| s.key.labels.get("streams").is_none()));
    // The two runs measured the same metrics.
    let names = |p: &Parsed| -> BTreeSet<String> {
        p.series.iter().map(|s| s.key.metric.clone()).collect()
    };
    assert_eq!(
        names(&p),
        names(&parse_fixture("guidellm", GUIDELLM_SANITY))
    );
}

const GUIDELLM_PD: &str =
    "guidellm-json/nirjhar17__guidellm-pd-disaggregation/reports__sync-benchmarks.json";

#[test]
fn guidellm_report_of_a_second_project() {
    // GuideLLM 0.5.0 against a prefill/decode-disaggregated deployment: the strategy
    // carries `worker_count`/`max_concurrency` and no streams or rate.
    let p = parse_fixture("guidellm", GUIDELLM_PD);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    assert_eq!(p.series.len(), 76);
    let model = "Qwen/Qwen3-0.6B";
    let labels = [("strategy", "synchronous")];
    let s = find(&p, model, "mean_time_to_first_token_ms", &labels);
    assert_eq!(
        (s.unit.as_str(), s.direction),
        ("ms", Direction::LowerIsBetter)
    );
    assert_close(s.samples[0], 172.4458607760343);
    assert_close(
        find(&p, model, "p99_time_to_first_token_ms", &labels).samples[0],
        665.0362014770508,
    );
    assert_close(
        find(&p, model, "median_inter_token_latency_ms", &labels).samples[0],
        20.990354808296743,
    );
    let s = find(&p, model, "p95_request_latency", &labels);
    assert_eq!(
        (s.unit.as_str(), s.direction),
        ("s", Direction::LowerIsBetter)
    );
    assert_close(s.samples[0], 3.327683925628662);
    let s = find(&p, model, "mean_requests_per_second", &labels);
    assert_eq!(
        (s.unit.as_str(), s.direction),
        ("req/s", Direction::HigherIsBetter)
    );
    assert_close(s.samples[0], 0.35);
    let s = find(&p, model, "median_output_tokens_per_second", &labels);
    assert_eq!(
        (s.unit.as_str(), s.direction),
        ("tokens/s", Direction::HigherIsBetter)
    );
    assert_close(s.samples[0], 47.61168751560833);
    let s = find(&p, model, "mean_prompt_token_count", &labels);
    assert_eq!(s.direction, Direction::Neutral);
    assert_close(s.samples[0], 264.0);
    assert_eq!(
        find(&p, model, "errored_requests", &labels).samples,
        vec![0.0]
    );
    // A synchronous run names no streams or rate, and reads the same metrics as the
    // first project's reports.
    assert!(p
        .series
        .iter()
        .all(|s| s.key.labels.len() == 1 && s.samples.len() == 1 && s.failed == 0));
    let names = |p: &Parsed| -> BTreeSet<String> {
        p.series.iter().map(|s| s.key.metric.clone()).collect()
    };
    assert_eq!(names(&p), names(&parse_fixture("guidellm", GUIDELLM_SYNC)));
}

// ---------------------------------------------------------------------------------------
// GenAI-Perf / AIPerf

const GENAI_PERF_C1: &str = "genai-perf-json/Egham-7__adaptive/benchmarks__genai-perf__results__simple_medium_response_c1_artifacts__auto-openai-chat-concurrency1__simple_medium_response_c1_genai_perf";
const GENAI_PERF_C10: &str = "genai-perf-json/Egham-7__adaptive/benchmarks__genai-perf__results__simple_medium_response_c10_artifacts__auto-openai-chat-concurrency10__simple_medium_response_c10_genai_perf";
const AIPERF: &str = "genai-perf-json/anud18__qwen36-vllm-aiperf-benchmark/results__nvfp4__5090__chatbot__c2__profile_export_aiperf.json";

#[test]
fn genai_perf_json_reads_every_statistic_in_its_unit() {
    let p = parse_fixture("genai-perf", &format!("{GENAI_PERF_C10}.json"));
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let at = [("concurrency", "10")];
    let s = find(&p, "auto", "avg_request_throughput", &at);
    assert_eq!(
        (s.unit.as_str(), s.direction),
        ("req/s", Direction::HigherIsBetter)
    );
    assert_close(s.samples[0], 0.9143702288467201);
    let s = find(&p, "auto", "avg_output_token_throughput", &at);
    assert_eq!(
        (s.unit.as_str(), s.direction),
        ("tokens/s", Direction::HigherIsBetter)
    );
    assert_close(s.samples[0], 408.8289965516585);
    let s = find(&p, "auto", "p99_request_latency", &at);
    assert_eq!(
        (s.unit.as_str(), s.direction),
        ("ms", Direction::LowerIsBetter)
    );
    assert_close(s.samples[0], 19113.67754225);
    let s = find(&p, "auto", "std_time_to_first_token", &at);
    assert_close(s.samples[0], 5002.431460878968);
    let s = find(&p, "auto", "avg_request_count", &at);
    assert_eq!((s.unit.as_str(), s.direction), ("", Direction::Neutral));
    assert_close(s.samples[0], 26.0);
    let s = find(&p, "auto", "p50_output_sequence_length", &at);
    assert_eq!(
        (s.unit.as_str(), s.direction),
        ("tokens", Direction::Neutral)
    );
    assert_close(s.samples[0], 337.0);
    // `input_config` holds settings, not metrics.
    assert!(p.series.iter().all(|s| !s.key.metric.contains("config")));
    assert_eq!(p.series.len(), 3 + 4 * 13);
}

#[test]
fn genai_perf_json_and_csv_exports_of_one_run_agree() {
    let json = parse_fixture("genai-perf", &format!("{GENAI_PERF_C10}.json"));
    let rel = format!("{GENAI_PERF_C10}.csv");
    let text = read(&rel);
    let csv = parse::parse_file(&Input {
        path: &rel,
        text: &text,
    });
    // The CSV is left to the generic reader; its stats columns become its benchmarks.
    assert_eq!(csv.format, "csv");
    assert_eq!(
        adapter("genai-perf").detect(&Input {
            path: &rel,
            text: &text
        }),
        Confidence::No
    );
    let cell = |stat: &str, metric: &str| {
        csv.series
            .iter()
            .find(|s| s.key.benchmark == stat && s.key.metric.starts_with(metric))
            .unwrap_or_else(|| panic!("{stat} {metric}"))
            .samples[0]
    };
    let at = [("concurrency", "10")];
    for (stat, csv_metric, json_metric) in [
        ("avg", "Request Latency", "request_latency"),
        ("p99", "Request Latency", "request_latency"),
        ("p25", "Output Sequence Length", "output_sequence_length"),
        ("max", "Input Sequence Length", "input_sequence_length"),
        ("avg", "Output Token Throughput", "output_token_throughput"),
        ("avg", "Request Throughput", "request_throughput"),
    ] {
        let from_json = find(&json, "auto", &format!("{stat}_{json_metric}"), &at).samples[0];
        // The CSV rounds to two decimals.
        let from_csv = cell(stat, csv_metric);
        assert!(
            (from_json - from_csv).abs() <= 0.005 + 1e-9,
            "{stat} {json_metric}: {from_json} vs {from_csv}"
        );
    }
}

#[test]
fn genai_perf_pair_keys_differ_only_by_concurrency() {
    let base = parse_fixture("genai-perf", &format!("{GENAI_PERF_C1}.json"));
    let head = parse_fixture("genai-perf", &format!("{GENAI_PERF_C10}.json"));
    let strip = |p: &Parsed| -> BTreeSet<String> {
        p.series.iter().map(|s| s.key.metric.clone()).collect()
    };
    assert_eq!(strip(&base), strip(&head));
    assert!(base
        .series
        .iter()
        .all(|s| s.key.labels.get("concurrency") == Some("1")));
}

#[test]
fn aiperf_export_reads_the_model_phase_and_units() {
    let p = parse_fixture("genai-perf", AIPERF);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let model = "qwen3.6-nvfp4";
    let at = [("concurrency", "2")];
    let s = find(&p, model, "avg_time_to_first_token", &at);
    assert_eq!(
        (s.unit.as_str(), s.direction),
        ("ms", Direction::LowerIsBetter)
    );
    assert_close(s.samples[0], 101.27894798958333);
    let s = find(&p, model, "p99_inter_token_latency", &at);
    assert_close(s.samples[0], 8.610303992499984);
    let s = find(&p, model, "avg_output_token_throughput_per_user", &at);
    assert_eq!(
        (s.unit.as_str(), s.direction),
        ("tokens/s/user", Direction::HigherIsBetter)
    );
    assert_close(s.samples[0], 177.46172186392286);
    let s = find(&p, model, "avg_total_token_throughput", &at);
    assert_eq!(
        (s.unit.as_str(), s.direction),
        ("tokens/s", Direction::HigherIsBetter)
    );
    assert_close(s.samples[0], 1197.3333527266568);
    let s = find(&p, model, "avg_benchmark_duration", &at);
    assert_eq!(
        (s.unit.as_str(), s.direction),
        ("s", Direction::LowerIsBetter)
    );
    let s = find(&p, model, "avg_osl_mismatch_diff_pct", &at);
    assert_eq!((s.unit.as_str(), s.direction), ("%", Direction::Neutral));
    let s = find(&p, model, "avg_http_req_data_received", &at);
    assert_eq!((s.unit.as_str(), s.direction), ("KB", Direction::Neutral));
    // Counts and sums are bookkeeping, not statistics.
    assert!(p
        .series
        .iter()
        .all(|s| !s.key.metric.starts_with("count_") && !s.key.metric.starts_with("sum_")));
    let higher = p
        .series
        .iter()
        .filter(|s| s.direction == Direction::HigherIsBetter)
        .count();
    assert_eq!(higher, 3 + 3 * 13);
}

#[test]
fn genai_perf_leaves_vllm_results_alone() {
    for rel in fixtures("vllm-benchmark-serving-json") {
        let text = read(&rel);
        let input = Input {
            path: &rel,
            text: &text,
        };
        assert_eq!(
            adapter("genai-perf").detect(&input),
            Confidence::No,
            "{rel}"
        );
        assert_eq!(adapter("guidellm").detect(&input), Confidence::No, "{rel}");
    }
}
