//! Shared helpers for the integration tests: the conformance corpus.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The conformance corpus folder, if present.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/cue-conformance");
    dir.is_dir().then_some(dir)
}

/// All `.txtar` files under `dir`, sorted.
pub fn txtar_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "txtar") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The sections of a txtar archive: (name, body).
pub fn txtar_sections(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end_matches(['\n', '\r']);
        if let Some(name) = trimmed
            .strip_prefix("-- ")
            .and_then(|r| r.strip_suffix(" --"))
        {
            out.push((name.trim().to_string(), String::new()));
        } else if let Some((_, body)) = out.last_mut() {
            body.push_str(line);
        }
    }
    out
}

/// The `.cue` input sections of every corpus file: (file path, section name, text).
pub fn corpus_inputs(dir: &Path) -> Vec<(PathBuf, String, String)> {
    let mut out = Vec::new();
    for f in txtar_files(dir) {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        for (name, body) in txtar_sections(&text) {
            if name.ends_with(".cue") {
                out.push((f.clone(), name, body));
            }
        }
    }
    out
}
