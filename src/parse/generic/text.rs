//! Generic text adapter (`.txt`, `.log`, `.out`, ...): `key: value unit` lines such as
//! `eval rate: 108.54 tokens/s` or `total duration: 1m13.9s`. Low confidence: any
//! tool-specific text adapter wins. The line reader is shared with Markdown bullet lists.

use super::sink::{file_benchmark, Reading, SeriesSink};
use crate::direction;
use crate::model::Labels;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use crate::units::{parse_quantity, Quantity};
use regex::Regex;
use std::sync::OnceLock;

/// Plain-text logs and summaries.
pub struct Text;

const NAME: &str = "text";
/// Longest key read as a metric name.
const MAX_KEY_CHARS: usize = 60;

impl Adapter for Text {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        match input.extension().as_str() {
            "txt" | "log" | "out" | "stdout" | "bench" | "" => Confidence::Generic,
            _ => Confidence::No,
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let mut sink = SeriesSink::new(input);
        let benchmark = file_benchmark(input.path);
        let labels = Labels::new();
        for (i, line) in input.text.lines().enumerate() {
            if let Some((key, q)) = key_value(line) {
                let direction = direction::infer(&key, &q.unit);
                let at = format!("line {}", i + 1);
                let reading = Reading::Value(q.value);
                sink.record(&benchmark, &key, &labels, &q.unit, direction, reading, &at);
            }
        }
        sink.finish()
    }
}

fn ansi_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\x1b\[[0-9;?]*[A-Za-z]").expect("static regex"))
}

/// `line` without ANSI colour and cursor escapes (`\x1b[1;34m`).
pub fn strip_ansi(line: &str) -> std::borrow::Cow<'_, str> {
    ansi_re().replace_all(line, "")
}

/// Reads `key: value` or `key = value` where the value is one quantity, after removing
/// ANSI escapes, a list bullet and Markdown emphasis (`- **Mean TTFT:** 766 ms`).
/// Settings and bookkeeping keys are not metrics and yield `None`.
pub fn key_value(line: &str) -> Option<(String, Quantity)> {
    let clean = strip_ansi(line);
    let clean = clean.replace(['*', '`'], "").replace("__", "");
    let mut t = clean.trim();
    for bullet in ["- ", "+ ", "• "] {
        if let Some(rest) = t.strip_prefix(bullet) {
            t = rest.trim_start();
        }
    }
    let split = t.find(':').or_else(|| t.find('='))?;
    let key = t[..split].trim();
    let value = t[split + 1..].trim();
    let words = key.split_whitespace().count();
    if key.is_empty()
        || key.chars().count() > MAX_KEY_CHARS
        || words > 8
        || !key.starts_with(|c: char| c.is_alphabetic())
        || key.contains(['|', '<', '>', '[', ']'])
        || direction::is_parameter(key)
        || direction::is_bookkeeping(key)
    {
        return None;
    }
    let q = parse_quantity(value)?;
    Some((key.to_string(), q))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_value_lines() {
        let kv = |l: &str| key_value(l).map(|(k, q)| (k, q.value, q.unit));
        assert_eq!(
            kv("- Throughput: 108.54 tok/s"),
            Some(("Throughput".into(), 108.54, "tokens/s".into()))
        );
        assert_eq!(
            kv("- **Mean TTFT:** 766 ms"),
            Some(("Mean TTFT".into(), 766.0, "ms".into()))
        );
        assert_eq!(
            kv("\x1b[1meval rate:\x1b[0m            108.54 tokens/s"),
            Some(("eval rate".into(), 108.54, "tokens/s".into()))
        );
        assert_eq!(
            kv("total duration:       1m13.9s").map(|v| v.2),
            Some("s".into())
        );
        assert_eq!(kv("Ollama URL: http://localhost:11434"), None);
        assert_eq!(kv("12:30:45 started"), None);
        assert_eq!(kv("num_ctx: 2048"), None);
        assert_eq!(kv("timestamp: 1759098967"), None);
        assert_eq!(kv("no separator here 12"), None);
    }

    #[test]
    fn repeated_keys_are_samples() {
        let text = "eval rate: 100 tokens/s\nnoise\neval rate: 110 tokens/s\n";
        let parsed = Text
            .parse(&Input {
                path: "logs/run.log",
                text,
            })
            .unwrap();
        assert_eq!(parsed.series.len(), 1);
        let s = &parsed.series[0];
        assert_eq!(s.key.benchmark, "run");
        assert_eq!(s.samples, vec![100.0, 110.0]);
        assert_eq!(s.origin[1].at, "line 3");
    }
}
