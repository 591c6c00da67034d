//! CSVs of llama.cpp server timings, one row per request: `test,phase,run,prompt_n,prompt_ms,
//! prompt_tps,predicted_n,predicted_ms,predicted_tps,total_ms,http_code,...` (the `timings`
//! object of llama-server's `/completion` answer, as written by llama-benchmark scripts).
//! Warm-up rows are not measurements; a non-200 `http_code` is a failed request. Columns that
//! differ on every row (`run`, response file paths) are not part of the key.

use super::emit::{Emitter, Metric, Subject};
use crate::model::Direction::{HigherIsBetter, LowerIsBetter, Neutral};
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use crate::units;

const NAME: &str = "llama-server-csv";

/// The measured columns and what they mean.
const COLUMNS: [Metric<'static>; 7] = [
    Metric::new("prompt_tps", "tokens/s", HigherIsBetter),
    Metric::new("predicted_tps", "tokens/s", HigherIsBetter),
    Metric::new("prompt_ms", "ms", LowerIsBetter),
    Metric::new("predicted_ms", "ms", LowerIsBetter),
    Metric::new("total_ms", "ms", LowerIsBetter),
    Metric::new("prompt_n", "tokens", Neutral),
    Metric::new("predicted_n", "tokens", Neutral),
];

pub struct LlamaServerCsv;

impl Adapter for LlamaServerCsv {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        let text = input.text.trim_start_matches('\u{feff}').trim_start();
        let header = text.lines().next().unwrap_or_default();
        // Cheap rejection before splitting: a one-line JSON file is a megabyte-long "header".
        if !header.contains("predicted_tps") {
            return Confidence::No;
        }
        let names: Vec<&str> = header
            .split(',')
            .map(|c| c.trim().trim_matches('"'))
            .collect();
        if ["test", "prompt_tps", "predicted_tps"]
            .iter()
            .all(|n| names.contains(n))
        {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let mut out = Emitter::new(input, NAME);
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(input.text.as_bytes());
        let headers = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                return Err(ParseError::Malformed {
                    format: NAME,
                    reason: format!("cannot read the CSV header: {e}"),
                })
            }
        };
        let column = |name: &str| headers.iter().position(|h| h == name);
        let (test, phase, http) = (column("test"), column("phase"), column("http_code"));
        let measured: Vec<(Metric, usize)> = COLUMNS
            .iter()
            .filter_map(|m| column(m.name).map(|i| (*m, i)))
            .collect();
        let fallback = out.file_stem();
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    out.warn(format!("{e}; row skipped"));
                    continue;
                }
            };
            let at = format!("line {}", record.position().map_or(0, |p| p.line()));
            if record.len() != headers.len() {
                out.warn(format!(
                    "{at}: {} cells where the header has {}; row skipped",
                    record.len(),
                    headers.len()
                ));
                continue;
            }
            let cell = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or_default();
            if cell(phase).eq_ignore_ascii_case("warmup") {
                continue;
            }
            let name = cell(test);
            let subject = Subject::new(if name.is_empty() { &fallback } else { name });
            let code = cell(http);
            if !code.is_empty() && code != "200" {
                for (metric, _) in measured.iter().filter(|(m, _)| m.direction != Neutral) {
                    out.failures(&subject, *metric, 1, &at);
                }
                out.warn(format!("{at}: request failed with HTTP {code}"));
                continue;
            }
            for (metric, i) in &measured {
                let raw = cell(Some(*i));
                if raw.is_empty() {
                    continue;
                }
                let value = units::parse_quantity(raw)
                    .map(|q| q.value)
                    .filter(|v| metric.direction != HigherIsBetter || *v > 0.0)
                    .unwrap_or(f64::NAN);
                out.value(&subject, *metric, value, &at);
            }
        }
        out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_order_mark_and_quoted_header_are_read() {
        let input = Input {
            path: "results.csv",
            text: "\u{feff}\"test\",\"phase\",\"prompt_tps\",\"predicted_tps\"\nshort,measured,120.5,9.5\n",
        };
        assert_eq!(LlamaServerCsv.detect(&input), Confidence::Certain);
        let parsed = LlamaServerCsv.parse(&input).unwrap();
        let tps: Vec<_> = parsed
            .series
            .iter()
            .filter(|s| s.key.benchmark == "short")
            .map(|s| (s.key.metric.as_str(), s.samples.clone()))
            .collect();
        assert_eq!(
            tps,
            vec![("predicted_tps", vec![9.5]), ("prompt_tps", vec![120.5])]
        );
    }
}
