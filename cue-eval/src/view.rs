//! A read-only view of an evaluated instance for the plan engine: every
//! value's kind (defaults taken, as `cue export` does), all of a struct's
//! fields (definitions, hidden and unset optional ones flagged), list
//! elements, and the paths that a value's own conjuncts reference.
//!
//! Values are evaluated on demand; incomplete values are not errors here
//! ([`ViewKind::Incomplete`]), only conflicts are ([`ViewKind::Bottom`],
//! also collected by [`Evaluated::errors`]).

use crate::api::Evaluated;
use crate::compile::ir::{Clause, Comprehension, Decl, ExprKind, ExprRef, InterpPart, ListElem};
use crate::data::Data;
use crate::errors::{Error, Errors};
use crate::eval::{ConstraintKind, Env, Evaluator, VertexId};
use crate::value::{Bottom, Label, Value};
use cue_syntax::ast::Span;
use std::rc::Rc;

/// One step of a path from the root of the main instance.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathSeg {
    /// A field, labelled as written (`a`, `#a`, `_a`, `"a-b"` unquoted).
    Field(String),
    /// A list index.
    Index(usize),
}

/// How a field is declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// `a: x`
    Regular,
    /// `#a: x`
    Definition,
    /// `_a: x` and `_#a: x`
    Hidden,
    /// `a?: x`, not set by any regular field.
    Optional,
}

/// What a value is.
#[derive(Clone, Debug, PartialEq)]
pub enum ViewKind {
    /// A struct; see [`View::fields`].
    Struct,
    /// A list; see [`View::elems`].
    List,
    /// A concrete null, bool, number, string or bytes.
    Scalar(Data),
    /// Not concrete: a type, bound, disjunction without a single default,
    /// or something depending on an incomplete value; with a short reason.
    Incomplete(String),
    /// A conflict, with the message `cue` prints.
    Bottom(String),
}

/// A value of an evaluated instance.
#[derive(Clone, Copy)]
pub struct View<'a> {
    inst: &'a Evaluated,
    /// The vertex whose conjuncts this value was written with.
    vertex: VertexId,
    /// The vertex holding its value: `vertex`, or the default it resolves to.
    value: VertexId,
}

/// A vertex id that stands for a scope the view cannot see (comprehension
/// variables): never a vertex of the arena.
const UNKNOWN: VertexId = VertexId(u32::MAX);

/// Bound on let/alias indirections followed when computing references.
const MAX_REF_DEPTH: u32 = 16;

impl Evaluated {
    /// The root value of the instance.
    pub fn root(&self) -> View<'_> {
        View::new(self, self.root_vertex())
    }

    /// The conflicts (`_|_`) anywhere in the instance, definitions and
    /// hidden fields included; incomplete values are not errors here.
    pub fn errors(&self) -> Errors {
        let root = self.root_vertex();
        let found = self.with_evaluator(|ev| {
            let mut found: Vec<(Vec<String>, String, Vec<Span>)> = Vec::new();
            let mut seen: Vec<*const Bottom> = Vec::new();
            collect_errors(ev, root, root, &mut found, &mut seen);
            if let Some(b) = ev.limit_error() {
                // Past a limit, only the limit is reported.
                found = ev
                    .error_entries(root, &b)
                    .into_iter()
                    .map(|e| (ev.path(e.vertex), e.message, e.spans))
                    .collect();
            }
            found
        });
        Errors(
            found
                .into_iter()
                .map(|(path, message, spans)| Error {
                    path,
                    message,
                    positions: self.positions(&spans),
                })
                .collect(),
        )
    }
}

impl Evaluated {
    /// The top-level field `name` of the main instance, without finalizing
    /// the other fields (as [`View::fields`] of the root would).
    pub fn top_field(&self, name: &str) -> Option<(FieldKind, View<'_>)> {
        let root = self.root_vertex();
        let arc = self.with_evaluator(|ev| {
            ev.evaluate(root);
            // By the label's index, not a scan of the (many) top-level
            // arcs; a quoted label that looks like a definition or hidden
            // field (`"#a"`) is only found by the scan.
            if let Some(label) = ev.labels.find_ident(name) {
                if let Some(a) = ev.arc(root, label) {
                    return Some((field_kind(label), a));
                }
            }
            ev.v(root)
                .arcs
                .iter()
                .find(|(l, _)| l.as_index().is_none() && ev.labels.str(*l) == name)
                .map(|(l, a)| (field_kind(*l), *a))
        })?;
        Some((arc.0, View::new(self, arc.1)))
    }

    /// The error that ended the evaluation at a resource limit, as
    /// [`Evaluated::errors`] reports it, if one did.
    pub fn limit_errors(&self) -> Option<Errors> {
        let root = self.root_vertex();
        let found = self.with_evaluator(|ev| {
            let b = ev.limit_error()?;
            Some(
                ev.error_entries(root, &b)
                    .into_iter()
                    .map(|e| (ev.path(e.vertex), e.message, e.spans))
                    .collect::<Vec<_>>(),
            )
        })?;
        Some(Errors(
            found
                .into_iter()
                .map(|(path, message, spans)| Error {
                    path,
                    message,
                    positions: self.positions(&spans),
                })
                .collect(),
        ))
    }
}

impl<'a> View<'a> {
    /// The errors (not incomplete values) in this value and everything
    /// below it, with their paths from the root, as [`Evaluated::errors`]
    /// finds them in the whole instance.
    pub fn errors_below(&self) -> Errors {
        let root = self.inst.root_vertex();
        let v = self.vertex;
        let found = self.inst.with_evaluator(|ev| {
            let mut found: Vec<(Vec<String>, String, Vec<Span>)> = Vec::new();
            let mut seen: Vec<*const Bottom> = Vec::new();
            collect_errors(ev, root, v, &mut found, &mut seen);
            found
        });
        Errors(
            found
                .into_iter()
                .map(|(path, message, spans)| Error {
                    path,
                    message,
                    positions: self.inst.positions(&spans),
                })
                .collect(),
        )
    }

    fn new(inst: &'a Evaluated, vertex: VertexId) -> View<'a> {
        let value = inst.with_evaluator(|ev| follow_default(ev, vertex));
        View {
            inst,
            vertex,
            value,
        }
    }

    /// The value's kind, taking the default of a disjunction.
    pub fn kind(&self) -> ViewKind {
        let v = self.value;
        self.inst.with_evaluator(|ev| {
            ev.finalize(v);
            match ev.v(v).value.clone() {
                Value::Struct => ViewKind::Struct,
                Value::List => ViewKind::List,
                Value::Null => ViewKind::Scalar(Data::Null),
                Value::Bool(b) => ViewKind::Scalar(Data::Bool(b)),
                Value::Num(n) => ViewKind::Scalar(Data::Number((*n).clone())),
                Value::Str(s) => ViewKind::Scalar(Data::String(s.to_string())),
                Value::Bytes(b) => ViewKind::Scalar(Data::Bytes(b.to_vec())),
                Value::Bottom(b) if b.is_incomplete() => ViewKind::Incomplete(b.message.clone()),
                Value::Bottom(b) => ViewKind::Bottom(b.message.clone()),
                Value::Disj(_) => ViewKind::Incomplete(ev.show_vertex_compact(v)),
                other => ViewKind::Incomplete(ev.show(&other)),
            }
        })
    }

    /// All fields in output order: regular, definitions, hidden, and the
    /// optional fields no regular field sets; with their values.
    pub fn fields(&self) -> Vec<(String, FieldKind, View<'a>)> {
        let v = self.value;
        let arcs = self.inst.with_evaluator(|ev| {
            ev.finalize(v);
            let vx = ev.v(v);
            let mut optional: Vec<Label> = Vec::new();
            for c in &vx.constraints {
                if let ConstraintKind::Optional(l) = c.kind {
                    if ev.arc(v, l).is_none() && !optional.contains(&l) {
                        optional.push(l);
                    }
                }
            }
            let structs: Vec<Vec<Label>> = vx.structs.iter().map(|s| s.to_vec()).collect();
            let arcs: Vec<Label> = vx.arcs.iter().map(|(l, _)| *l).collect();
            let mut order = crate::order::vertex_order(&structs, &arcs);
            for l in &optional {
                if !order.contains(l) {
                    order.push(*l);
                }
            }
            let mut out: Vec<(String, FieldKind, VertexId)> = Vec::new();
            for l in order {
                if l.as_index().is_some() {
                    continue;
                }
                if let Some(a) = ev.arc(v, l) {
                    out.push((ev.labels.name(l), field_kind(l), a));
                } else if optional.contains(&l) {
                    // Not an arc: a vertex of its own that gets the optional
                    // field's constraints (and matching patterns) from `v`.
                    let a = ev.new_vertex(Some(v), l);
                    out.push((ev.labels.name(l), FieldKind::Optional, a));
                }
            }
            out
        });
        arcs.into_iter()
            .map(|(name, kind, a)| (name, kind, View::new(self.inst, a)))
            .collect()
    }

    /// The elements of a list (empty for other values).
    pub fn elems(&self) -> Vec<View<'a>> {
        let v = self.value;
        let elems = self.inst.with_evaluator(|ev| {
            ev.finalize(v);
            if matches!(ev.v(v).value, Value::List) {
                ev.list_elems(v)
            } else {
                Vec::new()
            }
        });
        elems.into_iter().map(|a| View::new(self.inst, a)).collect()
    }

    /// The paths (from the root of the main instance) referenced by this
    /// value's own conjuncts: references, selectors (`a.b.c` is one path),
    /// index expressions with a concrete index, and references inside
    /// interpolations, operators and call arguments. References into
    /// imported packages and to comprehension keys are left out; `let`s and
    /// comprehension values stand for what they are bound to.
    pub fn references(&self) -> Vec<Vec<PathSeg>> {
        let v = self.vertex;
        let root = self.inst.root_vertex();
        self.inst.with_evaluator(|ev| {
            let mut r = Refs {
                ev,
                root,
                vertex: v,
                out: Vec::new(),
            };
            let conjuncts = r.ev.v(v).conjuncts.clone();
            for c in conjuncts {
                r.expr(&c.expr, &c.env, 0);
            }
            r.out
        })
    }

    /// Where this value was written: the positions of its own conjuncts,
    /// first seen first, without duplicates.
    pub fn positions(&self) -> Vec<crate::errors::Position> {
        let v = self.vertex;
        let spans: Vec<Span> = self.inst.with_evaluator(|ev| {
            ev.v(v)
                .conjuncts
                .iter()
                .map(|c| c.expr.span)
                .filter(|s| !s.is_synthetic())
                .collect()
        });
        let mut out = Vec::new();
        for p in self.inst.positions(&spans) {
            if !out.contains(&p) {
                out.push(p);
            }
        }
        out
    }

    /// The errors this value stands for when it is an error (`_|_`, not
    /// merely incomplete): itself, then each cause (an empty disjunction's
    /// alternatives), each with its path and positions, as `cue` reports them.
    pub fn error(&self) -> Option<Errors> {
        let v = self.value;
        let root = self.inst.root_vertex();
        let entries = self.inst.with_evaluator(|ev| {
            ev.finalize(v);
            match ev.v(v).value.clone() {
                Value::Bottom(b) if !b.is_incomplete() => Some(
                    ev.error_entries(v, &b)
                        .into_iter()
                        .map(|e| {
                            let path = if vertex_path(ev, root, e.vertex).is_some() {
                                ev.path(e.vertex)
                            } else {
                                ev.path(v)
                            };
                            (path, e.message, e.spans)
                        })
                        .collect::<Vec<_>>(),
                ),
                _ => None,
            }
        })?;
        Some(Errors(
            entries
                .into_iter()
                .map(|(path, message, spans)| Error {
                    path,
                    message,
                    positions: self.inst.positions(&spans),
                })
                .collect(),
        ))
    }

    /// Whether one of this value's own conjuncts selects `name` from the
    /// imported package `import` (`dagger.#Secret` for `("dagger.io/dagger",
    /// "#Secret")`), alone or as a term of `&`.
    pub fn selects_from_import(&self, import: &str, name: &str) -> bool {
        fn selects(
            ev: &crate::eval::Evaluator,
            e: &crate::compile::ir::Expr,
            import: &str,
            name: &str,
        ) -> bool {
            match &e.kind {
                ExprKind::Selector(base, label) => {
                    matches!(&base.kind, ExprKind::Import(p) if &**p == import)
                        && ev.labels.str(*label) == name
                }
                ExprKind::Unify(xs) => xs.iter().any(|x| selects(ev, x, import, name)),
                _ => false,
            }
        }
        let v = self.vertex;
        self.inst.with_evaluator(|ev| {
            ev.v(v)
                .conjuncts
                .iter()
                .any(|c| selects(ev, &c.expr, import, name))
        })
    }

    /// The value as data, by `cue export`'s rules (defaults taken, regular
    /// fields only, everything concrete).
    pub fn to_data(&self) -> Result<Data, Errors> {
        let v = self.value;
        let res = self.inst.with_evaluator(|ev| {
            ev.export_vertex(v).map_err(|errs| {
                errs.into_iter()
                    .map(|e| (ev.path(e.vertex), e.message, e.spans))
                    .collect::<Vec<_>>()
            })
        });
        res.map_err(|errs| {
            Errors(
                errs.into_iter()
                    .map(|(path, message, spans)| Error {
                        path,
                        message,
                        positions: self.inst.positions(&spans),
                    })
                    .collect(),
            )
        })
    }

    /// The path of this value from the root of the main instance (`None`
    /// for values outside it).
    pub fn path(&self) -> Option<Vec<PathSeg>> {
        let root = self.inst.root_vertex();
        let v = self.vertex;
        self.inst.with_evaluator(|ev| vertex_path(ev, root, v))
    }

    /// The value at `path` below this one (fields of any kind, list indices).
    pub fn lookup(&self, path: &[PathSeg]) -> Option<View<'a>> {
        let mut cur = *self;
        for seg in path {
            cur = match seg {
                PathSeg::Field(name) => cur
                    .fields()
                    .into_iter()
                    .find(|(l, _, _)| l == name)
                    .map(|(_, _, v)| v)?,
                PathSeg::Index(i) => cur.elems().into_iter().nth(*i)?,
            };
        }
        Some(cur)
    }
}

fn field_kind(l: Label) -> FieldKind {
    if l.is_hidden() {
        FieldKind::Hidden
    } else if l.is_def() {
        FieldKind::Definition
    } else {
        FieldKind::Regular
    }
}

/// Evaluates `v` and follows disjunctions with exactly one default.
fn follow_default(ev: &mut Evaluator, mut v: VertexId) -> VertexId {
    for _ in 0..64 {
        ev.finalize(v);
        let Value::Disj(list) = &ev.v(v).value else {
            break;
        };
        let mut defaults = list.iter().filter(|(_, d)| *d).map(|(x, _)| *x);
        match (defaults.next(), defaults.next()) {
            (Some(d), None) => v = d,
            _ => break,
        }
    }
    v
}

/// The path of `v` if it lies under `root` (disjunct clones keep the parent
/// and label of the vertex they stand for, so their path is that vertex's).
fn vertex_path(ev: &Evaluator, root: VertexId, v: VertexId) -> Option<Vec<PathSeg>> {
    if v.0 as usize >= ev.vertices.len() {
        return None;
    }
    let mut out = Vec::new();
    let mut cur = v;
    loop {
        if cur == root {
            out.reverse();
            return Some(out);
        }
        let vx = ev.v(cur);
        out.push(seg(ev, vx.label));
        cur = vx.parent?;
    }
}

fn seg(ev: &Evaluator, l: Label) -> PathSeg {
    match l.as_index() {
        Some(i) => PathSeg::Index(i),
        None => PathSeg::Field(ev.labels.name(l)),
    }
}

fn env_up(env: &Rc<Env>, up: u32) -> &Rc<Env> {
    let mut e = env;
    for _ in 0..up {
        match &e.up {
            Some(u) => e = u,
            None => break,
        }
    }
    e
}

/// Collects the references of one vertex's conjuncts.
struct Refs<'e> {
    ev: &'e mut Evaluator,
    root: VertexId,
    /// The vertex the conjuncts belong to (struct literals bind to it).
    vertex: VertexId,
    out: Vec<Vec<PathSeg>>,
}

impl Refs<'_> {
    fn push(&mut self, p: Vec<PathSeg>) {
        if !self.out.contains(&p) {
            self.out.push(p);
        }
    }

    /// The path a reference-like expression denotes, if it can be named.
    fn path(&mut self, e: &ExprRef, env: &Rc<Env>, depth: u32) -> Option<Vec<PathSeg>> {
        if depth > MAX_REF_DEPTH {
            return None;
        }
        match &e.kind {
            ExprKind::FieldRef { up, label, .. } => {
                let scope = env_up(env, *up).vertex;
                self.field_path(scope, *label, depth)
            }
            ExprKind::LetRef { up, expr, .. } => {
                let env = env_up(env, *up).clone();
                self.path(expr, &env, depth + 1)
            }
            ExprKind::Selector(base, label) => {
                if matches!(base.kind, ExprKind::Import(_)) {
                    return None;
                }
                let mut p = self.path(base, env, depth)?;
                p.push(seg(self.ev, *label));
                Some(p)
            }
            ExprKind::Index(base, index) => {
                let mut p = self.path(base, env, depth)?;
                if index_refs_free(index) {
                    match self.ev.eval_value(index, env) {
                        Value::Num(n) => p.push(PathSeg::Index(n.to_string().parse().ok()?)),
                        Value::Str(s) => p.push(PathSeg::Field(s.to_string())),
                        _ => {}
                    }
                }
                Some(p)
            }
            ExprKind::Vertex(id) => vertex_path(self.ev, self.root, *id),
            _ => None,
        }
    }

    /// The path of field `label` of scope vertex `scope`.
    fn field_path(&mut self, scope: VertexId, label: Label, depth: u32) -> Option<Vec<PathSeg>> {
        if let Some(mut p) = vertex_path(self.ev, self.root, scope) {
            p.push(seg(self.ev, label));
            return Some(p);
        }
        if scope == UNKNOWN || scope.0 as usize >= self.ev.vertices.len() {
            return None;
        }
        // A comprehension scope: its value arcs are the iterated vertices,
        // its `let` arcs hold the bound expression.
        if self.ev.v(scope).parent.is_some() || self.ev.packages.values().any(|&p| p == scope) {
            return None;
        }
        let arc = self.ev.arc(scope, label)?;
        if let Some(p) = vertex_path(self.ev, self.root, arc) {
            return Some(p);
        }
        let conjuncts = self.ev.v(arc).conjuncts.clone();
        match conjuncts.as_slice() {
            [c] => self.path(&c.expr, &c.env, depth + 1),
            _ => None,
        }
    }

    /// Adds the references of a conjunct (or embedded/unified/disjunct
    /// part of one) `e` evaluated in `env`: a struct or list literal here
    /// makes fields and elements of this vertex, which report their own.
    fn expr(&mut self, e: &ExprRef, env: &Rc<Env>, depth: u32) {
        self.walk(e, env, depth, false)
    }

    /// Adds the references of an operand (call argument, interpolated
    /// expression, ...): everything inside it counts, literals included.
    fn operand(&mut self, e: &ExprRef, env: &Rc<Env>, depth: u32) {
        self.walk(e, env, depth, true)
    }

    fn walk(&mut self, e: &ExprRef, env: &Rc<Env>, depth: u32, operand: bool) {
        if depth > MAX_REF_DEPTH {
            return;
        }
        match &e.kind {
            ExprKind::FieldRef { .. } | ExprKind::Vertex(_) => {
                if let Some(p) = self.path(e, env, depth) {
                    self.push(p);
                }
            }
            ExprKind::LetRef { up, expr, .. } => match self.path(e, env, depth) {
                Some(p) => self.push(p),
                None => {
                    let env = env_up(env, *up).clone();
                    self.walk(expr, &env, depth + 1, operand);
                }
            },
            ExprKind::Selector(base, _) => {
                if matches!(base.kind, ExprKind::Import(_)) {
                    return;
                }
                match self.path(e, env, depth) {
                    Some(p) => self.push(p),
                    None => self.operand(base, env, depth),
                }
            }
            ExprKind::Index(base, index) => {
                match self.path(e, env, depth) {
                    Some(p) => self.push(p),
                    None => self.operand(base, env, depth),
                }
                self.operand(index, env, depth);
            }
            ExprKind::Bound(_, x) | ExprKind::Neg(x) | ExprKind::Plus(x) | ExprKind::Not(x) => {
                self.operand(x, env, depth)
            }
            ExprKind::Binary(_, a, b) => {
                self.operand(a, env, depth);
                self.operand(b, env, depth);
            }
            ExprKind::Unify(xs) => {
                for x in xs {
                    self.walk(x, env, depth, operand);
                }
            }
            ExprKind::Disj(alts) => {
                for (x, _) in alts.iter() {
                    self.walk(x, env, depth, operand);
                }
            }
            ExprKind::Slice(x, lo, hi) => {
                self.operand(x, env, depth);
                for y in [lo, hi].into_iter().flatten() {
                    self.operand(y, env, depth);
                }
            }
            ExprKind::Interp { parts, .. } => {
                for p in parts {
                    if let InterpPart::Expr(x) = p {
                        self.operand(x, env, depth);
                    }
                }
            }
            ExprKind::Call(f, args) => {
                self.operand(f, env, depth);
                for a in args {
                    self.operand(a, env, depth);
                }
            }
            ExprKind::Struct(lit) => {
                // In a conjunct, fields belong to the field vertices and only
                // embeddings, dynamic labels and comprehension clauses shape
                // this vertex; in an operand the struct is anonymous.
                let env2 = Rc::new(Env {
                    up: Some(env.clone()),
                    vertex: if operand { UNKNOWN } else { self.vertex },
                    dyn_label: None,
                });
                for d in &lit.decls {
                    match d {
                        Decl::Embed(x) => self.walk(x, &env2, depth, operand),
                        Decl::Dynamic { key, value, .. } => {
                            self.operand(key, &env2, depth);
                            if operand {
                                self.operand(value, &env2, depth);
                            }
                        }
                        Decl::Comprehension(c) => self.comprehension(c, &env2, depth, operand),
                        Decl::Field { value, .. } | Decl::Pattern { value, .. } if operand => {
                            self.operand(value, &env2, depth)
                        }
                        _ => {}
                    }
                }
            }
            ExprKind::List(lit) => {
                for el in &lit.elems {
                    match el {
                        ListElem::Comprehension(c) => self.comprehension(c, env, depth, operand),
                        ListElem::Expr(x) if operand => self.operand(x, env, depth),
                        ListElem::Expr(_) => {}
                    }
                }
            }
            _ => {}
        }
    }

    /// The clauses' references (and the body's, in an operand); in a
    /// conjunct the body's fields belong to field vertices.
    fn comprehension(&mut self, c: &Comprehension, env: &Rc<Env>, depth: u32, operand: bool) {
        let mut env = env.clone();
        for cl in &c.clauses {
            match cl {
                Clause::For { source, .. } => {
                    self.operand(source, &env, depth);
                    env = Rc::new(Env {
                        up: Some(env),
                        vertex: UNKNOWN,
                        dyn_label: None,
                    });
                }
                Clause::If(x) => self.operand(x, &env, depth),
                Clause::Let { expr, .. } => {
                    self.operand(expr, &env, depth);
                    env = Rc::new(Env {
                        up: Some(env),
                        vertex: UNKNOWN,
                        dyn_label: None,
                    });
                }
            }
        }
        if operand {
            self.operand(&c.body, &env, depth);
        }
    }
}

/// Whether `e` can be evaluated without looking anything up (an index
/// literal); other indexes are not evaluated for a path, only walked.
fn index_refs_free(e: &ExprRef) -> bool {
    matches!(e.kind, ExprKind::Num(_) | ExprKind::Str(_))
}

/// Collects permanent errors under `v` (defaults followed).
fn collect_errors(
    ev: &mut Evaluator,
    root: VertexId,
    v: VertexId,
    found: &mut Vec<(Vec<String>, String, Vec<Span>)>,
    seen: &mut Vec<*const Bottom>,
) {
    let v = follow_default(ev, v);
    if let Value::Bottom(b) = ev.v(v).value.clone() {
        if !b.is_incomplete() && !seen.contains(&Rc::as_ptr(&b)) {
            seen.push(Rc::as_ptr(&b));
            let at = b.vertex.unwrap_or(v);
            let path = if vertex_path(ev, root, at).is_some() {
                ev.path(at)
            } else {
                ev.path(v)
            };
            found.push((path, b.message.clone(), b.spans.clone()));
        }
    }
    let arcs: Vec<VertexId> = ev.v(v).arcs.iter().map(|(_, a)| *a).collect();
    for a in arcs {
        collect_errors(ev, root, a, found, seen);
    }
}

#[cfg(test)]
mod tests;
