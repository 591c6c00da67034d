//! Property tests of the invariants the pipeline relies on, beyond the ones next to each
//! stage: key normalisation on any path, the symmetry and scale invariance of the
//! significance tests and of direction, and Markdown safety of the rendered comment for
//! any benchmark name that a file can carry, through the real parse, compare and render
//! path.

#[path = "../fuzz/src/markdown.rs"]
mod markdown;

use benchgate::collect::InventorySummary;
use benchgate::compare::{self, Status};
use benchgate::config::Policy;
use benchgate::keys::normalize_path;
use benchgate::model::{merge_series, Direction, Series, SeriesKey, Warning};
use benchgate::parse::{parse_file, Input};
use benchgate::render::{Renderer, TemplatePaths, COMMENT_BUDGET};
use benchgate::report::{self, Report, ReportParts, Timings};
use benchgate::stats::{mann_whitney_u, welch_t_test};
use markdown::violations;
use proptest::prelude::*;
use serde_json::json;
use std::sync::LazyLock;

static RENDERER: LazyLock<Renderer> =
    LazyLock::new(|| Renderer::new(&TemplatePaths::default()).unwrap());

/// Pieces of text that attack a Markdown comment: mentions, HTML, images, links, table
/// and line breaks, escapes, bidirectional overrides.
fn hostile_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("@octocat".to_string()),
        Just("@".to_string()),
        Just("<img src=x onerror=alert(1)>".to_string()),
        Just("<IMG SRC=x>".to_string()),
        Just("</details><script>".to_string()),
        Just("<!-- x -->".to_string()),
        Just("|".to_string()),
        Just("\\|".to_string()),
        Just("\\".to_string()),
        Just("\n".to_string()),
        Just("\r\n| a | b |\n".to_string()),
        Just("![i](https://e.test/p.png)".to_string()),
        Just("[x](javascript:alert(1))".to_string()),
        Just("`".to_string()),
        Just("**".to_string()),
        Just("#".to_string()),
        Just("\u{202E}".to_string()),
        Just("\u{200D}".to_string()),
        Just("&lt;img".to_string()),
        "[a-z0-9]{1,6}",
        "\\PC{1,4}",
    ]
}

fn hostile_text() -> impl Strategy<Value = String> {
    prop::collection::vec(hostile_piece(), 0..8).prop_map(|p| p.concat())
}

/// A component of a path as files are named: words, numbers, stamps, dots.
fn path_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z][a-zA-Z0-9_-]{0,8}",
        Just("20251008-122701".to_string()),
        Just("2025-10-08T16-27-01".to_string()),
        Just("1759098967".to_string()),
        Just("20251008".to_string()),
        Just("v2".to_string()),
        Just(".".to_string()),
        Just("..".to_string()),
        Just("_".to_string()),
        Just("".to_string()),
        "\\PC{1,3}",
    ]
}

fn any_path() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            path_piece(),
            prop_oneof![Just("/"), Just("_"), Just("-"), Just(".")],
        ),
        0..8,
    )
    .prop_map(|parts| parts.into_iter().map(|(p, s)| p + s).collect::<String>())
}

fn csv_of(rows: &[(String, String, f64)]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["benchmark", "model", "tokens_s"]).unwrap();
    for (name, model, v) in rows {
        w.write_record([name.as_str(), model.as_str(), &v.to_string()])
            .unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

fn parse(path: &str, text: &str) -> Vec<Series> {
    merge_series(parse_file(&Input { path, text }).series).0
}

fn report_of(base: &[Series], head: &[Series], warnings: Vec<Warning>, text: &str) -> Report {
    report::build(ReportParts {
        comparison: compare::compare(base, head, &Policy::default()),
        base_inventory: Some(InventorySummary::default()),
        head_inventory: InventorySummary::default(),
        warnings,
        timings_ms: Timings::default(),
        baseline: Some(json!({"mode": "dir", "path": text, "note": text})),
        run: Some(json!({"event": text})),
        // The statements of an analysis are the analyze stage's sanitised Markdown (see the
        // fault suite for a hostile model answer end to end); its note, metric names and
        // call details are plain text that the template escapes.
        analysis: Some(json!({
            "status": "ok",
            "reason": text,
            "summary": "No change.",
            "findings": [{"text": "Nothing moved.", "metrics": [text]}],
            "call": {"model": text, "api": text},
        })),
        stored_rows: 0,
    })
}

fn series(name: &str, direction: Direction, samples: &[f64]) -> Series {
    let mut s = Series::new(
        SeriesKey::new("bench.json", name, "latency"),
        "ms",
        direction,
    );
    s.samples = samples.to_vec();
    s
}

fn mirror(status: Status) -> Status {
    match status {
        Status::Regression => Status::Improvement,
        Status::Improvement => Status::Regression,
        Status::Missing => Status::New,
        Status::New => Status::Missing,
        Status::Broken => Status::Fixed,
        Status::Fixed => Status::Broken,
        other => other,
    }
}

/// A relative change of the head against the base that stays clear of the thresholds in
/// both directions (-20 % one way is +25 % the other).
fn factor() -> impl Strategy<Value = f64> {
    prop_oneof![0.995..1.005f64, 0.5..0.8f64, 1.25..2.0f64]
}

/// Samples with ties (small integers), the case the rank test treats apart.
fn tied_samples() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec((95u32..105).prop_map(f64::from), 1..10)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn normalised_paths_are_stable_and_never_have_empty_components(path in any_path()) {
        let once = normalize_path(&path);
        prop_assert_eq!(normalize_path(&once), once.clone());
        prop_assert!(once.is_empty() || once.split('/').all(|c| !c.is_empty()), "{:?}", once);
        if path.split('/').any(|c| !c.is_empty()) {
            prop_assert!(!once.is_empty(), "{:?} normalised to nothing", path);
        }
    }

    #[test]
    fn parsed_series_carry_the_normalised_path_and_ignore_stamps(
        dirs in prop::collection::vec("[a-z][a-z0-9_]{0,6}", 0..3),
        stem in "[a-z][a-z0-9]{0,6}",
        stamp in prop_oneof![Just("20251008-122701"), Just("2025-10-08"), Just("1759098967")],
    ) {
        let text = "benchmark,tokens_s\nalpha,88.9\nbeta,40.5\n";
        let plain = [dirs.clone(), vec![format!("{stem}.csv")]].concat().join("/");
        let stamped = [dirs, vec![stamp.to_string(), format!("{stem}_{stamp}.csv")]].concat().join("/");
        let a = parse(&plain, text);
        let b = parse(&stamped, text);
        prop_assert_eq!(a.len(), 2);
        for s in a.iter().chain(&b) {
            prop_assert_eq!(s.key.source.to_string(), normalize_path(&plain));
        }
        let keys = |v: &[Series]| v.iter().map(|s| s.key.clone()).collect::<Vec<_>>();
        prop_assert_eq!(keys(&a), keys(&b));
        prop_assert_eq!(&*b[0].origin[0].path, stamped.as_str());
    }

    #[test]
    fn significance_tests_are_symmetric_and_scale_free(
        a in prop::collection::vec(1.0..1000.0f64, 2..12),
        b in prop::collection::vec(1.0..1000.0f64, 2..12),
        scale in 0.001..1000.0f64,
    ) {
        let w = welch_t_test(&a, &b).unwrap();
        let w_back = welch_t_test(&b, &a).unwrap();
        prop_assert!((w.t + w_back.t).abs() <= 1e-9 * w.t.abs().max(1.0));
        prop_assert!((w.p_value - w_back.p_value).abs() <= 1e-12);
        let scaled = |x: &[f64]| x.iter().map(|v| v * scale).collect::<Vec<_>>();
        let w_scaled = welch_t_test(&scaled(&a), &scaled(&b)).unwrap();
        prop_assert!((w.p_value - w_scaled.p_value).abs() <= 1e-9, "{} vs {}", w.p_value, w_scaled.p_value);

        let m = mann_whitney_u(&a, &b).unwrap();
        let m_back = mann_whitney_u(&b, &a).unwrap();
        prop_assert!((m.u + m_back.u - (a.len() * b.len()) as f64).abs() < 1e-9);
        prop_assert!((m.p_value - m_back.p_value).abs() <= 1e-12);
        prop_assert!((0.0..=1.0).contains(&m.p_value));
        let m_scaled = mann_whitney_u(&scaled(&a), &scaled(&b)).unwrap();
        prop_assert_eq!(m.p_value, m_scaled.p_value);
    }

    #[test]
    fn swapping_sides_with_tied_samples_mirrors_the_status(
        base in tied_samples(),
        f in factor(),
        higher in any::<bool>(),
    ) {
        let direction = if higher { Direction::HigherIsBetter } else { Direction::LowerIsBetter };
        let head: Vec<f64> = base.iter().map(|v| v * f).collect();
        let policy = Policy::default();
        let forward = compare::compare(&[series("x", direction, &base)], &[series("x", direction, &head)], &policy);
        let backward = compare::compare(&[series("x", direction, &head)], &[series("x", direction, &base)], &policy);
        prop_assert_eq!(backward.deltas[0].status, mirror(forward.deltas[0].status),
            "{} / {}", forward.deltas[0].reason, backward.deltas[0].reason);
    }

    #[test]
    fn flipping_the_direction_swaps_regressions_and_improvements(
        base in prop::collection::vec(1.0..1000.0f64, 1..8),
        f in factor(),
        scale in 0.001..1000.0f64,
    ) {
        let head: Vec<f64> = base.iter().map(|v| v * f).collect();
        let policy = Policy::default();
        let judge = |direction, k: f64| {
            let s = |x: &[f64]| series("x", direction, &x.iter().map(|v| v * k).collect::<Vec<_>>());
            compare::compare(&[s(&base)], &[s(&head)], &policy).deltas.remove(0)
        };
        let up = judge(Direction::HigherIsBetter, 1.0);
        let down = judge(Direction::LowerIsBetter, 1.0);
        prop_assert_eq!(down.status, mirror(up.status));
        prop_assert_eq!(up.change_pct, down.change_pct);
        let scaled = judge(Direction::HigherIsBetter, scale);
        prop_assert_eq!(scaled.status, up.status);
        let (x, y) = (up.change_pct.unwrap(), scaled.change_pct.unwrap());
        prop_assert!((x - y).abs() <= 1e-9 * x.abs().max(1.0));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn hostile_names_in_a_csv_cannot_break_the_comment(
        names in prop::collection::vec((hostile_text(), hostile_text()), 1..6),
        file in hostile_text(),
        f in factor(),
        text in hostile_text(),
    ) {
        let path = format!("reports/r{}.csv", file.replace(['/', '\n', '\r'], "_"));
        let rows = |k: f64| -> Vec<(String, String, f64)> {
            names
                .iter()
                .enumerate()
                .flat_map(|(i, (name, model))| {
                    [100.0, 101.0, 99.0].map(|v| (format!("b{i} {name}"), model.clone(), v * k))
                })
                .collect()
        };
        let base = parse(&path, &csv_of(&rows(1.0)));
        let head = parse(&path, &csv_of(&rows(f)));
        // Line breaks inside quoted cells can mislead the delimiter sniffing; any other
        // name must come through.
        if !names.iter().any(|(n, m)| format!("{n}{m}").contains(['\n', '\r'])) {
            prop_assert!(!head.is_empty(), "nothing parsed from\n{}", csv_of(&rows(f)));
        }
        let warnings = vec![Warning::new(&path, text.clone())];
        let report = report_of(&base, &head, warnings, &text);
        let md = RENDERER.comment(&report).unwrap().markdown;
        prop_assert!(md.len() <= COMMENT_BUDGET);
        let found = violations(&md);
        prop_assert!(found.is_empty(), "{:#?}\n{}", found, md);
    }

    #[test]
    fn any_key_text_cannot_break_the_comment(
        metrics in prop::collection::vec(
            (any::<String>(), any::<String>(), any::<String>(), any::<String>(), any::<String>(), factor()),
            1..6,
        ),
        text in any::<String>(),
    ) {
        let (mut base, mut head) = (Vec::new(), Vec::new());
        for (i, (source, name, metric, label, unit, f)) in metrics.iter().enumerate() {
            let mut key = SeriesKey::new(source.clone(), format!("{i}{name}"), metric.clone());
            key.labels.insert(label.clone(), label.clone());
            let mut b = Series::new(key, unit.clone(), Direction::HigherIsBetter);
            b.samples = vec![10.0, 10.5, 9.5];
            let mut h = b.clone();
            h.samples.iter_mut().for_each(|v| *v *= f);
            base.push(b);
            head.push(h);
        }
        let report = report_of(&base, &head, vec![Warning::new(text.clone(), text.clone())], &text);
        let md = RENDERER.comment(&report).unwrap().markdown;
        let found = violations(&md);
        prop_assert!(found.is_empty(), "{:#?}\n{}", found, md);
    }
}

#[test]
fn the_markdown_check_catches_what_it_looks_for() {
    assert!(violations("| a | b |\n|---|---|\n| 1 | 2 |").is_empty());
    assert!(violations("<details open><summary>x</summary>\n<br></details> @\u{200D}x").is_empty());
    for bad in [
        "hi @octocat",
        "<img src=x>",
        "<IMG SRC=x>",
        "![i](u)",
        "| a | b |\n| 1 | 2 | 3 |",
        "| a | b |\n| 1 \\\\| x | 2 |",
    ] {
        assert_eq!(violations(bad).len(), 1, "{bad:?}");
    }
    assert!(violations("| a | b |\n| 1 \\| x | 2 |").is_empty());
    assert!(violations("<!-- benchgate:x -->\nsee `<img src=x> @octocat ![i](u)`").is_empty());
    assert_eq!(violations("`a` <img> `b`").len(), 1);
}
