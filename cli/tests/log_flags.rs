//! `--log-format` and `--log-level` are accepted by every command: errors
//! become JSON events with `--log-format json`, warnings disappear with
//! `--log-level error`, and the controller commands take `-l` too.

use std::process::Command;

fn dagger(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dagger"))
        .args(args)
        .current_dir(dir)
        .env("XDG_CONFIG_HOME", dir.join(".config"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// Every stderr line is a JSON object, and one is an `error` event.
fn json_error(out: &std::process::Output) -> serde_json::Value {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let events: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    events
        .into_iter()
        .find(|e| e["event"] == "error")
        .unwrap_or_else(|| panic!("no error event in {stderr}"))
}

#[test]
fn errors_are_json_events_with_log_format_json() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("bad.cue"), "a: 1 & 2\n").unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["eval", "bad.cue"], "conflicting values 2 and 1"),
        (vec!["fmt", "missing.cue"], "missing.cue"),
        (vec!["dag", "missing"], "does not exist"),
        (vec!["llb", "missing"], "does not exist"),
        (vec!["compute", "missing"], "does not exist"),
        (vec!["list"], ""),
        (vec!["up"], "no controller in"),
        (vec!["query"], "no controller in"),
        (vec!["history"], "no controller in"),
        (vec!["conformance", "missing-dir"], ""),
    ];
    for (args, want) in cases {
        let mut all = args.clone();
        all.extend(["--log-format", "json", "--log-level", "info"]);
        let out = dagger(d, &all);
        if args == ["list"] {
            assert!(out.status.success(), "{all:?}");
            continue;
        }
        assert!(!out.status.success(), "{all:?}");
        let e = json_error(&out);
        assert!(
            e["message"].as_str().unwrap_or("").contains(want),
            "{all:?}: {e}"
        );
    }
}

#[test]
fn warnings_are_hidden_at_level_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("a.cue"), "a: 1\n").unwrap();
    std::os::unix::fs::symlink(d.join("a.cue"), d.join("link.cue")).unwrap();
    let out = dagger(d, &["fmt", "--check", "."]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("symbolic link"));
    let out = dagger(d, &["fmt", "--check", ".", "--log-level", "error"]);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    // Controller commands take -l as well.
    let out = dagger(d, &["list", "-l", "error"]);
    assert!(out.status.success());
}
