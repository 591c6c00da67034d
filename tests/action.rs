//! The action against a fake GitHub over real HTTP: the REST client (pagination, redirects
//! without credentials, retries, rate limits, permission errors), the baseline search over
//! workflow artifacts, the sticky comment, and the `benchgate action` binary end to end.

#[path = "support/action_env.rs"]
mod action_env;
mod support;

use assert_cmd::cargo::cargo_bin_cmd;
use benchgate::baseline::artifacts::{self as base_artifacts, Limits};
use benchgate::baseline::unzip::ZipLimits;
use benchgate::baseline::{Baseline, WorkDir};
use benchgate::context::{Base, CommentMode, Repo};
use benchgate::github::comments::{marker, Action, Outcome, Sticky};
use benchgate::github::{artifacts, Client, Download, GithubError, Permission, RetryPolicy};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::fake_github::{
    self, FakeGithub, Fault, PAT_LOGIN, PAT_TOKEN, READ_TOKEN, WRITE_TOKEN,
};

const BASE_SHA: &str = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
const OLDER_SHA: &str = "0f0e0d0c0b0a09080706050403020100f0e0d0c0";

fn repo() -> Repo {
    Repo::parse("acme/widgets").unwrap()
}

fn client(fake: &FakeGithub, token: &str) -> Client {
    let policy = RetryPolicy {
        base_delay: Duration::from_millis(50),
        ..RetryPolicy::default()
    };
    Client::new(&fake.api_url, Some(token.to_string()), policy).unwrap()
}

fn csv_zip(tokens_s: f64) -> Vec<u8> {
    fake_github::zip_of(&[(
        "llm/gemma3_runs.csv".to_string(),
        format!("prompt,tokens_s\nhello,{tokens_s}\n").into_bytes(),
    )])
}

/// Writes `body` as the sticky comment `marker` on `issue` with `token`.
async fn publish(
    fake: &FakeGithub,
    token: &str,
    issue: u64,
    marker: &str,
    body: &str,
    mode: CommentMode,
) -> Result<Outcome, GithubError> {
    publish_as(fake, token, issue, marker, None, body, mode).await
}

/// [`publish`] by the step of run `stamp` (`9001.1`).
async fn publish_as(
    fake: &FakeGithub,
    token: &str,
    issue: u64,
    marker: &str,
    stamp: Option<&str>,
    body: &str,
    mode: CommentMode,
) -> Result<Outcome, GithubError> {
    let c = client(fake, token);
    let r = repo();
    let sticky = Sticky {
        client: &c,
        repo: &r,
        issue,
        marker,
        stamp,
    };
    sticky.publish(body, mode, true).await
}

/// The baseline for a PR whose base is `main` at [`BASE_SHA`]: bench.yml's artifacts named
/// like `artifact_name`, `history` runs. The work dir holds the files; keep it alive.
async fn fetch_main_baseline(
    fake: &FakeGithub,
    artifact_name: &str,
    history: u32,
) -> (Baseline, WorkDir) {
    let base = Base::Ref {
        name: "main".into(),
        sha: Some(BASE_SHA.into()),
    };
    fetch_baseline(fake, &base, artifact_name, history).await
}

/// The baseline of `base` from bench.yml's artifacts named like `artifact_name`.
async fn fetch_baseline(
    fake: &FakeGithub,
    base: &Base,
    artifact_name: &str,
    history: u32,
) -> (Baseline, WorkDir) {
    let c = client(fake, WRITE_TOKEN);
    let r = repo();
    let search = base_artifacts::Search {
        client: &c,
        repo: &r,
        workflow: "bench.yml",
        base,
        exclude_run: None,
        artifact_name,
        history,
        limits: Limits::default(),
        head_folders: &Default::default(),
    };
    let work = WorkDir::create(None).unwrap();
    let baseline = base_artifacts::fetch(&search, &work).await.unwrap();
    (baseline, work)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_follow_absolute_link_headers_under_the_ghes_root() {
    let fake = FakeGithub::start();
    fake.with(|s| {
        s.page_size = 2;
        for i in 0..5 {
            s.add_comment(42, &format!("comment {i}"), "octo", "User");
        }
    });
    let c = client(&fake, WRITE_TOKEN);
    let items = c
        .list(
            "/repos/acme/widgets/issues/42/comments",
            &[],
            None,
            10,
            Permission::PullRequestsRead,
        )
        .await
        .unwrap();
    let bodies: Vec<&str> = items.iter().map(|v| v["body"].as_str().unwrap()).collect();
    assert_eq!(
        bodies,
        [
            "comment 0",
            "comment 1",
            "comment 2",
            "comment 3",
            "comment 4"
        ]
    );
    fake.with(|s| {
        let pages: Vec<&str> = s.requests.iter().map(|r| r.query.as_str()).collect();
        assert_eq!(
            pages,
            ["per_page=100", "page=2&per_page=100", "page=3&per_page=100"]
        );
        assert!(s.requests.iter().all(|r| r.path.starts_with("/api/v3/")));
        assert!(s
            .requests
            .iter()
            .all(|r| r.authorization.as_deref() == Some(&format!("Bearer {WRITE_TOKEN}")[..])));
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn artifact_download_follows_the_redirect_without_credentials() {
    let fake = FakeGithub::start();
    let (ok, gone) = fake.with(|s| {
        let run = s.add_run(
            "bench.yml",
            "main",
            "push",
            BASE_SHA,
            "2025-10-06T10:00:00Z",
        );
        (
            s.add_artifact(run, "benchmarks", csv_zip(88.9), false),
            s.add_artifact(run, "old", csv_zip(1.0), true),
        )
    });
    let c = client(&fake, WRITE_TOKEN);
    let dir = tempfile::tempdir().unwrap();
    let listed = artifacts::list(&c, &repo(), 1001).await.unwrap();
    assert_eq!(listed.len(), 2);
    let first = listed.iter().find(|a| a.id == ok).unwrap();
    let dest = dir.path().join("a.zip");
    let got = artifacts::download(&c, &repo(), first, &dest, 1 << 20)
        .await
        .unwrap();
    assert_eq!(
        got,
        Download::Saved(std::fs::metadata(&dest).unwrap().len())
    );
    assert_eq!(std::fs::read(&dest).unwrap(), csv_zip(88.9));
    fake.with(|s| {
        assert_eq!(s.blob_requests.len(), 1);
        assert_eq!(s.blob_requests[0].authorization, None);
        assert!(s.blob_requests[0].query.contains("sig=abc"));
    });
    // Listed as expired: no request at all. Expired after listing: 410 from the API.
    let expired = listed.iter().find(|a| a.id == gone).unwrap();
    assert_eq!(
        artifacts::download(&c, &repo(), expired, &dest, 1 << 20)
            .await
            .unwrap(),
        Download::Expired
    );
    let mut stale = first.clone();
    fake.with(|s| s.artifacts.iter_mut().for_each(|a| a.expired = true));
    stale.expired = false;
    assert_eq!(
        artifacts::download(&c, &repo(), &stale, &dest, 1 << 20)
            .await
            .unwrap(),
        Download::Expired
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_errors_and_rate_limits_are_waited_out() {
    let fake = FakeGithub::start();
    fake.with(|s| {
        s.add_comment(7, "hello", "octo", "User");
        s.fail(http::Method::GET, "/comments", Fault::Status(502), 2);
        s.fail(http::Method::GET, "/comments", Fault::RetryAfter(1), 1);
    });
    let c = client(&fake, WRITE_TOKEN);
    let started = Instant::now();
    let items = c
        .list(
            "/repos/acme/widgets/issues/7/comments",
            &[],
            None,
            10,
            Permission::PullRequestsRead,
        )
        .await
        .unwrap();
    assert_eq!(items.len(), 1);
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(fake.with(|s| s.count("GET", "/comments")), 4);

    // A primary limit whose reset is beyond the cap fails at once, naming the wait.
    fake.with(|s| {
        s.fail(
            http::Method::GET,
            "/comments",
            Fault::RateLimitReset(3600),
            1,
        )
    });
    let capped = Client::new(
        &fake.api_url,
        Some(WRITE_TOKEN.into()),
        RetryPolicy {
            max_wait: Duration::from_secs(5),
            ..RetryPolicy::default()
        },
    )
    .unwrap();
    let e = capped
        .list(
            "/repos/acme/widgets/issues/7/comments",
            &[],
            None,
            10,
            Permission::PullRequestsRead,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("rate limited by GitHub"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sticky_comment_is_created_once_then_edited_in_place() {
    let fake = FakeGithub::start();
    let m = marker("bench.yml/perf");
    fake.with(|s| {
        s.page_size = 2;
        s.add_comment(42, "LGTM", "octo", "User");
        // A human quoting the marker must never be overwritten.
        s.add_comment(42, &format!("> {m}\nwhy is this slow?"), "octo", "User");
        s.add_comment(
            42,
            "<!-- benchgate:other -->\nanother config",
            "github-actions[bot]",
            "Bot",
        );
    });
    let alarm = "## ❌ 1 regression";
    let first = publish(&fake, WRITE_TOKEN, 42, &m, alarm, CommentMode::Always)
        .await
        .unwrap();
    assert_eq!(first.action, Action::Created);
    let again = publish(&fake, WRITE_TOKEN, 42, &m, alarm, CommentMode::Always)
        .await
        .unwrap();
    assert_eq!(again.action, Action::Unchanged);
    // Resolved: the same comment is edited, even in on-regression mode.
    let fixed = "## ✅ no regression";
    let resolved = publish(&fake, WRITE_TOKEN, 42, &m, fixed, CommentMode::OnRegression)
        .await
        .unwrap();
    assert_eq!(resolved.action, Action::Updated);
    fake.with(|s| {
        let comments = s.comments_on(42);
        assert_eq!(comments.len(), 4);
        let ours: Vec<_> = comments.iter().filter(|c| c.body.starts_with(&m)).collect();
        assert_eq!(ours.len(), 1);
        assert_eq!(ours[0].body, format!("{m}\n## ✅ no regression"));
        assert!(comments[1].body.contains("why is this slow?"));
        assert_eq!(s.count("POST", "/comments"), 1);
        assert_eq!(s.count("PATCH", "/issues/comments/"), 1);
    });
    assert_eq!(
        first.url.unwrap(),
        resolved.url.unwrap(),
        "the URL of the one sticky comment"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_personal_token_finds_its_own_comment_by_login() {
    let fake = FakeGithub::start();
    let m = marker("x");
    fake.with(|s| {
        // Another user's comment with the marker is not ours.
        s.add_comment(9, &format!("{m}\ncopied"), "octo", "User");
    });
    let first = publish(&fake, PAT_TOKEN, 9, &m, "one", CommentMode::Always)
        .await
        .unwrap();
    assert_eq!(first.action, Action::Created);
    let second = publish(&fake, PAT_TOKEN, 9, &m, "two", CommentMode::Always)
        .await
        .unwrap();
    assert_eq!(second.action, Action::Updated);
    fake.with(|s| {
        let comments = s.comments_on(9);
        assert_eq!(comments.len(), 2);
        assert_eq!(comments[0].body, format!("{m}\ncopied"));
        assert_eq!(comments[1].login, PAT_LOGIN);
        assert_eq!(comments[1].body, format!("{m}\ntwo"));
        assert_eq!(s.count("POST", "/api/graphql"), 2);
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_bot_quoting_the_marker_is_never_taken_for_us() {
    let fake = FakeGithub::start();
    let m = marker("bench.yml/perf");
    fake.with(|s| {
        // Another app's bot posts a body that starts with our marker, and one that quotes it.
        s.add_comment(8, &format!("{m}\nfake all-clear"), "evil-app[bot]", "Bot");
        s.add_comment(8, &format!("see {m}"), "github-actions[bot]", "Bot");
    });
    let out = publish(
        &fake,
        WRITE_TOKEN,
        8,
        &m,
        "real report",
        CommentMode::Always,
    )
    .await
    .unwrap();
    assert_eq!(out.action, Action::Created);
    fake.with(|s| {
        let comments = s.comments_on(8);
        assert_eq!(comments.len(), 3);
        assert_eq!(comments[0].body, format!("{m}\nfake all-clear"));
        assert_eq!(comments[1].body, format!("see {m}"));
        assert_eq!(comments[2].login, "github-actions[bot]");
        // The identity behind the token was asked, not guessed.
        assert_eq!(s.count("POST", "/api/graphql"), 1);
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comments_left_by_a_race_converge_to_one_and_legs_of_one_run_do_not_overwrite() {
    let fake = FakeGithub::start();
    let m = marker("bench.yml/perf");
    // Two legs of run 7 created a comment each at the same moment.
    let leg1 = format!("{m}\n<!-- benchgate-run: 7.1 -->\nleg 1");
    let leg2 = format!("{m}\n<!-- benchgate-run: 7.1 -->\nleg 2");
    fake.with(|s| {
        s.add_comment(4, &leg1, "github-actions[bot]", "Bot");
        s.add_comment(4, &leg2, "github-actions[bot]", "Bot");
    });
    // The next run's first leg keeps the newest, deletes the other and edits it.
    let first = publish_as(
        &fake,
        WRITE_TOKEN,
        4,
        &m,
        Some("8.1"),
        "run 8 leg 1",
        CommentMode::Always,
    )
    .await
    .unwrap();
    assert_eq!(first.action, Action::Updated);
    // Its second leg (same key, same run) leaves leg 1's verdict alone.
    let second = publish_as(
        &fake,
        WRITE_TOKEN,
        4,
        &m,
        Some("8.1"),
        "run 8 leg 2",
        CommentMode::Always,
    )
    .await
    .unwrap();
    assert_eq!(second.action, Action::Taken);
    fake.with(|s| {
        let comments = s.comments_on(4);
        assert_eq!(comments.len(), 1);
        assert_eq!(
            comments[0].body,
            format!("{m}\n<!-- benchgate-run: 8.1 -->\nrun 8 leg 1")
        );
        assert_eq!(s.count("DELETE", "/issues/comments/"), 1);
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_create_response_never_duplicates_the_comment() {
    let fake = FakeGithub::start();
    fake.with(|s| s.fail(http::Method::POST, "/comments", Fault::AppliedThen502, 1));
    let out = publish(
        &fake,
        WRITE_TOKEN,
        5,
        &marker("x"),
        "body",
        CommentMode::Always,
    )
    .await
    .unwrap();
    assert_eq!(out.action, Action::Created);
    fake.with(|s| {
        assert_eq!(s.comments_on(5).len(), 1);
        assert_eq!(
            s.count("POST", "/comments"),
            1,
            "POST is not retried blindly"
        );
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_token_gets_a_message_naming_the_permission() {
    let fake = FakeGithub::start();
    let e = publish(
        &fake,
        READ_TOKEN,
        5,
        &marker("x"),
        "body",
        CommentMode::Always,
    )
    .await
    .unwrap_err();
    assert!(e.is_forbidden());
    assert!(e.to_string().contains("`pull-requests: write`"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn baseline_prefers_the_base_commit_then_the_nearest_ancestor() {
    let fake = FakeGithub::start();
    fake.with(|s| {
        s.page_size = 2;
        let older = s.add_run(
            "bench.yml",
            "main",
            "push",
            OLDER_SHA,
            "2025-10-01T10:00:00Z",
        );
        s.add_artifact(older, "benchmarks", csv_zip(80.0), false);
        let exact = s.add_run(
            "bench.yml",
            "main",
            "push",
            BASE_SHA,
            "2025-10-05T10:00:00Z",
        );
        s.add_artifact(exact, "benchmarks", csv_zip(88.9), false);
        s.add_artifact(exact, "coverage", csv_zip(0.0), false);
        // Newer runs on main (after the PR branched) and a PR run must be passed over.
        let newer = s.add_run(
            "bench.yml",
            "main",
            "push",
            "9999999999999999999999999999999999999999",
            "2025-10-07T10:00:00Z",
        );
        s.add_artifact(newer, "benchmarks", csv_zip(70.0), false);
        let pr = s.add_run(
            "bench.yml",
            "main",
            "pull_request",
            BASE_SHA,
            "2025-10-07T11:00:00Z",
        );
        s.add_artifact(pr, "benchmarks", csv_zip(1.0), false);
    });
    let (b, _work) = fetch_main_baseline(&fake, "bench*", 2).await;
    assert_eq!(b.sha(), Some(BASE_SHA));
    assert!(b.exact());
    assert_eq!(b.snapshots.len(), 2);
    assert_eq!(b.snapshots[1].sha.as_deref(), Some(OLDER_SHA));
    let csv =
        |i: usize| std::fs::read_to_string(b.snapshots[i].dir.join("llm/gemma3_runs.csv")).unwrap();
    assert_eq!(csv(0), "prompt,tokens_s\nhello,88.9\n");
    assert_eq!(csv(1), "prompt,tokens_s\nhello,80\n");
    fake.with(|s| {
        assert!(s
            .requests
            .iter()
            .any(|r| r.query.contains("event=push")
                && r.query.contains(&format!("head_sha={BASE_SHA}"))));
        assert!(s.blob_requests.iter().all(|r| r.authorization.is_none()));
    });

    // The base commit has no run: the nearest ancestor is used, and how far behind it is.
    fake.with(|s| {
        s.runs.retain(|r| r.head_sha != BASE_SHA);
        s.compares.insert(
            format!("9999999999999999999999999999999999999999...{BASE_SHA}"),
            serde_json::json!({"status": "behind", "ahead_by": 0, "behind_by": 2}),
        );
        s.compares.insert(
            format!("{OLDER_SHA}...{BASE_SHA}"),
            serde_json::json!({"status": "ahead", "ahead_by": 3, "behind_by": 0}),
        );
    });
    let (b, _work) = fetch_main_baseline(&fake, "bench*", 1).await;
    assert_eq!(b.sha(), Some(OLDER_SHA));
    assert_eq!(b.commits_behind, Some(3));
    assert!(!b.exact());
    let note = b.notes.last().unwrap();
    assert!(
        note.contains("3 commits behind the base commit 1a2b3c4"),
        "{note}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_artifacts_leave_no_baseline_with_a_note() {
    let fake = FakeGithub::start();
    fake.with(|s| {
        let run = s.add_run(
            "bench.yml",
            "main",
            "push",
            BASE_SHA,
            "2025-07-01T10:00:00Z",
        );
        s.add_artifact(run, "benchmarks", csv_zip(88.9), true);
    });
    let (b, _work) = fetch_main_baseline(&fake, "*", 1).await;
    assert!(b.snapshots.is_empty());
    assert!(
        b.notes
            .iter()
            .any(|n| n.contains("artifact `benchmarks` has expired")),
        "{:?}",
        b.notes
    );
    assert!(b.notes.last().unwrap().starts_with("No baseline"));
}

/// A fork can open a pull request from a branch named like a release tag; its run is listed
/// under `branch=<tag>` too. Only the repository's own push/release run at the tag's commit
/// may be the release baseline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn release_baseline_ignores_fork_runs_on_a_branch_named_like_the_tag() {
    let fake = FakeGithub::start();
    let tag_sha = "3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c";
    let genuine = fake.with(|s| {
        s.releases = vec![
            serde_json::json!({"tag_name": "v1.4.0", "draft": false, "prerelease": false, "published_at": "2025-10-07T14:30:00Z"}),
            serde_json::json!({"tag_name": "v1.3.0", "draft": false, "prerelease": false, "published_at": "2025-09-01T09:00:00Z"}),
        ];
        s.add_tag("v1.3.0", tag_sha, false);
        let genuine = s.add_run("bench.yml", "v1.3.0", "push", tag_sha, "2025-09-01T09:05:00Z");
        s.add_artifact(genuine, "benchmarks", csv_zip(88.9), false);
        // Newer, on a branch named `v1.3.0`: a fork's pull request at the tag's commit, a
        // run whose commit came from the fork, and a push of another commit.
        let fork_pr = s.add_run("bench.yml", "v1.3.0", "pull_request", tag_sha, "2025-10-01T09:00:00Z");
        s.runs.last_mut().unwrap().head_repo = "mallory/widgets".into();
        s.add_artifact(fork_pr, "benchmarks", csv_zip(1.0), false);
        let fork_push = s.add_run("bench.yml", "v1.3.0", "push", tag_sha, "2025-10-02T09:00:00Z");
        s.runs.last_mut().unwrap().head_repo = "mallory/widgets".into();
        s.add_artifact(fork_push, "benchmarks", csv_zip(2.0), false);
        let other = s.add_run("bench.yml", "v1.3.0", "push", OLDER_SHA, "2025-10-03T09:00:00Z");
        s.add_artifact(other, "benchmarks", csv_zip(3.0), false);
        genuine
    });
    let base = Base::PreviousRelease {
        tag: "v1.4.0".into(),
        prerelease: false,
    };
    let (b, _work) = fetch_baseline(&fake, &base, "benchmarks", 1).await;
    assert_eq!(b.snapshots.len(), 1, "{:#?}", b.notes);
    assert_eq!(b.snapshots[0].run_id, Some(genuine));
    let csv = std::fs::read_to_string(b.snapshots[0].dir.join("llm/gemma3_runs.csv")).unwrap();
    assert_eq!(csv, "prompt,tokens_s\nhello,88.9\n");
    assert!(
        b.notes
            .iter()
            .any(|n| n.contains("Passed over 2 run(s) on `v1.3.0`")),
        "{:#?}",
        b.notes
    );
    fake.with(|s| {
        assert!(
            s.requests
                .iter()
                .any(|r| r.path.ends_with("/runs")
                    && r.query.contains(&format!("head_sha={tag_sha}")))
        );
        assert_eq!(s.count("GET", "/git/ref/tags/v1.3.0"), 1);
    });

    // The fork's runs alone are no baseline at all.
    fake.with(|s| s.runs.retain(|run| run.id != genuine));
    let (b, _work) = fetch_baseline(&fake, &base, "benchmarks", 1).await;
    assert!(b.snapshots.is_empty(), "{:#?}", b.notes);
    assert!(
        b.notes
            .iter()
            .any(|n| n.contains("built from mallory/widgets")),
        "{:#?}",
        b.notes
    );
}

/// Each archive is capped on its own, and all the archives of one run together: a run that
/// uploads many artifacts (report mode downloads every matching one) cannot fill the disk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_artifacts_of_one_run_share_a_total_size_cap() {
    let fake = FakeGithub::start();
    // 1,011 bytes each once extracted.
    let data = format!("x,tokens_s\n{}", "1,2\n".repeat(250)).into_bytes();
    let run = fake.with(|s| {
        let run = s.add_run(
            "bench.yml",
            "patch-1",
            "pull_request",
            HEAD_SHA,
            "2025-10-07T14:02:20Z",
        );
        for name in ["a", "b", "c"] {
            let zip = fake_github::zip_of(&[(format!("{name}/data.csv"), data.clone())]);
            s.add_artifact(run, &format!("bench-{name}"), zip, false);
        }
        run
    });
    let c = client(&fake, WRITE_TOKEN);
    let r = repo();
    let work = WorkDir::create(None).unwrap();
    let downloader = base_artifacts::Downloader {
        client: &c,
        repo: &r,
        work: &work,
        limits: Limits {
            zip: ZipLimits {
                max_files: 100,
                max_bytes: 1 << 20,
            },
            total: ZipLimits {
                max_files: 100,
                max_bytes: 2500,
            },
            max_download_bytes: 1 << 20,
        },
        head_folders: &Default::default(),
    };
    let dir = work.path().join("head");
    let matcher = base_artifacts::name_matcher("bench-*").unwrap();
    let mut notes = Vec::new();
    let files = downloader
        .fetch_run(run, HEAD_SHA, &matcher, &dir, &mut notes)
        .await
        .unwrap();
    assert_eq!(files, 2, "{notes:#?}");
    assert!(dir.join("a/data.csv").is_file() && dir.join("b/data.csv").is_file());
    assert!(!dir.join("c/data.csv").exists());
    assert_eq!(notes.len(), 1, "{notes:#?}");
    assert!(
        notes[0].starts_with("run ")
            && notes[0].contains("artifact `bench-c` was not used")
            && notes[0].contains(
                "100 files and 2500 bytes together; 2 files and 2022 bytes were already extracted"
            ),
        "{}",
        notes[0]
    );
}

// ---------------------------------------------------------------------------------------
// `benchgate action` as a process, the way the runner starts it.
// ---------------------------------------------------------------------------------------

const HEAD_SHA: &str = "8f3c1e2d4b5a69788796a5b4c3d2e1f0a9b8c7d6";
const PAIR: &str = "tests/fixtures/chimeraforge/pairs/ollama_gemma3_failed_then_fixed";

/// A workspace, a runner temp dir and the file-command files of one job.
struct Job {
    ws: tempfile::TempDir,
    temp: tempfile::TempDir,
    /// The id of the last workflow run: every step is a run of its own (9001, 9002, ...)
    /// unless [`Job::same_run`] says otherwise.
    run_id: std::cell::Cell<u64>,
    same_run: std::cell::Cell<bool>,
}

/// What one step produced.
struct Ran {
    code: i32,
    stdout: String,
    outputs: BTreeMap<String, String>,
    summary: String,
}

impl Job {
    fn new() -> Job {
        Job {
            ws: tempfile::tempdir().unwrap(),
            temp: tempfile::tempdir().unwrap(),
            run_id: std::cell::Cell::new(9000),
            same_run: std::cell::Cell::new(false),
        }
    }

    /// The next step runs in the same workflow run as the last one (another leg of a
    /// matrix, or a second step of the job).
    fn same_run(&self) {
        self.same_run.set(true);
    }

    /// The `report.json` the last step wrote.
    fn report(&self) -> serde_json::Value {
        let path = self.ws.path().join(".benchgate/report.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// Replaces `benchmarks/` in the workspace with a copy of `from`.
    fn head(&self, from: &Path) {
        let dest = self.ws.path().join("benchmarks");
        let _ = std::fs::remove_dir_all(&dest);
        for (rel, data) in fake_github::files_under(from) {
            let target = dest.join(rel);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, data).unwrap();
        }
    }

    fn step(
        &self,
        fake: &FakeGithub,
        event: &str,
        fixture: &str,
        token: &str,
        inputs: &[(&str, &str)],
    ) -> Ran {
        let output = self.temp.path().join("github_output");
        let summary = self.temp.path().join("step_summary");
        std::fs::write(&output, "").unwrap();
        std::fs::write(&summary, "").unwrap();
        let event_path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/events")
            .join(format!("{fixture}.json"));
        if !self.same_run.replace(false) {
            self.run_id.set(self.run_id.get() + 1);
        }
        let run_id = self.run_id.get();
        let mut cmd = cargo_bin_cmd!("benchgate");
        cmd.arg("action")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("GITHUB_ACTIONS", "true")
            .env("CI", "true")
            .env("GITHUB_EVENT_NAME", event)
            .env("GITHUB_EVENT_PATH", &event_path)
            .env("GITHUB_REPOSITORY", "acme/widgets")
            .env("GITHUB_SHA", "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00")
            .env("GITHUB_REF_NAME", "42/merge")
            .env("GITHUB_RUN_ID", run_id.to_string())
            .env("GITHUB_RUN_ATTEMPT", "1")
            .env("GITHUB_WORKFLOW", "bench")
            .env(
                "GITHUB_WORKFLOW_REF",
                "acme/widgets/.github/workflows/bench.yml@refs/pull/42/merge",
            )
            .env("GITHUB_JOB", "perf")
            .env("GITHUB_API_URL", &fake.api_url)
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_WORKSPACE", self.ws.path())
            .env("RUNNER_TEMP", self.temp.path())
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_STEP_SUMMARY", &summary)
            // What the runner sets for every input that action.yml gives a default.
            .envs(action_env::defaults(token));
        for (name, value) in inputs {
            cmd.env(format!("INPUT_{}", name.to_uppercase()), value);
        }
        let out = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            !stdout
                .replace(&format!("::add-mask::{token}"), "")
                .contains(token),
            "the token leaked into the log"
        );
        Ran {
            code: out.status.code().unwrap_or(-1),
            stdout,
            outputs: parse_outputs(&std::fs::read_to_string(&output).unwrap()),
            summary: std::fs::read_to_string(&summary).unwrap(),
        }
    }
}

/// Reads a `GITHUB_OUTPUT` file the way the runner does (heredoc blocks only here).
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.split('\n');
    while let Some(line) = lines.next() {
        if let Some((name, delim)) = line.split_once("<<") {
            assert!(delim.starts_with("ghadelimiter_"), "{line}");
            let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delim).collect();
            out.insert(name.to_string(), value.join("\n"));
        } else {
            assert!(line.is_empty(), "unexpected output line {line}");
        }
    }
    out
}

fn pair(side: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(PAIR).join(side)
}

/// A successful push run of bench.yml on main at `sha` with `side` of the pair as its
/// `benchmarks` artifact.
fn base_run(fake: &FakeGithub, sha: &str, side: &str, expired: bool) -> u64 {
    let zip = fake_github::zip_of(&fake_github::files_under(&pair(side)));
    fake.with(|s| {
        let run = s.add_run("bench.yml", "main", "push", sha, "2025-10-06T10:00:00Z");
        s.add_artifact(run, "benchmarks", zip, expired);
        run
    })
}

/// The number of failed runs the base CSV of the pair records (every row has an `error`).
fn failed_rows() -> usize {
    std::fs::read_to_string(pair("base").join("reports/ollama/gemma3_benchmark_runs.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| l.contains("WinError 10049"))
        .count()
}

#[test]
fn pull_request_comment_is_written_once_and_edited_when_fixed() {
    let fake = FakeGithub::start();
    base_run(&fake, BASE_SHA, "head", false);
    fake.with(|s| {
        s.page_size = 2;
        s.add_comment(42, "Looks good to me", "octo-maintainer", "User");
        s.add_comment(
            42,
            "<!-- benchgate:bench.yml/perf -->\nquoted by a human",
            "octo-maintainer",
            "User",
        );
        s.add_comment(42, "CI is green", "octo-maintainer", "User");
    });
    let job = Job::new();
    // The PR breaks the benchmark: every run fails.
    job.head(&pair("base"));
    let first = job.step(&fake, "pull_request", "pull_request", WRITE_TOKEN, &[]);
    assert_eq!(first.code, 1, "{}", first.stdout);
    assert!(first
        .stdout
        .starts_with(&format!("::add-mask::{WRITE_TOKEN}\n")));
    assert_eq!(first.outputs["verdict"], "fail");
    assert_eq!(first.outputs["baseline-sha"], BASE_SHA);
    assert_eq!(first.outputs["report-json"], ".benchgate/report.json");
    let report = job.report();
    let broken = report["counts"]["broken"].as_u64().unwrap();
    assert!(broken > 0);
    assert_eq!(first.outputs["regressions"], broken.to_string());
    assert_eq!(report["verdict"], "fail");
    assert_eq!(report["run"]["head_sha"], HEAD_SHA);
    assert_eq!(report["run"]["pr"], 42);
    assert_eq!(report["baseline"]["sha"], BASE_SHA);
    assert_eq!(report["baseline"]["exact"], true);
    // The metrics of the file that broke are one row; tokens_s is among them.
    let tokens = report["deltas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["metric"] == "tokens_s"
                || d["merged"]
                    .as_array()
                    .is_some_and(|m| m.iter().any(|m| m["metric"] == "tokens_s"))
        })
        .unwrap();
    assert_eq!(tokens["status"], "broken");
    assert_eq!(tokens["head"]["failed"], failed_rows() as u64);
    // One annotation per blocking metric, capped at 10.
    let errors = first
        .stdout
        .matches("::error title=benchgate broken%3A ")
        .count();
    assert_eq!(errors, (broken as usize).min(10));
    assert!(
        first.stdout.contains("::group::benchgate%3A baseline")
            || first.stdout.contains("::group::benchgate: baseline")
    );
    assert!(first.summary.contains("tokens\\_s"), "{}", first.summary);

    let comments = fake.with(|s| s.comments_on(42));
    let ours: Vec<_> = comments
        .iter()
        .filter(|c| c.login == "github-actions[bot]")
        .collect();
    assert_eq!(ours.len(), 1);
    assert!(ours[0]
        .body
        .starts_with("<!-- benchgate:bench.yml/perf -->\n"));
    assert!(ours[0].body.contains("broken"));
    assert!(ours[0].body.chars().count() < 65_536);
    assert_eq!(
        first.outputs["comment-url"],
        format!(
            "https://github.com/acme/widgets/pull/42#issuecomment-{}",
            ours[0].id
        )
    );
    assert_eq!(
        comments[1].body,
        "<!-- benchgate:bench.yml/perf -->\nquoted by a human"
    );
    fake.with(|s| {
        assert!(!s.blob_requests.is_empty());
        assert!(s.blob_requests.iter().all(|r| r.authorization.is_none()));
    });

    // The next push fixes it: the same comment is edited, none is added.
    job.head(&pair("head"));
    let second = job.step(&fake, "pull_request", "pull_request", WRITE_TOKEN, &[]);
    assert_eq!(second.code, 0, "{}", second.stdout);
    assert_eq!(second.outputs["verdict"], "pass");
    assert_eq!(second.outputs["regressions"], "0");
    assert_eq!(second.outputs["comment-url"], first.outputs["comment-url"]);
    let after = fake.with(|s| s.comments_on(42));
    assert_eq!(after.len(), comments.len());
    let edited = after.iter().find(|c| c.id == ours[0].id).unwrap();
    assert_ne!(edited.body, ours[0].body);
    assert!(!edited.body.contains("broken"), "{}", edited.body);
    fake.with(|s| {
        assert_eq!(s.count("POST", "/issues/42/comments"), 1);
        assert_eq!(s.count("PATCH", "/issues/comments/"), 1);
    });
}

#[test]
fn fork_pull_request_gets_summary_and_notice_instead_of_a_403() {
    let fake = FakeGithub::start();
    base_run(&fake, BASE_SHA, "head", false);
    let job = Job::new();
    job.head(&pair("head"));
    let ran = job.step(
        &fake,
        "pull_request",
        "pull_request_fork",
        READ_TOKEN,
        &[("check-run", "true")],
    );
    assert_eq!(ran.code, 0, "{}", ran.stdout);
    assert!(ran
        .stdout
        .contains("::notice title=benchgate%3A no PR comment::Pull request #57 comes from a fork"));
    assert!(ran
        .stdout
        .contains("::notice title=benchgate%3A no check run::"));
    assert_eq!(ran.outputs["verdict"], "pass");
    assert_eq!(ran.outputs["comment-url"], "");
    assert!(ran.summary.contains("Benchmarks"), "{}", ran.summary);
    fake.with(|s| {
        assert_eq!(s.count("POST", ""), 0, "no write was attempted");
        assert!(
            s.count("GET", "/actions/artifacts/") > 0,
            "the baseline was still read"
        );
    });

    // Where the token is read-only although the event did not say so, GitHub's 403 is a
    // warning naming the permission, not a failed job.
    let ran = job.step(
        &fake,
        "pull_request_target",
        "pull_request_fork",
        READ_TOKEN,
        &[],
    );
    assert_eq!(ran.code, 0, "{}", ran.stdout);
    assert!(ran
        .stdout
        .contains("::warning title=benchgate%3A PR comment not written::"));
    assert!(ran.stdout.contains("`pull-requests: write`"));
    assert_eq!(fake.with(|s| s.count("POST", "/comments")), 1);
}

#[test]
fn expired_baseline_artifacts_mean_no_baseline_and_exit_zero() {
    let fake = FakeGithub::start();
    base_run(&fake, BASE_SHA, "head", true);
    let job = Job::new();
    job.head(&pair("base"));
    let ran = job.step(&fake, "pull_request", "pull_request", WRITE_TOKEN, &[]);
    assert_eq!(ran.code, 0, "{}", ran.stdout);
    assert_eq!(ran.outputs["verdict"], "no-baseline");
    assert_eq!(ran.outputs["baseline-sha"], "");
    assert!(ran.stdout.contains("artifact `benchmarks` has expired"));
    assert!(ran
        .stdout
        .contains("::notice title=benchgate%3A no baseline::No baseline"));
    let body = fake.with(|s| s.comments_on(42)[0].body.clone());
    assert!(body.contains("No baseline"), "{body}");
    fake.with(|s| assert!(s.blob_requests.is_empty()));
    // Said up front, in the comment and as a warning: the gate is open, and how to close it.
    let notice = ran
        .stdout
        .lines()
        .find(|l| l.starts_with("::warning title=benchgate::No baseline"))
        .unwrap_or_else(|| panic!("{}", ran.stdout));
    assert!(notice.contains("the gate is open"), "{notice}");
    assert!(notice.contains("retention-days"), "{notice}");
    assert!(notice.contains("no_baseline"), "{notice}");
    let callout = body.find("> [!WARNING]\n> No baseline").expect("callout");
    assert!(callout < body.find("####").unwrap_or(body.len()), "{body}");
    // With `fail_on: [no_baseline]` (a release gate), the same run fails.
    std::fs::write(
        job.ws.path().join(".benchgate.yml"),
        "fail_on: [regression, broken, no_baseline]\n",
    )
    .unwrap();
    let ran = job.step(&fake, "pull_request", "pull_request", WRITE_TOKEN, &[]);
    assert_eq!(ran.code, 1, "{}", ran.stdout);
}

#[test]
fn fork_safe_collect_then_verified_report() {
    let fake = FakeGithub::start();
    // The base branch ran the collect workflow too: its bundle is the baseline.
    let base_job = Job::new();
    base_job.head(&pair("head"));
    let collected = base_job.step(
        &fake,
        "push",
        "push_branch",
        WRITE_TOKEN,
        &[("mode", "collect")],
    );
    assert_eq!(collected.code, 0, "{}", collected.stdout);
    let base_bundle = fake_github::zip_of(&fake_github::files_under(
        &base_job.ws.path().join("benchgate-collect"),
    ));
    fake.with(|s| {
        let run = s.add_run(
            "bench.yml",
            "main",
            "push",
            BASE_SHA,
            "2025-10-06T10:00:00Z",
        );
        s.add_artifact(run, "benchgate-collect", base_bundle, false);
    });

    // The untrusted fork PR collects with a read-only token.
    let pr_job = Job::new();
    pr_job.head(&pair("base"));
    let collected = pr_job.step(
        &fake,
        "pull_request",
        "pull_request_fork",
        READ_TOKEN,
        &[("mode", "collect")],
    );
    assert_eq!(collected.code, 0, "{}", collected.stdout);
    assert_eq!(collected.outputs["collect-dir"], "benchgate-collect");
    let bundle_dir = pr_job.ws.path().join("benchgate-collect");
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(bundle_dir.join("benchgate-collect.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(meta["pr_number"], 57);
    assert_eq!(meta["head_sha"], HEAD_SHA);
    assert_eq!(meta["files"], 2);
    assert!(bundle_dir
        .join("data/reports/ollama/gemma3_benchmark_runs.csv")
        .is_file());
    let pr_bundle = fake_github::zip_of(&fake_github::files_under(&bundle_dir));

    // The workflow_run side downloads it, checks PR #57 through the API, and comments.
    fake.with(|s| {
        s.runs.push(fake_github::Run {
            id: 30433777,
            workflow: "bench.yml".into(),
            head_sha: HEAD_SHA.into(),
            head_branch: "patch-1".into(),
            event: "pull_request".into(),
            conclusion: "success".into(),
            created_at: "2025-10-07T14:02:20Z".into(),
            head_repo: "outside-contributor/widgets".into(),
        });
        s.add_artifact(30433777, "benchgate-collect", pr_bundle.clone(), false);
        s.pulls.insert(
            57,
            serde_json::json!({"number": 57, "state": "open",
                "head": {"sha": HEAD_SHA, "ref": "patch-1"},
                "base": {"sha": BASE_SHA, "ref": "main"}}),
        );
    });
    let report_job = Job::new();
    let report_inputs = [("mode", "report"), ("artifact-name", "benchgate-collect")];
    let ran = report_job.step(
        &fake,
        "workflow_run",
        "workflow_run_fork",
        WRITE_TOKEN,
        &report_inputs,
    );
    assert_eq!(ran.code, 1, "{}", ran.stdout);
    assert_eq!(ran.outputs["verdict"], "fail");
    assert_eq!(ran.outputs["baseline-sha"], BASE_SHA);
    let comments = fake.with(|s| s.comments_on(57));
    assert_eq!(comments.len(), 1);
    assert!(comments[0].body.contains("broken"));
    fake.with(|s| assert_eq!(s.count("GET", "/pulls/57"), 1));

    // A later push moved the PR on: the old artifact is not reported.
    fake.with(|s| {
        s.pulls.get_mut(&57).unwrap()["head"]["sha"] =
            serde_json::json!("1111111111111111111111111111111111111111");
    });
    let ran = report_job.step(
        &fake,
        "workflow_run",
        "workflow_run_fork",
        WRITE_TOKEN,
        &report_inputs,
    );
    assert_eq!(ran.code, 0, "{}", ran.stdout);
    assert!(ran
        .stdout
        .contains("::warning title=benchgate%3A not reporting::Pull request #57 is at `1111111`"));
    assert_eq!(
        fake.with(|s| s.comments_on(57)[0].body.clone()),
        comments[0].body
    );

    // An artifact whose claims do not match the run is refused outright.
    let mut forged = meta.clone();
    forged["head_sha"] = serde_json::json!(BASE_SHA);
    let mut files = fake_github::files_under(&bundle_dir);
    for (name, data) in &mut files {
        if name == "benchgate-collect.json" {
            *data = forged.to_string().into_bytes();
        }
    }
    fake.with(|s| {
        s.artifacts.retain(|a| a.run_id != 30433777);
        s.add_artifact(
            30433777,
            "benchgate-collect",
            fake_github::zip_of(&files),
            false,
        );
    });
    let ran = report_job.step(
        &fake,
        "workflow_run",
        "workflow_run_fork",
        WRITE_TOKEN,
        &report_inputs,
    );
    assert_eq!(ran.code, 2, "{}", ran.stdout);
    assert!(ran.stdout.contains("refusing to report on it"));
}

#[test]
fn push_with_history_charts_each_regression_and_skips_the_comment() {
    let fake = FakeGithub::start();
    let csv_path = "reports/ollama/gemma3_benchmark_runs.csv";
    let original = std::fs::read_to_string(pair("head").join(csv_path)).unwrap();
    // Three earlier runs on main, then a head whose throughput fell to 30 %.
    let scaled = |factor: f64| -> String {
        let mut lines = original.lines();
        let header = lines.next().unwrap();
        let col = header.split(',').position(|h| h == "tokens_s").unwrap();
        let mut out = vec![header.to_string()];
        for line in lines {
            let mut cells: Vec<String> = line.split(',').map(String::from).collect();
            let v: f64 = cells[col].parse().unwrap();
            cells[col] = format!("{:.2}", v * factor);
            out.push(cells.join(","));
        }
        out.join("\n") + "\n"
    };
    let mean_tokens = |text: &str| -> f64 {
        let mut lines = text.lines();
        let col = lines
            .next()
            .unwrap()
            .split(',')
            .position(|h| h == "tokens_s")
            .unwrap();
        let v: Vec<f64> = lines
            .map(|l| l.split(',').nth(col).unwrap().parse().unwrap())
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    let shas = [
        OLDER_SHA,
        "2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b",
        BASE_SHA,
    ];
    let factors = [1.0, 1.01, 0.99];
    fake.with(|s| {
        for (i, (sha, f)) in shas.iter().zip(factors).enumerate() {
            let run = s.add_run(
                "bench.yml",
                "main",
                "push",
                sha,
                &format!("2025-10-0{}T10:00:00Z", i + 1),
            );
            let zip = fake_github::zip_of(&[(csv_path.to_string(), scaled(f).into_bytes())]);
            s.add_artifact(run, "benchmarks", zip, false);
        }
    });
    let job = Job::new();
    let head_csv = scaled(0.3);
    let dir = job.ws.path().join("benchmarks/reports/ollama");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("gemma3_benchmark_runs.csv"), &head_csv).unwrap();
    let ran = job.step(
        &fake,
        "push",
        "push_branch",
        WRITE_TOKEN,
        &[("history", "3")],
    );
    assert_eq!(ran.outputs["verdict"], "fail", "{}", ran.stdout);
    assert_eq!(ran.code, 1);
    let report = job.report();
    let key = format!("{csv_path}/gemma3:latest/tokens_s");
    let tokens = report["deltas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["metric"] == "tokens_s" && d["source"] == csv_path)
        .unwrap();
    assert_eq!(tokens["status"], "regression");
    let chart = report["baseline"]["trends"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| k.starts_with(&key))
        .map(|(_, chart)| chart.as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no chart for {key}: {}", report["baseline"]["trends"]));
    assert!(chart.starts_with("```mermaid\nxychart-beta\n"), "{chart}");
    assert!(
        chart.contains("x-axis [\"0f0e0d0\", \"2b2b2b2\", \"1a2b3c4\", \"head\"]"),
        "{chart}"
    );
    let head_mean = mean_tokens(&head_csv);
    let first_mean = mean_tokens(&scaled(1.0));
    let line = chart
        .lines()
        .find(|l| l.trim_start().starts_with("line ["))
        .unwrap();
    let values: Vec<f64> = line
        .trim()
        .trim_start_matches("line [")
        .trim_end_matches(']')
        .split(", ")
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(values.len(), 4);
    assert!(
        (values[0] - first_mean).abs() < 1e-3,
        "{values:?} vs {first_mean}"
    );
    assert!(
        (values[3] - head_mean).abs() < 1e-3,
        "{values:?} vs {head_mean}"
    );
    assert_eq!(report["baseline"]["history"].as_array().unwrap().len(), 3);
    // The job summary shows the chart, open.
    assert!(
        ran.summary
            .contains("<details open><summary>Trends over the last baseline runs (1)</summary>"),
        "{}",
        ran.summary
    );
    assert!(ran.summary.contains(&chart), "{}", ran.summary);
    // A push has no pull request: summary and outputs only.
    assert_eq!(ran.outputs["comment-url"], "");
    assert!(!ran.summary.is_empty());
    fake.with(|s| assert_eq!(s.count("POST", ""), 0));
}

#[test]
fn a_release_is_gated_against_the_previous_release() {
    let fake = FakeGithub::start();
    let previous_sha = "3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c";
    let zip = fake_github::zip_of(&fake_github::files_under(&pair("head")));
    fake.with(|s| {
        s.releases = vec![
            serde_json::json!({"tag_name": "v1.4.0", "draft": false, "prerelease": false, "published_at": "2025-10-07T14:30:00Z"}),
            serde_json::json!({"tag_name": "v1.3.9", "draft": true, "prerelease": false, "published_at": null}),
            serde_json::json!({"tag_name": "v1.3.1-rc1", "draft": false, "prerelease": true, "published_at": "2025-09-20T09:00:00Z"}),
            serde_json::json!({"tag_name": "v1.3.0", "draft": false, "prerelease": false, "published_at": "2025-09-01T09:00:00Z"}),
        ];
        let run = s.add_run("bench.yml", "v1.3.0", "release", previous_sha, "2025-09-01T09:05:00Z");
        s.add_artifact(run, "benchmarks", zip, false);
        s.add_tag("v1.3.0", previous_sha, true);
    });
    let job = Job::new();
    job.head(&pair("base"));
    let ran = job.step(&fake, "release", "release", WRITE_TOKEN, &[]);
    assert_eq!(ran.code, 1, "{}", ran.stdout);
    assert_eq!(ran.outputs["baseline-sha"], previous_sha);
    assert!(ran
        .stdout
        .contains("Release gating: `v1.4.0` is compared with run"));
    let report = job.report();
    assert_eq!(report["baseline"]["ref"], "v1.3.0");
    assert_eq!(report["run"]["event"], "release");
    fake.with(|s| {
        assert!(s
            .requests
            .iter()
            .any(|r| r.path.ends_with("/runs") && r.query.contains("branch=v1.3.0")));
        assert_eq!(
            s.count("POST", ""),
            0,
            "a release has no pull request to comment on"
        );
    });
}

#[test]
fn manual_dispatch_compares_with_the_given_ref_and_checks_the_commit() {
    let fake = FakeGithub::start();
    let zip = fake_github::zip_of(&fake_github::files_under(&pair("head")));
    let release_sha = "4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d";
    fake.with(|s| {
        let run = s.add_run(
            "bench.yml",
            "release/1.3",
            "push",
            release_sha,
            "2025-10-01T09:00:00Z",
        );
        s.add_artifact(run, "benchmarks", zip, false);
    });
    let job = Job::new();
    job.head(&pair("head"));
    let ran = job.step(
        &fake,
        "workflow_dispatch",
        "workflow_dispatch",
        WRITE_TOKEN,
        &[("check-run", "true"), ("comment-id", "nightly")],
    );
    assert_eq!(ran.code, 0, "{}", ran.stdout);
    assert_eq!(ran.outputs["verdict"], "pass");
    assert_eq!(ran.outputs["baseline-sha"], release_sha);
    let comments = fake.with(|s| s.comments_on(42));
    assert_eq!(comments.len(), 1);
    assert!(comments[0].body.starts_with("<!-- benchgate:nightly -->\n"));
    let check = fake.with(|s| s.check_runs[0].clone());
    assert_eq!(check["name"], "benchgate (nightly)");
    assert_eq!(
        check["head_sha"],
        "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
    );
    assert_eq!(check["conclusion"], "success");
    assert_eq!(check["status"], "completed");
    assert_eq!(
        check["details_url"],
        "https://github.com/acme/widgets/actions/runs/9001"
    );
    assert!(check["output"]["summary"]
        .as_str()
        .unwrap()
        .contains("Benchmarks"));
    // Nothing is left behind in RUNNER_TEMP but the runner's own files.
    let left: Vec<String> = std::fs::read_dir(job.temp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "github_output" && n != "step_summary")
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn bad_inputs_exit_two_with_an_error_naming_the_input() {
    let fake = FakeGithub::start();
    let job = Job::new();
    job.head(&pair("head"));
    let ran = job.step(
        &fake,
        "pull_request",
        "pull_request",
        WRITE_TOKEN,
        &[("comment", "sometimes")],
    );
    assert_eq!(ran.code, 2);
    assert!(ran.stdout.contains(
        "::error title=benchgate::input `comment`: `sometimes` is not one of always, on-change, on-regression, off"
    ), "{}", ran.stdout);
    let ran = job.step(
        &fake,
        "pull_request",
        "pull_request",
        WRITE_TOKEN,
        &[("path", "../outside")],
    );
    assert_eq!(ran.code, 2);
    assert!(ran.stdout.contains("input `path`"), "{}", ran.stdout);
    let ran = job.step(
        &fake,
        "push",
        "push_branch",
        WRITE_TOKEN,
        &[("mode", "report")],
    );
    assert_eq!(ran.code, 2);
    assert!(
        ran.stdout
            .contains("`mode: report` runs on `workflow_run` events"),
        "{}",
        ran.stdout
    );
    fake.with(|s| assert_eq!(s.count("POST", ""), 0));
}

#[test]
fn the_default_policy_file_may_be_absent_but_a_named_one_must_exist() {
    let fake = FakeGithub::start();
    base_run(&fake, BASE_SHA, "head", false);
    let job = Job::new();
    job.head(&pair("head"));
    // The runner sets INPUT_CONFIG=.benchgate.yml although the repository has no such file.
    let ran = job.step(&fake, "pull_request", "pull_request", WRITE_TOKEN, &[]);
    assert_eq!(ran.code, 0, "{}", ran.stdout);
    assert!(!ran.stdout.contains("::error"), "{}", ran.stdout);
    assert_eq!(ran.outputs["verdict"], "pass");
    let ran = job.step(
        &fake,
        "pull_request",
        "pull_request",
        WRITE_TOKEN,
        &[("config", "ci/bench-policy.yml")],
    );
    assert_eq!(ran.code, 2);
    assert!(
        ran.stdout
            .contains("input `config`: the policy file `ci/bench-policy.yml` does not exist"),
        "{}",
        ran.stdout
    );
    // A file that exists but cannot be read names the OS error once.
    std::fs::create_dir_all(job.ws.path().join(".benchgate.yml")).unwrap();
    let ran = job.step(&fake, "pull_request", "pull_request", WRITE_TOKEN, &[]);
    assert_eq!(ran.code, 2, "{}", ran.stdout);
    let error = ran
        .stdout
        .lines()
        .find(|l| l.starts_with("::error"))
        .unwrap();
    assert!(error.contains("cannot read policy file"), "{error}");
    let reason = error.rsplit(": ").next().unwrap();
    assert_eq!(error.matches(reason).count(), 1, "{error}");
}

#[test]
fn a_benchmark_step_that_wrote_nothing_fails_and_says_where_benchgate_looked() {
    let fake = FakeGithub::start();
    base_run(&fake, BASE_SHA, "head", false);
    let job = Job::new();
    std::fs::create_dir_all(job.ws.path().join("benchmarks")).unwrap();
    let ran = job.step(&fake, "pull_request", "pull_request", WRITE_TOKEN, &[]);
    assert_eq!(ran.code, 1, "{}", ran.stdout);
    assert_eq!(ran.outputs["verdict"], "fail");
    let body = fake.with(|s| s.comments_on(42)[0].body.clone());
    assert!(
        body.contains("> No benchmark data on head: benchgate looked under `benchmarks`"),
        "{body}"
    );
    assert!(ran
        .stdout
        .contains("::warning title=benchgate::No benchmark data on head"));
    // Reported, not failed, when the policy leaves `no_data` out.
    let ran = job.step(
        &fake,
        "pull_request",
        "pull_request",
        WRITE_TOKEN,
        &[("fail-on", "regression, broken")],
    );
    assert_eq!(ran.code, 0, "{}", ran.stdout);
    assert_eq!(ran.outputs["verdict"], "no-data");
}

/// A base run of a two-leg matrix: leg `linux` uploaded the good side of the pair, leg
/// `macos` the side whose runs all failed.
fn matrix_base_run(fake: &FakeGithub) {
    let good = fake_github::zip_of(&fake_github::files_under(&pair("head")));
    let failing = fake_github::zip_of(&fake_github::files_under(&pair("base")));
    fake.with(|s| {
        let run = s.add_run(
            "bench.yml",
            "main",
            "push",
            BASE_SHA,
            "2025-10-06T10:00:00Z",
        );
        s.add_artifact(run, "benchmarks-linux", good, false);
        s.add_artifact(run, "benchmarks-macos", failing, false);
    });
}

#[test]
fn matrix_legs_each_compare_with_their_own_baseline_and_keep_their_own_comment() {
    let fake = FakeGithub::start();
    matrix_base_run(&fake);
    let job = Job::new();
    // Leg macos measured the same failing runs as its own baseline: nothing changed. Had
    // it been compared with leg linux's numbers, every metric would be `broken`.
    job.head(&pair("base"));
    let macos = job.step(
        &fake,
        "pull_request",
        "pull_request",
        WRITE_TOKEN,
        &[
            ("title", "bench (macos)"),
            ("artifact-name", "benchmarks-macos"),
        ],
    );
    assert_eq!(macos.code, 0, "{}", macos.stdout);
    assert_eq!(job.report()["counts"]["broken"], 0);
    job.head(&pair("head"));
    job.same_run();
    let linux = job.step(
        &fake,
        "pull_request",
        "pull_request",
        WRITE_TOKEN,
        &[
            ("title", "bench (linux)"),
            ("artifact-name", "benchmarks-linux"),
        ],
    );
    assert_eq!(linux.code, 0, "{}", linux.stdout);
    assert_eq!(job.report()["counts"]["fixed"], 0);
    let comments = fake.with(|s| s.comments_on(42));
    assert_eq!(comments.len(), 2);
    assert!(comments[0]
        .body
        .starts_with(&format!("{}\n", marker("bench.yml/perf/bench (macos)"))));
    assert_ne!(
        marker("bench.yml/perf/bench (macos)"),
        marker("bench.yml/perf/bench (linux)")
    );
    assert!(
        comments[0].body.contains("### ✅ bench \\(macos\\): pass"),
        "{}",
        comments[0].body
    );
    assert!(
        comments[1].body.contains("### ✅ bench \\(linux\\): pass"),
        "{}",
        comments[1].body
    );

    // A leg left at `artifact-name: '*'` cannot tell which artifact is its own: refused.
    let ambiguous = job.step(
        &fake,
        "pull_request",
        "pull_request",
        WRITE_TOKEN,
        &[("title", "bench (linux)")],
    );
    assert_eq!(ambiguous.code, 2, "{}", ambiguous.stdout);
    assert!(
        ambiguous
            .stdout
            .contains("`benchmarks-linux`, `benchmarks-macos` hold the same files"),
        "{}",
        ambiguous.stdout
    );
    assert!(
        ambiguous.stdout.contains("Set `artifact-name`"),
        "{}",
        ambiguous.stdout
    );
}

#[test]
fn matrix_legs_combined_in_one_job_are_compared_leg_by_leg() {
    let fake = FakeGithub::start();
    matrix_base_run(&fake);
    let job = Job::new();
    // What actions/download-artifact writes for `pattern: benchmarks-*`: a folder per leg.
    let dest = job.ws.path().join("benchmarks");
    for (leg, side) in [("benchmarks-linux", "head"), ("benchmarks-macos", "base")] {
        for (rel, data) in fake_github::files_under(&pair(side)) {
            let target = dest.join(leg).join(rel);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, data).unwrap();
        }
    }
    let ran = job.step(
        &fake,
        "pull_request",
        "pull_request",
        WRITE_TOKEN,
        &[("artifact-name", "benchmarks-*")],
    );
    assert_eq!(ran.code, 0, "{}", ran.stdout);
    let report = job.report();
    assert_eq!(report["counts"]["broken"], 0);
    assert_eq!(report["counts"]["fixed"], 0);
    assert_eq!(report["counts"]["new"], 0);
    assert_eq!(report["counts"]["missing"], 0);
    let sources: std::collections::BTreeSet<String> = report["deltas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            d["source"]
                .as_str()
                .unwrap()
                .split('/')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        sources.into_iter().collect::<Vec<_>>(),
        ["benchmarks-linux", "benchmarks-macos"]
    );
    assert_eq!(fake.with(|s| s.comments_on(42).len()), 1);
}

#[test]
fn two_legs_with_one_key_do_not_overwrite_each_other() {
    let fake = FakeGithub::start();
    matrix_base_run(&fake);
    let job = Job::new();
    job.head(&pair("base"));
    let first = job.step(
        &fake,
        "pull_request",
        "pull_request",
        WRITE_TOKEN,
        &[("artifact-name", "benchmarks-macos")],
    );
    assert_eq!(first.code, 0, "{}", first.stdout);
    let before = fake.with(|s| s.comments_on(42));
    job.head(&pair("head"));
    job.same_run();
    let second = job.step(
        &fake,
        "pull_request",
        "pull_request",
        WRITE_TOKEN,
        &[("artifact-name", "benchmarks-linux")],
    );
    assert_eq!(second.code, 0, "{}", second.stdout);
    assert!(
        second
            .stdout
            .contains("Another step of this run already wrote the PR comment"),
        "{}",
        second.stdout
    );
    assert!(second.stdout.contains("own `title`"), "{}", second.stdout);
    let after = fake.with(|s| s.comments_on(42));
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].body, before[0].body);
}

#[test]
fn a_history_branch_keeps_the_baseline_after_the_artifacts_expire() {
    let fake = FakeGithub::start();
    let history = [("history-branch", "benchgate-data")];
    let job = Job::new();
    // A push to main records its results in the branch (created on the first write).
    job.head(&pair("head"));
    let push = job.step(&fake, "push", "push_branch", WRITE_TOKEN, &history);
    assert_eq!(push.code, 0, "{}", push.stdout);
    assert!(
        push.stdout
            .contains("Recorded this run in the history branch `benchgate-data`"),
        "{}",
        push.stdout
    );
    let files = fake.with(|s| s.branch_files("benchgate-data"));
    let sha = "5d4c3b2a19f8e7d6c5b4a39281706f5e4d3c2b1a";
    let summary =
        format!("bench.yml/perf/{sha}/reports/ollama/gemma3_benchmark_runs.csv.benchgate.json");
    assert!(files.contains_key(&summary), "{:#?}", files.keys());
    let index: serde_json::Value =
        serde_json::from_str(&files["bench.yml/perf/index.json"]).unwrap();
    assert_eq!(index["runs"][0]["sha"], sha);
    assert_eq!(index["runs"][0]["ref"], "main");
    // The same data written by a push twice stays one record.
    job.step(&fake, "push", "push_branch", WRITE_TOKEN, &history);
    let files = fake.with(|s| s.branch_files("benchgate-data"));
    let index: serde_json::Value =
        serde_json::from_str(&files["bench.yml/perf/index.json"]).unwrap();
    assert_eq!(index["runs"].as_array().unwrap().len(), 1);

    // Later, the base run's artifacts have expired: the branch is the baseline.
    base_run(&fake, BASE_SHA, "head", true);
    let pr = job.step(&fake, "pull_request", "pull_request", WRITE_TOKEN, &history);
    assert_eq!(pr.code, 0, "{}", pr.stdout);
    assert_eq!(pr.outputs["verdict"], "pass");
    assert_eq!(pr.outputs["baseline-sha"], sha);
    let report = job.report();
    assert_eq!(report["counts"]["new"], 0);
    assert_eq!(report["counts"]["missing"], 0);
    assert_eq!(report["counts"]["unchanged"], report["counts"]["total"]);
    assert!(
        report["baseline"]["note"].as_str().unwrap().contains(
            "from the history branch `benchgate-data`, the newest run recorded on `main`"
        ),
        "{}",
        report["baseline"]
    );
    assert!(report["notices"].as_array().unwrap().is_empty());
    // A pull request never writes to the branch.
    fake.with(|s| {
        let writes = s
            .requests
            .iter()
            .filter(|r| r.method == "PATCH" && r.path.contains("/git/refs/"))
            .count();
        assert_eq!(
            writes, 1,
            "one fast-forward by the second push, none by the PR"
        );
    });
}

#[test]
fn an_unreachable_llm_is_a_note_unless_required() {
    let fake = FakeGithub::start();
    base_run(&fake, BASE_SHA, "head", false);
    // A port nothing listens on: the connection is refused at once.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let job = Job::new();
    job.head(&pair("head"));
    let inputs = [
        ("llm", "on"),
        ("llm-url", url.as_str()),
        ("llm-timeout", "5"),
    ];
    let ran = job.step(&fake, "pull_request", "pull_request", WRITE_TOKEN, &inputs);
    assert_eq!(ran.code, 0, "{}", ran.stdout);
    let report = job.report();
    assert_eq!(
        report["analysis"]["status"], "failed",
        "{}",
        report["analysis"]
    );
    assert!(ran.stdout.contains("::group::benchgate: LLM analysis"));

    let required = [
        ("llm", "on"),
        ("llm-url", url.as_str()),
        ("llm-required", "true"),
    ];
    let ran = job.step(
        &fake,
        "pull_request",
        "pull_request",
        WRITE_TOKEN,
        &required,
    );
    assert_eq!(ran.code, 3, "{}", ran.stdout);
    assert!(ran
        .stdout
        .contains("::error title=benchgate%3A LLM analysis failed::"));
    assert_eq!(ran.outputs["verdict"], "pass");
}

/// The policy file comes with the checkout, so a pull request can edit it: it may not send
/// the `llm-token` to a server of its choosing, nor read a template outside the workspace.
#[test]
fn the_policy_file_cannot_steer_the_llm_call() {
    let fake = FakeGithub::start();
    base_run(&fake, BASE_SHA, "head", false);
    let elsewhere = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    elsewhere.set_nonblocking(true).unwrap();
    let job = Job::new();
    job.head(&pair("head"));
    let policy = job.ws.path().join(".benchgate.yml");
    std::fs::write(
        &policy,
        format!(
            "llm:\n  enabled: true\n  url: http://{}\n",
            elsewhere.local_addr().unwrap()
        ),
    )
    .unwrap();
    let inputs = [("llm-token", "llm-secret-0451"), ("llm-timeout", "3")];
    let ran = job.step(&fake, "pull_request", "pull_request", WRITE_TOKEN, &inputs);
    assert_eq!(ran.code, 0, "{}", ran.stdout);
    assert!(
        matches!(elsewhere.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the file's llm.url was called with the token"
    );
    assert!(
        ran.stdout
            .contains("::warning title=benchgate%3A llm.url ignored::`llm.url` in "),
        "{}",
        ran.stdout
    );
    assert!(!ran
        .stdout
        .replace("::add-mask::llm-secret-0451", "")
        .contains("llm-secret-0451"));

    for outside in ["/proc/self/environ", "../secrets.j2"] {
        std::fs::write(
            &policy,
            format!("llm:\n  enabled: true\n  prompt-template: {outside}\n"),
        )
        .unwrap();
        let ran = job.step(&fake, "pull_request", "pull_request", WRITE_TOKEN, &[]);
        assert_eq!(ran.code, 2, "{outside}: {}", ran.stdout);
        assert!(
            ran.stdout.contains("`llm.prompt-template`")
                && ran
                    .stdout
                    .contains("must be a path relative to the workspace"),
            "{}",
            ran.stdout
        );
    }
}

#[test]
fn pull_request_target_gets_a_warning() {
    let fake = FakeGithub::start();
    let job = Job::new();
    job.head(&pair("head"));
    let inputs = [("baseline", "none"), ("comment", "off")];
    let ran = job.step(
        &fake,
        "pull_request_target",
        "pull_request_fork",
        WRITE_TOKEN,
        &inputs,
    );
    assert_eq!(ran.code, 0, "{}", ran.stdout);
    assert!(
        ran.stdout.contains(
            "::warning title=benchgate%3A pull_request_target::This job holds a write token"
        ),
        "{}",
        ran.stdout
    );
    let ran = job.step(
        &fake,
        "pull_request",
        "pull_request_fork",
        READ_TOKEN,
        &inputs,
    );
    assert!(
        !ran.stdout.contains("pull_request_target"),
        "{}",
        ran.stdout
    );
}
