//! A compact text form of values for error messages (`{a:1,b:2}`,
//! `1 | 2`, `>=3`), as the reference's debug printer shows them.

use super::*;

/// Quotes a string as CUE (and Go) do for messages.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Quotes bytes as a CUE bytes literal.
pub fn quote_bytes(b: &[u8]) -> String {
    let mut out = String::from("'");
    for &c in b {
        match c {
            b'\'' => out.push_str("\\'"),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7e => out.push(c as char),
            _ => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push('\'');
    out
}

impl Evaluator {
    /// The compact text of a value.
    pub fn show(&self, v: &Value) -> String {
        match v {
            Value::Top => "_".into(),
            Value::Bottom(_) => "_|_".into(),
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Num(n) => n.to_string(),
            Value::Str(s) => quote(s),
            Value::Bytes(b) => quote_bytes(b),
            Value::Basic(k) => k.name(),
            Value::Bound(b) => format!("{}{}", b.op.as_str(), self.show(&b.value)),
            Value::Constraint(c) => {
                let mut parts: Vec<String> = c
                    .bounds
                    .iter()
                    .map(|b| format!("{}{}", b.op.as_str(), self.show(&b.value)))
                    .collect();
                parts.extend(c.validators.iter().map(|x| self.show(x)));
                if parts.is_empty() || c.kind != Kind::TOP && !crate::print::implied(c) {
                    parts.push(c.kind.name());
                }
                parts.join(" & ")
            }
            Value::Struct => "{...}".into(),
            Value::List => "[...]".into(),
            Value::Disj(list) => list
                .iter()
                .map(|(x, _)| self.show_vertex_compact(*x))
                .collect::<Vec<_>>()
                .join(" | "),
            Value::Vertex(id) => self.show_vertex_compact(*id),
            Value::Builtin(b) => b.name().into(),
            Value::Func(f) => f.qualified_name(),
            Value::Validator(x) => {
                let args: Vec<String> = x.args.iter().map(|a| self.show(a)).collect();
                format!("{}({})", x.func.qualified_name(), args.join(", "))
            }
        }
    }

    /// The compact text of a vertex's value.
    pub fn show_vertex_compact(&self, id: VertexId) -> String {
        let vx = self.v(id);
        match &vx.value {
            Value::Struct => {
                let parts: Vec<String> = vx
                    .arcs
                    .iter()
                    .filter(|(l, _)| !l.is_hidden())
                    .map(|(l, a)| {
                        format!("{}:{}", self.labels.name(*l), self.show_vertex_compact(*a))
                    })
                    .collect();
                format!("{{{}}}", parts.join(","))
            }
            Value::List => {
                let parts: Vec<String> = vx
                    .arcs
                    .iter()
                    .map(|(_, a)| self.show_vertex_compact(*a))
                    .collect();
                format!("[{}]", parts.join(","))
            }
            Value::Disj(list) => list
                .iter()
                .map(|(x, d)| {
                    let s = self.show_vertex_compact(*x);
                    if *d {
                        format!("*{s}")
                    } else {
                        s
                    }
                })
                .collect::<Vec<_>>()
                .join(" | "),
            other => self.show(other),
        }
    }
}

use crate::value::Kind;

impl Evaluator {
    /// A short text of a reference expression for messages (`x.b`, `a[0]`,
    /// `1`); other expressions are shown as `_`.
    pub(crate) fn expr_text(&self, e: &ExprRef) -> String {
        use crate::compile::ir::ExprKind;
        match &e.kind {
            ExprKind::FieldRef { label, .. } | ExprKind::LetRef { name: label, .. } => {
                self.labels.name(*label)
            }
            ExprKind::Selector(base, label) => {
                format!(
                    "{}.{}",
                    self.expr_text(base),
                    self.labels.path_segment(*label)
                )
            }
            ExprKind::Index(base, index) => {
                format!("{}[{}]", self.expr_text(base), self.expr_text(index))
            }
            ExprKind::Null => "null".into(),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Num(n) => self.show(&Value::Num(n.clone())),
            ExprKind::Str(s) => quote(s),
            _ => "_".into(),
        }
    }
}
