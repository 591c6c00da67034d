//! The OpenAI-compatible API (`POST /v1/chat/completions`) served by Ollama, llama.cpp's
//! server and vLLM: pre-flight `GET /v1/models`, a streamed call (SSE `data:` lines ending
//! with `data: [DONE]`), `response_format` for structured output, and the usage and
//! llama.cpp `timings` objects as call metrics. `num_ctx` cannot be set through this API:
//! the server's own context size applies, so the pre-flight reads it where the server
//! reports it (vLLM's `max_model_len` in `/v1/models`, llama.cpp's `n_ctx` in `/props`).
//! Reasoning (`delta.reasoning_content`, `delta.reasoning`) is never part of the answer.

use super::error::LlmError;
use super::prompt::Prompt;
use super::settings::LlmSettings;
use super::transport::{error_message, excerpt, Transport};
use super::{Completion, ServerInfo};
use serde_json::{json, Map, Value};

/// Options of the OpenAI request body and the Ollama option each comes from.
const MAPPED: &[(&str, &str)] = &[
    ("max_tokens", "num_predict"),
    ("temperature", "temperature"),
    ("seed", "seed"),
    ("top_p", "top_p"),
    ("stop", "stop"),
    ("presence_penalty", "presence_penalty"),
    ("frequency_penalty", "frequency_penalty"),
];

/// Checks that the server answers the OpenAI model list, and reads its context size.
pub(crate) async fn preflight(t: &Transport) -> Result<ServerInfo, LlmError> {
    let (status, body) = t.probe(|| t.get("/v1/models")).await?;
    if status.as_u16() == 404 {
        return Err(LlmError::WrongApi {
            url: t.display.clone(),
            expected: "OpenAI-compatible",
            detail: "GET /v1/models answered 404".into(),
        });
    }
    if !status.is_success() {
        return Err(t.status_error(status, &body));
    }
    let models: Vec<Value> = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v.get("data").and_then(Value::as_array).cloned())
        .unwrap_or_default();
    let listed: Vec<String> = models
        .iter()
        .filter_map(|m| m.get("id").and_then(Value::as_str).map(str::to_string))
        .collect();
    if !listed.is_empty() && !listed.iter().any(|id| id == &t.model) {
        // llama.cpp and vLLM serve one model whatever the request names; Ollama answers a
        // missing model with 404 on the call itself.
        tracing::info!(
            "{} lists {} but not `{}`; asking anyway",
            t.display,
            listed.join(", "),
            t.model
        );
    }
    let ours = models
        .iter()
        .find(|m| m.get("id").and_then(Value::as_str) == Some(t.model.as_str()))
        .or_else(|| models.first().filter(|_| models.len() == 1));
    let mut context = ours.and_then(|m| {
        ["/max_model_len", "/context_length", "/meta/n_ctx"]
            .iter()
            .find_map(|p| positive(m.pointer(p)))
    });
    if context.is_none() {
        context = llama_cpp_context(t).await;
    }
    Ok(ServerInfo {
        context,
        thinks: false,
    })
}

/// The context size llama.cpp's server runs with, from `GET /props`; `None` when the
/// server has no such endpoint.
async fn llama_cpp_context(t: &Transport) -> Option<i64> {
    let (status, body) = t.probe(|| t.get("/props")).await.ok()?;
    if !status.is_success() {
        return None;
    }
    let v: Value = serde_json::from_str(&body).ok()?;
    ["/default_generation_settings/n_ctx", "/n_ctx"]
        .iter()
        .find_map(|p| positive(v.pointer(p)))
}

fn positive(v: Option<&Value>) -> Option<i64> {
    v.and_then(Value::as_i64).filter(|n| *n > 0)
}

/// The sampling options sent, renamed to the OpenAI fields (`num_predict` -> `max_tokens`);
/// options this API has no field for are not sent.
pub(crate) fn options(settings: &LlmSettings) -> Map<String, Value> {
    let mut out = Map::new();
    for (field, option) in MAPPED {
        if let Some(v) = settings.options.get(*option) {
            let skip = *field == "max_tokens" && v.as_i64().is_some_and(|n| n <= 0);
            if !skip {
                out.insert((*field).to_string(), v.clone());
            }
        }
    }
    let dropped: Vec<&String> = settings
        .options
        .keys()
        .filter(|k| !MAPPED.iter().any(|(_, o)| o == k))
        .collect();
    if !dropped.is_empty() {
        tracing::debug!("not sent through the OpenAI API: {dropped:?}");
    }
    out
}

/// One streamed chat call; `format` is the JSON schema for structured output, if wanted.
pub(crate) async fn chat(
    t: &Transport,
    settings: &LlmSettings,
    prompt: &Prompt,
    format: Option<&Value>,
) -> Result<Completion, LlmError> {
    let mut body = json!({
        "model": settings.model,
        "messages": [
            {"role": "system", "content": prompt.system},
            {"role": "user", "content": prompt.user},
        ],
        "stream": true,
        "stream_options": {"include_usage": true},
    });
    for (k, v) in options(settings) {
        body[k] = v;
    }
    if let Some(schema) = format {
        body["response_format"] = json!({
            "type": "json_schema",
            "json_schema": {"name": "benchmark_analysis", "strict": true, "schema": schema},
        });
    }
    let (resp, sent) = t
        .send(|| t.post("/v1/chat/completions").json(&body))
        .await?;
    let mut lines = t.lines(resp);
    let mut out = Completion::default();
    while let Some(line) = lines.next().await? {
        let Some(data) = line.strip_prefix("data:") else {
            // Blank separators, `event:`/`id:` fields and `:` comments carry no data.
            continue;
        };
        let data = data.trim();
        if data == "[DONE]" {
            out.total_ms = Some(sent.elapsed().as_secs_f64() * 1e3);
            return Ok(out);
        }
        let v: Value = serde_json::from_str(data).map_err(|_| LlmError::Stream {
            url: t.display.clone(),
            detail: format!("an event is not JSON: {}", excerpt(data)),
        })?;
        if v.get("error").is_some() {
            return Err(LlmError::ServerError {
                url: t.display.clone(),
                message: error_message(data),
            });
        }
        let choice = v.pointer("/choices/0");
        if let Some(piece) = choice
            .and_then(|c| c.pointer("/delta/content"))
            .and_then(Value::as_str)
        {
            if !piece.is_empty() {
                out.ttft.get_or_insert_with(|| sent.elapsed());
                out.content.push_str(piece);
            }
        }
        if let Some(reason) = choice
            .and_then(|c| c.get("finish_reason"))
            .and_then(Value::as_str)
        {
            out.done_reason = Some(reason.to_string());
        }
        let count = |p: &str| v.pointer(p).and_then(Value::as_u64).filter(|n| *n > 0);
        let ms = |p: &str| v.pointer(p).and_then(Value::as_f64).filter(|n| *n > 0.0);
        if let Some(n) = count("/usage/prompt_tokens").or(count("/timings/prompt_n")) {
            out.prompt_tokens = Some(n);
        }
        if let Some(n) = count("/usage/completion_tokens").or(count("/timings/predicted_n")) {
            out.eval_tokens = Some(n);
        }
        if let Some(x) = ms("/timings/prompt_ms") {
            out.prompt_eval_ms = Some(x);
        }
        if let Some(x) = ms("/timings/predicted_ms") {
            out.eval_ms = Some(x);
        }
    }
    Err(LlmError::Stream {
        url: t.display.clone(),
        detail: format!(
            "the stream ended without `data: [DONE]` ({} characters of answer so far)",
            out.content.chars().count()
        ),
    })
}
