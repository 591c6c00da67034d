//! benchgate: turns the benchmark files a CI run produced into a verdict on a pull request.
//!
//! The pipeline, one module per stage (plain data flows between them; only the edges do I/O):
//! [`collect`] -> [`parse`] -> [`baseline`] -> [`compare`] -> [`analyze`] -> [`render`] ->
//! [`github`] (publish). [`context`] and [`config`] describe the run; [`cli`] wires the stages.

pub mod analyze;
pub mod baseline;
pub mod cli;
pub mod collect;
pub mod compare;
pub mod config;
pub mod context;
pub mod direction;
pub mod github;
pub mod history;
pub mod keys;
pub mod model;
pub mod parse;
pub mod progress;
pub mod render;
pub mod report;
pub mod scan;
pub mod stats;
pub mod trees;
pub mod units;
