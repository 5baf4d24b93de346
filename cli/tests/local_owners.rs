//! Files of an `--input-dir` (a `local` op) arrive owned by 0:0 in the
//! container, as with BuildKit's own client, whatever their host owner.
//! Needs the engine of `scripts/engine.sh`; skipped without `BUILDKIT_HOST`
//! (a failure under `CI=true`).

use std::os::unix::fs::MetadataExt;
use std::process::Command;

#[test]
fn input_dir_files_arrive_owned_by_root() {
    if std::env::var_os("BUILDKIT_HOST").is_none() {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true" || v == "1"),
            "BUILDKIT_HOST is not set under CI"
        );
        eprintln!("skipped: no engine (run `eval \"$(bash scripts/engine.sh env)\"`)");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    for f in ["a.txt", "sub/b.txt"] {
        let p = data.path().join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, f).unwrap();
    }
    let root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    if root {
        for f in ["a.txt", "sub", "sub/b.txt"] {
            std::os::unix::fs::lchown(data.path().join(f), Some(1234), Some(5678)).unwrap();
        }
    }
    let host_owner = std::fs::metadata(data.path().join("sub/b.txt")).unwrap();
    assert!(
        (host_owner.uid(), host_owner.gid()) != (0, 0),
        "the host files must not be owned by root for this test"
    );
    let plan = tempfile::tempdir().unwrap();
    std::fs::write(
        plan.path().join("main.cue"),
        r#"package main

src: _

owners: {
	string
	#compute: [
		{do: "fetch-container", ref: "busybox"},
		{
			do: "exec"
			args: ["sh", "-c", "cd /src && find . -mindepth 1 -exec stat -c '%u:%g %n' {} + | sort > /out"]
			mount: "/src": from: src
		},
		{do: "export", source: "/out"},
	]
}
"#,
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_dagger"))
        .args(["compute", "."])
        .arg("--input-dir")
        .arg(format!("src={}", data.path().display()))
        .args(["--log-format", "plain"])
        .current_dir(plan.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["owners"].as_str().unwrap(),
        "0:0 ./a.txt\n0:0 ./sub\n0:0 ./sub/b.txt\n"
    );
}
