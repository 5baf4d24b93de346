//! What the evaluation fuzz targets do with a CUE text: what `dagger eval`
//! does with a file, every output format in turn.
//!
//! The text is loaded as `in.cue` from an in-memory file system, then
//! evaluated twice afresh (as two `dagger eval` runs would): exported (the
//! data printed as JSON, read back, and printed as YAML), and printed as
//! CUE (`dagger eval`'s default output) with `-e a` after it; errors are
//! rendered as reports. Nothing may panic, loop or use unbounded memory;
//! the outcome itself is not judged (`scripts/diff-cue.py` compares
//! outcomes with the reference).

use cue_eval::api::Evaluated;
use cue_eval::data::Data;
use cue_eval::limits::Limits;
use cue_eval::load::{self, MemFs};
use cue_eval::program::evaluate_program_with;
use cue_syntax::format::{format_file, FormatOptions};
use std::path::Path;

/// The evaluator's own limits while fuzzing: a memory limit well below the
/// fuzzer's (`-rss_limit_mb=2048`, and the sanitizer's allocator costs
/// extra), so runaway values end as the evaluator's located error and an
/// out-of-memory finding is a value the accounting misses; no time limit,
/// so an endless loop shows as a libFuzzer timeout instead of an error.
const LIMITS: Limits = Limits {
    max_memory: 256 << 20,
    // The per-input time limit, as `dagger eval --max-time`: an input the
    // sanitized build (30 to 100 times slower than release) cannot finish
    // in 5 s ends with the evaluator's own limit error, well inside
    // libFuzzer's -timeout (each input is evaluated up to three times).
    max_time: Some(std::time::Duration::from_secs(5)),
};

/// Evaluates `src` on a thread with the stack `dagger eval` gives its
/// evaluation (deep CUE recurses deeply).
pub fn eval_text(src: &str) {
    let src = src.to_string();
    let handle = std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(move || eval_here(&src))
        .expect("the evaluation thread starts");
    if let Err(payload) = handle.join() {
        std::panic::resume_unwind(payload);
    }
}

fn eval_here(src: &str) {
    let mut fs = MemFs::new();
    fs.add("/fuzz/in.cue", src);
    let program = match load::load(&fs, Path::new("/fuzz"), &["in.cue".to_string()]) {
        Ok(p) => p,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let report = |e: cue_eval::errors::Errors| e.report_in(Some("/fuzz"));
    let fresh = || evaluate_program_with(&program, LIMITS).map_err(report);
    // `dagger eval --out json` and `--out yaml`.
    if let Ok(root) = fresh() {
        match root.export() {
            Ok(data) => {
                let json = data.to_json();
                let back = Data::from_json(&json);
                assert!(back.is_ok(), "exported JSON does not read back: {json}");
                let _ = data.to_yaml();
            }
            Err(e) => {
                let _ = report(e);
            }
        }
    }
    // `dagger eval` (CUE text), then `-e a` on the same instance.
    if let Ok(root) = fresh() {
        print_cue(&root);
        if let Ok(v) = root.eval_expr("a") {
            print_cue(&v);
        }
    }
}

fn print_cue(v: &Evaluated) {
    match v.eval_syntax() {
        Ok(file) => {
            let _ = format_file(&file, &FormatOptions::eval());
        }
        Err(e) => {
            let _ = e.report_in(Some("/fuzz"));
        }
    }
}
