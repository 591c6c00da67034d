//! Infers whether a metric is better higher, lower, or is neutral (a parameter, a count, a
//! timestamp), from its name first and its unit second.
//!
//! Names are split into lower-case words (`mean_tokens_s` -> `mean tokens s`,
//! `TokensPerSecond` -> `tokens per second`). A dotted path (`timing_stats.p50_ms`) is judged
//! by its last segment first, then as a whole. The rules encode the traps of real files:
//! `tokens_s` is a throughput, `ttft_s` a time, `ttft_reduction_percent` and
//! `ttft_delta_absolute_ms` improvements, while a bare `*_delta` has no known sign.

use crate::model::Direction;
use crate::units::normalize_unit;

use Direction::{HigherIsBetter as Higher, LowerIsBetter as Lower, Neutral};

/// The direction of metric `name` measured in `unit` (either may be empty). The name wins
/// when it says something explicit; otherwise the unit decides; otherwise `Neutral`.
///
/// A rate unit (`frames/s`, `fps`, `Hz`) is the one exception: it beats a name that reads as
/// a time or a resource (`load` in req/s, `disk write` in MB/s), because a count per second is
/// better higher whatever is counted, unless the name counts failures (`errors` in 1/s) or a
/// spread (`stddev` in ops/s).
pub fn infer(name: &str, unit: &str) -> Direction {
    let last = name.rsplit('.').next().unwrap_or(name);
    let named = by_name(last).or_else(|| {
        if last.len() != name.len() {
            by_name(name)
        } else {
            None
        }
    });
    let from_unit = by_unit(unit);
    match named {
        Some(Lower) if is_rate(unit) => {
            let w = words(name);
            if says_failure(&w) || says_spread(&w) {
                Lower
            } else {
                Higher
            }
        }
        Some(d) => d,
        None => from_unit.unwrap_or(Neutral),
    }
}

/// True when `unit` is a count per unit of time that counts good outcomes (`frames/s`,
/// `fps`, `Hz`, `ops`), as opposed to `errors/s`.
fn is_rate(unit: &str) -> bool {
    by_unit(unit) == Some(Higher) && normalize_unit(unit) != "x"
}

/// True when `name` is a run parameter (`num_gpu`, `n_prompt`, `batch_size`, ...) that
/// belongs in a series' labels rather than being compared as a result. Only settings are
/// parameters: token counts, timestamps and run numbers are neutral but vary per row, so
/// they are not.
pub fn is_parameter(name: &str) -> bool {
    let last = name.rsplit(['.', '/']).next().unwrap_or(name);
    let w = words(last);
    let key = w.join("_");
    if PARAMETERS.contains(&key.as_str()) {
        return true;
    }
    // A prefixed setting (`agent_a_num_gpu`, `options_top_k`), unless the prefix makes it a
    // measurement (`gpu_temperature` is a sensor reading, not a sampling setting).
    let hardware = has(
        &w,
        &["gpu", "cpu", "device", "sensor", "core", "hotspot", "board"],
    );
    PARAMETERS.iter().any(|p| {
        key.ends_with(p)
            && key.len() > p.len()
            && key.as_bytes()[key.len() - p.len() - 1] == b'_'
            && (p.contains('_') || !hardware)
            && !matches!(*p, "tp" | "pp" | "temp" | "poll" | "threads" | "workers")
    })
}

/// True when `name` is bookkeeping rather than a measurement: a timestamp or date, a run,
/// iteration or row number, an identifier or a process id. Such fields are neither results
/// nor labels (as labels they would split repeated rows into one series per row).
pub fn is_bookkeeping(name: &str) -> bool {
    let last = name.rsplit(['.', '/']).next().unwrap_or(name);
    let w = words(last);
    let Some(final_word) = w.last() else {
        return false;
    };
    let stamp_subject = has(
        &w,
        &[
            "created",
            "create",
            "start",
            "started",
            "end",
            "ended",
            "finish",
            "finished",
            "export",
            "exported",
            "modified",
            "updated",
            "generated",
            "submitted",
            "completed",
        ],
    );
    has(
        &w,
        &[
            "timestamp",
            "timestamps",
            "datetime",
            "date",
            "epoch",
            "index",
            "idx",
            "iteration",
            "iter",
            "rep",
            "repetition",
            "seed",
            "pid",
            "uuid",
            "row",
            "line",
        ],
    ) || (stamp_subject && has(&w, &["time", "at", "ts", "on"]))
        || matches!(final_word.as_str(), "id" | "number" | "no" | "num") && w.len() > 1
        || w.len() == 1 && matches!(final_word.as_str(), "id" | "run" | "step" | "trial" | "ts")
}

/// Settings of a run, in the `words(..).join("_")` spelling.
const PARAMETERS: &[&str] = &[
    "num_gpu",
    "num_ctx",
    "num_thread",
    "num_threads",
    "num_batch",
    "num_predict",
    "num_keep",
    "ngl",
    "n_gpu_layers",
    "n_batch",
    "n_ubatch",
    "n_threads",
    "threads",
    "n_prompt",
    "n_gen",
    "n_depth",
    "n_ctx",
    "ctx_size",
    "context_length",
    "context_size",
    "temperature",
    "temp",
    "top_p",
    "top_k",
    "min_p",
    "repeat_penalty",
    "batch_size",
    "seq_len",
    "sequence_length",
    "input_len",
    "output_len",
    "max_tokens",
    "max_new_tokens",
    "concurrency",
    "max_concurrency",
    "request_rate",
    "target_qps",
    "num_prompts",
    "num_workers",
    "workers",
    "num_agents",
    "tensor_parallel_size",
    "pipeline_parallel_size",
    "tp",
    "pp",
    "type_k",
    "type_v",
    "flash_attn",
    "split_mode",
    "main_gpu",
    "no_kv_offload",
    "use_mmap",
    "embeddings",
    "cpu_strict",
    "poll",
];

/// Whether one of the [`words`] of `name` is in `candidates` (lower-case words), without
/// building the words.
pub fn has_any_word(name: &str, candidates: &[&str]) -> bool {
    let matches = |word: &str| {
        if word.is_ascii() {
            candidates.iter().any(|c| word.eq_ignore_ascii_case(c))
        } else {
            let lower = word.to_lowercase();
            candidates.contains(&lower.as_str())
        }
    };
    let mut start: Option<usize> = None;
    let mut prev_lower = false;
    for (i, c) in name.char_indices() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower {
                if let Some(s) = start.replace(i) {
                    if matches(&name[s..i]) {
                        return true;
                    }
                }
            }
            start.get_or_insert(i);
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
        } else {
            if let Some(s) = start.take() {
                if matches(&name[s..i]) {
                    return true;
                }
            }
            if c == '%' && matches("percent") {
                return true;
            }
            prev_lower = false;
        }
    }
    start.is_some_and(|s| matches(&name[s..]))
}

/// Splits a name into lower-case words at non-alphanumerics and camelCase boundaries
/// (`%` is the word `percent`).
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
            cur.extend(c.to_lowercase());
        } else {
            if c == '%' {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                out.push("percent".into());
            } else if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Words that, followed by a time word (`tokens_s`, `req_per_sec`), make a throughput.
const RATE_NOUNS: &[&str] = &[
    "t",
    "tok",
    "tokens",
    "token",
    "req",
    "reqs",
    "request",
    "requests",
    "ops",
    "op",
    "operations",
    "items",
    "item",
    "samples",
    "images",
    "img",
    "frames",
    "queries",
    "seq",
    "sequences",
    "b",
    "bytes",
    "kb",
    "mb",
    "gb",
    "kib",
    "mib",
    "gib",
    "words",
    "chars",
    "iterations",
    "iters",
    "calls",
    "msgs",
    "messages",
    "events",
    "rows",
    "records",
];

const TIME_WORDS: &[&str] = &[
    "s", "sec", "secs", "second", "seconds", "ms", "us", "ns", "min", "minute", "hour", "h",
];

fn has(w: &[String], any: &[&str]) -> bool {
    w.iter().any(|x| any.contains(&x.as_str()))
}

fn has_prefix(w: &[String], prefixes: &[&str]) -> bool {
    w.iter().any(|x| prefixes.iter().any(|p| x.starts_with(p)))
}

/// The direction a name states, or `None` when the name alone does not tell.
fn by_name(name: &str) -> Option<Direction> {
    let w = words(name);
    if w.is_empty() {
        return None;
    }
    // `# of requests`, `number of runs`: how many, not how well.
    if name.trim_start().starts_with('#') || w.windows(2).any(|p| p[0] == "number" && p[1] == "of")
    {
        return Some(Neutral);
    }
    // Improvements are written so that bigger is better, whatever they measure.
    if has_prefix(
        &w,
        &["improvement", "improv", "reduction", "saving", "gain"],
    ) {
        return Some(Higher);
    }
    // `ttft_delta_absolute_ms` is baseline minus candidate: positive means faster.
    if w.windows(2).any(|p| p[0] == "delta" && p[1] == "absolute") {
        return Some(Higher);
    }
    // Any other delta or difference depends on who subtracted what.
    if has(&w, &["delta", "δ", "diff", "difference", "change"]) {
        return Some(Neutral);
    }
    if is_parameter(name) {
        return Some(Neutral);
    }
    if says_failure(&w) {
        return Some(Lower);
    }
    // Spread of a measurement: smaller is steadier.
    if says_spread(&w) {
        return Some(Lower);
    }
    // Timestamps, counts, indices and lengths are facts about the run, not results.
    if has(
        &w,
        &[
            "timestamp",
            "timestamps",
            "date",
            "datetime",
            "epoch",
            "created",
            "started",
            "finished",
            "index",
            "idx",
            "iteration",
            "iter",
            "iters",
            "iterations",
            "rep",
            "reps",
            "repetition",
            "repetitions",
            "run",
            "runs",
            "rounds",
            "seed",
            "id",
            "chars",
            "characters",
            "length",
            "len",
            "count",
            "counts",
            "num",
            "generated",
            "warmup",
        ],
    ) || w
        .first()
        .is_some_and(|f| f == "n" || f == "total" && w.len() > 1 && has(&w, &["tokens"]))
        || w.windows(2)
            .any(|p| (p[0] == "start" || p[0] == "end") && (p[1] == "time" || p[1] == "ts"))
        || w.iter()
            .all(|x| x == "tokens" || x == "prompt" || x == "output" || x == "input")
    {
        return count_or_rate(&w);
    }
    if is_throughput(&w) || is_llama_bench_test(&w) {
        return Some(Higher);
    }
    if has_prefix(
        &w,
        &[
            "speedup",
            "efficien",
            "success",
            "accura",
            "score",
            "goodput",
            "throughput",
            "bandwidth",
            "flops",
            "gflop",
            "tflop",
            "precision",
            "recall",
            "bleu",
            "rouge",
            "hit",
            "completed",
            "passed",
        ],
    ) || has(
        &w,
        &[
            "f1", "acc", "qps", "rps", "tps", "fps", "ts", "rate", "ops", "iops", "hz",
        ],
    ) {
        return Some(Higher);
    }
    if has_prefix(
        &w,
        &[
            "ttft",
            "latency",
            "latencies",
            "duration",
            "time",
            "elapsed",
            "itl",
            "tpot",
            "e2el",
            "wall",
            "wait",
            "delay",
            "rtt",
            "compile",
            "load",
            "eval",
            "startup",
            "overhead",
        ],
    ) || has(
        &w,
        &[
            "p50", "p75", "p90", "p95", "p99", "p999", "ms", "ns", "us", "sec", "secs", "seconds",
            "s",
        ],
    ) {
        return Some(Lower);
    }
    if has_prefix(
        &w,
        &[
            "mem",
            "rss",
            "vram",
            "heap",
            "alloc",
            "power",
            "watt",
            "energy",
            "joule",
            "temperature",
            "temp",
            "loss",
            "perplexity",
            "size",
        ],
    ) || has(
        &w,
        &[
            "mb", "gb", "kb", "mib", "gib", "kib", "bytes", "b", "w", "ppl",
        ],
    ) {
        return Some(Lower);
    }
    None
}

/// True when the words name errors, failures or other bad outcomes (`error_count`,
/// `failed requests`, `cache misses`), which are better fewer.
fn says_failure(w: &[String]) -> bool {
    has_prefix(
        w,
        &[
            "error", "err", "fail", "degraded", "timeout", "oom", "crash",
        ],
    ) || has(
        w,
        &["errors", "miss", "misses", "dropped", "rejected", "retries"],
    )
}

/// True when the words name the spread of a measurement (`stddev`, `cv`, `iqr`).
fn says_spread(w: &[String]) -> bool {
    has(
        w,
        &[
            "std", "stddev", "stdev", "sd", "cv", "variance", "var", "mad", "iqr", "jitter", "rsd",
            "sem",
        ],
    ) || w.windows(2).any(|p| p[0] == "std" && p[1] == "dev")
        || w.windows(2).any(|p| p[0] == "coefficient" && p[1] == "of")
}

/// Words that denote counts may still be rates (`eval_count_per_s` is a throughput).
fn count_or_rate(w: &[String]) -> Option<Direction> {
    if is_throughput(w) {
        Some(Higher)
    } else {
        Some(Neutral)
    }
}

/// `tokens_s`, `tokens_per_second`, `req_per_sec`, `mb_s`: a count per unit of time.
fn is_throughput(w: &[String]) -> bool {
    w.windows(2)
        .any(|p| RATE_NOUNS.contains(&p[0].as_str()) && TIME_WORDS.contains(&p[1].as_str()))
        || w.windows(2)
            .any(|p| p[0] == "per" && TIME_WORDS.contains(&p[1].as_str()))
}

/// llama-bench test names used as column headers (`pp512`, `tg128`, `pp512+tg128`) hold
/// tokens per second.
fn is_llama_bench_test(w: &[String]) -> bool {
    !w.is_empty()
        && w.iter().all(|x| {
            let digits = x.strip_prefix("pp").or_else(|| x.strip_prefix("tg"));
            digits.is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// The direction a unit implies, or `None` when it implies none.
fn by_unit(unit: &str) -> Option<Direction> {
    let u = normalize_unit(unit);
    if u.is_empty() {
        return None;
    }
    match u.split_once('/') {
        Some((num, den)) => {
            if is_time(den) {
                // Anything per unit of time is a throughput, unless it counts failures
                // (`errors/s`).
                Some(if says_failure(&words(num)) {
                    Lower
                } else {
                    Higher
                })
            } else if is_time(num) || is_data(num) || num == "allocs" {
                // Time, bytes or allocations per operation/token.
                Some(Lower)
            } else {
                None
            }
        }
        None if is_time(&u) || is_data(&u) => Some(Lower),
        None => match u.to_ascii_lowercase().as_str() {
            // Speedups and the rates written as one word (frames, cycles, I/O operations,
            // queries or requests per second).
            "x" | "fps" | "hz" | "khz" | "mhz" | "ghz" | "qps" | "rps" | "iops" | "ops" | "tps" => {
                Some(Higher)
            }
            "w" | "j" | "°c" => Some(Lower),
            _ => None,
        },
    }
}

fn is_time(u: &str) -> bool {
    matches!(
        normalize_unit(u).as_str(),
        "ns" | "us" | "ms" | "s" | "min" | "h"
    )
}

fn is_data(u: &str) -> bool {
    matches!(
        normalize_unit(u).as_str(),
        "B" | "KB" | "MB" | "GB" | "TB" | "KiB" | "MiB" | "GiB" | "TiB"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks every `(name, unit, direction)` case and lists all that fail.
    fn assert_table(cases: &[(&str, &str, Direction)]) {
        let mut bad = Vec::new();
        for (name, unit, want) in cases {
            let got = infer(name, unit);
            if got != *want {
                bad.push(format!("{name:?} [{unit}]: got {got}, want {want}"));
            }
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    #[test]
    fn table_from_the_data_notes() {
        let cases: &[(&str, &str, Direction)] = &[
            // Throughput.
            ("tokens_s", "", Higher),
            ("tokens_per_s", "", Higher),
            ("tokens_per_second", "", Higher),
            ("tok/s", "", Higher),
            ("t/s", "", Higher),
            ("avg_ts", "", Higher),
            ("mean_tokens_s", "", Higher),
            ("throughput", "", Higher),
            ("throughput_tokens_per_sec", "", Higher),
            ("generation_tps", "", Higher),
            ("ops/s", "", Higher),
            ("req/s", "", Higher),
            ("rps", "", Higher),
            ("qps", "", Higher),
            ("MB/s", "", Higher),
            ("items/s", "", Higher),
            ("request_throughput", "", Higher),
            ("output_throughput", "", Higher),
            ("Tokens per Second", "", Higher),
            ("eval rate", "tokens/s", Higher),
            // Ratios.
            ("speedup", "", Higher),
            ("concurrency_speedup", "", Higher),
            ("efficiency", "", Higher),
            ("efficiency_percent", "", Higher),
            ("throughput_improvement_percent", "", Higher),
            ("ttft_reduction_percent", "", Higher),
            ("success_rate", "", Higher),
            ("completed", "", Higher),
            ("accuracy", "", Higher),
            ("score", "", Higher),
            ("cache_hit_rate", "", Higher),
            ("goodput", "", Higher),
            ("ttft_delta_absolute_ms", "ms", Higher),
            // Time.
            ("ttft", "", Lower),
            ("ttft_ms", "", Lower),
            ("latency", "", Lower),
            ("total_duration", "", Lower),
            ("compile_time_s", "", Lower),
            ("mean_itl_ms", "", Lower),
            ("median_tpot_ms", "", Lower),
            ("p99_e2el_ms", "", Lower),
            ("p50", "", Lower),
            ("p90", "", Lower),
            ("p95", "", Lower),
            ("p99", "", Lower),
            ("mean_ms", "", Lower),
            ("wall_ms", "", Lower),
            ("ttft_s", "", Lower),
            ("load_s", "", Lower),
            ("eval_s", "", Lower),
            ("prompt_eval_s", "", Lower),
            ("mean_ttft_s", "", Lower),
            ("eval_duration_ms", "", Lower),
            ("timing_stats.p95_ms", "", Lower),
            ("benchmark.mean_time_ms", "", Lower),
            ("value", "ns/op", Lower),
            ("mean", "ns", Lower),
            ("mean", "µs", Lower),
            ("mean", "ms", Lower),
            ("mean", "s", Lower),
            // Resources.
            ("gpu_peak_mb", "", Lower),
            ("memory_gb", "", Lower),
            ("model_size_bytes", "", Lower),
            ("peak_rss", "", Lower),
            ("vram_used", "", Lower),
            ("power_watts", "", Lower),
            ("gpu_temperature", "", Lower),
            ("loss", "", Lower),
            ("error_count", "", Lower),
            ("errors", "", Lower),
            ("failure_rate", "", Lower),
            ("degraded_runs", "", Lower),
            ("stddev", "", Lower),
            ("stddev_ts", "", Lower),
            ("std_time_ms", "", Lower),
            ("cv", "", Lower),
            ("coefficient_of_variation", "", Lower),
            ("allocs", "allocs/op", Lower),
            ("bytes", "B/op", Lower),
            ("rss", "MB", Lower),
            // Neutral.
            ("num_gpu", "", Neutral),
            ("num_ctx", "", Neutral),
            ("ngl", "", Neutral),
            ("n_batch", "", Neutral),
            ("n_ubatch", "", Neutral),
            ("n_threads", "", Neutral),
            ("temperature", "", Neutral),
            ("top_p", "", Neutral),
            ("top_k", "", Neutral),
            ("batch_size", "", Neutral),
            ("seq_len", "", Neutral),
            ("n_prompt", "", Neutral),
            ("n_gen", "", Neutral),
            ("n_depth", "", Neutral),
            ("concurrency", "", Neutral),
            ("request_rate", "", Neutral),
            ("prompt_eval_count", "", Neutral),
            ("eval_count", "", Neutral),
            ("tokens_generated", "", Neutral),
            ("prompt_tokens", "", Neutral),
            ("response_chars", "", Neutral),
            ("timestamp", "", Neutral),
            ("start_time", "", Neutral),
            ("run", "", Neutral),
            ("prompt_index", "", Neutral),
            ("iteration", "", Neutral),
            ("throughput_delta", "", Neutral),
            ("ttft_delta_ms", "ms", Neutral),
            ("latency_delta", "", Neutral),
            ("Throughput Δ", "tokens/s", Neutral),
            ("something", "", Neutral),
            ("# of Eval Rates", "", Neutral),
            ("number of requests", "", Neutral),
            // Units alone.
            ("value", "tokens/s", Higher),
            ("value", "tok/s", Higher),
            ("value", "ops/s", Higher),
            ("value", "req/s", Higher),
            ("value", "MB/s", Higher),
            ("value", "items/s", Higher),
            ("value", "bytes", Lower),
            ("value", "MB", Lower),
            ("value", "GB", Lower),
            ("value", "%", Neutral),
            ("value", "x", Higher),
            // Name beats unit.
            ("tokens_s", "s", Higher),
            ("speedup", "ms", Higher),
            // llama-bench test columns.
            ("pp512", "", Higher),
            ("tg128", "", Higher),
            ("pp512+tg128", "", Higher),
        ];
        assert_table(cases);
    }

    #[test]
    fn rates_are_better_higher_unless_they_count_failures() {
        let cases: &[(&str, &str, Direction)] = &[
            ("value", "fps", Higher),
            ("value", "FPS", Higher),
            ("value", "hz", Higher),
            ("value", "Hz", Higher),
            ("value", "MHz", Higher),
            ("value", "qps", Higher),
            ("value", "rps", Higher),
            ("value", "iops", Higher),
            ("value", "IOPS", Higher),
            ("value", "ops", Higher),
            ("value", "frames/s", Higher),
            ("value", "widgets/sec", Higher),
            ("value", "msg/s", Higher),
            ("value", "1/s", Higher),
            ("value", "frames per second", Higher),
            ("value", "queries per second", Higher),
            ("value", "GiB/s", Higher),
            ("Render", "fps", Higher),
            ("Load", "req/s", Higher),
            ("Disk write size", "MB/s", Higher),
            ("compile", "files/s", Higher),
            ("mean", "ops/s", Higher),
            ("hz", "", Higher),
            ("fps", "", Higher),
            ("ops", "", Higher),
            ("iops", "", Higher),
            // Failures per second and spreads of a rate are better lower.
            ("value", "errors/s", Lower),
            ("value", "failures per second", Lower),
            ("value", "failed requests/s", Lower),
            ("value", "timeouts/sec", Lower),
            ("errors", "1/s", Lower),
            ("request failures", "req/s", Lower),
            ("stddev", "ops/s", Lower),
            ("rme", "%", Neutral),
            // A delta of a rate keeps its unknown sign.
            ("Throughput Δ", "fps", Neutral),
        ];
        assert_table(cases);
    }

    #[test]
    fn parameters_are_settings_only() {
        for p in [
            "num_gpu",
            "num_ctx",
            "ngl",
            "n_batch",
            "n_ubatch",
            "n_threads",
            "temperature",
            "top_p",
            "top_k",
            "batch_size",
            "seq_len",
            "n_prompt",
            "n_gen",
            "n_depth",
            "concurrency",
            "request_rate",
            "max_concurrency",
            "options.num_gpu",
            "nGpuLayers",
        ] {
            assert!(is_parameter(p), "{p}");
        }
        for p in [
            "prompt_eval_count",
            "eval_count",
            "response_chars",
            "timestamp",
            "run",
            "prompt_index",
            "iteration",
            "tokens_s",
            "concurrency_speedup",
            "gpu_temperature",
            "qps",
        ] {
            assert!(!is_parameter(p), "{p}");
        }
    }

    #[test]
    fn prefixed_parameters() {
        for p in [
            "agent_a_num_gpu",
            "agent_b_temperature",
            "options.top_k",
            "chimera_num_ctx",
        ] {
            assert!(is_parameter(p), "{p}");
        }
        for p in ["gpu_temperature", "cpu_threads", "speedup"] {
            assert!(!is_parameter(p), "{p}");
        }
    }

    #[test]
    fn bookkeeping_fields() {
        for b in [
            "timestamp",
            "test_timestamp",
            "export_datetime",
            "create_time",
            "created_at",
            "prompt_index",
            "run_number",
            "run",
            "iteration",
            "gpu_id",
            "pid",
            "seed",
            "start_time",
            "id",
        ] {
            assert!(is_bookkeeping(b), "{b}");
        }
        for m in [
            "tokens_s",
            "generation_time_ms",
            "eval_count",
            "runs",
            "total_duration",
            "ttft_ms",
            "num_gpu",
            "response_chars",
            "completed",
        ] {
            assert!(!is_bookkeeping(m), "{m}");
        }
    }

    #[test]
    fn has_any_word_agrees_with_words() {
        let names = [
            "TokensPerSecond",
            "mean_tokens_s",
            "tok/s",
            "cpu%",
            "p99",
            "ΔTTFT",
            "throughput_delta",
            "ÄrgerDiff",
            "KELVIN_\u{212A}",
            "",
            "__",
            "GPUUtil",
        ];
        let candidates = [
            "tokens", "s", "percent", "p99", "delta", "diff", "k", "util", "ttft",
        ];
        for name in names {
            for c in candidates {
                let expected = words(name).iter().any(|w| w == c);
                assert_eq!(has_any_word(name, &[c]), expected, "{name} / {c}");
            }
        }
    }

    #[test]
    fn words_split_case_and_separators() {
        assert_eq!(words("TokensPerSecond"), ["tokens", "per", "second"]);
        assert_eq!(words("mean_tokens_s"), ["mean", "tokens", "s"]);
        assert_eq!(words("tok/s"), ["tok", "s"]);
        assert_eq!(words("cpu%"), ["cpu", "percent"]);
        assert_eq!(words("p99"), ["p99"]);
    }
}
