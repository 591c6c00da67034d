//! The `benchgate` command-line entry point.

/// The scan allocates and frees millions of small strings from two threads: mimalloc keeps
/// less of that memory fragmented than glibc's allocator (peak RSS 225 MB against 253 MB
/// on the medium synthetic pair, in the same time; see BENCHMARKS.md), and it replaces
/// musl's allocator, which is slow under this load, in the static release binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    benchgate::cli::main()
}
