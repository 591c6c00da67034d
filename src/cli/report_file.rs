//! Writes `report.json`: pretty-printed straight into a buffered file, so a report of
//! hundreds of thousands of rows is never held in memory as one string, with the rows a
//! large comparison stored outside memory ([`StoredRows`]) copied in after the others.
//! The bytes are exactly those `serde_json::to_writer_pretty` gives for the whole report.

use crate::report::{Omitted, Report};
use crate::trees::StoredRows;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Writes `report` (and the `stored` rows that follow its own) to `path` as pretty JSON
/// with a final newline.
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
            serde_json::to_writer_pretty(Indented::new(&mut *out, 2), value)?;
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
    for delta in &report.deltas {
        next(out)?;
        serde_json::to_writer_pretty(Indented::new(&mut *out, 4), delta)?;
    }
    if let Some(stored) = stored {
        stored.for_each(|json| {
            next(out)?;
            Indented::new(&mut *out, 4).write_all(json)
        })?;
    }
    let empty = first;
    out.write_all(if empty { b"[]" } else { b"\n  ]" })
}

/// Indents every line after the first by `indent` spaces: a value pretty-printed at the
/// top level becomes the same value pretty-printed `indent / 2` levels deep.
struct Indented<W> {
    out: W,
    indent: usize,
}

impl<W: Write> Indented<W> {
    fn new(out: W, indent: usize) -> Self {
        Indented { out, indent }
    }
}

impl<W: Write> Write for Indented<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        const SPACES: &[u8] = b"        ";
        let mut rest = buf;
        while let Some(i) = rest.iter().position(|&b| b == b'\n') {
            self.out.write_all(&rest[..=i])?;
            self.out
                .write_all(&SPACES[..self.indent.min(SPACES.len())])?;
            rest = &rest[i + 1..];
        }
        self.out.write_all(rest)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indented_values_match_nested_pretty_printing() {
        let value = serde_json::json!({"a": {"b": [1, 2], "c": "x\ny"}, "d": []});
        let mut nested = Vec::new();
        serde_json::to_writer_pretty(&mut nested, &serde_json::json!({"k": value})).unwrap();
        let mut indented = b"{\n  \"k\": ".to_vec();
        serde_json::to_writer_pretty(Indented::new(&mut indented, 2), &value).unwrap();
        indented.extend_from_slice(b"\n}");
        assert_eq!(String::from_utf8(indented), String::from_utf8(nested));
    }
}
