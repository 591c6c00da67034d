//! Key rewrite rules: regex replacements on one part of every series key, so that base and
//! head keys that differ only by an artifact of naming (a run number, a host name) join.
//! [`Policy::prepare`](super::Policy::prepare) applies them and merges series whose keys
//! became equal (their samples pooled).

use super::patterns::KeyRegex;
use crate::model::SeriesKey;
use serde::{Deserialize, Serialize};

/// Which part of the key a rule rewrites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyField {
    Source,
    Benchmark,
    Metric,
}

impl KeyField {
    /// This part of `key`.
    pub fn of(self, key: &SeriesKey) -> &str {
        match self {
            KeyField::Source => &key.source,
            KeyField::Benchmark => &key.benchmark,
            KeyField::Metric => &key.metric,
        }
    }

    /// Replaces this part of `key` with `value`.
    pub fn set(self, key: &mut SeriesKey, value: String) {
        match self {
            KeyField::Source => key.source = value.into(),
            KeyField::Benchmark => key.benchmark = value,
            KeyField::Metric => key.metric = value,
        }
    }
}

/// `{field, pattern, replace}`: every match of `pattern` in `field` is replaced by
/// `replace`, which may refer to capture groups as `$1` or `${name}`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RewriteRule {
    pub field: KeyField,
    pub pattern: KeyRegex,
    #[serde(default)]
    pub replace: String,
}

impl RewriteRule {
    fn apply(&self, key: &mut SeriesKey) {
        let target = self.field.of(key);
        let rewritten = self
            .pattern
            .regex()
            .replace_all(target, self.replace.as_str());
        if rewritten != target {
            let rewritten = rewritten.into_owned();
            self.field.set(key, rewritten);
        }
    }
}

/// Applies `rules` in order to `key`.
pub(crate) fn rewrite_key(rules: &[RewriteRule], key: &mut SeriesKey) {
    for rule in rules {
        rule.apply(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(field: KeyField, pattern: &str, replace: &str) -> RewriteRule {
        RewriteRule {
            field,
            pattern: KeyRegex::try_from(pattern.to_string()).unwrap(),
            replace: replace.to_string(),
        }
    }

    #[test]
    fn rules_apply_in_order() {
        let mut key = SeriesKey::new("run_1/metrics.json", "agent", "tokens_s");
        let rules = [
            rule(KeyField::Source, r"run_\d+/", ""),
            rule(KeyField::Source, r"^metrics", "m"),
        ];
        rewrite_key(&rules, &mut key);
        assert_eq!(&*key.source, "m.json");
    }

    #[test]
    fn capture_groups_in_replacement() {
        let mut key = SeriesKey::new("s", "bench-host7-x", "m");
        rule(KeyField::Benchmark, r"-host\d+-(\w+)", "-$1").apply(&mut key);
        assert_eq!(key.benchmark, "bench-x");
    }
}
