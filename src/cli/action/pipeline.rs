//! The action's stages wired together: head scan, baseline, compare under the event's
//! policy, trend charts, LLM analysis, rendering, `report.json`, then publishing.

use super::bundle;
use super::head::{self, HeadData};
use super::publish::{self, Publisher};
use crate::analyze;
use crate::analyze::LlmSettings;
use crate::baseline::trend::{self, Means};
use crate::baseline::{short_sha, Baseline, WorkDir};
use crate::cli::exit;
use crate::cli::failure::Failure;
use crate::compare::Verdict;
use crate::context::{BaselineMode, Context, Env, Event, Inputs};
use crate::github::commands::{annotation, end_group, group, plain, Level};
use crate::github::{Client, RetryPolicy};
use crate::history::branch::Entry;
use crate::model::SeriesKey;
use crate::render::{Renderer, TemplatePaths};
use crate::report::{self, millis, Report};
use crate::scan::{scan, walk_tree, SideScan, Tree};
use crate::trees::{self, RowStore, StoredRows};
use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tokio::runtime::Runtime;

/// Where `report.json` is written, relative to the workspace.
pub const REPORT_PATH: &str = ".benchgate/report.json";

/// One run of the action.
pub struct Job<'a> {
    pub(super) ctx: Context,
    pub(super) inputs: &'a Inputs,
    env: &'a Env,
    pub(super) rt: Runtime,
    pub(super) client: Client,
    /// The configuration's key: its sticky comment and its folder in a history branch.
    pub(super) history_key: String,
}

impl<'a> Job<'a> {
    pub fn new(ctx: Context, inputs: &'a Inputs, env: &'a Env) -> Result<Job<'a>, Failure> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .context("starting the async runtime")
            .map_err(Failure::internal)?;
        let client = Client::new(
            &ctx.api_url,
            inputs.github_token.clone(),
            RetryPolicy::default(),
        )
        .context("GITHUB_API_URL")
        .map_err(Failure::usage)?;
        Ok(Job {
            history_key: publish::configuration_key(&ctx, inputs),
            ctx,
            inputs,
            env,
            rt,
            client,
        })
    }

    /// `mode: run`.
    pub fn run(&self) -> Result<u8, Failure> {
        let head = head::resolve(&self.ctx.workspace, &self.inputs.path)
            .map_err(|e| Failure::classify(e.is_usage(), e))?;
        self.compare_and_publish(&self.ctx, &head, None)
    }

    pub(super) fn compare_and_publish(
        &self,
        ctx: &Context,
        head: &HeadData,
        triggering_workflow: Option<&str>,
    ) -> Result<u8, Failure> {
        let config = self.config(ctx)?;
        let policy = self.policy(ctx, &config)?;
        let renderer = Renderer::new(&TemplatePaths {
            comment: self.template(self.inputs.template.as_deref(), "template")?,
            summary: self.template(self.inputs.summary_template.as_deref(), "summary-template")?,
        })?;
        let llm = self.llm_settings(&config)?;

        let head_tree = walk_tree(&head.root, &head.options).map_err(|e| {
            Failure::classify(
                e.is_usage(),
                anyhow::Error::new(e)
                    .context(format!("head data `{}` (input `path`)", head.rel_root)),
            )
        })?;

        let started = Instant::now();
        let work = self.work_dir()?;
        let runs = self
            .inputs
            .history
            .map(|n| n as usize)
            .unwrap_or(policy.history_runs + 1)
            .max(1);
        let baseline = self.baseline(ctx, head, &work, runs, triggering_workflow)?;
        let (base_trees, run_labels) = walk_baseline(&baseline, head);
        let baseline_time = started.elapsed();

        let compared = trees::compare_trees(
            &head_tree,
            &base_trees,
            &policy,
            head.options.max_file_size,
            // Beside the downloaded baseline, in the runner's temporary directory.
            RowStore::default().in_dir(work.path()),
        );
        log_scan("head data", &head.rel_root, &compared.head);
        let mut baseline_json = baseline.describe(chrono::Utc::now());
        if base_trees.len() > 1 {
            baseline_json["trends"] = trends(&compared.trends, &run_labels);
        }
        let (parts, stored) = compared.into_report(
            head_tree.collect,
            baseline_time,
            Some(baseline_json),
            Some(ctx.describe()),
        );
        let mut report = report::build(parts);
        report.note_empty_head(&head.rel_root, &head.options.include);
        if let (Some(title), Some(run)) = (&self.inputs.title, report.run.as_mut()) {
            run["title"] = serde_json::Value::from(title.as_str());
        }
        report
            .notices
            .extend(baseline.open_gate_notice(self.inputs.baseline == Some(BaselineMode::None)));
        for notice in &report.notices {
            println!("{}", annotation(Level::Warning, "benchgate", notice));
        }

        let analysis_failed = llm.enabled && self.analyze(&mut report, &llm);

        let started = Instant::now();
        let comment = renderer.comment(&report)?;
        let summary = renderer.summary(&report)?;
        report.timings_ms.render = millis(started.elapsed());
        write_report(&ctx.workspace, &report, stored)?;

        for line in publish::annotations(&report.deltas) {
            println!("{line}");
        }
        let publisher = Publisher {
            ctx,
            inputs: self.inputs,
            client: &self.client,
            rt: &self.rt,
        };
        let comment_url = publisher.comment(&report, &comment.markdown);
        publisher.check_run(&report, &summary.markdown);
        publish::write_files(
            self.file_var("GITHUB_OUTPUT").as_deref(),
            self.file_var("GITHUB_STEP_SUMMARY").as_deref(),
            &publish::outputs(&report, REPORT_PATH, comment_url.as_deref(), baseline.sha()),
            Some(&summary.markdown),
        );
        self.record_history(ctx, head);
        println!("benchgate: {}", publish::headline(&report));
        if report.verdict == Verdict::Fail {
            return Ok(exit::FAIL);
        }
        if analysis_failed {
            println!(
                "{}",
                annotation(
                    Level::Error,
                    "benchgate: LLM analysis failed",
                    "The analysis could not be produced and `llm-required` is true."
                )
            );
            return Ok(exit::INTERNAL);
        }
        Ok(exit::PASS)
    }

    /// Asks the LLM and stores its analysis in the report; true when it failed although
    /// `llm-required` is set.
    fn analyze(&self, report: &mut Report, llm: &LlmSettings) -> bool {
        let started = Instant::now();
        println!("{}", group("benchgate: LLM analysis"));
        let analysis = self.rt.block_on(analyze::run_async(report, llm));
        println!("{}", plain(&analysis.headline()));
        println!("{}", end_group());
        report.analysis = serde_json::to_value(&analysis).ok();
        report.timings_ms.analyze = millis(started.elapsed());
        llm.required && analysis.is_failure()
    }

    /// Records this run's head series in the history branch, on a push to a branch or tag
    /// and on a release (never for a pull request). A failure is a warning: the report is
    /// already published.
    fn record_history(&self, ctx: &Context, head: &HeadData) {
        let Some(place) = self.history_place(ctx) else {
            return;
        };
        let (git_ref, tag) = match &ctx.event {
            Event::Push { git_ref, .. } => match git_ref.strip_prefix("refs/tags/") {
                Some(tag) => (tag.to_string(), true),
                None => (git_ref.trim_start_matches("refs/heads/").to_string(), false),
            },
            Event::Release { tag, .. } => (tag.clone(), true),
            _ => return,
        };
        let entry = Entry {
            sha: ctx.head_sha.clone(),
            git_ref,
            run_id: ctx.run_id,
            created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            tag,
        };
        // The comparison frees each group's series once it is judged, so the summary is
        // taken from a scan of its own; it runs only where a history is recorded.
        let stored = scan(&head.root, &head.options)
            .map_err(|e| e.to_string())
            .and_then(|scanned| {
                self.rt
                    .block_on(place.store(entry, &scanned.series))
                    .map_err(|e| e.to_string())
            });
        match stored {
            Ok(commit) => println!(
                "{}",
                plain(&format!(
                    "Recorded this run in the history branch `{}` (commit {}).",
                    place.branch,
                    short_sha(&commit)
                ))
            ),
            Err(e) => println!(
                "{}",
                annotation(
                    Level::Warning,
                    "benchgate: history not recorded",
                    &format!(
                        "This run could not be recorded in the history branch `{}` (the job needs `permissions: contents: write` for it): {e}",
                        place.branch
                    )
                )
            ),
        }
    }

    pub(super) fn work_dir(&self) -> Result<WorkDir, Failure> {
        WorkDir::create(self.ctx.runner_temp.as_deref()).map_err(Failure::from)
    }

    /// A file-command path from the environment (`GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`).
    pub(super) fn file_var(&self, name: &str) -> Option<PathBuf> {
        self.env
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    }
}

/// Walks every baseline snapshot like the head (a snapshot that cannot be walked is left
/// out with a log line) and logs where the baseline came from. Returns the trees, newest
/// first, and the labels of the runs for trend charts: oldest first, then `head`.
fn walk_baseline(baseline: &Baseline, head: &HeadData) -> (Vec<Tree>, Vec<String>) {
    println!("{}", group("benchgate: baseline"));
    for note in &baseline.notes {
        println!("{}", plain(note));
    }
    let mut trees = Vec::new();
    let mut labels = Vec::new();
    for snap in &baseline.snapshots {
        match walk_tree(&bundle::data_root(&snap.dir), &head.options) {
            Ok(tree) => {
                trees.push(tree);
                labels.push(
                    snap.sha
                        .as_deref()
                        .map(|s| short_sha(s).to_string())
                        .unwrap_or_else(|| snap.label.clone()),
                );
            }
            Err(e) => println!("{}", plain(&format!("{}: {e}", snap.label))),
        }
    }
    println!("{}", end_group());
    if baseline.primary().is_none() {
        if let Some(why) = &baseline.detail {
            publish::notice("benchgate: no baseline", why);
        }
    }
    labels.reverse();
    labels.push("head".to_string());
    (trees, labels)
}

/// The trend charts of the regressed and broken metrics, keyed by metric, most severe
/// first (the JSON map keeps insertion order).
fn trends(means: &[(SeriesKey, Means)], labels: &[String]) -> serde_json::Value {
    let charts: serde_json::Map<String, serde_json::Value> =
        trend::charts(means.iter().map(|(k, m)| (k, m)), labels)
            .into_iter()
            .map(|t| (t.key, serde_json::Value::String(t.chart)))
            .collect();
    serde_json::Value::Object(charts)
}

fn log_scan(what: &str, root: &str, scan: &SideScan) {
    let inv = &scan.inventory;
    println!("{}", group(&format!("benchgate: {what} ({root})")));
    println!(
        "{} file(s), {} byte(s); {} series; {} skipped; {} warning(s)",
        inv.files,
        inv.bytes,
        scan.series,
        inv.skipped.len(),
        scan.warnings.len()
    );
    for s in &inv.skipped {
        println!("{}", plain(&format!("skipped {}: {}", s.path, s.reason)));
    }
    for w in &scan.warnings {
        println!("{}", plain(&format!("warning {}: {}", w.path, w.message)));
    }
    println!("{}", end_group());
}

fn write_report(
    workspace: &Path,
    report: &Report,
    stored: Option<StoredRows>,
) -> Result<(), Failure> {
    let path = workspace.join(REPORT_PATH);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))
            .map_err(Failure::internal)?;
    }
    crate::cli::report_file::write(&path, report, stored)
        .with_context(|| format!("writing {}", path.display()))
        .map_err(Failure::internal)
}
