//! Memoised outputs (`run_with` and `memo::component_key`), with an
//! in-memory plan and solver: a component whose key is in the memo is not
//! solved, a changed op or host file changes its key, `always` has none.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use common::*;
use dag::fake::{FakeSolver, Filled, FnPlan};
use dag::memo::Memo;
use dag::path::Path;
use dag::run::{run_with, Incremental, Options};
use dag::tree::Node;

fn options(dir: &std::path::Path) -> Options {
    Options {
        plan_dir: dir.to_path_buf(),
        allow_host_paths: Vec::new(),
        events: dag::events::discard(),
    }
}

fn filled_at(filled: &Filled, path: &str) -> Option<String> {
    filled
        .iter()
        .rev()
        .find(|(p, _)| p.to_string() == path)
        .and_then(|(_, v)| v.as_str().map(str::to_string))
}

/// `a` writes `content`, `b` writes what `a` exported.
fn plan(content: &'static str) -> FnPlan {
    FnPlan::new(move |filled| {
        let a_val = filled_at(filled, "a");
        let a = match &a_val {
            Some(v) => Node::string(v),
            None => Node::incomplete("string"),
        }
        .with_field(
            "#compute",
            Node::list(vec![
                op(
                    "write-file",
                    vec![("content", s(content)), ("dest", s("/o"))],
                ),
                op("export", vec![("source", s("/o"))]),
            ]),
        );
        let b_content = match &a_val {
            Some(v) => s(&format!("b-{v}")),
            None => Node::incomplete("string"),
        };
        let b = match filled_at(filled, "b") {
            Some(v) => Node::string(&v),
            None => Node::incomplete("string"),
        }
        .with_field(
            "#compute",
            Node::list(vec![
                op(
                    "write-file",
                    vec![("content", b_content), ("dest", s("/o"))],
                ),
                op("export", vec![("source", s("/o"))]),
            ]),
        )
        .with_ref(p("a"));
        Ok(Node::structure([("a", a), ("b", b)]))
    })
    .unwrap()
}

/// A memo built from a report's outputs; counts lookups that hit.
#[derive(Default)]
struct Stored {
    by: Mutex<BTreeMap<String, (String, Vec<serde_json::Value>)>>,
    hits: Mutex<usize>,
}

impl Memo for Stored {
    fn get(&self, c: &Path, key: &str) -> Option<Vec<serde_json::Value>> {
        let by = self.by.lock().unwrap();
        let (k, v) = by.get(&c.to_string())?;
        if k == key {
            *self.hits.lock().unwrap() += 1;
            Some(v.clone())
        } else {
            None
        }
    }
}

#[tokio::test]
async fn an_unchanged_component_is_not_solved_and_a_changed_one_is() {
    let dir = tempfile::tempdir().unwrap();
    let memo = Arc::new(Stored::default());
    let incremental = Incremental {
        memo: Some(memo.clone()),
        ..Incremental::default()
    };
    // First run: nothing stored, both solve; keys are recorded.
    let solver = Arc::new(FakeSolver::new());
    let mut first = plan("one");
    let report = run_with(
        &mut first,
        solver.clone(),
        &options(dir.path()),
        &incremental,
    )
    .await
    .unwrap();
    assert_eq!(report.outputs.len(), 2);
    assert!(report
        .outputs
        .values()
        .all(|o| !o.reused && o.key.is_some()));
    let solves = solver.entries().len();
    assert!(solves > 0);
    {
        let mut by = memo.by.lock().unwrap();
        for (c, o) in &report.outputs {
            by.insert(c.to_string(), (o.key.clone().unwrap(), o.exports.clone()));
        }
    }
    // Same plan: both reused from the memo, the solver untouched.
    let solver = Arc::new(FakeSolver::new());
    let mut again = plan("one");
    let report = run_with(
        &mut again,
        solver.clone(),
        &options(dir.path()),
        &incremental,
    )
    .await
    .unwrap();
    assert!(report.outputs.values().all(|o| o.reused), "{report:?}");
    assert_eq!(solver.entries(), Vec::<String>::new());
    assert_eq!(
        dag::output::concrete_json(dag::plan::Plan::root(&again)),
        r#"{"a":"one","b":"b-one"}"#
    );
    // a's content changed: a and b (which reads it) are solved again.
    let solver = Arc::new(FakeSolver::new());
    let mut changed = plan("two");
    let report = run_with(
        &mut changed,
        solver.clone(),
        &options(dir.path()),
        &incremental,
    )
    .await
    .unwrap();
    assert!(report.outputs.values().all(|o| !o.reused), "{report:?}");
    assert_eq!(
        dag::output::concrete_json(dag::plan::Plan::root(&changed)),
        r#"{"a":"two","b":"b-two"}"#
    );
}

#[test]
fn keys_follow_local_content_and_always_has_none() {
    use dag::compile::{compile, ImageConfigs};
    use dag::host::HostAccess;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/f"), "1").unwrap();
    let host = HostAccess::new(dir.path(), &[]).unwrap();
    let local = dag::parse::op_list(
        &Node::list(vec![op("local", vec![("dir", s("src"))])]),
        &p("c.#compute"),
    )
    .unwrap();
    let key = || {
        let compiled = compile(&local, &p("c.#compute"), &ImageConfigs::new(), &host).unwrap();
        dag::memo::component_key(&compiled).unwrap()
    };
    let k1 = key();
    assert!(k1.is_some());
    assert_eq!(key(), k1, "the same content gives the same key");
    std::fs::write(dir.path().join("src/f"), "2").unwrap();
    assert_ne!(key(), k1, "changed content changes the key");
    std::fs::write(dir.path().join("src/f"), "1").unwrap();
    assert_eq!(key(), k1);

    let always = dag::parse::op_list(
        &Node::list(vec![op(
            "exec",
            vec![("args", strs(&["true"])), ("always", Node::bool(true))],
        )]),
        &p("c.#compute"),
    )
    .unwrap();
    let compiled = compile(&always, &p("c.#compute"), &ImageConfigs::new(), &host).unwrap();
    assert_eq!(dag::memo::component_key(&compiled).unwrap(), None);
}
