//! Baseline from a directory already on disk (`baseline: path`), which must lie inside the
//! workspace.

use super::{Baseline, BaselineError, Snapshot};
use crate::context::BaselineMode;
use std::path::{Component, Path, PathBuf};

/// Resolves `rel` against `workspace` and checks that the result stays inside it
/// (`input` names the input in the error).
pub fn inside_workspace(
    workspace: &Path,
    rel: &str,
    input: &str,
) -> Result<PathBuf, BaselineError> {
    let p = Path::new(rel);
    if p.is_absolute()
        || p.components()
            .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)))
    {
        return Err(BaselineError::Usage(format!(
            "input `{input}`: `{rel}` must be a path relative to the workspace, without `..`"
        )));
    }
    let joined = workspace.join(p);
    // A symlink inside the workspace must not lead out of it.
    if let (Ok(real), Ok(root)) = (joined.canonicalize(), workspace.canonicalize()) {
        if !real.starts_with(&root) {
            return Err(BaselineError::Usage(format!(
                "input `{input}`: `{rel}` resolves outside the workspace"
            )));
        }
    }
    Ok(joined)
}

/// The baseline directory `rel` (relative to `workspace`).
pub fn from_dir(workspace: &Path, rel: &str) -> Result<Baseline, BaselineError> {
    let dir = inside_workspace(workspace, rel, "baseline-path")?;
    if !dir.is_dir() {
        return Err(BaselineError::Usage(format!(
            "input `baseline-path`: `{rel}` is not a directory in the workspace"
        )));
    }
    Ok(Baseline {
        source: BaselineMode::Path,
        reference: Some(rel.to_string()),
        snapshots: vec![Snapshot {
            dir,
            sha: None,
            run_id: None,
            run_url: None,
            created_at: None,
            label: format!("directory `{rel}`"),
        }],
        requested_sha: None,
        commits_behind: None,
        notes: vec![format!("Baseline: the files in `{rel}`.")],
        detail: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_must_stay_in_the_workspace() {
        let ws = tempfile::tempdir().unwrap();
        std::fs::create_dir(ws.path().join("base")).unwrap();
        let b = from_dir(ws.path(), "base").unwrap();
        assert_eq!(b.snapshots[0].dir, ws.path().join("base"));
        for bad in ["../x", "/etc", "base/../../x"] {
            let e = from_dir(ws.path(), bad).unwrap_err();
            assert!(e.is_usage(), "{bad}: {e}");
        }
        let e = from_dir(ws.path(), "missing").unwrap_err();
        assert!(e.to_string().contains("not a directory"), "{e}");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/", ws.path().join("root")).unwrap();
            let e = from_dir(ws.path(), "root").unwrap_err();
            assert!(e.to_string().contains("outside the workspace"), "{e}");
        }
    }
}
