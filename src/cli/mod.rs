//! Command-line interface: parses arguments and runs one subcommand. Each subcommand lives
//! in its own file and only wires pipeline stages together.

mod action;
mod compare;
mod demo;
mod failure;
mod gab_base;
mod manual;
pub mod report_file;
mod scan;
pub mod terminal;

use clap::{Parser, Subcommand};
use std::io::Write as _;
use std::process::ExitCode;

/// Exit codes, as documented in the README.
pub mod exit {
    /// Pass, warn, no baseline, or an advisory-only run.
    pub const PASS: u8 = 0;
    /// A gated regression.
    pub const FAIL: u8 = 1;
    /// A usage or configuration error; the message says what to fix.
    pub const USAGE: u8 = 2;
    /// An internal failure.
    pub const INTERNAL: u8 = 3;
}

#[derive(Debug, Parser)]
#[command(
    name = "benchgate",
    version,
    about = "Benchmark regression gate: scan benchmark artifacts, compare them with a baseline, report and gate."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the benchmark files under a directory, what each gave and the totals (--series: every metric series).
    Scan(scan::ScanArgs),
    /// Compare a head directory against a base directory and render the report.
    Compare(Box<compare::CompareArgs>),
    /// Run `compare` on a real example pair embedded in the binary.
    Demo(demo::DemoArgs),
    /// Run as a GitHub Action (reads INPUT_* and GITHUB_* from the environment).
    Action(action::ActionArgs),
    /// Print the shell completion script for bash, zsh, fish, elvish or powershell.
    Completions(manual::CompletionsArgs),
    /// Print the man page (roff), or write one page per subcommand with --dir.
    Man(manual::ManArgs),
}

/// Runs the command line and maps the outcome to an exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::PASS
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    init_tracing();
    let code = match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Compare(args) => compare::run(*args),
        Command::Action(args) => action::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Completions(args) => manual::completions(args),
        Command::Man(args) => manual::man(args),
    };
    ExitCode::from(code)
}

/// Writes `bytes` to standard output; a reader that went away (`| head`) is not an error.
fn print(bytes: &[u8]) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        result => result,
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("BENCHGATE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
