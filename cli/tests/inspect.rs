//! `dagger dag` and `dagger llb` on the end-to-end plans (no engine needed).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn plan(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/plans")
        .join(name)
}

fn dagger(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dagger"))
        .args(args)
        .output()
        .expect("run dagger")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn dag_prints_graphviz() {
    let dir = plan("dependency-json-unmarshal");
    let out = dagger(&["dag", dir.to_str().unwrap(), "--format", "dot"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "digraph dag {\n  rankdir=LR;\n  node [shape=box];\n  \"raw\";\n  \"server\";\n  \"raw\" -> \"server\";\n}\n"
    );
}

#[test]
fn dag_reports_a_cycle() {
    let dir = plan("dependency-cycle");
    let out = dagger(&["dag", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("dependency cycle between components: a -> b -> a"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn llb_prints_one_json_op_per_line_with_digests_and_names() {
    let dir = plan("copy");
    let out = dagger(&["llb", dir.to_str().unwrap(), "result"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    for l in &lines {
        let d = l["digest"].as_str().unwrap();
        assert!(d.starts_with("sha256:") && d.len() == 71, "{d}");
    }
    let names: Vec<&str> = lines.iter().filter_map(|l| l["name"].as_str()).collect();
    assert!(
        names.contains(
            &"result.#compute[3] exec sh -c 'cat /dest/c.txt /wild/a.txt /wild/b.txt > /out'"
        ),
        "{names:?}"
    );
    // The same plan gives the same LLB.
    let again = dagger(&["llb", dir.to_str().unwrap(), "result"]);
    assert_eq!(again.stdout, out.stdout);
}

#[test]
fn llb_rejects_a_path_that_is_not_a_component() {
    let dir = plan("copy");
    let out = dagger(&["llb", dir.to_str().unwrap(), "nothing"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("nothing is not a component; components: source, result"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn compute_rejects_a_malformed_input_as_usage() {
    let dir = plan("input-json");
    let out = dagger(&[
        "compute",
        dir.to_str().unwrap(),
        "--input-string",
        "no-equals-sign",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("--input-string: expected PATH=VALUE"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn json_logs_are_one_object_per_line_and_stdout_stays_the_result() {
    // Nothing can run without the input, so no engine is needed.
    let dir = plan("partial-missing-input");
    let out = dagger(&["compute", dir.to_str().unwrap(), "--log-format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "{}\n");
    let events: Vec<serde_json::Value> = text(&out.stderr)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    let skipped = events
        .iter()
        .find(|e| e["event"] == "skipped")
        .expect("a skipped event");
    assert_eq!(skipped["component"], "test");
    assert!(
        skipped["reason"].as_str().unwrap().contains("not concrete"),
        "{skipped}"
    );
}
