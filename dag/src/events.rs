//! Progress events the engine emits while a plan runs (rendered by the CLI).

use std::sync::Arc;

use crate::path::Path;

/// Something that happened to a component.
#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    /// Its ops were compiled and sent to the solver.
    Started,
    /// A line of output or status from the solver; `vertex` names the op.
    Log {
        vertex: Option<String>,
        line: String,
    },
    /// It finished; `exports` values were unified back into the plan.
    Completed { exports: usize },
    /// Its LLB was unchanged since a stored run: that run's `exports` values
    /// were unified back with no solve at all (controllers' `up`).
    Reused { exports: usize },
    /// It was not run: its ops are not concrete, or a dependency was skipped.
    Skipped { reason: String },
    /// It failed.
    Failed { message: String },
}

/// A progress event.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub component: Path,
    pub kind: EventKind,
}

/// Where events go.
pub type Sink = Arc<dyn Fn(&Event) + Send + Sync>;

/// A sink that drops everything.
pub fn discard() -> Sink {
    Arc::new(|_| {})
}

/// A component's handle on the event sink, given to the solver.
#[derive(Clone)]
pub struct Progress {
    pub component: Path,
    sink: Sink,
}

impl Progress {
    /// A handle that reports for `component`.
    pub fn new(component: Path, sink: Sink) -> Progress {
        Progress { component, sink }
    }

    /// Reports an event for this component.
    pub fn emit(&self, kind: EventKind) {
        (self.sink)(&Event {
            component: self.component.clone(),
            kind,
        });
    }

    /// Reports a line of output, attributed to `vertex` when known.
    pub fn log(&self, vertex: Option<&str>, line: impl Into<String>) {
        self.emit(EventKind::Log {
            vertex: vertex.map(str::to_string),
            line: line.into(),
        });
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("component", &self.component)
            .finish()
    }
}
