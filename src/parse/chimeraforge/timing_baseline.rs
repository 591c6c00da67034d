//! Chimeraforge timing baselines (`csv_data/baselines/*.json`): `timing_stats.run_results[]`
//! with `{p50,p95,p99,mean,stdev}_ms` per run. Each run is a sample; the summary statistics
//! derived from the same runs are not repeated, the coefficient of variation and the outlier
//! count are kept.

use super::{json_object, record_numbers};
use crate::model::Labels;
use crate::parse::generic::sink::{file_benchmark, SeriesSink};
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use serde_json::{Map, Value};

/// `csv_data/baselines/*.json`.
pub struct TimingBaseline;

const NEEDLES: &[&str] = &["\"timing_stats\"", "\"run_results\""];
const RUN_FIELDS: &[&str] = &["p50_ms", "p95_ms", "p99_ms", "mean_ms", "stdev_ms"];
const FILE_FIELDS: &[&str] = &["coefficient_of_variation", "outliers_detected"];

impl Adapter for TimingBaseline {
    fn name(&self) -> &'static str {
        "chimeraforge-timing-baseline"
    }

    fn detect(&self, input: &Input) -> Confidence {
        let has_runs = json_object(input, NEEDLES).is_some_and(|root| {
            root.get("timing_stats")
                .and_then(|t| t.get("run_results"))
                .is_some_and(Value::is_array)
        });
        if has_runs {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let root = json_object(input, NEEDLES).ok_or(ParseError::Malformed {
            format: "chimeraforge-timing-baseline",
            reason: "not a timing baseline object".into(),
        })?;
        let benchmark = root
            .get("test_name")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| file_benchmark(input.path));
        let labels = Labels::new();
        let mut sink = SeriesSink::new(input);
        let runs = root
            .get("timing_stats")
            .and_then(|t| t.get("run_results"))
            .and_then(Value::as_array);
        for (i, run) in runs.into_iter().flatten().enumerate() {
            if let Some(run) = run.as_object() {
                let fields = pick(run, RUN_FIELDS);
                let at = format!("/timing_stats/run_results/{i}");
                record_numbers(&mut sink, &fields, &benchmark, &labels, "", &at, false);
            }
        }
        let fields = pick(&root, FILE_FIELDS);
        record_numbers(&mut sink, &fields, &benchmark, &labels, "", "", false);
        sink.finish()
    }
}

fn pick(obj: &Map<String, Value>, keys: &[&str]) -> Map<String, Value> {
    obj.iter()
        .filter(|(k, _)| keys.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}
