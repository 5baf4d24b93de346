//! Enforcing [`crate::limits`]: memory accounting (vertices of the arena,
//! bytes of strings built or copied out), the checks operations make before
//! building a large value, and the error that ends an evaluation once the
//! memory or depth limit is passed.
//!
//! Once that error is recorded, every vertex not yet evaluated takes it as
//! its value without evaluating anything, so the evaluation unwinds
//! quickly; the public entry points then report only that error.

use super::*;
use crate::limits::{self, Limits, MAX_DEPTH, VERTEX_COST};

/// What the evaluator holds, for the memory limit.
#[derive(Debug, Default)]
pub(crate) struct Budget {
    pub limits: Limits,
    /// Bytes of string and bytes values built by operations.
    pub built: u64,
    /// Bytes of strings copied into data by exports still running.
    pub exporting: u64,
    /// Arena length at which the memory limit is reached (recomputed when
    /// `built` or `exporting` change).
    pub vertex_cap: usize,
    /// The error that ended the evaluation.
    pub error: Option<Rc<Bottom>>,
}

impl Budget {
    pub fn new(limits: Limits) -> Budget {
        let mut b = Budget {
            limits,
            ..Budget::default()
        };
        b.update_cap();
        b
    }

    fn update_cap(&mut self) {
        let left = self
            .limits
            .max_memory
            .saturating_sub(self.built + self.exporting);
        self.vertex_cap = usize::try_from(left / VERTEX_COST).unwrap_or(usize::MAX);
    }
}

/// What an operation is about to build, for its error message.
#[derive(Clone, Copy)]
pub(crate) enum Built {
    /// A string of this many bytes.
    Str(u64),
    /// A bytes value of this many bytes.
    Bytes(u64),
    /// A list of this many elements.
    Elems(u64),
}

impl Evaluator {
    /// Sets the limits (before evaluating anything).
    pub fn set_limits(&mut self, limits: Limits) {
        self.budget = Budget::new(limits);
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.budget.limits
    }

    /// Bytes counted against the memory limit so far.
    pub fn memory_used(&self) -> u64 {
        self.vertices.len() as u64 * VERTEX_COST + self.budget.built + self.budget.exporting
    }

    /// The error that ended the evaluation (memory or depth limit), if any.
    pub fn limit_error(&self) -> Option<Rc<Bottom>> {
        self.budget.error.clone()
    }

    /// Whether a limit ended the evaluation.
    pub(crate) fn stopped(&self) -> bool {
        self.budget.error.is_some()
    }

    /// Called by `new_vertex` when the arena reaches the memory limit.
    #[cold]
    pub(super) fn arena_full(&mut self) {
        self.budget.vertex_cap = usize::MAX;
        if self.budget.error.is_none() {
            self.memory_exceeded();
        }
    }

    /// Counts `n` bytes of a string or bytes value built by an operation.
    pub(crate) fn charge_built(&mut self, n: usize) {
        self.budget.built += n as u64;
        self.after_charge();
    }

    /// Counts `n` bytes copied out by an export (released by
    /// [`Evaluator::end_export`]).
    pub(crate) fn charge_exported(&mut self, n: usize) {
        self.budget.exporting += n as u64;
        self.after_charge();
    }

    /// The export counter when an export starts.
    pub(crate) fn begin_export(&self) -> u64 {
        self.budget.exporting
    }

    /// Releases what an export counted (its data is the caller's now, and
    /// short-lived: library arguments, or the output being printed).
    pub(crate) fn end_export(&mut self, mark: u64) {
        self.budget.exporting = mark;
        if self.budget.error.is_none() {
            self.budget.update_cap();
        }
    }

    fn after_charge(&mut self) {
        if self.budget.error.is_some() {
            return;
        }
        self.budget.update_cap();
        if self.memory_used() > self.budget.limits.max_memory {
            self.budget.vertex_cap = usize::MAX;
            self.memory_exceeded();
        }
    }

    /// Checks that an operation may build `size`, before it allocates it:
    /// no more than `cap` and what is left of the memory limit. The error
    /// names the operation (`what`) and the size.
    pub(crate) fn check_build(&self, what: &str, size: Built, span: Span) -> Result<(), Value> {
        let left = self
            .budget
            .limits
            .max_memory
            .saturating_sub(self.memory_used());
        let (n, fixed, per, unit, noun) = match size {
            Built::Str(n) => (n, limits::MAX_VALUE_BYTES as u64, 1, "bytes", "a string"),
            Built::Bytes(n) => (
                n,
                limits::MAX_VALUE_BYTES as u64,
                1,
                "bytes",
                "a bytes value",
            ),
            Built::Elems(n) => (
                n,
                limits::MAX_LIST_ELEMS as u64,
                VERTEX_COST,
                "elements",
                "a list",
            ),
        };
        if n <= fixed && n.saturating_mul(per) <= left {
            return Ok(());
        }
        let msg = if n > fixed {
            format!("{what} would make {noun} of {n} {unit} (the limit is {fixed})")
        } else {
            format!(
                "{what} would make {noun} of {n} {unit}, more than the memory limit ({}) allows",
                limits::show_size(self.budget.limits.max_memory)
            )
        };
        Err(self.bottom(Code::Eval, msg, vec![span]))
    }

    /// Records that the memory limit is exceeded: the error names the
    /// largest value in the instance, at that value's position.
    #[cold]
    fn memory_exceeded(&mut self) {
        let limit = limits::show_size(self.budget.limits.max_memory);
        let (at, what) = match self.largest_value() {
            Some((v, what)) => (Some(v), format!("; the largest value is this {what}")),
            None => (self.innermost_attached(), String::new()),
        };
        let msg = format!("evaluation exceeds the memory limit ({limit}){what}");
        let spans = at
            .and_then(|v| self.v(v).conjuncts.first())
            .map(|c| c.expr.span)
            .into_iter()
            .collect();
        self.budget.error = Some(Rc::new(Bottom {
            code: Code::Eval,
            message: msg,
            spans,
            vertex: at,
            causes: Vec::new(),
        }));
    }

    /// Records that evaluation is nested deeper than [`MAX_DEPTH`] at `v`:
    /// the error is reported at the outermost field being evaluated, with
    /// the position of the innermost expression.
    #[cold]
    pub(super) fn too_deep(&mut self, v: VertexId) {
        if self.budget.error.is_some() {
            return;
        }
        let outer = self
            .eval_stack
            .iter()
            .copied()
            .find(|&w| self.v(w).parent.is_some() && self.is_attached(w));
        let inner = std::iter::once(v)
            .chain(self.eval_stack.iter().rev().copied())
            .find_map(|w| self.v(w).conjuncts.first().map(|c| c.expr.span));
        self.budget.error = Some(Rc::new(Bottom {
            code: Code::Eval,
            message: format!(
                "evaluation nested more than {MAX_DEPTH} levels deep (a recursion that does not end?)"
            ),
            spans: inner.into_iter().collect(),
            vertex: outer,
            causes: Vec::new(),
        }));
        self.budget.vertex_cap = usize::MAX;
    }

    /// Gives `v` the limit error as its value without evaluating it.
    pub(super) fn stop(&mut self, v: VertexId) {
        let b = self
            .budget
            .error
            .clone()
            .expect("a limit error is recorded");
        let vx = self.vm(v);
        vx.value = Value::Bottom(b);
        vx.status = Status::ArcsReady;
    }

    /// Whether `v` belongs to a tree that is not a detached (anonymous)
    /// value.
    fn is_attached(&self, v: VertexId) -> bool {
        let mut cur = v;
        while let Some(p) = self.v(cur).parent {
            cur = p;
        }
        !self.v(cur).detached
    }

    /// The innermost vertex being evaluated that has a path.
    fn innermost_attached(&self) -> Option<VertexId> {
        self.eval_stack
            .iter()
            .rev()
            .copied()
            .find(|&w| self.v(w).parent.is_some() && self.is_attached(w))
    }

    /// The attached vertex counted as largest (arcs, or bytes of a string),
    /// with a description (`list of 4194304 elements`).
    fn largest_value(&self) -> Option<(VertexId, String)> {
        let mut best: Option<(u64, VertexId)> = None;
        for i in 0..self.vertices.len() {
            let vx = &self.vertices[i];
            let size = match &vx.value {
                Value::Str(s) => s.len() as u64,
                Value::Bytes(b) => b.len() as u64,
                _ => vx.arcs.len() as u64 * VERTEX_COST,
            };
            let id = VertexId(i as u32);
            if size > 0
                && best.is_none_or(|(b, _)| size > b)
                && vx.parent.is_some()
                && self.is_attached(id)
            {
                best = Some((size, id));
            }
        }
        let (_, v) = best?;
        let vx = self.v(v);
        let what = match &vx.value {
            Value::Str(s) => format!("string of {} bytes", s.len()),
            Value::Bytes(b) => format!("bytes value of {} bytes", b.len()),
            _ if vx.arcs.first().is_some_and(|(l, _)| l.as_index().is_some()) => {
                format!("list of {} elements", vx.arcs.len())
            }
            _ => format!("struct of {} fields", vx.arcs.len()),
        };
        Some((v, what))
    }
}
