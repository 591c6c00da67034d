//! Recognises `benchstat` output, so that it is reported rather than misread. benchstat
//! summarises and compares `go test -bench` files (`benchstat old.txt new.txt`): its tables
//! (`│ old.txt │ new.txt │ … vs base`, the older `name  old time/op  new time/op  delta`, or
//! `-format csv`) hold medians, confidence intervals and p-values of other files, not
//! measurements. The warning names the files it compared, which are what to give benchgate.

use super::numbered_lines;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};

pub(super) struct Benchstat;

const NAME: &str = "benchstat";

/// The column-header row of each benchstat layout: the input file names when it has them.
fn header(line: &str) -> Option<Vec<String>> {
    let t = line.trim();
    if t.starts_with('│') && t.ends_with('│') {
        // `│ old.txt │ new.txt │`
        return Some(
            t.split('│')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(String::from)
                .collect(),
        );
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    if words.first() == Some(&"name")
        && words.contains(&"old")
        && words.contains(&"new")
        && words.last() == Some(&"delta")
    {
        // `name  old time/op  new time/op  delta`: no file names.
        return Some(Vec::new());
    }
    if t.starts_with(',') && t.contains(",vs base,") {
        // csv: `,sec/op,CI,sec/op,CI,vs base,P` (the file names are the row above).
        return Some(Vec::new());
    }
    None
}

/// The file names of a csv table's first row: `,old.txt,,new.txt,,,`.
fn csv_files(line: &str) -> Vec<String> {
    let t = line.trim();
    if !t.starts_with(',') {
        return Vec::new();
    }
    t.split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(String::from)
        .collect()
}

impl Adapter for Benchstat {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        let text = input.text;
        let signature = text.contains(" ± ") || text.contains("vs base") || text.contains("delta");
        if signature && numbered_lines(text).any(|(_, l)| header(l).is_some()) {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let mut files: Vec<String> = Vec::new();
        let mut previous = "";
        for (_, line) in numbered_lines(input.text) {
            if let Some(names) = header(line) {
                let names = if line.trim().starts_with(',') {
                    csv_files(previous)
                } else if header(previous).is_some() {
                    // The unit row under the column names (`│ sec/op │ sec/op vs base │`).
                    Vec::new()
                } else {
                    names
                };
                for name in names {
                    if !files.contains(&name) {
                        files.push(name);
                    }
                }
            }
            previous = line;
        }
        let named = if files.is_empty() {
            "the files passed to benchstat".to_string()
        } else {
            files
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        Err(ParseError::NotMeasurements {
            format: NAME,
            hint: format!(
                "give benchgate the raw `go test -bench` output behind its columns ({named}): \
                 the baseline run's files as --base and the new run's as --head (in the action, \
                 the new run's files under `path:`)"
            ),
        })
    }
}
