//! A deterministic generator of synthetic benchmark artifact trees: a `base` and a `head`
//! tree that mix the formats benchgate reads in realistic proportions and differ in known
//! ways, plus a manifest that records every difference.
//!
//! The tree is made of *suites*, one directory each, of one format: per-prompt Ollama run
//! CSVs with their summary JSON, Ollama parameter-sweep CSVs, raw Ollama `/api/generate`
//! responses, llama-bench JSONL, vLLM serving results with per-request arrays, criterion
//! `target/criterion` trees, Google Benchmark JSON, `go test -bench` text, Markdown tables,
//! and junk (binary, empty, truncated, UTF-16 and unmatched files). The shapes follow the
//! real files in `tests/fixtures/formats` and `tests/fixtures/chimeraforge`.
//!
//! Every suite has a *truth* (its prompts, models, per-request pattern) drawn from a seed
//! shared by both sides, so base and head hold the same benchmarks. Each side then applies
//! a run-level drift of at most ±[`DRIFT`] per file and a per-value noise of at most
//! ±[`FINE`], so an unchanged metric never moves by more than about 3.5 %, below the
//! default warn threshold of 5 %. On head, a suite may be regressed (throughput ×
//! [`REGRESSED`], times divided by it), improved (× [`IMPROVED`]), missing, new, broken
//! (every run failed) or corrupt (its JSON files truncated). Directories and file names
//! carry date and epoch stamps that differ between base and head, as real artifacts do.

// Used by `measure` and the tests, not by the criterion bench.
#[allow(dead_code)]
pub mod family;
mod formats;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use std::fs;
use std::io;
use std::path::Path;

/// Run-level drift of one file on one side: at most ±1.5 %.
pub const DRIFT: f64 = 0.015;
/// Noise of one value on top of the drift: at most ±0.2 %.
pub const FINE: f64 = 0.002;
/// Throughput factor of a regressed suite on head (a 10 % drop).
pub const REGRESSED: f64 = 0.90;
/// Throughput factor of an improved suite on head.
pub const IMPROVED: f64 = 1.15;

/// A tree size: roughly how many files and bytes one side holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub name: &'static str,
    pub files: usize,
    pub bytes: u64,
}

pub const SMALL: Size = Size {
    name: "small",
    files: 100,
    bytes: 1_000_000,
};
pub const MEDIUM: Size = Size {
    name: "medium",
    files: 2_000,
    bytes: 200_000_000,
};
pub const LARGE: Size = Size {
    name: "large",
    files: 20_000,
    bytes: 1_000_000_000,
};

impl Size {
    /// `small`, `medium` or `large`.
    pub fn named(name: &str) -> Option<Size> {
        [SMALL, MEDIUM, LARGE].into_iter().find(|s| s.name == name)
    }
}

/// The format of a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    OllamaRuns,
    OllamaSweep,
    OllamaApi,
    LlamaBench,
    VllmServing,
    Criterion,
    GoogleBenchmark,
    GoTest,
    Markdown,
    Junk,
}

impl Kind {
    const ALL: [Kind; 10] = [
        Kind::OllamaRuns,
        Kind::OllamaSweep,
        Kind::OllamaApi,
        Kind::LlamaBench,
        Kind::VllmServing,
        Kind::Criterion,
        Kind::GoogleBenchmark,
        Kind::GoTest,
        Kind::Markdown,
        Kind::Junk,
    ];

    /// How often a suite of this kind is drawn, relative to the others. With the files per
    /// suite this gives about 18 % run CSVs (with their summaries), 11 % sweep CSVs, 14 %
    /// Ollama responses, 25 % criterion files, 7 % vLLM results and 5 % junk.
    fn weight(self) -> u32 {
        match self {
            Kind::OllamaRuns => 10,
            Kind::OllamaSweep | Kind::LlamaBench | Kind::GoogleBenchmark | Kind::GoTest => 6,
            Kind::OllamaApi | Kind::Markdown | Kind::Junk => 5,
            Kind::VllmServing => 4,
            Kind::Criterion => 3,
        }
    }

    /// Files one side of a suite holds.
    fn files(self) -> usize {
        match self {
            Kind::OllamaRuns | Kind::OllamaSweep | Kind::VllmServing => 2,
            Kind::OllamaApi => 3,
            Kind::Criterion => 9,
            _ => 1,
        }
    }

    /// Where suites of this kind live, relative to the root.
    fn parent(self) -> &'static str {
        match self {
            Kind::OllamaRuns => "reports/ollama",
            Kind::OllamaSweep => "csv_data/sweeps",
            Kind::OllamaApi => "ollama_api",
            Kind::LlamaBench => "llama-bench",
            Kind::VllmServing => "vllm",
            Kind::Criterion => "target/criterion",
            Kind::GoogleBenchmark => "gbench",
            Kind::GoTest => "go",
            Kind::Markdown => "summaries",
            Kind::Junk => "misc",
        }
    }

    /// Failed runs are recorded in the files of these kinds (rows with an `error`).
    fn can_break(self) -> bool {
        matches!(self, Kind::OllamaRuns | Kind::OllamaSweep)
    }

    /// Every file of these kinds is JSON, so a truncated copy no longer parses.
    fn can_corrupt(self) -> bool {
        matches!(
            self,
            Kind::OllamaApi | Kind::VllmServing | Kind::GoogleBenchmark
        )
    }
}

/// How head differs from base for one suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Unchanged,
    /// Throughput × [`REGRESSED`] and times ÷ [`REGRESSED`] on head.
    Regressed,
    /// Throughput × [`IMPROVED`] and times ÷ [`IMPROVED`] on head.
    Improved,
    /// Only on base.
    Missing,
    /// Only on head.
    New,
    /// On head every run failed.
    Broken,
    /// On head every file is cut in half.
    Corrupt,
}

/// One suite: its directory (relative to the root, without stamps), format and change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suite {
    pub dir: String,
    pub kind: Kind,
    pub change: Change,
}

/// Files and bytes written to one side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct TreeStats {
    pub files: usize,
    pub bytes: u64,
}

/// What was generated, and where head differs from base.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Manifest {
    pub size: &'static str,
    pub seed: u64,
    pub base: TreeStats,
    pub head: TreeStats,
    pub suites: Vec<Suite>,
}

/// Writes `out/base`, `out/head` and `out/manifest.json` (removing earlier trees first).
pub fn generate(out: &Path, size: Size, seed: u64) -> io::Result<Manifest> {
    let base_root = out.join("base");
    let head_root = out.join("head");
    for root in [&base_root, &head_root] {
        if root.exists() {
            fs::remove_dir_all(root)?;
        }
        fs::create_dir_all(root)?;
    }
    let plan = plan(size, seed);
    let mut manifest = Manifest {
        size: size.name,
        seed,
        base: TreeStats::default(),
        head: TreeStats::default(),
        suites: Vec::with_capacity(plan.len()),
    };
    // vLLM results carry most of the bytes: they are written last, sized to fill the
    // byte budget that the other suites leave.
    let (vllm, others): (Vec<_>, Vec<_>) = plan
        .iter()
        .enumerate()
        .partition(|(_, (kind, _))| *kind == Kind::VllmServing);
    for &(index, &(kind, change)) in &others {
        let suite = write_suite(
            &base_root,
            &head_root,
            seed,
            index,
            kind,
            change,
            0,
            &mut manifest,
        )?;
        manifest.suites.push(suite);
    }
    let vllm_files =
        vllm.iter().filter(|(_, (_, c))| *c != Change::New).count() * Kind::VllmServing.files();
    let per_file = size.bytes.saturating_sub(manifest.base.bytes) / vllm_files.max(1) as u64;
    for &(index, &(kind, change)) in &vllm {
        let suite = write_suite(
            &base_root,
            &head_root,
            seed,
            index,
            kind,
            change,
            per_file.max(16_000),
            &mut manifest,
        )?;
        manifest.suites.push(suite);
    }
    manifest.suites.sort_by(|a, b| a.dir.cmp(&b.dir));
    let text = serde_json::to_string_pretty(&manifest).map_err(io::Error::other)?;
    fs::write(out.join("manifest.json"), text)?;
    Ok(manifest)
}

/// The suites of a tree: one unchanged suite of every kind, one suite of every change, then
/// suites drawn by weight until base holds about `size.files` files.
fn plan(size: Size, seed: u64) -> Vec<(Kind, Change)> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut plan: Vec<(Kind, Change)> = Kind::ALL.iter().map(|&k| (k, Change::Unchanged)).collect();
    plan.extend([
        (Kind::OllamaRuns, Change::Regressed),
        (Kind::LlamaBench, Change::Improved),
        (Kind::GoTest, Change::Missing),
        (Kind::GoogleBenchmark, Change::New),
        (Kind::OllamaSweep, Change::Broken),
        (Kind::OllamaApi, Change::Corrupt),
    ]);
    let total: u32 = Kind::ALL.iter().map(|k| k.weight()).sum();
    let mut files: usize = plan
        .iter()
        .filter(|(_, c)| *c != Change::New)
        .map(|(k, _)| k.files())
        .sum();
    while files < size.files {
        let mut pick = rng.random_range(0..total);
        let kind = Kind::ALL
            .into_iter()
            .find(|k| {
                let w = k.weight();
                if pick < w {
                    true
                } else {
                    pick -= w;
                    false
                }
            })
            .unwrap_or(Kind::Junk);
        let roll: f64 = rng.random();
        let change = match roll {
            _ if kind == Kind::Junk => Change::Unchanged,
            r if r < 0.10 => Change::Regressed,
            r if r < 0.15 => Change::Improved,
            r if r < 0.18 => Change::Missing,
            r if r < 0.21 => Change::New,
            r if r < 0.24 && kind.can_break() => Change::Broken,
            r if r < 0.26 && kind.can_corrupt() => Change::Corrupt,
            _ => Change::Unchanged,
        };
        if change != Change::New {
            files += kind.files();
        }
        plan.push((kind, change));
    }
    plan
}

/// The stamps of one side: base runs on 2 October 2025, head a week later.
#[derive(Clone, Copy)]
struct Stamps {
    day: u32,
    epoch: u64,
}

const BASE_STAMPS: Stamps = Stamps {
    day: 2,
    epoch: 1_759_400_000,
};
const HEAD_STAMPS: Stamps = Stamps {
    day: 9,
    epoch: 1_760_000_000,
};

impl Stamps {
    /// `20251002-151824`-style stamp for suite `index` (run `run` within it).
    fn compact(self, index: usize, run: usize) -> String {
        let s = index * 7 + run * 131;
        format!(
            "202510{:02}-{:02}{:02}{:02}",
            self.day,
            8 + (s / 3600) % 12,
            (s / 60) % 60,
            s % 60
        )
    }

    /// `2025-10-02T15:18:24` for suite `index`, run `run`.
    fn iso(self, index: usize, run: usize) -> String {
        let s = index * 7 + run * 131;
        format!(
            "2025-10-{:02}T{:02}:{:02}:{:02}",
            self.day,
            8 + (s / 3600) % 12,
            (s / 60) % 60,
            s % 60
        )
    }

    fn epoch(self, index: usize, run: usize) -> u64 {
        self.epoch + index as u64 * 97 + run as u64 * 11
    }
}

/// One side of one suite being generated.
struct Side {
    /// Draws shared by base and head (benchmarks, prompts, per-request patterns).
    truth: StdRng,
    /// Draws of this side only (drift and noise).
    noise: StdRng,
    /// Throughput factor of this side.
    factor: f64,
    /// Extra scale of every throughput (1 but in single-family trees).
    rate_scale: f64,
    /// Extra scale of every duration (1 but in single-family trees).
    time_scale: f64,
    /// Run-level drift of one file: at most ±this.
    drift_max: f64,
    /// Every run failed.
    broken: bool,
    stamps: Stamps,
    index: usize,
    /// Drift of the file being written.
    drift: f64,
}

impl Side {
    /// Starts a new file: draws its run-level drift.
    fn new_file(&mut self) {
        self.drift = 1.0 + self.noise.random_range(-self.drift_max..=self.drift_max);
    }

    fn jitter(&mut self) -> f64 {
        self.drift * (1.0 + self.noise.random_range(-FINE..=FINE))
    }

    /// A throughput whose true value is `truth`.
    fn rate(&mut self, truth: f64) -> f64 {
        truth * self.factor * self.rate_scale * self.jitter()
    }

    /// A duration whose true value is `truth`.
    fn time(&mut self, truth: f64) -> f64 {
        truth / self.factor * self.time_scale * self.jitter()
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.truth.random_range(0..items.len())]
    }
}

/// Generates both sides of one suite and records it.
#[allow(clippy::too_many_arguments)]
fn write_suite(
    base_root: &Path,
    head_root: &Path,
    seed: u64,
    index: usize,
    kind: Kind,
    change: Change,
    bytes_per_file: u64,
    manifest: &mut Manifest,
) -> io::Result<Suite> {
    let dir = format!("{}/{}-{index:04}", kind.parent(), suite_name(kind));
    let suite_seed = seed ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let side = |noise: u64, factor: f64, broken: bool, stamps: Stamps| Side {
        truth: StdRng::seed_from_u64(suite_seed),
        noise: StdRng::seed_from_u64(suite_seed ^ noise),
        factor,
        rate_scale: 1.0,
        time_scale: 1.0,
        drift_max: DRIFT,
        broken,
        stamps,
        index,
        drift: 1.0,
    };
    if change != Change::New {
        let files = formats::suite_files(
            kind,
            &dir,
            &mut side(1, 1.0, false, BASE_STAMPS),
            bytes_per_file,
        );
        write_files(base_root, files, false, &mut manifest.base)?;
    }
    if change != Change::Missing {
        let factor = match change {
            Change::Regressed => REGRESSED,
            Change::Improved => IMPROVED,
            _ => 1.0,
        };
        let mut head = side(2, factor, change == Change::Broken, HEAD_STAMPS);
        let files = formats::suite_files(kind, &dir, &mut head, bytes_per_file);
        write_files(
            head_root,
            files,
            change == Change::Corrupt,
            &mut manifest.head,
        )?;
    }
    Ok(Suite { dir, kind, change })
}

fn suite_name(kind: Kind) -> &'static str {
    match kind {
        Kind::OllamaRuns => "runs",
        Kind::OllamaSweep => "sweep",
        Kind::OllamaApi => "generate",
        Kind::LlamaBench => "model",
        Kind::VllmServing => "serve",
        Kind::Criterion => "group",
        Kind::GoogleBenchmark => "bench",
        Kind::GoTest => "pkg",
        Kind::Markdown => "summary",
        Kind::Junk => "junk",
    }
}

fn write_files(
    root: &Path,
    files: Vec<(String, Vec<u8>)>,
    truncate: bool,
    stats: &mut TreeStats,
) -> io::Result<()> {
    for (rel, mut bytes) in files {
        if truncate {
            bytes.truncate(bytes.len() / 2);
        }
        let path = root.join(&rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&path, &bytes)?;
        stats.files += 1;
        stats.bytes += bytes.len() as u64;
    }
    Ok(())
}
