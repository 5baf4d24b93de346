//! Binary operators (spec "Arithmetic operators", "Comparison operators",
//! "Logical operators"): operands must be concrete (defaults are taken; a
//! non-concrete operand is incomplete); numbers use the 24-digit decimal
//! context, the result is int only if both operands are; `/` is always
//! float; `==` across kinds other than null is an error; strings and bytes
//! concatenate, repeat and compare bytewise; lists concatenate and repeat.

use super::limit::Built;
use super::*;
use crate::compile::ir::{BinOp, BoundOp};
use crate::num::{NumError, Number};
use crate::value::Bound;
use std::cmp::Ordering;

/// A numeric bound's value and whether it is inclusive.
type Extreme = Option<(Number, bool)>;

impl Evaluator {
    /// The count of a string, bytes or list repetition (`"ab" * 3`).
    fn repeat_count(&self, n: &crate::num::Number, span: Span) -> Result<usize, Value> {
        match n.to_i64() {
            Some(k) if k >= 0 => Ok(k as usize),
            Some(_) => Err(self.bottom(
                Code::Eval,
                "cannot convert negative number to uint64",
                vec![span],
            )),
            None => Err(self.bottom(
                Code::Eval,
                format!("repetition count {n} too large"),
                vec![span],
            )),
        }
    }

    /// The count of a string (or `bytes`) repetition whose result would
    /// have `len * count` bytes, checked against the limits and counted.
    fn repeat_size(
        &mut self,
        n: &crate::num::Number,
        len: usize,
        bytes: bool,
        span: Span,
    ) -> Result<usize, Value> {
        let k = self.repeat_count(n, span)?;
        let total = (len as u64).saturating_mul(k as u64);
        if bytes {
            self.check_build("bytes repetition", Built::Bytes(total), span)?;
        } else {
            self.check_build("string repetition", Built::Str(total), span)?;
        }
        self.charge_built(total as usize);
        Ok(k)
    }

    /// The result of arithmetic, which must stay in the decimal context's
    /// exponent range (as the reference's `apd` context).
    pub(crate) fn num_result(&self, n: Number, span: Span) -> Value {
        if n.in_range() {
            Value::num(n)
        } else {
            self.bottom(
                Code::Eval,
                "failed arithmetic: exponent out of range",
                vec![span],
            )
        }
    }

    /// Applies a binary operator.
    pub(crate) fn binop(&mut self, op: BinOp, a: Value, b: Value, span: Span) -> Value {
        let opstr = op.as_str();
        let a = match self.operand(a, opstr, span) {
            Ok(v) => v,
            Err(e) => return Value::Bottom(e),
        };
        let b = match self.operand(b, opstr, span) {
            Ok(v) => v,
            Err(e) => return Value::Bottom(e),
        };
        if matches!(op, BinOp::Add | BinOp::Mul)
            && (self.value_holds_secret(&a) || self.value_holds_secret(&b))
        {
            return self.secret_misuse(&format!("the operand of {opstr}"), span);
        }
        match (op, &a, &b) {
            (BinOp::Add, Value::Num(x), Value::Num(y)) => self.num_result(x.add(y), span),
            (BinOp::Sub, Value::Num(x), Value::Num(y)) => self.num_result(x.sub(y), span),
            (BinOp::Mul, Value::Num(x), Value::Num(y)) => self.num_result(x.mul(y), span),
            (BinOp::Div, Value::Num(x), Value::Num(y)) => match x.div(y) {
                Ok(n) => self.num_result(n, span),
                Err(NumError::DivisionByZero) => {
                    self.bottom(Code::Eval, "division by zero", vec![span])
                }
                Err(e) => self.bottom(Code::Eval, e.to_string(), vec![span]),
            },
            (BinOp::Add, Value::Str(x), Value::Str(y)) => {
                let n = x.len() + y.len();
                if let Err(b) = self.check_build("string concatenation", Built::Str(n as u64), span)
                {
                    return b;
                }
                self.charge_built(n);
                Value::str(&format!("{x}{y}"))
            }
            (BinOp::Add, Value::Bytes(x), Value::Bytes(y)) => {
                let n = x.len() + y.len();
                if let Err(b) =
                    self.check_build("bytes concatenation", Built::Bytes(n as u64), span)
                {
                    return b;
                }
                self.charge_built(n);
                let mut v = x.to_vec();
                v.extend_from_slice(y);
                Value::Bytes(Rc::from(v.as_slice()))
            }
            (BinOp::Mul, Value::Str(s), Value::Num(n))
            | (BinOp::Mul, Value::Num(n), Value::Str(s))
                if n.is_int_kind() =>
            {
                match self.repeat_size(n, s.len(), false, span) {
                    Ok(k) => Value::str(&s.repeat(k)),
                    Err(b) => b,
                }
            }
            (BinOp::Mul, Value::Bytes(s), Value::Num(n))
            | (BinOp::Mul, Value::Num(n), Value::Bytes(s))
                if n.is_int_kind() =>
            {
                match self.repeat_size(n, s.len(), true, span) {
                    Ok(k) => Value::Bytes(Rc::from(s.repeat(k).as_slice())),
                    Err(b) => b,
                }
            }
            (BinOp::Add, Value::Vertex(x), Value::Vertex(y))
                if self.is_list(*x) && self.is_list(*y) =>
            {
                let mut elems = self.list_elems(*x);
                elems.extend(self.list_elems(*y));
                let size = Built::Elems(elems.len() as u64);
                if let Err(b) = self.check_build("list concatenation", size, span) {
                    return b;
                }
                let exprs = elems.iter().map(|&e| self.vertex_expr(e, span)).collect();
                let v = self.list_of(exprs, span);
                self.value_of(v)
            }
            (BinOp::Mul, Value::Vertex(x), Value::Num(n))
            | (BinOp::Mul, Value::Num(n), Value::Vertex(x))
                if self.is_list(*x) && n.is_int_kind() =>
            {
                let k = match self.repeat_count(n, span) {
                    Ok(k) => k,
                    Err(b) => return b,
                };
                let elems = self.list_elems(*x);
                let total = (elems.len() as u64).saturating_mul(k as u64);
                if let Err(b) = self.check_build("list repetition", Built::Elems(total), span) {
                    return b;
                }
                let mut exprs = Vec::with_capacity(total as usize);
                if !elems.is_empty() {
                    for _ in 0..k {
                        exprs.extend(elems.iter().map(|&e| self.vertex_expr(e, span)));
                    }
                }
                let v = self.list_of(exprs, span);
                self.value_of(v)
            }
            (BinOp::And, Value::Bool(x), Value::Bool(y)) => Value::Bool(*x && *y),
            (BinOp::Or, Value::Bool(x), Value::Bool(y)) => Value::Bool(*x || *y),
            (BinOp::Eq | BinOp::Ne, _, _) => {
                let eq = match (&a, &b) {
                    (Value::Null, _) | (_, Value::Null) => {
                        Some(matches!((&a, &b), (Value::Null, Value::Null)))
                    }
                    (Value::Num(x), Value::Num(y)) => Some(x == y),
                    (Value::Str(x), Value::Str(y)) => Some(x == y),
                    (Value::Bytes(x), Value::Bytes(y)) => Some(x == y),
                    (Value::Bool(x), Value::Bool(y)) => Some(x == y),
                    (Value::Vertex(x), Value::Vertex(y))
                        if self.is_list(*x) && self.is_list(*y) =>
                    {
                        // As the reference: lists of different lengths are
                        // neither equal nor unequal; openness is ignored.
                        let (ex, ey) = (self.list_elems(*x), self.list_elems(*y));
                        if ex.len() != ey.len() {
                            return Value::Bool(false);
                        }
                        Some(
                            ex.iter()
                                .zip(ey.iter())
                                .all(|(p, q)| self.vertices_equal(*p, *q)),
                        )
                    }
                    _ => None,
                };
                match eq {
                    Some(e) => Value::Bool(if op == BinOp::Eq { e } else { !e }),
                    None => self.bad_operands(op, &a, &b, span),
                }
            }
            (BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge, _, _) => {
                let ord = match (&a, &b) {
                    (Value::Num(x), Value::Num(y)) => Some(x.cmp(y)),
                    (Value::Str(x), Value::Str(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
                    (Value::Bytes(x), Value::Bytes(y)) => Some(x.cmp(y)),
                    _ => None,
                };
                match ord {
                    Some(o) => Value::Bool(match op {
                        BinOp::Lt => o == Ordering::Less,
                        BinOp::Le => o != Ordering::Greater,
                        BinOp::Gt => o == Ordering::Greater,
                        _ => o != Ordering::Less,
                    }),
                    None => self.bad_operands(op, &a, &b, span),
                }
            }
            (BinOp::Match | BinOp::NotMatch, _, _) => {
                // As the reference: the text must be a string, the pattern
                // a string or bytes.
                let Value::Str(s) = &a else {
                    let msg = format!(
                        "cannot use {} (type {}) as type string in {}",
                        self.show(&a),
                        self.kind_name(&a),
                        op.as_str()
                    );
                    return self.bottom(Code::Eval, msg, vec![span]);
                };
                let re: Rc<str> = match &b {
                    Value::Str(re) => re.clone(),
                    Value::Bytes(re) => match std::str::from_utf8(re) {
                        Ok(t) => Rc::from(t),
                        Err(_) => {
                            let msg = "invalid regexp: invalid UTF-8";
                            return self.bottom(Code::Eval, msg, vec![span]);
                        }
                    },
                    _ => {
                        let msg = format!(
                            "cannot use {} (type {}) as type (string|bytes)",
                            self.show(&b),
                            self.kind_name(&b)
                        );
                        return self.bottom(Code::Eval, msg, vec![span]);
                    }
                };
                match self.regex(&re) {
                    Ok(r) => Value::Bool(r.is_match(s) == (op == BinOp::Match)),
                    Err(e) => self.bottom(Code::Eval, format!("invalid regexp: {e}"), vec![span]),
                }
            }
            _ => self.bad_operands(op, &a, &b, span),
        }
    }

    fn bad_operands(&mut self, op: BinOp, a: &Value, b: &Value, span: Span) -> Value {
        let msg = format!(
            "invalid operands {} and {} to '{}' (type {} and {})",
            self.show(a),
            self.show(b),
            op.as_str(),
            self.kind_name(a),
            self.kind_name(b)
        );
        self.bottom(Code::Eval, msg, vec![span])
    }

    pub(crate) fn is_list(&mut self, v: VertexId) -> bool {
        self.evaluate(v);
        matches!(self.v(v).value, Value::List) || matches!(self.partial(v), Some(Value::List))
    }

    /// Whether two atoms are equal (numbers by value).
    pub(crate) fn atoms_equal(&self, a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(x), Value::Bool(y)) => x == y,
            (Value::Num(x), Value::Num(y)) => x == y && x.kind() == y.kind(),
            (Value::Str(x), Value::Str(y)) => x == y,
            (Value::Bytes(x), Value::Bytes(y)) => x == y,
            _ => false,
        }
    }

    /// Checks atom `s` against bound `b`.
    pub(crate) fn check_bound(&mut self, s: &Value, b: &Bound) -> Result<bool, Value> {
        let ord = |x: &Value, y: &Value| -> Option<Ordering> {
            match (x, y) {
                (Value::Num(x), Value::Num(y)) => Some(x.cmp(y)),
                (Value::Str(x), Value::Str(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
                (Value::Bytes(x), Value::Bytes(y)) => Some(x.cmp(y)),
                _ => None,
            }
        };
        Ok(match b.op {
            BoundOp::Ne => !self.atoms_equal_value(s, &b.value),
            BoundOp::Match | BoundOp::NotMatch => {
                let (Value::Str(re), Some(text)) = (&b.value, str_of(s)) else {
                    return Ok(false);
                };
                let r = self
                    .regex(re)
                    .map_err(|e| self.bottom(Code::Eval, format!("invalid regexp: {e}"), vec![]))?;
                r.is_match(&text) == (b.op == BoundOp::Match)
            }
            op => match ord(s, &b.value) {
                None => false,
                Some(o) => match op {
                    BoundOp::Lt => o == Ordering::Less,
                    BoundOp::Le => o != Ordering::Greater,
                    BoundOp::Gt => o == Ordering::Greater,
                    _ => o != Ordering::Less,
                },
            },
        })
    }

    fn atoms_equal_value(&self, a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Num(x), Value::Num(y)) => x == y,
            _ => self.atoms_equal(a, b),
        }
    }

    /// Simplifies numeric bounds: a single admissible int becomes that
    /// value; an empty range is an error. `Ok(None)` keeps the bounds.
    pub(crate) fn simplify_bounds(
        &mut self,
        kind: Kind,
        bounds: &[Rc<Bound>],
        span: Option<Span>,
    ) -> Result<Option<Value>, Value> {
        let (lo, hi) = self.extremes(bounds);
        if let (Some((l, linc)), Some((h, hinc))) = (&lo, &hi) {
            let empty = match l.cmp(h) {
                Ordering::Greater => true,
                Ordering::Equal => !(*linc && *hinc),
                Ordering::Less => false,
            };
            if empty {
                let msg = format!(
                    "incompatible bounds {}{} and {}{}",
                    if *linc { ">=" } else { ">" },
                    l,
                    if *hinc { "<=" } else { "<" },
                    h
                );
                return Err(self.bottom(Code::Eval, msg, span.into_iter().collect()));
            }
            if kind == Kind::INT {
                let lo_i = int_lo(l, *linc);
                let hi_i = int_hi(h, *hinc);
                if let (Some(a), Some(b)) = (lo_i, hi_i) {
                    if a == b {
                        let v = Value::num(Number::from_int(a));
                        let others: Vec<Rc<Bound>> = bounds
                            .iter()
                            .filter(|b| b.op == BoundOp::Ne)
                            .cloned()
                            .collect();
                        return Ok(Some(self.check_constraints(&v, &others, &[], span)));
                    }
                    if a > b {
                        let msg = format!("incompatible bounds for int {l} and {h}");
                        return Err(self.bottom(Code::Eval, msg, span.into_iter().collect()));
                    }
                }
            }
            if matches!(l.cmp(h), Ordering::Equal) && *linc && *hinc {
                return Ok(Some(Value::num(l.clone().with_kind(
                    if kind == Kind::INT {
                        crate::num::NumKind::Int
                    } else {
                        l.kind()
                    },
                ))));
            }
        }
        Ok(None)
    }

    fn extremes(&self, bounds: &[Rc<Bound>]) -> (Extreme, Extreme) {
        let mut lo: Extreme = None;
        let mut hi: Extreme = None;
        for b in bounds {
            let Value::Num(n) = &b.value else { continue };
            match b.op {
                BoundOp::Gt | BoundOp::Ge => {
                    let inc = b.op == BoundOp::Ge;
                    let better = match &lo {
                        None => true,
                        Some((l, li)) => match n.as_ref().cmp(l) {
                            Ordering::Greater => true,
                            Ordering::Equal => *li && !inc,
                            Ordering::Less => false,
                        },
                    };
                    if better {
                        lo = Some(((**n).clone(), inc));
                    }
                }
                BoundOp::Lt | BoundOp::Le => {
                    let inc = b.op == BoundOp::Le;
                    let better = match &hi {
                        None => true,
                        Some((h, hi_inc)) => match n.as_ref().cmp(h) {
                            Ordering::Less => true,
                            Ordering::Equal => *hi_inc && !inc,
                            Ordering::Greater => false,
                        },
                    };
                    if better {
                        hi = Some(((**n).clone(), inc));
                    }
                }
                _ => {}
            }
        }
        (lo, hi)
    }

    /// Keeps only the tightest lower and upper numeric bound.
    pub(crate) fn reduce_bounds(&self, _kind: Kind, bounds: &[Rc<Bound>]) -> Vec<Bound> {
        let (lo, hi) = self.extremes(bounds);
        let mut out = Vec::new();
        let mut lo_done = false;
        let mut hi_done = false;
        for b in bounds {
            match (b.op, &b.value) {
                (BoundOp::Gt | BoundOp::Ge, Value::Num(n)) => {
                    if let Some((l, inc)) = &lo {
                        if !lo_done && n.as_ref() == l && (b.op == BoundOp::Ge) == *inc {
                            out.push((**b).clone());
                            lo_done = true;
                        }
                    }
                }
                (BoundOp::Lt | BoundOp::Le, Value::Num(n)) => {
                    if let Some((h, inc)) = &hi {
                        if !hi_done && n.as_ref() == h && (b.op == BoundOp::Le) == *inc {
                            out.push((**b).clone());
                            hi_done = true;
                        }
                    }
                }
                _ => out.push((**b).clone()),
            }
        }
        out
    }
}

fn str_of(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.to_string()),
        Value::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
        _ => None,
    }
}

fn int_lo(n: &Number, inc: bool) -> Option<num_bigint::BigInt> {
    match n.to_bigint() {
        Some(i) => Some(if inc { i } else { i + 1 }),
        None => {
            // ceil of a fraction
            let f = n.to_f64().ceil();
            Number::from_f64(f).and_then(|x| x.to_bigint())
        }
    }
}

fn int_hi(n: &Number, inc: bool) -> Option<num_bigint::BigInt> {
    match n.to_bigint() {
        Some(i) => Some(if inc { i } else { i - 1 }),
        None => {
            let f = n.to_f64().floor();
            Number::from_f64(f).and_then(|x| x.to_bigint())
        }
    }
}

use crate::value::Kind;
