//! `benchgate scan` run as a process: the JSON contract, the text listing, exit codes and
//! how long a scan of the real artifact tree takes.

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;
use serde_json::Value;
use std::time::Instant;

const ARTIFACTS: &str = "tests/fixtures/chimeraforge/artifacts";

fn scan_json(args: &[&str]) -> Value {
    let out = cargo_bin_cmd!("benchgate")
        .arg("scan")
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("scan --json prints one JSON document")
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect()
}

#[test]
fn json_output_follows_the_contract() {
    let json = scan_json(&[ARTIFACTS]);
    assert_eq!(keys(&json), ["inventory", "series", "warnings", "timings"]);

    let inv = &json["inventory"];
    assert_eq!(
        keys(inv),
        [
            "files",
            "bytes",
            "by_kind",
            "by_dir",
            "latest_modified",
            "skipped",
            "unmatched"
        ]
    );
    assert_eq!(inv["files"], 104);
    assert_eq!(
        inv["by_kind"],
        serde_json::json!({"csv": 29, "json": 44, "md": 31})
    );
    assert_eq!(
        inv["by_dir"],
        serde_json::json!({"artifacts": 3, "csv_data": 18, "reports": 83})
    );
    let latest = inv["latest_modified"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(latest).is_ok() && latest.ends_with('Z'),
        "{latest}"
    );
    assert_eq!(inv["skipped"], serde_json::json!([]));

    for w in json["warnings"].as_array().unwrap() {
        assert_eq!(keys(w), ["path", "message"]);
    }
    let ncu = json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["path"] == "reports/ncu_summary.csv")
        .expect("the UTF-16 CSV is reported");
    assert!(ncu["message"].as_str().unwrap().contains("UTF-16LE"));

    let series = json["series"].as_array().unwrap();
    assert!(!series.is_empty(), "the artifacts yield series");
    for s in series {
        for field in [
            "source",
            "benchmark",
            "metric",
            "labels",
            "unit",
            "direction",
            "samples",
            "failed",
            "format",
            "origin",
        ] {
            assert!(s.get(field).is_some(), "series without `{field}`: {s}");
        }
        assert!(["higher_is_better", "lower_is_better", "neutral"]
            .contains(&s["direction"].as_str().unwrap()));
        for o in s["origin"].as_array().unwrap() {
            assert!(o["path"].is_string());
        }
    }
}

#[test]
fn skipped_files_are_listed_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("blob.json"), b"{\"a\": 1}\x00\x00").unwrap();
    std::fs::write(dir.path().join("big.csv"), "a,b\n1,2\n".repeat(64)).unwrap();
    std::fs::write(dir.path().join("ok.csv"), "a,b\n1,2\n").unwrap();
    let json = scan_json(&[
        dir.path().to_str().unwrap(),
        "--max-file-size",
        "100",
        "--exclude",
        "ok.*",
    ]);
    assert_eq!(json["inventory"]["files"], 0);
    assert_eq!(
        json["inventory"]["skipped"],
        serde_json::json!([
            {"path": "big.csv", "reason": "too large: 512 bytes, over the limit of 100 bytes (max file size)"},
            {"path": "blob.json", "reason": "binary file (contains zero bytes); not text"},
            {"path": "ok.csv", "reason": "excluded by pattern `ok.*`"},
        ])
    );
    assert_eq!(json["inventory"]["latest_modified"], Value::Null);
}

#[test]
fn text_output_lists_the_files_and_totals() {
    let out = cargo_bin_cmd!("benchgate")
        .args(["scan", ARTIFACTS])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    for expected in [
        "Files (104)",
        "files      104 read",
        "by kind    csv 29, json 44, md 31",
        "by dir     artifacts 3, csv_data 18, reports 83",
        "reports/ncu_summary.csv: UTF-16LE",
        "Pass --series to list every series",
    ] {
        assert!(text.contains(expected), "no `{expected}` in\n{text}");
    }
    // One row per file: path, format, series and warnings, in plain aligned columns.
    let row = |path: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(path))
            .unwrap_or_else(|| panic!("no row for {path} in\n{text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        row("reports/ncu_summary.csv"),
        ["reports/ncu_summary.csv", "-", "0", "3"]
    );
    assert_eq!(
        row("reports/Technical_Report_110.md"),
        ["reports/Technical_Report_110.md", "markdown", "172", "2"]
    );
    // The series are only listed on request, and a pipe gets neither colour nor boxes.
    assert!(!text.contains("Series ("));
    assert!(!text.contains('\u{1b}') && !text.contains('│'));
    // No progress bar on a pipe.
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn series_flag_lists_every_series() {
    let json = scan_json(&[ARTIFACTS]);
    let count = json["series"].as_array().unwrap().len();
    let out = cargo_bin_cmd!("benchgate")
        .args(["scan", ARTIFACTS, "--series"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("Series ({count})")), "{text}");
    let listing = text
        .split(&format!("Series ({count})"))
        .nth(1)
        .unwrap()
        .split("\n\n")
        .next()
        .unwrap();
    // A header line, then one line per series.
    assert_eq!(listing.trim().lines().count(), count + 1);
    let header: Vec<&str> = listing
        .trim()
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(
        header,
        [
            "SOURCE",
            "BENCHMARK",
            "LABELS",
            "METRIC",
            "UNIT",
            "DIRECTION",
            "N",
            "MEAN",
            "FAILED"
        ]
    );
    assert!(!text.contains("Pass --series"));
}

#[test]
fn skipped_files_are_listed_in_the_text_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("blob.json"), b"{\"a\": 1}\x00\x00").unwrap();
    std::fs::write(dir.path().join("ok.csv"), "a,b\n1,2\n").unwrap();
    cargo_bin_cmd!("benchgate")
        .args(["scan", dir.path().to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::contains("Skipped (1)"))
        .stdout(
            predicate::str::is_match(r"blob\.json +binary file \(contains zero bytes\); not text")
                .unwrap(),
        )
        .stdout(predicate::str::contains("Files (1)"));
}

#[test]
fn json_and_series_cannot_be_combined() {
    cargo_bin_cmd!("benchgate")
        .args(["scan", ARTIFACTS, "--json", "--series"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
}

#[test]
fn a_missing_directory_is_a_usage_error() {
    cargo_bin_cmd!("benchgate")
        .args(["scan", "tests/fixtures/does-not-exist"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "directory `tests/fixtures/does-not-exist` does not exist; pass the folder that holds your benchmark files",
        ));
}

#[test]
fn a_bad_glob_is_a_usage_error() {
    cargo_bin_cmd!("benchgate")
        .args(["scan", ARTIFACTS, "--include", "**/*.{csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid glob pattern `**/*.{csv`"));
}

#[test]
fn scan_timing_is_reported_and_bounded() {
    let started = Instant::now();
    let json = scan_json(&[ARTIFACTS]);
    let wall_ms = started.elapsed().as_secs_f64() * 1e3;
    let collect_ms = json["timings"]["collect_ms"].as_f64().unwrap();
    let parse_ms = json["timings"]["parse_ms"].as_f64().unwrap();
    eprintln!(
        "scan of {ARTIFACTS}: process {wall_ms:.1} ms, collect {collect_ms:.1} ms, read+parse {parse_ms:.1} ms"
    );
    assert!(collect_ms > 0.0 && parse_ms > 0.0);
    assert!(collect_ms + parse_ms <= wall_ms);
    assert!(
        wall_ms < 30_000.0,
        "scanning 104 files took {wall_ms:.0} ms"
    );
}

/// The `tokens_s` column and the `error` column of a run CSV, read directly.
fn tokens_and_errors(csv_path: &str) -> (Vec<f64>, usize) {
    let mut reader = csv::Reader::from_path(csv_path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (tokens, error) = (col("tokens_s"), col("error"));
    let (mut ok, mut failed) = (Vec::new(), 0);
    for row in reader.records() {
        let row = row.unwrap();
        if row[error].is_empty() {
            ok.push(row[tokens].parse().unwrap());
        } else {
            failed += 1;
        }
    }
    (ok, failed)
}

#[test]
fn series_carry_the_values_of_the_files() {
    const PAIR: &str = "tests/fixtures/chimeraforge/pairs/ollama_gemma3_failed_then_fixed";
    const RUNS: &str = "reports/ollama/gemma3_benchmark_runs.csv";
    for side in ["base", "head"] {
        let dir = format!("{PAIR}/{side}");
        let (samples, failed) = tokens_and_errors(&format!("{dir}/{RUNS}"));
        let json = scan_json(&[&dir]);
        let series = json["series"].as_array().unwrap();
        let tokens = series
            .iter()
            .find(|s| s["source"] == RUNS && s["metric"] == "tokens_s")
            .unwrap_or_else(|| panic!("{side}: no tokens_s series from {RUNS}"));
        assert_eq!(tokens["direction"], "higher_is_better");
        assert_eq!(tokens["failed"], failed, "{side}");
        let got: Vec<f64> = tokens["samples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(got, samples, "{side}");
        let origins = tokens["origin"].as_array().unwrap();
        assert_eq!(origins.len(), samples.len() + failed);
        assert!(origins.iter().all(|o| o["path"] == RUNS));
    }
}
