//! criterion's console report as `cargo bench` prints it:
//!
//! ```text
//! limbo/Prepare statement: 'SELECT 1'
//!                         time:   [2.0631 µs 2.0688 µs 2.0763 µs]
//! file                    time:   [320.62 ps 323.90 ps 327.55 ps]
//!                         change: [-2.0565% -0.2521% +1.6377%] (p = 0.79 > 0.05)
//! ```
//!
//! The middle value of `time:` is criterion's estimate; it is converted from the unit
//! criterion chose for it (ps to s) to ns. The name is what precedes `time:` on its line, or
//! the line before. `change:` blocks compare against criterion's own saved baseline and are
//! ignored; libtest `bench:` lines in the same output are read as the libtest adapter does.

use super::builder::{Labels, Metric, SeriesBuilder};
use super::{libtest, number, numbered_lines, to_ns};
use crate::model::Direction;
use crate::parse::{Adapter, Confidence, Input, ParseError, Parsed};
use regex::Regex;
use std::sync::LazyLock;

pub(super) struct CriterionConsole;

const NAME: &str = "criterion-console";

static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<name>.*?)\s*\btime:\s+\[\s*(?P<lo>\S+)\s+(?P<lu>\S+)\s+(?P<est>\S+)\s+(?P<eu>\S+)\s+(?P<hi>\S+)\s+(?P<hu>\S+)\s*\]",
    )
    .expect("valid regex")
});

/// The estimate in ns of a `time:` line, with the name written before it (may be empty).
fn time_line(line: &str) -> Option<(&str, f64)> {
    if !line.contains("time:") {
        return None;
    }
    let c = TIME.captures(line)?;
    let est = to_ns(number(c.name("est")?.as_str())?, c.name("eu")?.as_str())?;
    // All three values must be times, which rules out the `time: [-1% +0% +1%]` of a change block.
    to_ns(number(c.name("lo")?.as_str())?, c.name("lu")?.as_str())?;
    to_ns(number(c.name("hi")?.as_str())?, c.name("hu")?.as_str())?;
    Some((c.name("name")?.as_str().trim(), est))
}

impl Adapter for CriterionConsole {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, input: &Input) -> Confidence {
        // Every estimate line holds `time:`: one search rules out most files.
        let text = input.text;
        if text.contains("time:") && numbered_lines(text).any(|(_, l)| time_line(l).is_some()) {
            Confidence::Certain
        } else {
            Confidence::No
        }
    }

    fn parse(&self, input: &Input) -> Result<Parsed, ParseError> {
        let mut out = SeriesBuilder::new(input, NAME);
        let labels = Labels::new();
        let mut previous = "";
        for (n, line) in numbered_lines(input.text) {
            let at = format!("line {n}");
            if let Some((name, ns)) = time_line(line) {
                let name = if name.is_empty() { previous } else { name };
                if name.is_empty() || name == "change:" {
                    out.warn(format!(
                        "{at}: a `time:` estimate without a benchmark name was ignored"
                    ));
                } else {
                    let metric = Metric {
                        benchmark: name,
                        metric: "time",
                        labels: &labels,
                        unit: "ns",
                        direction: Direction::LowerIsBetter,
                    };
                    out.sample(&metric, ns, &at);
                }
            } else {
                libtest::read_line(line, &at, &mut out);
            }
            if !line.trim().is_empty() {
                previous = line.trim();
            }
        }
        out.finish()
    }
}
