//! The console summary that vLLM (`benchmark_serving.py`, `vllm bench serve`) and SGLang
//! (`sglang.bench_serving`) print after a run, wherever it was saved (a log, a Markdown note):
//!
//! ```text
//! ============ Serving Benchmark Result ============
//! Successful requests:                     10
//! Request throughput (req/s):              0.11
//! ---------------Time to First Token----------------
//! Mean TTFT (ms):                          43073.78
//! ==================================================
//! ```
//!
//! Every `Name (unit): value` line of a block is a metric named after its words
//! (`mean_ttft`, `request_throughput`) in its unit; the direction follows from the unit and
//! name. Successful and failed request counts are measured too; token totals are not. The
//! load settings printed in the block (backend, request rate, concurrency, burstiness) are
//! labels, and the backend, when printed, is the benchmark; otherwise the file name is.

use super::emit::{Emitter, Metric, Subject};
use crate::direction;
use crate::model::Direction::{self, HigherIsBetter, LowerIsBetter};
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use crate::units;

const NAME: &str = "serving-benchmark-text";
const TITLE: &str = " Serving Benchmark Result ";

pub struct ServingText;

impl Adapter for ServingText {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        let text = input.text;
        if text.contains(TITLE) && text.contains("Request throughput (req/s):") {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let mut out = Emitter::new(input, NAME);
        let mut block: Option<Block> = None;
        for (i, raw) in input.text.lines().enumerate() {
            let line = raw.trim();
            if is_title(line) {
                if let Some(open) = block.take() {
                    out.warn(format!(
                        "line {}: result block without its closing `=====` line; read up to here",
                        open.line
                    ));
                    open.emit(&mut out);
                }
                block = Some(Block::new(i + 1));
            } else if let Some(open) = block.as_mut() {
                if !line.is_empty() && line.bytes().all(|b| b == b'=') {
                    if let Some(done) = block.take() {
                        done.emit(&mut out);
                    }
                } else {
                    open.read(line, i + 1);
                }
            }
        }
        if let Some(open) = block {
            out.warn(format!(
                "line {}: result block without its closing `=====` line (file cut short?); read up to the end",
                open.line
            ));
            open.emit(&mut out);
        }
        out.finish()
    }
}

fn is_title(line: &str) -> bool {
    line.starts_with("==") && line.ends_with("==") && line.contains(TITLE)
}

/// The settings a block prints, as labels.
fn setting(name: &str) -> Option<&'static str> {
    Some(match name {
        "backend" => "backend",
        "traffic request rate" | "request rate configured" => "request_rate",
        "maximum request concurrency" | "max request concurrency" => "max_concurrency",
        "burstiness factor" => "burstiness",
        _ => return None,
    })
}

/// One result block being read.
struct Block {
    /// The line of its title.
    line: usize,
    labels: Vec<(&'static str, String)>,
    /// Metric name, unit, direction, value and line.
    metrics: Vec<(String, String, Direction, f64, usize)>,
}

impl Block {
    fn new(line: usize) -> Self {
        Block {
            line,
            labels: Vec::new(),
            metrics: Vec::new(),
        }
    }

    /// Reads one `Name (unit): value` line; section rules and other text are ignored.
    fn read(&mut self, line: &str, at: usize) {
        let Some((name, value)) = line.rsplit_once(':') else {
            return;
        };
        let (words, unit) = match name.trim().rsplit_once('(') {
            Some((words, unit)) if unit.ends_with(')') => (
                words.trim(),
                units::normalize_unit(unit.trim_end_matches(')')),
            ),
            _ => (name.trim(), String::new()),
        };
        let lower = words.to_ascii_lowercase();
        let value = value.trim();
        if let Some(label) = setting(&lower) {
            if !value.is_empty() {
                self.labels.push((label, value.to_string()));
            }
            return;
        }
        let direction = match (lower.as_str(), unit.as_str()) {
            ("successful requests", "") => HigherIsBetter,
            ("failed requests", "") => LowerIsBetter,
            (_, "") => return,
            // `Total generated tokens (retokenized)`: a count with a note, not a unit.
            (_, u) if !units::is_known_unit(u) => return,
            _ => direction::infer(words, &unit),
        };
        let metric = lower
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        let number = units::parse_quantity(value)
            .filter(|q| q.unit.is_empty())
            .map_or(f64::NAN, |q| q.value);
        self.metrics.push((metric, unit, direction, number, at));
    }

    fn emit(self, out: &mut Emitter) {
        let benchmark = self
            .labels
            .iter()
            .find(|(k, _)| *k == "backend")
            .map_or_else(|| out.file_stem(), |(_, v)| v.clone());
        let mut subject = Subject::new(benchmark);
        for (key, value) in self.labels.into_iter().filter(|(k, _)| *k != "backend") {
            subject.labels.insert(key.to_string(), value);
        }
        for (name, unit, direction, value, line) in &self.metrics {
            let metric = Metric::new(name, unit, *direction);
            out.value(&subject, metric, *value, &format!("line {line}"));
        }
    }
}
