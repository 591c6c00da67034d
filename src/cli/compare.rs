//! The `compare` subcommand.

#[derive(Debug, clap::Args)]
pub struct CompareArgs {}

pub fn run(_args: CompareArgs) -> u8 {
    super::exit::INTERNAL
}
