//! One module per subcommand; each exposes an `Args` struct and a `run` function.

pub mod compute;
pub mod conformance;
pub mod controller;
pub mod dag;
pub mod diagnostics;
pub mod engine_args;
pub mod eval;
pub mod fmt;
mod help;
mod interrupt;
mod live;
pub mod llb;
pub mod log;
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
    /// Create a controller: a plan kept in .dagger/NAME with its inputs and outputs.
    #[command(after_help = help::NEW)]
    New(controller::new::Args),
    /// List the controllers of this project with their state.
    #[command(after_help = help::LIST)]
    List(controller::list::Args),
    /// Change a controller's plan.
    #[command(after_help = help::PLAN)]
    Plan(controller::plan::Args),
    /// Set, list or remove a controller's inputs.
    #[command(after_help = help::INPUT)]
    Input(controller::input::Args),
    /// Bring a controller up to date: recompute what changed, reuse the rest.
    #[command(after_help = help::UP)]
    Up(controller::up::Args),
    /// Print a controller's configuration (plan, inputs, outputs), or an expression of it.
    #[command(after_help = help::QUERY)]
    Query(controller::query::Args),
    /// List a controller's computed values.
    #[command(after_help = help::OUTPUT)]
    Output(controller::output::Args),
    /// List a controller's past runs.
    #[command(after_help = help::HISTORY)]
    History(controller::history::Args),
    /// Run a controller's teardown components and mark it down.
    #[command(after_help = help::DOWN)]
    Down(controller::remove::DownArgs),
    /// Delete a controller and its state.
    #[command(after_help = help::DELETE)]
    Delete(controller::remove::DeleteArgs),
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
        Command::New(args) => controller::new::run(args),
        Command::List(args) => controller::list::run(args),
        Command::Plan(args) => controller::plan::run(args),
        Command::Input(args) => controller::input::run(args),
        Command::Up(args) => controller::up::run(args),
        Command::Query(args) => controller::query::run(args),
        Command::Output(args) => controller::output::run(args),
        Command::History(args) => controller::history::run(args),
        Command::Down(args) => controller::remove::down(args),
        Command::Delete(args) => controller::remove::delete(args),
    }
}
