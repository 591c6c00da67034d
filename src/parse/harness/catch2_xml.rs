//! Catch2's XML reporter (`--reporter xml`, Catch2 v2 `<Catch>` and v3 `<Catch2TestRun>`):
//!
//! ```text
//! <TestCase name="string - benchmark">
//!   <BenchmarkResults name="std::u8string - size=0" samples="100" ...>
//!     <mean value="53.376" lowerBound="53.3144" upperBound="53.4435" ci="0.95"/>
//!     <standardDeviation value="0.329808" .../>
//! ```
//!
//! All values are ns. The benchmark is the test case and section path plus the benchmark
//! name (`string - benchmark/std::u8string - size=0`), since the same benchmark name may
//! appear in several test cases. A `<failed>` element inside a benchmark counts as a failed
//! run.

use super::builder::{malformed, Labels, Metric, SeriesBuilder};
use super::number;
use crate::model::Direction;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

pub(super) struct Catch2Xml;

const NAME: &str = "catch2-xml";

/// The benchmark being read.
#[derive(Default)]
struct Bench {
    name: String,
    at: String,
    mean: Option<f64>,
    std_dev: Option<f64>,
    failed: bool,
}

impl Adapter for Catch2Xml {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        let t = input.text;
        let root = t.contains("<Catch2TestRun") || t.contains("<Catch ");
        if root && t.contains("<BenchmarkResults") {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let mut reader = Reader::from_str(input.text);
        reader.config_mut().expand_empty_elements = true;
        let mut out = SeriesBuilder::new(input, NAME);
        // Names of the enclosing elements (`Some` for test cases and sections).
        let mut scopes: Vec<Option<String>> = Vec::new();
        let mut bench: Option<Bench> = None;
        let mut lines = LineCounter::default();
        let mut emitted = 0usize;
        loop {
            let event = match reader.read_event() {
                Ok(e) => e,
                Err(e) => {
                    let at = reader.error_position() as usize;
                    let line = lines.line_at(input.text, at);
                    if emitted == 0 {
                        return Err(malformed(NAME, format!("line {line}: {e}")));
                    }
                    out.warn(format!(
                        "the XML breaks off at line {line} ({e}); the rest was ignored"
                    ));
                    break;
                }
            };
            match event {
                Event::Start(e) => {
                    let name = attribute(&reader, &e, "name");
                    match e.name().as_ref() {
                        b"TestCase" | b"Section" => scopes.push(name),
                        b"BenchmarkResults" => {
                            let pos = reader.buffer_position() as usize;
                            bench = Some(Bench {
                                name: name.unwrap_or_default(),
                                at: format!("line {}", lines.line_at(input.text, pos)),
                                ..Bench::default()
                            });
                            scopes.push(None);
                        }
                        tag => {
                            if let Some(b) = bench.as_mut() {
                                let value =
                                    || attribute(&reader, &e, "value").and_then(|v| number(&v));
                                match tag {
                                    b"mean" => b.mean = value(),
                                    b"standardDeviation" => b.std_dev = value(),
                                    b"failed" => b.failed = true,
                                    _ => {}
                                }
                            }
                            scopes.push(None);
                        }
                    }
                }
                Event::End(e) => {
                    scopes.pop();
                    if e.name().as_ref() == b"BenchmarkResults" {
                        if let Some(b) = bench.take() {
                            emitted += 1;
                            emit(&b, &scopes, &mut out);
                        }
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        out.finish()
    }
}

fn attribute(reader: &Reader<&[u8]>, e: &BytesStart, key: &str) -> Option<String> {
    let attr = e.try_get_attribute(key).ok()??;
    attr.decode_and_unescape_value(reader.decoder())
        .ok()
        .map(|v| v.into_owned())
}

fn emit(b: &Bench, scopes: &[Option<String>], out: &mut SeriesBuilder) {
    let mut path: Vec<&str> = scopes.iter().flatten().map(String::as_str).collect();
    path.push(&b.name);
    let benchmark = path.join("/");
    let labels = Labels::new();
    let metric = |metric| Metric {
        benchmark: &benchmark,
        metric,
        labels: &labels,
        unit: "ns",
        direction: Direction::LowerIsBetter,
    };
    match b.mean {
        Some(mean) if !b.failed => out.sample(&metric("mean"), mean, &b.at),
        _ => out.failed(&metric("mean"), 1, &b.at),
    }
    if let (Some(sd), false) = (b.std_dev, b.failed) {
        out.sample(&metric("std_dev"), sd, &b.at);
    }
}

/// Turns byte offsets into line numbers, scanning the text once from front to back.
#[derive(Default)]
struct LineCounter {
    pos: usize,
    line: usize,
}

impl LineCounter {
    fn line_at(&mut self, text: &str, pos: usize) -> usize {
        let pos = pos.min(text.len());
        if pos < self.pos {
            self.pos = 0;
            self.line = 0;
        }
        self.line += text.as_bytes()[self.pos..pos]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.pos = pos;
        self.line + 1
    }
}
