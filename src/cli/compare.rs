//! The `compare` subcommand: scans a base and a head directory, compares them under the
//! policy, renders the comment (and optionally the job summary and `report.json`), and
//! exits with the gate's code. On a terminal it shows the report as text and tables; to a
//! pipe or a file it prints the comment's Markdown.

use super::exit;
use super::failure::{describe, Failure};
use super::gab_base;
use super::terminal::{self, progress::Bar, Style};
use crate::analyze::{self, LlmArgs};
use crate::collect::CollectOptions;
use crate::compare::Verdict;
use crate::config::{CliOverrides, Config, FailOn, Policy, DEFAULT_FILE};
use crate::render::{Renderer, TemplatePaths};
use crate::report::{self, millis, ReportParts};
use crate::scan::{walk_tree, ScanError, Tree};
use crate::trees::{self, RowStore, StoredRows};
use anyhow::Context;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Directory with the baseline's benchmark files (must exist), or a
    /// github-action-benchmark `data.js`: its newest run is the baseline (see
    /// `--base-suite`, `--base-history`). Without `--base` there is no baseline: every
    /// metric is reported as new and the verdict is `no-baseline` (exit 0 unless the
    /// policy's `fail_on` lists `no_baseline`).
    #[arg(long, value_name = "DIR|DATA.JS")]
    pub base: Option<PathBuf>,
    /// With a `data.js` as `--base`: the suite (benchmark name) to read; needed when the
    /// file holds several.
    #[arg(long, value_name = "NAME")]
    pub base_suite: Option<String>,
    /// With a `data.js` as `--base`: how many of the suite's newest runs to read. The newest
    /// is the baseline; the others widen each metric's noise band.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub base_history: usize,
    /// Directory with the benchmark files to judge (must exist).
    #[arg(long, value_name = "DIR")]
    pub head: PathBuf,
    /// Policy file. Default: `.benchgate.yml` in the current directory, if there is one.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Template for the comment, replacing the built-in one (see docs/template-context.md).
    #[arg(long, value_name = "PATH")]
    pub template: Option<PathBuf>,
    /// Template for the job summary, replacing the built-in one.
    #[arg(long, value_name = "PATH")]
    pub summary_template: Option<PathBuf>,
    /// Write the full report as JSON to this file.
    #[arg(long, value_name = "OUT")]
    pub json: Option<PathBuf>,
    /// Write the comment to this file instead of standard output.
    #[arg(long, value_name = "OUT")]
    pub markdown: Option<PathBuf>,
    /// Write the job summary to this file.
    #[arg(long, value_name = "OUT")]
    pub summary: Option<PathBuf>,
    /// Warn threshold in percent, `5` or `5%` (overrides the policy file).
    #[arg(long, value_name = "PCT", value_parser = crate::config::parse_percent)]
    pub warn: Option<f64>,
    /// Fail threshold in percent, `10` or `10%` (overrides the policy file).
    #[arg(long, value_name = "PCT", value_parser = crate::config::parse_percent)]
    pub fail: Option<f64>,
    /// What fails the run, in the policy's `fail_on` words (`regression, broken, missing,
    /// warn, no_baseline, no_data`) or `never`; replaces the policy's list.
    #[arg(long, value_name = "LIST", value_parser = fail_on_list)]
    pub fail_on: Option<FailOnList>,
    /// Event whose policy section applies (`pull_request`, `push`, `tag`, ...).
    #[arg(long, value_name = "NAME")]
    pub event: Option<String>,
    /// Only read files matching this glob, relative to each directory (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Leave out files or directories matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// The LLM analysis (off unless `--llm`, `--llm-url`, `--llm-model` or the policy file's
    /// `llm.enabled`; `--no-llm` wins).
    #[command(flatten)]
    pub llm: LlmArgs,
}

/// What a comparison ended with.
struct Outcome {
    verdict: Verdict,
    /// The analysis failed although it was required.
    analysis_failed: bool,
}

pub fn run(args: CompareArgs) -> u8 {
    match execute(&args) {
        Ok(Outcome {
            verdict: Verdict::Fail,
            ..
        }) => exit::FAIL,
        Ok(Outcome {
            analysis_failed: true,
            ..
        }) => {
            eprintln!(
                "benchgate compare: error: the LLM analysis could not be produced and it is required (--llm-required or llm.required); the reason is in the report"
            );
            exit::INTERNAL
        }
        Ok(_) => exit::PASS,
        Err(failure) => {
            eprintln!("benchgate compare: error: {}", describe(&failure.error));
            failure.code
        }
    }
}

fn execute(args: &CompareArgs) -> Result<Outcome, Failure> {
    let config = match &args.config {
        Some(path) => Config::load(path),
        None => Config::load_or_default(Path::new(DEFAULT_FILE)),
    }
    .map_err(|e| Failure::usage(anyhow::Error::new(e).context("fix the policy file")))?;
    let policy = load_policy(args, &config)?;
    let llm = args
        .llm
        .clone()
        .apply(config.llm.clone().unwrap_or_default());
    let renderer = Renderer::new(&TemplatePaths {
        comment: args.template.clone(),
        summary: args.summary_template.clone(),
    })
    .map_err(Failure::from)?;
    let options = CollectOptions {
        include: args.include.clone(),
        exclude: args.exclude.clone(),
        ..CollectOptions::default()
    };

    let data_js = args
        .base
        .as_deref()
        .and_then(|base| Some((base, gab_base::data_js(base)?)));
    let (parts, stored) = match data_js {
        Some((base, text)) => (
            gab_base::report(args, base, &text, &policy, &options)?,
            None,
        ),
        None => compare_dirs(args, &policy, &options)?,
    };
    let mut report = report::build(parts);
    report.note_empty_head(&args.head.display().to_string(), &options.include);

    let mut analysis_failed = false;
    if llm.enabled {
        let started = Instant::now();
        let analysis = analyze::run(&report, &llm);
        eprintln!("benchgate compare: LLM analysis: {}", analysis.headline());
        analysis_failed = llm.required && analysis.is_failure();
        report.analysis = Some(analysis.to_json());
        report.timings_ms.analyze = millis(started.elapsed());
    }

    let started = Instant::now();
    let comment = renderer.comment(&report).map_err(Failure::from)?;
    let summary = match &args.summary {
        Some(_) => Some(renderer.summary(&report).map_err(Failure::from)?),
        None => None,
    };
    report.timings_ms.render = millis(started.elapsed());

    if let Some(path) = &args.json {
        write_output(path, "--json", |p| {
            super::report_file::write(p, &report, stored)
        })?;
    }
    if let (Some(path), Some(summary)) = (&args.summary, &summary) {
        write_file(path, &summary.markdown, "--summary")?;
    }
    let terminal = Style::stdout();
    match (&args.markdown, terminal) {
        (Some(path), _) => write_file(path, &comment.markdown, "--markdown")?,
        (None, None) => print_stdout(&comment.markdown)?,
        (None, Some(_)) => {}
    }
    if let Some(style) = terminal {
        print_stdout(&terminal::report::render(&report, &style))?;
    }
    Ok(Outcome {
        verdict: report.verdict,
        analysis_failed,
    })
}

/// The report parts of comparing the head directory with the base directory.
fn compare_dirs(
    args: &CompareArgs,
    policy: &Policy,
    options: &CollectOptions,
) -> Result<(ReportParts, Option<StoredRows>), Failure> {
    let head = walk_side(&args.head, options, "--head")?;
    let started = Instant::now();
    let bases = match &args.base {
        Some(dir) if !dir.is_dir() => {
            return Err(Failure::usage(anyhow::anyhow!(
                "--base {}: no such directory (nor a github-action-benchmark data.js); check the path (leave out --base to compare without a baseline)",
                dir.display()
            )))
        }
        Some(dir) => vec![walk_side(dir, options, "--base")?],
        None => Vec::new(),
    };
    let baseline_time = started.elapsed();

    // Only `report.json` lists the rows beyond memory: without it they are counted.
    let store = match &args.json {
        Some(_) => RowStore::default(),
        None => RowStore::default().counting(),
    };
    let compared = trees::compare_trees_observed(
        &head,
        &bases,
        policy,
        options.max_file_size,
        store,
        &Bar::stderr(),
    );
    Ok(compared.into_report(
        head.collect,
        baseline_time,
        Some(baseline_info(args.base.as_deref())),
        args.event.as_ref().map(|e| json!({ "event": e })),
    ))
}

fn load_policy(args: &CompareArgs, config: &Config) -> Result<Policy, Failure> {
    let overrides = CliOverrides {
        warn_pct: args.warn,
        fail_pct: args.fail,
        fail_on: args.fail_on.clone().map(|l| l.0),
        ..CliOverrides::default()
    };
    Policy::resolve(config, args.event.as_deref(), &overrides).map_err(Failure::usage)
}

fn walk_side(dir: &Path, options: &CollectOptions, flag: &str) -> Result<Tree, Failure> {
    walk_tree(dir, options).map_err(|e: ScanError| {
        let usage = e.is_usage();
        let error = anyhow::Error::new(e).context(format!("{flag} {}", dir.display()));
        if usage {
            Failure::usage(error)
        } else {
            Failure::internal(error)
        }
    })
}

/// The `baseline` object of a directory comparison.
fn baseline_info(dir: Option<&Path>) -> serde_json::Value {
    match dir {
        Some(dir) => json!({ "mode": "dir", "path": dir.display().to_string() }),
        None => json!({
            "mode": "none",
            "note": "no --base directory was given, so there is nothing to compare with",
        }),
    }
}

/// A `--fail-on` list (clap would split a bare `Vec` into one value per word).
#[derive(Debug, Clone)]
pub struct FailOnList(Vec<FailOn>);

fn fail_on_list(text: &str) -> Result<FailOnList, String> {
    FailOn::parse_list(text).map(FailOnList)
}

fn write_file(path: &Path, text: &str, flag: &str) -> Result<(), Failure> {
    write_output(path, flag, |p| std::fs::write(p, text))
}

/// Runs `write` on the output `path` given by option `flag`; a failure names both.
fn write_output(
    path: &Path,
    flag: &str,
    write: impl FnOnce(&Path) -> std::io::Result<()>,
) -> Result<(), Failure> {
    write(path)
        .with_context(|| {
            format!(
                "cannot write {flag} {}; check that its folder exists",
                path.display()
            )
        })
        .map_err(Failure::usage)
}

fn print_stdout(text: &str) -> Result<(), Failure> {
    super::print(text.as_bytes()).map_err(|e| {
        Failure::internal(anyhow::Error::new(e).context("writing the report to standard output"))
    })
}
