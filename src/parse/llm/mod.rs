//! Adapters for LLM-inference benchmark tools and for the two result formats CI pipelines
//! commonly convert them to: Ollama (API responses and `ollama run --verbose` text), llama.cpp
//! (`llama-bench` JSON/JSONL/Markdown and llama-server timing CSVs), vLLM (`benchmark_serving`
//! and `bench throughput` JSON), SGLang `bench_serving` JSONL, the serving summary both of
//! them print on the console, GuideLLM reports, NVIDIA GenAI-Perf/AIPerf summary exports,
//! github-action-benchmark custom JSON and the Bencher Metric Format.
//!
//! Where a tool defines what a number means (tokens/s, milliseconds), the adapter sets the unit
//! and direction itself; only free-form metric names go through [`crate::direction::infer`].
//! Each tool's values are converted to one unit per metric so that base and head compare.

mod bmf;
mod emit;
mod gab;
mod genai_perf;
mod guidellm;
pub(crate) mod json;
mod llama_bench;
mod llama_bench_md;
mod llama_server_csv;
mod ollama;
mod ollama_api;
mod ollama_verbose;
mod serving_text;
mod sglang;
mod vllm;

use super::Adapter;

/// The adapters of this family, in detection priority order.
pub static ADAPTERS: &[&dyn Adapter] = &[
    &ollama_api::OllamaApi,
    &ollama_verbose::OllamaVerbose,
    &llama_bench::LlamaBench,
    &llama_bench_md::LlamaBenchMd,
    &llama_server_csv::LlamaServerCsv,
    &sglang::SglangServing,
    &genai_perf::GenaiPerf,
    &guidellm::GuideLlm,
    &vllm::VllmServing,
    &vllm::VllmThroughput,
    &gab::GabCustom,
    &bmf::Bmf,
    &serving_text::ServingText,
];
