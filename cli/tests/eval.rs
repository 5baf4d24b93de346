//! `dagger eval` end to end. Expected texts were produced by the reference
//! `cue` v0.4.3 (`cue export --out json|yaml`, `cue eval`) on the same
//! inputs.

use std::path::Path;
use std::process::{Command, Output};

fn dagger(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dagger"))
        .arg("eval")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("dagger runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn files(list: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in list {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

const ONE: &str = "x: {\n\tname: \"svc\"\n\tport: *80 | int\n\ttags: [\"a\", \"yes\"]\n}\n";

#[test]
fn json_of_several_files() {
    let d = files(&[("one.cue", ONE), ("two.cue", "y: 2\n")]);
    let o = dagger(d.path(), &["--out", "json", "one.cue", "two.cue"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "{\n    \"x\": {\n        \"name\": \"svc\",\n        \"port\": 80,\n        \"tags\": [\n            \"a\",\n            \"yes\"\n        ]\n    },\n    \"y\": 2\n}\n"
    );
}

#[test]
fn yaml_output() {
    let d = files(&[("one.cue", ONE)]);
    let o = dagger(d.path(), &["--out", "yaml", "one.cue"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "x:\n  name: svc\n  port: 80\n  tags:\n    - a\n    - \"yes\"\n"
    );
}

#[test]
fn expressions() {
    let d = files(&[("one.cue", ONE)]);
    let o = dagger(d.path(), &["--out", "json", "-e", "x.port", "one.cue"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "80\n");
}

#[test]
fn directory_is_its_package() {
    let d = files(&[
        ("pkg/a.cue", "package p\n\na: 1\nb: \"x\"\n"),
        ("pkg/b.cue", "package p\n\nc: [a, b]\n"),
    ]);
    let o = dagger(d.path(), &["--out", "json", "./pkg"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "{\n    \"a\": 1,\n    \"c\": [\n        1,\n        \"x\"\n    ],\n    \"b\": \"x\"\n}\n"
    );
    // No argument: the current directory.
    let o = dagger(&d.path().join("pkg"), &["--out", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("{\n    \"a\": 1,"));
}

#[test]
fn conflict_is_reported_like_cue() {
    let d = files(&[("bad.cue", "a: 1\na: 2\n")]);
    let o = dagger(d.path(), &["--out", "json", "bad.cue"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).is_empty());
    // The reference lists both positions (1:4, 2:4); which ones the
    // evaluator attaches is its business, the layout is checked here.
    let err = stderr(&o);
    assert!(
        err.starts_with("a: conflicting values 2 and 1:\n    ./bad.cue:"),
        "{err}"
    );
    assert!(
        err.lines().skip(1).all(|l| l.starts_with("    ./bad.cue:")),
        "{err}"
    );
}

#[test]
fn non_concrete_export_fails_naming_the_path() {
    let d = files(&[("inc.cue", "a: int\nb: a + 1\n")]);
    let o = dagger(d.path(), &["--out", "json", "inc.cue"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("a: incomplete value int"), "{err}");
    assert!(err.contains("    ./inc.cue:1:4\n"), "{err}");
}

#[test]
fn missing_file_is_a_clear_error() {
    let d = files(&[]);
    let o = dagger(d.path(), &["--out", "json", "nope.cue"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("nope.cue"), "{}", stderr(&o));
}

#[test]
fn bad_flags_exit_2() {
    let d = files(&[]);
    let o = dagger(d.path(), &["--out", "xml"]);
    assert_eq!(o.status.code(), Some(2));
    let o = dagger(d.path(), &["--frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
}

const SVC: &str = "#Port: {name: string, port: *80 | int}\nsvc: {\n\t_tmp: 1\n\tports: [#Port & {name: \"http\"}]\n\tkind: \"a\" | \"b\"\n\treplicas?: int\n\ttags: [...string]\n}\n";

#[test]
fn cue_output_like_cue_eval() {
    let d = files(&[("n2.cue", SVC)]);
    let o = dagger(d.path(), &["n2.cue"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "#Port: {\n    name: string\n    port: 80\n}\nsvc: {\n    ports: [{\n        name: \"http\"\n        port: 80\n    }]\n    kind: \"a\" | \"b\"\n    tags: []\n}\n"
    );
}

#[test]
fn several_expressions_are_labelled() {
    let d = files(&[("n2.cue", SVC)]);
    let o = dagger(d.path(), &["-e", "svc.ports", "-e", "svc.kind", "n2.cue"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "// svc.ports\n[{\n    name: \"http\"\n    port: 80\n}]\n// svc.kind\n\"a\" | \"b\"\n"
    );
}

#[test]
fn concrete_flag_rejects_open_values() {
    let d = files(&[("n2.cue", SVC)]);
    let o = dagger(d.path(), &["-c", "n2.cue"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).is_empty());
    assert_eq!(stderr(&o), "svc.kind: incomplete value \"a\" | \"b\"\n");
}
