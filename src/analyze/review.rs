//! Turns a draft answer into what may be published: each statement is cleaned (see
//! [`super::sanitize`]), fact ids such as `M1` are replaced by the metric's name, the
//! grounding check runs, a statement may not call a change the opposite of what was
//! measured nor name causes that are not facts ([`super::claims`]), findings must name
//! metrics that exist, echoes of the instructions and votes on merging or approval are
//! dropped, and the total length is bounded. Everything dropped is listed with the kind of
//! reason and the reason.

use super::answer::Draft;
use super::claims::{self, Mention};
use super::grounding::Catalogue;
use super::prompt::fence;
use super::sanitize::{clean, to_markdown, truncate};
use super::{Finding, Removed};
use regex::Regex;
use std::sync::LazyLock;

/// At most this many removed statements are listed (the rest are counted).
const MAX_REMOVED_LISTED: usize = 20;
/// Longest quote of a removed statement, in characters.
const MAX_REMOVED_CHARS: usize = 200;

/// The checked answer, as Markdown-safe text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reviewed {
    pub summary: String,
    pub findings: Vec<Finding>,
    pub recommendations: Vec<String>,
    pub removed: Vec<Removed>,
    /// Statements removed in all (`removed` lists at most 20).
    pub removed_total: usize,
    /// Statements kept.
    pub kept: usize,
}

/// Kinds of removal reasons (see [`Removed::kind`]).
pub const KIND_ECHO: &str = "repeats the instructions";
pub const KIND_VOTE: &str = "speaks to merging";
pub const KIND_POLARITY: &str = "opposite direction";
pub const KIND_CAUSE: &str = "unsupported cause";
pub const KIND_LANGUAGE: &str = "not in English";
pub const KIND_UNKNOWN_METRIC: &str = "unknown metric";
pub const KIND_LENGTH: &str = "over the length limit";
pub const KIND_CUT_OFF: &str = "cut off";

struct Reviewer<'a> {
    cat: &'a Catalogue,
    /// The instructions the model was given, lower-case, to catch an echo of them.
    instructions: String,
    chars_left: usize,
    removed: Vec<Removed>,
    removed_total: usize,
}

impl Reviewer<'_> {
    /// The cleaned statement if it passes every check and fits the remaining length.
    /// `about` are the display names of the metrics a finding says it is about.
    fn keep(&mut self, raw: &str, about: &[String]) -> Option<String> {
        let text = expand_ids(&clean(raw), self.cat);
        if text.is_empty() {
            return None;
        }
        let bare = text.trim_end_matches(['.', '!']).trim().to_lowercase();
        if self.instructions.contains(&bare) {
            self.remove(
                &text,
                KIND_ECHO,
                "repeats the instructions instead of explaining the facts".into(),
            );
            return None;
        }
        if VOTE.is_match(&text) {
            self.remove(
                &text,
                KIND_VOTE,
                "speaks to merging or approval; the analysis explains the numbers, people decide"
                    .into(),
            );
            return None;
        }
        if claims::unreadable(&text) {
            self.remove(
                &text,
                KIND_LANGUAGE,
                "not in English, so its claims of direction and cause cannot be checked".into(),
            );
            return None;
        }
        let mut named = mentioned(&text, self.cat);
        for name in about {
            if !named.contains(name) {
                named.push(name.clone());
            }
        }
        let in_prose = self.cat.named_in_prose(&text);
        if let Err((kind, why)) = self.cat.check(&text, &named, &in_prose) {
            self.remove(&text, kind, why);
            return None;
        }
        let mentions = mentions(&text, about, self.cat);
        if let Some(why) = claims::polarity(&text, &mentions) {
            self.remove(&text, KIND_POLARITY, why);
            return None;
        }
        let cat = self.cat;
        if let Some(why) = claims::causes(&text, cat.vocabulary(), |span| {
            !cat.resolve(span).is_empty()
        }) {
            self.remove(&text, KIND_CAUSE, why);
            return None;
        }
        self.fit(text)
    }

    fn fit(&mut self, text: String) -> Option<String> {
        let len = text.chars().count();
        if len > self.chars_left {
            self.remove(
                &text,
                KIND_LENGTH,
                "over the length limit of the analysis".into(),
            );
            self.chars_left = 0;
            return None;
        }
        self.chars_left -= len;
        Some(text)
    }

    fn remove(&mut self, text: &str, kind: &str, why: String) {
        self.removed_total += 1;
        if self.removed.len() < MAX_REMOVED_LISTED {
            self.removed.push(Removed {
                text: to_markdown(&truncate(text, MAX_REMOVED_CHARS)),
                why: to_markdown(&why),
                kind: kind.to_string(),
            });
        }
    }
}

/// Checks every statement of `draft` against `cat`, keeping at most `max_chars` characters.
/// A statement that only repeats part of `instructions` (the prompt's example answer, say)
/// is dropped too.
pub fn review(draft: &Draft, cat: &Catalogue, instructions: &str, max_chars: usize) -> Reviewed {
    let mut r = Reviewer {
        cat,
        instructions: instructions.to_lowercase(),
        chars_left: max_chars,
        removed: Vec::new(),
        removed_total: 0,
    };
    let summary: Vec<String> = draft
        .summary
        .iter()
        .filter_map(|s| r.keep(s, &[]))
        .collect();

    let mut findings = Vec::new();
    for f in &draft.findings {
        let unknown: Vec<&String> = f
            .metrics
            .iter()
            .filter(|m| cat.resolve(m).is_empty())
            .collect();
        if let Some(first) = unknown.first() {
            let text = clean(&f.text);
            r.remove(
                &text,
                KIND_UNKNOWN_METRIC,
                format!("names metric `{}`, which is not in the facts", fence(first)),
            );
            continue;
        }
        let mut metrics: Vec<String> = Vec::new();
        for name in f.metrics.iter().flat_map(|m| cat.resolve(m)) {
            if !metrics.contains(&name) {
                metrics.push(name);
            }
        }
        let Some(text) = r.keep(&f.text, &metrics) else {
            continue;
        };
        if metrics.is_empty() {
            metrics = mentioned(&text, cat);
        }
        findings.push(Finding {
            text: to_markdown(&text),
            metrics,
        });
    }

    let recommendations: Vec<String> = draft
        .recommendations
        .iter()
        .filter_map(|s| r.keep(s, &[]))
        .map(|s| to_markdown(&s))
        .collect();

    let kept = summary.len() + findings.len() + recommendations.len();
    let removed_total = r.removed_total;
    let mut removed = r.removed;
    if removed_total > removed.len() {
        removed.push(Removed {
            text: String::new(),
            why: format!("{} more statements removed", removed_total - removed.len()),
            kind: String::new(),
        });
    }
    Reviewed {
        summary: summary
            .iter()
            .map(|s| to_markdown(s))
            .collect::<Vec<_>>()
            .join(" "),
        findings,
        recommendations,
        removed,
        removed_total,
        kept,
    }
}

/// A statement that votes on the pull request: merge it, approve it, ship it, block it.
static VOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:(?:safe|ready|ok|okay|fine|good|clear|cleared)\s+(?:to|for)\s+(?:merge|merging|release|ship)|(?:can|could|should|may|must)\s+(?:not\s+|safely\s+)?be\s+(?:merged|approved|shipped|released)|(?:do\s+not|don't|not)\s+(?:merge|approve|ship)|(?:merge|approve|ship)\s+(?:it|this|the\s+(?:pr|pull\s+request|change))|\bapprov(?:e|ed|al)\b|\blgtm\b|good\s+to\s+go|mergeable|blocks?\s+(?:the\s+)?(?:merge|release))",
    )
    .unwrap()
});

static ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"`[^`]*`|\bM\d+\b").unwrap());

/// Replaces ids of shown facts (`M3`) outside code spans by the metric's name in backticks.
fn expand_ids(text: &str, cat: &Catalogue) -> String {
    ID.replace_all(text, |c: &regex::Captures| {
        let m = &c[0];
        match cat.name_of_id(m) {
            Some(name) if !m.starts_with('`') => format!("`{}`", fence(name)),
            _ => m.to_string(),
        }
    })
    .into_owned()
}

/// Where `text` names a shown fact (in a code span), with how that fact moved. A finding
/// that names its metrics only in its `metrics` list is about the first of them.
fn mentions<'a>(text: &str, about: &'a [String], cat: &'a Catalogue) -> Vec<Mention<'a>> {
    static CODE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"`([^`]+)`").unwrap());
    let mut out = Vec::new();
    for c in CODE.captures_iter(text) {
        let resolved = cat.resolve(&c[1]);
        if let [name] = resolved.as_slice() {
            if let Some((name, movement)) = cat.movement_entry(name) {
                out.push(Mention {
                    at: c.get(0).map(|m| m.start()).unwrap_or(0),
                    name,
                    movement,
                });
            }
        }
    }
    if out.is_empty() {
        if let Some((name, movement)) = about.first().and_then(|n| cat.movement_entry(n)) {
            out.push(Mention {
                at: 0,
                name,
                movement,
            });
        }
    }
    out
}

/// The facts a statement names in code spans.
fn mentioned(text: &str, cat: &Catalogue) -> Vec<String> {
    static CODE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"`([^`]+)`").unwrap());
    let mut out: Vec<String> = Vec::new();
    for c in CODE.captures_iter(text) {
        for name in cat.resolve(&c[1]) {
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}
