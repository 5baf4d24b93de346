//! Helpers called from grammar actions to build AST nodes. They receive
//! spans computed by the grammar's `Sp` macro and never compute offsets
//! themselves, except inside literals (to point at a bad escape).

use crate::ast::*;
use crate::error::{ParseError, ParseErrorKind};
use crate::lexer::{Tok, Void};
use crate::literal::{self, Body};

type Recovery<'s> = lalrpop_util::ErrorRecovery<usize, Tok<'s>, Void>;

/// The span between two parser locations.
pub(crate) fn span(file: FileId, l: usize, r: usize) -> Span {
    Span::new(file, l as u32, r as u32)
}

/// The file node; checks that the package clause and imports come first.
pub(crate) fn file(span: Span, decls: Vec<Decl>, errors: &mut Vec<ParseError>) -> File {
    let mut seen_other = false;
    let mut seen_package = false;
    for d in &decls {
        match d {
            Decl::Attribute(_) | Decl::Bad(_) => {}
            Decl::Package(p) => {
                if seen_other || seen_package {
                    errors.push(ParseError::new(ParseErrorKind::MisplacedPackage, p.span));
                }
                seen_package = true;
            }
            Decl::Import(i) => {
                if seen_other {
                    errors.push(ParseError::new(ParseErrorKind::MisplacedImport, i.span));
                }
                seen_package = true;
            }
            _ => seen_other = true,
        }
    }
    File {
        span,
        decls,
        trailing_comments: Vec::new(),
    }
}

/// Comments of an item starting at `start`: empty, with the blank-line flag
/// set from the source (comments themselves are attached after parsing).
pub(crate) fn comments(src: &str, start: usize) -> Comments {
    Comments {
        leading: Vec::new(),
        trailing: Vec::new(),
        blank_line_before: crate::comments::blank_before(src, start),
    }
}

pub(crate) fn import(
    span: Span,
    specs: Vec<ImportSpec>,
    parenthesized: bool,
    comments: Comments,
) -> Box<Decl> {
    Box::new(Decl::Import(ImportDecl {
        span,
        specs,
        parenthesized,
        comments,
    }))
}

pub(crate) fn import_spec(
    span: Span,
    alias: Option<Ident>,
    raw: &str,
    file: FileId,
    errors: &mut Vec<ParseError>,
) -> Box<ImportSpec> {
    let path_span = Span::new(file, span.end - raw.len() as u32, span.end);
    let path = match string_expr(path_span, raw, file, errors) {
        Expr::String(s) => s,
        _ => {
            errors.push(ParseError::new(
                ParseErrorKind::InvalidImportPath,
                path_span,
            ));
            StringLit {
                span: path_span,
                value: String::new(),
                raw: Some(raw.to_string()),
            }
        }
    };
    Box::new(ImportSpec {
        span,
        alias,
        path,
        comments: Comments::default(),
    })
}

/// `@name(body)` from its raw text.
pub(crate) fn attribute(span: Span, raw: &str) -> Attribute {
    let open = raw.find('(').unwrap_or(raw.len());
    let name = raw.get(1..open).unwrap_or("").to_string();
    let body = raw
        .get(open + 1..raw.len().saturating_sub(1))
        .unwrap_or("")
        .to_string();
    Attribute { span, name, body }
}

pub(crate) fn attributes(raw: Vec<(Span, &str)>) -> Vec<Attribute> {
    raw.into_iter().map(|(sp, r)| attribute(sp, r)).collect()
}

fn recovery_span(span: Span, rec: &Recovery<'_>, file: FileId) -> Span {
    if !span.is_empty() {
        return span;
    }
    let (mut start, mut end) = (span.start, span.end);
    if let Some(first) = rec.dropped_tokens.first() {
        start = start.min(first.0 as u32);
    }
    if let Some(last) = rec.dropped_tokens.last() {
        end = end.max(last.2 as u32);
    }
    Span::new(file, start, end)
}

pub(crate) fn bad_decl(
    span: Span,
    rec: Recovery<'_>,
    file: FileId,
    errors: &mut Vec<ParseError>,
) -> Decl {
    let span = recovery_span(span, &rec, file);
    errors.push(crate::parser::from_lalrpop(rec.error, file));
    Decl::Bad(BadDecl {
        span,
        comments: Comments::default(),
    })
}

/// A list element on the parser stack (see `Element` in the grammar).
pub(crate) enum Elem {
    Expr(Span, Expr),
    Comprehension(Span, Box<Comprehension>),
}

/// List elements as the list keeps them, in a vector of exactly the right
/// size.
pub(crate) fn elements(src: &str, elems: Vec<Elem>) -> Vec<Element> {
    let mut out = Vec::with_capacity(elems.len());
    out.extend(elems.into_iter().map(|e| element(src, e)));
    out
}

/// The element with its blank-line flag.
pub(crate) fn element(src: &str, e: Elem) -> Element {
    let (span, kind) = match e {
        Elem::Expr(span, e) => (span, ElementKind::Expr(e)),
        Elem::Comprehension(span, c) => (span, ElementKind::Comprehension(*c)),
    };
    Element {
        span,
        kind,
        comments: comments(src, span.start as usize),
    }
}

/// A new list holding `x`, with room to grow without reallocating at once.
/// Declarations as the struct or file keeps them. While parsing they are
/// collected as boxes (a push moves a pointer, growth copies pointers); here
/// each is moved once into a vector of exactly the right size.
#[allow(clippy::vec_box, reason = "see the doc comment")]
pub(crate) fn unbox_decls(decls: Vec<Box<Decl>>) -> Vec<Decl> {
    let mut out = Vec::with_capacity(decls.len());
    out.extend(decls.into_iter().map(|d| *d));
    out
}

pub(crate) fn first<T>(x: T) -> Vec<T> {
    let mut v = Vec::with_capacity(4);
    v.push(x);
    v
}

pub(crate) fn bad_element(
    span: Span,
    rec: Recovery<'_>,
    file: FileId,
    errors: &mut Vec<ParseError>,
) -> Elem {
    let span = recovery_span(span, &rec, file);
    errors.push(crate::parser::from_lalrpop(rec.error, file));
    Elem::Expr(span, Expr::Bad(span))
}

/// A label while on the parser stack: identifiers inline, the larger
/// kinds boxed, so that the parser's symbol type stays small.
pub(crate) enum LabelSym {
    Ident(Ident),
    Other(Box<Label>),
}

/// The value side of a field, allocated as the final field declaration with
/// a placeholder label; [`field`] fills in the rest without reallocating.
pub(crate) fn field_value(
    value_alias: Option<Ident>,
    value: Expr,
    attributes: Vec<Attribute>,
) -> Box<Decl> {
    Box::new(Decl::Field(Field {
        span: Span::synthetic(),
        alias: None,
        label: Label::Ident(Ident {
            span: Span::synthetic(),
            name: String::new(),
        }),
        optional: false,
        value_alias,
        value,
        attributes,
        comments: Comments::default(),
    }))
}

/// Completes the field declaration made by [`field_value`].
pub(crate) fn field(
    span: Span,
    alias: Option<Ident>,
    label: LabelSym,
    optional: bool,
    mut decl: Box<Decl>,
    comments: Comments,
) -> Box<Decl> {
    if let Decl::Field(f) = &mut *decl {
        f.span = span;
        f.alias = alias;
        f.label = match label {
            LabelSym::Ident(i) => label_ident(i),
            LabelSym::Other(l) => *l,
        };
        f.optional = optional;
        f.comments = comments;
    }
    decl
}

#[allow(
    clippy::vec_box,
    clippy::boxed_local,
    reason = "the grammar boxes clauses to keep parser symbols small"
)]
pub(crate) fn comprehension(
    span: Span,
    first: Box<Clause>,
    rest: Vec<Box<Clause>>,
    body: StructLit,
    comments: Comments,
) -> Box<Comprehension> {
    let mut clauses = Vec::with_capacity(rest.len() + 1);
    clauses.push(*first);
    clauses.extend(rest.into_iter().map(|c| *c));
    Box::new(Comprehension {
        span,
        clauses,
        body,
        comments,
    })
}

/// The value of `a` in `a: b: 1`: a brace-less struct holding `b: 1`.
pub(crate) fn elided_struct(span: Span, field: Decl) -> Expr {
    Expr::Struct(StructLit {
        span,
        decls: vec![field],
        elided: true,
        trailing_comments: Vec::new(),
    })
}

pub(crate) fn label_ident(ident: Ident) -> Label {
    match ident.kind() {
        IdentKind::Regular => Label::Ident(ident),
        IdentKind::Definition => Label::Definition(ident),
        IdentKind::Hidden | IdentKind::HiddenDefinition => Label::Hidden(ident),
    }
}

pub(crate) fn label_string(
    span: Span,
    raw: &str,
    file: FileId,
    errors: &mut Vec<ParseError>,
) -> Label {
    match string_expr(span, raw, file, errors) {
        Expr::String(s) => Label::String(s),
        _ => {
            errors.push(ParseError::new(ParseErrorKind::InvalidLabel, span));
            Label::String(StringLit {
                span,
                value: String::new(),
                raw: Some(raw.to_string()),
            })
        }
    }
}

/// `[expr]: value` was parsed as a list; it must hold exactly one expression.
pub(crate) fn label_pattern(list: ListLit, errors: &mut Vec<ParseError>) -> Label {
    let span = list.span;
    if list.ellipsis.is_none()
        && list.elems.len() == 1
        && matches!(list.elems[0].kind, ElementKind::Comprehension(_))
    {
        // Valid syntax, rejected by the evaluator (see `PatternLabel`).
        return Label::Pattern(PatternLabel {
            span,
            alias: None,
            expr: Expr::List(list),
        });
    }
    let mut elems = list.elems.into_iter();
    match (elems.next(), elems.next(), list.ellipsis) {
        (
            Some(Element {
                kind: ElementKind::Expr(expr),
                ..
            }),
            None,
            None,
        ) => Label::Pattern(PatternLabel {
            span,
            alias: None,
            expr,
        }),
        _ => {
            errors.push(ParseError::new(ParseErrorKind::InvalidPattern, span));
            Label::Pattern(PatternLabel {
                span,
                alias: None,
                expr: Expr::Bad(span),
            })
        }
    }
}

pub(crate) fn selector_string(
    span: Span,
    raw: &str,
    file: FileId,
    errors: &mut Vec<ParseError>,
) -> Selector {
    match string_expr(span, raw, file, errors) {
        Expr::String(s) => Selector::String(s),
        _ => {
            errors.push(ParseError::new(ParseErrorKind::InvalidLabel, span));
            Selector::String(StringLit {
                span,
                value: String::new(),
                raw: Some(raw.to_string()),
            })
        }
    }
}

/// A plain string or bytes literal from its raw text.
pub(crate) fn string_expr(
    span: Span,
    raw: &str,
    file: FileId,
    errors: &mut Vec<ParseError>,
) -> Expr {
    let style = literal::style_of(raw);
    let d = literal::delim_len(style);
    let inner = raw.get(d..raw.len().saturating_sub(d)).unwrap_or("");
    // The common case, a plain `"..."` without escapes or control
    // characters, is its own value: no decoding pass.
    if style == QuoteStyle::default() && !inner.bytes().any(|b| b == b'\\' || b < 0x20 || b == 0x7f)
    {
        return Expr::String(StringLit {
            span,
            value: inner.to_string(),
            raw: None,
        });
    }
    let mut parts = literal::decode(
        style,
        &[Body {
            text: inner,
            offset: span.start + d as u32,
        }],
        file,
        errors,
    );
    let value = parts.pop().unwrap_or_default();
    // Keep the source text only when quoting the value would not give it
    // back (escapes, `#`, multi-line): most literals need no copy.
    let canonical = style == QuoteStyle::default()
        && !inner.bytes().any(|b| b == b'\\' || b < 0x20 || b == 0x7f);
    let raw = if canonical {
        None
    } else {
        Some(raw.to_string())
    };
    if style.bytes {
        Expr::Bytes(BytesLit { span, value, raw })
    } else {
        Expr::String(StringLit {
            span,
            value: String::from_utf8(value)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            raw,
        })
    }
}

/// An interpolation from its token texts and expressions.
pub(crate) fn interpolation(
    span: Span,
    start: (Span, &str),
    first: Expr,
    rest: Vec<((Span, &str), Expr)>,
    end: (Span, &str),
    file: FileId,
    errors: &mut Vec<ParseError>,
) -> Interpolation {
    let style = literal::style_of(start.1);
    let open = literal::delim_len(style);
    let interp = literal::interp_open_len(style);
    fn body<'s>((sp, raw): (Span, &'s str), skip: usize, cut: usize) -> (Body<'s>, &'s str) {
        let text = raw.get(skip..raw.len().saturating_sub(cut)).unwrap_or("");
        (
            Body {
                text,
                offset: sp.start + skip as u32,
            },
            text,
        )
    }
    let mut bodies = vec![body(start, open, interp)];
    let mut exprs = vec![first];
    for (tok, e) in rest {
        bodies.push(body(tok, 1, interp));
        exprs.push(e);
    }
    bodies.push(body(end, 1, open));
    let decoded = literal::decode(
        style,
        &bodies.iter().map(|(b, _)| *b).collect::<Vec<_>>(),
        file,
        errors,
    );
    let mut parts = Vec::with_capacity(bodies.len() + exprs.len());
    let mut exprs = exprs.into_iter();
    for ((_, raw), value) in bodies.iter().zip(decoded) {
        parts.push(InterpPart::Text {
            value,
            raw: Some(raw.to_string()),
        });
        if let Some(e) = exprs.next() {
            parts.push(InterpPart::Expr(e));
        }
    }
    Interpolation { span, style, parts }
}

pub(crate) fn list(span: Span, elems: Vec<Element>, ellipsis: Option<Box<Ellipsis>>) -> ListLit {
    ListLit {
        span,
        elems,
        ellipsis,
        trailing_comments: Vec::new(),
    }
}

/// Adds `op rhs` to the expression `lhs` parsed so far (spec "Operator
/// precedence": all levels associate to the left). The new operator takes
/// the place of the rightmost subtree whose operator binds less tightly, so
/// `a | b & c` becomes `a | (b & c)` and `a - b - c` becomes `(a - b) - c`.
/// Parenthesised operands are `Paren` nodes and are never entered.
pub(crate) fn push_binary(lhs: Expr, op: BinaryOp, rhs: Expr) -> Expr {
    match lhs {
        Expr::Binary(mut b) if b.op.precedence() < op.precedence() => {
            let inner = std::mem::replace(&mut b.rhs, Expr::Bad(b.span));
            b.rhs = push_binary(inner, op, rhs);
            b.span = b.span.to(b.rhs.span());
            Expr::Binary(b)
        }
        lhs => {
            let span = lhs.span().to(rhs.span());
            Expr::Binary(Box::new(BinaryExpr { span, op, lhs, rhs }))
        }
    }
}
