//! Closedness (spec "Closed structs", "Definitions"; reference
//! `adt/closed.go`). Every conjunct carries a scope: a reference to a
//! definition (or `close()`, or a vertex labelled `#x`) opens a new closed
//! scope; fields of its struct literals inherit it, so everything below a
//! definition is closed. An embedded definition's scope merges into the
//! scope of the struct embedding it (a struct with embeddings gets a group
//! scope of its own). A regular label of a vertex is allowed if, for every
//! root scope that is closed (or has a closed scope merged in), some struct
//! literal of that root declares it: as a field, by a matching pattern, by
//! `...`, or as a dynamic field. Definitions and hidden labels are always
//! allowed.

use super::*;
use crate::value::Kind;

/// Index of a closedness scope.
pub type ScopeId = u32;

#[derive(Clone, Copy, Debug)]
pub(crate) struct ScopeInfo {
    closed: bool,
    parent: Option<ScopeId>,
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
    pub scope: ScopeId,
    pub kind: DeclKind,
}

impl Evaluator {
    /// Creates a scope; `parent` is the scope it merges into (embedding).
    pub(crate) fn new_scope(&mut self, closed: bool, parent: Option<ScopeId>) -> ScopeId {
        self.scopes.push(ScopeInfo { closed, parent });
        (self.scopes.len() - 1) as ScopeId
    }

    fn root_scope(&self, mut s: ScopeId) -> ScopeId {
        while let Some(p) = self.scopes[s as usize].parent {
            s = p;
        }
        s
    }

    pub(crate) fn add_decl(&mut self, v: VertexId, info: &Info, kind: DeclKind) {
        if let Some(s) = info.scope {
            self.vm(v).decls.push(DeclRecord { scope: s, kind });
        }
    }

    /// Reports arcs of `v` that no closed scope allows.
    pub(crate) fn check_closed_arcs(&mut self, v: VertexId) {
        if self.v(v).decls.is_empty() || matches!(self.v(v).value, Value::Bottom(_)) {
            return;
        }
        let decls = self.v(v).decls.clone();
        // Roots that impose closedness.
        let mut required: Vec<ScopeId> = Vec::new();
        for d in &decls {
            if self.scopes[d.scope as usize].closed {
                let r = self.root_scope(d.scope);
                if !required.contains(&r) {
                    required.push(r);
                }
            }
        }
        if required.is_empty() {
            return;
        }
        let arcs = self.v(v).arcs.clone();
        for (label, arc) in arcs {
            if !label.is_regular() {
                continue;
            }
            for &r in &required {
                let mut ok = false;
                for d in &decls {
                    if self.root_scope(d.scope) != r {
                        continue;
                    }
                    ok = match &d.kind {
                        DeclKind::Present => false,
                        DeclKind::Label(l) => *l == label,
                        DeclKind::Any => true,
                        DeclKind::Pattern(p, env) => self.label_matches(p, env, label),
                    };
                    if ok {
                        break;
                    }
                }
                if !ok {
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
                    };
                    self.vm(arc).value = Value::Bottom(Rc::new(b));
                    break;
                }
            }
        }
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
