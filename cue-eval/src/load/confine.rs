//! Keeping loading inside the module once symbolic links are followed.
//!
//! A plan is someone else's code, and a checkout can carry symbolic links.
//! The reference follows every link; here:
//!
//! - Trusted directories are the module root and the directories the user
//!   named (the directory argument, or the working directory for a list of
//!   files, and their ancestors up to the module root), each with its links
//!   followed.
//! - Every other directory and `.cue` file the loader reads, once its links
//!   are followed, must lie inside a trusted directory.
//! - Except below `cue.mod/gen`, `cue.mod/pkg` and `cue.mod/usr`: a link
//!   there is how a package is vendored from a local checkout, and the
//!   reference follows it, so it is followed wherever it leads. Import paths
//!   cannot reach those directories from elsewhere (a `..` element is
//!   rejected before any directory is computed).

use super::fs::FileSystem;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Which directories the loader may read, after following links.
pub(crate) struct Confinement {
    /// The module root, as found (lexical).
    module_root: PathBuf,
    /// `cue.mod/{gen,pkg,usr}` (lexical): links below them are followed.
    vendored: [PathBuf; 3],
    /// Trusted directories with links followed.
    trusted: Vec<PathBuf>,
    /// Resolved forms already computed.
    resolved: HashMap<PathBuf, PathBuf>,
}

impl Confinement {
    /// Confinement to the module at `module_root`, trusting `named` (the
    /// directory the user named) and its ancestors up to the module root.
    pub(crate) fn new(fs: &dyn FileSystem, module_root: &Path, named: &Path) -> Confinement {
        let cue_mod = module_root.join("cue.mod");
        let mut c = Confinement {
            module_root: module_root.to_path_buf(),
            vendored: ["gen", "pkg", "usr"].map(|d| cue_mod.join(d)),
            trusted: Vec::new(),
            resolved: HashMap::new(),
        };
        let mut chain = vec![module_root.to_path_buf()];
        let mut dir = Some(named);
        while let Some(d) = dir {
            chain.push(d.to_path_buf());
            if !d.starts_with(module_root) || d == module_root {
                break;
            }
            dir = d.parent();
        }
        for d in chain {
            let r = c.resolve(fs, &d);
            c.trusted.push(r);
        }
        c
    }

    /// The module root this confines to (lexical).
    pub(crate) fn module_root(&self) -> &Path {
        &self.module_root
    }

    /// Where `path` leads with links followed, when that is outside every
    /// trusted directory and `path` is not below a vendored directory.
    pub(crate) fn escape(&mut self, fs: &dyn FileSystem, path: &Path) -> Option<PathBuf> {
        if self.vendored.iter().any(|v| path.starts_with(v)) {
            return None;
        }
        let target = self.resolve(fs, path);
        if self.trusted.iter().any(|t| target.starts_with(t)) {
            None
        } else {
            Some(target)
        }
    }

    /// `path` with links followed. A path the file system cannot resolve
    /// (one that exists only in an overlay) is taken as its name below its
    /// resolved parent.
    fn resolve(&mut self, fs: &dyn FileSystem, path: &Path) -> PathBuf {
        if let Some(r) = self.resolved.get(path) {
            return r.clone();
        }
        let r = match fs.canonicalize(path) {
            Ok(r) => r,
            Err(_) => match (path.parent(), path.file_name()) {
                (Some(parent), Some(name)) => self.resolve(fs, parent).join(name),
                _ => path.to_path_buf(),
            },
        };
        self.resolved.insert(path.to_path_buf(), r.clone());
        r
    }
}
