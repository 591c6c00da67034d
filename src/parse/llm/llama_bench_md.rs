//! llama.cpp `llama-bench -o md` tables, usually inside a log with the backend's start-up
//! lines around them. The `t/s` cell is `mean ± sd`; the mean is the sample. Columns between
//! the model and the test are run parameters and become labels under their JSON field names
//! (`ngl` -> `n_gpu_layers`), so keys read like the JSON adapter's.

use super::emit::{Emitter, Subject};
use super::llama_bench::AVG_TS;
use crate::model::Labels;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use crate::units;

const NAME: &str = "llama-bench-md";

/// Columns that describe the model rather than the run.
const MODEL_COLUMNS: [&str; 3] = ["model", "size", "params"];

/// llama-bench's short column names and the JSON fields they show.
const DISPLAY_NAMES: [(&str, &str); 11] = [
    ("backend", "backends"),
    ("threads", "n_threads"),
    ("ngl", "n_gpu_layers"),
    ("sm", "split_mode"),
    ("mg", "main_gpu"),
    ("nkvo", "no_kv_offload"),
    ("fa", "flash_attn"),
    ("mmap", "use_mmap"),
    ("embd", "embeddings"),
    ("ts", "tensor_split"),
    ("dev", "devices"),
];

pub struct LlamaBenchMd;

impl Adapter for LlamaBenchMd {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        // A header has a cell that is exactly `t/s`; most files are ruled out by one search.
        if input.text.contains("t/s") && input.text.lines().any(|l| is_header(&cells(l))) {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let mut out = Emitter::new(input, NAME);
        let mut header: Option<Vec<String>> = None;
        for (i, line) in input.text.lines().enumerate() {
            let at = format!("line {}", i + 1);
            let row = cells(line);
            if is_header(&row) {
                header = Some(row);
                continue;
            }
            let Some(columns) = header.as_ref() else {
                continue;
            };
            if row.is_empty() {
                header = None;
                continue;
            }
            if is_separator(&row) {
                continue;
            }
            if !line.trim_end().ends_with('|') {
                out.warn(format!(
                    "{at}: the table row is not closed by `|`; it may be truncated and was skipped"
                ));
                continue;
            }
            if row.len() != columns.len() {
                out.warn(format!(
                    "{at}: {} cells where the table header has {}; row skipped",
                    row.len(),
                    columns.len()
                ));
                continue;
            }
            emit_row(&mut out, columns, &row, &at);
        }
        out.finish()
    }
}

fn emit_row(out: &mut Emitter, columns: &[String], row: &[String], at: &str) {
    let mut model = "";
    let mut test = String::new();
    let mut rate = "";
    let mut labels = Labels::new();
    for (column, cell) in columns.iter().zip(row) {
        match column.as_str() {
            "model" => model = cell,
            "test" => test = cell.split_whitespace().collect(),
            "t/s" => rate = cell,
            c if MODEL_COLUMNS.contains(&c) => {}
            c => {
                let name = DISPLAY_NAMES
                    .iter()
                    .find(|(short, _)| *short == c)
                    .map_or(c, |(_, field)| field);
                labels.insert(name.to_string(), cell.clone());
            }
        }
    }
    let subject = Subject {
        benchmark: format!("{model} {test}"),
        labels,
    };
    match units::parse_quantity(rate).map(|q| q.value) {
        Some(v) if v > 0.0 => out.value(&subject, AVG_TS, v, at),
        _ => {
            out.failures(&subject, AVG_TS, 1, at);
            out.warn(format!(
                "{at}: `{rate}` is not a throughput; counted as a failed run"
            ));
        }
    }
}

/// The trimmed cells of a pipe-table line; empty when the line is not one.
fn cells(line: &str) -> Vec<String> {
    let line = line.trim();
    let Some(inner) = line.strip_prefix('|') else {
        return Vec::new();
    };
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    inner.split('|').map(|c| c.trim().to_string()).collect()
}

fn is_header(cells: &[String]) -> bool {
    ["model", "test", "t/s"]
        .iter()
        .all(|name| cells.iter().any(|c| c == name))
}

fn is_separator(cells: &[String]) -> bool {
    cells
        .iter()
        .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_separator_are_recognised() {
        assert!(is_header(&cells("| model | size | test | t/s |")));
        assert!(!is_header(&cells("| model | test |")));
        assert!(is_separator(&cells("| ---: | --: | ------ |")));
        assert!(cells("build: 79c1160b (6123)").is_empty());
    }
}
