//! `action.yml` is the action's public interface: these tests keep it, the binary's input and
//! output tables, and the README's tables in agreement, and check that every declared input
//! is actually read and every declared output actually written.
//!
//! `BENCHGATE_BLESS=1 cargo test --test action_yml` rewrites the README tables.

use benchgate::context::{Env, Inputs, INPUTS, OUTPUTS};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Action {
    name: String,
    description: String,
    author: String,
    branding: Branding,
    inputs: serde_json::Map<String, serde_json::Value>,
    outputs: serde_json::Map<String, serde_json::Value>,
    runs: Runs,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Branding {
    icon: String,
    color: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Runs {
    using: String,
    image: String,
    args: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    description: String,
    required: bool,
    default: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Output {
    description: String,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn action() -> Action {
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    serde_norway::from_str(&text).unwrap()
}

fn input(action: &Action, name: &str) -> Input {
    serde_json::from_value(action.inputs[name].clone())
        .unwrap_or_else(|e| panic!("input `{name}`: {e}"))
}

#[test]
fn metadata_is_complete() {
    let a = action();
    assert_eq!(a.name, "benchgate");
    assert!(!a.description.is_empty() && a.description.len() <= 125);
    assert!(!a.author.is_empty());
    assert!(!a.branding.icon.is_empty() && !a.branding.color.is_empty());
    assert_eq!(a.runs.using, "docker");
    assert!(
        a.runs.image.starts_with("docker://") || a.runs.image == "Dockerfile",
        "runs.image must be a prebuilt image (or the Dockerfile in CI): {}",
        a.runs.image
    );
    assert_eq!(a.runs.args, ["action"]);
    for id in a.inputs.keys().chain(a.outputs.keys()) {
        let first = id.chars().next().unwrap();
        assert!(first.is_ascii_lowercase() || first == '_', "{id}");
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'),
            "{id}"
        );
    }
}

#[test]
fn inputs_match_the_binary() {
    let a = action();
    let declared: BTreeSet<&str> = a.inputs.keys().map(String::as_str).collect();
    let known: BTreeSet<&str> = INPUTS.iter().map(|i| i.name).collect();
    assert_eq!(
        declared, known,
        "action.yml inputs and context::INPUTS differ"
    );
    for spec in INPUTS {
        let i = input(&a, spec.name);
        assert!(
            !i.required,
            "`{}`: required is not enforced by the runner; validate in code instead",
            spec.name
        );
        assert_eq!(i.default, spec.default, "default of `{}`", spec.name);
        assert!(
            !i.description.trim().is_empty(),
            "`{}` has no description",
            spec.name
        );
        assert!(
            !spec.description.trim().is_empty(),
            "`{}` has no description in INPUTS",
            spec.name
        );
    }
    assert_eq!(input(&a, "github-token").default, "${{ github.token }}");
}

#[test]
fn outputs_match_the_binary() {
    let a = action();
    let declared: BTreeSet<&str> = a.outputs.keys().map(String::as_str).collect();
    let known: BTreeSet<&str> = OUTPUTS.iter().map(|o| o.name).collect();
    assert_eq!(
        declared, known,
        "action.yml outputs and context::OUTPUTS differ"
    );
    for spec in OUTPUTS {
        let o: Output = serde_json::from_value(a.outputs[spec.name].clone()).unwrap();
        assert!(
            !o.description.trim().is_empty(),
            "`{}` has no description",
            spec.name
        );
    }
}

/// Every declared input changes what the binary reads: set alone, it either changes the
/// parsed inputs or is rejected with a message naming it.
#[test]
fn every_input_is_read() {
    let unset = format!("{:?}", Inputs::from_env(&Env::new()).unwrap());
    for spec in INPUTS {
        let mut env = Env::new();
        env.insert(
            benchgate::context::inputs::env_name(spec.name),
            "probe-value-7".into(),
        );
        match Inputs::from_env(&env) {
            Ok(read) => assert_ne!(
                format!("{read:?}"),
                unset,
                "input `{}` is declared but never read",
                spec.name
            ),
            Err(e) => assert!(
                e.to_string().contains(spec.name),
                "rejecting `{}` must name it: {e}",
                spec.name
            ),
        }
    }
}

/// Runs `benchgate action` in `mode` in a fresh workspace under `dir` (baseline from a
/// directory, no comment, so no API is needed) and returns the workspace and the outputs.
fn run_action(mode: &str, dir: &Path) -> (std::path::PathBuf, BTreeMap<String, String>) {
    let ws = dir.join("ws");
    let pair = root().join("tests/fixtures/chimeraforge/pairs/ollama_gemma3_failed_then_fixed");
    copy_dir(&pair.join("head"), &ws.join("benchmarks"));
    copy_dir(&pair.join("base"), &ws.join("baseline"));
    let output = dir.join("output");
    let summary = dir.join("summary");
    std::fs::write(&output, "").unwrap();
    std::fs::write(&summary, "").unwrap();
    let event = root().join("tests/fixtures/events/push_branch.json");
    let out = assert_cmd::cargo::cargo_bin_cmd!("benchgate")
        .arg("action")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", "push")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_REPOSITORY", "acme/widgets")
        .env("GITHUB_SHA", "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00")
        .env("GITHUB_REF", "refs/heads/main")
        .env("GITHUB_RUN_ID", "1")
        .env("GITHUB_WORKSPACE", &ws)
        .env("RUNNER_TEMP", dir)
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("INPUT_MODE", mode)
        .env("INPUT_ARTIFACTS-DIR", "benchmarks")
        .env("INPUT_BASELINE", "path")
        .env("INPUT_BASELINE-PATH", "baseline")
        .env("INPUT_COMMENT", "off")
        .output()
        .unwrap();
    assert!(
        out.status.code() == Some(0),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (ws, output_names(&std::fs::read_to_string(&output).unwrap()))
}

/// The names and values of a `GITHUB_OUTPUT` file (single-line and heredoc forms).
fn output_names(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delim)) = line.split_once("<<") {
            let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delim).collect();
            out.insert(name.to_string(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            out.insert(name.to_string(), value.to_string());
        }
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every declared output is written by one of the modes.
#[test]
fn every_output_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, run) = run_action("run", &dir.path().join("run"));
    assert_eq!(run["verdict"], "pass");
    assert_eq!(
        run["improvements"], "12",
        "the failed-then-fixed pair fixes 12 metrics"
    );
    let report = ws.join(&run["report-json"]);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(report["verdict"], "pass");
    let mut written: BTreeSet<String> = run.into_keys().collect();
    let (_, collect) = run_action("collect", &dir.path().join("collect"));
    written.extend(collect.into_keys());
    let declared: BTreeSet<String> = OUTPUTS.iter().map(|o| o.name.to_string()).collect();
    assert_eq!(written, declared, "outputs declared vs written");
}

/// The README's input and output tables, generated from `action.yml`.
fn readme_tables(a: &Action) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut t = String::from("| input | default | description |\n|---|---|---|\n");
    for (name, _) in &a.inputs {
        let i = input(a, name);
        let default = if i.default.is_empty() {
            String::new()
        } else {
            format!("`{}`", cell(&i.default))
        };
        t.push_str(&format!(
            "| `{name}` | {default} | {} |\n",
            cell(&i.description)
        ));
    }
    t.push_str("\n| output | description |\n|---|---|\n");
    for (name, value) in &a.outputs {
        let o: Output = serde_json::from_value(value.clone()).unwrap();
        t.push_str(&format!("| `{name}` | {} |\n", cell(&o.description)));
    }
    t
}

#[test]
fn readme_tables_match_action_yml() {
    const START: &str =
        "<!-- action-tables:start (generated from action.yml by tests/action_yml.rs) -->\n";
    const END: &str = "<!-- action-tables:end -->";
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (Some(s), Some(e)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md lacks the action-tables markers");
    };
    let expected = readme_tables(&action());
    let current = &readme[s + START.len()..e];
    if current != expected {
        if std::env::var_os("BENCHGATE_BLESS").is_some() {
            let updated = format!("{}{START}{expected}{}", &readme[..s], &readme[e..]);
            std::fs::write(&path, updated).unwrap();
        } else {
            panic!("README.md input/output tables are stale: run `BENCHGATE_BLESS=1 cargo test --test action_yml`");
        }
    }
}
