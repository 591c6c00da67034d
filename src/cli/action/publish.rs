//! Publishing a report from the action: annotations for gated regressions, the job
//! summary, the sticky PR comment, the optional check run and the step outputs. Publishing
//! is best effort: a comment GitHub refuses (a fork's read-only token, a missing
//! permission) becomes a notice or a warning naming the permission, never a failed job;
//! the verdict alone decides the exit code.

use crate::compare::{Delta, Gate, Status, Verdict};
use crate::context::{CommentMode, Context, Inputs};
use crate::github::checks::{self, CheckRun};
use crate::github::commands::{annotation, Level, MAX_ANNOTATIONS_PER_LEVEL};
use crate::github::comments::{self, Action, Sticky};
use crate::github::files;
use crate::github::Client;
use crate::report::Report;
use std::collections::BTreeMap;
use std::path::Path;
use tokio::runtime::Runtime;

/// The spelling of a verdict in outputs and messages.
pub fn verdict_name(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Warn => "warn",
        Verdict::Fail => "fail",
        Verdict::NoBaseline => "no-baseline",
        Verdict::NoData => "no-data",
    }
}

/// The key of this configuration: the `comment-id` input, else the workflow file and job;
/// then the `title`, when there is one. It keys the sticky comment and the folder of a
/// history branch.
pub fn configuration_key(ctx: &Context, inputs: &Inputs) -> String {
    let key = inputs.comment_id.clone().unwrap_or_else(|| {
        let workflow = ctx
            .workflow_file
            .as_deref()
            .or(ctx.workflow_name.as_deref())
            .unwrap_or("benchgate");
        match &ctx.job {
            Some(job) => format!("{workflow}/{job}"),
            None => workflow.to_string(),
        }
    });
    match &inputs.title {
        Some(title) => format!("{key}/{title}"),
        None => key,
    }
}

/// Where the report goes.
pub struct Publisher<'a> {
    pub ctx: &'a Context,
    pub inputs: &'a Inputs,
    pub client: &'a Client,
    pub rt: &'a Runtime,
}

impl Publisher<'_> {
    /// The key of this configuration's sticky comment ([`configuration_key`]).
    pub fn comment_id(&self) -> String {
        configuration_key(self.ctx, self.inputs)
    }

    /// Writes or updates the sticky comment; returns its URL when there is one.
    pub fn comment(&self, report: &Report, markdown: &str) -> Option<String> {
        let pr = self.ctx.pr_number?;
        let mode = self.inputs.comment;
        if mode == CommentMode::Off {
            println!("The `comment` input is `off`: no pull request comment.");
            return None;
        }
        if self.ctx.read_only_token() {
            notice(
                "benchgate: no PR comment",
                &format!(
                    "Pull request #{pr} comes from a fork, so this run's token is read-only: the report is in the job summary. To comment on fork PRs, use `mode: collect` here and `mode: report` in a `workflow_run` workflow."
                ),
            );
            return None;
        }
        if !self.client.has_token() {
            notice(
                "benchgate: no PR comment",
                "The `github-token` input is empty, so no comment was posted.",
            );
            return None;
        }
        let noteworthy = match mode {
            CommentMode::OnRegression => matches!(report.verdict, Verdict::Warn | Verdict::Fail),
            _ => report.deltas.iter().any(|d| d.status != Status::Unchanged),
        };
        let marker = comments::marker(&self.comment_id());
        let stamp = self
            .ctx
            .run_id
            .map(|id| format!("{id}.{}", self.ctx.run_attempt.unwrap_or(1)));
        let sticky = Sticky {
            client: self.client,
            repo: &self.ctx.repo,
            issue: pr,
            marker: &marker,
            stamp: stamp.as_deref(),
        };
        match self.rt.block_on(sticky.publish(markdown, mode, noteworthy)) {
            Ok(outcome) => {
                let what = match outcome.action {
                    Action::Created => "Created the PR comment".to_string(),
                    Action::Updated => "Updated the PR comment".to_string(),
                    Action::Unchanged => "The PR comment is already up to date".to_string(),
                    Action::Taken => {
                        println!(
                            "{}",
                            annotation(
                                Level::Warning,
                                "benchgate: PR comment not written",
                                &format!(
                                    "Another step of this run already wrote the PR comment with the key `{}`, so this step left it as it is (its report is in the job summary). Give each step or matrix leg its own `title` (for example `title: bench (${{{{ matrix.os }}}})`), or combine the legs in one job (docs/examples/matrix-combined.yml).",
                                    self.comment_id()
                                )
                            )
                        );
                        "The PR comment belongs to another step of this run".to_string()
                    }
                    Action::Skipped(why) => format!("No PR comment: {why}"),
                };
                match &outcome.url {
                    Some(url) => println!("{what}: {url}"),
                    None => println!("{what}."),
                }
                outcome.url
            }
            Err(e) => {
                println!(
                    "{}",
                    annotation(
                        Level::Warning,
                        "benchgate: PR comment not written",
                        &e.to_string()
                    )
                );
                None
            }
        }
    }

    /// Creates the check run when `check-run` is on.
    pub fn check_run(&self, report: &Report, summary: &str) {
        if !self.inputs.check_run {
            return;
        }
        if self.ctx.read_only_token() {
            notice(
                "benchgate: no check run",
                "This pull request comes from a fork and the token is read-only, so no check run was created.",
            );
            return;
        }
        let name = match (&self.inputs.title, &self.inputs.comment_id) {
            (Some(title), _) => format!("benchgate ({title})"),
            (None, Some(id)) => format!("benchgate ({id})"),
            (None, None) => "benchgate".to_string(),
        };
        let conclusion = match report.verdict {
            Verdict::Pass => "success",
            Verdict::Warn | Verdict::NoBaseline | Verdict::NoData => "neutral",
            Verdict::Fail => "failure",
        };
        let title = headline(report);
        let run_url = self.ctx.run_url();
        let check = CheckRun {
            name: &name,
            head_sha: &self.ctx.head_sha,
            conclusion,
            title: &title,
            summary,
            details_url: run_url.as_deref(),
        };
        match self
            .rt
            .block_on(checks::create(self.client, &self.ctx.repo, &check))
        {
            Ok(created) => println!(
                "Created check run `{name}`{}.",
                created
                    .html_url
                    .map(|u| format!(": {u}"))
                    .unwrap_or_default()
            ),
            Err(e) => println!(
                "{}",
                annotation(
                    Level::Warning,
                    "benchgate: check run not created",
                    &e.to_string()
                )
            ),
        }
    }
}

/// A one-line account of a report: `fail: 2 regressions, 1 improvement`.
pub fn headline(report: &Report) -> String {
    let n = |k: &str| report.counts.get(k).copied().unwrap_or(0);
    let mut parts = Vec::new();
    for (label, count) in [
        ("regression", n("regression")),
        ("broken metric", n("broken")),
        ("missing metric", n("missing")),
        ("improvement", n("improvement") + n("fixed")),
    ] {
        if count > 0 {
            parts.push(format!(
                "{count} {label}{}",
                if count == 1 { "" } else { "s" }
            ));
        }
    }
    if parts.is_empty() {
        parts.push("no significant change".to_string());
    }
    format!("{}: {}", verdict_name(report.verdict), parts.join(", "))
}

/// One `::error::` (blocking) or `::warning::` line per gated regression or broken metric,
/// at most as many per level as Actions shows, then a notice counting the rest.
pub fn annotations(deltas: &[Delta]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut shown: BTreeMap<&str, usize> = BTreeMap::new();
    let mut hidden = 0;
    for d in deltas {
        if !matches!(d.status, Status::Regression | Status::Broken) || d.gate == Gate::Ignore {
            continue;
        }
        let (level, name) = if d.blocking {
            (Level::Error, "error")
        } else {
            (Level::Warning, "warning")
        };
        let count = shown.entry(name).or_default();
        if *count >= MAX_ANNOTATIONS_PER_LEVEL {
            hidden += 1;
            continue;
        }
        *count += 1;
        let what = if d.status == Status::Broken {
            "broken"
        } else {
            "regression"
        };
        lines.push(annotation(
            level,
            &format!("benchgate {what}: {}", d.key),
            &d.reason,
        ));
    }
    if hidden > 0 {
        lines.push(annotation(
            Level::Notice,
            "benchgate",
            &format!("{hidden} more regressed metrics; see the job summary"),
        ));
    }
    lines
}

/// The step outputs of a report.
pub fn outputs(
    report: &Report,
    report_json: &str,
    comment_url: Option<&str>,
    baseline_sha: Option<&str>,
) -> Vec<(&'static str, String)> {
    let n = |k: &str| report.counts.get(k).copied().unwrap_or(0);
    vec![
        ("verdict", verdict_name(report.verdict).to_string()),
        ("regressions", (n("regression") + n("broken")).to_string()),
        ("improvements", (n("improvement") + n("fixed")).to_string()),
        ("missing", n("missing").to_string()),
        ("report-json", report_json.to_string()),
        ("comment-url", comment_url.unwrap_or_default().to_string()),
        ("baseline-sha", baseline_sha.unwrap_or_default().to_string()),
    ]
}

/// Appends the outputs to `GITHUB_OUTPUT` (when set) and the summary to
/// `GITHUB_STEP_SUMMARY` (when set); failures are warnings.
pub fn write_files(
    output_file: Option<&Path>,
    summary_file: Option<&Path>,
    outputs: &[(&str, String)],
    summary: Option<&str>,
) {
    if let Some(path) = output_file {
        if let Err(e) = files::append_outputs(path, outputs) {
            println!(
                "{}",
                annotation(
                    Level::Warning,
                    "benchgate: outputs not written",
                    &e.to_string()
                )
            );
        }
    }
    if let (Some(path), Some(markdown)) = (summary_file, summary) {
        if let Err(e) = files::append_summary(path, markdown) {
            println!(
                "{}",
                annotation(
                    Level::Warning,
                    "benchgate: job summary not written",
                    &e.to_string()
                )
            );
        }
    }
}

/// Prints a `::notice::` line.
pub fn notice(title: &str, message: &str) {
    println!("{}", annotation(Level::Notice, title, message));
}
