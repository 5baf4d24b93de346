//! Structural equality of evaluated values, used to deduplicate disjuncts
//! and for `==` on lists (reference `adt/equality.go`).

use super::*;

impl Evaluator {
    /// Whether two evaluated vertices have equal values.
    pub(crate) fn vertices_equal(&mut self, a: VertexId, b: VertexId) -> bool {
        if a == b {
            return true;
        }
        self.finalize(a);
        self.finalize(b);
        let (va, vb) = (self.v(a).value.clone(), self.v(b).value.clone());
        match (&va, &vb) {
            (Value::Struct, Value::Struct) | (Value::List, Value::List) => {
                let aa: Vec<(Label, VertexId)> = self.v(a).arcs.to_vec();
                let ab: Vec<(Label, VertexId)> = self.v(b).arcs.to_vec();
                if aa.len() != ab.len() {
                    return false;
                }
                if self.v(a).list_open != self.v(b).list_open {
                    return false;
                }
                // Disjuncts that differ in optional fields stay distinct.
                let opt = |ev: &Evaluator, v: VertexId| -> Vec<Label> {
                    let mut ls: Vec<Label> = ev
                        .v(v)
                        .constraints
                        .iter()
                        .filter_map(|c| match c.kind {
                            ConstraintKind::Optional(l) => Some(l),
                            _ => None,
                        })
                        .collect();
                    ls.sort();
                    ls.dedup();
                    ls
                };
                if opt(self, a) != opt(self, b) {
                    return false;
                }
                for (l, x) in aa {
                    match self.arc(b, l) {
                        Some(y) => {
                            if !self.vertices_equal(x, y) {
                                return false;
                            }
                        }
                        None => return false,
                    }
                }
                true
            }
            (Value::Disj(x), Value::Disj(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y.iter())
                        .all(|((p, d1), (q, d2))| d1 == d2 && self.vertices_equal(*p, *q))
            }
            (Value::Bottom(_), _) | (_, Value::Bottom(_)) => false,
            _ => self.values_equal(&va, &vb),
        }
    }

    /// Whether two non-composite values are equal.
    pub(crate) fn values_equal(&self, a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Top, Value::Top) => true,
            (Value::Basic(x), Value::Basic(y)) => x == y,
            (x, y) if x.is_atom() && y.is_atom() => self.atoms_equal(x, y),
            (Value::Bound(_) | Value::Constraint(_), Value::Bound(_) | Value::Constraint(_)) => {
                self.show(a) == self.show(b)
            }
            _ => false,
        }
    }
}
