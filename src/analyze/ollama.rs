//! Ollama's native API: the pre-flight (`GET /api/version`, `POST /api/show`, so that a
//! missing model is named with its fix and a reasoning model is recognised by its
//! `thinking` capability) and the streamed `POST /api/chat` (NDJSON: every line is checked
//! for an `error`, `message.thinking` is never part of the answer, and the answer only
//! counts once `done: true` arrived, whose timing fields in nanoseconds become the call
//! metrics). A reasoning model is asked not to think (`think: false`; GPT-OSS only knows
//! levels, so `"low"`).

use super::error::LlmError;
use super::prompt::Prompt;
use super::settings::LlmSettings;
use super::transport::{error_message, excerpt, Transport};
use super::{Completion, ServerInfo};
use serde_json::{json, Map, Value};

/// Checks that the server is an Ollama and has the model, and whether the model thinks.
pub(crate) async fn preflight(t: &Transport) -> Result<ServerInfo, LlmError> {
    let (status, body) = t.probe(|| t.get("/api/version")).await?;
    if status.as_u16() == 404 {
        return Err(LlmError::WrongApi {
            url: t.display.clone(),
            expected: "Ollama",
            detail: "GET /api/version answered 404".into(),
        });
    }
    if !status.is_success() {
        return Err(t.status_error(status, &body));
    }
    let version = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v.get("version").and_then(Value::as_str).map(str::to_string));
    let Some(version) = version else {
        return Err(LlmError::WrongApi {
            url: t.display.clone(),
            expected: "Ollama",
            detail: "GET /api/version did not return a version".into(),
        });
    };
    tracing::debug!("Ollama {version} at {}", t.display);

    let (status, body) = t
        .probe(|| t.post("/api/show").json(&json!({"model": t.model})))
        .await?;
    match status.as_u16() {
        s if (200..300).contains(&s) => Ok(ServerInfo {
            context: None,
            thinks: serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v.get("capabilities").and_then(Value::as_array).cloned())
                .is_some_and(|caps| caps.iter().any(|c| c.as_str() == Some("thinking"))),
        }),
        404 => Err(LlmError::ModelNotFound {
            model: t.model.clone(),
            url: t.display.clone(),
        }),
        _ => Err(t.status_error(status, &body)),
    }
}

/// The options sent, as configured.
pub(crate) fn options(settings: &LlmSettings) -> Map<String, Value> {
    settings.options.clone()
}

/// One streamed chat call; `format` is the JSON schema for structured output, if wanted.
pub(crate) async fn chat(
    t: &Transport,
    settings: &LlmSettings,
    prompt: &Prompt,
    format: Option<&Value>,
    info: &ServerInfo,
) -> Result<Completion, LlmError> {
    let mut body = json!({
        "model": settings.model,
        "messages": [
            {"role": "system", "content": prompt.system},
            {"role": "user", "content": prompt.user},
        ],
        "stream": true,
        "options": options(settings),
    });
    if let Some(keep_alive) = &settings.keep_alive {
        body["keep_alive"] = keep_alive.clone();
    }
    if let Some(schema) = format {
        body["format"] = schema.clone();
    }
    if info.thinks {
        body["think"] = if settings.model.to_lowercase().contains("gpt-oss") {
            Value::from("low")
        } else {
            Value::from(false)
        };
    }
    let (resp, sent) = t.send(|| t.post("/api/chat").json(&body)).await?;
    let mut lines = t.lines(resp);
    let mut out = Completion::default();
    while let Some(line) = lines.next().await? {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line).map_err(|_| LlmError::Stream {
            url: t.display.clone(),
            detail: format!("a line is not JSON: {}", excerpt(line)),
        })?;
        if v.get("error").is_some() {
            return Err(LlmError::ServerError {
                url: t.display.clone(),
                message: error_message(line),
            });
        }
        if let Some(piece) = v.pointer("/message/content").and_then(Value::as_str) {
            if !piece.is_empty() {
                out.ttft.get_or_insert_with(|| sent.elapsed());
                out.content.push_str(piece);
            }
        }
        if v.get("done").and_then(Value::as_bool) == Some(true) {
            let ms = |key: &str| {
                v.get(key)
                    .and_then(Value::as_u64)
                    .filter(|n| *n > 0)
                    .map(|ns| ns as f64 / 1e6)
            };
            let count = |key: &str| v.get(key).and_then(Value::as_u64).filter(|n| *n > 0);
            out.load_ms = ms("load_duration");
            out.prompt_eval_ms = ms("prompt_eval_duration");
            out.eval_ms = ms("eval_duration");
            out.total_ms = ms("total_duration");
            out.prompt_tokens = count("prompt_eval_count");
            out.eval_tokens = count("eval_count");
            out.done_reason = v
                .get("done_reason")
                .and_then(Value::as_str)
                .map(str::to_string);
            return Ok(out);
        }
    }
    Err(LlmError::Stream {
        url: t.display.clone(),
        detail: format!(
            "the stream ended before the final `done` message ({} characters of answer so far)",
            out.content.chars().count()
        ),
    })
}
