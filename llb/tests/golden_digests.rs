//! Our builder against BuildKit's own Go client: for every case in
//! `golden/cases.rs`, the definition must hold exactly the ops (same bytes,
//! so same `sha256:` digests), in the same order, with the same metadata, as
//! the reference definition in `golden/buildkit-go/` that BuildKit v0.34.2's
//! client produced for the same construction. Then one test per op kind pins
//! its digest literally, so a change is visible in review.

#[path = "golden/cases.rs"]
mod cases;

use std::path::PathBuf;

use bollard_buildkit_proto::pb;
use llb::Digest;
use prost::Message;

fn reference(name: &str) -> pb::Definition {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/buildkit-go")
        .join(format!("{name}.pb"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut def = pb::Definition::decode(bytes.as_slice()).unwrap();
    // The Go client adds an empty source map; we leave `source` unset.
    def.source = None;
    def
}

fn case(name: &str) -> pb::Definition {
    let (_, state) = cases::all()
        .into_iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no case {name}"));
    state.marshal(&cases::opts())
}

/// Digests of the ops of `def`, in order.
fn digests(def: &pb::Definition) -> Vec<String> {
    def.def.iter().map(|b| Digest::of(b).to_string()).collect()
}

#[test]
fn every_case_matches_buildkit_go_client() {
    let mut checked = 0;
    for (name, state) in cases::all() {
        let ours = state.marshal(&cases::opts());
        let theirs = reference(name);
        assert_eq!(
            digests(&ours),
            digests(&theirs),
            "{name}: op digests / order"
        );
        assert_eq!(ours.def, theirs.def, "{name}: op bytes");
        assert_eq!(ours.metadata, theirs.metadata, "{name}: metadata");
        checked += 1;
    }
    assert_eq!(checked, 14);
}

/// The digest of the op at `index` of case `name`.
fn op_digest(name: &str, index: usize) -> String {
    digests(&case(name))[index].clone()
}

#[test]
fn image_source_digest() {
    assert_eq!(
        op_digest("image_alpine", 0),
        "sha256:a7f9733e307dd352c82d43053b783dd17bb2ec2c36214908ce393e41545c8b51"
    );
}

#[test]
fn image_source_with_attrs_digest() {
    // Two attrs: image.recordtype and image.resolvemode.
    assert_eq!(
        op_digest("image_attrs", 0),
        "sha256:7277f09b3831a3bf148a8397f387b7a5db557ad28c2db004124bad07f58ef95a"
    );
}

#[test]
fn git_source_digests() {
    // Three or four attrs: fullurl, two auth secret names, keepgitdir.
    assert_eq!(
        op_digest("git_keep_dir", 0),
        "sha256:d834bf0a5916e66fa7195af94b917539abf82eb2969b61808e3204fcbe7b9745"
    );
    assert_eq!(
        op_digest("git_http", 0),
        "sha256:0aca4b1d8f0f0cfa35f38f3d24bfe0bd7b2456320e6c592cb55422fb0fa63d0d"
    );
}

#[test]
fn local_source_digest() {
    // Five attrs, three of them JSON lists.
    assert_eq!(
        op_digest("local", 0),
        "sha256:6e6f0433cd125b30454a7c52a136866eef03824ec18e7ac5bbceb82c8ebb836a"
    );
}

#[test]
fn exec_with_env_digest() {
    // Four env entries; PATH set twice moves to the end.
    assert_eq!(
        op_digest("exec_env", 1),
        "sha256:d2a28105ba9335283f4c6d3b1a788dd8266530b98bffbc92de0eb36c78d97dff"
    );
}

#[test]
fn exec_with_every_mount_kind_digest() {
    // tmpfs, cache, read-only input at a sub-path, read-write scratch, secret.
    assert_eq!(
        op_digest("exec_mounts_root", 2),
        "sha256:9148d648c95450805e747872dc9f6eb65d58d546001338cc6cb1a70c42c1bbc2"
    );
}

#[test]
fn file_op_digests() {
    assert_eq!(
        op_digest("file_mkfile", 0),
        "sha256:fb5e49526c7aef3ffa930365906a6cf8bff49ae6be1837b8b45642f319d0f6b5"
    );
    assert_eq!(
        op_digest("file_mkdir", 1),
        "sha256:97d7d3754c19f7bb8331f5513fde0aae94190664a86b99803a4c396c34398d26"
    );
    assert_eq!(
        op_digest("file_copy", 2),
        "sha256:e61fe2f19965588c47720a46f8ce4d09b42bdf8df429c016d15fc634a4163e18"
    );
    assert_eq!(
        op_digest("file_chain", 2),
        "sha256:9c2c7775229c0478fd2fc0b50870e673a87dd50705b7a9d2284d9ec9bb6e0506"
    );
}

#[test]
fn terminal_op_digest_depends_on_output_index() {
    // Same exec, root (output 0) versus the /out mount (output 1).
    assert_eq!(
        op_digest("exec_mounts_root", 3),
        "sha256:f9ba651393c6141dcd9cc7d68e9d293d444e8b2c7d6d88405725b266f1aae831"
    );
    assert_eq!(
        op_digest("exec_mounts_out", 3),
        "sha256:129a2bbcd41488552585589ac816aa09bfbb471a077d74e135d505f216c40e95"
    );
}
