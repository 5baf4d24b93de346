//! The engine when things break: a daemon killed, frozen or restarted, a
//! registry down or answering 500, a git remote or ref that does not exist,
//! Ctrl-C. Each runs the `dagger` binary against a real BuildKit: the
//! destructive ones against a throwaway daemon of their own
//! (scripts/engine-scratch.sh), the others against the shared engine of
//! scripts/engine.sh. Timings are printed (`--nocapture` shows them).

mod engine_support;

use std::time::{Duration, Instant};

use engine_support::*;

/// A plan whose component `slow` sleeps `secs` seconds in a container
/// whose command line holds `token`, then exports `done-SECS`.
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

fn slow_args<'a>(secs: &'a str, token: &'a str) -> [String; 4] {
    [
        "--input-string".into(),
        format!("secs={secs}"),
        "--input-string".into(),
        format!("token={token}"),
    ]
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Starts `dagger compute` of SLOW_PLAN (30 s) and waits until its
/// container runs; returns the child (stdout and stderr piped).
fn start_slow(dir: &std::path::Path, host: &str, token: &str) -> std::process::Child {
    let args = slow_args("30", token);
    let child = compute_cmd(dir, host, &strs(&args))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run dagger");
    assert!(
        wait_until(Duration::from_secs(60), || !processes_with(token)
            .is_empty()),
        "the container of the plan did not start within 60s"
    );
    child
}

#[test]
fn a_killed_daemon_fails_the_run_within_seconds_and_the_next_run_after_a_restart_succeeds() {
    if shared_engine("daemon killed").is_none() {
        return;
    }
    let daemon = ScratchDaemon::start("dgk");
    let dir = plan("dgk-plan", SLOW_PLAN);
    let token = format!("killed-{}", nonce());
    let child = start_slow(&dir, &daemon.host, &token);

    let killed = Instant::now();
    signal(daemon.pid(), "KILL");
    let out = wait_output(child, Duration::from_secs(60));
    let to_fail = killed.elapsed();
    println!("daemon killed: dagger exited {to_fail:?} after the SIGKILL");
    // What the killed daemon's container leaves behind is ours to end.
    kill_leftovers(&token);

    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "stderr:\n{err}");
    assert!(
        out.stdout.is_empty(),
        "no result on stdout: {:?}",
        out.stdout
    );
    assert!(to_fail < Duration::from_secs(5), "took {to_fail:?}:\n{err}");
    let socket = daemon.host.trim_start_matches("unix://");
    for want in [
        "error: component slow: slow.#compute[1] exec",
        "lost the connection to BuildKit at unix://",
        socket,
        "the daemon stopped, restarted or stopped answering",
    ] {
        assert!(err.contains(want), "stderr lacks {want:?}:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");

    // No controller command restarts a daemon yet: the test does, and the
    // same plan then runs to its end on it.
    daemon.restart();
    let args = slow_args("1", &token);
    let out = compute(&dir, &daemon.host, &strs(&args), Duration::from_secs(120));
    assert!(out.status.success(), "after the restart:\n{}", stderr(&out));
    assert_eq!(result_json(&out)["slow"], "done-1");
}

#[test]
fn a_frozen_daemon_fails_the_run_once_keepalive_pings_go_unanswered() {
    if shared_engine("daemon frozen").is_none() {
        return;
    }
    let daemon = ScratchDaemon::start("dgz");
    let dir = plan("dgz-plan", SLOW_PLAN);
    let token = format!("frozen-{}", nonce());
    let child = start_slow(&dir, &daemon.host, &token);

    let frozen = Instant::now();
    signal(daemon.pid(), "STOP");
    let out = wait_output(child, Duration::from_secs(90));
    let to_fail = frozen.elapsed();
    signal(daemon.pid(), "CONT");
    println!("daemon frozen (SIGSTOP): dagger exited {to_fail:?} after it");

    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "stderr:\n{err}");
    // 10 s without a frame, then 10 s for the ping's answer.
    assert!(
        to_fail < Duration::from_secs(30),
        "took {to_fail:?}:\n{err}"
    );
    for want in [
        "error: component slow: slow.#compute[1] exec",
        "lost the connection to BuildKit at unix://",
        "no answer to keep-alive pings for 20s",
    ] {
        assert!(err.contains(want), "stderr lacks {want:?}:\n{err}");
    }

    // Thawed, the daemon serves the next run.
    let args = slow_args("0", &token);
    let out = compute(&dir, &daemon.host, &strs(&args), Duration::from_secs(120));
    assert!(out.status.success(), "after SIGCONT:\n{}", stderr(&out));
    assert_eq!(result_json(&out)["slow"], "done-0");
    kill_leftovers(&token);
}

#[test]
fn a_daemon_restarted_between_two_runs_serves_the_second() {
    if shared_engine("daemon restarted").is_none() {
        return;
    }
    let daemon = ScratchDaemon::start("dgr");
    let dir = plan("dgr-plan", SLOW_PLAN);
    let token = format!("restart-{}", nonce());
    let args = slow_args("0", &token);
    let out = compute(&dir, &daemon.host, &strs(&args), Duration::from_secs(120));
    assert!(out.status.success(), "first run:\n{}", stderr(&out));
    assert_eq!(result_json(&out)["slow"], "done-0");

    // A clean restart (SIGTERM), then a crash (SIGKILL) and a restart.
    for sig in ["TERM", "KILL"] {
        daemon.stop(sig);
        let down = compute(&dir, &daemon.host, &strs(&args), Duration::from_secs(30));
        let err = stderr(&down);
        assert_eq!(down.status.code(), Some(1), "with the daemon down:\n{err}");
        assert!(
            err.contains("cannot reach BuildKit at unix://"),
            "with the daemon down:\n{err}"
        );
        daemon.restart();
        let started = Instant::now();
        let args = slow_args("1", &token);
        let out = compute(&dir, &daemon.host, &strs(&args), Duration::from_secs(120));
        assert!(
            out.status.success(),
            "after SIG{sig} and a restart:\n{}",
            stderr(&out)
        );
        assert_eq!(result_json(&out)["slow"], "done-1");
        println!(
            "daemon restarted after SIG{sig}: next run took {:?}",
            started.elapsed()
        );
    }
}

/// `fetch-container` of `image`, then an exec and an export.
fn pull_plan(image: &str) -> String {
    format!(
        r#"package main

pulled: {{
	string
	#compute: [
		{{do: "fetch-container", ref: "{image}"}},
		{{do: "exec", args: ["sh", "-c", "printf pulled > /out"]}},
		{{do: "export", source: "/out"}},
	]
}}
"#
    )
}

/// Builds a small image and pushes it to `image`, exporting `tag`.
fn push_plan(image: &str, content: &str) -> String {
    format!(
        r#"package main

pushed: {{
	string
	#compute: [
		{{do: "fetch-container", ref: "busybox"}},
		{{do: "write-file", content: "{content}", dest: "/content"}},
		{{do: "push-container", ref: "{image}"}},
		{{do: "export", source: "/content"}},
	]
}}
"#
    )
}

#[test]
fn a_registry_that_is_down_is_named_with_the_image() {
    let Some(host) = shared_engine("registry down") else {
        return;
    };
    let port = free_port();
    let registry = format!("127.0.0.1:{port}");

    let image = format!("{registry}/faults/absent:v1");
    let dir = plan("dgd-pull", &pull_plan(&image));
    let started = Instant::now();
    let out = compute(&dir, &host, &[], Duration::from_secs(60));
    let err = stderr(&out);
    println!(
        "pull from a registry that is down: failed in {:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(1), "{err}");
    for want in [
        "error: component pulled: fetch-container",
        &format!("cannot resolve image {image} (registry {registry})"),
        "connection refused",
    ] {
        assert!(err.contains(want), "stderr lacks {want:?}:\n{err}");
    }

    let image = format!("{registry}/faults/pushed:v1");
    let dir2 = plan("dgd-push", &push_plan(&image, "x"));
    let out = compute(&dir2, &host, &[], Duration::from_secs(60));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for want in [
        "error: component pushed: pushed.#compute[2] push-container",
        &format!("failed to push {image}"),
        &registry,
        "connection refused",
    ] {
        assert!(err.contains(want), "stderr lacks {want:?}:\n{err}");
    }
}

#[test]
fn a_registry_answering_500_is_named_with_the_image_for_pull_and_push() {
    let Some(host) = shared_engine("registry 500") else {
        return;
    };
    let fake = Fake500::start();
    let registry = fake.addr();

    let image = format!("{registry}/faults/broken:v1");
    let dir = plan("dg5-pull", &pull_plan(&image));
    let out = compute(&dir, &host, &[], Duration::from_secs(60));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for want in [
        "error: component pulled: fetch-container",
        &format!("cannot resolve image {image} (registry {registry})"),
        "500 Internal Server Error",
    ] {
        assert!(err.contains(want), "stderr lacks {want:?}:\n{err}");
    }
    assert!(
        fake.requests()
            .iter()
            .any(|r| r == "HEAD /v2/faults/broken/manifests/v1"
                || r == "GET /v2/faults/broken/manifests/v1"),
        "the daemon asked the fake registry for the manifest: {:?}",
        fake.requests()
    );

    let image = format!("{registry}/faults/pushed:v1");
    let dir2 = plan("dg5-push", &push_plan(&image, "x"));
    let out = compute(&dir2, &host, &[], Duration::from_secs(60));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for want in [
        "error: component pushed: pushed.#compute[2] push-container",
        &format!("failed to push {image}"),
        &registry,
        "500 Internal Server Error",
    ] {
        assert!(err.contains(want), "stderr lacks {want:?}:\n{err}");
    }
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.contains("/v2/faults/pushed/")),
        "the push reached the fake registry: {:?}",
        fake.requests()
    );
}

#[test]
fn a_registry_that_never_answers_fails_the_pull_after_30s() {
    let Some(host) = shared_engine("registry silent") else {
        return;
    };
    let registry = format!("127.0.0.1:{}", silent_registry());
    let image = format!("{registry}/faults/silent:v1");
    let dir = plan("dgs", &pull_plan(&image));
    let started = Instant::now();
    let out = compute(&dir, &host, &[], Duration::from_secs(120));
    let took = started.elapsed();
    println!("pull from a registry that never answers: failed in {took:?}");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(took < Duration::from_secs(45), "took {took:?}");
    assert!(
        err.contains(&format!(
            "error: component pulled: fetch-container {image}: cannot resolve image {image} \
             (registry {registry}): no answer within 30s"
        )),
        "{err}"
    );
}

#[test]
fn a_registry_killed_and_restarted_fails_then_serves_pulls() {
    let Some(host) = shared_engine("registry restarted") else {
        return;
    };
    let registry = ScratchRegistry::start("dgg");
    let image = format!("{}/faults/image:v1", registry.addr());
    let content = nonce();
    let push = plan("dgg-push", &push_plan(&image, &content));
    let out = compute(&push, &host, &[], Duration::from_secs(120));
    assert!(out.status.success(), "push:\n{}", stderr(&out));
    assert_eq!(result_json(&out)["pushed"], content.as_str());

    let pull = plan(
        "dgg-pull",
        &format!(
            r#"package main

pulled: {{
	string
	#compute: [
		{{do: "fetch-container", ref: "{image}"}},
		{{do: "exec", args: ["sh", "-c", "cat /content > /out"]}},
		{{do: "export", source: "/out"}},
	]
}}
"#
        ),
    );
    registry.stop();
    let out = compute(&pull, &host, &[], Duration::from_secs(60));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "with the registry down:\n{err}");
    assert!(
        err.contains(&format!(
            "cannot resolve image {image} (registry {})",
            registry.addr()
        )),
        "{err}"
    );

    registry.restart();
    let out = compute(&pull, &host, &[], Duration::from_secs(120));
    assert!(out.status.success(), "after the restart:\n{}", stderr(&out));
    assert_eq!(result_json(&out)["pulled"], content.as_str());
}

fn git_plan(remote: &str, reference: &str) -> String {
    format!(
        r#"package main

checkout: {{
	string
	#compute: [
		{{do: "fetch-git", remote: "{remote}", ref: "{reference}"}},
		{{do: "export", source: "/README.md"}},
	]
}}
"#
    )
}

#[test]
fn a_missing_git_remote_or_ref_is_named() {
    let Some(host) = shared_engine("git faults") else {
        return;
    };
    let git = std::env::var("DAGGER_TEST_GIT").unwrap_or_else(|_| "git://127.0.0.1:9418".into());
    let cases = [
        // (remote, ref, what stderr must say besides the remote and ref)
        (
            format!("{git}/does-not-exist.git"),
            "main",
            "repository not exported",
        ),
        (
            format!("{git}/hello.git"),
            "no-such-branch",
            "repository does not contain ref no-such-branch",
        ),
        (
            format!("git://127.0.0.1:{}/hello.git", free_port()),
            "main",
            "Connection refused",
        ),
    ];
    for (remote, reference, detail) in cases {
        let dir = plan("dgt", &git_plan(&remote, reference));
        let out = compute(&dir, &host, &[], Duration::from_secs(60));
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{remote}#{reference}:\n{err}");
        let last = err
            .lines()
            .filter(|l| l.starts_with("error:"))
            .collect::<Vec<_>>()
            .join("\n");
        for want in [
            "error: component checkout: ",
            &format!("{remote}#{reference}"),
            detail,
        ] {
            assert!(err.contains(want), "stderr lacks {want:?}:\n{err}");
        }
        // The error line itself names the remote and the ref.
        assert!(last.contains(&format!("{remote}#{reference}")), "{last}");
    }
    // The same remote with a ref that exists works (the control).
    let dir = plan("dgt", &git_plan(&format!("{git}/hello.git"), "main"));
    let out = compute(&dir, &host, &[], Duration::from_secs(60));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(result_json(&out)["checkout"], "hello from main\n");
}

/// Two components that each write `started-NAME` into their cache mount,
/// sleep 4 s, then write `finished-NAME` (unless killed first); `mode:
/// "list"` lists the mounts instead.
const CACHE_PLAN: &str = r#"package main

mode:  string
token: string

#job: {
	name: string
	out: {
		string
		#compute: [
			{do: "fetch-container", ref: "busybox"},
			{
				do:     "exec"
				always: true
				mount: "/cache": "cache"
				if mode == "run" {
					args: ["sh", "-c", "touch /cache/started-\(name); sleep 4; touch /cache/finished-\(name); ls /cache > /out # \(token)"]
				}
				if mode == "list" {
					// Not the same command for a and b: BuildKit leaves cache
					// mount ids out of cache keys, so two execs that differ
					// only by their cache mount would share one result.
					args: ["sh", "-c", "ls /cache > /out # \(name)"]
				}
			},
			{do: "export", source: "/out"},
		]
	}
}

a: #job & {name: "a"}
b: #job & {name: "b"}
"#;

#[test]
fn ctrl_c_cancels_the_running_builds_on_the_daemon_and_exits_130() {
    let Some(host) = shared_engine("ctrl-c") else {
        return;
    };
    let dir = plan("dgc", CACHE_PLAN);
    let token = format!("ctrlc-{}", nonce());
    let run_args = ["--input-string", "mode=run", "--input-string"];
    let token_arg = format!("token={token}");
    let mut args: Vec<&str> = run_args.to_vec();
    args.push(&token_arg);
    let child = compute_cmd(&dir, &host, &args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run dagger");
    let pid = child.id();
    assert!(
        wait_until(Duration::from_secs(60), || processes_with(&token).len()
            >= 2),
        "both containers did not start within 60s"
    );
    let containers = processes_with(&token);

    let interrupted = Instant::now();
    signal(pid, "INT");
    let out = wait_output(child, Duration::from_secs(30));
    let to_exit = interrupted.elapsed();
    let gone = wait_until(Duration::from_secs(10), || {
        processes_with(&token).is_empty()
    });
    let to_gone = interrupted.elapsed();
    println!(
        "ctrl-c: dagger exited {to_exit:?} after SIGINT; the containers were gone after {to_gone:?}"
    );

    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "stderr:\n{err}");
    assert!(to_exit < Duration::from_secs(2), "took {to_exit:?}");
    assert!(
        err.contains("interrupted: cancelling 2 running components"),
        "stderr:\n{err}"
    );
    assert!(out.stdout.is_empty(), "no result after an interrupt");
    assert!(
        gone,
        "the containers {containers:?} still run after the interrupt"
    );

    // Past the containers' 4 s: had they not been killed, they would have
    // written their `finished-` files into the cache mounts by now.
    std::thread::sleep(Duration::from_secs(5).saturating_sub(interrupted.elapsed()));
    let out = compute(
        &dir,
        &host,
        &["--input-string", "mode=list", "--input-string", &token_arg],
        Duration::from_secs(120),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v = result_json(&out);
    for name in ["a", "b"] {
        let listing = v[name]["out"].as_str().unwrap_or_default();
        assert!(
            listing.contains(&format!("started-{name}")),
            "{name}: the cache mount is the one the interrupted run used: {listing:?}"
        );
        assert!(
            !listing.contains(&format!("finished-{name}")),
            "{name}: the interrupted container ran on: {listing:?}"
        );
    }
}
