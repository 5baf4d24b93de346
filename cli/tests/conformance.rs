//! The conformance runner over the shared CUE corpus and over this
//! repository's own cases, against the floors in `testdata/conformance-floor`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The minimum recorded for `name` in the floor file.
fn floor(name: &str) -> usize {
    let text = std::fs::read_to_string(repo().join("testdata/conformance-floor"))
        .expect("testdata/conformance-floor is readable");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| {
            let mut words = l.split_whitespace();
            (words.next() == Some(name)).then(|| words.last().and_then(|n| n.parse().ok()))?
        })
        .unwrap_or_else(|| panic!("no floor named {name}"))
}

/// Runs `dagger conformance DIR`, returning its output.
fn run(dir: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_dagger"))
        .arg("conformance")
        .arg(dir)
        .output()
        .expect("dagger runs");
    assert!(out.status.success(), "dagger conformance failed: {out:?}");
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// `(passed, failed)` from the closing line, which must be the last line.
fn counts(output: &str) -> (usize, usize) {
    let last = output.lines().last().expect("output is not empty");
    let (p, f) = last
        .strip_suffix(" failed")
        .and_then(|s| s.split_once(" passed, "))
        .unwrap_or_else(|| panic!("last line is not `N passed, M failed`: {last:?}"));
    (p.parse().unwrap(), f.parse().unwrap())
}

/// The `x` of a line `LABEL: x/y ...`.
fn rate(output: &str, label: &str) -> usize {
    let line = output
        .lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no {label} line in output"));
    line[label.len()..]
        .trim()
        .split('/')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("bad {label} line: {line}"))
}

#[test]
fn shared_corpus_stays_above_the_floor() {
    let dir = repo().join("../shared/cue-conformance");
    assert!(
        dir.is_dir(),
        "{} is missing: the shared corpus sits beside the repository",
        dir.display()
    );
    let output = run(&dir);
    let (passed, failed) = counts(&output);
    assert_eq!(passed + failed, 245, "the corpus has 245 cases\n{output}");
    assert!(
        passed >= floor("shared"),
        "{passed} cases pass, below the floor of {}\n{output}",
        floor("shared")
    );
    let exact = rate(&output, "json-exact:");
    assert!(
        exact >= floor("shared-json-exact"),
        "{exact} byte-identical JSON outputs, below the floor of {}\n{output}",
        floor("shared-json-exact")
    );
    let eval_text = rate(&output, "eval-text:");
    assert!(
        eval_text >= floor("shared-eval-text"),
        "{eval_text} eval outputs agree, below the floor of {}\n{output}",
        floor("shared-eval-text")
    );
}

#[test]
fn own_cases_stay_above_the_floor() {
    let output = run(&repo().join("testdata/eval"));
    let (passed, _) = counts(&output);
    assert!(
        passed >= floor("testdata-eval"),
        "{passed} cases pass, below the floor of {}\n{output}",
        floor("testdata-eval")
    );
    let yaml = rate(&output, "yaml-exact:");
    assert!(
        yaml >= floor("testdata-yaml-exact"),
        "{yaml} byte-identical YAML outputs, below the floor of {}\n{output}",
        floor("testdata-yaml-exact")
    );
}

#[test]
fn builtin_and_package_cases_stay_above_the_floor() {
    for (dir, name) in [
        ("testdata/builtins", "testdata-builtins"),
        ("testdata/packages", "testdata-packages"),
    ] {
        let output = run(&repo().join(dir));
        let (passed, _) = counts(&output);
        assert!(
            passed >= floor(name),
            "{dir}: {passed} cases pass, below the floor of {}\n{output}",
            floor(name)
        );
    }
    // A multi-package module with a vendored dependency prints like `cue eval`.
    let output = run(&repo().join("testdata/packages"));
    let eval_text = rate(&output, "eval-text:");
    assert!(
        eval_text >= floor("testdata-packages-eval-text"),
        "testdata/packages: {eval_text} eval texts agree, below the floor of {}\n{output}",
        floor("testdata-packages-eval-text")
    );
}

#[test]
fn failing_cases_are_named_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    // The reference fails on this export; a passing evaluator fails too,
    // so the case passes. The second case expects JSON that no evaluator
    // produces for its input.
    std::fs::write(
        dir.path().join("a.txtar"),
        "-- in.cue --\na: 1\na: 2\n-- out/export.err --\na: conflicting values 2 and 1\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.txtar"),
        "-- in.cue --\na: 1\n-- out/export.json --\n{\n    \"a\": 2\n}\n",
    )
    .unwrap();
    let output = run(dir.path());
    assert!(
        output.contains("FAIL b.txtar: export value differs at a\n"),
        "{output}"
    );
    assert!(!output.contains("FAIL a.txtar"), "{output}");
    assert!(output.ends_with("1 passed, 1 failed\n"), "{output}");
}

#[test]
fn min_pass_sets_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("b.txtar"),
        "-- in.cue --\na: 1\n-- out/export.json --\n{\n    \"a\": 2\n}\n",
    )
    .unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_dagger"))
        .args(["conformance", "--min-pass", "1"])
        .arg(dir.path())
        .output()
        .unwrap()
        .status;
    assert_eq!(status.code(), Some(1));
}

#[test]
fn a_case_over_the_time_limit_fails_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("slow.txtar"),
        "-- in.cue --\na: 1\n-- out/export.json --\n{\n    \"a\": 1\n}\n",
    )
    .unwrap();
    // With no time at all, the case's process is stopped before it answers.
    let out = Command::new(env!("CARGO_BIN_EXE_dagger"))
        .args(["conformance", "--timeout", "0"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("FAIL slow.txtar: timeout after 0s\n"),
        "{text}"
    );
    assert!(
        text.contains("json-exact: 0/1 cases expecting JSON"),
        "{text}"
    );
    assert!(text.ends_with("0 passed, 1 failed\n"), "{text}");
}
