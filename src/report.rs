//! The report: everything a run computed, as one serialisable value. It is written as
//! `report.json` and is exactly the context the comment and summary templates see.

use crate::compare::{Delta, Verdict};
use crate::model::Warning;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

/// The full report of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Version of the report schema; bumped on breaking changes.
    pub schema_version: u32,
    pub tool_version: String,
    pub verdict: Verdict,
    pub counts: BTreeMap<String, usize>,
    pub deltas: Vec<Delta>,
    pub inventory: Inventories,
    pub timings_ms: Timings,
    pub warnings: Vec<Warning>,
    /// Where the baseline came from and how fresh it is (filled by the action).
    pub baseline: Option<serde_json::Value>,
    /// The run this report describes (event, refs, PR) when known.
    pub run: Option<serde_json::Value>,
    /// The LLM analysis, or why there is none.
    pub analysis: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventories {
    pub base: Option<crate::collect::InventorySummary>,
    pub head: crate::collect::InventorySummary,
}
