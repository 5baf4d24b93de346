//! File ops: create files and directories in a state, or copy files into it
//! from another state. Several actions can form one op; each works on the
//! result of the previous one.
//!
//! Relative paths are resolved against the working directory of the state
//! they refer to (the base state for targets, the source state for a copy's
//! source), as BuildKit's client does; the marshaled op holds absolute paths.

use bollard_buildkit_proto::pb;

use super::caps;
use super::path;
use super::state::{OpMeta, Output, State, VertexKind};

/// Copy of `src` from another state into the current one at `dest`.
#[derive(Clone, Debug)]
pub struct Copy {
    from: State,
    src: String,
    dest: String,
    follow_symlinks: bool,
    dir_contents_only: bool,
    create_dest_path: bool,
    allow_wildcard: bool,
    allow_empty_wildcard: bool,
    include_patterns: Vec<String>,
    exclude_patterns: Vec<String>,
    mode: Option<u32>,
}

impl Copy {
    /// A plain copy of `src` (a file, or a directory copied as a directory)
    /// to `dest`.
    pub fn new(from: &State, src: &str, dest: &str) -> Copy {
        Copy {
            from: from.clone(),
            src: src.to_string(),
            dest: dest.to_string(),
            follow_symlinks: false,
            dir_contents_only: false,
            create_dest_path: false,
            allow_wildcard: false,
            allow_empty_wildcard: false,
            include_patterns: Vec::new(),
            exclude_patterns: Vec::new(),
            mode: None,
        }
    }

    /// The plan's `copy`: a directory's contents (not the directory itself)
    /// land in `dest`, `dest` is created, wildcards in `src` are expanded,
    /// and symlinks in `src` are followed.
    pub fn contents(from: &State, src: &str, dest: &str) -> Copy {
        Copy::new(from, src, dest)
            .follow_symlinks(true)
            .dir_contents_only(true)
            .create_dest_path(true)
            .allow_wildcard(true)
            .allow_empty_wildcard(true)
    }

    /// Resolve symlinks in `src`.
    pub fn follow_symlinks(mut self, on: bool) -> Copy {
        self.follow_symlinks = on;
        self
    }

    /// When `src` is a directory, copy what it contains.
    pub fn dir_contents_only(mut self, on: bool) -> Copy {
        self.dir_contents_only = on;
        self
    }

    /// Create missing parent directories of `dest`.
    pub fn create_dest_path(mut self, on: bool) -> Copy {
        self.create_dest_path = on;
        self
    }

    /// Expand `*`, `?` and `[...]` in `src`.
    pub fn allow_wildcard(mut self, on: bool) -> Copy {
        self.allow_wildcard = on;
        self
    }

    /// A wildcard matching nothing copies nothing instead of failing.
    pub fn allow_empty_wildcard(mut self, on: bool) -> Copy {
        self.allow_empty_wildcard = on;
        self
    }

    /// Only copy paths matching these patterns.
    pub fn include_patterns(mut self, patterns: Vec<String>) -> Copy {
        self.include_patterns = patterns;
        self
    }

    /// Skip paths matching these patterns.
    pub fn exclude_patterns(mut self, patterns: Vec<String>) -> Copy {
        self.exclude_patterns = patterns;
        self
    }

    /// Give copied files this permission mode.
    pub fn mode(mut self, mode: u32) -> Copy {
        self.mode = Some(mode);
        self
    }
}

/// One file action.
#[derive(Clone, Debug)]
pub enum FileAction {
    /// Create (or overwrite) a file with `data`.
    Mkfile {
        path: String,
        mode: u32,
        data: Vec<u8>,
    },
    /// Create a directory, with its parents when `parents`.
    Mkdir {
        path: String,
        mode: u32,
        parents: bool,
    },
    /// Copy from another state.
    Copy(Box<Copy>),
    /// Remove a path.
    Rm {
        path: String,
        allow_not_found: bool,
        allow_wildcard: bool,
    },
}

impl FileAction {
    /// `write-file`: a file at `path` with permission bits `mode`.
    pub fn mkfile(path: &str, mode: u32, data: impl Into<Vec<u8>>) -> FileAction {
        FileAction::Mkfile {
            path: path.to_string(),
            mode,
            data: data.into(),
        }
    }

    /// `mkdir`: a directory at `path`, creating parents when `parents`.
    pub fn mkdir(path: &str, mode: u32, parents: bool) -> FileAction {
        FileAction::Mkdir {
            path: path.to_string(),
            mode,
            parents,
        }
    }

    /// Removes `path`; a missing path is not an error.
    pub fn rm(path: &str) -> FileAction {
        FileAction::Rm {
            path: path.to_string(),
            allow_not_found: true,
            allow_wildcard: false,
        }
    }
}

impl From<Copy> for FileAction {
    fn from(c: Copy) -> FileAction {
        FileAction::Copy(Box::new(c))
    }
}

/// A file op: actions applied in order, and the op's metadata.
#[derive(Clone, Debug)]
pub struct FileOpBuilder {
    actions: Vec<FileAction>,
    meta: OpMeta,
}

impl FileOpBuilder {
    /// An op with one action.
    pub fn new(action: impl Into<FileAction>) -> FileOpBuilder {
        FileOpBuilder {
            actions: vec![action.into()],
            meta: OpMeta::default(),
        }
    }

    /// Then `action`, on the result of the previous actions.
    pub fn then(mut self, action: impl Into<FileAction>) -> FileOpBuilder {
        self.actions.push(action.into());
        self
    }

    /// Display name in progress output.
    pub fn custom_name(mut self, name: impl Into<String>) -> FileOpBuilder {
        self.meta.custom_name = Some(name.into());
        self
    }
}

impl From<FileAction> for FileOpBuilder {
    fn from(a: FileAction) -> FileOpBuilder {
        FileOpBuilder::new(a)
    }
}

impl From<Copy> for FileOpBuilder {
    fn from(c: Copy) -> FileOpBuilder {
        FileOpBuilder::new(c)
    }
}

/// A resolved action: absolute paths, the copy source as an output.
#[derive(Clone, Debug)]
pub(crate) enum Action {
    Mkfile {
        path: String,
        mode: u32,
        data: Vec<u8>,
    },
    Mkdir {
        path: String,
        mode: u32,
        parents: bool,
    },
    Copy {
        source: Option<Output>,
        proto: pb::FileActionCopy,
    },
    Rm {
        path: String,
        allow_not_found: bool,
        allow_wildcard: bool,
    },
}

/// A file op as it will be marshaled.
#[derive(Clone, Debug)]
pub(crate) struct FileOp {
    pub(crate) base: Option<Output>,
    pub(crate) actions: Vec<Action>,
}

impl State {
    /// Applies file actions to this state.
    pub fn file(&self, op: impl Into<FileOpBuilder>) -> State {
        let op = op.into();
        let dir = self.dir.clone();
        let actions = op
            .actions
            .into_iter()
            .map(|a| match a {
                FileAction::Mkfile {
                    path: p,
                    mode,
                    data,
                } => Action::Mkfile {
                    path: path::absolute(&dir, &p, false),
                    mode,
                    data,
                },
                FileAction::Mkdir {
                    path: p,
                    mode,
                    parents,
                } => Action::Mkdir {
                    path: path::absolute(&dir, &p, false),
                    mode,
                    parents,
                },
                FileAction::Rm {
                    path: p,
                    allow_not_found,
                    allow_wildcard,
                } => Action::Rm {
                    path: path::absolute(&dir, &p, false),
                    allow_not_found,
                    allow_wildcard,
                },
                FileAction::Copy(c) => {
                    let c = *c;
                    let src = path::absolute(&c.from.dir, &c.src, false);
                    let proto = pb::FileActionCopy {
                        src,
                        dest: path::absolute(&dir, &c.dest, true),
                        owner: None,
                        mode: c.mode.map_or(-1, |m| m as i32),
                        follow_symlink: c.follow_symlinks,
                        dir_copy_contents: c.dir_contents_only,
                        create_dest_path: c.create_dest_path,
                        allow_wildcard: c.allow_wildcard,
                        allow_empty_wildcard: c.allow_empty_wildcard,
                        timestamp: -1,
                        include_patterns: c.include_patterns,
                        exclude_patterns: c.exclude_patterns,
                        ..Default::default()
                    };
                    // BuildKit keys a one-copy op on a base without its
                    // input indexes, so a copy from scratch (-1) would share
                    // its cache key with a copy of any real source onto the
                    // same base and be answered with that source's files.
                    // An explicit empty vertex keeps the two apart.
                    let source = match (&c.from.output, &self.output) {
                        (None, Some(_)) => empty_source().output,
                        (from, _) => from.clone(),
                    };
                    Action::Copy { source, proto }
                }
            })
            .collect();
        let spec = FileOp {
            base: self.output.clone(),
            actions,
        };
        self.with_output(Output::new(
            VertexKind::File(spec),
            op.meta,
            self.platform.clone(),
            0,
        ))
    }
}

/// An empty filesystem as a real vertex (a no-op removal on scratch), to
/// stand for scratch where an input index of -1 would be ambiguous.
fn empty_source() -> State {
    State::scratch()
        .file(FileOpBuilder::new(FileAction::rm("/.empty-source")).custom_name("empty source"))
}

impl FileOp {
    /// States this op reads: the base, then copy sources from the last
    /// action to the first (the order BuildKit's client visits them).
    pub(crate) fn inputs(&self) -> Vec<&Output> {
        let mut out: Vec<&Output> = self.base.iter().collect();
        for a in self.actions.iter().rev() {
            if let Action::Copy {
                source: Some(s), ..
            } = a
            {
                out.push(s);
            }
        }
        out
    }

    pub(crate) fn take_inputs(&mut self) -> Vec<Output> {
        let mut out: Vec<Output> = self.base.take().into_iter().collect();
        for a in &mut self.actions {
            if let Action::Copy { source, .. } = a {
                out.extend(source.take());
            }
        }
        out
    }

    /// The protobuf op, given the input edge of each input output.
    pub(crate) fn to_pb(
        &self,
        input_of: &dyn Fn(&Output) -> pb::Input,
    ) -> (Vec<pb::Input>, pb::op::Op) {
        let mut inputs: Vec<pb::Input> = Vec::new();
        let mut add = |out: &Output| -> i64 {
            let edge = input_of(out);
            match inputs.iter().position(|i| *i == edge) {
                Some(i) => i as i64,
                None => {
                    inputs.push(edge);
                    inputs.len() as i64 - 1
                }
            }
        };
        let base = self.base.as_ref().map_or(-1, &mut add);
        let secondaries: Vec<i64> = self
            .actions
            .iter()
            .map(|a| match a {
                Action::Copy {
                    source: Some(s), ..
                } => add(s),
                _ => -1,
            })
            .collect();
        let n_inputs = inputs.len() as i64;
        let last = self.actions.len() - 1;
        let actions = self
            .actions
            .iter()
            .enumerate()
            .map(|(i, a)| pb::FileAction {
                // Action i > 0 reads the result of action i-1, numbered after the inputs.
                input: if i == 0 {
                    base
                } else {
                    n_inputs + i as i64 - 1
                },
                secondary_input: secondaries[i],
                output: if i == last { 0 } else { -1 },
                action: Some(a.to_pb()),
            })
            .collect();
        (inputs, pb::op::Op::File(pb::FileOp { actions }))
    }

    pub(crate) fn caps(&self) -> Vec<&'static str> {
        vec![caps::FILE_BASE]
    }
}

impl Action {
    fn to_pb(&self) -> pb::file_action::Action {
        use pb::file_action::Action as A;
        match self {
            Action::Mkfile { path, mode, data } => A::Mkfile(pb::FileActionMkFile {
                path: path.clone(),
                mode: (mode & 0o777) as i32,
                data: data.clone(),
                owner: None,
                timestamp: -1,
            }),
            Action::Mkdir {
                path,
                mode,
                parents,
            } => A::Mkdir(pb::FileActionMkDir {
                path: path.clone(),
                mode: (mode & 0o777) as i32,
                make_parents: *parents,
                owner: None,
                timestamp: -1,
            }),
            Action::Copy { proto, .. } => A::Copy(proto.clone()),
            Action::Rm {
                path,
                allow_not_found,
                allow_wildcard,
            } => A::Rm(pb::FileActionRm {
                path: path.clone(),
                allow_not_found: *allow_not_found,
                allow_wildcard: *allow_wildcard,
            }),
        }
    }
}
