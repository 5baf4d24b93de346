//! References (spec "References", "Selectors", "Index expressions"): a field
//! reference walks `up` environments and looks the label up among that
//! vertex's arcs; selectors and indexes evaluate their operand only until its
//! arcs exist, then pick the arc (taking the default of a disjunction). A
//! missing field is incomplete while the struct may still get it.

use super::*;
use crate::compile::ir::ExprKind;
use crate::value::Kind;

/// What a reference-like expression denotes.
pub(crate) enum Resolved {
    /// A vertex; `true` if reached through a definition (closing).
    Vertex(VertexId, bool),
    /// A plain value (e.g. a label, a package constant).
    Value(Value),
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

impl Evaluator {
    fn incomplete(&self, msg: String, span: Span) -> Rc<Bottom> {
        Rc::new(Bottom {
            code: Code::Incomplete,
            message: msg,
            spans: vec![span],
            vertex: None,
            causes: Vec::new(),
        })
    }

    /// A lookup in a vertex still being evaluated: the answer may change
    /// once it is done, so the error is a (provisional) cycle error.
    fn not_yet(&self, v: VertexId, msg: String, span: Span) -> Rc<Bottom> {
        let code = if self.v(v).status == Status::Evaluating {
            Code::Cycle
        } else {
            Code::Incomplete
        };
        Rc::new(Bottom {
            code,
            message: msg,
            spans: vec![span],
            vertex: None,
            causes: Vec::new(),
        })
    }

    fn error(&self, msg: String, span: Span) -> Rc<Bottom> {
        Rc::new(Bottom {
            code: Code::Eval,
            message: msg,
            spans: vec![span],
            vertex: None,
            causes: Vec::new(),
        })
    }

    /// Resolves a reference, selector or index to a vertex or value.
    pub(crate) fn resolve(&mut self, e: &ExprRef, env: &Rc<Env>) -> Result<Resolved, Rc<Bottom>> {
        let span = e.span;
        match &e.kind {
            ExprKind::FieldRef { up, label, .. } => {
                let target = env_up(env, *up).vertex;
                if self.v(target).status == Status::Unprocessed {
                    self.evaluate(target);
                }
                match self.arc(target, *label) {
                    Some(a) => {
                        if self.track.is_some() {
                            self.note_read(a);
                        }
                        Ok(Resolved::Vertex(a, label.is_def()))
                    }
                    None => {
                        let name = self.labels.name(*label);
                        Err(self.not_yet(target, format!("undefined field: {name}"), span))
                    }
                }
            }
            ExprKind::DynFieldRef { up, key } => {
                let e2 = env_up(env, *up).clone();
                let target = e2.vertex;
                let label = self.eval_label(key, &e2)?;
                if self.v(target).status == Status::Unprocessed {
                    self.evaluate(target);
                }
                match self.arc(target, label) {
                    Some(a) => {
                        if self.track.is_some() {
                            self.note_read(a);
                        }
                        Ok(Resolved::Vertex(a, false))
                    }
                    None => Err(self.incomplete(
                        format!("undefined field: {}", self.labels.name(label)),
                        span,
                    )),
                }
            }
            ExprKind::LabelRef { up } => {
                let e2 = env_up(env, *up);
                match e2.dyn_label {
                    Some(l) => Ok(Resolved::Value(match l.as_index() {
                        Some(i) => Value::num(crate::num::Number::from_i64(i as i64)),
                        None => Value::str(&self.labels.name(l)),
                    })),
                    None => Err(self.incomplete("label not known".into(), span)),
                }
            }
            ExprKind::LetRef { up, expr, .. } => {
                let e2 = env_up(env, *up).clone();
                let key = (Rc::as_ptr(&e2) as usize, Rc::as_ptr(expr) as usize);
                if let Some(&(_, v)) = self.let_cache.get(&key) {
                    if self.track.is_some() {
                        self.note_read(v);
                    }
                    return Ok(Resolved::Vertex(v, false));
                }
                let v = self.new_vertex(None, Label(0));
                self.vm(v).detached = true;
                self.vm(v).conjuncts.push(Conjunct {
                    expr: expr.clone(),
                    env: e2.clone(),
                    info: Info::default(),
                });
                self.let_cache.insert(key, (e2, v));
                if self.track.is_some() {
                    self.note_let(v);
                    self.note_read(v);
                }
                Ok(Resolved::Vertex(v, false))
            }
            ExprKind::Selector(base, label) => {
                if let ExprKind::Import(path) = &base.kind {
                    // plan-api: a package loaded from the module (program.rs)
                    // selects from that instance's root vertex.
                    if let Some(r) = self.module_import(path, *label, span) {
                        return r.map(|a| Resolved::Vertex(a, label.is_def()));
                    }
                    // stdlib: a CUE-defined member (`uuid.ns`) is a vertex
                    // whose fields can be selected.
                    return self.import_member(path, *label, span).map(|v| match v {
                        Value::Vertex(id) => Resolved::Vertex(id, label.is_def()),
                        v => Resolved::Value(v),
                    });
                }
                let (b, closing) = match self.resolve(base, env)? {
                    Resolved::Vertex(b, c) => (b, c),
                    Resolved::Value(v) => return Err(self.not_selectable(base, &v)),
                };
                let b = self.deref_default(b, span)?;
                // (A scalar may still carry definitions: `{3, #foo: 1}`.)
                if self.v(b).status != Status::Evaluating && self.arc(b, *label).is_none() {
                    let value = self.v(b).value.clone();
                    let kind = value.kind();
                    if !matches!(value, Value::Bottom(_) | Value::Disj(_) | Value::Vertex(_))
                        && !kind.overlaps(Kind::STRUCT | Kind::LIST)
                    {
                        return Err(self.not_selectable(base, &value));
                    }
                    if matches!(value, Value::List) && label.is_regular() {
                        let name = self.labels.name(*label);
                        let at = label_span(span, &name);
                        return Err(
                            self.error(format!("invalid list index {name} (type string)"), at)
                        );
                    }
                }
                self.select(b, *label, span)
                    .map(|a| Resolved::Vertex(a, closing || label.is_def()))
            }
            ExprKind::Index(base, index) => {
                let (b, closing) = match self.resolve(base, env)? {
                    Resolved::Vertex(b, c) => (b, c),
                    Resolved::Value(v) => {
                        let msg = format!("invalid operation: {} (cannot index)", self.show(&v));
                        return Err(self.error(msg, span));
                    }
                };
                let b = self.deref_default(b, span)?;
                let idx = self.eval_value(index, env);
                let idx = self.concrete(idx)?;
                self.index(b, &idx, span)
                    .map(|a| Resolved::Vertex(a, closing))
            }
            ExprKind::Vertex(id) => {
                if self.track.is_some() {
                    self.note_read(*id);
                }
                Ok(Resolved::Vertex(*id, false))
            }
            // A module package used as a value (embedded or referenced whole).
            ExprKind::Import(p)
                if crate::builtins::package(p).is_none() && self.packages.contains_key(p) =>
            {
                Ok(Resolved::Vertex(self.packages[p], false))
            }
            _ => match self.eval_value(e, env) {
                Value::Vertex(id) => Ok(Resolved::Vertex(id, false)),
                Value::Bottom(b) => Err(b),
                other => Ok(Resolved::Value(other)),
            },
        }
    }

    /// Selecting from `base`, whose value `v` can be neither a struct nor
    /// a list (an atom, or a type or bound of other kinds).
    fn not_selectable(&self, base: &ExprRef, v: &Value) -> Rc<Bottom> {
        let msg = format!(
            "invalid operand {} (found {}, want list or struct)",
            self.expr_text(base),
            v.kind().name()
        );
        self.error(msg, base.span)
    }

    /// Evaluates `v` and follows a disjunction to its default.
    pub(crate) fn deref_default(
        &mut self,
        v: VertexId,
        span: Span,
    ) -> Result<VertexId, Rc<Bottom>> {
        self.evaluate(v);
        let vx = self.v(v);
        if vx.status == Status::Evaluating {
            return Ok(v);
        }
        match &vx.value {
            Value::Disj(list) => {
                let defaults: Vec<VertexId> =
                    list.iter().filter(|(_, d)| *d).map(|(x, _)| *x).collect();
                if defaults.len() == 1 {
                    return self.deref_default(defaults[0], span);
                }
                let msg = format!("unresolved disjunction {}", self.show_vertex_compact(v));
                Err(self.incomplete(msg, span))
            }
            _ => Ok(v),
        }
    }

    /// The arc `label` of `b` (evaluated to have its arcs).
    pub(crate) fn select(
        &mut self,
        b: VertexId,
        label: Label,
        span: Span,
    ) -> Result<VertexId, Rc<Bottom>> {
        if self.v(b).status != Status::Evaluating {
            if let Value::Bottom(e) = &self.v(b).value {
                // Selecting from an error yields the error.
                if !e.is_incomplete() {
                    return Err(e.clone());
                }
            }
        }
        if let Some(a) = self.arc(b, label) {
            return Ok(a);
        }
        let name = self.labels.name(label);
        let rejected = self.v(b).status != Status::Evaluating
            && matches!(self.v(b).value, Value::Struct)
            && self.closed_rejects(b, label);
        let optional = self
            .v(b)
            .constraints
            .iter()
            .any(|c| matches!(c.kind, ConstraintKind::Optional(l) if l == label));
        // Messages name the label as paths do.
        let shown = self.labels.path_segment(label);
        let label_span = label_span(span, &shown);
        match &self.v(b).value {
            Value::Bottom(e) => Err(e.clone()),
            _ if self.v(b).status == Status::Evaluating => {
                Err(self.not_yet(b, format!("undefined field: {name}"), span))
            }
            Value::Struct if rejected => {
                // A closed struct can never get the field.
                Err(self.error(format!("undefined field: {shown}"), label_span))
            }
            Value::Struct if optional => Err(self.incomplete(
                format!("cannot reference optional field: {shown}"),
                label_span,
            )),
            Value::Struct | Value::Top => {
                Err(self.incomplete(format!("undefined field: {shown}"), label_span))
            }
            Value::List => Err(self.error(format!("undefined field: {name}"), span)),
            v if v.is_atom() => {
                let v = v.clone();
                Err(self.error(
                    format!("invalid selector {name}: {} is not a struct", self.show(&v)),
                    span,
                ))
            }
            _ => Err(self.incomplete(format!("undefined field: {name}"), span)),
        }
    }

    fn index(&mut self, b: VertexId, idx: &Value, span: Span) -> Result<VertexId, Rc<Bottom>> {
        match idx {
            Value::Num(n) => {
                let Some(i) = n.to_i64() else {
                    return Err(self.error(format!("invalid index {n}"), span));
                };
                match self.v(b).value.clone() {
                    Value::List => {}
                    Value::Bottom(e) => return Err(e),
                    Value::Struct => {
                        return Err(
                            self.error(format!("invalid list index {i} (type struct)"), span)
                        )
                    }
                    _ if self.v(b).status == Status::Evaluating => {
                        return Err(self.incomplete(format!("index {i} not yet known"), span))
                    }
                    other if !other.is_atom() => {
                        return Err(
                            self.incomplete(format!("index into incomplete value {i}"), span)
                        )
                    }
                    other => {
                        return Err(self.error(
                            format!("invalid operation: {} (cannot index)", self.show(&other)),
                            span,
                        ))
                    }
                }
                let len = self
                    .v(b)
                    .arcs
                    .iter()
                    .filter(|(l, _)| l.as_index().is_some())
                    .count();
                if i < 0 {
                    return Err(self.error(
                        format!("invalid list index {i} (index must be non-negative)"),
                        span,
                    ));
                }
                match self.arc(b, Label::index(i as usize)) {
                    Some(a) => Ok(a),
                    None if i as usize == len => {
                        Err(self.error(format!("index out of range [{i}] with length {len}"), span))
                    }
                    None => {
                        Err(self.error(format!("invalid list index {i} (out of bounds)"), span))
                    }
                }
            }
            Value::Str(s) => {
                let l = self.labels.ident(s);
                let l = if l.is_regular() {
                    l
                } else {
                    self.labels.string(s)
                };
                self.select(b, l, span)
            }
            Value::Bottom(b) => Err(b.clone()),
            // A type or bound may still become a concrete index (`_` is
            // never one, as in the reference).
            other
                if !other.is_atom()
                    && !matches!(other, Value::Top)
                    && (other.kind().overlaps(crate::value::Kind::STRING)
                        || other.kind().overlaps(crate::value::Kind::INT)) =>
            {
                let msg = format!(
                    "invalid non-ground value {} (must be concrete {})",
                    self.show(other),
                    self.kind_name(other)
                );
                Err(self.incomplete(msg, span))
            }
            other => Err(self.error(format!("invalid index {}", self.show(other)), span)),
        }
    }

    /// A value that must be concrete (defaults taken).
    pub(crate) fn concrete(&mut self, v: Value) -> Result<Value, Rc<Bottom>> {
        match v {
            Value::Bottom(b) => Err(b),
            Value::Vertex(id) => {
                let d = self.deref_default(id, Span::default())?;
                if self.v(d).status == Status::Evaluating {
                    // Elements created early (see the fixpoint) or a cycle.
                    return match self.partial(d) {
                        Some(Value::List) => Ok(Value::Vertex(d)),
                        _ => Err(self.not_yet(d, "cycle error".into(), Span::default())),
                    };
                }
                match self.v(d).value.clone() {
                    Value::Struct | Value::List => Ok(Value::Vertex(d)),
                    Value::Bottom(b) => Err(b),
                    other => self.concrete(other),
                }
            }
            v => Ok(v),
        }
    }
}

impl Evaluator {
    /// Evaluates a dynamic field's key to a label.
    pub(crate) fn eval_label(&mut self, key: &ExprRef, env: &Rc<Env>) -> Result<Label, Rc<Bottom>> {
        let v = self.eval_value(key, env);
        match self.concrete(v)? {
            Value::Str(s) => Ok(self.labels.string(&s)),
            Value::Top | Value::Basic(_) | Value::Bound(_) | Value::Constraint(_) => {
                Err(self.incomplete("incomplete label".into(), key.span))
            }
            other => {
                let msg = format!(
                    "invalid label {}: label must be a string (type {})",
                    self.show(&other),
                    self.kind_name(&other)
                );
                Err(self.error(msg, key.span))
            }
        }
    }
}

/// The span of the label `text` that ends the selector spanning `span`.
fn label_span(span: Span, text: &str) -> Span {
    Span::new(
        span.file,
        span.end.saturating_sub(text.len() as u32),
        span.end,
    )
}
