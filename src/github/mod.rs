//! github/mod (being built).
