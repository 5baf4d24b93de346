//! Unification of the conjuncts of one vertex (the meet; spec "Unification",
//! reference `adt/eval.go`): struct literals insert fields as arcs (their
//! values unevaluated) and register optional fields, patterns and `...`;
//! references add the referenced vertex's conjuncts (at most once per
//! vertex and scope); atoms must be equal, kinds intersect, bounds collect.
//! A fixpoint retries dynamic fields, comprehensions and incomplete
//! expressions until nothing changes; then disjunctions are expanded and the
//! value is decided (`finish`).

use super::closedness::DeclKind;
use super::*;
use crate::compile::ir::{Builtin as B, Comprehension, ExprKind, ListElem, ListLit, StructLit};
use crate::value::{Bound, Constraint, Kind};
use std::collections::HashSet;

/// Default mode of a disjunct (`maybe < is < not`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mode {
    Maybe,
    Is,
    Not,
}

impl Mode {
    /// The levels of a disjunction at which some disjunct took a marked
    /// default, from each disjunct's `(level has defaults, took a marked
    /// one)` choices.
    pub(crate) fn marked_levels<'a>(
        depth: usize,
        choices: impl IntoIterator<Item = &'a [(bool, bool)]>,
    ) -> Vec<bool> {
        let mut marked = vec![false; depth];
        for c in choices {
            for (i, (_, m)) in c.iter().enumerate() {
                marked[i] |= *m;
            }
        }
        marked
    }

    /// A disjunct's mode from its choices: a level counts only where it has
    /// defaults and some disjunct took one (`marked_levels`).
    pub(crate) fn of_choices(choices: &[(bool, bool)], marked_levels: &[bool]) -> Mode {
        let mut mode = Mode::Maybe;
        for (i, (has_defaults, marked)) in choices.iter().enumerate() {
            let m = if !*has_defaults || !marked_levels[i] {
                Mode::Maybe
            } else if *marked {
                Mode::Is
            } else {
                Mode::Not
            };
            mode = mode.max(m);
        }
        mode
    }
}

pub(crate) struct PendingDisj {
    pub alts: Rc<Vec<(ExprRef, bool)>>,
    pub span: Span,
}

pub(crate) struct DynField {
    key: ExprRef,
    value: ExprRef,
    env: Rc<Env>,
    info: Info,
}

/// The (vertex, scope) pairs whose conjuncts a node added: a few kept in
/// place (most nodes follow one or two references), then a short list
/// scanned linearly, indexed once it grows.
#[derive(Default)]
struct Seen {
    first: [Option<(VertexId, Option<ScopeId>)>; 2],
    list: Vec<(VertexId, Option<ScopeId>)>,
    index: HashSet<(VertexId, Option<ScopeId>), crate::value::FastBuild>,
}

impl Seen {
    /// Adds `x`; false if it was already there.
    fn insert(&mut self, x: (VertexId, Option<ScopeId>)) -> bool {
        for slot in &mut self.first {
            match slot {
                Some(y) if *y == x => return false,
                Some(_) => {}
                None => {
                    *slot = Some(x);
                    return true;
                }
            }
        }
        if self.index.is_empty() {
            if self.list.contains(&x) {
                return false;
            }
            self.list.push(x);
            if self.list.len() > 16 {
                self.index = self.list.drain(..).collect();
            }
            true
        } else {
            self.index.insert(x)
        }
    }
}

/// The transient state of one vertex's evaluation.
pub(crate) struct Node {
    pub v: VertexId,
    next_conj: usize,
    pub kind: Kind,
    kind_src: Option<Value>,
    pub scalar: Option<Value>,
    /// Where the atom came from (for conflict positions).
    scalar_span: Option<Span>,
    pub bounds: Vec<Rc<Bound>>,
    pub validators: Vec<Value>,
    pub err: Option<Rc<Bottom>>,
    pub incomplete: Vec<(Conjunct, Rc<Bottom>)>,
    comprehensions: Vec<(Rc<Comprehension>, Rc<Env>, Info)>,
    dynamic: Vec<DynField>,
    pub disjunctions: Vec<PendingDisj>,
    seen: Seen,
    /// Vertices whose conjuncts were added.
    expanded: Vec<VertexId>,
    pub has_struct: bool,
    pub has_fields: bool,
    lists: Vec<(Rc<ListLit>, Rc<Env>, Info)>,
    cyclic_structs: u32,
    plain_structs: u32,
    disj_count: usize,
    choices: Option<Rc<Vec<usize>>>,
    /// Modes of the choices taken (disjunct clones).
    pub modes: Vec<(bool, bool)>,
    /// Chosen alternatives waiting to be added after the fixpoint.
    chosen: Vec<Conjunct>,
    /// Number of list conjuncts already turned into element arcs.
    lists_expanded: usize,
    pub span: Option<Span>,
    /// Errors are only tested for, never shown (alternatives of a simple
    /// disjunction): conflicts record a placeholder instead of a message.
    quiet: bool,
}

impl Node {
    fn new(v: VertexId, choices: Option<Rc<Vec<usize>>>) -> Node {
        Node {
            v,
            next_conj: 0,
            kind: Kind::TOP,
            kind_src: None,
            scalar: None,
            scalar_span: None,
            bounds: Vec::new(),
            validators: Vec::new(),
            err: None,
            incomplete: Vec::new(),
            comprehensions: Vec::new(),
            dynamic: Vec::new(),
            disjunctions: Vec::new(),
            seen: Seen::default(),
            expanded: Vec::new(),
            has_struct: false,
            has_fields: false,
            lists: Vec::new(),
            cyclic_structs: 0,
            plain_structs: 0,
            disj_count: 0,
            choices,
            modes: Vec::new(),
            chosen: Vec::new(),
            lists_expanded: 0,
            span: None,
            quiet: false,
        }
    }

    pub fn add_err(&mut self, b: Rc<Bottom>) {
        match &self.err {
            None => self.err = Some(b),
            Some(e) if b.code < e.code => self.err = Some(b),
            _ => {}
        }
    }
}

impl Evaluator {
    /// Evaluates `v` to `ArcsReady`: its value is known and its arcs exist
    /// (unevaluated). Re-entrance while `Evaluating` returns immediately.
    pub fn evaluate(&mut self, v: VertexId) {
        if self.v(v).status != Status::Unprocessed {
            return;
        }
        if self.budget.error.is_some() {
            self.stop(v);
            return;
        }
        // Long reference chains and deep nesting recurse deeply: grow the
        // stack on demand instead of overflowing it.
        stacker::maybe_grow(256 * 1024, 8 * 1024 * 1024, || self.evaluate_now(v));
    }

    fn evaluate_now(&mut self, v: VertexId) {
        if self.depth >= crate::limits::MAX_DEPTH {
            self.too_deep(v);
            self.stop(v);
            return;
        }
        self.depth += 1;
        self.eval_stack.push(v);
        let partials = self.partials.len();
        self.vm(v).status = Status::Evaluating;
        let mut n = Node::new(v, self.v(v).choices().cloned());
        self.apply_parent_constraints(v);
        self.fixpoint(&mut n);
        if !n.disjunctions.is_empty() && n.err.is_none() && !self.v(v).partial_disjunct {
            if !self.simple_disjunctions(&mut n) {
                self.expand_disjunctions(&mut n);
            }
        } else {
            // A partial disjunct records its next pending disjunction and the
            // modes of the choices it made.
            let next = n.disjunctions.first().map(|d| d.alts.clone());
            let pending = if self.v(v).partial_disjunct {
                n.disjunctions.iter().map(|d| d.alts.clone()).collect()
            } else {
                Vec::new()
            };
            let modes = std::mem::take(&mut n.modes);
            let vx = self.vm(v);
            if next.is_some() || !pending.is_empty() || !modes.is_empty() || vx.extra.is_some() {
                let x = vx.extra_mut();
                x.next_disjunction = next;
                x.pending_disjunctions = pending;
                x.choice_modes = modes;
            }
            self.finish(&mut n);
        }
        self.partials.truncate(partials);
        self.eval_stack.pop();
        self.depth -= 1;
    }

    fn apply_parent_constraints(&mut self, v: VertexId) {
        let vx = self.v(v);
        let (Some(p), label) = (vx.parent, vx.label) else {
            return;
        };
        if vx.detached || vx.choices().is_some() || vx.constraints_applied {
            return;
        }
        self.vm(v).constraints_applied = true;
        if self.v(p).constraints.is_empty() || label.as_index().is_some() {
            return;
        }
        let cs = self.v(p).constraints.clone();
        let mut matched = false;
        let mut add = Vec::new();
        for c in cs.iter() {
            let ok = match &c.kind {
                ConstraintKind::Optional(l) => *l == label,
                ConstraintKind::Pattern { pattern, .. } => {
                    label.is_regular() && self.label_matches(pattern, &c.env, label)
                }
                ConstraintKind::Ellipsis => false,
            };
            if ok {
                matched = true;
                add.push(self.constraint_conjunct(c, label));
            }
        }
        if !matched && label.is_regular() {
            for c in cs.iter() {
                if matches!(c.kind, ConstraintKind::Ellipsis) {
                    add.push(self.constraint_conjunct(c, label));
                }
            }
        }
        self.vm(v).conjuncts.extend(add);
    }

    fn constraint_conjunct(&self, c: &ArcConstraint, label: Label) -> Conjunct {
        let env = match &c.kind {
            ConstraintKind::Pattern { alias: true, .. } => Rc::new(Env {
                up: Some(c.env.clone()),
                vertex: c.env.vertex,
                dyn_label: Some(label),
            }),
            _ => c.env.clone(),
        };
        Conjunct {
            expr: c.value.clone(),
            env,
            info: c.info.clone(),
        }
    }

    fn fixpoint(&mut self, n: &mut Node) {
        let v = n.v;
        loop {
            let mut progress = false;
            while n.next_conj < self.v(v).conjuncts.len() {
                let c = self.v(v).conjuncts[n.next_conj].clone();
                n.next_conj += 1;
                self.add_conjunct(n, c);
                progress = true;
            }
            if n.cyclic_structs > 0 && n.plain_structs == 0 {
                // Only cyclic structs: stop before comprehensions or
                // dynamic fields unfold the cycle further.
                break;
            }
            for d in std::mem::take(&mut n.dynamic) {
                match self.eval_label(&d.key, &d.env) {
                    Ok(label) => {
                        progress = true;
                        self.add_decl(n.v, &d.info, DeclKind::Label(label));
                        let c = Conjunct {
                            expr: d.value.clone(),
                            env: d.env.clone(),
                            info: d.info.clone(),
                        };
                        // The reference ignores `?` on dynamic labels: the
                        // field is regular either way.
                        n.has_fields = true;
                        self.insert_field(n.v, label, c);
                    }
                    Err(b) if b.is_incomplete() => n.dynamic.push(d),
                    Err(b) => n.add_err(b),
                }
            }
            for (comp, env, info) in std::mem::take(&mut n.comprehensions) {
                match self.run_comprehension(&comp, &env) {
                    Ok(envs) => {
                        progress = true;
                        for e in envs {
                            let c = Conjunct {
                                expr: comp.body.clone(),
                                env: e,
                                info: info.clone(),
                            };
                            self.add_conjunct(n, c);
                        }
                    }
                    Err(b) if b.is_incomplete() => n.comprehensions.push((comp, env, info)),
                    Err(b) => n.add_err(b),
                }
            }
            for (c, _) in std::mem::take(&mut n.incomplete) {
                let before = n.incomplete.len();
                self.add_conjunct(n, c);
                if n.incomplete.len() == before {
                    progress = true;
                }
            }
            if let Some(s) = &n.scalar {
                self.set_partial(v, s.clone());
            }
            if !progress
                && !n.incomplete.is_empty()
                && n.lists_expanded == 0
                && !n.lists.is_empty()
                && n.err.is_none()
            {
                // Stuck on something that may need this list's elements
                // (`len(l)` inside `l`): create them now.
                self.expand_lists(n);
                n.lists_expanded = n.lists.len();
                self.set_partial(v, Value::List);
                progress = true;
            }
            if !progress && !n.chosen.is_empty() {
                for c in std::mem::take(&mut n.chosen) {
                    self.add_conjunct(n, c);
                }
                progress = true;
            }
            if !progress {
                break;
            }
        }
    }

    /// Unifies one conjunct into the node.
    pub(crate) fn add_conjunct(&mut self, n: &mut Node, c: Conjunct) {
        let span = c.expr.span;
        if n.span.is_none() {
            n.span = Some(span);
        }
        // Any non-cyclic value grounds the node against structural cycles
        // (references and operators only pass conjuncts on).
        if !c.info.cyclic
            && !c.info.tainted
            && !matches!(
                c.expr.kind,
                ExprKind::Disj(_)
                    | ExprKind::Unify(_)
                    | ExprKind::FieldRef { .. }
                    | ExprKind::Selector(..)
                    | ExprKind::Index(..)
                    | ExprKind::LetRef { .. }
                    | ExprKind::DynFieldRef { .. }
                    | ExprKind::Vertex(_)
            )
        {
            n.plain_structs += 1;
        }
        match &c.expr.kind {
            ExprKind::Struct(s) => {
                let s = s.clone();
                self.add_struct(n, &s, &c)
            }
            ExprKind::List(l) => {
                if c.info.cyclic {
                    n.cyclic_structs += 1;
                }
                self.add_kind(n, Kind::LIST, || Value::List);
                n.lists.push((l.clone(), c.env.clone(), c.info.clone()));
            }
            ExprKind::Unify(xs) => {
                for x in xs {
                    let c2 = Conjunct {
                        expr: x.clone(),
                        env: c.env.clone(),
                        info: c.info.clone(),
                    };
                    self.add_conjunct(n, c2);
                }
            }
            ExprKind::Disj(alts) => {
                let idx = n.disj_count;
                n.disj_count += 1;
                let choice = n.choices.as_ref().and_then(|ch| ch.get(idx).copied());
                match choice {
                    Some(i) => {
                        // As in the reference, a chosen alternative joins
                        // after the other conjuncts (disjunctions are
                        // expanded after the fixpoint), which shows in
                        // field order.
                        let has_defaults = alts.iter().any(|(_, d)| *d);
                        let (x, marked) = alts[i].clone();
                        n.modes.push((has_defaults, marked));
                        n.chosen.push(Conjunct {
                            expr: x,
                            env: c.env.clone(),
                            info: c.info.clone(),
                        });
                    }
                    None => n.disjunctions.push(PendingDisj {
                        alts: alts.clone(),
                        span,
                    }),
                }
            }
            ExprKind::Top => {}
            ExprKind::FieldRef { .. }
            | ExprKind::Selector(..)
            | ExprKind::Index(..)
            | ExprKind::LetRef { .. }
            | ExprKind::Import(_)
            | ExprKind::DynFieldRef { .. } => match self.resolve(&c.expr, &c.env) {
                Ok(resolve::Resolved::Vertex(t, closing)) => self.add_vertex(n, t, &c, closing),
                Ok(resolve::Resolved::Value(val)) => self.add_value_or_defer(n, val, c),
                Err(b) => self.defer_or_fail(n, c, b),
            },
            ExprKind::Call(f, args) if matches!(f.kind, ExprKind::Builtin(B::Close)) => {
                if args.len() != 1 {
                    let b = self.bottom(Code::Eval, "close: expected 1 argument", vec![span]);
                    self.add_value(n, b, span);
                    return;
                }
                let s = self.new_scope(true, c.info.scope, c.info.embed);
                let c2 = Conjunct {
                    expr: args[0].clone(),
                    env: c.env.clone(),
                    info: Info {
                        scope: Some(s),
                        ..c.info.clone()
                    },
                };
                self.add_conjunct(n, c2);
            }
            ExprKind::Vertex(id) => self.add_vertex(n, *id, &c, false),
            _ => {
                let val = self.eval_value(&c.expr, &c.env);
                self.add_value_or_defer(n, val, c);
            }
        }
    }

    fn add_value_or_defer(&mut self, n: &mut Node, val: Value, c: Conjunct) {
        match val {
            Value::Vertex(id) => self.add_vertex(n, id, &c, false),
            Value::Bottom(b) => self.defer_or_fail(n, c, b),
            other => self.add_value(n, other, c.expr.span),
        }
    }

    fn defer_or_fail(&mut self, n: &mut Node, c: Conjunct, b: Rc<Bottom>) {
        if b.is_incomplete() {
            n.incomplete.push((c, b));
        } else {
            n.add_err(b);
        }
    }

    /// Adds the conjuncts of vertex `t` (a reference's target).
    pub(crate) fn add_vertex(&mut self, n: &mut Node, t: VertexId, c: &Conjunct, closing: bool) {
        stacker::maybe_grow(256 * 1024, 8 * 1024 * 1024, || {
            self.add_vertex_now(n, t, c, closing)
        });
    }

    fn add_vertex_now(&mut self, n: &mut Node, t: VertexId, c: &Conjunct, closing: bool) {
        // A reference to the vertex itself adds nothing, nor does one from
        // a disjunct of it (`x: #C | null, #C: x`): the disjunct holds the
        // vertex's conjuncts already, and adding them again would expand
        // the same disjunction once more, endlessly.
        if t == n.v || self.v(n.v).disjunct_of() == Some(t) {
            return;
        }
        // Sharing: a finished vertex whose value is an atom or constraint
        // (nothing a new location could re-bind) contributes its value
        // instead of re-evaluating its conjuncts. Keeps reference chains
        // linear.
        if self.v(t).status == Status::Unprocessed && !c.info.cyclic {
            self.evaluate(t);
        }
        let tx = self.v(t);
        if matches!(
            tx.status,
            Status::ArcsReady | Status::EvaluatingArcs | Status::Finalized
        ) && tx.arcs.is_empty()
            && matches!(
                tx.value,
                Value::Top
                    | Value::Null
                    | Value::Bool(_)
                    | Value::Num(_)
                    | Value::Str(_)
                    | Value::Bytes(_)
                    | Value::Basic(_)
                    | Value::Bound(_)
                    | Value::Constraint(_)
            )
        {
            let value = tx.value.clone();
            self.add_value(n, value, c.expr.span);
            return;
        }
        if !n.seen.insert((t, c.info.scope)) {
            return;
        }
        // A reference to an ancestor taints what it brings (a structural
        // cycle); so does a third dereference of the same vertex along one
        // chain (`a: #L & {}` with `#L: {next: #L & {...}}`), which would
        // otherwise unfold without end below a vertex that is not #L's.
        let seen = chain_count(&c.info.chain, t, 2);
        // A conjunct that came from `t` and refers back to it, where `t`'s
        // conjuncts were added to this node already (`y: #A` with
        // `#A: {a: 1} & #A`), would add them again with a new closedness
        // scope (a definition opens one per reference, so `n.seen` never
        // repeats): a reference cycle, which adds nothing.
        if seen > 0 && n.expanded.contains(&t) {
            return;
        }
        let tainted = c.info.tainted || seen >= 2 || self.is_ancestor(t, n.v);
        let cyclic = tainted || c.info.cyclic || seen > 0;
        let scope = if closing && c.info.embed && c.info.scope.is_none() {
            // A definition embedded in a package file does not close it.
            None
        } else if closing {
            Some(self.new_scope(true, c.info.scope, c.info.embed))
        } else {
            c.info.scope
        };
        let chain = Some(Rc::new(Chain {
            vertex: t,
            next: c.info.chain.clone(),
        }));
        // A vertex with a resolved value but no conjuncts of its own (data).
        // By index (no copy of the list): the conjuncts present now.
        let count = self.v(t).conjuncts.len();
        if !n.expanded.contains(&t) {
            n.expanded.push(t);
        }
        for i in 0..count {
            let Some(tc) = self.v(t).conjuncts.get(i).cloned() else {
                break;
            };
            // Embedding a plain reference embeds what it refers to.
            // The referencing conjunct's closedness replaces the target's
            // own (as the reference resets the close tree): conflicts inside
            // the target were caught there.
            let info = Info {
                scope,
                chain: chain.clone(),
                cyclic,
                tainted,
                embed: c.info.embed && !closing,
            };
            let c2 = Conjunct {
                expr: tc.expr,
                env: tc.env,
                info,
            };
            self.add_conjunct(n, c2);
        }
    }

    fn is_ancestor(&self, t: VertexId, v: VertexId) -> bool {
        let mut cur = self.v(v).parent;
        while let Some(p) = cur {
            if p == t {
                return true;
            }
            cur = self.v(p).parent;
        }
        false
    }

    fn add_struct(&mut self, n: &mut Node, s: &StructLit, c: &Conjunct) {
        let v = n.v;
        let env2 = Rc::new(Env {
            up: Some(c.env.clone()),
            vertex: v,
            dyn_label: None,
        });
        // plan-api: definitions and hidden fields next to an embedded scalar
        // (`{string, #compute: [...]}`) do not make the value a struct, nor
        // do constraints that add no field (`...`, patterns, optional
        // fields), as in the reference (scalars/emptystruct).
        let only_embeds = s.has_embed
            && s.decls.iter().all(|d| match d {
                crate::compile::ir::Decl::Embed(_)
                | crate::compile::ir::Decl::Ellipsis(_)
                | crate::compile::ir::Decl::Pattern { .. } => true,
                crate::compile::ir::Decl::Field {
                    label, optional, ..
                } => *optional || !label.is_regular(),
                _ => false,
            });
        if !only_embeds {
            self.add_kind(n, Kind::STRUCT, || Value::Struct);
            n.has_struct = true;
        }
        if c.info.cyclic {
            n.cyclic_structs += 1;
        }
        let mut info = c.info.clone();
        info.embed = false;
        // A struct with embeddings is closed by the definitions it embeds;
        // the package's files are not (their fields stay open).
        let is_root = self.v(v).parent.is_none() && !self.v(v).detached;
        if s.has_embed && info.scope.is_none() && !is_root {
            info.scope = Some(self.new_scope(false, None, false));
        }
        self.vm(v).structs.push(s.field_labels.clone());
        self.add_decl(v, &info, DeclKind::Present);
        use crate::compile::ir::Decl;
        for d in &s.decls {
            match d {
                Decl::Embed(x) => {
                    let c2 = Conjunct {
                        expr: x.clone(),
                        env: env2.clone(),
                        info: Info {
                            embed: true,
                            ..info.clone()
                        },
                    };
                    self.add_conjunct(n, c2);
                }
                Decl::Dynamic { key, value, .. } => n.dynamic.push(DynField {
                    key: key.clone(),
                    value: value.clone(),
                    env: env2.clone(),
                    info: info.clone(),
                }),
                Decl::Comprehension(comp) => {
                    n.has_struct = true;
                    n.comprehensions
                        .push((comp.clone(), env2.clone(), info.clone()))
                }
                _ => {}
            }
        }
        for d in &s.decls {
            match d {
                Decl::Field {
                    label,
                    optional,
                    value,
                    ..
                } => {
                    self.add_decl(v, &info, DeclKind::Label(*label));
                    if *optional {
                        self.vm(v).constraints.push(ArcConstraint {
                            kind: ConstraintKind::Optional(*label),
                            value: value.clone(),
                            env: env2.clone(),
                            info: info.clone(),
                        });
                    } else {
                        n.has_fields = true;
                        // A cycle is detected where it is entered: fields of
                        // a cyclic struct keep the chain but not the mark;
                        // they inherit the taint (see `Info::tainted`).
                        let c2 = Conjunct {
                            expr: value.clone(),
                            env: env2.clone(),
                            info: Info {
                                cyclic: false,
                                ..info.clone()
                            },
                        };
                        self.insert_field(v, *label, c2);
                    }
                }
                Decl::Pattern {
                    pattern,
                    value,
                    alias,
                    ..
                } => {
                    self.add_decl(v, &info, DeclKind::Pattern(pattern.clone(), env2.clone()));
                    self.vm(v).constraints.push(ArcConstraint {
                        kind: ConstraintKind::Pattern {
                            pattern: pattern.clone(),
                            alias: *alias,
                        },
                        value: value.clone(),
                        env: env2.clone(),
                        info: info.clone(),
                    });
                }
                Decl::Ellipsis(x) => {
                    self.add_decl(v, &info, DeclKind::Any);
                    // A bare `...` allows any value: `_`, not written by the
                    // user (so it has no position and is not printed).
                    let value = x.clone().unwrap_or_else(|| {
                        Rc::new(crate::compile::ir::Expr {
                            span: Span::synthetic(),
                            kind: ExprKind::Top,
                        })
                    });
                    self.vm(v).constraints.push(ArcConstraint {
                        kind: ConstraintKind::Ellipsis,
                        value,
                        env: env2.clone(),
                        info: info.clone(),
                    });
                }
                _ => {}
            }
        }
    }

    /// Narrows the node's kind; an empty intersection is a conflict.
    fn add_kind(&mut self, n: &mut Node, k: Kind, src: impl FnOnce() -> Value) {
        let nk = n.kind & k;
        if nk.is_empty() && n.quiet {
            n.add_err(self.quiet_bottom());
            return;
        }
        if nk.is_empty() {
            let new = src();
            let old = n.kind_src.clone().unwrap_or(Value::Basic(n.kind));
            // The kind met first, then the new value, except that a struct
            // or list comes last (as the reference shows them).
            let (a, b) = if matches!(old, Value::Struct | Value::List) {
                (new.clone(), old.clone())
            } else {
                (old.clone(), new.clone())
            };
            let ka = self.kind_of_shown(&a);
            let kb = self.kind_of_shown(&b);
            let msg = format!(
                "conflicting values {} and {} (mismatched types {} and {})",
                self.show_value_node(&a, n),
                self.show_value_node(&b, n),
                ka.name(),
                kb.name()
            );
            // No primary position (see `api::span_positions`).
            let spans = std::iter::once(Span::synthetic()).chain(n.span).collect();
            let b = self.bottom(Code::Eval, msg, spans);
            if let Value::Bottom(b) = b {
                n.add_err(b);
            }
            return;
        }
        if nk != n.kind {
            n.kind = nk;
            n.kind_src = Some(src());
        }
    }

    fn kind_of_shown(&self, v: &Value) -> Kind {
        v.kind()
    }

    fn show_value_node(&self, v: &Value, n: &Node) -> String {
        match v {
            Value::Struct => self.show_vertex_compact(n.v),
            Value::List => "[]".into(),
            _ => self.show(v),
        }
    }

    /// Unifies a non-composite value into the node.
    pub(crate) fn add_value(&mut self, n: &mut Node, val: Value, span: Span) {
        match val {
            Value::Top => {}
            Value::Bottom(b) => n.add_err(b),
            Value::Basic(k) => self.add_kind(n, k, || Value::Basic(k)),
            Value::Bound(b) => {
                let k = crate::value::bound_kind(&b);
                let bv = Value::Bound(b.clone());
                self.add_kind(n, k, || bv);
                if !n.bounds.iter().any(|x| self.same_bound(x, &b)) {
                    n.bounds.push(b);
                }
            }
            Value::Constraint(c) => {
                let cv = Value::Constraint(c.clone());
                self.add_kind(n, c.kind, || cv);
                for b in &c.bounds {
                    if !n.bounds.iter().any(|x| self.same_bound(x, b)) {
                        n.bounds.push(Rc::new(b.clone()));
                    }
                }
                n.validators.extend(c.validators.iter().cloned());
            }
            Value::Validator(_) | Value::Func(_) => n.validators.push(val),
            Value::Struct | Value::List | Value::Disj(_) | Value::Vertex(_) => {}
            Value::Builtin(_) => {
                let b = self.bottom(Code::Eval, "cannot use builtin as value", vec![span]);
                self.add_value(n, b, span);
            }
            atom => {
                let k = atom.kind();
                let a2 = atom.clone();
                self.add_kind(n, k, || a2);
                if n.err.is_some() {
                    return;
                }
                match &n.scalar {
                    None => {
                        n.scalar = Some(atom);
                        n.scalar_span = Some(span);
                    }
                    Some(s) => {
                        if n.quiet && !self.atoms_equal(s, &atom) {
                            n.add_err(self.quiet_bottom());
                        } else if !self.atoms_equal(s, &atom) {
                            let msg = format!(
                                "conflicting values {} and {}",
                                self.show(&atom),
                                self.show(s)
                            );
                            // No primary position (see `api::span_positions`).
                            let spans = [Span::synthetic(), span]
                                .into_iter()
                                .chain(n.scalar_span)
                                .collect();
                            if let Value::Bottom(b) = self.bottom(Code::Eval, msg, spans) {
                                n.add_err(b);
                            }
                        }
                    }
                }
            }
        }
    }

    fn same_bound(&self, a: &Bound, b: &Bound) -> bool {
        a.op == b.op && self.atoms_equal(&a.value, &b.value)
    }

    /// Decides the vertex's value once all conjuncts are in.
    pub(crate) fn finish(&mut self, n: &mut Node) {
        let v = n.v;
        if n.err.is_none() && n.cyclic_structs > 0 && n.plain_structs == 0 {
            // No position, as in the reference: the path tells where.
            if let Value::Bottom(b) = self.bottom(Code::StructuralCycle, "structural cycle", vec![])
            {
                n.err = Some(b);
            }
        }
        if n.err.is_none() && !n.lists.is_empty() && n.lists.len() != n.lists_expanded {
            self.expand_lists(n);
        }
        let value = if let Some(e) = n.err.clone() {
            if e.code == Code::StructuralCycle {
                self.clear_arcs(v);
            }
            let mut b = (*e).clone();
            if b.vertex.is_none() {
                b.vertex = Some(v);
            }
            Value::Bottom(Rc::new(b))
        } else if n.scalar.is_some() && n.incomplete.iter().any(|(_, b)| b.code == Code::Incomplete)
        {
            // An expression that cannot be evaluated yet (`y + 1` with
            // `y: int`) keeps the value incomplete even next to an atom
            // (`b: (y + 1) & 2`), as in the reference; a reference cycle
            // does not.
            let first = n
                .incomplete
                .iter()
                .position(|(_, b)| b.code == Code::Incomplete)
                .expect("checked above");
            self.incomplete_result(n, first)
        } else if let Some(s) = n.scalar.clone() {
            let has_regular = self.v(v).arcs.iter().any(|(l, _)| l.is_regular());
            if n.has_fields && has_regular {
                let msg = format!(
                    "conflicting values {} and {} (mismatched types {} and struct)",
                    self.show(&s),
                    self.show_vertex_compact(v),
                    s.kind().name()
                );
                self.bottom(Code::Eval, msg, n.span.into_iter().collect())
            } else {
                self.check_constraints(&s, &n.bounds, &n.validators, n.span)
            }
        } else if !n.incomplete.is_empty() {
            self.incomplete_result(n, 0)
        } else if !n.lists.is_empty() {
            Value::List
        } else if n.has_struct
            || (!self.v(v).arcs.is_empty()
                && n.kind.contains(Kind::STRUCT)
                // `{_, #d: x}`: top with definitions, as in the reference.
                && n.kind != Kind::TOP)
            || !n.comprehensions.is_empty()
            || !n.dynamic.is_empty()
        {
            Value::Struct
        } else {
            self.simplify_constraints(n.kind, &n.bounds, &n.validators, n.span)
        };
        // Unfinished comprehensions or dynamic fields make the vertex incomplete.
        let value = match value {
            Value::Struct if !n.comprehensions.is_empty() || !n.dynamic.is_empty() => {
                let msg = "incomplete comprehension or dynamic field";
                let mut b = match self.first_incomplete_comprehension(n) {
                    Some(b) => (*b).clone(),
                    None => Bottom {
                        code: Code::Incomplete,
                        message: msg.into(),
                        spans: vec![],
                        vertex: None,
                        causes: Vec::new(),
                    },
                };
                b.vertex.get_or_insert(v);
                Value::Bottom(Rc::new(b))
            }
            other => other,
        };
        if matches!(value, Value::List | Value::Struct) && !n.validators.is_empty() {
            self.vm(v).extra_mut().composite_validators = n.validators.clone();
        }
        // A result that depends on a vertex still being evaluated (a
        // reference cycle) is provisional: it is recomputed on next use.
        let provisional = matches!(&value, Value::Bottom(b) if b.code == Code::Cycle);
        let vx = self.vm(v);
        vx.value = value;
        vx.status = Status::ArcsReady;
        if provisional {
            self.reset_keep_value(v);
        }
    }

    /// The value of a node left incomplete: the error of its `i`th pending
    /// expression; all of them are kept for printing.
    fn incomplete_result(&mut self, n: &Node, i: usize) -> Value {
        let v = n.v;
        let exprs: Vec<ExprRef> = n.incomplete.iter().map(|(c, _)| c.expr.clone()).collect();
        self.vm(v).extra_mut().incomplete_exprs = exprs;
        let mut b = (*n.incomplete[i].1).clone();
        if b.vertex.is_none() {
            b.vertex = Some(v);
        }
        Value::Bottom(Rc::new(b))
    }

    fn first_incomplete_comprehension(&mut self, n: &Node) -> Option<Rc<Bottom>> {
        for (comp, env, _) in &n.comprehensions {
            if let Err(b) = self.run_comprehension(comp, env) {
                return Some(b);
            }
        }
        for d in &n.dynamic {
            if let Err(b) = self.eval_label(&d.key, &d.env) {
                return Some(b);
            }
        }
        None
    }

    /// Turns list conjuncts into element arcs; closed lists must agree in
    /// length, open lists type the extra elements with their tail.
    fn expand_lists(&mut self, n: &mut Node) {
        let v = n.v;
        let lists = std::mem::take(&mut n.lists);
        let mut lens = Vec::new();
        for (lit, env, info) in &lists {
            let mut idx = 0usize;
            for el in &lit.elems {
                match el {
                    ListElem::Expr(x) => {
                        let c = Conjunct {
                            expr: x.clone(),
                            env: env.clone(),
                            info: Info {
                                cyclic: false,
                                ..info.clone()
                            },
                        };
                        self.insert_field(v, Label::index(idx), c);
                        idx += 1;
                    }
                    ListElem::Comprehension(comp) => match self.run_comprehension(comp, env) {
                        Ok(envs) => {
                            for e in envs {
                                let c = Conjunct {
                                    expr: comp.body.clone(),
                                    env: e,
                                    info: Info {
                                        cyclic: false,
                                        ..info.clone()
                                    },
                                };
                                self.insert_field(v, Label::index(idx), c);
                                idx += 1;
                            }
                        }
                        Err(b) => n.add_err(b),
                    },
                }
            }
            lens.push(idx);
        }
        let max = lens.iter().copied().max().unwrap_or(0);
        let mut open = true;
        for (i, (lit, env, info)) in lists.iter().enumerate() {
            match &lit.ellipsis {
                None => {
                    open = false;
                    if lens[i] < max {
                        let msg = format!("incompatible list lengths ({} and {})", lens[i], max);
                        if let Value::Bottom(b) = self.bottom(Code::Eval, msg, vec![lit.span]) {
                            n.add_err(b);
                        }
                    }
                }
                Some(tail) => {
                    for j in lens[i]..max {
                        let c = Conjunct {
                            expr: tail.clone(),
                            env: env.clone(),
                            info: Info {
                                cyclic: false,
                                ..info.clone()
                            },
                        };
                        self.insert_field(v, Label::index(j), c);
                    }
                }
            }
        }
        self.vm(v).list_open = open;
        n.lists = lists;
    }

    /// Checks an atom against bounds and validators.
    pub(crate) fn check_constraints(
        &mut self,
        s: &Value,
        bounds: &[Rc<Bound>],
        validators: &[Value],
        span: Option<Span>,
    ) -> Value {
        for b in bounds {
            match self.check_bound(s, b) {
                Ok(true) => {}
                Ok(false) => {
                    let msg = format!(
                        "invalid value {} (out of bound {})",
                        self.show(s),
                        self.show(&Value::Bound(b.clone()))
                    );
                    return self.bottom(Code::Eval, msg, span.into_iter().collect());
                }
                Err(e) => return e,
            }
        }
        for val in validators {
            if let Err(e) = self.check_validator(s, val, span) {
                return e;
            }
        }
        s.clone()
    }

    /// Combines kind, bounds and validators into a constraint value,
    /// simplifying bounds (spec "Bounds"; reference `adt/simplify.go`).
    fn simplify_constraints(
        &mut self,
        kind: Kind,
        bounds: &[Rc<Bound>],
        validators: &[Value],
        span: Option<Span>,
    ) -> Value {
        if bounds.is_empty() && validators.is_empty() {
            return if kind == Kind::TOP {
                Value::Top
            } else {
                Value::Basic(kind)
            };
        }
        match self.simplify_bounds(kind, bounds, span) {
            Ok(Some(v)) => v,
            Ok(None) => Value::Constraint(Rc::new(Constraint {
                kind,
                bounds: self.reduce_bounds(kind, bounds),
                validators: validators.to_vec(),
            })),
            Err(e) => e,
        }
    }
}

/// How many times `t` was dereferenced along `chain`, counting up to `max`.
fn chain_count(chain: &Option<Rc<Chain>>, t: VertexId, max: usize) -> usize {
    let mut n = 0;
    let mut cur = chain.as_ref();
    while let Some(c) = cur {
        if c.vertex == t {
            n += 1;
            if n == max {
                break;
            }
        }
        cur = c.next.as_ref();
    }
    n
}

/// A partial result of the simple-disjunction path: scalar state, the
/// modes of the choices made, and the resulting value.
type SimpleState = (Node, Vec<(bool, bool)>, Value);

fn is_simple(e: &ExprRef) -> bool {
    match &e.kind {
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Num(_)
        | ExprKind::Str(_)
        | ExprKind::Bytes(_)
        | ExprKind::Basic(_)
        | ExprKind::Top => true,
        ExprKind::Bound(_, x) => matches!(
            x.kind,
            ExprKind::Num(_)
                | ExprKind::Str(_)
                | ExprKind::Bytes(_)
                | ExprKind::Null
                | ExprKind::Bool(_)
        ),
        ExprKind::Unify(xs) => xs.iter().all(is_simple),
        _ => false,
    }
}

/// The result of meeting a scalar state with simple disjunctions.
pub(crate) enum SimpleOutcome {
    Empty,
    One(Value),
    /// Survivors with their default flags, defaults first.
    Many(Vec<(Value, bool)>),
}

/// Disjunction alternatives compared by identity (the key keeps them
/// alive, so an address is never reused while memoized).
pub(crate) struct AltsPtr(Rc<Vec<(ExprRef, bool)>>);

impl PartialEq for AltsPtr {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for AltsPtr {}

impl std::hash::Hash for AltsPtr {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        Rc::as_ptr(&self.0).hash(h)
    }
}

/// The atom of a scalar state, compared by representation.
#[derive(PartialEq, Eq, Hash)]
pub(crate) enum AtomKey {
    None,
    Null,
    Bool(bool),
    Str(Rc<str>),
    Num(crate::num::NumKind, i32, num_bigint::BigInt),
}

/// What a simple disjunction's outcome depends on: the alternatives, and
/// the kind and atom met so far (states with bounds or validators are not
/// memoized).
#[derive(PartialEq, Eq, Hash)]
pub(crate) struct SimpleKey {
    alts: Vec<AltsPtr>,
    kind: Kind,
    atom: AtomKey,
}

fn simple_key(n: &Node, disjunctions: &[PendingDisj]) -> Option<SimpleKey> {
    if !n.bounds.is_empty() || !n.validators.is_empty() || n.err.is_some() {
        return None;
    }
    let atom = match &n.scalar {
        None => AtomKey::None,
        Some(Value::Null) => AtomKey::Null,
        Some(Value::Bool(b)) => AtomKey::Bool(*b),
        Some(Value::Str(s)) => AtomKey::Str(s.clone()),
        Some(Value::Num(x)) if x.coefficient().bits() <= 64 => {
            AtomKey::Num(x.kind(), x.exponent(), x.coefficient().clone())
        }
        Some(_) => return None,
    };
    Some(SimpleKey {
        alts: disjunctions
            .iter()
            .map(|d| AltsPtr(d.alts.clone()))
            .collect(),
        kind: n.kind,
        atom,
    })
}

impl Evaluator {
    /// Fast path for disjunctions of atoms, types and bounds at a vertex
    /// with no fields: each alternative is met with the scalar state
    /// directly (same elimination, merging and default rules as
    /// `expand_disjunctions`, without cloning the vertex).
    fn simple_disjunctions(&mut self, n: &mut Node) -> bool {
        let v = n.v;
        if n.has_struct
            || !n.lists.is_empty()
            || !n.incomplete.is_empty()
            || !n.comprehensions.is_empty()
            || !n.dynamic.is_empty()
            || !self.v(v).arcs.is_empty()
            || n.disjunctions
                .iter()
                .any(|d| !d.alts.iter().all(|(x, _)| is_simple(x)))
        {
            return false;
        }
        let disjunctions = std::mem::take(&mut n.disjunctions);
        // The outcome depends only on the alternatives and the scalar
        // state, which repeats across instances of a schema: memoized.
        let key = simple_key(n, &disjunctions);
        let memo = key.as_ref().and_then(|k| self.simple_memo.get(k)).cloned();
        let value = match memo {
            Some(value) => value,
            None => {
                let value = match self.simple_outcome(n, &disjunctions) {
                    // Not memoized: the error names this vertex.
                    SimpleOutcome::Empty => Value::Bottom(Rc::new(Bottom {
                        code: Code::Eval,
                        message: "empty disjunction".into(),
                        spans: disjunctions.iter().map(|d| d.span).take(1).collect(),
                        vertex: Some(v),
                        causes: Vec::new(),
                    })),
                    SimpleOutcome::One(val) => val,
                    SimpleOutcome::Many(vals) => self.atom_disjunction(vals),
                };
                if let Some(k) = key.filter(|_| !matches!(value, Value::Bottom(_))) {
                    self.simple_memo.insert(k, value.clone());
                }
                value
            }
        };
        let vx = self.vm(v);
        vx.value = value;
        vx.status = Status::ArcsReady;
        true
    }

    /// A disjunction of finalized atoms. Its vertices are immutable and
    /// belong to no field (no parent), so every instance of a schema that
    /// reaches the same outcome shares them.
    fn atom_disjunction(&mut self, vals: Vec<(Value, bool)>) -> Value {
        let list = vals
            .into_iter()
            .map(|(val, d)| {
                let w = self.new_vertex(None, Label(0));
                let wx = self.vm(w);
                wx.detached = true;
                wx.value = val;
                wx.status = Status::Finalized;
                (w, d)
            })
            .collect();
        Value::Disj(Rc::new(list))
    }

    /// Meets each alternative of each disjunction with the scalar state of
    /// `n`, keeping the distinct survivors and their default marks.
    fn simple_outcome(&mut self, n: &Node, disjunctions: &[PendingDisj]) -> SimpleOutcome {
        let v = n.v;
        // (state, modes, value)
        let base = self.scalar_state(n);
        let mut states: Vec<SimpleState> = vec![(base, Vec::new(), Value::Top)];
        for d in disjunctions {
            let has_defaults = d.alts.iter().any(|(_, m)| *m);
            let mut next: Vec<SimpleState> = Vec::new();
            for (st, modes, _) in &states {
                for (x, marked) in d.alts.iter() {
                    let mut s2 = self.scalar_state(st);
                    let env = Rc::new(Env {
                        up: None,
                        vertex: v,
                        dyn_label: None,
                    });
                    let c = Conjunct {
                        expr: x.clone(),
                        env,
                        info: Info::default(),
                    };
                    self.add_conjunct(&mut s2, c);
                    if s2.err.is_some() || !s2.disjunctions.is_empty() {
                        continue;
                    }
                    let val = self.scalar_value(&s2);
                    if matches!(val, Value::Bottom(_)) {
                        continue;
                    }
                    let mut m2 = modes.clone();
                    m2.push((has_defaults, *marked));
                    if let Some(k) = next.iter_mut().find(|k| self.values_equal(&k.2, &val)) {
                        if m2.iter().filter(|x| x.1).count() > k.1.iter().filter(|x| x.1).count() {
                            k.1 = m2;
                        }
                        continue;
                    }
                    next.push((s2, m2, val));
                }
            }
            states = next;
            if states.is_empty() {
                break;
            }
        }
        if states.is_empty() {
            return SimpleOutcome::Empty;
        }
        if states.len() == 1 {
            return SimpleOutcome::One(states.pop().map(|s| s.2).unwrap_or(Value::Top));
        }
        let level_marked =
            Mode::marked_levels(disjunctions.len(), states.iter().map(|s| s.1.as_slice()));
        let mut list: Vec<(Value, bool)> = states
            .into_iter()
            .map(|(_, modes, val)| (val, Mode::of_choices(&modes, &level_marked) == Mode::Is))
            .collect();
        let mut next = 0;
        for i in 0..list.len() {
            if list[i].1 {
                list.swap(next, i);
                next += 1;
            }
        }
        SimpleOutcome::Many(list)
    }

    /// A node holding only the scalar part (kind, atom, bounds, validators).
    fn scalar_state(&self, n: &Node) -> Node {
        let mut s = Node::new(n.v, Some(Rc::new(Vec::new())));
        s.kind = n.kind;
        s.kind_src = n.kind_src.clone();
        s.scalar = n.scalar.clone();
        s.scalar_span = n.scalar_span;
        s.bounds = n.bounds.clone();
        s.validators = n.validators.clone();
        s.span = n.span;
        s.err = n.err.clone();
        s.quiet = true;
        s
    }

    /// The value of a scalar-only node.
    fn scalar_value(&mut self, n: &Node) -> Value {
        match &n.scalar {
            Some(s) => {
                let s = s.clone();
                if n.quiet {
                    for b in &n.bounds {
                        if !matches!(self.check_bound(&s, b), Ok(true)) {
                            return Value::Bottom(self.quiet_bottom());
                        }
                    }
                }
                self.check_constraints(&s, &n.bounds, &n.validators, n.span)
            }
            None => self.simplify_constraints(n.kind, &n.bounds, &n.validators, n.span),
        }
    }
}
