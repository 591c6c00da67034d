//! analyze/mod (being built).
