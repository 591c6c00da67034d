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

use super::sink::{bounded, bounded_str, number_label, Reading, SeriesSink};
use crate::direction;
use crate::model::{At, Direction, Labels};
use crate::parse::series_index::Positions;
use crate::units::{self, parse_quantity};
use regex::Regex;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

/// A table as read from a file. The cells of every row are kept in one string (trimmed,
/// one after another), so reading a table allocates per table, not per cell.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    /// The unit of each column from a units row (empty when none).
    pub units: Vec<String>,
    /// An empty identifying cell repeats the one above (Markdown tables that group rows).
    pub fill_down: bool,
    /// The text of every cell.
    text: String,
    /// Where each cell ends in `text` (a cell starts where the one before ends).
    ends: Vec<usize>,
    rows: Vec<RowSpan>,
}

/// One data row: the line it was read from and its cells.
#[derive(Debug, Clone, Copy, PartialEq)]
struct RowSpan {
    line: u64,
    first: usize,
    len: usize,
}

/// The cells of one row.
#[derive(Clone, Copy)]
struct Row<'a> {
    table: &'a Table,
    span: RowSpan,
}

impl<'a> Row<'a> {
    /// Cell `i`, or `""` past the end of a short row.
    fn cell(&self, i: usize) -> &'a str {
        if i >= self.span.len {
            return "";
        }
        let k = self.span.first + i;
        let start = if k == 0 { 0 } else { self.table.ends[k - 1] };
        &self.table.text[start..self.table.ends[k]]
    }

    fn cells(&self) -> impl Iterator<Item = &'a str> + '_ {
        (0..self.span.len).map(|i| self.cell(i))
    }

    /// The class of cell `i` in `kinds` (indexed like the stored cells); a cell past the
    /// end of a short row is missing.
    fn kind(&self, kinds: &[Cell], i: usize) -> Cell {
        if i < self.span.len {
            kinds[self.span.first + i]
        } else {
            Cell::Missing
        }
    }
}

impl Table {
    /// A table with this header and no rows yet.
    pub fn new(header: Vec<String>) -> Table {
        let mut table = Table::default();
        table.set_header(header);
        table
    }

    /// Makes room for `rows` more rows holding `cells` cells and `bytes` of cell text.
    pub fn reserve(&mut self, rows: usize, cells: usize, bytes: usize) {
        self.text.reserve(bytes);
        self.ends.reserve(cells);
        self.rows.reserve(rows);
    }

    /// Repeated column names get a number so that their values stay apart.
    fn set_header(&mut self, header: Vec<String>) {
        let mut header: Vec<String> = header.iter().map(|h| clean_header(h)).collect();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for h in header.iter_mut().filter(|h| !h.is_empty()) {
            let n = seen.entry(h.clone()).or_insert(0);
            *n += 1;
            if *n > 1 {
                *h = format!("{h} #{n}");
            }
        }
        self.units = vec![String::new(); header.len()];
        self.header = header;
    }

    /// Makes row `r` the header: it and the rows above it (a preamble) are no longer data.
    pub fn promote_header(&mut self, r: usize) {
        let Some(&span) = self.rows.get(r) else {
            return;
        };
        let row = Row { table: self, span };
        let header: Vec<String> = row.cells().map(str::to_string).collect();
        self.set_header(header);
        self.rows.drain(..=r);
    }

    /// The number of cells of each row.
    pub fn row_lens(&self) -> impl Iterator<Item = usize> + '_ {
        self.rows.iter().map(|r| r.len)
    }

    /// The cells of each row (for finding the header of a file read without one).
    pub fn row_cells(&self) -> impl Iterator<Item = Vec<&str>> + '_ {
        self.iter_rows().map(|row| row.cells().collect())
    }

    /// Adds a data row read at `line`, its cells as given (the readers trim them).
    pub fn push_row(&mut self, line: u64, cells: impl IntoIterator<Item = impl AsRef<str>>) {
        let first = self.ends.len();
        for cell in cells {
            self.text.push_str(cell.as_ref());
            self.ends.push(self.text.len());
        }
        let len = self.ends.len() - first;
        self.rows.push(RowSpan { line, first, len });
    }

    /// Number of data rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn row(&self, r: usize) -> Row<'_> {
        Row {
            table: self,
            span: self.rows[r],
        }
    }

    fn iter_rows(&self) -> impl Iterator<Item = Row<'_>> + '_ {
        (0..self.rows.len()).map(|r| self.row(r))
    }

    /// A first row that holds only units (`us`, `%`, `Kbyte/block`) or sub-headings above
    /// numeric rows is folded into the header: known units become column units, other
    /// words name unnamed columns.
    fn fold_units_row(&mut self) {
        if self.rows.len() < 2 {
            return;
        }
        let (first, next) = (self.row(0), self.row(1));
        if !is_units_row(first, next) {
            return;
        }
        let cells: Vec<String> = first.cells().map(str::to_string).collect();
        self.rows.remove(0);
        for (i, cell) in cells.iter().enumerate().take(self.header.len()) {
            if cell.is_empty() {
                continue;
            }
            if units::is_known_unit(cell) || !self.header[i].is_empty() {
                self.units[i] = units::normalize_unit(cell);
            } else {
                self.header[i] = cell.clone();
            }
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
fn is_units_row(cells: Row<'_>, next: Row<'_>) -> bool {
    let filled: Vec<(usize, &str)> = cells
        .cells()
        .enumerate()
        .filter(|(_, c)| !c.is_empty())
        .collect();
    !filled.is_empty()
        && filled
            .iter()
            .all(|(_, c)| unit_word_re().is_match(c) && !is_missing(c) && !is_failure_cell(c))
        && filled
            .iter()
            .any(|(i, _)| parse_quantity(next.cell(*i)).is_some())
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
    one_of(
        c,
        &[
            "", "-", "--", "—", "–", "n/a", "na", "none", "null", "?", "skipped",
        ],
    ) || could_be_non_finite(c) && c.parse::<f64>().is_ok_and(|v| !v.is_finite())
}

/// Whether `c` may parse as an infinite or NaN number: only with an exponent, an `inf` or
/// `nan` spelling, or hundreds of digits.
fn could_be_non_finite(c: &str) -> bool {
    c.len() >= 300
        || c.bytes()
            .any(|b| matches!(b, b'e' | b'E' | b'n' | b'N' | b'i' | b'I'))
}

/// `cell` equals one of `words`, ignoring ASCII case (the words are lower case).
fn one_of(cell: &str, words: &[&str]) -> bool {
    words.iter().any(|w| cell.eq_ignore_ascii_case(w))
}

/// Cells that mean "the measurement failed".
pub fn is_failure_cell(cell: &str) -> bool {
    one_of(
        cell.trim(),
        &[
            "oom",
            "error",
            "err",
            "failed",
            "fail",
            "failure",
            "timeout",
            "timed out",
            "crash",
            "crashed",
            "killed",
        ],
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
    one_of(
        cell.trim(),
        &["warmup", "warm-up", "warm_up", "warmup run", "warm up"],
    )
}

/// What a cell holds, found once when the columns are classified and used again when the
/// rows are read.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cell {
    /// No value ([`is_missing`]).
    Missing,
    /// A failed measurement ([`is_failure_cell`]).
    Failure,
    /// A bare number without a unit.
    Number(f64),
    /// A number with a unit, or a list of numbers: read again when used.
    Quantity,
    /// Anything else.
    Text,
}

impl Cell {
    /// The class the checks give one after another. A finite bare number
    /// ([`units::plain_number`]) is neither a missing nor a failure word, so callers may
    /// take that shortcut first.
    fn by_checks(cell: &str) -> Cell {
        if is_missing(cell) {
            Cell::Missing
        } else if is_failure_cell(cell) {
            Cell::Failure
        } else {
            match parse_quantity(cell) {
                Some(q) if q.unit.is_empty() => Cell::Number(q.value),
                Some(_) => Cell::Quantity,
                None if list_samples(cell).is_some() => Cell::Quantity,
                None => Cell::Text,
            }
        }
    }
}

/// Most distinct non-numeric cells of a table whose classification is remembered.
const MAX_REMEMBERED_WORDS: usize = 4096;

/// What the column statistics take from one cell: its class and, for text, whether it is
/// free text or a timestamp.
#[derive(Debug, Clone, Copy)]
struct Word {
    kind: Cell,
    free_text: bool,
    timestamp: bool,
}

impl Word {
    /// A bare number ([`units::plain_number`]).
    fn number(v: f64) -> Word {
        Word {
            kind: Cell::Number(v),
            free_text: false,
            timestamp: false,
        }
    }

    fn of(cell: &str) -> Word {
        let kind = Cell::by_checks(cell);
        let text = kind == Cell::Text;
        Word {
            kind,
            free_text: text && is_free_text(cell),
            timestamp: text
                && cell.starts_with(|c: char| c.is_ascii_digit())
                && timestamp_re().is_match(cell),
        }
    }
}

/// What the cells of one column look like.
#[derive(Debug, Default)]
struct ColumnStats {
    numeric: usize,
    text: usize,
    missing: usize,
    failures: usize,
    /// Some number other than 0 and 1 was seen.
    beyond_on_off: bool,
    first_unit: String,
    free_text: bool,
    timestamps: usize,
}

/// Classifies every cell of the table (`kinds`, one per stored cell) and sums up each column.
fn column_stats(table: &Table) -> (Vec<ColumnStats>, Vec<Cell>) {
    let width = table.header.len();
    let mut stats: Vec<ColumnStats> = (0..width).map(|_| ColumnStats::default()).collect();
    // Indexed like the stored cells (rows taken out as a header or units row stay missing).
    let mut kinds = vec![Cell::Missing; table.ends.len()];
    // Words repeat down a column (a model name, a status): each is classified once.
    let mut seen: foldhash::HashMap<&str, Word> = foldhash::HashMap::default();
    for row in table.iter_rows() {
        for (col, cell) in row.cells().enumerate() {
            let word = match units::plain_number(cell) {
                Some(v) => Word::number(v),
                None => match seen.get(cell) {
                    Some(&word) => word,
                    None => {
                        let word = Word::of(cell);
                        if seen.len() < MAX_REMEMBERED_WORDS {
                            seen.insert(cell, word);
                        }
                        word
                    }
                },
            };
            let kind = word.kind;
            kinds[row.span.first + col] = kind;
            let Some(st) = stats.get_mut(col) else {
                continue;
            };
            match kind {
                Cell::Missing => st.missing += 1,
                Cell::Failure => st.failures += 1,
                Cell::Number(v) => {
                    st.numeric += 1;
                    st.beyond_on_off |= v != 0.0 && v != 1.0;
                }
                Cell::Quantity => {
                    let Some(q) = parse_quantity(cell).or_else(|| list_samples(cell)?.pop()) else {
                        continue;
                    };
                    st.numeric += 1;
                    st.beyond_on_off |= q.value != 0.0 && q.value != 1.0;
                    if st.first_unit.is_empty() {
                        st.first_unit = q.unit;
                    }
                }
                Cell::Text => {
                    st.text += 1;
                    st.free_text |= word.free_text;
                    st.timestamps += usize::from(word.timestamp);
                }
            }
        }
        // Cells a short row lacks are empty.
        for st in stats.iter_mut().skip(row.span.len) {
            st.missing += 1;
        }
    }
    (stats, kinds)
}

fn roles(table: &Table, stats: &[ColumnStats]) -> Vec<Role> {
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
    let on_off = !st.beyond_on_off;
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
///
/// Rows that repeat a configuration (the runs of a parameter sweep) share one benchmark name
/// and label set, built once: rows are grouped by the raw text of their identifying and
/// label cells, and each group remembers the series of each metric column. The rows are
/// grouped before any is read, so that the number of series and of readings of each is
/// known when the series are made.
pub fn emit(mut table: Table, prefix: &[String], default_benchmark: &str, sink: &mut SeriesSink) {
    table.fold_units_row();
    if is_key_value(&table) {
        emit_key_value(&table, prefix, default_benchmark, sink);
        return;
    }
    let (stats, kinds) = column_stats(&table);
    let roles = roles(&table, &stats);
    let metrics: Vec<MetricColumn> = roles
        .iter()
        .enumerate()
        .filter_map(|(col, role)| match role {
            Role::Metric {
                name,
                unit,
                direction,
            } => Some(MetricColumn {
                col,
                name,
                unit,
                direction: *direction,
                at_name: Arc::from(name.as_str()),
            }),
            _ => None,
        })
        .collect();
    if metrics.is_empty() {
        return;
    }
    let keyed: Vec<usize> = (0..roles.len())
        .filter(|&i| matches!(roles[i], Role::Identity | Role::Label(_)))
        .collect();
    let prefix: Vec<&str> = prefix
        .iter()
        .filter(|p| !p.is_empty())
        .map(String::as_str)
        .collect();
    let mut groups = RowGroups::new(keyed.len(), metrics.len());
    // The rows that give readings, each with its group and whether it failed.
    let mut plan: Vec<(Row<'_>, usize, bool)> = Vec::with_capacity(table.len());
    // The raw identifying cell above, for tables whose empty cells repeat it.
    let mut above: Vec<&str> = vec![""; roles.len()];
    let mut key: Vec<KeyCell<'_>> = Vec::with_capacity(keyed.len());
    for row in table.iter_rows() {
        let kind = |i: usize| row.kind(&kinds, i);
        let Some(first_filled) = (0..roles.len()).find(|&i| kind(i) != Cell::Missing) else {
            continue;
        };
        let warmup = roles.iter().enumerate().any(|(i, r)| {
            matches!(r, Role::Identity | Role::Ignored | Role::Label(_))
                && kind(i) == Cell::Text
                && is_warmup(row.cell(i))
        });
        if warmup {
            continue;
        }
        let failed = roles
            .iter()
            .enumerate()
            .any(|(i, r)| matches!(r, Role::Marker(m) if row_failed(*m, row.cell(i))));
        // Only leading empty cells repeat the row above (`| | jit | 0.635 |`); an empty cell
        // after a filled one means "none" (`| hip | | -fa 1 |`).
        key.clear();
        for &i in &keyed {
            let c = row.cell(i);
            key.push(if kind(i) != Cell::Missing {
                if roles[i] == Role::Identity {
                    above[i] = c;
                }
                KeyCell::Own(c)
            } else if table.fill_down
                && i < first_filled
                && roles[i] == Role::Identity
                && !above[i].is_empty()
            {
                KeyCell::Above(above[i])
            } else {
                KeyCell::Empty
            });
        }
        let g = groups.find_or_insert(&key, || {
            GroupName::new(&key, &keyed, &roles, &prefix, default_benchmark)
        });
        for (m, column) in metrics.iter().enumerate() {
            if failed || matches!(kind(column.col), Cell::Failure | Cell::Number(_)) {
                groups.slot(g, m).readings += 1;
            }
        }
        plan.push((row, g, failed));
    }
    // Every group and metric with a reading has a series: the vector of series grows once,
    // and each series holds its readings without growing.
    sink.reserve(groups.slots.iter().filter(|s| s.readings > 0).count());
    for (row, g, failed) in plan {
        for (m, column) in metrics.iter().enumerate() {
            let reading = match row.kind(&kinds, column.col) {
                _ if failed => Reading::Failed,
                Cell::Failure => Reading::Failed,
                Cell::Missing | Cell::Text => continue,
                Cell::Number(v) => Reading::Value(v),
                Cell::Quantity => {
                    let c = row.cell(column.col);
                    groups.names[g].record_quantity(c, column, row.span.line, sink);
                    continue;
                }
            };
            let Some(idx) = groups.series(g, m, column, sink) else {
                continue;
            };
            sink.push(idx, reading, column.unit, || {
                At::cell(row.span.line, &column.at_name)
            });
        }
    }
}

/// A metric column of a table.
struct MetricColumn<'a> {
    col: usize,
    name: &'a str,
    unit: &'a str,
    direction: Direction,
    /// The column name shared by the origins of its cells.
    at_name: Arc<str>,
}

/// One identifying or label cell of a row, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum KeyCell<'a> {
    Empty,
    Own(&'a str),
    /// An empty leading cell that repeats the one above.
    Above(&'a str),
}

/// The rows of a table grouped by their identifying and label cells, which they borrow
/// from the table.
struct RowGroups<'t> {
    /// The key cells of every group, `width` per group.
    cells: Vec<KeyCell<'t>>,
    width: usize,
    names: Vec<GroupName>,
    /// Per group, one slot per metric column.
    slots: Vec<MetricSlot>,
    metrics: usize,
    /// Groups by a hash of their cells.
    positions: Positions,
}

/// The series of one metric of one group.
#[derive(Debug, Clone, Copy, Default)]
struct MetricSlot {
    /// Readings the group's rows give this metric.
    readings: usize,
    /// The series, once found.
    series: Option<usize>,
}

impl<'t> RowGroups<'t> {
    fn new(width: usize, metrics: usize) -> RowGroups<'t> {
        RowGroups {
            cells: Vec::new(),
            width,
            names: Vec::new(),
            slots: Vec::new(),
            metrics,
            positions: Positions::default(),
        }
    }

    fn find_or_insert(&mut self, key: &[KeyCell<'t>], make: impl FnOnce() -> GroupName) -> usize {
        let hash = self.positions.hash(key);
        let width = self.width;
        let cells = &self.cells;
        if let Some(g) = self
            .positions
            .find(hash, |g| cells.get(g * width..(g + 1) * width) == Some(key))
        {
            return g;
        }
        self.cells.extend_from_slice(key);
        self.names.push(make());
        self.slots
            .resize(self.slots.len() + self.metrics, MetricSlot::default());
        self.positions.push(hash)
    }

    fn slot(&mut self, g: usize, m: usize) -> &mut MetricSlot {
        &mut self.slots[g * self.metrics + m]
    }

    /// The series of metric `m` for group `g`, found (or created) on first use.
    fn series(
        &mut self,
        g: usize,
        m: usize,
        column: &MetricColumn<'_>,
        sink: &mut SeriesSink,
    ) -> Option<usize> {
        let slot = self.slots[g * self.metrics + m];
        if slot.series.is_some() {
            return slot.series;
        }
        let name = &self.names[g];
        let idx = sink.series_index(
            &name.benchmark,
            column.name,
            &name.labels,
            column.unit,
            column.direction,
            slot.readings,
        )?;
        self.slot(g, m).series = Some(idx);
        Some(idx)
    }
}

/// The benchmark name and labels shared by rows with the same identifying and label cells.
struct GroupName {
    benchmark: String,
    labels: Labels,
}

impl GroupName {
    fn new(
        key: &[KeyCell<'_>],
        keyed: &[usize],
        roles: &[Role],
        prefix: &[&str],
        default_benchmark: &str,
    ) -> GroupName {
        // The parts of the benchmark name, joined by `/` as they come.
        let mut benchmark = String::new();
        let mut parts = 0usize;
        let mut push_part = |part: &str| {
            if parts > 0 {
                benchmark.push('/');
            }
            benchmark.push_str(part);
            parts += 1;
        };
        for p in prefix {
            push_part(p);
        }
        let mut labels = Labels::new();
        for (cell, &i) in key.iter().zip(keyed) {
            match (cell, &roles[i]) {
                (KeyCell::Own(c), Role::Identity) => push_part(&identity_name(c)),
                (KeyCell::Above(c), Role::Identity) => {
                    let name = identity_name(c);
                    if !name.is_empty() {
                        push_part(&name);
                    }
                }
                (KeyCell::Own(c), Role::Label(name)) => {
                    let value = match parse_quantity(c) {
                        Some(q) => number_label(q.value),
                        None => bounded(c),
                    };
                    labels.insert(name.clone(), value);
                }
                _ => {}
            }
        }
        if parts == 0 {
            benchmark.push_str(default_benchmark);
        }
        GroupName { benchmark, labels }
    }

    /// A cell with a unit of its own or a list of samples.
    fn record_quantity(
        &self,
        c: &str,
        column: &MetricColumn<'_>,
        line: u64,
        sink: &mut SeriesSink,
    ) {
        let (name, unit, direction) = (column.name, column.unit, column.direction);
        let at = || At::cell(line, &column.at_name);
        let (benchmark, labels) = (&self.benchmark, &self.labels);
        // A cell in another unit of the column's dimension (`820 MB` in a GB column) is
        // converted so that every row of a column shares its unit; a single value in a unit
        // that does not convert keeps its own, a list's samples the column's.
        let (quantities, own_unit) = match list_samples(c) {
            Some(list) => (list, false),
            None => match parse_quantity(c) {
                Some(q) => (vec![q], true),
                None => return,
            },
        };
        for q in &quantities {
            let (v, unit) = match units::convert(q.value, &q.unit, unit) {
                Some(v) => (v, unit),
                None if own_unit => (q.value, q.unit.as_str()),
                None => (q.value, unit),
            };
            sink.record(
                benchmark,
                name,
                labels,
                unit,
                direction,
                Reading::Value(v),
                at(),
            );
        }
    }
}

/// The benchmark-name part an identifying cell gives (emphasis marks removed).
fn identity_name(cell: &str) -> Cow<'_, str> {
    if cell.contains(['*', '`']) {
        Cow::Owned(bounded(&cell.replace(['*', '`'], "")))
    } else {
        bounded_str(cell)
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
    let columns: Vec<Arc<str>> = table.header.iter().map(|h| Arc::from(h.as_str())).collect();
    for row in table.iter_rows() {
        if row.span.len == 0 {
            continue;
        }
        let (metric, header_unit) = split_header_unit(&row.cell(0).replace(['*', '`'], ""));
        if metric.is_empty()
            || direction::is_parameter(&metric)
            || direction::is_bookkeeping(&metric)
        {
            continue;
        }
        for (j, cell) in row.cells().enumerate().skip(1) {
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
            let at = match columns.get(j) {
                Some(column) => At::cell(row.span.line, column),
                None => At::from(format!("line {}, column ", row.span.line)),
            };
            sink.record(
                &benchmark,
                &metric,
                &labels,
                &unit,
                direction,
                Reading::Value(q.value),
                at,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Input;

    fn table(header: &[&str], rows: &[&[&str]]) -> Table {
        let mut t = Table::new(header.iter().map(|s| s.to_string()).collect());
        for (i, r) in rows.iter().enumerate() {
            t.push_row(i as u64 + 2, r.iter().copied());
        }
        t
    }

    fn run(t: &Table) -> Vec<crate::model::Series> {
        let input = Input {
            path: "dir/t.csv",
            text: "",
        };
        let mut sink = SeriesSink::new(&input);
        emit(t.clone(), &[], "t", &mut sink);
        sink.finish().map(|p| p.series).unwrap_or_default()
    }

    #[test]
    fn rows_that_repeat_a_configuration_are_samples_of_one_series() {
        let rows: Vec<[String; 4]> = (0..40)
            .map(|i| {
                [
                    format!("m{}", i % 2),
                    format!("{}", 1024 << (i % 4)),
                    format!("{}", 50 + i),
                    if i == 7 { "boom".into() } else { String::new() },
                ]
            })
            .collect();
        let rows: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
        let t = table(&["model", "num_ctx", "tokens_s", "error"], &rows);
        let series = run(&t);
        // Four configurations, each seen ten times; one run failed.
        assert_eq!(series.len(), 4);
        let s = series
            .iter()
            .find(|s| s.key.benchmark == "m1" && s.key.labels.get("num_ctx") == Some("8192"))
            .unwrap();
        assert_eq!(
            s.samples,
            vec![53.0, 61.0, 65.0, 69.0, 73.0, 77.0, 81.0, 85.0, 89.0]
        );
        assert_eq!(s.failed, 1);
        assert_eq!(s.origin[0].at.to_string(), "line 5, column tokens_s");
        assert_eq!(series.iter().map(|s| s.failed).sum::<u32>(), 1);
        assert!(series
            .iter()
            .all(|s| s.samples.len() + s.failed as usize == 10));
    }

    proptest::proptest! {
        #[test]
        fn the_shortcut_agrees_with_the_checks_on_number_like_cells(
            cell in "[0-9.eE+-]{1,12}",
        ) {
            if let Some(v) = units::plain_number(&cell) {
                proptest::prop_assert_eq!(Cell::by_checks(&cell), Cell::Number(v));
            }
        }
    }

    #[test]
    fn the_shortcut_for_bare_numbers_classifies_as_the_checks_do() {
        for cell in [
            "",
            "-",
            "N/A",
            "nan",
            "inf",
            "1e309",
            "OOM",
            "Timeout",
            "12.5",
            "-0",
            "1,234",
            "3 ms",
            "[1, 2]",
            "[1, x]",
            "warmup",
            "llama3.1:8b",
            "0x10",
            "1e3",
        ] {
            if let Some(v) = units::plain_number(cell) {
                assert_eq!(Cell::by_checks(cell), Cell::Number(v), "{cell}");
            }
        }
        assert_eq!(Cell::by_checks("1e309"), Cell::Missing);
        assert_eq!(Cell::by_checks("3 ms"), Cell::Quantity);
        assert_eq!(Cell::by_checks("[1, 2]"), Cell::Quantity);
        assert_eq!(Cell::by_checks("[1, x]"), Cell::Text);
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
