//! A controller when the daemon dies: `dagger up` against a throwaway
//! daemon (scripts/engine-scratch.sh) killed in the middle of a run fails
//! within seconds with a clear message and exit 1, leaves the controller's
//! inputs and outputs as they were (the failure is recorded in its
//! history), and the next `up` after a restart succeeds.

mod controllers_support;
mod engine_support;

use std::time::{Duration, Instant};

use controllers_support::Project;
use engine_support::{
    kill_leftovers, nonce, processes_with, shared_engine, signal, wait_until, ScratchDaemon,
};

const SLOW_PLAN: &str = r#"package main

secs:  string
token: string

slow: {
	string
	#compute: [
		{do: "fetch-container", ref: "busybox"},
		{do: "exec", always: true, args: ["sh", "-c", "sleep \(secs); printf done-\(secs) > /out # \(token)"]},
		{do: "export", source: "/out"},
	]
}
"#;

#[test]
fn a_daemon_killed_during_up_leaves_the_controller_as_it_was() {
    if shared_engine("daemon killed during up").is_none() {
        return;
    }
    let daemon = ScratchDaemon::start("dgu");
    let p = Project::new(SLOW_PLAN);
    let token = format!("up-killed-{}", nonce());
    let up = |p: &Project| {
        let mut c = p.cmd(&["up", "--log-format", "plain"]);
        c.env("BUILDKIT_HOST", &daemon.host);
        c
    };
    p.ok(&["new", "app", "--plan-dir", "plan"]);
    p.ok(&["input", "text", "secs", "1"]);
    p.ok(&["input", "text", "token", &token]);
    let out = up(&p).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let before = p.state("app");
    assert_eq!(before["outputs"]["slow"]["exports"][0], "done-1");

    p.ok(&["input", "text", "secs", "30"]);
    let before = p.state("app");
    let child = up(&p)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    assert!(
        wait_until(Duration::from_secs(60), || !processes_with(&token)
            .is_empty()),
        "the container did not start within 60s"
    );
    let killed = Instant::now();
    signal(daemon.pid(), "KILL");
    let out = child.wait_with_output().unwrap();
    let to_fail = killed.elapsed();
    kill_leftovers(&token);
    println!("daemon killed: dagger up exited {to_fail:?} after the SIGKILL");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(to_fail < Duration::from_secs(5), "took {to_fail:?}: {err}");
    for want in [
        "controller app",
        "component slow",
        "lost the connection to BuildKit",
    ] {
        assert!(err.contains(want), "stderr lacks {want:?}:\n{err}");
    }
    let after = p.state("app");
    assert_eq!(after["inputs"], before["inputs"]);
    assert_eq!(after["outputs"], before["outputs"]);
    let runs = after["runs"].as_array().unwrap();
    assert_eq!(runs.len(), before["runs"].as_array().unwrap().len() + 1);
    assert_eq!(runs.last().unwrap()["result"], "failed");
    assert_eq!(after["status"], "failed");

    daemon.restart();
    p.ok(&["input", "text", "secs", "2"]);
    let out = up(&p).output().unwrap();
    assert!(
        out.status.success(),
        "after the restart: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(p.state("app")["outputs"]["slow"]["exports"][0], "done-2");
    assert_eq!(p.state("app")["status"], "up");
}
