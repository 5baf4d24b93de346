//! Build cache shared across machines: a plan runs on one throwaway daemon
//! and exports its cache (`--cache-to`) to the shared engine's registry
//! (127.0.0.1:5000, scripts/engine.sh); a second throwaway daemon with an
//! empty cache imports it (`--cache-from`) and answers every exec of the
//! same plan from it, which the progress events (`--log-format json`)
//! show, while the values read inside the containers are the first run's.

mod engine_support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use engine_support::*;

/// Three components, four execs (one reading a local directory); `token`
/// makes the cache new to the registry.
fn cache_plan(token: &str) -> String {
    format!(
        r#"package main

a: {{
	string
	#compute: [
		{{do: "fetch-container", ref: "busybox"}},
		{{do: "exec", args: ["sh", "-c", "printf 'first {token}' > /a"]}},
		{{do: "exec", args: ["sh", "-c", "printf ' then %s' $(cat /proc/sys/kernel/random/uuid) >> /a"]}},
		{{do: "export", source: "/a"}},
	]
}}

b: {{
	string
	#compute: [
		{{do: "fetch-container", ref: "busybox"}},
		{{do: "exec", args: ["sh", "-c", "printf 'b saw %s' \"\(a)\" > /b"]}},
		{{do: "export", source: "/b"}},
	]
}}

// Reads the plan's own directory `src` (sent through the session).
c: {{
	string
	#compute: [
		{{do: "fetch-container", ref: "busybox"}},
		{{
			do: "exec"
			args: ["sh", "-c", "printf 'c read %s %s' \"$(cat /in/hello.txt)\" $(cat /proc/sys/kernel/random/uuid) > /c"]
			mount: "/in": from: [{{do: "local", dir: "src"}}]
		}},
		{{do: "export", source: "/c"}},
	]
}}
"#
    )
}

/// `dagger compute` in `dir` against `host` with `args`, JSON progress.
fn run(dir: &Path, host: &str, args: &[&str]) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_dagger"))
        .args(["compute", ".", "--log-format", "json"])
        .args(args)
        .current_dir(dir)
        .env("BUILDKIT_HOST", host)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run dagger");
    wait_output(child, Duration::from_secs(180))
}

/// The JSON events on stderr.
fn events(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// How each exec vertex ended, `(component, vertex, "cached" | "done")`.
fn exec_outcomes(out: &Output) -> Vec<(String, String, String)> {
    events(out)
        .into_iter()
        .filter(|e| e["event"] == "log")
        .filter_map(|e| {
            let vertex = e["vertex"].as_str()?.to_string();
            let line = e["line"].as_str()?.to_string();
            (vertex.contains("] exec") && (line == "cached" || line == "done")).then(|| {
                (
                    e["component"].as_str().unwrap_or_default().to_string(),
                    vertex,
                    line,
                )
            })
        })
        .collect()
}

#[test]
fn a_second_daemon_with_an_empty_cache_answers_every_exec_from_the_exported_cache() {
    let Some(_) = shared_engine("cache share") else {
        return;
    };
    let registry =
        std::env::var("DAGGER_TEST_REGISTRY").unwrap_or_else(|_| "127.0.0.1:5000".into());
    let token = nonce();
    let dir = plan("dcs-plan", &cache_plan(&token));
    std::fs::create_dir(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/hello.txt"), format!("hello {token}")).unwrap();
    let caches = Dir::new("dcs-cache");

    for mode in ["max", "min"] {
        let cache_ref = format!("{registry}/dagger-test/cache:{mode}-{token}");
        let cache_dir = caches.join(mode);
        let first = ScratchDaemon::start("dcs1");
        let out = run(
            &dir,
            &first.host,
            &[
                "--cache-to",
                &format!("type=registry,ref={cache_ref},mode={mode}"),
                "--cache-to",
                &format!("type=local,dest={},mode={mode}", cache_dir.display()),
            ],
        );
        assert!(
            out.status.success(),
            "first run ({mode}):\n{}",
            stderr(&out)
        );
        let result = result_json(&out);
        let a = result["a"].as_str().unwrap().to_string();
        assert!(a.starts_with(&format!("first {token} then ")), "{a}");
        assert_eq!(result["b"], format!("b saw {a}").as_str());
        let c = result["c"].as_str().unwrap().to_string();
        assert!(c.starts_with(&format!("c read hello {token} ")), "{c}");
        let ran = exec_outcomes(&out);
        assert_eq!(ran.len(), 4, "four execs ran: {ran:?}");
        assert!(ran.iter().all(|(_, _, l)| l == "done"), "{ran:?}");
        for to in [cache_ref.clone(), cache_dir.display().to_string()] {
            assert!(
                events(&out).iter().any(|e| e["event"] == "cache-exported"
                    && e["to"].as_str().unwrap_or_default().contains(&to)),
                "a cache-exported event for {to}:\n{}",
                stderr(&out)
            );
        }
        assert!(cache_dir.join("index.json").is_file(), "an OCI layout");
        assert!(!cache_dir.join("ingest").exists(), "no staged write left");
        assert!(cache_dir.join("oci-layout").is_file(), "an OCI layout");
        drop(first);

        // A new daemon, nothing in its cache, importing from the registry,
        // then another importing from the directory: every exec is a cache
        // hit, and the values are the first run's (no new uuid drawn).
        for from in [
            format!("type=registry,ref={cache_ref}"),
            format!("type=local,src={}", cache_dir.display()),
        ] {
            let second = ScratchDaemon::start("dcs2");
            let out = run(&dir, &second.host, &["--cache-from", &from]);
            assert!(out.status.success(), "{from} ({mode}):\n{}", stderr(&out));
            let result = result_json(&out);
            assert_eq!(result["a"], a.as_str(), "{from} mode={mode}");
            assert_eq!(result["b"], format!("b saw {a}").as_str());
            assert_eq!(result["c"], c.as_str(), "{from} mode={mode}");
            let outcomes = exec_outcomes(&out);
            assert!(!outcomes.is_empty(), "no exec events:\n{}", stderr(&out));
            assert!(
                outcomes.iter().all(|(_, _, l)| l == "cached"),
                "{from} mode={mode}: every exec is a cache hit: {outcomes:?}"
            );
            // Both components' execs are among them (with mode=min the
            // last exec of `a` may stand for the one below it).
            for component in ["a", "b", "c"] {
                assert!(
                    outcomes.iter().any(|(comp, _, _)| comp == component),
                    "{from} mode={mode}: no exec of {component}: {outcomes:?}"
                );
            }
            if mode == "max" {
                assert_eq!(outcomes.len(), 4, "{from}: {outcomes:?}");
            }
        }

        // Without an import, a daemon with an empty cache runs them again.
        let third = ScratchDaemon::start("dcs3");
        let out = run(&dir, &third.host, &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        let again = result_json(&out);
        assert_ne!(again["a"], a.as_str(), "a fresh daemon draws a new uuid");
        assert!(exec_outcomes(&out).iter().all(|(_, _, l)| l == "done"));
    }
}

#[test]
fn bad_cache_specs_are_usage_errors() {
    let dir = plan("dcs-usage", &cache_plan("x"));
    for (args, want) in [
        (
            vec!["--cache-to", "type=registry"],
            "--cache-to \"type=registry\": type=registry needs ref=REF",
        ),
        (
            vec!["--cache-to", "type=registry,ref=127.0.0.1:5000/c,mode=all"],
            "expected mode=min or mode=max",
        ),
        (
            vec!["--cache-to", "type=s3,bucket=b"],
            "unknown cache type \"s3\" (supported: registry, local)",
        ),
        (
            vec!["--cache-to", "type=local"],
            "type=local needs dest=DIR",
        ),
        (
            vec!["--cache-from", "type=local,src=/nonexistent/cache"],
            "/nonexistent/cache holds no cache (no index.json)",
        ),
        (
            vec!["--cache-from", "type=registry,ref=x/y,mode=max"],
            "mode is for --cache-to (exports) only",
        ),
        (vec!["--cache-from", ""], "--cache-from \"\": empty"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_dagger"))
            .args(["compute", "."])
            .args(&args)
            .current_dir(&*dir)
            .env("BUILDKIT_HOST", "unix:///nonexistent/bk.sock")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(want),
            "{args:?}: stderr lacks {want:?}:\n{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}
