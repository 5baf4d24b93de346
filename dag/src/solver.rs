//! The engine's only door to BuildKit. The scheduler is generic over this
//! trait, so its logic is tested with an in-memory fake, and the real
//! implementation wraps `llb::client`.

use std::fmt;
use std::future::Future;

use crate::events::Progress;
use crate::state::{ImageMeta, State};

/// What the engine needs from a build backend.
pub trait Solver: Send + Sync + 'static {
    /// Whether the backend can be reached: called once before the first
    /// component starts, so that a missing daemon is one error, not one
    /// per component.
    fn ready(&self) -> impl Future<Output = Result<(), SolveError>> + Send {
        async { Ok(()) }
    }

    /// The config (env, working dir, user) of image `reference` (normalized).
    fn image_config(
        &self,
        reference: &str,
    ) -> impl Future<Output = Result<ImageMeta, SolveError>> + Send;

    /// Builds `state`, running its execs.
    fn solve(
        &self,
        state: &State,
        progress: &Progress,
    ) -> impl Future<Output = Result<(), SolveError>> + Send;

    /// Reads file `path` from `state` (building it if needed).
    fn read_file(
        &self,
        state: &State,
        path: &str,
        progress: &Progress,
    ) -> impl Future<Output = Result<Vec<u8>, SolveError>> + Send;

    /// Pushes `state` as an image with config `meta` to `reference`.
    fn push(
        &self,
        state: &State,
        meta: &ImageMeta,
        reference: &str,
        progress: &Progress,
    ) -> impl Future<Output = Result<(), SolveError>> + Send;
}

/// A failed solve.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SolveError {
    pub message: String,
    /// The exit code of a failed `exec`.
    pub exit_code: Option<i32>,
    /// The name of the failing vertex (`app.#compute[2] exec ...`), when known.
    pub vertex: Option<String>,
    /// The last lines the failing vertex printed.
    pub output_tail: Vec<String>,
}

impl SolveError {
    /// An error with only a message.
    pub fn msg(message: impl Into<String>) -> SolveError {
        SolveError {
            message: message.into(),
            ..SolveError::default()
        }
    }
}

impl fmt::Display for SolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SolveError {}
