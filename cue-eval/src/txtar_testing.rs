//! Test support: reading txtar cases (the layout of ../shared/cue-conformance)
//! for the crate's unit tests, in one place.

use std::path::{Path, PathBuf};

/// The sections of a txtar archive, `(name, body)` in archive order; text
/// before the first `-- name --` marker (the comment) is dropped.
pub(crate) fn sections(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        match bare.strip_prefix("-- ").and_then(|r| r.strip_suffix(" --")) {
            Some(name) if !name.trim().is_empty() => {
                out.push((name.trim().to_string(), String::new()))
            }
            _ => {
                if let Some(last) = out.last_mut() {
                    last.1.push_str(line);
                }
            }
        }
    }
    out
}

/// Appends every `.txtar` file below `dir` (recursively) to `out`; a missing
/// directory adds nothing.
pub(crate) fn cases(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            cases(&p, out);
        } else if p.extension().is_some_and(|x| x == "txtar") {
            out.push(p);
        }
    }
}
