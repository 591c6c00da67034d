//! The action's inputs: one table ([`INPUTS`]) that names every input, its `action.yml`
//! default and its description, and the typed [`Inputs`] read from the `INPUT_<NAME>`
//! variables the runner sets (upper-cased, hyphens kept, trimmed; empty means unset).

use super::Env;
use crate::config::FailOn;
use std::fmt;

/// One input of the action, as declared in `action.yml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputSpec {
    pub name: &'static str,
    /// The `default:` written in `action.yml`; empty when the input has none (the code then
    /// derives the value from the run, as the description says).
    pub default: &'static str,
    pub description: &'static str,
}

/// One output of the action, as declared in `action.yml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputSpec {
    pub name: &'static str,
    pub description: &'static str,
}

/// Every input the action reads. `action.yml` must declare exactly these.
pub const INPUTS: &[InputSpec] = &[
    InputSpec {
        name: "path",
        default: "",
        description: "Head benchmark data: a directory or newline-separated globs, relative to the workspace. Defaults to `artifacts-dir`.",
    },
    InputSpec {
        name: "artifacts-dir",
        default: "benchmarks",
        description: "Directory (relative to the workspace) holding this run's benchmark files when `path` is not set.",
    },
    InputSpec {
        name: "baseline",
        default: "",
        description: "Where the baseline comes from: `artifacts` (the base branch's latest successful run of this workflow), `path`, `git` or `none`. Default: `artifacts` when a token is available, else `none`.",
    },
    InputSpec {
        name: "baseline-path",
        default: "",
        description: "Baseline directory (relative to the workspace) for `baseline: path`, or the folder inside the repository for `baseline: git`. For `git` it defaults to `path`.",
    },
    InputSpec {
        name: "baseline-ref",
        default: "",
        description: "Git ref or SHA to read the baseline from with `baseline: git`. Defaults to the base commit.",
    },
    InputSpec {
        name: "artifact-name",
        default: "*",
        description: "Glob of the artifact names to download from the baseline run.",
    },
    InputSpec {
        name: "workflow",
        default: "",
        description: "Workflow file whose runs hold the baseline artifacts (e.g. `bench.yml`). Defaults to this run's workflow (or, on `workflow_run`, the triggering one).",
    },
    InputSpec {
        name: "history",
        default: "",
        description: "How many baseline runs to fetch (default 1, or the policy file's `history.runs` + 1); more than 1 adds a noise band and a trend chart for each regressed metric.",
    },
    InputSpec {
        name: "history-branch",
        default: "",
        description: "A branch of the repository that keeps a durable history (e.g. `benchgate-data`): runs on pushes and releases record a compact summary of their results in it (needs `contents: write`), and when the baseline's artifacts are gone (expired) the baseline comes from it. Off when empty.",
    },
    InputSpec {
        name: "config",
        default: ".benchgate.yml",
        description: "Policy file, relative to the workspace. The default `.benchgate.yml` may be absent (built-in policy); another path must exist.",
    },
    InputSpec {
        name: "warn-threshold",
        default: "",
        description: "Relative change (percent) that makes a metric a warning; overrides the policy file.",
    },
    InputSpec {
        name: "fail-threshold",
        default: "",
        description: "Relative change (percent) that makes a metric a failing regression; overrides the policy file.",
    },
    InputSpec {
        name: "fail-on",
        default: "",
        description: "What fails the job, in the policy file's `fail_on` words: a list of `regression`, `broken`, `missing`, `warn`, `no_baseline`, `no_data` (e.g. `regression, broken, no_data`), or `never`. Replaces the policy's list; default: the policy's `fail_on`.",
    },
    InputSpec {
        name: "comment",
        default: "always",
        description: "When to post the sticky PR comment: `always`, `on-change`, `on-regression` or `off`. An existing comment is always kept up to date.",
    },
    InputSpec {
        name: "title",
        default: "",
        description: "Title of this report (e.g. the matrix leg, `bench (linux)`): heads the comment and the summary, and keys the sticky comment, so each leg of a matrix keeps its own comment.",
    },
    InputSpec {
        name: "comment-id",
        default: "",
        description: "Identifies the sticky comment (several configurations can each keep one). Defaults to the workflow file and job id.",
    },
    InputSpec {
        name: "template",
        default: "",
        description: "Path of a minijinja template for the PR comment (relative to the workspace).",
    },
    InputSpec {
        name: "summary-template",
        default: "",
        description: "Path of a minijinja template for the job summary (relative to the workspace).",
    },
    InputSpec {
        name: "check-run",
        default: "false",
        description: "Also create a check run on the head commit (needs `checks: write`).",
    },
    InputSpec {
        name: "mode",
        default: "run",
        description: "`run` (everything), `collect` (untrusted PR: bundle head data and PR metadata for upload-artifact) or `report` (on `workflow_run`: download that bundle, verify it, compare and comment).",
    },
    InputSpec {
        name: "llm",
        default: "",
        description: "`on` or `off`: ask a self-hosted LLM for a grounded analysis of the results. Default: the policy file's `llm.enabled`, else off.",
    },
    InputSpec {
        name: "llm-url",
        default: "",
        description: "Base URL of the LLM server (e.g. `http://ollama:11434`).",
    },
    InputSpec {
        name: "llm-model",
        default: "",
        description: "Model name for the analysis. Default: the policy file's `llm.model`, else `gemma3`.",
    },
    InputSpec {
        name: "llm-api",
        default: "",
        description: "API flavour of the LLM server: `ollama` or `openai`. Default: the policy file's `llm.api`, else `ollama`.",
    },
    InputSpec {
        name: "llm-options",
        default: "",
        description: "Model options as a JSON object (e.g. `{\"num_ctx\": 8192}`).",
    },
    InputSpec {
        name: "llm-timeout",
        default: "",
        description: "Time limit for the analysis in seconds. Default: the policy file's `llm.timeout`, else 120.",
    },
    InputSpec {
        name: "llm-token",
        default: "",
        description: "Bearer token for a proxy in front of the LLM server.",
    },
    InputSpec {
        name: "llm-required",
        default: "false",
        description: "Fail the job when the analysis cannot be produced.",
    },
    InputSpec {
        name: "github-token",
        default: "${{ github.token }}",
        description: "Token for the GitHub REST API (`actions: read` for baseline artifacts, `pull-requests: write` for the comment, `checks: write` for a check run).",
    },
    InputSpec {
        name: "base-ref",
        default: "",
        description: "Base branch or tag to compare against (overrides the event; used by `workflow_dispatch` and release gating).",
    },
    InputSpec {
        name: "head-ref",
        default: "",
        description: "Head ref being measured (overrides the event).",
    },
    InputSpec {
        name: "pr-number",
        default: "",
        description: "Pull request to comment on (overrides the event).",
    },
];

/// Every output the action writes to `GITHUB_OUTPUT`.
pub const OUTPUTS: &[OutputSpec] = &[
    OutputSpec {
        name: "verdict",
        description: "`pass`, `warn`, `fail`, `no-baseline` or `no-data`.",
    },
    OutputSpec {
        name: "regressions",
        description: "Number of regressed or broken metrics.",
    },
    OutputSpec {
        name: "improvements",
        description: "Number of improved or fixed metrics.",
    },
    OutputSpec {
        name: "missing",
        description: "Number of baseline metrics absent from the head data.",
    },
    OutputSpec {
        name: "report-json",
        description: "Path of the JSON report, relative to the workspace.",
    },
    OutputSpec {
        name: "comment-url",
        description: "URL of the sticky PR comment, when one was written.",
    },
    OutputSpec {
        name: "baseline-sha",
        description: "Commit the baseline was measured on, when known.",
    },
    OutputSpec {
        name: "collect-dir",
        description: "With `mode: collect`, the directory (relative to the workspace) to upload with actions/upload-artifact.",
    },
];

/// A bad input value: names the input and what it accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("input `{name}`: {message}")]
pub struct InputError {
    pub name: &'static str,
    pub message: String,
}

impl InputError {
    fn new(name: &'static str, message: impl Into<String>) -> Self {
        InputError {
            name,
            message: message.into(),
        }
    }
}

/// Where the baseline comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaselineMode {
    Artifacts,
    Path,
    Git,
    None,
}

/// When the sticky comment is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentMode {
    Always,
    OnChange,
    OnRegression,
    Off,
}

/// What the action does in this step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Run,
    Collect,
    Report,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Run => "run",
            Mode::Collect => "collect",
            Mode::Report => "report",
        })
    }
}

/// The LLM inputs, passed through to the analysis stage.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LlmInputs {
    /// `Some(true)` for `on`, `Some(false)` for `off`, `None` when unset.
    pub enabled: Option<bool>,
    pub url: Option<String>,
    pub model: Option<String>,
    pub api: Option<String>,
    pub options: Option<String>,
    pub timeout_secs: Option<f64>,
    pub token: Option<String>,
    pub required: bool,
}

/// The action inputs, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    /// Head data: a directory or globs, relative to the workspace (never empty).
    pub path: Vec<String>,
    pub baseline: Option<BaselineMode>,
    pub baseline_path: Option<String>,
    pub baseline_ref: Option<String>,
    pub artifact_name: String,
    pub workflow: Option<String>,
    /// Baseline runs to fetch; `None` leaves it to the policy file.
    pub history: Option<u32>,
    /// The branch that keeps a durable history, when one is used.
    pub history_branch: Option<String>,
    pub config: Option<String>,
    pub warn_threshold: Option<f64>,
    pub fail_threshold: Option<f64>,
    /// The `fail-on` list, replacing the policy's `fail_on` (empty: nothing fails).
    pub fail_on: Option<Vec<FailOn>>,
    pub comment: CommentMode,
    pub comment_id: Option<String>,
    /// The report's title; also part of the sticky comment's key.
    pub title: Option<String>,
    pub template: Option<String>,
    pub summary_template: Option<String>,
    pub check_run: bool,
    pub mode: Mode,
    pub llm: LlmInputs,
    pub github_token: Option<String>,
    pub base_ref: Option<String>,
    pub head_ref: Option<String>,
    pub pr_number: Option<u64>,
}

/// The most baseline runs `history` may ask for.
pub const MAX_HISTORY: u32 = 20;

impl Inputs {
    /// Reads and validates every input from `env`.
    pub fn from_env(env: &Env) -> Result<Inputs, InputError> {
        let r = Reader { env };
        let artifacts_dir = r
            .get("artifacts-dir")
            .unwrap_or_else(|| "benchmarks".into());
        let path = r.lines("path");
        let path = if path.is_empty() {
            vec![artifacts_dir]
        } else {
            path
        };
        let history = match r.get("history") {
            None => None,
            Some(v) => match v.parse::<u32>() {
                Ok(n) if (1..=MAX_HISTORY).contains(&n) => Some(n),
                _ => {
                    return Err(InputError::new(
                        "history",
                        format!("`{v}` is not a number of runs between 1 and {MAX_HISTORY}"),
                    ))
                }
            },
        };
        let pr_number = match r.get("pr-number") {
            None => None,
            Some(v) => Some(parse_pr_number(&v).ok_or_else(|| {
                InputError::new("pr-number", format!("`{v}` is not a pull request number"))
            })?),
        };
        let llm_enabled = match r.get("llm") {
            None => None,
            Some(v) => Some(match v.as_str() {
                "on" | "On" | "ON" => true,
                "off" | "Off" | "OFF" => false,
                other => parse_bool(other).ok_or_else(|| {
                    InputError::new("llm", format!("`{other}` is not `on` or `off`"))
                })?,
            }),
        };
        let llm_timeout = match r.get("llm-timeout") {
            None => None,
            Some(v) => Some(
                v.trim_end_matches('s')
                    .parse::<f64>()
                    .ok()
                    .filter(|t| t.is_finite() && *t > 0.0)
                    .ok_or_else(|| {
                        InputError::new("llm-timeout", format!("`{v}` is not a number of seconds"))
                    })?,
            ),
        };
        Ok(Inputs {
            path,
            baseline: r.choice(
                "baseline",
                &[
                    ("artifacts", BaselineMode::Artifacts),
                    ("path", BaselineMode::Path),
                    ("git", BaselineMode::Git),
                    ("none", BaselineMode::None),
                ],
            )?,
            baseline_path: r.get("baseline-path"),
            baseline_ref: r.get("baseline-ref"),
            artifact_name: r.get("artifact-name").unwrap_or_else(|| "*".into()),
            workflow: r.get("workflow"),
            history,
            history_branch: r.get("history-branch"),
            config: r.get("config"),
            warn_threshold: r.percent("warn-threshold")?,
            fail_threshold: r.percent("fail-threshold")?,
            fail_on: r
                .get("fail-on")
                .map(|v| FailOn::parse_list(&v).map_err(|e| InputError::new("fail-on", e)))
                .transpose()?,
            comment: r
                .choice(
                    "comment",
                    &[
                        ("always", CommentMode::Always),
                        ("on-change", CommentMode::OnChange),
                        ("on-regression", CommentMode::OnRegression),
                        ("off", CommentMode::Off),
                    ],
                )?
                .unwrap_or(CommentMode::Always),
            comment_id: r.get("comment-id"),
            title: r.get("title"),
            template: r.get("template"),
            summary_template: r.get("summary-template"),
            check_run: r.boolean("check-run")?.unwrap_or(false),
            mode: r
                .choice(
                    "mode",
                    &[
                        ("run", Mode::Run),
                        ("collect", Mode::Collect),
                        ("report", Mode::Report),
                    ],
                )?
                .unwrap_or(Mode::Run),
            llm: LlmInputs {
                enabled: llm_enabled,
                url: r.get("llm-url"),
                model: r.get("llm-model"),
                api: r.get("llm-api"),
                options: r.get("llm-options"),
                timeout_secs: llm_timeout,
                token: r.get("llm-token"),
                required: r.boolean("llm-required")?.unwrap_or(false),
            },
            github_token: r.get("github-token"),
            base_ref: r.get("base-ref"),
            head_ref: r.get("head-ref"),
            pr_number,
        })
    }

    /// The secrets among the inputs, to be masked in the log before anything is printed.
    pub fn secrets(&self) -> Vec<&str> {
        [self.github_token.as_deref(), self.llm.token.as_deref()]
            .into_iter()
            .flatten()
            .collect()
    }
}

/// The environment variable the runner sets for input `name`.
pub fn env_name(name: &str) -> String {
    format!("INPUT_{}", name.replace(' ', "_").to_uppercase())
}

/// A boolean the way the Actions toolkit reads one (YAML 1.2 core schema spellings only).
pub fn parse_bool(value: &str) -> Option<bool> {
    match value {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// A pull request number (`42` or `#42`), positive.
pub fn parse_pr_number(value: &str) -> Option<u64> {
    value
        .trim()
        .trim_start_matches('#')
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
}

struct Reader<'a> {
    env: &'a Env,
}

impl Reader<'_> {
    fn get(&self, name: &str) -> Option<String> {
        debug_assert!(
            INPUTS.iter().any(|i| i.name == name),
            "undeclared input {name}"
        );
        self.env
            .get(&env_name(name))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    fn lines(&self, name: &str) -> Vec<String> {
        self.get(name)
            .map(|v| {
                v.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    }

    fn boolean(&self, name: &'static str) -> Result<Option<bool>, InputError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => parse_bool(&v).map(Some).ok_or_else(|| {
                InputError::new(
                    name,
                    format!("`{v}` is not a boolean (use true|True|TRUE|false|False|FALSE)"),
                )
            }),
        }
    }

    fn choice<T: Copy>(
        &self,
        name: &'static str,
        options: &[(&str, T)],
    ) -> Result<Option<T>, InputError> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        let lower = v.to_ascii_lowercase();
        options
            .iter()
            .find(|(k, _)| *k == lower)
            .map(|(_, t)| Some(*t))
            .ok_or_else(|| {
                let names: Vec<&str> = options.iter().map(|(k, _)| *k).collect();
                InputError::new(name, format!("`{v}` is not one of {}", names.join(", ")))
            })
    }

    fn percent(&self, name: &'static str) -> Result<Option<f64>, InputError> {
        self.get(name)
            .map(|v| crate::config::parse_percent(&v).map_err(|e| InputError::new(name, e)))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        pairs
            .iter()
            .map(|(k, v)| (env_name(k), v.to_string()))
            .collect()
    }

    #[test]
    fn hyphens_are_kept_in_env_names() {
        assert_eq!(env_name("github-token"), "INPUT_GITHUB-TOKEN");
        assert_eq!(env_name("fail-on"), "INPUT_FAIL-ON");
    }

    #[test]
    fn defaults_apply_when_unset_or_empty() {
        let i = Inputs::from_env(&env(&[("path", "   "), ("comment", "")])).unwrap();
        assert_eq!(i.path, vec!["benchmarks".to_string()]);
        assert_eq!(i.comment, CommentMode::Always);
        assert_eq!(i.mode, Mode::Run);
        assert_eq!(i.history, None);
        assert_eq!(i.artifact_name, "*");
        assert_eq!(i.baseline, None);
        assert!(!i.check_run);
    }

    #[test]
    fn values_are_trimmed_and_typed() {
        let i = Inputs::from_env(&env(&[
            ("path", " bench/**/*.json\n\n  out/*.csv \n"),
            ("baseline", " GIT "),
            ("history", "5"),
            ("fail-threshold", "7.5%"),
            ("check-run", "TRUE"),
            ("pr-number", "#17"),
            ("llm", "off"),
            ("llm-timeout", "90s"),
            ("github-token", " ghs_abc \n"),
        ]))
        .unwrap();
        assert_eq!(i.path, vec!["bench/**/*.json", "out/*.csv"]);
        assert_eq!(i.baseline, Some(BaselineMode::Git));
        assert_eq!(i.history, Some(5));
        assert_eq!(i.fail_threshold, Some(7.5));
        assert!(i.check_run);
        assert_eq!(i.pr_number, Some(17));
        assert_eq!(i.llm.enabled, Some(false));
        assert_eq!(i.llm.timeout_secs, Some(90.0));
        assert_eq!(i.secrets(), vec!["ghs_abc"]);
    }

    #[test]
    fn booleans_accept_only_yaml_core_spellings() {
        for bad in ["yes", "1", "tRue", "on"] {
            let e = Inputs::from_env(&env(&[("check-run", bad)])).unwrap_err();
            assert_eq!(e.name, "check-run");
            assert!(e.message.contains(bad), "{e}");
        }
        for (good, want) in [("True", true), ("false", false), ("FALSE", false)] {
            let i = Inputs::from_env(&env(&[("check-run", good)])).unwrap();
            assert_eq!(i.check_run, want);
        }
    }

    #[test]
    fn bad_choices_name_the_input_and_the_options() {
        let e = Inputs::from_env(&env(&[("comment", "sometimes")])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "input `comment`: `sometimes` is not one of always, on-change, on-regression, off"
        );
        let e = Inputs::from_env(&env(&[("history", "0")])).unwrap_err();
        assert_eq!(e.name, "history");
        let e = Inputs::from_env(&env(&[("warn-threshold", "-3")])).unwrap_err();
        assert_eq!(e.name, "warn-threshold");
        let e = Inputs::from_env(&env(&[("pr-number", "abc")])).unwrap_err();
        assert_eq!(e.name, "pr-number");
    }

    #[test]
    fn fail_on_takes_the_policy_words() {
        let i = Inputs::from_env(&env(&[("fail-on", "regression, broken\nno_data")])).unwrap();
        assert_eq!(
            i.fail_on,
            Some(vec![FailOn::Regression, FailOn::Broken, FailOn::NoData])
        );
        let i = Inputs::from_env(&env(&[("fail-on", "never")])).unwrap();
        assert_eq!(i.fail_on, Some(vec![]));
        let i = Inputs::from_env(&env(&[("fail-on", "")])).unwrap();
        assert_eq!(i.fail_on, None);
        let e = Inputs::from_env(&env(&[("fail-on", "fail")])).unwrap_err();
        assert_eq!(e.name, "fail-on");
        assert!(e.message.contains("no_baseline, no_data"), "{e}");
    }

    #[test]
    fn the_table_has_unique_well_formed_names() {
        let mut names: Vec<&str> = INPUTS.iter().map(|i| i.name).collect();
        names.extend(OUTPUTS.iter().map(|o| o.name));
        for n in &names {
            assert!(n.chars().next().unwrap().is_ascii_lowercase(), "{n}");
            assert!(
                n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{n}"
            );
        }
        let mut inputs: Vec<&str> = INPUTS.iter().map(|i| i.name).collect();
        inputs.sort();
        inputs.dedup();
        assert_eq!(inputs.len(), INPUTS.len());
        assert!(INPUTS.iter().all(|i| !i.description.is_empty()));
    }
}
