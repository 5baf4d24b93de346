//! The reference's `cue eval` outputs are in its canonical style with four
//! spaces: re-printing them with `FormatOptions::eval()` must give the
//! same text, so that the evaluator, printing through this crate, matches.

mod common;

use cue_syntax::format::{format_file_with_source, FormatOptions};
use cue_syntax::{parse_file, FileId};

#[test]
fn expected_eval_outputs_reprint_identically() {
    let Some(dir) = common::corpus_dir() else {
        eprintln!("conformance corpus not found next to the repository; skipping");
        return;
    };
    let mut same = 0;
    let mut diffs = Vec::new();
    for f in common::txtar_files(&dir) {
        let text = std::fs::read_to_string(&f).expect("corpus file is readable");
        for (name, body) in common::txtar_sections(&text) {
            if name != "out/eval.cue" {
                continue;
            }
            let (ast, errors) = parse_file(FileId(0), &body);
            assert!(errors.is_empty(), "{}: {}", f.display(), errors[0]);
            let printed = format_file_with_source(&ast, &body, &FormatOptions::eval());
            // An empty output was stored as one newline (see the corpus README).
            let expected = if body == "\n" { "" } else { body.as_str() };
            if printed == expected {
                same += 1;
            } else {
                let first = printed
                    .lines()
                    .zip(body.lines())
                    .find(|(a, b)| a != b)
                    .map(|(a, b)| format!("printed: {a:?}\nexpected: {b:?}"))
                    .unwrap_or_else(|| "(length differs)".to_string());
                diffs.push(format!("{}:\n{first}", f.display()));
            }
        }
    }
    eprintln!(
        "eval outputs reprinted identically: {same}, different: {}",
        diffs.len()
    );
    assert!(diffs.is_empty(), "{}", diffs.join("\n\n"));
    assert!(same > 0);
}
