//! The metric model shared by every pipeline stage: a [`Series`] is one metric of one
//! benchmark from one source, with its samples, its unit and which way is better.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;
use std::sync::Arc;

mod at;
mod labels;
pub use at::At;
pub use labels::Labels;

/// Which way a metric improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
    Neutral,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "higher_is_better",
            Direction::LowerIsBetter => "lower_is_better",
            Direction::Neutral => "neutral",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The identity of a series. Base and head series are joined on this key, so every part of
/// it must be stable across runs (no timestamps, no absolute paths).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SeriesKey {
    /// Normalised path of the file relative to the scanned root (date/time stamps removed).
    pub source: Arc<str>,
    /// What was measured: a benchmark name, a row identity, or the file stem.
    pub benchmark: String,
    /// The measured quantity, e.g. `tokens_s` or `mean_ttft_ms`.
    pub metric: String,
    /// Parameters that distinguish otherwise equal benchmarks (`num_gpu`, `n_prompt`, ...).
    #[serde(default)]
    pub labels: Labels,
}

impl SeriesKey {
    pub fn new(
        source: impl Into<Arc<str>>,
        benchmark: impl Into<String>,
        metric: impl Into<String>,
    ) -> Self {
        SeriesKey {
            source: source.into(),
            benchmark: benchmark.into(),
            metric: metric.into(),
            labels: Labels::new(),
        }
    }

    /// `source/benchmark/metric`, the string that policy globs are matched against.
    pub fn path(&self) -> String {
        format!("{}/{}/{}", self.source, self.benchmark, self.metric)
    }
}

impl fmt::Display for SeriesKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path())?;
        if !self.labels.is_empty() {
            let labels: Vec<String> = self
                .labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            write!(f, " [{}]", labels.join(", "))?;
        }
        Ok(())
    }
}

/// Where a value was read: the file as found on disk (not normalised) and a place inside
/// it. The path is shared by every origin in the same file (and by the deltas that cite
/// it), not copied.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Origin {
    pub path: Arc<str>,
    #[serde(default, skip_serializing_if = "At::is_whole_file")]
    pub at: At,
}

impl Origin {
    pub fn new(path: impl Into<Arc<str>>, at: impl Into<At>) -> Self {
        Origin {
            path: path.into(),
            at: at.into(),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at.is_whole_file() {
            f.write_str(&self.path)
        } else {
            write!(f, "{} ({})", self.path, self.at)
        }
    }
}
/// One metric of one benchmark: the unit of comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    #[serde(flatten)]
    pub key: SeriesKey,
    /// Unit as written by the tool, normalised for spelling (`ms`, `tokens/s`, `ns/op`);
    /// empty when the value is a plain count or ratio.
    #[serde(default)]
    pub unit: String,
    pub direction: Direction,
    /// Successful measurements only; failed runs are counted in `failed`.
    pub samples: Vec<f64>,
    /// Measurements that were recorded as failed (error text, `ok: false`, zeros of a failed run).
    #[serde(default)]
    pub failed: u32,
    /// The parser that produced the series (`csv`, `llama-bench`, `criterion`, ...).
    #[serde(default)]
    pub format: Cow<'static, str>,
    /// Every place a sample or failure of this series was read from.
    #[serde(default)]
    pub origin: Vec<Origin>,
    /// Labels taken out of the key because they record where or when the numbers were
    /// produced (a commit, a run id, a timestamp), not what was measured.
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    pub provenance: Labels,
}

impl Series {
    pub fn new(key: SeriesKey, unit: impl Into<String>, direction: Direction) -> Self {
        Series {
            key,
            unit: unit.into(),
            direction,
            samples: Vec::new(),
            failed: 0,
            format: Cow::Borrowed(""),
            origin: Vec::new(),
            provenance: Labels::new(),
        }
    }
}

/// A problem with one input that did not stop the run.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Warning {
    pub path: String,
    pub message: String,
}

impl Warning {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Warning {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Merges series that share a key: their samples, failures and origins are concatenated
/// (several files or rows that normalise to one key are samples of one series). The result
/// is sorted by key so that every later stage is deterministic. When two merged series
/// disagree on unit or direction the first one wins and a warning is returned.
pub fn merge_series(mut series: Vec<Series>) -> (Vec<Series>, Vec<Warning>) {
    if is_merged(&series) {
        return (series, Vec::new());
    }
    // The order is found on positions (ties in their given order, as a stable sort keeps
    // them) by the ranks of the key's parts, and applied in place: each series moves about
    // once. A file's series share a few sources, benchmarks and metrics, and a label set
    // among a few metrics, so ranking the distinct ones compares far fewer strings than
    // comparing whole keys.
    let source = ranks(series.iter().map(|s| &*s.key.source));
    let benchmark = ranks(series.iter().map(|s| s.key.benchmark.as_str()));
    let metric = ranks(series.iter().map(|s| s.key.metric.as_str()));
    let labels = ranks(series.iter().map(|s| &s.key.labels));
    let mut order: Vec<usize> = (0..series.len()).collect();
    order.sort_unstable_by_key(|&i| (source[i], benchmark[i], metric[i], labels[i], i));
    permute(&mut series, order);
    let mut warnings = Vec::new();
    // In place: a scan's series are most of its memory, so no second vector of them.
    series.dedup_by(|s, last| {
        if last.key != s.key {
            return false;
        }
        if last.unit != s.unit || last.direction != s.direction {
            let path = s
                .origin
                .first()
                .map(|o| o.path.to_string())
                .unwrap_or_default();
            warnings.push(Warning::new(
                path,
                format!(
                    "{} is reported as `{}` ({}) here but `{}` ({}) elsewhere; keeping the first",
                    s.key, s.unit, s.direction, last.unit, last.direction
                ),
            ));
        }
        last.samples.append(&mut s.samples);
        last.failed += s.failed;
        for (name, value) in s.provenance.iter() {
            match last.provenance.get(name) {
                None => {
                    last.provenance.insert(name.to_string(), value.to_string());
                }
                Some(kept) if kept != value && !kept.ends_with('…') => {
                    let joined = format!("{kept}, …");
                    last.provenance.insert(name.to_string(), joined);
                }
                Some(_) => {}
            }
        }
        for o in s.origin.drain(..) {
            if !last.origin.contains(&o) {
                last.origin.push(o);
            }
        }
        true
    });
    series.shrink_to_fit();
    (series, warnings)
}

/// Whether `series` are as [`merge_series`] leaves them: sorted by key, no key twice.
pub fn is_merged(series: &[Series]) -> bool {
    series.windows(2).all(|w| w[0].key < w[1].key)
}

/// The rank of each of `values` among the distinct ones in their order: sorting by ranks
/// sorts by the values, each distinct value hashed once per occurrence and compared only
/// with other distinct ones.
fn ranks<'a, T: Ord + Hash + ?Sized + 'a>(values: impl Iterator<Item = &'a T>) -> Vec<u32> {
    let mut ids: HashMap<&T, u32, foldhash::fast::RandomState> = HashMap::default();
    let found: Vec<u32> = values
        .map(|v| {
            let next = u32::try_from(ids.len()).unwrap_or(u32::MAX);
            *ids.entry(v).or_insert(next)
        })
        .collect();
    let mut distinct: Vec<(&T, u32)> = ids.into_iter().collect();
    distinct.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut rank_of = vec![0; distinct.len()];
    for (rank, (_, id)) in distinct.iter().enumerate() {
        if let Some(r) = rank_of.get_mut(*id as usize) {
            *r = u32::try_from(rank).unwrap_or(u32::MAX);
        }
    }
    found
        .into_iter()
        .map(|id| rank_of.get(id as usize).copied().unwrap_or(u32::MAX))
        .collect()
}

/// Rearranges `items` so that position `i` holds the item that was at `order[i]`, cycle
/// by cycle (`order` must be a permutation of the positions).
pub(crate) fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..order.len() {
        let mut at = start;
        while order[at] != at {
            let from = order[at];
            order[at] = at;
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Series come out in key order, and the series of one key merge in the order they
        /// were given, as after a stable sort.
        #[test]
        fn merged_in_key_order_and_given_order(
            keys in proptest::collection::vec((0u8..2, 0u8..4, 0u8..3, 0u8..4), 0..40),
            one_source in any::<bool>(),
        ) {
            let series: Vec<Series> = keys
                .iter()
                .enumerate()
                .map(|(i, &(f, b, m, l))| {
                    let source = if one_source { 0 } else { f };
                    let mut key = SeriesKey::new(format!("f{source}.csv"), format!("b{b}"), format!("m{m}"));
                    // No labels, one of two values, or two labels.
                    if l > 0 {
                        key.labels.insert("ctx".into(), format!("{}", l % 2));
                    }
                    if l == 3 {
                        key.labels.insert("batch".into(), "8".into());
                    }
                    let mut s = Series::new(key, "", Direction::HigherIsBetter);
                    s.samples = vec![i as f64];
                    s
                })
                .collect();
            let mut stable = series.clone();
            stable.sort_by(|a, b| a.key.cmp(&b.key));
            let mut expected: Vec<(SeriesKey, Vec<f64>)> = Vec::new();
            for s in stable {
                match expected.last_mut() {
                    Some((key, samples)) if *key == s.key => samples.extend(s.samples),
                    _ => expected.push((s.key, s.samples)),
                }
            }
            let (merged, _) = merge_series(series);
            let merged: Vec<(SeriesKey, Vec<f64>)> =
                merged.into_iter().map(|s| (s.key, s.samples)).collect();
            prop_assert_eq!(merged, expected);
        }
    }

    #[test]
    fn permute_applies_any_order_in_place() {
        let orders: [&[usize]; 5] = [&[], &[0], &[2, 0, 1], &[1, 0, 3, 2], &[3, 0, 4, 1, 2]];
        for order in orders {
            let mut items: Vec<char> = "abcde"[..order.len()].chars().collect();
            let expected: Vec<char> = order.iter().map(|&i| items[i]).collect();
            permute(&mut items, order.to_vec());
            assert_eq!(items, expected, "{order:?}");
        }
    }
}
