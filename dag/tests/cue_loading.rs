//! Loading a plan directory: the embedded packages resolve without
//! vendoring, inputs and filled values become files of the plan's package.
#![cfg(feature = "cue")]

use dag::cue_plan::CuePlan;
use dag::inputs::Input;
use dag::path::Path;

fn plan_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

const MAIN: &str = "package main\n\nimport (\n\t\"dagger.io/dagger\"\n\t\"dagger.io/llb\"\n)\n\na: dagger.#Artifact & {#compute: [llb.#WriteFile & {content: \"x\", dest: \"/x\"}]}\n";

#[test]
fn embedded_packages_resolve_without_vendoring() {
    let dir = plan_dir(&[("main.cue", MAIN)]);
    let program = CuePlan::load_only(dir.path(), &[])
        .unwrap()
        .program()
        .unwrap();
    let root = program.root_instance();
    let llb = root
        .import("dagger.io/llb")
        .expect("dagger.io/llb is imported");
    let cue_eval::load::ImportTarget::Instance(id) = llb.target else {
        panic!("{:?}", llb.target)
    };
    let inst = program.instance(id);
    assert_eq!(inst.package_name.as_deref(), Some("llb"));
    assert!(inst.files[0].text.contains("#Op: #FetchContainer |"));
    let dagger = root.import("dagger.io/dagger").unwrap();
    let cue_eval::load::ImportTarget::Instance(id) = dagger.target else {
        panic!()
    };
    assert!(program.instance(id).files[0].text.contains("#Artifact"));
}

#[test]
fn a_vendored_copy_wins_over_the_embedded_one() {
    let vendored = "package llb\n\n#Op: {do: string}\n";
    let dir = plan_dir(&[
        ("main.cue", MAIN),
        ("cue.mod/module.cue", "module: \"example.com/p\"\n"),
        ("cue.mod/pkg/dagger.io/llb/llb.cue", vendored),
    ]);
    let program = CuePlan::load_only(dir.path(), &[])
        .unwrap()
        .program()
        .unwrap();
    let llb = program.root_instance().import("dagger.io/llb").unwrap();
    let cue_eval::load::ImportTarget::Instance(id) = llb.target else {
        panic!()
    };
    assert_eq!(program.instance(id).files[0].text, vendored);
}

#[test]
fn inputs_are_files_of_the_plan_package_after_its_own() {
    let dir = plan_dir(&[("main.cue", MAIN)]);
    let inputs = [
        Input::String {
            path: Path::parse("a.b").unwrap(),
            text: "hi".into(),
        },
        Input::Json("{\"n\": 1}".into()),
    ];
    let program = CuePlan::load_only(dir.path(), &inputs)
        .unwrap()
        .program()
        .unwrap();
    let files: Vec<(String, String)> = program
        .root_instance()
        .files
        .iter()
        .map(|f| {
            (
                f.path.file_name().unwrap().to_string_lossy().into_owned(),
                f.text.clone(),
            )
        })
        .collect();
    assert_eq!(files[0].0, "main.cue");
    assert_eq!(
        files[1],
        (
            "~dagger-input-0000.cue".into(),
            "package main\n\na: b: \"hi\"\n".into()
        )
    );
    assert_eq!(
        files[2],
        (
            "~dagger-input-0001.cue".into(),
            "package main\n\n{\"n\": 1}".into()
        )
    );
}

#[test]
fn a_directory_without_a_package_is_an_error() {
    let dir = plan_dir(&[("main.cue", "a: 1\n")]);
    let err = CuePlan::load_only(dir.path(), &[]).err().expect("an error");
    assert!(err.0.contains("package"), "{}", err.0);
}

/// The text of the first file of the package `path` imports.
fn imported(
    program: &cue_eval::load::Program,
    from: cue_eval::load::InstanceId,
    path: &str,
) -> (cue_eval::load::InstanceId, String) {
    let inst = program.instance(from);
    let import = inst
        .import(path)
        .unwrap_or_else(|| panic!("{path} is not imported"));
    let cue_eval::load::ImportTarget::Instance(id) = import.target else {
        panic!("{path}: {:?}", import.target)
    };
    (id, program.instance(id).files[0].text.clone())
}

#[test]
fn vendoring_is_package_by_package_also_for_nested_packages() {
    // The plan vendors dagger.io/aws/eks only: dagger.io/aws, which that
    // copy imports, is still the embedded one, and so is dagger.io/git.
    let eks = "package eks\n\nimport \"dagger.io/aws\"\n\n#KubeConfig: {config: aws.#Config, vendored: true}\n";
    let main = "package main\n\nimport (\n\t\"dagger.io/aws/eks\"\n\t\"dagger.io/git\"\n)\n\nk: eks.#KubeConfig\nr: git.#Repository\n";
    let dir = plan_dir(&[
        ("main.cue", main),
        ("cue.mod/module.cue", "module: \"example.com/p\"\n"),
        ("cue.mod/pkg/dagger.io/aws/eks/eks.cue", eks),
    ]);
    let program = CuePlan::load_only(dir.path(), &[])
        .unwrap()
        .program()
        .unwrap();
    let root_id = program.root;
    let (eks_id, eks_text) = imported(&program, root_id, "dagger.io/aws/eks");
    assert_eq!(eks_text, eks);
    let (_, aws_text) = imported(&program, eks_id, "dagger.io/aws");
    assert!(aws_text.starts_with("// Package aws "), "{aws_text}");
    let (_, git_text) = imported(&program, root_id, "dagger.io/git");
    assert!(git_text.contains("#Repository"), "{git_text}");
}

#[test]
fn every_embedded_package_loads_with_its_imports() {
    let mut imports = String::new();
    let mut uses = String::new();
    for (i, pkg) in dag::embedded::packages().enumerate() {
        imports.push_str(&format!("\tp{i} \"{pkg}\"\n"));
        uses.push_str(&format!("u{i}: p{i}\n"));
    }
    let main = format!("package main\n\nimport (\n{imports})\n\n{uses}");
    let dir = plan_dir(&[("main.cue", &main)]);
    let plan = CuePlan::load(dir.path(), &[]).unwrap_or_else(|e| panic!("{e}"));
    let errors = dag::plan::Plan::root(&plan).errors(&Path::root());
    assert!(errors.is_empty(), "{errors:?}");
}
