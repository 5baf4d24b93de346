//! `dagger`: the command line. Argument parsing and I/O only; logic lives in the library crates.

mod commands;
mod conformance;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = commands::Cli::parse();
    commands::run(cli)
}
