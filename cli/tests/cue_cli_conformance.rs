//! The CUE command-line suite (`testdata/cue-cli`: CUE v0.4.3's own
//! testscript files with the reference's recorded outputs) run through
//! `dagger conformance`, against a floor and the list of known misses in
//! `testdata/cue-cli/README.md`. Uses only the recorded outputs, never a
//! `cue` binary.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Scripts that agree today; raise it as more pass, never lower it.
const FLOOR: usize = 13;

/// Scripts in the suite (see `scripts/update-cue-cli.py --list`).
const SCRIPTS: usize = 60;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `dagger conformance ARGS...`, returning its standard output.
fn conformance(args: &[&str], dirs: &[&Path]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_dagger"))
        .arg("conformance")
        .args(["-j", "2"])
        .args(args)
        .args(dirs)
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

#[test]
fn cue_cli_suite_stays_above_the_floor() {
    let output = conformance(&[], &[&repo().join("testdata/cue-cli")]);
    let (passed, failed) = counts(&output);
    assert_eq!(passed + failed, SCRIPTS, "{output}");
    assert!(
        passed >= FLOOR,
        "{passed} scripts agree with cue v0.4.3, below the floor of {FLOOR}\n{output}"
    );
    // Every script that disagrees is a known miss with its reason; one that
    // agreed before and no longer does fails here by name.
    let misses = std::fs::read_to_string(repo().join("testdata/cue-cli/README.md"))
        .expect("testdata/cue-cli/README.md is readable");
    for line in output.lines().filter(|l| l.starts_with("FAIL ")) {
        let script = line["FAIL ".len()..]
            .split(".txtar")
            .next()
            .unwrap_or_default();
        assert!(
            misses.contains(&format!("| `{script}` |")),
            "{script} disagrees with cue v0.4.3 and is not a known miss in \
             testdata/cue-cli/README.md:\n{line}\n{output}"
        );
    }
}

/// A command-line case: `x.cue` holding `a: 1`, and `cue ARGV` recorded
/// with exit status 0 and this stdout.
fn case(dir: &Path, name: &str, argv: &str, stdout: &str) {
    let argv: Vec<&str> = argv.split_whitespace().collect();
    let meta = serde_json::json!({"argv": argv, "exit": 0});
    std::fs::write(
        dir.join(name),
        format!(
            "-- script --\ncue {}\n-- in/x.cue --\na: 1\n\
             -- out/1/cmd.json --\n{meta}\n\
             -- out/1/stdout --\n{stdout}-- out/1/stderr --\n",
            argv.join(" ")
        ),
    )
    .unwrap();
}

#[test]
fn commands_run_as_dagger_and_differences_are_shown() {
    let dir = tempfile::tempdir().unwrap();
    case(dir.path(), "a.txtar", "eval x.cue", "a: 1\n");
    case(
        dir.path(),
        "b.txtar",
        "export x.cue",
        "{\n    \"a\": 1\n}\n",
    );
    // A record no `cue eval` prints for `a: 1`.
    case(dir.path(), "c.txtar", "eval x.cue", "a: 2\n");
    let output = conformance(&[], &[dir.path()]);
    assert_eq!(
        output,
        "FAIL c.txtar: command 1 `cue eval x.cue`: stdout differs\n\
         \x20   @@ line 1\n\
         \x20   -a: 2\n\
         \x20   +a: 1\n\
         commands: 2/3 agree\n\
         2 passed, 1 failed\n"
    );
}

#[test]
fn both_kinds_of_case_end_with_the_total() {
    let dir = tempfile::tempdir().unwrap();
    case(dir.path(), "cli.txtar", "eval x.cue", "a: 1\n");
    std::fs::write(
        dir.path().join("eval.txtar"),
        "-- in.cue --\na: 1\n-- out/export.json --\n{\n    \"a\": 1\n}\n",
    )
    .unwrap();
    let output = conformance(&[], &[dir.path()]);
    assert!(
        output.ends_with(
            "commands: 1/1 agree\n1 passed, 0 failed\ntotal of both suites:\n2 passed, 0 failed\n"
        ),
        "{output}"
    );
    // `--cli` runs only the command-line cases.
    let output = conformance(&["--cli"], &[dir.path()]);
    assert_eq!(output, "commands: 1/1 agree\n1 passed, 0 failed\n");
}
