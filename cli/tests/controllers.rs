//! Controllers end to end against the engine of `scripts/engine.sh`:
//! `new`, `input`, `up` (ran / cached / reused after each change, checked
//! from the JSON events and from values computed in containers), `query`
//! in every format, `output list`, `history`, `query --version`, `up
//! --replay`, `up --only`, `plan`, `down` (teardown components), `delete`,
//! the lock, and a failing exec.

mod controllers_support;
use controllers_support::{engine, md5_hex, outcomes, Project};

const PLAN: &str = r#"package main

import "dagger.io/llb"

msg:   string
other: string

// a: the md5 of msg, computed in a container.
a: {
	string
	#compute: [
		llb.#FetchContainer & {ref: "busybox"},
		llb.#Exec & {args: ["sh", "-c", "printf '%s' '\(msg)' | md5sum | cut -c1-32 | tr -d '\\n' > /out"]},
		llb.#Export & {source: "/out"},
	]
}

// b depends on a.
b: {
	string
	#compute: [
		llb.#FetchContainer & {ref: "busybox"},
		llb.#Exec & {args: ["sh", "-c", "printf 'b-%s' '\(a)' > /out"]},
		llb.#Export & {source: "/out"},
	]
}

// c depends only on other.
c: {
	string
	#compute: [
		llb.#FetchContainer & {ref: "busybox"},
		llb.#Exec & {args: ["sh", "-c", "printf 'c-%s' '\(other)' > /out"]},
		llb.#Export & {source: "/out"},
	]
}

// gone runs on `dagger down` only.
gone: {
	string
	#teardown: true
	#compute: [
		llb.#FetchContainer & {ref: "busybox"},
		llb.#Exec & {args: ["sh", "-c", "printf 'down-%s' '\(b)' > /out"]},
		llb.#Export & {source: "/out"},
	]
}
"#;

fn map(pairs: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn lifecycle_recomputes_only_what_changed() {
    if !engine("lifecycle_recomputes_only_what_changed") {
        return;
    }
    let p = Project::new(PLAN);
    // A nonce keeps BuildKit's cache out of the first run.
    let nonce = format!("{}-{}", std::process::id(), controller_nonce());
    let msg = format!("hello {nonce}");
    p.ok(&["new", "app", "--plan-dir", "plan"]);
    p.ok(&["input", "text", "msg", &msg]);
    p.ok(&["input", "json", "other", &format!("\"x-{nonce}\"")]);
    let listed = p.ok(&["input", "list"]);
    assert!(
        listed.contains("msg") && listed.contains("text"),
        "{listed}"
    );

    // First up: every component but the teardown one runs.
    let ev = p.up_events(&[]);
    assert_eq!(
        outcomes(&ev),
        map(&[("a", "ran"), ("b", "ran"), ("c", "ran")]),
        "{ev:?}"
    );
    let a = md5_hex(msg.as_bytes());
    assert_eq!(p.query("a", &[]), serde_json::json!(a));
    assert_eq!(p.query("b", &[]), serde_json::json!(format!("b-{a}")));
    assert_eq!(p.query("c", &[]), serde_json::json!(format!("c-x-{nonce}")));

    // Nothing changed: everything reused, nothing started.
    let ev = p.up_events(&[]);
    assert_eq!(
        outcomes(&ev),
        map(&[("a", "reused"), ("b", "reused"), ("c", "reused")])
    );
    assert!(!ev.iter().any(|(_, e, _)| e == "started"), "{ev:?}");

    // Only c's input changed: c runs, a and b are reused.
    let y = format!("y-{nonce}");
    p.ok(&["input", "text", "other", &y]);
    let ev = p.up_events(&[]);
    assert_eq!(
        outcomes(&ev),
        map(&[("a", "reused"), ("b", "reused"), ("c", "ran")])
    );
    assert_eq!(p.query("c", &[]), serde_json::json!(format!("c-{y}")));

    // Back to the first value of other: BuildKit's cache answers.
    p.ok(&["input", "json", "other", &format!("\"x-{nonce}\"")]);
    let ev = p.up_events(&[]);
    assert_eq!(outcomes(&ev)["c"], "cached", "{ev:?}");

    // msg changed: a and b (its dependent) run, c is reused.
    let second = format!("second {nonce}");
    p.ok(&["input", "text", "msg", &second]);
    let ev = p.up_events(&[]);
    assert_eq!(
        outcomes(&ev),
        map(&[("a", "ran"), ("b", "ran"), ("c", "reused")])
    );
    let a2 = md5_hex(second.as_bytes());
    assert_eq!(p.query("b", &[]), serde_json::json!(format!("b-{a2}")));

    // History: five runs; run 1 is still queryable as it was.
    let hist = p.ok(&["history", "--json"]);
    let runs: Vec<serde_json::Value> = hist
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(runs.len(), 5, "{hist}");
    assert!(runs.iter().all(|r| r["result"] == "ok"), "{hist}");
    assert_ne!(runs[0]["inputs_digest"], runs[4]["inputs_digest"]);
    assert_eq!(runs[0]["plan_digest"], runs[4]["plan_digest"]);
    assert_eq!(runs[1]["components"]["a"], "reused");
    assert_eq!(
        p.query("b", &["--version", "1"]),
        serde_json::json!(format!("b-{a}"))
    );
    assert_eq!(p.query("msg", &["--version", "1"]), serde_json::json!(msg));
    let table = p.ok(&["history"]);
    assert!(table.starts_with("RUN"), "{table}");
    assert_eq!(table.lines().count(), 6, "{table}");

    // Output list shows each component's value.
    let outputs = p.ok(&["output", "list"]);
    assert!(outputs.contains(&format!("\"b-{a2}\"")), "{outputs}");

    // Replay of run 1: its inputs come back and its values are computed again.
    let out = p.run(&["up", "--replay", "1", "--log-format", "plain"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(p.query("b", &[]), serde_json::json!(format!("b-{a}")));
    assert_eq!(p.query("msg", &[]), serde_json::json!(msg));

    // Down runs the teardown component with the other outputs filled in.
    let out = p.run(&["down", "--log-format", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        outcomes(&controllers_support::events(&stderr)),
        map(&[("gone", "ran")])
    );
    assert_eq!(
        p.query("gone", &[]),
        serde_json::json!(format!("down-b-{a}"))
    );
    let list = p.ok(&["list"]);
    assert!(
        list.lines()
            .any(|l| l.starts_with("app") && l.contains("down")),
        "{list}"
    );

    // Delete asks for --yes when it cannot ask, then removes everything.
    let out = p.run(&["delete"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(p.state_file("app").exists());
    p.ok(&["delete", "--yes"]);
    assert!(!p.path().join(".dagger/app").exists());
}

fn controller_nonce() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[test]
fn only_computes_the_target_and_its_dependencies() {
    if !engine("only_computes_the_target_and_its_dependencies") {
        return;
    }
    let p = Project::new(PLAN);
    p.ok(&["new", "app", "--plan-dir", "plan"]);
    p.ok(&["input", "text", "msg", "m"]);
    p.ok(&["input", "text", "other", "o"]);
    let ev = p.up_events(&["--only", "b"]);
    assert_eq!(outcomes(&ev).keys().collect::<Vec<_>>(), vec!["a", "b"]);
    let outputs = p.state("app")["outputs"].clone();
    assert!(outputs.get("c").is_none(), "{outputs}");
    // A change of other, then --only a: c keeps no value, a is reused.
    let ev = p.up_events(&["--only", "a"]);
    assert_eq!(outcomes(&ev), map(&[("a", "reused")]));
    let out = p.run(&["up", "--only", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the plan has no component nope"), "{err}");
}

#[test]
fn query_formats_and_parts() {
    if !engine("query_formats_and_parts") {
        return;
    }
    let p = Project::new(PLAN);
    p.ok(&["new", "app", "--plan-dir", "plan"]);
    p.ok(&["input", "text", "msg", "its ok"]);
    p.ok(&["input", "yaml", "other", "z"]);
    p.up_events(&[]);
    let cue = p.ok(&["query", "--format", "cue"]);
    assert!(
        cue.contains("#compute") && cue.contains("\"its ok\""),
        "{cue}"
    );
    let text = p.ok(&["query", "c", "--format", "text"]);
    assert_eq!(text, "c-z\n");
    let env = p.ok(&["query", "--format", "env", "--no-plan"]);
    assert!(env.contains("msg='its ok'\n"), "{env}");
    assert!(env.contains("c=c-z\n"), "{env}");
    let yaml = p.ok(&["query", "--format", "yaml", "--no-output", "--no-plan"]);
    assert_eq!(yaml.trim(), "msg: its ok\nother: z");
    // Without the outputs the plan's components are not concrete: JSON fails
    // clearly, CUE shows the types.
    let out = p.run(&["query", "--no-output"]);
    assert_eq!(out.status.code(), Some(1));
    let cue = p.ok(&["query", "a", "--no-output", "--format", "cue"]);
    assert!(cue.contains("string"), "{cue}");
}

#[test]
fn a_failed_exec_names_controller_component_op_and_keeps_the_last_state() {
    if !engine("a_failed_exec_names_controller_component_op_and_keeps_the_last_state") {
        return;
    }
    let p = Project::new(PLAN);
    p.ok(&["new", "app", "--plan-dir", "plan"]);
    p.ok(&["input", "text", "msg", "m"]);
    p.ok(&["input", "text", "other", "o"]);
    p.up_events(&[]);
    let before = p.state("app")["outputs"].clone();
    p.write(
        "plan/fail.cue",
        r#"package main

import "dagger.io/llb"

boom: {
	string
	#compute: [
		llb.#FetchContainer & {ref: "busybox"},
		llb.#Exec & {args: ["sh", "-c", "echo first line; echo about to fail >&2; exit 7"]},
		llb.#Export & {source: "/out"},
	]
}
"#,
    );
    let out = p.run(&["up", "--log-format", "plain"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(7), "{err}");
    assert!(err.contains("controller app"), "{err}");
    assert!(err.contains("component boom"), "{err}");
    assert!(err.contains("boom.#compute[1] exec"), "{err}");
    assert!(err.contains("about to fail"), "{err}");
    let state = p.state("app");
    assert_eq!(state["status"], "failed");
    assert_eq!(state["outputs"], before);
    assert_eq!(
        state["runs"].as_array().unwrap().last().unwrap()["result"],
        "failed"
    );
    let list = p.ok(&["list"]);
    assert!(list.contains("failed"), "{list}");
}

#[test]
fn plan_sources_dir_file_package_and_git() {
    if !engine("plan_sources_dir_file_package_and_git") {
        return;
    }
    let p = Project::new(PLAN);
    let one = r#"package one

import "dagger.io/llb"

v: {
	string
	#compute: [
		llb.#FetchContainer & {ref: "busybox"},
		llb.#Exec & {args: ["sh", "-c", "printf one > /out"]},
		llb.#Export & {source: "/out"},
	]
}
"#;
    p.write("single.cue", one);
    p.ok(&["new", "f", "--plan-file", "single.cue"]);
    p.up_events(&["-d", "f"]);
    assert_eq!(p.query("v", &["-d", "f"]), serde_json::json!("one"));

    // A git repository (file://), then the plan moves to another commit.
    let repo = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let st = std::process::Command::new("git")
            .args(args)
            .current_dir(repo.path())
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@t")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@t")
            .status()
            .unwrap();
        assert!(st.success(), "git {args:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(repo.path().join("deploy")).unwrap();
    std::fs::write(repo.path().join("deploy/plan.cue"), one).unwrap();
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "one"]);
    let remote = format!("file://{}", repo.path().display());
    p.ok(&["new", "g", "--plan-git", &remote, "main", "deploy"]);
    p.up_events(&["-d", "g"]);
    assert_eq!(p.query("v", &["-d", "g"]), serde_json::json!("one"));
    let two = format!("two-{}", controller_nonce());
    std::fs::write(
        repo.path().join("deploy/plan.cue"),
        one.replace("printf one", &format!("printf {two}")),
    )
    .unwrap();
    git(&["commit", "-q", "-am", "two"]);
    let ev = p.up_events(&["-d", "g"]);
    assert_eq!(outcomes(&ev)["v"], "ran");
    assert_eq!(p.query("v", &["-d", "g"]), serde_json::json!(two));

    // `plan dir` switches controller f to the plan directory.
    p.ok(&["plan", "-d", "f", "dir", "plan"]);
    p.ok(&["input", "-d", "f", "text", "msg", "m"]);
    p.ok(&["input", "-d", "f", "text", "other", "o"]);
    p.up_events(&["-d", "f"]);
    assert_eq!(p.query("c", &["-d", "f"]), serde_json::json!("c-o"));

    // Several controllers: a command without -d lists them.
    let out = p.run(&["up"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("2 controllers") && err.contains("f, g"),
        "{err}"
    );
}

#[test]
fn a_second_up_waits_or_fails_with_no_wait() {
    if !engine("a_second_up_waits_or_fails_with_no_wait") {
        return;
    }
    let p = Project::new(&format!(
        r#"package main

import "dagger.io/llb"

slow: {{
	string
	#compute: [
		llb.#FetchContainer & {{ref: "busybox"}},
		llb.#Exec & {{args: ["sh", "-c", "sleep 3; printf done-{} > /out"]}},
		llb.#Export & {{source: "/out"}},
	]
}}
"#,
        controller_nonce()
    ));
    p.ok(&["new", "app", "--plan-dir", "plan"]);
    let first = p
        .cmd(&["up", "--log-format", "plain"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the first holds the lock (its owner file appears).
    let owner = p.path().join(".dagger/app/lock.owner");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !owner.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = p.run(&["up", "--no-wait"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("locked by process {} (dagger up)", first.id())),
        "{err}"
    );
    // Without --no-wait: it says who holds the lock, waits, then runs.
    let out = p.run(&["input", "text", "x", "1"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let out = first.wait_with_output().unwrap();
    assert!(out.status.success());
    let state = p.state("app");
    assert_eq!(state["runs"].as_array().unwrap().len(), 1);
    assert_eq!(state["inputs"]["x"]["value"], "1");
}

#[test]
fn a_state_from_a_newer_dagger_is_refused() {
    let p = Project::new(PLAN);
    p.ok(&["new", "app", "--plan-dir", "plan"]);
    let mut state = p.state("app");
    state["version"] = 99.into();
    std::fs::write(p.state_file("app"), state.to_string()).unwrap();
    for args in [&["up"][..], &["query"], &["input", "list"], &["history"]] {
        let out = p.run(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("written by a newer dagger (state format 99"),
            "{err}"
        );
    }
    // Nothing was rewritten.
    assert_eq!(p.state("app")["version"], 99);
}

#[test]
fn usage_errors_are_clear() {
    let p = Project::new(PLAN);
    let out = p.run(&["up"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("no controller in") && err.contains("dagger new"),
        "{err}"
    );
    let out = p.run(&["new", "app"]);
    assert_eq!(out.status.code(), Some(2));
    let out = p.run(&["new", "../x", "--plan-dir", "plan"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid controller name"));
    let out = p.run(&["new", "app", "--plan-dir", "missing"]);
    assert_eq!(out.status.code(), Some(1));
    p.ok(&["new", "app", "--plan-dir", "plan"]);
    let out = p.run(&["input", "json", "x", "{bad"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid JSON"));
    let out = p.run(&["input", "unset", "nothere"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no input nothere"));
    let out = p.run(&["new", "app", "--plan-dir", "plan"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("exists already"));
}

#[test]
fn eval_of_a_plan_directory_finds_the_embedded_packages() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dagger"))
        .args(["eval", "examples/hello", "-e", "greeting"])
        .current_dir(&root)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("fetch-container") && text.contains("string"),
        "{text}"
    );
}

#[test]
fn watch_recomputes_on_each_change_and_stops_on_ctrl_c() {
    if !engine("watch_recomputes_on_each_change_and_stops_on_ctrl_c") {
        return;
    }
    use std::io::BufRead;
    let p = Project::new(PLAN);
    let nonce = controller_nonce();
    p.ok(&["new", "app", "--plan-dir", "plan"]);
    p.ok(&["input", "text", "msg", &format!("w{nonce}")]);
    p.ok(&["input", "text", "other", &format!("o1-{nonce}")]);
    let mut child = p
        .cmd(&["up", "--watch", "--log-format", "plain"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let next = || {
        rx.recv_timeout(std::time::Duration::from_secs(120))
            .expect("a line per run")
    };
    let first = next();
    assert!(first.starts_with("app: run 1 ok (3 ran"), "{first}");
    // An input change: only c runs.
    p.ok(&["input", "text", "other", &format!("o{nonce}")]);
    let second = next();
    assert!(
        second.starts_with("app: run 2 ok (1 ran, 0 cached, 2 reused)"),
        "{second}"
    );
    // A plan file change: a new component runs, the others are reused.
    p.write(
        "plan/more.cue",
        &format!(
            "package main\n\nimport \"dagger.io/llb\"\n\nd: {{\n\tstring\n\t#compute: [\n\t\tllb.#FetchContainer & {{ref: \"busybox\"}},\n\t\tllb.#Exec & {{args: [\"sh\", \"-c\", \"printf d{nonce} > /out\"]}},\n\t\tllb.#Export & {{source: \"/out\"}},\n\t]\n}}\n"
        ),
    );
    let third = next();
    assert!(
        third.starts_with("app: run 3 ok (1 ran, 0 cached, 3 reused)"),
        "{third}"
    );
    // Ctrl-C between runs: a clean stop.
    let st = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let state = p.state("app");
    assert_eq!(state["runs"].as_array().unwrap().len(), 3);
    assert_eq!(state["outputs"]["d"]["exports"][0], format!("d{nonce}"));
}

const ARTIFACTS: &str = r#"package main

import (
	"dagger.io/dagger"
	"dagger.io/llb"
)

src:  dagger.#Artifact
repo: dagger.#Artifact
base: dagger.#Artifact

// The md5 of every file of src, read in a container.
sum: {
	string
	#compute: [
		llb.#FetchContainer & {ref: "busybox"},
		llb.#Copy & {from: src, dest: "/src"},
		llb.#Exec & {args: ["sh", "-c", "cd /src && find . -type f | sort | xargs md5sum | md5sum | cut -c1-32 | tr -d '\\n' > /out"]},
		llb.#Export & {source: "/out"},
	]
}

readme: {
	string
	#compute: [
		llb.#Load & {from: repo},
		llb.#Export & {source: "/README.md"},
	]
}

shell: {
	string
	#compute: [
		llb.#Load & {from: base},
		llb.#Exec & {args: ["sh", "-c", "test -x /bin/busybox && printf yes > /out"]},
		llb.#Export & {source: "/out"},
	]
}
"#;

#[test]
fn dir_git_and_container_inputs_and_a_changed_directory() {
    if !engine("dir_git_and_container_inputs_and_a_changed_directory") {
        return;
    }
    let p = Project::new(ARTIFACTS);
    let data = tempfile::tempdir().unwrap();
    let nonce = controller_nonce().to_string();
    std::fs::write(data.path().join("a.txt"), &nonce).unwrap();
    std::fs::create_dir(data.path().join("sub")).unwrap();
    std::fs::write(data.path().join("sub/b.txt"), "b").unwrap();
    let git = std::env::var("DAGGER_TEST_GIT").unwrap_or_else(|_| "git://127.0.0.1:9418".into());
    p.ok(&["new", "app", "--plan-dir", "plan"]);
    p.ok(&["input", "dir", "src", data.path().to_str().unwrap()]);
    p.ok(&[
        "input",
        "git",
        "repo",
        &format!("{git}/hello.git"),
        "v1.0.0",
    ]);
    p.ok(&["input", "container", "base", "busybox"]);
    let ev = p.up_events(&[]);
    assert_eq!(outcomes(&ev)["sum"], "ran", "{ev:?}");
    // The same sum as the files on the host.
    let expected = {
        let lines = format!(
            "{}  ./a.txt\n{}  ./sub/b.txt\n",
            md5_hex(nonce.as_bytes()),
            md5_hex(b"b")
        );
        md5_hex(lines.as_bytes())
    };
    assert_eq!(p.query("sum", &[]), serde_json::json!(expected));
    assert_eq!(p.query("readme", &[]), serde_json::json!("hello from v1\n"));
    assert_eq!(p.query("shell", &[]), serde_json::json!("yes"));
    // Unchanged directory: reused. One file changed: sum runs again.
    let ev = p.up_events(&[]);
    assert_eq!(outcomes(&ev)["sum"], "reused");
    std::fs::write(data.path().join("sub/b.txt"), format!("b{nonce}")).unwrap();
    let ev = p.up_events(&[]);
    // The input artifacts are components too: src (its content changed)
    // and sum run, the others are reused.
    assert_eq!(
        outcomes(&ev),
        map(&[
            ("base", "reused"),
            ("readme", "reused"),
            ("repo", "reused"),
            ("shell", "reused"),
            ("src", "ran"),
            ("sum", "ran")
        ])
    );
    let expected = {
        let lines = format!(
            "{}  ./a.txt\n{}  ./sub/b.txt\n",
            md5_hex(nonce.as_bytes()),
            md5_hex(format!("b{nonce}").as_bytes())
        );
        md5_hex(lines.as_bytes())
    };
    assert_eq!(p.query("sum", &[]), serde_json::json!(expected));
    // Another git ref: readme runs again.
    p.ok(&["input", "git", "repo", &format!("{git}/hello.git"), "main"]);
    let ev = p.up_events(&[]);
    assert_eq!(outcomes(&ev)["readme"], "ran");
    assert_eq!(
        p.query("readme", &[]),
        serde_json::json!("hello from main\n")
    );
    // An input directory that is gone is an error naming it.
    drop(data);
    let out = p.run(&["up"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("input src: directory") && err.contains("does not exist"),
        "{err}"
    );
}

#[test]
fn a_plan_package_from_cue_mod_pkg() {
    if !engine("a_plan_package_from_cue_mod_pkg") {
        return;
    }
    let p = Project::new(PLAN);
    p.write("cue.mod/module.cue", "module: \"example.com/me\"\n");
    let nonce = controller_nonce();
    p.write(
        "cue.mod/pkg/example.com/plans/hello/hello.cue",
        r#"package hello

import "dagger.io/llb"

name: string
out: {
	string
	#compute: [
		llb.#FetchContainer & {ref: "busybox"},
		llb.#Exec & {args: ["sh", "-c", "printf 'hi %s' '\(name)' > /out"]},
		llb.#Export & {source: "/out"},
	]
}
"#,
    );
    p.ok(&["new", "pk", "--plan-package", "example.com/plans/hello"]);
    p.ok(&["input", "text", "name", &format!("n{nonce}")]);
    let ev = p.up_events(&[]);
    assert_eq!(outcomes(&ev), map(&[("out", "ran")]));
    assert_eq!(
        p.query("out", &[]),
        serde_json::json!(format!("hi n{nonce}"))
    );
    let out = p.run(&["new", "bad", "--plan-package", "../x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a CUE import path"));
}
