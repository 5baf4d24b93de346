//! Errors of LLB construction: every one names the offending value and what
//! was expected, because they usually come straight from a user's plan.

use thiserror::Error;

/// An op that cannot be built from the values given.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum BuildError {
    /// `fetch-container` / `push-container` with a reference Docker would refuse.
    #[error("invalid image reference {reference:?}: {reason}")]
    InvalidImageReference { reference: String, reason: String },
    /// `fetch-git` with a remote that is not a git URL.
    #[error("invalid git remote {remote:?}: {reason}")]
    InvalidGitRemote { remote: String, reason: String },
    /// `exec` without a command.
    #[error("exec needs at least one argument (the command to run)")]
    EmptyExecArgs,
    /// Two mounts of one `exec` at the same path.
    #[error("exec has two mounts at {dest:?}; each mount path may appear once")]
    DuplicateMount { dest: String },
    /// A mount target that is not an absolute path.
    #[error("mount path {dest:?} must be absolute (start with '/')")]
    RelativeMountPath { dest: String },
    /// `docker-build` with neither a context nor a Dockerfile.
    #[error("docker-build needs a `context` or a `dockerfile` (or both)")]
    DockerBuildWithoutInput,
    /// `local` with an empty name.
    #[error("a local source needs a non-empty name")]
    EmptyLocalName,
    /// A definition given to `State::from_definition` that cannot be read.
    #[error("invalid LLB definition: {0}")]
    InvalidDefinition(String),
}
