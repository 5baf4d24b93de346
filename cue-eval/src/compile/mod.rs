//! Compiling the AST to the evaluator's IR (`ir.rs`), resolving every
//! identifier once: a name bound by an enclosing struct, comprehension clause,
//! `let` or pattern alias becomes an (up-count, label) reference; names left
//! unbound fall back to the package's top-level fields (all files), imports,
//! then the predeclared identifiers (spec "Declarations and scopes",
//! "Predeclared identifiers"; reference `internal/core/compile`).

pub mod ir;
mod predeclared;

use crate::num::{NumKind, Number};
use crate::value::{Label, Labels};
use cue_syntax::ast::{self, Span};
use ir::*;
use std::collections::HashMap;
use std::rc::Rc;

/// A compile error: an unresolvable reference or an invalid literal.
#[derive(Clone, Debug)]
pub struct CompileError {
    /// The labels of the fields it occurs in (`let[]` for a let clause),
    /// as error paths show them.
    pub path: Vec<String>,
    pub message: String,
    pub span: Span,
}

#[derive(Clone, Copy)]
enum Binding {
    Field(Label),
    /// A value alias (`a: X=value`), naming the field's value.
    ValueAlias(Label),
    /// An alias of a dynamic field: the key, compiled in the struct's frame.
    Dynamic(usize),
    Let(usize),
    PatternLabel,
    Import(usize),
}

struct LetSlot<'a> {
    name: Label,
    /// The field path where the clause stands (for its errors).
    path: Vec<String>,
    ast: &'a ast::Expr,
    compiled: Option<ExprRef>,
    busy: bool,
}

#[derive(Default)]
struct Frame<'a> {
    names: HashMap<&'a str, Binding>,
    lets: Vec<LetSlot<'a>>,
    dyn_keys: Vec<ExprRef>,
}

/// The names bound by a package's top-level fields (in all its files).
/// Kept instead of the syntax trees once they are compiled, to compile
/// `-e` expressions in the package's scope.
#[derive(Clone, Debug, Default)]
pub struct PackageScope(HashMap<Rc<str>, Label>);

impl PackageScope {
    /// The top-level field names of `files`, interned in `labels`.
    pub fn of_files(labels: &mut Labels, files: &[ast::File]) -> PackageScope {
        let mut names = HashMap::new();
        for f in files {
            for d in f.body() {
                if let ast::Decl::Field(fd) = d {
                    if let Some(name) = ident_label_name(&fd.label) {
                        names.insert(Rc::from(name), labels.ident(name));
                    }
                }
            }
        }
        PackageScope(names)
    }
}

/// The compiler state for one package.
pub struct Compiler<'a, 'l> {
    labels: &'l mut Labels,
    frames: Vec<Frame<'a>>,
    package_names: PackageScope,
    imports: Vec<Rc<str>>,
    pub errors: Vec<CompileError>,
    /// Labels of the fields being compiled (for error paths).
    path: Vec<String>,
    /// Compiling the value of an optional field.
    in_optional: bool,
}

impl<'a, 'l> Compiler<'a, 'l> {
    /// A compiler whose package-level scope holds the top-level fields of
    /// all `files`.
    pub fn new(labels: &'l mut Labels, files: &'a [ast::File]) -> Compiler<'a, 'l> {
        let scope = PackageScope::of_files(labels, files);
        Compiler::in_scope(labels, scope)
    }

    /// A compiler whose package-level scope is `scope`.
    pub fn in_scope(labels: &'l mut Labels, scope: PackageScope) -> Compiler<'a, 'l> {
        Compiler {
            labels,
            frames: Vec::new(),
            package_names: scope,
            imports: Vec::new(),
            errors: Vec::new(),
            path: Vec::new(),
            in_optional: false,
        }
    }

    fn err(&mut self, span: Span, message: impl Into<String>) {
        self.errors.push(CompileError {
            path: self.path.clone(),
            message: message.into(),
            span,
        });
    }

    /// Compiles one file into the struct literal that is its root conjunct.
    pub fn file(&mut self, file: &'a ast::File) -> ExprRef {
        let mut frame = Frame::default();
        for spec in file.imports() {
            let path = spec.path.value.as_str();
            let path_only = path.split(':').next().unwrap_or(path);
            let name: &'a str = match &spec.alias {
                Some(a) => a.name.as_str(),
                None => match path.rsplit_once(':') {
                    Some((_, n)) => n,
                    None => path_only.rsplit('/').next().unwrap_or(path_only),
                },
            };
            self.imports
                .push(Rc::from(canonical_import_path(path).as_str()));
            frame
                .names
                .insert(name, Binding::Import(self.imports.len() - 1));
        }
        let decls: Vec<&'a ast::Decl> = file.body().collect();
        self.frames.push(frame);
        let lit = self.struct_body(&decls, file.span);
        self.frames.pop();
        Rc::new(Expr {
            span: file.span,
            kind: ExprKind::Struct(Rc::new(lit)),
        })
    }

    /// Compiles a standalone expression (for `-e`) in the package scope.
    pub fn expr_in_package(&mut self, e: &'a ast::Expr) -> ExprRef {
        self.frames.push(Frame::default());
        let r = self.expr(e);
        self.frames.pop();
        r
    }

    fn struct_lit(&mut self, s: &'a ast::StructLit) -> StructLit {
        let decls: Vec<&'a ast::Decl> = s.decls.iter().collect();
        self.frames.push(Frame::default());
        let lit = self.struct_body(&decls, s.span);
        self.frames.pop();
        lit
    }

    /// Compiles the declarations of a struct whose frame is on top.
    fn struct_body(&mut self, decls: &[&'a ast::Decl], span: Span) -> StructLit {
        // Bind names first: fields and lets are visible to the whole struct.
        for d in decls {
            match d {
                ast::Decl::Field(f) => {
                    let label = self.static_label(&f.label);
                    if let (Some(name), Some(l)) = (ident_label_name(&f.label), label) {
                        self.top().names.insert(name, Binding::Field(l));
                    }
                    if let (Some(a), Some(l)) = (&f.alias, label) {
                        self.top().names.insert(a.name.as_str(), Binding::Field(l));
                    }
                }
                ast::Decl::Let(l) => {
                    let name = self.labels.ident(&l.name.name);
                    let path = self.path.clone();
                    let top = self.top();
                    top.lets.push(LetSlot {
                        name,
                        path,
                        ast: &l.value,
                        compiled: None,
                        busy: false,
                    });
                    let i = top.lets.len() - 1;
                    top.names.insert(l.name.name.as_str(), Binding::Let(i));
                }
                _ => {}
            }
        }
        // Aliases of dynamic fields refer to the field whose key they name.
        for d in decls {
            if let ast::Decl::Field(f) = d {
                if let (Some(a), ast::Label::Interpolated(_) | ast::Label::Paren(_)) =
                    (&f.alias, &f.label)
                {
                    let key = match &f.label {
                        ast::Label::Interpolated(i) => self.interpolation(i),
                        ast::Label::Paren(p) => self.expr(&p.expr),
                        _ => unreachable!("matched above"),
                    };
                    let top = self.top();
                    top.dyn_keys.push(key);
                    let i = top.dyn_keys.len() - 1;
                    top.names.insert(a.name.as_str(), Binding::Dynamic(i));
                }
            }
        }
        let mut out = Vec::new();
        let mut field_labels = Vec::new();
        let mut has_embed = false;
        for d in decls {
            match d {
                ast::Decl::Field(f) => {
                    if let Some((span, msg)) = invalid_label(&f.label) {
                        // An error of the enclosing struct, as the
                        // reference's compiler reports it.
                        has_embed = true;
                        let b = crate::value::Bottom {
                            code: crate::value::Code::Eval,
                            message: msg.to_string(),
                            spans: vec![span],
                            vertex: None,
                            causes: Vec::new(),
                        };
                        let v = crate::value::Value::Bottom(Rc::new(b));
                        out.push(Decl::Embed(Self::mk(span, ExprKind::Value(v))));
                        continue;
                    }
                    let decl = self.field(f);
                    if let Decl::Field { label, .. } = &decl {
                        field_labels.push(*label);
                    }
                    out.push(decl);
                }
                ast::Decl::Embed(e) => {
                    has_embed = true;
                    out.push(Decl::Embed(self.expr(&e.expr)));
                }
                ast::Decl::Ellipsis(e) => {
                    out.push(Decl::Ellipsis(e.value.as_ref().map(|v| self.expr(v))));
                }
                ast::Decl::Comprehension(c) => {
                    out.push(Decl::Comprehension(Rc::new(self.comprehension(c))));
                }
                ast::Decl::Let(_) => {
                    // Compiled on first use (and here, to report errors).
                    let frame = self.frames.len() - 1;
                    let n = self.top().lets.len();
                    for i in 0..n {
                        self.compile_let(frame, i);
                    }
                }
                ast::Decl::Bad(b) => self.err(b.span, "syntax error"),
                _ => {}
            }
        }
        StructLit {
            span,
            decls: out,
            field_labels: field_labels.into(),
            has_embed,
        }
    }

    fn top(&mut self) -> &mut Frame<'a> {
        self.frames.last_mut().expect("frame")
    }

    fn static_label(&mut self, l: &ast::Label) -> Option<Label> {
        match l {
            ast::Label::Ident(i) | ast::Label::Definition(i) | ast::Label::Hidden(i) => {
                Some(self.labels.ident(&i.name))
            }
            ast::Label::String(s) => Some(self.labels.string(&s.value)),
            _ => None,
        }
    }

    fn field(&mut self, f: &'a ast::Field) -> Decl {
        match &f.label {
            ast::Label::Pattern(p) => {
                let pattern = self.expr(&p.expr);
                let alias = p.alias.is_some();
                if let Some(a) = &p.alias {
                    let mut frame = Frame::default();
                    frame.names.insert(a.name.as_str(), Binding::PatternLabel);
                    self.frames.push(frame);
                }
                let value = self.expr(&f.value);
                if alias {
                    self.frames.pop();
                }
                Decl::Pattern {
                    pattern,
                    value,
                    alias,
                    span: f.span,
                }
            }
            ast::Label::Interpolated(_) | ast::Label::Paren(_) => {
                let key = match &f.label {
                    ast::Label::Interpolated(i) => self.interpolation(i),
                    ast::Label::Paren(p) => self.expr(&p.expr),
                    _ => unreachable!("checked above"),
                };
                Decl::Dynamic {
                    key,
                    optional: f.optional,
                    value: self.expr(&f.value),
                    span: f.span,
                }
            }
            _ => {
                let label = self.static_label(&f.label).expect("static label");
                // A value alias (`a: X={...}`) is visible in its value only:
                // two fields may use the same alias name.
                let shadowed = f.value_alias.as_ref().map(|a| {
                    let name = a.name.as_str();
                    (
                        name,
                        self.top().names.insert(name, Binding::ValueAlias(label)),
                    )
                });
                self.path.push(self.labels.path_segment(label));
                let outer = self.in_optional;
                self.in_optional |= f.optional;
                let value = self.expr(&f.value);
                self.in_optional = outer;
                self.path.pop();
                if let Some((name, old)) = shadowed {
                    match old {
                        Some(b) => self.top().names.insert(name, b),
                        None => self.top().names.remove(name),
                    };
                }
                Decl::Field {
                    label,
                    optional: f.optional,
                    value,
                    span: f.span,
                }
            }
        }
    }

    fn compile_let(&mut self, frame: usize, i: usize) -> Option<ExprRef> {
        let slot = &mut self.frames[frame].lets[i];
        if let Some(c) = &slot.compiled {
            return Some(c.clone());
        }
        if slot.busy {
            return None;
        }
        slot.busy = true;
        let ast = slot.ast;
        let mut path = slot.path.clone();
        path.push("let[]".to_string());
        let saved_path = std::mem::replace(&mut self.path, path);
        let saved = self.frames.split_off(frame + 1);
        let e = self.expr(ast);
        self.frames.extend(saved);
        self.path = saved_path;
        let slot = &mut self.frames[frame].lets[i];
        slot.busy = false;
        slot.compiled = Some(e.clone());
        Some(e)
    }

    fn comprehension(&mut self, c: &'a ast::Comprehension) -> Comprehension {
        let mut clauses = Vec::new();
        let mut pushed = 0;
        for cl in &c.clauses {
            match cl {
                ast::Clause::For {
                    key, value, source, ..
                } => {
                    let source = self.expr(source);
                    let mut frame = Frame::default();
                    let kl = key.as_ref().map(|k| {
                        let l = self.labels.ident(&k.name);
                        frame.names.insert(k.name.as_str(), Binding::Field(l));
                        l
                    });
                    let vl = self.labels.ident(&value.name);
                    frame.names.insert(value.name.as_str(), Binding::Field(vl));
                    self.frames.push(frame);
                    pushed += 1;
                    clauses.push(Clause::For {
                        key: kl,
                        value: vl,
                        source,
                    });
                }
                ast::Clause::If { cond, .. } => clauses.push(Clause::If(self.expr(cond))),
                ast::Clause::Let { name, value, .. } => {
                    let expr = self.expr(value);
                    let l = self.labels.ident(&name.name);
                    let mut frame = Frame::default();
                    frame.names.insert(name.name.as_str(), Binding::Field(l));
                    self.frames.push(frame);
                    pushed += 1;
                    clauses.push(Clause::Let { name: l, expr });
                }
            }
        }
        let body = Rc::new(Expr {
            span: c.body.span,
            kind: ExprKind::Struct(Rc::new(self.struct_lit(&c.body))),
        });
        for _ in 0..pushed {
            self.frames.pop();
        }
        Comprehension {
            span: c.span,
            clauses,
            body,
        }
    }

    fn mk(span: Span, kind: ExprKind) -> ExprRef {
        Rc::new(Expr { span, kind })
    }

    fn ident(&mut self, id: &'a ast::Ident) -> ExprRef {
        let span = id.span;
        if id.name == "_" {
            return Self::mk(span, ExprKind::Top);
        }
        let n = self.frames.len();
        for depth in 0..n {
            let fi = n - 1 - depth;
            let Some(b) = self.frames[fi].names.get(id.name.as_str()).copied() else {
                continue;
            };
            let up = depth as u32;
            return match b {
                Binding::Field(label) => Self::mk(
                    span,
                    ExprKind::FieldRef {
                        up,
                        label,
                        value_alias: false,
                    },
                ),
                Binding::ValueAlias(label) => Self::mk(
                    span,
                    ExprKind::FieldRef {
                        up,
                        label,
                        value_alias: true,
                    },
                ),
                Binding::PatternLabel => Self::mk(span, ExprKind::LabelRef { up }),
                Binding::Dynamic(i) => {
                    let key = self.frames[fi].dyn_keys[i].clone();
                    Self::mk(span, ExprKind::DynFieldRef { up, key })
                }
                Binding::Import(i) => Self::mk(span, ExprKind::Import(self.imports[i].clone())),
                Binding::Let(i) => match self.compile_let(fi, i) {
                    Some(expr) => {
                        let name = self.frames[fi].lets[i].name;
                        Self::mk(span, ExprKind::LetRef { up, name, expr })
                    }
                    None => {
                        self.err(span, format!("cyclic let {}", id.name));
                        Self::mk(span, ExprKind::Bottom)
                    }
                },
            };
        }
        if let Some(&label) = self.package_names.0.get(id.name.as_str()) {
            let up = (n - 1) as u32;
            return Self::mk(
                span,
                ExprKind::FieldRef {
                    up,
                    label,
                    value_alias: false,
                },
            );
        }
        if let Some(kind) = predeclared::lookup(&id.name, span) {
            return Rc::new(Expr { span, kind });
        }
        self.err(span, format!("reference {:?} not found", id.name));
        Self::mk(span, ExprKind::Bottom)
    }

    fn interpolation(&mut self, i: &'a ast::Interpolation) -> ExprRef {
        let parts = i
            .parts
            .iter()
            .map(|p| match p {
                ast::InterpPart::Text { value, .. } => InterpPart::Text(Rc::from(value.as_slice())),
                ast::InterpPart::Expr(e) => InterpPart::Expr(self.expr(e)),
            })
            .collect();
        Self::mk(
            i.span,
            ExprKind::Interp {
                parts,
                bytes: i.style.bytes,
            },
        )
    }

    /// Compiles an expression.
    pub fn expr(&mut self, e: &'a ast::Expr) -> ExprRef {
        let span = e.span();
        let kind = match e {
            ast::Expr::Ident(id) => return self.ident(id),
            ast::Expr::Null(_) => ExprKind::Null,
            ast::Expr::Bool(b) => ExprKind::Bool(b.value),
            ast::Expr::Number(n) => match Number::parse(&n.text) {
                Ok(v) => {
                    let kind = match n.kind {
                        ast::NumberKind::Int => NumKind::Int,
                        ast::NumberKind::Float => NumKind::Float,
                    };
                    ExprKind::Num(Rc::new(if v.kind() == NumKind::Int {
                        v.with_kind(kind)
                    } else {
                        v
                    }))
                }
                Err(_) => {
                    self.err(span, format!("invalid number literal {}", n.text));
                    ExprKind::Bottom
                }
            },
            ast::Expr::String(s) => ExprKind::Str(Rc::from(s.value.as_str())),
            ast::Expr::Bytes(b) => ExprKind::Bytes(Rc::from(b.value.as_slice())),
            ast::Expr::Interpolation(i) => return self.interpolation(i),
            ast::Expr::Bottom(_) | ast::Expr::Bad(_) => ExprKind::Bottom,
            ast::Expr::Struct(s) => ExprKind::Struct(Rc::new(self.struct_lit(s))),
            ast::Expr::List(l) => {
                let mut elems = Vec::new();
                for el in &l.elems {
                    elems.push(match &el.kind {
                        ast::ElementKind::Expr(x) => ListElem::Expr(self.expr(x)),
                        ast::ElementKind::Comprehension(c) => {
                            ListElem::Comprehension(Rc::new(self.comprehension(c)))
                        }
                    });
                }
                let ellipsis = l.ellipsis.as_ref().map(|el| match &el.value {
                    Some(v) => self.expr(v),
                    None => Self::mk(el.span, ExprKind::Top),
                });
                ExprKind::List(Rc::new(ListLit {
                    span,
                    elems,
                    ellipsis,
                }))
            }
            ast::Expr::Paren(p) => return self.expr(&p.expr),
            ast::Expr::Unary(u) => {
                let x = self.expr(&u.expr);
                // (The reference reports a unary one only outside optional
                // fields.)
                if matches!(
                    u.op,
                    ast::UnaryOp::Plus | ast::UnaryOp::Neg | ast::UnaryOp::Not
                ) && !self.in_optional
                {
                    self.check_operand(u.op.as_str(), &u.expr, &x);
                }
                match u.op {
                    ast::UnaryOp::Plus => ExprKind::Plus(x),
                    ast::UnaryOp::Neg => ExprKind::Neg(x),
                    ast::UnaryOp::Not => ExprKind::Not(x),
                    // Disjunctions take their alternatives' marks before
                    // getting here (`disj_entries`).
                    ast::UnaryOp::Default => {
                        self.err(span, "preference mark not allowed at this position");
                        ExprKind::Bottom
                    }
                    ast::UnaryOp::NotEqual => ExprKind::Bound(BoundOp::Ne, x),
                    ast::UnaryOp::Less => ExprKind::Bound(BoundOp::Lt, x),
                    ast::UnaryOp::LessEqual => ExprKind::Bound(BoundOp::Le, x),
                    ast::UnaryOp::Greater => ExprKind::Bound(BoundOp::Gt, x),
                    ast::UnaryOp::GreaterEqual => ExprKind::Bound(BoundOp::Ge, x),
                    ast::UnaryOp::Match => ExprKind::Bound(BoundOp::Match, x),
                    ast::UnaryOp::NotMatch => ExprKind::Bound(BoundOp::NotMatch, x),
                }
            }
            ast::Expr::Binary(b) => match b.op {
                ast::BinaryOp::Disj => ExprKind::Disj(Rc::new(self.disj_list(e))),
                ast::BinaryOp::Unify => {
                    let mut list = Vec::new();
                    self.flatten_unify(e, &mut list);
                    ExprKind::Unify(list)
                }
                op => {
                    let l = self.expr(&b.lhs);
                    let r = self.expr(&b.rhs);
                    self.check_operand(op.as_str(), &b.lhs, &l);
                    self.check_operand(op.as_str(), &b.rhs, &r);
                    let op = match op {
                        ast::BinaryOp::Or => BinOp::Or,
                        ast::BinaryOp::And => BinOp::And,
                        ast::BinaryOp::Equal => BinOp::Eq,
                        ast::BinaryOp::NotEqual => BinOp::Ne,
                        ast::BinaryOp::Less => BinOp::Lt,
                        ast::BinaryOp::LessEqual => BinOp::Le,
                        ast::BinaryOp::Greater => BinOp::Gt,
                        ast::BinaryOp::GreaterEqual => BinOp::Ge,
                        ast::BinaryOp::Match => BinOp::Match,
                        ast::BinaryOp::NotMatch => BinOp::NotMatch,
                        ast::BinaryOp::Add => BinOp::Add,
                        ast::BinaryOp::Sub => BinOp::Sub,
                        ast::BinaryOp::Mul => BinOp::Mul,
                        ast::BinaryOp::Div => BinOp::Div,
                        // Infix `div mod quo rem` are the integer builtins of
                        // the same name applied to both operands; the callee
                        // has no position, which tells the printer to write
                        // the operator form back.
                        int_op => {
                            let builtin = match int_op {
                                ast::BinaryOp::IntDiv => Builtin::Div,
                                ast::BinaryOp::IntMod => Builtin::Mod,
                                ast::BinaryOp::IntQuo => Builtin::Quo,
                                _ => Builtin::Rem,
                            };
                            let f = Self::mk(Span::synthetic(), ExprKind::Builtin(builtin));
                            return Self::mk(span, ExprKind::Call(f, vec![l, r]));
                        }
                    };
                    ExprKind::Binary(op, l, r)
                }
            },
            ast::Expr::Selector(s) => {
                let base = self.expr(&s.base);
                let label = match &s.sel {
                    ast::Selector::Ident(i) => self.labels.ident(&i.name),
                    ast::Selector::String(st) => self.labels.string(&st.value),
                };
                ExprKind::Selector(base, label)
            }
            ast::Expr::Index(i) => ExprKind::Index(self.expr(&i.base), self.expr(&i.index)),
            ast::Expr::Slice(s) => ExprKind::Slice(
                self.expr(&s.base),
                s.lo.as_ref().map(|x| self.expr(x)),
                s.hi.as_ref().map(|x| self.expr(x)),
            ),
            ast::Expr::Call(c) => {
                let f = self.expr(&c.func);
                let args = c.args.iter().map(|a| self.expr(a)).collect();
                ExprKind::Call(f, args)
            }
        };
        Self::mk(span, kind)
    }

    /// Flattens `a | *b | (c | *d)` into alternatives with final default
    /// marks: a marked plain entry is a default; a parenthesized group keeps
    /// its inner defaults if it is marked (all of it if it has none) or if
    /// the outer chain has no marks at all.
    fn disj_list(&mut self, e: &'a ast::Expr) -> Vec<(ExprRef, bool)> {
        let mut entries = Vec::new();
        self.disj_entries(e, &mut entries);
        let any_marked = entries.iter().any(|(_, m, _)| *m);
        let mut out = Vec::new();
        for (x, marked, group) in entries {
            match group {
                None => out.push((x.expect("plain entry"), marked)),
                Some(list) => {
                    let inner_any = list.iter().any(|(_, d)| *d);
                    for (y, d) in list {
                        let def = if marked {
                            d || !inner_any
                        } else {
                            !any_marked && d
                        };
                        out.push((y, def));
                    }
                }
            }
        }
        out
    }

    #[allow(clippy::type_complexity)]
    fn disj_entries(
        &mut self,
        e: &'a ast::Expr,
        out: &mut Vec<(Option<ExprRef>, bool, Option<Vec<(ExprRef, bool)>>)>,
    ) {
        match e {
            ast::Expr::Binary(b) if b.op == ast::BinaryOp::Disj => {
                self.disj_entries(&b.lhs, out);
                self.disj_entries(&b.rhs, out);
            }
            ast::Expr::Unary(u) if u.op == ast::UnaryOp::Default => {
                // `**x` marks `x` once (a mark inside parentheses is an error).
                let mut marked = &u.expr;
                while let ast::Expr::Unary(m) = marked {
                    if m.op != ast::UnaryOp::Default {
                        break;
                    }
                    marked = &m.expr;
                }
                let inner = strip_parens(marked);
                if is_disj(inner) {
                    let list = self.disj_list(inner);
                    out.push((None, true, Some(list)));
                } else {
                    out.push((Some(self.expr(inner)), true, None));
                }
            }
            ast::Expr::Paren(p) if is_disj(strip_parens(&p.expr)) => {
                let list = self.disj_list(strip_parens(&p.expr));
                out.push((None, false, Some(list)));
            }
            _ => out.push((Some(self.expr(e)), false, None)),
        }
    }

    /// An operand written as a type or bound (`int + 1`, `!="a" + "b"`)
    /// can never be concrete: an error of the field, as the reference
    /// reports it (references to such values stay incomplete instead).
    fn check_operand(&mut self, op: &str, operand: &ast::Expr, compiled: &ExprRef) {
        if matches!(
            compiled.kind,
            ExprKind::Basic(_) | ExprKind::Top | ExprKind::Bound(..)
        ) {
            let text = cue_syntax::format::format_expr(
                operand,
                &cue_syntax::format::FormatOptions::default(),
            );
            self.err(
                operand.span(),
                format!(
                    "invalid operand {} ('{op}' requires concrete value)",
                    text.trim()
                ),
            );
        }
    }

    fn flatten_unify(&mut self, e: &'a ast::Expr, out: &mut Vec<ExprRef>) {
        match e {
            ast::Expr::Binary(b) if b.op == ast::BinaryOp::Unify => {
                self.flatten_unify(&b.lhs, out);
                self.flatten_unify(&b.rhs, out);
            }
            _ => out.push(self.expr(e)),
        }
    }
}

/// The key an import path is known by: the path with its `:name`
/// qualifier, unless the qualifier repeats the last path element
/// (`example.com/pkg:pkg` is `example.com/pkg`; `example.com/pkg:bar` stays).
pub fn canonical_import_path(path: &str) -> String {
    match path.rsplit_once(':') {
        Some((p, name)) if p.rsplit('/').next() == Some(name) => p.to_string(),
        _ => path.to_string(),
    }
}

fn strip_parens(e: &ast::Expr) -> &ast::Expr {
    match e {
        ast::Expr::Paren(p) => strip_parens(&p.expr),
        _ => e,
    }
}

fn is_disj(e: &ast::Expr) -> bool {
    matches!(e, ast::Expr::Binary(b) if b.op == ast::BinaryOp::Disj)
}

fn ident_label_name(l: &ast::Label) -> Option<&str> {
    match l {
        ast::Label::Ident(i) | ast::Label::Definition(i) | ast::Label::Hidden(i) => {
            Some(i.name.as_str())
        }
        _ => None,
    }
}

/// A label the language does not allow: `_`, or a comprehension as a
/// pattern (`[for x in l {x}]: v`).
fn invalid_label(l: &ast::Label) -> Option<(Span, &'static str)> {
    match l {
        ast::Label::Ident(i) if i.name == "_" => Some((i.span, "cannot use _ as label")),
        ast::Label::Pattern(p) => match &p.expr {
            ast::Expr::List(list) => match list.elems.first().map(|e| &e.kind) {
                Some(ast::ElementKind::Comprehension(c)) => {
                    Some((c.span, "comprehension values not allowed in this position"))
                }
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}
