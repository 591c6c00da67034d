//! Walking the tree: decides from names and metadata alone which files will be read.
//!
//! Symbolic links are never followed (a link can point outside the root, or form a loop);
//! each one is listed as skipped with what it points at. Only regular files are taken, so
//! a FIFO or device node can never block the run.

use super::{CollectError, CollectOptions, CollectedFile, Skipped, DEFAULT_INCLUDE};
use crate::model::Warning;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use std::path::Path;
use walkdir::WalkDir;

/// The result of a walk: the files to read, in path order, and everything left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Walk {
    pub files: Vec<CollectedFile>,
    pub skipped: Vec<Skipped>,
    /// Files that no include pattern matched.
    pub unmatched: usize,
    /// Unmatched files whose names look like benchmark output, each with the `--include`
    /// that would read it (at most [`MAX_HINTS`]).
    pub hints: Vec<Warning>,
}

/// Most unmatched files named in hints; a tree of thousands of logs needs only a few.
const MAX_HINTS: usize = 20;

/// Extensions of the text files benchmark tools write (empty: no extension).
const TEXT_EXTENSIONS: &[&str] = &[
    "", "csv", "tsv", "json", "jsonl", "ndjson", "md", "txt", "log", "xml", "out", "stdout",
    "bench", "dat", "result", "results",
];

/// Words in a file name that suggest benchmark output.
const BENCH_WORDS: &[&str] = &["bench", "perf", "result", "timing", "throughput", "latency"];

/// The hint for an unmatched file that looks like benchmark output: a text file whose name
/// says bench, perf, result, timing, throughput or latency (`old-bench.txt`, `perf.dat`,
/// `results.json`), or github-action-benchmark's `data.js`; `None` for anything else.
fn benchmark_hint(rel: &str) -> Option<Warning> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let lower = name.to_ascii_lowercase();
    if lower.ends_with("data.js") {
        return Some(Warning::new(
            rel,
            "looks like github-action-benchmark's history (data.js): it holds earlier runs, \
             not this one, so it was not read; to compare with it, pass it to `benchgate \
             compare --base`",
        ));
    }
    let ext = kind_of(rel);
    if !TEXT_EXTENSIONS.contains(&ext.as_str()) || !BENCH_WORDS.iter().any(|w| lower.contains(w)) {
        return None;
    }
    let glob = if ext.is_empty() {
        format!("**/{name}")
    } else {
        format!("**/*.{ext}")
    };
    Some(Warning::new(
        rel,
        format!(
            "looks like benchmark output but no include pattern matches it, so it was not \
             read; to read it, pass `--include '{glob}'` (with any other patterns you need: \
             `--include` replaces the defaults) or add the glob to the action's `path:`"
        ),
    ))
}

/// Under the default patterns, an executable `*.out`, `*.bench` or `bench` file is a
/// compiled program (`a.out`, `go test -c -o bench`), not its output.
fn is_program(rel: &str, meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let ext = kind_of(rel);
        meta.permissions().mode() & 0o111 != 0
            && (name == "bench" || ext == "out" || ext == "bench")
    }
    #[cfg(not(unix))]
    {
        let _ = (rel, meta);
        false
    }
}

/// A compiled list of globs that remembers which pattern matched.
struct Patterns {
    set: GlobSet,
    sources: Vec<String>,
}

impl Patterns {
    fn new(patterns: &[String], case_insensitive: bool) -> Result<Self, CollectError> {
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            let glob = GlobBuilder::new(pattern)
                .literal_separator(true)
                .case_insensitive(case_insensitive)
                .build()
                .map_err(|error| CollectError::BadPattern {
                    pattern: pattern.clone(),
                    error,
                })?;
            builder.add(glob);
        }
        let set = builder.build().map_err(|error| CollectError::BadPattern {
            pattern: patterns.join(", "),
            error,
        })?;
        Ok(Patterns {
            set,
            sources: patterns.to_vec(),
        })
    }

    /// The first pattern that matches `path`.
    fn first_match(&self, path: &str) -> Option<&str> {
        let index = self.set.matches(path).into_iter().min()?;
        self.sources.get(index).map(String::as_str)
    }

    /// The pattern that excludes a whole directory: one matching the directory itself, or
    /// one matching any path below it (probed with a path no real file has).
    fn prunes_dir(&self, dir: &str) -> Option<&str> {
        self.first_match(dir)
            .or_else(|| self.first_match(&format!("{dir}/\u{0}/\u{0}")))
    }
}

/// Walks `root` and selects the files to read. Sizes come from metadata, so nothing is
/// opened here. The walk is sorted by file name and stops at `max_files` files.
pub fn walk(root: &Path, options: &CollectOptions) -> Result<Walk, CollectError> {
    let meta = std::fs::metadata(root).map_err(|error| {
        if error.kind() == std::io::ErrorKind::NotFound {
            CollectError::RootNotFound(root.to_path_buf())
        } else {
            CollectError::RootUnreadable {
                path: root.to_path_buf(),
                error,
            }
        }
    })?;
    if !meta.is_dir() {
        return Err(CollectError::NotADirectory(root.to_path_buf()));
    }
    let canonical_root =
        std::fs::canonicalize(root).map_err(|error| CollectError::RootUnreadable {
            path: root.to_path_buf(),
            error,
        })?;
    let include = if options.include.is_empty() {
        Patterns::new(&[DEFAULT_INCLUDE.to_string()], true)?
    } else {
        Patterns::new(&options.include, false)?
    };
    let exclude = Patterns::new(&options.exclude, false)?;

    let mut out = Walk::default();
    let mut entries = WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = entries.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) if e.depth() == 0 => {
                let reason = io_reason(&e);
                let error = e
                    .into_io_error()
                    .unwrap_or_else(|| std::io::Error::other(reason));
                return Err(CollectError::RootUnreadable {
                    path: root.to_path_buf(),
                    error,
                });
            }
            Err(e) => {
                let path = e.path().map(|p| relative(root, p)).unwrap_or_default();
                out.skipped
                    .push(Skipped::new(path, format!("unreadable: {}", io_reason(&e))));
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let rel = relative(root, entry.path());
        let file_type = entry.file_type();
        if file_type.is_dir() {
            if let Some(pattern) = exclude.prunes_dir(&rel) {
                out.skipped.push(Skipped::new(
                    format!("{rel}/"),
                    format!("excluded by pattern `{pattern}`"),
                ));
                entries.skip_current_dir();
            }
            continue;
        }
        if let Some(pattern) = exclude.first_match(&rel) {
            out.skipped.push(Skipped::new(
                rel,
                format!("excluded by pattern `{pattern}`"),
            ));
            continue;
        }
        if file_type.is_symlink() {
            let reason = symlink_reason(entry.path(), &canonical_root);
            out.skipped.push(Skipped::new(rel, reason));
            continue;
        }
        if include.first_match(&rel).is_none() {
            out.unmatched += 1;
            if out.hints.len() < MAX_HINTS {
                out.hints.extend(benchmark_hint(&rel));
            }
            continue;
        }
        if !file_type.is_file() {
            out.skipped.push(Skipped::new(
                rel,
                "not a regular file (FIFO, socket or device); not read",
            ));
            continue;
        }
        let meta = match entry.metadata() {
            Ok(meta) => meta,
            Err(e) => {
                out.skipped
                    .push(Skipped::new(rel, format!("unreadable: {}", io_reason(&e))));
                continue;
            }
        };
        if options.include.is_empty() && is_program(&rel, &meta) {
            out.unmatched += 1;
            continue;
        }
        let size = meta.len();
        if size == 0 {
            out.skipped.push(Skipped::new(rel, "empty file"));
            continue;
        }
        if size > options.max_file_size {
            out.skipped.push(Skipped::new(
                rel,
                format!(
                    "too large: {size} bytes, over the limit of {} bytes (max file size)",
                    options.max_file_size
                ),
            ));
            continue;
        }
        if out.files.len() >= options.max_files {
            out.skipped.push(Skipped::new(
                rel,
                format!(
                    "over the file limit: {} files were read; this file and every file after it \
                     in path order were not (max files)",
                    options.max_files
                ),
            ));
            break;
        }
        out.files.push(CollectedFile {
            kind: kind_of(&rel),
            rel_path: rel,
            abs_path: entry.path().to_path_buf(),
            size,
            modified: meta.modified().ok(),
        });
    }
    Ok(out)
}

/// `path` relative to `root`, with `/` separators.
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// The lower-case extension of the file name, empty when there is none.
fn kind_of(rel: &str) -> String {
    Path::new(rel)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

/// Why a symbolic link was not followed, naming where it leads.
fn symlink_reason(link: &Path, canonical_root: &Path) -> String {
    match std::fs::canonicalize(link) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            "broken symbolic link; not followed".to_string()
        }
        Err(e) => format!("symbolic link that cannot be resolved ({e}); not followed"),
        Ok(target) if target.starts_with(canonical_root) => {
            let inside = target
                .strip_prefix(canonical_root)
                .map(|p| relative(Path::new(""), p))
                .unwrap_or_default();
            let inside = if inside.is_empty() {
                ".".to_string()
            } else {
                inside
            };
            format!(
                "symbolic link to `{inside}` inside the scanned directory; not followed (the \
                 target is scanned under its own path)"
            )
        }
        Ok(_) => {
            "symbolic link to a target outside the scanned directory; not followed".to_string()
        }
    }
}

/// The I/O reason of a walk error, without repeating the path.
fn io_reason(e: &walkdir::Error) -> String {
    match e.io_error() {
        Some(io) => io.to_string(),
        None => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(walk: &Walk) -> Vec<&str> {
        walk.files.iter().map(|f| f.rel_path.as_str()).collect()
    }

    /// The names people save `go test -bench` and other console output under are read by
    /// default; compiled programs with those names are not.
    #[test]
    fn default_patterns_take_saved_console_output_but_not_programs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in [
            "old.txt",
            "new.out",
            "bench.stdout",
            "x86.bench",
            "bench",
            "notes.rs",
        ] {
            std::fs::write(root.join(name), "BenchmarkX-8  10  5 ns/op\n").unwrap();
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::create_dir(root.join("bin")).unwrap();
            for name in ["a.out", "bench"] {
                let path = root.join("bin").join(name);
                std::fs::write(&path, "\u{7f}ELF").unwrap();
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
        }
        let walk = walk(root, &CollectOptions::default()).unwrap();
        assert_eq!(
            names(&walk),
            ["bench", "bench.stdout", "new.out", "old.txt", "x86.bench"]
        );
        let programs = if cfg!(unix) { 2 } else { 0 };
        assert_eq!(walk.unmatched, 1 + programs);
        assert!(walk.hints.is_empty(), "{:?}", walk.hints);
    }

    /// A file the patterns leave out is named, with the `--include` that would take it, when
    /// its name looks like benchmark output; other files are only counted.
    #[test]
    fn unmatched_benchmark_output_gets_a_hint() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("ci")).unwrap();
        for name in [
            "ci/perf.dat",
            "ci/results.json",
            "ci/logo.png",
            "ci/main.go",
            "ci/BENCH",
            "ci/bench.js",
            "ci/data.js",
        ] {
            std::fs::write(root.join(name), "x").unwrap();
        }
        let options = CollectOptions {
            include: vec!["**/*.csv".to_string()],
            ..CollectOptions::default()
        };
        let walk = walk(root, &options).unwrap();
        assert_eq!(walk.unmatched, 7);
        let hinted: Vec<(&str, &str)> = walk
            .hints
            .iter()
            .map(|w| (w.path.as_str(), w.message.as_str()))
            .collect();
        assert_eq!(hinted.len(), 4, "{hinted:?}");
        assert_eq!(hinted[0].0, "ci/BENCH");
        assert!(
            hinted[0].1.contains("`--include '**/BENCH'`"),
            "{}",
            hinted[0].1
        );
        // A script is code, not output; github-action-benchmark's history is a baseline.
        assert_eq!(hinted[1].0, "ci/data.js");
        assert!(
            hinted[1].1.contains("`benchgate compare --base`"),
            "{}",
            hinted[1].1
        );
        assert_eq!(hinted[2].0, "ci/perf.dat");
        assert!(
            hinted[2].1.contains("`--include '**/*.dat'`"),
            "{}",
            hinted[2].1
        );
        assert!(
            hinted[3].1.contains("`--include '**/*.json'`"),
            "{}",
            hinted[3].1
        );
    }
}
