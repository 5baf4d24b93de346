//! The value lattice (spec "Values", "Types are values"): top `_`, bottom
//! `_|_` (an error with a code and positions), the atoms null, bool, numbers,
//! strings and bytes, basic types (`Kind`), bounds and validators
//! (`Constraint`), and composite values, whose fields live in a vertex
//! (`Vertex(id)`); a vertex's own value is `Struct`, `List` or `Disj`.

mod kind;
mod label;

pub use kind::Kind;
pub use label::{FastBuild, Label, LabelKind, Labels};

use crate::compile::ir::{BoundOp, Builtin};
use crate::eval::VertexId;
use crate::num::Number;
use cue_syntax::ast::Span;
use std::rc::Rc;

/// Error codes by decreasing severity (reference `adt/errors.go`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Code {
    /// A permanent evaluation error.
    Eval,
    /// `_|_` written by the user.
    User,
    /// A structural cycle.
    StructuralCycle,
    /// More data could resolve it.
    Incomplete,
    /// A reference cycle (also incomplete).
    Cycle,
}

/// An error value.
#[derive(Clone, Debug)]
pub struct Bottom {
    pub code: Code,
    pub message: String,
    /// Primary position first.
    pub spans: Vec<Span>,
    /// The vertex whose evaluation produced it (for the error path).
    pub vertex: Option<VertexId>,
    /// The errors it stands for, each reported on its own (the failed
    /// alternatives of an empty disjunction).
    pub causes: Vec<Rc<Bottom>>,
}

impl Bottom {
    /// True for incomplete and cycle errors.
    pub fn is_incomplete(&self) -> bool {
        self.code >= Code::Incomplete
    }
}

/// A bound `op value` (`>=3`, `=~"^a"`).
#[derive(Clone, Debug)]
pub struct Bound {
    pub op: BoundOp,
    pub value: Value,
}

/// Non-concrete constraints: a kind plus bounds and validators.
#[derive(Clone, Debug)]
pub struct Constraint {
    pub kind: Kind,
    pub bounds: Vec<Bound>,
    pub validators: Vec<Value>,
}

/// A builtin validator or function with arguments bound.
#[derive(Clone, Debug)]
pub struct Validator {
    pub func: &'static crate::builtins::Func,
    /// Arguments after the validated value.
    pub args: Vec<Value>,
}

/// A value.
#[derive(Clone, Debug)]
pub enum Value {
    Top,
    Bottom(Rc<Bottom>),
    Null,
    Bool(bool),
    Num(Rc<Number>),
    Str(Rc<str>),
    Bytes(Rc<[u8]>),
    /// A basic type (`int`, `string | bytes` as a kind set).
    Basic(Kind),
    Bound(Rc<Bound>),
    Constraint(Rc<Constraint>),
    /// A vertex's own value: it is a struct (fields are its arcs).
    Struct,
    /// A vertex's own value: a list (elements are its arcs).
    List,
    /// A vertex's own value: a disjunction of evaluated vertices with
    /// default flags, defaults first.
    Disj(Rc<Vec<(VertexId, bool)>>),
    /// A composite value held by a vertex (expression results).
    Vertex(VertexId),
    /// A predeclared function.
    Builtin(Builtin),
    /// A standard library function.
    Func(&'static crate::builtins::Func),
    /// A standard library validator with bound arguments.
    Validator(Rc<Validator>),
}

const _: () = assert!(std::mem::size_of::<Value>() <= 24);

impl Value {
    /// A number value.
    pub fn num(n: Number) -> Value {
        Value::Num(Rc::new(n))
    }

    /// A string value.
    pub fn str(s: &str) -> Value {
        Value::Str(Rc::from(s))
    }

    /// True for null, bool, number, string and bytes.
    pub fn is_atom(&self) -> bool {
        matches!(
            self,
            Value::Null | Value::Bool(_) | Value::Num(_) | Value::Str(_) | Value::Bytes(_)
        )
    }

    /// The kind of an atom, bound or type.
    pub fn kind(&self) -> Kind {
        match self {
            Value::Top => Kind::TOP,
            Value::Bottom(_) => Kind::BOTTOM,
            Value::Null => Kind::NULL,
            Value::Bool(_) => Kind::BOOL,
            Value::Num(n) => {
                if n.is_int_kind() {
                    Kind::INT
                } else {
                    Kind::FLOAT
                }
            }
            Value::Str(_) => Kind::STRING,
            Value::Bytes(_) => Kind::BYTES,
            Value::Basic(k) => *k,
            Value::Bound(b) => bound_kind(b),
            Value::Constraint(c) => c.kind,
            Value::Struct => Kind::STRUCT,
            Value::List => Kind::LIST,
            Value::Disj(_) | Value::Vertex(_) => Kind::TOP,
            Value::Builtin(_) | Value::Func(_) => Kind::FUNC,
            Value::Validator(_) => Kind::TOP,
        }
    }

    /// The error, if this is bottom.
    pub fn as_bottom(&self) -> Option<&Rc<Bottom>> {
        match self {
            Value::Bottom(b) => Some(b),
            _ => None,
        }
    }
}

/// The kinds a bound admits: those of its value (`!="a"` is a string,
/// `!=1` a number), except that `!=null` admits every other kind.
pub fn bound_kind(b: &Bound) -> Kind {
    match b.op {
        BoundOp::Match | BoundOp::NotMatch => Kind::STRING,
        BoundOp::Ne if matches!(b.value, Value::Null) => Kind(Kind::TOP.0 & !Kind::NULL.0),
        _ => match &b.value {
            Value::Num(_) => Kind::NUMBER,
            Value::Str(_) => Kind::STRING,
            Value::Bytes(_) => Kind::BYTES,
            _ => Kind::TOP,
        },
    }
}
