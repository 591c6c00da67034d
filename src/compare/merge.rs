//! Folding rows that say the same thing: one row per measurement, not per file.
//!
//! A run often writes one number into several files (a JSON result, a summary, a Markdown
//! report). Series of one tree whose base and head means are equal (after unit conversion;
//! a unitless copy matches a value with a unit; a report that rounds matches to the
//! precision it was written with), with the same direction, are one measurement: they become one row that keeps every other series
//! in [`Delta::merged`]. Series whose values differ are never folded. The row shown is the
//! most severe one, then the clearest: with a unit, from a data file rather than a Markdown
//! report, with more samples.
//!
//! Likewise the broken (or missing) metrics of one file broke together (the run failed, the
//! file vanished): they become one row for the file.

use super::{verdict, Delta, MergeKind, MergedSeries, Status};
use crate::units;
use std::collections::HashMap;

/// Width of the bins that candidate values are looked up in: values more than about this
/// far apart (relative) are never compared, so rounding that loose is not "equal".
const BIN: f64 = 0.05;

/// Folds the rows of `deltas` that carry the same measurement, then the broken and the
/// missing rows of each file.
pub(super) fn fold(deltas: Vec<Delta>) -> Vec<Delta> {
    let deltas = fold_groups(deltas, MergeKind::Measurement, measurement_groups);
    fold_groups(deltas, MergeKind::File, file_groups)
}

/// Folds every group (indices into `deltas`, two or more) into its clearest row.
fn fold_groups(
    mut deltas: Vec<Delta>,
    kind: MergeKind,
    groups: fn(&[Delta]) -> Vec<Vec<usize>>,
) -> Vec<Delta> {
    let groups = groups(&deltas);
    if groups.is_empty() {
        return deltas;
    }
    let mut folded_into: Vec<Option<usize>> = vec![None; deltas.len()];
    for mut group in groups {
        group.sort_by(|&a, &b| clearest(&deltas[a], &deltas[b]));
        let Some((&lead, rest)) = group.split_first() else {
            continue;
        };
        for &i in rest {
            folded_into[i] = Some(lead);
        }
    }
    let mut kept: Vec<Option<Delta>> = deltas.drain(..).map(Some).collect();
    for i in 0..kept.len() {
        let Some(lead) = folded_into[i] else { continue };
        let Some(d) = kept[i].take() else { continue };
        if let Some(l) = kept[lead].as_mut() {
            l.merged_as = Some(kind);
            l.merged.push(MergedSeries {
                key: d.key,
                unit: d.unit,
                status: d.status,
                base_origin: d.base_origin,
                head_origin: d.head_origin,
            });
            l.merged.extend(d.merged);
        }
    }
    kept.into_iter().flatten().collect()
}

/// The order in which a group picks its row: a judged status before context (`changed`,
/// `unchanged`), the most severe first, blocking, with a unit, from a data file rather
/// than a report, more samples, then key order.
fn clearest(a: &Delta, b: &Delta) -> std::cmp::Ordering {
    let context = |d: &Delta| matches!(d.status, Status::Changed | Status::Unchanged);
    let samples =
        |d: &Delta| d.base.as_ref().map_or(0, |s| s.n) + d.head.as_ref().map_or(0, |s| s.n);
    context(a)
        .cmp(&context(b))
        .then(verdict::group(a.status).cmp(&verdict::group(b.status)))
        .then(b.blocking.cmp(&a.blocking))
        .then(a.unit.is_empty().cmp(&b.unit.is_empty()))
        .then(is_report(a).cmp(&is_report(b)))
        .then(samples(b).cmp(&samples(a)))
        .then_with(|| a.key.cmp(&b.key))
}

/// One side of a candidate: its mean and the precision it was written with.
#[derive(Debug, Clone, Copy)]
struct Value {
    mean: f64,
    /// Half a unit in the last written decimal place.
    tolerance: f64,
}

/// A row that may be folded with others.
struct Candidate {
    index: usize,
    base: Value,
    head: Value,
    /// The bin of the head mean as written, and in its dimension's canonical unit.
    written: i64,
    canonical: Option<(String, i64)>,
}

/// Groups of rows that carry the same measurement.
fn measurement_groups(deltas: &[Delta]) -> Vec<Vec<usize>> {
    let candidates: Vec<Candidate> = deltas
        .iter()
        .enumerate()
        .filter_map(|(index, d)| candidate(index, d))
        .collect();
    if candidates.len() < 2 {
        return Vec::new();
    }
    // Bins of the head mean: in a canonical unit per dimension, and as written (for rows
    // without a unit, which may be copies of a row with one).
    let mut by_canonical: HashMap<&(String, i64), Vec<usize>> = HashMap::new();
    let mut by_written: HashMap<i64, Vec<usize>> = HashMap::new();
    for (c, cand) in candidates.iter().enumerate() {
        by_written.entry(cand.written).or_default().push(c);
        if let Some(at) = &cand.canonical {
            by_canonical.entry(at).or_default().push(c);
        }
    }
    let mut parent: Vec<usize> = (0..candidates.len()).collect();
    for (c, cand) in candidates.iter().enumerate() {
        let d = &deltas[cand.index];
        let mut near: Vec<usize> = Vec::new();
        let written = cand.written;
        for b in [written - 1, written, written + 1] {
            if let Some(list) = by_written.get(&b) {
                // Written values meet when either row has no unit.
                near.extend(list.iter().filter(|&&o| {
                    d.unit.is_empty() || deltas[candidates[o].index].unit.is_empty()
                }));
            }
        }
        if let Some((dim, at)) = &cand.canonical {
            for b in [at - 1, *at, at + 1] {
                if let Some(list) = by_canonical.get(&(dim.clone(), b)) {
                    near.extend(list);
                }
            }
        }
        for o in near {
            if o > c && same_measurement(d, cand, &deltas[candidates[o].index], &candidates[o]) {
                union(&mut parent, c, o);
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for (c, cand) in candidates.iter().enumerate() {
        let root = find(&mut parent, c);
        groups.entry(root).or_default().push(cand.index);
    }
    let mut groups: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    groups.sort();
    groups
}

/// A row with a change measured on both sides whose values say enough to be recognised
/// elsewhere (not `1 → 2`).
fn candidate(index: usize, d: &Delta) -> Option<Candidate> {
    if matches!(
        d.status,
        Status::Missing | Status::New | Status::Broken | Status::Fixed
    ) || d.change_abs.is_none()
        || !d.merged.is_empty()
    {
        return None;
    }
    let base = value(d.base.as_ref()?)?;
    let head = value(d.head.as_ref()?)?;
    let small_integers = [base.mean, head.mean]
        .iter()
        .all(|v| v.fract() == 0.0 && v.abs() < 10.0);
    if base.mean == head.mean || small_integers {
        return None;
    }
    Some(Candidate {
        index,
        base,
        head,
        written: bin(head.mean),
        canonical: canonical(&d.unit, head.mean).map(|(dim, v)| (dim, bin(v))),
    })
}

fn value(side: &super::SideStats) -> Option<Value> {
    let mean = side.mean?;
    let written = if side.n == 1 {
        decimals(mean)
    } else {
        decimals(side.min?).max(decimals(side.max?))
    };
    Some(Value {
        mean,
        tolerance: 0.5 * 10f64.powi(-(written as i32)),
    })
}

/// Decimal places of the shortest text that reads back as `v` (`49.6` -> 1, `41` -> 0).
fn decimals(v: f64) -> usize {
    let text = format!("{v}");
    text.split_once('.').map_or(0, |(_, f)| f.len()).min(15)
}

/// Whether a row's numbers come only from reports written for people (Markdown, text),
/// which round what the data files hold.
fn is_report(d: &Delta) -> bool {
    d.head_origin
        .iter()
        .chain(&d.base_origin)
        .all(|p| p.ends_with(".md") || p.ends_with(".txt"))
}

/// Whether two rows carry the same measurement: same direction, compatible units, and
/// base and head means equal. Data files write numbers in full, so between them equal
/// means equal; a report rounds, so against one the precision it was written with counts.
fn same_measurement(a: &Delta, av: &Candidate, b: &Delta, bv: &Candidate) -> bool {
    if a.direction != b.direction || a.key == b.key {
        return false;
    }
    let rounded = is_report(a) || is_report(b);
    // b's values and tolerances in a's unit (as written when either has none).
    let convert = |v: f64| -> Option<f64> {
        if a.unit.is_empty() || b.unit.is_empty() {
            Some(v)
        } else {
            units::convert(v, &b.unit, &a.unit)
        }
    };
    let equal = |x: Value, y: Value| -> bool {
        let (Some(mean), Some(tolerance)) = (convert(y.mean), convert(y.tolerance)) else {
            return false;
        };
        let written = if rounded {
            x.tolerance.max(tolerance.abs())
        } else {
            0.0
        };
        let slack = written + 1e-9 * x.mean.abs().max(mean.abs());
        (x.mean - mean).abs() <= slack
    };
    equal(av.base, bv.base) && equal(av.head, bv.head)
}

/// The dimension of a unit and `v` in its canonical unit (seconds, bytes; other units as
/// they are).
fn canonical(unit: &str, v: f64) -> Option<(String, f64)> {
    if unit.is_empty() {
        return None;
    }
    for reference in ["s", "B", "B/s", "s/op"] {
        if let Some(c) = units::convert(v, unit, reference) {
            return Some((reference.to_string(), c));
        }
    }
    Some((units::normalize_unit(unit), v))
}

/// The bin of a value on a logarithmic grid [`BIN`] wide, signed; 0 has its own.
fn bin(v: f64) -> i64 {
    if v == 0.0 || !v.is_finite() {
        return 0;
    }
    let step = (v.abs().ln() / BIN.ln_1p()).floor() as i64;
    // Keep clear of 0 and of the other sign's bins.
    let magnitude = step.saturating_add(1 << 40);
    if v > 0.0 {
        magnitude
    } else {
        -magnitude
    }
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb)] = ra.min(rb);
    }
}

/// Groups of the broken rows, and of the missing rows, of each file.
fn file_groups(deltas: &[Delta]) -> Vec<Vec<usize>> {
    let mut groups: HashMap<(&str, Status), Vec<usize>> = HashMap::new();
    for (i, d) in deltas.iter().enumerate() {
        if matches!(d.status, Status::Broken | Status::Missing) && d.merged.is_empty() {
            groups.entry((&d.key.source, d.status)).or_default().push(i);
        }
    }
    let mut groups: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    groups.sort();
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_precision() {
        assert_eq!(decimals(49.6), 1);
        assert_eq!(decimals(41.0), 0);
        assert_eq!(decimals(12.729), 3);
    }

    #[test]
    fn bins_are_signed_and_narrow() {
        assert_eq!(bin(49.6), bin(49.61));
        assert_ne!(bin(49.6), bin(-49.6));
        assert!((bin(100.0) - bin(120.0)).abs() >= 3);
        assert_eq!(bin(0.0), 0);
    }
}
