//! `dagger compute PLAN_DIR [--input-*]`: evaluate a plan, run its components
//! on BuildKit, print the merged state as one line of JSON.
//!
//! stdout carries only the result; progress and errors go to stderr. Exit
//! codes: 0 success, 1 the plan failed, a failed exec's own code, 2 usage.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use ::dag::cue_plan::CuePlan;
use ::dag::events::{Event, EventKind, Sink};
use ::dag::inputs::Input;
use clap::ValueEnum;

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
    /// Unify CUE source with the plan.
    #[arg(long = "input-cue", value_name = "CUE")]
    pub cue: Vec<String>,
    /// Unify a JSON object with the plan.
    #[arg(long = "input-json", value_name = "JSON")]
    pub json: Vec<String>,
    /// Unify a YAML mapping with the plan.
    #[arg(long = "input-yaml", value_name = "YAML")]
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
    /// Colored lines with timings.
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
    /// Progress output on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Auto)]
    pub log_format: LogFormat,
}

/// Loads and evaluates the plan with its inputs, or prints why not.
pub fn load_plan(plan_dir: &Path, inputs: &InputArgs) -> Result<CuePlan, ExitCode> {
    let inputs = inputs.parse().map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })?;
    if plan_dir.is_file() {
        let parent = match plan_dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.display().to_string(),
            _ => ".".to_string(),
        };
        eprintln!(
            "error: {} is a file: a plan is a directory (a CUE package); try `{parent}`",
            plan_dir.display()
        );
        return Err(ExitCode::from(2));
    }
    if !plan_dir.is_dir() {
        eprintln!(
            "error: plan directory {} does not exist",
            plan_dir.display()
        );
        return Err(ExitCode::from(1));
    }
    let plan = CuePlan::load(plan_dir, &inputs).map_err(|e| {
        eprintln!("{}", e.0.trim_end());
        ExitCode::from(1)
    })?;
    for warning in plan.input_warnings() {
        eprintln!("warning: {warning}");
    }
    Ok(plan)
}

pub fn run(args: Args) -> ExitCode {
    let start = Instant::now();
    let allow_host_paths = match args.host.allowed(&args.inputs) {
        Ok(paths) => paths,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut plan = match load_plan(&args.plan_dir, &args.inputs) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let load_time = start.elapsed();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let options = ::dag::run::Options {
        plan_dir: std::fs::canonicalize(&args.plan_dir).unwrap_or(args.plan_dir.clone()),
        allow_host_paths,
        events: sink(args.log_format, ::dag::plan::Plan::secrets(&plan)),
    };
    let secrets = ::dag::plan::Plan::secrets(&plan);
    let solver = Arc::new(::dag::buildkit::LazySolver::from_env().with_secrets(secrets.clone()));
    let result = runtime.block_on(::dag::run::run(&mut plan, solver, &options));
    match result {
        Ok(report) => {
            if args.log_format != LogFormat::Json {
                eprintln!(
                    "ran {}, skipped {}; first evaluation {:.3}s, {} re-evaluations {:.3}s, scheduling {:.3}s, total {:.3}s",
                    report.ran.len(),
                    report.skipped.len(),
                    load_time.as_secs_f64(),
                    report.fills,
                    report.fill_time.as_secs_f64(),
                    report.schedule_time.as_secs_f64(),
                    start.elapsed().as_secs_f64()
                );
            }
            let mut out = std::io::stdout().lock();
            let values = secrets.values();
            let values: Vec<&str> = values.iter().map(String::as_str).collect();
            let line = ::dag::output::concrete_json_hiding(::dag::plan::Plan::root(&plan), &values);
            if writeln!(out, "{line}").and_then(|_| out.flush()).is_err() {
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}", secrets.redact(&e.to_string()));
            let tail = e.output_tail();
            if !tail.is_empty() {
                eprintln!("output (last {} lines):", tail.len());
                for line in tail {
                    eprintln!("  {}", secrets.redact(line));
                }
            }
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
        }
    }
}

/// The progress renderer for `format`; every secret value in a line is
/// printed as `<secret>`.
pub fn sink(format: LogFormat, secrets: ::dag::secrets::Secrets) -> Sink {
    let format = match format {
        LogFormat::Auto if std::io::stderr().is_terminal() => LogFormat::Tty,
        LogFormat::Auto => LogFormat::Plain,
        f => f,
    };
    let start = Instant::now();
    Arc::new(move |e: &Event| {
        let e = &redacted(e, &secrets);
        let line = match format {
            LogFormat::Json => json_line(e, start.elapsed().as_secs_f64()),
            LogFormat::Tty => tty_line(e, start.elapsed().as_secs_f64()),
            _ => plain_line(e),
        };
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{line}");
    })
}

/// The event with every secret value in its text printed as `<secret>`.
fn redacted(e: &Event, secrets: &::dag::secrets::Secrets) -> Event {
    if secrets.is_empty() {
        return e.clone();
    }
    let kind = match &e.kind {
        EventKind::Log { vertex, line } => EventKind::Log {
            vertex: vertex.as_deref().map(|v| secrets.redact(v)),
            line: secrets.redact(line),
        },
        EventKind::Skipped { reason } => EventKind::Skipped {
            reason: secrets.redact(reason),
        },
        EventKind::Failed { message } => EventKind::Failed {
            message: secrets.redact(message),
        },
        other => other.clone(),
    };
    Event {
        component: e.component.clone(),
        kind,
    }
}

fn plain_line(e: &Event) -> String {
    let c = &e.component;
    match &e.kind {
        EventKind::Started => format!("[{c}] started"),
        EventKind::Log {
            vertex: Some(v),
            line,
        } => format!("[{c}] {v}: {line}"),
        EventKind::Log { vertex: None, line } => format!("[{c}] {line}"),
        EventKind::Completed { exports } => format!("[{c}] completed ({exports} exported)"),
        EventKind::Skipped { reason } => format!("[{c}] skipped: {reason}"),
        EventKind::Failed { message } => format!("[{c}] failed: {message}"),
    }
}

fn tty_line(e: &Event, secs: f64) -> String {
    let color = match e.kind {
        EventKind::Completed { .. } => "32",
        EventKind::Failed { .. } => "31",
        EventKind::Skipped { .. } => "33",
        EventKind::Started => "36",
        EventKind::Log { .. } => "2",
    };
    format!("\x1b[{color}m{secs:6.1}s {}\x1b[0m", plain_line(e))
}

fn json_line(e: &Event, secs: f64) -> String {
    let mut v = serde_json::json!({
        "time": (secs * 1000.0).round() / 1000.0,
        "component": e.component.to_string(),
    });
    let (event, extra) = match &e.kind {
        EventKind::Started => ("started", serde_json::json!({})),
        EventKind::Log { vertex, line } => {
            ("log", serde_json::json!({"vertex": vertex, "line": line}))
        }
        EventKind::Completed { exports } => ("completed", serde_json::json!({"exports": exports})),
        EventKind::Skipped { reason } => ("skipped", serde_json::json!({"reason": reason})),
        EventKind::Failed { message } => ("failed", serde_json::json!({"message": message})),
    };
    v["event"] = event.into();
    if let (Some(obj), serde_json::Value::Object(extra)) = (v.as_object_mut(), extra) {
        obj.extend(extra);
    }
    v.to_string()
}
