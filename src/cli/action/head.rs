//! Where the head data are: the `path` input (a directory or globs, relative to the
//! workspace) turned into a scan root and include patterns. The root is the longest literal
//! directory the patterns share, so that keys match an artifact uploaded from that folder.

use crate::baseline::path::inside_workspace;
use crate::baseline::BaselineError;
use crate::collect::{CollectOptions, DEFAULT_INCLUDE};
use std::path::{Path, PathBuf};

/// The head scan: a root inside the workspace and the collect options for it (and for the
/// baseline, which is scanned the same way).
#[derive(Debug, Clone, PartialEq)]
pub struct HeadData {
    pub root: PathBuf,
    /// `root` relative to the workspace, `/`-separated (`.` for the workspace itself).
    pub rel_root: String,
    pub options: CollectOptions,
}

impl HeadData {
    /// The names of the folders directly under the root (none when it cannot be read).
    pub fn top_folders(&self) -> std::collections::BTreeSet<String> {
        std::fs::read_dir(&self.root)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().into_string().ok())
            .collect()
    }
}

/// Resolves the `path` entries against `workspace`.
pub fn resolve(workspace: &Path, entries: &[String]) -> Result<HeadData, BaselineError> {
    let mut patterns: Vec<Vec<String>> = Vec::new();
    for entry in entries {
        let clean = entry.trim().trim_start_matches("./").trim_end_matches('/');
        if clean.is_empty() || clean == "." {
            patterns.push(default_include());
            continue;
        }
        let parts: Vec<String> = clean.split('/').map(String::from).collect();
        let literal = !parts.iter().any(|p| has_glob(p));
        if literal {
            let dir = inside_workspace(workspace, clean, "path")?;
            if dir.is_dir() || entries.len() == 1 {
                // A folder (or a single name that the scan will report if it is missing):
                // every supported file in it.
                let mut p = parts;
                p.extend(default_include());
                patterns.push(p);
                continue;
            }
        }
        patterns.push(parts);
    }
    // The shared literal prefix, leaving at least the last component as the pattern.
    let mut prefix: Vec<String> = Vec::new();
    'outer: for i in 0.. {
        let mut common: Option<&String> = None;
        for p in &patterns {
            if i + 1 >= p.len() || has_glob(&p[i]) {
                break 'outer;
            }
            match common {
                None => common = Some(&p[i]),
                Some(c) if *c == p[i] => {}
                Some(_) => break 'outer,
            }
        }
        match common {
            Some(c) => prefix.push(c.clone()),
            None => break,
        }
    }
    let rel_root = if prefix.is_empty() {
        ".".to_string()
    } else {
        prefix.join("/")
    };
    let root = if prefix.is_empty() {
        workspace.to_path_buf()
    } else {
        inside_workspace(workspace, &rel_root, "path")?
    };
    let include: Vec<String> = patterns
        .iter()
        .map(|p| p[prefix.len()..].join("/"))
        .collect();
    // Only the root folder itself: the scan's own default.
    let include = if include.iter().all(|p| p == DEFAULT_INCLUDE) {
        Vec::new()
    } else {
        include
    };
    Ok(HeadData {
        root,
        rel_root,
        options: CollectOptions {
            include,
            ..CollectOptions::default()
        },
    })
}

fn default_include() -> Vec<String> {
    DEFAULT_INCLUDE.split('/').map(String::from).collect()
}

fn has_glob(component: &str) -> bool {
    component.contains(['*', '?', '[', '{'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("benchmarks/llm")).unwrap();
        d
    }

    #[test]
    fn a_folder_is_the_root() {
        let d = ws();
        let h = resolve(d.path(), &["./benchmarks/".into()]).unwrap();
        assert_eq!(h.root, d.path().join("benchmarks"));
        assert_eq!(h.rel_root, "benchmarks");
        assert!(h.options.include.is_empty());
    }

    #[test]
    fn globs_share_their_literal_prefix() {
        let d = ws();
        let h = resolve(
            d.path(),
            &["benchmarks/llm/*.csv".into(), "benchmarks/**/*.json".into()],
        )
        .unwrap();
        assert_eq!(h.rel_root, "benchmarks");
        assert_eq!(h.options.include, vec!["llm/*.csv", "**/*.json"]);
        let h = resolve(d.path(), &["out/*.json".into(), "benchmarks/x.csv".into()]).unwrap();
        assert_eq!(h.rel_root, ".");
        assert_eq!(h.options.include, vec!["out/*.json", "benchmarks/x.csv"]);
        let h = resolve(
            d.path(),
            &["benchmarks/results.json".into(), "benchmarks/llm".into()],
        )
        .unwrap();
        assert_eq!(h.rel_root, "benchmarks");
        assert_eq!(
            h.options.include,
            vec!["results.json".to_string(), format!("llm/{DEFAULT_INCLUDE}")]
        );
    }

    #[test]
    fn paths_outside_the_workspace_are_refused() {
        let d = ws();
        for bad in ["../x", "/etc", "benchmarks/../../x/*.json"] {
            let e = resolve(d.path(), &[bad.into()]).unwrap_err();
            assert!(e.is_usage(), "{bad}: {e}");
        }
    }
}
