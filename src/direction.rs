//! Infers whether a metric is better higher, lower, or is a parameter (neutral), from its
//! name and unit (the table in the README's "Metric direction" section).

use crate::model::Direction;

/// The direction of metric `name` measured in `unit` (either may be empty).
pub fn infer(name: &str, unit: &str) -> Direction {
    let _ = (name, unit);
    Direction::Neutral
}

/// True when `name` is a run parameter (`num_gpu`, `n_prompt`, `batch_size`, ...) that
/// belongs in a series' labels rather than being compared as a result.
pub fn is_parameter(name: &str) -> bool {
    let _ = name;
    false
}
