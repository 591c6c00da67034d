//! Short display names of the facts: `benchmark/metric` with only the labels that tell
//! rows apart, and no file path unless two facts would otherwise read the same. The names
//! are what the model reads in the prompt and what readers see in the posted analysis.

use crate::compare::Delta;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How much of a key a name spells out, from least to most.
const LEVELS: usize = 4;

/// One display name per delta, unique wherever the keys allow it.
pub fn display_names(deltas: &[&Delta]) -> Vec<String> {
    let telling = telling_labels(deltas);
    let mut level = vec![0usize; deltas.len()];
    let name_at = |i: usize, level: usize| name(deltas[i], level, &telling);
    for _ in 0..LEVELS {
        let names: Vec<String> = (0..deltas.len()).map(|i| name_at(i, level[i])).collect();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for n in &names {
            *seen.entry(n.as_str()).or_default() += 1;
        }
        let mut changed = false;
        for (i, n) in names.iter().enumerate() {
            if seen[n.as_str()] > 1 && level[i] + 1 < LEVELS {
                level[i] += 1;
                changed = true;
            }
        }
        if !changed {
            return names;
        }
    }
    (0..deltas.len()).map(|i| name_at(i, level[i])).collect()
}

/// The shortest name of `d` (the last part of its benchmark and its metric, no labels):
/// how a reader may refer to it when it is one of several deltas of a measurement.
pub fn short_name(d: &Delta) -> String {
    name(d, 0, &BTreeSet::new())
}

/// Label keys whose values differ between the deltas that carry them: only those help a
/// reader tell rows apart.
fn telling_labels(deltas: &[&Delta]) -> BTreeSet<String> {
    let mut values: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for d in deltas {
        for (k, v) in &d.key.labels {
            values.entry(k).or_default().insert(v);
        }
    }
    values
        .into_iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(k, _)| k.to_string())
        .collect()
}

/// The name of `d` at `level`: 0 the last part of the benchmark without remarks in
/// parentheses and the metric, 1 the whole benchmark, 2 prefixed by the file's stem, 3 by
/// the whole source path.
fn name(d: &Delta, level: usize, telling: &BTreeSet<String>) -> String {
    let key = &d.key;
    let short;
    let benchmark = if level == 0 {
        short = without_remarks(key.benchmark.rsplit('/').next().unwrap_or_default());
        short.as_str()
    } else {
        key.benchmark.as_str()
    };
    let mut name = if benchmark.is_empty() || benchmark == key.metric {
        key.metric.clone()
    } else {
        format!("{benchmark}/{}", key.metric)
    };
    let labels: Vec<String> = key
        .labels
        .iter()
        .filter(|(k, _)| level >= 3 || telling.contains(*k))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if !labels.is_empty() {
        name.push_str(&format!(" [{}]", labels.join(",")));
    }
    let file = key.source.rsplit('/').next().unwrap_or_default();
    let file = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    match level {
        2 if !file.is_empty() => format!("{file}:{name}"),
        3 if !key.source.is_empty() => format!("{}:{name}", key.source),
        _ => name,
    }
}

/// `Agent B (Chimera Agent B)` without its parenthesised remark; the text as it is when
/// nothing would be left.
fn without_remarks(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    if out.is_empty() {
        text.to_string()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{Confidence, Gate, Status};
    use crate::model::{Direction, SeriesKey};

    fn delta(source: &str, benchmark: &str, metric: &str, labels: &[(&str, &str)]) -> Delta {
        let mut key = SeriesKey::new(source, benchmark, metric);
        for (k, v) in labels {
            key.labels.insert((*k).into(), (*v).into());
        }
        Delta {
            key,
            unit: "ms".into(),
            direction: Direction::LowerIsBetter,
            status: Status::Unchanged,
            gate: Gate::Hard,
            base: None,
            head: None,
            change_abs: None,
            change_pct: None,
            p_value: None,
            test: None,
            confidence: Confidence::Low,
            warn_pct: 5.0,
            fail_pct: 10.0,
            reason: String::new(),
            base_origin: Vec::new(),
            head_origin: Vec::new(),
            noise: None,
            blocking: false,
            change_kind: Default::default(),
            provenance: Default::default(),
            merged_as: None,
            merged: Vec::new(),
        }
    }

    #[test]
    fn names_are_short_until_two_facts_would_read_the_same() {
        let ds = [
            delta(
                "run_1/run_1/insight_report.md",
                "Metrics",
                "Prompt Eval",
                &[],
            ),
            delta(
                "run_1/run_1/collector_report.md",
                "Metrics",
                "Prompt Eval",
                &[],
            ),
            delta(
                "run_1/metrics.json",
                "insight",
                "ttft_ms",
                &[("num_gpu", "80")],
            ),
            delta(
                "run_1/metrics.json",
                "collector",
                "ttft_ms",
                &[("num_gpu", "80")],
            ),
            delta(
                "a.csv",
                "Report/Average (Estimated)",
                "GPU Utilization",
                &[],
            ),
            delta("c.md", "Agent B (Chimera Agent B)", "TTFT", &[]),
            delta("b.csv", "gemma3", "tokens_s", &[("ctx", "1024")]),
            delta("b.csv", "gemma3", "tokens_s", &[("ctx", "2048")]),
        ];
        let refs: Vec<&Delta> = ds.iter().collect();
        assert_eq!(
            display_names(&refs),
            [
                "insight_report:Metrics/Prompt Eval",
                "collector_report:Metrics/Prompt Eval",
                "insight/ttft_ms",
                "collector/ttft_ms",
                "Average/GPU Utilization",
                "Agent B/TTFT",
                "gemma3/tokens_s [ctx=1024]",
                "gemma3/tokens_s [ctx=2048]",
            ]
        );
    }
}
