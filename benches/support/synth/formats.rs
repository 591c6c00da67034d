//! The file formats of the synthetic trees: one function per suite kind, returning the
//! suite's files (path relative to the root, bytes) for one side. Shapes follow the real
//! files in `tests/fixtures/formats` and `tests/fixtures/chimeraforge`.

use super::{Kind, Side};
use rand::rngs::StdRng;
use rand::Rng;
use serde_json::{json, Value};
use std::fmt::Write as _;

/// The files of one side of a suite of `kind` in `dir`; vLLM results are sized to about
/// `bytes_per_file` bytes.
pub(super) fn suite_files(
    kind: Kind,
    dir: &str,
    side: &mut Side,
    bytes_per_file: u64,
) -> Vec<(String, Vec<u8>)> {
    match kind {
        Kind::OllamaRuns => ollama_runs(dir, side),
        Kind::OllamaSweep => ollama_sweep(dir, side),
        Kind::OllamaApi => ollama_api(dir, side),
        Kind::LlamaBench => llama_bench(dir, side),
        Kind::VllmServing => vllm_serving(dir, side, bytes_per_file),
        Kind::Criterion => criterion(dir, side),
        Kind::GoogleBenchmark => google_benchmark(dir, side),
        Kind::GoTest => go_test(dir, side),
        Kind::Markdown => markdown(dir, side),
        Kind::Junk => junk(dir, side),
    }
}

pub(super) const MODELS: &[&str] = &[
    "llama3.1:8b-instruct-q4_0",
    "llama3.1:8b-instruct-q5_K_M",
    "gemma3:latest",
    "gemma3:1b-it-qat",
    "qwen2.5:7b",
    "mistral:7b-instruct",
    "phi3:mini",
    "deepseek-r1:7b",
    "llama3.2:3b",
];

pub(super) const PROMPTS: &[&str] = &[
    "banter prompt: Player failed a mission but needs encouragement.",
    "Give a battle quote for a co-op shooter win.",
    "Prompt for rare loot find celebration banter.",
    "Craft a witty remark after a close racing finish.",
    "Motivate a teammate before a final boss fight.",
    "Summarise the patch notes for the new season in two sentences.",
    "Describe a rabbit in 3 words",
    "Write a haiku about cache misses.",
    "Explain, with an example, why the sky looks blue.",
    "List three tips for a first speedrun attempt.",
];

const WORDS: &[&str] = &[
    "the",
    "a",
    "quick",
    "model",
    "token",
    "stream",
    "player",
    "boss",
    "fight",
    "cache",
    "latency",
    "throughput",
    "and",
    "to",
    "of",
    "with",
    "for",
    "victory",
    "team",
    "level",
    "loot",
    "rare",
    "mission",
    "again",
    "you",
    "we",
    "will",
    "never",
    "give",
    "up",
];

/// File-name form of a model tag (`llama3.1:8b-instruct-q4_0` -> `llama3_1_8b_instruct_q4_0`).
pub(super) fn slug(model: &str) -> String {
    model
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

pub(super) fn text(rng: &mut StdRng, words: usize) -> String {
    let mut out = String::with_capacity(words * 6);
    for i in 0..words {
        if i > 0 {
            out.push(if i % 17 == 0 { '\n' } else { ' ' });
        }
        out.push_str(WORDS[rng.random_range(0..WORDS.len())]);
    }
    out
}

fn pretty(value: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(value).unwrap_or_default()
}

pub(super) fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().sum::<f64>() / values.len() as f64
}

pub(super) fn std_dev(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let m = mean(values);
    (values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (values.len() - 1) as f64).sqrt()
}

/// The value below which `q` of `sorted` lies (nearest rank).
pub(super) fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

pub(super) fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

const OLLAMA_ERROR: &str = "[WinError 10049] The requested address is not valid in its context";

/// Per-prompt Ollama runs (`<model>_benchmark_runs.csv`) and their summary JSON, in a
/// timestamped run directory, as chimeraforge writes them.
fn ollama_runs(dir: &str, side: &mut Side) -> Vec<(String, Vec<u8>)> {
    let model = side.pick(MODELS);
    let prompts = side.truth.random_range(5..=40);
    let base_rate = side.truth.random_range(30.0..150.0);
    let run_dir = format!("{dir}/{}", side.stamps.compact(side.index, 0));
    let generated_at = format!("{}.263350+00:00", side.stamps.iso(side.index, 0));
    side.new_file();
    let mut csv = String::from(
        "timestamp,model,prompt_index,prompt_text,ttft_s,tokens_s,load_s,prompt_eval_s,eval_s,\
         prompt_eval_count,eval_count,response_chars,error,options\n",
    );
    let mut rates = Vec::new();
    let mut ttfts = Vec::new();
    let mut prompt_texts = Vec::new();
    for i in 0..prompts {
        let prompt = PROMPTS[i % PROMPTS.len()];
        prompt_texts.push(prompt);
        let true_rate = base_rate * side.truth.random_range(0.97..1.03);
        let true_ttft = if i == 0 {
            side.truth.random_range(1.5..3.5)
        } else {
            side.truth.random_range(0.07..0.2)
        };
        let prompt_count = side.truth.random_range(15..40);
        let eval_count = side.truth.random_range(8..900);
        if side.broken {
            let _ = writeln!(
                csv,
                "{generated_at},{model},{},\"{prompt}\",0.000000,0.00,0.000000,0.000000,0.000000,0,0,0,\
                 {OLLAMA_ERROR},\"{{\"\"temperature\"\":0.3,\"\"top_p\"\":0.9}}\"",
                i + 1
            );
            continue;
        }
        let rate = side.rate(true_rate);
        let ttft = side.time(true_ttft);
        let load = ttft * 0.93;
        let eval_s = eval_count as f64 / rate;
        rates.push(rate);
        ttfts.push(ttft);
        let _ = writeln!(
            csv,
            "{generated_at},{model},{},\"{prompt}\",{ttft:.6},{rate:.2},{load:.6},{:.6},{eval_s:.6},\
             {prompt_count},{eval_count},{},,\"{{\"\"temperature\"\":0.3,\"\"top_p\"\":0.9}}\"",
            i + 1,
            ttft - load,
            eval_count * 4,
        );
    }
    let completed = rates.len();
    let summary = json!({
        "generated_at": generated_at,
        "prompt_count": prompts,
        "prompts": prompt_texts,
        "models": [{
            "model": model,
            "prompt_count": prompts,
            "completed": completed,
            "options": {"temperature": 0.3, "top_p": 0.9},
            "mean_ttft_s": (completed > 0).then(|| mean(&ttfts)),
            "mean_tokens_s": (completed > 0).then(|| mean(&rates)),
        }],
        "ollama_host": "http://127.0.0.1:11434",
    });
    let stem = slug(model.split(':').next().unwrap_or(model));
    vec![
        (
            format!("{run_dir}/{stem}_benchmark_runs.csv"),
            csv.into_bytes(),
        ),
        (
            format!("{run_dir}/{stem}_benchmark_summary.json"),
            pretty(&summary),
        ),
    ]
}

/// An Ollama parameter sweep (`num_gpu` x `num_ctx` x `temperature`, repeated) with its
/// summary CSV, both stamped in the file name.
fn ollama_sweep(dir: &str, side: &mut Side) -> Vec<(String, Vec<u8>)> {
    let model = side.pick(MODELS);
    let reps = side.truth.random_range(1..=3);
    let base_rate = side.truth.random_range(40.0..120.0);
    let stamp = side.stamps.compact(side.index, 0).replace('-', "_");
    let time = side.stamps.iso(side.index, 0);
    side.new_file();
    let mut csv = String::from(
        "\"timestamp\",\"model\",\"num_gpu\",\"num_ctx\",\"temperature\",\"ttft_s\",\"tokens_s\",\
         \"load_s\",\"prompt_eval_s\",\"eval_s\",\"prompt_eval_count\",\"eval_count\",\
         \"total_tokens\",\"response_chars\",\"error\"\n",
    );
    let mut summary = String::from(
        "num_gpu,num_ctx,temperature,mean_tokens_s,mean_ttft_s,mean_load_s,prompt_eval,eval_s_mean\n",
    );
    for num_gpu in [40, 80, 999] {
        for num_ctx in [1024, 2048, 4096] {
            for temperature in ["0.2", "0.4", "0.8"] {
                let true_rate = base_rate
                    * (1.0 + num_gpu as f64 / 2000.0)
                    * (1.0 - num_ctx as f64 / 40_000.0)
                    * side.truth.random_range(0.98..1.02);
                let true_ttft = side.truth.random_range(0.08..0.3);
                let (mut rates, mut ttfts) = (Vec::new(), Vec::new());
                for _ in 0..reps {
                    let prompt_count = 25;
                    let eval_count = side.truth.random_range(90..130);
                    if side.broken {
                        let _ = writeln!(
                            csv,
                            "\"{time}\",\"{model}\",\"{num_gpu}\",\"{num_ctx}\",\"{temperature}\",\
                             \"0\",\"0\",\"0\",\"0\",\"0\",\"0\",\"0\",\"0\",\"0\",\"{OLLAMA_ERROR}\""
                        );
                        continue;
                    }
                    let rate = side.rate(true_rate);
                    let ttft = side.time(true_ttft);
                    let eval_s = eval_count as f64 / rate;
                    rates.push(rate);
                    ttfts.push(ttft);
                    let _ = writeln!(
                        csv,
                        "\"{time}\",\"{model}\",\"{num_gpu}\",\"{num_ctx}\",\"{temperature}\",\
                         \"{ttft:.6}\",\"{rate:.2}\",\"{:.6}\",\"{:.6}\",\"{eval_s:.6}\",\
                         \"{prompt_count}\",\"{eval_count}\",\"{}\",\"{}\",\"\"",
                        ttft * 0.95,
                        ttft * 0.05,
                        prompt_count + eval_count,
                        eval_count * 5,
                    );
                }
                if !rates.is_empty() {
                    let _ = writeln!(
                        summary,
                        "{num_gpu},{num_ctx},{temperature},{:.2},{:.6},{:.6},{:.6},{:.6}",
                        mean(&rates),
                        mean(&ttfts),
                        mean(&ttfts) * 0.95,
                        mean(&ttfts) * 0.05,
                        110.0 / mean(&rates),
                    );
                }
            }
        }
    }
    vec![
        (
            format!("{dir}/ollama_param_tuning_{stamp}.csv"),
            csv.into_bytes(),
        ),
        (
            format!("{dir}/ollama_param_tuning_summary_{stamp}.csv"),
            summary.into_bytes(),
        ),
    ]
}

/// Three raw `/api/generate` responses (pretty JSON with the `context` token array), one
/// per epoch-stamped file, so the three runs merge into one series per metric.
fn ollama_api(dir: &str, side: &mut Side) -> Vec<(String, Vec<u8>)> {
    let model = side.pick(MODELS);
    let true_rate = side.truth.random_range(20.0..160.0);
    let true_prompt_rate = side.truth.random_range(300.0..3000.0);
    let prompt_count = side.truth.random_range(10..60u64);
    let eval_count = side.truth.random_range(20..400u64);
    let context: Vec<u64> = (0..prompt_count + eval_count)
        .map(|_| side.truth.random_range(2..50_000))
        .collect();
    let response = text(&mut side.truth, eval_count as usize / 2 + 1);
    let load_ns = side.truth.random_range(20_000_000.0..3_000_000_000.0);
    (0..3)
        .map(|run| {
            side.new_file();
            let eval_ns = eval_count as f64 / side.rate(true_rate) * 1e9;
            let prompt_ns = prompt_count as f64 / side.rate(true_prompt_rate) * 1e9;
            let load = side.time(load_ns);
            let body = json!({
                "model": model,
                "created_at": format!("{}.7671966Z", side.stamps.iso(side.index, run)),
                "response": response,
                "done": true,
                "done_reason": "stop",
                "context": context,
                "total_duration": (load + prompt_ns + eval_ns).round() as u64,
                "load_duration": load.round() as u64,
                "prompt_eval_count": prompt_count,
                "prompt_eval_duration": prompt_ns.round() as u64,
                "eval_count": eval_count,
                "eval_duration": eval_ns.round() as u64,
            });
            (
                format!("{dir}/generate_{}.json", side.stamps.epoch(side.index, run)),
                pretty(&body),
            )
        })
        .collect()
}

/// `llama-bench -o jsonl`: one row per test (prompt processing, generation, both), each
/// with its repetitions in `samples_ns` / `samples_ts`.
fn llama_bench(dir: &str, side: &mut Side) -> Vec<(String, Vec<u8>)> {
    let model = side.pick(MODELS);
    let reps = side.truth.random_range(3..=5);
    let pp_rate = side.truth.random_range(500.0..6000.0);
    let tg_rate = side.truth.random_range(20.0..120.0);
    let test_time = format!("{}Z", side.stamps.iso(side.index, 0));
    side.new_file();
    let mut out = String::new();
    for (n_prompt, n_gen, n_depth) in [
        (512u64, 0u64, 0u64),
        (0, 128, 0),
        (512, 128, 0),
        (512, 0, 4096),
        (0, 128, 4096),
    ] {
        let tokens = (n_prompt + n_gen) as f64;
        let true_rate =
            if n_gen == 0 { pp_rate } else { tg_rate } / (1.0 + n_depth as f64 / 16_384.0);
        let samples_ts: Vec<f64> = (0..reps).map(|_| side.rate(true_rate)).collect();
        let samples_ns: Vec<u64> = samples_ts
            .iter()
            .map(|ts| (tokens / ts * 1e9) as u64)
            .collect();
        let ns: Vec<f64> = samples_ns.iter().map(|&n| n as f64).collect();
        let row = json!({
            "build_commit": "1c1409e1", "build_number": 6865,
            "cpu_info": "AMD Eng Sample: 100-000001243-50_Y", "gpu_info": "Radeon 8060S Graphics",
            "backends": "ROCm", "model_filename": format!("/models/gguf/{}.gguf", slug(model)),
            "model_type": "llama 8B Q4_K - Medium", "model_size": 4_920_734_208u64,
            "model_n_params": 8_030_261_312u64, "n_batch": 2048, "n_ubatch": 512, "n_threads": 16,
            "cpu_mask": "0x0", "cpu_strict": false, "poll": 50, "type_k": "f16", "type_v": "f16",
            "n_gpu_layers": 99, "n_cpu_moe": 0, "split_mode": "layer", "main_gpu": 0,
            "no_kv_offload": false, "flash_attn": true, "devices": "auto", "tensor_split": "0.00",
            "tensor_buft_overrides": "none", "use_mmap": false, "embeddings": false,
            "no_op_offload": 0, "no_host": false, "n_prompt": n_prompt, "n_gen": n_gen,
            "n_depth": n_depth, "test_time": test_time,
            "avg_ns": mean(&ns) as u64, "stddev_ns": std_dev(&ns) as u64,
            "avg_ts": mean(&samples_ts), "stddev_ts": std_dev(&samples_ts),
            "samples_ns": samples_ns,
            "samples_ts": samples_ts.iter().map(|t| (t * 100.0).round() / 100.0).collect::<Vec<_>>(),
        });
        out.push_str(&row.to_string());
        out.push('\n');
    }
    vec![(
        format!("{dir}/{}_raw_runs.jsonl", slug(model)),
        out.into_bytes(),
    )]
}

/// One `vllm bench serve --save-result` JSON with per-request arrays, sized to about
/// `bytes` bytes, for two request rates.
fn vllm_serving(dir: &str, side: &mut Side, bytes: u64) -> Vec<(String, Vec<u8>)> {
    let model = side.pick(&[
        "meta-llama/Llama-3.1-8B-Instruct",
        "Qwen/Qwen2.5-7B-Instruct",
    ]);
    let requests = vllm_requests(side, bytes);
    let n = requests.len();
    [4.0, 16.0]
        .into_iter()
        .map(|qps: f64| {
            side.new_file();
            let Served {
                ttfts,
                itls,
                tpots,
                e2els,
            } = serve(side, &requests, qps);
            let duration = e2els.iter().cloned().fold(0.0, f64::max) / 1e3 + n as f64 / qps;
            let total_in: u64 = requests.iter().map(|r| r.input_len).sum();
            let total_out: u64 = requests.iter().map(|r| r.output_len).sum();
            let ttft_ms: Vec<f64> = ttfts.iter().map(|t| t * 1e3).collect();
            let itl_ms: Vec<f64> = itls.iter().flatten().map(|t| t * 1e3).collect();
            let stats = latency_stats;
            let mut doc = serde_json::Map::new();
            let head = json!({
                "date": side.stamps.compact(side.index, qps as usize),
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
                "request_throughput": n as f64 / duration,
                "request_goodput:": null,
                "output_throughput": total_out as f64 / duration,
                "total_token_throughput": (total_in + total_out) as f64 / duration,
                "input_lens": requests.iter().map(|r| r.input_len).collect::<Vec<_>>(),
                "output_lens": requests.iter().map(|r| r.output_len).collect::<Vec<_>>(),
                "ttfts": ttfts,
                "itls": itls,
                "generated_texts": requests.iter().map(|r| r.text.as_str()).collect::<Vec<_>>(),
                "errors": vec![""; n],
            });
            if let Value::Object(fields) = head {
                doc.extend(fields);
            }
            stats("ttft", &ttft_ms, &mut doc);
            stats("tpot", &tpots, &mut doc);
            stats("itl", &itl_ms, &mut doc);
            stats("e2el", &e2els, &mut doc);
            let name = format!("{dir}/serving_{}_qps_{}.json", slug(model), qps as u64);
            (name, Value::Object(doc).to_string().into_bytes())
        })
        .collect()
}

/// The per-request truth of a vLLM serving run: lengths, first-token latency, mean
/// inter-token latency and the generated text.
pub(super) struct VllmRequest {
    pub input_len: u64,
    pub output_len: u64,
    pub ttft: f64,
    pub itl: f64,
    pub text: String,
}

/// What one side measured of `requests` served at `qps`: per request the first-token
/// latency (s), the inter-token gaps (s), the time per output token (ms, requests with more
/// than one token) and the end-to-end latency (ms).
pub(super) struct Served {
    pub ttfts: Vec<f64>,
    pub itls: Vec<Vec<f64>>,
    pub tpots: Vec<f64>,
    pub e2els: Vec<f64>,
}

pub(super) fn serve(side: &mut Side, requests: &[VllmRequest], qps: f64) -> Served {
    let n = requests.len();
    let mut out = Served {
        ttfts: Vec::with_capacity(n),
        itls: Vec::with_capacity(n),
        tpots: Vec::with_capacity(n),
        e2els: Vec::with_capacity(n),
    };
    for r in requests {
        let ttft = side.time(r.ttft * (1.0 + qps / 64.0));
        let gaps: Vec<f64> = (1..r.output_len).map(|_| side.time(r.itl)).collect();
        let decode: f64 = gaps.iter().sum();
        if r.output_len > 1 {
            out.tpots.push(decode / (r.output_len - 1) as f64 * 1e3);
        }
        out.e2els.push((ttft + decode) * 1e3);
        out.ttfts.push(ttft);
        out.itls.push(gaps);
    }
    out
}

/// Requests drawn from `side.truth` until their arrays would fill about `bytes` bytes (at
/// least ten).
pub(super) fn vllm_requests(side: &mut Side, bytes: u64) -> Vec<VllmRequest> {
    let mut requests = Vec::new();
    let mut estimate = 2_000u64;
    while estimate < bytes || requests.len() < 10 {
        let output_len = if side.truth.random_bool(0.1) {
            1
        } else {
            side.truth.random_range(2..600u64)
        };
        let text = text(&mut side.truth, (output_len as usize * 3 / 4).max(1));
        estimate += 60 + output_len * 21 + text.len() as u64;
        requests.push(VllmRequest {
            input_len: side.truth.random_range(4..1000),
            output_len,
            ttft: side.truth.random_range(0.05..0.5),
            itl: side.truth.random_range(0.01..0.05),
            text,
        });
    }
    requests
}

/// `mean_`, `median_`, `std_` and `p99_<name>_ms` of `values` into `out`.
pub(super) fn latency_stats(name: &str, values: &[f64], out: &mut serde_json::Map<String, Value>) {
    let s = sorted(values);
    out.insert(format!("mean_{name}_ms"), json!(mean(values)));
    out.insert(format!("median_{name}_ms"), json!(quantile(&s, 0.5)));
    out.insert(format!("std_{name}_ms"), json!(std_dev(values)));
    out.insert(format!("p99_{name}_ms"), json!(quantile(&s, 0.99)));
}

/// A criterion group: three benchmarks, each with `new/estimates.json`, `new/sample.json`
/// and `new/benchmark.json`.
fn criterion(dir: &str, side: &mut Side) -> Vec<(String, Vec<u8>)> {
    let group = dir.rsplit('/').next().unwrap_or("group");
    let mut files = Vec::new();
    for bench in ["parse", "serialize", "roundtrip"] {
        let true_ns = side.truth.random_range(50.0..50_000.0);
        let samples = 100usize;
        let base_iters = side.truth.random_range(10..2000) as f64;
        let pattern: Vec<f64> = (0..samples)
            .map(|_| side.truth.random_range(0.97..1.03))
            .collect();
        side.new_file();
        let iters: Vec<f64> = (1..=samples).map(|i| base_iters * i as f64).collect();
        let per_iter: Vec<f64> = pattern.iter().map(|p| side.time(true_ns * p)).collect();
        let times: Vec<f64> = iters.iter().zip(&per_iter).map(|(n, t)| n * t).collect();
        let s = sorted(&per_iter);
        let m = mean(&per_iter);
        let median = quantile(&s, 0.5);
        let sd = std_dev(&per_iter);
        let mad = {
            let dev: Vec<f64> = per_iter.iter().map(|v| (v - median).abs()).collect();
            quantile(&sorted(&dev), 0.5) * 1.4826
        };
        let estimate = |point: f64, se: f64| {
            json!({
                "confidence_interval": {
                    "confidence_level": 0.95,
                    "lower_bound": point - 1.96 * se,
                    "upper_bound": point + 1.96 * se,
                },
                "point_estimate": point,
                "standard_error": se,
            })
        };
        let se = sd / (samples as f64).sqrt();
        let estimates = json!({
            "mean": estimate(m, se),
            "median": estimate(median, se * 1.25),
            "median_abs_dev": estimate(mad, se * 0.7),
            "slope": estimate(m * 0.998, se * 0.9),
            "std_dev": estimate(sd, se * 0.7),
        });
        let sample = json!({"sampling_mode": "Linear", "iters": iters, "times": times});
        let benchmark = json!({
            "group_id": group, "function_id": bench, "value_str": null, "throughput": null,
            "full_id": format!("{group}/{bench}"), "directory_name": format!("{group}/{bench}"),
            "title": format!("{group}/{bench}"),
        });
        let at = format!("{dir}/{bench}/new");
        files.push((
            format!("{at}/estimates.json"),
            estimates.to_string().into_bytes(),
        ));
        files.push((format!("{at}/sample.json"), sample.to_string().into_bytes()));
        files.push((
            format!("{at}/benchmark.json"),
            benchmark.to_string().into_bytes(),
        ));
    }
    files
}

/// A Google Benchmark JSON report with repetitions and their aggregates.
fn google_benchmark(dir: &str, side: &mut Side) -> Vec<(String, Vec<u8>)> {
    let reps = side.truth.random_range(3..=5);
    let count = side.truth.random_range(4..16);
    side.new_file();
    let mut rows = Vec::new();
    for b in 0..count {
        let name = format!(
            "BM_{}/{}",
            ["Encode", "Decode", "Lookup", "Insert"][b % 4],
            8 << (b / 4)
        );
        let true_ns = side.truth.random_range(10.0..100_000.0);
        let items = side.truth.random_range(1..64) as f64;
        let mut real = Vec::new();
        for rep in 0..reps {
            let t = side.time(true_ns);
            real.push(t);
            rows.push(json!({
                "name": name, "family_index": b, "per_family_instance_index": 0,
                "run_name": name, "run_type": "iteration", "repetitions": reps,
                "repetition_index": rep, "threads": 1, "iterations": (1e9 / true_ns) as u64 + 1,
                "real_time": t, "cpu_time": t * 0.995, "time_unit": "ns",
                "items_per_second": items / t * 1e9,
            }));
        }
        for (agg, value) in [
            ("mean", mean(&real)),
            ("median", quantile(&sorted(&real), 0.5)),
            ("stddev", std_dev(&real)),
        ] {
            rows.push(json!({
                "name": format!("{name}_{agg}"), "family_index": b,
                "per_family_instance_index": 0, "run_name": name, "run_type": "aggregate",
                "repetitions": reps, "threads": 1, "aggregate_name": agg,
                "aggregate_unit": "time", "iterations": reps, "real_time": value,
                "cpu_time": value * 0.995, "time_unit": "ns",
            }));
        }
    }
    let doc = json!({
        "context": {
            "date": format!("{}+00:00", side.stamps.iso(side.index, 0)),
            "host_name": "runner", "executable": "./bench", "num_cpus": 2, "mhz_per_cpu": 2400,
            "cpu_scaling_enabled": false,
            "caches": [{"type": "Data", "level": 1, "size": 32768, "num_sharing": 1}],
            "load_avg": [0.5, 0.4, 0.3], "library_build_type": "release",
        },
        "benchmarks": rows,
    });
    vec![(format!("{dir}/results.json"), pretty(&doc))]
}

/// `go test -bench -count=N` text with ns/op, MB/s, B/op and allocs/op.
fn go_test(dir: &str, side: &mut Side) -> Vec<(String, Vec<u8>)> {
    let count = side.truth.random_range(5..=10);
    let benches = side.truth.random_range(3..15);
    let pkg = format!(
        "example.com/svc/{}",
        dir.rsplit('/').next().unwrap_or("pkg")
    );
    side.new_file();
    let mut out =
        format!("goos: linux\ngoarch: amd64\npkg: {pkg}\ncpu: Intel(R) Xeon(R) Processor\n");
    for b in 0..benches {
        let size = 16usize << (b % 8);
        let name = format!("BenchmarkCRC32/size={size}/align={}-2", b / 8);
        let true_ns = side.truth.random_range(40.0..80_000.0);
        let allocs = side.truth.random_range(0..5);
        for _ in 0..count {
            let ns = side.time(true_ns);
            let mbs = size as f64 / ns * 1e3;
            let _ = writeln!(
                out,
                "{name:<44}\t{:>9}\t{ns:>12.1} ns/op\t{mbs:>8.2} MB/s\t{:>6} B/op\t{allocs:>4} allocs/op",
                (1e9 / true_ns) as u64 + 1,
                allocs * 48,
            );
        }
    }
    let _ = writeln!(
        out,
        "PASS\nok  \t{pkg}\t{:.3}s",
        side.truth.random_range(1.0..90.0)
    );
    vec![(format!("{dir}/bench.txt"), out.into_bytes())]
}

/// A Markdown summary table of average eval rates per model.
fn markdown(dir: &str, side: &mut Side) -> Vec<(String, Vec<u8>)> {
    side.new_file();
    let mut out = String::from(
        "# Ollama benchmark averages\n\nEval rates measured with `ollama run --verbose`.\n\n\
         | Model Name | # of Eval Rates | Average Eval Rate (tokens/s) |\n\
         |------------|------------------|-------------------------------|\n",
    );
    let models = side.truth.random_range(3..MODELS.len());
    for model in &MODELS[..models] {
        let rate = side.truth.random_range(20.0..150.0);
        let _ = writeln!(out, "| {model} | 5 | {:.2} |", side.rate(rate));
    }
    out.push_str("\nAll models were run with default options.\n");
    vec![(format!("{dir}/averages.md"), out.into_bytes())]
}

/// One file a parser must survive: binary bytes named `.json`, an empty CSV, a truncated
/// JSON document, a UTF-16 "CSV" that is an error message, or a file no pattern matches.
fn junk(dir: &str, side: &mut Side) -> Vec<(String, Vec<u8>)> {
    match side.truth.random_range(0..5) {
        0 => {
            let len = side.truth.random_range(256..8192);
            let bytes: Vec<u8> = (0..len).map(|_| side.truth.random()).collect();
            vec![(format!("{dir}/metrics.json"), bytes)]
        }
        1 => vec![(format!("{dir}/results.csv"), Vec::new())],
        2 => vec![(
            format!("{dir}/partial.json"),
            b"{\"benchmarks\": [{\"name\": \"BM_Cut\", \"real_time\": 12.5, \"time_unit\"".to_vec(),
        )],
        3 => {
            let mut bytes = vec![0xFF, 0xFE];
            for unit in "Error: could not connect to ollama app, is it running?\r\n".encode_utf16()
            {
                bytes.extend(unit.to_le_bytes());
            }
            vec![(format!("{dir}/ollama_bench.csv"), bytes)]
        }
        _ => {
            let len = side.truth.random_range(1024..16_384);
            let bytes: Vec<u8> = (0..len).map(|_| side.truth.random()).collect();
            vec![(format!("{dir}/flamegraph.png"), bytes)]
        }
    }
}
