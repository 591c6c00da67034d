//! Settings of the LLM analysis: the `llm:` section of `.benchgate.yml` ([`LlmSettings`])
//! and the matching command-line flags ([`LlmArgs`]) that subcommands flatten and apply on
//! top of the file. Secrets (the bearer token, header values) can be read but are never
//! printed or serialised.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// Which HTTP API the server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Api {
    /// Ollama's native `/api/chat` (NDJSON stream; `num_ctx` and every option can be set).
    #[default]
    Ollama,
    /// The OpenAI-compatible `/v1/chat/completions` (SSE stream) served by Ollama,
    /// llama.cpp's server and vLLM.
    Openai,
}

impl Api {
    pub fn as_str(self) -> &'static str {
        match self {
            Api::Ollama => "ollama",
            Api::Openai => "openai",
        }
    }
}

/// A value that must not be logged or written anywhere: `Debug` prints `***` and there is
/// no `Serialize`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// The `llm:` section of `.benchgate.yml`. Every field has a default, so an empty section
/// (or none) is valid; the analysis only runs when `enabled` is true.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct LlmSettings {
    /// Ask the LLM at all (default false: the analysis needs a server you run).
    pub enabled: bool,
    /// Base URL of the server, with an optional path prefix for a reverse proxy.
    /// Defaults to `OLLAMA_HOST` (see [`url_from_ollama_host`]) or `http://localhost:11434`.
    pub url: String,
    pub model: String,
    pub api: Api,
    /// Model options sent with the request (Ollama `options`). Keys given here are merged
    /// over [`default_options`]; a `null` value removes a default.
    #[serde(deserialize_with = "merge_options")]
    pub options: Map<String, Value>,
    /// Total time for the whole analysis (pre-flight and answer), in seconds.
    pub timeout: f64,
    /// Time to open the TCP/TLS connection, in seconds.
    pub connect_timeout: f64,
    /// Longest silence between two chunks of the answer stream, in seconds.
    pub idle_timeout: f64,
    /// Bearer token for a reverse proxy in front of the server.
    pub token: Option<Secret>,
    /// Extra request headers (for example `X-API-Key`); values are treated as secrets.
    pub headers: BTreeMap<String, Secret>,
    /// Fail the job when the analysis fails (the CLI checks [`super::Analysis::is_failure`]).
    pub required: bool,
    /// Ollama `keep_alive` (`"10m"`, seconds, `-1`, `0`); the server default when unset.
    pub keep_alive: Option<Value>,
    /// A prompt template to use instead of the embedded `templates/prompt.md.j2`.
    pub prompt_template: Option<PathBuf>,
    /// Upper bound on the characters of the kept analysis (summary, findings, recommendations).
    pub max_chars: usize,
    /// List the statements the checks removed in the PR comment as well (for debugging a
    /// prompt or a model). They always go to `report.json` and the job summary; the comment
    /// otherwise says in one line how many were removed and why, because GitHub's e-mail
    /// notifications carry the whole comment, collapsed blocks included.
    pub show_removed: bool,
}

/// Default model.
pub const DEFAULT_MODEL: &str = "gemma3";
/// Ollama's default address.
pub const DEFAULT_URL: &str = "http://localhost:11434";

/// Options sent when the configuration names none: Ollama's own smallest default context,
/// deterministic sampling, and a bounded answer.
pub fn default_options() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("num_ctx".into(), Value::from(4096));
    m.insert("temperature".into(), Value::from(0));
    m.insert("seed".into(), Value::from(42));
    m.insert("num_predict".into(), Value::from(400));
    m
}

/// The server URL to use when none is configured, from the value of `OLLAMA_HOST`.
///
/// A full URL is taken as is. A bare `host` or `host:port` gets `http://` and, without a
/// port, Ollama's 11434; `0.0.0.0` and `::` (bind-all addresses) become `localhost`.
/// Unset or empty gives `http://localhost:11434`.
pub fn url_from_ollama_host(value: Option<&str>) -> String {
    let Some(raw) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return DEFAULT_URL.to_string();
    };
    if raw.contains("://") {
        return raw.trim_end_matches('/').to_string();
    }
    let (host, port) = split_host_port(raw);
    let host = match host {
        "" | "0.0.0.0" | "::" | "[::]" => "localhost",
        h => h,
    };
    format!("http://{host}:{}", port.unwrap_or("11434"))
}

fn split_host_port(raw: &str) -> (&str, Option<&str>) {
    let raw = raw.trim_end_matches('/');
    if let Some(rest) = raw.strip_prefix('[') {
        // [v6]:port
        return match rest.split_once(']') {
            Some((h, tail)) => (
                &raw[..h.len() + 2],
                tail.strip_prefix(':').filter(|p| !p.is_empty()),
            ),
            None => (raw, None),
        };
    }
    match raw.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') && p.chars().all(|c| c.is_ascii_digit()) => {
            (h, Some(p).filter(|p| !p.is_empty()))
        }
        _ => (raw, None),
    }
}

impl Default for LlmSettings {
    fn default() -> Self {
        LlmSettings {
            enabled: false,
            url: url_from_ollama_host(std::env::var("OLLAMA_HOST").ok().as_deref()),
            model: DEFAULT_MODEL.to_string(),
            api: Api::Ollama,
            options: default_options(),
            timeout: 120.0,
            connect_timeout: 10.0,
            idle_timeout: 30.0,
            token: None,
            headers: BTreeMap::new(),
            required: false,
            keep_alive: None,
            prompt_template: None,
            max_chars: 3000,
            show_removed: false,
        }
    }
}

impl LlmSettings {
    /// An integer option (`num_ctx`, `num_predict`), if set to a number.
    pub fn option_i64(&self, key: &str) -> Option<i64> {
        self.options.get(key).and_then(|v| {
            v.as_i64()
                .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
        })
    }
}

fn merge_options<'de, D: Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
    let given = Option::<Map<String, Value>>::deserialize(d)?.unwrap_or_default();
    Ok(overlay(default_options(), given))
}

fn overlay(mut base: Map<String, Value>, given: Map<String, Value>) -> Map<String, Value> {
    for (k, v) in given {
        if v.is_null() {
            base.remove(&k);
        } else {
            base.insert(k, v);
        }
    }
    base
}

/// Command-line flags for the analysis; flatten into a subcommand's arguments and call
/// [`LlmArgs::apply`] on the settings read from the configuration file.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LlmArgs {
    /// Ask a self-hosted LLM for a grounded analysis of the results.
    #[arg(long = "llm", overrides_with = "no_llm")]
    pub llm: bool,
    /// Do not ask the LLM, whatever the configuration or the other --llm-* flags say.
    #[arg(long = "no-llm")]
    pub no_llm: bool,
    /// Base URL of the LLM server (default: $OLLAMA_HOST or http://localhost:11434); giving
    /// it turns the analysis on.
    #[arg(long = "llm-url", value_name = "URL")]
    pub url: Option<String>,
    /// Model name, e.g. `gemma3` or `llama3.2:3b`; giving it turns the analysis on.
    #[arg(long = "llm-model", value_name = "NAME")]
    pub model: Option<String>,
    /// Which API the server speaks.
    #[arg(long = "llm-api", value_enum, value_name = "API")]
    pub api: Option<Api>,
    /// A model option, e.g. `num_ctx=4096` (repeatable; the value is JSON or a string).
    #[arg(long = "llm-option", value_name = "KEY=VALUE", value_parser = parse_option)]
    pub options: Vec<(String, Value)>,
    /// Total time for the analysis, in seconds.
    #[arg(long = "llm-timeout", value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Time to connect to the server, in seconds.
    #[arg(long = "llm-connect-timeout", value_name = "SECS")]
    pub connect_timeout: Option<f64>,
    /// Longest pause between two chunks of the answer, in seconds.
    #[arg(long = "llm-idle-timeout", value_name = "SECS")]
    pub idle_timeout: Option<f64>,
    /// Bearer token for a reverse proxy in front of the server.
    #[arg(
        long = "llm-token",
        env = "BENCHGATE_LLM_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN",
        value_parser = parse_secret
    )]
    pub token: Option<Secret>,
    /// An extra request header, `Name: value` (repeatable).
    #[arg(long = "llm-header", value_name = "NAME: VALUE", value_parser = parse_header)]
    pub headers: Vec<(String, Secret)>,
    /// Fail the run when the analysis fails.
    #[arg(long = "llm-required")]
    pub required: bool,
    /// How long the server keeps the model loaded after the call (`10m`, `0`, `-1`).
    #[arg(long = "llm-keep-alive", value_name = "DURATION")]
    pub keep_alive: Option<String>,
    /// A prompt template to use instead of the embedded one.
    #[arg(long = "llm-prompt-template", value_name = "PATH")]
    pub prompt_template: Option<PathBuf>,
    /// List the removed statements in the PR comment too (they always go to the JSON
    /// report and the job summary).
    #[arg(long = "llm-show-removed")]
    pub show_removed: bool,
}

impl LlmArgs {
    /// The settings with every flag that was given applied on top.
    /// Naming a server or a model asks for the analysis; `--no-llm` still wins.
    pub fn apply(self, mut s: LlmSettings) -> LlmSettings {
        if self.llm || self.url.is_some() || self.model.is_some() {
            s.enabled = true;
        }
        if self.no_llm {
            s.enabled = false;
        }
        if let Some(v) = self.url {
            s.url = v;
        }
        if let Some(v) = self.model {
            s.model = v;
        }
        if let Some(v) = self.api {
            s.api = v;
        }
        s.options = overlay(s.options, self.options.into_iter().collect());
        if let Some(v) = self.timeout {
            s.timeout = v;
        }
        if let Some(v) = self.connect_timeout {
            s.connect_timeout = v;
        }
        if let Some(v) = self.idle_timeout {
            s.idle_timeout = v;
        }
        if let Some(v) = self.token {
            s.token = Some(v);
        }
        s.headers.extend(self.headers);
        if self.required {
            s.required = true;
        }
        if let Some(v) = self.keep_alive {
            s.keep_alive = Some(keep_alive_value(&v));
        }
        if let Some(v) = self.prompt_template {
            s.prompt_template = Some(v);
        }
        if self.show_removed {
            s.show_removed = true;
        }
        s
    }
}

/// `10m` stays a string; `0`, `-1` or `300` become numbers (seconds), as Ollama accepts both.
fn keep_alive_value(v: &str) -> Value {
    v.trim()
        .parse::<i64>()
        .map(Value::from)
        .unwrap_or_else(|_| Value::from(v.trim()))
}

fn parse_option(s: &str) -> Result<(String, Value), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not KEY=VALUE (e.g. num_ctx=4096)"))?;
    let k = k.trim();
    if k.is_empty() {
        return Err(format!("`{s}` has an empty option name"));
    }
    let v = v.trim();
    let value = serde_json::from_str(v).unwrap_or_else(|_| Value::from(v));
    Ok((k.to_string(), value))
}

fn parse_header(s: &str) -> Result<(String, Secret), String> {
    let (k, v) = s
        .split_once(':')
        .ok_or_else(|| "a header must look like `Name: value`".to_string())?;
    let k = k.trim();
    if k.is_empty()
        || !k
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(format!("`{k}` is not a valid header name"));
    }
    Ok((k.to_string(), Secret::new(v.trim())))
}

fn parse_secret(s: &str) -> Result<Secret, String> {
    Ok(Secret::new(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn ollama_host_forms() {
        assert_eq!(url_from_ollama_host(None), "http://localhost:11434");
        assert_eq!(url_from_ollama_host(Some("")), "http://localhost:11434");
        assert_eq!(
            url_from_ollama_host(Some("https://ollama.example.com/llm/")),
            "https://ollama.example.com/llm"
        );
        assert_eq!(
            url_from_ollama_host(Some("0.0.0.0")),
            "http://localhost:11434"
        );
        assert_eq!(
            url_from_ollama_host(Some("gpu-box:8080")),
            "http://gpu-box:8080"
        );
        assert_eq!(
            url_from_ollama_host(Some("10.0.0.5")),
            "http://10.0.0.5:11434"
        );
        assert_eq!(
            url_from_ollama_host(Some("[::1]:9000")),
            "http://[::1]:9000"
        );
    }

    #[test]
    fn yaml_section_merges_options_over_defaults() {
        let s: LlmSettings = serde_norway::from_str(
            "enabled: true\nmodel: llama3.2\napi: openai\noptions:\n  num_ctx: 4096\n  seed: null\n  num_gpu: 99\ntoken: abc\nheaders:\n  X-API-Key: k\nkeep-alive: 10m\n",
        )
        .unwrap();
        assert!(s.enabled);
        assert_eq!(s.api, Api::Openai);
        assert_eq!(s.option_i64("num_ctx"), Some(4096));
        assert_eq!(s.option_i64("num_predict"), Some(400));
        assert_eq!(s.option_i64("num_gpu"), Some(99));
        assert!(!s.options.contains_key("seed"));
        assert_eq!(s.keep_alive, Some(Value::from("10m")));
        let debug = format!("{s:?}");
        assert!(
            !debug.contains("abc") && !debug.contains("\"k\""),
            "{debug}"
        );
    }

    #[test]
    fn unknown_yaml_key_is_an_error() {
        let err = serde_norway::from_str::<LlmSettings>("modle: x\n").unwrap_err();
        assert!(err.to_string().contains("modle"), "{err}");
    }

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        llm: LlmArgs,
    }

    #[test]
    fn flags_apply_over_file_settings() {
        let cli = Cli::try_parse_from([
            "x",
            "--llm",
            "--llm-url",
            "http://127.0.0.1:9",
            "--llm-api",
            "openai",
            "--llm-option",
            "num_ctx=2048",
            "--llm-option",
            "stop=[\"END\"]",
            "--llm-header",
            "X-API-Key: s3cret",
            "--llm-keep-alive",
            "0",
        ])
        .unwrap();
        let s = cli.llm.apply(LlmSettings::default());
        assert!(s.enabled);
        assert_eq!(s.url, "http://127.0.0.1:9");
        assert_eq!(s.api, Api::Openai);
        assert_eq!(s.option_i64("num_ctx"), Some(2048));
        assert_eq!(s.options["stop"], serde_json::json!(["END"]));
        assert_eq!(s.headers["X-API-Key"].expose(), "s3cret");
        assert_eq!(s.keep_alive, Some(Value::from(0)));
        assert!(Cli::try_parse_from(["x", "--llm-option", "nokey"]).is_err());
        let on = |args: &[&str]| {
            let mut argv = vec!["x"];
            argv.extend_from_slice(args);
            Cli::try_parse_from(argv)
                .unwrap()
                .llm
                .apply(LlmSettings::default())
                .enabled
        };
        assert!(on(&["--llm-url", "http://127.0.0.1:9"]));
        assert!(on(&["--llm-model", "qwen3"]));
        assert!(!on(&["--llm-model", "qwen3", "--no-llm"]));
        assert!(!on(&["--llm-api", "openai"]));
        assert!(Cli::try_parse_from(["x", "--llm-header", "bad header: v"]).is_err());
    }
}
