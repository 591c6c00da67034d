//! Shared pieces of the fuzz targets: how an input is split into a virtual file path and
//! its content, and the checks every parser run must pass (no panic, deterministic output,
//! warnings that name the file, output the later stages accept).
//!
//! An input is `PATH\nCONTENT`: everything up to the first line feed (at most
//! [`MAX_PATH`] bytes) is the file's path relative to the scanned root, so the fuzzer
//! chooses the file name and extension that detection looks at; an input without a line
//! feed there is the content of `input.txt`.

pub mod markdown;

use benchgate::compare;
use benchgate::config::Policy;
use benchgate::model::merge_series;
use benchgate::parse::{Adapter, Input, Parsed};

/// Longest virtual path taken from the start of an input.
pub const MAX_PATH: usize = 200;

/// Splits a fuzz input into a virtual path and the file's bytes.
pub fn split(data: &[u8]) -> (String, &[u8]) {
    let head = &data[..data.len().min(MAX_PATH + 1)];
    match head.iter().position(|&b| b == b'\n') {
        Some(i) => (
            String::from_utf8_lossy(&data[..i]).into_owned(),
            &data[i + 1..],
        ),
        None => ("input.txt".to_string(), data),
    }
}

/// Runs every adapter of a family on the input, whether or not it claims the file: an
/// adapter must never panic, whatever it is given, and must answer the same way twice.
pub fn run_adapters(adapters: &[&dyn Adapter], data: &[u8]) {
    let (path, content) = split(data);
    let text = String::from_utf8_lossy(content);
    let input = Input {
        path: &path,
        text: &text,
    };
    for adapter in adapters {
        let confidence = adapter.detect(&input);
        assert_eq!(confidence, adapter.detect(&input), "{}: detect", adapter.name());
        let first = adapter.parse(&input);
        let again = adapter.parse(&input);
        assert_eq!(
            format!("{first:?}"),
            format!("{again:?}"),
            "{}: parse is not deterministic",
            adapter.name()
        );
        if let Ok(parsed) = first {
            check_parsed(&path, &parsed);
        }
    }
}

/// Feeds a parse result through the stages that consume it: merging, and a comparison
/// of the file against itself.
pub fn check_parsed(path: &str, parsed: &Parsed) {
    for w in &parsed.warnings {
        assert!(!w.path.is_empty(), "a warning without a path: {w:?} ({path})");
    }
    let (merged, _) = merge_series(parsed.series.clone());
    let comparison = compare::compare(&merged, &merged, &Policy::default());
    assert_eq!(comparison.deltas.len(), merged.len());
    serde_json::to_string(&comparison).expect("a comparison always serialises");
}
