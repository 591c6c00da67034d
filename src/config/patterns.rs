//! Patterns written in the policy file, compiled while the file is parsed so that a bad
//! glob or regex is reported with its line like any other mistake.

use globset::{Glob, GlobMatcher};
use regex::Regex;
use serde::{Deserialize, Serialize};

/// A glob matched against a series' `source/benchmark/metric` path. `*` and `?` also match
/// `/` (benchmark names may contain slashes), so `*tokens_s` matches every metric whose path
/// ends in `tokens_s`; `{a,b}` alternatives and `[...]` classes work as usual.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KeyGlob {
    text: String,
    matcher: GlobMatcher,
}

impl KeyGlob {
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn is_match(&self, path: &str) -> bool {
        self.matcher.is_match(path)
    }
}

impl TryFrom<String> for KeyGlob {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        let glob = Glob::new(&text).map_err(|e| format!("invalid glob `{text}`: {e}"))?;
        Ok(KeyGlob {
            matcher: glob.compile_matcher(),
            text,
        })
    }
}

impl From<KeyGlob> for String {
    fn from(g: KeyGlob) -> String {
        g.text
    }
}

impl PartialEq for KeyGlob {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

/// A regular expression (Rust `regex` syntax) used by rewrite rules.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KeyRegex(Regex);

impl KeyRegex {
    pub fn regex(&self) -> &Regex {
        &self.0
    }
}

impl TryFrom<String> for KeyRegex {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        Regex::new(&text)
            .map(KeyRegex)
            .map_err(|e| format!("invalid regex `{text}`: {e}"))
    }
}

impl From<KeyRegex> for String {
    fn from(r: KeyRegex) -> String {
        r.0.as_str().to_string()
    }
}

impl PartialEq for KeyRegex {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}
