//! Helpers of the controller tests: a project directory with its own user
//! config (the secrets key) and cache, and `dagger` run in it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The shared engine is there, or the test is skipped (fails under CI=true).
pub fn engine(test: &str) -> bool {
    match std::env::var("BUILDKIT_HOST") {
        Ok(h) if !h.is_empty() => true,
        _ => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{test}: BUILDKIT_HOST is not set under CI=true (run scripts/test.sh)");
            }
            eprintln!("{test}: skipped, no engine (eval \"$(scripts/engine.sh env)\")");
            false
        }
    }
}

/// A project: a directory with a plan in `plan/`, and a private home.
pub struct Project {
    pub dir: tempfile::TempDir,
    pub home: tempfile::TempDir,
}

impl Project {
    /// A project whose `plan/main.cue` is `cue`.
    pub fn new(cue: &str) -> Project {
        let p = Project {
            dir: tempfile::tempdir().unwrap(),
            home: tempfile::tempdir().unwrap(),
        };
        p.write("plan/main.cue", cue);
        p
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, text: &str) {
        let f = self.path().join(rel);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, text).unwrap();
    }

    /// `dagger ARGS` in the project.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_dagger"));
        c.args(args)
            .current_dir(self.path())
            .env("XDG_CONFIG_HOME", self.home.path().join("config"))
            .env("XDG_CACHE_HOME", self.home.path().join("cache"))
            .env("NO_COLOR", "1");
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run dagger")
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "dagger {args:?} failed ({:?}):\nstdout: {}\nstderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `up --log-format json` events: (component, event, result).
    pub fn up_events(&self, extra: &[&str]) -> Vec<(String, String, String)> {
        let mut args = vec!["up", "--log-format", "json"];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "up failed:\n{stderr}");
        events(&stderr)
    }

    /// The value of `expr` from `dagger query EXPR`.
    pub fn query(&self, expr: &str, extra: &[&str]) -> serde_json::Value {
        let mut args = vec!["query", expr];
        args.extend_from_slice(extra);
        let text = self.ok(&args);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("query {expr}: {e}: {text}"))
    }

    /// The state file of controller `name`.
    pub fn state_file(&self, name: &str) -> PathBuf {
        self.path().join(".dagger").join(name).join("state.json")
    }

    pub fn state(&self, name: &str) -> serde_json::Value {
        let text = std::fs::read_to_string(self.state_file(name)).unwrap();
        serde_json::from_str(&text).unwrap()
    }
}

/// Component events of a JSON event stream: (component, event, result).
pub fn events(stderr: &str) -> Vec<(String, String, String)> {
    stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["component"].is_string() && v["event"] != "log")
        .map(|v| {
            (
                v["component"].as_str().unwrap_or("").to_string(),
                v["event"].as_str().unwrap_or("").to_string(),
                v["result"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// How each component ended in `events`: ran, cached, reused, failed.
pub fn outcomes(events: &[(String, String, String)]) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for (c, e, r) in events {
        match e.as_str() {
            "completed" => {
                out.insert(c.clone(), r.clone());
            }
            "reused" | "failed" | "skipped" => {
                out.insert(c.clone(), e.clone());
            }
            _ => {}
        }
    }
    out
}

pub fn md5_hex(data: &[u8]) -> String {
    let out = Command::new("md5sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(data)?;
            c.wait_with_output()
        })
        .expect("md5sum");
    String::from_utf8_lossy(&out.stdout)[..32].to_string()
}
