//! Hostile and broken inputs, end to end through the `benchgate compare` binary: a sparse
//! 2 GB file, 100 001 tiny files, symbolic-link loops, a file rewritten while it is read,
//! unreadable files and folders, foreign encodings, non-finite numbers, deep nesting and
//! very wide tables. Each run must finish in bounded time and memory, name the bad file
//! once (as a warning or a skipped file; a non-finite table cell counts as missing), exit
//! with the documented code, and write its three outputs and nothing else. Then the
//! baseline artifact path: zip bombs and zip-slip archives through the extraction code,
//! directly and as a downloaded artifact.

#[allow(dead_code)]
mod support;

#[path = "../fuzz/src/input.rs"]
mod fuzz_input;

use benchgate::baseline::unzip::{extract, UnzipError, ZipLimits};
use benchgate::baseline::{artifacts as base_artifacts, WorkDir};
use benchgate::collect::decode;
use benchgate::context::{Base, Repo};
use benchgate::github::{Client, RetryPolicy};
use benchgate::parse::{self, parse_file, Input};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::fake_github::{self, FakeGithub, WRITE_TOKEN};
use zip::write::SimpleFileOptions;

const GOOD_CSV: &str = "model,tokens_s\ngemma3,100.5\ngemma3,101.5\ngemma3,99.5\n";

/// What one run of the binary did.
struct Outcome {
    code: i32,
    stderr: String,
    report: Value,
    comment: String,
    elapsed: Duration,
    /// Peak resident memory of the process, in KiB.
    peak_kib: u64,
}

impl Outcome {
    /// Entries (warnings and skipped files on either side) that name `path`.
    fn mentions(&self, path: &str) -> Vec<String> {
        let mut found = Vec::new();
        for w in self.report["warnings"].as_array().into_iter().flatten() {
            if w["path"] == path {
                found.push(format!("warning: {}", w["message"]));
            }
        }
        for side in ["base", "head"] {
            let skipped = &self.report["inventory"][side]["skipped"];
            for s in skipped.as_array().into_iter().flatten() {
                if s["path"] == path {
                    found.push(format!("skipped ({side}): {}", s["reason"]));
                }
            }
        }
        found
    }

    /// The single message about `path`, which the comment also shows.
    fn the_one_message(&self, path: &str) -> String {
        let found = self.mentions(path);
        assert_eq!(found.len(), 1, "{path}: {found:#?}");
        assert!(
            self.comment.contains(&path.replace('_', "\\_")),
            "the comment does not name {path}:\n{}",
            self.comment
        );
        found[0].clone()
    }

    fn series(&self) -> Vec<&Value> {
        self.report["deltas"].as_array().unwrap().iter().collect()
    }

    fn assert_clean(&self, code: i32, max: Duration, max_kib: u64) {
        eprintln!("ran {:?}, peak memory {} KiB", self.elapsed, self.peak_kib);
        assert_eq!(self.code, code, "exit code; stderr:\n{}", self.stderr);
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        assert!(self.elapsed <= max, "took {:?}", self.elapsed);
        assert!(
            self.peak_kib <= max_kib,
            "peak memory {} KiB over {max_kib} KiB",
            self.peak_kib
        );
    }
}

/// The peak resident set size of a running process, from `/proc`.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `benchgate compare` with its outputs in `out`, killing it after `limit`.
fn run_compare(cmd: Command, base: &Path, head: &Path, out: &Path, limit: Duration) -> Outcome {
    let mut cmd = cmd;
    cmd.arg("compare")
        .arg("--base")
        .arg(base)
        .arg("--head")
        .arg(head)
        .arg("--json")
        .arg(out.join("report.json"))
        .arg("--markdown")
        .arg(out.join("comment.md"))
        .arg("--summary")
        .arg(out.join("summary.md"))
        .current_dir(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let mut stderr_pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr_pipe.read_to_string(&mut s);
        s
    });
    let mut peak_kib = 0;
    let status = loop {
        if let Some(kib) = peak_rss_kib(child.id()) {
            peak_kib = peak_kib.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("benchgate compare ran longer than {limit:?}; killed");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = started.elapsed();
    let stderr = reader.join().unwrap();
    let report = fs::read_to_string(out.join("report.json"))
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or_else(|e| panic!("no report.json ({e}); stderr:\n{stderr}"));
    let comment = fs::read_to_string(out.join("comment.md")).unwrap();
    assert!(out.join("summary.md").is_file());
    Outcome {
        code: status.code().unwrap_or(-1),
        stderr,
        report,
        comment,
        elapsed,
        peak_kib,
    }
}

fn benchgate() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin!("benchgate"))
}

/// Every path below `root` (without following links).
fn tree(root: &Path) -> BTreeSet<PathBuf> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(|e| e.ok())
        .map(|e| e.path().strip_prefix(root).unwrap().to_path_buf())
        .collect()
}

/// A sandbox with `base/good.csv`, `head/good.csv` and an `out` folder; the run must add
/// exactly the three outputs to it.
struct Sandbox {
    root: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        Sandbox::in_dir(std::env::temp_dir())
    }

    fn in_dir(parent: PathBuf) -> Sandbox {
        let root = tempfile::tempdir_in(parent).unwrap();
        for dir in ["base", "head", "out"] {
            fs::create_dir(root.path().join(dir)).unwrap();
        }
        fs::write(root.path().join("base/good.csv"), GOOD_CSV).unwrap();
        fs::write(root.path().join("head/good.csv"), GOOD_CSV).unwrap();
        Sandbox { root }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    fn head(&self, rel: &str, bytes: &[u8]) {
        let path = self.path("head").join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }

    /// Runs the comparison and checks that only the three outputs were added.
    fn compare_with(&self, cmd: Command, limit: Duration) -> Outcome {
        let before = tree(self.root.path());
        let outcome = run_compare(
            cmd,
            &self.path("base"),
            &self.path("head"),
            &self.path("out"),
            limit,
        );
        let added: Vec<PathBuf> = tree(self.root.path())
            .difference(&before)
            .cloned()
            .collect();
        let expected: Vec<PathBuf> = ["out/comment.md", "out/report.json", "out/summary.md"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(added, expected, "files written besides the outputs");
        outcome
    }

    fn compare(&self, limit: Duration) -> Outcome {
        self.compare_with(benchgate(), limit)
    }
}

/// The good metric made it through unchanged (the run is not derailed by the bad file).
fn assert_good_metric_compared(outcome: &Outcome) {
    let good: Vec<&Value> = outcome
        .series()
        .into_iter()
        .filter(|d| d["source"] == "good.csv" && d["metric"] == "tokens_s")
        .collect();
    assert_eq!(good.len(), 1, "{:#}", outcome.report["deltas"]);
    assert_eq!(good[0]["status"], "unchanged");
    assert_eq!(good[0]["head"]["mean"], 100.5);
    assert_eq!(outcome.report["verdict"], "pass");
}

const MIB: u64 = 1024;
const SHORT: Duration = Duration::from_secs(60);

#[test]
fn a_sparse_two_gigabyte_file_is_skipped_without_being_read() {
    let sb = Sandbox::new();
    let huge = fs::File::create(sb.path("head/huge.json")).unwrap();
    huge.set_len(2 << 30).unwrap();
    let outcome = sb.compare(SHORT);
    outcome.assert_clean(0, SHORT, 256 * MIB);
    let message = outcome.the_one_message("huge.json");
    assert!(message.contains("too large: 2147483648 bytes"), "{message}");
    assert_good_metric_compared(&outcome);
}

#[test]
fn a_hundred_thousand_tiny_files_stay_within_time_and_the_file_limit() {
    // tmpfs when there is one: creating 100 001 files there takes a second or two.
    let shm = Path::new("/dev/shm");
    let sb = if shm.is_dir() && tempfile::tempdir_in(shm).is_ok() {
        Sandbox::in_dir(shm.to_path_buf())
    } else {
        Sandbox::new()
    };
    let started = Instant::now();
    let head = sb.path("head");
    const DIRS: usize = 100;
    const PER_DIR: usize = 1000;
    for d in 0..DIRS {
        let dir = head.join(format!("d{d:03}"));
        fs::create_dir(&dir).unwrap();
        // 99 999 files here, `good.csv` the 100 000th, `zz_last.txt` one too many.
        let files = if d == DIRS - 1 { PER_DIR - 1 } else { PER_DIR };
        for i in 0..files {
            // Epoch stamps: every file of a folder is a sample of one series.
            let epoch = 1_759_098_967 + i;
            let value = 50 + (i % 7);
            fs::write(
                dir.join(format!("run_{epoch}.txt")),
                format!("tokens_s: {value}\n"),
            )
            .unwrap();
        }
    }
    fs::write(head.join("zz_last.txt"), "tokens_s: 1\n").unwrap();
    let created = started.elapsed();
    assert!(
        created < Duration::from_secs(60),
        "creating took {created:?}"
    );

    let limit = Duration::from_secs(300);
    let outcome = sb.compare(limit);
    outcome.assert_clean(0, limit, 1024 * MIB);
    let message = outcome.the_one_message("zz_last.txt");
    assert!(message.contains("100000"), "{message}");
    assert_eq!(outcome.report["inventory"]["head"]["files"], 100_000);
    let folders: Vec<&Value> = outcome
        .series()
        .into_iter()
        .filter(|d| d["source"].as_str().unwrap().starts_with('d'))
        .collect();
    assert_eq!(folders.len(), DIRS);
    for (i, d) in folders.iter().enumerate() {
        let files = if i == DIRS - 1 { PER_DIR - 1 } else { PER_DIR };
        assert_eq!(d["head"]["n"], files, "{d:#}");
    }
    assert_good_metric_compared(&outcome);
}

#[test]
fn symlink_loops_and_links_out_of_the_tree_are_listed_not_followed() {
    use std::os::unix::fs::symlink;
    let sb = Sandbox::new();
    let head = sb.path("head");
    fs::create_dir(head.join("sub")).unwrap();
    symlink("..", head.join("sub/up")).unwrap();
    symlink("self.csv", head.join("self.csv")).unwrap();
    symlink("b.csv", head.join("a.csv")).unwrap();
    symlink("a.csv", head.join("b.csv")).unwrap();
    symlink("/etc", head.join("etc")).unwrap();
    symlink("/etc/passwd", head.join("passwd.csv")).unwrap();
    symlink("/nonexistent/x.csv", head.join("broken.csv")).unwrap();
    let outcome = sb.compare(SHORT);
    outcome.assert_clean(0, SHORT, 256 * MIB);
    for (path, what) in [
        ("sub/up", "not followed"),
        ("self.csv", "cannot be resolved"),
        ("a.csv", "cannot be resolved"),
        ("b.csv", "cannot be resolved"),
        ("etc", "outside"),
        ("passwd.csv", "outside"),
        ("broken.csv", "broken"),
    ] {
        let message = outcome.the_one_message(path);
        assert!(message.contains(what), "{path}: {message}");
    }
    assert_good_metric_compared(&outcome);
}

#[test]
fn a_file_rewritten_during_the_scan_never_crashes_the_run() {
    let sb = Sandbox::new();
    let target = sb.path("head/live.csv");
    fs::write(&target, GOOD_CSV).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let target = target.clone();
        std::thread::spawn(move || {
            let mut round = 0u64;
            while !stop.load(Ordering::Relaxed) {
                round += 1;
                // Truncate, then grow it row by row, sometimes cutting a row in half.
                let mut f = fs::OpenOptions::new()
                    .write(true)
                    .truncate(true)
                    .open(&target)
                    .unwrap();
                f.write_all(b"model,tokens_s\n").unwrap();
                for i in 0..200 {
                    let row = format!("m{},{}.5\n", i % 3, 90 + i % 20);
                    let cut = if (round + i).is_multiple_of(17) {
                        row.len() / 2
                    } else {
                        row.len()
                    };
                    f.write_all(&row.as_bytes()[..cut]).unwrap();
                }
                f.set_len(if round.is_multiple_of(3) { 7 } else { 2_000 })
                    .unwrap();
            }
            round
        })
    };
    for _ in 0..5 {
        let outcome = sb.compare(SHORT);
        outcome.assert_clean(0, SHORT, 256 * MIB);
        // A reason and "no benchmark metrics found" when it was caught half-written.
        let said = outcome.mentions("live.csv");
        assert!(said.len() <= 2, "{said:#?}");
        assert_good_metric_compared(&outcome);
        fs::remove_dir_all(sb.path("out")).unwrap();
        fs::create_dir(sb.path("out")).unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    assert!(writer.join().unwrap() > 5, "the writer barely ran");
}

/// The uid of this process, from `/proc`.
fn euid() -> u32 {
    let status = fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Uid:")).unwrap();
    line.split_whitespace().nth(2).unwrap().parse().unwrap()
}

#[test]
fn unreadable_files_and_folders_are_skipped_by_name() {
    use std::os::unix::process::CommandExt;
    let sb = Sandbox::new();
    sb.head("secret.csv", GOOD_CSV.as_bytes());
    sb.head("locked/inner.csv", GOOD_CSV.as_bytes());
    let chmod = |rel: &str, mode: u32| {
        fs::set_permissions(sb.path(rel), fs::Permissions::from_mode(mode)).unwrap()
    };
    // Root reads everything whatever the mode, so as root the binary runs as `nobody`
    // (uid and gid 65534), from a copy it can reach, over a tree it may read and an
    // output folder it may write.
    let cmd = if euid() == 0 {
        let bin = sb.path("bin/benchgate");
        fs::create_dir(sb.path("bin")).unwrap();
        fs::copy(assert_cmd::cargo::cargo_bin!("benchgate"), &bin).unwrap();
        for (rel, mode) in [
            ("", 0o755),
            ("bin", 0o755),
            ("base", 0o755),
            ("head", 0o755),
        ] {
            chmod(rel, mode);
        }
        chmod("out", 0o777);
        let mut cmd = Command::new(&bin);
        cmd.uid(65534).gid(65534);
        cmd
    } else {
        benchgate()
    };
    chmod("head/secret.csv", 0o000);
    chmod("head/locked", 0o000);
    let outcome = sb.compare_with(cmd, SHORT);
    chmod("head/locked", 0o755);
    outcome.assert_clean(0, SHORT, 256 * MIB);
    let message = outcome.the_one_message("secret.csv");
    assert!(message.contains("ermission denied"), "{message}");
    let message = outcome.the_one_message("locked");
    assert!(message.contains("ermission denied"), "{message}");
    assert_good_metric_compared(&outcome);
}

fn utf16le(text: &str, bom: bool) -> Vec<u8> {
    let mut out = if bom { vec![0xFF, 0xFE] } else { vec![] };
    out.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    out
}

fn utf16be(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect()
}

#[test]
fn foreign_encodings_are_decoded_or_skipped_by_name() {
    let sb = Sandbox::new();
    sb.head(
        "utf16le.csv",
        &utf16le("model,eval_tps\nllama,42.5\n", true),
    );
    sb.head("utf16be.csv", &utf16be("model,prompt_tps\nllama,420.5\n"));
    // Latin-1: `modèle,débit` with single bytes 0xE8 and 0xE9.
    sb.head("latin1.csv", b"mod\xe8le,tokens_s\ncaf\xe9,12.5\n");
    sb.head(
        "garbage.json",
        &[0xC3, 0x28, 0xA0, 0xA1, 0xE2, 0x28, 0xA1, 0xF0, 0x28],
    );
    let mut mostly = b"model,ttft_ms\n".to_vec();
    for i in 0..200 {
        mostly.extend(format!("m,{}.25\n", 100 + i % 5).as_bytes());
    }
    mostly.extend(b"stray \xff byte,1\n");
    sb.head("stray.csv", &mostly);

    let outcome = sb.compare(SHORT);
    outcome.assert_clean(0, SHORT, 256 * MIB);
    let mean_of = |source: &str, metric: &str| {
        outcome
            .series()
            .into_iter()
            .find(|d| d["source"] == source && d["metric"] == metric)
            .unwrap_or_else(|| panic!("{source} {metric}: {:#}", outcome.report["deltas"]))["head"]
            ["mean"]
            .clone()
    };
    assert_eq!(mean_of("utf16le.csv", "eval_tps"), 42.5);
    assert_eq!(mean_of("utf16be.csv", "prompt_tps"), 420.5);
    assert_eq!(mean_of("stray.csv", "ttft_ms"), 102.25);
    for (path, says) in [
        ("latin1.csv", "not UTF-8"),
        ("garbage.json", "not UTF-8"),
        ("stray.csv", "U+FFFD"),
    ] {
        let message = outcome.the_one_message(path);
        assert!(message.contains(says), "{path}: {message}");
    }
    assert_good_metric_compared(&outcome);
}

#[test]
fn non_finite_and_out_of_range_numbers_never_become_samples() {
    let sb = Sandbox::new();
    sb.head("nan.json", br#"{"bench": {"tokens_s": NaN}}"#);
    sb.head("inf.json", br#"[{"name": "a", "tokens_s": Infinity}]"#);
    sb.head("huge_number.json", br#"{"bench": {"tokens_s": 1e309}}"#);
    sb.head(
        "nonfinite.csv",
        b"model,tokens_s\na,NaN\nb,inf\nc,1e309\nd,-Infinity\ne,50.5\n",
    );
    let outcome = sb.compare(SHORT);
    outcome.assert_clean(0, SHORT, 256 * MIB);
    for path in ["nan.json", "inf.json", "huge_number.json"] {
        outcome.the_one_message(path);
    }
    // In a table, a non-finite cell is a missing value, like `-` or `n/a`.
    let kept: Vec<&Value> = outcome
        .series()
        .into_iter()
        .filter(|d| d["source"] == "nonfinite.csv")
        .collect();
    assert_eq!(kept.len(), 1, "{kept:#?}");
    assert_eq!(kept[0]["head"]["n"], 1);
    assert_eq!(kept[0]["head"]["mean"], 50.5);
    for d in outcome.series() {
        for stat in ["mean", "median", "min", "max"] {
            let v = &d["head"][stat];
            assert!(
                v.is_null() || v.as_f64().is_some_and(f64::is_finite),
                "{d:#}"
            );
        }
    }
    assert!(!outcome.comment.contains("| NaN") && !outcome.comment.contains("∞"));
    assert_good_metric_compared(&outcome);
}

#[test]
fn ten_thousand_levels_of_nesting_are_refused_not_recursed() {
    let sb = Sandbox::new();
    let depth = 10_000;
    let arrays = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    let objects = format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
    sb.head("arrays.json", arrays.as_bytes());
    sb.head("objects.json", objects.as_bytes());
    sb.head("lines.ndjson", format!("{objects}\n{arrays}\n").as_bytes());
    sb.head(
        "hidden.md",
        format!("# Results\n\n<!-- {objects} -->\n\n| a | b |\n|---|---|\n| x | 1 |\n").as_bytes(),
    );
    sb.head(
        "deep.xml",
        format!(
            "{}{}",
            "<Section>".repeat(depth),
            "</Section>".repeat(depth)
        )
        .as_bytes(),
    );
    let outcome = sb.compare(SHORT);
    outcome.assert_clean(0, SHORT, 256 * MIB);
    for path in ["arrays.json", "objects.json", "deep.xml"] {
        outcome.the_one_message(path);
    }
    // Newline-delimited JSON is judged line by line: one warning per line, then the file.
    let lines = outcome.mentions("lines.ndjson");
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(
        lines[..2].iter().all(|m| m.contains("recursion limit")),
        "{lines:#?}"
    );
    assert!(outcome.mentions("hidden.md").len() <= 1);
    assert_good_metric_compared(&outcome);
}

#[test]
fn a_csv_with_ten_thousand_columns_stays_within_time_and_the_comment_cap() {
    let sb = Sandbox::new();
    let columns = 10_000;
    let header: Vec<String> = (0..columns).map(|c| format!("c{c}_ms")).collect();
    let mut text = format!("model,{}\n", header.join(","));
    for row in 0..3 {
        let cells: Vec<String> = (0..columns).map(|c| format!("{}.5", c + row)).collect();
        text.push_str(&format!("m,{}\n", cells.join(",")));
    }
    sb.head("wide.csv", text.as_bytes());
    let limit = Duration::from_secs(120);
    let outcome = sb.compare(limit);
    outcome.assert_clean(0, limit, 512 * MIB);
    let wide = outcome
        .series()
        .into_iter()
        .filter(|d| d["source"] == "wide.csv")
        .count();
    let said = outcome.mentions("wide.csv");
    // Either every column is a metric, or the file's metrics were capped with a warning.
    assert!(
        wide == columns || (wide > 0 && said.len() == 1),
        "{wide} metrics, {said:?}"
    );
    assert!(outcome.comment.len() <= benchgate::render::COMMENT_BUDGET);
    assert_eq!(outcome.report["counts"]["new"], wide);
    assert_good_metric_compared(&outcome);
}

// ---- the baseline artifact path ----

enum Entry<'a> {
    File(&'a str, &'a [u8]),
    Dir(&'a str),
    Link(&'a str, &'a str),
}

fn zip_bytes(entries: &[Entry]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for e in entries {
        match e {
            Entry::File(name, data) => {
                w.start_file(*name, opts).unwrap();
                w.write_all(data).unwrap();
            }
            Entry::Dir(name) => w.add_directory(*name, opts).unwrap(),
            Entry::Link(name, target) => w.add_symlink(*name, *target, opts).unwrap(),
        }
    }
    w.finish().unwrap().into_inner()
}

/// A sandbox whose extraction folder sits a few levels down, so that an entry climbing
/// out with `..` lands somewhere the check sees.
struct Extraction {
    root: tempfile::TempDir,
}

impl Extraction {
    fn new() -> Extraction {
        Extraction {
            root: tempfile::tempdir().unwrap(),
        }
    }

    fn dest(&self) -> PathBuf {
        self.root.path().join("a/b/c/out")
    }

    fn run(&self, zip: &[u8], limits: &ZipLimits) -> (Result<usize, UnzipError>, Duration) {
        let path = self.root.path().join("artifact.zip");
        fs::write(&path, zip).unwrap();
        let started = Instant::now();
        let result = extract(&path, &self.dest(), limits).map(|x| x.files);
        let elapsed = started.elapsed();
        // Nothing but the archive itself outside the destination, no link anywhere.
        let outside: Vec<PathBuf> = tree(self.root.path())
            .into_iter()
            .filter(|p| !p.starts_with("a/b/c/out"))
            .filter(|p| !["", "a", "a/b", "a/b/c", "artifact.zip"].contains(&p.to_str().unwrap()))
            .collect();
        assert!(outside.is_empty(), "written outside: {outside:?}");
        for entry in walkdir::WalkDir::new(self.root.path()) {
            assert!(!entry.unwrap().path_is_symlink(), "a link was written");
        }
        (result, elapsed)
    }

    /// Regular files the extraction left in its folder.
    fn left(&self) -> Vec<PathBuf> {
        tree(&self.dest())
            .into_iter()
            .filter(|p| self.dest().join(p).is_file())
            .collect()
    }
}

const SMALL: ZipLimits = ZipLimits {
    max_files: 50,
    max_bytes: 1 << 20,
};

#[test]
fn zip_slip_archives_are_rejected_and_leave_nothing_behind() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "parent",
            zip_bytes(&[
                Entry::File("ok.csv", b"a,b\n"),
                Entry::File("../../../../escape.csv", b"x"),
            ]),
        ),
        (
            "nested parent",
            zip_bytes(&[
                Entry::File("ok.csv", b"a,b\n"),
                Entry::File("x/../../../escape.csv", b"x"),
            ]),
        ),
        (
            "absolute",
            zip_bytes(&[
                Entry::File("ok.csv", b"a,b\n"),
                Entry::File("/tmp/benchgate-escape.csv", b"x"),
            ]),
        ),
        (
            "backslashes",
            zip_bytes(&[
                Entry::File("ok.csv", b"a,b\n"),
                Entry::File("..\\..\\..\\escape.csv", b"x"),
            ]),
        ),
        (
            "drive",
            zip_bytes(&[
                Entry::File("ok.csv", b"a,b\n"),
                Entry::File("C:\\escape.csv", b"x"),
            ]),
        ),
        (
            "symlink then write through it",
            zip_bytes(&[
                Entry::File("ok.csv", b"a,b\n"),
                Entry::Link("link", "../../.."),
                Entry::File("link/escape.csv", b"x"),
            ]),
        ),
        ("absolute symlink", zip_bytes(&[Entry::Link("etc", "/etc")])),
        (
            "directory above",
            zip_bytes(&[
                Entry::Dir("ok/"),
                Entry::File("ok/x.csv", b"a,b\n"),
                Entry::Dir("../up/"),
            ]),
        ),
    ];
    for (what, zip) in cases {
        let ex = Extraction::new();
        let (result, elapsed) = ex.run(&zip, &SMALL);
        let err = result.expect_err(what);
        assert!(matches!(err, UnzipError::Unsafe { .. }), "{what}: {err}");
        assert!(err.to_string().contains("artifact.zip"), "{what}: {err}");
        assert!(elapsed < Duration::from_secs(5));
        assert_eq!(
            ex.left(),
            Vec::<PathBuf>::new(),
            "{what}: a rejected archive's files were kept"
        );
    }
    assert!(!Path::new("/tmp/benchgate-escape.csv").exists());
}

/// A zip whose one entry says it holds `claimed` bytes, while its deflated data expands
/// to `real` zero bytes: the sizes in both headers are rewritten after writing.
fn lying_zip(real: usize, claimed: u32) -> Vec<u8> {
    let mut bytes = zip_bytes(&[Entry::File("zeros.csv", &vec![0u8; real])]);
    let real = u32::try_from(real).unwrap().to_le_bytes();
    let fake = claimed.to_le_bytes();
    // Local header: uncompressed size at offset 22; central header: at offset 24.
    let patch = |bytes: &mut Vec<u8>, sig: &[u8], offset: usize| {
        let at = bytes.windows(4).position(|w| w == sig).unwrap() + offset;
        assert_eq!(bytes[at..at + 4], real);
        bytes[at..at + 4].copy_from_slice(&fake);
    };
    patch(&mut bytes, b"PK\x03\x04", 22);
    patch(&mut bytes, b"PK\x01\x02", 24);
    bytes
}

#[test]
fn zip_bombs_stop_at_the_byte_and_entry_caps() {
    // 8 MiB of zeros deflate to a few KiB: a ratio of about 1000.
    let bomb = zip_bytes(&[
        Entry::File("ok.csv", b"a,b\n1,2\n"),
        Entry::File("zeros.csv", &vec![0u8; 8 << 20]),
    ]);
    assert!(bomb.len() < 64 * 1024);
    let lying = lying_zip(8 << 20, 100);
    let names: Vec<String> = (0..=SMALL.max_files).map(|i| format!("f{i}.csv")).collect();
    let flood_entries: Vec<Entry> = names.iter().map(|n| Entry::File(n, b"a,b\n")).collect();
    let flood = zip_bytes(&flood_entries);
    let inner = zip_bytes(&[Entry::File("zeros.csv", &vec![0u8; 4 << 20])]);
    let nested = zip_bytes(&[Entry::File("inner.zip", &inner)]);

    for (what, zip, says) in [
        ("ratio bomb", bomb, "inflates to more than"),
        (
            "lying sizes",
            lying,
            "larger than its declared uncompressed size",
        ),
        ("entry flood", flood, "entries, more than the limit"),
    ] {
        let ex = Extraction::new();
        let (result, elapsed) = ex.run(&zip, &SMALL);
        let err = result.expect_err(what);
        assert!(
            matches!(
                err,
                UnzipError::TooLarge { .. } | UnzipError::Corrupt { .. }
            ),
            "{what}: {err}"
        );
        assert!(err.to_string().contains(says), "{what}: {err}");
        assert!(elapsed < Duration::from_secs(10), "{what}: {elapsed:?}");
        assert_eq!(
            ex.left(),
            Vec::<PathBuf>::new(),
            "{what}: files of a rejected archive were kept"
        );
    }
    // A zip inside the artifact is a file like any other: never expanded.
    let ex = Extraction::new();
    let (result, _) = ex.run(&nested, &SMALL);
    assert_eq!(result.unwrap(), 1);
    assert_eq!(ex.left(), vec![PathBuf::from("inner.zip")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_artifacts_are_set_aside_with_a_note_and_the_clean_one_is_used() {
    let fake = FakeGithub::start();
    let sha = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
    fake.with(|s| {
        let run = s.add_run("bench.yml", "main", "push", sha, "2025-10-06T10:00:00Z");
        s.add_artifact(
            run,
            "bench-slip",
            zip_bytes(&[
                Entry::File("slip/ok.csv", b"model,tokens_s\nx,1\n"),
                Entry::File("../../escape.csv", b"x"),
            ]),
            false,
        );
        s.add_artifact(
            run,
            "bench-bomb",
            zip_bytes(&[
                Entry::File("bomb/ok.csv", b"model,tokens_s\nx,1\n"),
                Entry::File("bomb/zeros.csv", &vec![0u8; 4 << 20]),
            ]),
            false,
        );
        s.add_artifact(
            run,
            "bench-good",
            fake_github::zip_of(&[("llm/runs.csv".to_string(), GOOD_CSV.as_bytes().to_vec())]),
            false,
        );
    });
    let client = Client::new(
        &fake.api_url,
        Some(WRITE_TOKEN.to_string()),
        RetryPolicy {
            base_delay: Duration::from_millis(20),
            ..RetryPolicy::default()
        },
    )
    .unwrap();
    let repo = Repo::parse("acme/widgets").unwrap();
    let base = Base::Ref {
        name: "main".into(),
        sha: Some(sha.into()),
    };
    let parent = tempfile::tempdir().unwrap();
    let work = WorkDir::create(Some(parent.path())).unwrap();
    let search = base_artifacts::Search {
        client: &client,
        repo: &repo,
        workflow: "bench.yml",
        base: &base,
        exclude_run: None,
        artifact_name: "bench-*",
        history: 1,
        limits: base_artifacts::Limits {
            zip: ZipLimits {
                max_files: 100,
                max_bytes: 1 << 20,
            },
            total: ZipLimits {
                max_files: 1000,
                max_bytes: 1 << 22,
            },
            max_download_bytes: 1 << 20,
        },
        head_folders: &Default::default(),
    };
    let baseline = base_artifacts::fetch(&search, &work).await.unwrap();
    assert_eq!(baseline.snapshots.len(), 1);
    let dir = &baseline.snapshots[0].dir;
    let files: Vec<PathBuf> = tree(dir)
        .into_iter()
        .filter(|p| dir.join(p).is_file())
        .collect();
    assert_eq!(files, vec![PathBuf::from("llm/runs.csv")]);
    for name in ["bench-slip", "bench-bomb"] {
        let notes: Vec<&String> = baseline.notes.iter().filter(|n| n.contains(name)).collect();
        assert_eq!(notes.len(), 1, "{name}: {:#?}", baseline.notes);
        assert!(notes[0].contains("was not used"), "{}", notes[0]);
    }
    let outside: Vec<PathBuf> = tree(parent.path())
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "escape.csv"))
        .collect();
    assert!(outside.is_empty(), "{outside:?}");
}

// ---- inputs that once crashed a parser ----

/// Every input the fuzzers found a crash with (kept in tests/fixtures/crashes/, in the
/// fuzz input layout `PATH\nCONTENT`) goes through the decoder and `parse_file`, and
/// through every adapter directly, without a panic.
#[test]
fn every_saved_crash_input_is_parsed_without_a_panic() {
    let mut replayed = Vec::new();
    for entry in fs::read_dir("tests/fixtures/crashes").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let data = fs::read(&path).unwrap();
        let (virtual_path, content) = fuzz_input::split(&data);
        let lossy = String::from_utf8_lossy(content).into_owned();
        let text = decode(content.to_vec()).map_or(lossy.clone(), |t| t.text);
        let input = Input {
            path: &virtual_path,
            text: &text,
        };
        let parsed = parse_file(&input);
        assert!(
            !parsed.series.is_empty() || parsed.warnings.iter().any(|w| w.path == virtual_path),
            "{}: no series and no warning",
            path.display()
        );
        // Compared with itself, every prepared series is a row or folded into one.
        let (merged, _) = benchgate::model::merge_series(parsed.series.clone());
        let policy = benchgate::config::Policy::default();
        let comparison = benchgate::compare::compare(&merged, &merged, &policy);
        let (prepared, _) = policy.prepare(merged);
        let represented: usize = comparison.deltas.iter().map(|d| 1 + d.merged.len()).sum();
        assert_eq!(represented, prepared.len(), "{}", path.display());
        let raw = Input {
            path: &virtual_path,
            text: &lossy,
        };
        for adapter in parse::adapters() {
            adapter.detect(&raw);
            let _ = adapter.parse(&raw);
        }
        replayed.push(path);
    }
    // The folder explains its layout; every other file in it is replayed above.
    assert!(Path::new("tests/fixtures/crashes/README.md").is_file());
    eprintln!("replayed {} saved crash input(s)", replayed.len());
}
