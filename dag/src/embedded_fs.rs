//! The one file system every command loads CUE through: the real one with
//! an in-memory overlay on top, holding the embedded `dagger.io/*`
//! packages under the module's `cue.mod/pkg/` (and, for a plan, its inputs
//! and filled values as extra files). So `dagger eval` finds the embedded
//! packages exactly as the plan loader does. A package the module vendors
//! (its directory holds `.cue` files) is read from disk instead, package
//! by package.

use std::borrow::Borrow;
use std::io;
use std::path::{Path, PathBuf};

use cue_eval::load::{DirEntry, FileSystem, MemFs, OsFs};

/// The OS file system with `overlay` on top (owned, or borrowed).
pub struct OverlayFs<M: Borrow<MemFs>> {
    pub overlay: M,
}

/// The file system `dagger eval` uses in `dir`.
pub type EmbeddedFs = OverlayFs<MemFs>;

impl EmbeddedFs {
    /// The embedded packages of the module that holds `dir`.
    pub fn for_dir(dir: &Path) -> EmbeddedFs {
        let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        let mut overlay = MemFs::new();
        add_embedded(&mut overlay, &module_root(&dir));
        OverlayFs { overlay }
    }
}

/// The directory the loader treats as module root for `dir`: the nearest
/// ancestor with `cue.mod`, else `dir` itself.
pub fn module_root(dir: &Path) -> PathBuf {
    dir.ancestors()
        .find(|d| d.join("cue.mod").exists())
        .unwrap_or(dir)
        .to_path_buf()
}

/// Adds every embedded package the module at `root` does not vendor to
/// `overlay`, under `root/cue.mod/pkg/`.
pub fn add_embedded(overlay: &mut MemFs, root: &Path) {
    for pkg in crate::embedded::packages() {
        let pkg_dir = root.join("cue.mod/pkg").join(pkg);
        if vendored(&pkg_dir) {
            continue;
        }
        for (name, text) in crate::embedded::package(pkg).unwrap_or(&[]) {
            overlay.add(pkg_dir.join(name), *text);
        }
    }
}

/// Whether a package directory holds `.cue` files on disk. A directory
/// holding only subdirectories (`dagger.io/aws/` when just
/// `dagger.io/aws/eks` is vendored) leaves the embedded package in place.
fn vendored(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            e.path().extension().is_some_and(|x| x == "cue")
                && e.file_type().is_ok_and(|t| !t.is_dir())
        })
    })
}

impl<M: Borrow<MemFs>> FileSystem for OverlayFs<M> {
    fn exists(&self, path: &Path) -> bool {
        self.overlay.borrow().exists(path) || OsFs.exists(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.overlay.borrow().is_dir(path) || OsFs.is_dir(path)
    }

    fn read_dir(&self, dir: &Path) -> io::Result<Vec<DirEntry>> {
        let mut entries = match (OsFs.read_dir(dir), self.overlay.borrow().read_dir(dir)) {
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
            .borrow()
            .read_to_string(path)
            .or_else(|_| OsFs.read_to_string(path))
    }
}
