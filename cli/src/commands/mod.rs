//! One module per subcommand; each exposes an `Args` struct and a `run` function.

pub mod compute;
pub mod conformance;
pub mod dag;
pub mod diagnostics;
pub mod engine_args;
pub mod eval;
pub mod fmt;
mod help;
mod interrupt;
mod live;
pub mod llb;
pub mod ops;
pub mod progress;
pub mod summary;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Run CUE-programmed controllers on BuildKit.
#[derive(Parser, Debug)]
#[command(name = "dagger", version, about, after_help = help::MAIN)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Evaluate CUE files or packages and print the result (CUE, JSON or YAML).
    #[command(after_help = help::EVAL)]
    Eval(eval::Args),
    /// Run CUE conformance cases (txtar) and compare with the reference outputs.
    #[command(after_help = help::CONFORMANCE)]
    Conformance(conformance::Args),
    /// Run a plan on BuildKit and print the merged state as JSON.
    #[command(after_help = help::COMPUTE)]
    Compute(compute::Args),
    /// Print a plan's component graph without running it.
    #[command(after_help = help::DAG)]
    Dag(dag::Args),
    /// Print the LLB ops a component compiles to, with digests.
    #[command(after_help = help::LLB)]
    Llb(llb::Args),
    /// Format CUE files in the canonical style (tabs, aligned values).
    #[command(after_help = help::FMT)]
    Fmt(fmt::Args),
    /// List every op of the embedded package dagger.io/llb: its fields, types and defaults.
    Ops(ops::Args),
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
        Command::Ops(args) => ops::run(args),
    }
}
