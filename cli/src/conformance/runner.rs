//! Running conformance cases: each case in its own child process (so a
//! crash, a stack overflow or an endless loop costs one case, not the run),
//! a few at a time, with a timeout.

use super::case::{Case, ExpectEval, ExpectExport};
use super::compare::{first_line, judge, Actual, Verdict};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How to run the cases.
#[derive(Clone, Debug)]
pub struct Options {
    /// Cases run at the same time.
    pub jobs: usize,
    /// Time allowed per case.
    pub timeout: Duration,
}

/// One case's name (path relative to the directory given) and verdict.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// e.g. `eval/bounds.txtar`.
    pub name: String,
    /// How the case went.
    pub verdict: Verdict,
}

/// Totals over a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Cases whose export outcome agrees.
    pub passed: usize,
    /// The other cases.
    pub failed: usize,
    /// Cases whose reference export succeeded.
    pub json_expected: usize,
    /// Of those, cases where our JSON text is byte-identical.
    pub json_exact: usize,
    /// Cases with an `out/eval.cue`.
    pub eval_text_expected: usize,
    /// Of those, cases where our eval text agrees.
    pub eval_text_agrees: usize,
    /// Cases with an `out/eval.err`.
    pub eval_error_expected: usize,
    /// Of those, cases where our eval fails too.
    pub eval_error_agrees: usize,
    /// Cases with an `out/export.yaml`.
    pub yaml_expected: usize,
    /// Of those, cases where our YAML text is byte-identical.
    pub yaml_exact: usize,
}

impl Summary {
    /// Adds up the verdicts.
    pub fn of(results: &[CaseResult]) -> Summary {
        let mut s = Summary::default();
        for r in results {
            let v = &r.verdict;
            if v.pass {
                s.passed += 1;
            } else {
                s.failed += 1;
            }
            s.json_expected += v.expects_json as usize;
            s.json_exact += (v.expects_json && v.json_exact) as usize;
            s.eval_text_expected += v.expects_eval_text as usize;
            s.eval_text_agrees += (v.expects_eval_text && v.eval_agrees) as usize;
            s.eval_error_expected += v.expects_eval_error as usize;
            s.eval_error_agrees += (v.expects_eval_error && v.eval_agrees) as usize;
            s.yaml_expected += v.expects_yaml as usize;
            s.yaml_exact += (v.expects_yaml && v.yaml_exact) as usize;
        }
        s
    }
}

/// All `*.txtar` files under `dirs` (a file argument is taken as is), each
/// with its name relative to the directory it was found under, sorted.
pub fn find_cases(dirs: &[PathBuf]) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    for dir in dirs {
        if dir.is_file() {
            out.push((dir.display().to_string(), dir.clone()));
            continue;
        }
        let mut found = Vec::new();
        walk(dir, &mut found)?;
        found.sort();
        for path in found {
            let name = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .display()
                .to_string();
            out.push((name, path));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "txtar") {
            out.push(path);
        }
    }
    Ok(())
}

/// Evaluates one case in this process: writes its inputs into a temporary
/// directory, runs export and eval through `evaluate`, and judges the
/// result. Panics in the evaluator are caught and reported.
pub fn run_in_process(
    path: &Path,
    evaluate: &(dyn Fn(&Path, &[String]) -> Actual + Sync),
) -> Verdict {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return failed(format!("cannot read case: {e}")),
    };
    let case = Case::parse(&text);
    if case.roots.is_empty() {
        return failed("case has no root-level .cue file".into());
    }
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return failed(format!("cannot create a temporary directory: {e}")),
    };
    for (name, data) in &case.inputs {
        // A section name must stay inside the scratch directory.
        let inside = Path::new(name)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !inside {
            return failed(format!(
                "file name {name:?}: expected a relative path without `..`"
            ));
        }
        let target = dir.path().join(name);
        let written = target
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&target, data));
        if let Err(e) = written {
            return failed(format!("cannot write {name}: {e}"));
        }
    }
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        evaluate(dir.path(), &case.roots)
    }));
    match result {
        Ok(actual) => judge(&case, &actual),
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let mut v = judge(
                &case,
                &Actual {
                    export: Err(String::new()),
                    eval: None,
                    yaml: None,
                },
            );
            v.pass = false;
            v.reason = Some(format!("panic: {}", first_line(&msg)));
            v
        }
    }
}

fn failed(reason: String) -> Verdict {
    Verdict {
        reason: Some(reason),
        ..Verdict::default()
    }
}

/// Runs every case in a child process (`exe conformance --one PATH`),
/// `opts.jobs` at a time, killing a child after `opts.timeout`.
pub fn run_isolated(exe: &Path, cases: &[(String, PathBuf)], opts: &Options) -> Vec<CaseResult> {
    super::parallel::map(cases, opts.jobs, |(name, path)| {
        let mut verdict = run_child(exe, path, opts.timeout);
        if verdict.reason.is_some() && !verdict.pass {
            fill_expectations(&mut verdict, path);
        }
        CaseResult {
            name: name.clone(),
            verdict,
        }
    })
}

/// For a case whose child died or timed out: what the case expected, so
/// that the rates count it.
fn fill_expectations(v: &mut Verdict, path: &Path) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    let case = Case::parse(&text);
    v.expects_json = matches!(case.export, Some(ExpectExport::Json(_)));
    v.expects_eval_text = matches!(case.eval, Some(ExpectEval::Text(_)));
    v.expects_eval_error = matches!(case.eval, Some(ExpectEval::Error(_)));
    v.expects_yaml = case.yaml.is_some();
}

fn run_child(exe: &Path, path: &Path, timeout: Duration) -> Verdict {
    let child = Command::new(exe)
        .arg("conformance")
        .arg("--one")
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return failed(format!("cannot start {}: {e}", exe.display())),
    };
    // The child prints one short line, so its pipe cannot fill up.
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return failed(format!("timeout after {}s", timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return failed(format!("cannot wait for the case's process: {e}")),
        }
    };
    let mut out = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        let _ = stdout.read_to_string(&mut out);
    }
    match serde_json::from_str::<Verdict>(out.trim()) {
        Ok(v) => v,
        Err(_) => failed(crash_reason(&status)),
    }
}

fn crash_reason(status: &std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("crash (signal {sig}, e.g. a stack overflow)");
        }
    }
    format!("crash ({status})")
}

/// The report: one line per failing case, the extra rates, and the final
/// `N passed, M failed` line.
/// With `verbose`, passing cases with an inexact JSON text (`INEXACT`) and
/// cases whose eval outcome disagrees (`EVAL`) are listed too.
pub fn report(results: &[CaseResult], verbose: bool) -> String {
    let mut out = String::new();
    for r in results {
        let v = &r.verdict;
        if !v.pass {
            let reason = v.reason.as_deref().unwrap_or("failed");
            out.push_str(&format!("FAIL {}: {reason}\n", r.name));
        } else if verbose {
            if let Some(reason) = &v.reason {
                out.push_str(&format!("INEXACT {}: {reason}\n", r.name));
            }
        }
        if verbose && (v.expects_eval_text || v.expects_eval_error) && !v.eval_agrees {
            let what = if v.expects_eval_text {
                "eval text differs"
            } else {
                "eval succeeded, reference failed"
            };
            out.push_str(&format!("EVAL {}: {what}\n", r.name));
        }
    }
    let s = Summary::of(results);
    out.push_str(&format!(
        "json-exact: {}/{} cases expecting JSON ({})\n",
        s.json_exact,
        s.json_expected,
        percent(s.json_exact, s.json_expected)
    ));
    out.push_str(&format!(
        "eval-text: {}/{} cases with out/eval.cue agree ({}); eval-error: {}/{} cases with out/eval.err fail too\n",
        s.eval_text_agrees,
        s.eval_text_expected,
        percent(s.eval_text_agrees, s.eval_text_expected),
        s.eval_error_agrees,
        s.eval_error_expected
    ));
    if s.yaml_expected > 0 {
        out.push_str(&format!(
            "yaml-exact: {}/{} cases with out/export.yaml ({})\n",
            s.yaml_exact,
            s.yaml_expected,
            percent(s.yaml_exact, s.yaml_expected)
        ));
    }
    out.push_str(&format!("{} passed, {} failed\n", s.passed, s.failed));
    out
}

fn percent(n: usize, d: usize) -> String {
    if d == 0 {
        "-".to_string()
    } else {
        format!("{:.1}%", 100.0 * n as f64 / d as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_case(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn finds_cases_recursively_sorted() {
        let d = tempfile::tempdir().unwrap();
        write_case(d.path(), "b/x.txtar", "");
        write_case(d.path(), "a.txtar", "");
        write_case(d.path(), "b/c/y.txtar", "");
        write_case(d.path(), "b/notes.md", "");
        let found = find_cases(&[d.path().to_path_buf()]).unwrap();
        let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a.txtar", "b/c/y.txtar", "b/x.txtar"]);
    }

    #[test]
    fn in_process_writes_inputs_and_catches_panics() {
        let d = tempfile::tempdir().unwrap();
        let p = write_case(
            d.path(),
            "c.txtar",
            "-- in.cue --\na: 1\n-- sub/s.cue --\nb: 2\n-- out/export.json --\n{\"a\": 1}\n",
        );
        let seen = |dir: &Path, roots: &[String]| -> Actual {
            assert_eq!(roots, ["in.cue"]);
            assert_eq!(
                std::fs::read_to_string(dir.join("sub/s.cue")).unwrap(),
                "b: 2\n"
            );
            Actual {
                export: Ok("{\"a\": 1}".into()),
                eval: None,
                yaml: None,
            }
        };
        let v = run_in_process(&p, &seen);
        assert!(v.pass, "{v:?}");
        let boom = |_: &Path, _: &[String]| -> Actual { panic!("kaboom") };
        let v = run_in_process(&p, &boom);
        assert!(!v.pass);
        assert_eq!(v.reason.as_deref(), Some("panic: kaboom"));
        assert!(v.expects_json);
    }

    #[test]
    fn report_ends_with_counts() {
        let results = vec![
            CaseResult {
                name: "a.txtar".into(),
                verdict: Verdict {
                    pass: true,
                    expects_json: true,
                    json_exact: true,
                    ..Verdict::default()
                },
            },
            CaseResult {
                name: "b.txtar".into(),
                verdict: Verdict {
                    reason: Some("timeout after 10s".into()),
                    expects_json: true,
                    ..Verdict::default()
                },
            },
        ];
        let r = report(&results, false);
        assert!(r.starts_with("FAIL b.txtar: timeout after 10s\n"), "{r}");
        assert!(
            r.contains("json-exact: 1/2 cases expecting JSON (50.0%)"),
            "{r}"
        );
        assert!(r.ends_with("\n1 passed, 1 failed\n"), "{r}");
    }
}
