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

/// Renders `report` with as many rows as fit in `budget` bytes.
pub(super) fn fit<E>(
    report: &Report,
    budget: usize,
    render: impl Fn(&Report) -> Result<String, E>,
) -> Result<Fit, E> {
    let full = render(report)?;
    if full.len() <= budget {
        return Ok(Fit::Within(Rendered {
            markdown: full,
            omitted: report.omitted.clone(),
        }));
    }
    let mut order: Vec<usize> = (0..report.deltas.len()).collect();
    order.sort_by_key(|&i| priority(report.deltas[i].status));
    let protected = order
        .iter()
        .filter(|&&i| is_protected(report.deltas[i].status))
        .count();

    let mut ctx = report.clone();
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

    // Keep every protected row if at all possible and search the largest number of the
    // other rows that fits; otherwise search among the protected rows alone.
    let with_protected = attempt(protected)?;
    let (mut lo, mut best, mut hi) = if fits(&with_protected) {
        (protected, with_protected, order.len())
    } else {
        let bare = attempt(0)?;
        if !fits(&bare) {
            return Ok(Fit::Over {
                size: bare.markdown.len(),
            });
        }
        (0, bare, protected)
    };
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let rendered = attempt(mid)?;
        if fits(&rendered) {
            lo = mid;
            best = rendered;
        } else {
            hi = mid;
        }
    }
    Ok(Fit::Within(best))
}
