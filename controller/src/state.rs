//! The state of one controller, `.dagger/<name>/state.json` (format in
//! `controller/STATE.md`). It is written whole and atomically: after any
//! crash it is the state before or after a change, never a mix.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The version of the state format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// Everything `dagger` keeps about one controller.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ControllerState {
    /// [`FORMAT_VERSION`] of the writer.
    pub version: u32,
    pub name: String,
    pub plan: PlanSource,
    /// Inputs, by field path (one per path).
    #[serde(default)]
    pub inputs: BTreeMap<String, InputValue>,
    pub status: Status,
    /// The last computed outputs, by component path.
    #[serde(default)]
    pub outputs: BTreeMap<String, StoredOutput>,
    /// Image configs resolved by earlier runs, by normalized reference.
    #[serde(default)]
    pub images: BTreeMap<String, StoredImage>,
    /// Past runs, oldest first.
    #[serde(default)]
    pub runs: Vec<RunRecord>,
}

/// Where a controller's plan comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum PlanSource {
    /// A directory holding a CUE package (relative paths are relative to
    /// the directory holding `.dagger/`).
    Dir { path: String },
    /// One CUE file (its directory is the plan's directory).
    File { path: String },
    /// A git repository, checked out at `reference`, plan in `subdir`.
    Git {
        remote: String,
        reference: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subdir: Option<String>,
    },
    /// A CUE package by import path: embedded (`dagger.io/...`) or in the
    /// project's `cue.mod/pkg`.
    Package { package: String },
}

/// How a controller ended its last `up` or `down`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Created, never brought up.
    New,
    /// The last `up` succeeded.
    Up,
    /// The last `up` or `down` failed.
    Failed,
    /// Taken down.
    Down,
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Status::New => "new",
            Status::Up => "up",
            Status::Failed => "failed",
            Status::Down => "down",
        })
    }
}

/// One input value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum InputValue {
    Text {
        value: String,
    },
    Json {
        value: serde_json::Value,
    },
    /// YAML text as given (decoded when used).
    Yaml {
        text: String,
    },
    /// CUE source placed at the input's path.
    Cue {
        text: String,
    },
    /// A host directory (absolute).
    Dir {
        path: String,
    },
    Git {
        remote: String,
        reference: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subdir: Option<String>,
    },
    /// A container image, by reference.
    Container {
        reference: String,
    },
    Secret {
        secret: SecretRef,
    },
}

impl InputValue {
    /// The kind's name, as `dagger input KIND` takes it.
    pub fn kind(&self) -> &'static str {
        match self {
            InputValue::Text { .. } => "text",
            InputValue::Json { .. } => "json",
            InputValue::Yaml { .. } => "yaml",
            InputValue::Cue { .. } => "cue",
            InputValue::Dir { .. } => "dir",
            InputValue::Git { .. } => "git",
            InputValue::Container { .. } => "container",
            InputValue::Secret { .. } => "secret",
        }
    }
}

/// A secret, never in clear text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "lowercase")]
pub enum SecretRef {
    /// Encrypted with the user's key (see `secret_box.rs`), base64.
    Encrypted { nonce: String, ciphertext: String },
    /// Read from this environment variable at each use.
    Env { var: String },
    /// Read from this file (absolute) at each use.
    File { path: String },
}

/// A component's stored outputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredOutput {
    /// The memo key they were computed under (`None`: always re-run).
    pub key: Option<String>,
    /// The values its `export` ops produced, in op order.
    pub exports: Vec<serde_json::Value>,
}

/// An image config, as resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredImage {
    pub env: Vec<(String, String)>,
    pub workdir: Option<String>,
    pub user: Option<String>,
}

/// One `up`, `down` or replay.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// 1, 2, ...
    pub number: u64,
    /// `up`, `up --only PATH`, `replay N`, `down`.
    pub command: String,
    /// Start, seconds since the epoch (UTC).
    pub started: u64,
    pub duration_ms: u64,
    /// Digest of the plan's CUE files.
    pub plan_digest: String,
    /// Digest of the inputs (secrets by reference or ciphertext only).
    pub inputs_digest: String,
    /// `ok` or `failed`.
    pub result: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Each component's outputs digest after the run.
    #[serde(default)]
    pub outputs: BTreeMap<String, String>,
    /// How each component ended: `ran`, `cached`, `reused`, `skipped`, `failed`.
    #[serde(default)]
    pub components: BTreeMap<String, String>,
    /// The object holding the plan files, inputs and outputs of this run.
    pub snapshot: String,
}

/// Why a state could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("{path}: cannot read the controller's state: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("{path}: the controller's state is not valid: {message}")]
    Invalid { path: String, message: String },
    #[error("{path}: written by a newer dagger (state format {found}, this dagger reads up to {FORMAT_VERSION}); upgrade dagger to use this controller")]
    Newer { path: String, found: u64 },
}

/// Reads a state file, refusing a newer format before anything else.
pub fn read(path: &Path) -> Result<ControllerState, StateError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| StateError::Io {
        path: shown.clone(),
        error,
    })?;
    let raw: serde_json::Value = serde_json::from_str(&text).map_err(|e| StateError::Invalid {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    let found = raw["version"].as_u64().ok_or_else(|| StateError::Invalid {
        path: shown.clone(),
        message: "no format version".into(),
    })?;
    if found > u64::from(FORMAT_VERSION) {
        return Err(StateError::Newer { path: shown, found });
    }
    serde_json::from_value(raw).map_err(|e| StateError::Invalid {
        path: shown,
        message: e.to_string(),
    })
}

/// Writes a state file atomically.
pub fn write(path: &Path, state: &ControllerState) -> std::io::Result<()> {
    let mut text = serde_json::to_string_pretty(state).map_err(std::io::Error::other)?;
    text.push('\n');
    crate::atomic::write(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ControllerState {
        ControllerState {
            version: FORMAT_VERSION,
            name: "app".into(),
            plan: PlanSource::Dir {
                path: "plan".into(),
            },
            inputs: BTreeMap::from([("msg".to_string(), InputValue::Text { value: "hi".into() })]),
            status: Status::New,
            outputs: BTreeMap::new(),
            images: BTreeMap::new(),
            runs: Vec::new(),
        }
    }

    #[test]
    fn round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state.json");
        write(&p, &sample()).unwrap();
        assert_eq!(read(&p).unwrap(), sample());
    }

    #[test]
    fn a_newer_format_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state.json");
        let mut v = serde_json::to_value(sample()).unwrap();
        v["version"] = 7.into();
        v["something_new"] = true.into();
        std::fs::write(&p, v.to_string()).unwrap();
        let e = read(&p).unwrap_err().to_string();
        assert!(e.contains("newer dagger (state format 7"), "{e}");
    }
}
