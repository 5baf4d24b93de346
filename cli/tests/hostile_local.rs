//! Hostile plans against the host: a plan's `local` ops may read only its own
//! module root, minus what `.daggerignore` files leave out, unless the user
//! allows more (`--input-dir`, `--allow-host-path`). See SECURITY.md, "Host
//! files".
//!
//! Each test plants a bait file with unique random content outside the plan
//! (and an ignored one inside it), runs `dagger compute` with a plan that
//! tries to reach it, and checks that the bait shows up nowhere: not in a
//! container's view (the plan lists and prints every file it received into
//! an exported value), not on stdout, not on stderr, with `--log-format
//! plain` and `json`; and that each refused attempt fails with a message
//! naming the path and the op. Positive controls (the same plans with the
//! user's consent) show that the bait would be seen if it arrived.
//!
//! Needs the engine of `scripts/engine.sh`; skipped without `BUILDKIT_HOST`
//! (a failure under `CI=true`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn engine_available(test: &str) -> bool {
    if std::env::var_os("BUILDKIT_HOST").is_some() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("{test}: BUILDKIT_HOST is not set under CI");
    }
    eprintln!("{test}: skipped, no engine (run `eval \"$(bash scripts/engine.sh env)\"`)");
    false
}

/// Text no file, path or argument holds by chance.
fn token(what: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{what}-{nanos:x}-{:x}", std::process::id())
}

/// A plan tree beside a bait directory:
/// `outside/bait.txt` (BAIT), `plan/secret/bait.txt` (IGNORED, left out by
/// `plan/.daggerignore`), `plan/sub/link-to-bait` (a symlink to the outside
/// bait), `plan/out-link` (a symlink to `outside`).
struct Setup {
    _tmp: tempfile::TempDir,
    base: PathBuf,
    bait: String,
    ignored: String,
}

impl Setup {
    fn new() -> Setup {
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path().canonicalize().unwrap();
        let bait = token("BAIT");
        let ignored = token("IGNOREDBAIT");
        let write = |rel: &str, text: &str| {
            let p = base.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        write("outside/bait.txt", &format!("{bait}\n"));
        write("plan/secret/bait.txt", &format!("{ignored}\n"));
        write("plan/.daggerignore", "secret\n");
        write("plan/sub/ok.txt", "ok\n");
        write("plan/hello.txt", "hello\n");
        std::os::unix::fs::symlink(
            base.join("outside/bait.txt"),
            base.join("plan/sub/link-to-bait"),
        )
        .unwrap();
        std::os::unix::fs::symlink("../outside", base.join("plan/out-link")).unwrap();
        Setup {
            _tmp: tmp,
            base,
            bait,
            ignored,
        }
    }

    fn plan(&self) -> PathBuf {
        self.base.join("plan")
    }

    /// Writes a plan whose component `src` is `local` of `dir` (a CUE
    /// expression; `None`: `src` is left for an `--input-dir`) and whose
    /// `seen` exports everything a container finds under it: names,
    /// contents, and what the symlinks lead to there.
    fn write_plan(&self, dir: Option<&str>) {
        let src = match dir {
            Some(dir) => format!("#compute: [{{do: \"local\", dir: {dir}, include: []}}]"),
            None => "_".to_string(),
        };
        let main = format!(
            r#"package main

src: {src}

seen: {{
	string
	#compute: [
		{{do: "fetch-container", ref: "busybox"}},
		{{
			do: "exec"
			args: ["sh", "-c", "cd /src && find . > /out; find . -type f -exec cat {{}} + >> /out 2>&1; cat sub/link-to-bait out-link/bait.txt bait.txt >> /out 2>&1; true"]
			mount: "/src": from: src
		}},
		{{do: "export", source: "/out"}},
	]
}}
"#
        );
        std::fs::write(self.plan().join("main.cue"), main).unwrap();
    }

    /// `dagger compute PLAN` with `args`, run from `cwd`, in every log
    /// format, and `dagger llb PLAN`; asserts that no bait shows up in any of
    /// them, nor in the daemon's cache records, and returns the plain run.
    fn compute(&self, cwd: &Path, args: &[&str]) -> Output {
        let llb = Command::new(env!("CARGO_BIN_EXE_dagger"))
            .arg("llb")
            .arg(self.plan())
            .args(args)
            .current_dir(cwd)
            .output()
            .unwrap();
        self.assert_no_bait(&llb, &format!("llb {args:?}"));
        let mut plain = None;
        for format in ["plain", "json", "tty"] {
            let out = Command::new(env!("CARGO_BIN_EXE_dagger"))
                .arg("compute")
                .arg(self.plan())
                .args(args)
                .args(["--log-format", format])
                .current_dir(cwd)
                .output()
                .unwrap();
            self.assert_no_bait(&out, &format!("{args:?} --log-format {format}"));
            plain.get_or_insert(out);
        }
        self.assert_not_in_cache_records();
        plain.unwrap()
    }

    /// `buildctl du -v` (descriptions of every cache record) holds no bait.
    fn assert_not_in_cache_records(&self) {
        let buildctl = std::env::var("DAGGER_TEST_BUILDCTL").unwrap_or_else(|_| "buildctl".into());
        let host = std::env::var("BUILDKIT_HOST").unwrap_or_default();
        let du = Command::new(&buildctl)
            .args(["--addr", &host, "du", "-v"])
            .output()
            .unwrap_or_else(|e| panic!("cannot run {buildctl}: {e}"));
        assert!(du.status.success(), "buildctl du -v failed");
        self.assert_no_bait(&du, "buildctl du -v");
    }

    fn assert_no_bait(&self, out: &Output, what: &str) {
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let text = String::from_utf8_lossy(bytes);
            for bait in [&self.bait, &self.ignored] {
                assert!(
                    !text.contains(bait.as_str()),
                    "{what}: bait on {stream}:\n{text}"
                );
            }
        }
    }
}

/// A refused attempt: non-zero exit, nothing on stdout, and stderr names the
/// op and every one of `needles`.
fn assert_refused(out: &Output, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr:\n{stderr}");
    assert!(
        out.stdout.is_empty(),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr.contains("src.#compute[0] local"),
        "no op path in:\n{stderr}"
    );
    for n in needles {
        assert!(stderr.contains(n), "{n:?} not in:\n{stderr}");
    }
}

/// The exported listing of a successful run.
fn seen(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stderr:\n{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["seen"].as_str().unwrap_or_default().to_string()
}

#[test]
fn paths_outside_the_module_root_are_refused() {
    if !engine_available("paths_outside_the_module_root_are_refused") {
        return;
    }
    let s = Setup::new();
    let outside = s.base.join("outside");
    let outside_text = outside.to_string_lossy().into_owned();
    let attempts: Vec<(String, PathBuf, Vec<String>)> = vec![
        (
            "\"../outside\"".into(),
            s.plan(),
            vec!["\"../outside\"".into()],
        ),
        (
            format!("{outside_text:?}"),
            s.plan(),
            vec![outside_text.clone()],
        ),
        (
            "\"out-link\"".into(),
            s.plan(),
            vec!["\"out-link\"".into(), format!("leads to {outside_text}")],
        ),
        (
            "\"sub/../..\"".into(),
            s.plan(),
            vec!["\"sub/../..\"".into()],
        ),
        ("\"/\"".into(), s.plan(), vec!["\"/\"".into()]),
        // Run from the bait's directory: /proc/self/cwd leads there.
        (
            "\"/proc/self/cwd\"".into(),
            outside.clone(),
            vec![
                "\"/proc/self/cwd\"".into(),
                format!("leads to {outside_text}"),
            ],
        ),
    ];
    for (dir, cwd, needles) in attempts {
        s.write_plan(Some(&dir));
        let out = s.compute(&cwd, &[]);
        let mut needles: Vec<&str> = needles.iter().map(String::as_str).collect();
        needles.extend([
            "outside the plan's module root",
            "--allow-host-path",
            "--input-dir",
        ]);
        assert_refused(&out, &needles);
    }

    // The same directory with the user's consent does arrive (so the checks
    // above would have seen the bait had it been sent).
    s.write_plan(Some("\"../outside\""));
    let out = Command::new(env!("CARGO_BIN_EXE_dagger"))
        .arg("compute")
        .arg(s.plan())
        .args(["--allow-host-path", &outside_text, "--log-format", "plain"])
        .output()
        .unwrap();
    assert!(seen(&out).contains(&s.bait), "allowed dir not sent");
    s.write_plan(None);
    let out = Command::new(env!("CARGO_BIN_EXE_dagger"))
        .arg("compute")
        .arg(s.plan())
        .args([
            "--input-dir",
            &format!("src={outside_text}"),
            "--log-format",
            "plain",
        ])
        .output()
        .unwrap();
    assert!(seen(&out).contains(&s.bait), "input dir not sent");
}

#[test]
fn symlinks_inside_a_sent_dir_stay_links() {
    if !engine_available("symlinks_inside_a_sent_dir_stay_links") {
        return;
    }
    let s = Setup::new();
    for dir in ["\".\"", "\"sub\""] {
        s.write_plan(Some(dir));
        let out = s.compute(&s.plan(), &[]);
        let listing = seen(&out);
        assert!(
            listing.contains("link-to-bait"),
            "link not sent:\n{listing}"
        );
        assert!(listing.contains("ok\n"), "files not sent:\n{listing}");
    }
}

#[test]
fn ignored_paths_never_arrive_and_naming_them_is_refused() {
    if !engine_available("ignored_paths_never_arrive_and_naming_them_is_refused") {
        return;
    }
    let s = Setup::new();
    // Three consecutive runs: ignored, not ignored (the positive control),
    // ignored again; the changed .daggerignore changes what arrives.
    let ignore = s.plan().join(".daggerignore");
    for (run, rules) in ["secret\n", "nothing-here\n", "secret\n"]
        .iter()
        .enumerate()
    {
        std::fs::write(&ignore, rules).unwrap();
        s.write_plan(Some("\".\""));
        if *rules == "nothing-here\n" {
            let out = Command::new(env!("CARGO_BIN_EXE_dagger"))
                .arg("compute")
                .arg(s.plan())
                .args(["--log-format", "plain"])
                .output()
                .unwrap();
            assert!(
                seen(&out).contains(&s.ignored),
                "run {run}: unignored file not sent"
            );
        } else {
            let listing = seen(&s.compute(&s.plan(), &[]));
            assert!(!listing.contains("./secret"), "run {run}: {listing}");
            assert!(listing.contains("hello"), "run {run}: {listing}");
        }
    }

    // Naming the ignored directory, or a path into it, is an error.
    std::fs::create_dir_all(s.plan().join("secret/deeper")).unwrap();
    for dir in ["\"secret\"", "\"secret/deeper\"", "\"./sub/../secret\""] {
        s.write_plan(Some(dir));
        let out = s.compute(&s.plan(), &[]);
        assert_refused(&out, &["secret", "is excluded by", ".daggerignore"]);
    }

    // An ignore file that is a symlink is not read through: an error.
    std::fs::remove_file(&ignore).unwrap();
    std::fs::write(s.base.join("outside/rules"), "hello.txt\n").unwrap();
    std::os::unix::fs::symlink(s.base.join("outside/rules"), &ignore).unwrap();
    s.write_plan(Some("\".\""));
    let out = s.compute(&s.plan(), &[]);
    assert_refused(&out, &[".daggerignore is a symbolic link"]);
}
