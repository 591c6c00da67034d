//! The action's stages wired together: head scan, baseline (artifacts, path or git),
//! compare under the event's policy, trend charts, LLM analysis, rendering, `report.json`,
//! then publishing. `mode: report` first downloads and verifies the collect bundle of the
//! triggering run; `mode: collect` only writes that bundle.

use super::bundle::{self, Metadata};
use super::head::{self, HeadData};
use super::publish::{self, Publisher};
use super::Failure;
use crate::analyze::{self, Api, LlmArgs, LlmSettings, Secret};
use crate::baseline::artifacts::{self as from_artifacts, Downloader, Limits};
use crate::baseline::{git, path, short_sha, trend, Baseline, BaselineError, WorkDir};
use crate::cli::exit;
use crate::compare::{self, Status, Verdict};
use crate::config::{CliOverrides, Config, FailOn, Policy, DEFAULT_FILE};
use crate::context::{Base, BaselineMode, Context, Env, FailOnInput, Inputs};
use crate::github::commands::{annotation, end_group, group, plain, Level};
use crate::github::{artifacts, runs, Client, RetryPolicy};
use crate::model::Series;
use crate::render::{RenderError, Renderer, TemplatePaths};
use crate::report::{self, millis, ReportParts, Timings};
use crate::scan::{scan, ScanResult};
use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tokio::runtime::Runtime;

/// Where `report.json` is written, relative to the workspace.
pub const REPORT_PATH: &str = ".benchgate/report.json";

/// One run of the action.
pub struct Job<'a> {
    ctx: Context,
    inputs: &'a Inputs,
    env: &'a Env,
    rt: Runtime,
    client: Client,
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

    /// `mode: collect`: bundle the head data and this run's claims for upload-artifact.
    pub fn collect(&self) -> Result<u8, Failure> {
        let ctx = &self.ctx;
        let head = head::resolve(&ctx.workspace, &self.inputs.path)
            .map_err(|e| Failure::classify(e.is_usage(), e))?;
        let (base_ref, base_sha) = match &ctx.base {
            Base::Ref { name, sha } => (Some(name.clone()), sha.clone()),
            _ => (None, None),
        };
        let meta = Metadata {
            schema_version: 1,
            repository: ctx.repo.full_name(),
            event: ctx.event_name.clone(),
            pr_number: ctx.pr_number,
            head_sha: ctx.head_sha.clone(),
            head_ref: ctx.head_ref.clone(),
            base_ref,
            base_sha,
            run_id: ctx.run_id,
            files: 0,
        };
        let (_, files) =
            bundle::write(&ctx.workspace, &head.root, &head.options, meta).map_err(|e| {
                let usage = matches!(
                    &e,
                    bundle::BundleError::Occupied(_) | bundle::BundleError::Collect(_)
                );
                Failure::classify(usage, anyhow::Error::new(e).context("input `path`"))
            })?;
        if files == 0 {
            println!(
                "{}",
                annotation(
                    Level::Warning,
                    "benchgate: nothing collected",
                    &format!("No benchmark files under `{}`.", head.rel_root)
                )
            );
        }
        let pr = ctx
            .pr_number
            .map(|n| format!(" for pull request #{n}"))
            .unwrap_or_default();
        let summary = format!(
            "### benchgate: collected {files} benchmark file(s){pr}\n\nHead commit `{}`. Upload the `{}` folder with actions/upload-artifact; a `workflow_run` workflow running benchgate with `mode: report` compares it with the base branch and comments.\n",
            short_sha(&ctx.head_sha),
            bundle::DIR
        );
        println!(
            "Collected {files} file(s) from `{}` into `{}`.",
            head.rel_root,
            bundle::DIR
        );
        publish::write_files(
            self.file_var("GITHUB_OUTPUT").as_deref(),
            self.file_var("GITHUB_STEP_SUMMARY").as_deref(),
            &[("collect-dir", bundle::DIR.to_string())],
            Some(&summary),
        );
        Ok(exit::PASS)
    }

    /// `mode: report`: on `workflow_run`, fetch the triggering run's collect bundle, check
    /// its claims against the API, then compare and publish for that pull request.
    pub fn report(&self) -> Result<u8, Failure> {
        let ctx = &self.ctx;
        let run = ctx.workflow_run().ok_or_else(|| {
            Failure::usage(anyhow::anyhow!(
                "`mode: report` runs on `workflow_run` events, not `{}`; use `mode: run` here",
                ctx.event_name
            ))
        })?;
        if !self.client.has_token() {
            return Err(Failure::usage(anyhow::anyhow!(
                "`mode: report` needs the `github-token` input (with `actions: read`) to download the collect artifact"
            )));
        }
        if let Some(c) = run.conclusion.as_deref().filter(|c| *c != "success") {
            println!(
                "{}",
                plain(&format!(
                    "The triggering run {} concluded `{c}`; reporting on what it uploaded.",
                    run.id
                ))
            );
        }
        let work = self.work_dir()?;
        let dir = work.subdir("head").map_err(baseline_failure)?;
        let glob = globset::Glob::new(&self.inputs.artifact_name)
            .with_context(|| format!("input `artifact-name`: `{}`", self.inputs.artifact_name))
            .map_err(Failure::usage)?
            .compile_matcher();
        let listed = self
            .rt
            .block_on(artifacts::list(&self.client, &ctx.repo, run.id))
            .map_err(github_failure)?;
        let matching: Vec<_> = listed.iter().filter(|a| glob.is_match(&a.name)).collect();
        let mut notes = Vec::new();
        let downloader = Downloader {
            client: &self.client,
            repo: &ctx.repo,
            work: &work,
            limits: Limits::default(),
        };
        let owner = format!("run {} ({})", run.id, short_sha(&run.head_sha));
        let files = self
            .rt
            .block_on(downloader.fetch_into(&matching, &dir, &owner, &mut notes))
            .map_err(baseline_failure)?;
        for n in &notes {
            println!("{}", plain(n));
        }
        let meta = bundle::read(&dir)
            .map_err(Failure::usage)?
            .filter(|_| files > 0)
            .ok_or_else(|| {
                Failure::usage(anyhow::anyhow!(
                    "the triggering run {} has no usable artifact named like `{}` holding `{}`; upload the `collect-dir` output of `mode: collect` with actions/upload-artifact",
                    run.id,
                    self.inputs.artifact_name,
                    bundle::METADATA
                ))
            })?;
        if meta.head_sha != run.head_sha {
            return Err(Failure::usage(anyhow::anyhow!(
                "the collect artifact claims head commit `{}`, but the triggering run {} built `{}`; refusing to report on it",
                meta.head_sha,
                run.id,
                run.head_sha
            )));
        }
        // The `pr-number` input and the payload's own PR list (same-repository PRs) are
        // trusted; the artifact's number is only a claim, checked against the API below.
        let Some(number) = ctx.pr_number.or(meta.pr_number) else {
            publish::notice(
                "benchgate: nothing to report",
                &format!(
                    "The triggering run {} (`{}`) is not for a pull request.",
                    run.id, run.event
                ),
            );
            return Ok(exit::PASS);
        };
        let pull = self
            .rt
            .block_on(runs::pull_request(&self.client, &ctx.repo, number))
            .map_err(|e| {
                Failure::classify(
                    matches!(e.status(), Some(401 | 403 | 404)),
                    anyhow::Error::new(e).context(format!(
                        "checking pull request #{number} named by the artifact"
                    )),
                )
            })?;
        if pull.head_sha != run.head_sha {
            println!(
                "{}",
                annotation(
                    Level::Warning,
                    "benchgate: not reporting",
                    &format!(
                        "Pull request #{number} is at `{}` now, but the triggering run measured `{}` (an older push, or an artifact naming another pull request). Nothing was posted.",
                        short_sha(&pull.head_sha),
                        short_sha(&run.head_sha)
                    )
                )
            );
            return Ok(exit::PASS);
        }
        println!(
            "Verified: pull request #{number} is at {}, the commit the triggering run {} measured.",
            short_sha(&pull.head_sha),
            run.id
        );
        let mut verified = ctx.clone();
        verified.pr_number = Some(number);
        verified.head_sha = run.head_sha.clone();
        verified.head_ref = Some(pull.head_ref.clone());
        verified.base = Base::Ref {
            name: pull.base_ref.clone(),
            sha: Some(pull.base_sha.clone()),
        };
        let head = HeadData {
            root: bundle::data_root(&dir),
            rel_root: bundle::DIR.to_string(),
            options: Default::default(),
        };
        self.compare_and_publish(&verified, &head, run.workflow_file.as_deref())
    }

    fn compare_and_publish(
        &self,
        ctx: &Context,
        head: &HeadData,
        triggering_workflow: Option<&str>,
    ) -> Result<u8, Failure> {
        let policy = self.policy(ctx)?;
        let renderer = Renderer::new(&TemplatePaths {
            comment: self.template(self.inputs.template.as_deref(), "template")?,
            summary: self.template(self.inputs.summary_template.as_deref(), "summary-template")?,
        })
        .map_err(render_failure)?;
        let llm = self.llm_settings()?;

        let head_scan = scan(&head.root, &head.options).map_err(|e| {
            Failure::classify(
                e.is_usage(),
                anyhow::Error::new(e)
                    .context(format!("head data `{}` (input `path`)", head.rel_root)),
            )
        })?;
        log_scan("head data", &head.rel_root, &head_scan);

        let started = Instant::now();
        let work = self.work_dir()?;
        let runs = self
            .inputs
            .history
            .map(|n| n as usize)
            .unwrap_or(policy.history_runs + 1)
            .max(1);
        let baseline = self.baseline(ctx, head, &work, runs, triggering_workflow)?;
        println!("{}", group("benchgate: baseline"));
        for note in &baseline.notes {
            println!("{}", plain(note));
        }
        let base_scans: Vec<ScanResult> = baseline
            .snapshots
            .iter()
            .filter_map(|snap| {
                let root = bundle::data_root(&snap.dir);
                match scan(&root, &head.options) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        println!("{}", plain(&format!("{}: {e}", snap.label)));
                        None
                    }
                }
            })
            .collect();
        println!("{}", end_group());
        if baseline.primary().is_none() {
            if let Some(why) = baseline.notes.last() {
                publish::notice("benchgate: no baseline", why);
            }
        }
        let baseline_ms = millis(started.elapsed());

        let started = Instant::now();
        let empty: Vec<Series> = Vec::new();
        let base_series = base_scans.first().map_or(&empty, |s| &s.series);
        let history: Vec<Vec<Series>> = base_scans
            .iter()
            .skip(1)
            .map(|s| s.series.clone())
            .collect();
        let comparison =
            compare::compare_with_history(base_series, &head_scan.series, &history, &policy);
        let compare_ms = millis(started.elapsed());

        let mut baseline_json = baseline.describe(chrono::Utc::now());
        if base_scans.len() > 1 {
            let keys: Vec<_> = comparison
                .deltas
                .iter()
                .filter(|d| matches!(d.status, Status::Regression | Status::Broken))
                .map(|d| &d.key)
                .collect();
            let points: Vec<trend::Point<'_>> = baseline
                .snapshots
                .iter()
                .zip(&base_scans)
                .rev()
                .map(|(snap, scan)| trend::Point {
                    label: snap
                        .sha
                        .as_deref()
                        .map(|s| short_sha(s).to_string())
                        .unwrap_or_else(|| snap.label.clone()),
                    series: &scan.series,
                })
                .collect();
            baseline_json["trends"] =
                serde_json::json!(trend::charts(&keys, &points, &head_scan.series));
        }

        let mut warnings = head_scan.warnings.clone();
        if let Some(b) = base_scans.first() {
            warnings.extend(b.warnings.iter().cloned());
        }
        let mut report = report::build(ReportParts {
            comparison,
            base_inventory: base_scans.first().map(|b| b.inventory.clone()),
            head_inventory: head_scan.inventory.clone(),
            warnings,
            timings_ms: Timings {
                collect: millis(head_scan.timings.collect),
                parse: millis(head_scan.timings.parse),
                baseline: baseline_ms,
                compare: compare_ms,
                analyze: 0.0,
                render: 0.0,
            },
            baseline: Some(baseline_json),
            run: Some(ctx.describe()),
            analysis: None,
        });

        let mut analysis_failed = false;
        if llm.enabled {
            let started = Instant::now();
            println!("{}", group("benchgate: LLM analysis"));
            let analysis = self.rt.block_on(analyze::run_async(&report, &llm));
            println!(
                "{}",
                plain(&format!("{:?}: {}", analysis.status, analysis.reason))
            );
            println!("{}", end_group());
            analysis_failed = llm.required && analysis.is_failure();
            report.analysis = serde_json::to_value(&analysis).ok();
            report.timings_ms.analyze = millis(started.elapsed());
        }

        let started = Instant::now();
        let comment = renderer.comment(&report).map_err(render_failure)?;
        let summary = renderer.summary(&report).map_err(render_failure)?;
        report.timings_ms.render = millis(started.elapsed());
        write_report(&ctx.workspace, &report)?;

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

    /// The policy for the event, with the threshold, history and `fail-on` inputs on top.
    fn policy(&self, ctx: &Context) -> Result<Policy, Failure> {
        let config = match &self.inputs.config {
            Some(p) => {
                let file =
                    path::inside_workspace(&ctx.workspace, p, "config").map_err(Failure::usage)?;
                Config::load(&file)
            }
            None => Config::load_or_default(&ctx.workspace.join(DEFAULT_FILE)),
        }
        .map_err(|e| Failure::usage(anyhow::Error::new(e).context("fix the policy file")))?;
        let overrides = CliOverrides {
            warn_pct: self.inputs.warn_threshold,
            fail_pct: self.inputs.fail_threshold,
            history_runs: self.inputs.history.map(|n| n as usize - 1),
            ..CliOverrides::default()
        };
        let mut policy = Policy::resolve(&config, Some(ctx.policy_event()), &overrides)
            .map_err(|e| Failure::usage(anyhow::Error::new(e).context("the threshold inputs")))?;
        match self.inputs.fail_on {
            Some(FailOnInput::Warn) => {
                policy.fail_on.insert(FailOn::Warn);
            }
            Some(FailOnInput::Never) => policy.fail_on.clear(),
            Some(FailOnInput::Fail) | None => {}
        }
        Ok(policy)
    }

    /// Finds and fetches the baseline the `baseline` input asks for (or the default).
    fn baseline(
        &self,
        ctx: &Context,
        head: &HeadData,
        work: &WorkDir,
        runs: usize,
        triggering_workflow: Option<&str>,
    ) -> Result<Baseline, Failure> {
        let inputs = self.inputs;
        let mode = inputs
            .baseline
            .unwrap_or(if inputs.baseline_path.is_some() {
                BaselineMode::Path
            } else if self.client.has_token() {
                BaselineMode::Artifacts
            } else {
                BaselineMode::None
            });
        match mode {
            BaselineMode::None => Ok(Baseline::none(
                BaselineMode::None,
                if inputs.baseline.is_some() {
                    "No baseline: `baseline: none`."
                } else {
                    "No baseline: the `github-token` input is empty, so the base branch's artifacts cannot be read."
                },
            )),
            BaselineMode::Path => {
                let dir = inputs.baseline_path.as_deref().ok_or_else(|| {
                    Failure::usage(anyhow::anyhow!(
                        "`baseline: path` needs the `baseline-path` input"
                    ))
                })?;
                path::from_dir(&ctx.workspace, dir).map_err(baseline_failure)
            }
            BaselineMode::Git => {
                let rev = inputs
                    .baseline_ref
                    .clone()
                    .or_else(|| ctx.base_sha().map(String::from))
                    .or_else(|| match &ctx.base {
                        Base::Ref { name, .. } => Some(name.clone()),
                        _ => None,
                    })
                    .ok_or_else(|| {
                        Failure::usage(anyhow::anyhow!(
                            "`baseline: git` needs a ref: set `baseline-ref` (this event names no base)"
                        ))
                    })?;
                let folder = inputs.baseline_path.as_deref().unwrap_or(&head.rel_root);
                git::from_git(&ctx.workspace, &rev, folder, work, &Limits::default().zip)
                    .map_err(baseline_failure)
            }
            BaselineMode::Artifacts => {
                if !self.client.has_token() {
                    return Err(Failure::usage(anyhow::anyhow!(
                        "`baseline: artifacts` needs the `github-token` input (with `actions: read`)"
                    )));
                }
                let workflow = inputs
                    .workflow
                    .as_deref()
                    .or(triggering_workflow)
                    .or(ctx.workflow_file.as_deref())
                    .ok_or_else(|| {
                        Failure::usage(anyhow::anyhow!(
                            "set the `workflow` input: the workflow file whose runs hold the baseline artifacts (GITHUB_WORKFLOW_REF is not set)"
                        ))
                    })?;
                let base = match &inputs.baseline_ref {
                    Some(r) => Base::Ref {
                        name: r.clone(),
                        sha: None,
                    },
                    None => ctx.base.clone(),
                };
                let search = from_artifacts::Search {
                    client: &self.client,
                    repo: &ctx.repo,
                    workflow,
                    base: &base,
                    exclude_run: ctx.run_id,
                    artifact_name: &inputs.artifact_name,
                    history: runs as u32,
                    limits: Limits::default(),
                };
                self.rt
                    .block_on(from_artifacts::fetch(&search, work))
                    .map_err(baseline_failure)
            }
        }
    }

    /// The LLM settings from the `llm*` inputs.
    fn llm_settings(&self) -> Result<LlmSettings, Failure> {
        let llm = &self.inputs.llm;
        let api = match llm.api.as_deref() {
            None => None,
            Some("ollama") => Some(Api::Ollama),
            Some("openai") => Some(Api::Openai),
            Some(other) => {
                return Err(Failure::usage(anyhow::anyhow!(
                    "input `llm-api`: `{other}` is not one of ollama, openai"
                )))
            }
        };
        let options = match llm.options.as_deref() {
            None => Vec::new(),
            Some(text) => {
                serde_norway::from_str::<serde_json::Map<String, serde_json::Value>>(text)
                    .map_err(|e| {
                        Failure::usage(anyhow::anyhow!(
                            "input `llm-options`: not a JSON or YAML object of model options: {e}"
                        ))
                    })?
                    .into_iter()
                    .collect()
            }
        };
        let enabled = llm.enabled.unwrap_or(llm.url.is_some());
        let args = LlmArgs {
            llm: enabled,
            no_llm: !enabled,
            url: llm.url.clone(),
            model: llm.model.clone(),
            api,
            options,
            timeout: llm.timeout_secs,
            token: llm.token.clone().map(Secret::new),
            required: llm.required,
            link_host: url::Url::parse(&self.ctx.server_url)
                .ok()
                .and_then(|u| u.host_str().map(String::from)),
            ..LlmArgs::default()
        };
        Ok(args.apply(LlmSettings::default()))
    }

    fn template(&self, input: Option<&str>, name: &str) -> Result<Option<PathBuf>, Failure> {
        input
            .map(|p| path::inside_workspace(&self.ctx.workspace, p, name).map_err(Failure::usage))
            .transpose()
    }

    fn work_dir(&self) -> Result<WorkDir, Failure> {
        WorkDir::create(self.ctx.runner_temp.as_deref()).map_err(baseline_failure)
    }

    /// A file-command path from the environment (`GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`).
    fn file_var(&self, name: &str) -> Option<PathBuf> {
        self.env
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    }
}

fn log_scan(what: &str, root: &str, scan: &ScanResult) {
    let inv = &scan.inventory;
    println!("{}", group(&format!("benchgate: {what} ({root})")));
    println!(
        "{} file(s), {} byte(s); {} series; {} skipped; {} warning(s)",
        inv.files,
        inv.bytes,
        scan.series.len(),
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

fn write_report(workspace: &Path, report: &report::Report) -> Result<(), Failure> {
    let path = workspace.join(REPORT_PATH);
    let text = serde_json::to_string_pretty(report)
        .context("serialising the report")
        .map_err(Failure::internal)?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))
            .map_err(Failure::internal)?;
    }
    std::fs::write(&path, text + "\n")
        .with_context(|| format!("writing {}", path.display()))
        .map_err(Failure::internal)
}

fn baseline_failure(e: BaselineError) -> Failure {
    Failure::classify(e.is_usage(), e)
}

fn github_failure(e: crate::github::GithubError) -> Failure {
    Failure::classify(matches!(e.status(), Some(401 | 403)), e)
}

fn render_failure(e: RenderError) -> Failure {
    Failure::classify(e.is_user_error(), e)
}
