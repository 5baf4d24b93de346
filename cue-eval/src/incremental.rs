//! Incremental re-evaluation after values are filled in (the plan engine
//! fills each component's exported values back and evaluates again).
//!
//! The evaluator is kept from one evaluation to the next. Each top-level
//! field that can have changed gets a new vertex in place of its old one,
//! holding the field's conjuncts from the program plus the values filled
//! (exactly the conjuncts a from-scratch evaluation would give it), and is
//! finalized; the other fields keep their vertices and values, and the
//! caller keeps what it took from them. So a fill costs the fields it
//! reaches, not the size of the plan.
//!
//! Which fields can have changed: those filled, then, transitively, the
//! fields that read a field whose value came out different. "Read" is
//! recorded while evaluating (see `eval/track.rs`: every reference goes
//! through one place); "different" is a comparison of fingerprints of the
//! finalized field (see `eval/fingerprint.rs`), so propagation stops where
//! a value does not change (on a chain `cI` interpolating `cI-1`, filling
//! `c3` changes `c3` and the ops of `c4`, while `c5` still waits on `c4`'s
//! own export: three fields are evaluated, not the rest of the chain).
//!
//! Only a main instance made of plain regular fields at the top level is
//! handled this way (no embedding, pattern, optional or dynamic field, or
//! comprehension at the top level, whose result depends on values);
//! anything else, a fill that adds a top-level field, or a read that could
//! not be attributed, falls back to a fresh evaluation of everything. So
//! does an arena grown to several times its size after the last fresh
//! evaluation (replaced vertices are not reclaimed), which keeps memory
//! bounded and the cost amortized.

use crate::api::Evaluated;
use crate::compile::ir::{Decl, ExprKind, ExprRef};
use crate::data::Data;
use crate::errors::Error;
use crate::eval::{Conjunct, Env, Info};
use crate::program::Compiled;
use crate::value::Label;
use crate::view::PathSeg;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

/// A compiled program evaluated incrementally as values are filled in.
pub struct Incremental {
    compiled: Compiled,
    evaluated: Evaluated,
    /// Top-level labels in arc order.
    order: Vec<Label>,
    /// Arc index of each top-level label.
    index: HashMap<Label, usize>,
    /// Per top-level field: the fingerprint of its last finalization.
    fingerprints: HashMap<Label, u128>,
    /// Per top-level field: its conjuncts as the root's evaluation gave
    /// them, then the values filled since.
    base: HashMap<Label, Vec<Conjunct>>,
    /// Values filled since the last evaluation: the top-level label, the
    /// expression of its value, and the labels of the filled struct.
    pending: Vec<(Label, ExprRef, Rc<[Label]>)>,
    /// The top level has a shape whose fields are independent of values.
    eligible: bool,
    /// Incremental evaluation is on (off: every evaluation is in full, as
    /// a reference for tests).
    enabled: bool,
    /// Arena size after the last fresh evaluation.
    full_size: usize,
    /// How many top-level fields each evaluation finalized (for tests and
    /// benchmarks).
    finalized: Vec<usize>,
}

/// What an evaluation changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Update {
    /// Everything was evaluated again: take the whole new value.
    Full,
    /// Only these top-level fields (names, in field order) were evaluated
    /// again; every other field is as it was.
    Fields(Vec<String>),
}

impl Incremental {
    /// Evaluates `compiled` in full (every top-level field finalized).
    pub fn new(compiled: Compiled) -> Incremental {
        let eligible = plain_top_level(&compiled);
        let evaluated = compiled.evaluate();
        let mut inc = Incremental {
            compiled,
            evaluated,
            order: Vec::new(),
            index: HashMap::new(),
            fingerprints: HashMap::new(),
            base: HashMap::new(),
            pending: Vec::new(),
            eligible,
            enabled: true,
            full_size: 0,
            finalized: Vec::new(),
        };
        inc.full();
        inc
    }

    /// The current evaluation.
    pub fn evaluated(&self) -> &Evaluated {
        &self.evaluated
    }

    /// The compiled program (to set secrets or limits before evaluating).
    pub fn compiled_mut(&mut self) -> &mut Compiled {
        &mut self.compiled
    }

    /// Turns incremental evaluation on or off (off: every evaluation
    /// finalizes everything, the reference behaviour).
    pub fn set_incremental(&mut self, on: bool) {
        self.enabled = on;
    }

    /// How many top-level fields each evaluation so far finalized.
    pub fn finalized_counts(&self) -> &[usize] {
        &self.finalized
    }

    /// Evaluates everything again, afresh (after changing secrets or
    /// limits).
    pub fn evaluate_all(&mut self) {
        self.evaluated = self.compiled.evaluate();
        self.full();
    }

    /// Unifies `value` at `path` (see [`Compiled::fill`]); takes effect at
    /// the next [`Incremental::evaluate`].
    pub fn fill(&mut self, path: &[PathSeg], value: &Data) -> Result<(), Error> {
        self.compiled.fill(path, value)?;
        // The kept evaluator has interned labels of its own since it was
        // seeded (dynamic fields): the value is built with its table.
        let expr = self
            .evaluated
            .with_evaluator(|ev| crate::program::fill_expr(&mut ev.labels, path, value))?;
        let added = match &expr.kind {
            ExprKind::Struct(s) if !path.is_empty() => match s.decls.first() {
                Some(Decl::Field { label, value, .. }) => {
                    Some((*label, value.clone(), s.field_labels.clone()))
                }
                _ => None,
            },
            _ => None,
        };
        match added {
            Some(p) => self.pending.push(p),
            // Filling the root itself touches every field.
            None => self.eligible = false,
        }
        Ok(())
    }

    /// Evaluates again with the values filled since the last evaluation.
    pub fn evaluate(&mut self) -> Update {
        let (untracked, size) = self
            .evaluated
            .with_evaluator(|ev| (ev.tracker().is_none_or(|t| t.untracked), ev.vertices.len()));
        if !self.eligible || !self.enabled || untracked || size > 4 * self.full_size + 50_000 {
            return self.fresh();
        }
        match self.step() {
            Some(names) => Update::Fields(names),
            None => self.fresh(),
        }
    }

    /// A fresh evaluation of everything.
    fn fresh(&mut self) -> Update {
        self.pending.clear();
        self.evaluate_all();
        Update::Full
    }

    /// Evaluates the filled fields and what their changes reach in the
    /// kept evaluator; `None` if that cannot be done (then the evaluator
    /// is left half done: evaluate afresh).
    fn step(&mut self) -> Option<Vec<String>> {
        let pending = std::mem::take(&mut self.pending);
        let Incremental {
            evaluated,
            order,
            index,
            fingerprints,
            base,
            finalized,
            ..
        } = self;
        evaluated.with_evaluator(|ev| {
            ev.restart_clock();
            let root = *ev.tracker()?.main_root.as_ref()?;
            let root_env = ev.v(root).conjuncts.first()?.env.clone();
            let mut work: BTreeSet<usize> = BTreeSet::new();
            for (label, expr, labels) in pending {
                // A fill that adds a top-level field changes the root.
                let i = *index.get(&label)?;
                // As the root's evaluation binds the fields of a struct
                // literal: in a new environment for the literal, with the
                // root's (default) conjunct info.
                base.get_mut(&label)?.push(Conjunct {
                    expr,
                    env: Rc::new(Env {
                        up: Some(root_env.clone()),
                        vertex: root,
                        dyn_label: None,
                    }),
                    info: Info::default(),
                });
                ev.add_struct_labels(root, labels);
                work.insert(i);
            }
            for &i in &work {
                ev.replace_field(root, order[i], base.get(&order[i])?.clone())?;
            }
            let mut touched: BTreeSet<usize> = BTreeSet::new();
            let mut refreshes = work.len();
            while let Some(i) = work.pop_first() {
                touched.insert(i);
                let label = order[i];
                let v = ev.arc(root, label)?;
                ev.tracker_mut()?.owner = Some(label);
                ev.finalize(v);
                ev.tracker_mut()?.owner = None;
                let fp = ev.fingerprint(root, v);
                if fingerprints.insert(label, fp) == Some(fp) {
                    continue;
                }
                ev.forget_lets_reading(label);
                for reader in ev.tracker()?.readers_of(label) {
                    if reader == label {
                        continue;
                    }
                    let j = *index.get(&reader)?;
                    ev.replace_field(root, reader, base.get(&reader)?.clone())?;
                    work.insert(j);
                    refreshes += 1;
                }
                // Values that keep changing each other: give up.
                if refreshes > 4 * order.len() + 16 {
                    return None;
                }
            }
            if ev.tracker()?.untracked {
                return None;
            }
            finalized.push(touched.len());
            Some(touched.iter().map(|&i| ev.labels.name(order[i])).collect())
        })
    }

    /// Finalizes every top-level field of the current (fresh) evaluation,
    /// recording conjuncts, fingerprints and reads anew.
    fn full(&mut self) {
        self.pending.clear();
        let root = self.evaluated.root_vertex();
        let (order, fingerprints, base, size) = self.evaluated.with_evaluator(|ev| {
            ev.start_tracking(root);
            ev.evaluate(root);
            let arcs: Vec<_> = ev.v(root).arcs.iter().copied().collect();
            let base: HashMap<Label, Vec<Conjunct>> = arcs
                .iter()
                .map(|(l, a)| (*l, ev.v(*a).conjuncts.clone()))
                .collect();
            let mut fps = HashMap::new();
            for (l, a) in &arcs {
                if let Some(t) = ev.tracker_mut() {
                    t.owner = Some(*l);
                }
                ev.finalize(*a);
                fps.insert(*l, ev.fingerprint(root, *a));
            }
            if let Some(t) = ev.tracker_mut() {
                t.owner = None;
            }
            ev.finalize(root);
            let order: Vec<Label> = arcs.iter().map(|(l, _)| *l).collect();
            (order, fps, base, ev.vertices.len())
        });
        self.finalized.push(order.len());
        self.index = order.iter().enumerate().map(|(i, l)| (*l, i)).collect();
        self.order = order;
        self.fingerprints = fingerprints;
        self.base = base;
        self.full_size = size;
    }
}

/// Whether every top-level declaration of the main instance is a plain
/// regular (or definition, or hidden) field with a static label.
fn plain_top_level(compiled: &Compiled) -> bool {
    compiled.main_exprs().iter().all(|e| match &e.kind {
        ExprKind::Struct(s) => {
            !s.has_embed
                && s.decls.iter().all(|d| {
                    matches!(
                        d,
                        Decl::Field {
                            optional: false,
                            ..
                        }
                    )
                })
        }
        _ => false,
    })
}
