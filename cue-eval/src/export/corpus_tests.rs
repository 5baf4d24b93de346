//! The encoders against the reference's own outputs: for every txtar case
//! with an `out/export.json` (this repository's `testdata/eval` and, when
//! present, `../shared/cue-conformance`), reading the JSON and encoding it
//! again must give the reference's text byte for byte; where the case also
//! has `out/export.yaml`, our YAML of the same data must match it.

use crate::data::Data;
use std::path::{Path, PathBuf};

use crate::txtar_testing::{cases, sections};

fn corpus() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = Vec::new();
    cases(&root.join("testdata/eval"), &mut out);
    cases(&root.join("../shared/cue-conformance"), &mut out);
    // More cases for a local check (e.g. reference YAML made for the
    // shared corpus), not needed by CI.
    if let Some(extra) = std::env::var_os("EXTRA_EXPORT_CORPUS") {
        cases(Path::new(&extra), &mut out);
    }
    out.sort();
    out
}

#[test]
fn json_round_trips_to_the_reference_text() {
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for path in corpus() {
        let text = std::fs::read_to_string(&path).unwrap();
        let Some((_, want)) = sections(&text)
            .into_iter()
            .find(|(n, _)| n == "out/export.json")
        else {
            continue;
        };
        let data = Data::from_json(&want)
            .unwrap_or_else(|e| panic!("{}: reference JSON does not parse: {e}", path.display()));
        checked += 1;
        if data.to_json() != want {
            mismatches.push(path.display().to_string());
        }
    }
    assert!(checked >= 20, "only {checked} cases found");
    assert!(
        mismatches.is_empty(),
        "JSON text differs for {mismatches:#?}"
    );
}

#[test]
fn yaml_matches_the_reference_text() {
    let mut checked = 0;
    for path in corpus() {
        let text = std::fs::read_to_string(&path).unwrap();
        let secs = sections(&text);
        let get = |n: &str| secs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        let (Some(json), Some(want)) = (get("out/export.json"), get("out/export.yaml")) else {
            continue;
        };
        // JSON cannot tell a float printed without a fraction (`10 / 5`
        // exports as `2`, YAML `2.`) or an int printed with an exponent
        // (YAML `1.0e+29`, JSON `1.0E+29`) from other numbers: such cases
        // are left to the evaluator-level tests.
        if want.lines().any(number_kind_ambiguous) {
            continue;
        }
        let data = Data::from_json(&json).unwrap();
        checked += 1;
        assert_eq!(data.to_yaml(), want, "{}", path.display());
    }
    assert!(checked >= 10, "only {checked} cases with YAML found");
}

/// A YAML line whose text depends on a kind JSON does not keep.
fn number_kind_ambiguous(line: &str) -> bool {
    let value = line.rsplit(' ').next().unwrap_or("");
    let numeric = value.starts_with(|c: char| c.is_ascii_digit() || c == '-');
    let number = numeric && (value.ends_with('.') || value.contains("e+") || value.contains("e-"));
    // Bytes export as base64 strings in JSON.
    number || line.contains("!!binary")
}
