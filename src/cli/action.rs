//! The `action` subcommand.

#[derive(Debug, clap::Args)]
pub struct ActionArgs {}

pub fn run(_args: ActionArgs) -> u8 {
    super::exit::INTERNAL
}
