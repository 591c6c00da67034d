//! JSON as benchmark tools write it: one document, a stream of documents (NDJSON or
//! pretty-printed objects one after another), Python's bare `NaN`/`Infinity`, and log lines
//! mixed in between. Everything here is lenient: what cannot be read is reported, the rest kept.

use serde_json::{Map, Value};
use std::borrow::Cow;

/// One JSON value found in a text, with the 1-based line it starts on.
#[derive(Debug)]
pub struct Doc {
    pub value: Value,
    pub line: usize,
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
        let first = self.errors.first()?;
        Some(format!(
            "{} fragment(s) are not valid JSON and were skipped (first at {first})",
            self.errors.len()
        ))
    }

    /// Every object of the stream, top-level arrays flattened one level, with a locator
    /// (`line 3` for a stream element, `line 1, /4` for an array element).
    pub fn objects(&self) -> Vec<(&Map<String, Value>, String)> {
        let mut out = Vec::new();
        for doc in &self.docs {
            match &doc.value {
                Value::Object(map) => out.push((map, format!("line {}", doc.line))),
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if let Value::Object(map) = item {
                            out.push((map, format!("line {}, /{i}", doc.line)));
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }
}

/// Reads every JSON value in `text`. After a fragment that does not parse, reading resumes at
/// the next line that starts (after indentation) with `{` or `[`.
pub fn stream(text: &str) -> Stream {
    let text = replace_non_finite(text.trim_start_matches(BOM));
    let text = text.as_ref();
    let mut out = Stream::default();
    let mut lines = LineCounter::default();
    let mut pos = 0;
    while pos < text.len() {
        let rest = &text[pos..];
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        loop {
            let before = values.byte_offset();
            match values.next() {
                None => return out,
                Some(Ok(value)) => {
                    let start = pos + before + leading_whitespace(&rest[before..]);
                    out.docs.push(Doc {
                        value,
                        line: lines.line_of(text, start),
                    });
                }
                Some(Err(e)) => {
                    let start = pos + before + leading_whitespace(&rest[before..]);
                    out.errors
                        .push(format!("line {}: {e}", lines.line_of(text, start)));
                    match next_value_line(text, start) {
                        Some(next) => {
                            pos = next;
                            break;
                        }
                        None => return out,
                    }
                }
            }
        }
    }
    out
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
