//! Finding components and the dependencies between them.

mod common;

use common::*;
use dag::graph::{find_components, Graph};
use dag::tree::Node;

fn exec(args: Vec<Node>) -> Node {
    op("exec", vec![("args", Node::list(args))])
}

#[test]
fn components_are_found_in_regular_fields_only() {
    let root = Node::structure([
        ("a", comp(vec![])),
        (
            "nested",
            Node::structure([("b", comp(vec![])), ("x", s("1"))]),
        ),
        ("list", Node::list(vec![comp(vec![])])),
    ])
    .with_field("#def", comp(vec![]))
    .with_field("_hidden", comp(vec![]));
    let root = with_optional(root, "opt", comp(vec![]));
    assert_eq!(find_components(&root), vec![p("a"), p("nested.b")]);
}

#[test]
fn the_root_itself_can_be_a_component() {
    let root = comp(vec![]).with_field("inner", comp(vec![]));
    assert_eq!(find_components(&root), vec![p(""), p("inner")]);
}

#[test]
fn direct_interpolated_and_inner_references_make_edges() {
    let root = Node::structure([
        ("a", comp(vec![]).with_field("out", s("x"))),
        // b loads a directly
        (
            "b",
            comp(vec![op(
                "load",
                vec![("from", comp(vec![]).with_ref(p("a")))],
            )]),
        ),
        // c interpolates a value inside a
        (
            "c",
            comp(vec![exec(vec![s("echo"), s("x").with_ref(p("a.out"))])]),
        ),
        ("d", comp(vec![])),
    ]);
    let g = Graph::build(&root).unwrap();
    assert_eq!(g.deps(&p("b")), vec![p("a")]);
    assert_eq!(g.deps(&p("c")), vec![p("a")]);
    assert!(g.deps(&p("a")).is_empty() && g.deps(&p("d")).is_empty());
    assert_eq!(g.to_text(), "a\nb <- a\nc <- a\nd\n");
}

#[test]
fn references_through_derived_values_reach_the_component() {
    // cfg: json.Unmarshal(a)  (outside any component)  ;  b uses cfg.port
    let root = Node::structure([
        (
            "a",
            Node::incomplete("string").with_field("#compute", Node::list(vec![])),
        ),
        (
            "cfg",
            Node::incomplete("json.Unmarshal(a)").with_ref(p("a")),
        ),
        ("port", Node::incomplete("cfg.port").with_ref(p("cfg.port"))),
        (
            "b",
            comp(vec![exec(vec![
                s("echo"),
                Node::incomplete("port").with_ref(p("port")),
            ])]),
        ),
    ]);
    let g = Graph::build(&root).unwrap();
    assert_eq!(g.deps(&p("b")), vec![p("a")]);
}

#[test]
fn a_reference_inside_the_component_itself_is_not_an_edge() {
    let root = Node::structure([(
        "a",
        comp(vec![exec(vec![s("echo"), s("v").with_ref(p("a.v"))])]).with_field("v", s("v")),
    )]);
    let g = Graph::build(&root).unwrap();
    assert!(g.deps(&p("a")).is_empty());
}

#[test]
fn nested_components_are_their_own_nodes() {
    // outer contains inner; inner depends on x; outer itself does not.
    let inner = comp(vec![exec(vec![s("echo").with_ref(p("x"))])]);
    let root = Node::structure([
        ("x", comp(vec![])),
        ("outer", comp(vec![]).with_field("inner", inner)),
    ]);
    let g = Graph::build(&root).unwrap();
    assert_eq!(g.deps(&p("outer.inner")), vec![p("x")]);
    assert!(g.deps(&p("outer")).is_empty());
}

#[test]
fn a_cycle_is_an_error_naming_it() {
    let root = Node::structure([
        (
            "a",
            comp(vec![exec(vec![Node::incomplete("b").with_ref(p("b"))])]),
        ),
        (
            "b",
            comp(vec![exec(vec![Node::incomplete("c").with_ref(p("c"))])]),
        ),
        (
            "c",
            comp(vec![exec(vec![Node::incomplete("a").with_ref(p("a"))])]),
        ),
        ("d", comp(vec![])),
    ]);
    let err = Graph::build(&root).unwrap_err();
    assert_eq!(
        err.to_string(),
        "dependency cycle between components: a -> c -> b -> a"
    );
}

#[test]
fn dot_output_lists_nodes_and_edges_with_quoted_ids() {
    let root = Node::structure([
        ("a", comp(vec![])),
        (
            "my-b",
            comp(vec![op(
                "load",
                vec![("from", comp(vec![]).with_ref(p("a")))],
            )]),
        ),
    ]);
    let dot = Graph::build(&root).unwrap().to_dot();
    assert!(dot.starts_with("digraph dag {\n"), "{dot}");
    assert!(dot.contains("  \"a\";\n"), "{dot}");
    assert!(dot.contains("  \"a\" -> \"\\\"my-b\\\"\";\n"), "{dot}");
    assert!(dot.ends_with("}\n"));
}

#[test]
fn a_known_scalar_of_an_enclosing_component_is_input_not_a_dependency() {
    // file.#Append: `more` interpolates what its nested `orig` exports, and
    // `orig` reads `more.filename` (a known string) and loads `more.from`.
    let orig = Node::incomplete("string").with_field(
        "#compute",
        Node::list(vec![
            op(
                "load",
                vec![("from", comp(vec![]).with_ref(p("more.from")))],
            ),
            op(
                "export",
                vec![("source", s("/f").with_ref(p("more.filename")))],
            ),
        ]),
    );
    let more = comp(vec![op(
        "write-file",
        vec![
            ("dest", s("/f").with_ref(p("more.filename"))),
            ("content", Node::incomplete("orig").with_ref(p("more.orig"))),
        ],
    )])
    .with_field("filename", s("/f"))
    .with_field("from", comp(vec![]))
    .with_field("orig", orig);
    let g = Graph::build(&Node::structure([("more", more)])).unwrap();
    assert_eq!(g.deps(&p("more.orig")), vec![p("more.from")]);
    assert_eq!(g.deps(&p("more")), vec![p("more.orig")]);

    // A value of the enclosing component that is not known yet (what it
    // exports) still makes the nested one wait.
    let inner = comp(vec![exec(
        vec![Node::incomplete("string").with_ref(p("x"))],
    )]);
    let x = Node::incomplete("string")
        .with_field("#compute", Node::list(vec![]))
        .with_field("inner", inner);
    let g = Graph::build(&Node::structure([("x", x)])).unwrap();
    assert_eq!(g.deps(&p("x.inner")), vec![p("x")]);
}
