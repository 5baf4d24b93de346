//! The filesystem states a component's ops compile to: a pure, LLB-shaped
//! graph that the real solver turns into BuildKit LLB through `llb::ops`, and
//! that the fake solver of the tests interprets in memory. `dag` itself knows
//! nothing about protobuf.

use std::collections::BTreeMap;
use std::sync::Arc;

/// A filesystem state (cheap to clone: the graph is shared).
#[derive(Clone, Debug, PartialEq)]
pub struct State(pub Arc<StateNode>);

/// One vertex of the state graph.
#[derive(Clone, Debug, PartialEq)]
pub enum StateNode {
    /// The empty filesystem.
    Scratch,
    /// An image's root filesystem; `reference` is normalized (`docker.io/library/alpine:latest`).
    Image { reference: String },
    /// A checkout of `reference` of the repository at `remote`.
    Git { remote: String, reference: String },
    /// A directory of the client machine, sent through the session (see
    /// `local.rs`): `root` filtered by `include`/`exclude`, then only its
    /// `subdir`, at `/`.
    Local {
        /// The directory the op names, symlinks resolved.
        dir: String,
        /// The readable tree holding `dir` (module root or allowed
        /// directory), the directory the session serves.
        root: String,
        /// `dir` relative to `root`, `/`-separated, empty when equal.
        subdir: String,
        /// Include patterns, relative to `root` (empty: everything).
        include: Vec<String>,
        /// Exclude patterns relative to `root`, from the ignore files.
        exclude: Vec<String>,
    },
    /// A command run on `root`; the state is `root` afterwards.
    Exec(Exec),
    /// A file operation on `base`.
    File {
        base: State,
        action: FileAction,
        name: String,
    },
    /// An image built by the Dockerfile frontend.
    DockerBuild(DockerBuild),
}

/// An `exec` vertex.
#[derive(Clone, Debug, PartialEq)]
pub struct Exec {
    pub root: State,
    pub args: Vec<String>,
    /// `KEY=value` pairs: the image's env, overridden by the op's.
    pub env: Vec<String>,
    pub cwd: String,
    pub user: Option<String>,
    /// Never answered from cache.
    pub always: bool,
    pub mounts: Vec<ExecMount>,
    /// Env vars served from the session's secrets: (name, id, value).
    pub secret_env: Vec<(String, String, SecretValue)>,
    /// Human name, `component.#compute[i] exec ...`, shown in progress and errors.
    pub name: String,
}

/// A mount of an `exec`.
#[derive(Clone, Debug, PartialEq)]
pub struct ExecMount {
    pub target: String,
    pub kind: MountKind,
}

/// What an [`ExecMount`] mounts.
#[derive(Clone, Debug, PartialEq)]
pub enum MountKind {
    Tmpfs,
    /// A persistent cache directory shared between runs, by id.
    Cache {
        id: String,
    },
    /// A state, read-only, or only its sub-path `selector`.
    State {
        state: State,
        selector: String,
    },
    /// A secret as a file: only `id` goes into LLB, the value is served by
    /// the session's secret provider.
    Secret {
        id: String,
        value: SecretValue,
    },
}

/// A secret's clear text; `Debug` shows only its length so it cannot reach
/// a log through a debug print.
#[derive(Clone, PartialEq)]
pub struct SecretValue(pub String);

impl std::fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretValue(<{} bytes>)", self.0.len())
    }
}

/// A file operation.
#[derive(Clone, Debug, PartialEq)]
pub enum FileAction {
    Mkdir {
        path: String,
        mode: u32,
    },
    MkFile {
        path: String,
        content: Vec<u8>,
        mode: u32,
    },
    /// Copy `src` of `from` to `dest`: directory contents, creating `dest`,
    /// wildcards allowed.
    Copy {
        from: State,
        src: String,
        dest: String,
    },
}

/// A `docker-build` vertex.
#[derive(Clone, Debug, PartialEq)]
pub struct DockerBuild {
    pub context: Option<State>,
    pub dockerfile: Option<String>,
    pub dockerfile_path: Option<String>,
    pub build_args: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
    pub platforms: Vec<String>,
    pub name: String,
}

/// Image config values that later `exec`s default to, and that a push writes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImageMeta {
    pub env: Vec<(String, String)>,
    pub workdir: Option<String>,
    pub user: Option<String>,
}

impl State {
    /// The empty filesystem.
    pub fn scratch() -> State {
        State(Arc::new(StateNode::Scratch))
    }

    /// Wraps a vertex.
    pub fn new(node: StateNode) -> State {
        State(Arc::new(node))
    }

    /// The vertex.
    pub fn node(&self) -> &StateNode {
        &self.0
    }
}

/// Normalizes an image reference the way Docker does: `alpine` is
/// `docker.io/library/alpine:latest`, `me/app:1` is `docker.io/me/app:1`,
/// `127.0.0.1:5000/x` is `127.0.0.1:5000/x:latest`.
pub fn normalize_image(reference: &str) -> String {
    let (name, digest) = match reference.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (reference, None),
    };
    let (first, rest) = match name.split_once('/') {
        // Docker Hub under its legacy name, or named explicitly: official
        // images still live under `library/`.
        Some(("docker.io" | "index.docker.io", r)) if !r.contains('/') => {
            ("docker.io", format!("library/{r}"))
        }
        Some(("index.docker.io", r)) => ("docker.io", r.to_string()),
        Some((f, r)) if f.contains('.') || f.contains(':') || f == "localhost" => {
            (f, r.to_string())
        }
        Some(_) => ("docker.io", name.to_string()),
        None => ("docker.io", format!("library/{name}")),
    };
    let last = rest.rsplit('/').next().unwrap_or(&rest);
    let tagged = if last.contains(':') || digest.is_some() {
        rest.clone()
    } else {
        format!("{rest}:latest")
    };
    match digest {
        Some(d) => format!("{first}/{tagged}@{d}"),
        None => format!("{first}/{tagged}"),
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_image;

    #[test]
    fn image_references_are_normalized_like_docker() {
        assert_eq!(normalize_image("alpine"), "docker.io/library/alpine:latest");
        assert_eq!(
            normalize_image("alpine:3.15"),
            "docker.io/library/alpine:3.15"
        );
        assert_eq!(normalize_image("me/app"), "docker.io/me/app:latest");
        assert_eq!(
            normalize_image("index.docker.io/alpine:3.13"),
            "docker.io/library/alpine:3.13"
        );
        assert_eq!(
            normalize_image("docker.io/golang:1.16-alpine"),
            "docker.io/library/golang:1.16-alpine"
        );
        assert_eq!(
            normalize_image("index.docker.io/me/app"),
            "docker.io/me/app:latest"
        );
        assert_eq!(
            normalize_image("127.0.0.1:5000/x"),
            "127.0.0.1:5000/x:latest"
        );
        assert_eq!(normalize_image("localhost/a/b:2"), "localhost/a/b:2");
        assert_eq!(
            normalize_image("busybox@sha256:ab"),
            "docker.io/library/busybox@sha256:ab"
        );
    }
}
