//! A conformance case: the CUE inputs of a txtar archive and the outcomes
//! the reference gave for them (layout of `../shared/cue-conformance`).

use super::txtar;

/// What `cue export --out json` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpectExport {
    /// It succeeded with this output.
    Json(String),
    /// It failed with this message.
    Error(String),
}

/// What `cue eval` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpectEval {
    /// It succeeded with this output.
    Text(String),
    /// It failed with this message.
    Error(String),
}

/// One case read from an archive.
#[derive(Clone, Debug)]
pub struct Case {
    /// Input files (`.cue` sections), relative paths, in archive order.
    pub inputs: Vec<(String, String)>,
    /// The root-level input files (no `/` in the name), in archive order:
    /// what the reference loaded as one instance.
    pub roots: Vec<String>,
    /// Expected export outcome (`None` if the archive has neither section).
    pub export: Option<ExpectExport>,
    /// Expected eval outcome (`None` if the archive has neither section).
    pub eval: Option<ExpectEval>,
    /// Expected `cue export --out yaml` text, when recorded (this
    /// repository's cases have it; the shared corpus does not).
    pub yaml: Option<String>,
}

impl Case {
    /// Reads a case from an archive's text.
    pub fn parse(text: &str) -> Case {
        let archive = txtar::parse(text);
        let inputs: Vec<(String, String)> = archive
            .files
            .iter()
            .filter(|f| f.name.ends_with(".cue") && !f.name.starts_with("out/"))
            .map(|f| (f.name.clone(), f.data.clone()))
            .collect();
        let roots = inputs
            .iter()
            .filter(|(n, _)| !n.contains('/'))
            .map(|(n, _)| n.clone())
            .collect();
        let export = match (
            archive.get("out/export.json"),
            archive.get("out/export.err"),
        ) {
            (Some(j), _) => Some(ExpectExport::Json(j.to_string())),
            (None, Some(e)) => Some(ExpectExport::Error(e.to_string())),
            (None, None) => None,
        };
        let eval = match (archive.get("out/eval.cue"), archive.get("out/eval.err")) {
            (Some(t), _) => Some(ExpectEval::Text(t.to_string())),
            (None, Some(e)) => Some(ExpectEval::Error(e.to_string())),
            (None, None) => None,
        };
        Case {
            inputs,
            roots,
            export,
            eval,
            yaml: archive.get("out/export.yaml").map(str::to_string),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_inputs_roots_and_expectations() {
        let c = Case::parse(
            "# comment\n-- in.cue --\nimport \"mod.test/a\"\nx: a.y\n-- cue.mod/module.cue --\nmodule: \"mod.test\"\n-- a/a.cue --\npackage a\ny: 1\n-- b.cue --\nz: 2\n-- out/export.json --\n{}\n-- out/eval.err --\nboom\n",
        );
        let names: Vec<&str> = c.inputs.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["in.cue", "cue.mod/module.cue", "a/a.cue", "b.cue"]);
        assert_eq!(c.roots, ["in.cue", "b.cue"]);
        assert_eq!(c.export, Some(ExpectExport::Json("{}\n".into())));
        assert_eq!(c.eval, Some(ExpectEval::Error("boom\n".into())));
    }
}
