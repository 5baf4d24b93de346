//! Errors a user can cause while loading: missing packages, cycles, bad
//! headers. Each carries where it happened when there is such a place.

use std::fmt;

/// A place in a source file (display name as `cue` prints it, 1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadPos {
    /// Display name, e.g. `./in.cue`.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
}

/// What went wrong while loading.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadErrorKind {
    /// An import of a standard-library path that does not exist.
    #[error("builtin package {0:?} undefined")]
    UnknownBuiltin(String),
    /// An import path whose directory does not exist.
    #[error("import failed: cannot find package {0:?}")]
    PackageNotFound(String),
    /// A directory exists but has no files of the wanted package.
    #[error("no CUE files of package {package} in {dir}")]
    NoFiles {
        /// The wanted package name (or `*` when any).
        package: String,
        /// The directory, as displayed.
        dir: String,
    },
    /// Two different package clauses among files that must form one package.
    #[error("found packages {first:?} ({first_file}) and {second} ({second_file}) in {dir:?}")]
    MultiplePackages {
        /// First package name seen.
        first: String,
        /// File declaring it (base name).
        first_file: String,
        /// The conflicting name.
        second: String,
        /// File declaring it (base name).
        second_file: String,
        /// The directory (absolute, as the reference prints it).
        dir: String,
    },
    /// A cycle of imports; the chain starts and ends with the same path.
    #[error("import cycle not allowed: {}", .0.join(" imports "))]
    ImportCycle(Vec<String>),
    /// `./x` or `../x` imports.
    #[error("import failed: relative import paths not allowed ({0:?})")]
    RelativeImport(String),
    /// An import path the reference's parser rejects: empty, or with a
    /// space, a control character or one of ``!"#$%&'()*,:;<=>?[\]^{|}``.
    #[error("invalid import path: {0:?}")]
    InvalidImportPath(String),
    /// An import path with a `..` element: it could name a directory outside
    /// the module and its `cue.mod` package directories.
    #[error("import failed: invalid import path {0:?}: \"..\" elements are not allowed")]
    ParentElement(String),
    /// An import path ending in `/` or `:`.
    #[error("import failed: empty package name in import path {0:?}")]
    EmptyPackageName(String),
    /// An import path whose package name cannot be derived.
    #[error("import failed: cannot determine package name for {0:?} (set explicitly with ':')")]
    NoPackageName(String),
    /// A package directory of the module that a symbolic link takes outside
    /// the module root (only `cue.mod/{gen,pkg,usr}` may link outside).
    #[error(
        "import failed: package {path:?} is outside the module: {dir} leads to {target} \
         through a symbolic link (only links in cue.mod/pkg, cue.mod/gen or cue.mod/usr may leave {root})"
    )]
    PackageOutsideModule {
        /// The import path.
        path: String,
        /// The directory, as displayed.
        dir: String,
        /// Where it leads once links are followed.
        target: String,
        /// The module root.
        root: String,
    },
    /// A `.cue` file of the module that is a symbolic link to a file outside
    /// the module root and the directories named on the command line.
    #[error(
        "cannot load {file}: it leads to {target} through a symbolic link, outside the module \
         (only links in cue.mod/pkg, cue.mod/gen or cue.mod/usr may leave {root})"
    )]
    FileOutsideModule {
        /// The file, as displayed.
        file: String,
        /// Where it leads once links are followed.
        target: String,
        /// The module root.
        root: String,
    },
    /// A file header that cannot be read.
    #[error("{0}")]
    Header(String),
    /// A file or directory that cannot be read.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// The path, as displayed.
        path: String,
        /// The OS's reason.
        reason: String,
    },
    /// A command-line argument that is neither a directory nor a `.cue` file.
    #[error("cannot find package or file {0:?}")]
    BadArgument(String),
}

/// A loading error with its position, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// What went wrong (boxed: errors are rare, results stay small).
    pub kind: Box<LoadErrorKind>,
    /// Where (an import spec, a package clause), if known.
    pub pos: Option<LoadPos>,
}

impl LoadError {
    pub(crate) fn new(kind: LoadErrorKind) -> LoadError {
        LoadError {
            kind: Box::new(kind),
            pos: None,
        }
    }

    pub(crate) fn at(kind: LoadErrorKind, pos: LoadPos) -> LoadError {
        LoadError {
            kind: Box::new(kind),
            pos: Some(pos),
        }
    }
}

/// Renders like `cue`: the message, then `    file:line:col` when known.
impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.pos {
            Some(p) => write!(f, "{}:\n    {}:{}:{}", self.kind, p.file, p.line, p.col),
            None => write!(f, "{}", self.kind),
        }
    }
}

impl std::error::Error for LoadError {}
