//! Keys that do not meet: when many series are missing on one side and new on the other,
//! and they would pair up if one label were ignored or one part of a key were rewritten, the
//! report says so, with the exact policy lines that make them meet. Every suggestion is
//! checked on the keys at hand before it is made.

use super::{Delta, Status};
use crate::config::KeyField;
use crate::model::{Labels, SeriesKey};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Keys looked at per side, at most (a hint needs only a sample to be found; it is then
/// checked on these).
const MAX_KEYS: usize = 5_000;
/// Pairs looked at to find candidate rewrites.
const MAX_PAIRS: usize = 200;
/// Longest key part a rewrite may name (longer ones are not a naming difference).
const MAX_PART: usize = 80;

/// A fix for keys that do not meet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyHint {
    /// Metrics only on base, and only on head.
    pub missing: usize,
    pub new: usize,
    /// How many of the missing metrics the fix pairs with new ones.
    pub matched: usize,
    /// What differs, in words (`the label "variant"`).
    pub what: String,
    /// The lines to add to `.benchgate.yml` (YAML).
    pub policy: String,
}

impl KeyHint {
    /// The hint as one warning line.
    pub fn message(&self) -> String {
        format!(
            "{} metrics are missing and {} new, and {} of them differ only by {}; add to .benchgate.yml: {}",
            self.missing,
            self.new,
            self.matched,
            self.what,
            self.policy.replace('\n', " ")
        )
    }
}

/// A way to make keys meet.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Fix {
    IgnoreLabel(String),
    Rewrite {
        field: KeyField,
        from: String,
        to: String,
    },
}

impl Fix {
    /// `key` with the fix applied, borrowed when the fix leaves it as it is: most keys of a
    /// large comparison lack the label or the text a fix names, and are not copied.
    fn fixed<'k>(&self, key: &'k SeriesKey) -> Cow<'k, SeriesKey> {
        let touches = match self {
            Fix::IgnoreLabel(name) => key.labels.contains_key(name),
            Fix::Rewrite { field, from, .. } => field.of(key).contains(from.as_str()),
        };
        if touches {
            Cow::Owned(self.apply(key))
        } else {
            Cow::Borrowed(key)
        }
    }

    fn apply(&self, key: &SeriesKey) -> SeriesKey {
        let mut key = key.clone();
        match self {
            Fix::IgnoreLabel(name) => {
                key.labels.remove(name);
            }
            Fix::Rewrite { field, from, to } => {
                let replaced = field.of(&key).replace(from.as_str(), to);
                field.set(&mut key, replaced);
            }
        }
        key
    }

    fn hint(&self, missing: usize, new: usize, matched: usize) -> KeyHint {
        let (what, policy) = match self {
            Fix::IgnoreLabel(name) => (
                format!("the label \"{name}\""),
                format!("ignore_labels: [{}]", quote(name)),
            ),
            Fix::Rewrite { field, from, to } => {
                let field = field_name(*field);
                (
                    format!("\"{from}\" / \"{to}\" in the {field}"),
                    format!(
                        "rewrite:\n  - field: {field}\n    pattern: {}\n    replace: {}",
                        quote(&regex::escape(from)),
                        quote(to)
                    ),
                )
            }
        };
        KeyHint {
            missing,
            new,
            matched,
            what,
            policy,
        }
    }
}

/// The best fix for the missing and new metrics of `deltas`, if one pairs up most of them.
pub(super) fn find(deltas: &[Delta]) -> Option<KeyHint> {
    // Keys found on one side only (not those found on both, without samples on one).
    let one_sided = |status: Status| -> Vec<&SeriesKey> {
        deltas
            .iter()
            .filter(|d| d.status == status && (d.base.is_none() || d.head.is_none()))
            .map(|d| &d.key)
            .take(MAX_KEYS)
            .collect()
    };
    let (missing, new) = (one_sided(Status::Missing), one_sided(Status::New));
    if missing.len() < 2 || new.len() < 2 {
        return None;
    }
    let most = missing.len().min(new.len());
    let mut found: Vec<(usize, Fix)> = candidates(&missing, &new)
        .into_iter()
        .map(|fix| (matched(&fix, &missing, &new), fix))
        .filter(|(matched, _)| *matched >= 2 && matched * 2 >= most)
        .collect();
    // Most pairs first; among equals, ignoring a label before rewriting a name.
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    let (matched, fix) = found
        .into_iter()
        .find(|(_, fix)| keeps_keys_apart(fix, deltas))?;
    Some(fix.hint(missing.len(), new.len(), matched))
}

/// Whether `fix` leaves different keys of one side different (it may only make base and
/// head keys meet, never fold two series of one run into one).
fn keeps_keys_apart(fix: &Fix, deltas: &[Delta]) -> bool {
    let side = |on_side: fn(&Delta) -> bool| {
        let keys: Vec<&SeriesKey> = deltas
            .iter()
            .filter(|d| on_side(d))
            .map(|d| &d.key)
            .collect();
        let fixed: HashSet<Cow<SeriesKey>> = keys.iter().map(|k| fix.fixed(k)).collect();
        fixed.len() == keys.len()
    };
    side(|d| d.base.is_some()) && side(|d| d.head.is_some())
}

/// How many missing keys meet a new key once `fix` is applied to both sides.
fn matched(fix: &Fix, missing: &[&SeriesKey], new: &[&SeriesKey]) -> usize {
    let new: HashSet<Cow<SeriesKey>> = new.iter().map(|k| fix.fixed(k)).collect();
    missing
        .iter()
        .filter(|k| new.contains(fix.fixed(k).as_ref()))
        .count()
}

/// Fixes worth checking: ignoring each label that the keys carry, and rewriting the part
/// in which pairs of keys that agree everywhere else differ.
fn candidates(missing: &[&SeriesKey], new: &[&SeriesKey]) -> Vec<Fix> {
    let mut names: Vec<&str> = missing
        .iter()
        .chain(new)
        .flat_map(|k| k.labels.keys())
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut fixes: Vec<Fix> = names
        .into_iter()
        .filter(|n| safe(n))
        .map(|n| Fix::IgnoreLabel(n.to_string()))
        .collect();
    for field in [KeyField::Source, KeyField::Benchmark, KeyField::Metric] {
        let mut by_rest: HashMap<(&str, &str, &Labels), Vec<&SeriesKey>> = HashMap::new();
        for k in new {
            by_rest.entry(rest(k, field)).or_default().push(k);
        }
        let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
        let pairs = missing
            .iter()
            .filter_map(|m| Some((m, by_rest.get(&rest(m, field))?)))
            .flat_map(|(m, news)| news.iter().map(move |n| (*m, *n)))
            .take(MAX_PAIRS);
        for (m, n) in pairs {
            if let Some(diff) = differing_token(field.of(m), field.of(n)) {
                *seen.entry(diff).or_default() += 1;
            }
        }
        let mut common: Vec<((String, String), usize)> = seen.into_iter().collect();
        common.sort_by_key(|c| std::cmp::Reverse(c.1));
        fixes.extend(
            common
                .into_iter()
                .take(3)
                .map(|((from, to), _)| Fix::Rewrite { field, from, to }),
        );
    }
    fixes
}

/// The parts of a key other than `field`.
fn rest(k: &SeriesKey, field: KeyField) -> (&str, &str, &Labels) {
    let (a, b) = match field {
        KeyField::Source => (k.benchmark.as_str(), k.metric.as_str()),
        KeyField::Benchmark => (&*k.source, k.metric.as_str()),
        KeyField::Metric => (&*k.source, k.benchmark.as_str()),
    };
    (a, b, &k.labels)
}

fn field_name(field: KeyField) -> &'static str {
    match field {
        KeyField::Source => "source",
        KeyField::Benchmark => "benchmark",
        KeyField::Metric => "metric",
    }
}

/// The tokens (between separators) in which `a` and `b` differ (`gemma3-q4_0`,
/// `gemma3-q8_0` -> `q4`, `q8`), when replacing the first by the second is safe: neither
/// empty nor too long, no text a comment could misread, and the replacement does not
/// itself contain what it replaces.
fn differing_token(a: &str, b: &str) -> Option<(String, String)> {
    if a == b {
        return None;
    }
    let sep = |c: char| matches!(c, '/' | '_' | '-' | '.' | ' ' | ':' | '=');
    let prefix: usize = a
        .chars()
        .zip(b.chars())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum();
    let suffix: usize = a[prefix..]
        .chars()
        .rev()
        .zip(b[prefix..].chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum();
    // Back to the start of the token (of the one before, when the token is a single
    // character: `toolbox-a`, not `a`), forward to its end.
    let mut start = a[..prefix].rfind(sep).map_or(0, |i| i + 1);
    let a_end = (a.len() - suffix).max(prefix);
    let b_end = (b.len() - suffix).max(prefix);
    let a_stop = a[a_end..].find(sep).map_or(a.len(), |i| a_end + i);
    let b_stop = b[b_end..].find(sep).map_or(b.len(), |i| b_end + i);
    if a_stop - start < 2 && start > 0 {
        start = a[..start - 1].rfind(sep).map_or(0, |i| i + 1);
    }
    let (from, to) = (&a[start..a_stop], &b[start..b_stop]);
    (!from.is_empty() && safe(from) && safe(to) && !to.contains(from))
        .then(|| (from.to_string(), to.to_string()))
}

/// Whether a name from the files may appear in the policy lines a comment shows in a code
/// block: bounded, on one line, nothing that could end the block.
fn safe(s: &str) -> bool {
    s.len() <= MAX_PART && !s.chars().any(|c| c.is_control() || c == '`')
}

/// A YAML single-quoted scalar.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_differing_token_of_two_names() {
        assert_eq!(
            differing_token("gemma3-q4_0", "gemma3-q8_0"),
            Some(("q4".into(), "q8".into()))
        );
        assert_eq!(
            differing_token("toolbox-a/results.json", "toolbox-b/results.json"),
            Some(("toolbox-a".into(), "toolbox-b".into()))
        );
        assert_eq!(
            differing_token("decode/toolbox-a", "decode/toolbox-b"),
            Some(("toolbox-a".into(), "toolbox-b".into()))
        );
        assert_eq!(differing_token("x", "x"), None);
        // `a` -> `ab` would rewrite the head's `ab` to `abb`.
        assert_eq!(differing_token("run-a", "run-ab"), None);
    }

    #[test]
    fn rewrite_lines_are_yaml() {
        let fix = Fix::Rewrite {
            field: KeyField::Benchmark,
            from: "q4.0".into(),
            to: "q8".into(),
        };
        let hint = fix.hint(3, 3, 3);
        assert_eq!(
            hint.policy,
            "rewrite:\n  - field: benchmark\n    pattern: 'q4\\.0'\n    replace: 'q8'"
        );
    }
}
