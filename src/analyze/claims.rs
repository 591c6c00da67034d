//! Checks of what a statement claims beyond its numbers. Polarity: a statement may not call
//! a metric's change the opposite of what was measured ("improved" for a regression, "fell"
//! for a value that rose). Causes: a causal claim ("because", "due to", "comes from", "led
//! to", ...) stands only when every cause it names is itself a shown fact, since the model
//! was told not to guess causes, hardware or settings. Both checks read English, so a
//! statement in another language cannot pass them ([`unreadable`]).

use regex::Regex;
use std::collections::HashSet;
use std::sync::LazyLock;

/// How a shown fact moved, as the checks need it.
#[derive(Debug, Clone, PartialEq)]
pub struct Movement {
    /// `Some(true)` when the head value is above the base value.
    pub up: Option<bool>,
    /// `Some(true)` for an improvement or a fix, `Some(false)` for a regression or a break.
    pub better: Option<bool>,
}

/// A fact named in a statement: where the name starts and how that fact moved.
#[derive(Debug, Clone)]
pub struct Mention<'a> {
    pub at: usize,
    pub name: &'a str,
    pub movement: &'a Movement,
}

/// Words a statement uses to say which way something went.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Claim {
    Better,
    Worse,
    Up,
    Down,
}

static CLAIM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:(improve[sd]?|improving|improvements?|faster|better|speed-?up|sped up|gains?|gained)|(regress(?:ed|es|ion|ions)?|slower|worse|worsened|degraded|degradation|slowdown|slowed(?: down)?)|(increase[sd]?|increasing|rose|rises|risen|grew|grows|grown|higher|climbed|jumped|(?:went|goes|is|was) up|up by|doubled|tripled)|(decrease[sd]?|decreasing|fell|falls|fallen|dropped|drops|lower|declined|declines|shrank|shrunk|reduced|(?:went|goes|is|was) down|down by|halved))\b",
    )
    .unwrap()
});

static NEGATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(?:not|no|never|without|nor)\b|n't\b").unwrap());

/// The first contradiction between a claim word of `text` and the fact it is about, as a
/// removal reason. A claim word is about the nearest fact named before it (or, when none
/// is named before it, the first one after it); a negated claim is not judged.
pub fn polarity(text: &str, mentions: &[Mention]) -> Option<String> {
    if mentions.is_empty() {
        return None;
    }
    for c in CLAIM.captures_iter(text) {
        let m = c.get(0)?;
        let claim = match (1..=4).find(|i| c.get(*i).is_some()) {
            Some(1) => Claim::Better,
            Some(2) => Claim::Worse,
            Some(3) => Claim::Up,
            _ => Claim::Down,
        };
        let lead: String = text[..m.start()]
            .split_whitespace()
            .rev()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ");
        if NEGATION.is_match(&lead) {
            continue;
        }
        let subject = mentions
            .iter()
            .filter(|x| x.at < m.start())
            .max_by_key(|x| x.at)
            .or_else(|| mentions.iter().min_by_key(|x| x.at))?;
        let mv = subject.movement;
        let wrong = match claim {
            Claim::Better => mv.better == Some(false),
            Claim::Worse => mv.better == Some(true),
            Claim::Up => mv.up == Some(false),
            Claim::Down => mv.up == Some(true),
        };
        if wrong {
            let measured = match claim {
                Claim::Better | Claim::Worse if mv.better == Some(true) => "it improved",
                Claim::Better | Claim::Worse => "it regressed",
                _ if mv.up == Some(true) => "it went up",
                _ => "it went down",
            };
            return Some(format!(
                "says `{}` {} ({}), but {measured}",
                subject.name,
                match claim {
                    Claim::Better => "got better",
                    Claim::Worse => "got worse",
                    Claim::Up => "went up",
                    Claim::Down => "went down",
                },
                m.as_str()
            ));
        }
    }
    None
}

/// Short words common in German, Spanish, French, Italian, Portuguese and Dutch prose and
/// not English words.
const FOREIGN: &[&str] = &[
    "der", "das", "und", "von", "auf", "sich", "ist", "mit", "nicht", "wurde", "um", "el", "los",
    "las", "del", "que", "una", "por", "con", "les", "des", "est", "une", "avec", "pour", "sur",
    "dans", "della", "che", "sono", "uma", "não", "foi", "het", "een", "werd",
];

/// Whether `text` is not English enough for the checks of direction and causes to read it:
/// two or more distinct function words of another language, or mostly letters outside the
/// Latin alphabet.
pub fn unreadable(text: &str) -> bool {
    let prose: String = text
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(_, p)| p)
        .collect::<Vec<_>>()
        .join(" ");
    let letters = prose.chars().filter(|c| c.is_alphabetic()).count();
    let foreign_letters = prose
        .chars()
        .filter(|c| c.is_alphabetic() && !c.is_ascii() && !matches!(c, 'À'..='ɏ'))
        .count();
    if letters > 0 && foreign_letters * 3 > letters {
        return true;
    }
    let mut words: Vec<String> = prose
        .split(|c: char| !c.is_alphabetic())
        .map(str::to_lowercase)
        .filter(|w| FOREIGN.contains(&w.as_str()))
        .collect();
    words.sort();
    words.dedup();
    words.len() >= 2
}

/// Connectives whose cause follows them.
static CAUSE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:because(?: of)?|due to|caused by|comes? from|came from|stems? from|driven by|owing to|attributable to|thanks to|explained by|(?:the |a )?results? of|as a result of|triggered by|a consequence of)\b",
    )
    .unwrap()
});

/// Connectives whose cause precedes them.
static CAUSE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:leads? to|led to|causes|caused(?: the| a)?\b|results? in|resulted in|explains|is why|are why|drives|drove)\b",
    )
    .unwrap()
});

/// Words a cause may use besides the names of the facts.
const CAUSE_WORDS: &str = "the and its their this that these those was were are has have had \
    been being with from than more fewer less much many higher lower longer shorter larger \
    smaller bigger greater increase increased decrease decreased rise growth grew drop fall \
    number count amount each per side base head both also times change changes value values \
    metric metrics likely probably partly mostly largely which what where when there into same \
    other for nearly about roughly around almost single one two only few instead regressed \
    improved regression improvement beyond above below within fell rose slower faster new \
    missing fixed broken failed failures status";

/// Words for what every prompt shows besides the metrics (runs per side, confidence,
/// thresholds, the verdict): a cause may name them as it names a fact.
const SHOWN_ALWAYS: &str =
    "run runs sample samples confidence threshold thresholds verdict warn fail";

/// A word stem for loose matching: lower case, at most five letters.
fn stem(word: &str) -> String {
    word.to_lowercase().chars().take(5).collect()
}

/// The vocabulary of the shown facts' names, for [`causes`].
pub fn vocabulary<'a>(names: impl IntoIterator<Item = &'a str>) -> HashSet<String> {
    names
        .into_iter()
        .chain(SHOWN_ALWAYS.split_whitespace())
        .flat_map(|n| n.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.len() >= 2)
        .map(stem)
        .collect()
}

/// Why a causal claim of `text` is not supported, if it names a cause that is not a shown
/// fact. `text` has its fact ids expanded to names in code spans; `named` tells whether a
/// code span names a shown fact.
pub fn causes(
    text: &str,
    vocabulary: &HashSet<String>,
    named: impl Fn(&str) -> bool,
) -> Option<String> {
    let allowed: HashSet<String> = CAUSE_WORDS.split_whitespace().map(stem).collect();
    let clauses = CAUSE_AFTER
        .find_iter(text)
        .map(|m| clause_after(text, m.end()))
        .chain(
            CAUSE_BEFORE
                .find_iter(text)
                .map(|m| clause_before(text, m.start())),
        );
    for clause in clauses {
        let mut names_a_fact = false;
        let mut strangers: Vec<&str> = Vec::new();
        for (i, part) in clause.split('`').enumerate() {
            if i % 2 == 1 {
                if named(part) {
                    names_a_fact = true;
                } else {
                    strangers.push(part);
                }
                continue;
            }
            for word in part.split(|c: char| !c.is_alphanumeric()) {
                if word.len() < 3 || word.chars().all(|c| c.is_ascii_digit()) {
                    continue;
                }
                let s = stem(word);
                if vocabulary.contains(&s) {
                    names_a_fact = true;
                } else if !allowed.contains(&s) {
                    strangers.push(word);
                }
            }
        }
        if !names_a_fact || !strangers.is_empty() {
            let shown: Vec<&str> = strangers.into_iter().take(3).collect();
            return Some(if shown.is_empty() {
                format!(
                    "names a cause (\"{}\") that is not a shown fact",
                    clause.trim()
                )
            } else {
                format!(
                    "names a cause that is not a shown fact ({})",
                    shown.join(", ")
                )
            });
        }
    }
    None
}

/// The clause from `at` to the next sentence or clause break.
fn clause_after(text: &str, at: usize) -> &str {
    let rest = &text[at..];
    let end = rest.find([';', ',', '.', '(', ':']).unwrap_or(rest.len());
    &rest[..end]
}

/// The clause from the previous clause break up to `at`.
fn clause_before(text: &str, at: usize) -> &str {
    let head = &text[..at];
    let start = head.rfind([';', ',', ':', '(']).map(|i| i + 1).unwrap_or(0);
    &head[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    const REGRESSED_UP: Movement = Movement {
        up: Some(true),
        better: Some(false),
    };
    const IMPROVED_UP: Movement = Movement {
        up: Some(true),
        better: Some(true),
    };

    fn at<'a>(text: &str, name: &'a str, movement: &'a Movement) -> Mention<'a> {
        Mention {
            at: text.find(name).unwrap(),
            name,
            movement,
        }
    }

    #[test]
    fn a_regression_called_an_improvement_is_caught() {
        let t = "`Prompt Eval` improved from 14.03 ms to 784.8 ms";
        let why = polarity(t, &[at(t, "Prompt Eval", &REGRESSED_UP)]).unwrap();
        assert!(why.contains("it regressed"), "{why}");
        let t = "`Prompt Eval` fell to 784.8 ms";
        assert!(polarity(t, &[at(t, "Prompt Eval", &REGRESSED_UP)]).is_some());
        let t = "`Prompt Eval` rose and regressed; it did not improve";
        assert_eq!(polarity(t, &[at(t, "Prompt Eval", &REGRESSED_UP)]), None);
    }

    #[test]
    fn each_claim_word_is_about_the_fact_named_before_it() {
        let t = "`Throughput` improved while `TTFT` got worse";
        let ms = [
            at(t, "Throughput", &IMPROVED_UP),
            at(t, "TTFT", &REGRESSED_UP),
        ];
        assert_eq!(polarity(t, &ms), None);
        let t = "`TTFT` improved while `Throughput` got worse";
        let ms = [
            at(t, "Throughput", &IMPROVED_UP),
            at(t, "TTFT", &REGRESSED_UP),
        ];
        assert!(polarity(t, &ms).is_some());
    }

    #[test]
    fn statements_the_checks_cannot_read_are_recognised() {
        assert!(unreadable(
            "Der Durchsatz verbesserte sich von 49.57 auf 40.98 tokens/s"
        ));
        assert!(unreadable("吞吐量从 49.57 提高到 40.98"));
        assert!(!unreadable(
            "`Agent B/Throughput` fell 17.33 % to 40.98 tokens/s"
        ));
        assert!(!unreadable("Re-run the benchmarks."));
        assert!(!unreadable("Agent B throughput fell 18.3 %."));
        assert!(unreadable(
            "Los resultados muestran una caída del rendimiento."
        ));
    }

    #[test]
    fn causes_must_be_shown_facts() {
        let vocab = vocabulary(["Tokens Generated", "Eval Duration"]);
        let named = |s: &str| s == "Eval Duration";
        assert_eq!(
            causes(
                "`Eval Duration` grew because more tokens were generated",
                &vocab,
                named
            ),
            None
        );
        assert_eq!(
            causes(
                "More tokens generated led to a longer `Eval Duration`",
                &vocab,
                named
            ),
            None
        );
        let why = causes(
            "The slowdown comes from the GPU offload setting being ignored by the new driver",
            &vocab,
            named,
        )
        .unwrap();
        assert!(why.contains("GPU"), "{why}");
        assert!(causes("It is slower due to thermal throttling", &vocab, named).is_some());
    }
}
