//! The unchanged rows of a comparison. Most rows of a large comparison are unchanged, and
//! nothing but `report.json` shows more than the first few thousand of them, so beyond a
//! limit they are written, as the JSON `report.json` will hold, to an anonymous temporary
//! file, with 24 bytes per row kept in memory to put them in report order. The first
//! rows in that order are read back for the renderings; the rest are copied into
//! `report.json` by [`StoredRows::copy_to`].
//!
//! When the temporary file cannot be written the rows stay in memory: the run goes on with
//! more memory rather than fail.

use crate::compare::{unchanged_rank, Delta};
use crate::report::pretty;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Rows kept in memory before the store starts writing them out: more than any rendering
/// within its budget can show.
pub const IN_MEMORY_ROWS: usize = 20_000;

/// Collects the unchanged deltas of a comparison, in key order.
pub struct RowStore {
    limit: usize,
    /// Where the temporary file goes; the system's temporary directory if `None`.
    dir: Option<PathBuf>,
    memory: Vec<Delta>,
    spill: Option<Spill>,
}

/// Where a stored row lies in the temporary file, and its place in the report order.
#[derive(Debug, Clone, Copy)]
struct Record {
    rank: f64,
    offset: u64,
    len: u32,
}

struct Spill {
    out: BufWriter<File>,
    records: Vec<Record>,
    offset: u64,
    buf: Vec<u8>,
}

impl Spill {
    fn create(dir: Option<&Path>) -> io::Result<Spill> {
        let file = match dir {
            Some(dir) => tempfile::tempfile_in(dir)?,
            None => tempfile::tempfile()?,
        };
        Ok(Spill {
            out: BufWriter::with_capacity(1 << 16, file),
            records: Vec::new(),
            offset: 0,
            buf: Vec::new(),
        })
    }

    fn push(&mut self, delta: &Delta) -> io::Result<()> {
        self.buf.clear();
        pretty::write_row(&mut self.buf, delta)?;
        let len = u32::try_from(self.buf.len())
            .map_err(|_| io::Error::other("a report row is larger than 4 GiB"))?;
        self.out.write_all(&self.buf)?;
        self.records.push(Record {
            rank: unchanged_rank(delta),
            offset: self.offset,
            len,
        });
        self.offset += u64::from(len);
        Ok(())
    }
}

impl Default for RowStore {
    fn default() -> Self {
        RowStore::with_limit(IN_MEMORY_ROWS)
    }
}

impl RowStore {
    /// A store that keeps `limit` rows in memory (tests use small limits).
    pub fn with_limit(limit: usize) -> Self {
        RowStore {
            limit,
            dir: None,
            memory: Vec::new(),
            spill: None,
        }
    }

    /// The same store with its temporary file in `dir` (unnamed: nothing is left there).
    pub fn in_dir(self, dir: impl Into<PathBuf>) -> Self {
        RowStore {
            dir: Some(dir.into()),
            ..self
        }
    }

    /// How many rows [`RowStore::finish`] returns in memory, at most.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Adds the next unchanged delta (in key order).
    pub fn push(&mut self, delta: Delta) {
        if let Some(spill) = &mut self.spill {
            match spill.push(&delta) {
                Ok(()) => return,
                Err(e) => self.give_up_spilling(e),
            }
        }
        self.memory.push(delta);
        if self.memory.len() > self.limit {
            self.start_spilling();
        }
    }

    fn start_spilling(&mut self) {
        let written = Spill::create(self.dir.as_deref()).and_then(|mut spill| {
            for delta in &self.memory {
                spill.push(delta)?;
            }
            Ok(spill)
        });
        match written {
            Ok(spill) => {
                self.memory = Vec::new();
                self.spill = Some(spill);
            }
            Err(e) => self.give_up_spilling(e),
        }
    }

    /// Reads back what was written and keeps every row in memory from now on.
    fn give_up_spilling(&mut self, error: io::Error) {
        tracing::warn!(
            "cannot store report rows in a temporary file ({error}); keeping them in memory, \
             which needs more of it. Point TMPDIR (RUNNER_TEMP in the action) at a writable \
             directory with free space to avoid this"
        );
        self.limit = usize::MAX;
        if let Some(spill) = self.spill.take() {
            let mut stored = std::mem::take(&mut self.memory);
            match finish_spill(spill).and_then(|rows| rows.read(0..rows.records.len())) {
                Ok(mut rows) => {
                    rows.append(&mut stored);
                    self.memory = rows;
                }
                Err(e) => {
                    tracing::warn!(
                        "cannot read the stored report rows back ({e}); the unchanged rows \
                         stored so far are missing from report.json (they are still \
                         counted). Check the temporary directory (TMPDIR) for free space"
                    );
                    self.memory = stored;
                }
            }
        }
    }

    /// The rows: all of them as deltas if none were stored, else the first ones in report
    /// order (up to the limit) as deltas and the others stored. The comparison puts the
    /// deltas in report order ([`crate::compare::Assembly::finish`]).
    pub fn finish(mut self) -> (Vec<Delta>, Option<StoredRows>) {
        let Some(spill) = self.spill.take() else {
            return (self.memory, None);
        };
        let limit = self.limit;
        let rows = finish_spill(spill).and_then(|mut rows| {
            let first = rows.read(0..limit.min(rows.records.len()))?;
            rows.records.drain(..first.len());
            Ok((first, rows))
        });
        match rows {
            Ok((first, rest)) if rest.records.is_empty() => (first, None),
            Ok((first, rest)) => (first, Some(rest)),
            Err(e) => {
                self.give_up_spilling(e);
                (self.memory, None)
            }
        }
    }
}

/// Flushes a spill and sorts its records into report order (rank descending; the key
/// order they were written in breaks ties).
fn finish_spill(spill: Spill) -> io::Result<StoredRows> {
    let Spill {
        out, mut records, ..
    } = spill;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    records.sort_by(|a, b| b.rank.total_cmp(&a.rank));
    Ok(StoredRows { file, records })
}

/// Unchanged rows stored outside memory, in report order, in `report.json`'s layout.
pub struct StoredRows {
    file: File,
    records: Vec<Record>,
}

impl std::fmt::Debug for StoredRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredRows")
            .field("rows", &self.records.len())
            .finish()
    }
}

impl StoredRows {
    /// Number of stored rows.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Calls `each` with the JSON of every stored row, in report order.
    pub fn for_each(&self, each: impl FnMut(&[u8]) -> io::Result<()>) -> io::Result<()> {
        each_row(&self.file, &self.records, each)
    }

    /// The rows at `range` of the report order, parsed.
    fn read(&self, range: std::ops::Range<usize>) -> io::Result<Vec<Delta>> {
        let mut rows = Vec::with_capacity(range.len());
        each_row(&self.file, &self.records[range], |json| {
            rows.push(serde_json::from_slice(json)?);
            Ok(())
        })?;
        Ok(rows)
    }
}

/// Calls `each` with the JSON of the rows at `records` of `file`, in that order.
fn each_row(
    mut file: &File,
    records: &[Record],
    mut each: impl FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<()> {
    let mut buf = Vec::new();
    for r in records {
        buf.resize(r.len as usize, 0);
        file.seek(SeekFrom::Start(r.offset))?;
        file.read_exact(&mut buf)?;
        each(&buf)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{Confidence, Gate, Status};
    use crate::model::{Direction, SeriesKey};

    /// An unchanged delta of benchmark `name` whose mean moved by `pct` percent.
    fn row(name: &str, pct: f64) -> Delta {
        Delta {
            key: SeriesKey::new("a.csv", name, "tokens_s"),
            unit: "tokens/s".into(),
            direction: Direction::HigherIsBetter,
            status: Status::Unchanged,
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
            reason: format!("{pct:+} % within the warn threshold 5 %"),
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

    /// Rows in key order, with changes that put them in another report order.
    fn rows() -> Vec<Delta> {
        let pcts = [0.5, -3.0, 0.0, 1.5, -0.5, 3.0, 0.0, 2.25, -1.0, 0.1];
        pcts.iter()
            .enumerate()
            .map(|(i, &p)| row(&format!("b{i:02}"), p))
            .collect()
    }

    fn names(rows: &[Delta]) -> Vec<String> {
        rows.iter().map(|d| d.key.benchmark.clone()).collect()
    }

    /// The report order of unchanged rows: largest change first, then key.
    fn report_order(mut rows: Vec<Delta>) -> Vec<Delta> {
        rows.sort_by(|a, b| {
            unchanged_rank(b)
                .total_cmp(&unchanged_rank(a))
                .then_with(|| a.key.cmp(&b.key))
        });
        rows
    }

    fn stored(rows: &StoredRows) -> Vec<Delta> {
        let mut out = Vec::new();
        rows.for_each(|json| {
            out.push(serde_json::from_slice(json)?);
            Ok(())
        })
        .unwrap();
        out
    }

    /// The test rows through `store`.
    fn through(mut store: RowStore) -> (Vec<Delta>, Option<StoredRows>) {
        for r in rows() {
            store.push(r);
        }
        store.finish()
    }

    #[test]
    fn rows_beyond_the_limit_are_stored_and_come_back_in_report_order() {
        let (first, rest) = through(RowStore::with_limit(3));
        let rest = rest.expect("stored");
        assert_eq!(rest.len(), 7);
        let mut all = first.clone();
        all.extend(stored(&rest));
        assert_eq!(all, report_order(rows()));
        assert_eq!(names(&first), ["b01", "b05", "b07"]);
    }

    #[test]
    fn within_the_limit_nothing_is_stored() {
        let (kept, rest) = through(RowStore::with_limit(10));
        assert!(rest.is_none());
        assert_eq!(kept, rows());
    }

    #[test]
    fn without_a_usable_temporary_directory_the_rows_stay_in_memory() {
        let missing = tempfile::tempdir().unwrap().path().join("gone");
        let (kept, rest) = through(RowStore::with_limit(3).in_dir(&missing));
        assert!(rest.is_none());
        assert_eq!(kept, rows());
    }
}
