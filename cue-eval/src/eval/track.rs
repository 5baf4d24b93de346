//! Read tracking for incremental re-evaluation (see `crate::incremental`):
//! which top-level fields of the main instance the evaluation of each
//! top-level field looked at.
//!
//! Every way a vertex observes another one goes through
//! [`Evaluator::resolve`] (field and dynamic references, `let`s, vertices
//! held by expressions); selectors and indexes then walk arcs of a vertex
//! already resolved. So a read is noted there: the *target* is the top-level
//! field above the resolved vertex, the *reader* the top-level field above
//! the innermost vertex being evaluated. A reader is the vertex evaluating,
//! not the field being finalized, because a vertex evaluated lazily on
//! behalf of another field keeps what it computed: its own field must
//! depend on what it read.
//!
//! `let` values are shared by every reader of the same scope (the evaluator
//! caches them), so the reads made while evaluating one are kept with it and
//! passed on to each field that resolves it, even later.
//!
//! Anything that cannot be attributed (a read with no main-instance vertex
//! being evaluated and no owner set, a reference to the root itself) marks
//! the evaluation as untracked: the caller must not reuse it.

use super::*;
use std::collections::{BTreeSet, HashSet};

/// How deep an evaluation stack, or a vertex's chain of parents, may get
/// while reads are tracked. Plans are shallow; finding the reader of a
/// read walks both, so a deep recursion (which ends at the depth limit
/// anyway) would make every read cost its depth, and the evaluation its
/// square. Past this depth the evaluation is marked untracked instead: the
/// next fill evaluates afresh, which is always correct.
const TRACK_DEPTH: usize = 256;

/// Where a vertex sits.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Top {
    /// Under the main root's field with this label.
    Field(Label),
    /// The main root itself.
    Root,
    /// Under a `let` vertex (cached, shared by its scope's readers).
    Let(VertexId),
    /// Under an imported package, or some other detached vertex.
    Other,
    /// Deeper than [`TRACK_DEPTH`] below its top: not worth finding.
    Deep,
}

/// What the tracker has recorded.
#[derive(Default, Debug)]
pub struct Tracker {
    /// The main instance's root vertex.
    pub main_root: Option<VertexId>,
    /// The field that reads are attributed to when no vertex of the main
    /// instance is being evaluated (set while converting a field's value).
    pub owner: Option<Label>,
    /// Top-level fields read, by reading top-level field.
    reads: HashMap<Label, BTreeSet<Label>>,
    /// The reverse of `reads`: readers by field read.
    readers: HashMap<Label, BTreeSet<Label>>,
    /// Reads made while evaluating a `let` vertex (or its arcs).
    let_reads: HashMap<VertexId, BTreeSet<Label>>,
    /// Fields that resolved a `let` vertex.
    let_readers: HashMap<VertexId, BTreeSet<Label>>,
    lets: HashSet<VertexId>,
    /// A read could not be attributed: the record is incomplete.
    pub untracked: bool,
}

impl Tracker {
    /// A tracker for the instance whose root vertex is `root`.
    pub fn new(root: VertexId) -> Tracker {
        Tracker {
            main_root: Some(root),
            ..Tracker::default()
        }
    }

    fn add(&mut self, reader: Label, read: Label) {
        if self.reads.entry(reader).or_default().insert(read) {
            self.readers.entry(read).or_default().insert(reader);
        }
    }

    /// The top-level fields whose evaluation read `field`.
    pub fn readers_of(&self, field: Label) -> Vec<Label> {
        self.readers
            .get(&field)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Forgets what `field` read (it is about to be evaluated again).
    pub fn clear_reads(&mut self, field: Label) {
        for read in self.reads.remove(&field).unwrap_or_default() {
            if let Some(r) = self.readers.get_mut(&read) {
                r.remove(&field);
            }
        }
    }
}

impl Evaluator {
    /// Starts recording reads (see [`Tracker`]).
    pub fn start_tracking(&mut self, root: VertexId) {
        self.track = Some(Box::new(Tracker::new(root)));
    }

    /// The reads recorded so far, if tracking.
    pub fn tracker(&self) -> Option<&Tracker> {
        self.track.as_deref()
    }

    /// The reads recorded so far, if tracking (to set the owner).
    pub fn tracker_mut(&mut self) -> Option<&mut Tracker> {
        self.track.as_deref_mut()
    }

    /// Where `v` sits (see [`Top`]).
    pub(crate) fn top_of(&self, v: VertexId) -> Top {
        let Some(root) = self.track.as_ref().and_then(|t| t.main_root) else {
            return Top::Other;
        };
        if v == root {
            return Top::Root;
        }
        let mut cur = v;
        // Plans are shallow; the bound also guards against a parent cycle.
        for _ in 0..TRACK_DEPTH {
            let vx = self.v(cur);
            match vx.parent {
                Some(p) if p == root => return Top::Field(vx.label),
                Some(p) => cur = p,
                None => {
                    let lets = &self.track.as_ref().expect("tracking").lets;
                    return if lets.contains(&cur) {
                        Top::Let(cur)
                    } else {
                        Top::Other
                    };
                }
            }
        }
        Top::Deep
    }

    /// Records that the vertex being evaluated read `target`.
    pub(crate) fn note_read(&mut self, target: VertexId) {
        // Once incomplete, the record is not used: nothing more to note.
        if self.track.as_ref().is_none_or(|t| t.untracked) {
            return;
        }
        // What is read: a field, or whatever a `let` read (so far; what it
        // reads later reaches its readers through `let_readers`). Most
        // reads are of imported definitions, which never change: they
        // return here, before any walk of the stack.
        let (reads, let_target): (Vec<Label>, Option<VertexId>) = match self.top_of(target) {
            Top::Other => return,
            Top::Root | Top::Deep => {
                self.track.as_mut().expect("tracking").untracked = true;
                return;
            }
            Top::Field(l) => (vec![l], None),
            Top::Let(l) => {
                let t = self.track.as_ref().expect("tracking");
                let got = t
                    .let_reads
                    .get(&l)
                    .map(|s| s.iter().copied().collect())
                    .unwrap_or_default();
                (got, Some(l))
            }
        };
        if self.eval_stack.len() > TRACK_DEPTH {
            self.track.as_mut().expect("tracking").untracked = true;
            return;
        }
        // The vertices being evaluated, innermost first, up to the first
        // one under a top-level field (the reader); lets among them keep
        // the read as well.
        let mut reader = None;
        let mut stack_lets: Vec<VertexId> = Vec::new();
        for &v in self.eval_stack.iter().rev() {
            match self.top_of(v) {
                Top::Field(l) => {
                    reader = Some(l);
                    break;
                }
                Top::Let(l) => stack_lets.push(l),
                Top::Deep => {
                    self.track.as_mut().expect("tracking").untracked = true;
                    return;
                }
                Top::Root | Top::Other => {}
            }
        }
        let t = self.track.as_mut().expect("tracking");
        let reader = reader.or(t.owner);
        let Some(reader) = reader else {
            t.untracked = true;
            return;
        };
        if let Some(l) = let_target {
            if !stack_lets.is_empty() {
                // A let read while evaluating another: not followed.
                t.untracked = true;
                return;
            }
            t.let_readers.entry(l).or_default().insert(reader);
        }
        for read in reads {
            for &l in &stack_lets {
                t.let_reads.entry(l).or_default().insert(read);
                let readers: Vec<Label> = t
                    .let_readers
                    .get(&l)
                    .map(|s| s.iter().copied().collect())
                    .unwrap_or_default();
                for r in readers {
                    t.add(r, read);
                }
            }
            t.add(reader, read);
        }
    }

    /// Records a `let` vertex just created.
    pub(crate) fn note_let(&mut self, v: VertexId) {
        if let Some(t) = self.track.as_mut() {
            t.lets.insert(v);
        }
    }

    /// Drops the cached `let` values that read `field` (it changed): the
    /// next reference evaluates them again.
    pub fn forget_lets_reading(&mut self, field: Label) {
        let Some(t) = self.track.as_ref() else {
            return;
        };
        let stale: HashSet<VertexId> = t
            .let_reads
            .iter()
            .filter(|(_, reads)| reads.contains(&field))
            .map(|(l, _)| *l)
            .collect();
        if !stale.is_empty() {
            self.let_cache.retain(|_, (_, v)| !stale.contains(v));
        }
    }

    /// Puts a new, unevaluated vertex with `conjuncts` in place of the
    /// top-level field `label` of `root` (the old one stays, unchanged,
    /// for whatever still holds it). Returns it, or `None` without such a
    /// field.
    pub fn replace_field(
        &mut self,
        root: VertexId,
        label: Label,
        conjuncts: Vec<Conjunct>,
    ) -> Option<VertexId> {
        let i = self.v(root).arcs.iter().position(|(l, _)| *l == label)?;
        let nv = self.new_vertex(Some(root), label);
        self.vm(nv).conjuncts = conjuncts;
        self.vm(root).arcs[i].1 = nv;
        if let Some(t) = self.track.as_mut() {
            t.clear_reads(label);
        }
        Some(nv)
    }

    /// Adds the label list of a struct literal unified into `v` after its
    /// evaluation (a filled value), for the output order of its fields.
    pub fn add_struct_labels(&mut self, v: VertexId, labels: Rc<[Label]>) {
        self.vm(v).structs.push(labels);
    }
}
