//! The reactive loop, with an in-memory plan and solver.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use dag::events::{Event, EventKind, Sink};
use dag::fake::{FakeSolver, Filled, FnPlan};
use dag::output::concrete_json;
use dag::plan::Plan;
use dag::run::{run, Options, RunError};
use dag::tree::{Kind, Node};

fn options() -> Options {
    Options {
        plan_dir: std::env::temp_dir(),
        allow_host_paths: Vec::new(),
        events: dag::events::discard(),
    }
}

fn recording() -> (Options, Arc<Mutex<Vec<Event>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let e = events.clone();
    let sink: Sink = Arc::new(move |ev: &Event| e.lock().unwrap().push(ev.clone()));
    (
        Options {
            plan_dir: std::env::temp_dir(),
            allow_host_paths: Vec::new(),
            events: sink,
        },
        events,
    )
}

/// The value filled at `path`, if any (the last one).
fn filled_at(filled: &Filled, path: &str) -> Option<String> {
    filled
        .iter()
        .rev()
        .find(|(p, _)| p.to_string() == path)
        .map(|(_, v)| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
}

fn write_and_export(content: &str) -> Vec<Node> {
    vec![
        op(
            "write-file",
            vec![("content", s(content)), ("dest", s("/out"))],
        ),
        op("export", vec![("source", s("/out"))]),
    ]
}

/// `{string, #compute: ops}`, a string once filled.
fn string_component(filled: &Filled, path: &str, ops: Vec<Node>) -> Node {
    let value = match filled_at(filled, path) {
        Some(v) => Node::string(&v),
        None => Node::incomplete("string"),
    };
    value.with_field("#compute", Node::list(ops))
}

#[tokio::test]
async fn an_empty_component_prints_as_an_empty_struct() {
    let mut plan = FnPlan::new(|_| Ok(Node::structure([("empty", comp(vec![]))]))).unwrap();
    let report = run(&mut plan, Arc::new(FakeSolver::new()), &options())
        .await
        .unwrap();
    assert_eq!(report.ran, vec![p("empty")]);
    assert_eq!(concrete_json(plan.root()), r#"{"empty":{}}"#);
}

#[tokio::test]
async fn an_exported_string_is_filled_into_the_component() {
    let mut plan = FnPlan::new(|f| {
        Ok(Node::structure([(
            "x",
            string_component(f, "x", write_and_export("hello")),
        )]))
    })
    .unwrap();
    run(&mut plan, Arc::new(FakeSolver::new()), &options())
        .await
        .unwrap();
    assert_eq!(concrete_json(plan.root()), r#"{"x":"hello"}"#);
}

#[tokio::test]
async fn json_and_yaml_exports_are_decoded() {
    let ops = |file: &str, content: &str| {
        vec![
            op(
                "write-file",
                vec![("content", s(content)), ("dest", s(file))],
            ),
            op(
                "export",
                vec![
                    ("source", s(file)),
                    (
                        "format",
                        s(if file.ends_with("json") {
                            "json"
                        } else {
                            "yaml"
                        }),
                    ),
                ],
            ),
        ]
    };
    let mut plan = FnPlan::new(move |_| {
        Ok(Node::structure([
            ("j", comp(ops("/o.json", r#"{"a": [1, "x"]}"#))),
            ("y", comp(ops("/o.yaml", "a: 1\nb: [true]\n"))),
        ]))
    })
    .unwrap();
    run(&mut plan, Arc::new(FakeSolver::new()), &options())
        .await
        .unwrap();
    assert_eq!(filled_at(plan.filled(), "j").unwrap(), r#"{"a":[1,"x"]}"#);
    assert_eq!(
        filled_at(plan.filled(), "y").unwrap(),
        r#"{"a":1,"b":[true]}"#
    );
}

#[tokio::test]
async fn an_invalid_json_export_names_the_component_and_op() {
    let mut plan = FnPlan::new(|_| {
        Ok(Node::structure([(
            "j",
            comp(vec![
                op(
                    "write-file",
                    vec![("content", s("{nope")), ("dest", s("/o"))],
                ),
                op("export", vec![("source", s("/o")), ("format", s("json"))]),
            ]),
        )]))
    })
    .unwrap();
    let err = run(&mut plan, Arc::new(FakeSolver::new()), &options())
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with("component j: j.#compute[1] export /o (Json): invalid JSON"),
        "{msg}"
    );
    assert_eq!(err.exit_code(), 1);
}

/// `a` exports a string; `b` interpolates it, so `b` is incomplete until `a` ran.
fn dependent_plan(f: &Filled) -> Node {
    let a = string_component(f, "a", write_and_export("from-a"));
    let arg = match filled_at(f, "a") {
        Some(v) => Node::string(&format!("got {v}")),
        None => Node::incomplete("string"),
    }
    .with_ref(p("a"));
    let b = string_component(
        f,
        "b",
        vec![
            op("write-file", vec![("content", arg), ("dest", s("/out"))]),
            op("export", vec![("source", s("/out"))]),
        ],
    );
    // b first in field order: the graph, not the order, decides.
    Node::structure([("b", b), ("a", a)])
}

#[tokio::test]
async fn a_dependent_runs_after_the_export_it_interpolates() {
    let mut plan = FnPlan::new(|f| Ok(dependent_plan(f))).unwrap();
    let report = run(&mut plan, Arc::new(FakeSolver::new()), &options())
        .await
        .unwrap();
    assert_eq!(report.ran, vec![p("a"), p("b")]);
    assert_eq!(
        concrete_json(plan.root()),
        r#"{"b":"got from-a","a":"from-a"}"#
    );
}

#[tokio::test]
async fn a_component_that_is_not_concrete_is_skipped_with_its_dependents() {
    // in: string (no input) ; test interpolates in ; after depends on test.
    let mut plan = FnPlan::new(|f| {
        let arg = Node::incomplete("string").with_ref(p("in"));
        let test = string_component(
            f,
            "test",
            vec![
                op("write-file", vec![("content", arg), ("dest", s("/o"))]),
                op("export", vec![("source", s("/o"))]),
            ],
        );
        let after = comp(vec![op(
            "load",
            vec![("from", comp(vec![]).with_ref(p("test")))],
        )]);
        Ok(Node::structure([
            ("in", Node::incomplete("string")),
            ("test", test),
            ("after", after),
            ("ok", comp(vec![])),
        ]))
    })
    .unwrap();
    let (opts, events) = recording();
    let report = run(&mut plan, Arc::new(FakeSolver::new()), &opts)
        .await
        .unwrap();
    assert_eq!(report.ran, vec![p("ok")]);
    assert_eq!(report.skipped.len(), 2);
    assert!(
        report.skipped[&p("test")].contains("test.#compute[0].content is not concrete"),
        "{:?}",
        report.skipped
    );
    assert_eq!(
        report.skipped[&p("after")],
        "depends on test, which was skipped"
    );
    // `after` is a struct: skipped or not, it prints as `{}`; `test` is a string that never came.
    assert_eq!(concrete_json(plan.root()), r#"{"after":{},"ok":{}}"#);
    let skipped: Vec<_> = events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Skipped { .. }))
        .map(|e| e.component.to_string())
        .collect();
    assert_eq!(skipped, ["test", "after"]);
}

#[tokio::test(start_paused = true)]
async fn independent_components_run_in_parallel() {
    let mut plan = FnPlan::new(|_| {
        Ok(Node::structure((0..20).map(|i| {
            (
                Box::leak(format!("c{i}").into_boxed_str()) as &str,
                comp(vec![op("exec", vec![("args", strs(&["sleep", "1"]))])]),
            )
        })))
    })
    .unwrap();
    let solver = FakeSolver {
        exec_delay: Duration::from_secs(1),
        ..FakeSolver::new()
    };
    let start = tokio::time::Instant::now();
    let report = run(&mut plan, Arc::new(solver.clone()), &options())
        .await
        .unwrap();
    let elapsed = start.elapsed();
    assert_eq!(report.ran.len(), 20);
    assert_eq!(
        solver
            .entries()
            .iter()
            .filter(|e| e.starts_with("exec"))
            .count(),
        20
    );
    assert!(
        elapsed < Duration::from_secs(2),
        "took {elapsed:?} of virtual time"
    );
}

#[tokio::test(start_paused = true)]
async fn a_chain_runs_in_sequence() {
    // c0 <- c1 <- c2 : each waits for the previous one.
    let mut plan = FnPlan::new(|_| {
        let mut fields = Vec::new();
        for i in 0..3 {
            let mut ops = vec![op("exec", vec![("args", strs(&["sleep", "1"]))])];
            if i > 0 {
                ops.insert(
                    0,
                    op(
                        "load",
                        vec![("from", comp(vec![]).with_ref(p(&format!("c{}", i - 1))))],
                    ),
                );
            }
            fields.push((format!("c{i}"), comp(ops)));
        }
        Ok(Node::structure(
            fields.iter().map(|(l, n)| (l.as_str(), n.clone())),
        ))
    })
    .unwrap();
    let solver = FakeSolver {
        exec_delay: Duration::from_secs(1),
        ..FakeSolver::new()
    };
    let start = tokio::time::Instant::now();
    let report = run(&mut plan, Arc::new(solver), &options()).await.unwrap();
    assert_eq!(report.ran, vec![p("c0"), p("c1"), p("c2")]);
    assert!(start.elapsed() >= Duration::from_secs(3));
}

#[tokio::test]
async fn a_failing_exec_names_component_op_code_and_output() {
    let mut plan = FnPlan::new(|_| {
        Ok(Node::structure([(
            "app",
            comp(vec![
                op("write-file", vec![("content", s("x")), ("dest", s("/f"))]),
                op("exec", vec![("args", strs(&["fail", "42"]))]),
            ]),
        )]))
    })
    .unwrap();
    let err = run(&mut plan, Arc::new(FakeSolver::new()), &options())
        .await
        .unwrap_err();
    assert_eq!(err.exit_code(), 42);
    let RunError::Op { component, op, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(component, &p("app"));
    assert_eq!(op.as_deref(), Some("app.#compute[1] exec fail 42"));
    assert_eq!(err.output_tail(), ["failing as asked", "last line"]);
}

#[tokio::test]
async fn an_export_that_conflicts_with_the_constraints_names_the_component() {
    // x: {int, #compute: [... export "abc"]}
    let mut plan = FnPlan::new(|f| {
        let x = match filled_at(f, "x") {
            Some(v) => Node::new(Kind::Bottom(format!(
                "conflicting values int and {v:?} (mismatched types int and string)"
            ))),
            None => Node::incomplete("int"),
        }
        .with_field("#compute", Node::list(write_and_export("abc")));
        Ok(Node::structure([("x", x)]))
    })
    .unwrap();
    let err = run(&mut plan, Arc::new(FakeSolver::new()), &options())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, RunError::Fill { component, .. } if component == &p("x")),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("component x: exported value conflicts"),
        "{err}"
    );
}

#[tokio::test]
async fn a_cycle_fails_before_anything_runs() {
    let mut plan = FnPlan::new(|_| {
        Ok(Node::structure([
            (
                "a",
                comp(vec![op(
                    "load",
                    vec![("from", Node::incomplete("b").with_ref(p("b")))],
                )]),
            ),
            (
                "b",
                comp(vec![op(
                    "load",
                    vec![("from", Node::incomplete("a").with_ref(p("a")))],
                )]),
            ),
        ]))
    })
    .unwrap();
    let solver = FakeSolver::new();
    let err = run(&mut plan, Arc::new(solver.clone()), &options())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "dependency cycle between components: a -> b -> a"
    );
    assert!(solver.entries().is_empty());
}

#[tokio::test]
async fn an_invalid_op_fails_the_run() {
    let mut plan =
        FnPlan::new(|_| Ok(Node::structure([("a", comp(vec![op("exce", vec![])]))]))).unwrap();
    let err = run(&mut plan, Arc::new(FakeSolver::new()), &options())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"component a: invalid op: a.#compute[0].do: unknown op "exce" (did you mean "exec"?)"#
    );
}

#[tokio::test]
async fn copy_load_and_subdir_move_files_between_components() {
    let mut plan = FnPlan::new(|f| {
        let src = comp(vec![
            op("mkdir", vec![("path", s("/d"))]),
            op(
                "write-file",
                vec![("content", s("42")), ("dest", s("/d/n"))],
            ),
        ]);
        let x = string_component(
            f,
            "x",
            vec![
                op(
                    "copy",
                    vec![
                        ("from", src.clone().with_ref(p("src"))),
                        ("src", s("/d")),
                        ("dest", s("/e")),
                    ],
                ),
                op("export", vec![("source", s("/e/n"))]),
            ],
        );
        let y = string_component(
            f,
            "y",
            vec![
                op("load", vec![("from", src.clone().with_ref(p("src")))]),
                op("subdir", vec![("dir", s("/d"))]),
                op("export", vec![("source", s("/n"))]),
            ],
        );
        Ok(Node::structure([("src", src), ("x", x), ("y", y)]))
    })
    .unwrap();
    run(&mut plan, Arc::new(FakeSolver::new()), &options())
        .await
        .unwrap();
    assert_eq!(
        concrete_json(plan.root()),
        r#"{"src":{},"x":"42","y":"42"}"#
    );
}

#[tokio::test]
async fn a_push_of_the_final_state_needs_no_separate_solve() {
    let mut plan = FnPlan::new(|_| {
        Ok(Node::structure([(
            "img",
            comp(vec![
                op("write-file", vec![("content", s("x")), ("dest", s("/f"))]),
                op("push-container", vec![("ref", s("127.0.0.1:5000/t:1"))]),
            ]),
        )]))
    })
    .unwrap();
    let solver = FakeSolver::new();
    run(&mut plan, Arc::new(solver.clone()), &options())
        .await
        .unwrap();
    assert_eq!(solver.entries(), ["push img 127.0.0.1:5000/t:1"]);
}

#[tokio::test]
async fn a_push_before_later_ops_happens_after_the_whole_component_built() {
    let mut plan = FnPlan::new(|_| {
        Ok(Node::structure([(
            "img",
            comp(vec![
                op("write-file", vec![("content", s("x")), ("dest", s("/f"))]),
                op("push-container", vec![("ref", s("127.0.0.1:5000/t:1"))]),
                op("exec", vec![("args", strs(&["check"]))]),
            ]),
        )]))
    })
    .unwrap();
    let solver = FakeSolver::new();
    run(&mut plan, Arc::new(solver.clone()), &options())
        .await
        .unwrap();
    assert_eq!(
        solver.entries(),
        ["exec check", "solve img", "push img 127.0.0.1:5000/t:1"]
    );
}

#[tokio::test]
async fn a_component_waits_for_running_exports_even_without_a_visible_reference() {
    // Like `dependent_plan`, but the evaluator reported no reference from b to a.
    let mut plan = FnPlan::new(|f| {
        let mut root = dependent_plan(f);
        fn strip(n: &mut Node) {
            n.refs.clear();
            n.fields.iter_mut().for_each(|f| strip(&mut f.node));
            n.elems.iter_mut().for_each(strip);
        }
        strip(&mut root);
        Ok(root)
    })
    .unwrap();
    let report = run(&mut plan, Arc::new(FakeSolver::new()), &options())
        .await
        .unwrap();
    assert_eq!(report.ran, vec![p("a"), p("b")]);
    assert!(report.skipped.is_empty());
}

#[tokio::test]
async fn a_plan_with_a_conflict_fails_before_anything_runs() {
    let mut plan = FnPlan::new(|_| {
        Ok(Node::structure([
            (
                "cfg",
                Node::structure([(
                    "name",
                    Node::new(Kind::Bottom("conflicting values string and 5".into())),
                )]),
            ),
            ("a", comp(vec![op("exec", vec![("args", strs(&["true"]))])])),
        ]))
    })
    .unwrap();
    let solver = FakeSolver::new();
    let err = run(&mut plan, Arc::new(solver.clone()), &options())
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "cfg.name: conflicting values string and 5");
    assert!(solver.entries().is_empty());
}

#[tokio::test]
async fn a_conflict_in_a_value_derived_from_an_export_names_the_exporter() {
    // port: json.Unmarshal(raw).port & <1024, and raw exports port 8080.
    let mut plan = FnPlan::new(|f| {
        let port = match filled_at(f, "raw") {
            Some(_) => Node::new(Kind::Bottom(
                "invalid value 8080 (out of bound <1024)".into(),
            )),
            None => Node::incomplete("<1024"),
        };
        Ok(Node::structure([
            (
                "raw",
                string_component(f, "raw", write_and_export("{\"port\": 8080}")),
            ),
            ("port", port),
        ]))
    })
    .unwrap();
    let err = run(&mut plan, Arc::new(FakeSolver::new()), &options())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "after unifying the value exported by raw:\nport: invalid value 8080 (out of bound <1024)"
    );
}

#[tokio::test]
async fn components_that_finish_together_are_filled_in_one_evaluation() {
    // Three independent exporters: the fake solver answers at once, so they
    // finish before the scheduler looks again.
    let mut plan = FnPlan::new(|f| {
        Ok(Node::structure([
            ("x", string_component(f, "x", write_and_export("1"))),
            ("y", string_component(f, "y", write_and_export("2"))),
            ("z", string_component(f, "z", write_and_export("3"))),
        ]))
    })
    .unwrap();
    let report = run(&mut plan, Arc::new(FakeSolver::new()), &options())
        .await
        .unwrap();
    assert_eq!(concrete_json(plan.root()), r#"{"x":"1","y":"2","z":"3"}"#);
    assert_eq!(report.ran.len(), 3);
    // The first evaluation plus one per batch of finished components.
    assert_eq!(plan.evaluations(), 1 + report.fills);
    assert!(report.fills < 3, "{} re-evaluations", report.fills);
}
