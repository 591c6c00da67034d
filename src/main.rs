//! The `benchgate` command-line entry point.

/// The scan allocates and frees millions of small strings from two threads: mimalloc does
/// that faster and with less fragmentation than glibc's allocator, and far faster than
/// musl's, which the static release binary would otherwise use.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    benchgate::cli::main()
}
