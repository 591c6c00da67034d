//! Single-family trees: a `base` and a `head` tree of one format family each (or of all
//! five in equal bytes, the *balanced* tree), sized by bytes and deterministic from a seed,
//! so that the cost of each parser can be measured on its own.
//!
//! | family | files | shape |
//! |---|---|---|
//! | `csv` | `csv_data/sweep-NNNN/ollama_param_tuning_<stamp>.csv` | an Ollama parameter sweep, 2 000 quoted rows, 5 label and 6 metric columns, every configuration run several times |
//! | `markdown` | `summaries/summary-NNNN/averages.md` | a 500-row summary table, two name columns, a batch size and five metrics with units in the headers |
//! | `json` | `vllm/serve-NNNN/serving_<model>_qps_<rate>.json` | `vllm bench serve --save-result` results with per-request arrays, ~1 MB each |
//! | `jsonl` | `llama-bench/model-NNNN/<model>_raw_runs.jsonl` | `llama-bench -o jsonl`, 160 rows (5 tests x batch, ubatch, flash attention, KV type), 5 repetitions each |
//! | `text` | `go/pkg-NNNN/bench.txt` | `go test -bench -count=10` of 100 benchmarks (ns/op, MB/s, B/op, allocs/op) |
//!
//! Head holds the same benchmarks as base with a per-file drift of at most ±[`DRIFT`] and a
//! per-value noise of at most ±[`super::FINE`]. With a regression of `p` percent every
//! metric is `p` % worse on head: throughputs × (1 - p/100), durations, bytes and
//! allocations × (1 + p/100).

use super::formats::{
    latency_stats, mean, serve, slug, std_dev, text, vllm_requests, Served, MODELS, PROMPTS,
};
use super::{Side, Stamps, TreeStats, BASE_STAMPS, HEAD_STAMPS};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

/// Run-level drift of one file on one side: at most ±0.5 %.
pub const DRIFT: f64 = 0.005;

/// Rows of one CSV sweep.
pub const CSV_ROWS: usize = 2_000;
/// Rows of one Markdown table.
pub const MARKDOWN_ROWS: usize = 500;
/// Bytes of one vLLM result, about.
pub const JSON_BYTES: u64 = 1_000_000;

/// A format family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    Csv,
    Markdown,
    Json,
    Jsonl,
    Text,
}

impl Family {
    pub const ALL: [Family; 5] = [
        Family::Csv,
        Family::Markdown,
        Family::Json,
        Family::Jsonl,
        Family::Text,
    ];

    /// `csv`, `markdown`, `json`, `jsonl` or `text`.
    pub fn name(self) -> &'static str {
        match self {
            Family::Csv => "csv",
            Family::Markdown => "markdown",
            Family::Json => "json",
            Family::Jsonl => "jsonl",
            Family::Text => "text",
        }
    }

    pub fn named(name: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The parser that reads the family's files, as `benchgate scan` names it.
    pub fn format(self) -> &'static str {
        match self {
            Family::Csv => "csv",
            Family::Markdown => "markdown",
            Family::Json => "vllm-serving",
            Family::Jsonl => "llama-bench",
            Family::Text => "go-bench",
        }
    }

    /// One side of file `index` of this family; vLLM results are sized to `json_bytes`.
    fn file(self, index: usize, side: &mut Side, json_bytes: u64) -> (String, Vec<u8>) {
        match self {
            Family::Csv => sweep(index, side),
            Family::Markdown => table(index, side),
            Family::Json => vllm(index, side, json_bytes),
            Family::Jsonl => llama_bench(index, side),
            Family::Text => go_test(index, side),
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FamilyManifest {
    pub families: Vec<&'static str>,
    pub seed: u64,
    /// Bytes asked for per side.
    pub bytes: u64,
    /// How much worse every metric is on head, in percent.
    pub regress_pct: f64,
    pub base: TreeStats,
    pub head: TreeStats,
}

/// Writes `out/base`, `out/head` and `out/manifest.json` of one family, about `bytes` bytes
/// per side (removing earlier trees first).
pub fn generate(
    out: &Path,
    family: Family,
    bytes: u64,
    seed: u64,
    regress_pct: f64,
) -> io::Result<FamilyManifest> {
    generate_families(out, &[family], bytes, seed, regress_pct)
}

/// The balanced tree: every family with a fifth of `bytes` per side.
pub fn generate_balanced(
    out: &Path,
    bytes: u64,
    seed: u64,
    regress_pct: f64,
) -> io::Result<FamilyManifest> {
    generate_families(out, &Family::ALL, bytes, seed, regress_pct)
}

fn generate_families(
    out: &Path,
    families: &[Family],
    bytes: u64,
    seed: u64,
    regress_pct: f64,
) -> io::Result<FamilyManifest> {
    let base_root = out.join("base");
    let head_root = out.join("head");
    for root in [&base_root, &head_root] {
        if root.exists() {
            fs::remove_dir_all(root)?;
        }
        fs::create_dir_all(root)?;
    }
    let mut manifest = FamilyManifest {
        families: families.iter().map(|f| f.name()).collect(),
        seed,
        bytes,
        regress_pct,
        base: TreeStats::default(),
        head: TreeStats::default(),
    };
    let share = bytes / families.len().max(1) as u64;
    for &family in families {
        write_family(
            &base_root,
            &head_root,
            family,
            share,
            seed,
            regress_pct,
            &mut manifest,
        )?;
    }
    let text = serde_json::to_string_pretty(&manifest).map_err(io::Error::other)?;
    fs::write(out.join("manifest.json"), text)?;
    Ok(manifest)
}

/// Files of `family` until base holds `bytes` of them (at least one). Files are generated
/// in parallel batches and kept in index order, so the trees do not depend on the threads.
fn write_family(
    base_root: &Path,
    head_root: &Path,
    family: Family,
    bytes: u64,
    seed: u64,
    regress_pct: f64,
    manifest: &mut FamilyManifest,
) -> io::Result<()> {
    let json_bytes = JSON_BYTES.min(bytes / 2).max(20_000);
    let family_seed = seed ^ (family as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03);
    let p = regress_pct / 100.0;
    let batch = rayon::current_num_threads() * 4;
    let mut written = 0u64;
    let mut index = 0;
    while written < bytes || index == 0 {
        let files: Vec<[(String, Vec<u8>); 2]> = (index..index + batch)
            .into_par_iter()
            .map(|i| {
                let file_seed = family_seed ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                let side = |noise: u64, stamps: Stamps, (rate, time): (f64, f64)| Side {
                    truth: StdRng::seed_from_u64(file_seed),
                    noise: StdRng::seed_from_u64(file_seed ^ noise),
                    factor: 1.0,
                    rate_scale: rate,
                    time_scale: time,
                    drift_max: DRIFT,
                    broken: false,
                    stamps,
                    index: i,
                    drift: 1.0,
                };
                let base = family.file(i, &mut side(1, BASE_STAMPS, (1.0, 1.0)), json_bytes);
                let head =
                    family.file(i, &mut side(2, HEAD_STAMPS, (1.0 - p, 1.0 + p)), json_bytes);
                [base, head]
            })
            .collect();
        for [base, head] in files {
            if written >= bytes && index > 0 {
                return Ok(());
            }
            written += base.1.len() as u64;
            index += 1;
            write(base_root, base, &mut manifest.base)?;
            write(head_root, head, &mut manifest.head)?;
        }
    }
    Ok(())
}

fn write(root: &Path, (rel, bytes): (String, Vec<u8>), stats: &mut TreeStats) -> io::Result<()> {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(&path, &bytes)?;
    stats.files += 1;
    stats.bytes += bytes.len() as u64;
    Ok(())
}

/// A count that grows with a slowdown (bytes, allocations), without noise.
fn scaled_count(side: &Side, truth: u64) -> u64 {
    (truth as f64 * side.time_scale).round() as u64
}

/// An Ollama parameter sweep of [`CSV_ROWS`] rows, quoted like chimeraforge's
/// `ollama_param_tuning.csv`: labels `model`, `num_gpu`, `num_ctx`, `temperature` and
/// `num_predict`; metrics `ttft_s`, `tokens_s`, `prompt_tokens_s`, `load_s`, `prompt_eval_s`
/// and `eval_s`; the timestamp, prompt and (empty) error columns are not compared. The
/// configurations repeat, so each series has several samples.
fn sweep(index: usize, side: &mut Side) -> (String, Vec<u8>) {
    let models: Vec<&str> = (0..2).map(|_| side.pick(MODELS)).collect();
    let base_rate = side.truth.random_range(40.0..120.0);
    let prompt_rate = side.truth.random_range(300.0..3000.0);
    let stamp = side.stamps.compact(index, 0).replace('-', "_");
    let time = side.stamps.iso(index, 0);
    let mut configs = Vec::new();
    for model in &models {
        for num_gpu in [20u32, 40, 80, 999] {
            for num_ctx in [1024u32, 2048, 4096, 8192] {
                for temperature in ["0.2", "0.4", "0.8"] {
                    for num_predict in [128u32, 256, 512] {
                        let rate = base_rate
                            * (1.0 + f64::from(num_gpu) / 2000.0)
                            * (1.0 - f64::from(num_ctx) / 40_000.0)
                            * side.truth.random_range(0.98..1.02);
                        let ttft = side.truth.random_range(0.08..0.3);
                        configs.push((
                            *model,
                            num_gpu,
                            num_ctx,
                            temperature,
                            num_predict,
                            rate,
                            ttft,
                        ));
                    }
                }
            }
        }
    }
    side.new_file();
    let mut csv = String::with_capacity(CSV_ROWS * 190);
    csv.push_str(
        "\"timestamp\",\"model\",\"num_gpu\",\"num_ctx\",\"temperature\",\"num_predict\",\
         \"prompt\",\"ttft_s\",\"tokens_s\",\"prompt_tokens_s\",\"load_s\",\"prompt_eval_s\",\
         \"eval_s\",\"error\"\n",
    );
    for row in 0..CSV_ROWS {
        let (model, num_gpu, num_ctx, temperature, num_predict, rate, ttft) =
            configs[row % configs.len()];
        let prompt = PROMPTS[row / configs.len() % PROMPTS.len()];
        let eval_truth = f64::from(num_predict) * 0.85 / rate;
        let (ttft_s, tokens_s, prompt_tokens_s) =
            (side.time(ttft), side.rate(rate), side.rate(prompt_rate));
        let (load_s, prompt_eval_s, eval_s) = (
            side.time(ttft * 0.93),
            side.time(ttft * 0.07),
            side.time(eval_truth),
        );
        let _ = writeln!(
            csv,
            "\"{time}\",\"{model}\",\"{num_gpu}\",\"{num_ctx}\",\"{temperature}\",\
             \"{num_predict}\",\"{prompt}\",\"{ttft_s:.6}\",\"{tokens_s:.2}\",\
             \"{prompt_tokens_s:.2}\",\"{load_s:.6}\",\"{prompt_eval_s:.6}\",\"{eval_s:.6}\",\"\"",
        );
    }
    (
        format!("csv_data/sweep-{index:04}/ollama_param_tuning_{stamp}.csv"),
        csv.into_bytes(),
    )
}

/// A Markdown summary of [`MARKDOWN_ROWS`] rows: model and quantization name the benchmark,
/// the batch size is a label, five metrics carry their units in the headers; every
/// configuration appears several times.
fn table(index: usize, side: &mut Side) -> (String, Vec<u8>) {
    let mut configs = Vec::new();
    for model in MODELS {
        let rate = side.truth.random_range(20.0..150.0);
        for (quant, speed) in [("Q4_K_M", 1.0), ("Q5_K_M", 0.9), ("Q8_0", 0.7)] {
            for batch in [128u32, 256, 512, 1024] {
                let ttft = side.truth.random_range(40.0..400.0);
                let load = side.truth.random_range(0.5..6.0);
                configs.push((model, quant, batch, rate * speed, ttft, load));
            }
        }
    }
    side.new_file();
    let mut out = String::with_capacity(MARKDOWN_ROWS * 110);
    let _ = write!(
        out,
        "# Ollama benchmark summary, run {}\n\nMeasured with `ollama run --verbose`, five runs \
         per configuration.\n\n\
         | Model | Quantization | Batch size | Prompt eval rate (tokens/s) | Eval rate (tokens/s) \
         | TTFT (ms) | Load time (s) | Total time (s) |\n\
         |---|---|---:|---:|---:|---:|---:|---:|\n",
        side.stamps.iso(index, 0)
    );
    for row in 0..MARKDOWN_ROWS {
        let (model, quant, batch, rate, ttft, load) = configs[row % configs.len()];
        let prompt_rate = side.rate(rate * 12.0 * (1.0 + f64::from(batch) / 2048.0));
        let eval_rate = side.rate(rate);
        let ttft_ms = side.time(ttft);
        let load_s = side.time(load);
        let total_s = side.time(load + ttft / 1e3 + 300.0 / rate);
        let _ = writeln!(
            out,
            "| {model} | {quant} | {batch} | {prompt_rate:.2} | {eval_rate:.2} | {ttft_ms:.1} \
             | {load_s:.3} | {total_s:.3} |"
        );
    }
    out.push_str("\nAll models were run with default options.\n");
    (
        format!("summaries/summary-{index:04}/averages.md"),
        out.into_bytes(),
    )
}

/// One `vllm bench serve --save-result` result of about `bytes` bytes, with per-request
/// `ttfts`, `itls` and `generated_texts`; the request rate follows the file index.
fn vllm(index: usize, side: &mut Side, bytes: u64) -> (String, Vec<u8>) {
    let model = side.pick(&[
        "meta-llama/Llama-3.1-8B-Instruct",
        "Qwen/Qwen2.5-7B-Instruct",
    ]);
    let qps = [1.0, 2.0, 4.0, 8.0, 16.0][index % 5];
    let requests = vllm_requests(side, bytes);
    let n = requests.len();
    let total_in: u64 = requests.iter().map(|r| r.input_len).sum();
    let total_out: u64 = requests.iter().map(|r| r.output_len).sum();
    let true_duration = requests
        .iter()
        .map(|r| r.ttft + r.itl * r.output_len as f64)
        .fold(0.0, f64::max)
        + n as f64 / qps;
    side.new_file();
    let Served {
        ttfts,
        itls,
        tpots,
        e2els,
    } = serve(side, &requests, qps);
    let duration = side.time(true_duration);
    let ttft_ms: Vec<f64> = ttfts.iter().map(|t| t * 1e3).collect();
    let itl_ms: Vec<f64> = itls.iter().flatten().map(|t| t * 1e3).collect();
    let head = json!({
        "date": side.stamps.compact(index, 0),
        "backend": "vllm",
        "model_id": model,
        "tokenizer_id": model,
        "num_prompts": n,
        "request_rate": qps,
        "burstiness": 1.0,
        "max_concurrency": null,
        "duration": duration,
        "completed": n,
        "total_input_tokens": total_in,
        "total_output_tokens": total_out,
        "request_throughput": side.rate(n as f64 / true_duration),
        "request_goodput:": null,
        "output_throughput": side.rate(total_out as f64 / true_duration),
        "total_token_throughput": side.rate((total_in + total_out) as f64 / true_duration),
        "input_lens": requests.iter().map(|r| r.input_len).collect::<Vec<_>>(),
        "output_lens": requests.iter().map(|r| r.output_len).collect::<Vec<_>>(),
        "ttfts": ttfts,
        "itls": itls,
        "generated_texts": requests.iter().map(|r| r.text.as_str()).collect::<Vec<_>>(),
        "errors": vec![""; n],
    });
    let mut doc = serde_json::Map::new();
    if let Value::Object(fields) = head {
        doc.extend(fields);
    }
    latency_stats("ttft", &ttft_ms, &mut doc);
    latency_stats("tpot", &tpots, &mut doc);
    latency_stats("itl", &itl_ms, &mut doc);
    latency_stats("e2el", &e2els, &mut doc);
    (
        format!(
            "vllm/serve-{index:04}/serving_{}_qps_{}.json",
            slug(model),
            qps as u64
        ),
        Value::Object(doc).to_string().into_bytes(),
    )
}

/// `llama-bench -o jsonl` of one model: 5 tests (pp512, tg128, pp512+tg128, pp512@d4096,
/// tg128@d4096) for every batch, ubatch, flash-attention and KV cache type, 160 rows of 5
/// repetitions (`samples_ts`, `samples_ns`).
fn llama_bench(index: usize, side: &mut Side) -> (String, Vec<u8>) {
    let model = side.pick(MODELS);
    let pp_rate = side.truth.random_range(500.0..6000.0);
    let tg_rate = side.truth.random_range(20.0..120.0);
    let test_time = format!("{}Z", side.stamps.iso(index, 0));
    side.new_file();
    let mut out = String::with_capacity(160 * 1_400);
    for n_batch in [512u32, 1024, 2048, 4096] {
        for n_ubatch in [256u32, 512] {
            for flash_attn in [true, false] {
                for type_kv in ["f16", "q8_0"] {
                    for (n_prompt, n_gen, n_depth) in [
                        (512u64, 0u64, 0u64),
                        (0, 128, 0),
                        (512, 128, 0),
                        (512, 0, 4096),
                        (0, 128, 4096),
                    ] {
                        let tokens = (n_prompt + n_gen) as f64;
                        let true_rate = if n_gen == 0 { pp_rate } else { tg_rate }
                            / (1.0 + n_depth as f64 / 16_384.0)
                            * side.truth.random_range(0.9..1.1);
                        let samples_ts: Vec<f64> = (0..5).map(|_| side.rate(true_rate)).collect();
                        let samples_ns: Vec<u64> = (0..5)
                            .map(|_| side.time(tokens / true_rate * 1e9) as u64)
                            .collect();
                        let ns: Vec<f64> = samples_ns.iter().map(|&n| n as f64).collect();
                        let row = json!({
                            "build_commit": "1c1409e1", "build_number": 6865,
                            "cpu_info": "AMD Eng Sample: 100-000001243-50_Y",
                            "gpu_info": "Radeon 8060S Graphics", "backends": "ROCm",
                            "model_filename": format!("/models/gguf/{}.gguf", slug(model)),
                            "model_type": "llama 8B Q4_K - Medium", "model_size": 4_920_734_208u64,
                            "model_n_params": 8_030_261_312u64, "n_batch": n_batch,
                            "n_ubatch": n_ubatch, "n_threads": 16, "cpu_mask": "0x0",
                            "cpu_strict": false, "poll": 50, "type_k": type_kv, "type_v": type_kv,
                            "n_gpu_layers": 99, "n_cpu_moe": 0, "split_mode": "layer",
                            "main_gpu": 0, "no_kv_offload": false, "flash_attn": flash_attn,
                            "devices": "auto", "tensor_split": "0.00",
                            "tensor_buft_overrides": "none", "use_mmap": false,
                            "embeddings": false, "no_op_offload": 0, "no_host": false,
                            "n_prompt": n_prompt, "n_gen": n_gen, "n_depth": n_depth,
                            "test_time": test_time,
                            "avg_ns": mean(&ns) as u64, "stddev_ns": std_dev(&ns) as u64,
                            "avg_ts": mean(&samples_ts), "stddev_ts": std_dev(&samples_ts),
                            "samples_ns": samples_ns,
                            "samples_ts": samples_ts
                                .iter()
                                .map(|t| (t * 100.0).round() / 100.0)
                                .collect::<Vec<_>>(),
                        });
                        out.push_str(&row.to_string());
                        out.push('\n');
                    }
                }
            }
        }
    }
    (
        format!(
            "llama-bench/model-{index:04}/{}_raw_runs.jsonl",
            slug(model)
        ),
        out.into_bytes(),
    )
}

/// `go test -bench -count=10` of 100 benchmarks with ns/op, MB/s, B/op and allocs/op; bytes
/// and allocations are the same in every repetition, as Go reports them.
fn go_test(index: usize, side: &mut Side) -> (String, Vec<u8>) {
    const OPS: [&str; 5] = ["CRC32", "Encode", "Decode", "Compress", "Hash"];
    let pkg = format!("example.com/svc/pkg{index:04}");
    let words = text(&mut side.truth, 3).replace('\n', " ");
    side.new_file();
    let mut out = format!(
        "goos: linux\ngoarch: amd64\npkg: {pkg}\ncpu: Intel(R) Xeon(R) Processor\n\
         note: {words}\n"
    );
    for b in 0..100usize {
        let size = 16usize << ((b / 5) % 10);
        let name = format!("Benchmark{}/size={size}/align={}-2", OPS[b % 5], b / 50);
        let true_ns =
            size as f64 * side.truth.random_range(0.3..8.0) + side.truth.random_range(20.0..200.0);
        let true_mbs = size as f64 / true_ns * 1e3;
        let (allocs, bytes) = (
            side.truth.random_range(100..2_000),
            side.truth.random_range(4_096..262_144),
        );
        let (allocs, bytes) = (scaled_count(side, allocs), scaled_count(side, bytes));
        for _ in 0..10 {
            let ns = side.time(true_ns);
            let mbs = side.rate(true_mbs);
            let _ = writeln!(
                out,
                "{name:<44}\t{:>9}\t{ns:>12.1} ns/op\t{mbs:>8.2} MB/s\t{bytes:>6} B/op\t{allocs:>4} allocs/op",
                (1e9 / true_ns) as u64 + 1,
            );
        }
    }
    let _ = writeln!(
        out,
        "PASS\nok  \t{pkg}\t{:.3}s",
        side.truth.random_range(1.0..90.0)
    );
    (format!("go/pkg-{index:04}/bench.txt"), out.into_bytes())
}
