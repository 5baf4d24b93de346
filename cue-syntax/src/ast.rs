//! The CUE abstract syntax tree.
//!
//! Every node carries a [`Span`] (byte offsets into one source file). The tree
//! is produced by [`crate::parse_file`] and printed back by [`crate::format`];
//! the evaluator both reads it (to compile) and builds it (to print `cue eval`
//! output), so every node can also be constructed by hand with
//! [`Span::synthetic`] spans and empty [`Comments`].
//!
//! Comments are kept on declarations, list elements and import specs
//! ([`Comments`]), and at the end of blocks (`trailing_comments`), so that the
//! printer can reproduce them.
//!
//! Design choices, in short:
//! - Identifiers keep their full text (`#A`, `_x`, `_#y`); [`Ident::kind`]
//!   classifies them.
//! - Number literals keep their source text (the evaluator parses it);
//!   string and bytes literals are decoded; interpolations are split in parts.
//! - `a: b: c: 1` is `a: {b: {c: 1}}` with [`StructLit::elided`] set on the
//!   inner structs, so the printer can reproduce the shorthand.
//! - Disjunctions are `Binary` with [`BinaryOp::Disj`]; the default mark `*`
//!   is [`UnaryOp::Default`].

use std::fmt;

/// Identifies a source file in a [`crate::SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

impl FileId {
    /// The file id of nodes that were not parsed from any file.
    pub const SYNTHETIC: FileId = FileId(u32::MAX);
}

/// A byte range `start..end` in one source file.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// A span in `file` covering bytes `start..end`.
    pub const fn new(file: FileId, start: u32, end: u32) -> Span {
        Span { file, start, end }
    }

    /// The span of a node built by a program rather than parsed.
    pub const fn synthetic() -> Span {
        Span {
            file: FileId::SYNTHETIC,
            start: 0,
            end: 0,
        }
    }

    /// Whether this span belongs to a synthetic node.
    pub fn is_synthetic(&self) -> bool {
        self.file == FileId::SYNTHETIC
    }

    /// The smallest span covering both `self` and `other` (same file assumed).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> u32 {
        self.end.saturating_sub(self.start)
    }

    /// Whether the span is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The byte range, for slicing the source text.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}..{}", self.file.0, self.start, self.end)
    }
}

// ---------------------------------------------------------------------------
// Comments

/// One `//` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub span: Span,
    /// The full comment text including the leading `//`, without the newline.
    pub text: String,
    /// The comment is preceded by an empty line in the source.
    pub blank_line_before: bool,
}

/// Comments attached to a declaration, list element or import spec.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Comments {
    /// Whole-line comments just before the item (doc comments).
    pub leading: Vec<Comment>,
    /// Comments after the item on the same line (`a: 1 // like this`), and
    /// comments found inside the item that have no better place.
    pub trailing: Vec<Comment>,
    /// The item itself (after its leading comments) is preceded by an empty
    /// line in the source; the printer keeps one blank line there. Leading
    /// comments carry their own [`Comment::blank_line_before`].
    pub blank_line_before: bool,
}

impl Comments {
    /// Whether there are no comments at all.
    pub fn is_empty(&self) -> bool {
        self.leading.is_empty() && self.trailing.is_empty()
    }
}

// ---------------------------------------------------------------------------
// Files and declarations

/// A parsed source file.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    pub span: Span,
    /// Declarations in source order: file attributes, the package clause,
    /// imports, then the body.
    pub decls: Vec<Decl>,
    /// Comments after the last declaration.
    pub trailing_comments: Vec<Comment>,
}

impl File {
    /// The package clause, if any.
    pub fn package(&self) -> Option<&Package> {
        self.decls.iter().find_map(|d| match d {
            Decl::Package(p) => Some(p),
            _ => None,
        })
    }

    /// All import specs of all import declarations.
    pub fn imports(&self) -> impl Iterator<Item = &ImportSpec> {
        self.decls.iter().flat_map(|d| match d {
            Decl::Import(i) => i.specs.as_slice(),
            _ => &[],
        })
    }

    /// The body declarations: everything except the package clause and
    /// imports.
    pub fn body(&self) -> impl Iterator<Item = &Decl> {
        self.decls
            .iter()
            .filter(|d| !matches!(d, Decl::Package(_) | Decl::Import(_)))
    }
}

/// A declaration in a file or struct.
#[derive(Clone, Debug, PartialEq)]
pub enum Decl {
    /// `package name`
    Package(Package),
    /// `import "path"` or `import ( ... )`
    Import(ImportDecl),
    /// `label: value`, `label?: value`, `[pattern]: value`, `X=label: value`
    Field(Field),
    /// `let x = expr`
    Let(LetDecl),
    /// An embedded expression: `{ a: 1, #Def }`
    Embed(Embed),
    /// `...` or `...T`
    Ellipsis(Ellipsis),
    /// `for ... { }`, `if ... { }`
    Comprehension(Comprehension),
    /// A declaration-level attribute: `@jsonschema(id="x")`
    Attribute(DeclAttribute),
    /// A region that failed to parse (the error is reported separately).
    Bad(BadDecl),
}

impl Decl {
    /// The span of the declaration.
    pub fn span(&self) -> Span {
        match self {
            Decl::Package(d) => d.span,
            Decl::Import(d) => d.span,
            Decl::Field(d) => d.span,
            Decl::Let(d) => d.span,
            Decl::Embed(d) => d.span,
            Decl::Ellipsis(d) => d.span,
            Decl::Comprehension(d) => d.span,
            Decl::Attribute(d) => d.span,
            Decl::Bad(d) => d.span,
        }
    }

    /// The comments attached to the declaration.
    pub fn comments(&self) -> &Comments {
        match self {
            Decl::Package(d) => &d.comments,
            Decl::Import(d) => &d.comments,
            Decl::Field(d) => &d.comments,
            Decl::Let(d) => &d.comments,
            Decl::Embed(d) => &d.comments,
            Decl::Ellipsis(d) => &d.comments,
            Decl::Comprehension(d) => &d.comments,
            Decl::Attribute(d) => &d.comments,
            Decl::Bad(d) => &d.comments,
        }
    }

    /// Mutable access to the comments attached to the declaration.
    pub fn comments_mut(&mut self) -> &mut Comments {
        match self {
            Decl::Package(d) => &mut d.comments,
            Decl::Import(d) => &mut d.comments,
            Decl::Field(d) => &mut d.comments,
            Decl::Let(d) => &mut d.comments,
            Decl::Embed(d) => &mut d.comments,
            Decl::Ellipsis(d) => &mut d.comments,
            Decl::Comprehension(d) => &mut d.comments,
            Decl::Attribute(d) => &mut d.comments,
            Decl::Bad(d) => &mut d.comments,
        }
    }
}

/// `package name`
#[derive(Clone, Debug, PartialEq)]
pub struct Package {
    pub span: Span,
    pub name: Ident,
    pub comments: Comments,
}

/// `import "path"` (one spec, `parenthesized == false`) or `import ( ... )`.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportDecl {
    pub span: Span,
    pub specs: Vec<ImportSpec>,
    pub parenthesized: bool,
    pub comments: Comments,
}

/// `[name] "path[:ident]"`
#[derive(Clone, Debug, PartialEq)]
pub struct ImportSpec {
    pub span: Span,
    /// The local name given before the path, if any.
    pub alias: Option<Ident>,
    /// The import path literal, decoded (`"strings"`, `"example.com/x:y"`).
    pub path: StringLit,
    pub comments: Comments,
}

/// A field declaration.
///
/// `a: b: 1` is a field `a` whose value is an [`Expr::Struct`] with
/// [`StructLit::elided`] set, holding the field `b`.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub span: Span,
    /// The label alias: `X=label: value`.
    pub alias: Option<Ident>,
    pub label: Label,
    /// `label?: value`
    pub optional: bool,
    /// The value alias: `label: X=value`.
    pub value_alias: Option<Ident>,
    pub value: Expr,
    /// Field attributes after the value: `a: int @go(A)`.
    pub attributes: Vec<Attribute>,
    pub comments: Comments,
}

/// A field label.
#[derive(Clone, Debug, PartialEq)]
pub enum Label {
    /// A regular identifier, including keywords used as labels (`for: 1`).
    Ident(Ident),
    /// A definition `#x` (the name keeps the `#`).
    Definition(Ident),
    /// A hidden field `_x` or hidden definition `_#x` (the name keeps its prefix).
    Hidden(Ident),
    /// A quoted label `"a-b": 1` (decoded).
    String(StringLit),
    /// An interpolated label `"\(k)": 1`.
    Interpolated(Interpolation),
    /// A dynamic label `(expr): 1`.
    Paren(ParenLabel),
    /// A pattern constraint `[string]: T` or `[X=string]: T`.
    Pattern(PatternLabel),
}

impl Label {
    /// The span of the label.
    pub fn span(&self) -> Span {
        match self {
            Label::Ident(i) | Label::Definition(i) | Label::Hidden(i) => i.span,
            Label::String(s) => s.span,
            Label::Interpolated(s) => s.span,
            Label::Paren(p) => p.span,
            Label::Pattern(p) => p.span,
        }
    }

    /// The label name when it is static (identifier or plain string).
    pub fn static_name(&self) -> Option<&str> {
        match self {
            Label::Ident(i) | Label::Definition(i) | Label::Hidden(i) => Some(&i.name),
            Label::String(s) => Some(&s.value),
            _ => None,
        }
    }
}

/// `(expr)` used as a label.
#[derive(Clone, Debug, PartialEq)]
pub struct ParenLabel {
    pub span: Span,
    pub expr: Expr,
}

/// `[X=expr]` used as a label.
///
/// When the brackets hold a comprehension (`[for x in y {x}]: T`), which
/// parses but is not a valid pattern, `expr` is the whole list literal
/// ([`Expr::List`] with that one comprehension element); the evaluator
/// reports "comprehension values not allowed in this position".
#[derive(Clone, Debug, PartialEq)]
pub struct PatternLabel {
    pub span: Span,
    /// `X` in `[X=expr]`: bound to the matched label inside the field value.
    pub alias: Option<Ident>,
    pub expr: Expr,
}

/// `let name = value`
#[derive(Clone, Debug, PartialEq)]
pub struct LetDecl {
    pub span: Span,
    pub name: Ident,
    pub value: Expr,
    pub comments: Comments,
}

/// An embedded expression in a struct or file.
#[derive(Clone, Debug, PartialEq)]
pub struct Embed {
    pub span: Span,
    pub expr: Expr,
    pub comments: Comments,
}

/// `...` or `...T` in a struct or at the end of a list.
#[derive(Clone, Debug, PartialEq)]
pub struct Ellipsis {
    pub span: Span,
    pub value: Option<Expr>,
    pub comments: Comments,
}

/// `@name(body)` attached to a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    pub span: Span,
    /// The identifier after `@`.
    pub name: String,
    /// The raw text between the parentheses (balanced tokens).
    pub body: String,
}

/// `@name(body)` standing alone as a declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclAttribute {
    pub span: Span,
    pub attribute: Attribute,
    pub comments: Comments,
}

/// A declaration that failed to parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadDecl {
    pub span: Span,
    pub comments: Comments,
}

// ---------------------------------------------------------------------------
// Comprehensions

/// `for k, v in src if cond let x = e { body }`
#[derive(Clone, Debug, PartialEq)]
pub struct Comprehension {
    pub span: Span,
    /// At least one clause; the first is a `for` or an `if`.
    pub clauses: Vec<Clause>,
    pub body: StructLit,
    pub comments: Comments,
}

/// One clause of a comprehension.
#[derive(Clone, Debug, PartialEq)]
pub enum Clause {
    /// `for value in source` or `for key, value in source`
    For {
        span: Span,
        key: Option<Ident>,
        value: Ident,
        source: Expr,
    },
    /// `if cond`
    If { span: Span, cond: Expr },
    /// `let name = value`
    Let {
        span: Span,
        name: Ident,
        value: Expr,
    },
}

impl Clause {
    /// The span of the clause.
    pub fn span(&self) -> Span {
        match self {
            Clause::For { span, .. } | Clause::If { span, .. } | Clause::Let { span, .. } => *span,
        }
    }
}

// ---------------------------------------------------------------------------
// Expressions

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A reference (or `_`, top, which is the identifier `_`).
    Ident(Ident),
    /// `null`
    Null(Span),
    /// `true`, `false`
    Bool(BoolLit),
    /// An int or float literal, kept as written.
    Number(NumberLit),
    /// A string literal without interpolation, decoded.
    String(StringLit),
    /// A bytes literal without interpolation, decoded.
    Bytes(BytesLit),
    /// A string or bytes literal with `\(expr)` parts.
    Interpolation(Interpolation),
    /// `_|_`
    Bottom(Span),
    /// `{ ... }`
    Struct(StructLit),
    /// `[ ... ]`
    List(ListLit),
    /// `( expr )`
    Paren(Box<ParenExpr>),
    /// `op expr`, including the default mark `*expr` and bounds `>=1`.
    Unary(Box<UnaryExpr>),
    /// `lhs op rhs`, including `&` and `|`.
    Binary(Box<BinaryExpr>),
    /// `expr.name`
    Selector(Box<SelectorExpr>),
    /// `expr[index]`
    Index(Box<IndexExpr>),
    /// `expr[lo:hi]`
    Slice(Box<SliceExpr>),
    /// `func(args...)`
    Call(Box<CallExpr>),
    /// An expression that failed to parse (the error is reported separately).
    Bad(Span),
}

impl Expr {
    /// The span of the expression.
    pub fn span(&self) -> Span {
        match self {
            Expr::Ident(e) => e.span,
            Expr::Null(s) | Expr::Bottom(s) | Expr::Bad(s) => *s,
            Expr::Bool(e) => e.span,
            Expr::Number(e) => e.span,
            Expr::String(e) => e.span,
            Expr::Bytes(e) => e.span,
            Expr::Interpolation(e) => e.span,
            Expr::Struct(e) => e.span,
            Expr::List(e) => e.span,
            Expr::Paren(e) => e.span,
            Expr::Unary(e) => e.span,
            Expr::Binary(e) => e.span,
            Expr::Selector(e) => e.span,
            Expr::Index(e) => e.span,
            Expr::Slice(e) => e.span,
            Expr::Call(e) => e.span,
        }
    }
}

/// What kind of name an identifier is, from its prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdentKind {
    /// `a`
    Regular,
    /// `#a`
    Definition,
    /// `_a`
    Hidden,
    /// `_#a`
    HiddenDefinition,
}

/// An identifier, with its full text (`#A`, `_x`, `_#y`, `_`, `for`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    pub span: Span,
    pub name: String,
}

impl Ident {
    /// An identifier with the given name and span.
    pub fn new(name: impl Into<String>, span: Span) -> Ident {
        Ident {
            span,
            name: name.into(),
        }
    }

    /// Classifies the identifier by its prefix.
    pub fn kind(&self) -> IdentKind {
        ident_kind(&self.name)
    }
}

/// Classifies an identifier text by its prefix.
pub fn ident_kind(name: &str) -> IdentKind {
    if name.starts_with("_#") {
        IdentKind::HiddenDefinition
    } else if name.starts_with('#') {
        IdentKind::Definition
    } else if name.starts_with('_') && name.len() > 1 {
        IdentKind::Hidden
    } else {
        IdentKind::Regular
    }
}

/// `true` or `false`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoolLit {
    pub span: Span,
    pub value: bool,
}

/// Whether a number literal denotes an int or a float.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NumberKind {
    /// Decimal, `0x`, `0o`, `0b`, and literals with a multiplier (`1.5Ki`).
    Int,
    /// Literals with a `.` or an exponent and no multiplier.
    Float,
}

/// A number literal with its text as written (`1_000`, `0x1F`, `1.5Ki`, `.5`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NumberLit {
    pub span: Span,
    pub text: String,
    pub kind: NumberKind,
}

/// A string literal without interpolations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StringLit {
    pub span: Span,
    /// The decoded value.
    pub value: String,
    /// The literal as written (quotes and `#` included), which the printer
    /// reuses. `None` for built nodes, and for parsed literals that quoting
    /// `value` reproduces exactly (plain `"..."` without escapes): the
    /// printer quotes `value`.
    pub raw: Option<String>,
}

impl StringLit {
    /// A synthetic string literal.
    pub fn new(value: impl Into<String>, span: Span) -> StringLit {
        StringLit {
            span,
            value: value.into(),
            raw: None,
        }
    }
}

/// A bytes literal (`'...'`) without interpolations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BytesLit {
    pub span: Span,
    /// The decoded value.
    pub value: Vec<u8>,
    /// The literal as written, when needed (see [`StringLit::raw`]).
    pub raw: Option<String>,
}

/// The delimiters of a string-like literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct QuoteStyle {
    /// `'...'` (bytes) instead of `"..."` (string).
    pub bytes: bool,
    /// `"""` / `'''`
    pub multiline: bool,
    /// The number of `#` around the literal (`#"..."#` has 1).
    pub hashes: u32,
}

/// A string or bytes literal with interpolations: `"a\(x)b"`.
#[derive(Clone, Debug, PartialEq)]
pub struct Interpolation {
    pub span: Span,
    pub style: QuoteStyle,
    /// Alternating text and expressions, in source order. Text parts may be
    /// empty; adjacent text parts never occur.
    pub parts: Vec<InterpPart>,
}

/// A part of an [`Interpolation`].
#[derive(Clone, Debug, PartialEq)]
pub enum InterpPart {
    /// Literal text. `value` is decoded (valid UTF-8 unless the literal is a
    /// bytes literal); `raw` is the source text of the part, when parsed.
    Text { value: Vec<u8>, raw: Option<String> },
    /// `\(expr)`
    Expr(Expr),
}

/// `{ decls }`
#[derive(Clone, Debug, PartialEq)]
pub struct StructLit {
    pub span: Span,
    pub decls: Vec<Decl>,
    /// Written without braces, as the shorthand `a: b: c` (exactly one field).
    pub elided: bool,
    /// Comments after the last declaration, before `}`.
    pub trailing_comments: Vec<Comment>,
}

/// `[ elems, ...T ]`
#[derive(Clone, Debug, PartialEq)]
pub struct ListLit {
    pub span: Span,
    pub elems: Vec<Element>,
    /// A trailing `...` or `...T`: the list is open.
    pub ellipsis: Option<Box<Ellipsis>>,
    /// Comments after the last element, before `]`.
    pub trailing_comments: Vec<Comment>,
}

/// A list element with its comments.
#[derive(Clone, Debug, PartialEq)]
pub struct Element {
    pub span: Span,
    pub kind: ElementKind,
    pub comments: Comments,
}

/// What a list element is.
#[derive(Clone, Debug, PartialEq)]
pub enum ElementKind {
    Expr(Expr),
    Comprehension(Comprehension),
}

/// `( expr )`
#[derive(Clone, Debug, PartialEq)]
pub struct ParenExpr {
    pub span: Span,
    pub expr: Expr,
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `+`
    Plus,
    /// `-`
    Neg,
    /// `!`
    Not,
    /// `*`, the default mark in a disjunction.
    Default,
    /// `!=` bound
    NotEqual,
    /// `<` bound
    Less,
    /// `<=` bound
    LessEqual,
    /// `>` bound
    Greater,
    /// `>=` bound
    GreaterEqual,
    /// `=~` bound
    Match,
    /// `!~` bound
    NotMatch,
}

impl UnaryOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            UnaryOp::Plus => "+",
            UnaryOp::Neg => "-",
            UnaryOp::Not => "!",
            UnaryOp::Default => "*",
            UnaryOp::NotEqual => "!=",
            UnaryOp::Less => "<",
            UnaryOp::LessEqual => "<=",
            UnaryOp::Greater => ">",
            UnaryOp::GreaterEqual => ">=",
            UnaryOp::Match => "=~",
            UnaryOp::NotMatch => "!~",
        }
    }
}

/// `op expr`
#[derive(Clone, Debug, PartialEq)]
pub struct UnaryExpr {
    pub span: Span,
    pub op: UnaryOp,
    pub expr: Expr,
}

/// Binary operators, with the spec's precedence ([`BinaryOp::precedence`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `|` disjunction
    Disj,
    /// `&` unification
    Unify,
    /// `||`
    Or,
    /// `&&`
    And,
    /// `==`
    Equal,
    /// `!=`
    NotEqual,
    /// `<`
    Less,
    /// `<=`
    LessEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterEqual,
    /// `=~`
    Match,
    /// `!~`
    NotMatch,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `div`: Euclidean integer division (Go CUE v0.4 infix form).
    IntDiv,
    /// `mod`: Euclidean modulo.
    IntMod,
    /// `quo`: truncated integer division.
    IntQuo,
    /// `rem`: truncated remainder.
    IntRem,
}

impl BinaryOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Disj => "|",
            BinaryOp::Unify => "&",
            BinaryOp::Or => "||",
            BinaryOp::And => "&&",
            BinaryOp::Equal => "==",
            BinaryOp::NotEqual => "!=",
            BinaryOp::Less => "<",
            BinaryOp::LessEqual => "<=",
            BinaryOp::Greater => ">",
            BinaryOp::GreaterEqual => ">=",
            BinaryOp::Match => "=~",
            BinaryOp::NotMatch => "!~",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::IntDiv => "div",
            BinaryOp::IntMod => "mod",
            BinaryOp::IntQuo => "quo",
            BinaryOp::IntRem => "rem",
        }
    }

    /// Binding strength, 1 (`|`, weakest) to 7 (`*` `/`), as in the spec.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Disj => 1,
            BinaryOp::Unify => 2,
            BinaryOp::Or => 3,
            BinaryOp::And => 4,
            BinaryOp::Equal
            | BinaryOp::NotEqual
            | BinaryOp::Less
            | BinaryOp::LessEqual
            | BinaryOp::Greater
            | BinaryOp::GreaterEqual
            | BinaryOp::Match
            | BinaryOp::NotMatch => 5,
            BinaryOp::Add | BinaryOp::Sub => 6,
            BinaryOp::Mul
            | BinaryOp::Div
            | BinaryOp::IntDiv
            | BinaryOp::IntMod
            | BinaryOp::IntQuo
            | BinaryOp::IntRem => 7,
        }
    }
}

/// `lhs op rhs`
#[derive(Clone, Debug, PartialEq)]
pub struct BinaryExpr {
    pub span: Span,
    pub op: BinaryOp,
    pub lhs: Expr,
    pub rhs: Expr,
}

/// The name after `.` in a selector.
#[derive(Clone, Debug, PartialEq)]
pub enum Selector {
    /// `x.name`, `x.#Def`, `x._hidden`
    Ident(Ident),
    /// `x."quoted-name"`
    String(StringLit),
}

impl Selector {
    /// The selected name.
    pub fn name(&self) -> &str {
        match self {
            Selector::Ident(i) => &i.name,
            Selector::String(s) => &s.value,
        }
    }

    /// The span of the selector name.
    pub fn span(&self) -> Span {
        match self {
            Selector::Ident(i) => i.span,
            Selector::String(s) => s.span,
        }
    }
}

/// `base.sel`
#[derive(Clone, Debug, PartialEq)]
pub struct SelectorExpr {
    pub span: Span,
    pub base: Expr,
    pub sel: Selector,
}

/// `base[index]`
#[derive(Clone, Debug, PartialEq)]
pub struct IndexExpr {
    pub span: Span,
    pub base: Expr,
    pub index: Expr,
}

/// `base[lo:hi]`
#[derive(Clone, Debug, PartialEq)]
pub struct SliceExpr {
    pub span: Span,
    pub base: Expr,
    pub lo: Option<Expr>,
    pub hi: Option<Expr>,
}

/// `func(args...)`
#[derive(Clone, Debug, PartialEq)]
pub struct CallExpr {
    pub span: Span,
    pub func: Expr,
    pub args: Vec<Expr>,
}

// The parser moves expressions by value many times per token: keep `Expr`
// from growing unnoticed.
const _: () = assert!(std::mem::size_of::<Expr>() <= 72);
