//! The action against a fake GitHub over real HTTP: the REST client (pagination, redirects
//! without credentials, retries, rate limits, permission errors), the baseline search over
//! workflow artifacts, the sticky comment, and the `benchgate action` binary end to end.

mod support;

use benchgate::baseline::{artifacts as base_artifacts, unzip::ZipLimits, WorkDir};
use benchgate::context::{Base, CommentMode, Repo};
use benchgate::github::comments::{marker, Action, Sticky};
use benchgate::github::{artifacts, Client, Download, Permission, RetryPolicy};
use std::time::{Duration, Instant};
use support::fake_github::{self, FakeGithub, Fault, READ_TOKEN, WRITE_TOKEN};

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
    let c = client(&fake, WRITE_TOKEN);
    let r = repo();
    let sticky = Sticky {
        client: &c,
        repo: &r,
        issue: 42,
        marker: &m,
    };
    let first = sticky
        .publish("## ❌ 1 regression", CommentMode::Always, true)
        .await
        .unwrap();
    assert_eq!(first.action, Action::Created);
    let again = sticky
        .publish("## ❌ 1 regression", CommentMode::Always, true)
        .await
        .unwrap();
    assert_eq!(again.action, Action::Unchanged);
    // Resolved: the same comment is edited, even in on-regression mode.
    let resolved = sticky
        .publish("## ✅ no regression", CommentMode::OnRegression, false)
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
async fn a_lost_create_response_never_duplicates_the_comment() {
    let fake = FakeGithub::start();
    fake.with(|s| s.fail(http::Method::POST, "/comments", Fault::AppliedThen502, 1));
    let c = client(&fake, WRITE_TOKEN);
    let r = repo();
    let m = marker("x");
    let sticky = Sticky {
        client: &c,
        repo: &r,
        issue: 5,
        marker: &m,
    };
    let out = sticky
        .publish("body", CommentMode::Always, true)
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
    let c = client(&fake, READ_TOKEN);
    let r = repo();
    let m = marker("x");
    let sticky = Sticky {
        client: &c,
        repo: &r,
        issue: 5,
        marker: &m,
    };
    let e = sticky
        .publish("body", CommentMode::Always, true)
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
    let c = client(&fake, WRITE_TOKEN);
    let r = repo();
    let base = Base::Ref {
        name: "main".into(),
        sha: Some(BASE_SHA.into()),
    };
    let search = base_artifacts::Search {
        client: &c,
        repo: &r,
        workflow: "bench.yml",
        base: &base,
        exclude_run: None,
        artifact_name: "bench*",
        history: 2,
        zip_limits: ZipLimits::default(),
        max_download_bytes: 1 << 20,
    };
    let work = WorkDir::create(None).unwrap();
    let b = base_artifacts::fetch(&search, &work).await.unwrap();
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
    let search = base_artifacts::Search {
        history: 1,
        ..search
    };
    let work = WorkDir::create(None).unwrap();
    let b = base_artifacts::fetch(&search, &work).await.unwrap();
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
    let c = client(&fake, WRITE_TOKEN);
    let r = repo();
    let base = Base::Ref {
        name: "main".into(),
        sha: Some(BASE_SHA.into()),
    };
    let search = base_artifacts::Search {
        client: &c,
        repo: &r,
        workflow: "bench.yml",
        base: &base,
        exclude_run: None,
        artifact_name: "*",
        history: 1,
        zip_limits: ZipLimits::default(),
        max_download_bytes: 1 << 20,
    };
    let work = WorkDir::create(None).unwrap();
    let b = base_artifacts::fetch(&search, &work).await.unwrap();
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
