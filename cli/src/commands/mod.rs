//! One module per subcommand; each exposes an `Args` struct and a `run` function.

pub mod compute;
pub mod conformance;
pub mod dag;
pub mod eval;
pub mod fmt;
pub mod llb;

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
    /// Evaluate CUE files or packages and print the result (CUE, JSON or YAML).
    Eval(eval::Args),
    /// Run CUE conformance cases (txtar) and compare with the reference outputs.
    Conformance(conformance::Args),
    /// Run a plan on BuildKit and print the merged state as JSON.
    Compute(compute::Args),
    /// Print a plan's component graph without running it.
    Dag(dag::Args),
    /// Print the LLB ops a component compiles to, with digests.
    Llb(llb::Args),
    /// Format CUE files in the canonical style (tabs, aligned values).
    Fmt(fmt::Args),
}

/// Dispatch a parsed command line to its subcommand.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Eval(args) => eval::run(args),
        Command::Conformance(args) => conformance::run(args),
        Command::Compute(args) => compute::run(args),
        Command::Dag(args) => dag::run(args),
        Command::Llb(args) => llb::run(args),
        Command::Fmt(args) => fmt::run(args),
    }
}
