//! A hash of everything another vertex can observe of a
//! finalized subtree: values (errors with their messages and positions),
//! arcs of every kind, conjuncts (expressions by identity, environments by
//! the vertices they bind), constraints (optional fields, patterns, `...`),
//! closedness declarations and scopes, and the bookkeeping of disjuncts.
//!
//! Two evaluations of the same compiled program can be compared with it:
//! expressions are shared (`Rc`s of the compiled program), and vertices
//! are named by their path from the main root or from a package root,
//! never by their arena index, which depends on evaluation order. It is
//! used by incremental re-evaluation (`crate::incremental`) to stop
//! propagating a change at a field whose value came out the same: equal
//! fingerprints mean no reader can tell the two evaluations of the field
//! apart. The hash has 128 bits (two SipHash states fed the same input
//! with different prefixes), so an accidental match is out of reach.

use super::*;
use std::hash::{DefaultHasher, Hasher};

/// How deep values held by other values (disjuncts, vertices of
/// expression results) are followed before only their name is written.
const MAX_NESTING: u32 = 16;

struct Fp<'a> {
    ev: &'a Evaluator,
    /// The main instance's root.
    root: VertexId,
    out: Out,
    /// Closedness scopes in order of first appearance (their arena
    /// indices depend on evaluation order).
    scopes: Vec<ScopeId>,
}

impl Evaluator {
    /// The fingerprint of the finalized subtree at `v` (see the module
    /// documentation). Call [`Evaluator::finalize`] first.
    /// `root` is the main instance's root vertex.
    pub fn fingerprint(&self, root: VertexId, v: VertexId) -> u128 {
        let mut second = DefaultHasher::new();
        second.write_u8(0x5a);
        let mut fp = Fp {
            ev: self,
            root,
            out: Out(DefaultHasher::new(), second),
            scopes: Vec::new(),
        };
        fp.vertex(v, 0);
        ((fp.out.0.finish() as u128) << 64) | fp.out.1.finish() as u128
    }
}

/// The two hash states, fed alike.
struct Out(DefaultHasher, DefaultHasher);

impl Out {
    fn push(&mut self, c: char) {
        self.0.write_u32(c as u32);
        self.1.write_u32(c as u32);
    }

    fn num(&mut self, n: usize) {
        self.0.write_usize(n);
        self.1.write_usize(n);
    }

    /// A string, terminated so that concatenations stay distinct.
    fn text(&mut self, s: &str) {
        self.0.write(s.as_bytes());
        self.0.write_u8(0xff);
        self.1.write(s.as_bytes());
        self.1.write_u8(0xff);
    }

    fn ptr<T: ?Sized>(&mut self, p: *const T) {
        self.num(p as *const () as usize);
    }
}

impl Fp<'_> {
    fn label(&mut self, l: Label) {
        match l.as_index() {
            Some(i) => {
                self.out.push('#');
                self.out.num(i);
            }
            None => {
                self.out.num(l.0 as usize & 7);
                self.out.text(self.ev.labels.str(l));
            }
        }
    }

    fn vertex(&mut self, v: VertexId, nesting: u32) {
        let ev = self.ev;
        let vx = ev.v(v);
        self.out.push('<');
        self.label(vx.label);
        self.out.num(vx.status as usize);
        self.out.num(vx.list_open as usize);
        self.out.num(vx.partial_disjunct as usize);
        self.value(&vx.value, nesting);
        for c in &vx.conjuncts {
            self.out.push('c');
            self.conjunct(&c.expr, &c.env, &c.info);
        }
        for c in vx.constraints.iter() {
            self.out.push('k');
            match &c.kind {
                ConstraintKind::Optional(l) => {
                    self.out.push('o');
                    self.label(*l);
                }
                ConstraintKind::Pattern { pattern, alias } => {
                    self.out.push('p');
                    self.out.ptr(Rc::as_ptr(pattern));
                    self.out.num(*alias as usize);
                }
                ConstraintKind::Ellipsis => self.out.push('e'),
            }
            self.conjunct(&c.value, &c.env, &c.info);
        }
        for s in vx.structs.iter() {
            self.out.push('s');
            self.out.num(s.len());
            for l in s.iter() {
                self.label(*l);
            }
        }
        for d in vx.decls.iter() {
            self.out.push('d');
            self.scope(d.scope);
            match &d.kind {
                closedness::DeclKind::Present => self.out.push('P'),
                closedness::DeclKind::Label(l) => {
                    self.out.push('L');
                    self.label(*l);
                }
                closedness::DeclKind::Pattern(e, env) => {
                    self.out.push('T');
                    self.out.ptr(Rc::as_ptr(e));
                    self.env(env);
                }
                closedness::DeclKind::Any => self.out.push('A'),
            }
        }
        if let Some(x) = vx.extra() {
            for e in &x.incomplete_exprs {
                self.out.push('i');
                self.out.ptr(Rc::as_ptr(e));
            }
            if let Some(ch) = &x.choices {
                self.out.push('h');
                self.out.num(ch.len());
                for c in ch.iter() {
                    self.out.num(*c);
                }
            }
            if let Some(d) = x.disjunct_of {
                self.out.push('o');
                self.name(d);
            }
            for val in &x.composite_validators {
                self.out.push('v');
                self.value(val, nesting);
            }
            for p in x.next_disjunction.iter().chain(&x.pending_disjunctions) {
                self.out.push('n');
                self.out.num(p.len());
                for (e, d) in p.iter() {
                    self.out.ptr(Rc::as_ptr(e));
                    self.out.num(*d as usize);
                }
            }
            self.out.push('m');
            self.out.num(x.choice_modes.len());
            for (a, b) in &x.choice_modes {
                self.out.num(*a as usize * 2 + *b as usize);
            }
        }
        for (l, a) in vx.arcs.iter() {
            self.out.push('a');
            self.label(*l);
            self.vertex(*a, nesting);
        }
        self.out.push('>');
    }

    fn conjunct(&mut self, expr: &ExprRef, env: &Rc<Env>, info: &Info) {
        self.out.ptr(Rc::as_ptr(expr));
        self.out
            .num(info.cyclic as usize * 4 + info.tainted as usize * 2 + info.embed as usize);
        self.scope(info.scope);
        let mut chain = info.chain.as_deref();
        while let Some(c) = chain {
            self.out.push('^');
            self.name(c.vertex);
            chain = c.next.as_deref();
        }
        self.env(env);
    }

    fn env(&mut self, env: &Rc<Env>) {
        let mut e = Some(env);
        while let Some(x) = e {
            self.out.push('@');
            self.name(x.vertex);
            if let Some(l) = x.dyn_label {
                self.out.push('[');
                self.label(l);
            }
            e = x.up.as_ref();
        }
        self.out.push('.');
    }

    /// A scope by its order of appearance, with its chain of parents.
    fn scope(&mut self, s: Option<ScopeId>) {
        let mut cur = s;
        self.out.push('{');
        while let Some(id) = cur {
            let n = match self.scopes.iter().position(|x| *x == id) {
                Some(n) => n,
                None => {
                    self.scopes.push(id);
                    self.scopes.len() - 1
                }
            };
            let info = self.ev.scope(id);
            self.out.num(n);
            self.out.num(info.closed as usize * 2 + info.embed as usize);
            cur = info.parent;
        }
        self.out.push('}');
    }

    /// A vertex named by where it is: its path from the main root or from
    /// its detached root (a package, a `let`, a comprehension's scope, a
    /// disjunct), with the detached root's value when it is not a package
    /// (whose vertices never change).
    fn name(&mut self, v: VertexId) {
        let ev = self.ev;
        let mut root = v;
        let mut depth = 0;
        while let Some(p) = ev.v(root).parent {
            self.label(ev.v(root).label);
            root = p;
            depth += 1;
        }
        self.out.num(depth);
        if root == self.root {
            self.out.push('p');
        } else if let Some((name, _)) = ev.packages.iter().find(|(_, r)| **r == root) {
            self.out.push('P');
            self.out.text(name);
        } else {
            self.out.push('D');
            self.out.text(&ev.show_vertex_compact(root));
        }
    }

    fn value(&mut self, val: &Value, nesting: u32) {
        let ev = self.ev;
        match val {
            Value::Bottom(b) => self.bottom(b),
            Value::Disj(list) => {
                self.out.push('|');
                self.out.num(list.len());
                for (d, dflt) in list.iter() {
                    self.out.push(if *dflt { '*' } else { ' ' });
                    if nesting < MAX_NESTING {
                        self.vertex(*d, nesting + 1);
                    } else {
                        self.name(*d);
                    }
                }
            }
            Value::Vertex(id) => {
                self.out.push('V');
                let mut root = *id;
                while let Some(p) = ev.v(root).parent {
                    root = p;
                }
                let detached = root != self.root && !ev.packages.values().any(|r| *r == root);
                if detached && nesting < MAX_NESTING {
                    self.vertex(*id, nesting + 1);
                } else {
                    self.name(*id);
                }
            }
            Value::Str(s) => {
                self.out.push('S');
                self.out.text(s);
            }
            Value::Num(n) => {
                self.out.push('N');
                self.out.num(n.kind() as usize);
                self.out.text(&n.to_string());
            }
            Value::Top => self.out.push('_'),
            Value::Struct => self.out.push('{'),
            Value::List => self.out.push('['),
            other => {
                self.out.push('?');
                self.out.text(&ev.show(other));
            }
        }
    }

    fn bottom(&mut self, b: &Bottom) {
        self.out.push('E');
        self.out.num(b.code as usize);
        self.out.text(&b.message);
        for s in &b.spans {
            self.out.num(s.file.0 as usize);
            self.out.num(s.start as usize);
            self.out.num(s.end as usize);
        }
        if let Some(v) = b.vertex {
            self.out.push('#');
            self.name(v);
        }
        for c in &b.causes {
            self.out.push('(');
            self.bottom(c);
            self.out.push(')');
        }
        self.out.push(')');
    }
}
