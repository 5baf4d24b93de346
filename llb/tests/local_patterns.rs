//! Our walk of a local directory against what BuildKit's own client sends.
//!
//! `golden/local_patterns.json` holds a fixture tree and pattern sets
//! (`.dockerignore` text as excludes, `include` lists), each with the entries
//! BuildKit v0.34.2's Go client sent for it, recorded through a real daemon
//! by `scripts/local-patterns/record.sh`. Here the same tree is built and
//! walked by `llb::client::session::filesync::walk` with the same patterns
//! (ignore text read by `parse_ignore_file`); the lists must be identical.
//! No daemon is needed.

use std::path::Path;

use llb::client::patterns::parse_ignore_file;
use llb::client::session::filesync::walk;

const MODE_DIR: u32 = 1 << 31;
const MODE_SYMLINK: u32 = 1 << 27;

fn golden() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/local_patterns.json");
    let text = std::fs::read_to_string(&path).expect("golden file");
    serde_json::from_str(&text).expect("golden JSON")
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// Builds the tree: `d PATH`, `f PATH` (holding its path and a newline), `l PATH TARGET`.
fn make_fixture(root: &Path, lines: &[String]) {
    for line in lines {
        let parts: Vec<&str> = line.splitn(3, ' ').collect();
        let p = root.join(parts[1]);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        match parts[0] {
            "d" => std::fs::create_dir_all(&p).unwrap(),
            "f" => std::fs::write(&p, format!("{}\n", parts[1])).unwrap(),
            "l" => std::os::unix::fs::symlink(parts[2], &p).unwrap(),
            other => panic!("bad fixture kind {other}"),
        }
    }
}

#[test]
fn walk_sends_what_buildkits_client_sends() {
    let g = golden();
    let dir = tempfile::tempdir().unwrap();
    make_fixture(dir.path(), &strings(&g["fixture"]));
    let cases = g["cases"].as_array().unwrap();
    assert!(cases.len() >= 40, "only {} pattern sets", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let excludes = case["ignore"]
            .as_str()
            .map(parse_ignore_file)
            .unwrap_or_default();
        let includes = strings(&case["include"]);
        let expected = strings(&case["sent"]);
        let entries = match walk(dir.path(), &includes, &excludes) {
            Ok(e) => e,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let mut got: Vec<String> = entries
            .iter()
            .map(|e| {
                let kind = if e.stat.mode & MODE_DIR != 0 {
                    "d"
                } else if e.stat.mode & MODE_SYMLINK != 0 {
                    "l"
                } else {
                    "f"
                };
                format!("{kind} {}", e.rel)
            })
            .collect();
        got.sort();
        if got != expected {
            let missing: Vec<&String> = expected.iter().filter(|e| !got.contains(e)).collect();
            let extra: Vec<&String> = got.iter().filter(|e| !expected.contains(e)).collect();
            failures.push(format!(
                "{name} (include {includes:?}, exclude {excludes:?}):\n  not sent: {missing:?}\n  sent too: {extra:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} pattern sets differ from BuildKit:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn walk_order_is_fsutils_depth_first_bytewise_order() {
    // The wire order matters to the daemon (it numbers entries): parents
    // before children, siblings by bytes, a directory's entries right after it.
    let g = golden();
    let dir = tempfile::tempdir().unwrap();
    make_fixture(dir.path(), &strings(&g["fixture"]));
    let entries = walk(
        dir.path(),
        &[],
        &["**/node_modules".into(), "!keep.log".into()],
    )
    .unwrap();
    let rels: Vec<&str> = entries.iter().map(|e| e.rel.as_str()).collect();
    for (i, r) in rels.iter().enumerate() {
        if let Some((parent, _)) = r.rsplit_once('/') {
            let at = rels.iter().position(|p| *p == parent).expect("parent sent");
            assert!(at < i, "{parent} after {r}");
            assert!(rels[at..i]
                .iter()
                .all(|p| p.starts_with(&format!("{parent}/")) || *p == parent));
        }
    }
}
