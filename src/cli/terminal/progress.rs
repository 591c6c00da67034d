//! A progress bar on standard error (indicatif) for runs longer than a second: bytes and
//! files read, groups judged. It appears only when standard error is a terminal and `CI` is
//! not set, so CI logs and pipes stay clean, and it is cleared when the run ends.

use crate::progress::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// How long a run goes before the bar appears.
const DELAY: Duration = Duration::from_secs(1);

/// A progress bar that draws itself on standard error once the run has taken [`DELAY`].
pub struct Bar {
    bar: ProgressBar,
    started: Instant,
    /// Whether the bar may be drawn at all.
    allowed: bool,
    shown: AtomicBool,
    files: AtomicUsize,
    total_files: AtomicUsize,
    groups: AtomicUsize,
    total_groups: AtomicUsize,
}

impl Bar {
    /// A bar for standard error, drawn only when it is a terminal outside CI.
    pub fn stderr() -> Bar {
        let allowed = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{bar:24}] {bytes}/{total_bytes} · {msg} · {elapsed}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        Bar {
            bar,
            started: Instant::now(),
            allowed,
            shown: AtomicBool::new(false),
            files: AtomicUsize::new(0),
            total_files: AtomicUsize::new(0),
            groups: AtomicUsize::new(0),
            total_groups: AtomicUsize::new(0),
        }
    }

    /// Shows the bar once the run is old enough, and refreshes its message.
    fn update(&self) {
        if !self.allowed || self.started.elapsed() < DELAY {
            return;
        }
        if !self.shown.swap(true, Relaxed) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        self.bar.set_message(message(
            self.files.load(Relaxed),
            self.total_files.load(Relaxed),
            self.groups.load(Relaxed),
            self.total_groups.load(Relaxed),
        ));
    }
}

impl Progress for Bar {
    fn start(&self, files: usize, bytes: u64, groups: usize) {
        self.total_files.store(files, Relaxed);
        self.total_groups.store(groups, Relaxed);
        self.bar.set_length(bytes);
        self.update();
    }

    fn file_read(&self, bytes: u64) {
        self.files.fetch_add(1, Relaxed);
        self.bar.inc(bytes);
        self.update();
    }

    fn group_judged(&self) {
        self.groups.fetch_add(1, Relaxed);
        self.update();
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// The bar's text: files read, and groups judged when the run judges any.
fn message(files: usize, total_files: usize, groups: usize, total_groups: usize) -> String {
    let mut text = format!("{files}/{total_files} files read");
    if total_groups > 0 {
        text.push_str(&format!(", {groups}/{total_groups} groups judged"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_counts_files_and_groups() {
        assert_eq!(message(3, 104, 0, 0), "3/104 files read");
        assert_eq!(
            message(40, 208, 7, 30),
            "40/208 files read, 7/30 groups judged"
        );
    }
}
