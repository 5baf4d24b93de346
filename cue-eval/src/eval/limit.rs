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
use std::time::Instant;

/// Vertices allocated between two looks at the clock (for the time
/// limit): evaluating allocates vertices all along.
const CLOCK_EVERY: usize = 4096;

/// What the evaluator holds, for the memory limit, and when it must stop.
#[derive(Debug)]
pub(crate) struct Budget {
    pub limits: Limits,
    /// Bytes of string and bytes values built by operations.
    pub built: u64,
    /// Bytes counted by exports still running (see `to_data.rs`).
    pub exporting: u64,
    /// Arena length at which `new_vertex` calls `arena_full`: where the
    /// memory limit is reached, or sooner to look at the clock.
    pub vertex_cap: usize,
    /// Arena length at which the memory limit is reached.
    mem_cap: usize,
    /// `exporting` past which an export looks at the whole count again
    /// (what was left of the limit when last computed).
    export_cap: u64,
    /// When the time limit is reached.
    deadline: Option<Instant>,
    /// The error that ended the evaluation.
    pub error: Option<Rc<Bottom>>,
}

impl Budget {
    pub fn new(limits: Limits) -> Budget {
        let mut b = Budget {
            limits,
            built: 0,
            exporting: 0,
            vertex_cap: 0,
            mem_cap: 0,
            export_cap: 0,
            deadline: limits.max_time.map(|t| Instant::now() + t),
            error: None,
        };
        b.update_cap(0);
        b
    }

    /// Recomputes the caps for an arena of `len` vertices.
    fn update_cap(&mut self, len: usize) {
        if self.error.is_some() {
            self.vertex_cap = usize::MAX;
            self.export_cap = u64::MAX;
            return;
        }
        let left = self
            .limits
            .max_memory
            .saturating_sub(self.built + self.exporting);
        self.mem_cap = usize::try_from(left / VERTEX_COST).unwrap_or(usize::MAX);
        let held = len as u64 * VERTEX_COST + self.built;
        self.export_cap = self.limits.max_memory.saturating_sub(held);
        self.vertex_cap = match self.deadline {
            Some(_) => self.mem_cap.min(len.saturating_add(CLOCK_EVERY)),
            None => self.mem_cap,
        };
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

    /// Starts the time limit anew (an evaluator kept for incremental
    /// re-evaluation gets the whole allowance each time).
    pub fn restart_clock(&mut self) {
        self.budget.deadline = self.budget.limits.max_time.map(|t| Instant::now() + t);
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

    /// Called by `new_vertex` when the arena reaches `vertex_cap`: the
    /// memory limit, or time to look at the clock.
    #[cold]
    pub(super) fn arena_full(&mut self) {
        let len = self.vertices.len();
        if self.budget.error.is_none() && len >= self.budget.mem_cap {
            self.memory_exceeded();
        }
        self.check_clock(None);
        self.budget.update_cap(len);
    }

    /// Ends the evaluation if the time limit is passed (while evaluating
    /// `v`, if known).
    fn check_clock(&mut self, v: Option<VertexId>) {
        if self.budget.error.is_some() {
            return;
        }
        if let Some(d) = self.budget.deadline {
            if Instant::now() >= d {
                self.time_exceeded(v);
            }
        }
    }

    /// Records that the time limit is passed.
    #[cold]
    fn time_exceeded(&mut self, v: Option<VertexId>) {
        let (at, spans) = self.stop_location(v);
        let secs = self
            .budget
            .limits
            .max_time
            .unwrap_or_default()
            .as_secs_f64();
        self.budget.error = Some(Rc::new(Bottom {
            code: Code::Eval,
            message: format!("{}time limit ({secs}s)", limits::LIMIT_EXCEEDED),
            spans,
            vertex: at,
            causes: Vec::new(),
        }));
        self.budget.vertex_cap = usize::MAX;
    }

    /// Counts `n` bytes of a string or bytes value built by an operation.
    pub(crate) fn charge_built(&mut self, n: usize) {
        self.budget.built += n as u64;
        self.after_charge();
    }

    /// Counts `n` bytes copied out by an export (released by
    /// [`Evaluator::end_export`]). The arena's cap is not recomputed here
    /// (this is called per exported value): the total is compared instead.
    #[inline]
    pub(crate) fn charge_exported(&mut self, n: usize) {
        self.budget.exporting += n as u64;
        if self.budget.exporting > self.budget.export_cap {
            self.export_check();
        }
    }

    /// The whole count, once an export passed what was left when last
    /// computed (vertices may have been allocated since).
    #[cold]
    fn export_check(&mut self) {
        if self.budget.error.is_some() {
            self.budget.export_cap = u64::MAX;
            return;
        }
        if self.memory_used() > self.budget.limits.max_memory {
            self.budget.vertex_cap = usize::MAX;
            self.budget.export_cap = u64::MAX;
            self.memory_exceeded();
        } else {
            self.budget.update_cap(self.vertices.len());
        }
    }

    /// The export counter when an export starts.
    pub(crate) fn begin_export(&self) -> u64 {
        self.budget.exporting
    }

    /// Releases what an export counted (its data is the caller's now, and
    /// short-lived: library arguments, or the output being printed).
    pub(crate) fn end_export(&mut self, mark: u64) {
        self.budget.exporting = mark;
        self.budget.update_cap(self.vertices.len());
    }

    fn after_charge(&mut self) {
        if self.budget.error.is_some() {
            return;
        }
        self.budget.update_cap(self.vertices.len());
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
    /// largest value, at that value's position; a value without a path
    /// (an intermediate result) is reported at the field being evaluated.
    #[cold]
    fn memory_exceeded(&mut self) {
        let limit = limits::show_size(self.budget.limits.max_memory);
        let span_of = |ev: &Evaluator, v: Option<VertexId>| -> Vec<Span> {
            v.and_then(|v| ev.v(v).conjuncts.first())
                .map(|c| c.expr.span)
                .into_iter()
                .collect()
        };
        let (at, spans, what) = match self.largest_value() {
            Some((v, what)) if self.is_attached(v) => (
                Some(v),
                span_of(self, Some(v)),
                format!("; the largest value is this {what}"),
            ),
            Some((v, what)) => (
                self.stop_location(None).0,
                span_of(self, Some(v)),
                format!("; the largest value is a {what} built here"),
            ),
            None => {
                let (at, spans) = self.stop_location(None);
                (at, spans, String::new())
            }
        };
        self.budget.error = Some(Rc::new(Bottom {
            code: Code::Eval,
            message: format!("{}memory limit ({limit}){what}", limits::LIMIT_EXCEEDED),
            spans,
            vertex: at,
            causes: Vec::new(),
        }));
        self.budget.vertex_cap = usize::MAX;
    }

    /// Records that evaluation is nested deeper than [`MAX_DEPTH`] at `v`.
    #[cold]
    pub(super) fn too_deep(&mut self, v: VertexId) {
        if self.budget.error.is_some() {
            return;
        }
        let (at, spans) = self.stop_location(Some(v));
        self.budget.error = Some(Rc::new(Bottom {
            code: Code::Eval,
            message: format!(
                "{}depth limit ({MAX_DEPTH} nested evaluations; a recursion that does not end?)",
                limits::LIMIT_EXCEEDED
            ),
            spans,
            vertex: at,
            causes: Vec::new(),
        }));
        self.budget.vertex_cap = usize::MAX;
    }

    /// Where to report a limit passed while evaluating: at the outermost
    /// field being evaluated (a short path), with the position of the
    /// innermost expression (`inner`, else the innermost vertex being
    /// evaluated that has one).
    fn stop_location(&self, inner: Option<VertexId>) -> (Option<VertexId>, Vec<Span>) {
        let outer = self
            .finalizing
            .into_iter()
            .chain(self.eval_stack.iter().copied())
            .chain(inner)
            .find(|&w| self.v(w).parent.is_some() && self.is_attached(w));
        let span = inner
            .into_iter()
            .chain(self.eval_stack.iter().rev().copied())
            .find_map(|w| {
                self.v(w)
                    .conjuncts
                    .iter()
                    .map(|c| c.expr.span)
                    .find(|s| !s.is_synthetic())
            });
        (outer, span.into_iter().collect())
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

    /// The value to name when the memory limit is passed, with a
    /// description (`list of 4194304 elements`): from the heaviest root,
    /// the heaviest field, then down while one field holds more than half
    /// of its parent (strings count their bytes, every vertex
    /// [`VERTEX_COST`]).
    fn largest_value(&self) -> Option<(VertexId, String)> {
        let n = self.vertices.len();
        let mut weight = vec![0u64; n];
        // A parent is always allocated before its children.
        for i in (0..n).rev() {
            let vx = &self.vertices[i];
            weight[i] += VERTEX_COST + value_bytes(&vx.value);
            if let Some(p) = vx.parent.filter(|p| (p.0 as usize) < i) {
                weight[p.0 as usize] += weight[i];
            }
        }
        let heaviest = |v: VertexId| {
            self.v(v)
                .arcs
                .iter()
                .map(|(_, a)| *a)
                .filter(|a| (a.0 as usize) < n)
                .max_by_key(|a| weight[a.0 as usize])
        };
        let root = (0..n)
            .filter(|&i| self.vertices[i].parent.is_none())
            .max_by_key(|&i| weight[i])?;
        let mut v = VertexId(root as u32);
        if !self.v(v).detached {
            // The package itself has no path: name one of its fields.
            v = heaviest(v)?;
        }
        while let Some(a) = heaviest(v) {
            if weight[a.0 as usize] * 2 <= weight[v.0 as usize] {
                break;
            }
            v = a;
        }
        let vx = self.v(v);
        let values = weight[v.0 as usize] / VERTEX_COST;
        let what = match &vx.value {
            Value::Str(s) => format!("string of {} bytes", s.len()),
            Value::Bytes(b) => format!("bytes value of {} bytes", b.len()),
            _ if vx.arcs.first().is_some_and(|(l, _)| l.as_index().is_some()) => {
                format!("list of {} elements", vx.arcs.len())
            }
            _ if vx.arcs.is_empty() => return None,
            _ => format!("struct of {} fields (about {values} values)", vx.arcs.len()),
        };
        Some((v, what))
    }
}

/// The bytes of a string or bytes value.
fn value_bytes(v: &Value) -> u64 {
    match v {
        Value::Str(s) => s.len() as u64,
        Value::Bytes(b) => b.len() as u64,
        _ => 0,
    }
}
