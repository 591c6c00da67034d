//! Writes `report.json` straight into a buffered file, so a report of hundreds of
//! thousands of rows is never held in memory as one string, with the rows a large
//! comparison stored outside memory ([`StoredRows`], already in this layout, merged into
//! report order as they are copied) after the others. The layout ([`layout`]): the
//! report's own fields as `serde_json::to_writer_pretty` gives them, each row of `deltas`
//! compact on a line of its own.

use crate::report::{layout, Omitted, Report};
use crate::trees::StoredRows;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::mpsc;

/// Writes `report` (and the `stored` rows that follow its own) to `path` as JSON in the
/// report's layout, with a final newline. The stored rows are used up: their temporary
/// file is closed (its pages freed) once they are read, while the last of them are written.
pub fn write(path: &Path, report: &Report, stored: Option<StoredRows>) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, File::create(path)?);
    write_to(&mut out, report, stored)?;
    out.flush()
}

/// Writes the report as [`write`] does, to any writer.
pub fn write_to(
    out: &mut impl Write,
    report: &Report,
    mut stored: Option<StoredRows>,
) -> io::Result<()> {
    let mut rest = report.without_rows();
    // Every row is in the file, so none is omitted from it.
    rest.omitted = Omitted::default();
    let serde_json::Value::Object(fields) = serde_json::to_value(&rest)? else {
        return Err(io::Error::other("the report is not a JSON object"));
    };
    out.write_all(b"{")?;
    for (i, (name, value)) in fields.iter().enumerate() {
        out.write_all(if i == 0 { b"\n  " } else { b",\n  " })?;
        serde_json::to_writer(&mut *out, name)?;
        out.write_all(b": ")?;
        if name == "deltas" {
            rows(out, report, stored.take())?;
        } else {
            layout::write(&mut *out, value, 1)?;
        }
    }
    out.write_all(b"\n}\n")
}

/// The `deltas` array: the report's rows, then the stored ones.
fn rows<W: Write>(out: &mut W, report: &Report, stored: Option<StoredRows>) -> io::Result<()> {
    let mut first = true;
    let mut row = Vec::new();
    for delta in &report.deltas {
        out.write_all(separator(&mut first))?;
        row.clear();
        layout::write_row(&mut row, delta)?;
        out.write_all(&row)?;
    }
    if let Some(stored) = stored {
        copy_stored(out, stored, &mut first)?;
    }
    out.write_all(if first { b"[]" } else { b"\n  ]" })
}

/// What goes before a row: the array's opening bracket before the first.
fn separator(first: &mut bool) -> &'static [u8] {
    let before: &[u8] = if *first { b"[\n    " } else { b",\n    " };
    *first = false;
    before
}

/// Bytes of stored rows handed to the writer at a time, and how many such blocks may wait.
const BLOCK: usize = 1 << 20;
const WAITING: usize = 4;

/// Copies the stored rows to `out`, each after its separator. Reading and merging them
/// (one thread) and writing them (this one) overlap, a few blocks apart: the two take
/// about as long, and a large report is mostly these rows. The reading thread drops the
/// stored rows when it is done, so closing their file overlaps the last writes.
fn copy_stored<W: Write>(out: &mut W, stored: StoredRows, first: &mut bool) -> io::Result<()> {
    let (blocks, received) = mpsc::sync_channel::<Vec<u8>>(WAITING);
    let (spent, reused) = mpsc::channel::<Vec<u8>>();
    let mut is_first = *first;
    std::thread::scope(|s| {
        let reader = s.spawn(move || -> io::Result<bool> {
            let mut block = Vec::with_capacity(BLOCK);
            stored.for_each(|json| {
                block.extend_from_slice(separator(&mut is_first));
                block.extend_from_slice(json);
                if block.len() >= BLOCK {
                    let next = reused
                        .try_recv()
                        .unwrap_or_else(|_| Vec::with_capacity(BLOCK));
                    let full = std::mem::replace(&mut block, next);
                    // The writer stopped on an error, which it reports.
                    if blocks.send(full).is_err() {
                        return Err(io::Error::other("the report writer stopped"));
                    }
                }
                Ok(())
            })?;
            drop(stored);
            if !block.is_empty() {
                // As above: the writer's error is the one reported.
                let _ = blocks.send(block);
            }
            Ok(is_first)
        });
        let written: io::Result<()> = received.iter().try_for_each(|mut block| {
            out.write_all(&block)?;
            block.clear();
            // The reader may have finished and gone: the block is then dropped.
            let _ = spent.send(block);
            Ok(())
        });
        // Dropping the receiver stops a reader still sending.
        drop(received);
        let read = reader
            .join()
            .map_err(|_| io::Error::other("reading the stored report rows failed"))?;
        written?;
        *first = read?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::compare;
    use crate::config::Policy;
    use crate::model::{Direction, Series, SeriesKey};
    use crate::report::{build, ReportParts};
    use crate::trees::RowStore;

    /// The rows of `n` unchanged metrics stored beyond a store that keeps one in memory.
    fn stored(n: usize) -> StoredRows {
        let series: Vec<Series> = (0..n)
            .map(|i| {
                let key = SeriesKey::new("a.csv", format!("b{i:05}"), "tokens_s");
                let mut s = Series::new(key, "tokens/s", Direction::HigherIsBetter);
                s.samples = vec![100.0, 101.0, 99.5];
                s
            })
            .collect();
        let mut store = RowStore::with_limit(1);
        for delta in compare(&series, &series, &Policy::default()).deltas {
            store.push(delta);
        }
        store.take_unchanged();
        store.finish().expect("rows stored")
    }

    fn empty_report() -> Report {
        build(ReportParts::of(compare(&[], &[], &Policy::default())))
    }

    /// A writer that fails once `left` bytes are written.
    struct Full {
        left: usize,
    }

    impl Write for Full {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if buf.len() > self.left {
                return Err(io::Error::other("no space left on device"));
            }
            self.left -= buf.len();
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn stored_rows_are_copied_whole_each_on_its_line() {
        let rows = stored(3000);
        let mut out = Vec::new();
        write_to(&mut out, &empty_report(), Some(rows)).unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(report["deltas"].as_array().map(Vec::len), Some(2999));
        let text = String::from_utf8(out).unwrap();
        let lines = text.lines().filter(|l| l.starts_with("    {\"source\":"));
        assert_eq!(lines.count(), 2999);
    }

    #[test]
    fn a_failing_writer_stops_the_copy_with_its_error() {
        // More rows than the blocks that may wait, so the reader would block on a writer
        // that stopped.
        for left in [0, 10, 3 << 20] {
            let rows = stored(12_000);
            let err = write_to(&mut Full { left }, &empty_report(), Some(rows)).unwrap_err();
            assert_eq!(err.to_string(), "no space left on device");
        }
    }
}
