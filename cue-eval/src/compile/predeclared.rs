//! Predeclared identifiers: basic types, the builtins `len close and or div
//! mod quo rem`, and the named ranges `int8`…`uint128`, `rune`, `float32/64`
//! (spec "Predeclared identifiers"; reference `compile/predeclared.go`).

use super::ir::*;
use crate::num::Number;
use crate::value::Kind;
use cue_syntax::ast::Span;
use std::rc::Rc;

fn mk(span: Span, kind: ExprKind) -> ExprRef {
    Rc::new(Expr { span, kind })
}

fn num(span: Span, text: &str) -> ExprRef {
    mk(
        span,
        ExprKind::Num(Rc::new(
            Number::parse(text).unwrap_or_else(|_| Number::from_i64(0)),
        )),
    )
}

fn range(span: Span, kind: Kind, lo: &str, hi: Option<&str>) -> ExprKind {
    let mut list = vec![mk(span, ExprKind::Basic(kind))];
    list.push(mk(span, ExprKind::Bound(BoundOp::Ge, num(span, lo))));
    if let Some(hi) = hi {
        list.push(mk(span, ExprKind::Bound(BoundOp::Le, num(span, hi))));
    }
    ExprKind::Unify(list)
}

/// The expression a predeclared identifier stands for.
pub fn lookup(name: &str, span: Span) -> Option<ExprKind> {
    let int_range = |bits: u32, signed: bool| {
        let (lo, hi) = if signed {
            let h: num_bigint::BigInt = num_bigint::BigInt::from(1) << (bits - 1);
            (
                format!("-{h}"),
                (&h - num_bigint::BigInt::from(1)).to_string(),
            )
        } else {
            let h: num_bigint::BigInt = num_bigint::BigInt::from(1) << bits;
            (
                "0".to_string(),
                (&h - num_bigint::BigInt::from(1)).to_string(),
            )
        };
        range(span, Kind::INT, &lo, Some(&hi))
    };
    Some(match name {
        "bool" => ExprKind::Basic(Kind::BOOL),
        "int" => ExprKind::Basic(Kind::INT),
        "float" => ExprKind::Basic(Kind::FLOAT),
        "number" => ExprKind::Basic(Kind::NUMBER),
        "string" => ExprKind::Basic(Kind::STRING),
        "bytes" => ExprKind::Basic(Kind::BYTES),
        "null" => ExprKind::Null,
        "len" => ExprKind::Builtin(Builtin::Len),
        "close" => ExprKind::Builtin(Builtin::Close),
        "and" => ExprKind::Builtin(Builtin::And),
        "or" => ExprKind::Builtin(Builtin::Or),
        "div" => ExprKind::Builtin(Builtin::Div),
        "mod" => ExprKind::Builtin(Builtin::Mod),
        "quo" => ExprKind::Builtin(Builtin::Quo),
        "rem" => ExprKind::Builtin(Builtin::Rem),
        "int8" => int_range(8, true),
        "int16" => int_range(16, true),
        "int32" => int_range(32, true),
        "int64" => int_range(64, true),
        "int128" => int_range(128, true),
        "uint8" | "byte" => int_range(8, false),
        "uint16" => int_range(16, false),
        "uint32" => int_range(32, false),
        "uint64" => int_range(64, false),
        "uint128" => int_range(128, false),
        "uint" => range(span, Kind::INT, "0", None),
        "rune" => range(span, Kind::INT, "0", Some("1114111")),
        "float32" => range(
            span,
            Kind::NUMBER,
            "-3.40282346638528859811704183484516925440e+38",
            Some("3.40282346638528859811704183484516925440e+38"),
        ),
        "float64" => range(
            span,
            Kind::NUMBER,
            "-1.797693134862315708145274237317043567981e+308",
            Some("1.797693134862315708145274237317043567981e+308"),
        ),
        _ => return None,
    })
}
