//! Shared pieces of the fuzz targets: the input layout ([`input`]), the checks every
//! parser run must pass (no panic, deterministic output, warnings that name the file,
//! output the later stages accept) and the Markdown safety checks ([`markdown`]).

pub mod input;
pub mod markdown;

pub use input::split;

use benchgate::compare;
use benchgate::config::Policy;
use benchgate::model::merge_series;
use benchgate::parse::{Adapter, Input, Parsed};

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
        assert_eq!(
            confidence,
            adapter.detect(&input),
            "{}: detect",
            adapter.name()
        );
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
        assert_eq!(w.path, path, "a warning about another file: {w:?}");
    }
    let (merged, _) = merge_series(parsed.series.clone());
    let policy = Policy::default();
    let comparison = compare::compare(&merged, &merged, &policy);
    // Every series, once the policy has prepared it (provenance labels such as timestamps
    // leave the key, so series that differ only by them are one), is one row or folded into
    // one (the same measurement written twice).
    let (prepared, _) = policy.prepare(merged);
    let represented: usize = comparison.deltas.iter().map(|d| 1 + d.merged.len()).sum();
    assert_eq!(represented, prepared.len());
    serde_json::to_string(&comparison).expect("a comparison always serialises");
}
