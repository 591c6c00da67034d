//! The `benchgate` command-line entry point.

/// The scan allocates and frees millions of small strings from two threads: mimalloc keeps
/// less of that memory fragmented than glibc's allocator (peak RSS 225 MB against 253 MB
/// on the medium synthetic pair, in the same time; see BENCHMARKS.md), and it replaces
/// musl's allocator, which is slow under this load, in the static release binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// mimalloc's own settings (`mi_option_set` in the library the allocator links).
unsafe extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_arena_eager_commit` in mimalloc's option list.
const ARENA_EAGER_COMMIT: std::ffi::c_int = 4;
/// `mi_option_purge_delay` in mimalloc's option list.
const PURGE_DELAY: std::ffi::c_int = 15;

/// Runs before anything allocates where the platform has constructors (ELF's
/// `.init_array`): mimalloc reserves its first arena at the first allocation, which the
/// standard library makes before `main`, and the arena keeps the settings it was made with.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static ALLOCATOR_SETTINGS: extern "C" fn() = allocator_settings;

/// Each thread's heap keeps the pages freed in it for a while (10 ms by default, and only
/// checked when that thread allocates again), so with a thread per core the peak grows with
/// the thread count. Pages are handed back as soon as they are free, and arenas are
/// committed as their pages are first used, not whole (the default where the system
/// overcommits, as Linux does). On the everything-regressed balanced tree at 16 threads
/// the peak is ~200 MiB with both, ~330 with the first alone and ~650 with neither
/// (BENCHMARKS.md); handing pages back costs some system time.
extern "C" fn allocator_settings() {
    // SAFETY: plain setters of the linked mimalloc, called before any other thread runs.
    unsafe {
        mi_option_set(ARENA_EAGER_COMMIT, 0);
        mi_option_set(PURGE_DELAY, 0);
    }
}

fn main() -> std::process::ExitCode {
    #[cfg(not(target_os = "linux"))]
    allocator_settings();
    benchgate::cli::main()
}
