//! Progress of a long scan or comparison: the pipeline reports each file it read and each
//! group of files it judged, and the caller decides whether and how to show it (the
//! command line draws a bar on a terminal; the library and the action show nothing).

/// Receives the progress of a run, from any worker thread.
pub trait Progress: Sync {
    /// `files` files of `bytes` bytes in all are about to be read, judged in `groups`
    /// groups (0 when the run only reads).
    fn start(&self, _files: usize, _bytes: u64, _groups: usize) {}
    /// A file of `bytes` bytes was read and parsed (or skipped).
    fn file_read(&self, _bytes: u64) {}
    /// A group of files was judged.
    fn group_judged(&self) {}
}

/// Progress that goes nowhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {}
