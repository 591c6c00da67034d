//! The JSON layout of `report.json`: serde_json's pretty layout (two spaces per level),
//! started at any depth, so that a row can be written on its own exactly as it appears
//! inside the whole report. Each line break and its indentation go out in one write.

use crate::compare::Delta;
use serde::Serialize;
use serde_json::ser::Formatter;
use std::io::{self, Write};

/// A line break followed by indentation, with a comma in front for the [`Pretty::line`]
/// that follows a value.
const LINE: &[u8] = b",\n                                                                ";

/// serde_json's pretty layout, `level` levels deep.
#[derive(Debug, Clone, Copy)]
pub struct Pretty {
    level: usize,
    has_value: bool,
}

impl Pretty {
    /// A formatter for a value that starts `level` levels deep.
    pub fn at(level: usize) -> Self {
        Pretty {
            level,
            has_value: false,
        }
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    /// Closes an array or object: on a line of its own unless it is empty.
    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.line(w, false)?;
        }
        w.write_all(bracket)
    }

    fn line<W: ?Sized + Write>(&self, w: &mut W, comma: bool) -> io::Result<()> {
        let start = usize::from(!comma);
        let width = 2 + 2 * self.level;
        if width <= LINE.len() {
            return w.write_all(&LINE[start..width]);
        }
        w.write_all(&LINE[start..2])?;
        for _ in 0..self.level {
            w.write_all(b"  ")?;
        }
        Ok(())
    }
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.line(w, !first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.line(w, !first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Writes one row of the report's `deltas` as `report.json` holds it (the array is a
/// field of the top-level object, so its rows start two levels deep).
pub fn write_row<W: Write>(w: W, delta: &Delta) -> serde_json::Result<()> {
    write(w, delta, 2)
}

/// Writes `value` in the report's layout, `level` levels deep.
pub fn write<W: Write, T: ?Sized + Serialize>(
    w: W,
    value: &T,
    level: usize,
) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, Pretty::at(level));
    value.serialize(&mut ser)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn at_the_top_it_is_serde_json_pretty() {
        // Deeper than the indentation kept ready, to reach the fallback.
        let mut deep = json!(1);
        for _ in 0..40 {
            deep = json!([deep]);
        }
        let values = [
            json!({"a": {"b": [1, 2, {"c": []}], "d": {}}, "e": "x\ny", "f": deep}),
            json!([]),
            json!(1.5),
        ];
        for value in values {
            let mut ours = Vec::new();
            write(&mut ours, &value, 0).unwrap();
            assert_eq!(
                String::from_utf8(ours),
                Ok(serde_json::to_string_pretty(&value).unwrap())
            );
        }
    }

    #[test]
    fn deeper_it_matches_the_value_inside_its_parents() {
        let inner = json!({"k": [1, {"z": null}]});
        let whole = serde_json::to_string_pretty(&json!({"outer": [inner.clone()]})).unwrap();
        let mut ours = b"{\n  \"outer\": [\n    ".to_vec();
        write(&mut ours, &inner, 2).unwrap();
        ours.extend_from_slice(b"\n  ]\n}");
        assert_eq!(String::from_utf8(ours), Ok(whole));
    }
}
