//! `State`: an immutable handle on a filesystem produced by a graph of ops,
//! plus the process defaults (env, working directory, user, platform) that
//! later `exec` ops inherit. Every builder method returns a new `State`;
//! graphs are shared through `Arc`, never copied.

use std::sync::Arc;

use bollard_buildkit_proto::pb;
use prost::Message;

use super::error::BuildError;
use super::exec::ExecOp;
use super::file::FileOp;
use super::image_config::ImageConfig;
use super::platform::Platform;
use super::source::SourceOp;
use crate::digest::Digest;

/// The key under which BuildKit shows an op's display name.
pub const CUSTOM_NAME_KEY: &str = "llb.customname";

/// Per-op metadata that does not change the op's digest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpMeta {
    /// Name shown in progress output (`[web.build] exec sh -c ...`).
    pub custom_name: Option<String>,
    /// Run the op even when a cached result exists (`always: true`).
    pub ignore_cache: bool,
}

impl OpMeta {
    /// Metadata with a display name.
    pub fn named(name: impl Into<String>) -> OpMeta {
        OpMeta {
            custom_name: Some(name.into()),
            ignore_cache: false,
        }
    }
}

/// The display name of an op of a plan component: `[web.build] exec sh -c ...`.
pub fn component_op_name(component_path: &str, op: &str) -> String {
    format!("[{component_path}] {op}")
}

/// One vertex of the graph under construction.
#[derive(Debug)]
pub(crate) struct Vertex {
    pub(crate) kind: VertexKind,
    pub(crate) meta: OpMeta,
    /// The platform of this op; `None` means the marshal default.
    pub(crate) platform: Option<Platform>,
}

#[derive(Debug)]
pub(crate) enum VertexKind {
    Source(SourceOp),
    Exec(ExecOp),
    File(FileOp),
    /// Ops of an existing definition (for example a frontend's result),
    /// included verbatim.
    Definition(DefinitionOps),
}

impl VertexKind {
    /// The outputs this vertex reads, in the order BuildKit's client visits them.
    pub(crate) fn inputs(&self) -> Vec<&Output> {
        match self {
            VertexKind::Exec(e) => e.inputs(),
            VertexKind::File(f) => f.inputs(),
            VertexKind::Source(_) | VertexKind::Definition(_) => Vec::new(),
        }
    }

    /// Moves the input edges out (for dropping without recursion).
    fn take_inputs(&mut self) -> Vec<Output> {
        match self {
            VertexKind::Exec(e) => e
                .mounts
                .iter_mut()
                .filter_map(|m| m.source.take())
                .collect(),
            VertexKind::File(f) => f.take_inputs(),
            VertexKind::Source(_) | VertexKind::Definition(_) => Vec::new(),
        }
    }
}

impl Drop for Vertex {
    /// Drops the graph below this vertex iteratively: the default recursive
    /// drop would overflow the stack on chains of thousands of ops.
    fn drop(&mut self) {
        let mut pending = self.kind.take_inputs();
        while let Some(out) = pending.pop() {
            if let Ok(mut v) = Arc::try_unwrap(out.vertex) {
                pending.extend(v.kind.take_inputs());
            }
        }
    }
}

/// Already-marshaled ops taken from a `pb::Definition`.
#[derive(Debug)]
pub(crate) struct DefinitionOps {
    pub(crate) ops: Vec<(Digest, Vec<u8>)>,
    pub(crate) metadata: Vec<(String, pb::OpMetadata)>,
    pub(crate) head: Digest,
}

/// One output of a vertex: what an input edge points at.
#[derive(Clone, Debug)]
pub(crate) struct Output {
    pub(crate) vertex: Arc<Vertex>,
    pub(crate) index: i64,
}

impl Output {
    pub(crate) fn new(
        kind: VertexKind,
        meta: OpMeta,
        platform: Option<Platform>,
        index: i64,
    ) -> Output {
        Output {
            vertex: Arc::new(Vertex {
                kind,
                meta,
                platform,
            }),
            index,
        }
    }
}

/// A filesystem state and the process defaults that go with it.
#[derive(Clone, Debug)]
pub struct State {
    pub(crate) output: Option<Output>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) dir: String,
    pub(crate) user: String,
    pub(crate) platform: Option<Platform>,
}

impl Default for State {
    fn default() -> State {
        State::scratch()
    }
}

impl State {
    /// The empty filesystem.
    pub fn scratch() -> State {
        State {
            output: None,
            env: Vec::new(),
            dir: "/".to_string(),
            user: String::new(),
            platform: None,
        }
    }

    pub(crate) fn with_output(&self, output: Output) -> State {
        State {
            output: Some(output),
            ..self.clone()
        }
    }

    /// Whether this is the empty filesystem (no op produces it).
    pub fn is_scratch(&self) -> bool {
        self.output.is_none()
    }

    /// The state that the last op of `def` produces, keeping its ops as they
    /// are (their bytes, digests and metadata). An empty definition is scratch.
    pub fn from_definition(def: &pb::Definition) -> Result<State, BuildError> {
        let Some(last) = def.def.last() else {
            return Ok(State::scratch());
        };
        let terminal = pb::Op::decode(last.as_slice())
            .map_err(|e| BuildError::InvalidDefinition(format!("last op does not decode: {e}")))?;
        let [head] = terminal.inputs.as_slice() else {
            return Err(BuildError::InvalidDefinition(format!(
                "the last op must have exactly one input (the result), it has {}",
                terminal.inputs.len()
            )));
        };
        let ops: Vec<(Digest, Vec<u8>)> = def.def[..def.def.len() - 1]
            .iter()
            .map(|bytes| (Digest::of(bytes), bytes.clone()))
            .collect();
        let head_digest = Digest::from_string(head.digest.clone());
        if !ops.iter().any(|(d, _)| *d == head_digest) {
            return Err(BuildError::InvalidDefinition(format!(
                "the result {} is not one of the definition's ops",
                head.digest
            )));
        }
        let metadata = def
            .metadata
            .iter()
            .filter(|(k, _)| ops.iter().any(|(d, _)| d.as_str() == k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let kind = VertexKind::Definition(DefinitionOps {
            ops,
            metadata,
            head: head_digest,
        });
        Ok(State::scratch().with_output(Output::new(kind, OpMeta::default(), None, head.index)))
    }

    /// Sets an environment variable for later execs. Setting a name again
    /// moves it to the end, as BuildKit's client does.
    pub fn with_env(&self, name: impl Into<String>, value: impl Into<String>) -> State {
        let mut s = self.clone();
        set_env(&mut s.env, name.into(), value.into());
        s
    }

    /// Sets the working directory for later execs; a relative `dir` is
    /// resolved against the current one.
    pub fn with_dir(&self, dir: &str) -> State {
        State {
            dir: super::path::absolute(&self.dir, dir, false),
            ..self.clone()
        }
    }

    /// Sets the user later execs run as (`name`, `uid`, `uid:gid`).
    pub fn with_user(&self, user: impl Into<String>) -> State {
        State {
            user: user.into(),
            ..self.clone()
        }
    }

    /// Sets the platform of later ops built on this state.
    pub fn with_platform(&self, platform: Platform) -> State {
        State {
            platform: Some(platform),
            ..self.clone()
        }
    }

    /// Applies an image's config: its env, working directory and user become
    /// the defaults of later execs.
    pub fn with_image_config(&self, config: &ImageConfig) -> State {
        let mut s = self.clone();
        for entry in &config.env {
            let (k, v) = entry.split_once('=').unwrap_or((entry.as_str(), ""));
            set_env(&mut s.env, k.to_string(), v.to_string());
        }
        if !config.working_dir.is_empty() {
            s = s.with_dir(&config.working_dir);
        }
        if !config.user.is_empty() {
            s.user = config.user.clone();
        }
        s
    }

    /// Environment variables, in the order execs will see them.
    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }

    /// Working directory for later execs.
    pub fn dir(&self) -> &str {
        &self.dir
    }

    /// User for later execs; empty means the image default (root).
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The platform set on this state, if any.
    pub fn platform(&self) -> Option<&Platform> {
        self.platform.as_ref()
    }
}

pub(crate) fn set_env(env: &mut Vec<(String, String)>, name: String, value: String) {
    env.retain(|(k, _)| *k != name);
    env.push((name, value));
}
