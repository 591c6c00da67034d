//! Why an analysis could not be produced. Each message is one line that names the server
//! (without credentials), what went wrong and what to change; it becomes
//! `Analysis.reason`.

use thiserror::Error;

#[derive(Debug, Error, PartialEq)]
pub enum LlmError {
    #[error("llm url `{url}` is not usable: {reason}; set it to the server's base URL, e.g. http://localhost:11434")]
    InvalidUrl { url: String, reason: String },

    #[error("invalid llm setting: {0}")]
    Setting(String),

    #[error("cannot reach the LLM server at {url}: {detail}; check that it is running and that the llm url points at it")]
    Unreachable { url: String, detail: String },

    #[error("the LLM server at {url} did not finish {what} within {secs} s; raise the llm {setting} (seconds) or use a smaller model")]
    Timeout {
        url: String,
        what: &'static str,
        secs: f64,
        setting: &'static str,
    },

    #[error("model `{model}` is not available on {url}; run `ollama pull {model}` on that server or set the llm model to one it has")]
    ModelNotFound { model: String, url: String },

    #[error("{url} answered 403 with an empty body: Ollama rejects a request whose Host header is not local, so a reverse proxy in front of it must send `Host: localhost:11434` (nginx: proxy_set_header Host localhost:11434)")]
    HostRejected { url: String },

    #[error("{url} answered {status} (unauthorized): set the llm token or headers the proxy in front of the server expects")]
    Unauthorized { url: String, status: u16 },

    #[error("{url} answered HTTP {status}: {message}")]
    Http {
        url: String,
        status: u16,
        message: String,
    },

    #[error("{url} is not an {expected} server ({detail}); set the llm api to the one it speaks (ollama or openai)")]
    WrongApi {
        url: String,
        expected: &'static str,
        detail: String,
    },

    #[error("the answer stream from {url} broke off: {detail}; nothing of it was used")]
    Stream { url: String, detail: String },

    #[error("the LLM server at {url} reported an error mid-answer: {message}")]
    ServerError { url: String, message: String },

    #[error("the model stopped at the output limit (num_predict {limit}) before its answer was complete; raise the llm option num_predict")]
    Truncated { limit: String },

    #[error("the model's answer is not usable: {0}")]
    BadAnswer(String),

    #[error("the prompt does not fit: num_ctx {num_ctx} minus {reserved} tokens reserved for the answer (num_predict) leaves {budget}, but even the verdict alone needs about {needed}; raise the llm option num_ctx")]
    ContextTooSmall {
        num_ctx: i64,
        reserved: i64,
        budget: i64,
        needed: usize,
    },

    #[error("prompt template {source_name}: {detail}")]
    Template { source_name: String, detail: String },
}
