//! The collect stage and the scan pipeline on the real Chimeraforge artifact tree and on
//! hostile trees built in temporary directories.

use benchgate::collect::{
    self, iso8601_utc, read_text, CollectError, CollectOptions, Encoding, InventorySummary,
};
use benchgate::model::{Direction, Origin, Series, SeriesKey};
use benchgate::parse::{Input, Parsed};
use benchgate::scan::{scan, scan_with, ScanError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

const ARTIFACTS: &str = "tests/fixtures/chimeraforge/artifacts";

/// Every regular file under `dir` (recursively) with its size and modification time.
fn files_on_disk(dir: &Path) -> Vec<(PathBuf, u64, SystemTime)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = entry.metadata().unwrap();
        if meta.is_dir() {
            out.extend(files_on_disk(&entry.path()));
        } else {
            out.push((entry.path(), meta.len(), meta.modified().unwrap()));
        }
    }
    out
}

fn options() -> CollectOptions {
    CollectOptions::default()
}

fn skip_reason<'a>(inv: &'a InventorySummary, path: &str) -> &'a str {
    inv.skipped
        .iter()
        .find(|s| s.path == path)
        .map(|s| s.reason.as_str())
        .unwrap_or_else(|| panic!("{path} is not listed as skipped: {:#?}", inv.skipped))
}

#[test]
fn inventory_of_the_chimeraforge_artifacts() {
    let result = scan(Path::new(ARTIFACTS), &options()).unwrap();
    let inv = &result.inventory;
    let on_disk = files_on_disk(Path::new(ARTIFACTS));

    assert_eq!(inv.files, 104);
    assert_eq!(inv.files, on_disk.len());
    let kinds: BTreeMap<String, usize> = [("csv", 29), ("json", 44), ("md", 31)]
        .into_iter()
        .map(|(k, n)| (k.to_string(), n))
        .collect();
    assert_eq!(inv.by_kind, kinds);
    let dirs: BTreeMap<String, usize> = [("artifacts", 3), ("csv_data", 18), ("reports", 83)]
        .into_iter()
        .map(|(k, n)| (k.to_string(), n))
        .collect();
    assert_eq!(inv.by_dir, dirs);
    assert_eq!(
        inv.bytes,
        on_disk.iter().map(|(_, size, _)| size).sum::<u64>()
    );
    let newest = on_disk.iter().map(|(_, _, m)| *m).max().unwrap();
    assert_eq!(inv.latest_modified.as_deref(), Some(&*iso8601_utc(newest)));
    assert!(inv.skipped.is_empty(), "{:#?}", inv.skipped);
    assert_eq!(inv.unmatched, 0);

    let mut sorted = result.warnings.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(result.warnings, sorted, "warnings are sorted and unique");
    assert!(!result.series.is_empty());
}

#[test]
fn the_utf16_error_message_csv_is_decoded_not_skipped() {
    let walk = collect::walk(Path::new(ARTIFACTS), &options()).unwrap();
    let file = walk
        .files
        .iter()
        .find(|f| f.rel_path == "reports/ncu_summary.csv")
        .unwrap();
    let text = read_text(file, 1 << 20).unwrap();
    assert_eq!(text.encoding, Encoding::Utf16Le);
    assert_eq!(
        text.text,
        "==ERROR== the argument for option '--page' is invalid. Use --help for further details.\r\n"
    );

    let result = inventory_only(&options()).unwrap();
    assert!(result.inventory.skipped.is_empty());
    let notes: Vec<&str> = result
        .warnings
        .iter()
        .filter(|w| w.path == "reports/ncu_summary.csv")
        .map(|w| w.message.as_str())
        .collect();
    assert!(
        notes
            .iter()
            .any(|m| m.contains("UTF-16LE") && m.contains("decoded back")),
        "{notes:?}"
    );
}

/// The inventory of the artifact tree without parsing (a parser that finds nothing).
fn inventory_only(options: &CollectOptions) -> Result<benchgate::scan::ScanResult, ScanError> {
    scan_with(Path::new(ARTIFACTS), options, |_| Parsed::default())
}

#[test]
fn include_and_exclude_globs() {
    let only_md = CollectOptions {
        include: vec!["**/*.md".to_string()],
        ..options()
    };
    let inv = inventory_only(&only_md).unwrap().inventory;
    assert_eq!(inv.files, 31);
    assert_eq!(inv.unmatched, 104 - 31);

    let no_csv_data = CollectOptions {
        exclude: vec!["csv_data/**".to_string(), "**/*.csv".to_string()],
        ..options()
    };
    let inv = inventory_only(&no_csv_data).unwrap().inventory;
    assert_eq!(
        skip_reason(&inv, "csv_data/"),
        "excluded by pattern `csv_data/**`"
    );
    assert_eq!(
        inv.skipped
            .iter()
            .filter(|s| s.path.starts_with("csv_data/"))
            .count(),
        1,
        "a pruned directory is listed once, not file by file"
    );
    let reports_csv = files_on_disk(Path::new(ARTIFACTS))
        .iter()
        .filter(|(p, _, _)| {
            !p.starts_with(format!("{ARTIFACTS}/csv_data"))
                && p.extension().is_some_and(|e| e == "csv")
        })
        .count();
    assert_eq!(inv.files, 104 - 18 - reports_csv);
    assert_eq!(inv.skipped.len(), 1 + reports_csv);
    assert_eq!(
        skip_reason(&inv, "reports/ncu_summary.csv"),
        "excluded by pattern `**/*.csv`"
    );

    // `*` does not cross `/`: `reports/*.md` leaves the Markdown in subdirectories alone,
    // while a pattern that matches a directory prunes all of it (as in .gitignore).
    let top_md = CollectOptions {
        exclude: vec!["reports/*.md".to_string(), "reports/gemma*".to_string()],
        ..options()
    };
    let inv = inventory_only(&top_md).unwrap().inventory;
    let reports = files_on_disk(Path::new(&format!("{ARTIFACTS}/reports")));
    let direct_md = reports
        .iter()
        .filter(|(p, _, _)| {
            p.parent() == Some(Path::new(&format!("{ARTIFACTS}/reports")))
                && p.extension().is_some_and(|e| e == "md")
        })
        .count();
    let gemma = files_on_disk(Path::new(&format!("{ARTIFACTS}/reports/gemma3"))).len();
    assert!(direct_md > 0 && gemma > 0);
    assert_eq!(inv.files, 104 - direct_md - gemma);
    assert_eq!(
        skip_reason(&inv, "reports/gemma3/"),
        "excluded by pattern `reports/gemma*`"
    );
    assert_eq!(
        skip_reason(&inv, "reports/README.md"),
        "excluded by pattern `reports/*.md`"
    );
}

#[test]
fn limits_on_file_count_and_size() {
    let ten = CollectOptions {
        max_files: 10,
        ..options()
    };
    let inv = inventory_only(&ten).unwrap().inventory;
    assert_eq!(inv.files, 10);
    assert_eq!(inv.skipped.len(), 1);
    assert!(inv.skipped[0].reason.starts_with("over the file limit"));

    let on_disk = files_on_disk(Path::new(ARTIFACTS));
    let limit = 4096;
    let small = CollectOptions {
        max_file_size: limit,
        ..options()
    };
    let inv = inventory_only(&small).unwrap().inventory;
    let big = on_disk.iter().filter(|(_, size, _)| *size > limit).count();
    assert!(big > 0);
    assert_eq!(inv.files, 104 - big);
    assert_eq!(inv.skipped.len(), big);
    assert!(inv
        .skipped
        .iter()
        .all(|s| s.reason.starts_with("too large: ") && s.reason.contains("limit of 4096 bytes")));
}

#[test]
fn bad_root_and_bad_pattern_are_usage_errors() {
    let err = scan(Path::new("tests/fixtures/no-such-dir"), &options()).unwrap_err();
    assert!(err.is_usage());
    assert!(matches!(
        err,
        ScanError::Collect(CollectError::RootNotFound(_))
    ));
    assert!(err.to_string().contains("tests/fixtures/no-such-dir"));

    let file_root = scan(Path::new("Cargo.toml"), &options()).unwrap_err();
    assert!(matches!(
        file_root,
        ScanError::Collect(CollectError::NotADirectory(_))
    ));

    let bad = CollectOptions {
        include: vec!["**/*.{csv".to_string()],
        ..options()
    };
    let err = scan(Path::new(ARTIFACTS), &bad).unwrap_err();
    assert!(err.is_usage());
    assert!(err.to_string().contains("`**/*.{csv`"), "{err}");
}

/// A parser that yields one `lines` series per file and panics on files named `boom.*`.
fn counting_parser(input: &Input) -> Parsed {
    assert!(!input.path.starts_with("boom."), "parser bug on purpose");
    let mut series = Series::new(
        SeriesKey::new("all", "lines", "count"),
        "",
        Direction::Neutral,
    );
    series.samples.push(input.text.lines().count() as f64);
    series.origin.push(Origin::new(input.path, ""));
    Parsed {
        series: vec![series],
        warnings: Vec::new(),
        format: "test",
    }
}

#[test]
fn a_panicking_parser_becomes_a_warning_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.csv"), "x\n1\n").unwrap();
    std::fs::write(dir.path().join("boom.csv"), "x\n").unwrap();
    std::fs::write(dir.path().join("c.csv"), "x\n1\n2\n").unwrap();

    let result = scan_with(dir.path(), &options(), counting_parser).unwrap();
    assert_eq!(result.inventory.files, 3);
    assert_eq!(result.series.len(), 1);
    assert_eq!(result.series[0].samples, vec![2.0, 3.0]);
    assert_eq!(
        result.series[0].origin,
        vec![Origin::new("a.csv", ""), Origin::new("c.csv", "")]
    );
    assert_eq!(result.warnings.len(), 1);
    assert_eq!(result.warnings[0].path, "boom.csv");
    assert!(result.warnings[0]
        .message
        .contains("the parser crashed on this file (parser bug on purpose)"));
}

#[cfg(unix)]
#[test]
fn hostile_tree_is_reported_file_by_file() {
    use std::os::unix::fs::{symlink, PermissionsExt};

    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.csv"), "name,value\nleak,1\n").unwrap();

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |name: &str, bytes: &[u8]| std::fs::write(root.join(name), bytes).unwrap();
    write("good.csv", b"name,tokens_s\na,12.5\n");
    std::fs::create_dir(root.join("sub")).unwrap();
    write("sub/nested.json", br#"{"mean_ms": 3}"#);
    write("binary.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR");
    write("latin1.csv", b"name;time \xB5s\nfoo;1\n");
    let mut mostly_utf8 = "name,tokens_s\n".repeat(20).into_bytes();
    mostly_utf8[100] = 0xFF;
    write("mostly_utf8.csv", &mostly_utf8);
    write("empty.md", b"");
    write("notes.png", b"not matched");
    let big = std::fs::File::create(root.join("huge.json")).unwrap();
    big.set_len(2 * 1024 * 1024 * 1024).unwrap();
    drop(big);
    symlink(root.join("loop_b.csv"), root.join("loop_a.csv")).unwrap();
    symlink(root.join("loop_a.csv"), root.join("loop_b.csv")).unwrap();
    symlink(root, root.join("sub/back_to_root")).unwrap();
    symlink(outside.path().join("secret.csv"), root.join("outside.csv")).unwrap();
    symlink(outside.path(), root.join("outside_dir")).unwrap();
    symlink(root.join("good.csv"), root.join("alias.csv")).unwrap();
    symlink(root.join("missing.csv"), root.join("dangling.csv")).unwrap();
    write("locked.csv", b"name,value\nx,1\n");
    std::fs::set_permissions(root.join("locked.csv"), PermissionsExt::from_mode(0o000)).unwrap();
    std::fs::create_dir(root.join("locked_dir")).unwrap();
    write("locked_dir/inner.csv", b"name,value\ny,2\n");
    std::fs::set_permissions(root.join("locked_dir"), PermissionsExt::from_mode(0o000)).unwrap();
    let fifo = std::process::Command::new("mkfifo")
        .arg(root.join("pipe.csv"))
        .status()
        .is_ok_and(|s| s.success());

    let started = std::time::Instant::now();
    let result = scan_with(root, &options(), counting_parser).unwrap();
    assert!(
        started.elapsed().as_secs() < 10,
        "a 2 GB sparse file is never read"
    );
    let inv = &result.inventory;

    assert_eq!(
        skip_reason(inv, "huge.json"),
        "too large: 2147483648 bytes, over the limit of 67108864 bytes (max file size)"
    );
    assert_eq!(
        skip_reason(inv, "binary.csv"),
        "binary file (contains zero bytes); not text"
    );
    assert_eq!(
        skip_reason(inv, "latin1.csv"),
        "not UTF-8 or UTF-16 text: 1 invalid byte(s), the first at byte 10; convert the file to UTF-8"
    );
    assert_eq!(skip_reason(inv, "empty.md"), "empty file");
    assert!(skip_reason(inv, "loop_a.csv").starts_with("symbolic link that cannot be resolved"));
    assert!(skip_reason(inv, "loop_b.csv").starts_with("symbolic link that cannot be resolved"));
    assert_eq!(
        skip_reason(inv, "sub/back_to_root"),
        "symbolic link to `.` inside the scanned directory; not followed (the target is scanned under its own path)"
    );
    assert_eq!(
        skip_reason(inv, "alias.csv"),
        "symbolic link to `good.csv` inside the scanned directory; not followed (the target is scanned under its own path)"
    );
    for link in ["outside.csv", "outside_dir"] {
        assert_eq!(
            skip_reason(inv, link),
            "symbolic link to a target outside the scanned directory; not followed"
        );
    }
    assert_eq!(
        skip_reason(inv, "dangling.csv"),
        "broken symbolic link; not followed"
    );
    if fifo {
        assert_eq!(
            skip_reason(inv, "pipe.csv"),
            "not a regular file (FIFO, socket or device); not read"
        );
    }

    // Permissions do not stop a privileged user (tests often run as root): the file is then
    // read like any other; otherwise it is listed as unreadable.
    let locked_is_readable = std::fs::read(root.join("locked.csv")).is_ok();
    let mut read = vec!["good.csv", "mostly_utf8.csv", "sub/nested.json"];
    if locked_is_readable {
        read.extend(["locked.csv", "locked_dir/inner.csv"]);
    } else {
        assert!(skip_reason(inv, "locked.csv").starts_with("unreadable: "));
        assert!(skip_reason(inv, "locked_dir").starts_with("unreadable: "));
    }
    std::fs::set_permissions(root.join("locked_dir"), PermissionsExt::from_mode(0o755)).unwrap();
    read.sort();
    let mut origins: Vec<&str> = result.series[0].origin.iter().map(|o| &*o.path).collect();
    origins.sort();
    assert_eq!(
        origins, read,
        "nothing outside the root or behind a link was read"
    );
    assert_eq!(inv.files, read.len());
    assert_eq!(inv.unmatched, 1, "notes.png");
    assert_eq!(
        inv.skipped.len(),
        11 + usize::from(fifo) + 2 * usize::from(!locked_is_readable)
    );

    let replaced = result
        .warnings
        .iter()
        .find(|w| w.path == "mostly_utf8.csv")
        .unwrap();
    assert_eq!(
        replaced.message,
        "1 byte(s) that are not UTF-8 (the first at byte 100) were replaced by U+FFFD"
    );
}
