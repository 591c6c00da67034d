//! The parse stage: turns one collected file into metric [`Series`].
//!
//! Every supported format is an [`Adapter`] in its own file. Detection looks at the content
//! first and the file name second: each adapter rates how sure it is that it understands the
//! file, and the most confident one parses it. Generic adapters (CSV, JSON, Markdown, text)
//! answer with low confidence so that a tool-specific adapter always wins when it applies.

pub mod chimeraforge;
pub mod generic;
pub mod harness;
pub mod llm;
mod series_index;
pub mod summary;

use crate::model::{Series, Warning};
use std::sync::OnceLock;

/// A file handed to the parsers: its path relative to the scanned root (with `/`
/// separators, exactly as found on disk) and its decoded text.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub path: &'a str,
    pub text: &'a str,
}

impl<'a> Input<'a> {
    /// The lower-cased file extension, without the dot (`""` when there is none).
    pub fn extension(&self) -> String {
        let name = self.path.rsplit('/').next().unwrap_or(self.path);
        match name.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
            _ => String::new(),
        }
    }
}

/// How sure an adapter is that it understands a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    No = 0,
    /// A generic parser that can read the container format (CSV, JSON, ...).
    Generic = 1,
    /// The file name or a weak content hint points at this tool.
    Likely = 2,
    /// The content carries this tool's signature fields.
    Certain = 3,
}

/// What parsing one file produced.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Parsed {
    pub series: Vec<Series>,
    pub warnings: Vec<Warning>,
    /// The adapter that produced the series.
    pub format: &'static str,
}

/// A reason a file could not be parsed at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseError {
    #[error("malformed {format}: {reason}")]
    Malformed {
        format: &'static str,
        reason: String,
    },
    #[error("no benchmark metrics found")]
    NoMetrics,
    /// A tool's comparison of runs (benchstat), which holds statistics of other files
    /// rather than measurements.
    #[error("{format} output compares runs and holds no measurements: {hint}")]
    NotMeasurements { format: &'static str, hint: String },
}

/// One supported file format.
pub trait Adapter: Sync {
    /// Short stable name, used in `Series::format` and in messages (`llama-bench`, `csv`).
    fn name(&self) -> &'static str;
    /// How sure this adapter is that it understands `input`.
    fn detect(&self, input: &Input) -> Confidence;
    /// Parse the file. Never panics on any input.
    fn parse(&self, input: &Input) -> Result<Parsed, ParseError>;
}

/// Every adapter: benchgate's own summaries, then tool-specific ones (LLM tools, classic
/// harnesses, the Chimeraforge schemas), generic container formats last. Ties in confidence go to the earlier entry.
pub fn adapters() -> &'static [&'static dyn Adapter] {
    static ALL: OnceLock<Vec<&'static dyn Adapter>> = OnceLock::new();
    ALL.get_or_init(|| {
        [&summary::Summary as &dyn Adapter]
            .iter()
            .chain(llm::ADAPTERS)
            .chain(harness::ADAPTERS)
            .chain(chimeraforge::ADAPTERS)
            .chain(generic::ADAPTERS)
            .copied()
            .collect()
    })
}

/// Parses one file with the most confident adapter. Returns the series (with `source` keys
/// normalised) and warnings; a file no adapter understands yields one warning.
pub fn parse_file(input: &Input) -> Parsed {
    let mut best: Option<(&dyn Adapter, Confidence)> = None;
    for adapter in adapters() {
        let c = adapter.detect(input);
        if c > Confidence::No && best.is_none_or(|(_, b)| c > b) {
            best = Some((*adapter, c));
        }
        // Nothing beats `Certain` and ties go to the earlier adapter: the later ones need
        // not look at the file (their detection can cost a full parse).
        if c == Confidence::Certain {
            break;
        }
    }
    let Some((adapter, _)) = best else {
        return Parsed {
            series: Vec::new(),
            warnings: vec![Warning::new(
                input.path,
                "no parser recognises this file's format; it was skipped",
            )],
            format: "",
        };
    };
    match adapter.parse(input) {
        Ok(mut parsed) => {
            parsed.format = adapter.name();
            for s in &mut parsed.series {
                if s.format.is_empty() {
                    s.format = adapter.name().into();
                }
            }
            parsed
        }
        Err(e) => Parsed {
            series: Vec::new(),
            warnings: vec![Warning::new(input.path, e.to_string())],
            format: adapter.name(),
        },
    }
}
