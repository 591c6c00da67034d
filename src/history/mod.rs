//! A durable history of benchmark results in a branch of the repository, for when workflow
//! artifacts are gone (they expire after the repository's retention period): the summary
//! format of one run ([`summary`]) and the branch's layout and index ([`branch`]).

pub mod branch;
pub mod summary;
