//! Run snapshots: the plan files, inputs and outputs of one run, stored as
//! a content-addressed object (identical runs share one), so that any run
//! can be queried (`query --version N`) or re-run (`up --replay N`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::plan_source::PlanDirs;
use crate::state::{InputValue, PlanSource, StoredOutput};
use crate::store::{Store, StoreError};

/// What a run saw and produced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub plan: PlanSource,
    /// The loaded directory, relative to the plan files' root.
    pub load_dir: String,
    /// The plan's CUE files by path (plan_source::files).
    pub plan_files: BTreeMap<String, String>,
    pub inputs: BTreeMap<String, InputValue>,
    pub outputs: BTreeMap<String, StoredOutput>,
}

/// Stores a snapshot; returns its id.
pub fn put(store: &Store, name: &str, snapshot: &Snapshot) -> Result<String, StoreError> {
    let bytes = serde_json::to_vec(snapshot).map_err(|e| StoreError::Io {
        path: "snapshot".into(),
        error: std::io::Error::other(e),
    })?;
    store.put_object(name, &bytes)
}

/// Reads snapshot `id`.
pub fn get(store: &Store, name: &str, id: &str) -> Result<Snapshot, StoreError> {
    let bytes = store.object(name, id)?;
    serde_json::from_slice(&bytes).map_err(|e| StoreError::Io {
        path: format!("snapshot {id}"),
        error: std::io::Error::other(e),
    })
}

/// The load directory relative to the root of the plan files.
pub fn load_dir_in(dirs: &PlanDirs) -> String {
    // The files are relative to the module root (plan_source::files).
    let root = dag::embedded_fs::module_root(&dirs.load);
    dirs.load
        .strip_prefix(&root)
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

/// Writes a snapshot's plan files under `.dagger/<name>/replay/` (emptied
/// first) and returns where to load it from. `local` ops resolve against
/// the controller's current plan directory's project.
pub fn materialize(store: &Store, name: &str, snapshot: &Snapshot) -> Result<PlanDirs, StoreError> {
    let root = store.dir(name).join("replay");
    let io = |path: &std::path::Path| {
        let shown = path.display().to_string();
        move |error| StoreError::Io { path: shown, error }
    };
    if root.exists() {
        std::fs::remove_dir_all(&root).map_err(io(&root))?;
    }
    for (rel, text) in &snapshot.plan_files {
        let rel_path = std::path::Path::new(rel);
        if rel_path
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            continue;
        }
        let path = root.join(rel_path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&path, text).map_err(io(&path))?;
    }
    let load = root.join(&snapshot.load_dir);
    std::fs::create_dir_all(&load).map_err(io(&load))?;
    let plan = match &snapshot.plan {
        PlanSource::Dir { path } => store.project().join(path),
        _ => store.project().to_path_buf(),
    };
    Ok(PlanDirs { load, plan })
}

/// The digest of a component's outputs.
pub fn outputs_digest(output: &StoredOutput) -> String {
    use sha2::Digest;
    let text = serde_json::to_string(&output.exports).unwrap_or_default();
    format!(
        "sha256:{}",
        crate::store::hex(&sha2::Sha256::digest(text.as_bytes()))
    )
}
