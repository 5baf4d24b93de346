use super::*;
use crate::data::Data;
use crate::load::{load, MemFs};
use crate::view::{FieldKind, PathSeg, View, ViewKind};
use std::path::Path;

const LLB: &str = r#"package llb

#Op: #FetchContainer | #Exec | #Copy

#FetchContainer: {
	do:  "fetch-container"
	ref: string
}

#Exec: {
	do: "exec"
	args: [...string]
	env: [string]: string
	dir:    *"/" | string
	always: *false | true
}

#Copy: {
	do:   "copy"
	from: _
	src:  *"/" | string
	dest: *"/" | string
}
"#;

const DAGGER: &str = r#"package dagger

import "dagger.io/llb"

#Artifact: #compute: [...llb.#Op]

#Secret: string
"#;

/// A module with the two dagger.io packages vendored and `plan` as the
/// root package's file.
fn program(plan: &str) -> Program {
    let mut fs = MemFs::new();
    fs.add("/m/cue.mod/module.cue", "module: \"example.com/plan\"\n");
    fs.add("/m/cue.mod/pkg/dagger.io/llb/ops.cue", LLB);
    fs.add("/m/cue.mod/pkg/dagger.io/dagger/dagger.cue", DAGGER);
    fs.add("/m/plan.cue", plan);
    load(&fs, Path::new("/m"), &[]).expect("loads")
}

fn at<'a>(root: View<'a>, path: &[&str]) -> View<'a> {
    let segs: Vec<PathSeg> = path
        .iter()
        .map(|s| match s.parse::<usize>() {
            Ok(i) => PathSeg::Index(i),
            Err(_) => PathSeg::Field(s.to_string()),
        })
        .collect();
    root.lookup(&segs)
        .unwrap_or_else(|| panic!("no {}", path.join(".")))
}

fn string(s: &str) -> ViewKind {
    ViewKind::Scalar(Data::String(s.into()))
}

#[test]
fn imported_definitions_give_defaults() {
    let p = program(concat!(
        "package main\n\nimport \"dagger.io/llb\"\n\n",
        "run: llb.#Exec & {args: [\"sh\", \"-c\", \"echo hi\"]}\n",
    ));
    let inst = evaluate_program(&p).expect("evaluates");
    let root = inst.root();
    assert_eq!(at(root, &["run"]).kind(), ViewKind::Struct);
    let fields: Vec<(String, FieldKind)> = at(root, &["run"])
        .fields()
        .into_iter()
        .map(|(l, k, _)| (l, k))
        .collect();
    let want = ["do", "args", "env", "dir", "always"].map(|l| (l.to_string(), FieldKind::Regular));
    assert_eq!(fields, want);
    assert_eq!(at(root, &["run", "do"]).kind(), string("exec"));
    assert_eq!(at(root, &["run", "dir"]).kind(), string("/"));
    assert_eq!(
        at(root, &["run", "always"]).kind(),
        ViewKind::Scalar(Data::Bool(false))
    );
    assert_eq!(at(root, &["run", "args", "2"]).kind(), string("echo hi"));
    // References into the imported package are not plan paths.
    assert!(at(root, &["run"]).references().is_empty());
    let data = inst.export().expect("exports");
    let want =
        r#"{"run":{"do":"exec","args":["sh","-c","echo hi"],"env":{},"dir":"/","always":false}}"#;
    assert_eq!(data, Data::from_json(want).expect("json"));
}

#[test]
fn imported_definitions_are_closed() {
    let p = program(concat!(
        "package main\n\nimport \"dagger.io/llb\"\n\n",
        "run: llb.#Exec & {args: [], bogus: 1}\n",
    ));
    let inst = evaluate_program(&p).expect("evaluates");
    let errs = inst.errors().0;
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].path, ["run"]);
    assert_eq!(errs[0].message, "field not allowed: bogus");
    let bogus = at(inst.root(), &["run", "bogus"]);
    assert_eq!(
        bogus.kind(),
        ViewKind::Bottom("field not allowed: bogus".into())
    );
}

#[test]
fn a_plan_with_components_and_an_input() {
    let p = program(concat!(
        "package main\n\n",
        "import (\n\t\"dagger.io/dagger\"\n\t\"dagger.io/llb\"\n)\n\n",
        "name: string\n",
        "base: dagger.#Artifact & {\n",
        "\t#compute: [llb.#FetchContainer & {ref: \"alpine\"}]\n",
        "}\n",
        "hello: {\n",
        "\tstring\n",
        "\t#compute: [\n",
        "\t\tllb.#Copy & {from: base},\n",
        "\t\tllb.#Exec & {args: [\"sh\", \"-c\", \"echo hello \\(name)\"]},\n",
        "\t]\n",
        "}\n",
    ));
    let inst = evaluate_program(&p).expect("evaluates");
    let root = inst.root();
    assert!(inst.errors().0.is_empty(), "{:?}", inst.errors());
    assert_eq!(
        at(root, &["name"]).kind(),
        ViewKind::Incomplete("string".into())
    );

    let base = at(root, &["base"]);
    let fields: Vec<(String, FieldKind)> =
        base.fields().into_iter().map(|(l, k, _)| (l, k)).collect();
    assert_eq!(fields, [("#compute".to_string(), FieldKind::Definition)]);
    // `#Op` is a disjunction: the FetchContainer alternative is the only one.
    assert_eq!(
        at(root, &["base", "#compute", "0", "do"]).kind(),
        string("fetch-container")
    );

    let hello = at(root, &["hello"]);
    assert_eq!(hello.kind(), ViewKind::Incomplete("string".into()));
    let copy = at(root, &["hello", "#compute", "0"]);
    assert_eq!(at(copy, &["src"]).kind(), string("/"));
    assert_eq!(
        at(copy, &["from"]).references(),
        [vec![PathSeg::Field("base".into())]]
    );
    let exec = at(root, &["hello", "#compute", "1"]);
    assert_eq!(at(exec, &["dir"]).kind(), string("/"));
    let arg = at(exec, &["args", "2"]);
    assert!(matches!(arg.kind(), ViewKind::Incomplete(_)));
    assert_eq!(arg.references(), [vec![PathSeg::Field("name".into())]]);
}

#[test]
fn filling_an_input_in_another_file_makes_it_concrete() {
    let mut fs = MemFs::new();
    fs.add("/m/cue.mod/module.cue", "module: \"example.com/plan\"\n");
    fs.add("/m/cue.mod/pkg/dagger.io/llb/ops.cue", LLB);
    fs.add(
        "/m/plan.cue",
        "package main\nimport \"dagger.io/llb\"\nname: string\nrun: llb.#Exec & {args: [\"echo\", name]}\n",
    );
    fs.add("/m/~fill-0.cue", "package main\nname: \"world\"\n");
    let p = load(&fs, Path::new("/m"), &[]).expect("loads");
    let inst = evaluate_program(&p).expect("evaluates");
    assert_eq!(
        at(inst.root(), &["run", "args", "1"]).kind(),
        string("world")
    );
}

#[test]
fn syntax_and_reference_errors_fail_with_positions() {
    let p = program("package main\n\nx: {\n");
    let errs = evaluate_program(&p).err().expect("syntax error").0;
    assert_eq!(errs[0].positions[0].file, "./plan.cue");

    let p = program("package main\n\nx: y\n");
    let errs = evaluate_program(&p).err().expect("reference error").0;
    assert!(errs[0].message.contains("\"y\""), "{}", errs[0].message);
    assert_eq!(errs[0].positions[0].line, 3);
}

#[test]
fn undefined_member_of_an_imported_package_is_an_error() {
    let p = program("package main\n\nimport \"dagger.io/llb\"\n\nx: llb.#Nope\n");
    let inst = evaluate_program(&p).expect("evaluates");
    assert_eq!(
        at(inst.root(), &["x"]).kind(),
        ViewKind::Bottom("undefined field: #Nope".into())
    );
}

fn field_path(path: &[&str]) -> Vec<PathSeg> {
    path.iter().map(|s| PathSeg::Field(s.to_string())).collect()
}

#[test]
fn filled_values_unify_like_package_files() {
    let p = program(concat!(
        "package main\n\nimport \"dagger.io/llb\"\n\n",
        "name: string\n",
        "cfg: {port: int, \"host-name\": string}\n",
        "run: llb.#Exec & {args: [\"echo\", \"hello \\(name)\", \"\\(cfg.port)\"]}\n",
    ));
    let mut compiled = Compiled::new(&p).expect("compiles");
    let before = compiled.evaluate();
    compiled
        .fill(&field_path(&["name"]), &Data::String("world".into()))
        .unwrap();
    let cfg = Data::from_json(r#"{"port": 8080, "host-name": "h"}"#).unwrap();
    compiled.fill(&field_path(&["cfg"]), &cfg).unwrap();
    let after = compiled.evaluate();

    let arg = |inst: &Evaluated, i: &str| at(inst.root(), &["run", "args", i]).kind();
    assert!(matches!(arg(&before, "1"), ViewKind::Incomplete(_)));
    assert_eq!(arg(&after, "1"), string("hello world"));
    assert_eq!(arg(&after, "2"), string("8080"));
    assert_eq!(at(after.root(), &["cfg", "host-name"]).kind(), string("h"));
    // Filled values come after the plan's own fields in output order.
    let names: Vec<String> = after.root().fields().into_iter().map(|f| f.0).collect();
    assert_eq!(names, ["name", "cfg", "run"]);
    // The earlier evaluation is independent of later fills.
    assert!(matches!(arg(&before, "1"), ViewKind::Incomplete(_)));
}

#[test]
fn a_conflicting_fill_is_a_field_error() {
    let p = program("package main\n\nout: {int, #compute: []}\n");
    let mut compiled = Compiled::new(&p).expect("compiles");
    compiled
        .fill(&field_path(&["out"]), &Data::String("text".into()))
        .unwrap();
    let inst = compiled.evaluate();
    assert!(matches!(
        at(inst.root(), &["out"]).kind(),
        ViewKind::Bottom(m) if m.contains("mismatched types")
    ));
    let errs = inst.errors().0;
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].path, ["out"]);
    // Definitions of the filled value stay visible.
    let out_fields: Vec<String> = at(inst.root(), &["out"])
        .fields()
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(out_fields, ["#compute"]);
}

#[test]
fn filling_a_list_element_is_refused() {
    let p = program("package main\n\nl: [int]\n");
    let mut compiled = Compiled::new(&p).expect("compiles");
    let path = vec![PathSeg::Field("l".into()), PathSeg::Index(0)];
    let err = compiled.fill(&path, &Data::Null).unwrap_err();
    assert_eq!(err.path, ["l", "0"]);
    assert!(err.message.contains("list element"), "{}", err.message);
}

#[test]
fn aliased_and_module_local_imports() {
    let mut fs = MemFs::new();
    fs.add("/m/cue.mod/module.cue", "module: \"example.com/plan\"\n");
    fs.add("/m/cue.mod/pkg/dagger.io/llb/ops.cue", LLB);
    fs.add(
        "/m/lib/lib.cue",
        "package lib\n\nimport \"dagger.io/llb\"\n\n#Hello: llb.#Exec & {args: [\"echo\", greeting]}\ngreeting: \"hi\"\n",
    );
    fs.add(
        "/m/plan.cue",
        "package main\n\nimport (\n\tops \"dagger.io/llb\"\n\t\"example.com/plan/lib\"\n)\n\na: ops.#FetchContainer & {ref: \"alpine\"}\nb: lib.#Hello\n",
    );
    let p = load(&fs, Path::new("/m"), &[]).expect("loads");
    let inst = evaluate_program(&p).expect("evaluates");
    let root = inst.root();
    assert_eq!(at(root, &["a", "do"]).kind(), string("fetch-container"));
    assert_eq!(at(root, &["b", "args", "1"]).kind(), string("hi"));
    assert_eq!(at(root, &["b", "dir"]).kind(), string("/"));
    // `greeting` lives in package lib: not a path of the plan.
    assert!(at(root, &["b", "args", "1"]).references().is_empty());
    assert!(inst.errors().0.is_empty(), "{:?}", inst.errors());
}
