//! Loader tests: an in-memory module per case, and one real directory.

use super::*;
use std::path::PathBuf;

fn fs(files: &[(&str, &str)]) -> MemFs {
    let mut fs = MemFs::new();
    for (p, t) in files {
        fs.add(format!("/m/{p}"), *t);
    }
    fs
}

fn names(i: &Instance) -> Vec<&str> {
    i.files.iter().map(|f| f.name.as_str()).collect()
}

fn load_at(fs: &MemFs, cwd: &str, args: &[&str]) -> Result<Program, LoadError> {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    load(fs, Path::new(cwd), &args)
}

#[test]
fn directory_package_merges_ancestor_files_of_same_package() {
    let fs = fs(&[
        ("cue.mod/module.cue", "module: \"example.com\"\n"),
        ("root.cue", "package p\nr: 1\n"),
        ("other.cue", "package q\nq: 1\n"),
        ("sub/a.cue", "package p\na: 1\n"),
        ("sub/deep/b.cue", "package p\nb: 1\n"),
        ("sub/deep/_skip.cue", "package p\n"),
        ("sub/deep/.hidden.cue", "package p\n"),
        ("sub/deep/x_test.cue", "package p\n"),
        ("sub/deep/x_tool.cue", "package p\n"),
        ("sub/deep/nopkg.cue", "c: 1\n"),
        ("sub/deep/data.json", "{}"),
    ]);
    let p = load_at(&fs, "/m/sub/deep", &[]).unwrap();
    let root = p.root_instance();
    assert_eq!(root.package_name.as_deref(), Some("p"));
    assert_eq!(names(root), ["/m/root.cue", "/m/sub/a.cue", "./b.cue"]);
    assert_eq!(p.module_path.as_deref(), Some("example.com"));
    assert_eq!(p.module_root, Path::new("/m"));
}

#[test]
fn imports_resolve_to_module_vendored_and_builtin_packages() {
    let fs = fs(&[
        ("cue.mod/module.cue", "module: \"example.com/app\"\n"),
        (
            "main.cue",
            "package main\n\nimport (\n\t\"strings\"\n\tb \"example.com/app/lib\"\n\t\"other.org/dep\"\n\t\"example.com/app/lib:extra\"\n)\n\nx: b.x\n",
        ),
        ("lib/lib.cue", "package lib\nimport \"other.org/dep\"\nx: dep.y\n"),
        ("lib/extra.cue", "package extra\nz: 1\n"),
        ("cue.mod/pkg/other.org/dep/dep.cue", "package dep\ny: 1\n"),
        ("cue.mod/usr/other.org/dep/user.cue", "package dep\nu: 1\n"),
        ("cue.mod/usr/other.org/dep/wrong.cue", "package nope\n"),
    ]);
    let p = load_at(&fs, "/m", &[]).unwrap();
    let root = p.root_instance();
    assert_eq!(root.package_name.as_deref(), Some("main"));
    let paths: Vec<&str> = root.imports.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "strings",
            "example.com/app/lib",
            "other.org/dep",
            "example.com/app/lib:extra"
        ]
    );
    match root.import("strings").unwrap().target {
        ImportTarget::Builtin(pkg) => assert_eq!(pkg.path, "strings"),
        other => panic!("{other:?}"),
    }
    let ImportTarget::Instance(lib) = root.import("example.com/app/lib").unwrap().target else {
        panic!("lib is not an instance");
    };
    assert_eq!(names(p.instance(lib)), ["./lib/lib.cue"]);
    let ImportTarget::Instance(dep) = root.import("other.org/dep").unwrap().target else {
        panic!("dep is not an instance");
    };
    // gen, pkg and usr merge into one instance; loaded once, shared.
    assert_eq!(
        names(p.instance(dep)),
        [
            "./cue.mod/pkg/other.org/dep/dep.cue",
            "./cue.mod/usr/other.org/dep/user.cue"
        ]
    );
    let lib_dep = p.instance(lib).import("other.org/dep").unwrap();
    assert_eq!(lib_dep.target, ImportTarget::Instance(dep));
    assert!(dep.0 < lib.0, "dependencies come first");
    let extra = root.import("example.com/app/lib:extra").unwrap();
    assert_eq!(extra.name, "extra");
    let ImportTarget::Instance(extra) = extra.target else {
        panic!("extra is not an instance");
    };
    assert_eq!(names(p.instance(extra)), ["./lib/extra.cue"]);
    assert_eq!(p.root.0, p.instances.len() - 1);
}

#[test]
fn unknown_builtin_is_an_error_with_position() {
    let fs = fs(&[("x.cue", "import \"x/y\"\n\nfoo: [y]\n")]);
    let err = load_at(&fs, "/m", &["x.cue"]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "builtin package \"x/y\" undefined:\n    ./x.cue:1:8"
    );
}

#[test]
fn missing_package_is_an_error() {
    let fs = fs(&[
        ("cue.mod/module.cue", "module: \"example.com\"\n"),
        ("a.cue", "package a\nimport \"example.com/nothere\"\n"),
    ]);
    let err = load_at(&fs, "/m", &[]).unwrap_err();
    assert_eq!(
        *err.kind,
        LoadErrorKind::PackageNotFound("example.com/nothere".into())
    );
    // The reference's wording and position.
    assert_eq!(
        err.to_string(),
        "import failed: cannot find package \"example.com/nothere\":\n    ./a.cue:2:8"
    );
}

#[test]
fn import_cycle_is_an_error() {
    let fs = fs(&[
        ("cue.mod/module.cue", "module: \"example.com\"\n"),
        ("a.cue", "package a\nimport \"example.com/b\"\n"),
        ("b/b.cue", "package b\nimport \"example.com/c\"\n"),
        ("c/c.cue", "package c\nimport \"example.com/b\"\n"),
    ]);
    let err = load_at(&fs, "/m", &[]).unwrap_err();
    assert_eq!(
        *err.kind,
        LoadErrorKind::ImportCycle(vec![
            "example.com/b".into(),
            "example.com/c".into(),
            "example.com/b".into()
        ])
    );
    assert!(err.to_string().starts_with(
        "import cycle not allowed: example.com/b imports example.com/c imports example.com/b"
    ));
}

#[test]
fn two_packages_in_the_loaded_directory_is_an_error() {
    let fs = fs(&[("a.cue", "package a\n"), ("b.cue", "package b\n")]);
    let err = load_at(&fs, "/m", &[]).unwrap_err();
    assert!(matches!(*err.kind, LoadErrorKind::MultiplePackages { .. }));
    assert_eq!(
        err.to_string(),
        "found packages \"a\" (a.cue) and b (b.cue) in \"/m\""
    );
}

#[test]
fn command_line_files_mix_unnamed_with_one_package() {
    let fs = fs(&[
        ("in.cue", "a: 1\n"),
        ("other.cue", "package p\nb: 1\n"),
        ("_x.cue", "package zz\n"),
    ]);
    let p = load_at(&fs, "/m", &["in.cue", "other.cue", "_x.cue"]).unwrap();
    assert_eq!(names(p.root_instance()), ["./in.cue", "./other.cue"]);
    assert_eq!(p.root_instance().package_name.as_deref(), Some("p"));
}

#[test]
fn relative_imports_are_rejected() {
    let fs = fs(&[("in.cue", "import \"./foo\"\n")]);
    let err = load_at(&fs, "/m", &["in.cue"]).unwrap_err();
    assert_eq!(*err.kind, LoadErrorKind::RelativeImport("./foo".into()));
}

#[test]
fn module_subpackage_by_qualifier_ignores_other_packages() {
    // Mirrors the conformance case packages/embed.txtar.
    let fs = fs(&[
        ("cue.mod/module.cue", "module: \"example.com\"\n"),
        (
            "in.cue",
            "package foo\n\nimport \"example.com/pkg:bar\"\n\nbar\nz: 3\n",
        ),
        (
            "pkg/bar.cue",
            "package bar\n\nimport \"example.com/pkg:baz\"\n\nfoo: {\n\tbaz\n}\n",
        ),
        ("pkg/baz.cue", "package baz\n\nx: 1\n"),
    ]);
    let p = load_at(&fs, "/m", &["in.cue"]).unwrap();
    let bar = p.root_instance().import("example.com/pkg:bar").unwrap();
    let ImportTarget::Instance(bar) = bar.target else {
        panic!()
    };
    assert_eq!(names(p.instance(bar)), ["./pkg/bar.cue"]);
    let ImportTarget::Instance(baz) = p.instance(bar).imports[0].target else {
        panic!()
    };
    assert_eq!(names(p.instance(baz)), ["./pkg/baz.cue"]);
}

#[test]
fn loads_a_real_directory() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("cue.mod")).unwrap();
    std::fs::write(root.join("cue.mod/module.cue"), "module: \"ex.com/t\"\n").unwrap();
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(
        root.join("a.cue"),
        "package t\nimport \"ex.com/t/sub\"\nx: sub.y\n",
    )
    .unwrap();
    std::fs::write(root.join("sub/s.cue"), "package sub\ny: 2\n").unwrap();
    let p = load(&OsFs, root, &[]).unwrap();
    assert_eq!(p.instances.len(), 2);
    assert_eq!(names(p.root_instance()), ["./a.cue"]);
    assert_eq!(
        p.root_instance().files[0].text,
        "package t\nimport \"ex.com/t/sub\"\nx: sub.y\n"
    );
    assert_eq!(names(&p.instances[0]), ["./sub/s.cue"]);
}

#[test]
fn if_attributes_exclude_files_without_their_tags() {
    // Mirrors `cue export` with and without `-t foo`.
    let fs = fs(&[
        ("a.cue", "@if(foo)\npackage p\na: 1\n"),
        ("b.cue", "@if(!foo)\n\npackage p\nb: 1\n"),
        ("c.cue", "package p\nc: 1\n"),
    ]);
    let p = load_at(&fs, "/m", &[]).unwrap();
    assert_eq!(names(p.root_instance()), ["./b.cue", "./c.cue"]);
    let p = load_with_tags(&fs, Path::new("/m"), &[], &["foo".to_string()]).unwrap();
    assert_eq!(names(p.root_instance()), ["./a.cue", "./c.cue"]);
    let p = load_at(&fs, "/m", &["a.cue", "c.cue"]).unwrap();
    assert_eq!(names(p.root_instance()), ["./c.cue"]);
}

/// The header scan must agree with the real parser on every input of the
/// conformance corpus and of the project's own cases.
#[test]
fn header_scan_agrees_with_the_parser() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dirs = [
        root.join("../../shared/cue-conformance"),
        root.join("../testdata"),
    ];
    let mut files = Vec::new();
    let mut stack: Vec<PathBuf> = dirs.iter().filter(|d| d.is_dir()).cloned().collect();
    assert!(!stack.is_empty(), "no corpus found");
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "txtar") {
                files.push(p);
            }
        }
    }
    let mut checked = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let sections = crate::txtar_testing::sections(&text);
        for (n, src) in sections.iter().filter(|(n, _)| n.ends_with(".cue")) {
            let (file, errs) = cue_syntax::parse_file(cue_syntax::FileId(0), src);
            if !errs.is_empty() {
                continue;
            }
            let h = scan_header(src).unwrap_or_else(|e| panic!("{path:?} {n}: {e:?}"));
            let want_pkg = file.package().map(|p| p.name.name.clone());
            let want_imports: Vec<(Option<String>, String)> = file
                .imports()
                .map(|i| {
                    (
                        i.alias.as_ref().map(|a| a.name.clone()),
                        i.path.value.clone(),
                    )
                })
                .collect();
            let got_imports: Vec<(Option<String>, String)> = h
                .imports
                .iter()
                .map(|i| (i.alias.clone(), i.path.clone()))
                .collect();
            assert_eq!(h.package, want_pkg, "{path:?} {n}");
            assert_eq!(got_imports, want_imports, "{path:?} {n}");
            checked += 1;
        }
    }
    assert!(checked > 200, "only {checked} files checked");
}

#[test]
fn dir_colon_name_selects_one_of_several_packages() {
    let fs = fs(&[
        ("a.cue", "package a\nx: 1\n"),
        ("b.cue", "package b\ny: 1\n"),
    ]);
    let p = load_at(&fs, "/m", &[".:b"]).unwrap();
    assert_eq!(names(p.root_instance()), ["./b.cue"]);
    assert_eq!(p.root_instance().package_name.as_deref(), Some("b"));
}
