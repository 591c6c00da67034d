//! How the artifacts of one baseline run are laid out for the comparison. One artifact, or
//! several holding different files, are merged at the root, as the head folder was uploaded.
//! Several that hold the same files are the legs of a matrix: each keeps a folder named
//! after its artifact, which only a head laid out the same way (every leg downloaded into its
//! own folder, for one combined report) can be compared with. Anything else would compare
//! one leg with another leg's numbers, so it is refused with the settings that fix it.

use super::BaselineError;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One artifact, extracted into a folder of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub dir: PathBuf,
}

/// What [`arrange`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arranged {
    /// Every file at the root of the snapshot.
    Merged,
    /// One folder per artifact, named after it.
    PerArtifact,
}

/// Moves the extracted `parts` into `dest`. `head_folders` are the top-level folders of the
/// head data; `owner` names the run in messages (`run 123 (abc1234)`).
pub fn arrange(
    parts: &[Part],
    dest: &Path,
    head_folders: &BTreeSet<String>,
    owner: &str,
) -> Result<Arranged, BaselineError> {
    let mut holders: BTreeMap<PathBuf, Vec<&str>> = BTreeMap::new();
    for part in parts {
        for rel in files_under(&part.dir)? {
            holders.entry(rel).or_default().push(&part.name);
        }
    }
    let shared: BTreeSet<&str> = holders
        .values()
        .filter(|names| names.len() > 1)
        .flatten()
        .copied()
        .collect();
    if shared.is_empty() {
        for part in parts {
            for rel in files_under(&part.dir)? {
                move_file(&part.dir.join(&rel), &dest.join(&rel))?;
            }
        }
        return Ok(Arranged::Merged);
    }
    if shared.iter().all(|name| head_folders.contains(*name)) {
        for part in parts {
            move_file(&part.dir, &dest.join(&part.name))?;
        }
        return Ok(Arranged::PerArtifact);
    }
    let names: Vec<&str> = shared.into_iter().collect();
    Err(BaselineError::Usage(format!(
        "{owner}: the artifacts {} hold the same files (the legs of a matrix?), and this step's head data has no folder per artifact, so it cannot tell which one is its own baseline. Set `artifact-name` to this leg's artifact (for example `benchmarks-${{{{ matrix.os }}}}`, the name its upload step uses), or download every leg's artifact into a folder of its own and compare them together in one job (see docs/examples/matrix-combined.yml).",
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

/// The files below `dir`, relative to it, in order.
fn files_under(dir: &Path) -> Result<Vec<PathBuf>, BaselineError> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry =
            entry.map_err(|e| BaselineError::Io(format!("listing {}: {e}", dir.display())))?;
        if entry.file_type().is_file() {
            if let Ok(rel) = entry.path().strip_prefix(dir) {
                files.push(rel.to_path_buf());
            }
        }
    }
    Ok(files)
}

fn move_file(from: &Path, to: &Path) -> Result<(), BaselineError> {
    let fail = |e: std::io::Error| {
        BaselineError::Io(format!(
            "cannot move {} to {}: {e}",
            from.display(),
            to.display()
        ))
    };
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    std::fs::rename(from, to).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(root: &Path, name: &str, files: &[&str]) -> Part {
        let dir = root.join("stage").join(name);
        for f in files {
            let p = dir.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, name).unwrap();
        }
        Part {
            name: name.into(),
            dir,
        }
    }

    fn listing(dir: &Path) -> Vec<String> {
        files_under(dir)
            .unwrap()
            .iter()
            .map(|p| p.display().to_string())
            .collect()
    }

    #[test]
    fn different_files_are_merged_at_the_root() {
        let t = tempfile::tempdir().unwrap();
        let parts = [
            part(t.path(), "cpu", &["cpu/bench.json"]),
            part(t.path(), "gpu", &["gpu/bench.json", "summary.md"]),
        ];
        let dest = t.path().join("snap");
        let got = arrange(&parts, &dest, &BTreeSet::new(), "run 1").unwrap();
        assert_eq!(got, Arranged::Merged);
        assert_eq!(
            listing(&dest),
            ["cpu/bench.json", "gpu/bench.json", "summary.md"]
        );
    }

    #[test]
    fn matrix_legs_keep_their_folders_for_a_head_laid_out_the_same_way() {
        let t = tempfile::tempdir().unwrap();
        let parts = [
            part(t.path(), "bench-linux", &["results.csv"]),
            part(t.path(), "bench-macos", &["results.csv"]),
        ];
        let dest = t.path().join("snap");
        let head: BTreeSet<String> = ["bench-linux".into(), "bench-macos".into()].into();
        let got = arrange(&parts, &dest, &head, "run 1").unwrap();
        assert_eq!(got, Arranged::PerArtifact);
        assert_eq!(
            listing(&dest),
            ["bench-linux/results.csv", "bench-macos/results.csv"]
        );
        assert_eq!(
            std::fs::read_to_string(dest.join("bench-macos/results.csv")).unwrap(),
            "bench-macos"
        );
    }

    #[test]
    fn one_leg_never_gets_another_legs_numbers() {
        let t = tempfile::tempdir().unwrap();
        let parts = [
            part(t.path(), "bench-linux", &["results.csv"]),
            part(t.path(), "bench-macos", &["results.csv"]),
        ];
        let dest = t.path().join("snap");
        let head: BTreeSet<String> = ["results".into()].into();
        let err = arrange(&parts, &dest, &head, "run 7 (abc1234)").unwrap_err();
        let text = err.to_string();
        assert!(err.is_usage());
        assert!(text.contains("`bench-linux`, `bench-macos`"), "{text}");
        assert!(text.contains("Set `artifact-name`"), "{text}");
        assert!(text.contains("${{ matrix.os }}"), "{text}");
        assert!(!dest.exists());
    }
}
