//! Exec ops: run a command in a container whose root filesystem is a state,
//! with extra mounts (tmpfs, persistent caches, other states, secrets).
//!
//! Marshaling follows BuildKit's client: mounts are sorted by path (so the
//! root `/` comes first), secret mounts come after them in the order given,
//! and only read-write state mounts produce outputs, numbered in that order.

use bollard_buildkit_proto::pb;

use super::caps;
use super::error::BuildError;
use super::state::{set_env, OpMeta, Output, State, VertexKind};

/// The network a command sees.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Network {
    /// Its own network namespace with outbound access (the default).
    #[default]
    Sandbox,
    /// The host's network.
    Host,
    /// No network at all.
    None,
}

/// How concurrent builds share a cache mount.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CacheSharing {
    /// Several writers at once.
    #[default]
    Shared,
    /// A second writer gets its own fresh copy.
    Private,
    /// A second writer waits.
    Locked,
}

/// What is mounted at a path of an exec.
#[derive(Clone, Debug)]
pub enum Mount {
    /// A fresh in-memory filesystem; `size` in bytes, 0 for no limit.
    Tmpfs { size: i64 },
    /// A directory kept between runs, keyed by `id`.
    Cache { id: String, sharing: CacheSharing },
    /// The filesystem of a state (or only its sub-path `selector`).
    State {
        state: State,
        selector: String,
        readonly: bool,
        /// Writable, but what the command writes there is thrown away
        /// (no output), as BuildKit's client does for `ForceNoOutput`.
        discard: bool,
    },
    /// A secret from the client's session, as a file (`id` names it).
    Secret {
        id: String,
        uid: u32,
        gid: u32,
        mode: u32,
        optional: bool,
    },
}

impl Mount {
    /// A fresh tmpfs without size limit.
    pub fn tmpfs() -> Mount {
        Mount::Tmpfs { size: 0 }
    }

    /// A shared persistent cache directory.
    pub fn cache(id: impl Into<String>) -> Mount {
        Mount::Cache {
            id: id.into(),
            sharing: CacheSharing::Shared,
        }
    }

    /// `state` mounted read-only.
    pub fn readonly(state: &State) -> Mount {
        Mount::State {
            state: state.clone(),
            selector: String::new(),
            readonly: true,
            discard: false,
        }
    }

    /// `state` mounted writable for the command, its changes discarded
    /// afterwards: the exec has no output for this mount.
    pub fn scratch_write(state: &State) -> Mount {
        Mount::State {
            state: state.clone(),
            selector: String::new(),
            readonly: false,
            discard: true,
        }
    }

    /// `state` mounted read-write; the exec then has an output for this
    /// mount ([`ExecState::mount`]).
    pub fn read_write(state: &State) -> Mount {
        Mount::State {
            state: state.clone(),
            selector: String::new(),
            readonly: false,
            discard: false,
        }
    }

    /// Only the sub-path `path` of a state mount. `/` (or empty) means the
    /// whole state; other paths are cleaned and made absolute.
    pub fn at_path(self, path: &str) -> Mount {
        match self {
            Mount::State {
                state,
                readonly,
                discard,
                ..
            } => Mount::State {
                state,
                selector: selector_for(path),
                readonly,
                discard,
            },
            other => other,
        }
    }

    /// The secret `id` as a file readable by root only (mode 0400).
    pub fn secret(id: impl Into<String>) -> Mount {
        Mount::Secret {
            id: id.into(),
            uid: 0,
            gid: 0,
            mode: 0o400,
            optional: false,
        }
    }
}

fn selector_for(path: &str) -> String {
    let p = super::path::clean(&format!("/{path}"));
    if p == "/" {
        String::new()
    } else {
        p
    }
}

/// An exec to run on a state: the command and its settings.
#[derive(Clone, Debug)]
pub struct Exec {
    args: Vec<String>,
    env: Vec<(String, String)>,
    cwd: Option<String>,
    user: Option<String>,
    mounts: Vec<(String, Mount)>,
    /// (env var name, secret id), served by the session's secret provider.
    secret_env: Vec<(String, String)>,
    network: Network,
    readonly_root: bool,
    meta: OpMeta,
}

impl Exec {
    /// Runs `args` (program and arguments, no shell involved).
    pub fn new<I, S>(args: I) -> Exec
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Exec {
            args: args.into_iter().map(Into::into).collect(),
            env: Vec::new(),
            cwd: None,
            user: None,
            mounts: Vec::new(),
            secret_env: Vec::new(),
            network: Network::Sandbox,
            readonly_root: false,
            meta: OpMeta::default(),
        }
    }

    /// Sets env var `name` to the secret `id` from the client's session:
    /// only the id is in the definition (and in the daemon's cache records).
    pub fn secret_env(mut self, name: impl Into<String>, id: impl Into<String>) -> Exec {
        self.secret_env.push((name.into(), id.into()));
        self
    }

    /// Adds an environment variable on top of the state's (same name: replaced).
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Exec {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Working directory; relative to the state's when not absolute.
    pub fn cwd(mut self, dir: impl Into<String>) -> Exec {
        self.cwd = Some(dir.into());
        self
    }

    /// User to run as instead of the state's.
    pub fn user(mut self, user: impl Into<String>) -> Exec {
        self.user = Some(user.into());
        self
    }

    /// Mounts `mount` at the absolute path `dest`.
    pub fn mount(mut self, dest: impl Into<String>, mount: Mount) -> Exec {
        self.mounts.push((dest.into(), mount));
        self
    }

    /// Network mode.
    pub fn network(mut self, network: Network) -> Exec {
        self.network = network;
        self
    }

    /// Mounts the root filesystem read-only (the exec then has no root output).
    pub fn readonly_root(mut self, readonly: bool) -> Exec {
        self.readonly_root = readonly;
        self
    }

    /// Defeats the cache: the command runs every time (`always: true`).
    pub fn always(mut self, always: bool) -> Exec {
        self.meta.ignore_cache = always;
        self
    }

    /// Display name in progress output.
    pub fn custom_name(mut self, name: impl Into<String>) -> Exec {
        self.meta.custom_name = Some(name.into());
        self
    }
}

/// The kind-specific part of a marshaled mount.
#[derive(Clone, Debug)]
pub(crate) enum MountKind {
    Bind,
    Cache {
        id: String,
        sharing: CacheSharing,
    },
    Tmpfs {
        size: i64,
    },
    Secret {
        id: String,
        uid: u32,
        gid: u32,
        mode: u32,
        optional: bool,
    },
}

#[derive(Clone, Debug)]
pub(crate) struct ExecMount {
    pub(crate) dest: String,
    pub(crate) source: Option<Output>,
    pub(crate) selector: String,
    pub(crate) readonly: bool,
    pub(crate) output: i64,
    pub(crate) kind: MountKind,
}

/// An exec op as it will be marshaled.
#[derive(Clone, Debug)]
pub(crate) struct ExecOp {
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<String>,
    pub(crate) cwd: String,
    pub(crate) user: String,
    pub(crate) network: Network,
    /// Sorted by `dest`, secrets last.
    pub(crate) mounts: Vec<ExecMount>,
    /// (name, secret id), sorted by name.
    pub(crate) secret_env: Vec<(String, String)>,
}

/// The result of an exec: its root filesystem afterwards, and the contents
/// of its read-write state mounts.
#[derive(Clone, Debug)]
pub struct ExecState {
    root: State,
    outputs: Vec<(String, State)>,
}

impl ExecState {
    /// The root filesystem after the command ran (the base state when the
    /// root was mounted read-only).
    pub fn root(&self) -> State {
        self.root.clone()
    }

    /// The contents of the read-write state mount at `dest` after the run.
    pub fn mount(&self, dest: &str) -> Option<State> {
        let dest = super::path::clean(dest);
        self.outputs
            .iter()
            .find(|(d, _)| *d == dest)
            .map(|(_, s)| s.clone())
    }
}

impl State {
    /// Runs `exec` with this state as root filesystem.
    pub fn exec(&self, exec: Exec) -> Result<ExecState, BuildError> {
        if exec.args.is_empty() {
            return Err(BuildError::EmptyExecArgs);
        }
        let mut env = self.env.clone();
        for (k, v) in exec.env {
            set_env(&mut env, k, v);
        }
        let cwd = match &exec.cwd {
            Some(dir) => super::path::absolute(&self.dir, dir, false),
            None => self.dir.clone(),
        };
        let user = exec.user.unwrap_or_else(|| self.user.clone());

        let mut mounts = vec![ExecMount {
            dest: "/".to_string(),
            source: self.output.clone(),
            selector: String::new(),
            readonly: exec.readonly_root,
            output: -1,
            kind: MountKind::Bind,
        }];
        let mut secrets = Vec::new();
        for (dest, mount) in exec.mounts {
            if !dest.starts_with('/') {
                return Err(BuildError::RelativeMountPath { dest });
            }
            let dest = super::path::clean(&dest);
            let m = match mount {
                Mount::Tmpfs { size } => ExecMount::empty(dest, MountKind::Tmpfs { size }),
                Mount::Cache { id, sharing } => {
                    ExecMount::empty(dest, MountKind::Cache { id, sharing })
                }
                Mount::State {
                    state,
                    selector,
                    readonly,
                    discard,
                } => ExecMount {
                    dest,
                    source: state.output,
                    selector,
                    readonly,
                    // -2 marks "no output" until outputs are numbered below.
                    output: if discard { -2 } else { -1 },
                    kind: MountKind::Bind,
                },
                Mount::Secret {
                    id,
                    uid,
                    gid,
                    mode,
                    optional,
                } => {
                    secrets.push(ExecMount::empty(
                        dest,
                        MountKind::Secret {
                            id,
                            uid,
                            gid,
                            mode,
                            optional,
                        },
                    ));
                    continue;
                }
            };
            mounts.push(m);
        }
        mounts.sort_by(|a, b| a.dest.cmp(&b.dest));
        mounts.extend(secrets);
        let mut seen: Vec<&str> = Vec::new();
        for m in &mounts {
            if seen.contains(&m.dest.as_str()) {
                return Err(BuildError::DuplicateMount {
                    dest: m.dest.clone(),
                });
            }
            seen.push(&m.dest);
        }

        let mut next_output = 0;
        for m in &mut mounts {
            if m.output == -2 {
                m.output = -1;
            } else if matches!(m.kind, MountKind::Bind) && !m.readonly {
                m.output = next_output;
                next_output += 1;
            }
        }
        let output_dests: Vec<(String, i64)> = mounts
            .iter()
            .filter(|m| m.output >= 0)
            .map(|m| (m.dest.clone(), m.output))
            .collect();

        let mut secret_env = exec.secret_env;
        secret_env.sort();
        secret_env.dedup_by(|a, b| a.0 == b.0);
        let op = ExecOp {
            args: exec.args,
            // A secret env var wins over a plain one of the same name.
            env: env
                .iter()
                .filter(|(k, _)| !secret_env.iter().any(|(n, _)| n == k))
                .map(|(k, v)| format!("{k}={v}"))
                .collect(),
            cwd,
            user,
            network: exec.network,
            mounts,
            secret_env,
        };
        let vertex = Output::new(VertexKind::Exec(op), exec.meta, self.platform.clone(), 0).vertex;
        let output_state = |index: i64| {
            self.with_output(Output {
                vertex: vertex.clone(),
                index,
            })
        };
        let root = match output_dests.iter().find(|(d, _)| d == "/") {
            Some((_, index)) => output_state(*index),
            None => self.clone(),
        };
        let outputs = output_dests
            .iter()
            .filter(|(d, _)| d != "/")
            .map(|(d, index)| (d.clone(), output_state(*index)))
            .collect();
        Ok(ExecState { root, outputs })
    }
}

impl ExecMount {
    fn empty(dest: String, kind: MountKind) -> ExecMount {
        ExecMount {
            dest,
            source: None,
            selector: String::new(),
            readonly: false,
            output: -1,
            kind,
        }
    }
}

impl ExecOp {
    /// States this op reads, in mount order.
    pub(crate) fn inputs(&self) -> Vec<&Output> {
        self.mounts
            .iter()
            .filter_map(|m| m.source.as_ref())
            .collect()
    }

    /// The protobuf op, given the input edge of each input output.
    pub(crate) fn to_pb(
        &self,
        input_of: &dyn Fn(&Output) -> pb::Input,
    ) -> (Vec<pb::Input>, pb::op::Op) {
        let mut inputs: Vec<pb::Input> = Vec::new();
        let mut mounts = Vec::new();
        for m in &self.mounts {
            let input = match &m.source {
                Some(out) => {
                    let edge = input_of(out);
                    match inputs.iter().position(|i| *i == edge) {
                        Some(i) => i as i64,
                        None => {
                            inputs.push(edge);
                            inputs.len() as i64 - 1
                        }
                    }
                }
                None => -1,
            };
            let mut pm = pb::Mount {
                input,
                selector: m.selector.clone(),
                dest: m.dest.clone(),
                output: m.output,
                readonly: m.readonly,
                ..Default::default()
            };
            match &m.kind {
                MountKind::Bind => {}
                MountKind::Cache { id, sharing } => {
                    pm.mount_type = pb::MountType::Cache as i32;
                    pm.cache_opt = Some(pb::CacheOpt {
                        id: id.clone(),
                        sharing: match sharing {
                            CacheSharing::Shared => pb::CacheSharingOpt::Shared,
                            CacheSharing::Private => pb::CacheSharingOpt::Private,
                            CacheSharing::Locked => pb::CacheSharingOpt::Locked,
                        } as i32,
                    });
                }
                MountKind::Tmpfs { size } => {
                    pm.mount_type = pb::MountType::Tmpfs as i32;
                    pm.tmpfs_opt = Some(pb::TmpfsOpt { size: *size });
                }
                MountKind::Secret {
                    id,
                    uid,
                    gid,
                    mode,
                    optional,
                } => {
                    pm.mount_type = pb::MountType::Secret as i32;
                    // BuildKit's client leaves a secret mount's output at 0
                    // (the daemon ignores it); do the same so digests agree.
                    pm.output = 0;
                    pm.secret_opt = Some(pb::SecretOpt {
                        id: id.clone(),
                        uid: *uid,
                        gid: *gid,
                        mode: *mode,
                        optional: *optional,
                    });
                }
            }
            mounts.push(pm);
        }
        let exec = pb::ExecOp {
            meta: Some(pb::Meta {
                args: self.args.clone(),
                env: self.env.clone(),
                cwd: self.cwd.clone(),
                user: self.user.clone(),
                remove_mount_stubs_recursive: true,
                ..Default::default()
            }),
            mounts,
            network: match self.network {
                Network::Sandbox => pb::NetMode::Unset,
                Network::Host => pb::NetMode::Host,
                Network::None => pb::NetMode::None,
            } as i32,
            secretenv: self
                .secret_env
                .iter()
                .map(|(name, id)| pb::SecretEnv {
                    id: id.clone(),
                    name: name.clone(),
                    optional: false,
                })
                .collect(),
            ..Default::default()
        };
        (inputs, pb::op::Op::Exec(exec))
    }

    /// Capabilities the daemon needs for this op.
    pub(crate) fn caps(&self) -> Vec<&'static str> {
        let mut out = vec![caps::EXEC_META_BASE];
        if self.network != Network::Sandbox {
            out.push(caps::EXEC_META_NETWORK);
        }
        for m in &self.mounts {
            if !m.selector.is_empty() {
                out.push(caps::EXEC_MOUNT_SELECTOR);
            }
            match &m.kind {
                MountKind::Cache { .. } => {
                    out.extend([caps::EXEC_MOUNT_CACHE, caps::EXEC_MOUNT_CACHE_SHARING]);
                }
                MountKind::Tmpfs { size } => {
                    out.push(caps::EXEC_MOUNT_TMPFS);
                    if *size > 0 {
                        out.push(caps::EXEC_MOUNT_TMPFS_SIZE);
                    }
                }
                MountKind::Bind if m.source.is_some() => out.push(caps::EXEC_MOUNT_BIND),
                MountKind::Bind => {}
                MountKind::Secret { .. } => out.push(caps::EXEC_MOUNT_SECRET),
            }
        }
        if !self.secret_env.is_empty() {
            out.push(caps::EXEC_SECRET_ENV);
        }
        out
    }
}
