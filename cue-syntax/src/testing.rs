//! Helpers for round-trip tests (property tests, the fuzz target): compare
//! two trees while ignoring positions and comment placement.

use crate::ast::*;

/// About `target` bytes of CUE: definitions, nested structs, lists,
/// disjunctions, bounds, interpolations, comments and comprehensions.
pub fn bench_input(target: usize) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(target + 4096);
    s.push_str("package bench\n\nimport \"strings\"\n\n");
    let mut i = 0u64;
    while s.len() < target {
        let _ = write!(
            s,
            r#"// Service {i} is generated.
#Service{i}: {{
	name:     string & =~"^[a-z]+$"
	replicas: *1 | int & >=0 & <=100
	port:     >1024 & <65536
	image:    "registry.example.com/app-{i}:v1.2.3"
	labels: [string]: string
	env: {{
		LOG_LEVEL: "info" | "debug" | *"warn"
		TIMEOUT:   30.5
		SIZE:      1.5Gi
	}}
	ports: [80, 443, 0x1F90, 8_080]
	enabled: true
}}
svc{i}: #Service{i} & {{
	name:     "svc\(strings.ToLower("X"))"
	replicas: 3 // three
	port:     8000 + {i} * 2
	labels: app: "svc-{i}"
	tags: [for t in ["a", "b", "c"] if t != "b" {{t + "-{i}"}}]
	command: ["/bin/sh", "-c", "echo hello && sleep 1"]
	doc: """
		Multi-line text
		for service {i}.
		"""
}}

"#
        );
        i += 1;
    }
    s
}

/// Makes every span synthetic, forgets the source text of literals (their
/// decoded values stay), takes all comments out of the tree and clears
/// blank-line flags. Returns the comment texts, sorted, so that two trees
/// can be compared as "same structure, same comments".
pub fn strip(file: &mut File) -> Vec<String> {
    let mut s = Stripper {
        comments: Vec::new(),
    };
    s.file(file);
    s.comments.sort();
    s.comments
}

struct Stripper {
    comments: Vec<String>,
}

const SYN: Span = Span::synthetic();

impl Stripper {
    fn take(&mut self, c: &mut Vec<Comment>) {
        self.comments.extend(c.drain(..).map(|c| c.text));
    }

    fn comments(&mut self, c: &mut Comments) {
        self.take(&mut c.leading);
        self.take(&mut c.trailing);
        c.blank_line_before = false;
    }

    fn file(&mut self, f: &mut File) {
        f.span = SYN;
        self.take(&mut f.trailing_comments);
        for d in &mut f.decls {
            self.decl(d);
        }
    }

    fn ident(&mut self, i: &mut Ident) {
        i.span = SYN;
    }

    fn decl(&mut self, d: &mut Decl) {
        self.comments(d.comments_mut());
        match d {
            Decl::Package(p) => {
                p.span = SYN;
                self.ident(&mut p.name);
            }
            Decl::Import(i) => {
                i.span = SYN;
                for s in &mut i.specs {
                    s.span = SYN;
                    s.path.span = SYN;
                    s.path.raw = None;
                    self.comments(&mut s.comments);
                    if let Some(a) = &mut s.alias {
                        self.ident(a);
                    }
                }
            }
            Decl::Field(f) => {
                f.span = SYN;
                if let Some(a) = &mut f.alias {
                    self.ident(a);
                }
                if let Some(a) = &mut f.value_alias {
                    self.ident(a);
                }
                for a in &mut f.attributes {
                    a.span = SYN;
                }
                self.label(&mut f.label);
                self.expr(&mut f.value);
            }
            Decl::Let(l) => {
                l.span = SYN;
                self.ident(&mut l.name);
                self.expr(&mut l.value);
            }
            Decl::Embed(e) => {
                e.span = SYN;
                self.expr(&mut e.expr);
            }
            Decl::Ellipsis(e) => self.ellipsis(e),
            Decl::Comprehension(c) => self.comprehension(c),
            Decl::Attribute(a) => {
                a.span = SYN;
                a.attribute.span = SYN;
            }
            Decl::Bad(b) => b.span = SYN,
        }
    }

    fn ellipsis(&mut self, e: &mut Ellipsis) {
        e.span = SYN;
        self.comments(&mut e.comments);
        if let Some(v) = &mut e.value {
            self.expr(v);
        }
    }

    fn label(&mut self, l: &mut Label) {
        match l {
            Label::Ident(i) | Label::Definition(i) | Label::Hidden(i) => self.ident(i),
            Label::String(s) => {
                s.span = SYN;
                s.raw = None;
            }
            Label::Interpolated(i) => self.interpolation(i),
            Label::Paren(p) => {
                p.span = SYN;
                self.expr(&mut p.expr);
            }
            Label::Pattern(p) => {
                p.span = SYN;
                if let Some(a) = &mut p.alias {
                    self.ident(a);
                }
                self.expr(&mut p.expr);
            }
        }
    }

    fn interpolation(&mut self, i: &mut Interpolation) {
        i.span = SYN;
        for p in &mut i.parts {
            match p {
                InterpPart::Expr(e) => self.expr(e),
                InterpPart::Text { raw, .. } => *raw = None,
            }
        }
    }

    fn comprehension(&mut self, c: &mut Comprehension) {
        c.span = SYN;
        self.comments(&mut c.comments);
        for cl in &mut c.clauses {
            match cl {
                Clause::For {
                    span,
                    key,
                    value,
                    source,
                } => {
                    *span = SYN;
                    if let Some(k) = key {
                        self.ident(k);
                    }
                    self.ident(value);
                    self.expr(source);
                }
                Clause::If { span, cond } => {
                    *span = SYN;
                    self.expr(cond);
                }
                Clause::Let { span, name, value } => {
                    *span = SYN;
                    self.ident(name);
                    self.expr(value);
                }
            }
        }
        self.struct_lit(&mut c.body);
    }

    fn struct_lit(&mut self, s: &mut StructLit) {
        s.span = SYN;
        self.take(&mut s.trailing_comments);
        for d in &mut s.decls {
            self.decl(d);
        }
    }

    fn expr(&mut self, e: &mut Expr) {
        match e {
            Expr::Ident(i) => self.ident(i),
            Expr::Null(s) | Expr::Bottom(s) | Expr::Bad(s) => *s = SYN,
            Expr::Bool(b) => b.span = SYN,
            Expr::Number(n) => n.span = SYN,
            Expr::String(s) => {
                s.span = SYN;
                s.raw = None;
            }
            Expr::Bytes(b) => {
                b.span = SYN;
                b.raw = None;
            }
            Expr::Interpolation(i) => self.interpolation(i),
            Expr::Struct(s) => self.struct_lit(s),
            Expr::List(l) => {
                l.span = SYN;
                self.take(&mut l.trailing_comments);
                for el in &mut l.elems {
                    el.span = SYN;
                    self.comments(&mut el.comments);
                    match &mut el.kind {
                        ElementKind::Expr(x) => self.expr(x),
                        ElementKind::Comprehension(c) => self.comprehension(c),
                    }
                }
                if let Some(ell) = &mut l.ellipsis {
                    self.ellipsis(ell);
                }
            }
            Expr::Paren(p) => {
                p.span = SYN;
                self.expr(&mut p.expr);
            }
            Expr::Unary(u) => {
                u.span = SYN;
                self.expr(&mut u.expr);
            }
            Expr::Binary(b) => {
                b.span = SYN;
                self.expr(&mut b.lhs);
                self.expr(&mut b.rhs);
            }
            Expr::Selector(s) => {
                s.span = SYN;
                self.expr(&mut s.base);
                match &mut s.sel {
                    Selector::Ident(i) => self.ident(i),
                    Selector::String(st) => {
                        st.span = SYN;
                        st.raw = None;
                    }
                }
            }
            Expr::Index(i) => {
                i.span = SYN;
                self.expr(&mut i.base);
                self.expr(&mut i.index);
            }
            Expr::Slice(s) => {
                s.span = SYN;
                self.expr(&mut s.base);
                if let Some(x) = &mut s.lo {
                    self.expr(x);
                }
                if let Some(x) = &mut s.hi {
                    self.expr(x);
                }
            }
            Expr::Call(c) => {
                c.span = SYN;
                self.expr(&mut c.func);
                for a in &mut c.args {
                    self.expr(a);
                }
            }
        }
    }
}

/// Runs only the lexer over `src` and returns the number of tokens (for
/// measuring the lexer's share of parse time).
pub fn lex_count(src: &str) -> usize {
    crate::lexer::Lexer::new(crate::FileId(0), src).count()
}
