//! context (being built).
