//! `BUILDKIT_HOST` is validated before anything uses it: a container name
//! that is a flag makes `dagger compute` fail with a message naming the value
//! and the expected form, and `docker` is never run.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt as _;
use std::process::Command;

#[test]
fn a_container_name_that_is_a_flag_never_reaches_docker() {
    let dir = tempfile::tempdir().unwrap();
    // A `docker` first on PATH that records any call.
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let calls = dir.path().join("docker-calls");
    let fake = bin.join("docker");
    std::fs::write(
        &fake,
        format!("#!/bin/sh\necho \"$@\" >> '{}'\nexit 1\n", calls.display()),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    // A plan that needs the engine.
    let plan = dir.path().join("plan");
    std::fs::create_dir(&plan).unwrap();
    std::fs::write(
        plan.join("main.cue"),
        "package main\n\nrun: #compute: [{do: \"fetch-container\", ref: \"busybox\"}]\n",
    )
    .unwrap();

    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let o = Command::new(env!("CARGO_BIN_EXE_dagger"))
        .arg("compute")
        .arg(&plan)
        .env("BUILDKIT_HOST", "docker-container://--privileged")
        .env("PATH", path)
        .output()
        .expect("dagger runs");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "BUILDKIT_HOST=\"docker-container://--privileged\" is not a valid address: \
             the container name \"--privileged\" must start with a letter or digit"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("[a-zA-Z0-9][a-zA-Z0-9_.-]*"), "{stderr}");
    assert!(
        !calls.exists(),
        "docker was run: {}",
        std::fs::read_to_string(&calls).unwrap_or_default()
    );
}
