//! Rendering tests: snapshots of the default comment and summary, the size cap, escaping of
//! untrusted text and custom templates.

use benchgate::collect::{InventorySummary, Skipped};
use benchgate::compare::{Comparison, Confidence, Delta, Gate, SideStats, Status, Verdict};
use benchgate::model::{Direction, SeriesKey, Warning};
use benchgate::render::{RenderError, Renderer, TemplatePaths, COMMENT_BUDGET};
use benchgate::report::{self, Report, ReportParts, Timings};
use serde_json::json;
use std::collections::BTreeMap;

fn side(samples: &[f64], failed: u32) -> SideStats {
    SideStats::of(samples, failed)
}

struct D {
    source: &'static str,
    benchmark: &'static str,
    metric: &'static str,
    labels: &'static [(&'static str, &'static str)],
    unit: &'static str,
    direction: Direction,
    status: Status,
    base: Option<SideStats>,
    head: Option<SideStats>,
    p_value: Option<f64>,
}

fn delta(d: D) -> Delta {
    let mut key = SeriesKey::new(d.source, d.benchmark, d.metric);
    key.labels = d
        .labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let change_abs = match (&d.base, &d.head) {
        (Some(b), Some(h)) => b.mean.zip(h.mean).map(|(b, h)| h - b),
        _ => None,
    };
    let change_pct = match (&d.base, &d.head) {
        (Some(b), Some(h)) => b
            .mean
            .zip(h.mean)
            .filter(|(b, _)| *b != 0.0)
            .map(|(b, h)| (h - b) / b * 100.0),
        _ => None,
    };
    let confidence = match (&d.base, &d.head) {
        (Some(b), Some(h)) if b.n >= 2 && h.n >= 2 => Confidence::High,
        (Some(b), Some(h)) if b.n >= 1 && h.n >= 1 => Confidence::Low,
        _ => Confidence::None,
    };
    let origin = |s: &Option<SideStats>| match s {
        Some(_) => vec![d.source.into()],
        None => vec![],
    };
    Delta {
        key,
        unit: d.unit.to_string(),
        direction: d.direction,
        status: d.status,
        gate: Gate::Hard,
        base_origin: origin(&d.base),
        head_origin: origin(&d.head),
        base: d.base,
        head: d.head,
        change_abs,
        change_pct,
        p_value: d.p_value,
        test: d.p_value.map(|_| "welch_t".to_string()),
        confidence,
        warn_pct: 5.0,
        fail_pct: 10.0,
        reason: String::new(),
        noise: None,
        blocking: matches!(d.status, Status::Regression | Status::Broken),
        change_kind: Default::default(),
        provenance: Default::default(),
        merged_as: None,
        merged: Vec::new(),
    }
}

fn counts(deltas: &[Delta]) -> BTreeMap<String, usize> {
    let mut counts: BTreeMap<String, usize> = Status::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), 0))
        .collect();
    for d in deltas {
        *counts.get_mut(d.status.as_str()).unwrap() += 1;
    }
    counts.insert("total".to_string(), deltas.len());
    counts
}

fn inventory(files: &[(&str, usize)], skipped: Vec<Skipped>) -> InventorySummary {
    InventorySummary {
        files: files.iter().map(|(_, n)| n).sum(),
        bytes: 48_213,
        by_kind: files.iter().map(|(k, n)| (k.to_string(), *n)).collect(),
        by_dir: BTreeMap::new(),
        latest_modified: Some("2025-11-15T10:02:11Z".to_string()),
        skipped,
        unmatched: 0,
    }
}

fn timings() -> Timings {
    Timings {
        collect: 3.2,
        parse: 41.7,
        baseline: 12.0,
        compare: 0.8,
        analyze: 5230.0,
        render: 0.0,
    }
}

const HOMO: &str = "chimera_homo_gpu80_ctx1024/run_1/summary.json";
const GEMMA: &str = "reports/ollama/gemma3_benchmark_runs.csv";

/// A report shaped like the real pairs: the TR115 agent runs and the gemma3 runs, with an
/// LLM analysis, warnings and skipped files.
fn realistic_report() -> Report {
    let mut report = realistic_report_with_version();
    report.tool_version = "[version]".into();
    report
}

fn realistic_report_with_version() -> Report {
    use Direction::*;
    use Status::*;
    let deltas = vec![
        delta(D {
            source: HOMO,
            benchmark: "runs",
            metric: "insight_ttft_ms",
            labels: &[("scenario", "chimera_homo")],
            unit: "ms",
            direction: LowerIsBetter,
            status: Regression,
            base: Some(side(&[615.2918000000001], 0)),
            head: Some(side(&[815.0], 0)),
            p_value: None,
        }),
        delta(D {
            source: HOMO,
            benchmark: "runs",
            metric: "insight_throughput",
            labels: &[("scenario", "chimera_homo")],
            unit: "tokens/s",
            direction: HigherIsBetter,
            status: Regression,
            base: Some(side(&[49.567148099519834], 0)),
            head: Some(side(&[41.0], 0)),
            p_value: None,
        }),
        delta(D {
            source: GEMMA,
            benchmark: "gemma3:latest",
            metric: "tokens_s",
            labels: &[("num_ctx", "2048"), ("num_gpu", "999")],
            unit: "tokens/s",
            direction: HigherIsBetter,
            status: Broken,
            base: Some(side(&[88.1, 89.4, 90.2, 88.7, 88.3], 0)),
            head: Some(side(&[], 5)),
            p_value: None,
        }),
        delta(D {
            source: "chimera_homo_gpu80_ctx1024/run_1/run_1/metrics.json",
            benchmark: "agent",
            metric: "prompt_chars",
            labels: &[],
            unit: "",
            direction: Neutral,
            status: Missing,
            base: Some(side(&[612.0], 0)),
            head: None,
            p_value: None,
        }),
        delta(D {
            source: "Demo_rust_agent_out/data/metrics.json",
            benchmark: "chimera",
            metric: "ttft_ms",
            labels: &[],
            unit: "ms",
            direction: LowerIsBetter,
            status: Noisy,
            base: Some(side(&[1210.0, 980.0, 1405.0], 0)),
            head: Some(side(&[1302.0, 870.0, 1580.0], 0)),
            p_value: Some(0.6112),
        }),
        delta(D {
            source: HOMO,
            benchmark: "runs",
            metric: "collector_throughput",
            labels: &[("scenario", "chimera_homo")],
            unit: "tokens/s",
            direction: HigherIsBetter,
            status: Improvement,
            base: Some(side(&[41.01712614953296], 0)),
            head: Some(side(&[44.3], 0)),
            p_value: None,
        }),
        delta(D {
            source: "reports/ollama/gemma3_benchmark_summary.json",
            benchmark: "gemma3:latest",
            metric: "mean_ttft_s",
            labels: &[],
            unit: "s",
            direction: LowerIsBetter,
            status: Fixed,
            base: Some(side(&[], 1)),
            head: Some(side(&[6.1], 0)),
            p_value: None,
        }),
        delta(D {
            source: "chimera_homo_gpu80_ctx1024/run_1/run_1/metrics.json",
            benchmark: "llm_calls",
            metric: "eval_duration_ms",
            labels: &[("agent", "chimera_a")],
            unit: "ms",
            direction: LowerIsBetter,
            status: New,
            base: None,
            head: Some(side(&[10233.5, 9987.2], 0)),
            p_value: None,
        }),
        delta(D {
            source: HOMO,
            benchmark: "aggregate",
            metric: "average_efficiency",
            labels: &[],
            unit: "%",
            direction: HigherIsBetter,
            status: Unchanged,
            base: Some(side(&[94.32247655930885], 0)),
            head: Some(side(&[97.9], 0)),
            p_value: None,
        }),
        delta(D {
            source: "Demo_rust_agent_out/data/metrics.json",
            benchmark: "chimera",
            metric: "throughput_tokens_per_sec",
            labels: &[],
            unit: "tokens/s",
            direction: HigherIsBetter,
            status: Unchanged,
            base: Some(side(&[98.1, 97.5, 98.9, 97.9], 0)),
            head: Some(side(&[98.4, 97.7, 99.0, 98.1], 0)),
            p_value: Some(0.00042),
        }),
    ];
    let comparison = Comparison {
        verdict: Verdict::Fail,
        counts: counts(&deltas),
        deltas,
        warnings: vec![],
        key_hints: Vec::new(),
    };
    report::build(ReportParts {
        comparison,
        base_inventory: Some(inventory(&[("csv", 1), ("json", 4), ("md", 5)], vec![])),
        head_inventory: inventory(
            &[("csv", 1), ("json", 4), ("md", 5), ("txt", 1)],
            vec![Skipped {
                path: "reports/ncu_summary.csv".into(),
                reason: "not UTF-8 text (UTF-16?)".into(),
            }],
        ),
        warnings: vec![Warning::new(
            "chimera_homo_gpu80_ctx1024/run_1/summary.md",
            "table row 4 has 3 cells, the header has 5; row skipped",
        )],
        timings_ms: timings(),
        baseline: Some(json!({
            "mode": "artifact",
            "ref": "main",
            "sha": "405b1eb65e18c6fb6bc6bfbd46f0d18a531da6fa",
            "run_url": "https://github.com/acme/llm-bench/actions/runs/7001",
            "age": "2 days",
            "trends": {
                "chimera_homo_gpu80_ctx1024/run_1/summary.json/runs/insight_throughput [scenario=chimera_homo]":
                    "```mermaid\nxychart-beta\n    title \"insight_throughput\"\n    x-axis [\"1a2b3c4\", \"405b1eb\", \"head\"]\n    y-axis \"tokens/s\"\n    line [48.9, 49.567, 41]\n```"
            },
        })),
        run: Some(json!({
            "event": "pull_request",
            "repo": "acme/llm-bench",
            "pr": 42,
            "head_sha": "970b0b915e64ac7f4506b667748bdd368454e084",
            "run_url": "https://github.com/acme/llm-bench/actions/runs/7002",
        })),
        // Statements are Markdown as the analyze stage writes them (already escaped).
        analysis: Some(json!({
            "status": "ok",
            "reason": "",
            "summary": "Generation throughput of the insight agent fell from 49.6 to 41.0 tokens/s while its TTFT rose from 615 to 815 ms; the gemma3 runs now fail on every prompt.",
            "findings": [
                {"text": "`gemma3:latest` failed 5 of 5 runs in head; base completed all 5 at 88.9 tokens/s on average.", "metrics": ["reports/ollama/gemma3_benchmark_runs.csv/gemma3:latest/tokens_s"]},
                {"text": "insight\\_throughput dropped 17.3 % (n=1 per side, low confidence).", "metrics": ["runs/insight_throughput"]}
            ],
            "recommendations": ["Check the Ollama host binding in the gemma3 benchmark script before merging."],
            "removed": [
                {"text": "GPU fan speed rose to 98 RPM.", "why": "98 RPM is not in the facts", "kind": "number not in the facts"},
                {"text": "Throughput improved.", "why": "says `runs/insight_throughput` got better (improved), but it regressed", "kind": "opposite direction"}
            ],
            "removed_total": 2,
            "call": {
                "model": "qwen2.5:7b-instruct",
                "api": "ollama",
                "url": "http://ollama:11434",
                "ttft_ms": 412.5,
                "load_ms": 1890.2,
                "prompt_eval_ms": 388.1,
                "eval_ms": 2841.7,
                "total_ms": 5230.0,
                "prompt_tokens": 2214,
                "eval_tokens": 233,
                "tokens_per_s": 82.0,
                "prompt_tokens_per_s": 5704.7,
                "options": {"num_ctx": 8192, "temperature": 0, "seed": 7},
                "prompt_chars": 8630,
                "prompt_tokens_estimate": 2158,
                "facts_total": 10,
                "facts_included": 10
            }
        })),
        stored_rows: 0,
    })
}

fn renderer() -> Renderer {
    Renderer::new(&TemplatePaths::default()).unwrap()
}

#[test]
fn default_comment_of_a_realistic_report() {
    let rendered = renderer().comment(&realistic_report()).unwrap();
    assert_eq!(rendered.omitted.rows, 0);
    insta::assert_snapshot!(rendered.markdown);
}

#[test]
fn default_summary_of_a_realistic_report() {
    let rendered = renderer().summary(&realistic_report()).unwrap();
    assert!(!rendered.markdown.contains("<details>"));
    insta::assert_snapshot!(rendered.markdown);
}

/// A report with `n` metrics: `regressions` of them regressed, the rest split between
/// improvements, new metrics and unchanged ones.
fn large_report(n: usize, regressions: usize) -> Report {
    let names: Vec<String> = (0..n).map(|i| format!("bench_{i:05}")).collect();
    let deltas: Vec<Delta> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let status = if i < regressions {
                Status::Regression
            } else {
                [Status::Improvement, Status::New, Status::Unchanged][i % 3]
            };
            let base = 100.0 + i as f64;
            let head = match status {
                Status::Regression => base * 0.8,
                Status::Improvement => base * 1.2,
                _ => base * 1.001,
            };
            let mut d = delta(D {
                source: "bench/results.json",
                benchmark: "suite",
                metric: "tokens_s",
                labels: &[],
                unit: "tokens/s",
                direction: Direction::HigherIsBetter,
                status,
                base: (status != Status::New).then(|| side(&[base, base + 1.0, base - 1.0], 0)),
                head: Some(side(&[head, head + 1.0, head - 1.0], 0)),
                p_value: Some(0.01),
            });
            d.key.benchmark = name.clone();
            d
        })
        .collect();
    let comparison = Comparison {
        verdict: Verdict::Fail,
        counts: counts(&deltas),
        deltas,
        warnings: vec![],
        key_hints: Vec::new(),
    };
    report::build(ReportParts {
        comparison,
        base_inventory: Some(inventory(&[("json", 1)], vec![])),
        head_inventory: inventory(&[("json", 1)], vec![]),
        warnings: vec![],
        timings_ms: timings(),
        baseline: None,
        run: Some(
            json!({"report_url": "https://github.com/acme/llm-bench/actions/runs/7002/artifacts/9"}),
        ),
        analysis: None,
        stored_rows: 0,
    })
}

#[test]
fn five_thousand_metrics_stay_under_the_cap_with_every_regression() {
    let report = large_report(5000, 40);
    let rendered = renderer().comment(&report).unwrap();
    let md = &rendered.markdown;
    assert!(md.len() <= COMMENT_BUDGET, "{} bytes", md.len());
    assert!(md.chars().count() < 65_536);
    for d in report
        .deltas
        .iter()
        .filter(|d| d.status == Status::Regression)
    {
        assert!(
            md.contains(&format!("| {} |", d.key.benchmark.replace('_', "\\_"))),
            "{} missing",
            d.key.benchmark
        );
    }
    // Table rows only: the findings above the tables repeat a few of them.
    let shown = md
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("bench\\_"))
        .count();
    assert_eq!(rendered.omitted.rows + shown, 5000);
    assert!(rendered.omitted.rows > 0);
    // Lowest priority first: every unchanged row is dropped before any improvement.
    let unchanged = report.counts["unchanged"];
    assert_eq!(rendered.omitted.by_status[&Status::Unchanged], unchanged);
    assert_eq!(
        rendered.omitted.by_status[&Status::New],
        report.counts["new"]
    );
    assert!(!rendered.omitted.by_status.contains_key(&Status::Regression));
    let note = format!(
        "> ✂️ {} rows omitted to stay under GitHub's size limit",
        rendered.omitted.rows
    );
    assert!(md.contains(&note), "no omitted note in:\n{}", &md[..2000]);
    assert!(md.contains(
        "every metric is in [the full report](https://github.com/acme/llm-bench/actions/runs/7002/artifacts/9)"
    ));
    // The budget is used, not wasted: one more row would not have fitted by much.
    assert!(md.len() > COMMENT_BUDGET - 1_000, "{} bytes", md.len());
}

#[test]
fn regressions_are_dropped_only_when_nothing_else_is_left() {
    let report = large_report(300, 200);
    let rendered = renderer().comment_within(&report, 20_000).unwrap();
    assert!(rendered.markdown.len() <= 20_000);
    let dropped_regressions = rendered.omitted.by_status[&Status::Regression];
    assert!(dropped_regressions > 0);
    assert_eq!(rendered.omitted.rows, 100 + dropped_regressions);
    assert!(!rendered.markdown.contains("#### Improvements"));
    assert!(rendered.markdown.contains("#### Regressions"));
    // The regressions kept are the largest changes, in display order.
    assert!(rendered.markdown.contains("| bench\\_00000 |"));
}

#[test]
fn a_template_too_long_even_without_rows_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.md.j2");
    std::fs::write(
        &path,
        "{% for i in range(100) %}padding padding {% endfor %}\n",
    )
    .unwrap();
    let renderer = Renderer::new(&TemplatePaths {
        comment: Some(path.clone()),
        summary: None,
    })
    .unwrap();
    let err = renderer
        .comment_within(&large_report(10, 2), 500)
        .unwrap_err();
    assert!(
        matches!(err, RenderError::TooLong { size: 1600, .. }),
        "{err}"
    );
    assert!(err.is_user_error());
    assert!(err.to_string().contains("long.md.j2"), "{err}");
}

const NASTY: [&str; 6] = [
    "a|b||c",
    "`rm -rf` ```",
    "<img src=x onerror=alert(1)>",
    "ping @octocat and @github/security",
    "line1\nline2\r\n| x | y |",
    "![pwn](https://evil.test/p.png) [link](javascript:alert(1)) <script>",
];

fn nasty_report() -> Report {
    let mut report = large_report(NASTY.len(), NASTY.len());
    for (d, name) in report.deltas.iter_mut().zip(NASTY) {
        d.key.benchmark = name.to_string();
        d.key.metric = format!("{name} metric");
        d.key.labels = [(name.to_string(), name.to_string())].into_iter().collect();
        d.unit = name.to_string();
        d.head_origin = vec![format!("dir/{name}.json").into()];
    }
    report.warnings = vec![Warning::new(NASTY[2], NASTY[3])];
    // Statements are Markdown the analyze stage already made safe; the plain-text fields
    // (reason, metric names, call details) are escaped by the template.
    report.analysis = Some(json!({
        "status": "ok",
        "reason": NASTY[3],
        "summary": "Throughput fell.",
        "findings": [{"text": "See the table.", "metrics": [NASTY[0], NASTY[2]]}],
        "recommendations": [],
        "removed": [],
        "call": {"model": NASTY[4], "options": {NASTY[1]: NASTY[5]}},
    }));
    report
}

/// Pipes that delimit cells of a Markdown table row: those not escaped by an odd run of
/// backslashes (the GFM rule).
fn unescaped_pipes(line: &str) -> usize {
    let mut count = 0;
    let mut backslashes = 0;
    for c in line.chars() {
        if c == '\\' {
            backslashes += 1;
            continue;
        }
        if c == '|' && backslashes % 2 == 0 {
            count += 1;
        }
        backslashes = 0;
    }
    count
}

#[test]
fn untrusted_text_cannot_break_tables_inject_html_or_mention() {
    let md = renderer().comment(&nasty_report()).unwrap().markdown;
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| 🔴")).collect();
    assert_eq!(rows.len(), NASTY.len(), "{md}");
    for row in &rows {
        assert_eq!(
            unescaped_pipes(row),
            9,
            "row split into the wrong cells: {row}"
        );
    }
    assert!(!md.contains("<img"));
    assert!(!md.contains("<script"));
    assert!(!md.contains("!["));
    assert!(!md.contains("](javascript"));
    assert!(!md.contains("https://evil"), "a bare URL GitHub would link");
    assert!(!md.contains("@octocat"));
    assert!(!md.contains("@github"));
    assert!(md.contains("@\u{200D}octocat"));
    assert!(!md.contains("line1\nline2"));
    assert_eq!(md.matches('`').count(), md.matches("\\`").count());
    insta::assert_snapshot!(rows.join("\n"));
}

#[test]
fn no_baseline_and_skipped_analysis() {
    let mut report = realistic_report();
    report.verdict = Verdict::NoBaseline;
    for d in &mut report.deltas {
        d.status = Status::New;
        d.base = None;
        d.base_origin.clear();
        d.change_pct = None;
        d.p_value = None;
        d.confidence = Confidence::None;
    }
    report.counts = counts(&report.deltas);
    report.inventory.base = None;
    report.baseline =
        Some(json!({"mode": "none", "note": "the base directory base/ does not exist"}));
    report.analysis = Some(json!({"status": "skipped", "reason": "no Ollama URL configured"}));
    report.run = None;
    report.tool_version = "[version]".into();
    let md = renderer().comment(&report).unwrap().markdown;
    insta::assert_snapshot!(md);
}

#[test]
fn custom_templates_extend_and_import_the_built_ins() {
    let dir = tempfile::tempdir().unwrap();
    let comment = dir.path().join("comment.md.j2");
    std::fs::write(
        &comment,
        "{% extends \"comment.md.j2\" %}{% block analysis %}{% endblock %}{% block run_summary %}{% endblock %}{% block footer %}custom footer for {{ run.repo|md }}\n{% endblock %}",
    )
    .unwrap();
    let summary = dir.path().join("summary.md.j2");
    std::fs::write(
        &summary,
        "{% import \"macros.md.j2\" as m %}{{ verdict }}: {{ deltas|length }} metrics\n{{ m.table(deltas[:1]) }}",
    )
    .unwrap();
    let renderer = Renderer::new(&TemplatePaths {
        comment: Some(comment),
        summary: Some(summary),
    })
    .unwrap();
    let report = realistic_report();
    let md = renderer.comment(&report).unwrap().markdown;
    assert!(md.starts_with("### ❌ Benchmarks: fail — 2 regressions"));
    assert!(!md.contains("Analysis"));
    assert!(md.ends_with("custom footer for acme/llm-bench\n"));
    let summary = renderer.summary(&report).unwrap().markdown;
    assert!(summary.starts_with("fail: 10 metrics\n| | Benchmark"));
    assert_eq!(summary.lines().count(), 4);
}

#[test]
fn template_errors_name_the_file_and_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("typo.md.j2");
    std::fs::write(&typo, "Verdict: {{ verdikt }}\n").unwrap();
    let renderer = Renderer::new(&TemplatePaths {
        comment: Some(typo.clone()),
        summary: None,
    })
    .unwrap();
    let err = renderer.comment(&realistic_report()).unwrap_err();
    assert!(err.is_user_error());
    let msg = err.to_string();
    assert!(msg.contains("typo.md.j2:1"), "{msg}");
    assert!(msg.contains("undefined"), "{msg}");

    let broken = dir.path().join("broken.md.j2");
    std::fs::write(&broken, "{% if verdict %}unclosed\n").unwrap();
    let err = Renderer::new(&TemplatePaths {
        comment: None,
        summary: Some(broken),
    })
    .err()
    .unwrap();
    assert!(matches!(err, RenderError::Compile { custom: true, .. }));
    assert!(err.to_string().contains("broken.md.j2"), "{err}");

    let missing = dir.path().join("missing.md.j2");
    let err = Renderer::new(&TemplatePaths {
        comment: Some(missing),
        summary: None,
    })
    .err()
    .unwrap();
    assert!(matches!(err, RenderError::Read { .. }));
    assert!(err.to_string().contains("missing.md.j2"), "{err}");
}

#[test]
fn the_report_serialises_to_the_documented_json() {
    let report = realistic_report();
    let value = serde_json::to_value(&report).unwrap();
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "schema_version",
            "tool_version",
            "verdict",
            "notices",
            "counts",
            "deltas",
            "inventory",
            "timings_ms",
            "warnings",
            "key_hints",
            "baseline",
            "run",
            "analysis",
            "omitted"
        ]
    );
    assert_eq!(value["verdict"], "fail");
    let first = &value["deltas"][0];
    assert_eq!(first["status"], "regression");
    assert_eq!(first["metric"], "insight_ttft_ms");
    assert_eq!(first["base"]["n"], 1);
    assert_eq!(first["labels"]["scenario"], "chimera_homo");
    assert_eq!(first["change_kind"], "relative");
    // Fields that are empty for most rows are left out of report.json.
    for sparse in ["provenance", "merged_as", "merged"] {
        assert!(first.get(sparse).is_none(), "{sparse}");
    }
    let back: Report = serde_json::from_value(value).unwrap();
    assert_eq!(back, report);
}

#[test]
fn the_documented_template_examples_render() {
    let doc = std::fs::read_to_string("docs/template-context.md").unwrap();
    let examples: Vec<&str> = doc
        .split("```jinja\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap())
        .collect();
    assert_eq!(examples.len(), 2);
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for (i, example) in examples.iter().enumerate() {
        let path = dir.path().join(format!("example{i}.md.j2"));
        std::fs::write(&path, example).unwrap();
        let renderer = Renderer::new(&TemplatePaths {
            comment: Some(path),
            summary: None,
        })
        .unwrap();
        outputs.push(renderer.comment(&realistic_report()).unwrap().markdown);
    }
    assert!(
        outputs[0].ends_with("</details>\n\nQuestions? Ask in #perf.\n"),
        "{}",
        outputs[0]
    );
    assert!(!outputs[0].contains("Run summary"));
    insta::assert_snapshot!(outputs[1], @r"
    **fail** on 10 metrics
    - runs / insight\_ttft\_ms: 615 ms → 815 ms (+32.5%, —)
    - runs / insight\_throughput: 49.6 tokens/s → 41 tokens/s (-17.3%, —)
    - gemma3:latest / tokens\_s: 88.9 tokens/s → — (—, —)
    ");
}

/// The report of a real base/head pair from tests/fixtures, through the library pipeline
/// (scan both sides, compare under the default policy, build). File times and timings are
/// replaced by fixed values so that the snapshots only change when the content does.
fn pair_report(pair: &str) -> Report {
    use benchgate::collect::CollectOptions;
    let root = std::path::Path::new("tests/fixtures/chimeraforge/pairs").join(pair);
    let options = CollectOptions::default();
    let base = benchgate::scan::scan(&root.join("base"), &options).unwrap();
    let head = benchgate::scan::scan(&root.join("head"), &options).unwrap();
    let policy = benchgate::config::Policy::default();
    let comparison = benchgate::compare::compare(&base.series, &head.series, &policy);
    let mut warnings = head.warnings.clone();
    warnings.extend(base.warnings.iter().cloned());
    let mut report = report::build(ReportParts {
        comparison,
        base_inventory: Some(base.inventory),
        head_inventory: head.inventory,
        warnings,
        timings_ms: timings(),
        baseline: Some(json!({"mode": "dir", "path": format!("{pair}/base")})),
        run: Some(json!({"event": "pull_request"})),
        analysis: None,
        stored_rows: 0,
    });
    report.tool_version = "[version]".into();
    for inventory in [
        report.inventory.base.as_mut().unwrap(),
        &mut report.inventory.head,
    ] {
        inventory.latest_modified = Some("[mtime]".into());
    }
    report
}

#[test]
fn comment_of_the_failed_then_fixed_pair() {
    let report = pair_report("ollama_gemma3_failed_then_fixed");
    assert_eq!(report.verdict, Verdict::Pass);
    let md = renderer().comment(&report).unwrap().markdown;
    insta::assert_snapshot!(md);
}

#[test]
fn comment_and_summary_of_the_rerun_noise_pair() {
    let report = pair_report("rust_agent_rerun_noise");
    let renderer = renderer();
    insta::assert_snapshot!(
        "rerun_noise_comment",
        renderer.comment(&report).unwrap().markdown
    );
    insta::assert_snapshot!(
        "rerun_noise_summary",
        renderer.summary(&report).unwrap().markdown
    );
}

#[test]
fn comment_of_the_tr115_pair() {
    let report = pair_report("tr115_chimera_homo_v1_vs_v2");
    let rendered = renderer().comment(&report).unwrap();
    assert_eq!(rendered.omitted.rows, 0);
    insta::assert_snapshot!(rendered.markdown);
}

#[test]
fn analyses_of_the_analyze_stage_render() {
    use benchgate::analyze::{Analysis, AnalysisStatus, CallInfo, Finding, Removed};
    let failed = Analysis {
        status: AnalysisStatus::Failed,
        reason: "Ollama at http://ollama:11434 timed out after 120 s".into(),
        summary: String::new(),
        findings: vec![],
        recommendations: vec![],
        removed: vec![],
        removed_total: 0,
        show_removed: false,
        call: CallInfo {
            model: "qwen2.5:7b".into(),
            ..CallInfo::default()
        },
    };
    let mut report = realistic_report();
    report.analysis = Some(serde_json::to_value(&failed).unwrap());
    let md = renderer().comment(&report).unwrap().markdown;
    assert!(md.contains(
        "#### 🤖 Analysis\n\n_No analysis (failed): Ollama at http\u{200D}://ollama:11434 timed out after 120 s._\n"
    ));

    let ok = Analysis {
        status: AnalysisStatus::Ok,
        reason: String::new(),
        summary: "Throughput of `runs` fell 17.3 %.".into(),
        findings: vec![Finding {
            text: "insight\\_throughput fell.".into(),
            metrics: vec!["runs/insight_throughput".into()],
        }],
        recommendations: vec![],
        removed: vec![
            Removed {
                text: "Fans spun at 98 RPM.".into(),
                why: "98 RPM is not in the facts".into(),
                kind: "number not in the facts".into(),
            },
            Removed {
                text: "`runs` improved.".into(),
                why: "says `runs` got better (improved), but it regressed".into(),
                kind: "opposite direction".into(),
            },
        ],
        removed_total: 2,
        show_removed: false,
        call: CallInfo {
            model: "qwen2.5:7b".into(),
            api: "ollama".into(),
            eval_tokens: Some(233),
            tokens_per_s: Some(82.04),
            prompt_tokens: Some(598),
            prompt_tokens_estimate: 640,
            ..CallInfo::default()
        },
    };
    report.analysis = Some(serde_json::to_value(&ok).unwrap());
    let md = renderer().comment(&report).unwrap().markdown;
    let section = &md[md.find("#### 🤖 Analysis").unwrap()..md.find("Run summary").unwrap()];
    insta::assert_snapshot!(section, @r"
    #### 🤖 Analysis

    Throughput of `runs` fell 17.3 %.

    **Findings**

    - insight\_throughput fell. <sub>(runs/insight\_throughput)</sub>

    _2 statements removed (number not in the facts, opposite direction); the statements and reasons are in the job summary and `report.json`._

    <details><summary>LLM call</summary>

    | | |
    |---|--:|
    | model | qwen2.5:7b |
    | API | ollama |
    | prompt tokens | 598 |
    | prompt tokens estimated | 640 |
    | generated tokens | 233 |
    | generation speed | 82 tokens/s |

    </details>

    <details><summary>
    ");
    // The removed statements never reach the comment (GitHub mails it whole), but the job
    // summary lists them, and so does the comment when the policy asks for it.
    assert!(!md.contains("RPM"), "{md}");
    let summary = renderer().summary(&report).unwrap().markdown;
    assert!(
        summary.contains("- Fans spun at 98 RPM. — 98 RPM is not in the facts"),
        "{summary}"
    );
    let shown = Analysis {
        show_removed: true,
        ..ok
    };
    report.analysis = Some(serde_json::to_value(&shown).unwrap());
    let md = renderer().comment(&report).unwrap().markdown;
    assert!(
        md.contains(
            "<details><summary>2 statements removed: not supported by the computed facts</summary>"
        ),
        "{md}"
    );
    assert!(md.contains("- Fans spun at 98 RPM."), "{md}");
}
