//! Shared code of the benchmarks (and of the test that checks it): synthetic
//! artifact trees ([`synth`]), the read-and-parse floor a scan is compared with
//! ([`floor`]), the parse stage of a comparison alone ([`parse_stage`]), synthetic series
//! for the compare and render stages ([`series`]) and the report they are rendered from
//! ([`report_of`]).

pub mod floor;
pub mod parse_stage;
pub mod series;
pub mod synth;

use benchgate::compare::Comparison;
use benchgate::report::{self, Report, ReportParts};

/// The report of a comparison with nothing else known (no inventories, no analysis), as
/// the render benchmarks need it.
pub fn report_of(comparison: Comparison) -> Report {
    report::build(ReportParts::of(comparison))
}
