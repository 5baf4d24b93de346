//! `dagger eval` on inputs that would run away (memory, stack, time): each
//! exits 1 quickly with the located error and no panic, under an address
//! space limit (`ulimit -v`) that a runaway would hit (README, "Guarantees
//! and limits").

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Virtual memory allowed to each run, in KiB (runaways would need far
/// more; the evaluation thread's stack reservation fits).
const ADDRESS_SPACE_KIB: u64 = 3 << 20;

/// Wall time allowed to each run (they take milliseconds in a release
/// build; this leaves room for a debug build on a loaded machine).
const QUICK: Duration = Duration::from_secs(20);

/// Runs `dagger eval ARGS` in `dir` under the address space limit.
fn eval_limited(dir: &Path, args: &[&str]) -> (Output, Duration) {
    let start = Instant::now();
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {ADDRESS_SPACE_KIB} && exec \"$0\" eval \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_dagger"))
        .args(args)
        .current_dir(dir)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("dagger runs");
    (out, start.elapsed())
}

/// Writes `src` as `in.cue` and checks that `dagger eval in.cue ARGS`
/// fails quickly with exactly `want` on stderr (or, when `want` ends with
/// `...`, with stderr starting with the rest; `{n}` stands for a number).
fn fails_with(src: &str, args: &[&str], want: &str) {
    fails_within(src, args, want, QUICK, &[&[], &["--out", "json"]]);
}

/// As [`fails_with`], allowing `allowed`, with each of `formats`.
fn fails_within(src: &str, args: &[&str], want: &str, allowed: Duration, formats: &[&[&str]]) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.cue"), src).unwrap();
    for format in formats {
        let all: Vec<&str> = ["in.cue"]
            .iter()
            .chain(*format)
            .chain(args)
            .copied()
            .collect();
        let (out, took) = eval_limited(dir.path(), &all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "dagger eval {all:?}: {stderr}");
        assert!(took < allowed, "dagger eval {all:?} took {took:?}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            out.stdout.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        match want.strip_suffix("...") {
            Some(prefix) => assert!(matches(prefix, &stderr, true), "{all:?}:\n{stderr}"),
            None => assert!(matches(want, &stderr, false), "{all:?}:\n{stderr}"),
        }
    }
}

/// Whether `text` is `pattern` (or starts with it, with `prefix`), where
/// each `{n}` of the pattern stands for a number (counts that depend on
/// how many vertices the loader adds).
fn matches(pattern: &str, text: &str, prefix: bool) -> bool {
    let mut rest = text;
    for (i, part) in pattern.split("{n}").enumerate() {
        if i > 0 {
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            if digits == 0 {
                return false;
            }
            rest = &rest[digits..];
        }
        match rest.strip_prefix(part) {
            Some(r) => rest = r,
            None => return false,
        }
    }
    prefix || rest.is_empty()
}

#[test]
fn repetition() {
    fails_with(
        "a: [1] * 100000000000\n",
        &[],
        "a: list repetition would make a list of 100000000000 elements (the limit is 1048576):\n    ./in.cue:1:4\n",
    );
    fails_with(
        "a: \"x\" * 100000000000\n",
        &[],
        "a: string repetition would make a string of 100000000000 bytes (the limit is 268435456):\n    ./in.cue:1:4\n",
    );
    fails_with(
        "a: 'x' * 100000000000\n",
        &[],
        "a: bytes repetition would make a bytes value of 100000000000 bytes (the limit is 268435456):\n    ./in.cue:1:4\n",
    );
}

#[test]
fn library_builders() {
    fails_with(
        "import \"list\"\na: list.Range(0, 100000000000, 1)\n",
        &[],
        "error in call to list.Range: result of 100000000000 elements is too large (the limit is 1048576):\n    ./in.cue:2:4\n",
    );
    fails_with(
        "import \"list\"\na: list.Repeat([1], 100000000000)\n",
        &[],
        "error in call to list.Repeat: result of 100000000000 elements is too large (the limit is 1048576):\n    ./in.cue:2:4\n",
    );
    fails_with(
        "import \"strings\"\na: strings.Repeat(\"x\", 100000000000)\n",
        &[],
        "error in call to strings.Repeat: result of 100000000000 bytes is too large (the limit is 268435456):\n    ./in.cue:2:4\n",
    );
}

#[test]
fn big_numbers() {
    fails_with(
        "import \"math\"\na: math.Pow(10, 1000000000)\n",
        &[],
        "error in call to math.Pow: exponent out of range:\n    ./in.cue:2:4\n",
    );
    fails_with(
        "import \"math/bits\"\na: bits.Lsh(1, 100000000000)\n",
        &[],
        "error in call to math/bits.Lsh: result of 100000000001 bits is too large (the limit is 1048576):\n    ./in.cue:2:4\n",
    );
    fails_with(
        "a: 1e100000 * 1e100000\n",
        &[],
        "a: failed arithmetic: exponent out of range:\n    ./in.cue:1:4\n",
    );
    // A literal exponent out of range is dropped, as by the reference:
    // adding to it is instant.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.cue"), "a: 1e1000000000 + 1\n").unwrap();
    let (out, took) = eval_limited(dir.path(), &["in.cue", "--out", "json"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "{\n    \"a\": 2\n}\n");
    assert!(took < QUICK, "{took:?}");
}

#[test]
fn recursion() {
    // The reference prints the first line only (it shares #L's error).
    fails_with(
        "#L: {n: int, next: #L & {n: n + 1}}\na: #L & {n: 0}\n",
        &[],
        "#L.next.next: structural cycle\na.next.next.next: structural cycle\n",
    );
    fails_with(
        "#F: {n: int, let N = n, r: int\n\tif n > 0 {r: (#F & {n: N - 1}).r + 1}\n\tif n == 0 {r: 0}\n}\nx: (#F & {n: 1000000}).r\n",
        &[],
        "x: evaluation exceeds the depth limit (20000 nested evaluations; a recursion that does not end?):\n    ./in.cue:...",
    );
}

#[test]
fn memory_limit_flag() {
    let mut src = String::from("a0: [1]\n");
    for i in 1..60 {
        src.push_str(&format!("a{i}: a{} + a{}\n", i - 1, i - 1));
    }
    fails_with(
        &src,
        &["--max-memory", "64MiB"],
        "a15: evaluation exceeds the memory limit (64 MiB); the largest value is this list of {n} elements:\n    ./in.cue:16:6\n",
    );
    // The default limit stops it too, under the address space limit (in
    // about 2 s in a release build; a debug build is slower).
    fails_within(
        &src,
        &[],
        "a20: evaluation exceeds the memory limit (2 GiB); the largest value is this list of {n} elements:\n    ./in.cue:21:6\n",
        Duration::from_secs(90),
        &[&["--out", "json"]],
    );
    let mut src = String::from("s0: \"x\"\n");
    for i in 1..60 {
        src.push_str(&format!("s{i}: s{} + s{}\n", i - 1, i - 1));
    }
    fails_with(
        &src,
        &["--max-memory", "64MiB"],
        "s24: evaluation exceeds the memory limit (64 MiB); the largest value is this string of {n} bytes:\n    ./in.cue:{n}:6\n",
    );
}

#[test]
fn time_limit_flag() {
    // Nested references: quadratic in size, slow by design.
    let mut src = String::from("a0: {n: 0}\n");
    for i in 1..4000 {
        src.push_str(&format!("a{i}: {{x: a{}}}\n", i - 1));
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.cue"), &src).unwrap();
    let (out, took) = eval_limited(dir.path(), &["in.cue", "--max-time", "1"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(": evaluation exceeds the time limit (1s):\n    ./in.cue:"),
        "{stderr}"
    );
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn bad_limit_values_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.cue"), "a: 1\n").unwrap();
    let (out, _) = eval_limited(dir.path(), &["in.cue", "--max-memory", "lots"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid size \"lots\""));
    let (out, _) = eval_limited(dir.path(), &["in.cue", "--max-memory", "1GiB"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "a: 1\n");
}

#[test]
fn plans_stop_at_the_limits_too() {
    // The limit ends the whole evaluation even when the runaway value is in
    // a definition, where a plan's errors are otherwise not fatal.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.cue"),
        "package main\n#F: {n: int, let N = n, r: int\n\tif n > 0 {r: (#F & {n: N - 1}).r + 1}\n\tif n == 0 {r: 0}\n}\n#deep: (#F & {n: 1000000}).r\n",
    )
    .unwrap();
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_dagger"))
        .arg("dag")
        .arg(dir.path())
        .output()
        .expect("dagger runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(start.elapsed() < QUICK, "{:?}", start.elapsed());
    assert!(
        stderr.contains("evaluation exceeds the depth limit (20000 nested evaluations"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
