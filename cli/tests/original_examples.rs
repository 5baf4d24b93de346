//! The five examples of the original Dagger (its `examples/` folder at
//! commit 437aba7fdb) evaluate with the embedded standard library and no
//! vendored copy: `dagger dag` prints each one's graph and
//! `dagger llb --offline` compiles each component, compared with what
//! `testdata/original-examples/NAME/` pins (`expected.dag`,
//! `expected.llb`, inputs in `args` as in testdata/plans).
//!
//! The examples are the original project's files, not ours: the test reads
//! them from a checkout named by `DAGGER_ORIGINAL_EXAMPLES` (the checkout,
//! or its `examples/` folder) and is skipped with a message without it.
//! From a clone: `git -C CLONE archive 437aba7fdb examples | tar -x -C DIR`,
//! then `DAGGER_ORIGINAL_EXAMPLES=DIR cargo test -p dagger-cli --test
//! original_examples`.
//! `testdata/plans/stdlib-*` exercise the same package APIs and forms with
//! our own plans, so CI checks those without the checkout.
//!
//! `UPDATE_GOLDEN=1` writes the expected files instead of comparing.

use std::path::{Path, PathBuf};
use std::process::Command;

const EXAMPLES: [&str; 5] = [
    "aws-eks",
    "aws-monitoring",
    "dagger-dev",
    "kubernetes",
    "react-netlify",
];

fn pinned_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/original-examples")
}

/// The examples folder of the checkout, if one is named.
fn examples_dir() -> Option<PathBuf> {
    let root = PathBuf::from(std::env::var_os("DAGGER_ORIGINAL_EXAMPLES")?);
    let nested = root.join("examples");
    Some(if nested.join("react-netlify").is_dir() {
        nested
    } else {
        root
    })
}

/// Lines of a pinned `args` file (`\n` is a newline).
fn args(name: &str) -> Vec<String> {
    std::fs::read_to_string(pinned_dir().join(name).join("args"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.replace("\\n", "\n"))
        .collect()
}

fn dagger(dir: &Path, command: &[&str], args: &[String]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dagger"))
        .args(command)
        .args(args)
        .current_dir(dir)
        .env_remove("BUILDKIT_HOST")
        .output()
        .expect("run dagger")
}

/// The values of `--input-string` args: secrets here, which no output may hold.
fn input_values(args: &[String]) -> Vec<String> {
    args.iter()
        .filter_map(|a| a.split_once('=').map(|(_, v)| v.to_string()))
        .collect()
}

#[test]
fn the_original_examples_evaluate_and_compile_with_the_embedded_stdlib() {
    let Some(examples) = examples_dir() else {
        eprintln!(
            "original examples: skipped, set DAGGER_ORIGINAL_EXAMPLES to a checkout of the original Dagger at 437aba7fdb"
        );
        return;
    };
    let update = std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1");
    let golden_platform = cfg!(all(target_os = "linux", target_arch = "x86_64"));
    let mut problems = Vec::new();
    for name in EXAMPLES {
        let dir = examples.join(name);
        assert!(dir.is_dir(), "{} is not a directory", dir.display());
        // Evaluated with the embedded packages only.
        assert!(
            !dir.join("cue.mod/pkg").exists(),
            "{}: a vendored cue.mod/pkg would hide the embedded packages",
            dir.display()
        );
        let pinned = pinned_dir().join(name);
        let args = args(name);
        let checks: [(&str, &[&str]); 2] = [
            ("expected.dag", &["dag", ".", "--format", "text"]),
            ("expected.llb", &["llb", ".", "--offline"]),
        ];
        for (file, command) in checks {
            if file == "expected.llb" && !golden_platform {
                eprintln!("{name}: expected.llb not compared (recorded on linux/amd64)");
                continue;
            }
            let out = dagger(&dir, command, &args);
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            if !out.status.success() {
                problems.push(format!(
                    "{name}: dagger {}: exit {:?}\n{stderr}",
                    command[0],
                    out.status.code()
                ));
                continue;
            }
            for secret in input_values(&args) {
                if stdout.contains(&secret) || stderr.contains(&secret) {
                    problems.push(format!("{name}: dagger {} printed {secret:?}", command[0]));
                }
            }
            if update {
                std::fs::write(pinned.join(file), &stdout).expect("write golden file");
                continue;
            }
            let want = std::fs::read_to_string(pinned.join(file)).unwrap_or_default();
            if stdout != want {
                let line = stdout
                    .lines()
                    .zip(want.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(stdout.lines().count().min(want.lines().count()));
                problems.push(format!(
                    "{name}: dagger {} differs from {file} at line {}:\n  got:      {:?}\n  expected: {:?}",
                    command[0],
                    line + 1,
                    stdout.lines().nth(line).unwrap_or("<end>"),
                    want.lines().nth(line).unwrap_or("<end>"),
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
