//! The CUE packages every plan can import without vendoring:
//! `dagger.io/dagger` and `dagger.io/llb` (sources in `dag/cue/`).
//!
//! The package loader (`cue-eval/src/load/`) resolves an import path through
//! [`package`] before looking in `cue.mod/pkg`.

/// Files of one embedded package: (file name, CUE source).
pub type Files = [(&'static str, &'static str)];

const DAGGER: &Files = &[(
    "dagger.cue",
    include_str!("../cue/dagger.io/dagger/dagger.cue"),
)];
const LLB: &Files = &[("ops.cue", include_str!("../cue/dagger.io/llb/ops.cue"))];

/// The sources of the embedded package with import path `path`, if any.
pub fn package(path: &str) -> Option<&'static Files> {
    match path {
        "dagger.io/dagger" => Some(DAGGER),
        "dagger.io/llb" => Some(LLB),
        _ => None,
    }
}

/// Import paths of all embedded packages.
pub const PACKAGES: [&str; 2] = ["dagger.io/dagger", "dagger.io/llb"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_packages_resolve_and_declare_their_package_clause() {
        let dagger = package("dagger.io/dagger").unwrap();
        assert!(dagger[0].1.contains("package dagger"));
        assert!(dagger[0].1.contains("#Artifact: #compute: [...llb.#Op]"));
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
}
