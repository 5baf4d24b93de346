//! A controller's plan source made into a directory the loader can read.
//!
//! - `dir`: the directory itself.
//! - `file`: the file is copied alone into `.dagger/<name>/plan-file/`
//!   (a plan directory holds one package; this keeps the file's siblings
//!   out). `local` ops resolve against the file's own directory.
//! - `package`: `.dagger/<name>/plan-package/plan.cue` embeds the package
//!   by its import path; it is found in the project's `cue.mod/pkg` or
//!   among the embedded `dagger.io/...` packages.
//! - `git`: a shallow fetch of the reference into `.dagger/<name>/plan-git/`
//!   with the `git` command, at every `up` (a moved branch is picked up).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::state::PlanSource;
use crate::store::Store;

/// Where to load a plan from, and where its `local` ops resolve.
#[derive(Clone, Debug)]
pub struct PlanDirs {
    /// The directory the loader reads the package from.
    pub load: PathBuf,
    /// Relative `local` directories resolve against this one.
    pub plan: PathBuf,
}

/// Why a plan source could not be made ready.
#[derive(Debug, thiserror::Error)]
#[error("plan {source_text}: {message}")]
pub struct SourceError {
    pub source_text: String,
    pub message: String,
}

/// The source as the user gave it, for messages and `list`.
pub fn describe(source: &PlanSource) -> String {
    match source {
        PlanSource::Dir { path } => format!("dir {path}"),
        PlanSource::File { path } => format!("file {path}"),
        PlanSource::Git {
            remote,
            reference,
            subdir,
        } => match subdir {
            Some(s) => format!("git {remote} {reference} {s}"),
            None => format!("git {remote} {reference}"),
        },
        PlanSource::Package { package } => format!("package {package}"),
    }
}

/// A path as stored: relative to the project when inside it.
pub fn stored_path(store: &Store, path: &Path) -> Result<String, String> {
    let abs = std::fs::canonicalize(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let project = std::fs::canonicalize(store.project()).unwrap_or(store.project().to_path_buf());
    Ok(match abs.strip_prefix(&project) {
        Ok(rel) if rel.as_os_str().is_empty() => ".".to_string(),
        Ok(rel) => rel.display().to_string(),
        Err(_) => abs.display().to_string(),
    })
}

/// Checks a source before it is stored (the directory or file exists,
/// the package path is well formed).
pub fn check(store: &Store, source: &PlanSource) -> Result<(), SourceError> {
    let err = |message: String| SourceError {
        source_text: describe(source),
        message,
    };
    match source {
        PlanSource::Dir { path } => {
            let p = store.project().join(path);
            if !p.is_dir() {
                return Err(err(format!("{} is not a directory", p.display())));
            }
        }
        PlanSource::File { path } => {
            let p = store.project().join(path);
            if !p.is_file() {
                return Err(err(format!("{} is not a file", p.display())));
            }
        }
        PlanSource::Package { package } => {
            if package.is_empty()
                || package.contains("..")
                || package.starts_with('/')
                || package.chars().any(|c| c.is_whitespace() || c == '"')
            {
                return Err(err("not a CUE import path".into()));
            }
        }
        PlanSource::Git { remote, .. } => {
            if remote.is_empty() || remote.starts_with('-') {
                return Err(err("not a git remote".into()));
            }
        }
    }
    Ok(())
}

/// Makes the source ready to load.
pub fn prepare(store: &Store, name: &str, source: &PlanSource) -> Result<PlanDirs, SourceError> {
    let err = |message: String| SourceError {
        source_text: describe(source),
        message,
    };
    check(store, source)?;
    let own = store.dir(name);
    match source {
        PlanSource::Dir { path } => {
            let p = store.project().join(path);
            Ok(PlanDirs {
                load: p.clone(),
                plan: p,
            })
        }
        PlanSource::File { path } => {
            let file = store.project().join(path);
            let text = std::fs::read(&file).map_err(|e| err(e.to_string()))?;
            let dir = own.join("plan-file");
            std::fs::create_dir_all(&dir).map_err(|e| err(e.to_string()))?;
            for e in std::fs::read_dir(&dir)
                .map_err(|e| err(e.to_string()))?
                .flatten()
            {
                let _ = std::fs::remove_file(e.path());
            }
            let base = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "plan.cue".into());
            crate::atomic::write(&dir.join(base), &text).map_err(|e| err(e.to_string()))?;
            let parent = file.parent().map(Path::to_path_buf).unwrap_or_default();
            Ok(PlanDirs {
                load: dir,
                plan: parent,
            })
        }
        PlanSource::Package { package } => {
            let dir = own.join("plan-package");
            std::fs::create_dir_all(&dir).map_err(|e| err(e.to_string()))?;
            let text = format!(
                "// Generated by dagger: the plan is package {package}.\npackage plan\n\nimport pkg {}\n\npkg\n",
                dag::output::json_string(package)
            );
            crate::atomic::write(&dir.join("plan.cue"), text.as_bytes())
                .map_err(|e| err(e.to_string()))?;
            Ok(PlanDirs {
                load: dir.clone(),
                plan: store.project().to_path_buf(),
            })
        }
        PlanSource::Git {
            remote,
            reference,
            subdir,
        } => {
            let dir = own.join("plan-git");
            fetch_git(&dir, remote, reference).map_err(err)?;
            let load = match subdir {
                Some(s) => {
                    if Path::new(s).components().any(|c| {
                        matches!(
                            c,
                            std::path::Component::ParentDir | std::path::Component::RootDir
                        )
                    }) {
                        return Err(err(format!("subdirectory {s} leaves the repository")));
                    }
                    dir.join(s)
                }
                None => dir.clone(),
            };
            if !load.is_dir() {
                return Err(err(format!(
                    "the repository has no directory {}",
                    subdir.as_deref().unwrap_or(".")
                )));
            }
            Ok(PlanDirs {
                load: load.clone(),
                plan: load,
            })
        }
    }
}

/// A shallow checkout of `reference` of `remote` in `dir`.
fn fetch_git(dir: &Path, remote: &str, reference: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let git = |args: &[&str]| -> Result<(), String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env("GIT_TERMINAL_PROMPT", "0")
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "git {}: {}",
                args.first().copied().unwrap_or(""),
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    };
    if !dir.join(".git").exists() {
        git(&["init", "-q"])?;
    }
    git(&["fetch", "-q", "--depth", "1", "--", remote, reference])?;
    git(&["checkout", "-q", "--force", "FETCH_HEAD"])?;
    git(&["clean", "-q", "-fdx"])
}

/// The CUE files of the plan: every `.cue` file of the load directory and
/// of its module's `cue.mod/`, by path relative to the module root. They
/// are the plan's part of a run's snapshot and digest.
pub fn files(dirs: &PlanDirs) -> BTreeMap<String, String> {
    let root = dag::embedded_fs::module_root(&dirs.load);
    let mut out = BTreeMap::new();
    let mut add_dir = |dir: &Path, recursive: bool| {
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in entries.flatten() {
                let p = e.path();
                let Ok(ft) = e.file_type() else { continue };
                if ft.is_dir() && recursive {
                    stack.push(p);
                } else if ft.is_file() && p.extension().is_some_and(|x| x == "cue") {
                    if let Ok(text) = std::fs::read_to_string(&p) {
                        let rel = p.strip_prefix(&root).unwrap_or(&p);
                        out.insert(rel.display().to_string(), text);
                    }
                }
            }
        }
    };
    add_dir(&dirs.load, false);
    add_dir(&root.join("cue.mod"), true);
    out
}

/// The digest of the plan's files.
pub fn digest(files: &BTreeMap<String, String>) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for (name, text) in files {
        h.update(format!("{name}\0{}\0", text.len()).as_bytes());
        h.update(text.as_bytes());
    }
    format!("sha256:{}", crate::store::hex(&h.finalize()))
}
