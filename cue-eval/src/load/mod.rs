//! Package loading: from a directory (or a list of files) to the graph of
//! package instances an evaluation needs, the way `cue` loads them.
//!
//! Rules (CUE v0.4 `cue/load`):
//! - The module root is the nearest ancestor of the working directory holding
//!   `cue.mod` (a directory, or a legacy file); its module path is the
//!   `module:` field of `cue.mod/module.cue`. Without `cue.mod`, the working
//!   directory is the root and there is no module path.
//! - A directory is a package: its `.cue` files with the package clause of
//!   the leaf directory, plus the files of **the same package** in each
//!   ancestor directory up to the module root. Files of other packages in
//!   ancestors (and, for imports, in the leaf) are ignored; two packages in
//!   the leaf directory of a command-line load are an error.
//! - Excluded: names starting with `_` or `.`, `*_test.cue`, `*_tool.cue`,
//!   files whose `@if(expr)` attribute does not hold for the tags (even
//!   when named on the command line), and files without a package clause
//!   when loading a directory.
//! - File order: by directory depth (ancestors first), then name.
//! - Imports: a first path element without a dot is a builtin package.
//!   `module/path/x` maps into the module tree; any other path maps to
//!   `cue.mod/gen/<path>` merged with `cue.mod/pkg/<path>` and
//!   `cue.mod/usr/<path>`. The package name is the last element or the
//!   `:name` qualifier.
//! - Import paths are checked before they are mapped (see `import_path`):
//!   the reference's character rules, and no `..` element, so an import
//!   never names a directory outside the module and `cue.mod`. After
//!   following symbolic links, what is read outside `cue.mod/{gen,pkg,usr}`
//!   stays inside the module root or the directory the user named (see
//!   `confine`).
//!
//! All reads go through [`FileSystem`]; nothing else in `cue-eval` does I/O.

mod confine;
mod error;
mod fs;
mod header;
mod import_path;

#[cfg(test)]
mod confinement_tests;
#[cfg(test)]
mod tests;

pub use error::{LoadError, LoadErrorKind, LoadPos};
pub use fs::{DirEntry, FileSystem, MemFs, OsFs};
pub use header::{eval_tags, scan as scan_header, Header, ImportSpec};

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// Index of an [`Instance`] in [`Program::instances`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstanceId(pub usize);

/// One source file of an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Display name used in positions: `./in.cue` relative to the working
    /// directory, or the absolute path for files outside it.
    pub name: String,
    /// Absolute path.
    pub path: PathBuf,
    /// The file's text.
    pub text: String,
    /// The file's import specs (with aliases), in order.
    pub imports: Vec<ImportSpec>,
}

/// Where an import path leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportTarget {
    /// A package of the module or of `cue.mod/{gen,pkg,usr}`.
    Instance(InstanceId),
    /// A standard-library package (see [`crate::builtins::package`]).
    Builtin(&'static crate::builtins::Package),
}

/// A resolved import of an instance (one per distinct path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The import path as written (with any `:name` qualifier).
    pub path: String,
    /// The name the import binds when it has no alias.
    pub name: String,
    /// What it resolves to.
    pub target: ImportTarget,
}

/// A package instance: the files that unify into one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// Canonical import path (`example.com/pkg:bar`); for the command-line
    /// instance, its directory as displayed (`.`).
    pub import_path: String,
    /// The leaf directory.
    pub dir: PathBuf,
    /// The package clause's name (`None` for command-line files without one).
    pub package_name: Option<String>,
    /// Files in evaluation order.
    pub files: Vec<SourceFile>,
    /// Imports of all files, deduplicated by path, in first-use order.
    pub imports: Vec<Import>,
}

impl Instance {
    /// The target of import path `path` (as written in a file of this instance).
    pub fn import(&self, path: &str) -> Option<&Import> {
        self.imports.iter().find(|i| i.path == path)
    }
}

/// The result of loading: instances with dependencies before dependents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    /// All instances; an instance's imports always have smaller ids.
    pub instances: Vec<Instance>,
    /// The instance that was asked for.
    pub root: InstanceId,
    /// The module root directory.
    pub module_root: PathBuf,
    /// The module path from `cue.mod/module.cue`, if any.
    pub module_path: Option<String>,
}

impl Program {
    /// The instance with id `id`.
    pub fn instance(&self, id: InstanceId) -> &Instance {
        &self.instances[id.0]
    }

    /// The instance that was asked for.
    pub fn root_instance(&self) -> &Instance {
        self.instance(self.root)
    }
}

/// Loads the instance named by `args` relative to the working directory `cwd`
/// (absolute): no argument or a directory means that directory's package;
/// `dir:name` means package `name` of that directory (when it holds
/// several); a list of `.cue` files means those files as one instance.
pub fn load(fs: &dyn FileSystem, cwd: &Path, args: &[String]) -> Result<Program, LoadError> {
    load_with_tags(fs, cwd, args, &[])
}

/// [`load`] with build tags set (as `cue -t tag`), for `@if(...)` files.
pub fn load_with_tags(
    fs: &dyn FileSystem,
    cwd: &Path,
    args: &[String],
    tags: &[String],
) -> Result<Program, LoadError> {
    let cwd = normalize(cwd);
    let (module_root, has_module) = find_root(fs, &cwd);
    let module_path = if has_module {
        read_module_path(fs, &module_root)?
    } else {
        None
    };
    let files_mode = !args.is_empty() && args.iter().all(|a| a.ends_with(".cue"));
    // The directory the user named (for confinement): the directory argument,
    // or the working directory for files. A bad argument is reported below.
    let named = match args {
        [one] if !files_mode => normalize(&cwd.join(dir_argument(one).0)),
        _ => cwd.clone(),
    };
    let confine = confine::Confinement::new(fs, &module_root, &named);
    let mut loader = Loader {
        fs,
        confine,
        cwd: cwd.clone(),
        module_root: module_root.clone(),
        has_module,
        module_path: module_path.clone(),
        instances: Vec::new(),
        by_path: HashMap::new(),
        stack: Vec::new(),
        scanned: HashMap::new(),
        listed: HashMap::new(),
        tags: tags.to_vec(),
    };
    let root = if files_mode {
        loader.load_files(args)?
    } else {
        let arg = match args {
            [] => ".".to_string(),
            [one] => one.clone(),
            _ => {
                return Err(LoadError::new(LoadErrorKind::BadArgument(args.join(" "))));
            }
        };
        let (dir_arg, want) = dir_argument(&arg);
        let dir = normalize(&cwd.join(&dir_arg));
        if !fs.is_dir(&dir) {
            return Err(LoadError::new(LoadErrorKind::BadArgument(arg)));
        }
        loader.load_dir_instance(&dir, arg, want.as_deref(), None)?
    };
    Ok(Program {
        instances: loader.instances,
        root,
        module_root,
        module_path,
    })
}

struct Loader<'a> {
    fs: &'a dyn FileSystem,
    /// What may be read once symbolic links are followed.
    confine: confine::Confinement,
    cwd: PathBuf,
    module_root: PathBuf,
    has_module: bool,
    module_path: Option<String>,
    instances: Vec<Instance>,
    /// Loaded instances by canonical import path.
    by_path: HashMap<String, InstanceId>,
    /// Canonical paths being loaded (for cycle detection).
    stack: Vec<String>,
    /// Files already read and scanned: ancestors of every imported package
    /// are visited once per import, so this keeps loading linear.
    scanned: HashMap<PathBuf, Candidate>,
    /// Directory listings already read.
    listed: HashMap<PathBuf, Vec<PathBuf>>,
    /// Build tags for `@if(...)`.
    tags: Vec<String>,
}

/// A file accepted into a package, before its imports are resolved.
#[derive(Clone)]
struct Candidate {
    file: SourceFile,
    package: Option<String>,
    /// False when an `@if(...)` attribute excludes the file.
    build: bool,
}

impl Loader<'_> {
    fn display(&self, path: &Path) -> String {
        match path.strip_prefix(&self.cwd) {
            Ok(rel) if rel.as_os_str().is_empty() => ".".to_string(),
            Ok(rel) => format!("./{}", rel.display()),
            Err(_) => path.display().to_string(),
        }
    }

    fn read(&self, path: &Path) -> Result<String, LoadError> {
        self.fs.read_to_string(path).map_err(|e| {
            LoadError::new(LoadErrorKind::Io {
                path: self.display(path),
                reason: e.to_string(),
            })
        })
    }

    /// Reads and scans one file (once).
    fn candidate(&mut self, path: &Path) -> Result<Candidate, LoadError> {
        if let Some(c) = self.scanned.get(path) {
            return Ok(c.clone());
        }
        let c = self.scan_file(path)?;
        self.scanned.insert(path.to_path_buf(), c.clone());
        Ok(c)
    }

    fn scan_file(&self, path: &Path) -> Result<Candidate, LoadError> {
        let text = self.read(path)?;
        let name = self.display(path);
        let header = header::scan(&text).map_err(|e| {
            let (line, col) = header::line_col(&text, e.offset);
            LoadError::at(
                LoadErrorKind::Header(e.message),
                LoadPos {
                    file: name.clone(),
                    line,
                    col,
                },
            )
        })?;
        let build = match &header.build_if {
            Some(expr) => header::eval_tags(expr, &self.tags).unwrap_or(false),
            None => true,
        };
        Ok(Candidate {
            build,
            file: SourceFile {
                name,
                path: path.to_path_buf(),
                text,
                imports: header.imports,
            },
            package: header.package,
        })
    }

    /// The `.cue` files of `dir` that loading considers, by name.
    fn cue_files(&mut self, dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
        if let Some(l) = self.listed.get(dir) {
            return Ok(l.clone());
        }
        let l = self.list_dir(dir)?;
        self.listed.insert(dir.to_path_buf(), l.clone());
        Ok(l)
    }

    fn list_dir(&self, dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
        let entries = self.fs.read_dir(dir).map_err(|e| {
            LoadError::new(LoadErrorKind::Io {
                path: self.display(dir),
                reason: e.to_string(),
            })
        })?;
        Ok(entries
            .into_iter()
            .filter(|e| !e.is_dir && is_included(&e.name))
            .map(|e| dir.join(e.name))
            .collect())
    }

    /// Loads the files named on the command line as one instance.
    fn load_files(&mut self, args: &[String]) -> Result<InstanceId, LoadError> {
        let mut files = Vec::new();
        let mut package: Option<(String, String)> = None;
        for arg in args {
            let path = normalize(&self.cwd.join(arg));
            let base = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            // `_` and `_test` exclusions apply even to named files.
            if base.starts_with('_') || base.ends_with("_test.cue") {
                continue;
            }
            if !self.fs.exists(&path) || self.fs.is_dir(&path) {
                return Err(LoadError::new(LoadErrorKind::BadArgument(arg.clone())));
            }
            let c = self.candidate(&path)?;
            if !c.build {
                continue;
            }
            if let Some(p) = &c.package {
                match &package {
                    Some((first, first_file)) if first != p => {
                        return Err(LoadError::new(LoadErrorKind::MultiplePackages {
                            first: first.clone(),
                            first_file: base_name(first_file),
                            second: p.clone(),
                            second_file: base_name(&c.file.name),
                            dir: self.cwd.display().to_string(),
                        }));
                    }
                    Some(_) => {}
                    None => package = Some((p.clone(), c.file.name.clone())),
                }
            }
            files.push(c.file);
        }
        let key = format!("\u{0}files:{}", args.join(","));
        self.finish(
            key,
            ".".to_string(),
            self.cwd.clone(),
            package.map(|p| p.0),
            files,
        )
    }

    /// Loads the package in directory `dir`. `want` is the package name an
    /// import asks for; `None` takes the leaf directory's unique package.
    /// `import` is the import path and position when loading for an import.
    fn load_dir_instance(
        &mut self,
        dir: &Path,
        display_path: String,
        want: Option<&str>,
        import: Option<(&str, &LoadPos)>,
    ) -> Result<InstanceId, LoadError> {
        let gen = self.module_root.join("cue.mod").join("gen");
        // (base, leaf) pairs: the walk up stops at base.
        let mut dirs: Vec<(PathBuf, PathBuf)> = Vec::new();
        if let Ok(rel) = dir.strip_prefix(&gen) {
            dirs.push((gen.clone(), dir.to_path_buf()));
            for sub in ["pkg", "usr"] {
                let base = self.module_root.join("cue.mod").join(sub);
                dirs.push((base.clone(), base.join(rel)));
            }
        } else {
            dirs.push((self.module_root.clone(), dir.to_path_buf()));
        }
        if !dirs.iter().any(|(_, d)| self.fs.is_dir(d)) {
            let kind = LoadErrorKind::PackageNotFound(display_path);
            return Err(match import {
                Some((_, pos)) => LoadError::at(kind, pos.clone()),
                None => LoadError::new(kind),
            });
        }

        let mut package: Option<(String, String)> = want.map(|w| (w.to_string(), String::new()));
        let mut accepted: Vec<SourceFile> = Vec::new();
        for (base, leaf) in &dirs {
            let mut cur = leaf.clone();
            let mut is_leaf = true;
            while self.fs.is_dir(&cur) {
                self.check_confined(&cur, &display_path, import)?;
                for path in self.cue_files(&cur)? {
                    self.check_confined(&path, &display_path, import)?;
                    let c = self.candidate(&path)?;
                    if !c.build {
                        continue;
                    }
                    let Some(p) = c.package else { continue };
                    match &package {
                        None => {
                            package = Some((p, c.file.name.clone()));
                            accepted.push(c.file);
                        }
                        Some((name, _)) if *name == p => accepted.push(c.file),
                        // Only the leaf directory of a command-line load must
                        // be a single package; elsewhere others are ignored.
                        Some((name, first_file)) => {
                            if want.is_none() && is_leaf {
                                return Err(LoadError::new(LoadErrorKind::MultiplePackages {
                                    first: name.clone(),
                                    first_file: base_name(first_file),
                                    second: p,
                                    second_file: base_name(&c.file.name),
                                    dir: cur.display().to_string(),
                                }));
                            }
                        }
                    }
                }
                is_leaf = false;
                if package.is_none() || !self.has_module || cur == self.module_root || cur == *base
                {
                    break;
                }
                match cur.parent() {
                    Some(parent) if parent.starts_with(base) => cur = parent.to_path_buf(),
                    _ => break,
                }
            }
        }
        if accepted.is_empty() {
            let kind = LoadErrorKind::NoFiles {
                package: package.map(|p| p.0).unwrap_or_else(|| "*".into()),
                dir: self.display(dir),
            };
            return Err(match import {
                Some((_, pos)) => LoadError::at(kind, pos.clone()),
                None => LoadError::new(kind),
            });
        }
        // Ancestors first; stable, so name order within a directory stays.
        accepted.sort_by_key(|f| f.path.parent().map(|p| p.as_os_str().len()).unwrap_or(0));
        let key = match import {
            Some((path, _)) => path.to_string(),
            None => format!("\u{0}dir:{}", dir.display()),
        };
        self.finish(
            key,
            display_path,
            dir.to_path_buf(),
            package.map(|p| p.0),
            accepted,
        )
    }

    /// Fails when `path` (a package directory or a file in one, read for
    /// package `package`) leads outside the module through a symbolic link;
    /// `import` locates the import that asked for it.
    fn check_confined(
        &mut self,
        path: &Path,
        package: &str,
        import: Option<(&str, &LoadPos)>,
    ) -> Result<(), LoadError> {
        let Some(target) = self.confine.escape(self.fs, path) else {
            return Ok(());
        };
        let root = self.confine.module_root().display().to_string();
        let target = target.display().to_string();
        let kind = if self.fs.is_dir(path) {
            LoadErrorKind::PackageOutsideModule {
                path: package.to_string(),
                dir: self.display(path),
                target,
                root,
            }
        } else {
            LoadErrorKind::FileOutsideModule {
                file: self.display(path),
                target,
                root,
            }
        };
        Err(match import {
            Some((_, pos)) => LoadError::at(kind, pos.clone()),
            None => LoadError::new(kind),
        })
    }

    /// Resolves the imports of `files` and records the instance.
    fn finish(
        &mut self,
        key: String,
        import_path: String,
        dir: PathBuf,
        package_name: Option<String>,
        files: Vec<SourceFile>,
    ) -> Result<InstanceId, LoadError> {
        self.stack.push(key.clone());
        let mut imports: Vec<Import> = Vec::new();
        for file in &files {
            for spec in &file.imports {
                if imports.iter().any(|i| i.path == spec.path) {
                    continue;
                }
                let pos_of = |offset| {
                    let (line, col) = header::line_col(&file.text, offset);
                    LoadPos {
                        file: file.name.clone(),
                        line,
                        col,
                    }
                };
                // The reference reports a path its parser rejects at the
                // literal, and loading errors at the whole spec.
                if !import_path::is_valid(&spec.path) {
                    return Err(LoadError::at(
                        LoadErrorKind::InvalidImportPath(spec.path.clone()),
                        pos_of(spec.offset),
                    ));
                }
                let import = self.resolve(&spec.path, &pos_of(spec.spec_offset))?;
                imports.push(import);
            }
        }
        self.stack.pop();
        let id = InstanceId(self.instances.len());
        self.instances.push(Instance {
            import_path,
            dir,
            package_name,
            files,
            imports,
        });
        self.by_path.insert(key, id);
        Ok(id)
    }

    /// Resolves one import path found at `pos`.
    fn resolve(&mut self, path: &str, pos: &LoadPos) -> Result<Import, LoadError> {
        let at = |kind| LoadError::at(kind, pos.clone());
        if import_path::is_relative(path) {
            return Err(at(LoadErrorKind::RelativeImport(path.to_string())));
        }
        let (bare, qualifier) = match path.rfind(':') {
            Some(i) if !path[i..].contains('/') => (&path[..i], Some(&path[i + 1..])),
            _ => (path, None),
        };
        let first = bare.split('/').next().unwrap_or("");
        if !first.contains('.') {
            return match crate::builtins::package(bare) {
                Some(pkg) => Ok(Import {
                    path: path.to_string(),
                    name: bare.rsplit('/').next().unwrap_or(bare).to_string(),
                    target: ImportTarget::Builtin(pkg),
                }),
                None => Err(at(LoadErrorKind::UnknownBuiltin(path.to_string()))),
            };
        }
        if import_path::has_parent_element(bare) {
            return Err(at(LoadErrorKind::ParentElement(path.to_string())));
        }
        let name = match qualifier {
            Some(q) => q.to_string(),
            None => bare.rsplit('/').next().unwrap_or(bare).to_string(),
        };
        // The reference quotes the path without its qualifier here.
        if name.is_empty() {
            return Err(at(LoadErrorKind::EmptyPackageName(bare.to_string())));
        }
        if name.contains('.') {
            return Err(at(LoadErrorKind::NoPackageName(bare.to_string())));
        }
        let canonical = format!("{bare}:{name}");
        if let Some(i) = self.stack.iter().position(|k| *k == canonical) {
            let mut chain: Vec<String> = self.stack[i..]
                .iter()
                .map(|k| k.split(':').next().unwrap_or(k).to_string())
                .collect();
            chain.push(bare.to_string());
            return Err(at(LoadErrorKind::ImportCycle(chain)));
        }
        let id = match self.by_path.get(&canonical) {
            Some(id) => *id,
            None => {
                let dir = self.dir_of(bare);
                self.load_dir_instance(
                    &dir,
                    bare.to_string(),
                    Some(&name),
                    Some((&canonical, pos)),
                )?
            }
        };
        Ok(Import {
            path: path.to_string(),
            name,
            target: ImportTarget::Instance(id),
        })
    }

    /// The directory an import path (without qualifier) maps to.
    fn dir_of(&self, bare: &str) -> PathBuf {
        if let Some(module) = &self.module_path {
            if bare == module {
                return self.module_root.clone();
            }
            if let Some(rest) = bare.strip_prefix(module.as_str()) {
                if let Some(rest) = rest.strip_prefix('/') {
                    return normalize(&self.module_root.join(rest));
                }
            }
        }
        normalize(&self.module_root.join("cue.mod").join("gen").join(bare))
    }
}

/// Splits a directory argument into the directory (`.` when empty) and the
/// package it selects: `dir:name` selects package `name` among several.
fn dir_argument(arg: &str) -> (String, Option<String>) {
    let (dir, want) = match arg.rsplit_once(':') {
        Some((d, n)) if !n.is_empty() && !n.contains('/') => (d, Some(n.to_string())),
        _ => (arg, None),
    };
    let dir = if dir.is_empty() { "." } else { dir };
    (dir.to_string(), want)
}

/// The last element of a displayed path.
fn base_name(name: &str) -> String {
    name.rsplit('/').next().unwrap_or(name).to_string()
}

/// Whether a file name is a `.cue` file loading considers.
fn is_included(name: &str) -> bool {
    name.ends_with(".cue")
        && !name.starts_with('_')
        && !name.starts_with('.')
        && !name.ends_with("_test.cue")
        && !name.ends_with("_tool.cue")
}

/// The module root for `cwd` and whether a `cue.mod` marks it.
fn find_root(fs: &dyn FileSystem, cwd: &Path) -> (PathBuf, bool) {
    let mut dir = Some(cwd);
    while let Some(d) = dir {
        if fs.exists(&d.join("cue.mod")) {
            return (d.to_path_buf(), true);
        }
        dir = d.parent();
    }
    (cwd.to_path_buf(), false)
}

/// Reads `module: "path"` from `cue.mod/module.cue` (or a legacy `cue.mod`
/// file). A missing file means no module path.
fn read_module_path(fs: &dyn FileSystem, root: &Path) -> Result<Option<String>, LoadError> {
    let marker = root.join("cue.mod");
    let file = if fs.is_dir(&marker) {
        marker.join("module.cue")
    } else {
        marker
    };
    let Ok(text) = fs.read_to_string(&file) else {
        return Ok(None);
    };
    Ok(module_field(&text))
}

/// Finds a top-level `module: "..."` field in module.cue text.
fn module_field(text: &str) -> Option<String> {
    for line in text.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("module") else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(rest) = rest.strip_prefix(':') else {
            continue;
        };
        let rest = rest.trim();
        let rest = rest.strip_prefix('"')?;
        let end = rest.find('"')?;
        return Some(rest[..end].to_string());
    }
    None
}

/// Removes `.` and resolves `..` components lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}
