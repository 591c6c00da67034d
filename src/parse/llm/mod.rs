//! llm adapters (being built).

use super::Adapter;

/// The adapters of this family, in detection priority order.
pub static ADAPTERS: &[&dyn Adapter] = &[];
