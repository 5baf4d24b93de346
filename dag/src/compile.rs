//! Compiling a component's op list into one [`State`] graph.
//!
//! Each op takes the state the previous one left (the first starts from
//! scratch). A `from:` (in `copy`, `load`, mounts, `docker-build`) compiles
//! its own op list inline, so a dependency between components becomes an
//! input of this component's graph and BuildKit sees the whole graph at once.
//! `export` and `push-container` do not change the state: they are recorded as
//! [`Action`]s to perform on the state at that point, after the solve.
//!
//! A `local` op's directory is resolved against the plan directory, checked
//! against the plan's [`HostAccess`] and filtered by its ignore files
//! ([`crate::local`]); a directory the plan may not read fails the compile
//! with the op's name.

use std::collections::BTreeMap;

use crate::host::HostAccess;

use crate::ops::{join_path, ExportFormat, Mount, Op, Source};
use crate::path::Path;
use crate::solver::{SolveError, Solver};
use crate::state::{
    normalize_image, DockerBuild, Exec, ExecMount, FileAction, ImageMeta, MountKind, State,
    StateNode,
};

/// A component compiled to a state plus the actions to perform on it.
#[derive(Clone, Debug)]
pub struct Compiled {
    pub state: State,
    pub meta: ImageMeta,
    pub actions: Vec<Action>,
}

/// Something done with a state after it is built.
#[derive(Clone, Debug)]
pub enum Action {
    Export {
        state: State,
        source: String,
        format: ExportFormat,
        op: String,
    },
    Push {
        state: State,
        meta: ImageMeta,
        reference: String,
        op: String,
    },
}

/// Image configs by normalized reference, resolved before compiling.
pub type ImageConfigs = BTreeMap<String, ImageMeta>;

/// Resolves the config of every image the ops (and their `from:`s) fetch.
pub async fn resolve_images<S: Solver>(
    solver: &S,
    ops: &[Op],
) -> Result<ImageConfigs, (String, SolveError)> {
    let mut refs = Vec::new();
    collect_images(ops, &mut refs);
    let mut configs = ImageConfigs::new();
    for r in refs {
        if let std::collections::btree_map::Entry::Vacant(slot) = configs.entry(r.clone()) {
            slot.insert(solver.image_config(&r).await.map_err(|e| (r, e))?);
        }
    }
    Ok(configs)
}

fn collect_images(ops: &[Op], out: &mut Vec<String>) {
    for op in ops {
        match op {
            Op::FetchContainer { reference } => out.push(normalize_image(reference)),
            Op::Copy { from, .. } | Op::Load { from } => collect_images(&from.ops, out),
            Op::Exec(e) => {
                for m in e.mounts.values() {
                    if let Mount::From { from, .. } = m {
                        collect_images(&from.ops, out);
                    }
                }
            }
            Op::DockerBuild(d) => {
                if let Some(c) = &d.context {
                    collect_images(&c.ops, out);
                }
            }
            _ => {}
        }
    }
}

/// An op that cannot be compiled (a `local` directory the plan may not
/// read): `op` is its name, `path.#compute[i] local DIR`.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{op}: {message}")]
pub struct CompileError {
    pub op: String,
    pub message: String,
}

/// Compiles the op list found at `ops_path` (a component's `#compute`);
/// `host` says which host directories its `local` ops may read.
pub fn compile(
    ops: &[Op],
    ops_path: &Path,
    images: &ImageConfigs,
    host: &HostAccess,
) -> Result<Compiled, CompileError> {
    let mut c = Compiler {
        images,
        host,
        actions: Vec::new(),
        error: None,
    };
    let (state, meta) = c.ops(ops, ops_path, true);
    if let Some(e) = c.error {
        return Err(e);
    }
    Ok(Compiled {
        state,
        meta,
        actions: c.actions,
    })
}

struct Compiler<'a> {
    images: &'a ImageConfigs,
    host: &'a HostAccess,
    actions: Vec<Action>,
    /// The first op that failed to compile (the rest still compiles, unused).
    error: Option<CompileError>,
}

impl Compiler<'_> {
    /// Compiles ops in sequence; actions are recorded only for the top level
    /// (a `from:` component's own exports ran when that component ran).
    fn ops(&mut self, ops: &[Op], path: &Path, top: bool) -> (State, ImageMeta) {
        let mut state = State::scratch();
        let mut meta = ImageMeta::default();
        for (i, op) in ops.iter().enumerate() {
            let name = format!("{} {}", path.index(i), op);
            match op {
                Op::FetchContainer { reference } => {
                    let reference = normalize_image(reference);
                    meta = self.images.get(&reference).cloned().unwrap_or_default();
                    state = State::new(StateNode::Image { reference });
                }
                Op::PushContainer { reference } => {
                    if top {
                        self.actions.push(Action::Push {
                            state: state.clone(),
                            meta: meta.clone(),
                            reference: reference.clone(),
                            op: name,
                        });
                    }
                }
                Op::FetchGit { remote, reference } => {
                    state = State::new(StateNode::Git {
                        remote: remote.clone(),
                        reference: reference.clone(),
                    });
                    meta = ImageMeta::default();
                }
                Op::Local { dir, include } => {
                    state = match crate::local::local_state(self.host, dir, include) {
                        Ok(node) => State::new(node),
                        Err(message) => {
                            self.error.get_or_insert(CompileError { op: name, message });
                            State::scratch()
                        }
                    };
                    meta = ImageMeta::default();
                }
                Op::Exec(e) => {
                    let mounts = e
                        .mounts
                        .iter()
                        .map(|(target, m)| ExecMount {
                            target: target.clone(),
                            kind: self.mount(m),
                        })
                        .collect();
                    state = State::new(StateNode::Exec(Exec {
                        root: state,
                        args: e.args.clone(),
                        env: merge_env(&meta.env, &e.env),
                        cwd: e
                            .dir
                            .clone()
                            .or_else(|| meta.workdir.clone())
                            .unwrap_or_else(|| "/".into()),
                        user: meta.user.clone(),
                        always: e.always,
                        mounts,
                        secret_env: e
                            .secret_env
                            .iter()
                            .map(|(k, (id, v))| (k.clone(), id.clone(), v.clone()))
                            .collect(),
                        name,
                    }));
                }
                Op::Copy { from, src, dest } => {
                    let (from, _) = self.source(from);
                    state = file(
                        state,
                        FileAction::Copy {
                            from,
                            src: src.clone(),
                            dest: dest.clone(),
                        },
                        name,
                    );
                }
                Op::Load { from } => (state, meta) = self.source(from),
                Op::Subdir { dir } => {
                    let action = FileAction::Copy {
                        from: state,
                        src: dir.clone(),
                        dest: "/".into(),
                    };
                    state = file(State::scratch(), action, name);
                }
                Op::WriteFile {
                    content,
                    dest,
                    mode,
                } => {
                    let action = FileAction::MkFile {
                        path: dest.clone(),
                        content: content.as_bytes().to_vec(),
                        mode: *mode,
                    };
                    state = file(state, action, name);
                }
                Op::Mkdir { dir, path, mode } => {
                    let action = FileAction::Mkdir {
                        path: join_path(dir, path),
                        mode: *mode,
                    };
                    state = file(state, action, name);
                }
                Op::Export { source, format } => {
                    if top {
                        self.actions.push(Action::Export {
                            state: state.clone(),
                            source: source.clone(),
                            format: *format,
                            op: name,
                        });
                    }
                }
                Op::DockerBuild(d) => {
                    let context = d.context.as_ref().map(|c| self.source(c).0);
                    state = State::new(StateNode::DockerBuild(DockerBuild {
                        context,
                        dockerfile: d.dockerfile.clone(),
                        dockerfile_path: d.dockerfile_path.clone(),
                        build_args: d.build_args.clone(),
                        labels: d.labels.clone(),
                        platforms: d.platforms.clone(),
                        name,
                    }));
                    meta = ImageMeta::default();
                }
            }
        }
        (state, meta)
    }

    fn source(&mut self, source: &Source) -> (State, ImageMeta) {
        self.ops(&source.ops, &source.path, false)
    }

    fn mount(&mut self, mount: &Mount) -> MountKind {
        match mount {
            Mount::Tmpfs => MountKind::Tmpfs,
            Mount::Cache { key } => MountKind::Cache {
                id: cache_id(&self.host.cache_scope(), key),
            },
            Mount::From { from, path } => MountKind::State {
                state: self.source(from).0,
                selector: path.clone(),
            },
            Mount::Secret { id, value } => MountKind::Secret {
                id: id.clone(),
                value: value.clone(),
            },
        }
    }
}

/// The BuildKit id of a cache mount: the plan's directory and the mount's
/// CUE path, so that neither two components nor two plans on one daemon
/// see each other's entries.
fn cache_id(scope: &str, key: &str) -> String {
    format!("dagger:{scope}:{key}")
}

fn file(base: State, action: FileAction, name: String) -> State {
    State::new(StateNode::File { base, action, name })
}

/// The image's env with the op's entries overriding or appended (sorted).
fn merge_env(image: &[(String, String)], op: &BTreeMap<String, String>) -> Vec<String> {
    let mut env: Vec<String> = image
        .iter()
        .map(|(k, v)| format!("{k}={}", op.get(k).unwrap_or(v)))
        .collect();
    for (k, v) in op {
        if !image.iter().any(|(ik, _)| ik == k) {
            env.push(format!("{k}={v}"));
        }
    }
    env
}
