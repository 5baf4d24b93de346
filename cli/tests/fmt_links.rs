//! `dagger fmt DIR` on a tree holding symbolic links to files outside it:
//! the outside files stay byte-identical, the links are skipped with a note,
//! and only the tree's own `.cue` files are formatted.

#![cfg(unix)]

use std::os::unix::fs::symlink;
use std::process::Command;

#[test]
fn fmt_of_a_directory_never_writes_through_links() {
    let outside = tempfile::tempdir().unwrap();
    let tree = tempfile::tempdir().unwrap();
    // Unformatted on purpose: fmt would change both if it reached them.
    let outside_cue = "a:   {b: 1}\n";
    let outside_json = "{\"a\": {\"b\": 1}}\n";
    std::fs::write(outside.path().join("victim.cue"), outside_cue).unwrap();
    std::fs::write(outside.path().join("victim.json"), outside_json).unwrap();
    std::fs::create_dir(outside.path().join("dir")).unwrap();
    std::fs::write(outside.path().join("dir/deep.cue"), outside_cue).unwrap();

    std::fs::write(tree.path().join("own.cue"), "x:   {y: 2}\n").unwrap();
    std::fs::write(tree.path().join("own.json"), outside_json).unwrap();
    symlink(
        outside.path().join("victim.cue"),
        tree.path().join("link.cue"),
    )
    .unwrap();
    // A JSON file is valid CUE: named `.cue`, it would be rewritten as CUE.
    symlink(
        outside.path().join("victim.json"),
        tree.path().join("json-link.cue"),
    )
    .unwrap();
    symlink(
        outside.path().join("victim.json"),
        tree.path().join("json-link.json"),
    )
    .unwrap();
    symlink(outside.path().join("dir"), tree.path().join("linked-dir")).unwrap();

    let o = Command::new(env!("CARGO_BIN_EXE_dagger"))
        .arg("fmt")
        .arg(tree.path())
        .output()
        .expect("dagger runs");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");

    for (name, text) in [
        ("victim.cue", outside_cue),
        ("victim.json", outside_json),
        ("dir/deep.cue", outside_cue),
    ] {
        assert_eq!(
            std::fs::read_to_string(outside.path().join(name)).unwrap(),
            text,
            "{name} was changed"
        );
    }
    for name in ["link.cue", "json-link.cue", "linked-dir"] {
        assert!(
            stderr.contains(&format!("skipping {}", tree.path().join(name).display())),
            "no note for {name}: {stderr}"
        );
        let kind = std::fs::symlink_metadata(tree.path().join(name)).unwrap();
        assert!(kind.file_type().is_symlink(), "{name} is still a link");
    }
    // The tree's own files: `.cue` formatted, anything else untouched.
    assert_eq!(
        std::fs::read_to_string(tree.path().join("own.cue")).unwrap(),
        "x: {\n\ty: 2\n}\n"
    );
    assert_eq!(
        std::fs::read_to_string(tree.path().join("own.json")).unwrap(),
        outside_json
    );
}

#[test]
fn fmt_refuses_a_named_link_or_non_cue_file() {
    let outside = tempfile::tempdir().unwrap();
    let tree = tempfile::tempdir().unwrap();
    let text = "a:   1\n";
    std::fs::write(outside.path().join("victim.cue"), text).unwrap();
    std::fs::write(tree.path().join("data.json"), "{\"a\":   1}\n").unwrap();
    symlink(
        outside.path().join("victim.cue"),
        tree.path().join("link.cue"),
    )
    .unwrap();
    for (name, why) in [
        ("link.cue", "symbolic link"),
        ("data.json", "not a .cue file"),
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_dagger"))
            .arg("fmt")
            .arg(name)
            .current_dir(tree.path())
            .output()
            .expect("dagger runs");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("dagger fmt: {name}: ")) && stderr.contains(why),
            "{name}: {stderr}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(outside.path().join("victim.cue")).unwrap(),
        text
    );
    assert_eq!(
        std::fs::read_to_string(tree.path().join("data.json")).unwrap(),
        "{\"a\":   1}\n"
    );
}
