//! Security properties of the shipped workflows, example workflows and Dockerfiles, checked by
//! parsing them, so that an edit cannot quietly undo them: self-hosted runners never run a
//! fork's pull request, code from an untrusted ref runs read-only without credentials, the
//! downloaded binary is checked, a release pins its image by digest, and base images are
//! pinned by digest with git's ownership check left on.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn yaml(rel: &str) -> Value {
    serde_norway::from_str(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every workflow file: the repository's own and the documented examples.
fn workflow_files() -> Vec<String> {
    let mut out = Vec::new();
    for dir in [".github/workflows", "docs/examples"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".yml") || name.ends_with(".yaml") {
                out.push(format!("{dir}/{name}"));
            }
        }
    }
    out.sort();
    out
}

/// The events that start a workflow (`on:` as a string, a list or a map).
fn triggers(wf: &Value) -> Vec<String> {
    match &wf["on"] {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        Value::Object(m) => m.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

fn jobs(wf: &Value) -> Vec<(&String, &Value)> {
    wf["jobs"]
        .as_object()
        .map(|m| m.iter().collect())
        .unwrap_or_default()
}

fn steps(job: &Value) -> &[Value] {
    job["steps"].as_array().map(Vec::as_slice).unwrap_or(&[])
}

fn uses(step: &Value, action: &str) -> bool {
    step["uses"]
        .as_str()
        .is_some_and(|u| u.split('@').next() == Some(action))
}

fn run(step: &Value) -> &str {
    step["run"].as_str().unwrap_or("")
}

/// The permissions a job runs with: its own, else the workflow's.
fn permissions<'v>(wf: &'v Value, job: &'v Value) -> &'v Value {
    if job.get("permissions").is_some() {
        &job["permissions"]
    } else {
        &wf["permissions"]
    }
}

/// True when `perms` grants no write access. Unset permissions mean the repository's
/// default token, which may be read-write, so they count as writing.
fn read_only(perms: &Value) -> bool {
    match perms {
        Value::Object(m) => m.values().all(|v| v == "read" || v == "none"),
        Value::String(s) => s == "read-all",
        _ => false,
    }
}

const SAME_REPOSITORY: &str = "github.event.pull_request.head.repo.full_name == github.repository";

#[test]
fn self_hosted_runners_never_run_a_forks_pull_request() {
    let mut self_hosted = 0;
    for file in workflow_files() {
        let wf = yaml(&file);
        let on = triggers(&wf);
        for (name, job) in jobs(&wf) {
            if !job["runs-on"].to_string().contains("self-hosted") {
                continue;
            }
            self_hosted += 1;
            assert!(
                !on.iter().any(|t| t == "pull_request_target"),
                "{file}: job `{name}` runs a self-hosted runner on pull_request_target"
            );
            if on.iter().any(|t| t == "pull_request") {
                let guard = job["if"].as_str().unwrap_or("");
                assert!(
                    guard.contains(SAME_REPOSITORY),
                    "{file}: job `{name}` runs on a self-hosted runner for pull requests without `if: {SAME_REPOSITORY}`"
                );
            }
        }
    }
    assert!(self_hosted > 0, "no self-hosted job was checked");
}

#[test]
fn the_gpu_example_quotes_githubs_warning_and_checks_the_binary() {
    const FILE: &str = "docs/examples/gpu-ollama.yml";
    let text = read(FILE);
    let quote = "We recommend that you only use self-hosted runners with private repositories. \
                 This is because forks of your public repository can potentially run dangerous \
                 code on your self-hosted runner machine by creating a pull request that \
                 executes the code in a workflow.";
    let comments: String = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix('#'))
        .map(|l| l.trim().trim_start_matches('"').trim_end_matches('"'))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        comments.contains(quote),
        "{FILE} must quote GitHub's warning"
    );

    let wf = yaml(FILE);
    let (_, job) = jobs(&wf)[0];
    let steps = steps(job);
    let checkout = steps.iter().find(|s| uses(s, "actions/checkout")).unwrap();
    assert_eq!(checkout["with"]["persist-credentials"], false);
    let install = steps
        .iter()
        .position(|s| run(s).contains("releases/download/"))
        .expect("a step downloads the release binary");
    let script = run(&steps[install]);
    assert!(
        script.contains("benchgate-amd64.sha256") && script.contains("sha256sum --check"),
        "the binary must be checked against the release's .sha256:\n{script}"
    );
    let check = script.find("sha256sum --check").unwrap();
    assert!(
        !script[..check].contains("chmod") && !script[..check].contains("install "),
        "the binary is made executable only after the check:\n{script}"
    );
    let used = steps
        .iter()
        .position(|s| run(s).contains("benchgate\" action"))
        .expect("a step runs the binary");
    assert!(install < used);
}

#[test]
fn code_of_an_untrusted_ref_runs_read_only_without_credentials() {
    let mut untrusted = 0;
    for file in workflow_files() {
        let wf = yaml(&file);
        for (name, job) in jobs(&wf) {
            let Some(checkout) = steps(job).iter().find(|s| {
                uses(s, "actions/checkout") && s["with"]["ref"].to_string().contains("head")
            }) else {
                continue;
            };
            untrusted += 1;
            assert!(
                read_only(permissions(&wf, job)),
                "{file}: job `{name}` checks out {} with write permissions",
                checkout["with"]["ref"]
            );
            assert_eq!(
                checkout["with"]["persist-credentials"], false,
                "{file}: job `{name}` leaves the token in .git/config"
            );
            assert!(
                !steps(job).iter().any(|s| uses(s, "benchgate/benchgate")),
                "{file}: job `{name}` runs benchgate beside untrusted code"
            );
        }
    }
    assert!(untrusted > 0, "no checkout of an untrusted ref was checked");
}

#[test]
fn manual_dispatch_reports_from_a_second_job() {
    const FILE: &str = "docs/examples/manual-dispatch.yml";
    let wf = yaml(FILE);
    assert!(read_only(&wf["permissions"]) || wf["permissions"] == serde_json::json!({}));
    let jobs = jobs(&wf);
    let (bench, bench_job) = jobs
        .iter()
        .find(|(_, j)| {
            steps(j)
                .iter()
                .any(|s| s["with"]["ref"] == "${{ inputs.head-ref }}")
        })
        .expect("a job checks out `head-ref`");
    assert_eq!(
        bench_job["permissions"],
        serde_json::json!({"contents": "read"})
    );
    assert!(steps(bench_job)
        .iter()
        .any(|s| uses(s, "actions/upload-artifact")));
    let (_, report) = jobs
        .iter()
        .find(|(_, j)| j["permissions"]["pull-requests"] == "write")
        .expect("a job may comment");
    assert_eq!(report["needs"], **bench);
    let report_steps = steps(report);
    assert!(report_steps
        .iter()
        .all(|s| !s["with"]["ref"].to_string().contains("head")));
    let download = report_steps
        .iter()
        .position(|s| uses(s, "actions/download-artifact"))
        .expect("the report job downloads the benchmark artifact");
    let benchgate = report_steps
        .iter()
        .position(|s| uses(s, "benchgate/benchgate"))
        .expect("the report job runs benchgate");
    assert!(download < benchgate);
}

#[test]
fn a_release_pins_its_image_by_digest_before_the_tags_move() {
    let wf = yaml(".github/workflows/release.yml");
    let publish = &wf["jobs"]["publish"];
    let steps = steps(publish);
    let position = |what: &str, pred: &dyn Fn(&Value) -> bool| {
        steps
            .iter()
            .position(pred)
            .unwrap_or_else(|| panic!("release.yml: no step that {what}"))
    };
    let build = position("pushes the image", &|s| uses(s, "docker/build-push-action"));
    let id = steps[build]["id"]
        .as_str()
        .expect("the image step has an id");
    let pin = position("pins the digest", &|s| {
        run(s).contains("scripts/pin-image.sh action.yml")
    });
    assert_eq!(
        steps[pin]["env"]["DIGEST"],
        format!("${{{{ steps.{id}.outputs.digest }}}}")
    );
    assert!(run(&steps[pin]).contains("git push -f origin \"refs/tags/$TAG\""));
    let release = position("creates the release", &|s| {
        run(s).contains("gh release create")
    });
    let major = position("moves the major tag", &|s| {
        run(s).contains("refs/tags/$MAJOR")
    });
    assert!(
        build < pin && pin < release && pin < major,
        "build {build}, pin {pin}, release {release}, major tag {major}"
    );
}

/// Runs scripts/pin-image.sh on a copy of action.yml.
fn pin(image: &str, digest: &str) -> (bool, String, PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("action.yml");
    std::fs::copy(root().join("action.yml"), &file).unwrap();
    let out = Command::new("bash")
        .arg(root().join("scripts/pin-image.sh"))
        .arg(&file)
        .arg(image)
        .arg(digest)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.success(), stderr, file, dir)
}

#[test]
fn the_pin_script_changes_the_image_and_nothing_else() {
    let digest = format!("sha256:{}", "0123456789abcdef".repeat(4));
    let (ok, stderr, file, _dir) = pin("ghcr.io/benchgate/benchgate", &digest);
    assert!(ok, "{stderr}");
    let mut pinned: Value =
        serde_norway::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(
        pinned["runs"]["image"],
        format!("docker://ghcr.io/benchgate/benchgate@{digest}")
    );
    let mut original = yaml("action.yml");
    pinned["runs"]["image"] = Value::Null;
    original["runs"]["image"] = Value::Null;
    assert_eq!(pinned, original);

    let unchanged = read("action.yml");
    for (image, digest) in [
        ("ghcr.io/benchgate/benchgate", "sha256:abc".to_string()),
        ("ghcr.io/benchgate/benchgate", "latest".to_string()),
        ("ghcr.io/benchgate/benchgate:v1", digest.clone()),
        ("ghcr.io/Benchgate/benchgate", digest.clone()),
    ] {
        let (ok, stderr, file, _dir) = pin(image, &digest);
        assert!(!ok, "{image} {digest} was accepted");
        assert!(stderr.starts_with("pin-image: "), "{stderr}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), unchanged);
    }
}

#[test]
fn dockerfiles_pin_base_images_and_keep_gits_ownership_check() {
    for file in ["Dockerfile", "docker/release.Dockerfile"] {
        let text = read(file);
        let mut stages: Vec<String> = Vec::new();
        let mut froms = 0;
        for line in text.lines().map(str::trim) {
            let Some(rest) = line.strip_prefix("FROM ") else {
                continue;
            };
            froms += 1;
            let words: Vec<&str> = rest.split_whitespace().collect();
            let image = words
                .iter()
                .find(|w| !w.starts_with("--"))
                .expect("FROM names an image");
            if !stages.iter().any(|s| s == image) {
                let digest = image.split_once("@sha256:").map(|(_, d)| d);
                assert!(
                    digest.is_some_and(|d| d.len() == 64
                        && d.chars()
                            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())),
                    "{file}: `{image}` is not pinned by digest"
                );
            }
            if let Some(i) = words.iter().position(|w| w.eq_ignore_ascii_case("AS")) {
                stages.push(words[i + 1].to_string());
            }
        }
        assert!(froms > 0, "{file}: no FROM line");
        assert!(
            !text
                .lines()
                .any(|l| !l.trim_start().starts_with('#') && l.contains("safe.directory")),
            "{file}: setting safe.directory in the image turns off git's ownership check"
        );
    }
}
