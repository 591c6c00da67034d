//! Safe extraction of an artifact archive: the file must be a zip, every entry must stay
//! inside the destination (no absolute paths, no `..`, no symlinks), and the entry count
//! and the bytes actually inflated are capped (zip bombs lie about their sizes).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Caps on one extraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipLimits {
    pub max_files: usize,
    /// Total bytes written, summed over all entries.
    pub max_bytes: u64,
}

impl Default for ZipLimits {
    fn default() -> Self {
        ZipLimits {
            max_files: 20_000,
            max_bytes: 1024 * 1024 * 1024,
        }
    }
}

/// Why an archive was rejected.
#[derive(Debug, thiserror::Error)]
pub enum UnzipError {
    #[error("{path} is not a zip archive (it starts with {magic:02x?})")]
    NotZip { path: String, magic: Vec<u8> },
    #[error("{path}: {reason}")]
    Corrupt { path: String, reason: String },
    #[error("{path}: entry `{entry}` {reason}; the archive was rejected")]
    Unsafe {
        path: String,
        entry: String,
        reason: &'static str,
    },
    #[error("{path}: {reason}; the archive was rejected")]
    TooLarge { path: String, reason: String },
    #[error("extracting {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: io::Error,
    },
}

/// What an extraction wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    pub files: usize,
    pub bytes: u64,
    /// Entries not written because a file of that name already existed in `dest`.
    pub duplicates: Vec<String>,
}

/// Extracts the zip at `zip_path` into `dest` (created if needed). Existing files in
/// `dest` are kept and the colliding entries reported in [`Extracted::duplicates`].
pub fn extract(zip_path: &Path, dest: &Path, limits: &ZipLimits) -> Result<Extracted, UnzipError> {
    let shown = zip_path.display().to_string();
    let io_err = |source| UnzipError::Io {
        path: shown.clone(),
        source,
    };
    let mut file = File::open(zip_path).map_err(io_err)?;
    let mut magic = Vec::with_capacity(4);
    (&mut file)
        .take(4)
        .read_to_end(&mut magic)
        .map_err(io_err)?;
    if magic.as_slice() != b"PK\x03\x04" && magic.as_slice() != b"PK\x05\x06" {
        return Err(UnzipError::NotZip { path: shown, magic });
    }
    let file = File::open(zip_path).map_err(io_err)?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| UnzipError::Corrupt {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    if archive.len() > limits.max_files {
        return Err(UnzipError::TooLarge {
            path: shown,
            reason: format!(
                "{} entries, more than the limit of {}",
                archive.len(),
                limits.max_files
            ),
        });
    }
    // Every entry is checked before anything is written, so a rejected archive leaves
    // nothing behind.
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| UnzipError::Corrupt {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        check_entry(&entry, &shown)?;
    }
    fs::create_dir_all(dest).map_err(io_err)?;
    let mut written = Vec::new();
    let result = write_entries(&mut archive, dest, limits, &shown, &mut written);
    if result.is_err() {
        for path in &written {
            let _ = fs::remove_file(path);
        }
    }
    result
}

/// Rejects an entry that could write outside the destination; returns its relative path.
fn check_entry<R: Read>(
    entry: &zip::read::ZipFile<'_, R>,
    shown: &str,
) -> Result<PathBuf, UnzipError> {
    let raw = String::from_utf8_lossy(entry.name_raw()).into_owned();
    let unsafe_entry = |reason| UnzipError::Unsafe {
        path: shown.to_string(),
        entry: raw.clone(),
        reason,
    };
    if raw.starts_with('/') || raw.starts_with('\\') || raw.get(1..2) == Some(":") {
        return Err(unsafe_entry("has an absolute path"));
    }
    if raw.split(['/', '\\']).any(|c| c == "..") {
        return Err(unsafe_entry("climbs out of the archive with `..`"));
    }
    if entry.is_symlink() {
        return Err(unsafe_entry("is a symbolic link"));
    }
    entry
        .enclosed_name()
        .ok_or_else(|| unsafe_entry("has a path outside the archive"))
}

/// Writes the (already checked) entries below `dest`, recording every file created in
/// `written` so that the caller can remove them if the archive is rejected midway.
fn write_entries(
    archive: &mut zip::ZipArchive<File>,
    dest: &Path,
    limits: &ZipLimits,
    shown: &str,
    written: &mut Vec<PathBuf>,
) -> Result<Extracted, UnzipError> {
    let io_err = |source| UnzipError::Io {
        path: shown.to_string(),
        source,
    };
    let mut out = Extracted::default();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| UnzipError::Corrupt {
            path: shown.to_string(),
            reason: e.to_string(),
        })?;
        let rel = check_entry(&entry, shown)?;
        let raw = String::from_utf8_lossy(entry.name_raw()).into_owned();
        let target = dest.join(&rel);
        if entry.is_dir() {
            fs::create_dir_all(&target).map_err(io_err)?;
            continue;
        }
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(io_err)?;
        }
        let mut writer = match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&target)
        {
            Ok(w) => w,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                out.duplicates.push(rel.to_string_lossy().into_owned());
                continue;
            }
            Err(e) => return Err(io_err(e)),
        };
        written.push(target.clone());
        let remaining = limits.max_bytes - out.bytes;
        let copied = io::copy(&mut (&mut entry).take(remaining + 1), &mut writer).map_err(|e| {
            UnzipError::Corrupt {
                path: shown.to_string(),
                reason: format!("entry `{raw}`: {e}"),
            }
        })?;
        if copied > remaining {
            return Err(UnzipError::TooLarge {
                path: shown.to_string(),
                reason: format!(
                    "it inflates to more than the limit of {} bytes",
                    limits.max_bytes
                ),
            });
        }
        out.bytes += copied;
        out.files += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn write_zip(path: &Path, entries: &[(&str, &[u8])]) {
        let mut w = zip::ZipWriter::new(File::create(path).unwrap());
        let opts =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap();
    }

    #[test]
    fn extracts_nested_files() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("a.zip");
        write_zip(
            &zip,
            &[
                ("llm/run.csv", b"model,tokens_s\nx,1\n"),
                ("top.json", b"{}"),
            ],
        );
        let dest = dir.path().join("out");
        let got = extract(&zip, &dest, &ZipLimits::default()).unwrap();
        assert_eq!(got.files, 2);
        assert_eq!(got.bytes, 21);
        assert_eq!(
            fs::read_to_string(dest.join("llm/run.csv")).unwrap(),
            "model,tokens_s\nx,1\n"
        );
        // A second archive with the same file keeps the first and reports the clash.
        let again = extract(&zip, &dest, &ZipLimits::default()).unwrap();
        assert_eq!(again.duplicates, vec!["llm/run.csv", "top.json"]);
    }

    #[test]
    fn traversal_and_absolute_paths_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["../escape.txt", "a/../../escape.txt", "/etc/passwd", "C:/x"] {
            let zip = dir.path().join("evil.zip");
            write_zip(&zip, &[("ok.txt", b"1"), (name, b"pwned")]);
            let err = extract(&zip, &dir.path().join("out"), &ZipLimits::default()).unwrap_err();
            assert!(matches!(err, UnzipError::Unsafe { .. }), "{name}: {err}");
        }
        assert!(!dir.path().join("escape.txt").exists());
    }

    #[test]
    fn symlinks_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("link.zip");
        let mut w = zip::ZipWriter::new(File::create(&zip).unwrap());
        w.add_symlink("data", "/etc", SimpleFileOptions::default())
            .unwrap();
        w.finish().unwrap();
        let err = extract(&zip, &dir.path().join("out"), &ZipLimits::default()).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
    }

    #[test]
    fn bombs_and_floods_are_capped() {
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("bomb.zip");
        let zeros = vec![0u8; 5 * 1024 * 1024];
        write_zip(&zip, &[("zeros.bin", &zeros)]);
        assert!(fs::metadata(&zip).unwrap().len() < 100 * 1024);
        let limits = ZipLimits {
            max_files: 10,
            max_bytes: 1024 * 1024,
        };
        let err = extract(&zip, &dir.path().join("out"), &limits).unwrap_err();
        assert!(matches!(err, UnzipError::TooLarge { .. }), "{err}");
        assert!(!dir.path().join("out/zeros.bin").exists());

        let names: Vec<String> = (0..11).map(|i| format!("f{i}.txt")).collect();
        let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"1"[..])).collect();
        write_zip(&zip, &entries);
        let err = extract(&zip, &dir.path().join("out2"), &limits).unwrap_err();
        assert!(err.to_string().contains("11 entries"), "{err}");
    }

    #[test]
    fn non_zip_bodies_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.zip");
        fs::write(&p, br#"{"message":"Artifact has expired"}"#).unwrap();
        let err = extract(&p, &dir.path().join("out"), &ZipLimits::default()).unwrap_err();
        assert!(matches!(err, UnzipError::NotZip { .. }), "{err}");
    }
}
