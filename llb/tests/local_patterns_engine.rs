//! Local directories through the real engine: for a few pattern sets of
//! `golden/local_patterns.json`, a container lists what arrived (`find`,
//! each file's sha256, owners) and it must be exactly what BuildKit's own
//! client sent for those patterns (the recorded `sent` lists), owned by
//! 0:0, over three consecutive runs that switch pattern sets on the same
//! shared cache key (so stale files of an earlier transfer would show).

mod client_support;

use std::collections::BTreeMap;
use std::path::Path;

use client_support::{busybox, client, marshal, unique};
use llb::client::patterns::parse_ignore_file;
use llb::client::SolveRequest;
use llb::ops::{Exec, Local, Mount};
use sha2::{Digest, Sha256};

const SETS: [&str; 5] = [
    "issue20-2 root dir by **/ with a negation",
    "issue20-3 **/dir include",
    "dir with a negated child",
    "** segment then star",
    "include deep, exclude **/target but one file",
];

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// The fixture, its files owned by 1234:5678 when we may change owners.
fn make_fixture(root: &Path, lines: &[String]) {
    for line in lines {
        let parts: Vec<&str> = line.splitn(3, ' ').collect();
        let p = root.join(parts[1]);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        match parts[0] {
            "d" => std::fs::create_dir_all(&p).unwrap(),
            "f" => std::fs::write(&p, format!("{}\n", parts[1])).unwrap(),
            _ => std::os::unix::fs::symlink(parts[2], &p).unwrap(),
        }
        if running_as_root() {
            std::os::unix::fs::lchown(&p, Some(1234), Some(5678)).unwrap();
        }
    }
}

/// What the container must list for a recorded `sent` list.
fn expected(sent: &[String]) -> Vec<String> {
    let mut out: Vec<String> = sent
        .iter()
        .map(|e| match e.split_once(' ') {
            Some(("f", path)) => {
                let sum = hex::encode(Sha256::digest(format!("{path}\n").as_bytes()));
                format!("f {path} {sum} 0:0")
            }
            _ => format!("{e} 0:0"),
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn containers_see_what_buildkits_client_sends_over_three_runs() {
    let Some(c) = client().await else { return };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/local_patterns.json");
    let golden: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    make_fixture(dir.path(), &strings(&golden["fixture"]));
    let cases: Vec<&serde_json::Value> = SETS
        .iter()
        .map(|name| {
            golden["cases"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"] == *name)
                .unwrap_or_else(|| panic!("no case {name}"))
        })
        .collect();
    let script = "cd /src && find . -mindepth 1 | while read -r p; do n=${p#./}; o=$(stat -c %u:%g \"$p\"); \
        if [ -L \"$p\" ]; then echo \"l $n $o\"; elif [ -d \"$p\" ]; then echo \"d $n $o\"; \
        else echo \"f $n $(sha256sum < \"$p\" | cut -d' ' -f1) $o\"; fi; done > /listing";
    for run in 0..3 {
        // Each run visits the sets in another order, on one shared cache key.
        for k in 0..cases.len() {
            let case = cases[(k + run) % cases.len()];
            let excludes = case["ignore"]
                .as_str()
                .map(parse_ignore_file)
                .unwrap_or_default();
            let src = Local::new("fixture")
                .unwrap()
                .include_patterns(strings(&case["include"]))
                .exclude_patterns(excludes)
                .shared_key_hint("local-patterns-engine")
                .build();
            let listed = busybox()
                .exec(
                    Exec::new(["/bin/sh", "-c", &format!("{script} # {}", unique())])
                        .mount("/src", Mount::readonly(&src)),
                )
                .unwrap()
                .root();
            let req = SolveRequest {
                definition: marshal(&listed),
                read_files: vec!["/listing".into()],
                locals: BTreeMap::from([("fixture".to_string(), dir.path().to_path_buf())]),
                ..Default::default()
            };
            let res = c.solve(req, None).await.expect("solve");
            let text = String::from_utf8(res.files["/listing"].clone()).unwrap();
            let mut got: Vec<String> = text.lines().map(str::to_string).collect();
            got.sort();
            assert_eq!(
                got,
                expected(&strings(&case["sent"])),
                "run {run}, set {:?}",
                case["name"]
            );
        }
    }
}
