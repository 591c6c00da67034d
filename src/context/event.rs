//! The triggering event, read from the webhook payload at `GITHUB_EVENT_PATH`: only the
//! fields the action needs, with nullable fields (a deleted fork's `head.repo`, an empty
//! `pull_requests` list) handled rather than trusted.

use serde_json::Value;
use std::collections::BTreeMap;

/// A pull request as the payload describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    pub number: u64,
    pub head_sha: String,
    pub head_ref: String,
    pub base_ref: String,
    pub base_sha: String,
    /// The head lives in another repository (so a `pull_request` run gets a read-only token).
    pub fork: bool,
}

/// The run that triggered a `workflow_run` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowRun {
    pub id: u64,
    pub head_sha: String,
    pub head_branch: Option<String>,
    /// The event of the triggering run (`pull_request`, `push`, ...).
    pub event: String,
    pub conclusion: Option<String>,
    /// File name of the triggering workflow (`bench.yml`), from `workflow_run.path`.
    pub workflow_file: Option<String>,
    /// `owner/name` the triggering run's head commit came from.
    pub head_repo: Option<String>,
    /// Same-repository pull requests of the run (empty for forks).
    pub pull_requests: Vec<u64>,
    /// Base branch and commit of the first of those pull requests.
    pub pr_base: Option<(String, String)>,
}

/// The fields of the event payload the action uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `pull_request` or `pull_request_target`.
    PullRequest(PullRequest),
    Push {
        /// `refs/heads/x` or `refs/tags/x`.
        git_ref: String,
        /// The commit before the push; `None` for a new branch (all zeros).
        before: Option<String>,
        after: Option<String>,
    },
    Release {
        tag: String,
        prerelease: bool,
    },
    /// `workflow_dispatch`: its inputs, all strings in the payload.
    Dispatch {
        inputs: BTreeMap<String, String>,
    },
    WorkflowRun(WorkflowRun),
    Schedule,
    /// Any other event: only the environment describes it.
    Other,
}

/// Reads the event `name` from its payload. Missing or mistyped fields give a message
/// naming the field.
pub fn parse(name: &str, payload: &Value) -> Result<Event, String> {
    match name {
        "pull_request" | "pull_request_target" => {
            let pr = payload
                .get("pull_request")
                .ok_or("the payload has no `pull_request` object")?;
            Ok(Event::PullRequest(pull_request(pr, payload)?))
        }
        "push" => Ok(Event::Push {
            git_ref: string(payload, &["ref"]).ok_or("the payload has no `ref`")?,
            before: string(payload, &["before"]).filter(|s| !is_null_sha(s)),
            after: string(payload, &["after"]).filter(|s| !is_null_sha(s)),
        }),
        "release" => Ok(Event::Release {
            tag: string(payload, &["release", "tag_name"])
                .ok_or("the payload has no `release.tag_name`")?,
            prerelease: payload
                .pointer("/release/prerelease")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        }),
        "workflow_dispatch" => {
            let inputs = payload
                .get("inputs")
                .and_then(Value::as_object)
                .map(|o| {
                    o.iter()
                        .filter_map(|(k, v)| {
                            let text = match v {
                                Value::String(s) => s.clone(),
                                Value::Bool(_) | Value::Number(_) => v.to_string(),
                                _ => return None,
                            };
                            Some((k.clone(), text))
                        })
                        .collect()
                })
                .unwrap_or_default();
            Ok(Event::Dispatch { inputs })
        }
        "workflow_run" => {
            let run = payload
                .get("workflow_run")
                .ok_or("the payload has no `workflow_run` object")?;
            Ok(Event::WorkflowRun(workflow_run(run)?))
        }
        "schedule" => Ok(Event::Schedule),
        _ => Ok(Event::Other),
    }
}

fn pull_request(pr: &Value, payload: &Value) -> Result<PullRequest, String> {
    let number = pr
        .get("number")
        .or_else(|| payload.get("number"))
        .and_then(Value::as_u64)
        .ok_or("the payload has no `pull_request.number`")?;
    let field = |path: &[&str]| -> Result<String, String> {
        string(pr, path)
            .ok_or_else(|| format!("the payload has no `pull_request.{}`", path.join(".")))
    };
    let head_repo_value = pr.pointer("/head/repo").filter(|v| !v.is_null());
    let head_repo = head_repo_value.and_then(|r| string(r, &["full_name"]));
    let base_repo = string(pr, &["base", "repo", "full_name"]);
    // A same-repository PR in a repository that is itself a fork has `head.repo.fork: true`,
    // so the names decide when both are known; the flag only when a name is missing.
    let fork = match (&head_repo_value, &head_repo, &base_repo) {
        (None, _, _) => true,
        (Some(_), Some(h), Some(b)) => !h.eq_ignore_ascii_case(b),
        (Some(r), _, _) => r.get("fork").and_then(Value::as_bool).unwrap_or(false),
    };
    Ok(PullRequest {
        number,
        head_sha: field(&["head", "sha"])?,
        head_ref: field(&["head", "ref"])?,
        base_ref: field(&["base", "ref"])?,
        base_sha: field(&["base", "sha"])?,
        fork,
    })
}

fn workflow_run(run: &Value) -> Result<WorkflowRun, String> {
    Ok(WorkflowRun {
        id: run
            .get("id")
            .and_then(Value::as_u64)
            .ok_or("the payload has no `workflow_run.id`")?,
        head_sha: string(run, &["head_sha"]).ok_or("the payload has no `workflow_run.head_sha`")?,
        head_branch: string(run, &["head_branch"]),
        event: string(run, &["event"]).unwrap_or_default(),
        conclusion: string(run, &["conclusion"]),
        workflow_file: string(run, &["path"]).and_then(|p| workflow_file_name(&p)),
        head_repo: string(run, &["head_repository", "full_name"]),
        pull_requests: run
            .get("pull_requests")
            .and_then(Value::as_array)
            .map(|prs| {
                prs.iter()
                    .filter_map(|p| p.get("number").and_then(Value::as_u64))
                    .collect()
            })
            .unwrap_or_default(),
        pr_base: run
            .pointer("/pull_requests/0/base")
            .and_then(|b| Some((string(b, &["ref"])?, string(b, &["sha"])?))),
    })
}

/// The file name of a workflow path or ref: `.github/workflows/bench.yml@refs/heads/main`
/// and `owner/repo/.github/workflows/bench.yml@refs/pull/1/merge` both give `bench.yml`.
pub fn workflow_file_name(path_or_ref: &str) -> Option<String> {
    let path = path_or_ref.split('@').next().unwrap_or(path_or_ref);
    let name = path.rsplit('/').next().unwrap_or(path).trim();
    (!name.is_empty()).then(|| name.to_string())
}

fn string(v: &Value, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

fn is_null_sha(s: &str) -> bool {
    s.chars().all(|c| c == '0')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fork_is_decided_by_repository_names() {
        let mk = |head_repo: Value| {
            json!({"number": 3, "pull_request": {
                "number": 3,
                "head": {"sha": "h", "ref": "feature", "repo": head_repo},
                "base": {"sha": "b", "ref": "main", "repo": {"full_name": "acme/app", "fork": true}}
            }})
        };
        let fork_of = |payload: &Value| match parse("pull_request", payload).unwrap() {
            Event::PullRequest(pr) => pr.fork,
            other => panic!("{other:?}"),
        };
        // Same repository, even though that repository is itself a fork.
        assert!(!fork_of(&mk(
            json!({"full_name": "acme/app", "fork": true})
        )));
        assert!(fork_of(&mk(
            json!({"full_name": "mallory/app", "fork": true})
        )));
        // The fork was deleted.
        assert!(fork_of(&mk(Value::Null)));
        // No name: the flag decides.
        assert!(fork_of(&mk(json!({"fork": true}))));
    }

    #[test]
    fn push_of_a_new_branch_has_no_before() {
        let e = parse(
            "push",
            &json!({"ref": "refs/heads/x", "before": "0000000000000000000000000000000000000000", "after": "abc"}),
        )
        .unwrap();
        assert_eq!(
            e,
            Event::Push {
                git_ref: "refs/heads/x".into(),
                before: None,
                after: Some("abc".into())
            }
        );
    }

    #[test]
    fn missing_fields_are_named() {
        let e = parse(
            "pull_request",
            &json!({"pull_request": {"number": 1, "head": {}}}),
        )
        .unwrap_err();
        assert_eq!(e, "the payload has no `pull_request.head.sha`");
        assert_eq!(
            parse("workflow_run", &json!({})).unwrap_err(),
            "the payload has no `workflow_run` object"
        );
    }

    #[test]
    fn workflow_file_from_ref_or_path() {
        assert_eq!(
            workflow_file_name("acme/app/.github/workflows/bench.yml@refs/heads/main").as_deref(),
            Some("bench.yml")
        );
        assert_eq!(
            workflow_file_name(".github/workflows/ci.yaml").as_deref(),
            Some("ci.yaml")
        );
        assert_eq!(workflow_file_name(""), None);
    }
}
