//! Disjunctions and defaults (spec "Disjunctions", "Default values";
//! reference `adt/disjunct.go`). A vertex with pending disjunctions is
//! expanded one disjunction at a time: for each alternative a clone of the
//! vertex (same parent and label, same conjuncts) is evaluated completely,
//! with the alternative chosen; clones that fail anywhere in their subtree
//! are dropped at once, so later disjunctions multiply only the survivors.
//! Survivors are deduplicated (a default-marked twin wins). Default modes
//! combine by `maybe < is < not`; when no marked alternative of a
//! disjunction survives, its unmarked ones count as `maybe`. One survivor
//! becomes the vertex's value; several form a `Disj`, defaults first.

use super::node::{Mode, Node};
use super::*;

struct Survivor {
    v: VertexId,
    this: Mode,
    nested: Mode,
}

impl Evaluator {
    pub(crate) fn expand_disjunctions(&mut self, n: Node) {
        let v = n.v;
        let d = &n.disjunctions[0];
        let alts = d.alts.clone();
        let span = d.span;
        let prefix: Vec<usize> = self
            .v(v)
            .choices
            .as_ref()
            .map(|c| c.as_ref().clone())
            .unwrap_or_default();
        let has_defaults = alts.iter().any(|(_, m)| *m);
        let mut survivors: Vec<Survivor> = Vec::new();
        let mut errors: Vec<Rc<Bottom>> = Vec::new();
        let mut incomplete_only = true;
        for (i, (_, marked)) in alts.iter().enumerate() {
            let mut choices = prefix.clone();
            choices.push(i);
            let w = self.new_vertex(self.v(v).parent, self.v(v).label);
            let conjs = self.v(v).conjuncts.clone();
            {
                let wx = self.vm(w);
                wx.conjuncts = conjs;
                wx.detached = true;
                wx.choices = Some(Rc::new(choices));
            }
            self.finalize(w);
            if let Some(e) = self.subtree_error(w) {
                if !e.is_incomplete() {
                    incomplete_only = false;
                    errors.push(e);
                    continue;
                }
            }
            let this = if has_defaults {
                if *marked {
                    Mode::Is
                } else {
                    Mode::Not
                }
            } else {
                Mode::Maybe
            };
            match self.v(w).value.clone() {
                Value::Disj(list) => {
                    for (x, def) in list.iter() {
                        let nested = if *def { Mode::Is } else { self.mode_of(*x) };
                        survivors.push(Survivor {
                            v: *x,
                            this,
                            nested,
                        });
                    }
                }
                _ => {
                    let nested = self.clone_mode(w);
                    survivors.push(Survivor { v: w, this, nested });
                }
            }
        }
        if has_defaults && !survivors.iter().any(|s| s.this == Mode::Is) {
            for s in &mut survivors {
                s.this = Mode::Maybe;
            }
        }
        // Deduplicate.
        let mut kept: Vec<(VertexId, Mode)> = Vec::new();
        for s in survivors {
            let mode = s.this.max(s.nested);
            let mut dup = false;
            for k in kept.iter_mut() {
                if self.vertices_equal(k.0, s.v) {
                    dup = true;
                    if mode == Mode::Is && k.1 != Mode::Is {
                        k.1 = Mode::Is;
                    }
                    break;
                }
            }
            if !dup {
                kept.push((s.v, mode));
            }
        }
        for (k, m) in &kept {
            self.set_mode(*k, *m);
        }
        let value = match kept.len() {
            0 => {
                let _ = incomplete_only;
                if errors.len() == 1 {
                    Value::Bottom(errors[0].clone())
                } else {
                    let msg = if errors.is_empty() {
                        "empty disjunction".to_string()
                    } else {
                        let mut m = format!("{} errors in empty disjunction:", errors.len());
                        for e in &errors {
                            m.push('\n');
                            m.push_str(&e.message);
                        }
                        m
                    };
                    let code = if errors.iter().all(|e| e.is_incomplete()) && !errors.is_empty() {
                        Code::Incomplete
                    } else {
                        Code::Eval
                    };
                    Value::Bottom(Rc::new(Bottom {
                        code,
                        message: msg,
                        spans: vec![span],
                        vertex: Some(v),
                    }))
                }
            }
            1 => {
                let w = kept[0].0;
                self.adopt(v, w);
                self.set_mode(v, kept[0].1);
                return;
            }
            _ => {
                let mut list: Vec<(VertexId, bool)> =
                    kept.iter().map(|(x, m)| (*x, *m == Mode::Is)).collect();
                // Defaults move to the front by swapping, as the reference does.
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
        vx.partial = None;
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
                wx.incomplete_exprs.clone(),
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
        vx.incomplete_exprs = inc;
        vx.partial = None;
        vx.status = Status::ArcsReady;
    }

    fn clone_mode(&self, w: VertexId) -> Mode {
        self.mode_of(w)
    }

    fn mode_of(&self, w: VertexId) -> Mode {
        self.modes.get(&w).copied().unwrap_or(Mode::Maybe)
    }

    fn set_mode(&mut self, w: VertexId, m: Mode) {
        self.modes.insert(w, m);
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
