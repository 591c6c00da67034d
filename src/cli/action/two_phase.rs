//! The fork-safe two-phase pattern: `mode: collect` on the untrusted pull request bundles
//! the head data and the run's claims for upload-artifact; `mode: report` on `workflow_run`
//! downloads that bundle, checks its claims against the triggering run and the API, and
//! only then compares and publishes.

use super::bundle::{self, Metadata};
use super::head::{self, HeadData};
use super::pipeline::Job;
use super::publish;
use crate::baseline::artifacts::{name_matcher, Downloader, Limits};
use crate::baseline::short_sha;
use crate::cli::exit;
use crate::cli::failure::Failure;
use crate::context::Base;
use crate::github::commands::{annotation, plain, Level};
use crate::github::runs;

impl Job<'_> {
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
        let dir = work.subdir("head")?;
        let matcher = name_matcher(&self.inputs.artifact_name)?;
        let mut notes = Vec::new();
        let downloader = Downloader {
            client: &self.client,
            repo: &ctx.repo,
            work: &work,
            limits: Limits::default(),
            head_folders: &std::collections::BTreeSet::new(),
        };
        let files = self.rt.block_on(downloader.fetch_run(
            run.id,
            &run.head_sha,
            &matcher,
            &dir,
            &mut notes,
        ))?;
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
}
