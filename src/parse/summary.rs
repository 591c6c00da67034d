//! benchgate's own summary files (`*.benchgate.json`, kept in a history branch): the series
//! of one source exactly as a scan found them ([`crate::history::summary`]).

use super::{Adapter, Confidence, Input, ParseError, Parsed};
use crate::history::summary::{self, FORMAT, SUFFIX};

pub struct Summary;

impl Adapter for Summary {
    fn name(&self) -> &'static str {
        "benchgate-summary"
    }

    fn detect(&self, input: &Input) -> Confidence {
        let head = input.text.trim_start();
        if input.path.ends_with(SUFFIX)
            && head.starts_with('{')
            && head[..head.len().min(64)].contains(FORMAT)
        {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let series =
            summary::read(input.text, input.path).map_err(|reason| ParseError::Malformed {
                format: "benchgate summary",
                reason,
            })?;
        if series.is_empty() {
            return Err(ParseError::NoMetrics);
        }
        Ok(Parsed {
            series,
            warnings: Vec::new(),
            format: self.name(),
        })
    }
}
