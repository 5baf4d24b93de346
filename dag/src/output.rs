//! What `dagger compute` prints: the merged state restricted to what is
//! concrete, as one line of JSON.
//!
//! Definitions, hidden fields, unset optional fields and non-concrete values
//! are left out; structs that become empty stay as `{}`; a list is printed
//! only when all its elements are. Strings are escaped like Go's encoder
//! (`<`, `>`, `&`, U+2028 and U+2029 as `\uXXXX`), as `cue export` does.

use base64::Engine as _;

use crate::tree::{FieldKind, Kind, Node, Scalar};

/// The one-line JSON for the evaluated plan `root` (no trailing newline).
pub fn concrete_json(root: &Node) -> String {
    concrete_json_hiding(root, &[])
}

/// [`concrete_json`] leaving out every string that holds one of `secrets`
/// (as if it were not concrete), so secret inputs are never printed.
pub fn concrete_json_hiding(root: &Node, secrets: &[&str]) -> String {
    render(root, secrets).unwrap_or_else(|| "{}".to_string())
}

fn render(node: &Node, secrets: &[&str]) -> Option<String> {
    match &node.kind {
        Kind::Incomplete(_) | Kind::Bottom(_) => None,
        Kind::Scalar(Scalar::String(s))
            if secrets.iter().any(|x| !x.is_empty() && s.contains(x)) =>
        {
            None
        }
        Kind::Scalar(s) => Some(scalar(s)),
        Kind::List => {
            let elems: Option<Vec<String>> =
                node.elems.iter().map(|e| render(e, secrets)).collect();
            Some(format!("[{}]", elems?.join(",")))
        }
        Kind::Struct => {
            let fields: Vec<String> = node
                .fields
                .iter()
                .filter(|f| f.kind == FieldKind::Regular)
                .filter_map(|f| {
                    render(&f.node, secrets).map(|v| format!("{}:{v}", json_string(&f.label)))
                })
                .collect();
            Some(format!("{{{}}}", fields.join(",")))
        }
    }
}

fn scalar(s: &Scalar) -> String {
    match s {
        Scalar::Null => "null".into(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Number(n) => n.clone(),
        Scalar::String(s) => json_string(s),
        Scalar::Bytes(b) => json_string(&base64::engine::general_purpose::STANDARD.encode(b)),
    }
}

/// A JSON string literal escaped the way Go's `encoding/json` does.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_empty_component_prints_as_an_empty_struct() {
        let root = Node::structure([(
            "empty",
            Node::empty_struct().with_field("#compute", Node::list(vec![])),
        )]);
        assert_eq!(concrete_json(&root), r#"{"empty":{}}"#);
    }

    #[test]
    fn a_root_component_without_export_prints_empty() {
        let root = Node::empty_struct().with_field("#compute", Node::list(vec![]));
        assert_eq!(concrete_json(&root), "{}");
    }

    #[test]
    fn non_concrete_hidden_and_definitions_are_left_out() {
        let root = Node::structure([
            ("in", Node::incomplete("string")),
            ("n", Node::number("42")),
            (
                "l",
                Node::list(vec![
                    Node::bool(true),
                    Node::new(Kind::Scalar(Scalar::Null)),
                ]),
            ),
            ("partial", Node::list(vec![Node::incomplete("int")])),
        ])
        .with_field("_h", Node::string("x"))
        .with_field("#d", Node::string("y"));
        assert_eq!(concrete_json(&root), r#"{"n":42,"l":[true,null]}"#);
    }

    #[test]
    fn an_exported_scalar_component_prints_as_that_scalar() {
        let x = Node::string("abc").with_field("#compute", Node::list(vec![]));
        assert_eq!(
            concrete_json(&Node::structure([("x", x)])),
            r#"{"x":"abc"}"#
        );
    }

    #[test]
    fn secret_strings_are_left_out() {
        let root = Node::structure([
            ("token", Node::string("hunter2")),
            ("other", Node::string("shown")),
            ("nested", Node::structure([("t", Node::string("hunter2"))])),
        ]);
        assert_eq!(
            concrete_json_hiding(&root, &["hunter2"]),
            r#"{"other":"shown","nested":{}}"#
        );
    }

    #[test]
    fn strings_are_escaped_like_go() {
        assert_eq!(
            json_string("a<b>&\"\\\n\u{1}\u{2028}é"),
            r#""a\u003cb\u003e\u0026\"\\\n\u0001\u2028é""#
        );
    }
}
