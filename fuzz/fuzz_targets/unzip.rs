//! Artifact extraction on arbitrary bytes: whatever the archive holds, nothing is written
//! outside the destination, and the entry and byte caps hold.

#![no_main]

use benchgate::baseline::unzip::{extract, ZipLimits};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

const LIMITS: ZipLimits = ZipLimits {
    max_files: 64,
    max_bytes: 1 << 20,
};

/// Regular files and their total size under `dir` (symbolic links are counted apart).
fn contents(dir: &Path) -> (usize, u64, usize) {
    let (mut files, mut bytes, mut links) = (0, 0, 0);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_symlink() {
                links += 1;
            } else if kind.is_dir() {
                stack.push(entry.path());
            } else if let Ok(meta) = entry.metadata() {
                files += 1;
                bytes += meta.len();
            }
        }
    }
    (files, bytes, links)
}

fuzz_target!(|data: &[u8]| {
    // The destination sits a few levels down, so that an entry climbing out with `..`
    // lands somewhere this check sees.
    let root = tempfile::tempdir().expect("a temporary directory");
    let zip = root.path().join("artifact.zip");
    std::fs::write(&zip, data).expect("writing the archive");
    let dest = root.path().join("a/b/c/out");
    let result = extract(&zip, &dest, &LIMITS);
    let (outside, _, outside_links) = contents(root.path());
    let (files, bytes, links) = contents(&dest);
    assert_eq!(
        (outside - files, outside_links - links),
        (1, 0),
        "something was written outside the destination"
    );
    assert_eq!(links, 0, "a symbolic link was extracted");
    assert!(files <= LIMITS.max_files && bytes <= LIMITS.max_bytes);
    if let Ok(got) = result {
        assert_eq!((got.files, got.bytes), (files, bytes));
    }
});
