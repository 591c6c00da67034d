//! What Ollama reports about one generation, shared by the API-response and `--verbose` text
//! adapters so that both produce the same metrics: durations in milliseconds, token counts,
//! and prompt/generation throughput in tokens per second.

use super::emit::{Emitter, Metric, Subject};
use crate::model::Direction::{HigherIsBetter, LowerIsBetter, Neutral};
use regex::Regex;
use std::sync::LazyLock;

pub const TOTAL_DURATION: Metric<'static> = Metric::new("total_duration_ms", "ms", LowerIsBetter);
pub const LOAD_DURATION: Metric<'static> = Metric::new("load_duration_ms", "ms", LowerIsBetter);
pub const PROMPT_EVAL_COUNT: Metric<'static> = Metric::new("prompt_eval_count", "tokens", Neutral);
pub const PROMPT_EVAL_DURATION: Metric<'static> =
    Metric::new("prompt_eval_duration_ms", "ms", LowerIsBetter);
pub const PROMPT_EVAL_RATE: Metric<'static> =
    Metric::new("prompt_eval_rate", "tokens/s", HigherIsBetter);
pub const EVAL_COUNT: Metric<'static> = Metric::new("eval_count", "tokens", Neutral);
pub const EVAL_DURATION: Metric<'static> = Metric::new("eval_duration_ms", "ms", LowerIsBetter);
pub const EVAL_RATE: Metric<'static> = Metric::new("eval_rate", "tokens/s", HigherIsBetter);

/// The metrics a failed generation counts against (token counts are not results).
const RESULTS: [Metric<'static>; 6] = [
    TOTAL_DURATION,
    LOAD_DURATION,
    PROMPT_EVAL_DURATION,
    PROMPT_EVAL_RATE,
    EVAL_DURATION,
    EVAL_RATE,
];

/// The timings of one finished generation; a field the source omitted stays `None`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Timings {
    pub total_ms: Option<f64>,
    pub load_ms: Option<f64>,
    pub prompt_eval_count: Option<f64>,
    pub prompt_eval_ms: Option<f64>,
    pub prompt_eval_rate: Option<f64>,
    pub eval_count: Option<f64>,
    pub eval_ms: Option<f64>,
    pub eval_rate: Option<f64>,
}

impl Timings {
    pub fn is_empty(&self) -> bool {
        *self == Timings::default()
    }

    /// Records every present field as one sample of its metric.
    pub fn emit(&self, out: &mut Emitter, subject: &Subject, at: &str) {
        let fields = [
            (TOTAL_DURATION, self.total_ms),
            (LOAD_DURATION, self.load_ms),
            (PROMPT_EVAL_COUNT, self.prompt_eval_count),
            (PROMPT_EVAL_DURATION, self.prompt_eval_ms),
            (PROMPT_EVAL_RATE, self.prompt_eval_rate),
            (EVAL_COUNT, self.eval_count),
            (EVAL_DURATION, self.eval_ms),
            (EVAL_RATE, self.eval_rate),
        ];
        for (metric, value) in fields {
            if let Some(v) = value {
                out.value(subject, metric, v, at);
            }
        }
    }
}

/// Counts one failed generation against every result metric of `subject`.
pub fn emit_failure(out: &mut Emitter, subject: &Subject, at: &str) {
    for metric in RESULTS {
        out.failures(subject, metric, 1, at);
    }
}

/// Tokens per second from a token count and a duration in milliseconds.
pub fn rate(count: Option<f64>, ms: Option<f64>) -> Option<f64> {
    match (count, ms) {
        (Some(c), Some(ms)) if ms > 0.0 => Some(c / ms * 1e3),
        _ => None,
    }
}

/// The model named in an Ollama error message (`model "llama3.2" not found`).
pub fn model_in_error(message: &str) -> Option<String> {
    static RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"model ['"]([^'"\s]+)['"]"#).expect("valid regex"));
    RE.captures(message).map(|c| c[1].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_is_tokens_per_second() {
        assert_eq!(rate(Some(12.0), Some(120.0)), Some(100.0));
        assert_eq!(rate(Some(12.0), Some(0.0)), None);
        assert_eq!(rate(None, Some(1.0)), None);
    }

    #[test]
    fn error_messages_name_the_model() {
        assert_eq!(
            model_in_error(r#"model "llama3.2" not found, try pulling it first"#).as_deref(),
            Some("llama3.2")
        );
        assert_eq!(model_in_error("connection refused"), None);
    }
}
