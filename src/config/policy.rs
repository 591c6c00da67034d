//! The resolved policy a comparison runs under: defaults, then the policy file, then the
//! file's section for the triggering event, then command-line options / action inputs
//! (each layer wins over the ones before it). Also the per-metric view of it
//! ([`MetricPolicy`]) and the preparation of series (rewrites and rule overrides).

use super::rewrite::rewrite_key;
use super::{
    Config, ConfigError, EventName, FailOn, MetricRule, RewriteRule, SingleRunRule, TestChoice,
    Thresholds,
};
use crate::compare::Gate;
use crate::model::{merge_series, Direction, Labels, Series, SeriesKey, Warning};
use serde::Serialize;
use std::collections::BTreeSet;

/// Values given on the command line or as action inputs; `None` keeps the file's value.
/// They replace the global values (thresholds, alpha, ...), while `metrics:` rules that set
/// their own thresholds keep them: a rule is more specific than a global flag.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CliOverrides {
    pub warn_pct: Option<f64>,
    pub fail_pct: Option<f64>,
    pub alpha: Option<f64>,
    pub test: Option<TestChoice>,
    pub min_samples: Option<usize>,
    pub fail_on: Option<Vec<FailOn>>,
    pub history_runs: Option<usize>,
    pub noise_k: Option<f64>,
}

/// The policy of one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    /// The event the policy was resolved for, as given.
    pub event: Option<String>,
    /// A change beyond this (percent, in the bad direction) is a regression. Default 5.
    pub warn_pct: f64,
    /// A hard-gated regression beyond this fails the run. Default 10.
    pub fail_pct: f64,
    /// Significance level. Default 0.05.
    pub alpha: f64,
    pub test: TestChoice,
    /// Below this many successful samples on either side a change is never a regression or
    /// an improvement (it is `noisy`). Default 1.
    pub min_samples: usize,
    /// Default: `regression`, `broken`.
    pub fail_on: BTreeSet<FailOn>,
    /// Earlier base runs to fetch for the noise band. Default 0 (none).
    pub history_runs: usize,
    /// Noise band half-width in MADs of the run means. Default 3.
    pub noise_k: f64,
    /// File rules followed by the event's rules.
    pub metrics: Vec<MetricRule>,
    pub rewrite: Vec<RewriteRule>,
    /// Changes within this (percent) between single runs are `noisy`. Default 15.
    pub single_run_noise_pct: f64,
    /// A single-run regression fails only beyond this many times the fail threshold.
    /// Default 3.
    pub single_run_fail_factor: f64,
    /// Fold series that carry the same measurement into one row. Default true.
    pub merge: bool,
    /// Label names that never split series, besides the provenance labels recognised by
    /// their values (commit hashes, run ids, timestamps).
    pub ignore_labels: Vec<String>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            event: None,
            warn_pct: 5.0,
            fail_pct: 10.0,
            alpha: 0.05,
            test: TestChoice::Auto,
            min_samples: 1,
            fail_on: [FailOn::Regression, FailOn::Broken, FailOn::NoData]
                .into_iter()
                .collect(),
            history_runs: 0,
            noise_k: 3.0,
            metrics: Vec::new(),
            rewrite: Vec::new(),
            single_run_noise_pct: 15.0,
            single_run_fail_factor: 3.0,
            merge: true,
            ignore_labels: Vec::new(),
        }
    }
}

/// The policy for one series, after every matching `metrics:` rule was applied.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricPolicy {
    /// Direction override, if a rule set one.
    pub direction: Option<Direction>,
    /// Unit override, if a rule set one.
    pub unit: Option<String>,
    pub warn_pct: f64,
    pub fail_pct: f64,
    pub gate: Gate,
    pub min_samples: usize,
}

const CLI_ORIGIN: &str = "command-line options / action inputs";

impl Policy {
    /// Resolves the policy for `event` (a GitHub event name such as `pull_request`, or `tag`
    /// for a tag push; `pull_request_target` uses the `pull_request` section; events without
    /// a section use the file's values). Fails when a layer sets warn above fail, or an
    /// override is out of range; the message names the layer.
    pub fn resolve(
        config: &Config,
        event: Option<&str>,
        overrides: &CliOverrides,
    ) -> Result<Policy, ConfigError> {
        let file = if config.path.is_empty() {
            super::DEFAULT_FILE
        } else {
            config.path.as_str()
        };
        let mut policy = Policy {
            event: event.map(str::to_string),
            metrics: config.metrics.clone(),
            rewrite: config.rewrite.clone(),
            ..Policy::default()
        };
        policy.apply_thresholds(&config.thresholds, file)?;
        policy.alpha = config.alpha.map_or(policy.alpha, |a| a.get());
        policy.test = config.test.unwrap_or(policy.test);
        policy.min_samples = config.min_samples.unwrap_or(policy.min_samples);
        if let Some(f) = &config.fail_on {
            policy.fail_on = f.iter().copied().collect();
        }
        policy.apply_single_run(&config.single_run);
        policy.merge = config.merge.unwrap_or(policy.merge);
        policy.ignore_labels = config.ignore_labels.clone();
        policy.history_runs = config.history.runs.unwrap_or(policy.history_runs);
        policy.noise_k = config.history.k.map_or(policy.noise_k, |k| k.get());
        check_rules(&config.metrics, file)?;

        let sections = event
            .and_then(EventName::from_event)
            .map(EventName::sections)
            .unwrap_or_default();
        for (name, section) in sections
            .iter()
            .filter_map(|e| config.events.get(e).map(|s| (*e, s)))
        {
            let origin = format!("{file} (events.{})", name.as_str());
            policy.apply_thresholds(&section.thresholds, &origin)?;
            policy.alpha = section.alpha.map_or(policy.alpha, |a| a.get());
            policy.test = section.test.unwrap_or(policy.test);
            policy.min_samples = section.min_samples.unwrap_or(policy.min_samples);
            if let Some(f) = &section.fail_on {
                policy.fail_on = f.iter().copied().collect();
            }
            policy.apply_single_run(&section.single_run);
            check_rules(&section.metrics, &origin)?;
            policy.metrics.extend(section.metrics.iter().cloned());
        }
        policy.apply_overrides(overrides)?;
        policy.min_samples = policy.min_samples.max(1);
        Ok(policy)
    }

    fn apply_single_run(&mut self, rule: &SingleRunRule) {
        self.single_run_noise_pct = rule.noise.map_or(self.single_run_noise_pct, |v| v.get());
        self.single_run_fail_factor = rule
            .fail_factor
            .map_or(self.single_run_fail_factor, |v| v.get().max(1.0));
    }

    fn apply_thresholds(&mut self, t: &Thresholds, origin: &str) -> Result<(), ConfigError> {
        check_pair(
            t.warn.map(|v| v.get()),
            t.fail.map(|v| v.get()),
            origin,
            "thresholds",
        )?;
        self.set_thresholds(t.warn.map(|v| v.get()), t.fail.map(|v| v.get()));
        Ok(())
    }

    /// Sets the given thresholds; an inherited warn threshold above a new fail threshold is
    /// lowered to it (and an inherited fail threshold below a new warn threshold raised).
    fn set_thresholds(&mut self, warn: Option<f64>, fail: Option<f64>) {
        match (warn, fail) {
            (Some(w), Some(f)) => (self.warn_pct, self.fail_pct) = (w, f),
            (Some(w), None) => (self.warn_pct, self.fail_pct) = (w, self.fail_pct.max(w)),
            (None, Some(f)) => (self.warn_pct, self.fail_pct) = (self.warn_pct.min(f), f),
            (None, None) => {}
        }
    }

    fn apply_overrides(&mut self, o: &CliOverrides) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            origin: CLI_ORIGIN.to_string(),
            message,
        };
        for (name, value) in [
            ("warn threshold", o.warn_pct),
            ("fail threshold", o.fail_pct),
            ("noise k", o.noise_k),
        ] {
            if let Some(v) = value.filter(|v| !v.is_finite() || *v < 0.0) {
                return Err(invalid(format!("{name} must be a number >= 0, got {v}")));
            }
        }
        if let Some(a) = o.alpha.filter(|a| !(*a > 0.0 && *a < 1.0)) {
            return Err(invalid(format!(
                "alpha must be between 0 and 1 (exclusive), got {a}"
            )));
        }
        check_pair(o.warn_pct, o.fail_pct, CLI_ORIGIN, "thresholds")?;
        self.set_thresholds(o.warn_pct, o.fail_pct);
        self.alpha = o.alpha.unwrap_or(self.alpha);
        self.test = o.test.unwrap_or(self.test);
        self.min_samples = o.min_samples.unwrap_or(self.min_samples);
        if let Some(f) = &o.fail_on {
            self.fail_on = f.iter().copied().collect();
        }
        self.history_runs = o.history_runs.unwrap_or(self.history_runs);
        self.noise_k = o.noise_k.unwrap_or(self.noise_k);
        Ok(())
    }

    /// The policy for one series. Rules are applied in order and, for each setting, the last
    /// matching rule that sets it wins. A rule's warn threshold above its fail threshold
    /// (e.g. a rule setting only `fail: 3` under a global `warn: 5`) is lowered to it.
    pub fn for_key(&self, key: &SeriesKey) -> MetricPolicy {
        let mut m = MetricPolicy {
            direction: None,
            unit: None,
            warn_pct: self.warn_pct,
            fail_pct: self.fail_pct,
            gate: Gate::Hard,
            min_samples: self.min_samples,
        };
        // The key's path is only built when there are rules to match it against.
        let path = if self.metrics.is_empty() {
            String::new()
        } else {
            key.path()
        };
        for rule in self.metrics.iter().filter(|r| r.pattern.is_match(&path)) {
            m.direction = rule.direction.or(m.direction);
            m.unit = rule.unit.clone().or(m.unit);
            m.warn_pct = rule.warn.map_or(m.warn_pct, |v| v.get());
            m.fail_pct = rule.fail.map_or(m.fail_pct, |v| v.get());
            m.gate = rule.gate.unwrap_or(m.gate);
            m.min_samples = rule.min_samples.unwrap_or(m.min_samples).max(1);
        }
        m.warn_pct = m.warn_pct.min(m.fail_pct);
        m
    }

    /// The source that the compared series of the file at `rel_path` carry: its normalised
    /// path ([`crate::keys::normalize_path`], as every parser keys its series) after the
    /// rewrite rules. Series of files with different sources never share a key.
    pub fn source_of(&self, rel_path: &str) -> String {
        let mut key = SeriesKey::new(crate::keys::normalize_path(rel_path), "", "");
        rewrite_key(&self.rewrite, &mut key);
        key.source.to_string()
    }

    /// Whether a label leaves the key for the series' provenance: a label the policy
    /// ignores, or one recognised as provenance ([`crate::keys::is_provenance`]).
    pub fn is_provenance_label(&self, name: &str, value: &str) -> bool {
        self.ignore_labels.iter().any(|l| l == name) || crate::keys::is_provenance(name, value)
    }

    /// Whether [`Policy::prepare`] changes these series beyond merging equal keys: a
    /// rewrite rule, a metric rule that overrides the direction or the unit, or a
    /// provenance label to take out of a key.
    pub fn alters(&self, series: &[Series]) -> bool {
        self.alters_series()
            || series.iter().any(|s| {
                s.key
                    .labels
                    .iter()
                    .any(|(k, v)| self.is_provenance_label(k, v))
            })
    }

    /// Whether [`Policy::prepare`] changes series beyond merging equal keys and taking
    /// provenance labels out: a rewrite rule, or a metric rule that overrides the direction
    /// or the unit.
    pub fn alters_series(&self) -> bool {
        !self.rewrite.is_empty()
            || self
                .metrics
                .iter()
                .any(|r| r.direction.is_some() || r.unit.is_some())
    }

    /// What the comparison sees of one side: provenance labels moved out of the keys, keys
    /// rewritten, rule overrides of direction and unit applied, and series with equal keys
    /// merged. Returns merge warnings.
    pub fn prepare(&self, mut series: Vec<Series>) -> (Vec<Series>, Vec<Warning>) {
        // The series of one row or record share their labels: the provenance labels found
        // for one set of labels hold for the series after it with equal labels.
        let mut labels = Labels::new();
        let mut provenance: Vec<String> = Vec::new();
        for s in &mut series {
            if s.key.labels != labels {
                labels.clone_from(&s.key.labels);
                provenance.clear();
                provenance.extend(
                    labels
                        .iter()
                        .filter(|(k, v)| self.is_provenance_label(k, v))
                        .map(|(k, _)| k.to_string()),
                );
            }
            for name in &provenance {
                if let Some(value) = s.key.labels.remove(name) {
                    s.provenance.insert(name.clone(), value);
                }
            }
            rewrite_key(&self.rewrite, &mut s.key);
            let rule = self.for_key(&s.key);
            s.direction = rule.direction.unwrap_or(s.direction);
            if let Some(unit) = rule.unit {
                s.unit = unit;
            }
        }
        merge_series(series)
    }
}

fn check_pair(
    warn: Option<f64>,
    fail: Option<f64>,
    origin: &str,
    what: &str,
) -> Result<(), ConfigError> {
    match (warn, fail) {
        (Some(w), Some(f)) if w > f => Err(ConfigError::Invalid {
            origin: origin.to_string(),
            message: format!(
                "{what}: warn ({w} %) is above fail ({f} %); a regression must warn before it fails"
            ),
        }),
        _ => Ok(()),
    }
}

fn check_rules(rules: &[MetricRule], origin: &str) -> Result<(), ConfigError> {
    for (i, rule) in rules.iter().enumerate() {
        check_pair(
            rule.warn.map(|v| v.get()),
            rule.fail.map(|v| v.get()),
            origin,
            &format!("metrics[{i}] (`{}`)", rule.pattern.as_str()),
        )?;
    }
    Ok(())
}
