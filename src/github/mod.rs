//! Everything that talks to GitHub: the REST client ([`client`]) and the calls built on it
//! (runs, artifacts, comments, check runs), plus the runner's file commands (step outputs,
//! job summary) and workflow commands (annotations, groups, masks).

pub mod artifacts;
pub mod branch_files;
pub mod checks;
pub mod client;
pub mod commands;
pub mod comments;
pub mod error;
pub mod files;
pub mod headers;
pub mod runs;

pub use client::{Client, Download, RetryPolicy};
pub use error::{GithubError, Permission};
