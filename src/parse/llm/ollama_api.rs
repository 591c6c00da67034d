//! Ollama `/api/generate` and `/api/chat` responses: one JSON object, or a stream of chunks
//! (NDJSON or pretty-printed objects one after another) ending with the `done: true` object
//! that carries the timings. Durations are integer nanoseconds; throughput is derived as
//! `eval_count / eval_duration * 1e9` (and likewise for the prompt). `{"error": ...}` objects
//! and streams that end before their final object count as failed generations.

use super::emit::{Emitter, Subject};
use super::json;
use super::ollama::{self, Timings};
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use serde_json::{Map, Value};

const NAME: &str = "ollama-api";

pub struct OllamaApi;

impl Adapter for OllamaApi {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        let text = input.text;
        if !json::looks_like_json(text) {
            return Confidence::No;
        }
        let maybe_response = text.contains("\"model\"")
            && text.contains("\"done\"")
            && text.contains("\"created_at\"");
        if maybe_response
            && json::stream(text)
                .objects()
                .iter()
                .any(|(o, _)| is_response(o))
        {
            return Confidence::Certain;
        }
        let names_ollama = input.path.to_ascii_lowercase().contains("ollama");
        if names_ollama && text.contains("\"error\"") && json::stream(text).objects().len() == 1 {
            return Confidence::Likely;
        }
        Confidence::No
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let stream = json::stream(input.text);
        let mut out = Emitter::new(input, NAME);
        // Models whose stream has started (a `done: false` chunk) but not finished yet.
        let mut open: Vec<(String, String)> = Vec::new();
        for (obj, at) in stream.objects() {
            if let Some(message) = obj.get("error").and_then(Value::as_str) {
                let model = obj
                    .get("model")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .or_else(|| ollama::model_in_error(message))
                    .or_else(|| open.last().map(|(m, _)| m.clone()))
                    .unwrap_or_else(|| out.file_stem());
                open.retain(|(m, _)| *m != model);
                ollama::emit_failure(&mut out, &Subject::new(&model), &at);
                out.warn(format!(
                    "{at}: Ollama reported an error for {model}: {message}"
                ));
                continue;
            }
            if !is_response(obj) {
                continue;
            }
            let model = obj
                .get("model")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            if obj.get("done").and_then(Value::as_bool) != Some(true) {
                if !open.iter().any(|(m, _)| *m == model) {
                    open.push((model, at));
                }
                continue;
            }
            open.retain(|(m, _)| *m != model);
            let timings = timings(obj);
            if !timings.is_empty() {
                timings.emit(&mut out, &Subject::new(model), &at);
            }
        }
        for (model, at) in open {
            ollama::emit_failure(&mut out, &Subject::new(&model), &at);
            out.warn(format!(
                "the response stream for {model} starting at {at} ended without its final \
                 `done: true` object; counted as a failed generation"
            ));
        }
        if let Some(summary) = stream.skipped_summary() {
            out.warn(summary);
        }
        out.finish()
    }
}

/// A generate/chat response object or chunk.
fn is_response(obj: &Map<String, Value>) -> bool {
    obj.get("model").is_some_and(Value::is_string)
        && obj.get("done").is_some_and(Value::is_boolean)
        && obj.contains_key("created_at")
}

/// The timings of a final (`done: true`) object; nanoseconds become milliseconds.
fn timings(obj: &Map<String, Value>) -> Timings {
    let ms = |field: &str| json::number(obj.get(field)).map(|ns| ns / 1e6);
    let count = |field: &str| json::number(obj.get(field));
    let prompt_eval_count = count("prompt_eval_count");
    let prompt_eval_ms = ms("prompt_eval_duration");
    let eval_count = count("eval_count");
    let eval_ms = ms("eval_duration");
    Timings {
        total_ms: ms("total_duration"),
        load_ms: ms("load_duration"),
        prompt_eval_count,
        prompt_eval_ms,
        prompt_eval_rate: ollama::rate(prompt_eval_count, prompt_eval_ms),
        eval_count,
        eval_ms,
        eval_rate: ollama::rate(eval_count, eval_ms),
    }
}
