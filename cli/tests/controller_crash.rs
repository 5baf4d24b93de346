//! `dagger up` and `dagger input` killed with SIGKILL at many points: the
//! state is always readable, and is the one before the command or the
//! complete one after it (never a mix); the next `up` works.

mod controllers_support;
use controllers_support::{engine, Project};

use std::time::{Duration, Instant};

fn plan(components: usize) -> String {
    let mut cue = String::from("package main\n\nimport \"dagger.io/llb\"\n\nmsg: string\n\n");
    for i in 0..components {
        cue.push_str(&format!(
            "c{i}: {{\n\tstring\n\t#compute: [\n\t\tllb.#FetchContainer & {{ref: \"busybox\"}},\n\t\tllb.#Exec & {{args: [\"sh\", \"-c\", \"printf '{i}-%s' '\\(msg)' > /out\"]}},\n\t\tllb.#Export & {{source: \"/out\"}},\n\t]\n}}\n\n"
        ));
    }
    cue
}

/// Checks the state after a kill against the one before.
fn check(p: &Project, before: &serde_json::Value, msg: &str, what: &str) -> bool {
    let text = std::fs::read_to_string(p.state_file("app"))
        .unwrap_or_else(|e| panic!("{what}: state unreadable: {e}"));
    let state: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{what}: state is not JSON ({e}):\n{text}"));
    if &state == before {
        return false;
    }
    // The new one: one more run, complete and consistent with the input.
    let runs = state["runs"].as_array().unwrap();
    let old_runs = before["runs"].as_array().unwrap();
    assert_eq!(runs.len(), old_runs.len() + 1, "{what}: {text}");
    assert_eq!(&runs[..old_runs.len()], &old_runs[..], "{what}");
    assert_eq!(runs.last().unwrap()["result"], "ok", "{what}");
    assert_eq!(state["status"], "up", "{what}");
    assert_eq!(state["inputs"]["msg"]["value"], msg, "{what}");
    let outputs = state["outputs"].as_object().unwrap();
    assert_eq!(outputs.len(), 6, "{what}");
    for (c, o) in outputs {
        let i = c.trim_start_matches('c');
        assert_eq!(o["exports"][0], format!("{i}-{msg}"), "{what}: {c}");
    }
    true
}

#[test]
fn a_killed_up_leaves_the_old_state_or_the_new_one() {
    if !engine("a_killed_up_leaves_the_old_state_or_the_new_one") {
        return;
    }
    let p = Project::new(&plan(6));
    p.ok(&["new", "app", "--plan-dir", "plan"]);
    p.ok(&["input", "text", "msg", "m0"]);
    // Every value once, so that the runs below are BuildKit cache hits,
    // then one such run timed: the kills are spread over its length.
    for v in ["m0", "m1", "m2", "m3"] {
        p.ok(&["input", "text", "msg", v]);
        p.ok(&["up", "--log-format", "plain"]);
    }
    p.ok(&["input", "text", "msg", "m0"]);
    let start = Instant::now();
    p.ok(&["up", "--log-format", "plain"]);
    let full = start.elapsed();
    let points = 40;
    let mut completed = 0;
    for i in 0..points {
        let msg = format!("m{}", (i + 1) % 4);
        p.ok(&["input", "text", "msg", &msg]);
        let before = p.state("app");
        let delay = full.mul_f64(1.2 * f64::from(i) / f64::from(points));
        let mut child = p
            .cmd(&["up", "--log-format", "plain"])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        let status = child.wait().unwrap();
        let what = format!("kill {i} after {delay:?} ({status})");
        if check(&p, &before, &msg, &what) {
            completed += 1;
        }
    }
    eprintln!("{completed} of {points} killed runs had completed");
    assert!(completed < points, "no kill landed before the end of a run");
    // The next up works and brings the state up to date.
    p.ok(&["up", "--log-format", "plain"]);
    let state = p.state("app");
    assert_eq!(state["status"], "up");
    let history = p.ok(&["history", "--json"]);
    assert_eq!(
        history.lines().count(),
        state["runs"].as_array().unwrap().len()
    );
    // Temporary files of killed writers are gone once a command held the lock.
    let leftovers: Vec<_> = std::fs::read_dir(p.path().join(".dagger/app"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_killed_input_change_leaves_the_old_state_or_the_new_one() {
    let p = Project::new(&plan(1));
    p.ok(&["new", "app", "--plan-dir", "plan"]);
    p.ok(&["input", "text", "msg", "start"]);
    for i in 0..60u32 {
        let before = p.state("app");
        let value = format!("v{i}");
        let mut child = p.cmd(&["input", "text", "msg", &value]).spawn().unwrap();
        std::thread::sleep(Duration::from_micros(u64::from(i) * 150));
        let _ = child.kill();
        let _ = child.wait();
        let text = std::fs::read_to_string(p.state_file("app")).unwrap();
        let state: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("kill {i}: state is not JSON ({e}):\n{text}"));
        if state != before {
            let mut expected = before.clone();
            expected["inputs"]["msg"]["value"] = value.into();
            assert_eq!(state, expected, "kill {i}");
        }
    }
}
