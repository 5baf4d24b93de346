//! Whole definitions of every case in `golden/cases.rs`, pinned as files:
//! `golden/NAME.pb` (the marshaled `pb::Definition`, which `buildctl debug
//! dump-llb` reads) and `golden/NAME.json` (the `dagger llb` summary).
//! Run with `UPDATE_GOLDEN=1` to accept new output, then review the diff.

#[path = "golden/cases.rs"]
mod cases;

use std::path::{Path, PathBuf};

use prost::Message;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn updating() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v != "0" && !v.is_empty())
}

/// Compares `actual` with the file, or rewrites the file when updating.
/// Returns a description of the mismatch, if any.
fn check(path: &Path, actual: &[u8]) -> Option<String> {
    if updating() {
        std::fs::write(path, actual).unwrap();
        return None;
    }
    match std::fs::read(path) {
        Ok(expected) if expected == actual => None,
        Ok(_) => Some(format!(
            "{} differs (UPDATE_GOLDEN=1 to accept)",
            path.display()
        )),
        Err(e) => Some(format!(
            "{}: {e} (UPDATE_GOLDEN=1 to create)",
            path.display()
        )),
    }
}

#[test]
fn definitions_match_golden_files() {
    let mut failures = Vec::new();
    for (name, state) in cases::all() {
        let def = state.marshal(&cases::opts());
        let bytes = def.encode_to_vec();
        let summary = llb::dump::summarize(&def).unwrap();
        let mut json = serde_json::to_string_pretty(&summary).unwrap();
        json.push('\n');
        failures.extend(check(&golden_dir().join(format!("{name}.pb")), &bytes));
        failures.extend(check(
            &golden_dir().join(format!("{name}.json")),
            json.as_bytes(),
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn marshaling_is_deterministic() {
    // Two independent constructions, marshaled twice each: same bytes.
    let first: Vec<Vec<u8>> = cases::all()
        .into_iter()
        .map(|(_, s)| s.marshal(&cases::opts()).encode_to_vec())
        .collect();
    for _ in 0..2 {
        let again: Vec<Vec<u8>> = cases::all()
            .into_iter()
            .map(|(_, s)| s.marshal(&cases::opts()).encode_to_vec())
            .collect();
        assert_eq!(first, again);
    }
}
