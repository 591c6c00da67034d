//! The analyze stage against a fake Ollama / OpenAI-compatible server on 127.0.0.1, and the
//! grounding check on facts computed by the real pipeline from the Chimeraforge fixture
//! pairs.

#[path = "support/fake_llm.rs"]
mod fake_llm;

use benchgate::analyze::{
    self, estimate_tokens, parse_answer, review, Analysis, AnalysisStatus, Api, Catalogue, Facts,
    LlmSettings, Secret,
};
use benchgate::collect::{CollectOptions, InventorySummary};
use benchgate::compare::{self, Comparison, Confidence, Delta, Gate, SideStats, Status, Verdict};
use benchgate::config::Policy;
use benchgate::model::{Direction, SeriesKey};
use benchgate::report::{self, Report, ReportParts};
use fake_llm::{FakeLlm, Reply};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

const PAIRS: &str = "tests/fixtures/chimeraforge/pairs";

/// The report the pipeline computes for a fixture pair (scan both sides, compare).
fn report_for(pair: &str) -> Report {
    report_under(pair, &Policy::default())
}

/// Like [`report_for`], under `policy`.
fn report_under(pair: &str, policy: &Policy) -> Report {
    let root = Path::new(PAIRS).join(pair);
    let opts = CollectOptions::default();
    let base = benchgate::scan::scan(&root.join("base"), &opts).unwrap();
    let head = benchgate::scan::scan(&root.join("head"), &opts).unwrap();
    let comparison = compare::compare(&base.series, &head.series, policy);
    report_of(comparison, Some(base.inventory), head.inventory)
}

fn report_of(
    comparison: Comparison,
    base: Option<InventorySummary>,
    head: InventorySummary,
) -> Report {
    report::build(ReportParts {
        base_inventory: base,
        head_inventory: head,
        ..ReportParts::of(comparison)
    })
}

/// The example of the issue: tokens/s 97.8 -> 85.7 over three runs each.
fn tokens_regression() -> Report {
    let base = [97.1, 97.8, 98.5];
    let head = [85.2, 85.7, 86.2];
    let mut key = SeriesKey::new("bench/llm.csv", "gemma3", "tokens_s");
    key.labels.insert("num_ctx".into(), "1024".into());
    let b = SideStats::of(&base, 0);
    let h = SideStats::of(&head, 0);
    let (bm, hm) = (b.mean.unwrap(), h.mean.unwrap());
    let delta = Delta {
        key,
        unit: "tokens/s".into(),
        direction: Direction::HigherIsBetter,
        status: Status::Regression,
        gate: Gate::Hard,
        base: Some(b),
        head: Some(h),
        change_abs: Some(hm - bm),
        change_pct: Some((hm - bm) / bm * 100.0),
        p_value: benchgate::stats::welch_t_test(&base, &head).map(|w| w.p_value),
        test: Some("welch_t".into()),
        confidence: Confidence::High,
        warn_pct: 5.0,
        fail_pct: 10.0,
        reason: String::new(),
        base_origin: vec!["bench/llm.csv".into()],
        head_origin: vec!["bench/llm.csv".into()],
        noise: None,
        blocking: true,
        change_kind: Default::default(),
        provenance: Default::default(),
        merged_as: None,
        merged: Vec::new(),
    };
    let comparison = Comparison {
        verdict: Verdict::Fail,
        counts: BTreeMap::from([("regression".to_string(), 1), ("total".to_string(), 1)]),
        deltas: vec![delta],
        warnings: Vec::new(),
        key_hints: Vec::new(),
    };
    let mut inv = InventorySummary {
        files: 1,
        ..Default::default()
    };
    inv.by_kind.insert("csv".into(), 1);
    report_of(comparison, Some(inv.clone()), inv)
}

fn settings(fake: &FakeLlm) -> LlmSettings {
    LlmSettings {
        enabled: true,
        url: fake.url.clone(),
        ..LlmSettings::default()
    }
}

fn answer_json(summary: &str, findings: &[(&str, &[&str])], recs: &[&str]) -> String {
    json!({
        "summary": summary,
        "findings": findings.iter().map(|(t, m)| json!({"text": t, "metrics": m})).collect::<Vec<_>>(),
        "recommendations": recs,
    })
    .to_string()
}

fn grounded_answer() -> String {
    answer_json(
        "The verdict is fail: tokens/s fell 12.4 % from 97.8 to 85.7.",
        &[("M1 lost 12.1 tokens/s across 3 runs on each side.", &["M1"])],
        &["Re-run M1 to confirm the drop below the 10 % fail threshold."],
    )
}

/// Settings for an OpenAI-compatible server serving `model`.
fn openai_settings(fake: &FakeLlm, model: &str) -> LlmSettings {
    LlmSettings {
        api: Api::Openai,
        model: model.into(),
        ..settings(fake)
    }
}

async fn run(report: &Report, s: &LlmSettings) -> Analysis {
    analyze::run_async(report, s).await
}

// ---------------------------------------------------------------------------------------
// Ollama native API

#[tokio::test]
async fn ollama_structured_answer_is_checked_and_timed() {
    let fake = FakeLlm::ollama();
    fake.then("/api/chat", fake_llm::ollama_stream(&grounded_answer()));
    let s = LlmSettings {
        keep_alive: Some(json!("10m")),
        ..settings(&fake)
    };
    let a = run(&tokens_regression(), &s).await;
    assert_eq!(a.status, AnalysisStatus::Ok, "{a:?}");
    assert_eq!(a.reason, "");
    assert_eq!(
        a.summary,
        "The verdict is fail: tokens/s fell 12.4 % from 97.8 to 85.7."
    );
    assert_eq!(a.findings.len(), 1);
    assert_eq!(
        a.findings[0].text,
        "`gemma3/tokens_s` lost 12.1 tokens/s across 3 runs on each side."
    );
    assert_eq!(a.findings[0].metrics, vec!["gemma3/tokens_s"]);
    assert_eq!(a.recommendations.len(), 1);
    assert!(a.removed.is_empty(), "{:?}", a.removed);

    // Server metrics: nanoseconds to milliseconds, rates from counts and durations.
    let c = &a.call;
    assert_eq!((c.model.as_str(), c.api.as_str()), ("gemma3", "ollama"));
    assert_eq!(c.url, fake.url);
    assert_eq!(c.load_ms, Some(1250.0));
    assert_eq!(c.prompt_eval_ms, Some(180.0));
    assert_eq!(c.eval_ms, Some(2400.0));
    assert_eq!(c.total_ms, Some(3900.0));
    assert_eq!((c.prompt_tokens, c.eval_tokens), (Some(512), Some(96)));
    assert_eq!(c.tokens_per_s, Some(40.0));
    assert_eq!(c.prompt_tokens_per_s, Some(2844.444));
    assert!(c.ttft_ms.is_some_and(|t| t >= 0.0));
    assert_eq!((c.facts_total, c.facts_included), (1, 1));

    // The requests: pre-flight, then one chat call with the options and the schema.
    let calls: Vec<String> = fake
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        calls,
        ["GET /api/version", "POST /api/show", "POST /api/chat"]
    );
    assert_eq!(
        fake.requests_to("/api/show")[0].body,
        json!({"model": "gemma3"})
    );
    let body = &fake.requests_to("/api/chat")[0].body;
    assert_eq!(body["model"], "gemma3");
    assert_eq!(body["stream"], true);
    assert_eq!(body["keep_alive"], "10m");
    assert_eq!(
        body["options"],
        json!({"num_ctx": 4096, "temperature": 0, "seed": 42, "num_predict": 400})
    );
    assert_eq!(c.options, body["options"].as_object().unwrap().clone());
    assert_eq!(
        body["format"]["required"],
        json!(["summary", "findings", "recommendations"])
    );
    assert_eq!(
        body["format"]["properties"]["findings"]["items"]["required"],
        json!(["text", "metrics"])
    );
    assert_eq!(body["messages"][0]["role"], "system");
    let user = body["messages"][1]["content"].as_str().unwrap();
    assert!(
        user.contains("M1|`gemma3/tokens_s`|regression|tokens/s|97.8 (n=3)|85.7 (n=3)|-12.37%\n"),
        "{user}"
    );

    // The serialised shape the renderer relies on.
    let v = a.to_json();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "status",
            "reason",
            "summary",
            "findings",
            "recommendations",
            "removed",
            "removed_total",
            "show_removed",
            "call"
        ]
    );
    assert_eq!(v["status"], "ok");
    assert_eq!(v["call"]["load_ms"], 1250.0);
    assert_eq!(serde_json::from_value::<Analysis>(v).unwrap(), a);
}

#[tokio::test]
async fn prompt_fits_the_context_with_the_most_important_facts_first() {
    let fake = FakeLlm::ollama();
    fake.then("/api/chat", fake_llm::ollama_stream(&grounded_answer()));
    let report = report_for("tr115_chimera_homo_v1_vs_v2");
    let mut s = settings(&fake);
    s.options.insert("num_ctx".into(), json!(1024));
    let a = run(&report, &s).await;
    assert_eq!(a.status, AnalysisStatus::Ok, "{a:?}");

    let body = &fake.requests_to("/api/chat")[0].body;
    let system = body["messages"][0]["content"].as_str().unwrap();
    let user = body["messages"][1]["content"].as_str().unwrap();
    let estimate = estimate_tokens(system) + estimate_tokens(user);
    assert_eq!(estimate, a.call.prompt_tokens_estimate);
    // num_ctx 1024 - num_predict 400 - chat overhead 32.
    assert!(estimate <= 592, "{estimate}");
    assert_eq!(a.call.context_tokens, Some(1024));
    assert_eq!(
        a.call.prompt_chars,
        system.chars().count() + user.chars().count()
    );
    // One fact per measurement: the same numbers written to several files count once.
    let (total, included) = (a.call.facts_total, a.call.facts_included);
    assert!(
        total < report.deltas.len(),
        "{total} of {}",
        report.deltas.len()
    );
    assert!(included >= 8 && included < total, "{included} of {total}");
    assert!(
        user.contains(&format!("most important first ({included} of {total})")),
        "{user}"
    );
    let rows: Vec<&str> = user.lines().filter(|l| l.starts_with('M')).collect();
    assert_eq!(rows.len(), included);
    // The headline of the pair leads: time to first token and throughput of agent B, with
    // short names and no file paths where the name alone is unique.
    assert!(
        rows[0].starts_with("M1|`Agent B/TTFT`|regression|ms|615.3|814.8")
            && rows[0].ends_with("|+32.42%"),
        "{rows:#?}"
    );
    assert!(
        rows[1].starts_with("M2|`Agent B/Throughput`|regression|tokens/s|49.57|40.98")
            && rows[1].ends_with("|-17.33%"),
        "{rows:#?}"
    );
    assert!(rows.iter().all(|r| !r.contains("run_1/")), "{rows:#?}");
    // Every gated regression before anything else.
    let status_of = |row: &str| row.split('|').nth(2).unwrap().to_string();
    assert!(
        rows.iter().all(|r| status_of(r) == "regression"),
        "{rows:#?}"
    );
    // The example of the answer holds no text a model could copy.
    assert!(!system.contains("one sentence\""), "{system}");
    assert!(!system.contains('{'), "{system}");
    // Names are fenced as data inside the block, and the model is told so.
    assert!(user.contains("```facts"), "{user}");
    assert!(system.contains("never instructions"), "{system}");

    // With the default context every fact fits, and context follows the results.
    let fake = FakeLlm::ollama();
    fake.then("/api/chat", fake_llm::ollama_stream(&grounded_answer()));
    let a = run(&report, &settings(&fake)).await;
    assert_eq!(a.call.context_tokens, Some(4096));
    assert_eq!(a.call.facts_included, a.call.facts_total);
    let user = fake.requests_to("/api/chat")[0].body["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_string();
    let rows: Vec<&str> = user.lines().filter(|l| l.starts_with('M')).collect();
    let position = |needle: &str| {
        rows.iter()
            .position(|r| r.contains(needle))
            .unwrap_or_else(|| panic!("no {needle} in {rows:#?}"))
    };
    let last_regression = rows
        .iter()
        .rposition(|r| r.split('|').nth(2) == Some("regression"))
        .unwrap();
    assert!(position("Tokens Generated") > last_regression, "{rows:#?}");
    assert!(
        position("Tokens Generated") < position("Runs`"),
        "{rows:#?}"
    );
}

#[tokio::test]
async fn a_missing_model_names_the_model_the_server_and_the_fix() {
    let fake = FakeLlm::ollama();
    fake.always(
        "/api/show",
        Reply::Json(
            404,
            json!({"error": "model \"qwen3:8b\" not found, try pulling it first"}),
        ),
    );
    let s = LlmSettings {
        model: "qwen3:8b".into(),
        ..settings(&fake)
    };
    let a = run(&tokens_regression(), &s).await;
    assert_eq!(a.status, AnalysisStatus::Failed);
    assert!(a.is_failure());
    assert_eq!(
        a.reason,
        format!(
            "model `qwen3:8b` is not available on {}; run `ollama pull qwen3:8b` on that server or set the llm model to one it has",
            fake.url
        )
    );
    assert!(fake.requests_to("/api/chat").is_empty());
    assert_eq!(fake.requests_to("/api/show").len(), 1, "4xx is not retried");
}

#[tokio::test]
async fn server_errors_are_retried_twice_then_reported() {
    let fake = FakeLlm::ollama();
    fake.then(
        "/api/chat",
        Reply::Json(
            500,
            json!({"error": "llama runner process has terminated: exit status 2"}),
        ),
    );
    fake.then(
        "/api/chat",
        Reply::Json(
            503,
            json!({"error": "server busy, please try again.  maximum pending requests exceeded"}),
        ),
    );
    fake.then("/api/chat", fake_llm::ollama_stream(&grounded_answer()));
    let a = run(&tokens_regression(), &settings(&fake)).await;
    assert_eq!(a.status, AnalysisStatus::Ok, "{a:?}");
    assert_eq!(fake.requests_to("/api/chat").len(), 3);

    let fake = FakeLlm::ollama();
    fake.always(
        "/api/chat",
        Reply::Json(
            500,
            json!({"error": "llama runner process has terminated: exit status 2"}),
        ),
    );
    let a = run(&tokens_regression(), &settings(&fake)).await;
    assert_eq!(a.status, AnalysisStatus::Failed);
    assert_eq!(
        fake.requests_to("/api/chat").len(),
        3,
        "one try and two retries"
    );
    assert_eq!(
        a.reason,
        format!(
            "{} answered HTTP 500: llama runner process has terminated: exit status 2",
            fake.url
        )
    );
}

#[tokio::test]
async fn rejected_schema_falls_back_to_checked_plain_text() {
    let fake = FakeLlm::ollama();
    fake.then(
        "/api/chat",
        Reply::Json(
            400,
            json!({"error": "invalid format: json schema not supported"}),
        ),
    );
    let plain = "Throughput of M1 fell 12.4 % from 97.8 to 85.7 tokens/s. \
                 The GPU fan speed rose to 98 RPM.\n\n\
                 ## Findings\n\
                 1. M1 is below the 10 % fail threshold.\n\
                 2. Compilation time was 65.2 s.\n\n\
                 ## Recommendations\n\
                 - Profile M1 before merging.\n";
    fake.then("/api/chat", fake_llm::ollama_stream(plain));
    let a = run(&tokens_regression(), &settings(&fake)).await;
    assert_eq!(a.status, AnalysisStatus::Ok, "{a:?}");
    assert!(
        a.reason.starts_with("the server refused structured output (HTTP 400: invalid format: json schema not supported)"),
        "{}",
        a.reason
    );
    let chats = fake.requests_to("/api/chat");
    assert_eq!(chats.len(), 2);
    assert!(chats[0].body.get("format").is_some());
    assert!(chats[1].body.get("format").is_none());
    assert_eq!(
        a.summary,
        "Throughput of `gemma3/tokens_s` fell 12.4 % from 97.8 to 85.7 tokens/s."
    );
    assert_eq!(a.findings.len(), 1);
    assert_eq!(a.findings[0].metrics, vec!["gemma3/tokens_s"]);
    assert_eq!(a.recommendations.len(), 1);
    let why: Vec<&str> = a.removed.iter().map(|r| r.why.as_str()).collect();
    assert_eq!(
        why,
        ["98 rpm is not in the facts", "65.2 s is not in the facts"]
    );
}

#[tokio::test]
async fn a_slow_first_token_is_measured() {
    let fake = FakeLlm::ollama();
    fake.then(
        "/api/chat",
        fake_llm::ndjson(
            fake_llm::ollama_lines(&grounded_answer(), "stop"),
            Duration::from_millis(400),
            false,
        ),
    );
    let a = run(&tokens_regression(), &settings(&fake)).await;
    assert_eq!(a.status, AnalysisStatus::Ok, "{a:?}");
    let ttft = a.call.ttft_ms.unwrap();
    assert!((400.0..5000.0).contains(&ttft), "{ttft}");
}

#[tokio::test]
async fn a_stream_cut_midway_is_reported_not_half_posted() {
    let fake = FakeLlm::ollama();
    let mut lines = fake_llm::ollama_lines(&grounded_answer(), "stop");
    lines.truncate(4);
    fake.then(
        "/api/chat",
        fake_llm::ndjson(lines.clone(), Duration::ZERO, true),
    );
    let a = run(&tokens_regression(), &settings(&fake)).await;
    assert_eq!(a.status, AnalysisStatus::Failed);
    assert!(
        a.reason
            .starts_with(&format!("the answer stream from {} broke off:", fake.url)),
        "{}",
        a.reason
    );
    assert!(a.reason.ends_with("nothing of it was used"), "{}", a.reason);
    assert!(a.summary.is_empty() && a.findings.is_empty());

    // A body that ends cleanly but before `done: true` is no answer either.
    let fake = FakeLlm::ollama();
    fake.then("/api/chat", fake_llm::ndjson(lines, Duration::ZERO, false));
    let a = run(&tokens_regression(), &settings(&fake)).await;
    assert_eq!(a.status, AnalysisStatus::Failed);
    assert!(
        a.reason
            .contains("the stream ended before the final `done` message"),
        "{}",
        a.reason
    );
}

#[tokio::test]
async fn an_error_line_mid_stream_fails_the_analysis() {
    let fake = FakeLlm::ollama();
    let mut lines = fake_llm::ollama_lines(&grounded_answer(), "stop");
    lines.truncate(3);
    lines.push(
        json!({"error": "an error was encountered while running the model: CUDA error: out of memory"})
            .to_string(),
    );
    fake.then("/api/chat", fake_llm::ndjson(lines, Duration::ZERO, false));
    let a = run(&tokens_regression(), &settings(&fake)).await;
    assert_eq!(a.status, AnalysisStatus::Failed);
    assert_eq!(
        a.reason,
        format!(
            "the LLM server at {} reported an error mid-answer: an error was encountered while running the model: CUDA error: out of memory",
            fake.url
        )
    );
}

#[tokio::test]
async fn a_malformed_line_fails_the_analysis() {
    let fake = FakeLlm::ollama();
    let mut lines = fake_llm::ollama_lines(&grounded_answer(), "stop");
    lines.insert(
        2,
        r#"{"model":"gemma3","message":{"role":"assistant","content":"x"#.into(),
    );
    fake.then("/api/chat", fake_llm::ndjson(lines, Duration::ZERO, false));
    let a = run(&tokens_regression(), &settings(&fake)).await;
    assert_eq!(a.status, AnalysisStatus::Failed);
    assert!(
        a.reason
            .contains("a line is not JSON: {\"model\":\"gemma3\""),
        "{}",
        a.reason
    );
}

#[tokio::test]
async fn an_idle_stream_times_out() {
    let fake = FakeLlm::ollama();
    let lines = fake_llm::ollama_lines(&grounded_answer(), "stop");
    fake.then(
        "/api/chat",
        Reply::Stream {
            content_type: "application/x-ndjson",
            pieces: vec![
                (Duration::ZERO, format!("{}\n", lines[0])),
                (Duration::from_secs(2), format!("{}\n", lines[1])),
            ],
            cut: false,
        },
    );
    let s = LlmSettings {
        idle_timeout: 0.3,
        ..settings(&fake)
    };
    let started = std::time::Instant::now();
    let a = run(&tokens_regression(), &s).await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(a.status, AnalysisStatus::Failed);
    assert_eq!(
        a.reason,
        format!(
            "the LLM server at {} did not finish the answer (the stream went silent) within 0.3 s; raise the llm idle-timeout (seconds) or use a smaller model",
            fake.url
        )
    );
}

#[tokio::test]
async fn the_total_timeout_bounds_a_slow_model() {
    let fake = FakeLlm::ollama();
    fake.then(
        "/api/chat",
        fake_llm::ndjson(
            fake_llm::ollama_lines(&grounded_answer(), "stop"),
            Duration::from_secs(2),
            false,
        ),
    );
    let s = LlmSettings {
        timeout: 0.5,
        ..settings(&fake)
    };
    let a = run(&tokens_regression(), &s).await;
    assert_eq!(a.status, AnalysisStatus::Failed);
    assert!(
        a.reason
            .contains("did not finish the analysis within 0.5 s; raise the llm timeout"),
        "{}",
        a.reason
    );
}

#[tokio::test]
async fn an_answer_far_over_the_length_cap_is_bounded() {
    let fake = FakeLlm::ollama();
    let long_finding = format!("M1 fell 12.4 %. {}", "The drop is consistent. ".repeat(60));
    let findings: Vec<(&str, &[&str])> = (0..40)
        .map(|_| (long_finding.as_str(), &["M1"][..]))
        .collect();
    let answer = answer_json(
        &"Tokens/s fell 12.4 % from 97.8 to 85.7. ".repeat(100),
        &findings,
        &["Re-run M1."],
    );
    assert!(answer.len() > 50_000);
    fake.then("/api/chat", fake_llm::ollama_stream(&answer));
    let a = run(&tokens_regression(), &settings(&fake)).await;
    assert_eq!(a.status, AnalysisStatus::Ok, "{a:?}");
    let kept: usize = a.summary.chars().count()
        + a.findings
            .iter()
            .map(|f| f.text.chars().count())
            .sum::<usize>()
        + a.recommendations
            .iter()
            .map(|r| r.chars().count())
            .sum::<usize>();
    assert!(kept <= 3000 + 200, "{kept}");
    assert!(a
        .findings
        .iter()
        .all(|f| f.text.chars().count() <= analyze::MAX_STATEMENT_CHARS + 50));
    assert!(a
        .removed
        .iter()
        .any(|r| r.why == "over the length limit of the analysis"));
    assert!(a.removed.len() <= 21, "{}", a.removed.len());
    assert!(a
        .removed
        .last()
        .unwrap()
        .why
        .ends_with("more statements removed"));
}

#[tokio::test]
async fn a_bare_403_points_at_the_proxy_host_header() {
    let fake = FakeLlm::ollama();
    fake.always("/api/version", Reply::Text(403, String::new()));
    let a = run(&tokens_regression(), &settings(&fake)).await;
    assert_eq!(a.status, AnalysisStatus::Failed);
    assert!(
        a.reason.contains("answered 403 with an empty body")
            && a.reason.contains("proxy_set_header Host localhost:11434"),
        "{}",
        a.reason
    );
}

#[tokio::test]
async fn an_openai_server_named_as_ollama_is_recognised() {
    let fake = FakeLlm::openai();
    let a = run(&tokens_regression(), &settings(&fake)).await;
    assert_eq!(a.status, AnalysisStatus::Failed);
    assert_eq!(
        a.reason,
        format!(
            "{} is not an Ollama server (GET /api/version answered 404); set the llm api to the one it speaks (ollama or openai)",
            fake.url
        )
    );
}

#[tokio::test]
async fn an_unreachable_server_fails_fast_with_the_address() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let s = LlmSettings {
        enabled: true,
        url: format!("http://127.0.0.1:{port}"),
        ..LlmSettings::default()
    };
    let started = std::time::Instant::now();
    let a = run(&tokens_regression(), &s).await;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(a.status, AnalysisStatus::Failed);
    assert!(
        a.reason.starts_with(&format!(
            "cannot reach the LLM server at http://127.0.0.1:{port}: "
        )),
        "{}",
        a.reason
    );
}

#[tokio::test]
async fn token_and_headers_are_sent_but_never_shown() {
    let fake = FakeLlm::ollama();
    fake.then("/api/chat", fake_llm::ollama_stream(&grounded_answer()));
    let mut s = settings(&fake);
    s.token = Some(Secret::new("tok-7f3a"));
    s.headers
        .insert("X-API-Key".into(), Secret::new("key-91c2"));
    let a = run(&tokens_regression(), &s).await;
    assert_eq!(a.status, AnalysisStatus::Ok, "{a:?}");
    assert_eq!(fake.requests().len(), 3);
    for r in fake.requests() {
        assert_eq!(r.headers["authorization"], "Bearer tok-7f3a");
        assert_eq!(r.headers["x-api-key"], "key-91c2");
    }
    let shown = format!("{}{a:?}{s:?}", serde_json::to_string(&a).unwrap());
    for secret in ["tok-7f3a", "key-91c2"] {
        assert!(!shown.contains(secret), "{secret} leaked");
    }

    // Credentials in the URL become basic auth and are left out of every message.
    let fake = FakeLlm::ollama();
    fake.always(
        "/api/show",
        Reply::Json(404, json!({"error": "model 'gemma3' not found"})),
    );
    let mut s = settings(&fake);
    s.url = s.url.replace("http://", "http://ci:pw-55d1@");
    let a = run(&tokens_regression(), &s).await;
    assert_eq!(a.call.url, fake.url);
    assert!(
        a.reason.contains(&format!("available on {};", fake.url)),
        "{}",
        a.reason
    );
    assert!(!serde_json::to_string(&a).unwrap().contains("pw-55d1"));
    assert_eq!(
        fake.requests()[0].headers["authorization"],
        "Basic Y2k6cHctNTVkMQ=="
    );
}

#[tokio::test]
async fn an_answer_cut_at_the_output_limit_is_not_published() {
    let fake = FakeLlm::ollama();
    let answer = grounded_answer();
    fake.then(
        "/api/chat",
        fake_llm::ndjson(
            fake_llm::ollama_lines(&answer[..answer.len() / 2], "length"),
            Duration::ZERO,
            false,
        ),
    );
    let a = run(&tokens_regression(), &settings(&fake)).await;
    assert_eq!(a.status, AnalysisStatus::Failed);
    assert_eq!(
        a.reason,
        "the model stopped at the output limit (num_predict 400) before its answer was complete; raise the llm option num_predict"
    );
}

#[test]
fn disabled_or_empty_is_skipped_without_a_request() {
    let a = analyze::run(&tokens_regression(), &LlmSettings::default());
    assert_eq!(a.status, AnalysisStatus::Skipped);
    assert!(!a.is_failure());
    assert!(
        a.reason.starts_with("the LLM analysis is off"),
        "{}",
        a.reason
    );

    let mut empty = tokens_regression();
    empty.deltas.clear();
    let s = LlmSettings {
        enabled: true,
        ..LlmSettings::default()
    };
    let a = analyze::run(&empty, &s);
    assert_eq!(a.status, AnalysisStatus::Skipped);
    assert_eq!(
        a.reason,
        "no metrics were compared, so there is nothing to explain"
    );
}

#[test]
fn the_context_must_hold_at_least_the_verdict() {
    let mut s = LlmSettings {
        enabled: true,
        ..LlmSettings::default()
    };
    s.options.insert("num_ctx".into(), json!(512));
    let a = analyze::run(&tokens_regression(), &s);
    assert_eq!(a.status, AnalysisStatus::Failed);
    assert!(
        a.reason
            .starts_with("the prompt does not fit: num_ctx 512 minus 400 tokens reserved"),
        "{}",
        a.reason
    );
}

#[test]
fn the_blocking_entry_point_works_inside_and_outside_a_runtime() {
    let fake = FakeLlm::ollama();
    fake.then("/api/chat", fake_llm::ollama_stream(&grounded_answer()));
    fake.then("/api/chat", fake_llm::ollama_stream(&grounded_answer()));
    let s = settings(&fake);
    let report = tokens_regression();
    let a = analyze::run(&report, &s);
    assert_eq!(a.status, AnalysisStatus::Ok, "{a:?}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let b = rt.block_on(async { analyze::run(&report, &s) });
    assert_eq!(b.status, AnalysisStatus::Ok, "{b:?}");
}

#[test]
fn a_prompt_template_from_a_file_replaces_the_embedded_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("prompt.md.j2");
    std::fs::write(
        &path,
        "{% block system %}Explain.{% endblock %}{% block user %}Verdict {{ verdict }}; {% for r in rows %}{{ r.id }}={{ r.change }} {% endfor %}{% endblock %}",
    )
    .unwrap();
    let fake = FakeLlm::ollama();
    fake.then("/api/chat", fake_llm::ollama_stream(&grounded_answer()));
    let s = LlmSettings {
        prompt_template: Some(path),
        ..settings(&fake)
    };
    let a = analyze::run(&tokens_regression(), &s);
    assert_eq!(a.status, AnalysisStatus::Ok, "{a:?}");
    let body = &fake.requests_to("/api/chat")[0].body;
    assert_eq!(body["messages"][0]["content"], "Explain.");
    assert_eq!(body["messages"][1]["content"], "Verdict fail; M1=-12.37%");

    let s = LlmSettings {
        prompt_template: Some(dir.path().join("missing.j2")),
        ..settings(&fake)
    };
    let a = analyze::run(&tokens_regression(), &s);
    assert_eq!(a.status, AnalysisStatus::Failed);
    assert!(
        a.reason.contains("missing.j2: cannot read it"),
        "{}",
        a.reason
    );
}

// ---------------------------------------------------------------------------------------
// OpenAI-compatible API

#[tokio::test]
async fn openai_route_streams_sse_until_done() {
    let fake = FakeLlm::openai();
    fake.then(
        "/v1/chat/completions",
        fake_llm::openai_stream(&grounded_answer(), true),
    );
    let s = openai_settings(&fake, "smollm2");
    let a = run(&tokens_regression(), &s).await;
    assert_eq!(a.status, AnalysisStatus::Ok, "{a:?}");
    assert_eq!(a.findings.len(), 1);
    let c = &a.call;
    assert_eq!(c.api, "openai");
    assert_eq!((c.prompt_tokens, c.eval_tokens), (Some(512), Some(96)));
    assert_eq!((c.prompt_eval_ms, c.eval_ms), (Some(180.0), Some(2400.0)));
    assert_eq!(c.tokens_per_s, Some(40.0));
    assert!(c.total_ms.is_some() && c.ttft_ms.is_some() && c.load_ms.is_none());

    let paths: Vec<String> = fake.requests().iter().map(|r| r.path.clone()).collect();
    // The model list names no context size, so llama.cpp's /props is asked; this server has
    // none, and the configured num_ctx applies.
    assert_eq!(paths, ["/v1/models", "/props", "/v1/chat/completions"]);
    assert_eq!(c.context_tokens, Some(4096));
    let body = &fake.requests_to("/v1/chat/completions")[0].body;
    assert_eq!(body["model"], "smollm2");
    assert_eq!(body["stream"], true);
    assert_eq!(body["max_tokens"], 400);
    assert_eq!(body["temperature"], 0);
    assert_eq!(body["seed"], 42);
    assert!(body.get("num_ctx").is_none() && body.get("options").is_none());
    assert_eq!(body["response_format"]["type"], "json_schema");
    assert_eq!(
        body["response_format"]["json_schema"]["schema"],
        analyze::answer_schema()
    );
    assert_eq!(
        c.options,
        json!({"max_tokens": 400, "temperature": 0, "seed": 42})
            .as_object()
            .unwrap()
            .clone()
    );
}

#[tokio::test]
async fn openai_stream_without_done_is_a_failure() {
    let fake = FakeLlm::openai();
    fake.then(
        "/v1/chat/completions",
        fake_llm::openai_stream(&grounded_answer(), false),
    );
    let s = LlmSettings {
        api: Api::Openai,
        ..settings(&fake)
    };
    let a = run(&tokens_regression(), &s).await;
    assert_eq!(a.status, AnalysisStatus::Failed);
    assert!(
        a.reason.contains("the stream ended without `data: [DONE]`"),
        "{}",
        a.reason
    );
}

#[tokio::test]
async fn openai_errors_and_rejected_response_format() {
    // An OpenAI-style error event mid-stream.
    let fake = FakeLlm::openai();
    fake.then(
        "/v1/chat/completions",
        Reply::Stream {
            content_type: "text/event-stream",
            pieces: vec![(
                Duration::ZERO,
                format!(
                    "data: {}\n\n",
                    json!({"error": {"message": "context size exceeded", "type": "exceed_context_size_error", "code": 400}})
                ),
            )],
            cut: false,
        },
    );
    let s = LlmSettings {
        api: Api::Openai,
        ..settings(&fake)
    };
    let a = run(&tokens_regression(), &s).await;
    assert_eq!(a.status, AnalysisStatus::Failed);
    assert!(
        a.reason
            .ends_with("reported an error mid-answer: context size exceeded"),
        "{}",
        a.reason
    );

    // A server without json_schema support: one plain retry.
    let fake = FakeLlm::openai();
    fake.then(
        "/v1/chat/completions",
        Reply::Json(400, json!({"error": {"message": "response_format type json_schema is not supported", "type": "invalid_request_error"}})),
    );
    fake.then(
        "/v1/chat/completions",
        fake_llm::openai_stream("Tokens/s fell 12.4 % from 97.8 to 85.7.", true),
    );
    let s = LlmSettings {
        api: Api::Openai,
        ..settings(&fake)
    };
    let a = run(&tokens_regression(), &s).await;
    assert_eq!(a.status, AnalysisStatus::Ok, "{a:?}");
    assert_eq!(a.summary, "Tokens/s fell 12.4 % from 97.8 to 85.7.");
    let calls = fake.requests_to("/v1/chat/completions");
    assert_eq!(calls.len(), 2);
    assert!(calls[1].body.get("response_format").is_none());

    // Ollama's OpenAI route answers a missing model with 404.
    let fake = FakeLlm::openai();
    fake.always(
        "/v1/chat/completions",
        Reply::Json(404, json!({"error": {"message": "model \"gemma3\" not found, try pulling it first", "type": "api_error"}})),
    );
    let s = LlmSettings {
        api: Api::Openai,
        ..settings(&fake)
    };
    let a = run(&tokens_regression(), &s).await;
    assert!(
        a.reason.contains("run `ollama pull gemma3`"),
        "{}",
        a.reason
    );
}

// ---------------------------------------------------------------------------------------
// Grounding on facts the pipeline computed from the real files

/// Checks `answer` against the facts of `report` (all of them shown).
fn check(report: &Report, answer: &str) -> analyze::Reviewed {
    let facts = Facts::from_report(report);
    let cat = Catalogue::new(&facts, facts.total());
    let draft = parse_answer(answer).unwrap();
    review(&draft, &cat, analyze::DEFAULT_TEMPLATE, 3000)
}

fn delta<'a>(report: &'a Report, benchmark: &str, metric: &str) -> &'a Delta {
    report
        .deltas
        .iter()
        .find(|d| d.key.benchmark == benchmark && d.key.metric == metric)
        .unwrap_or_else(|| panic!("no delta {benchmark}/{metric}"))
}

#[test]
fn invented_numbers_from_the_chimeraforge_agent_are_stripped() {
    let report = report_for("rust_agent_rerun_noise");
    let answer = answer_json(
        "Chimera TTFT dropped from 7.65 s to 6.49 s.",
        &[
            ("GPU fan speed stayed between 72-98 RPM during the runs.", &[]),
            ("Compilation time was 65.2 s for the torch_compile backend.", &[]),
            (
                "| Metric | Value |\n|---|---|\n| GPU fan speed | 72-98 RPM |\n| Compilation time | 65.2 s |",
                &[],
            ),
            ("Throughput rose 25 % on an A100.", &[]),
            ("Fan speed regressed.", &["gpu_fan_speed_rpm"]),
        ],
        &[],
    );
    let r = check(&report, &answer);
    assert_eq!(r.summary, "Chimera TTFT dropped from 7.65 s to 6.49 s.");
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    let why: Vec<&str> = r.removed.iter().map(|x| x.why.as_str()).collect();
    assert_eq!(
        why,
        [
            "72 rpm is not in the facts; 98 rpm is not in the facts",
            "65.2 s is not in the facts; `torch_compile` is not a metric in the facts",
            "72 rpm is not in the facts; 98 rpm is not in the facts; 65.2 s is not in the facts",
            "25 % is not in the facts; `A100` is not a metric in the facts",
            "names metric `gpu_fan_speed_rpm`, which is not in the facts",
        ]
    );
}

#[test]
fn correct_restatements_of_real_values_survive() {
    let report = report_for("rust_agent_rerun_noise");
    let tps = delta(&report, "baseline", "average_tokens_per_second");
    let (b, h) = (
        tps.base.as_ref().unwrap().mean.unwrap(),
        tps.head.as_ref().unwrap().mean.unwrap(),
    );
    assert_eq!(
        (format!("{b:.2}"), format!("{h:.2}")),
        ("34.70".into(), "30.33".into())
    );
    let ttft = delta(&report, "chimera", "average_ttft_ms");
    assert_eq!(ttft.unit, "ms");
    let statements = [
        // Rounded, with and without units, the sign spelled out in words.
        "Baseline throughput fell 12.6 % from 34.7 to 30.33 tokens/s.",
        // ms written as s.
        "Chimera TTFT dropped from 7.65 s to 6.49 s, a 1161 ms gain.",
        // A ratio and the change seen from the other side.
        "Chimera throughput rose 1.14x (14.4 %), so baseline needed 12.6 % fewer tokens per second than before.",
        // Names of the metrics in code spans.
        "`chimera/average_tokens_per_second` improved to 35.58 tokens/s.",
    ];
    let answer = answer_json(
        statements[0],
        &statements[1..]
            .iter()
            .map(|s| (*s, &[][..]))
            .collect::<Vec<_>>(),
        &[],
    );
    let r = check(&report, &answer);
    assert!(r.removed.is_empty(), "{:#?}", r.removed);
    assert_eq!(r.kept, 4);
    assert_eq!(r.findings[2].metrics, vec!["Chimera/Average Throughput"]);

    // The failed-then-fixed pair: counts and means of the fixed side.
    let report = report_for("ollama_gemma3_failed_then_fixed");
    let r = check(
        &report,
        &answer_json(
            "All 5 runs failed on base; on head 5 of 5 succeeded at 88.9 tokens/s with a mean TTFT of 6.1 s.",
            &[("TTFT was 6100 ms on head.", &["ttft_s"])],
            &[],
        ),
    );
    assert!(r.removed.is_empty(), "{:#?}", r.removed);
    assert_eq!(r.findings[0].metrics, vec!["gemma3:latest/ttft_s"]);
}

#[test]
fn the_example_of_the_issue() {
    let r = check(
        &tokens_regression(),
        &answer_json("tokens/s fell 12.4 % from 97.8 to 85.7", &[], &[]),
    );
    assert_eq!(r.summary, "tokens/s fell 12.4 % from 97.8 to 85.7");
    let r = check(
        &tokens_regression(),
        &answer_json("tokens/s fell 12.9 % from 97.8 to 85.7", &[], &[]),
    );
    assert_eq!(r.summary, "");
    assert_eq!(r.removed[0].why, "12.9 % is not in the facts");
}

#[test]
fn an_echo_of_the_instructions_is_not_an_analysis() {
    let r = check(
        &tokens_regression(),
        &answer_json(
            "one or two sentences",
            &[("One sentence.", &["M1"])],
            &["M1 fell 12.4 %."],
        ),
    );
    assert_eq!((r.summary.as_str(), r.findings.len()), ("", 0));
    assert_eq!(r.recommendations.len(), 1);
    assert_eq!(r.removed.len(), 2);
    assert!(r
        .removed
        .iter()
        .all(|x| x.why == "repeats the instructions instead of explaining the facts"));
}

#[test]
fn untrusted_markup_in_the_answer_is_neutralised() {
    let answer = answer_json(
        "@octocat see <img src=x onerror=alert(1)> ![x](https://evil.example/a.png) [run](https://evil.example/r) and [PR](https://github.com/o/r/pull/1): **tokens/s fell 12.4 %** | ok",
        &[],
        &[],
    );
    let r = check(&tokens_regression(), &answer);
    assert_eq!(
        r.summary,
        "@\u{200b}octocat see run and PR: \\*\\*tokens/s fell 12.4 %\\*\\* \\| ok"
    );
    // No links at all, not even to the repository's own host; bare URLs neither.
    let r = check(
        &tokens_regression(),
        &answer_json(
            "M1 fell 12.4 %, see https://github.com/o/r/pull/1 or www.example.com.",
            &[],
            &[],
        ),
    );
    assert_eq!(
        r.summary,
        "`gemma3/tokens_s` fell 12.4 %, see (link removed) or (link removed)"
    );
}

#[test]
fn statements_about_merging_or_approval_are_removed() {
    let report = tokens_regression();
    for vote in [
        "M1 fell 12.4 %, so this PR is not safe to merge.",
        "The change is safe to merge.",
        "M1 fell 12.4 %; do not merge this.",
        "LGTM.",
        "This PR can be approved.",
        "The pull request should not be merged until M1 recovers.",
        "Ship it.",
    ] {
        let r = check(&report, &answer_json(vote, &[], &[vote]));
        assert_eq!(r.summary, "", "{vote}");
        assert!(r.recommendations.is_empty(), "{vote}");
        assert_eq!(r.removed.len(), 2, "{vote}");
        assert!(
            r.removed[0]
                .why
                .starts_with("speaks to merging or approval"),
            "{vote}: {}",
            r.removed[0].why
        );
    }
    // Explaining what the numbers mean is not a vote.
    let r = check(
        &report,
        &answer_json(
            "M1 fell 12.4 % after the merge of the new sampler.",
            &[],
            &["Re-run M1 to confirm the drop."],
        ),
    );
    assert!(r.removed.is_empty(), "{:#?}", r.removed);
}

#[test]
fn invented_numbers_hidden_in_other_forms_are_caught() {
    let report = tokens_regression();
    for (text, why) in [
        ("The p99 latency was 812 ms.", "812 ms is not in the facts"),
        ("It ran on 2025-10-08.", "2025 is not in the facts"),
        ("Throughput fell 13 %.", "13 % is not in the facts"),
        ("Head reached 0.8 of base.", "0.8 is not in the facts"),
        ("See `M7` for details.", "`M7` is not a metric in the facts"),
    ] {
        let r = check(&report, &answer_json(text, &[], &[]));
        assert_eq!(r.summary, "", "{text}");
        assert!(
            r.removed[0].why.starts_with(why),
            "{text}: {}",
            r.removed[0].why
        );
    }
    // Harmless: model names and ids that the facts contain, rounded ratios.
    let r = check(
        &report,
        &answer_json(
            "On gemma3 with num_ctx=1024, M1 kept 0.876 of its base tokens/s (0.88x).",
            &[],
            &[],
        ),
    );
    assert!(r.removed.is_empty(), "{:#?}", r.removed);
}

// ---------------------------------------------------------------------------------------
// What the prompt carries

/// The prompt built for a fixture pair at a context size.
fn prompt_at(report: &Report, num_ctx: i64) -> analyze::Prompt {
    let mut s = LlmSettings {
        enabled: true,
        ..LlmSettings::default()
    };
    s.options.insert("num_ctx".into(), json!(num_ctx));
    analyze::build_prompt(&Facts::from_report(report), &s, None).unwrap()
}

#[test]
fn small_contexts_still_carry_the_headline_of_each_pair() {
    for pair in [
        "tr115_chimera_homo_v1_vs_v2",
        "rust_agent_rerun_noise",
        "ollama_gemma3_failed_then_fixed",
    ] {
        let report = report_for(pair);
        let small = prompt_at(&report, 1024);
        let large = prompt_at(&report, 4096);
        println!(
            "{pair}: {} deltas, {} facts; shown at num_ctx 1024: {} ({} tokens estimated), at 4096: {} ({} tokens estimated)",
            report.deltas.len(),
            small.facts_total,
            small.facts_included,
            small.tokens_estimate,
            large.facts_included,
            large.tokens_estimate,
        );
        assert!(small.facts_included <= large.facts_included);
        assert!(small.tokens_estimate as i64 <= 1024 - 400 - 32);
        assert!(large.tokens_estimate as i64 <= 4096 - 400 - 32);
        assert!(
            small.facts_included >= 8.min(small.facts_total),
            "{pair}: {} facts at 1024\n{}",
            small.facts_included,
            small.user
        );
    }
}

// ---------------------------------------------------------------------------------------
// Reasoning models

#[tokio::test]
async fn a_reasoning_model_is_asked_not_to_think_and_its_reasoning_is_never_posted() {
    let thinking = "Throughput fell 99 %, probably the GPU fan at 98 RPM.";
    // Ollama's `message.thinking` field, before the answer.
    let fake = FakeLlm::ollama_thinking();
    fake.then(
        "/api/chat",
        fake_llm::ndjson(
            fake_llm::ollama_thinking_lines(thinking, &grounded_answer()),
            Duration::from_millis(150),
            false,
        ),
    );
    let a = run(&tokens_regression(), &settings(&fake)).await;
    assert_eq!(a.status, AnalysisStatus::Ok, "{a:?}");
    assert_eq!(a.removed_total, 0, "{:?}", a.removed);
    let text = serde_json::to_string(&a).unwrap();
    assert!(!text.contains("RPM") && !text.contains("99 %"), "{text}");
    assert_eq!(fake.requests_to("/api/chat")[0].body["think"], false);

    // `<think>` in the content, as models do through a template that does not separate it.
    let fake = FakeLlm::ollama_thinking();
    let answer = format!("<think>{thinking}</think>\n{}", grounded_answer());
    fake.then("/api/chat", fake_llm::ollama_stream(&answer));
    let a = run(&tokens_regression(), &settings(&fake)).await;
    assert_eq!(a.status, AnalysisStatus::Ok, "{a:?}");
    assert_eq!(a.removed_total, 0, "{:?}", a.removed);
    assert!(!serde_json::to_string(&a).unwrap().contains("RPM"));

    // GPT-OSS only knows levels of thinking; a model without the capability gets no field
    // (Ollama answers it with 400).
    let fake = FakeLlm::ollama_thinking();
    fake.then("/api/chat", fake_llm::ollama_stream(&grounded_answer()));
    let s = LlmSettings {
        model: "gpt-oss:20b".into(),
        ..settings(&fake)
    };
    assert_eq!(
        run(&tokens_regression(), &s).await.status,
        AnalysisStatus::Ok
    );
    assert_eq!(fake.requests_to("/api/chat")[0].body["think"], "low");
    let fake = FakeLlm::ollama();
    fake.then("/api/chat", fake_llm::ollama_stream(&grounded_answer()));
    run(&tokens_regression(), &settings(&fake)).await;
    assert!(fake.requests_to("/api/chat")[0].body.get("think").is_none());

    // Only reasoning and no answer, cut at the output limit: a reason, nothing posted.
    let fake = FakeLlm::ollama_thinking();
    fake.then(
        "/api/chat",
        fake_llm::ndjson(
            fake_llm::ollama_lines(&format!("<think>{thinking}"), "length"),
            Duration::ZERO,
            false,
        ),
    );
    let a = run(&tokens_regression(), &settings(&fake)).await;
    assert_eq!(a.status, AnalysisStatus::Failed);
    assert!(a.reason.contains("output limit"), "{}", a.reason);
    let fake = FakeLlm::ollama_thinking();
    fake.then(
        "/api/chat",
        fake_llm::ollama_stream(&format!("<think>{thinking}</think>")),
    );
    let a = run(&tokens_regression(), &settings(&fake)).await;
    assert_eq!(a.status, AnalysisStatus::Failed);
    assert!(
        a.reason.contains("only the model's reasoning"),
        "{}",
        a.reason
    );
    assert!(!a.reason.contains("RPM"), "{}", a.reason);
}

#[tokio::test]
async fn openai_reasoning_content_is_not_part_of_the_answer() {
    let fake = FakeLlm::openai();
    let events = fake_llm::openai_reasoning_events(
        "Maybe the driver changed; fans at 98 RPM.",
        &grounded_answer(),
        true,
    );
    fake.then(
        "/v1/chat/completions",
        Reply::Stream {
            content_type: "text/event-stream",
            pieces: vec![(Duration::ZERO, events.concat())],
            cut: false,
        },
    );
    let s = openai_settings(&fake, "smollm2");
    let a = run(&tokens_regression(), &s).await;
    assert_eq!(a.status, AnalysisStatus::Ok, "{a:?}");
    assert_eq!(a.removed_total, 0, "{:?}", a.removed);
    assert!(!serde_json::to_string(&a).unwrap().contains("RPM"));
}

// ---------------------------------------------------------------------------------------
// The context size an OpenAI-compatible server reports

#[tokio::test]
async fn the_prompt_fits_the_context_the_server_reports() {
    // llama.cpp: /v1/models names no context size; /props has the server's n_ctx.
    let fake = FakeLlm::openai();
    fake.always(
        "/props",
        Reply::Json(
            200,
            json!({"default_generation_settings": {"n_ctx": 1024, "params": {}}, "total_slots": 1}),
        ),
    );
    fake.then(
        "/v1/chat/completions",
        fake_llm::openai_stream(&grounded_answer(), true),
    );
    let s = openai_settings(&fake, "smollm2");
    let report = report_for("tr115_chimera_homo_v1_vs_v2");
    let a = run(&report, &s).await;
    assert_eq!(a.status, AnalysisStatus::Ok, "{a:?}");
    assert_eq!(a.call.context_tokens, Some(1024));
    assert!(a.call.prompt_tokens_estimate <= 1024 - 400 - 32);
    assert_eq!(
        a.call.facts_included,
        prompt_at(&report, 1024).facts_included
    );

    // vLLM: max_model_len of the model in /v1/models; /props is not asked.
    let fake = FakeLlm::openai();
    fake.always(
        "/v1/models",
        Reply::Json(
            200,
            json!({"object": "list", "data": [{"id": "qwen2.5", "object": "model", "max_model_len": 32768}]}),
        ),
    );
    fake.then(
        "/v1/chat/completions",
        fake_llm::openai_stream(&grounded_answer(), true),
    );
    let s = openai_settings(&fake, "qwen2.5");
    let a = run(&report, &s).await;
    assert_eq!(a.call.context_tokens, Some(32768));
    assert_eq!(a.call.facts_included, a.call.facts_total);
    assert!(fake.requests_to("/props").is_empty());
}

// ---------------------------------------------------------------------------------------
// Checks beyond numbers, on the facts of the tr115 pair

/// The statements `answer` lost, with the kind of reason.
fn removed_kinds(r: &analyze::Reviewed) -> Vec<(String, String)> {
    r.removed
        .iter()
        .map(|x| (x.text.clone(), x.kind.clone()))
        .collect()
}

#[test]
fn a_change_called_the_opposite_of_what_was_measured_is_removed() {
    let report = report_for("tr115_chimera_homo_v1_vs_v2");
    let facts = Facts::from_report(&report);
    let id = |name: &str| {
        facts
            .rows
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no fact {name}"))
            .id
            .clone()
    };
    let (eval, ttft, tput) = (
        id("insight_report:Metrics/Prompt Eval"),
        id("Agent B/TTFT"),
        id("Agent B/Throughput"),
    );
    let answer = answer_json(
        "",
        &[
            (
                &format!("Prompt evaluation ({eval}) improved from 14.03 ms to 784.8 ms."),
                &[],
            ),
            (&format!("{tput} rose to 40.98 tokens/s."), &[]),
            (&format!("{ttft} got faster, from 615.3 to 814.8 ms."), &[]),
            (
                &format!("{tput} fell 17.33 % to 40.98 tokens/s while {ttft} rose 32.42 %."),
                &[],
            ),
            ("Throughput regressed to 40.98 tokens/s.", &[&tput]),
        ],
        &[],
    );
    let r = check(&report, &answer);
    let kinds = removed_kinds(&r);
    assert_eq!(kinds.len(), 3, "{kinds:#?}");
    assert!(
        kinds.iter().all(|(_, k)| k == "opposite direction"),
        "{kinds:#?}"
    );
    assert!(
        r.removed[0].why.contains("but it regressed"),
        "{:?}",
        r.removed
    );
    assert_eq!(r.kept, 2);
}

#[test]
fn causes_that_are_not_facts_are_removed_and_causes_that_are_stay() {
    let report = report_for("tr115_chimera_homo_v1_vs_v2");
    let answer = answer_json(
        "",
        &[
            (
                "The slowdown comes from the GPU offload setting num_gpu=80 being ignored by the new driver.",
                &[],
            ),
            ("Agent B got slower due to thermal throttling.", &[]),
            (
                "Eval Duration grew to 52270 ms because more tokens were generated (2316 instead of 476).",
                &[],
            ),
        ],
        &[],
    );
    let r = check(&report, &answer);
    let kinds = removed_kinds(&r);
    assert_eq!(kinds.len(), 2, "{kinds:#?}");
    assert!(
        kinds.iter().all(|(_, k)| k == "unsupported cause"),
        "{kinds:#?}"
    );
    assert_eq!(r.kept, 1);
}

#[test]
fn round_numbers_ratios_and_differences_of_shown_values_are_grounded() {
    let report = report_for("tr115_chimera_homo_v1_vs_v2");
    let answer = answer_json(
        "",
        &[
            // +2696 % and x55.9, written round.
            ("Prompt eval duration grew by roughly 2700 %.", &[]),
            (
                "Prompt Eval in the insight report took about 56 times as long.",
                &[],
            ),
            // Agent A's throughput (44.31) against agent B's (40.98) on the head.
            (
                "`Agent B/Throughput` is 3.33 tokens/s below `Agent A/Throughput`.",
                &[],
            ),
            // Near misses stay out, hedged or not.
            ("Prompt eval duration grew by roughly 2900 %.", &[]),
            ("Agent B throughput fell 18.3 %.", &[]),
        ],
        &[],
    );
    let r = check(&report, &answer);
    let kinds = removed_kinds(&r);
    assert_eq!(r.kept, 3, "{kinds:#?}");
    assert!(
        kinds[0].0.contains("2900") && kinds[1].0.contains("18.3"),
        "{kinds:#?}"
    );
}

// ---------------------------------------------------------------------------------------
// Evaluation: hand-written truthful and subtly false answers for every bundled pair

const EVAL: &str = "tests/fixtures/llm-eval";

/// Serves `answer` (a file of `tests/fixtures/llm-eval`) as the model's answer for the facts
/// of `pair` and returns (statements in the answer, kept, removed, the analysis).
async fn evaluate(pair: &str, answer: &str) -> (usize, usize, usize, Analysis) {
    let text = std::fs::read_to_string(Path::new(EVAL).join(pair).join(answer)).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let statements = value["findings"].as_array().unwrap().len()
        + value["recommendations"].as_array().unwrap().len();
    let fake = FakeLlm::ollama();
    fake.then("/api/chat", fake_llm::ollama_stream(&text));
    let a = run(&report_for(pair), &settings(&fake)).await;
    assert_eq!(a.status, AnalysisStatus::Ok, "{pair}/{answer}: {a:?}");
    assert!(a.summary.is_empty());
    let kept = a.findings.len() + a.recommendations.len();
    (statements, kept, a.removed_total, a)
}

#[tokio::test]
async fn the_checks_keep_truthful_answers_and_remove_false_ones() {
    let pairs = [
        "tr115_chimera_homo_v1_vs_v2",
        "rust_agent_rerun_noise",
        "ollama_gemma3_failed_then_fixed",
    ];
    let mut failures = Vec::new();
    for pair in pairs {
        let (n, kept, removed, truthful) = evaluate(pair, "truthful.json").await;
        assert!(
            n >= 10 && kept + removed == n,
            "{pair}: {n} {kept} {removed}"
        );
        let (m, false_kept, false_removed, false_answer) = evaluate(pair, "false.json").await;
        assert!(m >= 10 && false_kept + false_removed == m, "{pair}");
        println!(
            "{pair}: truthful kept {kept}/{n} ({:.0} %), false removed {false_removed}/{m} ({:.0} %)",
            kept as f64 * 100.0 / n as f64,
            false_removed as f64 * 100.0 / m as f64
        );
        for r in &truthful.removed {
            println!("  truthful removed [{}]: {} — {}", r.kind, r.text, r.why);
        }
        for f in false_answer
            .findings
            .iter()
            .map(|f| &f.text)
            .chain(&false_answer.recommendations)
        {
            println!("  false kept: {f}");
        }
        let mut kinds: Vec<&str> = false_answer
            .removed
            .iter()
            .map(|r| r.kind.as_str())
            .collect();
        kinds.sort();
        kinds.dedup();
        println!("  false removed for: {}", kinds.join(", "));
        if kept * 10 < n * 9 {
            failures.push(format!("{pair}: truthful kept {kept} of {n}"));
        }
        if false_kept > 0 {
            failures.push(format!("{pair}: {false_kept} false statements kept"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
