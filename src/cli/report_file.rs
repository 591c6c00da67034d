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

/// Writes `report` (and the `stored` rows that follow its own) to `path` as JSON in the
/// report's layout, with a final newline.
pub fn write(path: &Path, report: &Report, stored: Option<&StoredRows>) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, File::create(path)?);
    write_to(&mut out, report, stored)?;
    out.flush()
}

/// Writes the report as [`write`] does, to any writer.
pub fn write_to(
    out: &mut impl Write,
    report: &Report,
    stored: Option<&StoredRows>,
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
            rows(out, report, stored)?;
        } else {
            layout::write(&mut *out, value, 1)?;
        }
    }
    out.write_all(b"\n}\n")
}

/// The `deltas` array: the report's rows, then the stored ones.
fn rows<W: Write>(out: &mut W, report: &Report, stored: Option<&StoredRows>) -> io::Result<()> {
    let mut first = true;
    let mut next = |out: &mut W| -> io::Result<()> {
        out.write_all(if first { b"[\n    " } else { b",\n    " })?;
        first = false;
        Ok(())
    };
    let mut row = Vec::new();
    for delta in &report.deltas {
        next(out)?;
        row.clear();
        layout::write_row(&mut row, delta)?;
        out.write_all(&row)?;
    }
    if let Some(stored) = stored {
        stored.for_each(|json| {
            next(out)?;
            out.write_all(json)
        })?;
    }
    out.write_all(if first { b"[]" } else { b"\n  ]" })
}
