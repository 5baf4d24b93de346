//! `dagger up` and `dagger down`: bring a controller up to date.
//!
//! 1. The plan is evaluated with its inputs and every stored output filled
//!    in, once. Each component's memo key (`dag::memo`) is computed from
//!    that evaluation and compared with the key its outputs were stored
//!    under. Components whose key changed are stale, and so is everything
//!    that depends on them.
//! 2. Nothing stale: every component reuses its outputs; no solve, one
//!    evaluation.
//! 3. Otherwise the plan is evaluated again with only the fresh outputs
//!    filled in, and the scheduler runs the stale components (a stale one
//!    whose recomputed key matches its stored one after all, because an
//!    upstream output came out the same, still reuses).
//! 4. The run is recorded (history.rs) and the state replaced atomically.
//!
//! Components that declare `#teardown: true` do not run on `up`; `down`
//! runs only them, with every other component's stored outputs filled in.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use dag::cue_plan::CuePlan;
use dag::events::{EventKind, Progress, Sink};
use dag::graph::Graph;
use dag::host::HostAccess;
use dag::memo::Memo;
use dag::path::Path;
use dag::plan::{Plan, PlanError};
use dag::run::{Incremental, Report, RunError};
use dag::solver::Solver;

use crate::history::{self, Snapshot};
use crate::images::CachedImages;
use crate::inputs::InputError;
use crate::plan_source::{PlanDirs, SourceError};
use crate::state::{ControllerState, RunRecord, Status, StoredOutput};
use crate::store::{Store, StoreError};

/// What to do.
#[derive(Clone)]
pub struct UpRequest {
    /// What the history records (`up`, `up --only app`, `down`...).
    pub command: String,
    /// Ignore stored outputs and image configs: every component runs.
    pub no_cache: bool,
    /// Compute only this component and what it depends on.
    pub only: Option<Path>,
    /// `down`: run the teardown components only.
    pub teardown: bool,
    /// Re-run the plan and inputs of run N.
    pub replay: Option<u64>,
    /// Host directories `local` ops may read besides the plan's module.
    pub allow_host_paths: Vec<PathBuf>,
    pub events: Sink,
}

/// Why `up` stopped.
#[derive(Debug, thiserror::Error)]
pub enum UpError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{0}")]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Run(Box<RunError>),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Usage(String),
}

impl From<RunError> for UpError {
    fn from(e: RunError) -> UpError {
        UpError::Run(Box::new(e))
    }
}

impl UpError {
    /// The process exit code: a failed exec's own code, 2 for usage, else 1.
    pub fn exit_code(&self) -> i32 {
        match self {
            UpError::Run(e) => e.exit_code(),
            UpError::Usage(_) => 2,
            _ => 1,
        }
    }
}

/// How an `up` went.
pub struct UpOutcome {
    /// The evaluated plan at the end (for the summary), when it loaded.
    pub plan: Option<CuePlan>,
    /// The scheduler's report, or why the run failed.
    pub result: Result<Report, UpError>,
    /// Components reused with no solve.
    pub reused: BTreeSet<Path>,
    /// The history record written, when the run got that far.
    pub record: Option<RunRecord>,
    /// Time spent evaluating the plan: loads, fills and re-evaluations.
    pub eval_time: std::time::Duration,
    /// How many evaluations that was.
    pub evaluations: usize,
    /// The part of `eval_time` spent re-evaluating after components finished.
    pub fill_time: std::time::Duration,
}

/// Runs `up` (or `down`) on controller `state`, which the caller has locked,
/// and stores the result.
pub async fn up<S: Solver>(
    store: &Store,
    state: &mut ControllerState,
    solver: Arc<S>,
    req: &UpRequest,
) -> UpOutcome {
    let started = crate::time::now();
    let clock = Instant::now();
    let mut outcome = UpOutcome {
        plan: None,
        result: Err(UpError::Usage(String::new())),
        reused: BTreeSet::new(),
        record: None,
        eval_time: std::time::Duration::ZERO,
        evaluations: 0,
        fill_time: std::time::Duration::ZERO,
    };
    let prepared = prepare(store, state, req);
    let (dirs, files) = match prepared {
        Ok(p) => p,
        Err(e) => {
            outcome.result = Err(e);
            return outcome;
        }
    };
    let images = Arc::new(CachedImages::new(
        solver,
        if req.no_cache {
            &EMPTY_IMAGES
        } else {
            &state.images
        },
    ));
    let memo: BTreeMap<String, StoredOutput> = if req.no_cache {
        BTreeMap::new()
    } else {
        state.outputs.clone()
    };
    let result = compute(state, &dirs, images.clone(), &memo, req, &mut outcome).await;
    // The run is recorded whatever happened once the plan was found.
    let redact = |text: String| match &outcome.plan {
        Some(p) => p.secrets().redact(&text),
        None => text,
    };
    let mut outputs = state.outputs.clone();
    let mut components = BTreeMap::new();
    for c in &outcome.reused {
        components.insert(c.to_string(), "reused".to_string());
    }
    if let Ok(report) = &result {
        for (c, out) in &report.outputs {
            outputs.insert(
                c.to_string(),
                StoredOutput {
                    key: out.key.clone(),
                    exports: out.exports.clone(),
                },
            );
            let how = if out.reused { "reused" } else { "ran" };
            components.insert(c.to_string(), how.to_string());
        }
        for c in report.skipped.keys() {
            outputs.remove(&c.to_string());
            components.insert(c.to_string(), "skipped".to_string());
        }
    }
    let snapshot = Snapshot {
        plan: state.plan.clone(),
        load_dir: history::load_dir_in(&dirs),
        plan_files: files.clone(),
        inputs: state.inputs.clone(),
        outputs: if result.is_ok() {
            outputs.clone()
        } else {
            state.outputs.clone()
        },
    };
    let snapshot_id = match history::put(store, &state.name, &snapshot) {
        Ok(id) => id,
        Err(e) => {
            outcome.result = Err(e.into());
            return outcome;
        }
    };
    let record = RunRecord {
        number: state.runs.last().map(|r| r.number + 1).unwrap_or(1),
        command: req.command.clone(),
        started,
        duration_ms: u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX),
        plan_digest: crate::plan_source::digest(&files),
        inputs_digest: crate::inputs::inputs_digest(state),
        result: if result.is_ok() { "ok" } else { "failed" }.to_string(),
        error: result.as_ref().err().map(|e| redact(e.to_string())),
        outputs: snapshot
            .outputs
            .iter()
            .map(|(c, o)| (c.clone(), history::outputs_digest(o)))
            .collect(),
        components,
        snapshot: snapshot_id,
    };
    let mut next = state.clone();
    next.runs.push(record.clone());
    next.images = images.stored();
    match &result {
        Ok(_) => {
            next.outputs = outputs;
            next.status = if req.teardown {
                Status::Down
            } else {
                Status::Up
            };
        }
        Err(_) => next.status = Status::Failed,
    }
    if let Err(e) = store.save(&next) {
        outcome.result = Err(e.into());
        return outcome;
    }
    *state = next;
    outcome.record = Some(record);
    outcome.result = result;
    outcome
}

static EMPTY_IMAGES: BTreeMap<String, crate::state::StoredImage> = BTreeMap::new();

/// The plan's directories and files, for this run (run N's for a replay,
/// whose inputs also replace the current ones).
fn prepare(
    store: &Store,
    state: &mut ControllerState,
    req: &UpRequest,
) -> Result<(PlanDirs, BTreeMap<String, String>), UpError> {
    if let Some(n) = req.replay {
        let Some(run) = state.runs.iter().find(|r| r.number == n) else {
            return Err(UpError::Usage(format!(
                "--replay {n}: there is no run {n} (see `dagger history`)"
            )));
        };
        let snapshot = history::get(store, &state.name, &run.snapshot)?;
        let dirs = history::materialize(store, &state.name, &snapshot)?;
        state.inputs = snapshot.inputs.clone();
        return Ok((dirs, snapshot.plan_files));
    }
    let dirs = crate::plan_source::prepare(store, &state.name, &state.plan)?;
    let files = crate::plan_source::files(&dirs);
    Ok((dirs, files))
}

/// The stored outputs, looked up by key.
struct StoredMemo(BTreeMap<String, StoredOutput>);

impl Memo for StoredMemo {
    fn get(&self, component: &Path, key: &str) -> Option<Vec<serde_json::Value>> {
        let stored = self.0.get(&component.to_string())?;
        (stored.key.as_deref() == Some(key)).then(|| stored.exports.clone())
    }
}

async fn compute<S: Solver>(
    state: &ControllerState,
    dirs: &PlanDirs,
    images: Arc<CachedImages<S>>,
    memo: &BTreeMap<String, StoredOutput>,
    req: &UpRequest,
    outcome: &mut UpOutcome,
) -> Result<Report, UpError> {
    let inputs = crate::inputs::engine_inputs(state)?;
    let eval = std::cell::Cell::new((std::time::Duration::ZERO, 0usize));
    let load = |fills: &[(Path, serde_json::Value)]| -> Result<CuePlan, UpError> {
        let start = Instant::now();
        let result = CuePlan::load(&dirs.load, &inputs).and_then(|mut plan| {
            if !fills.is_empty() {
                plan.fill_all(fills)?;
            }
            Ok(plan)
        });
        let (t, n) = eval.get();
        eval.set((t + start.elapsed(), n + 1 + usize::from(!fills.is_empty())));
        Ok(result?)
    };
    let plan = load(&[])?;
    dag::run::validate(&plan)?;
    let graph = Graph::build(plan.root()).map_err(RunError::from)?;
    let selected = select(&plan, &graph, req)?;
    let options = dag::run::Options {
        plan_dir: std::fs::canonicalize(&dirs.plan).unwrap_or(dirs.plan.clone()),
        allow_host_paths: req.allow_host_paths.clone(),
        events: req.events.clone(),
    };
    let host = HostAccess::new(&options.plan_dir, &options.allow_host_paths)
        .map_err(|e| UpError::Plan(PlanError(e)))?;
    // Pass 1: everything stored filled in, keys compared.
    let stored_fills = fills_of(memo, &graph, |_| true);
    let mut clean: BTreeSet<Path> = BTreeSet::new();
    if !stored_fills.is_empty() {
        let prefilled = load(&stored_fills)
            .ok()
            .filter(|p| p.root().errors(&Path::root()).is_empty());
        if let Some(prefilled) = prefilled {
            let secrets = prefilled.secrets();
            let mut stale: BTreeSet<Path> = BTreeSet::new();
            for c in graph.order() {
                if !memo.contains_key(&c.to_string()) {
                    stale.insert(c);
                    continue;
                }
                if !selected.contains(&c) {
                    // Left as it is: what it stored stands.
                    continue;
                }
                let key = component_key(&prefilled, &c, &secrets, &*images, &host).await;
                let stored = memo.get(&c.to_string()).and_then(|o| o.key.clone());
                if key.is_none() || key != stored {
                    stale.insert(c);
                }
            }
            let stale = with_dependents(&graph, &stale);
            clean = graph
                .components()
                .into_iter()
                .filter(|c| !stale.contains(c) && memo.contains_key(&c.to_string()))
                .collect();
            if selected.iter().all(|c| clean.contains(c)) {
                for c in selected.iter() {
                    let exports = memo.get(&c.to_string()).map_or(0, |o| o.exports.len());
                    Progress::new(c.clone(), req.events.clone())
                        .emit(EventKind::Reused { exports });
                }
                outcome.reused = selected.clone();
                outcome.plan = Some(prefilled);
                (outcome.eval_time, outcome.evaluations) = eval.get();
                return Ok(Report::default());
            }
        }
    }
    // Pass 2: only what is still fresh filled in; the rest runs.
    let fresh_fills = fills_of(memo, &graph, |c| clean.contains(c));
    let mut plan = if fresh_fills.is_empty() {
        plan
    } else {
        load(&fresh_fills)?
    };
    for c in selected.iter().filter(|c| clean.contains(*c)) {
        let exports = memo.get(&c.to_string()).map_or(0, |o| o.exports.len());
        Progress::new(c.clone(), req.events.clone()).emit(EventKind::Reused { exports });
        outcome.reused.insert(c.clone());
    }
    let incremental = Incremental {
        memo: Some(Arc::new(StoredMemo(memo.clone()))),
        done: clean,
        only: Some(selected),
    };
    let result = dag::run::run_with(&mut plan, images, &options, &incremental).await;
    outcome.plan = Some(plan);
    let (t, n) = eval.get();
    outcome.eval_time = t;
    outcome.evaluations = n;
    if let Ok(report) = &result {
        outcome.eval_time += report.fill_time;
        outcome.fill_time = report.fill_time;
        outcome.evaluations += report.fills;
    }
    Ok(result?)
}

/// The components this run may run: not the teardown ones on `up`, only
/// them on `down`; with `--only`, the target and its dependencies.
fn select(plan: &CuePlan, graph: &Graph, req: &UpRequest) -> Result<BTreeSet<Path>, UpError> {
    let root = plan.root();
    let is_teardown = |c: &Path| {
        root.lookup(c)
            .and_then(|n| n.get("#teardown"))
            .is_some_and(|t| t.kind == dag::tree::Kind::Scalar(dag::tree::Scalar::Bool(true)))
    };
    let mut selected: BTreeSet<Path> = graph
        .components()
        .into_iter()
        .filter(|c| is_teardown(c) == req.teardown)
        .collect();
    if let Some(target) = &req.only {
        if !graph.components().contains(target) {
            let names: Vec<String> = graph.components().iter().map(|c| c.to_string()).collect();
            return Err(UpError::Usage(format!(
                "--only {target}: the plan has no component {target} (its components: {})",
                names.join(", ")
            )));
        }
        let mut keep = BTreeSet::new();
        let mut todo = vec![target.clone()];
        while let Some(c) = todo.pop() {
            if keep.insert(c.clone()) {
                todo.extend(graph.deps(&c));
            }
        }
        selected.retain(|c| keep.contains(c));
    }
    Ok(selected)
}

/// `(component, export)` pairs to fill for the stored components `keep` accepts.
fn fills_of(
    memo: &BTreeMap<String, StoredOutput>,
    graph: &Graph,
    keep: impl Fn(&Path) -> bool,
) -> Vec<(Path, serde_json::Value)> {
    let mut out = Vec::new();
    for c in graph.components() {
        if !keep(&c) {
            continue;
        }
        if let Some(stored) = memo.get(&c.to_string()) {
            for v in &stored.exports {
                out.push((c.clone(), v.clone()));
            }
        }
    }
    out
}

/// `set` and every component that depends on one of them.
fn with_dependents(graph: &Graph, set: &BTreeSet<Path>) -> BTreeSet<Path> {
    let mut out = set.clone();
    // Topological order: a component's dependencies come before it.
    for c in graph.order() {
        if graph.deps(&c).iter().any(|d| out.contains(d)) {
            out.insert(c);
        }
    }
    out
}

/// The memo key of component `c` in `plan`, `None` when it has none or its
/// ops cannot be compiled (then it runs, and the run reports why).
async fn component_key<S: Solver>(
    plan: &CuePlan,
    c: &Path,
    secrets: &dag::secrets::Secrets,
    solver: &S,
    host: &HostAccess,
) -> Option<String> {
    let node = plan.root().lookup(c)?;
    let mut ops = dag::parse::component_ops(node, c).ok()?;
    secrets.check_ops(&mut ops, &c.field("#compute")).ok()?;
    let images = dag::compile::resolve_images(solver, &ops).await.ok()?;
    let compiled = dag::compile::compile(&ops, &c.field("#compute"), &images, host).ok()?;
    dag::memo::component_key(&compiled).ok().flatten()
}
