//! Keeps a rendering under a byte budget by rendering again with fewer metric rows. Rows
//! are dropped lowest status priority first (unchanged, new, fixed, improvements, ...), and
//! within a status from the end of the report's order (the least severe); regressions and
//! broken metrics go only when nothing else is left. The context of a capped rendering
//! lists what was left out in `omitted`, so the template can say so.

use super::Rendered;
use crate::report::{is_protected, priority, Report};

/// The outcome of fitting a template into a budget.
pub(super) enum Fit {
    Within(Rendered),
    /// Even without any row the output has `size` bytes.
    Over {
        size: usize,
    },
}

/// Reports with at most this many rows are rendered whole first: they usually fit, and then
/// one rendering is all it takes. Larger ones are not: rendering every row would cost the
/// most exactly when most rows cannot be shown, so the row count is found by doubling.
const RENDER_WHOLE_FIRST: usize = 2_000;

/// Renders `report` with as many rows as fit in `budget` bytes.
pub(super) fn fit<E>(
    report: &Report,
    budget: usize,
    render: impl Fn(&Report) -> Result<String, E>,
) -> Result<Fit, E> {
    let whole_size = if report.deltas.len() <= RENDER_WHOLE_FIRST {
        let full = render(report)?;
        if full.len() <= budget {
            return Ok(Fit::Within(Rendered {
                markdown: full,
                omitted: report.omitted.clone(),
            }));
        }
        Some(full.len())
    } else {
        None
    };
    let mut order: Vec<usize> = (0..report.deltas.len()).collect();
    order.sort_by_key(|&i| priority(report.deltas[i].status));
    let protected = order
        .iter()
        .filter(|&&i| is_protected(report.deltas[i].status))
        .count();

    // A copy without the rows, which each attempt chooses (copying them all first would
    // cost as much as a rendering of every row).
    let mut ctx = report.without_rows();
    let mut attempt = |keep: usize| -> Result<Rendered, E> {
        let mut kept: Vec<usize> = order[..keep].to_vec();
        kept.sort_unstable();
        ctx.deltas = kept.iter().map(|&i| report.deltas[i].clone()).collect();
        let mut omitted = report.omitted.clone();
        for &i in &order[keep..] {
            omitted.rows += 1;
            *omitted
                .by_status
                .entry(report.deltas[i].status)
                .or_default() += 1;
        }
        ctx.omitted = omitted;
        Ok(Rendered {
            markdown: render(&ctx)?,
            omitted: ctx.omitted.clone(),
        })
    };
    let fits = |r: &Rendered| r.markdown.len() <= budget;

    let Some(full_size) = whole_size else {
        // A large report: the largest fitting row count, bracketed by doubling from none.
        // Rows are in priority order, so protected rows are kept first whenever they fit.
        let bare = attempt(0)?;
        if !fits(&bare) {
            return Ok(Fit::Over {
                size: bare.markdown.len(),
            });
        }
        return match bound(0, bare, order.len(), budget, &mut attempt)? {
            Bound::All(rendered) => Ok(Fit::Within(rendered)),
            Bound::Between {
                lo,
                best,
                hi,
                hi_size,
            } => search(lo, best, hi, hi_size, budget, attempt).map(Fit::Within),
        };
    };
    // Keep every protected row if at all possible and search the largest number of the
    // other rows that fits; otherwise search among the protected rows alone.
    let with_protected = attempt(protected)?;
    let (lo, best, hi, hi_size) = if fits(&with_protected) {
        (protected, with_protected, order.len(), full_size)
    } else {
        let bare = attempt(0)?;
        if !fits(&bare) {
            return Ok(Fit::Over {
                size: bare.markdown.len(),
            });
        }
        let size = with_protected.markdown.len();
        (0, bare, protected, size)
    };
    search(lo, best, hi, hi_size, budget, attempt).map(Fit::Within)
}

/// Where the largest fitting row count lies.
enum Bound {
    /// Every row fits (rendered).
    All(Rendered),
    /// `lo` rows fit (rendered as `best`), `hi` rows do not (`hi_size` bytes).
    Between {
        lo: usize,
        best: Rendered,
        hi: usize,
        hi_size: usize,
    },
}

/// Rows added by the first step of [`bound`]; each later step doubles.
const FIRST_STEP: usize = 64;

/// Brackets the largest fitting row count above `lo` (which fits, rendered as `best`) by
/// doubling the number of rows added, up to all `total` rows, so the renders cost about
/// twice the rows of the answer rather than the rows of the report.
fn bound<E>(
    mut lo: usize,
    mut best: Rendered,
    total: usize,
    budget: usize,
    mut attempt: impl FnMut(usize) -> Result<Rendered, E>,
) -> Result<Bound, E> {
    let mut step = FIRST_STEP;
    loop {
        let next = lo.saturating_add(step).min(total);
        let rendered = attempt(next)?;
        if rendered.markdown.len() > budget {
            return Ok(Bound::Between {
                lo,
                best,
                hi: next,
                hi_size: rendered.markdown.len(),
            });
        }
        if next == total {
            return Ok(Bound::All(rendered));
        }
        lo = next;
        best = rendered;
        step = step.saturating_mul(2);
    }
}

/// Finds the largest row count in `lo..hi` whose rendering fits, given that `lo` fits
/// (rendered as `best`) and `hi` does not (`hi_size` bytes). Output size grows about
/// linearly with the rows, so each step guesses by interpolation; a step that does not
/// halve the interval is followed by a bisection, which bounds the number of renders.
fn search<E>(
    mut lo: usize,
    mut best: Rendered,
    mut hi: usize,
    mut hi_size: usize,
    budget: usize,
    mut attempt: impl FnMut(usize) -> Result<Rendered, E>,
) -> Result<Rendered, E> {
    let mut bisect = false;
    while hi - lo > 1 {
        let width = hi - lo;
        let lo_size = best.markdown.len();
        let mid = if bisect {
            lo + width / 2
        } else {
            let share = (budget - lo_size) as f64 / (hi_size - lo_size).max(1) as f64;
            (lo + (share * width as f64) as usize).clamp(lo + 1, hi - 1)
        };
        let rendered = attempt(mid)?;
        if rendered.markdown.len() <= budget {
            lo = mid;
            best = rendered;
        } else {
            hi = mid;
            hi_size = rendered.markdown.len();
        }
        bisect = !bisect && (hi - lo) * 2 > width;
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn rendered(size: usize) -> Rendered {
        Rendered {
            markdown: "x".repeat(size),
            omitted: Default::default(),
        }
    }

    /// Rows of uneven size (between 40 and 139 bytes) after a 500-byte header.
    fn size_with(rows: usize) -> usize {
        500 + (0..rows).map(|i| 40 + (i * 37) % 100).sum::<usize>()
    }

    #[test]
    fn bounding_renders_about_twice_the_rows_that_fit_not_the_whole_report() {
        let rows_rendered = Cell::new(0);
        let attempt = |rows: usize| -> Result<Rendered, ()> {
            rows_rendered.set(rows_rendered.get() + rows);
            Ok(rendered(size_with(rows)))
        };
        let Bound::Between {
            lo, hi, hi_size, ..
        } = bound(0, rendered(500), 100_000, 60_000, attempt).unwrap()
        else {
            panic!("100 000 rows cannot fit in 60 000 bytes");
        };
        let expected = (0..100_000)
            .take_while(|&r| size_with(r) <= 60_000)
            .last()
            .unwrap();
        assert!(
            lo <= expected && expected < hi,
            "{lo}..{hi} misses {expected}"
        );
        assert_eq!(hi_size, size_with(hi));
        assert!(
            rows_rendered.get() < 4 * expected,
            "{} rows",
            rows_rendered.get()
        );
        // When everything fits, the last rendering holds every row.
        let all = bound(0, rendered(500), 100, 60_000, |rows| {
            Ok::<_, ()>(rendered(size_with(rows)))
        });
        assert!(matches!(all, Ok(Bound::All(r)) if r.markdown.len() == size_with(100)));
    }

    #[test]
    fn search_finds_the_largest_fitting_row_count_in_few_renders() {
        for budget in [600, 5_000, 60_000, 150_000] {
            let calls = Cell::new(0);
            let attempt = |rows: usize| -> Result<Rendered, ()> {
                calls.set(calls.get() + 1);
                Ok(rendered(size_with(rows)))
            };
            let best = search(0, rendered(500), 5_000, size_with(5_000), budget, attempt).unwrap();
            let expected = (0..5_000).rev().find(|&r| size_with(r) <= budget).unwrap();
            assert_eq!(best.markdown.len(), size_with(expected), "budget {budget}");
            assert!(
                calls.get() <= 8,
                "{} renders for budget {budget}",
                calls.get()
            );
        }
    }
}
