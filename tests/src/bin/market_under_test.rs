//! The server binary the integration tests spawn: the same entry point as
//! `ladakh-market`, built in this package so that the tests can find it through
//! `CARGO_BIN_EXE_market-under-test` without building anything themselves.

fn main() -> std::process::ExitCode {
    api::cli::run()
}
