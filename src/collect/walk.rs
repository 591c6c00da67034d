//! Walking the tree: decides from names and metadata alone which files will be read.
//!
//! Symbolic links are never followed (a link can point outside the root, or form a loop);
//! each one is listed as skipped with what it points at. Only regular files are taken, so
//! a FIFO or device node can never block the run.

use super::{CollectError, CollectOptions, CollectedFile, Skipped, DEFAULT_INCLUDE};
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
