//! The parse stage of a comparison alone: every file read, decoded and parsed by
//! benchgate's adapters as a scan does it, on the global rayon pool, and its series
//! counted and dropped. Nothing is merged, judged or written, so a comparison's time
//! beyond this is what the later stages cost.

use benchgate::collect::{read_text, CollectedFile};
use benchgate::parse::{parse_file, Input};
use rayon::prelude::*;

/// What the parse stage read and produced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Parsed {
    pub files: usize,
    pub bytes: u64,
    /// Files that could not be read (too large, unreadable).
    pub unread: usize,
    pub series: usize,
    pub samples: usize,
}

impl std::ops::Add for Parsed {
    type Output = Parsed;
    fn add(self, o: Parsed) -> Parsed {
        Parsed {
            files: self.files + o.files,
            bytes: self.bytes + o.bytes,
            unread: self.unread + o.unread,
            series: self.series + o.series,
            samples: self.samples + o.samples,
        }
    }
}

/// Reads and parses `files` (as a walk found them), dropping each file's series.
pub fn parse(files: &[CollectedFile], max_size: u64) -> Parsed {
    files
        .par_iter()
        .map(|file| {
            let Ok(text) = read_text(file, max_size) else {
                return Parsed {
                    files: 1,
                    unread: 1,
                    ..Parsed::default()
                };
            };
            let parsed = parse_file(&Input {
                path: &file.rel_path,
                text: &text.text,
            });
            Parsed {
                files: 1,
                bytes: file.size,
                unread: 0,
                series: parsed.series.len(),
                samples: parsed.series.iter().map(|s| s.samples.len()).sum(),
            }
        })
        .reduce(Parsed::default, |a, b| a + b)
}
