//! Generic adapters for the container formats themselves — CSV/TSV, JSON/NDJSON, Markdown and
//! plain text — used when no tool-specific adapter recognises a file. They answer with
//! [`Confidence::Generic`](super::Confidence::Generic) so that a tool adapter always wins.

pub mod csv;
pub mod json;
pub mod markdown;
pub mod sink;
pub mod table;
pub mod text;

use super::Adapter;

/// The adapters of this family, in detection priority order.
pub static ADAPTERS: &[&dyn Adapter] = &[&json::Json, &csv::Csv, &markdown::Markdown, &text::Text];
