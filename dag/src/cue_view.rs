//! Evaluating a loaded program with `cue-eval` and presenting the result as
//! the engine's plan model ([`Node`]). Requests for the evaluator side are in
//! /work/notes/requests-dag.md.

use cue_eval::load::Program;

use crate::plan::PlanError;
use crate::tree::Node;

/// Evaluates the program's root instance.
pub fn evaluate(program: &Program) -> Result<Node, PlanError> {
    let _ = program;
    Err(PlanError(
        "this build cannot evaluate plans yet: the CUE evaluator's API (cue_eval::api) is not available".into(),
    ))
}
