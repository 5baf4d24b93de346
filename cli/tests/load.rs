//! The engine under load, against the shared engine of scripts/engine.sh:
//! a large local directory synced (and synced again incrementally), 50
//! plans computed at once by 50 `dagger` processes, and one plan of 500
//! components, 100 of them running at once. Each checks every output and
//! prints its figures (`--nocapture` shows them).

mod engine_support;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use engine_support::*;

// ---- a large local directory ------------------------------------------------

/// Lists `/src` in the container: directories and files with their modes,
/// owners (and sizes), symlinks with their targets, then every file's
/// sha256 (`find | sort | xargs sha256sum`).
const MANIFEST_SCRIPT: &str = "cd /src && \
find . -mindepth 1 -type d | sort | xargs stat -c 'd %a %u:%g %n' > /out && \
find . -type f | sort | xargs stat -c 'f %a %u:%g %s %n' >> /out && \
for l in $(find . -type l | sort); do echo \"l $l -> $(readlink $l)\"; done >> /out && \
find . -type f | sort | xargs sha256sum >> /out";

fn manifest_plan() -> String {
    format!(
        r#"package main

import "dagger.io/dagger"

src: dagger.#Artifact

manifest: {{
	string
	#compute: [
		{{do: "fetch-container", ref: "busybox"}},
		{{
			do: "exec"
			mount: "/src": from: src
			args: ["sh", "-c", {script:?}]
		}},
		{{do: "export", source: "/out"}},
	]
}}
"#,
        script = MANIFEST_SCRIPT
    )
}

/// Content of small file `i`: different lengths and bytes for each.
fn small_content(i: usize) -> Vec<u8> {
    let mut v = format!("file {i}\n").into_bytes();
    v.extend(std::iter::repeat_n(b'a' + (i % 26) as u8, i % 97));
    v
}

/// 5,000 files in 200 directories (various modes), empty directories, a
/// 0-byte file, a 100 MB file, symlinks to a file and to a directory.
fn make_tree(root: &Path) {
    for d in 0..200 {
        let dir = root.join(format!("d{d:03}"));
        std::fs::create_dir(&dir).unwrap();
        for f in 0..25 {
            let i = d * 25 + f;
            let path = dir.join(format!("f{f:02}"));
            std::fs::write(&path, small_content(i)).unwrap();
            let mode = match i % 7 {
                0 => 0o755,
                1 => 0o600,
                2 => 0o444,
                _ => 0o644,
            };
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
    }
    std::fs::set_permissions(root.join("d007"), std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::create_dir(root.join("empty")).unwrap();
    std::fs::create_dir_all(root.join("d050/empty/nested")).unwrap();
    std::fs::write(root.join("zero"), b"").unwrap();
    // 100 MB, not compressible, not repeating in any short period.
    let mut big = Vec::with_capacity(100 << 20);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    while big.len() < 100 << 20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        big.extend_from_slice(&x.to_le_bytes());
    }
    std::fs::write(root.join("big.bin"), &big).unwrap();
    std::os::unix::fs::symlink("d000/f00", root.join("link-to-file")).unwrap();
    std::os::unix::fs::symlink("d001", root.join("link-to-dir")).unwrap();
}

/// What MANIFEST_SCRIPT prints for `root`, computed here (owners as sent:
/// 0:0; file hashes by the host's `sha256sum`).
fn host_manifest(root: &Path) -> String {
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    let mut links = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            let path = e.path();
            let rel = format!("./{}", path.strip_prefix(root).unwrap().display());
            let md = std::fs::symlink_metadata(&path).unwrap();
            let mode = md.permissions().mode() & 0o7777;
            if md.file_type().is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                links.push(format!("l {rel} -> {}", target.display()));
            } else if md.is_dir() {
                dirs.push((rel.clone(), format!("d {mode:o} 0:0 {rel}")));
                stack.push(path);
            } else {
                files.push((rel.clone(), format!("f {mode:o} 0:0 {} {rel}", md.len())));
            }
        }
    }
    dirs.sort();
    files.sort();
    links.sort();
    let names: Vec<&str> = files.iter().map(|(r, _)| r.as_str()).collect();
    let mut sums = String::new();
    for chunk in names.chunks(1000) {
        let out = Command::new("sha256sum")
            .args(chunk)
            .current_dir(root)
            .output()
            .expect("sha256sum");
        assert!(out.status.success());
        sums.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    let mut m = String::new();
    for (_, l) in dirs.iter().chain(files.iter()) {
        m.push_str(l);
        m.push('\n');
    }
    for l in links {
        m.push_str(&l);
        m.push('\n');
    }
    m.push_str(&sums);
    m
}

fn sha256_hex(text: &str) -> String {
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout)[..64].to_string()
}

/// `(entries listed, files requested, bytes sent)` of the transfer of
/// `root`, from the DAGGER_DEBUG_FILESYNC line.
fn transfer(stderr: &str, root: &Path) -> (u64, u64, u64) {
    let prefix = format!("filesync: {}: ", root.display());
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no transfer of {} in:\n{stderr}", root.display()));
    let nums: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    (nums[0], nums[1], nums[2])
}

fn compare_manifests(got: &str, want: &str) {
    if got == want {
        return;
    }
    let (g, w): (Vec<&str>, Vec<&str>) = (got.lines().collect(), want.lines().collect());
    let first = g
        .iter()
        .zip(&w)
        .position(|(a, b)| a != b)
        .unwrap_or(g.len().min(w.len()));
    panic!(
        "the container saw another tree ({} lines, expected {}); first difference at line {first}:\n  got:  {:?}\n  want: {:?}",
        g.len(),
        w.len(),
        g.get(first),
        w.get(first)
    );
}

#[test]
fn a_large_local_directory_is_synced_exactly_and_then_incrementally() {
    let Some(host) = shared_engine("large local directory") else {
        return;
    };
    let src = Dir::new("dgl-src");
    let dir = plan("dgl-plan", &manifest_plan());
    make_tree(&src);
    let input = format!("src={}", src.display());
    let run = |label: &str| {
        let started = Instant::now();
        let child = compute_cmd(&dir, &host, &["--input-dir", &input])
            .env("DAGGER_DEBUG_FILESYNC", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = wait_output(child, Duration::from_secs(300));
        let took = started.elapsed();
        let err = stderr(&out);
        assert!(out.status.success(), "{label}:\n{err}");
        let (listed, requested, bytes) = transfer(&err, &src);
        println!(
            "local dir, {label}: {listed} entries listed, {requested} files requested, {bytes} bytes sent; run took {took:?}"
        );
        let got = result_json(&out)["manifest"].as_str().unwrap().to_string();
        (got, listed, requested, bytes)
    };

    let want = host_manifest(&src);
    assert_eq!(want.lines().filter(|l| l.starts_with("f ")).count(), 5002);
    let (got, listed, requested, bytes) = run("first run");
    compare_manifests(&got, &want);
    println!(
        "local dir: tree digest {} (container and host)",
        sha256_hex(&got)
    );
    // 200 directories, 3 empty ones, 5,002 files, 2 symlinks.
    assert_eq!(listed, 200 + 3 + 5002 + 2);
    assert!(requested >= 5001, "{requested} files requested");
    assert!(bytes > 100 << 20, "{bytes} bytes sent");

    // One file changed: only it travels.
    let changed = src.join("d123/f04");
    std::fs::write(&changed, b"changed between the runs\n").unwrap();
    let want = host_manifest(&src);
    let (got, listed, requested, bytes) = run("second run, one file changed");
    compare_manifests(&got, &want);
    assert_eq!(listed, 200 + 3 + 5002 + 2);
    assert_eq!(requested, 1, "only the changed file is requested");
    assert_eq!(bytes, 25, "only its bytes are sent");
}

// ---- 50 plans at once ---------------------------------------------------------

const SMALL_PLAN: &str = r#"package main

n:     string
nonce: string

hello: {
	string
	#compute: [
		{do: "fetch-container", ref: "busybox"},
		{do: "exec", args: ["sh", "-c", "printf plan-\(n)-\(nonce) > /out"]},
		{do: "export", source: "/out"},
	]
}

upper: {
	string
	#compute: [
		{do: "fetch-container", ref: "busybox"},
		{do: "exec", args: ["sh", "-c", "printf \(hello) | tr a-z A-Z > /out"]},
		{do: "export", source: "/out"},
	]
}
"#;

#[test]
fn fifty_plans_computed_at_once_all_finish_correctly() {
    let Some(host) = shared_engine("50 plans at once") else {
        return;
    };
    let nonce = nonce();
    let dirs: Vec<_> = (0..50).map(|_| plan("dgp", SMALL_PLAN)).collect();
    let started = Instant::now();
    let children: Vec<_> = dirs
        .iter()
        .enumerate()
        .map(|(i, dir)| {
            let n = format!("n={i}");
            let nonce = format!("nonce={nonce}");
            let child = compute_cmd(
                dir,
                &host,
                &["--input-string", &n, "--input-string", &nonce],
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
            (Instant::now(), child)
        })
        .collect();
    let mut times = Vec::new();
    for (i, (spawned, child)) in children.into_iter().enumerate() {
        let out = wait_output(child, Duration::from_secs(300));
        times.push(spawned.elapsed());
        assert!(out.status.success(), "plan {i}:\n{}", stderr(&out));
        let v = result_json(&out);
        assert_eq!(v["hello"], format!("plan-{i}-{nonce}"), "plan {i}");
        assert_eq!(
            v["upper"],
            format!("PLAN-{i}-{nonce}").to_uppercase(),
            "plan {i}"
        );
    }
    let total = started.elapsed();
    times.sort();
    println!(
        "50 plans at once: all done in {total:?}; per plan min {:?}, median {:?}, max {:?}",
        times[0], times[25], times[49]
    );
}

// ---- 500 components -------------------------------------------------------------

/// 100 chains of 5 components: `wK_I` exports `I*10 + K`, computed in a
/// container from the value of `w(K-1)_I`; the 100 chains run side by side.
fn wide_plan(chains: usize, depth: usize) -> String {
    let mut s = String::from("package main\n\nnonce: string\n");
    for i in 0..chains {
        for k in 0..depth {
            let expr = if k == 0 {
                format!("{}", i * 10)
            } else {
                format!("$(( \\(w{}_{i}) + 1 ))", k - 1)
            };
            s.push_str(&format!(
                r#"
w{k}_{i}: {{
	int
	#compute: [
		{{do: "fetch-container", ref: "busybox"}},
		{{do: "exec", args: ["sh", "-c", "echo {expr} > /out # \(nonce)"]}},
		{{do: "export", source: "/out", format: "json"}},
	]
}}
"#
            ));
        }
    }
    s
}

#[test]
fn five_hundred_components_a_hundred_at_once_finish_and_memory_stays_bounded() {
    let Some(host) = shared_engine("500 components") else {
        return;
    };
    let (chains, depth) = (100, 5);
    let dir = plan("dgw", &wide_plan(chains, depth));
    let nonce = format!("nonce={}", nonce());
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dagger"))
        .args([
            "compute",
            ".",
            "--log-format",
            "json",
            "--input-string",
            &nonce,
        ])
        .current_dir(&dir)
        .env("BUILDKIT_HOST", &host)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    // VmHWM is a high-water mark: its last reading is the peak, up to
    // what the last few milliseconds added.
    let mut peak_kb = 0;
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr_pipe = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut v);
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr_pipe, &mut v);
        v
    });
    let status = loop {
        if let Some(kb) = peak_rss_kb(pid) {
            peak_kb = peak_kb.max(kb);
        }
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(600) {
            let _ = child.kill();
            panic!("500 components did not finish within 600s");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = started.elapsed();
    let out = std::process::Output {
        status,
        stdout: out_t.join().unwrap(),
        stderr: err_t.join().unwrap(),
    };
    let err = stderr(&out);
    assert!(
        out.status.success(),
        "{}",
        &err[err.len().saturating_sub(4000)..]
    );

    // Every value, and how many components ran at once.
    let v = result_json(&out);
    for i in 0..chains {
        for k in 0..depth {
            assert_eq!(v[format!("w{k}_{i}")], (i * 10 + k) as u64, "w{k}_{i}");
        }
    }
    let mut running = 0i64;
    let mut most = 0i64;
    let mut started_n = 0;
    let mut ends: BTreeMap<String, usize> = BTreeMap::new();
    for line in err.lines() {
        let Ok(e) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        match e["event"].as_str() {
            Some("started") => {
                running += 1;
                started_n += 1;
                most = most.max(running);
            }
            Some(kind @ ("completed" | "failed" | "skipped")) => {
                running -= 1;
                *ends.entry(kind.to_string()).or_default() += 1;
            }
            _ => {}
        }
    }
    println!(
        "500 components (100 chains of 5): {took:?}; at most {most} running at once; \
         peak RSS of dagger {:.1} MB",
        peak_kb as f64 / 1024.0
    );
    assert_eq!(started_n, chains * depth);
    assert_eq!(ends.get("completed"), Some(&(chains * depth)), "{ends:?}");
    assert!(
        most >= 90,
        "the chains ran side by side: at most {most} at once"
    );
    assert!(
        most <= chains as i64,
        "never more than one per chain: {most}"
    );
    assert!(
        peak_kb > 0 && peak_kb < 1024 * 1024,
        "peak RSS {peak_kb} kB"
    );
}
