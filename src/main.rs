//! The `benchgate` command-line entry point.

fn main() -> std::process::ExitCode {
    benchgate::cli::main()
}
