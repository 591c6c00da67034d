//! Writes `report.json`: pretty-printed straight into a buffered file, so a report of
//! hundreds of thousands of rows is never held in memory as one string.

use crate::report::Report;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes `report` to `path` as pretty JSON with a final newline.
pub fn write(path: &Path, report: &Report) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, File::create(path)?);
    serde_json::to_writer_pretty(&mut out, report)?;
    out.write_all(b"\n")?;
    out.flush()
}
