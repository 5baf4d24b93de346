//! Calls into the standard library registry (`crate::builtins`): package
//! members are looked up by name; functions get concrete `Data` arguments
//! (a non-concrete argument makes the call incomplete); a validator called
//! with one argument fewer than it has parameters, or not called at all,
//! constrains the value it is unified with.

use super::*;
use crate::builtins::{BuiltinError, Func, Host, HostValue, Impl, MemberValue};
use crate::data::Data;
use crate::value::Validator;

impl Evaluator {
    pub(crate) fn import_member(
        &mut self,
        path: &str,
        label: Label,
        span: Span,
    ) -> Result<Value, Rc<Bottom>> {
        let name = self.labels.name(label);
        let Some(pkg) = crate::builtins::package(path) else {
            return Err(Rc::new(Bottom {
                code: Code::Eval,
                message: format!("builtin package {path:?} undefined"),
                spans: vec![span],
                vertex: None,
                causes: Vec::new(),
            }));
        };
        match pkg.member(&name) {
            Some(m) => match &m.value {
                MemberValue::Func(f) => Ok(Value::Func(f)),
                MemberValue::Const(c) => Ok(self.data_value(&c.to_data(), span)),
            },
            None => {
                if let Some(v) = self.package_cue_member(path, label) {
                    return Ok(v);
                }
                // Incomplete, as the reference treats a package like an
                // open struct (`cue eval` keeps `list.max`).
                Err(Rc::new(Bottom {
                    code: Code::Incomplete,
                    message: format!("undefined field: {name}"),
                    spans: vec![span],
                    vertex: None,
                    causes: Vec::new(),
                }))
            }
        }
    }

    /// Members a package defines in CUE source (compiled once).
    fn package_cue_member(&mut self, path: &str, label: Label) -> Option<Value> {
        let pkg = crate::builtins::package(path)?;
        let src = pkg.cue?;
        let root = match self.packages.get(path) {
            Some(r) => *r,
            None => {
                let (file, errs) =
                    cue_syntax::parse_file(cue_syntax::ast::FileId(u32::MAX - 1), src);
                if !errs.is_empty() {
                    return None;
                }
                let files = vec![file];
                let mut labels = std::mem::take(&mut self.labels);
                let expr = {
                    let mut c = crate::compile::Compiler::new(&mut labels, &files);
                    c.file(&files[0])
                };
                self.labels = labels;
                let root = self.new_vertex(None, Label(0));
                self.vm(root).detached = true;
                let env = Rc::new(Env {
                    up: None,
                    vertex: root,
                    dyn_label: None,
                });
                self.vm(root).conjuncts.push(Conjunct {
                    expr,
                    env,
                    info: Info::default(),
                });
                self.packages.insert(Rc::from(path), root);
                root
            }
        };
        self.evaluate(root);
        let a = self.arc(root, label)?;
        Some(self.value_of(a))
    }

    /// Converts data into a value (composites become a detached vertex).
    pub(crate) fn data_value(&mut self, d: &Data, span: Span) -> Value {
        match d {
            Data::Null => Value::Null,
            Data::Bool(b) => Value::Bool(*b),
            Data::Number(n) => Value::num(n.clone()),
            Data::String(s) => Value::str(s),
            Data::Bytes(b) => Value::Bytes(Rc::from(b.as_slice())),
            _ => {
                let e = self.data_expr(d, span);
                let env = Rc::new(Env {
                    up: None,
                    vertex: VertexId(0),
                    dyn_label: None,
                });
                let v = self.anon(&e, &env);
                self.value_of(v)
            }
        }
    }

    fn data_expr(&mut self, d: &Data, span: Span) -> ExprRef {
        use crate::compile::ir::{Decl, Expr, ExprKind, ListElem, ListLit, StructLit};
        let kind = match d {
            Data::List(items) => ExprKind::List(Rc::new(ListLit {
                span,
                elems: items
                    .iter()
                    .map(|x| ListElem::Expr(self.data_expr(x, span)))
                    .collect(),
                ellipsis: None,
            })),
            Data::Struct(fields) => {
                let mut decls = Vec::new();
                let mut labels = Vec::new();
                for (k, v) in fields {
                    let label = self.labels.string(k);
                    labels.push(label);
                    decls.push(Decl::Field {
                        label,
                        optional: false,
                        value: self.data_expr(v, span),
                        span,
                    });
                }
                ExprKind::Struct(Rc::new(StructLit {
                    span,
                    decls,
                    field_labels: labels.into(),
                    has_embed: false,
                }))
            }
            other => ExprKind::Value(self.data_value(other, span)),
        };
        Rc::new(Expr { span, kind })
    }

    /// Calls a library function.
    pub(crate) fn call_stdlib(
        &mut self,
        f: &'static Func,
        args: &[ExprRef],
        env: &Rc<Env>,
        span: Span,
    ) -> Value {
        let mut vals = Vec::new();
        for a in args {
            vals.push(self.eval_value(a, env));
        }
        if f.is_validator_call(vals.len()) {
            // Partially applied validator.
            return Value::Validator(Rc::new(Validator {
                func: f,
                args: vals,
            }));
        }
        self.apply_func(f, vals, span)
    }

    fn apply_func(&mut self, f: &'static Func, vals: Vec<Value>, span: Span) -> Value {
        if vals.iter().any(|v| self.value_holds_secret(v)) {
            return self.secret_misuse(&format!("a call to {}", f.name), span);
        }
        match self.call_raw(f, vals) {
            Ok(d) => {
                if let Err(e) = self.check_result(&d) {
                    return self.builtin_error(f, e, span);
                }
                self.data_value(&d, span)
            }
            Err(Ok(e)) => self.builtin_error(f, e, span),
            Err(Err(b)) => Value::Bottom(b),
        }
    }

    /// Checks a library result against the limits before it becomes a
    /// value: a number must be in the decimal context's range (as the
    /// reference's `apd` results), and the whole must fit in what is left
    /// of the memory limit; its strings are counted.
    fn check_result(&mut self, d: &Data) -> Result<(), BuiltinError> {
        if let Data::Number(n) = d {
            if !n.in_range() {
                return Err(BuiltinError::Call("exponent out of range".into()));
            }
            return Ok(());
        }
        let (mut bytes, mut nodes) = (0u64, 0u64);
        let mut todo = vec![d];
        while let Some(x) = todo.pop() {
            nodes += 1;
            match x {
                Data::String(s) => bytes += s.len() as u64,
                Data::Bytes(b) => bytes += b.len() as u64,
                Data::List(xs) => todo.extend(xs),
                Data::Struct(fs) => todo.extend(fs.iter().map(|(_, v)| v)),
                _ => {}
            }
        }
        let need = bytes.saturating_add(nodes.saturating_mul(crate::limits::VERTEX_COST));
        let left = self.limits().max_memory.saturating_sub(self.memory_used());
        if need > left {
            return Err(BuiltinError::Call(format!(
                "result of {bytes} bytes in {nodes} values is more than the memory limit ({}) allows",
                crate::limits::show_size(self.limits().max_memory)
            )));
        }
        self.charge_built(bytes as usize);
        Ok(())
    }

    /// stdlib: calls `f`, telling the function's own error (`Err(Ok)`)
    /// from an argument's (`Err(Err)`).
    fn call_raw(
        &mut self,
        f: &'static Func,
        vals: Vec<Value>,
    ) -> Result<Data, Result<BuiltinError, Rc<Bottom>>> {
        match f.imp {
            Impl::Data(_) => {
                let mut data = Vec::new();
                for v in vals {
                    data.push(self.value_to_data(v).map_err(Err)?);
                }
                f.call_data(&data).map_err(Ok)
            }
            Impl::Host(h) => {
                let mut host = EvalHost {
                    ev: self,
                    vals: vals.clone(),
                };
                let hv: Vec<HostValue> = (0..vals.len() as u32).map(HostValue).collect();
                h(&mut host, &hv).map_err(Ok)
            }
        }
    }

    fn builtin_error(&mut self, f: &Func, e: BuiltinError, span: Span) -> Value {
        let code = if e.is_incomplete() {
            Code::Incomplete
        } else {
            Code::Eval
        };
        if matches!(e, BuiltinError::Call(_)) {
            // stdlib: the reference reports a failed call without a path
            // (the root vertex has none).
            return Value::Bottom(Rc::new(Bottom {
                code,
                message: e.message(f),
                spans: vec![span],
                vertex: Some(VertexId(0)),
                causes: Vec::new(),
            }));
        }
        self.bottom(code, e.message(f), vec![span])
    }

    /// A value as concrete data (defaults taken), for library calls.
    pub(crate) fn value_to_data(&mut self, v: Value) -> Result<Data, Rc<Bottom>> {
        let v = self.concrete(v)?;
        match v {
            Value::Vertex(id) => {
                self.finalize(id);
                self.export_vertex(id).map_err(|mut errs| {
                    let e = errs.remove(0);
                    Rc::new(Bottom {
                        code: if e.incomplete {
                            Code::Incomplete
                        } else {
                            Code::Eval
                        },
                        message: e.message,
                        spans: e.spans,
                        vertex: None,
                        causes: Vec::new(),
                    })
                })
            }
            Value::Null => Ok(Data::Null),
            Value::Bool(b) => Ok(Data::Bool(b)),
            Value::Num(n) => Ok(Data::Number((*n).clone())),
            Value::Str(s) => Ok(Data::String(s.to_string())),
            Value::Bytes(b) => Ok(Data::Bytes(b.to_vec())),
            other => Err(Rc::new(Bottom {
                code: Code::Incomplete,
                message: format!("non-concrete value {}", self.show(&other)),
                spans: vec![],
                vertex: None,
                causes: Vec::new(),
            })),
        }
    }

    /// Applies a validator (or validator-valued function) to atom `s`.
    pub(crate) fn check_validator(
        &mut self,
        s: &Value,
        val: &Value,
        span: Option<Span>,
    ) -> Result<(), Value> {
        let (f, args) = match val {
            Value::Func(f) => (*f, Vec::new()),
            Value::Validator(v) => (v.func, v.args.clone()),
            _ => return Ok(()),
        };
        let mut all = vec![s.clone()];
        all.extend(args.iter().cloned());
        let sp = span.unwrap_or_default();
        let r = match self.call_raw(f, all) {
            Ok(d) => self.data_value(&d, sp),
            Err(Err(b)) => Value::Bottom(b),
            Err(Ok(e)) => {
                // stdlib: the reference wraps the validator's own error:
                // `invalid value V (does not satisfy f(args)): error`.
                let shown: Vec<String> = args.iter().map(|a| self.show(a)).collect();
                let head = f.validator_failure(&self.show(s), &shown);
                let code = if e.is_incomplete() {
                    Code::Incomplete
                } else {
                    Code::Eval
                };
                let msg = format!("{head}: {}", e.message(f));
                return Err(self.bottom(code, msg, span.into_iter().collect()));
            }
        };
        match r {
            Value::Bool(true) => Ok(()),
            Value::Bool(false) => {
                let shown: Vec<String> = args.iter().map(|a| self.show(a)).collect();
                let msg = f.validator_failure(&self.show(s), &shown);
                Err(self.bottom(Code::Eval, msg, span.into_iter().collect()))
            }
            Value::Bottom(b) => Err(Value::Bottom(b)),
            _ => Ok(()),
        }
    }
}

/// The evaluator as seen by host functions.
struct EvalHost<'a> {
    ev: &'a mut Evaluator,
    vals: Vec<Value>,
}

impl EvalHost<'_> {
    fn val(&self, h: HostValue) -> Value {
        self.vals.get(h.0 as usize).cloned().unwrap_or(Value::Top)
    }
}

fn non_concrete(arg: HostValue) -> BuiltinError {
    BuiltinError::Incomplete(format!("non-concrete argument {}", arg.0))
}

fn to_builtin_err(b: Rc<Bottom>) -> BuiltinError {
    if b.is_incomplete() {
        BuiltinError::Incomplete(b.message.clone())
    } else {
        BuiltinError::Plain(b.message.clone())
    }
}

impl Host for EvalHost<'_> {
    fn data(&mut self, v: HostValue) -> Result<Data, BuiltinError> {
        let v = self.val(v);
        self.ev.value_to_data(v).map_err(to_builtin_err)
    }

    fn validate(&mut self, schema: HostValue, data: &Data) -> Result<(), BuiltinError> {
        let s = self.val(schema);
        let span = Span::default();
        // stdlib: the reference takes the schema as a value that must be
        // concrete: a struct or closed list, or an atom (not `int`, `[...]`).
        let s = match s {
            Value::Vertex(id) => {
                let id = self.ev.deref_default(id, span).map_err(to_builtin_err)?;
                if matches!(self.ev.v(id).value, Value::List) && self.ev.v(id).list_open {
                    return Err(non_concrete(schema));
                }
                Value::Vertex(id)
            }
            v if v.is_atom() => v,
            _ => return Err(non_concrete(schema)),
        };
        let de = self.ev.data_expr(data, span);
        let se = Rc::new(crate::compile::ir::Expr {
            span,
            kind: crate::compile::ir::ExprKind::Value(s),
        });
        let se = match &se.kind {
            crate::compile::ir::ExprKind::Value(Value::Vertex(id)) => {
                self.ev.vertex_expr(*id, span)
            }
            _ => se,
        };
        let e = Rc::new(crate::compile::ir::Expr {
            span,
            kind: crate::compile::ir::ExprKind::Unify(vec![de, se]),
        });
        let env = Rc::new(Env {
            up: None,
            vertex: VertexId(0),
            dyn_label: None,
        });
        let v = self.ev.anon(&e, &env);
        self.ev.finalize(v);
        // stdlib: like the reference, only a conflict fails; fields the
        // data leaves non-concrete do not.
        match self.ev.export_vertex(v) {
            Err(errs) if !errs.is_empty() && !errs[0].incomplete => {
                Err(BuiltinError::Call(errs[0].message.clone()))
            }
            _ => Ok(()),
        }
    }

    fn less(&mut self, cmp: HostValue, a: &Data, b: &Data) -> Result<bool, BuiltinError> {
        let c = self.val(cmp);
        let Value::Vertex(cid) = c else {
            return Err(BuiltinError::Plain("invalid comparator".into()));
        };
        let span = Span::default();
        let x = self.ev.labels.string("x");
        let y = self.ev.labels.string("y");
        let less = self.ev.labels.string("less");
        let ax = self.ev.data_expr(a, span);
        let bx = self.ev.data_expr(b, span);
        use crate::compile::ir::{Decl, Expr, ExprKind, StructLit};
        let lit = StructLit {
            span,
            decls: vec![
                Decl::Field {
                    label: x,
                    optional: false,
                    value: ax,
                    span,
                },
                Decl::Field {
                    label: y,
                    optional: false,
                    value: bx,
                    span,
                },
            ],
            field_labels: Rc::from([x, y]),
            has_embed: false,
        };
        let e = Rc::new(Expr {
            span,
            kind: ExprKind::Unify(vec![
                self.ev.vertex_expr(cid, span),
                Rc::new(Expr {
                    span,
                    kind: ExprKind::Struct(Rc::new(lit)),
                }),
            ]),
        });
        let env = Rc::new(Env {
            up: None,
            vertex: VertexId(0),
            dyn_label: None,
        });
        let v = self.ev.anon(&e, &env);
        let Some(l) = self.ev.arc(v, less) else {
            return Err(BuiltinError::Plain("comparator has no field less".into()));
        };
        match self.ev.value_of(l) {
            Value::Bool(b) => Ok(b),
            Value::Bottom(b) => Err(to_builtin_err(b)),
            _ => Err(BuiltinError::Incomplete("less is not concrete".into())),
        }
    }

    fn field_count(&mut self, v: HostValue) -> Result<(usize, bool), BuiltinError> {
        match self.val(v) {
            Value::Vertex(id) => {
                self.ev.evaluate(id);
                let n = self
                    .ev
                    .v(id)
                    .arcs
                    .iter()
                    .filter(|(l, _)| l.is_regular())
                    .count();
                Ok((n, false))
            }
            _ => Err(BuiltinError::Plain("not a struct".into())),
        }
    }
}
