//! `benchgate compare` run as a process on the real base/head pairs: exit codes, the
//! comment on stdout, the report, summary and comment files, and error messages.

// Shared with other test crates; this one uses only the Ollama side of it.
#[allow(dead_code)]
#[path = "support/fake_llm.rs"]
mod fake_llm;

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const PAIRS: &str = "tests/fixtures/chimeraforge/pairs";
const GEMMA: &str = "ollama_gemma3_failed_then_fixed";
const TR115: &str = "tr115_chimera_homo_v1_vs_v2";
const RUNS_CSV: &str = "reports/ollama/gemma3_benchmark_runs.csv";

fn side(pair: &str, side: &str) -> PathBuf {
    Path::new(PAIRS).join(pair).join(side)
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    report: Value,
}

/// Runs `compare` (from an empty directory, so no `.benchgate.yml` is picked up) with
/// `--json`, and returns the exit code, the output and the report.
fn compare(base: &Path, head: &Path, extra: &[&str]) -> Run {
    compare_with(Some(base), head, extra)
}

/// [`compare`], with `--base` left out when `base` is `None`.
fn compare_with(base: Option<&Path>, head: &Path, extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let cwd = std::env::current_dir().unwrap();
    let mut cmd = cargo_bin_cmd!("benchgate");
    cmd.current_dir(dir.path()).arg("compare");
    if let Some(base) = base {
        cmd.arg("--base").arg(cwd.join(base));
    }
    let out = cmd
        .arg("--head")
        .arg(cwd.join(head))
        .arg("--json")
        .arg(&json)
        .args(extra)
        .output()
        .unwrap();
    let report = std::fs::read_to_string(&json)
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or(Value::Null);
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        report,
    }
}

/// The `column` values of the successful rows (empty `error`) of a fixture CSV.
fn csv_column(path: &Path, column: &str) -> Vec<f64> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = headers.iter().position(|h| h == column).unwrap();
    let err = headers.iter().position(|h| h == "error").unwrap();
    reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| r[err].is_empty())
        .map(|r| r[col].parse().unwrap())
        .collect()
}

fn delta<'a>(report: &'a Value, source: &str, metric: &str) -> &'a Value {
    report["deltas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["source"] == source && d["metric"] == metric)
        .unwrap_or_else(|| panic!("no delta {source} {metric}"))
}

#[test]
fn failed_then_fixed_passes_with_fixed_metrics() {
    let run = compare(&side(GEMMA, "base"), &side(GEMMA, "head"), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.report["verdict"], "pass");
    assert!(run.report["counts"]["fixed"].as_u64().unwrap() > 0);
    assert_eq!(run.report["counts"]["regression"], 0);
    assert_eq!(run.report["counts"]["broken"], 0);

    let tokens = csv_column(&side(GEMMA, "head").join(RUNS_CSV), "tokens_s");
    let mean = tokens.iter().sum::<f64>() / tokens.len() as f64;
    let d = delta(&run.report, RUNS_CSV, "tokens_s");
    assert_eq!(d["status"], "fixed");
    assert_eq!(d["head"]["n"], tokens.len());
    assert!((d["head"]["mean"].as_f64().unwrap() - mean).abs() < 1e-9);
    assert_eq!(d["base"]["n"], 0);
    assert_eq!(d["base"]["failed"], 5);

    assert!(
        run.stdout.starts_with("### ✅ Benchmarks: pass"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("#### Improvements and fixed metrics"));
    let row = format!(
        "| 🩹 fixed | gemma3:latest | tokens\\_s |  | 5 failed → {} tokens/s |",
        benchgate::render::filters::format_number(mean, 3)
    );
    assert!(run.stdout.contains(&row), "no `{row}` in\n{}", run.stdout);
    assert!(!run.stdout.contains("Regressions"));
}

#[test]
fn swapped_pair_fails_with_broken_metrics() {
    let run = compare(&side(GEMMA, "head"), &side(GEMMA, "base"), &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(run.report["verdict"], "fail");
    // The failed run's metrics broke together: one finding per file, every metric kept.
    let rows: Vec<&Value> = run.report["deltas"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["status"] == "broken")
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(run.report["counts"]["broken"], 2);
    let runs = rows.iter().find(|d| d["source"] == RUNS_CSV).unwrap();
    assert_eq!(runs["merged_as"], "file");
    assert_eq!(runs["head"]["failed"], 5);
    let merged = runs["merged"].as_array().unwrap();
    assert_eq!(merged.len(), 7);
    assert!(merged
        .iter()
        .any(|m| m["metric"] == "tokens_s" && m["status"] == "broken"));
    let fixed = compare(&side(GEMMA, "base"), &side(GEMMA, "head"), &[]);
    assert_eq!(fixed.report["counts"]["fixed"], 12);
    assert!(run.stdout.starts_with("### ❌ Benchmarks: fail — 2 broken"));
    assert!(run.stdout.contains("#### Regressions and broken metrics"));
    assert!(run
        .stdout
        .contains("| 💥 broken | gemma3:latest | 8 metrics <details>"));
}

#[test]
fn a_pair_against_itself_has_no_regression() {
    for pair in [
        GEMMA,
        "rust_agent_rerun_noise",
        "tr115_chimera_homo_v1_vs_v2",
    ] {
        for which in ["base", "head"] {
            let dir = side(pair, which);
            let run = compare(&dir, &dir, &[]);
            assert_eq!(run.code, Some(0), "{pair}/{which}: {}", run.stderr);
            let counts = &run.report["counts"];
            assert_eq!(counts["regression"], 0, "{pair}/{which}");
            assert_eq!(counts["broken"], 0, "{pair}/{which}");
            assert_eq!(counts["improvement"], 0, "{pair}/{which}");
            assert!(counts["total"].as_u64().unwrap() > 0, "{pair}/{which}");
            assert!(!run.stdout.contains("#### Regressions"));
        }
    }
}

/// The whole bundled artifacts tree (3,900 metrics of every kind) against itself: nothing
/// changed, so nothing may be reported as one.
#[test]
fn the_artifacts_tree_against_itself_passes_with_nothing_changed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/chimeraforge/artifacts");
    let run = compare(&dir, &dir, &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.report["verdict"], "pass");
    let counts = &run.report["counts"];
    assert!(counts["total"].as_u64().unwrap() > 1000);
    assert_eq!(counts["unchanged"], counts["total"], "{counts}");
    assert!(run.stdout.starts_with("### ✅ Benchmarks: pass — "));
    assert!(!run.stdout.contains("#### Regressions"));
}

#[test]
fn the_tr115_pair_fails_and_the_comment_keeps_every_regression() {
    let pair = "tr115_chimera_homo_v1_vs_v2";
    let run = compare(&side(pair, "base"), &side(pair, "head"), &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let regressions = run.report["counts"]["regression"].as_u64().unwrap();
    assert!(regressions > 0);
    let shown = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("| 🔴 regression |"))
        .count();
    assert_eq!(shown as u64, regressions);
    assert!(run.stdout.chars().count() < 65_536);
    // One row per measurement: the same number written into metrics.json, summary.json and
    // the Markdown reports is one row, and the row with a unit is the one shown.
    assert!(shown <= 21, "{shown} regression rows");
    let table = regression_table(&run.stdout);
    let agent_b: Vec<&str> = table
        .iter()
        .copied()
        .filter(|l| l.contains("49.6") && l.contains("→ 41"))
        .collect();
    assert_eq!(agent_b.len(), 1, "{agent_b:?}");
    assert!(
        agent_b[0].contains("49.6 tokens/s → 41 tokens/s"),
        "{}",
        agent_b[0]
    );
    // report.json keeps every series folded into that row.
    let row = run.report["deltas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["metric"] == "throughput_tokens_per_sec" && d["benchmark"] == "insight")
        .unwrap();
    assert_eq!(row["merged_as"], "measurement");
    let merged: Vec<&str> = row["merged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["metric"].as_str().unwrap())
        .collect();
    assert_eq!(merged.len(), 4, "{merged:?}");
    assert!(merged.contains(&"insight_throughput"));
    // Neutral metrics that moved are context beside the regressions, not `unchanged`.
    let tokens = run.report["deltas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["metric"] == "Tokens Generated")
        .unwrap();
    assert_eq!(tokens["status"], "changed");
    assert!(run.stdout.contains("#### Changed alongside"));
    // The comment leads with at most five findings, before any table.
    let lead: Vec<&str> = run
        .stdout
        .split("#### ")
        .next()
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("- "))
        .collect();
    assert!(!lead.is_empty() && lead.len() <= 6, "{lead:?}");
    assert!(lead[0].contains("blocks the gate"), "{}", lead[0]);
}

/// The rows of the comment's regression table.
fn regression_table(markdown: &str) -> Vec<&str> {
    markdown
        .split("#### Regressions and broken metrics")
        .nth(1)
        .and_then(|rest| rest.split("#### ").next())
        .unwrap_or("")
        .lines()
        .filter(|l| l.starts_with("| 🔴") || l.starts_with("| 💥"))
        .collect()
}

/// The same code run twice, one run per side: run-to-run noise must not fail the gate,
/// and percentages change in percentage points.
#[test]
fn the_rerun_noise_pair_passes_with_low_confidence_changes() {
    let pair = "rust_agent_rerun_noise";
    let run = compare(&side(pair, "base"), &side(pair, "head"), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.report["counts"]["regression"], 0);
    let deltas = run.report["deltas"].as_array().unwrap();
    let changed: Vec<&Value> = deltas
        .iter()
        .filter(|d| !matches!(d["status"].as_str(), Some("unchanged" | "changed")))
        .collect();
    assert!(!changed.is_empty());
    assert!(changed.iter().all(|d| d["confidence"] == "low"));
    let throughput = deltas
        .iter()
        .find(|d| d["metric"] == "average_tokens_per_second" && d["benchmark"] == "baseline")
        .unwrap();
    assert_eq!(throughput["status"], "noisy");
    let percent = deltas
        .iter()
        .find(|d| d["metric"] == "throughput_improvement_percent")
        .unwrap();
    assert_eq!(percent["change_kind"], "points");
    assert!((percent["change_abs"].as_f64().unwrap() - 27.7).abs() < 0.05);
    assert!(run.stdout.contains(
        "| delta | throughput\\_improvement\\_percent |  | -10.4 % → 17.3 % | +27.7 pp |"
    ));
    // The signed difference is shown in points as context, never as "+107.9 %".
    assert!(!run.stdout.contains("107.9"));
    assert!(run.stdout.contains("rest on a single run per side"));
}

#[test]
fn without_base_there_is_no_baseline() {
    let run = compare_with(None, &side(GEMMA, "head"), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.report["verdict"], "no-baseline");
    assert_eq!(run.report["inventory"]["base"], Value::Null);
    assert_eq!(run.report["baseline"]["mode"], "none");
    assert_eq!(run.report["counts"]["new"], run.report["counts"]["total"]);
    assert!(run.stdout.starts_with("### ℹ️ Benchmarks: no-baseline"));
    assert!(
        run.stdout.contains("no --base directory was given"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_mistyped_base_directory_is_a_usage_error_naming_it() {
    let run = compare(
        Path::new("tests/fixtures/does-not-exist"),
        &side(GEMMA, "head"),
        &[],
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("--base"), "{}", run.stderr);
    assert!(run.stderr.contains("does-not-exist"), "{}", run.stderr);
    assert!(run.stderr.contains("no such directory"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert_eq!(run.report, Value::Null);
}

#[test]
fn thresholds_take_a_percent_sign_on_the_command_line() {
    let plain = compare(
        &side(GEMMA, "base"),
        &side(GEMMA, "head"),
        &["--fail", "150"],
    );
    let signed = compare(
        &side(GEMMA, "base"),
        &side(GEMMA, "head"),
        &["--fail", "150%", "--warn", "20%"],
    );
    assert_eq!(plain.code, Some(0), "{}", plain.stderr);
    assert_eq!(signed.code, Some(0), "{}", signed.stderr);
    let bad = compare(&side(GEMMA, "base"), &side(GEMMA, "head"), &["--fail=-5%"]);
    assert_eq!(bad.code, Some(2));
    assert!(bad.stderr.contains("--fail"), "{}", bad.stderr);
}

#[test]
fn an_empty_head_is_no_data_and_fails_by_default() {
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(
        empty.path().join("build.log"),
        "compiling...\nerror: could not compile\n",
    )
    .unwrap();
    let run = compare(&side(GEMMA, "base"), empty.path(), &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(run.report["verdict"], "fail");
    let notice = run.report["notices"][0].as_str().unwrap();
    assert!(notice.starts_with("No benchmark data on head"), "{notice}");
    assert!(
        notice.contains(&empty.path().display().to_string()),
        "{notice}"
    );
    assert!(
        notice.contains("read 1 file, none with a metric"),
        "{notice}"
    );
    assert!(
        run.stdout
            .contains("> [!WARNING]\n> No benchmark data on head"),
        "{}",
        run.stdout
    );

    // A policy that leaves `no_data` out of `fail_on` reports it without failing.
    let policy = tempfile::tempdir().unwrap();
    let file = policy.path().join("policy.yml");
    std::fs::write(&file, "fail_on: [regression, broken]\n").unwrap();
    let run = compare(
        &side(GEMMA, "base"),
        empty.path(),
        &["--config", file.to_str().unwrap()],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.report["verdict"], "no-data");
    assert!(
        run.stdout.starts_with("### ⛔ Benchmarks: no-data"),
        "{}",
        run.stdout
    );
}

#[test]
fn fail_on_takes_the_policy_words_everywhere() {
    let tr115 = "tr115_chimera_homo_v1_vs_v2";
    let strict = compare(&side(tr115, "base"), &side(tr115, "head"), &[]);
    assert_eq!(strict.code, Some(1), "{}", strict.stderr);
    let never = compare(
        &side(tr115, "base"),
        &side(tr115, "head"),
        &["--fail-on", "never"],
    );
    assert_eq!(never.code, Some(0), "{}", never.stderr);
    assert_eq!(never.report["verdict"], "warn");
    let list = compare(
        &side(tr115, "base"),
        &side(tr115, "head"),
        &["--fail-on", "missing, no_data"],
    );
    assert_eq!(list.code, Some(0), "{}", list.stderr);
    let old = compare(
        &side(tr115, "base"),
        &side(tr115, "head"),
        &["--fail-on", "fail"],
    );
    assert_eq!(old.code, Some(2));
    assert!(
        old.stderr
            .contains("valid values: regression, broken, missing, warn, no_baseline, no_data"),
        "{}",
        old.stderr
    );
}

#[test]
fn missing_head_directory_is_a_usage_error() {
    let run = compare(&side(GEMMA, "base"), Path::new("tests/fixtures/nope"), &[]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("--head"), "{}", run.stderr);
    assert!(run.stderr.contains("nope"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn bad_config_is_a_usage_error_naming_the_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("policy.yml");
    std::fs::write(&config, "thresholds:\n  warn: 5\n  fial: 10\n").unwrap();
    let run = compare(
        &side(GEMMA, "base"),
        &side(GEMMA, "head"),
        &["--config", config.to_str().unwrap()],
    );
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("policy.yml"), "{}", run.stderr);
    assert!(run.stderr.contains("line 3"), "{}", run.stderr);
    assert!(run.stderr.contains("fial"), "{}", run.stderr);
    assert_eq!(run.report, Value::Null);

    let run = compare(
        &side(GEMMA, "base"),
        &side(GEMMA, "head"),
        &["--config", "/nonexistent/policy.yml"],
    );
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("/nonexistent/policy.yml"),
        "{}",
        run.stderr
    );
}

#[test]
fn thresholds_from_flags_decide_the_verdict() {
    let pair = "rust_agent_rerun_noise";
    // Single runs inside their noise pass by default; a policy without the single-run
    // allowance judges them by the plain thresholds.
    let default = compare(&side(pair, "base"), &side(pair, "head"), &[]);
    assert_eq!(default.code, Some(0), "{}", default.stderr);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("policy.yml");
    std::fs::write(&config, "single_run: {noise: 0, fail_factor: 1}\n").unwrap();
    let strict = compare(
        &side(pair, "base"),
        &side(pair, "head"),
        &["--config", config.to_str().unwrap()],
    );
    assert_eq!(strict.code, Some(1), "{}", strict.stderr);
    let lenient = compare(
        &side(pair, "base"),
        &side(pair, "head"),
        &["--warn", "500", "--fail", "1000"],
    );
    assert_eq!(lenient.code, Some(0), "{}", lenient.stderr);
    assert_eq!(lenient.report["counts"]["regression"], 0);
    let d = &lenient.report["deltas"][0];
    assert_eq!(d["warn_pct"], 500.0);

    let inverted = compare(
        &side(pair, "base"),
        &side(pair, "head"),
        &["--warn", "20", "--fail", "10"],
    );
    assert_eq!(inverted.code, Some(2));
    assert!(inverted.stderr.contains("warn"), "{}", inverted.stderr);
}

#[test]
fn writes_comment_summary_and_report_files() {
    let dir = tempfile::tempdir().unwrap();
    let markdown = dir.path().join("comment.md");
    let summary = dir.path().join("summary.md");
    let run = compare(
        &side(GEMMA, "base"),
        &side(GEMMA, "head"),
        &[
            "--markdown",
            markdown.to_str().unwrap(),
            "--summary",
            summary.to_str().unwrap(),
            "--event",
            "pull_request",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let comment = std::fs::read_to_string(&markdown).unwrap();
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(comment.starts_with("### ✅ Benchmarks: pass"));
    assert!(comment.contains("<details><summary>Run summary</summary>"));
    assert!(summary.contains("<details open><summary>Run summary</summary>"));
    assert!(comment.contains(" · pull\\_request · "));
    assert_eq!(run.report["run"]["event"], "pull_request");
    assert_eq!(run.report["omitted"]["rows"], 0);
    assert!(run.report["timings_ms"]["render"].as_f64().unwrap() > 0.0);
    assert_eq!(run.report["inventory"]["head"]["files"], 2);
}

#[test]
fn custom_template_errors_are_usage_errors_naming_the_template() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("mine.md.j2");
    std::fs::write(&template, "{{ verdict }} with {{ regresions|length }}\n").unwrap();
    let run = compare(
        &side(GEMMA, "base"),
        &side(GEMMA, "head"),
        &["--template", template.to_str().unwrap()],
    );
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("mine.md.j2:1"), "{}", run.stderr);

    std::fs::write(&template, "{{ verdict }}: {{ counts.fixed }} fixed\n").unwrap();
    let run = compare(
        &side(GEMMA, "base"),
        &side(GEMMA, "head"),
        &["--template", template.to_str().unwrap()],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!("pass: {} fixed\n", run.report["counts"]["fixed"])
    );
}

#[test]
fn help_documents_the_missing_base_rule() {
    let out = cargo_bin_cmd!("benchgate")
        .args(["compare", "--help"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8(out.stdout).unwrap();
    let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("Without `--base` there is no baseline: every metric is reported as new"),
        "{help}"
    );
}

/// The analysis end to end: `llm:` in the policy file turns it on, the fake Ollama answers
/// with one grounded finding and one invented one, and only the grounded one reaches the
/// comment.
#[test]
fn llm_analysis_from_the_policy_file_is_grounded_in_the_comment() {
    let fake = fake_llm::FakeLlm::ollama();
    let answer = serde_json::json!({
        "summary": "All 5 runs failed on the base; on the head tokens_s is 88.9 tokens/s.",
        "findings": [
            {"text": "tokens_s recovered to 88.9 tokens/s.", "metrics": ["tokens_s"]},
            {"text": "GPU fan speed stayed between 72 and 98 RPM.", "metrics": ["fan_speed"]}
        ],
        "recommendations": []
    })
    .to_string();
    fake.then("/api/chat", fake_llm::ollama_stream(&answer));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("policy.yml");
    std::fs::write(
        &config,
        format!(
            "llm:\n  enabled: true\n  url: {}\n  model: gemma3\n",
            fake.url
        ),
    )
    .unwrap();
    let run = compare(
        &side(GEMMA, "base"),
        &side(GEMMA, "head"),
        &["--config", config.to_str().unwrap()],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let analysis = &run.report["analysis"];
    assert_eq!(analysis["status"], "ok", "{analysis}");
    assert_eq!(analysis["call"]["model"], "gemma3");
    assert_eq!(analysis["call"]["options"]["num_ctx"], 4096);
    assert!(run.stdout.contains("88.9 tokens/s"), "{}", run.stdout);
    // The invented statement is not published, not even collapsed: the comment counts it.
    assert!(
        run.stdout.contains("Analysis") && !run.stdout.contains("RPM"),
        "an invented number reached the comment:\n{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("_1 statement removed (unknown metric)"),
        "{}",
        run.stdout
    );
    let removed = analysis["removed"].as_array().unwrap();
    assert!(removed
        .iter()
        .any(|r| r["text"].as_str().unwrap().contains("RPM")));
    let chat = fake.requests_to("/api/chat");
    assert_eq!(chat.len(), 1, "one call per run");

    // --no-llm wins over the file.
    let run = compare(
        &side(GEMMA, "base"),
        &side(GEMMA, "head"),
        &["--config", config.to_str().unwrap(), "--no-llm"],
    );
    assert_eq!(run.code, Some(0));
    assert!(run.report["analysis"].is_null());
    assert_eq!(fake.requests_to("/api/chat").len(), 1);
}

/// Naming a server or a model asks for the analysis; the log line says what it did.
#[test]
fn llm_url_alone_turns_the_analysis_on_and_the_log_says_what_happened() {
    let fake = fake_llm::FakeLlm::ollama();
    let answer = serde_json::json!({
        "summary": "On the head tokens_s is 88.9 tokens/s.",
        "findings": [{"text": "GPU fan speed stayed at 98 RPM.", "metrics": []}],
        "recommendations": []
    })
    .to_string();
    fake.then("/api/chat", fake_llm::ollama_stream(&answer));
    let run = compare(
        &side(GEMMA, "base"),
        &side(GEMMA, "head"),
        &["--llm-url", &fake.url],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.report["analysis"]["status"], "ok");
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains("LLM analysis"))
        .unwrap_or_else(|| panic!("no log line: {}", run.stderr));
    let facts = run.report["analysis"]["call"]["facts_total"]
        .as_u64()
        .unwrap();
    assert!(
        line.contains(&format!(
            "gemma3 explained {facts} of {facts} facts in 3.9 s: 1 statements kept, 1 removed"
        )),
        "{line}"
    );

    // --no-llm wins over the flags that turn it on.
    let run = compare(
        &side(GEMMA, "base"),
        &side(GEMMA, "head"),
        &["--llm-model", "qwen3", "--llm-url", &fake.url, "--no-llm"],
    );
    assert_eq!(run.code, Some(0));
    assert!(run.report["analysis"].is_null());
    assert_eq!(fake.requests_to("/api/chat").len(), 1);
}

/// Answers a model may give that are no analysis: the report is still written and posted
/// with the reason, and the exit code is the gate's (1 for the failing tr115 pair), or 3
/// when the analysis is required.
#[test]
fn unusable_answers_leave_the_report_and_the_gate_alone() {
    let cut = r#"{"summary": "Agent B throughput fell 17.33 % from 49.57 to"#;
    let cases: [(&str, fake_llm::Reply, &str); 5] = [
        (
            "prose in another language",
            fake_llm::ollama_stream(
                "Der Durchsatz von Agent B verbesserte sich von 49.57 auf 40.98 tokens/s.",
            ),
            "removed every statement",
        ),
        (
            "prose instead of JSON",
            fake_llm::ollama_stream(
                "Agent B throughput fell 17.33 % from 49.57 to 40.98 tokens/s. GPU fans spun at 98 RPM.",
            ),
            "",
        ),
        ("empty", fake_llm::ollama_stream(""), "it is empty"),
        (
            "only reasoning",
            fake_llm::ollama_stream("<think>Throughput fell, maybe the GPU.</think>"),
            "only the model's reasoning",
        ),
        (
            "cut off",
            fake_llm::ndjson(
                fake_llm::ollama_lines(cut, "length"),
                std::time::Duration::ZERO,
                false,
            ),
            "stopped at the output limit (num_predict 400)",
        ),
    ];
    for (what, reply, reason) in cases {
        let fake = fake_llm::FakeLlm::ollama();
        fake.then("/api/chat", reply.clone());
        let run = compare(
            &side(TR115, "base"),
            &side(TR115, "head"),
            &["--llm-url", &fake.url],
        );
        assert_eq!(run.code, Some(1), "{what}: {}", run.stderr);
        let analysis = &run.report["analysis"];
        assert!(
            analysis["reason"].as_str().unwrap().contains(reason),
            "{what}: {analysis}"
        );
        assert!(run.stdout.contains("Analysis"), "{what}: {}", run.stdout);
        assert!(!run.stdout.contains("RPM"), "{what}: {}", run.stdout);
        if reason.is_empty() {
            assert_eq!(analysis["status"], "ok", "{what}");
            assert!(run.stdout.contains("fell 17.33"), "{what}: {}", run.stdout);
        } else if analysis["status"] == "ok" {
            assert_eq!(analysis["removed_total"], 1, "{what}: {analysis}");
        } else {
            assert_eq!(analysis["status"], "failed", "{what}");
            assert!(
                run.stdout.contains("_No analysis (failed): the model"),
                "{what}: {}",
                run.stdout
            );
            // Required, a failed analysis fails a run the gate would pass.
            let fake = fake_llm::FakeLlm::ollama();
            fake.then("/api/chat", reply);
            let run = compare(
                &side(GEMMA, "base"),
                &side(GEMMA, "head"),
                &["--llm-url", &fake.url, "--llm-required"],
            );
            assert_eq!(run.code, Some(3), "{what}: {}", run.stderr);
        }
    }
}

/// Writes `files` CSV files of `rows` benchmarks each (100 tokens/s) under `dir`; `value`
/// may change a benchmark's value.
fn sweep(dir: &Path, files: usize, rows: usize, value: impl Fn(usize, usize) -> f64) {
    std::fs::create_dir_all(dir).unwrap();
    for f in 0..files {
        let mut text = String::from("model,tokens_s\n");
        for r in 0..rows {
            text.push_str(&format!("m{r:05},{}\n", value(f, r)));
        }
        std::fs::write(dir.join(format!("sweep_{f}.csv")), text).unwrap();
    }
}

/// Beyond 20 000 unchanged metrics the unchanged rows are stored outside memory: the
/// report still lists every metric in report order, and the comment counts the rows it
/// could not show.
#[test]
fn a_comparison_of_27_000_metrics_reports_every_row_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let (base, head) = (dir.path().join("base"), dir.path().join("head"));
    sweep(&base, 3, 9_000, |_, _| 100.0);
    sweep(&head, 3, 9_000, |f, r| match (f, r) {
        (1, 7) => 50.0,
        (_, r) if r % 1_000 == 3 => 100.0 + (f * 10 + r / 1_000) as f64 * 0.01,
        _ => 100.0,
    });
    let run = compare(&base, &head, &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let counts = &run.report["counts"];
    assert_eq!(counts["total"], 27_000);
    assert_eq!(counts["unchanged"], 26_999);
    let deltas = run.report["deltas"].as_array().unwrap();
    assert_eq!(deltas.len(), 27_000);
    let name = |d: &Value| format!("{}/{}", d["source"].as_str().unwrap(), d["benchmark"]);
    assert_eq!(name(&deltas[0]), "sweep_1.csv/\"m00007\"");
    // Unchanged rows: the largest change first, then by key, across the rows kept in
    // memory and those stored.
    let change = |d: &Value| d["change_pct"].as_f64().unwrap().abs();
    for pair in deltas[1..].windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(
            change(a) > change(b) || (change(a) == change(b) && name(a) < name(b)),
            "{} before {}",
            name(a),
            name(b)
        );
    }
    assert_eq!(name(&deltas[1]), "sweep_2.csv/\"m08003\"");
    assert_eq!(name(&deltas[26_999]), "sweep_2.csv/\"m08999\"");
    assert!(
        run.stdout
            .contains("unchanged); every metric is in `report.json`"),
        "{}",
        run.stdout
    );
}

/// Beyond 20 000 regressions the regressions too are stored outside memory, in sorted
/// runs: the report still lists every metric once, in report order (regressions by
/// severity, then improvements, then unchanged rows, each by key among equals), the counts
/// and the verdict cover every row, and the comment counts per status the rows it could
/// not show. (Rows are not folded here: many carry equal numbers.)
#[test]
fn a_comparison_of_21_000_regressions_reports_every_row_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let (base, head) = (dir.path().join("base"), dir.path().join("head"));
    let config = dir.path().join("policy.yml");
    std::fs::write(&config, "merge: false\n").unwrap();
    sweep(&base, 3, 9_000, |_, _| 100.0);
    sweep(&head, 3, 9_000, |f, r| match r % 10 {
        0 => 100.0,
        1 => 150.0 + (r % 7) as f64,
        // 20 % to 70 % slower, many of equal severity across files.
        _ => 80.0 - ((f * 9_000 + r) % 997 / 20) as f64,
    });
    let run = compare(&base, &head, &["--config", config.to_str().unwrap()]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let counts = &run.report["counts"];
    assert_eq!(counts["total"], 27_000);
    assert_eq!(counts["regression"], 21_600);
    assert_eq!(counts["improvement"], 2_700);
    assert_eq!(counts["unchanged"], 2_700);
    assert_eq!(run.report["verdict"], "fail");
    let deltas = run.report["deltas"].as_array().unwrap();
    assert_eq!(deltas.len(), 27_000);
    let name = |d: &Value| format!("{}/{}", d["source"].as_str().unwrap(), d["benchmark"]);
    let names: BTreeSet<String> = deltas.iter().map(name).collect();
    assert_eq!(names.len(), 27_000, "every row once");
    let status = |d: &Value| match d["status"].as_str().unwrap() {
        "regression" => 0,
        "improvement" => 1,
        "unchanged" => 2,
        other => panic!("{other}"),
    };
    let change = |d: &Value| d["change_pct"].as_f64().unwrap().abs();
    for pair in deltas.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let in_order = status(a) < status(b)
            || (status(a) == status(b)
                && (change(a) > change(b) || (change(a) == change(b) && name(a) < name(b))));
        assert!(in_order, "{} before {}", name(a), name(b));
    }
    // Every row was settled: a row blocks when it is a regression beyond its (widened)
    // fail threshold.
    for d in deltas {
        let beyond = status(d) == 0 && change(d) > d["fail_pct"].as_f64().unwrap();
        assert_eq!(d["blocking"], beyond, "{}", name(d));
    }
    assert!(
        run.stdout
            .contains(" rows omitted to stay under GitHub's size limit (")
            && run.stdout.contains(" regression, ")
            && run
                .stdout
                .contains("2700 unchanged); every metric is in `report.json`"),
        "{}",
        run.stdout
    );
}

/// The terminal view of a real report, drawn at a forced width, with and without colour.
#[test]
fn the_terminal_view_shows_the_verdict_findings_and_a_table_that_fits() {
    use benchgate::cli::terminal::{report::render, Style};
    let pair = "tr115_chimera_homo_v1_vs_v2";
    let run = compare(&side(pair, "base"), &side(pair, "head"), &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let report: benchgate::report::Report = serde_json::from_value(run.report).unwrap();
    let style = Style {
        width: Some(80),
        colour: false,
        boxed: true,
    };
    let text = render(&report, &style);
    let regressions = report.counts["regression"];
    assert!(
        text.starts_with(&format!("✘ Benchmarks: fail — {regressions} regression · ")),
        "{text}"
    );
    let findings: Vec<&str> = text
        .split("What changed\n")
        .nth(1)
        .unwrap()
        .lines()
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(findings.len(), 5, "{text}");
    assert!(findings
        .iter()
        .all(|l| l.trim_start().starts_with("regression ")));
    // Narrow cells wrap; unbounded, every cell is on one line.
    let wide = render(&report, &Style::PLAIN);
    assert!(
        wide.lines().any(|l| l.contains("throughput_tokens_per_sec")
            && l.contains("49.6 tokens/s → 41 tokens/s")),
        "Agent B's throughput is in the table:\n{wide}"
    );
    let table: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with(['╭', '│', '╞', '╰']))
        .collect();
    assert!(table.len() > regressions, "{text}");
    for line in &table {
        assert!(line.chars().count() <= 80, "wider than 80: {line}");
    }
    assert!(!text.contains('\u{1b}') && !text.contains("| "), "{text}");

    let coloured = render(
        &report,
        &Style {
            colour: true,
            ..style
        },
    );
    assert!(
        coloured.contains("\u{1b}[31m\u{1b}[1m✘ Benchmarks: fail"),
        "{coloured}"
    );
    // Colour changes the look, not the words.
    let plain: String = strip_ansi(&coloured);
    assert_eq!(plain, text);
}

fn strip_ansi(text: &str) -> String {
    let escape = regex::Regex::new(r"\x1b\[[0-9;]*m").unwrap();
    escape.replace_all(text, "").into_owned()
}

#[test]
fn the_terminal_view_of_a_quiet_comparison_says_nothing_changed() {
    use benchgate::cli::terminal::{report::render, Style};
    let dir = side(GEMMA, "head");
    let run = compare(&dir, &dir, &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let report: benchgate::report::Report = serde_json::from_value(run.report).unwrap();
    let text = render(&report, &Style::PLAIN);
    let total = report.counts["total"];
    assert!(text.starts_with("✔ Benchmarks: pass — "), "{text}");
    assert!(!text.contains("What changed"), "{text}");
    assert!(
        text.contains(&format!(
            "No metric changed beyond its thresholds ({total} compared)."
        )),
        "{text}"
    );
}

#[test]
fn the_terminal_view_leads_with_the_notices() {
    use benchgate::cli::terminal::{report::render, Style};
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("build.log"), "error: could not compile\n").unwrap();
    let run = compare(&side(GEMMA, "base"), empty.path(), &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let report: benchgate::report::Report = serde_json::from_value(run.report).unwrap();
    let text = render(&report, &Style::PLAIN);
    let second = text.lines().nth(1).unwrap_or_default();
    assert_eq!(second, report.notices[0], "{text}");
    assert!(second.starts_with("No benchmark data on head"), "{text}");
}

/// A hyperfine report of three commands, each run with `parameters` (as
/// `hyperfine --parameter-list` writes them) and times scaled by `scale`.
fn hyperfine(dir: &Path, parameters: &str, scale: f64) {
    std::fs::create_dir_all(dir).unwrap();
    let results: Vec<String> = [("decode", 0.120), ("prefill", 0.040), ("load", 0.300)]
        .iter()
        .map(|(command, mean)| {
            let times: Vec<String> = [0.98, 1.0, 1.02]
                .iter()
                .map(|f| format!("{}", mean * f * scale))
                .collect();
            format!(
                r#"{{"command": "{command}", "mean": {}, "times": [{}], "parameters": {parameters}}}"#,
                mean * scale,
                times.join(", ")
            )
        })
        .collect();
    let text = format!(r#"{{"results": [{}]}}"#, results.join(",\n"));
    std::fs::write(dir.join("hyperfine.json"), text).unwrap();
}

/// Two builds whose every series carries its build's commit hash: the hash is provenance,
/// not identity, so the series pair up, and the rows keep it.
#[test]
fn series_that_differ_only_by_a_commit_hash_pair_up() {
    let dir = tempfile::tempdir().unwrap();
    let (base, head) = (dir.path().join("base"), dir.path().join("head"));
    hyperfine(&base, r#"{"commit": "3f2a9c1e", "threads": "8"}"#, 1.0);
    hyperfine(&head, r#"{"commit": "9bd04e7a", "threads": "8"}"#, 1.01);
    let run = compare(&base, &head, &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let counts = &run.report["counts"];
    assert_eq!(counts["missing"], 0, "{counts}");
    assert_eq!(counts["new"], 0, "{counts}");
    assert_eq!(counts["unchanged"], 3, "{counts}");
    let row = &run.report["deltas"][0];
    assert_eq!(row["labels"]["threads"], "8");
    assert!(row["labels"].get("commit").is_none());
    assert_eq!(row["provenance"]["commit"], "3f2a9c1e → 9bd04e7a");
    assert!(run.report["key_hints"].as_array().unwrap().is_empty());
}

/// Two builds whose series carry a variant name that differs on every row: nothing meets,
/// and the comment and the warnings say which policy lines make them meet. With those lines
/// every series is matched.
#[test]
fn series_split_by_a_variant_label_get_the_policy_lines_that_match_them() {
    let dir = tempfile::tempdir().unwrap();
    let (base, head) = (dir.path().join("base"), dir.path().join("head"));
    hyperfine(&base, r#"{"variant": "toolbox-a"}"#, 1.0);
    hyperfine(&head, r#"{"variant": "toolbox-b"}"#, 1.01);
    let run = compare(&base, &head, &[]);
    assert_eq!(run.report["counts"]["new"], 3);
    let hints = run.report["key_hints"].as_array().unwrap();
    assert_eq!(hints.len(), 1, "{hints:?}");
    let policy = hints[0]["policy"].as_str().unwrap();
    assert_eq!(policy, "ignore_labels: ['variant']");
    assert_eq!(hints[0]["matched"], 3);
    assert!(
        run.stdout.contains("**Keys that do not meet:**"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(&format!("```yaml\n{policy}\n```")));
    let warnings = run.report["warnings"].as_array().unwrap();
    assert!(warnings
        .iter()
        .any(|w| w["message"].as_str().unwrap().contains(policy)));

    // The suggested lines, applied as they are: every series is matched.
    let config = dir.path().join("policy.yml");
    std::fs::write(&config, format!("{policy}\n")).unwrap();
    let fixed = compare(&base, &head, &["--config", config.to_str().unwrap()]);
    assert_eq!(fixed.code, Some(0), "{}", fixed.stderr);
    let counts = &fixed.report["counts"];
    assert_eq!(counts["missing"], 0, "{counts}");
    assert_eq!(counts["new"], 0, "{counts}");
    assert_eq!(counts["unchanged"], 3, "{counts}");
    assert!(fixed.report["key_hints"].as_array().unwrap().is_empty());
    assert_eq!(
        fixed.report["deltas"][0]["provenance"]["variant"],
        "toolbox-a → toolbox-b"
    );
}

/// A variant written into the benchmark names: the fix is a rewrite rule, and it works.
#[test]
fn names_split_by_a_variant_get_a_rewrite_rule_that_matches_them() {
    let dir = tempfile::tempdir().unwrap();
    let (base, head) = (dir.path().join("base"), dir.path().join("head"));
    for (side, variant) in [(&base, "toolbox-a"), (&head, "toolbox-b")] {
        std::fs::create_dir_all(side).unwrap();
        let text = format!(
            "model,tokens_s\ngemma3/{variant},88.9\nllama3/{variant},70.2\nqwen/{variant},95.5\n"
        );
        std::fs::write(side.join("tps.csv"), text).unwrap();
    }
    let run = compare(&base, &head, &[]);
    let hints = run.report["key_hints"].as_array().unwrap();
    assert_eq!(hints.len(), 1, "{}", run.stdout);
    let policy = hints[0]["policy"].as_str().unwrap();
    assert!(
        policy.starts_with("rewrite:\n  - field: benchmark\n"),
        "{policy}"
    );
    let config = dir.path().join("policy.yml");
    std::fs::write(&config, format!("{policy}\n")).unwrap();
    let fixed = compare(&base, &head, &["--config", config.to_str().unwrap()]);
    let counts = &fixed.report["counts"];
    assert_eq!(counts["missing"], 0, "{counts}");
    assert_eq!(counts["new"], 0, "{counts}");
    assert_eq!(counts["unchanged"], 3, "{counts}");
}
