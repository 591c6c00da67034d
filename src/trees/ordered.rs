//! Runs a job over many items on every core (rayon's pool) and hands the results to one
//! consumer in item order, while the pool goes on with later items. An item starts only
//! while the items started and not yet consumed stay within a fixed [`Window`] (a number of
//! items and a total weight, such as the bytes of their files), however many threads there
//! are: memory holds a bounded amount of results however many items and threads there are,
//! and no core waits for a slow item except when the window is full.

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Condvar, Mutex};
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
    /// Finished results not consumed yet; `Err` holds the panic of a job.
    done: BTreeMap<usize, thread::Result<R>>,
}

/// Calls `job` on every item on rayon's pool of `threads` threads (no thread of its own)
/// and `consume` on each result, in the order of `items`, on the calling thread, which
/// starts the jobs within `window` (`weight` gives each item's). A panic in a job is
/// raised again here, once the jobs started have ended.
pub(super) fn for_each_ordered<T, R>(
    items: &[T],
    window: Window,
    weight: impl Fn(&T) -> u64 + Sync,
    job: impl Fn(&T) -> R + Sync,
    mut consume: impl FnMut(R),
) where
    T: Sync,
    R: Send,
{
    let state = Mutex::new(State {
        done: BTreeMap::new(),
    });
    let changed = Condvar::new();
    let lock = || state.lock().unwrap_or_else(|e| e.into_inner());
    let (state, changed, job) = (&state, &changed, &job);
    rayon::in_place_scope(|scope| {
        let (mut next, mut in_flight) = (0, 0u64);
        for (i, item) in items.iter().enumerate() {
            // Start what the window allows; the oldest item not consumed always starts.
            while let Some(upcoming) = items.get(next) {
                let w = weight(upcoming);
                let room = next - i < window.items && in_flight.saturating_add(w) <= window.weight;
                if next > i && !room {
                    break;
                }
                let index = next;
                scope.spawn(move |_| {
                    let result = panic::catch_unwind(AssertUnwindSafe(|| job(upcoming)));
                    state
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .done
                        .insert(index, result);
                    changed.notify_all();
                });
                next += 1;
                in_flight = in_flight.saturating_add(w);
            }
            let result = {
                let mut s = lock();
                loop {
                    if let Some(r) = s.done.remove(&i) {
                        break r;
                    }
                    s = changed.wait(s).unwrap_or_else(|e| e.into_inner());
                }
            };
            in_flight = in_flight.saturating_sub(weight(item));
            match result {
                Ok(r) => consume(r),
                Err(payload) => panic::resume_unwind(payload),
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

    /// The weight of the items started and not consumed stays within the window's (the
    /// consumer starts the jobs, so no thread count enters), except for an item heavier
    /// than the window, which runs alone.
    #[test]
    fn the_weight_in_flight_stays_within_the_window() {
        let items: Vec<u64> = (0..300)
            .map(|i| if i == 150 { 500 } else { i % 9 + 1 })
            .collect();
        let window = Window {
            items: 1_000,
            weight: 40,
        };
        let in_flight = AtomicU64::new(0);
        let mut seen = Vec::new();
        for_each_ordered(
            &items,
            window,
            |&w| w,
            |&w| {
                let now = in_flight.fetch_add(w, Ordering::SeqCst) + w;
                assert!(now <= 40 || now == 500, "{now} in flight");
                thread::sleep(Duration::from_micros(w * 20));
                w
            },
            |w| {
                // Counted off before the consumer starts more.
                in_flight.fetch_sub(w, Ordering::SeqCst);
                seen.push(w);
            },
        );
        assert_eq!(seen, items);
    }

    #[test]
    fn a_panicking_job_is_raised_in_the_caller_without_hanging() {
        let items: Vec<usize> = (0..100).collect();
        let outcome = panic::catch_unwind(|| {
            for_each_ordered(
                &items,
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
        for_each_ordered(&[] as &[u8], WIDE, |_| 1, |_| (), |_: ()| unreachable!());
    }
}
