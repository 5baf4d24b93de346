//! `dagger up`: bring a controller up to date (see crate `controller`,
//! `up.rs`, for what is recomputed and what is reused).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use controller::lock::Wait;
use controller::up::{UpError, UpOutcome, UpRequest};

use super::super::progress::{self, Tracker};
use super::super::summary;
use super::Common;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Ignore stored outputs and image configs: run every component.
    #[arg(long)]
    pub no_cache: bool,
    /// Stay running: recompute when the plan's files, a local input
    /// directory or an input change (Ctrl-C stops).
    #[arg(long)]
    pub watch: bool,
    /// Compute only this component and what it depends on.
    #[arg(long, value_name = "PATH")]
    pub only: Option<String>,
    /// Re-run the plan and inputs of run N (see `dagger history`); its
    /// inputs become the controller's inputs again.
    #[arg(long, value_name = "N", conflicts_with = "watch")]
    pub replay: Option<u64>,
    /// Fail at once if another process holds the controller.
    #[arg(long)]
    pub no_wait: bool,
    /// Let `local` ops read this host directory too (repeatable).
    #[arg(long = "allow-host-path", value_name = "PATH")]
    pub allow_host_paths: Vec<PathBuf>,
    #[command(flatten)]
    pub engine: super::super::engine_args::EngineArgs,
    #[command(flatten)]
    pub common: Common,
}

impl Args {
    /// A plain `up` of the controller `common` selects.
    pub fn for_controller(common: Common) -> Args {
        Args {
            no_cache: false,
            watch: false,
            only: None,
            replay: None,
            no_wait: false,
            allow_host_paths: Vec::new(),
            engine: Default::default(),
            common,
        }
    }
}

pub fn run(args: Args) -> ExitCode {
    let only = match args.only.as_deref().map(controller::inputs::parse_path) {
        Some(Ok(p)) => Some(p),
        Some(Err(e)) => return super::fail(&args.common, &format!("--only: {e}"), 2),
        None => None,
    };
    let mut command = String::from("up");
    if let Some(o) = &args.only {
        command.push_str(&format!(" --only {o}"));
    }
    if let Some(n) = args.replay {
        command = format!("up --replay {n}");
    }
    if args.no_cache {
        command.push_str(" --no-cache");
    }
    let mode = Mode {
        command,
        no_cache: args.no_cache,
        only,
        teardown: false,
        replay: args.replay,
        wait: if args.no_wait { Wait::No } else { Wait::Yes },
    };
    if args.watch {
        return super::watch::run(&args, &mode);
    }
    once(&args, &mode).0
}

/// What kind of run.
#[derive(Clone, Debug)]
pub struct Mode {
    pub command: String,
    pub no_cache: bool,
    pub only: Option<dag::path::Path>,
    pub teardown: bool,
    pub replay: Option<u64>,
    pub wait: Wait,
}

/// One run; its exit code and a one-line account (for `--watch`).
pub fn once(args: &Args, mode: &Mode) -> (ExitCode, String) {
    let common = &args.common;
    let start = Instant::now();
    let diag = common.diag();
    let (store, state) = match super::open(common) {
        Ok(s) => s,
        Err(code) => return (code, "failed".into()),
    };
    let name = state.name.clone();
    let engine = match args.engine.options() {
        Ok(o) => o,
        Err(e) => return (super::fail(common, &e, 2), "failed".into()),
    };
    let mut allow = Vec::new();
    for p in &args.allow_host_paths {
        match std::fs::canonicalize(p) {
            Ok(real) => allow.push(real),
            Err(e) => {
                return (
                    super::fail(
                        common,
                        &format!("--allow-host-path {}: {e}", p.display()),
                        2,
                    ),
                    "failed".into(),
                )
            }
        }
    }
    for (field, v) in &state.inputs {
        if let controller::state::InputValue::Dir { path } = v {
            if !std::path::Path::new(path).is_dir() {
                let message = format!(
                    "controller {}: input {field}: directory {path} does not exist any more; set it again with `dagger input dir {field} DIR`",
                    state.name
                );
                return (super::fail(common, &message, 1), "failed".into());
            }
            allow.push(PathBuf::from(path));
        }
    }
    let holder = format!("dagger {}", mode.command);
    let _lock = match super::lock(common, &store, &name, &holder, mode.wait) {
        Ok(l) => l,
        Err(code) => return (code, "failed".into()),
    };
    // Read again under the lock: another `up` may have just finished.
    let mut state = match store.load(&name) {
        Ok(s) => s,
        Err(e) => return (super::fail(common, &e.to_string(), 1), "failed".into()),
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            return (
                super::fail(common, &format!("cannot start the async runtime: {e}"), 1),
                "failed".into(),
            )
        }
    };
    let tracker = Tracker::default();
    // Secrets are known once the inputs are opened; the sink redacts them.
    let secrets = secrets_of(&state);
    let events = if common.log_level <= super::LogLevel::Info {
        progress::sink(common.log_format, secrets.clone(), tracker.clone())
    } else {
        let t = tracker.clone();
        Arc::new(move |e: &dag::events::Event| t.record(e)) as dag::events::Sink
    };
    let solver = Arc::new(
        ::dag::buildkit::LazySolver::from_env()
            .with_engine(engine)
            .with_secrets(secrets.clone()),
    );
    let request = UpRequest {
        command: mode.command.clone(),
        no_cache: mode.no_cache,
        only: mode.only.clone(),
        teardown: mode.teardown,
        replay: mode.replay,
        allow_host_paths: allow,
        events,
    };
    let running = || {
        let stats = tracker.snapshot();
        stats
            .values()
            .filter(|s| s.started.is_some() && s.outcome == progress::Outcome::Pending)
            .count()
    };
    let fut = async {
        let outcome = controller::up::up(&store, &mut state, solver.clone(), &request).await;
        // The cache is exported once the run succeeded, as for `compute`.
        let exported = if outcome.result.is_ok() {
            super::super::engine_args::export_cache(&solver, diag).await
        } else {
            Ok(())
        };
        (outcome, exported)
    };
    let (outcome, exported): (UpOutcome, Result<(), String>) =
        match super::super::interrupt::block_on(runtime, fut, running, diag) {
            Ok(o) => o,
            Err(code) => return (code, "interrupted".into()),
        };
    if let Err(e) = exported {
        return (super::fail(common, &e, 1), "failed".into());
    }
    let redact = |text: &str| secrets.redact(text);
    let timings = format!(
        "total {:.3}s (evaluation {:.3}s in {} evaluations, of which re-evaluations after components finished {:.3}s)",
        start.elapsed().as_secs_f64(),
        outcome.eval_time.as_secs_f64(),
        outcome.evaluations,
        outcome.fill_time.as_secs_f64()
    );
    common.debug(&timings);
    let stats = tracker.snapshot();
    let run_no = outcome
        .record
        .as_ref()
        .map(|r| format!("run {}", r.number))
        .unwrap_or_else(|| "not recorded".into());
    let counts = |stats: &std::collections::BTreeMap<dag::path::Path, progress::ComponentStats>| {
        let mut ran = 0;
        let mut cached = 0;
        let mut reused = 0;
        for s in stats.values() {
            match s.outcome {
                progress::Outcome::Reused => reused += 1,
                progress::Outcome::Completed if s.cached() => cached += 1,
                progress::Outcome::Completed => ran += 1,
                _ => {}
            }
        }
        format!("{ran} ran, {cached} cached, {reused} reused")
    };
    match &outcome.result {
        Ok(_) => {
            if let (Some(plan), true) = (&outcome.plan, common.log_level <= super::LogLevel::Info) {
                summary::print(
                    diag,
                    dag::plan::Plan::root(plan),
                    &stats,
                    None,
                    &timings,
                    &redact,
                );
            }
            let line = format!(
                "{name}: {run_no} ok ({}) in {:.1}s",
                counts(&stats),
                start.elapsed().as_secs_f64()
            );
            common.info(&line);
            (ExitCode::SUCCESS, line)
        }
        Err(e) => {
            let code = e.exit_code();
            report_error(common, &name, e, &outcome, &stats, &timings, &redact);
            let line = format!("{name}: {run_no} failed");
            (ExitCode::from(u8::try_from(code).unwrap_or(1)), line)
        }
    }
}

fn report_error(
    common: &Common,
    name: &str,
    e: &UpError,
    outcome: &UpOutcome,
    stats: &std::collections::BTreeMap<dag::path::Path, progress::ComponentStats>,
    timings: &str,
    redact: &dyn Fn(&str) -> String,
) {
    let diag = common.diag();
    match e {
        UpError::Run(run) => {
            if let (Some(plan), false) = (&outcome.plan, stats.is_empty()) {
                let failed = super::super::compute::failed_component(run);
                summary::print(
                    diag,
                    dag::plan::Plan::root(plan),
                    stats,
                    failed.as_ref(),
                    timings,
                    redact,
                );
            }
            diag.error(&format!("controller {name}: {}", redact(&run.to_string())));
            let tail = run.output_tail();
            if !tail.is_empty() {
                eprintln!("last output lines:");
                for l in tail {
                    eprintln!("  {}", redact(l));
                }
            }
        }
        other => diag.error(&format!(
            "controller {name}: {}",
            redact(other.to_string().trim_end())
        )),
    }
}

/// The controller's secrets, as far as they can be opened now (a failure
/// to open one is reported by the run itself).
fn secrets_of(state: &controller::state::ControllerState) -> dag::secrets::Secrets {
    let mut s = dag::secrets::Secrets::default();
    for (path, v) in &state.inputs {
        if let controller::state::InputValue::Secret { secret } = v {
            if let Ok(clear) = controller::secret_box::open(&state.name, path, secret) {
                s.add(path.clone(), dag::state::SecretValue(clear));
            }
        }
    }
    s
}
