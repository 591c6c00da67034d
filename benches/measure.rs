//! The measuring tool behind `scripts/bench.sh`. Each subcommand does one measured job in a
//! process of its own (so that the script can take its peak RSS) and prints one JSON object
//! on standard output:
//!
//! ```text
//! generate SIZE OUT [SEED]  write OUT/base, OUT/head and OUT/manifest.json (small|medium|large)
//! family NAME OUT BYTES [--regress PCT] [--seed SEED]
//!                           the same for one family (csv|markdown|json|jsonl|text) or all
//!                           five in equal bytes (balanced), BYTES per side, every metric
//!                           PCT % worse on head
//! floor DIR...              read every selected file and tokenise it by family
//! parse DIR...              read, decode and parse every selected file through benchgate's
//!                           adapters, keeping nothing: the parse stage of a comparison alone
//! pipeline BASE HEAD        scan both trees and compare them through the library
//! series N                  compare N synthetic series, then build and render the report
//! ```
//!
//! Run by `cargo bench` (no subcommand) it generates the small tree under the target
//! directory and prints the pipeline time against the floor.

mod support;

use benchgate::collect::CollectOptions;
use benchgate::compare::{self, Comparison};
use benchgate::config::Policy;
use benchgate::render::{Renderer, TemplatePaths};
use benchgate::scan::walk_tree;
use benchgate::trees::{self, RowStore};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use support::synth::family::{self, Family};
use support::{floor, parse_stage, series, synth};

/// The allocator of the `benchgate` binary, so that library and CLI figures compare.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Seed of every generated tree unless one is given.
const SEED: u64 = 20_251_002;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match words.as_slice() {
        ["generate", size, out] => generate(size, Path::new(out), SEED),
        ["generate", size, out, seed] => match seed.parse() {
            Ok(seed) => generate(size, Path::new(out), seed),
            Err(_) => Err(format!("seed `{seed}` is not a whole number")),
        },
        ["family", name, out, bytes, rest @ ..] => family(name, Path::new(out), bytes, rest),
        ["floor", dirs @ ..] if !dirs.is_empty() => measure_floor(dirs),
        ["parse", dirs @ ..] if !dirs.is_empty() => measure_parse(dirs),
        ["pipeline", base, head] => pipeline(Path::new(base), Path::new(head)),
        ["series", n] => match n.parse() {
            Ok(n) => compare_series(n),
            Err(_) => Err(format!("`{n}` is not a number of series")),
        },
        [] | ["--bench", ..] => quick(),
        _ => Err(
            "usage: measure generate SIZE OUT [SEED] | family NAME OUT BYTES [--regress PCT] \
             [--seed SEED] | floor DIR... | parse DIR... | pipeline BASE HEAD | series N"
                .to_string(),
        ),
    };
    match result {
        Ok(value) => {
            println!("{value}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("measure: {message}");
            ExitCode::from(2)
        }
    }
}

fn generate(size: &str, out: &Path, seed: u64) -> Result<Value, String> {
    let size = synth::Size::named(size)
        .ok_or_else(|| format!("unknown size `{size}`: use small, medium or large"))?;
    let started = Instant::now();
    let manifest = synth::generate(out, size, seed)
        .map_err(|e| format!("writing the trees under {}: {e}", out.display()))?;
    Ok(json!({
        "size": manifest.size,
        "seed": manifest.seed,
        "base": manifest.base,
        "head": manifest.head,
        "suites": manifest.suites.len(),
        "seconds": started.elapsed().as_secs_f64(),
    }))
}

fn family(name: &str, out: &Path, bytes: &str, rest: &[&str]) -> Result<Value, String> {
    let bytes: u64 = bytes
        .parse()
        .map_err(|_| format!("`{bytes}` is not a number of bytes"))?;
    let (mut regress, mut seed) = (0.0, SEED);
    let mut rest = rest.iter();
    while let Some(flag) = rest.next() {
        let value = rest.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match *flag {
            "--regress" => {
                regress = value
                    .parse()
                    .ok()
                    .filter(|p: &f64| (0.0..100.0).contains(p))
                    .ok_or_else(|| format!("`{value}` is not a percentage below 100"))?;
            }
            "--seed" => {
                seed = value
                    .parse()
                    .map_err(|_| format!("seed `{value}` is not a whole number"))?;
            }
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    let started = Instant::now();
    let written = match name {
        "balanced" => family::generate_balanced(out, bytes, seed, regress),
        _ => {
            let f = Family::named(name).ok_or_else(|| {
                format!("unknown family `{name}`: use csv, markdown, json, jsonl, text or balanced")
            })?;
            family::generate(out, f, bytes, seed, regress)
        }
    };
    let manifest =
        written.map_err(|e| format!("writing the trees under {}: {e}", out.display()))?;
    let mut value = serde_json::to_value(&manifest).map_err(|e| e.to_string())?;
    value["seconds"] = json!(started.elapsed().as_secs_f64());
    Ok(value)
}

fn measure_floor(dirs: &[&str]) -> Result<Value, String> {
    let started = Instant::now();
    let mut total = floor::Floor::default();
    for dir in dirs {
        total = total + floor::floor(Path::new(dir)).map_err(|e| format!("reading {dir}: {e}"))?;
    }
    Ok(json!({
        "seconds": started.elapsed().as_secs_f64(),
        "threads": rayon::current_num_threads(),
        "floor": total,
    }))
}

fn measure_parse(dirs: &[&str]) -> Result<Value, String> {
    let options = CollectOptions::default();
    let started = Instant::now();
    let mut total = parse_stage::Parsed::default();
    for dir in dirs {
        let tree = walk_tree(Path::new(dir), &options).map_err(|e| format!("{dir}: {e}"))?;
        total = total + parse_stage::parse(&tree.walk.files, options.max_file_size);
    }
    Ok(json!({
        "seconds": started.elapsed().as_secs_f64(),
        "threads": rayon::current_num_threads(),
        "parsed": total,
    }))
}

fn pipeline(base: &Path, head: &Path) -> Result<Value, String> {
    let options = CollectOptions::default();
    let started = Instant::now();
    let head_tree = walk_tree(head, &options).map_err(|e| format!("{}: {e}", head.display()))?;
    let base_tree = walk_tree(base, &options).map_err(|e| format!("{}: {e}", base.display()))?;
    // As `benchgate compare` does: one source at a time, unchanged rows stored.
    let compared = trees::compare_trees(
        &head_tree,
        &[base_tree],
        &Policy::default(),
        options.max_file_size,
        RowStore::default(),
    );
    let total = started.elapsed();
    let sides = || std::iter::once(&compared.head).chain(&compared.bases);
    let comparison = &compared.comparison;
    Ok(json!({
        "seconds": total.as_secs_f64(),
        "threads": rayon::current_num_threads(),
        "files": sides().map(|s| s.inventory.files).sum::<usize>(),
        "bytes": sides().map(|s| s.inventory.bytes).sum::<u64>(),
        "series": sides().map(|s| s.series).sum::<usize>(),
        "warnings": sides().map(|s| s.warnings.len()).sum::<usize>(),
        "deltas": comparison.counts.get("total"),
        "stored_rows": compared.stored.as_ref().map_or(0, |s| s.len()),
        "counts": comparison.counts,
        "verdict": comparison.verdict,
    }))
}

fn compare_series(n: usize) -> Result<Value, String> {
    let (base, head) = series::pair(n, SEED);
    let started = Instant::now();
    let comparison = compare::compare(&base, &head, &Policy::default());
    let compared = started.elapsed();
    let deltas = comparison.deltas.len();
    let started = Instant::now();
    let rendered = render(comparison)?;
    let rendered_in = started.elapsed();
    Ok(json!({
        "series": base.len() + head.len(),
        "deltas": deltas,
        "compare_seconds": compared.as_secs_f64(),
        "render_seconds": rendered_in.as_secs_f64(),
        "seconds": (compared + rendered_in).as_secs_f64(),
        "comment_bytes": rendered,
    }))
}

/// Builds the report of `comparison` and renders the PR comment; returns its length.
fn render(comparison: Comparison) -> Result<usize, String> {
    let renderer = Renderer::new(&TemplatePaths::default()).map_err(|e| e.to_string())?;
    let report = support::report_of(comparison);
    let comment = renderer.comment(&report).map_err(|e| e.to_string())?;
    Ok(comment.markdown.len())
}

/// `cargo bench`: the small tree, best of three runs of the floor and of the pipeline.
fn quick() -> Result<Value, String> {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("synth/small");
    generate("small", &out, SEED)?;
    let (base, head) = (out.join("base"), out.join("head"));
    let best = |f: &dyn Fn() -> Result<Value, String>| -> Result<f64, String> {
        let mut best = f64::INFINITY;
        for _ in 0..3 {
            best = best.min(f()?["seconds"].as_f64().unwrap_or(f64::INFINITY));
        }
        Ok(best)
    };
    let (b, h) = (base.to_string_lossy(), head.to_string_lossy());
    let floor = best(&|| measure_floor(&[&h, &b]))?;
    let pipeline = best(&|| pipeline(&base, &head))?;
    Ok(json!({
        "size": "small",
        "floor_seconds": floor,
        "pipeline_seconds": pipeline,
        "ratio": pipeline / floor,
    }))
}
