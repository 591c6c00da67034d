//! The facts the model is given: the report's deltas ranked by severity (regressions and
//! broken metrics first, then missing and noisy ones, improvements, and the rest), each with a short
//! id (`M1`) and a display name, plus the verdict, the counts and the file inventory.

use crate::compare::{Delta, Gate, Verdict};
use crate::model::Direction;
use crate::report::{self, Inventories, Report};
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

/// One compared metric as the prompt shows it.
#[derive(Debug, Clone)]
pub struct Fact<'a> {
    /// `M1`, `M2`, ... in ranking order.
    pub id: String,
    /// `benchmark/metric [label=value]`, prefixed by the source file when that is needed to
    /// tell two facts apart.
    pub name: String,
    pub delta: &'a Delta,
}

/// Everything the analysis may talk about, ranked.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub verdict: Verdict,
    pub counts: &'a BTreeMap<String, usize>,
    /// All deltas, most severe first.
    pub rows: Vec<Fact<'a>>,
    pub inventory: &'a Inventories,
}

impl<'a> Facts<'a> {
    pub fn from_report(report: &'a Report) -> Self {
        let mut deltas: Vec<&Delta> = report.deltas.iter().collect();
        deltas.sort_by(|a, b| severity(a, b));
        let names = display_names(&deltas);
        let rows = deltas
            .into_iter()
            .zip(names)
            .enumerate()
            .map(|(i, (delta, name))| Fact {
                id: format!("M{}", i + 1),
                name,
                delta,
            })
            .collect();
        Facts {
            verdict: report.verdict,
            counts: &report.counts,
            rows,
            inventory: &report.inventory,
        }
    }

    pub fn total(&self) -> usize {
        self.rows.len()
    }
}

/// Orders deltas most severe first: gated before ignored, then by the report's status
/// priority ([`report::priority`]), then hard gates before advisory ones, then results
/// before neutral quantities (token counts, sizes of the input), then by the size of the
/// change.
fn severity(a: &Delta, b: &Delta) -> Ordering {
    let key = |d: &Delta| {
        (
            d.gate == Gate::Ignore,
            report::priority(d.status),
            d.gate != Gate::Hard,
            d.direction == Direction::Neutral,
        )
    };
    key(a).cmp(&key(b)).then_with(|| {
        let size = |d: &Delta| d.change_pct.map(f64::abs).unwrap_or(0.0);
        size(b).total_cmp(&size(a))
    })
}

/// `benchmark/metric` plus labels; the source file is prepended only where two deltas would
/// otherwise read the same.
fn display_names(deltas: &[&Delta]) -> Vec<String> {
    let short: Vec<String> = deltas.iter().map(|d| short_name(d)).collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for s in &short {
        *seen.entry(s.as_str()).or_default() += 1;
    }
    deltas
        .iter()
        .zip(&short)
        .map(|(d, s)| {
            if seen[s.as_str()] > 1 && !d.key.source.is_empty() {
                format!("{}:{s}", d.key.source)
            } else {
                s.clone()
            }
        })
        .collect()
}

fn short_name(d: &Delta) -> String {
    let mut name = if d.key.benchmark.is_empty() || d.key.benchmark == d.key.metric {
        d.key.metric.clone()
    } else {
        format!("{}/{}", d.key.benchmark, d.key.metric)
    };
    if !d.key.labels.is_empty() {
        let labels: Vec<String> = d
            .key
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        name.push_str(&format!(" [{}]", labels.join(",")));
    }
    name
}
