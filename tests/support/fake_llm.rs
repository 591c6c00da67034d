//! A fake LLM server over real HTTP on 127.0.0.1 that behaves like Ollama (NDJSON stream
//! with a final `done: true` object carrying nanosecond timings, JSON errors, mid-stream
//! `{"error"}` lines) or an OpenAI-compatible server (SSE `data:` events ending with
//! `data: [DONE]`). Replies are scripted per path; every request is recorded.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use axum::serve::ListenerExt;
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    Json(u16, Value),
    /// A raw body (may be empty) with a status.
    Text(u16, String),
    /// A 200 streamed in pieces; each piece is sent after its delay. `cut` ends the
    /// connection abruptly instead of finishing the body.
    Stream {
        content_type: &'static str,
        pieces: Vec<(Duration, String)>,
        cut: bool,
    },
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Value,
}

#[derive(Default)]
struct Shared {
    queued: Mutex<HashMap<String, VecDeque<Reply>>>,
    fixed: Mutex<HashMap<String, Reply>>,
    recorded: Mutex<Vec<Recorded>>,
}

/// A running fake server; it stops when dropped.
pub struct FakeLlm {
    pub url: String,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeLlm {
    /// A server that answers Ollama's pre-flight (`/api/version`, `/api/show`).
    pub fn ollama() -> Self {
        let fake = Self::start();
        fake.always(
            "/api/version",
            Reply::Json(200, json!({"version": "0.12.6"})),
        );
        fake.always(
            "/api/show",
            Reply::Json(
                200,
                json!({"details": {"family": "gemma3", "parameter_size": "4.3B"},
                       "capabilities": ["completion", "vision"],
                       "model_info": {"gemma3.context_length": 131072}}),
            ),
        );
        fake
    }

    /// An Ollama serving a reasoning model (`thinking` among its capabilities, as
    /// deepseek-r1 or qwen3 report).
    pub fn ollama_thinking() -> Self {
        let fake = Self::ollama();
        fake.always(
            "/api/show",
            Reply::Json(
                200,
                json!({"details": {"family": "qwen3", "parameter_size": "8.2B"},
                       "capabilities": ["completion", "tools", "thinking"],
                       "model_info": {"qwen3.context_length": 40960}}),
            ),
        );
        fake
    }

    /// A server that answers the OpenAI model list.
    pub fn openai() -> Self {
        let fake = Self::start();
        fake.always(
            "/v1/models",
            Reply::Json(
                200,
                json!({"object": "list", "data": [{"id": "smollm2", "object": "model", "owned_by": "llamacpp"}]}),
            ),
        );
        fake
    }

    fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let shared = Arc::new(Shared::default());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let state = shared.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                // Like Ollama (Go sets TCP_NODELAY), small chunks go out at once.
                let listener = tokio::net::TcpListener::from_std(listener)
                    .unwrap()
                    .tap_io(|tcp| {
                        let _ = tcp.set_nodelay(true);
                    });
                let app = axum::Router::new().fallback(handle).with_state(state);
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await
                    .unwrap();
            });
        });
        FakeLlm {
            url,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Answers every request to `path` with `reply` once the queue for it is empty.
    pub fn always(&self, path: &str, reply: Reply) {
        self.shared
            .fixed
            .lock()
            .unwrap()
            .insert(path.to_string(), reply);
    }

    /// Answers the next request to `path` with `reply` (queued in order).
    pub fn then(&self, path: &str, reply: Reply) {
        self.shared
            .queued
            .lock()
            .unwrap()
            .entry(path.to_string())
            .or_default()
            .push_back(reply);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.recorded.lock().unwrap().clone()
    }

    pub fn requests_to(&self, path: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }
}

impl Drop for FakeLlm {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    shared.recorded.lock().unwrap().push(Recorded {
        method: method.to_string(),
        path: path.clone(),
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    let queued = shared
        .queued
        .lock()
        .unwrap()
        .get_mut(&path)
        .and_then(VecDeque::pop_front);
    let reply = queued.or_else(|| shared.fixed.lock().unwrap().get(&path).cloned());
    match reply {
        None => respond(404, "text/plain", Body::from("404 page not found")),
        Some(Reply::Json(status, v)) => {
            respond(status, "application/json", Body::from(v.to_string()))
        }
        Some(Reply::Text(status, text)) => respond(status, "text/plain", Body::from(text)),
        Some(Reply::Stream {
            content_type,
            pieces,
            cut,
        }) => {
            let pieces: VecDeque<(Duration, String)> = pieces.into();
            let stream =
                futures_util::stream::unfold((pieces, cut), |(mut pieces, cut)| async move {
                    match pieces.pop_front() {
                        Some((delay, text)) => {
                            if !delay.is_zero() {
                                tokio::time::sleep(delay).await;
                            }
                            Some((
                                Ok::<Bytes, std::io::Error>(Bytes::from(text)),
                                (pieces, cut),
                            ))
                        }
                        None if cut => Some((
                            Err(std::io::Error::other("connection cut")),
                            (pieces, false),
                        )),
                        None => None,
                    }
                });
            respond(200, content_type, Body::from_stream(stream))
        }
    }
}

fn respond(status: u16, content_type: &str, body: Body) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .header("content-type", content_type)
        .body(body)
        .unwrap()
}

/// Timing fields of Ollama's final chunk, in nanoseconds.
pub const LOAD_NS: u64 = 1_250_000_000;
pub const PROMPT_EVAL_NS: u64 = 180_000_000;
pub const EVAL_NS: u64 = 2_400_000_000;
pub const TOTAL_NS: u64 = 3_900_000_000;
pub const PROMPT_COUNT: u64 = 512;
pub const EVAL_COUNT: u64 = 96;

/// The NDJSON lines Ollama streams for `content`: one chunk per word group, then the
/// `done: true` object with the timing fields.
pub fn ollama_lines(content: &str, done_reason: &str) -> Vec<String> {
    let mut lines: Vec<String> = pieces_of(content)
        .into_iter()
        .map(|p| {
            json!({"model": "gemma3", "created_at": "2025-10-08T16:29:11.043983Z",
                   "message": {"role": "assistant", "content": p}, "done": false})
            .to_string()
        })
        .collect();
    lines.push(
        json!({"model": "gemma3", "created_at": "2025-10-08T16:29:14.943983Z",
               "message": {"role": "assistant", "content": ""}, "done": true,
               "done_reason": done_reason, "total_duration": TOTAL_NS,
               "load_duration": LOAD_NS, "prompt_eval_count": PROMPT_COUNT,
               "prompt_eval_duration": PROMPT_EVAL_NS, "eval_count": EVAL_COUNT,
               "eval_duration": EVAL_NS})
        .to_string(),
    );
    lines
}

/// The NDJSON lines of a reasoning model that ignored `think: false`: the reasoning
/// streamed in `message.thinking` (with empty content), then the answer.
pub fn ollama_thinking_lines(thinking: &str, content: &str) -> Vec<String> {
    let mut lines: Vec<String> = pieces_of(thinking)
        .into_iter()
        .map(|p| {
            json!({"model": "qwen3", "created_at": "2025-10-08T16:29:10.043983Z",
                   "message": {"role": "assistant", "content": "", "thinking": p}, "done": false})
            .to_string()
        })
        .collect();
    lines.extend(ollama_lines(content, "stop"));
    lines
}

/// A streamed Ollama answer. The bytes are re-cut into 29-byte pieces, so lines arrive
/// split across reads and several lines share a read, as over a real network.
pub fn ollama_stream(content: &str) -> Reply {
    ndjson(ollama_lines(content, "stop"), Duration::ZERO, false)
}

/// NDJSON `lines` re-cut into small pieces; the first piece waits `first_delay`.
pub fn ndjson(lines: Vec<String>, first_delay: Duration, cut: bool) -> Reply {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    Reply::Stream {
        content_type: "application/x-ndjson",
        pieces: recut(&text, 29, first_delay),
        cut,
    }
}

/// The SSE events an OpenAI-compatible server (llama.cpp) streams for `content`.
pub fn openai_events(content: &str, done: bool) -> Vec<String> {
    openai_reasoning_events("", content, done)
}

/// The SSE events of a reasoning model behind llama.cpp or vLLM: `reasoning_content`
/// deltas first, then the answer.
pub fn openai_reasoning_events(reasoning: &str, content: &str, done: bool) -> Vec<String> {
    let mut events: Vec<String> = vec![json!({"id": "c1", "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": null}, "finish_reason": null}]})
    .to_string()];
    events.extend(pieces_of(reasoning).into_iter().map(|p| {
        json!({"id": "c1", "object": "chat.completion.chunk",
               "choices": [{"index": 0, "delta": {"reasoning_content": p}, "finish_reason": null}]})
        .to_string()
    }));
    events.extend(pieces_of(content).into_iter().map(|p| {
        json!({"id": "c1", "object": "chat.completion.chunk",
               "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": null}]})
        .to_string()
    }));
    events.push(
        json!({"id": "c1", "object": "chat.completion.chunk",
               "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
               "usage": {"prompt_tokens": PROMPT_COUNT, "completion_tokens": EVAL_COUNT, "total_tokens": PROMPT_COUNT + EVAL_COUNT},
               "timings": {"prompt_n": PROMPT_COUNT, "prompt_ms": 180.0, "predicted_n": EVAL_COUNT, "predicted_ms": 2400.0}})
        .to_string(),
    );
    let mut out: Vec<String> = events
        .into_iter()
        .map(|e| format!("data: {e}\n\n"))
        .collect();
    if done {
        out.push("data: [DONE]\n\n".into());
    }
    out
}

/// A streamed OpenAI-compatible answer (with a keep-alive comment line first).
pub fn openai_stream(content: &str, done: bool) -> Reply {
    let text = format!(": ping\n\n{}", openai_events(content, done).concat());
    Reply::Stream {
        content_type: "text/event-stream",
        pieces: recut(&text, 41, Duration::ZERO),
        cut: false,
    }
}

/// Splits `content` into pieces of about three words, as a model streams tokens.
fn pieces_of(content: &str) -> Vec<String> {
    let words: Vec<&str> = content.split_inclusive(' ').collect();
    words.chunks(3).map(|c| c.concat()).collect()
}

fn recut(text: &str, size: usize, first_delay: Duration) -> Vec<(Duration, String)> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + size).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let delay = if out.is_empty() {
            first_delay
        } else {
            Duration::ZERO
        };
        out.push((delay, text[start..end].to_string()));
        start = end;
    }
    out
}
