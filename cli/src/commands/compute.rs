//! `dagger compute PLAN_DIR [--input-*]`: evaluate a plan, run its components
//! on BuildKit, print the merged state as one line of JSON.
//!
//! stdout carries only the result; progress and errors go to stderr. Exit
//! codes: 0 success, 1 the plan failed, a failed exec's own code, 2 usage.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use ::dag::cue_plan::CuePlan;
use ::dag::inputs::Input;
use clap::ValueEnum;

use super::progress::{self, Diag, Tracker};
use super::summary;

/// Inputs unified with the plan (repeatable).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct InputArgs {
    /// Set a field to a string: `PATH=TEXT`.
    #[arg(long = "input-string", value_name = "PATH=TEXT")]
    pub strings: Vec<String>,
    /// Set a field to a secret, read from a file (`PATH=@FILE`), an env var
    /// (`PATH=env:VAR`) or stdin (`PATH=-`); it reaches containers only
    /// through secret mounts or env and is printed as `<secret>`.
    #[arg(long = "input-secret", value_name = "PATH=@FILE|env:VAR|-")]
    pub secrets: Vec<String>,
    /// Make a field an artifact of a local directory: `PATH=DIR`.
    #[arg(long = "input-dir", value_name = "PATH=DIR")]
    pub dirs: Vec<String>,
    /// Make a field an artifact of a git checkout: `PATH=REMOTE#REF`.
    #[arg(long = "input-git", value_name = "PATH=REMOTE#REF")]
    pub gits: Vec<String>,
    /// Unify CUE source with the plan: inline, from a file (`@FILE`) or
    /// standard input (`-`), or placed at a field (`PATH=@FILE`, `PATH=-`).
    #[arg(long = "input-cue", value_name = "CUE|@FILE|-|PATH=@FILE")]
    pub cue: Vec<String>,
    /// Unify a JSON object with the plan: inline, from a file (`@FILE`) or
    /// standard input (`-`), or any JSON value placed at a field
    /// (`PATH=@FILE`, `PATH=-`).
    #[arg(long = "input-json", value_name = "JSON|@FILE|-|PATH=@FILE")]
    pub json: Vec<String>,
    /// Unify a YAML mapping with the plan: inline, from a file (`@FILE`) or
    /// standard input (`-`), or any YAML value placed at a field
    /// (`PATH=@FILE`, `PATH=-`).
    #[arg(long = "input-yaml", value_name = "YAML|@FILE|-|PATH=@FILE")]
    pub yaml: Vec<String>,
}

impl InputArgs {
    /// The inputs, or a usage error.
    pub fn parse(&self) -> Result<Vec<Input>, String> {
        let cwd = std::env::current_dir()
            .map_err(|e| format!("cannot read the working directory: {e}"))?;
        let mut out = Vec::new();
        let groups: [(&str, &Vec<String>); 7] = [
            ("string", &self.strings),
            ("secret", &self.secrets),
            ("dir", &self.dirs),
            ("git", &self.gits),
            ("cue", &self.cue),
            ("json", &self.json),
            ("yaml", &self.yaml),
        ];
        for (kind, values) in groups {
            for v in values {
                out.push(Input::parse(kind, v, &cwd).map_err(|e| e.to_string())?);
            }
        }
        Ok(out)
    }
}

/// Host directories a plan's `local` ops may read besides the plan's own
/// module root (the directory holding `cue.mod/`, else the plan directory).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct HostArgs {
    /// Let `local` ops of the plan read this host directory and what is
    /// below it (repeatable); `--input-dir` directories are allowed already.
    #[arg(long = "allow-host-path", value_name = "PATH")]
    pub allow: Vec<PathBuf>,
}

impl HostArgs {
    /// The directories allowed besides the module root: these and the
    /// `--input-dir`s (the user named them), or a usage error naming a path
    /// that does not exist.
    pub fn allowed(&self, inputs: &InputArgs) -> Result<Vec<PathBuf>, String> {
        let mut out = Vec::new();
        for p in &self.allow {
            let real = std::fs::canonicalize(p)
                .map_err(|e| format!("--allow-host-path {}: {e}", p.display()))?;
            out.push(real);
        }
        for input in inputs.parse()? {
            if let Input::Dir { dir, .. } = input {
                out.push(PathBuf::from(dir));
            }
        }
        Ok(out)
    }
}

/// How progress is shown on stderr.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// `tty` on a terminal, else `plain`.
    #[default]
    Auto,
    /// One line per event, for CI logs.
    Plain,
    /// One JSON object per event.
    Json,
    /// A live display on a terminal, timed lines elsewhere (`pretty` too).
    #[value(alias = "pretty")]
    Tty,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Directory of the plan (a CUE package).
    pub plan_dir: PathBuf,
    #[command(flatten)]
    pub inputs: InputArgs,
    #[command(flatten)]
    pub host: HostArgs,
    #[command(flatten)]
    pub engine: super::engine_args::EngineArgs,
    /// Progress output on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Auto)]
    pub log_format: LogFormat,
    /// Least important messages shown: debug, info (progress, the
    /// default), warn, error.
    #[arg(long, value_enum, default_value_t = super::log::LogLevel::Info)]
    pub log_level: super::log::LogLevel,
}

/// Loads and evaluates the plan with its inputs, or prints why not.
pub fn load_plan(plan_dir: &Path, inputs: &InputArgs) -> Result<CuePlan, ExitCode> {
    load_plan_with(plan_dir, inputs, Diag { json: false })
}

/// [`load_plan`], its errors and warnings printed through `diag`.
pub fn load_plan_with(
    plan_dir: &Path,
    inputs: &InputArgs,
    diag: Diag,
) -> Result<CuePlan, ExitCode> {
    let inputs = inputs.parse().map_err(|e| {
        diag.error(&e);
        ExitCode::from(2)
    })?;
    if plan_dir.is_file() {
        let parent = match plan_dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.display().to_string(),
            _ => ".".to_string(),
        };
        diag.error(&format!(
            "{} is a file: a plan is a directory (a CUE package); try `{parent}`",
            plan_dir.display()
        ));
        return Err(ExitCode::from(2));
    }
    if !plan_dir.is_dir() {
        diag.error(&format!(
            "plan directory {} does not exist",
            plan_dir.display()
        ));
        return Err(ExitCode::from(1));
    }
    let plan = CuePlan::load(plan_dir, &inputs).map_err(|e| {
        diag.error(e.0.trim_end());
        ExitCode::from(1)
    })?;
    for warning in plan.input_warnings() {
        diag.warning(&warning);
    }
    Ok(plan)
}

pub fn run(args: Args) -> ExitCode {
    let start = Instant::now();
    let diag = Diag::new(args.log_format);
    super::log::set(diag.json, args.log_level);
    let progress_shown = super::log::shows(super::log::LogLevel::Info);
    let allow_host_paths = match args.host.allowed(&args.inputs) {
        Ok(paths) => paths,
        Err(e) => {
            diag.error(&e);
            return ExitCode::from(2);
        }
    };
    let engine = match args.engine.options() {
        Ok(e) => e,
        Err(e) => {
            diag.error(&e);
            return ExitCode::from(2);
        }
    };
    let mut plan = match load_plan_with(&args.plan_dir, &args.inputs, diag) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let load_time = start.elapsed();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            diag.error(&format!("cannot start the async runtime: {e}"));
            return ExitCode::from(1);
        }
    };
    let secrets = ::dag::plan::Plan::secrets(&plan);
    let tracker = Tracker::default();
    let options = ::dag::run::Options {
        plan_dir: std::fs::canonicalize(&args.plan_dir).unwrap_or(args.plan_dir.clone()),
        allow_host_paths,
        events: if progress_shown {
            progress::sink(args.log_format, secrets.clone(), tracker.clone())
        } else {
            let t = tracker.clone();
            Arc::new(move |e: &::dag::events::Event| t.record(e))
        },
    };
    let solver = Arc::new(
        ::dag::buildkit::LazySolver::from_env()
            .with_engine(engine)
            .with_secrets(secrets.clone()),
    );
    let running = || {
        let stats = tracker.snapshot();
        let pending = |s: &&progress::ComponentStats| {
            s.started.is_some() && s.outcome == progress::Outcome::Pending
        };
        stats.values().filter(pending).count()
    };
    let run = async {
        let result = ::dag::run::run(&mut plan, solver.clone(), &options).await;
        // `--cache-to`: once, after a run that succeeded.
        let cache = match &result {
            Ok(_) => super::engine_args::export_cache(&solver, diag).await,
            Err(_) => Ok(()),
        };
        (result, cache)
    };
    let (result, cache) = match super::interrupt::block_on(runtime, run, running, diag) {
        Ok(result) => result,
        Err(code) => return code,
    };
    if let Err(e) = cache {
        diag.error(&secrets.redact(&e));
        return ExitCode::from(1);
    }
    let redact = |text: &str| secrets.redact(text);
    let timings = |report: Option<&::dag::run::Report>| match report {
        Some(r) => format!(
            "total {:.3}s (first evaluation {:.3}s, {} re-evaluations {:.3}s, scheduling {:.3}s)",
            start.elapsed().as_secs_f64(),
            load_time.as_secs_f64(),
            r.fills,
            r.fill_time.as_secs_f64(),
            r.schedule_time.as_secs_f64()
        ),
        None => format!("total {:.3}s", start.elapsed().as_secs_f64()),
    };
    let root = ::dag::plan::Plan::root(&plan);
    match result {
        Ok(report) => {
            if progress_shown {
                summary::print(
                    diag,
                    root,
                    &tracker.snapshot(),
                    None,
                    &timings(Some(&report)),
                    &redact,
                );
            }
            let mut out = std::io::stdout().lock();
            let values = secrets.values();
            let values: Vec<&str> = values.iter().map(String::as_str).collect();
            let line = ::dag::output::concrete_json_hiding(root, &values);
            if writeln!(out, "{line}").and_then(|_| out.flush()).is_err() {
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            let failed = failed_component(&e);
            let stats = tracker.snapshot();
            // A plan refused before anything ran has nothing to summarize.
            if !stats.is_empty() {
                summary::print(diag, root, &stats, failed.as_ref(), &timings(None), &redact);
            }
            summary::print_error(diag, &e, &redact);
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
        }
    }
}

/// The component a run error is about, if one.
pub(crate) fn failed_component(e: &::dag::run::RunError) -> Option<::dag::path::Path> {
    use ::dag::run::RunError;
    match e {
        RunError::Ops { component, .. }
        | RunError::Image { component, .. }
        | RunError::Op { component, .. }
        | RunError::Export { component, .. }
        | RunError::Fill { component, .. }
        | RunError::Secret { component, .. } => Some(component.clone()),
        RunError::Cycle(_) | RunError::Plan(_) | RunError::Engine(_) => None,
    }
}
