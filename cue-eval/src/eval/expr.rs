//! Evaluating expressions to values (spec "Expressions"): literals are
//! values; struct, list, `&` and `|` operands are unified in anonymous
//! vertices; references yield the referenced vertex's value (composites as
//! `Value::Vertex`); interpolations convert numbers by their decimal text.

use super::*;
use crate::compile::ir::{BinOp, BoundOp, ExprKind, InterpPart};
use crate::value::{Bound, Kind};

impl Evaluator {
    /// A new detached vertex holding one conjunct, evaluated.
    pub(crate) fn anon(&mut self, e: &ExprRef, env: &Rc<Env>) -> VertexId {
        let v = self.new_vertex(None, Label(0));
        self.vm(v).detached = true;
        self.vm(v).conjuncts.push(Conjunct {
            expr: e.clone(),
            env: env.clone(),
            info: Info::default(),
        });
        self.evaluate(v);
        v
    }

    /// The value of a vertex for use as an operand.
    pub(crate) fn value_of(&mut self, id: VertexId) -> Value {
        self.evaluate(id);
        let vx = self.v(id);
        if vx.status == Status::Unprocessed {
            // A provisional result (reference cycle).
            return vx.value.clone();
        }
        if vx.status == Status::Evaluating {
            if let Some(Value::List) = self.partial(id) {
                return Value::Vertex(id);
            }
            if let Some(p) = self.partial(id) {
                return p.clone();
            }
            return Value::Bottom(Rc::new(Bottom {
                code: Code::Cycle,
                message: "cycle error".into(),
                spans: vec![],
                vertex: None,
                causes: Vec::new(),
            }));
        }
        match &vx.value {
            Value::Struct | Value::List | Value::Disj(_) => Value::Vertex(id),
            other => other.clone(),
        }
    }

    /// Evaluates an expression.
    pub(crate) fn eval_value(&mut self, e: &ExprRef, env: &Rc<Env>) -> Value {
        let span = e.span;
        match &e.kind {
            ExprKind::Top => Value::Top,
            ExprKind::Bottom => self.bottom(
                Code::User,
                "explicit error (_|_ literal) in source",
                vec![span],
            ),
            ExprKind::Null => Value::Null,
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::Num(n) => Value::Num(n.clone()),
            ExprKind::Str(s) => Value::Str(s.clone()),
            ExprKind::Bytes(b) => Value::Bytes(b.clone()),
            ExprKind::Basic(k) => Value::Basic(*k),
            ExprKind::Bound(op, x) => {
                let v = self.eval_value(x, env);
                match self.concrete(v) {
                    Ok(Value::Null) if *op != BoundOp::Ne => self.bottom(
                        Code::Eval,
                        format!("cannot use null for bound {}", op.as_str()),
                        vec![x.span],
                    ),
                    Ok(v @ Value::Bool(_)) => {
                        let msg = format!(
                            "invalid value {} (type bool) for bound {}",
                            self.show(&v),
                            op.as_str()
                        );
                        self.bottom(Code::Eval, msg, vec![x.span])
                    }
                    Ok(v) if v.is_atom() => Value::Bound(Rc::new(Bound { op: *op, value: v })),
                    Ok(v) => {
                        // A value of a kind a bound could take may still
                        // become concrete; any other kind is an error.
                        let k = match &v {
                            Value::Vertex(id) => self.v(*id).value.kind(),
                            other => other.kind(),
                        };
                        let mut mask = Kind::NUMBER | Kind::STRING | Kind::BYTES;
                        if *op == BoundOp::Ne {
                            mask = mask | Kind::NULL;
                        }
                        if k.overlaps(mask) {
                            let msg = format!(
                                "non-concrete value {} for bound {}",
                                self.show(&v),
                                op.as_str()
                            );
                            self.bottom(Code::Incomplete, msg, vec![span])
                        } else {
                            let msg = format!(
                                "invalid value {} (type {}) for bound {}",
                                self.show(&v),
                                k.name(),
                                op.as_str()
                            );
                            self.bottom(Code::Eval, msg, vec![x.span])
                        }
                    }
                    Err(b) => Value::Bottom(b),
                }
            }
            ExprKind::Struct(_) | ExprKind::List(_) | ExprKind::Unify(_) | ExprKind::Disj(_) => {
                let v = self.anon(e, env);
                self.value_of(v)
            }
            ExprKind::FieldRef { .. }
            | ExprKind::Selector(..)
            | ExprKind::Index(..)
            | ExprKind::LetRef { .. }
            | ExprKind::LabelRef { .. }
            | ExprKind::DynFieldRef { .. } => match self.resolve(e, env) {
                Ok(resolve::Resolved::Vertex(id, _)) => self.value_of(id),
                Ok(resolve::Resolved::Value(v)) => v,
                Err(b) => Value::Bottom(b),
            },
            ExprKind::Import(p) if self.packages.contains_key(p) => match self.resolve(e, env) {
                Ok(resolve::Resolved::Vertex(id, _)) => self.value_of(id),
                Ok(resolve::Resolved::Value(v)) => v,
                Err(b) => Value::Bottom(b),
            },
            ExprKind::Import(p) => self.bottom(
                Code::Eval,
                format!("cannot use package {p:?} as value"),
                vec![span],
            ),
            ExprKind::Slice(base, lo, hi) => self.slice(base, lo, hi, env, span),
            ExprKind::Neg(x) | ExprKind::Plus(x) | ExprKind::Not(x) => {
                let v = self.eval_value(x, env);
                self.unary(&e.kind, v, span)
            }
            ExprKind::Binary(op @ (BinOp::Eq | BinOp::Ne), a, b)
                if matches!(a.kind, ExprKind::Bottom) || matches!(b.kind, ExprKind::Bottom) =>
            {
                // `x == _|_` tests whether x is an error (spec "Comparison
                // operators"; non-monotonic). A cycle defers the test.
                let other = if matches!(a.kind, ExprKind::Bottom) {
                    b
                } else {
                    a
                };
                let v = self.eval_value(other, env);
                let is_bottom = match &v {
                    Value::Bottom(e) if e.code == Code::Cycle => return v,
                    Value::Bottom(_) => true,
                    _ => false,
                };
                Value::Bool(is_bottom == (*op == BinOp::Eq))
            }
            ExprKind::Binary(op @ (BinOp::And | BinOp::Or), a, b) => {
                if let Some(e) = self.non_concrete_operands(*op, a, b, env) {
                    return e;
                }
                // Both operands must be concrete; then `true || x` and
                // `false && x` do not look at the type of `x`.
                let av = self.eval_value(a, env);
                let bv = self.eval_value(b, env);
                // Disjunctions stand for their defaults.
                let (av, bv) = match (self.concrete(av), self.concrete(bv)) {
                    (Ok(x), Ok(y)) => (x, y),
                    (Err(e), _) | (_, Err(e)) => return Value::Bottom(e),
                };
                let concrete = |v: &Value| v.is_atom() || matches!(v, Value::Vertex(_));
                if !concrete(&av) || !concrete(&bv) {
                    return self.binop(*op, av, bv, span);
                }
                match (&av, op) {
                    (Value::Bool(true), BinOp::Or) | (Value::Bool(false), BinOp::And) => return av,
                    _ => {}
                }
                for (v, at) in [(&av, vec![span]), (&bv, vec![span, b.span])] {
                    let (shown, kind) = match v {
                        Value::Bool(_) => continue,
                        Value::Vertex(id) => {
                            self.finalize(*id);
                            (self.show_vertex_compact(*id), self.v(*id).value.kind())
                        }
                        other => (self.show(other), other.kind()),
                    };
                    let msg = format!(
                        "cannot use {shown} (type {}) as type bool in {}",
                        kind.name(),
                        op.as_str()
                    );
                    return self.bottom(Code::Eval, msg, at);
                }
                self.binop(*op, av, bv, span)
            }
            ExprKind::Binary(op, a, b) => {
                if let Some(e) = self.non_concrete_operands(*op, a, b, env) {
                    return e;
                }
                let av = self.eval_value(a, env);
                let bv = self.eval_value(b, env);
                self.binop(*op, av, bv, span)
            }
            ExprKind::Interp { parts, bytes } => self.interpolate(parts, *bytes, env, span),
            ExprKind::Call(f, args) => {
                let fv = self.eval_value(f, env);
                match fv {
                    // An operator (`x mod y`) compiles to a call whose
                    // callee has no position.
                    Value::Builtin(b) => {
                        self.call_builtin(b, args, env, span, f.span.is_synthetic())
                    }
                    Value::Func(func) => self.call_stdlib(func, args, env, span),
                    Value::Bottom(b) => Value::Bottom(b),
                    other => {
                        let msg = format!("cannot call non-function {}", self.show(&other));
                        self.bottom(Code::Eval, msg, vec![span])
                    }
                }
            }
            ExprKind::Builtin(b) => Value::Builtin(*b),
            ExprKind::Vertex(id) => self.value_of(*id),
            ExprKind::Value(v) => v.clone(),
        }
    }

    /// The first operand, in source order of the nested operations, that
    /// can never be concrete.
    fn non_concrete_operands(
        &mut self,
        op: BinOp,
        a: &ExprRef,
        b: &ExprRef,
        env: &Rc<Env>,
    ) -> Option<Value> {
        for x in [a, b] {
            if let ExprKind::Binary(op2, a2, b2) = &x.kind {
                if let Some(e) = self.non_concrete_operands(*op2, a2, b2, env) {
                    return Some(e);
                }
            }
        }
        self.non_concrete_operand(op, a, env)
            .or_else(|| self.non_concrete_operand(op, b, env))
    }

    /// An operand written as a type, bound or `_` can never be concrete:
    /// a permanent error, as the reference's compiler reports it.
    fn non_concrete_operand(&mut self, op: BinOp, x: &ExprRef, env: &Rc<Env>) -> Option<Value> {
        if !matches!(
            x.kind,
            ExprKind::Top | ExprKind::Basic(_) | ExprKind::Bound(..)
        ) {
            return None;
        }
        let v = self.eval_value(x, env);
        if matches!(v, Value::Bottom(_)) {
            return Some(v);
        }
        let msg = format!(
            "invalid operand {} ('{}' requires concrete value)",
            self.show(&v),
            op.as_str()
        );
        Some(self.bottom(Code::Eval, msg, vec![x.span]))
    }

    fn unary(&mut self, k: &ExprKind, v: Value, span: Span) -> Value {
        let (op, v) = match k {
            ExprKind::Neg(_) => ("-", v),
            ExprKind::Plus(_) => ("+", v),
            _ => ("!", v),
        };
        let v = match self.operand(v, op, span) {
            Ok(v) => v,
            Err(b) => return Value::Bottom(b),
        };
        match (op, &v) {
            ("-", Value::Num(n)) => Value::num(n.neg()),
            ("+", Value::Num(_)) => v,
            ("!", Value::Bool(b)) => Value::Bool(!b),
            _ => {
                let msg = format!(
                    "invalid operation {op}{} ({op} {})",
                    self.show(&v),
                    self.kind_name(&v)
                );
                self.bottom(Code::Eval, msg, vec![span])
            }
        }
    }

    /// A concrete operand, or an error (incomplete for non-concrete values).
    pub(crate) fn operand(&mut self, v: Value, op: &str, span: Span) -> Result<Value, Rc<Bottom>> {
        let v = self.concrete(v)?;
        match &v {
            Value::Top | Value::Basic(_) | Value::Bound(_) | Value::Constraint(_) => {
                Err(Rc::new(Bottom {
                    code: Code::Incomplete,
                    message: format!("non-concrete value {} in operand to {op}", self.show(&v)),
                    spans: vec![span],
                    vertex: None,
                    causes: Vec::new(),
                }))
            }
            _ => Ok(v),
        }
    }

    fn interpolate(
        &mut self,
        parts: &[InterpPart],
        bytes: bool,
        env: &Rc<Env>,
        span: Span,
    ) -> Value {
        let mut out: Vec<u8> = Vec::new();
        for p in parts {
            match p {
                InterpPart::Text(t) => out.extend_from_slice(t),
                InterpPart::Expr(x) => {
                    let v = self.eval_value(x, env);
                    let v = match self.concrete(v) {
                        Ok(v) => v,
                        Err(b) => return Value::Bottom(b),
                    };
                    if self.value_holds_secret(&v) {
                        return self.secret_misuse("an interpolation", x.span);
                    }
                    match &v {
                        Value::Str(s) => out.extend_from_slice(s.as_bytes()),
                        Value::Bytes(b) => out.extend_from_slice(b),
                        Value::Num(n) => out.extend_from_slice(n.to_string().as_bytes()),
                        Value::Bool(b) => out.extend_from_slice(b.to_string().as_bytes()),
                        Value::Top | Value::Basic(_) | Value::Bound(_) | Value::Constraint(_) => {
                            let msg = format!("incomplete string value {}", self.show(&v));
                            return self.bottom(Code::Incomplete, msg, vec![x.span]);
                        }
                        _ => {
                            let msg = format!(
                                "invalid interpolation: cannot use {} (type {}) as type (bool|string|bytes|number)",
                                self.show(&v),
                                self.kind_name(&v)
                            );
                            return self.bottom(Code::Eval, msg, vec![span]);
                        }
                    }
                    // Checked as it grows once large, and at the end.
                    if out.len() > 1 << 20 {
                        if let Err(b) = self.check_interpolation(out.len(), bytes, span) {
                            return b;
                        }
                    }
                }
            }
        }
        if let Err(b) = self.check_interpolation(out.len(), bytes, span) {
            return b;
        }
        self.charge_built(out.len());
        if bytes {
            Value::Bytes(Rc::from(out.as_slice()))
        } else {
            Value::Str(Rc::from(String::from_utf8_lossy(&out).as_ref()))
        }
    }

    /// Checks the size of an interpolation being built.
    fn check_interpolation(&self, len: usize, bytes: bool, span: Span) -> Result<(), Value> {
        let size = if bytes {
            super::limit::Built::Bytes(len as u64)
        } else {
            super::limit::Built::Str(len as u64)
        };
        self.check_build("interpolation", size, span)
    }

    /// The kind name of a value for messages.
    pub(crate) fn kind_name(&self, v: &Value) -> String {
        match v {
            Value::Vertex(id) => match &self.v(*id).value {
                Value::List => "list".into(),
                Value::Struct => "struct".into(),
                other => other.kind().name(),
            },
            other => other.kind().name(),
        }
    }

    fn slice(
        &mut self,
        base: &ExprRef,
        lo: &Option<ExprRef>,
        hi: &Option<ExprRef>,
        env: &Rc<Env>,
        span: Span,
    ) -> Value {
        let b = self.eval_value(base, env);
        let b = match self.concrete(b) {
            Ok(b) => b,
            Err(e) => return Value::Bottom(e),
        };
        let bound = |this: &mut Evaluator, x: &Option<ExprRef>, def: i64| -> Result<i64, Value> {
            match x {
                None => Ok(def),
                Some(x) => {
                    let v = this.eval_value(x, env);
                    match this.concrete(v) {
                        Ok(Value::Num(n)) => n.to_i64().ok_or_else(|| {
                            this.bottom(Code::Eval, "invalid slice index", vec![span])
                        }),
                        Ok(_) => Err(this.bottom(Code::Eval, "invalid slice index", vec![span])),
                        Err(b) => Err(Value::Bottom(b)),
                    }
                }
            }
        };
        match b {
            Value::Vertex(id) if matches!(self.v(id).value, Value::List) => {
                let elems: Vec<VertexId> = self.list_elems(id);
                let lo = match bound(self, lo, 0) {
                    Ok(x) => x,
                    Err(e) => return e,
                };
                let hi = match bound(self, hi, elems.len() as i64) {
                    Ok(x) => x,
                    Err(e) => return e,
                };
                if lo < 0 || hi > elems.len() as i64 || lo > hi {
                    let msg = format!("invalid slice index {lo}:{hi} (out of bounds)");
                    return self.bottom(Code::Eval, msg, vec![span]);
                }
                let exprs: Vec<ExprRef> = elems[lo as usize..hi as usize]
                    .iter()
                    .map(|&x| self.vertex_expr(x, span))
                    .collect();
                let v = self.list_of(exprs, span);
                self.value_of(v)
            }
            Value::Str(s) => {
                let lo = match bound(self, lo, 0) {
                    Ok(x) => x,
                    Err(e) => return e,
                };
                let hi = match bound(self, hi, s.len() as i64) {
                    Ok(x) => x,
                    Err(e) => return e,
                };
                match s.get(lo as usize..hi as usize) {
                    Some(sub) => Value::str(sub),
                    None => self.bottom(Code::Eval, "invalid slice index", vec![span]),
                }
            }
            other => {
                let msg = format!(
                    "cannot slice {} (type {})",
                    self.show(&other),
                    self.kind_name(&other)
                );
                self.bottom(Code::Eval, msg, vec![span])
            }
        }
    }

    /// The element vertices of a list vertex, in index order.
    pub(crate) fn list_elems(&mut self, id: VertexId) -> Vec<VertexId> {
        self.evaluate(id);
        let mut out: Vec<(usize, VertexId)> = self
            .v(id)
            .arcs
            .iter()
            .filter_map(|(l, a)| l.as_index().map(|i| (i, *a)))
            .collect();
        out.sort_by_key(|(i, _)| *i);
        out.into_iter().map(|(_, a)| a).collect()
    }

    /// An expression standing for an evaluated vertex.
    pub(crate) fn vertex_expr(&self, v: VertexId, span: Span) -> ExprRef {
        Rc::new(crate::compile::ir::Expr {
            span,
            kind: ExprKind::Vertex(v),
        })
    }

    /// A new list vertex with the given element expressions.
    pub(crate) fn list_of(&mut self, elems: Vec<ExprRef>, span: Span) -> VertexId {
        use crate::compile::ir::{ListElem, ListLit};
        let lit = ListLit {
            span,
            elems: elems.into_iter().map(ListElem::Expr).collect(),
            ellipsis: None,
        };
        let e = Rc::new(crate::compile::ir::Expr {
            span,
            kind: ExprKind::List(Rc::new(lit)),
        });
        let env = Rc::new(Env {
            up: None,
            vertex: VertexId(0),
            dyn_label: None,
        });
        self.anon(&e, &env)
    }
}
