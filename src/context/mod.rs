//! The run's context: which repository, event, commits and pull request the action works
//! on, read from the `GITHUB_*` environment, the event payload at `GITHUB_EVENT_PATH` and
//! the ref/PR inputs that override them.

pub mod event;
pub mod inputs;

pub use event::{Event, PullRequest, WorkflowRun};
pub use inputs::{
    BaselineMode, CommentMode, InputError, InputSpec, Inputs, LlmInputs, Mode, OutputSpec, INPUTS,
    OUTPUTS,
};

use std::collections::BTreeMap;
use std::path::PathBuf;

/// A snapshot of the environment variables.
pub type Env = BTreeMap<String, String>;

/// The process environment (values that are not UTF-8 are converted lossily).
pub fn process_env() -> Env {
    std::env::vars_os()
        .map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        })
        .collect()
}

/// The event payload is at most this large.
const MAX_EVENT_BYTES: u64 = 32 * 1024 * 1024;

/// Why the context could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error("{0} is not set: `benchgate action` runs inside GitHub Actions (use `benchgate compare` elsewhere)")]
    Missing(&'static str),
    #[error("GITHUB_REPOSITORY `{0}` is not of the form owner/name")]
    BadRepository(String),
    #[error("cannot read the event payload {path}: {reason}")]
    EventFile { path: String, reason: String },
    #[error("event `{event}` in {path}: {reason}")]
    EventPayload {
        event: String,
        path: String,
        reason: String,
    },
}

/// `owner/name` of a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    pub owner: String,
    pub name: String,
}

impl Repo {
    /// Splits `owner/name` on the first `/`.
    pub fn parse(full_name: &str) -> Option<Repo> {
        let (owner, name) = full_name.trim().split_once('/')?;
        (!owner.is_empty() && !name.is_empty() && !name.contains('/')).then(|| Repo {
            owner: owner.to_string(),
            name: name.to_string(),
        })
    }

    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
}

/// What the head is compared against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// Runs on this branch or tag; `sha` is the exact base commit when known.
    Ref { name: String, sha: Option<String> },
    /// Release gating: the release published before `tag`.
    PreviousRelease { tag: String, prerelease: bool },
    /// The event names no base (a manual run without `base-ref`, an unknown event).
    None,
}

/// Everything the action knows about the run before it reads any benchmark file.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    pub event_name: String,
    pub event: Event,
    pub repo: Repo,
    /// REST API root without a trailing slash (`https://HOST/api/v3` on GHES).
    pub api_url: String,
    pub server_url: String,
    pub run_id: Option<u64>,
    pub run_attempt: Option<u32>,
    /// This run's workflow file name (`bench.yml`), from `GITHUB_WORKFLOW_REF`.
    pub workflow_file: Option<String>,
    pub workflow_name: Option<String>,
    pub job: Option<String>,
    pub workspace: PathBuf,
    pub runner_temp: Option<PathBuf>,
    /// The commit the head data belong to: the PR head, not the merge commit in `GITHUB_SHA`.
    pub head_sha: String,
    pub head_ref: Option<String>,
    pub base: Base,
    pub pr_number: Option<u64>,
    /// The pull request comes from a fork.
    pub fork: bool,
}

impl Context {
    /// Reads the context from `env`, applying the `base-ref`, `head-ref` and `pr-number`
    /// inputs (and, on `workflow_dispatch`, the same-named dispatch inputs) over the event.
    pub fn from_env(env: &Env, inputs: &Inputs) -> Result<Context, ContextError> {
        let var = |name: &str| {
            env.get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let event_name =
            var("GITHUB_EVENT_NAME").ok_or(ContextError::Missing("GITHUB_EVENT_NAME"))?;
        let full_name =
            var("GITHUB_REPOSITORY").ok_or(ContextError::Missing("GITHUB_REPOSITORY"))?;
        let repo = Repo::parse(&full_name).ok_or(ContextError::BadRepository(full_name))?;
        let payload = match var("GITHUB_EVENT_PATH") {
            Some(path) => read_payload(&path)?,
            None => serde_json::Value::Object(Default::default()),
        };
        let event =
            event::parse(&event_name, &payload).map_err(|reason| ContextError::EventPayload {
                event: event_name.clone(),
                path: var("GITHUB_EVENT_PATH").unwrap_or_default(),
                reason,
            })?;

        let github_sha = var("GITHUB_SHA").unwrap_or_default();
        let ref_name = var("GITHUB_REF_NAME");
        let mut head_sha = github_sha.clone();
        let mut head_ref = ref_name.clone();
        let mut base = Base::None;
        let mut pr_number = None;
        let mut fork = false;
        let mut dispatch_inputs = BTreeMap::new();
        match &event {
            Event::PullRequest(pr) => {
                head_sha = pr.head_sha.clone();
                head_ref = Some(pr.head_ref.clone());
                base = Base::Ref {
                    name: pr.base_ref.clone(),
                    sha: Some(pr.base_sha.clone()),
                };
                pr_number = Some(pr.number);
                fork = pr.fork;
            }
            Event::Push {
                git_ref,
                before,
                after,
            } => {
                if let Some(after) = after {
                    head_sha = after.clone();
                }
                if let Some(tag) = git_ref.strip_prefix("refs/tags/") {
                    head_ref = Some(tag.to_string());
                    base = Base::PreviousRelease {
                        tag: tag.to_string(),
                        prerelease: false,
                    };
                } else if let Some(branch) = git_ref.strip_prefix("refs/heads/") {
                    head_ref = Some(branch.to_string());
                    base = Base::Ref {
                        name: branch.to_string(),
                        sha: before.clone(),
                    };
                }
            }
            Event::Release { tag, prerelease } => {
                head_ref = Some(tag.clone());
                base = Base::PreviousRelease {
                    tag: tag.clone(),
                    prerelease: *prerelease,
                };
            }
            Event::Dispatch { inputs } => dispatch_inputs = inputs.clone(),
            Event::WorkflowRun(run) => {
                head_sha = run.head_sha.clone();
                head_ref = run.head_branch.clone();
                pr_number = run.pull_requests.first().copied();
                if let Some((name, sha)) = &run.pr_base {
                    base = Base::Ref {
                        name: name.clone(),
                        sha: Some(sha.clone()),
                    };
                }
                fork = match (&run.head_repo, run.pull_requests.is_empty()) {
                    (Some(h), _) => !h.eq_ignore_ascii_case(&repo.full_name()),
                    (None, empty) => empty,
                };
            }
            Event::Schedule => {
                if let Some(branch) = &ref_name {
                    base = Base::Ref {
                        name: branch.clone(),
                        sha: None,
                    };
                }
            }
            Event::Other => {}
        }

        let dispatch = |names: &[&str]| {
            names.iter().find_map(|n| {
                dispatch_inputs
                    .get(*n)
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
            })
        };
        if let Some(name) = inputs
            .base_ref
            .clone()
            .or_else(|| dispatch(&["base-ref", "base_ref"]))
        {
            base = Base::Ref { name, sha: None };
        }
        if let Some(r) = inputs
            .head_ref
            .clone()
            .or_else(|| dispatch(&["head-ref", "head_ref"]))
        {
            head_ref = Some(r);
        }
        if let Some(n) = inputs.pr_number.or_else(|| {
            dispatch(&["pr-number", "pr_number"]).and_then(|v| inputs::parse_pr_number(&v))
        }) {
            pr_number = Some(n);
        }

        let server_url = var("GITHUB_SERVER_URL")
            .unwrap_or_else(|| "https://github.com".into())
            .trim_end_matches('/')
            .to_string();
        Ok(Context {
            event_name,
            event,
            repo,
            api_url: var("GITHUB_API_URL")
                .unwrap_or_else(|| "https://api.github.com".into())
                .trim_end_matches('/')
                .to_string(),
            server_url,
            run_id: var("GITHUB_RUN_ID").and_then(|v| v.parse().ok()),
            run_attempt: var("GITHUB_RUN_ATTEMPT").and_then(|v| v.parse().ok()),
            workflow_file: var("GITHUB_WORKFLOW_REF").and_then(|r| event::workflow_file_name(&r)),
            workflow_name: var("GITHUB_WORKFLOW"),
            job: var("GITHUB_JOB"),
            workspace: var("GITHUB_WORKSPACE")
                .map(PathBuf::from)
                .or_else(|| std::env::current_dir().ok())
                .unwrap_or_else(|| PathBuf::from(".")),
            runner_temp: var("RUNNER_TEMP").map(PathBuf::from),
            head_sha,
            head_ref,
            base,
            pr_number,
            fork,
        })
    }

    /// The link to this workflow run, when the run id is known.
    pub fn run_url(&self) -> Option<String> {
        self.run_id.map(|id| {
            format!(
                "{}/{}/actions/runs/{id}",
                self.server_url,
                self.repo.full_name()
            )
        })
    }

    /// The event whose policy applies: `tag` for a pushed tag, and on `workflow_run` the
    /// triggering run's event (a report for a pull request follows the pull-request policy).
    pub fn policy_event(&self) -> &str {
        match &self.event {
            Event::WorkflowRun(run) if !run.event.is_empty() => &run.event,
            Event::Push { git_ref, .. } if git_ref.starts_with("refs/tags/") => "tag",
            _ => &self.event_name,
        }
    }

    /// A `pull_request` run from a fork gets a read-only token and no secrets.
    pub fn read_only_token(&self) -> bool {
        self.fork && self.event_name == "pull_request"
    }

    /// The base commit, when the event names one.
    pub fn base_sha(&self) -> Option<&str> {
        match &self.base {
            Base::Ref { sha, .. } => sha.as_deref(),
            _ => None,
        }
    }

    /// The `workflow_run` that triggered this run, if any.
    pub fn workflow_run(&self) -> Option<&WorkflowRun> {
        match &self.event {
            Event::WorkflowRun(run) => Some(run),
            _ => None,
        }
    }

    /// The report's `run` object: `event`, `repo`, `repo_url`, `pr`, `head_sha`, `run_url` for
    /// the templates, plus refs, fork and workflow.
    pub fn describe(&self) -> serde_json::Value {
        let (base_ref, base_sha) = match &self.base {
            Base::Ref { name, sha } => (Some(name.clone()), sha.clone()),
            Base::PreviousRelease { tag, .. } => (Some(format!("release before {tag}")), None),
            Base::None => (None, None),
        };
        serde_json::json!({
            "event": self.event_name,
            "repo": self.repo.full_name(),
            "repo_url": format!("{}/{}", self.server_url, self.repo.full_name()),
            "pr": self.pr_number,
            "head_sha": self.head_sha,
            "head_ref": self.head_ref,
            "base_ref": base_ref,
            "base_sha": base_sha,
            "fork": self.fork,
            "run_id": self.run_id,
            "run_attempt": self.run_attempt,
            "run_url": self.run_url(),
            "workflow": self.workflow_file.as_ref().or(self.workflow_name.as_ref()),
        })
    }
}

fn read_payload(path: &str) -> Result<serde_json::Value, ContextError> {
    let err = |reason: String| ContextError::EventFile {
        path: path.to_string(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|e| err(e.to_string()))?;
    if meta.len() > MAX_EVENT_BYTES {
        return Err(err(format!("larger than {MAX_EVENT_BYTES} bytes")));
    }
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| err(format!("not valid JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        format!(
            "{}/tests/fixtures/events/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        )
    }

    fn context(event: &str, fixture_name: &str, extra: &[(&str, &str)]) -> Context {
        let mut env: Env = [
            ("GITHUB_EVENT_NAME", event),
            ("GITHUB_REPOSITORY", "acme/widgets"),
            ("GITHUB_SHA", "ffffffffffffffffffffffffffffffffffffffff"),
            ("GITHUB_REF_NAME", "main"),
            ("GITHUB_RUN_ID", "9001"),
            (
                "GITHUB_WORKFLOW_REF",
                "acme/widgets/.github/workflows/bench.yml@refs/heads/main",
            ),
            ("GITHUB_API_URL", "https://ghe.example.com/api/v3/"),
            ("GITHUB_SERVER_URL", "https://ghe.example.com"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        env.insert("GITHUB_EVENT_PATH".into(), fixture(fixture_name));
        for (k, v) in extra {
            env.insert(k.to_string(), v.to_string());
        }
        let inputs = Inputs::from_env(&env).unwrap();
        Context::from_env(&env, &inputs).unwrap()
    }

    #[test]
    fn pull_request_uses_the_head_sha_not_the_merge_commit() {
        let c = context("pull_request", "pull_request", &[]);
        assert_eq!(c.head_sha, "8f3c1e2d4b5a69788796a5b4c3d2e1f0a9b8c7d6");
        assert_eq!(c.head_ref.as_deref(), Some("faster-tokenizer"));
        assert_eq!(
            c.base,
            Base::Ref {
                name: "main".into(),
                sha: Some("1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d".into())
            }
        );
        assert_eq!(c.pr_number, Some(42));
        assert!(!c.fork);
        assert!(!c.read_only_token());
        assert_eq!(c.api_url, "https://ghe.example.com/api/v3");
        assert_eq!(c.workflow_file.as_deref(), Some("bench.yml"));
        assert_eq!(
            c.run_url().as_deref(),
            Some("https://ghe.example.com/acme/widgets/actions/runs/9001")
        );
    }

    #[test]
    fn fork_pull_request_is_read_only() {
        let c = context("pull_request", "pull_request_fork", &[]);
        assert!(c.fork);
        assert!(c.read_only_token());
        assert_eq!(c.pr_number, Some(57));
        let t = context("pull_request_target", "pull_request_fork", &[]);
        assert!(t.fork);
        assert!(!t.read_only_token());
    }

    #[test]
    fn push_to_a_branch_compares_with_the_previous_commit() {
        let c = context("push", "push_branch", &[]);
        assert_eq!(c.head_sha, "5d4c3b2a19f8e7d6c5b4a39281706f5e4d3c2b1a");
        assert_eq!(
            c.base,
            Base::Ref {
                name: "main".into(),
                sha: Some("1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d".into())
            }
        );
        assert_eq!(c.pr_number, None);
    }

    #[test]
    fn tags_and_releases_gate_against_the_previous_release() {
        let c = context("push", "push_tag", &[]);
        assert_eq!(c.policy_event(), "tag");
        assert_eq!(
            c.base,
            Base::PreviousRelease {
                tag: "v1.4.0".into(),
                prerelease: false
            }
        );
        let r = context("release", "release", &[]);
        assert_eq!(r.head_ref.as_deref(), Some("v1.4.0"));
        assert!(matches!(r.base, Base::PreviousRelease { ref tag, .. } if tag == "v1.4.0"));
        let over = context("release", "release", &[("INPUT_BASE-REF", "v1.2.0")]);
        assert_eq!(
            over.base,
            Base::Ref {
                name: "v1.2.0".into(),
                sha: None
            }
        );
    }

    #[test]
    fn dispatch_inputs_are_strings_in_the_payload() {
        let c = context("workflow_dispatch", "workflow_dispatch", &[]);
        assert_eq!(
            c.base,
            Base::Ref {
                name: "release/1.3".into(),
                sha: None
            }
        );
        assert_eq!(c.head_ref.as_deref(), Some("main"));
        assert_eq!(c.pr_number, Some(42));
        assert_eq!(c.head_sha, "ffffffffffffffffffffffffffffffffffffffff");
        // An explicit action input wins over the dispatch payload.
        let c = context(
            "workflow_dispatch",
            "workflow_dispatch",
            &[("INPUT_PR-NUMBER", "7")],
        );
        assert_eq!(c.pr_number, Some(7));
    }

    #[test]
    fn workflow_run_reads_the_triggering_run() {
        let c = context("workflow_run", "workflow_run", &[]);
        let run = c.workflow_run().unwrap();
        assert_eq!(run.id, 30433642);
        assert_eq!(run.workflow_file.as_deref(), Some("bench.yml"));
        assert_eq!(c.head_sha, "8f3c1e2d4b5a69788796a5b4c3d2e1f0a9b8c7d6");
        assert_eq!(c.pr_number, Some(42));
        assert!(!c.fork);
        assert_eq!(c.policy_event(), "pull_request");
        assert_eq!(
            c.base,
            Base::Ref {
                name: "main".into(),
                sha: Some("1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d".into())
            }
        );

        let f = context("workflow_run", "workflow_run_fork", &[]);
        assert_eq!(f.pr_number, None);
        assert!(f.fork);
        assert_eq!(f.workflow_run().unwrap().pull_requests, Vec::<u64>::new());
        assert_eq!(f.base, Base::None);
    }

    #[test]
    fn schedule_compares_with_the_branch() {
        let c = context("schedule", "schedule", &[]);
        assert_eq!(
            c.base,
            Base::Ref {
                name: "main".into(),
                sha: None
            }
        );
        assert_eq!(c.head_sha, "ffffffffffffffffffffffffffffffffffffffff");
    }

    #[test]
    fn missing_environment_is_named() {
        let env: Env = [("GITHUB_EVENT_NAME".to_string(), "push".to_string())].into();
        let inputs = Inputs::from_env(&env).unwrap();
        let e = Context::from_env(&env, &inputs).unwrap_err();
        assert!(
            e.to_string().starts_with("GITHUB_REPOSITORY is not set"),
            "{e}"
        );
    }
}
