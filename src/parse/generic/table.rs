//! Turns a table — a header, optional units, data rows — into series. Shared by the CSV and
//! Markdown adapters.
//!
//! Every column gets a role from its name and its cells:
//! - parameters (`num_gpu`, `temperature`, sparse on/off flag columns) become labels;
//! - identifying strings (`model`, `test`, `backend`, or short strings left of the first
//!   result) make the benchmark name;
//! - failure markers (`error`, `success`, `status`, `http_code`) fail the whole row: every
//!   metric of a failed row counts a failure and contributes no sample;
//! - free text, paths, JSON blobs, timestamps and row/run numbers are ignored, so repeated
//!   rows become samples of one series;
//! - the remaining numeric columns are metrics, one series each.

use super::sink::{bounded, number_label, Reading, SeriesSink};
use crate::direction;
use crate::model::Direction;
use crate::model::Labels;
use crate::units::{self, parse_quantity};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// A table as read from a file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    /// The unit of each column from a units row (empty when none).
    pub units: Vec<String>,
    pub rows: Vec<TableRow>,
    /// An empty identifying cell repeats the one above (Markdown tables that group rows).
    pub fill_down: bool,
}

/// One data row and where it was read (`line 12`).
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    pub at: String,
    pub cells: Vec<String>,
}

impl Table {
    /// Builds a table from a header and the rows under it. A first row that holds only
    /// units (`us`, `%`, `Kbyte/block`) or sub-headings above numeric rows is folded into the
    /// header: known units become column units, other words name unnamed columns.
    pub fn new(header: Vec<String>, mut rows: Vec<TableRow>) -> Table {
        let mut header: Vec<String> = header.iter().map(|h| clean_header(h)).collect();
        // Repeated column names get a number so that their values stay apart.
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for h in header.iter_mut().filter(|h| !h.is_empty()) {
            let n = seen.entry(h.clone()).or_insert(0);
            *n += 1;
            if *n > 1 {
                *h = format!("{h} #{n}");
            }
        }
        let mut units = vec![String::new(); header.len()];
        if rows.len() >= 2 && is_units_row(&rows[0].cells, &rows[1].cells) {
            let first = rows.remove(0);
            for (i, cell) in first.cells.iter().enumerate().take(header.len()) {
                let cell = cell.trim();
                if cell.is_empty() {
                    continue;
                }
                if units::is_known_unit(cell) || !header[i].is_empty() {
                    units[i] = units::normalize_unit(cell);
                } else {
                    header[i] = cell.to_string();
                }
            }
        }
        Table {
            header,
            units,
            rows,
            fill_down: false,
        }
    }
}

fn clean_header(h: &str) -> String {
    h.replace(['*', '`'], "").trim().to_string()
}

fn unit_word_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^[A-Za-zµμ%°][A-Za-zµμ%°/_]{0,23}$").expect("static regex"))
}

/// A row of bare unit words (or sub-headings) above a row with numbers in those columns.
fn is_units_row(cells: &[String], next: &[String]) -> bool {
    let filled: Vec<(usize, &str)> = cells
        .iter()
        .enumerate()
        .map(|(i, c)| (i, c.trim()))
        .filter(|(_, c)| !c.is_empty())
        .collect();
    !filled.is_empty()
        && filled
            .iter()
            .all(|(_, c)| unit_word_re().is_match(c) && !is_missing(c) && !is_failure_cell(c))
        && filled
            .iter()
            .any(|(i, _)| next.get(*i).is_some_and(|c| parse_quantity(c).is_some()))
}

/// `Latency (ms)` -> (`Latency`, `ms`); `Mem [GiB]` -> (`Mem`, `GiB`); other text unchanged.
pub fn split_header_unit(header: &str) -> (String, String) {
    let h = header.trim();
    for (open, close) in [('(', ')'), ('[', ']')] {
        if let Some(body) = h.strip_suffix(close) {
            if let Some(i) = body.rfind(open) {
                let inner = body[i + open.len_utf8()..].trim();
                let name = body[..i].trim();
                if !name.is_empty() && units::is_known_unit(inner) {
                    return (name.to_string(), units::normalize_unit(inner));
                }
            }
        }
    }
    (h.to_string(), String::new())
}

/// Cells that mean "no value" (the measurement was not taken), including numbers that are
/// not finite (`NaN`, `inf`, `1e309`).
pub fn is_missing(cell: &str) -> bool {
    let c = cell.trim();
    matches!(
        c.to_ascii_lowercase().as_str(),
        "" | "-" | "--" | "—" | "–" | "n/a" | "na" | "none" | "null" | "?" | "skipped"
    ) || c.parse::<f64>().is_ok_and(|v| !v.is_finite())
}

/// Cells that mean "the measurement failed".
pub fn is_failure_cell(cell: &str) -> bool {
    matches!(
        cell.trim().to_ascii_lowercase().as_str(),
        "oom"
            | "error"
            | "err"
            | "failed"
            | "fail"
            | "failure"
            | "timeout"
            | "timed out"
            | "crash"
            | "crashed"
            | "killed"
    )
}

/// How a failure-marker column says that a row failed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Marker {
    /// Non-empty error text.
    Error,
    /// `false`, `0`, `no`.
    Success,
    /// Anything but `ok`, `success`, `completed`, ...
    Status,
    /// An HTTP status outside 2xx.
    HttpCode,
    /// A non-zero exit code.
    ExitCode,
}

#[derive(Debug, Clone, PartialEq)]
enum Role {
    Metric {
        name: String,
        unit: String,
        direction: Direction,
    },
    Label(String),
    Identity,
    Marker(Marker),
    Ignored,
}

fn name_words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
            cur.extend(c.to_lowercase());
        } else {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn marker_for(name: &str, numeric: bool) -> Option<Marker> {
    let key = name_words(name).join("_");
    let marker = match key.as_str() {
        "error" | "errors" | "error_message" | "error_msg" | "err" | "exception"
        | "failure_reason" | "error_text"
            if !numeric =>
        {
            Marker::Error
        }
        "success" | "succeeded" | "ok" | "passed" | "pass" => Marker::Success,
        "status" | "state" | "outcome" if !numeric => Marker::Status,
        "http_code" | "status_code" | "http_status" | "response_code" => Marker::HttpCode,
        "exit_code" | "returncode" | "return_code" | "exit_status" => Marker::ExitCode,
        _ => return None,
    };
    Some(marker)
}

/// Words of column names that hold identifying strings.
const IDENTITY_WORDS: &[&str] = &[
    "name",
    "model",
    "test",
    "benchmark",
    "bench",
    "config",
    "backend",
    "scenario",
    "case",
    "variant",
    "agent",
    "tag",
    "label",
    "task",
    "method",
    "implementation",
    "impl",
    "engine",
    "suite",
    "group",
    "function",
    "kernel",
    "workload",
    "dataset",
    "family",
    "quantization",
    "quant",
    "operation",
    "library",
    "framework",
    "runtime",
];

/// Words of column names that hold prose, paths or payloads.
const FREE_TEXT_WORDS: &[&str] = &[
    "prompt",
    "text",
    "response",
    "output",
    "completion",
    "message",
    "description",
    "notes",
    "note",
    "comment",
    "comments",
    "url",
    "host",
    "hostname",
    "path",
    "file",
    "dir",
    "directory",
    "command",
    "cmd",
    "args",
    "options",
    "raw",
    "log",
    "stdout",
    "stderr",
    "reason",
    "traceback",
    "details",
    "answer",
    "question",
    "content",
    "query",
];

fn timestamp_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^(\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}.*)?|\d{1,2}/\d{1,2}/\d{2,4}( .*)?)$")
            .expect("static regex")
    })
}

/// Prose, a path, a URL or a JSON payload rather than a name.
fn is_free_text(cell: &str) -> bool {
    let c = cell.trim();
    c.chars().count() > 64
        || c.split_whitespace().count() > 6
        || c.starts_with('{')
        || c.starts_with('[')
        || c.contains("://")
        || c.contains('\\')
        || c.matches('/').count() >= 2
}

/// The samples of a cell that holds a list of numbers (`[15.9454, 16.1793, 16.534]`, as a
/// harness writes a Python list into one CSV cell); `None` for anything else.
fn list_samples(cell: &str) -> Option<Vec<units::Quantity>> {
    let inner = cell.trim().strip_prefix('[')?.strip_suffix(']')?;
    let list: Option<Vec<_>> = inner.split(',').map(parse_quantity).collect();
    list.filter(|l| !l.is_empty())
}

fn is_warmup(cell: &str) -> bool {
    matches!(
        cell.trim().to_ascii_lowercase().as_str(),
        "warmup" | "warm-up" | "warm_up" | "warmup run" | "warm up"
    )
}

/// What the cells of one column look like.
#[derive(Debug, Default)]
struct ColumnStats {
    numeric: usize,
    text: usize,
    missing: usize,
    failures: usize,
    distinct_numbers: BTreeSet<u64>,
    first_unit: String,
    free_text: bool,
    timestamps: usize,
}

fn column_stats(table: &Table, col: usize) -> ColumnStats {
    let mut st = ColumnStats::default();
    for row in &table.rows {
        let cell = row.cells.get(col).map_or("", |c| c.trim());
        if is_missing(cell) {
            st.missing += 1;
        } else if is_failure_cell(cell) {
            st.failures += 1;
        } else if let Some(q) = parse_quantity(cell).or_else(|| list_samples(cell)?.pop()) {
            st.numeric += 1;
            st.distinct_numbers.insert(q.value.to_bits());
            if st.first_unit.is_empty() {
                st.first_unit = q.unit;
            }
        } else {
            st.text += 1;
            st.free_text |= is_free_text(cell);
            if timestamp_re().is_match(cell) {
                st.timestamps += 1;
            }
        }
    }
    st
}

fn roles(table: &Table) -> Vec<Role> {
    let stats: Vec<ColumnStats> = (0..table.header.len())
        .map(|i| column_stats(table, i))
        .collect();
    let mut roles: Vec<Role> = Vec::with_capacity(stats.len());
    for (i, st) in stats.iter().enumerate() {
        let (name, header_unit) = split_header_unit(&table.header[i]);
        // A column of failure cells (`OOM`) alone is still a measurement that failed.
        let numeric = (st.numeric > 0 || st.failures > 0) && st.text == 0;
        let role = if let Some(m) = marker_for(&name, numeric) {
            Role::Marker(m)
        } else if direction::is_parameter(&name) && (st.numeric > 0 || st.text > 0) {
            Role::Label(if name.is_empty() {
                format!("column {}", i + 1)
            } else {
                name
            })
        } else if numeric {
            numeric_role(name, header_unit, &table.units[i], st, i)
        } else if st.text == 0 {
            Role::Ignored
        } else {
            text_role(&name, st)
        };
        roles.push(role);
    }
    // Short strings left of the first result also identify the row.
    let first_metric = roles
        .iter()
        .position(|r| matches!(r, Role::Metric { .. }))
        .unwrap_or(roles.len());
    for (i, role) in roles.iter_mut().enumerate().take(first_metric) {
        let st = &stats[i];
        let name = split_header_unit(&table.header[i]).0;
        if *role == Role::Ignored
            && st.text > 0
            && st.numeric == 0
            && !st.free_text
            && st.timestamps == 0
            && !direction::is_bookkeeping(&name)
            && !has_word(&name, FREE_TEXT_WORDS)
        {
            *role = Role::Identity;
        }
    }
    roles
}

fn has_word(name: &str, words: &[&str]) -> bool {
    name_words(name).iter().any(|w| words.contains(&w.as_str()))
}

fn numeric_role(
    name: String,
    header_unit: String,
    units_row: &str,
    st: &ColumnStats,
    col: usize,
) -> Role {
    if direction::is_bookkeeping(&name) {
        return Role::Ignored;
    }
    // A header that is itself a unit (`ops/sec`) names the unit too.
    let header_is_unit = if units::is_known_unit(&name) {
        units::normalize_unit(&name)
    } else {
        String::new()
    };
    let unit = [
        header_unit.as_str(),
        header_is_unit.as_str(),
        units_row,
        st.first_unit.as_str(),
        units::unit_from_name(&name),
    ]
    .into_iter()
    .find(|u| !u.is_empty())
    .unwrap_or("")
    .to_string();
    let name = if name.is_empty() {
        format!("column {}", col + 1)
    } else {
        name
    };
    let direction = direction::infer(&name, &unit);
    // A sparse on/off column (`hipblaslt` = 1 or empty) is a setting, not a result.
    let on_off = st
        .distinct_numbers
        .iter()
        .all(|&bits| matches!(f64::from_bits(bits), 0.0 | 1.0));
    if st.missing > 0 && on_off && unit.is_empty() && direction == Direction::Neutral {
        return Role::Label(name);
    }
    Role::Metric {
        name,
        unit,
        direction,
    }
}

fn text_role(name: &str, st: &ColumnStats) -> Role {
    if st.free_text
        || st.timestamps > 0
        || direction::is_bookkeeping(name)
        || has_word(name, FREE_TEXT_WORDS)
    {
        Role::Ignored
    } else if has_word(name, IDENTITY_WORDS) && name_words(name).len() <= 3 {
        Role::Identity
    } else {
        Role::Ignored
    }
}

fn row_failed(marker: Marker, cell: &str) -> bool {
    let c = cell.trim().to_ascii_lowercase();
    match marker {
        Marker::Error => !matches!(
            c.as_str(),
            "" | "none" | "null" | "nan" | "0" | "false" | "-" | "n/a" | "no" | "ok"
        ),
        Marker::Success => matches!(
            c.as_str(),
            "false" | "0" | "0.0" | "no" | "n" | "f" | "failed" | "fail"
        ),
        Marker::Status => !matches!(
            c.as_str(),
            "" | "ok"
                | "success"
                | "succeeded"
                | "successful"
                | "pass"
                | "passed"
                | "completed"
                | "complete"
                | "done"
                | "finished"
                | "true"
                | "200"
        ),
        Marker::HttpCode => parse_quantity(&c).is_some_and(|q| !(200.0..300.0).contains(&q.value)),
        Marker::ExitCode => parse_quantity(&c).is_some_and(|q| q.value != 0.0),
    }
}

/// Emits the series of `table` into `sink`. The benchmark of a row is `prefix` followed by
/// its identifying cells, or `default_benchmark` when there are neither.
pub fn emit(table: &Table, prefix: &[String], default_benchmark: &str, sink: &mut SeriesSink) {
    if is_key_value(table) {
        emit_key_value(table, prefix, default_benchmark, sink);
        return;
    }
    let roles = roles(table);
    let mut above: Vec<String> = vec![String::new(); roles.len()];
    if !roles.iter().any(|r| matches!(r, Role::Metric { .. })) {
        return;
    }
    for row in &table.rows {
        let cell = |i: usize| row.cells.get(i).map_or("", |c| c.trim());
        if (0..roles.len()).all(|i| is_missing(cell(i))) {
            continue;
        }
        let warmup = roles.iter().enumerate().any(|(i, r)| {
            matches!(r, Role::Identity | Role::Ignored | Role::Label(_)) && is_warmup(cell(i))
        });
        if warmup {
            continue;
        }
        let failed = roles
            .iter()
            .enumerate()
            .any(|(i, r)| matches!(r, Role::Marker(m) if row_failed(*m, cell(i))));
        let mut parts: Vec<String> = prefix.iter().filter(|p| !p.is_empty()).cloned().collect();
        let mut labels = Labels::new();
        // Only leading empty cells repeat the row above (`| | jit | 0.635 |`); an empty cell
        // after a filled one means "none" (`| hip | | -fa 1 |`).
        let first_filled = (0..roles.len())
            .find(|&i| !is_missing(cell(i)))
            .unwrap_or(0);
        for (i, role) in roles.iter().enumerate() {
            let c = cell(i);
            if is_missing(c) {
                let leading = i < first_filled;
                if table.fill_down && leading && *role == Role::Identity && !above[i].is_empty() {
                    parts.push(above[i].clone());
                }
                continue;
            }
            match role {
                Role::Identity => {
                    let name = bounded(&c.replace(['*', '`'], ""));
                    above[i] = name.clone();
                    parts.push(name);
                }
                Role::Label(name) => {
                    let value = match parse_quantity(c) {
                        Some(q) => number_label(q.value),
                        None => bounded(c),
                    };
                    labels.insert(name.clone(), value);
                }
                _ => {}
            }
        }
        let benchmark = if parts.is_empty() {
            default_benchmark.to_string()
        } else {
            parts.join("/")
        };
        for (i, role) in roles.iter().enumerate() {
            let Role::Metric {
                name,
                unit,
                direction,
            } = role
            else {
                continue;
            };
            let c = cell(i);
            let at = format!("{}, column {}", row.at, name);
            let (reading, cell_unit) = if failed || is_failure_cell(c) {
                (Reading::Failed, unit.as_str())
            } else if is_missing(c) {
                continue;
            } else if let Some(list) = list_samples(c) {
                for q in list {
                    let v = units::convert(q.value, &q.unit, unit).unwrap_or(q.value);
                    let reading = Reading::Value(v);
                    sink.record(&benchmark, name, &labels, unit, *direction, reading, &at);
                }
                continue;
            } else {
                match parse_quantity(c) {
                    Some(q) if q.unit.is_empty() => (Reading::Value(q.value), unit.as_str()),
                    // A cell in another unit of the column's dimension (`820 MB` in a GB
                    // column) is converted so that every row of a column shares its unit.
                    Some(q) => match units::convert(q.value, &q.unit, unit) {
                        Some(v) => (Reading::Value(v), unit.as_str()),
                        None => {
                            let v = Reading::Value(q.value);
                            sink.record(&benchmark, name, &labels, &q.unit, *direction, v, &at);
                            continue;
                        }
                    },
                    None => continue,
                }
            };
            sink.record(
                &benchmark, name, &labels, cell_unit, *direction, reading, &at,
            );
        }
    }
}

/// Words that name the key column of a transposed table (`| Metric | Value |`).
const KEY_COLUMN_WORDS: &[&str] = &[
    "metric",
    "metrics",
    "measure",
    "measurement",
    "statistic",
    "stat",
    "key",
    "property",
    "item",
    "field",
];

/// A transposed table: one metric per row, named by the first cell.
fn is_key_value(table: &Table) -> bool {
    table.header.len() >= 2
        && name_words(&table.header[0])
            .iter()
            .any(|w| KEY_COLUMN_WORDS.contains(&w.as_str()))
}

fn emit_key_value(
    table: &Table,
    prefix: &[String],
    default_benchmark: &str,
    sink: &mut SeriesSink,
) {
    let labels = Labels::new();
    let wide = table.header.len() > 2;
    for row in &table.rows {
        let Some(key) = row.cells.first() else {
            continue;
        };
        let (metric, header_unit) = split_header_unit(&key.replace(['*', '`'], ""));
        if metric.is_empty()
            || direction::is_parameter(&metric)
            || direction::is_bookkeeping(&metric)
        {
            continue;
        }
        for (j, cell) in row.cells.iter().enumerate().skip(1) {
            let Some(q) = parse_quantity(cell) else {
                continue;
            };
            let unit = if q.unit.is_empty() {
                header_unit.clone()
            } else {
                q.unit
            };
            let mut parts: Vec<String> = prefix.iter().filter(|p| !p.is_empty()).cloned().collect();
            if wide {
                if let Some(h) = table.header.get(j).filter(|h| !h.is_empty()) {
                    parts.push(bounded(h));
                }
            }
            let benchmark = if parts.is_empty() {
                default_benchmark.to_string()
            } else {
                parts.join("/")
            };
            let direction = direction::infer(&metric, &unit);
            let at = format!(
                "{}, column {}",
                row.at,
                table.header.get(j).map_or("", String::as_str)
            );
            sink.record(
                &benchmark,
                &metric,
                &labels,
                &unit,
                direction,
                Reading::Value(q.value),
                &at,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Input;

    fn table(header: &[&str], rows: &[&[&str]]) -> Table {
        Table::new(
            header.iter().map(|s| s.to_string()).collect(),
            rows.iter()
                .enumerate()
                .map(|(i, r)| TableRow {
                    at: format!("line {}", i + 2),
                    cells: r.iter().map(|s| s.to_string()).collect(),
                })
                .collect(),
        )
    }

    fn run(t: &Table) -> Vec<crate::model::Series> {
        let input = Input {
            path: "dir/t.csv",
            text: "",
        };
        let mut sink = SeriesSink::new(&input);
        emit(t, &[], "t", &mut sink);
        sink.finish().map(|p| p.series).unwrap_or_default()
    }

    #[test]
    fn a_cell_holding_a_list_gives_its_samples() {
        let t = table(
            &["model", "latency_ms"],
            &[&["a", "[15.9454, 16.1793, 16.534]"], &["b", "12.5"]],
        );
        let series = run(&t);
        let a = series.iter().find(|s| s.key.benchmark == "a").unwrap();
        assert_eq!(a.samples, vec![15.9454, 16.1793, 16.534]);
        assert_eq!(a.unit, "ms");
        let b = series.iter().find(|s| s.key.benchmark == "b").unwrap();
        assert_eq!(b.samples, vec![12.5]);
        assert_eq!(list_samples("[1, x]"), None);
        assert_eq!(list_samples("[]"), None);
    }

    #[test]
    fn header_units() {
        assert_eq!(
            split_header_unit("Generation Time (ms)"),
            ("Generation Time".into(), "ms".into())
        );
        assert_eq!(
            split_header_unit("Output Tput (tok/s)"),
            ("Output Tput".into(), "tokens/s".into())
        );
        assert_eq!(
            split_header_unit("Player (Boss)"),
            ("Player (Boss)".into(), String::new())
        );
    }

    #[test]
    fn roles_and_samples() {
        let t = table(
            &[
                "timestamp",
                "model",
                "prompt_index",
                "prompt_text",
                "tokens_s",
                "num_gpu",
                "error",
            ],
            &[
                &[
                    "2025-10-08T16:27:01",
                    "m1",
                    "1",
                    "Say a long thing about the weather today please",
                    "10",
                    "80",
                    "",
                ],
                &[
                    "2025-10-08T16:27:02",
                    "m1",
                    "2",
                    "Another prompt",
                    "12",
                    "80",
                    "",
                ],
                &[
                    "2025-10-08T16:27:03",
                    "m1",
                    "3",
                    "A third",
                    "0",
                    "80",
                    "boom",
                ],
            ],
        );
        let series = run(&t);
        assert_eq!(series.len(), 1);
        let s = &series[0];
        assert_eq!(s.key.benchmark, "m1");
        assert_eq!(s.key.metric, "tokens_s");
        assert_eq!(s.key.labels.get("num_gpu"), Some("80"));
        assert_eq!(s.samples, vec![10.0, 12.0]);
        assert_eq!(s.failed, 1);
        assert_eq!(s.direction, Direction::HigherIsBetter);
    }

    #[test]
    fn repeated_column_names_stay_apart() {
        let t = table(&["name", "t_ms", "t_ms"], &[&["a", "1", "2"]]);
        let series = run(&t);
        let metrics: Vec<&str> = series.iter().map(|s| s.key.metric.as_str()).collect();
        assert_eq!(metrics, ["t_ms", "t_ms #2"]);
    }

    #[test]
    fn key_value_tables() {
        let t = table(
            &["Metric", "Value"],
            &[
                &["**Model**", "gemma3:latest"],
                &["**Mean Throughput**", "102.85 tokens/s"],
                &["Test Date", "2025-10-08"],
            ],
        );
        let series = run(&t);
        assert_eq!(series.len(), 1);
        assert_eq!(series[0].key.metric, "Mean Throughput");
        assert_eq!(series[0].unit, "tokens/s");
        assert_eq!(series[0].samples, vec![102.85]);
    }

    #[test]
    fn fill_down_groups() {
        let mut t = table(
            &["Model", "Backend", "Mean (ms)"],
            &[
                &["`mlp`", "eager", "0.49"],
                &["", "jit", "0.63"],
                &["`conv`", "jit", "3.7"],
            ],
        );
        t.fill_down = true;
        let series = run(&t);
        let names: Vec<&str> = series.iter().map(|s| s.key.benchmark.as_str()).collect();
        assert_eq!(names, ["mlp/eager", "mlp/jit", "conv/jit"]);
        let mut t = table(
            &["backend", "-fa", "pp512"],
            &[&["hip", "-fa 1", "285.2"], &["rocwmma", "", "324.1"]],
        );
        t.fill_down = true;
        let names: Vec<String> = run(&t).into_iter().map(|s| s.key.benchmark).collect();
        assert_eq!(names, ["hip/-fa 1", "rocwmma"]);
    }

    #[test]
    fn units_row_and_failure_cells() {
        let t = table(
            &["name", "time", "mem"],
            &[
                &["", "us", "MB"],
                &["a", "1,234", "OOM"],
                &["a", "2,000", "-"],
            ],
        );
        let series = run(&t);
        let time = series.iter().find(|s| s.key.metric == "time").unwrap();
        assert_eq!(time.unit, "us");
        assert_eq!(time.samples, vec![1234.0, 2000.0]);
        let mem = series.iter().find(|s| s.key.metric == "mem").unwrap();
        assert!(mem.samples.is_empty());
        assert_eq!(mem.failed, 1);
    }

    #[test]
    fn flags_become_labels_and_warmups_are_skipped() {
        let t = table(
            &["backend", "phase", "hipblaslt", "pp512"],
            &[
                &["hip", "warmup", "", "1"],
                &["hip", "measured", "", "322.4"],
                &["hip", "measured", "1", "975.3"],
            ],
        );
        let series = run(&t);
        assert_eq!(series.len(), 2);
        assert_eq!(series[0].key.benchmark, "hip/measured");
        assert_eq!(series[0].samples, vec![322.4]);
        assert_eq!(series[1].key.labels.get("hipblaslt"), Some("1"));
        assert_eq!(series[1].direction, Direction::HigherIsBetter);
    }
}
