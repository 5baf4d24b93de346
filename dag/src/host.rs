//! Which host directories a plan may read: a `local` op reads only inside
//! the plan's module root or a directory the user allowed.
//!
//! A plan is code from someone else; reading the host is by consent. The
//! module root (the nearest directory holding `cue.mod`, from the plan
//! directory up, else the plan directory, as the loader finds it) is the
//! plan's own tree. Anything else must be allowed by the user on the command
//! line: an `--input-dir` (the user typed it) or `--allow-host-path PATH`.
//!
//! Paths are checked after resolving every symlink and `..`
//! (`canonicalize`), so a symlink inside the plan pointing out, `..`,
//! `/proc/self/cwd` and the like resolve to where they really lead and are
//! refused there.

use std::path::{Path, PathBuf};

/// The directories a plan's `local` ops may read.
#[derive(Clone, Debug)]
pub struct HostAccess {
    /// Relative `local` dirs are resolved against this (canonical).
    plan_dir: PathBuf,
    /// The plan's module root (canonical).
    module_root: PathBuf,
    /// Directories the user allowed (canonical).
    allowed: Vec<PathBuf>,
    /// What cache mounts are keyed by instead of the plan directory
    /// (`dagger llb --offline`, for output that is the same on every
    /// machine).
    cache_scope: Option<String>,
}

/// A directory a `local` op may read, and the readable tree it is in.
#[derive(Clone, Debug, PartialEq)]
pub struct Granted {
    /// The directory, symlinks resolved.
    pub dir: PathBuf,
    /// The readable root `dir` is read from: `dir` itself when the user
    /// allowed exactly it, else the outermost root holding it (the module
    /// root or an allowed directory). Ignore files apply from there down.
    pub root: PathBuf,
    /// `dir` relative to `root`, `/`-separated, empty when they are equal.
    pub subdir: String,
}

impl HostAccess {
    /// The access of a plan in `plan_dir`, with the directories the user
    /// allowed; each must exist (an error names the one that does not).
    pub fn new(plan_dir: &Path, allowed: &[PathBuf]) -> Result<HostAccess, String> {
        let plan_dir = std::fs::canonicalize(plan_dir).map_err(|e| {
            format!(
                "cannot resolve the plan directory {}: {e}",
                plan_dir.display()
            )
        })?;
        let module_root = plan_dir
            .ancestors()
            .find(|d| d.join("cue.mod").exists())
            .unwrap_or(&plan_dir)
            .to_path_buf();
        let allowed = allowed
            .iter()
            .map(|p| {
                std::fs::canonicalize(p)
                    .map_err(|e| format!("cannot allow host path {}: {e}", p.display()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(HostAccess {
            plan_dir,
            module_root,
            allowed,
            cache_scope: None,
        })
    }

    /// The same access, with cache mounts keyed by `scope` instead of the
    /// plan directory.
    pub fn with_cache_scope(mut self, scope: impl Into<String>) -> HostAccess {
        self.cache_scope = Some(scope.into());
        self
    }

    /// What the plan's cache mounts are keyed by: the plan directory, or
    /// the scope set by [`HostAccess::with_cache_scope`].
    pub fn cache_scope(&self) -> String {
        match &self.cache_scope {
            Some(scope) => scope.clone(),
            None => self.plan_dir.display().to_string(),
        }
    }

    /// The plan directory (canonical).
    pub fn plan_dir(&self) -> &Path {
        &self.plan_dir
    }

    /// The plan's module root.
    pub fn module_root(&self) -> &Path {
        &self.module_root
    }

    /// Resolves the `dir` of a `local` op (relative to the plan directory)
    /// and checks that it may be read; the error names the path, where it
    /// leads and how to allow it.
    pub fn resolve(&self, dir: &str) -> Result<Granted, String> {
        let named = Path::new(dir);
        let joined = if named.is_absolute() {
            named.to_path_buf()
        } else {
            self.plan_dir.join(named)
        };
        let real = std::fs::canonicalize(&joined)
            .map_err(|e| format!("cannot read directory {}: {e}", joined.display()))?;
        if !real.is_dir() {
            return Err(format!("{} is not a directory", real.display()));
        }
        // A directory the user named exactly is read from there; else the
        // outermost root holding it, so that the most ignore files apply.
        let exact = self.allowed.iter().find(|r| **r == real);
        let outermost = std::iter::once(&self.module_root)
            .chain(&self.allowed)
            .filter(|r| real.starts_with(r))
            .min_by_key(|r| r.components().count());
        let Some(root) = exact.or(outermost) else {
            let leads = if real == joined {
                String::new()
            } else {
                format!(" (it leads to {})", real.display())
            };
            return Err(format!(
                "{dir:?} is outside the plan's module root {}{leads}: a plan may read only \
                 its own tree; to let it read this directory, pass it as an input \
                 (--input-dir FIELD={}) or allow it with --allow-host-path {}",
                self.module_root.display(),
                real.display(),
                real.display()
            ));
        };
        let subdir = real
            .strip_prefix(root)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Granted {
            dir: real.clone(),
            root: root.clone(),
            subdir,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mkdirs(root: &Path, dirs: &[&str]) {
        for d in dirs {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
    }

    #[test]
    fn the_module_root_is_the_nearest_cue_mod_above() {
        let t = tempfile::tempdir().unwrap();
        mkdirs(t.path(), &["m/cue.mod", "m/plans/p"]);
        let a = HostAccess::new(&t.path().join("m/plans/p"), &[]).unwrap();
        assert_eq!(a.module_root(), t.path().join("m").canonicalize().unwrap());
        let g = a.resolve("../../data").unwrap_err();
        assert!(g.contains("cannot read directory"), "{g}");
        mkdirs(t.path(), &["m/data/x"]);
        let g = a.resolve("../../data/x").unwrap();
        assert_eq!(g.subdir, "data/x");
        assert_eq!(g.root, a.module_root());
    }

    #[test]
    fn without_cue_mod_the_plan_dir_is_the_root() {
        let t = tempfile::tempdir().unwrap();
        mkdirs(t.path(), &["plan/src", "outside"]);
        let a = HostAccess::new(&t.path().join("plan"), &[]).unwrap();
        assert_eq!(a.resolve(".").unwrap().subdir, "");
        assert_eq!(a.resolve("src").unwrap().subdir, "src");
        let e = a.resolve("../outside").unwrap_err();
        assert!(
            e.contains("\"../outside\" is outside the plan's module root"),
            "{e}"
        );
        assert!(e.contains("--allow-host-path"), "{e}");
        let abs = t.path().join("outside").canonicalize().unwrap();
        assert!(a.resolve(&abs.to_string_lossy()).is_err());
        assert!(a.resolve("/").is_err());
    }

    #[test]
    fn symlinks_are_checked_where_they_lead() {
        let t = tempfile::tempdir().unwrap();
        mkdirs(t.path(), &["plan/real", "outside"]);
        std::os::unix::fs::symlink(t.path().join("outside"), t.path().join("plan/out")).unwrap();
        std::os::unix::fs::symlink("real", t.path().join("plan/in")).unwrap();
        let a = HostAccess::new(&t.path().join("plan"), &[]).unwrap();
        let e = a.resolve("out").unwrap_err();
        assert!(e.contains("it leads to"), "{e}");
        assert_eq!(a.resolve("in").unwrap().subdir, "real");
        assert!(a.resolve("/proc/self/root").is_err());
    }

    #[test]
    fn allowed_paths_open_their_tree_only() {
        let t = tempfile::tempdir().unwrap();
        mkdirs(t.path(), &["plan", "shared/a/b", "other"]);
        let a = HostAccess::new(&t.path().join("plan"), &[t.path().join("shared")]).unwrap();
        let g = a
            .resolve(&t.path().join("shared/a/b").to_string_lossy())
            .unwrap();
        assert_eq!(g.root, t.path().join("shared").canonicalize().unwrap());
        assert_eq!(g.subdir, "a/b");
        assert!(a.resolve("../other").is_err());
        // A directory the user named exactly is its own root (the ignore
        // files above it, the user did not ask for).
        let inner = t.path().join("plan/data");
        std::fs::create_dir_all(&inner).unwrap();
        let a = HostAccess::new(&t.path().join("plan"), &[inner]).unwrap();
        assert_eq!(a.resolve("data").unwrap().subdir, "");
        let a = HostAccess::new(&t.path().join("plan"), &[]).unwrap();
        assert_eq!(a.resolve("data").unwrap().subdir, "data");
        let e = HostAccess::new(&t.path().join("plan"), &[t.path().join("nope")]).unwrap_err();
        assert!(e.contains("cannot allow host path"), "{e}");
    }
}
