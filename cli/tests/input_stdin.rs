//! `-` as the value of `--input-cue|json|yaml` (and `PATH=-`) reads standard
//! input, once per process: every flag given `-` sees the same text.
//! Checked with `dagger llb --offline`, which needs no engine.

use std::io::Write;
use std::process::{Command, Stdio};

fn llb_with_stdin(dir: &std::path::Path, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dagger"))
        .args(["llb", ".", "--offline"])
        .args(args)
        .current_dir(dir)
        .env_remove("BUILDKIT_HOST")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run dagger");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn plan() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.cue"),
        r#"package main

a: {name: string}
b: {name: string}
show: #compute: [{do: "exec", args: ["echo", a.name, b.name]}]
"#,
    )
    .unwrap();
    dir
}

#[test]
fn a_document_on_stdin_is_placed_at_each_path_given_dash() {
    let dir = plan();
    let (ok, stdout, stderr) = llb_with_stdin(
        dir.path(),
        &["--input-yaml", "a=-", "--input-yaml", "b=-"],
        "name: from-stdin\n",
    );
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains(r#""args":["echo","from-stdin","from-stdin"]"#),
        "{stdout}"
    );
}

#[test]
fn a_json_document_on_stdin_is_unified_at_the_root() {
    let dir = plan();
    let (ok, stdout, stderr) = llb_with_stdin(
        dir.path(),
        &["--input-json", "-", "--input-cue", r#"b: name: "inline""#],
        r#"{"a": {"name": "json-stdin"}}"#,
    );
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains(r#""args":["echo","json-stdin","inline"]"#),
        "{stdout}"
    );
}

#[test]
fn invalid_stdin_is_an_error_naming_the_flag() {
    let dir = plan();
    let (ok, stdout, stderr) = llb_with_stdin(dir.path(), &["--input-json", "a=-"], "{nope");
    assert!(!ok);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("--input-json: a=-: invalid JSON"),
        "{stderr}"
    );
}
