//! `dagger conformance` writes a case's files into a scratch directory; a
//! section named `../x.cue` or `/abs/x.cue` fails the case instead of
//! writing outside it.

use std::process::Command;

#[test]
fn case_file_names_cannot_leave_the_scratch_directory() {
    let t = tempfile::tempdir().unwrap();
    let tmp = t.path().join("tmp");
    let cases = t.path().join("cases");
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::create_dir_all(&cases).unwrap();
    let abs = t.path().join("abs-escape.cue");
    std::fs::write(
        cases.join("escape.txtar"),
        format!(
            "-- in.cue --\na: 1\n-- ../escape.cue --\nb: 2\n-- {} --\nc: 3\n-- out/eval.cue --\na: 1\n",
            abs.display()
        ),
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_dagger"))
        .arg("conformance")
        .arg(&cases)
        // The scratch directory is made under TMPDIR: `..` from it is `t`.
        .env("TMPDIR", &tmp)
        .output()
        .expect("dagger runs");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("0 passed, 1 failed"), "{stdout}");
    assert!(
        stdout.contains("file name \"../escape.cue\": expected a relative path without `..`"),
        "{stdout}"
    );
    assert!(!tmp.join("escape.cue").exists());
    assert!(!abs.exists());
    let mut left: Vec<_> = std::fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    left.sort();
    assert_eq!(left, ["cases", "tmp"]);
}
