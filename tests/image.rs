//! The container image end to end: its entrypoint, run under chroot in the image's root
//! file system, posts a pull request's report to the fake GitHub with the baseline from
//! the base branch's artifact. `scripts/image.sh` builds the image, unpacks it and runs this
//! test with `BENCHGATE_IMAGE_ROOTFS` set; `cargo test` alone leaves it out (it needs root,
//! chroot and the built image).

#[path = "support/action_env.rs"]
mod action_env;
// Shared with other test crates; this one uses only part of the fake GitHub.
#[allow(dead_code)]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::fake_github::{self, FakeGithub, WRITE_TOKEN};

const PAIR: &str = "tests/fixtures/chimeraforge/pairs/ollama_gemma3_failed_then_fixed";
/// The base commit of `tests/fixtures/events/pull_request.json`.
const BASE_SHA: &str = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";

/// Writes the files of `from` under `to`.
fn copy_tree(from: &Path, to: &Path) {
    for (rel, data) in fake_github::files_under(from) {
        let target = to.join(rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, data).unwrap();
    }
}

#[test]
#[ignore = "needs the unpacked image (BENCHGATE_IMAGE_ROOTFS) and root; run by scripts/image.sh"]
fn the_image_entrypoint_gates_a_pull_request_against_the_fake_github() {
    let image = PathBuf::from(
        std::env::var_os("BENCHGATE_IMAGE_ROOTFS")
            .expect("set BENCHGATE_IMAGE_ROOTFS to the unpacked image (scripts/image.sh)"),
    );
    let entrypoint = "/usr/local/bin/benchgate";
    assert!(
        image.join(&entrypoint[1..]).is_file(),
        "{}",
        image.display()
    );
    assert!(image.join("etc/ssl/certs/ca-certificates.crt").is_file());

    // A copy of the image's root, with the runner's mounts laid out as GitHub lays them.
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path().join("root");
    let status = Command::new("cp")
        .arg("-a")
        .arg(&image)
        .arg(&root)
        .status()
        .unwrap();
    assert!(status.success());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The pull request breaks the benchmark: the pair's base (every run failed) is the head.
    copy_tree(
        &manifest.join(PAIR).join("base"),
        &root.join("github/workspace/benchmarks"),
    );
    std::fs::create_dir_all(root.join("github/workflow")).unwrap();
    std::fs::create_dir_all(root.join("github/file_commands")).unwrap();
    std::fs::create_dir_all(root.join("tmp")).unwrap();
    std::fs::copy(
        manifest.join("tests/fixtures/events/pull_request.json"),
        root.join("github/workflow/event.json"),
    )
    .unwrap();
    for file in ["output", "summary"] {
        std::fs::write(root.join("github/file_commands").join(file), "").unwrap();
    }

    let fake = FakeGithub::start();
    let zip = fake_github::zip_of(&fake_github::files_under(&manifest.join(PAIR).join("head")));
    fake.with(|s| {
        let run = s.add_run(
            "bench.yml",
            "main",
            "push",
            BASE_SHA,
            "2025-10-06T10:00:00Z",
        );
        s.add_artifact(run, "benchmarks", zip, false);
    });

    let started = std::time::Instant::now();
    let out = Command::new("chroot")
        .arg(&root)
        .arg(entrypoint)
        .arg("action")
        .env_clear()
        // Docker's default, which finds `chroot` here and the entrypoint inside.
        .env(
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        )
        .env("GITHUB_ACTIONS", "true")
        .env("CI", "true")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", "/github/workflow/event.json")
        .env("GITHUB_REPOSITORY", "acme/widgets")
        .env("GITHUB_SHA", "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00")
        .env("GITHUB_REF_NAME", "42/merge")
        .env("GITHUB_RUN_ID", "9001")
        .env("GITHUB_RUN_ATTEMPT", "1")
        .env("GITHUB_WORKFLOW", "bench")
        .env(
            "GITHUB_WORKFLOW_REF",
            "acme/widgets/.github/workflows/bench.yml@refs/pull/42/merge",
        )
        .env("GITHUB_JOB", "perf")
        .env("GITHUB_API_URL", &fake.api_url)
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_WORKSPACE", "/github/workspace")
        .env("RUNNER_TEMP", "/tmp")
        .env("GITHUB_OUTPUT", "/github/file_commands/output")
        .env("GITHUB_STEP_SUMMARY", "/github/file_commands/summary")
        // What the runner sets for every input that action.yml gives a default.
        .envs(action_env::defaults(WRITE_TOKEN))
        .output()
        .unwrap();
    eprintln!(
        "image: `benchgate action` under chroot, baseline download to comment: {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let log = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{log}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let outputs = std::fs::read_to_string(root.join("github/file_commands/output")).unwrap();
    assert!(outputs.contains("verdict<<"), "{outputs}");
    assert!(outputs.contains("\nfail\n"), "{outputs}");
    assert!(outputs.contains(BASE_SHA), "{outputs}");
    let summary = std::fs::read_to_string(root.join("github/file_commands/summary")).unwrap();
    assert!(summary.contains("Benchmarks: fail"), "{summary}");
    let report = std::fs::read_to_string(root.join("github/workspace/.benchgate/report.json"));
    assert!(report.unwrap().contains("\"broken\""));
    let comments = fake.with(|s| s.comments_on(42));
    assert_eq!(comments.len(), 1, "one sticky comment");
    assert!(comments[0].body.contains("broken"), "{}", comments[0].body);
    fake.with(|s| {
        assert!(
            !s.blob_requests.is_empty(),
            "the baseline artifact was downloaded"
        );
        assert!(s.blob_requests.iter().all(|r| r.authorization.is_none()));
    });
}
