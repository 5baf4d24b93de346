//! Helpers to write plan trees by hand in tests.
#![allow(dead_code)]

use dag::path::Path;
use dag::tree::{Field, FieldKind, Node};

/// A path from its CUE text.
pub fn p(text: &str) -> Path {
    Path::parse(text).unwrap_or_else(|| panic!("bad path {text}"))
}

/// A concrete string.
pub fn s(text: &str) -> Node {
    Node::string(text)
}

/// A list of strings.
pub fn strs(items: &[&str]) -> Node {
    Node::list(items.iter().map(|i| s(i)).collect())
}

/// An op: `do` plus fields.
pub fn op(name: &str, fields: Vec<(&str, Node)>) -> Node {
    let mut n = Node::structure([("do", s(name))]);
    for (l, v) in fields {
        n = n.with_field(l, v);
    }
    n
}

/// A component `{#compute: [ops]}`.
pub fn comp(ops: Vec<Node>) -> Node {
    Node::empty_struct().with_field("#compute", Node::list(ops))
}

/// Adds an unset optional field.
pub fn with_optional(mut n: Node, label: &str, v: Node) -> Node {
    n.fields.push(Field {
        label: label.into(),
        kind: FieldKind::Optional,
        node: v,
    });
    n
}
