//! The typed ops of a component's `#compute` list, as plan-language.md
//! defines them, with their defaults applied.

use std::collections::BTreeMap;
use std::fmt;

use crate::path::Path;

/// One operation of a `#compute` list.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    FetchContainer {
        reference: String,
    },
    PushContainer {
        reference: String,
    },
    FetchGit {
        remote: String,
        reference: String,
    },
    Local {
        dir: String,
        include: Vec<String>,
    },
    Exec(Exec),
    Copy {
        from: Source,
        src: String,
        dest: String,
    },
    Load {
        from: Source,
    },
    Subdir {
        dir: String,
    },
    WriteFile {
        content: String,
        dest: String,
        mode: u32,
    },
    Mkdir {
        dir: String,
        path: String,
        mode: u32,
    },
    Export {
        source: String,
        format: ExportFormat,
    },
    DockerBuild(DockerBuild),
}

/// The `exec` op.
#[derive(Clone, Debug, PartialEq)]
pub struct Exec {
    pub args: Vec<String>,
    pub env: BTreeMap<String, String>,
    /// Env vars whose value is exactly a secret: name -> (LLB secret id,
    /// value). Filled by `secrets::Secrets::check_ops`, never by parsing.
    pub secret_env: BTreeMap<String, (String, crate::state::SecretValue)>,
    /// Working directory; `None` means the image's, else `/`.
    pub dir: Option<String>,
    pub always: bool,
    /// Mount target path -> what is mounted there.
    pub mounts: BTreeMap<String, Mount>,
}

/// What an `exec` mounts at a path.
#[derive(Clone, Debug, PartialEq)]
pub enum Mount {
    Tmpfs,
    /// A persistent cache directory, keyed by the mount's path in the plan.
    Cache {
        key: String,
    },
    /// The artifact of `from`, or its sub-path `path`.
    From {
        from: Source,
        path: String,
    },
    /// `{secret: value}`: the value as a file, through BuildKit's secret
    /// mount; `id` (the mount's CUE path) is all LLB sees.
    Secret {
        id: String,
        value: crate::state::SecretValue,
    },
}

/// How `export` decodes the file it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    String,
    Json,
    Yaml,
}

/// The `docker-build` op.
#[derive(Clone, Debug, PartialEq)]
pub struct DockerBuild {
    pub context: Option<Source>,
    pub dockerfile: Option<String>,
    pub dockerfile_path: Option<String>,
    pub build_args: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
    pub platforms: Vec<String>,
}

/// The value of a `from:` field: an op list, whatever form it was written in.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    /// Where the ops were read (for messages).
    pub path: Path,
    pub ops: Vec<Op>,
}

impl Op {
    /// The op's `do` name.
    pub fn name(&self) -> &'static str {
        match self {
            Op::FetchContainer { .. } => "fetch-container",
            Op::PushContainer { .. } => "push-container",
            Op::FetchGit { .. } => "fetch-git",
            Op::Local { .. } => "local",
            Op::Exec(_) => "exec",
            Op::Copy { .. } => "copy",
            Op::Load { .. } => "load",
            Op::Subdir { .. } => "subdir",
            Op::WriteFile { .. } => "write-file",
            Op::Mkdir { .. } => "mkdir",
            Op::Export { .. } => "export",
            Op::DockerBuild(_) => "docker-build",
        }
    }
}

/// A one-line summary of an op for progress and error messages.
impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::FetchContainer { reference } | Op::PushContainer { reference } => {
                write!(f, "{} {reference}", self.name())
            }
            Op::FetchGit { remote, reference } => write!(f, "fetch-git {remote}#{reference}"),
            Op::Local { dir, .. } => write!(f, "local {dir}"),
            Op::Exec(e) => write!(f, "exec {}", shell_words(&e.args)),
            Op::Copy { src, dest, .. } => write!(f, "copy {src} {dest}"),
            Op::Load { .. } => f.write_str("load"),
            Op::Subdir { dir } => write!(f, "subdir {dir}"),
            Op::WriteFile { dest, .. } => write!(f, "write-file {dest}"),
            Op::Mkdir { dir, path, .. } => write!(f, "mkdir {}", join_path(dir, path)),
            Op::Export { source, format } => write!(f, "export {source} ({format:?})"),
            Op::DockerBuild(_) => f.write_str("docker-build"),
        }
    }
}

/// Joins a working directory and a path the way a shell would.
pub fn join_path(dir: &str, path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else if dir.ends_with('/') {
        format!("{dir}{path}")
    } else {
        format!("{dir}/{path}")
    }
}

fn shell_words(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_alphanumeric() || "-_./=:@%+,".contains(c))
            {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
