//! Disjunctions and defaults (spec "Disjunctions", "Default values";
//! reference `adt/disjunct.go`). A vertex with pending disjunctions is
//! expanded breadth-first, one disjunction at a time: every surviving
//! partial result is cloned once per alternative (same parent, label and
//! conjuncts, with the alternatives chosen so far) and evaluated completely
//! except for the disjunctions still pending; clones that fail anywhere in
//! their subtree are dropped at once and equal partial results are merged,
//! so the work stays proportional to the number of distinct survivors.
//! Default modes combine by `maybe < is < not`; when no marked alternative
//! of a disjunction survives, its unmarked ones count as `maybe`. One
//! survivor becomes the vertex's value; several form a `Disj`, defaults
//! first (moved there by swapping, as the reference does).

use super::closedness::DeclKind;
use super::node::{Mode, Node};
use super::*;
use crate::compile::ir::{Decl, ExprKind, StructLit};

/// The alternatives of a disjunction with their default marks.
type Alts = Rc<Vec<(ExprRef, bool)>>;

/// Bound on partial results kept per step (guards pathological inputs).
const MAX_SURVIVORS: usize = 4096;

impl Evaluator {
    fn disjunct_clone(&mut self, v: VertexId, choices: Vec<usize>) -> VertexId {
        let w = self.new_vertex(self.v(v).parent, self.v(v).label);
        let conjs = self.v(v).conjuncts.clone();
        let wx = self.vm(w);
        wx.conjuncts = conjs;
        wx.detached = true;
        let extra = wx.extra_mut();
        extra.choices = Some(Rc::new(choices));
        extra.disjunct_of = Some(v);
        wx.partial_disjunct = true;
        w
    }

    pub(crate) fn expand_disjunctions(&mut self, n: &mut Node) {
        // Alternatives that surely fail are skipped, unless nothing else
        // survives: then all are tried, for the full error message.
        if !self.expand_disjunctions_with(n, true) {
            self.expand_disjunctions_with(n, false);
        }
    }

    /// Expands `n`'s disjunctions into `n.v`'s value. With `prefilter`,
    /// skips alternatives [`Self::surely_conflicts`] rejects, and returns
    /// false (changing nothing) if it skipped some and none survived.
    fn expand_disjunctions_with(&mut self, n: &mut Node, prefilter: bool) -> bool {
        let v = n.v;
        let mut skipped = false;
        let span = n.disjunctions[0].span;
        let mut level: Vec<(Vec<usize>, Alts)> = vec![(Vec::new(), n.disjunctions[0].alts.clone())];
        let mut done: Vec<VertexId> = Vec::new();
        let mut errors: Vec<Rc<Bottom>> = Vec::new();
        while !level.is_empty() {
            let mut next: Vec<VertexId> = Vec::new();
            for (prefix, alts) in &level {
                for i in 0..alts.len() {
                    if prefilter && self.surely_conflicts(v, &alts[i].0) {
                        skipped = true;
                        continue;
                    }
                    let mut choices = prefix.clone();
                    choices.push(i);
                    let w = self.disjunct_clone(v, choices);
                    self.finalize(w);
                    if let Some(e) = self.subtree_error(w) {
                        if !e.is_incomplete() {
                            errors.push(e);
                            self.discard(w);
                            continue;
                        }
                    }
                    // Merge with an equal partial result that has the same
                    // disjunctions pending.
                    let mut dup = false;
                    for &k in &next {
                        // All pending disjunctions must be the same: a
                        // chosen alternative may have brought more.
                        let (pk, pw) = (
                            self.v(k).pending_disjunctions(),
                            self.v(w).pending_disjunctions(),
                        );
                        let same_next = pk.len() == pw.len()
                            && pk.iter().zip(pw.iter()).all(|(a, b)| Rc::ptr_eq(a, b));
                        if same_next && self.same_decls(k, w) && self.vertices_equal(k, w) {
                            dup = true;
                            if marked_count(self.v(w).choice_modes())
                                > marked_count(self.v(k).choice_modes())
                            {
                                let m = self.v(w).choice_modes().to_vec();
                                self.vm(k).extra_mut().choice_modes = m;
                            }
                            break;
                        }
                    }
                    if !dup && next.len() < MAX_SURVIVORS {
                        next.push(w);
                    } else {
                        self.discard(w);
                    }
                }
            }
            level = Vec::new();
            for w in next {
                match self.v(w).next_disjunction().cloned() {
                    Some(alts) => {
                        let choices = self.v(w).choices().map(|c| c.to_vec()).unwrap_or_default();
                        level.push((choices, alts));
                        self.discard(w);
                    }
                    None => done.push(w),
                }
            }
        }
        // A disjunct whose own value is an incomplete error (`_a + 1` with
        // `_a: int`) is dropped when another one is left, as the reference
        // does; one with an incomplete field (`{v: _a + 1}`) stays.
        if done.iter().any(|&w| !self.incomplete_value(w)) {
            let mut dropped = Vec::new();
            done.retain(|&w| {
                let drop = self.incomplete_value(w);
                if drop {
                    dropped.push(w);
                }
                !drop
            });
            for w in dropped {
                self.discard(w);
            }
        }
        // Default modes, level by level.
        let depth = done
            .iter()
            .map(|&w| self.v(w).choice_modes().len())
            .max()
            .unwrap_or(0);
        let level_counts =
            Mode::marked_levels(depth, done.iter().map(|&w| self.v(w).choice_modes()));
        let mut kept: Vec<(VertexId, Mode)> = Vec::new();
        for w in done {
            let mode = Mode::of_choices(self.v(w).choice_modes(), &level_counts);
            // A nested disjunction value keeps its own defaults.
            if let Value::Disj(list) = self.v(w).value.clone() {
                for (x, d) in list.iter() {
                    let m = if *d {
                        mode.max(Mode::Is)
                    } else {
                        mode.max(Mode::Not)
                    };
                    push_dedup(self, &mut kept, *x, m);
                }
                continue;
            }
            push_dedup(self, &mut kept, w, mode);
        }
        let value = match kept.len() {
            0 if skipped => return false,
            0 => {
                if errors.len() == 1 {
                    Value::Bottom(errors[0].clone())
                } else {
                    // As the reference: a header, then each alternative's
                    // error with its own path and position.
                    let (message, spans) = if errors.is_empty() {
                        ("empty disjunction".to_string(), vec![span])
                    } else {
                        (
                            format!("{} errors in empty disjunction:", errors.len()),
                            vec![],
                        )
                    };
                    Value::Bottom(Rc::new(Bottom {
                        code: Code::Eval,
                        message,
                        spans,
                        vertex: Some(v),
                        causes: errors,
                    }))
                }
            }
            1 => {
                self.adopt(v, kept[0].0);
                return true;
            }
            _ => {
                let mut list: Vec<(VertexId, bool)> =
                    kept.iter().map(|(x, m)| (*x, *m == Mode::Is)).collect();
                let mut next = 0;
                for i in 0..list.len() {
                    if list[i].1 {
                        list.swap(next, i);
                        next += 1;
                    }
                }
                Value::Disj(Rc::new(list))
            }
        };
        let vx = self.vm(v);
        vx.value = value;
        vx.status = Status::ArcsReady;
        true
    }

    /// Whether the value of `w` is an incomplete error (not a cycle).
    fn incomplete_value(&self, w: VertexId) -> bool {
        matches!(&self.v(w).value, Value::Bottom(b) if b.code == Code::Incomplete)
    }

    /// Whether the alternative `alt` surely fails at `v`: it is a struct
    /// literal setting a regular field to an atom that conflicts with the
    /// atom a struct literal among `v`'s own conjuncts sets the same field
    /// to. Every disjunct clone starts from `v`'s conjuncts, so that field
    /// is bottom in the clone whatever else happens (fields from
    /// comprehensions or references are not looked at).
    fn surely_conflicts(&self, v: VertexId, alt: &ExprRef) -> bool {
        let ExprKind::Struct(alt_lit) = &alt.kind else {
            return false;
        };
        for (label, value) in atom_fields(alt_lit) {
            for c in self.v(v).conjuncts.iter() {
                let ExprKind::Struct(lit) = &c.expr.kind else {
                    continue;
                };
                if atom_fields(lit).any(|(l, x)| l == label && atoms_conflict(value, x)) {
                    return true;
                }
            }
        }
        false
    }

    /// Frees the conjuncts, arcs and declarations of a dropped disjunct
    /// clone and of the arcs it owns, so that the memory is reused. Only
    /// parent and label stay (error paths need them).
    fn discard(&mut self, w: VertexId) {
        let mut stack = vec![w];
        while let Some(x) = stack.pop() {
            let vx = self.vm(x);
            let arcs = std::mem::take(&mut vx.arcs);
            vx.conjuncts = Vec::new();
            vx.structs.clear();
            vx.decls.clear();
            vx.constraints.clear();
            if let Some(e) = vx.extra.as_mut() {
                e.arc_index = None;
            }
            for (_, a) in &arcs {
                if self.v(*a).parent == Some(x) {
                    stack.push(*a);
                }
            }
        }
    }

    /// `v` takes over the evaluated state of the disjunct `w`.
    fn adopt(&mut self, v: VertexId, w: VertexId) {
        let (value, arcs, structs, decls, constraints, list_open, inc) = {
            let wx = self.v(w);
            (
                wx.value.clone(),
                wx.arcs.clone(),
                wx.structs.clone(),
                wx.decls.clone(),
                wx.constraints.clone(),
                wx.list_open,
                wx.incomplete_exprs().to_vec(),
            )
        };
        self.clear_arcs(v);
        for (l, a) in arcs {
            self.push_arc(v, l, a);
        }
        let vx = self.vm(v);
        vx.value = value;
        vx.structs = structs;
        vx.decls = decls;
        vx.constraints = constraints;
        vx.list_open = list_open;
        if !inc.is_empty() {
            vx.extra_mut().incomplete_exprs = inc;
        } else if let Some(x) = vx.extra.as_mut() {
            x.incomplete_exprs.clear();
        }
        vx.status = Status::ArcsReady;
    }

    /// Whether two partial results declare the same labels (closedness is
    /// checked later, so equal values may still differ in what they allow).
    fn same_decls(&self, a: VertexId, b: VertexId) -> bool {
        let (da, db) = (&self.v(a).decls, &self.v(b).decls);
        da.len() == db.len()
            && da.iter().zip(db.iter()).all(|(x, y)| {
                x.scope == y.scope
                    && match (&x.kind, &y.kind) {
                        (DeclKind::Present, DeclKind::Present) | (DeclKind::Any, DeclKind::Any) => {
                            true
                        }
                        (DeclKind::Label(l), DeclKind::Label(m)) => l == m,
                        (DeclKind::Pattern(p, _), DeclKind::Pattern(q, _)) => Rc::ptr_eq(p, q),
                        _ => false,
                    }
            })
    }

    /// The most severe error in `v`'s subtree (permanent errors first).
    pub(crate) fn subtree_error(&self, v: VertexId) -> Option<Rc<Bottom>> {
        let mut found: Option<Rc<Bottom>> = None;
        let mut stack = vec![v];
        while let Some(x) = stack.pop() {
            let vx = self.v(x);
            if let Value::Bottom(b) = &vx.value {
                if !b.is_incomplete() {
                    return Some(b.clone());
                }
                if x == v && found.is_none() {
                    found = Some(b.clone());
                }
            }
            for (_, a) in &vx.arcs {
                if self.v(*a).parent == Some(x) || x == v {
                    stack.push(*a);
                }
            }
        }
        found
    }
}

/// The regular fields of a struct literal whose value is an atom literal.
fn atom_fields(lit: &StructLit) -> impl Iterator<Item = (Label, &ExprRef)> {
    lit.decls.iter().filter_map(|d| match d {
        Decl::Field {
            label,
            optional: false,
            value,
            ..
        } if label.is_regular() && atom_kind(value).is_some() => Some((*label, value)),
        _ => None,
    })
}

/// The kind of an atom literal (numbers left out: `1 & 1.0` needs the
/// number rules).
fn atom_kind(e: &ExprRef) -> Option<u8> {
    match e.kind {
        ExprKind::Null => Some(0),
        ExprKind::Bool(_) => Some(1),
        ExprKind::Str(_) => Some(2),
        ExprKind::Bytes(_) => Some(3),
        _ => None,
    }
}

/// Whether two atom literals cannot unify.
fn atoms_conflict(a: &ExprRef, b: &ExprRef) -> bool {
    match (&a.kind, &b.kind) {
        (ExprKind::Bool(x), ExprKind::Bool(y)) => x != y,
        (ExprKind::Str(x), ExprKind::Str(y)) => x != y,
        (ExprKind::Bytes(x), ExprKind::Bytes(y)) => x != y,
        _ => atom_kind(a) != atom_kind(b),
    }
}

fn marked_count(modes: &[(bool, bool)]) -> usize {
    modes.iter().filter(|(_, m)| *m).count()
}

fn push_dedup(ev: &mut Evaluator, kept: &mut Vec<(VertexId, Mode)>, w: VertexId, mode: Mode) {
    for k in kept.iter_mut() {
        if ev.vertices_equal(k.0, w) {
            if mode == Mode::Is {
                k.1 = Mode::Is;
            }
            return;
        }
    }
    kept.push((w, mode));
}
