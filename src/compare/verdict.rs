//! From judged deltas to the result of the stage: which deltas block, the report order,
//! the counts per status and the overall verdict.
//!
//! `fail`: a hard-gated delta blocks under `fail_on` (by default: a regression beyond its
//! fail threshold, or a broken metric). `warn`: any other regression, broken or missing
//! metric that is not ignored. `no-data`: the head side is empty (a failure when `fail_on`
//! lists `no_data`, as by default). `no-baseline`: the base side is empty (a failure only
//! when `fail_on` lists `no_baseline`). `pass` otherwise.

use super::change;
use super::{Comparison, Delta, Gate, Status, Verdict};
use crate::config::{FailOn, Policy};
use crate::model::Warning;
use std::collections::{BTreeMap, BTreeSet};

/// What the verdict needs to know beyond the deltas at hand.
pub(super) struct Tally {
    /// The base side had no series at all.
    pub no_base: bool,
    /// The head side had no series at all.
    pub no_head: bool,
    /// Unchanged deltas kept outside the comparison (counted, never blocking).
    pub stored: usize,
    /// Deltas settled and given out before the end ([`settle`]).
    pub given: GivenOut,
}

/// What the deltas settled and given out before the end of a comparison add to it.
#[derive(Debug, Default)]
pub(super) struct GivenOut {
    /// How many of each status ([`Status::ALL`] order).
    counts: [usize; Status::ALL.len()],
    /// Whether one of them blocks, and whether one of them warns.
    blocking: bool,
    warns: bool,
}

impl GivenOut {
    /// Counts settled deltas in.
    pub fn add(&mut self, settled: &[Delta]) {
        for d in settled {
            self.counts[d.status as usize] += 1;
            self.blocking |= d.blocking;
            self.warns |= warns(d);
        }
    }
}

/// Marks the deltas that block and puts them in report order, as [`finish`] does.
pub(super) fn settle(mut deltas: Vec<Delta>, policy: &Policy) -> Vec<Delta> {
    for d in &mut deltas {
        d.blocking = blocks(d, &policy.fail_on);
    }
    report_order(deltas)
}

pub(super) fn finish(
    deltas: Vec<Delta>,
    tally: Tally,
    policy: &Policy,
    warnings: Vec<Warning>,
) -> Comparison {
    let Tally {
        no_base,
        no_head,
        stored,
        given,
    } = tally;
    let deltas = settle(deltas, policy);
    let verdict = if no_head {
        if policy.fail_on.contains(&FailOn::NoData) || policy.fail_on.contains(&FailOn::Warn) {
            Verdict::Fail
        } else {
            Verdict::NoData
        }
    } else if no_base {
        if policy.fail_on.contains(&FailOn::NoBaseline) {
            Verdict::Fail
        } else {
            Verdict::NoBaseline
        }
    } else if given.blocking || deltas.iter().any(|d| d.blocking) {
        Verdict::Fail
    } else if given.warns || deltas.iter().any(warns) {
        Verdict::Warn
    } else {
        Verdict::Pass
    };
    Comparison {
        verdict,
        counts: counts(&deltas, stored, &given),
        deltas,
        warnings,
        key_hints: Vec::new(),
    }
}

/// Sorts deltas into report order: by group, most severe first, then by key. The order is
/// found on positions and applied in place, so each (large) delta moves about once and no
/// second array of them is made.
fn report_order(mut deltas: Vec<Delta>) -> Vec<Delta> {
    let severity: Vec<f64> = deltas.iter().map(sort_severity).collect();
    let mut order: Vec<usize> = (0..deltas.len()).collect();
    order.sort_by(|&a, &b| {
        group(deltas[a].status)
            .cmp(&group(deltas[b].status))
            .then_with(|| severity[b].total_cmp(&severity[a]))
            .then_with(|| deltas[a].key.cmp(&deltas[b].key))
    });
    crate::model::permute(&mut deltas, order);
    deltas
}

/// Whether a delta would make the verdict at least `warn`.
fn warns(d: &Delta) -> bool {
    d.gate != Gate::Ignore
        && matches!(
            d.status,
            Status::Regression | Status::Broken | Status::Missing
        )
}

/// Whether a delta makes the verdict `fail`: only hard-gated ones, and only for the
/// conditions listed in `fail_on` (`warn` there makes every warning of a hard-gated metric
/// fail).
fn blocks(d: &Delta, fail_on: &BTreeSet<FailOn>) -> bool {
    if d.gate != Gate::Hard {
        return false;
    }
    if d.status == Status::Absent {
        return fail_on.contains(&FailOn::Absent);
    }
    if !warns(d) {
        return false;
    }
    fail_on.contains(&FailOn::Warn)
        || match d.status {
            Status::Regression => {
                fail_on.contains(&FailOn::Regression) && change::of_delta(d) > d.fail_pct
            }
            Status::Broken => fail_on.contains(&FailOn::Broken),
            Status::Missing => fail_on.contains(&FailOn::Missing),
            _ => false,
        }
}

/// Report groups: regressions and broken share the first.
pub(super) fn group(status: Status) -> u8 {
    match status {
        Status::Regression | Status::Broken => 0,
        Status::Absent => 1,
        Status::Missing => 2,
        Status::Changed => 3,
        Status::Noisy => 4,
        Status::Improvement => 5,
        Status::Fixed => 6,
        Status::New => 7,
        Status::Unchanged => 8,
    }
}

/// Severity for ordering: the size of the change ([`change::of_delta`]); broken (no
/// change to measure) ranks as most severe.
pub(super) fn sort_severity(d: &Delta) -> f64 {
    match (d.status, d.change_abs) {
        (_, Some(_)) => change::of_delta(d),
        (Status::Broken, None) => f64::INFINITY,
        _ => 0.0,
    }
}

fn counts(deltas: &[Delta], stored_unchanged: usize, given: &GivenOut) -> BTreeMap<String, usize> {
    let mut per_status = given.counts;
    for d in deltas {
        per_status[d.status as usize] += 1;
    }
    per_status[Status::Unchanged as usize] += stored_unchanged;
    let mut counts: BTreeMap<String, usize> = Status::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), per_status[*s as usize]))
        .collect();
    counts.insert("total".into(), per_status.iter().sum());
    counts
}
