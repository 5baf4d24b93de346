//! Errors of the BuildKit client, written for the person running the build.

use std::fmt;

/// What went wrong talking to BuildKit.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No daemon answered at the configured address.
    #[error(
        "cannot reach BuildKit at {address}: {reason}. Start a BuildKit daemon \
         (`buildkitd`, as root or rootless) and point BUILDKIT_HOST at it \
         (unix:///run/buildkit/buildkitd.sock, tcp://HOST:PORT or \
         docker-container://NAME), or start Docker, whose embedded BuildKit is \
         used when BUILDKIT_HOST is unset"
    )]
    Unreachable { address: String, reason: String },

    /// TLS to the daemon failed or cannot be set up: a certificate the
    /// daemon's does not verify against, a client certificate missing or
    /// refused, unreadable files, TLS options for a non-TCP address.
    #[error("TLS with BuildKit at {address} failed: {reason}")]
    Tls { address: String, reason: String },

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

    /// An op other than an exec failed (a source that cannot be fetched,
    /// a file op): `vertex` is its name, `message` the daemon's error for it.
    #[error("{}: {}", .0.vertex, .0.message)]
    Op(ExecFailure),

    /// The daemon rejected or failed the solve for another reason.
    #[error("{message}")]
    Solve { message: String },

    /// The connection to the daemon broke during a call: the daemon exited
    /// or restarted (the socket closed), or stopped answering keep-alive
    /// pings. Nothing of the call survives on the daemon's side.
    #[error(
        "lost the connection to BuildKit at {address} ({reason}); \
         the daemon stopped, restarted or stopped answering: run again once it is back"
    )]
    Disconnected {
        /// Where the daemon was.
        address: String,
        /// What the transport said.
        reason: String,
        /// The op that was running when the connection broke, if one was.
        vertex: Option<String>,
    },

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

    /// The name of the op (vertex) the error is about, when one is known:
    /// the one that failed, or the one running when the connection broke.
    pub fn vertex(&self) -> Option<&str> {
        match self {
            ClientError::Exec(f) | ClientError::Op(f) => Some(&f.vertex),
            ClientError::Disconnected { vertex, .. } => vertex.as_deref(),
            _ => None,
        }
    }

    /// Fills in the daemon's address of a [`ClientError::Disconnected`]
    /// made where it was not known.
    pub(crate) fn at(self, addr: &super::Address) -> ClientError {
        match self {
            ClientError::Disconnected {
                address,
                reason,
                vertex,
            } if address.is_empty() => ClientError::Disconnected {
                address: addr.to_string(),
                reason,
                vertex,
            },
            other => other,
        }
    }
}

/// Why the connection under a call broke, when `s` says it did: tonic makes
/// such a status on our side from the transport error it carries as source
/// (a status the daemon sent has none).
pub(crate) fn connection_lost(s: &tonic::Status) -> Option<String> {
    let source = std::error::Error::source(s)?;
    if s.code() == tonic::Code::Cancelled {
        return None;
    }
    let chain = super::connect::source_chain(source);
    if chain.contains("keep-alive timed out") {
        let secs =
            (super::connect::KEEPALIVE_INTERVAL + super::connect::KEEPALIVE_TIMEOUT).as_secs();
        return Some(format!("no answer to keep-alive pings for {secs}s"));
    }
    let chain = chain.strip_prefix("transport error: ").unwrap_or(&chain);
    Some(chain.to_string())
}

impl From<tonic::Status> for ClientError {
    fn from(s: tonic::Status) -> Self {
        if let Some(reason) = connection_lost(&s) {
            return ClientError::Disconnected {
                address: String::new(),
                reason,
                vertex: None,
            };
        }
        if s.code() == tonic::Code::Cancelled {
            return ClientError::Cancelled;
        }
        ClientError::Solve {
            message: s.message().to_string(),
        }
    }
}
