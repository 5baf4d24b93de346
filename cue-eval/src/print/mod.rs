//! `cue eval` output: the finalized value tree printed back as CUE syntax
//! (reference `Value.Syntax(Final(), Definitions(true), ...)`, that is
//! `internal/core/export` in value mode with defaults taken, then
//! `cue/format` with 4-space indentation).
//!
//! Rules:
//! - definitions are shown; hidden and optional fields only on request
//!   ([`PrintOptions`]); patterns and `...` never; `let` only where an
//!   incomplete value refers to one; no package clause;
//! - defaults are taken; other disjunctions print as `a | b` (several
//!   defaults print as the disjunction of the defaults); lists are closed;
//! - a value with definitions (or shown hidden fields) next to a non-struct
//!   value prints as a struct embedding the value;
//! - an incomplete value prints as its conjuncts' expressions joined with
//!   `&` (`a: b + 1`);
//! - fields are in the reference's output order ([`crate::order`]);
//! - imports are added for the packages that printed values refer to;
//! - layout is `cue_syntax::format` with `FormatOptions::eval()`.
//!
//! If any permanent error exists anywhere in the tree (definitions and
//! hidden fields included), nothing is printed: the permanent errors are
//! returned, as `cue eval` reports them and exits 1.

mod expr;
mod quote;
mod scalar;

pub(crate) use scalar::implied;

use crate::eval::{Evaluator, VertexId};
use crate::value::{Label, LabelKind, Value};
use cue_syntax::ast::{
    Comments, Decl, Embed, Expr, Field, File, Ident, ImportDecl, ImportSpec, ListLit, Span,
    StringLit, StructLit,
};

/// What `cue eval` shows besides regular fields and definitions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PrintOptions {
    /// Show hidden fields (`-H`, `--all`).
    pub hidden: bool,
    /// Show optional fields (`-O`, `--all`).
    pub optional: bool,
    /// Data only (`cue eval -c`): regular fields, no definitions, hidden or
    /// optional fields whatever the other options say.
    pub concrete: bool,
}

impl PrintOptions {
    /// Hidden and optional fields too (`cue eval --all`).
    pub fn all() -> PrintOptions {
        PrintOptions {
            hidden: true,
            optional: true,
            concrete: false,
        }
    }
}

/// An identifier expression.
pub(crate) fn ident(name: &str) -> Expr {
    Expr::Ident(Ident::new(name, Span::synthetic()))
}

/// Whether `s` has the shape of an identifier: letters, digits, `_` and
/// `$`, not starting with a digit (`#` may start it; callers decide whether
/// a regular label that looks like a definition or hidden field is quoted).
pub(crate) fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if !(first.is_alphabetic() || first == '_' || first == '$' || first == '#') {
        return false;
    }
    chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// Whether a printed label is a regular field's.
fn is_regular_label(l: &cue_syntax::ast::Label) -> bool {
    matches!(
        l,
        cue_syntax::ast::Label::Ident(_) | cue_syntax::ast::Label::String(_)
    )
}

/// Builds the syntax tree of one evaluated value.
pub(crate) struct Printer<'a> {
    pub(crate) ev: &'a mut Evaluator,
    /// The source texts, for names the compiled form does not keep
    /// (pattern aliases such as `X` in `[X=_]: int`).
    pub(crate) sources: Option<&'a cue_syntax::SourceMap>,
    opts: PrintOptions,
    /// Import paths referred to (printed sorted).
    imports: Vec<String>,
    /// Per struct being printed, the `let` bindings its expressions refer
    /// to (printed first in that struct, as the reference does).
    lets: Vec<Vec<(Label, Decl)>>,
    /// Vertices being printed (a value that contains itself prints `_|_`
    /// there instead of recursing forever).
    active: std::collections::HashSet<VertexId>,
}

impl<'a> Printer<'a> {
    pub(crate) fn new(
        ev: &'a mut Evaluator,
        sources: Option<&'a cue_syntax::SourceMap>,
        opts: PrintOptions,
    ) -> Printer<'a> {
        Printer {
            ev,
            sources,
            opts,
            imports: Vec::new(),
            lets: Vec::new(),
            active: std::collections::HashSet::new(),
        }
    }

    /// The file for vertex `v`: its fields as declarations, or the value
    /// embedded, preceded by the imports the value needs.
    pub(crate) fn file(mut self, v: VertexId) -> File {
        let value = self.vertex(v);
        let mut decls = match value {
            Expr::Struct(s) => s.decls,
            other => vec![Decl::Embed(Embed {
                span: Span::synthetic(),
                expr: other,
                comments: Comments::default(),
            })],
        };
        if !self.imports.is_empty() {
            // The reference lists imports in the order the printed values
            // first use them, not sorted.
            let specs: Vec<ImportSpec> = self
                .imports
                .iter()
                .map(|p| ImportSpec {
                    span: Span::synthetic(),
                    alias: None,
                    path: StringLit::new(p.clone(), Span::synthetic()),
                    comments: Comments::default(),
                })
                .collect();
            let parenthesized = specs.len() > 1;
            decls.insert(
                0,
                Decl::Import(ImportDecl {
                    span: Span::synthetic(),
                    specs,
                    parenthesized,
                    comments: Comments::default(),
                }),
            );
        }
        File {
            span: Span::synthetic(),
            decls,
            trailing_comments: Vec::new(),
        }
    }

    /// The identifier naming an imported package (its last path element);
    /// records the import.
    pub(crate) fn import(&mut self, path: &str) -> Expr {
        if !self.imports.iter().any(|p| p == path) {
            self.imports.push(path.to_string());
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        let name = name.split(':').next_back().unwrap_or(name);
        ident(name)
    }

    /// The syntax of a finalized vertex's value.
    pub(crate) fn vertex(&mut self, v: VertexId) -> Expr {
        if !self.active.insert(v) {
            return Expr::Bottom(Span::synthetic());
        }
        let e = self.vertex_value(v);
        self.active.remove(&v);
        e
    }

    fn vertex_value(&mut self, v: VertexId) -> Expr {
        self.ev.finalize(v);
        let value = self.ev.v(v).value.clone();
        match value {
            Value::Struct => Expr::Struct(self.struct_lit(v, None)),
            Value::List => {
                let list = self.list(v);
                if self.shows_extra_arcs(v) {
                    // The reference puts a list after the fields.
                    let mut s = self.struct_lit(v, None);
                    s.decls
                        .retain(|d| !matches!(d, Decl::Field(f) if is_regular_label(&f.label)));
                    s.decls.push(Decl::Embed(Embed {
                        span: Span::synthetic(),
                        expr: list,
                        comments: Comments::default(),
                    }));
                    Expr::Struct(s)
                } else {
                    list
                }
            }
            Value::Disj(list) => {
                // Disjuncts that are still incomplete are dropped as the
                // reference eliminates them; if none is left, the whole
                // value is incomplete and prints as its expressions.
                let mut live: Vec<(VertexId, bool)> = Vec::new();
                for (x, d) in list.iter() {
                    self.ev.finalize(*x);
                    let incomplete =
                        matches!(&self.ev.v(*x).value, Value::Bottom(b) if b.is_incomplete());
                    if !incomplete {
                        live.push((*x, *d));
                    }
                }
                if live.is_empty() {
                    return self.conjuncts(v);
                }
                let defaults: Vec<VertexId> =
                    live.iter().filter(|(_, d)| *d).map(|(x, _)| *x).collect();
                let shown: Vec<VertexId> = if defaults.is_empty() {
                    live.iter().map(|(x, _)| *x).collect()
                } else {
                    defaults
                };
                let mut out: Option<Expr> = None;
                for d in shown {
                    let e = self.vertex(d);
                    out = Some(match out {
                        None => e,
                        Some(l) => scalar::binary(cue_syntax::ast::BinaryOp::Disj, l, e),
                    });
                }
                out.unwrap_or_else(|| ident("_"))
            }
            Value::Bottom(b) if b.is_incomplete() => self.conjuncts(v),
            Value::Vertex(id) => self.vertex(id),
            other => {
                let e = self.scalar(&other);
                if self.shows_extra_arcs(v) {
                    Expr::Struct(self.struct_lit(v, Some(e)))
                } else {
                    e
                }
            }
        }
    }

    /// An incomplete vertex in expression mode: its conjuncts joined by `&`.
    /// Without conjuncts there is no expression to show: `_|_`, as the
    /// reference prints an error value.
    fn conjuncts(&mut self, v: VertexId) -> Expr {
        let conjs = self.ev.v(v).conjuncts.clone();
        let mut out: Option<Expr> = None;
        for c in &conjs {
            // The `_` a bare `...` adds to every field.
            if matches!(c.expr.kind, crate::compile::ir::ExprKind::Top)
                && c.expr.span.is_synthetic()
            {
                continue;
            }
            let e = self.expr(&c.expr);
            out = Some(scalar::and(out, e));
        }
        out.unwrap_or(Expr::Bottom(Span::synthetic()))
    }

    /// Whether `v` has definitions or (when shown) hidden fields, which
    /// turn a non-struct value into a struct embedding it.
    fn shows_extra_arcs(&self, v: VertexId) -> bool {
        self.ev.v(v).arcs.iter().any(|(l, _)| {
            !self.opts.concrete && (l.is_def() || (l.is_hidden() && self.opts.hidden))
        })
    }

    fn list(&mut self, v: VertexId) -> Expr {
        let elems = self.ev.list_elems(v);
        let mut out = Vec::with_capacity(elems.len());
        for a in elems {
            let e = match self.number_literal(a) {
                Some((text, float)) => Expr::Number(cue_syntax::ast::NumberLit {
                    span: Span::synthetic(),
                    text,
                    kind: if float {
                        cue_syntax::ast::NumberKind::Float
                    } else {
                        cue_syntax::ast::NumberKind::Int
                    },
                }),
                None => self.vertex(a),
            };
            out.push(cue_syntax::ast::Element {
                span: Span::synthetic(),
                kind: cue_syntax::ast::ElementKind::Expr(e),
                comments: Comments::default(),
            });
        }
        Expr::List(ListLit {
            span: Span::synthetic(),
            elems: out,
            ellipsis: None,
            trailing_comments: Vec::new(),
        })
    }

    /// A list element that is a number written as a literal prints as
    /// written (`0x10`, `1_000`, `1e3`; the exponent letter lowercased), as
    /// the reference does; elsewhere numbers print from their value.
    fn number_literal(&self, a: VertexId) -> Option<(String, bool)> {
        let vx = self.ev.v(a);
        let Value::Num(n) = &vx.value else {
            return None;
        };
        let float = !n.is_int_kind();
        let lit = vx.conjuncts.iter().find(|c| {
            matches!(c.expr.kind, crate::compile::ir::ExprKind::Num(_))
                && !c.expr.span.is_synthetic()
        })?;
        let text = self.source_text(lit.expr.span)?;
        let hex = text.starts_with("0x") || text.starts_with("0X");
        Some((if hex { text } else { text.replace('E', "e") }, float))
    }

    /// The fields of `v` in output order; `embed` (a non-struct value) comes
    /// first. Regular fields show only when the value is a struct.
    fn struct_lit(&mut self, v: VertexId, embed: Option<Expr>) -> StructLit {
        self.lets.push(Vec::new());
        let mut decls = Vec::new();
        let show_regular = embed.is_none();
        if let Some(e) = embed {
            decls.push(Decl::Embed(Embed {
                span: Span::synthetic(),
                expr: e,
                comments: Comments::default(),
            }));
        }
        let order = if self.opts.optional && !self.opts.concrete {
            self.order_with_optional(v)
        } else {
            self.ev
                .ordered_arcs(v)
                .into_iter()
                .map(|(l, a)| (l, Some(a)))
                .collect()
        };
        for (label, arc) in order {
            let show = match label.kind() {
                LabelKind::String => show_regular,
                LabelKind::Int => false,
                LabelKind::Definition => !self.opts.concrete,
                LabelKind::Hidden | LabelKind::HiddenDefinition => {
                    self.opts.hidden && !self.opts.concrete
                }
            };
            if !show {
                continue;
            }
            match arc {
                Some(arc) => {
                    let value = self.vertex(arc);
                    decls.push(self.field(label, value, false));
                }
                None => {
                    if let Some(value) = self.optional_value(v, label) {
                        decls.push(self.field(label, value, true));
                    }
                }
            }
        }
        let lets = self.lets.pop().unwrap_or_default();
        decls.splice(0..0, lets.into_iter().map(|(_, d)| d));
        StructLit {
            span: Span::synthetic(),
            decls,
            elided: false,
            trailing_comments: Vec::new(),
        }
    }

    /// A reference to a `let` binding: its name, with the binding recorded
    /// for the innermost struct being printed.
    pub(crate) fn let_ref(&mut self, name: Label, expr: &crate::compile::ir::ExprRef) -> Expr {
        let known = self
            .lets
            .iter()
            .any(|frame| frame.iter().any(|(l, _)| *l == name));
        if !known && !self.lets.is_empty() {
            // Mark it first: a binding that refers to itself stops here.
            let at = self.lets.len() - 1;
            self.lets[at].push((
                name,
                Decl::Bad(cue_syntax::ast::BadDecl {
                    span: Span::synthetic(),
                    comments: Comments::default(),
                }),
            ));
            let value = self.expr(expr);
            let decl = Decl::Let(cue_syntax::ast::LetDecl {
                span: Span::synthetic(),
                name: Ident::new(self.ev.labels.name(name), Span::synthetic()),
                value,
                comments: Comments::default(),
            });
            if let Some(slot) = self.lets[at].iter_mut().find(|(l, _)| *l == name) {
                slot.1 = decl;
            }
        }
        ident(&self.ev.labels.name(name))
    }

    /// The output order of `v`'s labels including optional fields that
    /// have no arc (those come with `None`).
    fn order_with_optional(&self, v: VertexId) -> Vec<(Label, Option<VertexId>)> {
        let vx = self.ev.v(v);
        let structs: Vec<Vec<Label>> = vx.structs.iter().map(|s| s.to_vec()).collect();
        let labels: Vec<Label> = vx.arcs.iter().map(|(l, _)| *l).collect();
        crate::order::vertex_order(&structs, &labels)
            .into_iter()
            .map(|l| (l, self.ev.arc(v, l)))
            .collect()
    }

    /// The declared values of optional field `l` of `v` (expression mode),
    /// or `None` if `l` is not an optional field there.
    fn optional_value(&mut self, v: VertexId, l: Label) -> Option<Expr> {
        let conjuncts: Vec<crate::eval::Conjunct> = self
            .ev
            .v(v)
            .constraints
            .iter()
            .filter(|c| matches!(c.kind, crate::eval::ConstraintKind::Optional(x) if x == l))
            .map(|c| crate::eval::Conjunct {
                expr: c.value.clone(),
                env: c.env.clone(),
                info: c.info.clone(),
            })
            .collect();
        if conjuncts.is_empty() {
            return None;
        }
        // The reference evaluates the declared values as a field would be
        // (`foo?: string & "bar"` prints `foo?: "bar"`), outside the tree.
        let w = self.ev.new_vertex(Some(v), l);
        let wx = &mut self.ev.vertices[w.0 as usize];
        wx.detached = true;
        wx.conjuncts = conjuncts;
        Some(self.vertex(w))
    }

    /// A field declaration.
    pub(crate) fn field(&self, label: Label, value: Expr, optional: bool) -> Decl {
        Decl::Field(Field {
            span: Span::synthetic(),
            alias: None,
            label: self.label(label),
            optional,
            value_alias: None,
            value,
            attributes: Vec::new(),
            comments: Comments::default(),
        })
    }

    /// A label as syntax: identifiers where possible, else quoted.
    pub(crate) fn label(&self, label: Label) -> cue_syntax::ast::Label {
        use cue_syntax::ast::Label as L;
        let name = self.ev.labels.name(label);
        let id = Ident::new(name.clone(), Span::synthetic());
        match label.kind() {
            LabelKind::Definition => L::Definition(id),
            LabelKind::Hidden | LabelKind::HiddenDefinition => L::Hidden(id),
            _ if is_ident(&name) && !name.starts_with('#') && !name.starts_with('_') => {
                L::Ident(id)
            }
            _ => L::String(StringLit::new(name, Span::synthetic())),
        }
    }
}

impl Evaluator {
    /// The `cue eval` syntax of vertex `v`, or its permanent errors.
    pub fn eval_file(
        &mut self,
        v: VertexId,
        opts: PrintOptions,
    ) -> Result<File, Vec<crate::eval::to_data::ExportError>> {
        self.eval_file_with_sources(v, None, opts)
    }

    /// [`Evaluator::eval_file`] with the source texts, which give back the
    /// names of pattern aliases in values printed as expressions.
    pub fn eval_file_with_sources(
        &mut self,
        v: VertexId,
        sources: Option<&cue_syntax::SourceMap>,
        opts: PrintOptions,
    ) -> Result<File, Vec<crate::eval::to_data::ExportError>> {
        if let Err(errs) = self.export_vertex(v) {
            let permanent: Vec<_> = errs.into_iter().filter(|e| !e.incomplete).collect();
            if !permanent.is_empty() {
                return Err(permanent);
            }
        }
        // Export does not look below scalars (`{"b", #a: 1 & 2}`); an error
        // in any field makes the whole value an error.
        let deep = self.field_errors(v);
        if !deep.is_empty() {
            return Err(deep);
        }
        Ok(Printer::new(self, sources, opts).file(v))
    }

    /// The permanent errors of `v` and of all fields below it (definitions,
    /// hidden fields and list elements included; not inside disjuncts).
    fn field_errors(&mut self, v: VertexId) -> Vec<crate::eval::to_data::ExportError> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![v];
        while let Some(x) = stack.pop() {
            if !seen.insert(x) {
                continue;
            }
            self.finalize(x);
            if let Value::Bottom(b) = &self.v(x).value {
                if !b.is_incomplete() {
                    let b = b.clone();
                    out.extend(self.error_entries(x, &b));
                }
                continue;
            }
            // The arcs of a disjunction's own vertex are not part of any
            // disjunct; each disjunct was checked when it was evaluated.
            if matches!(self.v(x).value, Value::Disj(_)) {
                continue;
            }
            stack.extend(self.v(x).arcs.iter().rev().map(|(_, a)| *a));
        }
        out
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod corpus_tests;
