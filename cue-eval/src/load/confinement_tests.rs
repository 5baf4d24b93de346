//! Loader tests for import paths that try to leave the module, and for
//! symbolic links: in memory for the path rules, real directories for links.

use super::*;

const BAIT: &str = "package evil\nsecret: \"BAIT-CONTENT\"\n";

/// A module at /w/m with `main.cue` importing `import_line`, and a package
/// outside it at /w/bait/cuepkg.
fn module_importing(import_line: &str) -> MemFs {
    let mut fs = MemFs::new();
    fs.add("/w/m/cue.mod/module.cue", "module: \"example.com/m\"\n");
    fs.add(
        "/w/m/main.cue",
        format!("package main\n\n{import_line}\n\nx: 1\n"),
    );
    fs.add("/w/m/cue.mod/pkg/a.b/keep.cue", "package b\n");
    fs.add("/w/bait/cuepkg/evil.cue", BAIT);
    fs
}

fn load_main(fs: &MemFs) -> Result<Program, LoadError> {
    load(fs, Path::new("/w/m"), &[])
}

fn assert_no_bait(p: &Program) {
    for i in &p.instances {
        for f in &i.files {
            assert!(
                !f.text.contains("BAIT-CONTENT"),
                "bait loaded from {:?}",
                f.path
            );
        }
    }
}

#[test]
fn parent_elements_in_vendored_imports_are_a_located_error() {
    let fs = module_importing("import \"a.b/../../../../bait/cuepkg:evil\"");
    let err = load_main(&fs).unwrap_err();
    assert_eq!(
        *err.kind,
        LoadErrorKind::ParentElement("a.b/../../../../bait/cuepkg:evil".into())
    );
    assert_eq!(
        err.to_string(),
        "import failed: invalid import path \"a.b/../../../../bait/cuepkg:evil\": \
         \"..\" elements are not allowed:\n    ./main.cue:3:8"
    );
    assert!(!err.to_string().contains("BAIT-CONTENT"));
}

#[test]
fn parent_elements_are_rejected_even_when_they_stay_inside() {
    // The reference cleans these and loads example.com/m/sub; no `..` is
    // accepted here, so no import can climb out of where its path maps.
    let mut fs = module_importing("import \"example.com/m/x/../sub\"");
    fs.add("/w/m/sub/s.cue", "package sub\n");
    let err = load_main(&fs).unwrap_err();
    assert!(matches!(*err.kind, LoadErrorKind::ParentElement(_)));
    for path in [
        "example.com/m/..",
        "example.com/m/../bait/cuepkg:evil",
        "a.b/..",
    ] {
        let fs = module_importing(&format!("import \"{path}\""));
        let err = load_main(&fs).unwrap_err();
        assert_eq!(
            *err.kind,
            LoadErrorKind::ParentElement(path.into()),
            "{path}"
        );
    }
}

#[test]
fn parser_invalid_paths_are_reported_at_the_literal_like_the_reference() {
    for (path, text) in [
        ("a.b\\\\x", "a.b\\x"),
        ("a.b/x y", "a.b/x y"),
        ("a.b/x;y", "a.b/x;y"),
        ("", ""),
    ] {
        let fs = module_importing(&format!("import evil \"{path}\""));
        let err = load_main(&fs).unwrap_err();
        assert_eq!(*err.kind, LoadErrorKind::InvalidImportPath(text.into()));
        // Column 13 is the literal; loading errors point at the alias (8).
        assert_eq!(
            err.to_string(),
            format!("invalid import path: {text:?}:\n    ./main.cue:3:13")
        );
    }
}

#[test]
fn loading_errors_point_at_the_alias_of_the_spec() {
    let fs = module_importing("import evil \"a.b/nothere\"");
    let err = load_main(&fs).unwrap_err();
    assert_eq!(
        err.to_string(),
        "import failed: cannot find package \"a.b/nothere\":\n    ./main.cue:3:8"
    );
}

#[test]
fn absolute_paths_are_undefined_builtins_like_the_reference() {
    let fs = module_importing("import \"/w/bait/cuepkg\"");
    let err = load_main(&fs).unwrap_err();
    assert_eq!(
        err.to_string(),
        "builtin package \"/w/bait/cuepkg\" undefined:\n    ./main.cue:3:8"
    );
}

#[test]
fn relative_and_empty_name_paths_use_the_reference_wording() {
    for (path, want) in [
        (
            "..",
            "import failed: relative import paths not allowed (\"..\")",
        ),
        (
            "../bait/cuepkg",
            "import failed: relative import paths not allowed (\"../bait/cuepkg\")",
        ),
        (
            "a.b/x/",
            "import failed: empty package name in import path \"a.b/x/\"",
        ),
        (
            "a.b/x:",
            "import failed: empty package name in import path \"a.b/x\"",
        ),
        (
            "a.b/x:y.z",
            "import failed: cannot determine package name for \"a.b/x\" (set explicitly with ':')",
        ),
    ] {
        let fs = module_importing(&format!("import \"{path}\""));
        let err = load_main(&fs).unwrap_err();
        assert_eq!(err.to_string(), format!("{want}:\n    ./main.cue:3:8"));
    }
}

#[test]
fn dot_and_empty_elements_are_cleaned_like_the_reference() {
    for path in ["a.b/./c", "a.b//c"] {
        let mut fs = module_importing(&format!("import \"{path}\""));
        fs.add("/w/m/cue.mod/pkg/a.b/c/c.cue", "package c\ny: 1\n");
        let p = load_main(&fs).unwrap();
        let ImportTarget::Instance(id) = p.root_instance().import(path).unwrap().target else {
            panic!("not an instance");
        };
        assert_eq!(p.instance(id).files[0].name, "./cue.mod/pkg/a.b/c/c.cue");
        assert_no_bait(&p);
    }
}

#[cfg(unix)]
mod links {
    use super::*;
    use std::os::unix::fs::symlink;

    /// A real module at `<tmp>/m` and a package outside it at
    /// `<tmp>/outside/cuepkg`.
    struct Tree {
        dir: tempfile::TempDir,
    }

    impl Tree {
        fn new(main_import: &str) -> Tree {
            let dir = tempfile::tempdir().unwrap();
            let t = Tree { dir };
            t.write("m/cue.mod/module.cue", "module: \"example.com/m\"\n");
            t.write(
                "m/main.cue",
                &format!("package main\n\nimport \"{main_import}\"\n\nx: 1\n"),
            );
            t.write("outside/cuepkg/evil.cue", BAIT);
            t
        }

        fn path(&self, rel: &str) -> PathBuf {
            self.dir.path().join(rel)
        }

        fn write(&self, rel: &str, text: &str) {
            let p = self.path(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }

        fn link(&self, target: &str, at: &str) {
            let at = self.path(at);
            std::fs::create_dir_all(at.parent().unwrap()).unwrap();
            symlink(self.path(target), at).unwrap();
        }

        fn load(&self) -> Result<Program, LoadError> {
            load(&OsFs, &self.path("m"), &[])
        }
    }

    #[test]
    fn a_module_directory_linking_outside_is_a_located_error() {
        let t = Tree::new("example.com/m/lib/cuepkg:evil");
        t.link("outside", "m/lib");
        let err = t.load().unwrap_err();
        let LoadErrorKind::PackageOutsideModule { path, dir, .. } = &*err.kind else {
            panic!("{err}");
        };
        assert_eq!(path, "example.com/m/lib/cuepkg");
        assert_eq!(dir, "./lib/cuepkg");
        let text = err.to_string();
        assert!(text.ends_with("./main.cue:3:8"), "{text}");
        assert!(!text.contains("BAIT-CONTENT"));
    }

    #[test]
    fn a_module_file_linking_outside_is_an_error() {
        let t = Tree::new("example.com/m/lib");
        t.write("m/lib/ok.cue", "package lib\n");
        t.link("outside/cuepkg/evil.cue", "m/lib/z.cue");
        let err = t.load().unwrap_err();
        assert!(
            matches!(&*err.kind, LoadErrorKind::FileOutsideModule { file, .. } if file == "./lib/z.cue"),
            "{err}"
        );
        // Also in the loaded directory itself.
        let t = Tree::new("strings");
        t.link("outside/cuepkg/evil.cue", "m/z.cue");
        let err = t.load().unwrap_err();
        assert!(
            matches!(&*err.kind, LoadErrorKind::FileOutsideModule { file, .. } if file == "./z.cue"),
            "{err}"
        );
        assert!(!err.to_string().contains("BAIT-CONTENT"));
    }

    #[test]
    fn links_inside_the_module_are_followed() {
        let t = Tree::new("example.com/m/alias");
        t.write("m/real/r.cue", "package alias\ny: 1\n");
        t.link("m/real", "m/alias");
        let p = t.load().unwrap();
        assert_eq!(p.instances.len(), 2);
        assert_no_bait(&p);
    }

    #[test]
    fn vendored_links_are_followed_like_the_reference() {
        // `cue.mod/pkg/<path>` linking to a local checkout is how a package
        // is vendored; the reference follows such links wherever they lead.
        let t = Tree::new("x.org/cuepkg:evil");
        t.link("outside", "m/cue.mod/pkg/x.org");
        let p = t.load().unwrap();
        let ImportTarget::Instance(id) = p
            .root_instance()
            .import("x.org/cuepkg:evil")
            .unwrap()
            .target
        else {
            panic!("not an instance");
        };
        assert_eq!(p.instance(id).files.len(), 1);
    }

    #[test]
    fn a_directory_the_user_names_through_a_link_is_trusted() {
        let t = Tree::new("example.com/m/lib");
        t.write("m/lib/l.cue", "package lib\n");
        t.link("m", "alias");
        let p = load(&OsFs, &t.path("alias"), &[]).unwrap();
        assert_eq!(p.instances.len(), 2);
        // And a plan directory inside the module reached through a link.
        t.write(
            "real-plans/p/p.cue",
            "package p\nimport \"example.com/m/lib\"\n",
        );
        t.link("real-plans", "m/plans");
        let p = load(&OsFs, &t.path("m/plans/p"), &[]).unwrap();
        assert_eq!(p.root_instance().files.len(), 1);
    }
}
