//! Evaluating a loaded [`Program`]: every instance is compiled into one
//! evaluator; imported (non-builtin) instances get a root vertex of their own
//! that `import` selectors resolve to, so `llb.#Exec & {...}` unifies the
//! imported definition like a local one. Evaluation stays lazy: only syntax
//! and unresolvable references fail here; conflicts and incomplete values
//! show up per field (see [`crate::view`]).

use crate::api::Evaluated;
use crate::compile::Compiler;
use crate::errors::{Error, Errors, Position};
use crate::eval::{Conjunct, Env, Evaluator, Info, VertexId};
use crate::load::{ImportTarget, InstanceId, Program};
use crate::value::{Bottom, Code, Label};
use cue_syntax::ast::{self, Span};
use cue_syntax::SourceMap;
use std::collections::HashMap;
use std::rc::Rc;

/// Parses and compiles all instances of `program` and returns its root
/// instance, evaluated lazily.
pub fn evaluate_program(program: &Program) -> Result<Evaluated, Errors> {
    let mut map = SourceMap::new();
    let mut errors = Vec::new();
    // Parse every instance's files.
    let mut parsed: Vec<Vec<ast::File>> = Vec::new();
    for inst in &program.instances {
        let mut files = Vec::new();
        for f in &inst.files {
            let id = map.add(f.name.clone(), f.text.clone());
            let (file, errs) = cue_syntax::parse_file(id, &f.text);
            for e in errs {
                let loc = map.location(e.span);
                errors.push(Error {
                    path: vec![],
                    message: e.to_string(),
                    positions: vec![Position {
                        file: f.name.clone(),
                        line: loc.line,
                        col: loc.column,
                    }],
                });
            }
            files.push(file);
        }
        parsed.push(files);
    }
    if !errors.is_empty() {
        return Err(Errors(errors));
    }

    // The compiler names an import by its path without the `:name`
    // qualifier; map those to the instances they load.
    let mut by_import: HashMap<InstanceId, String> = HashMap::new();
    for inst in &program.instances {
        for imp in &inst.imports {
            if let ImportTarget::Instance(id) = imp.target {
                let path = imp.path.split(':').next().unwrap_or(&imp.path);
                by_import.entry(id).or_insert_with(|| path.to_string());
            }
        }
    }

    let mut ev = Evaluator::new();
    let root = ev.new_vertex(None, Label(0));
    let mut main_files = Vec::new();
    for (i, files) in parsed.into_iter().enumerate() {
        let id = InstanceId(i);
        let is_main = id == program.root;
        if !is_main && !by_import.contains_key(&id) {
            continue;
        }
        let exprs = {
            let mut c = Compiler::new(&mut ev.labels, &files);
            let exprs: Vec<_> = files.iter().map(|f| c.file(f)).collect();
            for e in &c.errors {
                errors.push(Error {
                    path: vec![],
                    message: e.message.clone(),
                    positions: positions(&map, e.span),
                });
            }
            exprs
        };
        let vertex = if is_main {
            root
        } else {
            let v = ev.new_vertex(None, Label(0));
            ev.vertices[v.0 as usize].detached = true;
            ev.packages.insert(Rc::from(by_import[&id].as_str()), v);
            v
        };
        let env = Rc::new(Env {
            up: None,
            vertex,
            dyn_label: None,
        });
        for e in exprs {
            ev.vertices[vertex.0 as usize].conjuncts.push(Conjunct {
                expr: e,
                env: env.clone(),
                info: Info::default(),
            });
        }
        if is_main {
            main_files = files;
        }
    }
    if !errors.is_empty() {
        return Err(Errors(errors));
    }
    Ok(Evaluated::from_parts(ev, map, main_files, root))
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
            })
        }))
    }
}

#[cfg(test)]
mod tests;
