//! `dagger eval`: load CUE files, directories or packages, unify them and
//! print the result as CUE (like `cue eval`), JSON or YAML (like
//! `cue export`). Errors are printed the way `cue` prints them; exit 1.

use clap::ValueEnum;
use cue_eval::api::Evaluated;
use cue_eval::errors::Errors;
use cue_eval::limits::Limits;
use cue_eval::load::{self, OsFs};
use cue_eval::print::PrintOptions;
use cue_eval::program::evaluate_program_with;
use cue_syntax::format::{format_file, FormatOptions};
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

/// Output format of `dagger eval`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutFormat {
    /// CUE syntax, definitions and constraints kept, defaults resolved.
    Cue,
    /// Concrete data as JSON (fails on a non-concrete value).
    Json,
    /// Concrete data as YAML (fails on a non-concrete value).
    Yaml,
}

/// Arguments of `dagger eval`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// `.cue` files or directories (a directory means its package); the
    /// current directory if none is given.
    pub paths: Vec<String>,
    /// Evaluate this expression against the result and print that instead.
    #[arg(short = 'e', long = "expression", value_name = "EXPR")]
    pub expr: Vec<String>,
    /// Output format.
    #[arg(long = "out", value_enum, default_value_t = OutFormat::Cue)]
    pub out: OutFormat,
    /// With `--out cue`: fail when a value is not concrete.
    #[arg(short = 'c', long)]
    pub concrete: bool,
    /// With `--out cue`: also show hidden and optional fields.
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Stop with an error naming the largest value when the evaluation
    /// holds more than this (e.g. 512MiB, 4GiB; counted as in the README,
    /// "Guarantees and limits").
    #[arg(long = "max-memory", value_name = "SIZE", default_value = "2GiB", value_parser = memory_size)]
    pub max_memory: u64,
    /// Stop with an error when evaluating takes longer than this many
    /// seconds (0: no limit).
    #[arg(long = "max-time", value_name = "SECONDS", default_value_t = 60)]
    pub max_time: u64,
    #[command(flatten)]
    pub log: super::log::LogArgs,
}

fn memory_size(text: &str) -> Result<u64, String> {
    cue_eval::limits::parse_size(text)
}

/// Runs `dagger eval`.
pub fn run(args: Args) -> ExitCode {
    args.log.apply();
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            super::log::error_text(&format!(
                "dagger eval: cannot read the current directory: {e}"
            ));
            return ExitCode::from(1);
        }
    };
    let request = Request {
        paths: args.paths,
        exprs: args.expr,
        out: args.out,
        concrete: args.concrete,
        all: args.all,
        limits: Limits {
            max_memory: args.max_memory,
            max_time: (args.max_time > 0).then(|| Duration::from_secs(args.max_time)),
        },
    };
    // Plans import the embedded dagger.io packages; `eval` finds them too.
    let fs = ::dag::embedded_fs::EmbeddedFs::for_dir(&cwd);
    match on_big_stack(move || render_with(&fs, &cwd, &request, Teardown::Leak)) {
        Ok(text) => {
            let mut stdout = std::io::stdout().lock();
            if stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .is_err()
            {
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(report) => {
            super::log::error_text(&report);
            ExitCode::from(1)
        }
    }
}

/// What to evaluate and how to print it.
#[derive(Clone, Debug)]
pub(crate) struct Request {
    pub paths: Vec<String>,
    pub exprs: Vec<String>,
    pub out: OutFormat,
    pub concrete: bool,
    pub all: bool,
    pub limits: Limits,
}

impl Request {
    /// A plain request for `paths` in format `out`.
    pub(crate) fn new(paths: Vec<String>, out: OutFormat) -> Request {
        Request {
            paths,
            exprs: Vec::new(),
            out,
            concrete: false,
            all: false,
            limits: Limits::default(),
        }
    }
}

/// Evaluates on a thread with a large stack: deeply nested CUE recurses
/// deeply, and the reference (Go) has growable stacks.
pub(crate) fn on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    const STACK: usize = 512 << 20;
    match std::thread::Builder::new().stack_size(STACK).spawn(f) {
        Ok(handle) => match handle.join() {
            Ok(v) => v,
            Err(payload) => std::panic::resume_unwind(payload),
        },
        Err(_) => panic!("cannot start the evaluation thread"),
    }
}

/// What to do with the evaluator's memory once the output text is ready.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Teardown {
    /// Free it (the process goes on, e.g. the conformance runner).
    Drop,
    /// Leave it to the OS: the process exits right after printing, and
    /// freeing a large evaluation vertex by vertex costs a sizeable part of
    /// the run time.
    Leak,
}

/// Loads, evaluates and prints; `Err` holds the error report.
pub(crate) fn render(cwd: &Path, req: &Request) -> Result<String, String> {
    render_inner(cwd, req, Teardown::Drop)
}

fn render_inner(cwd: &Path, req: &Request, teardown: Teardown) -> Result<String, String> {
    render_with(&OsFs, cwd, req, teardown)
}

fn render_with(
    fs: &dyn load::FileSystem,
    cwd: &Path,
    req: &Request,
    teardown: Teardown,
) -> Result<String, String> {
    let program = load::load(fs, cwd, &req.paths).map_err(|e| format!("{e}\n"))?;
    render_loaded(program, cwd, req, teardown)
}

/// Evaluates and prints an already loaded program (a controller's plan with
/// its inputs and outputs, for `dagger query`).
pub(crate) fn render_program(
    program: load::Program,
    cwd: &Path,
    req: &Request,
) -> Result<String, String> {
    render_loaded(program, cwd, req, Teardown::Drop)
}

fn render_loaded(
    program: load::Program,
    cwd: &Path,
    req: &Request,
    teardown: Teardown,
) -> Result<String, String> {
    let cwd_text = cwd.to_string_lossy();
    let report = |e: Errors| e.report_in(Some(&cwd_text));
    let root = evaluate_program_with(&program, req.limits).map_err(report)?;
    // Each `-e` expression is evaluated and printed in turn.
    let values: Vec<(Option<&str>, Evaluated)> = if req.exprs.is_empty() {
        vec![(None, root)]
    } else {
        let mut v = Vec::new();
        for e in &req.exprs {
            v.push((Some(e.as_str()), root.eval_expr(e).map_err(report)?));
        }
        v
    };
    let mut out = String::new();
    for (i, (expr, value)) in values.iter().enumerate() {
        match req.out {
            OutFormat::Json => {
                let data = value.export().map_err(report)?;
                out.push_str(&data.to_json());
                if teardown == Teardown::Leak {
                    std::mem::forget(data);
                }
            }
            OutFormat::Yaml => {
                if i > 0 {
                    out.push_str("---\n");
                }
                let data = value.export().map_err(report)?;
                out.push_str(&data.to_yaml());
                if teardown == Teardown::Leak {
                    std::mem::forget(data);
                }
            }
            OutFormat::Cue => {
                if let (Some(expr), true) = (expr, values.len() > 1) {
                    out.push_str(&format!("// {expr}\n"));
                }
                out.push_str(&cue_text(value, req).map_err(report)?);
            }
        }
    }
    if teardown == Teardown::Leak {
        std::mem::forget(values);
        std::mem::forget(program);
    }
    Ok(out)
}

/// The `cue eval` text of a value.
fn cue_text(value: &Evaluated, req: &Request) -> Result<String, Errors> {
    if req.concrete {
        // `-c`: every regular field must be concrete, as for export.
        value.export()?;
    }
    let mut opts = if req.all {
        PrintOptions::all()
    } else {
        PrintOptions::default()
    };
    // `-c` prints data only, as `cue eval -c` does.
    opts.concrete = req.concrete;
    let file = value.eval_syntax_with(opts)?;
    Ok(format_file(&file, &FormatOptions::eval()))
}
