//! Baseline from files committed at a git ref (`baseline: git`): the folder's blobs at the
//! base commit are read with the `git` CLI in the workspace (`ls-tree` + `cat-file`) into a
//! scratch directory, fetching the commit first when a shallow checkout lacks it.

use super::unzip::ZipLimits;
use super::{short_sha, Baseline, BaselineError, Snapshot, WorkDir};
use crate::context::BaselineMode;
use std::io::Write;
use std::path::{Component, Path};
use std::process::{Command, Output, Stdio};

/// The files under `folder` at `rev`, copied into `work`.
pub fn from_git(
    workspace: &Path,
    rev: &str,
    folder: &str,
    work: &WorkDir,
    limits: &ZipLimits,
) -> Result<Baseline, BaselineError> {
    let git = Git { workspace };
    let sha = git.resolve(rev)?;
    let folder = folder.trim_start_matches("./").trim_end_matches('/');
    let folder = if folder == "." { "" } else { folder };
    let entries = git.blobs(&sha, folder)?;
    if entries.len() > limits.max_files {
        return Err(BaselineError::Usage(format!(
            "git: `{folder}` at {} holds {} files, more than the limit of {}",
            short_sha(&sha),
            entries.len(),
            limits.max_files
        )));
    }
    let total: u64 = entries.iter().map(|e| e.size).sum();
    if total > limits.max_bytes {
        return Err(BaselineError::Usage(format!(
            "git: `{folder}` at {} holds {total} bytes, more than the limit of {}",
            short_sha(&sha),
            limits.max_bytes
        )));
    }
    let dest = work.subdir("git")?;
    let contents = git.cat_blobs(&entries)?;
    for (entry, data) in entries.iter().zip(contents) {
        let rel = entry
            .path
            .strip_prefix(folder)
            .unwrap_or(&entry.path)
            .trim_start_matches('/');
        let rel_path = Path::new(rel);
        if rel.is_empty()
            || rel_path
                .components()
                .any(|c| !matches!(c, Component::Normal(_)))
        {
            continue;
        }
        let target = dest.join(rel_path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| BaselineError::Io(format!("{}: {e}", parent.display())))?;
        }
        std::fs::write(&target, data)
            .map_err(|e| BaselineError::Io(format!("{}: {e}", target.display())))?;
    }
    let shown = if folder.is_empty() { "." } else { folder };
    let mut notes = vec![format!(
        "Baseline: the files committed in `{shown}` at `{rev}` ({}).",
        short_sha(&sha)
    )];
    if entries.is_empty() {
        notes.push(format!("`{shown}` holds no files at {}.", short_sha(&sha)));
    }
    Ok(Baseline {
        source: BaselineMode::Git,
        reference: Some(rev.to_string()),
        snapshots: vec![Snapshot {
            dir: dest,
            sha: Some(sha.clone()),
            run_id: None,
            run_url: None,
            created_at: None,
            label: format!("`{shown}` at `{rev}`"),
        }],
        requested_sha: Some(sha),
        commits_behind: Some(0),
        notes,
        detail: None,
    })
}

struct Blob {
    object: String,
    size: u64,
    path: String,
}

struct Git<'a> {
    workspace: &'a Path,
}

impl Git<'_> {
    fn command(&self) -> Command {
        let mut c = Command::new("git");
        // The workspace is often owned by another user inside a container.
        c.arg("-c")
            .arg(format!("safe.directory={}", self.workspace.display()))
            .current_dir(self.workspace);
        c
    }

    fn run(&self, args: &[&str]) -> Result<Output, BaselineError> {
        self.command().args(args).output().map_err(|e| {
            BaselineError::Usage(format!("git: cannot run `git` ({e}); `baseline: git` needs git in the image and a checkout in the workspace"))
        })
    }

    fn rev_parse(&self, rev: &str) -> Result<Option<String>, BaselineError> {
        let out = self.run(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ])?;
        Ok(out
            .status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
            .filter(|s| !s.is_empty()))
    }

    /// The commit `rev` names, fetching it from `origin` when the checkout lacks it.
    fn resolve(&self, rev: &str) -> Result<String, BaselineError> {
        // `git rev-parse --output=…`, `git fetch origin --upload-pack=…`: an option, not a ref.
        if rev.starts_with('-') {
            return Err(BaselineError::Usage(format!(
                "git: `{rev}` is not a ref (a ref cannot start with `-`); fix the `baseline-ref` input"
            )));
        }
        let inside = self.run(&["rev-parse", "--is-inside-work-tree"])?;
        if !inside.status.success() {
            return Err(BaselineError::Usage(format!(
                "git: the workspace {} is not a git checkout (run actions/checkout first)",
                self.workspace.display()
            )));
        }
        for candidate in [rev.to_string(), format!("origin/{rev}")] {
            if let Some(sha) = self.rev_parse(&candidate)? {
                return Ok(sha);
            }
        }
        let fetch = self.run(&["fetch", "--no-tags", "--depth=1", "origin", rev])?;
        if fetch.status.success() {
            for candidate in [rev, "FETCH_HEAD"] {
                if let Some(sha) = self.rev_parse(candidate)? {
                    return Ok(sha);
                }
            }
        }
        Err(BaselineError::Usage(format!(
            "git: `{rev}` is not in the workspace checkout and could not be fetched ({}); use actions/checkout with `fetch-depth: 0` or set `baseline-ref`",
            String::from_utf8_lossy(&fetch.stderr).trim()
        )))
    }

    /// The regular files under `folder` at `sha` (symlinks and submodules are skipped).
    fn blobs(&self, sha: &str, folder: &str) -> Result<Vec<Blob>, BaselineError> {
        let mut args = vec!["ls-tree", "-r", "-z", "-l", "--full-tree", sha];
        if !folder.is_empty() {
            args.push("--");
            args.push(folder);
        }
        let out = self.run(&args)?;
        if !out.status.success() {
            return Err(BaselineError::Usage(format!(
                "git: cannot list `{folder}` at {}: {}",
                short_sha(sha),
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        let mut blobs = Vec::new();
        for record in out.stdout.split(|b| *b == 0).filter(|r| !r.is_empty()) {
            let record = String::from_utf8_lossy(record);
            let Some((meta, path)) = record.split_once('\t') else {
                continue;
            };
            let fields: Vec<&str> = meta.split_whitespace().collect();
            if let [mode, "blob", object, size] = fields[..] {
                if mode == "120000" {
                    continue;
                }
                blobs.push(Blob {
                    object: object.to_string(),
                    size: size.parse().unwrap_or(0),
                    path: path.to_string(),
                });
            }
        }
        Ok(blobs)
    }

    /// The contents of `blobs`, in order, through one `git cat-file --batch`.
    fn cat_blobs(&self, blobs: &[Blob]) -> Result<Vec<Vec<u8>>, BaselineError> {
        if blobs.is_empty() {
            return Ok(Vec::new());
        }
        let io = |e: std::io::Error| BaselineError::Io(format!("git cat-file: {e}"));
        let mut child = self
            .command()
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(io)?;
        let request: String = blobs.iter().map(|b| format!("{}\n", b.object)).collect();
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| io(std::io::ErrorKind::BrokenPipe.into()))?;
        let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
        let out = child.wait_with_output().map_err(io)?;
        writer
            .join()
            .map_err(|_| BaselineError::Io("git cat-file: writer thread failed".into()))?
            .map_err(io)?;
        let mut rest = out.stdout.as_slice();
        let mut contents = Vec::with_capacity(blobs.len());
        for blob in blobs {
            let nl = rest
                .iter()
                .position(|b| *b == b'\n')
                .ok_or_else(|| BaselineError::Io("git cat-file: truncated output".into()))?;
            let header = String::from_utf8_lossy(&rest[..nl]).into_owned();
            let size: usize = header
                .rsplit(' ')
                .next()
                .and_then(|s| s.parse().ok())
                .filter(|_| header.starts_with(&blob.object))
                .ok_or_else(|| {
                    BaselineError::Io(format!("git cat-file: unexpected header `{header}`"))
                })?;
            let body_end = nl + 1 + size;
            if rest.len() < body_end + 1 {
                return Err(BaselineError::Io("git cat-file: truncated output".into()));
            }
            contents.push(rest[nl + 1..body_end].to_vec());
            rest = &rest[body_end + 1..];
        }
        Ok(contents)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    #[test]
    fn a_ref_that_looks_like_an_option_never_reaches_git() {
        let ws = tempfile::tempdir().unwrap();
        let root = ws.path();
        git(root, &["init", "-q", "-b", "main"]);
        let work = WorkDir::create(Some(root)).unwrap();
        let planted = root.join("planted");
        for rev in [
            format!("--output={}", planted.display()),
            format!("--upload-pack=touch {}", planted.display()),
            "-h".to_string(),
        ] {
            let e = from_git(root, &rev, "bench", &work, &ZipLimits::default()).unwrap_err();
            assert!(e.is_usage(), "{rev}: {e}");
            assert!(
                e.to_string().contains("a ref cannot start with `-`"),
                "{rev}: {e}"
            );
        }
        assert!(!planted.exists());
    }

    #[test]
    fn reads_a_folder_at_an_older_commit() {
        let ws = tempfile::tempdir().unwrap();
        let root = ws.path();
        git(root, &["init", "-q", "-b", "main"]);
        std::fs::create_dir_all(root.join("bench/llm")).unwrap();
        std::fs::write(root.join("bench/llm/run.csv"), "model,tokens_s\nm,41.5\n").unwrap();
        std::fs::write(root.join("bench/top.json"), "{\"x\": 1}").unwrap();
        std::fs::write(root.join("README.md"), "hi").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc/passwd", root.join("bench/link")).unwrap();
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", "base"]);
        let base = git(root, &["rev-parse", "HEAD"]);
        std::fs::write(root.join("bench/llm/run.csv"), "model,tokens_s\nm,30.0\n").unwrap();
        git(root, &["commit", "-q", "-am", "head"]);

        let work = WorkDir::create(Some(root)).unwrap();
        let b = from_git(root, &base, "./bench/", &work, &ZipLimits::default()).unwrap();
        let dir = &b.snapshots[0].dir;
        assert_eq!(
            std::fs::read_to_string(dir.join("llm/run.csv")).unwrap(),
            "model,tokens_s\nm,41.5\n"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("top.json")).unwrap(),
            "{\"x\": 1}"
        );
        assert!(!dir.join("link").exists());
        assert!(!dir.join("README.md").exists());
        assert_eq!(b.sha(), Some(base.as_str()));

        let e = from_git(root, "no-such-ref", "bench", &work, &ZipLimits::default()).unwrap_err();
        assert!(e.is_usage());
        assert!(e.to_string().contains("fetch-depth: 0"), "{e}");
        let tiny = ZipLimits {
            max_files: 1,
            max_bytes: 1 << 20,
        };
        let e = from_git(root, "main", "bench", &work, &tiny).unwrap_err();
        assert!(e.to_string().contains("more than the limit of 1"), "{e}");
    }
}
