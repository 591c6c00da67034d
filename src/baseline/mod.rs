//! baseline/mod (being built).
