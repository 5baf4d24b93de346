//! `dagger dag PLAN_DIR [--format dot|text]`: print the component graph
//! without running anything.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;

use super::compute::{load_plan, InputArgs};

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Graphviz source.
    Dot,
    /// One line per component: `b <- a, c`.
    Text,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Directory of the plan (a CUE package).
    pub plan_dir: PathBuf,
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub log: super::log::LogArgs,
}

pub fn run(args: Args) -> ExitCode {
    args.log.apply();
    let plan = match load_plan(&args.plan_dir, &args.inputs) {
        Ok(p) => p,
        Err(code) => return code,
    };
    // Fail exactly where compute would, before drawing anything.
    if let Err(e) = ::dag::run::validate(&plan) {
        let secrets = ::dag::plan::Plan::secrets(&plan);
        super::progress::Diag { json: false }.error(&secrets.redact(&e.to_string()));
        return ExitCode::from(1);
    }
    match ::dag::graph::Graph::build(::dag::plan::Plan::root(&plan)) {
        Ok(graph) => {
            let text = match args.format {
                Format::Dot => graph.to_dot(),
                Format::Text => graph.to_text(),
            };
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::from(1),
            }
        }
        Err(e) => {
            super::progress::Diag { json: false }.error(&e.to_string());
            ExitCode::from(1)
        }
    }
}
