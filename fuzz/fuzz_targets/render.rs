//! The report context builder and the renderer: arbitrary benchmark names, labels, units,
//! file names, warnings, LLM text and values go through compare, report building and the
//! built-in comment and summary templates. The output must stay within its size budget
//! and contain no mention, no foreign HTML, no image and no broken table row.

#![no_main]

use arbitrary::Arbitrary;
use benchgate::collect::{InventorySummary, Skipped};
use benchgate::compare;
use benchgate::config::Policy;
use benchgate::model::{Direction, Series, SeriesKey, Warning};
use benchgate::render::{Renderer, TemplatePaths, COMMENT_BUDGET, SUMMARY_BUDGET};
use benchgate::report::{self, ReportParts, Timings};
use benchgate_fuzz::markdown::violations;
use libfuzzer_sys::fuzz_target;
use serde_json::json;
use std::sync::OnceLock;

#[derive(Debug, Arbitrary)]
struct Metric {
    source: String,
    benchmark: String,
    metric: String,
    labels: Vec<(String, String)>,
    unit: String,
    direction: u8,
    base: Option<(Vec<f64>, u8)>,
    head: Option<(Vec<f64>, u8)>,
}

#[derive(Debug, Arbitrary)]
struct Case {
    metrics: Vec<Metric>,
    /// Each metric is repeated this many times (with distinct keys), so that a small
    /// input can reach the size cap.
    copies: u8,
    warnings: Vec<(String, String)>,
    skipped: Vec<(String, String)>,
    texts: Vec<String>,
    event: Option<String>,
    analysis: bool,
}

fn series(m: &Metric, copy: usize, side: &(Vec<f64>, u8)) -> Series {
    let mut key = SeriesKey::new(m.source.as_str(), format!("{}{copy}", m.benchmark), &m.metric);
    key.labels = m.labels.iter().cloned().collect();
    let direction = match m.direction % 3 {
        0 => Direction::HigherIsBetter,
        1 => Direction::LowerIsBetter,
        _ => Direction::Neutral,
    };
    let mut s = Series::new(key, &m.unit, direction);
    s.samples = side.0.clone();
    s.failed = u32::from(side.1 % 4);
    s
}

fn text(texts: &[String], i: usize) -> String {
    texts.get(i).cloned().unwrap_or_default()
}

fn renderer() -> &'static Renderer {
    static R: OnceLock<Renderer> = OnceLock::new();
    R.get_or_init(|| Renderer::new(&TemplatePaths::default()).expect("built-in templates"))
}

fuzz_target!(|case: Case| {
    let copies = usize::from(case.copies % 64) + 1;
    let (mut base, mut head) = (Vec::new(), Vec::new());
    for m in case.metrics.iter().take(32) {
        for copy in 0..copies {
            if let Some(b) = &m.base {
                base.push(series(m, copy, b));
            }
            if let Some(h) = &m.head {
                head.push(series(m, copy, h));
            }
        }
    }
    let comparison = compare::compare(&base, &head, &Policy::default());
    let t = &case.texts;
    let inventory = InventorySummary {
        files: head.len(),
        by_kind: [(text(t, 0), 1)].into_iter().collect(),
        by_dir: [(text(t, 1), 1)].into_iter().collect(),
        skipped: case
            .skipped
            .iter()
            .map(|(p, r)| Skipped::new(p, r))
            .collect(),
        ..InventorySummary::default()
    };
    let analysis = case.analysis.then(|| {
        // Statements are the analyze stage's sanitised Markdown; the note, metric names and
        // call details are plain text for the template to escape.
        json!({
            "status": "ok",
            "reason": text(t, 3),
            "summary": "No change.",
            "findings": [{"text": "Nothing moved.", "metrics": [text(t, 5)]}],
            "call": {"model": text(t, 2), "api": text(t, 4)},
        })
    });
    let report = report::build(ReportParts {
        comparison,
        base_inventory: Some(inventory.clone()),
        head_inventory: inventory,
        warnings: case
            .warnings
            .iter()
            .map(|(p, m)| Warning::new(p, m))
            .collect(),
        timings_ms: Timings::default(),
        baseline: Some(json!({"mode": "dir", "path": text(t, 9), "note": text(t, 10)})),
        run: case.event.as_ref().map(|e| json!({ "event": e })),
        analysis,
        stored_rows: 0,
    });
    serde_json::to_string(&report).expect("the report serialises");

    let comment = renderer()
        .comment(&report)
        .expect("the built-in comment renders");
    assert!(
        comment.markdown.len() <= COMMENT_BUDGET,
        "{} bytes",
        comment.markdown.len()
    );
    let found = violations(&comment.markdown);
    assert!(found.is_empty(), "{found:#?}\n{}", comment.markdown);

    let summary = renderer()
        .summary(&report)
        .expect("the built-in summary renders");
    assert!(summary.markdown.len() <= SUMMARY_BUDGET);
    let found = violations(&summary.markdown);
    assert!(found.is_empty(), "{found:#?}\n{}", summary.markdown);
});
