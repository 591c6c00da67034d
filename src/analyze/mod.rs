//! The analyze stage: asks a self-hosted LLM (Ollama's native API, or any
//! OpenAI-compatible server) to explain the computed facts, and publishes only what it can
//! check. The flow is: rank the facts and fit the prompt into the context window
//! ([`prompt`]), one streamed call with structured output ([`ollama`], [`openai`]), parse
//! the answer ([`answer`]), clean it ([`sanitize`]) and drop every statement whose numbers
//! or names are not in the facts ([`grounding`], [`review`]).
//!
//! It never fails the run: every problem becomes an [`Analysis`] with status `skipped` or
//! `failed` and a one-line reason; the caller decides with [`Analysis::is_failure`] and
//! [`LlmSettings::required`] whether that fails the job.
//!
//! Entry points: [`run`] blocks (it runs its own Tokio runtime, on a separate thread when
//! called from inside one), [`run_async`] is for callers that are already async.

mod answer;
mod claims;
mod error;
mod facts;
mod grounding;
mod names;
mod ollama;
mod openai;
mod prompt;
mod review;
mod sanitize;
mod settings;
mod transport;

pub use answer::{
    parse as parse_answer, schema as answer_schema, strip_reasoning, Draft, DraftFinding,
};
pub use error::LlmError;
pub use facts::{Fact, Facts};
pub use grounding::Catalogue;
pub use prompt::{build as build_prompt, estimate_tokens, Prompt, DEFAULT_TEMPLATE};
pub use review::{review, Reviewed};
pub use sanitize::MAX_STATEMENT_CHARS;
pub use settings::{
    default_options, url_from_ollama_host, Api, LlmArgs, LlmSettings, Secret, DEFAULT_MODEL,
    DEFAULT_URL,
};

use crate::report::Report;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::time::Duration;
use transport::Transport;

/// Whether an analysis was produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnalysisStatus {
    Ok,
    /// Not attempted (turned off, nothing to explain).
    Skipped,
    /// Attempted and failed (unreachable, timeout, model missing, unusable answer).
    Failed,
}

/// The result of the analyze stage, stored as `Report.analysis`. All text is Markdown-safe
/// and may be inserted into a comment as it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub status: AnalysisStatus,
    /// One line: why it was skipped or failed, or a note on an `ok` answer; empty otherwise.
    pub reason: String,
    pub summary: String,
    pub findings: Vec<Finding>,
    pub recommendations: Vec<String>,
    /// Statements the checks removed, and why (at most 20 are listed).
    pub removed: Vec<Removed>,
    /// How many statements were removed in all.
    #[serde(default)]
    pub removed_total: usize,
    /// List the removed statements in the PR comment too (`llm.show-removed`); otherwise
    /// the comment only counts them and names the kinds of reasons.
    #[serde(default)]
    pub show_removed: bool,
    pub call: CallInfo,
}

/// One finding and the display names of the metrics it is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub text: String,
    pub metrics: Vec<String>,
}

/// A statement that was not published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Removed {
    pub text: String,
    pub why: String,
    /// The kind of reason, a short phrase shared by similar removals (`number not in the
    /// facts`, `opposite direction`, `unsupported cause`, ...).
    #[serde(default)]
    pub kind: String,
}

/// What the call cost and how it was made. Timing fields are left out when unknown.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CallInfo {
    pub model: String,
    pub api: String,
    /// The server's base URL without credentials.
    pub url: String,
    /// Client-measured, monotonic: request sent to the first non-empty content chunk
    /// (thinking tokens do not count).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttft_ms: Option<f64>,
    /// Server-reported (Ollama `load_duration`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_ms: Option<f64>,
    /// Server-reported (Ollama `prompt_eval_duration`, llama.cpp `timings.prompt_ms`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt_eval_ms: Option<f64>,
    /// Server-reported (Ollama `eval_duration`, llama.cpp `timings.predicted_ms`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eval_ms: Option<f64>,
    /// Ollama `total_duration`; with the OpenAI API, client-measured until `[DONE]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eval_tokens: Option<u64>,
    /// `eval_tokens / eval_ms`; without a server eval time, tokens after the first one over
    /// the client-measured time after the first one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokens_per_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt_tokens_per_s: Option<f64>,
    /// The options as sent (for the OpenAI API, under their OpenAI names).
    pub options: Map<String, Value>,
    pub prompt_chars: usize,
    /// The prompt's size as estimated before sending it; compare with `prompt_tokens`,
    /// what the server counted.
    pub prompt_tokens_estimate: usize,
    /// The context window the prompt was fitted into: `num_ctx`, or the size the server
    /// reported through the OpenAI API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context_tokens: Option<i64>,
    pub facts_total: usize,
    pub facts_included: usize,
}

/// What the pre-flight learned about the server.
#[derive(Debug, Clone, Default)]
pub(crate) struct ServerInfo {
    /// The context window the server runs with, where it reports one (OpenAI API).
    pub context: Option<i64>,
    /// The model reasons before answering (Ollama's `thinking` capability).
    pub thinks: bool,
}

/// What one streamed call returned.
#[derive(Debug, Clone, Default)]
pub(crate) struct Completion {
    pub content: String,
    pub ttft: Option<Duration>,
    pub load_ms: Option<f64>,
    pub prompt_eval_ms: Option<f64>,
    pub eval_ms: Option<f64>,
    pub total_ms: Option<f64>,
    pub prompt_tokens: Option<u64>,
    pub eval_tokens: Option<u64>,
    /// `stop`, `length` (the output limit was hit), ...
    pub done_reason: Option<String>,
}

impl Analysis {
    /// True when the analysis was attempted and failed; with `required` set, the caller
    /// should then fail the job.
    pub fn is_failure(&self) -> bool {
        self.status == AnalysisStatus::Failed
    }

    /// The value to store as `Report.analysis`.
    pub fn to_json(&self) -> Value {
        // String keys only, and serde_json writes non-finite numbers as null: cannot fail.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    fn empty(status: AnalysisStatus, reason: String, call: CallInfo) -> Self {
        Analysis {
            status,
            reason: transport::one_line(&reason),
            summary: String::new(),
            findings: Vec::new(),
            recommendations: Vec::new(),
            removed: Vec::new(),
            removed_total: 0,
            show_removed: false,
            call,
        }
    }

    fn skipped(reason: &str, call: CallInfo) -> Self {
        Self::empty(AnalysisStatus::Skipped, reason.to_string(), call)
    }

    fn failed(e: LlmError, call: CallInfo) -> Self {
        Self::empty(AnalysisStatus::Failed, e.to_string(), call)
    }

    /// One line on what happened, for the log: the model, the facts shown, the statements
    /// kept and removed and the time taken; or why there is no analysis.
    pub fn headline(&self) -> String {
        let c = &self.call;
        let model = if c.model.is_empty() {
            String::new()
        } else {
            format!("{} ", c.model)
        };
        match self.status {
            AnalysisStatus::Ok => {
                let kept = usize::from(!self.summary.is_empty())
                    + self.findings.len()
                    + self.recommendations.len();
                let time = c
                    .total_ms
                    .map(|ms| format!(" in {:.1} s", ms / 1e3))
                    .unwrap_or_default();
                let mut line = format!(
                    "{model}explained {} of {} facts{time}: {kept} statements kept, {} removed",
                    c.facts_included, c.facts_total, self.removed_total
                );
                if !self.reason.is_empty() {
                    line.push_str(&format!(" ({})", self.reason));
                }
                line
            }
            AnalysisStatus::Skipped => format!("skipped: {}", self.reason),
            AnalysisStatus::Failed => format!("{model}failed: {}", self.reason),
        }
    }
}

impl CallInfo {
    fn new(settings: &LlmSettings) -> Self {
        let url = url::Url::parse(settings.url.trim())
            .map(|u| transport::display_url(&u))
            .unwrap_or_default();
        let options = match settings.api {
            Api::Ollama => ollama::options(settings),
            Api::Openai => openai::options(settings),
        };
        CallInfo {
            model: settings.model.clone(),
            api: settings.api.as_str().to_string(),
            url,
            options,
            ..CallInfo::default()
        }
    }

    /// Records the size of the prompt and how many facts it holds.
    fn fitted(&mut self, p: &Prompt) {
        self.prompt_chars = p.chars;
        self.prompt_tokens_estimate = p.tokens_estimate;
        self.context_tokens = Some(p.num_ctx);
        self.facts_included = p.facts_included;
    }

    fn record(&mut self, c: &Completion) {
        let round = |x: f64| (x * 1000.0).round() / 1000.0;
        self.ttft_ms = c.ttft.map(|d| round(d.as_secs_f64() * 1e3));
        self.load_ms = c.load_ms.map(round);
        self.prompt_eval_ms = c.prompt_eval_ms.map(round);
        self.eval_ms = c.eval_ms.map(round);
        self.total_ms = c.total_ms.map(round);
        self.prompt_tokens = c.prompt_tokens;
        self.eval_tokens = c.eval_tokens;
        let rate = |n: Option<u64>, ms: Option<f64>| match (n, ms) {
            (Some(n), Some(ms)) if ms > 0.0 => Some(round(n as f64 / ms * 1e3)),
            _ => None,
        };
        let after_first = match (c.total_ms, self.ttft_ms) {
            (Some(total), Some(ttft)) if c.eval_ms.is_none() && total > ttft => Some(total - ttft),
            _ => None,
        };
        self.tokens_per_s = rate(c.eval_tokens, c.eval_ms).or_else(|| {
            rate(c.eval_tokens.map(|n| n.saturating_sub(1)), after_first).filter(|r| *r > 0.0)
        });
        self.prompt_tokens_per_s = rate(c.prompt_tokens, c.prompt_eval_ms);
    }
}

/// Runs the analysis and blocks until it is done (see the module documentation).
pub fn run(report: &Report, settings: &LlmSettings) -> Analysis {
    let work = || match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(run_async(report, settings)),
        Err(e) => Analysis::empty(
            AnalysisStatus::Failed,
            format!("cannot start the async runtime for the LLM call: {e}"),
            CallInfo::new(settings),
        ),
    };
    if tokio::runtime::Handle::try_current().is_err() {
        return work();
    }
    // Inside a runtime a second one cannot block this thread: use another.
    std::thread::scope(|s| {
        s.spawn(work).join().unwrap_or_else(|_| {
            Analysis::empty(
                AnalysisStatus::Failed,
                "the LLM analysis thread stopped unexpectedly".into(),
                CallInfo::new(settings),
            )
        })
    })
}

/// Runs the analysis.
pub async fn run_async(report: &Report, settings: &LlmSettings) -> Analysis {
    let mut call = CallInfo::new(settings);
    if !settings.enabled {
        return Analysis::skipped(
            "the LLM analysis is off (turn it on with --llm or `llm: {enabled: true}`)",
            call,
        );
    }
    let facts = Facts::from_report(report);
    call.facts_total = facts.total();
    if facts.total() == 0 {
        return Analysis::skipped(
            "no metrics were compared, so there is nothing to explain",
            call,
        );
    }
    let prompt = match prompt::build(&facts, settings, None) {
        Ok(p) => p,
        Err(e) => return Analysis::failed(e, call),
    };
    call.fitted(&prompt);
    let t = match Transport::new(settings) {
        Ok(t) => t,
        Err(e) => return Analysis::failed(e, call),
    };
    call.url = t.display.clone();

    let total = Duration::try_from_secs_f64(settings.timeout.max(0.001))
        .unwrap_or(Duration::from_secs(3600));
    let asked = tokio::time::timeout(total, ask(&t, settings, &facts, prompt)).await;
    let (prompt, completion, note) = match asked {
        Ok(Ok(done)) => done,
        Ok(Err(e)) => return Analysis::failed(e, call),
        Err(_) => {
            let e = LlmError::Timeout {
                url: t.display.clone(),
                what: "the analysis",
                secs: settings.timeout,
                setting: "timeout",
            };
            return Analysis::failed(e, call);
        }
    };
    call.fitted(&prompt);
    call.record(&completion);
    finish(&facts, &prompt, settings, &completion, note, call)
}

/// Pre-flight, then one structured call; when the server rejects the schema, one plain one.
/// A server that reports its own context size gets a prompt fitted to it. Returns the
/// prompt sent, the completion and, after such a fallback, a note for the reason line.
async fn ask(
    t: &Transport,
    settings: &LlmSettings,
    facts: &Facts<'_>,
    mut prompt: Prompt,
) -> Result<(Prompt, Completion, String), LlmError> {
    let info = match settings.api {
        Api::Ollama => ollama::preflight(t).await?,
        Api::Openai => openai::preflight(t).await?,
    };
    if let Some(n) = info.context.filter(|n| *n != prompt.num_ctx) {
        prompt = prompt::build(facts, settings, Some(n))?;
    }
    let schema = answer::schema();
    match chat(t, settings, &prompt, Some(&schema), &info).await {
        Err(LlmError::Http {
            status: status @ (400 | 422),
            message,
            ..
        }) => {
            tracing::warn!(
                "structured output refused ({status}: {message}); asking for plain text"
            );
            let note = format!(
                "the server refused structured output (HTTP {status}: {message}); the plain-text answer was checked sentence by sentence"
            );
            let c = chat(t, settings, &prompt, None, &info).await?;
            Ok((prompt, c, note))
        }
        other => other.map(|c| (prompt, c, String::new())),
    }
}

async fn chat(
    t: &Transport,
    settings: &LlmSettings,
    prompt: &Prompt,
    format: Option<&Value>,
    info: &ServerInfo,
) -> Result<Completion, LlmError> {
    match settings.api {
        Api::Ollama => ollama::chat(t, settings, prompt, format, info).await,
        Api::Openai => openai::chat(t, settings, prompt, format).await,
    }
}

/// Parses and checks the answer.
fn finish(
    facts: &Facts,
    prompt: &Prompt,
    settings: &LlmSettings,
    completion: &Completion,
    note: String,
    call: CallInfo,
) -> Analysis {
    let cut = completion.done_reason.as_deref() == Some("length");
    let limit = || {
        settings
            .options
            .get("num_predict")
            .map(Value::to_string)
            .unwrap_or_else(|| "unset".into())
    };
    let (content, reasoned) = answer::strip_reasoning(&completion.content);
    let Some(mut draft) = answer::parse(&content) else {
        let e = if cut {
            LlmError::Truncated { limit: limit() }
        } else if content.trim().is_empty() && reasoned {
            LlmError::BadAnswer(
                "it holds only the model's reasoning (a <think> block) and no answer; use a model without reasoning or raise the llm option num_predict".into(),
            )
        } else if content.trim().is_empty() {
            LlmError::BadAnswer("it is empty".into())
        } else {
            LlmError::BadAnswer(format!(
                "it is not valid JSON: {}",
                transport::excerpt(&content)
            ))
        };
        return Analysis::failed(e, call);
    };
    let mut cut_off = None;
    if cut && draft.plain {
        cut_off = draft.pop_last();
    }
    let cat = Catalogue::new(facts, prompt.facts_included);
    let mut reviewed = review::review(&draft, &cat, &prompt.system, settings.max_chars);
    if let Some(text) = cut_off {
        reviewed.removed.push(Removed {
            text: sanitize::to_markdown(&sanitize::clean(&text)),
            why: format!("cut off at the output limit (num_predict {})", limit()),
            kind: review::KIND_CUT_OFF.into(),
        });
        reviewed.removed_total += 1;
    }
    let reason = if reviewed.kept == 0 {
        "the grounding check removed every statement of the answer".to_string()
    } else {
        note
    };
    Analysis {
        status: AnalysisStatus::Ok,
        reason: transport::one_line(&reason),
        summary: reviewed.summary,
        findings: reviewed.findings,
        recommendations: reviewed.recommendations,
        removed: reviewed.removed,
        removed_total: reviewed.removed_total,
        show_removed: settings.show_removed,
        call,
    }
}
