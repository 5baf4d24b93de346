//! In-memory stand-ins for the evaluator and BuildKit, used by the tests of
//! the scheduling logic.
//!
//! [`FnPlan`] "evaluates" by calling a closure with the values filled so far.
//! [`FakeSolver`] interprets [`State`] graphs over an in-memory file system;
//! `exec` runs a test-provided handler.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::events::Progress;
use crate::path::Path;
use crate::plan::{Plan, PlanError};
use crate::solver::{SolveError, Solver};
use crate::state::{Exec, FileAction, ImageMeta, State, StateNode};
use crate::tree::Node;

/// Values filled into a [`FnPlan`], in order.
pub type Filled = Vec<(Path, serde_json::Value)>;

type Build = Box<dyn Fn(&Filled) -> Result<Node, PlanError> + Send>;

/// A plan whose evaluation is a closure of the filled values.
pub struct FnPlan {
    build: Build,
    filled: Filled,
    root: Node,
    evaluations: usize,
}

impl FnPlan {
    /// Evaluates `build` with nothing filled.
    pub fn new(
        build: impl Fn(&Filled) -> Result<Node, PlanError> + Send + 'static,
    ) -> Result<FnPlan, PlanError> {
        let root = build(&Vec::new())?;
        Ok(FnPlan {
            build: Box::new(build),
            filled: Vec::new(),
            root,
            evaluations: 1,
        })
    }

    /// How many times the plan was "evaluated" (built).
    pub fn evaluations(&self) -> usize {
        self.evaluations
    }

    /// The values filled so far.
    pub fn filled(&self) -> &Filled {
        &self.filled
    }
}

impl Plan for FnPlan {
    fn root(&self) -> &Node {
        &self.root
    }

    fn fill(&mut self, path: &Path, value: &serde_json::Value) -> Result<(), PlanError> {
        self.fill_all(&[(path.clone(), value.clone())])
    }

    fn fill_all(&mut self, values: &[(Path, serde_json::Value)]) -> Result<(), PlanError> {
        self.filled.extend(values.iter().cloned());
        self.root = (self.build)(&self.filled)?;
        self.evaluations += 1;
        Ok(())
    }
}

/// An in-memory file system: path -> content (directories end with `/`).
pub type Fs = BTreeMap<String, Vec<u8>>;

/// What a fake `exec` does: gets the args and the file system, returns the
/// new file system or an exit code with output.
pub type ExecFn = Arc<dyn Fn(&[String], &mut Fs) -> Result<(), (i32, String)> + Send + Sync>;

/// A [`Solver`] over in-memory file systems.
#[derive(Clone)]
pub struct FakeSolver {
    pub images: BTreeMap<String, (Fs, ImageMeta)>,
    pub exec: ExecFn,
    /// Slept by every exec (to test parallelism).
    pub exec_delay: Duration,
    /// Everything solved, pushed and read, in order.
    pub log: Arc<Mutex<Vec<String>>>,
}

impl FakeSolver {
    /// A solver whose execs understand `echo TEXT > FILE`-like commands:
    /// `["write", path, content]`, `["fail", code]`, and anything else is a no-op.
    pub fn new() -> FakeSolver {
        FakeSolver {
            images: BTreeMap::new(),
            exec: Arc::new(|args, fs| match args.first().map(String::as_str) {
                Some("write") if args.len() == 3 => {
                    fs.insert(args[1].clone(), args[2].clone().into_bytes());
                    Ok(())
                }
                Some("fail") => Err((
                    args.get(1).and_then(|c| c.parse().ok()).unwrap_or(1),
                    "failing as asked\nlast line".into(),
                )),
                _ => Ok(()),
            }),
            exec_delay: Duration::ZERO,
            log: Arc::new(Mutex::new(Vec::new())),
        }
    }

    fn record(&self, line: String) {
        if let Ok(mut log) = self.log.lock() {
            log.push(line);
        }
    }

    /// The recorded log.
    pub fn entries(&self) -> Vec<String> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    async fn eval(&self, state: &State) -> Result<Fs, SolveError> {
        self.eval_rec(state).await
    }

    fn eval_rec<'a>(
        &'a self,
        state: &'a State,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Fs, SolveError>> + Send + 'a>>
    {
        Box::pin(async move {
            match state.node() {
                StateNode::Scratch => Ok(Fs::new()),
                StateNode::Image { reference } => self
                    .images
                    .get(reference)
                    .map(|(fs, _)| fs.clone())
                    .ok_or_else(|| SolveError::msg(format!("{reference}: not found"))),
                StateNode::Git { remote, reference } => Ok(Fs::from([(
                    "README".to_string(),
                    format!("{remote}#{reference}").into_bytes(),
                )])),
                StateNode::Local { dir, .. } => {
                    Ok(Fs::from([("LOCAL".to_string(), dir.clone().into_bytes())]))
                }
                StateNode::Exec(e) => self.exec(e).await,
                StateNode::File { base, action, .. } => {
                    let mut fs = self.eval_rec(base).await?;
                    match action {
                        FileAction::Mkdir { path, .. } => {
                            fs.insert(format!("{}/", path.trim_start_matches('/')), Vec::new());
                        }
                        FileAction::MkFile { path, content, .. } => {
                            fs.insert(path.trim_start_matches('/').to_string(), content.clone());
                        }
                        FileAction::Copy { from, src, dest } => {
                            let from = self.eval_rec(from).await?;
                            let src = src.trim_matches('/');
                            let dest = dest.trim_matches('/');
                            for (p, c) in from {
                                if let Some(rel) = copied_name(&p, src) {
                                    let target = if dest.is_empty() {
                                        rel
                                    } else {
                                        format!("{dest}/{rel}")
                                    };
                                    fs.insert(target, c);
                                }
                            }
                        }
                    }
                    Ok(fs)
                }
                StateNode::DockerBuild(d) => match &d.context {
                    Some(c) => self.eval_rec(c).await,
                    None => Ok(Fs::new()),
                },
            }
        })
    }

    async fn exec(&self, e: &Exec) -> Result<Fs, SolveError> {
        let mut fs = self.eval_rec(&e.root).await?;
        if !self.exec_delay.is_zero() {
            tokio::time::sleep(self.exec_delay).await;
        }
        self.record(format!("exec {}", e.args.join(" ")));
        (self.exec)(&e.args, &mut fs).map_err(|(code, output)| SolveError {
            message: format!(
                "process {:?} did not complete successfully: exit code: {code}",
                e.args
            ),
            exit_code: Some(code),
            vertex: Some(e.name.clone()),
            output_tail: output.lines().map(str::to_string).collect(),
        })?;
        Ok(fs)
    }
}

impl Default for FakeSolver {
    fn default() -> Self {
        FakeSolver::new()
    }
}

impl Solver for FakeSolver {
    async fn image_config(&self, reference: &str) -> Result<ImageMeta, SolveError> {
        self.images
            .get(reference)
            .map(|(_, meta)| meta.clone())
            .ok_or_else(|| SolveError::msg(format!("{reference}: not found")))
    }

    async fn solve(&self, state: &State, progress: &Progress) -> Result<(), SolveError> {
        self.eval(state).await?;
        self.record(format!("solve {}", progress.component));
        Ok(())
    }

    async fn read_file(
        &self,
        state: &State,
        path: &str,
        progress: &Progress,
    ) -> Result<Vec<u8>, SolveError> {
        let fs = self.eval(state).await?;
        self.record(format!("read {} {path}", progress.component));
        fs.get(path.trim_start_matches('/'))
            .cloned()
            .ok_or_else(|| SolveError::msg(format!("open {path}: no such file or directory")))
    }

    async fn push(
        &self,
        state: &State,
        _meta: &ImageMeta,
        reference: &str,
        progress: &Progress,
    ) -> Result<(), SolveError> {
        self.eval(state).await?;
        self.record(format!("push {} {reference}", progress.component));
        Ok(())
    }
}

/// Where file `p` lands when copying `src` (directory contents, or the file itself).
fn copied_name(p: &str, src: &str) -> Option<String> {
    if src.is_empty() {
        return Some(p.to_string());
    }
    if p == src {
        return Some(p.rsplit('/').next().unwrap_or(p).to_string());
    }
    p.strip_prefix(src)?.strip_prefix('/').map(str::to_string)
}
