//! The benchmark support code: the synthetic artifact generator is deterministic, writes
//! files the parsers recognise, and records exactly the differences the compare stage
//! finds; so do the single-family and balanced trees; the floor reads the files the scan
//! reads, and the parse stage alone finds the samples the scan finds; the synthetic series
//! compare and render as intended.

#[path = "../benches/support/mod.rs"]
mod support;

use benchgate::cli::report_file;
use benchgate::collect::CollectOptions;
use benchgate::compare::{self, Delta, Status, Verdict};
use benchgate::config::{CliOverrides, Config, Policy};
use benchgate::model::Direction;
use benchgate::render::{Renderer, TemplatePaths};
use benchgate::scan::{scan, walk_tree, ScanResult};
use benchgate::trees::{self, RowStore};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use support::synth::family::{self, Family};
use support::synth::{self, Change, Kind, Manifest, Suite};
use support::{floor, parse_stage, series};
use walkdir::WalkDir;

struct Generated {
    _dir: tempfile::TempDir,
    manifest: Manifest,
    base: ScanResult,
    head: ScanResult,
    root: std::path::PathBuf,
}

fn generated(seed: u64) -> Generated {
    let dir = tempfile::tempdir().unwrap();
    let manifest = synth::generate(dir.path(), synth::SMALL, seed).unwrap();
    let options = CollectOptions::default();
    let base = scan(&dir.path().join("base"), &options).unwrap();
    let head = scan(&dir.path().join("head"), &options).unwrap();
    Generated {
        root: dir.path().to_path_buf(),
        _dir: dir,
        manifest,
        base,
        head,
    }
}

/// Every file below `root` with its bytes, by relative path.
fn contents(root: &Path) -> BTreeMap<String, Vec<u8>> {
    WalkDir::new(root)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

fn in_suite<'a>(suite: &Suite, deltas: &'a [Delta]) -> Vec<&'a Delta> {
    let prefix = format!("{}/", suite.dir);
    deltas
        .iter()
        .filter(|d| d.key.source.starts_with(&prefix))
        .collect()
}

#[test]
fn the_same_seed_gives_the_same_trees_and_another_seed_does_not() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    let ma = synth::generate(a.path(), synth::SMALL, 42).unwrap();
    let mb = synth::generate(b.path(), synth::SMALL, 42).unwrap();
    let mc = synth::generate(c.path(), synth::SMALL, 43).unwrap();
    assert_eq!(ma, mb);
    assert_eq!(contents(a.path()), contents(b.path()));
    assert_ne!(contents(a.path()), contents(c.path()));
    assert_ne!(ma.suites, mc.suites);
}

#[test]
fn sizes_are_named_as_documented() {
    assert_eq!(synth::Size::named("medium"), Some(synth::MEDIUM));
    assert_eq!(synth::LARGE.files, 20_000);
    assert_eq!(synth::LARGE.bytes, 1_000_000_000);
    assert_eq!(synth::Size::named("huge"), None);
}

#[test]
fn the_small_tree_has_the_promised_size_and_every_format_and_change() {
    let g = generated(1);
    let m = &g.manifest;
    assert!((100..=115).contains(&m.base.files), "{:?}", m.base);
    assert!(
        (800_000..=1_250_000).contains(&m.base.bytes),
        "{:?}",
        m.base
    );
    // What the manifest counts is what is on disk.
    let on_disk = contents(&g.root.join("base"));
    assert_eq!(on_disk.len(), m.base.files);
    assert_eq!(
        on_disk.values().map(|b| b.len() as u64).sum::<u64>(),
        m.base.bytes
    );
    let kinds: BTreeSet<String> = m.suites.iter().map(|s| format!("{:?}", s.kind)).collect();
    assert_eq!(kinds.len(), 10, "{kinds:?}");
    let changes: BTreeSet<String> = m.suites.iter().map(|s| format!("{:?}", s.change)).collect();
    assert_eq!(changes.len(), 7, "{changes:?}");
    // Base and head stamp their directories and files differently.
    let head = contents(&g.root.join("head"));
    assert!(on_disk.keys().any(|p| p.contains("20251002")));
    assert!(head.keys().any(|p| p.contains("20251009")));
    assert!(!head.keys().any(|p| p.contains("20251002")));
}

#[test]
fn every_format_is_read_by_its_parser_and_junk_by_none() {
    let g = generated(1);
    for suite in &g.manifest.suites {
        let expected: &[&str] = match suite.kind {
            Kind::OllamaRuns => &["csv", "json"],
            Kind::OllamaSweep => &["csv"],
            Kind::OllamaApi => &["ollama-api"],
            Kind::LlamaBench => &["llama-bench"],
            Kind::VllmServing => &["vllm-serving"],
            Kind::Criterion => &["criterion"],
            Kind::GoogleBenchmark => &["google-benchmark"],
            Kind::GoTest => &["go-bench"],
            Kind::Markdown => &["markdown"],
            Kind::Junk => &[],
        };
        let side = if suite.change == Change::New {
            &g.head
        } else {
            &g.base
        };
        let prefix = format!("{}/", suite.dir);
        let formats: BTreeSet<&str> = side
            .series
            .iter()
            .filter(|s| s.key.source.starts_with(&prefix))
            .map(|s| s.format.as_ref())
            .collect();
        assert_eq!(formats, expected.iter().copied().collect(), "{}", suite.dir);
        if suite.kind == Kind::Junk {
            let flagged = side.warnings.iter().any(|w| w.path.starts_with(&prefix))
                || side
                    .inventory
                    .skipped
                    .iter()
                    .any(|s| s.path.starts_with(&prefix))
                || side.inventory.unmatched > 0;
            assert!(flagged, "junk in {} went unnoticed", suite.dir);
        }
    }
}

/// Comparing the trees one source at a time, with most rows (unchanged and other) stored
/// on disk in sorted runs, gives exactly the comparison of the whole scans, and the same `report.json` bytes, under
/// the default policy and under one that rewrites sources (which joins groups).
#[test]
fn comparing_source_by_source_equals_comparing_whole_scans() {
    let g = generated(1);
    let yaml = "rewrite:\n  - {field: source, pattern: '^(csv_data|vllm)/', replace: 'x/'}\n";
    let config = Config::from_yaml(yaml, ".benchgate.yml").unwrap();
    let rewriting = Policy::resolve(&config, None, &CliOverrides::default()).unwrap();
    let options = CollectOptions::default();
    let head = walk_tree(&g.root.join("head"), &options).unwrap();
    let base = walk_tree(&g.root.join("base"), &options).unwrap();
    // Rows kept out of memory are not folded into others (docs/policy.md), so the two
    // paths give the same bytes with every series its own row.
    let unfolded = |policy: Policy| Policy {
        merge: false,
        ..policy
    };
    for policy in [unfolded(Policy::default()), unfolded(rewriting)] {
        let whole = compare::compare(&g.base.series, &g.head.series, &policy);
        let unchanged = whole.counts["unchanged"];
        assert!(unchanged > 200, "{unchanged}");
        let compared = trees::compare_trees(
            &head,
            std::slice::from_ref(&base),
            &policy,
            options.max_file_size,
            RowStore::with_limit(100),
        );
        let stored = compared.stored.expect("rows stored");
        let changed = whole.counts["total"] - unchanged;
        assert!(changed > 200, "{changed}");
        // The first 100 rows in report order stay in memory.
        assert_eq!(compared.comparison.deltas.len(), 100);
        assert_eq!(stored.len(), whole.counts["total"] - 100);
        assert_eq!(compared.comparison.counts, whole.counts);
        assert_eq!(compared.comparison.verdict, whole.verdict);
        assert_eq!(compared.head.inventory, g.head.inventory);
        assert_eq!(compared.bases[0].inventory, g.base.inventory);
        assert_eq!(compared.head.warnings, g.head.warnings);

        let mut streamed = Vec::new();
        report_file::write_to(
            &mut streamed,
            &support::report_of(compared.comparison),
            Some(stored),
        )
        .unwrap();
        let whole = support::report_of(whole);
        let mut expected = Vec::new();
        report_file::write_to(&mut expected, &whole, None).unwrap();
        assert!(streamed == expected, "report.json differs");

        // The file holds the report serde gives; each row is on a line of its own.
        let parsed: serde_json::Value = serde_json::from_slice(&streamed).unwrap();
        assert_eq!(parsed, serde_json::to_value(&whole).unwrap());
        let text = String::from_utf8(streamed).unwrap();
        let rows = text
            .split_once("\n  \"deltas\": [\n")
            .and_then(|(_, rest)| rest.split_once("\n  ]"))
            .map(|(rows, _)| rows)
            .expect("a deltas array with rows");
        let lines: Vec<&str> = rows.split('\n').collect();
        assert_eq!(lines.len(), whole.deltas.len());
        for (line, delta) in lines.iter().zip(&whole.deltas) {
            let line = line.strip_prefix("    ").expect("indented by four spaces");
            let row = line.strip_suffix(',').unwrap_or(line);
            assert_eq!(row, serde_json::to_string(delta).unwrap());
        }
    }
}

#[test]
fn the_comparison_finds_exactly_the_recorded_differences() {
    let g = generated(1);
    let comparison = compare::compare(&g.base.series, &g.head.series, &Policy::default());
    assert_eq!(comparison.verdict, Verdict::Fail);
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for suite in &g.manifest.suites {
        let deltas = in_suite(suite, &comparison.deltas);
        let statuses: BTreeSet<Status> = deltas.iter().map(|d| d.status).collect();
        let only = |allowed: &[Status]| statuses.iter().all(|s| allowed.contains(s));
        let ok = match suite.change {
            Change::Unchanged => only(&[Status::Unchanged]),
            // A single run per side within the noise of single runs is `noisy`.
            Change::Regressed => {
                judged_or_single_run_noise(&deltas, Status::Regression)
                    && only(&[Status::Regression, Status::Noisy, Status::Unchanged])
            }
            Change::Improved => {
                judged_or_single_run_noise(&deltas, Status::Improvement)
                    && only(&[Status::Improvement, Status::Noisy, Status::Unchanged])
            }
            Change::Missing | Change::Corrupt => !deltas.is_empty() && only(&[Status::Missing]),
            Change::New => !deltas.is_empty() && only(&[Status::New]),
            Change::Broken => {
                statuses.contains(&Status::Broken)
                    && only(&[Status::Broken, Status::Missing, Status::Unchanged])
            }
        };
        assert!(ok, "{} ({:?}): {statuses:?}", suite.dir, suite.change);
        seen.insert(match suite.change {
            Change::Unchanged => "unchanged",
            _ => suite.dir.as_str(),
        });
        // A regression is the recorded 10 % throughput drop (an 11.1 % rise of a time).
        for d in deltas.iter().filter(|d| d.status == Status::Regression) {
            let pct = d.change_pct.unwrap().abs();
            assert!((7.0..=14.5).contains(&pct), "{}: {pct}", d.key);
        }
        // A corrupt file is named in a warning of its own.
        if suite.change == Change::Corrupt {
            let prefix = format!("{}/", suite.dir);
            assert!(g
                .head
                .warnings
                .iter()
                .any(|w| w.path.starts_with(&prefix) && w.message.contains("malformed")));
        }
    }
    assert!(seen.len() > 6);
}

/// Whether a suite's change was judged `status`, or every change in it is `noisy` because it
/// rests on single runs within their noise (15 % by default).
fn judged_or_single_run_noise(deltas: &[&Delta], status: Status) -> bool {
    let single_run_noise = |d: &Delta| {
        d.status == Status::Noisy
            && [&d.base, &d.head]
                .iter()
                .any(|s| s.as_ref().is_some_and(|s| s.n == 1))
            && d.change_pct.is_some_and(|p| p.abs() <= 15.0)
    };
    deltas.iter().any(|d| d.status == status)
        || deltas
            .iter()
            .filter(|d| d.status != Status::Unchanged)
            .all(|d| single_run_noise(d))
            && deltas.iter().any(|d| d.status == Status::Noisy)
}

#[test]
fn the_floor_reads_every_file_the_scan_selects() {
    let g = generated(3);
    for (side, result) in [("base", &g.base), ("head", &g.head)] {
        let f = floor::floor(&g.root.join(side)).unwrap();
        assert_eq!(
            f.files,
            result.inventory.files + result.inventory.skipped.len(),
            "{side}"
        );
        assert!(f.json_ok > 0 && f.json_bad > 0, "{side}: {f:?}");
    }
}

#[test]
fn the_parse_stage_finds_every_sample_the_scan_finds() {
    let g = generated(3);
    let options = CollectOptions::default();
    for (side, result) in [("base", &g.base), ("head", &g.head)] {
        let tree = walk_tree(&g.root.join(side), &options).unwrap();
        let p = parse_stage::parse(&tree.walk.files, options.max_file_size);
        assert_eq!(p.files - p.unread, result.inventory.files, "{side}");
        let samples: usize = result.series.iter().map(|s| s.samples.len()).sum();
        assert!(samples > 1_000, "{side}: {samples}");
        assert_eq!(p.samples, samples, "{side}");
        // Equal keys are merged by the scan, not by the parse stage.
        assert!(p.series >= result.series.len(), "{side}: {p:?}");
    }
}

#[test]
fn synthetic_series_compare_and_render_as_generated() {
    // More rows than the renderer renders whole first: the budget is found by doubling.
    let (base, head) = series::pair(5_000, 5);
    assert!(base.len() > 4_800 && head.len() > 4_800);
    // Every series its own row: the counts are those the generator wrote.
    let unfolded = Policy {
        merge: false,
        ..Policy::default()
    };
    let comparison = compare::compare(&base, &head, &unfolded);
    let count = |s: Status| comparison.counts[s.as_str()];
    assert!(count(Status::Regression) > 150, "{:?}", comparison.counts);
    assert!(count(Status::Improvement) > 60, "{:?}", comparison.counts);
    assert!(count(Status::Missing) > 30 && count(Status::New) > 30);
    for d in &comparison.deltas {
        let pct = d.change_pct.map(f64::abs);
        match d.status {
            Status::Regression => assert!(pct.is_some_and(|p| (7.0..=14.5).contains(&p))),
            Status::Improvement => assert!(pct.is_some_and(|p| (10.0..=18.0).contains(&p))),
            _ => {}
        }
    }
    let renderer = Renderer::new(&TemplatePaths::default()).unwrap();
    let regressions = count(Status::Regression);
    let comment = renderer.comment(&support::report_of(comparison)).unwrap();
    assert!(comment.markdown.len() <= 65_536);
    assert!(
        comment.markdown.len() > 40_000,
        "{} bytes",
        comment.markdown.len()
    );
    assert!(comment.markdown.contains("bench-"));
    // Regressions are kept before anything else; most of the other rows are left out.
    assert_eq!(comment.omitted.by_status.get(&Status::Regression), None);
    assert!(
        comment.omitted.rows > 4_000 - regressions,
        "{:?}",
        comment.omitted
    );
}

/// Bytes per side that make one file of every family in the balanced tree.
const ONE_FILE_EACH: u64 = 5;

#[test]
fn family_trees_are_deterministic_and_sized_by_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    let ma = family::generate_balanced(a.path(), ONE_FILE_EACH, 42, 7.0).unwrap();
    let mb = family::generate_balanced(b.path(), ONE_FILE_EACH, 42, 7.0).unwrap();
    family::generate_balanced(c.path(), ONE_FILE_EACH, 43, 7.0).unwrap();
    assert_eq!(ma, mb);
    assert_eq!(contents(a.path()), contents(b.path()));
    assert_ne!(contents(a.path()), contents(c.path()));
    assert_eq!((ma.base.files, ma.head.files), (5, 5), "{ma:?}");
    // A family alone is the same files as in the balanced tree, as many as the bytes ask.
    let d = tempfile::tempdir().unwrap();
    let md = family::generate(d.path(), Family::Markdown, 100_000, 42, 7.0).unwrap();
    assert!(md.base.bytes >= 100_000 && md.base.files >= 2, "{md:?}");
    let markdown = contents(&d.path().join("base"));
    assert_eq!(markdown.len(), md.base.files);
    let balanced = contents(&a.path().join("base"));
    let (path, bytes) = markdown.iter().next().unwrap();
    assert_eq!(balanced.get(path), Some(bytes));
}

#[test]
fn every_family_is_read_by_its_parser_and_every_metric_regresses_by_the_percent() {
    let dir = tempfile::tempdir().unwrap();
    family::generate_balanced(dir.path(), ONE_FILE_EACH, 7, 7.0).unwrap();
    let options = CollectOptions::default();
    let base = scan(&dir.path().join("base"), &options).unwrap();
    let head = scan(&dir.path().join("head"), &options).unwrap();
    assert_eq!(base.inventory.files, 5);
    assert!(base.warnings.is_empty(), "{:?}", base.warnings);
    let family_of = |source: &str| {
        let top = source.split('/').next().unwrap_or_default();
        match top {
            "csv_data" => Family::Csv,
            "summaries" => Family::Markdown,
            "vllm" => Family::Json,
            "llama-bench" => Family::Jsonl,
            "go" => Family::Text,
            _ => panic!("unexpected source {source}"),
        }
    };
    for f in Family::ALL {
        let series: Vec<_> = base
            .series
            .iter()
            .filter(|s| family_of(&s.key.source) == f)
            .collect();
        assert!(series.len() >= 20, "{f:?}: {} series", series.len());
        let formats: BTreeSet<&str> = series.iter().map(|s| s.format.as_ref()).collect();
        assert_eq!(formats, BTreeSet::from([f.format()]), "{f:?}");
        // Repeated configurations (runs, repetitions) give several samples; a vLLM result
        // holds one value of each summary and a sample per request of its latencies.
        let repeated = series.iter().filter(|s| s.samples.len() >= 3).count();
        let wanted = if f == Family::Json {
            2
        } else {
            series.len().div_ceil(2)
        };
        assert!(repeated >= wanted, "{f:?}: {repeated} of {}", series.len());
    }
    let unfolded = Policy {
        merge: false,
        ..Policy::default()
    };
    let comparison = compare::compare(&base.series, &head.series, &unfolded);
    // 7 % is beyond the default warn threshold (5 %), within the fail threshold (10 %).
    assert_eq!(comparison.verdict, Verdict::Warn);
    let mut per_family: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for d in &comparison.deltas {
        let (b, h) = (d.base.as_ref().unwrap(), d.head.as_ref().unwrap());
        if b.mean == Some(0.0) && h.mean == Some(0.0) {
            // `failed_requests` of the vLLM results: none on either side.
            assert_eq!(d.status, Status::Unchanged, "{}", d.key);
            continue;
        }
        let pct = d.change_pct.unwrap_or_else(|| panic!("{}", d.key));
        let worse = match d.direction {
            Direction::HigherIsBetter => -pct,
            Direction::LowerIsBetter => pct,
            Direction::Neutral => panic!("{} has no direction", d.key),
        };
        assert!((5.5..=8.5).contains(&worse), "{}: {pct}", d.key);
        // A single value per side within the noise of single runs is `noisy`, and so are
        // the per-request latencies of the ten requests of a small vLLM result, whose
        // spread hides the shift.
        let single = b.n == 1 || h.n == 1;
        let per_request = family_of(&d.key.source) == Family::Json;
        assert!(
            d.status == Status::Regression || (single || per_request) && d.status == Status::Noisy,
            "{}: {:?}",
            d.key,
            d.status
        );
        let seen = per_family
            .entry(format!("{:?}", family_of(&d.key.source)))
            .or_default();
        seen.0 += 1;
        seen.1 += usize::from(d.status == Status::Regression);
    }
    assert_eq!(per_family.len(), 5, "{per_family:?}");
    // Beyond the small vLLM result, every family has regressions.
    assert!(
        per_family
            .iter()
            .all(|(f, &(deltas, regressed))| deltas > 0 && (regressed > 0 || f == "Json")),
        "{per_family:?}"
    );
}

#[test]
fn unregressed_family_trees_are_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    family::generate(dir.path(), Family::Jsonl, 1, 9, 0.0).unwrap();
    let options = CollectOptions::default();
    let base = scan(&dir.path().join("base"), &options).unwrap();
    let head = scan(&dir.path().join("head"), &options).unwrap();
    let comparison = compare::compare(&base.series, &head.series, &Policy::default());
    assert_eq!(comparison.verdict, Verdict::Pass);
    assert_eq!(comparison.counts["unchanged"], comparison.counts["total"]);
}
