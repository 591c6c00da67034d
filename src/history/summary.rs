//! The compact summary of one run's series, as kept in a history branch: one JSON file per
//! source, named after the source with [`SUFFIX`] appended, so that the summary of
//! `reports/runs.csv` (`reports/runs.csv.benchgate.json`) joins the group of that source when
//! a folder of summaries is compared with a head folder. A series keeps its key, unit,
//! direction and failures; more than [`MAX_SAMPLES`] samples are thinned to that many evenly
//! spaced quantiles, which keeps the mean, spread and shape that the tests use.

use crate::model::{Direction, Origin, Series, SeriesKey};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Appended to the source's path to name its summary file.
pub const SUFFIX: &str = ".benchgate.json";
/// The marker of the format and its version, the first key of every summary file.
pub const FORMAT: &str = "benchgate-summary/1";
/// Samples kept per series at most.
pub const MAX_SAMPLES: usize = 1000;

/// One summary file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryFile {
    pub benchgate: String,
    pub source: String,
    pub series: Vec<Entry>,
}

/// One series in a summary file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    #[serde(flatten)]
    pub key: SeriesKey,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unit: String,
    pub direction: Direction,
    pub samples: Vec<f64>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failed: u32,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub format: String,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The summary files of `series`: relative path → JSON text, one per source.
pub fn write(series: &[Series]) -> BTreeMap<String, String> {
    let mut by_source: BTreeMap<&str, Vec<Entry>> = BTreeMap::new();
    for s in series {
        by_source.entry(&s.key.source).or_default().push(Entry {
            key: s.key.clone(),
            unit: s.unit.clone(),
            direction: s.direction,
            samples: thin(&s.samples),
            failed: s.failed,
            format: s.format.to_string(),
        });
    }
    by_source
        .into_iter()
        .map(|(source, series)| {
            let file = SummaryFile {
                benchgate: FORMAT.to_string(),
                source: source.to_string(),
                series,
            };
            let text = serde_json::to_string(&file).unwrap_or_default();
            (format!("{source}{SUFFIX}"), text)
        })
        .collect()
}

/// Reads a summary file back into series whose origin is `path` (the summary's own path).
pub fn read(text: &str, path: &str) -> Result<Vec<Series>, String> {
    let file: SummaryFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if file.benchgate != FORMAT {
        return Err(format!(
            "summary format `{}` is not `{FORMAT}`; a newer benchgate wrote it",
            file.benchgate
        ));
    }
    Ok(file
        .series
        .into_iter()
        .filter(|e| e.samples.iter().all(|v| v.is_finite()))
        .map(|e| Series {
            key: e.key,
            unit: e.unit,
            direction: e.direction,
            samples: e.samples,
            failed: e.failed,
            format: e.format.into(),
            origin: vec![Origin::new(path, "")],
            provenance: Default::default(),
        })
        .collect())
}

/// At most [`MAX_SAMPLES`] samples: all of them, or evenly spaced quantiles of the sorted
/// samples (first and last included).
fn thin(samples: &[f64]) -> Vec<f64> {
    if samples.len() <= MAX_SAMPLES {
        return samples.to_vec();
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let last = sorted.len() - 1;
    (0..MAX_SAMPLES)
        .map(|i| sorted[i * last / (MAX_SAMPLES - 1)])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(source: &str, metric: &str, samples: Vec<f64>) -> Series {
        let mut s = Series::new(
            SeriesKey::new(source, "gemma3", metric),
            "tokens/s",
            Direction::HigherIsBetter,
        );
        s.samples = samples;
        s.failed = 1;
        s.key.labels.insert("num_gpu".into(), "80".into());
        s
    }

    #[test]
    fn a_summary_reads_back_to_the_same_keys_and_samples() {
        let written = write(&[
            series("reports/runs.csv", "tokens_s", vec![88.1, 90.2]),
            series("reports/runs.csv", "ttft_s", vec![0.5]),
            series("other.json", "tokens_s", vec![1.0]),
        ]);
        assert_eq!(
            written.keys().collect::<Vec<_>>(),
            [
                "other.json.benchgate.json",
                "reports/runs.csv.benchgate.json"
            ]
        );
        let text = &written["reports/runs.csv.benchgate.json"];
        assert!(
            text.starts_with("{\"benchgate\":\"benchgate-summary/1\""),
            "{text}"
        );
        let back = read(text, "h/reports/runs.csv.benchgate.json").unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(&*back[0].key.source, "reports/runs.csv");
        assert_eq!(back[0].key.labels.get("num_gpu"), Some("80"));
        assert_eq!(back[0].samples, [88.1, 90.2]);
        assert_eq!(back[0].failed, 1);
        assert_eq!(back[0].direction, Direction::HigherIsBetter);
    }

    #[test]
    fn long_series_are_thinned_to_quantiles() {
        let samples: Vec<f64> = (0..10_001).map(f64::from).rev().collect();
        let kept = thin(&samples);
        assert_eq!(kept.len(), MAX_SAMPLES);
        assert_eq!((kept[0], kept[MAX_SAMPLES - 1]), (0.0, 10_000.0));
        let mean = kept.iter().sum::<f64>() / kept.len() as f64;
        assert!((mean - 5000.0).abs() < 1.0, "{mean}");
    }

    #[test]
    fn another_format_version_is_refused_with_a_reason() {
        let err = read(
            r#"{"benchgate":"benchgate-summary/9","source":"x","series":[]}"#,
            "x",
        )
        .unwrap_err();
        assert!(err.contains("newer benchgate"), "{err}");
        assert!(read("not json", "x").is_err());
    }
}
