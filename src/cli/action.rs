//! The `action` subcommand: benchgate as a GitHub Action. Everything comes from the
//! environment (`INPUT_*` and `GITHUB_*`); tokens are masked before anything is printed.
//! `mode: run` scans, fetches the baseline, compares and publishes; `mode: collect` and
//! `mode: report` are the two halves of the fork-safe pattern ([`bundle`]).
//!
//! Exit codes: 0 pass, warn or no baseline; 1 a gated regression (after `fail-on`); 2 a
//! usage or configuration error; 3 an internal failure.

mod bundle;
mod head;
mod pipeline;
mod publish;
mod settings;
mod two_phase;

use super::failure::{describe, Failure};
use crate::context::{self, inputs, Context, ContextError, Env, Inputs, Mode};
use crate::github::commands::{add_mask, annotation, Level};

#[derive(Debug, clap::Args)]
pub struct ActionArgs {}

pub fn run(_args: ActionArgs) -> u8 {
    let env = context::process_env();
    // Mask the secrets before any line that could contain them is printed.
    for name in ["github-token", "llm-token"] {
        if let Some(secret) = env
            .get(&inputs::env_name(name))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
        {
            println!("{}", add_mask(secret));
        }
    }
    match execute(&env) {
        Ok(code) => code,
        Err(failure) => {
            println!(
                "{}",
                annotation(Level::Error, "benchgate", &describe(&failure.error))
            );
            failure.code
        }
    }
}

fn execute(env: &Env) -> Result<u8, Failure> {
    let inputs = Inputs::from_env(env).map_err(Failure::usage)?;
    let ctx = Context::from_env(env, &inputs).map_err(|e| {
        let usage = !matches!(e, ContextError::EventFile { .. });
        Failure::classify(usage, e)
    })?;
    if ctx.event_name == "pull_request_target" {
        println!(
            "{}",
            annotation(
                Level::Warning,
                "benchgate: pull_request_target",
                "This job holds a write token and the repository's secrets while acting on a pull request that may come from a fork. Do not check out or run the pull request's code in it: the policy file, templates and benchmark files in the workspace are whatever the job checked out. For fork pull requests use `mode: collect` on `pull_request` and `mode: report` on `workflow_run` (see docs/security.md)."
            )
        );
    }
    let job = pipeline::Job::new(ctx, &inputs, env)?;
    match inputs.mode {
        Mode::Collect => job.collect(),
        Mode::Run => job.run(),
        Mode::Report => job.report(),
    }
}
