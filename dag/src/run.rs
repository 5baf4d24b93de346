//! The scheduler: the reactive loop of plan-language.md.
//!
//! Each round looks at the current evaluation: components whose dependencies
//! are done and whose ops are concrete start at once (in parallel, on tokio).
//! A component whose ops are still not concrete when nothing is left running,
//! or one of whose dependencies was skipped, is skipped (not an error). When a
//! component finishes, the values its `export` ops produced are unified back
//! into the plan, which is evaluated again, and the next round begins. The
//! first failure cancels whatever is still running.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use tokio::task::JoinSet;

use crate::compile::{compile, resolve_images, Action};
use crate::events::{EventKind, Progress, Sink};
use crate::graph::{CycleError, Graph};
use crate::host::HostAccess;
use crate::ops::{ExportFormat, Op};
use crate::parse::{component_ops, OpsError};
use crate::path::Path;
use crate::plan::{Plan, PlanError};
use crate::secrets::Secrets;
use crate::solver::{SolveError, Solver};

/// How a run went, when it did not fail.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// Components that ran, in completion order.
    pub ran: Vec<Path>,
    /// Components that were skipped, with why.
    pub skipped: BTreeMap<Path, String>,
    /// Re-evaluations after unifying exported values back (values of
    /// components that finish together are filled in one).
    pub fills: usize,
    /// Time spent unifying exported values back and re-evaluating.
    pub fill_time: std::time::Duration,
    /// Time spent building the graph and reading ops (the scheduler's own work).
    pub schedule_time: std::time::Duration,
    /// Rounds of the loop (one per completed component, plus final ones).
    pub rounds: usize,
    /// What each component that ran or was reused produced.
    pub outputs: BTreeMap<Path, ComponentOutput>,
}

/// A component's result, as a controller stores it.
#[derive(Clone, Debug, PartialEq)]
pub struct ComponentOutput {
    /// Its memo key ([`crate::memo::component_key`]); `None` when it must
    /// always run, or when the run had no memo.
    pub key: Option<String>,
    /// The values its `export` ops produced, in op order.
    pub exports: Vec<serde_json::Value>,
    /// Taken from the memo, with no solve.
    pub reused: bool,
}

/// What a controller's `up` adds to a run (nothing, for `compute`).
#[derive(Clone, Default)]
pub struct Incremental {
    /// Stored outputs by key: a component whose key is found reuses them
    /// with no solve. With a memo, every component's key is computed.
    pub memo: Option<crate::memo::SharedMemo>,
    /// Components the caller already filled into the plan: done from the start.
    pub done: BTreeSet<Path>,
    /// When set, only these components may run; the others are left as
    /// they are (a component none of whose dependencies may run waits).
    pub only: Option<BTreeSet<Path>>,
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Cycle(#[from] CycleError),
    #[error("{0}")]
    Plan(#[from] PlanError),
    #[error("component {component}: invalid op: {error}")]
    Ops { component: Path, error: OpsError },
    #[error("component {component}: fetch-container {reference}: {error}")]
    Image {
        component: Path,
        reference: String,
        error: SolveError,
    },
    #[error("component {component}: {}: {error}", op.as_deref().unwrap_or("solve"))]
    Op {
        component: Path,
        op: Option<String>,
        error: SolveError,
    },
    #[error("component {component}: {op}: {message}")]
    Export {
        component: Path,
        op: String,
        message: String,
    },
    #[error("component {component}: {misuse}")]
    Secret {
        component: Path,
        misuse: crate::secrets::SecretMisuse,
    },
    #[error("component {component}: exported value conflicts with the component's constraints: {message}")]
    Fill { component: Path, message: String },
    /// The backend cannot be reached (checked before the first component).
    #[error("{0}")]
    Engine(SolveError),
}

impl RunError {
    /// The process exit code: a failed exec's own code, else 1.
    pub fn exit_code(&self) -> i32 {
        match self {
            RunError::Op {
                error: SolveError {
                    exit_code: Some(c), ..
                },
                ..
            } if *c > 0 && *c < 256 => *c,
            _ => 1,
        }
    }

    /// The failing exec's last output lines, if any.
    pub fn output_tail(&self) -> &[String] {
        match self {
            RunError::Op { error, .. } => &error.output_tail,
            _ => &[],
        }
    }
}

/// Settings of a run.
#[derive(Clone)]
pub struct Options {
    /// Relative `local` directories are resolved against this.
    pub plan_dir: PathBuf,
    /// Host directories `local` ops may read besides the plan's module root
    /// (the user's `--input-dir`s and `--allow-host-path`s; see `host.rs`).
    pub allow_host_paths: Vec<PathBuf>,
    pub events: Sink,
}

/// Checks what can be checked before anything runs, as [`run`] would fail
/// on it: errors in regular fields, a dependency cycle, and every component
/// whose ops are concrete but invalid (or hold a secret where none may go).
/// Ops that are not concrete yet are not errors.
// RunError is large, but it is built once per failed run.
#[allow(clippy::result_large_err)]
pub fn validate<P: Plan>(plan: &P) -> Result<(), RunError> {
    let root = plan.root();
    let errors = root.errors(&Path::root());
    if !errors.is_empty() {
        return Err(RunError::Plan(PlanError(render_errors(&errors))));
    }
    let graph = Graph::build(root)?;
    let secrets = plan.secrets();
    for c in graph.order() {
        let Some(node) = root.lookup(&c) else {
            continue;
        };
        match component_ops(node, &c) {
            Ok(mut ops) => {
                if let Err(misuse) = secrets.check_ops(&mut ops, &c.field("#compute")) {
                    return Err(RunError::Secret {
                        component: c,
                        misuse,
                    });
                }
            }
            Err(OpsError::NotConcrete { .. }) => {}
            Err(error) => {
                return Err(RunError::Ops {
                    component: c,
                    error,
                })
            }
        }
    }
    Ok(())
}

/// Runs the plan to completion: every component that can run, runs.
pub async fn run<P: Plan, S: Solver>(
    plan: &mut P,
    solver: Arc<S>,
    options: &Options,
) -> Result<Report, RunError> {
    run_with(plan, solver, options, &Incremental::default()).await
}

/// [`run`], with what a controller knows from earlier runs.
pub async fn run_with<P: Plan, S: Solver>(
    plan: &mut P,
    solver: Arc<S>,
    options: &Options,
    incremental: &Incremental,
) -> Result<Report, RunError> {
    let mut report = Report::default();
    let mut done: BTreeSet<Path> = incremental.done.clone();
    let mut running: BTreeSet<Path> = BTreeSet::new();
    let mut tasks: JoinSet<(Path, Result<ComponentOutput, RunError>)> = JoinSet::new();
    let mut checked_ready = false;
    validate(plan)?;
    let secrets = Arc::new(plan.secrets());
    let host = Arc::new(
        HostAccess::new(&options.plan_dir, &options.allow_host_paths)
            .map_err(|e| RunError::Plan(PlanError(e)))?,
    );
    loop {
        let round_start = std::time::Instant::now();
        report.rounds += 1;
        let graph = Graph::build(plan.root())?;
        // Components whose ops are not concrete although their dependencies are
        // done; they are skipped only once nothing runs that could still fill
        // a value they need (references are not always visible as edges).
        let mut waiting: Vec<(Path, String)> = Vec::new();
        let mut skipped_now = false;
        for c in graph.order() {
            if done.contains(&c) || running.contains(&c) || report.skipped.contains_key(&c) {
                continue;
            }
            if incremental
                .only
                .as_ref()
                .is_some_and(|only| !only.contains(&c))
            {
                continue;
            }
            let deps = graph.deps(&c);
            let progress = Progress::new(c.clone(), options.events.clone());
            if let Some(d) = deps.iter().find(|d| report.skipped.contains_key(*d)) {
                let reason = format!("depends on {d}, which was skipped");
                progress.emit(EventKind::Skipped {
                    reason: reason.clone(),
                });
                report.skipped.insert(c, reason);
                skipped_now = true;
                continue;
            }
            if !deps.iter().all(|d| done.contains(d)) {
                continue;
            }
            let Some(node) = plan.root().lookup(&c) else {
                continue;
            };
            match component_ops(node, &c) {
                Ok(mut ops) => {
                    if let Err(misuse) = secrets.check_ops(&mut ops, &c.field("#compute")) {
                        tasks.abort_all();
                        return Err(RunError::Secret {
                            component: c,
                            misuse,
                        });
                    }
                    // An empty op list needs no daemon.
                    if !checked_ready && !ops.is_empty() {
                        checked_ready = true;
                        if let Err(e) = solver.ready().await {
                            tasks.abort_all();
                            return Err(RunError::Engine(e));
                        }
                    }
                    let secrets = secrets.clone();
                    running.insert(c.clone());
                    let solver = solver.clone();
                    let host = host.clone();
                    let memo = incremental.memo.clone();
                    tasks.spawn(async move {
                        let component = Component {
                            path: &c,
                            ops: &ops,
                            host: &host,
                            secrets: &secrets,
                            progress: &progress,
                            memo: memo.as_deref(),
                        };
                        let result = run_component(&*solver, component).await;
                        match &result {
                            Ok(out) if out.reused => progress.emit(EventKind::Reused {
                                exports: out.exports.len(),
                            }),
                            Ok(out) => progress.emit(EventKind::Completed {
                                exports: out.exports.len(),
                            }),
                            Err(e) => progress.emit(EventKind::Failed {
                                message: e.to_string(),
                            }),
                        }
                        (c, result)
                    });
                }
                Err(OpsError::NotConcrete { path, reason }) => {
                    waiting.push((c, format!("{path} is not concrete: {reason}")));
                }
                Err(error) => {
                    tasks.abort_all();
                    return Err(RunError::Ops {
                        component: c,
                        error,
                    });
                }
            }
        }
        if tasks.is_empty() {
            report.schedule_time += round_start.elapsed();
            if waiting.is_empty() && !skipped_now {
                break;
            }
            for (c, reason) in waiting {
                let progress = Progress::new(c.clone(), options.events.clone());
                progress.emit(EventKind::Skipped {
                    reason: reason.clone(),
                });
                report.skipped.insert(c, reason);
            }
            continue;
        }
        report.schedule_time += round_start.elapsed();
        let Some(joined) = tasks.join_next().await else {
            break;
        };
        // Everything that finished meanwhile is filled back in one evaluation.
        let mut finished = vec![joined];
        while let Some(more) = tasks.try_join_next() {
            finished.push(more);
        }
        let mut batch: Vec<(Path, Vec<serde_json::Value>)> = Vec::new();
        let mut outputs: Vec<(Path, ComponentOutput)> = Vec::new();
        for joined in finished {
            let (c, result) = match joined {
                Ok(r) => r,
                Err(e) => {
                    tasks.abort_all();
                    return Err(RunError::Plan(PlanError(format!(
                        "a component task stopped: {e}"
                    ))));
                }
            };
            running.remove(&c);
            match result {
                Ok(out) => {
                    batch.push((c.clone(), out.exports.clone()));
                    outputs.push((c, out));
                }
                Err(e) => {
                    tasks.abort_all();
                    return Err(e);
                }
            }
        }
        let values: Vec<(Path, serde_json::Value)> = batch
            .iter()
            .flat_map(|(c, exports)| exports.iter().map(move |v| (c.clone(), v.clone())))
            .collect();
        if !values.is_empty() {
            let fill_start = std::time::Instant::now();
            let filled = plan.fill_all(&values);
            report.fill_time += fill_start.elapsed();
            report.fills += 1;
            if let Some(error) = fill_error(plan, filled, &batch) {
                tasks.abort_all();
                return Err(error);
            }
        }
        for (c, _) in batch {
            done.insert(c.clone());
            report.ran.push(c);
        }
        report.outputs.extend(outputs);
    }
    Ok(report)
}

/// The error after filling the exports of `batch`, if any: a conflict
/// inside one exporting component is that component's export not matching
/// its constraints; elsewhere, a value derived from the exports.
fn fill_error<P: Plan>(
    plan: &P,
    filled: Result<(), PlanError>,
    batch: &[(Path, Vec<serde_json::Value>)],
) -> Option<RunError> {
    let exporters: Vec<&Path> = batch
        .iter()
        .filter(|(_, e)| !e.is_empty())
        .map(|(c, _)| c)
        .collect();
    let errors = match filled {
        // Only what the fill re-evaluated can hold new errors (the rest
        // was checked before); without that knowledge, everything.
        Ok(()) => match plan.changed() {
            Some(paths) => paths
                .iter()
                .flat_map(|p| {
                    plan.root()
                        .lookup(p)
                        .map(|n| n.errors(p))
                        .unwrap_or_default()
                })
                .collect(),
            None => plan.root().errors(&Path::root()),
        },
        Err(e) => {
            // The evaluator's report names paths; attribute it when one matches.
            let c = match exporters.as_slice() {
                [one] => Some(*one),
                many => many.iter().copied().find(|c| e.0.contains(&c.to_string())),
            };
            return Some(match c {
                Some(c) => RunError::Fill {
                    component: c.clone(),
                    message: e.0,
                },
                None => RunError::Plan(PlanError(format!(
                    "after unifying the values exported by {}:\n{}",
                    names(&exporters),
                    e.0
                ))),
            });
        }
    };
    if errors.is_empty() {
        return None;
    }
    if let Some(c) = exporters
        .iter()
        .find(|c| errors.iter().all(|(p, _)| p.starts_with(c)))
    {
        return Some(RunError::Fill {
            component: (*c).clone(),
            message: render_errors(&errors),
        });
    }
    let what = if exporters.len() == 1 {
        "the value"
    } else {
        "the values"
    };
    Some(RunError::Plan(PlanError(format!(
        "after unifying {what} exported by {}:\n{}",
        names(&exporters),
        render_errors(&errors)
    ))))
}

fn names(paths: &[&Path]) -> String {
    paths
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One component to run, with what it needs.
struct Component<'a> {
    path: &'a Path,
    ops: &'a [Op],
    host: &'a HostAccess,
    secrets: &'a Secrets,
    progress: &'a Progress,
    memo: Option<&'a dyn crate::memo::Memo>,
}

/// Compiles and solves one component (or finds its outputs in the memo);
/// returns its exported values in op order.
async fn run_component<S: Solver>(
    solver: &S,
    component: Component<'_>,
) -> Result<ComponentOutput, RunError> {
    let Component {
        path: c,
        ops,
        host,
        secrets,
        progress,
        memo,
    } = component;
    progress.emit(EventKind::Started);
    let images = resolve_images(solver, ops)
        .await
        .map_err(|(reference, error)| RunError::Image {
            component: c.clone(),
            reference,
            error,
        })?;
    let compiled = compile(ops, &c.field("#compute"), &images, host).map_err(|e| RunError::Op {
        component: c.clone(),
        op: Some(e.op),
        error: SolveError::msg(e.message),
    })?;
    let op_error = |error: SolveError| RunError::Op {
        component: c.clone(),
        op: error.vertex.clone(),
        error,
    };
    let key = match memo {
        Some(memo) => {
            let key = crate::memo::component_key(&compiled).map_err(|message| RunError::Op {
                component: c.clone(),
                op: None,
                error: SolveError::msg(message),
            })?;
            if let Some(exports) = key.as_ref().and_then(|k| memo.get(c, k)) {
                return Ok(ComponentOutput {
                    key,
                    exports,
                    reused: true,
                });
            }
            key
        }
        None => None,
    };
    // An export or push of the final state builds it anyway.
    let covered = compiled.actions.iter().any(|a| match a {
        Action::Export { state, .. } | Action::Push { state, .. } => {
            std::sync::Arc::ptr_eq(&state.0, &compiled.state.0)
        }
    });
    if !covered && !matches!(compiled.state.node(), crate::state::StateNode::Scratch) {
        solver
            .solve(&compiled.state, progress)
            .await
            .map_err(op_error)?;
    }
    let mut exports = Vec::new();
    for action in compiled.actions {
        match action {
            Action::Export {
                state,
                source,
                format,
                op,
            } => {
                let bytes = solver
                    .read_file(&state, &source, progress)
                    .await
                    // The op that failed, if the daemon named one, else
                    // the export itself (e.g. a missing file).
                    .map_err(|error| RunError::Op {
                        component: c.clone(),
                        op: error.vertex.clone().or_else(|| Some(op.clone())),
                        error,
                    })?;
                // An exported value would be printed and unified into the
                // plan: a secret read back from a container stops here.
                if let Some(name) = secrets.found_in(&String::from_utf8_lossy(&bytes)) {
                    return Err(RunError::Export {
                        component: c.clone(),
                        op,
                        message: format!(
                            "the exported file holds the value of secret {name}; \
                             a secret may not be exported"
                        ),
                    });
                }
                let value = decode(&bytes, format).map_err(|message| RunError::Export {
                    component: c.clone(),
                    op,
                    message,
                })?;
                exports.push(value);
            }
            Action::Push {
                state,
                meta,
                reference,
                op,
            } => {
                solver
                    .push(&state, &meta, &reference, progress)
                    .await
                    .map_err(|error| RunError::Op {
                        component: c.clone(),
                        op: error.vertex.clone().or(Some(op)),
                        error,
                    })?;
            }
        }
    }
    Ok(ComponentOutput {
        key,
        exports,
        reused: false,
    })
}

/// `path: message` lines.
fn render_errors(errors: &[(Path, String)]) -> String {
    errors
        .iter()
        .map(|(p, m)| format!("{p}: {m}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Decodes an exported file.
fn decode(bytes: &[u8], format: ExportFormat) -> Result<serde_json::Value, String> {
    match format {
        ExportFormat::String => String::from_utf8(bytes.to_vec())
            .map(serde_json::Value::String)
            .map_err(|_| "the file is not valid UTF-8 text".to_string()),
        ExportFormat::Json => {
            serde_json::from_slice(bytes).map_err(|e| format!("invalid JSON: {e}"))
        }
        ExportFormat::Yaml => {
            serde_yaml::from_slice(bytes).map_err(|e| format!("invalid YAML: {e}"))
        }
    }
}
