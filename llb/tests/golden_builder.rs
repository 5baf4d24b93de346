//! Behaviour of the builder beyond single ops: determinism of maps and
//! lists, deduplication, metadata, platforms, paths, image configs,
//! definitions reused as states, the Dockerfile frontend request, the
//! summary dump, and the errors users can cause.

use std::collections::BTreeMap;

use bollard_buildkit_proto::pb;
use llb::dump::{summarize, OpDetail};
use llb::ops::{
    component_op_name, source, BuildError, Copy, DockerBuild, Exec, FileAction, Image, ImageConfig,
    Local, Mount, OpMeta,
};
use llb::{Digest, MarshalOptions, Platform, State};
use prost::Message;

fn opts() -> MarshalOptions {
    MarshalOptions::for_platform(Platform::linux_amd64())
}

fn busybox() -> State {
    source::image("busybox").unwrap()
}

/// Decoded ops of a definition, terminal op included.
fn ops(def: &pb::Definition) -> Vec<pb::Op> {
    def.def
        .iter()
        .map(|b| pb::Op::decode(b.as_slice()).unwrap())
        .collect()
}

fn exec_of(op: &pb::Op) -> &pb::ExecOp {
    match &op.op {
        Some(pb::op::Op::Exec(e)) => e,
        other => panic!("not an exec: {other:?}"),
    }
}

fn file_of(op: &pb::Op) -> &pb::FileOp {
    match &op.op {
        Some(pb::op::Op::File(f)) => f,
        other => panic!("not a file op: {other:?}"),
    }
}

/// The op the definition's terminal op points at.
fn head(def: &pb::Definition) -> pb::Op {
    let all = ops(def);
    let target = &all.last().unwrap().inputs[0].digest;
    let i = def
        .def
        .iter()
        .position(|b| Digest::of(b).as_str() == target)
        .unwrap();
    all[i].clone()
}

#[test]
fn scratch_marshals_to_an_empty_definition() {
    assert_eq!(State::scratch().marshal(&opts()), pb::Definition::default());
}

#[test]
fn env_follows_input_order_and_changes_the_digest() {
    let ab = busybox()
        .exec(Exec::new(["env"]).env("A", "1").env("B", "2"))
        .unwrap()
        .root();
    let ba = busybox()
        .exec(Exec::new(["env"]).env("B", "2").env("A", "1"))
        .unwrap()
        .root();
    let ab_def = ab.marshal(&opts());
    let ba_def = ba.marshal(&opts());
    let env = |def: &pb::Definition| exec_of(&head(def)).meta.clone().unwrap().env;
    assert_eq!(env(&ab_def), ["A=1", "B=2"]);
    assert_eq!(env(&ba_def), ["B=2", "A=1"]);
    assert_ne!(ab_def.def[1], ba_def.def[1]);
}

#[test]
fn source_attrs_do_not_depend_on_option_order() {
    let one = Local::new("ctx")
        .unwrap()
        .session_id("s")
        .shared_key_hint("h")
        .exclude_patterns(vec!["a".into()])
        .include_patterns(vec!["b".into()])
        .build();
    let two = Local::new("ctx")
        .unwrap()
        .include_patterns(vec!["b".into()])
        .exclude_patterns(vec!["a".into()])
        .shared_key_hint("h")
        .session_id("s")
        .build();
    let d1 = one.marshal(&opts());
    assert_eq!(d1.encode_to_vec(), two.marshal(&opts()).encode_to_vec());
    let Some(pb::op::Op::Source(src)) = &ops(&d1)[0].op else {
        panic!()
    };
    let keys: Vec<&str> = src.attrs.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "local.excludepatterns",
            "local.includepattern",
            "local.session",
            "local.sharedkeyhint"
        ]
    );
    assert_eq!(src.attrs["local.includepattern"], r#"["b"]"#);
}

#[test]
fn identical_ops_appear_once() {
    // Two separately built `busybox` images: one op, one input edge.
    let other = source::image("docker.io/library/busybox:latest").unwrap();
    let st = busybox()
        .exec(
            Exec::new(["true"])
                .mount("/a", Mount::readonly(&other))
                .mount("/b", Mount::readonly(&other)),
        )
        .unwrap()
        .root();
    let def = st.marshal(&opts());
    assert_eq!(def.def.len(), 3, "image, exec, terminal");
    let exec = head(&def);
    assert_eq!(exec.inputs.len(), 1);
    let inputs: Vec<i64> = exec_of(&exec).mounts.iter().map(|m| m.input).collect();
    assert_eq!(inputs, [0, 0, 0]);
}

#[test]
fn metadata_of_one_op_reached_twice_is_merged() {
    let named = Image::new("alpine")
        .unwrap()
        .meta(OpMeta::named("first"))
        .build();
    let always = Image::new("alpine")
        .unwrap()
        .meta(OpMeta {
            custom_name: Some("second".into()),
            ignore_cache: true,
        })
        .build();
    let st = named
        .exec(Exec::new(["true"]).mount("/x", Mount::readonly(&always)))
        .unwrap()
        .root();
    let def = st.marshal(&opts());
    let image_digest = Digest::of(&def.def[0]).to_string();
    let md = &def.metadata[&image_digest];
    assert_eq!(md.description["llb.customname"], "first");
    assert!(md.ignore_cache);
    let terminal = Digest::of(def.def.last().unwrap()).to_string();
    let caps: Vec<&str> = def.metadata[&terminal]
        .caps
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        caps,
        [
            "constraints",
            "meta.description",
            "meta.ignorecache",
            "platform"
        ]
    );
}

#[test]
fn always_sets_ignore_cache_without_changing_the_digest() {
    let plain = busybox()
        .exec(Exec::new(["date"]))
        .unwrap()
        .root()
        .marshal(&opts());
    let always = busybox()
        .exec(Exec::new(["date"]).always(true))
        .unwrap()
        .root()
        .marshal(&opts());
    assert_eq!(plain.def, always.def);
    let exec_digest = Digest::of(&always.def[1]).to_string();
    assert!(always.metadata[&exec_digest].ignore_cache);
    assert!(!plain.metadata[&exec_digest].ignore_cache);
}

#[test]
fn platforms_image_and_exec_carry_it_git_local_and_file_do_not() {
    let arm = Platform::new("linux", "arm64", "");
    let img = Image::new("alpine").unwrap().platform(arm.clone()).build();
    let st = img
        .exec(Exec::new(["true"]).mount(
            "/g",
            Mount::readonly(&source::git("https://h/r.git", "").unwrap()),
        ))
        .unwrap()
        .root()
        .file(FileAction::mkdir("/d", 0o755, false));
    let def = st.marshal(&opts());
    let platforms: Vec<Option<String>> = summarize(&def)
        .unwrap()
        .into_iter()
        .map(|s| s.platform)
        .collect();
    assert_eq!(
        platforms,
        [
            Some("linux/arm64".into()),
            None,
            Some("linux/arm64".into()),
            None,
            None
        ],
        "image, git, exec, file, terminal"
    );
    // Without an explicit platform, the marshal default applies.
    let def = busybox().marshal(&MarshalOptions::for_platform(Platform::new(
        "linux", "arm", "v7",
    )));
    assert_eq!(ops(&def)[0].platform.as_ref().unwrap().variant, "v7");
}

#[test]
fn image_config_sets_exec_defaults_and_exec_overrides_them() {
    let config = ImageConfig::from_json(
        br#"{"config":{"Env":["PATH=/usr/bin:/bin","HOME=/root"],"WorkingDir":"/app","User":"1000"}}"#,
    )
    .unwrap();
    let base = busybox().with_image_config(&config);
    let def = base
        .exec(Exec::new(["ls"]).cwd("sub"))
        .unwrap()
        .root()
        .marshal(&opts());
    let meta = exec_of(&head(&def)).meta.clone().unwrap();
    assert_eq!(meta.env, ["PATH=/usr/bin:/bin", "HOME=/root"]);
    assert_eq!(meta.cwd, "/app/sub");
    assert_eq!(meta.user, "1000");

    let def = base
        .exec(Exec::new(["ls"]).env("HOME", "/tmp").cwd("/").user("root"))
        .unwrap()
        .root()
        .marshal(&opts());
    let meta = exec_of(&head(&def)).meta.clone().unwrap();
    assert_eq!(meta.env, ["PATH=/usr/bin:/bin", "HOME=/tmp"]);
    assert_eq!((meta.cwd.as_str(), meta.user.as_str()), ("/", "root"));
}

#[test]
fn exec_env_does_not_leak_into_the_next_exec() {
    let first = busybox()
        .exec(Exec::new(["true"]).env("ONLY", "once"))
        .unwrap()
        .root();
    let def = first
        .exec(Exec::new(["env"]))
        .unwrap()
        .root()
        .marshal(&opts());
    assert!(exec_of(&head(&def)).meta.clone().unwrap().env.is_empty());
}

#[test]
fn mount_selector_is_normalized() {
    let dir = busybox();
    let def = busybox()
        .exec(
            Exec::new(["true"])
                .mount("/whole", Mount::readonly(&dir).at_path("/"))
                .mount("/part", Mount::read_write(&dir).at_path("etc//ssl/")),
        )
        .unwrap()
        .root()
        .marshal(&opts());
    let exec = head(&def);
    let selectors: Vec<(&str, &str, i64)> = exec_of(&exec)
        .mounts
        .iter()
        .map(|m| (m.dest.as_str(), m.selector.as_str(), m.output))
        .collect();
    assert_eq!(
        selectors,
        [("/", "", 0), ("/part", "/etc/ssl", 1), ("/whole", "", -1)]
    );
}

#[test]
fn read_write_mount_output_is_a_state() {
    let st = busybox()
        .exec(Exec::new(["make"]).mount("/out", Mount::read_write(&State::scratch())))
        .unwrap();
    let def = st.mount("/out/").unwrap().marshal(&opts());
    assert_eq!(ops(&def).last().unwrap().inputs[0].index, 1);
    assert!(st.mount("/nope").is_none());
    // A read-only root produces no root output: the base state is returned.
    let ro = busybox()
        .exec(Exec::new(["true"]).readonly_root(true))
        .unwrap();
    assert_eq!(ro.root().marshal(&opts()), busybox().marshal(&opts()));
}

#[test]
fn file_paths_resolve_against_the_working_directory() {
    let def = busybox()
        .with_dir("/work")
        .file(FileAction::mkfile("notes/a.txt", 0o1644, "x"))
        .marshal(&opts());
    let f = file_of(&head(&def)).clone();
    let Some(pb::file_action::Action::Mkfile(mk)) = &f.actions[0].action else {
        panic!()
    };
    assert_eq!(mk.path, "/work/notes/a.txt");
    assert_eq!(mk.mode, 0o644, "only permission bits are kept");
    assert_eq!(mk.timestamp, -1);
}

#[test]
fn copy_contents_sets_the_plan_copy_flags() {
    let from = busybox().with_dir("/etc");
    let def = State::scratch()
        .file(Copy::contents(&from, "ssl", "/dest"))
        .marshal(&opts());
    let f = file_of(&head(&def)).clone();
    assert_eq!((f.actions[0].input, f.actions[0].secondary_input), (-1, 0));
    let Some(pb::file_action::Action::Copy(c)) = &f.actions[0].action else {
        panic!()
    };
    assert_eq!(c.src, "/etc/ssl");
    assert_eq!(c.dest, "/dest");
    assert!(
        c.dir_copy_contents && c.create_dest_path && c.allow_wildcard && c.allow_empty_wildcard
    );
    assert!(c.follow_symlink);
    assert_eq!(c.mode, -1);
}

#[test]
fn user_errors_are_reported_not_panics() {
    assert_eq!(
        busybox().exec(Exec::new(Vec::<String>::new())).unwrap_err(),
        BuildError::EmptyExecArgs
    );
    let err = busybox()
        .exec(
            Exec::new(["x"])
                .mount("/a", Mount::tmpfs())
                .mount("/a/", Mount::cache("c")),
        )
        .unwrap_err();
    assert_eq!(err, BuildError::DuplicateMount { dest: "/a".into() });
    let err = busybox()
        .exec(Exec::new(["x"]).mount("rel", Mount::tmpfs()))
        .unwrap_err();
    assert!(
        err.to_string().contains("\"rel\" must be absolute"),
        "{err}"
    );
    let err = source::image("Alpine:3").unwrap_err().to_string();
    assert!(
        err.starts_with("invalid image reference \"Alpine:3\""),
        "{err}"
    );
    let err = source::git("ftp://x/y", "main").unwrap_err().to_string();
    assert!(err.contains("ftp://x/y"), "{err}");
    assert_eq!(Local::new("").unwrap_err(), BuildError::EmptyLocalName);
    assert_eq!(
        DockerBuild::new().to_request(&opts()).unwrap_err(),
        BuildError::DockerBuildWithoutInput
    );
}

#[test]
fn git_fragment_gives_ref_and_subdir() {
    let def = source::git("https://example.com/r.git#v1:docs/", "")
        .unwrap()
        .marshal(&opts());
    let Some(pb::op::Op::Source(src)) = &ops(&def)[0].op else {
        panic!()
    };
    assert_eq!(src.identifier, "git://example.com/r.git#v1:docs");
    assert_eq!(src.attrs["git.fullurl"], "https://example.com/r.git");
}

#[test]
fn dockerfile_request_with_inline_dockerfile() {
    let req = DockerBuild::new()
        .dockerfile("FROM busybox\nRUN echo hi\n")
        .dockerfile_path("ignored/Dockerfile")
        .build_arg("VERSION", "1.2")
        .build_arg("A", "b")
        .label("org.example.team", "web")
        .platforms(vec![
            Platform::linux_amd64(),
            Platform::new("linux", "arm64", ""),
        ])
        .to_request(&opts())
        .unwrap();
    assert_eq!(req.frontend, "dockerfile.v0");
    let expected: BTreeMap<String, String> = [
        ("build-arg:A", "b"),
        ("build-arg:VERSION", "1.2"),
        ("filename", "Dockerfile"),
        ("label:org.example.team", "web"),
        ("platform", "linux/amd64,linux/arm64"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(req.attrs, expected);
    let names: Vec<&str> = req.inputs.keys().map(String::as_str).collect();
    assert_eq!(names, ["context", "dockerfile"]);
    // No context given: the Dockerfile's definition is the context too.
    assert_eq!(req.inputs["context"], req.inputs["dockerfile"]);
    let f = file_of(&head(&req.inputs["dockerfile"])).clone();
    let Some(pb::file_action::Action::Mkfile(mk)) = &f.actions[0].action else {
        panic!()
    };
    assert_eq!((mk.path.as_str(), mk.mode), ("/Dockerfile", 0o644));
    assert_eq!(mk.data, b"FROM busybox\nRUN echo hi\n");
}

#[test]
fn dockerfile_request_from_context() {
    let ctx = Local::new("ctx").unwrap().build();
    let req = DockerBuild::new()
        .context(&ctx)
        .dockerfile_path("build/Dockerfile.prod")
        .to_request(&opts())
        .unwrap();
    assert_eq!(req.attrs["filename"], "build/Dockerfile.prod");
    assert_eq!(req.attrs.len(), 1);
    // The frontend reads the Dockerfile only from its `dockerfile` input.
    assert_eq!(req.inputs.len(), 2);
    assert_eq!(req.inputs["context"], ctx.marshal(&opts()));
    assert_eq!(req.inputs["dockerfile"], ctx.marshal(&opts()));
}

#[test]
fn a_definition_can_be_continued_as_a_state() {
    let base = busybox()
        .exec(Exec::new(["make"]).custom_name("[a] exec make"))
        .unwrap()
        .root();
    let def = base.marshal(&opts());
    let st = State::from_definition(&def).unwrap();
    // Marshaling it again gives the same definition.
    assert_eq!(st.marshal(&opts()), def);
    // Building on it keeps the ops and points the new op at the old result.
    let next = st
        .file(FileAction::mkdir("/x", 0o755, true))
        .marshal(&opts());
    assert_eq!(&next.def[..2], &def.def[..2]);
    let old_head = ops(&def).last().unwrap().inputs[0].clone();
    assert_eq!(head(&next).inputs, [old_head]);
    let exec_digest = Digest::of(&def.def[1]).to_string();
    assert_eq!(
        next.metadata[&exec_digest].description["llb.customname"],
        "[a] exec make"
    );

    assert!(State::from_definition(&pb::Definition::default())
        .unwrap()
        .is_scratch());
    let broken = pb::Definition {
        def: vec![def.def[2].clone()],
        ..Default::default()
    };
    let err = State::from_definition(&broken).unwrap_err().to_string();
    assert!(err.contains("not one of the definition's ops"), "{err}");
}

#[test]
fn summary_shows_kinds_names_and_file_actions() {
    let name = component_op_name("web.build", "exec sh -c make");
    assert_eq!(name, "[web.build] exec sh -c make");
    let st = busybox()
        .exec(
            Exec::new(["sh", "-c", "make"])
                .always(true)
                .custom_name(name.clone()),
        )
        .unwrap()
        .root()
        .file(
            llb::ops::FileOpBuilder::new(FileAction::mkdir("/a", 0o755, true))
                .then(FileAction::mkfile("/a/f", 0o600, "data")),
        );
    let summary = summarize(&st.marshal(&opts())).unwrap();
    let kinds: Vec<&str> = summary
        .iter()
        .map(|s| match &s.op {
            OpDetail::Source { .. } => "source",
            OpDetail::Exec { .. } => "exec",
            OpDetail::File { .. } => "file",
            OpDetail::Other { .. } => "other",
            OpDetail::Terminal => "terminal",
        })
        .collect();
    assert_eq!(kinds, ["source", "exec", "file", "terminal"]);
    assert_eq!(summary[1].name.as_deref(), Some(name.as_str()));
    assert!(summary[1].ignore_cache);
    let OpDetail::File { actions } = &summary[2].op else {
        panic!()
    };
    assert_eq!(
        actions,
        &["mkdir /a 0o755 parents", "mkfile /a/f 0o600 (4 bytes)"]
    );
    let json = serde_json::to_value(&summary[1]).unwrap();
    assert_eq!(json["kind"], "exec");
    assert_eq!(json["args"][2], "make");
}

#[test]
fn long_chains_marshal_and_drop_without_overflowing_the_stack() {
    // Test threads have 2 MiB stacks; a recursive walk overflowed at ~400 ops.
    let n = 10_000;
    let mut st = busybox();
    for i in 0..n {
        st = st.file(FileAction::mkdir(&format!("/d{i}"), 0o755, false));
    }
    let def = st.marshal(&opts());
    assert_eq!(def.def.len(), n + 2);
    // Every op after the image reads the op before it.
    let all = ops(&def);
    for (op, previous) in all[1..=n].iter().zip(&def.def) {
        assert_eq!(op.inputs[0].digest, Digest::of(previous).to_string());
    }
    drop(st);
}
