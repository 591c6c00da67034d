//! The `completions` and `man` subcommands: shell completion scripts and man pages
//! generated from the command-line definitions, so they never drift from `--help`.

use super::{exit, print, Cli};
use clap::CommandFactory;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to write the completion script for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write a page per subcommand (`benchgate.1`, `benchgate-scan.1`, ...) into this
    /// directory instead of printing the main page.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Prints the completion script of `args.shell`.
pub fn completions(args: CompletionsArgs) -> u8 {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "benchgate", &mut script);
    finish("completions", print(&script))
}

/// Prints the main man page, or writes every page into `args.dir`.
pub fn man(args: ManArgs) -> u8 {
    let command = Cli::command();
    match args.dir {
        Some(dir) => match std::fs::create_dir_all(&dir)
            .and_then(|()| clap_mangen::generate_to(command, &dir))
        {
            Ok(()) => exit::PASS,
            Err(e) => {
                eprintln!(
                    "benchgate man: error: cannot write the man pages to {}: {e}; pass --dir with a writable directory",
                    dir.display()
                );
                exit::USAGE
            }
        },
        None => {
            let mut page = Vec::new();
            let rendered = clap_mangen::Man::new(command).render(&mut page);
            finish("man", rendered.and_then(|()| print(&page)))
        }
    }
}

fn finish(name: &str, result: std::io::Result<()>) -> u8 {
    match result {
        Ok(()) => exit::PASS,
        Err(e) => {
            eprintln!("benchgate {name}: error: writing to standard output: {e}");
            exit::INTERNAL
        }
    }
}
