//! The CUE packages every plan can import without vendoring (sources in
//! `dag/cue/`): `dagger.io/dagger` and `dagger.io/llb`, which the plan
//! language is made of, and the standard library of the original Dagger
//! (`dagger.io/alpine`, `docker`, `file`, `git`, `go`, `yarn`, `netlify`,
//! `aws`, `aws/cloudformation`, `aws/eks`, `kubernetes`, `kubernetes/helm`),
//! written for this project with the same definitions, fields and defaults.
//!
//! The plan loader (`cue_plan.rs`) serves them as files under
//! `<module root>/cue.mod/pkg/`, package by package: a package the plan
//! vendors (its directory holds `.cue` files) is read from the plan instead.

/// Files of one embedded package: (file name, CUE source).
pub type Files = [(&'static str, &'static str)];

macro_rules! package {
    ($dir:literal: $($file:literal),+) => {
        ($dir, &[$(($file, include_str!(concat!("../cue/", $dir, "/", $file)))),+])
    };
}

/// Every embedded package: (import path, files).
const ALL: &[(&str, &Files)] = &[
    package!("dagger.io/dagger": "dagger.cue"),
    package!("dagger.io/llb": "ops.cue"),
    package!("dagger.io/alpine": "alpine.cue"),
    package!("dagger.io/docker": "docker.cue"),
    package!("dagger.io/file": "file.cue"),
    package!("dagger.io/git": "git.cue"),
    package!("dagger.io/go": "go.cue"),
    package!("dagger.io/yarn": "yarn.cue"),
    package!("dagger.io/netlify": "netlify.cue", "script.cue"),
    package!("dagger.io/aws": "aws.cue"),
    package!("dagger.io/aws/cloudformation": "cloudformation.cue", "code.cue"),
    package!("dagger.io/aws/eks": "eks.cue", "code.cue"),
    package!("dagger.io/kubernetes": "kubernetes.cue"),
    package!("dagger.io/kubernetes/helm": "helm.cue", "code.cue"),
];

/// The sources of the embedded package with import path `path`, if any.
pub fn package(path: &str) -> Option<&'static Files> {
    ALL.iter()
        .find(|(p, _)| *p == path)
        .map(|(_, files)| *files)
}

/// Import paths of all embedded packages.
pub fn packages() -> impl Iterator<Item = &'static str> {
    ALL.iter().map(|(p, _)| *p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_packages_resolve_and_declare_their_package_clause() {
        let dagger = package("dagger.io/dagger").unwrap();
        assert!(dagger[0].1.contains("package dagger"));
        assert!(dagger[0]
            .1
            .contains("#Artifact: {\n\t#compute: [...llb.#Op]\n\t...\n}"));
        assert!(dagger[0].1.contains("#Dir: #Artifact"));
        // The ops, where the original first declared them (its own tests
        // at 437aba7fdb still use dagger.#Exec, dagger.#DockerBuild...).
        for op in [
            "Op",
            "Exec",
            "DockerBuild",
            "FetchContainer",
            "Load",
            "Export",
        ] {
            assert!(
                dagger[0].1.lines().any(
                    |l| l.starts_with(&format!("#{op}:")) && l.ends_with(&format!("llb.#{op}"))
                ),
                "dagger.#{op}"
            );
        }
        let llb = package("dagger.io/llb").unwrap();
        assert!(llb[0].1.contains("package llb"));
        assert!(package("dagger.io/other").is_none());
    }

    #[test]
    fn llb_declares_every_op_in_the_disjunction() {
        let src = package("dagger.io/llb").unwrap()[0].1;
        let ops = [
            "FetchContainer",
            "PushContainer",
            "FetchGit",
            "Local",
            "Exec",
            "Copy",
            "Load",
            "Subdir",
            "WriteFile",
            "Mkdir",
            "Export",
            "DockerBuild",
        ];
        let disjunction =
            &src[src.find("#Op:").unwrap()..src.find("// State := the root").unwrap()];
        for op in ops {
            assert!(
                src.contains(&format!("\n#{op}: {{")),
                "#{op} is not declared"
            );
            assert!(
                disjunction.contains(&format!("#{op}")),
                "#{op} is not in #Op"
            );
        }
    }

    #[test]
    fn every_package_has_its_package_clause_and_a_doc_comment() {
        let mut count = 0;
        for path in packages() {
            count += 1;
            let files = package(path).unwrap();
            let name = path.rsplit('/').next().unwrap();
            for (file, text) in files {
                assert!(
                    text.lines().any(|l| l == format!("package {name}")),
                    "{path}/{file} does not declare package {name}"
                );
            }
            // The first file opens with the package's doc comment.
            let (file, first) = files[0];
            assert!(
                first.starts_with(&format!("// Package {name} ")),
                "{path}/{file} has no doc comment"
            );
        }
        assert_eq!(count, 14);
    }
}
