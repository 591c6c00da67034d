//! Finds one file's series by the parts of their key (source, benchmark, metric, labels)
//! without building an owned [`SeriesKey`](crate::model::SeriesKey) for every reading: a
//! fast hash of the parts, then a comparison in place. Shared by the accumulators the
//! adapters write through.

use crate::model::{Labels, Series};
use foldhash::fast::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;

/// The borrowed parts of a series key.
#[derive(Debug, Clone, Copy)]
pub struct KeyParts<'a> {
    pub source: &'a str,
    pub benchmark: &'a str,
    pub metric: &'a str,
    pub labels: &'a Labels,
}

/// Positions of series in a vector, by a hash of their key parts.
#[derive(Debug, Default)]
pub struct SeriesIndex {
    slots: HashMap<u64, Vec<usize>>,
    hasher: RandomState,
}

impl SeriesIndex {
    /// The position in `series` of the series with these key parts, if there is one.
    pub fn find(&self, series: &[Series], key: KeyParts<'_>) -> Option<usize> {
        self.slots.get(&self.hash(key))?.iter().copied().find(|&i| {
            series.get(i).is_some_and(|s| {
                let k = &s.key;
                k.source == key.source
                    && k.benchmark == key.benchmark
                    && k.metric == key.metric
                    && k.labels == *key.labels
            })
        })
    }

    /// Records that the series with these key parts is at `position`.
    pub fn insert(&mut self, key: KeyParts<'_>, position: usize) {
        let hash = self.hash(key);
        self.slots.entry(hash).or_default().push(position);
    }

    fn hash(&self, key: KeyParts<'_>) -> u64 {
        self.hasher
            .hash_one((key.source, key.benchmark, key.metric, key.labels))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Direction, SeriesKey};

    #[test]
    fn finds_by_every_part_of_the_key() {
        let mut labels = Labels::new();
        labels.insert("num_gpu".into(), "80".into());
        let mut key = SeriesKey::new("a.csv", "m", "tokens_s");
        key.labels = labels.clone();
        let series = vec![
            Series::new(
                SeriesKey::new("a.csv", "m", "tokens_s"),
                "",
                Direction::Neutral,
            ),
            Series::new(key, "", Direction::Neutral),
        ];
        let mut index = SeriesIndex::default();
        let none = Labels::new();
        let parts = |labels| KeyParts {
            source: "a.csv",
            benchmark: "m",
            metric: "tokens_s",
            labels,
        };
        index.insert(parts(&none), 0);
        index.insert(parts(&labels), 1);
        assert_eq!(index.find(&series, parts(&none)), Some(0));
        assert_eq!(index.find(&series, parts(&labels)), Some(1));
        let other = KeyParts {
            metric: "ttft_s",
            ..parts(&none)
        };
        assert_eq!(index.find(&series, other), None);
    }
}
