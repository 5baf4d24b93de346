//! Running the CUE command-line suite: each script's files go into a fresh
//! work directory, each of its `cue` commands runs as the matching `dagger`
//! command there (a child process with a timeout), and its exit status
//! (zero or not, as testscript judges it), stdout, stderr and the files it
//! created, changed or removed are compared with the reference's record.
//! A script passes when all its commands agree.

use super::cli_case::{dagger_args, shell_words, CliCase, CliCommand};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Directories of the work directory that hold the environment (home and
/// temporary directory), not outputs.
const HIDDEN: [&str; 2] = [".user-home", ".tmp"];

/// Most lines shown of each side of a difference.
const DIFF_LINES: usize = 6;

/// How one command disagreed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// 1-based position of the command among the script's `cue` commands.
    pub index: usize,
    /// The command as the script runs it, e.g. `cue eval -e a`.
    pub command: String,
    /// What differs, one entry per aspect (exit status, stdout, stderr,
    /// files), each a one-line summary followed by diff lines.
    pub aspects: Vec<String>,
}

/// How a script went.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CliVerdict {
    /// All commands agreed.
    pub pass: bool,
    /// Commands run (or that could not be run).
    pub commands: usize,
    /// Of those, commands that agreed.
    pub agreed: usize,
    /// The commands that disagreed, in order.
    pub mismatches: Vec<Mismatch>,
    /// Why the script could not run at all (unreadable case, setup error).
    pub error: Option<String>,
}

/// One script's name and verdict.
#[derive(Clone, Debug)]
pub struct CliResult {
    /// The case file's name relative to the directory given.
    pub name: String,
    /// How it went.
    pub verdict: CliVerdict,
}

/// What one command did.
struct Ran {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs every case with `exe` (the `dagger` binary), `jobs` scripts at a
/// time, each command killed after `timeout`.
pub fn run_all(
    exe: &Path,
    cases: &[(String, PathBuf)],
    jobs: usize,
    timeout: Duration,
) -> Vec<CliResult> {
    super::parallel::map(cases, jobs, |(name, path)| {
        let verdict = match std::fs::read_to_string(path) {
            Ok(text) => match CliCase::parse(&text) {
                Ok(case) => run_case(exe, &case, timeout),
                Err(e) => setup_error(e),
            },
            Err(e) => setup_error(format!("cannot read case: {e}")),
        };
        CliResult {
            name: name.clone(),
            verdict,
        }
    })
}

fn setup_error(e: String) -> CliVerdict {
    CliVerdict {
        error: Some(e),
        ..CliVerdict::default()
    }
}

/// Runs one script's commands in a fresh work directory and compares each
/// with the reference's record.
pub fn run_case(exe: &Path, case: &CliCase, timeout: Duration) -> CliVerdict {
    let tmp = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return setup_error(format!("cannot create a temporary directory: {e}")),
    };
    let work = tmp
        .path()
        .canonicalize()
        .unwrap_or_else(|_| tmp.path().to_path_buf())
        .join("work");
    if let Err(e) = write_inputs(&work, &case.inputs) {
        return setup_error(e);
    }
    let mut verdict = CliVerdict {
        pass: true,
        ..CliVerdict::default()
    };
    let mut before = snapshot(&work);
    for (i, expected) in case.commands.iter().enumerate() {
        let ran = run_command(exe, &work, expected, timeout);
        let after = snapshot(&work);
        let aspects = match ran {
            Ok(ran) => compare(expected, &ran, &changes(&before, &after)),
            Err(e) => vec![e],
        };
        before = after;
        verdict.commands += 1;
        if aspects.is_empty() {
            verdict.agreed += 1;
        } else {
            verdict.pass = false;
            verdict.mismatches.push(Mismatch {
                index: i + 1,
                command: format!("cue {}", shell_words(&expected.argv)),
                aspects,
            });
        }
    }
    verdict
}

/// Writes the script's files (a name ending in `/` is an empty file, as
/// testscript writes it) and the home and temporary directories.
fn write_inputs(work: &Path, inputs: &[(String, String)]) -> Result<(), String> {
    for dir in HIDDEN {
        std::fs::create_dir_all(work.join(dir)).map_err(|e| format!("cannot create {dir}: {e}"))?;
    }
    for (name, data) in inputs {
        let rel = Path::new(name.trim_end_matches('/'));
        let inside = rel
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !inside || rel.as_os_str().is_empty() {
            return Err(format!(
                "file name {name:?}: expected a relative path without `..`"
            ));
        }
        let target = work.join(rel);
        target
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&target, data))
            .map_err(|e| format!("cannot write {name}: {e}"))?;
    }
    Ok(())
}

/// Runs `cue ARGV` as the matching `dagger` command in `work`.
fn run_command(
    exe: &Path,
    work: &Path,
    expected: &CliCommand,
    timeout: Duration,
) -> Result<Ran, String> {
    let work_text = work.display().to_string();
    let argv: Vec<String> = expected
        .argv
        .iter()
        .map(|a| a.replace("$WORK", &work_text))
        .collect();
    let args = dagger_args(&argv)?;
    let input = match &expected.stdin {
        Some(file) => std::fs::read(work.join(file))
            .map_err(|e| format!("cannot read standard input {file}: {e}"))?,
        None => Vec::new(),
    };
    let mut cmd = Command::new(exe);
    cmd.args(&args)
        .current_dir(work)
        .env_clear()
        .env("HOME", work.join(".user-home"))
        .env("TMPDIR", work.join(".tmp"))
        .env("WORK", work)
        .env("NO_COLOR", "1")
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    let feed = child.stdin.take().map(|mut stdin| {
        std::thread::spawn(move || {
            // A command that does not read its input closes the pipe.
            let _ = stdin.write_all(&input);
        })
    });
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("timeout after {}s", timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("cannot wait for dagger: {e}")),
        }
    };
    if let Some(feed) = feed {
        let _ = feed.join();
    }
    let text = |h: std::thread::JoinHandle<Vec<u8>>| {
        let bytes = h.join().unwrap_or_default();
        String::from_utf8_lossy(&bytes).replace(&work_text, "$WORK")
    };
    Ok(Ran {
        status: status.code(),
        stdout: text(out),
        stderr: text(err),
    })
}

/// The work directory's files (outside the hidden directories), by path.
fn snapshot(work: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, rel: &str, top: bool, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if top && HIDDEN.contains(&name.as_str()) {
                continue;
            }
            let path = entry.path();
            let rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            match entry.file_type() {
                Ok(t) if t.is_dir() => walk(&path, &rel, false, out),
                Ok(_) => {
                    if let Ok(data) = std::fs::read(&path) {
                        out.insert(rel, data);
                    }
                }
                Err(_) => {}
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(work, "", true, &mut out);
    out
}

/// Files created or changed (with their contents) and files removed.
struct Changes {
    files: BTreeMap<String, String>,
    removed: Vec<String>,
}

fn changes(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>) -> Changes {
    Changes {
        files: after
            .iter()
            .filter(|(path, data)| before.get(*path) != Some(*data))
            .map(|(path, data)| (path.clone(), String::from_utf8_lossy(data).into_owned()))
            .collect(),
        removed: before
            .keys()
            .filter(|p| !after.contains_key(*p))
            .cloned()
            .collect(),
    }
}

/// The aspects in which a command disagrees with the record (empty: it
/// agrees).
fn compare(expected: &CliCommand, ran: &Ran, changed: &Changes) -> Vec<String> {
    let mut out = Vec::new();
    let failed = ran.status != Some(0);
    if failed != (expected.exit != 0) {
        let got = match ran.status {
            Some(code) => format!("exit {code}"),
            None => "killed by a signal".to_string(),
        };
        out.push(format!(
            "exit status: reference exit {}, dagger {got}",
            expected.exit
        ));
    }
    for (what, want, got) in [
        ("stdout", &expected.stdout, &ran.stdout),
        ("stderr", &expected.stderr, &ran.stderr),
    ] {
        if want != got {
            out.push(format!("{what} differs\n{}", diff(want, got)));
        }
    }
    let paths: std::collections::BTreeSet<&String> =
        expected.files.keys().chain(changed.files.keys()).collect();
    for path in paths {
        match (expected.files.get(path), changed.files.get(path)) {
            (Some(want), Some(got)) if want == got => {}
            (Some(want), Some(got)) => {
                out.push(format!("file {path} differs\n{}", diff(want, got)));
            }
            (Some(_), None) => out.push(format!(
                "file {path}: written by the reference, not by dagger"
            )),
            (None, Some(_)) => out.push(format!(
                "file {path}: written by dagger, not by the reference"
            )),
            (None, None) => {}
        }
    }
    if expected.removed != changed.removed {
        out.push(format!(
            "removed files: reference {:?}, dagger {:?}",
            expected.removed, changed.removed
        ));
    }
    out
}

/// A short diff: the lines between the common beginning and end of the two
/// texts, `-` for the reference's and `+` for ours, at most `DIFF_LINES`
/// of each.
pub fn diff(want: &str, got: &str) -> String {
    let a: Vec<&str> = want.split_inclusive('\n').collect();
    let b: Vec<&str> = got.split_inclusive('\n').collect();
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let mut out = format!("  @@ line {}\n", head + 1);
    for (sign, lines) in [
        ("-", &a[head..a.len() - tail]),
        ("+", &b[head..b.len() - tail]),
    ] {
        for line in lines.iter().take(DIFF_LINES) {
            match line.strip_suffix('\n') {
                Some(l) => out.push_str(&format!("  {sign}{l}\n")),
                None => out.push_str(&format!("  {sign}{line}  (no newline at end)\n")),
            }
        }
        if lines.len() > DIFF_LINES {
            out.push_str(&format!(
                "  {sign}... {} more lines\n",
                lines.len() - DIFF_LINES
            ));
        }
    }
    out.pop();
    out
}

/// The report: for each failing script a `FAIL` line with its first
/// disagreeing command (all of them with `verbose`) and a short diff, then
/// the count of agreeing commands and `N passed, M failed`.
pub fn report(results: &[CliResult], verbose: bool) -> String {
    let mut out = String::new();
    for r in results {
        let v = &r.verdict;
        if let Some(e) = &v.error {
            out.push_str(&format!("FAIL {}: {e}\n", r.name));
            continue;
        }
        let shown = if verbose { v.mismatches.len() } else { 1 };
        for m in v.mismatches.iter().take(shown) {
            let first = m
                .aspects
                .first()
                .map_or("", |a| a.lines().next().unwrap_or(""));
            out.push_str(&format!(
                "FAIL {}: command {} `{}`: {first}\n",
                r.name, m.index, m.command
            ));
            for (i, aspect) in m.aspects.iter().enumerate() {
                // The first aspect's summary is on the FAIL line.
                for line in aspect.lines().skip(usize::from(i == 0)) {
                    out.push_str(&format!("  {line}\n"));
                }
            }
        }
        if !verbose && v.mismatches.len() > 1 {
            out.push_str(&format!(
                "  (and {} more commands disagree)\n",
                v.mismatches.len() - 1
            ));
        }
    }
    let commands: usize = results.iter().map(|r| r.verdict.commands).sum();
    let agreed: usize = results.iter().map(|r| r.verdict.agreed).sum();
    let passed = results.iter().filter(|r| r.verdict.pass).count();
    out.push_str(&format!("commands: {agreed}/{commands} agree\n"));
    out.push_str(&format!(
        "{passed} passed, {} failed\n",
        results.len() - passed
    ));
    out
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A stand-in for `dagger`: a shell script.
    fn fake_exe(dir: &Path, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let p = dir.join("fake-dagger");
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    }

    fn command(argv: &str, exit: i32, stdout: &str, stderr: &str) -> CliCommand {
        CliCommand {
            argv: argv.split_whitespace().map(String::from).collect(),
            negated: exit != 0,
            stdin: None,
            exit,
            stdout: stdout.into(),
            stderr: stderr.into(),
            files: BTreeMap::new(),
            removed: Vec::new(),
        }
    }

    #[test]
    fn diff_shows_the_differing_middle() {
        assert_eq!(diff("a\nb\nc\n", "a\nB\nc\n"), "  @@ line 2\n  -b\n  +B");
        assert_eq!(
            diff("x\n", "x"),
            "  @@ line 1\n  -x\n  +x  (no newline at end)"
        );
        let many: String = (0..10).map(|i| format!("{i}\n")).collect();
        let d = diff(&many, "");
        assert!(d.ends_with("  -5\n  -... 4 more lines"), "{d}");
    }

    #[test]
    fn runs_commands_and_compares_outputs_files_and_exit() {
        let d = tempfile::tempdir().unwrap();
        // `eval` prints its arguments and standard input; `export` fails
        // (it is mapped to `eval --out json`, so the fake sees `--out`);
        // `fmt` rewrites x.cue; `vet` prints the work directory.
        let exe = fake_exe(
            d.path(),
            r#"case "$1 $2" in
  "eval --out") echo "no json" >&2; exit 1 ;;
  eval*) shift; echo "args: $*"; cat; exit 0 ;;
  fmt*) printf 'a: 1\n' > x.cue ;;
  vet*) pwd >&2; exit 0 ;;
esac"#,
        );
        let mut formatted = command("fmt", 0, "", "");
        formatted.files.insert("x.cue".into(), "a: 1\n".into());
        let mut fed = command("eval -e a", 0, "args: -e a\nfrom stdin\n", "");
        fed.stdin = Some("in.txt".into());
        let case = CliCase {
            script: String::new(),
            inputs: vec![
                ("x.cue".into(), "a:   1\n".into()),
                ("in.txt".into(), "from stdin\n".into()),
                ("empty/".into(), String::new()),
            ],
            commands: vec![
                fed,
                command("export x.cue", 1, "", "no json\n"),
                formatted,
                command("vet", 0, "", "$WORK\n"),
            ],
        };
        let v = run_case(&exe, &case, Duration::from_secs(10));
        assert_eq!(v.error, None);
        assert!(v.pass, "{v:?}");
        assert_eq!((v.commands, v.agreed), (4, 4));

        // The same script against a reference that said otherwise.
        let mut other = case.clone();
        other.commands[0].stdout = "args: -e a\n".into();
        other.commands[1].exit = 0;
        other.commands[2].files.clear();
        let v = run_case(&exe, &other, Duration::from_secs(10));
        assert!(!v.pass);
        assert_eq!((v.commands, v.agreed), (4, 1));
        let summaries: Vec<Vec<&str>> = v
            .mismatches
            .iter()
            .map(|m| {
                m.aspects
                    .iter()
                    .map(|a| a.lines().next().unwrap())
                    .collect()
            })
            .collect();
        assert_eq!(
            summaries,
            [
                vec!["stdout differs"],
                vec!["exit status: reference exit 0, dagger exit 1"],
                vec!["file x.cue: written by dagger, not by the reference"],
            ]
        );
        let r = report(
            &[CliResult {
                name: "s.txtar".into(),
                verdict: v,
            }],
            false,
        );
        assert_eq!(
            r,
            "FAIL s.txtar: command 1 `cue eval -e a`: stdout differs\n\
             \x20   @@ line 2\n\
             \x20   +from stdin\n\
             \x20 (and 2 more commands disagree)\n\
             commands: 1/4 agree\n\
             0 passed, 1 failed\n"
        );
    }

    #[test]
    fn a_command_over_the_time_limit_fails() {
        let d = tempfile::tempdir().unwrap();
        let exe = fake_exe(d.path(), "sleep 5");
        let case = CliCase {
            commands: vec![command("eval", 0, "", "")],
            ..CliCase::default()
        };
        let v = run_case(&exe, &case, Duration::from_millis(100));
        assert!(!v.pass);
        assert_eq!(v.mismatches[0].aspects, ["timeout after 0s"]);
    }
}
