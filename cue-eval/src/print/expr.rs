//! Compiled expressions back to syntax, for values that are printed in
//! expression mode (incomplete values print as their conjuncts, optional
//! fields as their declared values). References print as the name they
//! were written with; operators get parentheses from the printer's
//! precedence rules; imported packages are recorded for the import list.

use super::scalar::{binary, bound_op, kind_ident, number, unary};
use super::{ident, Printer};
use crate::compile::ir::{
    BinOp, Clause, Comprehension, Decl as IrDecl, ExprKind, ExprRef, InterpPart as IrPart,
    ListElem, ListLit as IrList, StructLit as IrStruct,
};
use crate::value::Label;
use cue_syntax::ast::{
    BinaryOp, CallExpr, Comments, Decl, Element, ElementKind, Ellipsis, Embed, Expr, Field, Ident,
    IndexExpr, InterpPart, Interpolation, ListLit, ParenLabel, PatternLabel, QuoteStyle, Selector,
    SelectorExpr, SliceExpr, Span, StringLit, StructLit, UnaryOp,
};

fn syn() -> Span {
    Span::synthetic()
}

impl Printer<'_> {
    /// The syntax of a compiled expression.
    pub(crate) fn expr(&mut self, e: &ExprRef) -> Expr {
        match &e.kind {
            ExprKind::Top => ident("_"),
            ExprKind::Bottom => Expr::Bottom(syn()),
            ExprKind::Null => Expr::Null(syn()),
            ExprKind::Bool(b) => Expr::Bool(cue_syntax::ast::BoolLit {
                span: syn(),
                value: *b,
            }),
            ExprKind::Num(n) => number(n),
            ExprKind::Str(s) => Expr::String(StringLit::new(s.to_string(), syn())),
            ExprKind::Bytes(b) => Expr::Bytes(cue_syntax::ast::BytesLit {
                span: syn(),
                value: b.to_vec(),
                raw: None,
            }),
            ExprKind::Basic(k) => kind_ident(*k),
            ExprKind::Bound(op, x) => {
                let x = self.expr(x);
                unary(bound_op(*op), x)
            }
            ExprKind::Struct(s) => Expr::Struct(self.struct_expr(s)),
            ExprKind::List(l) => self.list_expr(l),
            ExprKind::FieldRef {
                label,
                value_alias: true,
                ..
            } => match self.source_text(e.span) {
                Some(name) if super::is_ident(&name) => ident(&name),
                _ => self.label_ident(*label),
            },
            ExprKind::FieldRef { label, .. } => self.label_ident(*label),
            // The compiled form keeps no name; the source has it.
            ExprKind::LabelRef { .. } | ExprKind::DynFieldRef { .. } => {
                match self.source_text(e.span) {
                    Some(name) if super::is_ident(&name) => ident(&name),
                    _ => ident("_"),
                }
            }
            ExprKind::LetRef { name, expr, .. } => self.let_ref(*name, expr),
            ExprKind::Import(path) => self.import(path),
            ExprKind::Selector(base, l) => {
                let base = self.expr(base);
                let name = self.ev.labels.name(*l);
                let sel = if super::is_ident(&name) {
                    Selector::Ident(Ident::new(name, syn()))
                } else {
                    Selector::String(StringLit::new(name, syn()))
                };
                Expr::Selector(Box::new(SelectorExpr {
                    span: syn(),
                    base,
                    sel,
                }))
            }
            ExprKind::Index(base, ix) => {
                let base = self.expr(base);
                let index = self.expr(ix);
                Expr::Index(Box::new(IndexExpr {
                    span: syn(),
                    base,
                    index,
                }))
            }
            ExprKind::Slice(base, lo, hi) => {
                let base = self.expr(base);
                let lo = lo.as_ref().map(|x| self.expr(x));
                let hi = hi.as_ref().map(|x| self.expr(x));
                Expr::Slice(Box::new(SliceExpr {
                    span: syn(),
                    base,
                    lo,
                    hi,
                }))
            }
            ExprKind::Neg(x) => {
                let x = self.expr(x);
                unary(UnaryOp::Neg, x)
            }
            ExprKind::Plus(x) => {
                let x = self.expr(x);
                unary(UnaryOp::Plus, x)
            }
            ExprKind::Not(x) => {
                let x = self.expr(x);
                unary(UnaryOp::Not, x)
            }
            ExprKind::Binary(op, x, y) => {
                let x = self.expr(x);
                let y = self.expr(y);
                binary(bin_op(*op), x, y)
            }
            ExprKind::Unify(xs) => {
                let mut out: Option<Expr> = None;
                for x in xs {
                    let x = self.expr(x);
                    out = Some(super::scalar::and(out, x));
                }
                out.unwrap_or_else(|| ident("_"))
            }
            ExprKind::Disj(alts) => {
                let mut out: Option<Expr> = None;
                for (x, marked) in alts.iter() {
                    let mut x = self.expr(x);
                    if *marked {
                        x = unary(UnaryOp::Default, x);
                    }
                    out = Some(match out {
                        None => x,
                        Some(l) => binary(BinaryOp::Disj, l, x),
                    });
                }
                out.unwrap_or_else(|| ident("_"))
            }
            ExprKind::Interp { parts, bytes } => {
                let parts: Vec<InterpPart> = parts
                    .iter()
                    .map(|p| match p {
                        IrPart::Text(t) => InterpPart::Text {
                            value: t.to_vec(),
                            raw: None,
                        },
                        IrPart::Expr(x) => InterpPart::Expr(self.expr(x)),
                    })
                    .collect();
                // Text with a newline makes the literal a multi-line one.
                let multiline = parts
                    .iter()
                    .any(|p| matches!(p, InterpPart::Text { value, .. } if value.contains(&b'\n')));
                Expr::Interpolation(Interpolation {
                    span: syn(),
                    style: QuoteStyle {
                        bytes: *bytes,
                        multiline,
                        hashes: 0,
                    },
                    parts,
                })
            }
            ExprKind::Call(f, args) => {
                if let (ExprKind::Builtin(b), [x, y]) = (&f.kind, args.as_slice()) {
                    if f.span.is_synthetic() {
                        let op = match b {
                            crate::compile::ir::Builtin::Div => Some(BinaryOp::IntDiv),
                            crate::compile::ir::Builtin::Mod => Some(BinaryOp::IntMod),
                            crate::compile::ir::Builtin::Quo => Some(BinaryOp::IntQuo),
                            crate::compile::ir::Builtin::Rem => Some(BinaryOp::IntRem),
                            _ => None,
                        };
                        if let Some(op) = op {
                            let (x, y) = (self.expr(x), self.expr(y));
                            return binary(op, x, y);
                        }
                    }
                }
                let func = self.expr(f);
                let args = args.iter().map(|a| self.expr(a)).collect();
                Expr::Call(Box::new(CallExpr {
                    span: syn(),
                    func,
                    args,
                }))
            }
            ExprKind::Builtin(b) => ident(b.name()),
            ExprKind::Vertex(id) => self.vertex(*id),
            ExprKind::Value(v) => {
                let v = v.clone();
                self.scalar(&v)
            }
        }
    }

    /// The source text of `span`, if the sources are known.
    pub(crate) fn source_text(&self, span: Span) -> Option<String> {
        let map = self.sources?;
        if span.is_synthetic() || map.get(span.file).is_none() {
            return None;
        }
        Some(map.snippet(span).to_string())
    }

    /// `X` of a pattern field `[X=...]: ...` whose declaration spans `span`.
    fn pattern_alias(&self, span: Span) -> Option<Ident> {
        let text = self.source_text(span)?;
        let rest = text.strip_prefix('[')?.trim_start();
        let end = rest.find('=')?;
        let name = rest[..end].trim();
        super::is_ident(name).then(|| Ident::new(name, syn()))
    }

    fn label_ident(&self, l: Label) -> Expr {
        ident(&self.ev.labels.name(l))
    }

    fn struct_expr(&mut self, s: &IrStruct) -> StructLit {
        let mut decls = Vec::new();
        for d in &s.decls {
            let decl = match d {
                IrDecl::Field {
                    label,
                    optional,
                    value,
                    ..
                } => {
                    let v = self.expr(value);
                    self.field(*label, v, *optional)
                }
                IrDecl::Dynamic {
                    key,
                    optional,
                    value,
                    ..
                } => {
                    let label = match &key.kind {
                        ExprKind::Interp { .. } => match self.expr(key) {
                            Expr::Interpolation(i) => cue_syntax::ast::Label::Interpolated(i),
                            other => paren_label(other),
                        },
                        _ => {
                            let k = self.expr(key);
                            paren_label(k)
                        }
                    };
                    let value = self.expr(value);
                    Decl::Field(Field {
                        span: syn(),
                        alias: None,
                        label,
                        optional: *optional,
                        value_alias: None,
                        value,
                        attributes: Vec::new(),
                        comments: Comments::default(),
                    })
                }
                IrDecl::Pattern {
                    pattern,
                    value,
                    alias,
                    span,
                } => {
                    let alias = if *alias {
                        self.pattern_alias(*span)
                    } else {
                        None
                    };
                    let p = self.expr(pattern);
                    let value = self.expr(value);
                    Decl::Field(Field {
                        span: syn(),
                        alias: None,
                        label: cue_syntax::ast::Label::Pattern(PatternLabel {
                            span: syn(),
                            alias,
                            expr: p,
                        }),
                        optional: false,
                        value_alias: None,
                        value,
                        attributes: Vec::new(),
                        comments: Comments::default(),
                    })
                }
                IrDecl::Ellipsis(x) => Decl::Ellipsis(Ellipsis {
                    span: syn(),
                    value: x
                        .as_ref()
                        .filter(|x| !matches!(x.kind, ExprKind::Top))
                        .map(|x| self.expr(x)),
                    comments: Comments::default(),
                }),
                IrDecl::Embed(x) => Decl::Embed(Embed {
                    span: syn(),
                    expr: self.expr(x),
                    comments: Comments::default(),
                }),
                IrDecl::Comprehension(c) => Decl::Comprehension(self.comprehension(c)),
            };
            decls.push(decl);
        }
        StructLit {
            span: syn(),
            decls,
            elided: false,
            trailing_comments: Vec::new(),
        }
    }

    fn comprehension(&mut self, c: &Comprehension) -> cue_syntax::ast::Comprehension {
        let mut clauses = Vec::new();
        for cl in &c.clauses {
            clauses.push(match cl {
                Clause::For { key, value, source } => cue_syntax::ast::Clause::For {
                    span: syn(),
                    key: key.map(|k| Ident::new(self.ev.labels.name(k), syn())),
                    value: Ident::new(self.ev.labels.name(*value), syn()),
                    source: self.expr(source),
                },
                Clause::If(x) => cue_syntax::ast::Clause::If {
                    span: syn(),
                    cond: self.expr(x),
                },
                Clause::Let { name, expr } => cue_syntax::ast::Clause::Let {
                    span: syn(),
                    name: Ident::new(self.ev.labels.name(*name), syn()),
                    value: self.expr(expr),
                },
            });
        }
        let body = match self.expr(&c.body) {
            Expr::Struct(s) => s,
            other => StructLit {
                span: syn(),
                decls: vec![Decl::Embed(Embed {
                    span: syn(),
                    expr: other,
                    comments: Comments::default(),
                })],
                elided: false,
                trailing_comments: Vec::new(),
            },
        };
        cue_syntax::ast::Comprehension {
            span: syn(),
            clauses,
            body,
            comments: Comments::default(),
        }
    }

    fn list_expr(&mut self, l: &IrList) -> Expr {
        let mut elems = Vec::new();
        for el in &l.elems {
            let kind = match el {
                ListElem::Expr(x) => ElementKind::Expr(self.expr(x)),
                ListElem::Comprehension(c) => ElementKind::Comprehension(self.comprehension(c)),
            };
            elems.push(Element {
                span: syn(),
                kind,
                comments: Comments::default(),
            });
        }
        let ellipsis = l.ellipsis.as_ref().map(|x| {
            Box::new(Ellipsis {
                span: syn(),
                value: (!matches!(x.kind, ExprKind::Top)).then(|| self.expr(x)),
                comments: Comments::default(),
            })
        });
        Expr::List(ListLit {
            span: syn(),
            elems,
            ellipsis,
            trailing_comments: Vec::new(),
        })
    }
}

fn paren_label(e: Expr) -> cue_syntax::ast::Label {
    cue_syntax::ast::Label::Paren(ParenLabel {
        span: syn(),
        expr: e,
    })
}

fn bin_op(op: BinOp) -> BinaryOp {
    match op {
        BinOp::Add => BinaryOp::Add,
        BinOp::Sub => BinaryOp::Sub,
        BinOp::Mul => BinaryOp::Mul,
        BinOp::Div => BinaryOp::Div,
        BinOp::Eq => BinaryOp::Equal,
        BinOp::Ne => BinaryOp::NotEqual,
        BinOp::Lt => BinaryOp::Less,
        BinOp::Le => BinaryOp::LessEqual,
        BinOp::Gt => BinaryOp::Greater,
        BinOp::Ge => BinaryOp::GreaterEqual,
        BinOp::Match => BinaryOp::Match,
        BinOp::NotMatch => BinaryOp::NotMatch,
        BinOp::And => BinaryOp::And,
        BinOp::Or => BinaryOp::Or,
    }
}
