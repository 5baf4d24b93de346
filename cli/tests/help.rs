//! The help the binary gives: every command's `--help` has examples,
//! `dagger --help` lists the exit codes and every environment variable the
//! code reads, `dagger ops` lists every op of `dagger.io/llb` with its
//! defaults (checked against the text of ops.cue, read here on its own), and
//! README.md's "Ops" section is `dagger ops --markdown`.
//!
//! `UPDATE_README=1 cargo test -p dagger-cli --test help` rewrites that
//! section instead of failing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dagger(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dagger"))
        .args(args)
        .env_remove("BUILDKIT_HOST")
        .env("NO_COLOR", "1")
        .output()
        .expect("run dagger")
}

fn stdout_of(args: &[&str]) -> String {
    let out = dagger(args);
    assert!(
        out.status.success(),
        "dagger {args:?} exited with {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The subcommands `dagger --help` lists (clap's own `help` left out).
fn subcommands() -> Vec<String> {
    let help = stdout_of(&["--help"]);
    let section = help
        .split_once("Commands:\n")
        .expect("a Commands: section")
        .1;
    section
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn every_command_help_has_examples_and_exits_0() {
    let commands = subcommands();
    for expected in ["eval", "fmt", "conformance", "compute", "dag", "llb", "ops"] {
        assert!(
            commands.iter().any(|c| c == expected),
            "{expected} missing from {commands:?}"
        );
    }
    for c in &commands {
        for args in [
            vec![c.as_str(), "--help"],
            vec![c.as_str(), "-h"],
            vec!["help", c],
        ] {
            let text = stdout_of(&args);
            let examples = text
                .split_once("\nExamples:\n")
                .unwrap_or_else(|| panic!("dagger {args:?} has no Examples:\n{text}"))
                .1;
            assert!(
                examples.contains(&format!("dagger {c}")),
                "the examples of dagger {args:?} do not run `dagger {c}`:\n{examples}"
            );
        }
    }
    assert!(stdout_of(&["--help"]).contains("\nExamples:\n"));
}

/// Names passed as literals to `env::var`/`env::var_os` in `dir`'s sources.
fn env_vars_read(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("read source dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            env_vars_read(&path, out);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read source");
        for call in ["env::var(\"", "env::var_os(\""] {
            for (i, _) in text.match_indices(call) {
                let rest = &text[i + call.len()..];
                let name = &rest[..rest.find('"').expect("closing quote")];
                if !out.iter().any(|n| n == name) {
                    out.push(name.to_string());
                }
            }
        }
    }
}

#[test]
fn main_help_lists_exit_codes_and_every_environment_variable_read() {
    let help = stdout_of(&["--help"]);
    let codes = help
        .split_once("\nExit codes:\n")
        .expect("an Exit codes: section")
        .1;
    for code in ["0 ", "1 ", "2 ", "130 "] {
        assert!(
            codes.lines().any(|l| l.trim_start().starts_with(code)),
            "exit code {code}missing:\n{codes}"
        );
    }
    let env = help
        .split_once("\nEnvironment:\n")
        .expect("an Environment: section")
        .1;
    let mut names = Vec::new();
    for dir in ["cli/src", "dag/src", "llb/src"] {
        env_vars_read(&repo().join(dir), &mut names);
    }
    for expected in ["BUILDKIT_HOST", "DOCKER_HOST", "XDG_CACHE_HOME"] {
        assert!(names.iter().any(|n| n == expected), "{names:?}");
    }
    for name in &names {
        assert!(env.contains(name.as_str()), "{name} missing:\n{env}");
    }
    assert!(env.contains("NO_COLOR"), "{env}");
}

#[test]
fn usage_errors_exit_2_as_documented() {
    let file = repo().join("README.md");
    let file = file.to_str().expect("utf-8 path");
    for args in [
        &["--no-such-flag"][..],
        &["no-such-command"],
        &["compute"],
        &["eval", "--out", "toml"],
        &["dag", file],
        &["compute", ".", "--input-string", "no-equals-sign"],
    ] {
        let out = dagger(args);
        assert_eq!(out.status.code(), Some(2), "dagger {args:?}");
        assert!(out.stdout.is_empty(), "dagger {args:?}");
    }
}

/// The ops in ops.cue's text: (`do` value, [(field, default literal)]) for
/// each top-level definition that has a `do` field, from the lines of the
/// file alone (one tab deep = a field of the op).
fn ops_in_source() -> Vec<(String, Vec<(String, String)>)> {
    let text = std::fs::read_to_string(repo().join("dag/cue/dagger.io/llb/ops.cue"))
        .expect("read ops.cue");
    let mut ops = Vec::new();
    let mut current: Option<(String, Vec<(String, String)>)> = None;
    for line in text.lines() {
        if line.starts_with('#') || line == "}" {
            if let Some(op) = current.take().filter(|op| !op.0.is_empty()) {
                ops.push(op);
            }
            if line.starts_with('#') && line.ends_with('{') {
                current = Some((String::new(), Vec::new()));
            }
            continue;
        }
        let (Some(op), Some(field)) = (current.as_mut(), line.strip_prefix('\t')) else {
            continue;
        };
        if field.starts_with(['\t', '/']) {
            continue;
        }
        let Some((label, value)) = field.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if label == "do" {
            op.0 = value.trim_matches('"').to_string();
        } else if let Some(marked) = value.strip_prefix('*') {
            let literal = marked.split(" |").next().unwrap_or(marked).trim();
            op.1.push((label.to_string(), literal.to_string()));
        }
    }
    ops
}

#[test]
fn ops_lists_every_op_of_the_embedded_package_with_its_defaults() {
    let ops = ops_in_source();
    assert!(ops.len() >= 12, "{ops:?}");
    assert!(ops.iter().map(|o| o.1.len()).sum::<usize>() >= 8, "{ops:?}");
    let text = stdout_of(&["ops"]);
    assert_eq!(
        text.lines().filter(|l| l.starts_with("do: ")).count(),
        ops.len(),
        "{text}"
    );
    for (op, defaults) in &ops {
        let head = format!("do: \"{op}\"  (llb.#");
        let start = text
            .find(&head)
            .unwrap_or_else(|| panic!("{op} missing:\n{text}"));
        let section = &text[start..];
        let section = &section[..section.find("\n\n").unwrap_or(section.len())];
        for (field, literal) in defaults {
            assert!(
                section.lines().any(|l| {
                    l.trim_start().starts_with(&format!("{field}:"))
                        && l.contains(&format!("default {literal}"))
                }),
                "{op}.{field}: no `default {literal}` in\n{section}"
            );
        }
    }
    assert!(text.contains("llb.#Op: #FetchContainer | "), "{text}");
}

#[test]
fn help_ops_points_to_dagger_ops() {
    let text = stdout_of(&["help", "ops"]);
    assert!(text.contains("Usage: dagger ops"), "{text}");
    assert!(stdout_of(&["--help"]).contains("dagger ops"));
}

#[test]
fn readme_ops_section_is_dagger_ops_markdown() {
    let generated = stdout_of(&["ops", "--markdown"]);
    let begin = generated.lines().next().expect("a first line");
    let end = generated.lines().last().expect("a last line");
    let path = repo().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("read README.md");
    let start = readme
        .find(begin)
        .unwrap_or_else(|| panic!("README.md has no line {begin}"));
    let stop = readme[start..]
        .find(end)
        .map(|i| start + i + end.len() + 1)
        .unwrap_or_else(|| panic!("README.md has no line {end} after {begin}"));
    let stop = stop.min(readme.len());
    if readme[start..stop] == generated {
        return;
    }
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = format!("{}{generated}{}", &readme[..start], &readme[stop..]);
        std::fs::write(&path, updated).expect("write README.md");
        return;
    }
    panic!(
        "README.md's Ops section differs from `dagger ops --markdown`; regenerate it with\n  \
         UPDATE_README=1 cargo test -p dagger-cli --test help readme\n--- README\n{}\n--- generated\n{generated}",
        &readme[start..stop]
    );
}
