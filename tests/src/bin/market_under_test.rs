//! The server binary the integration tests spawn: the same entry point and the same
//! allocator as `ladakh-market`, built in this package so that the tests can find it
//! through `CARGO_BIN_EXE_market-under-test` without building anything themselves.
//! (With glibc's allocator instead, memory behaviour under the tests would not be the
//! production binary's.)

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    api::cli::run()
}
