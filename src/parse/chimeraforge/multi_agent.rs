//! Chimeraforge multi-agent runs.
//!
//! `metrics.json` holds one object per agent (`collector`/`insight`, or `baseline`/`chimera`
//! in the earliest schema) with `result.aggregate_metrics`, `result.individual_runs[]` (one
//! per LLM call: `ttft_ms`, `throughput_tokens_per_sec`, durations, token counts) and the
//! agent's options, plus a run-level `summary` (`concurrency_speedup`,
//! `efficiency_percent`, ...) or an early `delta` block. Each call is a sample of its agent;
//! aggregates are used only when no calls are recorded. The LLM-written `analysis`,
//! `report_markdown` and `llm_calls` copies are not measurements and are skipped.
//!
//! `summary.json` holds `runs[]` with the run-level figures of every run of a scenario.

use super::{failed, json_object, record_numbers, settings_labels};
use crate::model::Labels;
use crate::parse::generic::sink::{file_benchmark, SeriesSink};
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use serde_json::{Map, Value};

/// Per-run `metrics.json` of a multi-agent (or agent-vs-baseline) run.
pub struct AgentMetrics;

/// `summary.json` over the runs of one multi-agent scenario.
pub struct AgentSummary;

const METRICS_NEEDLES: &[&str] = &["\"aggregate_metrics\""];
const SUMMARY_NEEDLES: &[&str] = &["\"runs\"", "\"concurrency_speedup\""];

/// The agent result inside an agent object: `result` when present, else the object itself,
/// when it carries `aggregate_metrics`.
fn agent_result(agent: &Map<String, Value>) -> Option<&Map<String, Value>> {
    let result = agent
        .get("result")
        .and_then(Value::as_object)
        .unwrap_or(agent);
    result
        .get("aggregate_metrics")
        .is_some_and(Value::is_object)
        .then_some(result)
}

fn scenario(root: &Map<String, Value>, input: &Input) -> String {
    root.get("scenario")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map_or_else(|| file_benchmark(input.path), |s| s.trim().to_string())
}

fn only(obj: &Map<String, Value>, keep: impl Fn(&str) -> bool) -> Map<String, Value> {
    obj.iter()
        .filter(|(k, _)| keep(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

impl Adapter for AgentMetrics {
    fn name(&self) -> &'static str {
        "chimeraforge-agents"
    }

    fn detect(&self, input: &Input) -> Confidence {
        let agents = json_object(input, METRICS_NEEDLES).is_some_and(|root| {
            root.values()
                .filter_map(Value::as_object)
                .any(|a| agent_result(a).is_some())
        });
        if agents {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let root = json_object(input, METRICS_NEEDLES).ok_or(ParseError::Malformed {
            format: "chimeraforge-agents",
            reason: "not a multi-agent metrics object".into(),
        })?;
        let mut sink = SeriesSink::new(input);
        for (name, value) in &root {
            let Some(agent) = value.as_object() else {
                continue;
            };
            let Some(result) = agent_result(agent) else {
                continue;
            };
            let base = if agent.contains_key("result") {
                format!("/{name}/result")
            } else {
                format!("/{name}")
            };
            let options = agent
                .get("config")
                .and_then(|c| c.get("options"))
                .or_else(|| result.get("configuration"));
            let labels = settings_labels(options);
            let calls = result
                .get("individual_runs")
                .and_then(Value::as_array)
                .filter(|runs| !runs.is_empty());
            match calls {
                Some(calls) => {
                    for (i, call) in calls.iter().enumerate() {
                        if let Some(call) = call.as_object() {
                            let at = format!("{base}/individual_runs/{i}");
                            let broken = failed(call);
                            record_numbers(&mut sink, call, name, &labels, "", &at, broken);
                        }
                    }
                }
                None => {
                    if let Some(agg) = result.get("aggregate_metrics").and_then(Value::as_object) {
                        let at = format!("{base}/aggregate_metrics");
                        record_numbers(&mut sink, agg, name, &labels, "", &at, false);
                    }
                }
            }
            let wall = only(agent, |k| k == "execution_time_s");
            record_numbers(
                &mut sink,
                &wall,
                name,
                &labels,
                "",
                &format!("/{name}"),
                false,
            );
            if let Some(workflow) = result.get("workflow").and_then(Value::as_object) {
                let at = format!("{base}/workflow");
                record_numbers(&mut sink, workflow, name, &labels, "workflow.", &at, false);
            }
        }
        let no_labels = Labels::new();
        if let Some(summary) = root.get("summary").and_then(Value::as_object) {
            let bench = scenario(&root, input);
            record_numbers(
                &mut sink, summary, &bench, &no_labels, "", "/summary", false,
            );
        }
        if let Some(delta) = root.get("delta").and_then(Value::as_object) {
            record_numbers(&mut sink, delta, "delta", &no_labels, "", "/delta", false);
        }
        sink.finish()
    }
}

impl Adapter for AgentSummary {
    fn name(&self) -> &'static str {
        "chimeraforge-agent-summary"
    }

    fn detect(&self, input: &Input) -> Confidence {
        let runs = json_object(input, SUMMARY_NEEDLES).is_some_and(|root| {
            root.get("runs")
                .and_then(Value::as_array)
                .is_some_and(|runs| runs.iter().any(|r| r.get("concurrency_speedup").is_some()))
        });
        if runs {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let root = json_object(input, SUMMARY_NEEDLES).ok_or(ParseError::Malformed {
            format: "chimeraforge-agent-summary",
            reason: "not a multi-agent summary object".into(),
        })?;
        let bench = scenario(&root, input);
        let labels = Labels::new();
        let mut sink = SeriesSink::new(input);
        let runs = root.get("runs").and_then(Value::as_array);
        for (i, run) in runs.into_iter().flatten().enumerate() {
            if let Some(run) = run.as_object() {
                let at = format!("/runs/{i}");
                record_numbers(&mut sink, run, &bench, &labels, "", &at, failed(run));
            }
        }
        sink.finish()
    }
}
