//! Scalars and constraints as CUE syntax (reference
//! `internal/core/export/value.go` and `bounds.go`): numbers in their
//! decimal text (floats keep a fraction or exponent, `E` lowercased),
//! strings and bytes quoted by the printer, bounds as unary expressions,
//! constraints with bounds first and the basic type last unless the bounds
//! imply it, and an int with a lower and an upper bound given back its
//! predeclared name (`uint8`, `int32 & >0`, `uint & <10`).

use super::{ident, Printer};
use crate::compile::ir::BoundOp;
use crate::num::Number;
use crate::value::{Bound, Constraint, Kind, Value};
use cue_syntax::ast::{
    BinaryExpr, BinaryOp, BytesLit, CallExpr, Expr, NumberKind, NumberLit, Selector, SelectorExpr,
    Span, StringLit, UnaryExpr, UnaryOp,
};
use std::cmp::Ordering;

/// A basic type as the reference names it: one kind by its name, several
/// in parentheses in the reference's kind order (`(int|string)`, with
/// `number` last).
pub(crate) fn kind_ident(k: Kind) -> Expr {
    if k == Kind::TOP || k.is_empty() {
        return ident(&k.name());
    }
    let mut names: Vec<&str> = Vec::new();
    let order = [
        (Kind::NULL, "null"),
        (Kind::BOOL, "bool"),
        (Kind::INT, "int"),
        (Kind::FLOAT, "float"),
        (Kind::STRING, "string"),
        (Kind::BYTES, "bytes"),
        (Kind::FUNC, "func"),
        (Kind::LIST, "list"),
        (Kind::STRUCT, "struct"),
    ];
    let number = k.contains(Kind::NUMBER);
    for (bit, name) in order {
        if k.contains(bit) && !(number && Kind::NUMBER.contains(bit)) {
            names.push(name);
        }
    }
    if number {
        names.push("number");
    }
    if names.len() == 1 {
        ident(names[0])
    } else {
        ident(&format!("({})", names.join("|")))
    }
}

/// `lhs & rhs`, or `rhs` alone when there is no left side yet.
pub(crate) fn and(lhs: Option<Expr>, rhs: Expr) -> Expr {
    match lhs {
        None => rhs,
        Some(l) => binary(BinaryOp::Unify, l, rhs),
    }
}

/// `lhs op rhs`.
pub(crate) fn binary(op: BinaryOp, lhs: Expr, rhs: Expr) -> Expr {
    Expr::Binary(Box::new(BinaryExpr {
        span: Span::synthetic(),
        op,
        lhs,
        rhs,
    }))
}

/// `op x`.
pub(crate) fn unary(op: UnaryOp, x: Expr) -> Expr {
    Expr::Unary(Box::new(UnaryExpr {
        span: Span::synthetic(),
        op,
        expr: x,
    }))
}

/// A number literal with the text `cue eval` prints: the decimal text, a
/// float without fraction or exponent gets `.0`, and `E` is lowercased.
pub(crate) fn number(n: &Number) -> Expr {
    let mut text = n.to_string();
    let float = !n.is_int_kind();
    if float && !text.contains(['.', 'e', 'E']) {
        text.push_str(".0");
    }
    let text = text.replace('E', "e");
    if let Some(rest) = text.strip_prefix('-') {
        // A negative number is the unary minus of its magnitude.
        let lit = NumberLit {
            span: Span::synthetic(),
            text: rest.to_string(),
            kind: if float {
                NumberKind::Float
            } else {
                NumberKind::Int
            },
        };
        return unary(UnaryOp::Neg, Expr::Number(lit));
    }
    Expr::Number(NumberLit {
        span: Span::synthetic(),
        text,
        kind: if float {
            NumberKind::Float
        } else {
            NumberKind::Int
        },
    })
}

pub(crate) fn bound_op(op: BoundOp) -> UnaryOp {
    match op {
        BoundOp::Lt => UnaryOp::Less,
        BoundOp::Le => UnaryOp::LessEqual,
        BoundOp::Gt => UnaryOp::Greater,
        BoundOp::Ge => UnaryOp::GreaterEqual,
        BoundOp::Ne => UnaryOp::NotEqual,
        BoundOp::Match => UnaryOp::Match,
        BoundOp::NotMatch => UnaryOp::NotMatch,
    }
}

/// Predeclared integer ranges, tried in this order.
const INT_RANGES: [(&str, &str, &str); 10] = [
    ("int8", "-128", "127"),
    ("int16", "-32768", "32767"),
    ("int32", "-2147483648", "2147483647"),
    ("int64", "-9223372036854775808", "9223372036854775807"),
    (
        "int128",
        "-170141183460469231731687303715884105728",
        "170141183460469231731687303715884105727",
    ),
    ("uint8", "0", "255"),
    ("uint16", "0", "65535"),
    ("uint32", "0", "4294967295"),
    ("uint64", "0", "18446744073709551615"),
    ("uint128", "0", "340282366920938463463374607431768211455"),
];

/// Predeclared float ranges.
const FLOAT_RANGES: [(&str, &str, &str); 2] = [
    (
        "float32",
        "-3.40282346638528859811704183484516925440E+38",
        "3.40282346638528859811704183484516925440E+38",
    ),
    (
        "float64",
        "-1.797693134862315708145274237317043567981E+308",
        "1.797693134862315708145274237317043567981E+308",
    ),
];

/// The tightest numeric lower and upper bound of a constraint, and whether
/// it is an int, for giving back predeclared range names.
struct RangeNames<'a> {
    is_int: bool,
    min: Option<(&'a Bound, &'a Number)>,
    max: Option<(&'a Bound, &'a Number)>,
}

impl<'a> RangeNames<'a> {
    /// Takes `b` if it is a numeric bound the simplifier understands.
    fn add(&mut self, b: &'a Bound) -> bool {
        let Value::Num(n) = &b.value else {
            return false;
        };
        let n: &Number = n;
        match b.op {
            BoundOp::Gt => {
                if self
                    .min
                    .is_none_or(|(_, m)| m.cmp_value(n) != Ordering::Greater)
                {
                    self.min = Some((b, n));
                }
                true
            }
            BoundOp::Ge => {
                if self
                    .min
                    .is_none_or(|(_, m)| m.cmp_value(n) == Ordering::Less)
                {
                    self.min = Some((b, n));
                }
                true
            }
            BoundOp::Lt => {
                if self
                    .max
                    .is_none_or(|(_, m)| m.cmp_value(n) != Ordering::Less)
                {
                    self.max = Some((b, n));
                }
                true
            }
            BoundOp::Le => {
                if self
                    .max
                    .is_none_or(|(_, m)| m.cmp_value(n) == Ordering::Greater)
                {
                    self.max = Some((b, n));
                }
                true
            }
            _ => false,
        }
    }

    /// Matches the bounds against `ranges`; drops the bounds a name implies.
    fn match_range(&mut self, ranges: &[(&'static str, &str, &str)]) -> Option<&'static str> {
        let (Some((lo_b, lo)), Some((hi_b, hi))) = (self.min, self.max) else {
            return None;
        };
        for (name, rlo, rhi) in ranges {
            let (Ok(rlo), Ok(rhi)) = (Number::parse(rlo), Number::parse(rhi)) else {
                continue;
            };
            if !lo.is_zero() && lo_b.op == BoundOp::Ge && lo.cmp_value(&rlo) == Ordering::Equal {
                match hi.cmp_value(&rhi) {
                    Ordering::Equal => {
                        if hi_b.op == BoundOp::Le {
                            self.max = None;
                        }
                        self.min = None;
                        return Some(name);
                    }
                    Ordering::Less => {
                        self.min = None;
                        return Some(name);
                    }
                    Ordering::Greater => {}
                }
            } else if hi_b.op == BoundOp::Le && hi.cmp_value(&rhi) == Ordering::Equal {
                match lo.cmp_value(&rlo) {
                    Ordering::Less => {}
                    Ordering::Equal => {
                        if lo_b.op == BoundOp::Ge {
                            self.min = None;
                        }
                        self.max = None;
                        return Some(name);
                    }
                    Ordering::Greater => {
                        self.max = None;
                        return Some(name);
                    }
                }
            }
        }
        None
    }
}

impl Printer<'_> {
    /// The nesting level a multi-line string printed now is indented by
    /// (a value embedded at the top is indented like a top-level field's).
    fn block_depth(&self) -> Option<usize> {
        Some(self.lets.len().max(1))
    }

    /// A value that is not a vertex: atoms, types, bounds, constraints,
    /// validators and builtins.
    pub(crate) fn scalar(&mut self, v: &Value) -> Expr {
        let s = Span::synthetic();
        match v {
            Value::Top => ident("_"),
            Value::Bottom(_) => Expr::Bottom(s),
            Value::Null => Expr::Null(s),
            Value::Bool(b) => Expr::Bool(cue_syntax::ast::BoolLit { span: s, value: *b }),
            Value::Num(n) => number(n),
            Value::Str(x) => Expr::String(StringLit {
                span: s,
                value: x.to_string(),
                raw: Some(super::quote::quote(x.as_bytes(), false, self.block_depth())),
            }),
            Value::Bytes(b) => Expr::Bytes(BytesLit {
                span: s,
                value: b.to_vec(),
                raw: Some(super::quote::quote(b, true, self.block_depth())),
            }),
            Value::Basic(k) => kind_ident(*k),
            Value::Bound(b) => self.bound(b),
            Value::Constraint(c) => self.constraint(c),
            Value::Builtin(b) => ident(b.name()),
            // A validator named without arguments is a call with none.
            Value::Func(f) if is_validator(f) => {
                let func = self.package_member(f.package, f.name);
                Expr::Call(Box::new(CallExpr {
                    span: s,
                    func,
                    args: Vec::new(),
                }))
            }
            Value::Func(f) => self.package_member(f.package, f.name),
            Value::Validator(x) => {
                let func = self.package_member(x.func.package, x.func.name);
                let args = x.args.iter().map(|a| self.scalar(a)).collect();
                Expr::Call(Box::new(CallExpr {
                    span: s,
                    func,
                    args,
                }))
            }
            Value::Vertex(id) => self.vertex(*id),
            Value::Struct | Value::List | Value::Disj(_) => ident("_"),
        }
    }

    /// `pkg.name` for a member of an imported package (the import is
    /// added to the file).
    pub(crate) fn package_member(&mut self, package: &str, name: &str) -> Expr {
        let base = self.import(package);
        Expr::Selector(Box::new(SelectorExpr {
            span: Span::synthetic(),
            base,
            sel: Selector::Ident(cue_syntax::ast::Ident::new(name, Span::synthetic())),
        }))
    }

    pub(crate) fn bound(&mut self, b: &Bound) -> Expr {
        let x = self.scalar(&b.value);
        unary(bound_op(b.op), x)
    }

    /// Bounds (named ranges first), then validators, then the basic type
    /// unless the bounds imply it.
    fn constraint(&mut self, c: &Constraint) -> Expr {
        let mut names = RangeNames {
            is_int: c.kind == Kind::INT,
            min: None,
            max: None,
        };
        let mut rest: Vec<&Bound> = Vec::new();
        for b in &c.bounds {
            if !names.add(b) {
                rest.push(b);
            }
        }
        let mut out: Option<Expr> = None;
        if names.min.is_some() && names.max.is_some() {
            let mut head: Option<Expr> = None;
            let mut try_float = true;
            if names.is_int {
                if let Some(t) = names.match_range(&INT_RANGES) {
                    head = Some(ident(t));
                    try_float = false;
                } else {
                    let negative = names.min.is_some_and(|(_, n)| n.is_negative());
                    head = Some(ident(if negative { "int" } else { "uint" }));
                    let zero_ge = names
                        .min
                        .is_some_and(|(b, n)| n.is_zero() && b.op == BoundOp::Ge);
                    if !negative && zero_ge {
                        names.min = None;
                        try_float = false;
                    }
                }
            }
            if try_float {
                if let Some(t) = names.match_range(&FLOAT_RANGES) {
                    head = Some(and(head, ident(t)));
                }
            }
            out = head;
            if let Some((b, _)) = names.min {
                let e = self.bound(b);
                out = Some(and(out, e));
            }
            if let Some((b, _)) = names.max {
                let e = self.bound(b);
                out = Some(and(out, e));
            }
            for b in rest {
                let e = self.bound(b);
                out = Some(and(out, e));
            }
            for v in self.distinct_validators(c) {
                let e = self.scalar(&v);
                out = Some(and(out, e));
            }
            // A named range says int; other kinds than numbers still show.
            if !names.is_int && !implied(c) {
                out = Some(and(out, kind_ident(c.kind)));
            }
            return out.unwrap_or_else(|| ident("_"));
        }
        // Lower bound, upper bound, then the other checks, as the
        // reference stores them.
        let rank = |b: &Bound| match b.op {
            BoundOp::Gt | BoundOp::Ge => 0,
            BoundOp::Lt | BoundOp::Le => 1,
            _ => 2,
        };
        let mut bounds: Vec<&Bound> = c.bounds.iter().collect();
        bounds.sort_by_key(|b| rank(b));
        for b in bounds {
            let e = self.bound(b);
            out = Some(and(out, e));
        }
        for v in self.distinct_validators(c) {
            let e = self.scalar(&v);
            out = Some(and(out, e));
        }
        if out.is_none() || (c.kind != Kind::TOP && !implied(c)) {
            out = Some(and(out, kind_ident(c.kind)));
        }
        out.unwrap_or_else(|| ident("_"))
    }
}

impl Printer<'_> {
    /// The validators of `c` without repeats (`time.Time` and `time.Time()`
    /// are the same validator).
    fn distinct_validators(&self, c: &Constraint) -> Vec<Value> {
        let mut out: Vec<Value> = Vec::new();
        for v in &c.validators {
            let key = self.ev.show(&as_call(v));
            if !out.iter().any(|o| self.ev.show(&as_call(o)) == key) {
                out.push(v.clone());
            }
        }
        out
    }
}

/// A validator function without arguments as a validator call.
fn as_call(v: &Value) -> Value {
    match v {
        Value::Func(f) if is_validator(f) => {
            Value::Validator(std::rc::Rc::new(crate::value::Validator {
                func: f,
                args: Vec::new(),
            }))
        }
        other => other.clone(),
    }
}

/// Whether a builtin is a validator (its result is a bool or it only fails).
fn is_validator(f: &crate::builtins::Func) -> bool {
    f.result == crate::builtins::Kind::BOOL || f.result == crate::builtins::Kind::BOTTOM
}

/// Whether the bounds and validators of `c` imply its basic type, so that
/// the type is not printed (`>=0 & <=10` is a number, `=~"a"` a string).
pub(crate) fn implied(c: &Constraint) -> bool {
    // The reference adds the type when the kinds the bounds and validators
    // admit go beyond it.
    let mut k = Kind::TOP;
    for b in &c.bounds {
        let bk = match (&b.value, b.op) {
            (Value::Num(_), _) => Kind::NUMBER,
            (Value::Null, BoundOp::Ne) => Kind(Kind::TOP.0 & !Kind::NULL.0),
            (v, _) => v.kind(),
        };
        k = k & bk;
    }
    for v in &c.validators {
        if let Value::Validator(x) = v {
            if let Some(p) = x.func.params.first() {
                k = k & value_kind(p.kind);
            }
        }
    }
    k.0 & !c.kind.0 == 0
}

/// The value kinds a builtin parameter kind admits.
fn value_kind(k: crate::builtins::Kind) -> Kind {
    use crate::builtins::Kind as B;
    let pairs = [
        (B::NULL, Kind::NULL),
        (B::BOOL, Kind::BOOL),
        (B::INT, Kind::INT),
        (B::FLOAT, Kind::FLOAT),
        (B::STRING, Kind::STRING),
        (B::BYTES, Kind::BYTES),
        (B::LIST, Kind::LIST),
        (B::STRUCT, Kind::STRUCT),
        (B::FUNC, Kind::FUNC),
    ];
    pairs
        .iter()
        .filter(|(b, _)| k.intersects(*b))
        .fold(Kind::BOTTOM, |acc, (_, v)| acc | *v)
}
