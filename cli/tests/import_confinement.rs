//! A plan importing a package outside its module through `..` in the import
//! path (`a.b/../../../../bait/cuepkg:evil` climbs from `cue.mod/gen/a.b` to
//! the plan's parent): `dagger eval`, `dagger dag` and `dagger compute` all
//! fail with the import's location, and the bait's content is never printed.

use std::path::Path;
use std::process::{Command, Output};

const BAIT: &str = "BAIT-CONTENT-7f3a";
const IMPORT: &str = "a.b/../../../../bait/cuepkg:evil";

/// `<tmp>/plan` (a module) importing `<tmp>/bait/cuepkg`.
fn plan_with_bait() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write("plan/cue.mod/module.cue", "module: \"example.com/plan\"\n");
    write(
        "plan/main.cue",
        &format!(
            "package main\n\nimport evil \"{IMPORT}\"\n\nleak: evil.secret\n\
             run: #compute: [{{do: \"fetch-container\", ref: \"busybox\"}}]\n"
        ),
    );
    write(
        "bait/cuepkg/evil.cue",
        &format!("package evil\n\nsecret: \"{BAIT}\"\n"),
    );
    dir
}

fn dagger(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dagger"))
        .args(args)
        .current_dir(cwd)
        // Nothing here may reach an engine: a dead address makes sure.
        .env("BUILDKIT_HOST", "unix:///nonexistent/buildkitd.sock")
        .output()
        .expect("dagger runs")
}

fn check_refused(o: &Output, file: &str) {
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_ne!(o.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stderr.contains(&format!(
            "import failed: invalid import path \"{IMPORT}\": \"..\" elements are not allowed:\n    {file}:3:8"
        )),
        "{stderr}"
    );
    assert!(
        !stdout.contains(BAIT) && !stderr.contains(BAIT),
        "bait printed: {stdout}{stderr}"
    );
}

#[test]
fn eval_refuses_an_import_climbing_out_of_the_module() {
    let d = plan_with_bait();
    check_refused(&dagger(d.path(), &["eval", "plan"]), "./plan/main.cue");
    check_refused(&dagger(&d.path().join("plan"), &["eval"]), "./main.cue");
}

#[test]
fn dag_and_compute_refuse_an_import_climbing_out_of_the_module() {
    let d = plan_with_bait();
    let plan = d.path().join("plan");
    let plan = plan.to_str().unwrap();
    check_refused(&dagger(d.path(), &["dag", plan]), "./main.cue");
    check_refused(&dagger(d.path(), &["compute", plan]), "./main.cue");
}
