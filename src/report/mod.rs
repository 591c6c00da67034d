//! The report: everything a run computed, as one serialisable value. It is written as
//! `report.json` and is exactly the context the comment and summary templates see
//! (docs/template-context.md documents every field).

pub mod layout;

use crate::collect::InventorySummary;
use crate::compare::{Comparison, Delta, KeyHint, Status, Verdict};
use crate::model::Warning;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// Version of the report schema; bumped on breaking changes.
pub const SCHEMA_VERSION: u32 = 1;

/// Wall time of each stage in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    pub collect: f64,
    pub parse: f64,
    pub baseline: f64,
    pub compare: f64,
    pub analyze: f64,
    pub render: f64,
}

/// A duration in milliseconds (rounded to microseconds), as [`Timings`] holds it.
pub fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// The full report of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Version of the report schema; bumped on breaking changes.
    pub schema_version: u32,
    pub tool_version: String,
    pub verdict: Verdict,
    /// What a reader must know before the numbers, one sentence each: no data on head, no
    /// baseline and so an open gate. The comment shows them right under the verdict.
    #[serde(default)]
    pub notices: Vec<String>,
    /// Number of metrics per status (`regression`, `broken`, ...), as the compare stage counted them.
    pub counts: BTreeMap<String, usize>,
    /// Every compared metric, in the compare stage's order (most important first).
    pub deltas: Vec<Delta>,
    pub inventory: Inventories,
    pub timings_ms: Timings,
    pub warnings: Vec<Warning>,
    /// Missing and new metrics that would pair up under a policy fix, with the lines that
    /// fix it.
    #[serde(default)]
    pub key_hints: Vec<KeyHint>,
    /// Where the baseline came from and how fresh it is (free-form; filled by the caller).
    pub baseline: Option<serde_json::Value>,
    /// The run this report describes (event, repository, PR, links), when known.
    pub run: Option<serde_json::Value>,
    /// The LLM analysis, or why there is none (filled by the analyze stage).
    pub analysis: Option<serde_json::Value>,
    /// Rows a rendering left out to stay under its size limit, or that a very large
    /// comparison kept out of memory (rows beyond the first
    /// [`IN_MEMORY_ROWS`](crate::trees::IN_MEMORY_ROWS) of each kind, unchanged and
    /// other, in report order). Always empty in `report.json`,
    /// which holds every row; filled only in the context of a rendering.
    #[serde(default)]
    pub omitted: Omitted,
}

/// What each side's collect stage found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventories {
    /// `None` when there was no baseline to scan.
    pub base: Option<InventorySummary>,
    pub head: InventorySummary,
}

/// Rows left out of a rendering, in total and per status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Omitted {
    pub rows: usize,
    pub by_status: BTreeMap<Status, usize>,
}

/// The stage outputs a report is built from.
#[derive(Debug, Clone)]
pub struct ReportParts {
    pub comparison: Comparison,
    pub base_inventory: Option<InventorySummary>,
    pub head_inventory: InventorySummary,
    /// Warnings from the stages before compare (the comparison's own are added).
    pub warnings: Vec<Warning>,
    pub timings_ms: Timings,
    pub baseline: Option<serde_json::Value>,
    pub run: Option<serde_json::Value>,
    pub analysis: Option<serde_json::Value>,
    /// Rows of the comparison stored outside it ([`crate::trees::StoredRows`]), which
    /// come after its own in the report order.
    pub stored_rows: usize,
}

impl ReportParts {
    /// The parts of `comparison` with nothing else known: no inventories, warnings,
    /// timings, baseline, run or analysis.
    pub fn of(comparison: Comparison) -> Self {
        ReportParts {
            comparison,
            base_inventory: None,
            head_inventory: InventorySummary::default(),
            warnings: Vec::new(),
            timings_ms: Timings::default(),
            baseline: None,
            run: None,
            analysis: None,
            stored_rows: 0,
        }
    }
}

/// Assembles the report of a run. The comparison's warnings join the others; all are
/// sorted and deduplicated.
pub fn build(parts: ReportParts) -> Report {
    let ReportParts {
        comparison,
        base_inventory,
        head_inventory,
        mut warnings,
        timings_ms,
        baseline,
        run,
        analysis,
        stored_rows,
    } = parts;
    warnings.extend(comparison.warnings);
    warnings.sort();
    warnings.dedup();
    let omitted = stored(&comparison.counts, &comparison.deltas, stored_rows);
    Report {
        key_hints: comparison.key_hints,
        schema_version: SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        verdict: comparison.verdict,
        notices: Vec::new(),
        counts: comparison.counts,
        deltas: comparison.deltas,
        inventory: Inventories {
            base: base_inventory,
            head: head_inventory,
        },
        timings_ms,
        warnings,
        baseline,
        run,
        analysis,
        omitted,
    }
}

/// The `stored` rows of a comparison, per status: what the counts hold beyond the rows
/// at hand.
fn stored(counts: &BTreeMap<String, usize>, deltas: &[Delta], stored: usize) -> Omitted {
    let mut by_status = BTreeMap::new();
    if stored > 0 {
        let mut at_hand = [0usize; Status::ALL.len()];
        for d in deltas {
            at_hand[d.status as usize] += 1;
        }
        for status in Status::ALL {
            let counted = counts.get(status.as_str()).copied().unwrap_or(0);
            let n = counted.saturating_sub(at_hand[status as usize]);
            if n > 0 {
                by_status.insert(status, n);
            }
        }
    }
    Omitted {
        rows: stored,
        by_status,
    }
}

impl Report {
    /// Whether the head side had no benchmark data: every row is a base metric missing on
    /// head (or there are no rows at all).
    pub fn head_is_empty(&self) -> bool {
        self.deltas.iter().all(|d| d.status == Status::Missing)
            && self.counts.get("total") == self.counts.get("missing")
    }

    /// Adds the notice of a head side without data, saying where the scan looked.
    pub fn note_empty_head(&mut self, root: &str, include: &[String]) {
        if self.head_is_empty() {
            let text = self.inventory.head.nothing_found(root, include);
            self.notices
                .push(format!("No benchmark data on head: {text}"));
        }
    }

    /// A copy without the metric rows (everything else is small).
    pub fn without_rows(&self) -> Report {
        let Report {
            schema_version,
            tool_version,
            verdict,
            notices,
            counts,
            deltas: _,
            inventory,
            timings_ms,
            warnings,
            key_hints,
            baseline,
            run,
            analysis,
            omitted,
        } = self;
        Report {
            schema_version: *schema_version,
            tool_version: tool_version.clone(),
            verdict: *verdict,
            notices: notices.clone(),
            counts: counts.clone(),
            deltas: Vec::new(),
            inventory: inventory.clone(),
            timings_ms: timings_ms.clone(),
            warnings: warnings.clone(),
            key_hints: key_hints.clone(),
            baseline: baseline.clone(),
            run: run.clone(),
            analysis: analysis.clone(),
            omitted: omitted.clone(),
        }
    }
}

/// How important a status is to a reader: 0 is shown first and dropped last. This is the
/// compare stage's report order ([`Status::ALL`]).
pub fn priority(status: Status) -> usize {
    Status::ALL
        .iter()
        .position(|s| *s == status)
        .unwrap_or(Status::ALL.len())
}

/// Whether rows of this status must survive any size cap (the reason the report exists).
pub fn is_protected(status: Status) -> bool {
    matches!(status, Status::Regression | Status::Broken)
}
