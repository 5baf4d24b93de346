//! Compiling components to LLB (no daemon): names, inlined `from:` and
//! deterministic digests.
#![cfg(feature = "buildkit")]

mod common;

use common::*;
use dag::buildkit::llb_ops;
use dag::compile::compile;
use dag::parse::component_ops;
use dag::tree::Node;

fn summaries(root: &Node, component: &str) -> Vec<llb::dump::OpSummary> {
    let path = p(component);
    let ops = component_ops(root.lookup(&path).unwrap(), &path).unwrap();
    let compiled = compile(
        &ops,
        &path.field("#compute"),
        &Default::default(),
        &dag::host::HostAccess::new(&std::env::temp_dir(), &[]).unwrap(),
    )
    .unwrap();
    llb_ops(&compiled.state, llb::Platform::linux_amd64()).unwrap()
}

fn plan() -> Node {
    let base = comp(vec![
        op("fetch-container", vec![("ref", s("busybox"))]),
        op("write-file", vec![("content", s("x")), ("dest", s("/x"))]),
    ]);
    let env = Node::structure([("B", s("2")), ("A", s("1"))]);
    let app = comp(vec![
        op("load", vec![("from", base.clone())]),
        op(
            "exec",
            vec![("args", strs(&["sh", "-c", "true"])), ("env", env)],
        ),
    ]);
    Node::structure([("base", base), ("app", app)])
}

#[test]
fn ops_carry_their_component_path_as_name() {
    let names: Vec<String> = summaries(&plan(), "app")
        .into_iter()
        .filter_map(|s| s.name)
        .collect();
    assert!(
        names.contains(&"app.#compute[1] exec sh -c true".to_string()),
        "{names:?}"
    );
    // The loaded component's ops are inlined, named where they are read.
    assert!(
        names.contains(&"app.#compute[0].from.#compute[1] write-file /x".to_string()),
        "{names:?}"
    );
}

#[test]
fn a_dependency_is_an_input_of_the_same_graph() {
    let base = summaries(&plan(), "base");
    let app = summaries(&plan(), "app");
    // base's image source is shared; its file op differs only by name, which is metadata.
    let digests =
        |v: &[llb::dump::OpSummary]| v.iter().map(|s| s.digest.clone()).collect::<Vec<_>>();
    let (b, a) = (digests(&base), digests(&app));
    assert!(
        b.iter().filter(|d| a.contains(d)).count() >= 2,
        "base {b:?} app {a:?}"
    );
}

#[test]
fn digests_are_deterministic() {
    let one = serde_json::to_string(&summaries(&plan(), "app")).unwrap();
    for _ in 0..5 {
        assert_eq!(
            serde_json::to_string(&summaries(&plan(), "app")).unwrap(),
            one
        );
    }
}
