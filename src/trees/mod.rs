//! Compares artifact trees: the head tree against its baseline (and earlier baseline runs,
//! for noise bands and trend charts), one source at a time.
//!
//! Every series of a file carries the file's source, so the files are grouped by source
//! ([`groups`]) and each group is read, parsed and judged on its own, on every core, while
//! the results are taken in source order ([`ordered`]): deltas into the comparison,
//! unchanged rows into a [`RowStore`], and the other deltas too once they are many, in
//! sorted runs. Memory holds the series and results of the groups within a fixed window
//! (whatever the thread count), up to a limit of rows of each kind and a small buffer per
//! stored run, never a whole tree.

mod groups;
mod ordered;
mod rows;

pub use rows::{RowStore, StoredRows, IN_MEMORY_ROWS};

use crate::baseline::trend::{self, Means};
use crate::compare::{self, Assembly, Comparison, Judged, Status};
use crate::config::Policy;
use crate::model::{Series, SeriesKey};
use crate::parse;
use crate::progress::{Progress, Silent};
use crate::report::{millis, ReportParts, Timings};
use crate::scan::{self, FileNote, SideScan, Tally, Tree};
use groups::Group;
use ordered::Window;
use std::borrow::Cow;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How far the pool may run ahead of the oldest group not yet taken, on any number of
/// threads: enough that a slow file rarely holds the others up, little enough that the
/// series and deltas of the groups in flight stay small. A group weighs the bytes of its
/// files. 4 MB kept megabyte-sized serving results to one or two at a time (the medium
/// synthetic pair took 2.3 s instead of 1.6 s on 2 cores); 64 MB runs them side by side
/// at the same peak RSS there.
const AHEAD: Window = Window {
    items: 64,
    weight: 64 << 20,
};

/// The result of [`compare_trees`].
#[derive(Debug)]
pub struct Compared {
    /// Every delta but the `stored` ones, in report order; counts and verdict cover all.
    pub comparison: Comparison,
    /// Rows beyond what memory keeps, in report order after the comparison's.
    pub stored: Option<StoredRows>,
    pub head: SideScan,
    /// One per base tree, in the order given.
    pub bases: Vec<SideScan>,
    /// With earlier baseline runs: the means behind the trend chart of every regressed and
    /// broken metric, in report order (see [`trend::charts`]).
    pub trends: Vec<(SeriesKey, Means)>,
    /// Wall time of reading, parsing and judging every file.
    pub parse: Duration,
    /// Wall time of the verdict and the report order, after the last file.
    pub finish: Duration,
}

impl Compared {
    /// The parts of the report of this comparison (the head's warnings, then the
    /// baseline's), given the wall times of walking the head tree and of getting the
    /// baseline; and the rows stored outside it, which `report.json` lists after the others.
    pub fn into_report(
        self,
        collect: Duration,
        baseline_time: Duration,
        baseline: Option<serde_json::Value>,
        run: Option<serde_json::Value>,
    ) -> (ReportParts, Option<StoredRows>) {
        let base = self.bases.into_iter().next();
        let mut warnings = self.head.warnings;
        if let Some(b) = &base {
            warnings.extend(b.warnings.iter().cloned());
        }
        let parts = ReportParts {
            comparison: self.comparison,
            base_inventory: base.map(|b| b.inventory),
            head_inventory: self.head.inventory,
            warnings,
            timings_ms: Timings {
                collect: millis(collect),
                parse: millis(self.parse),
                baseline: millis(baseline_time),
                compare: millis(self.finish),
                analyze: 0.0,
                render: 0.0,
            },
            baseline,
            run,
            analysis: None,
            stored_rows: self.stored.as_ref().map_or(0, StoredRows::len),
        };
        (parts, self.stored)
    }
}

/// Compares `head` with `bases`: the baseline first, then earlier baseline runs, newest
/// first (none: there is no baseline). Files larger than `max_file_size` are skipped;
/// unchanged rows go to `store`.
pub fn compare_trees(
    head: &Tree,
    bases: &[Tree],
    policy: &Policy,
    max_file_size: u64,
    store: RowStore,
) -> Compared {
    compare_trees_observed(head, bases, policy, max_file_size, store, &Silent)
}

/// Compares as [`compare_trees`] does, reporting each file read and each group judged to
/// `progress`.
pub fn compare_trees_observed(
    head: &Tree,
    bases: &[Tree],
    policy: &Policy,
    max_file_size: u64,
    mut store: RowStore,
    progress: &dyn Progress,
) -> Compared {
    let started = Instant::now();
    let trees: Vec<&Tree> = std::iter::once(head).chain(bases).collect();
    let groups = groups::by_source(&trees, policy);
    let files = trees.iter().flat_map(|t| &t.walk.files);
    progress.start(
        files.clone().count(),
        files.map(|f| f.size).sum(),
        groups.len(),
    );
    let mut sides: Vec<Tally> = trees.iter().map(|t| Tally::new(&t.walk)).collect();
    let mut assembly = Assembly::new(policy);
    let mut trends: HashMap<SeriesKey, Means> = HashMap::new();
    let limit = store.settled_together();
    ordered::for_each_ordered(
        &groups,
        AHEAD,
        |group| weight(group, &trees, max_file_size),
        |group| judge(group, &trees, policy, max_file_size, progress),
        |result| {
            progress.group_judged();
            for file in result.files {
                let walk = &trees[file.tree].walk;
                sides[file.tree].note(walk, file.index, file.note, file.series);
            }
            for delta in assembly.add(result.judged) {
                store.push(delta);
            }
            if let Some(settled) = assembly.spill(limit) {
                store.push_run(settled);
            }
            trends.extend(result.trends);
        },
    );
    let parse = started.elapsed();
    let started = Instant::now();
    let unchanged = store.take_unchanged();
    let mut comparison = assembly.finish(unchanged, store.unchanged_stored());
    if store.has_runs() {
        // The rest of the deltas come from the runs: the first ones back into memory.
        store.push_run(std::mem::take(&mut comparison.deltas));
        comparison.deltas = store.take_first();
    }
    let stored = store.finish();
    // Without history there are no trends, and no key need be hashed to find none.
    let trends = if trends.is_empty() {
        Vec::new()
    } else {
        comparison
            .deltas
            .iter()
            .filter_map(|d| trends.remove_entry(&d.key))
            .collect()
    };
    let mut scans = sides
        .into_iter()
        .zip(&trees)
        .map(|(side, tree)| side.finish(&tree.walk));
    // `trees` starts with the head tree, so the first scan is the head's.
    let head = scans
        .next()
        .unwrap_or_else(|| Tally::new(&head.walk).finish(&head.walk));
    Compared {
        comparison,
        stored,
        head,
        bases: scans.collect(),
        trends,
        parse,
        finish: started.elapsed(),
    }
}

/// The bytes of a group's files that will be read.
fn weight(group: &Group, trees: &[&Tree], max_file_size: u64) -> u64 {
    group
        .files
        .iter()
        .zip(trees)
        .flat_map(|(indices, tree)| indices.iter().map(|&i| &tree.walk.files[i]))
        .map(|file| file.size.min(max_file_size))
        .sum()
}

/// What one file of a group gave besides its series.
struct FileResult {
    tree: usize,
    index: usize,
    note: FileNote,
    series: usize,
}

struct GroupResult {
    files: Vec<FileResult>,
    judged: Judged,
    trends: Vec<(SeriesKey, Means)>,
}

/// Reads, parses and judges the files of one group.
fn judge(
    group: &Group,
    trees: &[&Tree],
    policy: &Policy,
    max_file_size: u64,
    progress: &dyn Progress,
) -> GroupResult {
    let mut series: Vec<Vec<Series>> = vec![Vec::new(); trees.len()];
    let mut files = Vec::new();
    for (tree, indices) in group.files.iter().enumerate() {
        for &index in indices {
            let file = &trees[tree].walk.files[index];
            let (found, note) = scan::process(file, max_file_size, &parse::parse_file).split();
            progress.file_read(file.size);
            files.push(FileResult {
                tree,
                index,
                note,
                series: found.len(),
            });
            series[tree].extend(found);
        }
    }
    let mut runs = series.into_iter();
    let head = runs.next().unwrap_or_default();
    let base = runs.next().unwrap_or_default();
    let history: Vec<Vec<Series>> = runs.collect();
    let (judged, trends) = if history.is_empty() {
        let judged = compare::judge_group(Cow::Owned(base), Cow::Owned(head), &[], policy);
        (judged, Vec::new())
    } else {
        let judged =
            compare::judge_group(Cow::Borrowed(&base), Cow::Borrowed(&head), &history, policy);
        let trends = trend_means(&judged, base, head, history, policy);
        (judged, trends)
    };
    GroupResult {
        files,
        judged,
        trends,
    }
}

/// The per-run means of the group's regressed and broken metrics, from every run's series
/// prepared as the compare stage prepared them (so that the keys match the deltas').
fn trend_means(
    judged: &Judged,
    base: Vec<Series>,
    head: Vec<Series>,
    history: Vec<Vec<Series>>,
    policy: &Policy,
) -> Vec<(SeriesKey, Means)> {
    let charted: Vec<&SeriesKey> = judged
        .deltas
        .iter()
        .filter(|d| matches!(d.status, Status::Regression | Status::Broken))
        .map(|d| &d.key)
        .collect();
    if charted.is_empty() {
        return Vec::new();
    }
    let runs: Vec<Vec<Series>> = history
        .into_iter()
        .rev()
        .chain([base, head])
        .map(|run| policy.prepare(run).0)
        .collect();
    let runs: Vec<&[Series]> = runs.iter().map(Vec::as_slice).collect();
    charted
        .into_iter()
        .map(|key| (key.clone(), trend::means(key, &runs)))
        .collect()
}
