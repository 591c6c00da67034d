//! The LLM tool adapters (Ollama, llama-bench, llama.cpp server, vLLM, custom JSON, BMF)
//! and the Chimeraforge schemas, each on arbitrary text under a fuzzer-chosen path.

#![no_main]

use benchgate::parse::{chimeraforge, llm, Adapter};
use benchgate_fuzz::run_adapters;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let family: Vec<&dyn Adapter> = llm::ADAPTERS
        .iter()
        .chain(chimeraforge::ADAPTERS)
        .copied()
        .collect();
    run_adapters(&family, data);
});
