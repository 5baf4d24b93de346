//! The real file system with the embedded `dagger.io/*` packages added
//! under a module's `cue.mod/pkg/`, so that every command that loads CUE
//! (`dagger eval` as well as the plan loader) finds them without vendoring.
//! A package the module vendors (its directory holds `.cue` files) is read
//! from disk instead, package by package.

use std::io;
use std::path::{Path, PathBuf};

use cue_eval::load::{DirEntry, FileSystem, MemFs, OsFs};

/// The OS file system plus the embedded packages of one module root.
pub struct EmbeddedFs {
    overlay: MemFs,
}

impl EmbeddedFs {
    /// For the module that holds `dir`: the nearest ancestor with
    /// `cue.mod`, else `dir` itself (as the loader decides).
    pub fn for_dir(dir: &Path) -> EmbeddedFs {
        let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        let mut root = dir.clone();
        let mut at = Some(dir.as_path());
        while let Some(d) = at {
            if d.join("cue.mod").exists() {
                root = d.to_path_buf();
                break;
            }
            at = d.parent();
        }
        let mut overlay = MemFs::new();
        for pkg in crate::embedded::packages() {
            let pkg_dir: PathBuf = root.join("cue.mod/pkg").join(pkg);
            if vendored(&pkg_dir) {
                continue;
            }
            for (name, text) in crate::embedded::package(pkg).unwrap_or(&[]) {
                overlay.add(pkg_dir.join(name), *text);
            }
        }
        EmbeddedFs { overlay }
    }
}

/// Whether a package directory holds `.cue` files on disk.
fn vendored(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            e.path().extension().is_some_and(|x| x == "cue")
                && e.file_type().is_ok_and(|t| !t.is_dir())
        })
    })
}

impl FileSystem for EmbeddedFs {
    fn exists(&self, path: &Path) -> bool {
        self.overlay.exists(path) || OsFs.exists(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.overlay.is_dir(path) || OsFs.is_dir(path)
    }

    fn read_dir(&self, dir: &Path) -> io::Result<Vec<DirEntry>> {
        let mut entries = match (OsFs.read_dir(dir), self.overlay.read_dir(dir)) {
            (Err(e), Err(_)) => return Err(e),
            (a, b) => {
                let mut v = a.unwrap_or_default();
                v.extend(b.unwrap_or_default());
                v
            }
        };
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        entries.dedup_by(|a, b| a.name == b.name);
        Ok(entries)
    }

    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        self.overlay
            .read_to_string(path)
            .or_else(|_| OsFs.read_to_string(path))
    }
}
