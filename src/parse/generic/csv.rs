//! Generic CSV/TSV adapter: sniffs the delimiter, finds the header below any preamble,
//! folds a units row into the header, and hands the table to [`super::table`].

use super::sink::{file_benchmark, SeriesSink};
use super::table::Table;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use crate::units::parse_quantity;
use std::borrow::Cow;

/// CSV and TSV files of any layout.
pub struct Csv;

const NAME: &str = "csv";
const DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];
/// Lines looked at to sniff the delimiter.
const SNIFF_LINES: usize = 50;

impl Adapter for Csv {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        match input.extension().as_str() {
            "csv" | "tsv" | "psv" => Confidence::Generic,
            _ => Confidence::No,
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        if input.text.contains('\0') {
            return Err(ParseError::Malformed {
                format: NAME,
                reason: "the file contains NUL bytes: it looks like UTF-16 or binary data; \
                         save it as UTF-8 text"
                    .into(),
            });
        }
        // CRLF is read as LF so that reported line numbers match the file.
        let text = input.text.trim_start_matches('\u{feff}');
        let text: Cow<'_, str> = if text.contains('\r') {
            Cow::Owned(text.replace("\r\n", "\n"))
        } else {
            Cow::Borrowed(text)
        };
        let text = text.as_ref();
        let delimiter = if input.extension() == "tsv" {
            b'\t'
        } else {
            sniff_delimiter(text)
        };
        let mut table = read_records(text, delimiter)?;
        let mut sink = SeriesSink::new(input);
        let Some(header_at) = find_header(&table) else {
            sink.warn("no header row with at least one data row below it was found");
            return sink.finish();
        };
        table.promote_header(header_at);
        if table.is_empty() {
            sink.warn("the file has a header but no data rows");
            return sink.finish();
        }
        super::table::emit(table, &[], &file_benchmark(input.path), &mut sink);
        sink.finish()
    }
}

/// Counts `delimiter` outside double quotes in one line.
fn count_outside_quotes(line: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == delimiter && !quoted {
            n += 1;
        }
    }
    n
}

/// The delimiter that splits the most lines into the same number of fields.
fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .take(SNIFF_LINES)
        .collect();
    let mut best = (0usize, b',');
    for d in DELIMITERS {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        let Some(mode) = mode_of(counts.iter().copied().filter(|&c| c > 0)) else {
            continue;
        };
        let score = counts.iter().filter(|&&c| c == mode).count();
        if score > best.0 {
            best = (score, d);
        }
    }
    best.1
}

fn mode_of(values: impl Iterator<Item = usize>) -> Option<usize> {
    let mut counts = std::collections::BTreeMap::new();
    for v in values {
        *counts.entry(v).or_insert(0usize) += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(v, n)| (n, v))
        .map(|(v, _)| v)
}

/// Every non-empty, non-comment record with its 1-based line number, as the rows of a
/// table without a header yet.
fn read_records(text: &str, delimiter: u8) -> Result<Table, ParseError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // The cells are the file's text less delimiters and quotes; each cell ends at a
    // delimiter or a line end, and each record at a line end.
    let (mut lines, mut delimiters) = (1, 0);
    for b in text.bytes() {
        lines += usize::from(b == b'\n');
        delimiters += usize::from(b == delimiter);
    }
    let mut table = Table::default();
    table.reserve(lines, lines + delimiters, text.len());
    let mut record = csv::StringRecord::new();
    loop {
        let more = reader
            .read_record(&mut record)
            .map_err(|e| ParseError::Malformed {
                format: NAME,
                reason: e.to_string(),
            })?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, |p| p.line());
        let cells = record.iter().map(str::trim);
        let filled = cells.clone().any(|cell| !cell.is_empty());
        let comment = record.len() == 1 && cells.clone().all(|cell| cell.starts_with('#'));
        if !filled || comment {
            continue;
        }
        table.push_row(line, cells);
    }
    Ok(table)
}

/// The header: the first record with the most common field count whose cells are mostly
/// not numbers (lines above it are a preamble).
fn find_header(table: &Table) -> Option<usize> {
    let modal = mode_of(table.row_lens())?;
    table.row_cells().position(|cells| {
        let filled: Vec<&str> = cells.iter().copied().filter(|c| !c.is_empty()).collect();
        let numeric = filled
            .iter()
            .filter(|c| parse_quantity(c).is_some())
            .count();
        cells.len() == modal && !filled.is_empty() && numeric * 2 < filled.len()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(path: &str, text: &str) -> Result<Parsed, ParseError> {
        Csv.parse(&Input { path, text })
    }

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter("a;b;c\n1;2;3\n"), b';');
        assert_eq!(sniff_delimiter("a\tb\n1\t2\n"), b'\t');
        assert_eq!(sniff_delimiter("a,b\n\"1,5\",2\n"), b',');
        assert_eq!(sniff_delimiter("x|y|z\n1|2|3\n"), b'|');
    }

    #[test]
    fn preamble_crlf_and_quotes() {
        let text =
            "Benchmark export\r\n# generated\r\nname,\"lat (ms)\"\r\n\"a\",\"1.5\"\r\na,2.5\r\n";
        let parsed = parse("x.csv", text).unwrap();
        assert_eq!(parsed.series.len(), 1);
        let s = &parsed.series[0];
        assert_eq!(s.key.metric, "lat");
        assert_eq!(s.unit, "ms");
        assert_eq!(s.samples, vec![1.5, 2.5]);
        assert_eq!(s.origin[0].at, "line 4, column lat");
    }

    #[test]
    fn nul_bytes_are_rejected() {
        assert!(matches!(
            parse("x.csv", "a\0b\0"),
            Err(ParseError::Malformed { .. })
        ));
    }

    #[test]
    fn header_only_warns() {
        let parsed = parse("x.csv", "a,b\n").unwrap();
        assert!(parsed.series.is_empty());
        assert!(!parsed.warnings.is_empty());
    }
}
