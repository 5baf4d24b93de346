//! Evaluating a loaded program with `cue-eval` and presenting the result as
//! the engine's plan model ([`Node`]), through `cue_eval::view`.
//!
//! A conflict in a regular field fails the evaluation with `cue`'s own error
//! report (paths and positions); incomplete values are just non-concrete.

use cue_eval::data::Data;
use cue_eval::errors::{Errors, Position};
use cue_eval::load::Program;
use cue_eval::view::{self, PathSeg, View, ViewKind};

use crate::path::{Path, Seg};
use crate::plan::PlanError;
use crate::tree::{Field, FieldKind, Kind, Node, Scalar};

/// How a source position is shown to the user: the evaluator names files
/// relative to the plan directory; the CLI shows them relative to where it
/// runs, and names the flag for an input's file.
pub type Relocate<'a> = &'a dyn Fn(&Position) -> Position;

/// `errors` with every position relocated.
pub fn relocated(mut errors: Errors, relocate: Relocate<'_>) -> Errors {
    for e in &mut errors.0 {
        for p in &mut e.positions {
            if p.line > 0 {
                *p = relocate(p);
            }
        }
    }
    errors
}

/// Evaluates the program's root instance.
pub fn evaluate(program: &Program, relocate: Relocate<'_>) -> Result<Node, PlanError> {
    let evaluated = cue_eval::program::evaluate_program(program)
        .map_err(|e| PlanError(relocated(e, relocate).report()))?;
    node_of(&evaluated, relocate)
}

/// The tree of an evaluated plan, or its errors in regular fields.
pub fn node_of(
    evaluated: &cue_eval::api::Evaluated,
    relocate: Relocate<'_>,
) -> Result<Node, PlanError> {
    let regular = plan_errors(relocated(evaluated.errors(), relocate));
    if !regular.is_empty() {
        return Err(PlanError(cue_eval::errors::Errors(regular).report()));
    }
    Ok(convert(&evaluated.root(), relocate))
}

/// The errors of `errors` that fail a plan: those in regular fields, and
/// a misused secret or an exceeded limit anywhere.
pub fn plan_errors(errors: Errors) -> Vec<cue_eval::errors::Error> {
    errors
        .0
        .into_iter()
        .filter(|e| {
            // A secret misused anywhere (an op list is a definition) fails
            // the plan at once, with the expression's position.
            e.message.starts_with(cue_eval::SECRET_MISUSE)
                // A resource limit ended the evaluation: nothing is left to
                // run, wherever the error points.
                || e.message.starts_with(cue_eval::limits::LIMIT_EXCEEDED)
                || e.path
                    .iter()
                    .all(|l| !l.starts_with('#') && !l.starts_with('_'))
        })
        .collect()
}

/// The tree of one evaluated value (a top-level field re-evaluated alone).
pub fn node_of_view(v: &View<'_>, relocate: Relocate<'_>) -> Node {
    convert(v, relocate)
}

/// A CUE error value as [`Kind::Bottom`]'s report: the first error's
/// message and positions, then each cause with its path and positions.
fn bottom_report(errors: &Errors) -> String {
    let mut out = String::new();
    for (i, e) in errors.0.iter().enumerate() {
        if i > 0 {
            out.push('\n');
            if !e.path.is_empty() {
                out.push_str(&e.path.join("."));
                out.push_str(": ");
            }
        }
        out.push_str(&e.message);
        for p in e.positions.iter().filter(|p| p.line > 0) {
            out.push_str(&format!(":\n    {}:{}:{}", p.file, p.line, p.col));
        }
    }
    out
}

/// The concrete string values of regular fields typed `dagger.#Secret`
/// (written `x: dagger.#Secret`, directly or through a definition), by path.
pub fn secret_fields(evaluated: &cue_eval::api::Evaluated) -> Vec<(String, String)> {
    let mut out = Vec::new();
    collect_secrets(&evaluated.root(), &Path::root(), 0, &mut out);
    out
}

fn collect_secrets(v: &View<'_>, at: &Path, depth: usize, out: &mut Vec<(String, String)>) {
    // Plans are shallow; the bound only guards against pathological input.
    if depth > 64 {
        return;
    }
    for (label, kind, value) in v.fields() {
        if kind != view::FieldKind::Regular {
            continue;
        }
        let p = at.field(&label);
        if value.selects_from_import("dagger.io/dagger", "#Secret") {
            if let ViewKind::Scalar(Data::String(s)) = value.kind() {
                out.push((p.to_string(), s));
            }
            continue;
        }
        collect_secrets(&value, &p, depth + 1, out);
    }
    for (i, e) in v.elems().iter().enumerate() {
        collect_secrets(e, &at.index(i), depth + 1, out);
    }
}

fn convert(v: &View<'_>, relocate: Relocate<'_>) -> Node {
    let kind = match v.kind() {
        ViewKind::Struct => Kind::Struct,
        ViewKind::List => Kind::List,
        ViewKind::Scalar(d) => Kind::Scalar(scalar(d)),
        ViewKind::Incomplete(reason) => Kind::Incomplete(reason),
        ViewKind::Bottom(message) => match v.error() {
            Some(errors) => Kind::Bottom(bottom_report(&relocated(errors, relocate))),
            None => Kind::Bottom(message),
        },
    };
    let positions = v
        .positions()
        .iter()
        .map(|p| {
            let p = relocate(p);
            format!("{}:{}:{}", p.file, p.line, p.col)
        })
        .collect();
    let fields = v
        .fields()
        .iter()
        .map(|(label, kind, value)| Field {
            label: label.clone(),
            kind: match kind {
                view::FieldKind::Regular => FieldKind::Regular,
                view::FieldKind::Definition => FieldKind::Definition,
                view::FieldKind::Hidden => FieldKind::Hidden,
                view::FieldKind::Optional => FieldKind::Optional,
            },
            // Unset optional fields are never read by the engine.
            node: if *kind == view::FieldKind::Optional {
                Node::incomplete("optional")
            } else {
                convert(value, relocate)
            },
        })
        .collect();
    let elems = v.elems().iter().map(|e| convert(e, relocate)).collect();
    let refs = v.references().into_iter().map(path).collect();
    Node {
        kind,
        fields,
        elems,
        refs,
        positions,
    }
}

fn path(segs: Vec<PathSeg>) -> Path {
    Path(
        segs.into_iter()
            .map(|s| match s {
                PathSeg::Field(f) => Seg::Field(f),
                PathSeg::Index(i) => Seg::Index(i),
            })
            .collect(),
    )
}

fn scalar(d: Data) -> Scalar {
    match d {
        Data::Null => Scalar::Null,
        Data::Bool(b) => Scalar::Bool(b),
        Data::Number(n) => Scalar::Number(n.to_string()),
        Data::String(s) => Scalar::String(s),
        Data::Bytes(b) => Scalar::Bytes(b),
        // A view's scalar is never a list or struct.
        other => Scalar::String(format!("{other:?}")),
    }
}
