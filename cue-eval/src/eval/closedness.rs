//! Closedness (spec "Closed structs", "Definitions"; reference
//! `adt/closed.go`). Two rules, as in the reference:
//! 1. A vertex labelled `#x`, or below one, is closed: each regular label
//!    must be declared by some struct literal unified into it.
//! 2. Each reference to a definition (or `close()`) opens a closed scope;
//!    a definition reference inside such a scope becomes its child, one
//!    embedded in a struct merges into that struct's scope (a struct with
//!    embeddings gets a group scope of its own). Every closed scope present
//!    at a vertex, and its ancestors, is required; a scope accepts a label
//!    if one of its struct literals declares it (field, matching pattern,
//!    `...`, dynamic field), or if all its required children accept it.
//!
//! Definitions and hidden labels are always allowed.

use super::*;
use crate::value::Kind;

/// Index of a closedness scope.
/// (1-based, so that `Option<ScopeId>` takes four bytes).
pub type ScopeId = std::num::NonZeroU32;

#[derive(Clone, Copy, Debug)]
pub(crate) struct ScopeInfo {
    pub(crate) closed: bool,
    pub(crate) parent: Option<ScopeId>,
    /// Merges into `parent` (embedding) rather than being its child.
    pub(crate) embed: bool,
}

/// Vectors `check_closed_arcs` reuses from one call to the next.
#[derive(Default)]
pub(crate) struct ClosedScratch {
    closed_eff: Vec<(ScopeId, bool)>,
    required: Vec<ScopeId>,
    declared_by: Vec<ScopeId>,
}

/// What a struct literal declared, for closedness.
#[derive(Clone, Debug)]
pub enum DeclKind {
    /// The scope contributed a struct literal (possibly empty).
    Present,
    Label(Label),
    Pattern(ExprRef, Rc<Env>),
    Any,
}

/// One declaration of a scope at a vertex.
#[derive(Clone, Debug)]
pub struct DeclRecord {
    pub scope: Option<ScopeId>,
    pub kind: DeclKind,
}

impl Evaluator {
    /// Creates a scope under `parent`; `embed` merges it into the parent.
    pub(crate) fn new_scope(
        &mut self,
        closed: bool,
        parent: Option<ScopeId>,
        embed: bool,
    ) -> ScopeId {
        self.scopes.push(ScopeInfo {
            closed,
            parent,
            embed: embed && parent.is_some(),
        });
        ScopeId::new(self.scopes.len() as u32).expect("scope count fits u32")
    }

    pub(crate) fn scope(&self, s: ScopeId) -> &ScopeInfo {
        &self.scopes[s.get() as usize - 1]
    }

    /// The scope whose declarations `s`'s count as (following embeddings).
    fn effective(&self, mut s: ScopeId) -> ScopeId {
        while self.scope(s).embed {
            match self.scope(s).parent {
                Some(p) => s = p,
                None => break,
            }
        }
        s
    }

    fn tree_parent(&self, s: ScopeId) -> Option<ScopeId> {
        self.scope(s).parent.map(|p| self.effective(p))
    }

    pub(crate) fn add_decl(&mut self, v: VertexId, info: &Info, kind: DeclKind) {
        // Open structs outside definitions need no bookkeeping.
        if info.scope.is_none() && !self.in_definition(v) {
            return;
        }
        self.vm(v).decls.push(DeclRecord {
            scope: info.scope,
            kind,
        });
    }

    /// Whether `v` is a definition or lies below one.
    pub(crate) fn in_definition(&self, v: VertexId) -> bool {
        let mut cur = Some(v);
        while let Some(c) = cur {
            let vx = self.v(c);
            if vx.label.is_def() && vx.parent.is_some() {
                return true;
            }
            cur = vx.parent;
        }
        false
    }

    fn declares(&mut self, d: &DeclRecord, label: Label) -> bool {
        match &d.kind {
            DeclKind::Present => false,
            DeclKind::Label(l) => *l == label,
            DeclKind::Any => true,
            DeclKind::Pattern(p, env) => {
                let (p, env) = (p.clone(), env.clone());
                self.label_matches(&p, &env, label)
            }
        }
    }

    /// Reports arcs of `v` that closedness does not allow.
    pub(crate) fn check_closed_arcs(&mut self, v: VertexId) {
        // A disjunction's arcs are those before expansion: each disjunct
        // is checked on its own.
        if self.v(v).decls.is_empty()
            || matches!(self.v(v).value, Value::Bottom(_) | Value::Disj(_))
        {
            return;
        }
        // A partial disjunct with disjunctions still pending is checked once
        // they are chosen: their struct alternatives may declare labels.
        if self.below_pending_disjunct(v) {
            return;
        }
        let closed_v = self.in_definition(v);
        // Scratch vectors are reused: this runs for every closed vertex.
        let mut closed_eff = std::mem::take(&mut self.closed_scratch.closed_eff);
        let mut required = std::mem::take(&mut self.closed_scratch.required);
        let mut declared_by = std::mem::take(&mut self.closed_scratch.declared_by);
        self.required_scopes(v, &mut closed_eff, &mut required);
        let mut rejected = Vec::new();
        if !required.is_empty() || closed_v {
            // By index: matching a pattern evaluates it, which needs `&mut
            // self`.
            let mut i = 0;
            while let Some(&(label, arc)) = self.v(v).arcs.get(i) {
                i += 1;
                if label.is_regular()
                    && !self.label_allowed(v, label, closed_v, &required, &mut declared_by)
                {
                    rejected.push((label, arc));
                }
            }
        }
        self.closed_scratch = ClosedScratch {
            closed_eff,
            required,
            declared_by,
        };
        for (label, arc) in rejected {
            let name = self.labels.name(label);
            let spans = self
                .v(arc)
                .conjuncts
                .first()
                .map(|c| vec![c.expr.span])
                .unwrap_or_default();
            let b = Bottom {
                code: Code::Eval,
                message: format!("field not allowed: {name}"),
                spans,
                vertex: Some(v),
                causes: Vec::new(),
            };
            self.vm(arc).value = Value::Bottom(Rc::new(b));
        }
    }

    /// Fills `required` with the closed scopes present at `v` and their
    /// ancestors (`closed_eff` is scratch space).
    fn required_scopes(
        &self,
        v: VertexId,
        closed_eff: &mut Vec<(ScopeId, bool)>,
        required: &mut Vec<ScopeId>,
    ) {
        closed_eff.clear();
        required.clear();
        // Effective scopes present and whether each is closed.
        for d in self.v(v).decls.iter() {
            if let Some(s) = d.scope {
                let e = self.effective(s);
                let c = self.scope(s).closed || self.scope(e).closed;
                match closed_eff.iter_mut().find(|(x, _)| *x == e) {
                    Some((_, entry)) => *entry |= c,
                    None => closed_eff.push((e, c)),
                }
            }
        }
        for &(e, c) in closed_eff.iter() {
            if !c {
                continue;
            }
            let mut cur = Some(e);
            while let Some(x) = cur {
                if !required.contains(&x) {
                    required.push(x);
                }
                cur = self.tree_parent(x);
            }
        }
    }

    /// Whether the regular `label` is allowed at `v`, given whether `v` is
    /// in a definition and the scopes it requires (`declared_by` is
    /// scratch space).
    fn label_allowed(
        &mut self,
        v: VertexId,
        label: Label,
        closed_v: bool,
        required: &[ScopeId],
        declared_by: &mut Vec<ScopeId>,
    ) -> bool {
        declared_by.clear();
        let mut any = false;
        // By index, cloning each record (reference counts only): matching
        // a pattern needs `&mut self`.
        let mut j = 0;
        while let Some(d) = self.v(v).decls.get(j).cloned() {
            j += 1;
            if self.declares(&d, label) {
                any = true;
                if let Some(s) = d.scope {
                    let e = self.effective(s);
                    if !declared_by.contains(&e) {
                        declared_by.push(e);
                    }
                }
            }
        }
        let mut ok = !closed_v || any;
        if ok && !required.is_empty() {
            ok = required
                .iter()
                .all(|&r| self.accepts(r, required, declared_by, 0));
        }
        ok
    }

    /// Whether closedness keeps the regular `label` out of the struct `v`
    /// for good (so a reference to it is an error, not incomplete).
    pub(crate) fn closed_rejects(&mut self, v: VertexId, label: Label) -> bool {
        if !label.is_regular() || self.v(v).decls.is_empty() {
            return false;
        }
        let closed_v = self.in_definition(v);
        let (mut closed_eff, mut required, mut declared_by) = (Vec::new(), Vec::new(), Vec::new());
        self.required_scopes(v, &mut closed_eff, &mut required);
        (closed_v || !required.is_empty())
            && !self.label_allowed(v, label, closed_v, &required, &mut declared_by)
    }

    /// Whether `v` is, or lies below, a partial disjunct that still has a
    /// disjunction to choose.
    fn below_pending_disjunct(&self, v: VertexId) -> bool {
        let mut cur = Some(v);
        while let Some(c) = cur {
            let vx = self.v(c);
            if vx.partial_disjunct && vx.next_disjunction().is_some() {
                return true;
            }
            cur = vx.parent;
        }
        false
    }

    /// A required scope accepts a label if it declares it or all its
    /// required children accept it.
    fn accepts(
        &self,
        s: ScopeId,
        required: &[ScopeId],
        declared_by: &[ScopeId],
        depth: u32,
    ) -> bool {
        if declared_by.contains(&s) {
            return true;
        }
        if depth > 64 {
            return false;
        }
        let mut any_child = false;
        for &c in required {
            if c != s && self.tree_parent(c) == Some(s) {
                any_child = true;
                if !self.accepts(c, required, declared_by, depth + 1) {
                    return false;
                }
            }
        }
        any_child
    }

    /// Whether `label` matches the pattern expression (evaluated in `env`).
    pub(crate) fn label_matches(&mut self, pattern: &ExprRef, env: &Rc<Env>, label: Label) -> bool {
        let p = self.eval_value(pattern, env);
        let s = Value::str(&self.labels.name(label));
        self.value_accepts(&p, &s)
    }

    /// Whether the atom `s` unifies with the pattern value `p`.
    pub(crate) fn value_accepts(&mut self, p: &Value, s: &Value) -> bool {
        match p {
            Value::Top => true,
            Value::Basic(k) => k.overlaps(s.kind()),
            Value::Str(_) | Value::Num(_) | Value::Bool(_) | Value::Null | Value::Bytes(_) => {
                self.atoms_equal(p, s)
            }
            Value::Bound(b) => {
                crate::value::bound_kind(b).overlaps(s.kind())
                    && matches!(self.check_bound(s, b), Ok(true))
            }
            Value::Constraint(c) => {
                c.kind.overlaps(s.kind())
                    && c.bounds
                        .iter()
                        .all(|b| matches!(self.check_bound(s, b), Ok(true)))
                    && c.validators
                        .iter()
                        .all(|x| self.check_validator(s, x, None).is_ok())
            }
            Value::Vertex(id) => {
                let id = *id;
                self.evaluate(id);
                match self.v(id).value.clone() {
                    Value::Disj(list) => list.iter().any(|(d, _)| {
                        let dv = self.v(*d).value.clone();
                        self.value_accepts(&dv, s)
                    }),
                    other => !matches!(other, Value::Vertex(_)) && self.value_accepts(&other, s),
                }
            }
            Value::Validator(_) | Value::Func(_) => self.check_validator(s, p, None).is_ok(),
            _ => s.kind() == Kind::BOTTOM,
        }
    }
}
