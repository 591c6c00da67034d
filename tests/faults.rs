//! Fault injection against the two servers the action talks to — the fake GitHub (REST
//! API and blob storage) and the fake Ollama — with the `benchgate action` binary end to
//! end: every request failing once (502, or a connection reset mid-body), answers slower
//! than the client's timeout, bodies cut short, and HTML pages where JSON was expected.
//! Whatever happens to the network, the run ends with the deterministic report
//! (`report.json`, the job summary, the comment when GitHub takes it) and the documented
//! exit code. And a model that answers with markup meant to break the comment.

#[allow(dead_code)]
mod support;

#[allow(dead_code)]
#[path = "support/fake_llm.rs"]
mod fake_llm;

#[path = "../fuzz/src/markdown.rs"]
mod markdown;

use assert_cmd::cargo::cargo_bin_cmd;
use benchgate::github::{Client, Permission, RetryPolicy};
use fake_llm::{FakeLlm, Reply};
use http::Method;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::fake_github::{self, FakeGithub, Fault, WRITE_TOKEN};

const BASE_SHA: &str = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
const PAIR: &str = "tests/fixtures/chimeraforge/pairs/ollama_gemma3_failed_then_fixed";
const MARKER: &str = "<!-- benchgate:bench.yml/perf -->";

/// Every GitHub route a pull-request run calls on its way (listing runs, listing and
/// downloading artifacts, the blob redirect, the comments).
const GITHUB_ROUTES: &[(&str, &str)] = &[
    ("GET", "/actions/workflows/"),
    ("GET", "/actions/runs/"),
    ("GET", "/zip"),
    ("GET", "/blob/"),
    ("GET", "/comments"),
];

fn pair(side: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(PAIR).join(side)
}

/// A fake GitHub holding one successful push run on main whose `benchmarks` artifact is
/// the head side of the pair (so a pull request with the same files passes).
fn github() -> FakeGithub {
    let fake = FakeGithub::start();
    let zip = fake_github::zip_of(&fake_github::files_under(&pair("head")));
    fake.with(|s| {
        let run = s.add_run(
            "bench.yml",
            "main",
            "push",
            BASE_SHA,
            "2025-10-06T10:00:00Z",
        );
        s.add_artifact(run, "benchmarks", zip, false);
    });
    fake
}

fn answer() -> String {
    json!({
        "summary": "No metric moved beyond the warn threshold.",
        "findings": [],
        "recommendations": [],
    })
    .to_string()
}

/// A fake Ollama that answers every chat with a short analysis.
fn ollama() -> FakeLlm {
    let llm = FakeLlm::ollama();
    llm.always("/api/chat", fake_llm::ollama_stream(&answer()));
    llm
}

/// One run of `benchgate action` on a pull request, and what it left behind.
struct Ran {
    code: i32,
    stdout: String,
    report: Value,
    summary: String,
    elapsed: Duration,
}

fn run_action(fake: &FakeGithub, llm: &FakeLlm, llm_timeout: &str) -> Ran {
    let ws = tempfile::tempdir().unwrap();
    let temp = tempfile::tempdir().unwrap();
    for (rel, data) in fake_github::files_under(&pair("head")) {
        let target = ws.path().join("benchmarks").join(rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, data).unwrap();
    }
    let output = temp.path().join("github_output");
    let summary = temp.path().join("step_summary");
    std::fs::write(&output, "").unwrap();
    std::fs::write(&summary, "").unwrap();
    let event =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/events/pull_request.json");
    let started = Instant::now();
    let out = cargo_bin_cmd!("benchgate")
        .arg("action")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_REPOSITORY", "acme/widgets")
        .env("GITHUB_SHA", "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00")
        .env("GITHUB_REF_NAME", "42/merge")
        .env("GITHUB_RUN_ID", "9001")
        .env("GITHUB_RUN_ATTEMPT", "1")
        .env("GITHUB_WORKFLOW", "bench")
        .env(
            "GITHUB_WORKFLOW_REF",
            "acme/widgets/.github/workflows/bench.yml@refs/pull/42/merge",
        )
        .env("GITHUB_JOB", "perf")
        .env("GITHUB_API_URL", &fake.api_url)
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_WORKSPACE", ws.path())
        .env("RUNNER_TEMP", temp.path())
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("INPUT_ARTIFACTS-DIR", "benchmarks")
        .env("INPUT_ARTIFACT-NAME", "*")
        .env("INPUT_COMMENT", "always")
        .env("INPUT_MODE", "run")
        .env("INPUT_CHECK-RUN", "false")
        .env("INPUT_GITHUB-TOKEN", WRITE_TOKEN)
        .env("INPUT_LLM", "on")
        .env("INPUT_LLM-URL", &llm.url)
        .env("INPUT_LLM-TIMEOUT", llm_timeout)
        .timeout(Duration::from_secs(240))
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let report_path = ws.path().join(".benchgate/report.json");
    let report = std::fs::read_to_string(&report_path)
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or_else(|e| {
            panic!(
                "no report.json ({e}); exit {:?}; log:\n{stdout}\n{}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let ran = Ran {
        code: out.status.code().unwrap_or(-1),
        stdout,
        report,
        summary: std::fs::read_to_string(&summary).unwrap(),
        elapsed,
    };
    assert!(!ran.stdout.contains("panicked"), "{}", ran.stdout);
    assert!(
        !ran.summary.is_empty(),
        "no job summary; log:\n{}",
        ran.stdout
    );
    ran
}

/// The report of a pull request whose files equal the baseline: a pass against the
/// artifact of the run on main, whatever the network did.
fn assert_same_verdict(ran: &Ran) {
    assert_eq!(ran.code, 0, "{}", ran.stdout);
    assert_eq!(ran.report["verdict"], "pass", "{}", ran.stdout);
    assert_eq!(ran.report["baseline"]["sha"], BASE_SHA, "{}", ran.stdout);
    assert!(ran.report["counts"]["unchanged"].as_u64().unwrap() > 0);
}

/// Our comments on the pull request.
fn bot_comments(fake: &FakeGithub) -> Vec<String> {
    fake.with(|s| s.comments_on(42))
        .into_iter()
        .filter(|c| c.body.starts_with(MARKER))
        .map(|c| c.body)
        .collect()
}

fn fail_every_route_once(fake: &FakeGithub, fault: Fault) {
    fake.with(|s| {
        for (method, path) in GITHUB_ROUTES {
            s.fail(
                Method::from_bytes(method.as_bytes()).unwrap(),
                path,
                fault.clone(),
                1,
            );
        }
    });
}

fn faults_left(fake: &FakeGithub) -> Vec<String> {
    fake.with(|s| {
        GITHUB_ROUTES
            .iter()
            .filter(|(m, p)| {
                s.count(m, p)
                    + s.blob_requests
                        .iter()
                        .filter(|r| r.path.contains(p))
                        .count()
                    < 2
            })
            .map(|(m, p)| format!("{m} {p}"))
            .collect()
    })
}

#[test]
fn every_request_failing_once_with_a_502_is_retried() {
    let fake = github();
    fail_every_route_once(&fake, Fault::Status(502));
    fake.with(|s| s.fail(Method::POST, "/comments", Fault::Status(502), 1));
    let llm = ollama();
    for path in ["/api/version", "/api/show", "/api/chat"] {
        llm.then(
            path,
            Reply::Text(502, "<html><body>502 Bad Gateway</body></html>".into()),
        );
    }
    let ran = run_action(&fake, &llm, "30");
    assert_same_verdict(&ran);
    assert_eq!(
        faults_left(&fake),
        Vec::<String>::new(),
        "a route was not called twice"
    );
    assert_eq!(
        ran.report["analysis"]["status"], "ok",
        "{}",
        ran.report["analysis"]
    );
    assert_eq!(llm.requests_to("/api/chat").len(), 2);
    assert_eq!(bot_comments(&fake).len(), 1);
}

#[test]
fn a_connection_reset_mid_body_on_every_first_attempt_is_retried() {
    let fake = github();
    fail_every_route_once(&fake, Fault::Truncated);
    let llm = ollama();
    let cut = fake_llm::ndjson(
        fake_llm::ollama_lines(&answer(), "stop"),
        Duration::ZERO,
        true,
    );
    llm.then("/api/chat", cut);
    let ran = run_action(&fake, &llm, "30");
    assert_same_verdict(&ran);
    assert_eq!(faults_left(&fake), Vec::<String>::new());
    assert_eq!(bot_comments(&fake).len(), 1);
    // A stream cut before `done: true` is never taken for an answer.
    let analysis = &ran.report["analysis"];
    assert!(
        analysis["status"] == "ok" && llm.requests_to("/api/chat").len() == 2
            || analysis["status"] == "failed",
        "{analysis}"
    );
}

#[test]
fn an_llm_slower_than_its_timeout_is_a_note_not_a_failure() {
    let fake = github();
    let llm = FakeLlm::ollama();
    let slow = fake_llm::ndjson(
        fake_llm::ollama_lines(&answer(), "stop"),
        Duration::from_secs(30),
        false,
    );
    llm.always("/api/chat", slow);
    let ran = run_action(&fake, &llm, "2");
    assert_same_verdict(&ran);
    assert!(ran.elapsed < Duration::from_secs(60), "{:?}", ran.elapsed);
    let analysis = &ran.report["analysis"];
    assert_eq!(analysis["status"], "failed", "{analysis}");
    assert!(
        analysis["reason"].as_str().unwrap().contains("time"),
        "{analysis}"
    );
    let comments = bot_comments(&fake);
    assert_eq!(comments.len(), 1);
    assert!(comments[0].contains("No analysis"), "{}", comments[0]);
}

#[test]
fn html_pages_instead_of_json_leave_the_report_intact() {
    let fake = github();
    fake.with(|s| {
        s.fail(Method::GET, "/actions/workflows/", Fault::Html, 1);
        s.fail(Method::GET, "/comments", Fault::Html, 1);
        s.fail(Method::GET, "/blob/", Fault::Html, 1);
    });
    let llm = FakeLlm::ollama();
    llm.always(
        "/api/chat",
        Reply::Stream {
            content_type: "text/html",
            pieces: vec![(
                Duration::ZERO,
                "<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>".into(),
            )],
            cut: false,
        },
    );
    let ran = run_action(&fake, &llm, "30");
    assert_same_verdict(&ran);
    let analysis = &ran.report["analysis"];
    assert_eq!(analysis["status"], "failed", "{analysis}");
    assert_eq!(bot_comments(&fake).len(), 1);
}

#[test]
fn a_truncated_artifact_download_is_retried_or_set_aside() {
    let fake = github();
    fake.with(|s| s.fail(Method::GET, "/blob/", Fault::Truncated, 8));
    let llm = ollama();
    let ran = run_action(&fake, &llm, "30");
    // The archive never arrives whole: no baseline, said in the report, and exit 0.
    assert_eq!(ran.code, 0, "{}", ran.stdout);
    assert_eq!(
        ran.report["verdict"], "no-baseline",
        "{}",
        ran.report["baseline"]
    );
    assert!(
        ran.report["baseline"].to_string().contains("benchmarks"),
        "{}",
        ran.report["baseline"]
    );
    assert_eq!(bot_comments(&fake).len(), 1);
}

// ---- the GitHub client's timeout (60 s in the action) with a short one ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_github_answer_slower_than_the_timeout_is_retried_then_named() {
    let fake = FakeGithub::start();
    fake.with(|s| {
        s.add_comment(7, "hello", "octo", "User");
        s.fail(
            Method::GET,
            "/comments",
            Fault::Delay(Duration::from_secs(3)),
            1,
        );
    });
    let client = Client::new(
        &fake.api_url,
        Some(WRITE_TOKEN.to_string()),
        RetryPolicy {
            base_delay: Duration::from_millis(20),
            timeout: Duration::from_millis(500),
            ..RetryPolicy::default()
        },
    )
    .unwrap();
    let list = || {
        client.list(
            "/repos/acme/widgets/issues/7/comments",
            &[],
            None,
            10,
            Permission::PullRequestsRead,
        )
    };
    let started = Instant::now();
    let items = list().await.unwrap();
    assert_eq!(items.len(), 1);
    // The answer came from the second attempt, long before the first one's.
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(500) && took < Duration::from_secs(3),
        "{took:?}"
    );

    fake.with(|s| {
        s.fail(
            Method::GET,
            "/comments",
            Fault::Delay(Duration::from_secs(3)),
            10,
        )
    });
    let started = Instant::now();
    let err = list().await.unwrap_err().to_string();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(
        err.contains("timed out") || err.contains("timeout"),
        "{err}"
    );
    assert!(err.contains("/comments"), "{err}");
}

#[test]
fn a_hostile_model_answer_cannot_break_the_comment() {
    let fake = github();
    let llm = FakeLlm::ollama();
    let nasty = "@octocat <img src=x onerror=alert(1)> | a | b |\n![i](https://evil.test/p.png) \
                 [x](javascript:alert(1)) <!-- hidden --> </details><script>";
    let hostile = json!({
        "summary": nasty,
        "findings": [{"text": nasty, "metrics": [nasty]}],
        "recommendations": [nasty],
    })
    .to_string();
    llm.always("/api/chat", fake_llm::ollama_stream(&hostile));
    let ran = run_action(&fake, &llm, "30");
    assert_same_verdict(&ran);
    assert_eq!(
        ran.report["analysis"]["status"], "ok",
        "{}",
        ran.report["analysis"]
    );
    let comments = bot_comments(&fake);
    assert_eq!(comments.len(), 1);
    for text in [&comments[0], &ran.summary] {
        let found = markdown::violations(text);
        assert!(found.is_empty(), "{found:#?}\n{text}");
    }
}
