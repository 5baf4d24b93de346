//! Helpers of the engine fault and load tests (`engine_faults.rs`,
//! `load.rs`): running `dagger compute`, throwaway daemons and registries
//! (scripts/engine-scratch.sh), processes seen in /proc, a fake registry.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The shared engine's address, or `None` (and a note) when the tests run
/// without one; under `CI=true` a missing engine fails.
pub fn shared_engine(test: &str) -> Option<String> {
    match std::env::var("BUILDKIT_HOST") {
        Ok(h) if !h.is_empty() => Some(h),
        _ => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{test}: BUILDKIT_HOST is not set (run scripts/test.sh)");
            }
            eprintln!(
                "{test}: skipped, BUILDKIT_HOST is not set (eval \"$(scripts/engine.sh env)\")"
            );
            None
        }
    }
}

/// A fresh value for this test run, so nothing is answered from the cache
/// of an earlier run.
pub fn nonce() -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!("{}-{}", std::process::id(), t.as_nanos())
}

/// A new directory under /tmp (short paths: unix sockets live in some).
pub fn temp_dir(prefix: &str) -> PathBuf {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in("/tmp")
        .expect("temp dir")
        .keep()
}

/// A directory removed (with what is in it) when dropped, also when the
/// test fails.
pub struct Dir(PathBuf);

impl Dir {
    pub fn new(prefix: &str) -> Dir {
        Dir(temp_dir(prefix))
    }
}

impl std::ops::Deref for Dir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for Dir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes a plan (`main.cue`) into a new directory.
pub fn plan(prefix: &str, cue: &str) -> Dir {
    let dir = Dir::new(prefix);
    std::fs::write(dir.join("main.cue"), cue).unwrap();
    dir
}

/// `dagger compute .` in `dir` with `args`, against `host`.
pub fn compute_cmd(dir: &Path, host: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dagger"));
    c.arg("compute")
        .arg(".")
        .args(args)
        .args(["--log-format", "plain"])
        .current_dir(dir)
        .env("BUILDKIT_HOST", host)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    c
}

/// Runs `dagger compute` to its end (at most `limit`, then it is killed and
/// the test fails).
pub fn compute(dir: &Path, host: &str, args: &[&str], limit: Duration) -> Output {
    let child = compute_cmd(dir, host, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run dagger");
    wait_output(child, limit)
}

/// Waits for `child` (stdout and stderr piped) at most `limit`.
pub fn wait_output(mut child: Child, limit: Duration) -> Output {
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let status = wait_limited(&mut child, limit).unwrap_or_else(|| {
        let _ = child.kill();
        let _ = child.wait();
        panic!("dagger compute did not finish within {limit:?}");
    });
    Output {
        status,
        stdout: out_t.join().unwrap(),
        stderr: err_t.join().unwrap(),
    }
}

/// The child's exit status, or `None` if it still runs after `limit`.
pub fn wait_limited(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().expect("wait") {
            return Some(s);
        }
        if start.elapsed() > limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The result JSON printed on stdout.
pub fn result_json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Pids of the processes whose command line holds `token`, other than
/// this test's own children that merely carry it as an argument (`dagger`).
pub fn processes_with(token: &str) -> Vec<u32> {
    let mut pids = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return pids;
    };
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(cmd) = std::fs::read(e.path().join("cmdline")) else {
            continue;
        };
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        if cmd.contains(token) && !cmd.contains("dagger") {
            pids.push(pid);
        }
    }
    pids
}

/// Waits until `check` holds (polling), at most `limit`; whether it did.
pub fn wait_until(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    check()
}

/// Sends `signal` (a name like `INT`, `KILL`) to `pid`.
pub fn signal(pid: u32, signal: &str) {
    let ok = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "kill -{signal} {pid} failed");
}

/// Kills (SIGKILL) the processes whose command line holds `token`: what
/// a killed daemon's containers leave behind.
pub fn kill_leftovers(token: &str) {
    for pid in processes_with(token) {
        let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
    }
}

/// A free TCP port on 127.0.0.1 (nothing listens there once this returns).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn scratch_script() -> PathBuf {
    repo_root().join("scripts/engine-scratch.sh")
}

fn run_scratch(args: &[&str]) -> String {
    let out = Command::new("bash")
        .arg(scratch_script())
        .args(args)
        .output()
        .expect("run engine-scratch.sh");
    assert!(
        out.status.success(),
        "engine-scratch.sh {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A throwaway BuildKit daemon (scripts/engine-scratch.sh): its own root
/// and socket; stopped, unmounted and removed when dropped.
pub struct ScratchDaemon {
    pub dir: PathBuf,
    pub host: String,
}

impl ScratchDaemon {
    pub fn start(prefix: &str) -> ScratchDaemon {
        let dir = temp_dir(prefix);
        let host = run_scratch(&["buildkitd-start", dir.to_str().unwrap()]);
        ScratchDaemon { dir, host }
    }

    pub fn pid(&self) -> u32 {
        std::fs::read_to_string(self.dir.join("buildkitd.pid"))
            .expect("buildkitd.pid")
            .trim()
            .parse()
            .unwrap()
    }

    /// Starts it again (same root, same socket) once it is gone.
    pub fn restart(&self) {
        let host = run_scratch(&["buildkitd-start", self.dir.to_str().unwrap()]);
        assert_eq!(host, self.host);
    }

    /// Stops it with `sig` and waits until it has exited.
    pub fn stop(&self, sig: &str) {
        run_scratch(&["buildkitd-stop", self.dir.to_str().unwrap(), sig]);
    }

    /// The daemon's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("buildkitd.log")).unwrap_or_default()
    }
}

impl Drop for ScratchDaemon {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(scratch_script())
            .args(["clean", self.dir.to_str().unwrap()])
            .status();
    }
}

/// A throwaway registry on 127.0.0.1:`port` (scripts/engine-scratch.sh).
pub struct ScratchRegistry {
    pub dir: PathBuf,
    pub port: u16,
}

impl ScratchRegistry {
    pub fn start(prefix: &str) -> ScratchRegistry {
        let dir = temp_dir(prefix);
        let port = free_port();
        run_scratch(&["registry-start", dir.to_str().unwrap(), &port.to_string()]);
        ScratchRegistry { dir, port }
    }

    pub fn stop(&self) {
        run_scratch(&["registry-stop", self.dir.to_str().unwrap(), "KILL"]);
    }

    pub fn restart(&self) {
        run_scratch(&[
            "registry-start",
            self.dir.to_str().unwrap(),
            &self.port.to_string(),
        ]);
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for ScratchRegistry {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(scratch_script())
            .args(["clean", self.dir.to_str().unwrap()])
            .status();
    }
}

/// A registry that answers every request with `500 Internal Server Error`
/// (and a registry-style JSON error), and anything that is not HTTP (a TLS
/// handshake) with a plain `400`, as a Go HTTP server does, so that
/// clients trying HTTPS first fall back to HTTP. Records `METHOD PATH` of
/// each request.
pub struct Fake500 {
    pub port: u16,
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl Fake500 {
    pub fn start() -> Fake500 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let seen = seen.clone();
                std::thread::spawn(move || serve_500(conn, &seen));
            }
        });
        Fake500 { port, requests }
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve_500(conn: TcpStream, seen: &Mutex<Vec<String>>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut w = match conn.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut r = BufReader::new(conn);
    loop {
        // The request line; anything else than `METHOD PATH HTTP/1.x` is
        // not HTTP (a TLS ClientHello starts with 0x16).
        let mut first = [0u8; 1];
        if r.read_exact(&mut first).is_err() {
            return;
        }
        if !first[0].is_ascii_uppercase() {
            let _ = w.write_all(
                b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            );
            return;
        }
        let mut line = vec![first[0]];
        if r.read_until(b'\n', &mut line).is_err() {
            return;
        }
        let line = String::from_utf8_lossy(&line).trim().to_string();
        let mut length = 0usize;
        loop {
            let mut h = String::new();
            if r.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0u8; length];
        if r.read_exact(&mut body).is_err() {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let path = parts.next().unwrap_or("").to_string();
        seen.lock().unwrap().push(format!("{method} {path}"));
        let json = br#"{"errors":[{"code":"UNKNOWN","message":"fake registry: internal error"}]}"#;
        let head = format!(
            "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            json.len()
        );
        if w.write_all(head.as_bytes()).is_err() {
            return;
        }
        if method != "HEAD" && w.write_all(json).is_err() {
            return;
        }
    }
}

/// A registry that accepts connections and never answers: the port of a
/// listener whose connections are held open (until the test ends).
pub fn silent_registry() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            held.push(conn);
        }
    });
    port
}

/// The high-water mark of the resident memory of process `pid` in kB
/// (`VmHWM`), if it can still be read.
pub fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
