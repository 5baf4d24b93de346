//! Errors of the BuildKit client, written for the person running the build.

use std::fmt;

/// What went wrong talking to BuildKit.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No daemon answered at the configured address.
    #[error(
        "cannot reach BuildKit at {address}: {reason}. Start one and set BUILDKIT_HOST \
         (for this project's tests: `scripts/engine.sh up && eval \"$(scripts/engine.sh env)\"`), \
         or start Docker"
    )]
    Unreachable { address: String, reason: String },

    /// `BUILDKIT_HOST` (or `DOCKER_HOST`) is not an address we accept.
    #[error("{variable}={value:?} is not a valid address: {expected}")]
    BadAddress {
        /// The environment variable it came from.
        variable: &'static str,
        /// The value as given.
        value: String,
        /// What is wrong and what is expected instead.
        expected: String,
    },

    /// A command run by an `exec` op exited non-zero.
    #[error("{0}")]
    Exec(ExecFailure),

    /// The daemon rejected or failed the solve for another reason.
    #[error("{message}")]
    Solve { message: String },

    /// A path asked of a result does not exist or cannot be read.
    #[error("cannot read {path:?} from the result: {message}")]
    ReadFile { path: String, message: String },

    /// The solve was cancelled (Ctrl-C, or the future was dropped).
    #[error("build cancelled")]
    Cancelled,

    /// A transport or protocol error below the solve.
    #[error("BuildKit connection error: {0}")]
    Transport(String),
}

/// A failed `exec`: which step, its exit code and the end of its output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecFailure {
    /// The vertex name BuildKit shows (usually the command line).
    pub vertex: String,
    /// The process exit code, when BuildKit reported one.
    pub exit_code: Option<i32>,
    /// BuildKit's own message.
    pub message: String,
    /// The last lines the process wrote (stdout and stderr interleaved).
    pub output_tail: Vec<String>,
}

impl fmt::Display for ExecFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.exit_code {
            Some(code) => write!(f, "{} failed with exit code {code}", self.vertex)?,
            None => write!(f, "{} failed: {}", self.vertex, self.message)?,
        }
        if !self.output_tail.is_empty() {
            write!(f, "\noutput (last {} lines):", self.output_tail.len())?;
            for line in &self.output_tail {
                write!(f, "\n  {line}")?;
            }
        }
        Ok(())
    }
}

impl ClientError {
    /// The exit code of a failed `exec`, if this is one.
    pub fn exit_code(&self) -> Option<i32> {
        match self {
            ClientError::Exec(e) => e.exit_code,
            _ => None,
        }
    }
}

impl From<tonic::Status> for ClientError {
    fn from(s: tonic::Status) -> Self {
        if s.code() == tonic::Code::Cancelled {
            return ClientError::Cancelled;
        }
        ClientError::Solve {
            message: s.message().to_string(),
        }
    }
}
