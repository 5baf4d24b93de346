//! Incremental re-evaluation after values are filled in (the plan engine
//! fills each component's exported values back and evaluates again).
//!
//! A fresh evaluation of the program with the new values is made each time
//! (so the result is the one a from-scratch evaluation gives), but only
//! the top-level fields that can have changed are finalized in it; the
//! caller keeps what it took from the previous evaluation for the others.
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
//! not be attributed, falls back to finalizing everything.

use crate::api::Evaluated;
use crate::compile::ir::{Decl, ExprKind};
use crate::data::Data;
use crate::errors::Error;
use crate::program::Compiled;
use crate::value::Label;
use crate::view::PathSeg;
use std::collections::{BTreeSet, HashMap};

/// A compiled program evaluated incrementally as values are filled in.
pub struct Incremental {
    compiled: Compiled,
    evaluated: Evaluated,
    /// Top-level labels in arc order, as of the last evaluation.
    order: Vec<Label>,
    /// Per top-level field: the fingerprint of its last finalization.
    fingerprints: HashMap<Label, u128>,
    /// Per top-level field: the top-level fields its evaluation read.
    reads: HashMap<Label, BTreeSet<Label>>,
    /// Fields finalized in the last evaluation (their reads are taken
    /// from that evaluation's record instead of merged into the old ones).
    refreshed: BTreeSet<Label>,
    /// Top-level labels filled since the last evaluation.
    pending: BTreeSet<Label>,
    /// The top level has a shape whose fields are independent of values.
    eligible: bool,
    /// Incremental evaluation is on (off: every evaluation is in full, as
    /// a reference for tests).
    enabled: bool,
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
    /// again; every other field is as it was in the previous evaluation.
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
            fingerprints: HashMap::new(),
            reads: HashMap::new(),
            refreshed: BTreeSet::new(),
            pending: BTreeSet::new(),
            eligible,
            enabled: true,
            finalized: Vec::new(),
        };
        inc.full();
        inc
    }

    /// The current evaluation. Fields left out of the last [`Update`] are
    /// not evaluated in it beyond what the others needed: read them from
    /// the previous evaluation.
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

    /// Evaluates everything again (after changing secrets or limits).
    pub fn evaluate_all(&mut self) {
        self.evaluated = self.compiled.evaluate();
        self.full();
    }

    /// Unifies `value` at `path` (see [`Compiled::fill`]); takes effect at
    /// the next [`Incremental::evaluate`].
    pub fn fill(&mut self, path: &[PathSeg], value: &Data) -> Result<(), Error> {
        self.compiled.fill(path, value)?;
        match path.first() {
            Some(PathSeg::Field(name)) => {
                let label = self.compiled.label_of(name);
                self.pending.insert(label);
            }
            // Filling the root itself touches every field.
            _ => self.eligible = false,
        }
        Ok(())
    }

    /// Evaluates again with the values filled since the last evaluation.
    pub fn evaluate(&mut self) -> Update {
        self.harvest_reads();
        let untracked = self
            .evaluated
            .with_evaluator(|ev| ev.tracker().is_none_or(|t| t.untracked));
        if !self.eligible || !self.enabled || untracked {
            self.evaluated = self.compiled.evaluate();
            self.full();
            return Update::Full;
        }
        let evaluated = self.compiled.evaluate();
        let root = evaluated.root_vertex();
        let arcs = evaluated.with_evaluator(|ev| {
            ev.start_tracking(root);
            ev.evaluate(root);
            ev.v(root).arcs.iter().copied().collect::<Vec<_>>()
        });
        let order: Vec<Label> = arcs.iter().map(|(l, _)| *l).collect();
        if order != self.order {
            // A fill added a top-level field.
            self.evaluated = evaluated;
            self.full();
            return Update::Full;
        }
        self.evaluated = evaluated;
        let index: HashMap<Label, usize> = order.iter().enumerate().map(|(i, l)| (*l, i)).collect();
        let mut work: BTreeSet<usize> = std::mem::take(&mut self.pending)
            .iter()
            .filter_map(|l| index.get(l).copied())
            .collect();
        let mut done: BTreeSet<usize> = BTreeSet::new();
        while let Some(i) = work.pop_first() {
            done.insert(i);
            let (label, v) = arcs[i];
            let fp = self.evaluated.with_evaluator(|ev| {
                if let Some(t) = ev.tracker_mut() {
                    t.owner = Some(label);
                }
                ev.finalize(v);
                if let Some(t) = ev.tracker_mut() {
                    t.owner = None;
                }
                ev.fingerprint(root, v)
            });
            let changed = self.fingerprints.get(&label) != Some(&fp);
            self.fingerprints.insert(label, fp);
            if !changed {
                continue;
            }
            for (reader, read) in &self.reads {
                if read.contains(&label) {
                    if let Some(&j) = index.get(reader) {
                        if !done.contains(&j) {
                            work.insert(j);
                        }
                    }
                }
            }
        }
        self.finalized.push(done.len());
        self.refreshed = done.iter().map(|&i| order[i]).collect();
        Update::Fields(
            self.evaluated
                .with_evaluator(|ev| done.iter().map(|&i| ev.labels.name(order[i])).collect()),
        )
    }

    /// Finalizes every top-level field of the current evaluation, recording
    /// fingerprints and reads anew.
    fn full(&mut self) {
        self.pending.clear();
        let root = self.evaluated.root_vertex();
        let (order, fingerprints) = self.evaluated.with_evaluator(|ev| {
            ev.start_tracking(root);
            ev.evaluate(root);
            let arcs: Vec<_> = ev.v(root).arcs.iter().copied().collect();
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
            (arcs.iter().map(|(l, _)| *l).collect::<Vec<_>>(), fps)
        });
        self.finalized.push(order.len());
        self.refreshed = order.iter().copied().collect();
        self.reads.clear();
        self.order = order;
        self.fingerprints = fingerprints;
    }

    /// Takes the reads the last evaluation recorded (including those made
    /// while the caller read its values): fields it finalized get their
    /// new reads; the others keep theirs, plus any made lazily.
    fn harvest_reads(&mut self) {
        let recorded: HashMap<Label, BTreeSet<Label>> = self
            .evaluated
            .with_evaluator(|ev| ev.tracker().map(|t| t.reads.clone()).unwrap_or_default());
        for l in &self.refreshed {
            self.reads.remove(l);
        }
        for (reader, read) in recorded {
            self.reads.entry(reader).or_default().extend(read);
        }
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
