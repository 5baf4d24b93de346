//! `--log-format tty` on a terminal is a live display: `dagger compute`
//! runs here in a pseudo-terminal, what it writes goes through a terminal
//! emulator, and the tests read the screen, not the byte stream: while an
//! exec prints a line every 0.3 s, its component's line shows the op and a
//! ticking elapsed time with the exec's last lines under it; at the end the
//! screen holds the final table and nothing of the live region; a warning
//! printed before and the error printed after stay; Ctrl-C leaves the
//! table with the running component `interrupted` and the cursor shown.
//! `--log-format json` says `ran`, then `cached`, of the same run.
//!
//! Against the engine of `scripts/engine.sh`; without `BUILDKIT_HOST` the
//! tests are skipped with a message, except under `CI=true`, where a
//! missing engine fails. No timing is asserted: the screen is polled until
//! a generous deadline.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
use rustix::termios::{tcsetwinsize, Winsize};

const ROWS: u16 = 30;
const COLS: u16 = 100;
/// How long a screen may take to show what a test waits for.
const DEADLINE: Duration = Duration::from_secs(180);
/// Where an output line's text starts under its component (live.rs).
const INDENT: &str = "         ";

fn engine_available(test: &str) -> bool {
    if std::env::var_os("BUILDKIT_HOST").is_some() {
        return true;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{test}: BUILDKIT_HOST is not set under CI=true");
    }
    eprintln!(
        "{test}: skipped, no engine (scripts/engine.sh up; eval \"$(scripts/engine.sh env)\")"
    );
    false
}

/// A value no earlier run has used, so BuildKit's cache cannot answer.
fn unique() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{}-{nanos}", std::process::id())
}

/// `quick` writes a file; `slow` (which waits for `quick`, through its
/// env) prints `out-NN <token>` every 0.3 s, `lines` times, the token read
/// from a secret mount.
fn plan(lines: u32) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let main = format!(
        r#"package main

import (
	"dagger.io/dagger"
	"dagger.io/llb"
)

token: dagger.#Secret
nonce: string

quick: {{
	string
	#compute: [
		llb.#FetchContainer & {{ref: "busybox"}},
		llb.#Exec & {{args: ["sh", "-c", "echo quick-\(nonce) > /out"]}},
		llb.#Export & {{source: "/out"}},
	]
}}

slow: {{
	string
	#compute: [
		llb.#FetchContainer & {{ref: "busybox"}},
		llb.#Exec & {{
			args: ["sh", "-c", "for i in $(seq 1 {lines}); do printf 'out-%02d %s\\n' $i \"$(cat /run/token)\"; sleep 0.3; done; echo slow-$QUICK > /out"]
			env: QUICK: quick
			mount: "/run/token": secret: token
		}},
		llb.#Export & {{source: "/out"}},
	]
}}
"#
    );
    std::fs::write(dir.path().join("main.cue"), main).unwrap();
    dir
}

/// `dagger compute` running with its stderr on a pseudo-terminal, read
/// into a terminal emulator.
struct Session {
    child: Child,
    screen: Arc<Mutex<vt100::Parser>>,
    bytes: Arc<Mutex<Vec<u8>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Session {
    /// Runs `dagger compute . ARGS` in `dir`, `LIVE_TOKEN` set to `token`,
    /// with colours unless `no_color`.
    fn start(dir: &Path, args: &[&str], token: &str, no_color: bool) -> Session {
        let master =
            openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC).expect("openpt");
        grantpt(&master).expect("grantpt");
        unlockpt(&master).expect("unlockpt");
        let name = ptsname(&master, Vec::new()).expect("ptsname");
        let size = Winsize {
            ws_row: ROWS,
            ws_col: COLS,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        tcsetwinsize(&master, size).expect("set the window size");
        let slave = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(name.to_str().unwrap())
            .expect("open the pty's terminal side");
        let mut command = Command::new(env!("CARGO_BIN_EXE_dagger"));
        if no_color {
            command.env("NO_COLOR", "1");
        } else {
            command.env_remove("NO_COLOR");
        }
        let child = command
            .arg("compute")
            .arg(".")
            .args(args)
            .current_dir(dir)
            .env("LIVE_TOKEN", token)
            .env("TERM", "xterm-256color")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(slave))
            .spawn()
            .expect("run dagger");
        // The Command is gone: the child holds the only terminal side, so
        // reading the master ends (EIO) when the child exits.
        let n = |v| std::num::NonZeroU16::new(v).unwrap();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(n(ROWS), n(COLS), 1000)));
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let (s, b) = (screen.clone(), bytes.clone());
        let mut master = File::from(master);
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = master.read(&mut buf) {
                s.lock().unwrap().process(&buf[..n]);
                b.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Session {
            child,
            screen,
            bytes,
            reader: Some(reader),
        }
    }

    /// The visible rows, trailing blank rows dropped.
    fn rows(&self) -> Vec<String> {
        let parser = self.screen.lock().unwrap();
        let mut rows: Vec<String> = parser.screen().rows(0, COLS).collect();
        while rows.last().is_some_and(|r| r.trim().is_empty()) {
            rows.pop();
        }
        rows
    }

    /// The rows once `ready` holds for them; a panic showing the screen
    /// if it never does.
    fn wait_for(&mut self, what: &str, ready: impl Fn(&[String]) -> bool) -> Vec<String> {
        let start = Instant::now();
        loop {
            let rows = self.rows();
            if ready(&rows) {
                return rows;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                // The last bytes may still be on their way.
                self.reader.take().map(|r| r.join());
                let rows = self.rows();
                if ready(&rows) {
                    return rows;
                }
                panic!(
                    "dagger exited ({status}) before {what}; screen:\n{}",
                    rows.join("\n")
                );
            }
            if start.elapsed() > DEADLINE {
                let _ = self.child.kill();
                panic!("no {what} on the screen:\n{}", rows.join("\n"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for the exit.
    fn finish(mut self) -> Ended {
        let mut stdout = String::new();
        if let Some(mut out) = self.child.stdout.take() {
            let _ = out.read_to_string(&mut stdout);
        }
        let status = self.child.wait().expect("wait for dagger");
        if let Some(r) = self.reader.take() {
            r.join().unwrap();
        }
        let hidden = self.screen.lock().unwrap().screen().hide_cursor();
        let bytes = String::from_utf8_lossy(&self.bytes.lock().unwrap()).into_owned();
        Ended {
            code: status.code(),
            stdout,
            rows: self.rows(),
            hidden,
            bytes,
        }
    }
}

/// How a session ended.
struct Ended {
    code: Option<i32>,
    stdout: String,
    /// The final screen.
    rows: Vec<String>,
    /// Whether the cursor was left hidden.
    hidden: bool,
    /// Everything written to the terminal.
    bytes: String,
}

/// Whether `bytes` set a colour or attribute (SGR: `ESC [ digits;... m`).
fn has_colour(bytes: &str) -> bool {
    bytes.split("\x1b[").skip(1).any(|rest| {
        let params = rest
            .find(|c: char| !c.is_ascii_digit() && c != ';')
            .map(|end| (&rest[..end], rest[end..].starts_with('m')));
        matches!(params, Some((p, true)) if !p.is_empty())
    })
}

/// The elapsed seconds on the live line of `component`, and the index of
/// that row: `   2.4s slow  #compute[1] exec sh -c ...`.
fn live_line(rows: &[String], component: &str) -> Option<(f64, usize)> {
    rows.iter().enumerate().find_map(|(i, r)| {
        let (time, rest) = r.trim_start().split_once("s ")?;
        let secs: f64 = time.parse().ok()?;
        rest.starts_with(&format!("{component}  #compute[1] exec"))
            .then_some((secs, i))
    })
}

/// The output lines shown under row `at`.
fn tail_under(rows: &[String], at: usize) -> Vec<&str> {
    rows[at + 1..]
        .iter()
        .take_while(|r| r.starts_with(INDENT) && !r[INDENT.len()..].starts_with(' '))
        .map(|r| &r[INDENT.len()..])
        .collect()
}

/// The state and duration of `component` in the final table.
fn table_row<'a>(rows: &'a [String], component: &str) -> Option<(&'a str, &'a str)> {
    rows.iter().find_map(|r| {
        let mut words = r.split_whitespace();
        (words.next()? == component).then_some(())?;
        Some((words.next()?, words.next()?))
    })
}

fn assert_final_table(rows: &[String], state: &str) {
    let screen = rows.join("\n");
    let head = rows
        .iter()
        .find(|r| r.starts_with("summary: 2 components: "))
        .unwrap_or_else(|| panic!("no summary line:\n{screen}"));
    assert!(head.contains("0 failed"), "{head}");
    assert!(
        rows.iter()
            .any(|r| r.trim_start().starts_with("COMPONENT  STATE")),
        "no table heading:\n{screen}"
    );
    for c in ["quick", "slow"] {
        let (got, time) = table_row(rows, c).unwrap_or_else(|| panic!("no row {c}:\n{screen}"));
        assert_eq!(got, state, "{c}:\n{screen}");
        let secs = time.strip_suffix('s').and_then(|t| t.parse::<f64>().ok());
        assert!(secs.is_some(), "{c}: no duration in its row:\n{screen}");
    }
    // Nothing of the live region is left: no component or done line, no
    // output line.
    for r in rows {
        assert!(
            !r.contains("out-") && !r.contains(" done: ") && !r.contains("#compute["),
            "a live line is left on the final screen: {r:?}\n{screen}"
        );
    }
}

#[test]
fn a_run_on_a_terminal_is_a_live_display_that_ends_in_a_table() {
    if !engine_available("a_run_on_a_terminal_is_a_live_display_that_ends_in_a_table") {
        return;
    }
    let dir = plan(20);
    let token = format!("tok-{}", unique());
    let nonce = unique();
    let nonce_arg = format!("nonce={nonce}");
    let args = [
        "--log-format",
        "tty",
        "--input-string",
        &nonce_arg,
        "--input-secret",
        "token=env:LIVE_TOKEN",
    ];
    let mut run = Session::start(dir.path(), &args, &token, false);

    // `quick` is done before `slow` starts: collapsed into the done line.
    let rows = run.wait_for("slow's output under its line", |rows| {
        live_line(rows, "slow").is_some_and(|(_, at)| !tail_under(rows, at).is_empty())
    });
    let screen = rows.join("\n");
    assert_eq!(rows[0], "1 done: 1 ran", "the done line:\n{screen}");
    let (first, at) = live_line(&rows, "slow").unwrap();
    // Cut to the terminal's width (the command is longer), not wrapped.
    assert!(rows[at].ends_with('…'), "{:?}", rows[at]);
    assert!(rows[at].chars().count() < usize::from(COLS));

    // Later: the clock has moved, and only the last lines are shown.
    let rows = run.wait_for("out-09 and a later time", |rows| {
        live_line(rows, "slow")
            .is_some_and(|(secs, at)| secs > first && tail_under(rows, at).len() == 5)
            && rows.iter().any(|r| r.contains("out-09"))
    });
    let screen = rows.join("\n");
    let (secs, at) = live_line(&rows, "slow").unwrap();
    assert!(secs > 0.0, "elapsed time 0:\n{screen}");
    let tail = tail_under(&rows, at);
    let numbers: Vec<u32> = tail
        .iter()
        .map(|l| {
            let rest = l.strip_prefix("out-").unwrap_or_else(|| panic!("{l:?}"));
            assert_eq!(&rest[2..], " <secret>", "the secret is redacted: {l:?}");
            rest[..2].parse().unwrap()
        })
        .collect();
    let last = *numbers.last().unwrap();
    assert!(last >= 9, "{numbers:?}");
    assert_eq!(numbers, (last - 4..=last).collect::<Vec<_>>(), "{screen}");
    assert!(!screen.contains("out-01"), "old output left:\n{screen}");

    let Ended {
        code,
        stdout,
        rows,
        hidden,
        bytes,
    } = run.finish();
    let screen = rows.join("\n");
    assert_eq!(code, Some(0), "{screen}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("stdout is JSON");
    assert_eq!(v["slow"], format!("slow-quick-{nonce}\n"));
    assert_final_table(&rows, "ran");
    assert!(!hidden, "the cursor is hidden at the end");
    assert!(!bytes.contains(&token), "the secret reached the terminal");
    assert!(has_colour(&bytes), "no colour without NO_COLOR");

    // The same plan again: every op from the cache.
    let mut again = Session::start(dir.path(), &args, &token, false);
    let _ = again.wait_for("the final table", |rows| {
        rows.iter().any(|r| r.starts_with("summary: "))
    });
    let Ended {
        code,
        rows,
        hidden,
        bytes,
        ..
    } = again.finish();
    assert_eq!(code, Some(0), "{}", rows.join("\n"));
    assert_final_table(&rows, "cached");
    assert!(!hidden);
    assert!(!bytes.contains(&token), "the secret reached the terminal");
}

#[test]
fn ctrl_c_ends_the_display_with_what_each_component_did() {
    if !engine_available("ctrl_c_ends_the_display_with_what_each_component_did") {
        return;
    }
    let dir = plan(400);
    let nonce_arg = format!("nonce={}", unique());
    let args = [
        "--log-format",
        "auto",
        "--input-string",
        &nonce_arg,
        "--input-secret",
        "token=env:LIVE_TOKEN",
    ];
    let token = format!("tok-{}", unique());
    let mut run = Session::start(dir.path(), &args, &token, false);
    // `auto` on a terminal is the live display.
    let _ = run.wait_for("slow's output", |rows| {
        live_line(rows, "slow").is_some_and(|(_, at)| !tail_under(rows, at).is_empty())
    });
    let pid = rustix::process::Pid::from_child(&run.child);
    rustix::process::kill_process(pid, rustix::process::Signal::INT).expect("SIGINT");
    let Ended {
        code,
        stdout,
        rows,
        hidden,
        bytes,
    } = run.finish();
    let screen = rows.join("\n");
    assert_eq!(code, Some(130), "{screen}");
    assert_eq!(stdout, "");
    assert!(!bytes.contains(&token), "the secret reached the terminal");
    assert!(!hidden, "the cursor is hidden after Ctrl-C");
    assert!(
        rows.iter()
            .any(|r| r == "summary: 2 components: 1 ran, 1 interrupted"),
        "{screen}"
    );
    assert_eq!(table_row(&rows, "quick").map(|r| r.0), Some("ran"));
    assert_eq!(table_row(&rows, "slow").map(|r| r.0), Some("interrupted"));
    assert!(
        rows.iter()
            .any(|r| r == "interrupted: cancelling 1 running component"),
        "{screen}"
    );
    for r in &rows {
        assert!(
            !r.contains("out-") && !r.contains(" done: "),
            "{r:?}\n{screen}"
        );
    }
}

#[test]
fn json_completed_events_say_ran_then_cached() {
    if !engine_available("json_completed_events_say_ran_then_cached") {
        return;
    }
    let dir = plan(1);
    let nonce_arg = format!("nonce={}", unique());
    // The same secret for both runs: its id, and so the LLB, follows it.
    let token = format!("tok-{}", unique());
    let results = || {
        let out = Command::new(env!("CARGO_BIN_EXE_dagger"))
            .args(["compute", ".", "--log-format", "json", "--input-string"])
            .arg(&nonce_arg)
            .args(["--input-secret", "token=env:LIVE_TOKEN"])
            .env("LIVE_TOKEN", &token)
            .current_dir(dir.path())
            .output()
            .expect("run dagger");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{stderr}");
        let mut results = Vec::new();
        for line in stderr.lines() {
            let v: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            if v["event"] == "completed" {
                results.push(format!("{} {}", v["component"], v["result"]));
            }
        }
        results.sort();
        results
    };
    assert_eq!(results(), [r#""quick" "ran""#, r#""slow" "ran""#]);
    assert_eq!(results(), [r#""quick" "cached""#, r#""slow" "cached""#]);
}

#[test]
fn a_failed_run_keeps_its_warning_and_ends_with_the_table_and_the_error() {
    if !engine_available("a_failed_run_keeps_its_warning_and_ends_with_the_table_and_the_error") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let main = r#"package main

import "dagger.io/llb"

nonce: string

ok: {
	string
	#compute: [
		llb.#FetchContainer & {ref: "busybox"},
		llb.#Exec & {args: ["sh", "-c", "echo ok-\(nonce) > /out"]},
		llb.#Export & {source: "/out"},
	]
}

bad: #compute: [
	llb.#FetchContainer & {ref: "busybox"},
	llb.#Exec & {args: ["sh", "-c", "echo oops-1; echo oops-2; exit 3 # \(nonce)"]},
]

later: #compute: [
	llb.#Load & {from: bad},
	llb.#Exec & {args: ["true"]},
]
"#;
    std::fs::write(dir.path().join("main.cue"), main).unwrap();
    let nonce_arg = format!("nonce={}", unique());
    let args = [
        "--input-string",
        &nonce_arg,
        // A typo: warned about before the run, and still on the screen after.
        "--input-string",
        "nonse=x",
    ];
    let run = Session::start(dir.path(), &args, "", true);
    let Ended {
        code,
        stdout,
        rows,
        hidden,
        bytes,
    } = run.finish();
    let screen = rows.join("\n");
    assert_eq!(code, Some(3), "the exec's exit code:\n{screen}");
    assert_eq!(stdout, "");
    assert!(!hidden);
    // NO_COLOR: the cursor moves, nothing is coloured.
    assert!(bytes.contains("\x1b[J"), "no live display");
    assert!(!has_colour(&bytes), "colour despite NO_COLOR");
    let at = |what: &str| {
        rows.iter()
            .position(|r| r.contains(what))
            .unwrap_or_else(|| panic!("no {what:?} on the screen:\n{screen}"))
    };
    let warning = at("did you mean nonce?");
    let summary = at("summary: 3 components: 1 ran, 0 cached, 0 skipped, 1 failed, 1 not run");
    let error = at("error: component bad: bad.#compute[1] exec failed with exit code 3");
    let tail = at("oops-2");
    assert!(
        warning < summary && summary < error && error < tail,
        "{screen}"
    );
    assert_eq!(table_row(&rows, "ok").map(|r| r.0), Some("ran"));
    assert_eq!(table_row(&rows, "bad").map(|r| r.0), Some("failed"));
    assert!(
        rows.iter()
            .any(|r| r.starts_with("  later ") && r.contains("not run")),
        "{screen}"
    );
    for c in ["ok", "bad", "later"] {
        assert!(
            live_line(&rows, c).is_none(),
            "a live line is left:\n{screen}"
        );
    }
    assert!(!screen.contains(" done: "), "{screen}");
}
