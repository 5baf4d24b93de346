//! The file-system seam of the loader: everything `load` reads goes through
//! [`FileSystem`], so loading is testable in memory and evaluation itself never
//! touches the disk.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// The entry's file name (no directory part).
    pub name: String,
    /// Whether the entry is a directory.
    pub is_dir: bool,
}

/// The reads the loader needs. Paths are absolute.
pub trait FileSystem {
    /// Whether `path` exists (file or directory).
    fn exists(&self, path: &Path) -> bool;
    /// Whether `path` is a directory.
    fn is_dir(&self, path: &Path) -> bool;
    /// The entries of directory `dir`, sorted by name.
    fn read_dir(&self, dir: &Path) -> io::Result<Vec<DirEntry>>;
    /// The UTF-8 text of file `path`.
    fn read_to_string(&self, path: &Path) -> io::Result<String>;
    /// `path` with every symbolic link followed, as the OS resolves it when
    /// reading; an error when it does not exist. The loader uses it to keep
    /// imports inside the module.
    ///
    /// The default asks the real file system, so a wrapper around it (an
    /// overlay) keeps that check without doing anything; a path only the
    /// wrapper knows fails here, and the loader then trusts its lexical form
    /// below its (resolved) parent directory. In-memory file systems without
    /// links override it.
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        std::fs::canonicalize(path)
    }
}

/// The real file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsFs;

impl FileSystem for OsFs {
    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }

    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }

    fn read_dir(&self, dir: &Path) -> io::Result<Vec<DirEntry>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let is_dir = entry.file_type()?.is_dir() || entry.path().is_dir();
            out.push(DirEntry {
                name: entry.file_name().to_string_lossy().into_owned(),
                is_dir,
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        std::fs::read_to_string(path)
    }
}

/// An in-memory file system: a map from absolute file path to text.
/// Directories exist implicitly as ancestors of files (or explicitly via
/// [`MemFs::add_dir`]).
#[derive(Debug, Clone, Default)]
pub struct MemFs {
    files: BTreeMap<PathBuf, String>,
    dirs: BTreeMap<PathBuf, ()>,
}

impl MemFs {
    /// An empty file system.
    pub fn new() -> MemFs {
        MemFs::default()
    }

    /// Adds (or replaces) a file and its ancestor directories.
    pub fn add(&mut self, path: impl Into<PathBuf>, text: impl Into<String>) -> &mut MemFs {
        let path = path.into();
        let mut dir = path.parent();
        while let Some(d) = dir {
            self.dirs.insert(d.to_path_buf(), ());
            dir = d.parent();
        }
        self.files.insert(path, text.into());
        self
    }

    /// Adds an (empty) directory and its ancestors.
    pub fn add_dir(&mut self, path: impl Into<PathBuf>) -> &mut MemFs {
        let path = path.into();
        let mut dir = Some(path.as_path());
        while let Some(d) = dir {
            self.dirs.insert(d.to_path_buf(), ());
            dir = d.parent();
        }
        self
    }
}

impl FileSystem for MemFs {
    fn exists(&self, path: &Path) -> bool {
        self.files.contains_key(path) || self.dirs.contains_key(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.dirs.contains_key(path)
    }

    fn read_dir(&self, dir: &Path) -> io::Result<Vec<DirEntry>> {
        if !self.is_dir(dir) {
            return Err(io::Error::new(io::ErrorKind::NotFound, "no such directory"));
        }
        let mut out = Vec::new();
        for d in self.dirs.keys() {
            if d.parent() == Some(dir) {
                if let Some(name) = d.file_name() {
                    out.push(DirEntry {
                        name: name.to_string_lossy().into_owned(),
                        is_dir: true,
                    });
                }
            }
        }
        for f in self.files.keys() {
            if f.parent() == Some(dir) {
                if let Some(name) = f.file_name() {
                    out.push(DirEntry {
                        name: name.to_string_lossy().into_owned(),
                        is_dir: false,
                    });
                }
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// No links in memory: every existing path is its own canonical form.
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        if self.exists(path) {
            Ok(path.to_path_buf())
        } else {
            Err(io::Error::new(io::ErrorKind::NotFound, "no such file"))
        }
    }

    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }
}
