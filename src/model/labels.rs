//! [`Labels`]: the parameters of a series key, a small map kept as a sorted vector.
//!
//! A key carries two or three labels on average and every compared metric holds three keys
//! (base series, head series, delta). A `BTreeMap` allocates a node of ~540 bytes for even
//! one entry; a vector grown one slot at a time holds exactly its entries, and names and
//! values of up to 24 bytes (nearly all: `num_gpu`, `80`, `0.7`) are stored inline rather
//! than in allocations of their own. Ordering, equality and hashing are those of the sorted
//! entries, the same as a `BTreeMap`'s, and it serialises as a map.

use compact_str::CompactString;
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Label names and values, sorted by name, each name once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Labels(Vec<(CompactString, CompactString)>);

impl Labels {
    pub fn new() -> Self {
        Labels(Vec::new())
    }

    /// Where `name` is, or where it would go.
    fn find(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(name))
    }

    /// Sets `name` to `value`; returns the value it replaces.
    pub fn insert(&mut self, name: String, value: String) -> Option<String> {
        let value = CompactString::from(value);
        match self.find(&name) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value).into_string()),
            Err(i) => {
                self.0.reserve_exact(1);
                self.0.insert(i, (name.into(), value));
                None
            }
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.find(name).ok().map(|i| self.0[i].1.as_str())
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Removes `name`; returns its value.
    pub fn remove(&mut self, name: &str) -> Option<String> {
        let i = self.find(name).ok()?;
        Some(self.0.remove(i).1.into_string())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `(name, value)` in name order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + Clone {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> + Clone {
        self.0.iter().map(|(k, _)| k.as_str())
    }

    pub fn values(&self) -> impl ExactSizeIterator<Item = &str> + Clone {
        self.0.iter().map(|(_, v)| v.as_str())
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Labels {
    /// Later entries replace earlier ones with the same name, as in a map.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut labels = Labels::new();
        labels.extend(iter);
        labels
    }
}

impl<K: Into<String>, V: Into<String>> Extend<(K, V)> for Labels {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k.into(), v.into());
        }
    }
}

impl<K: Into<String>, V: Into<String>, const N: usize> From<[(K, V); N]> for Labels {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl std::ops::Index<&str> for Labels {
    type Output = CompactString;

    /// The value of `name`; panics when there is none, like a map's index.
    fn index(&self, name: &str) -> &CompactString {
        match self.find(name) {
            Ok(i) => &self.0[i].1,
            Err(_) => panic!("no label `{name}`"),
        }
    }
}

impl<'a> IntoIterator for &'a Labels {
    type Item = (&'a str, &'a str);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (CompactString, CompactString)>,
        fn(&'a (CompactString, CompactString)) -> (&'a str, &'a str),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl Serialize for Labels {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k.as_str(), v.as_str())?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Labels {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LabelsVisitor;
        impl<'de> Visitor<'de> for LabelsVisitor {
            type Value = Labels;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of label names to values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Labels, A::Error> {
                let mut labels = Labels::new();
                while let Some((k, v)) = map.next_entry::<String, String>()? {
                    labels.insert(k, v);
                }
                Ok(labels)
            }
        }
        deserializer.deserialize_map(LabelsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn pairs(l: &Labels) -> Vec<(String, String)> {
        l.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn behaves_like_a_sorted_map() {
        let entries = [("b", "2"), ("a", "1"), ("c", "3"), ("a", "9")];
        let labels: Labels = entries.into_iter().collect();
        let map: BTreeMap<String, String> = entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let expected: Vec<(String, String)> = map.into_iter().collect();
        assert_eq!(pairs(&labels), expected);
        assert_eq!(labels.get("a"), Some("9"));
        assert_eq!(labels.get("z"), None);
        assert_eq!(labels.len(), 3);
        let mut labels = labels;
        assert_eq!(labels.remove("b").as_deref(), Some("2"));
        assert!(!labels.contains_key("b"));
        assert_eq!(labels.insert("c".into(), "4".into()).as_deref(), Some("3"));
        assert_eq!(labels.keys().collect::<Vec<_>>(), ["a", "c"]);
    }

    #[test]
    fn orders_like_a_btreemap() {
        let sets: [&[(&str, &str)]; 5] = [
            &[],
            &[("a", "1")],
            &[("a", "1"), ("b", "1")],
            &[("a", "2")],
            &[("b", "0")],
        ];
        for x in sets {
            for y in sets {
                let (lx, ly): (Labels, Labels) =
                    (x.iter().copied().collect(), y.iter().copied().collect());
                let mx: BTreeMap<&str, &str> = x.iter().copied().collect();
                let my: BTreeMap<&str, &str> = y.iter().copied().collect();
                assert_eq!(lx.cmp(&ly), mx.cmp(&my), "{x:?} vs {y:?}");
            }
        }
    }

    #[test]
    fn serialises_as_a_map_and_back() {
        let labels = Labels::from([("num_gpu", "80"), ("model", "gemma3")]);
        let json = serde_json::to_string(&labels).unwrap();
        assert_eq!(json, r#"{"model":"gemma3","num_gpu":"80"}"#);
        assert_eq!(serde_json::from_str::<Labels>(&json).unwrap(), labels);
    }

    #[test]
    fn holds_exactly_its_entries() {
        let mut labels = Labels::new();
        for i in 0..3 {
            labels.insert(format!("k{i}"), "v".into());
        }
        assert_eq!(labels.0.capacity(), 3);
    }
}
