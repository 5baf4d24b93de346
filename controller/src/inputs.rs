//! Stored inputs and outputs as the plan engine's inputs.

use dag::inputs::{Format, Input};
use dag::path::Path;

use crate::state::{ControllerState, InputValue};

/// Why an input could not be used.
#[derive(Debug, thiserror::Error)]
#[error("input {path}: {message}")]
pub struct InputError {
    pub path: String,
    pub message: String,
}

/// The field path of an input, checked.
pub fn parse_path(text: &str) -> Result<Path, InputError> {
    match Path::parse(text) {
        Some(p) if !p.is_root() => Ok(p),
        _ => Err(InputError {
            path: text.to_string(),
            message: "not a field path (e.g. `app.source` or `\"my-field\".x`)".into(),
        }),
    }
}

/// The engine's inputs for the controller's stored inputs, secrets opened.
pub fn engine_inputs(state: &ControllerState) -> Result<Vec<Input>, InputError> {
    let mut out = Vec::new();
    for (text, value) in &state.inputs {
        out.push(engine_input(&state.name, text, value)?);
    }
    Ok(out)
}

/// [`engine_inputs`] for reading only (`query`): a secret that cannot be
/// opened now (its env var unset, its key gone) is the text `<secret>`,
/// which is what would be printed anyway.
pub fn engine_inputs_for_query(state: &ControllerState) -> Result<Vec<Input>, InputError> {
    let mut out = Vec::new();
    for (text, value) in &state.inputs {
        match engine_input(&state.name, text, value) {
            Ok(i) => out.push(i),
            Err(_) if matches!(value, InputValue::Secret { .. }) => out.push(Input::Secret {
                path: parse_path(text)?,
                value: dag::state::SecretValue("<secret>".into()),
            }),
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

fn engine_input(controller: &str, text: &str, value: &InputValue) -> Result<Input, InputError> {
    let path = parse_path(text)?;
    let doc = |format: Format, body: String| Input::Document {
        format,
        path: Some(path.clone()),
        text: body,
        given: format!("input {text}"),
    };
    Ok(match value {
        InputValue::Text { value } => Input::String {
            path,
            text: value.clone(),
        },
        InputValue::Json { value } => doc(Format::Json, value.to_string()),
        InputValue::Yaml { text } => doc(Format::Yaml, text.clone()),
        InputValue::Cue { text } => doc(Format::Cue, text.clone()),
        InputValue::Dir { path: dir } => Input::Dir {
            path,
            dir: dir.clone(),
        },
        InputValue::Git {
            remote,
            reference,
            subdir,
        } => match subdir {
            None => Input::Git {
                path,
                remote: remote.clone(),
                reference: reference.clone(),
            },
            Some(sub) => doc(
                Format::Cue,
                format!(
                    "#compute: [{{do: \"fetch-git\", remote: {}, ref: {}}}, {{do: \"subdir\", dir: {}}}]",
                    q(remote),
                    q(reference),
                    q(sub)
                ),
            ),
        },
        InputValue::Container { reference } => doc(
            Format::Cue,
            format!(
                "#compute: [{{do: \"fetch-container\", ref: {}}}]",
                q(reference)
            ),
        ),
        InputValue::Secret { secret } => Input::Secret {
            path,
            value: dag::state::SecretValue(
                crate::secret_box::open(controller, text, secret).map_err(|e| InputError {
                    path: text.to_string(),
                    message: e.0,
                })?,
            ),
        },
    })
}

/// A CUE string literal.
fn q(text: &str) -> String {
    dag::output::json_string(text)
}

/// The stored outputs as inputs, each export placed at its component.
pub fn output_inputs(
    outputs: &std::collections::BTreeMap<String, crate::state::StoredOutput>,
) -> Result<Vec<Input>, InputError> {
    let mut out = Vec::new();
    for (component, stored) in outputs {
        let path = parse_path(component)?;
        for value in &stored.exports {
            out.push(Input::Document {
                format: Format::Json,
                path: Some(path.clone()),
                text: value.to_string(),
                given: format!("output {component}"),
            });
        }
    }
    Ok(out)
}

/// A digest of the inputs as stored (secrets as ciphertext or reference).
pub fn inputs_digest(state: &ControllerState) -> String {
    use sha2::Digest;
    let text = serde_json::to_string(&state.inputs).unwrap_or_default();
    format!(
        "sha256:{}",
        crate::store::hex(&sha2::Sha256::digest(text.as_bytes()))
    )
}
