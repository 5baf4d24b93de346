//! The evaluator's expression representation: the AST with every identifier
//! resolved to an environment up-count and label (or a let, label alias or
//! import), number literals parsed, and `&`/`|` chains flattened.

use crate::num::Number;
use crate::value::{Kind, Label};
use cue_syntax::ast::Span;
use std::rc::Rc;

/// A shared compiled expression.
pub type ExprRef = Rc<Expr>;

/// A compiled expression with its source span.
#[derive(Debug)]
pub struct Expr {
    pub span: Span,
    pub kind: ExprKind,
}

/// Bound operators (`<`, `<=`, `>`, `>=`, `!=`, `=~`, `!~`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BoundOp {
    Lt,
    Le,
    Gt,
    Ge,
    Ne,
    Match,
    NotMatch,
}

impl BoundOp {
    /// The operator text.
    pub fn as_str(self) -> &'static str {
        match self {
            BoundOp::Lt => "<",
            BoundOp::Le => "<=",
            BoundOp::Gt => ">",
            BoundOp::Ge => ">=",
            BoundOp::Ne => "!=",
            BoundOp::Match => "=~",
            BoundOp::NotMatch => "!~",
        }
    }
}

/// Binary operators other than `&` and `|`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Match,
    NotMatch,
    And,
    Or,
}

impl BinOp {
    /// The operator text.
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Match => "=~",
            BinOp::NotMatch => "!~",
            BinOp::And => "&&",
            BinOp::Or => "||",
        }
    }
}

/// Predeclared functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    Len,
    Close,
    And,
    Or,
    Div,
    Mod,
    Quo,
    Rem,
}

impl Builtin {
    /// The builtin's name.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Len => "len",
            Builtin::Close => "close",
            Builtin::And => "and",
            Builtin::Or => "or",
            Builtin::Div => "div",
            Builtin::Mod => "mod",
            Builtin::Quo => "quo",
            Builtin::Rem => "rem",
        }
    }
}

/// Expression forms.
#[derive(Debug)]
pub enum ExprKind {
    Top,
    /// `_|_`
    Bottom,
    Null,
    Bool(bool),
    Num(Rc<Number>),
    Str(Rc<str>),
    Bytes(Rc<[u8]>),
    /// `int`, `string`, ...
    Basic(Kind),
    /// `>=e` etc.
    Bound(BoundOp, ExprRef),
    Struct(Rc<StructLit>),
    List(Rc<ListLit>),
    /// A field of the struct `up` environments out.
    FieldRef {
        up: u32,
        label: Label,
        /// Written as a value alias (`b: X=3 + X`): printed by that name.
        value_alias: bool,
    },
    /// The dynamic field `up` environments out whose key is `key`
    /// (evaluated in that environment).
    DynFieldRef {
        up: u32,
        key: ExprRef,
    },
    /// The label matched by a pattern (`[X=string]: ...`), `up` envs out.
    LabelRef {
        up: u32,
    },
    /// A `let` (or value alias) evaluated in the env `up` levels out.
    LetRef {
        up: u32,
        name: Label,
        expr: ExprRef,
    },
    /// An imported builtin package.
    Import(Rc<str>),
    Selector(ExprRef, Label),
    Index(ExprRef, ExprRef),
    Slice(ExprRef, Option<ExprRef>, Option<ExprRef>),
    Neg(ExprRef),
    Plus(ExprRef),
    Not(ExprRef),
    Binary(BinOp, ExprRef, ExprRef),
    /// `a & b & ...`
    Unify(Vec<ExprRef>),
    /// `a | *b | ...`: (expression, default mark)
    Disj(Rc<Vec<(ExprRef, bool)>>),
    /// String or bytes interpolation.
    Interp {
        parts: Vec<InterpPart>,
        bytes: bool,
    },
    Call(ExprRef, Vec<ExprRef>),
    Builtin(Builtin),
    /// Runtime only: the value of an evaluated vertex.
    Vertex(crate::eval::VertexId),
    /// Runtime only: a constant value.
    Value(crate::value::Value),
}

/// A part of an interpolation.
#[derive(Debug)]
pub enum InterpPart {
    Text(Rc<[u8]>),
    Expr(ExprRef),
}

/// A struct literal.
#[derive(Debug)]
pub struct StructLit {
    pub span: Span,
    pub decls: Vec<Decl>,
    /// Labels of the regular and optional fields with static labels, in order.
    pub field_labels: Rc<[Label]>,
    pub has_embed: bool,
}

/// A declaration in a struct literal.
#[derive(Debug)]
pub enum Decl {
    Field {
        label: Label,
        optional: bool,
        value: ExprRef,
        span: Span,
    },
    Dynamic {
        key: ExprRef,
        optional: bool,
        value: ExprRef,
        span: Span,
    },
    /// `[pattern]: value`; `alias` says the value was compiled with an extra
    /// environment holding the matched label.
    Pattern {
        pattern: ExprRef,
        value: ExprRef,
        alias: bool,
        span: Span,
    },
    Ellipsis(Option<ExprRef>),
    Embed(ExprRef),
    Comprehension(Rc<Comprehension>),
}

/// A list literal.
#[derive(Debug)]
pub struct ListLit {
    pub span: Span,
    pub elems: Vec<ListElem>,
    /// `...` or `...T` (`Top` for plain `...`).
    pub ellipsis: Option<ExprRef>,
}

/// A list element.
#[derive(Debug)]
pub enum ListElem {
    Expr(ExprRef),
    Comprehension(Rc<Comprehension>),
}

/// A comprehension: clauses then a struct body.
#[derive(Debug)]
pub struct Comprehension {
    pub span: Span,
    pub clauses: Vec<Clause>,
    pub body: ExprRef,
}

/// A comprehension clause. `for` and `let` push one environment whose vertex
/// holds the bound names as arcs.
#[derive(Debug)]
pub enum Clause {
    For {
        key: Option<Label>,
        value: Label,
        source: ExprRef,
    },
    If(ExprRef),
    Let {
        name: Label,
        expr: ExprRef,
    },
}
