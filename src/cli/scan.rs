//! The `scan` subcommand.

#[derive(Debug, clap::Args)]
pub struct ScanArgs {}

pub fn run(_args: ScanArgs) -> u8 {
    super::exit::INTERNAL
}
