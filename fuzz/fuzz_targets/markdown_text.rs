//! The generic Markdown (pipe tables, bullets) and plain-text (`name: value unit`) readers
//! on arbitrary text under a fuzzer-chosen path.

#![no_main]

use benchgate::parse::{generic, Adapter};
use benchgate_fuzz::run_adapters;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let family: Vec<&dyn Adapter> = generic::ADAPTERS
        .iter()
        .copied()
        .filter(|a| matches!(a.name(), "markdown" | "text"))
        .collect();
    run_adapters(&family, data);
});
