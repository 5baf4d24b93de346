//! Memoised component outputs, for controllers kept on disk (`dagger up`).
//!
//! A component's outputs are stored with a key: the digest of the LLB its
//! ops compile to (every vertex, so an image config, a secret's keyed id or
//! a changed upstream value all change it), the actions done on the result
//! (which file is exported, in which format; which reference is pushed), and
//! the content of the host directories its `local` ops send (the LLB names
//! a directory, not what it holds). A component whose key is unchanged
//! reuses its stored outputs with no solve at all.
//!
//! Never memoised: components with an `always` exec (they must run every
//! time) and `docker-build` components (their LLB is made by the frontend
//! while solving, so it has no digest before).
//!
//! What a key does not see: an image tag or git branch that moved upstream
//! (the reference in the LLB is the same); `dagger up --no-cache` re-runs.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path as FsPath;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::compile::{Action, Compiled};
use crate::path::Path;
use crate::state::{FileAction, MountKind, State, StateNode};

/// Stored outputs of an earlier run, looked up by component and key.
pub trait Memo: Send + Sync {
    /// The exported values stored for `component` under `key`, if any.
    fn get(&self, component: &Path, key: &str) -> Option<Vec<serde_json::Value>>;
}

/// A memo that holds nothing (every component runs).
pub struct NoMemo;

impl Memo for NoMemo {
    fn get(&self, _: &Path, _: &str) -> Option<Vec<serde_json::Value>> {
        None
    }
}

/// A shared memo.
pub type SharedMemo = Arc<dyn Memo>;

/// The key of a compiled component, or `None` when it must always run.
pub fn component_key(compiled: &Compiled) -> Result<Option<String>, String> {
    let mut states: Vec<&State> = vec![&compiled.state];
    for action in &compiled.actions {
        match action {
            Action::Export { state, .. } | Action::Push { state, .. } => states.push(state),
        }
    }
    let mut walk = Walk::default();
    for s in &states {
        walk.visit(s);
    }
    if walk.unmemoisable {
        return Ok(None);
    }
    let mut h = Sha256::new();
    h.update(b"dagger-memo-v1\n");
    for s in &states {
        h.update(state_digest(s)?.as_bytes());
        h.update(b"\n");
    }
    for action in &compiled.actions {
        match action {
            Action::Export { source, format, .. } => {
                h.update(format!("export {source:?} {format:?}\n").as_bytes())
            }
            Action::Push {
                meta, reference, ..
            } => h.update(format!("push {reference:?} {meta:?}\n").as_bytes()),
        }
    }
    for (dir, root, include, exclude) in &walk.locals {
        h.update(format!("local {dir:?} {root:?} {include:?} {exclude:?}\n").as_bytes());
        hash_tree(FsPath::new(dir), &mut h)
            .map_err(|e| format!("cannot read local directory {dir}: {e}"))?;
    }
    Ok(Some(format!("sha256:{}", hex(&h.finalize()))))
}

/// The digest of the state's LLB definition: its ops' digests in order.
#[cfg(feature = "buildkit")]
fn state_digest(state: &State) -> Result<String, String> {
    let ops = crate::buildkit::llb_ops(state, llb::Platform::host()).map_err(|e| e.message)?;
    let mut h = Sha256::new();
    for op in ops {
        h.update(op.digest.as_bytes());
        h.update(b"\n");
    }
    Ok(hex(&h.finalize()))
}

/// Without BuildKit there is no LLB: the state graph's own description.
#[cfg(not(feature = "buildkit"))]
fn state_digest(state: &State) -> Result<String, String> {
    Ok(hex(&Sha256::digest(format!("{state:?}").as_bytes())))
}

/// What the key needs from a state graph besides its digest.
#[derive(Default)]
struct Walk {
    seen: BTreeSet<usize>,
    unmemoisable: bool,
    /// `(dir, root, include, exclude)` of every `local` source.
    locals: BTreeSet<(String, String, Vec<String>, Vec<String>)>,
}

impl Walk {
    fn visit(&mut self, state: &State) {
        let addr = Arc::as_ptr(&state.0) as usize;
        if !self.seen.insert(addr) {
            return;
        }
        match state.node() {
            StateNode::Scratch | StateNode::Image { .. } | StateNode::Git { .. } => {}
            StateNode::Local {
                dir,
                root,
                include,
                exclude,
                ..
            } => {
                self.locals
                    .insert((dir.clone(), root.clone(), include.clone(), exclude.clone()));
            }
            StateNode::Exec(e) => {
                if e.always {
                    self.unmemoisable = true;
                }
                self.visit(&e.root);
                for m in &e.mounts {
                    if let MountKind::State { state, .. } = &m.kind {
                        self.visit(state);
                    }
                }
            }
            StateNode::File { base, action, .. } => {
                self.visit(base);
                if let FileAction::Copy { from, .. } = action {
                    self.visit(from);
                }
            }
            StateNode::DockerBuild(_) => self.unmemoisable = true,
        }
    }
}

/// Hashes every entry below `dir` (relative path, kind, mode, content or
/// link target), in name order, without following links. It may see more
/// than the transfer sends (ignored files count): a change there re-runs
/// the component, which is wasted work, never a stale result.
fn hash_tree(dir: &FsPath, h: &mut Sha256) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mut stack = vec![std::path::PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(dir.join(&rel))?
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .map(|e| e.file_name())
            .collect();
        entries.sort();
        // Reversed so that popping visits subdirectories in name order.
        let mut subdirs = Vec::new();
        for name in entries {
            let child = rel.join(&name);
            let full = dir.join(&child);
            let meta = std::fs::symlink_metadata(&full)?;
            let mode = meta.permissions().mode();
            h.update(format!("{}\0{mode:o}\0", child.display()).as_bytes());
            if meta.file_type().is_symlink() {
                h.update(std::fs::read_link(&full)?.to_string_lossy().as_bytes());
            } else if meta.is_dir() {
                subdirs.push(child);
            } else if meta.is_file() {
                let mut f = std::fs::File::open(&full)?;
                let mut buf = [0u8; 64 * 1024];
                let mut content = Sha256::new();
                loop {
                    let n = f.read(&mut buf)?;
                    if n == 0 {
                        break;
                    }
                    content.update(&buf[..n]);
                }
                h.update(content.finalize());
            }
            h.update(b"\n");
        }
        stack.extend(subdirs.into_iter().rev());
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
