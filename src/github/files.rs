//! File commands: step outputs appended to `GITHUB_OUTPUT` (always in the multi-line
//! heredoc form with a random delimiter, so no value can end the block early) and the job
//! summary appended to `GITHUB_STEP_SUMMARY`.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

/// The runner rejects a step summary above 1 MiB.
pub const MAX_SUMMARY_BYTES: usize = 1024 * 1024;

/// Why a file command could not be written.
#[derive(Debug, thiserror::Error)]
pub enum FileCommandError {
    #[error("output name `{0}` must start with a letter or `_` and hold only letters, digits, `-` and `_`")]
    BadName(String),
    #[error("cannot append to {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Appends `name=value` pairs to the outputs file at `path`.
pub fn append_outputs(path: &Path, outputs: &[(&str, String)]) -> Result<(), FileCommandError> {
    let mut text = String::new();
    for (name, value) in outputs {
        text.push_str(&output_block(name, value)?);
    }
    append(path, &text)
}

/// One output in heredoc form: `name<<DELIM\nvalue\nDELIM\n`, with a delimiter that
/// occurs nowhere in the value.
pub fn output_block(name: &str, value: &str) -> Result<String, FileCommandError> {
    let valid_start = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !valid_start
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(FileCommandError::BadName(name.to_string()));
    }
    let delimiter = loop {
        let d = format!("ghadelimiter_{:032x}", rand::random::<u128>());
        if !value.contains(&d) {
            break d;
        }
    };
    Ok(format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"))
}

/// Appends Markdown to the job summary at `path`, cut to the runner's size limit.
pub fn append_summary(path: &Path, markdown: &str) -> Result<(), FileCommandError> {
    let mut text = truncate_bytes(markdown, MAX_SUMMARY_BYTES - 200).to_string();
    if text.len() < markdown.len() {
        text.push_str("\n\n_The summary was cut to the 1 MiB limit._\n");
    }
    if !text.ends_with('\n') {
        text.push('\n');
    }
    append(path, &text)
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
pub fn truncate_bytes(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn append(path: &Path, text: &str) -> Result<(), FileCommandError> {
    let io = |source| FileCommandError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads an outputs file back the way the runner does (`name=value` and heredoc blocks).
    fn parse_outputs(text: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut lines = text.split('\n');
        while let Some(line) = lines.next() {
            if let Some((name, delim)) = line.split_once("<<") {
                let mut value = Vec::new();
                for l in lines.by_ref() {
                    if l == delim {
                        break;
                    }
                    value.push(l);
                }
                out.push((name.to_string(), value.join("\n")));
            } else if let Some((name, value)) = line.split_once('=') {
                out.push((name.to_string(), value.to_string()));
            }
        }
        out
    }

    #[test]
    fn outputs_round_trip_with_multiline_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        std::fs::write(&path, "earlier=1\n").unwrap();
        let tricky = "line one\nEOF\nghadelimiter_\nname=evil".to_string();
        append_outputs(
            &path,
            &[("verdict", "fail".into()), ("body", tricky.clone())],
        )
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("earlier=1\nverdict<<ghadelimiter_"));
        assert_eq!(
            parse_outputs(&text),
            vec![
                ("earlier".to_string(), "1".to_string()),
                ("verdict".to_string(), "fail".to_string()),
                ("body".to_string(), tricky),
            ]
        );
        assert!(matches!(
            append_outputs(&path, &[("bad name", String::new())]),
            Err(FileCommandError::BadName(_))
        ));
    }

    #[test]
    fn summary_is_appended_and_capped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.md");
        append_summary(&path, "# one").unwrap();
        append_summary(&path, "# two\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "# one\n# two\n");
        let big = "é".repeat(MAX_SUMMARY_BYTES);
        append_summary(&path, &big).unwrap();
        let len = std::fs::metadata(&path).unwrap().len() as usize;
        assert!(len <= MAX_SUMMARY_BYTES, "{len}");
        assert!(std::fs::read_to_string(&path)
            .unwrap()
            .ends_with("_The summary was cut to the 1 MiB limit._\n"));
    }
}
