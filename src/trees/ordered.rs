//! Runs a job over many items on every core and hands the results to one consumer in item
//! order, while the workers go on with later items. Workers start at most `window` items
//! ahead of the consumer, so memory holds a bounded number of results however many items
//! there are, and no core waits for a slow item except when the window is full.

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread;

struct State<R> {
    /// The next item to start.
    next: usize,
    /// Items below this were consumed.
    consumed: usize,
    /// Finished results not consumed yet; `Err` holds the panic of a job.
    done: BTreeMap<usize, thread::Result<R>>,
    /// Set when the consumer stops early (a job panicked): workers start nothing more.
    stop: bool,
}

fn wait_on<'a, R>(changed: &Condvar, guard: MutexGuard<'a, State<R>>) -> MutexGuard<'a, State<R>> {
    changed.wait(guard).unwrap_or_else(|e| e.into_inner())
}

/// Calls `job` on every item on `threads` worker threads and `consume` on each result, in
/// the order of `items`, on the calling thread. A panic in a job is raised again here.
pub(super) fn for_each_ordered<T, R>(
    items: &[T],
    threads: usize,
    window: usize,
    job: impl Fn(&T) -> R + Sync,
    mut consume: impl FnMut(R),
) where
    T: Sync,
    R: Send,
{
    let window = window.max(1);
    let state = Mutex::new(State {
        next: 0,
        consumed: 0,
        done: BTreeMap::new(),
        stop: false,
    });
    let changed = Condvar::new();
    let lock = || state.lock().unwrap_or_else(|e| e.into_inner());
    let wait = |guard| wait_on(&changed, guard);
    thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|| loop {
                let i = {
                    let mut s = lock();
                    loop {
                        if s.stop || s.next >= items.len() {
                            return;
                        }
                        if s.next < s.consumed + window {
                            s.next += 1;
                            break s.next - 1;
                        }
                        s = wait(s);
                    }
                };
                let result = panic::catch_unwind(AssertUnwindSafe(|| job(&items[i])));
                lock().done.insert(i, result);
                changed.notify_all();
            });
        }
        for i in 0..items.len() {
            let result = {
                let mut s = lock();
                loop {
                    if let Some(r) = s.done.remove(&i) {
                        s.consumed = i + 1;
                        break r;
                    }
                    s = wait(s);
                }
            };
            changed.notify_all();
            match result {
                Ok(r) => consume(r),
                Err(payload) => {
                    lock().stop = true;
                    changed.notify_all();
                    panic::resume_unwind(payload);
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[test]
    fn results_arrive_in_order_and_workers_stay_within_the_window() {
        let items: Vec<usize> = (0..200).collect();
        let started = AtomicUsize::new(0);
        let mut seen = Vec::new();
        for_each_ordered(
            &items,
            4,
            8,
            |&i| {
                started.fetch_add(1, Ordering::SeqCst);
                // Early items are slow, so later ones finish first.
                thread::sleep(Duration::from_micros(((200 - i) % 7) as u64 * 50));
                i * 2
            },
            |r| {
                // Never more than `window` items started beyond those consumed.
                assert!(started.load(Ordering::SeqCst) <= seen.len() + 1 + 8);
                seen.push(r);
            },
        );
        assert_eq!(seen, items.iter().map(|i| i * 2).collect::<Vec<_>>());
    }

    #[test]
    fn a_panicking_job_is_raised_in_the_caller_without_hanging() {
        let items: Vec<usize> = (0..100).collect();
        let outcome = panic::catch_unwind(|| {
            for_each_ordered(
                &items,
                2,
                4,
                |&i| {
                    assert!(i != 10, "job 10 fails");
                    i
                },
                |_| {},
            )
        });
        let payload = outcome.expect_err("the panic is raised");
        let message = payload.downcast_ref::<&str>().copied().unwrap_or_default();
        assert_eq!(message, "job 10 fails");
    }

    #[test]
    fn no_items_is_fine() {
        for_each_ordered(&[] as &[u8], 2, 4, |_| (), |_: ()| unreachable!());
    }
}
