//! `compare --base data.js`: a github-action-benchmark history file as the baseline. The
//! head tree is scanned, the newest runs of the chosen suite are matched with its series
//! ([`crate::baseline::gab_history`]), and the newest run is compared with the head, the
//! earlier ones widening each metric's noise band.

use super::compare::CompareArgs;
use super::failure::Failure;
use crate::baseline::gab_history;
use crate::collect::CollectOptions;
use crate::compare::compare_with_history;
use crate::config::Policy;
use crate::model::Warning;
use crate::report::{millis, ReportParts, Timings};
use crate::scan::{scan, ScanError};
use serde_json::json;
use std::path::Path;
use std::time::Instant;

/// The text of `--base` when it is a `data.js` file; `None` for a directory or anything else.
pub fn data_js(base: &Path) -> Option<String> {
    if !base.is_file() {
        return None;
    }
    std::fs::read_to_string(base)
        .ok()
        .filter(|text| gab_history::is_data_js(text))
}

/// The report parts of comparing the head tree with the runs of the `data.js` file `base`,
/// whose text is `text`.
pub fn report(
    args: &CompareArgs,
    base: &Path,
    text: &str,
    policy: &Policy,
    options: &CollectOptions,
) -> Result<ReportParts, Failure> {
    let path = base.display().to_string();
    let suite =
        gab_history::read_suite(&path, text, args.base_suite.as_deref()).map_err(Failure::usage)?;
    let head = scan(&args.head, options).map_err(|e: ScanError| {
        let usage = e.is_usage();
        let error = anyhow::Error::new(e).context(format!("--head {}", args.head.display()));
        if usage {
            Failure::usage(error)
        } else {
            Failure::internal(error)
        }
    })?;
    let started = Instant::now();
    let runs = suite.runs(args.base_history, &head.series, &path);
    let baseline_time = started.elapsed();
    let started = Instant::now();
    let (base, history) = match runs.runs.split_first() {
        Some((base, history)) => (base.as_slice(), history),
        None => (&[][..], &[][..]),
    };
    let comparison = compare_with_history(base, &head.series, history, policy);
    let compare_time = started.elapsed();

    let mut warnings = head.warnings;
    if let Some(first) = runs.unmatched.first() {
        warnings.push(Warning::new(
            &path,
            format!(
                "{} benchmark(s) of suite {:?} match no series of the head files (first: {first:?}), \
                 so they are not compared; check that the head holds the same tool's output",
                runs.unmatched.len(),
                suite.name
            ),
        ));
    }
    let newest = suite.newest();
    let baseline = json!({
        "mode": "github-action-benchmark",
        "path": path,
        "ref": suite.name,
        "sha": newest.and_then(|e| e.sha()),
        "history": runs.runs.len().saturating_sub(1),
    });
    Ok(ReportParts {
        comparison,
        base_inventory: None,
        head_inventory: head.inventory,
        warnings,
        timings_ms: Timings {
            collect: millis(head.timings.collect),
            parse: millis(head.timings.parse),
            baseline: millis(baseline_time),
            compare: millis(compare_time),
            analyze: 0.0,
            render: 0.0,
        },
        baseline: Some(baseline),
        run: args.event.as_ref().map(|e| json!({ "event": e })),
        analysis: None,
        stored_rows: 0,
    })
}
