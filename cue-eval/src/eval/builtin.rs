//! The predeclared functions (spec "Builtin functions"): `len` (bytes of a
//! string, elements of a list, regular fields of a struct), `close`, `and`
//! (unify a list's elements), `or` (disjunction of a list's elements), and
//! the integer divisions `div mod` (Euclidean) and `quo rem` (truncating).

use super::*;
use crate::compile::ir::{Builtin, ExprKind};
use crate::num::{NumError, Number};

impl Evaluator {
    pub(crate) fn call_builtin(
        &mut self,
        b: Builtin,
        args: &[ExprRef],
        env: &Rc<Env>,
        span: Span,
        infix: bool,
    ) -> Value {
        let want = match b {
            Builtin::Len | Builtin::Close | Builtin::And | Builtin::Or => 1,
            _ => 2,
        };
        if args.len() != want {
            let msg = format!(
                "{} arguments in call to {} (have {}, want {want})",
                if args.len() > want {
                    "too many"
                } else {
                    "not enough"
                },
                b.name(),
                args.len()
            );
            return self.bottom(Code::Eval, msg, vec![span]);
        }
        match b {
            Builtin::Close => {
                let call = Rc::new(crate::compile::ir::Expr {
                    span,
                    kind: ExprKind::Call(
                        Rc::new(crate::compile::ir::Expr {
                            span,
                            kind: ExprKind::Builtin(Builtin::Close),
                        }),
                        args.to_vec(),
                    ),
                });
                let v = self.anon_conjunct(&call, env);
                self.value_of(v)
            }
            Builtin::Len => {
                let v = self.eval_value(&args[0], env);
                let v = match self.concrete(v) {
                    Ok(v) => v,
                    Err(e) => return Value::Bottom(e),
                };
                let n = match &v {
                    Value::Str(s) => s.len(),
                    Value::Bytes(b) => b.len(),
                    Value::Vertex(id) => {
                        let id = *id;
                        match self.v(id).value {
                            _ if self.is_list(id) => self.list_elems(id).len(),
                            _ => self
                                .v(id)
                                .arcs
                                .iter()
                                .filter(|(l, _)| l.is_regular())
                                .count(),
                        }
                    }
                    Value::Top | Value::Basic(_) | Value::Bound(_) | Value::Constraint(_) => {
                        let msg = format!("non-concrete value {} in operand to len", self.show(&v));
                        return self.bottom(Code::Incomplete, msg, vec![span]);
                    }
                    other => {
                        let msg = format!(
                            "invalid argument {} (type {}) for len",
                            self.show(other),
                            self.kind_name(other)
                        );
                        return self.bottom(Code::Eval, msg, vec![span]);
                    }
                };
                Value::num(Number::from_i64(n as i64))
            }
            Builtin::And | Builtin::Or => {
                let v = self.eval_value(&args[0], env);
                let id = match self.concrete(v) {
                    Ok(Value::Vertex(id)) if self.is_list(id) => id,
                    Ok(other) => {
                        let msg = format!(
                            "cannot use {} (type {}) as list in argument 1 to {}",
                            self.show(&other),
                            self.kind_name(&other),
                            b.name()
                        );
                        return self.bottom(Code::Eval, msg, vec![span]);
                    }
                    Err(e) => return Value::Bottom(e),
                };
                let elems = self.list_elems(id);
                let exprs: Vec<ExprRef> =
                    elems.iter().map(|&e| self.vertex_expr(e, span)).collect();
                let kind = if b == Builtin::And {
                    if exprs.is_empty() {
                        return Value::Top;
                    }
                    ExprKind::Unify(exprs)
                } else {
                    if exprs.is_empty() {
                        return self.bottom(
                            Code::Incomplete,
                            "empty list in call to or",
                            vec![span],
                        );
                    }
                    ExprKind::Disj(Rc::new(exprs.into_iter().map(|e| (e, false)).collect()))
                };
                let e = Rc::new(crate::compile::ir::Expr { span, kind });
                let v = self.anon(&e, env);
                self.value_of(v)
            }
            Builtin::Div | Builtin::Mod | Builtin::Quo | Builtin::Rem => {
                // As the reference: an operator first needs both operands
                // concrete (else it is incomplete); a call reports an
                // argument of the wrong type even next to a missing one.
                let operands: Vec<_> = args
                    .iter()
                    .map(|a| {
                        let v = self.eval_value(a, env);
                        self.operand(v, b.name(), span)
                    })
                    .collect();
                if infix {
                    if let Some(Err(e)) = operands.iter().find(|r| r.is_err()) {
                        return Value::Bottom(e.clone());
                    }
                    let ints = operands
                        .iter()
                        .all(|r| matches!(r, Ok(Value::Num(n)) if n.is_int_kind()));
                    if let (false, [Ok(x), Ok(y)]) = (ints, operands.as_slice()) {
                        let msg = format!(
                            "invalid operands {} and {} to '{}' (type {} and {})",
                            self.show(x),
                            self.show(y),
                            b.name(),
                            self.kind_name(x),
                            self.kind_name(y)
                        );
                        return self.bottom(Code::Eval, msg, vec![span, args[1].span]);
                    }
                }
                let mut nums = Vec::new();
                let mut missing = None;
                for (i, r) in operands.into_iter().enumerate() {
                    match r {
                        Ok(Value::Num(n)) if n.is_int_kind() => nums.push(n),
                        Ok(other) => {
                            let msg = format!(
                                "cannot use {} (type {}) as int in argument {} to {}",
                                self.show(&other),
                                self.kind_name(&other),
                                i + 1,
                                b.name()
                            );
                            let at = if infix { span } else { args[i].span };
                            return self.bottom(Code::Eval, msg, vec![at]);
                        }
                        Err(e) => {
                            missing.get_or_insert(e);
                        }
                    }
                }
                if let Some(e) = missing {
                    return Value::Bottom(e);
                }
                let (x, y) = (&nums[0], &nums[1]);
                let r = match b {
                    Builtin::Div => x.int_div(y),
                    Builtin::Mod => x.int_mod(y),
                    Builtin::Quo => x.int_quo(y),
                    _ => x.int_rem(y),
                };
                match r {
                    Ok(n) => Value::num(n),
                    Err(NumError::DivisionByZero) => {
                        self.bottom(Code::Eval, "division by zero", vec![span])
                    }
                    Err(e) => self.bottom(Code::Eval, e.to_string(), vec![span]),
                }
            }
        }
    }

    /// A detached vertex with one conjunct, evaluated (no value shortcut).
    pub(crate) fn anon_conjunct(&mut self, e: &ExprRef, env: &Rc<Env>) -> VertexId {
        self.anon(e, env)
    }
}
