//! `ollama run --verbose` output: after each answer Ollama prints `total duration: 1m13.9s`,
//! `load duration`, `prompt eval count: 26 token(s)`, `prompt eval duration`,
//! `prompt eval rate: 108.54 tokens/s`, `eval count`, `eval duration` and `eval rate`.
//! Terminal escapes and spinner glyphs are removed first; every block of these lines is one
//! run (a sample). The model comes from an `ollama run <model>` command line or an `ollama ps`
//! table in the same text, else the file name; `Error:` lines count as failed runs.

use super::emit::{Emitter, Subject};
use super::ollama::{self, Timings};
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use crate::units;
use regex::Regex;
use std::sync::LazyLock;

const NAME: &str = "ollama-verbose";

pub struct OllamaVerbose;

impl Adapter for OllamaVerbose {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        let text = input.text;
        let has = |field: &str| text.contains(field);
        if has("eval count:") && (has("eval rate:") || has("eval duration:")) {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let text = strip_terminal(input.text);
        let events = scan(&text);
        let mut out = Emitter::new(input, NAME);
        let mut distinct: Vec<&str> = Vec::new();
        for (_, event) in &events {
            if let Event::Model(m) = event {
                if !distinct.contains(&m.as_str()) {
                    distinct.push(m);
                }
            }
        }
        let only_model = match distinct.as_slice() {
            [one] => Some(one.to_string()),
            _ => None,
        };
        let fallback = out.file_stem();
        let mut model: Option<String> = only_model.clone();
        let mut run: Option<Run> = None;
        for (line, event) in &events {
            match event {
                Event::Model(m) => {
                    flush(&mut out, &mut run, model.as_deref().unwrap_or(&fallback));
                    if only_model.is_none() {
                        model = Some(m.clone());
                    }
                }
                Event::Error(message) => {
                    flush(&mut out, &mut run, model.as_deref().unwrap_or(&fallback));
                    let name = model
                        .clone()
                        .or_else(|| ollama::model_in_error(message))
                        .unwrap_or_else(|| fallback.clone());
                    let at = format!("line {line}");
                    ollama::emit_failure(&mut out, &Subject::new(&name), &at);
                    out.warn(format!(
                        "{at}: Ollama reported an error for {name}: {message}"
                    ));
                }
                Event::Field(field, raw) => {
                    let Some(value) = field.value(raw) else {
                        out.warn(format!(
                            "line {line}: cannot read `{}: {raw}`; the value was skipped",
                            field.label()
                        ));
                        continue;
                    };
                    if run.as_ref().is_some_and(|r| r.seen.contains(field)) {
                        flush(&mut out, &mut run, model.as_deref().unwrap_or(&fallback));
                    }
                    let current = run.get_or_insert_with(|| Run {
                        line: *line,
                        timings: Timings::default(),
                        seen: Vec::new(),
                    });
                    *field.slot(&mut current.timings) = Some(value);
                    current.seen.push(*field);
                }
            }
        }
        flush(&mut out, &mut run, model.as_deref().unwrap_or(&fallback));
        out.finish()
    }
}

/// One block of timing lines: where it starts, what it says, and which fields it has had
/// (a field seen twice starts the next run).
struct Run {
    line: usize,
    timings: Timings,
    seen: Vec<Field>,
}

/// Emits the run being read, if any. Ollama always ends a block with the eval rate, so a
/// block without one was cut short.
fn flush(out: &mut Emitter, run: &mut Option<Run>, model: &str) {
    if let Some(r) = run.take() {
        let at = format!("line {}", r.line);
        if r.timings.eval_rate.is_none() {
            out.warn(format!(
                "{at}: the timing block has no `eval rate` line; it may be truncated"
            ));
        }
        r.timings.emit(out, &Subject::new(model), &at);
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    TotalDuration,
    LoadDuration,
    PromptEvalCount,
    PromptEvalDuration,
    PromptEvalRate,
    EvalCount,
    EvalDuration,
    EvalRate,
}

impl Field {
    const ALL: [Field; 8] = [
        Field::TotalDuration,
        Field::LoadDuration,
        Field::PromptEvalCount,
        Field::PromptEvalDuration,
        Field::PromptEvalRate,
        Field::EvalCount,
        Field::EvalDuration,
        Field::EvalRate,
    ];

    fn label(self) -> &'static str {
        match self {
            Field::TotalDuration => "total duration",
            Field::LoadDuration => "load duration",
            Field::PromptEvalCount => "prompt eval count",
            Field::PromptEvalDuration => "prompt eval duration",
            Field::PromptEvalRate => "prompt eval rate",
            Field::EvalCount => "eval count",
            Field::EvalDuration => "eval duration",
            Field::EvalRate => "eval rate",
        }
    }

    fn from_label(label: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.label() == label)
    }

    fn slot(self, t: &mut Timings) -> &mut Option<f64> {
        match self {
            Field::TotalDuration => &mut t.total_ms,
            Field::LoadDuration => &mut t.load_ms,
            Field::PromptEvalCount => &mut t.prompt_eval_count,
            Field::PromptEvalDuration => &mut t.prompt_eval_ms,
            Field::PromptEvalRate => &mut t.prompt_eval_rate,
            Field::EvalCount => &mut t.eval_count,
            Field::EvalDuration => &mut t.eval_ms,
            Field::EvalRate => &mut t.eval_rate,
        }
    }

    /// The value of `raw` in this field's canonical unit (ms, tokens, tokens/s).
    fn value(self, raw: &str) -> Option<f64> {
        match self {
            Field::TotalDuration
            | Field::LoadDuration
            | Field::PromptEvalDuration
            | Field::EvalDuration => units::parse_duration_secs(raw).map(|s| s * 1e3),
            Field::PromptEvalCount | Field::EvalCount => number_before(raw, "token(s)"),
            Field::PromptEvalRate | Field::EvalRate => number_before(raw, "tokens/s"),
        }
        .filter(|v| v.is_finite())
    }
}

/// The number in `raw`, which Ollama always writes followed by `suffix` (a value without it
/// was cut short).
fn number_before(raw: &str, suffix: &str) -> Option<f64> {
    let number = raw.trim().strip_suffix(suffix)?.trim();
    units::parse_quantity(number).map(|q| q.value)
}

#[derive(Debug)]
enum Event {
    Model(String),
    Error(String),
    Field(Field, String),
}

/// The lines that matter, in order, with their 1-based line numbers.
fn scan(text: &str) -> Vec<(usize, Event)> {
    static FIELD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^\s*(total duration|load duration|prompt eval count|prompt eval duration|prompt eval rate|eval count|eval duration|eval rate):\s*(\S.*?)\s*$",
        )
        .expect("valid regex")
    });
    static RUN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\bollama\s+run\s+([^\s-][^\s]*)").expect("valid regex"));
    static PS_HEADER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*NAME\s+ID\s+SIZE\s+PROCESSOR").expect("valid regex"));
    static ERROR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*Error:\s*(.*?)\s*$").expect("valid regex"));

    let mut events = Vec::new();
    let mut in_ps_table = false;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if let Some(c) = FIELD.captures(line) {
            if let Some(field) = Field::from_label(&c[1]) {
                events.push((n, Event::Field(field, c[2].to_string())));
            }
        } else if let Some(c) = RUN.captures(line) {
            events.push((n, Event::Model(c[1].to_string())));
        } else if PS_HEADER.is_match(line) {
            in_ps_table = true;
            continue;
        } else if in_ps_table {
            if let Some(name) = line.split_whitespace().next() {
                events.push((n, Event::Model(name.to_string())));
            }
        } else if let Some(c) = ERROR.captures(line) {
            events.push((n, Event::Error(c[1].to_string())));
        }
        in_ps_table = false;
    }
    events
}

/// Removes ANSI escape sequences and spinner glyphs; carriage returns become line breaks.
fn strip_terminal(text: &str) -> String {
    static ANSI: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]|[\u{2800}-\u{28FF}]")
            .expect("valid regex")
    });
    ANSI.replace_all(text, "")
        .replace("\r\n", "\n")
        .replace('\r', "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_spinners_are_removed() {
        let raw = "\x1b[?25l\u{280b} \x1b[?25h\x1b[2K\reval rate:   9.5 tokens/s\x1b[0m";
        assert_eq!(strip_terminal(raw), " \neval rate:   9.5 tokens/s");
    }

    #[test]
    fn counts_and_rates_drop_their_suffix() {
        assert_eq!(Field::EvalCount.value("26 token(s)"), Some(26.0));
        assert_eq!(Field::EvalRate.value("108.54 tokens/s"), Some(108.54));
        assert_eq!(Field::EvalRate.value("fast"), None);
        assert_eq!(Field::EvalRate.value("108.5"), None);
    }
}
