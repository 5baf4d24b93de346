//! Runs every plan of `testdata/plans/` with the `dagger` binary against the
//! engine of `scripts/engine.sh` (format: testdata/plans/README.md).
//! Without `BUILDKIT_HOST` only the checks that need no engine run (a plan's
//! `expected.dag` and `expected.llb`), with a message, except under
//! `CI=true`, where a missing engine fails.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What `dagger compute` says while the evaluator cannot present plans to
/// the engine yet (dag/src/cue_view.rs); the plans are skipped then.
const EVALUATOR_NOT_READY: &str = "cannot evaluate plans yet";

fn plans_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/plans")
}

/// `${VAR}` from the environment, `\n` as a newline.
fn expand(arg: &str) -> String {
    let mut out = arg.replace("\\n", "\n");
    while let Some(start) = out.find("${") {
        let Some(len) = out[start..].find('}') else {
            break;
        };
        let name = &out[start + 2..start + len];
        let value = std::env::var(name).unwrap_or_else(|_| match name {
            "DAGGER_TEST_GIT" => "git://127.0.0.1:9418".into(),
            "DAGGER_TEST_REGISTRY" => "127.0.0.1:5000".into(),
            _ => String::new(),
        });
        out.replace_range(start..start + len + 1, &value);
    }
    out
}

enum Outcome {
    Pass(Duration),
    Fail(String),
    NotReady,
}

fn compute(dir: &Path, args: &[String]) -> std::io::Result<std::process::Output> {
    Command::new(env!("CARGO_BIN_EXE_dagger"))
        .arg("compute")
        .arg(".")
        .args(args)
        .args(["--log-format", "plain"])
        .current_dir(dir)
        .output()
}

/// A plan with a `repeat` file is computed twice; each line `changes FIELD`
/// or `same FIELD` says whether that top-level field of the printed JSON
/// must differ or agree between the two runs (cache behaviour).
fn run_repeat(dir: &Path, spec: &str, args: &[String]) -> Outcome {
    let start = Instant::now();
    let mut runs = Vec::new();
    for _ in 0..2 {
        let out = match compute(dir, args) {
            Ok(o) => o,
            Err(e) => return Outcome::Fail(format!("cannot run dagger: {e}")),
        };
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if stderr.contains(EVALUATOR_NOT_READY) {
            return Outcome::NotReady;
        }
        if !out.status.success() {
            return Outcome::Fail(format!("exit {:?}; stderr:\n{stderr}", out.status.code()));
        }
        match serde_json::from_slice::<serde_json::Value>(&out.stdout) {
            Ok(v) => runs.push(v),
            Err(e) => return Outcome::Fail(format!("stdout is not JSON ({e}): {:?}", out.stdout)),
        }
    }
    let mut problems = Vec::new();
    for line in spec.lines().filter(|l| !l.trim().is_empty()) {
        let (want, field) = line.split_once(' ').unwrap_or((line, ""));
        let (a, b) = (&runs[0][field], &runs[1][field]);
        if !a.is_string() || !b.is_string() {
            problems.push(format!("{field}: not a string in both runs ({a} / {b})"));
            continue;
        }
        match want {
            "changes" if a == b => {
                problems.push(format!("{field}: {a} both times, expected a new value"))
            }
            "same" if a != b => {
                problems.push(format!("{field}: {a} then {b}, expected the cached value"))
            }
            "changes" | "same" => {}
            _ => problems.push(format!("repeat: unknown check {want:?}")),
        }
    }
    if problems.is_empty() {
        Outcome::Pass(start.elapsed())
    } else {
        Outcome::Fail(problems.join("\n"))
    }
}

/// The plan's `args` file, expanded.
fn plan_args(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("args"))
        .map(|a| a.lines().filter(|l| !l.is_empty()).map(expand).collect())
        .unwrap_or_default()
}

/// Whether digests of `dagger llb` match golden files recorded on
/// linux/amd64 (the platform is part of every op).
fn golden_platform() -> bool {
    cfg!(all(target_os = "linux", target_arch = "x86_64"))
}

/// The checks that need no engine: `dagger dag` against `expected.dag` and
/// `dagger llb --offline` against `expected.llb` (with `UPDATE_GOLDEN=1`,
/// `expected.llb` is written instead: review it before committing).
fn offline_checks(dir: &Path, args: &[String]) -> Vec<String> {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    let mut problems = Vec::new();
    if let Some(want_dag) = read("expected.dag") {
        match Command::new(env!("CARGO_BIN_EXE_dagger"))
            .args(["dag", ".", "--format", "text"])
            .args(args)
            .current_dir(dir)
            .output()
        {
            Ok(o) if o.status.success() && o.stdout == want_dag.as_bytes() => {}
            Ok(o) => problems.push(format!(
                "dagger dag: exit {:?}, stdout {:?}, expected {want_dag:?}; stderr {:?}",
                o.status.code(),
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            )),
            Err(e) => problems.push(format!("cannot run dagger dag: {e}")),
        }
    }
    let update = std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1");
    let want_llb = read("expected.llb");
    if (want_llb.is_some() || update && dir.join("offline").exists()) && golden_platform() {
        let output = Command::new(env!("CARGO_BIN_EXE_dagger"))
            .args(["llb", ".", "--offline"])
            .args(args)
            .current_dir(dir)
            .output();
        // A secret is in neither the golden LLB nor the warnings.
        if let Ok(o) = &output {
            let all =
                String::from_utf8_lossy(&[o.stdout.as_slice(), &o.stderr].concat()).into_owned();
            for absent in read("expected.absent")
                .unwrap_or_default()
                .lines()
                .filter(|l| !l.is_empty())
            {
                if all.contains(absent) {
                    problems.push(format!("dagger llb --offline printed {absent:?}"));
                }
            }
        }
        match output {
            Ok(o) if o.status.success() && update => {
                if let Err(e) = std::fs::write(dir.join("expected.llb"), &o.stdout) {
                    problems.push(format!("cannot write expected.llb: {e}"));
                }
            }
            Ok(o)
                if o.status.success()
                    && Some(o.stdout.as_slice()) == want_llb.as_deref().map(str::as_bytes) => {}
            Ok(o) => {
                let got = String::from_utf8_lossy(&o.stdout);
                let want = want_llb.unwrap_or_default();
                // The first line that differs says more than both texts.
                let first = got
                    .lines()
                    .zip(want.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(got.lines().count().min(want.lines().count()));
                problems.push(format!(
                    "dagger llb --offline: exit {:?}; line {} differs:\n  got:      {:?}\n  expected: {:?}\n  stderr {:?}",
                    o.status.code(),
                    first + 1,
                    got.lines().nth(first).unwrap_or("<end>"),
                    want.lines().nth(first).unwrap_or("<end>"),
                    String::from_utf8_lossy(&o.stderr)
                ));
            }
            Err(e) => problems.push(format!("cannot run dagger llb: {e}")),
        }
    }
    problems
}

/// A plan run without an engine: its offline checks only.
fn run_offline(dir: &Path) -> Outcome {
    let start = Instant::now();
    let problems = offline_checks(dir, &plan_args(dir));
    if problems.is_empty() {
        Outcome::Pass(start.elapsed())
    } else {
        Outcome::Fail(problems.join("\n"))
    }
}

fn run_plan(dir: &Path) -> Outcome {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    let args = plan_args(dir);
    // A plan that needs the internet (apk, Docker Hub, cloud APIs) is
    // checked offline only.
    if dir.join("offline").exists() {
        return run_offline(dir);
    }
    if let Some(spec) = read("repeat") {
        return run_repeat(dir, &spec, &args);
    }
    let start = Instant::now();
    let output = compute(dir, &args);
    let elapsed = start.elapsed();
    let output = match output {
        Ok(o) => o,
        Err(e) => return Outcome::Fail(format!("cannot run dagger: {e}")),
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains(EVALUATOR_NOT_READY) {
        return Outcome::NotReady;
    }
    let mut problems = Vec::new();
    let want_exit: i32 = read("expected.exit")
        .and_then(|e| e.trim().parse().ok())
        .unwrap_or(0);
    let exit = output.status.code().unwrap_or(-1);
    if exit != want_exit {
        problems.push(format!("exit code {exit}, expected {want_exit}"));
    }
    let want_stdout = read("expected.stdout").unwrap_or_default();
    if stdout != want_stdout {
        problems.push(format!(
            "stdout:\n  got:      {stdout:?}\n  expected: {want_stdout:?}"
        ));
    }
    for line in read("expected.stderr")
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.is_empty())
    {
        if !stderr.contains(line) {
            problems.push(format!("stderr does not contain {line:?}"));
        }
    }
    // Wall time is a benchmark figure, not a test verdict: it is printed, and
    // only enforced when benchmarking (DAGGER_BENCH=1) on a quiet machine.
    if let Some(max) = read("max-seconds").and_then(|m| m.trim().parse::<f64>().ok()) {
        let took = elapsed.as_secs_f64();
        eprintln!("{}: took {took:.2}s (target under {max}s)", dir.display());
        if took >= max && std::env::var("DAGGER_BENCH").as_deref() == Ok("1") {
            problems.push(format!("took {took:.2}s, target {max}s"));
        }
    }
    // Text (a secret) that must appear nowhere: not in compute's output, not
    // in its logs, not in the LLB `dagger llb` prints.
    for absent in read("expected.absent")
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.is_empty())
    {
        if stdout.contains(absent) || stderr.contains(absent) {
            problems.push(format!("dagger compute printed {absent:?}"));
        }
        match Command::new(env!("CARGO_BIN_EXE_dagger"))
            .args(["llb", "."])
            .args(&args)
            .current_dir(dir)
            .output()
        {
            Ok(o) if !o.status.success() => problems.push(format!(
                "dagger llb: exit {:?}: {}",
                o.status.code(),
                String::from_utf8_lossy(&o.stderr)
            )),
            Ok(o) if o.stdout.is_empty() => problems.push("dagger llb printed nothing".into()),
            Ok(o) => {
                let all = [o.stdout, o.stderr].concat();
                if String::from_utf8_lossy(&all).contains(absent) {
                    problems.push(format!("dagger llb printed {absent:?}"));
                }
            }
            Err(e) => problems.push(format!("cannot run dagger llb: {e}")),
        }
    }
    problems.extend(offline_checks(dir, &args));
    if problems.is_empty() {
        Outcome::Pass(elapsed)
    } else {
        let tail: Vec<&str> = stderr
            .lines()
            .rev()
            .take(15)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        Outcome::Fail(format!(
            "{}\n  stderr (end):\n    {}",
            problems.join("\n"),
            tail.join("\n    ")
        ))
    }
}

#[test]
fn plans() {
    let engine = std::env::var_os("BUILDKIT_HOST").is_some();
    if !engine {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "BUILDKIT_HOST is not set under CI=true: start the engine with scripts/engine.sh"
            );
        }
        eprintln!("plans: no engine, only expected.dag and expected.llb are checked (`scripts/engine.sh up && eval \"$(scripts/engine.sh env)\"`)");
    }
    if !golden_platform() {
        eprintln!("plans: expected.llb files are not compared (recorded on linux/amd64)");
    }
    let only = std::env::var("DAGGER_PLAN").ok();
    let bench = std::env::var("DAGGER_BENCH").as_deref() == Ok("1");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(plans_dir())
        .expect("testdata/plans")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("main.cue").exists())
        .filter(|p| {
            only.as_deref()
                .is_none_or(|o| p.file_name().is_some_and(|n| n == o))
        })
        .filter(|p| bench || only.is_some() || !p.join("bench").exists())
        .filter(|p| engine || p.join("expected.dag").exists() || p.join("expected.llb").exists())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no plan selected");
    let queue = Mutex::new(dirs.clone());
    let results = Mutex::new(Vec::new());
    // A few at a time: each run is mostly waiting on the daemon.
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| loop {
                let Some(dir) = queue.lock().unwrap().pop() else {
                    break;
                };
                let outcome = if engine {
                    run_plan(&dir)
                } else {
                    run_offline(&dir)
                };
                results.lock().unwrap().push((dir, outcome));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.0.cmp(&b.0));
    if results.iter().any(|(_, o)| matches!(o, Outcome::NotReady)) {
        eprintln!("plans: skipped, the evaluator cannot present plans to the engine yet (dag/src/cue_view.rs)");
        return;
    }
    let mut failures = Vec::new();
    for (dir, outcome) in &results {
        let name = dir.file_name().unwrap_or_default().to_string_lossy();
        match outcome {
            Outcome::Pass(t) => eprintln!("ok   {name} ({:.2}s)", t.as_secs_f64()),
            Outcome::Fail(why) => {
                eprintln!("FAIL {name}");
                failures.push(format!("{name}: {why}"));
            }
            Outcome::NotReady => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} plans failed:\n\n{}",
        failures.len(),
        results.len(),
        failures.join("\n\n")
    );
}
