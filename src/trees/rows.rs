//! The rows of a large comparison beyond what memory keeps. Nothing but `report.json` shows
//! more than the first few thousand rows, so once there are many they are written, as the
//! JSON `report.json` will hold, to an anonymous temporary file in sorted runs: each run
//! at most `limit` rows in report order, the runs in key order. Unchanged rows form runs
//! of their own; the other rows come settled, in report order, from
//! [`Assembly::spill`](crate::compare::Assembly::spill). Merging the runs (a few kilobytes
//! of buffer each) gives every row in report order: the first ones are read back for the
//! renderings, the rest are copied into `report.json` by [`StoredRows::for_each`]. Memory
//! holds at most `limit` rows of each kind however many there are.
//!
//! When the temporary file cannot be written the runs stay in memory: the run goes on with
//! more memory rather than fail.
//!
//! When no `report.json` is written, nothing reads the rows beyond memory: a
//! [counting](RowStore::counting) store keeps the first rows of each kind and only counts
//! the others, without serialising them (it picks the first unchanged rows from at most
//! twice `limit` at a time, and leaves out as they come those that fall after the last row
//! it kept).

use crate::compare::{report_place, Delta};
use crate::model::permute;
use crate::report::layout;
use rayon::prelude::*;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Rows kept in memory for the renderings (unchanged ones before the store starts writing
/// them out): more than any rendering within its budget can show.
pub const IN_MEMORY_ROWS: usize = 20_000;
/// Rows that are not unchanged settled together in memory (folded, searched for key
/// hints) before they are written out as a run.
pub const SETTLED_TOGETHER: usize = 50_000;

/// Bytes of a row's header in the file: its status group (1), severity (8) and length (4).
const HEADER: usize = 13;
/// Rows read back that are parsed together, on every core.
const PARSED_TOGETHER: usize = 2048;
/// Bytes read from a run at a time while merging.
const CHUNK: usize = 1 << 15;
/// Rows serialised at a time when a run is written (whatever the thread count), in
/// slices of [`SLICE`] on every core.
const ROUND: usize = 1 << 12;
const SLICE: usize = 1 << 8;

/// A run of rows in report order.
enum Run {
    /// Bytes `start..end` of the temporary file, holding `rows` rows.
    Disk { start: u64, end: u64, rows: usize },
    /// Kept in memory (the temporary file could not be written).
    Memory(Vec<Delta>),
}

/// Collects the rows of a comparison: unchanged ones one by one in key order
/// ([`RowStore::push`]), the others in settled runs ([`RowStore::push_run`]).
pub struct RowStore {
    limit: usize,
    /// Rows that are not unchanged settled together, at most.
    settled: usize,
    /// Where the temporary file goes; the system's temporary directory if `None`.
    dir: Option<PathBuf>,
    /// Unchanged rows not yet in a run, in key order.
    unchanged: Vec<Delta>,
    unchanged_runs: Vec<Run>,
    runs: Vec<Run>,
    /// The temporary file, created with the first run; `Err` if it could not be.
    file: Option<Result<Spill, ()>>,
    /// Set once writing failed: the runs written so far stay readable, later ones stay in
    /// memory.
    failed: bool,
    /// Set when the rows beyond memory are only counted: no runs are made.
    counted: Option<Counted>,
}

/// What a [counting](RowStore::counting) store keeps of the rows beyond memory.
#[derive(Default)]
struct Counted {
    /// The first rows of those added with [`RowStore::push_run`], in report order, at most
    /// `limit` of them.
    first: Vec<Delta>,
    /// Whether runs were added.
    runs: bool,
    /// The rows left out: unchanged ones, and the others.
    unchanged: usize,
    others: usize,
    /// The place of the last unchanged row kept when some were last left out: an unchanged
    /// row that comes after it in report order (a later one of equal place too: rows come
    /// in key order) cannot be among the first, so it is left out as it comes.
    cutoff: Option<(u8, f64)>,
}

/// The temporary file being written.
struct Spill {
    out: BufWriter<File>,
    /// Where the next run starts.
    offset: u64,
    /// The buffers the slices of a round are serialised into, kept from round to round.
    slices: Vec<Vec<u8>>,
}

impl Default for RowStore {
    fn default() -> Self {
        RowStore {
            settled: SETTLED_TOGETHER,
            ..RowStore::with_limit(IN_MEMORY_ROWS)
        }
    }
}

impl RowStore {
    /// A store that keeps `limit` rows of each kind in memory (tests use small limits).
    pub fn with_limit(limit: usize) -> Self {
        RowStore {
            limit: limit.max(1),
            settled: limit.max(1),
            dir: None,
            unchanged: Vec::new(),
            unchanged_runs: Vec::new(),
            runs: Vec::new(),
            file: None,
            failed: false,
            counted: None,
        }
    }

    /// The same store keeping only the first `limit` rows of each kind and counting the
    /// others, for a comparison whose rows beyond memory nothing reads (no `report.json`).
    pub fn counting(self) -> Self {
        RowStore {
            counted: Some(Counted::default()),
            ..self
        }
    }

    /// The same store with its temporary file in `dir` (unnamed: nothing is left there).
    pub fn in_dir(self, dir: impl Into<PathBuf>) -> Self {
        RowStore {
            dir: Some(dir.into()),
            ..self
        }
    }

    /// How many rows that are not unchanged are settled together before they are written
    /// as a run ([`Assembly::spill`](crate::compare::Assembly::spill)).
    pub fn settled_together(&self) -> usize {
        self.settled
    }

    /// Adds the next unchanged delta (in key order).
    pub fn push(&mut self, delta: Delta) {
        let Some(counted) = &mut self.counted else {
            self.unchanged.push(delta);
            if self.unchanged.len() > self.limit {
                self.unchanged_run();
            }
            return;
        };
        let after_cutoff = counted
            .cutoff
            .is_some_and(|cutoff| compare_places(report_place(&delta), cutoff) != Ordering::Less);
        if after_cutoff {
            counted.unchanged += 1;
            return;
        }
        self.unchanged.push(delta);
        // Left out a limit's worth at a time: the first rows, then those that came after
        // them.
        if self.unchanged.len() >= 2 * self.limit {
            counted.unchanged += keep_first(&mut self.unchanged, self.limit);
            counted.cutoff = self.unchanged.last().map(report_place);
        }
    }

    /// Writes the unchanged rows held as a run. They are written in report order by
    /// their positions; the rows themselves do not move, and their room is kept for the
    /// next run.
    fn unchanged_run(&mut self) {
        let mut rows = std::mem::take(&mut self.unchanged);
        // Rows of equal place stay in key order (their positions).
        let order = report_order(&rows);
        let runs = self.write(&mut rows, order);
        self.unchanged_runs.extend(runs);
        self.unchanged = rows;
    }

    /// Adds a run of settled rows that are not unchanged, in report order (the runs in key
    /// order: a row ranks after those of equal place in earlier runs).
    pub fn push_run(&mut self, mut rows: Vec<Delta>) {
        if let Some(counted) = &mut self.counted {
            counted.runs |= !rows.is_empty();
            // Earlier runs first among equal places.
            counted.first.append(&mut rows);
            counted.others += keep_first(&mut counted.first, self.limit);
        } else if !rows.is_empty() {
            let order = places(&rows);
            let runs = self.write(&mut rows, order);
            self.runs.extend(runs);
        }
    }

    /// Whether runs of rows that are not unchanged were added.
    pub fn has_runs(&self) -> bool {
        match &self.counted {
            Some(counted) => counted.runs,
            None => !self.runs.is_empty(),
        }
    }

    /// The rows taken out of `rows`, in the report `order` of their positions, as runs:
    /// written to the temporary file (then freed, on every core), or kept in that order if
    /// they cannot be written (what was written before an error is a run of its own, which
    /// comes first).
    fn write(&mut self, rows: &mut Vec<Delta>, order: Vec<Placed>) -> Vec<Run> {
        let dir = self.dir.as_deref();
        let file = self
            .file
            .get_or_insert_with(|| Spill::create(dir).map_err(|e| warn_memory(&e)));
        let (Ok(spill), false) = (file, self.failed) else {
            put_in_order(rows, &order);
            return vec![Run::Memory(std::mem::take(rows))];
        };
        match spill.write(rows, &order) {
            Ok(run) => {
                rows.par_drain(..).for_each(drop);
                vec![run]
            }
            Err((written, e)) => {
                warn_memory(&e);
                self.failed = true;
                // The rows written are the first of `order`.
                put_in_order(rows, &order);
                let mut rest = std::mem::take(rows);
                rest.drain(..rows_of(written.as_slice()).min(rest.len()));
                written.into_iter().chain([Run::Memory(rest)]).collect()
            }
        }
    }

    /// The unchanged rows memory keeps: all of them if they are within the limit, else
    /// the first `limit` in report order (read back; the others stay stored, or counted).
    pub fn take_unchanged(&mut self) -> Vec<Delta> {
        if let Some(counted) = &mut self.counted {
            if counted.unchanged > 0 || self.unchanged.len() > self.limit {
                counted.unchanged += keep_first(&mut self.unchanged, self.limit);
            }
            return std::mem::take(&mut self.unchanged);
        }
        if self.unchanged_runs.is_empty() {
            return std::mem::take(&mut self.unchanged);
        }
        if !self.unchanged.is_empty() {
            self.unchanged_run();
        }
        let limit = self.limit;
        read_first(self.file.as_mut(), &mut self.unchanged_runs, limit)
    }

    /// How many unchanged rows are stored or counted (not taken back into memory).
    pub fn unchanged_stored(&self) -> usize {
        match &self.counted {
            Some(counted) => counted.unchanged,
            None => rows_of(&self.unchanged_runs),
        }
    }

    /// The first `limit` rows of the runs added with [`RowStore::push_run`] in report
    /// order, read back (the others stay stored, or counted).
    pub fn take_first(&mut self) -> Vec<Delta> {
        if let Some(counted) = &mut self.counted {
            return std::mem::take(&mut counted.first);
        }
        let limit = self.limit;
        read_first(self.file.as_mut(), &mut self.runs, limit)
    }

    /// The rows not taken back into memory, if any: first those of the runs added with
    /// [`RowStore::push_run`], then the unchanged ones.
    pub fn finish(self) -> Option<StoredRows> {
        let file = match self.file {
            Some(Ok(spill)) => match spill.out.into_inner() {
                Ok(file) => Some(file),
                Err(e) => {
                    warn_lost(&e.into_error());
                    None
                }
            },
            _ => None,
        };
        let stored = StoredRows {
            file,
            parts: [self.runs, self.unchanged_runs],
            counted: self.counted.map_or(0, |c| c.unchanged + c.others),
        };
        (!stored.is_empty()).then_some(stored)
    }
}

fn warn_memory(error: &io::Error) {
    tracing::warn!(
        "cannot store report rows in a temporary file ({error}); keeping them in memory, \
         which needs more of it. Point TMPDIR (RUNNER_TEMP in the action) at a writable \
         directory with free space to avoid this"
    );
}

fn warn_lost(error: &io::Error) {
    tracing::warn!(
        "cannot read the stored report rows back ({error}); rows stored so far are missing \
         from the report (they are still counted). Check the temporary directory (TMPDIR) \
         for free space"
    );
}

/// The first `limit` rows of `runs` in report order, parsed; the runs keep the others.
fn read_first(
    spill: Option<&mut Result<Spill, ()>>,
    runs: &mut Vec<Run>,
    limit: usize,
) -> Vec<Delta> {
    let file = match spill {
        Some(Ok(spill)) => match spill.out.flush() {
            Ok(()) => Some(spill.out.get_ref()),
            Err(e) => {
                warn_lost(&e);
                runs.retain(|r| matches!(r, Run::Memory(_)));
                None
            }
        },
        _ => None,
    };
    let mut rows = Vec::with_capacity(limit);
    let mut cursors = cursors(runs);
    let mut batch = Batch::default();
    let read = merge_runs(file, runs, &mut cursors, limit, |json| {
        batch.push(json);
        if batch.ends.len() == PARSED_TOGETHER {
            batch.parse_into(&mut rows)?;
        }
        Ok(())
    })
    .and_then(|()| batch.parse_into(&mut rows));
    if let Err(e) = read {
        warn_lost(&e);
    }
    // What the cursors have not reached stays: disk runs from where they stopped, memory
    // runs without the rows taken.
    let rest: Vec<Run> = cursors
        .into_iter()
        .zip(std::mem::take(runs))
        .filter_map(|(cursor, run)| cursor.rest(run))
        .collect();
    *runs = rest;
    rows
}

/// The JSON of rows read back, parsed together on every core.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    /// Where each row's JSON ends in `bytes`.
    ends: Vec<usize>,
}

impl Batch {
    fn push(&mut self, json: &[u8]) {
        self.bytes.extend_from_slice(json);
        self.ends.push(self.bytes.len());
    }

    /// Parses the rows held onto the end of `rows`, in order, and empties the batch; on an
    /// error, the rows before the one that failed.
    fn parse_into(&mut self, rows: &mut Vec<Delta>) -> io::Result<()> {
        let parsed: Vec<serde_json::Result<Delta>> = (0..self.ends.len())
            .into_par_iter()
            .map(|i| {
                let start = if i == 0 { 0 } else { self.ends[i - 1] };
                serde_json::from_slice(&self.bytes[start..self.ends[i]])
            })
            .collect();
        self.bytes.clear();
        self.ends.clear();
        for row in parsed {
            rows.push(row?);
        }
        Ok(())
    }
}

impl Spill {
    fn create(dir: Option<&Path>) -> io::Result<Spill> {
        let file = match dir {
            Some(dir) => tempfile::tempfile_in(dir)?,
            None => tempfile::tempfile()?,
        };
        Ok(Spill {
            out: BufWriter::with_capacity(1 << 16, file),
            offset: 0,
            slices: Vec::new(),
        })
    }

    /// Writes `rows` in `order` as a run at the end of the file, serialising them on every
    /// core a round at a time. On an error, the run of the rows written (the first of
    /// `order`) comes with it.
    fn write(&mut self, rows: &[Delta], order: &[Placed]) -> Result<Run, (Option<Run>, io::Error)> {
        let start = self.offset;
        let mut written = 0;
        let mut round = || -> io::Result<()> {
            // Reading a run back may have moved the file's position.
            self.out.seek(SeekFrom::Start(self.offset))?;
            self.slices.resize_with(ROUND.div_ceil(SLICE), Vec::new);
            for round in order.chunks(ROUND) {
                let encoded: Vec<io::Result<()>> = self
                    .slices
                    .par_iter_mut()
                    .zip(round.par_chunks(SLICE))
                    .map(|(buf, slice)| encode(buf, rows, slice))
                    .collect();
                let mut bytes = 0;
                for (buf, result) in self.slices.iter().zip(encoded) {
                    result?;
                    self.out.write_all(buf)?;
                    bytes += buf.len() as u64;
                }
                // The run grows by whole rounds only, as `written` counts them.
                self.offset += bytes;
                written += round.len();
            }
            Ok(())
        };
        let result = round();
        let run = Run::Disk {
            start,
            end: self.offset,
            rows: written,
        };
        match result {
            Ok(()) => Ok(run),
            Err(e) => Err(((written > 0).then_some(run), e)),
        }
    }
}

/// A row of a run: its position among the run's rows and its place in the report order.
struct Placed {
    index: usize,
    place: (u8, f64),
}

/// The positions of `rows` in report order: by place, rows of equal place in the order
/// given.
fn report_order(rows: &[Delta]) -> Vec<Placed> {
    let mut order = places(rows);
    order.sort_unstable_by(|a, b| {
        compare_places(a.place, b.place).then_with(|| a.index.cmp(&b.index))
    });
    order
}

/// Puts `rows` in report order ([`report_order`]) and keeps the first `limit`; returns
/// how many were left out.
fn keep_first(rows: &mut Vec<Delta>, limit: usize) -> usize {
    let order = report_order(rows);
    put_in_order(rows, &order);
    let left_out = rows.len().saturating_sub(limit);
    rows.truncate(limit);
    left_out
}

/// Every row of `rows` with its place, in the order given.
fn places(rows: &[Delta]) -> Vec<Placed> {
    rows.iter()
        .enumerate()
        .map(|(index, row)| Placed {
            index,
            place: report_place(row),
        })
        .collect()
}

/// Puts `rows` in `order`, which holds each of their positions once.
fn put_in_order(rows: &mut [Delta], order: &[Placed]) {
    permute(rows, order.iter().map(|p| p.index).collect());
}

/// Replaces `buf` with the rows of `rows` at the positions of `order`, in that order, as
/// they are stored: each its header, then its JSON as `report.json` holds it.
fn encode(buf: &mut Vec<u8>, rows: &[Delta], order: &[Placed]) -> io::Result<()> {
    buf.clear();
    for &Placed { index, place } in order {
        let row = rows
            .get(index)
            .ok_or_else(|| io::Error::other("a report row is out of place"))?;
        encode_row(buf, row, place)?;
    }
    Ok(())
}

fn encode_row(buf: &mut Vec<u8>, row: &Delta, (group, severity): (u8, f64)) -> io::Result<()> {
    let at = buf.len();
    buf.push(group);
    buf.extend_from_slice(&severity.to_bits().to_le_bytes());
    buf.extend_from_slice(&[0; 4]);
    layout::write_row(buf, row)?;
    let len = u32::try_from(buf.len() - at - HEADER)
        .map_err(|_| io::Error::other("a report row is larger than 4 GiB"))?;
    buf[at + 9..at + HEADER].copy_from_slice(&len.to_le_bytes());
    Ok(())
}

/// The report order of two places ([`report_place`]): group, then severity, highest first.
fn compare_places(a: (u8, f64), b: (u8, f64)) -> Ordering {
    a.0.cmp(&b.0).then_with(|| b.1.total_cmp(&a.1))
}

/// Where a merge stands in one run.
enum Cursor {
    Disk {
        /// The file offset of the next bytes to read, and the run's end.
        offset: u64,
        end: u64,
        buf: Vec<u8>,
        /// Where the unread bytes of `buf` start.
        at: usize,
        /// Rows passed.
        passed: usize,
    },
    Memory {
        at: usize,
    },
}

fn cursors(runs: &[Run]) -> Vec<Cursor> {
    runs.iter()
        .map(|run| match run {
            Run::Disk { start, end, .. } => Cursor::Disk {
                offset: *start,
                end: *end,
                buf: Vec::new(),
                at: 0,
                passed: 0,
            },
            Run::Memory(_) => Cursor::Memory { at: 0 },
        })
        .collect()
}

impl Cursor {
    /// Makes `n` unread bytes available; `false` at the end of the run.
    fn fill(&mut self, mut file: &File, n: usize) -> io::Result<bool> {
        let Cursor::Disk {
            offset,
            end,
            buf,
            at,
            ..
        } = self
        else {
            return Ok(true);
        };
        let have = buf.len() - *at;
        if have >= n {
            return Ok(true);
        }
        let left = *end - *offset;
        if have == 0 && left == 0 {
            return Ok(false);
        }
        if (have as u64).saturating_add(left) < n as u64 {
            return Err(io::Error::other("a stored report row is cut short"));
        }
        buf.drain(..*at);
        *at = 0;
        let take = ((n - have).max(CHUNK) as u64).min(left) as usize;
        // Appended without zeroing the room first.
        buf.reserve(take);
        file.seek(SeekFrom::Start(*offset))?;
        let read = file.take(take as u64).read_to_end(buf)?;
        if read < take {
            return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
        }
        *offset += take as u64;
        Ok(true)
    }

    /// The place of the next row of `run`, if there is one.
    fn peek(&mut self, file: Option<&File>, run: &Run) -> io::Result<Option<(u8, f64)>> {
        match (self, run) {
            (Cursor::Memory { at }, Run::Memory(rows)) => Ok(rows.get(*at).map(report_place)),
            (cursor, Run::Disk { .. }) => {
                let file = file.ok_or_else(|| io::Error::other("the stored rows are gone"))?;
                if !cursor.fill(file, HEADER)? {
                    return Ok(None);
                }
                let Cursor::Disk { buf, at, .. } = cursor else {
                    return Ok(None);
                };
                let h = &buf[*at..*at + HEADER];
                let mut severity = [0; 8];
                severity.copy_from_slice(&h[1..9]);
                Ok(Some((h[0], f64::from_bits(u64::from_le_bytes(severity)))))
            }
            _ => Ok(None),
        }
    }

    /// Passes the JSON of the next row of `run` (whose place was peeked) to `each`.
    fn take(
        &mut self,
        file: Option<&File>,
        run: &Run,
        scratch: &mut Vec<u8>,
        each: &mut dyn FnMut(&[u8]) -> io::Result<()>,
    ) -> io::Result<()> {
        match (self, run) {
            (Cursor::Memory { at }, Run::Memory(rows)) => {
                let Some(row) = rows.get(*at) else {
                    return Ok(());
                };
                *at += 1;
                scratch.clear();
                layout::write_row(scratch, row)?;
                each(scratch)
            }
            (cursor, Run::Disk { .. }) => {
                let file = file.ok_or_else(|| io::Error::other("the stored rows are gone"))?;
                let len = match cursor {
                    Cursor::Disk { buf, at, .. } => {
                        let mut len = [0; 4];
                        len.copy_from_slice(&buf[*at + 9..*at + HEADER]);
                        u32::from_le_bytes(len) as usize
                    }
                    Cursor::Memory { .. } => return Ok(()),
                };
                if !cursor.fill(file, HEADER + len)? {
                    return Err(io::Error::other("a stored report row is cut short"));
                }
                let Cursor::Disk {
                    buf, at, passed, ..
                } = cursor
                else {
                    return Ok(());
                };
                let start = *at + HEADER;
                *at = start + len;
                *passed += 1;
                each(&buf[start..start + len])
            }
            _ => Ok(()),
        }
    }

    /// What of `run` this cursor has not passed, as a run (`None`: nothing).
    fn rest(self, run: Run) -> Option<Run> {
        match (self, run) {
            (Cursor::Memory { at }, Run::Memory(mut rows)) => {
                rows.drain(..at.min(rows.len()));
                (!rows.is_empty()).then_some(Run::Memory(rows))
            }
            (
                Cursor::Disk {
                    offset,
                    buf,
                    at,
                    passed,
                    ..
                },
                Run::Disk { end, rows, .. },
            ) => {
                let start = offset - (buf.len() - at) as u64;
                (start < end).then_some(Run::Disk {
                    start,
                    end,
                    rows: rows.saturating_sub(passed),
                })
            }
            (_, run) => Some(run),
        }
    }
}

/// The next row of a merge: the run it comes from and its place, ordered so that the
/// heap's greatest is the row that comes first in report order (earlier runs first among
/// equal places).
struct Next {
    place: (u8, f64),
    run: usize,
}

impl PartialEq for Next {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Next {}

impl PartialOrd for Next {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Next {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_places(other.place, self.place).then_with(|| other.run.cmp(&self.run))
    }
}

/// Merges `runs` from where `cursors` stand, passing the JSON of at most `most` rows to
/// `each` in report order.
fn merge_runs(
    file: Option<&File>,
    runs: &[Run],
    cursors: &mut [Cursor],
    most: usize,
    mut each: impl FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<()> {
    let mut heap = BinaryHeap::with_capacity(runs.len());
    for (run, (cursor, r)) in cursors.iter_mut().zip(runs).enumerate() {
        if let Some(place) = cursor.peek(file, r)? {
            heap.push(Next { place, run });
        }
    }
    let mut scratch = Vec::new();
    let mut passed = 0;
    while passed < most {
        let Some(Next { run, .. }) = heap.pop() else {
            break;
        };
        cursors[run].take(file, &runs[run], &mut scratch, &mut each)?;
        passed += 1;
        if let Some(place) = cursors[run].peek(file, &runs[run])? {
            heap.push(Next { place, run });
        }
    }
    Ok(())
}

/// The number of rows in `runs`.
fn rows_of(runs: &[Run]) -> usize {
    runs.iter()
        .map(|run| match run {
            Run::Disk { rows, .. } => *rows,
            Run::Memory(rows) => rows.len(),
        })
        .sum()
}

/// Rows of a comparison stored outside memory, in report order, in `report.json`'s layout.
pub struct StoredRows {
    file: Option<File>,
    /// The runs of the rows that are not unchanged, then those of the unchanged rows: all
    /// of the first come before all of the second in report order.
    parts: [Vec<Run>; 2],
    /// Rows only counted ([`RowStore::counting`]): not stored, so there is nothing to read.
    counted: usize,
}

impl std::fmt::Debug for StoredRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredRows")
            .field("rows", &self.len())
            .finish()
    }
}

impl StoredRows {
    /// Number of stored (or counted) rows.
    pub fn len(&self) -> usize {
        self.parts.iter().map(|runs| rows_of(runs)).sum::<usize>() + self.counted
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `each` with the JSON of every stored row, in report order. An error if rows
    /// were only counted.
    pub fn for_each(&self, mut each: impl FnMut(&[u8]) -> io::Result<()>) -> io::Result<()> {
        if self.counted > 0 {
            return Err(io::Error::other(
                "the report rows beyond memory were counted, not stored",
            ));
        }
        for runs in &self.parts {
            let mut cursors = cursors(runs);
            merge_runs(
                self.file.as_ref(),
                runs,
                &mut cursors,
                usize::MAX,
                &mut each,
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{Confidence, Gate, Status};
    use crate::model::{Direction, SeriesKey};

    /// A delta of benchmark `name` with `status` whose mean moved by `pct` percent.
    fn delta(name: &str, status: Status, pct: f64) -> Delta {
        Delta {
            key: SeriesKey::new("a.csv", name, "tokens_s"),
            unit: "tokens/s".into(),
            direction: Direction::HigherIsBetter,
            status,
            gate: Gate::Hard,
            base: None,
            head: None,
            change_abs: Some(pct),
            change_pct: Some(pct),
            p_value: None,
            test: None,
            confidence: Confidence::Low,
            warn_pct: 5.0,
            fail_pct: 10.0,
            reason: format!("{pct:+} %"),
            base_origin: vec!["base/a.csv".into()],
            head_origin: vec!["head/a.csv".into()],
            noise: None,
            blocking: false,
            change_kind: Default::default(),
            provenance: Default::default(),
            merged_as: None,
            merged: Vec::new(),
        }
    }

    /// Unchanged rows in key order, one per change in `pcts`.
    fn unchanged(pcts: &[f64]) -> Vec<Delta> {
        pcts.iter()
            .enumerate()
            .map(|(i, &p)| delta(&format!("b{i:02}"), Status::Unchanged, p))
            .collect()
    }

    /// Changes of unchanged rows, repeated ones among them (ties in report order).
    fn unchanged_pcts() -> impl proptest::strategy::Strategy<Value = Vec<f64>> {
        proptest::collection::vec(
            proptest::sample::select(vec![0.0, 0.5, -0.5, 1.25, -3.0, 4.0]),
            0..40,
        )
    }

    /// Unchanged rows in key order, with changes that put them in another report order.
    fn rows() -> Vec<Delta> {
        unchanged(&[0.5, -3.0, 0.0, 1.5, -0.5, 3.0, 0.0, 2.25, -1.0, 0.1])
    }

    fn names(rows: &[Delta]) -> Vec<String> {
        rows.iter().map(|d| d.key.benchmark.clone()).collect()
    }

    /// The report order: place, then key.
    fn report_order(mut rows: Vec<Delta>) -> Vec<Delta> {
        rows.sort_by(|a, b| {
            compare_places(report_place(a), report_place(b)).then_with(|| a.key.cmp(&b.key))
        });
        rows
    }

    fn stored(rows: Option<StoredRows>) -> Vec<Delta> {
        let mut out = Vec::new();
        if let Some(rows) = rows {
            rows.for_each(|json| {
                out.push(serde_json::from_slice(json)?);
                Ok(())
            })
            .unwrap();
        }
        out
    }

    /// The unchanged test rows through `store`: those kept in memory, those stored.
    fn through(mut store: RowStore) -> (Vec<Delta>, Option<StoredRows>) {
        for r in rows() {
            store.push(r);
        }
        let kept = store.take_unchanged();
        (kept, store.finish())
    }

    #[test]
    fn rows_beyond_the_limit_are_stored_and_come_back_in_report_order() {
        let (first, rest) = through(RowStore::with_limit(3));
        assert_eq!(rest.as_ref().map(StoredRows::len), Some(7));
        assert_eq!(names(&first), ["b01", "b05", "b07"]);
        let mut all = first;
        all.extend(stored(rest));
        assert_eq!(all, report_order(rows()));
    }

    proptest::proptest! {
        /// Any unchanged rows, stored by position in runs of any size, come back in the
        /// report order of the rows themselves (ties in key order).
        #[test]
        fn stored_unchanged_rows_come_back_in_report_order(
            pcts in unchanged_pcts(),
            limit in 1usize..8,
        ) {
            let rows = unchanged(&pcts);
            let mut store = RowStore::with_limit(limit);
            for r in rows.clone() {
                store.push(r);
            }
            let mut all = store.take_unchanged();
            all.extend(stored(store.finish()));
            let expected = if rows.len() > limit { report_order(rows) } else { rows };
            proptest::prop_assert_eq!(all, expected);
        }
    }

    /// What a store gives back of unchanged `rows` and settled `runs` (the last run added
    /// after the unchanged rows are taken, as the comparison adds its own): the unchanged
    /// rows kept and the number left out, whether there were runs, the first rows of the
    /// runs, and the number of rows stored or counted.
    fn kept(
        mut store: RowStore,
        rows: &[Delta],
        runs: &[Vec<Delta>],
    ) -> (Vec<Delta>, usize, bool, Vec<Delta>, usize) {
        let Some((last, earlier)) = runs.split_last() else {
            return kept(store, rows, &[Vec::new()]);
        };
        for run in earlier {
            store.push_run(run.clone());
        }
        for r in rows {
            store.push(r.clone());
        }
        let unchanged = store.take_unchanged();
        let left_out = store.unchanged_stored();
        let has_runs = store.has_runs();
        store.push_run(last.clone());
        let first = store.take_first();
        let stored = store.finish().map_or(0, |s| s.len());
        (unchanged, left_out, has_runs, first, stored)
    }

    proptest::proptest! {
        /// A counting store keeps the rows a storing one takes back into memory, and counts
        /// those it stores.
        #[test]
        fn counting_keeps_what_storing_takes_back(
            pcts in unchanged_pcts(),
            runs in proptest::collection::vec(
                proptest::collection::vec(
                    (
                        proptest::sample::select(vec![Status::Regression, Status::Missing]),
                        proptest::sample::select(vec![12.0, -20.0, 0.0, 30.0]),
                    ),
                    0..12,
                ),
                0..4,
            ),
            limit in 1usize..8,
        ) {
            let rows = unchanged(&pcts);
            let runs: Vec<Vec<Delta>> = runs
                .iter()
                .enumerate()
                .map(|(r, run)| {
                    let run = run
                        .iter()
                        .enumerate()
                        .map(|(i, &(status, p))| delta(&format!("c{r}{i:02}"), status, p))
                        .collect();
                    report_order(run)
                })
                .collect();
            let storing = kept(RowStore::with_limit(limit), &rows, &runs);
            let counting = kept(RowStore::with_limit(limit).counting(), &rows, &runs);
            proptest::prop_assert_eq!(counting, storing);
        }
    }

    #[test]
    fn counted_rows_cannot_be_read() {
        let mut store = RowStore::with_limit(2).counting();
        for r in rows() {
            store.push(r);
        }
        assert_eq!(store.take_unchanged(), report_order(rows())[..2]);
        let counted = store.finish().unwrap();
        assert_eq!(counted.len(), 8);
        assert!(counted.for_each(|_| Ok(())).is_err());
    }

    #[test]
    fn within_the_limit_nothing_is_stored() {
        let (kept, rest) = through(RowStore::with_limit(10));
        assert!(rest.is_none());
        assert_eq!(kept, rows());
    }

    #[test]
    fn without_a_usable_temporary_directory_the_runs_stay_in_memory() {
        let missing = tempfile::tempdir().unwrap().path().join("gone");
        let (first, rest) = through(RowStore::with_limit(3).in_dir(&missing));
        assert_eq!(rest.as_ref().map(StoredRows::len), Some(7));
        let mut all = first;
        all.extend(stored(rest));
        assert_eq!(all, report_order(rows()));
    }

    /// Runs of settled rows merge into report order, earlier runs first among equal
    /// places, before every unchanged row; the first ones come back into memory.
    #[test]
    fn settled_runs_merge_in_report_order_before_the_unchanged_rows() {
        let statuses = [Status::Regression, Status::Missing, Status::New];
        let changed: Vec<Delta> = (0..60)
            .map(|i| {
                let pct = [12.0, -20.0, 0.0, 30.0, 12.0][i % 5];
                delta(&format!("c{i:02}"), statuses[i % 3], pct)
            })
            .collect();
        for dir in [None, Some(tempfile::tempdir().unwrap().path().join("gone"))] {
            let mut store = RowStore::with_limit(7);
            if let Some(dir) = &dir {
                store = store.in_dir(dir);
            }
            // Runs of 9 rows, each in report order, in key order.
            for run in changed.chunks(9) {
                store.push_run(report_order(run.to_vec()));
            }
            for r in rows() {
                store.push(r);
            }
            assert!(store.has_runs());
            let unchanged = store.take_unchanged();
            assert_eq!(unchanged.len(), 7);
            let first = store.take_first();
            let mut all = first.clone();
            all.extend(stored(store.finish()));
            let mut expected = report_order(changed.clone());
            expected.extend(report_order(rows()).into_iter().skip(7));
            assert_eq!(names(&first), names(&expected[..7]), "{dir:?}");
            assert_eq!(all, expected, "{dir:?}");
        }
    }
}
