//! `.dagger/`: the folder of every controller of a project.
//!
//! ```text
//! .dagger/
//!   <name>/
//!     state.json        the controller (state.rs), replaced atomically
//!     objects/<hex>     content-addressed snapshots of runs (history.rs)
//!     plan-git/         the checkout of a git plan
//!     lock, lock.owner  the controller's lock (lock.rs)
//! ```

use std::path::{Path, PathBuf};

use crate::lock::{self, Lock, LockError, Wait};
use crate::state::{self, ControllerState, PlanSource, StateError, Status, FORMAT_VERSION};

/// The folder holding the controllers.
pub const DIR: &str = ".dagger";

/// A project's controllers.
#[derive(Clone, Debug)]
pub struct Store {
    /// The directory holding `.dagger/`.
    project: PathBuf,
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no controller in {dir}; create one with `dagger new NAME --plan-dir DIR`")]
    None { dir: String },
    #[error("{count} controllers in {dir} ({names}); choose one with -d NAME")]
    Ambiguous {
        count: usize,
        dir: String,
        names: String,
    },
    #[error("no controller named {name} in {dir}{hint}")]
    Unknown {
        name: String,
        dir: String,
        hint: String,
    },
    #[error("a controller named {name} exists already in {dir}")]
    Exists { name: String, dir: String },
    #[error("invalid controller name {name:?}: use letters, digits, '-', '_' and '.', starting with a letter or digit")]
    BadName { name: String },
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error("{path}: {error}")]
    Io { path: String, error: std::io::Error },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |error| StoreError::Io {
        path: path.display().to_string(),
        error,
    }
}

impl Store {
    /// The store of the nearest directory, from `cwd` up, that holds
    /// `.dagger/`; `cwd` itself when none does.
    pub fn find(cwd: &Path) -> Store {
        let mut at = Some(cwd);
        while let Some(dir) = at {
            if dir.join(DIR).is_dir() {
                return Store {
                    project: dir.to_path_buf(),
                };
            }
            at = dir.parent();
        }
        Store {
            project: cwd.to_path_buf(),
        }
    }

    /// The store rooted at `project`.
    pub fn at(project: &Path) -> Store {
        Store {
            project: project.to_path_buf(),
        }
    }

    /// The directory holding `.dagger/`.
    pub fn project(&self) -> &Path {
        &self.project
    }

    fn root(&self) -> PathBuf {
        self.project.join(DIR)
    }

    fn shown(&self) -> String {
        self.root().display().to_string()
    }

    /// The folder of controller `name`.
    pub fn dir(&self, name: &str) -> PathBuf {
        self.root().join(name)
    }

    /// The names of the controllers, sorted.
    pub fn names(&self) -> Result<Vec<String>, StoreError> {
        let root = self.root();
        let entries = match std::fs::read_dir(&root) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(&root)(e)),
        };
        let mut names = Vec::new();
        for e in entries {
            let e = e.map_err(io(&root))?;
            if e.path().join("state.json").is_file() {
                names.push(e.file_name().to_string_lossy().into_owned());
            }
        }
        names.sort();
        Ok(names)
    }

    /// The controller `name` names, or the only one when `None`.
    pub fn select(&self, name: Option<&str>) -> Result<String, StoreError> {
        let names = self.names()?;
        match name {
            Some(n) if names.iter().any(|x| x == n) => Ok(n.to_string()),
            Some(n) => Err(StoreError::Unknown {
                name: n.to_string(),
                dir: self.shown(),
                hint: if names.is_empty() {
                    String::new()
                } else {
                    format!(" (it has: {})", names.join(", "))
                },
            }),
            None => match names.as_slice() {
                [] => Err(StoreError::None { dir: self.shown() }),
                [one] => Ok(one.clone()),
                many => Err(StoreError::Ambiguous {
                    count: many.len(),
                    dir: self.shown(),
                    names: many.join(", "),
                }),
            },
        }
    }

    /// Creates controller `name` with `plan`, status new.
    pub fn create(&self, name: &str, plan: PlanSource) -> Result<ControllerState, StoreError> {
        if !valid_name(name) {
            return Err(StoreError::BadName {
                name: name.to_string(),
            });
        }
        let dir = self.dir(name);
        if dir.join("state.json").exists() {
            return Err(StoreError::Exists {
                name: name.to_string(),
                dir: self.shown(),
            });
        }
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let state = ControllerState {
            version: FORMAT_VERSION,
            name: name.to_string(),
            plan,
            inputs: Default::default(),
            status: Status::New,
            outputs: Default::default(),
            images: Default::default(),
            runs: Vec::new(),
        };
        self.save(&state)?;
        Ok(state)
    }

    /// Reads controller `name`'s state.
    pub fn load(&self, name: &str) -> Result<ControllerState, StoreError> {
        Ok(state::read(&self.dir(name).join("state.json"))?)
    }

    /// Replaces the controller's state atomically.
    pub fn save(&self, state: &ControllerState) -> Result<(), StoreError> {
        let path = self.dir(&state.name).join("state.json");
        state::write(&path, state).map_err(io(&path))
    }

    /// Takes controller `name`'s lock for `command`.
    pub fn lock(
        &self,
        name: &str,
        command: &str,
        wait: Wait,
        waiting: &mut dyn FnMut(&str),
    ) -> Result<Lock, StoreError> {
        let dir = self.dir(name);
        let held = lock::acquire(&dir, name, command, wait, waiting)?;
        crate::atomic::clean_leftovers(&dir);
        Ok(held)
    }

    /// Removes controller `name` and everything stored for it. The caller
    /// holds its lock, so no `up` is writing meanwhile.
    pub fn delete(&self, name: &str) -> Result<(), StoreError> {
        let dir = self.dir(name);
        // The state goes first: a crash halfway leaves no half controller.
        let state = dir.join("state.json");
        std::fs::remove_file(&state).map_err(io(&state))?;
        std::fs::remove_dir_all(&dir).map_err(io(&dir))
    }

    /// Stores `bytes` under their digest; returns the digest.
    pub fn put_object(&self, name: &str, bytes: &[u8]) -> Result<String, StoreError> {
        use sha2::Digest;
        let digest = hex(&sha2::Sha256::digest(bytes));
        let dir = self.dir(name).join("objects");
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let path = dir.join(&digest);
        if !path.exists() {
            crate::atomic::write(&path, bytes).map_err(io(&path))?;
        }
        Ok(format!("sha256:{digest}"))
    }

    /// The object stored under `digest`.
    pub fn object(&self, name: &str, digest: &str) -> Result<Vec<u8>, StoreError> {
        let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
        let path = self.dir(name).join("objects").join(hex);
        std::fs::read(&path).map_err(io(&path))
    }
}

/// Letters, digits, `-`, `_`, `.`; not starting with `.` or `-`.
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name.len() <= 100
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> PlanSource {
        PlanSource::Dir { path: "p".into() }
    }

    #[test]
    fn selects_the_only_controller_and_lists_them_when_several() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path());
        assert!(matches!(store.select(None), Err(StoreError::None { .. })));
        store.create("one", plan()).unwrap();
        assert_eq!(store.select(None).unwrap(), "one");
        store.create("two", plan()).unwrap();
        let e = store.select(None).unwrap_err().to_string();
        assert!(e.contains("2 controllers") && e.contains("one, two"), "{e}");
        let e = store.select(Some("three")).unwrap_err().to_string();
        assert!(
            e.contains("no controller named three") && e.contains("one, two"),
            "{e}"
        );
        assert!(matches!(
            store.create("one", plan()),
            Err(StoreError::Exists { .. })
        ));
        assert!(matches!(
            store.create("../x", plan()),
            Err(StoreError::BadName { .. })
        ));
    }

    #[test]
    fn finds_the_store_from_a_subdirectory() {
        let dir = tempfile::tempdir().unwrap();
        Store::at(dir.path()).create("app", plan()).unwrap();
        let sub = dir.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        assert_eq!(Store::find(&sub).project(), dir.path());
    }
}
