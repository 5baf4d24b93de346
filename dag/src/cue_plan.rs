//! The real [`Plan`]: a plan directory evaluated by `cue-eval`.
//!
//! Loading goes through the normal package loader with an overlay file
//! system that adds:
//! - the embedded packages ([`crate::embedded`]) under
//!   `<module root>/cue.mod/pkg/dagger.io/...`, unless the plan vendors them;
//! - the inputs and the exported values filled so far, as extra files of the
//!   plan's package (`~dagger-input-NNNN.cue`, `~dagger-fill-NNNNNN.cue`, numbered in order; `~` sorts
//!   them after the plan's own files, so the plan's field order wins).
//!
//! Filling a value is re-evaluating with one more file: exactly CUE's
//! unification semantics. The plan is compiled once and evaluated
//! incrementally ([`cue_eval::incremental`]): after a fill, only the
//! top-level fields that can have changed are evaluated again and
//! converted into the tree; the others keep their nodes (and errors).

use std::path::{Path as FsPath, PathBuf};

use cue_eval::load::{self, MemFs};

use crate::embedded_fs::OverlayFs;

use crate::inputs::{field, json_value_to_cue, Input};
use crate::path::Path;
use crate::plan::{Plan, PlanError};
use crate::tree::Node;

/// A plan directory with its inputs, evaluated.
pub struct CuePlan {
    plan_dir: PathBuf,
    overlay: MemFs,
    package: String,
    fills: usize,
    root: Node,
    /// The plan parsed and compiled once; exported values are filled into
    /// it and only what they can change is evaluated again.
    inc: Option<cue_eval::incremental::Incremental>,
    /// Errors that fail the plan, by top-level field name (the fields
    /// not evaluated again keep theirs), relocated.
    errors: std::collections::BTreeMap<String, Vec<cue_eval::errors::Error>>,
    /// The top-level fields the last fill evaluated again (`None`: all).
    changed: Option<Vec<Path>>,
    /// The index in `root.fields` of each top-level label (a plan is wide
    /// at the top; a scan compared every component's label per fill).
    top: std::collections::HashMap<String, usize>,
    /// The `--input-secret` values, by field path.
    secrets: crate::secrets::Secrets,
    /// How positions are shown to the user.
    locator: Locator,
}

/// Rewrites the evaluator's positions (files relative to the plan directory)
/// for the user: relative to the working directory, and an input's file as
/// the flag that gave it.
#[derive(Clone, Debug)]
struct Locator {
    plan_dir: PathBuf,
    cwd: Option<PathBuf>,
    /// The flag and value of each input, by index.
    inputs: Vec<String>,
    /// The field path each input sets, by input index.
    paths: Vec<(usize, Path)>,
    /// Files relocated so far (a file's new name does not depend on the
    /// line: every position of every converted node asked the file system
    /// again whether an embedded package file exists on disk).
    files: std::cell::RefCell<std::collections::HashMap<String, String>>,
}

impl Locator {
    fn relocate(&self, p: &cue_eval::errors::Position) -> cue_eval::errors::Position {
        let name = p.file.strip_prefix("./").unwrap_or(&p.file);
        if let Some(i) = name
            .strip_prefix("~dagger-input-")
            .and_then(|rest| rest.strip_suffix(".cue"))
            .and_then(|n| n.parse::<usize>().ok())
        {
            if let Some(flag) = self.inputs.get(i) {
                // The input's file starts with a package clause and a blank line.
                return cue_eval::errors::Position {
                    file: flag.clone(),
                    line: p.line.saturating_sub(2).max(1),
                    col: p.col,
                };
            }
        }
        if let Some(file) = self.files.borrow().get(name) {
            return cue_eval::errors::Position {
                file: file.clone(),
                line: p.line,
                col: p.col,
            };
        }
        let file = self.relocate_file(name);
        self.files
            .borrow_mut()
            .insert(name.to_string(), file.clone());
        cue_eval::errors::Position {
            file,
            line: p.line,
            col: p.col,
        }
    }

    /// The name a file of the plan (not an input's) is shown under.
    fn relocate_file(&self, name: &str) -> String {
        let full = self.plan_dir.join(name);
        // The embedded packages live in the loader's overlay, not on disk.
        if let Some((_, pkg_file)) = name.split_once("cue.mod/pkg/") {
            if !full.exists() {
                return format!("<embedded>/{pkg_file}");
            }
        }
        match self.cwd.as_ref().and_then(|c| full.strip_prefix(c).ok()) {
            Some(rel) if rel.as_os_str().is_empty() => ".".to_string(),
            Some(rel) => format!("./{}", rel.display()),
            None => full.display().to_string(),
        }
    }

    /// `errors` rendered as `cue` does, positions relocated.
    fn report(&self, errors: cue_eval::errors::Errors) -> String {
        crate::cue_view::relocated(errors, &|p| self.relocate(p)).report()
    }
}

/// The paths of the regular fields the plan's own files declare.
fn plan_fields(node: &Node, at: &Path, out: &mut Vec<String>) {
    for f in &node.fields {
        if f.kind != crate::tree::FieldKind::Regular {
            continue;
        }
        let p = at.field(&f.label);
        if f.node.positions.iter().any(|p| !p.starts_with("--input-")) {
            out.push(p.to_string());
        }
        plan_fields(&f.node, &p, out);
    }
}

/// The flag and value an input was given with, as the user typed it (a
/// secret's value left out, long values shortened).
fn input_flag(input: &Input) -> String {
    fn short(text: &str) -> String {
        let one_line = text.replace('\n', "\\n");
        if one_line.chars().count() > 40 {
            let cut: String = one_line.chars().take(37).collect();
            format!("{cut}...")
        } else {
            one_line
        }
    }
    match input {
        Input::String { path, text } => format!("--input-string {path}={}", short(text)),
        Input::Secret { path, .. } => format!("--input-secret {path}"),
        Input::Dir { path, dir } => format!("--input-dir {path}={dir}"),
        Input::Git {
            path,
            remote,
            reference,
        } => format!("--input-git {path}={remote}#{reference}"),
        Input::Cue(text) => format!("--input-cue '{}'", short(text)),
        Input::Json(text) => format!("--input-json '{}'", short(text)),
        Input::Yaml(text) => format!("--input-yaml '{}'", short(text)),
        Input::Document { format, given, .. } => format!("{} {given}", format.flag()),
    }
}

impl CuePlan {
    /// Loads and evaluates the plan in `plan_dir` unified with `inputs`.
    pub fn load(plan_dir: &FsPath, inputs: &[Input]) -> Result<CuePlan, PlanError> {
        let mut plan = CuePlan::prepare(plan_dir, inputs)?;
        let mut compiled = cue_eval::program::Compiled::new(&plan.program()?)
            .map_err(|e| PlanError(plan.secrets.redact(&plan.locator.report(e))))?;
        compiled.set_secrets(&plan.secrets.values());
        let mut inc = cue_eval::incremental::Incremental::new(compiled);
        // Values of `dagger.#Secret` fields are secrets too; once known, the
        // plan is evaluated again so that their misuse is caught as well.
        let typed = crate::cue_view::secret_fields(inc.evaluated());
        let before = plan.secrets.values().len();
        for (path, value) in typed {
            if plan.secrets.exactly(&value).is_none() {
                plan.secrets.add(path, crate::state::SecretValue(value));
            }
        }
        if plan.secrets.values().len() != before {
            inc.compiled_mut().set_secrets(&plan.secrets.values());
            inc.evaluate_all();
        }
        let locator = plan.locator.clone();
        plan.root = crate::cue_view::node_of(inc.evaluated(), &|p| locator.relocate(p))
            .map_err(|e| PlanError(plan.secrets.redact(&e.0)))?;
        plan.top = top_index(&plan.root);
        plan.inc = Some(inc);
        Ok(plan)
    }

    fn prepare(plan_dir: &FsPath, inputs: &[Input]) -> Result<CuePlan, PlanError> {
        let plan_dir = std::fs::canonicalize(plan_dir).map_err(|e| {
            PlanError(format!(
                "cannot open plan directory {}: {e}",
                plan_dir.display()
            ))
        })?;
        let mut overlay = MemFs::new();
        crate::embedded_fs::add_embedded(&mut overlay, &crate::embedded_fs::module_root(&plan_dir));
        let package = package_name(&plan_dir, &overlay)?;
        for (i, input) in inputs.iter().enumerate() {
            let src = input.to_cue().map_err(|e| PlanError(e.to_string()))?;
            overlay.add(
                plan_dir.join(format!("~dagger-input-{i:04}.cue")),
                format!("package {package}\n\n{src}"),
            );
        }
        Ok(CuePlan {
            plan_dir: plan_dir.clone(),
            overlay,
            package,
            fills: 0,
            root: Node::empty_struct(),
            inc: None,
            errors: std::collections::BTreeMap::new(),
            changed: None,
            top: std::collections::HashMap::new(),
            secrets: crate::secrets::Secrets::new(inputs.iter().filter_map(|i| match i {
                Input::Secret { path, value } => Some((path.to_string(), value.clone())),
                _ => None,
            })),
            locator: Locator {
                plan_dir: plan_dir.clone(),
                cwd: std::env::current_dir()
                    .ok()
                    .map(|c| std::fs::canonicalize(&c).unwrap_or(c)),
                inputs: inputs.iter().map(input_flag).collect(),
                paths: inputs
                    .iter()
                    .enumerate()
                    .filter_map(|(i, input)| match input {
                        Input::String { path, .. }
                        | Input::Secret { path, .. }
                        | Input::Dir { path, .. }
                        | Input::Git { path, .. } => Some((i, path.clone())),
                        _ => None,
                    })
                    .collect(),
                files: Default::default(),
            },
        })
    }

    fn fs(&self) -> OverlayFs<&MemFs> {
        OverlayFs {
            overlay: &self.overlay,
        }
    }

    /// The loaded package with its imports, inputs and filled values.
    pub fn program(&self) -> Result<load::Program, PlanError> {
        load::load(&self.fs(), &self.plan_dir, &[]).map_err(|e| PlanError(format!("{e}")))
    }

    fn evaluate(&self) -> Result<Node, PlanError> {
        crate::cue_view::evaluate(&self.program()?, &|p| self.locator.relocate(p))
            .map_err(|e| PlanError(self.secrets.redact(&e.0)))
    }

    /// One warning per input flag that names a field the plan itself does
    /// not have (the input alone declares it), with the closest field the
    /// plan has.
    pub fn input_warnings(&self) -> Vec<String> {
        let mut known = Vec::new();
        plan_fields(&self.root, &Path::root(), &mut known);
        let mut out = Vec::new();
        for (i, path) in &self.locator.paths {
            let Some(node) = self.root.lookup(path) else {
                continue;
            };
            let from_input = !node.positions.is_empty()
                && node.positions.iter().all(|p| p.starts_with("--input-"));
            if !from_input {
                continue;
            }
            let wanted = path.to_string();
            let best = known
                .iter()
                .map(|k| (strsim::jaro_winkler(&wanted, k), k))
                .filter(|(score, _)| *score > 0.7)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            let flag = &self.locator.inputs[*i];
            out.push(match best {
                Some((_, k)) => {
                    format!("{flag}: the plan has no field {wanted}; did you mean {k}?")
                }
                None => format!("{flag}: the plan has no field {wanted}"),
            });
        }
        out
    }

    /// Brings the tree and the errors up to date with the last evaluation:
    /// the whole tree, or only the top-level fields it evaluated again.
    fn refresh(&mut self, update: cue_eval::incremental::Update) -> Result<(), PlanError> {
        let Some(inc) = &self.inc else {
            return Ok(());
        };
        let evaluated = inc.evaluated();
        let locator = &self.locator;
        let relocate = |p: &cue_eval::errors::Position| locator.relocate(p);
        match update {
            cue_eval::incremental::Update::Full => {
                self.changed = None;
                let errors = crate::cue_view::plan_errors(crate::cue_view::relocated(
                    evaluated.errors(),
                    &relocate,
                ));
                self.errors.clear();
                for e in errors {
                    let top = e.path.first().cloned().unwrap_or_default();
                    self.errors.entry(top).or_default().push(e);
                }
                self.root = crate::cue_view::node_of_view(&evaluated.root(), &relocate);
                self.top = top_index(&self.root);
            }
            cue_eval::incremental::Update::Fields(names) => {
                self.changed = Some(names.iter().map(|n| Path::root().field(n)).collect());
                for name in names {
                    let Some((_, view)) = evaluated.top_field(&name) else {
                        continue;
                    };
                    let node = crate::cue_view::node_of_view(&view, &relocate);
                    if let Some(f) = self
                        .top
                        .get(&name)
                        .and_then(|&i| self.root.fields.get_mut(i))
                    {
                        f.node = node;
                    }
                    let errors = crate::cue_view::plan_errors(crate::cue_view::relocated(
                        view.errors_below(),
                        &relocate,
                    ));
                    if errors.is_empty() {
                        self.errors.remove(&name);
                    } else {
                        self.errors.insert(name, errors);
                    }
                }
                if let Some(errors) = evaluated.limit_errors() {
                    let errors = crate::cue_view::relocated(errors, &relocate);
                    return Err(PlanError(self.secrets.redact(&errors.report())));
                }
            }
        }
        let all: Vec<cue_eval::errors::Error> = self.errors.values().flatten().cloned().collect();
        if all.is_empty() {
            Ok(())
        } else {
            Err(PlanError(
                self.secrets.redact(&cue_eval::errors::Errors(all).report()),
            ))
        }
    }

    /// Turns incremental re-evaluation off (every fill evaluates and
    /// converts the whole plan; the reference the incremental way is
    /// tested against) or back on.
    pub fn set_incremental(&mut self, on: bool) {
        if let Some(inc) = &mut self.inc {
            inc.set_incremental(on);
        }
    }

    /// How many top-level fields each evaluation so far finalized (the
    /// first is the load's).
    pub fn finalized_counts(&self) -> Vec<usize> {
        self.inc
            .as_ref()
            .map(|i| i.finalized_counts().to_vec())
            .unwrap_or_default()
    }

    /// Loads without evaluating (for tests of the loading rules).
    pub fn load_only(plan_dir: &FsPath, inputs: &[Input]) -> Result<CuePlan, PlanError> {
        CuePlan::prepare(plan_dir, inputs)
    }
}

impl Plan for CuePlan {
    fn root(&self) -> &Node {
        &self.root
    }

    fn secrets(&self) -> crate::secrets::Secrets {
        self.secrets.clone()
    }

    fn changed(&self) -> Option<&[Path]> {
        self.changed.as_deref()
    }

    fn fill(&mut self, path: &Path, value: &serde_json::Value) -> Result<(), PlanError> {
        self.fill_all(&[(path.clone(), value.clone())])
    }

    fn fill_all(&mut self, values: &[(Path, serde_json::Value)]) -> Result<(), PlanError> {
        if let Some(inc) = &mut self.inc {
            for (path, value) in values {
                let data = cue_eval::data::Data::from_json(&value.to_string())
                    .map_err(|e| PlanError(format!("{path}: {e}")))?;
                let segs: Vec<cue_eval::view::PathSeg> = path
                    .labels()
                    .ok_or_else(|| PlanError(format!("{path}: cannot fill a list element")))?
                    .into_iter()
                    .map(|l| cue_eval::view::PathSeg::Field(l.to_string()))
                    .collect();
                inc.fill(&segs, &data)
                    .map_err(|e| PlanError(cue_eval::errors::Errors(vec![e]).report()))?;
                self.fills += 1;
            }
            let update = inc.evaluate();
            return self.refresh(update);
        }
        for (path, value) in values {
            let src = field(path, &json_value_to_cue(value));
            let name = format!("~dagger-fill-{:06}.cue", self.fills);
            self.fills += 1;
            let text = format!("package {}\n\n{src}", self.package);
            self.overlay.add(self.plan_dir.join(name), text);
        }
        self.root = self.evaluate()?;
        Ok(())
    }
}

/// The index of each top-level field of `root` by label.
fn top_index(root: &Node) -> std::collections::HashMap<String, usize> {
    root.fields
        .iter()
        .enumerate()
        .map(|(i, f)| (f.label.clone(), i))
        .collect()
}

/// The package clause of the plan's files.
fn package_name(plan_dir: &FsPath, overlay: &MemFs) -> Result<String, PlanError> {
    let fs = OverlayFs { overlay };
    let program = load::load(&fs, plan_dir, &[]).map_err(|e| PlanError(format!("{e}")))?;
    program.root_instance().package_name.clone().ok_or_else(|| {
        PlanError(format!(
            "{}: no CUE package found (files need a `package` clause)",
            plan_dir.display()
        ))
    })
}
