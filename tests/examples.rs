//! The example workflows (`docs/examples/*.yml`) and the workflow in the README, run the way
//! a new user would copy them: each job's `run:` steps, in order, under `bash -e` (the shell
//! GitHub uses when a step names none) in a scratch workspace. The benchmark commands are
//! replaced by stand-ins on `PATH` that print or write a real benchmark file, and downloads by
//! a stand-in `curl`. Afterwards every folder the job uploads or hands to benchgate must exist
//! and hold files: an example that cannot work as written fails here.

use regex::Regex;
use serde_norway::Value;
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every workflow a user may copy: the examples, then each YAML block of the README that
/// defines jobs.
fn workflows() -> Vec<(String, Value)> {
    let mut found = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("docs/examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let doc =
            serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        found.push((file.display().to_string(), doc));
    }
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for (i, block) in readme.split("```yaml\n").skip(1).enumerate() {
        let block = block.split("```").next().unwrap();
        if block.contains("\njobs:") {
            let doc = serde_norway::from_str(block)
                .unwrap_or_else(|e| panic!("README.md YAML block {}: {e}", i + 1));
            found.push((format!("README.md YAML block {}", i + 1), doc));
        }
    }
    found
}

/// What `${{ … }}` evaluates to in a `run:` script, an `env:` value or a `with:` value.
struct Expressions<'a> {
    env: &'a BTreeMap<String, String>,
    /// The matrix values of the leg being run.
    matrix: &'a BTreeMap<String, String>,
}

impl Expressions<'_> {
    fn eval(&self, text: &str) -> String {
        let re = Regex::new(r"\$\{\{\s*(.*?)\s*\}\}").unwrap();
        re.replace_all(text, |c: &regex::Captures| self.value(&c[1]))
            .into_owned()
    }

    fn value(&self, expr: &str) -> String {
        if let Some(name) = expr.strip_prefix("env.") {
            return self.env.get(name).cloned().unwrap_or_default();
        }
        if let Some(name) = expr.strip_prefix("matrix.") {
            return self.matrix.get(name).cloned().unwrap_or_default();
        }
        match expr {
            "github.token" | "secrets.GITHUB_TOKEN" => "ghs_example".into(),
            "github.event_name" => "pull_request".into(),
            "github.repository" => "acme/widgets".into(),
            "github.sha" | "github.event.pull_request.head.sha" => "c0ffee".repeat(6)[..40].into(),
            "inputs.base-ref" => "main".into(),
            "inputs.head-ref" => "feature".into(),
            "inputs.pr-number" | "github.event.pull_request.number" => "42".into(),
            _ => String::new(),
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

fn env_of(v: &Value, exprs: &Expressions) -> BTreeMap<String, String> {
    v.as_mapping()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (scalar(k), exprs.eval(&scalar(v))))
                .collect()
        })
        .unwrap_or_default()
}

/// The stand-ins, written to `bin/` (on `PATH`) and used for `./scripts/…` calls.
struct StandIns {
    bin: PathBuf,
    bench: String,
}

impl StandIns {
    fn new(dir: &Path) -> StandIns {
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let criterion = root().join(
            "tests/fixtures/formats/criterion-bencher-text/benchmark-action__github-action-benchmark/test__data__extract__criterion_output.txt",
        );
        let csv = std::fs::read_dir(
            root().join("tests/fixtures/formats/llm-tps-csv/isotopp__llama-benchmark"),
        )
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "csv"))
        .unwrap();
        // A benchmark script: prints real output, or writes it into the `--out` folder, which
        // must exist (as with `tee`, nothing creates it for the workflow).
        let bench = format!(
            r#"#!/bin/bash
set -e
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2;;
    --out=*) out="${{1#--out=}}"; shift;;
    *) shift;;
  esac
done
if [ -z "$out" ]; then cat '{csv}'; exit 0; fi
if [ ! -d "$out" ]; then echo "benchmark: output folder $out does not exist" >&2; exit 1; fi
cp '{csv}' "$out/results.csv"
"#,
            csv = csv.display()
        );
        let benchgate = r#"#!/bin/bash
set -e
[ "$1" = action ] || { echo "benchgate: expected 'action', got '$*'" >&2; exit 2; }
dir="$(printenv 'INPUT_PATH' || true)"
[ -n "$dir" ] || dir="$(printenv 'INPUT_ARTIFACTS-DIR' || echo benchmarks)"
[ -n "$(ls -A "$dir" 2>/dev/null)" ] || { echo "benchgate: no head data in $dir" >&2; exit 1; }
echo "benchgate: head data in $dir"
"#;
        let downloaded = dir.join("downloads/benchgate");
        write_executable(&downloaded, benchgate);
        let curl = format!(
            r#"#!/bin/bash
set -e
out=""; url=""
while [ $# -gt 0 ]; do
  case "$1" in
    -o|--output) out="$2"; shift 2;;
    http*) url="$1"; shift;;
    *) shift;;
  esac
done
if [ -z "$out" ]; then echo '{{"version":"0.12.0"}}'; exit 0; fi
case "$url" in
  *.sha256)
    name="$(basename "${{url%.sha256}}")"
    hash="$(sha256sum '{file}' | cut -d' ' -f1)"
    echo "$hash  $name" > "$out";;
  *) cp '{file}' "$out";;
esac
"#,
            file = downloaded.display()
        );
        let cargo = format!(
            "#!/bin/bash\ncase \" $* \" in *' bench '*) cat '{}';; *) echo \"cargo $*\";; esac\n",
            criterion.display()
        );
        let stand_ins = StandIns { bin, bench };
        stand_ins.write("cargo", &cargo);
        stand_ins.write("python3", &stand_ins.bench.clone());
        stand_ins.write("ollama", "#!/bin/bash\necho \"ollama $*\"\n");
        stand_ins.write("rustup", "#!/bin/bash\necho \"rustup $*\"\n");
        stand_ins.write("curl", &curl);
        stand_ins
    }

    fn write(&self, name: &str, text: &str) {
        write_executable(&self.bin.join(name), text);
    }
}

fn write_executable(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn has_files(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some())
}

/// Every leg of a job's matrix (the product of its lists), or one leg without a matrix.
fn legs(job: &Value) -> Vec<BTreeMap<String, String>> {
    let mut legs = vec![BTreeMap::new()];
    if let Some(matrix) = job["strategy"]["matrix"].as_mapping() {
        for (key, values) in matrix {
            let Some(values) = values.as_sequence() else {
                continue;
            };
            legs = legs
                .into_iter()
                .flat_map(|leg| {
                    values.iter().map(move |v| {
                        let mut leg = leg.clone();
                        leg.insert(scalar(key), scalar(v));
                        leg
                    })
                })
                .collect();
        }
    }
    legs
}

/// Copies the files below `from` into `to`.
fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The artifacts uploaded by the jobs of one workflow run, as actions/upload-artifact and
/// actions/download-artifact see them.
struct Artifacts {
    dir: tempfile::TempDir,
}

impl Artifacts {
    fn upload(&self, name: &str, ws: &Path, path: &str) {
        let to = self.dir.path().join(name);
        for line in path.lines().map(str::trim).filter(|l| !l.is_empty()) {
            copy_tree(&ws.join(line), &to);
        }
    }

    /// `name` into `path`; or every artifact matching `pattern` into `path/<artifact>/`
    /// (into `path` itself with `merge-multiple`).
    fn download(&self, with: &Value, exprs: &Expressions, ws: &Path) -> Result<(), String> {
        let dest = ws.join(exprs.eval(&scalar(&with["path"])));
        let name = exprs.eval(&scalar(&with["name"]));
        if !name.is_empty() {
            let from = self.dir.path().join(&name);
            if !from.is_dir() {
                return Err(format!("no artifact named `{name}` was uploaded"));
            }
            copy_tree(&from, &dest);
            return Ok(());
        }
        let pattern = exprs.eval(&scalar(&with["pattern"]));
        let matcher = globset::Glob::new(if pattern.is_empty() { "*" } else { &pattern })
            .unwrap()
            .compile_matcher();
        let merge = with["merge-multiple"].as_bool().unwrap_or(false);
        let mut found = 0;
        for entry in std::fs::read_dir(self.dir.path()).unwrap() {
            let entry = entry.unwrap();
            let artifact = entry.file_name().into_string().unwrap();
            if matcher.is_match(&artifact) {
                found += 1;
                let to = if merge {
                    dest.clone()
                } else {
                    dest.join(&artifact)
                };
                copy_tree(&entry.path(), &to);
            }
        }
        if found == 0 {
            return Err(format!("no uploaded artifact matches `{pattern}`"));
        }
        Ok(())
    }
}

/// Runs one leg of one job; returns what went wrong.
fn run_job(
    workflow: &Value,
    job_name: &str,
    job: &Value,
    matrix: &BTreeMap<String, String>,
    artifacts: &Artifacts,
) -> Result<(), String> {
    let scratch = tempfile::tempdir().unwrap();
    let ws = scratch.path().join("workspace");
    std::fs::create_dir_all(&ws).unwrap();
    let stand_ins = StandIns::new(scratch.path());
    let mut env = BTreeMap::new();
    for scope in [&workflow["env"], &job["env"]] {
        let e = env_of(scope, &Expressions { env: &env, matrix });
        env.extend(e);
    }
    let scripts = Regex::new(r"\./scripts/[\w./-]+").unwrap();
    let steps = job["steps"].as_sequence().cloned().unwrap_or_default();
    for (i, step) in steps.iter().enumerate() {
        let exprs = Expressions { env: &env, matrix };
        let mut step_env = env.clone();
        step_env.extend(env_of(&step["env"], &exprs));
        let exprs = Expressions {
            env: &step_env,
            matrix,
        };
        if let Some(run) = step["run"].as_str() {
            let script = exprs.eval(run);
            for m in scripts.find_iter(&script) {
                let path = ws.join(m.as_str());
                if !path.exists() {
                    write_executable(&path, &stand_ins.bench);
                }
            }
            let file = scratch.path().join(format!("step{i}.sh"));
            std::fs::write(&file, &script).unwrap();
            let out = Command::new("bash")
                .arg("-e")
                .arg(&file)
                .current_dir(&ws)
                .env_clear()
                .env(
                    "PATH",
                    format!(
                        "{}:{}",
                        stand_ins.bin.display(),
                        std::env::var("PATH").unwrap()
                    ),
                )
                .env("HOME", scratch.path())
                .env("CI", "true")
                .env("GITHUB_ACTIONS", "true")
                .env("GITHUB_WORKSPACE", &ws)
                .env("RUNNER_TEMP", scratch.path())
                .envs(&step_env)
                .output()
                .unwrap();
            if !out.status.success() {
                return Err(format!(
                    "job `{job_name}`, step {} (`{}`) failed: {}",
                    i + 1,
                    run.lines().next().unwrap_or_default(),
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
        }
        let uses = step["uses"].as_str().unwrap_or_default();
        let with = &step["with"];
        let step_error = |e: String| format!("job `{job_name}`, step {} (`{uses}`): {e}", i + 1);
        if uses.starts_with("actions/download-artifact@") {
            artifacts.download(with, &exprs, &ws).map_err(step_error)?;
        }
        let needed = if uses.starts_with("actions/upload-artifact@") {
            Some(exprs.eval(&scalar(&with["path"])))
        } else if uses.starts_with("benchgate/benchgate@") && scalar(&with["mode"]) != "report" {
            let path = exprs.eval(&scalar(&with["path"]));
            let dir = exprs.eval(&scalar(&with["artifacts-dir"]));
            Some(if !path.is_empty() {
                path
            } else if !dir.is_empty() {
                dir
            } else {
                "benchmarks".into()
            })
        } else {
            None
        };
        // An empty path is a step output the stand-ins do not produce.
        if let Some(path) = needed.filter(|p| !p.trim().is_empty()) {
            for line in path.lines().map(str::trim).filter(|l| !l.is_empty()) {
                if !has_files(&ws.join(line)) {
                    return Err(step_error(format!(
                        "`{line}` does not exist or is empty at that point"
                    )));
                }
            }
            if uses.starts_with("actions/upload-artifact@") {
                artifacts.upload(&exprs.eval(&scalar(&with["name"])), &ws, &path);
            }
        }
    }
    Ok(())
}

/// Runs every leg of every job of a workflow, in the order written (a job that needs
/// another comes after it in every example); returns what went wrong.
fn run_workflow(doc: &Value) -> Vec<String> {
    let artifacts = Artifacts {
        dir: tempfile::tempdir().unwrap(),
    };
    let mut failures = Vec::new();
    for (job_name, job) in doc["jobs"].as_mapping().expect("jobs") {
        for leg in legs(job) {
            if let Err(e) = run_job(doc, &scalar(job_name), job, &leg, &artifacts) {
                failures.push(e);
            }
        }
    }
    failures
}

#[test]
fn every_example_and_the_readme_workflow_run_as_written() {
    let mut failures = Vec::new();
    let found = workflows();
    assert!(found.len() >= 8, "only {} workflows found", found.len());
    for (name, doc) in found {
        for e in run_workflow(&doc) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The stand-ins themselves: a benchmark step that writes into a folder nobody created fails,
/// as the real `cargo bench | tee benchmarks/…` does, and a job that downloads what no job
/// uploaded fails, so the test above can catch both.
#[test]
fn a_step_writing_into_a_missing_folder_fails() {
    let doc: Value = serde_norway::from_str(
        "jobs:\n  bench:\n    steps:\n      - run: cargo bench -- --output-format bencher | tee benchmarks/bench.txt\n",
    )
    .unwrap();
    let errors = run_workflow(&doc);
    assert!(
        errors[0].contains("No such file or directory"),
        "{errors:?}"
    );
    let doc: Value = serde_norway::from_str(
        "jobs:\n  bench:\n    strategy:\n      matrix:\n        leg: [a, b]\n    steps:\n      - run: |\n          mkdir -p benchmarks\n          cargo bench -- --output-format bencher | tee benchmarks/bench.txt\n      - uses: actions/upload-artifact@v4\n        with: {name: 'bench-${{ matrix.leg }}', path: benchmarks/}\n  report:\n    steps:\n      - uses: actions/download-artifact@v4\n        with: {pattern: 'bench-*', path: benchmarks}\n      - run: test -f benchmarks/bench-a/bench.txt && test -f benchmarks/bench-b/bench.txt\n      - uses: benchgate/benchgate@v0\n",
    )
    .unwrap();
    assert_eq!(run_workflow(&doc), Vec::<String>::new());
    let doc: Value = serde_norway::from_str(
        "jobs:\n  report:\n    steps:\n      - uses: actions/download-artifact@v4\n        with: {name: benchmarks}\n",
    )
    .unwrap();
    assert!(run_workflow(&doc)[0].contains("no artifact named `benchmarks`"));
}

/// The baseline is the artifacts of a `push` run of the workflow named by `workflow` (this
/// workflow by default): a workflow that never runs on `push` must name one that does.
#[test]
fn every_example_finds_push_runs_for_its_baseline() {
    for (name, doc) in workflows() {
        let pushes = !doc["on"]["push"].is_null() || doc["on"].as_str() == Some("push");
        for (job_name, job) in doc["jobs"].as_mapping().unwrap() {
            for step in job["steps"].as_sequence().into_iter().flatten() {
                let uses = step["uses"].as_str().unwrap_or_default();
                if !uses.starts_with("benchgate/benchgate@") {
                    continue;
                }
                let with = &step["with"];
                let own_baseline = scalar(&with["baseline"]).is_empty()
                    || scalar(&with["baseline"]) == "artifacts";
                if own_baseline && !pushes {
                    assert!(
                        !scalar(&with["workflow"]).is_empty(),
                        "{name}: job `{}` runs benchgate in a workflow without push runs and names no `workflow` to take the baseline from",
                        scalar(job_name)
                    );
                }
            }
        }
    }
}

/// A pushed tag is the event `tag`; the release gate example relies on the policy's
/// `events.release` section, so that section must apply to a pushed tag (and `tag` on top).
#[test]
fn the_release_gate_example_runs_under_the_release_policy() {
    use benchgate::config::{CliOverrides, Config, Policy};
    let text = std::fs::read_to_string(root().join("docs/examples/release-gate.yml")).unwrap();
    let doc: Value = serde_norway::from_str(&text).unwrap();
    assert!(
        doc["on"]["push"]["tags"].is_sequence(),
        "the example is triggered by a pushed tag"
    );
    assert!(
        text.contains("events.release"),
        "the example names the section it relies on"
    );
    let none = CliOverrides::default();
    let config = Config::load(&root().join(".benchgate.example.yml")).unwrap();
    let tag = Policy::resolve(&config, Some("tag"), &none).unwrap();
    let release = Policy::resolve(&config, Some("release"), &none).unwrap();
    let pull = Policy::resolve(&config, Some("pull_request"), &none).unwrap();
    assert_eq!(
        (tag.warn_pct, tag.fail_pct),
        (release.warn_pct, release.fail_pct)
    );
    assert_eq!(tag.fail_on, release.fail_on);
    assert!(
        tag.fail_pct < pull.fail_pct,
        "the release policy is the stricter one"
    );

    let config = Config::from_yaml(
        "events:\n  release: {thresholds: {warn: 2, fail: 5}, alpha: 0.1}\n  tag: {thresholds: {fail: 4}}\n",
        ".benchgate.yml",
    )
    .unwrap();
    let tag = Policy::resolve(&config, Some("tag"), &none).unwrap();
    assert_eq!((tag.warn_pct, tag.fail_pct, tag.alpha), (2.0, 4.0, 0.1));
}
