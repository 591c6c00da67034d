//! What the inputs ask for, resolved against the run: the policy (file, event section,
//! threshold and `fail-on` inputs), the baseline source, the LLM settings and template paths.

use super::head::HeadData;
use super::pipeline::Job;
use crate::analyze::{Api, LlmArgs, LlmSettings, Secret};
use crate::baseline::artifacts::{self as from_artifacts, Limits};
use crate::baseline::history_branch::Place;
use crate::baseline::{git, path, Baseline, WorkDir};
use crate::cli::failure::Failure;
use crate::config::{CliOverrides, Config, Policy, DEFAULT_FILE};
use crate::context::{Base, BaselineMode, Context};
use crate::github::commands::{annotation, Level};
use std::path::PathBuf;

impl Job<'_> {
    /// The policy file the `config` input names (inside the workspace). The default name
    /// (which the runner sets whenever the input is left out) may be absent: the built-in
    /// policy applies. Any other name must exist.
    pub(super) fn config(&self, ctx: &Context) -> Result<Config, Failure> {
        let name = self.inputs.config.as_deref().unwrap_or(DEFAULT_FILE);
        let file =
            path::inside_workspace(&ctx.workspace, name, "config").map_err(Failure::usage)?;
        if is_default_name(name) {
            Config::load_or_default(&file)
        } else if !file.exists() {
            return Err(Failure::usage(anyhow::anyhow!(
                "input `config`: the policy file `{name}` does not exist in the workspace; create it, or leave the input out to use `{DEFAULT_FILE}` or the built-in policy"
            )));
        } else {
            Config::load(&file)
        }
        .map_err(|e| Failure::usage(anyhow::Error::new(e).context("fix the policy file")))
    }

    /// The policy for the event, with the threshold, history and `fail-on` inputs on top.
    pub(super) fn policy(&self, ctx: &Context, config: &Config) -> Result<Policy, Failure> {
        let overrides = CliOverrides {
            warn_pct: self.inputs.warn_threshold,
            fail_pct: self.inputs.fail_threshold,
            history_runs: self.inputs.history.map(|n| n as usize - 1),
            fail_on: self.inputs.fail_on.clone(),
            ..CliOverrides::default()
        };
        Policy::resolve(config, Some(ctx.policy_event()), &overrides)
            .map_err(|e| Failure::usage(anyhow::Error::new(e).context("the threshold inputs")))
    }

    /// Finds and fetches the baseline the `baseline` input asks for (or the default).
    pub(super) fn baseline(
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
                path::from_dir(&ctx.workspace, dir).map_err(Failure::from)
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
                    .map_err(Failure::from)
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
                let head_folders = head.top_folders();
                let search = from_artifacts::Search {
                    client: &self.client,
                    repo: &ctx.repo,
                    workflow,
                    base: &base,
                    exclude_run: ctx.run_id,
                    artifact_name: &inputs.artifact_name,
                    history: runs as u32,
                    limits: Limits::default(),
                    head_folders: &head_folders,
                };
                let found = self
                    .rt
                    .block_on(from_artifacts::fetch(&search, work))
                    .map_err(Failure::from)?;
                Ok(self.or_from_history(ctx, found, &base, runs, work))
            }
        }
    }

    /// `found`, or, when it has no snapshot and a `history-branch` is set, the baseline the
    /// history branch keeps (a history branch that cannot be read only adds a note).
    fn or_from_history(
        &self,
        ctx: &Context,
        mut found: Baseline,
        base: &Base,
        runs: usize,
        work: &WorkDir,
    ) -> Baseline {
        let Some(place) = self.history_place(ctx) else {
            return found;
        };
        if !found.snapshots.is_empty() {
            return found;
        }
        match self.rt.block_on(place.fetch(base, runs, work)) {
            Ok(mut kept) if !kept.snapshots.is_empty() => {
                found.notes.append(&mut kept.notes);
                kept.notes = found.notes;
                kept
            }
            Ok(none) => {
                found.notes.extend(none.notes);
                found
            }
            Err(e) => {
                found.notes.push(format!(
                    "The history branch `{}` could not be read: {e}",
                    place.branch
                ));
                found
            }
        }
    }

    /// The history branch of this configuration, when the `history-branch` input is set.
    pub(super) fn history_place<'a>(&'a self, ctx: &'a Context) -> Option<Place<'a>> {
        let branch = self.inputs.history_branch.as_deref()?;
        Some(Place {
            client: &self.client,
            repo: &ctx.repo,
            branch,
            key: self.history_key.as_str(),
        })
    }

    /// The LLM settings: the policy file's `llm:` section with the `llm-*` inputs on top.
    /// The file comes with the checkout, so on a pull request it is the pull request's: its
    /// `prompt-template` must lie inside the workspace, and its `url` is not used when the
    /// `llm-token` input is set (the token goes only to `llm-url` or `OLLAMA_HOST`).
    pub(super) fn llm_settings(&self, config: &Config) -> Result<LlmSettings, Failure> {
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
        let args = LlmArgs {
            llm: llm.enabled == Some(true),
            no_llm: llm.enabled == Some(false),
            url: llm.url.clone(),
            model: llm.model.clone(),
            api,
            options,
            timeout: llm.timeout_secs,
            token: llm.token.clone().map(Secret::new),
            required: llm.required,
            ..LlmArgs::default()
        };
        let mut file = config.llm.clone().unwrap_or_default();
        if let Some(template) = &file.prompt_template {
            let inside = path::inside_workspace(
                &self.ctx.workspace,
                &template.to_string_lossy(),
                "llm.prompt-template",
            )
            .map_err(|e| {
                Failure::usage(anyhow::Error::new(e).context(format!("fix {}", config.path)))
            })?;
            file.prompt_template = Some(inside);
        }
        let trusted_url = LlmSettings::default().url;
        let enabled = llm.enabled.unwrap_or(file.enabled);
        if enabled && llm.token.is_some() && llm.url.is_none() && file.url != trusted_url {
            println!(
                "{}",
                annotation(
                    Level::Warning,
                    "benchgate: llm.url ignored",
                    &format!(
                        "`llm.url` in {} is not used because the `llm-token` input is set: the token is only sent to the `llm-url` input or OLLAMA_HOST ({trusted_url}). Set the `llm-url` input instead.",
                        config.path
                    )
                )
            );
            file.url = trusted_url;
        }
        Ok(args.apply(file))
    }

    pub(super) fn template(
        &self,
        input: Option<&str>,
        name: &str,
    ) -> Result<Option<PathBuf>, Failure> {
        input
            .map(|p| path::inside_workspace(&self.ctx.workspace, p, name).map_err(Failure::usage))
            .transpose()
    }
}

/// Whether the `config` input names the default policy file (`.benchgate.yml`, also written
/// `./.benchgate.yml`).
fn is_default_name(name: &str) -> bool {
    std::path::Path::new(name.trim_start_matches("./")) == std::path::Path::new(DEFAULT_FILE)
}
