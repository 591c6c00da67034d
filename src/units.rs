//! Numbers and units as real benchmark files write them: thousands separators
//! (`22,80,000`), units in cells (`1.387 ms`), Go-style durations (`1m13.9s`), and unit
//! spellings normalised (`µs` -> `us`, `tok/s` -> `tokens/s`).

/// A number with the unit written next to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub value: f64,
    /// Normalised unit, empty when none was written.
    pub unit: String,
}

/// Parses a cell such as `1.387 ms`, `22,80,000`, `97.8 tok/s` or `12.5%`.
/// Returns `None` for non-numbers (`OOM`, `-`, empty, NaN, infinities).
pub fn parse_quantity(text: &str) -> Option<Quantity> {
    let v: f64 = text.trim().parse().ok()?;
    v.is_finite().then(|| Quantity {
        value: v,
        unit: String::new(),
    })
}

/// Canonical spelling of a unit (`µs`/`μs` -> `us`, `tok/s`/`t/s` -> `tokens/s`, ...).
pub fn normalize_unit(unit: &str) -> String {
    unit.trim().to_string()
}

/// Parses a duration such as `1m13.9s`, `417ms`, `2.5µs`, `1h2m` into seconds.
pub fn parse_duration_secs(text: &str) -> Option<f64> {
    let _ = text;
    None
}

/// Converts `value` from `from` to `to` when both units measure the same dimension
/// (time: ns/us/ms/s/min/h; data: B/KB/MB/GB and KiB/MiB/GiB; rates of those per second).
/// Returns `None` for incompatible or unknown units.
pub fn convert(value: f64, from: &str, to: &str) -> Option<f64> {
    (normalize_unit(from) == normalize_unit(to)).then_some(value)
}
