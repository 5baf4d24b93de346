//! Evaluating a loaded [`Program`]: every instance is compiled into one
//! evaluator; imported (non-builtin) instances get a root vertex of their own
//! that `import` selectors resolve to, so `llb.#Exec & {...}` unifies the
//! imported definition like a local one. Evaluation stays lazy: only syntax
//! and unresolvable references fail here; conflicts and incomplete values
//! show up per field (see [`crate::view`]).

use crate::api::Evaluated;
use crate::compile::ir::{Decl, Expr, ExprKind, ExprRef, ListElem, ListLit, StructLit};
use crate::compile::{Compiler, PackageScope};
use crate::data::Data;
use crate::errors::{Error, Errors, Position};
use crate::eval::{Conjunct, Env, Evaluator, Info, VertexId};
use crate::limits::Limits;
use crate::load::{ImportTarget, InstanceId, Program};
use crate::value::{Bottom, Code, Label, Labels};
use crate::view::PathSeg;
use cue_syntax::ast::{self, Span};
use cue_syntax::SourceMap;
use std::collections::HashMap;
use std::rc::Rc;

/// Parses and compiles all instances of `program` and returns its root
/// instance, evaluated lazily.
pub fn evaluate_program(program: &Program) -> Result<Evaluated, Errors> {
    Ok(Compiled::new(program)?.into_evaluated())
}

/// As [`evaluate_program`], with resource limits other than the defaults.
pub fn evaluate_program_with(program: &Program, limits: Limits) -> Result<Evaluated, Errors> {
    let mut compiled = Compiled::new(program)?;
    compiled.set_limits(limits);
    Ok(compiled.into_evaluated())
}

/// A loaded program parsed and compiled once, to be evaluated any number of
/// times with values filled in (cheaper than loading and parsing again).
#[derive(Clone)]
pub struct Compiled {
    labels: Labels,
    sources: SourceMap,
    /// The main instance's top-level names (for `-e`).
    main_scope: PackageScope,
    /// The main instance's files, then the filled values.
    main: Vec<ExprRef>,
    /// Imported instances: import path (without `:name`) and files.
    packages: Vec<(Rc<str>, Vec<ExprRef>)>,
    /// Values no new value may be built from (`Evaluator::set_secrets`).
    secrets: Rc<[Box<str>]>,
    /// Resource limits of each evaluation.
    limits: Limits,
}

impl Compiled {
    /// Parses and compiles every instance of `program`. Fails on syntax
    /// errors and unresolvable references.
    pub fn new(program: &Program) -> Result<Compiled, Errors> {
        let mut map = SourceMap::new();
        let mut errors = Vec::new();
        let mut parsed: Vec<Vec<ast::File>> = Vec::new();
        for inst in &program.instances {
            let mut files = Vec::new();
            for f in &inst.files {
                let id = map.add(f.name.clone(), f.text.clone());
                let (file, errs) = cue_syntax::parse_file(id, &f.text);
                for e in errs {
                    errors.push(Error {
                        path: vec![],
                        message: e.to_string(),
                        positions: positions(&map, e.span),
                    });
                }
                files.push(file);
            }
            parsed.push(files);
        }
        if !errors.is_empty() {
            return Err(Errors(errors));
        }

        // The compiler names an import by its canonical path
        // (`compile::canonical_import_path`); map those to the instances.
        let mut by_import: HashMap<InstanceId, Rc<str>> = HashMap::new();
        for inst in &program.instances {
            for imp in &inst.imports {
                if let ImportTarget::Instance(id) = imp.target {
                    let path = crate::compile::canonical_import_path(&imp.path);
                    by_import
                        .entry(id)
                        .or_insert_with(|| Rc::from(path.as_str()));
                }
            }
        }

        let mut labels = Labels::default();
        let mut main = Vec::new();
        let mut main_scope = PackageScope::default();
        let mut packages = Vec::new();
        for (i, files) in parsed.into_iter().enumerate() {
            let id = InstanceId(i);
            let import = by_import.get(&id);
            if id != program.root && import.is_none() {
                continue;
            }
            let exprs = {
                let scope = PackageScope::of_files(&mut labels, &files);
                if id == program.root {
                    main_scope = scope.clone();
                }
                let mut c = Compiler::in_scope(&mut labels, scope);
                let exprs: Vec<_> = files.iter().map(|f| c.file(f)).collect();
                for e in &c.errors {
                    errors.push(Error {
                        path: e.path.clone(),
                        message: e.message.clone(),
                        positions: positions(&map, e.span),
                    });
                }
                exprs
            };
            if id == program.root {
                main = exprs;
            } else if let Some(path) = import {
                packages.push((path.clone(), exprs));
            }
        }
        if !errors.is_empty() {
            return Err(Errors(errors));
        }
        Ok(Compiled {
            labels,
            sources: map,
            main_scope,
            main,
            packages,
            secrets: Rc::from(Vec::new()),
            limits: Limits::default(),
        })
    }

    /// Sets the resource limits of the evaluations made from now on (each
    /// one gets the whole allowance; the time limit counts from
    /// [`Compiled::evaluate`]).
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Marks `secrets` as values that evaluation may pass on as they are
    /// but never build another value from (interpolation, `+`, `*`, library
    /// calls are errors at the expression).
    pub fn set_secrets(&mut self, secrets: &[String]) {
        let list: Vec<Box<str>> = secrets
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.as_str().into())
            .collect();
        self.secrets = Rc::from(list);
    }

    /// Unifies `value` at `path` (field labels as written; no list indices)
    /// into the main instance, as a file `a: b: value` of its package would.
    pub fn fill(&mut self, path: &[PathSeg], value: &Data) -> Result<(), Error> {
        let expr = fill_expr(&mut self.labels, path, value)?;
        self.main.push(expr);
        Ok(())
    }

    /// The main instance's files, then the filled values.
    pub(crate) fn main_exprs(&self) -> &[ExprRef] {
        &self.main
    }

    /// A fresh evaluation of the main instance with the values filled so far.
    pub fn evaluate(&self) -> Evaluated {
        let (ev, root) = self.seed(self.labels.clone());
        Evaluated::from_parts(ev, self.sources.clone(), self.main_scope.clone(), root)
    }

    /// As [`Compiled::evaluate`], once: moves the sources
    /// instead of copying them (a sizeable cost on large inputs).
    pub fn into_evaluated(mut self) -> Evaluated {
        let labels = std::mem::take(&mut self.labels);
        let (ev, root) = self.seed(labels);
        Evaluated::from_parts(ev, self.sources, self.main_scope, root)
    }

    /// An evaluator with `labels` whose root vertex holds the main instance
    /// and with one detached vertex per imported package.
    fn seed(&self, labels: Labels) -> (Evaluator, VertexId) {
        let mut ev = Evaluator::new();
        ev.set_limits(self.limits);
        ev.labels = labels;
        ev.set_secrets(self.secrets.clone());
        let root = ev.new_vertex(None, Label(0));
        add_conjuncts(&mut ev, root, &self.main);
        for (path, exprs) in &self.packages {
            let v = ev.new_vertex(None, Label(0));
            ev.vertices[v.0 as usize].detached = true;
            ev.packages.insert(path.clone(), v);
            add_conjuncts(&mut ev, v, exprs);
        }
        (ev, root)
    }
}

/// The expression `a: b: value` for `path` `[a, b]`, labels interned in
/// `labels` (those of the evaluator it is meant for: an evaluator interns
/// labels of its own as it goes, so ids differ between tables).
pub(crate) fn fill_expr(
    labels: &mut Labels,
    path: &[PathSeg],
    value: &Data,
) -> Result<ExprRef, Error> {
    let span = Span::synthetic();
    let mut expr = data_expr(labels, value, span);
    for seg in path.iter().rev() {
        let PathSeg::Field(name) = seg else {
            return Err(Error::new(
                path_strings(path),
                "cannot fill a list element (path has an index)",
            ));
        };
        let label = field_label(labels, name);
        expr = struct_expr(vec![(label, expr)], span);
    }
    Ok(expr)
}

fn add_conjuncts(ev: &mut Evaluator, v: VertexId, exprs: &[ExprRef]) {
    let env = Rc::new(Env {
        up: None,
        vertex: v,
        dyn_label: None,
    });
    for e in exprs {
        ev.vertices[v.0 as usize].conjuncts.push(Conjunct {
            expr: e.clone(),
            env: env.clone(),
            info: Info::default(),
        });
    }
}

/// The label of a field named as written (`a`, `#a`, `_a`, `a-b`).
fn field_label(labels: &mut Labels, name: &str) -> Label {
    if name.starts_with('#') || name.starts_with('_') {
        labels.ident(name)
    } else {
        labels.string(name)
    }
}

fn path_strings(path: &[PathSeg]) -> Vec<String> {
    path.iter()
        .map(|s| match s {
            PathSeg::Field(f) => f.clone(),
            PathSeg::Index(i) => i.to_string(),
        })
        .collect()
}

fn struct_expr(fields: Vec<(Label, ExprRef)>, span: Span) -> ExprRef {
    let field_labels = fields.iter().map(|(l, _)| *l).collect();
    let decls = fields
        .into_iter()
        .map(|(label, value)| Decl::Field {
            label,
            optional: false,
            value,
            span,
        })
        .collect();
    Rc::new(Expr {
        span,
        kind: ExprKind::Struct(Rc::new(StructLit {
            span,
            decls,
            field_labels,
            has_embed: false,
        })),
    })
}

/// The literal expression of concrete data.
fn data_expr(labels: &mut Labels, d: &Data, span: Span) -> ExprRef {
    let kind = match d {
        Data::Null => ExprKind::Null,
        Data::Bool(b) => ExprKind::Bool(*b),
        Data::Number(n) => ExprKind::Num(Rc::new(n.clone())),
        Data::String(s) => ExprKind::Str(Rc::from(s.as_str())),
        Data::Bytes(b) => ExprKind::Bytes(Rc::from(b.as_slice())),
        Data::List(items) => ExprKind::List(Rc::new(ListLit {
            span,
            elems: items
                .iter()
                .map(|x| ListElem::Expr(data_expr(labels, x, span)))
                .collect(),
            ellipsis: None,
        })),
        Data::Struct(fields) => {
            let fields = fields
                .iter()
                .map(|(k, v)| (labels.string(k), data_expr(labels, v, span)))
                .collect();
            return struct_expr(fields, span);
        }
    };
    Rc::new(Expr { span, kind })
}

fn positions(map: &SourceMap, span: Span) -> Vec<Position> {
    if span.is_synthetic() || map.get(span.file).is_none() {
        return vec![];
    }
    let loc = map.location(span);
    vec![Position {
        file: map.name(span.file).to_string(),
        line: loc.line,
        col: loc.column,
    }]
}

impl Evaluator {
    /// The member `label` of the module package imported as `path`, or
    /// `None` when `path` is not a loaded module package (builtins are
    /// resolved elsewhere).
    pub(crate) fn module_import(
        &mut self,
        path: &str,
        label: Label,
        span: Span,
    ) -> Option<Result<VertexId, Rc<Bottom>>> {
        if crate::builtins::package(path).is_some() {
            return None;
        }
        let root = *self.packages.get(path)?;
        self.evaluate(root);
        Some(self.arc(root, label).ok_or_else(|| {
            Rc::new(Bottom {
                code: Code::Eval,
                message: format!("undefined field: {}", self.labels.name(label)),
                spans: vec![span],
                vertex: None,
                causes: Vec::new(),
            })
        }))
    }
}

#[cfg(test)]
mod tests;
