//! What a user sees when a plan is wrong: each case of
//! `testdata/diagnostics/expect/NAME/` runs `dagger` from
//! `testdata/diagnostics` with the arguments of `cmd` (one per line) and the
//! environment of `env` (optional, `KEY=VALUE` lines), and checks the exit
//! code (`exit`) and the whole of stderr (`stderr`, positions and source
//! lines included; durations are written `N.NNNs`). None of these cases
//! needs a daemon. `DIAGNOSTICS_UPDATE=1` writes what the binary prints
//! instead, for review before committing: the expectations are read and
//! checked by hand, not trusted because the binary printed them.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/diagnostics")
}

/// Durations vary from run to run: `0.123s` and `12.3s` become `N.NNNs`,
/// a JSON event's `"time":0.012` becomes `"time":N`.
fn normalize(text: &str) -> String {
    let text = durations(text);
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("\"time\":") {
        out.push_str(&rest[..at + 7]);
        rest = &rest[at + 7..];
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        out.push('N');
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn durations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            if j < chars.len() && chars[j] == '.' {
                let mut k = j + 1;
                while k < chars.len() && chars[k].is_ascii_digit() {
                    k += 1;
                }
                if k > j + 1 && k < chars.len() && chars[k] == 's' {
                    out.push_str("N.NNNs");
                    i = k + 1;
                    continue;
                }
            }
            out.extend(&chars[i..j]);
            i = j;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

#[test]
fn diagnostics_match_their_pinned_stderr() {
    let update = std::env::var_os("DIAGNOSTICS_UPDATE").is_some();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root().join("expect"))
        .expect("testdata/diagnostics/expect")
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 15, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let read = |f: &str| std::fs::read_to_string(case.join(f)).unwrap_or_default();
        let args: Vec<String> = read("cmd").lines().map(str::to_string).collect();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_dagger"));
        cmd.args(&args).current_dir(root());
        // The cases must not depend on the developer's engine or colours.
        cmd.env_remove("BUILDKIT_HOST").env_remove("NO_COLOR");
        cmd.env("DOCKER_HOST", "unix:///nonexistent/docker.sock");
        for line in read("env").lines().filter(|l| !l.is_empty()) {
            let (k, v) = line.split_once('=').expect("env line KEY=VALUE");
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run dagger");
        let stderr = normalize(&String::from_utf8_lossy(&out.stderr));
        let code = out.status.code().unwrap_or(-1).to_string();
        if update {
            std::fs::write(case.join("stderr"), &stderr).unwrap();
            std::fs::write(case.join("exit"), format!("{code}\n")).unwrap();
            continue;
        }
        let want_code = read("exit").trim().to_string();
        let want = read("stderr");
        if code != want_code || stderr != want {
            failures.push(format!(
                "{name}: exit {code} (want {want_code})\n--- got stderr\n{stderr}--- want\n{want}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn json_logs_are_only_json() {
    for case in ["json-op-typo", "skipped-json"] {
        let args = std::fs::read_to_string(root().join("expect").join(case).join("cmd")).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_dagger"))
            .args(args.lines())
            .current_dir(root())
            .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
            .env_remove("BUILDKIT_HOST")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.trim().is_empty(), "{case}: nothing on stderr");
        for line in stderr.lines() {
            let v: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{case}: not JSON ({e}): {line}"));
            assert!(v["event"].is_string(), "{case}: no event kind: {line}");
        }
    }
}

#[test]
fn colours_follow_no_color_and_the_terminal() {
    let run = |no_color: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_dagger"));
        cmd.args(["compute", "skipped", "--log-format", "tty"])
            .current_dir(root())
            .env_remove("BUILDKIT_HOST");
        if no_color {
            cmd.env("NO_COLOR", "1");
        } else {
            cmd.env_remove("NO_COLOR");
        }
        String::from_utf8_lossy(&cmd.output().unwrap().stderr).into_owned()
    };
    assert!(
        run(false).contains("\x1b["),
        "tty without NO_COLOR has colours"
    );
    assert!(
        !run(true).contains('\x1b'),
        "NO_COLOR leaves no escape codes"
    );
}

#[test]
fn normalize_only_touches_durations() {
    assert_eq!(
        normalize("a 0.123s b 12.5s ./x.cue:6:8 v1.2s"),
        "a N.NNNs b N.NNNs ./x.cue:6:8 v1.2s"
    );
    assert_eq!(normalize(r#"{"time":0.012,"x":1}"#), r#"{"time":N,"x":1}"#);
}
