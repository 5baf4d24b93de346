//! Every `.cue` input of the conformance corpus parses, except inputs whose
//! expected output is a syntax error, which must fail to parse.

mod common;

use cue_syntax::{parse_file, FileId};

/// Whether an expected error text (`out/eval.err` or `out/export.err`) is one
/// of the reference parser's syntax errors rather than an evaluation error.
fn is_syntax_error(err: &str) -> bool {
    err.lines().any(|l| {
        let l = l.trim();
        l.contains("expected operand")
            || l.contains("illegal character")
            || l.contains("not terminated")
            || l.contains("missing ',' ")
            || l.contains("invalid escape")
            || (l.contains("expected '") && l.contains(", found"))
            || l.contains("expected label or ':'")
    })
}

#[test]
fn corpus_inputs_parse_unless_expected_syntax_error() {
    let Some(dir) = common::corpus_dir() else {
        eprintln!("conformance corpus not found next to the repository; skipping");
        return;
    };
    let mut parsed = 0;
    let mut rejected = 0;
    let mut failures = Vec::new();
    for f in common::txtar_files(&dir) {
        let text = std::fs::read_to_string(&f).expect("corpus file is readable");
        let sections = common::txtar_sections(&text);
        let syntax = sections
            .iter()
            .any(|(n, b)| (n == "out/eval.err" || n == "out/export.err") && is_syntax_error(b));
        let inputs: Vec<_> = sections
            .iter()
            .filter(|(n, _)| n.ends_with(".cue") && !n.starts_with("out/"))
            .collect();
        let mut any_failed = false;
        for (name, body) in &inputs {
            let (_, errors) = parse_file(FileId(0), body);
            if errors.is_empty() {
                if !syntax {
                    parsed += 1;
                }
            } else {
                any_failed = true;
                if !syntax {
                    failures.push(format!(
                        "{}: {name}: {}",
                        f.display(),
                        errors
                            .iter()
                            .map(|e| e.to_string())
                            .collect::<Vec<_>>()
                            .join("; ")
                    ));
                }
            }
        }
        if syntax {
            if any_failed {
                rejected += 1;
            } else {
                failures.push(format!(
                    "{}: expected a syntax error, but every input parsed",
                    f.display()
                ));
            }
        }
    }
    eprintln!("corpus: {parsed} inputs parsed, {rejected} expected syntax errors rejected");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(parsed > 0);
}

/// The reference's `cue eval` outputs are CUE too: they must parse.
#[test]
fn corpus_expected_eval_outputs_parse() {
    let Some(dir) = common::corpus_dir() else {
        eprintln!("conformance corpus not found next to the repository; skipping");
        return;
    };
    let mut failures = Vec::new();
    let mut n = 0;
    for f in common::txtar_files(&dir) {
        let text = std::fs::read_to_string(&f).expect("corpus file is readable");
        for (name, body) in common::txtar_sections(&text) {
            if name == "out/eval.cue" {
                n += 1;
                let (_, errors) = parse_file(FileId(0), &body);
                if let Some(e) = errors.first() {
                    failures.push(format!("{}: {e}", f.display()));
                }
            }
        }
    }
    eprintln!("corpus: {n} eval outputs checked");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
