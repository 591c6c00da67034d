//! The facts the model is given: one per measurement, ranked. Deltas that hold the same
//! measurement (one run writes a number to several files) become one fact that keeps every
//! name; the facts are ranked gated regressions and broken metrics first, headline metrics
//! (throughput, time to first token, latency, memory) before their sub-durations, then
//! context (neutral quantities such as tokens generated that changed a lot), then the rest.
//! Each fact has a short id (`M1`) and a short display name ([`super::names`]).

use super::names::display_names;
use crate::compare::{Delta, Gate, Status, Verdict};
use crate::model::Direction;
use crate::report::{self, Inventories, Report};
use crate::units;
use regex::Regex;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// A neutral metric that changed by at least this many percent is context worth showing.
const CONTEXT_CHANGE_PCT: f64 = 20.0;
/// Two means closer than this, relative to their size, are the same number written with
/// different precision.
const SAME_VALUE_REL: f64 = 1e-3;

/// One measurement as the prompt shows it.
#[derive(Debug, Clone)]
pub struct Fact<'a> {
    /// `M1`, `M2`, ... in ranking order.
    pub id: String,
    /// `benchmark/metric [label=value]`, prefixed by the source file only when that is
    /// needed to tell two facts apart.
    pub name: String,
    pub delta: &'a Delta,
    /// The same measurement under its other names (other deltas with the same values, and
    /// the series the compare stage folded into this row): the model may use them too.
    pub also: Vec<Delta>,
}

/// Everything the analysis may talk about, ranked.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub verdict: Verdict,
    pub counts: &'a BTreeMap<String, usize>,
    /// One fact per measurement, most important first.
    pub rows: Vec<Fact<'a>>,
    pub inventory: &'a Inventories,
}

impl<'a> Facts<'a> {
    pub fn from_report(report: &'a Report) -> Self {
        let mut deltas: Vec<&Delta> = report.deltas.iter().collect();
        deltas.sort_by(|a, b| rank(a, b));
        let groups = same_measurements(&deltas);
        let aliases: Vec<Vec<Delta>> = groups
            .iter()
            .map(|g| {
                g[1..]
                    .iter()
                    .map(|d| (*d).clone())
                    .chain(g.iter().flat_map(|d| folded(d)))
                    .collect()
            })
            .collect();
        let shown: Vec<&Delta> = groups
            .iter()
            .zip(&aliases)
            .map(|(g, also)| clearest(g[0], also))
            .collect();
        let names = display_names(&shown);
        let rows = groups
            .into_iter()
            .zip(aliases)
            .zip(names)
            .enumerate()
            .map(|(i, ((group, also), name))| Fact {
                id: format!("M{}", i + 1),
                name,
                delta: group[0],
                also,
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

/// The series the compare stage folded into `d`, as deltas with `d`'s numbers under their
/// own key, unit and status.
fn folded(d: &Delta) -> impl Iterator<Item = Delta> + '_ {
    d.merged.iter().map(move |m| Delta {
        key: m.key.clone(),
        unit: m.unit.clone(),
        status: m.status,
        merged: Vec::new(),
        ..d.clone()
    })
}

/// The name a reader recognises best among a fact's names: one with a unit, then one a
/// person wrote (`TTFT`, `Eval Duration`) over an identifier (`ttft_ms`), then the first.
fn clearest<'d>(lead: &'d Delta, also: &'d [Delta]) -> &'d Delta {
    let score = |d: &Delta| {
        let written = d.key.metric.chars().any(|c| c.is_uppercase() || c == ' ');
        (!d.unit.trim().is_empty(), written)
    };
    let mut best = lead;
    for d in also {
        if score(d) > score(best) {
            best = d;
        }
    }
    best
}

/// Groups deltas (in ranking order) that hold the same measurement: both means equal
/// within rounding, in the same or a convertible unit (or one side without a unit), and
/// changed (two unchanged values are too common to mean the same measurement). The first
/// of each group, the one that ranks highest and, among equals, carries a unit, leads it.
fn same_measurements<'a>(deltas: &[&'a Delta]) -> Vec<Vec<&'a Delta>> {
    let mut groups: Vec<Vec<&'a Delta>> = Vec::new();
    for d in deltas {
        match groups.iter_mut().find(|g| same_measurement(g[0], d)) {
            Some(g) => {
                g.push(d);
                if g[0].unit.trim().is_empty() && !d.unit.trim().is_empty() {
                    let last = g.len() - 1;
                    g.swap(0, last);
                }
            }
            None => groups.push(vec![d]),
        }
    }
    groups
}

fn same_measurement(a: &Delta, b: &Delta) -> bool {
    let means = |d: &Delta| Some((d.base.as_ref()?.mean?, d.head.as_ref()?.mean?));
    let (Some((ab, ah)), Some((bb, bh))) = (means(a), means(b)) else {
        return false;
    };
    if ab == ah {
        return false;
    }
    let convert = |v: f64| {
        if a.unit.trim().is_empty() || b.unit.trim().is_empty() {
            Some(v)
        } else {
            units::convert(v, &b.unit, &a.unit)
        }
    };
    let same = |x: f64, y: Option<f64>| {
        y.is_some_and(|y| (x - y).abs() <= SAME_VALUE_REL * x.abs().max(y.abs()))
    };
    same(ab, convert(bb)) && same(ah, convert(bh))
}

/// What a metric is, for the ranking: headline results first, then the other results
/// (sub-durations and the like), then neutral context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Headline,
    Result,
    Context,
}

static HEADLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)throughput|tokens?[ _/-]?(?:per[ _-]?)?s(?:ec(?:ond)?)?\b|tok/s|\bt/s|tps|req(?:uests)?[ _/-]?(?:per[ _-]?)?s|ops|ttft|first[ _-]?token|latency|p50|p90|p95|p99|memory|\bmem\b|rss|vram|heap")
        .unwrap()
});

fn role(d: &Delta) -> Role {
    if d.direction == Direction::Neutral {
        Role::Context
    } else if HEADLINE.is_match(&d.key.metric) || HEADLINE.is_match(&d.unit) {
        Role::Headline
    } else {
        Role::Result
    }
}

/// Orders deltas most important first: gated regressions and broken metrics, headline
/// metrics before other results, then neutral context that changed a lot; within that, by
/// the report's status priority ([`report::priority`]), hard gates before advisory ones,
/// and the size of the change. What remains (small or no changes, metrics only on the
/// head) comes last.
fn rank(a: &Delta, b: &Delta) -> Ordering {
    let size = |d: &Delta| d.change_pct.map(f64::abs).unwrap_or(0.0);
    let key = |d: &Delta| {
        let gated_bad =
            d.gate != Gate::Ignore && matches!(d.status, Status::Regression | Status::Broken);
        let r = role(d);
        let telling = match r {
            Role::Context => size(d) >= CONTEXT_CHANGE_PCT,
            _ => !matches!(d.status, Status::Unchanged | Status::New),
        };
        (
            !gated_bad,
            !telling,
            d.gate == Gate::Ignore,
            r,
            report::priority(d.status),
            d.gate != Gate::Hard,
        )
    };
    key(a)
        .cmp(&key(b))
        .then_with(|| size(b).total_cmp(&size(a)))
}
