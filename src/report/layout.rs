//! The JSON layout of `report.json`: serde_json's pretty layout (two spaces per level) for
//! the report's own fields, started at any depth ([`write`]; each line break and its
//! indentation go out in one write), and each row of `deltas` compact on a line of its own
//! ([`write_row`]): a large report is mostly rows, a third smaller that way, and a row per
//! line is what `grep`, `diff` and line-oriented tools want. Rows are written field by
//! field: the bytes serde gives, without its generic machinery per field.

use crate::compare::{Delta, MergedSeries, NoiseBand, SideStats};
use crate::model::{Labels, SeriesKey};
use serde::Serialize;
use serde_json::ser::Formatter;
use std::io::{self, Write};
use std::sync::Arc;

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

/// Writes one row of the report's `deltas` as `report.json` holds it, appended to `out`:
/// compact, on one line of its own. The bytes are those `serde_json::to_writer` gives for
/// the row: the fields in the order and with the names of `Delta`'s serde attributes,
/// numbers written by serde_json, strings too when they need escapes.
pub fn write_row(out: &mut Vec<u8>, delta: &Delta) -> io::Result<()> {
    Row { out }.delta(delta)
}

/// A field name (a plain identifier) as a row holds it, between quotes and followed by
/// its colon, in one piece.
macro_rules! name {
    ($name:literal) => {
        concat!("\"", $name, "\":")
    };
}

/// A row being written into its buffer.
struct Row<'a> {
    out: &'a mut Vec<u8>,
}

impl Row<'_> {
    fn delta(&mut self, d: &Delta) -> io::Result<()> {
        self.object(|w| {
            w.key_fields(&d.key)?;
            w.field(name!("unit"), |w| w.str(&d.unit))?;
            w.field(name!("direction"), |w| w.str(d.direction.as_str()))?;
            w.field(name!("status"), |w| w.str(d.status.as_str()))?;
            w.field(name!("gate"), |w| w.str(d.gate.as_str()))?;
            w.field(name!("base"), |w| w.side(d.base.as_ref()))?;
            w.field(name!("head"), |w| w.side(d.head.as_ref()))?;
            w.field(name!("change_abs"), |w| w.number(d.change_abs))?;
            w.field(name!("change_pct"), |w| w.number(d.change_pct))?;
            w.field(name!("change_kind"), |w| w.str(d.change_kind.as_str()))?;
            w.field(name!("p_value"), |w| w.number(d.p_value))?;
            w.field(name!("test"), |w| match &d.test {
                Some(test) => w.str(test),
                None => w.null(),
            })?;
            w.field(name!("confidence"), |w| w.str(d.confidence.as_str()))?;
            w.field(name!("warn_pct"), |w| w.number(d.warn_pct))?;
            w.field(name!("fail_pct"), |w| w.number(d.fail_pct))?;
            w.field(name!("reason"), |w| w.str(&d.reason))?;
            w.field(name!("base_origin"), |w| w.strs(&d.base_origin))?;
            w.field(name!("head_origin"), |w| w.strs(&d.head_origin))?;
            w.field(name!("noise"), |w| match &d.noise {
                Some(band) => w.noise(band),
                None => w.null(),
            })?;
            w.field(name!("blocking"), |w| {
                w.out
                    .extend_from_slice(if d.blocking { b"true" } else { b"false" });
                Ok(())
            })?;
            if !d.provenance.is_empty() {
                w.field(name!("provenance"), |w| w.labels(&d.provenance))?;
            }
            if let Some(kind) = d.merged_as {
                w.field(name!("merged_as"), |w| w.str(kind.as_str()))?;
            }
            if !d.merged.is_empty() {
                w.field(name!("merged"), |w| w.array(&d.merged, Row::merged))?;
            }
            Ok(())
        })
    }

    /// The fields of a key, flattened into the object being written.
    fn key_fields(&mut self, key: &SeriesKey) -> io::Result<()> {
        self.field(name!("source"), |w| w.str(&key.source))?;
        self.field(name!("benchmark"), |w| w.str(&key.benchmark))?;
        self.field(name!("metric"), |w| w.str(&key.metric))?;
        self.field(name!("labels"), |w| w.labels(&key.labels))
    }

    fn side(&mut self, side: Option<&SideStats>) -> io::Result<()> {
        let Some(s) = side else {
            return self.null();
        };
        self.object(|w| {
            w.field(name!("n"), |w| w.number(s.n))?;
            w.field(name!("mean"), |w| w.number(s.mean))?;
            w.field(name!("median"), |w| w.number(s.median))?;
            w.field(name!("stddev"), |w| w.number(s.stddev))?;
            w.field(name!("min"), |w| w.number(s.min))?;
            w.field(name!("max"), |w| w.number(s.max))?;
            w.field(name!("failed"), |w| w.number(s.failed))
        })
    }

    fn noise(&mut self, band: &NoiseBand) -> io::Result<()> {
        self.object(|w| {
            w.field(name!("runs"), |w| w.number(band.runs))?;
            w.field(name!("median"), |w| w.number(band.median))?;
            w.field(name!("mad"), |w| w.number(band.mad))?;
            w.field(name!("k"), |w| w.number(band.k))?;
            w.field(name!("width_pct"), |w| w.number(band.width_pct))
        })
    }

    fn merged(&mut self, m: &MergedSeries) -> io::Result<()> {
        self.object(|w| {
            w.key_fields(&m.key)?;
            w.field(name!("unit"), |w| w.str(&m.unit))?;
            w.field(name!("status"), |w| w.str(m.status.as_str()))?;
            w.field(name!("base_origin"), |w| w.strs(&m.base_origin))?;
            w.field(name!("head_origin"), |w| w.strs(&m.head_origin))
        })
    }

    fn labels(&mut self, labels: &Labels) -> io::Result<()> {
        self.object(|w| {
            for (name, value) in labels {
                w.separate();
                w.str(name)?;
                w.out.push(b':');
                w.str(value)?;
            }
            Ok(())
        })
    }

    fn strs(&mut self, items: &[Arc<str>]) -> io::Result<()> {
        self.array(items, |w, s| w.str(s))
    }

    fn object(&mut self, fields: impl FnOnce(&mut Self) -> io::Result<()>) -> io::Result<()> {
        self.out.push(b'{');
        fields(self)?;
        self.out.push(b'}');
        Ok(())
    }

    fn array<T>(
        &mut self,
        items: &[T],
        item: impl Fn(&mut Self, &T) -> io::Result<()>,
    ) -> io::Result<()> {
        self.out.push(b'[');
        for x in items {
            self.separate();
            item(self, x)?;
        }
        self.out.push(b']');
        Ok(())
    }

    /// The comma before a member of an object or array, unless it is the first: no value
    /// ends in the bracket that opens one.
    fn separate(&mut self) {
        if !matches!(self.out.last(), Some(b'{' | b'[')) {
            self.out.push(b',');
        }
    }

    /// A field of the object being written: its `name` as [`name!`] writes it, then its
    /// value.
    fn field(
        &mut self,
        name: &'static str,
        value: impl FnOnce(&mut Self) -> io::Result<()>,
    ) -> io::Result<()> {
        self.separate();
        self.out.extend_from_slice(name.as_bytes());
        value(self)
    }

    /// A string: as it is between quotes when no byte of it needs an escape, else through
    /// serde_json.
    fn str(&mut self, s: &str) -> io::Result<()> {
        // Every byte is looked at (no early exit), which the compiler turns into wide
        // comparisons.
        let escapes = s
            .bytes()
            .fold(false, |e, b| e | (b < 0x20) | (b == b'"') | (b == b'\\'));
        if escapes {
            return serde_json::to_writer(&mut *self.out, s).map_err(io::Error::from);
        }
        self.out.reserve(s.len() + 2);
        self.out.push(b'"');
        self.out.extend_from_slice(s.as_bytes());
        self.out.push(b'"');
        Ok(())
    }

    fn null(&mut self) -> io::Result<()> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    /// A number (`None` and non-finite floats are `null`), as serde_json writes it.
    fn number(&mut self, n: impl Serialize) -> io::Result<()> {
        n.serialize(&mut serde_json::Serializer::new(&mut *self.out))
            .map_err(io::Error::from)
    }
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
    use crate::compare::{ChangeKind, Confidence, Gate, MergeKind, Status};
    use crate::model::Direction;
    use proptest::prelude::*;
    use serde_json::json;

    /// Strings plain and odd: quotes, backslashes, control characters, any Unicode.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9 _./:-]{0,16}",
            "[a\"\\\\\n\t\u{1}\u{1f}\u{7f}é→]{0,8}",
            any::<String>(),
        ]
    }

    /// Floats of every kind: serde writes the non-finite ones as `null`.
    fn float() -> impl Strategy<Value = f64> {
        prop_oneof![
            any::<f64>(),
            Just(5.0),
            Just(-0.0),
            Just(1e-300),
            Just(f64::NAN),
            Just(f64::INFINITY),
        ]
    }

    fn labels() -> impl Strategy<Value = Labels> {
        proptest::collection::vec((text(), text()), 0..3).prop_map(|pairs| {
            let mut labels = Labels::new();
            for (name, value) in pairs {
                labels.insert(name, value);
            }
            labels
        })
    }

    fn key() -> impl Strategy<Value = SeriesKey> {
        (text(), text(), text(), labels()).prop_map(|(source, benchmark, metric, labels)| {
            SeriesKey {
                source: source.into(),
                benchmark,
                metric,
                labels,
            }
        })
    }

    fn origins() -> impl Strategy<Value = Vec<Arc<str>>> {
        proptest::collection::vec(text().prop_map(Arc::from), 0..3)
    }

    fn status() -> impl Strategy<Value = Status> {
        proptest::sample::select(Status::ALL.to_vec())
    }

    fn side() -> impl Strategy<Value = Option<SideStats>> {
        let stats = (
            any::<usize>(),
            proptest::option::of(float()),
            proptest::option::of(float()),
            proptest::option::of(float()),
            proptest::option::of(float()),
            proptest::option::of(float()),
            any::<u32>(),
        )
            .prop_map(|(n, mean, median, stddev, min, max, failed)| SideStats {
                n,
                mean,
                median,
                stddev,
                min,
                max,
                failed,
            });
        proptest::option::of(stats)
    }

    fn noise() -> impl Strategy<Value = Option<NoiseBand>> {
        let band = (any::<usize>(), float(), float(), float(), float()).prop_map(
            |(runs, median, mad, k, width_pct)| NoiseBand {
                runs,
                median,
                mad,
                k,
                width_pct,
            },
        );
        proptest::option::of(band)
    }

    fn merged() -> impl Strategy<Value = Vec<MergedSeries>> {
        let series = (key(), text(), status(), origins(), origins()).prop_map(
            |(key, unit, status, base_origin, head_origin)| MergedSeries {
                key,
                unit,
                status,
                base_origin,
                head_origin,
            },
        );
        proptest::collection::vec(series, 0..3)
    }

    fn delta() -> impl Strategy<Value = Delta> {
        let what = (
            key(),
            text(),
            proptest::sample::select(vec![
                Direction::HigherIsBetter,
                Direction::LowerIsBetter,
                Direction::Neutral,
            ]),
            status(),
            proptest::sample::select(vec![Gate::Hard, Gate::Advisory, Gate::Ignore]),
            side(),
            side(),
        );
        let change = (
            proptest::option::of(float()),
            proptest::option::of(float()),
            proptest::sample::select(vec![
                ChangeKind::Relative,
                ChangeKind::Points,
                ChangeKind::Absolute,
            ]),
            proptest::option::of(float()),
            proptest::option::of(text()),
            proptest::sample::select(vec![Confidence::High, Confidence::Low, Confidence::None]),
            float(),
            float(),
        );
        let rest = (
            text(),
            origins(),
            origins(),
            noise(),
            any::<bool>(),
            labels(),
            proptest::option::of(proptest::sample::select(vec![
                MergeKind::Measurement,
                MergeKind::File,
            ])),
            merged(),
        );
        (what, change, rest).prop_map(
            |(
                (key, unit, direction, status, gate, base, head),
                (
                    change_abs,
                    change_pct,
                    change_kind,
                    p_value,
                    test,
                    confidence,
                    warn_pct,
                    fail_pct,
                ),
                (reason, base_origin, head_origin, noise, blocking, provenance, merged_as, merged),
            )| Delta {
                key,
                unit,
                direction,
                status,
                gate,
                base,
                head,
                change_abs,
                change_pct,
                change_kind,
                p_value,
                test,
                confidence,
                warn_pct,
                fail_pct,
                reason,
                base_origin,
                head_origin,
                noise,
                blocking,
                provenance,
                merged_as,
                merged,
            },
        )
    }

    /// `d` with its floats that are not optional made finite.
    fn finite(mut d: Delta) -> Delta {
        let finite = |v: &mut f64| {
            if !v.is_finite() {
                *v = 1.5;
            }
        };
        finite(&mut d.warn_pct);
        finite(&mut d.fail_pct);
        if let Some(band) = &mut d.noise {
            for v in [
                &mut band.median,
                &mut band.mad,
                &mut band.k,
                &mut band.width_pct,
            ] {
                finite(v);
            }
        }
        d
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// The row writer gives the bytes serde gives for the row, compact, and a row read
        /// back is written the same.
        #[test]
        fn a_row_is_written_as_serde_writes_it(delta in delta()) {
            let mut ours = b"prefix".to_vec();
            write_row(&mut ours, &delta).unwrap();
            let mut serde = b"prefix".to_vec();
            serde_json::to_writer(&mut serde, &delta).unwrap();
            prop_assert_eq!(String::from_utf8(ours), String::from_utf8(serde));
            // Read back, a row is written the same again: every field is read. (A float
            // that is not optional cannot be read back from `null`: those are finite.)
            let mut row = Vec::new();
            write_row(&mut row, &finite(delta)).unwrap();
            let back: Delta = serde_json::from_slice(&row).unwrap();
            let mut again = Vec::new();
            write_row(&mut again, &back).unwrap();
            prop_assert_eq!(String::from_utf8(again), String::from_utf8(row));
        }
    }

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
