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
use rayon::prelude::*;
use std::collections::HashMap;

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
    // In place: the rows of a large comparison are not copied into a second array.
    for i in 0..deltas.len() {
        let Some(lead) = folded_into[i] else { continue };
        let d = &mut deltas[i];
        let series = MergedSeries {
            key: std::mem::take(&mut d.key),
            unit: std::mem::take(&mut d.unit),
            status: d.status,
            base_origin: std::mem::take(&mut d.base_origin),
            head_origin: std::mem::take(&mut d.head_origin),
        };
        let merged = std::mem::take(&mut d.merged);
        let l = &mut deltas[lead];
        l.merged_as = Some(kind);
        l.merged.push(series);
        l.merged.extend(merged);
    }
    let mut folded = folded_into.iter().map(Option::is_some);
    deltas.retain(|_| !folded.next().unwrap_or(false));
    deltas
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
    /// Numbers from a report that rounds them (matched to their written precision).
    report: bool,
    /// The head mean and its tolerance in the dimension's canonical unit, when it has one.
    canonical: Option<(String, Value)>,
}

/// Where candidates are looked up by their head mean: exactly (data files write numbers
/// in full) and by range (a report's rounded number), as written and in canonical units.
#[derive(Default)]
struct Index<'a> {
    exact_written: HashMap<u64, Vec<usize>>,
    exact_canonical: HashMap<(&'a str, u64), Vec<usize>>,
    sorted_written: Vec<(f64, usize)>,
    sorted_canonical: HashMap<&'a str, Vec<(f64, usize)>>,
}

impl<'a> Index<'a> {
    fn new(candidates: &'a [Candidate]) -> Self {
        let mut index = Index::default();
        for (c, cand) in candidates.iter().enumerate() {
            let head = cand.head.mean;
            index.exact_written.entry(key(head)).or_default().push(c);
            index.sorted_written.push((head, c));
            if let Some((dim, v)) = &cand.canonical {
                let dim = dim.as_str();
                index
                    .exact_canonical
                    .entry((dim, key(v.mean)))
                    .or_default()
                    .push(c);
                index
                    .sorted_canonical
                    .entry(dim)
                    .or_default()
                    .push((v.mean, c));
            }
        }
        index.sorted_written.sort_by(|a, b| a.0.total_cmp(&b.0));
        for list in index.sorted_canonical.values_mut() {
            list.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        index
    }

    /// Candidates whose head mean may equal `cand`'s: as written (to be kept only when
    /// either row has no unit) and in canonical units.
    fn near(&self, cand: &Candidate, written: &mut Vec<usize>, canonical: &mut Vec<usize>) {
        let head = cand.head;
        if let Some(list) = self.exact_written.get(&key(head.mean)) {
            written.extend(list);
        }
        if cand.report {
            written.extend(range(&self.sorted_written, head));
        }
        if let Some((dim, v)) = &cand.canonical {
            if let Some(list) = self.exact_canonical.get(&(dim.as_str(), key(v.mean))) {
                canonical.extend(list);
            }
            if let (true, Some(sorted)) = (cand.report, self.sorted_canonical.get(dim.as_str())) {
                canonical.extend(range(sorted, *v));
            }
        }
    }
}

/// `v` rounded to 9 significant digits, as a hash key: numbers that data files write in
/// full meet exactly (up to float noise).
fn key(v: f64) -> u64 {
    if v == 0.0 || !v.is_finite() {
        return 0f64.to_bits();
    }
    let scale = 10f64.powi(8 - v.abs().log10().floor() as i32);
    ((v * scale).round() / scale).to_bits()
}

/// The candidates of a sorted list within the tolerance of `v`.
fn range(sorted: &[(f64, usize)], v: Value) -> impl Iterator<Item = usize> + '_ {
    let low = v.mean - v.tolerance;
    let start = sorted.partition_point(|(x, _)| *x < low);
    sorted[start..]
        .iter()
        .take_while(move |(x, _)| *x <= v.mean + v.tolerance)
        .map(|(_, c)| *c)
}

/// Units a comparison converts between, each pair read once: a comparison has many rows
/// and few units, and reading a unit's spelling allocates.
#[derive(Default)]
struct Units<'a> {
    pairs: HashMap<(&'a str, &'a str), Option<units::Conversion>>,
    canonical: HashMap<&'a str, Canonical>,
}

/// How a unit reaches its dimension's canonical unit ([`Units::canonical`]).
struct Canonical {
    /// The conversion to each of [`REFERENCES`].
    references: [Option<units::Conversion>; 4],
    /// The unit's normal spelling, and the conversion to it, for other units.
    normal: String,
    to_normal: Option<units::Conversion>,
}

/// The canonical units of the dimensions that have several units.
const REFERENCES: [&str; 4] = ["s", "B", "B/s", "s/op"];

impl<'a> Units<'a> {
    /// `v` converted from `from` to `to`, as [`units::convert`] converts it.
    fn convert(&mut self, v: f64, from: &'a str, to: &'a str) -> Option<f64> {
        self.pairs
            .entry((from, to))
            .or_insert_with(|| units::conversion(from, to))
            .and_then(|c| c.apply(v))
    }

    /// The dimension of `unit`, and `v` (a mean and its tolerance) in the dimension's
    /// canonical unit (seconds, bytes; other units as they are).
    fn canonical(&mut self, unit: &'a str, v: Value) -> Option<(String, Value)> {
        if unit.is_empty() {
            return None;
        }
        let c = self.canonical.entry(unit).or_insert_with(|| {
            let normal = units::normalize_unit(unit);
            Canonical {
                references: REFERENCES.map(|r| units::conversion(unit, r)),
                to_normal: units::conversion(unit, &normal),
                normal,
            }
        });
        let (dim, mean, to) = REFERENCES
            .iter()
            .zip(c.references)
            .find_map(|(r, to)| to?.apply(v.mean).map(|mean| (r.to_string(), mean, to)))
            .unwrap_or_else(|| (c.normal.clone(), v.mean, c.to_normal));
        let tolerance = to?.apply(v.tolerance)?;
        Some((dim, Value { mean, tolerance }))
    }
}

/// Groups of rows that carry the same measurement.
///
/// The candidates and the pairs that meet are found on every core (each thread with its
/// own cache of units); the pairs are joined into groups after.
fn measurement_groups(deltas: &[Delta]) -> Vec<Vec<usize>> {
    let candidates: Vec<Candidate> = deltas
        .par_iter()
        .enumerate()
        .map_init(Units::default, |units, (index, d)| {
            candidate(index, d, units)
        })
        .flatten()
        .collect();
    if candidates.len() < 2 {
        return Vec::new();
    }
    let index = Index::new(&candidates);
    let meets: Vec<(usize, usize)> = (0..candidates.len())
        .into_par_iter()
        .map_init(
            || (Units::default(), Vec::new(), Vec::new()),
            |(units, written, canonical), c| {
                let cand = &candidates[c];
                let d = &deltas[cand.index];
                written.clear();
                canonical.clear();
                index.near(cand, written, canonical);
                // Written values meet when either row has no unit.
                let unitless =
                    |o: &usize| d.unit.is_empty() || deltas[candidates[*o].index].unit.is_empty();
                written
                    .iter()
                    .filter(|o| unitless(o))
                    .chain(canonical.iter())
                    .filter(|&&o| {
                        let other = &candidates[o];
                        o != c && same_measurement(d, cand, &deltas[other.index], other, units)
                    })
                    .map(|&o| (c, o))
                    .collect::<Vec<_>>()
            },
        )
        .flatten()
        .collect();
    let mut parent: Vec<usize> = (0..candidates.len()).collect();
    for (c, o) in meets {
        union(&mut parent, c, o);
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
fn candidate<'a>(index: usize, d: &'a Delta, units: &mut Units<'a>) -> Option<Candidate> {
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
    let canonical = units.canonical(&d.unit, head);
    Some(Candidate {
        index,
        base,
        head,
        report: is_report(d),
        canonical,
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
fn same_measurement<'a>(
    a: &'a Delta,
    av: &Candidate,
    b: &'a Delta,
    bv: &Candidate,
    units: &mut Units<'a>,
) -> bool {
    if a.direction != b.direction || a.key == b.key {
        return false;
    }
    let rounded = av.report || bv.report;
    // b's values and tolerances in a's unit (as written when either has none).
    let mut convert = |v: f64| -> Option<f64> {
        if a.unit.is_empty() || b.unit.is_empty() {
            Some(v)
        } else {
            units.convert(v, &b.unit, &a.unit)
        }
    };
    let mut equal = |x: Value, y: Value| -> bool {
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
    fn exact_keys_and_rounded_ranges() {
        // Float noise meets; a difference in the ninth digit does not.
        assert_eq!(key(0.1 + 0.2), key(0.3));
        assert_ne!(key(100.1), key(100.11));
        assert_eq!(key(-0.0), key(0.0));
        let sorted = [(49.4, 0), (49.567148, 1), (49.62, 2), (49.7, 3)];
        let near: Vec<usize> = range(
            &sorted,
            Value {
                mean: 49.6,
                tolerance: 0.05,
            },
        )
        .collect();
        assert_eq!(near, [1, 2]);
    }
}
