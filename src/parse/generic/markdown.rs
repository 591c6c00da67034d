//! Generic Markdown adapter: pipe tables (with or without outer pipes, a units or
//! sub-heading row, cells with units, bold, thousands separators, `OOM`/`-`), bullet lines
//! (`- Throughput: 108.54 tok/s`), and JSON hidden in HTML comments or ```json fences.
//!
//! A table row's benchmark is the nearest heading followed by the row's identifying cells;
//! a bullet's benchmark is the nearest heading (or the file name). Embedded JSON is parsed
//! again through [`crate::parse::parse_file`], so a tool adapter can claim it, and its
//! series point back at the Markdown file and line.

use super::sink::{bounded, file_benchmark, Reading, SeriesSink};
use super::table::{self, Table};
use super::text::key_value;
use crate::direction;
use crate::keys;
use crate::model::Labels;
use crate::model::Warning;
use crate::parse::{parse_file, Adapter, Confidence, Input, ParseError, Parsed};
use std::borrow::Cow;

/// Markdown summaries and reports.
pub struct Markdown;

const NAME: &str = "markdown";

impl Adapter for Markdown {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        match input.extension().as_str() {
            "md" | "markdown" | "mdown" | "mkd" => Confidence::Generic,
            _ => Confidence::No,
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let mut sink = SeriesSink::new(input);
        let lines: Vec<&str> = input.text.lines().collect();
        let stem = file_benchmark(input.path);
        let mut heading: Option<String> = None;
        let no_labels = Labels::new();
        let mut i = 0;
        while i < lines.len() {
            let trimmed = lines[i].trim();
            if let Some(fence) = fence_marker(trimmed) {
                let lang = trimmed[fence.len()..].trim().to_ascii_lowercase();
                let end = (i + 1..lines.len())
                    .find(|&j| lines[j].trim().starts_with(fence))
                    .unwrap_or(lines.len());
                let body = lines[i + 1..end].join("\n");
                let first = body.trim_start();
                // An unlabelled block counts only when it really is JSON (not `[a] <-> [b]`).
                let is_json = lang.starts_with("json")
                    || lang == "ndjson"
                    || lang.is_empty()
                        && (first.starts_with('{') || first.starts_with('['))
                        && serde_json::from_str::<serde_json::Value>(&body).is_ok();
                if is_json {
                    embed(input, &body, &lang, i + 2, &mut sink);
                }
                i = end + 1;
                continue;
            }
            if let Some(start) = lines[i].find("<!--") {
                let (body, end) = html_comment(&lines, i, start);
                let first = body.trim_start();
                if first.starts_with('{') || first.starts_with('[') {
                    embed(input, &body, "json", i + 1, &mut sink);
                }
                i = end + 1;
                continue;
            }
            if let Some(text) = heading_text(trimmed) {
                heading = Some(text);
                i += 1;
                continue;
            }
            if trimmed.contains('|') && lines.get(i + 1).is_some_and(|l| is_separator(l)) {
                let mut header = split_row(lines[i]);
                let width = split_row(lines[i + 1]).len();
                // Text glued in front of the header (collapsed newlines) is dropped.
                if header.len() > width {
                    header.drain(..header.len() - width);
                }
                let mut table = Table::new(header);
                // The lines that may hold rows; their bytes bound the text of the cells.
                let end = (i + 2..lines.len())
                    .find(|&j| !lines[j].contains('|') || lines[j].trim().is_empty())
                    .unwrap_or(lines.len());
                let bytes = lines[i + 2..end].iter().map(|l| l.len()).sum();
                let rows = end - (i + 2);
                table.reserve(rows, rows.saturating_mul(table.header.len()), bytes);
                let mut next_heading = None;
                let mut j = i + 2;
                // Each line is checked once: as the next line, then as the current one.
                let mut separator = lines.get(j).is_some_and(|l| is_separator(l));
                while j < end {
                    // A row followed by a separator is the header of the next table.
                    let next_separator = lines.get(j + 1).is_some_and(|l| is_separator(l));
                    if next_separator {
                        break;
                    }
                    if !separator {
                        let (row, glued) = split_glued_heading(lines[j]);
                        table.push_row(j as u64 + 1, cells_of(row));
                        if glued.is_some() {
                            next_heading = glued;
                            j += 1;
                            break;
                        }
                    }
                    separator = next_separator;
                    j += 1;
                }
                table.fill_down = true;
                let prefix: Vec<String> = heading.iter().cloned().collect();
                let default = heading.clone().unwrap_or_else(|| stem.clone());
                table::emit(table, &prefix, &default, &mut sink);
                if next_heading.is_some() {
                    heading = next_heading;
                }
                i = j;
                continue;
            }
            if is_bullet(trimmed) || is_key_line(trimmed) {
                // `- Avg speedup: 1.51x | Avg efficiency: 75.7%` holds two readings.
                for part in trimmed.split(" | ") {
                    let Some((key, q)) = key_value(part) else {
                        continue;
                    };
                    let benchmark = heading.as_deref().unwrap_or(&stem);
                    let direction = direction::infer(&key, &q.unit);
                    let at = format!("line {}", i + 1);
                    let reading = Reading::Value(q.value);
                    sink.record(
                        benchmark, &key, &no_labels, &q.unit, direction, reading, &at,
                    );
                }
            }
            i += 1;
        }
        sink.finish()
    }
}

fn fence_marker(line: &str) -> Option<&'static str> {
    ["```", "~~~"].into_iter().find(|f| line.starts_with(f))
}

/// The text of an HTML comment starting at byte `start` of line `i`, and the line it ends on.
fn html_comment(lines: &[&str], i: usize, start: usize) -> (String, usize) {
    let first = &lines[i][start + 4..];
    if let Some(end) = first.find("-->") {
        return (first[..end].to_string(), i);
    }
    let mut body = vec![first.to_string()];
    for (j, line) in lines.iter().enumerate().skip(i + 1) {
        if let Some(end) = line.find("-->") {
            body.push(line[..end].to_string());
            return (body.join("\n"), j);
        }
        body.push(line.to_string());
    }
    (body.join("\n"), lines.len())
}

/// The text of an ATX heading, emphasis and date stamps removed (`## Results` -> `Results`).
fn heading_text(line: &str) -> Option<String> {
    let rest = line.trim_start_matches('#');
    let level = line.len() - rest.len();
    if level == 0 || level > 6 || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    // Headings glued together by collapsed newlines: the last one counts.
    let rest = rest
        .rsplit(" #")
        .next()
        .unwrap_or(rest)
        .trim_start_matches('#');
    let text = rest.trim().trim_end_matches('#').replace(['*', '`'], "");
    let mut text = keys::strip_stamps(text.trim());
    // A trailing count (`chimera_homo (36 runs)`) changes between runs; it is not a name.
    if let Some(open) = text.rfind(" (") {
        let note = &text[open..];
        if note.ends_with(')') && note.bytes().any(|b| b.is_ascii_digit()) {
            text.truncate(open);
        }
    }
    (!text.is_empty()).then(|| bounded(&text))
}

/// A table row with a heading glued to its end by collapsed newlines
/// (`| transformer | 2 layers. ### CPU Performance Snapshot`): the row and the heading.
fn split_glued_heading(line: &str) -> (&str, Option<String>) {
    let Some(pipe) = line.rfind('|') else {
        return (line, None);
    };
    let tail = &line[pipe..];
    match tail.find(" #") {
        Some(k) => match heading_text(tail[k..].trim()) {
            Some(h) => (&line[..pipe + k], Some(h)),
            None => (line, None),
        },
        None => (line, None),
    }
}

/// A short `Key: value` line outside lists (`Average Speedup: 1.89x`).
fn is_key_line(line: &str) -> bool {
    line.chars().count() <= 100 && line.contains(':') && !line.starts_with(['|', '>', '<'])
}

fn is_bullet(line: &str) -> bool {
    ["- ", "* ", "+ ", "• "].iter().any(|b| line.starts_with(b))
}

/// A table separator row: `|---|:--:|`, `--- | ---`.
fn is_separator(line: &str) -> bool {
    let t = line.trim();
    t.contains('-')
        && cells_of(t).all(|c| {
            let inner = c.trim_start_matches(':').trim_end_matches(':');
            !inner.is_empty() && inner.chars().all(|ch| ch == '-')
        })
}

/// Splits a table row at unescaped pipes, without the outer pipes.
fn split_row(line: &str) -> Vec<String> {
    cells_of(line).map(Cow::into_owned).collect()
}

/// The cells of a table row, trimmed: split at pipes that no backslash escapes (`\|` is a
/// pipe inside a cell), without the outer pipes. Borrowed unless a cell holds an escape.
fn cells_of(line: &str) -> impl Iterator<Item = Cow<'_, str>> + Clone {
    let mut t = line.trim();
    t = t.strip_prefix('|').unwrap_or(t);
    if t.ends_with('|') && !t.ends_with("\\|") {
        t = &t[..t.len() - 1];
    }
    let mut rest = Some(t);
    std::iter::from_fn(move || {
        let r = rest?;
        let bytes = r.as_bytes();
        let mut escaped = false;
        let mut end = bytes.len();
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'|' {
                if i > 0 && bytes[i - 1] == b'\\' {
                    escaped = true;
                } else {
                    end = i;
                    break;
                }
            }
        }
        rest = (end < bytes.len()).then(|| &r[end + 1..]);
        let cell = r[..end].trim();
        Some(if escaped {
            Cow::Owned(cell.replace("\\|", "|"))
        } else {
            Cow::Borrowed(cell)
        })
    })
}

/// Parses a JSON block found at `line` of the Markdown file through the adapter registry
/// and re-points its series at the Markdown file.
fn embed(input: &Input, body: &str, lang: &str, line: usize, sink: &mut SeriesSink) {
    let ext = if matches!(lang, "ndjson" | "jsonl") {
        "ndjson"
    } else {
        "json"
    };
    let stem = input
        .path
        .rsplit_once('.')
        .map_or(input.path, |(stem, _)| stem);
    let virtual_path = format!("{stem}.{ext}");
    let parsed = parse_file(&Input {
        path: &virtual_path,
        text: body,
    });
    let source: std::sync::Arc<str> = keys::normalize_path(input.path).into();
    let mut series = parsed.series;
    let path: std::sync::Arc<str> = input.path.into();
    for s in &mut series {
        s.key.source = source.clone();
        if s.format.is_empty() {
            s.format = parsed.format.into();
        }
        for o in &mut s.origin {
            o.path = path.clone();
            o.at = std::mem::take(&mut o.at).within(line as u64);
        }
    }
    let warnings = parsed
        .warnings
        .into_iter()
        .map(|w| Warning::new(input.path, format!("JSON at line {line}: {}", w.message)))
        .collect();
    sink.extend(series, warnings);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Direction, Series};
    use proptest::prelude::*;

    /// Splitting one character at a time, as a reader of the Markdown rule would.
    fn split_row_by_chars(line: &str) -> Vec<String> {
        let mut t = line.trim();
        t = t.strip_prefix('|').unwrap_or(t);
        if t.ends_with('|') && !t.ends_with("\\|") {
            t = &t[..t.len() - 1];
        }
        let mut cells = Vec::new();
        let mut cur = String::new();
        let mut chars = t.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if chars.peek() == Some(&'|') => {
                    cur.push('|');
                    chars.next();
                }
                '|' => cells.push(std::mem::take(&mut cur).trim().to_string()),
                c => cur.push(c),
            }
        }
        cells.push(cur.trim().to_string());
        cells
    }

    proptest! {
        #[test]
        fn cells_split_like_the_character_rule(line in "[ a|\\\\b-]{0,24}") {
            prop_assert_eq!(split_row(&line), split_row_by_chars(&line));
        }
    }

    #[test]
    fn escaped_pipes_stay_in_their_cell() {
        assert_eq!(split_row("| a \\| b | c |"), ["a | b", "c"]);
        assert_eq!(split_row("a\\\\|b"), ["a\\|b"]);
        assert_eq!(split_row("|"), [""]);
        assert!(is_separator("|---|:--:|"));
        assert!(!is_separator("| - | x |"));
    }

    fn parse(text: &str) -> Vec<Series> {
        Markdown
            .parse(&Input {
                path: "docs/summary.md",
                text,
            })
            .map(|p| p.series)
            .unwrap_or_default()
    }

    #[test]
    fn rows_split_with_and_without_pipes() {
        assert_eq!(split_row("| a | b |"), ["a", "b"]);
        assert_eq!(split_row("a | b"), ["a", "b"]);
        assert_eq!(split_row("| a \\| x | b"), ["a | x", "b"]);
        assert!(is_separator("|---|:-:|"));
        assert!(is_separator("--- | ---"));
        assert!(!is_separator("| a | - |"));
    }

    #[test]
    fn table_under_heading_with_units_in_cells() {
        let series = parse(
            "# Run 2025-10-08\n\n## Results\n\nmodel | latency | tput\n---|---|---\n\
             a | 1.387 ms | **1,234.5** tok/s\nb | OOM | -\n",
        );
        let lat = series
            .iter()
            .find(|s| s.key.benchmark == "Results/a" && s.key.metric == "latency")
            .unwrap();
        assert_eq!(
            (lat.samples.clone(), lat.unit.as_str()),
            (vec![1.387], "ms")
        );
        assert_eq!(lat.direction, Direction::LowerIsBetter);
        let tput = series
            .iter()
            .find(|s| s.key.benchmark == "Results/a" && s.key.metric == "tput")
            .unwrap();
        assert_eq!(tput.samples, vec![1234.5]);
        assert_eq!(tput.direction, Direction::HigherIsBetter);
        let oom = series
            .iter()
            .find(|s| s.key.benchmark == "Results/b" && s.key.metric == "latency")
            .unwrap();
        assert_eq!((oom.samples.len(), oom.failed), (0, 1));
        assert_eq!(lat.origin[0].at, "line 7, column latency");
    }

    #[test]
    fn bullets_and_headings() {
        let series = parse(
            "# Run 2025-10-08\n## Metrics\n- Throughput: 41.02 tok/s\n- **TTFT:** 765.84 ms\n\
             - Avg speedup: 1.51x | Avg efficiency: 75.7%\nAverage Speedup: 1.89x\n",
        );
        assert_eq!(series.len(), 5);
        assert!(series.iter().all(|s| s.key.benchmark == "Metrics"));
        assert_eq!(heading_text("# Run 2025-10-08").as_deref(), Some("Run"));
        assert_eq!(
            heading_text("## chimera_homo (36 runs)").as_deref(),
            Some("chimera_homo")
        );
        assert_eq!(heading_text("#hashtag"), None);
        assert_eq!(
            heading_text("# Lessons ## Context").as_deref(),
            Some("Context")
        );
        assert_eq!(
            split_glued_heading("| a | b. ### CPU Snapshot"),
            ("| a | b.", Some("CPU Snapshot".to_string()))
        );
    }

    #[test]
    fn embedded_json_points_at_the_markdown_file() {
        let series = parse(
            "text\n<!--\n{\"benchmarks\":[{\"name\":\"f\",\"opsSec\":1381418.76}]}-->\n\
             ```json\n{\"name\": \"g\", \"mean_ms\": 2}\n```\n",
        );
        let f = series.iter().find(|s| s.key.benchmark == "f").unwrap();
        assert_eq!(&*f.key.source, "docs/summary.md");
        assert_eq!(&*f.origin[0].path, "docs/summary.md");
        assert!(f.origin[0].at.to_string().starts_with("line 2, "));
        assert!(series
            .iter()
            .any(|s| s.key.benchmark == "g" && s.key.metric == "mean_ms"));
    }
}
