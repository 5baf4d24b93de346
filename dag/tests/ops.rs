//! Reading typed ops out of plan trees: defaults, `from:` forms, errors.

mod common;

use common::*;
use dag::ops::{ExportFormat, Mount, Op};
use dag::parse::{component_ops, OpsError};
use dag::tree::Node;

fn parse_one(op_node: Node) -> Result<Op, OpsError> {
    component_ops(&comp(vec![op_node]), &p("a")).map(|mut ops| ops.remove(0))
}

#[test]
fn exec_gets_its_defaults() {
    let op = parse_one(op("exec", vec![("args", strs(&["sh", "-c", "true"]))])).unwrap();
    let Op::Exec(e) = op else { panic!("{op:?}") };
    assert_eq!(e.args, ["sh", "-c", "true"]);
    assert_eq!(e.dir, None);
    assert!(!e.always);
    assert!(e.env.is_empty() && e.mounts.is_empty());
}

#[test]
fn file_ops_get_their_default_modes_and_dirs() {
    let w = parse_one(op(
        "write-file",
        vec![("content", s("x")), ("dest", s("/f"))],
    ))
    .unwrap();
    assert_eq!(
        w,
        Op::WriteFile {
            content: "x".into(),
            dest: "/f".into(),
            mode: 0o644
        }
    );
    let m = parse_one(op("mkdir", vec![("path", s("a/b"))])).unwrap();
    assert_eq!(
        m,
        Op::Mkdir {
            dir: "/".into(),
            path: "a/b".into(),
            mode: 0o755
        }
    );
    let m = parse_one(op(
        "mkdir",
        vec![("path", s("d")), ("mode", Node::number("448"))],
    ))
    .unwrap();
    assert_eq!(
        m,
        Op::Mkdir {
            dir: "/".into(),
            path: "d".into(),
            mode: 0o700
        }
    );
    let x = parse_one(op("export", vec![("source", s("/out"))])).unwrap();
    assert_eq!(
        x,
        Op::Export {
            source: "/out".into(),
            format: ExportFormat::String
        }
    );
    let sd = parse_one(op("subdir", vec![])).unwrap();
    assert_eq!(sd, Op::Subdir { dir: "/".into() });
    let l = parse_one(op("local", vec![("dir", s("."))])).unwrap();
    assert_eq!(
        l,
        Op::Local {
            dir: ".".into(),
            include: vec![]
        }
    );
}

#[test]
fn an_incomplete_value_is_not_concrete_with_its_path() {
    let args = Node::list(vec![s("echo"), Node::incomplete("string")]);
    let err = parse_one(op("exec", vec![("args", args)])).unwrap_err();
    assert_eq!(
        err,
        OpsError::NotConcrete {
            path: p("a.#compute[0].args[1]"),
            reason: "string".into()
        }
    );
    let err = parse_one(Node::structure([("do", Node::incomplete("string"))])).unwrap_err();
    assert!(matches!(err, OpsError::NotConcrete { .. }), "{err:?}");
}

#[test]
fn an_unknown_op_is_invalid_with_a_suggestion() {
    let err = parse_one(op("exce", vec![("args", strs(&["true"]))])).unwrap_err();
    let OpsError::Invalid { path, message, .. } = err else {
        panic!()
    };
    assert_eq!(path, p("a.#compute[0].do"));
    assert!(
        message.contains(r#"unknown op "exce" (did you mean "exec"?)"#),
        "{message}"
    );
}

#[test]
fn an_unknown_field_is_invalid_with_a_suggestion() {
    let err = parse_one(op("exec", vec![("arg", strs(&["true"]))])).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"a.#compute[0].arg: field not allowed in exec (did you mean "args"?)"#
    );
}

#[test]
fn missing_required_fields_and_wrong_types_are_invalid() {
    let err = parse_one(op("fetch-container", vec![])).unwrap_err();
    assert_eq!(err.to_string(), "a.#compute[0]: missing field `ref`");
    let err = parse_one(op("exec", vec![("args", s("ls"))])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "a.#compute[0].args: expected a list of strings, found a string"
    );
    let err = parse_one(op("exec", vec![("args", strs(&[]))])).unwrap_err();
    assert!(err.to_string().contains("at least one argument"));
    let err = parse_one(op(
        "export",
        vec![("source", s("/f")), ("format", s("toml"))],
    ))
    .unwrap_err();
    assert!(
        err.to_string().contains(r#"unknown export format "toml""#),
        "{err}"
    );
    let err = parse_one(op("docker-build", vec![])).unwrap_err();
    assert!(
        err.to_string()
            .contains("needs `context`, `dockerfile` or both"),
        "{err}"
    );
    let err = component_ops(&Node::structure([("#compute", s("x"))]), &p("a")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("a.#compute: expected a list of ops"),
        "{err}"
    );
}

#[test]
fn from_accepts_a_component_a_list_a_single_op_or_inline_compute() {
    let fetch = || op("fetch-container", vec![("ref", s("alpine"))]);
    let other =
        Node::structure([("x", s("kept"))]).with_field("#compute", Node::list(vec![fetch()]));
    let forms = [
        other,
        Node::list(vec![fetch()]),
        fetch(),
        Node::empty_struct().with_field("#compute", Node::list(vec![fetch()])),
    ];
    for from in forms {
        let op = parse_one(op("load", vec![("from", from.clone())])).unwrap();
        let Op::Load { from: src } = op else { panic!() };
        assert_eq!(
            src.ops,
            vec![Op::FetchContainer {
                reference: "alpine".into()
            }],
            "{from:?}"
        );
    }
    let err = parse_one(op("load", vec![("from", s("alpine"))])).unwrap_err();
    assert!(
        err.to_string()
            .contains("from: expected a component, an op or a list of ops"),
        "{err}"
    );
    let err = parse_one(op("copy", vec![("from", Node::incomplete("_"))])).unwrap_err();
    assert!(matches!(err, OpsError::NotConcrete { .. }));
}

#[test]
fn nested_from_errors_carry_the_nested_path() {
    let bad = Node::list(vec![op("exec", vec![])]);
    let err = parse_one(op("copy", vec![("from", bad)])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "a.#compute[0].from[0]: missing field `args`"
    );
}

#[test]
fn mounts_are_tmpfs_cache_or_from() {
    let mounts = Node::structure([
        ("/tmp", s("tmpfs")),
        ("/cache", s("cache")),
        (
            "/src",
            Node::structure([("from", Node::list(vec![])), ("path", s("/sub"))]),
        ),
    ]);
    let parsed = parse_one(op("exec", vec![("args", strs(&["ls"])), ("mount", mounts)])).unwrap();
    let Op::Exec(e) = parsed else { panic!() };
    assert_eq!(e.mounts["/tmp"], Mount::Tmpfs);
    assert_eq!(
        e.mounts["/cache"],
        Mount::Cache {
            key: r#"a.#compute[0].mount."/cache""#.into()
        }
    );
    let Mount::From { from, path } = &e.mounts["/src"] else {
        panic!()
    };
    assert_eq!((from.ops.len(), path.as_str()), (0, "/sub"));
    let bad = Node::structure([("/x", s("disk"))]);
    let err = parse_one(op("exec", vec![("args", strs(&["ls"])), ("mount", bad)])).unwrap_err();
    assert!(err.to_string().contains(r#"unknown mount "disk""#), "{err}");
}

#[test]
fn an_error_value_is_invalid() {
    let args = Node::list(vec![Node::new(dag::tree::Kind::Bottom(
        "conflicting values 1 and 2".into(),
    ))]);
    let err = parse_one(op("exec", vec![("args", args)])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "a.#compute[0].args[0]: conflicting values 1 and 2"
    );
}

#[test]
fn compute_may_be_a_list_a_single_op_or_a_component_as_in_the_original() {
    let fetch = || op("fetch-container", vec![("ref", s("busybox"))]);
    let exec = || op("exec", vec![("args", strs(&["true"]))]);
    let forms = [
        Node::list(vec![fetch(), exec()]),
        // A component, itself holding a component.
        Node::empty_struct().with_field(
            "#compute",
            Node::empty_struct().with_field("#compute", Node::list(vec![fetch(), exec()])),
        ),
    ];
    for form in forms {
        let ops =
            component_ops(&Node::empty_struct().with_field("#compute", form), &p("a")).unwrap();
        assert_eq!(ops.len(), 2, "{ops:?}");
        assert!(matches!(ops[0], Op::FetchContainer { .. }), "{ops:?}");
        assert!(matches!(ops[1], Op::Exec(_)), "{ops:?}");
    }
    let single = component_ops(
        &Node::empty_struct().with_field("#compute", exec()),
        &p("a"),
    )
    .unwrap();
    assert_eq!(single.len(), 1);
    assert!(matches!(single[0], Op::Exec(_)));
    // An error inside the nested form names where it is.
    let nested = Node::empty_struct().with_field(
        "#compute",
        Node::list(vec![op("exec", vec![("args", s("true"))])]),
    );
    let err = component_ops(
        &Node::empty_struct().with_field("#compute", nested),
        &p("a"),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("a.#compute.#compute[0].args: expected a list of strings"),
        "{err}"
    );
}

#[test]
fn a_compute_that_is_no_op_form_is_invalid_as_the_original_refused_it() {
    // tests/compute/invalid/{bool,int,string,struct} of the original.
    for (value, found) in [
        (Node::bool(true), "a bool"),
        (Node::number("123"), "a number"),
        (s("whatever"), "a string"),
        (Node::structure([("whatever", s("wrong"))]), "a struct"),
    ] {
        let err = component_ops(&Node::empty_struct().with_field("#compute", value), &p("a"))
            .unwrap_err();
        assert!(matches!(err, OpsError::Invalid { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!("a.#compute: expected a list of ops, an op or a component, found {found}")
        );
    }
}

#[test]
fn a_relative_mount_target_is_relative_to_the_root() {
    let mounts = Node::structure([("something", s("cache")), ("tmp/x", s("tmpfs"))]);
    let parsed = parse_one(op("exec", vec![("args", strs(&["ls"])), ("mount", mounts)])).unwrap();
    let Op::Exec(e) = parsed else { panic!() };
    assert_eq!(
        e.mounts.keys().collect::<Vec<_>>(),
        ["/something", "/tmp/x"]
    );
    // The cache is still keyed by where the mount is written.
    assert_eq!(
        e.mounts["/something"],
        Mount::Cache {
            key: "a.#compute[0].mount.something".into()
        }
    );
    let twice = Node::structure([("x", s("tmpfs")), ("/x", s("cache"))]);
    let err = parse_one(op("exec", vec![("args", strs(&["ls"])), ("mount", twice)])).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(r#"a.#compute[0].mount."/x": a second mount at /x"#),
        "{err}"
    );
}
