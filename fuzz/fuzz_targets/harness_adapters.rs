//! The benchmark-harness adapters (criterion, libtest, Google Benchmark, pytest-benchmark,
//! hyperfine, go test, JMH, BenchmarkDotNet, Catch2, benchmark.js), each on arbitrary text
//! under a fuzzer-chosen path.

#![no_main]

use benchgate::parse::harness;
use benchgate_fuzz::run_adapters;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    run_adapters(harness::ADAPTERS, data);
});
