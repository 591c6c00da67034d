//! JSON as benchmark tools write it: one document, a stream of documents (NDJSON or
//! pretty-printed objects one after another), Python's bare `NaN`/`Infinity`, and log lines
//! mixed in between. Everything here is lenient: what cannot be read is reported, the rest kept.
//!
//! A stream is read as [`Value`]s, or as any type that reads every JSON value (an adapter's
//! own record type built on [`Objects`], [`Key`] and [`Skip`]), so that an adapter that needs
//! a few fields of each record builds no tree of the others.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// One JSON value found in a text, with the 1-based line it starts on and its byte offset in
/// the text that was read.
#[derive(Debug)]
pub struct Doc<T = Value> {
    pub value: T,
    pub line: usize,
    pub offset: usize,
}

/// The values found in a text and the fragments that were not JSON.
#[derive(Debug, Default)]
pub struct Stream {
    pub docs: Vec<Doc>,
    /// `line N: reason` for every fragment that was skipped.
    pub errors: Vec<String>,
}

impl Stream {
    /// One warning summarising the skipped fragments, if there were any.
    pub fn skipped_summary(&self) -> Option<String> {
        skipped_summary(&self.errors)
    }

    /// Every object of the stream, top-level arrays flattened one level, with a locator
    /// (`line 3` for a stream element, `line 1, /4` for an array element).
    pub fn objects(&self) -> Vec<(&Map<String, Value>, String)> {
        let mut out = Vec::new();
        for doc in &self.docs {
            out.extend(objects_of(&doc.value, doc.line));
        }
        out
    }
}

/// The objects of one value found at `line`: the value itself when it is an object, the
/// object elements when it is an array; each with its locator, as [`Stream::objects`] gives it.
pub fn objects_of(value: &Value, line: usize) -> Vec<(&Map<String, Value>, String)> {
    let objects = match value {
        Value::Object(map) => Objects::One(map),
        Value::Array(items) => Objects::Array(items.iter().map(Value::as_object).collect()),
        _ => Objects::Other,
    };
    objects
        .located(line)
        .into_iter()
        .map(|(map, at)| (*map, at))
        .collect()
}

/// Where an object was found: `line 3`, or `line 1, /4` for element 4 of an array.
fn locator(line: usize, element: Option<usize>) -> String {
    match element {
        None => format!("line {line}"),
        Some(i) => format!("line {line}, /{i}"),
    }
}

/// One warning summarising the fragments [`read`] skipped (`errors`), if there were any.
pub fn skipped_summary(errors: &[String]) -> Option<String> {
    let first = errors.first()?;
    Some(format!(
        "{} fragment(s) are not valid JSON and were skipped (first at {first})",
        errors.len()
    ))
}

/// Reads every JSON value in `text`. After a fragment that does not parse, reading resumes at
/// the next line that starts (after indentation) with `{` or `[`.
pub fn stream(text: &str) -> Stream {
    let mut docs = Vec::new();
    let errors = read(&prepare(text), |doc| docs.push(doc));
    Stream { docs, errors }
}

/// `text` as [`read`] expects it: without a byte order mark, and with the bare `NaN`,
/// `Infinity` and `-Infinity` tokens that Python's `json` module writes replaced by `null`.
pub fn prepare(text: &str) -> Cow<'_, str> {
    replace_non_finite(text.trim_start_matches(BOM))
}

/// Reads every JSON value in a [`prepare`]d `text` as a `T`, which must read any JSON value
/// (so that what is skipped, and why, does not depend on `T`), and hands each to `each` in
/// order. After a fragment that does not parse, reading resumes at the next line that starts
/// (after indentation) with `{` or `[`. Returns `line N: reason` for every fragment skipped.
pub fn read<'de, T: Deserialize<'de>>(text: &'de str, mut each: impl FnMut(Doc<T>)) -> Vec<String> {
    let mut errors = Vec::new();
    let mut lines = LineCounter::default();
    let mut pos = 0;
    while pos < text.len() {
        let rest = &text[pos..];
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<T>();
        loop {
            let before = values.byte_offset();
            match values.next() {
                None => return errors,
                Some(Ok(value)) => {
                    let start = pos + before + leading_whitespace(&rest[before..]);
                    each(Doc {
                        value,
                        line: lines.line_of(text, start),
                        offset: start,
                    });
                }
                Some(Err(e)) => {
                    let start = pos + before + leading_whitespace(&rest[before..]);
                    errors.push(format!("line {}: {e}", lines.line_of(text, start)));
                    match next_value_line(text, start) {
                        Some(next) => {
                            pos = next;
                            break;
                        }
                        None => return errors,
                    }
                }
            }
        }
    }
    errors
}

/// The [`Value`] of the document that starts at byte `offset` of a text [`read`] found it in.
pub fn value_at(text: &str, offset: usize) -> Option<Value> {
    let rest = text.get(offset..)?;
    Value::deserialize(&mut serde_json::Deserializer::from_str(rest)).ok()
}

/// The objects of a JSON value, read as `T` from each object's entries: the value itself
/// when it is an object, the object elements of an array (`None` for other elements, so
/// that positions stay those of the array), nothing for any other value.
#[derive(Debug)]
pub enum Objects<T> {
    One(T),
    Array(Vec<Option<T>>),
    Other,
}

impl<T> Objects<T> {
    /// Each object with its locator, as [`Stream::objects`] gives them for a value at `line`.
    pub fn located(&self, line: usize) -> Vec<(&T, String)> {
        match self {
            Objects::One(object) => vec![(object, locator(line, None))],
            Objects::Array(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| Some((item.as_ref()?, locator(line, Some(i)))))
                .collect(),
            Objects::Other => Vec::new(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Objects<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ObjectsVisitor {
            top: true,
            object: PhantomData,
        })
    }
}

/// Reads [`Objects`]; below the top level (`top` false) an array is read past, as
/// [`Stream::objects`] flattens only one level.
struct ObjectsVisitor<T> {
    top: bool,
    object: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectsVisitor<T> {
    type Value = Objects<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Objects::One)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        if !self.top {
            return SkipVisitor.visit_seq(seq).map(|Skip| Objects::Other);
        }
        let mut items = Vec::new();
        while let Some(Element(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Objects::Array(items))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Objects::Other)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Objects::Other)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Objects::Other)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Objects::Other)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Objects::Other)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Objects::Other)
    }
}

/// An array element of [`Objects`]: an object read as `T`, `None` for any other value.
struct Element<T>(Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Element<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let element = deserializer.deserialize_any(ObjectsVisitor {
            top: false,
            object: PhantomData,
        })?;
        Ok(Element(match element {
            Objects::One(object) => Some(object),
            Objects::Array(_) | Objects::Other => None,
        }))
    }
}

/// An object key, borrowed from the text unless it holds escapes.
pub struct Key<'de>(pub Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Self::Value, E> {
        Ok(Key(Cow::Borrowed(key)))
    }

    fn visit_str<E>(self, key: &str) -> Result<Self::Value, E> {
        Ok(Key(Cow::Owned(key.to_string())))
    }
}

/// Any JSON value, read past: checked exactly as reading it as a [`Value`] would (numbers
/// in range, nesting depth), so that skipping a field fails where reading it would.
pub struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Skip)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_unit<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
}

/// True when the first non-blank character of `text` opens a JSON object or array.
pub fn looks_like_json(text: &str) -> bool {
    matches!(
        text.trim_start_matches(BOM).trim_start().chars().next(),
        Some('{' | '[')
    )
}

const BOM: char = '\u{feff}';

/// A label value for a scalar: strings as written, numbers and booleans in their JSON spelling;
/// `null`, arrays and objects give `None`.
pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A finite number, or `None` for anything else (strings are not converted).
pub fn number(value: Option<&Value>) -> Option<f64> {
    value.and_then(Value::as_f64).filter(|v| v.is_finite())
}

/// Every element of a JSON array of numbers; non-numbers become NaN so the caller can count
/// them as failed measurements.
pub fn numbers(value: Option<&Value>) -> Option<Vec<f64>> {
    let items = value?.as_array()?;
    Some(
        items
            .iter()
            .map(|v| v.as_f64().unwrap_or(f64::NAN))
            .collect(),
    )
}

fn leading_whitespace(s: &str) -> usize {
    s.len() - s.trim_start().len()
}

/// Turns byte offsets into line numbers, for offsets that only grow.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    newlines: usize,
}

impl LineCounter {
    fn line_of(&mut self, text: &str, byte: usize) -> usize {
        let end = byte.min(text.len());
        if end > self.offset {
            self.newlines += text.as_bytes()[self.offset..end]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.offset = end;
        }
        self.newlines + 1
    }
}

/// Byte offset of the first line after the one containing `from` whose first non-blank
/// character is `{` or `[`.
fn next_value_line(text: &str, from: usize) -> Option<usize> {
    let mut offset = from + text[from..].find('\n')? + 1;
    while offset < text.len() {
        let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        let line = &text[offset..line_end];
        let indent = leading_whitespace(line);
        if matches!(line[indent..].chars().next(), Some('{' | '[')) {
            return Some(offset + indent);
        }
        offset = line_end + 1;
    }
    None
}

/// Replaces the bare `NaN`, `Infinity` and `-Infinity` tokens that Python's `json` module
/// writes with `null`, leaving strings untouched.
fn replace_non_finite(text: &str) -> Cow<'_, str> {
    replace_bare_tokens(
        text,
        &[("-Infinity", "null"), ("Infinity", "null"), ("NaN", "null")],
    )
}

/// Replaces each bare token (outside strings, not part of a longer word) of `replacements`
/// with its replacement, in the order given (`-Infinity` before `Infinity`).
pub(crate) fn replace_bare_tokens<'a>(
    text: &'a str,
    replacements: &[(&str, &str)],
) -> Cow<'a, str> {
    if !replacements.iter().any(|(token, _)| text.contains(token)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        } else {
            let boundary = !out
                .chars()
                .next_back()
                .is_some_and(|p| p.is_alphanumeric() || p == '_');
            if boundary {
                if let Some((token, replacement)) =
                    replacements.iter().find(|(t, _)| rest.starts_with(t))
                {
                    out.push_str(replacement);
                    rest = &rest[token.len()..];
                    continue;
                }
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_concatenated_pretty_objects_and_skips_log_lines() {
        let text = "[DEBUG] start [x]\n{\n  \"a\": 1\n}\n[DEBUG] more\n{\"a\": 2}\n";
        let s = stream(text);
        assert_eq!(s.docs.len(), 2);
        assert_eq!(s.docs[0].line, 2);
        assert_eq!(s.docs[1].line, 6);
        assert_eq!(s.errors.len(), 2);
    }

    #[test]
    fn python_non_finite_numbers_become_null() {
        let s = stream("{\"a\": NaN, \"b\": -Infinity, \"c\": \"NaN\"}");
        let v = &s.docs[0].value;
        assert!(v["a"].is_null() && v["b"].is_null());
        assert_eq!(v["c"], "NaN");
    }

    #[test]
    fn byte_order_mark_is_ignored() {
        let text = "\u{feff}{\"a\": 1}";
        assert!(looks_like_json(text));
        assert_eq!(stream(text).docs.len(), 1);
    }

    #[test]
    fn truncated_document_is_an_error_not_a_value() {
        let s = stream("{\"a\": [1, 2");
        assert!(s.docs.is_empty());
        assert_eq!(s.errors.len(), 1);
    }
}
