//! The public entry points: evaluate sources as one package instance, then
//! export (`cue export`), print (`cue eval`) or evaluate an expression in
//! the instance's scope (`-e`).

use crate::compile::{Compiler, PackageScope};
use crate::data::Data;
use crate::errors::{Error, Errors, Position};
use crate::eval::{Conjunct, Env, Evaluator, Info, VertexId};
use crate::limits::Limits;
use crate::value::{Bottom, Label};
use cue_syntax::ast::{self, Span};
use cue_syntax::SourceMap;
use std::cell::RefCell;
use std::rc::Rc;

/// A source file.
#[derive(Clone, Debug)]
pub struct Source {
    /// File name as shown in positions (e.g. `in.cue`).
    pub name: String,
    /// The CUE text.
    pub text: String,
}

impl Source {
    /// A source from name and text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Source {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }
}

struct State {
    ev: Evaluator,
    sources: SourceMap,
    /// The main package's top-level names (its syntax trees are dropped
    /// once compiled).
    scope: PackageScope,
}

/// An evaluated instance (evaluation is lazy; errors surface on use).
#[derive(Clone)]
pub struct Evaluated {
    state: Rc<RefCell<State>>,
    root: VertexId,
}

/// Parses and compiles `sources` as one instance.
pub fn evaluate(sources: &[Source]) -> Result<Evaluated, Errors> {
    evaluate_with(sources, Limits::default())
}

/// As [`evaluate`], with resource limits other than the defaults.
pub fn evaluate_with(sources: &[Source], limits: Limits) -> Result<Evaluated, Errors> {
    let mut map = SourceMap::new();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for s in sources {
        let id = map.add(s.name.clone(), s.text.clone());
        let (file, errs) = cue_syntax::parse_file(id, &s.text);
        for e in errs {
            let loc = map.location(e.span);
            errors.push(Error {
                path: vec![],
                message: e.to_string(),
                positions: vec![Position {
                    file: s.name.clone(),
                    line: loc.line,
                    col: loc.column,
                }],
            });
        }
        files.push(file);
    }
    if !errors.is_empty() {
        return Err(Errors(errors));
    }
    let mut ev = Evaluator::new();
    ev.set_limits(limits);
    let total: usize = sources.iter().map(|s| s.text.len()).sum();
    ev.vertices.reserve(total / 4);
    let root = ev.new_vertex(None, Label(0));
    let scope = PackageScope::of_files(&mut ev.labels, &files);
    let exprs = {
        let mut c = Compiler::in_scope(&mut ev.labels, scope.clone());
        let exprs: Vec<_> = files.iter().map(|f| c.file(f)).collect();
        for e in &c.errors {
            errors.push(Error {
                path: e.path.clone(),
                message: e.message.clone(),
                positions: span_positions(&map, &[e.span]),
            });
        }
        exprs
    };
    if !errors.is_empty() {
        return Err(Errors(errors));
    }
    let env = Rc::new(Env {
        up: None,
        vertex: root,
        dyn_label: None,
    });
    for e in exprs {
        ev.vertices[root.0 as usize].conjuncts.push(Conjunct {
            expr: e,
            env: env.clone(),
            info: Info::default(),
        });
    }
    Ok(Evaluated {
        state: Rc::new(RefCell::new(State {
            ev,
            sources: map,
            scope,
        })),
        root,
    })
}

/// The positions of `spans`. A leading synthetic span followed by others
/// marks an error without a primary position (a conflict, as the reference
/// reports it): it becomes the "no position" entry the report sorts by.
fn span_positions(map: &SourceMap, spans: &[Span]) -> Vec<Position> {
    let no_primary = spans.len() > 1 && spans[0].is_synthetic();
    let marker = no_primary.then(|| Position {
        file: String::new(),
        line: 0,
        col: 0,
    });
    marker
        .into_iter()
        .chain(
            spans
                .iter()
                .filter(|s| !s.is_synthetic() && map.get(s.file).is_some())
                .map(|s| {
                    let loc = map.location(*s);
                    Position {
                        file: map.name(s.file).to_string(),
                        line: loc.line,
                        col: loc.column,
                    }
                }),
        )
        .collect()
}

impl Evaluated {
    /// The `cue export` data of the instance.
    pub fn export(&self) -> Result<Data, Errors> {
        let mut st = self.state.borrow_mut();
        let st = &mut *st;
        st.ev.export_vertex(self.root).map_err(|errs| {
            Errors(
                errs.into_iter()
                    .map(|e| Error {
                        path: st.ev.path(e.vertex),
                        message: e.message,
                        positions: span_positions(&st.sources, &e.spans),
                    })
                    .collect(),
            )
        })
    }

    /// The `cue eval` output as a syntax tree (hidden fields left out).
    pub fn eval_syntax(&self) -> Result<ast::File, Errors> {
        self.eval_syntax_with(crate::print::PrintOptions::default())
    }

    /// The `cue eval` output with options (`-H` shows hidden fields).
    pub fn eval_syntax_with(&self, opts: crate::print::PrintOptions) -> Result<ast::File, Errors> {
        let mut st = self.state.borrow_mut();
        let st = &mut *st;
        // print: the sources give back names the compiled form drops.
        let mut file = st
            .ev
            .eval_file_with_sources(self.root, Some(&st.sources), opts);
        if let Some(b) = st.ev.limit_error() {
            // Past a limit, only the limit is reported.
            file = Err(st.ev.error_entries(self.root, &b));
        }
        file.map_err(|errs| {
            Errors(
                errs.into_iter()
                    .map(|e| Error {
                        path: st.ev.path(e.vertex),
                        message: e.message,
                        positions: span_positions(&st.sources, &e.spans),
                    })
                    .collect(),
            )
        })
    }

    /// Evaluates `expr` in the scope of the instance's top level.
    pub fn eval_expr(&self, expr: &str) -> Result<Evaluated, Errors> {
        let mut st = self.state.borrow_mut();
        let st = &mut *st;
        let id = st.sources.add("-e", expr.to_string());
        let e = cue_syntax::parse_expr(id, expr).map_err(|errs| {
            Errors(
                errs.into_iter()
                    .map(|e| Error::new(vec![], e.to_string()))
                    .collect(),
            )
        })?;
        let compiled = {
            let mut c = Compiler::in_scope(&mut st.ev.labels, st.scope.clone());
            let x = c.expr_in_package(&e);
            if let Some(err) = c.errors.first() {
                return Err(Error::new(vec![], err.message.clone()).into());
            }
            x
        };
        let env = Rc::new(Env {
            up: None,
            vertex: self.root,
            dyn_label: None,
        });
        let v = st.ev.new_vertex(None, Label(0));
        st.ev.vertices[v.0 as usize].conjuncts.push(Conjunct {
            expr: compiled,
            env,
            info: Info::default(),
        });
        Ok(Evaluated {
            state: self.state.clone(),
            root: v,
        })
    }

    /// Converts an internal error value to an [`Error`].
    #[allow(dead_code)]
    fn error_of(&self, b: &Bottom, at: VertexId) -> Error {
        let st = self.state.borrow();
        Error {
            path: st.ev.path(b.vertex.unwrap_or(at)),
            message: b.message.clone(),
            positions: span_positions(&st.sources, &b.spans),
        }
    }
}

// plan-api: crate-internal access used by `view.rs` (the read-only View API)
// and `program.rs` (evaluating a loaded `load::Program`); additive only.
impl Evaluated {
    /// An instance from an evaluator whose `root` holds the compiled files.
    pub(crate) fn from_parts(
        ev: Evaluator,
        sources: SourceMap,
        scope: PackageScope,
        root: VertexId,
    ) -> Evaluated {
        Evaluated {
            state: Rc::new(RefCell::new(State { ev, sources, scope })),
            root,
        }
    }

    /// The instance's root vertex.
    pub(crate) fn root_vertex(&self) -> VertexId {
        self.root
    }

    /// Runs `f` with the evaluator (borrowed mutably; do not re-enter).
    pub(crate) fn with_evaluator<R>(&self, f: impl FnOnce(&mut Evaluator) -> R) -> R {
        f(&mut self.state.borrow_mut().ev)
    }

    /// Positions of `spans` in this instance's sources.
    pub(crate) fn positions(&self, spans: &[Span]) -> Vec<Position> {
        span_positions(&self.state.borrow().sources, spans)
    }
}
