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

impl Evaluator {
    /// Exports a vertex as data, collecting every error.
    pub fn export_vertex(&mut self, v: VertexId) -> Result<Data, Vec<ExportError>> {
        self.finalize(v);
        let mut errs = Vec::new();
        let d = self.export_rec(v, &mut errs);
        if errs.iter().any(|e| !e.incomplete) {
            errs.retain(|e| !e.incomplete);
        }
        match d {
            Some(d) if errs.is_empty() => Ok(d),
            _ => Err(errs),
        }
    }

    fn push_bottom(&self, v: VertexId, b: &Bottom, errs: &mut Vec<ExportError>) {
        errs.push(ExportError {
            vertex: b.vertex.unwrap_or(v),
            message: b.message.clone(),
            spans: b.spans.clone(),
            incomplete: b.is_incomplete(),
        });
    }

    /// The output order of `v`'s arcs.
    pub fn ordered_arcs(&self, v: VertexId) -> Vec<(Label, VertexId)> {
        let vx = self.v(v);
        // One struct literal declaring exactly the arcs, in order: as is.
        if vx.structs.is_empty()
            || (vx.structs.len() == 1
                && vx.structs[0].len() == vx.arcs.len()
                && vx.structs[0]
                    .iter()
                    .zip(vx.arcs.iter())
                    .all(|(a, (b, _))| a == b))
        {
            return vx.arcs.clone();
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
        stacker::maybe_grow(256 * 1024, 8 * 1024 * 1024, || self.export_now(v, errs))
    }

    fn export_now(&mut self, v: VertexId, errs: &mut Vec<ExportError>) -> Option<Data> {
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
            Value::Str(s) => Some(Data::String(s.to_string())),
            Value::Bytes(b) => Some(Data::Bytes(b.to_vec())),
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
                let spans = self
                    .v(v)
                    .conjuncts
                    .first()
                    .map(|c| vec![c.expr.span])
                    .unwrap_or_default();
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
