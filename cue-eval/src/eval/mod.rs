//! The evaluator: an arena of vertices (one per field, list element or
//! anonymous value), each collecting conjuncts (expression + environment)
//! and evaluated lazily through the status machine
//! `Unprocessed → Evaluating → ArcsReady → EvaluatingArcs → Finalized`
//! (spec "Evaluation"; reference `adt/eval.go`). A struct literal unified
//! into vertex V binds its fields' environment to V, so a struct reached
//! through a reference re-binds its internal references to the new location.

mod arena;
mod binop;
mod builtin;
mod closedness;
mod comprehension;
mod disjunction;
mod equal;
mod expr;
mod fingerprint;
mod limit;
mod node;
mod resolve;
mod secrets;
pub mod show;
mod side_vec;
mod stdlib;
pub mod to_data;
mod track;

pub use track::Tracker;

use crate::compile::ir::ExprRef;
use crate::value::{Bottom, Code, Label, Labels, Value};
use cue_syntax::ast::Span;
use std::collections::HashMap;
use std::rc::Rc;

pub use closedness::ScopeId;
pub use side_vec::SideVec;

/// Index of a vertex in the arena.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct VertexId(pub u32);

/// Evaluation progress of a vertex.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Status {
    Unprocessed,
    Evaluating,
    ArcsReady,
    EvaluatingArcs,
    Finalized,
}

/// A lexical environment: the vertex that references with up-count 0 look
/// in, and the enclosing environment.
#[derive(Debug)]
pub struct Env {
    pub up: Option<Rc<Env>>,
    pub vertex: VertexId,
    /// The label matched by a pattern constraint (`[X=string]: ...`).
    pub dyn_label: Option<Label>,
}

/// The chain of vertices dereferenced to produce a conjunct, for
/// structural-cycle detection.
#[derive(Debug)]
pub struct Chain {
    pub vertex: VertexId,
    pub next: Option<Rc<Chain>>,
}

/// Per-conjunct bookkeeping: closedness scope, dereference chain, cycle mark.
#[derive(Clone, Debug, Default)]
pub struct Info {
    pub scope: Option<ScopeId>,
    pub chain: Option<Rc<Chain>>,
    pub cyclic: bool,
    /// The conjunct comes from a structural cycle: through a reference to
    /// an ancestor, or a third dereference of a vertex along its chain, or
    /// from a field of such a struct (the reference's `Environment.Cyclic`).
    /// A tainted conjunct does not ground a node against structural cycles.
    pub tainted: bool,
    /// The conjunct is an embedded expression of a struct literal.
    pub embed: bool,
}

const _: () = assert!(std::mem::size_of::<Conjunct>() == 32);
const _: () = assert!(std::mem::size_of::<Vertex>() == 112);

/// An expression to unify into a vertex, with its environment.
#[derive(Clone, Debug)]
pub struct Conjunct {
    pub expr: ExprRef,
    pub env: Rc<Env>,
    pub info: Info,
}

/// A constraint on the vertex's future arcs: optional field, pattern or `...`.
#[derive(Clone, Debug)]
pub struct ArcConstraint {
    pub kind: ConstraintKind,
    pub value: ExprRef,
    pub env: Rc<Env>,
    pub info: Info,
}

/// What an [`ArcConstraint`] matches.
#[derive(Clone, Debug)]
pub enum ConstraintKind {
    Optional(Label),
    Pattern { pattern: ExprRef, alias: bool },
    Ellipsis,
}

/// Rarely used parts of a vertex, allocated on first use.
#[derive(Debug, Default)]
pub struct VertexExtra {
    arc_index: Option<HashMap<Label, usize, crate::value::FastBuild>>,
    /// Pending non-concrete expressions (for printing `cue eval`).
    pub incomplete_exprs: Vec<ExprRef>,
    /// Choices of disjunctions, for disjunct clones.
    pub choices: Option<Rc<Vec<usize>>>,
    /// For a disjunct clone: the vertex it is a disjunct of.
    pub disjunct_of: Option<VertexId>,
    /// Validators to check once the (composite) value is complete.
    pub composite_validators: Vec<Value>,
    /// For a partial disjunct: the first disjunction left pending.
    pub next_disjunction: Option<Rc<Vec<(ExprRef, bool)>>>,
    /// For a partial disjunct: every disjunction left pending (partial
    /// results merge only when these are the same).
    pub pending_disjunctions: Vec<Rc<Vec<(ExprRef, bool)>>>,
    /// For a disjunct: (disjunction has defaults, alternative marked) per choice.
    pub choice_modes: Vec<(bool, bool)>,
}

/// A node of the value graph.
#[derive(Debug)]
pub struct Vertex {
    pub parent: Option<VertexId>,
    pub label: Label,
    pub status: Status,
    /// The list is open (`[...T]`).
    pub list_open: bool,
    /// Set for disjunct clones and other vertices outside the tree.
    pub detached: bool,
    /// The parent's patterns were already added to `conjuncts`.
    pub constraints_applied: bool,
    /// Evaluate without expanding further disjunctions (a partial disjunct).
    pub partial_disjunct: bool,
    pub value: Value,
    pub conjuncts: Vec<Conjunct>,
    /// Children in insertion order.
    pub arcs: SideVec<(Label, VertexId)>,
    /// Field labels of each struct literal unified in, in order (output
    /// order is derived from them).
    pub structs: SideVec<Rc<[Label]>>,
    /// Closedness declarations collected from struct literals.
    pub decls: SideVec<closedness::DeclRecord>,
    pub constraints: SideVec<ArcConstraint>,
    extra: Option<Box<VertexExtra>>,
}

impl Vertex {
    fn new(parent: Option<VertexId>, label: Label) -> Vertex {
        Vertex {
            parent,
            label,
            status: Status::Unprocessed,
            list_open: false,
            detached: false,
            constraints_applied: false,
            partial_disjunct: false,
            value: Value::Top,
            conjuncts: Vec::new(),
            arcs: SideVec::default(),
            structs: SideVec::default(),
            decls: SideVec::default(),
            constraints: SideVec::default(),
            extra: None,
        }
    }

    /// The rarely used fields, if any was set.
    pub fn extra(&self) -> Option<&VertexExtra> {
        self.extra.as_deref()
    }

    /// The rarely used fields, allocated if needed.
    pub fn extra_mut(&mut self) -> &mut VertexExtra {
        self.extra.get_or_insert_with(Default::default)
    }

    /// Pending non-concrete expressions.
    pub fn incomplete_exprs(&self) -> &[ExprRef] {
        self.extra().map_or(&[], |x| &x.incomplete_exprs)
    }

    /// Choices of disjunctions, for disjunct clones.
    pub fn choices(&self) -> Option<&Rc<Vec<usize>>> {
        self.extra().and_then(|x| x.choices.as_ref())
    }

    /// For a disjunct clone: the vertex it is a disjunct of.
    pub fn disjunct_of(&self) -> Option<VertexId> {
        self.extra().and_then(|x| x.disjunct_of)
    }

    /// For a partial disjunct: the first disjunction left pending.
    pub fn next_disjunction(&self) -> Option<&Rc<Vec<(ExprRef, bool)>>> {
        self.extra().and_then(|x| x.next_disjunction.as_ref())
    }

    /// For a partial disjunct: every disjunction left pending.
    pub fn pending_disjunctions(&self) -> &[Rc<Vec<(ExprRef, bool)>>] {
        self.extra().map_or(&[], |x| &x.pending_disjunctions)
    }

    /// For a disjunct: (disjunction has defaults, alternative marked) per choice.
    pub fn choice_modes(&self) -> &[(bool, bool)] {
        self.extra().map_or(&[], |x| &x.choice_modes)
    }
}

/// The evaluator state for one instance.
pub struct Evaluator {
    pub labels: Labels,
    pub vertices: arena::Arena,
    pub(crate) scopes: Vec<closedness::ScopeInfo>,
    regexes: HashMap<Rc<str>, Result<regex::Regex, String>>,
    let_cache: HashMap<(usize, usize), (Rc<Env>, VertexId)>,
    pub(crate) packages: HashMap<Rc<str>, VertexId>,
    depth: u32,
    /// Known scalars (or `List`) of vertices still being evaluated, innermost
    /// last: evaluation is nested, so this is a stack.
    partials: Vec<(VertexId, Value)>,
    /// The error recorded by nodes that only test for failure.
    quiet_err: Rc<Bottom>,
    /// Outcomes of simple disjunctions (see `node::simple_key`).
    simple_memo: HashMap<node::SimpleKey, Value, crate::value::FastBuild>,
    closed_scratch: closedness::ClosedScratch,
    /// Values no new value may be built from (see `secrets.rs`).
    secrets: Rc<[Box<str>]>,
    /// Memory accounting and the limit error (see `limit.rs`).
    budget: limit::Budget,
    /// The vertices being evaluated, innermost last.
    eval_stack: Vec<VertexId>,
    /// The field of the root being finalized, if any.
    finalizing: Option<VertexId>,
    /// Nesting of the values being exported (see `to_data.rs`).
    export_depth: u32,
    /// Reads between top-level fields, when recording them (`track.rs`).
    track: Option<Box<track::Tracker>>,
}

impl Default for Evaluator {
    fn default() -> Self {
        Self::new()
    }
}

impl Evaluator {
    /// An empty evaluator.
    pub fn new() -> Evaluator {
        Evaluator {
            labels: Labels::default(),
            vertices: arena::Arena::default(),
            scopes: Vec::new(),
            regexes: HashMap::new(),
            let_cache: HashMap::new(),
            packages: HashMap::new(),
            depth: 0,
            partials: Vec::new(),
            simple_memo: HashMap::default(),
            closed_scratch: Default::default(),
            secrets: Rc::from(Vec::new()),
            budget: limit::Budget::new(crate::limits::Limits::default()),
            eval_stack: Vec::new(),
            finalizing: None,
            export_depth: 0,
            track: None,
            quiet_err: Rc::new(Bottom {
                code: Code::Eval,
                message: "conflict".into(),
                spans: Vec::new(),
                vertex: None,
                causes: Vec::new(),
            }),
        }
    }

    /// Allocates a vertex.
    pub fn new_vertex(&mut self, parent: Option<VertexId>, label: Label) -> VertexId {
        let id = VertexId(self.vertices.len() as u32);
        if self.vertices.len() >= self.budget.vertex_cap {
            self.arena_full();
        }
        self.vertices.push(Vertex::new(parent, label));
        id
    }

    /// The vertex `id`.
    pub fn v(&self, id: VertexId) -> &Vertex {
        &self.vertices[id.0 as usize]
    }

    fn vm(&mut self, id: VertexId) -> &mut Vertex {
        &mut self.vertices[id.0 as usize]
    }

    /// The arc of `v` with `label`, if present.
    pub fn arc(&self, v: VertexId, label: Label) -> Option<VertexId> {
        let vx = self.v(v);
        match vx.extra().and_then(|x| x.arc_index.as_ref()) {
            Some(ix) => ix.get(&label).map(|&i| vx.arcs[i].1),
            None => vx.arcs.iter().find(|(l, _)| *l == label).map(|(_, a)| *a),
        }
    }

    /// Adds an existing vertex as an arc (for bindings and adoption).
    pub(crate) fn push_arc(&mut self, v: VertexId, label: Label, arc: VertexId) {
        let vx = self.vm(v);
        vx.arcs.push((label, arc));
        let n = vx.arcs.len();
        if n <= 8 {
            return;
        }
        if let Some(ix) = vx.extra.as_mut().and_then(|x| x.arc_index.as_mut()) {
            ix.insert(label, n - 1);
        } else {
            let ix = vx
                .arcs
                .iter()
                .enumerate()
                .map(|(i, (l, _))| (*l, i))
                .collect();
            vx.extra_mut().arc_index = Some(ix);
        }
    }

    pub(crate) fn clear_arcs(&mut self, v: VertexId) {
        let vx = self.vm(v);
        vx.arcs.clear();
        if let Some(x) = vx.extra.as_mut() {
            x.arc_index = None;
        }
    }

    /// Adds a conjunct to the arc `label` of `v`, creating the arc if needed.
    pub(crate) fn insert_field(&mut self, v: VertexId, label: Label, c: Conjunct) -> VertexId {
        let arc = match self.arc(v, label) {
            Some(a) => a,
            None => {
                let a = self.new_vertex(Some(v), label);
                self.push_arc(v, label, a);
                a
            }
        };
        self.add_late_conjunct(arc, c);
        arc
    }

    /// Appends a conjunct; a vertex already evaluated is reset so that the
    /// new conjunct is taken into account.
    pub(crate) fn add_late_conjunct(&mut self, arc: VertexId, c: Conjunct) {
        let st = self.v(arc).status;
        let cs = &mut self.vm(arc).conjuncts;
        // Most vertices get one or two conjuncts: grow one at a time up to
        // four instead of allocating four at once.
        if cs.len() == cs.capacity() && cs.len() < 4 {
            cs.reserve_exact(1);
        }
        cs.push(c);
        if matches!(st, Status::ArcsReady | Status::Finalized) {
            self.reset(arc);
        }
    }

    fn reset(&mut self, v: VertexId) {
        self.clear_arcs(v);
        let vx = self.vm(v);
        vx.status = Status::Unprocessed;
        vx.value = Value::Top;
        vx.structs.clear();
        vx.constraints.clear();
        vx.decls.clear();
        if let Some(x) = vx.extra.as_mut() {
            x.incomplete_exprs.clear();
            x.composite_validators.clear();
        }
    }

    /// The known scalar (or `List`) of `v` while it is being evaluated.
    pub(crate) fn partial(&self, v: VertexId) -> Option<&Value> {
        if self.v(v).status != Status::Evaluating {
            return None;
        }
        self.partials
            .iter()
            .rev()
            .find(|(w, _)| *w == v)
            .map(|(_, x)| x)
    }

    /// The placeholder error of a node that only tests for failure.
    pub(crate) fn quiet_bottom(&self) -> Rc<Bottom> {
        self.quiet_err.clone()
    }

    /// Records the known scalar of `v`, the vertex being evaluated
    /// innermost.
    pub(crate) fn set_partial(&mut self, v: VertexId, value: Value) {
        match self.partials.last_mut() {
            Some((w, x)) if *w == v => *x = value,
            _ => self.partials.push((v, value)),
        }
    }

    /// Makes `v` unprocessed again but keeps its (provisional) value.
    pub(crate) fn reset_keep_value(&mut self, v: VertexId) {
        let value = self.v(v).value.clone();
        self.reset(v);
        self.vm(v).value = value;
    }

    /// The path of labels from the root to `v`, each as an error message
    /// shows it (see [`Labels::path_segment`]).
    pub fn path(&self, v: VertexId) -> Vec<String> {
        let mut out = Vec::new();
        let mut cur = Some(v);
        while let Some(c) = cur {
            let vx = self.v(c);
            if vx.parent.is_none() {
                break;
            }
            out.push(self.labels.path_segment(vx.label));
            cur = vx.parent;
        }
        out.reverse();
        out
    }

    /// An error value.
    pub fn bottom(&self, code: Code, message: impl Into<String>, spans: Vec<Span>) -> Value {
        Value::Bottom(Rc::new(Bottom {
            code,
            message: message.into(),
            spans,
            vertex: None,
            causes: Vec::new(),
        }))
    }

    /// Evaluates `v` to `Finalized`: its value and all arcs recursively.
    pub fn finalize(&mut self, v: VertexId) {
        stacker::maybe_grow(256 * 1024, 8 * 1024 * 1024, || self.finalize_now(v));
    }

    fn finalize_now(&mut self, v: VertexId) {
        self.evaluate(v);
        if self.v(v).status != Status::ArcsReady {
            return;
        }
        if matches!(self.v(v).value, Value::Bottom(_)) {
            // An error's arcs are not part of any value.
            self.vm(v).status = Status::Finalized;
            return;
        }
        self.vm(v).status = Status::EvaluatingArcs;
        // The root's field being finalized, for locating a limit error.
        let top = self.v(v).parent.is_none() && !self.v(v).detached;
        let mut i = 0;
        while i < self.v(v).arcs.len() {
            let a = self.v(v).arcs[i].1;
            if top {
                self.finalizing = Some(a);
            }
            self.finalize(a);
            i += 1;
        }
        if top {
            self.finalizing = None;
        }
        self.check_closed_arcs(v);
        let validators = match self.vm(v).extra.as_mut() {
            Some(x) => std::mem::take(&mut x.composite_validators),
            None => Vec::new(),
        };
        for val in validators {
            if let Err(e) = self.check_validator(&Value::Vertex(v), &val, None) {
                self.vm(v).value = e;
                break;
            }
        }
        if let Value::Disj(list) = self.v(v).value.clone() {
            for (d, _) in list.iter() {
                self.finalize(*d);
            }
        }
        self.vm(v).status = Status::Finalized;
    }

    /// The compiled regular expression for `pattern` (cached).
    pub(crate) fn regex(&mut self, pattern: &Rc<str>) -> Result<regex::Regex, String> {
        if let Some(r) = self.regexes.get(pattern) {
            return r.clone();
        }
        let r = regex::Regex::new(pattern).map_err(|e| e.to_string());
        self.regexes.insert(pattern.clone(), r.clone());
        r
    }
}
