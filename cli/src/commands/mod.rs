//! One module per subcommand; each exposes an `Args` struct and a `run` function.

pub mod fmt;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Run CUE-programmed controllers on BuildKit.
#[derive(Parser, Debug)]
#[command(name = "dagger", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Format CUE files in the canonical style (tabs, aligned values).
    Fmt(fmt::Args),
}

/// Dispatch a parsed command line to its subcommand.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Fmt(args) => fmt::run(args),
    }
}
