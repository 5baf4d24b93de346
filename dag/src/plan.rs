//! What the engine needs from an evaluated plan: its tree, and a way to
//! unify a computed value into it and evaluate again.

use crate::path::Path;
use crate::tree::Node;

/// An evaluated plan that values can be filled into.
pub trait Plan {
    /// The current evaluation.
    fn root(&self) -> &Node;

    /// Unifies `value` into the field at `path` (a component that exported it)
    /// and re-evaluates. A conflict may be reported here, or show up as an
    /// error node at `path` in the new [`Plan::root`].
    fn fill(&mut self, path: &Path, value: &serde_json::Value) -> Result<(), PlanError>;

    /// The secrets given with the plan's inputs (none by default).
    fn secrets(&self) -> crate::secrets::Secrets {
        crate::secrets::Secrets::default()
    }

    /// The paths whose nodes the last fill replaced, when the plan knows
    /// (`None`: anything may have changed). Everything else in
    /// [`Plan::root`] is as it was before that fill, so a caller can redo
    /// per-round work (the graph's edges, the error walk) only below these.
    fn changed(&self) -> Option<&[Path]> {
        None
    }

    /// Fills several values, re-evaluating once if the plan can.
    fn fill_all(&mut self, values: &[(Path, serde_json::Value)]) -> Result<(), PlanError> {
        for (path, value) in values {
            self.fill(path, value)?;
        }
        Ok(())
    }
}

/// An evaluation error, already rendered (`path: message` lines with positions).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct PlanError(pub String);
