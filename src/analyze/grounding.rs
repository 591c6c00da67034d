//! The grounding check: every number in a statement, with its unit or percent sign, must be
//! a value of the facts the model was shown (within the rounding its written digits allow,
//! after converting units the way the model may have), and every metric-like name must
//! exist in those facts. A statement that fails is removed, and the reason says which
//! number or name was not found.

use super::claims::{self, Movement};
use super::facts::Facts;
use super::names;
use super::prompt::fence;
use crate::units;
use regex::Regex;
use std::collections::HashSet;
use std::sync::LazyLock;

/// The values and names a statement may use.
#[derive(Debug, Clone)]
pub struct Catalogue {
    values: Vec<Known>,
    /// Lower-case names, ids, paths, labels and units shown to the model, one per line.
    haystack: String,
    /// `(lower-case id, display name)` of the shown facts.
    ids: Vec<(String, String)>,
    /// How the shown facts may be referred to.
    aliases: Vec<Alias>,
    /// Word stems of the shown facts' names, for the check of causes.
    vocabulary: HashSet<String>,
}

/// The ways a fact may be named, lower-case, and its display name.
#[derive(Debug, Clone)]
struct Alias {
    exact: Vec<String>,
    /// The display name and the full key path, which a reference may abbreviate.
    name: String,
    path: String,
    display: String,
    movement: Movement,
    /// Canonical unit and the base and head means.
    unit: String,
    means: [Option<f64>; 2],
    /// Where the fact's own values are in [`Catalogue::values`].
    own: std::ops::Range<usize>,
    /// Lower-case metric names (underscores as spaces) that prose may use for the fact.
    prose: Vec<String>,
}

/// A number of the facts: absolute value and unit (`%` for percentages, `x` for ratios,
/// empty for counts and plain numbers).
#[derive(Debug, Clone, PartialEq)]
struct Known {
    value: f64,
    unit: String,
}

/// A number written in a statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// As written (without sign), for the removal reason.
    pub text: String,
    pub value: f64,
    /// Half-width of the interval the written digits stand for is `step / 2`.
    pub step: f64,
    /// Canonical unit, if one followed the number.
    pub unit: Option<String>,
}

impl Catalogue {
    /// The catalogue of the first `included` facts (the ones the prompt showed) plus the
    /// counts, the totals and the inventory.
    pub fn new(facts: &Facts, included: usize) -> Self {
        let mut values = Vec::new();
        let mut names: Vec<String> = Vec::new();
        let mut ids = Vec::new();
        let mut aliases = Vec::new();
        fn push(values: &mut Vec<Known>, value: f64, unit: &str) {
            if value.is_finite() {
                values.push(Known {
                    value: value.abs(),
                    unit: unit.to_string(),
                });
            }
        }
        for f in facts.rows.iter().take(included) {
            let id = f.id.to_lowercase();
            ids.push((id.clone(), f.name.clone()));
            let mut exact = vec![id, f.name.to_lowercase(), fence(&f.name).to_lowercase()];
            let mut first_means = None;
            let own_start = values.len();
            let mut prose = Vec::new();
            for d in std::iter::once(f.delta).chain(f.also.iter()) {
                let unit = units::normalize_unit(&d.unit);
                let mut means = [None, None];
                for (i, side) in [&d.base, &d.head].into_iter().enumerate() {
                    if let Some(s) = side {
                        push(&mut values, s.n as f64, "");
                        push(&mut values, f64::from(s.failed), "");
                        if let Some(m) = s.mean {
                            push(&mut values, m, &unit);
                            means[i] = Some(m);
                        }
                    }
                }
                first_means.get_or_insert(means);
                if let Some(c) = d.change_pct {
                    push(&mut values, c, "%");
                }
                if let Some(c) = d.change_abs {
                    push(&mut values, c, &unit);
                }
                if let [Some(b), Some(h)] = means {
                    push(&mut values, h - b, &unit);
                    if b != 0.0 && h != 0.0 {
                        push(&mut values, (b - h) / h * 100.0, "%");
                        push(&mut values, h / b, "x");
                        push(&mut values, b / h, "x");
                    }
                }
                if let Some(p) = d.p_value {
                    push(&mut values, p, "");
                }
                push(&mut values, d.warn_pct, "%");
                push(&mut values, d.fail_pct, "%");

                let key = &d.key;
                for spoken in spoken_names(&key.metric) {
                    if !prose.contains(&spoken) {
                        prose.push(spoken);
                    }
                }
                exact.extend([
                    names::short_name(d).to_lowercase(),
                    key.metric.to_lowercase(),
                    key.path().to_lowercase(),
                    format!("{}/{}", key.benchmark, key.metric).to_lowercase(),
                ]);
                if !key.benchmark.is_empty() {
                    exact.push(key.benchmark.to_lowercase());
                }
                names.push(key.to_string().to_lowercase());
                names.push(unit.to_lowercase());
                for (k, v) in &key.labels {
                    names.push(format!("{k}={v}").to_lowercase());
                    if let Ok(x) = v.trim().parse::<f64>() {
                        push(&mut values, x, "");
                    }
                }
            }
            names.extend(exact.iter().cloned());
            let d = f.delta;
            let means = first_means.unwrap_or_default();
            aliases.push(Alias {
                exact,
                name: f.name.to_lowercase(),
                path: d.key.path().to_lowercase(),
                display: f.name.clone(),
                movement: movement(d, means),
                unit: units::normalize_unit(&d.unit),
                means,
                own: own_start..values.len(),
                prose,
            });
        }
        for n in facts.counts.values() {
            push(&mut values, *n as f64, "");
        }
        for n in [facts.total(), included, facts.total() - included] {
            push(&mut values, n as f64, "");
        }
        for inv in std::iter::once(&facts.inventory.head).chain(facts.inventory.base.as_ref()) {
            push(&mut values, inv.files as f64, "");
            push(&mut values, inv.skipped.len() as f64, "");
            for (kind, n) in &inv.by_kind {
                push(&mut values, *n as f64, "");
                names.push(kind.to_lowercase());
            }
            for s in &inv.skipped {
                names.push(s.path.to_lowercase());
            }
        }
        let vocabulary = claims::vocabulary(facts.rows.iter().take(included).flat_map(|f| {
            [
                f.name.as_str(),
                f.delta.key.metric.as_str(),
                f.delta.key.benchmark.as_str(),
            ]
        }));
        Catalogue {
            values,
            haystack: names.join("\n"),
            ids,
            aliases,
            vocabulary,
        }
    }

    /// The display names of the facts whose metric name `text` spells out in prose
    /// ("GPU utilization", "tokens generated").
    pub fn named_in_prose(&self, text: &str) -> Vec<String> {
        let (prose, _) = split_code(text);
        let lower = prose.replace('_', " ").to_lowercase();
        self.aliases
            .iter()
            .filter(|a| a.prose.iter().any(|p| contains_words(&lower, p)))
            .map(|a| a.display.clone())
            .collect()
    }

    /// The stored display name of the fact called `name` and how that fact moved.
    pub fn movement_entry(&self, name: &str) -> Option<(&str, &Movement)> {
        self.aliases
            .iter()
            .find(|a| a.display == name)
            .map(|a| (a.display.as_str(), &a.movement))
    }

    /// Word stems of the shown facts' names.
    pub fn vocabulary(&self) -> &HashSet<String> {
        &self.vocabulary
    }

    /// Values derived from two of the named facts: differences and percent differences of
    /// their means in a shared unit, and their ratios.
    fn derived(&self, names: &[String]) -> Vec<Known> {
        let named: Vec<&Alias> = self
            .aliases
            .iter()
            .filter(|a| names.contains(&a.display))
            .collect();
        let mut out = Vec::new();
        let values: Vec<(&str, f64)> = named
            .iter()
            .flat_map(|a| a.means.iter().flatten().map(|m| (a.unit.as_str(), *m)))
            .collect();
        for (i, (ua, a)) in values.iter().enumerate() {
            for (ub, b) in &values[i + 1..] {
                let Some(b) = units::convert(*b, ub, ua) else {
                    continue;
                };
                out.push(Known {
                    value: (a - b).abs(),
                    unit: ua.to_string(),
                });
                if *a != 0.0 && b != 0.0 {
                    for (x, y) in [(*a, b), (b, *a)] {
                        out.push(Known {
                            value: (x / y).abs(),
                            unit: "x".into(),
                        });
                        out.push(Known {
                            value: ((x - y) / y * 100.0).abs(),
                            unit: "%".into(),
                        });
                    }
                }
            }
        }
        out
    }

    /// The display names of the facts a metric reference (`M1`, a name, a metric, a path)
    /// points to; empty when it points to none.
    pub fn resolve(&self, reference: &str) -> Vec<String> {
        let r = strip_quotes(reference).to_lowercase();
        if r.is_empty() {
            return Vec::new();
        }
        if let Some(a) = self.aliases.iter().find(|a| a.name == r) {
            return vec![a.display.clone()];
        }
        let exact: Vec<String> = self
            .aliases
            .iter()
            .filter(|a| a.exact.contains(&r))
            .map(|a| a.display.clone())
            .collect();
        if !exact.is_empty() {
            return exact;
        }
        self.aliases
            .iter()
            .filter(|a| a.name.contains(&r) || a.path.ends_with(&r))
            .map(|a| a.display.clone())
            .collect()
    }

    /// The display name of a shown fact id such as `M3`.
    pub fn name_of_id(&self, id: &str) -> Option<&str> {
        let id = id.to_lowercase();
        self.ids
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, n)| n.as_str())
    }

    fn knows_name(&self, name: &str) -> bool {
        let n = strip_quotes(name).to_lowercase();
        n.is_empty() || self.name_of_id(&n).is_some() || self.haystack.contains(&n)
    }

    /// Whether `w` is one of the facts' values.
    pub fn matches(&self, w: &Written) -> bool {
        self.matches_any(w, &[])
    }

    /// Whether `w` is one of the facts' values or of `extra`.
    fn matches_any(&self, w: &Written, extra: &[Known]) -> bool {
        matches(w, self.values.iter().chain(extra))
    }

    /// Whether the number `w` is about one of the facts `named`: it has a unit, and that
    /// unit is a percentage, a ratio, or one a named fact is measured in (a statement may
    /// name one metric and give the value of another it does not name).
    fn about_named(&self, w: &Written, named: &[String]) -> bool {
        let Some(unit) = w.unit.as_deref() else {
            return false;
        };
        self.aliases
            .iter()
            .filter(|a| named.contains(&a.display))
            .any(|a| {
                matches!(unit, "%" | "x")
                    || (!a.unit.is_empty() && units::convert(1.0, &a.unit, unit).is_some())
            })
    }

    /// The values of the facts named `named` (display names): their means, changes and
    /// thresholds.
    fn own_values(&self, named: &[String]) -> Vec<Known> {
        self.aliases
            .iter()
            .filter(|a| named.contains(&a.display))
            .flat_map(|a| self.values[a.own.clone()].iter().cloned())
            .collect()
    }

    /// `Ok` when every number and name of `text` is grounded, else the kind of problem
    /// and why. `named` are the display names of the facts the statement names (by id,
    /// name or its list of metrics): a number may also be a ratio or difference of two of
    /// them. A number with the unit of a named fact, or of one whose metric the prose
    /// spells out (`in_prose`), must be a value of one of those facts.
    pub fn check(
        &self,
        text: &str,
        named: &[String],
        in_prose: &[String],
    ) -> Result<(), (&'static str, String)> {
        let extra = self.derived(named);
        let named: Vec<String> = named.iter().chain(in_prose).cloned().collect();
        let named = named.as_slice();
        let mut problems = Vec::new();
        let mut number_missing = false;
        let mut other_metric = false;
        let (prose, code) = split_code(text);
        for span in &code {
            match parse_standalone_number(span) {
                Some(w) if !self.matches_any(&w, &extra) => {
                    number_missing = true;
                    problems.push(number_problem(&w))
                }
                Some(_) => {}
                None if !self.knows_name(span) => {
                    problems.push(format!("`{span}` is not a metric in the facts"))
                }
                None => {}
            }
        }
        let own = self.own_values(named);
        for w in numbers(&prose, self) {
            if !self.matches_any(&w, &extra) {
                number_missing = true;
                problems.push(number_problem(&w));
            } else if self.about_named(&w, named) && !matches(&w, own.iter().chain(&extra)) {
                other_metric = true;
                problems.push(format!(
                    "{} is a value of another metric than {}",
                    written(&w),
                    named
                        .iter()
                        .map(|n| format!("`{}`", fence(n)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        for name in identifiers(&prose) {
            if !self.knows_name(&name) {
                problems.push(format!("`{name}` is not a metric in the facts"));
            }
        }
        problems.dedup();
        if problems.is_empty() {
            Ok(())
        } else {
            let more = problems.len().saturating_sub(3);
            problems.truncate(3);
            let mut why = problems.join("; ");
            if more > 0 {
                why.push_str(&format!("; and {more} more"));
            }
            let kind = if number_missing {
                NUMBER_NOT_IN_FACTS
            } else if other_metric {
                NUMBER_OF_ANOTHER_METRIC
            } else {
                NAME_NOT_IN_FACTS
            };
            Err((kind, why))
        }
    }
}

/// Shortest one-word metric name looked for in prose (shorter ones, such as `runs`, are
/// ordinary words too).
const MIN_PROSE_WORD: usize = 8;

/// How prose may spell a metric name: lower case, underscores as spaces, with and without
/// a trailing unit (`prompt eval duration ms`, `prompt eval duration`).
fn spoken_names(metric: &str) -> Vec<String> {
    let spoken = metric.replace(['_', '.'], " ").to_lowercase();
    let words: Vec<&str> = spoken.split_whitespace().collect();
    let mut out = vec![words.join(" ")];
    if let [rest @ .., last] = words.as_slice() {
        if !rest.is_empty() && (units::normalize_unit(last) != *last || last.len() <= 3) {
            out.push(rest.join(" "));
        }
    }
    out.retain(|n| n.contains(' ') || n.chars().count() >= MIN_PROSE_WORD);
    out
}

/// Whether `needle` occurs in `haystack` as whole words.
fn contains_words(haystack: &str, needle: &str) -> bool {
    haystack.match_indices(needle).any(|(i, _)| {
        let before = haystack[..i].chars().next_back();
        let after = haystack[i + needle.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Kinds of removal reasons of the grounding check.
pub const NUMBER_NOT_IN_FACTS: &str = "number not in the facts";
pub const NAME_NOT_IN_FACTS: &str = "name not in the facts";
pub const NUMBER_OF_ANOTHER_METRIC: &str = "number of another metric";

/// Which way a fact moved: up or down by its means (or its change), better or worse by its
/// status; a change too small or too noisy to be judged still went the better or the
/// worse way for a metric with a direction, so calling it the opposite is a contradiction.
fn movement(d: &crate::compare::Delta, means: [Option<f64>; 2]) -> Movement {
    use crate::compare::Status;
    use crate::model::Direction;
    let change = match means {
        [Some(b), Some(h)] => Some(h - b),
        _ => d.change_abs.or(d.change_pct),
    };
    let up = change.filter(|c| *c != 0.0).map(|c| c > 0.0);
    Movement {
        up,
        better: match d.status {
            Status::Improvement | Status::Fixed => Some(true),
            Status::Regression | Status::Broken => Some(false),
            Status::Noisy | Status::Unchanged => match d.direction {
                Direction::HigherIsBetter => up,
                Direction::LowerIsBetter => up.map(|u| !u),
                Direction::Neutral => None,
            },
            _ => None,
        },
    }
}

/// Whether `w` is one of `known`, after unit conversion, within its rounding.
fn matches<'a>(w: &Written, mut known: impl Iterator<Item = &'a Known>) -> bool {
    known.any(|k| {
        candidates(k, w.unit.as_deref())
            .into_iter()
            .any(|v| close(w.value, w.step, v))
    })
}

/// A written number with its unit, for a removal reason.
fn written(w: &Written) -> String {
    match &w.unit {
        Some(u) => format!("{} {u}", w.text),
        None => w.text.clone(),
    }
}

fn number_problem(w: &Written) -> String {
    format!("{} is not in the facts", written(w))
}

/// The values of `k` that a number written with unit `unit` may stand for.
fn candidates(k: &Known, unit: Option<&str>) -> Vec<f64> {
    match unit {
        None => {
            let mut v = vec![k.value];
            if k.unit == "%" {
                v.push(k.value / 100.0);
            }
            v
        }
        Some("%") => match k.unit.as_str() {
            "%" => vec![k.value],
            "" => vec![k.value * 100.0],
            _ => vec![],
        },
        Some("x") => match k.unit.as_str() {
            "x" | "" => vec![k.value],
            _ => vec![],
        },
        Some(u) => match k.unit.as_str() {
            "" | "%" | "x" => vec![],
            ku => units::convert(k.value, ku, u).into_iter().collect(),
        },
    }
}

/// Whether `written`, given with precision `step`, is `value` rounded to the written digits.
fn close(written: f64, step: f64, value: f64) -> bool {
    (written - value).abs() <= step * 0.5 * (1.0 + 1e-9) + value.abs() * 1e-12
}

static CODE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"`([^`]*)`").unwrap());
static LINK_URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\]\([^)]*\)|https?://\S+").unwrap());
static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?:[eE]([+-]?\d+))?").unwrap()
});
static RANGE_JOIN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*(?:-|–|—|to)\s*$").unwrap());
static FILE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\.(csv|tsv|json|jsonl|ndjson|md|txt|log|xml|ya?ml)$").unwrap()
});

/// The text outside backtick code spans (spans replaced by a space) and the spans' contents.
/// Link targets are dropped: numbers in a URL are not claims.
fn split_code(text: &str) -> (String, Vec<String>) {
    let code = CODE
        .captures_iter(text)
        .map(|c| c[1].trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let prose = CODE.replace_all(text, " ");
    (LINK_URL.replace_all(&prose, " ").into_owned(), code)
}

/// Unit spellings in prose, longest first within each group, and their canonical unit.
const UNITS: &[(&str, &str)] = &[
    ("tokens per second", "tokens/s"),
    ("tokens/second", "tokens/s"),
    ("tokens/sec", "tokens/s"),
    ("tokens/s", "tokens/s"),
    ("token/s", "tokens/s"),
    ("tok/s", "tokens/s"),
    ("t/s", "tokens/s"),
    ("tps", "tokens/s"),
    ("requests per second", "req/s"),
    ("requests/s", "req/s"),
    ("req/s", "req/s"),
    ("rps", "req/s"),
    ("operations per second", "ops/s"),
    ("ops/sec", "ops/s"),
    ("ops/s", "ops/s"),
    ("percentage points", "%"),
    ("per cent", "%"),
    ("percent", "%"),
    ("pct", "%"),
    ("pp", "%"),
    ("%", "%"),
    ("times", "x"),
    ("x", "x"),
    ("×", "x"),
    ("nanoseconds", "ns"),
    ("nanosecond", "ns"),
    ("ns/op", "ns/op"),
    ("ns", "ns"),
    ("microseconds", "us"),
    ("microsecond", "us"),
    ("µs", "us"),
    ("μs", "us"),
    ("us", "us"),
    ("milliseconds", "ms"),
    ("millisecond", "ms"),
    ("msec", "ms"),
    ("ms", "ms"),
    ("seconds", "s"),
    ("second", "s"),
    ("secs", "s"),
    ("sec", "s"),
    ("s", "s"),
    ("minutes", "min"),
    ("minute", "min"),
    ("mins", "min"),
    ("min", "min"),
    ("hours", "h"),
    ("hour", "h"),
    ("hrs", "h"),
    ("h", "h"),
    ("gib/s", "GiB/s"),
    ("mib/s", "MiB/s"),
    ("gb/s", "GB/s"),
    ("mb/s", "MB/s"),
    ("kb/s", "KB/s"),
    ("gib", "GiB"),
    ("mib", "MiB"),
    ("kib", "KiB"),
    ("tb", "TB"),
    ("gb", "GB"),
    ("mb", "MB"),
    ("kb", "KB"),
    ("bytes", "B"),
    // Quantities benchmark files here do not hold; recognised so that a number written
    // with them cannot pass as a unit-less value.
    ("rpm", "rpm"),
    ("°c", "°C"),
    ("°f", "°F"),
    ("celsius", "°C"),
    ("degrees", "°"),
    ("watts", "W"),
    ("ghz", "GHz"),
    ("mhz", "MHz"),
    ("hz", "Hz"),
    ("fps", "fps"),
    ("volts", "V"),
    ("joules", "J"),
];

/// The unit written at the start of `rest` (after optional spaces) and the bytes it spans.
fn unit_at(rest: &str) -> Option<(&'static str, usize)> {
    let trimmed = rest.trim_start();
    let skip = rest.len() - trimmed.len();
    if skip > 1 {
        return None;
    }
    let lower = trimmed.to_lowercase();
    // `to_lowercase` keeps byte offsets for the ASCII and Greek/Latin-1 spellings above.
    let mut best: Option<(&'static str, usize)> = None;
    for (spelling, canon) in UNITS {
        if lower.starts_with(spelling) && lower.is_char_boundary(spelling.len()) {
            let next = lower[spelling.len()..].chars().next();
            let boundary = next.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
            if boundary && best.is_none_or(|(_, len)| spelling.len() > len) {
                best = Some((canon, spelling.len()));
            }
        }
    }
    best.map(|(canon, len)| (canon, skip + len))
}

/// A backtick span that is a number (with an optional unit) and nothing else.
fn parse_standalone_number(span: &str) -> Option<Written> {
    let m = NUMBER.find(span.trim_start_matches(['+', '-', '−']))?;
    let body = span.trim_start_matches(['+', '-', '−']);
    if m.start() != 0 {
        return None;
    }
    let (w, end) = written_at(body, 0)?;
    let rest = &body[end..];
    match unit_at(rest) {
        Some((u, len)) if rest[len..].trim().is_empty() => Some(Written {
            unit: Some(u.to_string()),
            ..w
        }),
        _ if rest.trim().is_empty() => Some(w),
        _ => None,
    }
}

/// The number that starts at byte `start` of `text`, with its precision, and where it ends.
fn written_at(text: &str, start: usize) -> Option<(Written, usize)> {
    let caps = NUMBER.captures(&text[start..])?;
    let digits = caps.get(1)?.as_str();
    let exp: i32 = caps
        .get(2)
        .map(|e| e.as_str().parse().unwrap_or(0))
        .unwrap_or(0);
    let plain = digits.replace(',', "");
    let value: f64 = plain.parse().ok()?;
    let decimals = plain.split_once('.').map(|(_, d)| d.len()).unwrap_or(0) as i32;
    let whole = caps.get(0)?.as_str();
    Some((
        Written {
            text: whole.to_string(),
            value: value * 10f64.powi(exp),
            step: 10f64.powi(exp - decimals),
            unit: None,
        },
        start + whole.len(),
    ))
}

/// Every number of `prose` that claims something: not part of a word (`gemma3`, `p99`,
/// `pp512`), with the unit that follows it; in a range (`72-98 RPM`) the first number takes
/// the unit of the second.
pub fn numbers(prose: &str, cat: &Catalogue) -> Vec<Written> {
    let mut out: Vec<(usize, usize, Written)> = Vec::new();
    let mut pos = 0;
    while let Some(m) = NUMBER.find_at(prose, pos) {
        pos = m.end().max(pos + 1);
        let before = prose[..m.start()].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
            // Skip the rest of the word this digit run belongs to.
            pos = word_end(prose, m.start());
            continue;
        }
        let Some((mut w, end)) = written_at(prose, m.start()) else {
            continue;
        };
        if HEDGE.is_match(&prose[..m.start()]) {
            w.step = w.step.max(round_step(&w.text));
        }
        let mut stop = end;
        let rest = &prose[end..];
        if let Some((unit, len)) = unit_at(rest) {
            w.unit = Some(unit.to_string());
            stop = end + len;
        } else if rest.starts_with(|c: char| c.is_alphabetic()) {
            // Digits glued to a word that is not a unit (`4b`, `3rd`): a name when the facts
            // contain it, otherwise a number like any other.
            let word_stop = word_end(prose, m.start());
            let word = &prose[m.start()..word_stop];
            stop = word_stop;
            if cat.knows_name(word) {
                pos = word_stop;
                continue;
            }
        }
        pos = stop.max(pos);
        out.push((m.start(), stop, w));
    }
    for i in 1..out.len() {
        let (prev, cur) = out.split_at_mut(i);
        let (_, prev_end, a) = &mut prev[i - 1];
        let (cur_start, _, b) = &cur[0];
        if a.unit.is_none()
            && b.unit.is_some()
            && RANGE_JOIN.is_match(&prose[*prev_end..*cur_start])
        {
            a.unit = b.unit.clone();
        }
    }
    out.into_iter().map(|(_, _, w)| w).collect()
}

/// A word that marks the number after it as rounded: "roughly 2700".
static HEDGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:\b(?:roughly|about|around|approximately|approx\.?|nearly|almost|some|close to|circa|ca\.)|~|≈)\s*$")
        .unwrap()
});

/// The precision a round number claims: 2700 stands for 2650 to 2750. Numbers with
/// decimals or without trailing zeros claim their last digit.
fn round_step(text: &str) -> f64 {
    if text.contains(['.', 'e', 'E']) {
        return 0.0;
    }
    let digits = text.replace(',', "");
    let zeros = digits.len() - digits.trim_end_matches('0').len();
    if zeros == digits.len() {
        return 0.0;
    }
    10f64.powi(zeros as i32)
}

fn word_end(text: &str, from: usize) -> usize {
    text[from..]
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map(|(i, _)| from + i)
        .unwrap_or(text.len())
}

/// Words that look like metric or file names: `snake_case`, letters with digits (`A100`,
/// `p99`, `M3`), or file names (`summary.json`).
pub fn identifiers(prose: &str) -> Vec<String> {
    static WORD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"[A-Za-z0-9_][A-Za-z0-9_./:=-]*[A-Za-z0-9_]|[A-Za-z]").unwrap()
    });
    let mut out = Vec::new();
    for m in WORD.find_iter(prose) {
        let word = m.as_str();
        let starts_alpha = word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
        let has_digit = word.chars().any(|c| c.is_ascii_digit());
        let snake = word.contains('_');
        let file = FILE_NAME.is_match(word);
        if !starts_alpha || unit_at(word).is_some_and(|(_, len)| len == word.len()) {
            continue;
        }
        if snake || has_digit || file {
            out.push(word.to_string());
        }
    }
    out
}

fn strip_quotes(s: &str) -> &str {
    s.trim()
        .trim_matches(|c| matches!(c, '`' | '"' | '\'' | '*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(text: &str) -> Written {
        parse_standalone_number(text).unwrap()
    }

    #[test]
    fn rounding_follows_the_written_digits() {
        assert!(close(12.4, w("12.4").step, 12.37));
        assert!(!close(12.4, w("12.4").step, 12.46));
        assert!(!close(12.3, w("12.3").step, 12.37), "cut off, not rounded");
        assert!(close(12.0, w("12").step, 12.37));
        assert!(!close(12.0, w("12").step, 12.61));
        assert_eq!(w("1,161").value, 1161.0);
        assert_eq!(w("2.5e3 ms").value, 2500.0);
        assert_eq!(w("2.5e3 ms").unit.as_deref(), Some("ms"));
    }

    #[test]
    fn metric_names_as_prose_spells_them() {
        assert_eq!(
            spoken_names("prompt_eval_duration_ms"),
            ["prompt eval duration ms", "prompt eval duration"]
        );
        assert_eq!(spoken_names("Tokens Generated"), ["tokens generated"]);
        assert_eq!(spoken_names("Throughput"), ["throughput"]);
        assert!(spoken_names("Runs").is_empty());
        assert!(spoken_names("TTFT").is_empty());
    }

    #[test]
    fn hedged_round_numbers_claim_their_own_precision() {
        assert_eq!(round_step("2700"), 100.0);
        assert_eq!(round_step("56"), 1.0);
        assert_eq!(round_step("2.70"), 0.0);
        assert_eq!(round_step("0"), 0.0);
        assert!(HEDGE.is_match("grew by roughly "));
        assert!(HEDGE.is_match("~"));
        assert!(!HEDGE.is_match("grew by "));
    }

    #[test]
    fn units_are_read_at_word_boundaries() {
        assert_eq!(unit_at(" ms, then"), Some(("ms", 3)));
        assert_eq!(unit_at(" samples"), None);
        assert_eq!(unit_at(" tokens per second"), Some(("tokens/s", 18)));
        assert_eq!(unit_at("% faster"), Some(("%", 1)));
        assert_eq!(unit_at(" RPM"), Some(("rpm", 4)));
        assert_eq!(unit_at("x"), Some(("x", 1)));
        assert_eq!(unit_at("  ms"), None, "a unit is next to its number");
    }

    #[test]
    fn identifiers_are_snake_case_alnum_or_files() {
        assert_eq!(
            identifiers("gpu_fan_speed on an A100 read from summary.json, p99 and tokens/s in ms"),
            vec!["gpu_fan_speed", "A100", "summary.json", "p99"]
        );
    }
}
