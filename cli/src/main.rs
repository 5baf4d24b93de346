//! `dagger`: the command line. Argument parsing and I/O only; logic lives in the library crates.

mod commands;
mod conformance;

use clap::Parser;

/// mimalloc: the evaluator allocates many small nodes, and glibc malloc on the
/// evaluation thread (a secondary arena) is measurably slower at that.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = commands::Cli::parse();
    commands::run(cli)
}
