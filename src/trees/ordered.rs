//! Runs a job over many items on every core and hands the results to one consumer in item
//! order, while the workers go on with later items. Workers start an item only while the
//! items started and not yet consumed stay within a fixed [`Window`] (a number of items and
//! a total weight, such as the bytes of their files), however many threads there are: memory
//! holds a bounded amount of results however many items and threads there are, and no core
//! waits for a slow item except when the window is full.

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread;

/// How far the workers may run ahead of the consumer: at most `items` items started and
/// not consumed, of at most `weight` in all. The oldest item not consumed always starts, so
/// one heavier than `weight` still runs (on its own).
#[derive(Debug, Clone, Copy)]
pub(super) struct Window {
    pub items: usize,
    pub weight: u64,
}

struct State<R> {
    /// The next item to start.
    next: usize,
    /// Items below this were consumed.
    consumed: usize,
    /// The weight of the items started and not consumed.
    in_flight: u64,
    /// Finished results not consumed yet; `Err` holds the panic of a job.
    done: BTreeMap<usize, thread::Result<R>>,
    /// Set when the consumer stops early (a job panicked): workers start nothing more.
    stop: bool,
}

impl<R> State<R> {
    /// Whether an item of weight `w` may start now.
    fn may_start(&self, window: Window, w: u64) -> bool {
        self.next == self.consumed
            || (self.next < self.consumed + window.items
                && self.in_flight.saturating_add(w) <= window.weight)
    }
}

fn wait_on<'a, R>(changed: &Condvar, guard: MutexGuard<'a, State<R>>) -> MutexGuard<'a, State<R>> {
    changed.wait(guard).unwrap_or_else(|e| e.into_inner())
}

/// Calls `job` on every item on `threads` worker threads and `consume` on each result, in
/// the order of `items`, on the calling thread, with the workers within `window` (`weight`
/// gives each item's). A panic in a job is raised again here.
pub(super) fn for_each_ordered<T, R>(
    items: &[T],
    threads: usize,
    window: Window,
    weight: impl Fn(&T) -> u64 + Sync,
    job: impl Fn(&T) -> R + Sync,
    mut consume: impl FnMut(R),
) where
    T: Sync,
    R: Send,
{
    let state = Mutex::new(State {
        next: 0,
        consumed: 0,
        in_flight: 0,
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
                        let w = weight(&items[s.next]);
                        if s.may_start(window, w) {
                            s.next += 1;
                            s.in_flight = s.in_flight.saturating_add(w);
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
        for (i, item) in items.iter().enumerate() {
            let result = {
                let mut s = lock();
                loop {
                    if let Some(r) = s.done.remove(&i) {
                        s.consumed = i + 1;
                        s.in_flight = s.in_flight.saturating_sub(weight(item));
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
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    use std::time::Duration;

    const WIDE: Window = Window {
        items: 8,
        weight: u64::MAX,
    };

    #[test]
    fn results_arrive_in_order_and_workers_stay_within_the_window() {
        let items: Vec<usize> = (0..200).collect();
        let started = AtomicUsize::new(0);
        let mut seen = Vec::new();
        for_each_ordered(
            &items,
            4,
            WIDE,
            |_| 1,
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

    /// The weight of the items started and not consumed stays within the window's
    /// whatever the thread count, except for an item heavier than the window, which runs
    /// alone.
    #[test]
    fn the_weight_in_flight_stays_within_the_window_on_any_number_of_threads() {
        let items: Vec<u64> = (0..300)
            .map(|i| if i == 150 { 500 } else { i % 9 + 1 })
            .collect();
        let window = Window {
            items: 1_000,
            weight: 40,
        };
        for threads in [1, 2, 16, 64] {
            let in_flight = AtomicU64::new(0);
            let most = AtomicU64::new(0);
            let mut seen = Vec::new();
            for_each_ordered(
                &items,
                threads,
                window,
                |&w| w,
                |&w| {
                    // The consumer counts an item off here just after the executor does,
                    // so one consumed item (9 at most) may still be counted.
                    let now = in_flight.fetch_add(w, Ordering::SeqCst) + w;
                    assert!(
                        now <= 40 + 9 || (500..=509).contains(&now),
                        "{now} in flight"
                    );
                    most.fetch_max(now, Ordering::SeqCst);
                    thread::sleep(Duration::from_micros(w * 20));
                    w
                },
                |w| {
                    in_flight.fetch_sub(w, Ordering::SeqCst);
                    seen.push(w);
                },
            );
            assert_eq!(seen, items, "{threads} threads");
            if threads > 1 {
                // The window is used, not just one item at a time.
                assert!(most.load(Ordering::SeqCst) > 9, "{threads} threads");
            }
        }
    }

    #[test]
    fn a_panicking_job_is_raised_in_the_caller_without_hanging() {
        let items: Vec<usize> = (0..100).collect();
        let outcome = panic::catch_unwind(|| {
            for_each_ordered(
                &items,
                2,
                Window {
                    items: 4,
                    weight: u64::MAX,
                },
                |_| 1,
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
        for_each_ordered(&[] as &[u8], 2, WIDE, |_| 1, |_| (), |_: ()| unreachable!());
    }
}
