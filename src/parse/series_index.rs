//! Finds one file's series by the parts of their key (source, benchmark, metric, labels)
//! without building an owned [`SeriesKey`](crate::model::SeriesKey) for every reading: a
//! fast hash of the parts that tell one file's series apart (the source is nearly always
//! the file's own), then a comparison of every part in place. Shared by the accumulators the
//! adapters write through; [`Positions`], the hash-to-position map under it, also finds the
//! row groups of a table.

use crate::model::{Labels, Series};
use foldhash::fast::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};

/// Positions `0..n` of entries stored elsewhere, found by a hash of each entry. One hash
/// leads to the latest entry with that hash; entries whose hashes collide are chained, so
/// nothing is allocated per entry beyond one map slot and one link.
#[derive(Debug, Default)]
pub struct Positions {
    latest: HashMap<u64, usize, RandomState>,
    /// For each position, the earlier position with the same hash ([`NONE`]: none).
    earlier: Vec<usize>,
    hasher: RandomState,
}

/// No position: the end of a chain.
const NONE: usize = usize::MAX;

impl Positions {
    /// Makes room for `additional` more positions.
    pub fn reserve(&mut self, additional: usize) {
        self.latest.reserve(additional);
        self.earlier.reserve(additional);
    }

    /// The hash that [`Self::find`] and [`Self::push`] take for `value`.
    pub fn hash(&self, value: impl Hash) -> u64 {
        self.hasher.hash_one(value)
    }

    /// The position with this hash for which `is` holds, if there is one.
    pub fn find(&self, hash: u64, mut is: impl FnMut(usize) -> bool) -> Option<usize> {
        let mut at = self.latest.get(&hash).copied().unwrap_or(NONE);
        while at != NONE {
            if is(at) {
                return Some(at);
            }
            at = self.earlier.get(at).copied().unwrap_or(NONE);
        }
        None
    }

    /// Records the next position (the number of positions pushed so far) under `hash`, and
    /// returns it.
    pub fn push(&mut self, hash: u64) -> usize {
        let position = self.earlier.len();
        let earlier = self.latest.insert(hash, position).unwrap_or(NONE);
        self.earlier.push(earlier);
        position
    }
}

/// The borrowed parts of a series key.
#[derive(Debug, Clone, Copy)]
pub struct KeyParts<'a> {
    pub source: &'a str,
    pub benchmark: &'a str,
    pub metric: &'a str,
    pub labels: &'a Labels,
}

/// Positions of series in a vector, by a hash of their key parts. Every series of the
/// vector is recorded, in order.
#[derive(Debug, Default)]
pub struct SeriesIndex {
    positions: Positions,
}

/// A key not found by [`SeriesIndex::find`], kept to record its series with
/// [`SeriesIndex::push`] without hashing it again.
#[derive(Debug, Clone, Copy)]
pub struct Vacant(u64);

impl SeriesIndex {
    /// The position in `series` of the series with these key parts, or the vacant place of
    /// a new one.
    pub fn find(&self, series: &[Series], key: KeyParts<'_>) -> Result<usize, Vacant> {
        let hash = self.positions.hash((key.benchmark, key.metric, key.labels));
        let found = self.positions.find(hash, |i| {
            series.get(i).is_some_and(|s| {
                let k = &s.key;
                &*k.source == key.source
                    && k.benchmark == key.benchmark
                    && k.metric == key.metric
                    && k.labels == *key.labels
            })
        });
        found.ok_or(Vacant(hash))
    }

    /// Makes room for `additional` more series.
    pub fn reserve(&mut self, additional: usize) {
        self.positions.reserve(additional);
    }

    /// Records that the series of a vacant key is the next one of the vector; returns its
    /// position.
    pub fn push(&mut self, vacant: Vacant) -> usize {
        self.positions.push(vacant.0)
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
        let vacant = index.find(&series[..0], parts(&none)).unwrap_err();
        assert_eq!(index.push(vacant), 0);
        let vacant = index.find(&series[..1], parts(&labels)).unwrap_err();
        assert_eq!(index.push(vacant), 1);
        assert_eq!(index.find(&series, parts(&none)).ok(), Some(0));
        assert_eq!(index.find(&series, parts(&labels)).ok(), Some(1));
        let other = KeyParts {
            metric: "ttft_s",
            ..parts(&none)
        };
        assert!(index.find(&series, other).is_err());
    }

    proptest::proptest! {
        /// Chained positions find what a scan of the entries finds, whatever the hashes
        /// (a hash of a few bits makes most entries collide).
        #[test]
        fn colliding_hashes_find_what_a_scan_finds(
            entries in proptest::collection::vec((0u8..4, 0u8..6), 0..40),
            wanted in (0u8..4, 0u8..6),
        ) {
            let mut positions = Positions::default();
            let mut stored: Vec<(u8, u8)> = Vec::new();
            for (hash, value) in entries {
                let h = u64::from(hash);
                if positions.find(h, |i| stored[i] == (hash, value)).is_none() {
                    proptest::prop_assert_eq!(positions.push(h), stored.len());
                    stored.push((hash, value));
                }
            }
            let scan = stored.iter().position(|&e| e == wanted);
            let found = positions.find(u64::from(wanted.0), |i| stored[i] == wanted);
            proptest::prop_assert_eq!(found, scan);
        }
    }
}
