//! Command lines written for the original Dagger run unchanged: its
//! `--log-format pretty`, and its `--input-yaml FILE` (a file name, not
//! YAML text).

use std::process::Command;

fn plan() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.cue"),
        "package main\n\nname: string\nempty: #compute: []\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("inputs.yaml"), "name: from-file\n").unwrap();
    dir
}

#[test]
fn the_original_pretty_log_format_and_input_file_names_are_accepted() {
    let dir = plan();
    let out = Command::new(env!("CARGO_BIN_EXE_dagger"))
        .args([
            "compute",
            ".",
            "--log-format",
            "pretty",
            "--input-yaml",
            "inputs.yaml",
        ])
        .current_dir(dir.path())
        .env_remove("BUILDKIT_HOST")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "{\"name\":\"from-file\",\"empty\":{}}\n"
    );
}
