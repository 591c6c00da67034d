//! Errors from reading the policy file and resolving a policy, worded for the person who has
//! to fix the file: which file, which line, which key, and what would have been valid.

use regex::Regex;
use std::sync::LazyLock;

/// A policy file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read policy file {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The YAML is malformed or has an unknown key or a bad value.
    #[error("{path}{}: {message}", location(*.line, *.column))]
    Parse {
        path: String,
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },
    /// The values parse but do not make sense together (e.g. warn above fail).
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
}

fn location(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(", line {l}, column {c}"),
        (Some(l), None) => format!(", line {l}"),
        _ => String::new(),
    }
}

/// `<where>: unknown field|variant `<name>`, expected ...` as serde words it.
static UNKNOWN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?P<at>[^:]*): )?unknown (?P<what>field|variant) `(?P<name>[^`]*)`, (?:expected one of (?P<many>.*)|expected (?P<one>`[^`]*`)|there are no (?:fields|variants))$",
    )
    .expect("constant regex")
});
static LOCATION_SUFFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r" at line \d+ column \d+$").expect("constant regex"));

impl ConfigError {
    pub(crate) fn parse(path: &str, err: &serde_norway::Error) -> ConfigError {
        let location = err.location();
        let raw = err.to_string();
        let raw = LOCATION_SUFFIX.replace(&raw, "");
        ConfigError::Parse {
            path: path.to_string(),
            line: location.as_ref().map(|l| l.line()),
            column: location.as_ref().map(|l| l.column()),
            message: reword(&raw),
        }
    }
}

/// Turns serde's "unknown field" wording into one that says key, place and valid keys.
fn reword(raw: &str) -> String {
    let Some(c) = UNKNOWN.captures(raw) else {
        return raw.to_string();
    };
    let at = c.name("at").map(|m| m.as_str()).unwrap_or("");
    let name = &c["name"];
    let valid: Vec<&str> = c
        .name("many")
        .or_else(|| c.name("one"))
        .map(|m| {
            m.as_str()
                .split(", ")
                .map(|v| v.trim_matches('`'))
                .collect()
        })
        .unwrap_or_default();
    let valid = if valid.is_empty() {
        "none".to_string()
    } else {
        valid.join(", ")
    };
    let place = if at.is_empty() {
        "at the top level".to_string()
    } else {
        format!("under `{at}`")
    };
    match &c["what"] {
        "field" => format!("unknown key `{name}` {place}; valid keys: {valid}"),
        _ if at == "events" => format!("unknown event `{name}` {place}; valid events: {valid}"),
        _ => format!("unknown value `{name}` {place}; valid values: {valid}"),
    }
}

#[cfg(test)]
mod tests {
    use super::reword;

    #[test]
    fn rewords_unknown_fields_and_variants() {
        assert_eq!(
            reword("metrics[0]: unknown field `fial`, expected one of `match`, `fail`"),
            "unknown key `fial` under `metrics[0]`; valid keys: match, fail"
        );
        assert_eq!(
            reword("unknown field `x`, expected `a`"),
            "unknown key `x` at the top level; valid keys: a"
        );
        assert_eq!(
            reword("metrics[1].gate: unknown variant `hardd`, expected one of `hard`, `advisory`"),
            "unknown value `hardd` under `metrics[1].gate`; valid values: hard, advisory"
        );
        assert_eq!(reword("invalid type: string"), "invalid type: string");
    }
}
