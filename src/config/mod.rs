//! The policy file (`.benchgate.yml`): what it may contain, how it is read, and how its
//! errors are reported. Every key is checked: an unknown or misspelt key is an error that
//! names the file, the line, the key and the keys that are valid at that place.
//!
//! The file is only the raw material; [`Policy::resolve`] layers the event's overrides and
//! the command-line/action inputs on top of it to get the [`Policy`] a comparison runs under.
//! `.benchgate.example.yml` at the repository root documents every key.

mod error;
mod patterns;
mod policy;
mod rewrite;

pub use error::ConfigError;
pub use patterns::{KeyGlob, KeyRegex};
pub use policy::{CliOverrides, MetricPolicy, Policy};
pub use rewrite::{KeyField, RewriteRule};

use crate::compare::Gate;
use crate::model::Direction;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

/// Name of the policy file looked up at the repository root.
pub const DEFAULT_FILE: &str = ".benchgate.yml";

/// The parsed policy file. All keys are optional; anything left out takes the default
/// documented on [`Policy`].
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Default warn/fail thresholds in percent.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// Significance level: a change counts only when p < alpha.
    pub alpha: Option<Alpha>,
    /// Which significance test decides.
    pub test: Option<TestChoice>,
    /// Minimum successful samples per side before a change may be judged.
    pub min_samples: Option<usize>,
    /// Per-metric rules, matched in order; for each setting the last matching rule that sets
    /// it wins.
    #[serde(default)]
    pub metrics: Vec<MetricRule>,
    /// Key rewrite rules, applied in order to base and head series before joining.
    #[serde(default)]
    pub rewrite: Vec<RewriteRule>,
    /// Noise band from earlier base runs.
    #[serde(default)]
    pub history: History,
    /// What makes the overall verdict `fail`.
    pub fail_on: Option<Vec<FailOn>>,
    /// How changes between single runs are judged (no significance test is possible).
    #[serde(default)]
    pub single_run: SingleRunRule,
    /// Fold series that carry the same measurement (equal base and head values) into one
    /// row. Default true.
    pub merge: Option<bool>,
    /// Label names that never split series (kept on the row as provenance).
    #[serde(default)]
    pub ignore_labels: Vec<String>,
    /// Per-event overrides.
    #[serde(default)]
    pub events: BTreeMap<EventName, EventOverride>,
    /// The LLM analysis (`llm:` section); command-line flags and action inputs win over it.
    #[serde(default)]
    pub llm: Option<crate::analyze::LlmSettings>,
    /// The file this was read from, for messages.
    #[serde(skip)]
    pub path: String,
}

impl Config {
    /// Parses policy YAML; `path` is only used in messages. A file that is empty or holds
    /// only comments is the default policy. Thresholds are cross-checked (warn <= fail) for
    /// the file itself and every event section.
    pub fn from_yaml(text: &str, path: &str) -> Result<Config, ConfigError> {
        let only_comments = text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
        let mut config = if only_comments {
            Config::default()
        } else {
            serde_norway::from_str::<Config>(text).map_err(|e| ConfigError::parse(path, &e))?
        };
        config.path = path.to_string();
        config.validate()?;
        Ok(config)
    }

    /// Reads and parses the policy file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Config::from_yaml(&text, &path.display().to_string())
    }

    /// Like [`Config::load`], but a file that does not exist is the default policy.
    pub fn load_or_default(path: &Path) -> Result<Config, ConfigError> {
        if path.exists() {
            Config::load(path)
        } else {
            Ok(Config {
                path: path.display().to_string(),
                ..Config::default()
            })
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let none = CliOverrides::default();
        Policy::resolve(self, None, &none)?;
        for event in self.events.keys() {
            Policy::resolve(self, Some(event.as_str()), &none)?;
        }
        Ok(())
    }
}

/// `thresholds: {warn, fail}` in percent; either may be left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    pub warn: Option<NonNegative>,
    pub fail: Option<NonNegative>,
}

/// `history: {runs, k}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct History {
    /// How many earlier base runs the baseline stage should fetch (0 = no noise band).
    pub runs: Option<usize>,
    /// Width of the noise band in MADs.
    pub k: Option<NonNegative>,
}

/// One `metrics:` rule. Only `match` is required.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MetricRule {
    /// Glob on `source/benchmark/metric`.
    #[serde(rename = "match")]
    pub pattern: KeyGlob,
    pub direction: Option<Direction>,
    /// The unit the values are in (relabels; does not convert).
    pub unit: Option<String>,
    pub warn: Option<NonNegative>,
    pub fail: Option<NonNegative>,
    pub gate: Option<Gate>,
    pub min_samples: Option<usize>,
}

/// An `events.<name>:` section; everything it sets replaces the file's value, and its
/// `metrics:` rules are added after the file's rules (so they win).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventOverride {
    #[serde(default)]
    pub thresholds: Thresholds,
    pub alpha: Option<Alpha>,
    pub test: Option<TestChoice>,
    pub min_samples: Option<usize>,
    #[serde(default)]
    pub metrics: Vec<MetricRule>,
    pub fail_on: Option<Vec<FailOn>>,
    #[serde(default)]
    pub single_run: SingleRunRule,
}

/// `single_run: {noise, fail_factor}`: with one successful sample on either side and no
/// noise band from history, a change within `noise` percent is `noisy`, and a regression
/// fails only beyond `fail_factor` times the fail threshold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SingleRunRule {
    pub noise: Option<NonNegative>,
    pub fail_factor: Option<NonNegative>,
}

/// The events a policy can be specialised for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventName {
    /// `pull_request` and `pull_request_target`.
    PullRequest,
    /// A push to a branch.
    Push,
    Release,
    /// A push of a tag (the action reports it as `tag`, not `push`). A pushed tag is a
    /// release gate: the `release` section applies to it too, then `tag` on top.
    Tag,
    WorkflowDispatch,
    Schedule,
}

impl EventName {
    pub const ALL: [EventName; 6] = [
        EventName::PullRequest,
        EventName::Push,
        EventName::Release,
        EventName::Tag,
        EventName::WorkflowDispatch,
        EventName::Schedule,
    ];

    /// The `events:` sections that apply to this event, in order (later ones win).
    pub fn sections(self) -> Vec<EventName> {
        match self {
            EventName::Tag => vec![EventName::Release, EventName::Tag],
            other => vec![other],
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EventName::PullRequest => "pull_request",
            EventName::Push => "push",
            EventName::Release => "release",
            EventName::Tag => "tag",
            EventName::WorkflowDispatch => "workflow_dispatch",
            EventName::Schedule => "schedule",
        }
    }

    /// Maps a GitHub event name to its policy section; `None` for events without one.
    pub fn from_event(name: &str) -> Option<EventName> {
        if name == "pull_request_target" {
            return Some(EventName::PullRequest);
        }
        EventName::ALL.into_iter().find(|e| e.as_str() == name)
    }
}

/// Which significance test decides whether a change is real.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TestChoice {
    /// Welch's t-test, or Mann-Whitney U when both sides have >= 5 samples and are skewed.
    #[default]
    Auto,
    /// Always Welch's t-test.
    Welch,
    /// Mann-Whitney U when both sides have >= 5 samples, else Welch's t-test.
    MannWhitney,
}

impl FromStr for TestChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "auto" => Ok(TestChoice::Auto),
            "welch" => Ok(TestChoice::Welch),
            "mann_whitney" | "mann-whitney" => Ok(TestChoice::MannWhitney),
            other => Err(format!(
                "unknown test `{other}`; valid values: auto, welch, mann_whitney"
            )),
        }
    }
}

/// A condition that makes the overall verdict `fail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailOn {
    /// A hard-gated metric regressed beyond its fail threshold.
    Regression,
    /// A hard-gated metric has only failed runs on head but had successful ones on base.
    Broken,
    /// A hard-gated metric present on base is absent on head.
    Missing,
    /// Anything that would make the verdict `warn`.
    Warn,
    /// There is no baseline to compare against.
    NoBaseline,
    /// The head side has no benchmark data at all.
    NoData,
    /// A hard-gated metric recorded no telemetry on one side (see `Status::Absent`).
    Absent,
}

impl FailOn {
    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Regression => "regression",
            FailOn::Broken => "broken",
            FailOn::Missing => "missing",
            FailOn::Warn => "warn",
            FailOn::NoBaseline => "no_baseline",
            FailOn::NoData => "no_data",
            FailOn::Absent => "absent",
        }
    }

    /// Every condition, in the order the documentation lists them.
    pub const ALL: [FailOn; 7] = [
        FailOn::Regression,
        FailOn::Broken,
        FailOn::Missing,
        FailOn::Warn,
        FailOn::NoBaseline,
        FailOn::NoData,
        FailOn::Absent,
    ];

    /// Parses a list separated by commas, spaces or line breaks, such as
    /// `regression, broken`, the way the `fail-on` input and `--fail-on` take it. `never`
    /// (alone) is the empty list: nothing fails the run.
    pub fn parse_list(text: &str) -> Result<Vec<FailOn>, String> {
        let words: Vec<&str> = text
            .split([',', ' ', '\n', '\t', '\r'])
            .map(|w| w.trim_matches(|c| c == '[' || c == ']'))
            .filter(|w| !w.is_empty())
            .collect();
        if words == ["never"] {
            return Ok(Vec::new());
        }
        words.into_iter().map(str::parse).collect()
    }
}

impl FromStr for FailOn {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim().replace('-', "_");
        FailOn::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                let valid: Vec<&str> = FailOn::ALL.iter().map(|f| f.as_str()).collect();
                format!(
                    "unknown fail_on value `{s}`; valid values: {} (or `never` alone)",
                    valid.join(", ")
                )
            })
    }
}

/// A percentage as thresholds are written everywhere (policy file, action inputs, command
/// line): `7.5` or `7.5%`, finite and not negative.
pub fn parse_percent(text: &str) -> Result<f64, String> {
    text.trim()
        .trim_end_matches('%')
        .trim_end()
        .parse::<f64>()
        .ok()
        .filter(|p| p.is_finite() && *p >= 0.0)
        .ok_or_else(|| format!("`{text}` is not a non-negative percentage such as `5` or `5%`"))
}

/// A non-negative, finite number (a percentage or a multiplier); in the policy file a
/// percentage may carry its `%` sign (`fail: 150%`).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Deserialize, Serialize)]
#[serde(try_from = "NumberOrPercent", into = "f64")]
pub struct NonNegative(f64);

/// How a [`NonNegative`] may be written in YAML.
#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrPercent {
    Number(f64),
    Text(String),
}

impl TryFrom<NumberOrPercent> for NonNegative {
    type Error = String;
    fn try_from(v: NumberOrPercent) -> Result<Self, String> {
        match v {
            NumberOrPercent::Number(n) => NonNegative::try_from(n),
            NumberOrPercent::Text(t) => parse_percent(&t).map(NonNegative),
        }
    }
}

impl NonNegative {
    pub fn get(self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for NonNegative {
    type Error = String;
    fn try_from(v: f64) -> Result<Self, String> {
        if v.is_finite() && v >= 0.0 {
            Ok(NonNegative(v))
        } else {
            Err(format!("expected a number >= 0, found {v}"))
        }
    }
}

impl From<NonNegative> for f64 {
    fn from(p: NonNegative) -> f64 {
        p.0
    }
}

/// A significance level strictly between 0 and 1.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Deserialize, Serialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Alpha(f64);

impl Alpha {
    pub fn get(self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for Alpha {
    type Error = String;
    fn try_from(v: f64) -> Result<Self, String> {
        if v > 0.0 && v < 1.0 {
            Ok(Alpha(v))
        } else {
            Err(format!(
                "alpha must be between 0 and 1 (exclusive), found {v}"
            ))
        }
    }
}

impl From<Alpha> for f64 {
    fn from(a: Alpha) -> f64 {
        a.0
    }
}
