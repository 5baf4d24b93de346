//! Export to concrete data (`cue export` rules; reference `cue/types.go`
//! `MarshalJSON` and `internal/core/validate`): defaults are taken at every
//! level; regular fields must be concrete; definitions, hidden and optional
//! fields are not data, but permanent errors inside them still fail the
//! export. Once a permanent error exists, incomplete ones are not reported.

use super::*;
use crate::data::Data;

/// An error found while exporting.
#[derive(Clone, Debug)]
pub struct ExportError {
    /// The vertex the error belongs to.
    pub vertex: VertexId,
    pub message: String,
    pub spans: Vec<Span>,
    pub incomplete: bool,
}

/// What an exported value is counted as, besides its strings: its data
/// node and one line of output.
const EXPORT_NODE: usize = 48;

/// Output bytes counted per level of nesting of an exported value (the
/// indentation of its line).
const EXPORT_INDENT: usize = 4;

impl Evaluator {
    /// Exports a vertex as data, collecting every error.
    pub fn export_vertex(&mut self, v: VertexId) -> Result<Data, Vec<ExportError>> {
        self.finalize(v);
        let mut errs = Vec::new();
        let mark = self.begin_export();
        let d = self.export_rec(v, &mut errs);
        self.end_export(mark);
        if let Some(b) = self.limit_error() {
            // Past a limit, the values are not to be trusted: only the
            // limit is reported.
            return Err(self.error_entries(v, &b));
        }
        if errs.iter().any(|e| !e.incomplete) {
            errs.retain(|e| !e.incomplete);
        }
        match d {
            Some(d) if errs.is_empty() => Ok(d),
            _ => Err(errs),
        }
    }

    fn push_bottom(&self, v: VertexId, b: &Bottom, errs: &mut Vec<ExportError>) {
        errs.extend(self.error_entries(v, b));
    }

    /// The reported errors of `b` found at `v`: itself, then the errors it
    /// stands for (an empty disjunction's alternatives), each at its own
    /// vertex.
    pub(crate) fn error_entries(&self, v: VertexId, b: &Bottom) -> Vec<ExportError> {
        let mut out = vec![ExportError {
            vertex: b.vertex.unwrap_or(v),
            message: b.message.clone(),
            spans: b.spans.clone(),
            incomplete: b.is_incomplete(),
        }];
        for c in &b.causes {
            let mut inner = self.error_entries(v, c);
            for e in &mut inner {
                e.incomplete = b.is_incomplete();
            }
            out.extend(inner);
        }
        out
    }

    /// The output order of `v`'s arcs.
    pub fn ordered_arcs(&self, v: VertexId) -> Vec<(Label, VertexId)> {
        let vx = self.v(v);
        if vx.structs.is_empty() || arcs_in_first_struct_order(&vx.structs, &vx.arcs) {
            return vx.arcs.to_vec();
        }
        let structs: Vec<Vec<Label>> = vx.structs.iter().map(|s| s.to_vec()).collect();
        let labels: Vec<Label> = vx.arcs.iter().map(|(l, _)| *l).collect();
        let order = crate::order::vertex_order(&structs, &labels);
        order
            .into_iter()
            .filter_map(|l| self.arc(v, l).map(|a| (l, a)))
            .collect()
    }

    fn export_rec(&mut self, v: VertexId, errs: &mut Vec<ExportError>) -> Option<Data> {
        self.export_depth += 1;
        let d = stacker::maybe_grow(256 * 1024, 8 * 1024 * 1024, || self.export_now(v, errs));
        self.export_depth -= 1;
        d
    }

    fn export_now(&mut self, v: VertexId, errs: &mut Vec<ExportError>) -> Option<Data> {
        if self.stopped() {
            return None;
        }
        // The data, and the text it is printed as: indentation makes deep
        // values print large (counted against the memory limit).
        self.charge_exported(EXPORT_NODE + EXPORT_INDENT * self.export_depth as usize);
        self.finalize(v);
        let value = self.v(v).value.clone();
        match value {
            Value::Disj(list) => {
                let defaults: Vec<VertexId> =
                    list.iter().filter(|(_, d)| *d).map(|(x, _)| *x).collect();
                if defaults.len() == 1 {
                    return self.export_rec(defaults[0], errs);
                }
                let shown: Vec<String> = if defaults.is_empty() {
                    list.iter()
                        .map(|(x, _)| self.show_vertex_compact(*x))
                        .collect()
                } else {
                    defaults
                        .iter()
                        .map(|x| self.show_vertex_compact(*x))
                        .collect()
                };
                errs.push(ExportError {
                    vertex: v,
                    message: format!("incomplete value {}", shown.join(" | ")),
                    spans: vec![],
                    incomplete: true,
                });
                None
            }
            Value::Bottom(b) => {
                self.push_bottom(v, &b, errs);
                None
            }
            Value::Null => Some(Data::Null),
            Value::Bool(b) => Some(Data::Bool(b)),
            Value::Num(n) => Some(Data::Number((*n).clone())),
            // Copies of strings count against the memory limit: a value
            // used many times is copied each time.
            Value::Str(s) => {
                self.charge_exported(s.len());
                Some(Data::String(s.to_string()))
            }
            Value::Bytes(b) => {
                self.charge_exported(b.len());
                Some(Data::Bytes(b.to_vec()))
            }
            Value::Struct => {
                let mut fields = Vec::new();
                let mut ok = true;
                for (l, a) in self.ordered_arcs(v) {
                    if l.is_regular() {
                        match self.export_rec(a, errs) {
                            Some(d) => fields.push((self.labels.name(l), d)),
                            None => ok = false,
                        }
                    } else if let Some(b) = self.subtree_error(a) {
                        if !b.is_incomplete() {
                            self.push_bottom(a, &b, errs);
                            ok = false;
                        }
                    }
                }
                ok.then_some(Data::Struct(fields))
            }
            Value::List => {
                let mut items = Vec::new();
                let mut ok = true;
                for a in self.list_elems(v) {
                    match self.export_rec(a, errs) {
                        Some(d) => items.push(d),
                        None => ok = false,
                    }
                }
                ok.then_some(Data::List(items))
            }
            other => {
                // As in the reference, `_` and a conjunction of constraints
                // (`>=0 & <5`, `>0 & int`) have no position of their own.
                let synthesized = match &other {
                    Value::Top => true,
                    Value::Constraint(c) => {
                        let kind_shown =
                            c.kind != crate::value::Kind::TOP && !crate::print::implied(c);
                        c.bounds.len() + c.validators.len() + usize::from(kind_shown) > 1
                    }
                    _ => false,
                };
                let spans = match self.v(v).conjuncts.first() {
                    Some(c) if !synthesized => vec![c.expr.span],
                    _ => vec![],
                };
                errs.push(ExportError {
                    vertex: v,
                    message: format!("incomplete value {}", self.show(&other)),
                    spans,
                    incomplete: true,
                });
                None
            }
        }
    }
}

/// Whether the merged order is the arcs' insertion order: the first
/// non-empty struct literal declares exactly the arcs, in insertion order,
/// and every other one declares a subsequence of it. The merge then ranks
/// labels in the first list's order: a label of another list is never
/// free before the first list reaches it (the first list still counts
/// it), and only the first list's head is ever unblocked by force.
fn arcs_in_first_struct_order(structs: &[Rc<[Label]>], arcs: &[(Label, VertexId)]) -> bool {
    let mut lists = structs.iter().filter(|s| !s.is_empty());
    let Some(first) = lists.next() else {
        return arcs.is_empty();
    };
    if first.len() != arcs.len() || first.iter().zip(arcs).any(|(a, (b, _))| a != b) {
        return false;
    }
    lists.all(|l| {
        let mut it = first.iter();
        l.iter().all(|x| it.any(|y| y == x))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whenever the fast path applies, the full merge agrees with it.
    #[test]
    fn fast_order_agrees_with_merge() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut rand = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let mut hits = 0;
        for _ in 0..20_000 {
            let n = 1 + rand(10) as u32;
            let mut arcs: Vec<(Label, VertexId)> =
                (0..n).map(|i| (Label(i), VertexId(i))).collect();
            for i in (1..arcs.len()).rev() {
                let j = rand(i as u64 + 1) as usize;
                arcs.swap(i, j);
            }
            let mut structs: Vec<Rc<[Label]>> = Vec::new();
            for k in 0..1 + rand(5) {
                let l: Vec<Label> = if k == 0 && rand(4) != 0 {
                    arcs.iter().map(|(l, _)| *l).collect()
                } else {
                    arcs.iter()
                        .map(|(l, _)| *l)
                        .filter(|_| rand(2) == 0)
                        .collect()
                };
                structs.push(l.into());
            }
            if !arcs_in_first_struct_order(&structs, &arcs) {
                continue;
            }
            hits += 1;
            let lists: Vec<Vec<Label>> = structs.iter().map(|s| s.to_vec()).collect();
            let labels: Vec<Label> = arcs.iter().map(|(l, _)| *l).collect();
            assert_eq!(
                crate::order::vertex_order(&lists, &labels),
                labels,
                "{lists:?}"
            );
        }
        assert!(hits > 1000);
    }
}
