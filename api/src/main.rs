//! The `ladakh-market` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

/// mimalloc instead of glibc's allocator: fewer lock and consolidation costs under load,
/// and memory returned to the system more readily (see docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    api::cli::run()
}
