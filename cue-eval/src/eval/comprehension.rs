//! Comprehensions (spec "Comprehensions"): clauses run left to right; `for`
//! evaluates its source completely and iterates the regular fields of a
//! struct (in insertion order) or the elements of a list, binding key and
//! value in a new environment whose vertex holds them as arcs; `if` needs a
//! concrete bool; `let` binds a name. The result is one environment per
//! yielded body; an incomplete source or condition defers the whole
//! comprehension.

use super::*;
use crate::compile::ir::{Clause, Comprehension};
use crate::num::Number;

impl Evaluator {
    /// Runs the clauses; returns the environments to evaluate the body in.
    pub(crate) fn run_comprehension(
        &mut self,
        comp: &Comprehension,
        env: &Rc<Env>,
    ) -> Result<Vec<Rc<Env>>, Rc<Bottom>> {
        let mut out = Vec::new();
        self.clauses(&comp.clauses, env, &mut out)?;
        Ok(out)
    }

    fn clauses(
        &mut self,
        clauses: &[Clause],
        env: &Rc<Env>,
        out: &mut Vec<Rc<Env>>,
    ) -> Result<(), Rc<Bottom>> {
        let Some((first, rest)) = clauses.split_first() else {
            out.push(env.clone());
            return Ok(());
        };
        match first {
            Clause::If(cond) => {
                let v = self.eval_value(cond, env);
                match self.concrete(v)? {
                    Value::Bool(true) => self.clauses(rest, env, out),
                    Value::Bool(false) => Ok(()),
                    Value::Top | Value::Basic(_) | Value::Bound(_) | Value::Constraint(_) => {
                        Err(Rc::new(Bottom {
                            code: Code::Incomplete,
                            message: "incomplete condition".into(),
                            spans: vec![cond.span],
                            vertex: None,
                            causes: Vec::new(),
                        }))
                    }
                    other => Err(Rc::new(Bottom {
                        code: Code::Eval,
                        message: format!(
                            "cannot use {} (type {}) as type bool",
                            self.show(&other),
                            self.kind_name(&other)
                        ),
                        spans: vec![cond.span],
                        vertex: None,
                        causes: Vec::new(),
                    })),
                }
            }
            Clause::Let { name, expr } => {
                let s = self.new_vertex(None, Label(0));
                self.vm(s).detached = true;
                let a = self.new_vertex(Some(s), *name);
                self.vm(a).conjuncts.push(Conjunct {
                    expr: expr.clone(),
                    env: env.clone(),
                    info: Info::default(),
                });
                self.push_arc(s, *name, a);
                self.vm(s).status = Status::Finalized;
                self.vm(s).value = Value::Struct;
                let e2 = Rc::new(Env {
                    up: Some(env.clone()),
                    vertex: s,
                    dyn_label: None,
                });
                self.clauses(rest, &e2, out)
            }
            Clause::For { key, value, source } => {
                let src = match self.resolve(source, env)? {
                    resolve::Resolved::Vertex(id, _) => id,
                    resolve::Resolved::Value(v) => {
                        return Err(self.cannot_range(&v, source.span));
                    }
                };
                let src = self.deref_default(src, source.span)?;
                self.finalize(src);
                let items: Vec<(Value, VertexId)> = match self.v(src).value.clone() {
                    Value::List => self
                        .list_elems(src)
                        .into_iter()
                        .enumerate()
                        .map(|(i, a)| (Value::num(Number::from_i64(i as i64)), a))
                        .collect(),
                    Value::Struct => {
                        let arcs = self.v(src).arcs.clone();
                        arcs.into_iter()
                            .filter(|(l, _)| l.is_regular())
                            .map(|(l, a)| (Value::str(self.labels.str(l)), a))
                            .collect()
                    }
                    Value::Bottom(b) => return Err(b),
                    _ if self.v(src).status == Status::Evaluating => {
                        return Err(Rc::new(Bottom {
                            code: Code::Cycle,
                            message: "cycle in comprehension source".into(),
                            spans: vec![source.span],
                            vertex: None,
                            causes: Vec::new(),
                        }))
                    }
                    other if other.is_atom() => return Err(self.cannot_range(&other, source.span)),
                    // A type that can never be a list or struct (`e: int`)
                    // is a permanent error, as in the reference.
                    other @ (Value::Basic(_) | Value::Bound(_) | Value::Constraint(_))
                        if !other.kind().overlaps(crate::value::Kind::LIST)
                            && !other.kind().overlaps(crate::value::Kind::STRUCT) =>
                    {
                        return Err(self.cannot_range(&other, source.span));
                    }
                    other => {
                        return Err(Rc::new(Bottom {
                            code: Code::Incomplete,
                            message: format!(
                                "cannot range over {} (incomplete)",
                                self.show(&other)
                            ),
                            spans: vec![source.span],
                            vertex: None,
                            causes: Vec::new(),
                        }))
                    }
                };
                for (k, a) in items {
                    if let Value::Bottom(b) = self.v(a).value.clone() {
                        if !b.is_incomplete() {
                            return Err(b);
                        }
                    }
                    let s = self.new_vertex(None, Label(0));
                    self.vm(s).detached = true;
                    if let Some(kl) = key {
                        let kv = self.new_vertex(Some(s), *kl);
                        self.vm(kv).conjuncts.push(Conjunct {
                            expr: Rc::new(crate::compile::ir::Expr {
                                span: source.span,
                                kind: crate::compile::ir::ExprKind::Value(k.clone()),
                            }),
                            env: env.clone(),
                            info: Info::default(),
                        });
                        self.push_arc(s, *kl, kv);
                    }
                    self.push_arc(s, *value, a);
                    self.vm(s).status = Status::Finalized;
                    self.vm(s).value = Value::Struct;
                    let e2 = Rc::new(Env {
                        up: Some(env.clone()),
                        vertex: s,
                        dyn_label: None,
                    });
                    self.clauses(rest, &e2, out)?;
                }
                Ok(())
            }
        }
    }

    fn cannot_range(&self, v: &Value, span: Span) -> Rc<Bottom> {
        Rc::new(Bottom {
            code: Code::Eval,
            message: format!(
                "cannot range over {} (found {}, want list or struct)",
                self.show(v),
                self.kind_name(v)
            ),
            spans: vec![span],
            vertex: None,
            causes: Vec::new(),
        })
    }
}
